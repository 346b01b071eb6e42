//! Tauri commands for groups: each a few lines over the server's REST calls, or the signed-in
//! account's `Messenger` where the local store must follow at once (making and joining a group;
//! after the other changes, the system message the server pushes brings the store along).

use gkchat_proto::ErrorCode;
use gkchat_proto::account::{PhotoSize, REPORT_RECENT_MESSAGES};
use gkchat_proto::chat::{ChatMember, ChatSummary, MemberRole};
use gkchat_proto::group::{
    GroupInfo, GroupInfoUpdate, GroupReport, InvitePreview, JoinOutcome, JoinRequest, MembersAdded, NewGroup,
};
use serde::Serialize;
use tauri::State;
use ts_rs::TS;

use crate::AppState;
use crate::error::{CommandError, CommandResult};

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

/// Sets the group's image. The body is the image file's bytes (raw IPC, no JSON); the group's id
/// comes in the `x-chat-id` header and the crop square, in the image's pixels, in `x-crop` as
/// `x,y,size`.
#[tauri::command]
pub async fn set_group_photo(state: State<'_, AppState>, request: tauri::ipc::Request<'_>) -> CommandResult<GroupInfo> {
    let tauri::ipc::InvokeBody::Raw(image) = request.body() else {
        return Err(CommandError::new(ErrorCode::BadRequest, "send the image as raw bytes"));
    };
    let header = |name: &str| request.headers().get(name).map(|value| value.to_str().unwrap_or_default().to_owned());
    let chat_id = header("x-chat-id").ok_or_else(|| CommandError::new(ErrorCode::BadRequest, "say which group"))?;
    let crop =
        match header("x-crop") {
            None => None,
            Some(text) => Some(crate::commands::parse_crop(&text).ok_or_else(|| {
                CommandError::new(ErrorCode::BadRequest, format!("the crop {text:?} is not `x,y,size`"))
            })?),
        };
    Ok(state.client().await.set_group_photo(&chat_id, image.clone(), crop).await?)
}

#[tauri::command]
pub async fn remove_group_photo(state: State<'_, AppState>, chat_id: String) -> CommandResult<GroupInfo> {
    Ok(state.client().await.remove_group_photo(&chat_id).await?)
}

/// A group's image as a `data:` URL, or null when it has none.
#[tauri::command]
pub async fn chat_photo(state: State<'_, AppState>, chat_id: String, size: PhotoSize) -> CommandResult<Option<String>> {
    Ok(crate::commands::data_url(state.client().await.chat_photo(&chat_id, size).await?))
}

/// The image an invite link's preview shows, as a `data:` URL, or null.
#[tauri::command]
pub async fn invite_photo(state: State<'_, AppState>, code: String, size: PhotoSize) -> CommandResult<Option<String>> {
    Ok(crate::commands::data_url(state.client().await.invite_photo(&code, size).await?))
}

/// Reports a group I am or was in (and leaves it when `leave`), attaching its last messages
/// when `include_messages`; returns the report's id.
#[tauri::command]
pub async fn report_group(
    state: State<'_, AppState>,
    chat_id: String,
    reason: String,
    include_messages: bool,
    leave: bool,
) -> CommandResult<String> {
    let messenger = state.messenger().await?;
    let message_ids = if include_messages {
        messenger.recent_message_ids(&chat_id, REPORT_RECENT_MESSAGES).await?
    } else {
        Vec::new()
    };
    let report = GroupReport { reason, message_ids, leave };
    let id = state.client().await.report_group(&chat_id, &report).await?;
    if leave {
        messenger.refresh().await?;
    }
    Ok(id)
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
