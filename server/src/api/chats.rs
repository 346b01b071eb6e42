//! Chats over REST: the tiles, my settings per chat, the changes feed a device syncs from, and
//! history pages.

use std::collections::HashSet;

use axum::Json;
use axum::extract::{Path, Query, State};
use gkchat_proto::chat::{
    ChatSettingsUpdate, ChatSummary, ChatTimer, ClearChat, HistoryPage, OpenDirectChat, PAGE_MAX, SyncRequest,
    SyncResponse,
};
use serde::Deserialize;

use super::ApiJson;
use crate::auth::AuthUser;
use crate::db::{chats, messages};
use crate::error::Result;
use crate::{AppState, messaging};

pub async fn list(State(state): State<AppState>, auth: AuthUser) -> Result<Json<Vec<ChatSummary>>> {
    Ok(Json(chats::summaries(&state.db, &auth.user_id).await?))
}

/// The direct chat with a person, started if there is none: its tile.
pub async fn open_direct(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiJson(request): ApiJson<OpenDirectChat>,
) -> Result<Json<ChatSummary>> {
    Ok(Json(messaging::open_direct(&state, &auth.user_id, &request.user_id).await?))
}

pub async fn update(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(chat_id): Path<String>,
    ApiJson(update): ApiJson<ChatSettingsUpdate>,
) -> Result<Json<ChatSummary>> {
    Ok(Json(messaging::update_settings(&state, &auth.user_id, &chat_id, &update).await?))
}

/// `PUT /chats/{id}/background`: my background for the chat, or a group's for everyone.
pub async fn set_background(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(chat_id): Path<String>,
    ApiJson(choice): ApiJson<gkchat_proto::appearance::ChatBackground>,
) -> Result<Json<ChatSummary>> {
    Ok(Json(crate::appearance::set_chat_background(&state, &auth.user_id, &chat_id, choice).await?))
}

/// `PUT /chats/{id}/timer`: the chat's disappearing-message timer, for everyone in it.
pub async fn set_timer(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(chat_id): Path<String>,
    ApiJson(timer): ApiJson<ChatTimer>,
) -> Result<Json<ChatSummary>> {
    Ok(Json(crate::disappearing::set_timer(&state, &auth.user_id, &chat_id, timer.after_ms).await?))
}

/// `POST /chats/{id}/clear`: "clear chat" for me (optionally keeping my starred messages).
pub async fn clear(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(chat_id): Path<String>,
    ApiJson(clear): ApiJson<ClearChat>,
) -> Result<()> {
    messaging::clear_for_me(&state, &auth.user_id, &chat_id, clear.keep_starred).await
}

/// `POST /chats/{id}/accept`: I accept a message request; the chat's tile.
pub async fn accept(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(chat_id): Path<String>,
) -> Result<Json<ChatSummary>> {
    Ok(Json(crate::requests::accept(&state, &auth.user_id, &chat_id).await?))
}

/// `DELETE /chats/{id}`: "delete chat" for me (leaving a group I am still in).
pub async fn delete_for_me(State(state): State<AppState>, auth: AuthUser, Path(chat_id): Path<String>) -> Result<()> {
    messaging::delete_for_me(&state, &auth.user_id, &chat_id).await
}

/// Every chat of mine, the member lists this device lacks, and the changes after its cursors,
/// oldest change first. When `complete`, the device has every change up to each tile's
/// `last_seq`.
pub async fn sync(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiJson(request): ApiJson<SyncRequest>,
) -> Result<Json<SyncResponse>> {
    let limit = u64::from(request.limit.unwrap_or(PAGE_MAX).clamp(1, PAGE_MAX));
    // Tiles first: every change counted in a tile's `last_seq` is then in this answer or
    // reached by the next page, so a complete answer moves a device's cursor to `last_seq`.
    let chats = chats::summaries(&state.db, &auth.user_id).await?;
    let mine = chats::chats_of(&state.db, &auth.user_id).await?;
    // Member lists of the chats I am still in, where mine is missing or older.
    let stale: Vec<_> = mine
        .iter()
        .filter(|(chat, me)| {
            me.left_seq.is_none() && request.members.get(&chat.id).is_none_or(|known| *known < chat.members_seq)
        })
        .map(|(chat, _)| chat.clone())
        .collect();
    let members = chats::member_lists(&state.db, &stale, &auth.user_id).await?;
    let behind: Vec<messages::Window> = mine
        .iter()
        .filter_map(|(chat, me)| {
            let cursor = request.cursors.get(&chat.id).copied().unwrap_or(0);
            let last = me.left_seq.map_or(chat.last_seq, |left| left.min(chat.last_seq));
            (last > cursor).then(|| messages::Window {
                chat_id: chat.id.clone(),
                cursor,
                from: me.history_from,
                until: me.left_seq,
                cleared: me.clear_keeps_starred.then_some(me.cleared_seq),
            })
        })
        .collect();
    // One more than a page tells whether more remain.
    let mut changed = messages::changes_after(&state.db, &behind, &auth.user_id, limit + 1).await?;
    let complete = changed.len() as u64 <= limit;
    changed.truncate(limit as usize);
    let messages = messages::to_dtos(&state.db, changed, &auth.user_id).await?;
    let touched: HashSet<&str> = messages.iter().map(|m| m.chat_id.as_str()).collect();
    tracing::debug!(chats = chats.len(), touched = touched.len(), messages = messages.len(), "sync");
    Ok(Json(SyncResponse { chats, members, messages, complete }))
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
    state.members.check(&state.db, &chat_id, &auth.user_id).await?;
    let me = chats::membership(&state.db, &chat_id, &auth.user_id).await?;
    let window = messages::Window {
        chat_id: chat_id.clone(),
        cursor: 0,
        from: me.as_ref().map_or(0, |me| me.history_from),
        until: None,
        cleared: me.as_ref().and_then(|me| me.clear_keeps_starred.then_some(me.cleared_seq)),
    };
    let limit = u64::from(query.limit.unwrap_or(50).clamp(1, PAGE_MAX));
    let mut rows =
        messages::before(&state.db, &window, &auth.user_id, query.before.unwrap_or(i64::MAX), limit + 1).await?;
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
