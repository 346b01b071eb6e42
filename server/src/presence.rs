//! Presence: who is online, and when they were last seen, told live to those allowed to know.
//!
//! A user is online while they have a live signed-in connection (the hub knows). Their first
//! connection and the end of their last one record `last_seen_at` and announce the change to
//! every connected user who has them as a contact, each seeing it through the user's last-seen
//! privacy and blocks (see [`contacts::presence_as_seen_by`]). Changes to privacy, contacts or
//! blocks announce again, so a newly hidden presence disappears at once.

use gkchat_proto::ServerFrame;

use crate::db::{accounts, blocks, contacts};
use crate::error::{Error, Result};
use crate::{AppState, now_ms};

/// Most "last seen" times one transaction records.
const LAST_SEEN_BATCH_MAX: usize = 512;

/// A "last seen" waiting for its writer.
struct Seen {
    user_id: String,
    at: i64,
    reply: tokio::sync::oneshot::Sender<Result<()>>,
}

/// Group commit for "last seen", as [`crate::messaging::SendQueue`] does for sends: every
/// connection that starts or ends records when, and after a reconnect storm thousands do at
/// once — one writer records whatever has gathered in one transaction, instead of each taking
/// the database's write lock in turn (on SQLite they waited seconds for it).
pub struct LastSeenQueue {
    queue: tokio::sync::mpsc::Sender<Seen>,
}

impl LastSeenQueue {
    pub fn start(db: sea_orm::DatabaseConnection) -> Self {
        let (queue, mut receiver) = tokio::sync::mpsc::channel::<Seen>(4 * LAST_SEEN_BATCH_MAX);
        tokio::spawn(async move {
            while let Some(batch) = crate::messaging::next_batch(&mut receiver, LAST_SEEN_BATCH_MAX).await {
                let seen: Vec<(&str, i64)> = batch.iter().map(|s| (s.user_id.as_str(), s.at)).collect();
                let written = accounts::touch_last_seen(&db, &seen).await.map_err(|err| err.to_string());
                drop(seen);
                if let Err(err) = &written {
                    tracing::warn!(error = %err, size = batch.len(), "recording last seen failed");
                }
                for s in batch {
                    let _ = s.reply.send(written.clone().map_err(Error::Internal));
                }
            }
        });
        Self { queue }
    }

    /// Records that `user_id` was connected at `at` (with whatever else is waiting).
    async fn record(&self, user_id: &str, at: i64) -> Result<()> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        let gone = || Error::Internal("the last-seen writer stopped".into());
        self.queue.send(Seen { user_id: user_id.to_owned(), at, reply }).await.map_err(|_| gone())?;
        answer.await.map_err(|_| gone())?
    }
}

/// A user's connection was registered in the hub. (Announced for every connection, not only
/// the first: two devices connecting at once must not both think the other one announced.)
pub async fn connected(state: &AppState, user_id: &str) -> Result<()> {
    state.last_seen.record(user_id, now_ms()).await?;
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
    state.last_seen.record(user_id, now_ms()).await?;
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
    let holding = crate::requests::unaccepted(&state.db, user_id, &watchers, true).await?;
    for watcher in &watchers {
        let relation = contacts::Relation {
            in_their_contacts: their_contacts.contains(watcher),
            blocked_by_them: blocked.contains(watcher),
            holds_their_request: holding.contains(watcher),
        };
        let frame = ServerFrame::Presence(contacts::presence_as_seen_by(&user, relation, online));
        let dropped = state.hub.send_to_user(watcher, &frame);
        if dropped > 0 {
            tracing::debug!(%watcher, dropped, "presence update not queued; connection is behind");
        }
    }
    Ok(())
}
