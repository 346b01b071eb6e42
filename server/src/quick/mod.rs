//! Quick chats: two-person rooms without accounts. Nothing here touches the database or the
//! data directory. Each person has a link token and a secret code; codes are kept only as keyed
//! hashes (HMAC-SHA256) and compared in constant time; five wrong codes lock that link for 15
//! minutes. A room without activity for `quick_idle_secs` is destroyed; ending a room destroys
//! it at once. An ended room leaves only a marker, so its links can say "this chat has ended".
//!
//! Two backends behind [`QuickRooms`], chosen by `redis_url`: this process's memory
//! ([`memory`], one instance), or Redis ([`in_redis`]: keys with TTLs and pub/sub per room, so
//! every instance pointed at the same Redis serves the same rooms).

mod in_redis;
mod memory;

use std::time::Duration;

use gkchat_proto::account::UnixMillis;
use gkchat_proto::quick::{QUICK_CODE_ALPHABET, QUICK_CODE_LEN, QUICK_TEXT_MAX_BYTES, QuickMessage};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use tokio::sync::broadcast;

pub use in_redis::RedisRooms;
pub use memory::MemoryRooms;

type KeyedHash = Hmac<Sha256>;

fn random_hex(bytes: usize) -> String {
    let mut buffer = vec![0u8; bytes];
    getrandom::fill(&mut buffer).expect("the OS random source works");
    buffer.iter().map(|b| format!("{b:02x}")).collect()
}

fn random_code() -> String {
    let mut buffer = [0u8; QUICK_CODE_LEN];
    getrandom::fill(&mut buffer).expect("the OS random source works");
    // 256 is not a multiple of the alphabet's size; the bias is far below what the lock allows.
    buffer.iter().map(|b| QUICK_CODE_ALPHABET[usize::from(*b) % QUICK_CODE_ALPHABET.len()] as char).collect()
}

/// The key behind the codes' keyed hashes.
#[derive(Clone)]
struct CodeKey([u8; 32]);

impl CodeKey {
    fn random() -> Self {
        let mut key = [0u8; 32];
        getrandom::fill(&mut key).expect("the OS random source works");
        Self(key)
    }

    fn keyed(&self, room_id: &str, token: &str) -> KeyedHash {
        let mut mac = KeyedHash::new_from_slice(&self.0).expect("HMAC takes any key length");
        mac.update(room_id.as_bytes());
        mac.update(b"\0");
        mac.update(token.as_bytes());
        mac.update(b"\0");
        mac
    }

    fn hash(&self, room_id: &str, token: &str, code: &str) -> Vec<u8> {
        let mut mac = self.keyed(room_id, token);
        mac.update(code.as_bytes());
        mac.finalize().into_bytes().to_vec()
    }

    /// Whether `name` and `code` (as typed: any case, spaces around) are this person's. Both
    /// checks always run, and the code is compared in constant time, so timing tells nothing.
    fn matches(&self, room_id: &str, token: &str, expected: (&str, &[u8]), name: &str, code: &str) -> bool {
        let mut mac = self.keyed(room_id, token);
        mac.update(code.trim().to_uppercase().as_bytes());
        let code_ok = mac.verify_slice(expected.1).is_ok();
        let name_ok = expected.0.to_lowercase() == name.trim().to_lowercase();
        code_ok && name_ok
    }
}

/// What happens in a room, for its live connections (also the JSON sent between instances).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoomEvent {
    Message(QuickMessage),
    Presence { who: u8, here: bool },
    Ended(String),
}

/// A live connection's feed of room events. Messages it already got with the history are
/// skipped (a feed subscribes before the history is read, so nothing falls in between).
pub struct RoomEvents {
    events: broadcast::Receiver<RoomEvent>,
    seen_seq: u64,
    /// Keeps this instance subscribed to the room while the connection lives (Redis).
    _subscription: Option<in_redis::Subscription>,
}

impl RoomEvents {
    /// The next event; `Lagged` when this connection fell behind, `Closed` when the room's
    /// feed stopped (the connection should close; the page reconnects).
    pub async fn recv(&mut self) -> Result<RoomEvent, broadcast::error::RecvError> {
        loop {
            let event = self.events.recv().await?;
            if let RoomEvent::Message(message) = &event {
                if message.seq <= self.seen_seq {
                    continue;
                }
                self.seen_seq = message.seq;
            }
            return Ok(event);
        }
    }
}

/// A live connection's view of the room when it attaches.
pub struct Attached {
    pub me: u8,
    pub names: [String; 2],
    pub messages: Vec<QuickMessage>,
    pub other_here: bool,
    pub events: RoomEvents,
}

/// Why a link or code was not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// No such room or link.
    Unknown,
    /// The room was ended or timed out.
    Ended,
    /// Too many wrong codes: wait this long.
    Locked(Duration),
    /// Wrong name or code; this many tries are left before the lock.
    WrongCode { tries_left: u32 },
    /// The room store (Redis) could not be reached; the cause is in the log.
    Unavailable,
}

/// What a link shows before the code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Landing {
    pub name: String,
    pub other_name: String,
    pub created_at: UnixMillis,
}

