//! Groups: creating one, its info and settings, adding and removing members, roles, leaving,
//! deleting, invite links and join requests, the group's image and reporting a group. Every change is recorded as a system message in the
//! group's timeline (who did what to whom), in the same transaction that makes it, and moves the
//! group's `members_seq` when it touches the members — so it syncs like every other change, and
//! devices fetch the member list again. Checks: the one membership check (`state.members`), then
//! the actor's role; adding someone asks their privacy ("who can add me to groups") and blocks.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use axum::http::StatusCode;
use gkchat_proto::ErrorCode;
use gkchat_proto::ServerFrame;
use gkchat_proto::account::{GroupAdd, REPORT_MESSAGES_MAX, REPORT_REASON_MAX, ReportReceipt, check_profile_text};
use gkchat_proto::chat::{ChatKind, ChatMember, Content, MemberRole};
use gkchat_proto::group::{
    AddRefusal, GROUP_MAX_MEMBERS, GroupInfo, GroupInfoUpdate, GroupReport, GroupSettings, InviteLink, InvitePreview,
    JoinOutcome, JoinRequest, MembersAdded, NewGroup, SystemEvent, check_group_description, check_group_name,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    QueryOrder, TransactionTrait,
};

use crate::db::entity::{chat_members, chats as chat_rows, group_add_exceptions, join_requests, messages, users};
use crate::db::{blocks, chats, contacts, reports};
use crate::error::{Error, Result};
use crate::hub::encode;
use crate::membership::Roster;
use crate::{AppState, now_ms};

fn invalid(err: gkchat_proto::account::Invalid) -> Error {
    Error::api(StatusCode::BAD_REQUEST, err.code, err.message)
}

pub(crate) fn admins_only(what: &str) -> Error {
    Error::api(StatusCode::FORBIDDEN, ErrorCode::AdminsOnly, format!("only the group's admins can {what}"))
}

fn full() -> Error {
    Error::api(
        StatusCode::BAD_REQUEST,
        ErrorCode::GroupFull,
        format!("a group has at most {GROUP_MAX_MEMBERS} members"),
    )
}

fn invite_invalid() -> Error {
    Error::api(StatusCode::NOT_FOUND, ErrorCode::InviteInvalid, "this invite link was reset or revoked")
}

/// The roster of a group `user_id` is in (a direct chat is not a group).
async fn group_of(state: &AppState, chat_id: &str, user_id: &str) -> Result<Arc<Roster>> {
    let roster = state.members.check(&state.db, chat_id, user_id).await?;
    if roster.kind != ChatKind::Group {
        return Err(Error::api(StatusCode::BAD_REQUEST, ErrorCode::BadRequest, "that chat is not a group"));
    }
    Ok(roster)
}

/// The roster of a group `actor` administers; `what` words the refusal otherwise.
async fn administered(state: &AppState, chat_id: &str, actor: &str, what: &str) -> Result<Arc<Roster>> {
    let roster = group_of(state, chat_id, actor).await?;
    if roster.is_admin(actor) { Ok(roster) } else { Err(admins_only(what)) }
}

async fn chat_row(db: &impl ConnectionTrait, chat_id: &str) -> Result<chat_rows::Model> {
    chats::get(db, chat_id).await?.ok_or_else(|| Error::not_found("no such chat"))
}

/// Writes a system message under the chat's next sequence number.
pub(crate) async fn record(
    txn: &DatabaseTransaction,
    chat_id: &str,
    actor: &str,
    event: SystemEvent,
    now: i64,
) -> Result<messages::Model> {
    let seq = chats::next_seq(txn, chat_id, now).await?;
    let content = serde_json::to_string(&Content::System { event }).map_err(|e| Error::Internal(e.to_string()))?;
    let row = messages::Model {
        id: uuid::Uuid::now_v7().to_string(),
        chat_id: chat_id.to_owned(),
        seq,
        updated_seq: seq,
        sender_id: actor.to_owned(),
        content: Some(content),
        reply_to: None,
        forwarded: false,
        sent_at: now,
        edited_at: None,
        deleted_at: None,
        // The record stays when messages disappear.
        expires_at: None,
        kept: false,
        expired_at: None,
    };
    Ok(messages::ActiveModel::from(row).insert(txn).await?)
}

/// Marks the member list changed as of `seq`.
async fn members_changed(txn: &DatabaseTransaction, chat_id: &str, seq: i64) -> Result<()> {
    chat_rows::Entity::update_many()
        .col_expr(chat_rows::Column::MembersSeq, sea_orm::sea_query::Expr::value(seq))
        .filter(chat_rows::Column::Id.eq(chat_id))
        .exec(txn)
        .await?;
    Ok(())
}

/// After a change committed: the roster is read again, and the system messages reach every
/// member now in the group and `also` (those who just left or were removed), encoded once each.
pub(crate) async fn publish(
    state: &AppState,
    chat_id: &str,
    recorded: Vec<messages::Model>,
    also: &[String],
) -> Result<()> {
    state.members.forget(chat_id);
    let roster = state.members.roster(&state.db, chat_id).await?;
    let mut to: Vec<&str> = roster.iter().flat_map(|r| r.members()).collect();
    to.extend(also.iter().map(String::as_str));
    for message in crate::db::messages::to_dtos(&state.db, recorded, "").await? {
        state.hub.push_to_users(to.iter().copied(), &encode(&ServerFrame::Message(message)));
    }
    Ok(())
}

