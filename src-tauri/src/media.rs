//! Attachments in the desktop app: sending files (picked, dropped or pasted), cancelling,
//! downloading, saving and opening them, the media cache's settings, a chat's gallery, and the
//! `gkmedia:` scheme that hands media to the webview from the cache (fetching what is missing)
//! with byte ranges, so pictures, videos and voice messages load without `data:` URLs or whole
//! files in JavaScript's memory.

use std::path::{Path, PathBuf};

use gkchat_client::{GalleryTab, LocalMessage, MediaSource, PreviewDraft};
use serde::{Deserialize, Serialize};
use tauri::http::{Request, Response, StatusCode, header};
use tauri::{Manager, State};
use ts_rs::TS;

use crate::AppState;
use crate::error::{CommandError, CommandResult};

/// The URL scheme media are served under: `gkmedia://localhost/<media id>` (on Windows
/// `http://gkmedia.localhost/<media id>`).
pub const SCHEME: &str = "gkmedia";
/// An open-ended range (how players ask) is answered this much at a time.
const RANGE_CHUNK: u64 = 4 * 1024 * 1024;
/// Pasted or picked files wait here until their message is composed.
pub(crate) const STAGED_DIR: &str = "staged";

/// The media cache's settings, kept with the app's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct MediaSettings {
    /// Downloaded media kept at most, in bytes (least recently used out first).
    pub cache_bytes: u64,
    /// Media up to this size download by themselves when they arrive (0: only thumbnails).
    pub auto_download_bytes: u64,
    /// Fetch a preview of the first link in what I write (this device asks the site).
    pub link_previews: bool,
}

impl Default for MediaSettings {
    fn default() -> Self {
        Self {
            cache_bytes: gkchat_client::CACHE_BYTES_DEFAULT,
            auto_download_bytes: gkchat_client::AUTO_DOWNLOAD_BYTES_DEFAULT,
            link_previews: true,
        }
    }
}

/// The settings, and how much the cache holds now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct MediaCacheView {
    pub settings: MediaSettings,
    pub cached_bytes: u64,
}

/// Sends a message with these files and a caption.
#[tauri::command]
pub async fn send_media(
    state: State<'_, AppState>,
    chat_id: String,
    sources: Vec<MediaSource>,
    caption: String,
    reply_to: Option<String>,
) -> CommandResult<LocalMessage> {
    Ok(state.messenger().await?.send_media(&chat_id, sources, &caption, reply_to).await?)
}

/// A file the page holds (picked with the file input, or pasted), its bytes the request's raw
/// body and its name the `x-file-name` header (URI-encoded): kept in the app's data until sent.
#[tauri::command]
pub async fn stage_file(state: State<'_, AppState>, request: tauri::ipc::Request<'_>) -> CommandResult<MediaSource> {
    let tauri::ipc::InvokeBody::Raw(bytes) = request.body() else {
        return Err(CommandError::new(gkchat_proto::ErrorCode::BadRequest, "send the file's bytes as the body"));
    };
    let name = request
        .headers()
        .get("x-file-name")
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            url::form_urlencoded::parse(format!("n={v}").as_bytes()).map(|(_, v)| v.into_owned()).collect::<String>()
        })
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| "pasted".into());
    let dir = state.data_dir.join(STAGED_DIR);
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(uuid::Uuid::new_v4().simple().to_string());
    std::fs::write(&path, bytes)?;
    Ok(MediaSource { path, name: Some(name) })
}

/// A picture on the system clipboard, staged as a PNG file (`None` when it holds none): for a
/// paste whose event carried no file (WebKitGTK gives the page no image from the clipboard).
#[tauri::command]
pub async fn paste_clipboard_image(state: State<'_, AppState>) -> CommandResult<Option<MediaSource>> {
    let dir = state.data_dir.join(STAGED_DIR);
    tauri::async_runtime::spawn_blocking(move || -> CommandResult<Option<MediaSource>> {
        let unavailable =
            |err: arboard::Error| CommandError::new(gkchat_proto::ErrorCode::Unavailable, err.to_string());
        let image = match arboard::Clipboard::new().map_err(unavailable)?.get_image() {
            Ok(image) => image,
            Err(arboard::Error::ContentNotAvailable) => return Ok(None),
            Err(err) => return Err(unavailable(err)),
        };
        let (width, height) = (image.width as u32, image.height as u32);
        let Some(rgba) = image::RgbaImage::from_raw(width, height, image.bytes.into_owned()) else { return Ok(None) };
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(format!("{}.png", uuid::Uuid::new_v4().simple()));
        rgba.save_with_format(&path, image::ImageFormat::Png)
            .map_err(|err| CommandError::new(gkchat_proto::ErrorCode::Internal, err.to_string()))?;
        Ok(Some(MediaSource { path, name: Some("Pasted image.png".into()) }))
    })
    .await
    .map_err(|err| CommandError::new(gkchat_proto::ErrorCode::Internal, err.to_string()))?
}

