//! GK Chat desktop shell: wires settings, the live connection and the commands into Tauri.
//! Business logic lives in `gkchat-client`; this crate only adapts it to the window.

mod commands;
mod error;
mod live;
mod settings;

use std::path::PathBuf;

use gkchat_client::ConnectionState;
use tauri::Manager;
use tokio::sync::{Mutex, watch};

pub use error::CommandError;
use live::Live;
use settings::{SERVER_URL_ENV, Settings, settings_path};
pub use settings::{SettingsView, UrlSource};

/// What the commands share.
pub struct AppState {
    settings_path: PathBuf,
    current: Mutex<Current>,
    /// The connection state the UI sees; survives switching servers.
    ui_state: watch::Sender<ConnectionState>,
}

struct Current {
    live: Live,
    view: SettingsView,
}

pub fn run() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("GKCHAT_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();

    tauri::Builder::default()
        .setup(|app| {
            let config_dir = app.path().app_config_dir()?;
            let settings_path = settings_path(&config_dir);
            let env_url = std::env::var(SERVER_URL_ENV).ok().filter(|v| !v.trim().is_empty());
            let mut view = Settings::load(&settings_path).startup_url(env_url.as_deref());
            let url = match gkchat_client::parse_server_url(&view.server_url) {
                Ok(url) => url,
                Err(err) => {
                    tracing::error!(%err, "server URL unusable; falling back to the default");
                    view = Settings::default().startup_url(None);
                    gkchat_client::parse_server_url(&view.server_url)?
                }
            };
            tracing::info!(server = %url, source = ?view.source, "connecting to companion server");

            let (ui_state, _) = watch::channel(ConnectionState::Connecting { attempt: 0 });
            // Connection tasks need the async runtime's context.
            let live = tauri::async_runtime::block_on(async { Live::start(url, ui_state.clone()) })?;
            app.manage(AppState { settings_path, current: Mutex::new(Current { live, view }), ui_state });
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::get_settings,
            commands::set_server_url,
            commands::server_info,
            commands::retry_connection,
            commands::watch_connection,
        ])
        .run(tauri::generate_context!())
        .expect("error while running GK Chat");
}

#[cfg(test)]
mod tests {
    #[test]
    fn ui_bindings_are_fresh() {
        use gkchat_proto::ts::{check_bindings, render};
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let stale = check_bindings(vec![
            render::<crate::CommandError>(&root),
            render::<crate::SettingsView>(&root),
            render::<crate::UrlSource>(&root),
        ]);
        assert!(stale.is_empty(), "stale TypeScript bindings (run with GKCHAT_BLESS=1): {stale:?}");
    }
}
