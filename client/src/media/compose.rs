//! What the sender's client makes of a file before it is sent (the server never reads content):
//! its kind from its bytes (never from its name), and for a picture its size, its orientation
//! applied, every metadata block taken out (EXIF — with GPS —, XMP, IPTC, comments; colour
//! profiles stay), two thumbnails and an inline ThumbHash placeholder; for a video its length,
//! size and a poster frame with the same thumbnails (see `video`).

use std::io::Cursor;
use std::path::{Path, PathBuf};

use base64::Engine;
use gkchat_proto::media::{Attachment, AttachmentKind, FILE_NAME_MAX_BYTES, Thumb};
use image::imageops::FilterType;
use image::{DynamicImage, ImageDecoder, ImageReader, Limits};

use crate::{Error, Result};

/// Pictures larger than this are sent as documents (decoding them would take too much memory).
pub const MAX_PICTURE_PIXELS: u64 = 50_000_000;
/// Picture files larger than this are sent as documents, as they are — metadata included (they
/// would be read whole to be cleaned; no camera makes such a file).
pub const MAX_PICTURE_BYTES: u64 = 100 * 1024 * 1024;
/// The small thumbnail (chat tiles, notifications, the gallery grid), longest side.
pub const THUMB_SMALL_SIDE: u32 = 160;
/// The large one (the timeline, before the full picture is downloaded), longest side.
pub const THUMB_LARGE_SIDE: u32 = 640;
const THUMB_QUALITY: u8 = 75;
/// A picture that must be turned (its EXIF said so) is saved again at this quality.
const TURNED_QUALITY: u8 = 90;

/// One file ready to send: what the message says of it, and the files to upload, each under
/// the id the attachment names it by (the picture's cleaned copy first, then its thumbnails).
#[derive(Debug, Clone)]
pub struct Prepared {
    pub attachment: Attachment,
    pub uploads: Uploads,
}

/// Files to upload, each under the placeholder id an attachment names it by.
pub type Uploads = Vec<(String, PathBuf)>;

/// The type of a file from its first bytes.
pub fn sniff(head: &[u8]) -> String {
    infer::get(head).map_or_else(|| "application/octet-stream".to_owned(), |kind| kind.mime_type().to_owned())
}

/// A fresh placeholder media id (32 hex digits): the attachment names it until the server
/// hands out the real one.
pub fn local_media_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

fn io(path: &Path, err: impl std::fmt::Display) -> Error {
    Error::Internal(format!("{}: {err}", path.display()))
}

fn name_of(source: &Path, name: Option<&str>) -> String {
    let name = name.map(str::to_owned).or_else(|| source.file_name().map(|n| n.to_string_lossy().into_owned()));
    let mut name = name.unwrap_or_else(|| "file".into());
    while name.len() > FILE_NAME_MAX_BYTES {
        name.pop();
    }
    name
}

