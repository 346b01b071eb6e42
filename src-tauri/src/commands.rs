//! Tauri commands: each a few lines over `gkchat-client`. Errors are [`CommandError`]s with a
//! stable code, never strings. Tokens never reach the UI: they stay in Rust and the keyring.

use gkchat_client::ConnectionState;
use gkchat_proto::ErrorCode;
use gkchat_proto::ServerInfo;
use gkchat_proto::account::{
    BlockedUser, Contact, DeviceInfo, DeviceSession, Me, PhoneCodeSent, PhotoCrop, PhotoSize, Presence, ProfileUpdate,
    REPORT_RECENT_MESSAGES, ReportRequest, SignUpRequest,
};
use serde::{Deserialize, Serialize};
use tauri::State;
use tauri::ipc::Channel;
use ts_rs::TS;

use crate::AppState;
use crate::error::{CommandError, CommandResult};
use crate::live::Live;
use crate::notifier::NotificationSettings;
use crate::settings::{DesktopSettings, Settings, SettingsView, UrlSource};

#[tauri::command]
pub async fn get_settings(state: State<'_, AppState>) -> CommandResult<SettingsView> {
    Ok(state.current.lock().await.view.clone())
}

/// Checks, saves and switches to a new server address.
#[tauri::command]
pub async fn set_server_url(state: State<'_, AppState>, url: String) -> CommandResult<SettingsView> {
    let parsed = gkchat_client::parse_server_url(&url)?;
    let server_url = parsed.to_string();
    let mut settings = Settings::load(&state.settings_path);
    settings.server_url = Some(server_url.clone());
    settings.save(&state.settings_path)?;

    let mut current = state.current.lock().await;
    let next = Live::start(parsed, &state.feeds, &state.data_dir, &state.media)?;
    let previous = std::mem::replace(&mut current.live, next);
    current.view = SettingsView { server_url, source: UrlSource::Saved };
    previous.stop().await;
    Ok(current.view.clone())
}

/// What notifications show (kept with the settings).
#[tauri::command]
pub fn get_notification_settings(state: State<'_, AppState>) -> NotificationSettings {
    state.notifier.settings()
}

#[tauri::command]
pub fn set_notification_settings(
    state: State<'_, AppState>,
    settings: NotificationSettings,
) -> CommandResult<NotificationSettings> {
    let mut saved = Settings::load(&state.settings_path);
    saved.notifications = settings;
    saved.save(&state.settings_path)?;
    state.notifier.set_settings(settings);
    Ok(settings)
}

/// How the app lives on the desktop; `autostart` as the OS has it now.
#[tauri::command]
pub fn get_desktop_settings(app: tauri::AppHandle, state: State<'_, AppState>) -> DesktopSettings {
    use tauri_plugin_autostart::ManagerExt;
    let mut settings = *state.desktop.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    settings.autostart = app.autolaunch().is_enabled().unwrap_or(settings.autostart);
    settings
}

/// Saves the desktop settings and makes (or removes) the OS's autostart entry.
#[tauri::command]
pub fn set_desktop_settings(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    settings: DesktopSettings,
) -> CommandResult<DesktopSettings> {
    use tauri_plugin_autostart::ManagerExt;
    let autolaunch = app.autolaunch();
    // The autostart crate makes only the last directory of ~/.config/autostart.
    #[cfg(target_os = "linux")]
    if let Some(home) = std::env::var_os("HOME") {
        std::fs::create_dir_all(std::path::Path::new(&home).join(".config"))?;
    }
    let changed = if settings.autostart { autolaunch.enable() } else { autolaunch.disable() };
    changed.map_err(|e| CommandError::new(ErrorCode::Internal, format!("cannot change starting at login: {e}")))?;
    let mut saved = Settings::load(&state.settings_path);
    saved.desktop = settings;
    saved.save(&state.settings_path)?;
    *state.desktop.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = settings;
    Ok(settings)
}

/// The chat the window shows (no notifications for it while the window has the focus).
#[tauri::command]
pub fn set_open_chat(state: State<'_, AppState>, chat_id: Option<String>) {
    state.notifier.set_open_chat(chat_id);
}

