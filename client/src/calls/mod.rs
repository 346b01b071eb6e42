//! Calls from any client: the call state machine on one device, over the live [`Connection`]
//! (signalling) and [`CallMedia`] (the WebRTC peer connection and codecs).
//!
//! Outgoing: [`Calls::start`] rings the callee (`calling`); when they answer, this side builds its
//! media and makes the offer (`connecting`), and ICE + DTLS up is `connected`. Incoming: a ring
//! shows as `ringing`; [`Calls::accept`] builds the media and answers the caller's offer. Either side
//! may hang up; the server's `ended` (or losing the connection) ends the call here. One call at a
//! time, as the server enforces per account.

pub mod rtc;

use std::sync::{Arc, Mutex as StdMutex};

use gkchat_proto::call::{
    CallAction, CallDirection, CallEvent, CallInfo, CallKind, CallOutcome, CallSignal, IceServer,
};
use gkchat_proto::{ApiError, ErrorCode, now_ms};
use serde::Serialize;
use tokio::sync::{Mutex, broadcast, mpsc};
use tokio::task::JoinHandle;
use ts_rs::TS;

use crate::calls::rtc::{CallMedia, MediaConfig, MediaDevices, MediaEvent, SyntheticDevices, VideoSink};
use crate::{Connection, Error, Event, Result};

/// Where a call stands, as this device sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CallPhase {
    /// Someone calls me; answer or decline.
    Ringing,
    /// I call; it rings on their side.
    Calling,
    /// Answered; media is being set up.
    Connecting,
    /// Media flows.
    Connected,
    /// Over (`outcome` says how).
    Ended,
}

/// The current call, for the UI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct CallView {
    pub call_id: String,
    /// The other person.
    pub peer_id: String,
    pub direction: CallDirection,
    /// Audio only, or with video (mine or theirs).
    pub kind: CallKind,
    pub phase: CallPhase,
    pub muted: bool,
    pub camera_on: bool,
    /// The other side sends video now.
    pub remote_video: bool,
    pub started_at: i64,
    pub answered_at: Option<i64>,
    /// How it ended, once `phase` is `ended`; `None` when answered on another of my devices.
    pub outcome: Option<CallOutcome>,
}

/// What [`Calls`] reports.
#[derive(Debug, Clone, PartialEq)]
pub enum CallNotice {
    /// The call changed (or ended: then `phase` is `ended`).
    Changed(CallView),
    /// Media progress (first audio, first video, …), for set-up timing and tests.
    Media { call_id: String, event: MediaEvent },
}

struct Current {
    view: CallView,
    ice_servers: Vec<IceServer>,
    media: Option<Arc<CallMedia>>,
    /// My media has a video track (a video call, or switched to video).
    sending_video: bool,
}

/// The far side's picture and my self-view.
type VideoSinks = (Option<Arc<dyn VideoSink>>, Option<Arc<dyn VideoSink>>);

struct Inner {
    connection: Arc<Connection>,
    devices: StdMutex<MediaDevices>,
    relay_only: std::sync::atomic::AtomicBool,
    sinks: StdMutex<VideoSinks>,
    current: Mutex<Option<Current>>,
    notices: broadcast::Sender<CallNotice>,
    /// Tagged signals and media events of the current call's media, for the event loop.
    media_tx: mpsc::UnboundedSender<(String, FromMedia)>,
    /// Calls the server said ended (the latest few): a ring for one of them that arrives late
    /// (it can, with several server instances) is not a call.
    ended: StdMutex<std::collections::VecDeque<String>>,
}

/// Ended calls remembered at most.
const ENDED_REMEMBERED: usize = 32;

enum FromMedia {
    Signal(CallSignal),
    Event(MediaEvent),
}

/// One device's calls. Dropping it stops following the connection (and ends a call's media).
pub struct Calls {
    inner: Arc<Inner>,
    task: JoinHandle<()>,
}

