//! The wire contract between the GK Chat companion server and its clients.
//!
//! Everything that crosses the network is defined here and nowhere else: WebSocket frames,
//! REST bodies, error codes and limits. This crate does no I/O, so the server, the headless
//! client, the desktop shell and (through generated TypeScript) the UI share one truth.

pub mod account;
pub mod appearance;
pub mod call;
pub mod chat;
pub mod error;
pub mod event;
pub mod frame;
pub mod group;
pub mod info;
pub mod limits;
pub mod media;
pub mod poll;
pub mod quick;
pub mod status;
pub mod ts;

pub use error::{ApiError, ErrorCode};
pub use frame::{ClientFrame, DecodeError, ErrorFrame, Hello, RequestId, ServerFrame, Welcome};
pub use info::ServerInfo;

/// Now, in Unix milliseconds: the unit of every timestamp on the wire.
pub fn now_ms() -> account::UnixMillis {
    let since_epoch = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    i64::try_from(since_epoch.as_millis()).unwrap_or(i64::MAX)
}

/// The WebSocket protocol version this build speaks. A server accepts exactly this version in
/// the `hello` frame; bump it when a frame changes incompatibly.
pub const PROTOCOL_VERSION: u32 = 1;
