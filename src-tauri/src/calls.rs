//! Calls in the desktop app: Tauri commands over `gkchat-client`'s [`Calls`], the call settings
//! (microphone, speaker, camera, or synthetic devices for developers and tests), video frames to
//! the window, and the incoming-call notification with Accept / Decline.
//!
//! Pictures cross to the webview as raw I420 in binary IPC messages (never JSON), the newest frame
//! only: a slow window skips frames instead of queueing them. Each message is a 5-byte header —
//! which picture (0 the far side, 1 my self-view), width and height as little-endian u16 — then
//! the Y, U and V planes.

use std::sync::{Arc, Mutex};

use gkchat_client::calls::rtc::{I420Frame, MediaDevices, VideoSink, list_devices};
use gkchat_client::{CallNotice, CallPhase, CallView, Calls};
use gkchat_proto::call::{CallDirection, CallKind, CallLogEntry};
use serde::{Deserialize, Serialize};
use tauri::ipc::{Channel, InvokeResponseBody};
use tauri::{AppHandle, Manager, State};
use tokio::sync::Notify;
use ts_rs::TS;

use crate::AppState;
use crate::error::{CommandError, CommandResult};
use crate::settings::Settings;

/// Uses synthetic devices (a tone, colour bars) whatever the settings say: for tests and demos on
/// machines without sound cards or cameras.
pub const SYNTHETIC_MEDIA_ENV: &str = "GKCHAT_SYNTHETIC_MEDIA";

/// The tone synthetic devices send, in Hz.
const SYNTHETIC_TONE_HZ: f32 = 440.0;

/// What the user chose for calls (kept with the app's settings).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct CallSettings {
    /// Microphone by its id (as listed); `None` is the system default.
    pub microphone: Option<String>,
    pub speaker: Option<String>,
    pub camera: Option<String>,
    /// Developer setting: a 440 Hz tone and colour bars instead of real devices.
    pub synthetic: bool,
}

impl CallSettings {
    pub fn devices(&self) -> MediaDevices {
        let forced = std::env::var(SYNTHETIC_MEDIA_ENV).is_ok_and(|v| v == "1");
        if self.synthetic || forced {
            gkchat_client::synthetic_devices(SYNTHETIC_TONE_HZ)
        } else {
            MediaDevices::System {
                input: self.microphone.clone(),
                output: self.speaker.clone(),
                camera: self.camera.clone(),
            }
        }
    }
}

/// A device to pick: `id` goes into the settings, `name` is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct DeviceChoice {
    pub id: String,
    pub name: String,
}

/// The settings screen's view: the choice, and what the system has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct CallSettingsView {
    pub settings: CallSettings,
    pub microphones: Vec<DeviceChoice>,
    pub speakers: Vec<DeviceChoice>,
    pub cameras: Vec<DeviceChoice>,
    /// Synthetic devices are forced for this run (by `GKCHAT_SYNTHETIC_MEDIA=1`).
    pub synthetic_forced: bool,
}

/// The newest picture of each kind, and a wake-up for whoever sends them to the window.
#[derive(Default)]
pub struct VideoFrames {
    latest: Mutex<[Option<I420Frame>; 2]>,
    ready: Notify,
}

/// One of the two pictures, as a [`VideoSink`].
pub struct FrameSlot {
    frames: Arc<VideoFrames>,
    which: usize,
}

impl VideoSink for FrameSlot {
    fn frame(&self, frame: &I420Frame) {
        self.frames.latest.lock().unwrap_or_else(std::sync::PoisonError::into_inner)[self.which] = Some(frame.clone());
        self.frames.ready.notify_one();
    }
}

impl VideoFrames {
    /// The sinks for the far side's picture and my self-view.
    pub fn sinks(self: &Arc<Self>) -> (Arc<dyn VideoSink>, Arc<dyn VideoSink>) {
        (Arc::new(FrameSlot { frames: self.clone(), which: 0 }), Arc::new(FrameSlot { frames: self.clone(), which: 1 }))
    }

