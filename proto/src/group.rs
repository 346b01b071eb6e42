//! Groups: creating one, its info and settings, members and roles, invite links and join
//! requests, and the system messages that record every change in the timeline.
//!
//! A group is a chat of kind `group` ([`crate::chat::ChatKind`]); everything about messages,
//! receipts and sync is the same as in a direct chat. Roles: the owner (one), admins, members.
//! Admins add and remove members, promote and dismiss admins, and — unless "only admins can
//! edit info" is off, when every member may — change the name, image and description.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::account::{Invalid, check_profile_text, deceptive_char};
use crate::chat::{ChatSummary, MemberRole};
use crate::error::ErrorCode;

/// Most members a group has.
pub const GROUP_MAX_MEMBERS: usize = 1024;
/// Longest group name, in characters.
pub const GROUP_NAME_MAX: usize = 100;
/// Longest group description, in characters.
pub const GROUP_DESCRIPTION_MAX: usize = 2048;

/// `POST /api/v1/groups`: a new group, with members chosen from my contacts (I am its owner).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct NewGroup {
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub member_ids: Vec<String>,
}

/// `POST /api/v1/chats/{id}/report`: reporting a group I am or was in to the server's operator,
/// optionally with some of its messages (from what I could see) and leaving it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct GroupReport {
    pub reason: String,
    /// Messages of the group to attach (at most [`crate::account::REPORT_MESSAGES_MAX`]).
    #[serde(default)]
    pub message_ids: Vec<String>,
    /// Also leave the group ("report and exit").
    #[serde(default)]
    pub leave: bool,
}

/// The answer to creating a group or adding members: who is in now, and who could not be
/// added and why (`add_not_allowed` for their privacy or a block, `not_found` for no such
/// account).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct MembersAdded {
    pub chat: ChatSummary,
    pub added: Vec<String>,
    pub refused: Vec<AddRefusal>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AddRefusal {
    pub user_id: String,
    pub code: ErrorCode,
}

/// `POST /api/v1/chats/{id}/members`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AddMembers {
    pub user_ids: Vec<String>,
}

/// `PUT /api/v1/chats/{id}/members/{user_id}/role`: make an admin, or dismiss one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RoleChange {
    pub role: MemberRole,
}

/// A group's info and settings (`GET /api/v1/chats/{id}/group`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct GroupInfo {
    pub chat_id: String,
    pub name: String,
    pub description: String,
    pub photo: Option<String>,
    pub created_by: Option<String>,
    pub created_at: crate::account::UnixMillis,
    pub settings: GroupSettings,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct GroupSettings {
    /// Only admins may send messages.
    pub only_admins_send: bool,
    /// Only admins may change the name, image and description.
    pub only_admins_edit: bool,
    /// Joining by the invite link needs an admin's approval.
    pub approve_joins: bool,
    /// Only admins may keep messages from disappearing.
    #[serde(default)]
    pub only_admins_keep: bool,
}

impl GroupSettings {
    /// New groups: everyone may send; only admins edit the info; links join at once.
    pub fn new_group() -> Self {
        Self { only_admins_send: false, only_admins_edit: true, approve_joins: false, only_admins_keep: false }
    }
}

/// `PATCH /api/v1/chats/{id}/group`: absent fields stay.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct GroupInfoUpdate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub only_admins_send: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub only_admins_edit: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub approve_joins: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub only_admins_keep: Option<bool>,
}

impl GroupInfoUpdate {
    /// Whether it touches a setting (admins only, always), not just the info.
    pub fn touches_settings(&self) -> bool {
        self.only_admins_send.is_some()
            || self.only_admins_edit.is_some()
            || self.approve_joins.is_some()
            || self.only_admins_keep.is_some()
    }
}

/// What happened in a group, as a message in its timeline (the actor is the message's
/// sender). Clients put it in their own words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum SystemEvent {
    Created {
        name: String,
    },
    Added {
        user_ids: Vec<String>,
    },
    Removed {
        user_id: String,
    },
    Left,
    JoinedByLink,
    /// A request to join was approved by the sender.
    JoinApproved {
        user_id: String,
    },
    NameChanged {
        name: String,
    },
    PhotoChanged {
        removed: bool,
    },
    DescriptionChanged,
    MadeAdmin {
        user_id: String,
    },
    DismissedAdmin {
        user_id: String,
    },
    /// The owner left: `user_id` owns the group now.
    OwnerChanged {
        user_id: String,
    },
    SettingsChanged {
        settings: GroupSettings,
    },
    LinkReset,
    /// The owner deleted the group: everyone is out, keeping what they had.
    Deleted,
    /// The sender changed an event (in a group or a direct chat).
    EventChanged {
        message_id: String,
        title: String,
        changes: Vec<crate::event::EventField>,
    },
    /// The sender cancelled an event.
    EventCancelled {
        message_id: String,
        title: String,
    },
    /// The sender set the chat's disappearing-message timer (`None`: off); messages sent from
    /// here on disappear that long after.
    TimerChanged {
        after_ms: Option<i64>,
    },
    /// An admin set the group's background for everyone (or took it away).
    BackgroundChanged {
        removed: bool,
    },
}

