//! Chats and messages: what a message is on the wire, the chat tiles, receipts, typing, and the
//! changes feed a device syncs from.
//!
//! Every change in a chat — a new message, an edit, a delete for everyone, a reaction — takes the
//! chat's next sequence number. A message row carries its place in the timeline (`seq`, fixed)
//! and the number of its latest change (`updated_seq`). A device keeps, per chat, the highest
//! `updated_seq` it has applied: the server's answer to "everything after N" is every message
//! whose `updated_seq` is greater, in that order, each in its current state. Applying a message
//! again is harmless (upsert by id, keep the greater `updated_seq`), so retries never duplicate.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::account::UnixMillis;
use crate::error::ErrorCode;
use crate::media::{ATTACHMENTS_MAX, Attachment, AttachmentKind, CAPTION_MAX_BYTES, ContactCard, LinkPreview};

/// Longest text message, in bytes (UTF-8).
pub const TEXT_MAX_BYTES: usize = 64 * 1024;
/// Edits are allowed this long after sending.
pub const EDIT_WINDOW_MS: i64 = 15 * 60 * 1000;
/// "Delete for everyone" is allowed this long after sending.
pub const DELETE_FOR_EVERYONE_WINDOW_MS: i64 = 48 * 60 * 60 * 1000;
/// Longest reaction (one emoji, possibly a ZWJ sequence), in bytes.
pub const REACTION_MAX_BYTES: usize = 32;
/// Most messages one sync or history page returns.
pub const PAGE_MAX: u32 = 500;
/// A typing indicator disappears by itself after this long without renewal.
pub const TYPING_EXPIRES_MS: i64 = 6_000;
/// Clients renew "typing" at most this often.
pub const TYPING_THROTTLE_MS: i64 = 3_000;
/// The disappearing-message timers a chat may have: 24 hours, 7 days, 90 days.
pub const DISAPPEAR_TIMERS_MS: [i64; 3] = [DAY_MS, 7 * DAY_MS, 90 * DAY_MS];
const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// A chat's disappearing-message timer is off (`None`) or one of [`DISAPPEAR_TIMERS_MS`].
pub fn check_timer(after_ms: Option<i64>) -> Result<(), (ErrorCode, String)> {
    match after_ms {
        Some(ms) if !DISAPPEAR_TIMERS_MS.contains(&ms) => {
            Err((ErrorCode::BadRequest, "a timer is off, 24 hours, 7 days or 90 days".into()))
        }
        _ => Ok(()),
    }
}

/// What a message says. The server checks kinds and sizes only (content is an envelope; see
/// DESIGN.md): attachments name uploaded media by id, and everything read from their content
/// (thumbnails, placeholders, waveforms, link previews) was made by the sender's client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Content {
    Text {
        text: String,
        /// The first link's preview, fetched by the sender's client.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        preview: Option<Box<LinkPreview>>,
        /// The status post this text answers (a reply from the status viewer).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        status: Option<Box<crate::status::StatusQuote>>,
    },
    /// Pictures, videos, audio, documents or a voice message, with an optional caption.
    Media {
        attachments: Vec<Attachment>,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        caption: String,
    },
    /// A contact card.
    Contact { card: ContactCard },
    /// A poll: members vote with `vote` actions; its creator closes it with `close_poll`.
    Poll { poll: crate::poll::Poll },
    /// An event: members answer with `rsvp` actions; its creator changes it with
    /// `update_event` or cancels it with `cancel_event`.
    Event { event: Box<crate::event::Event> },
    /// Something that happened in a group, written by the server (never sent by a client).
    System { event: crate::group::SystemEvent },
}

/// The first web address in a text (`http://` or `https://`; brackets, quotes and punctuation
/// around it left off).
pub fn first_link(text: &str) -> Option<&str> {
    text.split_whitespace()
        .map(|word| {
            word.trim_matches(|c: char| matches!(c, '<' | '>' | '(' | ')' | '"' | '\'' | ',' | '.' | '!' | '?'))
        })
        .find(|word| word.starts_with("https://") || word.starts_with("http://"))
}

