//! Tauri commands for groups: each a few lines over the server's REST calls, or the signed-in
//! account's `Messenger` where the local store must follow at once (making and joining a group;
//! after the other changes, the system message the server pushes brings the store along).

use gkchat_proto::chat::{ChatMember, ChatSummary, MemberRole};
use gkchat_proto::group::{
    GroupInfo, GroupInfoUpdate, InvitePreview, JoinOutcome, JoinRequest, MembersAdded, NewGroup,
};
use serde::Serialize;
use tauri::State;
use ts_rs::TS;

use crate::AppState;
use crate::error::CommandResult;

/// A group's invite link, its code, and the link as a QR code (an SVG document).
#[derive(Debug, Serialize, TS)]
pub struct InviteCode {
    pub link: String,
    pub code: String,
    pub svg: String,
}

impl InviteCode {
    fn of(link: gkchat_proto::group::InviteLink) -> CommandResult<Self> {
        let svg = crate::quick::qr_svg(&link.link)?;
        Ok(Self { link: link.link, code: link.code, svg })
    }
}

#[tauri::command]
pub async fn create_group(
    state: State<'_, AppState>,
    name: String,
    description: String,
    member_ids: Vec<String>,
) -> CommandResult<MembersAdded> {
    let new = NewGroup { name, description, member_ids };
    Ok(state.messenger().await?.create_group(&new).await?)
}

#[tauri::command]
pub async fn group_info(state: State<'_, AppState>, chat_id: String) -> CommandResult<GroupInfo> {
    Ok(state.client().await.group_info(&chat_id).await?)
}

#[tauri::command]
pub async fn update_group(
    state: State<'_, AppState>,
    chat_id: String,
    update: GroupInfoUpdate,
) -> CommandResult<GroupInfo> {
    Ok(state.client().await.update_group(&chat_id, &update).await?)
}

/// The members as the server has them now (the store's copy: `chat_members`).
#[tauri::command]
pub async fn group_members(state: State<'_, AppState>, chat_id: String) -> CommandResult<Vec<ChatMember>> {
    Ok(state.client().await.members(&chat_id).await?)
}

#[tauri::command]
pub async fn add_group_members(
    state: State<'_, AppState>,
    chat_id: String,
    user_ids: Vec<String>,
) -> CommandResult<MembersAdded> {
    Ok(state.client().await.add_members(&chat_id, &user_ids).await?)
}

#[tauri::command]
pub async fn remove_group_member(state: State<'_, AppState>, chat_id: String, user_id: String) -> CommandResult<()> {
    Ok(state.client().await.remove_member(&chat_id, &user_id).await?)
}

#[tauri::command]
pub async fn set_member_role(
    state: State<'_, AppState>,
    chat_id: String,
    user_id: String,
    role: MemberRole,
) -> CommandResult<()> {
    Ok(state.client().await.set_role(&chat_id, &user_id, role).await?)
}

#[tauri::command]
pub async fn leave_group(state: State<'_, AppState>, chat_id: String) -> CommandResult<()> {
    state.client().await.leave_group(&chat_id).await?;
    Ok(state.messenger().await?.refresh().await?)
}

#[tauri::command]
pub async fn delete_group(state: State<'_, AppState>, chat_id: String) -> CommandResult<()> {
    state.client().await.delete_group(&chat_id).await?;
    Ok(state.messenger().await?.refresh().await?)
}

/// The group's invite link (made if it has none) with its QR code (admins).
#[tauri::command]
pub async fn group_invite(state: State<'_, AppState>, chat_id: String) -> CommandResult<InviteCode> {
    InviteCode::of(state.client().await.invite_link(&chat_id).await?)
}

/// A new invite link: the old one no longer joins.
#[tauri::command]
pub async fn reset_group_invite(state: State<'_, AppState>, chat_id: String) -> CommandResult<InviteCode> {
    InviteCode::of(state.client().await.reset_invite_link(&chat_id).await?)
}

#[tauri::command]
pub async fn revoke_group_invite(state: State<'_, AppState>, chat_id: String) -> CommandResult<()> {
    Ok(state.client().await.revoke_invite_link(&chat_id).await?)
}

/// What a `gkchat://join/…` link shows before joining.
#[tauri::command]
pub async fn invite_preview(state: State<'_, AppState>, link: String) -> CommandResult<InvitePreview> {
    Ok(state.client().await.invite_preview(&link).await?)
}

#[tauri::command]
pub async fn join_group(state: State<'_, AppState>, link: String) -> CommandResult<JoinOutcome> {
    Ok(state.messenger().await?.join_group(&link).await?)
}

#[tauri::command]
pub async fn join_requests(state: State<'_, AppState>, chat_id: String) -> CommandResult<Vec<JoinRequest>> {
    Ok(state.client().await.join_requests(&chat_id).await?)
}

#[tauri::command]
pub async fn decide_join_request(
    state: State<'_, AppState>,
    chat_id: String,
    user_id: String,
    approve: bool,
) -> CommandResult<()> {
    Ok(state.client().await.decide_join(&chat_id, &user_id, approve).await?)
}

/// The groups I share with someone (on their profile).
#[tauri::command]
pub async fn groups_in_common(state: State<'_, AppState>, user_id: String) -> CommandResult<Vec<ChatSummary>> {
    Ok(state.client().await.groups_in_common(&user_id).await?)
}

/// The contacts who may not add me to groups (with "my contacts except …").
#[tauri::command]
pub async fn group_add_exceptions(state: State<'_, AppState>) -> CommandResult<Vec<String>> {
    Ok(state.client().await.group_add_exceptions().await?)
}

#[tauri::command]
pub async fn set_group_add_exceptions(state: State<'_, AppState>, user_ids: Vec<String>) -> CommandResult<Vec<String>> {
    Ok(state.client().await.set_group_add_exceptions(&user_ids).await?)
}
