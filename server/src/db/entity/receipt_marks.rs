//! `receipt_marks`: when a member's delivered or read cursor moved, and to where.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "receipt_marks")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub chat_id: String,
    pub user_id: String,
    /// `delivered` or `read`.
    pub kind: String,
    pub seq: i64,
    pub at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
