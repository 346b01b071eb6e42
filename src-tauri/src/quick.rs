//! Quick chats in the app: start one on the current server, open anyone's quick-chat link
//! (the browser link or `gkchat://quick/…`, also given to the app at launch), join with the
//! code, chat, leave and come back without the code (the session is remembered for this run),
//! end (links given at launch or by a second launch arrive through `requests.rs`). The room itself is `gkchat-client`'s [`QuickRoom`]; no account is needed.

use std::collections::HashMap;

use gkchat_client::{QuickChats, QuickEvent, QuickLink, QuickSpeaker};
use gkchat_proto::ErrorCode;
use serde::Serialize;
use tauri::State;
use tauri::ipc::Channel;
use tokio::sync::Mutex;
use ts_rs::TS;

use crate::AppState;
use crate::error::{CommandError, CommandResult};

/// Quick chats of this app run.
#[derive(Default)]
pub struct QuickState {
    chats: QuickChats,
    /// Sessions joined in this run, by the link's web form: reopening a link resumes.
    sessions: Mutex<HashMap<String, String>>,
    /// The room shown in the window (one at a time).
    open: Mutex<Option<OpenRoom>>,
}

struct OpenRoom {
    link: QuickLink,
    speaker: QuickSpeaker,
    /// Owns the room and passes its events to the window; aborting it leaves the room.
    forwarder: tauri::async_runtime::JoinHandle<()>,
}

impl QuickState {
    async fn session(&self, link: &QuickLink) -> Option<String> {
        self.sessions.lock().await.get(&link.web_link()).cloned()
    }

    async fn close(&self) {
        if let Some(open) = self.open.lock().await.take() {
            open.forwarder.abort();
        }
    }
}

fn parse(link: &str) -> CommandResult<QuickLink> {
    Ok(QuickLink::parse(link)?)
}

/// One person's invitation, as the creator sees it once.
#[derive(Debug, Clone, Serialize, TS)]
pub struct QuickInviteView {
    pub name: String,
    pub code: String,
    /// For any browser (and what the QR code holds).
    pub web_link: String,
    /// For the GK Chat app.
    pub app_link: String,
    /// The web link as a QR code (an SVG document).
    pub qr_svg: String,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct QuickCreatedView {
    pub invites: Vec<QuickInviteView>,
    pub idle_secs: u64,
}

/// What a link shows before the code.
#[derive(Debug, Clone, Serialize, TS)]
pub struct QuickLandingView {
    /// The link in its web form (what the other commands take).
    pub link: String,
    pub name: String,
    pub other_name: String,
    /// This app joined with this link before (this run): no code needed.
    pub resume: bool,
}

pub(crate) fn qr_svg(text: &str) -> CommandResult<String> {
    let code = qrcode::QrCode::new(text.as_bytes())
        .map_err(|e| CommandError::new(ErrorCode::Internal, format!("QR code: {e}")))?;
    Ok(code.render::<qrcode::render::svg::Color<'_>>().min_dimensions(200, 200).quiet_zone(true).build())
}

/// Starts a quick chat for two people on the server the app uses.
#[tauri::command]
pub async fn quick_create(app: State<'_, AppState>, names: [String; 2]) -> CommandResult<QuickCreatedView> {
    let server = app.client().await.server_url().clone();
    let created = app.quick.chats.create(&server, names).await?;
    let mut invites = Vec::new();
    for invite in created.invites {
        let link = QuickLink::of_invite(&server, &invite.path)?;
        invites.push(QuickInviteView {
            qr_svg: qr_svg(&link.web_link())?,
            web_link: link.web_link(),
            app_link: link.app_link(),
            name: invite.name,
            code: invite.code,
        });
    }
    Ok(QuickCreatedView { invites, idle_secs: created.idle_secs })
}

/// Reads a link: "Hello <name>", and whether the code is needed.
#[tauri::command]
pub async fn quick_open(app: State<'_, AppState>, link: String) -> CommandResult<QuickLandingView> {
    let link = parse(&link)?;
    let session = app.quick.session(&link).await;
    let landing = app.quick.chats.landing(&link, session.as_deref()).await?;
    Ok(QuickLandingView {
        link: link.web_link(),
        name: landing.name,
        other_name: landing.other_name,
        resume: landing.resume,
    })
}

/// Checks name and code and remembers the session for this link.
#[tauri::command]
pub async fn quick_join(app: State<'_, AppState>, link: String, name: String, code: String) -> CommandResult<()> {
    let link = parse(&link)?;
    let session = app.quick.chats.join(&link, &name, &code).await?;
    app.quick.sessions.lock().await.insert(link.web_link(), session);
    Ok(())
}

/// Enters the room (after joining): its events stream to `on_event` until the chat ends or
/// the window leaves it. Entering another room leaves the one open before.
#[tauri::command]
pub async fn quick_enter(app: State<'_, AppState>, link: String, on_event: Channel<QuickEvent>) -> CommandResult<()> {
    let link = parse(&link)?;
    let session = app
        .quick
        .session(&link)
        .await
        .ok_or_else(|| CommandError::new(ErrorCode::Unauthorized, "enter your code for this chat first"))?;
    app.quick.close().await;
    let mut room = app.quick.chats.open(link.clone(), session);
    let speaker = room.speaker();
    let forwarder = tauri::async_runtime::spawn(async move {
        while let Some(event) = room.next().await {
            if on_event.send(event).is_err() {
                break;
            }
        }
    });
    *app.quick.open.lock().await = Some(OpenRoom { link, speaker, forwarder });
    Ok(())
}

/// Says `text` in the open room.
#[tauri::command]
pub async fn quick_say(app: State<'_, AppState>, text: String) -> CommandResult<()> {
    let speaker = app.quick.open.lock().await.as_ref().map(|open| open.speaker.clone());
    let speaker = speaker.ok_or_else(|| CommandError::new(ErrorCode::NotFound, "no quick chat is open"))?;
    Ok(speaker.say(&text).await?)
}

/// Leaves the open room (the other person sees "away"); the link opens it again.
#[tauri::command]
pub async fn quick_leave(app: State<'_, AppState>) -> CommandResult<()> {
    app.quick.close().await;
    Ok(())
}

/// Ends the open room for both: everything in it is destroyed.
#[tauri::command]
pub async fn quick_end(app: State<'_, AppState>) -> CommandResult<()> {
    let link = app.quick.open.lock().await.as_ref().map(|open| open.link.clone());
    let link = link.ok_or_else(|| CommandError::new(ErrorCode::NotFound, "no quick chat is open"))?;
    let session = app.quick.session(&link).await.unwrap_or_default();
    app.quick.chats.end(&link, &session).await?;
    app.quick.sessions.lock().await.remove(&link.web_link());
    Ok(())
}
