//! `calls`: the call log, one row per finished call.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "calls")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub caller_id: String,
    pub callee_id: String,
    /// `audio`, or `video` when video was on at any time.
    pub kind: String,
    /// `answered`, `missed`, `declined`, `busy`, `cancelled` or `failed`.
    pub outcome: String,
    pub started_at: i64,
    pub answered_at: Option<i64>,
    pub ended_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
