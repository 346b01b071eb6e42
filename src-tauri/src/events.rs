//! Events from the window: planning one in a chat, and how long before its start this device
//! reminds me. Answering, changing and cancelling are changes to the event's message like votes
//! (the `act_on_message` command, queued offline like them); reminders go off in the messenger
//! and become notifications in `notifier`.

use gkchat_client::LocalMessage;
use gkchat_proto::ErrorCode;
use tauri::State;

use crate::AppState;
use crate::error::{CommandError, CommandResult};
use crate::requests::WindowRequest;

/// Plans `event` in a chat: shown at once as pending, sent when the connection allows.
#[tauri::command]
pub async fn send_event(
    state: State<'_, AppState>,
    chat_id: String,
    event: gkchat_proto::event::Event,
) -> CommandResult<LocalMessage> {
    Ok(state.messenger().await?.send_event(&chat_id, event).await?)
}

/// A chat's events still to come or going on (not cancelled), soonest first.
#[tauri::command]
pub async fn upcoming_events(state: State<'_, AppState>, chat_id: String) -> CommandResult<Vec<LocalMessage>> {
    Ok(state.messenger().await?.upcoming_events(&chat_id).await?)
}

/// How long before an event's start this device reminds me, in ms (`null`: it does not).
#[tauri::command]
pub async fn event_reminder(state: State<'_, AppState>, message_id: String) -> CommandResult<Option<i64>> {
    Ok(state.messenger().await?.reminder_lead(&message_id).await?)
}

/// Sets how long before an event's start this device reminds me (`null`: not at all).
#[tauri::command]
pub async fn set_event_reminder(
    state: State<'_, AppState>,
    message_id: String,
    lead_ms: Option<i64>,
) -> CommandResult<()> {
    Ok(state.messenger().await?.set_reminder_lead(&message_id, lead_ms).await?)
}

/// Where a link from a message (an event's call link, a link preview) goes: the browser for a
/// web address, the app itself for a `gkchat:` link; anything else is refused.
#[derive(Debug, PartialEq, Eq)]
pub enum LinkTarget {
    Browser,
    App,
}

pub fn link_target(link: &str) -> Option<LinkTarget> {
    let url = url::Url::parse(link).ok()?;
    match url.scheme() {
        "https" | "http" if url.host().is_some() => Some(LinkTarget::Browser),
        "gkchat" => Some(LinkTarget::App),
        _ => None,
    }
}

/// Opens a link from a message: a web address in the system's browser, a `gkchat:` link in
/// this app (as if the OS had handed it over).
#[tauri::command]
pub fn open_link(state: State<'_, AppState>, link: String) -> CommandResult<()> {
    match link_target(&link) {
        Some(LinkTarget::Browser) => open::that_detached(&link)
            .map_err(|err| CommandError::new(ErrorCode::Internal, format!("no browser opened it: {err}"))),
        Some(LinkTarget::App) => {
            state.requests.ask(WindowRequest::OpenLink { link });
            Ok(())
        }
        None => Err(CommandError::new(ErrorCode::BadRequest, "only web and gkchat: links open")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_web_and_app_links_open() {
        assert_eq!(link_target("https://meet.example/abc"), Some(LinkTarget::Browser));
        assert_eq!(link_target("gkchat://join/abc"), Some(LinkTarget::App));
        for bad in ["file:///etc/passwd", "javascript:alert(1)", "https://", "not a link", "smb://host/share"] {
            assert_eq!(link_target(bad), None, "{bad}");
        }
    }
}
