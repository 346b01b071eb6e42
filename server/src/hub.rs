//! Who is connected: the live WebSocket connections of each signed-in device session, found by
//! user (and a session's owner), so the server can reach them. It ends the connections of a
//! session that was signed out (or deleted) at once — through a signal of its own, never through
//! the push queue, so a full queue cannot keep a revoked device talking — tells who is online,
//! and pushes frames (presence, messages, call signalling) to every connection of a user or of
//! one device session. A frame is encoded once and its bytes shared by every recipient, however
//! many members a chat has. In-process for one instance; with several instances it gets a
//! Redis-backed twin behind the same calls.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use gkchat_proto::{ErrorCode, ServerFrame};
use prometheus_client::metrics::counter::Counter;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Utf8Bytes;
use tokio_util::sync::CancellationToken;

/// Events queued for one connection before pushes to it are dropped (and counted).
const EVENT_CAPACITY: usize = 256;

/// A frame for live connections, encoded once: every recipient shares the same bytes.
pub type Push = Utf8Bytes;

/// Why a connection must close, set once and never lost: it does not travel through the push
/// queue, so a connection that stopped reading is ended all the same.
#[derive(Debug, Default)]
pub struct Ending {
    reason: OnceLock<(ErrorCode, String)>,
    signal: CancellationToken,
}

impl Ending {
    /// Ends the connection with `code` and words (the first reason given wins).
    pub fn end(&self, code: ErrorCode, message: &str) {
        let _ = self.reason.set((code, message.to_owned()));
        self.signal.cancel();
    }

    /// Resolves once the connection must close, with why.
    pub async fn ended(&self) -> (ErrorCode, String) {
        self.signal.cancelled().await;
        self.reason.get().cloned().unwrap_or((ErrorCode::SessionRevoked, "this sign-in has ended".into()))
    }

    pub fn is_ended(&self) -> bool {
        self.signal.is_cancelled()
    }

    /// Why the connection ended, once it has.
    pub fn reason(&self) -> Option<(ErrorCode, String)> {
        if self.is_ended() { self.reason.get().cloned() } else { None }
    }
}

struct Entry {
    connection_id: u64,
    session_id: String,
    events: mpsc::Sender<Push>,
    ending: Arc<Ending>,
    /// Set when a push did not fit in the queue: the connection must resync.
    lagged: Arc<AtomicBool>,
}

/// The connections, found by key: a user's, and a device session's owner.
#[derive(Default)]
struct Table {
    by_user: HashMap<String, Vec<Entry>>,
    session_owner: HashMap<String, String>,
    count: usize,
}

impl Table {
    fn user(&self, user_id: &str) -> &[Entry] {
        self.by_user.get(user_id).map_or(&[], Vec::as_slice)
    }
}

#[derive(Default)]
pub struct Hub {
    table: Mutex<Table>,
    next_id: AtomicU64,
    /// Frames queued for connections.
    pushed: Counter,
    /// Pushes that did not fit in a connection's queue (that connection is told to resync).
    dropped: Counter,
}

/// A connection's place in the hub; leaving it (drop) unregisters the connection.
pub struct Registration {
    hub: Arc<Hub>,
    connection_id: u64,
    user_id: String,
    pub events: mpsc::Receiver<Push>,
    lagged: Arc<AtomicBool>,
}

impl Registration {
    /// Whether pushes were dropped since the last call (then the client is told to resync).
    pub fn take_lagged(&self) -> bool {
        self.lagged.swap(false, Ordering::AcqRel)
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        let mut table = self.hub.lock();
        let Some(entries) = table.by_user.get_mut(&self.user_id) else { return };
        let Some(at) = entries.iter().position(|entry| entry.connection_id == self.connection_id) else { return };
        let entry = entries.swap_remove(at);
        let session_left = !entries.iter().any(|other| other.session_id == entry.session_id);
        if entries.is_empty() {
            table.by_user.remove(&self.user_id);
        }
        if session_left {
            table.session_owner.remove(&entry.session_id);
        }
        table.count -= 1;
    }
}

/// Encodes a frame for pushing.
pub fn encode(frame: &ServerFrame) -> Push {
    Utf8Bytes::from(frame.encode())
}

