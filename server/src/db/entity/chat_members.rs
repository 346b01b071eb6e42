//! `chat_members`: who is in a chat, with their receipt cursors and own settings for it.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "chat_members")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub chat_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: String,
    pub joined_at: i64,
    /// Everything up to this sequence number reached one of the member's devices.
    pub delivered_seq: i64,
    /// Everything up to this sequence number was read.
    pub read_seq: i64,
    pub pinned_at: Option<i64>,
    pub archived: bool,
    pub muted_until: Option<i64>,
    /// `member`, `admin` or `owner` ([`gkchat_proto::chat::MemberRole`]).
    pub role: String,
    /// The first sequence number the member sees (a group member sees from their joining on).
    pub history_from: i64,
    /// The last sequence number the member sees, once they left or were removed (`None`: still
    /// in). The row stays: they keep what they had.
    pub left_seq: Option<i64>,
    /// Everything up to here the member deleted for themselves ("delete chat"); their window
    /// starts after it.
    pub cleared_seq: i64,
    /// The chat stays in their list after what they cleared ("clear chat", not "delete chat").
    pub clear_listed: bool,
    /// Their starred messages up to `cleared_seq` stay (their window then keeps its start).
    pub clear_keeps_starred: bool,
    /// A message request to this member (a stranger started the direct chat) not yet accepted:
    /// their read receipts and presence are kept from the other person.
    pub request: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
