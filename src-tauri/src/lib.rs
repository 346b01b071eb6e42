//! GK Chat desktop shell: wires settings, the live connection and the commands into Tauri.
//! Business logic lives in `gkchat-client`; this crate only adapts it to the window.

mod calls;
mod chats;
mod commands;
mod error;
mod events;
#[cfg(test)]
mod fixtures;
mod groups;
mod keyring_store;
mod live;
mod media;
mod notifier;
mod polls;
mod quick;
mod requests;
#[cfg(test)]
mod security_tests;
mod settings;
mod startup;
mod status;
mod tray;

use std::path::PathBuf;

use gkchat_client::{Client, ConnectionState};
use tauri::Manager;
use tauri::ipc::Channel;
use tokio::sync::{Mutex, watch};

pub use commands::{ContactCode, SignUpForm};
pub use error::CommandError;
use live::{Live, UiFeeds};
use settings::{SERVER_URL_ENV, Settings, settings_path};
pub use settings::{SettingsView, UrlSource};

/// What the commands share.
pub struct AppState {
    settings_path: PathBuf,
    /// Where local message stores live (one per server and account).
    data_dir: PathBuf,
    current: Mutex<Current>,
    /// What the UI follows; survives switching servers.
    feeds: UiFeeds,
    /// Quick chats (no account needed).
    quick: quick::QuickState,
    /// Links and chats the window is asked to open.
    requests: requests::Requests,
    notifier: notifier::Notifier,
    desktop: std::sync::Mutex<settings::DesktopSettings>,
    /// The media cache's settings (applied to the messenger whenever it is asked for).
    media_settings: std::sync::Mutex<media::MediaSettings>,
    /// A voice message being recorded.
    recording: media::Recording,
    /// Devices and video frames for calls, whichever server is current.
    media: std::sync::Arc<live::CallMedia>,
}

struct Current {
    live: Live,
    view: SettingsView,
}

impl AppState {
    /// The current server's client (cheap clone; the lock is not held while it works).
    async fn client(&self) -> Client {
        self.current.lock().await.live.client.clone()
    }

    /// Removes an account's local chats and messages from this device (after signing out or
    /// deleting the account): the messenger lets go of the store, then its files go.
    async fn forget_local_store(&self, user_id: &str) {
        let current = self.current.lock().await;
        current.live.messenger.lock().await.take();
        let path = current.live.store_path(user_id);
        current.live.kept_accounts().forget(user_id);
        for suffix in ["", "-wal", "-shm"] {
            let file = std::path::PathBuf::from(format!("{}{suffix}", path.display()));
            match std::fs::remove_file(&file) {
                Err(err) if err.kind() != std::io::ErrorKind::NotFound => {
                    tracing::warn!(file = %file.display(), %err, "could not remove the local store");
                }
                _ => {}
            }
        }
    }

    /// Where the current server's accounts are kept between runs.
    async fn kept_accounts(&self) -> live::KeptAccounts {
        self.current.lock().await.live.kept_accounts()
    }

    /// Keeps the account a command answered (for a start without the network), and hands it on.
    async fn kept(&self, me: gkchat_proto::account::Me) -> Result<gkchat_proto::account::Me, CommandError> {
        self.kept_accounts().await.keep(&me);
        Ok(me)
    }

    /// The signed-in account's messenger.
    /// Signed in with the local store still opening (the first commands of a start), it waits
    /// for the store (up to a few seconds) rather than answer "sign in first".
    async fn messenger(&self) -> Result<std::sync::Arc<gkchat_client::Messenger>, CommandError> {
        let (slot, ready, account) = {
            let current = self.current.lock().await;
            (current.live.messenger.clone(), current.live.messenger_ready.clone(), current.live.client.watch_account())
        };
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
        let messenger = loop {
            let opened = ready.notified();
            tokio::pin!(opened);
            opened.as_mut().enable();
            if let Some(messenger) = slot.lock().await.clone() {
                break messenger;
            }
            let signed_in = account.borrow().is_some();
            if !signed_in || tokio::time::timeout_at(deadline, opened).await.is_err() {
                return Err(CommandError::new(gkchat_proto::ErrorCode::Unauthorized, "sign in first"));
            }
        };
        let media = *self.media_settings.lock().expect("media settings lock");
        messenger.set_media_limits(media.cache_bytes, media.auto_download_bytes);
        Ok(messenger)
    }
}

