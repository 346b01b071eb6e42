//! Quick chats from the app: two-person rooms without accounts on any companion server. A
//! [`QuickLink`] names one person's way into one room (the browser link
//! `http(s)://host/q/<room>/<token>`, or the app link
//! `gkchat://quick/<room>/<token>?server=<url>`); [`QuickChats`] creates rooms, reads a link's
//! landing, joins with the code and ends; [`QuickRoom`] is the room live, reconnecting by itself
//! until the chat ends. The session goes as `Authorization: Quick <session>`, never in a URL.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use gkchat_proto::ErrorCode;
use gkchat_proto::quick::{
    CreateQuickChat, QuickChatCreated, QuickClientFrame, QuickJoin, QuickLanding, QuickServerFrame, QuickSession,
};
use reqwest::Method;
use serde::Serialize;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{self, Message};
use ts_rs::TS;
use url::Url;

use crate::rest::{decode, endpoint, exchange, parse_server_url};
use crate::{Backoff, Error, Result};

/// One person's way into one quick chat.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct QuickLink {
    /// The companion server that holds the room.
    pub server: Url,
    pub room: String,
    pub token: String,
}

fn invalid_link(text: &str, why: &str) -> Error {
    Error::Invalid { code: ErrorCode::InvalidUrl, message: format!("{text:?} is not a quick chat link: {why}") }
}

/// Room ids and tokens are lowercase hex made by the server.
fn is_id(part: &str) -> bool {
    !part.is_empty() && part.len() <= 64 && part.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The server's URL with its path ending in `/`, so links compare equal however it was typed.
fn server_base(server: &Url) -> Url {
    let mut server = server.clone();
    if !server.path().ends_with('/') {
        let path = format!("{}/", server.path());
        server.set_path(&path);
    }
    server
}

impl QuickLink {
    /// The link of one person of a room just created on `server`; `path` is the invite's
    /// `/q/<room>/<token>`.
    pub fn of_invite(server: &Url, path: &str) -> Result<Self> {
        Self::parse(endpoint(&server_base(server), path).as_str())
    }

    /// Reads a link as people share it: the browser link or the app link.
    pub fn parse(text: &str) -> Result<Self> {
        let text = text.trim();
        let url = Url::parse(text).map_err(|e| invalid_link(text, &e.to_string()))?;
        let (server, parts): (Url, Vec<String>) = match url.scheme() {
            "gkchat" => {
                if url.host_str() != Some("quick") {
                    return Err(invalid_link(text, "a gkchat:// link for a quick chat starts gkchat://quick/"));
                }
                let server = url
                    .query_pairs()
                    .find(|(key, _)| key == "server")
                    .map(|(_, value)| value.into_owned())
                    .ok_or_else(|| invalid_link(text, "it does not say which server (…?server=https://…)"))?;
                let parts = url.path().split('/').filter(|p| !p.is_empty()).map(str::to_owned).collect();
                (server_base(&parse_server_url(&server)?), parts)
            }
            "http" | "https" => {
                // Everything before `/q/<room>/<token>` is the server (it may live under a prefix).
                let segments: Vec<&str> = url.path().split('/').filter(|p| !p.is_empty()).collect();
                let Some(q) = segments.len().checked_sub(3).filter(|&i| segments[i] == "q") else {
                    return Err(invalid_link(text, "the path should end with /q/<room>/<code>"));
                };
                let mut server = url.clone();
                server.set_query(None);
                server.set_fragment(None);
                server.set_path(&format!("{}/", segments[..q].join("/")));
                (server, segments[q + 1..].iter().map(|p| (*p).to_owned()).collect())
            }
            _ => return Err(invalid_link(text, "it should start with https://, http:// or gkchat://")),
        };
        match parts.as_slice() {
            [room, token] if is_id(room) && is_id(token) => {
                Ok(Self { server, room: room.to_lowercase(), token: token.to_lowercase() })
            }
            _ => Err(invalid_link(text, "the room or the person part is missing or malformed")),
        }
    }

    /// For a browser: `<server>/q/<room>/<token>`.
    pub fn web_link(&self) -> String {
        endpoint(&self.server, &format!("q/{}/{}", self.room, self.token)).to_string()
    }

    /// For the app: `gkchat://quick/<room>/<token>?server=<server>`.
    pub fn app_link(&self) -> String {
        let mut link = Url::parse(&format!("gkchat://quick/{}/{}", self.room, self.token)).expect("hex ids make a URL");
        link.query_pairs_mut().append_pair("server", self.server.as_str().trim_end_matches('/'));
        link.to_string()
    }

    fn api(&self, rest: &str) -> Url {
        endpoint(&self.server, &format!("api/v1/quick/{}/{}{rest}", self.room, self.token))
    }
}

/// REST calls for quick chats, on whichever server a link names.
#[derive(Clone, Default)]
pub struct QuickChats {
    http: reqwest::Client,
}

impl QuickChats {
    pub fn new() -> Self {
        Self::default()
    }

    /// Opens a room on `server` for two people; the answer holds each one's link path and code.
    pub async fn create(&self, server: &Url, names: [String; 2]) -> Result<QuickChatCreated> {
        let request =
            self.http.request(Method::POST, endpoint(server, "api/v1/quick")).json(&CreateQuickChat { names });
        decode(&exchange(request).await?)
    }

    /// What the link shows before the code; `resume` says whether `session` is still good.
    pub async fn landing(&self, link: &QuickLink, session: Option<&str>) -> Result<QuickLanding> {
        let mut request = self.http.request(Method::GET, link.api(""));
        if let Some(session) = session {
            request = request.header(reqwest::header::AUTHORIZATION, format!("Quick {session}"));
        }
        decode(&exchange(request).await?)
    }

    /// Checks name and code; returns this person's session for the room.
    pub async fn join(&self, link: &QuickLink, name: &str, code: &str) -> Result<String> {
        let body = QuickJoin { name: name.to_owned(), code: code.to_owned() };
        let request = self.http.request(Method::POST, link.api("/join")).json(&body);
        let joined: QuickSession = decode(&exchange(request).await?)?;
        Ok(joined.session)
    }

    /// Ends the chat for both; everything in it is destroyed.
    pub async fn end(&self, link: &QuickLink, session: &str) -> Result<()> {
        let request = self
            .http
            .request(Method::POST, link.api("/end"))
            .header(reqwest::header::AUTHORIZATION, format!("Quick {session}"));
        exchange(request).await.map(drop)
    }

    /// The room, live. Frames (first `joined` with the whole chat, again after each reconnect)
    /// come from [`QuickRoom::next`] until the chat ends or the room is dropped.
    pub fn open(&self, link: QuickLink, session: String) -> QuickRoom {
        let (events_tx, events) = mpsc::channel(256);
        let (outgoing, outgoing_rx) = mpsc::channel(64);
        let task = tokio::spawn(run_room(self.clone(), link, session, events_tx, outgoing_rx));
        QuickRoom { events, outgoing, task }
    }
}

/// What an open room reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum QuickEvent {
    /// A frame from the room (`joined` again after each reconnect: it carries the whole chat).
    Frame { frame: QuickServerFrame },
    /// The connection dropped; trying again.
    Offline { message: String },
    /// The session is no longer accepted (the code is needed again); the room stops.
    SessionRefused { message: String },
}

