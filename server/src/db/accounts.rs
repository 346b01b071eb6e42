//! Service functions over `users`.

use std::collections::HashMap;

use gkchat_proto::ErrorCode;
use gkchat_proto::account::{Invalid, Me, Privacy, Visibility, WhoCanMessage};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, SqlErr,
    TransactionTrait,
};

use super::entity::{device_sessions, users};
use crate::error::Result;

/// A validated new account.
pub struct NewAccount {
    pub username: String,
    pub email: String,
    pub password_hash: String,
    pub display_name: String,
}

/// Inserts the account; a taken username or email is an [`Invalid`] with its own code, also
/// when two sign-ups race for the same name.
pub async fn create(db: &impl ConnectionTrait, account: NewAccount, now_ms: i64) -> Result<users::Model> {
    if find_by_username(db, &account.username).await?.is_some() {
        return Err(taken(ErrorCode::UsernameTaken).into());
    }
    if find_by_email(db, &account.email).await?.is_some() {
        return Err(taken(ErrorCode::EmailTaken).into());
    }
    let row = new_row(
        uuid::Uuid::now_v7().to_string(),
        account.username,
        account.email,
        Some(account.password_hash),
        account.display_name,
        now_ms,
    );
    row.insert(db).await.map_err(|err| match unique_violation(&err) {
        Some(message) if message.contains("email") => taken(ErrorCode::EmailTaken).into(),
        Some(_) => taken(ErrorCode::UsernameTaken).into(),
        None => err.into(),
    })
}

/// A new account's row: default privacy, nothing else set yet.
fn new_row(
    id: String,
    username: String,
    email: String,
    password_hash: Option<String>,
    display_name: String,
    now_ms: i64,
) -> users::ActiveModel {
    let privacy = Privacy::default();
    users::ActiveModel {
        id: Set(id),
        username: Set(Some(username)),
        email: Set(Some(email)),
        password_hash: Set(password_hash),
        display_name: Set(display_name),
        about: Set(String::new()),
        status_text: Set(String::new()),
        privacy_last_seen: Set(privacy.last_seen.as_str().to_owned()),
        privacy_photo: Set(privacy.photo.as_str().to_owned()),
        privacy_about: Set(privacy.about.as_str().to_owned()),
        read_receipts: Set(privacy.read_receipts),
        privacy_groups: Set(privacy.groups.unwrap_or_default().as_str().to_owned()),
        created_at: Set(now_ms),
        deleted_at: Set(None),
        phone: Set(None),
        contact_token: Set(None),
        photo_id: Set(None),
        last_seen_at: Set(None),
        default_timer_ms: Set(privacy.default_timer_ms.unwrap_or(0)),
        who_can_message: Set(privacy.who_can_message.unwrap_or_default().as_str().to_owned()),
        appearance: Set(None),
    }
}

fn taken(code: ErrorCode) -> Invalid {
    let message = match code {
        ErrorCode::EmailTaken => "an account with this email address exists already",
        _ => "this username is taken",
    };
    Invalid { code, message: message.into() }
}

fn unique_violation(err: &DbErr) -> Option<String> {
    match err.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(message)) => Some(message.to_lowercase()),
        _ => None,
    }
}

pub async fn find_by_username(db: &impl ConnectionTrait, username: &str) -> Result<Option<users::Model>> {
    Ok(users::Entity::find().filter(users::Column::Username.eq(username)).one(db).await?)
}

pub async fn find_by_phone(db: &impl ConnectionTrait, phone: &str) -> Result<Option<users::Model>> {
    Ok(users::Entity::find().filter(users::Column::Phone.eq(phone)).one(db).await?)
}

/// Sets `user`'s verified phone; another account holding it is an [`Invalid`] `phone_taken`.
pub async fn set_phone(db: &impl ConnectionTrait, user: users::Model, phone: String) -> Result<users::Model> {
    if find_by_phone(db, &phone).await?.is_some_and(|other| other.id != user.id) {
        return Err(Invalid { code: ErrorCode::PhoneTaken, message: "another account uses this number".into() }.into());
    }
    let mut row: users::ActiveModel = user.into();
    row.phone = Set(Some(phone));
    row.update(db).await.map_err(|err| match unique_violation(&err) {
        Some(_) => Invalid { code: ErrorCode::PhoneTaken, message: "another account uses this number".into() }.into(),
        None => err.into(),
    })
}

pub async fn find_by_contact_token(db: &impl ConnectionTrait, token: &str) -> Result<Option<users::Model>> {
    Ok(users::Entity::find().filter(users::Column::ContactToken.eq(token)).one(db).await?)
}

/// `user`'s contact token, made now if they have none yet (or `reset` asks for a new one,
/// which retires every QR code showing the old one).
pub async fn contact_token(db: &impl ConnectionTrait, user: users::Model, reset: bool) -> Result<String> {
    if let (Some(token), false) = (&user.contact_token, reset) {
        return Ok(token.clone());
    }
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).expect("the OS random source works");
    let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let mut row: users::ActiveModel = user.into();
    row.contact_token = Set(Some(token.clone()));
    row.update(db).await?;
    Ok(token)
}

