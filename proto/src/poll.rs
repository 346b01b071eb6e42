//! Polls: a question with 2–12 options, answered by a chat's members — one option or several,
//! by name or anonymously — until their creator closes it. A vote is a change to the poll's
//! message like a reaction: it takes the chat's next sequence number, so catch-up sync and
//! every device of every member converge on the same counts; each member's latest vote wins.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::account::UnixMillis;
use crate::error::ErrorCode;

/// Fewest options a poll has.
pub const POLL_OPTIONS_MIN: usize = 2;
/// Most options a poll has.
pub const POLL_OPTIONS_MAX: usize = 12;
/// Longest question, in bytes (UTF-8).
pub const POLL_QUESTION_MAX_BYTES: usize = 300;
/// Longest option, in bytes (UTF-8).
pub const POLL_OPTION_MAX_BYTES: usize = 100;

/// What a poll asks, as its creator wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Poll {
    pub question: String,
    pub options: Vec<String>,
    /// Several options may be chosen (else one).
    #[serde(default)]
    pub multiple: bool,
    /// Only counts are shown: nobody learns who chose what (each sees their own vote).
    #[serde(default)]
    pub anonymous: bool,
    /// When its creator closed it (set by the server); no votes after.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub closed_at: Option<UnixMillis>,
}

/// One member's answer: the options chosen (indexes into `Poll::options`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Vote {
    pub user_id: String,
    pub options: Vec<u8>,
    pub at: UnixMillis,
}

impl Poll {
    /// Checks a new poll; the error carries the stable code.
    pub fn check(&self) -> Result<(), (ErrorCode, String)> {
        let bad = |message: String| Err((ErrorCode::BadRequest, message));
        if self.question.trim().is_empty() {
            return bad("a poll needs a question".into());
        }
        if self.question.len() > POLL_QUESTION_MAX_BYTES {
            return bad(format!("a poll's question may be at most {POLL_QUESTION_MAX_BYTES} bytes"));
        }
        if !(POLL_OPTIONS_MIN..=POLL_OPTIONS_MAX).contains(&self.options.len()) {
            return bad(format!("a poll has {POLL_OPTIONS_MIN} to {POLL_OPTIONS_MAX} options"));
        }
        if self.options.iter().any(|o| o.trim().is_empty() || o.len() > POLL_OPTION_MAX_BYTES) {
            return bad(format!("each option is 1 to {POLL_OPTION_MAX_BYTES} bytes"));
        }
        let mut seen = std::collections::HashSet::new();
        if !self.options.iter().all(|o| seen.insert(o.trim().to_lowercase())) {
            return bad("two options say the same".into());
        }
        if self.closed_at.is_some() {
            return bad("a new poll is open".into());
        }
        Ok(())
    }

    /// Checks a vote's options against this poll (an empty list takes a vote back).
    pub fn check_vote(&self, options: &[u8]) -> Result<(), (ErrorCode, String)> {
        if self.closed_at.is_some() {
            return Err((ErrorCode::PollClosed, "this poll is closed".into()));
        }
        if options.iter().any(|&o| usize::from(o) >= self.options.len()) {
            return Err((ErrorCode::BadRequest, "no such option".into()));
        }
        let mut seen = std::collections::HashSet::new();
        if !options.iter().all(|o| seen.insert(*o)) {
            return Err((ErrorCode::BadRequest, "an option is chosen once".into()));
        }
        if !self.multiple && options.len() > 1 {
            return Err((ErrorCode::BadRequest, "this poll takes one choice".into()));
        }
        Ok(())
    }

    /// Votes per option, from every vote.
    pub fn tally<'a>(&self, votes: impl IntoIterator<Item = &'a Vote>) -> Vec<u32> {
        let mut counts = vec![0u32; self.options.len()];
        for vote in votes {
            for &option in &vote.options {
                if let Some(count) = counts.get_mut(usize::from(option)) {
                    *count += 1;
                }
            }
        }
        counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn poll(multiple: bool) -> Poll {
        Poll {
            question: "Lunch?".into(),
            options: vec!["Pizza".into(), "Sushi".into(), "Salad".into()],
            multiple,
            anonymous: false,
            closed_at: None,
        }
    }

    #[test]
    fn polls_and_votes_are_checked() {
        assert_eq!(poll(false).check(), Ok(()));
        let mut one = poll(false);
        one.options.truncate(1);
        assert_eq!(one.check().unwrap_err().0, ErrorCode::BadRequest);
        let mut twice = poll(false);
        twice.options[1] = " pizza".into();
        assert_eq!(twice.check().unwrap_err().0, ErrorCode::BadRequest);
        assert_eq!(poll(false).check_vote(&[1]), Ok(()));
        assert_eq!(poll(false).check_vote(&[]), Ok(()), "taking a vote back");
        assert_eq!(poll(false).check_vote(&[0, 1]).unwrap_err().0, ErrorCode::BadRequest);
        assert_eq!(poll(true).check_vote(&[0, 2]), Ok(()));
        assert_eq!(poll(true).check_vote(&[0, 0]).unwrap_err().0, ErrorCode::BadRequest);
        assert_eq!(poll(true).check_vote(&[3]).unwrap_err().0, ErrorCode::BadRequest);
        let closed = Poll { closed_at: Some(1), ..poll(true) };
        assert_eq!(closed.check_vote(&[0]).unwrap_err().0, ErrorCode::PollClosed);
        let votes = [
            Vote { user_id: "a".into(), options: vec![0, 2], at: 1 },
            Vote { user_id: "b".into(), options: vec![2], at: 2 },
        ];
        assert_eq!(poll(true).tally(&votes), [1, 0, 2]);
    }
}
