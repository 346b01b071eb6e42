//! The local store: chats, messages and the outbox of one signed-in account, in SQLite
//! through sea-orm. It is a cache of the server's changes feed (one cursor per chat), plus the
//! messages composed here that the server has not acknowledged yet — which survive a restart
//! and are sent, in order, when the connection returns.

use std::collections::BTreeMap;
use std::path::Path;
use std::str::FromStr;

use gkchat_proto::ErrorCode;
use gkchat_proto::chat::{ChatSummary, Content, Message, NewMessage, ReceiptUpdate, Target};
use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, QueryResult, SqlxSqliteConnector, Statement, Value};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{Error, Result};

/// Where a message of mine stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum SendStatus {
    /// Composed here; waiting for the server.
    Pending,
    /// Stored by the server (or received from it).
    Sent,
    /// The server refused it; it will not be retried.
    Failed { code: ErrorCode, message: String },
}

/// A message as this device shows it. A pending message has `seq` 0 and, until its direct
/// chat exists, the chat key `user:<peer id>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct LocalMessage {
    pub message: Message,
    pub status: SendStatus,
}

/// A message that matched a search, with the matching words marked `[` … `]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SearchHit {
    pub message: LocalMessage,
    pub snippet: String,
}

/// Turns what a person typed into an FTS5 query: every word must appear, as a prefix.
fn fts_query(text: &str) -> Option<String> {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| format!("\"{}\"*", w.replace('"', "\"\"")))
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

/// The chat key of messages to `peer_id` before their direct chat exists.
pub fn pending_chat_key(peer_id: &str) -> String {
    format!("user:{peer_id}")
}

const SCHEMA: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS chats (
        id TEXT PRIMARY KEY,
        peer_user_id TEXT,
        summary TEXT NOT NULL,
        cursor INTEGER NOT NULL DEFAULT 0
    )",
    "CREATE TABLE IF NOT EXISTS messages (
        id TEXT PRIMARY KEY,
        chat_key TEXT NOT NULL,
        seq INTEGER,
        updated_seq INTEGER NOT NULL,
        sender_id TEXT NOT NULL,
        sent_at INTEGER NOT NULL,
        visible INTEGER NOT NULL,
        deleted INTEGER NOT NULL,
        status TEXT NOT NULL,
        data TEXT NOT NULL
    )",
    "CREATE INDEX IF NOT EXISTS idx_messages_chat_seq ON messages (chat_key, seq)",
    // Full-text search over the messages this device holds; rowid = messages.rowid.
    "CREATE VIRTUAL TABLE IF NOT EXISTS message_search USING fts5(body, chat_key UNINDEXED, tokenize = 'unicode61 remove_diacritics 2')",
    "CREATE TABLE IF NOT EXISTS outbox (
        position INTEGER PRIMARY KEY AUTOINCREMENT,
        message_id TEXT NOT NULL UNIQUE,
        frame TEXT NOT NULL
    )",
];

/// One account's local store.
#[derive(Debug, Clone)]
pub struct Store {
    db: DatabaseConnection,
    user_id: String,
}

async fn advance_cursor(db: &impl ConnectionTrait, chat_id: &str, seq: i64) -> Result<()> {
    db.execute(statement("UPDATE chats SET cursor = MAX(cursor, ?) WHERE id = ?", [seq.into(), chat_id.into()]))
        .await?;
    Ok(())
}

/// See [`Store::apply`].
async fn apply(db: &impl ConnectionTrait, message: &Message) -> Result<bool> {
    let result = db
        .execute(statement(
            "INSERT INTO messages (id, chat_key, seq, updated_seq, sender_id, sent_at, visible, deleted, status, data)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'sent', ?)
             ON CONFLICT (id) DO UPDATE SET chat_key = excluded.chat_key, seq = excluded.seq,
                updated_seq = excluded.updated_seq, sent_at = excluded.sent_at, visible = excluded.visible,
                deleted = excluded.deleted, status = 'sent', data = excluded.data
             WHERE messages.status <> 'sent' OR excluded.updated_seq > messages.updated_seq",
            [
                message.id.clone().into(),
                message.chat_id.clone().into(),
                message.seq.into(),
                message.updated_seq.into(),
                message.sender_id.clone().into(),
                message.sent_at.into(),
                (!message.hidden).into(),
                message.deleted_at.is_some().into(),
                json(message)?.into(),
            ],
        ))
        .await?;
    let changed = result.rows_affected() > 0;
    if changed {
        index(db, &message.id).await?;
    }
    Ok(changed)
}

