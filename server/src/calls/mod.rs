//! Calls: the referee between two devices. Rings every device of the callee, lets one answer and
//! stops the others, relays SDP and ICE between the caller's device and the answering one, times
//! ringing out into a missed call, ends calls whose device went away, and writes the call log.
//! Media never passes through here (the TURN relay in `turn.rs` carries it when needed).
//!
//! The calls going on now are in a [`book::Book`]: this process's memory, or Redis when several
//! instances serve together (a call's two devices may be on different instances; pushes reach
//! them through the hub wherever they are).

pub mod book;

use std::time::{Duration, SystemTime};

use axum::http::StatusCode;
use gkchat_proto::call::{CallAction, CallEvent, CallInfo, CallKind, CallOutcome, CallSignal, IceServer};
use gkchat_proto::{ErrorCode, ServerFrame};

use crate::auth::AuthUser;
use crate::db::{accounts, blocks, calls as call_log};
use crate::error::{Error, Result};
use crate::{AppState, now_ms};
use book::{ActiveCall, NotStarted, Started};

/// Longest call id accepted (clients use UUIDs).
const CALL_ID_MAX: usize = 64;

/// What a `call` frame answers: ICE servers for a device entering the call, or nothing.
pub enum Answer {
    Ready(Vec<IceServer>),
    Done,
}

pub async fn handle(state: &AppState, user: &AuthUser, call_id: &str, action: CallAction) -> Result<Answer> {
    if call_id.is_empty() || call_id.len() > CALL_ID_MAX {
        return Err(bad("a call id must be 1 to 64 characters"));
    }
    match action {
        CallAction::Start { callee_id, kind } => start(state, user, call_id, &callee_id, kind).await.map(Answer::Ready),
        CallAction::Accept => accept(state, user, call_id).await.map(Answer::Ready),
        CallAction::Decline => decline(state, user, call_id).await.map(|()| Answer::Done),
        CallAction::HangUp { failed } => hang_up(state, user, call_id, failed).await.map(|()| Answer::Done),
        CallAction::Signal { signal } => relay(state, user, call_id, signal).await.map(|()| Answer::Done),
        CallAction::Switch { kind } => switch(state, user, call_id, kind).await.map(|()| Answer::Done),
    }
}

async fn start(
    state: &AppState,
    user: &AuthUser,
    call_id: &str,
    callee_id: &str,
    kind: CallKind,
) -> Result<Vec<IceServer>> {
    if callee_id == user.user_id {
        return Err(bad("you cannot call yourself"));
    }
    let callee = accounts::get(&state.db, callee_id).await?.filter(|u| u.deleted_at.is_none());
    let Some(callee) = callee else { return Err(Error::not_found("no such user")) };
    if let Some(blocker) = blocks::between(&state.db, &user.user_id, &callee.id).await? {
        let message = if blocker == user.user_id {
            "you blocked this person; unblock them first"
        } else {
            "this person does not accept your calls"
        };
        return Err(Error::api(StatusCode::FORBIDDEN, ErrorCode::Blocked, message));
    }
    let info = CallInfo {
        call_id: call_id.to_owned(),
        caller_id: user.user_id.clone(),
        callee_id: callee.id.clone(),
        kind,
        started_at: now_ms(),
    };
    let call = ActiveCall {
        info: info.clone(),
        caller_session: user.session_id.clone(),
        callee_session: None,
        answered_at: None,
        video: kind == CallKind::Video,
    };
    let mut booked = state.calls.start(call.clone()).await?;
    if matches!(booked, Err(NotStarted::InCall) | Ok(Started::Busy(_)))
        && (ended_if_stale(state, &user.user_id).await? | ended_if_stale(state, &callee.id).await?)
    {
        booked = state.calls.start(call).await?;
    }
    match booked {
        Err(NotStarted::Exists) => return Err(bad("a call with this id exists")),
        Err(NotStarted::InCall) => {
            return Err(Error::api(StatusCode::CONFLICT, ErrorCode::AlreadyInCall, "you are already in a call"));
        }
        Ok(Started::Busy(call)) => {
            // The caller hears "busy" right after its `call_ready`; both logs keep it.
            close(state, call, CallOutcome::Busy).await;
            return Ok(ice_servers(state, &user.user_id));
        }
        Ok(Started::Ringing) => {
            // After booking: a device connecting now rings either from here or from `register`.
            state.hub.send_to_user(&callee.id, &ServerFrame::Call(CallEvent::Incoming { call: info }));
        }
    }
    let (state2, call) = (state.clone(), call_id.to_owned());
    let ring = Duration::from_secs(state.config.call_ring_secs.max(1));
    tokio::spawn(async move {
        tokio::time::sleep(ring).await;
        match state2.calls.remove(&call, true).await {
            Ok(Some(unanswered)) => close(&state2, unanswered, CallOutcome::Missed).await,
            Ok(None) => {}
            Err(err) => tracing::warn!(error = %err, call_id = %call, "ending an unanswered call failed"),
        }
    });
    Ok(ice_servers(state, &user.user_id))
}

