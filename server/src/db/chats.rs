//! Service functions over `chats` and `chat_members`: finding or starting a direct chat,
//! membership, sequence numbers, receipt cursors, my settings, and the chat tiles.

use std::collections::HashMap;

use gkchat_proto::chat::{ChatKind, ChatPeer, ChatSettingsUpdate, ChatSummary, ReceiptKind};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, SqlErr, TransactionTrait,
};

use super::entity::{chat_members, chats, messages, receipt_marks, users};
use super::{accounts, contacts, messages as message_service};
use crate::error::{Error, Result};

pub const KIND_DIRECT: &str = "direct";

fn direct_key(a: &str, b: &str) -> String {
    if a < b { format!("{a}:{b}") } else { format!("{b}:{a}") }
}

/// The direct chat between `a` and `b`, if they have one.
pub async fn find_direct(db: &impl ConnectionTrait, a: &str, b: &str) -> Result<Option<chats::Model>> {
    Ok(chats::Entity::find().filter(chats::Column::DirectKey.eq(direct_key(a, b))).one(db).await?)
}

/// The direct chat between `a` and `b`, started now if there is none; `true` when new.
pub async fn find_or_start_direct(
    db: &(impl ConnectionTrait + TransactionTrait),
    a: &str,
    b: &str,
    now_ms: i64,
) -> Result<(chats::Model, bool)> {
    if let Some(chat) = find_direct(db, a, b).await? {
        return Ok((chat, false));
    }
    let txn = db.begin().await?;
    let chat = chats::ActiveModel {
        id: Set(uuid::Uuid::now_v7().to_string()),
        kind: Set(KIND_DIRECT.to_owned()),
        direct_key: Set(Some(direct_key(a, b))),
        last_seq: Set(0),
        created_at: Set(now_ms),
        last_activity_at: Set(now_ms),
    };
    let inserted = match chat.insert(&txn).await {
        Ok(chat) => chat,
        // Both sides started it at the same moment: use theirs.
        Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            txn.rollback().await?;
            let chat = find_direct(db, a, b).await?.ok_or_else(|| Error::Internal("direct chat vanished".into()))?;
            return Ok((chat, false));
        }
        Err(err) => return Err(err.into()),
    };
    for user_id in [a, b] {
        chat_members::ActiveModel {
            chat_id: Set(inserted.id.clone()),
            user_id: Set(user_id.to_owned()),
            joined_at: Set(now_ms),
            delivered_seq: Set(0),
            read_seq: Set(0),
            pinned_at: Set(None),
            archived: Set(false),
            muted_until: Set(None),
        }
        .insert(&txn)
        .await?;
    }
    txn.commit().await?;
    Ok((inserted, true))
}

pub async fn get(db: &impl ConnectionTrait, chat_id: &str) -> Result<Option<chats::Model>> {
    Ok(chats::Entity::find_by_id(chat_id.to_owned()).one(db).await?)
}

pub async fn membership(
    db: &impl ConnectionTrait,
    chat_id: &str,
    user_id: &str,
) -> Result<Option<chat_members::Model>> {
    Ok(chat_members::Entity::find_by_id((chat_id.to_owned(), user_id.to_owned())).one(db).await?)
}

pub async fn members(db: &impl ConnectionTrait, chat_id: &str) -> Result<Vec<chat_members::Model>> {
    Ok(chat_members::Entity::find().filter(chat_members::Column::ChatId.eq(chat_id)).all(db).await?)
}

/// Takes the chat's next sequence number (inside the caller's transaction, which holds the
/// chat's row lock until it commits, so numbers commit in order).
pub async fn next_seq(db: &impl ConnectionTrait, chat_id: &str, now_ms: i64) -> Result<i64> {
    take_seqs(db, chat_id, 1, now_ms).await
}

