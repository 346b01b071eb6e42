//! The messenger: the local store kept in step with the server over the live connection.
//!
//! One task per signed-in account. Each time the connection comes up it syncs the changes feed
//! from the store's cursors (page by page until complete), then sends the outbox in order, each
//! message waiting for its ack. Pushed messages are applied as they come; a push that skips
//! ahead of a chat's cursor, or a `resync` from the server, triggers a sync. Messages from
//! others are acknowledged as delivered. Everything that changes is announced as a
//! [`MessengerEvent`] for the UI.

mod answers;
mod media;
mod status;
mod timers;

pub use media::{
    AUTO_DOWNLOAD_BYTES_DEFAULT, CACHE_BYTES_DEFAULT, Direction, MediaSource, PreviewDraft, TransferUpdate,
};

use std::sync::Arc;

use gkchat_proto::ErrorCode;
use gkchat_proto::chat::{
    ChatMember, Content, HistoryPage, Message, MessageAction, NewMessage, ReceiptKind, ReceiptUpdate, SyncRequest,
    TypingUpdate,
};
use serde::{Deserialize, Serialize};
use tokio::sync::{Notify, broadcast};
use tokio::task::JoinHandle;
use ts_rs::TS;

use crate::store::{LocalChat, LocalMessage, Store};
use crate::{Client, Connection, ConnectionState, Error, Event, Result};

/// What changed, for the UI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum MessengerEvent {
    /// Reload the chat list (tiles, unread counts, order).
    ChatsChanged,
    /// A message was added or changed in a chat.
    Message {
        chat_id: String,
        message: Box<LocalMessage>,
    },
    Typing(TypingUpdate),
    Receipt(ReceiptUpdate),
    /// An upload a message uses finished (or failed): its placeholder can load.
    Media(gkchat_proto::media::MediaInfo),
    /// How far a file of mine is uploading, or a download is coming.
    Transfer(media::TransferUpdate),
    /// The server refused a change I made to a message (it was shown at once; now it is taken
    /// back, and the message comes again as a `message` event).
    ActionRefused {
        chat_id: String,
        message_id: String,
        action: MessageAction,
        code: ErrorCode,
        message: String,
    },
    /// Something happened to a status post I may see, or to mine (its own tag stays inside
    /// `status`).
    Status {
        status: Box<gkchat_proto::status::StatusEvent>,
    },
    /// An event I am going to starts soon (once per start, on each of my devices).
    EventReminder(crate::store::Reminder),
    /// My account changed on the server (from this device or another): profile, privacy,
    /// appearance.
    Me {
        me: Box<gkchat_proto::account::Me>,
    },
    /// Someone answered a poll or an event of mine (as it happens, not in a catch-up):
    /// `user_id` is `None` for an anonymous poll's vote; `rsvp` is an event's answer.
    Answered {
        chat_id: String,
        message_id: String,
        user_id: Option<String>,
        rsvp: Option<gkchat_proto::event::Rsvp>,
    },
}

struct Inner {
    client: Client,
    connection: Arc<Connection>,
    store: Store,
    events: broadcast::Sender<MessengerEvent>,
    wake: Notify,
    /// Wakes the uploader (a message with files went out, or one was cancelled).
    uploads: Notify,
    media: media::MediaState,
    /// The time reminders go by.
    clock: crate::Clock,
    /// Wakes the timers' loop (a reminder's lead changed, the status cache was replaced).
    reminders: Notify,
    /// The clock's time when the timers' loop last looked (for tests: "nothing was due then").
    reminders_checked: tokio::sync::watch::Sender<i64>,
    status: status::StatusState,
}

/// Handle to one account's messenger; dropping it stops its tasks.
pub struct Messenger {
    inner: Arc<Inner>,
    task: JoinHandle<()>,
    uploader: JoinHandle<()>,
    reminder: JoinHandle<()>,
    status: JoinHandle<()>,
}

impl Drop for Messenger {
    fn drop(&mut self) {
        self.task.abort();
        self.uploader.abort();
        self.reminder.abort();
        self.status.abort();
    }
}

use gkchat_proto::now_ms;

/// Refusals that will not change by retrying: the message is marked failed.
fn is_permanent(err: &Error) -> bool {
    matches!(err, Error::Api { error, .. } if !matches!(error.code, ErrorCode::Internal | ErrorCode::Unavailable | ErrorCode::RateLimited | ErrorCode::ServerBusy | ErrorCode::ServerShuttingDown | ErrorCode::TokenExpired))
}

