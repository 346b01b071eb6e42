//! One WebSocket connection: the versioned `hello` handshake, then request frames.
//!
//! Shape (after tokio mini-redis and the axum examples): the socket is split; a writer task
//! drains a bounded channel; the reader `select!`s on the next frame, the handshake deadline,
//! the heartbeat tick and shutdown. Protocol violations get an `error` frame with a stable code,
//! then a clean close; errors in a valid request get an `error` frame with its id and the
//! connection stays up. A signed-out session's connection ends at once: the hub's [`Ending`] is
//! watched wherever the reader waits (never inside a request being handled, so a stored
//! message is still fanned out), and a writer stuck on a peer that stopped reading is dropped.
//! Any write that takes longer than two heartbeats ends the connection too, so a peer that
//! never reads cannot hold a connection (and its permit).

use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use gkchat_proto::limits::{MAX_BEFORE_HELLO_BYTES, MAX_CLIENT_NAME_CHARS, MAX_FRAME_BYTES};
use gkchat_proto::{ClientFrame, ErrorCode, Hello, PROTOCOL_VERSION, ServerFrame, Welcome};
use tokio::sync::OwnedSemaphorePermit;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_util::sync::CancellationToken;

use crate::auth::AuthUser;
use crate::error::Error;
use crate::hub::{Ending, Registration};
use crate::metrics::{CodeLabels, FrameLabels};
use crate::socket::{Budget, Limits, Socket, Upgrade};
use crate::{AppState, messaging};

/// Frames queued for one connection's writer before the reader waits.
const OUTBOX_CAPACITY: usize = 256;

/// How long a connection that is being closed may take to send its last frames.
const CLOSE_GRACE: Duration = Duration::from_secs(2);

/// Takes one of the server's connection permits, or answers why not.
pub fn connection_permit(state: &AppState) -> Result<OwnedSemaphorePermit, Error> {
    if state.shutdown.is_cancelled() {
        return Err(Error::api(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::ServerShuttingDown,
            "server is shutting down",
        ));
    }
    state.connection_permits.clone().try_acquire_owned().map_err(|_| {
        Error::api(StatusCode::SERVICE_UNAVAILABLE, ErrorCode::ServerBusy, "too many connections; retry later")
    })
}

pub async fn upgrade(State(state): State<AppState>, ws: Upgrade) -> Response {
    let permit = match connection_permit(&state) {
        Ok(permit) => permit,
        Err(refusal) => return refusal.into_response(),
    };
    // Accept somewhat more than the limit so an oversized frame gets a proper `frame_too_large`;
    // before `hello` only a few KiB at all.
    let limits = Limits {
        max_message: 4 * MAX_FRAME_BYTES,
        max_frame: 4 * MAX_FRAME_BYTES,
        before_lift: Some(MAX_BEFORE_HELLO_BYTES),
    };
    ws.on_upgrade(limits, move |socket, budget| {
        let tracker = state.connections.clone();
        tracker.track_future(serve(socket, budget, state, permit))
    })
}

async fn serve(socket: Socket, budget: Budget, state: AppState, _permit: OwnedSemaphorePermit) {
    state.metrics.ws_connections.inc();
    state.metrics.ws_connections_opened.inc();
    let (sink, stream) = socket.split();
    let (out, out_rx) = flume::bounded(OUTBOX_CAPACITY);
    let writer_done = CancellationToken::new();
    let write_timeout = 2 * Duration::from_secs(state.config.heartbeat_secs.max(1).into());
    let mut writer = tokio::spawn(write_loop(sink, out_rx, write_timeout, writer_done.clone()));

    let mut connection = Connection {
        state: state.clone(),
        out: out.clone(),
        phase: Phase::AwaitingHello,
        client: None,
        user: None,
        hub: None,
        ending: Arc::new(Ending::default()),
        writer_done,
        budget,
    };
    let closing = connection.read_loop(stream).await;
    if let Some((code, message)) = connection.ending.reason() {
        tracing::debug!(%code, %message, "session ended; closing its connection");
        let error = ServerFrame::error(code, message, None).encode();
        let said = out.try_send(Message::text(error)).is_ok()
            && out.try_send(Message::Close(Some(close(CloseCode::Policy, code.as_str())))).is_ok();
        if !said {
            // The peer is not reading: do not wait for it.
            writer.abort();
        }
    } else if let Some(frame) = closing {
        let _ = tokio::time::timeout(CLOSE_GRACE, out.send_async(Message::Close(Some(frame)))).await;
    }
    let user = connection.user.take();
    drop(connection);
    drop(out);
    if tokio::time::timeout(CLOSE_GRACE, &mut writer).await.is_err() {
        writer.abort();
    }
    if let Some(user) = &user {
        Box::pin(crate::calls::session_gone(&state, &user.session_id)).await;
    }
    if let Some(user) = user
        && let Err(err) = Box::pin(crate::presence::disconnected(&state, &user.user_id)).await
    {
        tracing::warn!(error = %err, "recording last seen failed");
    }
    state.metrics.ws_connections.dec();
}

