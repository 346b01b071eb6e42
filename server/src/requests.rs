//! Message requests: a direct chat started by someone its recipient does not know (not their
//! contact, no group in common) is held for the recipient as a request until they accept it —
//! by `POST /api/v1/chats/<id>/accept` or by writing back. Until then the sender sees neither
//! the recipient's read receipts (`chats::sharing_receipts`), presence nor typing; the app keeps
//! it under Requests, silent, with the sender's photo blurred. "Who can message me" (everyone /
//! my contacts) is enforced here too.

use std::collections::HashSet;

use axum::http::StatusCode;
use gkchat_proto::account::WhoCanMessage;
use gkchat_proto::chat::{ChatKind, ChatSummary};
use gkchat_proto::{ErrorCode, ServerFrame};
use sea_orm::ConnectionTrait;

use crate::AppState;
use crate::db::entity::users;
use crate::db::{self, chats, contacts};
use crate::error::{Error, Result};

/// Whether `sender` is a stranger to `recipient`: not in their contacts, and no group they are
/// both in.
pub async fn is_stranger(db: &impl ConnectionTrait, recipient: &str, sender: &str) -> Result<bool> {
    if in_contacts_of(db, recipient, sender).await? {
        return Ok(false);
    }
    let common = db::all(
        db,
        "SELECT 1 FROM chat_members a \
         JOIN chat_members b ON b.chat_id = a.chat_id \
         JOIN chats c ON c.id = a.chat_id \
         WHERE a.user_id = ? AND b.user_id = ? AND c.kind = ? \
         AND a.left_seq IS NULL AND b.left_seq IS NULL LIMIT 1",
        vec![recipient.into(), sender.into(), ChatKind::Group.as_str().into()],
    )
    .await?;
    Ok(common.is_empty())
}

async fn in_contacts_of(db: &impl ConnectionTrait, owner: &str, who: &str) -> Result<bool> {
    Ok(!contacts::owners_having(db, &[owner.to_owned()], who).await?.is_empty())
}

/// Refuses `sender` writing to `recipient` when the recipient takes messages from their
/// contacts only and `sender` is not one.
pub async fn check_may_message(db: &impl ConnectionTrait, recipient: &users::Model, sender: &str) -> Result<()> {
    let who = WhoCanMessage::parse(&recipient.who_can_message).unwrap_or_default();
    if who == WhoCanMessage::Contacts && !in_contacts_of(db, &recipient.id, sender).await? {
        return Err(Error::api(
            StatusCode::FORBIDDEN,
            ErrorCode::NotAccepting,
            "this person accepts messages from their contacts only",
        ));
    }
    Ok(())
}

/// The first message of direct chat `chat_id`, from `sender` to `recipient`, was stored: a
/// request to the recipient when they do not know the sender (and the sender then sees no
/// presence of them).
pub async fn first_message(state: &AppState, chat_id: &str, sender: &str, recipient: &str) -> Result<()> {
    let stranger = is_stranger(&state.db, recipient, sender).await?;
    if !stranger {
        // Nothing to write; the roster no longer stands for a chat nothing was written in.
        state.members.forget(chat_id);
        return Ok(());
    }
    mark(state, chat_id, recipient, true).await?;
    crate::presence::announce(state, recipient).await
}

/// `user_id` accepts the request in `chat_id` (again is fine): it becomes an ordinary chat,
/// their devices get its tile, and the other person's the receipts it now shows them, and their
/// presence.
pub async fn accept(state: &AppState, user_id: &str, chat_id: &str) -> Result<ChatSummary> {
    let roster = state.members.check(&state.db, chat_id, user_id).await?;
    if roster.is_request(user_id) {
        mark(state, chat_id, user_id, false).await?;
        for member in roster.members().filter(|m| *m != user_id) {
            if let Some(summary) = chats::summary(&state.db, chat_id, member).await? {
                state.hub.send_to_user(member, &ServerFrame::Chat(Box::new(summary)));
            }
        }
        crate::presence::announce(state, user_id).await?;
    }
    let summary = chats::summary(&state.db, chat_id, user_id)
        .await?
        .ok_or_else(|| Error::Internal("an accepted chat has no tile".into()))?;
    if roster.is_request(user_id) {
        state.hub.send_to_user(user_id, &ServerFrame::Chat(Box::new(summary.clone())));
    }
    Ok(summary)
}

/// The requests not yet accepted between `one` and each of `others`, as the ones of `others`
/// they stand with: held by `one` (sent by them) when `one_holds`, else held by them (sent by
/// `one`). Whoever holds an unaccepted request shows its sender no presence.
pub async fn unaccepted(
    db: &impl ConnectionTrait,
    one: &str,
    others: &[String],
    one_holds: bool,
) -> Result<HashSet<String>> {
    if others.is_empty() {
        return Ok(HashSet::new());
    }
    let holder = if one_holds { "a" } else { "b" };
    let marks = vec!["?"; others.len()].join(", ");
    let mut values: Vec<sea_orm::Value> = vec![one.into(), true.into()];
    values.extend(others.iter().map(|o| o.as_str().into()));
    let rows = db::all(
        db,
        &format!(
            "SELECT b.user_id FROM chat_members a \
             JOIN chat_members b ON b.chat_id = a.chat_id AND b.user_id <> a.user_id \
             WHERE a.user_id = ? AND {holder}.request = ? AND b.user_id IN ({marks})"
        ),
        values,
    )
    .await?;
    Ok(db::strings(rows)?.into_iter().collect())
}

/// Sets whether `user_id` holds a request in `chat_id`, and forgets the chat's roster.
async fn mark(state: &AppState, chat_id: &str, user_id: &str, request: bool) -> Result<()> {
    db::run(
        &state.db,
        "UPDATE chat_members SET request = ? WHERE chat_id = ? AND user_id = ?",
        vec![request.into(), chat_id.into(), user_id.into()],
    )
    .await?;
    state.members.forget(chat_id);
    Ok(())
}