    fn take(&self) -> Vec<(u8, I420Frame)> {
        let mut latest = self.latest.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        latest.iter_mut().enumerate().filter_map(|(i, slot)| slot.take().map(|f| (i as u8, f))).collect()
    }
}

/// The binary message for one picture (see the module's docs).
pub fn encode_frame(which: u8, frame: &I420Frame) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(5 + frame.data.len());
    bytes.push(which);
    bytes.extend_from_slice(&u16::try_from(frame.width).unwrap_or(u16::MAX).to_le_bytes());
    bytes.extend_from_slice(&u16::try_from(frame.height).unwrap_or(u16::MAX).to_le_bytes());
    bytes.extend_from_slice(&frame.data);
    bytes
}

impl AppState {
    async fn calls(&self) -> Arc<Calls> {
        self.current.lock().await.live.calls.clone()
    }
}

/// Streams the current call's changes (ringing, connected, ended, …) to the UI.
#[tauri::command]
pub async fn watch_calls(state: State<'_, AppState>, on_event: Channel<CallView>) -> CommandResult<()> {
    let feed = state.feeds.calls.subscribe();
    if let Some(current) = state.calls().await.current().await {
        let _ = on_event.send(current);
    }
    crate::forward_to(feed, on_event);
    Ok(())
}

/// Streams video pictures (binary; see the module's docs) to the UI until the page goes away.
#[tauri::command]
pub async fn watch_call_video(state: State<'_, AppState>, on_frame: Channel<InvokeResponseBody>) -> CommandResult<()> {
    let frames = state.media.video.clone();
    tauri::async_runtime::spawn(async move {
        loop {
            frames.ready.notified().await;
            for (which, frame) in frames.take() {
                if on_frame.send(InvokeResponseBody::Raw(encode_frame(which, &frame))).is_err() {
                    return;
                }
            }
        }
    });
    Ok(())
}

#[tauri::command]
pub async fn current_call(state: State<'_, AppState>) -> CommandResult<Option<CallView>> {
    Ok(state.calls().await.current().await)
}

/// Calls someone; returns the call id.
#[tauri::command]
pub async fn start_call(state: State<'_, AppState>, callee_id: String, kind: CallKind) -> CommandResult<String> {
    Ok(state.calls().await.start_call(&callee_id, kind).await?)
}

#[tauri::command]
pub async fn accept_call(state: State<'_, AppState>) -> CommandResult<()> {
    Ok(state.calls().await.accept().await?)
}

#[tauri::command]
pub async fn decline_call(state: State<'_, AppState>) -> CommandResult<()> {
    Ok(state.calls().await.decline().await?)
}

#[tauri::command]
pub async fn hang_up_call(state: State<'_, AppState>) -> CommandResult<()> {
    Ok(state.calls().await.hang_up().await?)
}

#[tauri::command]
pub async fn set_call_muted(state: State<'_, AppState>, muted: bool) -> CommandResult<()> {
    Ok(state.calls().await.set_muted(muted).await?)
}

#[tauri::command]
pub async fn set_call_camera(state: State<'_, AppState>, on: bool) -> CommandResult<()> {
    Ok(state.calls().await.set_camera(on).await?)
}

/// Switches the call between voice and video without dropping it.
#[tauri::command]
pub async fn switch_call(state: State<'_, AppState>, kind: CallKind) -> CommandResult<()> {
    Ok(state.calls().await.switch(kind).await?)
}

/// The far side's loudness, 0.0–2.0.
#[tauri::command]
pub async fn set_call_volume(state: State<'_, AppState>, volume: f32) -> CommandResult<()> {
    if !(0.0..=2.0).contains(&volume) {
        return Err(CommandError::new(gkchat_proto::ErrorCode::BadRequest, "volume must be between 0 and 2"));
    }
    Ok(state.calls().await.set_output_volume(volume).await?)
}

