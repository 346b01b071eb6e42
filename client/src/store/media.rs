//! The store's media: what composed messages still upload (`transfers`), and the media files
//! this device holds (`media_cache`), used last-first out under a size limit.

use gkchat_proto::chat::NewMessage;
use sea_orm::ConnectionTrait;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{Store, get, parse, statement};
use crate::Result;

/// Where one file of a composed message stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum TransferState {
    /// Waits for its media id, or for its turn.
    Waiting,
    Done,
    /// Cancelled, or the server gave up on it.
    Failed,
}

impl TransferState {
    fn as_str(self) -> &'static str {
        match self {
            Self::Waiting => "waiting",
            Self::Done => "done",
            Self::Failed => "failed",
        }
    }

    fn parse(text: &str) -> Self {
        match text {
            "done" => Self::Done,
            "failed" => Self::Failed,
            _ => Self::Waiting,
        }
    }
}

/// One file to upload for a composed message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transfer {
    /// The placeholder id the message named it by when composed.
    pub local_id: String,
    pub message_id: String,
    /// The server's id, once reserved.
    pub media_id: Option<String>,
    /// The file in the media folder.
    pub name: String,
    pub size: u64,
    pub done: u64,
    pub state: TransferState,
}

fn transfer(row: &sea_orm::QueryResult) -> Result<Transfer> {
    Ok(Transfer {
        local_id: get(row, "local_id")?,
        message_id: get(row, "message_id")?,
        media_id: get(row, "media_id")?,
        name: get(row, "name")?,
        size: get::<i64>(row, "size")? as u64,
        done: get::<i64>(row, "done")? as u64,
        state: TransferState::parse(&get::<String>(row, "state")?),
    })
}

/// A tab of a chat's gallery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum GalleryTab {
    /// Pictures and videos.
    Media,
    /// Messages with a link (with or without a preview).
    Links,
    /// Documents and audio.
    Docs,
}

const TRANSFER_COLUMNS: &str = "local_id, message_id, media_id, name, size, done, state";

impl Store {
    /// Records the files a composed message uploads: `(placeholder id, file in the media
    /// folder, size)`, in order.
    pub async fn add_transfers(&self, message_id: &str, files: &[(String, String, u64)]) -> Result<()> {
        for (position, (local_id, name, size)) in files.iter().enumerate() {
            self.db
                .execute(statement(
                    "INSERT INTO transfers (local_id, message_id, media_id, name, size, done, state, position)
                     VALUES (?, ?, NULL, ?, ?, 0, 'waiting', ?)",
                    [
                        local_id.clone().into(),
                        message_id.into(),
                        name.clone().into(),
                        (*size as i64).into(),
                        (position as i64).into(),
                    ],
                ))
                .await?;
        }
        Ok(())
    }

    /// The files of one composed message, in order.
    pub async fn transfers_of(&self, message_id: &str) -> Result<Vec<Transfer>> {
        let rows = self
            .db
            .query_all(statement(
                &format!("SELECT {TRANSFER_COLUMNS} FROM transfers WHERE message_id = ? ORDER BY position"),
                [message_id.into()],
            ))
            .await?;
        rows.iter().map(transfer).collect()
    }

    /// The next file to upload: reserved, not done, oldest message first.
    pub async fn next_transfer(&self) -> Result<Option<Transfer>> {
        let row = self
            .db
            .query_one(statement(
                &format!(
                    "SELECT {TRANSFER_COLUMNS} FROM transfers WHERE state = 'waiting' AND media_id IS NOT NULL
                     ORDER BY rowid LIMIT 1"
                ),
                [],
            ))
            .await?;
        row.as_ref().map(transfer).transpose()
    }