impl Messenger {
    /// Starts keeping `store` in step through `connection`.
    pub fn start(client: Client, connection: Arc<Connection>, store: Store) -> Self {
        Self::start_with_clock(client, connection, store, crate::Clock::system())
    }

    /// [`Messenger::start`] with reminders going by `clock`.
    pub fn start_with_clock(client: Client, connection: Arc<Connection>, store: Store, clock: crate::Clock) -> Self {
        let (events, _) = broadcast::channel(1024);
        let inner = Arc::new(Inner {
            client,
            connection,
            store: store.with_clock(clock.clone()),
            events,
            wake: Notify::new(),
            uploads: Notify::new(),
            media: media::MediaState::default(),
            reminders_checked: tokio::sync::watch::channel(i64::MIN).0,
            clock,
            reminders: Notify::new(),
            status: status::StatusState::default(),
        });
        let task = tokio::spawn(run(inner.clone()));
        let uploader = tokio::spawn(media::upload_files(inner.clone()));
        let reminder = tokio::spawn(timers::run(inner.clone()));
        let status = tokio::spawn(status::keep_fresh(inner.clone()));
        Self { inner, task, uploader, reminder, status }
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    pub fn subscribe(&self) -> broadcast::Receiver<MessengerEvent> {
        self.inner.events.subscribe()
    }

    /// My chats as tiles, from the local store.
    pub async fn chats(&self) -> Result<Vec<LocalChat>> {
        self.inner.store.chats().await
    }

    /// One chat's tile, from the local store.
    pub async fn chat(&self, chat_id: &str) -> Result<Option<LocalChat>> {
        self.inner.store.chat(chat_id).await
    }

    /// A chat's members, from the local store.
    pub async fn members(&self, chat_id: &str) -> Result<Vec<ChatMember>> {
        self.inner.store.members(chat_id).await
    }

    /// Those who left a chat or were removed, from the local store (names for their past).
    pub async fn former_members(&self, chat_id: &str) -> Result<Vec<ChatMember>> {
        self.inner.store.former_members(chat_id).await
    }

    /// A chat's messages from the local store (newest `limit` before `before`).
    pub async fn messages(&self, chat_id: &str, before: Option<i64>, limit: u32) -> Result<Vec<LocalMessage>> {
        self.inner.store.messages(chat_id, before, limit).await
    }

    /// The id of my direct chat with `user_id`: from the store, else opened on the server (its
    /// tile and members synced before this returns).
    pub async fn open_direct(&self, user_id: &str) -> Result<String> {
        if let Some(chat_id) = self.inner.store.direct_chat_with(user_id).await? {
            return Ok(chat_id);
        }
        let summary = self.inner.client.open_direct(user_id).await?;
        self.inner.store.upsert_chat(&summary).await?;
        sync(&self.inner).await?;
        let _ = self.inner.events.send(MessengerEvent::ChatsChanged);
        Ok(summary.id)
    }

    /// Ids of the newest `limit` messages of my direct chat with `user_id` that the server holds
    /// (not pending or failed ones), oldest first: what a report attaches.
    pub async fn recent_message_ids_with(&self, user_id: &str, limit: u32) -> Result<Vec<String>> {
        let Some(chat_id) = self.inner.store.direct_chat_with(user_id).await? else { return Ok(Vec::new()) };
        self.recent_message_ids(&chat_id, limit).await
    }

    /// Full-text search over the messages this device holds (in one chat, or all).
    pub async fn search(&self, text: &str, chat_id: Option<&str>) -> Result<Vec<crate::store::SearchHit>> {
        self.inner.store.search(text, chat_id, 50).await
    }

    /// Makes a group; its tile and members are in the store when this returns.
    pub async fn create_group(&self, new: &gkchat_proto::group::NewGroup) -> Result<gkchat_proto::group::MembersAdded> {
        let made = self.inner.client.create_group(new).await?;
        self.inner.store.upsert_chat(&made.chat).await?;
        sync(&self.inner).await?;
        let _ = self.inner.events.send(MessengerEvent::ChatsChanged);
        Ok(made)
    }

    /// Joins a group by its invite link (or asks to); once in, its tile and members are in the
    /// store when this returns.
    pub async fn join_group(&self, link: &str) -> Result<gkchat_proto::group::JoinOutcome> {
        let outcome = self.inner.client.join_group(link).await?;
        if let gkchat_proto::group::JoinOutcome::Joined { chat } = &outcome {
            self.inner.store.upsert_chat(chat).await?;
            sync(&self.inner).await?;
            let _ = self.inner.events.send(MessengerEvent::ChatsChanged);
        }
        Ok(outcome)
    }

    /// "Delete chat" for me: gone from every device of mine with its messages (a group I am
    /// still in, I leave first); what was still waiting to be sent to it is dropped.
    pub async fn delete_chat(&self, chat_id: &str) -> Result<()> {
        // Unsent messages first, so the outbox does not send them meanwhile.
        self.inner.store.drop_pending(chat_id).await?;
        self.inner.client.delete_chat(chat_id).await?;
        sync(&self.inner).await?;
        let _ = self.inner.events.send(MessengerEvent::ChatsChanged);
        Ok(())
    }

    /// "Block and report" on a direct chat (a message request): reports its other person with
    /// our last messages attached and blocks them, then deletes the chat for me. The report's id.
    pub async fn block_and_report(&self, chat_id: &str, reason: &str) -> Result<String> {
        let mut chat = self.inner.store.chat(chat_id).await?;
        if chat.as_ref().is_some_and(|c| c.other_member.is_none()) {
            // Its tile came before its members: bring them in.
            sync(&self.inner).await?;
            chat = self.inner.store.chat(chat_id).await?;
        }
        let Some(person) = chat.and_then(|c| c.other_member) else {
            let message = "only a direct chat's person is blocked and reported".into();
            return Err(Error::Invalid { code: ErrorCode::BadRequest, message });
        };
        let message_ids = self.recent_message_ids(chat_id, gkchat_proto::account::REPORT_RECENT_MESSAGES).await?;
        let request = gkchat_proto::account::ReportRequest {
            user_id: person.user_id,
            reason: reason.to_owned(),
            message_ids,
            block: true,
        };
        let id = self.inner.client.report(&request).await?;
        self.delete_chat(chat_id).await?;
        Ok(id)
    }

    /// "Clear chat" for me: its messages go from every device of mine (my starred ones stay with
    /// `keep_starred`); the chat stays in my list, and nobody else's copy changes.
    pub async fn clear_chat(&self, chat_id: &str, keep_starred: bool) -> Result<()> {
        self.inner.client.clear_chat(chat_id, keep_starred).await?;
        self.inner.store.drop_pending(chat_id).await?;
        sync(&self.inner).await?;
        let _ = self.inner.events.send(MessengerEvent::ChatsChanged);
        Ok(())
    }

    /// Ids of the newest `limit` messages of a chat that the server holds (not pending or
    /// failed ones, nor system messages), oldest first: what a report attaches.
    pub async fn recent_message_ids(&self, chat_id: &str, limit: u32) -> Result<Vec<String>> {
        // A `before` bound leaves out messages without a place yet (pending, failed).
        let placed = self.inner.store.messages(chat_id, Some(i64::MAX), limit).await?;
        Ok(placed
            .into_iter()
            .filter(|m| !matches!(m.message.content, Some(Content::System { .. })))
            .map(|m| m.message.id)
            .collect())
    }

    /// Brings the store up to date with the server now (after a change made over REST).
    pub async fn refresh(&self) -> Result<()> {
        sync(&self.inner).await
    }

    /// Fetches a page of older messages from the server into the store; false when there are
    /// none left.
    pub async fn load_older(&self, chat_id: &str, limit: u32) -> Result<bool> {
        let before = self.inner.store.oldest_seq(chat_id).await?;
        let page: HistoryPage = self.inner.client.history(chat_id, before, limit).await?;
        for message in &page.messages {
            self.inner.store.apply(message).await?;
        }
        // Some may have a timer (or be past it): the timers look again.
        self.inner.reminders.notify_one();
        Ok(page.more)
    }

    /// Composes a text message: stored at once as pending, sent when the connection allows.
    pub async fn send_text(&self, chat_id: &str, text: &str, reply_to: Option<String>) -> Result<LocalMessage> {
        let content = Content::text(text);
        content.check().map_err(|(code, message)| Error::Invalid { code, message })?;
        let chat_id = chat_id.to_owned();
        self.enqueue(NewMessage { id: uuid::Uuid::now_v7().to_string(), chat_id, content, reply_to, forwarded: false })
            .await
    }

    /// Shares a contact: a GK Chat user (the receiver can message them) or a vCard's person.
    pub async fn send_contact(
        &self,
        chat_id: &str,
        card: gkchat_proto::media::ContactCard,
        reply_to: Option<String>,
    ) -> Result<LocalMessage> {
        let content = Content::Contact { card };
        content.check().map_err(|(code, message)| Error::Invalid { code, message })?;
        let chat_id = chat_id.to_owned();
        self.enqueue(NewMessage { id: uuid::Uuid::now_v7().to_string(), chat_id, content, reply_to, forwarded: false })
            .await
    }

    /// Asks a question in a chat: members answer with `vote` actions (see [`Messenger::act`]).
    pub async fn send_poll(&self, chat_id: &str, poll: gkchat_proto::poll::Poll) -> Result<LocalMessage> {
        self.compose(chat_id, Content::Poll { poll }).await
    }

    /// Plans an event in a chat: members answer with `rsvp` actions; I change it with
    /// `update_event` or cancel it with `cancel_event` (see [`Messenger::act`]).
    pub async fn send_event(&self, chat_id: &str, event: gkchat_proto::event::Event) -> Result<LocalMessage> {
        self.compose(chat_id, Content::Event { event: Box::new(event) }).await
    }

    /// Checks and queues new content (no reply, not forwarded).
    async fn compose(&self, chat_id: &str, content: Content) -> Result<LocalMessage> {
        content.check().map_err(|(code, message)| Error::Invalid { code, message })?;
        let chat_id = chat_id.to_owned();
        self.enqueue(NewMessage {
            id: uuid::Uuid::now_v7().to_string(),
            chat_id,
            content,
            reply_to: None,
            forwarded: false,
        })
        .await
    }

    /// My starred messages (on every device of mine), newest first: in one chat, or in all.
    pub async fn starred(&self, chat_id: Option<&str>) -> Result<Vec<LocalMessage>> {
        self.inner.store.starred(chat_id, 500).await
    }

    /// A chat's events still to come or going on (not cancelled), soonest first (at most 50).
    pub async fn upcoming_events(&self, chat_id: &str) -> Result<Vec<LocalMessage>> {
        let now = self.inner.clock.now_ms();
        let ids = self.inner.store.upcoming_events(chat_id, now, 50).await?;
        let mut events = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(message) = self.inner.store.message(&id).await?.filter(|m| !m.message.gone_at(now)) {
                events.push(message);
            }
        }
        Ok(events)
    }

