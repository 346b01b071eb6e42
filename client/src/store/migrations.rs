//! The local store's schema, as ordered migrations (sea-orm's runner records which ran in the
//! store itself). A store written by any earlier release opens by running the ones it lacks;
//! nothing it holds is dropped on the way.

use sea_orm_migration::prelude::*;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(FirstSchema),
            Box::new(ChatContract),
            Box::new(ClearedChats),
            Box::new(FormerMembers),
            Box::new(Media),
            Box::new(OfflineActions),
            Box::new(EventReminders),
            Box::new(StatusCache),
            Box::new(Starred),
            Box::new(Disappearing),
            Box::new(Clearing),
            Box::new(Backgrounds),
            Box::new(Requests),
            Box::new(TileIndex),
        ]
    }
}

/// Runs a migration's statements as one transaction (the runner does not wrap them on SQLite):
/// an upgrade cut off halfway leaves the store as it was, to be upgraded on the next start.
async fn run(manager: &SchemaManager<'_>, statements: &[&str]) -> Result<(), DbErr> {
    let db = manager.get_connection();
    db.execute_unprepared("BEGIN IMMEDIATE").await?;
    for sql in statements {
        if let Err(err) = db.execute_unprepared(sql).await {
            db.execute_unprepared("ROLLBACK").await?;
            return Err(err);
        }
    }
    db.execute_unprepared("COMMIT").await?;
    Ok(())
}

/// The schema of the releases before versions were kept: created here for a new store, found
/// (and left as it is) in a store those releases wrote.
struct FirstSchema;

impl MigrationName for FirstSchema {
    fn name(&self) -> &str {
        "m0001_first_schema"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for FirstSchema {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(
            manager,
            &[
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
                "CREATE VIRTUAL TABLE IF NOT EXISTS message_search USING fts5(body, chat_key UNINDEXED, tokenize = 'unicode61 remove_diacritics 2')",
                "CREATE TABLE IF NOT EXISTS outbox (
                    position INTEGER PRIMARY KEY AUTOINCREMENT,
                    message_id TEXT NOT NULL UNIQUE,
                    frame TEXT NOT NULL
                )",
            ],
        )
        .await
    }
}

/// Chats of any size: a chat's tile in real columns (not the wire type as JSON), a members
/// table, messages keyed by chat id. Direct chats carry their other person into `members`;
/// messages that waited for a direct chat under `user:<id>` move into it, or — when this
/// device never saw that chat — into a chat to be opened (`unopened_chats`: the messenger opens
/// it on the server and moves them to its id). The outbox says the chat of each message; the
/// search index is rebuilt with chat ids.
struct ChatContract;

impl MigrationName for ChatContract {
    fn name(&self) -> &str {
        "m0002_chat_contract"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for ChatContract {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(
            manager,
            &[
                "CREATE TABLE chats_new (
                    id TEXT PRIMARY KEY,
                    kind TEXT NOT NULL,
                    title TEXT NOT NULL,
                    photo TEXT,
                    member_count INTEGER NOT NULL,
                    my_role TEXT,
                    only_admins_send INTEGER NOT NULL,
                    members_seq INTEGER NOT NULL,
                    -- the members_seq of the member list held here; NULL: none yet
                    members_known_seq INTEGER,
                    last_seq INTEGER NOT NULL,
                    last_activity_at INTEGER NOT NULL,
                    my_delivered_seq INTEGER NOT NULL,
                    my_read_seq INTEGER NOT NULL,
                    delivered_to_all_seq INTEGER NOT NULL,
                    read_by_all_seq INTEGER NOT NULL,
                    pinned_at INTEGER,
                    archived INTEGER NOT NULL,
                    muted_until INTEGER,
                    -- the highest change applied here (the sync cursor)
                    cursor INTEGER NOT NULL DEFAULT 0
                )",
                "INSERT INTO chats_new
                 SELECT id, 'direct', COALESCE(json_extract(summary, '$.peer.display_name'), ''),
                        json_extract(summary, '$.peer.photo'), 2, 'member', 0, 0, NULL,
                        json_extract(summary, '$.last_seq'), json_extract(summary, '$.last_activity_at'),
                        json_extract(summary, '$.my_delivered_seq'), json_extract(summary, '$.my_read_seq'),
                        json_extract(summary, '$.peer_delivered_seq'), json_extract(summary, '$.peer_read_seq'),
                        json_extract(summary, '$.pinned_at'), json_extract(summary, '$.archived'),
                        json_extract(summary, '$.muted_until'), cursor
                 FROM chats",
                "CREATE TABLE members (
                    chat_id TEXT NOT NULL,
                    user_id TEXT NOT NULL,
                    username TEXT NOT NULL,
                    display_name TEXT NOT NULL,
                    photo TEXT,
                    role TEXT NOT NULL,
                    joined_at INTEGER NOT NULL,
                    PRIMARY KEY (chat_id, user_id)
                )",
                "CREATE INDEX idx_members_user ON members (user_id)",
                "INSERT INTO members
                 SELECT id, peer_user_id, COALESCE(json_extract(summary, '$.peer.username'), ''),
                        COALESCE(json_extract(summary, '$.peer.display_name'), ''),
                        json_extract(summary, '$.peer.photo'), 'member', 0
                 FROM chats WHERE peer_user_id IS NOT NULL",
                "DROP TABLE chats",
                "ALTER TABLE chats_new RENAME TO chats",
                "ALTER TABLE messages RENAME COLUMN chat_key TO chat_id",
                "CREATE TABLE unopened_chats (
                    chat_id TEXT PRIMARY KEY,
                    peer_id TEXT NOT NULL UNIQUE
                )",
                "INSERT INTO unopened_chats (chat_id, peer_id)
                 SELECT 'unopened:' || lower(hex(randomblob(16))), substr(key, 6)
                 FROM (SELECT DISTINCT chat_id AS key FROM messages WHERE chat_id LIKE 'user:%')
                 WHERE substr(key, 6) NOT IN (SELECT user_id FROM members)",
                "UPDATE messages SET chat_id = COALESCE(
                    (SELECT m.chat_id FROM members m WHERE m.user_id = substr(messages.chat_id, 6)),
                    (SELECT u.chat_id FROM unopened_chats u WHERE u.peer_id = substr(messages.chat_id, 6)))
                 WHERE chat_id LIKE 'user:%'",
                "UPDATE messages SET data = json_set(data, '$.chat_id', chat_id)
                 WHERE json_extract(data, '$.chat_id') <> chat_id",
                "ALTER TABLE outbox ADD COLUMN chat_id TEXT NOT NULL DEFAULT ''",
                "UPDATE outbox SET chat_id = COALESCE((SELECT m.chat_id FROM messages m WHERE m.id = outbox.message_id), '')",
                "UPDATE outbox SET frame = json_remove(json_set(frame, '$.chat_id', chat_id), '$.to')",
                "DROP TABLE message_search",
                "CREATE VIRTUAL TABLE message_search USING fts5(body, chat_id UNINDEXED, tokenize = 'unicode61 remove_diacritics 2')",
                "INSERT INTO message_search (rowid, body, chat_id)
                 SELECT rowid, json_extract(data, '$.content.text'), chat_id FROM messages
                 WHERE visible = 1 AND deleted = 0 AND json_extract(data, '$.content.kind') = 'text'",
            ],
        )
        .await
    }
}

