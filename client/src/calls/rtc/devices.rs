//! Where call sound and pictures come from and go to: the device traits, the synthetic devices
//! tests use (like a browser's fake-device flag), and the system's microphone and speaker (cpal).

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};
use cpal::{FromSample, SampleFormat, SizedSample};

use super::MediaError;

/// Call audio runs at 48 kHz, mono.
pub const AUDIO_SAMPLE_RATE: u32 = 48_000;
/// Samples in one 20 ms audio frame.
pub const AUDIO_FRAME_SAMPLES: usize = 960;
/// The size video is captured and sent at.
pub const VIDEO_WIDTH: u32 = 640;
/// See [`VIDEO_WIDTH`].
pub const VIDEO_HEIGHT: u32 = 480;
/// Frames per second captured and sent.
pub const VIDEO_FPS: u32 = 20;

/// Produces the microphone's sound.
pub trait AudioSource: Send {
    /// Waits for the next 20 ms of sound and writes it to `frame` ([`AUDIO_FRAME_SAMPLES`]
    /// samples, 48 kHz mono). Returns `false` once the source has stopped for good.
    fn read_frame(&mut self, frame: &mut [i16]) -> bool;
}

/// Plays the far side's sound.
pub trait AudioSink: Send {
    /// Takes one decoded 20 ms frame (48 kHz mono). Called from the decoder thread at the pace
    /// the frames arrive; must not block for long.
    fn write_frame(&mut self, frame: &[i16]);
}

/// Produces the camera's pictures.
pub trait VideoSource: Send {
    /// Waits for the next frame ([`VIDEO_WIDTH`] x [`VIDEO_HEIGHT`]); `None` once the source has
    /// stopped for good.
    fn next_frame(&mut self) -> Option<I420Frame>;
}

/// Shows pictures: the far side's decoded video, or the self-view.
pub trait VideoSink: Send + Sync {
    /// Takes the newest frame. Called from a codec thread; keep it quick (store the frame, wake
    /// the UI) — frames are never queued for a slow sink.
    fn frame(&self, frame: &I420Frame);
}

/// One picture in I420 (YUV 4:2:0): the Y plane, then U, then V, without padding.
#[derive(Clone, PartialEq, Eq)]
pub struct I420Frame {
    /// Pixels per row.
    pub width: u32,
    /// Rows.
    pub height: u32,
    /// When the picture was taken, from the start of its source (or as the sender stamped it).
    pub timestamp: Duration,
    /// `width * height` luma bytes, then two planes of `ceil(width/2) * ceil(height/2)` bytes.
    pub data: Vec<u8>,
}

impl std::fmt::Debug for I420Frame {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("I420Frame")
            .field("width", &self.width)
            .field("height", &self.height)
            .field("timestamp", &self.timestamp)
            .finish_non_exhaustive()
    }
}

impl I420Frame {
    /// A black picture.
    pub fn black(width: u32, height: u32, timestamp: Duration) -> Self {
        let luma = (width * height) as usize;
        let chroma = (width.div_ceil(2) * height.div_ceil(2)) as usize;
        let mut data = vec![16u8; luma + 2 * chroma];
        data[luma..].fill(128);
        Self { width, height, timestamp, data }
    }

    /// How many bytes `data` holds for this size.
    pub fn expected_len(&self) -> usize {
        (self.width * self.height + 2 * self.width.div_ceil(2) * self.height.div_ceil(2)) as usize
    }

    /// The (Y, U, V) values at a pixel.
    pub fn yuv_at(&self, x: u32, y: u32) -> (u8, u8, u8) {
        let (w, h) = (self.width as usize, self.height as usize);
        let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
        let (x, y) = (x as usize, y as usize);
        let c = (y / 2) * cw + x / 2;
        (self.data[y * w + x], self.data[w * h + c], self.data[w * h + cw * ch + c])
    }
}

// ---------------------------------------------------------------------------------------------
// Synthetic devices