pub async fn find_by_email(db: &impl ConnectionTrait, email: &str) -> Result<Option<users::Model>> {
    Ok(users::Entity::find().filter(users::Column::Email.eq(email)).one(db).await?)
}

/// A live (not deleted) account by id.
pub async fn get(db: &impl ConnectionTrait, id: &str) -> Result<Option<users::Model>> {
    let user = users::Entity::find_by_id(id.to_owned()).one(db).await?;
    Ok(user.filter(|u| u.deleted_at.is_none()))
}

/// Which of `ids` are live (not deleted) accounts.
pub async fn live_among(db: &impl ConnectionTrait, ids: &[String]) -> Result<std::collections::HashSet<String>> {
    if ids.is_empty() {
        return Ok(Default::default());
    }
    let rows = users::Entity::find()
        .filter(users::Column::Id.is_in(ids.iter().cloned()))
        .filter(users::Column::DeletedAt.is_null())
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|u| u.id).collect())
}

/// Validated profile changes; `None` leaves a field as it is.
#[derive(Debug, Default)]
pub struct ProfileChanges {
    pub display_name: Option<String>,
    pub about: Option<String>,
    pub status_text: Option<String>,
    pub privacy: Option<Privacy>,
    pub appearance: Option<gkchat_proto::appearance::Appearance>,
}

pub async fn update_profile(
    db: &impl ConnectionTrait,
    user: users::Model,
    changes: ProfileChanges,
) -> Result<users::Model> {
    let mut row: users::ActiveModel = user.into();
    if let Some(name) = changes.display_name {
        row.display_name = Set(name);
    }
    if let Some(about) = changes.about {
        row.about = Set(about);
    }
    if let Some(status) = changes.status_text {
        row.status_text = Set(status);
    }
    if let Some(privacy) = changes.privacy {
        row.privacy_last_seen = Set(privacy.last_seen.as_str().to_owned());
        row.privacy_photo = Set(privacy.photo.as_str().to_owned());
        row.privacy_about = Set(privacy.about.as_str().to_owned());
        if let Some(groups) = privacy.groups {
            row.privacy_groups = Set(groups.as_str().to_owned());
        }
        if let Some(timer) = privacy.default_timer_ms {
            row.default_timer_ms = Set(timer);
        }
        if let Some(who) = privacy.who_can_message {
            row.who_can_message = Set(who.as_str().to_owned());
        }
        row.read_receipts = Set(privacy.read_receipts);
    }
    if let Some(appearance) = changes.appearance {
        row.appearance =
            Set(Some(serde_json::to_string(&appearance).map_err(|e| crate::error::Error::Internal(e.to_string()))?));
    }
    Ok(row.update(db).await?)
}

/// The disappearing-message timer `user_id`'s new chats start with.
pub async fn default_timer(db: &impl ConnectionTrait, user_id: &str) -> Result<Option<i64>> {
    let user = get(db, user_id).await?;
    Ok(user.map(|u| u.default_timer_ms).filter(|ms| gkchat_proto::chat::DISAPPEAR_TIMERS_MS.contains(ms)))
}

pub fn privacy(user: &users::Model) -> Privacy {
    let parse = |text: &str| Visibility::parse(text).unwrap_or(Visibility::Everyone);
    Privacy {
        last_seen: parse(&user.privacy_last_seen),
        photo: parse(&user.privacy_photo),
        about: parse(&user.privacy_about),
        read_receipts: user.read_receipts,
        groups: Some(gkchat_proto::account::GroupAdd::parse(&user.privacy_groups).unwrap_or_default()),
        default_timer_ms: Some(user.default_timer_ms),
        who_can_message: Some(WhoCanMessage::parse(&user.who_can_message).unwrap_or_default()),
    }
}

/// Sets (or with `None` removes) `user`'s photo; returns the photo it replaced.
pub async fn set_photo(
    db: &impl ConnectionTrait,
    user: users::Model,
    photo_id: Option<String>,
) -> Result<Option<String>> {
    let previous = user.photo_id.clone();
    let mut row: users::ActiveModel = user.into();
    row.photo_id = Set(photo_id);
    row.update(db).await?;
    Ok(previous)
}

