//! Accounts, device sessions and profiles: the REST bodies and the rules for their fields.
//! The server enforces these rules; clients may check them early with the same functions.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::ErrorCode;

/// Milliseconds since the Unix epoch, UTC.
pub type UnixMillis = i64;

pub const USERNAME_MIN: usize = 3;
pub const USERNAME_MAX: usize = 32;
pub const EMAIL_MAX: usize = 254;
pub const PASSWORD_MIN: usize = 8;
/// Longest password accepted; argon2 would take anything, but unbounded input is a DoS lever.
pub const PASSWORD_MAX: usize = 256;
pub const DISPLAY_NAME_MAX: usize = 64;
pub const ABOUT_MAX: usize = 140;
pub const STATUS_TEXT_MAX: usize = 140;
pub const DEVICE_NAME_MAX: usize = 64;

/// Which device a session belongs to, as the user would recognise it in "my devices".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DeviceInfo {
    /// e.g. "GK Chat on laptop".
    pub name: String,
    /// e.g. "linux", "windows", "macos", "cli".
    pub platform: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SignUpRequest {
    pub username: String,
    pub email: String,
    pub password: String,
    /// Defaults to the username.
    #[serde(default)]
    #[ts(optional)]
    pub display_name: Option<String>,
    pub device: DeviceInfo,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SignInRequest {
    /// Username or email address.
    pub login: String,
    pub password: String,
    pub device: DeviceInfo,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

/// `DELETE /api/v1/me`: deleting the account needs the password again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DeleteAccountRequest {
    pub password: String,
}

/// What signing in (or refreshing) returns. The refresh token is shown once; the server keeps
/// only its hash, and it changes at every refresh.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AuthTokens {
    pub access_token: String,
    pub access_expires_at: UnixMillis,
    pub refresh_token: String,
    pub session_id: String,
    pub user: Me,
}

/// Who may see a part of my profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    Everyone,
    Contacts,
    Nobody,
}

impl Visibility {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Everyone => "everyone",
            Self::Contacts => "contacts",
            Self::Nobody => "nobody",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "everyone" => Some(Self::Everyone),
            "contacts" => Some(Self::Contacts),
            "nobody" => Some(Self::Nobody),
            _ => None,
        }
    }
}

/// Who may add me to groups.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum GroupAdd {
    #[default]
    Everyone,
    Contacts,
    /// My contacts, except those I listed (`/api/v1/me/group-add-exceptions`).
    ContactsExcept,
}

impl GroupAdd {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Everyone => "everyone",
            Self::Contacts => "contacts",
            Self::ContactsExcept => "contacts_except",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "everyone" => Some(Self::Everyone),
            "contacts" => Some(Self::Contacts),
            "contacts_except" => Some(Self::ContactsExcept),
            _ => None,
        }
    }
}

/// Who may start a chat with me ("who can message me").
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum WhoCanMessage {
    /// Anyone; a stranger's first message lands under Requests.
    #[default]
    Everyone,
    /// My contacts only; anyone else is refused with `not_accepting`.
    Contacts,
}

impl WhoCanMessage {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Everyone => "everyone",
            Self::Contacts => "contacts",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "everyone" => Some(Self::Everyone),
            "contacts" => Some(Self::Contacts),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Privacy {
    pub last_seen: Visibility,
    pub photo: Visibility,
    pub about: Visibility,
    pub read_receipts: bool,
    /// Who may add me to groups. Always in what the server sends; an update without it (an
    /// older client) leaves it as it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub groups: Option<GroupAdd>,
    /// The disappearing-message timer my new chats start with (0: off; else one of
    /// [`crate::chat::DISAPPEAR_TIMERS_MS`]). Always in what the server sends; absent in an
    /// update, it stays.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub default_timer_ms: Option<i64>,
    /// Who may start a chat with me. Always in what the server sends; absent in an update, it
    /// stays.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub who_can_message: Option<WhoCanMessage>,
}

impl Default for Privacy {
    fn default() -> Self {
        Self {
            last_seen: Visibility::Everyone,
            photo: Visibility::Everyone,
            about: Visibility::Everyone,
            read_receipts: true,
            groups: None,
            default_timer_ms: None,
            who_can_message: None,
        }
    }
}

/// My own account, as only I see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Me {
    pub id: String,
    pub username: String,
    pub email: String,
    pub display_name: String,
    pub about: String,
    /// A short current status, e.g. "at the gym"; empty when none.
    pub status_text: String,
    /// My verified phone number (E.164, e.g. `+4915112345678`), if any.
    pub phone: Option<String>,
    /// My profile photo's id, if I have one. `PUT /api/v1/me/photo` (the image as the body,
    /// optional `x`, `y`, `size` crop in the query) sets it, `DELETE` removes it, and
    /// `GET /api/v1/users/<id>/photo?size=thumb|full` serves anyone's current photo (JPEG) to
    /// whoever may see it.
    pub photo: Option<String>,
    pub privacy: Privacy,
    pub created_at: UnixMillis,
    /// How the app looks for me, on all my devices.
    #[serde(default)]
    pub appearance: crate::appearance::Appearance,
}