/// Which of `ids` `actor` may add to a group: the rest refused with why (no such account; their
/// privacy; a block either way).
async fn addable(db: &impl ConnectionTrait, actor: &str, ids: &[String]) -> Result<(Vec<String>, Vec<AddRefusal>)> {
    if ids.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let people: HashMap<String, users::Model> = users::Entity::find()
        .filter(users::Column::Id.is_in(ids.iter().cloned()))
        .filter(users::Column::DeletedAt.is_null())
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id.clone(), u))
        .collect();
    let have_me = contacts::owners_having(db, ids, actor).await?;
    let mut everyone: Vec<String> = ids.to_vec();
    everyone.push(actor.to_owned());
    let blocked = blocks::pairs_among(db, &everyone).await?;
    let excepted: HashSet<String> = group_add_exceptions::Entity::find()
        .filter(group_add_exceptions::Column::OwnerId.is_in(ids.iter().cloned()))
        .filter(group_add_exceptions::Column::UserId.eq(actor))
        .all(db)
        .await?
        .into_iter()
        .map(|row| row.owner_id)
        .collect();
    let (mut ok, mut refused) = (Vec::new(), Vec::new());
    for id in ids {
        let code = match people.get(id) {
            None => Some(ErrorCode::NotFound),
            Some(_) if blocked.contains(&(actor.to_owned(), id.clone())) => Some(ErrorCode::AddNotAllowed),
            Some(_) if blocked.contains(&(id.clone(), actor.to_owned())) => Some(ErrorCode::AddNotAllowed),
            Some(person) => {
                let allowed = match GroupAdd::parse(&person.privacy_groups).unwrap_or_default() {
                    GroupAdd::Everyone => true,
                    GroupAdd::Contacts => have_me.contains(id),
                    GroupAdd::ContactsExcept => have_me.contains(id) && !excepted.contains(id),
                };
                (!allowed).then_some(ErrorCode::AddNotAllowed)
            }
        };
        match code {
            None => ok.push(id.clone()),
            Some(code) => refused.push(AddRefusal { user_id: id.clone(), code }),
        }
    }
    Ok((ok, refused))
}

/// Puts `ids` into the group as members seeing it from `from` on: new rows, or the rows of
/// former members made current again.
async fn admit(txn: &DatabaseTransaction, chat_id: &str, ids: &[String], from: i64, now: i64) -> Result<()> {
    // Seen from `from` on: received and read nothing before it (so "by all" does not drop).
    let cursor = (from - 1).max(0);
    let former: HashSet<String> = chat_members::Entity::find()
        .filter(chat_members::Column::ChatId.eq(chat_id))
        .filter(chat_members::Column::LeftSeq.is_not_null())
        .filter(chat_members::Column::UserId.is_in(ids.iter().cloned()))
        .all(txn)
        .await?
        .into_iter()
        .map(|m| m.user_id)
        .collect();
    if !former.is_empty() {
        chat_members::Entity::update_many()
            .col_expr(chat_members::Column::LeftSeq, sea_orm::sea_query::Expr::value(Option::<i64>::None))
            .col_expr(chat_members::Column::HistoryFrom, sea_orm::sea_query::Expr::value(from))
            .col_expr(chat_members::Column::Role, sea_orm::sea_query::Expr::value(MemberRole::Member.as_str()))
            .col_expr(chat_members::Column::JoinedAt, sea_orm::sea_query::Expr::value(now))
            .col_expr(chat_members::Column::DeliveredSeq, sea_orm::sea_query::Expr::value(cursor))
            .col_expr(chat_members::Column::ReadSeq, sea_orm::sea_query::Expr::value(cursor))
            .filter(chat_members::Column::ChatId.eq(chat_id))
            .filter(chat_members::Column::UserId.is_in(former.iter().cloned()))
            .exec(txn)
            .await?;
    }
    let fresh: Vec<chat_members::ActiveModel> = ids
        .iter()
        .filter(|id| !former.contains(*id))
        .map(|id| chat_members::ActiveModel {
            chat_id: Set(chat_id.to_owned()),
            user_id: Set(id.clone()),
            joined_at: Set(now),
            delivered_seq: Set(cursor),
            read_seq: Set(cursor),
            pinned_at: Set(None),
            archived: Set(false),
            muted_until: Set(None),
            role: Set(MemberRole::Member.as_str().to_owned()),
            history_from: Set(from),
            left_seq: Set(None),
            cleared_seq: Set(0),
            clear_listed: Set(false),
            clear_keeps_starred: Set(false),
            request: Set(false),
        })
        .collect();
    for chunk in fresh.chunks(200) {
        chat_members::Entity::insert_many(chunk.to_vec()).exec(txn).await?;
    }
    Ok(())
}

