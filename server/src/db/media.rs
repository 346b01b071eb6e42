//! Service functions over `media` (uploads and what became of them) and `message_media` (which
//! messages use them), including the one question of access: who may read a media.

use std::collections::HashSet;

use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use super::entity::{media, message_media};
use super::statement;
use crate::error::Result;

pub const UPLOADING: &str = "uploading";
pub const READY: &str = "ready";
pub const FAILED: &str = "failed";

pub async fn get(db: &impl ConnectionTrait, id: &str) -> Result<Option<media::Model>> {
    Ok(media::Entity::find_by_id(id.to_owned()).one(db).await?)
}

/// A new upload of `length` bytes by `owner_id`, to finish by `expires_at`.
pub async fn reserve(
    db: &impl ConnectionTrait,
    id: &str,
    owner_id: &str,
    length: u64,
    metadata: &str,
    now_ms: i64,
    expires_at: i64,
) -> Result<media::Model> {
    let row = media::Model {
        id: id.to_owned(),
        owner_id: owner_id.to_owned(),
        state: UPLOADING.to_owned(),
        length: length as i64,
        offset: 0,
        sha256: None,
        mime: None,
        metadata: metadata.to_owned(),
        staging: None,
        lease_token: None,
        lease_until: None,
        used: false,
        created_at: now_ms,
        expires_at,
    };
    media::Entity::insert(media::ActiveModel::from(row.clone())).exec_without_returning(db).await?;
    Ok(row)
}

/// Takes the upload's write lease (one request writes at a time) until `until`: `false` when
/// another request holds it, or the upload is not unfinished any more.
pub async fn lease(db: &impl ConnectionTrait, id: &str, token: &str, now_ms: i64, until: i64) -> Result<bool> {
    let taken = media::Entity::update_many()
        .col_expr(media::Column::LeaseToken, Expr::value(token))
        .col_expr(media::Column::LeaseUntil, Expr::value(until))
        .filter(media::Column::Id.eq(id))
        .filter(media::Column::State.eq(UPLOADING))
        .filter(
            sea_orm::Condition::any()
                .add(media::Column::LeaseUntil.is_null())
                .add(media::Column::LeaseUntil.lt(now_ms)),
        )
        .exec(db)
        .await?;
    Ok(taken.rows_affected == 1)
}

/// Records a checkpoint under the lease `token` (renewing it until `until`): `false` when the
/// lease was lost (the upload was cancelled, or expired and swept).
pub async fn record(
    db: &impl ConnectionTrait,
    id: &str,
    token: &str,
    offset: u64,
    staging: &str,
    until: i64,
) -> Result<bool> {
    let recorded = media::Entity::update_many()
        .col_expr(media::Column::Offset, Expr::value(offset as i64))
        .col_expr(media::Column::Staging, Expr::value(staging))
        .col_expr(media::Column::LeaseUntil, Expr::value(until))
        .filter(media::Column::Id.eq(id))
        .filter(media::Column::LeaseToken.eq(token))
        .filter(media::Column::State.eq(UPLOADING))
        .exec(db)
        .await?;
    Ok(recorded.rows_affected == 1)
}

/// Gives the lease back.
pub async fn release(db: &impl ConnectionTrait, id: &str, token: &str) -> Result<()> {
    media::Entity::update_many()
        .col_expr(media::Column::LeaseToken, Expr::value(Option::<String>::None))
        .col_expr(media::Column::LeaseUntil, Expr::value(Option::<i64>::None))
        .filter(media::Column::Id.eq(id))
        .filter(media::Column::LeaseToken.eq(token))
        .exec(db)
        .await?;
    Ok(())
}

