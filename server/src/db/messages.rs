//! Service functions over `messages`, `reactions` and `hidden_messages`: storing a message
//! (idempotently), changing one, and reading the changes feed and history pages.

use std::collections::{HashMap, HashSet};

use gkchat_proto::chat::{Content, Message, NewMessage, Reaction};
use gkchat_proto::event::{Answer, Rsvp};
use gkchat_proto::poll::Vote;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, TransactionTrait,
};

use super::chats;
use super::entity::{event_rsvps, hidden_messages, messages, poll_votes, reactions, starred_messages};
use crate::error::{Error, Result};

pub async fn get(db: &impl ConnectionTrait, id: &str) -> Result<Option<messages::Model>> {
    Ok(messages::Entity::find_by_id(id.to_owned()).one(db).await?)
}

/// One message waiting in a batch: where it goes, who sent it.
pub struct Pending<'a> {
    pub chat_id: &'a str,
    pub sender_id: &'a str,
    pub message: &'a NewMessage,
}

/// Stores a batch of messages in one transaction (group commit): one counter update per chat
/// and one multi-row insert. Answers, in batch order, each stored message and whether it is
/// new; a message whose id exists already (a retry, also twice in one batch) gets the stored
/// one and `false`.
pub async fn store_batch(
    db: &(impl ConnectionTrait + TransactionTrait),
    batch: &[Pending<'_>],
    now_ms: i64,
) -> Result<Vec<(messages::Model, bool)>> {
    let ids: Vec<String> = batch.iter().map(|p| p.message.id.clone()).collect();
    let known: HashMap<String, messages::Model> = messages::Entity::find()
        .filter(messages::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.id.clone(), m))
        .collect();
    let mut fresh_ids: HashSet<&str> = HashSet::new();
    let mut per_chat: std::collections::BTreeMap<&str, i64> = std::collections::BTreeMap::new();
    for pending in batch {
        if !known.contains_key(&pending.message.id) && fresh_ids.insert(&pending.message.id) {
            *per_chat.entry(pending.chat_id).or_default() += 1;
        }
    }
    let mut rows = Vec::with_capacity(fresh_ids.len());
    if !fresh_ids.is_empty() {
        let txn = db.begin().await?;
        // Chats in a fixed order, so two writers never wait on each other's locks crosswise.
        // Each chat's timer as of its numbers: a message sent after a change of timer has the
        // new one, its expiry fixed now.
        let mut next: HashMap<&str, (i64, Option<i64>)> = HashMap::new();
        for (chat_id, count) in &per_chat {
            let taken = chats::take_seqs(&txn, chat_id, *count, Some(now_ms)).await?;
            let expires_at = taken.disappear_after_ms.map(|after| now_ms + after);
            next.insert(chat_id, (taken.last - count + 1, expires_at));
        }
        let mut placed: HashSet<&str> = HashSet::new();
        for pending in batch {
            if known.contains_key(&pending.message.id) || !placed.insert(&pending.message.id) {
                continue;
            }
            let (seq, expires_at) = next.get_mut(pending.chat_id).expect("counted above");
            let content =
                serde_json::to_string(&pending.message.content).map_err(|e| Error::Internal(e.to_string()))?;
            rows.push(messages::Model {
                id: pending.message.id.clone(),
                chat_id: pending.chat_id.to_owned(),
                seq: *seq,
                updated_seq: *seq,
                sender_id: pending.sender_id.to_owned(),
                content: Some(content),
                reply_to: pending.message.reply_to.clone(),
                forwarded: pending.message.forwarded,
                sent_at: now_ms,
                edited_at: None,
                deleted_at: None,
                expires_at: *expires_at,
                kept: false,
                expired_at: None,
            });
            *seq += 1;
        }
        for chunk in rows.chunks(500) {
            let models = chunk.iter().cloned().map(messages::ActiveModel::from);
            messages::Entity::insert_many(models).exec(&txn).await?;
        }
        // The media each new message uses: from now on they live as long as it does.
        let stored_ids: HashSet<&str> = rows.iter().map(|row| row.id.as_str()).collect();
        for pending in batch.iter().filter(|p| stored_ids.contains(p.message.id.as_str())) {
            super::media::attach(&txn, &pending.message.id, &pending.message.content.media_ids()).await?;
        }
        txn.commit().await?;
    }
    let stored: HashMap<String, messages::Model> = rows.into_iter().map(|m| (m.id.clone(), m)).collect();
    let mut answered: HashSet<String> = HashSet::new();
    Ok(batch
        .iter()
        .map(|pending| {
            let id = &pending.message.id;
            match stored.get(id) {
                Some(row) if answered.insert(id.clone()) => (row.clone(), true),
                Some(row) => (row.clone(), false),
                None => (known.get(id).cloned().expect("either stored now or known before"), false),
            }
        })
        .collect())
}

