//! Disappearing messages on this device: a message whose time is up is listed nowhere (every
//! listing filters on `expires_at` by the store's clock), and the messenger's timers turn it
//! into the same tombstone the server will send — its content, search entry, reminder and the
//! media files no other message shows gone — at its time, also on a
//! device that was off when it expired.

use gkchat_proto::chat::Message;
use sea_orm::{ConnectionTrait, TransactionTrait};

use super::{LocalMessage, Store, actions, get, statement};
use crate::Result;

impl Store {
    /// When the next message held here expires.
    pub async fn next_message_expiry(&self) -> Result<Option<i64>> {
        let row = self
            .db
            .query_one(statement(
                "SELECT MIN(expires_at) AS at FROM messages WHERE expires_at IS NOT NULL AND confirmed IS NULL",
                [],
            ))
            .await?;
        Ok(row.and_then(|row| get::<Option<i64>>(&row, "at").ok().flatten()))
    }

    /// Expires the messages whose time is up at `now`; answers them as they show after.
    pub async fn expire_due(&self, now: i64) -> Result<Vec<LocalMessage>> {
        // Not those with my changes waiting (the listings hide them already): the server's
        // answer settles them (an unkeep it refuses brings the message back).
        let rows = self
            .db
            .query_all(statement(
                "SELECT id FROM messages WHERE expires_at IS NOT NULL AND expires_at <= ? AND confirmed IS NULL
                 ORDER BY expires_at",
                [now.into()],
            ))
            .await?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let mut expired = Vec::with_capacity(rows.len());
        let mut media = Vec::new();
        let transaction = self.db.begin().await?;
        for row in &rows {
            let id: String = get(row, "id")?;
            let Some((local, _)) = actions::local(&transaction, &id).await? else { continue };
            media.extend(local.message.content.iter().flat_map(|c| c.media_ids()).map(str::to_owned));
            let gone = tombstone(&local.message);
            actions::write_shown(&transaction, &self.user_id, &gone, None).await?;
            expired.push(LocalMessage { message: gone, status: local.status });
        }
        transaction.commit().await?;
        self.forget_unused(media).await?;
        Ok(expired)
    }

    /// Takes these media out of the cache (their files with them), unless a message still
    /// shown uses them too (a forward).
    pub(super) async fn forget_unused(&self, media: Vec<String>) -> Result<()> {
        for media_id in media {
            let pattern = format!("%{media_id}%");
            let used = self
                .db
                .query_one(statement(
                    "SELECT 1 AS u FROM messages WHERE visible = 1 AND data LIKE ? LIMIT 1",
                    [pattern.into()],
                ))
                .await?;
            if used.is_none() {
                self.forget_media(&media_id).await?;
            }
        }
        Ok(())
    }
}

/// What is left of an expired message (as the server sends it): where it was, who sent it.
pub fn tombstone(message: &Message) -> Message {
    Message {
        content: None,
        reactions: Vec::new(),
        votes: Vec::new(),
        tally: Vec::new(),
        rsvps: Vec::new(),
        starred: false,
        expired: true,
        ..message.clone()
    }
}
