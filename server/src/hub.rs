//! Who is connected: the live WebSocket connections of each signed-in device session, so the
//! server can reach them. It ends the connections of a session that was signed out (or deleted)
//! at once — through a signal of its own, never through the push queue, so a full queue cannot
//! keep a revoked device talking — tells who is online, and pushes frames (presence, messages, call signalling) to every
//! connection of a user or of one device session. In-process for one instance; with several instances it gets a
//! Redis-backed twin behind the same calls.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use gkchat_proto::{ErrorCode, ServerFrame};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// Events queued for one connection before pushes to it are dropped (and counted).
const EVENT_CAPACITY: usize = 256;

/// A frame for live connections (shared: one push goes to many connections).
pub type Push = Arc<ServerFrame>;

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
    user_id: String,
    session_id: String,
    events: mpsc::Sender<Push>,
    ending: Arc<Ending>,
    /// Set when a push did not fit in the queue: the connection must resync.
    lagged: Arc<AtomicBool>,
}

#[derive(Default)]
pub struct Hub {
    entries: Mutex<Vec<Entry>>,
    next_id: AtomicU64,
    /// Pushes that did not fit in a connection's queue (that connection is told to resync).
    dropped: prometheus_client::metrics::counter::Counter,
}

/// A connection's place in the hub; leaving it (drop) unregisters the connection.
pub struct Registration {
    hub: Arc<Hub>,
    connection_id: u64,
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
        self.hub.lock().retain(|entry| entry.connection_id != self.connection_id);
    }
}

impl Hub {
    /// A hub counting the pushes it drops in `dropped` (a metric).
    pub fn counting(dropped: prometheus_client::metrics::counter::Counter) -> Self {
        Self { dropped, ..Self::default() }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Entry>> {
        // A panic while holding the lock leaves plain data behind; keep serving.
        self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Registers a connection of `user_id`'s device session; `ending` is what ends it.
    pub fn register(self: &Arc<Self>, user_id: &str, session_id: &str, ending: Arc<Ending>) -> Registration {
        let connection_id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (events, receiver) = mpsc::channel(EVENT_CAPACITY);
        let lagged = Arc::new(AtomicBool::new(false));
        self.lock().push(Entry {
            connection_id,
            user_id: user_id.to_owned(),
            session_id: session_id.to_owned(),
            events,
            ending,
            lagged: lagged.clone(),
        });
        Registration { hub: self.clone(), connection_id, events: receiver, lagged }
    }

    /// Ends the connections of one device session.
    pub fn end_session(&self, session_id: &str, message: &str) {
        self.end_where(|entry| entry.session_id == session_id, message);
    }

    /// Ends the connections of every session of `user_id`, except `keep`.
    pub fn end_user_sessions(&self, user_id: &str, keep: Option<&str>, message: &str) {
        self.end_where(|entry| entry.user_id == user_id && Some(entry.session_id.as_str()) != keep, message);
    }

    fn end_where(&self, matches: impl Fn(&Entry) -> bool, message: &str) {
        for entry in self.lock().iter().filter(|entry| matches(entry)) {
            entry.ending.end(ErrorCode::SessionRevoked, message);
        }
    }

    /// Whether `user_id` has a live connection.
    pub fn is_online(&self, user_id: &str) -> bool {
        self.lock().iter().any(|entry| entry.user_id == user_id)
    }

    /// Which of `users` have a live connection.
    pub fn online_among<'a>(&self, users: impl IntoIterator<Item = &'a String>) -> HashSet<String> {
        let entries = self.lock();
        users.into_iter().filter(|user| entries.iter().any(|entry| &entry.user_id == *user)).cloned().collect()
    }

    /// Queues `frame` for every live connection of `user_id`; returns how many could not take it.
    /// Such a connection is marked lagged and told to resync once it catches up — never
    /// silently left behind.
    pub fn send_to_user(&self, user_id: &str, frame: &ServerFrame) -> usize {
        self.send_where(|entry| entry.user_id == user_id, frame)
    }

    /// Queues `frame` for every live connection of one device session (a call's device); returns
    /// how many could not take it.
    pub fn send_to_session(&self, session_id: &str, frame: &ServerFrame) -> usize {
        self.send_where(|entry| entry.session_id == session_id, frame)
    }

    /// Queues `frame` for `user_id`'s connections other than those of session `except`.
    pub fn send_to_user_except(&self, user_id: &str, except: &str, frame: &ServerFrame) -> usize {
        self.send_where(|entry| entry.user_id == user_id && entry.session_id != except, frame)
    }

    /// Whether device session `session_id` has a live connection.
    pub fn session_online(&self, session_id: &str) -> bool {
        self.lock().iter().any(|entry| entry.session_id == session_id)
    }

    fn send_where(&self, matches: impl Fn(&Entry) -> bool, frame: &ServerFrame) -> usize {
        let mut dropped = 0;
        let frame = Arc::new(frame.clone());
        for entry in self.lock().iter().filter(|entry| matches(entry)) {
            if entry.events.try_send(frame.clone()).is_err() {
                entry.lagged.store(true, Ordering::Release);
                dropped += 1;
            }
        }
        self.dropped.inc_by(dropped as u64);
        dropped
    }

    /// Live connections now (for tests and metrics).
    pub fn connection_count(&self) -> usize {
        self.lock().len()
    }
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
        assert_eq!(other.events.recv().await, Some(Arc::new(pong.clone())));
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
        drop((laptop, other));
        assert_eq!(hub.connection_count(), 0);
        assert!(!hub.is_online("u1"));
    }
}