/// What a change does to a stored message.
pub enum Change {
    Edit(Content),
    DeleteForEveryone,
    React {
        user_id: String,
        emoji: Option<String>,
    },
    HideFor(String),
    /// A member stars it, or takes their star off.
    StarFor {
        user_id: String,
        starred: bool,
    },
    /// A member's vote in a poll (no options: taken back).
    Vote {
        user_id: String,
        options: Vec<u8>,
    },
    /// A member's answer to an event (none: taken back).
    Rsvp {
        user_id: String,
        rsvp: Option<Rsvp>,
    },
    /// The content as the server rewrites it (a poll closed, an event changed or cancelled), not
    /// an edit.
    Replace(Content),
    /// Kept from disappearing, or let go again.
    Keep(bool),
    /// Its timer ran out: its content and everything beside it go.
    Expire,
}

/// Anything done to a message that disappeared but letting go of it.
pub fn expired() -> Error {
    Error::api(axum::http::StatusCode::GONE, gkchat_proto::ErrorCode::MessageExpired, "this message disappeared")
}

impl Change {
    /// What may still be done to a message that disappeared: hide it, take a star off, and the
    /// expiry itself.
    fn after_expiry(&self) -> bool {
        matches!(self, Self::HideFor(_) | Self::StarFor { starred: false, .. } | Self::Expire)
    }

    /// Whose change it is alone (a star, a "delete for me"): only they are told.
    pub fn only_for(&self) -> Option<&str> {
        match self {
            Self::StarFor { user_id, .. } | Self::HideFor(user_id) => Some(user_id),
            _ => None,
        }
    }
}

/// Applies `change` under the chat's next sequence number; returns the message after.
pub async fn change(
    db: &(impl ConnectionTrait + TransactionTrait),
    message: messages::Model,
    change: Change,
    now_ms: i64,
) -> Result<messages::Model> {
    let txn = db.begin().await?;
    let updated = change_in(&txn, message, change, now_ms).await?;
    txn.commit().await?;
    Ok(updated)
}

