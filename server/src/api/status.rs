//! Status over REST: posting, my feed, taking a post down, viewing and reacting, the viewers of
//! my post, how I follow someone, and who sees my next posts. Each a few lines over
//! `crate::status`, which holds the rules.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use gkchat_proto::status::{
    NewStatus, StatusAudience, StatusFeed, StatusPost, StatusPrefs, StatusReaction, StatusViewers,
};

use super::ApiJson;
use crate::AppState;
use crate::auth::AuthUser;
use crate::error::Result;
use crate::status;

pub async fn post(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiJson(new): ApiJson<NewStatus>,
) -> Result<Json<StatusPost>> {
    Ok(Json(status::post(&state, &auth.user_id, new).await?))
}

pub async fn feed(State(state): State<AppState>, auth: AuthUser) -> Result<Json<StatusFeed>> {
    Ok(Json(status::feed(&state, &auth.user_id).await?))
}

pub async fn delete(State(state): State<AppState>, auth: AuthUser, Path(id): Path<String>) -> Result<StatusCode> {
    status::delete(&state, &auth.user_id, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn view(State(state): State<AppState>, auth: AuthUser, Path(id): Path<String>) -> Result<StatusCode> {
    status::view(&state, &auth.user_id, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn react(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<String>,
    ApiJson(reaction): ApiJson<StatusReaction>,
) -> Result<StatusCode> {
    status::react(&state, &auth.user_id, &id, reaction.emoji).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn viewers(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<String>,
) -> Result<Json<StatusViewers>> {
    Ok(Json(status::viewers(&state, &auth.user_id, &id).await?))
}

pub async fn set_prefs(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(owner_id): Path<String>,
    ApiJson(prefs): ApiJson<StatusPrefs>,
) -> Result<StatusCode> {
    status::set_prefs(&state, &auth.user_id, &owner_id, prefs).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn audience(State(state): State<AppState>, auth: AuthUser) -> Result<Json<StatusAudience>> {
    Ok(Json(status::audience(&state, &auth.user_id).await?))
}

pub async fn set_audience(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiJson(audience): ApiJson<StatusAudience>,
) -> Result<Json<StatusAudience>> {
    Ok(Json(status::set_audience(&state, &auth.user_id, audience).await?))
}
