//! The system's cameras (nokhwa: V4L2 on Linux, AVFoundation on macOS, Media Foundation on
//! Windows) as a [`VideoSource`]: pictures captured on a thread of their own, converted to I420 at
//! [`VIDEO_WIDTH`] x [`VIDEO_HEIGHT`], newest only.

use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::time::{Duration, Instant};

use nokhwa::Camera;
use nokhwa::pixel_format::RgbFormat;
use nokhwa::utils::{
    ApiBackend, CameraFormat, CameraIndex, FrameFormat, RequestedFormat, RequestedFormatType, Resolution,
};

use super::{I420Frame, MediaDevice, MediaError, VIDEO_FPS, VIDEO_HEIGHT, VIDEO_WIDTH, VideoSource};

/// The cameras the system has (empty where it has none, or no camera API answers).
pub fn cameras() -> Vec<MediaDevice> {
    match nokhwa::query(ApiBackend::Auto) {
        Ok(found) => found
            .into_iter()
            .map(|info| MediaDevice { id: info.index().as_string(), name: info.human_name() })
            .collect(),
        Err(err) => {
            tracing::debug!(%err, "no cameras listed");
            Vec::new()
        }
    }
}

/// A camera's pictures, captured on their own thread.
pub struct CameraSource {
    frames: Receiver<I420Frame>,
}

impl CameraSource {
    /// Opens the camera with `id` (as [`cameras`] lists it), or the first one. Fails with
    /// [`MediaError::Camera`] when there is none or it cannot be opened.
    pub fn open(id: Option<String>) -> Result<Self, MediaError> {
        let (opened_tx, opened) = sync_channel::<Result<(), String>>(1);
        let (frames_tx, frames) = sync_channel(1);
        std::thread::Builder::new()
            .name("gkchat-camera".into())
            .spawn(move || capture(id, &opened_tx, &frames_tx))
            .map_err(|e| MediaError::Camera(e.to_string()))?;
        match opened.recv_timeout(Duration::from_secs(10)) {
            Ok(Ok(())) => Ok(Self { frames }),
            Ok(Err(why)) => Err(MediaError::Camera(why)),
            Err(_) => Err(MediaError::Camera("the camera did not open in time".into())),
        }
    }
}

impl VideoSource for CameraSource {
    fn next_frame(&mut self) -> Option<I420Frame> {
        self.frames.recv().ok()
    }
}

/// Runs on the camera thread until the source is dropped (the receiver goes away).
fn capture(id: Option<String>, opened: &SyncSender<Result<(), String>>, frames: &SyncSender<I420Frame>) {
    let index = match id {
        Some(id) => id.parse::<u32>().map_or(CameraIndex::String(id), CameraIndex::Index),
        None => CameraIndex::Index(0),
    };
    let wanted = CameraFormat::new(Resolution::new(VIDEO_WIDTH, VIDEO_HEIGHT), FrameFormat::MJPEG, VIDEO_FPS);
    let format = RequestedFormat::new::<RgbFormat>(RequestedFormatType::Closest(wanted));
    let mut camera = match Camera::new(index, format).and_then(|mut camera| camera.open_stream().map(|()| camera)) {
        Ok(camera) => camera,
        Err(err) => {
            let _ = opened.send(Err(format!("cannot open the camera: {err}")));
            return;
        }
    };
    let _ = opened.send(Ok(()));
    let started = Instant::now();
    loop {
        let picture = match camera.frame().map_err(|e| e.to_string()).and_then(|buffer| to_rgb(&buffer)) {
            Ok(picture) => picture,
            Err(err) => {
                tracing::warn!(%err, "the camera stopped");
                break;
            }
        };
        let picture = if picture.dimensions() == (VIDEO_WIDTH, VIDEO_HEIGHT) {
            picture
        } else {
            image::imageops::resize(&picture, VIDEO_WIDTH, VIDEO_HEIGHT, image::imageops::FilterType::Triangle)
        };
        let frame = rgb_to_i420(picture.as_raw(), VIDEO_WIDTH, VIDEO_HEIGHT, started.elapsed());
        match frames.try_send(frame) {
            // The encoder has not taken the last one yet: this one is dropped (newest wins next).
            Ok(()) | Err(TrySendError::Full(_)) => {}
            Err(TrySendError::Disconnected(_)) => break,
        }
    }
    let _ = camera.stop_stream();
}