/// [`change`] inside the caller's transaction (to record something beside it).
pub async fn change_in(
    txn: &DatabaseTransaction,
    message: messages::Model,
    change: Change,
    now_ms: i64,
) -> Result<messages::Model> {
    let seq = match &change {
        Change::StarFor { .. } | Change::HideFor(_) | Change::Keep(_) | Change::Expire => {
            chats::next_quiet_seq(txn, &message.chat_id).await?
        }
        _ => chats::next_seq(txn, &message.chat_id, now_ms).await?,
    };
    // The chat is held from here: the message as it is now (the sweeper may just have expired
    // it, or its sender deleted it, while the caller looked).
    let message = get(txn, &message.id).await?.ok_or_else(|| Error::not_found("no such message"))?;
    if message.expired_at.is_some() && !change.after_expiry() {
        return Err(expired());
    }
    if message.deleted_at.is_some() && !change.after_expiry() && !matches!(change, Change::DeleteForEveryone) {
        return Err(Error::api(
            axum::http::StatusCode::BAD_REQUEST,
            gkchat_proto::ErrorCode::BadRequest,
            "this message was deleted",
        ));
    }
    let id = message.id.clone();
    let mut row: messages::ActiveModel = message.into();
    row.updated_seq = Set(seq);
    match change {
        Change::Edit(content) => {
            let json = serde_json::to_string(&content).map_err(|e| Error::Internal(e.to_string()))?;
            // A media the edit dropped (a link preview's picture) is no one's to read any more.
            if let Some(before) = row.content.as_ref().as_deref().and_then(|b| serde_json::from_str::<Content>(b).ok())
            {
                let kept = content.media_ids();
                let dropped: Vec<String> =
                    before.media_ids().into_iter().filter(|id| !kept.contains(id)).map(str::to_owned).collect();
                super::media::detach_ids(txn, &id, &dropped).await?;
            }
            row.content = Set(Some(json));
            row.edited_at = Set(Some(now_ms));
        }
        Change::DeleteForEveryone => {
            row.content = Set(None);
            row.deleted_at = Set(Some(now_ms));
            forget_around(txn, &id).await?;
        }
        Change::Expire => {
            row.content = Set(None);
            row.expired_at = Set(Some(now_ms));
            forget_around(txn, &id).await?;
        }
        Change::Keep(kept) => row.kept = Set(kept),
        Change::React { user_id, emoji } => {
            reactions::Entity::delete_by_id((id.clone(), user_id.clone())).exec(txn).await?;
            if let Some(emoji) = emoji {
                reactions::ActiveModel {
                    message_id: Set(id.clone()),
                    user_id: Set(user_id),
                    emoji: Set(emoji),
                    at: Set(now_ms),
                }
                .insert(txn)
                .await?;
            }
        }
        Change::Vote { user_id, options } => {
            poll_votes::Entity::delete_by_id((id.clone(), user_id.clone())).exec(txn).await?;
            if !options.is_empty() {
                let options = serde_json::to_string(&options).map_err(|e| Error::Internal(e.to_string()))?;
                poll_votes::ActiveModel {
                    message_id: Set(id.clone()),
                    user_id: Set(user_id),
                    options: Set(options),
                    at: Set(now_ms),
                }
                .insert(txn)
                .await?;
            }
        }
        Change::Rsvp { user_id, rsvp } => {
            event_rsvps::Entity::delete_by_id((id.clone(), user_id.clone())).exec(txn).await?;
            if let Some(rsvp) = rsvp {
                event_rsvps::ActiveModel {
                    message_id: Set(id.clone()),
                    user_id: Set(user_id),
                    rsvp: Set(rsvp.as_str().to_owned()),
                    at: Set(now_ms),
                }
                .insert(txn)
                .await?;
            }
        }
        Change::Replace(content) => {
            row.content = Set(Some(serde_json::to_string(&content).map_err(|e| Error::Internal(e.to_string()))?));
        }
        Change::StarFor { user_id, starred } => {
            starred_messages::Entity::delete_by_id((user_id.clone(), id.clone())).exec(txn).await?;
            if starred {
                starred_messages::ActiveModel { user_id: Set(user_id), message_id: Set(id.clone()), at: Set(now_ms) }
                    .insert(txn)
                    .await?;
            }
        }
        Change::HideFor(user_id) => {
            hidden_messages::Entity::delete_by_id((user_id.clone(), id.clone())).exec(txn).await?;
            hidden_messages::ActiveModel { user_id: Set(user_id), message_id: Set(id.clone()), at: Set(now_ms) }
                .insert(txn)
                .await?;
        }
    }
    Ok(row.update(txn).await?)
}

/// Everything beside a message whose content went (deleted for everyone, expired): reactions,
/// votes, answers, stars, and its media links (the sweeper removes media nothing else uses).
async fn forget_around(txn: &DatabaseTransaction, id: &str) -> Result<()> {
    reactions::Entity::delete_many().filter(reactions::Column::MessageId.eq(id)).exec(txn).await?;
    poll_votes::Entity::delete_many().filter(poll_votes::Column::MessageId.eq(id)).exec(txn).await?;
    event_rsvps::Entity::delete_many().filter(event_rsvps::Column::MessageId.eq(id)).exec(txn).await?;
    starred_messages::Entity::delete_many().filter(starred_messages::Column::MessageId.eq(id)).exec(txn).await?;
    super::media::detach(txn, id).await
}

/// A message just stored: no reactions, no votes, hidden for nobody — no need to ask the
/// database.
pub fn fresh_dto(row: messages::Model, content: Content) -> Message {
    let tally = match &content {
        Content::Poll { poll } => vec![0; poll.options.len()],
        _ => Vec::new(),
    };
    Message {
        id: row.id,
        chat_id: row.chat_id,
        seq: row.seq,
        updated_seq: row.updated_seq,
        sender_id: row.sender_id,
        content: Some(content),
        reply_to: row.reply_to,
        forwarded: row.forwarded,
        sent_at: row.sent_at,
        edited_at: None,
        deleted_at: None,
        reactions: Vec::new(),
        votes: Vec::new(),
        tally,
        rsvps: Vec::new(),
        hidden: false,
        starred: false,
        expires_at: row.expires_at,
        kept: row.kept,
        expired: row.expired_at.is_some(),
    }
}

