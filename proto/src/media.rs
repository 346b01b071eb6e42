//! Media: what a message says about its attachments, and what the server says about an upload.
//!
//! The bytes travel apart from the message: a client uploads them over tus 1.0
//! (`/api/v1/uploads`, resumable), which reserves a **media id** at once, so the message can be
//! sent and ordered before the upload finishes; receivers show a placeholder until the server
//! says the media is `ready` (a `media` push, or `GET /api/v1/media/{id}/info`). Everything that
//! must read content — thumbnails, posters, ThumbHash placeholders, waveforms, link previews —
//! is made by the sender's client and travels in the message; the server stores opaque blobs
//! (content-addressed, deduplicated) and checks sizes, kinds and who may read them.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::ErrorCode;

/// Default largest upload, in bytes (a server may configure another: `Tus-Max-Size`).
pub const UPLOAD_MAX_BYTES_DEFAULT: u64 = 2 * 1024 * 1024 * 1024;
/// Most attachments one message carries.
pub const ATTACHMENTS_MAX: usize = 30;
/// Longest caption, in bytes (UTF-8).
pub const CAPTION_MAX_BYTES: usize = 4 * 1024;
/// Longest file name, in bytes.
pub const FILE_NAME_MAX_BYTES: usize = 255;
/// Longest MIME type, in bytes.
pub const MIME_MAX_BYTES: usize = 127;
/// Longest ThumbHash (base64), in bytes.
pub const THUMBHASH_MAX_BYTES: usize = 64;
/// A voice message's waveform has between this many …
pub const WAVEFORM_MIN_POINTS: usize = 30;
/// … and this many points (each 0–255).
pub const WAVEFORM_MAX_POINTS: usize = 120;
/// Longest link-preview text field (title, description, site name), in bytes.
pub const PREVIEW_TEXT_MAX_BYTES: usize = 1024;
/// Longest URL in a link preview, in bytes.
pub const URL_MAX_BYTES: usize = 2048;
/// Longest vCard carried inline in a contact card, in bytes.
pub const VCARD_MAX_BYTES: usize = 16 * 1024;
/// The tus protocol version the server speaks.
pub const TUS_VERSION: &str = "1.0.0";

/// What an attachment is, as its sender's client found from the bytes (never from the name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum AttachmentKind {
    Image,
    Video,
    Audio,
    /// Recorded in the app: Opus in Ogg, mono, with a waveform.
    Voice,
    /// Any other file (a document).
    File,
}

/// A smaller picture of an attachment (an image's thumbnails, a video's poster frame), itself an
/// uploaded media.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Thumb {
    pub media_id: String,
    pub width: u32,
    pub height: u32,
}

/// One attachment of a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Attachment {
    pub media_id: String,
    pub kind: AttachmentKind,
    /// Sniffed from the bytes by the sender's client (the server sniffs again and serves its own).
    pub mime: String,
    pub size: u64,
    /// The file's name, for documents and audio (shown, never trusted for the type).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub width: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub height: Option<u32>,
    /// Video, audio and voice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub duration_ms: Option<u64>,
    /// An inline placeholder (ThumbHash, base64) so the timeline never jumps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub thumbhash: Option<String>,
    /// Small pictures, smallest first: an image's two thumbnails, a video's poster.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub thumbs: Vec<Thumb>,
    /// A voice message's loudness over time, 30–120 points of 0–255.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub waveform: Vec<u8>,
}

/// A link's preview, fetched by the sender's client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct LinkPreview {
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub site_name: Option<String>,
    /// The page's image, uploaded as media.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub image: Option<Thumb>,
}

/// A contact card: a GK Chat user (tap to message or add), or a vCard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ContactCard {
    /// The GK Chat user, when the card names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub user_id: Option<String>,
    pub display_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub username: Option<String>,
    /// A vCard (text/vcard) as sent, for people outside GK Chat.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub vcard: Option<String>,
}

/// Where an upload stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum MediaState {
    /// Bytes are still arriving: receivers show a placeholder.
    Uploading,
    /// Complete and served.
    Ready,
    /// The upload was cancelled or expired before it finished: it never will.
    Failed,
}

/// `GET /api/v1/media/{id}/info`, and the `media` push when an upload a message uses finishes
/// or fails.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct MediaInfo {
    pub media_id: String,
    pub state: MediaState,
    /// Bytes in all.
    pub length: u64,
    /// Bytes the server has (equals `length` once ready): progress for the receiver.
    pub offset: u64,
    /// The type the server sniffed from the bytes (once ready).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub mime: Option<String>,
    /// SHA-256 of the bytes, hex (once ready); also the download's ETag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub sha256: Option<String>,
}

fn too_long(field: &str, max: usize) -> (ErrorCode, String) {
    (ErrorCode::BadRequest, format!("{field} may be at most {max} bytes"))
}