/// Frames written together at most: what waits in the queue goes out in one flush (one write
/// to the socket when it fits its buffer), not one write a frame.
const WRITE_BATCH: usize = 64;

/// Sends what the reader queues; ends (and says so through `done`) when the peer is gone, a
/// close was sent, or one write took longer than `timeout` (the peer stopped reading).
async fn write_loop(
    mut sink: SplitSink<Socket, Message>,
    out: flume::Receiver<Message>,
    timeout: Duration,
    done: CancellationToken,
) {
    let _done = done.drop_guard();
    while let Ok(first) = out.recv_async().await {
        let write = async {
            let mut next = Some(first);
            let mut fed = 0;
            while let Some(message) = next.take() {
                let is_close = matches!(message, Message::Close(_));
                sink.feed(message).await?;
                fed += 1;
                if is_close {
                    sink.flush().await?;
                    return Ok(true);
                }
                if fed < WRITE_BATCH {
                    next = out.try_recv().ok();
                }
            }
            sink.flush().await.map(|()| false)
        };
        match tokio::time::timeout(timeout, write).await {
            Ok(Ok::<bool, WsError>(false)) => {}
            _ => break,
        }
    }
    let _ = tokio::time::timeout(CLOSE_GRACE, sink.close()).await;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    AwaitingHello,
    Ready,
}

/// What the reader does after a frame.
enum Next {
    Continue,
    Close(CloseFrame),
}

struct Connection {
    state: AppState,
    out: flume::Sender<Message>,
    phase: Phase,
    /// The client's self-description from `hello`, for logs.
    client: Option<String>,
    /// Who is signed in on this connection, when `hello` carried a valid token.
    user: Option<AuthUser>,
    /// Our place in the hub while signed in; dropped with the connection.
    hub: Option<Registration>,
    /// Set by the hub when this connection's session ends.
    ending: Arc<Ending>,
    /// Cancelled when the writer stopped: nothing more reaches the peer.
    writer_done: CancellationToken,
    /// What the peer may still send before its `hello`.
    budget: Budget,
}

/// The next pushed frame, or never when the connection is not signed in.
async fn next_push(hub: &mut Option<Registration>) -> Option<crate::hub::Push> {
    match hub {
        Some(registration) => registration.events.recv_async().await.ok(),
        None => std::future::pending().await,
    }
}

impl Connection {
    /// Runs until the peer leaves or must be closed; returns the close frame to send, if any.
    async fn read_loop(&mut self, mut stream: SplitStream<Socket>) -> Option<CloseFrame> {
        let config = self.state.config.clone();
        let heartbeat_every = Duration::from_secs(config.heartbeat_secs.max(1).into());
        let handshake_deadline = tokio::time::sleep(Duration::from_secs(config.handshake_timeout_secs));
        tokio::pin!(handshake_deadline);
        let mut heartbeat = tokio::time::interval_at(Instant::now() + heartbeat_every, heartbeat_every);
        let mut last_heard = Instant::now();
        let shutdown = self.state.shutdown.clone();
        let (ending, writer_done) = (self.ending.clone(), self.writer_done.clone());

        loop {
            if ending.is_ended() {
                return None;
            }
            tokio::select! {
                _ = ending.ended() => return None,
                () = writer_done.cancelled() => return None,
                () = shutdown.cancelled() => {
                    return self.fail(ErrorCode::ServerShuttingDown, "server is shutting down", CloseCode::Away).await;
                }
                Some(frame) = next_push(&mut self.hub) => {
                    self.queue(Message::Text(frame)).await;
                    if self.hub.as_ref().is_some_and(Registration::take_lagged) {
                        self.send_frame(ServerFrame::Resync).await;
                    }
                }
                () = &mut handshake_deadline, if self.phase == Phase::AwaitingHello => {
                    return self.fail(ErrorCode::HandshakeTimeout, "no hello frame in time", CloseCode::Policy).await;
                }
                _ = heartbeat.tick() => {
                    if last_heard.elapsed() > 2 * heartbeat_every {
                        tracing::debug!(client = ?self.client, "peer silent; dropping");
                        return Some(close(CloseCode::Away, "heartbeat timeout"));
                    }
                    if self.phase == Phase::Ready && self.user.is_none() {
                        // Anonymous: a few KiB per heartbeat, no more.
                        self.budget.refill(MAX_BEFORE_HELLO_BYTES);
                    }
                    if !self.queue(Message::Ping(Default::default())).await {
                        return None;
                    }
                }
                message = stream.next() => {
                    let message = match message {
                        Some(Ok(message)) => message,
                        Some(Err(_)) if self.budget.exceeded() => {
                            let words = format!("at most {MAX_BEFORE_HELLO_BYTES} bytes may come before hello");
                            return self.fail(ErrorCode::FrameTooLarge, words, CloseCode::Size).await;
                        }
                        Some(Err(WsError::Capacity(err))) => {
                            return self.fail(ErrorCode::FrameTooLarge, err.to_string(), CloseCode::Size).await;
                        }
                        _ => return None,
                    };
                    last_heard = Instant::now();
                    let next = match message {
                        Message::Text(text) => {
                            self.state.metrics.ws_frames_received.inc();
                            // Boxed: what a request awaits (the database, the hub) is held only while
                            // it runs, not in every idle connection's task.
                            Box::pin(self.on_text(text.as_str())).await
                        }
                        Message::Binary(_) => {
                            self.fail(ErrorCode::BadFrame, "binary frames are not supported", CloseCode::Unsupported)
                                .await
                                .map_or(Next::Continue, Next::Close)
                        }
                        Message::Ping(_) | Message::Pong(_) => Next::Continue,
                        Message::Close(_) => return None,
                        Message::Frame(_) => Next::Continue,
                    };
                    if let Next::Close(frame) = next {
                        return Some(frame);
                    }
                }
            }
        }
    }