/// Takes the chat's next `count` sequence numbers; returns the last of them.
pub async fn take_seqs(db: &impl ConnectionTrait, chat_id: &str, count: i64, now_ms: i64) -> Result<i64> {
    let update = Query::update()
        .table(chats::Entity)
        .value(chats::Column::LastSeq, Expr::col(chats::Column::LastSeq).add(count))
        .value(chats::Column::LastActivityAt, now_ms)
        .and_where(chats::Column::Id.eq(chat_id))
        .returning_col(chats::Column::LastSeq)
        .to_owned();
    let row = db
        .query_one(db.get_database_backend().build(&update))
        .await?
        .ok_or_else(|| Error::Internal(format!("chat {chat_id} vanished")))?;
    Ok(row.try_get_by_index::<i64>(0)?)
}

/// Moves one member's cursor forward (never back); returns the member row after.
pub async fn advance_cursor(
    db: &impl ConnectionTrait,
    member: chat_members::Model,
    kind: ReceiptKind,
    seq: i64,
) -> Result<chat_members::Model> {
    // Reading implies receiving.
    let delivered = member.delivered_seq.max(seq);
    let read = if kind == ReceiptKind::Read { member.read_seq.max(seq) } else { member.read_seq };
    if (delivered, read) == (member.delivered_seq, member.read_seq) {
        return Ok(member);
    }
    let mut row: chat_members::ActiveModel = member.into();
    row.delivered_seq = Set(delivered);
    row.read_seq = Set(read);
    Ok(row.update(db).await?)
}

