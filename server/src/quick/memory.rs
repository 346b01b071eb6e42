//! Quick-chat rooms in this process's memory only (no `redis_url`): one server instance.
//! Rooms idle for the idle time are destroyed by [`MemoryRooms::sweep`]; an ended room's id is
//! kept for a while so its links can say so.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use gkchat_proto::account::UnixMillis;
use gkchat_proto::quick::{
    QUICK_CODE_TRIES, QUICK_HISTORY_MAX_BYTES, QUICK_HISTORY_MAX_MESSAGES, QUICK_LOCK_SECS, QuickMessage,
};
use tokio::sync::broadcast;

use super::{
    Attached, CodeKey, Created, ENDED_BY_PERSON, ENDED_IDLE, ENDED_KEPT, Landing, Refused, RoomEvent, RoomEvents,
    random_code, random_hex,
};

struct Person {
    name: String,
    token: String,
    code_hash: Vec<u8>,
    failures: u32,
    locked_until: Option<Instant>,
    sessions: HashSet<String>,
}

struct Room {
    people: [Person; 2],
    created_at: UnixMillis,
    last_activity: Instant,
    /// The newest messages, within the history caps.
    messages: std::collections::VecDeque<QuickMessage>,
    /// Bytes of text in `messages`.
    text_bytes: usize,
    /// The last message's number (older ones may have fallen off).
    last_seq: u64,
    /// Live connections of each person.
    present: [u32; 2],
    events: broadcast::Sender<RoomEvent>,
}

/// The rooms of one server instance, behind one lock.
pub struct MemoryRooms {
    key: CodeKey,
    idle: Duration,
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    rooms: HashMap<String, Room>,
    /// Ids of ended rooms and when they ended, so their links can say so for a while
    /// ([`ENDED_KEPT`]); nothing else of the room remains.
    ended: HashMap<String, Instant>,
}