/// A media id: 32 lowercase hex digits (what the server hands out).
pub fn valid_media_id(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn check_media_id(id: &str) -> Result<(), (ErrorCode, String)> {
    if valid_media_id(id) { Ok(()) } else { Err((ErrorCode::UnknownMedia, format!("{id:?} is not a media id"))) }
}

fn check_thumb(thumb: &Thumb) -> Result<(), (ErrorCode, String)> {
    check_media_id(&thumb.media_id)
}

impl Attachment {
    pub fn check(&self) -> Result<(), (ErrorCode, String)> {
        check_media_id(&self.media_id)?;
        if self.mime.len() > MIME_MAX_BYTES {
            return Err(too_long("a MIME type", MIME_MAX_BYTES));
        }
        if self.name.as_ref().is_some_and(|n| n.len() > FILE_NAME_MAX_BYTES) {
            return Err(too_long("a file name", FILE_NAME_MAX_BYTES));
        }
        if self.thumbhash.as_ref().is_some_and(|t| t.len() > THUMBHASH_MAX_BYTES) {
            return Err(too_long("a thumbhash", THUMBHASH_MAX_BYTES));
        }
        if self.thumbs.len() > 2 {
            return Err((ErrorCode::BadRequest, "an attachment has at most two thumbnails".into()));
        }
        self.thumbs.iter().try_for_each(check_thumb)?;
        let points = self.waveform.len();
        match self.kind {
            AttachmentKind::Voice if !(WAVEFORM_MIN_POINTS..=WAVEFORM_MAX_POINTS).contains(&points) => Err((
                ErrorCode::BadRequest,
                format!("a voice message's waveform has {WAVEFORM_MIN_POINTS}–{WAVEFORM_MAX_POINTS} points"),
            )),
            AttachmentKind::Voice => Ok(()),
            _ if points > 0 => Err((ErrorCode::BadRequest, "only voice messages have a waveform".into())),
            _ => Ok(()),
        }
    }

    /// Every media id this attachment uses: its own and its thumbnails'.
    pub fn media_ids(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.media_id.as_str()).chain(self.thumbs.iter().map(|t| t.media_id.as_str()))
    }
}

impl LinkPreview {
    pub fn check(&self) -> Result<(), (ErrorCode, String)> {
        if self.url.len() > URL_MAX_BYTES {
            return Err(too_long("a link", URL_MAX_BYTES));
        }
        if !(self.url.starts_with("https://") || self.url.starts_with("http://")) {
            return Err((ErrorCode::BadRequest, "a link preview's URL is http(s)".into()));
        }
        for text in [&self.title, &self.description, &self.site_name].into_iter().flatten() {
            if text.len() > PREVIEW_TEXT_MAX_BYTES {
                return Err(too_long("a link preview's text", PREVIEW_TEXT_MAX_BYTES));
            }
        }
        self.image.as_ref().map_or(Ok(()), check_thumb)
    }
}

impl ContactCard {
    pub fn check(&self) -> Result<(), (ErrorCode, String)> {
        if self.display_name.trim().is_empty() && self.user_id.is_none() {
            return Err((ErrorCode::BadRequest, "a contact card needs a name".into()));
        }
        if self.display_name.len() > PREVIEW_TEXT_MAX_BYTES {
            return Err(too_long("a contact's name", PREVIEW_TEXT_MAX_BYTES));
        }
        if self.vcard.as_ref().is_some_and(|v| v.len() > VCARD_MAX_BYTES) {
            return Err(too_long("a vCard", VCARD_MAX_BYTES));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn voice(points: usize) -> Attachment {
        Attachment {
            media_id: "0".repeat(32),
            kind: AttachmentKind::Voice,
            mime: "audio/ogg".into(),
            size: 1000,
            name: None,
            width: None,
            height: None,
            duration_ms: Some(2000),
            thumbhash: None,
            thumbs: vec![],
            waveform: vec![7; points],
        }
    }

    #[test]
    fn attachments_are_checked() {
        assert!(voice(30).check().is_ok());
        assert_eq!(voice(3).check().unwrap_err().0, ErrorCode::BadRequest);
        assert_eq!(Attachment { media_id: "../x".into(), ..voice(30) }.check().unwrap_err().0, ErrorCode::UnknownMedia);
        let image = Attachment { kind: AttachmentKind::Image, ..voice(30) };
        assert_eq!(image.check().unwrap_err().0, ErrorCode::BadRequest, "only voice has a waveform");
        let thumb = Thumb { media_id: "1".repeat(32), width: 10, height: 10 };
        let image = Attachment { waveform: vec![], thumbs: vec![thumb], ..image };
        assert_eq!(image.media_ids().collect::<Vec<_>>(), ["0".repeat(32), "1".repeat(32)]);
    }

    #[test]
    fn a_media_id_is_32_hex_digits() {
        assert!(valid_media_id(&"a1".repeat(16)));
        assert!(!valid_media_id(&"A1".repeat(16)));
        assert!(!valid_media_id("abc"));
    }
}
