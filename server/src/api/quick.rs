//! Quick chats: create a room, the landing of a link, joining with the code, ending (REST), and
//! the room itself live over a WebSocket (`…/live`). A joined person's session travels as the
//! `gkq` cookie (the browser page: HttpOnly, SameSite=Strict, limited to the link's path, so
//! reopening the link resumes without the code) or as `Authorization: Quick <session>` (the
//! app) — never in a URL. Creating rooms is limited per IP address; the live socket counts
//! against the server's connection cap, takes only small frames, and is pinged like `/ws`.

use std::net::SocketAddr;
use std::time::Duration;

use super::ApiJson;
use crate::error::{Error, Result};
use crate::quick::{QuickRooms, Refused, RoomEvent};
use crate::socket::{Limits, Socket, Upgrade};
use crate::{AppState, now_ms};
use axum::Json;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::{SinkExt, StreamExt};
use gkchat_proto::ErrorCode;
use gkchat_proto::quick::{
    CreateQuickChat, QUICK_TEXT_MAX_BYTES, QuickChatCreated, QuickClientFrame, QuickInvite, QuickJoin, QuickLanding,
    QuickServerFrame, QuickSession, check_quick_name,
};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;

/// The largest frame a live room takes: a message at its longest, every character escaped.
const LIVE_FRAME_MAX: usize = 8 * QUICK_TEXT_MAX_BYTES;

fn refused(refusal: Refused) -> Response {
    match refusal {
        Refused::Unknown => Error::not_found("no such quick chat").into_response(),
        Refused::Ended => {
            Error::api(StatusCode::GONE, ErrorCode::QuickChatEnded, "this chat has ended").into_response()
        }
        Refused::Locked(wait) => {
            let minutes = wait.as_secs().div_ceil(60);
            let message = format!("too many wrong codes; this link is locked for {minutes} more minutes");
            let mut response =
                Error::api(StatusCode::TOO_MANY_REQUESTS, ErrorCode::TooManyAttempts, message).into_response();
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(wait.as_secs().max(1)));
            response
        }
        Refused::Unavailable => Error::api(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::Unavailable,
            "quick chats are unavailable just now; try again soon",
        )
        .into_response(),
        Refused::WrongCode { tries_left } => Error::api(
            StatusCode::UNAUTHORIZED,
            ErrorCode::InvalidCode,
            format!("the name or the code is wrong; {tries_left} tries left"),
        )
        .into_response(),
    }
}

pub async fn create(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ApiJson(request): ApiJson<CreateQuickChat>,
) -> Result<Response> {
    state.auth.limiter.check_quick_chat(peer.ip()).await?;
    let check = |name: &str| {
        check_quick_name(name).map_err(|(code, message)| Error::api(StatusCode::BAD_REQUEST, code, message))
    };
    let names = [check(&request.names[0])?, check(&request.names[1])?];
    if names[0].to_lowercase() == names[1].to_lowercase() {
        return Err(Error::api(StatusCode::BAD_REQUEST, ErrorCode::BadRequest, "give the two people different names"));
    }
    let created = match state.quick.create(names, now_ms()).await {
        Ok(created) => created,
        Err(refusal) => return Ok(refused(refusal)),
    };
    let invites = created.people.map(|(name, token, code)| QuickInvite {
        path: format!("/q/{}/{token}", created.room_id),
        name,
        code,
    });
    tracing::info!(room = %created.room_id, "quick chat created");
    let answer = QuickChatCreated { room_id: created.room_id, invites, idle_secs: state.quick.idle().as_secs() };
    Ok((StatusCode::CREATED, Json(answer)).into_response())
}

/// The cookie that carries a browser's session for one link.
const SESSION_COOKIE: &str = "gkq";

/// The session a request carries: `Authorization: Quick <session>`, else the `gkq` cookie.
fn session_of(headers: &HeaderMap) -> Option<String> {
    let from_header = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Quick "))
        .map(|v| v.trim().to_owned());
    from_header.or_else(|| {
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == SESSION_COOKIE)
            .map(|(_, value)| value.trim().to_owned())
    })
}

