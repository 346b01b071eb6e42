//! WebSocket frames: JSON text messages tagged by `type`.
//!
//! A connection starts with the client's `hello` and the server's `welcome`. Frames that expect
//! an answer carry a client-chosen `id`; the answer (or an `error` frame) repeats it.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::call::{CallAction, CallEvent, IceServer};
use crate::chat::{ChatSummary, Message, MessageAction, NewMessage, ReceiptKind, ReceiptUpdate, TypingUpdate};
use crate::error::ErrorCode;

/// Correlates a request frame with its answer. Chosen by the client, unique per connection.
pub type RequestId = u64;

/// Frames a client sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientFrame {
    /// First frame of every connection.
    Hello(Hello),
    /// Application-level round trip; answered by `pong` with the same id.
    Ping { id: RequestId },
    /// Store and deliver a message; answered by `ack` (also when sent before: idempotent).
    Send { id: RequestId, message: NewMessage },
    /// Edit, delete or react to a message; answered by `done`.
    Act { id: RequestId, chat_id: String, message_id: String, action: MessageAction },
    /// I have received (or read) everything up to `seq` in a chat; answered by `done`.
    Receipt { id: RequestId, chat_id: String, kind: ReceiptKind, seq: i64 },
    /// I am (or stopped) typing. Not answered; a typing frame for a chat that is not mine is
    /// ignored.
    Typing { chat_id: String, typing: bool },
    /// Start, answer, refuse, leave or signal a call (see [`crate::call`]); answered by
    /// `call_ready` (start, accept) or `done`.
    Call { id: RequestId, call_id: String, action: CallAction },
}

impl ClientFrame {
    /// Every `type` value a client frame can have; used to tell an unknown frame from a
    /// malformed known one.
    pub const TYPES: &'static [&'static str] = &["hello", "ping", "send", "act", "receipt", "typing", "call"];

    /// Decodes one text frame, classifying failures so the server can answer with the right
    /// code.
    pub fn decode(text: &str) -> Result<Self, DecodeError> {
        match serde_json::from_str::<Self>(text) {
            Ok(frame) => Ok(frame),
            Err(err) => {
                let value: serde_json::Value =
                    serde_json::from_str(text).map_err(|e| DecodeError::Malformed(e.to_string()))?;
                match value.get("type").and_then(|t| t.as_str()) {
                    Some(kind) if !Self::TYPES.contains(&kind) => {
                        Err(DecodeError::UnknownType(kind.chars().take(64).collect()))
                    }
                    _ => Err(DecodeError::Malformed(err.to_string())),
                }
            }
        }
    }

    pub fn encode(&self) -> String {
        serde_json::to_string(self).expect("client frames always serialise")
    }
}

/// Why a text frame could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("malformed frame: {0}")]
    Malformed(String),
    #[error("unknown frame type {0:?}")]
    UnknownType(String),
}

impl DecodeError {
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Malformed(_) => ErrorCode::BadFrame,
            Self::UnknownType(_) => ErrorCode::UnknownFrame,
        }
    }
}

/// The client's opening frame.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Hello {
    /// Must equal the server's [`crate::PROTOCOL_VERSION`].
    pub protocol: u32,
    /// Free text naming the client, e.g. `gkchat-desktop/0.1.0`; shown in logs.
    pub client: String,
    /// An access token, for a signed-in connection. Without it the connection is anonymous and
    /// can only do what needs no account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub token: Option<String>,
}

/// Frames the server sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerFrame {
    /// Answer to a valid `hello`: the connection is ready.
    Welcome(Welcome),
    /// Answer to `ping`.
    Pong { id: RequestId },
    /// A contact came online, went offline, or changed who may see it.
    Presence(crate::account::Presence),
    /// Answer to `send`: the message is stored.
    Ack { id: RequestId, message: Message },
    /// Answer to a request that returns nothing else.
    Done { id: RequestId },
    /// A message was sent, changed, or deleted in one of my chats (also by my other devices).
    Message(Message),
    /// A chat I am in was created or its tile changed (e.g. my settings on another device).
    Chat(Box<ChatSummary>),
    /// A chat's receipt cursors moved, as I see them.
    Receipt(ReceiptUpdate),
    /// Someone started or stopped typing.
    Typing(TypingUpdate),
    /// This connection fell behind and pushes were dropped: sync now.
    Resync,
    /// Answer to a call `start` or `accept`: this device is in the call; use these ICE servers
    /// (TURN credentials valid for a while).
    CallReady { id: RequestId, call_id: String, ice_servers: Vec<IceServer> },
    /// Something happened in a call I am part of.
    Call(CallEvent),
    /// An upload that a message in one of my chats uses finished (or failed): load it now.
    Media(crate::media::MediaInfo),
    /// Something happened to a status post I may see, or to mine.
    Status(crate::status::StatusEvent),
    /// My account changed (on another device too): my profile, privacy, appearance.
    Me(Box<crate::account::Me>),
    /// Something went wrong. With `id`, it answers that request and the connection stays up;
    /// without, it is about the connection itself and a close follows.
    Error(ErrorFrame),
}

