//! Quick chat: a two-person room without accounts. The creator names both people; each gets a
//! link (`/q/<room>/<token>`) and a secret code, shown once. Opening a link greets its person
//! by name and asks for the code; the room lives in the server's memory only and is destroyed
//! when either side ends it or after a time without activity.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::account::UnixMillis;
use crate::error::ErrorCode;

pub const QUICK_NAME_MAX: usize = 40;
/// Wrong codes on one link before it is locked for [`QUICK_LOCK_SECS`].
pub const QUICK_CODE_TRIES: u32 = 5;
pub const QUICK_LOCK_SECS: u64 = 15 * 60;
/// Length of a secret code, from an alphabet without look-alikes (no 0/O, 1/I/L).
pub const QUICK_CODE_LEN: usize = 8;
pub const QUICK_CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/// `POST /api/v1/quick`: the two people's names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CreateQuickChat {
    pub names: [String; 2],
}

/// One person's way in, shown once to the creator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct QuickInvite {
    pub name: String,
    /// Path on the server, `/q/<room>/<token>`; the full link is the server's URL + this.
    pub path: String,
    /// The secret code for this link (never stored in clear; not shown again).
    pub code: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct QuickChatCreated {
    pub room_id: String,
    pub invites: [QuickInvite; 2],
    /// The room is destroyed after this many seconds without activity.
    pub idle_secs: u64,
}

/// `GET /api/v1/quick/<room>/<token>`: what the landing page shows before the code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct QuickLanding {
    /// "Hello <name>".
    pub name: String,
    pub other_name: String,
    pub created_at: UnixMillis,
    /// The request carried a live session of this person (the browser's cookie, the app's
    /// saved session): the chat opens without the code.
    pub resume: bool,
}

/// `POST /api/v1/quick/<room>/<token>/join`: the person's name (any case) and their code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct QuickJoin {
    pub name: String,
    pub code: String,
}

/// A joined person's session for this room. The browser keeps it in an HttpOnly cookie
/// (`gkq`, set by the join answer, path limited to the link); the app sends it as
/// `Authorization: Quick <session>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct QuickSession {
    pub session: String,
}

/// Checks a participant's name: 1–40 characters after trimming, no control characters, and
/// nothing invisible or direction-changing (see [`crate::account::deceptive_char`]).
pub fn check_quick_name(name: &str) -> Result<String, (ErrorCode, String)> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > QUICK_NAME_MAX || name.chars().any(char::is_control) {
        return Err((ErrorCode::BadRequest, format!("a name has 1 to {QUICK_NAME_MAX} characters")));
    }
    if let Some(c) = crate::account::deceptive_char(name) {
        let message =
            format!("a name may not contain invisible or direction-changing characters (U+{:04X})", u32::from(c));
        return Err((ErrorCode::BadRequest, message));
    }
    Ok(name.to_owned())
}

/// Longest quick-chat message, in bytes.
pub const QUICK_TEXT_MAX_BYTES: usize = 4096;

/// A room keeps at most this many messages; older ones fall off (a join receives them all).
pub const QUICK_HISTORY_MAX_MESSAGES: usize = 500;
/// A room keeps at most this many bytes of message text; older messages fall off.
pub const QUICK_HISTORY_MAX_BYTES: usize = 256 * 1024;

/// One message in a quick chat. `from` is 0 or 1: which of the two people wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct QuickMessage {
    pub seq: u64,
    pub from: u8,
    pub text: String,
    pub at: UnixMillis,
}

/// Frames a joined person sends on `GET /api/v1/quick/<room>/<token>/live` (a WebSocket; the
/// session comes as the `gkq` cookie or `Authorization: Quick <session>`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum QuickClientFrame {
    Send { text: String },
}

/// Frames the room sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum QuickServerFrame {
    /// First frame: who I am (0 or 1), both names, everything said so far, whether the other
    /// person is here.
    Joined {
        me: u8,
        names: [String; 2],
        messages: Vec<QuickMessage>,
        other_here: bool,
    },
    Message(QuickMessage),
    /// The other person arrived or left.
    Presence {
        other_here: bool,
    },
    /// The chat is over (ended by someone, or idle); everything in it is gone.
    Ended {
        reason: String,
    },
    /// A frame of mine was refused; the connection stays.
    Error {
        code: ErrorCode,
        message: String,
    },
}
