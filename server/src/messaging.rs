//! Messaging: what happens when a member sends, changes, receives or reads a message, or types.
//! Each operation passes the one membership check (`state.members`) and, in a direct chat, the
//! block check; stores through `db`; and then fans the result out through the hub, encoded once,
//! to every live connection of every member (the sender's other devices too). Storing commits
//! before anything is acknowledged or pushed. Receipts are the exception to "every member": a
//! member's cursor reaches their own devices, and the others learn only when "delivered to all" or
//! "read by all" moves past messages they sent.

use std::collections::{HashMap, HashSet};

use axum::http::StatusCode;
use futures_util::FutureExt;
use gkchat_proto::chat::{
    ChatKind, ChatSettingsUpdate, ChatSummary, Content, DELETE_FOR_EVERYONE_WINDOW_MS, EDIT_WINDOW_MS, MemberReceipt,
    Message, MessageAction, MessageInfo, NewMessage, REACTION_MAX_BYTES, ReceiptKind, ReceiptUpdate, TypingUpdate,
};
use gkchat_proto::group::SystemEvent;
use gkchat_proto::{ErrorCode, ServerFrame};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, TransactionTrait};

use crate::db::entity::{chat_members, hidden_messages, messages as message_rows, starred_messages};
use crate::db::{accounts, blocks, chats, messages};
use crate::error::{Error, Result};
use crate::hub::encode;
use crate::membership::not_a_member;
use crate::{AppState, now_ms};

/// Most sends one transaction stores.
const BATCH_MAX: usize = 512;
/// Most receipts one transaction applies (each is several statements: a batch stays short).
const RECEIPT_BATCH_MAX: usize = 64;

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

/// What a writer stores next: the first to arrive, and whatever waits behind it (up to
/// `max`); `None` once every sender is gone.
pub(crate) async fn next_batch<T>(receiver: &mut tokio::sync::mpsc::Receiver<T>, max: usize) -> Option<Vec<T>> {
    let mut batch = vec![receiver.recv().await?];
    while batch.len() < max {
        match receiver.try_recv() {
            Ok(next) => batch.push(next),
            Err(_) => break,
        }
    }
    Some(batch)
}

/// Group commit: sends from every connection queue here, and one writer task stores whatever
/// has gathered in one transaction, so a burst costs one commit instead of one each. A lone
/// send is stored at once (the writer never waits for company).
pub struct SendQueue {
    queue: tokio::sync::mpsc::Sender<QueuedSend>,
}

