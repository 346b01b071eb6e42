//! Tauri commands for chats and messages: each a few lines over the signed-in account's
//! `Messenger` (local store first; the server through it).

use gkchat_client::{LocalChat, LocalMessage, MessengerEvent};
use gkchat_proto::chat::{ChatMember, ChatSettingsUpdate, MessageAction};
use tauri::State;
use tauri::ipc::Channel;

use crate::AppState;
use crate::error::CommandResult;

/// Streams chat and message changes to the UI until the page goes away.
#[tauri::command]
pub async fn watch_messages(state: State<'_, AppState>, on_event: Channel<MessengerEvent>) -> CommandResult<()> {
    let mut feed = state.feeds.messages.subscribe();
    tauri::async_runtime::spawn(async move {
        loop {
            let event = match feed.recv().await {
                Ok(event) => event,
                // Missed some: a full reload covers them.
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => MessengerEvent::ChatsChanged,
                Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
            };
            if on_event.send(event).is_err() {
                break;
            }
        }
    });
    Ok(())
}

/// My chats as tiles, from the local store (shown before the network answers).
#[tauri::command]
pub async fn list_chats(state: State<'_, AppState>) -> CommandResult<Vec<LocalChat>> {
    // The first list at start: asked (the store may still be opening), then read from it.
    crate::startup::MARKS.mark("chats_asked");
    let messenger = state.messenger().await?;
    crate::startup::MARKS.mark("store_ready");
    let chats = messenger.chats().await?;
    crate::startup::MARKS.mark("chats_read");
    Ok(chats)
}

/// A chat's newest `limit` messages before `before`.
#[tauri::command]
pub async fn chat_messages(
    state: State<'_, AppState>,
    chat_id: String,
    before: Option<i64>,
    limit: u32,
) -> CommandResult<Vec<LocalMessage>> {
    Ok(state.messenger().await?.messages(&chat_id, before, limit).await?)
}

/// A chat's members, from the local store.
#[tauri::command]
pub async fn chat_members(state: State<'_, AppState>, chat_id: String) -> CommandResult<Vec<ChatMember>> {
    Ok(state.messenger().await?.members(&chat_id).await?)
}

/// Fetches older messages from the server into the local store; false when none are left.
#[tauri::command]
pub async fn load_older_messages(state: State<'_, AppState>, chat_id: String) -> CommandResult<bool> {
    Ok(state.messenger().await?.load_older(&chat_id, 100).await?)
}

/// The id of my direct chat with a person: known here, or opened on the server (needs the
/// connection the first time).
#[tauri::command]
pub async fn open_direct_chat(state: State<'_, AppState>, user_id: String) -> CommandResult<String> {
    Ok(state.messenger().await?.open_direct(&user_id).await?)
}

/// Those who left a chat or were removed, from this device's store (for their names).
#[tauri::command]
pub async fn former_members(state: State<'_, AppState>, chat_id: String) -> CommandResult<Vec<ChatMember>> {
    Ok(state.messenger().await?.former_members(&chat_id).await?)
}

/// "Delete chat" for me, on all my devices (a group I am still in, I leave first).
#[tauri::command]
pub async fn delete_chat(state: State<'_, AppState>, chat_id: String) -> CommandResult<()> {
    Ok(state.messenger().await?.delete_chat(&chat_id).await?)
}

#[tauri::command]
pub async fn send_text(
    state: State<'_, AppState>,
    chat_id: String,
    text: String,
    reply_to: Option<String>,
) -> CommandResult<LocalMessage> {
    Ok(state.messenger().await?.send_text(&chat_id, &text, reply_to).await?)
}

#[tauri::command]
pub async fn mark_read(state: State<'_, AppState>, chat_id: String) -> CommandResult<()> {
    Ok(state.messenger().await?.mark_read(&chat_id).await?)
}

#[tauri::command]
pub async fn act_on_message(
    state: State<'_, AppState>,
    chat_id: String,
    message_id: String,
    action: MessageAction,
) -> CommandResult<()> {
    Ok(state.messenger().await?.act(&chat_id, &message_id, action).await?)
}