impl Drop for Calls {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Calls {
    /// Follows `connection` for calls, using `devices` for sound and pictures.
    pub fn start(connection: Arc<Connection>, devices: MediaDevices) -> Self {
        let (media_tx, media_rx) = mpsc::unbounded_channel();
        let (notices, _) = broadcast::channel(256);
        let inner = Arc::new(Inner {
            connection,
            devices: StdMutex::new(devices),
            relay_only: false.into(),
            sinks: StdMutex::new((None, None)),
            current: Mutex::new(None),
            notices,
            media_tx,
            ended: StdMutex::default(),
        });
        let task = tokio::spawn(run(inner.clone(), media_rx));
        Self { inner, task }
    }

    /// Subscribes to call changes from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<CallNotice> {
        self.inner.notices.subscribe()
    }

    /// The call going on (or ringing) now.
    pub async fn current(&self) -> Option<CallView> {
        self.inner.current.lock().await.as_ref().map(|c| c.view.clone())
    }

    /// The devices the next call uses (the UI's choice, or synthetic ones).
    pub fn set_devices(&self, devices: MediaDevices) {
        *lock(&self.inner.devices) = devices;
    }

    /// Only relayed (TURN) candidates from the next call on.
    pub fn set_relay_only(&self, relay_only: bool) {
        self.inner.relay_only.store(relay_only, std::sync::atomic::Ordering::Relaxed);
    }

    /// Where the next calls' pictures go (the far side's, and my self-view).
    pub fn set_default_video_sinks(&self, remote: Option<Arc<dyn VideoSink>>, local: Option<Arc<dyn VideoSink>>) {
        *lock(&self.inner.sinks) = (remote, local);
    }

    /// Where the far side's pictures and my self-view go (the window); applies to the current
    /// call and the next ones.
    pub async fn set_video_sinks(&self, remote: Option<Arc<dyn VideoSink>>, local: Option<Arc<dyn VideoSink>>) {
        *lock(&self.inner.sinks) = (remote.clone(), local.clone());
        if let Some(media) = self.inner.current.lock().await.as_ref().and_then(|c| c.media.clone()) {
            apply_sinks(&media, remote, local);
        }
    }

    /// Calls `callee_id`; returns the call id.
    pub async fn start_call(&self, callee_id: &str, kind: CallKind) -> Result<String> {
        let mut current = self.inner.current.lock().await;
        if current.as_ref().is_some_and(|c| c.view.phase != CallPhase::Ended) {
            return Err(local_error(ErrorCode::AlreadyInCall, "you are already in a call"));
        }
        let call_id = uuid::Uuid::now_v7().to_string();
        let action = CallAction::Start { callee_id: callee_id.to_owned(), kind };
        // Holding the lock until the answer: an `ended` (busy) right behind it waits for us.
        let ice_servers = self.inner.connection.call(&call_id, action).await?;
        let view = CallView {
            call_id: call_id.clone(),
            peer_id: callee_id.to_owned(),
            direction: CallDirection::Outgoing,
            kind,
            phase: CallPhase::Calling,
            muted: false,
            camera_on: kind == CallKind::Video,
            remote_video: false,
            started_at: now_ms(),
            answered_at: None,
            outcome: None,
        };
        *current = Some(Current { view, ice_servers, media: None, sending_video: kind == CallKind::Video });
        publish(&self.inner, current.as_ref());
        Ok(call_id)
    }

    /// Answers the ringing call on this device.
    pub async fn accept(&self) -> Result<()> {
        let mut current = self.inner.current.lock().await;
        let call = current.as_mut().filter(|c| c.view.phase == CallPhase::Ringing).ok_or_else(no_call)?;
        call.ice_servers = self.inner.connection.call(&call.view.call_id, CallAction::Accept).await?;
        call.view.phase = CallPhase::Connecting;
        call.view.answered_at = Some(now_ms());
        let media = build_media(&self.inner, call).await;
        match media {
            Ok(media) => call.media = Some(media),
            Err(err) => {
                let call_id = call.view.call_id.clone();
                drop(current);
                fail(&self.inner, &call_id).await;
                return Err(err);
            }
        }
        publish(&self.inner, current.as_ref());
        Ok(())
    }