    /// The server reserved `media_id` for the file composed as `local_id`: the queued message,
    /// the message shown, and the media folder name it by that id from now on.
    pub async fn reserved(&self, local_id: &str, media_id: &str) -> Result<()> {
        use sea_orm::TransactionTrait;
        let Some(row) = self
            .db
            .query_one(statement(
                &format!("SELECT {TRANSFER_COLUMNS} FROM transfers WHERE local_id = ?"),
                [local_id.into()],
            ))
            .await?
        else {
            return Ok(());
        };
        let found = transfer(&row)?;
        let txn = self.db.begin().await?;
        // Ids are 32 hex digits, unique: replacing the text replaces the id wherever it stands.
        for sql in [
            "UPDATE outbox SET frame = replace(frame, ?1, ?2) WHERE message_id = ?3",
            "UPDATE messages SET data = replace(data, ?1, ?2), confirmed = replace(confirmed, ?1, ?2) WHERE id = ?3",
            "UPDATE pending_actions SET action = replace(action, ?1, ?2) WHERE message_id = ?3",
        ] {
            txn.execute(statement(sql, [local_id.into(), media_id.into(), found.message_id.clone().into()])).await?;
        }
        txn.execute(statement(
            "UPDATE transfers SET media_id = ? WHERE local_id = ?",
            [media_id.into(), local_id.into()],
        ))
        .await?;
        // The file is mine already: never downloaded again.
        cache_own(&txn, media_id, &found.name, found.size).await?;
        txn.commit().await?;
        Ok(())
    }

    /// The queued message, as it is now (its media ids as reserved so far).
    pub async fn queued(&self, message_id: &str) -> Result<Option<NewMessage>> {
        let row =
            self.db.query_one(statement("SELECT frame FROM outbox WHERE message_id = ?", [message_id.into()])).await?;
        row.map(|row| parse(&get::<String>(&row, "frame")?)).transpose()
    }

    pub async fn transfer_progress(&self, local_id: &str, done: u64, state: TransferState) -> Result<()> {
        self.db
            .execute(statement(
                "UPDATE transfers SET done = ?, state = ? WHERE local_id = ?",
                [(done as i64).into(), state.as_str().into(), local_id.into()],
            ))
            .await?;
        Ok(())
    }

    /// Gives up every unfinished file of a message (cancelled).
    pub async fn fail_transfers(&self, message_id: &str) -> Result<Vec<Transfer>> {
        let unfinished: Vec<Transfer> =
            self.transfers_of(message_id).await?.into_iter().filter(|t| t.state == TransferState::Waiting).collect();
        self.db
            .execute(statement(
                "UPDATE transfers SET state = 'failed' WHERE message_id = ? AND state = 'waiting'",
                [message_id.into()],
            ))
            .await?;
        Ok(unfinished)
    }

    /// Takes a composed message back before it was sent (cancelled): it is gone from here.
    pub async fn unqueue(&self, message_id: &str) -> Result<bool> {
        use sea_orm::TransactionTrait;
        let transaction = self.db.begin().await?;
        let taken =
            transaction.execute(statement("DELETE FROM outbox WHERE message_id = ?", [message_id.into()])).await?;
        if taken.rows_affected() == 0 {
            transaction.commit().await?;
            return Ok(false);
        }
        for sql in [
            "DELETE FROM message_search WHERE rowid IN (SELECT rowid FROM messages WHERE id = ?)",
            "DELETE FROM messages WHERE id = ?",
            "DELETE FROM pending_actions WHERE message_id = ?",
        ] {
            transaction.execute(statement(sql, [message_id.into()])).await?;
        }
        transaction.commit().await?;
        Ok(true)
    }

    /// The file holding media `media_id` on this device, if it is whole here (and marks it used).
    pub async fn cached(&self, media_id: &str) -> Result<Option<std::path::PathBuf>> {
        let row = self
            .db
            .query_one(statement("SELECT file FROM media_cache WHERE media_id = ? AND complete = 1", [media_id.into()]))
            .await?;
        let Some(row) = row else { return Ok(None) };
        let path = self.media_dir.join(get::<String>(&row, "file")?);
        if !path.exists() {
            self.db.execute(statement("DELETE FROM media_cache WHERE media_id = ?", [media_id.into()])).await?;
            return Ok(None);
        }
        self.db
            .execute(statement(
                "UPDATE media_cache SET last_used = strftime('%s','now') * 1000 WHERE media_id = ?",
                [media_id.into()],
            ))
            .await?;
        Ok(Some(path))
    }