/// `PATCH /api/v1/me`: only the fields present change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ProfileUpdate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub display_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub about: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub status_text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub privacy: Option<Privacy>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub appearance: Option<crate::appearance::Appearance>,
}

/// One signed-in device, in "my devices".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DeviceSession {
    pub id: String,
    pub name: String,
    pub platform: String,
    pub created_at: UnixMillis,
    pub last_used_at: UnixMillis,
    /// The session making this request.
    pub current: bool,
}

/// Another user as I may see them: what their privacy settings allow me.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Contact {
    pub user_id: String,
    pub username: String,
    pub display_name: String,
    /// Empty when their privacy hides it from me.
    pub about: String,
    pub status_text: String,
    /// Their photo's id; `None` when they have none or their privacy hides it from me.
    pub photo: Option<String>,
    /// Connected now (false when their privacy hides it from me).
    pub online: bool,
    /// When they were last connected; `None` when unknown or hidden from me.
    pub last_seen: Option<UnixMillis>,
    pub added_at: UnixMillis,
}

/// A change of someone's presence, pushed live to those allowed to see it
/// (`presence` frame). `online: false` with no `last_seen` means "hidden from you now".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Presence {
    pub user_id: String,
    pub online: bool,
    pub last_seen: Option<UnixMillis>,
}

/// Largest photo upload, in bytes.
pub const PHOTO_MAX_BYTES: usize = 10 * 1024 * 1024;
/// Smallest side of an uploaded photo's square, in pixels.
pub const PHOTO_MIN_SIDE: u32 = 64;
/// Side of the stored profile photo, in pixels (smaller uploads keep their size).
pub const PHOTO_SIDE: u32 = 640;
/// Side of the thumbnail shown in lists.
pub const PHOTO_THUMB_SIDE: u32 = 96;

/// Which square of an uploaded image becomes the photo, in the image's pixels. Without it the
/// largest centred square is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PhotoCrop {
    pub x: u32,
    pub y: u32,
    pub size: u32,
}

/// Which rendition of a photo to fetch.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum PhotoSize {
    #[default]
    Thumb,
    Full,
}

impl PhotoSize {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Thumb => "thumb",
            Self::Full => "full",
        }
    }
}

/// `POST /api/v1/contacts`: who to add, by one of the ways a person can be found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "by", content = "value", rename_all = "snake_case")]
pub enum AddContactRequest {
    Username(String),
    /// A verified phone number, international form.
    Phone(String),
    /// A contact link, `gkchat://add/<token>`, as the QR code carries it.
    Link(String),
}

/// The scheme and path of contact links (the QR code in "my code").
pub const CONTACT_LINK_PREFIX: &str = "gkchat://add/";

impl AddContactRequest {
    /// Reads what a person typed or scanned: a contact link, a phone number (`+…`), or a
    /// username (an `@` in front is fine).
    pub fn from_text(text: &str) -> Self {
        let text = text.trim();
        if text.starts_with(CONTACT_LINK_PREFIX) {
            Self::Link(text.to_owned())
        } else if text.starts_with('+') {
            Self::Phone(text.to_owned())
        } else {
            Self::Username(text.trim_start_matches('@').to_owned())
        }
    }
}

/// My contact link and the token in it; resetting the token retires old QR codes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ContactLink {
    pub link: String,
}

/// Someone I blocked, in "blocked contacts".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct BlockedUser {
    pub user_id: String,
    pub username: String,
    pub display_name: String,
    pub blocked_at: UnixMillis,
}

/// `POST /api/v1/blocks`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct BlockRequest {
    pub user_id: String,
}

pub const REPORT_REASON_MAX: usize = 500;
/// Most message ids one report may attach.
pub const REPORT_MESSAGES_MAX: usize = 50;
/// How many of our last messages the app attaches when I choose to include them.
pub const REPORT_RECENT_MESSAGES: u32 = 20;

/// `POST /api/v1/reports`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ReportRequest {
    pub user_id: String,
    pub reason: String,
    /// Ids of messages of our direct chat to include (the server refuses any other with
    /// `bad_request` and keeps a copy of their text with the report).
    #[serde(default)]
    pub message_ids: Vec<String>,
    /// Also block the user ("report and block").
    #[serde(default)]
    pub block: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ReportReceipt {
    pub id: String,
}

