//! Answers to my polls and events: who answered what since the copy this device had (for the
//! creator's notifications).

use gkchat_proto::chat::{Content, Message};
use gkchat_proto::event::Rsvp;

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
