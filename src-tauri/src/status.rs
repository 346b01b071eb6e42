//! Status from the window: the feed, posting words or a picture / video, taking a post down,
//! viewing, reacting, replying, the viewers of my posts, how I follow someone, and who sees my
//! next posts — each over the messenger. New posts of those I asked for become notifications in
//! `notifier`.

use gkchat_client::{LocalMessage, MediaSource};
use gkchat_proto::status::{StatusAudience, StatusFeed, StatusFont, StatusPost, StatusPrefs, StatusViewers};
use tauri::State;

use crate::AppState;
use crate::error::CommandResult;

#[tauri::command]
pub async fn status_feed(state: State<'_, AppState>) -> CommandResult<StatusFeed> {
    Ok(state.messenger().await?.status_feed().await?)
}

#[tauri::command]
pub async fn post_text_status(
    state: State<'_, AppState>,
    text: String,
    background: String,
    font: StatusFont,
) -> CommandResult<StatusPost> {
    Ok(state.messenger().await?.post_text_status(&text, &background, font).await?)
}

/// A picture or video (a file staged with `stage_file`) as a post.
#[tauri::command]
pub async fn post_media_status(
    state: State<'_, AppState>,
    source: MediaSource,
    caption: String,
) -> CommandResult<StatusPost> {
    let staged = source.path.clone();
    let posted = state.messenger().await?.post_media_status(source, &caption).await;
    if staged.starts_with(state.data_dir.join(crate::media::STAGED_DIR)) {
        let _ = std::fs::remove_file(&staged);
    }
    Ok(posted?)
}

#[tauri::command]
pub async fn delete_status(state: State<'_, AppState>, post_id: String) -> CommandResult<()> {
    Ok(state.messenger().await?.delete_status(&post_id).await?)
}

#[tauri::command]
pub async fn view_status(state: State<'_, AppState>, post_id: String) -> CommandResult<()> {
    Ok(state.messenger().await?.view_status(&post_id).await?)
}

#[tauri::command]
pub async fn react_to_status(state: State<'_, AppState>, post_id: String, emoji: Option<String>) -> CommandResult<()> {
    Ok(state.messenger().await?.react_to_status(&post_id, emoji).await?)
}

#[tauri::command]
pub async fn status_viewers(state: State<'_, AppState>, post_id: String) -> CommandResult<StatusViewers> {
    Ok(state.messenger().await?.status_viewers(&post_id).await?)
}

#[tauri::command]
pub async fn set_status_prefs(state: State<'_, AppState>, owner_id: String, prefs: StatusPrefs) -> CommandResult<()> {
    Ok(state.messenger().await?.set_status_prefs(&owner_id, prefs).await?)
}

#[tauri::command]
pub async fn status_audience(state: State<'_, AppState>) -> CommandResult<StatusAudience> {
    Ok(state.messenger().await?.status_audience().await?)
}

#[tauri::command]
pub async fn set_status_audience(
    state: State<'_, AppState>,
    audience: StatusAudience,
) -> CommandResult<StatusAudience> {
    Ok(state.messenger().await?.set_status_audience(&audience).await?)
}

/// Answers someone's post in our direct chat, quoting it.
#[tauri::command]
pub async fn reply_to_status(state: State<'_, AppState>, post_id: String, text: String) -> CommandResult<LocalMessage> {
    Ok(state.messenger().await?.reply_to_status(&post_id, &text).await?)
}