/// Prepares `source` (shown as `name`, else its file name) for sending; what must be uploaded
/// is written under `work_dir`. Only pictures are read whole (they are at most
/// [`MAX_PICTURE_BYTES`]); any other file is copied as a stream. Blocking: run it off the async
/// threads.
pub fn prepare(source: &Path, name: Option<&str>, work_dir: &Path) -> Result<Prepared> {
    use std::io::Read;
    std::fs::create_dir_all(work_dir).map_err(|e| io(work_dir, e))?;
    let mut file = std::fs::File::open(source).map_err(|e| io(source, e))?;
    let size = file.metadata().map_err(|e| io(source, e))?.len();
    let mut head = Vec::with_capacity(8192);
    (&mut file).take(8192).read_to_end(&mut head).map_err(|e| io(source, e))?;
    drop(file);
    let mime = sniff(&head);
    let name = name_of(source, name);
    let media_id = local_media_id();
    if matches!(mime.as_str(), "image/jpeg" | "image/png" | "image/webp" | "image/gif") && size <= MAX_PICTURE_BYTES {
        let bytes = std::fs::read(source).map_err(|e| io(source, e))?;
        if let Some(prepared) = picture(&bytes, &mime, &name, &media_id, work_dir)? {
            return Ok(prepared);
        }
    }
    let kind = match mime.split('/').next() {
        Some("video") => AttachmentKind::Video,
        Some("audio") => AttachmentKind::Audio,
        _ => AttachmentKind::File,
    };
    let copy = work_dir.join(&media_id);
    let size = std::fs::copy(source, &copy).map_err(|e| io(&copy, e))?;
    let mut attachment = Attachment {
        media_id: media_id.clone(),
        kind,
        mime,
        size,
        name: Some(name),
        width: None,
        height: None,
        duration_ms: None,
        thumbhash: None,
        thumbs: vec![],
        waveform: vec![],
    };
    let mut uploads = vec![(media_id, copy.clone())];
    if kind == AttachmentKind::Video
        && let Some(facts) = super::video::inspect(&copy)
    {
        attachment.duration_ms = facts.duration_ms;
        attachment.width = facts.width;
        attachment.height = facts.height;
        if let Some(poster) = facts.poster {
            attachment.thumbhash = Some(thumbhash_of(&poster));
            let (thumbs, files) = thumbnails(&poster, work_dir)?;
            attachment.thumbs = thumbs;
            uploads.extend(files);
        }
    }
    Ok(Prepared { attachment, uploads })
}

/// The two thumbnails of a picture (a photo, a video's poster), written under `work_dir` with
/// placeholder ids, smallest first.
fn thumbnails(decoded: &DynamicImage, work_dir: &Path) -> Result<(Vec<Thumb>, Uploads)> {
    let mut thumbs = Vec::new();
    let mut uploads = Vec::new();
    for side in [THUMB_SMALL_SIDE, THUMB_LARGE_SIDE] {
        let small = decoded.resize(side.min(decoded.width()), side.min(decoded.height()), FilterType::Triangle);
        let id = local_media_id();
        let path = work_dir.join(&id);
        std::fs::write(&path, jpeg(&small, THUMB_QUALITY)?).map_err(|e| io(&path, e))?;
        thumbs.push(Thumb { media_id: id.clone(), width: small.width(), height: small.height() });
        uploads.push((id, path));
    }
    Ok((thumbs, uploads))
}

/// A picture, or `None` when it cannot be read as one (it then goes as a document).
fn picture(bytes: &[u8], mime: &str, name: &str, media_id: &str, work_dir: &Path) -> Result<Option<Prepared>> {
    let Ok(reader) = ImageReader::new(Cursor::new(bytes)).with_guessed_format() else { return Ok(None) };
    let Ok((width, height)) = reader.into_dimensions() else { return Ok(None) };
    if u64::from(width) * u64::from(height) > MAX_PICTURE_PIXELS {
        return Ok(None);
    }
    let mut reader =
        ImageReader::new(Cursor::new(bytes)).with_guessed_format().map_err(|e| Error::Internal(e.to_string()))?;
    let mut limits = Limits::default();
    limits.max_alloc = Some(MAX_PICTURE_PIXELS * 4 + 64 * 1024 * 1024);
    reader.limits(limits);
    let Ok(mut decoder) = reader.into_decoder() else { return Ok(None) };
    let orientation = decoder.orientation().unwrap_or(image::metadata::Orientation::NoTransforms);
    let Ok(mut decoded) = DynamicImage::from_decoder(decoder) else { return Ok(None) };
    let turned = orientation != image::metadata::Orientation::NoTransforms;
    let (clean, mime) = if turned {
        decoded.apply_orientation(orientation);
        (jpeg(&decoded, TURNED_QUALITY)?, "image/jpeg".to_owned())
    } else {
        (strip_metadata(bytes, mime).unwrap_or_else(|| bytes.to_vec()), mime.to_owned())
    };
    let full = work_dir.join(media_id);
    std::fs::write(&full, &clean).map_err(|e| io(&full, e))?;
    let (thumbs, files) = thumbnails(&decoded, work_dir)?;
    let mut uploads = vec![(media_id.to_owned(), full)];
    uploads.extend(files);
    Ok(Some(Prepared {
        attachment: Attachment {
            media_id: media_id.to_owned(),
            kind: AttachmentKind::Image,
            mime,
            size: clean.len() as u64,
            name: Some(name.to_owned()),
            width: Some(decoded.width()),
            height: Some(decoded.height()),
            duration_ms: None,
            thumbhash: Some(thumbhash_of(&decoded)),
            thumbs,
            waveform: vec![],
        },
        uploads,
    }))
}

