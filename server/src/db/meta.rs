//! Service functions over `server_meta`.

use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, DatabaseConnection, EntityTrait};

use super::entity::server_meta;
use crate::error::Result;

/// This data directory's instance id, created on first start and kept forever after.
pub async fn instance_id(db: &DatabaseConnection) -> Result<String> {
    get_or_create(db, "instance_id", uuid::Uuid::new_v4().to_string()).await
}

/// The secret that signs access tokens when the configuration gives none.
pub async fn jwt_secret(db: &DatabaseConnection) -> Result<String> {
    get_or_create(db, "jwt_secret", crate::auth::tokens::new_signing_secret()).await
}

/// The secret behind TURN credentials when the configuration gives none.
pub async fn turn_secret(db: &DatabaseConnection) -> Result<String> {
    get_or_create(db, "turn_secret", crate::auth::tokens::new_signing_secret()).await
}

/// The value under `key`, storing `fresh` first if there is none. Insert-if-absent, so two
/// instances starting at once on one database agree.
async fn get_or_create(db: &DatabaseConnection, key: &str, fresh: String) -> Result<String> {
    let row = server_meta::ActiveModel { key: Set(key.to_owned()), value: Set(fresh) };
    server_meta::Entity::insert(row)
        .on_conflict(OnConflict::column(server_meta::Column::Key).do_nothing().to_owned())
        .do_nothing()
        .exec(db)
        .await?;
    let row =
        server_meta::Entity::find_by_id(key.to_owned()).one(db).await?.expect("the row exists after insert-if-absent");
    Ok(row.value)
}