/// Lets `ids` in under the system message `event` makes of those not in yet (by `actor`): they
/// see the group from that message on; everyone is told. The chat's row is locked first, so two
/// admissions of one person at once (two admins adding, a double click on "join") let them in
/// once, and a group never grows past its limit.
async fn let_in(
    state: &AppState,
    chat_id: &str,
    actor: &str,
    ids: &[String],
    event: impl FnOnce(&[String]) -> SystemEvent,
) -> Result<()> {
    let now = now_ms();
    let txn = state.db.begin().await?;
    chats::lock(&txn, chat_id).await?;
    let current = chats::members(&txn, chat_id).await?;
    let ids: Vec<String> = ids.iter().filter(|id| !current.iter().any(|m| &m.user_id == *id)).cloned().collect();
    if ids.is_empty() {
        txn.rollback().await?;
        return Ok(());
    }
    if current.len() + ids.len() > GROUP_MAX_MEMBERS {
        txn.rollback().await?;
        return Err(full());
    }
    let message = record(&txn, chat_id, actor, event(&ids), now).await?;
    admit(&txn, chat_id, &ids, message.seq, now).await?;
    members_changed(&txn, chat_id, message.seq).await?;
    txn.commit().await?;
    publish(state, chat_id, vec![message], &[]).await
}

/// Creates a group owned by `owner_id` with the members who may be added; the others are named
/// in the answer.
pub async fn create(state: &AppState, owner_id: &str, new: NewGroup) -> Result<MembersAdded> {
    let name = check_group_name(&new.name).map_err(invalid)?;
    let description = check_group_description(&new.description).map_err(invalid)?;
    let mut ids: Vec<String> = new.member_ids.into_iter().filter(|id| id != owner_id).collect();
    ids.sort();
    ids.dedup();
    if ids.len() + 1 > GROUP_MAX_MEMBERS {
        return Err(full());
    }
    let (added, refused) = addable(&state.db, owner_id, &ids).await?;
    let now = now_ms();
    let chat_id = uuid::Uuid::now_v7().to_string();
    let settings = GroupSettings::new_group();
    // The owner's default timer for new chats, announced after the members.
    let timer = crate::db::accounts::default_timer(&state.db, owner_id).await?;
    let txn = state.db.begin().await?;
    chat_rows::ActiveModel {
        id: Set(chat_id.clone()),
        kind: Set(ChatKind::Group.as_str().to_owned()),
        direct_key: Set(None),
        last_seq: Set(0),
        created_at: Set(now),
        last_activity_at: Set(now),
        members_seq: Set(0),
        created_by: Set(Some(owner_id.to_owned())),
        name: Set(Some(name.clone())),
        description: Set(Some(description)),
        photo_id: Set(None),
        only_admins_send: Set(settings.only_admins_send),
        only_admins_edit: Set(settings.only_admins_edit),
        approve_joins: Set(settings.approve_joins),
        invite_code: Set(None),
        disappear_after_ms: Set(timer),
        only_admins_keep: Set(settings.only_admins_keep),
    }
    .insert(&txn)
    .await?;
    admit(&txn, &chat_id, &[owner_id.to_owned()], 0, now).await?;
    chat_members::Entity::update_many()
        .col_expr(chat_members::Column::Role, sea_orm::sea_query::Expr::value(MemberRole::Owner.as_str()))
        .filter(chat_members::Column::ChatId.eq(chat_id.as_str()))
        .exec(&txn)
        .await?;
    let mut recorded = vec![record(&txn, &chat_id, owner_id, SystemEvent::Created { name }, now).await?];
    if !added.is_empty() {
        // The first members see the group from its start.
        admit(&txn, &chat_id, &added, 0, now).await?;
        recorded.push(record(&txn, &chat_id, owner_id, SystemEvent::Added { user_ids: added.clone() }, now).await?);
    }
    members_changed(&txn, &chat_id, recorded.last().map_or(0, |m| m.seq)).await?;
    if timer.is_some() {
        recorded.push(record(&txn, &chat_id, owner_id, SystemEvent::TimerChanged { after_ms: timer }, now).await?);
    }
    txn.commit().await?;
    publish(state, &chat_id, recorded, &[]).await?;
    let chat = chats::summary(&state.db, &chat_id, owner_id)
        .await?
        .ok_or_else(|| Error::Internal("a group just made has no tile".into()))?;
    Ok(MembersAdded { chat, added, refused })
}

fn info_of(chat: chat_rows::Model) -> GroupInfo {
    GroupInfo {
        chat_id: chat.id,
        name: chat.name.unwrap_or_default(),
        description: chat.description.unwrap_or_default(),
        photo: chat.photo_id,
        created_by: chat.created_by,
        created_at: chat.created_at,
        settings: GroupSettings {
            only_admins_send: chat.only_admins_send,
            only_admins_edit: chat.only_admins_edit,
            approve_joins: chat.approve_joins,
            only_admins_keep: chat.only_admins_keep,
        },
    }
}

/// A group's info and settings, for its members.
pub async fn info(state: &AppState, user_id: &str, chat_id: &str) -> Result<GroupInfo> {
    group_of(state, chat_id, user_id).await?;
    Ok(info_of(chat_row(&state.db, chat_id).await?))
}