impl SendQueue {
    /// Stores by `clock` (the server's: a message's expiry, and the sweeper, go by it).
    pub fn start(db: sea_orm::DatabaseConnection, clock: crate::clock::Clock) -> Self {
        let (queue, mut receiver) = tokio::sync::mpsc::channel::<QueuedSend>(4 * BATCH_MAX);
        tokio::spawn(async move {
            while let Some(batch) = next_batch(&mut receiver, BATCH_MAX).await {
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
                let stored = messages::store_batch(&db, &pending, clock.now_ms()).await;
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

/// A receipt waiting for its writer.
struct QueuedReceipt {
    chat_id: String,
    user_id: String,
    kind: ReceiptKind,
    seq: i64,
    reply: tokio::sync::oneshot::Sender<Result<Option<Moved>>>,
}

/// What one receipt moved: the member's row after, whether they share read receipts, and the
/// chat's lowest cursors before and after it (read in the same transaction, so nothing came
/// between).
struct Moved {
    member: chat_members::Model,
    shares: bool,
    lowest_before: chats::Lowest,
    lowest: chats::Lowest,
}

/// Group commit for receipts, as [`SendQueue`] does for sends: every receipt moves a cursor and
/// records when, and the writer applies whatever has gathered in one transaction. A chat's
/// receipts always go to the same lane, one after another, so each sees the ones before; on
/// SQLite (one writer anyway) there is one lane, on PostgreSQL several run side by side.
pub struct ReceiptQueue {
    lanes: Vec<tokio::sync::mpsc::Sender<QueuedReceipt>>,
}

impl ReceiptQueue {
    pub fn start(db: sea_orm::DatabaseConnection) -> Self {
        let lanes = match db.get_database_backend() {
            sea_orm::DatabaseBackend::Sqlite => 1,
            _ => 8,
        };
        let lanes = (0..lanes)
            .map(|_| {
                let (lane, receiver) = tokio::sync::mpsc::channel::<QueuedReceipt>(4 * BATCH_MAX);
                tokio::spawn(write_receipts(db.clone(), receiver));
                lane
            })
            .collect();
        Self { lanes }
    }

    /// Moves `user_id`'s cursor in `chat_id` (with whatever else is waiting); `None` when it
    /// was there already. The caller checked that they are a member.
    async fn apply(&self, chat_id: &str, user_id: &str, kind: ReceiptKind, seq: i64) -> Result<Option<Moved>> {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        chat_id.hash(&mut hasher);
        let lane = &self.lanes[hasher.finish() as usize % self.lanes.len()];
        let (reply, answer) = tokio::sync::oneshot::channel();
        let queued = QueuedReceipt { chat_id: chat_id.to_owned(), user_id: user_id.to_owned(), kind, seq, reply };
        let gone = || Error::Internal("the receipt writer stopped".into());
        lane.send(queued).await.map_err(|_| gone())?;
        answer.await.map_err(|_| gone())?
    }
}

/// One lane of the receipt writer: a batch a transaction.
async fn write_receipts(db: sea_orm::DatabaseConnection, mut receiver: tokio::sync::mpsc::Receiver<QueuedReceipt>) {
    while let Some(batch) = next_batch(&mut receiver, RECEIPT_BATCH_MAX).await {
        // A panic (a bug) fails this batch's receipts (their answers are dropped: "the receipt
        // writer stopped"), not the lane.
        let _ = std::panic::AssertUnwindSafe(answer_receipts(&db, batch)).catch_unwind().await;
    }
}

/// Applies a batch in one transaction and answers each receipt. When the transaction fails (a
/// deadlock, a busy database), each is tried again alone, so one cannot fail the others.
async fn answer_receipts(db: &sea_orm::DatabaseConnection, batch: Vec<QueuedReceipt>) {
    let answers = match apply_receipts(db, &batch).await {
        Ok(answers) => answers,
        Err(err) if batch.len() == 1 => vec![Err(err)],
        Err(err) => {
            tracing::warn!(error = %err, size = batch.len(), "a batch of receipts failed; applying them one by one");
            let mut answers = Vec::with_capacity(batch.len());
            for queued in &batch {
                answers.push(match apply_receipts(db, std::slice::from_ref(queued)).await {
                    Ok(mut one) => one.remove(0),
                    Err(err) => Err(err),
                });
            }
            answers
        }
    };
    for (queued, answer) in batch.into_iter().zip(answers) {
        let answer = answer.map_err(|err| match err {
            refusal @ Error::Api { .. } => refusal,
            err => {
                tracing::error!(error = %err, "storing a receipt failed");
                Error::Internal(err.to_string())
            }
        });
        let _ = queued.reply.send(answer);
    }
}

/// One transaction for `batch`: each receipt's answer, or the error that failed them all.
async fn apply_receipts(
    db: &sea_orm::DatabaseConnection,
    batch: &[QueuedReceipt],
) -> Result<Vec<Result<Option<Moved>>>> {
    let txn = db.begin().await?;
    // On SQLite a write first, so the transaction takes the write lock now (waiting the busy
    // timeout if another writer holds it): one that read first could not take it later.
    if db.get_database_backend() == sea_orm::DatabaseBackend::Sqlite
        && let Some(first) = batch.first()
    {
        chats::lock(&txn, &first.chat_id).await?;
    }
    let now = now_ms();
    let mut answers = Vec::with_capacity(batch.len());
    for queued in batch {
        // A refusal is that receipt's answer; anything else fails the transaction.
        match move_cursor(&txn, queued, now).await {
            Err(refusal @ Error::Api { .. }) => answers.push(Err(refusal)),
            Err(err) => return Err(err),
            Ok(moved) => answers.push(Ok(moved)),
        }
    }
    txn.commit().await?;
    Ok(answers)
}

/// One receipt inside the writer's transaction: a read of the member (with the chat's last
/// sequence number), a read of the lowest cursors, the move and its marks — the lowest cursors
/// after are worked out from those before, not read again.
async fn move_cursor(txn: &sea_orm::DatabaseTransaction, queued: &QueuedReceipt, now: i64) -> Result<Option<Moved>> {
    let (chat_id, user_id, kind, seq) = (&queued.chat_id, &queued.user_id, queued.kind, queued.seq);
    // A member still (one who left meanwhile is refused, as the membership check would).
    let chats::Receiving { sharing: chats::Sharing { member, shares }, last_seq } =
        chats::receiving(txn, chat_id, user_id).await?.ok_or_else(not_a_member)?;
    if seq < 0 || seq > last_seq {
        return Err(bad(ErrorCode::BadRequest, format!("seq must be between 0 and {last_seq}")));
    }
    let before = (member.delivered_seq, member.read_seq);
    if chats::cursors_after(&member, kind, seq) == before {
        return Ok(None);
    }
    let lowest_read = chats::lowest_cursors(txn, chat_id).await?;
    let member = chats::advance_cursor(txn, member, kind, seq).await?;
    if member.delivered_seq > before.0 {
        chats::mark_receipt(txn, chat_id, user_id, ReceiptKind::Delivered, member.delivered_seq, now).await?;
    }
    if member.read_seq > before.1 {
        chats::mark_receipt(txn, chat_id, user_id, ReceiptKind::Read, member.read_seq, now).await?;
    }
    let lowest = lowest_read.after_move(user_id, member.delivered_seq, member.read_seq);
    Ok(Some(Moved { member, shares, lowest_before: lowest_read.kept(), lowest }))
}

fn bad(code: ErrorCode, message: impl Into<String>) -> Error {
    Error::api(StatusCode::BAD_REQUEST, code, message)
}

/// `user_id`'s member row in `chat_id`, after the membership check.
async fn member_row(state: &AppState, chat_id: &str, user_id: &str) -> Result<chat_members::Model> {
    state.members.check(&state.db, chat_id, user_id).await?;
    chats::membership(&state.db, chat_id, user_id).await?.ok_or_else(not_a_member)
}

/// The chat's roster (after the membership check) and, in a direct chat, the other person
/// (checked for blocks where it matters).
pub(crate) async fn roster_and_peer(
    state: &AppState,
    chat_id: &str,
    user_id: &str,
) -> Result<(std::sync::Arc<crate::membership::Roster>, Option<String>)> {
    let roster = state.members.check(&state.db, chat_id, user_id).await?;
    let peer = match roster.kind {
        ChatKind::Direct => roster.other_than(user_id).map(str::to_owned),
        ChatKind::Group => None,
    };
    Ok((roster, peer))
}

pub(crate) fn blocked_error(by_me: bool) -> Error {
    let message =
        if by_me { "you blocked this person; unblock them first" } else { "this person does not accept your messages" };
    Error::api(StatusCode::FORBIDDEN, ErrorCode::Blocked, message)
}

/// Refuses when a block stands between `user_id` and `peer_id`, either way.
pub(crate) async fn check_not_blocked(state: &AppState, user_id: &str, peer_id: &str) -> Result<()> {
    match blocks::between(&state.db, user_id, peer_id).await? {
        None => Ok(()),
        Some(blocker) => Err(blocked_error(blocker == user_id)),
    }
}

/// The direct chat between `user_id` and `peer_id`, started if there is none (the tile appears
/// for the other person with its first message).
pub async fn open_direct(state: &AppState, user_id: &str, peer_id: &str) -> Result<ChatSummary> {
    if peer_id == user_id {
        return Err(bad(ErrorCode::BadRequest, "you cannot start a chat with yourself"));
    }
    let peer = accounts::get(&state.db, peer_id).await?.ok_or_else(|| Error::not_found("no such user"))?;
    check_not_blocked(state, user_id, &peer.id).await?;
    // A chat nothing was written in yet: the other person may take messages from their
    // contacts only (said now; the first message is checked again).
    let timer = match chats::find_direct(&state.db, user_id, &peer.id).await? {
        Some(chat) => {
            if chat.last_seq == 0 {
                crate::requests::check_may_message(&state.db, &peer, user_id).await?;
            }
            None
        }
        None => {
            crate::requests::check_may_message(&state.db, &peer, user_id).await?;
            accounts::default_timer(&state.db, user_id).await?
        }
    };
    let (chat, started) = chats::find_or_start_direct(&state.db, user_id, &peer.id, timer, now_ms()).await?;
    let summary = chats::summary(&state.db, &chat.id, user_id)
        .await?
        .ok_or_else(|| Error::Internal("a chat just opened has no tile".into()))?;
    if started {
        state.hub.send_to_user(user_id, &ServerFrame::Chat(Box::new(summary.clone())));
    }
    Ok(summary)
}

/// Stores and delivers a message; a retry of the same id returns the stored one.
pub async fn send(state: &AppState, sender_id: &str, message: NewMessage) -> Result<Message> {
    if uuid::Uuid::parse_str(&message.id).is_err() {
        return Err(bad(ErrorCode::BadRequest, "a message id must be a UUID"));
    }
    message.content.check().map_err(Error::bad_request)?;
    if let Content::Event { event } = &message.content {
        check_time_zone(&event.time_zone)?;
    }
    let chat = message.chat_id.clone();
    let roster = state.members.check(&state.db, &chat, sender_id).await?;
    crate::media::check_attachable(&state.db, sender_id, &message.content.media_ids()).await?;
    // In a direct chat the writer checks, a whole batch at once, that the other person still
    // exists and that no block stands between them.
    let peer = match roster.kind {
        ChatKind::Direct => roster.other_than(sender_id).map(str::to_owned),
        ChatKind::Group if roster.only_admins_send && !roster.is_admin(sender_id) => {
            return Err(Error::api(StatusCode::FORBIDDEN, ErrorCode::AdminsOnly, "only the group's admins can send"));
        }
        ChatKind::Group => None,
    };
    if let Some(peer) = peer.as_deref().filter(|peer| roster.fresh || roster.is_request(peer)) {
        // A first message, or one into a request they have not accepted: they may take messages
        // from their contacts only (a retry of one stored before they said so is answered).
        let recipient = accounts::get(&state.db, peer).await?.ok_or_else(|| Error::not_found("no such user"))?;
        if let Err(refusal) = crate::requests::check_may_message(&state.db, &recipient, sender_id).await {
            match messages::get(&state.db, &message.id).await? {
                Some(stored) if stored.sender_id == sender_id && stored.chat_id == chat => {
                    return Ok(messages::to_dtos(&state.db, vec![stored], sender_id).await?.remove(0));
                }
                _ => return Err(refusal),
            }
        }
    }
    // A status is answered in its owner's direct chat only, quoting one of the two.
    if let Content::Text { status: Some(quote), .. } = &message.content {
        let ours = peer.as_deref().is_some_and(|peer| quote.owner_id == peer || quote.owner_id == sender_id);
        if !ours {
            return Err(bad(ErrorCode::BadRequest, "a status is answered in its owner's direct chat"));
        }
    }
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
    if !fresh {
        // A retry: answer with the stored message, push nothing again.
        return Ok(messages::to_dtos(&state.db, vec![row], sender_id).await?.remove(0));
    }
    state.metrics.messages_stored.inc();
    let dto = messages::fresh_dto(row, content);
    if roster.is_request(sender_id) {
        // Writing back accepts a request.
        crate::requests::accept(state, sender_id, &chat).await?;
    }
    if let Some(peer) = peer.as_deref().filter(|_| dto.seq == 1) {
        // The first message: a request when they do not know me.
        crate::requests::first_message(state, &chat, sender_id, peer).await?;
    }
    if roster.kind == ChatKind::Direct && dto.seq == 1 {
        // The first message: the chat appears for the other person now, tile before message.
        for member in roster.members().filter(|m| *m != sender_id) {
            if let Some(summary) = chats::summary(&state.db, &chat, member).await? {
                state.hub.send_to_user(member, &ServerFrame::Chat(Box::new(summary)));
            }
        }
    }
    state.hub.push_to_users(roster.members(), &encode(&ServerFrame::Message(dto.clone())));
    Ok(dto)
}

/// Pushes a changed message to every member's live connections: one encoding for each way it
/// differs between them (hidden for me, starred by me), and in an anonymous poll one each.
pub(crate) async fn fan_out_change(state: &AppState, row: message_rows::Model) -> Result<()> {
    // The current members whose window holds the message (not those who joined after it).
    let seeing: Vec<String> = chat_members::Entity::find()
        .select_only()
        .column(chat_members::Column::UserId)
        .filter(chat_members::Column::ChatId.eq(row.chat_id.clone()))
        .filter(chat_members::Column::LeftSeq.is_null())
        .filter(chat_members::Column::HistoryFrom.lte(row.seq))
        .into_tuple()
        .all(&state.db)
        .await?;
    let marked = |ids: Vec<String>| -> HashSet<String> { ids.into_iter().collect() };
    let hid = marked(
        hidden_messages::Entity::find()
            .select_only()
            .column(hidden_messages::Column::UserId)
            .filter(hidden_messages::Column::UserId.is_in(seeing.clone()))
            .filter(hidden_messages::Column::MessageId.eq(row.id.clone()))
            .into_tuple::<String>()
            .all(&state.db)
            .await?,
    );
    let stars = marked(
        starred_messages::Entity::find()
            .select_only()
            .column(starred_messages::Column::UserId)
            .filter(starred_messages::Column::UserId.is_in(seeing.clone()))
            .filter(starred_messages::Column::MessageId.eq(row.id.clone()))
            .into_tuple::<String>()
            .all(&state.db)
            .await?,
    );
    // An anonymous poll: each member gets the counts and their own vote only.
    let anonymous = poll_of(&row).is_some_and(|poll| poll.anonymous);
    let all_votes = if anonymous {
        messages::votes_of(&state.db, vec![row.id.clone()]).await?.remove(&row.id).unwrap_or_default()
    } else {
        Vec::new()
    };
    let base = messages::to_dtos(&state.db, vec![row], "").await?.remove(0);
    if anonymous {
        for member in &seeing {
            let mut view = base.clone();
            view.votes = all_votes.iter().filter(|v| &v.user_id == member).cloned().collect();
            view.hidden = hid.contains(member);
            view.starred = stars.contains(member);
            state.hub.push_to_users(std::iter::once(member.as_str()), &encode(&ServerFrame::Message(view)));
        }
        return Ok(());
    }
    for (hidden, starred) in [(false, false), (true, false), (false, true), (true, true)] {
        let to: Vec<&str> = seeing
            .iter()
            .map(String::as_str)
            .filter(|m| hid.contains(*m) == hidden && stars.contains(*m) == starred)
            .collect();
        if to.is_empty() {
            continue;
        }
        let view = Message { hidden, starred, ..base.clone() };
        state.hub.push_to_users(to, &encode(&ServerFrame::Message(view)));
    }
    Ok(())
}

/// Edits, deletes or reacts to a message. What the other person sees (a reaction, a vote, an
/// answer, a kept message) accepts a message request I hold, once done, as writing back does.
pub async fn act(
    state: &AppState,
    user_id: &str,
    chat_id: &str,
    message_id: &str,
    action: MessageAction,
) -> Result<()> {
    let shown = matches!(
        action,
        MessageAction::React { .. }
            | MessageAction::Vote { .. }
            | MessageAction::Rsvp { .. }
            | MessageAction::Keep { .. }
    );
    let holding = roster_and_peer(state, chat_id, user_id).await?.0.is_request(user_id);
    act_on(state, user_id, chat_id, message_id, action).await?;
    if shown && holding {
        crate::requests::accept(state, user_id, chat_id).await?;
    }
    Ok(())
}

/// [`act`] but for the request.
async fn act_on(state: &AppState, user_id: &str, chat_id: &str, message_id: &str, action: MessageAction) -> Result<()> {
    let (roster, peer) = roster_and_peer(state, chat_id, user_id).await?;
    // Only messages inside my window (a group member sees from joining on).
    let me = chats::membership(&state.db, chat_id, user_id).await?;
    let from = me.as_ref().map_or(0, |me| me.history_from);
    let not_here = || Error::not_found("no such message in this chat");
    let message = messages::get(&state.db, message_id)
        .await?
        .filter(|m| m.chat_id == chat_id && m.seq >= from)
        .ok_or_else(not_here)?;
    // What I cleared is gone for me, but my starred messages when I kept them.
    if let Some(me) = me.as_ref().filter(|me| message.seq <= me.cleared_seq && !action.lets_go()) {
        let starred = me.clear_keeps_starred
            && starred_messages::Entity::find_by_id((user_id.to_owned(), message.id.clone()))
                .one(&state.db)
                .await?
                .is_some();
        if !starred {
            return Err(not_here());
        }
    }
    let system = message.content.as_deref().is_some_and(|json| json.contains(r#""kind":"system""#));
    if system && !action.lets_go() {
        return Err(Error::api(StatusCode::FORBIDDEN, ErrorCode::Forbidden, "a group's record cannot be changed"));
    }
    let now = state.config.clock.now_ms();
    // A message that disappeared (or whose time is up) can only be let go of.
    if message.gone_at(now) && !action.lets_go() {
        return Err(messages::expired());
    }
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
            content.check().map_err(Error::bad_request)?;
            let before: Option<gkchat_proto::chat::Content> =
                message.content.as_deref().and_then(|json| serde_json::from_str(json).ok());
            if matches!(before, Some(Content::Poll { .. })) {
                return Err(bad(ErrorCode::BadRequest, "a poll cannot be edited (its votes name its options)"));
            }
            if matches!(before, Some(Content::Event { .. })) {
                return Err(bad(ErrorCode::BadRequest, "an event is changed with update_event"));
            }
            // The same kind and attachments (a link preview may go, when its address left the
            // words).
            let same_kind = before.as_ref().is_some_and(|before| {
                std::mem::discriminant(before) == std::mem::discriminant(&content)
                    && match (before, &content) {
                        (Content::Text { .. }, Content::Text { .. }) => {
                            content.media_ids().iter().all(|id| before.media_ids().contains(id))
                        }
                        _ => before.media_ids().iter().collect::<HashSet<_>>() == content.media_ids().iter().collect(),
                    }
            });
            if !same_kind {
                return Err(bad(ErrorCode::BadRequest, "an edit changes the words, not the kind or the attachments"));
            }
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
        MessageAction::Star { starred } => {
            if message.deleted_at.is_some() && starred {
                return Err(bad(ErrorCode::BadRequest, "a deleted message cannot be starred"));
            }
            messages::Change::StarFor { user_id: user_id.to_owned(), starred }
        }
        MessageAction::Keep { kept } => {
            if message.expires_at.is_none() {
                return Err(bad(ErrorCode::BadRequest, "this message does not disappear"));
            }
            if message.deleted_at.is_some() {
                return Err(bad(ErrorCode::BadRequest, "a deleted message cannot be kept"));
            }
            if roster.kind == ChatKind::Group && roster.only_admins_keep && !roster.is_admin(user_id) {
                return Err(crate::groups::admins_only("keep messages"));
            }
            if let Some(peer_id) = &peer {
                check_not_blocked(state, user_id, peer_id).await?;
            }
            if message.kept == kept {
                return Ok(());
            }
            messages::Change::Keep(kept)
        }
        MessageAction::React { emoji } => {
            if message.deleted_at.is_some() {
                return Err(bad(ErrorCode::BadRequest, "a deleted message cannot get reactions"));
            }
            if let Some(emoji) = &emoji {
                check_emoji(emoji)?;
            }
            if let Some(peer_id) = &peer {
                check_not_blocked(state, user_id, peer_id).await?;
            }
            messages::Change::React { user_id: user_id.to_owned(), emoji }
        }
        MessageAction::Vote { options } => {
            let Some(poll) = poll_of(&message) else {
                return Err(bad(ErrorCode::BadRequest, "that message is no poll"));
            };
            poll.check_vote(&options).map_err(|(code, text)| match code {
                ErrorCode::PollClosed => Error::api(StatusCode::CONFLICT, code, text),
                _ => bad(code, text),
            })?;
            if let Some(peer_id) = &peer {
                check_not_blocked(state, user_id, peer_id).await?;
            }
            messages::Change::Vote { user_id: user_id.to_owned(), options }
        }
        MessageAction::ClosePoll => {
            let Some(mut poll) = poll_of(&message) else {
                return Err(bad(ErrorCode::BadRequest, "that message is no poll"));
            };
            if !own {
                return Err(Error::api(StatusCode::FORBIDDEN, ErrorCode::Forbidden, "only its creator closes a poll"));
            }
            if poll.closed_at.is_some() {
                return Ok(());
            }
            poll.closed_at = Some(now);
            messages::Change::Replace(Content::Poll { poll })
        }
        MessageAction::Rsvp { rsvp } => {
            open_event(&message)?;
            if let Some(peer_id) = &peer {
                check_not_blocked(state, user_id, peer_id).await?;
            }
            // The same answer again changes nothing (and tells its creator nothing).
            if messages::rsvp_of(&state.db, &message.id, user_id).await? == rsvp {
                return Ok(());
            }
            messages::Change::Rsvp { user_id: user_id.to_owned(), rsvp }
        }
        MessageAction::UpdateEvent { event } => {
            let before = open_event(&message)?;
            if !own {
                return Err(Error::api(
                    StatusCode::FORBIDDEN,
                    ErrorCode::Forbidden,
                    "only its creator changes an event",
                ));
            }
            event.check().map_err(Error::bad_request)?;
            check_time_zone(&event.time_zone)?;
            let changes = before.changes(&event);
            if changes.is_empty() {
                return Ok(());
            }
            let title = event.title.clone();
            let announce = SystemEvent::EventChanged { message_id: message.id.clone(), title, changes };
            let change = messages::Change::Replace(Content::Event { event });
            return announced(state, message, change, announce, now).await;
        }
        MessageAction::CancelEvent => {
            let Some(mut event) = event_of(&message) else {
                return Err(bad(ErrorCode::BadRequest, "that message is no event"));
            };
            if !own {
                return Err(Error::api(
                    StatusCode::FORBIDDEN,
                    ErrorCode::Forbidden,
                    "only its creator cancels an event",
                ));
            }
            if event.cancelled_at.is_some() {
                return Ok(());
            }
            event.cancelled_at = Some(now);
            let announce = SystemEvent::EventCancelled { message_id: message.id.clone(), title: event.title.clone() };
            return announced(
                state,
                message,
                messages::Change::Replace(Content::Event { event: Box::new(event) }),
                announce,
                now,
            )
            .await;
        }
    };
    let only = change.only_for().map(str::to_owned);
    let row = messages::change(&state.db, message, change, now).await?;
    match only {
        // A star or "delete for me": my devices only (the others' copies did not change).
        Some(me) => {
            let view = messages::to_dtos(&state.db, vec![row], &me).await?.remove(0);
            state.hub.push_to_users(std::iter::once(me.as_str()), &encode(&ServerFrame::Message(view)));
        }
        None => fan_out_change(state, row).await?,
    }
    Ok(())
}

/// The content of `kind` (`"poll"`, `"event"`) a message holds, unless deleted (looked for in the
/// JSON before parsing: most changes are to other messages).
fn content_of(message: &message_rows::Model, kind: &str) -> Option<Content> {
    let content = message.content.as_deref().filter(|c| c.contains(&format!(r#""kind":"{kind}""#)))?;
    serde_json::from_str(content).ok().filter(|_| message.deleted_at.is_none())
}

/// The poll a message is, unless deleted.
fn poll_of(message: &message_rows::Model) -> Option<gkchat_proto::poll::Poll> {
    match content_of(message, "poll")? {
        Content::Poll { poll } => Some(poll),
        _ => None,
    }
}

/// The event a message is, unless deleted.
fn event_of(message: &message_rows::Model) -> Option<gkchat_proto::event::Event> {
    match content_of(message, "event")? {
        Content::Event { event } => Some(*event),
        _ => None,
    }
}

/// The time zone database knows `name` (the bundled one: the same answer on every host).
fn check_time_zone(name: &str) -> Result<()> {
    match jiff::tz::TimeZone::get(name) {
        Ok(_) => Ok(()),
        Err(_) => Err(bad(ErrorCode::BadRequest, format!("no time zone is called {name}"))),
    }
}

/// The event a message is while it may still be answered and changed.
fn open_event(message: &message_rows::Model) -> Result<gkchat_proto::event::Event> {
    match event_of(message) {
        None => Err(bad(ErrorCode::BadRequest, "that message is no event")),
        Some(event) if event.cancelled_at.is_some() => {
            Err(Error::api(StatusCode::CONFLICT, ErrorCode::EventCancelled, "this event was cancelled"))
        }
        Some(event) => Ok(event),
    }
}

/// A change to a message and its announcement in the timeline (by the one who made it), under
/// two sequence numbers in one transaction; both reach the members.
async fn announced(
    state: &AppState,
    message: message_rows::Model,
    change: messages::Change,
    announce: SystemEvent,
    now: i64,
) -> Result<()> {
    let txn = state.db.begin().await?;
    let (chat_id, actor) = (message.chat_id.clone(), message.sender_id.clone());
    // Changes to the chat wait for each other from here: what was read before is read again, so
    // a change racing a cancellation cannot undo it.
    chats::hold(&txn, &chat_id).await?;
    let message = messages::get(&txn, &message.id).await?.ok_or_else(|| Error::not_found("no such message"))?;
    open_event(&message)?;
    let changed = messages::change_in(&txn, message, change, now).await?;
    let record = crate::groups::record(&txn, &chat_id, &actor, announce, now).await?;
    txn.commit().await?;
    fan_out_change(state, changed).await?;
    fan_out_change(state, record).await?;
    Ok(())
}

/// One emoji (a short run of non-ASCII symbols, such as a ZWJ sequence or a flag).
pub(crate) fn check_emoji(emoji: &str) -> Result<()> {
    let ok = !emoji.is_empty()
        && emoji.len() <= REACTION_MAX_BYTES
        && emoji.chars().count() <= 10
        && emoji.chars().all(|c| !c.is_ascii() && !c.is_whitespace() && !c.is_alphanumeric());
    if ok { Ok(()) } else { Err(bad(ErrorCode::BadRequest, "a reaction is one emoji")) }
}

/// Moves my delivered or read cursor. My devices learn my cursors; the others learn only
/// when "delivered to all" / "read by all" moves past messages they sent — so a receipt in a
/// group of any size costs a handful of pushes, not one per member.
pub async fn receipt(state: &AppState, user_id: &str, chat_id: &str, kind: ReceiptKind, seq: i64) -> Result<()> {
    state.members.check(&state.db, chat_id, user_id).await?;
    // The move and the lowest cursors around it come from the receipt writer's transaction:
    // of two receipts at the same moment, the later sees the earlier's move, so the push of a
    // "by all" that moved is never lost.
    let Some(Moved { member, shares: reader_shares, lowest_before, lowest }) =
        state.receipts.apply(chat_id, user_id, kind, seq).await?
    else {
        return Ok(());
    };
    // My devices: my cursors, and the others' as I see them.
    let mine = receipt_state(&member, &lowest, reader_shares);
    state.hub.send_to_user(user_id, &ServerFrame::Receipt(mine));
    // The others: those whose view moved, among the senders of messages it moved past.
    // Every view before was at least the lowest cursor, and none moves past my new ones.
    let lowest_of = |list: &[(String, i64)]| list.first().map_or(0, |(_, seq)| *seq);
    let low = lowest_of(&lowest_before.delivered).min(lowest_of(&lowest_before.read));
    let high = member.delivered_seq.max(member.read_seq);
    if lowest == lowest_before || high <= low {
        return Ok(());
    }
    for chats::Sharing { member: sender, shares } in
        chats::senders_between(&state.db, chat_id, user_id, low, high).await?
    {
        let (before, after) = (receipt_state(&sender, &lowest_before, shares), receipt_state(&sender, &lowest, shares));
        if before != after {
            state.hub.send_to_user(&sender.user_id, &ServerFrame::Receipt(after));
        }
    }
    Ok(())
}

/// A chat's receipts as `member` sees them (read by all only when they share theirs).
fn receipt_state(member: &chat_members::Model, lowest: &chats::Lowest, shares: bool) -> ReceiptUpdate {
    ReceiptUpdate {
        chat_id: member.chat_id.clone(),
        my_delivered_seq: member.delivered_seq,
        my_read_seq: member.read_seq,
        delivered_to_all_seq: chats::all_but(&lowest.delivered, &member.user_id),
        read_by_all_seq: if shares { chats::all_but(&lowest.read, &member.user_id) } else { 0 },
    }
}

/// The least time between two "typing" frames of one member in one chat that are passed on:
/// under the app's own throttle ([`gkchat_proto::chat::TYPING_THROTTLE_MS`]), so an honest
/// client is never held back, while a flood reaches the others once per gap.
pub const TYPING_GAP: std::time::Duration =
    std::time::Duration::from_millis(gkchat_proto::chat::TYPING_THROTTLE_MS.unsigned_abs() * 2 / 3);

/// The server's own throttle on typing: per member and chat, a repeated "typing" within
/// [`TYPING_GAP`] is dropped; a change (typing ↔ stopped) always goes through.
#[derive(Default)]
pub struct TypingGate {
    last: std::sync::Mutex<HashMap<(String, String), (std::time::Instant, bool)>>,
}

impl TypingGate {
    /// Whether `user_id`'s frame saying `typing` in `chat_id`, at `now`, is passed on.
    pub fn pass(&self, user_id: &str, chat_id: &str, typing: bool, now: std::time::Instant) -> bool {
        let mut last = self.last.lock().expect("the typing gate is never poisoned");
        if last.len() >= 100_000 {
            last.retain(|_, (at, _)| now.duration_since(*at) < TYPING_GAP);
        }
        let key = (user_id.to_owned(), chat_id.to_owned());
        let pass = match last.get(&key) {
            Some(&(at, was)) => typing != was || (typing && now.duration_since(at) >= TYPING_GAP),
            None => true,
        };
        if pass {
            last.insert(key, (now, typing));
        }
        pass
    }
}

/// Passes "typing" on to the other members (see [`TypingGate`]); quietly nothing when not a
/// member, and never across a block.
pub async fn typing(state: &AppState, user_id: &str, chat_id: &str, typing: bool) -> Result<()> {
    let Ok(roster) = state.members.check(&state.db, chat_id, user_id).await else { return Ok(()) };
    // Nothing of someone holding a request reaches its sender before they accept.
    if roster.is_request(user_id) {
        return Ok(());
    }
    if !state.typing.pass(user_id, chat_id, typing, std::time::Instant::now()) {
        return Ok(());
    }
    let others: Vec<String> = roster.members().filter(|m| *m != user_id).map(str::to_owned).collect();
    let mut apart = blocks::blocked_among(&state.db, user_id, &others).await?;
    apart.extend(blocks::blockers_of(&state.db, &others, user_id).await?);
    let update = TypingUpdate { chat_id: chat_id.to_owned(), user_id: user_id.to_owned(), typing };
    let push = encode(&ServerFrame::Typing(update));
    state.hub.push_to_users(others.iter().map(String::as_str).filter(|m| !apart.contains(*m)), &push);
    Ok(())
}

/// When each other member received and read one of my messages (read only from those who
/// share read receipts, and only when I share mine).
pub async fn message_info(state: &AppState, user_id: &str, chat_id: &str, message_id: &str) -> Result<MessageInfo> {
    state.members.check(&state.db, chat_id, user_id).await?;
    let message = messages::get(&state.db, message_id)
        .await?
        .filter(|m| m.chat_id == chat_id)
        .ok_or_else(|| Error::not_found("no such message in this chat"))?;
    if message.sender_id != user_id {
        return Err(Error::api(StatusCode::FORBIDDEN, ErrorCode::Forbidden, "message info is for the sender"));
    }
    // The members who were there when it was sent (not those who joined after).
    let rows: Vec<(String, bool)> = chat_members::Entity::find()
        .select_only()
        .column(chat_members::Column::UserId)
        .column(chat_members::Column::Request)
        .filter(chat_members::Column::ChatId.eq(chat_id))
        .filter(chat_members::Column::LeftSeq.is_null())
        .filter(chat_members::Column::HistoryFrom.lte(message.seq))
        .into_tuple()
        .all(&state.db)
        .await?;
    // Someone holding a message request shares no receipts in it yet.
    let open: Vec<String> = rows.iter().filter(|(_, request)| !request).map(|(m, _)| m.clone()).collect();
    let members: Vec<String> = rows.into_iter().map(|(m, _)| m).collect();
    let sharing = chats::sharing_among(&state.db, open).await?;
    let i_share = sharing.contains(user_id);
    let mut reached: HashMap<String, (Option<i64>, Option<i64>)> =
        chats::reached_at(&state.db, chat_id, message.seq).await?;
    let receipts = members
        .iter()
        .map(String::as_str)
        .filter(|m| *m != user_id)
        .map(|m| {
            let (delivered_at, read_at) = reached.remove(m).unwrap_or_default();
            let read_at = read_at.filter(|_| i_share && sharing.contains(m));
            MemberReceipt { user_id: m.to_owned(), delivered_at, read_at }
        })
        .collect();
    Ok(MessageInfo { message_id: message.id, receipts })
}

/// "Delete chat" for me: the chat leaves the list of each of my devices with everything in it
/// so far (they drop what lies up to the tile's `cleared_seq`); a new message brings a direct
/// chat back. In a group I am still in, I leave first ("exit and delete"). The others see
/// nothing of it but my leaving.
pub async fn delete_for_me(state: &AppState, user_id: &str, chat_id: &str) -> Result<()> {
    let member = chats::membership(&state.db, chat_id, user_id).await?.ok_or_else(not_a_member)?;
    if member.left_seq.is_none() && state.members.check(&state.db, chat_id, user_id).await?.kind == ChatKind::Group {
        crate::groups::leave(state, user_id, chat_id).await?;
    }
    forget(state, user_id, chat_id, false, false).await
}

/// "Clear chat" for me: like [`delete_for_me`], but the chat stays in my list (and in a group, I
/// stay in it), and with `keep_starred` my starred messages stay too.
pub async fn clear_for_me(state: &AppState, user_id: &str, chat_id: &str, keep_starred: bool) -> Result<()> {
    chats::membership(&state.db, chat_id, user_id).await?.ok_or_else(not_a_member)?;
    forget(state, user_id, chat_id, true, keep_starred).await
}

/// Forgets my history of a chat, and tells my devices with its tile.
async fn forget(state: &AppState, user_id: &str, chat_id: &str, listed: bool, keep_starred: bool) -> Result<()> {
    let txn = state.db.begin().await?;
    let changed = chats::forget_history(&txn, chat_id, user_id, listed, keep_starred).await?;
    txn.commit().await?;
    if changed {
        let summary = chats::summary(&state.db, chat_id, user_id)
            .await?
            .ok_or_else(|| Error::Internal("membership vanished".into()))?;
        state.hub.send_to_user(user_id, &ServerFrame::Chat(Box::new(summary)));
    }
    Ok(())
}

/// Changes my settings for a chat and tells my other devices.
pub async fn update_settings(
    state: &AppState,
    user_id: &str,
    chat_id: &str,
    update: &ChatSettingsUpdate,
) -> Result<ChatSummary> {
    let member = member_row(state, chat_id, user_id).await?;
    chats::update_settings(&state.db, member, update, now_ms()).await?;
    let summary = chats::summary(&state.db, chat_id, user_id)
        .await?
        .ok_or_else(|| Error::Internal("membership vanished".into()))?;
    state.hub.send_to_user(user_id, &ServerFrame::Chat(Box::new(summary.clone())));
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::{TYPING_GAP, TypingGate, check_emoji};

    #[test]
    fn typing_repeats_within_the_gap_are_dropped_and_changes_pass() {
        let gate = TypingGate::default();
        let start = Instant::now();
        let at = |ms: u64| start + Duration::from_millis(ms);
        assert!(gate.pass("ann", "c1", true, at(0)));
        assert!(!gate.pass("ann", "c1", true, at(500)), "a repeat within the gap");
        assert!(gate.pass("bob", "c1", true, at(500)), "someone else");
        assert!(gate.pass("ann", "c2", true, at(500)), "another chat");
        assert!(gate.pass("ann", "c1", false, at(600)), "stopping always goes through");
        assert!(!gate.pass("ann", "c1", false, at(700)), "stopped already");
        assert!(gate.pass("ann", "c1", true, at(800)), "typing again");
        let gap = u64::try_from(TYPING_GAP.as_millis()).unwrap();
        assert!(!gate.pass("ann", "c1", true, at(800 + gap - 1)));
        assert!(gate.pass("ann", "c1", true, at(800 + gap)), "renewed after the gap");
        assert!(gap < u64::try_from(gkchat_proto::chat::TYPING_THROTTLE_MS).unwrap(), "the app's pace passes");
    }

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