/// Test devices: a tone for the microphone, colour bars for the camera, and sinks the caller can
/// inspect.
#[derive(Clone)]
pub struct SyntheticDevices {
    /// The microphone's sine tone, in Hz.
    pub tone_hz: f32,
    /// Receives the far side's decoded sound.
    pub speaker: CapturedAudio,
    /// Receives the far side's decoded video, until [`super::CallMedia::set_remote_video_sink`]
    /// replaces it.
    pub remote_video: LatestFrame,
}

impl SyntheticDevices {
    /// A tone of `tone_hz` and fresh sinks.
    pub fn new(tone_hz: f32) -> Self {
        Self { tone_hz, speaker: CapturedAudio::default(), remote_video: LatestFrame::default() }
    }
}

/// A sine tone at a quarter of full scale, paced in real time.
pub struct ToneSource {
    step: f64,
    phase: f64,
    started: Instant,
    frames: u32,
}

impl ToneSource {
    /// A tone of `frequency_hz`, starting now.
    pub fn new(frequency_hz: f32) -> Self {
        let step = std::f64::consts::TAU * f64::from(frequency_hz) / f64::from(AUDIO_SAMPLE_RATE);
        Self { step, phase: 0.0, started: Instant::now(), frames: 0 }
    }
}

impl AudioSource for ToneSource {
    fn read_frame(&mut self, frame: &mut [i16]) -> bool {
        sleep_until(self.started + Duration::from_millis(20) * self.frames);
        self.frames += 1;
        for sample in frame.iter_mut() {
            *sample = (self.phase.sin() * 8192.0) as i16;
            self.phase = (self.phase + self.step) % std::f64::consts::TAU;
        }
        true
    }
}

/// The test pattern's eight vertical bars, left to right, as (Y, U, V) in BT.601 limited range:
/// white, yellow, cyan, green, magenta, red, blue, black. Each is `width / 8` wide and fills the
/// top three quarters of the picture; below them a white square moves over grey.
pub const TEST_PATTERN_BARS: [(u8, u8, u8); 8] = [
    (235, 128, 128),
    (210, 16, 146),
    (170, 166, 16),
    (145, 54, 34),
    (106, 202, 222),
    (81, 90, 240),
    (41, 240, 110),
    (16, 128, 128),
];

/// Colour bars at [`VIDEO_WIDTH`] x [`VIDEO_HEIGHT`], [`VIDEO_FPS`], paced in real time.
pub struct TestPatternSource {
    started: Instant,
    frames: u32,
    base: I420Frame,
}

impl Default for TestPatternSource {
    fn default() -> Self {
        Self::new()
    }
}

impl TestPatternSource {
    /// Colour bars, starting now.
    pub fn new() -> Self {
        let (w, h) = (VIDEO_WIDTH, VIDEO_HEIGHT);
        let mut base = I420Frame::black(w, h, Duration::ZERO);
        let (luma, cw) = ((w * h) as usize, w.div_ceil(2) as usize);
        let chroma = cw * h.div_ceil(2) as usize;
        let bars_end = h * 3 / 4;
        for y in 0..h {
            for x in 0..w {
                let (yy, u, v) = if y < bars_end { TEST_PATTERN_BARS[(x * 8 / w) as usize] } else { (128, 128, 128) };
                base.data[(y * w + x) as usize] = yy;
                if x % 2 == 0 && y % 2 == 0 {
                    let c = (y / 2) as usize * cw + (x / 2) as usize;
                    base.data[luma + c] = u;
                    base.data[luma + chroma + c] = v;
                }
            }
        }
        Self { started: Instant::now(), frames: 0, base }
    }
}

impl VideoSource for TestPatternSource {
    fn next_frame(&mut self) -> Option<I420Frame> {
        let timestamp = Duration::from_secs(1) * self.frames / VIDEO_FPS;
        sleep_until(self.started + timestamp);
        self.frames += 1;
        let mut frame = self.base.clone();
        frame.timestamp = timestamp;
        // The moving square, so consecutive frames differ as a camera's do.
        let (w, h) = (VIDEO_WIDTH, VIDEO_HEIGHT);
        let size = 48;
        let left = (self.frames * 8) % (w - size);
        let top = h * 3 / 4 + (h / 4 - size) / 2;
        for y in top..top + size {
            let row = (y * w) as usize;
            frame.data[row + left as usize..row + (left + size) as usize].fill(235);
        }
        Some(frame)
    }
}

