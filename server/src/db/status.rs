//! Service functions over the status tables: posts with their fixed audience, views and
//! reactions, the media posts use, how each user follows each owner, and who sees a user's next
//! posts. Every read of a post asks for `expires_at > now`: an expired post is never served,
//! whether or not the sweeper got to it yet.

use std::collections::{HashMap, HashSet};

use gkchat_proto::status::{StatusAudience, StatusAudienceMode, StatusPrefs};
use sea_orm::{ConnectionTrait, QueryResult, Value};

use super::{all, run, strings};
use crate::error::Result;

/// A stored post (its content as JSON).
#[derive(Debug, Clone)]
pub struct PostRow {
    pub id: String,
    pub owner_id: String,
    pub content: String,
    pub posted_at: i64,
    pub expires_at: i64,
}

fn post_of(row: &QueryResult) -> Result<PostRow> {
    Ok(PostRow {
        id: row.try_get("", "id")?,
        owner_id: row.try_get("", "owner_id")?,
        content: row.try_get("", "content")?,
        posted_at: row.try_get("", "posted_at")?,
        expires_at: row.try_get("", "expires_at")?,
    })
}

const POST_COLUMNS: &str = "p.id, p.owner_id, p.content, p.posted_at, p.expires_at";

/// The post's owner still has an account (a deleted one's posts go with it; this guards the
/// moment between).
const LIVE_OWNER: &str = "EXISTS (SELECT 1 FROM users o WHERE o.id = p.owner_id AND o.deleted_at IS NULL)";

/// Neither has blocked the other (for a pair of column expressions).
fn unblocked(a: &str, b: &str) -> String {
    format!(
        "NOT EXISTS (SELECT 1 FROM blocks b WHERE (b.blocker_id = {a} AND b.blocked_id = {b}) \
         OR (b.blocker_id = {b} AND b.blocked_id = {a}))"
    )
}

/// Who sees `user_id`'s next posts.
pub async fn audience_setting(db: &impl ConnectionTrait, user_id: &str) -> Result<StatusAudience> {
    let mode = all(db, "SELECT mode FROM status_settings WHERE user_id = ?", vec![user_id.into()]).await?;
    let mode = match strings(mode)?.first().map(String::as_str) {
        Some("contacts") => StatusAudienceMode::Contacts,
        Some("contacts_except") => StatusAudienceMode::ContactsExcept,
        Some("only_with") => StatusAudienceMode::OnlyWith,
        _ => StatusAudienceMode::ChattedContacts,
    };
    let list = |name: &'static str| async move {
        let rows = all(
            db,
            "SELECT other_id FROM status_lists WHERE user_id = ? AND list = ? ORDER BY other_id",
            vec![user_id.into(), name.into()],
        )
        .await?;
        strings(rows)
    };
    Ok(StatusAudience { mode, except: list("except").await?, only: list("only").await? })
}

pub fn mode_name(mode: StatusAudienceMode) -> &'static str {
    match mode {
        StatusAudienceMode::ChattedContacts => "chatted_contacts",
        StatusAudienceMode::Contacts => "contacts",
        StatusAudienceMode::ContactsExcept => "contacts_except",
        StatusAudienceMode::OnlyWith => "only_with",
    }
}

/// Replaces who sees `user_id`'s next posts (inside the caller's transaction).
pub async fn set_audience_setting(db: &impl ConnectionTrait, user_id: &str, audience: &StatusAudience) -> Result<()> {
    run(db, "DELETE FROM status_settings WHERE user_id = ?", vec![user_id.into()]).await?;
    run(
        db,
        "INSERT INTO status_settings (user_id, mode) VALUES (?, ?)",
        vec![user_id.into(), mode_name(audience.mode).into()],
    )
    .await?;
    run(db, "DELETE FROM status_lists WHERE user_id = ?", vec![user_id.into()]).await?;
    for (name, ids) in [("except", &audience.except), ("only", &audience.only)] {
        let unique: HashSet<&String> = ids.iter().collect();
        for other in unique {
            run(
                db,
                "INSERT INTO status_lists (user_id, list, other_id) VALUES (?, ?, ?)",
                vec![user_id.into(), name.into(), other.clone().into()],
            )
            .await?;
        }
    }
    Ok(())
}

