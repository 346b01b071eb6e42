//! Blocking and reporting other users.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use gkchat_proto::ErrorCode;
use gkchat_proto::account::{
    BlockRequest, BlockedUser, REPORT_MESSAGES_MAX, REPORT_REASON_MAX, ReportReceipt, ReportRequest, check_profile_text,
};

use super::ApiJson;
use crate::auth::AuthUser;
use crate::db::entity::users;
use crate::db::{accounts, blocks, reports};
use crate::error::{Error, Result};
use crate::{AppState, now_ms};

/// Another live account, never the caller.
async fn other_user(state: &AppState, auth: &AuthUser, user_id: &str) -> Result<users::Model> {
    if user_id == auth.user_id {
        return Err(Error::api(StatusCode::BAD_REQUEST, ErrorCode::BadRequest, "that is your own account"));
    }
    accounts::get(&state.db, user_id).await?.ok_or_else(|| Error::not_found("no such user"))
}

pub async fn list_blocked(State(state): State<AppState>, auth: AuthUser) -> Result<Json<Vec<BlockedUser>>> {
    Ok(Json(blocks::list(&state.db, &auth.user_id).await?))
}

pub async fn block(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiJson(request): ApiJson<BlockRequest>,
) -> Result<StatusCode> {
    let user = other_user(&state, &auth, &request.user_id).await?;
    blocks::block(&state.db, &auth.user_id, &user.id, now_ms()).await?;
    crate::presence::announce(&state, &auth.user_id).await?;
    crate::status::blocks_changed(&state, &auth.user_id, &user.id);
    Ok(StatusCode::NO_CONTENT)
}

pub async fn unblock(State(state): State<AppState>, auth: AuthUser, Path(user_id): Path<String>) -> Result<StatusCode> {
    if blocks::unblock(&state.db, &auth.user_id, &user_id).await? {
        crate::presence::announce(&state, &auth.user_id).await?;
        crate::status::blocks_changed(&state, &auth.user_id, &user_id);
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(Error::not_found("that user is not blocked"))
    }
}

pub async fn report(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiJson(request): ApiJson<ReportRequest>,
) -> Result<(StatusCode, Json<ReportReceipt>)> {
    let user = other_user(&state, &auth, &request.user_id).await?;
    let reason = check_profile_text("the reason", &request.reason, REPORT_REASON_MAX, true)
        .map_err(|invalid| Error::api(StatusCode::BAD_REQUEST, ErrorCode::BadRequest, invalid.message))?;
    if request.message_ids.len() > REPORT_MESSAGES_MAX {
        let message = format!("a report attaches at most {REPORT_MESSAGES_MAX} messages");
        return Err(Error::api(StatusCode::BAD_REQUEST, ErrorCode::BadRequest, message));
    }
    // Only messages of our own direct chat, copied now so deleting them later keeps the evidence.
    let Some(evidence) = reports::evidence(&state.db, &auth.user_id, &user.id, &request.message_ids).await? else {
        let message = "a report can only attach messages of your chat with that user";
        return Err(Error::api(StatusCode::BAD_REQUEST, ErrorCode::BadRequest, message));
    };
    let now = now_ms();
    let filed =
        reports::file(&state.db, &auth.user_id, reports::Reported::Person(&user.id), reason, &evidence, now).await?;
    if request.block {
        blocks::block(&state.db, &auth.user_id, &user.id, now).await?;
        crate::presence::announce(&state, &auth.user_id).await?;
        crate::status::blocks_changed(&state, &auth.user_id, &user.id);
    }
    tracing::info!(report_id = %filed.id, "report filed");
    Ok((StatusCode::CREATED, Json(ReportReceipt { id: filed.id })))
}
