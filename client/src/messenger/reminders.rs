//! Reminds me of events I am going to: a loop that sleeps until the store's next reminder is due
//! (or something changed), and then tells the app, once per event start (see `store::reminders`).

use std::sync::Arc;

use gkchat_proto::chat::{Content, Message};
use gkchat_proto::event::Rsvp;

use super::{Inner, MessengerEvent};

/// Runs until the messenger stops.
pub(super) async fn remind(inner: Arc<Inner>) {
    let mut events = inner.events.subscribe();
    loop {
        let now = inner.clock.now_ms();
        let next = match inner.store.due_reminders(now).await {
            Ok(due) => {
                for reminder in due {
                    let _ = inner.events.send(MessengerEvent::EventReminder(reminder));
                }
                inner.store.next_reminder().await.ok().flatten()
            }
            Err(err) => {
                // Looked at again in a minute (not in a loop while the store fails).
                tracing::warn!(%err, "reminders not read");
                Some(now + 60_000)
            }
        };
        inner.reminders_checked.send_replace(now);
        // Until the next is due, the clock moves, or an event may have changed; other news
        // does not make the loop look again.
        let tick = inner.clock.tick(now, next.unwrap_or(now + 60 * 60 * 1000));
        tokio::pin!(tick);
        loop {
            tokio::select! {
                () = &mut tick => break,
                () = inner.reminders.notified() => break,
                event = events.recv() => match event {
                    Ok(MessengerEvent::Message { message, .. })
                        if matches!(message.message.content, Some(Content::Event { .. }) | None) => break,
                    Ok(MessengerEvent::ChatsChanged) => break,
                    Ok(_) => {}
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => break,
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
                },
            }
        }
    }
}

/// Who answered a poll or event of mine between `before` and `after`: each new or changed answer
/// by someone else (`None` for a vote in an anonymous poll, where only the counts show).
pub(super) fn answered(me: &str, before: Option<&Message>, after: &Message) -> Vec<(Option<String>, Option<Rsvp>)> {
    if after.sender_id != me {
        return Vec::new();
    }
    match &after.content {
        Some(Content::Poll { poll }) if poll.anonymous => {
            let mine = |m: &Message| m.votes.iter().find(|v| v.user_id == me).map(|v| v.options.clone());
            let (tally_before, my_before) = before.map_or((Vec::new(), None), |b| (b.tally.clone(), mine(b)));
            let others_moved = tally_before != after.tally && my_before == mine(after);
            let counted = after.tally.iter().sum::<u32>() > 0;
            if others_moved && counted { vec![(None, None)] } else { Vec::new() }
        }
        Some(Content::Poll { .. }) => after
            .votes
            .iter()
            .filter(|vote| vote.user_id != me && !vote.options.is_empty())
            .filter(|vote| !before.is_some_and(|b| b.votes.contains(vote)))
            .map(|vote| (Some(vote.user_id.clone()), None))
            .collect(),
        Some(Content::Event { .. }) => after
            .rsvps
            .iter()
            .filter(|answer| answer.user_id != me)
            .filter(|answer| !before.is_some_and(|b| b.rsvps.contains(answer)))
            .map(|answer| (Some(answer.user_id.clone()), Some(answer.rsvp)))
            .collect(),
        _ => Vec::new(),
    }
}