/// Gives up sending a message's files (taken back, or deleted for everyone once sent).
#[tauri::command]
pub async fn cancel_media(state: State<'_, AppState>, message_id: String) -> CommandResult<()> {
    Ok(state.messenger().await?.cancel_media(&message_id).await?)
}

/// Downloads a media into the cache now (progress comes as `transfer` events).
#[tauri::command]
pub async fn download_media(state: State<'_, AppState>, media_id: String) -> CommandResult<()> {
    state.messenger().await?.media_file(&media_id).await?;
    Ok(())
}

/// A name safe to write in a folder: no separators, no leading dots.
fn safe_name(name: &str) -> String {
    let cleaned: String =
        name.chars().map(|c| if matches!(c, '/' | '\\' | ':' | '\0') || c.is_control() { '_' } else { c }).collect();
    let cleaned = cleaned.trim_start_matches('.').trim().to_owned();
    if cleaned.is_empty() { "file".into() } else { cleaned }
}

/// `dir/name`, or `dir/name (2)` … when taken.
fn free_path(dir: &Path, name: &str) -> PathBuf {
    let candidate = dir.join(name);
    if !candidate.exists() {
        return candidate;
    }
    let (stem, extension) = match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => (stem.to_owned(), format!(".{ext}")),
        _ => (name.to_owned(), String::new()),
    };
    (2..).map(|n| dir.join(format!("{stem} ({n}){extension}"))).find(|p| !p.exists()).expect("a free name")
}

/// Saves a media into the Downloads folder as `name` (made unique); answers where.
#[tauri::command]
pub async fn save_media(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    media_id: String,
    name: String,
) -> CommandResult<String> {
    let file = state.messenger().await?.media_file(&media_id).await?;
    let downloads = app.path().download_dir().unwrap_or_else(|_| state.data_dir.join("downloads"));
    std::fs::create_dir_all(&downloads)?;
    let target = free_path(&downloads, &safe_name(&name));
    std::fs::copy(&file, &target)?;
    Ok(target.display().to_string())
}

/// Shares a contact in a chat: a GK Chat user (from my contacts or a chat's members).
#[tauri::command]
pub async fn send_contact(
    state: State<'_, AppState>,
    chat_id: String,
    card: gkchat_proto::media::ContactCard,
    reply_to: Option<String>,
) -> CommandResult<LocalMessage> {
    Ok(state.messenger().await?.send_contact(&chat_id, card, reply_to).await?)
}

/// Shares the first person of a vCard file's text (the card travels as it was).
#[tauri::command]
pub async fn send_vcard(
    state: State<'_, AppState>,
    chat_id: String,
    vcard: String,
    reply_to: Option<String>,
) -> CommandResult<LocalMessage> {
    let card = gkchat_client::media::vcard::card_from_vcard(&vcard)?;
    Ok(state.messenger().await?.send_contact(&chat_id, card, reply_to).await?)
}

/// Saves a received vCard into the Downloads folder as `<name>.vcf` (made unique), for the
/// address book to import; answers where.
#[tauri::command]
pub async fn save_vcard(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    name: String,
    vcard: String,
) -> CommandResult<String> {
    let card = gkchat_client::media::vcard::card_from_vcard(&vcard)?;
    let downloads = app.path().download_dir().unwrap_or_else(|_| state.data_dir.join("downloads"));
    std::fs::create_dir_all(&downloads)?;
    let target = free_path(&downloads, &safe_name(&format!("{name}.vcf")));
    std::fs::write(&target, card.vcard.unwrap_or_default())?;
    Ok(target.display().to_string())
}