/// The next value of a broadcast feed, past any a slow reader missed; `None` once it closed.
async fn next_of<T: Clone>(feed: &mut tokio::sync::broadcast::Receiver<T>) -> Option<T> {
    loop {
        match feed.recv().await {
            Ok(value) => return Some(value),
            Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
            Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
        }
    }
}

/// Forwards every value of a broadcast `feed` to the UI until the page is gone (what a slow page
/// missed is skipped: each of these feeds' values stands alone).
fn forward_to<T>(mut feed: tokio::sync::broadcast::Receiver<T>, channel: Channel<T>)
where
    T: tauri::ipc::IpcResponse + Clone + Send + 'static,
{
    tauri::async_runtime::spawn(async move {
        while let Some(value) = next_of(&mut feed).await {
            if channel.send(value).is_err() {
                break;
            }
        }
    });
}

/// Forwards every value of `feed` (the current one first) to the UI until the page is gone.
fn stream_to<T>(mut feed: watch::Receiver<T>, channel: Channel<T>)
where
    T: tauri::ipc::IpcResponse + Clone + Send + Sync + 'static,
{
    tauri::async_runtime::spawn(async move {
        loop {
            let current = feed.borrow_and_update().clone();
            if channel.send(current).is_err() || feed.changed().await.is_err() {
                break;
            }
        }
    });
}

/// Brings the main window up (from the tray, a second launch, a clicked notification).
fn show_main_window(app: &tauri::AppHandle) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}

/// To WebKit a messenger is a document viewer: one page for the life of the window, pictures
/// served by the app's own media cache. The smallest memory cache and no back/forward page
/// cache (WebKit's default is the web browser's model, which keeps decoded resources and whole
/// pages around).
fn light_webview(window: &tauri::WebviewWindow) {
    #[cfg(target_os = "linux")]
    if let Err(err) = window.with_webview(|webview| {
        use webkit2gtk::{WebContextExt, WebViewExt};
        if let Some(context) = webview.inner().context() {
            context.set_cache_model(webkit2gtk::CacheModel::DocumentViewer);
        }
    }) {
        tracing::warn!(%err, "the webview keeps its default cache model");
    }
    // WebView2 and WKWebView size their caches themselves.
    #[cfg(not(target_os = "linux"))]
    let _ = window;
}