    /// Refuses the ringing call (on every one of my devices).
    pub async fn decline(&self) -> Result<()> {
        let call_id = self.call_id_in(&[CallPhase::Ringing]).await?;
        self.inner.connection.call(&call_id, CallAction::Decline).await?;
        end(&self.inner, &call_id, Some(CallOutcome::Declined)).await;
        Ok(())
    }

    /// Leaves the call: cancels it while it rings, ends it once answered.
    pub async fn hang_up(&self) -> Result<()> {
        let call_id = self.call_id_in(&[CallPhase::Calling, CallPhase::Connecting, CallPhase::Connected]).await?;
        let said = self.inner.connection.call(&call_id, CallAction::HangUp { failed: false }).await;
        // Ended here whatever the server said (it may have ended it already, or be unreachable).
        let outcome = self
            .current()
            .await
            .map(|v| if v.answered_at.is_some() { CallOutcome::Answered } else { CallOutcome::Cancelled });
        end(&self.inner, &call_id, outcome).await;
        match said {
            Err(Error::Api { error, .. }) if error.code == ErrorCode::CallNotActive => Ok(()),
            other => other.map(drop),
        }
    }

    /// Mutes or unmutes my microphone.
    pub async fn set_muted(&self, muted: bool) -> Result<()> {
        self.change(|call| {
            call.view.muted = muted;
            if let Some(media) = &call.media {
                media.set_muted(muted);
            }
        })
        .await
    }

    /// Turns my camera off (the far side sees black) or on again. Turning it on in a call where
    /// I send no video yet switches me to video.
    pub async fn set_camera(&self, on: bool) -> Result<()> {
        let sending_video = self.inner.current.lock().await.as_ref().is_some_and(|c| c.sending_video);
        if on && !sending_video {
            return self.switch(CallKind::Video).await;
        }
        self.change(|call| {
            call.view.camera_on = on;
            if let Some(media) = &call.media {
                media.set_camera(on);
            }
        })
        .await
    }

    /// Switches the call between voice and video by renegotiating, without dropping it.
    pub async fn switch(&self, kind: CallKind) -> Result<()> {
        let mut current = self.inner.current.lock().await;
        let call = current.as_mut().filter(|c| c.media.is_some()).ok_or_else(no_call)?;
        let media = call.media.clone().expect("checked");
        media.set_video(kind == CallKind::Video).await.map_err(|e| Error::Internal(e.to_string()))?;
        self.inner.connection.call(&call.view.call_id, CallAction::Switch { kind }).await?;
        call.view.kind =
            if kind == CallKind::Video || call.view.remote_video { CallKind::Video } else { CallKind::Audio };
        call.view.camera_on = kind == CallKind::Video;
        publish(&self.inner, current.as_ref());
        Ok(())
    }

    /// Sets the far side's loudness (0.0–2.0).
    pub async fn set_output_volume(&self, volume: f32) -> Result<()> {
        self.change(|call| {
            if let Some(media) = &call.media {
                media.set_output_volume(volume);
            }
        })
        .await
    }

    async fn change(&self, apply: impl FnOnce(&mut Current)) -> Result<()> {
        let mut current = self.inner.current.lock().await;
        let call = current.as_mut().filter(|c| c.view.phase != CallPhase::Ended).ok_or_else(no_call)?;
        apply(call);
        publish(&self.inner, current.as_ref());
        Ok(())
    }

    async fn call_id_in(&self, phases: &[CallPhase]) -> Result<String> {
        let current = self.inner.current.lock().await;
        current.as_ref().filter(|c| phases.contains(&c.view.phase)).map(|c| c.view.call_id.clone()).ok_or_else(no_call)
    }
}

