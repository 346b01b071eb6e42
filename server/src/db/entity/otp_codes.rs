//! `otp_codes`: one-time codes sent by SMS, stored hashed, with their tries and expiry.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "otp_codes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    /// `verify_phone` or `sign_in`.
    pub purpose: String,
    pub phone: String,
    /// The account verifying the number (`verify_phone`), or the account signing in.
    pub user_id: Option<String>,
    pub code_hash: String,
    pub attempts: i32,
    pub created_at: i64,
    pub expires_at: i64,
    pub used_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
