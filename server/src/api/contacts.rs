//! My contacts: add by username, list, remove.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use gkchat_proto::ErrorCode;
use gkchat_proto::account::{AddContactRequest, Contact, normalize_username};

use super::ApiJson;
use crate::auth::AuthUser;
use crate::db::{accounts, contacts};
use crate::error::{Error, Result};
use crate::{AppState, now_ms};

pub async fn list(State(state): State<AppState>, auth: AuthUser) -> Result<Json<Vec<Contact>>> {
    Ok(Json(contacts::list(&state.db, &auth.user_id).await?))
}

pub async fn add(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiJson(request): ApiJson<AddContactRequest>,
) -> Result<(StatusCode, Json<Contact>)> {
    let username = normalize_username(&request.username)?;
    let user = accounts::find_by_username(&state.db, &username)
        .await?
        .filter(|u| u.deleted_at.is_none())
        .ok_or_else(|| Error::not_found(format!("nobody is called @{username}")))?;
    if user.id == auth.user_id {
        return Err(Error::api(StatusCode::BAD_REQUEST, ErrorCode::BadRequest, "you cannot add yourself"));
    }
    let added_at = contacts::add(&state.db, &auth.user_id, &user, now_ms()).await?;
    let relation = contacts::Relation::between(&state.db, &user.id, &auth.user_id).await?;
    Ok((StatusCode::CREATED, Json(contacts::as_seen_by(&user, relation, added_at))))
}

pub async fn remove(State(state): State<AppState>, auth: AuthUser, Path(user_id): Path<String>) -> Result<StatusCode> {
    if contacts::remove(&state.db, &auth.user_id, &user_id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(Error::not_found("no such contact"))
    }
}