#[tauri::command]
pub async fn server_info(state: State<'_, AppState>) -> CommandResult<ServerInfo> {
    Ok(state.client().await.server_info().await?)
}

#[tauri::command]
pub async fn retry_connection(state: State<'_, AppState>) -> CommandResult<()> {
    state.current.lock().await.live.connection.retry_now();
    Ok(())
}

/// Streams connection states to the UI, the current one first, until the page goes away.
#[tauri::command]
pub async fn watch_connection(state: State<'_, AppState>, on_state: Channel<ConnectionState>) -> CommandResult<()> {
    crate::stream_to(state.feeds.connection.subscribe(), on_state);
    Ok(())
}

/// Streams the signed-in user's id (or null) to the UI: a sign-out from another device shows
/// up here.
#[tauri::command]
pub async fn watch_account(state: State<'_, AppState>, on_change: Channel<Option<String>>) -> CommandResult<()> {
    // At start the kept sign-in is taken up first, and the feed (a mirror of the client's)
    // given a moment to carry it: its first word is who is signed in, never the "nobody" of
    // before the keyring was read (which would show the sign-in screen).
    let client = state.client().await;
    let signed_in = client.watch_account().borrow().clone();
    let user_id = match signed_in {
        Some(user_id) => Some(user_id),
        // A keyring that cannot be read is `current_account`'s to report; followed all the same.
        None => client.resume_stored().await.ok().flatten(),
    };
    let mut feed = state.feeds.account.subscribe();
    let _ = tokio::time::timeout(std::time::Duration::from_secs(2), feed.wait_for(|now| *now == user_id)).await;
    crate::stream_to(feed, on_change);
    Ok(())
}

/// The signed-in account, picking up the one kept in the keyring; `null` when signed out.
/// At start, an account this device has seen before answers at once from the copy kept next to
/// its local store (the chat list follows from that store, also with the server away); the
/// server is asked meanwhile, and a sign-in it has ended returns the app to the sign-in screen
/// through `watch_account`.
#[tauri::command]
pub async fn current_account(state: State<'_, AppState>) -> CommandResult<Option<Me>> {
    let client = state.client().await;
    let signed_in = client.watch_account().borrow().clone();
    let user_id = match signed_in {
        Some(user_id) => Some(user_id),
        None => client.resume_stored().await?,
    };
    let Some(user_id) = user_id else { return Ok(None) };
    let kept = state.kept_accounts().await;
    if let Some(me) = kept.read(&user_id) {
        tauri::async_runtime::spawn(async move {
            match client.me().await {
                Ok(me) => kept.keep(&me),
                Err(err) => tracing::info!(%err, "the server did not answer yet; showing the kept account"),
            }
        });
        return Ok(Some(me));
    }
    match client.me().await {
        Ok(me) => state.kept(me).await.map(Some),
        // The server has ended this sign-in (the client forgot it): sign in again.
        Err(_) if !client.is_signed_in().await => Ok(None),
        Err(err) => Err(err.into()),
    }
}

/// The sign-up form; the device is filled in by the app.
#[derive(Debug, Deserialize, TS)]
pub struct SignUpForm {
    pub username: String,
    pub email: String,
    pub password: String,
    pub display_name: String,
}

#[tauri::command]
pub async fn sign_up(state: State<'_, AppState>, form: SignUpForm) -> CommandResult<Me> {
    let request = SignUpRequest {
        username: form.username,
        email: form.email,
        password: form.password,
        display_name: Some(form.display_name),
        device: this_device(),
    };
    state.kept(state.client().await.sign_up(&request).await?).await
}

#[tauri::command]
pub async fn sign_in(state: State<'_, AppState>, login: String, password: String) -> CommandResult<Me> {
    state.kept(state.client().await.sign_in(&login, &password, this_device()).await?).await
}

/// Sends a one-time code by SMS for signing in with `phone`.
#[tauri::command]
pub async fn request_sign_in_code(state: State<'_, AppState>, phone: String) -> CommandResult<PhoneCodeSent> {
    Ok(state.client().await.request_sign_in_code(&phone).await?)
}

