//! The local store: chats, their members, messages and the outbox of one signed-in account, in
//! SQLite through sea-orm. It is a cache of the server's changes feed (one cursor per chat) and
//! member lists (one version per chat), plus the messages composed here that the server has not
//! acknowledged yet — which survive a restart and are sent, in order, when the connection
//! returns. Its schema evolves by ordered migrations (`migrations`).

mod actions;
pub use actions::QueuedAction;
mod expiry;
pub use expiry::tombstone;
mod media;
pub use media::{GalleryTab, Transfer, TransferState};
mod migrations;
mod reminders;
mod status;
pub use reminders::Reminder;

use std::collections::BTreeMap;
use std::path::Path;
use std::str::FromStr;

use gkchat_proto::ErrorCode;
use gkchat_proto::chat::{
    ChatKind, ChatMember, ChatMembers, ChatSummary, Content, MemberRole, Message, NewMessage, ReceiptUpdate,
};
use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, QueryResult, SqlxSqliteConnector, Statement, Value};
use sea_orm_migration::MigratorTrait;
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

/// A message as this device shows it. A pending message has `seq` 0.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct LocalMessage {
    pub message: Message,
    pub status: SendStatus,
}

/// A chat's tile as this device shows it: the server's tile (unread counts and the last message
/// from what this device holds) and, in a direct chat, the other person, from its members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct LocalChat {
    #[serde(flatten)]
    pub summary: ChatSummary,
    pub other_member: Option<ChatMember>,
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

/// One account's local store.
#[derive(Debug, Clone)]
pub struct Store {
    db: DatabaseConnection,
    user_id: String,
    /// Where this account's media files are (its uploads, what it downloaded).
    media_dir: std::path::PathBuf,
    /// What is listed goes by it: a message whose time is up never shows, even before the
    /// timers drop it.
    clock: crate::Clock,
}

/// Not shown once its time is up (by the store's clock: bind its time where this stands).
const LIVE: &str = "(expires_at IS NULL OR expires_at > ?)";

/// The columns a message's row derives from it: shown (not hidden by me, not expired),
/// deleted, starred, and when it expires here (never once kept or expired).
fn derived(message: &Message) -> [Value; 4] {
    let expires_at = if message.kept || message.expired { None } else { message.expires_at };
    [
        (!message.hidden && !message.expired).into(),
        message.deleted_at.is_some().into(),
        message.starred.into(),
        expires_at.into(),
    ]
}

/// A `data, status` row as the message it shows.
pub(crate) fn local_of(row: &QueryResult) -> Result<LocalMessage> {
    Ok(LocalMessage {
        message: parse(&get::<String>(row, "data")?)?,
        status: parse(&get::<String>(row, "status")?).unwrap_or(SendStatus::Sent),
    })
}

async fn advance_cursor(db: &impl ConnectionTrait, chat_id: &str, seq: i64) -> Result<()> {
    db.execute(statement("UPDATE chats SET cursor = MAX(cursor, ?) WHERE id = ?", [seq.into(), chat_id.into()]))
        .await?;
    Ok(())
}

/// See [`Store::apply`]; the media a message that lost its content (deleted for everyone,
/// expired) used are added to `dropped`, for the caller to take out of the cache.
async fn apply(db: &impl ConnectionTrait, me: &str, message: &Message, dropped: &mut Vec<String>) -> Result<bool> {
    let before = match message.content {
        Some(_) => None,
        None => db.query_one(statement("SELECT data FROM messages WHERE id = ?", [message.id.clone().into()])).await?,
    };
    let result = db
        .execute(statement(
            "INSERT INTO messages (id, chat_id, seq, updated_seq, sender_id, sent_at, visible, deleted, starred,
                expires_at, status, data)
             SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'sent', ?
             WHERE NOT EXISTS (SELECT 1 FROM chats WHERE id = ? AND cleared_seq >= ? AND NOT (clear_keeps_starred AND ?))
             ON CONFLICT (id) DO UPDATE SET chat_id = excluded.chat_id, seq = excluded.seq,
                updated_seq = excluded.updated_seq, sent_at = excluded.sent_at, visible = excluded.visible,
                deleted = excluded.deleted, starred = excluded.starred, expires_at = excluded.expires_at,
                status = 'sent', data = excluded.data
             WHERE messages.status <> 'sent' OR excluded.updated_seq > messages.updated_seq",
            [
                message.id.clone().into(),
                message.chat_id.clone().into(),
                message.seq.into(),
                message.updated_seq.into(),
                message.sender_id.clone().into(),
                message.sent_at.into(),
            ]
            .into_iter()
            .chain(derived(message))
            .chain([
                json(message)?.into(),
                // Deleted for me up to there (here or on another device): never listed again,
                // even when a catch-up read before the deletion arrives after it.
                message.chat_id.clone().into(),
                message.seq.into(),
                message.starred.into(),
            ]),
        ))
        .await?;
    let changed = result.rows_affected() > 0;
    if !changed && !message.starred {
        // A message a clear kept while starred goes once unstarred (a newer version says so).
        let kept = db
            .query_one(statement(
                "SELECT 1 AS k FROM messages m JOIN chats c ON c.id = m.chat_id
                 WHERE m.id = ? AND m.updated_seq < ? AND c.cleared_seq >= m.seq",
                [message.id.clone().into(), message.updated_seq.into()],
            ))
            .await?;
        if kept.is_some() {
            forget_where(db, "id = ?", [message.id.clone().into()]).await?;
        }
    }
    if changed && let Some(before) = before {
        let before: Message = parse(&get::<String>(&before, "data")?)?;
        dropped.extend(before.content.iter().flat_map(Content::media_ids).map(str::to_owned));
    }
    if changed {
        derive(db, me, &message.id).await?;
        actions::reapply(db, me, message).await?;
    }
    Ok(changed)
}

