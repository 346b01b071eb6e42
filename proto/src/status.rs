//! Status (stories): posts that last 24 hours — a text on a coloured background, or a picture
//! or video (an uploaded media, like a message's attachment) — seen by an audience fixed when
//! posted, with the owner told who viewed each post, when, and with which quick reaction.
//!
//! REST (`/api/v1`): `POST /status` posts (idempotent by the client's id), `GET /status` is
//! my feed (my posts with their view counts, and every owner whose live posts I may see),
//! `DELETE /status/{id}` takes a post down early, `POST /status/{id}/view` and
//! `PUT /status/{id}/reaction` are a viewer's, `GET /status/{id}/viewers` the owner's,
//! `PUT /status/owners/{owner}/prefs` mutes an owner or asks for notifications of their posts,
//! and `GET|PUT /me/status-audience` is who sees my next posts. Changes are pushed as
//! `status` frames. A reply to a post is a message in our direct chat quoting it
//! ([`StatusQuote`] in a text's content, kept after the post is gone).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::account::UnixMillis;
use crate::chat::ChatPeer;
use crate::error::ErrorCode;
use crate::media::{Attachment, AttachmentKind, CAPTION_MAX_BYTES};

/// A post lasts this long.
pub const STATUS_LIFETIME_MS: i64 = 24 * 60 * 60 * 1000;
/// Longest text status, in bytes (UTF-8).
pub const STATUS_TEXT_MAX_BYTES: usize = 700;
/// Most live posts one person has at a time.
pub const STATUS_LIVE_MAX: u64 = 30;
/// Most people on an audience list ("except", "only with").
pub const STATUS_LIST_MAX: usize = 5_000;
/// Longest quoted text a reply carries, in characters.
pub const STATUS_QUOTE_MAX_CHARS: usize = 200;

/// The typefaces a text status is set in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum StatusFont {
    Sans,
    Serif,
    Mono,
    Script,
    Bold,
}

/// What a post shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StatusContent {
    /// Words on a background colour (`#rrggbb`).
    Text { text: String, background: String, font: StatusFont },
    /// A picture or a video (its length shown up to 30 s), with an optional caption.
    Media {
        attachment: Box<Attachment>,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        caption: String,
    },
}

impl StatusContent {
    /// Checks kinds and sizes; the error carries the stable code.
    pub fn check(&self) -> Result<(), (ErrorCode, String)> {
        let bad = |message: &str| Err((ErrorCode::BadRequest, message.to_owned()));
        match self {
            Self::Text { text, .. } if text.trim().is_empty() => bad("a text status needs words"),
            Self::Text { text, .. } if text.len() > STATUS_TEXT_MAX_BYTES => {
                Err((ErrorCode::MessageTooLarge, format!("a text status may be at most {STATUS_TEXT_MAX_BYTES} bytes")))
            }
            Self::Text { background, .. } if !is_colour(background) => bad("a background is a colour such as #1f7a5c"),
            Self::Text { .. } => Ok(()),
            Self::Media { caption, .. } if caption.len() > CAPTION_MAX_BYTES => {
                Err((ErrorCode::MessageTooLarge, format!("a caption may be at most {} KiB", CAPTION_MAX_BYTES / 1024)))
            }
            Self::Media { attachment, .. } => {
                if !matches!(attachment.kind, AttachmentKind::Image | AttachmentKind::Video) {
                    return bad("a status is a picture or a video");
                }
                attachment.check()
            }
        }
    }

    /// Every media id the post uses (the attachment and its thumbnails).
    pub fn media_ids(&self) -> Vec<&str> {
        match self {
            Self::Text { .. } => Vec::new(),
            Self::Media { attachment, .. } => attachment.media_ids().collect(),
        }
    }
}

fn is_colour(text: &str) -> bool {
    text.len() == 7 && text.starts_with('#') && text[1..].chars().all(|c| c.is_ascii_hexdigit())
}

/// `POST /api/v1/status`: a post; `id` is chosen by the client (UUID v7), so posting again is
/// harmless.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct NewStatus {
    pub id: String,
    pub content: StatusContent,
}

/// A live post as its viewer (or owner) sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct StatusPost {
    pub id: String,
    pub owner_id: String,
    pub content: StatusContent,
    pub posted_at: UnixMillis,
    /// Gone after this (24 hours after posting).
    pub expires_at: UnixMillis,
    /// I viewed it (on any of my devices). Always true for my own.
    pub seen: bool,
    /// My quick reaction to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub my_reaction: Option<String>,
    /// My own post: how many viewed it (those who hide read receipts included).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub view_count: Option<u32>,
}

/// Someone whose posts I may see, with their live posts, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct StatusOwner {
    pub owner: ChatPeer,
    pub posts: Vec<StatusPost>,
    #[serde(flatten)]
    pub prefs: StatusPrefs,
}

/// `GET /api/v1/status`: my live posts and those of everyone whose audience I am in.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
pub struct StatusFeed {
    pub mine: Vec<StatusPost>,
    pub others: Vec<StatusOwner>,
}