/// My call log from the server, newest first.
#[tauri::command]
pub async fn call_log(state: State<'_, AppState>, before: Option<i64>, limit: u32) -> CommandResult<Vec<CallLogEntry>> {
    Ok(state.client().await.call_log(before, limit.clamp(1, 200)).await?)
}

#[tauri::command]
pub async fn get_call_settings(state: State<'_, AppState>) -> CommandResult<CallSettingsView> {
    let settings = Settings::load(&state.settings_path).calls;
    // Listing devices talks to the sound server: off the async threads.
    let devices = tauri::async_runtime::spawn_blocking(list_devices)
        .await
        .map_err(|e| CommandError::new(gkchat_proto::ErrorCode::Internal, e.to_string()))?;
    Ok(CallSettingsView {
        settings,
        microphones: devices.inputs.into_iter().map(|d| DeviceChoice { id: d.id, name: d.name }).collect(),
        speakers: devices.outputs.into_iter().map(|d| DeviceChoice { id: d.id, name: d.name }).collect(),
        cameras: devices.cameras.into_iter().map(|d| DeviceChoice { id: d.id, name: d.name }).collect(),
        synthetic_forced: std::env::var(SYNTHETIC_MEDIA_ENV).is_ok_and(|v| v == "1"),
    })
}

/// Saves the call settings; the next call uses them.
#[tauri::command]
pub async fn set_call_settings(state: State<'_, AppState>, settings: CallSettings) -> CommandResult<CallSettings> {
    let mut saved = Settings::load(&state.settings_path);
    saved.calls = settings.clone();
    saved.save(&state.settings_path)?;
    *state.media.settings.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = settings.clone();
    state.calls().await.set_devices(settings.devices());
    Ok(settings)
}

/// Rings on the desktop: a notification with Accept / Decline for each incoming call (also when
/// the window is hidden), withdrawn when the call stops ringing.
pub fn start_ringing_notifications(app: AppHandle) {
    let mut feed = app.state::<AppState>().feeds.calls.subscribe();
    tauri::async_runtime::spawn(async move {
        let mut ringing: Option<(String, Arc<Mutex<Option<u32>>>)> = None;
        while let Some(view) = crate::next_of(&mut feed).await {
            let rings = view.phase == CallPhase::Ringing && view.direction == CallDirection::Incoming;
            match &ringing {
                Some((call_id, _)) if *call_id == view.call_id && rings => continue,
                Some((_, shown)) => {
                    close_notification(shown, ended_words(&view));
                    ringing = None;
                }
                None => {}
            }
            if rings {
                let shown = Arc::new(Mutex::new(None));
                let caller = caller_name(&app, &view.peer_id).await;
                show_incoming(app.clone(), caller, view.kind, shown.clone());
                ringing = Some((view.call_id.clone(), shown));
            }
        }
    });
}

async fn caller_name(app: &AppHandle, user_id: &str) -> String {
    let state = app.state::<AppState>();
    if let Ok(contacts) = state.client().await.contacts().await
        && let Some(contact) = contacts.into_iter().find(|c| c.user_id == user_id)
    {
        return contact.display_name;
    }
    if let Ok(messenger) = state.messenger().await
        && let Ok(chats) = messenger.chats().await
        && let Some(person) = chats.into_iter().filter_map(|c| c.other_member).find(|m| m.user_id == user_id)
    {
        return person.display_name;
    }
    "Someone".to_owned()
}

