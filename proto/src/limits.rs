//! Limits every party enforces. The server rejects what exceeds them with a stable code.

/// Largest WebSocket frame (text) a server accepts from a client, in bytes.
pub const MAX_FRAME_BYTES: usize = 256 * 1024;

/// Largest `client` string in a `hello` frame.
pub const MAX_CLIENT_NAME_CHARS: usize = 128;

/// Bytes a WebSocket peer may send in all before its `hello` is accepted: a `hello` with a
/// token fits many times over, a stranger cannot make the server hold more.
pub const MAX_BEFORE_HELLO_BYTES: usize = 16 * 1024;