/// Changes the name, description or settings: settings by admins only; the info by admins
/// only when "only admins can edit info" is on.
pub async fn update_info(
    state: &AppState,
    user_id: &str,
    chat_id: &str,
    update: &GroupInfoUpdate,
) -> Result<GroupInfo> {
    let roster = group_of(state, chat_id, user_id).await?;
    let admin = roster.is_admin(user_id);
    if update.touches_settings() && !admin {
        return Err(admins_only("change the group's settings"));
    }
    if (update.name.is_some() || update.description.is_some()) && roster.only_admins_edit && !admin {
        return Err(admins_only("edit the group's info"));
    }
    let name = update.name.as_deref().map(check_group_name).transpose().map_err(invalid)?;
    let description = update.description.as_deref().map(check_group_description).transpose().map_err(invalid)?;
    let now = now_ms();
    let txn = state.db.begin().await?;
    let chat = chat_row(&txn, chat_id).await?;
    let before = info_of(chat.clone());
    let settings = GroupSettings {
        only_admins_send: update.only_admins_send.unwrap_or(before.settings.only_admins_send),
        only_admins_edit: update.only_admins_edit.unwrap_or(before.settings.only_admins_edit),
        approve_joins: update.approve_joins.unwrap_or(before.settings.approve_joins),
        only_admins_keep: update.only_admins_keep.unwrap_or(before.settings.only_admins_keep),
    };
    let mut events = Vec::new();
    if let Some(name) = name.clone().filter(|n| *n != before.name) {
        events.push(SystemEvent::NameChanged { name });
    }
    if description.as_ref().is_some_and(|d| *d != before.description) {
        events.push(SystemEvent::DescriptionChanged);
    }
    if settings != before.settings {
        events.push(SystemEvent::SettingsChanged { settings });
    }
    if events.is_empty() {
        txn.rollback().await?;
        return Ok(before);
    }
    let mut row: chat_rows::ActiveModel = chat.into();
    if let Some(name) = name {
        row.name = Set(Some(name));
    }
    if let Some(description) = description {
        row.description = Set(Some(description));
    }
    row.only_admins_send = Set(settings.only_admins_send);
    row.only_admins_edit = Set(settings.only_admins_edit);
    row.approve_joins = Set(settings.approve_joins);
    row.only_admins_keep = Set(settings.only_admins_keep);
    row.update(&txn).await?;
    let mut recorded = Vec::new();
    for event in events {
        recorded.push(record(&txn, chat_id, user_id, event, now).await?);
    }
    txn.commit().await?;
    publish(state, chat_id, recorded, &[]).await?;
    Ok(info_of(chat_row(&state.db, chat_id).await?))
}

/// Sets or removes the group's image (as the name: by admins only when "only admins can edit
/// info" is on). Returns the info and the image it replaced, whose blobs the caller forgets
/// when nothing else shows them.
pub async fn set_photo(
    state: &AppState,
    user_id: &str,
    chat_id: &str,
    photo_id: Option<String>,
) -> Result<(GroupInfo, Option<String>)> {
    may_change_photo(state, user_id, chat_id).await?;
    let txn = state.db.begin().await?;
    let chat = chat_row(&txn, chat_id).await?;
    let previous = chat.photo_id.clone();
    if previous == photo_id {
        txn.rollback().await?;
        return Ok((info_of(chat), None));
    }
    let removed = photo_id.is_none();
    let mut row: chat_rows::ActiveModel = chat.into();
    row.photo_id = Set(photo_id);
    row.update(&txn).await?;
    let message = record(&txn, chat_id, user_id, SystemEvent::PhotoChanged { removed }, now_ms()).await?;
    txn.commit().await?;
    publish(state, chat_id, vec![message], &[]).await?;
    Ok((info_of(chat_row(&state.db, chat_id).await?), previous))
}

/// Refuses unless `user_id` may change the group's image (checked before an upload is stored).
pub async fn may_change_photo(state: &AppState, user_id: &str, chat_id: &str) -> Result<()> {
    let roster = group_of(state, chat_id, user_id).await?;
    if roster.only_admins_edit && !roster.is_admin(user_id) {
        return Err(admins_only("change the group's image"));
    }
    Ok(())
}

/// The image of a group `user_id` is in (`None`: it has none).
pub async fn photo_of(state: &AppState, user_id: &str, chat_id: &str) -> Result<Option<String>> {
    group_of(state, chat_id, user_id).await?;
    Ok(chat_row(&state.db, chat_id).await?.photo_id)
}

/// The image an invite link's preview shows (to anyone signed in with the link).
pub async fn invite_photo(state: &AppState, code: &str) -> Result<Option<String>> {
    Ok(by_code(&state.db, code).await?.photo_id)
}

