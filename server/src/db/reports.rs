//! Service functions over `reports`.

use std::collections::HashSet;

use gkchat_proto::chat::Content;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};

use super::entity::{messages, reports};
use crate::error::Result;

/// One attached message as it was when reported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    pub message_id: String,
    pub sender_id: String,
    pub sent_at: i64,
    /// `None` when it had been deleted for everyone before the report.
    pub text: Option<String>,
}

/// The messages `message_ids` names, in chat order, when every one of them is in the direct
/// chat between `reporter_id` and `reported_id`; `None` when any is not (or does not exist).
pub async fn evidence(
    db: &impl ConnectionTrait,
    reporter_id: &str,
    reported_id: &str,
    message_ids: &[String],
) -> Result<Option<Vec<Evidence>>> {
    if message_ids.is_empty() {
        return Ok(Some(Vec::new()));
    }
    let Some(chat) = super::chats::find_direct(db, reporter_id, reported_id).await? else { return Ok(None) };
    evidence_in(db, &chat.id, 0..=i64::MAX, message_ids).await
}

/// The messages `message_ids` names, in chat order, when every one of them is a message of
/// `chat_id` in the sequence range `window` (what the reporter could see); `None` otherwise.
pub async fn evidence_in(
    db: &impl ConnectionTrait,
    chat_id: &str,
    window: std::ops::RangeInclusive<i64>,
    message_ids: &[String],
) -> Result<Option<Vec<Evidence>>> {
    if message_ids.is_empty() {
        return Ok(Some(Vec::new()));
    }
    let wanted: HashSet<&str> = message_ids.iter().map(String::as_str).collect();
    let rows = messages::Entity::find()
        .filter(messages::Column::Id.is_in(wanted.iter().copied()))
        .filter(messages::Column::ChatId.eq(chat_id))
        .filter(messages::Column::Seq.between(*window.start(), *window.end()))
        .order_by_asc(messages::Column::Seq)
        .all(db)
        .await?;
    if rows.len() != wanted.len() {
        return Ok(None);
    }
    let evidence = rows
        .into_iter()
        .map(|row| Evidence {
            text: row.content.as_deref().and_then(|json| serde_json::from_str::<Content>(json).ok()).and_then(
                |content| match content {
                    Content::Text { text, .. } => Some(text),
                    // The words a moderator can read; the attachments stay in their messages.
                    Content::Media { attachments, caption } => {
                        Some(format!("[{} attachment(s)] {caption}", attachments.len()))
                    }
                    Content::Contact { card } => Some(format!("[contact card] {}", card.display_name)),
                    Content::Poll { poll } => Some(format!("[poll] {} — {}", poll.question, poll.options.join(" / "))),
                    Content::Event { event } => Some(format!("[event] {} — {}", event.title, event.description)),
                    Content::System { .. } => None,
                },
            ),
            message_id: row.id,
            sender_id: row.sender_id,
            sent_at: row.sent_at,
        })
        .collect();
    Ok(Some(evidence))
}

/// What a report is about: a person, or a group (named with its owner at the time).
pub enum Reported<'a> {
    Person(&'a str),
    Group { chat_id: &'a str, owner_id: &'a str },
}

pub async fn file(
    db: &impl ConnectionTrait,
    reporter_id: &str,
    reported: Reported<'_>,
    reason: String,
    evidence: &[Evidence],
    now_ms: i64,
) -> Result<reports::Model> {
    let message_ids: Vec<&str> = evidence.iter().map(|e| e.message_id.as_str()).collect();
    let row = reports::ActiveModel {
        id: Set(uuid::Uuid::now_v7().to_string()),
        reporter_id: Set(reporter_id.to_owned()),
        reported_id: Set(match reported {
            Reported::Person(id) | Reported::Group { owner_id: id, .. } => id.to_owned(),
        }),
        chat_id: Set(match reported {
            Reported::Person(_) => None,
            Reported::Group { chat_id, .. } => Some(chat_id.to_owned()),
        }),
        reason: Set(reason),
        message_ids: Set(serde_json::to_string(&message_ids).expect("strings serialise")),
        evidence: Set(Some(serde_json::to_string(evidence).expect("evidence serialises"))),
        created_at: Set(now_ms),
    };
    Ok(row.insert(db).await?)
}

/// The messages stored with `report`, in chat order (none for reports older than evidence).
pub fn evidence_of(report: &reports::Model) -> Vec<Evidence> {
    report.evidence.as_deref().and_then(|json| serde_json::from_str(json).ok()).unwrap_or_default()
}

/// The newest `limit` reports, newest first.
pub async fn latest(db: &impl ConnectionTrait, limit: u64) -> Result<Vec<reports::Model>> {
    Ok(reports::Entity::find().order_by_desc(reports::Column::CreatedAt).limit(limit).all(db).await?)
}
