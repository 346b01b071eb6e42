//! Profile photos as the server decodes them: any bytes (a PNG, JPEG, WebP or GIF, or garbage)
//! with any crop either become two JPEG renditions or are refused with `invalid_image` — never a
//! panic, and never an allocation beyond the decoder's limits (libFuzzer's -rss_limit_mb).
#![no_main]

use gkchat_proto::ErrorCode;
use gkchat_proto::account::PhotoCrop;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The first 12 bytes, when present, are a crop square.
    let (crop, image) = match data.split_first_chunk::<12>() {
        Some((crop, rest)) if crop[0] & 1 == 1 => {
            let number = |i: usize| u32::from_le_bytes([crop[i], crop[i + 1], crop[i + 2], 0]) % 4096;
            (Some(PhotoCrop { x: number(1), y: number(4), size: number(7) }), rest)
        }
        _ => (None, data),
    };
    match gkchat_server::photo::render(image, crop) {
        Ok(renditions) => assert!(!renditions.full.is_empty() && !renditions.thumb.is_empty()),
        Err(err) => assert_eq!(err.code(), ErrorCode::InvalidImage, "{err}"),
    }
});