impl Content {
    /// A text message without a link preview.
    pub fn text(text: impl Into<String>) -> Self {
        Self::Text { text: text.into(), preview: None, status: None }
    }

    /// Checks size rules; the error carries the stable code.
    pub fn check(&self) -> Result<(), (ErrorCode, String)> {
        match self {
            Self::Text { text, .. } if text.trim().is_empty() => {
                Err((ErrorCode::BadRequest, "a message cannot be empty".into()))
            }
            Self::Text { text, .. } if text.len() > TEXT_MAX_BYTES => Err((
                ErrorCode::MessageTooLarge,
                format!("a text message may be at most {} KiB", TEXT_MAX_BYTES / 1024),
            )),
            Self::Text { preview, status, .. } => {
                preview.as_ref().map_or(Ok(()), |preview| preview.check())?;
                status.as_ref().map_or(Ok(()), |quote| quote.check())
            }
            Self::Media { attachments, .. } if attachments.is_empty() => {
                Err((ErrorCode::BadRequest, "a media message needs an attachment".into()))
            }
            Self::Media { attachments, .. } if attachments.len() > ATTACHMENTS_MAX => {
                Err((ErrorCode::BadRequest, format!("a message carries at most {ATTACHMENTS_MAX} attachments")))
            }
            Self::Media { caption, .. } if caption.len() > CAPTION_MAX_BYTES => {
                Err((ErrorCode::MessageTooLarge, format!("a caption may be at most {} KiB", CAPTION_MAX_BYTES / 1024)))
            }
            Self::Media { attachments, .. }
                if attachments.len() > 1 && attachments.iter().any(|a| a.kind == AttachmentKind::Voice) =>
            {
                Err((ErrorCode::BadRequest, "a voice message travels alone".into()))
            }
            Self::Media { attachments, .. } => attachments.iter().try_for_each(Attachment::check),
            Self::Contact { card } => card.check(),
            Self::Poll { poll } => poll.check(),
            Self::Event { event } => event.check(),
            Self::System { .. } => Err((ErrorCode::BadRequest, "system messages are written by the server".into())),
        }
    }

    /// This content with other words, as an edit makes it: a text's words (its link preview
    /// kept while they still name its address), a media message's caption; `None` for kinds
    /// without words (a contact card, a group's record).
    pub fn with_words(&self, words: &str) -> Option<Self> {
        match self {
            Self::Text { text, preview, status } => Some(Self::Text {
                text: words.to_owned(),
                // Its address as typed (the preview's may be where redirects ended).
                preview: preview.clone().filter(|preview| {
                    words.contains(preview.url.as_str()) || first_link(text).is_some_and(|link| words.contains(link))
                }),
                status: status.clone(),
            }),
            Self::Media { attachments, .. } => {
                Some(Self::Media { attachments: attachments.clone(), caption: words.to_owned() })
            }
            Self::Contact { .. } | Self::Poll { .. } | Self::Event { .. } | Self::System { .. } => None,
        }
    }

    /// The words an edit changes: a text's, a caption.
    pub fn words(&self) -> Option<&str> {
        match self {
            Self::Text { text, .. } => Some(text),
            Self::Media { caption, .. } => Some(caption),
            Self::Contact { .. } | Self::Poll { .. } | Self::Event { .. } | Self::System { .. } => None,
        }
    }

    /// Every media id the content uses (attachments, their thumbnails, a link preview's image).
    pub fn media_ids(&self) -> Vec<&str> {
        match self {
            Self::Text { preview: Some(preview), .. } => preview.image.iter().map(|i| i.media_id.as_str()).collect(),
            Self::Media { attachments, .. } => attachments.iter().flat_map(Attachment::media_ids).collect(),
            _ => Vec::new(),
        }
    }

