//! The call log over REST (`GET /api/v1/calls?before=&limit=`); live calls are WebSocket frames.

use axum::Json;
use axum::extract::{Query, State};
use gkchat_proto::call::CallLogEntry;
use serde::Deserialize;

use crate::AppState;
use crate::auth::AuthUser;
use crate::db::calls;
use crate::error::Result;

/// Most log lines one page returns.
const PAGE_MAX: u64 = 200;

#[derive(Debug, Deserialize)]
pub struct LogQuery {
    /// Only calls that started before this time (Unix ms): the next page.
    before: Option<i64>,
    limit: Option<u64>,
}

pub async fn log(
    State(state): State<AppState>,
    auth: AuthUser,
    Query(query): Query<LogQuery>,
) -> Result<Json<Vec<CallLogEntry>>> {
    let limit = query.limit.unwrap_or(50).clamp(1, PAGE_MAX);
    Ok(Json(calls::log_for(&state.db, &auth.user_id, query.before, limit).await?))
}
