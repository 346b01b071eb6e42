//! Voice and video calls: the signalling that travels over the WebSocket, and the call log.
//!
//! The server only relays and referees: it rings the callee's devices, tells the others to stop
//! when one answers, hands both sides short-lived TURN credentials, passes SDP and ICE between the
//! two devices in the call, times out ringing, and keeps the log. Media never touches it (except
//! as a TURN relay).
//!
//! One call, as frames:
//! caller `call {start}` → server `call_ready` (ICE servers) and `call {incoming}` to every device
//! of the callee → a callee device `call {accept}` → server `call_ready` to it, `call {accepted}`
//! to the caller, `call {answered_elsewhere}` to the callee's other devices → the caller sends
//! `call {signal: offer}`, the callee `call {signal: answer}`, both trickle `candidate`s → either
//! side `call {hang_up}` → server `call {ended}` to both. Ringing that nobody answers within
//! [`RING_TIMEOUT_MS`] ends as `missed`.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::account::UnixMillis;

/// How long a call rings before it ends as missed.
pub const RING_TIMEOUT_MS: i64 = 45_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CallKind {
    Audio,
    Video,
}

/// How a call ended, as the log keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CallOutcome {
    /// Someone answered; the call took place.
    Answered,
    /// Nobody answered in time.
    Missed,
    /// The callee said no.
    Declined,
    /// The callee was already in a call.
    Busy,
    /// The caller gave up while it rang.
    Cancelled,
    /// A device dropped or the media could not be set up.
    Failed,
}

/// A STUN/TURN server for ICE, in the shape of the W3C `RTCIceServer`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct IceServer {
    /// `stun:host:port` or `turn:host:port?transport=udp`.
    pub urls: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub credential: Option<String>,
}

/// What the two devices in a call tell each other, relayed as is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CallSignal {
    /// An SDP offer (the first one, or a renegotiation such as switching to video).
    Offer {
        sdp: String,
    },
    Answer {
        sdp: String,
    },
    /// A trickled ICE candidate (`candidate:…` line), with its media section.
    Candidate {
        candidate: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        sdp_mid: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        sdp_mline_index: Option<u16>,
    },
}

/// What a device asks of a call, in a `call` frame.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum CallAction {
    /// Ring `callee_id`. Answered by `call_ready`.
    Start { callee_id: String, kind: CallKind },
    /// Answer a ringing call on this device. Answered by `call_ready`.
    Accept,
    /// Refuse a ringing call (from any of the callee's devices). Answered by `done`.
    Decline,
    /// Leave the call: cancels it while it rings (caller), ends it once answered. `failed` says the
    /// media could not be set up. Answered by `done`.
    HangUp {
        #[serde(default)]
        failed: bool,
    },
    /// Pass SDP or a candidate to the other device. Answered by `done`.
    Signal { signal: CallSignal },
    /// The call is now audio only or with video (the renegotiation travels as signals). Answered by
    /// `done`.
    Switch { kind: CallKind },
}

/// A call as the devices see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CallInfo {
    pub call_id: String,
    pub caller_id: String,
    pub callee_id: String,
    pub kind: CallKind,
    pub started_at: UnixMillis,
}

/// What the server tells a device about a call, in a `call` frame.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum CallEvent {
    /// Someone is calling me (sent to each of my devices).
    Incoming { call: CallInfo },
    /// The callee answered (to the caller's device).
    Accepted { call_id: String, answered_at: UnixMillis },
    /// Another of my devices answered or declined: stop ringing here.
    AnsweredElsewhere { call_id: String },
    /// SDP or a candidate from the other device.
    Signal { call_id: String, signal: CallSignal },
    /// The other side switched between audio and video.
    Switched { call_id: String, kind: CallKind },
    /// The call is over.
    Ended { call_id: String, outcome: CallOutcome, ended_at: UnixMillis },
}

impl CallEvent {
    pub fn call_id(&self) -> &str {
        match self {
            Self::Incoming { call } => &call.call_id,
            Self::Accepted { call_id, .. }
            | Self::AnsweredElsewhere { call_id }
            | Self::Signal { call_id, .. }
            | Self::Switched { call_id, .. }
            | Self::Ended { call_id, .. } => call_id,
        }
    }
}

/// Whether I placed or received a logged call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CallDirection {
    Outgoing,
    Incoming,
}

/// One line of my call log (`GET /api/v1/calls`), newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CallLogEntry {
    pub call_id: String,
    pub direction: CallDirection,
    /// The other person.
    pub peer: crate::chat::ChatPeer,
    /// `video` when video was on at any time during the call.
    pub kind: CallKind,
    pub outcome: CallOutcome,
    pub started_at: UnixMillis,
    pub answered_at: Option<UnixMillis>,
    pub ended_at: UnixMillis,
    /// From answer to end; 0 when never answered.
    pub duration_ms: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_read_as_documented() {
        let start: CallAction = serde_json::from_str(r#"{"action":"start","callee_id":"u","kind":"video"}"#).unwrap();
        assert_eq!(start, CallAction::Start { callee_id: "u".into(), kind: CallKind::Video });
        let hang_up: CallAction = serde_json::from_str(r#"{"action":"hang_up"}"#).unwrap();
        assert_eq!(hang_up, CallAction::HangUp { failed: false });
        let signal = CallEvent::Signal { call_id: "c".into(), signal: CallSignal::Offer { sdp: "v=0".into() } };
        let text = serde_json::to_string(&signal).unwrap();
        assert_eq!(text, r#"{"event":"signal","call_id":"c","signal":{"kind":"offer","sdp":"v=0"}}"#);
        assert_eq!(signal.call_id(), "c");
    }
}