/// Every vote in these messages' polls, by message, oldest first.
pub async fn votes_of(db: &impl ConnectionTrait, ids: Vec<String>) -> Result<HashMap<String, Vec<Vote>>> {
    let rows = poll_votes::Entity::find()
        .filter(poll_votes::Column::MessageId.is_in(ids))
        .order_by_asc(poll_votes::Column::At)
        .all(db)
        .await?;
    by_message(rows.into_iter().map(|vote| {
        let options = serde_json::from_str(&vote.options)
            .map_err(|e| Error::Internal(format!("stored vote in {} unreadable: {e}", vote.message_id)))?;
        Ok((vote.message_id, Vote { user_id: vote.user_id, options, at: vote.at }))
    }))
}

/// Every answer to these messages' events, by message, oldest first.
pub async fn rsvps_of(db: &impl ConnectionTrait, ids: Vec<String>) -> Result<HashMap<String, Vec<Answer>>> {
    let rows = event_rsvps::Entity::find()
        .filter(event_rsvps::Column::MessageId.is_in(ids))
        .order_by_asc(event_rsvps::Column::At)
        .all(db)
        .await?;
    by_message(rows.into_iter().map(|row| {
        let rsvp = Rsvp::parse(&row.rsvp)
            .ok_or_else(|| Error::Internal(format!("stored answer in {} unreadable", row.message_id)))?;
        Ok((row.message_id, Answer { user_id: row.user_id, rsvp, at: row.at }))
    }))
}

/// Members' answers (votes, RSVPs) gathered by message, in the order read.
fn by_message<T>(answers: impl Iterator<Item = Result<(String, T)>>) -> Result<HashMap<String, Vec<T>>> {
    let mut gathered: HashMap<String, Vec<T>> = HashMap::new();
    for answer in answers {
        let (message_id, answer) = answer?;
        gathered.entry(message_id).or_default().push(answer);
    }
    Ok(gathered)
}

/// `user_id`'s answer to an event.
pub async fn rsvp_of(db: &impl ConnectionTrait, message_id: &str, user_id: &str) -> Result<Option<Rsvp>> {
    let row = event_rsvps::Entity::find_by_id((message_id.to_owned(), user_id.to_owned())).one(db).await?;
    Ok(row.and_then(|row| Rsvp::parse(&row.rsvp)))
}

/// A poll's votes as `viewer_id` sees them (an anonymous poll's: theirs only) and its counts.
pub fn poll_view(content: Option<&Content>, votes: Vec<Vote>, viewer_id: &str) -> (Vec<Vote>, Vec<u32>) {
    let Some(Content::Poll { poll }) = content else { return (Vec::new(), Vec::new()) };
    let tally = poll.tally(&votes);
    let votes = if poll.anonymous { votes.into_iter().filter(|v| v.user_id == viewer_id).collect() } else { votes };
    (votes, tally)
}

/// Messages as `viewer_id` sees them: with reactions, and flagged when hidden for them.
pub async fn to_dtos(db: &impl ConnectionTrait, rows: Vec<messages::Model>, viewer_id: &str) -> Result<Vec<Message>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut by_message: HashMap<String, Vec<Reaction>> = HashMap::new();
    for reaction in reactions::Entity::find()
        .filter(reactions::Column::MessageId.is_in(ids.clone()))
        .order_by_asc(reactions::Column::At)
        .all(db)
        .await?
    {
        by_message.entry(reaction.message_id).or_default().push(Reaction {
            user_id: reaction.user_id,
            emoji: reaction.emoji,
            at: reaction.at,
        });
    }
    // Votes only for polls, answers only for events (most pages hold none: no query then).
    let of_kind = |kind: &str| -> Vec<String> {
        let mark = format!(r#""kind":"{kind}""#);
        rows.iter().filter(|r| r.content.as_deref().is_some_and(|c| c.contains(&mark))).map(|r| r.id.clone()).collect()
    };
    let (polls, events) = (of_kind("poll"), of_kind("event"));
    let mut votes = if polls.is_empty() { HashMap::new() } else { votes_of(db, polls).await? };
    let mut rsvps = if events.is_empty() { HashMap::new() } else { rsvps_of(db, events).await? };
    let starred: HashSet<String> = if viewer_id.is_empty() {
        HashSet::new()
    } else {
        starred_messages::Entity::find()
            .filter(starred_messages::Column::UserId.eq(viewer_id))
            .filter(starred_messages::Column::MessageId.is_in(ids.clone()))
            .all(db)
            .await?
            .into_iter()
            .map(|s| s.message_id)
            .collect()
    };
    let hidden: HashSet<String> = hidden_messages::Entity::find()
        .filter(hidden_messages::Column::UserId.eq(viewer_id))
        .filter(hidden_messages::Column::MessageId.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|h| h.message_id)
        .collect();
    rows.into_iter()
        .map(|row| {
            let content = row
                .content
                .as_deref()
                .map(serde_json::from_str::<Content>)
                .transpose()
                .map_err(|e| Error::Internal(format!("stored content of {} unreadable: {e}", row.id)))?;
            let (votes, tally) = poll_view(content.as_ref(), votes.remove(&row.id).unwrap_or_default(), viewer_id);
            Ok(Message {
                reactions: by_message.remove(&row.id).unwrap_or_default(),
                votes,
                tally,
                rsvps: rsvps.remove(&row.id).unwrap_or_default(),
                hidden: hidden.contains(&row.id),
                starred: starred.contains(&row.id),
                expires_at: row.expires_at,
                kept: row.kept,
                expired: row.expired_at.is_some(),
                id: row.id,
                chat_id: row.chat_id,
                seq: row.seq,
                updated_seq: row.updated_seq,
                sender_id: row.sender_id,
                content,
                reply_to: row.reply_to,
                forwarded: row.forwarded,
                sent_at: row.sent_at,
                edited_at: row.edited_at,
                deleted_at: row.deleted_at,
            })
        })
        .collect()
}