/// Follows the connection's call events and the current media's signals and events.
async fn run(inner: Arc<Inner>, mut media_rx: mpsc::UnboundedReceiver<(String, FromMedia)>) {
    let mut events = inner.connection.events();
    loop {
        tokio::select! {
            event = events.next() => match event {
                None => break,
                Some(Event::Call(event)) => on_call_event(&inner, event).await,
                Some(Event::State(state)) if !state.is_connected() => {
                    // The server ends a device's calls when its connection goes; so do we.
                    let call_id = inner.current.lock().await.as_ref().map(|c| c.view.call_id.clone());
                    if let Some(call_id) = call_id {
                        end(&inner, &call_id, Some(CallOutcome::Failed)).await;
                    }
                }
                Some(_) => {}
            },
            Some((call_id, from)) = media_rx.recv() => on_media(&inner, &call_id, from).await,
        }
    }
}

async fn on_call_event(inner: &Arc<Inner>, event: CallEvent) {
    match event {
        CallEvent::Incoming { call } => on_incoming(inner, call).await,
        CallEvent::Accepted { call_id, answered_at } => {
            let mut current = inner.current.lock().await;
            let Some(call) = current.as_mut().filter(|c| c.view.call_id == call_id && c.media.is_none()) else {
                return;
            };
            call.view.phase = CallPhase::Connecting;
            call.view.answered_at = Some(answered_at);
            let made = match build_media(inner, call).await {
                Ok(media) => {
                    call.media = Some(media.clone());
                    media.make_offer().await.map_err(|e| e.to_string())
                }
                Err(err) => Err(err.to_string()),
            };
            publish(inner, current.as_ref());
            drop(current);
            if let Err(err) = made {
                tracing::warn!(%err, "setting up the call's media failed");
                fail(inner, &call_id).await;
            }
        }
        CallEvent::AnsweredElsewhere { call_id } => {
            remember_ended(inner, &call_id);
            end(inner, &call_id, None).await;
        }
        CallEvent::Signal { call_id, signal } => {
            let media =
                inner.current.lock().await.as_ref().filter(|c| c.view.call_id == call_id).and_then(|c| c.media.clone());
            match media {
                Some(media) => {
                    if let Err(err) = media.on_signal(signal).await {
                        tracing::warn!(%err, "the far side's signal was refused");
                    }
                }
                None => tracing::debug!(%call_id, "a signal for no media"),
            }
        }
        CallEvent::Switched { call_id, kind } => {
            let mut current = inner.current.lock().await;
            if let Some(call) = current.as_mut().filter(|c| c.view.call_id == call_id) {
                if kind == CallKind::Video {
                    call.view.kind = CallKind::Video;
                }
                publish(inner, current.as_ref());
            }
        }
        CallEvent::Ended { call_id, outcome, .. } => {
            remember_ended(inner, &call_id);
            end(inner, &call_id, Some(outcome)).await;
        }
    }
}

/// A call over for this device: a late ring for it is not a call.
fn remember_ended(inner: &Inner, call_id: &str) {
    let mut ended = lock(&inner.ended);
    if ended.len() >= ENDED_REMEMBERED {
        ended.pop_front();
    }
    ended.push_back(call_id.to_owned());
}

async fn on_incoming(inner: &Arc<Inner>, call: CallInfo) {
    if lock(&inner.ended).contains(&call.call_id) {
        return;
    }
    let mut current = inner.current.lock().await;
    if current.as_ref().is_some_and(|c| c.view.phase != CallPhase::Ended) {
        // Another of my calls is on (the server says busy to the caller by itself).
        return;
    }
    let view = CallView {
        call_id: call.call_id,
        peer_id: call.caller_id,
        direction: CallDirection::Incoming,
        kind: call.kind,
        phase: CallPhase::Ringing,
        muted: false,
        camera_on: call.kind == CallKind::Video,
        remote_video: false,
        started_at: call.started_at,
        answered_at: None,
        outcome: None,
    };
    *current =
        Some(Current { view, ice_servers: Vec::new(), media: None, sending_video: call.kind == CallKind::Video });
    publish(inner, current.as_ref());
}

