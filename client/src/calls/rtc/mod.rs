//! Call media: the WebRTC peer connection of one call, with Opus audio and VP8 video.
//!
//! [`CallMedia`] owns the connection and the codec threads. It does no signalling of its own: what
//! it must tell the far side comes out of the `signals` channel (offers, answers, trickled ICE
//! candidates) for the caller to relay over the server, and what the far side said goes in through
//! [`CallMedia::on_signal`]. Progress comes out as [`MediaEvent`]s.
//!
//! Sound and pictures come from and go to [`MediaDevices`]: the system's (cpal for sound, nokhwa
//! for the camera) or synthetic ones for tests (a tone, colour bars, inspectable sinks).
#![warn(missing_docs)]

pub mod analysis;
mod camera;
mod devices;
mod keyframe;
mod pipeline;
mod vpx;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

pub use devices::{
    AUDIO_FRAME_SAMPLES, AUDIO_SAMPLE_RATE, AudioSink, AudioSource, CapturedAudio, DeviceList, I420Frame, LatestFrame,
    MediaDevice, SyntheticDevices, TEST_PATTERN_BARS, TestPatternSource, ToneSource, VIDEO_FPS, VIDEO_HEIGHT,
    VIDEO_WIDTH, VideoSink, VideoSource, list_devices,
};
use gkchat_proto::call::{CallKind, CallSignal, IceServer};
use rtc::interceptor::Slot;
use rtc::media_stream::MediaStreamTrack;
use rtc::peer_connection::configuration::media_engine::{MIME_TYPE_OPUS, MIME_TYPE_VP8};

use rtc::rtp_transceiver::rtp_sender::{
    RTCPFeedback, RTCRtpCodec, RTCRtpCodecParameters, RTCRtpCodingParameters, RTCRtpEncodingParameters, RtpCodecKind,
};
use tokio::sync::mpsc::UnboundedSender;
use webrtc::media_stream::track_local::TrackLocal;
use webrtc::media_stream::track_local::static_sample::TrackLocalStaticSample;
use webrtc::media_stream::track_remote::TrackRemote;
use webrtc::peer_connection::{
    MediaEngine, PeerConnection, PeerConnectionBuilder, PeerConnectionEventHandler, RTCConfigurationBuilder,
    RTCIceCandidateInit, RTCIceServer, RTCIceTransportPolicy, RTCPeerConnectionIceEvent, RTCPeerConnectionState,
    RTCSessionDescription, Registry, SettingEngineBuilder, register_default_interceptors,
};
use webrtc::rtp_transceiver::RtpSender;

/// What a call's media may fail with.
#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    /// The WebRTC stack refused something (building the connection, SDP, a candidate).
    #[error("webrtc: {0}")]
    WebRtc(String),
    /// A microphone or speaker could not be opened.
    #[error("audio device: {0}")]
    AudioDevice(String),
    /// The camera could not be opened (there is none, it is busy, or access was refused).
    #[error("camera: {0}")]
    Camera(String),
    /// The call's media is closed.
    #[error("call media is closed")]
    Closed,
}

impl From<webrtc::error::Error> for MediaError {
    fn from(e: webrtc::error::Error) -> Self {
        Self::WebRtc(e.to_string())
    }
}

/// How to set up a call's media.
#[derive(Clone)]
pub struct MediaConfig {
    /// STUN/TURN servers, as the server handed them out in `call_ready`.
    pub ice_servers: Vec<IceServer>,
    /// Use only relayed (TURN) candidates, as a privacy setting or to test the relay.
    pub relay_only: bool,
    /// Where sound and pictures come from and go to.
    pub devices: MediaDevices,
    /// Local UDP addresses to gather host candidates on; empty means every interface.
    pub bind_addrs: Vec<SocketAddr>,
}

impl MediaConfig {
    /// Direct and relayed candidates on every interface.
    pub fn new(ice_servers: Vec<IceServer>, devices: MediaDevices) -> Self {
        Self { ice_servers, relay_only: false, devices, bind_addrs: Vec::new() }
    }
}