fn sleep_until(deadline: Instant) {
    let now = Instant::now();
    if deadline > now {
        std::thread::sleep(deadline - now);
    }
}

/// An [`AudioSink`] that keeps the last 10 s of what it was given, for inspection.
#[derive(Clone, Default)]
pub struct CapturedAudio {
    inner: Arc<Mutex<Captured>>,
}

#[derive(Default)]
struct Captured {
    samples: VecDeque<i16>,
    total: u64,
}

impl CapturedAudio {
    const KEEP: usize = 10 * AUDIO_SAMPLE_RATE as usize;

    /// How many samples arrived since the start.
    pub fn total_samples(&self) -> u64 {
        self.inner.lock().map(|c| c.total).unwrap_or(0)
    }

    /// The last `count` samples (fewer if fewer are kept).
    pub fn recent(&self, count: usize) -> Vec<i16> {
        let Ok(captured) = self.inner.lock() else { return Vec::new() };
        let skip = captured.samples.len().saturating_sub(count);
        captured.samples.iter().skip(skip).copied().collect()
    }
}

impl AudioSink for CapturedAudio {
    fn write_frame(&mut self, frame: &[i16]) {
        if let Ok(mut captured) = self.inner.lock() {
            captured.samples.extend(frame);
            captured.total += frame.len() as u64;
            let excess = captured.samples.len().saturating_sub(Self::KEEP);
            captured.samples.drain(..excess);
        }
    }
}

/// A [`VideoSink`] that keeps only the newest frame and counts them.
#[derive(Clone, Default)]
pub struct LatestFrame {
    inner: Arc<(Mutex<Option<I420Frame>>, AtomicU64)>,
}

impl LatestFrame {
    /// The newest frame, if any arrived.
    pub fn latest(&self) -> Option<I420Frame> {
        self.inner.0.lock().ok().and_then(|frame| frame.clone())
    }

    /// How many frames arrived.
    pub fn count(&self) -> u64 {
        self.inner.1.load(Ordering::Relaxed)
    }
}

impl VideoSink for LatestFrame {
    fn frame(&self, frame: &I420Frame) {
        if let Ok(mut latest) = self.inner.0.lock() {
            *latest = Some(frame.clone());
        }
        self.inner.1.fetch_add(1, Ordering::Relaxed);
    }
}

// ---------------------------------------------------------------------------------------------
// System devices

/// A sound device: `id` to choose it in [`super::MediaDevices::System`], `name` to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaDevice {
    /// Stable across runs, e.g. `alsa:pulse`.
    pub id: String,
    /// What the system calls it.
    pub name: String,
}

impl MediaDevice {
    fn of(device: &cpal::Device) -> Self {
        let name = device.to_string();
        Self { id: device.id().map(|id| id.to_string()).unwrap_or_else(|_| name.clone()), name }
    }
}

/// The system's sound devices and cameras.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeviceList {
    /// Microphones and other inputs.
    pub inputs: Vec<MediaDevice>,
    /// Speakers and other outputs.
    pub outputs: Vec<MediaDevice>,
    /// The input used when none is chosen.
    pub default_input: Option<MediaDevice>,
    /// The output used when none is chosen.
    pub default_output: Option<MediaDevice>,
    /// The cameras (their ids are what [`super::MediaDevices::System`] takes).
    pub cameras: Vec<MediaDevice>,
}