/// Deletes the messages matching `condition` (over `messages`), with their search entries and
/// reminders.
async fn forget_where<const N: usize>(db: &impl ConnectionTrait, condition: &str, values: [Value; N]) -> Result<()> {
    db.execute(statement(
        &format!("DELETE FROM message_search WHERE rowid IN (SELECT rowid FROM messages WHERE {condition})"),
        values.clone(),
    ))
    .await?;
    db.execute(statement(
        &format!("DELETE FROM event_reminders WHERE message_id IN (SELECT id FROM messages WHERE {condition})"),
        values.clone(),
    ))
    .await?;
    db.execute(statement(&format!("DELETE FROM messages WHERE {condition}"), values)).await?;
    Ok(())
}

/// What the store keeps beside a message just written: its search entry, its reminder.
async fn derive(db: &impl ConnectionTrait, me: &str, message_id: &str) -> Result<()> {
    if let Some((message, visible)) = index(db, message_id).await? {
        reminders::track(db, me, &message, visible).await?;
    }
    Ok(())
}

/// Puts a message's current text into the search index (or takes it out); the message as stored
/// and whether it shows.
async fn index(db: &impl ConnectionTrait, message_id: &str) -> Result<Option<(Message, bool)>> {
    let Some(row) = db
        .query_one(statement(
            "SELECT rowid AS r, chat_id, visible, deleted, data FROM messages WHERE id = ?",
            [message_id.into()],
        ))
        .await?
    else {
        return Ok(None);
    };
    let rowid: i64 = get(&row, "r")?;
    db.execute(statement("DELETE FROM message_search WHERE rowid = ?", [rowid.into()])).await?;
    let message: Message = parse(&get::<String>(&row, "data")?)?;
    let visible = get::<bool>(&row, "visible")?;
    let searchable = visible && !get::<bool>(&row, "deleted")?;
    let text = message.content.as_ref().map(Content::searchable_text).unwrap_or_default();
    if searchable && !text.trim().is_empty() {
        db.execute(statement(
            "INSERT INTO message_search (rowid, body, chat_id) VALUES (?, ?, ?)",
            [rowid.into(), text.into(), get::<String>(&row, "chat_id")?.into()],
        ))
        .await?;
    }
    Ok(Some((message, visible)))
}

pub(crate) fn json<T: Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| Error::Store(e.to_string()))
}

pub(crate) fn parse<T: for<'de> Deserialize<'de>>(text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| Error::Store(format!("unreadable row: {e}")))
}

pub(crate) fn statement(sql: &str, values: impl IntoIterator<Item = Value>) -> Statement {
    Statement::from_sql_and_values(DbBackend::Sqlite, sql, values)
}

pub(crate) fn get<T: sea_orm::TryGetable>(row: &QueryResult, column: &str) -> Result<T> {
    row.try_get("", column).map_err(|e| Error::Store(e.to_string()))
}

const CHAT_COLUMNS: &str =
    "id, kind, title, photo, member_count, my_role, only_admins_send, members_seq, last_seq, last_activity_at,
    my_delivered_seq, my_read_seq, delivered_to_all_seq, read_by_all_seq, pinned_at, archived, muted_until,
    cleared_seq, disappear_after_ms, only_admins_keep, clear_listed, clear_keeps_starred, background,
    shared_background, request";

/// A row of `tiles_sql` as the tile this device shows.
fn local_chat(row: &QueryResult) -> Result<LocalChat> {
    let mut summary = tile(row)?;
    summary.unread = u32::try_from(get::<i64>(row, "unread")?).unwrap_or(u32::MAX);
    if let Some(data) = get::<Option<String>>(row, "last_data")? {
        let message: Message = parse(&data)?;
        summary.last_activity_at = summary.last_activity_at.max(message.sent_at);
        summary.last_message = Some(message);
    }
    let other_member = match get::<Option<String>>(row, "peer_user_id")? {
        Some(_) => Some(member_as(row, "peer_")?),
        None => None,
    };
    Ok(LocalChat { summary, other_member })
}

/// A `chats` row as the tile it stores (unread count and last message filled in later).
fn tile(row: &QueryResult) -> Result<ChatSummary> {
    let kind: String = get(row, "kind")?;
    let role: Option<String> = get(row, "my_role")?;
    Ok(ChatSummary {
        id: get(row, "id")?,
        kind: ChatKind::parse(&kind).ok_or_else(|| Error::Store(format!("unknown chat kind {kind:?}")))?,
        title: get(row, "title")?,
        photo: get(row, "photo")?,
        member_count: get::<i64>(row, "member_count")?.try_into().unwrap_or(0),
        my_role: role.as_deref().and_then(MemberRole::parse),
        only_admins_send: get(row, "only_admins_send")?,
        only_admins_keep: get(row, "only_admins_keep")?,
        disappear_after_ms: get(row, "disappear_after_ms")?,
        members_seq: get(row, "members_seq")?,
        last_seq: get(row, "last_seq")?,
        cleared_seq: get(row, "cleared_seq")?,
        clear_listed: get(row, "clear_listed")?,
        clear_keeps_starred: get(row, "clear_keeps_starred")?,
        request: get(row, "request")?,
        background: get::<Option<String>>(row, "background")?.map(|json| parse(&json)).transpose()?,
        shared_background: get::<Option<String>>(row, "shared_background")?.map(|json| parse(&json)).transpose()?,
        last_message: None,
        unread: 0,
        last_activity_at: get(row, "last_activity_at")?,
        my_delivered_seq: get(row, "my_delivered_seq")?,
        my_read_seq: get(row, "my_read_seq")?,
        delivered_to_all_seq: get(row, "delivered_to_all_seq")?,
        read_by_all_seq: get(row, "read_by_all_seq")?,
        pinned_at: get(row, "pinned_at")?,
        archived: get(row, "archived")?,
        muted_until: get(row, "muted_until")?,
    })
}

fn member(row: &QueryResult) -> Result<ChatMember> {
    member_as(row, "")
}

