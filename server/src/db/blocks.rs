//! Service functions over `blocks`.

use gkchat_proto::account::BlockedUser;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use super::entity::{blocks, users};
use crate::error::Result;

pub async fn block(db: &impl ConnectionTrait, blocker_id: &str, blocked_id: &str, now_ms: i64) -> Result<()> {
    let row = blocks::ActiveModel {
        blocker_id: Set(blocker_id.to_owned()),
        blocked_id: Set(blocked_id.to_owned()),
        created_at: Set(now_ms),
    };
    blocks::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([blocks::Column::BlockerId, blocks::Column::BlockedId]).do_nothing().to_owned(),
        )
        .do_nothing()
        .exec(db)
        .await?;
    Ok(())
}

/// False when `blocked_id` was not blocked.
pub async fn unblock(db: &impl ConnectionTrait, blocker_id: &str, blocked_id: &str) -> Result<bool> {
    let result = blocks::Entity::delete_by_id((blocker_id.to_owned(), blocked_id.to_owned())).exec(db).await?;
    Ok(result.rows_affected > 0)
}

/// True when `blocker_id` has blocked `blocked_id`.
pub async fn has_blocked(db: &impl ConnectionTrait, blocker_id: &str, blocked_id: &str) -> Result<bool> {
    Ok(blocks::Entity::find_by_id((blocker_id.to_owned(), blocked_id.to_owned())).one(db).await?.is_some())
}

/// Whether a block stands between `a` and `b`: `Some(blocker)` when one did (either way).
pub async fn between(db: &impl ConnectionTrait, a: &str, b: &str) -> Result<Option<String>> {
    let row = blocks::Entity::find()
        .filter(
            (blocks::Column::BlockerId.eq(a).and(blocks::Column::BlockedId.eq(b)))
                .or(blocks::Column::BlockerId.eq(b).and(blocks::Column::BlockedId.eq(a))),
        )
        .one(db)
        .await?;
    Ok(row.map(|row| row.blocker_id))
}

/// Every block among `users` (both ends in the set), as `(blocker, blocked)` pairs.
pub async fn pairs_among(
    db: &impl ConnectionTrait,
    users: &[String],
) -> Result<std::collections::HashSet<(String, String)>> {
    if users.is_empty() {
        return Ok(Default::default());
    }
    let rows = blocks::Entity::find()
        .filter(blocks::Column::BlockerId.is_in(users.iter().cloned()))
        .filter(blocks::Column::BlockedId.is_in(users.iter().cloned()))
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|row| (row.blocker_id, row.blocked_id)).collect())
}

/// Which of `blockers` have blocked `viewer_id`.
pub async fn blockers_of(
    db: &impl ConnectionTrait,
    blockers: &[String],
    viewer_id: &str,
) -> Result<std::collections::HashSet<String>> {
    if blockers.is_empty() {
        return Ok(Default::default());
    }
    let rows = blocks::Entity::find()
        .filter(blocks::Column::BlockedId.eq(viewer_id))
        .filter(blocks::Column::BlockerId.is_in(blockers.iter().cloned()))
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|row| row.blocker_id).collect())
}

/// Which of `others` `blocker_id` has blocked.
pub async fn blocked_among(
    db: &impl ConnectionTrait,
    blocker_id: &str,
    others: &[String],
) -> Result<std::collections::HashSet<String>> {
    if others.is_empty() {
        return Ok(Default::default());
    }
    let rows = blocks::Entity::find()
        .filter(blocks::Column::BlockerId.eq(blocker_id))
        .filter(blocks::Column::BlockedId.is_in(others.iter().cloned()))
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|row| row.blocked_id).collect())
}

/// The people `blocker_id` blocked, most recent first.
pub async fn list(db: &impl ConnectionTrait, blocker_id: &str) -> Result<Vec<BlockedUser>> {
    let rows = blocks::Entity::find()
        .filter(blocks::Column::BlockerId.eq(blocker_id))
        .order_by_desc(blocks::Column::CreatedAt)
        .find_also_related(users::Entity)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(row, user)| {
            let user = user.filter(|u| u.deleted_at.is_none())?;
            Some(BlockedUser {
                user_id: user.id,
                username: user.username.unwrap_or_default(),
                display_name: user.display_name,
                blocked_at: row.created_at,
            })
        })
        .collect())
}

/// Removes every block that names `user_id`, either way (account deletion).
pub async fn forget_user(db: &impl ConnectionTrait, user_id: &str) -> Result<()> {
    blocks::Entity::delete_many()
        .filter(blocks::Column::BlockerId.eq(user_id).or(blocks::Column::BlockedId.eq(user_id)))
        .exec(db)
        .await?;
    Ok(())
}