async fn on_media(inner: &Arc<Inner>, call_id: &str, from: FromMedia) {
    match from {
        FromMedia::Signal(signal) => {
            if let Err(err) = inner.connection.call(call_id, CallAction::Signal { signal }).await {
                tracing::debug!(%err, "passing a signal on failed");
            }
        }
        FromMedia::Event(event) => {
            let _ = inner.notices.send(CallNotice::Media { call_id: call_id.to_owned(), event: event.clone() });
            let mut current = inner.current.lock().await;
            let Some(call) = current.as_mut().filter(|c| c.view.call_id == call_id) else { return };
            match event {
                MediaEvent::Connected => call.view.phase = CallPhase::Connected,
                MediaEvent::RemoteVideo(on) => {
                    call.view.remote_video = on;
                    if on {
                        call.view.kind = CallKind::Video;
                    }
                }
                MediaEvent::Failed(reason) => {
                    tracing::warn!(%reason, "call media failed");
                    drop(current);
                    fail(inner, call_id).await;
                    return;
                }
                _ => return,
            }
            publish(inner, current.as_ref());
        }
    }
}

/// Builds the call's media with its ICE servers, tagging what it says with the call id.
async fn build_media(inner: &Arc<Inner>, call: &Current) -> Result<Arc<CallMedia>> {
    let devices = lock(&inner.devices).clone();
    let mut config = MediaConfig::new(call.ice_servers.clone(), devices);
    config.relay_only = inner.relay_only.load(std::sync::atomic::Ordering::Relaxed);
    let (signals, mut signal_rx) = mpsc::unbounded_channel();
    let (events, mut event_rx) = mpsc::unbounded_channel();
    let media =
        CallMedia::new(config, call.view.kind, signals, events).await.map_err(|e| Error::Internal(e.to_string()))?;
    let media = Arc::new(media);
    let (remote, local) = lock(&inner.sinks).clone();
    apply_sinks(&media, remote, local);
    let (tx, id) = (inner.media_tx.clone(), call.view.call_id.clone());
    tokio::spawn(async move {
        loop {
            let from = tokio::select! {
                Some(signal) = signal_rx.recv() => FromMedia::Signal(signal),
                Some(event) = event_rx.recv() => FromMedia::Event(event),
                else => break,
            };
            if tx.send((id.clone(), from)).is_err() {
                break;
            }
        }
    });
    Ok(media)
}

fn apply_sinks(media: &CallMedia, remote: Option<Arc<dyn VideoSink>>, local: Option<Arc<dyn VideoSink>>) {
    if let Some(remote) = remote {
        media.set_remote_video_sink(remote);
    }
    if let Some(local) = local {
        media.set_local_video_sink(local);
    }
}

/// The call's media could not be set up or broke: tell the server (the log says failed), end it.
async fn fail(inner: &Arc<Inner>, call_id: &str) {
    let _ = inner.connection.call(call_id, CallAction::HangUp { failed: true }).await;
    end(inner, call_id, Some(CallOutcome::Failed)).await;
}

/// Ends call `call_id` here once: closes its media and reports it ended.
async fn end(inner: &Arc<Inner>, call_id: &str, outcome: Option<CallOutcome>) {
    let mut current = inner.current.lock().await;
    let Some(mut call) = current.take_if(|c| c.view.call_id == call_id) else { return };
    drop(current);
    if let Some(media) = call.media.take() {
        media.close().await;
    }
    call.view.phase = CallPhase::Ended;
    call.view.outcome = outcome;
    let _ = inner.notices.send(CallNotice::Changed(call.view));
}

fn publish(inner: &Inner, current: Option<&Current>) {
    if let Some(call) = current {
        let _ = inner.notices.send(CallNotice::Changed(call.view.clone()));
    }
}

fn lock<T>(mutex: &StdMutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn no_call() -> Error {
    local_error(ErrorCode::CallNotActive, "there is no such call now")
}

fn local_error(code: ErrorCode, message: &str) -> Error {
    Error::Api { status: 0, error: ApiError::new(code, message) }
}

/// Synthetic devices with a tone of `tone_hz`: what tests and the developer setting use.
pub fn synthetic_devices(tone_hz: f32) -> MediaDevices {
    MediaDevices::Synthetic(SyntheticDevices::new(tone_hz))
}