/// A member from the columns named `<prefix>user_id`, `<prefix>username` and so on.
fn member_as(row: &QueryResult, prefix: &str) -> Result<ChatMember> {
    let column = |name: &str| format!("{prefix}{name}");
    let role: String = get(row, &column("role"))?;
    Ok(ChatMember {
        user_id: get(row, &column("user_id"))?,
        username: get(row, &column("username"))?,
        display_name: get(row, &column("display_name"))?,
        photo: get(row, &column("photo"))?,
        role: MemberRole::parse(&role).unwrap_or(MemberRole::Member),
        joined_at: get(row, &column("joined_at"))?,
    })
}

/// Tiles as this device shows them, in one statement (`?1` my user id, `?2` now; `filter` picks
/// the chats): the stored tile (`c`), the unread count from what this device holds, the last
/// message shown (`l`: a pending one first, else the newest placed one — each found through the
/// `(chat_id, seq)` index, not by sorting the chat) and a direct chat's other person (`p`).
fn tiles_sql(filter: &str) -> String {
    static COLUMNS: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        CHAT_COLUMNS.split(',').map(|column| format!("c.{}", column.trim())).collect::<Vec<_>>().join(", ")
    });
    const SHOWN: &str = "m.visible = 1 AND (m.expires_at IS NULL OR m.expires_at > ?2)";
    format!(
        "SELECT {columns},
            (SELECT COUNT(*) FROM messages m WHERE m.chat_id = c.id AND m.seq > c.my_read_seq
                AND m.sender_id <> ?1 AND m.deleted = 0 AND {SHOWN}) AS unread,
            l.data AS last_data,
            p.user_id AS peer_user_id, p.username AS peer_username, p.display_name AS peer_display_name,
            p.photo AS peer_photo, p.role AS peer_role, p.joined_at AS peer_joined_at
         FROM chats c
         LEFT JOIN messages l ON l.rowid = COALESCE(
            (SELECT m.rowid FROM messages m WHERE m.chat_id = c.id AND m.seq IS NULL AND {SHOWN}
                ORDER BY m.sent_at DESC LIMIT 1),
            (SELECT m.rowid FROM messages m WHERE m.chat_id = c.id AND m.seq IS NOT NULL AND {SHOWN}
                ORDER BY m.seq DESC LIMIT 1))
         LEFT JOIN members p ON c.kind = 'direct' AND p.rowid =
            (SELECT rowid FROM members WHERE chat_id = c.id AND user_id <> ?1 AND former = 0 LIMIT 1)
         {filter}",
        columns = *COLUMNS
    )
}

