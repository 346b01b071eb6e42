//! `reports`: a user reporting another or a group, with a reason and optionally messages of
//! the chat.
//! Kept even when either account is deleted.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "reports")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub reporter_id: String,
    /// The person reported; for a group, its owner when reported.
    pub reported_id: String,
    /// The group reported (`None`: a person).
    pub chat_id: Option<String>,
    pub reason: String,
    /// JSON array of message ids the reporter attached.
    pub message_ids: String,
    /// JSON array of those messages as they were when reported (`db::reports::Evidence`), so
    /// deleting them later does not erase the evidence; `None` on reports older than it.
    pub evidence: Option<String>,
    pub created_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
