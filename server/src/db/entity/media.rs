//! `media`: one upload, reserved when it starts (its id is what messages name), its bytes
//! arriving over tus (`offset` of `length`, staged by the blob store as `staging` says), then
//! `ready` with the SHA-256 of its blob, or `failed` (cancelled or expired).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "media")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub owner_id: String,
    /// `uploading`, `ready` or `failed` ([`gkchat_proto::media::MediaState`]).
    pub state: String,
    pub length: i64,
    pub offset: i64,
    pub sha256: Option<String>,
    /// Sniffed by the server from the bytes, once ready.
    pub mime: Option<String>,
    /// The tus `Upload-Metadata` header as the client sent it (served back on `HEAD`).
    pub metadata: String,
    /// Where the blob store keeps the unfinished bytes (its own JSON).
    pub staging: Option<String>,
    /// Who is writing right now (a `PATCH`), and until when at most.
    pub lease_token: Option<String>,
    pub lease_until: Option<i64>,
    /// A message has used it (from then on it lives as long as a message does).
    pub used: bool,
    pub created_at: i64,
    /// Unfinished: removed (failed) after this; finished and unused: removed after this.
    pub expires_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
