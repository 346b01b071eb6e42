//! Polls from the window: asking one in a chat. Voting and closing are changes to the poll's
//! message like reactions (the `act_on_message` command, queued offline like them).

use gkchat_client::LocalMessage;
use tauri::State;

use crate::AppState;
use crate::error::CommandResult;

/// Asks `poll` in a chat: shown at once as pending, sent when the connection allows.
#[tauri::command]
pub async fn send_poll(
    state: State<'_, AppState>,
    chat_id: String,
    poll: gkchat_proto::poll::Poll,
) -> CommandResult<LocalMessage> {
    Ok(state.messenger().await?.send_poll(&chat_id, poll).await?)
}