/// "Delete chat" for me: the tile remembers up to where its history was deleted.
struct ClearedChats;

impl MigrationName for ClearedChats {
    fn name(&self) -> &str {
        "m0003_cleared_chats"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for ClearedChats {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(manager, &["ALTER TABLE chats ADD COLUMN cleared_seq INTEGER NOT NULL DEFAULT 0"]).await
    }
}

/// A chat's former members are kept beside its members, for the names of what they did.
struct FormerMembers;

impl MigrationName for FormerMembers {
    fn name(&self) -> &str {
        "m0004_former_members"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for FormerMembers {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(manager, &["ALTER TABLE members ADD COLUMN former INTEGER NOT NULL DEFAULT 0"]).await
    }
}

/// Media: the files a message composed here still has to upload (`transfers`: under the
/// placeholder id its attachment names until the server hands out the real one, then resumed
/// from the server's offset until done), and the media this device holds (`media_cache`: its
/// own uploads and what it downloaded, with when each was last used, for the size limit).
struct Media;

impl MigrationName for Media {
    fn name(&self) -> &str {
        "m0005_media"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Media {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(
            manager,
            &[
                "CREATE TABLE transfers (
                    local_id TEXT PRIMARY KEY,
                    message_id TEXT NOT NULL,
                    media_id TEXT,
                    name TEXT NOT NULL,
                    size INTEGER NOT NULL,
                    done INTEGER NOT NULL DEFAULT 0,
                    state TEXT NOT NULL,
                    position INTEGER NOT NULL
                )",
                "CREATE INDEX transfers_message ON transfers (message_id)",
                "CREATE TABLE media_cache (
                    media_id TEXT PRIMARY KEY,
                    file TEXT NOT NULL,
                    size INTEGER NOT NULL,
                    complete INTEGER NOT NULL,
                    own INTEGER NOT NULL,
                    last_used INTEGER NOT NULL
                )",
            ],
        )
        .await
    }
}

/// Changes to messages made here (edits, reactions, deletions) wait in `pending_actions` until
/// the server has them; while any wait on a message, `confirmed` keeps the server's version of
/// it (what shows has them on top).
struct OfflineActions;

impl MigrationName for OfflineActions {
    fn name(&self) -> &str {
        "m0006_offline_actions"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for OfflineActions {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(
            manager,
            &[
                "CREATE TABLE pending_actions (
                    position INTEGER PRIMARY KEY AUTOINCREMENT,
                    chat_id TEXT NOT NULL,
                    message_id TEXT NOT NULL,
                    action TEXT NOT NULL,
                    queued_at INTEGER NOT NULL
                )",
                "CREATE INDEX pending_actions_message ON pending_actions (message_id)",
                "ALTER TABLE messages ADD COLUMN confirmed TEXT",
            ],
        )
        .await
    }
}

/// A reminder per event in the store: its start, my lead (`NULL`: no reminder), whether I am
/// going to it (`on_`), and the start a reminder already went off for.
struct EventReminders;

impl MigrationName for EventReminders {
    fn name(&self) -> &str {
        "m0007_event_reminders"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for EventReminders {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(
            manager,
            &[
                "CREATE TABLE event_reminders (
                    message_id TEXT PRIMARY KEY,
                    chat_id TEXT NOT NULL,
                    title TEXT NOT NULL,
                    starts_at INTEGER NOT NULL,
                    ends_at INTEGER,
                    cancelled INTEGER NOT NULL,
                    lead_ms INTEGER,
                    on_ INTEGER NOT NULL,
                    fired_start INTEGER
                )",
                "CREATE INDEX event_reminders_on ON event_reminders (on_, starts_at)",
                "CREATE INDEX event_reminders_chat ON event_reminders (chat_id, starts_at)",
            ],
        )
        .await
    }
}

/// The status feed as this device last had it: live posts (each with its expiry) and their
/// owners.
struct StatusCache;

impl MigrationName for StatusCache {
    fn name(&self) -> &str {
        "m0008_status_cache"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for StatusCache {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(
            manager,
            &[
                "CREATE TABLE status_posts (
                    id TEXT PRIMARY KEY,
                    owner_id TEXT NOT NULL,
                    posted_at INTEGER NOT NULL,
                    expires_at INTEGER NOT NULL,
                    data TEXT NOT NULL
                )",
                "CREATE INDEX status_posts_expiry ON status_posts (expires_at)",
                "CREATE TABLE status_owners (
                    owner_id TEXT PRIMARY KEY,
                    data TEXT NOT NULL
                )",
            ],
        )
        .await
    }
}

