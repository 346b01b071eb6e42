//! VP8 encoder and decoder: a thin safe wrapper over the system libvpx (`env-libvpx-sys`).
//!
//! Our own wrapper because the far side's keyframe requests (PLI) must force a keyframe, which
//! `vpx-encode` cannot do. The codec contexts hold raw pointers, so they are not `Send`: each
//! lives on the one thread that created it.
// The FFI needs unsafe; every block says why it holds.
#![allow(unsafe_code)]

use std::mem::MaybeUninit;
use std::os::raw::{c_int, c_long, c_uint, c_ulong};
use std::ptr;
use std::time::Duration;

use vpx_sys as vpx;

use super::I420Frame;

/// One compressed VP8 frame.
pub(crate) struct EncodedFrame {
    pub data: Vec<u8>,
    /// An intra frame (only the tests look).
    #[cfg_attr(not(test), allow(dead_code))]
    pub keyframe: bool,
}

/// Settings for [`Vp8Encoder::new`].
pub(crate) struct EncoderSettings {
    pub width: u32,
    pub height: u32,
    pub fps: u32,
    pub bitrate_kbps: u32,
}

/// A realtime VP8 encoder for I420 frames of one fixed size.
pub(crate) struct Vp8Encoder {
    // Boxed so libvpx's context never moves after initialisation.
    ctx: Box<MaybeUninit<vpx::vpx_codec_ctx_t>>,
    width: u32,
    height: u32,
    frame_duration_ms: u64,
    pts: i64,
}

fn check(err: vpx::vpx_codec_err_t, what: &str) -> Result<(), String> {
    if err == vpx::vpx_codec_err_t::VPX_CODEC_OK { Ok(()) } else { Err(format!("libvpx {what}: {err:?}")) }
}

impl Vp8Encoder {
    pub fn new(settings: &EncoderSettings) -> Result<Self, String> {
        let mut cfg = MaybeUninit::<vpx::vpx_codec_enc_cfg_t>::uninit();
        // SAFETY: `vpx_codec_vp8_cx` returns a pointer to libvpx's static interface;
        // `vpx_codec_enc_config_default` fills every field of `cfg` when it returns OK.
        check(unsafe { vpx::vpx_codec_enc_config_default(vpx::vpx_codec_vp8_cx(), cfg.as_mut_ptr(), 0) }, "config")?;
        // SAFETY: initialised by the successful call above (zeroed() would be invalid: the
        // struct holds enums without a zero variant).
        let mut cfg = unsafe { cfg.assume_init() };
        cfg.g_w = settings.width;
        cfg.g_h = settings.height;
        cfg.g_timebase = vpx::vpx_rational { num: 1, den: 1000 };
        cfg.g_threads = 1; // libvpx's worker threads spin-wait: costly on a busy machine
        cfg.g_lag_in_frames = 0;
        cfg.g_error_resilient = 1; // VPX_ERROR_RESILIENT_DEFAULT: recover from lost packets
        cfg.rc_end_usage = vpx::vpx_rc_mode::VPX_CBR;
        cfg.rc_target_bitrate = settings.bitrate_kbps;
        cfg.rc_dropframe_thresh = 0;
        cfg.rc_min_quantizer = 2;
        cfg.rc_max_quantizer = 52;
        cfg.kf_mode = vpx::vpx_kf_mode::VPX_KF_AUTO;
        cfg.kf_max_dist = settings.fps * 10;

        let mut ctx = Box::new(MaybeUninit::<vpx::vpx_codec_ctx_t>::zeroed());
        // SAFETY: `ctx` is writable memory for one context that stays put (boxed); `cfg` is a
        // valid configuration; the ABI version is the one the bindings were generated for.
        check(
            unsafe {
                vpx::vpx_codec_enc_init_ver(
                    ctx.as_mut_ptr(),
                    vpx::vpx_codec_vp8_cx(),
                    &cfg,
                    0,
                    vpx::VPX_ENCODER_ABI_VERSION as c_int,
                )
            },
            "encoder init",
        )?;
        let mut encoder = Self {
            ctx,
            width: settings.width,
            height: settings.height,
            frame_duration_ms: u64::from(1000 / settings.fps.max(1)),
            pts: 0,
        };
        // SAFETY: the context is initialised; VP8E_SET_CPUUSED takes one int.
        let speed = unsafe {
            vpx::vpx_codec_control_(
                encoder.ctx.as_mut_ptr(),
                vpx::vp8e_enc_control_id::VP8E_SET_CPUUSED as c_int,
                8 as c_int,
            )
        };
        // A slower preset is not fatal.
        let _ = check(speed, "cpu-used");
        encoder.pts = 0;
        Ok(encoder)
    }