/// Who a post `owner_id` makes now goes to: their audience rule over their contacts, without
/// anyone blocked either way or whose account is gone.
pub async fn audience_now(db: &impl ConnectionTrait, owner_id: &str) -> Result<Vec<String>> {
    let setting = audience_setting(db, owner_id).await?;
    let contacts = format!(
        "SELECT c.contact_id FROM contacts c JOIN users u ON u.id = c.contact_id \
         WHERE c.owner_id = ? AND u.deleted_at IS NULL AND {}",
        unblocked("c.owner_id", "c.contact_id")
    );
    let (sql, values): (String, Vec<Value>) = match setting.mode {
        StatusAudienceMode::Contacts => (contacts, vec![owner_id.into()]),
        StatusAudienceMode::ChattedContacts => (
            format!(
                "{contacts} AND EXISTS (SELECT 1 FROM chat_members me \
                 JOIN chats ch ON ch.id = me.chat_id AND ch.kind = 'direct' AND ch.last_seq > 0 \
                 JOIN chat_members them ON them.chat_id = ch.id AND them.user_id = c.contact_id \
                 WHERE me.user_id = c.owner_id)"
            ),
            vec![owner_id.into()],
        ),
        StatusAudienceMode::ContactsExcept => (
            format!(
                "{contacts} AND NOT EXISTS (SELECT 1 FROM status_lists l \
                 WHERE l.user_id = c.owner_id AND l.list = 'except' AND l.other_id = c.contact_id)"
            ),
            vec![owner_id.into()],
        ),
        StatusAudienceMode::OnlyWith => (
            format!(
                "{contacts} AND EXISTS (SELECT 1 FROM status_lists l \
                 WHERE l.user_id = c.owner_id AND l.list = 'only' AND l.other_id = c.contact_id)"
            ),
            vec![owner_id.into()],
        ),
    };
    strings(all(db, &sql, values).await?)
}

/// How many live posts `owner_id` has.
pub async fn live_count(db: &impl ConnectionTrait, owner_id: &str, now_ms: i64) -> Result<u64> {
    let rows = all(
        db,
        "SELECT COUNT(*) FROM status_posts WHERE owner_id = ? AND expires_at > ?",
        vec![owner_id.into(), now_ms.into()],
    )
    .await?;
    Ok(rows.first().map(|r| r.try_get_by_index::<i64>(0)).transpose()?.unwrap_or(0) as u64)
}

/// Stores a post with its audience and media (inside the caller's transaction); false, storing
/// nothing, when its id is taken.
pub async fn insert(
    db: &impl ConnectionTrait,
    post: &PostRow,
    audience: &[String],
    media_ids: &[&str],
) -> Result<bool> {
    let added = run(
        db,
        "INSERT INTO status_posts (id, owner_id, content, posted_at, expires_at) VALUES (?, ?, ?, ?, ?) \
         ON CONFLICT (id) DO NOTHING",
        vec![
            post.id.clone().into(),
            post.owner_id.clone().into(),
            post.content.clone().into(),
            post.posted_at.into(),
            post.expires_at.into(),
        ],
    )
    .await?;
    if added == 0 {
        return Ok(false);
    }
    // Many rows a statement (an audience may be thousands).
    for chunk in audience.chunks(200) {
        let marks = vec!["(?, ?)"; chunk.len()].join(", ");
        let values =
            chunk.iter().flat_map(|user_id| [Value::from(post.id.clone()), Value::from(user_id.clone())]).collect();
        run(db, &format!("INSERT INTO status_audience (post_id, user_id) VALUES {marks}"), values).await?;
    }
    let unique: HashSet<&&str> = media_ids.iter().collect();
    for media_id in unique {
        run(
            db,
            "INSERT INTO status_media (post_id, media_id) VALUES (?, ?)",
            vec![post.id.clone().into(), (**media_id).into()],
        )
        .await?;
        run(db, "UPDATE media SET used = ? WHERE id = ?", vec![true.into(), (**media_id).into()]).await?;
    }
    Ok(true)
}

/// A post by id, whoever asks, even expired (to answer an idempotent repost).
pub async fn get(db: &impl ConnectionTrait, post_id: &str) -> Result<Option<PostRow>> {
    let rows =
        all(db, &format!("SELECT {POST_COLUMNS} FROM status_posts p WHERE p.id = ?"), vec![post_id.into()]).await?;
    rows.first().map(post_of).transpose()
}

/// A live post `viewer_id` may see: their own, or one whose audience they are in while neither
/// blocked the other.
pub async fn visible(
    db: &impl ConnectionTrait,
    post_id: &str,
    viewer_id: &str,
    now_ms: i64,
) -> Result<Option<PostRow>> {
    let sql = format!(
        "SELECT {POST_COLUMNS} FROM status_posts p WHERE p.id = ? AND p.expires_at > ? AND (p.owner_id = ? OR \
         (EXISTS (SELECT 1 FROM status_audience a WHERE a.post_id = p.id AND a.user_id = ?) AND {} AND {LIVE_OWNER}))",
        unblocked("p.owner_id", "?")
    );
    let values =
        vec![post_id.into(), now_ms.into(), viewer_id.into(), viewer_id.into(), viewer_id.into(), viewer_id.into()];
    let rows = all(db, &sql, values).await?;
    rows.first().map(post_of).transpose()
}

