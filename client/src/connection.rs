//! The live connection: one WebSocket kept up by a supervisor task.
//!
//! The supervisor connects, says `hello`, waits for `welcome`, then serves requests until the
//! socket drops; then it waits a jittered backoff and tries again, forever, until
//! [`Connection::close`]. Every change of [`ConnectionState`] is published on a watch channel
//! and as an [`Event`].

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use gkchat_proto::chat::{
    ChatSummary, Message as ChatMessage, MessageAction, NewMessage, ReceiptKind, ReceiptUpdate, TypingUpdate,
};
use gkchat_proto::{ApiError, ClientFrame, ErrorCode, ErrorFrame, Hello, PROTOCOL_VERSION, RequestId, ServerFrame};
use serde::{Deserialize, Serialize};
use tokio::sync::{Notify, broadcast, mpsc, oneshot, watch};
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_util::sync::CancellationToken;
use ts_rs::TS;
use url::Url;

use crate::auth::ends_sign_in;
use crate::rest::endpoint;
use crate::{Backoff, Client, Error, Result};

/// Bytes asked of the socket per read. tungstenite zeroes this much of its buffer before every
/// read (also one that finds nothing), so its default of 128 KiB costs more than the frames
/// themselves; a larger frame just takes a few reads.
pub const WS_READ_BUFFER: usize = 8 * 1024;

/// The WebSocket settings of every connection this client makes.
pub fn ws_config() -> tokio_tungstenite::tungstenite::protocol::WebSocketConfig {
    tokio_tungstenite::tungstenite::protocol::WebSocketConfig::default().read_buffer_size(WS_READ_BUFFER)
}

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Slack on top of twice the server's heartbeat before a silent server counts as gone.
const SILENCE_SLACK: Duration = Duration::from_secs(5);
const EVENT_BUFFER: usize = 1024;
const COMMAND_BUFFER: usize = 256;

/// Where the live connection stands. Shown to the user as the connection badge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ConnectionState {
    /// Dialling; `attempt` counts failures since the last good connection.
    Connecting { attempt: u32 },
    /// Handshake done; the server is live. `user_id` is set when the connection is signed in.
    Connected { server_version: String, instance_id: String, protocol: u32, user_id: Option<String> },
    /// Not connected; the next attempt starts in `retry_in_ms` (or on [`Connection::retry_now`]).
    Offline {
        attempt: u32,
        retry_in_ms: u64,
        reason: String,
        /// The server's error code when it refused us, e.g. `unsupported_protocol`.
        code: Option<ErrorCode>,
    },
    /// [`Connection::close`] was called.
    Stopped,
}

impl ConnectionState {
    pub fn is_connected(&self) -> bool {
        matches!(self, Self::Connected { .. })
    }
}

/// Things that happen on the connection, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    State(ConnectionState),
    /// The server reported an error about the connection itself (a close follows).
    ServerError(ErrorFrame),
    /// A contact's presence changed (or who may see it did).
    Presence(gkchat_proto::account::Presence),
    /// A message in one of my chats was sent or changed.
    Message(Box<ChatMessage>),
    /// A chat's tile changed (a new chat, or my settings on another device).
    Chat(Box<ChatSummary>),
    Receipt(ReceiptUpdate),
    Typing(TypingUpdate),
    /// The server dropped pushes for this connection: sync.
    Resync,
    /// An upload a message of mine uses finished (or failed).
    Media(gkchat_proto::media::MediaInfo),
    /// Something happened in a call of mine (see [`crate::calls`]).
    Call(gkchat_proto::call::CallEvent),
    /// Something happened to a status post I may see, or to mine.
    Status(Box<gkchat_proto::status::StatusEvent>),
    /// My account changed (on another device too): profile, privacy, appearance.
    Me(Box<gkchat_proto::account::Me>),
    /// This subscriber fell behind and missed `missed` events; it should resync.
    Lagged {
        missed: u64,
    },
}

/// A subscription to [`Event`]s.
pub struct Events {
    rx: broadcast::Receiver<Event>,
}