/// A link preview's picture from its bytes: at most [`THUMB_LARGE_SIDE`] a side, as JPEG, in
/// `work_dir` under a placeholder id; `None` when the bytes are no picture.
pub fn preview_picture(bytes: &[u8], work_dir: &Path) -> Result<Option<(Thumb, PathBuf)>> {
    let Ok(reader) = ImageReader::new(Cursor::new(bytes)).with_guessed_format() else { return Ok(None) };
    let Ok((width, height)) = reader.into_dimensions() else { return Ok(None) };
    if u64::from(width) * u64::from(height) > MAX_PICTURE_PIXELS {
        return Ok(None);
    }
    let Ok(decoded) = image::load_from_memory(bytes) else { return Ok(None) };
    let small = decoded.resize(
        THUMB_LARGE_SIDE.min(decoded.width()),
        THUMB_LARGE_SIDE.min(decoded.height()),
        FilterType::Triangle,
    );
    std::fs::create_dir_all(work_dir).map_err(|e| io(work_dir, e))?;
    let id = local_media_id();
    let path = work_dir.join(&id);
    std::fs::write(&path, jpeg(&small, THUMB_QUALITY)?).map_err(|e| io(&path, e))?;
    Ok(Some((Thumb { media_id: id, width: small.width(), height: small.height() }, path)))
}

/// JPEG has no alpha: transparent parts go white, as chat apps show them.
fn jpeg(image: &DynamicImage, quality: u8) -> Result<Vec<u8>> {
    let rgba = image.to_rgba8();
    let mut rgb = image::RgbImage::new(rgba.width(), rgba.height());
    for (to, from) in rgb.pixels_mut().zip(rgba.pixels()) {
        let [r, g, b, a] = from.0;
        let over_white = |c: u8| ((u16::from(c) * u16::from(a) + 255 * (255 - u16::from(a))) / 255) as u8;
        *to = image::Rgb([over_white(r), over_white(g), over_white(b)]);
    }
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality)
        .encode_image(&rgb)
        .map_err(|err| Error::Internal(format!("encoding a JPEG failed: {err}")))?;
    Ok(out)
}

/// The ThumbHash of a picture (base64): from a copy at most 100 pixels a side.
pub fn thumbhash_of(image: &DynamicImage) -> String {
    let small = image.thumbnail(100, 100).to_rgba8();
    let hash = thumbhash::rgba_to_thumb_hash(small.width() as usize, small.height() as usize, small.as_raw());
    base64::engine::general_purpose::STANDARD.encode(hash)
}