    /// How long before an event's start this device reminds me (`None`: it does not); `None`
    /// also for a message that is no event.
    pub async fn reminder_lead(&self, message_id: &str) -> Result<Option<i64>> {
        self.inner.store.reminder_lead(message_id).await
    }

    /// Sets how long before an event's start this device reminds me (`None`: not at all).
    pub async fn set_reminder_lead(&self, message_id: &str, lead_ms: Option<i64>) -> Result<()> {
        if lead_ms.is_some_and(|lead| !(0..=7 * 24 * 60 * 60 * 1000).contains(&lead)) {
            return Err(Error::Invalid {
                code: ErrorCode::BadRequest,
                message: "a reminder is at most a week ahead".into(),
            });
        }
        if !self.inner.store.set_reminder_lead(message_id, lead_ms).await? {
            return Err(Error::Invalid { code: ErrorCode::NotFound, message: "no such event here".into() });
        }
        self.inner.reminders.notify_one();
        Ok(())
    }

    /// Waits until the reminder loop has looked at the time `at_ms` or later (with a manual
    /// clock: after setting it, to know what was due then has been told).
    pub async fn reminders_checked(&self, at_ms: i64) {
        let mut checked = self.inner.reminders_checked.subscribe();
        let _ = checked.wait_for(|&checked| checked >= at_ms).await;
    }

