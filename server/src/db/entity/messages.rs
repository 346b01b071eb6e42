//! `messages`: each message in its current state, with its place (`seq`) and the sequence
//! number of its latest change (`updated_seq`).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "messages")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub chat_id: String,
    pub seq: i64,
    pub updated_seq: i64,
    pub sender_id: String,
    /// The content envelope (JSON); `None` once deleted for everyone.
    pub content: Option<String>,
    pub reply_to: Option<String>,
    pub forwarded: bool,
    pub sent_at: i64,
    pub edited_at: Option<i64>,
    pub deleted_at: Option<i64>,
    /// When it disappears (the chat's timer when it was sent); the sweeper skips kept ones.
    pub expires_at: Option<i64>,
    pub kept: bool,
    /// When the sweeper took its content (its timer ran out).
    pub expired_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// Gone by `now`: expired, or its time is up and nobody kept it (the sweeper may not have
    /// come by yet).
    pub fn gone_at(&self, now: i64) -> bool {
        self.expired_at.is_some() || (!self.kept && self.expires_at.is_some_and(|at| at <= now))
    }
}
