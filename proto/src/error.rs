//! Stable error codes. Clients match on these, never on messages, so a code once shipped is
//! never renamed or reused for another meaning.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A stable, machine-readable error code, shared by REST error bodies, WebSocket `error` frames
/// and the desktop app's command errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The frame was not valid JSON, or a known frame had missing or malformed fields.
    BadFrame,
    /// The frame's `type` is not one this server knows.
    UnknownFrame,
    /// The `hello` frame asked for a protocol version this server does not speak.
    UnsupportedProtocol,
    /// A frame other than `hello` arrived before the handshake finished.
    HandshakeRequired,
    /// No `hello` arrived in time.
    HandshakeTimeout,
    /// The frame is larger than [`crate::limits::MAX_FRAME_BYTES`].
    FrameTooLarge,
    /// The server is at its connection limit; try again later.
    ServerBusy,
    /// The server is shutting down; reconnect later.
    ServerShuttingDown,
    /// The request was malformed or a value was out of range.
    BadRequest,
    /// No such route or resource.
    NotFound,
    /// The server is not ready (for example its database is unreachable).
    Unavailable,
    /// An error inside the server; details are in its log, never on the wire.
    Internal,
    /// A URL given by the user is not a valid `http://` or `https://` address.
    InvalidUrl,
    /// The companion server could not be reached.
    Unreachable,
    /// A username is not 3–32 of `a-z 0-9 . _`.
    InvalidUsername,
    /// Another account has this username.
    UsernameTaken,
    /// Not an email address.
    InvalidEmail,
    /// Another account has this email address.
    EmailTaken,
    /// The password is too short or too easy to guess.
    WeakPassword,
    /// Wrong login or password.
    InvalidCredentials,
    /// A profile field is empty where it must not be, or too long.
    InvalidProfile,
    /// No valid access token came with the request.
    Unauthorized,
    /// The access token has expired; refresh it.
    TokenExpired,
    /// This device was signed out (or its refresh token was reused).
    SessionRevoked,
    /// Too many attempts; wait for `Retry-After` seconds.
    RateLimited,
    /// Not a phone number in international form (+ country code).
    InvalidPhone,
    /// Another account has verified this phone number.
    PhoneTaken,
    /// The one-time code is wrong or was already used.
    InvalidCode,
    /// The one-time code has expired; ask for a new one.
    CodeExpired,
    /// Too many wrong codes; ask for a new one.
    TooManyAttempts,
    /// The upload is not an image we can read (PNG, JPEG, WebP or GIF), or is too small.
    InvalidImage,
    /// The request body is larger than the server accepts.
    PayloadTooLarge,
    /// The message is longer than the limit.
    MessageTooLarge,
    /// You are not a member of that chat.
    NotAMember,
    /// A block stands between you and that person.
    Blocked,
    /// Only allowed for a while (editing, deleting for everyone), and that time has passed.
    TooLate,
    /// Not yours to change.
    Forbidden,
    /// That quick chat was ended (or timed out) and is gone.
    QuickChatEnded,
    /// No such call, or it is already over (or was answered on another device).
    CallNotActive,
    /// You are already in a call.
    AlreadyInCall,
    /// That route does not take this HTTP method.
    MethodNotAllowed,
    /// The group has as many members as a group may have.
    GroupFull,
    /// That person's privacy setting (who may add them to groups) or a block does not let you
    /// add them.
    AddNotAllowed,
    /// Only the group's admins may do that (send, when only admins may; edit its info, when
    /// only admins may).
    AdminsOnly,
    /// The invite link was revoked or reset, or never existed.
    InviteInvalid,
    /// No such media, or not yours to use: an attachment names a media id that does not exist,
    /// expired, or that you may not see.
    UnknownMedia,
    /// An upload's `Upload-Offset` is not where the server's copy ends: ask (`HEAD`) and resume
    /// from there.
    OffsetMismatch,
    /// The upload was not finished in time (or was cancelled) and is gone; start again.
    UploadExpired,
    /// Another request is writing to this upload right now.
    UploadBusy,
    /// The chunk's `Upload-Checksum` did not match its bytes; nothing of it was kept.
    ChecksumMismatch,
    /// The request body's `Content-Type` is not the one this route takes.
    UnsupportedMediaType,
    /// The media's upload has not finished yet: show a placeholder and wait for its `media` push.
    MediaNotReady,
    /// The poll was closed by its creator: no more votes.
    PollClosed,
    /// The event was cancelled by its creator: no more answers or changes.
    EventCancelled,
    /// The message disappeared (its chat's timer ran out): nothing can be done to it any more.
    MessageExpired,
    /// That person accepts messages from their contacts only ("who can message me"), and you
    /// are not one of them.
    NotAccepting,
}