    /// The words a search finds the message by: its text, a caption and the files' names, a
    /// contact's name.
    pub fn searchable_text(&self) -> String {
        match self {
            Self::Text { text, .. } => text.clone(),
            Self::Media { attachments, caption } => {
                let names = attachments.iter().filter_map(|a| a.name.as_deref());
                std::iter::once(caption.as_str()).chain(names).filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" ")
            }
            Self::Contact { card } => card.display_name.clone(),
            Self::Poll { poll } => {
                std::iter::once(&poll.question).chain(&poll.options).cloned().collect::<Vec<_>>().join(" ")
            }
            Self::Event { event } => [&event.title, &event.description, &event.place]
                .into_iter()
                .filter(|s| !s.is_empty())
                .cloned()
                .collect::<Vec<_>>()
                .join(" "),
            Self::System { .. } => String::new(),
        }
    }

    /// A one-line preview for chat tiles and notifications.
    pub fn preview(&self) -> String {
        match self {
            Self::Text { text, .. } => text.lines().next().unwrap_or_default().chars().take(120).collect(),
            Self::Media { caption, .. } if !caption.trim().is_empty() => {
                caption.lines().next().unwrap_or_default().chars().take(120).collect()
            }
            Self::Poll { poll } => format!("📊 Poll: {}", poll.question.chars().take(120).collect::<String>()),
            Self::Event { event } => format!("📅 Event: {}", event.title.chars().take(120).collect::<String>()),
            // Clients put these in their own words ("Photo", "Voice message · 0:07", a name).
            Self::Media { .. } | Self::Contact { .. } | Self::System { .. } => String::new(),
        }
    }
}

/// Mentions travel inside a text as `<@USER_ID>` tokens; clients show them as names.
pub fn mentioned(text: &str) -> impl Iterator<Item = &str> {
    text.split("<@")
        .skip(1)
        .filter_map(|rest| rest.split_once('>').map(|(id, _)| id))
        .filter(|id| !id.is_empty() && id.len() <= 64 && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
}

/// `text` with each mention token replaced by `@` and the name `name_of` gives (`@someone`
/// when it gives none).
pub fn with_names(text: &str, name_of: impl Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("<@") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.split_once('>') {
            Some((id, tail)) if mentioned(&rest[start..]).next() == Some(id) => {
                out.push('@');
                out.push_str(&name_of(id).unwrap_or_else(|| "someone".to_owned()));
                rest = tail;
            }
            _ => {
                out.push_str("<@");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// A message to send (`send` frame). `id` is chosen by the client (UUID v7) and makes sending
/// idempotent. A direct chat is opened first (`POST /api/v1/chats/direct`), so every message
/// goes to a chat id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct NewMessage {
    pub id: String,
    pub chat_id: String,
    pub content: Content,
    /// The message this one answers (quote).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub reply_to: Option<String>,
    #[serde(default)]
    pub forwarded: bool,
}

/// The server's answer to `send`: stored, with its place in the chat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Ack {
    pub message: Message,
}

/// One emoji reaction by one person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Reaction {
    pub user_id: String,
    pub emoji: String,
    pub at: UnixMillis,
}

/// A stored message in its current state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Message {
    pub id: String,
    pub chat_id: String,
    /// Place in the chat's timeline; never changes.
    pub seq: i64,
    /// The chat sequence number of this message's latest change.
    pub updated_seq: i64,
    pub sender_id: String,
    /// `None` once deleted for everyone (a tombstone).
    pub content: Option<Content>,
    pub reply_to: Option<String>,
    pub forwarded: bool,
    pub sent_at: UnixMillis,
    pub edited_at: Option<UnixMillis>,
    pub deleted_at: Option<UnixMillis>,
    pub reactions: Vec<Reaction>,
    /// A poll's votes: everyone's, or in an anonymous poll mine only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub votes: Vec<crate::poll::Vote>,
    /// A poll's votes per option, counting everyone's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tally: Vec<u32>,
    /// An event's answers, each member's latest.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rsvps: Vec<crate::event::Answer>,
    /// I deleted it for me (on all my devices): drop it from view.
    pub hidden: bool,
    /// I starred it (on all my devices).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub starred: bool,
    /// When it disappears (its chat had a timer when it was sent), unless kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub expires_at: Option<UnixMillis>,
    /// Kept from disappearing (for everyone in the chat) until un-kept.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub kept: bool,
    /// It disappeared: nothing of it is left (`content` is `None`); clients show it nowhere,
    /// and a quote of it as "message expired".
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub expired: bool,
}

