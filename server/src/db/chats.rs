//! Service functions over `chats` and `chat_members`: finding or starting a direct chat,
//! membership, sequence numbers, receipt cursors, my settings, member lists, and the chat
//! tiles. Tiles and member lists are built for many chats and many members at once: a fixed
//! number of queries, never one per chat or per member.

use std::collections::{HashMap, HashSet};

use gkchat_proto::chat::{
    ChatKind, ChatMember, ChatMembers, ChatPeer, ChatSettingsUpdate, ChatSummary, MemberRole, ReceiptKind,
};
use sea_orm::sea_query::{Alias, Asterisk, Expr, Order, Query, SimpleExpr, UnionType};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, QueryFilter,
    QueryOrder, QueryResult, QuerySelect, SqlErr, TransactionTrait,
};

use super::entity::{chat_members, chats, hidden_messages, messages, receipt_marks, starred_messages, users};
use super::{accounts, contacts, messages as message_service};
use crate::error::{Error, Result};

fn direct_key(a: &str, b: &str) -> String {
    if a < b { format!("{a}:{b}") } else { format!("{b}:{a}") }
}

/// The direct chat between `a` and `b`, if they have one.
pub async fn find_direct(db: &impl ConnectionTrait, a: &str, b: &str) -> Result<Option<chats::Model>> {
    Ok(chats::Entity::find().filter(chats::Column::DirectKey.eq(direct_key(a, b))).one(db).await?)
}