/// Lists the audio inputs and outputs (cpal's default host) and cameras. Empty lists, never a
/// panic, when there are none.
pub fn list_devices() -> DeviceList {
    std::panic::catch_unwind(|| {
        let host = cpal::default_host();
        DeviceList {
            inputs: host.input_devices().map(|ds| ds.map(|d| MediaDevice::of(&d)).collect()).unwrap_or_default(),
            outputs: host.output_devices().map(|ds| ds.map(|d| MediaDevice::of(&d)).collect()).unwrap_or_default(),
            default_input: host.default_input_device().map(|d| MediaDevice::of(&d)),
            default_output: host.default_output_device().map(|d| MediaDevice::of(&d)),
            cameras: super::camera::cameras(),
        }
    })
    .unwrap_or_default()
}

/// The default device, or the one whose id (or, failing that, name) is `key`.
fn find_device(input: bool, key: Option<&str>) -> Result<cpal::Device, MediaError> {
    let host = cpal::default_host();
    let what = if input { "input" } else { "output" };
    let Some(key) = key else {
        return if input { host.default_input_device() } else { host.default_output_device() }
            .ok_or_else(|| MediaError::AudioDevice(format!("no default audio {what}")));
    };
    let devices: Vec<cpal::Device> =
        if input { host.input_devices().map(Iterator::collect) } else { host.output_devices().map(Iterator::collect) }
            .map_err(|e| MediaError::AudioDevice(e.to_string()))?;
    let by_id = devices.iter().position(|d| d.id().is_ok_and(|id| id.to_string() == key));
    let index = by_id.or_else(|| devices.iter().position(|d| d.to_string() == key));
    index.map(|i| devices[i].clone()).ok_or_else(|| MediaError::AudioDevice(format!("no audio {what} {key:?}")))
}

/// Picks 48 kHz when the device offers it, else its default rate; i16 or f32 samples.
fn pick_config(device: &cpal::Device, input: bool) -> Result<cpal::SupportedStreamConfig, MediaError> {
    let err = |e: cpal::Error| MediaError::AudioDevice(e.to_string());
    let ranges: Vec<_> = if input {
        device.supported_input_configs().map_err(err)?.collect()
    } else {
        device.supported_output_configs().map_err(err)?.collect()
    };
    let usable = |format: SampleFormat| matches!(format, SampleFormat::I16 | SampleFormat::F32);
    if let Some(range) = ranges.iter().find(|r| {
        usable(r.sample_format())
            && r.min_sample_rate() <= AUDIO_SAMPLE_RATE
            && AUDIO_SAMPLE_RATE <= r.max_sample_rate()
    }) {
        return Ok(range.with_sample_rate(AUDIO_SAMPLE_RATE));
    }
    let default = if input { device.default_input_config() } else { device.default_output_config() }.map_err(err)?;
    if !usable(default.sample_format()) {
        return Err(MediaError::AudioDevice(format!("unsupported sample format {}", default.sample_format())));
    }
    Ok(default)
}

/// The stream settings, with 20 ms device buffers where the device allows: the default can be
/// far longer (hundreds of ms with PulseAudio), which arrives in bursts.
fn stream_config(supported: &cpal::SupportedStreamConfig) -> cpal::StreamConfig {
    let mut config = supported.config();
    let frames = supported.sample_rate() / 50;
    if let cpal::SupportedBufferSize::Range { min, max } = supported.buffer_size()
        && (*min..=*max).contains(&frames)
    {
        config.buffer_size = cpal::BufferSize::Fixed(frames);
    }
    config
}

/// Linear resampling between the device's rate and 48 kHz.
struct Resampler {
    step: f64,
    position: f64,
    pending: Vec<i16>,
}

impl Resampler {
    fn new(from: u32, to: u32) -> Self {
        Self { step: f64::from(from) / f64::from(to), position: 0.0, pending: Vec::new() }
    }

    fn process(&mut self, input: &[i16], out: &mut VecDeque<i16>) {
        if self.step == 1.0 {
            out.extend(input);
            return;
        }
        self.pending.extend_from_slice(input);
        while self.position + 1.0 < self.pending.len() as f64 {
            let index = self.position as usize;
            let fraction = self.position - index as f64;
            let (a, b) = (f64::from(self.pending[index]), f64::from(self.pending[index + 1]));
            out.push_back((a + (b - a) * fraction) as i16);
            self.position += self.step;
        }
        let consumed = (self.position as usize).min(self.pending.len());
        self.pending.drain(..consumed);
        self.position -= consumed as f64;
    }
}