/// Asks for a one-time code by SMS: `POST /api/v1/me/phone` (to verify a number for my
/// account) or `POST /api/v1/auth/phone/code` (to sign in with it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PhoneCodeRequest {
    /// International form with country code, e.g. `+49 151 12345678`.
    pub phone: String,
}

/// The code is on its way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PhoneCodeSent {
    /// The number in E.164 form, as the server understood it.
    pub phone: String,
    pub expires_at: UnixMillis,
    /// No new code before this time.
    pub resend_after: UnixMillis,
}

/// `POST /api/v1/me/phone/verify`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct VerifyPhoneRequest {
    pub phone: String,
    pub code: String,
}

/// `POST /api/v1/auth/phone/signin`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PhoneSignInRequest {
    pub phone: String,
    pub code: String,
    pub device: DeviceInfo,
}

/// A field that broke a rule: the stable code and words for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub code: ErrorCode,
    pub message: String,
}

impl Invalid {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into() }
    }
}

/// Usernames are 3–32 of `a-z 0-9 . _`, compared case-insensitively: this returns the
/// lower-cased form that is stored.
pub fn normalize_username(text: &str) -> Result<String, Invalid> {
    let name = text.trim().to_lowercase();
    let length = name.chars().count();
    if !(USERNAME_MIN..=USERNAME_MAX).contains(&length) {
        return Err(Invalid::new(
            ErrorCode::InvalidUsername,
            format!("a username has {USERNAME_MIN} to {USERNAME_MAX} characters"),
        ));
    }
    if !name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '_') {
        return Err(Invalid::new(
            ErrorCode::InvalidUsername,
            "a username may use only letters a–z, digits, dots and underscores",
        ));
    }
    Ok(name)
}

/// A plausible address (`local@domain.tld`, no spaces), lower-cased for comparison.
pub fn normalize_email(text: &str) -> Result<String, Invalid> {
    let email = text.trim().to_lowercase();
    let invalid = || Invalid::new(ErrorCode::InvalidEmail, format!("{:?} is not an email address", text.trim()));
    if email.len() > EMAIL_MAX || email.chars().any(char::is_whitespace) {
        return Err(invalid());
    }
    let (local, domain) = email.split_once('@').ok_or_else(invalid)?;
    let domain_ok = domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && !domain.contains('@');
    if local.is_empty() || !domain_ok {
        return Err(invalid());
    }
    Ok(email)
}

/// Length rules only; guessability is judged by the server.
pub fn check_password_length(password: &str) -> Result<(), Invalid> {
    let length = password.chars().count();
    if length < PASSWORD_MIN {
        return Err(Invalid::new(
            ErrorCode::WeakPassword,
            format!("a password needs at least {PASSWORD_MIN} characters"),
        ));
    }
    if length > PASSWORD_MAX {
        return Err(Invalid::new(ErrorCode::WeakPassword, format!("a password has at most {PASSWORD_MAX} characters")));
    }
    Ok(())
}

/// Trims `text` and checks it against `max` characters; `required` refuses empty text.
pub fn check_profile_text(field: &str, text: &str, max: usize, required: bool) -> Result<String, Invalid> {
    let text = text.trim();
    if required && text.is_empty() {
        return Err(Invalid::new(ErrorCode::InvalidProfile, format!("{field} must not be empty")));
    }
    if text.chars().count() > max {
        return Err(Invalid::new(ErrorCode::InvalidProfile, format!("{field} has at most {max} characters")));
    }
    if text.chars().any(|c| c.is_control() && c != '\n') {
        return Err(Invalid::new(ErrorCode::InvalidProfile, format!("{field} contains control characters")));
    }
    Ok(text.to_owned())
}

/// A display name: a profile text that also may not hide characters or turn the writing
/// direction, which would let one person pass for another.
pub fn check_display_name(text: &str) -> Result<String, Invalid> {
    let name = check_profile_text("display name", text, DISPLAY_NAME_MAX, true)?;
    if name.contains('\n') {
        return Err(Invalid::new(ErrorCode::InvalidProfile, "a display name is one line"));
    }
    if let Some(c) = deceptive_char(&name) {
        return Err(Invalid::new(
            ErrorCode::InvalidProfile,
            format!("display name contains an invisible or direction-changing character (U+{:04X})", u32::from(c)),
        ));
    }
    Ok(name)
}