    /// Encodes one frame; `keyframe` forces an intra frame (the far side asked for one).
    pub fn encode(&mut self, frame: &I420Frame, keyframe: bool) -> Result<Vec<EncodedFrame>, String> {
        if frame.width != self.width || frame.height != self.height || frame.data.len() < frame.expected_len() {
            return Err(format!(
                "frame is {}x{}, encoder wants {}x{}",
                frame.width, frame.height, self.width, self.height
            ));
        }
        let mut image = MaybeUninit::<vpx::vpx_image_t>::zeroed();
        // SAFETY: `frame.data` holds a contiguous I420 picture of width x height (checked above);
        // libvpx only reads through the wrapped pointers (the encode call takes a const image),
        // and the image does not outlive `frame`.
        let wrapped = unsafe {
            vpx::vpx_img_wrap(
                image.as_mut_ptr(),
                vpx::vpx_img_fmt::VPX_IMG_FMT_I420,
                self.width as c_uint,
                self.height as c_uint,
                1,
                frame.data.as_ptr() as *mut u8,
            )
        };
        if wrapped.is_null() {
            return Err("libvpx could not wrap the frame".into());
        }
        let flags: c_long = if keyframe { vpx::VPX_EFLAG_FORCE_KF as c_long } else { 0 };
        // SAFETY: the context is initialised and `wrapped` points at the image set up above.
        check(
            unsafe {
                vpx::vpx_codec_encode(
                    self.ctx.as_mut_ptr(),
                    wrapped,
                    self.pts,
                    self.frame_duration_ms as c_ulong,
                    flags,
                    vpx::VPX_DL_REALTIME as c_ulong,
                )
            },
            "encode",
        )?;
        self.pts += self.frame_duration_ms as i64;

        let mut out = Vec::new();
        let mut iter: vpx::vpx_codec_iter_t = ptr::null();
        loop {
            // SAFETY: the context is initialised; `iter` is the iterator libvpx hands back.
            let packet = unsafe { vpx::vpx_codec_get_cx_data(self.ctx.as_mut_ptr(), &mut iter) };
            if packet.is_null() {
                break;
            }
            // SAFETY: non-null packets from libvpx are valid until the next encode call.
            let packet = unsafe { &*packet };
            if packet.kind != vpx::vpx_codec_cx_pkt_kind::VPX_CODEC_CX_FRAME_PKT {
                continue;
            }
            // SAFETY: `kind` says the union holds a frame; buf/sz describe libvpx-owned bytes.
            let (data, flags) = unsafe {
                let frame = packet.data.frame;
                (std::slice::from_raw_parts(frame.buf as *const u8, frame.sz as usize).to_vec(), frame.flags)
            };
            out.push(EncodedFrame { data, keyframe: flags & vpx::VPX_FRAME_IS_KEY != 0 });
        }
        Ok(out)
    }
}

impl Drop for Vp8Encoder {
    fn drop(&mut self) {
        // SAFETY: the context was initialised in `new` and is destroyed exactly once.
        unsafe {
            vpx::vpx_codec_destroy(self.ctx.as_mut_ptr());
        }
    }
}

/// A VP8 decoder producing I420 frames.
pub(crate) struct Vp8Decoder {
    ctx: Box<MaybeUninit<vpx::vpx_codec_ctx_t>>,
}

impl Vp8Decoder {
    pub fn new() -> Result<Self, String> {
        let mut ctx = Box::new(MaybeUninit::<vpx::vpx_codec_ctx_t>::zeroed());
        let cfg = vpx::vpx_codec_dec_cfg_t { threads: 1, w: 0, h: 0 };
        // SAFETY: `ctx` is writable, boxed memory for one context; `cfg` is valid for the call.
        check(
            unsafe {
                vpx::vpx_codec_dec_init_ver(
                    ctx.as_mut_ptr(),
                    vpx::vpx_codec_vp8_dx(),
                    &cfg,
                    0,
                    vpx::VPX_DECODER_ABI_VERSION as c_int,
                )
            },
            "decoder init",
        )?;
        Ok(Self { ctx })
    }

