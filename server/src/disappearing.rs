//! Disappearing messages: a chat's timer, set by a member (announced in the timeline), fixes
//! each message's expiry when it is stored (`db::messages::store_batch`); the sweeper here turns
//! every message whose time is up, and that nobody kept, into an expired tombstone under the
//! chat's sequence — content, reactions, votes, answers, stars and media links gone — so that
//! every device, also one that was off, drops it with its next push or sync. Keeping a message
//! is a message action (`messaging::act`).

use std::collections::BTreeMap;

use gkchat_proto::ServerFrame;
use gkchat_proto::chat::{ChatKind, ChatSummary, check_timer};
use gkchat_proto::group::SystemEvent;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait};

use crate::AppState;
use crate::db::entity::{chat_members, chats as chat_rows, messages as message_rows};
use crate::db::{chats, messages};
use crate::error::{Error, Result};
use crate::hub::encode;

/// Most messages one pass of the sweeper reads at once.
const SWEEP_BATCH: u64 = 500;

/// Sets `chat_id`'s timer (`None`: off) as `user_id`: either person in a direct chat (unless a
/// block stands between them); in a group any member, or admins only when only admins edit its
/// info. The change is a system message; the chat's tile as `user_id` sees it after.
pub async fn set_timer(state: &AppState, user_id: &str, chat_id: &str, after_ms: Option<i64>) -> Result<ChatSummary> {
    check_timer(after_ms).map_err(Error::bad_request)?;
    let (roster, peer) = crate::messaging::roster_and_peer(state, chat_id, user_id).await?;
    if let Some(peer) = &peer {
        crate::messaging::check_not_blocked(state, user_id, peer).await?;
    }
    if roster.kind == ChatKind::Group && roster.only_admins_edit && !roster.is_admin(user_id) {
        return Err(crate::groups::admins_only("change its timer"));
    }
    let now = state.config.clock.now_ms();
    let txn = state.db.begin().await?;
    // Written first (SQLite), held to the end: two changes of timer come one after the other.
    chats::hold(&txn, chat_id).await?;
    let chat = chats::get(&txn, chat_id).await?.ok_or_else(|| Error::not_found("no such chat"))?;
    let record = if chat.disappear_after_ms == after_ms {
        txn.rollback().await?;
        None
    } else {
        chat_rows::Entity::update_many()
            .col_expr(chat_rows::Column::DisappearAfterMs, sea_orm::sea_query::Expr::value(after_ms))
            .filter(chat_rows::Column::Id.eq(chat_id))
            .exec(&txn)
            .await?;
        let record = crate::groups::record(&txn, chat_id, user_id, SystemEvent::TimerChanged { after_ms }, now).await?;
        txn.commit().await?;
        Some(record)
    };
    if let Some(record) = record {
        crate::groups::publish(state, chat_id, vec![record], &[]).await?;
        if roster.is_request(user_id) {
            // A timer set by the holder of a request shows them: it accepts, as writing back.
            return crate::requests::accept(state, user_id, chat_id).await;
        }
    }
    chats::summary(&state.db, chat_id, user_id).await?.ok_or_else(|| Error::not_found("no such chat"))
}

/// Expires every message whose time is up by `now` and that nobody kept, a chat at a time (one
/// transaction each), and pushes the tombstones to the members who hold them; how many went.
pub async fn sweep(state: &AppState, now: i64) -> Result<usize> {
    let mut swept = 0;
    loop {
        let due = message_rows::Entity::find()
            .filter(message_rows::Column::ExpiresAt.lte(now))
            .filter(message_rows::Column::Kept.eq(false))
            .filter(message_rows::Column::ExpiredAt.is_null())
            .order_by_asc(message_rows::Column::ExpiresAt)
            .limit(SWEEP_BATCH)
            .all(&state.db)
            .await?;
        let full = due.len() as u64 == SWEEP_BATCH;
        let mut by_chat: BTreeMap<String, Vec<message_rows::Model>> = BTreeMap::new();
        for row in due {
            by_chat.entry(row.chat_id.clone()).or_default().push(row);
        }
        let mut failed = false;
        for (chat_id, rows) in by_chat {
            // One chat failing (its rows stay due) does not stop the others.
            match expire_in(state, &chat_id, rows, now).await {
                Ok(count) => swept += count,
                Err(err) => {
                    failed = true;
                    tracing::warn!(error = %err, chat_id, "expiring a chat's messages failed");
                }
            }
        }
        if !full || failed {
            return Ok(swept);
        }
    }
}

/// Expires `rows` of one chat in one transaction and pushes the tombstones; how many went.
async fn expire_in(state: &AppState, chat_id: &str, rows: Vec<message_rows::Model>, now: i64) -> Result<usize> {
    let txn = state.db.begin().await?;
    chats::hold(&txn, chat_id).await?;
    let mut expired = Vec::with_capacity(rows.len());
    for row in rows {
        // As it is now the chat is held: kept or expired meanwhile, it stays as it is.
        let Some(row) = messages::get(&txn, &row.id).await? else { continue };
        if row.kept || row.expired_at.is_some() {
            continue;
        }
        expired.push(messages::change_in(&txn, row, messages::Change::Expire, now).await?);
    }
    txn.commit().await?;
    let count = expired.len();
    push(state, chat_id, expired).await?;
    Ok(count)
}

/// Pushes expired tombstones (the same for everyone) to the current members whose window holds
/// each.
async fn push(state: &AppState, chat_id: &str, expired: Vec<message_rows::Model>) -> Result<()> {
    if expired.is_empty() {
        return Ok(());
    }
    let members: Vec<(String, i64)> = chat_members::Entity::find()
        .select_only()
        .column(chat_members::Column::UserId)
        .column(chat_members::Column::HistoryFrom)
        .filter(chat_members::Column::ChatId.eq(chat_id))
        .filter(chat_members::Column::LeftSeq.is_null())
        .into_tuple()
        .all(&state.db)
        .await?;
    for message in messages::to_dtos(&state.db, expired, "").await? {
        let seq = message.seq;
        let to = members.iter().filter(|(_, from)| *from <= seq).map(|(id, _)| id.as_str());
        state.hub.push_to_users(to, &encode(&ServerFrame::Message(message)));
    }
    Ok(())
}

/// Runs the sweeper until the server stops: every few seconds, and at once whenever the
/// server's clock is moved (tests).
pub fn start(state: AppState) {
    let stop = state.shutdown.clone();
    let mut moves = state.config.clock.moves();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(5));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                () = stop.cancelled() => break,
                _ = tick.tick() => {}
                changed = moves.changed() => if changed.is_err() { break },
            }
            match sweep(&state, state.config.clock.now_ms()).await {
                Ok(0) => {}
                Ok(swept) => tracing::info!(swept, "disappearing messages expired"),
                Err(err) => tracing::warn!(error = %err, "expiring messages failed"),
            }
        }
    });
}