impl Events {
    /// The next event; `None` once the connection is gone for good.
    pub async fn next(&mut self) -> Option<Event> {
        match self.rx.recv().await {
            Ok(event) => Some(event),
            Err(broadcast::error::RecvError::Lagged(missed)) => Some(Event::Lagged { missed }),
            Err(broadcast::error::RecvError::Closed) => None,
        }
    }
}

enum Command {
    Ping {
        reply: oneshot::Sender<Result<Duration>>,
    },
    /// A request frame built around the id the session gives it; answered by the frame that
    /// repeats the id (or an error).
    Request {
        make: Box<dyn FnOnce(RequestId) -> ClientFrame + Send>,
        reply: oneshot::Sender<Result<ServerFrame>>,
    },
    /// A frame nobody answers (typing).
    Notify(ClientFrame),
}

/// Handle to the live connection. Dropping it stops the connection.
pub struct Connection {
    state: watch::Receiver<ConnectionState>,
    events: broadcast::Sender<Event>,
    commands: mpsc::Sender<Command>,
    retry_now: Arc<Notify>,
    stop: CancellationToken,
    task: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection").field("state", &*self.state.borrow()).finish_non_exhaustive()
    }
}

impl Connection {
    pub(crate) fn open(client: Client) -> Self {
        let config = &client.inner.config;
        let (state_tx, state) = watch::channel(ConnectionState::Connecting { attempt: 0 });
        let (events, _) = broadcast::channel(EVENT_BUFFER);
        let (commands, commands_rx) = mpsc::channel(COMMAND_BUFFER);
        let retry_now = Arc::new(Notify::new());
        let stop = CancellationToken::new();
        let supervisor = Supervisor {
            ws_url: ws_url(&config.server_url),
            client_name: config.client_name.clone(),
            backoff: config.backoff,
            account: client.watch_account(),
            client: client.clone(),
            state: state_tx,
            events: events.clone(),
            commands: commands_rx,
            retry_now: retry_now.clone(),
            stop: stop.clone(),
        };
        let task = tokio::spawn(supervisor.run());
        Self { state, events, commands, retry_now, stop, task: Some(task) }
    }

    pub fn state(&self) -> ConnectionState {
        self.state.borrow().clone()
    }

    /// A receiver that sees every state change (and the current state at once).
    pub fn watch_state(&self) -> watch::Receiver<ConnectionState> {
        self.state.clone()
    }

    /// Subscribes to events from now on.
    pub fn events(&self) -> Events {
        Events { rx: self.events.subscribe() }
    }

    /// Waits until the state satisfies `predicate` and returns that state.
    pub async fn wait_for(&self, predicate: impl Fn(&ConnectionState) -> bool) -> ConnectionState {
        let mut state = self.state.clone();
        let found = state.wait_for(|s| predicate(s)).await;
        match found {
            Ok(s) => s.clone(),
            Err(_) => ConnectionState::Stopped,
        }
    }

    /// Round trip through the server; fails with [`Error::Disconnected`] when not connected.
    pub async fn ping(&self) -> Result<Duration> {
        if !self.state.borrow().is_connected() {
            return Err(Error::Disconnected);
        }
        let (reply, answer) = oneshot::channel();
        self.commands.send(Command::Ping { reply }).await.map_err(|_| Error::Disconnected)?;
        answer.await.map_err(|_| Error::Disconnected)?
    }

    /// Sends a request frame and waits for its answer; an `error` frame becomes [`Error::Api`].
    async fn request(&self, make: impl FnOnce(RequestId) -> ClientFrame + Send + 'static) -> Result<ServerFrame> {
        if !self.state.borrow().is_connected() {
            return Err(Error::Disconnected);
        }
        let (reply, answer) = oneshot::channel();
        self.commands.send(Command::Request { make: Box::new(make), reply }).await.map_err(|_| Error::Disconnected)?;
        answer.await.map_err(|_| Error::Disconnected)?
    }

    /// Sends a message; the answer is the stored message with its place in the chat. Sending
    /// the same id again returns the same message (safe to retry).
    pub async fn send_message(&self, message: NewMessage) -> Result<ChatMessage> {
        match self.request(move |id| ClientFrame::Send { id, message }).await? {
            ServerFrame::Ack { message, .. } => Ok(message),
            other => Err(Error::Protocol(format!("expected ack, got {other:?}"))),
        }
    }

