//! Appearance: my theme, accent, text size and default background (kept with my account,
//! pushed to my devices as `me`), and chat backgrounds — mine for a chat, or a group's for
//! everyone, set by its admins and announced in its timeline. A picture background is media I
//! uploaded first; it then lives as long as a background shows it, readable by whoever sees it.

use gkchat_proto::ServerFrame;
use gkchat_proto::appearance::{Background, ChatBackground};
use gkchat_proto::chat::{ChatKind, ChatSummary};
use gkchat_proto::group::SystemEvent;
use sea_orm::{ConnectionTrait, TransactionTrait};

use crate::AppState;
use crate::db::backgrounds::{self, Owner};
use crate::db::chats;
use crate::error::{Error, Result};

/// Checks a background `user_id` chose: a picture must be an image of theirs, uploaded and
/// ready (it is in use once a background row names it: `db::backgrounds::set`).
pub async fn check(db: &impl ConnectionTrait, user_id: &str, background: &Background) -> Result<()> {
    background.check().map_err(Error::bad_request)?;
    let Some(media_id) = background.media_id() else { return Ok(()) };
    let refused = || {
        Error::bad_request((gkchat_proto::ErrorCode::UnknownMedia, "no picture of yours is ready under that id".into()))
    };
    let media = crate::db::media::get(db, media_id).await?.ok_or_else(refused)?;
    let picture = media.mime.as_deref().is_some_and(|mime| mime.starts_with("image/"));
    if media.owner_id != user_id || media.state != crate::db::media::READY || !picture {
        return Err(refused());
    }
    Ok(())
}

/// Keeps my default background where media rules find it (the rest of my appearance is in my
/// account row), in the caller's transaction.
pub async fn keep_default(db: &impl ConnectionTrait, user_id: &str, background: Option<&Background>) -> Result<()> {
    backgrounds::set(db, Owner::Mine { user_id, chat_id: None }, background).await
}

/// Tells every device of mine how my account is now.
pub fn push_me(state: &AppState, me: &gkchat_proto::account::Me) {
    state.hub.send_to_user(&me.id, &ServerFrame::Me(Box::new(me.clone())));
}

/// Sets my background for a chat, or a group's for everyone (its admins; announced); the tile
/// as I see it after.
pub async fn set_chat_background(
    state: &AppState,
    user_id: &str,
    chat_id: &str,
    choice: ChatBackground,
) -> Result<ChatSummary> {
    let roster = state.members.check(&state.db, chat_id, user_id).await?;
    if choice.for_everyone && roster.kind != ChatKind::Group {
        return Err(Error::bad_request((
            gkchat_proto::ErrorCode::BadRequest,
            "only a group has a background for everyone".into(),
        )));
    }
    if choice.for_everyone && !roster.is_admin(user_id) {
        return Err(crate::groups::admins_only("set its background for everyone"));
    }
    if let Some(background) = &choice.background {
        check(&state.db, user_id, background).await?;
    }
    if !choice.for_everyone {
        backgrounds::set(&state.db, Owner::Mine { user_id, chat_id: Some(chat_id) }, choice.background.as_ref())
            .await?;
        let summary =
            chats::summary(&state.db, chat_id, user_id).await?.ok_or_else(|| Error::not_found("no such chat"))?;
        state.hub.send_to_user(user_id, &ServerFrame::Chat(Box::new(summary.clone())));
        return Ok(summary);
    }
    let now = state.config.clock.now_ms();
    let txn = state.db.begin().await?;
    chats::hold(&txn, chat_id).await?;
    // Still an admin, now the chat is held.
    let me = chats::membership(&txn, chat_id, user_id).await?;
    let role = me.filter(|me| me.left_seq.is_none()).and_then(|me| gkchat_proto::chat::MemberRole::parse(&me.role));
    if role.is_none_or(|role| role < gkchat_proto::chat::MemberRole::Admin) {
        return Err(crate::groups::admins_only("set its background for everyone"));
    }
    backgrounds::set(&txn, Owner::Group(chat_id), choice.background.as_ref()).await?;
    let removed = choice.background.is_none();
    let record = crate::groups::record(&txn, chat_id, user_id, SystemEvent::BackgroundChanged { removed }, now).await?;
    txn.commit().await?;
    crate::groups::publish(state, chat_id, vec![record], &[]).await?;
    chats::summary(&state.db, chat_id, user_id).await?.ok_or_else(|| Error::not_found("no such chat"))
}