/// `Set-Cookie` for this link's session; `None` clears it.
fn session_cookie(room: &str, token: &str, session: Option<&str>) -> HeaderValue {
    let path = format!("/api/v1/quick/{room}/{token}");
    let value = match session {
        // Rooms die after their idle time anyway; a day bounds a forgotten cookie.
        Some(session) => format!("{SESSION_COOKIE}={session}; Path={path}; HttpOnly; SameSite=Strict; Max-Age=86400"),
        None => format!("{SESSION_COOKIE}=; Path={path}; HttpOnly; SameSite=Strict; Max-Age=0"),
    };
    HeaderValue::from_str(&value).expect("room ids, tokens and sessions are hex")
}

pub async fn landing(
    State(state): State<AppState>,
    Path((room, token)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    match state.quick.landing(&room, &token).await {
        Ok(landing) => {
            let resume = match session_of(&headers) {
                Some(session) => state.quick.has_session(&room, &token, &session).await,
                None => false,
            };
            let answer = QuickLanding {
                name: landing.name,
                other_name: landing.other_name,
                created_at: landing.created_at,
                resume,
            };
            Json(answer).into_response()
        }
        Err(refusal) => refused(refusal),
    }
}

/// Checks name and code; answers the session in the body (for the app) and as this link's
/// cookie (for the browser).
pub async fn join(
    State(state): State<AppState>,
    Path((room, token)): Path<(String, String)>,
    ApiJson(request): ApiJson<QuickJoin>,
) -> Response {
    match state.quick.join(&room, &token, &request.name, &request.code).await {
        Ok(session) => {
            let cookie = session_cookie(&room, &token, Some(&session));
            ([(header::SET_COOKIE, cookie)], Json(QuickSession { session })).into_response()
        }
        Err(refusal) => refused(refusal),
    }
}

/// Ends the room for both (by a joined person's session) and clears this link's cookie.
pub async fn end(
    State(state): State<AppState>,
    Path((room, token)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let session = session_of(&headers).unwrap_or_default();
    match state.quick.end(&room, &token, &session).await {
        Ok(()) => {
            tracing::info!(%room, "quick chat ended");
            ([(header::SET_COOKIE, session_cookie(&room, &token, None))], StatusCode::NO_CONTENT).into_response()
        }
        Err(refusal) => refused(refusal),
    }
}

/// The room, live: history first, then messages and presence as they happen, until the chat
/// ends or the person leaves.
pub async fn live(
    State(state): State<AppState>,
    Path((room, token)): Path<(String, String)>,
    headers: HeaderMap,
    upgrade: Upgrade,
) -> Response {
    let permit = match crate::ws::connection_permit(&state) {
        Ok(permit) => permit,
        Err(refusal) => return refusal.into_response(),
    };
    let session = session_of(&headers).unwrap_or_default();
    let attached = match state.quick.attach(&room, &token, &session).await {
        Ok(attached) => attached,
        Err(refusal) => return refused(refusal),
    };
    let limits = Limits { max_message: LIVE_FRAME_MAX, max_frame: LIVE_FRAME_MAX, before_lift: None };
    // Here from now on, also if the upgrade never completes: leaving is certain.
    let here = Here { state: state.clone(), room: room.clone(), me: attached.me };
    upgrade.on_upgrade(limits, move |socket, _budget| {
        let tracker = state.connections.clone();
        tracker.track_future(async move {
            serve_live(socket, &state, &room, attached).await;
            drop((here, permit));
        })
    })
}

/// A person's presence in a room while a live socket of theirs exists; dropping it leaves.
struct Here {
    state: AppState,
    room: String,
    me: u8,
}

impl Drop for Here {
    fn drop(&mut self) {
        let (quick, room, me) = (self.state.quick.clone(), std::mem::take(&mut self.room), self.me);
        // Tracked, so a shutdown waits for the leave to reach Redis.
        self.state.connections.spawn(async move { quick.detach(&room, me).await });
    }
}

/// Sends one frame; false when the peer is gone or did not take it within two heartbeats.
async fn send(socket: &mut Socket, frame: &QuickServerFrame, timeout: Duration) -> bool {
    let text = serde_json::to_string(frame).expect("quick frames serialise");
    matches!(tokio::time::timeout(timeout, socket.send(Message::text(text))).await, Ok(Ok(())))
}

async fn serve_live(mut socket: Socket, state: &AppState, room: &str, attached: crate::quick::Attached) {
    let crate::quick::Attached { me, names, messages, other_here, mut events } = attached;
    let heartbeat_every = Duration::from_secs(state.config.heartbeat_secs.max(1).into());
    let write_timeout = 2 * heartbeat_every;
    if !send(&mut socket, &QuickServerFrame::Joined { me, names, messages, other_here }, write_timeout).await {
        return;
    }
    let mut heartbeat = tokio::time::interval_at(Instant::now() + heartbeat_every, heartbeat_every);
    let mut last_heard = Instant::now();
    loop {
        tokio::select! {
            _ = heartbeat.tick() => {
                if last_heard.elapsed() > 2 * heartbeat_every {
                    tracing::debug!("quick chat peer silent; dropping");
                    let _ = tokio::time::timeout(write_timeout, socket.close(None)).await;
                    return;
                }
                let ping = tokio::time::timeout(write_timeout, socket.send(Message::Ping(Default::default())));
                if !matches!(ping.await, Ok(Ok(()))) {
                    return;
                }
            }
            () = state.shutdown.cancelled() => {
                let _ = send(&mut socket, &QuickServerFrame::Ended { reason: "the server is shutting down".into() }, write_timeout).await;
                return;
            }
            event = events.recv() => {
                let frame = match event {
                    Ok(RoomEvent::Message(message)) => QuickServerFrame::Message(message),
                    Ok(RoomEvent::Presence { who, here }) if who != me => QuickServerFrame::Presence { other_here: here },
                    Ok(RoomEvent::Presence { .. }) => continue,
                    Ok(RoomEvent::Ended(reason)) => {
                        let _ = send(&mut socket, &QuickServerFrame::Ended { reason }, write_timeout).await;
                        let _ = tokio::time::timeout(write_timeout, socket.send(Message::Close(None))).await;
                        return;
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                        // Behind: start over with the whole history (the page re-renders it).
                        let _ = tokio::time::timeout(write_timeout, socket.send(Message::Close(None))).await;
                        return;
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
                };
                if !send(&mut socket, &frame, write_timeout).await {
                    return;
                }
            }
            incoming = socket.next() => {
                last_heard = Instant::now();
                let text = match incoming {
                    Some(Ok(Message::Text(text))) => text,
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                    Some(Ok(_)) => continue,
                };
                let answer = match serde_json::from_str::<QuickClientFrame>(text.as_str()) {
                    Ok(QuickClientFrame::Send { text }) => match QuickRooms::check_text(&text) {
                        Ok(()) => match state.quick.say(room, me, &text, now_ms()).await {
                            Ok(_) => None,
                            Err(Refused::Unavailable) => Some(QuickServerFrame::Error {
                                code: ErrorCode::Unavailable,
                                message: "the message was not sent; try again soon".into(),
                            }),
                            Err(_) => Some(QuickServerFrame::Ended { reason: "this chat has ended".into() }),
                        },
                        Err(message) => Some(QuickServerFrame::Error { code: ErrorCode::MessageTooLarge, message }),
                    },
                    Err(err) => Some(QuickServerFrame::Error { code: ErrorCode::BadFrame, message: err.to_string() }),
                };
                if let Some(frame) = answer
                    && !send(&mut socket, &frame, write_timeout).await
                {
                    return;
                }
            }
        }
    }
}
