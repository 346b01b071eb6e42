//! Sign-up, sign-in, token refresh and sign-out.

use std::net::SocketAddr;

use axum::Json;
use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use gkchat_proto::ErrorCode;
use gkchat_proto::account::{
    AuthTokens, DEVICE_NAME_MAX, DeviceInfo, Invalid, RefreshRequest, SignInRequest, SignUpRequest, check_display_name,
    check_profile_text, normalize_email, normalize_username,
};

use super::ApiJson;
use crate::auth::{AuthUser, password, tokens};
use crate::db::entity::{device_sessions, users};
use crate::db::{accounts, sessions};
use crate::error::{Error, Result};
use crate::{AppState, now_ms};

pub async fn sign_up(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ApiJson(request): ApiJson<SignUpRequest>,
) -> Result<(StatusCode, Json<AuthTokens>)> {
    state.auth.limiter.check_ip(peer.ip()).await?;
    let username = normalize_username(&request.username)?;
    let email = normalize_email(&request.email)?;
    password::check_strength(&request.password, &[&username, &email])?;
    let display_name = match request.display_name.as_deref() {
        Some(name) if !name.trim().is_empty() => check_display_name(name)?,
        _ => username.clone(),
    };
    let device = check_device(request.device)?;
    let password_hash = password::hash(request.password).await?;
    let user =
        accounts::create(&state.db, accounts::NewAccount { username, email, password_hash, display_name }, now_ms())
            .await?;
    tracing::info!(user_id = %user.id, "account created");
    let tokens = start_session(&state, &user, &device).await?;
    Ok((StatusCode::CREATED, Json(tokens)))
}

pub async fn sign_in(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ApiJson(request): ApiJson<SignInRequest>,
) -> Result<Json<AuthTokens>> {
    state.auth.limiter.check_ip(peer.ip()).await?;
    let login = request.login.trim().to_lowercase();
    state.auth.limiter.check_account(&login).await?;
    let device = check_device(request.device)?;
    let user = if login.contains('@') {
        accounts::find_by_email(&state.db, &login).await?
    } else {
        accounts::find_by_username(&state.db, &login).await?
    };
    let user = user.filter(|u| u.deleted_at.is_none());
    let stored = user.as_ref().and_then(|u| u.password_hash.clone());
    // Always verify, even for unknown accounts, so timing does not tell which exist.
    let matches = password::verify(request.password, stored).await;
    let Some(user) = user.filter(|_| matches) else {
        return Err(Error::unauthorized(ErrorCode::InvalidCredentials, "wrong username, email or password"));
    };
    Ok(Json(start_session(&state, &user, &device).await?))
}

pub async fn refresh(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ApiJson(request): ApiJson<RefreshRequest>,
) -> Result<Json<AuthTokens>> {
    state.auth.limiter.check_ip(peer.ip()).await?;
    let presented = tokens::hash_refresh_token(request.refresh_token.trim());
    let refresh_token = tokens::new_refresh_token();
    let now = now_ms();
    let rotation = sessions::rotate(
        &state.db,
        &presented,
        tokens::hash_refresh_token(&refresh_token),
        now,
        refresh_ttl_ms(&state),
    )
    .await?;
    let session = match rotation {
        sessions::Rotation::Rotated(session) => session,
        sessions::Rotation::Reused(session_id) => {
            tracing::warn!(%session_id, "a used refresh token came back; its session is revoked");
            state.hub.end_session(&session_id, "this sign-in was used from two places, so it was ended");
            return Err(Error::unauthorized(
                ErrorCode::SessionRevoked,
                "this sign-in was used from two places, so it was ended; sign in again",
            ));
        }
        sessions::Rotation::Ended => {
            return Err(Error::unauthorized(ErrorCode::SessionRevoked, "this device was signed out; sign in again"));
        }
        sessions::Rotation::Unknown => {
            return Err(Error::unauthorized(ErrorCode::Unauthorized, "unknown refresh token; sign in again"));
        }
    };
    let user = accounts::get(&state.db, &session.user_id)
        .await?
        .ok_or_else(|| Error::unauthorized(ErrorCode::SessionRevoked, "this account no longer exists"))?;
    Ok(Json(tokens_for(&state, &user, &session, refresh_token)))
}

pub async fn sign_out(State(state): State<AppState>, auth: AuthUser) -> Result<StatusCode> {
    sessions::revoke(&state.db, &auth.user_id, &auth.session_id, sessions::REVOKED_SIGN_OUT, now_ms()).await?;
    state.hub.end_session(&auth.session_id, "signed out");
    Ok(StatusCode::NO_CONTENT)
}

pub(super) fn check_device(device: DeviceInfo) -> Result<DeviceInfo, Invalid> {
    let name = check_profile_text("device name", &device.name, DEVICE_NAME_MAX, false)?;
    let platform = check_profile_text("platform", &device.platform, 32, false)?;
    Ok(DeviceInfo {
        name: if name.is_empty() { "Unnamed device".into() } else { name },
        platform: if platform.is_empty() { "unknown".into() } else { platform },
    })
}

fn refresh_ttl_ms(state: &AppState) -> i64 {
    i64::try_from(state.auth.refresh_ttl.as_millis()).unwrap_or(i64::MAX)
}

pub(super) async fn start_session(state: &AppState, user: &users::Model, device: &DeviceInfo) -> Result<AuthTokens> {
    let refresh_token = tokens::new_refresh_token();
    let session = sessions::create(
        &state.db,
        &user.id,
        device,
        tokens::hash_refresh_token(&refresh_token),
        now_ms(),
        refresh_ttl_ms(state),
    )
    .await?;
    Ok(tokens_for(state, user, &session, refresh_token))
}

fn tokens_for(
    state: &AppState,
    user: &users::Model,
    session: &device_sessions::Model,
    refresh_token: String,
) -> AuthTokens {
    let (access_token, access_expires_at) =
        state.auth.keys.issue_access(&user.id, &session.id, now_ms(), state.auth.access_ttl);
    AuthTokens {
        access_token,
        access_expires_at,
        refresh_token,
        session_id: session.id.clone(),
        user: accounts::to_me(user),
    }
}
