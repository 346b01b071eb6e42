//! Quick chats over REST: create a room, the landing of a link, joining with the code, ending.
//! Live chatting in the room (WebSocket) and the browser page at `/q` come next.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use gkchat_proto::ErrorCode;
use gkchat_proto::quick::{
    CreateQuickChat, QuickChatCreated, QuickInvite, QuickJoin, QuickLanding, QuickSession, check_quick_name,
};

use super::ApiJson;
use crate::error::{Error, Result};
use crate::quick::Refused;
use crate::{AppState, now_ms};

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
    ApiJson(request): ApiJson<CreateQuickChat>,
) -> Result<(StatusCode, Json<QuickChatCreated>)> {
    let check = |name: &str| {
        check_quick_name(name).map_err(|(code, message)| Error::api(StatusCode::BAD_REQUEST, code, message))
    };
    let names = [check(&request.names[0])?, check(&request.names[1])?];
    if names[0].to_lowercase() == names[1].to_lowercase() {
        return Err(Error::api(StatusCode::BAD_REQUEST, ErrorCode::BadRequest, "give the two people different names"));
    }
    let created = state.quick.create(names, now_ms());
    let invites = created.people.map(|(name, token, code)| QuickInvite {
        path: format!("/q/{}/{token}", created.room_id),
        name,
        code,
    });
    tracing::info!(room = %created.room_id, "quick chat created");
    let answer = QuickChatCreated { room_id: created.room_id, invites, idle_secs: state.quick.idle().as_secs() };
    Ok((StatusCode::CREATED, Json(answer)))
}

pub async fn landing(State(state): State<AppState>, Path((room, token)): Path<(String, String)>) -> Response {
    match state.quick.landing(&room, &token) {
        Ok(landing) => {
            Json(QuickLanding { name: landing.name, other_name: landing.other_name, created_at: landing.created_at })
                .into_response()
        }
        Err(refusal) => refused(refusal),
    }
}

pub async fn join(
    State(state): State<AppState>,
    Path((room, token)): Path<(String, String)>,
    ApiJson(request): ApiJson<QuickJoin>,
) -> Response {
    match state.quick.join(&room, &token, &request.name, &request.code) {
        Ok(session) => Json(QuickSession { session }).into_response(),
        Err(refusal) => refused(refusal),
    }
}

/// Ends the room for both; the session comes as `Authorization: Quick <session>`.
pub async fn end(
    State(state): State<AppState>,
    Path((room, token)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let session = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Quick "))
        .unwrap_or_default();
    match state.quick.end(&room, &token, session.trim()) {
        Ok(()) => {
            tracing::info!(%room, "quick chat ended");
            StatusCode::NO_CONTENT.into_response()
        }
        Err(refusal) => refused(refusal),
    }
}