/// Reports a group I am or was in to the server's operator, with messages of it up to my leaving, and
/// leaves it when asked (and still in). The report names the group's owner at the time.
pub async fn report(state: &AppState, user_id: &str, chat_id: &str, report: GroupReport) -> Result<ReportReceipt> {
    let reason = check_profile_text("the reason", &report.reason, REPORT_REASON_MAX, true)
        .map_err(|invalid| Error::api(StatusCode::BAD_REQUEST, ErrorCode::BadRequest, invalid.message))?;
    if report.message_ids.len() > REPORT_MESSAGES_MAX {
        let message = format!("a report attaches at most {REPORT_MESSAGES_MAX} messages");
        return Err(Error::api(StatusCode::BAD_REQUEST, ErrorCode::BadRequest, message));
    }
    let me = chats::membership(&state.db, chat_id, user_id).await?.ok_or_else(crate::membership::not_a_member)?;
    let chat = chat_row(&state.db, chat_id).await?;
    if chat.kind != ChatKind::Group.as_str() {
        return Err(Error::api(StatusCode::BAD_REQUEST, ErrorCode::BadRequest, "that chat is not a group"));
    }
    // Up to leaving: a member who left and came back may attach what they saw before.
    let window = 0..=me.left_seq.unwrap_or(i64::MAX);
    let Some(evidence) = reports::evidence_in(&state.db, chat_id, window, &report.message_ids).await? else {
        let message = "a report can only attach messages of the group that you could see";
        return Err(Error::api(StatusCode::BAD_REQUEST, ErrorCode::BadRequest, message));
    };
    let owner = chats::members(&state.db, chat_id)
        .await?
        .into_iter()
        .find(|m| m.role == MemberRole::Owner.as_str())
        .map(|m| m.user_id)
        .or(chat.created_by)
        .unwrap_or_default();
    let reported = reports::Reported::Group { chat_id, owner_id: &owner };
    let filed = reports::file(&state.db, user_id, reported, reason, &evidence, now_ms()).await?;
    tracing::info!(report_id = %filed.id, "group report filed");
    if report.leave && me.left_seq.is_none() {
        leave(state, user_id, chat_id).await?;
    }
    Ok(ReportReceipt { id: filed.id })
}

/// The members of a chat, as `user_id` (a member) sees them.
pub async fn members(state: &AppState, user_id: &str, chat_id: &str) -> Result<Vec<ChatMember>> {
    state.members.check(&state.db, chat_id, user_id).await?;
    let chat = chat_row(&state.db, chat_id).await?;
    Ok(chats::member_lists(&state.db, &[chat], user_id).await?.pop().map(|list| list.members).unwrap_or_default())
}

/// Adds people to a group (admins): those already in are left as they are; those whose
/// privacy or a block forbids it are named in the answer.
pub async fn add(state: &AppState, actor: &str, chat_id: &str, user_ids: Vec<String>) -> Result<MembersAdded> {
    let roster = administered(state, chat_id, actor, "add members").await?;
    let mut ids: Vec<String> = user_ids.into_iter().filter(|id| !roster.contains(id)).collect();
    ids.sort();
    ids.dedup();
    if roster.len() + ids.len() > GROUP_MAX_MEMBERS {
        return Err(full());
    }
    let (added, refused) = addable(&state.db, actor, &ids).await?;
    if !added.is_empty() {
        let_in(state, chat_id, actor, &added, |ids| SystemEvent::Added { user_ids: ids.to_vec() }).await?;
    }
    let chat = chats::summary(&state.db, chat_id, actor).await?.ok_or_else(crate::membership::not_a_member)?;
    Ok(MembersAdded { chat, added, refused })
}

/// Ends `user_id`'s membership with `event` (removed, or left): their row stays with the last
/// sequence number they see. When the owner goes, the oldest admin (else the oldest member)
/// owns the group.
async fn end_membership(state: &AppState, actor: &str, chat_id: &str, user_id: &str, event: SystemEvent) -> Result<()> {
    let now = now_ms();
    let txn = state.db.begin().await?;
    let message = record(&txn, chat_id, actor, event, now).await?;
    let member = chats::membership(&txn, chat_id, user_id).await?.ok_or_else(crate::membership::not_a_member)?;
    let was_owner = member.role == MemberRole::Owner.as_str();
    let mut row: chat_members::ActiveModel = member.into();
    row.left_seq = Set(Some(message.seq));
    row.role = Set(MemberRole::Member.as_str().to_owned());
    row.update(&txn).await?;
    let mut recorded = vec![message];
    if was_owner {
        let remaining = chats::members(&txn, chat_id).await?;
        let heir = remaining
            .iter()
            .filter(|m| m.role == MemberRole::Admin.as_str())
            .min_by_key(|m| m.joined_at)
            .or_else(|| remaining.iter().min_by_key(|m| m.joined_at));
        if let Some(heir) = heir.cloned() {
            let heir_id = heir.user_id.clone();
            let mut row: chat_members::ActiveModel = heir.into();
            row.role = Set(MemberRole::Owner.as_str().to_owned());
            row.update(&txn).await?;
            recorded.push(
                record(&txn, chat_id, &heir_id, SystemEvent::OwnerChanged { user_id: heir_id.clone() }, now).await?,
            );
        }
    }
    // The last one out (always the owner): nothing is left to join or to show.
    let photo = if chats::members(&txn, chat_id).await?.is_empty() { close_down(&txn, chat_id).await? } else { None };
    members_changed(&txn, chat_id, recorded.last().map_or(0, |m| m.seq)).await?;
    txn.commit().await?;
    crate::photo::forget_if_unused(state, photo).await?;
    // The one who went sees up to their going, not who owns the group after them.
    let after = recorded.split_off(1);
    publish(state, chat_id, recorded, &[user_id.to_owned()]).await?;
    publish(state, chat_id, after, &[]).await
}