async fn accept(state: &AppState, user: &AuthUser, call_id: &str) -> Result<Vec<IceServer>> {
    let answered_at = now_ms();
    let caller_session =
        state.calls.accept(call_id, &user.user_id, &user.session_id, answered_at).await?.ok_or_else(not_active)?;
    state.hub.send_to_session(
        &caller_session,
        &ServerFrame::Call(CallEvent::Accepted { call_id: call_id.to_owned(), answered_at }),
    );
    state.hub.send_to_user_except(
        &user.user_id,
        &user.session_id,
        &ServerFrame::Call(CallEvent::AnsweredElsewhere { call_id: call_id.to_owned() }),
    );
    Ok(ice_servers(state, &user.user_id))
}

async fn decline(state: &AppState, user: &AuthUser, call_id: &str) -> Result<()> {
    let ringing_for_me =
        state.calls.get(call_id).await?.is_some_and(|c| c.info.callee_id == user.user_id && c.answered_at.is_none());
    if !ringing_for_me {
        return Err(not_active());
    }
    finish(state, call_id, CallOutcome::Declined).await;
    Ok(())
}

async fn hang_up(state: &AppState, user: &AuthUser, call_id: &str, failed: bool) -> Result<()> {
    let call = state.calls.get(call_id).await?.filter(|c| c.involves(&user.user_id)).ok_or_else(not_active)?;
    let is_caller = call.info.caller_id == user.user_id;
    let outcome = match (call.answered_at, is_caller) {
        // Answered calls end from the two devices in them only.
        (Some(_), _) if !call.has_session(&user.session_id) => return Err(not_active()),
        _ if failed => CallOutcome::Failed,
        (Some(_), _) => CallOutcome::Answered,
        (None, true) => CallOutcome::Cancelled,
        (None, false) => CallOutcome::Declined,
    };
    finish(state, call_id, outcome).await;
    Ok(())
}

/// The device on the other end of `user`'s call, when `user`'s device is in it.
async fn other_end(state: &AppState, user: &AuthUser, call_id: &str) -> Result<String> {
    let call = state.calls.get(call_id).await?.filter(|c| c.has_session(&user.session_id)).ok_or_else(not_active)?;
    call.other_session(&user.session_id).ok_or_else(not_active)
}

async fn relay(state: &AppState, user: &AuthUser, call_id: &str, signal: CallSignal) -> Result<()> {
    let to = other_end(state, user, call_id).await?;
    state.hub.send_to_session(&to, &ServerFrame::Call(CallEvent::Signal { call_id: call_id.to_owned(), signal }));
    Ok(())
}

async fn switch(state: &AppState, user: &AuthUser, call_id: &str, kind: CallKind) -> Result<()> {
    let to = other_end(state, user, call_id).await?;
    if kind == CallKind::Video {
        state.calls.video_on(call_id).await?;
    }
    state.hub.send_to_session(&to, &ServerFrame::Call(CallEvent::Switched { call_id: call_id.to_owned(), kind }));
    Ok(())
}

/// A device's last connection closed: its calls end (as failed while ringing).
pub async fn session_gone(state: &AppState, session_id: &str) {
    if state.hub.session_online(session_id) {
        return;
    }
    let calls = match state.calls.of_session(session_id).await {
        Ok(calls) => calls,
        Err(err) => {
            tracing::warn!(error = %err, "finding a gone device's calls failed");
            return;
        }
    };
    for call_id in calls {
        let answered = state.calls.get(&call_id).await.ok().flatten().is_some_and(|c| c.answered_at.is_some());
        finish(state, &call_id, if answered { CallOutcome::Answered } else { CallOutcome::Failed }).await;
    }
}