    /// Stores a composed message as pending, shows it, and wakes the sender.
    async fn enqueue(&self, new: NewMessage) -> Result<LocalMessage> {
        let local = self.inner.store.enqueue(&new, now_ms()).await?;
        let _ = self
            .inner
            .events
            .send(MessengerEvent::Message { chat_id: local.message.chat_id.clone(), message: Box::new(local.clone()) });
        let _ = self.inner.events.send(MessengerEvent::ChatsChanged);
        self.inner.wake.notify_one();
        Ok(local)
    }

    /// Forwards one of the messages on this device to another chat (marked "forwarded").
    pub async fn forward(&self, message_id: &str, chat_id: &str) -> Result<LocalMessage> {
        let content = self.inner.store.content(message_id).await?.ok_or_else(|| Error::Invalid {
            code: ErrorCode::NotFound,
            message: "that message is not on this device (or was deleted)".into(),
        })?;
        // A closed poll or a cancelled event cannot be asked anew.
        content.check().map_err(|(code, message)| Error::Invalid { code, message })?;
        let chat_id = chat_id.to_owned();
        self.enqueue(NewMessage {
            id: uuid::Uuid::now_v7().to_string(),
            chat_id,
            content,
            reply_to: None,
            forwarded: true,
        })
        .await
    }