/// A new room: its id and each person's `(name, token, code)`.
pub struct Created {
    pub room_id: String,
    pub people: [(String, String, String); 2],
}

/// How long an ended room's links keep saying "this chat has ended" (then: "no such chat").
const ENDED_KEPT: Duration = Duration::from_secs(7 * 24 * 3600);

/// Why a room ended, as both people read it.
const ENDED_BY_PERSON: &str = "the chat was ended";
const ENDED_IDLE: &str = "the chat ended after a time without activity";

/// The quick-chat rooms of this server, wherever they live. Callers never branch on the
/// backend.
pub enum QuickRooms {
    /// In this process (no `redis_url`).
    Memory(MemoryRooms),
    /// In Redis, shared by every instance pointed at it (boxed: its scripts make it large).
    Redis(Box<RedisRooms>),
}

impl QuickRooms {
    /// The rooms for this configuration: in Redis when `redis_url` is set (connected and its
    /// shared code key read before the server listens), else in memory.
    pub async fn open(
        redis: Option<std::sync::Arc<crate::redis_link::Redis>>,
        idle: Duration,
        shutdown: tokio_util::sync::CancellationToken,
    ) -> crate::Result<Self> {
        match redis {
            None => Ok(Self::Memory(MemoryRooms::new(idle))),
            Some(redis) => Ok(Self::Redis(Box::new(RedisRooms::open(redis, idle, shutdown).await?))),
        }
    }

    pub fn idle(&self) -> Duration {
        match self {
            Self::Memory(rooms) => rooms.idle(),
            Self::Redis(rooms) => rooms.idle(),
        }
    }

    /// Opens a room for two people (names already checked).
    pub async fn create(&self, names: [String; 2], now_ms: UnixMillis) -> Result<Created, Refused> {
        match self {
            Self::Memory(rooms) => Ok(rooms.create(names, now_ms)),
            Self::Redis(rooms) => rooms.create(names, now_ms).await,
        }
    }

    /// What the link shows: "Hello <name>".
    pub async fn landing(&self, room_id: &str, token: &str) -> Result<Landing, Refused> {
        match self {
            Self::Memory(rooms) => rooms.landing(room_id, token),
            Self::Redis(rooms) => rooms.landing(room_id, token).await,
        }
    }

    /// Checks the name (any case) and the code; returns a new session for this person.
    pub async fn join(&self, room_id: &str, token: &str, name: &str, code: &str) -> Result<String, Refused> {
        match self {
            Self::Memory(rooms) => rooms.join(room_id, token, name, code),
            Self::Redis(rooms) => rooms.join(room_id, token, name, code).await,
        }
    }

    /// Whether `session` is a session of this link's person (a returning browser or app).
    pub async fn has_session(&self, room_id: &str, token: &str, session: &str) -> bool {
        match self {
            Self::Memory(rooms) => rooms.has_session(room_id, token, session),
            Self::Redis(rooms) => rooms.has_session(room_id, token, session).await,
        }
    }

    /// Attaches a live connection of the person with this session.
    pub async fn attach(&self, room_id: &str, token: &str, session: &str) -> Result<Attached, Refused> {
        match self {
            Self::Memory(rooms) => rooms.attach(room_id, token, session),
            Self::Redis(rooms) => rooms.attach(room_id, token, session).await,
        }
    }

    /// A live connection of person `me` went away.
    pub async fn detach(&self, room_id: &str, me: u8) {
        match self {
            Self::Memory(rooms) => rooms.detach(room_id, me),
            Self::Redis(rooms) => rooms.detach(room_id, me).await,
        }
    }

    /// Person `me` says `text` (already checked); everyone attached hears it.
    pub async fn say(&self, room_id: &str, me: u8, text: &str, now_ms: UnixMillis) -> Result<QuickMessage, Refused> {
        match self {
            Self::Memory(rooms) => rooms.say(room_id, me, text, now_ms),
            Self::Redis(rooms) => rooms.say(room_id, me, text, now_ms).await,
        }
    }

    /// Ends the room for both (by a joined person's session): everything in it is gone.
    pub async fn end(&self, room_id: &str, token: &str, session: &str) -> Result<(), Refused> {
        match self {
            Self::Memory(rooms) => rooms.end(room_id, token, session),
            Self::Redis(rooms) => rooms.end(room_id, token, session).await,
        }
    }

    /// Destroys rooms idle for longer than the idle time (telling whoever is attached);
    /// returns how many.
    pub async fn sweep(&self) -> usize {
        match self {
            Self::Memory(rooms) => rooms.sweep(),
            Self::Redis(rooms) => rooms.sweep().await,
        }
    }

    /// Checks a message's text.
    pub fn check_text(text: &str) -> Result<(), String> {
        if text.trim().is_empty() {
            return Err("a message cannot be empty".into());
        }
        if text.len() > QUICK_TEXT_MAX_BYTES {
            return Err(format!("a message may be at most {QUICK_TEXT_MAX_BYTES} bytes"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_use_the_unambiguous_alphabet() {
        for _ in 0..50 {
            let code = random_code();
            assert_eq!(code.len(), QUICK_CODE_LEN);
            assert!(code.bytes().all(|b| QUICK_CODE_ALPHABET.contains(&b)), "{code}");
        }
    }
}