    async fn on_text(&mut self, text: &str) -> Next {
        if text.len() > MAX_FRAME_BYTES {
            let message = format!("frame of {} bytes exceeds the limit of {MAX_FRAME_BYTES}", text.len());
            return self.close_with(ErrorCode::FrameTooLarge, message, CloseCode::Size).await;
        }
        let frame = match ClientFrame::decode(text) {
            Ok(frame) => frame,
            Err(err) => return self.close_with(err.code(), err.to_string(), CloseCode::Protocol).await,
        };
        match (self.phase, frame) {
            (Phase::AwaitingHello, ClientFrame::Hello(hello)) => self.on_hello(hello).await,
            (Phase::AwaitingHello, _) => {
                self.close_with(ErrorCode::HandshakeRequired, "the first frame must be hello", CloseCode::Policy).await
            }
            (Phase::Ready, ClientFrame::Hello(_)) => {
                self.send_frame(ServerFrame::error(ErrorCode::BadRequest, "hello was already received", None)).await;
                Next::Continue
            }
            (Phase::Ready, ClientFrame::Ping { id }) => {
                self.send_frame(ServerFrame::Pong { id }).await;
                Next::Continue
            }
            (Phase::Ready, frame) => {
                self.on_request(frame).await;
                Next::Continue
            }
        }
    }

    /// A signed-in request. A failure answers with an `error` frame carrying the request's id;
    /// the connection stays up.
    async fn on_request(&mut self, frame: ClientFrame) {
        let Some(user) = self.user.clone() else {
            if let Some(id) = request_id(&frame) {
                self.send_frame(ServerFrame::error(ErrorCode::Unauthorized, "sign in first", Some(id))).await;
            }
            return;
        };
        let state = self.state.clone();
        let user_id = user.user_id.as_str();
        let started = std::time::Instant::now();
        let kind = match &frame {
            ClientFrame::Send { .. } => "send",
            ClientFrame::Act { .. } => "act",
            ClientFrame::Receipt { .. } => "receipt",
            ClientFrame::Typing { .. } => "typing",
            ClientFrame::Call { .. } => "call",
            ClientFrame::Hello(_) | ClientFrame::Ping { .. } => "other",
        };
        let timed = || {
            let took = started.elapsed().as_secs_f64();
            state.metrics.ws_request_seconds.get_or_create(&FrameLabels { frame: kind }).observe(took);
        };
        let (id, answer) = match frame {
            ClientFrame::Send { id, message } => {
                (id, messaging::send(&state, user_id, message).await.map(|message| ServerFrame::Ack { id, message }))
            }
            ClientFrame::Act { id, chat_id, message_id, action } => (
                id,
                messaging::act(&state, user_id, &chat_id, &message_id, action).await.map(|()| ServerFrame::Done { id }),
            ),
            ClientFrame::Receipt { id, chat_id, kind, seq } => {
                (id, messaging::receipt(&state, user_id, &chat_id, kind, seq).await.map(|()| ServerFrame::Done { id }))
            }
            ClientFrame::Typing { chat_id, typing } => {
                if let Err(err) = messaging::typing(&state, user_id, &chat_id, typing).await {
                    tracing::warn!(error = %err, "passing on typing failed");
                }
                timed();
                return;
            }
            ClientFrame::Call { id, call_id, action } => (
                id,
                crate::calls::handle(&state, &user, &call_id, action).await.map(|answer| match answer {
                    crate::calls::Answer::Ready(ice_servers) => ServerFrame::CallReady { id, call_id, ice_servers },
                    crate::calls::Answer::Done => ServerFrame::Done { id },
                }),
            ),
            ClientFrame::Hello(_) | ClientFrame::Ping { .. } => unreachable!("handled by on_text"),
        };
        timed();
        match answer {
            Ok(frame) => self.send_frame(frame).await,
            Err(err) => {
                if err.code() == ErrorCode::Internal {
                    tracing::error!(error = %err, "request failed");
                }
                self.send_frame(ServerFrame::error(err.code(), err.public_message(), Some(id))).await;
            }
        }
    }