/// A captured picture as RGB: MJPEG through the `image` crate's JPEG decoder, the raw formats
/// (YUYV, NV12, …) through nokhwa's own conversions.
fn to_rgb(buffer: &nokhwa::Buffer) -> Result<image::RgbImage, String> {
    if buffer.source_frame_format() == FrameFormat::MJPEG {
        let decoded = image::load_from_memory_with_format(buffer.buffer(), image::ImageFormat::Jpeg)
            .map_err(|e| format!("a camera picture did not decode: {e}"))?;
        return Ok(decoded.to_rgb8());
    }
    let picture = buffer.decode_image::<RgbFormat>().map_err(|e| e.to_string())?;
    let (width, height) = picture.dimensions();
    image::RgbImage::from_raw(width, height, picture.into_raw()).ok_or_else(|| "a short camera picture".to_owned())
}

/// Packed RGB (3 bytes a pixel) to I420, BT.601 limited range (what VP8 expects).
pub fn rgb_to_i420(rgb: &[u8], width: u32, height: u32, timestamp: Duration) -> I420Frame {
    let (w, h) = (width as usize, height as usize);
    let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
    let mut data = vec![0u8; w * h + 2 * cw * ch];
    let (luma, chroma) = data.split_at_mut(w * h);
    let (u_plane, v_plane) = chroma.split_at_mut(cw * ch);
    let pixel = |x: usize, y: usize| {
        let i = 3 * (y * w + x);
        (f32::from(rgb[i]), f32::from(rgb[i + 1]), f32::from(rgb[i + 2]))
    };
    for y in 0..h {
        for x in 0..w {
            let (r, g, b) = pixel(x, y);
            luma[y * w + x] = (16.0 + 0.257 * r + 0.504 * g + 0.098 * b).round().clamp(0.0, 255.0) as u8;
        }
    }
    for cy in 0..ch {
        for cx in 0..cw {
            // The average of the (up to) four pixels this chroma sample covers.
            let (mut r, mut g, mut b, mut n) = (0.0, 0.0, 0.0, 0.0);
            for (dx, dy) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
                let (x, y) = (2 * cx + dx, 2 * cy + dy);
                if x < w && y < h {
                    let p = pixel(x, y);
                    (r, g, b, n) = (r + p.0, g + p.1, b + p.2, n + 1.0);
                }
            }
            let (r, g, b) = (r / n, g / n, b / n);
            u_plane[cy * cw + cx] = (128.0 - 0.148 * r - 0.291 * g + 0.439 * b).round().clamp(0.0, 255.0) as u8;
            v_plane[cy * cw + cx] = (128.0 + 0.439 * r - 0.368 * g - 0.071 * b).round().clamp(0.0, 255.0) as u8;
        }
    }
    I420Frame { width, height, timestamp, data }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_convert_to_their_bt601_values() {
        // White, red, green, blue, each a 2x2 block of a 8x2 picture.
        let colours = [[255u8, 255, 255], [255, 0, 0], [0, 255, 0], [0, 0, 255]];
        let mut rgb = Vec::new();
        for _row in 0..2 {
            for colour in colours {
                rgb.extend_from_slice(&colour);
                rgb.extend_from_slice(&colour);
            }
        }
        let frame = rgb_to_i420(&rgb, 8, 2, Duration::ZERO);
        let expected = [(235, 128, 128), (82, 90, 240), (145, 54, 34), (41, 240, 110)];
        for (block, want) in expected.into_iter().enumerate() {
            let got = frame.yuv_at(block as u32 * 2, 0);
            let close = |a: u8, b: u8| a.abs_diff(b) <= 1;
            assert!(
                close(got.0, want.0) && close(got.1, want.1) && close(got.2, want.2),
                "block {block}: {got:?} vs {want:?}"
            );
        }
    }

    #[test]
    fn a_missing_camera_is_a_clear_error() {
        // No camera here (and a name no system gives one): opening says so instead of hanging.
        match CameraSource::open(Some("no-such-camera-gkchat".into())) {
            Err(MediaError::Camera(why)) => assert!(why.contains("camera"), "{why}"),
            Ok(_) => panic!("a camera called no-such-camera-gkchat opened"),
            Err(other) => panic!("unexpected error {other}"),
        }
    }
}