    /// Marks everything in a chat read (here, on my other devices, and for the sender's ticks).
    pub async fn mark_read(&self, chat_id: &str) -> Result<()> {
        let Some(LocalChat { summary: chat, .. }) = self.inner.store.chat(chat_id).await? else { return Ok(()) };
        let last = chat.last_seq.max(chat.last_message.as_ref().map_or(0, |m| m.seq));
        if last <= chat.my_read_seq {
            return Ok(());
        }
        let update = ReceiptUpdate {
            chat_id: chat_id.to_owned(),
            my_delivered_seq: last,
            my_read_seq: last,
            delivered_to_all_seq: 0,
            read_by_all_seq: 0,
        };
        self.inner.store.apply_receipt(&update).await?;
        let _ = self.inner.events.send(MessengerEvent::ChatsChanged);
        self.inner.connection.receipt(chat_id, ReceiptKind::Read, last).await
    }

    /// Edits, deletes or reacts: shown at once, kept until the server has it (offline too,
    /// across restarts), sent in the order made; a refusal takes it back with an
    /// `action_refused` event. An edit changes the words (a text's, a caption) and keeps the
    /// rest. A message not sent yet is taken back by either deletion; one the server refused
    /// only goes from here.
    pub async fn act(&self, chat_id: &str, message_id: &str, action: MessageAction) -> Result<()> {
        let invalid = |code: ErrorCode, message: &str| Error::Invalid { code, message: message.into() };
        let local = self
            .inner
            .store
            .message(message_id)
            .await?
            .filter(|local| local.message.chat_id == chat_id)
            .ok_or_else(|| invalid(ErrorCode::NotFound, "that message is not on this device"))?;
        let deletion = matches!(action, MessageAction::DeleteForEveryone | MessageAction::DeleteForMe);
        match &local.status {
            crate::store::SendStatus::Failed { .. } if deletion => {
                self.inner.store.drop_failed(message_id).await?;
                let _ = self.inner.events.send(MessengerEvent::ChatsChanged);
                return Ok(());
            }
            crate::store::SendStatus::Failed { .. } => {
                return Err(invalid(ErrorCode::BadRequest, "this message was not sent"));
            }
            // Not sent yet: taken back (with its uploads), unless it is on its way already.
            crate::store::SendStatus::Pending if deletion && self.take_back(message_id).await? => return Ok(()),
            _ => {}
        }
        if local.message.gone_at(self.inner.clock.now_ms()) && !action.lets_go() {
            return Err(invalid(ErrorCode::MessageExpired, "this message disappeared"));
        }
        let action = match action {
            MessageAction::Edit { content } => {
                let words = content.words().ok_or_else(|| invalid(ErrorCode::BadRequest, "an edit changes words"))?;
                let current = local
                    .message
                    .content
                    .as_ref()
                    .ok_or_else(|| invalid(ErrorCode::BadRequest, "a deleted message cannot be edited"))?;
                let content = current
                    .with_words(words)
                    .ok_or_else(|| invalid(ErrorCode::BadRequest, "this message has no words to edit"))?;
                content.check().map_err(|(code, message)| Error::Invalid { code, message })?;
                MessageAction::Edit { content }
            }
            other => other,
        };
        self.queue_change(chat_id, message_id, &action).await
    }

    /// Queues a change to a message of this device, shows it and wakes the sender.
    async fn queue_change(&self, chat_id: &str, message_id: &str, action: &MessageAction) -> Result<()> {
        let shown = self.inner.store.queue_action(chat_id, message_id, action, now_ms()).await?.ok_or_else(|| {
            Error::Invalid { code: ErrorCode::NotFound, message: "that message is not on this device".into() }
        })?;
        let _ =
            self.inner.events.send(MessengerEvent::Message { chat_id: chat_id.to_owned(), message: Box::new(shown) });
        let _ = self.inner.events.send(MessengerEvent::ChatsChanged);
        self.inner.wake.notify_one();
        Ok(())
    }

    pub async fn typing(&self, chat_id: &str, typing: bool) -> Result<()> {
        self.inner.connection.typing(chat_id, typing).await
    }

    /// Sets my background for a chat (`None`: the default), or with `for_everyone` a group's for
    /// all its members (its admins; the timeline says so).
    pub async fn set_chat_background(
        &self,
        chat_id: &str,
        background: Option<gkchat_proto::appearance::Background>,
        for_everyone: bool,
    ) -> Result<()> {
        if let Some(background) = &background {
            background.check().map_err(|(code, message)| Error::Invalid { code, message })?;
        }
        let choice = gkchat_proto::appearance::ChatBackground { background, for_everyone };
        let summary = self.inner.client.set_chat_background(chat_id, &choice).await?;
        self.inner.store.upsert_chat(&summary).await?;
        if for_everyone {
            sync(&self.inner).await?;
        }
        let _ = self.inner.events.send(MessengerEvent::ChatsChanged);
        Ok(())
    }

