//! WebSocket upgrades with limits on what a peer may make the server hold: the largest frame and
//! message, a small read buffer, and — until the peer has said who it is — a budget of bytes it
//! may send at all, so a stranger cannot park a 16 MiB frame on the server before its `hello`.
//! Every socket (the app's `/ws` and the quick chat's live room) comes through here.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use gkchat_proto::ErrorCode;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};

use crate::error::Error;

/// An upgraded socket, read through its byte [`Budget`].
pub type Socket = WebSocketStream<Budgeted<TokioIo<hyper::upgrade::Upgraded>>>;

/// What one socket may make the server hold.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest message (frames reassembled), in bytes.
    pub max_message: usize,
    /// Largest single frame, in bytes.
    pub max_frame: usize,
    /// Bytes the peer may send before [`Budget::lift`] (its `hello`); `None`: no budget.
    pub before_lift: Option<usize>,
}

/// Bytes read from the socket before tungstenite sees them, per read. tungstenite zeroes this
/// much before every read (also one that finds nothing), and every connection holds it while
/// idle, so it stays small: clients' frames are small (a message a few hundred bytes), and a
/// large one takes several reads.
const READ_BUFFER: usize = 1024;

/// How many bytes a socket may still read before it is cut off; lifted once the peer has
/// identified itself.
#[derive(Debug, Clone)]
pub struct Budget(Arc<AtomicUsize>);

impl Budget {
    fn new(bytes: Option<usize>) -> Self {
        Self(Arc::new(AtomicUsize::new(bytes.unwrap_or(usize::MAX))))
    }

    /// No more limit than the frame and message sizes.
    pub fn lift(&self) {
        self.0.store(usize::MAX, Ordering::Release);
    }

    /// A fresh allowance of `bytes` (for a connection that stays anonymous), unless lifted.
    pub fn refill(&self, bytes: usize) {
        let _ = self.0.fetch_update(Ordering::AcqRel, Ordering::Acquire, |left| (left != usize::MAX).then_some(bytes));
    }

    /// Whether the peer sent more than its budget (its socket then fails).
    pub fn exceeded(&self) -> bool {
        self.0.load(Ordering::Acquire) == 0
    }
}

/// An I/O stream whose reads draw on a [`Budget`]; reading past it fails the socket.
pub struct Budgeted<S> {
    inner: S,
    budget: Budget,
}

impl<S: AsyncRead + Unpin> AsyncRead for Budgeted<S> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let this = &mut *self;
        let result = Pin::new(&mut this.inner).poll_read(cx, buf);
        let read = buf.filled().len() - before;
        if read > 0 {
            let drawn = this.budget.0.fetch_update(Ordering::AcqRel, Ordering::Acquire, |left| match left {
                usize::MAX => Some(left),
                left if read > left => Some(0),
                left => Some(left - read),
            });
            if let Ok(left) = drawn
                && left != usize::MAX
                && read > left
            {
                return Poll::Ready(Err(io::Error::other("the peer sent more than its allowance before hello")));
            }
        }
        result
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Budgeted<S> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// An HTTP request asking to become a WebSocket (RFC 6455 over HTTP/1.1).
pub struct Upgrade {
    accept: HeaderValue,
    on_upgrade: hyper::upgrade::OnUpgrade,
}

fn header_has(headers: &HeaderMap, name: header::HeaderName, token: &str) -> bool {
    headers
        .get_all(name)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|part| part.trim().eq_ignore_ascii_case(token))
}

impl<S: Send + Sync> FromRequestParts<S> for Upgrade {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Error> {
        let bad = |message: &str| Error::api(StatusCode::BAD_REQUEST, ErrorCode::BadRequest, message);
        if parts.method != Method::GET
            || !header_has(&parts.headers, header::CONNECTION, "upgrade")
            || !header_has(&parts.headers, header::UPGRADE, "websocket")
        {
            return Err(bad("this address is a WebSocket; ask for an upgrade"));
        }
        if parts.headers.get(header::SEC_WEBSOCKET_VERSION).is_none_or(|v| v.as_bytes() != b"13") {
            return Err(bad("only WebSocket version 13 is spoken here"));
        }
        let key = parts.headers.get(header::SEC_WEBSOCKET_KEY).ok_or_else(|| bad("the WebSocket key is missing"))?;
        let accept = HeaderValue::from_str(&derive_accept_key(key.as_bytes())).expect("base64 is a valid header value");
        let on_upgrade = parts
            .extensions
            .remove::<hyper::upgrade::OnUpgrade>()
            .ok_or_else(|| bad("this connection cannot be upgraded"))?;
        Ok(Self { accept, on_upgrade })
    }
}

impl Upgrade {
    /// Answers `101 Switching Protocols` and runs `serve` on the socket once the switch is done.
    pub fn on_upgrade<F, Fut>(self, limits: Limits, serve: F) -> Response
    where
        F: FnOnce(Socket, Budget) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let Self { accept, on_upgrade } = self;
        tokio::spawn(async move {
            let upgraded = match on_upgrade.await {
                Ok(upgraded) => upgraded,
                Err(err) => {
                    tracing::debug!(error = %err, "websocket upgrade failed");
                    return;
                }
            };
            let budget = Budget::new(limits.before_lift);
            let io = Budgeted { inner: TokioIo::new(upgraded), budget: budget.clone() };
            let config = WebSocketConfig::default()
                .read_buffer_size(READ_BUFFER)
                .max_message_size(Some(limits.max_message))
                .max_frame_size(Some(limits.max_frame));
            let socket = WebSocketStream::from_raw_socket(io, Role::Server, Some(config)).await;
            serve(socket, budget).await;
        });
        (
            StatusCode::SWITCHING_PROTOCOLS,
            [
                (header::CONNECTION, HeaderValue::from_static("upgrade")),
                (header::UPGRADE, HeaderValue::from_static("websocket")),
                (header::SEC_WEBSOCKET_ACCEPT, accept),
            ],
        )
            .into_response()
    }
}