/// Which sources and sinks a call uses.
#[derive(Clone)]
pub enum MediaDevices {
    /// A tone, colour bars and inspectable sinks (tests, demos).
    Synthetic(SyntheticDevices),
    /// The system's devices by id (as [`list_devices`] gives them); `None` is the default one.
    /// Capture and playback at 48 kHz through cpal; the camera through nokhwa. Without a camera
    /// (or when it cannot be opened) video sends black pictures and reports
    /// [`MediaEvent::CameraUnavailable`].
    System {
        /// The microphone.
        input: Option<String>,
        /// The speaker.
        output: Option<String>,
        /// The camera, by its id in [`list_devices`]; `None` is the first one.
        camera: Option<String>,
    },
}

/// What happens to a call's media.
#[derive(Debug, Clone, PartialEq)]
pub enum MediaEvent {
    /// ICE and DTLS are up: media can flow.
    Connected,
    /// The first of the far side's sound was decoded.
    FirstAudio,
    /// The first picture of the far side's (current) video track was decoded.
    FirstVideo,
    /// The far side started (`true`) or stopped (`false`) sending video.
    RemoteVideo(bool),
    /// The camera could not be opened; black pictures are sent instead.
    CameraUnavailable(String),
    /// The connection failed or a codec could not start; the call should end.
    Failed(String),
    /// [`CallMedia::close`] finished.
    Closed,
}

/// State the connection's callbacks and the codec threads share.
pub(crate) struct Shared {
    runtime: tokio::runtime::Handle,
    events: UnboundedSender<MediaEvent>,
    signals: UnboundedSender<CallSignal>,
    closed: AtomicBool,
    muted: AtomicBool,
    camera_on: AtomicBool,
    volume_bits: AtomicU32,
    first_audio: AtomicBool,
    /// Set by the keyframe interceptor when the far side asks; read by the video encoder.
    keyframe_requested: Arc<AtomicBool>,
    speaker: Mutex<Box<dyn AudioSink>>,
    remote_video: RwLock<Option<Arc<dyn VideoSink>>>,
    local_video: RwLock<Option<Arc<dyn VideoSink>>>,
}

impl Shared {
    fn emit(&self, event: MediaEvent) {
        let _ = self.events.send(event);
    }

    fn volume(&self) -> f32 {
        f32::from_bits(self.volume_bits.load(Ordering::Relaxed))
    }

    fn remote_video_sink(&self) -> Option<Arc<dyn VideoSink>> {
        self.remote_video.read().ok().and_then(|sink| sink.clone())
    }

    fn local_video_sink(&self) -> Option<Arc<dyn VideoSink>> {
        self.local_video.read().ok().and_then(|sink| sink.clone())
    }
}

/// The connection's callbacks.
struct Handler {
    shared: Arc<Shared>,
}

#[async_trait::async_trait]
impl PeerConnectionEventHandler for Handler {
    async fn on_ice_candidate(&self, event: RTCPeerConnectionIceEvent) {
        match event.candidate.to_json() {
            Ok(init) => {
                let _ = self.shared.signals.send(CallSignal::Candidate {
                    candidate: init.candidate,
                    sdp_mid: init.sdp_mid,
                    sdp_mline_index: init.sdp_mline_index,
                });
            }
            Err(e) => tracing::warn!("cannot serialise a local candidate: {e}"),
        }
    }

    async fn on_connection_state_change(&self, state: RTCPeerConnectionState) {
        tracing::debug!("call connection: {state}");
        match state {
            RTCPeerConnectionState::Connected => self.shared.emit(MediaEvent::Connected),
            RTCPeerConnectionState::Failed => self.shared.emit(MediaEvent::Failed("the connection failed".into())),
            _ => {}
        }
    }

    async fn on_track(&self, track: Arc<dyn TrackRemote>) {
        match track.kind().await {
            RtpCodecKind::Audio => pipeline::receive_audio(self.shared.clone(), track),
            RtpCodecKind::Video => pipeline::receive_video(self.shared.clone(), track),
            _ => {}
        }
    }
}

/// Offer/answer bookkeeping, behind one lock so offers never overlap.
#[derive(Default)]
struct Negotiation {
    /// We sent an offer and wait for its answer.
    offer_pending: bool,
    /// Something changed while an offer was out: offer again once it is answered.
    again: bool,
    /// We made the first offer; the other side yields when offers cross.
    initiator: bool,
    /// The far side's last description had it sending video.
    remote_video: bool,
}