impl Message {
    /// Gone by `now`: expired on the server, or its time is up (kept ones stay).
    pub fn gone_at(&self, now: UnixMillis) -> bool {
        self.expired || (!self.kept && self.expires_at.is_some_and(|at| at <= now))
    }
}

/// A person as a tile, a call or a header shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ChatPeer {
    pub user_id: String,
    pub username: String,
    pub display_name: String,
    /// `None` when they have none or their privacy hides it from me.
    pub photo: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ChatKind {
    /// Two people; started by either, never changes members.
    Direct,
    /// Named, with roles; members come and go.
    Group,
}

impl ChatKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Direct => "direct",
            Self::Group => "group",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "direct" => Some(Self::Direct),
            "group" => Some(Self::Group),
            _ => None,
        }
    }
}

/// What a member may do in a chat. In a direct chat both are `member`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum MemberRole {
    Member,
    Admin,
    Owner,
}

impl MemberRole {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Member => "member",
            Self::Admin => "admin",
            Self::Owner => "owner",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "member" => Some(Self::Member),
            "admin" => Some(Self::Admin),
            "owner" => Some(Self::Owner),
            _ => None,
        }
    }
}

/// One member of a chat, with how they look to me.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ChatMember {
    pub user_id: String,
    pub username: String,
    pub display_name: String,
    /// `None` when they have none or their privacy hides it from me.
    pub photo: Option<String>,
    pub role: MemberRole,
    pub joined_at: UnixMillis,
}

/// The members of one chat as of `members_seq` (a sync answer carries them when they changed
/// since the list this device holds).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ChatMembers {
    pub chat_id: String,
    pub members_seq: i64,
    pub members: Vec<ChatMember>,
    /// Those who left or were removed: their names for what they did before (their role is
    /// `member`).
    #[serde(default)]
    pub former: Vec<ChatMember>,
}

/// A chat as one member sees it: the tile, my settings, and the receipt cursors. The same
/// shape for every kind; a direct chat's other person is one of its members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ChatSummary {
    pub id: String,
    pub kind: ChatKind,
    /// A group's name; in a direct chat, the other person's name.
    pub title: String,
    /// A group's image, or the other person's photo (as their privacy lets me see it).
    pub photo: Option<String>,
    pub member_count: u32,
    /// `None` once I left or was removed (the chat stays for what I had).
    pub my_role: Option<MemberRole>,
    /// In a group: only admins may send.
    pub only_admins_send: bool,
    /// In a group: only admins may keep messages from disappearing.
    #[serde(default)]
    pub only_admins_keep: bool,
    /// New messages disappear this long after they are sent (`None`: they stay).
    #[serde(default)]
    pub disappear_after_ms: Option<i64>,
    /// My background for this chat (`None`: the group's, else my default).
    #[serde(default)]
    pub background: Option<crate::appearance::Background>,
    /// The background a group's admin set for everyone.
    #[serde(default)]
    pub shared_background: Option<crate::appearance::Background>,
    /// The chat sequence number of the last change to its members (who, roles): a device
    /// holding an older member list syncs it again.
    pub members_seq: i64,
    /// The chat's latest sequence number (of any change).
    pub last_seq: i64,
    /// Everything up to here I deleted ("delete chat" for me): a device drops what it holds up
    /// to it, and a chat whose `last_seq` is not past it has nothing to show and is not listed.
    #[serde(default)]
    pub cleared_seq: i64,
    /// What I cleared leaves the chat in my list ("clear chat"; "delete chat" does not).
    #[serde(default)]
    pub clear_listed: bool,
    /// My starred messages up to `cleared_seq` stay ("clear chat, keep starred").
    #[serde(default)]
    pub clear_keeps_starred: bool,
    /// A message request to me: someone I do not know (not my contact, no group in common)
    /// started this direct chat. Until I accept (`POST /api/v1/chats/<id>/accept`, or my first
    /// message), it sits under Requests, makes no sound, and they see neither my read receipts
    /// nor my presence.
    #[serde(default)]
    pub request: bool,
    /// The newest message still shown (not deleted for me), for the tile; it names its sender.
    pub last_message: Option<Message>,
    /// Messages from others after my read cursor.
    pub unread: u32,
    /// When something last happened (the tile order).
    pub last_activity_at: UnixMillis,
    pub my_delivered_seq: i64,
    pub my_read_seq: i64,
    /// Every other member has received everything up to here.
    pub delivered_to_all_seq: i64,
    /// Every other member who shares read receipts has read up to here (0 when I do not share
    /// mine, or nobody else does).
    pub read_by_all_seq: i64,
    pub pinned_at: Option<UnixMillis>,
    pub archived: bool,
    /// Muted until then; [`MUTED_FOREVER`] for always.
    pub muted_until: Option<UnixMillis>,
}