/// Records that `user_id`'s `kind` cursor in `chat_id` reached `seq` at `now_ms`.
pub async fn mark_receipt(
    db: &impl ConnectionTrait,
    chat_id: &str,
    user_id: &str,
    kind: ReceiptKind,
    seq: i64,
    now_ms: i64,
) -> Result<()> {
    let kind = match kind {
        ReceiptKind::Delivered => "delivered",
        ReceiptKind::Read => "read",
    };
    receipt_marks::ActiveModel {
        chat_id: Set(chat_id.to_owned()),
        user_id: Set(user_id.to_owned()),
        kind: Set(kind.to_owned()),
        seq: Set(seq),
        at: Set(now_ms),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// When `user_id`'s `kind` cursor in `chat_id` first reached `seq`, if it has.
pub async fn reached_at(
    db: &impl ConnectionTrait,
    chat_id: &str,
    user_id: &str,
    kind: &str,
    seq: i64,
) -> Result<Option<i64>> {
    let first = receipt_marks::Entity::find()
        .filter(receipt_marks::Column::ChatId.eq(chat_id))
        .filter(receipt_marks::Column::UserId.eq(user_id))
        .filter(receipt_marks::Column::Kind.eq(kind))
        .filter(receipt_marks::Column::Seq.gte(seq))
        .order_by_asc(receipt_marks::Column::Seq)
        .one(db)
        .await?;
    Ok(first.map(|mark| mark.at))
}

pub async fn update_settings(
    db: &impl ConnectionTrait,
    member: chat_members::Model,
    update: &ChatSettingsUpdate,
    now_ms: i64,
) -> Result<chat_members::Model> {
    let mut row: chat_members::ActiveModel = member.into();
    if let Some(pinned) = update.pinned {
        row.pinned_at = Set(pinned.then_some(now_ms));
    }
    if let Some(archived) = update.archived {
        row.archived = Set(archived);
    }
    if let Some(until) = update.muted_until {
        row.muted_until = Set((until > now_ms).then_some(until));
    }
    Ok(row.update(db).await?)
}

/// The chats `user_id` is in, as tiles, most recently active first (pinned ones on top is the
/// client's call: it knows the user's order).
pub async fn summaries(db: &impl ConnectionTrait, user_id: &str) -> Result<Vec<ChatSummary>> {
    let memberships = chat_members::Entity::find().filter(chat_members::Column::UserId.eq(user_id)).all(db).await?;
    let mut list = Vec::with_capacity(memberships.len());
    for member in memberships {
        if let Some(summary) = summary_for(db, member).await? {
            list.push(summary);
        }
    }
    list.sort_by_key(|c| std::cmp::Reverse(c.last_activity_at));
    Ok(list)
}

/// One chat's tile for `member`.
pub async fn summary(db: &impl ConnectionTrait, chat_id: &str, user_id: &str) -> Result<Option<ChatSummary>> {
    match membership(db, chat_id, user_id).await? {
        Some(member) => summary_for(db, member).await,
        None => Ok(None),
    }
}

async fn summary_for(db: &impl ConnectionTrait, member: chat_members::Model) -> Result<Option<ChatSummary>> {
    let Some(chat) = get(db, &member.chat_id).await? else { return Ok(None) };
    let others: Vec<chat_members::Model> =
        members(db, &chat.id).await?.into_iter().filter(|m| m.user_id != member.user_id).collect();
    let me = users::Entity::find_by_id(member.user_id.clone()).one(db).await?;
    let my_receipts = me.as_ref().is_none_or(|u| u.read_receipts);
    let (mut peer, mut peer_delivered_seq, mut peer_read_seq) = (None, 0, 0);
    if let Some(other) = others.first() {
        let user = users::Entity::find_by_id(other.user_id.clone()).one(db).await?;
        if let Some(user) = user {
            let relation = contacts::Relation::between(db, &user.id, &member.user_id).await?;
            peer = Some(ChatPeer {
                user_id: user.id.clone(),
                username: user.username.clone().unwrap_or_default(),
                display_name: user.display_name.clone(),
                photo: if relation.sees(accounts::privacy(&user).photo) { user.photo_id.clone() } else { None },
            });
            peer_delivered_seq = other.delivered_seq;
            if my_receipts && user.read_receipts {
                peer_read_seq = other.read_seq;
            }
        }
    }
    let last_message = message_service::latest_visible(db, &chat.id, &member.user_id).await?;
    let unread = messages::Entity::find()
        .filter(messages::Column::ChatId.eq(chat.id.clone()))
        .filter(messages::Column::Seq.gt(member.read_seq))
        .filter(messages::Column::SenderId.ne(member.user_id.clone()))
        .filter(messages::Column::DeletedAt.is_null())
        .count(db)
        .await?;
    Ok(Some(ChatSummary {
        id: chat.id,
        kind: ChatKind::Direct,
        peer,
        last_seq: chat.last_seq,
        last_message,
        unread: u32::try_from(unread).unwrap_or(u32::MAX),
        last_activity_at: chat.last_activity_at,
        my_delivered_seq: member.delivered_seq,
        my_read_seq: member.read_seq,
        peer_delivered_seq,
        peer_read_seq,
        pinned_at: member.pinned_at,
        archived: member.archived,
        muted_until: member.muted_until,
    }))
}

/// The receipt cursors of `member` as `viewer_id` may see them (read only where both allow).
pub async fn cursors_seen_by(
    db: &impl ConnectionTrait,
    member: &chat_members::Model,
    viewer_id: &str,
) -> Result<(i64, i64)> {
    if member.user_id == viewer_id {
        return Ok((member.delivered_seq, member.read_seq));
    }
    let ids = [member.user_id.clone(), viewer_id.to_owned()];
    let both: HashMap<String, bool> = users::Entity::find()
        .filter(users::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.read_receipts))
        .collect();
    let allowed = both.len() == 2 && both.values().all(|on| *on);
    Ok((member.delivered_seq, if allowed { member.read_seq } else { 0 }))
}

/// Every chat id `user_id` is in, with its last sequence number.
pub async fn chats_of(db: &impl ConnectionTrait, user_id: &str) -> Result<Vec<(String, i64)>> {
    let memberships = chat_members::Entity::find()
        .filter(chat_members::Column::UserId.eq(user_id))
        .order_by_asc(chat_members::Column::ChatId)
        .all(db)
        .await?;
    let ids: Vec<String> = memberships.into_iter().map(|m| m.chat_id).collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows =
        chats::Entity::find().filter(chats::Column::Id.is_in(ids)).order_by_asc(chats::Column::Id).all(db).await?;
    Ok(rows.into_iter().map(|c| (c.id, c.last_seq)).collect())
}