/// Runs a cpal stream on its own thread (streams are not `Send` on every platform) until the
/// returned flag is raised.
async fn run_stream<F>(name: &'static str, build: F) -> Result<Arc<AtomicBool>, MediaError>
where
    F: FnOnce() -> Result<cpal::Stream, MediaError> + Send + 'static,
{
    let stop = Arc::new(AtomicBool::new(false));
    let (ready_tx, ready_rx) = tokio::sync::oneshot::channel();
    let thread_stop = stop.clone();
    std::thread::Builder::new()
        .name(name.into())
        .spawn(move || {
            let stream =
                match build().and_then(|s| s.play().map(|()| s).map_err(|e| MediaError::AudioDevice(e.to_string()))) {
                    Ok(stream) => {
                        let _ = ready_tx.send(Ok(()));
                        stream
                    }
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                        return;
                    }
                };
            while !thread_stop.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(50));
            }
            drop(stream);
        })
        .map_err(|e| MediaError::AudioDevice(e.to_string()))?;
    ready_rx.await.map_err(|_| MediaError::AudioDevice("audio thread ended".into()))??;
    Ok(stop)
}

/// The microphone, through cpal.
pub(crate) struct CpalInput {
    chunks: Receiver<Vec<i16>>,
    buffered: VecDeque<i16>,
    resampler: Resampler,
    stop: Arc<AtomicBool>,
}

impl CpalInput {
    /// At most 100 ms of captured sound waits to be sent.
    const MAX_BUFFERED: usize = AUDIO_SAMPLE_RATE as usize / 10;

    pub async fn open(name: Option<String>) -> Result<Self, MediaError> {
        let (tx, chunks) = std::sync::mpsc::sync_channel::<Vec<i16>>(64);
        let (rate_tx, rate_rx) = std::sync::mpsc::channel();
        let stop = run_stream("gkchat-mic", move || {
            let device = find_device(true, name.as_deref())?;
            let config = pick_config(&device, true)?;
            let _ = rate_tx.send(config.sample_rate());
            let channels = usize::from(config.channels()).max(1);
            match config.sample_format() {
                SampleFormat::F32 => build_input::<f32>(&device, stream_config(&config), channels, tx),
                _ => build_input::<i16>(&device, stream_config(&config), channels, tx),
            }
        })
        .await?;
        let rate = rate_rx.recv().unwrap_or(AUDIO_SAMPLE_RATE);
        Ok(Self { chunks, buffered: VecDeque::new(), resampler: Resampler::new(rate, AUDIO_SAMPLE_RATE), stop })
    }
}

fn build_input<T>(
    device: &cpal::Device,
    config: cpal::StreamConfig,
    channels: usize,
    tx: SyncSender<Vec<i16>>,
) -> Result<cpal::Stream, MediaError>
where
    T: SizedSample,
    i16: FromSample<T>,
{
    device
        .build_input_stream::<T, _, _>(
            config,
            move |data: &[T], _| {
                let mono = data
                    .chunks(channels)
                    .map(|frame| {
                        let sum: i32 = frame.iter().map(|s| i32::from(i16::from_sample_(*s))).sum();
                        (sum / frame.len() as i32) as i16
                    })
                    .collect();
                // A stalled consumer loses sound rather than growing the delay.
                if let Err(TrySendError::Disconnected(_)) = tx.try_send(mono) {}
            },
            |e| tracing::warn!("microphone: {e}"),
            None,
        )
        .map_err(|e| MediaError::AudioDevice(e.to_string()))
}