/// The upload is complete: its blob is `sha256`, of type `mime`; unused, it goes at `expires_at`.
pub async fn complete(
    db: &impl ConnectionTrait,
    id: &str,
    sha256: &str,
    mime: &str,
    expires_at: i64,
) -> Result<Option<media::Model>> {
    let done = media::Entity::update_many()
        .col_expr(media::Column::State, Expr::value(READY))
        .col_expr(media::Column::Offset, Expr::col(media::Column::Length).into())
        .col_expr(media::Column::Sha256, Expr::value(sha256))
        .col_expr(media::Column::Mime, Expr::value(mime))
        .col_expr(media::Column::Staging, Expr::value(Option::<String>::None))
        .col_expr(media::Column::LeaseToken, Expr::value(Option::<String>::None))
        .col_expr(media::Column::LeaseUntil, Expr::value(Option::<i64>::None))
        .col_expr(media::Column::ExpiresAt, Expr::value(expires_at))
        .filter(media::Column::Id.eq(id))
        .filter(media::Column::State.eq(UPLOADING))
        .exec(db)
        .await?;
    if done.rows_affected == 0 {
        return Ok(None);
    }
    get(db, id).await
}

/// The upload will never finish (cancelled, expired): answers the row as it was, when it was
/// still unfinished (its staging is the caller's to discard). Unless a message uses it, the
/// row stays until `keep_until`, so the upload's URL answers "expired" meanwhile.
pub async fn fail(db: &impl ConnectionTrait, id: &str, keep_until: i64) -> Result<Option<media::Model>> {
    let Some(row) = get(db, id).await?.filter(|row| row.state == UPLOADING) else { return Ok(None) };
    let failed = media::Entity::update_many()
        .col_expr(media::Column::State, Expr::value(FAILED))
        .col_expr(media::Column::ExpiresAt, Expr::value(keep_until))
        .col_expr(media::Column::Staging, Expr::value(Option::<String>::None))
        .col_expr(media::Column::LeaseToken, Expr::value(Option::<String>::None))
        .col_expr(media::Column::LeaseUntil, Expr::value(Option::<i64>::None))
        .filter(media::Column::Id.eq(id))
        .filter(media::Column::State.eq(UPLOADING))
        .exec(db)
        .await?;
    Ok((failed.rows_affected == 1).then_some(row))
}