pub fn run() {
    startup::MARKS.begin();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("GKCHAT_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();

    let players = media::Players::bind().expect("a loopback port for the media players");
    let mut context = tauri::generate_context!();
    if let Some(tauri::utils::config::Csp::Policy(csp)) = &mut context.config_mut().app.security.csp {
        *csp = players.allow_in(csp);
    }

    tauri::Builder::default()
        .manage(players)
        // First: a second launch ends here and hands its arguments (a gkchat:// link) over.
        .plugin(tauri_plugin_single_instance::init(|app, args, _cwd| {
            show_main_window(app);
            for link in requests::links_in(args) {
                app.state::<AppState>().requests.ask(requests::WindowRequest::OpenLink { link });
            }
        }))
        .plugin(tauri_plugin_deep_link::init())
        // Media for the webview, from the cache (fetched when missing), with byte ranges.
        .register_asynchronous_uri_scheme_protocol(media::SCHEME, |context, request, responder| {
            let app = context.app_handle().clone();
            tauri::async_runtime::spawn(async move { responder.respond(media::serve(app, request).await) });
        })
        // Size and position come back at the next start (visibility is ours: start minimised).
        .plugin(
            tauri_plugin_window_state::Builder::default()
                .with_state_flags(
                    tauri_plugin_window_state::StateFlags::all() - tauri_plugin_window_state::StateFlags::VISIBLE,
                )
                .build(),
        )
        .plugin(tauri_plugin_autostart::init(tauri_plugin_autostart::MacosLauncher::LaunchAgent, None))
        .on_window_event(|window, event| match event {
            tauri::WindowEvent::Focused(focused) => {
                window.state::<AppState>().notifier.set_window_focused(*focused);
            }
            tauri::WindowEvent::CloseRequested { api, .. } => {
                let state = window.state::<AppState>();
                let to_tray = state.desktop.lock().unwrap_or_else(std::sync::PoisonError::into_inner).close_to_tray;
                if to_tray {
                    api.prevent_close();
                    let _ = window.hide();
                }
            }
            _ => {}
        })
        .setup(|app| {
            app.state::<media::Players>().serve(app.handle().clone());
            let config_dir = app.path().app_config_dir()?;
            let data_dir = app.path().app_data_dir()?;
            let settings_path = settings_path(&config_dir);
            let env_url = std::env::var(SERVER_URL_ENV).ok().filter(|v| !v.trim().is_empty());
            let saved = Settings::load(&settings_path);
            let mut view = saved.startup_url(env_url.as_deref());
            let url = match gkchat_client::parse_server_url(&view.server_url) {
                Ok(url) => url,
                Err(err) => {
                    tracing::error!(%err, "server URL unusable; falling back to the default");
                    view = Settings::default().startup_url(None);
                    gkchat_client::parse_server_url(&view.server_url)?
                }
            };
            tracing::info!(server = %url, source = ?view.source, "connecting to companion server");

            let feeds = UiFeeds {
                connection: watch::channel(ConnectionState::Connecting { attempt: 0 }).0,
                account: watch::channel(None).0,
                presence: tokio::sync::broadcast::channel(256).0,
                messages: tokio::sync::broadcast::channel(1024).0,
                calls: tokio::sync::broadcast::channel(64).0,
            };
            let media = std::sync::Arc::new(live::CallMedia {
                settings: std::sync::Mutex::new(saved.calls.clone()),
                video: std::sync::Arc::default(),
            });
            // Connection tasks need the async runtime's context.
            let live = tauri::async_runtime::block_on(async { Live::start(url, &feeds, &data_dir, &media) })?;
            app.manage(AppState {
                settings_path,
                data_dir,
                current: Mutex::new(Current { live, view }),
                feeds,
                quick: quick::QuickState::default(),
                requests: requests::Requests::with_launch_args(std::env::args().skip(1)),
                notifier: notifier::Notifier::with_settings(saved.notifications),
                desktop: std::sync::Mutex::new(saved.desktop),
                media_settings: std::sync::Mutex::new(saved.media),
                recording: media::Recording::default(),
                media,
            });
            if saved.desktop.start_minimised
                && let Some(window) = app.get_webview_window("main")
            {
                let _ = window.hide();
            }
            // Links the OS hands over while running (macOS; elsewhere they come as arguments).
            {
                use tauri_plugin_deep_link::DeepLinkExt;
                let handle = app.handle().clone();
                app.deep_link().on_open_url(move |event| {
                    for url in event.urls() {
                        let link = url.to_string();
                        handle.state::<AppState>().requests.ask(requests::WindowRequest::OpenLink { link });
                    }
                });
            }
            notifier::start(app.handle().clone());
            calls::start_ringing_notifications(app.handle().clone());
            if let Err(err) = tray::start(app.handle()) {
                tracing::warn!(%err, "no tray icon");
            }
            if let Some(window) = app.get_webview_window("main") {
                light_webview(&window);
            }
            startup::MARKS.mark("shell_ready");
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            startup::startup_mark,
            startup::startup_marks,
            commands::get_settings,
            commands::set_server_url,
            commands::server_info,
            commands::retry_connection,
            commands::watch_connection,
            commands::watch_account,
            commands::current_account,
            commands::sign_up,
            commands::sign_in,
            commands::sign_out,
            commands::request_sign_in_code,
            commands::sign_in_with_code,
            commands::request_phone_verification,
            commands::verify_phone,
            commands::update_profile,
            commands::set_photo,
            commands::remove_photo,
            commands::user_photo,
            commands::watch_presence,
            commands::delete_account,
            commands::list_contacts,
            commands::add_contact,
            commands::remove_contact,
            commands::my_contact_code,
            commands::reset_contact_code,
            commands::list_blocked,
            commands::block_user,
            commands::unblock_user,
            commands::report_user,
            commands::list_devices,
            commands::sign_out_device,
            commands::sign_out_other_devices,
            chats::watch_messages,
            chats::list_chats,
            chats::chat_messages,
            chats::load_older_messages,
            chats::open_direct_chat,
            chats::chat_members,
            groups::create_group,
            groups::group_info,
            groups::update_group,
            groups::group_members,
            groups::add_group_members,
            groups::remove_group_member,
            groups::set_member_role,
            groups::leave_group,
            groups::delete_group,
            groups::set_group_photo,
            groups::remove_group_photo,
            groups::chat_photo,
            groups::invite_photo,
            groups::report_group,
            chats::delete_chat,
            chats::former_members,
            groups::group_invite,
            groups::reset_group_invite,
            groups::revoke_group_invite,
            groups::invite_preview,
            groups::join_group,
            groups::join_requests,
            groups::decide_join_request,
            groups::groups_in_common,
            groups::group_add_exceptions,
            groups::set_group_add_exceptions,
            chats::send_text,
            chats::mark_read,
            chats::act_on_message,
            chats::set_typing,
            chats::update_chat,
            chats::search_messages,
            chats::forward_message,
            chats::message_info,
            media::send_media,
            media::stage_file,
            media::paste_clipboard_image,
            media::cancel_media,
            media::download_media,
            media::save_media,
            media::open_media,
            media::media_cache,
            media::set_media_settings,
            media::clear_media_cache,
            media::chat_gallery,
            media::start_voice_recording,
            media::stop_voice_recording,
            media::link_preview,
            media::send_text_with_preview,
            media::send_contact,
            media::playable_url,
            polls::send_poll,
            events::send_event,
            events::event_reminder,
            events::set_event_reminder,
            events::open_link,
            events::upcoming_events,
            chats::starred_messages,
            chats::set_chat_timer,
            chats::clear_chat,
            chats::accept_request,
            chats::block_and_report,
            chats::set_chat_background,
            chats::upload_background,
            status::status_feed,
            status::post_text_status,
            status::post_media_status,
            status::delete_status,
            status::view_status,
            status::react_to_status,
            status::status_viewers,
            status::set_status_prefs,
            status::status_audience,
            status::set_status_audience,
            status::reply_to_status,
            media::send_vcard,
            media::save_vcard,
            quick::quick_create,
            quick::quick_open,
            quick::quick_join,
            quick::quick_enter,
            quick::quick_say,
            quick::quick_leave,
            quick::quick_end,
            requests::watch_requests,
            commands::get_notification_settings,
            commands::set_notification_settings,
            commands::set_open_chat,
            commands::get_desktop_settings,
            commands::set_desktop_settings,
            calls::watch_calls,
            calls::watch_call_video,
            calls::current_call,
            calls::start_call,
            calls::accept_call,
            calls::decline_call,
            calls::hang_up_call,
            calls::set_call_muted,
            calls::set_call_camera,
            calls::switch_call,
            calls::set_call_volume,
            calls::call_log,
            calls::get_call_settings,
            calls::set_call_settings,
        ])
        .run(context)
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
            render::<crate::SignUpForm>(&root),
            render::<crate::ContactCode>(&root),
            render::<crate::groups::InviteCode>(&root),
            render::<crate::quick::QuickInviteView>(&root),
            render::<crate::quick::QuickCreatedView>(&root),
            render::<crate::quick::QuickLandingView>(&root),
            render::<crate::requests::WindowRequest>(&root),
            render::<crate::notifier::NotificationSettings>(&root),
            render::<crate::calls::CallSettings>(&root),
            render::<crate::calls::CallSettingsView>(&root),
            render::<crate::calls::DeviceChoice>(&root),
            render::<crate::settings::DesktopSettings>(&root),
            render::<crate::media::MediaSettings>(&root),
            render::<crate::media::MediaCacheView>(&root),
            render::<crate::startup::StartupMark>(&root),
        ]);
        assert!(stale.is_empty(), "stale TypeScript bindings (run with GKCHAT_BLESS=1): {stale:?}");
    }
}
