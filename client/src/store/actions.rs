//! Changes I make to messages — edits, reactions, deletions — kept until the server has them.
//! Each is shown at once over the server's version of its message (kept aside in `confirmed`
//! while any of mine wait), sent in the order made when the connection allows (after the
//! outbox's messages, so a change to a message still on its way follows it), and taken back if
//! the server refuses it for good. They survive a restart like the outbox.

use gkchat_proto::chat::{Content, Message, MessageAction, Reaction};
use gkchat_proto::event::Answer;
use gkchat_proto::poll::Vote;
use sea_orm::{ConnectionTrait, TransactionTrait};

use super::{LocalMessage, SendStatus, Store, derive, derived, get, json, parse, statement};
use crate::Result;

/// A change waiting for the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedAction {
    pub position: i64,
    pub chat_id: String,
    pub message_id: String,
    pub action: MessageAction,
    pub queued_at: i64,
}

/// What `action` of `me` at `now_ms` does to `message`, as the server will do it.
pub(crate) fn overlay(message: &mut Message, action: &MessageAction, me: &str, now_ms: i64) {
    // Of a message that disappeared, nothing comes back: it can only be let go of.
    if message.expired && !action.lets_go() {
        return;
    }
    match action {
        MessageAction::Edit { content } => {
            if message.deleted_at.is_none() {
                message.content = Some(content.clone());
                message.edited_at = Some(now_ms);
            }
        }
        MessageAction::DeleteForEveryone => {
            if message.deleted_at.is_none() {
                message.content = None;
                message.deleted_at = Some(now_ms);
                message.reactions.clear();
                message.starred = false;
            }
        }
        MessageAction::DeleteForMe => message.hidden = true,
        MessageAction::Star { starred } => message.starred = *starred,
        MessageAction::Keep { kept } => {
            if message.expires_at.is_some() && !message.expired {
                message.kept = *kept;
            }
        }
        MessageAction::React { emoji } => {
            if message.deleted_at.is_none() {
                message.reactions.retain(|reaction| reaction.user_id != me);
                if let Some(emoji) = emoji {
                    message.reactions.push(Reaction { user_id: me.to_owned(), emoji: emoji.clone(), at: now_ms });
                }
            }
        }
        MessageAction::Vote { options } => {
            let Some(Content::Poll { poll }) = &message.content else { return };
            if poll.closed_at.is_some() {
                return;
            }
            // My vote moves in the counts (in an anonymous poll the counts are all I see of
            // the others).
            let count = |tally: &mut Vec<u32>, options: &[u8], up: bool| {
                tally.resize(poll.options.len(), 0);
                for &option in options {
                    if let Some(n) = tally.get_mut(usize::from(option)) {
                        *n = if up { n.saturating_add(1) } else { n.saturating_sub(1) };
                    }
                }
            };
            if let Some(before) = message.votes.iter().find(|vote| vote.user_id == me) {
                let before = before.options.clone();
                count(&mut message.tally, &before, false);
            }
            message.votes.retain(|vote| vote.user_id != me);
            if !options.is_empty() {
                count(&mut message.tally, options, true);
                message.votes.push(Vote { user_id: me.to_owned(), options: options.clone(), at: now_ms });
            }
        }
        MessageAction::ClosePoll => {
            if let Some(Content::Poll { poll }) = &mut message.content
                && poll.closed_at.is_none()
            {
                poll.closed_at = Some(now_ms);
            }
        }
        MessageAction::Rsvp { rsvp } => {
            let Some(Content::Event { event }) = &message.content else { return };
            if event.cancelled_at.is_some() {
                return;
            }
            message.rsvps.retain(|answer| answer.user_id != me);
            if let Some(rsvp) = rsvp {
                message.rsvps.push(Answer { user_id: me.to_owned(), rsvp: *rsvp, at: now_ms });
            }
        }
        MessageAction::UpdateEvent { event: after } => {
            if let Some(Content::Event { event }) = &mut message.content
                && event.cancelled_at.is_none()
            {
                event.clone_from(after);
            }
        }
        MessageAction::CancelEvent => {
            if let Some(Content::Event { event }) = &mut message.content
                && event.cancelled_at.is_none()
            {
                event.cancelled_at = Some(now_ms);
            }
        }
    }
}

async fn queued_for(db: &impl ConnectionTrait, message_id: &str) -> Result<Vec<QueuedAction>> {
    let rows = db
        .query_all(statement(
            "SELECT position, chat_id, message_id, action, queued_at FROM pending_actions
             WHERE message_id = ? ORDER BY position",
            [message_id.into()],
        ))
        .await?;
    rows.iter().map(row_action).collect()
}