/// How I follow one person's status (kept per account, on all my devices).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
pub struct StatusPrefs {
    /// Listed apart, without a ring.
    #[serde(default)]
    pub muted: bool,
    /// A notification for each new post.
    #[serde(default)]
    pub notify: bool,
}

/// `PUT /api/v1/status/{id}/reaction`: a quick emoji to the owner only; `None` takes it back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct StatusReaction {
    pub emoji: Option<String>,
}

/// One person who viewed my post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct StatusViewer {
    pub user_id: String,
    pub viewed_at: UnixMillis,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub reaction: Option<String>,
}

/// `GET /api/v1/status/{id}/viewers`, for its owner: everyone counted; named only those who
/// share read receipts (and none while I do not share mine — then `hidden`), plus anyone who
/// reacted (a reaction is sent on purpose).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct StatusViewers {
    pub post_id: String,
    pub count: u32,
    pub viewers: Vec<StatusViewer>,
    /// My read receipts are off: I see the count only.
    pub hidden: bool,
}

/// Who sees my next posts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum StatusAudienceMode {
    /// My contacts I have a direct chat with (that has messages).
    #[default]
    ChattedContacts,
    Contacts,
    /// My contacts but those in `except`.
    ContactsExcept,
    /// Only those in `only` (among my contacts).
    OnlyWith,
}

/// `GET|PUT /api/v1/me/status-audience`. Each list is kept, whichever mode is chosen.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
pub struct StatusAudience {
    pub mode: StatusAudienceMode,
    #[serde(default)]
    pub except: Vec<String>,
    #[serde(default)]
    pub only: Vec<String>,
}

/// A reply's quote of the post it answers, made by the replier's client (so it stays after the
/// post is gone).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct StatusQuote {
    pub post_id: String,
    pub owner_id: String,
    /// A text status's words or a media's caption, shortened.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub text: String,
    /// A picture or video: its kind and inline placeholder (ThumbHash, base64).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub media: Option<AttachmentKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub thumbhash: Option<String>,
    /// A text status's background.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub background: Option<String>,
}

impl StatusQuote {
    /// The quote a reply to `post` carries.
    pub fn of(post: &StatusPost) -> Self {
        let short = |text: &str| text.chars().take(STATUS_QUOTE_MAX_CHARS).collect::<String>();
        match &post.content {
            StatusContent::Text { text, background, .. } => Self {
                post_id: post.id.clone(),
                owner_id: post.owner_id.clone(),
                text: short(text),
                media: None,
                thumbhash: None,
                background: Some(background.clone()),
            },
            StatusContent::Media { attachment, caption } => Self {
                post_id: post.id.clone(),
                owner_id: post.owner_id.clone(),
                text: short(caption),
                media: Some(attachment.kind),
                thumbhash: attachment.thumbhash.clone(),
                background: None,
            },
        }
    }

    pub fn check(&self) -> Result<(), (ErrorCode, String)> {
        let fits = self.text.chars().count() <= STATUS_QUOTE_MAX_CHARS
            && self.thumbhash.as_ref().is_none_or(|t| t.len() <= 256)
            && self.background.as_ref().is_none_or(|b| is_colour(b))
            && !self.post_id.is_empty()
            && self.post_id.len() <= 64
            && self.owner_id.len() <= 64;
        if fits { Ok(()) } else { Err((ErrorCode::BadRequest, "a status quote is short".into())) }
    }
}

/// Pushed as a `status` frame.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum StatusEvent {
    /// A new post I may see (or mine, from another device).
    Posted { post: StatusPost },
    /// A post went before its time (deleted, or its owner blocked me): drop it.
    Removed { owner_id: String, post_id: String },
    /// Someone viewed my post (named when they may be), or I viewed one on another device.
    Viewed { post_id: String, owner_id: String, viewer_id: Option<String>, viewed_at: UnixMillis },
    /// Someone reacted to my post (or I did, on another device).
    Reacted { post_id: String, owner_id: String, viewer_id: String, reaction: Option<String> },
    /// My way of following someone changed on another device.
    Prefs { owner_id: String, prefs: StatusPrefs },
    /// Who I may see changed (a block, an unblock): read the feed again.
    Refresh,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn posts_are_checked() {
        let text =
            |t: &str, bg: &str| StatusContent::Text { text: t.into(), background: bg.into(), font: StatusFont::Sans };
        assert_eq!(text("hi", "#1f7a5c").check(), Ok(()));
        assert_eq!(text(" ", "#1f7a5c").check().unwrap_err().0, ErrorCode::BadRequest);
        assert_eq!(text("hi", "red").check().unwrap_err().0, ErrorCode::BadRequest);
        assert_eq!(text(&"x".repeat(701), "#000000").check().unwrap_err().0, ErrorCode::MessageTooLarge);
        let post = StatusPost {
            id: "p".into(),
            owner_id: "o".into(),
            content: text(&"é".repeat(300), "#000000"),
            posted_at: 1,
            expires_at: 2,
            seen: false,
            my_reaction: None,
            view_count: None,
        };
        let quote = StatusQuote::of(&post);
        assert_eq!(quote.text.chars().count(), STATUS_QUOTE_MAX_CHARS);
        assert_eq!(quote.check(), Ok(()));
    }
}
