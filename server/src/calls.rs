//! Calls: the referee between two devices. Rings every device of the callee, lets one answer and
//! stops the others, relays SDP and ICE between the caller's device and the answering one, times
//! ringing out into a missed call, ends calls whose device went away, and writes the call log.
//! Media never passes through here (the TURN relay in `turn.rs` carries it when needed).
//!
//! Active calls live in memory: a call is between two live connections, so a restart ends it
//! anyway. With several instances this registry gets a Redis-backed twin, like the hub.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use axum::http::StatusCode;
use gkchat_proto::call::{CallAction, CallEvent, CallInfo, CallKind, CallOutcome, CallSignal, IceServer};
use gkchat_proto::{ErrorCode, ServerFrame};

use crate::auth::AuthUser;
use crate::db::{accounts, blocks, calls as call_log};
use crate::error::{Error, Result};
use crate::{AppState, now_ms};

/// Longest call id accepted (clients use UUIDs).
const CALL_ID_MAX: usize = 64;

struct ActiveCall {
    info: CallInfo,
    caller_session: String,
    /// The callee's device that answered.
    callee_session: Option<String>,
    answered_at: Option<i64>,
    /// Video was on at some point.
    video: bool,
}

impl ActiveCall {
    fn involves(&self, user_id: &str) -> bool {
        self.info.caller_id == user_id || self.info.callee_id == user_id
    }

    fn has_session(&self, session_id: &str) -> bool {
        self.caller_session == session_id || self.callee_session.as_deref() == Some(session_id)
    }
}

/// The calls going on now.
#[derive(Default)]
pub struct Calls {
    active: Mutex<HashMap<String, ActiveCall>>,
}

impl Calls {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, ActiveCall>> {
        self.active.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Calls going on now (for tests and metrics).
    pub fn count(&self) -> usize {
        self.lock().len()
    }
}

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
        CallAction::Accept => accept(state, user, call_id).map(Answer::Ready),
        CallAction::Decline => decline(state, user, call_id).await.map(|()| Answer::Done),
        CallAction::HangUp { failed } => hang_up(state, user, call_id, failed).await.map(|()| Answer::Done),
        CallAction::Signal { signal } => relay(state, user, call_id, signal).map(|()| Answer::Done),
        CallAction::Switch { kind } => switch(state, user, call_id, kind).map(|()| Answer::Done),
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
        info,
        caller_session: user.session_id.clone(),
        callee_session: None,
        answered_at: None,
        video: kind == CallKind::Video,
    };
    let busy = {
        let mut active = state.calls.lock();
        if active.contains_key(call_id) {
            return Err(bad("a call with this id exists"));
        }
        if active.values().any(|c| c.involves(&user.user_id)) {
            return Err(Error::api(StatusCode::CONFLICT, ErrorCode::AlreadyInCall, "you are already in a call"));
        }
        if active.values().any(|c| c.involves(&callee.id)) {
            Some(call)
        } else {
            // Rung under the lock, so a device registering now gets it exactly once (see
            // `register`).
            state.hub.send_to_user(&callee.id, &ServerFrame::Call(CallEvent::Incoming { call: call.info.clone() }));
            active.insert(call_id.to_owned(), call);
            None
        }
    };
    if let Some(call) = busy {
        // The caller hears "busy" right after its `call_ready`; both logs keep it.
        close(state, call, CallOutcome::Busy).await;
        return Ok(ice_servers(state, &user.user_id));
    }
    let (state2, call) = (state.clone(), call_id.to_owned());
    let ring = Duration::from_secs(state.config.call_ring_secs.max(1));
    tokio::spawn(async move {
        tokio::time::sleep(ring).await;
        let unanswered = state2.calls.lock().get(&call).is_some_and(|c| c.answered_at.is_none());
        if unanswered {
            finish(&state2, &call, CallOutcome::Missed).await;
        }
    });
    Ok(ice_servers(state, &user.user_id))
}

fn accept(state: &AppState, user: &AuthUser, call_id: &str) -> Result<Vec<IceServer>> {
    let (caller_session, answered_at) = {
        let mut active = state.calls.lock();
        let call = active.get_mut(call_id).filter(|c| c.info.callee_id == user.user_id).ok_or_else(not_active)?;
        if call.answered_at.is_some() {
            return Err(not_active());
        }
        let at = now_ms();
        call.answered_at = Some(at);
        call.callee_session = Some(user.session_id.clone());
        (call.caller_session.clone(), at)
    };
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
        state.calls.lock().get(call_id).is_some_and(|c| c.info.callee_id == user.user_id && c.answered_at.is_none());
    if !ringing_for_me {
        return Err(not_active());
    }
    finish(state, call_id, CallOutcome::Declined).await;
    Ok(())
}