fn row_action(row: &sea_orm::QueryResult) -> Result<QueuedAction> {
    Ok(QueuedAction {
        position: get(row, "position")?,
        chat_id: get(row, "chat_id")?,
        message_id: get(row, "message_id")?,
        action: parse(&get::<String>(row, "action")?)?,
        queued_at: get(row, "queued_at")?,
    })
}

/// Writes what a message shows: `base` with the changes of mine still waiting on it; `confirmed`
/// keeps `base` while any wait.
async fn show(db: &impl ConnectionTrait, me: &str, base: &Message) -> Result<Message> {
    let waiting = queued_for(db, &base.id).await?;
    let mut shown = base.clone();
    for queued in &waiting {
        overlay(&mut shown, &queued.action, me, queued.queued_at);
    }
    let confirmed = if waiting.is_empty() { None } else { Some(json(base)?) };
    write_shown(db, me, &shown, confirmed).await?;
    Ok(shown)
}

/// Writes what a message shows (and the server's version kept aside while my changes wait on
/// it), with what derives from it.
pub(super) async fn write_shown(
    db: &impl ConnectionTrait,
    me: &str,
    shown: &Message,
    confirmed: Option<String>,
) -> Result<()> {
    db.execute(statement(
        "UPDATE messages SET data = ?, visible = ?, deleted = ?, starred = ?, expires_at = ?, confirmed = ? WHERE id = ?",
        std::iter::once(json(shown)?.into()).chain(derived(shown)).chain([confirmed.into(), shown.id.clone().into()]),
    ))
    .await?;
    derive(db, me, &shown.id).await
}

/// After the server's version of a message was stored: my waiting changes go back on top.
pub(super) async fn reapply(db: &impl ConnectionTrait, me: &str, stored: &Message) -> Result<()> {
    let waiting = db
        .query_one(statement(
            "SELECT 1 AS w FROM pending_actions WHERE message_id = ? LIMIT 1",
            [stored.id.clone().into()],
        ))
        .await?;
    if waiting.is_some() {
        show(db, me, stored).await?;
    }
    Ok(())
}

pub(super) async fn local(
    db: &impl ConnectionTrait,
    message_id: &str,
) -> Result<Option<(LocalMessage, Option<String>)>> {
    let row = db
        .query_one(statement("SELECT data, status, confirmed FROM messages WHERE id = ?", [message_id.into()]))
        .await?;
    row.map(|row| {
        Ok((
            LocalMessage {
                message: parse(&get::<String>(&row, "data")?)?,
                status: parse(&get::<String>(&row, "status")?).unwrap_or(SendStatus::Sent),
            },
            get::<Option<String>>(&row, "confirmed")?,
        ))
    })
    .transpose()
}

/// See [`Store::queue_action`]; inside the caller's transaction.
pub(super) async fn queue(
    db: &impl ConnectionTrait,
    me: &str,
    chat_id: &str,
    message_id: &str,
    action: &MessageAction,
    now_ms: i64,
) -> Result<Option<LocalMessage>> {
    let Some((current, confirmed)) = local(db, message_id).await? else { return Ok(None) };
    let base = match confirmed {
        Some(confirmed) => parse(&confirmed)?,
        None => current.message.clone(),
    };
    db.execute(statement(
        "INSERT INTO pending_actions (chat_id, message_id, action, queued_at) VALUES (?, ?, ?, ?)",
        [chat_id.into(), message_id.into(), json(action)?.into(), now_ms.into()],
    ))
    .await?;
    let shown = show(db, me, &base).await?;
    Ok(Some(LocalMessage { message: shown, status: current.status }))
}

impl Store {
    /// Queues a change to a message on this device and shows it; `None` when the message is not
    /// here.
    pub async fn queue_action(
        &self,
        chat_id: &str,
        message_id: &str,
        action: &MessageAction,
        now_ms: i64,
    ) -> Result<Option<LocalMessage>> {
        let transaction = self.db.begin().await?;
        let shown = queue(&transaction, &self.user_id, chat_id, message_id, action, now_ms).await?;
        transaction.commit().await?;
        Ok(shown)
    }

    /// A message as the server last gave it (without my changes still waiting on top).
    pub async fn server_version(&self, message_id: &str) -> Result<Option<Message>> {
        let Some((current, confirmed)) = local(&self.db, message_id).await? else { return Ok(None) };
        match confirmed {
            Some(confirmed) => Ok(Some(parse(&confirmed)?)),
            None => Ok(Some(current.message)),
        }
    }