impl ErrorCode {
    /// Every code, for tests and documentation.
    pub const ALL: &'static [ErrorCode] = &[
        Self::BadFrame,
        Self::UnknownFrame,
        Self::UnsupportedProtocol,
        Self::HandshakeRequired,
        Self::HandshakeTimeout,
        Self::FrameTooLarge,
        Self::ServerBusy,
        Self::ServerShuttingDown,
        Self::BadRequest,
        Self::NotFound,
        Self::Unavailable,
        Self::Internal,
        Self::InvalidUrl,
        Self::Unreachable,
        Self::InvalidUsername,
        Self::UsernameTaken,
        Self::InvalidEmail,
        Self::EmailTaken,
        Self::WeakPassword,
        Self::InvalidCredentials,
        Self::InvalidProfile,
        Self::Unauthorized,
        Self::TokenExpired,
        Self::SessionRevoked,
        Self::RateLimited,
        Self::InvalidPhone,
        Self::PhoneTaken,
        Self::InvalidCode,
        Self::CodeExpired,
        Self::TooManyAttempts,
        Self::InvalidImage,
        Self::PayloadTooLarge,
        Self::MessageTooLarge,
        Self::NotAMember,
        Self::Blocked,
        Self::TooLate,
        Self::Forbidden,
        Self::QuickChatEnded,
        Self::CallNotActive,
        Self::AlreadyInCall,
        Self::MethodNotAllowed,
        Self::GroupFull,
        Self::AddNotAllowed,
        Self::AdminsOnly,
        Self::InviteInvalid,
        Self::UnknownMedia,
        Self::OffsetMismatch,
        Self::UploadExpired,
        Self::UploadBusy,
        Self::ChecksumMismatch,
        Self::UnsupportedMediaType,
        Self::MediaNotReady,
        Self::PollClosed,
        Self::EventCancelled,
        Self::MessageExpired,
        Self::NotAccepting,
    ];

    /// The code as it appears on the wire (`"bad_frame"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BadFrame => "bad_frame",
            Self::UnknownFrame => "unknown_frame",
            Self::UnsupportedProtocol => "unsupported_protocol",
            Self::HandshakeRequired => "handshake_required",
            Self::HandshakeTimeout => "handshake_timeout",
            Self::FrameTooLarge => "frame_too_large",
            Self::ServerBusy => "server_busy",
            Self::ServerShuttingDown => "server_shutting_down",
            Self::BadRequest => "bad_request",
            Self::NotFound => "not_found",
            Self::Unavailable => "unavailable",
            Self::Internal => "internal",
            Self::InvalidUrl => "invalid_url",
            Self::Unreachable => "unreachable",
            Self::InvalidUsername => "invalid_username",
            Self::UsernameTaken => "username_taken",
            Self::InvalidEmail => "invalid_email",
            Self::EmailTaken => "email_taken",
            Self::WeakPassword => "weak_password",
            Self::InvalidCredentials => "invalid_credentials",
            Self::InvalidProfile => "invalid_profile",
            Self::Unauthorized => "unauthorized",
            Self::TokenExpired => "token_expired",
            Self::SessionRevoked => "session_revoked",
            Self::RateLimited => "rate_limited",
            Self::InvalidPhone => "invalid_phone",
            Self::PhoneTaken => "phone_taken",
            Self::InvalidCode => "invalid_code",
            Self::CodeExpired => "code_expired",
            Self::TooManyAttempts => "too_many_attempts",
            Self::InvalidImage => "invalid_image",
            Self::PayloadTooLarge => "payload_too_large",
            Self::MessageTooLarge => "message_too_large",
            Self::NotAMember => "not_a_member",
            Self::Blocked => "blocked",
            Self::TooLate => "too_late",
            Self::Forbidden => "forbidden",
            Self::QuickChatEnded => "quick_chat_ended",
            Self::CallNotActive => "call_not_active",
            Self::AlreadyInCall => "already_in_call",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::GroupFull => "group_full",
            Self::AddNotAllowed => "add_not_allowed",
            Self::AdminsOnly => "admins_only",
            Self::InviteInvalid => "invite_invalid",
            Self::UnknownMedia => "unknown_media",
            Self::OffsetMismatch => "offset_mismatch",
            Self::UploadExpired => "upload_expired",
            Self::UploadBusy => "upload_busy",
            Self::ChecksumMismatch => "checksum_mismatch",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::MediaNotReady => "media_not_ready",
            Self::PollClosed => "poll_closed",
            Self::EventCancelled => "event_cancelled",
            Self::MessageExpired => "message_expired",
            Self::NotAccepting => "not_accepting",
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The body of every REST error response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ApiError {
    pub code: ErrorCode,
    /// A sentence for people; may change between versions.
    pub message: String,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn as_str_matches_serde_name() {
        for code in ErrorCode::ALL {
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
        }
    }
}
