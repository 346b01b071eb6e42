//! Service functions over `reports`.

use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, EntityTrait, QueryOrder, QuerySelect};

use super::entity::reports;
use crate::error::Result;

pub async fn file(
    db: &impl ConnectionTrait,
    reporter_id: &str,
    reported_id: &str,
    reason: String,
    message_ids: &[String],
    now_ms: i64,
) -> Result<reports::Model> {
    let row = reports::ActiveModel {
        id: Set(uuid::Uuid::now_v7().to_string()),
        reporter_id: Set(reporter_id.to_owned()),
        reported_id: Set(reported_id.to_owned()),
        reason: Set(reason),
        message_ids: Set(serde_json::to_string(message_ids).expect("strings serialise")),
        created_at: Set(now_ms),
    };
    Ok(row.insert(db).await?)
}

/// The newest `limit` reports, newest first.
pub async fn latest(db: &impl ConnectionTrait, limit: u64) -> Result<Vec<reports::Model>> {
    Ok(reports::Entity::find().order_by_desc(reports::Column::CreatedAt).limit(limit).all(db).await?)
}