/// Puts a message's current text into the search index (or takes it out).
async fn index(db: &impl ConnectionTrait, message_id: &str) -> Result<()> {
    let Some(row) = db
        .query_one(statement(
            "SELECT rowid AS r, chat_key, visible, deleted, data FROM messages WHERE id = ?",
            [message_id.into()],
        ))
        .await?
    else {
        return Ok(());
    };
    let rowid: i64 = get(&row, "r")?;
    db.execute(statement("DELETE FROM message_search WHERE rowid = ?", [rowid.into()])).await?;
    let message: Message = parse(&get::<String>(&row, "data")?)?;
    let searchable = get::<bool>(&row, "visible")? && !get::<bool>(&row, "deleted")?;
    if let (true, Some(Content::Text { text })) = (searchable, message.content) {
        db.execute(statement(
            "INSERT INTO message_search (rowid, body, chat_key) VALUES (?, ?, ?)",
            [rowid.into(), text.into(), get::<String>(&row, "chat_key")?.into()],
        ))
        .await?;
    }
    Ok(())
}

fn json<T: Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| Error::Store(e.to_string()))
}

fn parse<T: for<'de> Deserialize<'de>>(text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| Error::Store(format!("unreadable row: {e}")))
}

fn statement(sql: &str, values: impl IntoIterator<Item = Value>) -> Statement {
    Statement::from_sql_and_values(DbBackend::Sqlite, sql, values)
}

fn get<T: sea_orm::TryGetable>(row: &QueryResult, column: &str) -> Result<T> {
    row.try_get("", column).map_err(|e| Error::Store(e.to_string()))
}