/// `bytes` without their metadata blocks, untouched otherwise; `None` when they cannot be
/// taken apart (then the picture is sent as it came only if it has none — see `prepare`).
pub fn strip_metadata(bytes: &[u8], mime: &str) -> Option<Vec<u8>> {
    let input = img_parts::Bytes::copy_from_slice(bytes);
    match mime {
        "image/jpeg" => {
            use img_parts::jpeg::markers;
            let mut jpeg = img_parts::jpeg::Jpeg::from_bytes(input).ok()?;
            jpeg.segments_mut().retain(|segment| {
                let marker = segment.marker();
                let icc = marker == markers::APP2 && segment.contents().starts_with(b"ICC_PROFILE\0");
                // JFIF (APP0) and Adobe (APP14, how colours are stored) stay; every other
                // application block and comment goes.
                let metadata = (markers::APP1..=markers::APP15).contains(&marker) && marker != markers::APP14 && !icc;
                !(metadata || marker == markers::COM)
            });
            Some(jpeg.encoder().bytes().to_vec())
        }
        "image/png" => {
            let mut png = img_parts::png::Png::from_bytes(input).ok()?;
            for kind in [*b"eXIf", *b"tEXt", *b"zTXt", *b"iTXt", *b"tIME"] {
                png.remove_chunks_by_type(kind);
            }
            Some(png.encoder().bytes().to_vec())
        }
        "image/webp" => {
            let mut webp = img_parts::webp::WebP::from_bytes(input).ok()?;
            for id in [*b"EXIF", *b"XMP "] {
                webp.remove_chunks_by_id(id);
            }
            Some(webp.encoder().bytes().to_vec())
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A JPEG carrying an EXIF block with a GPS position (and a comment).
    fn jpeg_with_gps() -> Vec<u8> {
        let picture = DynamicImage::ImageRgb8(image::RgbImage::from_fn(64, 48, |x, y| {
            image::Rgb([x as u8 * 4, y as u8 * 5, 90])
        }));
        let plain = jpeg(&picture, 90).unwrap();
        let mut exif = b"Exif\0\0".to_vec();
        exif.extend_from_slice(b"MM\0*\0\0\0\x08GPSLatitude 52.5200 N GPSLongitude 13.4050 E");
        let mut with = img_parts::jpeg::Jpeg::from_bytes(plain.into()).unwrap();
        let app1 = img_parts::jpeg::JpegSegment::new_with_contents(img_parts::jpeg::markers::APP1, exif.into());
        with.segments_mut().insert(0, app1);
        let comment = img_parts::jpeg::JpegSegment::new_with_contents(
            img_parts::jpeg::markers::COM,
            b"taken at home".to_vec().into(),
        );
        with.segments_mut().insert(1, comment);
        with.encoder().bytes().to_vec()
    }

    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        haystack.windows(needle.len()).any(|w| w == needle)
    }

    #[test]
    fn a_photo_loses_its_metadata_and_gains_thumbnails() {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("holiday.jpg");
        let bytes = jpeg_with_gps();
        assert!(contains(&bytes, b"GPSLatitude"));
        std::fs::write(&source, &bytes).unwrap();
        let prepared = prepare(&source, None, &dir.path().join("out")).unwrap();
        let a = &prepared.attachment;
        assert_eq!(
            (a.kind, a.mime.as_str(), a.width, a.height),
            (AttachmentKind::Image, "image/jpeg", Some(64), Some(48))
        );
        assert_eq!(a.name.as_deref(), Some("holiday.jpg"));
        let sent = std::fs::read(&prepared.uploads[0].1).unwrap();
        assert!(
            !contains(&sent, b"GPSLatitude") && !contains(&sent, b"Exif\0\0") && !contains(&sent, b"taken at home")
        );
        assert_eq!(a.size, sent.len() as u64);
        assert!(image::load_from_memory(&sent).is_ok(), "still a picture");
        assert_eq!(prepared.uploads.len(), 3, "the picture and two thumbnails");
        assert_eq!(a.thumbs.iter().map(|t| t.width).collect::<Vec<_>>(), vec![64, 64], "never enlarged");
        let hash = base64::engine::general_purpose::STANDARD.decode(a.thumbhash.as_ref().unwrap()).unwrap();
        let ratio = thumbhash::thumb_hash_to_approximate_aspect_ratio(&hash).unwrap();
        assert!((ratio - 64.0 / 48.0).abs() < 0.2, "{ratio}");
    }

    #[test]
    fn the_kind_comes_from_the_bytes_not_the_name() {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("holiday.jpg");
        std::fs::write(&source, b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n").unwrap();
        let prepared = prepare(&source, None, &dir.path().join("out")).unwrap();
        assert_eq!(prepared.attachment.kind, AttachmentKind::File);
        assert_eq!(prepared.attachment.mime, "application/pdf");
        assert_eq!(prepared.uploads.len(), 1);
    }
}