/// `POST /api/v1/chats/direct`: the direct chat with a person, started if there is none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct OpenDirectChat {
    pub user_id: String,
}

/// `muted_until` meaning "always".
pub const MUTED_FOREVER: UnixMillis = i64::MAX;

/// `PATCH /api/v1/chats/{id}`: my own settings for a chat; absent fields stay.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ChatSettingsUpdate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub pinned: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub archived: Option<bool>,
    /// Mute until this time ([`MUTED_FOREVER`] for always); 0 unmutes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub muted_until: Option<UnixMillis>,
}

/// `PUT /api/v1/chats/{id}/timer`: the chat's disappearing-message timer (announced in the
/// timeline). In a direct chat either person sets it; in a group, admins only when only admins
/// edit its info.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ChatTimer {
    /// One of [`DISAPPEAR_TIMERS_MS`], or `None` for off.
    pub after_ms: Option<i64>,
}

/// `POST /api/v1/chats/{id}/clear`: empties the chat for me on all my devices (it stays in my
/// list), optionally keeping my starred messages; nobody else's copy changes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ClearChat {
    #[serde(default)]
    pub keep_starred: bool,
}

/// `POST /api/v1/sync`: where this device stands in each chat it knows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SyncRequest {
    /// Chat id → the highest `updated_seq` applied. Chats not named start from 0.
    pub cursors: std::collections::BTreeMap<String, i64>,
    /// Chat id → the `members_seq` of the member list this device holds. The answer carries
    /// the members of every chat not named or changed since.
    #[serde(default)]
    pub members: std::collections::BTreeMap<String, i64>,
    /// At most this many messages in the answer (capped at [`PAGE_MAX`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub limit: Option<u32>,
}

/// The answer: every chat I am in, and the changed messages after my cursors, by chat and
/// `updated_seq`. When `complete` is false, ask again with the advanced cursors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SyncResponse {
    pub chats: Vec<ChatSummary>,
    /// Member lists this device lacks or holds in an older version.
    pub members: Vec<ChatMembers>,
    pub messages: Vec<Message>,
    pub complete: bool,
}

/// `GET /api/v1/chats/{id}/messages?before=<seq>&limit=<n>`: older messages, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct HistoryPage {
    pub messages: Vec<Message>,
    /// More older messages exist.
    pub more: bool,
}

/// Receipt kinds a member reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ReceiptKind {
    Delivered,
    Read,
}

/// Where a chat's receipts stand for me (`receipt` push): my own cursors (moved on another
/// device) and how far all the others have got. It reaches a member when their own cursors
/// move, and the senders of messages that "delivered to all" or "read by all" just passed —
/// never every member for every receipt. Cursors only move forward: apply with `max`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ReceiptUpdate {
    pub chat_id: String,
    pub my_delivered_seq: i64,
    pub my_read_seq: i64,
    pub delivered_to_all_seq: i64,
    pub read_by_all_seq: i64,
}

/// Someone is typing (`typing` push); it expires after [`TYPING_EXPIRES_MS`] unless renewed.
/// In a group several people may type at once: each has their own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TypingUpdate {
    pub chat_id: String,
    pub user_id: String,
    pub typing: bool,
}