#[tauri::command]
pub async fn sign_in_with_code(state: State<'_, AppState>, phone: String, code: String) -> CommandResult<Me> {
    state.kept(state.client().await.sign_in_with_code(&phone, &code, this_device()).await?).await
}

/// Sends a code to verify `phone` for my account.
#[tauri::command]
pub async fn request_phone_verification(state: State<'_, AppState>, phone: String) -> CommandResult<PhoneCodeSent> {
    Ok(state.client().await.request_phone_verification(&phone).await?)
}

#[tauri::command]
pub async fn verify_phone(state: State<'_, AppState>, phone: String, code: String) -> CommandResult<Me> {
    state.kept(state.client().await.verify_phone(&phone, &code).await?).await
}

#[tauri::command]
/// Signs this device out and removes the account's chats and messages from it.
pub async fn sign_out(state: State<'_, AppState>) -> CommandResult<()> {
    let client = state.client().await;
    let user_id = client.watch_account().borrow().clone();
    client.sign_out().await?;
    if let Some(user_id) = user_id {
        state.forget_local_store(&user_id).await;
    }
    Ok(())
}

#[tauri::command]
pub async fn list_contacts(state: State<'_, AppState>) -> CommandResult<Vec<Contact>> {
    Ok(state.client().await.contacts().await?)
}

#[tauri::command]
/// `who`: a username, a `+` phone number or a `gkchat://add/…` link.
pub async fn add_contact(state: State<'_, AppState>, who: String) -> CommandResult<Contact> {
    Ok(state.client().await.add_contact(&who).await?)
}

#[tauri::command]
pub async fn remove_contact(state: State<'_, AppState>, user_id: String) -> CommandResult<()> {
    Ok(state.client().await.remove_contact(&user_id).await?)
}

#[tauri::command]
pub async fn list_blocked(state: State<'_, AppState>) -> CommandResult<Vec<BlockedUser>> {
    Ok(state.client().await.blocked_users().await?)
}

#[tauri::command]
pub async fn block_user(state: State<'_, AppState>, user_id: String) -> CommandResult<()> {
    Ok(state.client().await.block(&user_id).await?)
}

#[tauri::command]
pub async fn unblock_user(state: State<'_, AppState>, user_id: String) -> CommandResult<()> {
    Ok(state.client().await.unblock(&user_id).await?)
}

/// Reports a user (and blocks them when `block`), attaching the last messages of our chat when
/// `include_messages`; returns the report's id.
#[tauri::command]
pub async fn report_user(
    state: State<'_, AppState>,
    user_id: String,
    reason: String,
    block: bool,
    include_messages: bool,
) -> CommandResult<String> {
    let message_ids = if include_messages {
        state.messenger().await?.recent_message_ids_with(&user_id, REPORT_RECENT_MESSAGES).await?
    } else {
        Vec::new()
    };
    let request = ReportRequest { user_id, reason, message_ids, block };
    Ok(state.client().await.report(&request).await?)
}

/// My contact link and its QR code, as an SVG document.
#[derive(Debug, Serialize, TS)]
pub struct ContactCode {
    pub link: String,
    pub svg: String,
}

impl ContactCode {
    fn for_link(link: String) -> CommandResult<Self> {
        let code = qrcode::QrCode::new(link.as_bytes())
            .map_err(|e| CommandError::new(gkchat_proto::ErrorCode::Internal, format!("QR code: {e}")))?;
        let svg = code.render::<qrcode::render::svg::Color<'_>>().min_dimensions(240, 240).quiet_zone(true).build();
        Ok(Self { link, svg })
    }
}

#[tauri::command]
pub async fn my_contact_code(state: State<'_, AppState>) -> CommandResult<ContactCode> {
    ContactCode::for_link(state.client().await.contact_link().await?)
}

/// A new contact link and QR code; the old ones stop working.
#[tauri::command]
pub async fn reset_contact_code(state: State<'_, AppState>) -> CommandResult<ContactCode> {
    ContactCode::for_link(state.client().await.reset_contact_link().await?)
}

