//! Voice messages: recorded from a sound source of the call stack (the microphone through
//! cpal, or the synthetic tone in tests) on a thread of its own, encoded as it comes — Opus,
//! mono, 48 kHz, 20 ms frames — into an Ogg file (RFC 7845), with its loudness kept per frame
//! for the waveform the message carries. Decoding one (to check it, or to read its length) is
//! here too.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;

use audiopus::coder::{Decoder as OpusDecoder, Encoder as OpusEncoder};
use audiopus::{Application, Bitrate, Channels, SampleRate};
use gkchat_proto::media::{WAVEFORM_MAX_POINTS, WAVEFORM_MIN_POINTS};
use ogg::writing::{PacketWriteEndInfo, PacketWriter};

use crate::calls::rtc::{AUDIO_FRAME_SAMPLES, AUDIO_SAMPLE_RATE, AudioSource};
use crate::{Error, Result};

/// Voice at 32 kbit/s: clear speech, about 240 kB a minute.
const BITRATE: i32 = 32_000;
/// The decoder drops this many samples at the start (the encoder's look-ahead, RFC 7845).
const PRE_SKIP: u16 = 312;
const SERIAL: u32 = 0x6b67_766d;
/// A voice message is at most this long (then it stops by itself).
pub const MAX_VOICE_MS: u64 = 15 * 60 * 1000;

/// A finished recording.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoiceNote {
    pub path: PathBuf,
    pub duration_ms: u64,
    /// 30–120 points of 0–255: the loudness over time.
    pub waveform: Vec<u8>,
}

/// A recording under way.
pub struct VoiceRecorder {
    stop: Arc<AtomicBool>,
    thread: JoinHandle<Result<VoiceNote>>,
}

fn io(err: impl std::fmt::Display) -> Error {
    Error::Internal(format!("recording: {err}"))
}

impl VoiceRecorder {
    /// Starts recording `source` into a new file at `path`.
    pub fn start(mut source: Box<dyn AudioSource>, path: PathBuf) -> Result<Self> {
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        let file = File::create(&path).map_err(io)?;
        let thread = std::thread::Builder::new()
            .name("gkchat-voice".into())
            .spawn(move || {
                let mut encoder =
                    OpusEncoder::new(SampleRate::Hz48000, Channels::Mono, Application::Voip).map_err(io)?;
                encoder.set_bitrate(Bitrate::BitsPerSecond(BITRATE)).map_err(io)?;
                let mut writer = PacketWriter::new(BufWriter::new(file));
                writer.write_packet(opus_head(), SERIAL, PacketWriteEndInfo::EndPage, 0).map_err(io)?;
                writer.write_packet(opus_tags(), SERIAL, PacketWriteEndInfo::EndPage, 0).map_err(io)?;
                let (mut pcm, mut packet) = ([0i16; AUDIO_FRAME_SAMPLES], [0u8; 1500]);
                let mut loudness = Vec::new();
                let max_frames = MAX_VOICE_MS / 20;
                // A frame is written once the next is known, so the last one can end the stream.
                let mut pending: Option<Vec<u8>> = None;
                while !stopped.load(Ordering::Relaxed)
                    && (loudness.len() as u64) < max_frames
                    && source.read_frame(&mut pcm)
                {
                    let len = encoder.encode(&pcm, &mut packet).map_err(io)?;
                    if let Some(previous) = pending.replace(packet[..len].to_vec()) {
                        let granule = u64::from(PRE_SKIP) + loudness.len() as u64 * AUDIO_FRAME_SAMPLES as u64;
                        writer.write_packet(previous, SERIAL, PacketWriteEndInfo::NormalPacket, granule).map_err(io)?;
                    }
                    loudness.push(crate::calls::rtc::analysis::rms(&pcm));
                }
                let frames = loudness.len() as u64;
                let last = pending.unwrap_or_default();
                let granule = u64::from(PRE_SKIP) + frames * AUDIO_FRAME_SAMPLES as u64;
                writer.write_packet(last, SERIAL, PacketWriteEndInfo::EndStream, granule).map_err(io)?;
                writer.into_inner().flush().map_err(io)?;
                Ok(VoiceNote { path, duration_ms: frames * 20, waveform: waveform(&loudness) })
            })
            .map_err(io)?;
        Ok(Self { stop, thread })
    }

    /// Stops and finishes the file.
    pub fn stop(self) -> Result<VoiceNote> {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.join().map_err(|_| Error::Internal("the recording thread panicked".into()))?
    }

    /// Waits until the source ends by itself (or the longest a voice message may be).
    pub fn wait(self) -> Result<VoiceNote> {
        self.thread.join().map_err(|_| Error::Internal("the recording thread panicked".into()))?
    }

    /// Stops and throws the recording away ("slide to cancel").
    pub fn cancel(self) {
        if let Ok(note) = self.stop() {
            let _ = std::fs::remove_file(note.path);
        }
    }
}