/// An invite link to a group: `gkchat://join/<code>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct InviteLink {
    pub code: String,
    pub link: String,
}

impl InviteLink {
    pub fn for_code(code: &str) -> Self {
        Self { code: code.to_owned(), link: format!("gkchat://join/{code}") }
    }

    /// The code in `gkchat://join/<code>` (or a bare code).
    pub fn code_of(text: &str) -> &str {
        let text = text.trim();
        text.strip_prefix("gkchat://join/").unwrap_or(text).trim_end_matches('/')
    }

    /// The code of a link when it has the shape the server gives codes (hex, at most 64
    /// characters): anything else cannot join and must not reach a URL path.
    pub fn valid_code(text: &str) -> Option<&str> {
        let code = Self::code_of(text);
        (!code.is_empty() && code.len() <= 64 && code.bytes().all(|b| b.is_ascii_hexdigit())).then_some(code)
    }
}

/// What anyone signed in with the link sees before joining (`GET /api/v1/invites/{code}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct InvitePreview {
    pub name: String,
    pub description: String,
    pub photo: Option<String>,
    pub member_count: u32,
    pub approval_needed: bool,
    /// I am in it already (joining again changes nothing).
    pub member: bool,
    /// I asked to join and wait for an admin.
    pub requested: bool,
}

/// The answer to `POST /api/v1/invites/{code}/join`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum JoinOutcome {
    Joined {
        chat: Box<ChatSummary>,
    },
    /// An admin must approve; the request waits in the group's list.
    Requested,
}

/// Someone waiting to join by the link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct JoinRequest {
    pub user_id: String,
    pub username: String,
    pub display_name: String,
    pub photo: Option<String>,
    pub requested_at: crate::account::UnixMillis,
}

/// `POST /api/v1/chats/{id}/requests/{user_id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct JoinDecision {
    pub approve: bool,
}

/// `GET`/`PUT /api/v1/me/group-add-exceptions`: the contacts who may not add me to groups when
/// my privacy says "my contacts except …".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct GroupAddExceptions {
    pub user_ids: Vec<String>,
}

/// A group name: one line, 1–100 characters, nothing hidden or direction-changing.
pub fn check_group_name(text: &str) -> Result<String, Invalid> {
    let name = check_profile_text("a group name", text, GROUP_NAME_MAX, true)?;
    if name.contains('\n') {
        return Err(Invalid::new(ErrorCode::InvalidProfile, "a group name is one line"));
    }
    if let Some(c) = deceptive_char(&name) {
        let words =
            format!("a group name contains an invisible or direction-changing character (U+{:04X})", u32::from(c));
        return Err(Invalid::new(ErrorCode::InvalidProfile, words));
    }
    Ok(name)
}

pub fn check_group_description(text: &str) -> Result<String, Invalid> {
    check_profile_text("a group description", text, GROUP_DESCRIPTION_MAX, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked() {
        assert_eq!(check_group_name("  Hiking club ").unwrap(), "Hiking club");
        assert!(check_group_name(" ").is_err());
        assert!(check_group_name("two\nlines").is_err());
        assert!(check_group_name(&"x".repeat(GROUP_NAME_MAX + 1)).is_err());
        assert!(check_group_name("evil\u{202e}name").is_err());
        assert!(check_group_description(&"x".repeat(GROUP_DESCRIPTION_MAX)).is_ok());
    }

    #[test]
    fn links_carry_their_code() {
        let link = InviteLink::for_code("AbC123");
        assert_eq!(link.link, "gkchat://join/AbC123");
        assert_eq!(InviteLink::code_of(&link.link), "AbC123");
        assert_eq!(InviteLink::code_of(" AbC123 "), "AbC123");
    }

    #[test]
    fn system_events_are_tagged() {
        let event = SystemEvent::MadeAdmin { user_id: "u1".into() };
        assert_eq!(serde_json::to_string(&event).unwrap(), r#"{"event":"made_admin","user_id":"u1"}"#);
    }
}