impl AudioSource for CpalInput {
    fn read_frame(&mut self, frame: &mut [i16]) -> bool {
        while self.buffered.len() < frame.len() {
            match self.chunks.recv_timeout(Duration::from_millis(500)) {
                Ok(chunk) => self.resampler.process(&chunk, &mut self.buffered),
                // The device went quiet: send silence rather than stall the call.
                Err(RecvTimeoutError::Timeout) => {
                    self.buffered.extend(std::iter::repeat_n(0, frame.len()));
                }
                Err(RecvTimeoutError::Disconnected) => return false,
            }
        }
        // Silence stood in for a stall; once sound flows again, do not keep the delay.
        let excess = self.buffered.len().saturating_sub(Self::MAX_BUFFERED);
        self.buffered.drain(..excess);
        let len = frame.len();
        for (out, sample) in frame.iter_mut().zip(self.buffered.drain(..len)) {
            *out = sample;
        }
        true
    }
}

impl Drop for CpalInput {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// Sound waiting for the speaker. Playback starts (and restarts after running dry) only once
/// 60 ms are buffered, so uneven arrival does not chop the sound.
#[derive(Default)]
struct Playout {
    samples: VecDeque<i16>,
    playing: bool,
}

/// The speaker, through cpal, behind a small jitter buffer.
pub(crate) struct CpalOutput {
    buffer: Arc<Mutex<Playout>>,
    resampler: Resampler,
    max_buffered: usize,
    stop: Arc<AtomicBool>,
}

impl CpalOutput {
    pub async fn open(name: Option<String>) -> Result<Self, MediaError> {
        let buffer = Arc::new(Mutex::new(Playout::default()));
        let (rate_tx, rate_rx) = std::sync::mpsc::channel();
        let stream_buffer = buffer.clone();
        let stop = run_stream("gkchat-speaker", move || {
            let device = find_device(false, name.as_deref())?;
            let config = pick_config(&device, false)?;
            let _ = rate_tx.send(config.sample_rate());
            let channels = usize::from(config.channels()).max(1);
            let prebuffer = config.sample_rate() as usize * 6 / 100;
            match config.sample_format() {
                SampleFormat::F32 => {
                    build_output::<f32>(&device, stream_config(&config), channels, prebuffer, stream_buffer)
                }
                _ => build_output::<i16>(&device, stream_config(&config), channels, prebuffer, stream_buffer),
            }
        })
        .await?;
        let rate = rate_rx.recv().unwrap_or(AUDIO_SAMPLE_RATE);
        Ok(Self {
            buffer,
            resampler: Resampler::new(AUDIO_SAMPLE_RATE, rate),
            // 300 ms: beyond that, drop the oldest sound instead of drifting behind.
            max_buffered: rate as usize * 3 / 10,
            stop,
        })
    }
}

fn build_output<T>(
    device: &cpal::Device,
    config: cpal::StreamConfig,
    channels: usize,
    prebuffer: usize,
    buffer: Arc<Mutex<Playout>>,
) -> Result<cpal::Stream, MediaError>
where
    T: SizedSample + FromSample<i16>,
{
    device
        .build_output_stream::<T, _, _>(
            config,
            move |data: &mut [T], _| {
                let Ok(mut playout) = buffer.lock() else { return };
                if !playout.playing && playout.samples.len() >= prebuffer {
                    playout.playing = true;
                }
                for frame in data.chunks_mut(channels) {
                    let sample = if playout.playing { playout.samples.pop_front() } else { None };
                    if sample.is_none() {
                        playout.playing = false;
                    }
                    frame.fill(T::from_sample_(sample.unwrap_or(0)));
                }
            },
            |e| tracing::warn!("speaker: {e}"),
            None,
        )
        .map_err(|e| MediaError::AudioDevice(e.to_string()))
}

impl AudioSink for CpalOutput {
    fn write_frame(&mut self, frame: &[i16]) {
        let Ok(mut playout) = self.buffer.lock() else { return };
        self.resampler.process(frame, &mut playout.samples);
        let excess = playout.samples.len().saturating_sub(self.max_buffered);
        playout.samples.drain(..excess);
    }
}

impl Drop for CpalOutput {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}