/// Records that `message_id` uses `media_ids` (inside the transaction storing the message).
pub async fn attach(db: &impl ConnectionTrait, message_id: &str, media_ids: &[&str]) -> Result<()> {
    if media_ids.is_empty() {
        return Ok(());
    }
    let unique: HashSet<&str> = media_ids.iter().copied().collect();
    let rows = unique.iter().map(|media_id| message_media::ActiveModel {
        message_id: Set(message_id.to_owned()),
        media_id: Set((*media_id).to_owned()),
    });
    message_media::Entity::insert_many(rows)
        .on_conflict(
            OnConflict::columns([message_media::Column::MessageId, message_media::Column::MediaId])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    media::Entity::update_many()
        .col_expr(media::Column::Used, Expr::value(true))
        .filter(media::Column::Id.is_in(unique))
        .exec(db)
        .await?;
    Ok(())
}

/// A message no longer uses its media (deleted for everyone).
pub async fn detach(db: &impl ConnectionTrait, message_id: &str) -> Result<()> {
    message_media::Entity::delete_many().filter(message_media::Column::MessageId.eq(message_id)).exec(db).await?;
    Ok(())
}

/// The message no longer uses these media (an edit dropped them).
pub async fn detach_ids(db: &impl ConnectionTrait, message_id: &str, media_ids: &[String]) -> Result<()> {
    if media_ids.is_empty() {
        return Ok(());
    }
    message_media::Entity::delete_many()
        .filter(message_media::Column::MessageId.eq(message_id))
        .filter(message_media::Column::MediaId.is_in(media_ids.iter().cloned()))
        .exec(db)
        .await?;
    Ok(())
}

/// The members who may see a message using `media_id` now: its chat's members whose window
/// holds the message (from joining, until leaving, after what they cleared), who did not delete
/// it for themselves, while it is not deleted for everyone. With `viewer`, only they are asked.
pub async fn viewers(db: &impl ConnectionTrait, media_id: &str, viewer: Option<&str>) -> Result<Vec<String>> {
    let mut sql = String::from(
        "SELECT DISTINCT cm.user_id FROM message_media mm \
         JOIN messages m ON m.id = mm.message_id \
         JOIN chat_members cm ON cm.chat_id = m.chat_id \
         WHERE mm.media_id = ? AND m.deleted_at IS NULL \
         AND m.seq >= cm.history_from \
         AND (m.seq > cm.cleared_seq OR (cm.clear_keeps_starred AND EXISTS \
           (SELECT 1 FROM starred_messages s WHERE s.user_id = cm.user_id AND s.message_id = m.id))) \
         AND (cm.left_seq IS NULL OR m.seq <= cm.left_seq) \
         AND NOT EXISTS (SELECT 1 FROM hidden_messages h WHERE h.user_id = cm.user_id AND h.message_id = m.id)",
    );
    let mut values: Vec<sea_orm::Value> = vec![media_id.into()];
    if let Some(viewer) = viewer {
        sql.push_str(" AND cm.user_id = ?");
        values.push(viewer.into());
    }
    let rows = db.query_all(statement(db.get_database_backend(), &sql, values)).await?;
    rows.into_iter().map(|row| Ok(row.try_get_by_index::<String>(0)?)).collect()
}

/// Whether `user_id` may read `row` at `now_ms`: its uploader while nothing used it yet, then
/// whoever may see a message that uses it, or a live status post that does.
pub async fn may_read(db: &impl ConnectionTrait, row: &media::Model, user_id: &str, now_ms: i64) -> Result<bool> {
    if row.owner_id == user_id && !row.used {
        return Ok(true);
    }
    if !viewers(db, &row.id, Some(user_id)).await?.is_empty() {
        return Ok(true);
    }
    if super::backgrounds::shows(db, &row.id, user_id).await? {
        return Ok(true);
    }
    super::status::may_read_media(db, &row.id, user_id, now_ms).await
}

/// Unfinished uploads past their time (at most `limit`).
pub async fn expired_uploads(db: &impl ConnectionTrait, now_ms: i64, limit: u64) -> Result<Vec<media::Model>> {
    Ok(media::Entity::find()
        .filter(media::Column::State.eq(UPLOADING))
        .filter(media::Column::ExpiresAt.lt(now_ms))
        .limit(limit)
        .all(db)
        .await?)
}

/// Media that nothing uses and never will: finished or failed ones no message used within
/// their time, and used ones whose every message, status post and background is gone (at most
/// `limit`).
pub async fn unused(db: &impl ConnectionTrait, now_ms: i64, limit: u64) -> Result<Vec<media::Model>> {
    let sql = "SELECT id FROM media md WHERE \
         (md.state <> ? AND md.expires_at < ? AND md.used = ?) \
         OR (md.state <> ? AND md.used = ? AND NOT EXISTS (SELECT 1 FROM message_media mm WHERE mm.media_id = md.id) \
             AND NOT EXISTS (SELECT 1 FROM status_media sm WHERE sm.media_id = md.id) \
             AND NOT EXISTS (SELECT 1 FROM backgrounds b WHERE b.media_id = md.id)) \
         LIMIT ?";
    let values: Vec<sea_orm::Value> =
        vec![UPLOADING.into(), now_ms.into(), false.into(), UPLOADING.into(), true.into(), (limit as i64).into()];
    let rows = db.query_all(statement(db.get_database_backend(), sql, values)).await?;
    let ids: Vec<String> = rows.into_iter().map(|row| row.try_get_by_index::<String>(0)).collect::<Result<_, _>>()?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(media::Entity::find().filter(media::Column::Id.is_in(ids)).all(db).await?)
}

/// Removes media rows.
pub async fn remove(db: &impl ConnectionTrait, ids: &[String]) -> Result<()> {
    media::Entity::delete_many().filter(media::Column::Id.is_in(ids.iter().cloned())).exec(db).await?;
    Ok(())
}
