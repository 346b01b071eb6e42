//! What the sender's client reads from a video before sending it: its length, its size as shown
//! (the track's turn applied) and a poster frame (its first picture). MP4 and QuickTime files are
//! read with the `mp4` crate without loading the file (the sample tables only, then the first
//! samples); H.264 pictures are decoded with OpenH264, built from the source the `openh264` crate
//! bundles (a C++ compiler is all it needs here, on Windows and on macOS; `nasm`, where present,
//! only makes it faster). Other containers and codecs go without these facts: the receiver then
//! sees a plain video tile.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use image::{DynamicImage, RgbImage};
use mp4::{MediaType, TrackType};

/// How many samples from the start are tried for the poster before giving up (a stream whose
/// first pictures cannot be decoded alone gives none).
const POSTER_SAMPLES: u32 = 30;

/// What was read from a video file.
#[derive(Debug, Clone, Default)]
pub struct VideoFacts {
    pub duration_ms: Option<u64>,
    /// As shown: a track turned a quarter has its sides swapped.
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// The first picture, turned as shown.
    pub poster: Option<DynamicImage>,
}

/// How a track is turned when shown, from its matrix (whole quarter turns only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Turn {
    None,
    Quarter,
    Half,
    ThreeQuarters,
}

fn turn_of(a: i32, b: i32, c: i32, d: i32) -> Turn {
    // 16.16 fixed point: (a, b, c, d) = (cos, sin, -sin, cos) of the turn.
    const ONE: i32 = 0x0001_0000;
    match (a, b, c, d) {
        (0, ONE, m, 0) if m == -ONE => Turn::Quarter,
        (m, 0, 0, n) if m == -ONE && n == -ONE => Turn::Half,
        (0, m, ONE, 0) if m == -ONE => Turn::ThreeQuarters,
        _ => Turn::None,
    }
}

/// The largest sample read for the poster (a file could claim gigabytes).
const SAMPLE_MAX_BYTES: u32 = 16 * 1024 * 1024;

/// The facts of the video at `path`; `None` when it is no MP4/QuickTime file with a video track,
/// or one the reader cannot take apart (the `mp4` crate panics on some broken tables — a zero
/// timescale, a time table shorter than the size table —, and such a file still goes, as a
/// plain video). Blocking: run it off the async threads.
pub fn inspect(path: &Path) -> Option<VideoFacts> {
    std::panic::catch_unwind(|| read_facts(path)).ok().flatten()
}

fn read_facts(path: &Path) -> Option<VideoFacts> {
    let file = File::open(path).ok()?;
    let size = file.metadata().ok()?.len();
    let mut mp4 = mp4::Mp4Reader::read_header(BufReader::new(file), size).ok()?;
    let track = mp4.tracks().values().find(|track| matches!(track.track_type(), Ok(TrackType::Video)))?;
    let id = track.track_id();
    let matrix = &track.trak.tkhd.matrix;
    let turn = turn_of(matrix.a, matrix.b, matrix.c, matrix.d);
    let track_ms = u64::try_from(track.duration().as_millis()).unwrap_or(u64::MAX);
    let movie_ms = u64::try_from(mp4.duration().as_millis()).unwrap_or(u64::MAX);
    let duration_ms = Some(if track_ms > 0 { track_ms } else { movie_ms }).filter(|ms| *ms > 0);
    let (mut width, mut height) = (u32::from(track.width()), u32::from(track.height()));
    let headers = match track.media_type() {
        Ok(MediaType::H264) => track
            .sequence_parameter_set()
            .ok()
            .zip(track.picture_parameter_set().ok())
            .map(|(sps, pps)| (sps.to_vec(), pps.to_vec())),
        _ => None,
    };
    let poster = headers.and_then(|(sps, pps)| first_picture(&mut mp4, id, &sps, &pps)).map(|picture| {
        let picture = DynamicImage::ImageRgb8(picture);
        match turn {
            Turn::None => picture,
            Turn::Quarter => picture.rotate90(),
            Turn::Half => picture.rotate180(),
            Turn::ThreeQuarters => picture.rotate270(),
        }
    });
    if matches!(turn, Turn::Quarter | Turn::ThreeQuarters) {
        std::mem::swap(&mut width, &mut height);
    }
    if let Some(poster) = &poster
        && (width == 0 || height == 0)
    {
        (width, height) = (poster.width(), poster.height());
    }
    let side = |n: u32| Some(n).filter(|n| *n > 0);
    Some(VideoFacts { duration_ms, width: side(width), height: side(height), poster })
}