/// Opens a media with the system's app for its type (a copy named `name`, so the app knows
/// the type).
#[tauri::command]
pub async fn open_media(state: State<'_, AppState>, media_id: String, name: String) -> CommandResult<()> {
    let file = state.messenger().await?.media_file(&media_id).await?;
    let dir = state.data_dir.join("opened").join(&media_id);
    std::fs::create_dir_all(&dir)?;
    let target = dir.join(safe_name(&name));
    if !target.exists() {
        std::fs::copy(&file, &target)?;
    }
    open::that_detached(&target)
        .map_err(|err| CommandError::new(gkchat_proto::ErrorCode::Internal, format!("cannot open it: {err}")))
}

#[tauri::command]
pub async fn media_cache(state: State<'_, AppState>) -> CommandResult<MediaCacheView> {
    let settings = *state.media_settings.lock().expect("media settings lock");
    let cached_bytes = state.messenger().await?.media_cache_bytes().await?;
    Ok(MediaCacheView { settings, cached_bytes })
}

#[tauri::command]
pub async fn set_media_settings(state: State<'_, AppState>, settings: MediaSettings) -> CommandResult<MediaCacheView> {
    *state.media_settings.lock().expect("media settings lock") = settings;
    let mut saved = crate::settings::Settings::load(&state.settings_path);
    saved.media = settings;
    saved.save(&state.settings_path)?;
    media_cache(state).await
}

/// "Clear media cache": downloaded media go (what I sent stays); answers the bytes freed.
#[tauri::command]
pub async fn clear_media_cache(state: State<'_, AppState>) -> CommandResult<u64> {
    Ok(state.messenger().await?.clear_media_cache().await?)
}

/// A page of a chat's gallery (newest first, before the place `before`).
#[tauri::command]
pub async fn chat_gallery(
    state: State<'_, AppState>,
    chat_id: String,
    tab: GalleryTab,
    before: Option<i64>,
    limit: u32,
) -> CommandResult<Vec<LocalMessage>> {
    Ok(state.messenger().await?.store().gallery(&chat_id, tab, before, limit.min(200)).await?)
}

/// The preview of the first link in `text` (none when previews are off, there is no link, or
/// the page says nothing); the UI shows it while I write and sends it with the text.
#[tauri::command]
pub async fn link_preview(state: State<'_, AppState>, text: String) -> CommandResult<Option<PreviewDraft>> {
    let enabled = state.media_settings.lock().expect("media settings lock").link_previews;
    let Some(url) = gkchat_client::media::preview::first_link(&text).filter(|_| enabled) else { return Ok(None) };
    match state.messenger().await?.link_preview(&url).await {
        Ok(preview) => Ok(preview),
        // A page that cannot be previewed is no error for the one writing.
        Err(err) => {
            tracing::debug!(%err, "no link preview");
            Ok(None)
        }
    }
}

/// Sends a text with the link preview `link_preview` made.
#[tauri::command]
pub async fn send_text_with_preview(
    state: State<'_, AppState>,
    chat_id: String,
    text: String,
    reply_to: Option<String>,
    preview: PreviewDraft,
) -> CommandResult<LocalMessage> {
    Ok(state.messenger().await?.send_text_with_preview(&chat_id, &text, reply_to, preview).await?)
}

/// The voice message being recorded, if one is.
#[derive(Default)]
pub struct Recording(std::sync::Mutex<Option<gkchat_client::media::voice::VoiceRecorder>>);

/// Starts recording a voice message from the microphone the call settings choose (the
/// synthetic tone when the app runs with fake devices).
#[tauri::command]
pub async fn start_voice_recording(state: State<'_, AppState>) -> CommandResult<()> {
    let microphone = gkchat_client::calls::rtc::open_microphone(&state.media.devices())
        .await
        .map_err(|err| CommandError::new(gkchat_proto::ErrorCode::Unavailable, format!("no microphone: {err}")))?;
    let dir = state.data_dir.join(STAGED_DIR);
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(format!("{}.ogg", uuid::Uuid::new_v4().simple()));
    let recorder = gkchat_client::media::voice::VoiceRecorder::start(microphone, path)?;
    let previous = state.recording.0.lock().expect("recording lock").replace(recorder);
    if let Some(previous) = previous {
        previous.cancel();
    }
    Ok(())
}