#[tauri::command]
pub async fn set_typing(state: State<'_, AppState>, chat_id: String, typing: bool) -> CommandResult<()> {
    Ok(state.messenger().await?.typing(&chat_id, typing).await?)
}

#[tauri::command]
pub async fn update_chat(state: State<'_, AppState>, chat_id: String, update: ChatSettingsUpdate) -> CommandResult<()> {
    Ok(state.messenger().await?.update_chat(&chat_id, &update).await?)
}

/// "Clear chat" for me (on all my devices), optionally keeping my starred messages.
#[tauri::command]
pub async fn clear_chat(state: State<'_, AppState>, chat_id: String, keep_starred: bool) -> CommandResult<()> {
    Ok(state.messenger().await?.clear_chat(&chat_id, keep_starred).await?)
}

/// Accepts a message request: the chat moves from Requests to my chats.
#[tauri::command]
pub async fn accept_request(state: State<'_, AppState>, chat_id: String) -> CommandResult<()> {
    Ok(state.messenger().await?.accept_request(&chat_id).await?)
}

/// Blocks and reports the person behind a message request (its last messages attached) and
/// deletes the chat; the report's id.
#[tauri::command]
pub async fn block_and_report(state: State<'_, AppState>, chat_id: String, reason: String) -> CommandResult<String> {
    Ok(state.messenger().await?.block_and_report(&chat_id, &reason).await?)
}

/// Sets my background for a chat (`None`: the default), or a group's for everyone.
#[tauri::command]
pub async fn set_chat_background(
    state: State<'_, AppState>,
    chat_id: String,
    background: Option<gkchat_proto::appearance::Background>,
    for_everyone: bool,
) -> CommandResult<()> {
    Ok(state.messenger().await?.set_chat_background(&chat_id, background, for_everyone).await?)
}

/// Uploads a picture (a file picked or staged with `stage_file`) to use as a background; its
/// media id (then given to `set_chat_background` or to my appearance).
#[tauri::command]
pub async fn upload_background(
    state: State<'_, AppState>,
    source: gkchat_client::MediaSource,
) -> CommandResult<String> {
    let staged = source.path.clone();
    let uploaded = state.messenger().await?.upload_background(source).await;
    if staged.starts_with(state.data_dir.join(crate::media::STAGED_DIR)) {
        let _ = std::fs::remove_file(&staged);
    }
    Ok(uploaded?)
}

/// Sets a chat's disappearing-message timer for everyone in it (`None`: off).
#[tauri::command]
pub async fn set_chat_timer(state: State<'_, AppState>, chat_id: String, after_ms: Option<i64>) -> CommandResult<()> {
    Ok(state.messenger().await?.set_timer(&chat_id, after_ms).await?)
}

/// Full-text search over the messages on this device; in one chat when `chat_id` is given.
#[tauri::command]
pub async fn search_messages(
    state: State<'_, AppState>,
    text: String,
    chat_id: Option<String>,
) -> CommandResult<Vec<gkchat_client::SearchHit>> {
    Ok(state.messenger().await?.search(&text, chat_id.as_deref()).await?)
}

/// Forwards a message on this device to a chat.
#[tauri::command]
pub async fn forward_message(
    state: State<'_, AppState>,
    message_id: String,
    chat_id: String,
) -> CommandResult<LocalMessage> {
    Ok(state.messenger().await?.forward(&message_id, &chat_id).await?)
}

/// When the others received and read one of my messages.
#[tauri::command]
pub async fn message_info(
    state: State<'_, AppState>,
    chat_id: String,
    message_id: String,
) -> CommandResult<gkchat_proto::chat::MessageInfo> {
    Ok(state.client().await.message_info(&chat_id, &message_id).await?)
}

/// My starred messages, newest first: in one chat, or (no chat) in all of them.
#[tauri::command]
pub async fn starred_messages(state: State<'_, AppState>, chat_id: Option<String>) -> CommandResult<Vec<LocalMessage>> {
    Ok(state.messenger().await?.starred(chat_id.as_deref()).await?)
}