/// The first picture the decoder gives from the track's first samples.
fn first_picture<R: std::io::Read + std::io::Seek>(
    mp4: &mut mp4::Mp4Reader<R>,
    track: u32,
    sps: &[u8],
    pps: &[u8],
) -> Option<RgbImage> {
    let mut decoder = openh264::decoder::Decoder::new().ok()?;
    let mut stream = Vec::new();
    for header in [sps, pps] {
        stream.extend_from_slice(&[0, 0, 0, 1]);
        stream.extend_from_slice(header);
    }
    let samples = mp4.sample_count(track).ok()?.min(POSTER_SAMPLES);
    let sizes = &mp4.tracks().get(&track)?.trak.mdia.minf.stbl.stsz;
    let fixed = sizes.sample_size;
    let each: Vec<u32> = sizes.sample_sizes.iter().take(POSTER_SAMPLES as usize).copied().collect();
    for sample_id in 1..=samples {
        let size = if fixed > 0 { fixed } else { *each.get(usize::try_from(sample_id - 1).ok()?)? };
        if size > SAMPLE_MAX_BYTES {
            break;
        }
        let Ok(Some(sample)) = mp4.read_sample(track, sample_id) else { break };
        annex_b(&sample.bytes, &mut stream)?;
        if let Ok(Some(picture)) = decoder.decode(&stream) {
            use openh264::formats::YUVSource;
            let (width, height) = picture.dimensions();
            let mut rgb = vec![0; width * height * 3];
            picture.write_rgb8(&mut rgb);
            return RgbImage::from_raw(u32::try_from(width).ok()?, u32::try_from(height).ok()?, rgb);
        }
        stream.clear();
    }
    None
}

/// Appends the NAL units of an MP4 sample (each after its 4-byte length) to `out` as an H.264
/// byte stream (each after a start code); `None` when the lengths do not fit the sample.
fn annex_b(mut sample: &[u8], out: &mut Vec<u8>) -> Option<()> {
    while !sample.is_empty() {
        let (length, rest) = sample.split_first_chunk::<4>()?;
        let length = usize::try_from(u32::from_be_bytes(*length)).ok()?;
        let nal = rest.get(..length)?;
        out.extend_from_slice(&[0, 0, 0, 1]);
        out.extend_from_slice(nal);
        sample = &rest[length..];
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_become_start_codes() {
        let mut out = Vec::new();
        annex_b(&[0, 0, 0, 2, 0x65, 1, 0, 0, 0, 1, 0x41], &mut out).unwrap();
        assert_eq!(out, [0, 0, 0, 1, 0x65, 1, 0, 0, 0, 1, 0x41]);
        assert!(annex_b(&[0, 0, 0, 9, 0x65], &mut Vec::new()).is_none(), "a length past the end is refused");
    }

    #[test]
    fn turns_read_from_the_matrix() {
        const ONE: i32 = 0x0001_0000;
        assert_eq!(turn_of(ONE, 0, 0, ONE), Turn::None);
        assert_eq!(turn_of(0, ONE, -ONE, 0), Turn::Quarter);
        assert_eq!(turn_of(-ONE, 0, 0, -ONE), Turn::Half);
        assert_eq!(turn_of(0, -ONE, ONE, 0), Turn::ThreeQuarters);
    }

    #[test]
    fn not_a_video_has_no_facts() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.mp4");
        std::fs::write(&path, b"%PDF-1.4 not a movie").unwrap();
        assert!(inspect(&path).is_none());
    }
}