impl Hub {
    /// A hub counting the frames it queues in `pushed` and those it drops in `dropped`
    /// (metrics).
    pub fn counting(pushed: Counter, dropped: Counter) -> Self {
        Self { pushed, dropped, ..Self::default() }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Table> {
        // A panic while holding the lock leaves plain data behind; keep serving.
        self.table.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Registers a connection of `user_id`'s device session; `ending` is what ends it.
    pub fn register(self: &Arc<Self>, user_id: &str, session_id: &str, ending: Arc<Ending>) -> Registration {
        let connection_id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (events, receiver) = mpsc::channel(EVENT_CAPACITY);
        let lagged = Arc::new(AtomicBool::new(false));
        let mut table = self.lock();
        table.by_user.entry(user_id.to_owned()).or_default().push(Entry {
            connection_id,
            session_id: session_id.to_owned(),
            events,
            ending,
            lagged: lagged.clone(),
        });
        table.session_owner.insert(session_id.to_owned(), user_id.to_owned());
        table.count += 1;
        drop(table);
        Registration { hub: self.clone(), connection_id, user_id: user_id.to_owned(), events: receiver, lagged }
    }

    /// Ends the connections of one device session.
    pub fn end_session(&self, session_id: &str, message: &str) {
        let table = self.lock();
        let Some(user_id) = table.session_owner.get(session_id) else { return };
        for entry in table.user(user_id).iter().filter(|entry| entry.session_id == session_id) {
            entry.ending.end(ErrorCode::SessionRevoked, message);
        }
    }

    /// Ends the connections of every session of `user_id`, except `keep`.
    pub fn end_user_sessions(&self, user_id: &str, keep: Option<&str>, message: &str) {
        for entry in self.lock().user(user_id).iter().filter(|entry| Some(entry.session_id.as_str()) != keep) {
            entry.ending.end(ErrorCode::SessionRevoked, message);
        }
    }

    /// Whether `user_id` has a live connection.
    pub fn is_online(&self, user_id: &str) -> bool {
        self.lock().by_user.contains_key(user_id)
    }

    /// Which of `users` have a live connection.
    pub fn online_among<'a>(&self, users: impl IntoIterator<Item = &'a String>) -> HashSet<String> {
        let table = self.lock();
        users.into_iter().filter(|user| table.by_user.contains_key(*user)).cloned().collect()
    }

    /// Queues `frame` for every live connection of `user_id`; returns how many could not take it.
    /// Such a connection is marked lagged and told to resync once it catches up — never
    /// silently left behind.
    pub fn send_to_user(&self, user_id: &str, frame: &ServerFrame) -> usize {
        self.push_to_users([user_id], &encode(frame))
    }

    /// Queues one encoded frame for every live connection of each of `users` (the bytes are
    /// shared, not copied); returns how many connections could not take it.
    pub fn push_to_users<'a>(&self, users: impl IntoIterator<Item = &'a str>, push: &Push) -> usize {
        let table = self.lock();
        let (mut queued, mut dropped) = (0, 0);
        for user_id in users {
            for entry in table.user(user_id) {
                if offer(entry, push) { queued += 1 } else { dropped += 1 }
            }
        }
        drop(table);
        self.count(queued, dropped)
    }

    /// Queues `frame` for every live connection of one device session (a call's device); returns
    /// how many could not take it.
    pub fn send_to_session(&self, session_id: &str, frame: &ServerFrame) -> usize {
        let push = encode(frame);
        let table = self.lock();
        let Some(user_id) = table.session_owner.get(session_id) else { return 0 };
        let (mut queued, mut dropped) = (0, 0);
        for entry in table.user(user_id).iter().filter(|entry| entry.session_id == session_id) {
            if offer(entry, &push) { queued += 1 } else { dropped += 1 }
        }
        drop(table);
        self.count(queued, dropped)
    }

    /// Queues `frame` for `user_id`'s connections other than those of session `except`.
    pub fn send_to_user_except(&self, user_id: &str, except: &str, frame: &ServerFrame) -> usize {
        let push = encode(frame);
        let table = self.lock();
        let (mut queued, mut dropped) = (0, 0);
        for entry in table.user(user_id).iter().filter(|entry| entry.session_id != except) {
            if offer(entry, &push) { queued += 1 } else { dropped += 1 }
        }
        drop(table);
        self.count(queued, dropped)
    }

    fn count(&self, queued: usize, dropped: usize) -> usize {
        self.pushed.inc_by(queued as u64);
        self.dropped.inc_by(dropped as u64);
        dropped
    }

    /// Whether device session `session_id` has a live connection.
    pub fn session_online(&self, session_id: &str) -> bool {
        self.lock().session_owner.contains_key(session_id)
    }

    /// Live connections now (for tests and metrics).
    pub fn connection_count(&self) -> usize {
        self.lock().count
    }
}

/// Queues `push` for one connection; false (and marked lagged) when its queue is full.
fn offer(entry: &Entry, push: &Push) -> bool {
    if entry.events.try_send(push.clone()).is_ok() {
        return true;
    }
    entry.lagged.store(true, Ordering::Release);
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn ends_the_right_connections_and_forgets_dropped_ones() {
        let hub = Arc::new(Hub::default());
        let endings: Vec<Arc<Ending>> = (0..3).map(|_| Arc::default()).collect();
        let laptop = hub.register("u1", "s1", endings[0].clone());
        let phone = hub.register("u1", "s2", endings[1].clone());
        let mut other = hub.register("u2", "s3", endings[2].clone());
        assert_eq!(hub.connection_count(), 3);

        // Ending does not need queue space: fill the phone's queue first.
        for n in 0..=EVENT_CAPACITY {
            hub.send_to_session("s2", &ServerFrame::Pong { id: n as u64 });
        }
        hub.end_user_sessions("u1", Some("s1"), "signed out elsewhere");
        assert_eq!(endings[1].ended().await, (ErrorCode::SessionRevoked, "signed out elsewhere".to_owned()));
        assert!(!endings[0].is_ended());
        assert!(!endings[2].is_ended());

        hub.end_session("s1", "signed out");
        assert_eq!(endings[0].ended().await.1, "signed out");

        assert!(hub.is_online("u2"));
        let pong = ServerFrame::Pong { id: 7 };
        assert_eq!(hub.send_to_user("u2", &pong), 0);
        assert_eq!(other.events.recv().await, Some(encode(&pong)));
        let everyone = ["u1".to_owned(), "u2".to_owned(), "u3".to_owned()];
        assert_eq!(hub.online_among(&everyone).len(), 2);

        // A full queue marks the connection lagged instead of dropping silently.
        for n in 0..EVENT_CAPACITY {
            assert_eq!(hub.send_to_user("u2", &ServerFrame::Pong { id: n as u64 }), 0);
        }
        assert!(!other.take_lagged());
        assert_eq!(hub.send_to_user("u2", &pong), 1);
        assert!(other.take_lagged());
        assert!(!other.take_lagged(), "reported once");

        drop(phone);
        assert_eq!(hub.connection_count(), 2);
        assert!(!hub.session_online("s2"));
        assert!(hub.session_online("s1"), "the laptop's connection is still registered");
        drop((laptop, other));
        assert_eq!(hub.connection_count(), 0);
        assert!(!hub.is_online("u1"));
    }
}