impl Store {
    /// Opens (creating) the store at `path`, or an in-memory one for `None`, and brings its
    /// schema up to date.
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
        migrations::Migrator::up(&db, None).await.map_err(|e| Error::Store(format!("upgrading the store: {e}")))?;
        // Beside the store file (`<store>.media/`); an in-memory store's in the temp folder.
        let media_dir = match path {
            Some(path) => path.with_extension("media"),
            None => std::env::temp_dir().join(format!("gkchat-media-{}", uuid::Uuid::new_v4().simple())),
        };
        std::fs::create_dir_all(&media_dir).map_err(|e| Error::Store(format!("{}: {e}", media_dir.display())))?;
        Ok(Self { db, user_id: user_id.to_owned(), media_dir, clock: crate::Clock::system() })
    }

    /// This store listing by `clock` (the messenger's).
    pub fn with_clock(self, clock: crate::Clock) -> Self {
        Self { clock, ..self }
    }

    pub fn user_id(&self) -> &str {
        &self.user_id
    }

    /// The folder of this account's media files.
    pub fn media_dir(&self) -> &Path {
        &self.media_dir
    }

    /// My chats as tiles: pinned first, then by last activity; unread counts and last messages
    /// from what this device holds (pending messages included). A chat I deleted has no last
    /// message until someone writes in it again (the list leaves it out until then).
    pub async fn chats(&self) -> Result<Vec<LocalChat>> {
        let rows = self.db.query_all(statement(&tiles_sql(""), self.tile_values([]))).await?;
        let mut chats = rows.iter().map(local_chat).collect::<Result<Vec<_>>>()?;
        chats.sort_by(|a, b| {
            let (a, b) = (&a.summary, &b.summary);
            (b.pinned_at.is_some(), b.pinned_at, b.last_activity_at).cmp(&(
                a.pinned_at.is_some(),
                a.pinned_at,
                a.last_activity_at,
            ))
        });
        Ok(chats)
    }

    pub async fn chat(&self, chat_id: &str) -> Result<Option<LocalChat>> {
        let sql = tiles_sql("WHERE c.id = ?3");
        let row = self.db.query_one(statement(&sql, self.tile_values([chat_id.into()]))).await?;
        row.as_ref().map(local_chat).transpose()
    }

    /// The values `tiles_sql` binds, then `more`.
    fn tile_values<const N: usize>(&self, more: [Value; N]) -> Vec<Value> {
        let mut values = vec![self.user_id.clone().into(), self.clock.now_ms().into()];
        values.extend(more);
        values
    }

    /// The members of a chat this device holds, oldest first.
    pub async fn members(&self, chat_id: &str) -> Result<Vec<ChatMember>> {
        self.member_rows(chat_id, false).await
    }

    /// Those who left the chat or were removed (for the names of what they did).
    pub async fn former_members(&self, chat_id: &str) -> Result<Vec<ChatMember>> {
        self.member_rows(chat_id, true).await
    }

    async fn member_rows(&self, chat_id: &str, former: bool) -> Result<Vec<ChatMember>> {
        let rows = self
            .db
            .query_all(statement(
                "SELECT user_id, username, display_name, photo, role, joined_at FROM members
                 WHERE chat_id = ? AND former = ? ORDER BY joined_at, display_name",
                [chat_id.into(), former.into()],
            ))
            .await?;
        rows.iter().map(member).collect()
    }

    /// The direct chat with `peer_id`, if this device knows it.
    pub async fn direct_chat_with(&self, peer_id: &str) -> Result<Option<String>> {
        let row = self
            .db
            .query_one(statement(
                "SELECT c.id FROM chats c JOIN members m ON m.chat_id = c.id WHERE c.kind = 'direct' AND m.user_id = ?",
                [peer_id.into()],
            ))
            .await?;
        row.map(|row| get::<String>(&row, "id")).transpose()
    }

    /// Stores a chat's tile as the server sent it (keeping this device's cursor). Receipt
    /// cursors only move forward, merged inside the one statement: a tile read before a
    /// concurrent write (a receipt echo racing `mark_read`) cannot put an older one back.
    pub async fn upsert_chat(&self, summary: &ChatSummary) -> Result<()> {
        self.db
            .execute(statement(
                &format!(
                    "INSERT INTO chats ({CHAT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                     ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, title = excluded.title,
                       photo = excluded.photo, member_count = excluded.member_count, my_role = excluded.my_role,
                       only_admins_send = excluded.only_admins_send, only_admins_keep = excluded.only_admins_keep,
                       disappear_after_ms = excluded.disappear_after_ms, background = excluded.background,
                       shared_background = excluded.shared_background, request = excluded.request,
                       members_seq = MAX(chats.members_seq, excluded.members_seq),
                       last_seq = MAX(chats.last_seq, excluded.last_seq),
                       last_activity_at = MAX(chats.last_activity_at, excluded.last_activity_at),
                       my_delivered_seq = MAX(chats.my_delivered_seq, excluded.my_delivered_seq),
                       my_read_seq = MAX(chats.my_read_seq, excluded.my_read_seq),
                       delivered_to_all_seq = MAX(chats.delivered_to_all_seq, excluded.delivered_to_all_seq),
                       read_by_all_seq = MAX(chats.read_by_all_seq, excluded.read_by_all_seq),
                       pinned_at = excluded.pinned_at, archived = excluded.archived,
                       muted_until = excluded.muted_until,
                       cleared_seq = MAX(chats.cleared_seq, excluded.cleared_seq),
                       clear_listed = CASE WHEN excluded.cleared_seq >= chats.cleared_seq
                         THEN excluded.clear_listed ELSE chats.clear_listed END,
                       clear_keeps_starred = CASE WHEN excluded.cleared_seq >= chats.cleared_seq
                         THEN excluded.clear_keeps_starred ELSE chats.clear_keeps_starred END"
                ),
                [
                    summary.id.clone().into(),
                    summary.kind.as_str().into(),
                    summary.title.clone().into(),
                    summary.photo.clone().into(),
                    i64::from(summary.member_count).into(),
                    summary.my_role.map(|r| r.as_str()).into(),
                    summary.only_admins_send.into(),
                    summary.members_seq.into(),
                    summary.last_seq.into(),
                    summary.last_activity_at.into(),
                    summary.my_delivered_seq.into(),
                    summary.my_read_seq.into(),
                    summary.delivered_to_all_seq.into(),
                    summary.read_by_all_seq.into(),
                    summary.pinned_at.into(),
                    summary.archived.into(),
                    summary.muted_until.into(),
                    summary.cleared_seq.into(),
                    summary.disappear_after_ms.into(),
                    summary.only_admins_keep.into(),
                    summary.clear_listed.into(),
                    summary.clear_keeps_starred.into(),
                    summary.background.as_ref().map(json).transpose()?.into(),
                    summary.shared_background.as_ref().map(json).transpose()?.into(),
                    summary.request.into(),
                ],
            ))
            .await?;
        if summary.cleared_seq > 0 {
            self.forget_up_to(&summary.id, summary.cleared_seq, summary.clear_keeps_starred).await?;
        }
        Ok(())
    }

    /// Drops a chat's messages up to `seq` (deleted or cleared for me, here or on another
    /// device) but the starred ones when `keep_starred`, with their search entries and reminders.
    async fn forget_up_to(&self, chat_id: &str, seq: i64, keep_starred: bool) -> Result<()> {
        use sea_orm::TransactionTrait;
        let transaction = self.db.begin().await?;
        forget_where(
            &transaction,
            "chat_id = ? AND seq IS NOT NULL AND seq <= ? AND NOT (? AND starred = 1)",
            [chat_id.into(), seq.into(), keep_starred.into()],
        )
        .await?;
        transaction.commit().await?;
        Ok(())
    }

    /// Replaces a chat's member list with the server's (as of its `members_seq`).
    pub async fn set_members(&self, list: &ChatMembers) -> Result<()> {
        use sea_orm::TransactionTrait;
        let transaction = self.db.begin().await?;
        transaction.execute(statement("DELETE FROM members WHERE chat_id = ?", [list.chat_id.clone().into()])).await?;
        let everyone = list.members.iter().map(|m| (m, false)).chain(list.former.iter().map(|m| (m, true)));
        for (member, former) in everyone {
            transaction
                .execute(statement(
                    "INSERT INTO members (chat_id, user_id, username, display_name, photo, role, joined_at, former)
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        list.chat_id.clone().into(),
                        member.user_id.clone().into(),
                        member.username.clone().into(),
                        member.display_name.clone().into(),
                        member.photo.clone().into(),
                        member.role.as_str().into(),
                        member.joined_at.into(),
                        former.into(),
                    ],
                ))
                .await?;
        }
        transaction
            .execute(statement(
                "UPDATE chats SET members_known_seq = ? WHERE id = ?",
                [list.members_seq.into(), list.chat_id.clone().into()],
            ))
            .await?;
        transaction.commit().await?;
        Ok(())
    }

    /// Chat id → the `members_seq` of the member list held here, for the next sync.
    pub async fn members_known(&self) -> Result<BTreeMap<String, i64>> {
        let rows = self
            .db
            .query_all(statement("SELECT id, members_known_seq FROM chats WHERE members_known_seq IS NOT NULL", []))
            .await?;
        rows.iter().map(|row| Ok((get::<String>(row, "id")?, get::<i64>(row, "members_known_seq")?))).collect()
    }

    /// Applies a receipt update to the tile it belongs to.
    pub async fn apply_receipt(&self, update: &ReceiptUpdate) -> Result<Option<LocalChat>> {
        self.db
            .execute(statement(
                "UPDATE chats SET my_delivered_seq = MAX(my_delivered_seq, ?), my_read_seq = MAX(my_read_seq, ?),
                   delivered_to_all_seq = MAX(delivered_to_all_seq, ?), read_by_all_seq = MAX(read_by_all_seq, ?)
                 WHERE id = ?",
                [
                    update.my_delivered_seq.into(),
                    update.my_read_seq.into(),
                    update.delivered_to_all_seq.into(),
                    update.read_by_all_seq.into(),
                    update.chat_id.clone().into(),
                ],
            ))
            .await?;
        self.chat(&update.chat_id).await
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
        let mut dropped = Vec::new();
        let changed = apply(&self.db, &self.user_id, message, &mut dropped).await?;
        self.forget_unused(dropped).await?;
        Ok(changed)
    }

    /// A page of the changes feed in one transaction (a catch-up of thousands of messages costs
    /// one commit a page, not one a message): each message applied, each chat's cursor moved to
    /// its newest change here.
    pub async fn apply_page(&self, messages: &[Message]) -> Result<()> {
        use sea_orm::TransactionTrait;
        let transaction = self.db.begin().await?;
        let mut newest: BTreeMap<&str, i64> = BTreeMap::new();
        let mut dropped = Vec::new();
        for message in messages {
            apply(&transaction, &self.user_id, message, &mut dropped).await?;
            let seq = newest.entry(&message.chat_id).or_default();
            *seq = (*seq).max(message.updated_seq);
        }
        for (chat_id, seq) in newest {
            advance_cursor(&transaction, chat_id, seq).await?;
        }
        transaction.commit().await?;
        self.forget_unused(dropped).await
    }

    /// Messages this device holds whose text matches `text` (every word, as a prefix), newest
    /// first; only in `chat_id` when given.
    pub async fn search(&self, text: &str, chat_id: Option<&str>, limit: u32) -> Result<Vec<SearchHit>> {
        let Some(query) = fts_query(text) else { return Ok(Vec::new()) };
        let rows = self
            .db
            .query_all(statement(
                &format!(
                    "SELECT m.data, m.status, snippet(message_search, 0, '[', ']', '…', 12) AS snippet
                     FROM message_search JOIN messages m ON m.rowid = message_search.rowid
                     WHERE message_search MATCH ? AND (? IS NULL OR m.chat_id = ?) AND {LIVE}
                     ORDER BY m.sent_at DESC LIMIT ?"
                ),
                [query.into(), chat_id.into(), chat_id.into(), self.clock.now_ms().into(), i64::from(limit).into()],
            ))
            .await?;
        rows.iter().map(|row| Ok(SearchHit { message: local_of(row)?, snippet: get(row, "snippet")? })).collect()
    }

    /// Messages of a chat in timeline order: the `limit` newest placed before `before` (all
    /// pending ones too when `before` is `None`).
    pub async fn messages(&self, chat_id: &str, before: Option<i64>, limit: u32) -> Result<Vec<LocalMessage>> {
        // Two queries, so the stored ones walk the (chat_id, seq) index backwards and stop at
        // `limit` instead of sorting the whole chat: pending ones (no seq yet, the newest) only
        // on the first page.
        let mut rows = Vec::new();
        if before.is_none() {
            rows = self
                .db
                .query_all(statement(
                    "SELECT data, status FROM messages WHERE chat_id = ? AND visible = 1 AND seq IS NULL
                     ORDER BY sent_at DESC LIMIT ?",
                    [chat_id.into(), i64::from(limit).into()],
                ))
                .await?;
        }
        let left = i64::from(limit) - rows.len() as i64;
        if left > 0 {
            rows.extend(
                self.db
                    .query_all(statement(
                        &format!(
                            "SELECT data, status FROM messages WHERE chat_id = ? AND seq < ? AND visible = 1 AND {LIVE}
                             ORDER BY seq DESC LIMIT ?"
                        ),
                        [chat_id.into(), before.unwrap_or(i64::MAX).into(), self.clock.now_ms().into(), left.into()],
                    ))
                    .await?,
            );
        }
        let mut list = rows.iter().map(local_of).collect::<Result<Vec<_>>>()?;
        list.reverse();
        Ok(list)
    }

    /// My starred messages, newest first: in one chat, or in all of them (at most `limit`).
    pub async fn starred(&self, chat_id: Option<&str>, limit: u32) -> Result<Vec<LocalMessage>> {
        let rows = self
            .db
            .query_all(statement(
                &format!(
                    "SELECT data, status FROM messages WHERE starred = 1 AND visible = 1 AND deleted = 0
                       AND (? IS NULL OR chat_id = ?) AND {LIVE}
                     ORDER BY sent_at DESC LIMIT ?"
                ),
                [chat_id.into(), chat_id.into(), self.clock.now_ms().into(), i64::from(limit).into()],
            ))
            .await?;
        rows.iter().map(local_of).collect()
    }

    /// The lowest `seq` this device holds for a chat (where older history starts).
    pub async fn oldest_seq(&self, chat_id: &str) -> Result<Option<i64>> {
        let row = self
            .db
            .query_one(statement(
                "SELECT MIN(seq) AS s FROM messages WHERE chat_id = ? AND seq IS NOT NULL",
                [chat_id.into()],
            ))
            .await?;
        Ok(row.and_then(|row| get::<Option<i64>>(&row, "s").ok().flatten()))
    }

    /// Composes a message here: shown at once as pending and queued for sending.
    pub async fn enqueue(&self, new: &NewMessage, now_ms: i64) -> Result<LocalMessage> {
        let local = LocalMessage {
            message: Message {
                id: new.id.clone(),
                chat_id: new.chat_id.clone(),
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
                votes: Vec::new(),
                tally: match &new.content {
                    Content::Poll { poll } => vec![0; poll.options.len()],
                    _ => Vec::new(),
                },
                rsvps: Vec::new(),
                hidden: false,
                starred: false,
                expires_at: None,
                kept: false,
                expired: false,
            },
            status: SendStatus::Pending,
        };
        let status = json(&local.status)?;
        self.db
            .execute(statement(
                "INSERT INTO messages (id, chat_id, seq, updated_seq, sender_id, sent_at, visible, deleted, status, data)
                 VALUES (?, ?, NULL, 0, ?, ?, 1, 0, ?, ?)",
                [
                    new.id.clone().into(),
                    new.chat_id.clone().into(),
                    self.user_id.clone().into(),
                    now_ms.into(),
                    status.into(),
                    json(&local.message)?.into(),
                ],
            ))
            .await?;
        self.db
            .execute(statement(
                "INSERT INTO outbox (message_id, chat_id, frame) VALUES (?, ?, ?)",
                [new.id.clone().into(), new.chat_id.clone().into(), json(new)?.into()],
            ))
            .await?;
        derive(&self.db, &self.user_id, &new.id).await?;
        Ok(local)
    }

    /// What waits to be sent, oldest first.
    pub async fn outbox(&self) -> Result<Vec<NewMessage>> {
        let rows = self.db.query_all(statement("SELECT frame FROM outbox ORDER BY position", [])).await?;
        rows.iter().map(|row| parse(&get::<String>(row, "frame")?)).collect()
    }

    /// Drops what this device still held unsent (pending or failed) for a chat I deleted.
    pub async fn drop_pending(&self, chat_id: &str) -> Result<()> {
        use sea_orm::TransactionTrait;
        let transaction = self.db.begin().await?;
        for sql in [
            "DELETE FROM message_search WHERE rowid IN (SELECT rowid FROM messages WHERE chat_id = ? AND seq IS NULL)",
            "DELETE FROM pending_actions WHERE message_id IN (SELECT id FROM messages WHERE chat_id = ? AND seq IS NULL)",
            "DELETE FROM event_reminders WHERE message_id IN (SELECT id FROM messages WHERE chat_id = ? AND seq IS NULL)",
            "DELETE FROM messages WHERE chat_id = ? AND seq IS NULL",
            "DELETE FROM outbox WHERE chat_id = ?",
        ] {
            transaction.execute(statement(sql, [chat_id.into()])).await?;
        }
        transaction.commit().await?;
        Ok(())
    }

    /// Chats this device wrote to before they were opened on the server (by an older release):
    /// (local chat id, the other person).
    pub async fn unopened_chats(&self) -> Result<Vec<(String, String)>> {
        let rows = self.db.query_all(statement("SELECT chat_id, peer_id FROM unopened_chats", [])).await?;
        rows.iter().map(|row| Ok((get::<String>(row, "chat_id")?, get::<String>(row, "peer_id")?))).collect()
    }

    /// An unopened chat was opened as `chat_id`: its messages (and their place in the outbox)
    /// move there.
    pub async fn opened(&self, local_id: &str, chat_id: &str) -> Result<()> {
        use sea_orm::TransactionTrait;
        let transaction = self.db.begin().await?;
        for sql in [
            "UPDATE messages SET chat_id = ?1, data = json_set(data, '$.chat_id', ?1) WHERE chat_id = ?2",
            "UPDATE message_search SET chat_id = ?1 WHERE chat_id = ?2",
            "UPDATE event_reminders SET chat_id = ?1 WHERE chat_id = ?2",
            "UPDATE outbox SET chat_id = ?1, frame = json_set(frame, '$.chat_id', ?1) WHERE chat_id = ?2",
        ] {
            transaction.execute(statement(sql, [chat_id.into(), local_id.into()])).await?;
        }
        transaction.execute(statement("DELETE FROM unopened_chats WHERE chat_id = ?", [local_id.into()])).await?;
        transaction.commit().await?;
        Ok(())
    }

    /// The server stored it: the pending row becomes the stored message. When it had been taken
    /// back from the outbox while on its way (it reached the server all the same), its deletion
    /// for everyone is queued in the same transaction; answers false then.
    pub async fn sent(&self, stored: &Message, now_ms: i64) -> Result<bool> {
        use sea_orm::TransactionTrait;
        let transaction = self.db.begin().await?;
        let taken = transaction
            .execute(statement("DELETE FROM outbox WHERE message_id = ?", [stored.id.clone().into()]))
            .await?;
        apply(&transaction, &self.user_id, stored, &mut Vec::new()).await?;
        let queued = taken.rows_affected() > 0;
        if !queued {
            let taken_back = gkchat_proto::chat::MessageAction::DeleteForEveryone;
            actions::queue(&transaction, &self.user_id, &stored.chat_id, &stored.id, &taken_back, now_ms).await?;
        }
        transaction.commit().await?;
        Ok(queued)
    }

    /// Drops a message the server refused (failed): it was never sent, so it only goes from here.
    pub async fn drop_failed(&self, message_id: &str) -> Result<bool> {
        use sea_orm::TransactionTrait;
        let transaction = self.db.begin().await?;
        transaction
            .execute(statement(
                "DELETE FROM message_search WHERE rowid IN (SELECT rowid FROM messages WHERE id = ? AND seq IS NULL)",
                [message_id.into()],
            ))
            .await?;
        let dropped = transaction
            .execute(statement("DELETE FROM messages WHERE id = ? AND seq IS NULL", [message_id.into()]))
            .await?;
        if dropped.rows_affected() > 0 {
            transaction
                .execute(statement("DELETE FROM pending_actions WHERE message_id = ?", [message_id.into()]))
                .await?;
        }
        transaction.commit().await?;
        Ok(dropped.rows_affected() > 0)
    }

    /// The server refused it for good (changes queued to it go too: there is nothing to change).
    pub async fn failed(&self, message_id: &str, code: ErrorCode, message: &str) -> Result<()> {
        use sea_orm::TransactionTrait;
        let status = json(&SendStatus::Failed { code, message: message.to_owned() })?;
        let transaction = self.db.begin().await?;
        transaction
            .execute(statement("UPDATE messages SET status = ? WHERE id = ?", [status.into(), message_id.into()]))
            .await?;
        for sql in ["DELETE FROM outbox WHERE message_id = ?", "DELETE FROM pending_actions WHERE message_id = ?"] {
            transaction.execute(statement(sql, [message_id.into()])).await?;
        }
        transaction.commit().await?;
        Ok(())
    }

    /// One message as this device holds it.
    pub async fn message(&self, message_id: &str) -> Result<Option<LocalMessage>> {
        Ok(actions::local(&self.db, message_id).await?.map(|(message, _)| message))
    }

    /// The text of one of my messages, e.g. to copy it.
    pub async fn content(&self, message_id: &str) -> Result<Option<Content>> {
        Ok(self.message(message_id).await?.and_then(|m| m.message.content))
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
            content: Some(Content::text(text)),
            reply_to: None,
            forwarded: false,
            sent_at: seq,
            edited_at: None,
            deleted_at: None,
            reactions: Vec::new(),
            votes: Vec::new(),
            tally: Vec::new(),
            rsvps: Vec::new(),
            hidden: false,
            starred: false,
            expires_at: None,
            kept: false,
            expired: false,
        }
    }

    fn tile(id: &str, read: i64, pinned: Option<i64>) -> ChatSummary {
        ChatSummary {
            id: id.into(),
            kind: ChatKind::Direct,
            title: "Peer".into(),
            photo: None,
            member_count: 2,
            my_role: Some(MemberRole::Member),
            only_admins_send: false,
            only_admins_keep: false,
            disappear_after_ms: None,
            members_seq: 0,
            last_seq: read,
            cleared_seq: 0,
            clear_listed: false,
            clear_keeps_starred: false,
            request: false,
            background: None,
            shared_background: None,
            last_message: None,
            unread: 0,
            last_activity_at: 1,
            my_delivered_seq: read,
            my_read_seq: read,
            delivered_to_all_seq: read,
            read_by_all_seq: read,
            pinned_at: pinned,
            archived: false,
            muted_until: None,
        }
    }

    #[tokio::test]
    async fn keeps_the_newest_version_and_survives_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.db");
        let store = Store::open(Some(&path), "me").await.unwrap();
        store.upsert_chat(&tile("c1", 0, None)).await.unwrap();
        assert!(store.apply(&stored("m1", 1, 3, "edited")).await.unwrap());
        assert!(!store.apply(&stored("m1", 1, 1, "original")).await.unwrap(), "older version ignored");
        let new = NewMessage {
            id: "m2".into(),
            chat_id: "c1".into(),
            content: Content::text("queued"),
            reply_to: None,
            forwarded: false,
        };
        store.enqueue(&new, 10).await.unwrap();
        drop(store);

        let store = Store::open(Some(&path), "me").await.unwrap();
        assert_eq!(store.outbox().await.unwrap(), std::slice::from_ref(&new));
        let shown = store.messages("c1", None, 10).await.unwrap();
        assert_eq!(shown[1].status, SendStatus::Pending);
        assert_eq!(shown[0].message.content, Some(Content::text("edited")));
        let mut acked = stored("m2", 2, 2, "queued");
        acked.sender_id = "me".into();
        store.sent(&acked, 0).await.unwrap();
        assert!(store.outbox().await.unwrap().is_empty());
        assert_eq!(store.messages("c1", None, 10).await.unwrap().len(), 2);
    }

    #[tokio::test]
    async fn a_message_deleted_for_me_never_comes_back_from_a_late_catch_up() {
        let store = Store::open(None, "me").await.unwrap();
        store.upsert_chat(&tile("c1", 0, None)).await.unwrap();
        assert!(store.apply(&stored("m1", 1, 1, "old")).await.unwrap());
        assert!(store.apply(&stored("m2", 2, 2, "left")).await.unwrap());
        store.upsert_chat(&ChatSummary { cleared_seq: 2, last_seq: 2, ..tile("c1", 2, None) }).await.unwrap();
        assert!(store.messages("c1", None, 10).await.unwrap().is_empty());
        // A catch-up read before the deletion arrives after it: nothing of it is listed again.
        assert!(!store.apply(&stored("m2", 2, 2, "left")).await.unwrap());
        assert!(!store.apply(&stored("m1", 1, 3, "old, edited")).await.unwrap());
        assert!(store.messages("c1", None, 10).await.unwrap().is_empty());
        // A new message is.
        assert!(store.apply(&stored("m3", 3, 3, "new")).await.unwrap());
        assert_eq!(store.messages("c1", None, 10).await.unwrap().len(), 1);
    }

    #[tokio::test]
    async fn a_stale_tile_never_moves_cursors_back() {
        let store = Store::open(None, "me").await.unwrap();
        store.upsert_chat(&tile("c1", 5, None)).await.unwrap();
        // Read before that write (say, a receipt echo racing mark_read), written after it.
        store.upsert_chat(&tile("c1", 2, Some(9))).await.unwrap();
        let merged = store.chat("c1").await.unwrap().unwrap().summary;
        let cursors = (merged.last_seq, merged.my_delivered_seq, merged.my_read_seq, merged.delivered_to_all_seq);
        assert_eq!((cursors, merged.read_by_all_seq), ((5, 5, 5, 5), 5));
        assert_eq!(merged.pinned_at, Some(9), "everything else is the newer write's");
    }

    #[tokio::test]
    async fn a_direct_chat_names_its_other_member() {
        let store = Store::open(None, "me").await.unwrap();
        store.upsert_chat(&tile("c1", 0, None)).await.unwrap();
        assert_eq!(store.chat("c1").await.unwrap().unwrap().other_member, None, "no member list yet");
        let person = |id: &str, name: &str| ChatMember {
            user_id: id.into(),
            username: name.to_lowercase(),
            display_name: name.into(),
            photo: None,
            role: MemberRole::Member,
            joined_at: 1,
        };
        let list = ChatMembers {
            chat_id: "c1".into(),
            members_seq: 0,
            members: vec![person("me", "Me"), person("p", "Pat")],
            former: vec![person("q", "Quinn")],
        };
        store.set_members(&list).await.unwrap();
        let former: Vec<String> =
            store.former_members("c1").await.unwrap().into_iter().map(|m| m.display_name).collect();
        assert_eq!(former, ["Quinn"], "kept apart from the members");
        let chat = store.chat("c1").await.unwrap().unwrap();
        assert_eq!(chat.other_member.map(|m| m.display_name), Some("Pat".to_owned()));
        assert_eq!(store.direct_chat_with("p").await.unwrap(), Some("c1".to_owned()));
        assert_eq!(store.members_known().await.unwrap().get("c1"), Some(&0));
        assert_eq!(store.members("c1").await.unwrap().len(), 2);
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

    /// A store written by the release before versioned schemas (checked in: made by that code)
    /// opens with its chats, messages, search index and outbox intact.
    #[tokio::test]
    async fn a_store_from_before_versions_upgrades_intact() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.db");
        let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/store-before-versions.db");
        std::fs::copy(fixture, &path).unwrap();
        let me = "0193a000-0000-7000-8000-00000000000a";
        let (bob, carol, dave) = (
            "0193a000-0000-7000-8000-00000000000b",
            "0193a000-0000-7000-8000-00000000000c",
            "0193a000-0000-7000-8000-00000000000d",
        );
        let (chat_bob, chat_carol) = ("0193a000-0000-7000-8000-0000000000c1", "0193a000-0000-7000-8000-0000000000c2");
        let store = Store::open(Some(&path), me).await.unwrap();

        let chats = store.chats().await.unwrap();
        assert_eq!(
            chats.iter().map(|c| c.summary.id.as_str()).collect::<Vec<_>>(),
            [chat_bob, chat_carol],
            "pinned first"
        );
        let with_bob = &chats[0];
        assert_eq!((with_bob.summary.kind, with_bob.summary.title.as_str()), (ChatKind::Direct, "Bob"));
        assert_eq!(with_bob.summary.pinned_at, Some(1_700_000_050_000));
        let cursors =
            (with_bob.summary.my_read_seq, with_bob.summary.delivered_to_all_seq, with_bob.summary.read_by_all_seq);
        assert_eq!(cursors, (2, 3, 1));
        assert_eq!(with_bob.summary.unread, 1, "bob's third message is after my read cursor");
        assert_eq!(with_bob.other_member.as_ref().map(|m| m.user_id.as_str()), Some(bob));
        assert_eq!(store.direct_chat_with(carol).await.unwrap().as_deref(), Some(chat_carol));
        assert_eq!(store.cursors().await.unwrap().get(chat_bob), Some(&3));
        assert!(store.members_known().await.unwrap().is_empty(), "member lists come again with the next sync");

        // Messages, including the one queued for bob's chat and the one queued "to carol" by
        // person (her chat was known: it moved in).
        let bobs = store.messages(chat_bob, None, 10).await.unwrap();
        let texts = |list: &[LocalMessage]| -> Vec<String> {
            list.iter()
                .map(|m| match &m.message.content {
                    Some(content) => content.searchable_text(),
                    None => String::new(),
                })
                .collect()
        };
        assert_eq!(
            texts(&bobs),
            ["hello bob", "hi, meet at the café at noon?", "bring the umbrella", "pending to bob"]
        );
        assert_eq!(bobs[3].status, SendStatus::Pending);
        let carols = store.messages(chat_carol, None, 10).await.unwrap();
        assert_eq!(texts(&carols), ["carol here", "welcome carol", "pending to carol by user"]);
        assert!(carols.iter().all(|m| m.message.chat_id == chat_carol));

        // Search finds old and queued messages, by chat.
        assert_eq!(store.search("cafe noon", Some(chat_bob), 10).await.unwrap().len(), 1);
        assert_eq!(store.search("pending", None, 10).await.unwrap().len(), 2);

        // The outbox keeps its order; each entry names its chat. Dave's chat was never seen
        // here: it waits to be opened, its message with it.
        let unopened = store.unopened_chats().await.unwrap();
        assert_eq!(unopened.len(), 1);
        let (waiting, peer) = &unopened[0];
        assert_eq!(peer, dave);
        let outbox = store.outbox().await.unwrap();
        let order: Vec<(&str, &str)> = outbox.iter().map(|m| (m.id.as_str(), m.chat_id.as_str())).collect();
        assert_eq!(
            order,
            [
                ("0193a000-0000-7000-8000-000000000104", chat_bob),
                ("0193a000-0000-7000-8000-000000000301", waiting.as_str()),
                ("0193a000-0000-7000-8000-000000000203", chat_carol),
            ]
        );
        assert_eq!(store.search("dave", None, 10).await.unwrap().len(), 1);

        // Opened: the message moves to the real chat, in the outbox and the index too.
        store.opened(waiting, "0193a000-0000-7000-8000-0000000000c3").await.unwrap();
        assert!(store.unopened_chats().await.unwrap().is_empty());
        assert_eq!(store.outbox().await.unwrap()[1].chat_id, "0193a000-0000-7000-8000-0000000000c3");
        let hits = store.search("dave", Some("0193a000-0000-7000-8000-0000000000c3"), 10).await.unwrap();
        assert_eq!(hits[0].message.message.chat_id, "0193a000-0000-7000-8000-0000000000c3");
        drop(store);

        // Opening again runs nothing twice.
        let store = Store::open(Some(&path), me).await.unwrap();
        assert_eq!(store.chats().await.unwrap().len(), 2);
        assert_eq!(store.outbox().await.unwrap().len(), 3);
    }
}