/// Stops recording: sends the voice message to `chat_id`, or throws it away (`send` false).
#[tauri::command]
pub async fn stop_voice_recording(
    state: State<'_, AppState>,
    chat_id: String,
    send: bool,
) -> CommandResult<Option<LocalMessage>> {
    let recorder = state.recording.0.lock().expect("recording lock").take();
    let Some(recorder) = recorder else { return Ok(None) };
    if !send {
        tauri::async_runtime::spawn_blocking(move || recorder.cancel());
        return Ok(None);
    }
    let note = tauri::async_runtime::spawn_blocking(move || recorder.stop())
        .await
        .map_err(|err| CommandError::new(gkchat_proto::ErrorCode::Internal, err.to_string()))??;
    if note.duration_ms < 500 {
        let _ = std::fs::remove_file(&note.path);
        return Err(CommandError::new(gkchat_proto::ErrorCode::BadRequest, "hold to record a voice message"));
    }
    Ok(Some(state.messenger().await?.send_voice(&chat_id, note).await?))
}

/// A `Range: bytes=a-b` header against a length: what to send (open ends a chunk at a time).
fn wanted(range: Option<&str>, length: u64) -> Option<std::ops::Range<u64>> {
    let spec = range?.strip_prefix("bytes=")?;
    let (start, end) = spec.split_once('-')?;
    let range = match (start.trim(), end.trim()) {
        ("", suffix) => length.saturating_sub(suffix.parse().ok()?)..length,
        (start, "") => {
            let start: u64 = start.parse().ok()?;
            start..start.saturating_add(RANGE_CHUNK).min(length)
        }
        (start, end) => {
            let start: u64 = start.parse().ok()?;
            let end = end.parse::<u64>().ok()?.saturating_add(1);
            start..end.min(start.saturating_add(RANGE_CHUNK)).min(length)
        }
    };
    (range.start < range.end).then_some(range)
}

fn answer(status: StatusCode, body: Vec<u8>) -> Response<Vec<u8>> {
    Response::builder().status(status).body(body).expect("a valid response")
}

/// Where the webview's players read sound and video. WebKitGTK's `<audio>` and `<video>`
/// (GStreamer) cannot read the `gkmedia:` scheme, so they read from a loopback HTTP server of
/// the app's own: bound to 127.0.0.1 on a port the system picks before the window exists (its
/// origin, exactly, is added to the CSP's `media-src`), each media under a token made from a
/// secret of this start (no other program on the machine can guess one; one address copied out
/// of the page opens that media only), answering what `gkmedia:` answers — the cached file,
/// ranges included — streamed from the disk, so a video of any size plays without being read
/// whole or copied into the page.
pub struct Players {
    listener: std::sync::Mutex<Option<std::net::TcpListener>>,
    origin: String,
    secret: String,
}

impl Players {
    pub fn bind() -> std::io::Result<Self> {
        let listener = std::net::TcpListener::bind(("127.0.0.1", 0))?;
        listener.set_nonblocking(true)?;
        let origin = format!("http://127.0.0.1:{}", listener.local_addr()?.port());
        let secret = uuid::Uuid::new_v4().simple().to_string();
        Ok(Self { listener: std::sync::Mutex::new(Some(listener)), origin, secret })
    }

    /// `csp` with this server's origin allowed as a media source.
    pub fn allow_in(&self, csp: &str) -> String {
        allow_media_origin(csp, &self.origin)
    }

    /// The address a player reads `media_id` from: under a token for that media alone (an
    /// address copied out of the page opens nothing else).
    pub fn url(&self, media_id: &str) -> String {
        format!("{}/{}/{media_id}", self.origin, token(&self.secret, media_id))
    }

    /// Starts answering (once).
    pub fn serve(&self, app: tauri::AppHandle) {
        let Some(listener) = self.listener.lock().expect("players lock").take() else { return };
        let secret = self.secret.clone();
        tauri::async_runtime::spawn(async move {
            let listener = match tokio::net::TcpListener::from_std(listener) {
                Ok(listener) => listener,
                Err(err) => return tracing::error!(%err, "the media players' server cannot listen"),
            };
            let router = axum::Router::new()
                .route("/{secret}/{media_id}", axum::routing::get(play))
                .with_state((app, std::sync::Arc::new(secret)));
            if let Err(err) = axum::serve(listener, router).await {
                tracing::error!(%err, "the media players' server stopped");
            }
        });
    }
}

/// The path token for one media: SHA-256 of the start's secret and the media id.
fn token(secret: &str, media_id: &str) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::new().chain_update(secret).chain_update(b"/").chain_update(media_id).finalize();
    digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