/// A quick chat, live. Dropping it leaves the room (the other person sees "away").
pub struct QuickRoom {
    events: mpsc::Receiver<QuickEvent>,
    outgoing: mpsc::Sender<String>,
    task: tokio::task::JoinHandle<()>,
}

impl QuickRoom {
    /// The next event; `None` once the chat has ended (after its `ended` frame) or the session
    /// was refused.
    pub async fn next(&mut self) -> Option<QuickEvent> {
        self.events.recv().await
    }

    /// Says `text` in the room (checked by the server; a refusal comes back as an `error` frame).
    pub async fn say(&self, text: &str) -> Result<()> {
        self.speaker().say(text).await
    }

    /// A handle that can say things while another task reads the events.
    pub fn speaker(&self) -> QuickSpeaker {
        QuickSpeaker(self.outgoing.clone())
    }
}

/// Says things in an open [`QuickRoom`]; stops working when the room is dropped or ends.
#[derive(Clone)]
pub struct QuickSpeaker(mpsc::Sender<String>);

impl QuickSpeaker {
    pub async fn say(&self, text: &str) -> Result<()> {
        self.0.send(text.to_owned()).await.map_err(|_| Error::Disconnected)
    }
}

impl Drop for QuickRoom {
    fn drop(&mut self) {
        self.task.abort();
    }
}

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn connect(link: &QuickLink, session: &str) -> Result<Socket, tungstenite::Error> {
    let mut url = link.api("/live");
    let scheme = if url.scheme() == "https" { "wss" } else { "ws" };
    url.set_scheme(scheme).expect("http(s) → ws(s)");
    let mut request = url.as_str().into_client_request()?;
    let value = tungstenite::http::HeaderValue::from_str(&format!("Quick {session}"))
        .map_err(|e| tungstenite::Error::HttpFormat(e.into()))?;
    request.headers_mut().insert(tungstenite::http::header::AUTHORIZATION, value);
    let (socket, _) = tokio::time::timeout(
        Duration::from_secs(10),
        tokio_tungstenite::connect_async_with_config(request, Some(crate::connection::ws_config()), false),
    )
    .await
    .map_err(|_| tungstenite::Error::Io(std::io::ErrorKind::TimedOut.into()))??;
    Ok(socket)
}