/// Whether a remote description has its side sending video: a video section that is not
/// rejected and is `sendrecv` or `sendonly`.
fn sends_video(sdp: &str) -> bool {
    sdp.split("\nm=").skip(1).filter(|section| section.starts_with("video")).any(|section| {
        let rejected = section.split_whitespace().nth(1) == Some("0");
        !rejected && section.lines().map(str::trim).any(|line| line == "a=sendrecv" || line == "a=sendonly")
    })
}

/// Remote candidates wait here until there is a remote description.
#[derive(Default)]
struct Candidates {
    remote_description_set: bool,
    pending: Vec<RTCIceCandidateInit>,
}

/// Our video track while video is on.
struct LocalVideo {
    sender: Arc<dyn RtpSender>,
    _sending: pipeline::VideoSending,
}

/// The media of one call: a peer connection with an audio track and, while video is on, a video
/// track. Dropping it stops the codec threads; [`CallMedia::close`] also closes the connection.
pub struct CallMedia {
    pc: Arc<dyn PeerConnection>,
    shared: Arc<Shared>,
    devices: MediaDevices,
    negotiation: tokio::sync::Mutex<Negotiation>,
    candidates: Mutex<Candidates>,
    video: tokio::sync::Mutex<Option<LocalVideo>>,
    video_tracks: AtomicU32,
}

const STREAM_ID: &str = "gkchat";

fn opus_codec() -> RTCRtpCodec {
    RTCRtpCodec {
        mime_type: MIME_TYPE_OPUS.to_owned(),
        clock_rate: 48_000,
        channels: 2,
        sdp_fmtp_line: "minptime=10;useinbandfec=1".to_owned(),
        rtcp_feedback: vec![],
    }
}

fn vp8_codec() -> RTCRtpCodec {
    let feedback = |typ: &str, parameter: &str| RTCPFeedback { typ: typ.to_owned(), parameter: parameter.to_owned() };
    RTCRtpCodec {
        mime_type: MIME_TYPE_VP8.to_owned(),
        clock_rate: 90_000,
        channels: 0,
        sdp_fmtp_line: String::new(),
        rtcp_feedback: vec![feedback("ccm", "fir"), feedback("nack", ""), feedback("nack", "pli")],
    }
}

fn local_track(
    kind: RtpCodecKind,
    track_id: String,
    codec: RTCRtpCodec,
) -> Result<(Arc<TrackLocalStaticSample>, u32), MediaError> {
    let ssrc = fastrand::u32(1..);
    let track = MediaStreamTrack::new(
        STREAM_ID.to_owned(),
        track_id.clone(),
        track_id,
        kind,
        vec![RTCRtpEncodingParameters {
            rtp_coding_parameters: RTCRtpCodingParameters { ssrc: Some(ssrc), ..Default::default() },
            codec,
            ..Default::default()
        }],
    );
    Ok((Arc::new(TrackLocalStaticSample::new(Instant::now(), track)?), ssrc))
}

/// The sound devices a call opens up front, and where remote video goes at first.
struct Endpoints {
    microphone: Box<dyn AudioSource>,
    speaker: Box<dyn AudioSink>,
    remote_video: Option<Arc<dyn VideoSink>>,
}

impl Endpoints {
    async fn open(devices: &MediaDevices) -> Result<Self, MediaError> {
        Ok(match devices {
            MediaDevices::Synthetic(synthetic) => Self {
                microphone: Box::new(ToneSource::new(synthetic.tone_hz)),
                speaker: Box::new(synthetic.speaker.clone()),
                remote_video: Some(Arc::new(synthetic.remote_video.clone())),
            },
            MediaDevices::System { input, output, .. } => Self {
                microphone: Box::new(devices::CpalInput::open(input.clone()).await?),
                speaker: Box::new(devices::CpalOutput::open(output.clone()).await?),
                remote_video: None,
            },
        })
    }
}

/// The microphone `devices` name (the synthetic tone, or the system's through cpal), for a
/// voice message.
pub async fn open_microphone(devices: &MediaDevices) -> Result<Box<dyn AudioSource>, MediaError> {
    Ok(match devices {
        MediaDevices::Synthetic(synthetic) => Box::new(ToneSource::new(synthetic.tone_hz)),
        MediaDevices::System { input, .. } => Box::new(devices::CpalInput::open(input.clone()).await?),
    })
}

