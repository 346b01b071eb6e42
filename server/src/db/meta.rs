//! Service functions over `server_meta`.

use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, DatabaseConnection, EntityTrait};

use super::entity::server_meta;
use crate::error::Result;

const INSTANCE_ID: &str = "instance_id";

/// This data directory's instance id, created on first start and kept forever after.
pub async fn instance_id(db: &DatabaseConnection) -> Result<String> {
    let fresh =
        server_meta::ActiveModel { key: Set(INSTANCE_ID.to_owned()), value: Set(uuid::Uuid::new_v4().to_string()) };
    // Insert-if-absent, so two instances starting at once on one database agree.
    server_meta::Entity::insert(fresh)
        .on_conflict(OnConflict::column(server_meta::Column::Key).do_nothing().to_owned())
        .do_nothing()
        .exec(db)
        .await?;
    let row = server_meta::Entity::find_by_id(INSTANCE_ID.to_owned())
        .one(db)
        .await?
        .expect("instance_id row exists after insert-if-absent");
    Ok(row.value)
}
