//! Who is connected: the live WebSocket connections of each signed-in device session, found by
//! user (and a session's owner), so the server can reach them. It ends the connections of a
//! session that was signed out (or deleted) at once — through a signal of its own, never through
//! the push queue, so a full queue cannot keep a revoked device talking — tells who is online,
//! and pushes frames (presence, messages, call signalling) to every connection of a user or of
//! one device session. A frame is encoded once and its bytes shared by every recipient, however
//! many members a chat has.
//!
//! One instance keeps all of this in its own memory and nothing else. With several instances
//! (`redis_url` set), the [`bus`] joins them: each instance still reaches its own connections
//! directly, knows from a mirror which other instance holds which device session, and hands
//! what is for those to that instance over Redis; endings go to every instance.

pub mod bus;

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use gkchat_proto::{ErrorCode, ServerFrame};
use prometheus_client::metrics::counter::Counter;
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
    events: flume::Sender<Push>,
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
    /// Every (user, device session) connected.
    fn sessions(&self) -> Vec<(String, String)> {
        self.session_owner.iter().map(|(session, user)| (user.clone(), session.clone())).collect()
    }

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
    /// The other instances, when several share a Redis.
    bus: Option<Arc<bus::Bus>>,
}

/// A connection's place in the hub; leaving it (drop) unregisters the connection.
pub struct Registration {
    hub: Arc<Hub>,
    connection_id: u64,
    user_id: String,
    pub events: flume::Receiver<Push>,
    lagged: Arc<AtomicBool>,
    /// With several instances: resolves once the others can reach this connection.
    heard: Option<tokio::sync::oneshot::Receiver<()>>,
}

impl Registration {
    /// Waits (a little, at most) until the other instances can reach this connection, so
    /// nothing pushed from there after its welcome misses it.
    pub async fn heard_elsewhere(&mut self) {
        if let Some(heard) = self.heard.take() {
            let _ = tokio::time::timeout(bus::HEARD_WITHIN, heard).await;
        }
    }

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
            // Under the lock, so the other instances hear of a session's comings and goings in
            // the order they happened.
            if let Some(bus) = &self.hub.bus {
                bus.down(&self.user_id, &entry.session_id);
            }
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

    /// The same, joined to the other instances by `bus`.
    pub fn with_bus(pushed: Counter, dropped: Counter, bus: Arc<bus::Bus>) -> Self {
        Self { pushed, dropped, bus: Some(bus), ..Self::default() }
    }

    /// The bus to the other instances, when there are some.
    pub fn bus(&self) -> Option<&Arc<bus::Bus>> {
        self.bus.as_ref()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Table> {
        // A panic while holding the lock leaves plain data behind; keep serving.
        self.table.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Registers a connection of `user_id`'s device session; `ending` is what ends it.
    pub fn register(self: &Arc<Self>, user_id: &str, session_id: &str, ending: Arc<Ending>) -> Registration {
        let connection_id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (events, receiver) = flume::bounded(EVENT_CAPACITY);
        let lagged = Arc::new(AtomicBool::new(false));
        let mut table = self.lock();
        table.by_user.entry(user_id.to_owned()).or_default().push(Entry {
            connection_id,
            session_id: session_id.to_owned(),
            events,
            ending,
            lagged: lagged.clone(),
        });
        let first_here = table.session_owner.insert(session_id.to_owned(), user_id.to_owned()).is_none();
        let heard = match &self.bus {
            Some(bus) if first_here => Some(bus.up(user_id, session_id)),
            _ => None,
        };
        table.count += 1;
        drop(table);
        Registration { hub: self.clone(), connection_id, user_id: user_id.to_owned(), events: receiver, lagged, heard }
    }

    /// Ends the connections of one device session, on every instance.
    pub fn end_session(&self, session_id: &str, message: &str) {
        self.end_session_here(session_id, message);
        if let Some(bus) = &self.bus {
            bus.end_session(session_id, message);
        }
    }

    /// Ends the connections of every session of `user_id`, except `keep`, on every instance.
    pub fn end_user_sessions(&self, user_id: &str, keep: Option<&str>, message: &str) {
        self.end_user_sessions_here(user_id, keep, message);
        if let Some(bus) = &self.bus {
            bus.end_user_sessions(user_id, keep, message);
        }
    }

    /// Ends this instance's connections of one device session.
    pub(crate) fn end_session_here(&self, session_id: &str, message: &str) {
        let table = self.lock();
        let Some(user_id) = table.session_owner.get(session_id) else { return };
        for entry in table.user(user_id).iter().filter(|entry| entry.session_id == session_id) {
            entry.ending.end(ErrorCode::SessionRevoked, message);
        }
    }

    /// Ends this instance's connections of `user_id`'s sessions, except `keep`.
    pub(crate) fn end_user_sessions_here(&self, user_id: &str, keep: Option<&str>, message: &str) {
        for entry in self.lock().user(user_id).iter().filter(|entry| Some(entry.session_id.as_str()) != keep) {
            entry.ending.end(ErrorCode::SessionRevoked, message);
        }
    }

    /// Whether `user_id` has a live connection (on any instance).
    pub fn is_online(&self, user_id: &str) -> bool {
        self.is_online_here(user_id) || self.bus.as_ref().is_some_and(|bus| bus.user_elsewhere(user_id))
    }

    /// Whether `user_id` has a live connection on this instance.
    pub fn is_online_here(&self, user_id: &str) -> bool {
        self.lock().by_user.contains_key(user_id)
    }

    /// Which of `users` have a live connection (on any instance).
    pub fn online_among<'a>(&self, users: impl IntoIterator<Item = &'a String>) -> HashSet<String> {
        let table = self.lock();
        let elsewhere = self.bus.as_ref().map(|bus| bus.mirror());
        users
            .into_iter()
            .filter(|user| {
                table.by_user.contains_key(*user) || elsewhere.as_ref().is_some_and(|mirror| mirror.has_user(user))
            })
            .cloned()
            .collect()
    }

    /// Queues `frame` for every live connection of `user_id`; returns how many could not take it.
    /// Such a connection is marked lagged and told to resync once it catches up — never
    /// silently left behind.
    pub fn send_to_user(&self, user_id: &str, frame: &ServerFrame) -> usize {
        self.push_to_users([user_id], &encode(frame))
    }

    /// Queues one encoded frame for every live connection of each of `users` (the bytes are
    /// shared, not copied), here and on the instances holding the others; returns how many
    /// connections here could not take it.
    pub fn push_to_users<'a>(&self, users: impl IntoIterator<Item = &'a str>, push: &Push) -> usize {
        let Some(bus) = &self.bus else { return self.push_here(users, push) };
        let mut elsewhere = bus::Routes::default();
        let table = self.lock();
        let mirror = bus.mirror();
        let (mut queued, mut dropped) = (0, 0);
        for user_id in users {
            for entry in table.user(user_id) {
                if offer(entry, push) { queued += 1 } else { dropped += 1 }
            }
            mirror.route_user(user_id, &mut elsewhere);
        }
        drop((table, mirror));
        bus.push(elsewhere, push);
        self.count(queued, dropped)
    }

