//! Messaging: what happens when a member sends, changes, receives or reads a message, or types.
//! Each operation checks membership and blocks, stores through `db`, and then fans the result
//! out through the hub to every live connection of every member (the sender's other devices
//! too). Storing commits before anything is acknowledged or pushed.

use std::sync::Arc;

use axum::http::StatusCode;
use gkchat_proto::chat::{
    ChatSettingsUpdate, ChatSummary, DELETE_FOR_EVERYONE_WINDOW_MS, EDIT_WINDOW_MS, MemberReceipt, Message,
    MessageAction, MessageInfo, NewMessage, REACTION_MAX_BYTES, ReceiptKind, ReceiptUpdate, Target, TypingUpdate,
};
use gkchat_proto::{ErrorCode, ServerFrame};

use crate::db::entity::{chat_members, chats as chat_rows, messages as message_rows};
use crate::db::{accounts, blocks, chats, messages};
use crate::error::{Error, Result};
use crate::{AppState, now_ms};

/// Chat members by chat, read once from the database. Direct chats never change members;
/// group membership changes will update or drop their entry.
#[derive(Default)]
pub struct MemberCache {
    chats: std::sync::Mutex<std::collections::HashMap<String, Arc<[String]>>>,
}

impl MemberCache {
    /// The members of `chat_id`, or `None` when there is no such chat.
    pub async fn get(&self, state: &AppState, chat_id: &str) -> Result<Option<Arc<[String]>>> {
        if let Some(found) = self.lock().get(chat_id) {
            return Ok(Some(found.clone()));
        }
        let members: Arc<[String]> = chats::members(&state.db, chat_id).await?.into_iter().map(|m| m.user_id).collect();
        if members.is_empty() {
            return Ok(None);
        }
        self.lock().insert(chat_id.to_owned(), members.clone());
        Ok(Some(members))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, std::collections::HashMap<String, Arc<[String]>>> {
        self.chats.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Most sends one transaction stores.
const BATCH_MAX: usize = 512;

struct QueuedSend {
    chat_id: String,
    sender_id: String,
    /// In a direct chat, the other person: the writer checks, for the whole batch at once, that
    /// they still exist and that no block stands between them.
    peer_id: Option<String>,
    message: NewMessage,
    reply: tokio::sync::oneshot::Sender<std::result::Result<(message_rows::Model, bool), Refusal>>,
}

/// Why the writer did not store a send.
enum Refusal {
    PeerGone,
    /// `true` when the sender is the one who blocked.
    Blocked(bool),
    Failed(String),
}

/// Refuses, in one pass over the batch, sends whose peer is gone or blocked either way.
async fn refusals(db: &sea_orm::DatabaseConnection, batch: &[QueuedSend]) -> Result<Vec<Option<Refusal>>> {
    let peers: Vec<String> = batch.iter().filter_map(|q| q.peer_id.clone()).collect();
    if peers.is_empty() {
        return Ok(batch.iter().map(|_| None).collect());
    }
    let live = accounts::live_among(db, &peers).await?;
    let mut everyone: Vec<String> = batch.iter().map(|q| q.sender_id.clone()).chain(peers).collect();
    everyone.sort();
    everyone.dedup();
    let blocked = blocks::pairs_among(db, &everyone).await?;
    Ok(batch
        .iter()
        .map(|q| {
            let peer = q.peer_id.as_ref()?;
            if !live.contains(peer) {
                Some(Refusal::PeerGone)
            } else if blocked.contains(&(q.sender_id.clone(), peer.clone())) {
                Some(Refusal::Blocked(true))
            } else if blocked.contains(&(peer.clone(), q.sender_id.clone())) {
                Some(Refusal::Blocked(false))
            } else {
                None
            }
        })
        .collect())
}

/// Group commit: sends from every connection queue here, and one writer task stores whatever
/// has gathered in one transaction, so a burst costs one commit instead of one each. A lone
/// send is stored at once (the writer never waits for company).
pub struct SendQueue {
    queue: tokio::sync::mpsc::Sender<QueuedSend>,
}

impl SendQueue {
    pub fn start(db: sea_orm::DatabaseConnection) -> Self {
        let (queue, mut receiver) = tokio::sync::mpsc::channel::<QueuedSend>(4 * BATCH_MAX);
        tokio::spawn(async move {
            while let Some(first) = receiver.recv().await {
                let mut batch = vec![first];
                while batch.len() < BATCH_MAX {
                    match receiver.try_recv() {
                        Ok(next) => batch.push(next),
                        Err(_) => break,
                    }
                }
                let refused = match refusals(&db, &batch).await {
                    Ok(refused) => refused,
                    Err(err) => {
                        tracing::error!(error = %err, "checking a batch of messages failed");
                        for queued in batch {
                            let _ = queued.reply.send(Err(Refusal::Failed(err.to_string())));
                        }
                        continue;
                    }
                };
                let (accepted, refused): (Vec<_>, Vec<_>) =
                    batch.into_iter().zip(refused).partition(|(_, refusal)| refusal.is_none());
                for (queued, refusal) in refused {
                    let _ = queued.reply.send(Err(refusal.expect("partitioned")));
                }
                let batch: Vec<QueuedSend> = accepted.into_iter().map(|(queued, _)| queued).collect();
                if batch.is_empty() {
                    continue;
                }
                let pending: Vec<messages::Pending<'_>> = batch
                    .iter()
                    .map(|q| messages::Pending { chat_id: &q.chat_id, sender_id: &q.sender_id, message: &q.message })
                    .collect();
                let stored = messages::store_batch(&db, &pending, now_ms()).await;
                drop(pending);
                match stored {
                    Ok(rows) => {
                        for (queued, row) in batch.into_iter().zip(rows) {
                            let _ = queued.reply.send(Ok(row));
                        }
                    }
                    Err(err) => {
                        tracing::error!(error = %err, size = batch.len(), "storing a batch of messages failed");
                        for queued in batch {
                            let _ = queued.reply.send(Err(Refusal::Failed(err.to_string())));
                        }
                    }
                }
            }
        });
        Self { queue }
    }

    /// Stores one message (with whatever else is waiting); `false` when it existed already.
    /// With `peer_id`, refuses when that person is gone or a block stands between them.
    async fn store(
        &self,
        chat_id: &str,
        sender_id: &str,
        peer_id: Option<&str>,
        message: NewMessage,
    ) -> Result<(message_rows::Model, bool)> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        let queued = QueuedSend {
            chat_id: chat_id.to_owned(),
            sender_id: sender_id.to_owned(),
            peer_id: peer_id.map(str::to_owned),
            message,
            reply,
        };
        let gone = || Error::Internal("the message writer stopped".into());
        self.queue.send(queued).await.map_err(|_| gone())?;
        answer.await.map_err(|_| gone())?.map_err(|refusal| match refusal {
            Refusal::PeerGone => Error::not_found("that account was deleted"),
            Refusal::Blocked(by_me) => blocked_error(by_me),
            Refusal::Failed(cause) => Error::Internal(cause),
        })
    }
}

fn bad(code: ErrorCode, message: impl Into<String>) -> Error {
    Error::api(StatusCode::BAD_REQUEST, code, message)
}

fn not_a_member() -> Error {
    Error::api(StatusCode::FORBIDDEN, ErrorCode::NotAMember, "you are not in that chat")
}

/// The chat `user_id` is in, or the error saying why not.
async fn member_of(state: &AppState, chat_id: &str, user_id: &str) -> Result<(chat_rows::Model, chat_members::Model)> {
    let chat = chats::get(&state.db, chat_id).await?.ok_or_else(|| Error::not_found("no such chat"))?;
    let member = chats::membership(&state.db, chat_id, user_id).await?.ok_or_else(not_a_member)?;
    Ok((chat, member))
}

/// The other person in a direct chat.
async fn peer_of(state: &AppState, chat_id: &str, user_id: &str) -> Result<Option<String>> {
    let members = state.members.get(state, chat_id).await?;
    Ok(members.and_then(|m| m.iter().find(|id| *id != user_id).cloned()))
}

fn blocked_error(by_me: bool) -> Error {
    let message =
        if by_me { "you blocked this person; unblock them first" } else { "this person does not accept your messages" };
    Error::api(StatusCode::FORBIDDEN, ErrorCode::Blocked, message)
}

/// Refuses when a block stands between `user_id` and `peer_id`, either way.
async fn check_not_blocked(state: &AppState, user_id: &str, peer_id: &str) -> Result<()> {
    match blocks::between(&state.db, user_id, peer_id).await? {
        None => Ok(()),
        Some(blocker) => Err(blocked_error(blocker == user_id)),
    }
}

/// Stores and delivers a message; a retry of the same id returns the stored one.
pub async fn send(state: &AppState, sender_id: &str, message: NewMessage) -> Result<Message> {
    if uuid::Uuid::parse_str(&message.id).is_err() {
        return Err(bad(ErrorCode::BadRequest, "a message id must be a UUID"));
    }
    message.content.check().map_err(|(code, text)| bad(code, text))?;
    let now = now_ms();
    let mut peer: Option<String> = None;
    let (chat, started) = match &message.to {
        Target::User(peer_id) => {
            if peer_id == sender_id {
                return Err(bad(ErrorCode::BadRequest, "you cannot start a chat with yourself"));
            }
            let peer = accounts::get(&state.db, peer_id).await?.ok_or_else(|| Error::not_found("no such user"))?;
            check_not_blocked(state, sender_id, &peer.id).await?;
            let (chat, started) = chats::find_or_start_direct(&state.db, sender_id, &peer.id, now).await?;
            (chat.id, started)
        }
        Target::Chat(chat_id) => {
            let members = state.members.get(state, chat_id).await?.ok_or_else(|| Error::not_found("no such chat"))?;
            if !members.iter().any(|m| m == sender_id) {
                return Err(not_a_member());
            }
            // The peer's existence and blocks are checked by the writer, a whole batch at once.
            peer = members.iter().find(|m| *m != sender_id).cloned();
            (chat_id.clone(), false)
        }
    };
    if let Some(reply_to) = &message.reply_to {
        let quoted = messages::get(&state.db, reply_to).await?;
        if quoted.is_none_or(|q| q.chat_id != chat) {
            return Err(bad(ErrorCode::BadRequest, "the quoted message is not in this chat"));
        }
    }
    let content = message.content.clone();
    let (row, fresh) = state.sends.store(&chat, sender_id, peer.as_deref(), message).await?;
    if row.sender_id != sender_id || row.chat_id != chat {
        return Err(bad(ErrorCode::BadRequest, "that message id is taken; choose a new one"));
    }
    if started {
        announce_chat(state, &chat).await?;
    }
    if !fresh {
        // A retry: answer with the stored message, push nothing again.
        return Ok(messages::to_dtos(&state.db, vec![row], sender_id).await?.remove(0));
    }
    let dto = messages::fresh_dto(row, content);
    let frame = ServerFrame::Message(dto.clone());
    for member in state.members.get(state, &chat).await?.iter().flat_map(|m| m.iter()) {
        state.hub.send_to_user(member, &frame);
    }
    Ok(dto)
}

/// Pushes a changed message, as each member sees it (hidden-for-me differs), to every
/// member's live connections.
async fn fan_out_change(state: &AppState, row: message_rows::Model) -> Result<()> {
    for member in state.members.get(state, &row.chat_id).await?.iter().flat_map(|m| m.iter()) {
        let view = messages::to_dtos(&state.db, vec![row.clone()], member).await?.remove(0);
        state.hub.send_to_user(member, &ServerFrame::Message(view));
    }
    Ok(())
}

/// Tells every member about a chat's new tile (a chat that just started).
async fn announce_chat(state: &AppState, chat_id: &str) -> Result<()> {
    for member in chats::members(&state.db, chat_id).await? {
        if let Some(summary) = chats::summary(&state.db, chat_id, &member.user_id).await? {
            state.hub.send_to_user(&member.user_id, &ServerFrame::Chat(summary));
        }
    }
    Ok(())
}

/// Edits, deletes or reacts to a message.
pub async fn act(
    state: &AppState,
    user_id: &str,
    chat_id: &str,
    message_id: &str,
    action: MessageAction,
) -> Result<()> {
    member_of(state, chat_id, user_id).await?;
    let message = messages::get(&state.db, message_id)
        .await?
        .filter(|m| m.chat_id == chat_id)
        .ok_or_else(|| Error::not_found("no such message in this chat"))?;
    let now = now_ms();
    let own = message.sender_id == user_id;
    let forbidden = || Error::api(StatusCode::FORBIDDEN, ErrorCode::Forbidden, "only its sender can do that");
    let too_late = |what: &str| Error::api(StatusCode::FORBIDDEN, ErrorCode::TooLate, format!("too late to {what}"));
    let change = match action {
        MessageAction::Edit { content } => {
            if !own {
                return Err(forbidden());
            }
            if message.deleted_at.is_some() {
                return Err(bad(ErrorCode::BadRequest, "a deleted message cannot be edited"));
            }
            if now - message.sent_at > EDIT_WINDOW_MS {
                return Err(too_late("edit this message (15 minutes)"));
            }
            content.check().map_err(|(code, text)| bad(code, text))?;
            messages::Change::Edit(content)
        }
        MessageAction::DeleteForEveryone => {
            if !own {
                return Err(forbidden());
            }
            if message.deleted_at.is_some() {
                return Ok(());
            }
            if now - message.sent_at > DELETE_FOR_EVERYONE_WINDOW_MS {
                return Err(too_late("delete this message for everyone (48 hours)"));
            }
            messages::Change::DeleteForEveryone
        }
        MessageAction::DeleteForMe => messages::Change::HideFor(user_id.to_owned()),
        MessageAction::React { emoji } => {
            if message.deleted_at.is_some() {
                return Err(bad(ErrorCode::BadRequest, "a deleted message cannot get reactions"));
            }
            if let Some(emoji) = &emoji {
                check_emoji(emoji)?;
            }
            if let Some(peer_id) = peer_of(state, chat_id, user_id).await? {
                check_not_blocked(state, user_id, &peer_id).await?;
            }
            messages::Change::React { user_id: user_id.to_owned(), emoji }
        }
    };
    let row = messages::change(&state.db, message, change, now).await?;
    fan_out_change(state, row).await?;
    Ok(())
}

/// One emoji (a short run of non-ASCII symbols, such as a ZWJ sequence or a flag).
fn check_emoji(emoji: &str) -> Result<()> {
    let ok = !emoji.is_empty()
        && emoji.len() <= REACTION_MAX_BYTES
        && emoji.chars().count() <= 10
        && emoji.chars().all(|c| !c.is_ascii() && !c.is_whitespace() && !c.is_alphanumeric());
    if ok { Ok(()) } else { Err(bad(ErrorCode::BadRequest, "a reaction is one emoji")) }
}

/// Moves my delivered or read cursor, and tells the chat (read only where both sides allow it).
pub async fn receipt(state: &AppState, user_id: &str, chat_id: &str, kind: ReceiptKind, seq: i64) -> Result<()> {
    let (chat, member) = member_of(state, chat_id, user_id).await?;
    if seq < 0 || seq > chat.last_seq {
        return Err(bad(ErrorCode::BadRequest, format!("seq must be between 0 and {}", chat.last_seq)));
    }
    let before = (member.delivered_seq, member.read_seq);
    let member = chats::advance_cursor(&state.db, member, kind, seq).await?;
    if before == (member.delivered_seq, member.read_seq) {
        return Ok(());
    }
    let now = now_ms();
    if member.delivered_seq > before.0 {
        chats::mark_receipt(&state.db, chat_id, user_id, ReceiptKind::Delivered, member.delivered_seq, now).await?;
    }
    if member.read_seq > before.1 {
        chats::mark_receipt(&state.db, chat_id, user_id, ReceiptKind::Read, member.read_seq, now).await?;
    }
    for viewer in chats::members(&state.db, chat_id).await? {
        let (delivered_seq, read_seq) = chats::cursors_seen_by(&state.db, &member, &viewer.user_id).await?;
        let update =
            ReceiptUpdate { chat_id: chat_id.to_owned(), user_id: user_id.to_owned(), delivered_seq, read_seq };
        state.hub.send_to_user(&viewer.user_id, &ServerFrame::Receipt(update));
    }
    Ok(())
}

/// Passes "typing" on to the other members; quietly nothing when not a member or blocked.
pub async fn typing(state: &AppState, user_id: &str, chat_id: &str, typing: bool) -> Result<()> {
    if chats::membership(&state.db, chat_id, user_id).await?.is_none() {
        return Ok(());
    }
    for member in state.members.get(state, chat_id).await?.iter().flat_map(|m| m.iter()) {
        if member == user_id || blocks::between(&state.db, user_id, member).await?.is_some() {
            continue;
        }
        let update = TypingUpdate { chat_id: chat_id.to_owned(), user_id: user_id.to_owned(), typing };
        state.hub.send_to_user(member, &ServerFrame::Typing(update));
    }
    Ok(())
}

/// When each other member received and read one of my messages.
pub async fn message_info(state: &AppState, user_id: &str, chat_id: &str, message_id: &str) -> Result<MessageInfo> {
    member_of(state, chat_id, user_id).await?;
    let message = messages::get(&state.db, message_id)
        .await?
        .filter(|m| m.chat_id == chat_id)
        .ok_or_else(|| Error::not_found("no such message in this chat"))?;
    if message.sender_id != user_id {
        return Err(Error::api(StatusCode::FORBIDDEN, ErrorCode::Forbidden, "message info is for the sender"));
    }
    let mut receipts = Vec::new();
    for member in chats::members(&state.db, chat_id).await? {
        if member.user_id == user_id {
            continue;
        }
        let delivered = chats::reached_at(&state.db, chat_id, &member.user_id, "delivered", message.seq).await?;
        let (_, read_visible) = chats::cursors_seen_by(&state.db, &member, user_id).await?;
        let read = if read_visible >= message.seq {
            chats::reached_at(&state.db, chat_id, &member.user_id, "read", message.seq).await?
        } else {
            None
        };
        receipts.push(MemberReceipt { user_id: member.user_id, delivered_at: delivered, read_at: read });
    }
    Ok(MessageInfo { message_id: message.id, receipts })
}

/// Changes my settings for a chat and tells my other devices.
pub async fn update_settings(
    state: &AppState,
    user_id: &str,
    chat_id: &str,
    update: &ChatSettingsUpdate,
) -> Result<ChatSummary> {
    let (_, member) = member_of(state, chat_id, user_id).await?;
    chats::update_settings(&state.db, member, update, now_ms()).await?;
    let summary = chats::summary(&state.db, chat_id, user_id)
        .await?
        .ok_or_else(|| Error::Internal("membership vanished".into()))?;
    state.hub.send_to_user(user_id, &ServerFrame::Chat(summary.clone()));
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::check_emoji;

    #[test]
    fn reactions_are_one_emoji() {
        for ok in ["👍", "❤️", "👩‍👩‍👧", "🇩🇪"] {
            assert!(check_emoji(ok).is_ok(), "{ok}");
        }
        for bad in ["", "ok", "👍 ", "a👍", &"👍".repeat(20)] {
            assert!(check_emoji(bad).is_err(), "{bad}");
        }
    }
}
