//! What the desktop asks of the window: open a `gkchat://` link (given on the command line, by
//! a second launch of the app, or by the OS) or open a chat (a clicked notification). Asked
//! before the window listens, a request waits for it; `watch_requests` streams them.

use serde::Serialize;
use tauri::State;
use tauri::ipc::Channel;
use tokio::sync::broadcast;
use ts_rs::TS;

use crate::AppState;
use crate::error::CommandResult;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum WindowRequest {
    /// A `gkchat://…` link to open: `add/…` (a contact to add), `join/…` (a group's invite) or
    /// `quick/…` (a quick chat).
    OpenLink { link: String },
    /// A chat to show (its notification was clicked).
    OpenChat { chat_id: String },
}

pub struct Requests {
    /// Asked while nobody listened yet.
    pending: std::sync::Mutex<Vec<WindowRequest>>,
    live: broadcast::Sender<WindowRequest>,
}

/// The `gkchat://` links among command-line arguments.
pub fn links_in(args: impl IntoIterator<Item = String>) -> Vec<String> {
    args.into_iter().filter(|arg| arg.starts_with("gkchat://")).collect()
}

impl Requests {
    /// Starts with the `gkchat://` links the app was launched with.
    pub fn with_launch_args(args: impl IntoIterator<Item = String>) -> Self {
        let pending = links_in(args).into_iter().map(|link| WindowRequest::OpenLink { link }).collect();
        Self { pending: std::sync::Mutex::new(pending), live: broadcast::channel(16).0 }
    }

    fn pending(&self) -> std::sync::MutexGuard<'_, Vec<WindowRequest>> {
        self.pending.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Asks the window; kept until it listens if it does not yet.
    pub fn ask(&self, request: WindowRequest) {
        let mut pending = self.pending();
        if self.live.receiver_count() == 0 || self.live.send(request.clone()).is_err() {
            pending.push(request);
        }
    }
}

/// Streams requests to the window: those that waited first, then new ones.
#[tauri::command]
pub async fn watch_requests(app: State<'_, AppState>, on_request: Channel<WindowRequest>) -> CommandResult<()> {
    let (waiting, feed) = {
        let mut pending = app.requests.pending();
        (std::mem::take(&mut *pending), app.requests.live.subscribe())
    };
    for request in waiting {
        let _ = on_request.send(request);
    }
    crate::forward_to(feed, on_request);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn launch_links_wait_for_the_window_then_requests_go_live() {
        let args = ["gkchat-desktop", "--flag", "gkchat://quick/ab/cd?server=x"].map(str::to_owned);
        let requests = Requests::with_launch_args(args);
        assert_eq!(*requests.pending(), [WindowRequest::OpenLink { link: "gkchat://quick/ab/cd?server=x".into() }]);
        let mut feed = requests.live.subscribe();
        requests.ask(WindowRequest::OpenChat { chat_id: "c1".into() });
        assert_eq!(feed.try_recv().unwrap(), WindowRequest::OpenChat { chat_id: "c1".into() });
        drop(feed);
        requests.ask(WindowRequest::OpenChat { chat_id: "c2".into() });
        assert_eq!(requests.pending().len(), 2, "kept while nobody listens");
    }
}