/// A group nobody is in any more: its invite link, requests to join and image go (the image
/// returned, for its blobs to be forgotten after the commit).
async fn close_down(txn: &DatabaseTransaction, chat_id: &str) -> Result<Option<String>> {
    let photo = chat_row(txn, chat_id).await?.photo_id;
    chat_rows::Entity::update_many()
        .col_expr(chat_rows::Column::InviteCode, sea_orm::sea_query::Expr::value(Option::<String>::None))
        .col_expr(chat_rows::Column::PhotoId, sea_orm::sea_query::Expr::value(Option::<String>::None))
        .filter(chat_rows::Column::Id.eq(chat_id))
        .exec(txn)
        .await?;
    join_requests::Entity::delete_many().filter(join_requests::Column::ChatId.eq(chat_id)).exec(txn).await?;
    Ok(photo)
}

/// Removes a member (admins; nobody removes the owner). Removing oneself is leaving.
pub async fn remove(state: &AppState, actor: &str, chat_id: &str, user_id: &str) -> Result<()> {
    if actor == user_id {
        return leave(state, actor, chat_id).await;
    }
    let roster = administered(state, chat_id, actor, "remove members").await?;
    if !roster.contains(user_id) {
        return Err(Error::not_found("that person is not in this group"));
    }
    if roster.owner.as_deref() == Some(user_id) {
        return Err(Error::api(StatusCode::FORBIDDEN, ErrorCode::Forbidden, "the group's owner cannot be removed"));
    }
    end_membership(state, actor, chat_id, user_id, SystemEvent::Removed { user_id: user_id.to_owned() }).await
}

/// Leaves a group (anyone); the chat stays on my devices with what I had.
pub async fn leave(state: &AppState, user_id: &str, chat_id: &str) -> Result<()> {
    group_of(state, chat_id, user_id).await?;
    end_membership(state, user_id, chat_id, user_id, SystemEvent::Left).await
}

/// Takes a user whose account goes out of every group they are in (each sees them leave, an
/// owner hands over as when leaving), their requests to join and their "who may add me" list.
pub async fn leave_all(state: &AppState, user_id: &str) -> Result<()> {
    let groups: Vec<String> = chats::chats_of(&state.db, user_id)
        .await?
        .into_iter()
        .filter(|(chat, me)| chat.kind == ChatKind::Group.as_str() && me.left_seq.is_none())
        .map(|(chat, _)| chat.id)
        .collect();
    for chat_id in groups {
        end_membership(state, user_id, &chat_id, user_id, SystemEvent::Left).await?;
    }
    join_requests::Entity::delete_many().filter(join_requests::Column::UserId.eq(user_id)).exec(&state.db).await?;
    group_add_exceptions::Entity::delete_many()
        .filter(
            sea_orm::Condition::any()
                .add(group_add_exceptions::Column::OwnerId.eq(user_id))
                .add(group_add_exceptions::Column::UserId.eq(user_id)),
        )
        .exec(&state.db)
        .await?;
    Ok(())
}

/// Makes a member an admin, or dismisses one (admins; the owner's role does not change here).
pub async fn set_role(state: &AppState, actor: &str, chat_id: &str, user_id: &str, role: MemberRole) -> Result<()> {
    let roster = administered(state, chat_id, actor, "change who is an admin").await?;
    if !roster.contains(user_id) {
        return Err(Error::not_found("that person is not in this group"));
    }
    if role == MemberRole::Owner || roster.owner.as_deref() == Some(user_id) {
        return Err(Error::api(StatusCode::FORBIDDEN, ErrorCode::Forbidden, "the owner's role does not change"));
    }
    if roster.is_admin(user_id) == (role == MemberRole::Admin) {
        return Ok(());
    }
    let now = now_ms();
    let txn = state.db.begin().await?;
    let event = match role {
        MemberRole::Admin => SystemEvent::MadeAdmin { user_id: user_id.to_owned() },
        _ => SystemEvent::DismissedAdmin { user_id: user_id.to_owned() },
    };
    let message = record(&txn, chat_id, actor, event, now).await?;
    chat_members::Entity::update_many()
        .col_expr(chat_members::Column::Role, sea_orm::sea_query::Expr::value(role.as_str()))
        .filter(chat_members::Column::ChatId.eq(chat_id))
        .filter(chat_members::Column::UserId.eq(user_id))
        .exec(&txn)
        .await?;
    members_changed(&txn, chat_id, message.seq).await?;
    txn.commit().await?;
    publish(state, chat_id, vec![message], &[]).await
}