/// `csp` with `origin` added to its `media-src` directive.
fn allow_media_origin(csp: &str, origin: &str) -> String {
    csp.split(';')
        .map(|directive| {
            let directive = directive.trim();
            if directive.split_whitespace().next() == Some("media-src") {
                format!("{directive} {origin}")
            } else {
                directive.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

async fn play(
    axum::extract::State((app, secret)): axum::extract::State<(tauri::AppHandle, std::sync::Arc<String>)>,
    axum::extract::Path((given, media_id)): axum::extract::Path<(String, String)>,
    headers: axum::http::HeaderMap,
) -> axum::response::Response {
    let status_only = |status: StatusCode| {
        let mut response = axum::response::Response::new(axum::body::Body::empty());
        *response.status_mut() = status;
        response
    };
    // The secret, compared in constant time; and only a page that asked for this very address
    // (a name that resolves to 127.0.0.1 — DNS rebinding — is refused).
    let expected = token(&secret, &media_id);
    let same =
        given.len() == expected.len() && given.bytes().zip(expected.bytes()).fold(0, |acc, (a, b)| acc | (a ^ b)) == 0;
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("");
    if !same || !host.starts_with("127.0.0.1:") {
        return status_only(StatusCode::NOT_FOUND);
    }
    let file = match cached_file(&app, &media_id).await {
        Ok(file) => file,
        Err(status) => return status_only(status),
    };
    let range = headers.get(header::RANGE).and_then(|v| v.to_str().ok());
    match stream(&file, range).await {
        Ok(response) => response,
        Err(err) => {
            tracing::warn!(%err, media_id, "playing a media failed");
            status_only(StatusCode::INTERNAL_SERVER_ERROR)
        }
    }
}

/// A cached file as the players read it: the range asked (or all of it), streamed from the disk
/// (never held whole), not to be cached by the webview (the cache is the app's).
async fn stream(file: &Path, range: Option<&str>) -> std::io::Result<axum::response::Response> {
    use tokio::io::{AsyncReadExt, AsyncSeekExt};
    let mut handle = tokio::fs::File::open(file).await?;
    let length = handle.metadata().await?.len();
    let mut head = vec![0u8; usize::try_from(length.min(8192)).unwrap_or(8192)];
    handle.read_exact(&mut head).await?;
    let mime = gkchat_client::media::compose::sniff(&head);
    let (status, range) = match (range, wanted(range, length)) {
        (_, Some(range)) => (StatusCode::PARTIAL_CONTENT, range),
        (None, None) => (StatusCode::OK, 0..length),
        (Some(_), None) => {
            let mut response = axum::response::Response::new(axum::body::Body::empty());
            *response.status_mut() = StatusCode::RANGE_NOT_SATISFIABLE;
            response
                .headers_mut()
                .insert(header::CONTENT_RANGE, format!("bytes */{length}").parse().expect("a valid header"));
            return Ok(response);
        }
    };
    handle.seek(std::io::SeekFrom::Start(range.start)).await?;
    let body = axum::body::Body::from_stream(tokio_util::io::ReaderStream::new(handle.take(range.end - range.start)));
    let mut response = axum::response::Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, mime)
        .header(header::CONTENT_LENGTH, range.end - range.start)
        .header(header::ACCEPT_RANGES, "bytes")
        .header(header::CACHE_CONTROL, "no-store");
    if status == StatusCode::PARTIAL_CONTENT {
        response = response.header(header::CONTENT_RANGE, format!("bytes {}-{}/{length}", range.start, range.end - 1));
    }
    Ok(response.body(body).expect("a valid response"))
}

/// The address the page's players read a media from (fetched into the cache first; progress
/// comes as `transfer` events).
#[tauri::command]
pub async fn playable_url(
    state: State<'_, AppState>,
    players: State<'_, Players>,
    media_id: String,
) -> CommandResult<String> {
    state.messenger().await?.media_file(&media_id).await?;
    Ok(players.url(&media_id))
}

/// Serves `gkmedia://localhost/<media id>`: the file from the cache (fetched first when
/// missing), whole or the range asked.
pub async fn serve(app: tauri::AppHandle, request: Request<Vec<u8>>) -> Response<Vec<u8>> {
    let media_id = request.uri().path().trim_start_matches('/').to_owned();
    let file = match cached_file(&app, &media_id).await {
        Ok(file) => file,
        Err(status) => return answer(status, Vec::new()),
    };
    match read(&file, request.headers().get(header::RANGE).and_then(|v| v.to_str().ok())) {
        Ok(response) => response,
        Err(err) => {
            tracing::warn!(%err, media_id, "serving a media failed");
            answer(StatusCode::INTERNAL_SERVER_ERROR, Vec::new())
        }
    }
}

/// A media's file in the cache (fetched first when missing), or the status that says why not.
async fn cached_file(app: &tauri::AppHandle, media_id: &str) -> Result<PathBuf, StatusCode> {
    let state = app.state::<AppState>();
    let messenger = state.messenger().await.map_err(|_| StatusCode::UNAUTHORIZED)?;
    messenger.media_file(media_id).await.map_err(|err| match err.code() {
        gkchat_proto::ErrorCode::MediaNotReady => StatusCode::CONFLICT,
        gkchat_proto::ErrorCode::Unreachable => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::NOT_FOUND,
    })
}

fn read(file: &Path, range: Option<&str>) -> std::io::Result<Response<Vec<u8>>> {
    use std::io::{Read, Seek, SeekFrom};
    let mut handle = std::fs::File::open(file)?;
    let length = handle.metadata()?.len();
    let mut head = [0u8; 8192];
    let read_head = handle.read(&mut head)?;
    let mime = gkchat_client::media::compose::sniff(&head[..read_head]);
    let (status, range) = match wanted(range, length) {
        Some(range) => (StatusCode::PARTIAL_CONTENT, range),
        None => (StatusCode::OK, 0..length),
    };
    handle.seek(SeekFrom::Start(range.start))?;
    let mut body = vec![0u8; usize::try_from(range.end - range.start).unwrap_or(0)];
    handle.read_exact(&mut body)?;
    let mut response = Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, mime)
        .header(header::ACCEPT_RANGES, "bytes")
        .header(header::CACHE_CONTROL, "private, max-age=31536000, immutable");
    if status == StatusCode::PARTIAL_CONTENT {
        response = response.header(header::CONTENT_RANGE, format!("bytes {}-{}/{length}", range.start, range.end - 1));
    }
    Ok(response.body(body).expect("a valid response"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_players_origin_is_allowed_for_media_only() {
        let csp = "default-src 'self'; media-src 'self' blob:; img-src 'self'";
        assert_eq!(
            allow_media_origin(csp, "http://127.0.0.1:4321"),
            "default-src 'self'; media-src 'self' blob: http://127.0.0.1:4321; img-src 'self'"
        );
        let players = Players::bind().unwrap();
        assert!(players.url("abc").starts_with(&format!("{}/", players.origin)));
        assert!(players.url("abc").ends_with("/abc") && players.url("abc").len() == players.origin.len() + 37);
        assert_ne!(token(&players.secret, "abc"), token(&players.secret, "abd"), "a token opens one media");
    }

    #[test]
    fn ranges_are_answered_a_chunk_at_a_time() {
        assert_eq!(wanted(None, 100), None);
        assert_eq!(wanted(Some("bytes=0-9"), 100), Some(0..10));
        assert_eq!(wanted(Some("bytes=-10"), 100), Some(90..100));
        assert_eq!(wanted(Some("bytes=0-"), 10 * RANGE_CHUNK), Some(0..RANGE_CHUNK));
        assert_eq!(wanted(Some("bytes=100-"), 100), None);
        // A closed range is answered a chunk at a time too; absurd numbers do not overflow.
        assert_eq!(wanted(Some("bytes=0-99999999999"), 10 * RANGE_CHUNK), Some(0..RANGE_CHUNK));
        assert_eq!(wanted(Some(&format!("bytes={}-{}", u64::MAX - 1, u64::MAX)), 100), None);
        assert_eq!(wanted(Some(&format!("bytes={}-", u64::MAX)), 100), None);
    }

    #[test]
    fn saved_names_stay_in_their_folder_and_never_overwrite() {
        assert_eq!(safe_name("../../etc/passwd"), "_.._etc_passwd");
        assert_eq!(safe_name("..."), "file");
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.pdf"), b"x").unwrap();
        assert_eq!(free_path(dir.path(), "a.pdf"), dir.path().join("a (2).pdf"));
        assert_eq!(free_path(dir.path(), "b.pdf"), dir.path().join("b.pdf"));
    }
}
