//! Groups over REST: creating one, its info and settings, members and roles, leaving and
//! deleting, invite links and requests to join, and the groups two people share. Each a few
//! lines over `crate::groups`, which holds the rules.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use gkchat_proto::account::ReportReceipt;
use gkchat_proto::chat::{ChatMember, ChatSummary};
use gkchat_proto::group::{
    AddMembers, GroupAddExceptions, GroupInfo, GroupInfoUpdate, GroupReport, InviteLink, InvitePreview, JoinDecision,
    JoinOutcome, JoinRequest, MembersAdded, NewGroup, RoleChange,
};

use super::ApiJson;
use crate::AppState;
use crate::auth::AuthUser;
use crate::error::Result;
use crate::groups;

pub async fn create(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiJson(new): ApiJson<NewGroup>,
) -> Result<Json<MembersAdded>> {
    Ok(Json(groups::create(&state, &auth.user_id, new).await?))
}

pub async fn info(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(chat_id): Path<String>,
) -> Result<Json<GroupInfo>> {
    Ok(Json(groups::info(&state, &auth.user_id, &chat_id).await?))
}

pub async fn update_info(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(chat_id): Path<String>,
    ApiJson(update): ApiJson<GroupInfoUpdate>,
) -> Result<Json<GroupInfo>> {
    Ok(Json(groups::update_info(&state, &auth.user_id, &chat_id, &update).await?))
}

pub async fn delete(State(state): State<AppState>, auth: AuthUser, Path(chat_id): Path<String>) -> Result<()> {
    groups::delete(&state, &auth.user_id, &chat_id).await
}

pub async fn members(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(chat_id): Path<String>,
) -> Result<Json<Vec<ChatMember>>> {
    Ok(Json(groups::members(&state, &auth.user_id, &chat_id).await?))
}

pub async fn add(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(chat_id): Path<String>,
    ApiJson(request): ApiJson<AddMembers>,
) -> Result<Json<MembersAdded>> {
    Ok(Json(groups::add(&state, &auth.user_id, &chat_id, request.user_ids).await?))
}

/// Removes a member; removing myself is leaving.
pub async fn remove(
    State(state): State<AppState>,
    auth: AuthUser,
    Path((chat_id, user_id)): Path<(String, String)>,
) -> Result<()> {
    groups::remove(&state, &auth.user_id, &chat_id, &user_id).await
}

pub async fn set_role(
    State(state): State<AppState>,
    auth: AuthUser,
    Path((chat_id, user_id)): Path<(String, String)>,
    ApiJson(change): ApiJson<RoleChange>,
) -> Result<()> {
    groups::set_role(&state, &auth.user_id, &chat_id, &user_id, change.role).await
}

pub async fn report(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(chat_id): Path<String>,
    ApiJson(report): ApiJson<GroupReport>,
) -> Result<(StatusCode, Json<ReportReceipt>)> {
    Ok((StatusCode::CREATED, Json(groups::report(&state, &auth.user_id, &chat_id, report).await?)))
}

pub async fn leave(State(state): State<AppState>, auth: AuthUser, Path(chat_id): Path<String>) -> Result<()> {
    groups::leave(&state, &auth.user_id, &chat_id).await
}

pub async fn invite_link(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(chat_id): Path<String>,
) -> Result<Json<InviteLink>> {
    Ok(Json(groups::invite_link(&state, &auth.user_id, &chat_id).await?))
}

pub async fn reset_link(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(chat_id): Path<String>,
) -> Result<Json<InviteLink>> {
    Ok(Json(groups::reset_link(&state, &auth.user_id, &chat_id).await?))
}

pub async fn revoke_link(State(state): State<AppState>, auth: AuthUser, Path(chat_id): Path<String>) -> Result<()> {
    groups::revoke_link(&state, &auth.user_id, &chat_id).await
}

pub async fn preview(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(code): Path<String>,
) -> Result<Json<InvitePreview>> {
    Ok(Json(groups::preview(&state, &auth.user_id, &code).await?))
}

pub async fn join(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(code): Path<String>,
) -> Result<Json<JoinOutcome>> {
    Ok(Json(groups::join(&state, &auth.user_id, &code).await?))
}

pub async fn requests(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(chat_id): Path<String>,
) -> Result<Json<Vec<JoinRequest>>> {
    Ok(Json(groups::requests(&state, &auth.user_id, &chat_id).await?))
}

pub async fn decide(
    State(state): State<AppState>,
    auth: AuthUser,
    Path((chat_id, user_id)): Path<(String, String)>,
    ApiJson(decision): ApiJson<JoinDecision>,
) -> Result<()> {
    groups::decide(&state, &auth.user_id, &chat_id, &user_id, decision.approve).await
}

pub async fn in_common(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(user_id): Path<String>,
) -> Result<Json<Vec<ChatSummary>>> {
    Ok(Json(groups::in_common(&state, &auth.user_id, &user_id).await?))
}

/// The contacts who may not add me to groups (with "my contacts except …").
pub async fn add_exceptions(State(state): State<AppState>, auth: AuthUser) -> Result<Json<GroupAddExceptions>> {
    Ok(Json(GroupAddExceptions { user_ids: groups::add_exceptions(&state, &auth.user_id).await? }))
}

pub async fn set_add_exceptions(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiJson(list): ApiJson<GroupAddExceptions>,
) -> Result<Json<GroupAddExceptions>> {
    Ok(Json(GroupAddExceptions { user_ids: groups::set_add_exceptions(&state, &auth.user_id, list.user_ids).await? }))
}
