//! Profile photos: an uploaded image becomes a square JPEG (at most [`PHOTO_SIDE`] pixels) and
//! a [`PHOTO_THUMB_SIDE`] thumbnail. A crafted image cannot make the server allocate without
//! bound: its size is read from the header and refused above [`MAX_SOURCE_PIXELS`] before any
//! pixel is decoded, decoding has an allocation limit, and only [`concurrent_decodes`] run at
//! once, off the async threads. A photo's blobs are deleted once no account or group shows it.

use std::io::Cursor;

use axum::http::StatusCode;
use gkchat_proto::ErrorCode;
use gkchat_proto::account::{PHOTO_MIN_SIDE, PHOTO_SIDE, PHOTO_THUMB_SIDE, PhotoCrop};
use image::imageops::FilterType;
use image::{DynamicImage, ImageFormat, ImageReader, Limits};

use crate::error::{Error, Result};

/// Largest decoded width or height accepted.
const MAX_SOURCE_SIDE: u32 = 12_000;
/// Most pixels a source image may have (a 36-megapixel camera's photos pass): about 110 MB
/// decoded.
pub const MAX_SOURCE_PIXELS: u64 = 36_000_000;
/// Most bytes one decode may allocate.
const MAX_DECODE_ALLOC: u64 = 256 * 1024 * 1024;

/// How many photos may be decoded at once: one per core, at most two.
pub fn concurrent_decodes() -> usize {
    std::thread::available_parallelism().map_or(1, |cores| cores.get().min(2))
}
const JPEG_QUALITY: u8 = 85;

/// The stored renditions of one photo.
#[derive(Debug)]
pub struct Renditions {
    pub full: Vec<u8>,
    pub thumb: Vec<u8>,
}

fn invalid(message: impl Into<String>) -> Error {
    Error::api(StatusCode::BAD_REQUEST, ErrorCode::InvalidImage, message)
}

/// Decodes `bytes`, crops the square `crop` (or the largest centred one) and makes both
/// renditions.
/// `permit` is held until the decode ends, also when the request that asked for it is gone.
pub async fn process(
    bytes: Vec<u8>,
    crop: Option<PhotoCrop>,
    permit: Option<tokio::sync::OwnedSemaphorePermit>,
) -> Result<Renditions> {
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        render(&bytes, crop)
    })
    .await
    .map_err(|err| Error::Internal(format!("photo task failed: {err}")))?
}

/// [`process`] on the calling thread (which it blocks); the fuzzer calls it directly.
pub fn render(bytes: &[u8], crop: Option<PhotoCrop>) -> Result<Renditions> {
    let format = image::guess_format(bytes).map_err(|_| invalid("this file is not an image"))?;
    if !matches!(format, ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::WebP | ImageFormat::Gif) {
        return Err(invalid(format!("{format:?} images are not supported; use PNG, JPEG, WebP or GIF")));
    }
    let (width, height) = ImageReader::with_format(Cursor::new(bytes), format)
        .into_dimensions()
        .map_err(|err| invalid(format!("the image cannot be read: {err}")))?;
    if u64::from(width) * u64::from(height) > MAX_SOURCE_PIXELS {
        return Err(invalid(format!(
            "a {width}×{height} image is too large; at most {} megapixels",
            MAX_SOURCE_PIXELS / 1_000_000
        )));
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SOURCE_SIDE);
    limits.max_image_height = Some(MAX_SOURCE_SIDE);
    limits.max_alloc = Some(MAX_DECODE_ALLOC);
    reader.limits(limits);
    let image = reader.decode().map_err(|err| invalid(format!("the image cannot be read: {err}")))?;

    let (width, height) = (image.width(), image.height());
    let PhotoCrop { x, y, size } = crop.unwrap_or_else(|| {
        let size = width.min(height);
        PhotoCrop { x: (width - size) / 2, y: (height - size) / 2, size }
    });
    if size < PHOTO_MIN_SIDE {
        return Err(invalid(format!("the photo must be at least {PHOTO_MIN_SIDE}×{PHOTO_MIN_SIDE} pixels")));
    }
    if x.checked_add(size).is_none_or(|right| right > width) || y.checked_add(size).is_none_or(|bottom| bottom > height)
    {
        return Err(invalid(format!("the crop square lies outside the {width}×{height} image")));
    }
    let square = image.crop_imm(x, y, size, size);
    let full = square.resize_exact(size.min(PHOTO_SIDE), size.min(PHOTO_SIDE), FilterType::Lanczos3);
    let thumb = full.resize_exact(PHOTO_THUMB_SIDE, PHOTO_THUMB_SIDE, FilterType::Lanczos3);
    Ok(Renditions { full: jpeg(&full)?, thumb: jpeg(&thumb)? })
}

