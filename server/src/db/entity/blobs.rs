//! `blobs`: one row per stored object, named by its content (a SHA-256 in hex, or a photo
//! rendition's `<sha>.thumb`). `state` is `live`, `orphaned` (nothing used it any more at
//! `orphaned_at`; deleted after a grace period unless something uses it again) or `deleting`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "blobs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub name: String,
    pub state: String,
    pub orphaned_at: Option<i64>,
    pub created_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