impl MemoryRooms {
    pub fn new(idle: Duration) -> Self {
        Self { key: CodeKey::random(), idle, inner: Mutex::default() }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub fn idle(&self) -> Duration {
        self.idle
    }

    /// Opens a room for two people (names already checked).
    pub fn create(&self, names: [String; 2], now_ms: UnixMillis) -> Created {
        let room_id = random_hex(12);
        let people_out = names.clone().map(|name| (name, random_hex(16), random_code()));
        let people = people_out.clone().map(|(name, token, code)| Person {
            code_hash: self.key.hash(&room_id, &token, &code),
            name,
            token,
            failures: 0,
            locked_until: None,
            sessions: HashSet::new(),
        });
        let room = Room {
            people,
            created_at: now_ms,
            last_activity: Instant::now(),
            messages: std::collections::VecDeque::new(),
            text_bytes: 0,
            last_seq: 0,
            present: [0, 0],
            events: broadcast::channel(256).0,
        };
        self.lock().rooms.insert(room_id.clone(), room);
        Created { room_id, people: people_out }
    }

    fn with_person<T>(
        &self,
        room_id: &str,
        token: &str,
        act: impl FnOnce(&mut Room, usize) -> Result<T, Refused>,
    ) -> Result<T, Refused> {
        let mut inner = self.lock();
        if inner.ended.contains_key(room_id) {
            return Err(Refused::Ended);
        }
        let room = inner.rooms.get_mut(room_id).ok_or(Refused::Unknown)?;
        let index = room.people.iter().position(|p| p.token == token).ok_or(Refused::Unknown)?;
        act(room, index)
    }

    /// What the link shows: "Hello <name>".
    pub fn landing(&self, room_id: &str, token: &str) -> Result<Landing, Refused> {
        self.with_person(room_id, token, |room, me| {
            Ok(Landing {
                name: room.people[me].name.clone(),
                other_name: room.people[1 - me].name.clone(),
                created_at: room.created_at,
            })
        })
    }

    /// Checks the name (any case) and the code; returns a new session for this person.
    pub fn join(&self, room_id: &str, token: &str, name: &str, code: &str) -> Result<String, Refused> {
        let expected_name_and_code = |room: &Room, me: usize| {
            let person = &room.people[me];
            self.key.matches(room_id, token, (&person.name, &person.code_hash), name, code)
        };
        self.with_person(room_id, token, |room, me| {
            let now = Instant::now();
            if let Some(until) = room.people[me].locked_until {
                if until > now {
                    return Err(Refused::Locked(until - now));
                }
                room.people[me].locked_until = None;
                room.people[me].failures = 0;
            }
            if !expected_name_and_code(room, me) {
                let person = &mut room.people[me];
                person.failures += 1;
                if person.failures >= QUICK_CODE_TRIES {
                    let lock = Duration::from_secs(QUICK_LOCK_SECS);
                    person.locked_until = Some(now + lock);
                    return Err(Refused::Locked(lock));
                }
                return Err(Refused::WrongCode { tries_left: QUICK_CODE_TRIES - person.failures });
            }
            let session = random_hex(24);
            room.people[me].failures = 0;
            room.people[me].sessions.insert(session.clone());
            room.last_activity = now;
            Ok(session)
        })
    }

    /// Whether `session` is a session of this link's person (a returning browser or app).
    pub fn has_session(&self, room_id: &str, token: &str, session: &str) -> bool {
        self.with_person(room_id, token, |room, me| Ok(room.people[me].sessions.contains(session))).unwrap_or(false)
    }

    /// Attaches a live connection of the person with this session.
    pub fn attach(&self, room_id: &str, token: &str, session: &str) -> Result<Attached, Refused> {
        self.with_person(room_id, token, |room, me| {
            if !room.people[me].sessions.contains(session) {
                return Err(Refused::Unknown);
            }
            room.present[me] += 1;
            room.last_activity = Instant::now();
            let who = u8::try_from(me).expect("two people");
            if room.present[me] == 1 {
                let _ = room.events.send(RoomEvent::Presence { who, here: true });
            }
            Ok(Attached {
                me: who,
                names: [room.people[0].name.clone(), room.people[1].name.clone()],
                messages: room.messages.iter().cloned().collect(),
                other_here: room.present[1 - me] > 0,
                events: RoomEvents { events: room.events.subscribe(), seen_seq: room.last_seq, _subscription: None },
            })
        })
    }

    /// A live connection of person `me` went away.
    pub fn detach(&self, room_id: &str, me: u8) {
        let mut inner = self.lock();
        if let Some(room) = inner.rooms.get_mut(room_id) {
            let index = usize::from(me);
            room.present[index] = room.present[index].saturating_sub(1);
            if room.present[index] == 0 {
                let _ = room.events.send(RoomEvent::Presence { who: me, here: false });
            }
        }
    }

    /// Person `me` says `text`; everyone attached hears it.
    pub fn say(&self, room_id: &str, me: u8, text: &str, now_ms: UnixMillis) -> Result<QuickMessage, Refused> {
        let mut inner = self.lock();
        if inner.ended.contains_key(room_id) {
            return Err(Refused::Ended);
        }
        let room = inner.rooms.get_mut(room_id).ok_or(Refused::Unknown)?;
        room.last_seq += 1;
        let message = QuickMessage { seq: room.last_seq, from: me, text: text.to_owned(), at: now_ms };
        room.text_bytes += text.len();
        room.messages.push_back(message.clone());
        while room.messages.len() > QUICK_HISTORY_MAX_MESSAGES || room.text_bytes > QUICK_HISTORY_MAX_BYTES {
            let Some(oldest) = room.messages.pop_front() else { break };
            room.text_bytes -= oldest.text.len();
        }
        room.last_activity = Instant::now();
        let _ = room.events.send(RoomEvent::Message(message.clone()));
        Ok(message)
    }

    /// Ends the room for both (by a joined person's session): everything in it is gone.
    pub fn end(&self, room_id: &str, token: &str, session: &str) -> Result<(), Refused> {
        self.with_person(room_id, token, |room, me| {
            if room.people[me].sessions.contains(session) { Ok(()) } else { Err(Refused::Unknown) }
        })?;
        let mut inner = self.lock();
        if let Some(room) = inner.rooms.remove(room_id) {
            let _ = room.events.send(RoomEvent::Ended(ENDED_BY_PERSON.into()));
        }
        inner.ended.insert(room_id.to_owned(), Instant::now());
        Ok(())
    }

    /// Destroys rooms idle for longer than the idle time; returns how many.
    pub fn sweep(&self) -> usize {
        let mut inner = self.lock();
        let now = Instant::now();
        let idle: Vec<String> = inner
            .rooms
            .iter()
            .filter(|(_, room)| now.duration_since(room.last_activity) >= self.idle)
            .map(|(id, _)| id.clone())
            .collect();
        for id in &idle {
            if let Some(room) = inner.rooms.remove(id) {
                let _ = room.events.send(RoomEvent::Ended(ENDED_IDLE.into()));
            }
            inner.ended.insert(id.clone(), now);
        }
        inner.ended.retain(|_, ended_at| now.duration_since(*ended_at) < ENDED_KEPT);
        idle.len()
    }

    /// Rooms alive now.
    pub fn len(&self) -> usize {
        self.lock().rooms.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_checks_name_and_code_and_locks_after_five_misses() {
        let rooms = MemoryRooms::new(Duration::from_secs(60));
        let created = rooms.create(["Ann".into(), "Bob".into()], 1);
        let (name, token, code) = created.people[0].clone();
        assert_eq!(rooms.landing(&created.room_id, &token).unwrap().other_name, "Bob");
        assert!(rooms.join(&created.room_id, &token, "ANN", &code.to_lowercase()).is_ok());
        assert_eq!(rooms.join(&created.room_id, &token, "Bob", &code), Err(Refused::WrongCode { tries_left: 4 }));
        for left in (1..4).rev() {
            assert_eq!(
                rooms.join(&created.room_id, &token, &name, "WRONG"),
                Err(Refused::WrongCode { tries_left: left })
            );
        }
        assert!(matches!(rooms.join(&created.room_id, &token, &name, "WRONG"), Err(Refused::Locked(_))));
        assert!(
            matches!(rooms.join(&created.room_id, &token, &name, &code), Err(Refused::Locked(_))),
            "even the right code"
        );
        // The other link is not locked.
        let (other_name, other_token, other_code) = created.people[1].clone();
        assert!(rooms.join(&created.room_id, &other_token, &other_name, &other_code).is_ok());
        assert_eq!(rooms.landing(&created.room_id, "nope"), Err(Refused::Unknown));
    }

    #[test]
    fn ending_and_idling_destroy_rooms() {
        let rooms = MemoryRooms::new(Duration::ZERO);
        let created = rooms.create(["Ann".into(), "Bob".into()], 1);
        let (name, token, code) = created.people[0].clone();
        let session = rooms.join(&created.room_id, &token, &name, &code).unwrap();
        assert_eq!(rooms.end(&created.room_id, &token, "not-a-session"), Err(Refused::Unknown));
        rooms.end(&created.room_id, &token, &session).unwrap();
        assert_eq!(rooms.landing(&created.room_id, &token), Err(Refused::Ended));
        assert!(rooms.is_empty());

        let idle = rooms.create(["Cy".into(), "Di".into()], 1);
        assert_eq!(rooms.sweep(), 1);
        assert_eq!(rooms.landing(&idle.room_id, &idle.people[1].1), Err(Refused::Ended));
    }
}