/// Paced black pictures, for when there is no camera.
struct NoCamera {
    started: Instant,
    frames: u32,
}

impl VideoSource for NoCamera {
    fn next_frame(&mut self) -> Option<I420Frame> {
        let timestamp = Duration::from_secs(1) * self.frames / VIDEO_FPS;
        if let Some(wait) = (self.started + timestamp).checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
        self.frames += 1;
        Some(I420Frame::black(VIDEO_WIDTH, VIDEO_HEIGHT, timestamp))
    }
}

impl CallMedia {
    /// Sets up the connection and starts the microphone (and, for a video call, the camera).
    /// `signals` carries everything this side must send to the far side; `events` reports
    /// progress. Must be called within a tokio runtime.
    pub async fn new(
        config: MediaConfig,
        kind: CallKind,
        signals: UnboundedSender<CallSignal>,
        events: UnboundedSender<MediaEvent>,
    ) -> Result<Self, MediaError> {
        let Endpoints { microphone, speaker, remote_video } = Endpoints::open(&config.devices).await?;

        let keyframe_requested = Arc::new(AtomicBool::new(false));
        let shared = Arc::new(Shared {
            runtime: tokio::runtime::Handle::current(),
            events,
            signals,
            closed: AtomicBool::new(false),
            muted: AtomicBool::new(false),
            camera_on: AtomicBool::new(true),
            volume_bits: AtomicU32::new(1.0f32.to_bits()),
            first_audio: AtomicBool::new(false),
            keyframe_requested: keyframe_requested.clone(),
            speaker: Mutex::new(speaker),
            remote_video: RwLock::new(remote_video),
            local_video: RwLock::new(None),
        });

        let mut media_engine = MediaEngine::default();
        media_engine.register_codec(
            RTCRtpCodecParameters { rtp_codec: opus_codec(), payload_type: 111 },
            RtpCodecKind::Audio,
        )?;
        media_engine
            .register_codec(RTCRtpCodecParameters { rtp_codec: vp8_codec(), payload_type: 96 }, RtpCodecKind::Video)?;
        let registry = register_default_interceptors(Registry::new(), &mut media_engine)?
            // Last in the chain, after every interceptor that reads RTCP.
            .with(Slot::from(14_000), keyframe::KeyframeRequestInterceptor::new(keyframe_requested));

        let ice_servers = config
            .ice_servers
            .iter()
            .map(|server| RTCIceServer {
                urls: server.urls.clone(),
                username: server.username.clone().unwrap_or_default(),
                credential: server.credential.clone().unwrap_or_default(),
            })
            .collect();
        let policy = if config.relay_only { RTCIceTransportPolicy::Relay } else { RTCIceTransportPolicy::All };
        let rtc_config =
            RTCConfigurationBuilder::new().with_ice_servers(ice_servers).with_ice_transport_policy(policy).build();
        let bind_addrs: Vec<String> = if config.bind_addrs.is_empty() {
            vec!["0.0.0.0:0".to_owned()]
        } else {
            config.bind_addrs.iter().map(SocketAddr::to_string).collect()
        };
        let mut settings = SettingEngineBuilder::new();
        if config.relay_only {
            // ICE holds back relayed pairs (2 s) in case a direct one turns up; none will.
            settings = settings.with_relay_acceptance_min_wait(Some(Duration::ZERO));
        }
        let pc = PeerConnectionBuilder::new()
            .with_configuration(rtc_config)
            .with_setting_engine(settings.build())
            .with_media_engine(media_engine)
            .with_interceptor_registry(registry)
            .with_handler(Arc::new(Handler { shared: shared.clone() }))
            .with_udp_addrs(bind_addrs)
            .build()
            .await?;
        let pc: Arc<dyn PeerConnection> = Arc::new(pc);

        let (audio_track, ssrc) = local_track(RtpCodecKind::Audio, "gkchat-audio".into(), opus_codec())?;
        let audio_sender = pc.add_track(audio_track.clone() as Arc<dyn TrackLocal>).await?;
        pipeline::send_audio(shared.clone(), microphone, audio_track, audio_sender, ssrc);

        let media = Self {
            pc,
            shared,
            devices: config.devices,
            negotiation: tokio::sync::Mutex::new(Negotiation::default()),
            candidates: Mutex::new(Candidates::default()),
            video: tokio::sync::Mutex::new(None),
            video_tracks: AtomicU32::new(0),
        };
        if kind == CallKind::Video {
            let mut video = media.video.lock().await;
            *video = Some(media.start_video().await?);
        }
        Ok(media)
    }