/// Records when each user was last connected (the latest time given for each), in one
/// transaction.
pub async fn touch_last_seen(db: &(impl ConnectionTrait + TransactionTrait), seen: &[(&str, i64)]) -> Result<()> {
    let mut latest: HashMap<&str, i64> = HashMap::with_capacity(seen.len());
    for (user_id, at) in seen {
        let entry = latest.entry(user_id).or_insert(*at);
        *entry = (*entry).max(*at);
    }
    let txn = db.begin().await?;
    for (user_id, at) in latest {
        users::Entity::update_many()
            .col_expr(users::Column::LastSeenAt, sea_orm::sea_query::Expr::value(at))
            .filter(users::Column::Id.eq(user_id))
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// The account as its owner sees it.
pub fn to_me(user: &users::Model) -> Me {
    Me {
        id: user.id.clone(),
        username: user.username.clone().unwrap_or_default(),
        email: user.email.clone().unwrap_or_default(),
        display_name: user.display_name.clone(),
        about: user.about.clone(),
        status_text: user.status_text.clone(),
        phone: user.phone.clone(),
        photo: user.photo_id.clone(),
        privacy: privacy(user),
        created_at: user.created_at,
        appearance: user.appearance.as_deref().and_then(|json| serde_json::from_str(json).ok()).unwrap_or_default(),
    }
}

/// The name other people see for a deleted account's past messages.
pub const DELETED_ACCOUNT_NAME: &str = "Deleted account";

/// Deletes an account: every device signed out (its sessions and used refresh tokens gone),
/// every personal field cleared, username and email freed. The row stays, anonymous, so
/// messages it sent can still name their sender as "Deleted account". Features that keep more
/// per-user data (contacts, blocks, one-time codes, photos, memberships, status posts, views
/// and settings) remove it here too.
pub async fn delete(db: &(impl ConnectionTrait + TransactionTrait), user: users::Model, now_ms: i64) -> Result<()> {
    let txn = db.begin().await?;
    device_sessions::Entity::delete_many()
        .filter(device_sessions::Column::UserId.eq(user.id.clone()))
        .exec(&txn)
        .await?;
    super::contacts::forget_user(&txn, &user.id).await?;
    super::blocks::forget_user(&txn, &user.id).await?;
    super::otp::forget_user(&txn, &user.id, user.phone.as_deref()).await?;
    super::status::forget_user(&txn, &user.id).await?;
    super::entity::starred_messages::Entity::delete_many()
        .filter(super::entity::starred_messages::Column::UserId.eq(user.id.clone()))
        .exec(&txn)
        .await?;
    super::entity::hidden_messages::Entity::delete_many()
        .filter(super::entity::hidden_messages::Column::UserId.eq(user.id.clone()))
        .exec(&txn)
        .await?;
    super::backgrounds::forget_user(&txn, &user.id).await?;
    let privacy = Privacy::default();
    let mut row: users::ActiveModel = user.into();
    row.username = Set(None);
    row.email = Set(None);
    row.phone = Set(None);
    row.contact_token = Set(None);
    row.photo_id = Set(None);
    row.last_seen_at = Set(None);
    row.password_hash = Set(None);
    row.display_name = Set(DELETED_ACCOUNT_NAME.to_owned());
    row.about = Set(String::new());
    row.appearance = Set(None);
    row.status_text = Set(String::new());
    row.privacy_last_seen = Set(privacy.last_seen.as_str().to_owned());
    row.privacy_photo = Set(privacy.photo.as_str().to_owned());
    row.privacy_about = Set(privacy.about.as_str().to_owned());
    row.read_receipts = Set(privacy.read_receipts);
    row.deleted_at = Set(Some(now_ms));
    row.update(&txn).await?;
    txn.commit().await?;
    Ok(())
}

/// `count` accounts named `<prefix><n>` with no password, each with one live device session
/// (valid an hour), written in a few statements: for load generators and tests that connect
/// with access tokens they mint themselves. Their (user id, session id) pairs.
pub async fn insert_passwordless(
    db: &impl ConnectionTrait,
    prefix: &str,
    count: usize,
    now_ms: i64,
) -> Result<Vec<(String, String)>> {
    let mut made = Vec::with_capacity(count);
    let (mut people, mut sessions) = (Vec::new(), Vec::new());
    for n in 0..count {
        let (id, session) = (uuid::Uuid::now_v7().to_string(), uuid::Uuid::now_v7().to_string());
        people.push(new_row(
            id.clone(),
            format!("{prefix}{n:05}"),
            format!("{prefix}{n:05}@example.test"),
            None,
            format!("{prefix} {n}"),
            now_ms,
        ));
        sessions.push(device_sessions::ActiveModel {
            id: Set(session.clone()),
            user_id: Set(id.clone()),
            device_name: Set("bulk".into()),
            platform: Set("test".into()),
            refresh_hash: Set(session.clone()),
            refresh_expires_at: Set(now_ms + 3_600_000),
            created_at: Set(now_ms),
            last_used_at: Set(now_ms),
            revoked_at: Set(None),
            revoked_reason: Set(None),
        });
        made.push((id, session));
    }
    for chunk in people.chunks(200) {
        users::Entity::insert_many(chunk.to_vec()).exec(db).await?;
    }
    for chunk in sessions.chunks(200) {
        device_sessions::Entity::insert_many(chunk.to_vec()).exec(db).await?;
    }
    Ok(made)
}