/// The direct chat between `a` (who starts it, with `timer`: their default for new chats) and
/// `b`, started now if there is none; `true` when new.
pub async fn find_or_start_direct(
    db: &(impl ConnectionTrait + TransactionTrait),
    a: &str,
    b: &str,
    timer: Option<i64>,
    now_ms: i64,
) -> Result<(chats::Model, bool)> {
    if let Some(chat) = find_direct(db, a, b).await? {
        return Ok((chat, false));
    }
    let txn = db.begin().await?;
    let chat = chats::ActiveModel {
        id: Set(uuid::Uuid::now_v7().to_string()),
        kind: Set(ChatKind::Direct.as_str().to_owned()),
        direct_key: Set(Some(direct_key(a, b))),
        last_seq: Set(0),
        created_at: Set(now_ms),
        last_activity_at: Set(now_ms),
        members_seq: Set(0),
        created_by: Set(Some(a.to_owned())),
        disappear_after_ms: Set(timer),
        only_admins_keep: Set(false),
        ..Default::default()
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
            role: Set(MemberRole::Member.as_str().to_owned()),
            history_from: Set(0),
            left_seq: Set(None),
            cleared_seq: Set(0),
            clear_listed: Set(false),
            clear_keeps_starred: Set(false),
            request: Set(false),
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

/// Locks the chat's row for the rest of the caller's transaction (a write that changes nothing):
/// membership changes of one chat then happen one after the other.
pub async fn lock(db: &impl ConnectionTrait, chat_id: &str) -> Result<()> {
    chats::Entity::update_many()
        .col_expr(chats::Column::MembersSeq, sea_orm::sea_query::Expr::col(chats::Column::MembersSeq).into())
        .filter(chats::Column::Id.eq(chat_id))
        .exec(db)
        .await?;
    Ok(())
}

/// The current members of `chat_id` (not those who left or were removed), oldest first.
pub async fn members(db: &impl ConnectionTrait, chat_id: &str) -> Result<Vec<chat_members::Model>> {
    Ok(chat_members::Entity::find()
        .filter(chat_members::Column::ChatId.eq(chat_id))
        .filter(chat_members::Column::LeftSeq.is_null())
        .order_by_asc(chat_members::Column::JoinedAt)
        .all(db)
        .await?)
}

/// Takes the chat's next sequence number (inside the caller's transaction, which holds the
/// chat's row lock until it commits, so numbers commit in order).
pub async fn next_seq(db: &impl ConnectionTrait, chat_id: &str, now_ms: i64) -> Result<i64> {
    Ok(take_seqs(db, chat_id, 1, Some(now_ms)).await?.last)
}

/// The chat's next sequence number for a change that moves it up nobody's list (a star, a
/// "delete for me", a message disappearing).
pub async fn next_quiet_seq(db: &impl ConnectionTrait, chat_id: &str) -> Result<i64> {
    Ok(take_seqs(db, chat_id, 1, None).await?.last)
}

/// Holds the chat's row for the rest of the transaction (an update that changes nothing): other
/// changes to the chat wait until it ends, so what is read after this is what they will see.
pub async fn hold(db: &impl ConnectionTrait, chat_id: &str) -> Result<()> {
    let update = Query::update()
        .table(chats::Entity)
        .value(chats::Column::LastSeq, Expr::col(chats::Column::LastSeq))
        .and_where(chats::Column::Id.eq(chat_id))
        .to_owned();
    db.execute(db.get_database_backend().build(&update)).await?;
    Ok(())
}

/// Sequence numbers just taken, and the chat's timer as of them.
pub struct Taken {
    /// The last of them.
    pub last: i64,
    pub disappear_after_ms: Option<i64>,
}

/// Takes the chat's next `count` sequence numbers, marking it active at `activity` (when
/// given).
pub async fn take_seqs(db: &impl ConnectionTrait, chat_id: &str, count: i64, activity: Option<i64>) -> Result<Taken> {
    let mut update = Query::update()
        .table(chats::Entity)
        .value(chats::Column::LastSeq, Expr::col(chats::Column::LastSeq).add(count))
        .and_where(chats::Column::Id.eq(chat_id))
        .returning(Query::returning().columns([chats::Column::LastSeq, chats::Column::DisappearAfterMs]))
        .to_owned();
    if let Some(now_ms) = activity {
        update.value(chats::Column::LastActivityAt, now_ms);
    }
    let row = db
        .query_one(db.get_database_backend().build(&update))
        .await?
        .ok_or_else(|| Error::Internal(format!("chat {chat_id} vanished")))?;
    Ok(Taken { last: row.try_get_by_index::<i64>(0)?, disappear_after_ms: row.try_get_by_index(1)? })
}

/// A member's (delivered, read) cursors after a `kind` receipt up to `seq`: reading implies
/// receiving, and cursors never go back.
pub fn cursors_after(member: &chat_members::Model, kind: ReceiptKind, seq: i64) -> (i64, i64) {
    let delivered = member.delivered_seq.max(seq);
    let read = if kind == ReceiptKind::Read { member.read_seq.max(seq) } else { member.read_seq };
    (delivered, read)
}

/// Moves one member's cursor forward (never back); returns the member row after.
pub async fn advance_cursor(
    db: &impl ConnectionTrait,
    member: chat_members::Model,
    kind: ReceiptKind,
    seq: i64,
) -> Result<chat_members::Model> {
    let (delivered, read) = cursors_after(&member, kind, seq);
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

/// When each member's cursors in `chat_id` first reached `seq`: user id → (delivered at, read
/// at), for those who have.
pub async fn reached_at(
    db: &impl ConnectionTrait,
    chat_id: &str,
    seq: i64,
) -> Result<HashMap<String, (Option<i64>, Option<i64>)>> {
    // Cursors only move forward, so the earliest mark at or past `seq` is when it was reached.
    let rows: Vec<(String, String, Option<i64>)> = receipt_marks::Entity::find()
        .select_only()
        .column(receipt_marks::Column::UserId)
        .column(receipt_marks::Column::Kind)
        .column_as(receipt_marks::Column::At.min(), "at")
        .filter(receipt_marks::Column::ChatId.eq(chat_id))
        .filter(receipt_marks::Column::Seq.gte(seq))
        .group_by(receipt_marks::Column::UserId)
        .group_by(receipt_marks::Column::Kind)
        .into_tuple()
        .all(db)
        .await?;
    let mut reached: HashMap<String, (Option<i64>, Option<i64>)> = HashMap::new();
    for (user_id, kind, at) in rows {
        let entry = reached.entry(user_id).or_default();
        match kind.as_str() {
            "delivered" => entry.0 = at,
            _ => entry.1 = at,
        }
    }
    Ok(reached)
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
    let mut list = summaries_of(db, user_id, None).await?;
    list.sort_by_key(|c| std::cmp::Reverse(c.last_activity_at));
    Ok(list)
}

/// One chat's tile for `user_id`, if they are in it.
pub async fn summary(db: &impl ConnectionTrait, chat_id: &str, user_id: &str) -> Result<Option<ChatSummary>> {
    Ok(summaries_of(db, user_id, Some(&[chat_id.to_owned()])).await?.pop())
}

/// How `viewer_id` sees each of `ids`: name, username, and photo as their privacy allows.
pub async fn people_seen_by(
    db: &impl ConnectionTrait,
    ids: &[String],
    viewer_id: &str,
) -> Result<HashMap<String, ChatPeer>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let users = users::Entity::find().filter(users::Column::Id.is_in(ids.iter().cloned())).all(db).await?;
    let have_me = contacts::owners_having(db, ids, viewer_id).await?;
    let blocked_me = super::blocks::blockers_of(db, ids, viewer_id).await?;
    Ok(users
        .into_iter()
        .map(|user| {
            let relation = contacts::Relation {
                in_their_contacts: have_me.contains(&user.id),
                blocked_by_them: blocked_me.contains(&user.id),
                ..Default::default()
            };
            let photo = if user.id == viewer_id || relation.sees(accounts::privacy(&user).photo) {
                user.photo_id.clone()
            } else {
                None
            };
            let peer = ChatPeer {
                user_id: user.id.clone(),
                username: user.username.clone().unwrap_or_default(),
                display_name: user.display_name.clone(),
                photo,
            };
            (user.id, peer)
        })
        .collect())
}

fn role_of(member: &chat_members::Model) -> MemberRole {
    MemberRole::parse(&member.role).unwrap_or(MemberRole::Member)
}

/// The members of each of `chat_ids` as `viewer_id` sees them, and its former members.
pub async fn member_lists(
    db: &impl ConnectionTrait,
    chats: &[chats::Model],
    viewer_id: &str,
) -> Result<Vec<ChatMembers>> {
    if chats.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<String> = chats.iter().map(|c| c.id.clone()).collect();
    let rows = chat_members::Entity::find()
        .filter(chat_members::Column::ChatId.is_in(ids))
        .order_by_asc(chat_members::Column::JoinedAt)
        .all(db)
        .await?;
    let mut people: Vec<String> = rows.iter().map(|m| m.user_id.clone()).collect();
    people.sort();
    people.dedup();
    let seen = people_seen_by(db, &people, viewer_id).await?;
    let mut by_chat: HashMap<String, Vec<ChatMember>> = HashMap::new();
    let mut former: HashMap<String, Vec<ChatMember>> = HashMap::new();
    for row in rows {
        let Some(person) = seen.get(&row.user_id) else { continue };
        let list = if row.left_seq.is_some() { &mut former } else { &mut by_chat };
        list.entry(row.chat_id.clone()).or_default().push(ChatMember {
            user_id: person.user_id.clone(),
            username: person.username.clone(),
            display_name: person.display_name.clone(),
            photo: person.photo.clone(),
            role: role_of(&row),
            joined_at: row.joined_at,
        });
    }
    Ok(chats
        .iter()
        .map(|chat| ChatMembers {
            chat_id: chat.id.clone(),
            members_seq: chat.members_seq,
            members: by_chat.remove(&chat.id).unwrap_or_default(),
            former: former.remove(&chat.id).unwrap_or_default(),
        })
        .collect())
}

/// A condition on `chat_members` rows: the member shares read receipts in that chat — they
/// share them at all, and the chat is no message request they have not accepted. Looked up per
/// row by the user's key (a subquery listing every user who shares them made SQLite scan all
/// users on every receipt: 13 ms each with 2,000 accounts).
fn sharing_receipts() -> sea_orm::sea_query::SimpleExpr {
    Expr::col((chat_members::Entity, chat_members::Column::Request)).eq(false).and(Expr::exists(
        Query::select()
            .expr(Expr::val(1))
            .from(users::Entity)
            .and_where(
                Expr::col((users::Entity, users::Column::Id))
                    .equals((chat_members::Entity, chat_members::Column::UserId)),
            )
            .and_where(Expr::col((users::Entity, users::Column::ReadReceipts)).eq(true))
            .to_owned(),
    ))
}

/// Which of `ids` share read receipts.
pub async fn sharing_among(db: &impl ConnectionTrait, ids: Vec<String>) -> Result<HashSet<String>> {
    Ok(users::Entity::find()
        .select_only()
        .column(users::Column::Id)
        .filter(users::Column::Id.is_in(ids))
        .filter(users::Column::ReadReceipts.eq(true))
        .into_tuple::<String>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}

/// Per chat, the lowest cursor among the members other than `viewer_id` — of everyone for
/// delivered, of those sharing read receipts for read.
async fn others_reached(
    db: &impl ConnectionTrait,
    chat_ids: &[String],
    viewer_id: &str,
) -> Result<HashMap<String, (i64, i64)>> {
    let delivered: Vec<(String, Option<i64>)> = chat_members::Entity::find()
        .select_only()
        .column(chat_members::Column::ChatId)
        .column_as(chat_members::Column::DeliveredSeq.min(), "seq")
        .filter(chat_members::Column::ChatId.is_in(chat_ids.iter().cloned()))
        .filter(chat_members::Column::UserId.ne(viewer_id))
        .filter(chat_members::Column::LeftSeq.is_null())
        .group_by(chat_members::Column::ChatId)
        .into_tuple()
        .all(db)
        .await?;
    let read: Vec<(String, Option<i64>)> = chat_members::Entity::find()
        .select_only()
        .column(chat_members::Column::ChatId)
        .column_as(chat_members::Column::ReadSeq.min(), "seq")
        .filter(chat_members::Column::ChatId.is_in(chat_ids.iter().cloned()))
        .filter(chat_members::Column::UserId.ne(viewer_id))
        .filter(chat_members::Column::LeftSeq.is_null())
        .filter(sharing_receipts())
        .group_by(chat_members::Column::ChatId)
        .into_tuple()
        .all(db)
        .await?;
    let read: HashMap<String, i64> = read.into_iter().map(|(chat, seq)| (chat, seq.unwrap_or(0))).collect();
    Ok(delivered
        .into_iter()
        .map(|(chat, seq)| {
            let read = read.get(&chat).copied().unwrap_or(0);
            (chat, (seq.unwrap_or(0), read))
        })
        .collect())
}

/// "Delete chat" (`listed` false) or "clear chat" for `user_id`: they see nothing up to the
/// chat's latest sequence number (or the one they left at) any more — but their starred
/// messages with `keep_starred` (their window then keeps its start; what they see of it skips
/// the rest). Returns whether anything changed. Takes the chat's lock, so it reads the member's
/// window after any admission in flight.
pub async fn forget_history(
    db: &impl ConnectionTrait,
    chat_id: &str,
    user_id: &str,
    listed: bool,
    keep_starred: bool,
) -> Result<bool> {
    lock(db, chat_id).await?;
    let Some(member) = membership(db, chat_id, user_id).await? else { return Ok(false) };
    let chat = get(db, chat_id).await?.ok_or_else(|| crate::error::Error::not_found("no such chat"))?;
    let end = member.left_seq.unwrap_or(chat.last_seq).min(chat.last_seq).max(member.cleared_seq);
    let keep_starred = keep_starred && listed;
    let same = (member.clear_listed, member.clear_keeps_starred) == (listed, keep_starred);
    if end == member.cleared_seq && same {
        return Ok(false);
    }
    let history_from = if keep_starred { member.history_from } else { member.history_from.max(end + 1) };
    chat_members::Entity::update_many()
        .col_expr(chat_members::Column::ClearedSeq, Expr::value(end))
        .col_expr(chat_members::Column::HistoryFrom, Expr::value(history_from))
        .col_expr(chat_members::Column::ClearListed, Expr::value(listed))
        .col_expr(chat_members::Column::ClearKeepsStarred, Expr::value(keep_starred))
        .filter(chat_members::Column::ChatId.eq(chat_id))
        .filter(chat_members::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    Ok(true)
}

/// Tiles for `user_id`: of every chat they are in, or of `only` those. Of every chat, a direct
/// chat without messages is listed for the one who opened it only.
async fn summaries_of(db: &impl ConnectionTrait, user_id: &str, only: Option<&[String]>) -> Result<Vec<ChatSummary>> {
    let mut query = chat_members::Entity::find().filter(chat_members::Column::UserId.eq(user_id));
    if let Some(only) = only {
        query = query.filter(chat_members::Column::ChatId.is_in(only.iter().cloned()));
    }
    let memberships = query.all(db).await?;
    if memberships.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<String> = memberships.iter().map(|m| m.chat_id.clone()).collect();
    let chats: HashMap<String, chats::Model> = chats::Entity::find()
        .filter(chats::Column::Id.is_in(ids.clone()))
        .all(db)
        .await?
        .into_iter()
        // Listing all: an empty direct chat only for its opener (asked for by id, it is there
        // for both — two people opening it at once both get it).
        .filter(|chat| only.is_some() || chat.last_seq > 0 || chat.created_by.as_deref().is_none_or(|by| by == user_id))
        .map(|chat| (chat.id.clone(), chat))
        .collect();
    let ids: Vec<String> = ids.into_iter().filter(|id| chats.contains_key(id)).collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let counts: HashMap<String, i64> = chat_members::Entity::find()
        .select_only()
        .column(chat_members::Column::ChatId)
        .column_as(chat_members::Column::UserId.count(), "n")
        .filter(chat_members::Column::ChatId.is_in(ids.clone()))
        .filter(chat_members::Column::LeftSeq.is_null())
        .group_by(chat_members::Column::ChatId)
        .into_tuple()
        .all(db)
        .await?
        .into_iter()
        .collect();
    // A direct chat's title and photo are the other person's.
    let direct: Vec<String> = ids.iter().filter(|id| chats[*id].kind == ChatKind::Direct.as_str()).cloned().collect();
    let other_members: HashMap<String, String> = if direct.is_empty() {
        HashMap::new()
    } else {
        chat_members::Entity::find()
            .filter(chat_members::Column::ChatId.is_in(direct))
            .filter(chat_members::Column::UserId.ne(user_id))
            .all(db)
            .await?
            .into_iter()
            .map(|m| (m.chat_id, m.user_id))
            .collect()
    };
    let other_ids: Vec<String> = other_members.values().cloned().collect::<HashSet<_>>().into_iter().collect();
    let people = people_seen_by(db, &other_ids, user_id).await?;
    let my_receipts = users::Entity::find_by_id(user_id.to_owned()).one(db).await?.is_none_or(|me| me.read_receipts);
    let reached = others_reached(db, &ids, user_id).await?;
    let last_messages = latest_visible(db, &ids, user_id).await?;
    let mut backgrounds = super::backgrounds::of_chats(db, user_id, &ids).await?;
    let unread = unread_counts(db, &ids, user_id).await?;
    Ok(memberships
        .into_iter()
        .filter_map(|member| {
            let chat = chats.get(&member.chat_id)?;
            let kind = ChatKind::parse(&chat.kind)?;
            let other = other_members.get(&chat.id).and_then(|id| people.get(id));
            // A member who left sees the chat as it was when they left (not its image: that is
            // for members).
            let left = member.left_seq;
            let (title, photo) = match (kind, other) {
                (ChatKind::Direct, Some(person)) => (person.display_name.clone(), person.photo.clone()),
                (ChatKind::Direct, None) => (String::new(), None),
                (ChatKind::Group, _) => {
                    (chat.name.clone().unwrap_or_default(), chat.photo_id.clone().filter(|_| left.is_none()))
                }
            };
            let (delivered_to_all_seq, read_by_all_seq) = reached.get(&chat.id).copied().unwrap_or_default();
            Some(ChatSummary {
                id: chat.id.clone(),
                kind,
                title,
                photo,
                member_count: counts.get(&chat.id).copied().unwrap_or(0).try_into().unwrap_or(u32::MAX),
                my_role: if left.is_some() { None } else { Some(role_of(&member)) },
                only_admins_send: chat.only_admins_send,
                only_admins_keep: chat.only_admins_keep,
                disappear_after_ms: chat.disappear_after_ms,
                background: backgrounds.get_mut(&chat.id).and_then(|b| b.0.take()),
                shared_background: backgrounds.get_mut(&chat.id).and_then(|b| b.1.take()).filter(|_| left.is_none()),
                members_seq: chat.members_seq,
                last_seq: left.map_or(chat.last_seq, |seq| seq.min(chat.last_seq)),
                cleared_seq: member.cleared_seq,
                clear_listed: member.clear_listed,
                clear_keeps_starred: member.clear_keeps_starred,
                request: member.request,
                last_message: last_messages.get(&chat.id).cloned(),
                unread: unread.get(&chat.id).copied().unwrap_or(0).try_into().unwrap_or(u32::MAX),
                last_activity_at: chat.last_activity_at,
                my_delivered_seq: member.delivered_seq,
                my_read_seq: member.read_seq,
                delivered_to_all_seq,
                read_by_all_seq: if my_receipts { read_by_all_seq } else { 0 },
                pinned_at: member.pinned_at,
                archived: member.archived,
                muted_until: member.muted_until,
            })
        })
        .collect())
}

/// Joins `messages` to `viewer_id`'s member row of the same chat, keeping the messages inside
/// their window (from joining to leaving).
fn in_window(query: &mut sea_orm::sea_query::SelectStatement, viewer_id: &str) {
    query
        .inner_join(
            chat_members::Entity,
            Expr::col((chat_members::Entity, chat_members::Column::ChatId))
                .equals((messages::Entity, messages::Column::ChatId))
                .and(Expr::col((chat_members::Entity, chat_members::Column::UserId)).eq(viewer_id)),
        )
        .and_where(
            Expr::col((messages::Entity, messages::Column::Seq))
                .gte(Expr::col((chat_members::Entity, chat_members::Column::HistoryFrom))),
        )
        .and_where(
            Expr::col((chat_members::Entity, chat_members::Column::LeftSeq)).is_null().or(Expr::col((
                messages::Entity,
                messages::Column::Seq,
            ))
            .lte(Expr::col((chat_members::Entity, chat_members::Column::LeftSeq)))),
        )
        // What they cleared is gone, but their starred messages when they kept those.
        .and_where(
            Expr::col((messages::Entity, messages::Column::Seq))
                .gt(Expr::col((chat_members::Entity, chat_members::Column::ClearedSeq)))
                .or(Expr::col((messages::Entity, messages::Column::Id)).in_subquery(
                    Query::select()
                        .column(starred_messages::Column::MessageId)
                        .from(starred_messages::Entity)
                        .and_where(starred_messages::Column::UserId.eq(viewer_id))
                        .to_owned(),
                )),
        );
}

/// The newest message of each chat, within `viewer_id`'s window, that they have not hidden
/// (for the tiles).
async fn latest_visible(
    db: &impl ConnectionTrait,
    chat_ids: &[String],
    viewer_id: &str,
) -> Result<HashMap<String, gkchat_proto::chat::Message>> {
    let hidden = Query::select()
        .column(hidden_messages::Column::MessageId)
        .from(hidden_messages::Entity)
        .and_where(hidden_messages::Column::UserId.eq(viewer_id))
        .to_owned();
    let mut query = Query::select()
        .column((messages::Entity, messages::Column::ChatId))
        .expr(Expr::col((messages::Entity, messages::Column::Seq)).max())
        .from(messages::Entity)
        .and_where(Expr::col((messages::Entity, messages::Column::ChatId)).is_in(chat_ids.iter().cloned()))
        .and_where(Expr::col((messages::Entity, messages::Column::Id)).not_in_subquery(hidden))
        .and_where(Expr::col((messages::Entity, messages::Column::ExpiredAt)).is_null())
        .group_by_col((messages::Entity, messages::Column::ChatId))
        .to_owned();
    in_window(&mut query, viewer_id);
    let newest = db.query_all(db.get_database_backend().build(&query)).await?;
    let mut wanted: HashSet<(String, i64)> = HashSet::new();
    for row in newest {
        if let Some(seq) = row.try_get_by_index::<Option<i64>>(1)? {
            wanted.insert((row.try_get_by_index::<String>(0)?, seq));
        }
    }
    if wanted.is_empty() {
        return Ok(HashMap::new());
    }
    let seqs: Vec<i64> = wanted.iter().map(|(_, seq)| *seq).collect();
    let rows: Vec<messages::Model> = messages::Entity::find()
        .filter(messages::Column::ChatId.is_in(wanted.iter().map(|(chat, _)| chat.clone())))
        .filter(messages::Column::Seq.is_in(seqs))
        .all(db)
        .await?
        .into_iter()
        .filter(|row| wanted.contains(&(row.chat_id.clone(), row.seq)))
        .collect();
    Ok(message_service::to_dtos(db, rows, viewer_id).await?.into_iter().map(|m| (m.chat_id.clone(), m)).collect())
}

/// Per chat, the messages from others after `user_id`'s read cursor (deleted ones not counted).
async fn unread_counts(db: &impl ConnectionTrait, chat_ids: &[String], user_id: &str) -> Result<HashMap<String, i64>> {
    let mut query = Query::select()
        .column((messages::Entity, messages::Column::ChatId))
        .expr_as(Expr::col((messages::Entity, messages::Column::Id)).count(), Alias::new("n"))
        .from(messages::Entity)
        .and_where(Expr::col((messages::Entity, messages::Column::ChatId)).is_in(chat_ids.iter().cloned()))
        .and_where(
            Expr::col((messages::Entity, messages::Column::Seq))
                .gt(Expr::col((chat_members::Entity, chat_members::Column::ReadSeq))),
        )
        .and_where(Expr::col((messages::Entity, messages::Column::SenderId)).ne(user_id))
        .and_where(Expr::col((messages::Entity, messages::Column::DeletedAt)).is_null())
        .and_where(Expr::col((messages::Entity, messages::Column::ExpiredAt)).is_null())
        .group_by_col((messages::Entity, messages::Column::ChatId))
        .to_owned();
    in_window(&mut query, user_id);
    let rows = db.query_all(db.get_database_backend().build(&query)).await?;
    rows.iter().map(|row| Ok((row.try_get_by_index::<String>(0)?, row.try_get_by_index::<i64>(1)?))).collect()
}

/// How many of the lowest cursors are read: one more than [`Lowest`] keeps, so the two lowest
/// after one member's move are known without reading again.
const LOWEST_READ: u64 = 3;
/// How many [`Lowest`] keeps: "everyone but me" needs the lowest cursor of someone else.
const LOWEST_KEPT: usize = 2;

/// The lowest cursors in a chat, lowest first, at most two (enough to tell "delivered to all" /
/// "read by all" for every member: the lowest of everyone but them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lowest {
    pub delivered: Vec<(String, i64)>,
    /// Among the members who share read receipts.
    pub read: Vec<(String, i64)>,
}

impl Lowest {
    /// The same after `user_id`'s cursors moved to `delivered` and `read` (forward only). Of
    /// the three lowest read before, the two lowest after are exact: whoever was fourth is at
    /// least the third, which stays in the list unless it is the one that moved.
    pub fn after_move(&self, user_id: &str, delivered: i64, read: i64) -> Self {
        fn moved(list: &[(String, i64)], user_id: &str, seq: i64) -> Vec<(String, i64)> {
            let mut list = list.to_vec();
            if let Some(entry) = list.iter_mut().find(|(user, _)| user == user_id) {
                entry.1 = seq;
                list.sort_by_key(|(_, seq)| *seq);
            }
            list.truncate(LOWEST_KEPT);
            list
        }
        Self { delivered: moved(&self.delivered, user_id, delivered), read: moved(&self.read, user_id, read) }
    }

    /// The same, cut to what is kept (as [`Self::after_move`] returns it), to compare with.
    pub fn kept(&self) -> Self {
        let cut = |list: &[(String, i64)]| list.iter().take(LOWEST_KEPT).cloned().collect();
        Self { delivered: cut(&self.delivered), read: cut(&self.read) }
    }
}

/// Where "everyone but `viewer`" has got to, from the lowest cursors.
pub fn all_but(lowest: &[(String, i64)], viewer: &str) -> i64 {
    lowest.iter().find(|(user, _)| user != viewer).map_or(0, |(_, seq)| *seq)
}

/// The three lowest delivered and read cursors of `chat_id`, in one statement.
pub async fn lowest_cursors(db: &impl ConnectionTrait, chat_id: &str) -> Result<Lowest> {
    let lowest = |tag: &str, column: chat_members::Column, among_sharing: bool| {
        let mut inner = Query::select();
        inner
            .expr_as(Expr::val(tag), Alias::new("kind"))
            .column(chat_members::Column::UserId)
            .expr_as(Expr::col(column), Alias::new("seq"))
            .from(chat_members::Entity)
            .and_where(Expr::col(chat_members::Column::ChatId).eq(chat_id))
            .and_where(Expr::col(chat_members::Column::LeftSeq).is_null())
            .order_by(column, Order::Asc)
            .limit(LOWEST_READ);
        if among_sharing {
            inner.and_where(sharing_receipts());
        }
        Query::select().column(Asterisk).from_subquery(inner, Alias::new(tag)).to_owned()
    };
    let query = lowest("d", chat_members::Column::DeliveredSeq, false)
        .union(UnionType::All, lowest("r", chat_members::Column::ReadSeq, true))
        .to_owned();
    let mut found = Lowest::default();
    for row in db.query_all(db.get_database_backend().build(&query)).await? {
        let entry = (row.try_get_by_index::<String>(1)?, row.try_get_by_index::<i64>(2)?);
        match row.try_get_by_index::<String>(0)?.as_str() {
            "d" => found.delivered.push(entry),
            _ => found.read.push(entry),
        }
    }
    found.delivered.sort_by_key(|(_, seq)| *seq);
    found.read.sort_by_key(|(_, seq)| *seq);
    Ok(found)
}

/// A member's row, and whether they share read receipts.
#[derive(Debug)]
pub struct Sharing {
    pub member: chat_members::Model,
    pub shares: bool,
}

impl FromQueryResult for Sharing {
    fn from_query_result(row: &QueryResult, pre: &str) -> std::result::Result<Self, DbErr> {
        Ok(Self { member: chat_members::Model::from_query_result(row, pre)?, shares: row.try_get(pre, "shares")? })
    }
}

/// What a receipt reads first: the member's row (while a member), whether they share read
/// receipts, and the chat's last sequence number — one statement.
#[derive(Debug)]
pub struct Receiving {
    pub sharing: Sharing,
    pub last_seq: i64,
}

impl FromQueryResult for Receiving {
    fn from_query_result(row: &QueryResult, pre: &str) -> std::result::Result<Self, DbErr> {
        Ok(Self { sharing: Sharing::from_query_result(row, pre)?, last_seq: row.try_get(pre, "last_seq")? })
    }
}

/// `user_id`'s row in `chat_id` as a receipt needs it, or `None` when they are not (or no
/// longer) a member.
pub async fn receiving(db: &impl ConnectionTrait, chat_id: &str, user_id: &str) -> Result<Option<Receiving>> {
    let last_seq = Query::select()
        .column((chats::Entity, chats::Column::LastSeq))
        .from(chats::Entity)
        .and_where(
            Expr::col((chats::Entity, chats::Column::Id)).equals((chat_members::Entity, chat_members::Column::ChatId)),
        )
        .to_owned();
    Ok(chat_members::Entity::find_by_id((chat_id.to_owned(), user_id.to_owned()))
        .filter(chat_members::Column::LeftSeq.is_null())
        .expr_as(sharing_receipts(), "shares")
        .expr_as(SimpleExpr::SubQuery(None, Box::new(last_seq.into_sub_query_statement())), "last_seq")
        .into_model::<Receiving>()
        .one(db)
        .await?)
}

/// The current members of `chat_id` other than `except` who sent a message after `after` up to
/// `upto` (those a move of the lowest cursors over that span may concern), one statement.
pub async fn senders_between(
    db: &impl ConnectionTrait,
    chat_id: &str,
    except: &str,
    after: i64,
    upto: i64,
) -> Result<Vec<Sharing>> {
    let senders = Query::select()
        .distinct()
        .column((messages::Entity, messages::Column::SenderId))
        .from(messages::Entity)
        .and_where(Expr::col((messages::Entity, messages::Column::ChatId)).eq(chat_id))
        .and_where(Expr::col((messages::Entity, messages::Column::Seq)).gt(after))
        .and_where(Expr::col((messages::Entity, messages::Column::Seq)).lte(upto))
        .and_where(Expr::col((messages::Entity, messages::Column::SenderId)).ne(except))
        .to_owned();
    Ok(chat_members::Entity::find()
        .filter(chat_members::Column::ChatId.eq(chat_id))
        .filter(chat_members::Column::LeftSeq.is_null())
        .filter(chat_members::Column::UserId.in_subquery(senders))
        .expr_as(sharing_receipts(), "shares")
        .into_model::<Sharing>()
        .all(db)
        .await?)
}

/// Every chat `user_id` has a member row in (also those they left), with that row: their
/// window on it.
pub async fn chats_of(db: &impl ConnectionTrait, user_id: &str) -> Result<Vec<(chats::Model, chat_members::Model)>> {
    let rows = chat_members::Entity::find().filter(chat_members::Column::UserId.eq(user_id)).all(db).await?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let mut chats: HashMap<String, chats::Model> = chats::Entity::find()
        .filter(chats::Column::Id.is_in(rows.iter().map(|m| m.chat_id.clone())))
        .all(db)
        .await?
        .into_iter()
        .map(|chat| (chat.id.clone(), chat))
        .collect();
    let mut list: Vec<_> =
        rows.into_iter().filter_map(|member| Some((chats.remove(&member.chat_id)?, member))).collect();
    list.sort_by(|a, b| a.0.id.cmp(&b.0.id));
    Ok(list)
}

#[cfg(test)]
mod tests {
    use super::Lowest;

    fn list(entries: &[(&str, i64)]) -> Vec<(String, i64)> {
        entries.iter().map(|(user, seq)| ((*user).to_owned(), *seq)).collect()
    }

    #[test]
    fn the_two_lowest_after_a_move_are_worked_out_from_the_three_before() {
        // Four members: a 1, b 2, c 3 (read), d 9 (not read). a moves to 10.
        let before = Lowest { delivered: list(&[("a", 1), ("b", 2), ("c", 3)]), read: list(&[("a", 1), ("b", 2)]) };
        let after = before.after_move("a", 10, 10);
        assert_eq!(after.delivered, list(&[("b", 2), ("c", 3)]));
        assert_eq!(after.read, list(&[("b", 2), ("a", 10)]), "all members known: the list stays whole");
        // One beyond the three moves: nothing changes but the cut.
        let after = before.after_move("d", 12, 12);
        assert_eq!(after, before.kept());
        assert_eq!(after.delivered, list(&[("a", 1), ("b", 2)]));
        // A member who does not share read receipts is never in the read list.
        let after = Lowest { delivered: list(&[("a", 1), ("b", 2)]), read: list(&[("b", 2)]) }.after_move("a", 5, 5);
        assert_eq!(after.delivered, list(&[("b", 2), ("a", 5)]));
        assert_eq!(after.read, list(&[("b", 2)]));
    }
}