/// The first character in `name` that is invisible or changes the writing direction: bidi
/// overrides, embeddings, isolates and marks, zero-width spaces and joiners, word joiners,
/// fillers, soft hyphens, tags. Joiners are allowed where scripts and emoji need them: a
/// zero-width (non-)joiner between two non-ASCII characters, tags after a black flag.
pub fn deceptive_char(name: &str) -> Option<char> {
    let chars: Vec<char> = name.chars().collect();
    chars.iter().enumerate().find_map(|(i, &c)| {
        let code = u32::from(c);
        let joiner_between_non_ascii = || {
            let visible =
                |c: Option<&char>| c.is_some_and(|c| !c.is_ascii() && deceptive_char(&c.to_string()).is_none());
            visible(i.checked_sub(1).and_then(|p| chars.get(p))) && visible(chars.get(i + 1))
        };
        let deceptive = match code {
            0x200C | 0x200D => !joiner_between_non_ascii(),
            // Tags spell a subdivision flag after U+1F3F4 (🏴), seven at most; anywhere else
            // they hide text.
            0xE0020..=0xE007F => {
                let run = chars[..i].iter().rev().take_while(|c| (0xE0020..=0xE007F).contains(&u32::from(**c))).count();
                run >= 7 || i.checked_sub(run + 1).and_then(|p| chars.get(p)) != Some(&'\u{1F3F4}')
            }
            0x00AD | 0x034F | 0x061C | 0x115F | 0x1160 | 0x17B4 | 0x17B5 | 0x2800 | 0x3164 | 0xFFA0 | 0xFEFF => true,
            0x180B..=0x180F | 0xFE00..=0xFE0E | 0x1D173..=0x1D17A | 0xE0100..=0xE01EF => true,
            0x200B | 0x200E | 0x200F | 0x2028 | 0x2029 => true,
            0x202A..=0x202E | 0x2060..=0x206F | 0xFFF9..=0xFFFB | 0xE0000..=0xE001F => true,
            _ => false,
        };
        deceptive.then_some(c)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_may_not_hide_or_turn_text() {
        for bad in [
            "alice\u{202E}gnp.exe",
            "al\u{200B}ice",
            "al\u{200D}ice",
            "\u{2067}bob\u{2069}",
            "\u{200F}carol",
            "dave\u{2060}",
            "erin\u{00AD}",
            "\u{FEFF}frank",
            "x\u{E0041}",
            "Alice\n✔ verified",
            "Al\u{2800}ice",
            "A\u{FE00}lice",
            "🏴\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E0067}\u{E0067}\u{E0067}\u{E007F}",
        ] {
            let err = check_display_name(bad).unwrap_err();
            assert_eq!(err.code, ErrorCode::InvalidProfile, "{bad:?}");
        }
        // Scripts and emoji that need joiners still work.
        for good in [
            "Alice Smith",
            "👨\u{200D}👩\u{200D}👧 family",
            "می\u{200C}خواهم",
            "🏴\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E007F} Sam",
            "Zoë",
        ] {
            assert_eq!(check_display_name(good).unwrap(), good, "{good:?}");
        }
    }

    #[test]
    fn usernames_are_lowercased_and_limited() {
        assert_eq!(normalize_username("  Alice_01.x ").unwrap(), "alice_01.x");
        for bad in ["ab", "a".repeat(33).as_str(), "with space", "émile", "dash-name", ""] {
            assert_eq!(normalize_username(bad).unwrap_err().code, ErrorCode::InvalidUsername, "{bad}");
        }
    }

    #[test]
    fn emails_need_a_local_part_and_a_dotted_domain() {
        assert_eq!(normalize_email(" Bob@Example.ORG ").unwrap(), "bob@example.org");
        for bad in ["bob", "@x.org", "bob@org", "bob@.org", "bob@x..org", "b ob@x.org", "a@b@c.org"] {
            assert_eq!(normalize_email(bad).unwrap_err().code, ErrorCode::InvalidEmail, "{bad}");
        }
    }

    #[test]
    fn contact_handles_from_text() {
        assert_eq!(AddContactRequest::from_text(" @Bob "), AddContactRequest::Username("Bob".into()));
        assert_eq!(AddContactRequest::from_text("+44 7911"), AddContactRequest::Phone("+44 7911".into()));
        assert_eq!(
            AddContactRequest::from_text("gkchat://add/abc"),
            AddContactRequest::Link("gkchat://add/abc".into())
        );
    }

    #[test]
    fn password_length_bounds() {
        assert!(check_password_length("1234567").is_err());
        assert!(check_password_length("12345678").is_ok());
        assert!(check_password_length(&"x".repeat(PASSWORD_MAX + 1)).is_err());
    }

    #[test]
    fn profile_text_rules() {
        assert_eq!(check_profile_text("name", "  Ann ", 10, true).unwrap(), "Ann");
        assert!(check_profile_text("name", "   ", 10, true).is_err());
        assert_eq!(check_profile_text("about", "", 10, false).unwrap(), "");
        assert!(check_profile_text("about", "elevenchars", 10, false).is_err());
        assert!(check_profile_text("about", "bell\u{7}", 10, false).is_err());
    }
}