    async fn on_hello(&mut self, hello: Hello) -> Next {
        if hello.protocol != PROTOCOL_VERSION {
            let message =
                format!("this server speaks protocol {PROTOCOL_VERSION}; the client asked for {}", hello.protocol);
            return self.close_with(ErrorCode::UnsupportedProtocol, message, CloseCode::Protocol).await;
        }
        if hello.client.chars().count() > MAX_CLIENT_NAME_CHARS {
            let message = format!("client name is longer than {MAX_CLIENT_NAME_CHARS} characters");
            return self.close_with(ErrorCode::BadFrame, message, CloseCode::Protocol).await;
        }
        if let Some(token) = hello.token.as_deref() {
            match self.state.authenticate(token).await {
                Ok(user) => {
                    self.hub = Some(crate::calls::register(&self.state, &user, self.ending.clone()).await);
                    // A sign-out between the check above and the registration ended no
                    // connection of ours: look again now that the hub can reach us.
                    if let Err(err) = self.state.authenticate(token).await {
                        return self.close_with(err.code(), err.public_message(), CloseCode::Policy).await;
                    }
                    self.user = Some(user);
                }
                Err(err) => {
                    if err.code() == ErrorCode::Internal {
                        tracing::error!(error = %err, "authenticating a connection failed");
                    }
                    return self.close_with(err.code(), err.public_message(), CloseCode::Policy).await;
                }
            }
        }
        tracing::debug!(client = %hello.client, user = ?self.user, "handshake complete");
        if self.user.is_some() {
            self.budget.lift();
        }
        self.client = Some(hello.client);
        self.phase = Phase::Ready;
        self.send_frame(ServerFrame::Welcome(Welcome {
            protocol: PROTOCOL_VERSION,
            server_version: env!("CARGO_PKG_VERSION").into(),
            instance_id: self.state.instance_id.to_string(),
            heartbeat_secs: self.state.config.heartbeat_secs,
            user_id: self.user.as_ref().map(|u| u.user_id.clone()),
        }))
        .await;
        if let Some(user) = &self.user
            && let Err(err) = crate::presence::connected(&self.state, &user.user_id).await
        {
            tracing::warn!(error = %err, "announcing presence failed");
        }
        Next::Continue
    }

    async fn close_with(&mut self, code: ErrorCode, message: impl Into<String>, close_code: CloseCode) -> Next {
        self.fail(code, message, close_code).await.map_or(Next::Continue, Next::Close)
    }

    /// Sends an `error` frame about the connection itself and returns the close frame to follow.
    async fn fail(&mut self, code: ErrorCode, message: impl Into<String>, close_code: CloseCode) -> Option<CloseFrame> {
        let message = message.into();
        tracing::debug!(client = ?self.client, %code, %message, "closing connection");
        self.send_frame(ServerFrame::error(code, message, None)).await;
        Some(close(close_code, code.as_str()))
    }

    async fn send_frame(&mut self, frame: ServerFrame) {
        if let ServerFrame::Error(error) = &frame {
            self.state.metrics.ws_errors.get_or_create(&CodeLabels { code: error.code.as_str().into() }).inc();
        }
        self.queue(Message::text(frame.encode())).await;
    }

    /// Queues `message` for the writer, unless the session ends or the writer stops first;
    /// whether it was queued.
    async fn queue(&self, message: Message) -> bool {
        tokio::select! {
            sent = self.out.send_async(message) => sent.is_ok(),
            _ = self.ending.ended() => false,
            () = self.writer_done.cancelled() => false,
        }
    }
}

/// The id a request frame carries, if any.
fn request_id(frame: &ClientFrame) -> Option<gkchat_proto::RequestId> {
    match frame {
        ClientFrame::Ping { id } | ClientFrame::Send { id, .. } | ClientFrame::Act { id, .. } => Some(*id),
        ClientFrame::Receipt { id, .. } | ClientFrame::Call { id, .. } => Some(*id),
        ClientFrame::Hello(_) | ClientFrame::Typing { .. } => None,
    }
}

fn close(code: CloseCode, reason: &str) -> CloseFrame {
    CloseFrame { code, reason: reason.to_owned().into() }
}