impl ServerFrame {
    pub fn encode(&self) -> String {
        serde_json::to_string(self).expect("server frames always serialise")
    }

    pub fn decode(text: &str) -> Result<Self, DecodeError> {
        serde_json::from_str(text).map_err(|e| DecodeError::Malformed(e.to_string()))
    }

    pub fn error(code: ErrorCode, message: impl Into<String>, id: Option<RequestId>) -> Self {
        Self::Error(ErrorFrame { code, message: message.into(), id })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Welcome {
    pub protocol: u32,
    pub server_version: String,
    /// Stable identity of the server's data directory; see [`crate::ServerInfo`].
    pub instance_id: String,
    /// The server pings at this interval and drops a peer silent for twice as long.
    pub heartbeat_secs: u32,
    /// The signed-in user, when `hello` carried a valid token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub user_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ErrorFrame {
    pub code: ErrorCode,
    pub message: String,
    /// The request this error answers, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub id: Option<RequestId>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `TYPES` is what serde itself knows: the list it gives for an unknown `type`.
    #[test]
    fn types_are_every_variant_serde_knows() {
        let err = serde_json::from_str::<ClientFrame>(r#"{"type":"no-such-kind"}"#).unwrap_err().to_string();
        let known: Vec<&str> = err
            .split("expected one of ")
            .nth(1)
            .expect("serde lists the variants")
            .split(", ")
            .map(|v| v.split('`').nth(1).unwrap())
            .collect();
        assert_eq!(known, ClientFrame::TYPES, "{err}");
    }

    #[test]
    fn hello_round_trips() {
        let frame = ClientFrame::Hello(Hello { protocol: 1, client: "t".into(), token: None });
        let text = frame.encode();
        assert_eq!(text, r#"{"type":"hello","protocol":1,"client":"t"}"#);
        assert_eq!(ClientFrame::decode(&text).unwrap(), frame);
    }

    #[test]
    fn garbage_is_malformed() {
        assert_eq!(ClientFrame::decode("not json").unwrap_err().code(), ErrorCode::BadFrame);
        assert_eq!(ClientFrame::decode("[1,2]").unwrap_err().code(), ErrorCode::BadFrame);
    }

    #[test]
    fn unknown_type_is_told_apart_from_bad_fields() {
        let unknown = ClientFrame::decode(r#"{"type":"teleport"}"#).unwrap_err();
        assert_eq!(unknown, DecodeError::UnknownType("teleport".into()));
        let bad = ClientFrame::decode(r#"{"type":"ping","id":"x"}"#).unwrap_err();
        assert_eq!(bad.code(), ErrorCode::BadFrame);
    }

    #[test]
    fn types_lists_every_variant() {
        let samples = [
            ClientFrame::Hello(Hello { protocol: 1, client: String::new(), token: None }),
            ClientFrame::Ping { id: 1 },
            ClientFrame::Send {
                id: 2,
                message: NewMessage {
                    id: "m".into(),
                    chat_id: "c".into(),
                    content: crate::chat::Content::text("t"),
                    reply_to: None,
                    forwarded: false,
                },
            },
            ClientFrame::Act { id: 3, chat_id: "c".into(), message_id: "m".into(), action: MessageAction::DeleteForMe },
            ClientFrame::Receipt { id: 4, chat_id: "c".into(), kind: ReceiptKind::Read, seq: 1 },
            ClientFrame::Typing { chat_id: "c".into(), typing: true },
            ClientFrame::Call { id: 5, call_id: "k".into(), action: CallAction::Accept },
        ];
        assert_eq!(samples.len(), ClientFrame::TYPES.len());
        for frame in samples {
            let value: serde_json::Value = serde_json::from_str(&frame.encode()).unwrap();
            let kind = value["type"].as_str().unwrap();
            assert!(ClientFrame::TYPES.contains(&kind), "{kind} missing from TYPES");
        }
    }

    #[test]
    fn error_without_id_omits_it() {
        let text = ServerFrame::error(ErrorCode::BadFrame, "x", None).encode();
        assert_eq!(text, r#"{"type":"error","code":"bad_frame","message":"x"}"#);
    }
}
