//! The four media paths of a call, each a codec thread plus a task on the tokio side:
//! microphone → Opus → audio track, camera → VP8 → video track, and back from the far side's
//! tracks to the speaker and the remote video sink.
//!
//! Codec objects are not `Send`, so each lives on its own thread; bounded channels join the
//! threads to the tracks, and a full channel drops (sound) or drops and asks for a keyframe
//! (video) rather than growing the delay.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::TrySendError;
use std::time::{Duration, Instant};

use audiopus::coder::{Decoder as OpusDecoder, Encoder as OpusEncoder};
use audiopus::{Application, Bitrate, Channels, SampleRate};
use bytes::Bytes;
use rtc::media::Sample;
use rtc::media::io::sample_builder::SampleBuilder;
use rtc::rtcp::payload_feedbacks::picture_loss_indication::PictureLossIndication;
use rtc::rtp::codec::vp8::Vp8Packet;
use rtc::rtp_transceiver::PayloadType;
use webrtc::media_stream::track_local::static_sample::TrackLocalStaticSample;
use webrtc::media_stream::track_remote::{TrackRemote, TrackRemoteEvent};
use webrtc::rtp_transceiver::RtpSender;

use super::devices::{AUDIO_FRAME_SAMPLES, VIDEO_FPS, VIDEO_HEIGHT, VIDEO_WIDTH};
use super::vpx::{EncoderSettings, Vp8Decoder, Vp8Encoder};
use super::{AudioSource, I420Frame, MediaEvent, Shared, VideoSource};

const AUDIO_FRAME: Duration = Duration::from_millis(20);
/// Opus at 32 kbit/s: wideband speech with room to spare.
const OPUS_BITRATE: i32 = 32_000;
const VP8_BITRATE_KBPS: u32 = 1_000;
/// Largest Opus frame (120 ms at 48 kHz).
const MAX_OPUS_SAMPLES: usize = 5_760;

fn spawn_thread(name: &str, body: impl FnOnce() + Send + 'static) {
    if let Err(e) = std::thread::Builder::new().name(name.into()).spawn(body) {
        tracing::error!("could not start the {name} thread: {e}");
    }
}

/// The payload type the far side agreed to for this sender, once negotiated.
async fn negotiated_payload_type(sender: &Arc<dyn RtpSender>) -> Option<PayloadType> {
    sender.get_parameters().await.ok()?.rtp_parameters.codecs.first().map(|codec| codec.payload_type)
}

/// Writes encoded frames to a local track as they come, until the producing thread stops.
/// `keyframe_on_start` is raised once the track is negotiated: the pictures before were lost.
async fn write_samples(
    mut frames: tokio::sync::mpsc::Receiver<Bytes>,
    track: Arc<TrackLocalStaticSample>,
    sender: Arc<dyn RtpSender>,
    ssrc: u32,
    duration: Duration,
    keyframe_on_start: Option<Arc<AtomicBool>>,
) {
    let mut payload_type = None;
    while let Some(data) = frames.recv().await {
        if payload_type.is_none() {
            payload_type = negotiated_payload_type(&sender).await;
            if let (Some(_), Some(keyframe)) = (payload_type, &keyframe_on_start) {
                keyframe.store(true, Ordering::Relaxed);
            }
        }
        // Before negotiation there is nowhere to send to.
        let Some(payload_type) = payload_type else { continue };
        let sample = Sample { data, duration, ..Sample::new(Instant::now()) };
        if let Err(e) = track.sample_writer(ssrc, payload_type).write_sample(&sample).await {
            tracing::trace!("dropping a sample: {e}");
        }
    }
}

/// Microphone → Opus → `track`, until the call closes.
pub(crate) fn send_audio(
    shared: Arc<Shared>,
    mut source: Box<dyn AudioSource>,
    track: Arc<TrackLocalStaticSample>,
    sender: Arc<dyn RtpSender>,
    ssrc: u32,
) {
    let (tx, rx) = tokio::sync::mpsc::channel::<Bytes>(16);
    shared.runtime.spawn(write_samples(rx, track, sender, ssrc, AUDIO_FRAME, None));
    spawn_thread("gkchat-audio-enc", move || {
        let mut encoder = match OpusEncoder::new(SampleRate::Hz48000, Channels::Mono, Application::Voip) {
            Ok(encoder) => encoder,
            Err(e) => return shared.emit(MediaEvent::Failed(format!("opus encoder: {e}"))),
        };
        let _ = encoder.set_bitrate(Bitrate::BitsPerSecond(OPUS_BITRATE));
        let _ = encoder.set_inband_fec(true);
        let mut pcm = [0i16; AUDIO_FRAME_SAMPLES];
        let mut packet = [0u8; 1500];
        while !shared.closed.load(Ordering::Relaxed) && source.read_frame(&mut pcm) {
            if shared.muted.load(Ordering::Relaxed) {
                pcm.fill(0);
            }
            match encoder.encode(&pcm, &mut packet) {
                Ok(len) => match tx.try_send(Bytes::copy_from_slice(&packet[..len])) {
                    Err(tokio::sync::mpsc::error::TrySendError::Closed(_)) => break,
                    _ => continue,
                },
                Err(e) => tracing::warn!("opus encode: {e}"),
            }
        }
    });
}