/// Chats asked about in one query of [`changes_after`] (a flat `OR` of this many terms stays
/// well inside SQLite's expression depth).
const CHATS_PER_QUERY: usize = 200;

/// What one member may still sync of one chat: changes after `cursor`, to messages placed
/// from `from` on (when they joined) — and, once they left, up to `until` only; with `cleared`
/// (a clear that kept their starred messages), nothing up to it but those.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Window {
    pub chat_id: String,
    pub cursor: i64,
    pub from: i64,
    pub until: Option<i64>,
    pub cleared: Option<i64>,
}

/// Where a clear that kept `viewer_id`'s starred messages left them: after `cleared`, or starred.
fn after_clear(cleared: i64, viewer_id: &str) -> sea_orm::Condition {
    let starred = sea_orm::sea_query::Query::select()
        .column(starred_messages::Column::MessageId)
        .from(starred_messages::Entity)
        .and_where(starred_messages::Column::UserId.eq(viewer_id))
        .to_owned();
    sea_orm::Condition::any().add(messages::Column::Seq.gt(cleared)).add(messages::Column::Id.in_subquery(starred))
}

/// Changes inside each window, by chat id then `updated_seq`, at most `limit`: one query for up
/// to 200 chats, not one per chat.
pub async fn changes_after(
    db: &impl ConnectionTrait,
    windows: &[Window],
    viewer_id: &str,
    limit: u64,
) -> Result<Vec<messages::Model>> {
    let mut sorted: Vec<&Window> = windows.iter().collect();
    sorted.sort();
    let mut rows = Vec::new();
    for chunk in sorted.chunks(CHATS_PER_QUERY) {
        let room = limit.saturating_sub(rows.len() as u64);
        if room == 0 {
            break;
        }
        let mut after = sea_orm::Condition::any();
        for window in chunk {
            let mut inside = sea_orm::Condition::all()
                .add(messages::Column::ChatId.eq(window.chat_id.as_str()))
                .add(messages::Column::UpdatedSeq.gt(window.cursor))
                .add(messages::Column::Seq.gte(window.from));
            if let Some(until) = window.until {
                inside = inside.add(messages::Column::UpdatedSeq.lte(until));
            }
            if let Some(cleared) = window.cleared {
                inside = inside.add(after_clear(cleared, viewer_id));
            }
            after = after.add(inside);
        }
        rows.extend(
            messages::Entity::find()
                .filter(after)
                .order_by_asc(messages::Column::ChatId)
                .order_by_asc(messages::Column::UpdatedSeq)
                .limit(room)
                .all(db)
                .await?,
        );
    }
    Ok(rows)
}

/// Messages of `chat_id` placed before `before` in `window` (its start, what was cleared),
/// newest first, at most `limit`.
pub async fn before(
    db: &impl ConnectionTrait,
    window: &Window,
    viewer_id: &str,
    before: i64,
    limit: u64,
) -> Result<Vec<messages::Model>> {
    let mut query = messages::Entity::find()
        .filter(messages::Column::ChatId.eq(window.chat_id.as_str()))
        .filter(messages::Column::Seq.gte(window.from));
    if let Some(cleared) = window.cleared {
        query = query.filter(after_clear(cleared, viewer_id));
    }
    Ok(query.filter(messages::Column::Seq.lt(before)).order_by_desc(messages::Column::Seq).limit(limit).all(db).await?)
}
