//! My contacts: add by username, list, remove.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use gkchat_proto::ErrorCode;
use gkchat_proto::account::{AddContactRequest, CONTACT_LINK_PREFIX, Contact, ContactLink, normalize_username};

use super::ApiJson;
use crate::auth::AuthUser;
use crate::db::{accounts, contacts};
use crate::error::{Error, Result};
use crate::{AppState, now_ms};

pub async fn list(State(state): State<AppState>, auth: AuthUser) -> Result<Json<Vec<Contact>>> {
    Ok(Json(contacts::list(&state.db, &auth.user_id, |id| state.hub.is_online(id)).await?))
}

pub async fn add(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiJson(request): ApiJson<AddContactRequest>,
) -> Result<(StatusCode, Json<Contact>)> {
    let found = match &request {
        AddContactRequest::Username(name) => {
            let username = normalize_username(name)?;
            accounts::find_by_username(&state.db, &username)
                .await?
                .ok_or_else(|| format!("nobody is called @{username}"))
        }
        AddContactRequest::Phone(phone) => {
            let phone = super::phone::normalize_phone(phone)?;
            accounts::find_by_phone(&state.db, &phone).await?.ok_or_else(|| format!("nobody uses {phone}"))
        }
        AddContactRequest::Link(link) => {
            let token = link.trim().strip_prefix(CONTACT_LINK_PREFIX).unwrap_or(link.trim());
            accounts::find_by_contact_token(&state.db, token)
                .await?
                .ok_or_else(|| "this contact link is not valid (any more)".to_owned())
        }
    };
    let user = match found {
        Ok(user) if user.deleted_at.is_none() => user,
        Ok(_) => return Err(Error::not_found("that account was deleted")),
        Err(message) => return Err(Error::not_found(message)),
    };
    if user.id == auth.user_id {
        return Err(Error::api(StatusCode::BAD_REQUEST, ErrorCode::BadRequest, "you cannot add yourself"));
    }
    let added_at = contacts::add(&state.db, &auth.user_id, &user, now_ms()).await?;
    // Adding the sender of a message request accepts it.
    if let Some(chat) = crate::db::chats::find_direct(&state.db, &auth.user_id, &user.id).await? {
        crate::requests::accept(&state, &auth.user_id, &chat.id).await?;
    }
    let relation = contacts::Relation::between(&state.db, &user.id, &auth.user_id).await?;
    let online = state.hub.is_online(&user.id);
    // Whom I may show my presence to may have changed ("my contacts" visibility).
    crate::presence::announce(&state, &auth.user_id).await?;
    Ok((StatusCode::CREATED, Json(contacts::as_seen_by(&user, relation, online, added_at))))
}

pub async fn remove(State(state): State<AppState>, auth: AuthUser, Path(user_id): Path<String>) -> Result<StatusCode> {
    if contacts::remove(&state.db, &auth.user_id, &user_id).await? {
        crate::presence::announce(&state, &auth.user_id).await?;
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(Error::not_found("no such contact"))
    }
}

/// My contact link, for the QR code others scan.
pub async fn my_link(State(state): State<AppState>, auth: AuthUser) -> Result<Json<ContactLink>> {
    link(&state, &auth, false).await
}

/// A new contact link; QR codes showing the old one stop working.
pub async fn reset_link(State(state): State<AppState>, auth: AuthUser) -> Result<Json<ContactLink>> {
    link(&state, &auth, true).await
}

async fn link(state: &AppState, auth: &AuthUser, reset: bool) -> Result<Json<ContactLink>> {
    let user = accounts::get(&state.db, &auth.user_id).await?.ok_or_else(|| Error::not_found("no such account"))?;
    let token = accounts::contact_token(&state.db, user, reset).await?;
    Ok(Json(ContactLink { link: format!("{CONTACT_LINK_PREFIX}{token}") }))
}