    /// Decodes one compressed frame; `Ok(None)` when libvpx produced no picture.
    pub fn decode(&mut self, data: &[u8], timestamp: Duration) -> Result<Option<I420Frame>, String> {
        // SAFETY: the context is initialised; `data` is valid for `len` bytes during the call.
        check(
            unsafe {
                vpx::vpx_codec_decode(self.ctx.as_mut_ptr(), data.as_ptr(), data.len() as c_uint, ptr::null_mut(), 0)
            },
            "decode",
        )?;
        let mut decoded = None;
        let mut iter: vpx::vpx_codec_iter_t = ptr::null();
        loop {
            // SAFETY: the context is initialised; `iter` is libvpx's own iterator.
            let image = unsafe { vpx::vpx_codec_get_frame(self.ctx.as_mut_ptr(), &mut iter) };
            if image.is_null() {
                break;
            }
            // SAFETY: a non-null image stays valid until the next decode call.
            let image = unsafe { &*image };
            if image.fmt != vpx::vpx_img_fmt::VPX_IMG_FMT_I420 {
                return Err(format!("libvpx decoded {:?}, not I420", image.fmt));
            }
            let (width, height) = (image.d_w, image.d_h);
            let mut frame = I420Frame::black(width, height, timestamp);
            let chroma = (width.div_ceil(2), height.div_ceil(2));
            let mut offset = 0;
            for (plane, (w, h)) in [(0, (width, height)), (1, chroma), (2, chroma)] {
                let (w, h) = (w as usize, h as usize);
                let stride = image.stride[plane] as usize;
                for row in 0..h {
                    // SAFETY: libvpx's plane holds `h` rows of `stride` >= `w` bytes.
                    let src = unsafe { std::slice::from_raw_parts(image.planes[plane].add(row * stride), w) };
                    frame.data[offset + row * w..offset + (row + 1) * w].copy_from_slice(src);
                }
                offset += w * h;
            }
            decoded = Some(frame);
        }
        Ok(decoded)
    }
}

impl Drop for Vp8Decoder {
    fn drop(&mut self) {
        // SAFETY: the context was initialised in `new` and is destroyed exactly once.
        unsafe {
            vpx::vpx_codec_destroy(self.ctx.as_mut_ptr());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calls::rtc::{TEST_PATTERN_BARS, TestPatternSource, VIDEO_FPS, VIDEO_HEIGHT, VIDEO_WIDTH, VideoSource};

    #[test]
    fn frames_survive_a_round_trip_and_keyframes_come_on_request() {
        let settings = EncoderSettings { width: VIDEO_WIDTH, height: VIDEO_HEIGHT, fps: VIDEO_FPS, bitrate_kbps: 1000 };
        let mut encoder = Vp8Encoder::new(&settings).unwrap();
        let mut decoder = Vp8Decoder::new().unwrap();
        let mut source = TestPatternSource::new();
        let frames: Vec<_> = (0..40).map(|_| source.next_frame().unwrap()).collect();
        let started = std::time::Instant::now();
        let mut encoded = Vec::new();
        for (i, frame) in frames.iter().enumerate() {
            encoded.push(encoder.encode(frame, i == 30).unwrap());
        }
        println!("vp8: {:?} per frame", started.elapsed() / frames.len() as u32);
        let keyframes: Vec<usize> = encoded
            .iter()
            .enumerate()
            .filter(|(_, packets)| packets.iter().any(|p| p.keyframe))
            .map(|(i, _)| i)
            .collect();
        assert_eq!(keyframes, vec![0, 30], "the first frame and the requested one are keyframes");

        let mut last = None;
        for packet in encoded.iter().flatten() {
            last = decoder.decode(&packet.data, Duration::ZERO).unwrap().or(last);
        }
        let picture = last.expect("a decoded picture");
        for (bar, &(y, u, v)) in TEST_PATTERN_BARS.iter().enumerate() {
            let got = picture.yuv_at(bar as u32 * VIDEO_WIDTH / 8 + VIDEO_WIDTH / 16, VIDEO_HEIGHT / 4);
            assert!(
                got.0.abs_diff(y) <= 12 && got.1.abs_diff(u) <= 12 && got.2.abs_diff(v) <= 12,
                "bar {bar}: {got:?}"
            );
        }
    }

    #[test]
    fn a_delta_frame_without_its_keyframe_is_refused() {
        let settings = EncoderSettings { width: 64, height: 48, fps: VIDEO_FPS, bitrate_kbps: 200 };
        let mut encoder = Vp8Encoder::new(&settings).unwrap();
        let frame = I420Frame::black(64, 48, Duration::ZERO);
        let _keyframe = encoder.encode(&frame, false).unwrap();
        let delta = encoder.encode(&frame, false).unwrap();
        let mut decoder = Vp8Decoder::new().unwrap();
        assert!(decoder.decode(&delta[0].data, Duration::ZERO).is_err());
    }
}