/// Far side's audio track → Opus decoder → speaker, until the track ends.
pub(crate) fn receive_audio(shared: Arc<Shared>, track: Arc<dyn TrackRemote>) {
    let (tx, rx) = std::sync::mpsc::sync_channel::<Bytes>(50);
    let thread_shared = shared.clone();
    spawn_thread("gkchat-audio-dec", move || {
        let shared = thread_shared;
        let mut decoder = match OpusDecoder::new(SampleRate::Hz48000, Channels::Mono) {
            Ok(decoder) => decoder,
            Err(e) => return shared.emit(MediaEvent::Failed(format!("opus decoder: {e}"))),
        };
        let mut pcm = vec![0i16; MAX_OPUS_SAMPLES];
        while let Ok(packet) = rx.recv() {
            let len = match decoder.decode(Some(&packet[..]), &mut pcm[..], false) {
                Ok(len) => len,
                Err(e) => {
                    tracing::debug!("opus decode: {e}");
                    continue;
                }
            };
            let volume = shared.volume();
            if volume != 1.0 {
                for sample in &mut pcm[..len] {
                    *sample = (f32::from(*sample) * volume).clamp(-32768.0, 32767.0) as i16;
                }
            }
            if let Ok(mut speaker) = shared.speaker.lock() {
                speaker.write_frame(&pcm[..len]);
            }
            if !shared.first_audio.swap(true, Ordering::Relaxed) {
                shared.emit(MediaEvent::FirstAudio);
            }
        }
    });
    shared.runtime.spawn(async move {
        while let Some(event) = track.poll().await {
            match event {
                TrackRemoteEvent::OnRtpPacket(packet) if !packet.payload.is_empty() => {
                    if let Err(TrySendError::Disconnected(_)) = tx.try_send(packet.payload) {
                        break;
                    }
                }
                TrackRemoteEvent::OnEnded => break,
                _ => {}
            }
        }
    });
}

/// A running camera → VP8 → video track path; stops when dropped.
pub(crate) struct VideoSending {
    stop: Arc<AtomicBool>,
}