fn jpeg(image: &DynamicImage) -> Result<Vec<u8>> {
    // JPEG has no alpha: flatten onto white, as chat apps show transparent photos.
    let rgba = image.to_rgba8();
    let mut rgb = image::RgbImage::new(rgba.width(), rgba.height());
    for (to, from) in rgb.pixels_mut().zip(rgba.pixels()) {
        let [r, g, b, a] = from.0;
        let over_white = |c: u8| ((u16::from(c) * u16::from(a) + 255 * (255 - u16::from(a))) / 255) as u8;
        *to = image::Rgb([over_white(r), over_white(g), over_white(b)]);
    }
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY)
        .encode_image(&rgb)
        .map_err(|err| Error::Internal(format!("encoding a JPEG failed: {err}")))?;
    Ok(out)
}

/// The blob id of a photo's thumbnail.
pub fn thumb_id(photo_id: &str) -> String {
    format!("{photo_id}.thumb")
}

/// Lets a photo's blobs go (after the grace period) once no account or group shows it.
pub async fn forget_if_unused(state: &crate::AppState, photo_id: Option<String>) -> Result<()> {
    if let Some(photo_id) = photo_id {
        let names = [thumb_id(&photo_id), photo_id];
        crate::db::blobs::orphan_if_unused(&state.db, &names, crate::now_ms()).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32, colour: impl Fn(u32, u32) -> [u8; 4]) -> Vec<u8> {
        let image = image::RgbaImage::from_fn(width, height, |x, y| image::Rgba(colour(x, y)));
        let mut out = Vec::new();
        DynamicImage::ImageRgba8(image).write_to(&mut Cursor::new(&mut out), ImageFormat::Png).unwrap();
        out
    }

    fn decode(bytes: &[u8]) -> image::RgbImage {
        image::load_from_memory_with_format(bytes, ImageFormat::Jpeg).unwrap().to_rgb8()
    }

    #[tokio::test]
    async fn crops_the_asked_square_and_makes_a_thumbnail() {
        // Left half red, right half blue; crop the right half.
        let source = png(400, 200, |x, _| if x < 200 { [255, 0, 0, 255] } else { [0, 0, 255, 255] });
        let photo = process(source, Some(PhotoCrop { x: 200, y: 0, size: 200 }), None).await.unwrap();
        let full = decode(&photo.full);
        let thumb = decode(&photo.thumb);
        assert_eq!(full.dimensions(), (200, 200));
        assert_eq!(thumb.dimensions(), (PHOTO_THUMB_SIDE, PHOTO_THUMB_SIDE));
        let centre = full.get_pixel(100, 100).0;
        assert!(centre[2] > 200 && centre[0] < 50, "expected blue, got {centre:?}");
    }

    #[tokio::test]
    async fn centres_without_a_crop_and_scales_big_photos_down() {
        let source = png(2000, 1000, |x, _| if (500..1500).contains(&x) { [0, 255, 0, 255] } else { [0, 0, 0, 255] });
        let photo = process(source, None, None).await.unwrap();
        let full = decode(&photo.full);
        assert_eq!(full.dimensions(), (PHOTO_SIDE, PHOTO_SIDE));
        let corner = full.get_pixel(5, 5).0;
        assert!(corner[1] > 200, "the centred square is all green, got {corner:?}");
    }

    #[tokio::test]
    async fn transparent_pixels_become_white() {
        let photo = process(png(100, 100, |_, _| [0, 0, 0, 0]), None, None).await.unwrap();
        assert!(decode(&photo.thumb).get_pixel(10, 10).0.iter().all(|&c| c > 240));
    }

    #[tokio::test]
    async fn refuses_too_many_pixels_before_decoding_them() {
        // 7,000 × 7,000 of one colour: a small file that would decode to 147 MB.
        let bomb = {
            use image::ImageEncoder;
            use image::codecs::png::{CompressionType, FilterType as PngFilter, PngEncoder};
            let mut out = Vec::new();
            PngEncoder::new_with_quality(&mut out, CompressionType::Best, PngFilter::NoFilter)
                .write_image(&vec![0u8; 7_000 * 7_000], 7_000, 7_000, image::ExtendedColorType::L8)
                .unwrap();
            out
        };
        assert!(bomb.len() < 200 * 1024, "{} bytes", bomb.len());
        let err = process(bomb, None, None).await.unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidImage);
        assert!(err.public_message().contains("megapixels"), "{}", err.public_message());
    }

    #[tokio::test]
    async fn refuses_what_is_not_a_usable_image() {
        for (bytes, crop) in [
            (b"plain text, not an image".to_vec(), None),
            (png(40, 40, |_, _| [1, 2, 3, 255]), None),
            (png(100, 100, |_, _| [1, 2, 3, 255]), Some(PhotoCrop { x: 50, y: 0, size: 80 })),
            (png(100, 100, |_, _| [1, 2, 3, 255])[..60].to_vec(), None),
        ] {
            let err = process(bytes, crop, None).await.unwrap_err();
            assert_eq!(err.code(), ErrorCode::InvalidImage, "{err}");
        }
    }
}