async fn hang_up(state: &AppState, user: &AuthUser, call_id: &str, failed: bool) -> Result<()> {
    let outcome = {
        let active = state.calls.lock();
        let call = active.get(call_id).filter(|c| c.involves(&user.user_id)).ok_or_else(not_active)?;
        let is_caller = call.info.caller_id == user.user_id;
        match (call.answered_at, is_caller) {
            // Answered calls end from the two devices in them only.
            (Some(_), _) if !call.has_session(&user.session_id) => return Err(not_active()),
            _ if failed => CallOutcome::Failed,
            (Some(_), _) => CallOutcome::Answered,
            (None, true) => CallOutcome::Cancelled,
            (None, false) => CallOutcome::Declined,
        }
    };
    finish(state, call_id, outcome).await;
    Ok(())
}

fn relay(state: &AppState, user: &AuthUser, call_id: &str, signal: CallSignal) -> Result<()> {
    let to = {
        let active = state.calls.lock();
        let call = active.get(call_id).filter(|c| c.has_session(&user.session_id)).ok_or_else(not_active)?;
        other_session(call, &user.session_id).ok_or_else(not_active)?
    };
    state.hub.send_to_session(&to, &ServerFrame::Call(CallEvent::Signal { call_id: call_id.to_owned(), signal }));
    Ok(())
}

fn switch(state: &AppState, user: &AuthUser, call_id: &str, kind: CallKind) -> Result<()> {
    let to = {
        let mut active = state.calls.lock();
        let call = active.get_mut(call_id).filter(|c| c.has_session(&user.session_id)).ok_or_else(not_active)?;
        call.video |= kind == CallKind::Video;
        other_session(call, &user.session_id).ok_or_else(not_active)?
    };
    state.hub.send_to_session(&to, &ServerFrame::Call(CallEvent::Switched { call_id: call_id.to_owned(), kind }));
    Ok(())
}

/// A device's last connection closed: its calls end (as failed while ringing).
pub async fn session_gone(state: &AppState, session_id: &str) {
    if state.hub.session_online(session_id) {
        return;
    }
    let ended: Vec<(String, CallOutcome)> = state
        .calls
        .lock()
        .iter()
        .filter(|(_, call)| call.has_session(session_id))
        .map(|(id, call)| {
            (id.clone(), if call.answered_at.is_some() { CallOutcome::Answered } else { CallOutcome::Failed })
        })
        .collect();
    for (call_id, outcome) in ended {
        finish(state, &call_id, outcome).await;
    }
}

/// Registers a signed-in connection in the hub; a call ringing for its user rings there too.
/// Under the calls lock, so a ring reaches it exactly once: either here or from `start`.
pub fn register(
    state: &AppState,
    user: &AuthUser,
    ending: std::sync::Arc<crate::hub::Ending>,
) -> crate::hub::Registration {
    let active = state.calls.lock();
    let registration = state.hub.register(&user.user_id, &user.session_id, ending);
    for call in active.values().filter(|c| c.info.callee_id == user.user_id && c.answered_at.is_none()) {
        state
            .hub
            .send_to_session(&user.session_id, &ServerFrame::Call(CallEvent::Incoming { call: call.info.clone() }));
    }
    registration
}

/// Ends a call once: removes it, then `close`s it.
async fn finish(state: &AppState, call_id: &str, outcome: CallOutcome) {
    let Some(call) = state.calls.lock().remove(call_id) else { return };
    close(state, call, outcome).await;
}

/// Writes the log line of a call that is over, then tells every device of both people (a device
/// that reloads its log on `ended` finds the call in it).
async fn close(state: &AppState, call: ActiveCall, outcome: CallOutcome) {
    let ended_at = now_ms();
    let info = call.info;
    let finished = call_log::Finished {
        id: info.call_id.clone(),
        caller_id: info.caller_id.clone(),
        callee_id: info.callee_id.clone(),
        kind: if call.video { CallKind::Video } else { CallKind::Audio },
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

fn other_session(call: &ActiveCall, mine: &str) -> Option<String> {
    if call.caller_session == mine { call.callee_session.clone() } else { Some(call.caller_session.clone()) }
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