/// Registers a signed-in connection in the hub (once the other instances can reach it); a call
/// ringing for its user rings there too (registered first, so a ring is never missed: it comes
/// from here or from `start`, at worst from both, which the app takes as one — and a ring that
/// arrives after its call ended is ignored by the app).
pub async fn register(
    state: &AppState,
    user: &AuthUser,
    ending: std::sync::Arc<crate::hub::Ending>,
) -> crate::hub::Registration {
    let mut registration = state.hub.register(&user.user_id, &user.session_id, ending);
    registration.heard_elsewhere().await;
    match state.calls.ringing_for(&user.user_id).await {
        Ok(ringing) => {
            for call in ringing {
                state.hub.send_to_session(&user.session_id, &ServerFrame::Call(CallEvent::Incoming { call }));
            }
        }
        Err(err) => tracing::warn!(error = %err, "looking up ringing calls failed"),
    }
    registration
}

/// Ends `user_id`'s call when no device of it is connected any more (its instance stopped
/// before anyone could end it); whether it did.
async fn ended_if_stale(state: &AppState, user_id: &str) -> Result<bool> {
    let Some(call) = state.calls.call_of(user_id).await? else { return Ok(false) };
    let caller_here = connected(state, &call.caller_session).await?;
    let callee_here = match call.callee_session.as_deref() {
        Some(session) => connected(state, session).await?,
        None => true,
    };
    if caller_here && callee_here {
        return Ok(false);
    }
    tracing::info!(call_id = %call.info.call_id, "ending a call whose device is gone");
    finish(state, &call.info.call_id, CallOutcome::Failed).await;
    Ok(true)
}

/// Whether a device session is connected anywhere: here, or (asked of Redis itself, not of
/// this instance's picture of the others) on another instance.
async fn connected(state: &AppState, session_id: &str) -> Result<bool> {
    if state.hub.session_online(session_id) {
        return Ok(true);
    }
    match state.hub.bus() {
        Some(bus) => bus.session_anywhere(session_id).await,
        None => Ok(false),
    }
}

/// Ends a call once: takes it from the book, then `close`s it.
async fn finish(state: &AppState, call_id: &str, outcome: CallOutcome) {
    match state.calls.remove(call_id, false).await {
        Ok(Some(call)) => close(state, call, outcome).await,
        Ok(None) => {}
        Err(err) => tracing::warn!(error = %err, call_id, "ending a call failed"),
    }
}

/// Writes the log line of a call that is over, then tells every device of both people (a device
/// that reloads its log on `ended` finds the call in it).
async fn close(state: &AppState, call: ActiveCall, outcome: CallOutcome) {
    let ended_at = now_ms();
    let kind = book::kind_of(&call);
    let info = call.info;
    let finished = call_log::Finished {
        id: info.call_id.clone(),
        caller_id: info.caller_id.clone(),
        callee_id: info.callee_id.clone(),
        kind,
        outcome,
        started_at: info.started_at,
        answered_at: call.answered_at,
        ended_at,
    };
    if let Err(err) = call_log::record(&state.db, finished).await {
        tracing::error!(error = %err, call_id = %info.call_id, "writing the call log failed");
    }
    let frame = ServerFrame::Call(CallEvent::Ended { call_id: info.call_id, outcome, ended_at });
    state.hub.send_to_user(&info.caller_id, &frame);
    state.hub.send_to_user(&info.callee_id, &frame);
}

fn ice_servers(state: &AppState, user_id: &str) -> Vec<IceServer> {
    crate::turn::ice_servers_for(state.turn.as_deref(), &state.config, &state.turn_secret, user_id, SystemTime::now())
}

fn not_active() -> Error {
    Error::api(StatusCode::NOT_FOUND, ErrorCode::CallNotActive, "no such call, or it is over")
}

fn bad(message: &str) -> Error {
    Error::api(StatusCode::BAD_REQUEST, ErrorCode::BadRequest, message)
}
