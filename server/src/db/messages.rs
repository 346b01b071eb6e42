//! Service functions over `messages`, `reactions` and `hidden_messages`: storing a message
//! (idempotently), changing one, and reading the changes feed and history pages.

use std::collections::{HashMap, HashSet};

use gkchat_proto::chat::{Content, Message, NewMessage, Reaction};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, SqlErr, TransactionTrait,
};

use super::chats;
use super::entity::{hidden_messages, messages, reactions};
use crate::error::{Error, Result};

pub async fn get(db: &impl ConnectionTrait, id: &str) -> Result<Option<messages::Model>> {
    Ok(messages::Entity::find_by_id(id.to_owned()).one(db).await?)
}

/// Stores `message` from `sender_id` in `chat_id` with the chat's next sequence number. When
/// a message with this id exists already (a retry), returns it instead: `false` says so.
pub async fn store(
    db: &(impl ConnectionTrait + TransactionTrait),
    chat_id: &str,
    sender_id: &str,
    message: &NewMessage,
    now_ms: i64,
) -> Result<(messages::Model, bool)> {
    if let Some(existing) = get(db, &message.id).await? {
        return Ok((existing, false));
    }
    let content = serde_json::to_string(&message.content).map_err(|e| Error::Internal(e.to_string()))?;
    let txn = db.begin().await?;
    // The counter first: on SQLite this takes the write lock before anything is read.
    let seq = chats::next_seq(&txn, chat_id, now_ms).await?;
    let row = messages::ActiveModel {
        id: Set(message.id.clone()),
        chat_id: Set(chat_id.to_owned()),
        seq: Set(seq),
        updated_seq: Set(seq),
        sender_id: Set(sender_id.to_owned()),
        content: Set(Some(content)),
        reply_to: Set(message.reply_to.clone()),
        forwarded: Set(message.forwarded),
        sent_at: Set(now_ms),
        edited_at: Set(None),
        deleted_at: Set(None),
    };
    match row.insert(&txn).await {
        Ok(stored) => {
            txn.commit().await?;
            Ok((stored, true))
        }
        // The same id raced in through another connection: that one wins.
        Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            txn.rollback().await?;
            let existing = get(db, &message.id).await?.ok_or_else(|| Error::Internal("message vanished".into()))?;
            Ok((existing, false))
        }
        Err(err) => Err(err.into()),
    }
}

/// What a change does to a stored message.
pub enum Change {
    Edit(Content),
    DeleteForEveryone,
    React { user_id: String, emoji: Option<String> },
    HideFor(String),
}

/// Applies `change` under the chat's next sequence number; returns the message after.
pub async fn change(
    db: &(impl ConnectionTrait + TransactionTrait),
    message: messages::Model,
    change: Change,
    now_ms: i64,
) -> Result<messages::Model> {
    let txn = db.begin().await?;
    let seq = chats::next_seq(&txn, &message.chat_id, now_ms).await?;
    let id = message.id.clone();
    let mut row: messages::ActiveModel = message.into();
    row.updated_seq = Set(seq);
    match change {
        Change::Edit(content) => {
            let json = serde_json::to_string(&content).map_err(|e| Error::Internal(e.to_string()))?;
            row.content = Set(Some(json));
            row.edited_at = Set(Some(now_ms));
        }
        Change::DeleteForEveryone => {
            row.content = Set(None);
            row.deleted_at = Set(Some(now_ms));
            reactions::Entity::delete_many().filter(reactions::Column::MessageId.eq(id.clone())).exec(&txn).await?;
        }
        Change::React { user_id, emoji } => {
            reactions::Entity::delete_by_id((id.clone(), user_id.clone())).exec(&txn).await?;
            if let Some(emoji) = emoji {
                reactions::ActiveModel {
                    message_id: Set(id.clone()),
                    user_id: Set(user_id),
                    emoji: Set(emoji),
                    at: Set(now_ms),
                }
                .insert(&txn)
                .await?;
            }
        }
        Change::HideFor(user_id) => {
            hidden_messages::Entity::delete_by_id((user_id.clone(), id.clone())).exec(&txn).await?;
            hidden_messages::ActiveModel { user_id: Set(user_id), message_id: Set(id.clone()), at: Set(now_ms) }
                .insert(&txn)
                .await?;
        }
    }
    let updated = row.update(&txn).await?;
    txn.commit().await?;
    Ok(updated)
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
            Ok(Message {
                reactions: by_message.remove(&row.id).unwrap_or_default(),
                hidden: hidden.contains(&row.id),
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

/// Changes in `chat_id` after `cursor`, in order, at most `limit`.
pub async fn changes_after(
    db: &impl ConnectionTrait,
    chat_id: &str,
    cursor: i64,
    limit: u64,
) -> Result<Vec<messages::Model>> {
    Ok(messages::Entity::find()
        .filter(messages::Column::ChatId.eq(chat_id))
        .filter(messages::Column::UpdatedSeq.gt(cursor))
        .order_by_asc(messages::Column::UpdatedSeq)
        .limit(limit)
        .all(db)
        .await?)
}

/// Messages of `chat_id` placed before `before`, newest first, at most `limit`.
pub async fn before(db: &impl ConnectionTrait, chat_id: &str, before: i64, limit: u64) -> Result<Vec<messages::Model>> {
    Ok(messages::Entity::find()
        .filter(messages::Column::ChatId.eq(chat_id))
        .filter(messages::Column::Seq.lt(before))
        .order_by_desc(messages::Column::Seq)
        .limit(limit)
        .all(db)
        .await?)
}

/// The newest message of `chat_id` that `viewer_id` has not hidden (for the tile).
pub async fn latest_visible(db: &impl ConnectionTrait, chat_id: &str, viewer_id: &str) -> Result<Option<Message>> {
    // A few at a time: hidden ones are rare.
    let mut before_seq = i64::MAX;
    loop {
        let rows = before(db, chat_id, before_seq, 8).await?;
        let Some(last) = rows.last() else { return Ok(None) };
        before_seq = last.seq;
        if let Some(found) = to_dtos(db, rows, viewer_id).await?.into_iter().find(|m| !m.hidden) {
            return Ok(Some(found));
        }
    }
}
