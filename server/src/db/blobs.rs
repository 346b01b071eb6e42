//! Which blobs live (`blobs`): a blob is claimed before it is written or reused, marked orphaned
//! when nothing uses it any more, and deleted by the sweeper after a grace period — after
//! looking once more whether something uses it. The states make the races harmless: a blob is
//! only deleted from `orphaned` through `deleting`, and claiming turns `orphaned` back to
//! `live`, so a send that reuses a blob at the moment it went unused keeps it; a claim that
//! meets `deleting` waits for the deletion to finish and writes the blob anew.

use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use super::entity::{blobs, chats, media, users};
use crate::blobs::Blobs;
use crate::error::Result;

pub const LIVE: &str = "live";
const ORPHANED: &str = "orphaned";
const DELETING: &str = "deleting";

/// Claims `name` for a use that is about to begin: `true` once it is live (written or not),
/// `false` while the sweeper is deleting it (try again in a moment).
pub async fn claim(db: &impl ConnectionTrait, name: &str, now_ms: i64) -> Result<bool> {
    for _ in 0..3 {
        let revived = blobs::Entity::update_many()
            .col_expr(blobs::Column::State, Expr::value(LIVE))
            .col_expr(blobs::Column::OrphanedAt, Expr::value(Option::<i64>::None))
            .filter(blobs::Column::Name.eq(name))
            .filter(blobs::Column::State.ne(DELETING))
            .exec(db)
            .await?;
        if revived.rows_affected == 1 {
            return Ok(true);
        }
        let row = blobs::ActiveModel {
            name: Set(name.to_owned()),
            state: Set(LIVE.to_owned()),
            orphaned_at: Set(None),
            created_at: Set(now_ms),
        };
        let inserted = blobs::Entity::insert(row)
            .on_conflict(OnConflict::column(blobs::Column::Name).do_nothing().to_owned())
            .exec_without_returning(db)
            .await?;
        if inserted == 1 {
            return Ok(true);
        }
        let state = blobs::Entity::find_by_id(name.to_owned()).one(db).await?.map(|row| row.state);
        if state.as_deref() == Some(DELETING) {
            return Ok(false);
        }
    }
    Ok(false)
}

/// Claims `name`, waiting (briefly) for a deletion in progress to finish.
pub async fn claim_waiting(db: &impl ConnectionTrait, name: &str, now_ms: i64) -> Result<()> {
    for _ in 0..100 {
        if claim(db, name, now_ms).await? {
            return Ok(());
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    Err(crate::Error::Internal(format!("blob {name} stayed in deletion")))
}

/// Whether anything uses the blob `name`: a ready media, or a profile or group photo (whose
/// thumbnail is `<photo>.thumb`).
pub async fn in_use(db: &impl ConnectionTrait, name: &str) -> Result<bool> {
    let photo = name.strip_suffix(".thumb").unwrap_or(name);
    let media = media::Entity::find()
        .select_only()
        .column(media::Column::Id)
        .filter(media::Column::Sha256.eq(name))
        .filter(media::Column::State.eq(crate::db::media::READY))
        .into_tuple::<String>()
        .one(db)
        .await?;
    if media.is_some() {
        return Ok(true);
    }
    let account = users::Entity::find()
        .select_only()
        .column(users::Column::Id)
        .filter(users::Column::PhotoId.eq(photo))
        .into_tuple::<String>()
        .one(db)
        .await?;
    if account.is_some() {
        return Ok(true);
    }
    let group = chats::Entity::find()
        .select_only()
        .column(chats::Column::Id)
        .filter(chats::Column::PhotoId.eq(photo))
        .into_tuple::<String>()
        .one(db)
        .await?;
    Ok(group.is_some())
}

/// Marks each of `names` orphaned (since `now_ms`) when nothing uses it any more.
pub async fn orphan_if_unused(db: &impl ConnectionTrait, names: &[String], now_ms: i64) -> Result<()> {
    for name in names {
        if in_use(db, name).await? {
            continue;
        }
        blobs::Entity::update_many()
            .col_expr(blobs::Column::State, Expr::value(ORPHANED))
            .col_expr(blobs::Column::OrphanedAt, Expr::value(now_ms))
            .filter(blobs::Column::Name.eq(name.as_str()))
            .filter(blobs::Column::State.eq(LIVE))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// Deletes the blobs orphaned before `orphaned_before` that nothing uses still (those used
/// again live on), and finishes deletions a crash interrupted; at most `limit`. Answers how
/// many were deleted.
pub async fn sweep(db: &impl ConnectionTrait, store: &Blobs, orphaned_before: i64, limit: u64) -> Result<usize> {
    let due = blobs::Entity::find()
        .filter(
            sea_orm::Condition::any()
                .add(blobs::Column::State.eq(DELETING))
                .add(blobs::Column::State.eq(ORPHANED).and(blobs::Column::OrphanedAt.lt(orphaned_before))),
        )
        .limit(limit)
        .all(db)
        .await?;
    let mut deleted = 0;
    for row in due {
        if row.state == ORPHANED {
            if in_use(db, &row.name).await? {
                blobs::Entity::update_many()
                    .col_expr(blobs::Column::State, Expr::value(LIVE))
                    .col_expr(blobs::Column::OrphanedAt, Expr::value(Option::<i64>::None))
                    .filter(blobs::Column::Name.eq(row.name.as_str()))
                    .filter(blobs::Column::State.eq(ORPHANED))
                    .exec(db)
                    .await?;
                continue;
            }
            let taken = blobs::Entity::update_many()
                .col_expr(blobs::Column::State, Expr::value(DELETING))
                .filter(blobs::Column::Name.eq(row.name.as_str()))
                .filter(blobs::Column::State.eq(ORPHANED))
                .exec(db)
                .await?;
            if taken.rows_affected == 0 {
                continue;
            }
        }
        store.delete(&row.name).await?;
        blobs::Entity::delete_many()
            .filter(blobs::Column::Name.eq(row.name.as_str()))
            .filter(blobs::Column::State.eq(DELETING))
            .exec(db)
            .await?;
        deleted += 1;
    }
    Ok(deleted)
}