    /// Sends the first offer (the caller, once the callee accepted). Later offers go out by
    /// themselves when [`CallMedia::set_video`] changes the tracks.
    pub async fn make_offer(&self) -> Result<(), MediaError> {
        let mut negotiation = self.negotiation.lock().await;
        if !self.remote_description_set() {
            negotiation.initiator = true;
        }
        self.offer(&mut negotiation).await
    }

    /// Takes what the far side sent: an offer is answered (the answer goes out on `signals`), an
    /// answer is applied, a candidate is added (or kept until there is a remote description).
    pub async fn on_signal(&self, signal: CallSignal) -> Result<(), MediaError> {
        self.check_open()?;
        match signal {
            CallSignal::Offer { sdp } => {
                let mut negotiation = self.negotiation.lock().await;
                if negotiation.offer_pending {
                    // Offers crossed: the side that called first keeps its own.
                    if negotiation.initiator {
                        return Ok(());
                    }
                    self.pc.set_local_description(RTCSessionDescription::rollback(None)?).await?;
                    negotiation.offer_pending = false;
                    negotiation.again = true;
                }
                let video = sends_video(&sdp);
                self.pc.set_remote_description(RTCSessionDescription::offer(sdp)?).await?;
                self.remote_description_applied(&mut negotiation, video).await;
                let answer = self.pc.create_answer(None).await?;
                self.pc.set_local_description(answer.clone()).await?;
                let _ = self.shared.signals.send(CallSignal::Answer { sdp: answer.sdp });
                if std::mem::take(&mut negotiation.again) {
                    self.offer(&mut negotiation).await?;
                }
            }
            CallSignal::Answer { sdp } => {
                let mut negotiation = self.negotiation.lock().await;
                if !negotiation.offer_pending {
                    tracing::debug!("ignoring an answer to no offer");
                    return Ok(());
                }
                let video = sends_video(&sdp);
                self.pc.set_remote_description(RTCSessionDescription::answer(sdp)?).await?;
                negotiation.offer_pending = false;
                self.remote_description_applied(&mut negotiation, video).await;
                if std::mem::take(&mut negotiation.again) {
                    self.offer(&mut negotiation).await?;
                }
            }
            CallSignal::Candidate { candidate, sdp_mid, sdp_mline_index } => {
                let init = RTCIceCandidateInit { candidate, sdp_mid, sdp_mline_index, ..Default::default() };
                {
                    let mut candidates = self.candidates.lock().map_err(|_| MediaError::Closed)?;
                    if !candidates.remote_description_set {
                        candidates.pending.push(init);
                        return Ok(());
                    }
                }
                self.pc.add_ice_candidate(init).await?;
            }
        }
        Ok(())
    }

    /// Turns our video on or off mid-call by renegotiating (adds or removes the video track and
    /// sends a new offer); the connection and the sound carry on.
    pub async fn set_video(&self, on: bool) -> Result<(), MediaError> {
        self.check_open()?;
        {
            let mut video = self.video.lock().await;
            match (on, video.is_some()) {
                (true, false) => *video = Some(self.start_video().await?),
                (false, true) => {
                    if let Some(local) = video.take() {
                        self.pc.remove_track(&local.sender).await?;
                    }
                }
                _ => return Ok(()),
            }
        }
        let mut negotiation = self.negotiation.lock().await;
        self.offer(&mut negotiation).await
    }

    /// Mutes the microphone (silence is sent, the track stays).
    pub fn set_muted(&self, muted: bool) {
        self.shared.muted.store(muted, Ordering::Relaxed);
    }

    /// Pauses the camera without renegotiating: black pictures are sent while it is off.
    pub fn set_camera(&self, on: bool) {
        self.shared.camera_on.store(on, Ordering::Relaxed);
    }

    /// Scales the far side's sound: 0.0 silent, 1.0 as received, up to 4.0.
    pub fn set_output_volume(&self, volume: f32) {
        let volume = if volume.is_finite() { volume.clamp(0.0, 4.0) } else { 1.0 };
        self.shared.volume_bits.store(volume.to_bits(), Ordering::Relaxed);
    }