/// Changes to an existing message, each answered by `done` (or an error).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum MessageAction {
    /// Within [`EDIT_WINDOW_MS`], by its sender.
    Edit { content: Content },
    /// Within [`DELETE_FOR_EVERYONE_WINDOW_MS`], by its sender: a tombstone remains.
    DeleteForEveryone,
    /// Hides it on all my devices only.
    DeleteForMe,
    /// Stars it, or takes the star off, on all my devices (nobody else sees it).
    Star { starred: bool },
    /// Keeps a disappearing message (for everyone), or lets it go again: anyone in a direct
    /// chat; in a group, admins only when the group says so.
    Keep { kept: bool },
    /// One reaction per person; `None` takes mine back.
    React { emoji: Option<String> },
    /// My answer to a poll (the options' indexes); an empty list takes my vote back.
    Vote { options: Vec<u8> },
    /// Its creator ends a poll: no more votes.
    ClosePoll,
    /// My answer to an event; `None` takes it back.
    Rsvp { rsvp: Option<crate::event::Rsvp> },
    /// Its creator changes an event (announced in the timeline); not once cancelled.
    UpdateEvent { event: Box<crate::event::Event> },
    /// Its creator cancels an event: no more answers or changes.
    CancelEvent,
}

impl MessageAction {
    /// It only lets go of a message (hides it for me, takes my star off): all that may still be
    /// done to one that disappeared, that I cleared, or to a group's record.
    pub fn lets_go(&self) -> bool {
        matches!(self, Self::DeleteForMe | Self::Star { starred: false })
    }
}

/// `GET /api/v1/chats/{chat}/messages/{id}/info`, for the sender: when each other member
/// received and read the message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct MessageInfo {
    pub message_id: String,
    pub receipts: Vec<MemberReceipt>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct MemberReceipt {
    pub user_id: String,
    pub delivered_at: Option<UnixMillis>,
    /// `None` also when read receipts are off on either side.
    pub read_at: Option<UnixMillis>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_edit_keeps_the_link_preview_while_the_link_stays() {
        let preview = crate::media::LinkPreview {
            url: "https://github.com/".into(),
            title: Some("GitHub".into()),
            description: None,
            site_name: None,
            image: None,
        };
        let text =
            Content::Text { text: "see https://github.com".into(), preview: Some(Box::new(preview)), status: None };
        let Some(Content::Text { preview, .. }) = text.with_words("look at https://github.com, really") else {
            panic!("a text stays a text")
        };
        assert!(preview.is_some(), "the address as typed is still there");
        let Some(Content::Text { preview, text, .. }) = text.with_words("never mind") else { panic!() };
        assert_eq!((preview, text.as_str()), (None, "never mind"));
        assert_eq!(first_link("(see <https://a.example/x>.)"), Some("https://a.example/x"));
        let card = Content::Contact {
            card: crate::media::ContactCard { user_id: None, display_name: "A".into(), username: None, vcard: None },
        };
        assert_eq!(card.with_words("x"), None, "a card has no words");
    }

    #[test]
    fn sizes_are_checked() {
        assert!(Content::text("hi").check().is_ok());
        assert_eq!(Content::text(" \n").check().unwrap_err().0, ErrorCode::BadRequest);
        let long = Content::text("x".repeat(TEXT_MAX_BYTES + 1));
        assert_eq!(long.check().unwrap_err().0, ErrorCode::MessageTooLarge);
        assert!(Content::text("x".repeat(TEXT_MAX_BYTES)).check().is_ok());
    }

    #[test]
    fn mentions_are_tokens_shown_as_names() {
        let text = "hi <@u-1> and <@u-2>, not <@bad id> or <@";
        assert_eq!(mentioned(text).collect::<Vec<_>>(), ["u-1", "u-2"]);
        let named = with_names(text, |id| (id == "u-1").then(|| "Ann".to_owned()));
        assert_eq!(named, "hi @Ann and @someone, not <@bad id> or <@");
    }

    #[test]
    fn new_message_wire_shape() {
        let message = NewMessage {
            id: "m1".into(),
            chat_id: "c2".into(),
            content: Content::text("hello"),
            reply_to: None,
            forwarded: false,
        };
        let json = serde_json::to_string(&message).unwrap();
        assert_eq!(json, r#"{"id":"m1","chat_id":"c2","content":{"kind":"text","text":"hello"},"forwarded":false}"#);
    }
}