/// `owner_id`'s live posts, oldest first.
pub async fn mine(db: &impl ConnectionTrait, owner_id: &str, now_ms: i64) -> Result<Vec<PostRow>> {
    let sql = format!(
        "SELECT {POST_COLUMNS} FROM status_posts p WHERE p.owner_id = ? AND p.expires_at > ? ORDER BY p.posted_at, p.id"
    );
    all(db, &sql, vec![owner_id.into(), now_ms.into()]).await?.iter().map(post_of).collect()
}

/// Every live post `viewer_id` may see from others, oldest first, with whether they viewed it
/// and their reaction.
pub async fn seen_by(
    db: &impl ConnectionTrait,
    viewer_id: &str,
    now_ms: i64,
) -> Result<Vec<(PostRow, bool, Option<String>)>> {
    let sql = format!(
        "SELECT {POST_COLUMNS}, v.viewed_at, v.reaction FROM status_posts p \
         JOIN status_audience a ON a.post_id = p.id AND a.user_id = ? \
         LEFT JOIN status_views v ON v.post_id = p.id AND v.viewer_id = a.user_id \
         WHERE p.expires_at > ? AND {} AND {LIVE_OWNER} ORDER BY p.posted_at, p.id",
        unblocked("p.owner_id", "a.user_id")
    );
    let rows = all(db, &sql, vec![viewer_id.into(), now_ms.into()]).await?;
    rows.iter()
        .map(|row| {
            let viewed: Option<i64> = row.try_get("", "viewed_at")?;
            Ok((post_of(row)?, viewed.is_some(), row.try_get("", "reaction")?))
        })
        .collect()
}

/// Who may see a live post of `owner_id` now (its audience, without blocks made since).
pub async fn audience_of(db: &impl ConnectionTrait, post_id: &str) -> Result<Vec<String>> {
    let sql = format!(
        "SELECT a.user_id FROM status_audience a JOIN status_posts p ON p.id = a.post_id WHERE a.post_id = ? AND {}",
        unblocked("p.owner_id", "a.user_id")
    );
    strings(all(db, &sql, vec![post_id.into()]).await?)
}

/// Records that `viewer_id` viewed a post (the first time counts); true when it is new.
pub async fn view(db: &impl ConnectionTrait, post_id: &str, viewer_id: &str, now_ms: i64) -> Result<bool> {
    // Two devices at once: one row, the first.
    let added = run(
        db,
        "INSERT INTO status_views (post_id, viewer_id, viewed_at) VALUES (?, ?, ?) \
         ON CONFLICT (post_id, viewer_id) DO NOTHING",
        vec![post_id.into(), viewer_id.into(), now_ms.into()],
    )
    .await?;
    Ok(added > 0)
}

/// Sets `viewer_id`'s reaction to a post (viewing it too).
pub async fn react(
    db: &impl ConnectionTrait,
    post_id: &str,
    viewer_id: &str,
    emoji: Option<&str>,
    now_ms: i64,
) -> Result<()> {
    view(db, post_id, viewer_id, now_ms).await?;
    run(
        db,
        "UPDATE status_views SET reaction = ? WHERE post_id = ? AND viewer_id = ?",
        vec![emoji.map(str::to_owned).into(), post_id.into(), viewer_id.into()],
    )
    .await?;
    Ok(())
}

/// One view of a post.
#[derive(Debug, Clone)]
pub struct View {
    pub viewer_id: String,
    pub viewed_at: i64,
    pub reaction: Option<String>,
    /// The viewer shares read receipts.
    pub shares_receipts: bool,
}

/// A post's views (by accounts that still exist), earliest first.
pub async fn views(db: &impl ConnectionTrait, post_id: &str) -> Result<Vec<View>> {
    let rows = all(
        db,
        "SELECT v.viewer_id, v.viewed_at, v.reaction, u.read_receipts FROM status_views v \
         JOIN users u ON u.id = v.viewer_id AND u.deleted_at IS NULL \
         WHERE v.post_id = ? ORDER BY v.viewed_at, v.viewer_id",
        vec![post_id.into()],
    )
    .await?;
    rows.iter()
        .map(|row| {
            Ok(View {
                viewer_id: row.try_get("", "viewer_id")?,
                viewed_at: row.try_get("", "viewed_at")?,
                reaction: row.try_get("", "reaction")?,
                shares_receipts: row.try_get("", "read_receipts")?,
            })
        })
        .collect()
}