/// Starred messages are listed across chats: a column beside `visible` (the message's `data`
/// says it too), indexed.
struct Starred;

impl MigrationName for Starred {
    fn name(&self) -> &str {
        "m0009_starred"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Starred {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(
            manager,
            &[
                "ALTER TABLE messages ADD COLUMN starred INTEGER NOT NULL DEFAULT 0",
                "CREATE INDEX messages_starred ON messages (starred, sent_at) WHERE starred = 1",
            ],
        )
        .await
    }
}

/// Disappearing messages: when each message expires here (`NULL` once kept or expired;
/// indexed for the timers' next wake), and each chat's timer and keep rule.
struct Disappearing;

impl MigrationName for Disappearing {
    fn name(&self) -> &str {
        "m0010_disappearing"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Disappearing {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(
            manager,
            &[
                "ALTER TABLE messages ADD COLUMN expires_at INTEGER",
                "CREATE INDEX messages_expiry ON messages (expires_at) WHERE expires_at IS NOT NULL",
                "ALTER TABLE chats ADD COLUMN disappear_after_ms INTEGER",
                "ALTER TABLE chats ADD COLUMN only_admins_keep INTEGER NOT NULL DEFAULT 0",
            ],
        )
        .await
    }
}

/// "Clear chat" beside "delete chat": the chat stays listed, and may keep my starred messages.
struct Clearing;

impl MigrationName for Clearing {
    fn name(&self) -> &str {
        "m0011_clearing"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Clearing {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(
            manager,
            &[
                "ALTER TABLE chats ADD COLUMN clear_listed INTEGER NOT NULL DEFAULT 0",
                "ALTER TABLE chats ADD COLUMN clear_keeps_starred INTEGER NOT NULL DEFAULT 0",
            ],
        )
        .await
    }
}

/// Chat backgrounds: mine and a group's for everyone, as JSON.
struct Backgrounds;

impl MigrationName for Backgrounds {
    fn name(&self) -> &str {
        "m0012_backgrounds"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Backgrounds {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(
            manager,
            &["ALTER TABLE chats ADD COLUMN background TEXT", "ALTER TABLE chats ADD COLUMN shared_background TEXT"],
        )
        .await
    }
}

/// Message requests: a chat a stranger started, held under Requests until I accept it.
struct Requests;

impl MigrationName for Requests {
    fn name(&self) -> &str {
        "m0013_requests"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Requests {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(manager, &["ALTER TABLE chats ADD COLUMN request INTEGER NOT NULL DEFAULT 0"]).await
    }
}

/// The chat list's unread counts read the index alone: the chat's messages by place carry who
/// sent each and whether it shows (one index in place of the `(chat_id, seq)` one it extends).
struct TileIndex;

impl MigrationName for TileIndex {
    fn name(&self) -> &str {
        "m0014_tile_index"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for TileIndex {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(
            manager,
            &[
                "CREATE INDEX messages_by_place ON messages (chat_id, seq, sender_id, visible, deleted, expires_at)",
                "DROP INDEX IF EXISTS idx_messages_chat_seq",
            ],
        )
        .await
    }
}