/// Deletes the account (after the password) and returns to the sign-in screen.
#[tauri::command]
pub async fn delete_account(state: State<'_, AppState>, password: String) -> CommandResult<()> {
    let client = state.client().await;
    let user_id = client.watch_account().borrow().clone();
    client.delete_account(&password).await?;
    if let Some(user_id) = user_id {
        state.forget_local_store(&user_id).await;
    }
    Ok(())
}

#[tauri::command]
pub async fn update_profile(state: State<'_, AppState>, update: ProfileUpdate) -> CommandResult<Me> {
    state.kept(state.client().await.update_profile(&update).await?).await
}

/// Sets my photo. The body is the image file's bytes (raw IPC, no JSON); the crop square, in
/// the image's pixels, comes in the `x-crop` header as `x,y,size`.
#[tauri::command]
pub async fn set_photo(state: State<'_, AppState>, request: tauri::ipc::Request<'_>) -> CommandResult<Me> {
    let tauri::ipc::InvokeBody::Raw(image) = request.body() else {
        return Err(CommandError::new(ErrorCode::BadRequest, "send the image as raw bytes"));
    };
    let crop =
        match request.headers().get("x-crop").map(|value| value.to_str().unwrap_or_default()) {
            None => None,
            Some(text) => Some(parse_crop(text).ok_or_else(|| {
                CommandError::new(ErrorCode::BadRequest, format!("the crop {text:?} is not `x,y,size`"))
            })?),
        };
    let image = image.clone();
    state.kept(state.client().await.set_photo(image, crop).await?).await
}

pub(crate) fn parse_crop(text: &str) -> Option<PhotoCrop> {
    let mut numbers = text.split(',').map(|part| part.trim().parse::<u32>().ok());
    let crop = PhotoCrop { x: numbers.next()??, y: numbers.next()??, size: numbers.next()?? };
    numbers.next().is_none().then_some(crop)
}

#[tauri::command]
pub async fn remove_photo(state: State<'_, AppState>) -> CommandResult<Me> {
    state.kept(state.client().await.remove_photo().await?).await
}

/// Someone's photo (mine too) as a `data:` URL for an `<img>`, or null when there is none to
/// show me.
#[tauri::command]
pub async fn user_photo(state: State<'_, AppState>, user_id: String, size: PhotoSize) -> CommandResult<Option<String>> {
    Ok(data_url(state.client().await.user_photo(&user_id, size).await?))
}

/// A JPEG as a `data:` URL for an `<img>`.
pub(crate) fn data_url(jpeg: Option<Vec<u8>>) -> Option<String> {
    use base64::Engine as _;
    jpeg.map(|jpeg| format!("data:image/jpeg;base64,{}", base64::engine::general_purpose::STANDARD.encode(jpeg)))
}

/// Streams contacts' presence changes to the UI until the page goes away.
#[tauri::command]
pub async fn watch_presence(state: State<'_, AppState>, on_presence: Channel<Presence>) -> CommandResult<()> {
    // Missed ones are skipped: the UI reloads the contact list when it next opens it.
    crate::forward_to(state.feeds.presence.subscribe(), on_presence);
    Ok(())
}

#[tauri::command]
pub async fn list_devices(state: State<'_, AppState>) -> CommandResult<Vec<DeviceSession>> {
    Ok(state.client().await.devices().await?)
}

#[tauri::command]
pub async fn sign_out_device(state: State<'_, AppState>, session_id: String) -> CommandResult<()> {
    Ok(state.client().await.sign_out_device(&session_id).await?)
}

#[tauri::command]
pub async fn sign_out_other_devices(state: State<'_, AppState>) -> CommandResult<()> {
    Ok(state.client().await.sign_out_other_devices().await?)
}

/// How this device appears in "my devices": "GK Chat on <host>".
fn this_device() -> DeviceInfo {
    let host = std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .unwrap_or_else(|| "this computer".into());
    DeviceInfo { name: format!("GK Chat on {host}"), platform: std::env::consts::OS.into() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crops_read_as_three_numbers() {
        assert_eq!(parse_crop("10, 20,300"), Some(PhotoCrop { x: 10, y: 20, size: 300 }));
        for bad in ["", "1,2", "1,2,3,4", "a,b,c", "-1,0,100"] {
            assert_eq!(parse_crop(bad), None, "{bad}");
        }
    }
}