/// The identification header: version 1, mono, pre-skip, 48 kHz, no gain, mapping family 0.
fn opus_head() -> Vec<u8> {
    let mut head = b"OpusHead".to_vec();
    head.push(1);
    head.push(1);
    head.extend_from_slice(&PRE_SKIP.to_le_bytes());
    head.extend_from_slice(&AUDIO_SAMPLE_RATE.to_le_bytes());
    head.extend_from_slice(&0i16.to_le_bytes());
    head.push(0);
    head
}

fn opus_tags() -> Vec<u8> {
    let vendor = b"GK Chat";
    let mut tags = b"OpusTags".to_vec();
    tags.extend_from_slice(&(vendor.len() as u32).to_le_bytes());
    tags.extend_from_slice(vendor);
    tags.extend_from_slice(&0u32.to_le_bytes());
    tags
}

/// Per-frame loudness → 30–120 points (about ten a second) of 0–255, the loudest at 255.
pub fn waveform(loudness: &[f64]) -> Vec<u8> {
    let points = (loudness.len() / 5).clamp(WAVEFORM_MIN_POINTS, WAVEFORM_MAX_POINTS);
    let means: Vec<f64> = (0..points)
        .map(|i| {
            let from = i * loudness.len() / points;
            let to = ((i + 1) * loudness.len() / points).max(from + 1).min(loudness.len());
            let slice = loudness.get(from..to).unwrap_or_default();
            if slice.is_empty() { 0.0 } else { slice.iter().sum::<f64>() / slice.len() as f64 }
        })
        .collect();
    let loudest = means.iter().copied().fold(0.0, f64::max);
    means.iter().map(|mean| if loudest > 0.0 { (mean / loudest * 255.0).round() as u8 } else { 0 }).collect()
}

/// Decodes an Ogg Opus file to 48 kHz mono samples (the pre-skip dropped).
pub fn decode(path: &Path) -> Result<Vec<i16>> {
    let file = File::open(path).map_err(io)?;
    let mut reader = ogg::reading::PacketReader::new(std::io::BufReader::new(file));
    let mut decoder = OpusDecoder::new(SampleRate::Hz48000, Channels::Mono).map_err(io)?;
    let mut samples = Vec::new();
    let mut pcm = vec![0i16; 5760];
    let mut index = 0;
    while let Some(packet) = reader.read_packet().map_err(io)? {
        index += 1;
        if index <= 2 {
            // OpusHead, OpusTags
            continue;
        }
        if packet.data.is_empty() {
            continue;
        }
        let len = decoder.decode(Some(&packet.data[..]), &mut pcm[..], false).map_err(io)?;
        samples.extend_from_slice(&pcm[..len]);
    }
    Ok(samples.split_off(usize::from(PRE_SKIP).min(samples.len())))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A source that gives `frames` frames of a tone without waiting, then stops.
    struct Frames {
        tone: f64,
        left: usize,
        phase: f64,
    }

    impl AudioSource for Frames {
        fn read_frame(&mut self, frame: &mut [i16]) -> bool {
            if self.left == 0 {
                return false;
            }
            self.left -= 1;
            for sample in frame.iter_mut() {
                *sample = (self.phase.sin() * 8000.0) as i16;
                self.phase += std::f64::consts::TAU * self.tone / f64::from(AUDIO_SAMPLE_RATE);
            }
            true
        }
    }

    #[test]
    fn a_recording_of_a_tone_decodes_to_that_tone() {
        let dir = tempfile::tempdir().unwrap();
        let source = Box::new(Frames { tone: 440.0, left: 150, phase: 0.0 });
        let note = VoiceRecorder::start(source, dir.path().join("voice.ogg")).unwrap().wait().unwrap();
        assert_eq!(note.duration_ms, 3000);
        assert_eq!(note.waveform.len(), WAVEFORM_MIN_POINTS);
        let samples = decode(&note.path).unwrap();
        let seconds = samples.len() as f64 / f64::from(AUDIO_SAMPLE_RATE);
        assert!((seconds - 3.0).abs() < 0.05, "{seconds} s");
        let pitch = crate::calls::rtc::analysis::tone_frequency(&samples[24_000..72_000]).unwrap();
        assert!((pitch - 440.0).abs() < 5.0, "{pitch} Hz");
        let bytes = std::fs::read(&note.path).unwrap();
        assert_eq!(crate::media::compose::sniff(&bytes), "audio/opus", "Ogg Opus, known by its bytes");
    }

    #[test]
    fn the_waveform_has_thirty_to_a_hundred_and_twenty_points() {
        assert_eq!(waveform(&[1.0; 10]).len(), 30);
        assert_eq!(waveform(&[1.0; 3000]).len(), 120);
        let rising: Vec<f64> = (0..300).map(f64::from).collect();
        let points = waveform(&rising);
        assert_eq!(points.len(), 60);
        assert!(points.windows(2).all(|w| w[0] <= w[1]) && points[59] == 255);
    }
}