impl Drop for VideoSending {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// Camera → VP8 → `track`, until the call closes or the returned guard is dropped.
pub(crate) fn send_video(
    shared: Arc<Shared>,
    mut source: Box<dyn VideoSource>,
    track: Arc<TrackLocalStaticSample>,
    sender: Arc<dyn RtpSender>,
    ssrc: u32,
) -> VideoSending {
    let stop = Arc::new(AtomicBool::new(false));
    let (tx, rx) = tokio::sync::mpsc::channel::<Bytes>(4);
    let frame = Duration::from_secs(1) / VIDEO_FPS;
    shared.runtime.spawn(write_samples(rx, track, sender, ssrc, frame, Some(shared.keyframe_requested.clone())));
    let thread_stop = stop.clone();
    spawn_thread("gkchat-video-enc", move || {
        let settings = EncoderSettings {
            width: VIDEO_WIDTH,
            height: VIDEO_HEIGHT,
            fps: VIDEO_FPS,
            bitrate_kbps: VP8_BITRATE_KBPS,
        };
        let mut encoder = match Vp8Encoder::new(&settings) {
            Ok(encoder) => encoder,
            Err(e) => return shared.emit(MediaEvent::Failed(format!("vp8 encoder: {e}"))),
        };
        while !shared.closed.load(Ordering::Relaxed) && !thread_stop.load(Ordering::Relaxed) {
            let Some(frame) = source.next_frame() else { break };
            if let Some(sink) = shared.local_video_sink() {
                sink.frame(&frame);
            }
            // Camera off: black pictures, as a browser sends for a disabled track.
            let frame = if shared.camera_on.load(Ordering::Relaxed) {
                frame
            } else {
                I420Frame::black(frame.width, frame.height, frame.timestamp)
            };
            let keyframe = shared.keyframe_requested.swap(false, Ordering::Relaxed);
            match encoder.encode(&frame, keyframe) {
                Ok(packets) => {
                    for packet in packets {
                        match tx.try_send(Bytes::from(packet.data)) {
                            Ok(()) => {}
                            // A lost frame breaks the chain of deltas: start afresh.
                            Err(tokio::sync::mpsc::error::TrySendError::Full(_)) => {
                                shared.keyframe_requested.store(true, Ordering::Relaxed)
                            }
                            Err(tokio::sync::mpsc::error::TrySendError::Closed(_)) => return,
                        }
                    }
                }
                Err(e) => tracing::warn!("vp8 encode: {e}"),
            }
        }
    });
    VideoSending { stop }
}

/// Far side's video track → VP8 decoder → remote video sink, until the track ends. Asks the far
/// side for a keyframe (PLI) until the first picture decodes and whenever one is lost.
pub(crate) fn receive_video(shared: Arc<Shared>, track: Arc<dyn TrackRemote>) {
    let need_keyframe = Arc::new(AtomicBool::new(true));
    let decoded_any = Arc::new(AtomicBool::new(false));
    let ended = Arc::new(AtomicBool::new(false));
    let (tx, rx) = std::sync::mpsc::sync_channel::<Bytes>(8);

    let (thread_shared, thread_need, thread_decoded) = (shared.clone(), need_keyframe.clone(), decoded_any.clone());
    spawn_thread("gkchat-video-dec", move || {
        let shared = thread_shared;
        let mut decoder = match Vp8Decoder::new() {
            Ok(decoder) => decoder,
            Err(e) => return shared.emit(MediaEvent::Failed(format!("vp8 decoder: {e}"))),
        };
        let started = Instant::now();
        while let Ok(frame) = rx.recv() {
            match decoder.decode(&frame, started.elapsed()) {
                Ok(Some(picture)) => {
                    if let Some(sink) = shared.remote_video_sink() {
                        sink.frame(&picture);
                    }
                    if !thread_decoded.swap(true, Ordering::Relaxed) {
                        shared.emit(MediaEvent::FirstVideo);
                    }
                }
                Ok(None) => {}
                Err(e) => {
                    tracing::debug!("vp8 decode: {e}");
                    thread_need.store(true, Ordering::Relaxed);
                }
            }
        }
    });

    // Keyframe requests, at most one per 100 ms; repeated every 300 ms until a picture decodes.
    let (pli_track, pli_shared, pli_ended) = (track.clone(), shared.clone(), ended.clone());
    let pli_need = need_keyframe.clone();
    shared.runtime.spawn(async move {
        let media_ssrc = pli_track.ssrcs().await.first().copied().unwrap_or(0);
        let mut ticks = 0u32;
        while !pli_ended.load(Ordering::Relaxed) && !pli_shared.closed.load(Ordering::Relaxed) {
            tokio::time::sleep(Duration::from_millis(100)).await;
            ticks += 1;
            let still_waiting = !decoded_any.load(Ordering::Relaxed) && ticks.is_multiple_of(3);
            if pli_need.swap(false, Ordering::Relaxed) || still_waiting {
                let pli = PictureLossIndication { sender_ssrc: 0, media_ssrc };
                if pli_track.write_rtcp(vec![Box::new(pli)]).await.is_err() {
                    break;
                }
            }
        }
    });

    shared.runtime.spawn(async move {
        let mut builder =
            SampleBuilder::new(256, Vp8Packet::default(), 90_000).with_max_time_delay(Duration::from_millis(500));
        while let Some(event) = track.poll().await {
            match event {
                TrackRemoteEvent::OnRtpPacket(packet) => {
                    builder.push(Instant::now(), packet);
                    while let Some(sample) = builder.pop(Instant::now()) {
                        if sample.prev_dropped_packets > 0 {
                            need_keyframe.store(true, Ordering::Relaxed);
                        }
                        match tx.try_send(sample.data) {
                            Ok(()) => {}
                            Err(TrySendError::Full(_)) => need_keyframe.store(true, Ordering::Relaxed),
                            Err(TrySendError::Disconnected(_)) => break,
                        }
                    }
                }
                TrackRemoteEvent::OnEnded => break,
                _ => {}
            }
        }
        ended.store(true, Ordering::Relaxed);
    });
}