/// Keeps the room's socket up until the chat ends: frames out as events, `say`s in as frames.
async fn run_room(
    chats: QuickChats,
    link: QuickLink,
    session: String,
    events: mpsc::Sender<QuickEvent>,
    mut outgoing: mpsc::Receiver<String>,
) {
    let backoff = Backoff::default();
    let mut attempt = 0u32;
    loop {
        let lost = match connect(&link, &session).await {
            Ok(socket) => {
                attempt = 0;
                match serve(socket, &events, &mut outgoing).await {
                    Served::Ended | Served::Gone => return,
                    Served::Lost(message) => message,
                }
            }
            Err(err) => err.to_string(),
        };
        // Why did it drop? Ask the link: ended, the session refused, or just the network.
        match chats.landing(&link, Some(&session)).await {
            Err(Error::Api { error, .. }) if matches!(error.code, ErrorCode::QuickChatEnded | ErrorCode::NotFound) => {
                let frame = QuickServerFrame::Ended { reason: error.message };
                let _ = events.send(QuickEvent::Frame { frame }).await;
                return;
            }
            Ok(landing) if !landing.resume => {
                let message = "this device's session for the chat is no longer valid: enter the code again".into();
                let _ = events.send(QuickEvent::SessionRefused { message }).await;
                return;
            }
            _ => {}
        }
        if events.send(QuickEvent::Offline { message: lost }).await.is_err() {
            return;
        }
        tokio::time::sleep(backoff.delay(attempt)).await;
        attempt = attempt.saturating_add(1);
    }
}

enum Served {
    /// The chat ended (its frame was passed on).
    Ended,
    /// Nobody listens any more.
    Gone,
    /// The connection dropped.
    Lost(String),
}

async fn serve(mut socket: Socket, events: &mpsc::Sender<QuickEvent>, outgoing: &mut mpsc::Receiver<String>) -> Served {
    loop {
        tokio::select! {
            incoming = socket.next() => {
                let text = match incoming {
                    Some(Ok(Message::Text(text))) => text,
                    Some(Ok(Message::Close(_))) | None => return Served::Lost("the server closed the connection".into()),
                    Some(Err(err)) => return Served::Lost(err.to_string()),
                    Some(Ok(_)) => continue,
                };
                let frame: QuickServerFrame = match serde_json::from_str(text.as_str()) {
                    Ok(frame) => frame,
                    Err(err) => return Served::Lost(format!("unexpected frame from the server: {err}")),
                };
                let ended = matches!(frame, QuickServerFrame::Ended { .. });
                if events.send(QuickEvent::Frame { frame }).await.is_err() {
                    return Served::Gone;
                }
                if ended {
                    return Served::Ended;
                }
            }
            text = outgoing.recv() => {
                let Some(text) = text else { return Served::Gone };
                let frame = serde_json::to_string(&QuickClientFrame::Send { text }).expect("frames serialise");
                if let Err(err) = socket.send(Message::text(frame)).await {
                    return Served::Lost(err.to_string());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_browser_and_app_links_and_writes_them_back() {
        let web = QuickLink::parse("https://chat.example.org/gk/q/ab12/cd34").unwrap();
        assert_eq!(web.server.as_str(), "https://chat.example.org/gk/");
        assert_eq!((web.room.as_str(), web.token.as_str()), ("ab12", "cd34"));
        assert_eq!(web.web_link(), "https://chat.example.org/gk/q/ab12/cd34");
        assert_eq!(web.app_link(), "gkchat://quick/ab12/cd34?server=https%3A%2F%2Fchat.example.org%2Fgk");
        assert_eq!(QuickLink::parse(&web.app_link()).unwrap(), web);

        let created = QuickLink::of_invite(&Url::parse("https://chat.example.org/gk").unwrap(), "/q/ab12/cd34");
        assert_eq!(created.unwrap(), web);

        let local = QuickLink::parse("gkchat://quick/AB12/cd34?server=http%3A%2F%2F127.0.0.1%3A8787").unwrap();
        assert_eq!(local.server.as_str(), "http://127.0.0.1:8787/");
        assert_eq!(local.room, "ab12");
        assert_eq!(local.web_link(), "http://127.0.0.1:8787/q/ab12/cd34");
    }

    #[test]
    fn refuses_what_is_not_a_quick_link() {
        for bad in [
            "",
            "hello",
            "ftp://h/q/ab/cd",
            "https://h/q/ab",
            "https://h/x/ab/cd",
            "https://h/q/ab/zz-not-hex",
            "gkchat://add/abcd",
            "gkchat://quick/ab/cd",
            "gkchat://quick/ab/cd?server=ftp%3A%2F%2Fh",
        ] {
            let err = QuickLink::parse(bad).unwrap_err();
            assert_eq!(err.code(), ErrorCode::InvalidUrl, "{bad}");
        }
    }
}
