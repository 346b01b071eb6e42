//! My own account: profile, privacy, and my signed-in devices.

use std::net::SocketAddr;

use axum::Json;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::StatusCode;
use gkchat_proto::ErrorCode;
use gkchat_proto::account::{
    ABOUT_MAX, DeleteAccountRequest, DeviceSession, Me, ProfileUpdate, STATUS_TEXT_MAX, check_display_name,
    check_profile_text,
};

use sea_orm::TransactionTrait;

use super::ApiJson;
use crate::auth::{AuthUser, password};
use crate::db::entity::users;
use crate::db::{accounts, sessions};
use crate::error::{Error, Result};
use crate::{AppState, now_ms};

async fn current_user(state: &AppState, auth: &AuthUser) -> Result<users::Model> {
    accounts::get(&state.db, &auth.user_id).await?.ok_or_else(|| Error::not_found("no such account"))
}

pub async fn get_me(State(state): State<AppState>, auth: AuthUser) -> Result<Json<Me>> {
    Ok(Json(accounts::to_me(&current_user(&state, &auth).await?)))
}

pub async fn update_me(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiJson(update): ApiJson<ProfileUpdate>,
) -> Result<Json<Me>> {
    let changes = accounts::ProfileChanges {
        display_name: update.display_name.map(|name| check_display_name(&name)).transpose()?,
        about: update.about.map(|about| check_profile_text("about", &about, ABOUT_MAX, false)).transpose()?,
        status_text: update
            .status_text
            .map(|status| check_profile_text("status", &status, STATUS_TEXT_MAX, false))
            .transpose()?,
        privacy: update.privacy,
        appearance: update.appearance,
    };
    if let Some(timer) = changes.privacy.and_then(|p| p.default_timer_ms).filter(|ms| *ms != 0) {
        gkchat_proto::chat::check_timer(Some(timer)).map_err(Error::bad_request)?;
    }
    let privacy_changed = changes.privacy.is_some();
    if let Some(appearance) = &changes.appearance {
        appearance.check().map_err(Error::bad_request)?;
        if let Some(background) = &appearance.background {
            crate::appearance::check(&state.db, &auth.user_id, background).await?;
        }
    }
    let user = current_user(&state, &auth).await?;
    // The account row and my default background change together.
    let txn = state.db.begin().await?;
    let default = changes.appearance.as_ref().map(|a| a.background.clone());
    let updated = accounts::update_profile(&txn, user, changes).await?;
    if let Some(background) = default {
        crate::appearance::keep_default(&txn, &auth.user_id, background.as_ref()).await?;
    }
    txn.commit().await?;
    if privacy_changed {
        crate::presence::announce(&state, &auth.user_id).await?;
    }
    // My other devices see the change at once.
    let me = accounts::to_me(&updated);
    crate::appearance::push_me(&state, &me);
    Ok(Json(me))
}

pub async fn list_sessions(State(state): State<AppState>, auth: AuthUser) -> Result<Json<Vec<DeviceSession>>> {
    let live = sessions::list_live(&state.db, &auth.user_id, now_ms()).await?;
    Ok(Json(
        live.into_iter()
            .map(|s| DeviceSession {
                current: s.id == auth.session_id,
                id: s.id,
                name: s.device_name,
                platform: s.platform,
                created_at: s.created_at,
                last_used_at: s.last_used_at,
            })
            .collect(),
    ))
}

pub async fn sign_out_session(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(session_id): Path<String>,
) -> Result<StatusCode> {
    let reason =
        if session_id == auth.session_id { sessions::REVOKED_SIGN_OUT } else { sessions::REVOKED_BY_OTHER_DEVICE };
    if sessions::revoke(&state.db, &auth.user_id, &session_id, reason, now_ms()).await? {
        state.hub.end_session(&session_id, "this device was signed out");
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(Error::not_found("no such signed-in device"))
    }
}

pub async fn sign_out_others(State(state): State<AppState>, auth: AuthUser) -> Result<StatusCode> {
    let count = sessions::revoke_others(&state.db, &auth.user_id, &auth.session_id, now_ms()).await?;
    state.hub.end_user_sessions(&auth.user_id, Some(&auth.session_id), "this device was signed out from another one");
    tracing::info!(user_id = %auth.user_id, count, "signed out other devices");
    Ok(StatusCode::NO_CONTENT)
}

/// Deletes my account after checking my password again — limited like sign-in, so a stolen
/// access token is no password oracle.
pub async fn delete_me(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    auth: AuthUser,
    ApiJson(request): ApiJson<DeleteAccountRequest>,
) -> Result<StatusCode> {
    state.auth.limiter.check_ip(peer.ip()).await?;
    state.auth.limiter.check_account(&format!("delete:{}", auth.user_id)).await?;
    let user = current_user(&state, &auth).await?;
    if !password::verify(request.password, user.password_hash.clone()).await {
        return Err(Error::unauthorized(ErrorCode::InvalidCredentials, "wrong password"));
    }
    let user_id = user.id.clone();
    let photo = user.photo_id.clone();
    accounts::delete(&state.db, user, now_ms()).await?;
    // Once deleted nobody can add them again; then out of every group.
    crate::groups::leave_all(&state, &user_id).await?;
    crate::photo::forget_if_unused(&state, photo).await?;
    state.hub.end_user_sessions(&user_id, None, "this account was deleted");
    tracing::info!(%user_id, "account deleted");
    Ok(StatusCode::NO_CONTENT)
}