    /// Sets a chat's disappearing-message timer for everyone in it (`None`: off); the change
    /// shows in its timeline.
    pub async fn set_timer(&self, chat_id: &str, after_ms: Option<i64>) -> Result<()> {
        gkchat_proto::chat::check_timer(after_ms).map_err(|(code, message)| Error::Invalid { code, message })?;
        let summary = self.inner.client.set_chat_timer(chat_id, after_ms).await?;
        self.inner.store.upsert_chat(&summary).await?;
        sync(&self.inner).await?;
        Ok(())
    }

    /// Accepts a message request (on all my devices): the chat leaves Requests for my chats,
    /// and its sender now sees my read receipts and presence.
    pub async fn accept_request(&self, chat_id: &str) -> Result<()> {
        let summary = self.inner.client.accept_request(chat_id).await?;
        self.inner.store.upsert_chat(&summary).await?;
        let _ = self.inner.events.send(MessengerEvent::ChatsChanged);
        Ok(())
    }

    /// Changes my settings for a chat.
    pub async fn update_chat(&self, chat_id: &str, update: &gkchat_proto::chat::ChatSettingsUpdate) -> Result<()> {
        let summary = self.inner.client.update_chat(chat_id, update).await?;
        self.inner.store.upsert_chat(&summary).await?;
        let _ = self.inner.events.send(MessengerEvent::ChatsChanged);
        Ok(())
    }