/// Deletes a group (its owner): everyone is out, each keeping what they had; the link and the
/// image are gone.
pub async fn delete(state: &AppState, actor: &str, chat_id: &str) -> Result<()> {
    let roster = group_of(state, chat_id, actor).await?;
    if roster.owner.as_deref() != Some(actor) {
        return Err(Error::api(StatusCode::FORBIDDEN, ErrorCode::Forbidden, "only the group's owner can delete it"));
    }
    let everyone: Vec<String> = roster.members().map(str::to_owned).collect();
    let now = now_ms();
    let txn = state.db.begin().await?;
    let message = record(&txn, chat_id, actor, SystemEvent::Deleted, now).await?;
    chat_members::Entity::update_many()
        .col_expr(chat_members::Column::LeftSeq, sea_orm::sea_query::Expr::value(message.seq))
        .filter(chat_members::Column::ChatId.eq(chat_id))
        .filter(chat_members::Column::LeftSeq.is_null())
        .exec(&txn)
        .await?;
    let photo = close_down(&txn, chat_id).await?;
    members_changed(&txn, chat_id, message.seq).await?;
    txn.commit().await?;
    crate::photo::forget_if_unused(state, photo).await?;
    publish(state, chat_id, vec![message], &everyone).await
}

fn new_code() -> String {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).expect("the OS random source works");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The group's invite link (admins), made now if it has none.
pub async fn invite_link(state: &AppState, actor: &str, chat_id: &str) -> Result<InviteLink> {
    administered(state, chat_id, actor, "share the invite link").await?;
    let chat = chat_row(&state.db, chat_id).await?;
    if let Some(code) = &chat.invite_code {
        return Ok(InviteLink::for_code(code));
    }
    let code = new_code();
    let mut row: chat_rows::ActiveModel = chat.into();
    row.invite_code = Set(Some(code.clone()));
    row.update(&state.db).await?;
    Ok(InviteLink::for_code(&code))
}

/// A new link (admins): the old one no longer joins.
pub async fn reset_link(state: &AppState, actor: &str, chat_id: &str) -> Result<InviteLink> {
    revoke_link(state, actor, chat_id).await?;
    let link = invite_link(state, actor, chat_id).await?;
    let txn = state.db.begin().await?;
    let message = record(&txn, chat_id, actor, SystemEvent::LinkReset, now_ms()).await?;
    txn.commit().await?;
    publish(state, chat_id, vec![message], &[]).await?;
    Ok(link)
}

/// No link any more (admins); pending requests stay for the admins to decide.
pub async fn revoke_link(state: &AppState, actor: &str, chat_id: &str) -> Result<()> {
    administered(state, chat_id, actor, "revoke the invite link").await?;
    chat_rows::Entity::update_many()
        .col_expr(chat_rows::Column::InviteCode, sea_orm::sea_query::Expr::value(Option::<String>::None))
        .filter(chat_rows::Column::Id.eq(chat_id))
        .exec(&state.db)
        .await?;
    Ok(())
}

async fn by_code(db: &impl ConnectionTrait, code: &str) -> Result<chat_rows::Model> {
    let code = InviteLink::code_of(code);
    if code.is_empty() || code.len() > 64 {
        return Err(invite_invalid());
    }
    chat_rows::Entity::find()
        .filter(chat_rows::Column::InviteCode.eq(code))
        .one(db)
        .await?
        .filter(|chat| chat.kind == ChatKind::Group.as_str())
        .ok_or_else(invite_invalid)
}

/// What the link shows anyone signed in, before joining.
pub async fn preview(state: &AppState, user_id: &str, code: &str) -> Result<InvitePreview> {
    let chat = by_code(&state.db, code).await?;
    let roster = state.members.roster(&state.db, &chat.id).await?.ok_or_else(invite_invalid)?;
    let requested = join_requests::Entity::find_by_id((chat.id.clone(), user_id.to_owned())).one(&state.db).await?;
    Ok(InvitePreview {
        name: chat.name.unwrap_or_default(),
        description: chat.description.unwrap_or_default(),
        photo: chat.photo_id,
        member_count: u32::try_from(roster.len()).unwrap_or(u32::MAX),
        approval_needed: chat.approve_joins,
        member: roster.contains(user_id),
        requested: requested.is_some(),
    })
}

/// Joins by the link (again: nothing changes), or asks to when the group wants approval.
pub async fn join(state: &AppState, user_id: &str, code: &str) -> Result<JoinOutcome> {
    let chat = by_code(&state.db, code).await?;
    let roster = state.members.roster(&state.db, &chat.id).await?.ok_or_else(invite_invalid)?;
    if !roster.contains(user_id) {
        if roster.len() + 1 > GROUP_MAX_MEMBERS {
            return Err(full());
        }
        // Nobody joins a group whose owner blocked them, or whom they blocked.
        if let Some(owner) = &roster.owner
            && blocks::between(&state.db, user_id, owner).await?.is_some()
        {
            return Err(Error::api(StatusCode::FORBIDDEN, ErrorCode::Blocked, "a block stands in the way"));
        }
        if chat.approve_joins {
            join_requests::Entity::insert(join_requests::ActiveModel {
                chat_id: Set(chat.id.clone()),
                user_id: Set(user_id.to_owned()),
                requested_at: Set(now_ms()),
            })
            .on_conflict(
                sea_orm::sea_query::OnConflict::columns([join_requests::Column::ChatId, join_requests::Column::UserId])
                    .do_nothing()
                    .to_owned(),
            )
            .do_nothing()
            .exec(&state.db)
            .await?;
            return Ok(JoinOutcome::Requested);
        }
        let_in(state, &chat.id, user_id, &[user_id.to_owned()], |_| SystemEvent::JoinedByLink).await?;
    }
    let summary = chats::summary(&state.db, &chat.id, user_id).await?.ok_or_else(crate::membership::not_a_member)?;
    Ok(JoinOutcome::Joined { chat: Box::new(summary) })
}

