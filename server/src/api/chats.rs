//! Chats over REST: the tiles, my settings per chat, the changes feed a device syncs from, and
//! history pages.

use std::collections::HashSet;

use axum::Json;
use axum::extract::{Path, Query, State};
use gkchat_proto::chat::{ChatSettingsUpdate, ChatSummary, HistoryPage, PAGE_MAX, SyncRequest, SyncResponse};
use serde::Deserialize;

use super::ApiJson;
use crate::auth::AuthUser;
use crate::db::{chats, messages};
use crate::error::{Error, Result};
use crate::{AppState, messaging};

pub async fn list(State(state): State<AppState>, auth: AuthUser) -> Result<Json<Vec<ChatSummary>>> {
    Ok(Json(chats::summaries(&state.db, &auth.user_id).await?))
}

pub async fn update(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(chat_id): Path<String>,
    ApiJson(update): ApiJson<ChatSettingsUpdate>,
) -> Result<Json<ChatSummary>> {
    Ok(Json(messaging::update_settings(&state, &auth.user_id, &chat_id, &update).await?))
}

/// Every chat of mine, and the changes after this device's cursors, oldest change first. When
/// `complete`, the device has every change up to each tile's `last_seq`.
pub async fn sync(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiJson(request): ApiJson<SyncRequest>,
) -> Result<Json<SyncResponse>> {
    let limit = u64::from(request.limit.unwrap_or(PAGE_MAX).clamp(1, PAGE_MAX));
    // Tiles first: every change counted in a tile's `last_seq` is then in this answer or
    // reached by the next page, so a complete answer moves a device's cursor to `last_seq`.
    let chats = chats::summaries(&state.db, &auth.user_id).await?;
    let mut changed = Vec::new();
    let mut complete = true;
    for (chat_id, last_seq) in chats::chats_of(&state.db, &auth.user_id).await? {
        let cursor = request.cursors.get(&chat_id).copied().unwrap_or(0);
        if last_seq <= cursor {
            continue;
        }
        let room = limit - changed.len() as u64;
        if room == 0 {
            complete = false;
            break;
        }
        let rows = messages::changes_after(&state.db, &chat_id, cursor, room).await?;
        // Fewer rows than the gap is normal (superseded changes); a full page may have more.
        if rows.len() as u64 == room && rows.last().is_some_and(|r| r.updated_seq < last_seq) {
            complete = false;
        }
        changed.extend(rows);
    }
    let messages = messages::to_dtos(&state.db, changed, &auth.user_id).await?;
    let touched: HashSet<&str> = messages.iter().map(|m| m.chat_id.as_str()).collect();
    tracing::debug!(chats = chats.len(), touched = touched.len(), messages = messages.len(), "sync");
    Ok(Json(SyncResponse { chats, messages, complete }))
}

#[derive(Debug, Deserialize)]
pub struct HistoryQuery {
    /// Messages placed before this sequence number (default: the newest).
    before: Option<i64>,
    limit: Option<u32>,
}

pub async fn history(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(chat_id): Path<String>,
    Query(query): Query<HistoryQuery>,
) -> Result<Json<HistoryPage>> {
    if chats::get(&state.db, &chat_id).await?.is_none() {
        return Err(Error::not_found("no such chat"));
    }
    if chats::membership(&state.db, &chat_id, &auth.user_id).await?.is_none() {
        return Err(Error::api(
            axum::http::StatusCode::FORBIDDEN,
            gkchat_proto::ErrorCode::NotAMember,
            "you are not in that chat",
        ));
    }
    let limit = u64::from(query.limit.unwrap_or(50).clamp(1, PAGE_MAX));
    let mut rows = messages::before(&state.db, &chat_id, query.before.unwrap_or(i64::MAX), limit + 1).await?;
    let more = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    Ok(Json(HistoryPage { messages: messages::to_dtos(&state.db, rows, &auth.user_id).await?, more }))
}

pub async fn message_info(
    State(state): State<AppState>,
    auth: AuthUser,
    Path((chat_id, message_id)): Path<(String, String)>,
) -> Result<Json<gkchat_proto::chat::MessageInfo>> {
    Ok(Json(messaging::message_info(&state, &auth.user_id, &chat_id, &message_id).await?))
}
