//! Service functions over `device_sessions` and `used_refresh_tokens`: one session per
//! signed-in device, refresh tokens rotated at every use, reuse of an old one revoking the
//! session (the token was copied: whoever holds it must sign in again).

use gkchat_proto::account::DeviceInfo;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, TransactionTrait,
};

use super::entity::{device_sessions, used_refresh_tokens};
use crate::error::Result;

pub const REVOKED_SIGN_OUT: &str = "sign_out";
pub const REVOKED_BY_OTHER_DEVICE: &str = "signed_out_elsewhere";
pub const REVOKED_REFRESH_REUSE: &str = "refresh_reuse";

pub async fn create(
    db: &impl ConnectionTrait,
    user_id: &str,
    device: &DeviceInfo,
    refresh_hash: String,
    now_ms: i64,
    refresh_ttl_ms: i64,
) -> Result<device_sessions::Model> {
    let row = device_sessions::ActiveModel {
        id: Set(uuid::Uuid::now_v7().to_string()),
        user_id: Set(user_id.to_owned()),
        device_name: Set(device.name.clone()),
        platform: Set(device.platform.clone()),
        refresh_hash: Set(refresh_hash),
        refresh_expires_at: Set(now_ms.saturating_add(refresh_ttl_ms)),
        created_at: Set(now_ms),
        last_used_at: Set(now_ms),
        revoked_at: Set(None),
        revoked_reason: Set(None),
    };
    Ok(row.insert(db).await?)
}

/// A session that is neither revoked nor past its refresh expiry.
pub async fn find_live(db: &impl ConnectionTrait, id: &str, now_ms: i64) -> Result<Option<device_sessions::Model>> {
    let session = device_sessions::Entity::find_by_id(id.to_owned()).one(db).await?;
    Ok(session.filter(|s| s.revoked_at.is_none() && s.refresh_expires_at > now_ms))
}

/// Which of `ids` are live sessions (neither revoked nor expired).
pub async fn live_among(
    db: &impl ConnectionTrait,
    ids: &[String],
    now_ms: i64,
) -> Result<std::collections::HashSet<String>> {
    let mut live = std::collections::HashSet::new();
    for chunk in ids.chunks(500) {
        let found: Vec<String> = device_sessions::Entity::find()
            .select_only()
            .column(device_sessions::Column::Id)
            .filter(device_sessions::Column::Id.is_in(chunk.iter().cloned()))
            .filter(device_sessions::Column::RevokedAt.is_null())
            .filter(device_sessions::Column::RefreshExpiresAt.gt(now_ms))
            .into_tuple()
            .all(db)
            .await?;
        live.extend(found);
    }
    Ok(live)
}

/// What presenting a refresh token led to.
#[derive(Debug)]
pub enum Rotation {
    /// The token was current: it is now used up and `new_hash` is current.
    Rotated(device_sessions::Model),
    /// The token had been used before: this session is now revoked.
    Reused(String),
    /// The session was revoked or has expired.
    Ended,
    /// No such token.
    Unknown,
}

pub async fn rotate(
    db: &(impl ConnectionTrait + TransactionTrait),
    presented_hash: &str,
    new_hash: String,
    now_ms: i64,
    refresh_ttl_ms: i64,
) -> Result<Rotation> {
    let txn = db.begin().await?;
    let current = device_sessions::Entity::find()
        .filter(device_sessions::Column::RefreshHash.eq(presented_hash))
        .one(&txn)
        .await?;
    let outcome = match current {
        Some(session) if session.revoked_at.is_some() || session.refresh_expires_at <= now_ms => Rotation::Ended,
        Some(session) => {
            used_refresh_tokens::ActiveModel {
                hash: Set(presented_hash.to_owned()),
                session_id: Set(session.id.clone()),
                used_at: Set(now_ms),
            }
            .insert(&txn)
            .await?;
            let mut row: device_sessions::ActiveModel = session.into();
            row.refresh_hash = Set(new_hash);
            row.refresh_expires_at = Set(now_ms.saturating_add(refresh_ttl_ms));
            row.last_used_at = Set(now_ms);
            Rotation::Rotated(row.update(&txn).await?)
        }
        None => match used_refresh_tokens::Entity::find_by_id(presented_hash.to_owned()).one(&txn).await? {
            Some(used) => {
                let session = device_sessions::Column::Id.eq(used.session_id.clone());
                revoke_where(&txn, session, REVOKED_REFRESH_REUSE, now_ms).await?;
                Rotation::Reused(used.session_id)
            }
            None => Rotation::Unknown,
        },
    };
    txn.commit().await?;
    Ok(outcome)
}

/// Revokes one of `user_id`'s sessions; false when it has no such live session.
pub async fn revoke(
    db: &impl ConnectionTrait,
    user_id: &str,
    session_id: &str,
    reason: &str,
    now_ms: i64,
) -> Result<bool> {
    let filter = device_sessions::Column::Id
        .eq(session_id)
        .and(device_sessions::Column::UserId.eq(user_id))
        .and(device_sessions::Column::RevokedAt.is_null());
    Ok(revoke_where(db, filter, reason, now_ms).await? > 0)
}

/// Revokes every live session of `user_id` except `keep`; returns how many.
pub async fn revoke_others(db: &impl ConnectionTrait, user_id: &str, keep: &str, now_ms: i64) -> Result<u64> {
    let filter = device_sessions::Column::UserId
        .eq(user_id)
        .and(device_sessions::Column::Id.ne(keep))
        .and(device_sessions::Column::RevokedAt.is_null());
    revoke_where(db, filter, REVOKED_BY_OTHER_DEVICE, now_ms).await
}

async fn revoke_where(
    db: &impl ConnectionTrait,
    filter: sea_orm::sea_query::SimpleExpr,
    reason: &str,
    now_ms: i64,
) -> Result<u64> {
    let result = device_sessions::Entity::update_many()
        .col_expr(device_sessions::Column::RevokedAt, Expr::value(now_ms))
        .col_expr(device_sessions::Column::RevokedReason, Expr::value(reason))
        .filter(filter)
        .filter(device_sessions::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

/// `user_id`'s live sessions, most recently used first.
pub async fn list_live(db: &impl ConnectionTrait, user_id: &str, now_ms: i64) -> Result<Vec<device_sessions::Model>> {
    Ok(device_sessions::Entity::find()
        .filter(device_sessions::Column::UserId.eq(user_id))
        .filter(device_sessions::Column::RevokedAt.is_null())
        .filter(device_sessions::Column::RefreshExpiresAt.gt(now_ms))
        .order_by_desc(device_sessions::Column::LastUsedAt)
        .all(db)
        .await?)
}
