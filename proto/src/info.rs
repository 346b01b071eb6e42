//! REST bodies that describe the server itself.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// `GET /api/v1/info`: who this server is. `instance_id` is created once with the data
/// directory and survives restarts, so a client can tell "same server" from "new server".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ServerInfo {
    /// Always `"gkchat-server"`.
    pub name: String,
    /// The server's crate version.
    pub version: String,
    /// The WebSocket protocol version it speaks.
    pub protocol: u32,
    pub instance_id: String,
}
