//! Event reminders, kept by each device: for every event in the store, when to remind me (its
//! start less my chosen lead, 15 minutes unless I chose otherwise, while I am going and it is
//! on) and for which start a reminder already went off — so a reminder fires once, also across
//! restarts, and again only when the event moves.

use gkchat_proto::chat::{Content, Message};
use gkchat_proto::event::{REMINDER_DEFAULT_MS, Rsvp};
use sea_orm::{ConnectionTrait, TransactionTrait};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{Store, get, statement};
use crate::Result;

/// A reminder that went off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Reminder {
    pub chat_id: String,
    pub message_id: String,
    pub title: String,
    pub starts_at: i64,
}

/// Keeps an event's reminder in step with the message as stored (any message: those that are no
/// event, or no longer one, have none).
pub(super) async fn track(db: &impl ConnectionTrait, me: &str, message: &Message, visible: bool) -> Result<()> {
    let event = match &message.content {
        Some(Content::Event { event }) if visible => event,
        // An event deleted for everyone (no content) or for me: its reminder goes.
        None | Some(Content::Event { .. }) => {
            db.execute(statement("DELETE FROM event_reminders WHERE message_id = ?", [message.id.clone().into()]))
                .await?;
            return Ok(());
        }
        Some(_) => return Ok(()),
    };
    let going = message.rsvps.iter().any(|answer| answer.user_id == me && answer.rsvp == Rsvp::Going);
    let on = going && event.cancelled_at.is_none();
    db.execute(statement(
        "INSERT INTO event_reminders (message_id, chat_id, title, starts_at, ends_at, cancelled, lead_ms, on_)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (message_id) DO UPDATE SET chat_id = excluded.chat_id, title = excluded.title,
            starts_at = excluded.starts_at, ends_at = excluded.ends_at, cancelled = excluded.cancelled,
            on_ = excluded.on_",
        [
            message.id.clone().into(),
            message.chat_id.clone().into(),
            event.title.clone().into(),
            event.starts_at.into(),
            event.ends_at.into(),
            event.cancelled_at.is_some().into(),
            REMINDER_DEFAULT_MS.into(),
            on.into(),
        ],
    ))
    .await?;
    Ok(())
}

/// When a reminder is due: its start less its lead, while on, not yet fired for this start, and
/// in a chat I am still in.
const DUE: &str = "on_ = 1 AND lead_ms IS NOT NULL AND (fired_start IS NULL OR fired_start <> starts_at)
    AND EXISTS (SELECT 1 FROM chats c WHERE c.id = event_reminders.chat_id AND c.my_role IS NOT NULL)";

impl Store {
    /// The reminders due at `now`, each marked as fired first (a reminder is never repeated, even
    /// if the app stops right after). One whose event already started while this device was off
    /// is marked without being returned.
    pub async fn due_reminders(&self, now: i64) -> Result<Vec<Reminder>> {
        let txn = self.db.begin().await?;
        let rows = txn
            .query_all(statement(
                &format!(
                    "SELECT message_id, chat_id, title, starts_at FROM event_reminders
                     WHERE {DUE} AND starts_at - lead_ms <= ?"
                ),
                [now.into()],
            ))
            .await?;
        let mut due = Vec::new();
        for row in rows {
            let reminder = Reminder {
                chat_id: get(&row, "chat_id")?,
                message_id: get(&row, "message_id")?,
                title: get(&row, "title")?,
                starts_at: get(&row, "starts_at")?,
            };
            txn.execute(statement(
                "UPDATE event_reminders SET fired_start = starts_at WHERE message_id = ?",
                [reminder.message_id.clone().into()],
            ))
            .await?;
            if now < reminder.starts_at {
                due.push(reminder);
            }
        }
        txn.commit().await?;
        Ok(due)
    }

    /// When the next reminder is due, if any is waiting.
    pub async fn next_reminder(&self) -> Result<Option<i64>> {
        let row = self
            .db
            .query_one(statement(
                &format!("SELECT MIN(starts_at - lead_ms) AS at FROM event_reminders WHERE {DUE}"),
                [],
            ))
            .await?;
        Ok(row.and_then(|row| get::<Option<i64>>(&row, "at").ok().flatten()))
    }

    /// How long before an event's start I am reminded (`None`: not at all); `None` also for a
    /// message that is no event here.
    pub async fn reminder_lead(&self, message_id: &str) -> Result<Option<i64>> {
        let row = self
            .db
            .query_one(statement("SELECT lead_ms FROM event_reminders WHERE message_id = ?", [message_id.into()]))
            .await?;
        Ok(row.and_then(|row| get::<Option<i64>>(&row, "lead_ms").ok().flatten()))
    }

    /// A chat's events still to come or going on (not cancelled), soonest first, at most
    /// `limit`: their message ids.
    pub async fn upcoming_events(&self, chat_id: &str, now: i64, limit: u32) -> Result<Vec<String>> {
        let rows = self
            .db
            .query_all(statement(
                "SELECT message_id FROM event_reminders
                 WHERE chat_id = ? AND cancelled = 0 AND COALESCE(ends_at, starts_at) > ?
                 ORDER BY starts_at, message_id LIMIT ?",
                [chat_id.into(), now.into(), i64::from(limit).into()],
            ))
            .await?;
        rows.iter().map(|row| get(row, "message_id")).collect()
    }

    /// Sets how long before an event's start I am reminded (`None`: not at all). Returns false
    /// when the message is no event here.
    pub async fn set_reminder_lead(&self, message_id: &str, lead_ms: Option<i64>) -> Result<bool> {
        let done = self
            .db
            .execute(statement(
                "UPDATE event_reminders SET lead_ms = ? WHERE message_id = ?",
                [lead_ms.into(), message_id.into()],
            ))
            .await?;
        Ok(done.rows_affected() > 0)
    }
}