    /// Waits until the outbox and the queued changes are empty (for tests and shutdown).
    pub async fn flushed(&self) -> Result<()> {
        loop {
            if self.inner.store.outbox().await?.is_empty() && self.inner.store.queued_actions().await?.is_empty() {
                return Ok(());
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
}

async fn run(inner: Arc<Inner>) {
    let mut events = inner.connection.events();
    let mut state = inner.connection.watch_state();
    loop {
        let connected = matches!(&*state.borrow_and_update(), ConnectionState::Connected { user_id: Some(_), .. });
        if connected {
            if let Err(err) = sync(&inner).await {
                tracing::warn!(%err, "sync failed; retrying on the next connection");
            }
            flush(&inner).await;
        }
        loop {
            tokio::select! {
                changed = state.changed() => {
                    if changed.is_err() { return; }
                    break;
                }
                () = inner.wake.notified() => flush(&inner).await,
                event = events.next() => match event {
                    None => return,
                    Some(event) => if let Err(err) = on_event(&inner, event).await {
                        tracing::warn!(%err, "applying a push failed");
                    },
                },
            }
        }
    }
}

async fn on_event(inner: &Arc<Inner>, event: Event) -> Result<()> {
    match event {
        Event::Message(message) => {
            let cursor = inner.store.cursor(&message.chat_id).await?;
            let me = inner.store.user_id();
            let answerable = matches!(message.content, Some(Content::Poll { .. } | Content::Event { .. }));
            let before = if answerable && message.sender_id == me {
                inner.store.message(&message.id).await?.map(|local| local.message)
            } else {
                None
            };
            let changed = inner.store.apply(&message).await?;
            if changed && before.is_some() {
                for (user_id, rsvp) in answers::answered(me, before.as_ref(), &message) {
                    let (chat_id, message_id) = (message.chat_id.clone(), message.id.clone());
                    let _ = inner.events.send(MessengerEvent::Answered { chat_id, message_id, user_id, rsvp });
                }
            }
            // As this device shows it: my changes still waiting stay on top; one whose time is
            // up is gone (the timers make it so in the store).
            match inner.store.message(&message.id).await? {
                Some(mut local) => {
                    if local.message.gone_at(inner.clock.now_ms()) {
                        local.message = crate::store::tombstone(&local.message);
                    }
                    let _ = inner
                        .events
                        .send(MessengerEvent::Message { chat_id: message.chat_id.clone(), message: Box::new(local) });
                    let _ = inner.events.send(MessengerEvent::ChatsChanged);
                }
                None => announce(inner, &message),
            }
            media::fetch_automatically(inner, &message);
            // A group changed (members, roles, info): its tile and member list come with a
            // sync.
            let system = match &message.content {
                Some(Content::System { event }) => !matches!(
                    event,
                    gkchat_proto::group::SystemEvent::EventChanged { .. }
                        | gkchat_proto::group::SystemEvent::EventCancelled { .. }
                ),
                _ => false,
            };
            match cursor {
                Some(cursor) if message.updated_seq <= cursor + 1 && !system => {
                    inner.store.advance_cursor(&message.chat_id, message.updated_seq).await?;
                    acknowledge_delivery(inner, &message.chat_id).await;
                }
                // A gap, or a chat this device does not know yet: sync.
                _ => sync(inner).await?,
            }
        }
        Event::Chat(summary) => {
            let known = inner.store.members_known().await?.get(&summary.id).copied();
            inner.store.upsert_chat(&summary).await?;
            let _ = inner.events.send(MessengerEvent::ChatsChanged);
            // A new chat, or its members changed: their list comes with a sync.
            if known.is_none_or(|seq| seq < summary.members_seq) {
                sync(inner).await?;
            }
        }
        Event::Receipt(update) => {
            inner.store.apply_receipt(&update).await?;
            let _ = inner.events.send(MessengerEvent::Receipt(update));
            let _ = inner.events.send(MessengerEvent::ChatsChanged);
        }
        Event::Typing(update) => {
            let _ = inner.events.send(MessengerEvent::Typing(update));
        }
        Event::Media(info) => {
            media::on_ready(inner, &info);
            let _ = inner.events.send(MessengerEvent::Media(info));
        }
        Event::Resync | Event::Lagged { .. } => sync(inner).await?,
        Event::Status(event) => status::on_push(inner, *event),
        Event::Me(me) => {
            let _ = inner.events.send(MessengerEvent::Me { me });
        }
        Event::State(_) | Event::ServerError(_) | Event::Presence(_) | Event::Call(_) => {}
    }
    Ok(())
}

/// Tells the UI a stored message arrived or changed.
fn announce(inner: &Inner, message: &Message) {
    let local = LocalMessage { message: message.clone(), status: crate::store::SendStatus::Sent };
    let _ = inner.events.send(MessengerEvent::Message { chat_id: message.chat_id.clone(), message: Box::new(local) });
    let _ = inner.events.send(MessengerEvent::ChatsChanged);
}

/// Pulls the changes feed until complete; cursors end at each chat's `last_seq`.
async fn sync(inner: &Inner) -> Result<()> {
    loop {
        let cursors = inner.store.cursors().await?;
        let members = inner.store.members_known().await?;
        let page = inner.client.sync(&SyncRequest { cursors, members, limit: None }).await?;
        for chat in &page.chats {
            inner.store.upsert_chat(chat).await?;
        }
        for list in &page.members {
            inner.store.set_members(list).await?;
        }
        inner.store.apply_page(&page.messages).await?;
        if page.complete {
            // Status posts made or gone while this device was away; messages with timers and
            // events may have come: the timers look again.
            inner.status.stale();
            inner.reminders.notify_one();
            for chat in &page.chats {
                inner.store.advance_cursor(&chat.id, chat.last_seq).await?;
                acknowledge_delivery(inner, &chat.id).await;
            }
            let _ = inner.events.send(MessengerEvent::ChatsChanged);
            return Ok(());
        }
    }
}

/// Tells the chat this device has everything up to its newest message from others.
async fn acknowledge_delivery(inner: &Inner, chat_id: &str) {
    let Ok(Some(LocalChat { summary: chat, .. })) = inner.store.chat(chat_id).await else { return };
    let newest = chat.last_seq.max(chat.last_message.as_ref().map_or(0, |m| m.seq));
    if newest > chat.my_delivered_seq
        && let Err(err) = inner.connection.receipt(chat_id, ReceiptKind::Delivered, newest).await
    {
        tracing::debug!(%err, "delivery receipt not sent");
    }
}

/// Opens, on the server, the direct chats an older release wrote to before they existed, and
/// moves their messages there; a chat that cannot be opened for good fails its messages.
async fn open_waiting_chats(inner: &Inner) -> Result<()> {
    for (local_id, peer_id) in inner.store.unopened_chats().await? {
        match inner.client.open_direct(&peer_id).await {
            Ok(summary) => {
                inner.store.upsert_chat(&summary).await?;
                inner.store.opened(&local_id, &summary.id).await?;
            }
            Err(err) if is_permanent(&err) => {
                for message in inner.store.messages(&local_id, None, u32::MAX).await? {
                    inner.store.failed(&message.message.id, err.code(), &err.to_string()).await?;
                }
                inner.store.opened(&local_id, &local_id).await?;
            }
            Err(err) => return Err(err),
        }
    }
    Ok(())
}

/// The server refused a queued message for good: it shows as failed.
async fn fail(inner: &Inner, new: &NewMessage, err: &Error) {
    if let Err(err) = inner.store.failed(&new.id, err.code(), &err.to_string()).await {
        return tracing::warn!(%err, "recording a refusal failed");
    }
    if let Ok(Some(failed)) = inner.store.message(&new.id).await {
        let _ = inner.events.send(MessengerEvent::Message { chat_id: new.chat_id.clone(), message: Box::new(failed) });
    }
    let _ = inner.events.send(MessengerEvent::ChatsChanged);
}

/// Sends the outbox in order; stops at the first failure that retrying may cure.
async fn flush(inner: &Inner) {
    if let Err(err) = open_waiting_chats(inner).await {
        return tracing::debug!(%err, "sending paused until the connection returns");
    }
    let outbox = match inner.store.outbox().await {
        Ok(outbox) => outbox,
        Err(err) => return tracing::warn!(%err, "reading the outbox failed"),
    };
    for new in outbox {
        // A message with files: their media ids are reserved first (its placeholders become
        // real ids), then it goes, then the files upload.
        let new = match media::reserve(inner, new).await {
            Ok(new) => new,
            Err((new, err)) if is_permanent(&err) => {
                fail(inner, &new, &err).await;
                continue;
            }
            Err((_, err)) => return tracing::debug!(%err, "sending paused until the server can be reached"),
        };
        let files = !inner.store.transfers_of(&new.id).await.unwrap_or_default().is_empty();
        match inner.connection.send_message(new.clone()).await {
            Ok(stored) => {
                // The first message of a chat: its tile comes before the outbox lets go of it.
                if matches!(inner.store.chat(&stored.chat_id).await, Ok(None))
                    && let Err(err) = sync(inner).await
                {
                    tracing::debug!(%err, "sync after a new chat failed");
                }
                // Taken back while on its way, it reached the others: its deletion is queued.
                if let Err(err) = inner.store.sent(&stored, now_ms()).await {
                    return tracing::warn!(%err, "recording an ack failed");
                }
                if let Ok(Some(local)) = inner.store.message(&stored.id).await {
                    let _ = inner
                        .events
                        .send(MessengerEvent::Message { chat_id: stored.chat_id.clone(), message: Box::new(local) });
                    let _ = inner.events.send(MessengerEvent::ChatsChanged);
                }
                if files {
                    inner.uploads.notify_one();
                }
            }
            Err(err) if is_permanent(&err) => fail(inner, &new, &err).await,
            Err(err) => return tracing::debug!(%err, "sending paused until the connection returns"),
        }
    }
    send_actions(inner).await;
}

/// Sends the queued changes to messages in order (after the outbox, so a change to a message
/// composed offline follows it); stops at the first failure that retrying may cure.
async fn send_actions(inner: &Inner) {
    let queued = match inner.store.queued_actions().await {
        Ok(queued) => queued,
        Err(err) => return tracing::warn!(%err, "reading the queued changes failed"),
    };
    for queued in queued {
        // An edit is "these words" over the message as the server has it now (its media ids
        // are real by now, whatever they were when the edit was made).
        let action = match &queued.action {
            MessageAction::Edit { content } => {
                let server = inner.store.server_version(&queued.message_id).await.ok().flatten();
                let rebuilt = server
                    .and_then(|m| m.content)
                    .zip(content.words())
                    .and_then(|(current, words)| current.with_words(words));
                MessageAction::Edit { content: rebuilt.unwrap_or_else(|| content.clone()) }
            }
            other => other.clone(),
        };
        let result = inner.connection.act(&queued.chat_id, &queued.message_id, action).await;
        let refusal = match result {
            Ok(()) => None,
            Err(err) if is_permanent(&err) => Some(err),
            Err(err) => return tracing::debug!(%err, "changes paused until the connection returns"),
        };
        let shown = match inner.store.action_settled(&queued, refusal.is_some()).await {
            Ok(shown) => shown,
            Err(err) => return tracing::warn!(%err, "recording a change's answer failed"),
        };
        // A message whose time came while this waited may be due now.
        inner.reminders.notify_one();
        if let Some(err) = refusal {
            if let Some(local) = shown {
                let _ = inner
                    .events
                    .send(MessengerEvent::Message { chat_id: queued.chat_id.clone(), message: Box::new(local) });
                let _ = inner.events.send(MessengerEvent::ChatsChanged);
            }
            let _ = inner.events.send(MessengerEvent::ActionRefused {
                chat_id: queued.chat_id,
                message_id: queued.message_id,
                action: queued.action,
                code: err.code(),
                message: err.to_string(),
            });
        }
    }
}
