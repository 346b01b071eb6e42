//! Events: a title, a start (kept with its creator's time zone; each viewer sees their own local
//! time), an optional end, place and call link, answered going / maybe / not going by a chat's
//! members. An answer is a change to the event's message like a vote in a poll: it takes the
//! chat's next sequence number, and each member's latest answer wins. Its creator may change the
//! event (the server announces it in the timeline) or cancel it (no more answers or changes).
//! Reminders are the members' own devices' business (see the client's `reminders`).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::account::UnixMillis;
use crate::error::ErrorCode;

/// Longest title, in bytes (UTF-8).
pub const EVENT_TITLE_MAX_BYTES: usize = 200;
/// Longest description, in bytes (UTF-8).
pub const EVENT_DESCRIPTION_MAX_BYTES: usize = 2048;
/// Longest place, in bytes (UTF-8).
pub const EVENT_PLACE_MAX_BYTES: usize = 300;
/// Longest call link, in bytes.
pub const EVENT_LINK_MAX_BYTES: usize = 2048;
/// Longest an event lasts.
pub const EVENT_LENGTH_MAX_MS: i64 = 366 * 24 * 60 * 60 * 1000;
/// Latest start or end an event may have (the last millisecond of year 9999: every client
/// formats it).
pub const EVENT_TIME_MAX: UnixMillis = 253_402_300_799_999;
/// How long before the start a device reminds those going, unless they chose otherwise.
pub const REMINDER_DEFAULT_MS: i64 = 15 * 60 * 1000;

/// What an event is, as its creator wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Event {
    pub title: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    pub starts_at: UnixMillis,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub ends_at: Option<UnixMillis>,
    /// The creator's time zone (IANA, e.g. `Europe/Paris`): the event's clock time as they set it.
    pub time_zone: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub place: String,
    /// A web address to join a call (`https://`, `http://` or a `gkchat:` link).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub call_link: Option<String>,
    /// When its creator cancelled it (set by the server); no answers or changes after.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub cancelled_at: Option<UnixMillis>,
}

/// An answer to an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Rsvp {
    Going,
    Maybe,
    NotGoing,
}

impl Rsvp {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Going => "going",
            Self::Maybe => "maybe",
            Self::NotGoing => "not_going",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "going" => Some(Self::Going),
            "maybe" => Some(Self::Maybe),
            "not_going" => Some(Self::NotGoing),
            _ => None,
        }
    }
}

/// One member's latest answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Answer {
    pub user_id: String,
    pub rsvp: Rsvp,
    pub at: UnixMillis,
}

/// What a change to an event changed, as the timeline announces it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum EventField {
    Title,
    Description,
    Time,
    Place,
    CallLink,
}

impl Event {
    /// Checks an event as sent or changed (the server also checks that the time zone exists);
    /// the error carries the stable code.
    pub fn check(&self) -> Result<(), (ErrorCode, String)> {
        let bad = |message: String| Err((ErrorCode::BadRequest, message));
        if self.title.trim().is_empty() {
            return bad("an event needs a title".into());
        }
        if self.title.len() > EVENT_TITLE_MAX_BYTES {
            return bad(format!("an event's title may be at most {EVENT_TITLE_MAX_BYTES} bytes"));
        }
        if self.description.len() > EVENT_DESCRIPTION_MAX_BYTES {
            return bad(format!("an event's description may be at most {EVENT_DESCRIPTION_MAX_BYTES} bytes"));
        }
        if self.place.len() > EVENT_PLACE_MAX_BYTES {
            return bad(format!("an event's place may be at most {EVENT_PLACE_MAX_BYTES} bytes"));
        }
        if !(1..=EVENT_TIME_MAX).contains(&self.starts_at) {
            return bad("an event starts between 1970 and 9999".into());
        }
        if let Some(end) = self.ends_at
            && (end <= self.starts_at || end - self.starts_at > EVENT_LENGTH_MAX_MS)
        {
            return bad("an event ends after it starts, within a year".into());
        }
        let zone_shaped = !self.time_zone.is_empty()
            && self.time_zone.len() <= 64
            && self.time_zone.chars().all(|c| c.is_ascii_alphanumeric() || "/_-+".contains(c));
        if !zone_shaped {
            return bad("an event's time zone is a name such as Europe/Paris".into());
        }
        if let Some(link) = &self.call_link {
            let scheme_ok = ["https://", "http://", "gkchat:"].iter().any(|s| link.starts_with(s));
            if !scheme_ok || link.len() > EVENT_LINK_MAX_BYTES || link.chars().any(char::is_whitespace) {
                return bad("a call link is a web address (https://…)".into());
            }
        }
        if self.cancelled_at.is_some() {
            return bad("a new event is not cancelled".into());
        }
        Ok(())
    }

    /// What `after` changes in this event.
    pub fn changes(&self, after: &Event) -> Vec<EventField> {
        let mut changed = Vec::new();
        if self.title != after.title {
            changed.push(EventField::Title);
        }
        if self.description != after.description {
            changed.push(EventField::Description);
        }
        if (self.starts_at, self.ends_at, &self.time_zone) != (after.starts_at, after.ends_at, &after.time_zone) {
            changed.push(EventField::Time);
        }
        if self.place != after.place {
            changed.push(EventField::Place);
        }
        if self.call_link != after.call_link {
            changed.push(EventField::CallLink);
        }
        changed
    }

    /// Answers per kind: going, maybe, not going.
    pub fn counts<'a>(answers: impl IntoIterator<Item = &'a Answer>) -> [u32; 3] {
        let mut counts = [0; 3];
        for answer in answers {
            counts[answer.rsvp as usize] += 1;
        }
        counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event() -> Event {
        Event {
            title: "Picnic".into(),
            description: String::new(),
            starts_at: 1_800_000_000_000,
            ends_at: None,
            time_zone: "Europe/Paris".into(),
            place: "The park".into(),
            call_link: None,
            cancelled_at: None,
        }
    }

    #[test]
    fn events_are_checked_and_their_changes_named() {
        assert_eq!(event().check(), Ok(()));
        for bad in [
            Event { title: " ".into(), ..event() },
            Event { ends_at: Some(1_800_000_000_000), ..event() },
            Event { time_zone: "Paris; DROP".into(), ..event() },
            Event { call_link: Some("javascript:alert(1)".into()), ..event() },
            Event { cancelled_at: Some(1), ..event() },
            Event { starts_at: i64::MAX - 1, ..event() },
        ] {
            assert_eq!(bad.check().unwrap_err().0, ErrorCode::BadRequest, "{bad:?}");
        }
        let ok =
            Event { call_link: Some("https://meet.example/abc".into()), ends_at: Some(1_800_003_600_000), ..event() };
        assert_eq!(ok.check(), Ok(()));
        let moved = Event { starts_at: 1_800_000_600_000, place: "The beach".into(), ..event() };
        assert_eq!(event().changes(&moved), [EventField::Time, EventField::Place]);
        let answers = [
            Answer { user_id: "a".into(), rsvp: Rsvp::Going, at: 1 },
            Answer { user_id: "b".into(), rsvp: Rsvp::NotGoing, at: 2 },
            Answer { user_id: "c".into(), rsvp: Rsvp::Going, at: 3 },
        ];
        assert_eq!(Event::counts(&answers), [2, 0, 1]);
        assert_eq!(Rsvp::parse(Rsvp::NotGoing.as_str()), Some(Rsvp::NotGoing));
    }
}