fn show_incoming(app: AppHandle, caller: String, kind: CallKind, shown: Arc<Mutex<Option<u32>>>) {
    std::thread::spawn(move || {
        let what = if kind == CallKind::Video { "Incoming video call" } else { "Incoming voice call" };
        let mut notification = notify_rust::Notification::new();
        notification.appname("GK Chat").summary(&caller).body(what).icon("gkchat-desktop");
        #[cfg(all(unix, not(target_os = "macos")))]
        {
            notification.action("accept", "Accept").action("decline", "Decline");
            notification.hint(notify_rust::Hint::Category("call.incoming".into()));
            notification.hint(notify_rust::Hint::Resident(true));
            notification.timeout(notify_rust::Timeout::Never);
        }
        let handle = match notification.show() {
            Ok(handle) => handle,
            Err(err) => {
                tracing::warn!(%err, "could not show the incoming call");
                return;
            }
        };
        #[cfg(all(unix, not(target_os = "macos")))]
        {
            *shown.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(handle.id());
            handle.wait_for_action(|action| {
                let app = app.clone();
                let accept = match action {
                    "accept" => true,
                    "decline" => false,
                    _ => return,
                };
                if accept {
                    crate::show_main_window(&app);
                }
                tauri::async_runtime::spawn(async move {
                    let calls = app.state::<AppState>().calls().await;
                    let done = if accept { calls.accept().await } else { calls.decline().await };
                    if let Err(err) = done {
                        tracing::warn!(%err, accept, "answering from the notification failed");
                    }
                });
            });
        }
        #[cfg(not(all(unix, not(target_os = "macos"))))]
        let _ = (handle, app, shown);
    });
}

/// Withdraws the ringing notification (answered, declined elsewhere, or over): replaced by a
/// short-lived one without actions, as the notification spec allows only its sender to close it.
fn close_notification(shown: &Mutex<Option<u32>>, outcome_words: &str) {
    #[cfg(all(unix, not(target_os = "macos")))]
    if let Some(id) = shown.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take() {
        let words = outcome_words.to_owned();
        std::thread::spawn(move || {
            let mut notification = notify_rust::Notification::new();
            notification
                .appname("GK Chat")
                .summary(&words)
                .icon("gkchat-desktop")
                .id(id)
                .timeout(notify_rust::Timeout::Milliseconds(4000));
            if let Err(err) = notification.show() {
                tracing::debug!(%err, "could not withdraw the incoming call");
            }
        });
    }
    #[cfg(not(all(unix, not(target_os = "macos"))))]
    let _ = (shown, outcome_words);
}

/// What the withdrawn ringing notification says.
fn ended_words(view: &CallView) -> &'static str {
    match (view.phase, view.outcome) {
        (
            CallPhase::Ended,
            Some(gkchat_proto::call::CallOutcome::Missed | gkchat_proto::call::CallOutcome::Cancelled),
        ) => "Missed call",
        (CallPhase::Ended, None) => "Answered on another device",
        (CallPhase::Ended, _) => "Call ended",
        _ => "Call answered",
    }
}

/// Passes the client's call changes on to the UI's feed.
pub fn forward_calls(calls: &Calls, to: tokio::sync::broadcast::Sender<CallView>) -> tokio::task::JoinHandle<()> {
    let mut notices = calls.subscribe();
    tokio::spawn(async move {
        while let Some(notice) = crate::next_of(&mut notices).await {
            if let CallNotice::Changed(view) = notice {
                let _ = to.send(view);
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_cross_as_a_header_and_the_planes() {
        let frame = I420Frame { width: 4, height: 2, timestamp: std::time::Duration::ZERO, data: (0..12).collect() };
        let bytes = encode_frame(1, &frame);
        assert_eq!(&bytes[..5], &[1, 4, 0, 2, 0]);
        assert_eq!(&bytes[5..], frame.data.as_slice());
    }

    #[test]
    fn the_newest_frame_wins() {
        let frames = Arc::new(VideoFrames::default());
        let (remote, _) = frames.sinks();
        for n in 0..3u8 {
            remote.frame(&I420Frame { width: 2, height: 2, timestamp: std::time::Duration::ZERO, data: vec![n; 6] });
        }
        let taken = frames.take();
        assert_eq!(taken.len(), 1);
        assert_eq!((taken[0].0, taken[0].1.data[0]), (0, 2));
        assert!(frames.take().is_empty());
    }
}