    /// Edits, deletes or reacts to a message.
    pub async fn act(&self, chat_id: &str, message_id: &str, action: MessageAction) -> Result<()> {
        let (chat_id, message_id) = (chat_id.to_owned(), message_id.to_owned());
        self.request(move |id| ClientFrame::Act { id, chat_id, message_id, action }).await.map(drop)
    }

    /// Moves my delivered or read cursor in a chat.
    pub async fn receipt(&self, chat_id: &str, kind: ReceiptKind, seq: i64) -> Result<()> {
        let chat_id = chat_id.to_owned();
        self.request(move |id| ClientFrame::Receipt { id, chat_id, kind, seq }).await.map(drop)
    }

    /// Says I am (or stopped) typing in a chat.
    pub async fn typing(&self, chat_id: &str, typing: bool) -> Result<()> {
        let frame = ClientFrame::Typing { chat_id: chat_id.to_owned(), typing };
        self.commands.send(Command::Notify(frame)).await.map_err(|_| Error::Disconnected)
    }

    /// Acts on a call: `start` and `accept` answer with the ICE servers to use, the rest with
    /// nothing (an empty list).
    pub async fn call(
        &self,
        call_id: &str,
        action: gkchat_proto::call::CallAction,
    ) -> Result<Vec<gkchat_proto::call::IceServer>> {
        let call_id = call_id.to_owned();
        match self.request(move |id| ClientFrame::Call { id, call_id, action }).await? {
            ServerFrame::CallReady { ice_servers, .. } => Ok(ice_servers),
            ServerFrame::Done { .. } => Ok(Vec::new()),
            other => Err(Error::Protocol(format!("expected call_ready or done, got {other:?}"))),
        }
    }

    /// Skips the backoff wait and reconnects now.
    pub fn retry_now(&self) {
        self.retry_now.notify_one();
    }

    /// Stops through a shared handle: says goodbye and waits until stopped.
    pub async fn shut_down(&self) {
        self.stop.cancel();
        let mut state = self.state.clone();
        let _ = state.wait_for(|s| matches!(s, ConnectionState::Stopped)).await;
    }