    /// Every change waiting for the server, oldest first.
    pub async fn queued_actions(&self) -> Result<Vec<QueuedAction>> {
        let rows = self
            .db
            .query_all(statement(
                "SELECT position, chat_id, message_id, action, queued_at FROM pending_actions ORDER BY position",
                [],
            ))
            .await?;
        rows.iter().map(row_action).collect()
    }

    /// The server has a change (or refused it): it no longer waits. A refused one is taken off
    /// what the message shows; answers the message as it shows now.
    pub async fn action_settled(&self, queued: &QueuedAction, refused: bool) -> Result<Option<LocalMessage>> {
        let transaction = self.db.begin().await?;
        transaction
            .execute(statement("DELETE FROM pending_actions WHERE position = ?", [queued.position.into()]))
            .await?;
        let Some((current, confirmed)) = local(&transaction, &queued.message_id).await? else {
            transaction.commit().await?;
            return Ok(None);
        };
        let shown = match confirmed {
            // Done: what shows stays until the server's version of the change arrives (it
            // replaces it); refused: the server's version with what still waits on top.
            Some(confirmed) if refused || queued_for(&transaction, &queued.message_id).await?.is_empty() => {
                let base: Message = parse(&confirmed)?;
                if refused {
                    show(&transaction, &self.user_id, &base).await?
                } else {
                    transaction
                        .execute(statement(
                            "UPDATE messages SET confirmed = NULL WHERE id = ?",
                            [queued.message_id.clone().into()],
                        ))
                        .await?;
                    current.message
                }
            }
            _ => current.message,
        };
        transaction.commit().await?;
        Ok(Some(LocalMessage { message: shown, status: current.status }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message() -> Message {
        Message {
            id: "m".into(),
            chat_id: "c".into(),
            seq: 1,
            updated_seq: 1,
            sender_id: "me".into(),
            content: Some(Content::text("hi")),
            reply_to: None,
            forwarded: false,
            sent_at: 1,
            edited_at: None,
            deleted_at: None,
            reactions: vec![Reaction { user_id: "you".into(), emoji: "👍".into(), at: 1 }],
            votes: Vec::new(),
            tally: Vec::new(),
            rsvps: Vec::new(),
            starred: false,
            hidden: false,
            expires_at: None,
            kept: false,
            expired: false,
        }
    }

    #[test]
    fn changes_show_as_the_server_will_make_them() {
        let mut m = message();
        overlay(&mut m, &MessageAction::React { emoji: Some("🎉".into()) }, "me", 5);
        overlay(&mut m, &MessageAction::React { emoji: Some("❤️".into()) }, "me", 6);
        assert_eq!(
            m.reactions.iter().map(|r| (r.user_id.as_str(), r.emoji.as_str())).collect::<Vec<_>>(),
            [("you", "👍"), ("me", "❤️")]
        );
        overlay(&mut m, &MessageAction::Edit { content: Content::text("hello") }, "me", 7);
        assert_eq!((m.content.clone(), m.edited_at), (Some(Content::text("hello")), Some(7)));
        overlay(&mut m, &MessageAction::DeleteForEveryone, "me", 8);
        assert_eq!((m.content.clone(), m.deleted_at, m.reactions.len()), (None, Some(8), 0));
        overlay(&mut m, &MessageAction::Edit { content: Content::text("again") }, "me", 9);
        assert_eq!(m.content, None, "a deleted message stays deleted");
        overlay(&mut m, &MessageAction::DeleteForMe, "me", 10);
        assert!(m.hidden);
    }

    #[test]
    fn my_vote_moves_in_the_counts() {
        let mut m = message();
        m.content = Some(Content::Poll {
            poll: gkchat_proto::poll::Poll {
                question: "Lunch?".into(),
                options: vec!["Pizza".into(), "Sushi".into()],
                multiple: false,
                anonymous: true,
                closed_at: None,
            },
        });
        m.tally = vec![3, 1];
        overlay(&mut m, &MessageAction::Vote { options: vec![1] }, "me", 5);
        assert_eq!(m.tally, [3, 2]);
        overlay(&mut m, &MessageAction::Vote { options: vec![0] }, "me", 6);
        assert_eq!((m.tally.clone(), m.votes.len()), (vec![4, 1], 1));
        overlay(&mut m, &MessageAction::Vote { options: vec![] }, "me", 7);
        assert_eq!((m.tally.clone(), m.votes.len()), (vec![3, 1], 0));
        overlay(&mut m, &MessageAction::ClosePoll, "me", 8);
        overlay(&mut m, &MessageAction::Vote { options: vec![1] }, "me", 9);
        assert_eq!(m.tally, [3, 1], "no votes on a closed poll");
    }
}