impl Store {
    /// Opens (creating) the store at `path`, or an in-memory one for `None`.
    pub async fn open(path: Option<&Path>, user_id: &str) -> Result<Self> {
        let url = match path {
            Some(path) => format!("sqlite://{}", path.display()),
            None => "sqlite::memory:".to_owned(),
        };
        let options = SqliteConnectOptions::from_str(&url)
            .map_err(|e| Error::Store(e.to_string()))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal);
        // One connection: an in-memory database lives in it, and the store is one writer.
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await
            .map_err(|e| Error::Store(e.to_string()))?;
        let db = SqlxSqliteConnector::from_sqlx_sqlite_pool(pool);
        for sql in SCHEMA {
            db.execute_unprepared(sql).await?;
        }
        Ok(Self { db, user_id: user_id.to_owned() })
    }

    pub fn user_id(&self) -> &str {
        &self.user_id
    }

    /// My chats as tiles: pinned first, then by last activity; unread counts and last messages
    /// from what this device holds (pending messages included).
    pub async fn chats(&self) -> Result<Vec<ChatSummary>> {
        let rows = self.db.query_all(statement("SELECT id, summary FROM chats", [])).await?;
        let mut chats = Vec::with_capacity(rows.len());
        for row in rows {
            let mut summary: ChatSummary = parse(&get::<String>(&row, "summary")?)?;
            self.refresh_tile(&mut summary).await?;
            chats.push(summary);
        }
        chats.sort_by(|a, b| {
            (b.pinned_at.is_some(), b.pinned_at, b.last_activity_at).cmp(&(
                a.pinned_at.is_some(),
                a.pinned_at,
                a.last_activity_at,
            ))
        });
        Ok(chats)
    }

    pub async fn chat(&self, chat_id: &str) -> Result<Option<ChatSummary>> {
        let row = self.db.query_one(statement("SELECT summary FROM chats WHERE id = ?", [chat_id.into()])).await?;
        match row {
            None => Ok(None),
            Some(row) => {
                let mut summary: ChatSummary = parse(&get::<String>(&row, "summary")?)?;
                self.refresh_tile(&mut summary).await?;
                Ok(Some(summary))
            }
        }
    }

    /// The direct chat with `peer_id`, if this device knows it.
    pub async fn direct_chat_with(&self, peer_id: &str) -> Result<Option<String>> {
        let row = self.db.query_one(statement("SELECT id FROM chats WHERE peer_user_id = ?", [peer_id.into()])).await?;
        row.map(|row| get::<String>(&row, "id")).transpose()
    }

    async fn refresh_tile(&self, summary: &mut ChatSummary) -> Result<()> {
        let unread = self
            .db
            .query_one(statement(
                "SELECT COUNT(*) AS n FROM messages WHERE chat_key = ? AND seq > ? AND sender_id <> ? AND visible = 1 AND deleted = 0",
                [summary.id.clone().into(), summary.my_read_seq.into(), self.user_id.clone().into()],
            ))
            .await?
            .map(|row| get::<i64>(&row, "n"))
            .transpose()?
            .unwrap_or(0);
        summary.unread = u32::try_from(unread).unwrap_or(u32::MAX);
        let latest = self
            .db
            .query_one(statement(
                "SELECT data, status FROM messages WHERE chat_key = ? AND visible = 1
                 ORDER BY seq IS NULL DESC, seq DESC, sent_at DESC LIMIT 1",
                [summary.id.clone().into()],
            ))
            .await?;
        if let Some(row) = latest {
            let message: Message = parse(&get::<String>(&row, "data")?)?;
            summary.last_activity_at = summary.last_activity_at.max(message.sent_at);
            summary.last_message = Some(message);
        }
        Ok(())
    }

    /// Stores a chat's tile as the server sent it (keeping this device's cursor). Receipt
    /// cursors only move forward: a tile fetched before my latest read does not undo it.
    pub async fn upsert_chat(&self, summary: &ChatSummary) -> Result<()> {
        let peer = summary.peer.as_ref().map(|p| p.user_id.clone());
        // Cursors only move forward, merged inside the one statement: a tile read before a
        // concurrent write (a receipt echo racing `mark_read`) cannot put an older one back.
        self.db
            .execute(statement(
                "INSERT INTO chats (id, peer_user_id, summary) VALUES (?, ?, ?)
                 ON CONFLICT (id) DO UPDATE SET peer_user_id = excluded.peer_user_id, summary = json_set(
                   excluded.summary,
                   '$.my_delivered_seq', MAX(json_extract(excluded.summary, '$.my_delivered_seq'), json_extract(chats.summary, '$.my_delivered_seq')),
                   '$.my_read_seq', MAX(json_extract(excluded.summary, '$.my_read_seq'), json_extract(chats.summary, '$.my_read_seq')),
                   '$.peer_delivered_seq', MAX(json_extract(excluded.summary, '$.peer_delivered_seq'), json_extract(chats.summary, '$.peer_delivered_seq')),
                   '$.peer_read_seq', MAX(json_extract(excluded.summary, '$.peer_read_seq'), json_extract(chats.summary, '$.peer_read_seq')),
                   '$.last_seq', MAX(json_extract(excluded.summary, '$.last_seq'), json_extract(chats.summary, '$.last_seq')))",
                [summary.id.clone().into(), peer.clone().into(), json(summary)?.into()],
            ))
            .await?;
        // Messages composed before the chat existed move into it.
        if let Some(peer) = peer {
            self.db
                .execute(statement(
                    "UPDATE messages SET chat_key = ? WHERE chat_key = ?",
                    [summary.id.clone().into(), pending_chat_key(&peer).into()],
                ))
                .await?;
        }
        Ok(())
    }

    /// Applies a receipt update to the tile it belongs to.
    pub async fn apply_receipt(&self, update: &ReceiptUpdate) -> Result<Option<ChatSummary>> {
        let Some(mut summary) = self.chat(&update.chat_id).await? else { return Ok(None) };
        if update.user_id == self.user_id {
            summary.my_delivered_seq = summary.my_delivered_seq.max(update.delivered_seq);
            summary.my_read_seq = summary.my_read_seq.max(update.read_seq);
        } else {
            summary.peer_delivered_seq = summary.peer_delivered_seq.max(update.delivered_seq);
            summary.peer_read_seq = summary.peer_read_seq.max(update.read_seq);
        }
        self.upsert_chat(&summary).await?;
        Ok(Some(summary))
    }

    /// Chat id → the highest change applied, for the next sync.
    pub async fn cursors(&self) -> Result<BTreeMap<String, i64>> {
        let rows = self.db.query_all(statement("SELECT id, cursor FROM chats", [])).await?;
        rows.iter().map(|row| Ok((get::<String>(row, "id")?, get::<i64>(row, "cursor")?))).collect()
    }

    pub async fn cursor(&self, chat_id: &str) -> Result<Option<i64>> {
        let row = self.db.query_one(statement("SELECT cursor FROM chats WHERE id = ?", [chat_id.into()])).await?;
        row.map(|row| get::<i64>(&row, "cursor")).transpose()
    }

    pub async fn advance_cursor(&self, chat_id: &str, seq: i64) -> Result<()> {
        advance_cursor(&self.db, chat_id, seq).await
    }

    /// Stores a message from the server unless this device holds a newer version; true when
    /// it changed anything.
    pub async fn apply(&self, message: &Message) -> Result<bool> {
        apply(&self.db, message).await
    }

    /// A page of the changes feed in one transaction (a catch-up of thousands of messages costs
    /// one commit a page, not one a message): each message applied, each chat's cursor moved to
    /// its newest change here.
    pub async fn apply_page(&self, messages: &[Message]) -> Result<()> {
        use sea_orm::TransactionTrait;
        let transaction = self.db.begin().await?;
        let mut newest: BTreeMap<&str, i64> = BTreeMap::new();
        for message in messages {
            apply(&transaction, message).await?;
            let seq = newest.entry(&message.chat_id).or_default();
            *seq = (*seq).max(message.updated_seq);
        }
        for (chat_id, seq) in newest {
            advance_cursor(&transaction, chat_id, seq).await?;
        }
        transaction.commit().await?;
        Ok(())
    }

    /// Messages this device holds whose text matches `text` (every word, as a prefix), newest
    /// first; only in `chat_key` when given.
    pub async fn search(&self, text: &str, chat_key: Option<&str>, limit: u32) -> Result<Vec<SearchHit>> {
        let Some(query) = fts_query(text) else { return Ok(Vec::new()) };
        let rows = self
            .db
            .query_all(statement(
                "SELECT m.data, m.status, snippet(message_search, 0, '[', ']', '…', 12) AS snippet
                 FROM message_search JOIN messages m ON m.rowid = message_search.rowid
                 WHERE message_search MATCH ? AND (? IS NULL OR m.chat_key = ?)
                 ORDER BY m.sent_at DESC LIMIT ?",
                [query.into(), chat_key.into(), chat_key.into(), i64::from(limit).into()],
            ))
            .await?;
        rows.iter()
            .map(|row| {
                Ok(SearchHit {
                    message: LocalMessage {
                        message: parse(&get::<String>(row, "data")?)?,
                        status: parse(&get::<String>(row, "status")?).unwrap_or(SendStatus::Sent),
                    },
                    snippet: get(row, "snippet")?,
                })
            })
            .collect()
    }

    /// Messages of a chat (or pending chat key) in timeline order: the `limit` newest placed
    /// before `before` (all pending ones too when `before` is `None`).
    pub async fn messages(&self, chat_key: &str, before: Option<i64>, limit: u32) -> Result<Vec<LocalMessage>> {
        // Two queries, so the stored ones walk the (chat_key, seq) index backwards and stop at
        // `limit` instead of sorting the whole chat: pending ones (no seq yet, the newest) only
        // on the first page.
        let mut rows = Vec::new();
        if before.is_none() {
            rows = self
                .db
                .query_all(statement(
                    "SELECT data, status FROM messages WHERE chat_key = ? AND visible = 1 AND seq IS NULL
                     ORDER BY sent_at DESC LIMIT ?",
                    [chat_key.into(), i64::from(limit).into()],
                ))
                .await?;
        }
        let left = i64::from(limit) - rows.len() as i64;
        if left > 0 {
            rows.extend(
                self.db
                    .query_all(statement(
                        "SELECT data, status FROM messages WHERE chat_key = ? AND seq < ? AND visible = 1
                         ORDER BY seq DESC LIMIT ?",
                        [chat_key.into(), before.unwrap_or(i64::MAX).into(), left.into()],
                    ))
                    .await?,
            );
        }
        let mut list = rows
            .iter()
            .map(|row| {
                Ok(LocalMessage {
                    message: parse(&get::<String>(row, "data")?)?,
                    status: parse(&get::<String>(row, "status")?).unwrap_or(SendStatus::Sent),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        list.reverse();
        Ok(list)
    }

    /// The lowest `seq` this device holds for a chat (where older history starts).
    pub async fn oldest_seq(&self, chat_id: &str) -> Result<Option<i64>> {
        let row = self
            .db
            .query_one(statement(
                "SELECT MIN(seq) AS s FROM messages WHERE chat_key = ? AND seq IS NOT NULL",
                [chat_id.into()],
            ))
            .await?;
        Ok(row.and_then(|row| get::<Option<i64>>(&row, "s").ok().flatten()))
    }

    /// Where messages to `to` are kept here: its chat, or `user:<id>` before that chat exists.
    pub async fn chat_key_for(&self, to: &Target) -> Result<String> {
        Ok(match to {
            Target::Chat(id) => id.clone(),
            Target::User(peer) => self.direct_chat_with(peer).await?.unwrap_or_else(|| pending_chat_key(peer)),
        })
    }

    /// Composes a message here: shown at once as pending and queued for sending.
    pub async fn enqueue(&self, new: &NewMessage, now_ms: i64) -> Result<LocalMessage> {
        let chat_key = self.chat_key_for(&new.to).await?;
        let local = LocalMessage {
            message: Message {
                id: new.id.clone(),
                chat_id: chat_key.clone(),
                seq: 0,
                updated_seq: 0,
                sender_id: self.user_id.clone(),
                content: Some(new.content.clone()),
                reply_to: new.reply_to.clone(),
                forwarded: new.forwarded,
                sent_at: now_ms,
                edited_at: None,
                deleted_at: None,
                reactions: Vec::new(),
                hidden: false,
            },
            status: SendStatus::Pending,
        };
        let status = json(&local.status)?;
        self.db
            .execute(statement(
                "INSERT INTO messages (id, chat_key, seq, updated_seq, sender_id, sent_at, visible, deleted, status, data)
                 VALUES (?, ?, NULL, 0, ?, ?, 1, 0, ?, ?)",
                [
                    new.id.clone().into(),
                    chat_key.into(),
                    self.user_id.clone().into(),
                    now_ms.into(),
                    status.into(),
                    json(&local.message)?.into(),
                ],
            ))
            .await?;
        self.db
            .execute(statement(
                "INSERT INTO outbox (message_id, frame) VALUES (?, ?)",
                [new.id.clone().into(), json(new)?.into()],
            ))
            .await?;
        index(&self.db, &new.id).await?;
        Ok(local)
    }

    /// What waits to be sent, oldest first.
    pub async fn outbox(&self) -> Result<Vec<NewMessage>> {
        let rows = self.db.query_all(statement("SELECT frame FROM outbox ORDER BY position", [])).await?;
        rows.iter().map(|row| parse(&get::<String>(row, "frame")?)).collect()
    }

    /// The server stored it: the pending row becomes the stored message.
    pub async fn sent(&self, stored: &Message) -> Result<()> {
        self.apply(stored).await?;
        self.db.execute(statement("DELETE FROM outbox WHERE message_id = ?", [stored.id.clone().into()])).await?;
        Ok(())
    }

    /// The server refused it for good.
    pub async fn failed(&self, message_id: &str, code: ErrorCode, message: &str) -> Result<()> {
        let status = json(&SendStatus::Failed { code, message: message.to_owned() })?;
        self.db
            .execute(statement("UPDATE messages SET status = ? WHERE id = ?", [status.into(), message_id.into()]))
            .await?;
        self.db.execute(statement("DELETE FROM outbox WHERE message_id = ?", [message_id.into()])).await?;
        Ok(())
    }

    /// The text of one of my messages, e.g. to copy it.
    pub async fn content(&self, message_id: &str) -> Result<Option<Content>> {
        let row = self.db.query_one(statement("SELECT data FROM messages WHERE id = ?", [message_id.into()])).await?;
        match row {
            None => Ok(None),
            Some(row) => Ok(parse::<Message>(&get::<String>(&row, "data")?)?.content),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(id: &str, seq: i64, updated_seq: i64, text: &str) -> Message {
        Message {
            id: id.into(),
            chat_id: "c1".into(),
            seq,
            updated_seq,
            sender_id: "peer".into(),
            content: Some(Content::Text { text: text.into() }),
            reply_to: None,
            forwarded: false,
            sent_at: seq,
            edited_at: None,
            deleted_at: None,
            reactions: Vec::new(),
            hidden: false,
        }
    }

    #[tokio::test]
    async fn keeps_the_newest_version_and_survives_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.db");
        let store = Store::open(Some(&path), "me").await.unwrap();
        assert!(store.apply(&stored("m1", 1, 3, "edited")).await.unwrap());
        assert!(!store.apply(&stored("m1", 1, 1, "original")).await.unwrap(), "older version ignored");
        let new = NewMessage {
            id: "m2".into(),
            to: Target::User("peer".into()),
            content: Content::Text { text: "queued".into() },
            reply_to: None,
            forwarded: false,
        };
        store.enqueue(&new, 10).await.unwrap();
        drop(store);

        let store = Store::open(Some(&path), "me").await.unwrap();
        assert_eq!(store.outbox().await.unwrap(), std::slice::from_ref(&new));
        let pending = store.messages(&pending_chat_key("peer"), None, 10).await.unwrap();
        assert_eq!(pending[0].status, SendStatus::Pending);
        let shown = store.messages("c1", None, 10).await.unwrap();
        assert_eq!(shown[0].message.content, Some(Content::Text { text: "edited".into() }));
        let mut acked = stored("m2", 2, 2, "queued");
        acked.sender_id = "me".into();
        store.sent(&acked).await.unwrap();
        assert!(store.outbox().await.unwrap().is_empty());
        assert_eq!(store.messages("c1", None, 10).await.unwrap().len(), 2);
    }

    #[tokio::test]
    async fn a_stale_tile_never_moves_cursors_back() {
        let store = Store::open(None, "me").await.unwrap();
        let tile = |read: i64, pinned: Option<i64>| ChatSummary {
            id: "c1".into(),
            kind: gkchat_proto::chat::ChatKind::Direct,
            peer: None,
            last_seq: read,
            last_message: None,
            unread: 0,
            last_activity_at: 1,
            my_delivered_seq: read,
            my_read_seq: read,
            peer_delivered_seq: read,
            peer_read_seq: read,
            pinned_at: pinned,
            archived: false,
            muted_until: None,
        };
        store.upsert_chat(&tile(5, None)).await.unwrap();
        // Read before that write (say, a receipt echo racing mark_read), written after it.
        store.upsert_chat(&tile(2, Some(9))).await.unwrap();
        let merged = store.chat("c1").await.unwrap().unwrap();
        let cursors = (merged.last_seq, merged.my_delivered_seq, merged.my_read_seq, merged.peer_delivered_seq);
        assert_eq!((cursors, merged.peer_read_seq), ((5, 5, 5, 5), 5));
        assert_eq!(merged.pinned_at, Some(9), "everything else is the newer write's");
    }

    #[tokio::test]
    async fn searches_the_current_text_by_word_prefixes() {
        let store = Store::open(None, "me").await.unwrap();
        store.apply(&stored("m1", 1, 1, "Meet at the café at noon")).await.unwrap();
        store.apply(&stored("m2", 2, 2, "the cafeteria is closed")).await.unwrap();
        let hits = store.search("cafe", None, 10).await.unwrap();
        assert_eq!(hits.iter().map(|h| h.message.message.id.as_str()).collect::<Vec<_>>(), ["m2", "m1"]);
        assert!(hits[1].snippet.contains("[café]"), "{}", hits[1].snippet);
        assert_eq!(store.search("noon meet", Some("c1"), 10).await.unwrap().len(), 1);
        assert!(store.search("noon", Some("other"), 10).await.unwrap().is_empty());
        assert!(store.search("\"*()", None, 10).await.unwrap().is_empty(), "punctuation only");
        // An edit replaces the indexed text; a delete for everyone removes it.
        store.apply(&stored("m1", 1, 3, "Meet at the station")).await.unwrap();
        let after_edit = store.search("café", None, 10).await.unwrap();
        assert_eq!(
            after_edit.iter().map(|h| h.message.message.id.as_str()).collect::<Vec<_>>(),
            ["m2"],
            "only the cafeteria now"
        );
        let mut deleted = stored("m2", 2, 4, "");
        deleted.content = None;
        deleted.deleted_at = Some(4);
        store.apply(&deleted).await.unwrap();
        assert!(store.search("cafeteria", None, 10).await.unwrap().is_empty());
    }
}
