//! The wire contract between the GK Chat companion server and its clients.
//!
//! Everything that crosses the network is defined here and nowhere else: WebSocket frames,
//! REST bodies, error codes and limits. This crate does no I/O, so the server, the headless
//! client, the desktop shell and (through generated TypeScript) the UI share one truth.

pub mod account;
pub mod chat;
pub mod error;
pub mod frame;
pub mod info;
pub mod limits;
pub mod quick;
pub mod ts;

pub use error::{ApiError, ErrorCode};
pub use frame::{ClientFrame, DecodeError, ErrorFrame, Hello, RequestId, ServerFrame, Welcome};
pub use info::ServerInfo;

/// The WebSocket protocol version this build speaks. A server accepts exactly this version in
/// the `hello` frame; bump it when a frame changes incompatibly.
pub const PROTOCOL_VERSION: u32 = 1;
