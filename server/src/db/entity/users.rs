//! `users`: one row per account. A deleted account keeps its row (so its messages can say
//! "Deleted account") with every personal field cleared.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub username: Option<String>,
    pub email: Option<String>,
    pub password_hash: Option<String>,
    pub display_name: String,
    pub about: String,
    pub status_text: String,
    pub privacy_last_seen: String,
    pub privacy_photo: String,
    pub privacy_about: String,
    pub read_receipts: bool,
    pub created_at: i64,
    pub deleted_at: Option<i64>,
    /// Verified phone number, E.164.
    pub phone: Option<String>,
    /// The token in my contact link (`gkchat://add/<token>`); made on first use, resettable.
    pub contact_token: Option<String>,
    /// The current profile photo: the content id of its blobs in the media store.
    pub photo_id: Option<String>,
    /// When the user's last connection ended (or, while online, began).
    pub last_seen_at: Option<i64>,
    /// Who may add them to groups: `everyone`, `contacts`, or `contacts_except` (their
    /// contacts but those in `group_add_exceptions`).
    pub privacy_groups: String,
    /// The disappearing-message timer new chats start with (0: off).
    pub default_timer_ms: i64,
    /// Who may start a chat with them: `everyone` or `contacts`.
    pub who_can_message: String,
    /// How the app looks for them ([`gkchat_proto::appearance::Appearance`] as JSON; `None`:
    /// as it comes).
    pub appearance: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::device_sessions::Entity")]
    DeviceSessions,
}

impl Related<super::device_sessions::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::DeviceSessions.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