    /// Says goodbye to the server and stops reconnecting.
    pub async fn close(mut self) {
        self.stop.cancel();
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

fn ws_url(server_url: &Url) -> Url {
    let mut url = endpoint(server_url, "ws");
    let scheme = if url.scheme() == "https" { "wss" } else { "ws" };
    url.set_scheme(scheme).expect("http(s) → ws(s) is a valid scheme change");
    url
}

/// Why a session ended.
enum SessionEnd {
    /// We were asked to stop.
    Stopped,
    /// Someone signed in or out: reconnect at once so `hello` carries the new identity.
    AccountChanged,
    /// The connection failed or dropped.
    Lost { reason: String, code: Option<ErrorCode>, was_connected: bool },
}

struct Supervisor {
    ws_url: Url,
    client_name: String,
    backoff: Backoff,
    /// For a fresh access token at each attempt.
    client: Client,
    /// Who is signed in; a change re-handshakes.
    account: watch::Receiver<Option<String>>,
    state: watch::Sender<ConnectionState>,
    events: broadcast::Sender<Event>,
    commands: mpsc::Receiver<Command>,
    retry_now: Arc<Notify>,
    stop: CancellationToken,
}

impl Supervisor {
    async fn run(mut self) {
        let mut attempt = 0u32;
        loop {
            self.set_state(ConnectionState::Connecting { attempt });
            let (reason, code) = match self.session().await {
                SessionEnd::Stopped => break,
                SessionEnd::AccountChanged => {
                    attempt = 0;
                    continue;
                }
                SessionEnd::Lost { reason, code, was_connected } => {
                    attempt = if was_connected { 1 } else { attempt + 1 };
                    (reason, code)
                }
            };
            let delay = self.backoff.delay(attempt);
            tracing::debug!(%reason, ?delay, attempt, "connection lost; will retry");
            self.set_state(ConnectionState::Offline {
                attempt,
                retry_in_ms: u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                reason,
                code,
            });
            if !self.wait_before_retry(delay).await {
                break;
            }
        }
        self.set_state(ConnectionState::Stopped);
    }

    /// Sleeps `delay`, failing requests that arrive meanwhile; false when asked to stop.
    async fn wait_before_retry(&mut self, delay: Duration) -> bool {
        let sleep = tokio::time::sleep(delay);
        tokio::pin!(sleep);
        loop {
            tokio::select! {
                () = &mut sleep => return true,
                () = self.retry_now.notified() => return true,
                _ = self.account.changed() => return true,
                () = self.stop.cancelled() => return false,
                command = self.commands.recv() => match command {
                    Some(Command::Ping { reply }) => { let _ = reply.send(Err(Error::Disconnected)); }
                    Some(Command::Request { reply, .. }) => { let _ = reply.send(Err(Error::Disconnected)); }
                    Some(Command::Notify(_)) => {}
                    None => return false,
                },
            }
        }
    }

    fn set_state(&self, state: ConnectionState) {
        self.state.send_replace(state.clone());
        let _ = self.events.send(Event::State(state));
    }

    async fn session(&mut self) -> SessionEnd {
        let lost = |reason: String, code: Option<ErrorCode>| SessionEnd::Lost { reason, code, was_connected: false };
        self.account.borrow_and_update();
        // Signed in: authenticate with a fresh token. A sign-in the server ended leaves an
        // anonymous connection; an unreachable server is just a failed attempt.
        let token = match self.client.access_token().await {
            Ok(token) => Some(token),
            Err(Error::SignedOut) => None,
            Err(err) if ends_sign_in(&err) => None,
            Err(err) => return lost(err.to_string(), Some(err.code())),
        };
        let connect = tokio::select! {
            () = self.stop.cancelled() => return SessionEnd::Stopped,
            result = tokio::time::timeout(CONNECT_TIMEOUT, tokio_tungstenite::connect_async_with_config(self.ws_url.as_str(), Some(ws_config()), false)) => result,
        };
        let socket = match connect {
            Err(_) => return lost("timed out connecting".into(), None),
            Ok(Err(err)) => {
                let (reason, code) = describe_connect_error(err);
                return lost(reason, code);
            }
            Ok(Ok((socket, _response))) => socket,
        };
        let (mut sink, mut stream) = socket.split();

        let hello = ClientFrame::Hello(Hello { protocol: PROTOCOL_VERSION, client: self.client_name.clone(), token });
        if let Err(err) = sink.send(Message::text(hello.encode())).await {
            return lost(format!("connection dropped during handshake: {err}"), None);
        }
        let welcome = tokio::select! {
            () = self.stop.cancelled() => return SessionEnd::Stopped,
            result = tokio::time::timeout(HANDSHAKE_TIMEOUT, next_frame(&mut stream)) => result,
        };
        let welcome = match welcome {
            Err(_) => return lost("the server did not answer hello in time".into(), None),
            Ok(Err((reason, code))) => return lost(reason, code),
            Ok(Ok(ServerFrame::Welcome(welcome))) => welcome,
            Ok(Ok(ServerFrame::Error(error))) => {
                self.client.on_auth_rejected(error.code).await;
                let _ = self.events.send(Event::ServerError(error.clone()));
                return lost(error.message, Some(error.code));
            }
            Ok(Ok(other)) => return lost(format!("expected welcome, got {other:?}"), Some(ErrorCode::BadFrame)),
        };
        self.set_state(ConnectionState::Connected {
            server_version: welcome.server_version,
            instance_id: welcome.instance_id,
            protocol: welcome.protocol,
            user_id: welcome.user_id,
        });

        let silence_limit = 2 * Duration::from_secs(welcome.heartbeat_secs.max(1).into()) + SILENCE_SLACK;
        let mut liveness = tokio::time::interval(silence_limit / 4);
        let mut last_heard = Instant::now();
        let mut next_id: RequestId = 0;
        let mut pings: HashMap<RequestId, (Instant, oneshot::Sender<Result<Duration>>)> = HashMap::new();
        let mut requests: HashMap<RequestId, oneshot::Sender<Result<ServerFrame>>> = HashMap::new();
        let mut last_error: Option<ErrorFrame> = None;
        let connected_lost =
            |reason: String, code: Option<ErrorCode>| SessionEnd::Lost { reason, code, was_connected: true };

        loop {
            tokio::select! {
                () = self.stop.cancelled() => {
                    let _ = sink.send(Message::Close(None)).await;
                    let _ = sink.close().await;
                    return SessionEnd::Stopped;
                }
                _ = self.account.changed() => {
                    let _ = sink.send(Message::Close(None)).await;
                    let _ = sink.close().await;
                    return SessionEnd::AccountChanged;
                }
                _ = liveness.tick() => {
                    if last_heard.elapsed() > silence_limit {
                        return connected_lost("the server stopped answering".into(), None);
                    }
                }
                command = self.commands.recv() => match command {
                    None => return SessionEnd::Stopped,
                    Some(Command::Ping { reply }) => {
                        next_id += 1;
                        pings.insert(next_id, (Instant::now(), reply));
                        if let Err(err) = sink.send(Message::text(ClientFrame::Ping { id: next_id }.encode())).await {
                            return connected_lost(format!("connection dropped: {err}"), None);
                        }
                    }
                    Some(Command::Request { make, reply }) => {
                        next_id += 1;
                        let frame = make(next_id);
                        requests.insert(next_id, reply);
                        if let Err(err) = sink.send(Message::text(frame.encode())).await {
                            return connected_lost(format!("connection dropped: {err}"), None);
                        }
                    }
                    Some(Command::Notify(frame)) => {
                        if let Err(err) = sink.send(Message::text(frame.encode())).await {
                            return connected_lost(format!("connection dropped: {err}"), None);
                        }
                    }
                },
                message = stream.next() => {
                    last_heard = Instant::now();
                    let text = match message {
                        Some(Ok(Message::Text(text))) => text,
                        Some(Ok(Message::Close(frame))) => {
                            let (reason, code) = match (&last_error, frame) {
                                (Some(error), _) => (error.message.clone(), Some(error.code)),
                                (None, Some(frame)) if !frame.reason.is_empty() => (format!("server closed the connection: {}", frame.reason), None),
                                _ => ("server closed the connection".to_owned(), None),
                            };
                            return connected_lost(reason, code);
                        }
                        Some(Ok(_)) => continue,
                        Some(Err(err)) => return connected_lost(format!("connection dropped: {err}"), None),
                        None => return connected_lost("connection dropped".into(), None),
                    };
                    match ServerFrame::decode(text.as_str()) {
                        Ok(ServerFrame::Pong { id }) => {
                            if let Some((sent, reply)) = pings.remove(&id) {
                                let _ = reply.send(Ok(sent.elapsed()));
                            }
                        }
                        Ok(ServerFrame::Error(error)) if error.id.is_some_and(|id| requests.contains_key(&id)) => {
                            if let Some(reply) = error.id.and_then(|id| requests.remove(&id)) {
                                let _ = reply.send(Err(Error::Api { status: 0, error: ApiError::new(error.code, error.message) }));
                            }
                        }
                        Ok(ServerFrame::Error(error)) => match error.id.and_then(|id| pings.remove(&id)) {
                            Some((_, reply)) => {
                                let _ = reply.send(Err(Error::Api { status: 0, error: ApiError::new(error.code, error.message) }));
                            }
                            None => {
                                // "Signed out" comes before the close: forget the sign-in now.
                                self.client.on_auth_rejected(error.code).await;
                                let _ = self.events.send(Event::ServerError(error.clone()));
                                last_error = Some(error);
                            }
                        },
                        Ok(ServerFrame::Presence(presence)) => {
                            let _ = self.events.send(Event::Presence(presence));
                        }
                        Ok(frame @ (ServerFrame::Ack { id, .. } | ServerFrame::Done { id } | ServerFrame::CallReady { id, .. })) => {
                            if let Some(reply) = requests.remove(&id) {
                                let _ = reply.send(Ok(frame));
                            }
                        }
                        Ok(ServerFrame::Message(message)) => { let _ = self.events.send(Event::Message(Box::new(message))); }
                        Ok(ServerFrame::Chat(chat)) => { let _ = self.events.send(Event::Chat(chat)); }
                        Ok(ServerFrame::Receipt(update)) => { let _ = self.events.send(Event::Receipt(update)); }
                        Ok(ServerFrame::Typing(update)) => { let _ = self.events.send(Event::Typing(update)); }
                        Ok(ServerFrame::Resync) => { let _ = self.events.send(Event::Resync); }
                        Ok(ServerFrame::Media(info)) => { let _ = self.events.send(Event::Media(info)); }
                        Ok(ServerFrame::Call(event)) => { let _ = self.events.send(Event::Call(event)); }
                        Ok(ServerFrame::Status(event)) => { let _ = self.events.send(Event::Status(Box::new(event))); }
                        Ok(ServerFrame::Me(me)) => { let _ = self.events.send(Event::Me(me)); }
                        Ok(ServerFrame::Welcome(_)) => tracing::warn!("unexpected second welcome"),
                        Err(err) => tracing::warn!(%err, "undecodable frame from server"),
                    }
                }
            }
        }
    }
}

/// Reads until the first text frame and decodes it.
async fn next_frame<S>(stream: &mut S) -> Result<ServerFrame, (String, Option<ErrorCode>)>
where
    S: futures_util::Stream<Item = Result<Message, tungstenite::Error>> + Unpin,
{
    loop {
        match stream.next().await {
            Some(Ok(Message::Text(text))) => {
                return ServerFrame::decode(text.as_str()).map_err(|e| (e.to_string(), Some(ErrorCode::BadFrame)));
            }
            Some(Ok(Message::Close(_))) | None => return Err(("server closed the connection".into(), None)),
            Some(Ok(_)) => {}
            Some(Err(err)) => return Err((format!("connection dropped: {err}"), None)),
        }
    }
}

/// Turns a failed WebSocket dial into words and, when the server sent one, its error code.
fn describe_connect_error(err: tungstenite::Error) -> (String, Option<ErrorCode>) {
    match err {
        tungstenite::Error::Http(response) => {
            let status = response.status();
            let body = response.body().as_deref().and_then(|b| serde_json::from_slice::<ApiError>(b).ok());
            match body {
                Some(error) => (error.message, Some(error.code)),
                None => (format!("server answered HTTP {status}"), None),
            }
        }
        tungstenite::Error::Io(io) => (format!("cannot reach the server: {io}"), None),
        other => (format!("cannot connect: {other}"), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ws_url_follows_scheme_and_prefix() {
        assert_eq!(ws_url(&Url::parse("http://127.0.0.1:8787").unwrap()).as_str(), "ws://127.0.0.1:8787/ws");
        assert_eq!(ws_url(&Url::parse("https://h/gk/").unwrap()).as_str(), "wss://h/gk/ws");
    }

    #[test]
    fn ui_bindings_are_fresh() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let stale = gkchat_proto::ts::check_bindings(vec![
            gkchat_proto::ts::render::<ConnectionState>(&root),
            gkchat_proto::ts::render::<crate::LocalMessage>(&root),
            gkchat_proto::ts::render::<crate::LocalChat>(&root),
            gkchat_proto::ts::render::<crate::SendStatus>(&root),
            gkchat_proto::ts::render::<crate::MessengerEvent>(&root),
            gkchat_proto::ts::render::<crate::Reminder>(&root),
            gkchat_proto::ts::render::<crate::SearchHit>(&root),
            gkchat_proto::ts::render::<crate::MediaSource>(&root),
            gkchat_proto::ts::render::<crate::TransferUpdate>(&root),
            gkchat_proto::ts::render::<crate::Direction>(&root),
            gkchat_proto::ts::render::<crate::TransferState>(&root),
            gkchat_proto::ts::render::<crate::GalleryTab>(&root),
            gkchat_proto::ts::render::<crate::PreviewDraft>(&root),
            gkchat_proto::ts::render::<crate::QuickEvent>(&root),
            gkchat_proto::ts::render::<crate::CallPhase>(&root),
            gkchat_proto::ts::render::<crate::CallView>(&root),
        ]);
        assert!(stale.is_empty(), "stale TypeScript bindings (run with GKCHAT_BLESS=1): {stale:?}");
    }
}
