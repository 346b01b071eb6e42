//! What happens at a time: event reminders (when the store's next one is due, once per event
//! start; see `store::reminders`), status posts expiring (dropped from the cache with their
//! media the moment their 24 hours are up, also for a device that was off) and disappearing
//! messages going (see `store::expiry`). One loop sleeps on the messenger's clock until the
//! next of these, or until something may have changed.

use std::sync::Arc;

use gkchat_proto::chat::Content;
use gkchat_proto::status::StatusEvent;

use super::{Inner, MessengerEvent};
use crate::Result;

/// Tells what is due at `now`; answers when the next thing is.
async fn due(inner: &Inner, now: i64) -> Result<Option<i64>> {
    // Messages first: an event that disappeared reminds nobody.
    let expired = inner.store.expire_due(now).await?;
    if !expired.is_empty() {
        for local in expired {
            let chat_id = local.message.chat_id.clone();
            let _ = inner.events.send(MessengerEvent::Message { chat_id, message: Box::new(local) });
        }
        let _ = inner.events.send(MessengerEvent::ChatsChanged);
    }
    for reminder in inner.store.due_reminders(now).await? {
        let _ = inner.events.send(MessengerEvent::EventReminder(reminder));
    }
    if inner.store.drop_expired_status(now).await? {
        let _ = inner.events.send(MessengerEvent::Status { status: Box::new(StatusEvent::Refresh) });
    }
    let reminder = inner.store.next_reminder().await?;
    let expiry = inner.store.next_status_expiry().await?;
    let message = inner.store.next_message_expiry().await?;
    Ok(reminder.into_iter().chain(expiry).chain(message).min())
}

/// Runs until the messenger stops.
pub(super) async fn run(inner: Arc<Inner>) {
    let mut events = inner.events.subscribe();
    loop {
        let now = inner.clock.now_ms();
        let next = match due(&inner, now).await {
            Ok(next) => next,
            Err(err) => {
                // Looked at again in a minute (not in a loop while the store fails).
                tracing::warn!(%err, "reminders not read");
                Some(now + 60_000)
            }
        };
        inner.reminders_checked.send_replace(now);
        // Until the next is due, the clock moves, or an event or a message with a timer may
        // have come (a sync tells through `reminders`); other news does not make the loop look
        // again (a tile changes with every message).
        let tick = inner.clock.tick(now, next.unwrap_or(now + 60 * 60 * 1000));
        tokio::pin!(tick);
        loop {
            tokio::select! {
                () = &mut tick => break,
                () = inner.reminders.notified() => break,
                event = events.recv() => match event {
                    Ok(MessengerEvent::Message { message, .. })
                        if !message.message.expired
                            && (matches!(message.message.content, Some(Content::Event { .. }) | None)
                                || message.message.expires_at.is_some()) => break,
                    Ok(MessengerEvent::Status { .. }) => break,
                    Ok(_) => {}
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => break,
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
                },
            }
        }
    }
}