    /// Queues `push` for this instance's connections of each of `users`.
    pub(crate) fn push_here<'a>(&self, users: impl IntoIterator<Item = &'a str>, push: &Push) -> usize {
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

    /// Queues `frame` for every live connection of one device session (a call's device), on
    /// whichever instance holds it; returns how many here could not take it.
    pub fn send_to_session(&self, session_id: &str, frame: &ServerFrame) -> usize {
        let push = encode(frame);
        if let Some(bus) = &self.bus {
            bus.to_session(session_id, &push);
        }
        self.session_here(session_id, &push)
    }

    pub(crate) fn session_here(&self, session_id: &str, push: &Push) -> usize {
        let table = self.lock();
        let Some(user_id) = table.session_owner.get(session_id) else { return 0 };
        let (mut queued, mut dropped) = (0, 0);
        for entry in table.user(user_id).iter().filter(|entry| entry.session_id == session_id) {
            if offer(entry, push) { queued += 1 } else { dropped += 1 }
        }
        drop(table);
        self.count(queued, dropped)
    }

    /// Queues `frame` for `user_id`'s connections other than those of session `except`, on
    /// every instance.
    pub fn send_to_user_except(&self, user_id: &str, except: &str, frame: &ServerFrame) -> usize {
        let push = encode(frame);
        if let Some(bus) = &self.bus {
            bus.to_user_except(user_id, except, &push);
        }
        self.user_except_here(user_id, except, &push)
    }

    pub(crate) fn user_except_here(&self, user_id: &str, except: &str, push: &Push) -> usize {
        let table = self.lock();
        let (mut queued, mut dropped) = (0, 0);
        for entry in table.user(user_id).iter().filter(|entry| entry.session_id != except) {
            if offer(entry, push) { queued += 1 } else { dropped += 1 }
        }
        drop(table);
        self.count(queued, dropped)
    }

    /// Tells every connection here to resync (what was meant for them may have been lost: the
    /// bus between instances was down). A connection whose queue is full is marked lagged,
    /// which says the same once it catches up.
    pub(crate) fn resync_here(&self) {
        let push = encode(&ServerFrame::Resync);
        let table = self.lock();
        for entry in table.by_user.values().flatten() {
            offer(entry, &push);
        }
    }

    /// Has the bus write this instance's sessions anew, in order with their comings and goings
    /// (taken and queued under the lock); `None` without a bus.
    pub(crate) fn rewrite_on_bus(&self) -> Option<tokio::sync::oneshot::Receiver<crate::Result<bool>>> {
        let bus = self.bus.as_ref()?;
        let table = self.lock();
        Some(bus.rewrite(table.sessions()))
    }

    /// The users and device sessions connected here.
    pub(crate) fn sessions_here(&self) -> Vec<(String, String)> {
        self.lock().sessions()
    }

    fn count(&self, queued: usize, dropped: usize) -> usize {
        self.pushed.inc_by(queued as u64);
        self.dropped.inc_by(dropped as u64);
        dropped
    }

    /// Whether device session `session_id` has a live connection (on any instance).
    pub fn session_online(&self, session_id: &str) -> bool {
        self.lock().session_owner.contains_key(session_id)
            || self.bus.as_ref().is_some_and(|bus| bus.mirror().has_session(session_id))
    }

    /// Live connections here now (for tests and metrics).
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
        let other = hub.register("u2", "s3", endings[2].clone());
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
        assert_eq!(other.events.recv_async().await.ok(), Some(encode(&pong)));
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
