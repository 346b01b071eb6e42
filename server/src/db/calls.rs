//! Service functions over `calls`: the call log.

use gkchat_proto::call::{CallDirection, CallKind, CallLogEntry, CallOutcome};
use gkchat_proto::chat::ChatPeer;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

use super::entity::{calls, users};
use super::{accounts, contacts};
use crate::error::Result;

/// A finished call, as the log keeps it.
#[derive(Debug, Clone)]
pub struct Finished {
    pub id: String,
    pub caller_id: String,
    pub callee_id: String,
    pub kind: CallKind,
    pub outcome: CallOutcome,
    pub started_at: i64,
    pub answered_at: Option<i64>,
    pub ended_at: i64,
}

pub async fn record(db: &impl ConnectionTrait, call: Finished) -> Result<()> {
    calls::ActiveModel {
        id: Set(call.id),
        caller_id: Set(call.caller_id),
        callee_id: Set(call.callee_id),
        kind: Set(kind_str(call.kind).into()),
        outcome: Set(outcome_str(call.outcome).into()),
        started_at: Set(call.started_at),
        answered_at: Set(call.answered_at),
        ended_at: Set(call.ended_at),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// My calls, newest first: at most `limit` that started before `before` (all when `None`).
pub async fn log_for(
    db: &impl ConnectionTrait,
    user_id: &str,
    before: Option<i64>,
    limit: u64,
) -> Result<Vec<CallLogEntry>> {
    let mut query = calls::Entity::find()
        .filter(Condition::any().add(calls::Column::CallerId.eq(user_id)).add(calls::Column::CalleeId.eq(user_id)));
    if let Some(before) = before {
        query = query.filter(calls::Column::StartedAt.lt(before));
    }
    let rows = query.order_by_desc(calls::Column::StartedAt).limit(limit).all(db).await?;
    let mut entries = Vec::with_capacity(rows.len());
    for row in rows {
        let outgoing = row.caller_id == user_id;
        let peer_id = if outgoing { &row.callee_id } else { &row.caller_id };
        let Some(peer) = users::Entity::find_by_id(peer_id.clone()).one(db).await? else { continue };
        let relation = contacts::Relation::between(db, &peer.id, user_id).await?;
        entries.push(CallLogEntry {
            call_id: row.id.clone(),
            direction: if outgoing { CallDirection::Outgoing } else { CallDirection::Incoming },
            peer: ChatPeer {
                user_id: peer.id.clone(),
                username: peer.username.clone().unwrap_or_default(),
                display_name: peer.display_name.clone(),
                photo: if relation.sees(accounts::privacy(&peer).photo) { peer.photo_id.clone() } else { None },
            },
            kind: if row.kind == "video" { CallKind::Video } else { CallKind::Audio },
            outcome: parse_outcome(&row.outcome),
            started_at: row.started_at,
            answered_at: row.answered_at,
            ended_at: row.ended_at,
            duration_ms: row.answered_at.map_or(0, |at| (row.ended_at - at).max(0)),
        });
    }
    Ok(entries)
}

fn kind_str(kind: CallKind) -> &'static str {
    match kind {
        CallKind::Audio => "audio",
        CallKind::Video => "video",
    }
}

fn outcome_str(outcome: CallOutcome) -> &'static str {
    match outcome {
        CallOutcome::Answered => "answered",
        CallOutcome::Missed => "missed",
        CallOutcome::Declined => "declined",
        CallOutcome::Busy => "busy",
        CallOutcome::Cancelled => "cancelled",
        CallOutcome::Failed => "failed",
    }
}

fn parse_outcome(text: &str) -> CallOutcome {
    match text {
        "answered" => CallOutcome::Answered,
        "missed" => CallOutcome::Missed,
        "declined" => CallOutcome::Declined,
        "busy" => CallOutcome::Busy,
        "cancelled" => CallOutcome::Cancelled,
        _ => CallOutcome::Failed,
    }
}