/// Who waits to join (admins), oldest request first.
pub async fn requests(state: &AppState, actor: &str, chat_id: &str) -> Result<Vec<JoinRequest>> {
    administered(state, chat_id, actor, "see requests to join").await?;
    let rows = join_requests::Entity::find()
        .filter(join_requests::Column::ChatId.eq(chat_id))
        .order_by_asc(join_requests::Column::RequestedAt)
        .all(&state.db)
        .await?;
    let ids: Vec<String> = rows.iter().map(|r| r.user_id.clone()).collect();
    let people = chats::people_seen_by(&state.db, &ids, actor).await?;
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            let person = people.get(&row.user_id)?;
            Some(JoinRequest {
                user_id: row.user_id,
                username: person.username.clone(),
                display_name: person.display_name.clone(),
                photo: person.photo.clone(),
                requested_at: row.requested_at,
            })
        })
        .collect())
}

/// Approves or rejects a request to join (admins).
pub async fn decide(state: &AppState, actor: &str, chat_id: &str, user_id: &str, approve: bool) -> Result<()> {
    let roster = administered(state, chat_id, actor, "answer requests to join").await?;
    if join_requests::Entity::find_by_id((chat_id.to_owned(), user_id.to_owned())).one(&state.db).await?.is_none() {
        return Err(Error::not_found("no such request"));
    }
    // A full group keeps the request for later.
    if approve && !roster.contains(user_id) && roster.len() + 1 > GROUP_MAX_MEMBERS {
        return Err(full());
    }
    if approve && !roster.contains(user_id) {
        // Let in first: a group that filled up meanwhile keeps the request.
        let_in(state, chat_id, actor, &[user_id.to_owned()], |_| SystemEvent::JoinApproved {
            user_id: user_id.to_owned(),
        })
        .await?;
    }
    join_requests::Entity::delete_by_id((chat_id.to_owned(), user_id.to_owned())).exec(&state.db).await?;
    Ok(())
}

/// The groups `user_id` and `other_id` are both in (for a contact's profile).
pub async fn in_common(
    state: &AppState,
    user_id: &str,
    other_id: &str,
) -> Result<Vec<gkchat_proto::chat::ChatSummary>> {
    let mine: HashSet<String> = chat_members::Entity::find()
        .filter(chat_members::Column::UserId.eq(user_id))
        .filter(chat_members::Column::LeftSeq.is_null())
        .all(&state.db)
        .await?
        .into_iter()
        .map(|m| m.chat_id)
        .collect();
    let shared: Vec<String> = chat_members::Entity::find()
        .filter(chat_members::Column::UserId.eq(other_id))
        .filter(chat_members::Column::LeftSeq.is_null())
        .filter(chat_members::Column::ChatId.is_in(mine))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|m| m.chat_id)
        .collect();
    let mut tiles = Vec::new();
    for tile in chats::summaries(&state.db, user_id).await? {
        if tile.kind == ChatKind::Group && shared.contains(&tile.id) {
            tiles.push(tile);
        }
    }
    Ok(tiles)
}

/// The contacts `user_id` does not let add them to groups ("my contacts except …").
pub async fn add_exceptions(state: &AppState, user_id: &str) -> Result<Vec<String>> {
    Ok(group_add_exceptions::Entity::find()
        .filter(group_add_exceptions::Column::OwnerId.eq(user_id))
        .order_by_asc(group_add_exceptions::Column::UserId)
        .all(&state.db)
        .await?
        .into_iter()
        .map(|row| row.user_id)
        .collect())
}

/// Replaces that list (at most a few thousand ids; unknown ones are kept: they harm nobody).
pub async fn set_add_exceptions(state: &AppState, user_id: &str, ids: Vec<String>) -> Result<Vec<String>> {
    let mut ids: Vec<String> = ids.into_iter().filter(|id| !id.is_empty() && id.len() <= 64).collect();
    ids.sort();
    ids.dedup();
    if ids.len() > 5_000 {
        return Err(Error::api(StatusCode::BAD_REQUEST, ErrorCode::BadRequest, "at most 5,000 exceptions"));
    }
    let txn = state.db.begin().await?;
    group_add_exceptions::Entity::delete_many()
        .filter(group_add_exceptions::Column::OwnerId.eq(user_id))
        .exec(&txn)
        .await?;
    let rows: Vec<group_add_exceptions::ActiveModel> = ids
        .iter()
        .map(|id| group_add_exceptions::ActiveModel { owner_id: Set(user_id.to_owned()), user_id: Set(id.clone()) })
        .collect();
    for chunk in rows.chunks(200) {
        group_add_exceptions::Entity::insert_many(chunk.to_vec()).exec(&txn).await?;
    }
    txn.commit().await?;
    Ok(ids)
}