/// How many viewed each of `post_ids`.
pub async fn view_counts(db: &impl ConnectionTrait, post_ids: &[String]) -> Result<HashMap<String, u32>> {
    if post_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let marks = vec!["?"; post_ids.len()].join(", ");
    let values: Vec<Value> = post_ids.iter().map(|id| Value::from(id.clone())).collect();
    let rows = all(
        db,
        &format!("SELECT post_id, COUNT(*) FROM status_views WHERE post_id IN ({marks}) GROUP BY post_id"),
        values,
    )
    .await?;
    rows.iter().map(|row| Ok((row.try_get_by_index::<String>(0)?, row.try_get_by_index::<i64>(1)? as u32))).collect()
}

/// Deletes posts with their audience, views and media links (their blobs then go with the media
/// sweeper when nothing else uses them).
pub async fn delete(db: &impl ConnectionTrait, post_ids: &[String]) -> Result<()> {
    if post_ids.is_empty() {
        return Ok(());
    }
    let marks = vec!["?"; post_ids.len()].join(", ");
    let values = || post_ids.iter().map(|id| Value::from(id.clone())).collect::<Vec<_>>();
    for table in ["status_views", "status_audience", "status_media"] {
        run(db, &format!("DELETE FROM {table} WHERE post_id IN ({marks})"), values()).await?;
    }
    run(db, &format!("DELETE FROM status_posts WHERE id IN ({marks})"), values()).await?;
    Ok(())
}

/// Posts past their time (at most `limit`).
pub async fn expired(db: &impl ConnectionTrait, now_ms: i64, limit: u64) -> Result<Vec<String>> {
    strings(
        all(
            db,
            "SELECT id FROM status_posts WHERE expires_at <= ? ORDER BY expires_at LIMIT ?",
            vec![now_ms.into(), (limit as i64).into()],
        )
        .await?,
    )
}

/// `user_id`'s way of following each owner they set one for.
pub async fn prefs(db: &impl ConnectionTrait, user_id: &str) -> Result<HashMap<String, StatusPrefs>> {
    let rows =
        all(db, "SELECT owner_id, muted, notify FROM status_prefs WHERE user_id = ?", vec![user_id.into()]).await?;
    rows.iter()
        .map(|row| {
            let prefs = StatusPrefs { muted: row.try_get("", "muted")?, notify: row.try_get("", "notify")? };
            Ok((row.try_get("", "owner_id")?, prefs))
        })
        .collect()
}

pub async fn set_prefs(db: &impl ConnectionTrait, user_id: &str, owner_id: &str, prefs: StatusPrefs) -> Result<()> {
    run(
        db,
        "INSERT INTO status_prefs (user_id, owner_id, muted, notify) VALUES (?, ?, ?, ?) \
         ON CONFLICT (user_id, owner_id) DO UPDATE SET muted = excluded.muted, notify = excluded.notify",
        vec![user_id.into(), owner_id.into(), prefs.muted.into(), prefs.notify.into()],
    )
    .await?;
    Ok(())
}

/// Everything of `user_id`'s in status: their posts (with their audience, views and media
/// links), their views and reactions, how they follow others and others them, their audience
/// setting and lists, and their place on others' lists.
pub async fn forget_user(db: &impl ConnectionTrait, user_id: &str) -> Result<()> {
    let posts = strings(all(db, "SELECT id FROM status_posts WHERE owner_id = ?", vec![user_id.into()]).await?)?;
    delete(db, &posts).await?;
    for sql in [
        "DELETE FROM status_views WHERE viewer_id = ?",
        "DELETE FROM status_audience WHERE user_id = ?",
        "DELETE FROM status_prefs WHERE user_id = ? OR owner_id = ?",
        "DELETE FROM status_settings WHERE user_id = ?",
        "DELETE FROM status_lists WHERE user_id = ? OR other_id = ?",
    ] {
        let values = vec![Value::from(user_id.to_owned()); sql.matches('?').count()];
        run(db, sql, values).await?;
    }
    Ok(())
}

/// Whether `viewer` may read `media_id` through a live status post using it: its owner, or in
/// its audience while neither blocked the other.
pub async fn may_read_media(db: &impl ConnectionTrait, media_id: &str, viewer: &str, now_ms: i64) -> Result<bool> {
    let sql = format!(
        "SELECT 1 FROM status_media sm JOIN status_posts p ON p.id = sm.post_id \
         WHERE sm.media_id = ? AND p.expires_at > ? AND (p.owner_id = ? OR \
         (EXISTS (SELECT 1 FROM status_audience a WHERE a.post_id = p.id AND a.user_id = ?) AND {}))",
        unblocked("p.owner_id", "?")
    );
    let values = vec![media_id.into(), now_ms.into(), viewer.into(), viewer.into(), viewer.into(), viewer.into()];
    Ok(!all(db, &sql, values).await?.is_empty())
}
