//! Presence: who is online, and when they were last seen, told live to those allowed to know.
//!
//! A user is online while they have a live signed-in connection (the hub knows). Their first
//! connection and the end of their last one record `last_seen_at` and announce the change to
//! every connected user who has them as a contact, each seeing it through the user's last-seen
//! privacy and blocks (see [`contacts::presence_as_seen_by`]). Changes to privacy, contacts or
//! blocks announce again, so a newly hidden presence disappears at once.

use gkchat_proto::ServerFrame;

use crate::db::{accounts, blocks, contacts};
use crate::error::Result;
use crate::{AppState, now_ms};

/// A user's connection was registered in the hub. (Announced for every connection, not only
/// the first: two devices connecting at once must not both think the other one announced.)
pub async fn connected(state: &AppState, user_id: &str) -> Result<()> {
    accounts::touch_last_seen(&state.db, user_id, now_ms()).await?;
    announce(state, user_id).await
}

/// A user's connection left the hub. With several instances the bus says when the last one
/// anywhere left (and calls [`gone`]).
pub async fn disconnected(state: &AppState, user_id: &str) -> Result<()> {
    if state.hub.bus().is_none() && !state.hub.is_online(user_id) {
        gone(state, user_id).await?;
    }
    Ok(())
}

/// `user_id`'s last connection anywhere ended: last seen now, and told.
pub async fn gone(state: &AppState, user_id: &str) -> Result<()> {
    accounts::touch_last_seen(&state.db, user_id, now_ms()).await?;
    announce(state, user_id).await
}

/// Tells every connected user who has `user_id` as a contact how `user_id`'s presence looks to
/// them now.
pub async fn announce(state: &AppState, user_id: &str) -> Result<()> {
    let Some(user) = accounts::get(&state.db, user_id).await? else { return Ok(()) };
    let watchers: Vec<String> =
        state.hub.online_among(&contacts::owners_of(&state.db, user_id).await?).into_iter().collect();
    if watchers.is_empty() {
        return Ok(());
    }
    let online = state.hub.is_online(user_id);
    let their_contacts = contacts::owned_among(&state.db, user_id, &watchers).await?;
    let blocked = blocks::blocked_among(&state.db, user_id, &watchers).await?;
    for watcher in &watchers {
        let relation = contacts::Relation {
            in_their_contacts: their_contacts.contains(watcher),
            blocked_by_them: blocked.contains(watcher),
        };
        let frame = ServerFrame::Presence(contacts::presence_as_seen_by(&user, relation, online));
        let dropped = state.hub.send_to_user(watcher, &frame);
        if dropped > 0 {
            tracing::debug!(%watcher, dropped, "presence update not queued; connection is behind");
        }
    }
    Ok(())
}
