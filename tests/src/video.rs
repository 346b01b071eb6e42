//! Test videos made here (no fixture files, nothing downloaded): pictures of one colour encoded
//! as H.264 with OpenH264 and written into an MP4 file with the `mp4` crate — what a phone's
//! camera gives, small.

use std::path::Path;

/// Writes an MP4 file of `frames` pictures of `width`×`height` (even sides), `fps` a second,
/// each filled with `rgb`.
pub fn write_mp4(path: &Path, width: u16, height: u16, frames: u32, fps: u32, rgb: [u8; 3]) {
    use openh264::encoder::Encoder;
    use openh264::formats::{RgbSliceU8, YUVBuffer};

    let (w, h) = (usize::from(width), usize::from(height));
    let picture: Vec<u8> = std::iter::repeat_n(rgb, w * h).flatten().collect();
    let yuv = YUVBuffer::from_rgb_source(RgbSliceU8::new(&picture, (w, h)));
    let mut encoder = Encoder::new().expect("an H.264 encoder");
    let mut samples = Vec::new();
    let (mut sps, mut pps) = (Vec::new(), Vec::new());
    for _ in 0..frames {
        let stream = encoder.encode(&yuv).expect("a picture encodes").to_vec();
        let mut sample = Vec::new();
        let mut key = false;
        for nal in openh264::nal_units(&stream) {
            let body = nal.strip_prefix(&[0, 0, 0, 1]).or_else(|| nal.strip_prefix(&[0, 0, 1])).expect("a start code");
            match body[0] & 0x1f {
                7 => sps = body.to_vec(),
                8 => pps = body.to_vec(),
                kind => {
                    key |= kind == 5;
                    sample.extend_from_slice(&u32::try_from(body.len()).unwrap().to_be_bytes());
                    sample.extend_from_slice(body);
                }
            }
        }
        samples.push((sample, key));
    }
    let file = std::fs::File::create(path).expect("the video file");
    let config = mp4::Mp4Config {
        major_brand: "isom".parse().unwrap(),
        minor_version: 512,
        compatible_brands: ["isom", "iso2", "avc1", "mp41"].iter().map(|b| b.parse().unwrap()).collect(),
        timescale: 1000,
    };
    let mut writer = mp4::Mp4Writer::write_start(std::io::BufWriter::new(file), &config).unwrap();
    let track = mp4::TrackConfig {
        track_type: mp4::TrackType::Video,
        timescale: fps * 1000,
        language: "und".into(),
        media_conf: mp4::MediaConfig::AvcConfig(mp4::AvcConfig {
            width,
            height,
            seq_param_set: sps,
            pic_param_set: pps,
        }),
    };
    writer.add_track(&track).unwrap();
    for (n, (bytes, key)) in samples.into_iter().enumerate() {
        let sample = mp4::Mp4Sample {
            start_time: u64::try_from(n).unwrap() * 1000,
            duration: 1000,
            rendering_offset: 0,
            is_sync: key,
            bytes: bytes.into(),
        };
        writer.write_sample(1, &sample).unwrap();
    }
    writer.write_end().unwrap();
}
