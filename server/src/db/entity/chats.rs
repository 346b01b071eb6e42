//! `chats`: one row per conversation, holding its sequence counter.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "chats")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    /// `direct` (groups come later).
    pub kind: String,
    /// `<smaller user id>:<larger user id>` for a direct chat.
    pub direct_key: Option<String>,
    /// The last sequence number handed out (every change takes the next).
    pub last_seq: i64,
    pub created_at: i64,
    pub last_activity_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
