//! `chats`: one row per conversation, holding its sequence counter.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "chats")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    /// `direct` or `group` ([`gkchat_proto::chat::ChatKind`]).
    pub kind: String,
    /// `<smaller user id>:<larger user id>` for a direct chat.
    pub direct_key: Option<String>,
    /// The last sequence number handed out (every change takes the next).
    pub last_seq: i64,
    pub created_at: i64,
    pub last_activity_at: i64,
    /// The sequence number of the last change to the members (0: none since the start).
    pub members_seq: i64,
    /// Who started it (`None` for chats from before this was kept).
    pub created_by: Option<String>,
    /// A group's name, description and image (content id of its blobs in the media store).
    pub name: Option<String>,
    pub description: Option<String>,
    pub photo_id: Option<String>,
    pub only_admins_send: bool,
    pub only_admins_edit: bool,
    /// Joining by the invite link waits for an admin.
    pub approve_joins: bool,
    /// The code in the group's invite link (`None`: no link).
    pub invite_code: Option<String>,
    /// New messages disappear this long after sending (`None`: off).
    pub disappear_after_ms: Option<i64>,
    /// Only admins may keep messages from disappearing.
    pub only_admins_keep: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