    /// A download of `media_id` is whole in the media folder as `file`.
    pub async fn downloaded(&self, media_id: &str, file: &str, size: u64) -> Result<()> {
        self.db
            .execute(statement(
                "INSERT OR REPLACE INTO media_cache (media_id, file, size, complete, own, last_used)
                 VALUES (?, ?, ?, 1, 0, strftime('%s','now') * 1000)",
                [media_id.into(), file.into(), (size as i64).into()],
            ))
            .await?;
        Ok(())
    }

    /// Bytes of downloaded media held (my own uploads are not counted: what is sent stays).
    pub async fn cache_bytes(&self) -> Result<u64> {
        let row = self
            .db
            .query_one(statement("SELECT COALESCE(SUM(size), 0) AS total FROM media_cache WHERE own = 0", []))
            .await?;
        Ok(row.map(|row| get::<i64>(&row, "total")).transpose()?.unwrap_or(0) as u64)
    }

    /// Deletes downloaded media, least recently used first, until at most `keep` bytes remain
    /// (0: all of it); answers how many bytes went.
    pub async fn trim_cache(&self, keep: u64) -> Result<u64> {
        let rows = self
            .db
            .query_all(statement(
                "SELECT media_id, file, size FROM media_cache WHERE own = 0 ORDER BY last_used DESC, rowid DESC",
                [],
            ))
            .await?;
        let (mut kept, mut freed) = (0u64, 0u64);
        for row in rows {
            let size = get::<i64>(&row, "size")? as u64;
            if kept + size <= keep {
                kept += size;
                continue;
            }
            let file: String = get(&row, "file")?;
            let _ = std::fs::remove_file(self.media_dir.join(&file));
            self.db
                .execute(statement(
                    "DELETE FROM media_cache WHERE media_id = ?",
                    [get::<String>(&row, "media_id")?.into()],
                ))
                .await?;
            freed += size;
        }
        Ok(freed)
    }

    /// A chat's gallery tab: its messages with such media (or links), newest first, `limit`
    /// before the place `before`.
    pub async fn gallery(
        &self,
        chat_id: &str,
        tab: GalleryTab,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<super::LocalMessage>> {
        let kinds = |list: &str| {
            format!(
                "json_extract(data, '$.content.kind') = 'media' AND EXISTS (SELECT 1 FROM \
                 json_each(data, '$.content.attachments') WHERE json_extract(value, '$.kind') IN ({list}))"
            )
        };
        let filter = match tab {
            GalleryTab::Media => kinds("'image', 'video'"),
            GalleryTab::Docs => kinds("'file', 'audio'"),
            GalleryTab::Links => "json_extract(data, '$.content.kind') = 'text' AND (json_extract(data, \
                                  '$.content.preview') IS NOT NULL OR json_extract(data, '$.content.text') LIKE \
                                  '%http%://%')"
                .to_owned(),
        };
        let rows = self
            .db
            .query_all(statement(
                &format!(
                    "SELECT data, status FROM messages WHERE chat_id = ? AND seq < ? AND visible = 1 AND deleted = 0 \
                     AND {live} AND {filter} ORDER BY seq DESC LIMIT ?",
                    live = super::LIVE
                ),
                [
                    chat_id.into(),
                    before.unwrap_or(i64::MAX).into(),
                    self.clock.now_ms().into(),
                    i64::from(limit).into(),
                ],
            ))
            .await?;
        rows.iter().map(super::local_of).collect()
    }
}

/// A file of mine (`file` in the media folder) now uploaded as `media_id`: never downloaded.
pub(super) async fn cache_own(db: &impl ConnectionTrait, media_id: &str, file: &str, size: u64) -> Result<()> {
    db.execute(statement(
        "INSERT OR REPLACE INTO media_cache (media_id, file, size, complete, own, last_used)
         VALUES (?, ?, ?, 1, 1, strftime('%s','now') * 1000)",
        [media_id.into(), file.into(), (size as i64).into()],
    ))
    .await?;
    Ok(())
}
