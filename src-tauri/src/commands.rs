//! Tauri commands: each a few lines over `gkchat-client`. Errors are [`CommandError`]s with a
//! stable code, never strings.

use gkchat_client::ConnectionState;
use gkchat_proto::ServerInfo;
use tauri::State;
use tauri::ipc::Channel;

use crate::AppState;
use crate::error::CommandResult;
use crate::live::Live;
use crate::settings::{Settings, SettingsView, UrlSource};

#[tauri::command]
pub async fn get_settings(state: State<'_, AppState>) -> CommandResult<SettingsView> {
    Ok(state.current.lock().await.view.clone())
}

/// Checks, saves and switches to a new server address.
#[tauri::command]
pub async fn set_server_url(state: State<'_, AppState>, url: String) -> CommandResult<SettingsView> {
    let parsed = gkchat_client::parse_server_url(&url)?;
    let server_url = parsed.to_string();
    Settings { server_url: Some(server_url.clone()) }.save(&state.settings_path)?;

    let mut current = state.current.lock().await;
    let next = Live::start(parsed, state.ui_state.clone())?;
    let previous = std::mem::replace(&mut current.live, next);
    current.view = SettingsView { server_url, source: UrlSource::Saved };
    previous.stop().await;
    Ok(current.view.clone())
}

#[tauri::command]
pub async fn server_info(state: State<'_, AppState>) -> CommandResult<ServerInfo> {
    let client = state.current.lock().await.live.client.clone();
    Ok(client.server_info().await?)
}

#[tauri::command]
pub async fn retry_connection(state: State<'_, AppState>) -> CommandResult<()> {
    state.current.lock().await.live.connection.retry_now();
    Ok(())
}

/// Streams connection states to the UI, the current one first, until the page goes away.
#[tauri::command]
pub async fn watch_connection(state: State<'_, AppState>, on_state: Channel<ConnectionState>) -> CommandResult<()> {
    let mut states = state.ui_state.subscribe();
    tauri::async_runtime::spawn(async move {
        loop {
            let current = states.borrow_and_update().clone();
            if on_state.send(current).is_err() || states.changed().await.is_err() {
                break;
            }
        }
    });
    Ok(())
}