    /// Where the far side's decoded pictures go (replaces the previous sink).
    pub fn set_remote_video_sink(&self, sink: Arc<dyn VideoSink>) {
        if let Ok(mut slot) = self.shared.remote_video.write() {
            *slot = Some(sink);
        }
    }

    /// Where our own camera pictures go, for the self-view.
    pub fn set_local_video_sink(&self, sink: Arc<dyn VideoSink>) {
        if let Ok(mut slot) = self.shared.local_video.write() {
            *slot = Some(sink);
        }
    }

    /// Stops the codecs and closes the connection; reports [`MediaEvent::Closed`]. Idempotent.
    pub async fn close(&self) {
        if self.shared.closed.swap(true, Ordering::Relaxed) {
            return;
        }
        self.video.lock().await.take();
        if let Err(e) = self.pc.close().await {
            tracing::debug!("closing the call connection: {e}");
        }
        self.shared.emit(MediaEvent::Closed);
    }

    fn check_open(&self) -> Result<(), MediaError> {
        if self.shared.closed.load(Ordering::Relaxed) { Err(MediaError::Closed) } else { Ok(()) }
    }

    fn remote_description_set(&self) -> bool {
        self.candidates.lock().map(|c| c.remote_description_set).unwrap_or(false)
    }

    /// Reports a change in the far side's video and adds the candidates that arrived before the
    /// remote description.
    async fn remote_description_applied(&self, negotiation: &mut Negotiation, remote_video: bool) {
        if negotiation.remote_video != remote_video {
            negotiation.remote_video = remote_video;
            self.shared.emit(MediaEvent::RemoteVideo(remote_video));
        }
        let pending = match self.candidates.lock() {
            Ok(mut candidates) => {
                candidates.remote_description_set = true;
                std::mem::take(&mut candidates.pending)
            }
            Err(_) => return,
        };
        for candidate in pending {
            if let Err(e) = self.pc.add_ice_candidate(candidate).await {
                tracing::warn!("a remote candidate was refused: {e}");
            }
        }
    }

    async fn offer(&self, negotiation: &mut Negotiation) -> Result<(), MediaError> {
        self.check_open()?;
        if negotiation.offer_pending {
            negotiation.again = true;
            return Ok(());
        }
        let offer = self.pc.create_offer(None).await?;
        self.pc.set_local_description(offer.clone()).await?;
        negotiation.offer_pending = true;
        let _ = self.shared.signals.send(CallSignal::Offer { sdp: offer.sdp });
        Ok(())
    }

    /// Adds a video track and starts the camera → encoder path.
    async fn start_video(&self) -> Result<LocalVideo, MediaError> {
        let source: Box<dyn VideoSource> = match &self.devices {
            MediaDevices::Synthetic(_) => Box::new(TestPatternSource::new()),
            MediaDevices::System { camera, .. } => {
                // Opening a camera can take a while: off the async threads.
                let id = camera.clone();
                let opened = tokio::task::spawn_blocking(move || camera::CameraSource::open(id))
                    .await
                    .map_err(|e| MediaError::Camera(e.to_string()))
                    .and_then(|opened| opened);
                match opened {
                    Ok(source) => Box::new(source),
                    Err(err) => {
                        self.shared.emit(MediaEvent::CameraUnavailable(err.to_string()));
                        Box::new(NoCamera { started: Instant::now(), frames: 0 })
                    }
                }
            }
        };
        let number = self.video_tracks.fetch_add(1, Ordering::Relaxed);
        let (track, ssrc) = local_track(RtpCodecKind::Video, format!("gkchat-video-{number}"), vp8_codec())?;
        let sender = self.pc.add_track(track.clone() as Arc<dyn TrackLocal>).await?;
        self.shared.camera_on.store(true, Ordering::Relaxed);
        self.shared.keyframe_requested.store(true, Ordering::Relaxed);
        let sending = pipeline::send_video(self.shared.clone(), source, track, sender.clone(), ssrc);
        Ok(LocalVideo { sender, _sending: sending })
    }
}

impl Drop for CallMedia {
    fn drop(&mut self) {
        self.shared.closed.store(true, Ordering::Relaxed);
    }
}
