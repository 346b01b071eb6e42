//! The bus between server instances (`redis_url` set): whatever the hub, presence, calls and
//! the membership cache must tell another instance travels here, over Redis pub/sub.
//!
//! Each running instance is a *node* with a random id. In Redis:
//! - `{gk}:node:<id>:alive`, with a TTL of `presence_ttl_secs` refreshed by a heartbeat every
//!   third of it: the node is alive while it is there. A node that crashes stops refreshing it,
//!   so its users turn offline by themselves;
//! - `{gk}:node:<id>` (hash, kept a few TTLs): the device sessions connected to that node,
//!   `s:<session>` → user id, and per user `u:<user>` → how many of their sessions; a field `~`
//!   keeps it there while empty. It outlives `alive`, so a survivor can still read who was on a
//!   node that crashed;
//! - `{gk}:nodes` (set, kept a few TTLs past the last heartbeat): the node ids, for finding each
//!   other and the crashed;
//! - `{gk}:gone:<id>`: taken (one script: only while the node is not alive) by the one survivor
//!   that ends a crashed node's calls and reports its users offline (then deletes its hash); it
//!   lives half as long as the hash, is given back when that fails, so another tries, and is
//!   deleted by the node itself should it come back;
//! - channel `{gk}:bus:all` for what every node hears (sessions coming and going, endings, a
//!   chat's membership changed, "I am back: reload my sessions"), and `{gk}:bus:node:<id>` for
//!   pushes meant for one node's connections (and its own heartbeat ping, which proves its
//!   subscription still hears).
//!
//! Each node keeps a *mirror* of the other nodes' sessions (loaded when it subscribes, then kept
//! by the notes), so routing a push asks no one: frames for connections here go straight into
//! their queues, and the rest is published once per node that holds a recipient. Everything a
//! node writes goes through one writer, in order; a session's coming and going is one Lua script
//! (the hash and the note change together), and going tells whether the user is still connected
//! on any live node, so exactly the last one out is announced offline, whichever node it was on.
//! A new connection is welcomed only once the others can reach it.
//!
//! A note on the wire: `<from node>\n<header JSON>\n<pushed frame, if any>`.
//!
//! When Redis cannot be reached, writes fail and the subscription drops: the node keeps serving
//! its own connections and tries again every second. Once Redis answers, it writes its sessions
//! anew (in order with its other writes, in one transaction), says hello, forgets every roster
//! it remembered, ends connections whose sign-in ended meanwhile, and has every connection (its
//! own, and every node's after a lost write) resync — nobody is silently left behind.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use prometheus_client::metrics::counter::Counter;
use redis::aio::PubSubStream;
use serde::{Deserialize, Serialize};
use tokio::sync::{Notify, mpsc, oneshot, watch};
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Utf8Bytes;

use super::Push;
use crate::AppState;
use crate::redis_link::{Link, Redis};

/// Every node hears this channel.
const ALL: &str = "{gk}:bus:all";
/// The set of node ids.
const NODES: &str = "{gk}:nodes";
/// Notes written to Redis in one round trip at most.
const BATCH: usize = 256;
/// While Redis cannot be reached, how often a node tries again.
const RETRY: Duration = Duration::from_secs(1);
/// How long one round trip to Redis may take before it counts as failed.
const ANSWER_WITHIN: Duration = crate::redis_link::ANSWER_WITHIN;
/// How long a new connection waits for the others to hear of it before it is welcomed anyway.
pub(super) const HEARD_WITHIN: Duration = Duration::from_secs(2);

/// A node's hash and the node set outlive its last heartbeat by a few TTLs.
fn kept_ms(ttl: Duration) -> u64 {
    ttl.as_millis() as u64 * 4
}

fn node_key(node: &str) -> String {
    format!("{{gk}}:node:{node}")
}

fn alive_key(node: &str) -> String {
    format!("{{gk}}:node:{node}:alive")
}

fn node_channel(node: &str) -> String {
    format!("{{gk}}:bus:node:{node}")
}

/// Adds a session to this node's hash and tells everyone, in one step. KEYS: the node's hash,
/// its alive key. ARGV: session, user, how long the hash is kept (ms), the note. Returns 0 (and
/// writes nothing) when the node is no longer alive: its sessions must be written anew.
const UP: &str = r"
if redis.call('EXISTS', KEYS[2]) == 0 then return 0 end
if redis.call('HSETNX', KEYS[1], 's:' .. ARGV[1], ARGV[2]) == 1 then
  redis.call('HINCRBY', KEYS[1], 'u:' .. ARGV[2], 1)
end
redis.call('HSET', KEYS[1], '~', 1)
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('PUBLISH', '{gk}:bus:all', ARGV[4])
return 1
";

/// Whether a user has a session on any live node, after `ARGV[1]`'s session here left (when
/// given). KEYS: this node's hash, the node set. ARGV: session or '', user, the note or ''.
/// Returns 1 while the user is still connected somewhere.
const DOWN: &str = r"
local user = ARGV[2]
if ARGV[1] ~= '' then
  if redis.call('HDEL', KEYS[1], 's:' .. ARGV[1]) == 1 then
    if redis.call('HINCRBY', KEYS[1], 'u:' .. user, -1) <= 0 then
      redis.call('HDEL', KEYS[1], 'u:' .. user)
    end
  end
  redis.call('PUBLISH', '{gk}:bus:all', ARGV[3])
end
for _, node in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  if redis.call('EXISTS', '{gk}:node:' .. node .. ':alive') == 1
    and redis.call('HEXISTS', '{gk}:node:' .. node, 'u:' .. user) == 1 then
    return 1
  end
end
return 0
";

/// Whether device session `ARGV[1]` is connected to any live node. KEYS: the node set.
const SESSION_ANYWHERE: &str = r"
for _, node in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if redis.call('EXISTS', '{gk}:node:' .. node .. ':alive') == 1
    and redis.call('HEXISTS', '{gk}:node:' .. node, 's:' .. ARGV[1]) == 1 then
    return 1
  end
end
return 0
";

/// Claims reporting a stopped node, unless it is alive again. KEYS: its alive key, the claim.
/// ARGV: this node, the claim's lifetime in ms. Returns 1 when claimed.
const CLAIM: &str = r"
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
return 0
";

/// A crashed node reported: its hash and its place in the set go, unless it came back
/// meanwhile. KEYS: its hash, its alive key, the node set. ARGV: its id.
const BURY: &str = r"
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[3], ARGV[1])
return 1
";

/// What one node tells others. Pushes carry the frame after the header.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "k", rename_all = "snake_case")]
enum Note {
    /// The frame, for these users' connections on the receiving node.
    Push {
        users: Vec<String>,
    },
    /// The frame, for one device session's connections.
    Session {
        session: String,
    },
    /// The frame, for a user's connections but one session's.
    UserExcept {
        user: String,
        except: String,
    },
    EndSession {
        session: String,
        message: String,
    },
    EndUser {
        user: String,
        keep: Option<String>,
        message: String,
    },
    Up {
        user: String,
        session: String,
    },
    Down {
        user: String,
        session: String,
    },
    /// The sender (re)wrote its sessions: reload them.
    Hello,
    /// The sender stopped (the sessions it still had are reported gone by a survivor).
    Bye,
    /// A chat's membership changed: forget its roster.
    Forget {
        chat: String,
    },
    /// Something meant for connections may have been lost: every connection resyncs.
    Resync,
    /// A node's heartbeat to itself, proving its subscription still hears.
    Ping {
        beat: u64,
    },
}

/// Where pushes for users on other nodes go: node → its recipients.
#[derive(Default)]
pub struct Routes(HashMap<Arc<str>, Vec<String>>);

/// What waits to be written to Redis, in order.
enum Out {
    /// A note for one node, or for all.
    Note { to: Option<Arc<str>>, note: Note, payload: Option<Push> },
    /// A device session's first connection here came (`up`) or its last one left; `heard` is
    /// told once the others can know.
    Session { up: bool, user: String, session: String, heard: Option<oneshot::Sender<()>> },
    /// This node's sessions (users, sessions) written anew, in one transaction; answers whether
    /// the node was still alive in Redis.
    Rewrite { sessions: Vec<(String, String)>, done: oneshot::Sender<crate::Result<bool>> },
    /// Answered once everything before it was written and its "gone" users were reported.
    Flush(oneshot::Sender<()>),
    /// The last thing: no longer alive, say bye.
    Bye,
}

/// What the writer hands to the task that reports users gone.
enum Gone {
    User(String),
    Flushed(oneshot::Sender<()>),
}

/// The other nodes' sessions, as the notes tell them.
#[derive(Default)]
pub struct Mirror {
    /// Node → its sessions → their users.
    nodes: HashMap<Arc<str>, HashMap<String, String>>,
    /// User → the nodes with their sessions, and how many there.
    users: HashMap<String, HashMap<Arc<str>, u32>>,
    /// Session → the nodes holding it.
    sessions: HashMap<String, Vec<Arc<str>>>,
    /// When each node was last heard from.
    heard: HashMap<Arc<str>, Instant>,
}

impl Mirror {
    pub fn has_user(&self, user_id: &str) -> bool {
        self.users.contains_key(user_id)
    }

    pub fn has_session(&self, session_id: &str) -> bool {
        self.sessions.contains_key(session_id)
    }

    /// Adds `user_id`'s nodes to `routes`.
    pub fn route_user(&self, user_id: &str, routes: &mut Routes) {
        if let Some(nodes) = self.users.get(user_id) {
            for node in nodes.keys() {
                routes.0.entry(node.clone()).or_default().push(user_id.to_owned());
            }
        }
    }

    fn node_id(&mut self, node: &str) -> Arc<str> {
        match self.nodes.get_key_value(node) {
            Some((id, _)) => id.clone(),
            None => {
                let id: Arc<str> = node.into();
                self.nodes.insert(id.clone(), HashMap::new());
                id
            }
        }
    }

    fn up(&mut self, node: &str, user: &str, session: &str) {
        let node = self.node_id(node);
        let sessions = self.nodes.get_mut(&node).expect("made above");
        if sessions.insert(session.to_owned(), user.to_owned()).is_some() {
            return;
        }
        *self.users.entry(user.to_owned()).or_default().entry(node.clone()).or_default() += 1;
        self.sessions.entry(session.to_owned()).or_default().push(node);
    }

    fn down(&mut self, node: &str, session: &str) {
        let Some((node, _)) = self.nodes.get_key_value(node) else { return };
        let node = node.clone();
        let Some(user) = self.nodes.get_mut(&node).and_then(|sessions| sessions.remove(session)) else { return };
        self.forget(&node, &user, session);
    }

    fn forget(&mut self, node: &Arc<str>, user: &str, session: &str) {
        if let Some(nodes) = self.users.get_mut(user) {
            if let Some(count) = nodes.get_mut(node) {
                *count -= 1;
                if *count == 0 {
                    nodes.remove(node);
                }
            }
            if nodes.is_empty() {
                self.users.remove(user);
            }
        }
        if let Some(holders) = self.sessions.get_mut(session) {
            holders.retain(|held| held != node);
            if holders.is_empty() {
                self.sessions.remove(session);
            }
        }
    }

    /// Notes that `node` was heard from now.
    fn heard_from(&mut self, node: &str) {
        let node = self.node_id(node);
        self.heard.insert(node, Instant::now());
    }

    /// Forgets a node that stopped beating, unless it was heard from after `checked` (it came
    /// back meanwhile).
    fn drop_node_if_quiet(&mut self, node: &str, checked: Instant) -> bool {
        let quiet = self.heard.get(node).is_none_or(|at| *at <= checked);
        if quiet {
            self.drop_node(node);
        }
        quiet
    }

    /// Forgets a node; its (user, session) pairs.
    fn drop_node(&mut self, node: &str) -> Vec<(String, String)> {
        self.heard.remove(node);
        let Some((node, sessions)) = self.nodes.remove_entry(node) else { return Vec::new() };
        for (session, user) in &sessions {
            self.forget(&node, user, session);
        }
        sessions.into_iter().map(|(session, user)| (user, session)).collect()
    }

    /// Replaces what is known of a node with its hash's fields.
    fn set_node(&mut self, node: &str, fields: HashMap<String, String>) {
        self.drop_node(node);
        self.heard_from(node);
        for (field, user) in fields {
            if let Some(session) = field.strip_prefix("s:") {
                self.up(node, &user, session);
            }
        }
    }

    fn nodes_of_session(&self, session: &str) -> Vec<Arc<str>> {
        self.sessions.get(session).cloned().unwrap_or_default()
    }

    fn nodes_of_user(&self, user: &str) -> Vec<Arc<str>> {
        self.users.get(user).map(|nodes| nodes.keys().cloned().collect()).unwrap_or_default()
    }
}

/// The bus, as one node sees it.
pub struct Bus {
    node: Arc<str>,
    /// Subscriptions are opened here.
    shared: Arc<Redis>,
    redis: Link,
    ttl: Duration,
    outbox: mpsc::UnboundedSender<Out>,
    mirror: Mutex<Mirror>,
    /// A write failed: once Redis answers, write the sessions anew and have everyone resync.
    broken: AtomicBool,
    /// The listener hears the node's channels now. Only then does the node write its sessions
    /// anew and say hello: the others route pushes to it from that moment.
    subscribed: AtomicBool,
    /// Wakes the heartbeat at once (a write failed).
    wake: Notify,
    /// Moves when the listener must subscribe again (its subscription stopped hearing).
    deaf: watch::Sender<u64>,
    /// Heartbeat pings sent to this node's own channel, and the last one heard back.
    pinged: AtomicU64,
    ponged: AtomicU64,
    /// Users whose session here left while Redis could not be told: whether they are gone is
    /// decided once it answers again.
    left_meanwhile: Mutex<Vec<String>>,
    published: Counter,
    received: Counter,
    errors: Counter,
}

/// The halves of the bus that start working once the server's state exists.
pub struct Parts {
    outbox: mpsc::UnboundedReceiver<Out>,
}

/// Metrics the bus counts into.
pub struct Counters {
    pub published: Counter,
    pub received: Counter,
    pub errors: Counter,
}

/// The bus's tasks, for a clean stop.
pub struct Running {
    writer: JoinHandle<()>,
}

impl Bus {
    /// A new node on `shared` (connected by the caller), whose sessions expire `ttl` after its
    /// last heartbeat.
    pub fn new(shared: Arc<Redis>, ttl: Duration, counters: Counters) -> (Arc<Self>, Parts) {
        let redis = shared.link();
        let node: Arc<str> = uuid::Uuid::new_v4().simple().to_string()[..16].into();
        let (outbox, receiver) = mpsc::unbounded_channel();
        let bus = Arc::new(Self {
            node,
            shared,
            redis,
            ttl: ttl.max(Duration::from_secs(1)),
            outbox,
            mirror: Mutex::default(),
            broken: AtomicBool::new(false),
            subscribed: AtomicBool::new(false),
            wake: Notify::new(),
            deaf: watch::Sender::new(0),
            pinged: AtomicU64::new(0),
            ponged: AtomicU64::new(0),
            left_meanwhile: Mutex::default(),
            published: counters.published,
            received: counters.received,
            errors: counters.errors,
        });
        (bus, Parts { outbox: receiver })
    }

    /// A connection to the Redis the bus is on (for what else is shared there).
    pub fn redis(&self) -> Link {
        self.redis.clone()
    }

    /// This node's id.
    pub fn node(&self) -> &str {
        &self.node
    }

    pub fn mirror(&self) -> MutexGuard<'_, Mirror> {
        self.mirror.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether `user_id` has a session on another node.
    pub fn user_elsewhere(&self, user_id: &str) -> bool {
        self.mirror().has_user(user_id)
    }

    fn send(&self, out: Out) {
        // The writer lives as long as the server; after it stopped nothing needs telling.
        let _ = self.outbox.send(out);
    }

    /// A session's first connection here; the answer resolves once the others can know.
    pub(super) fn up(&self, user: &str, session: &str) -> oneshot::Receiver<()> {
        let (heard, known) = oneshot::channel();
        self.send(Out::Session { up: true, user: user.to_owned(), session: session.to_owned(), heard: Some(heard) });
        known
    }

    pub(super) fn down(&self, user: &str, session: &str) {
        self.send(Out::Session { up: false, user: user.to_owned(), session: session.to_owned(), heard: None });
    }

    /// Writes `sessions` (this node's, taken under the hub's lock) anew, in order with the
    /// rest.
    pub(super) fn rewrite(&self, sessions: Vec<(String, String)>) -> oneshot::Receiver<crate::Result<bool>> {
        let (done, answer) = oneshot::channel();
        self.send(Out::Rewrite { sessions, done });
        answer
    }

    pub(super) fn push(&self, routes: Routes, push: &Push) {
        for (node, users) in routes.0 {
            self.send(Out::Note { to: Some(node), note: Note::Push { users }, payload: Some(push.clone()) });
        }
    }

    pub(super) fn to_session(&self, session: &str, push: &Push) {
        for node in self.mirror().nodes_of_session(session) {
            let note = Note::Session { session: session.to_owned() };
            self.send(Out::Note { to: Some(node), note, payload: Some(push.clone()) });
        }
    }

    pub(super) fn to_user_except(&self, user: &str, except: &str, push: &Push) {
        for node in self.mirror().nodes_of_user(user) {
            let note = Note::UserExcept { user: user.to_owned(), except: except.to_owned() };
            self.send(Out::Note { to: Some(node), note, payload: Some(push.clone()) });
        }
    }

    pub(super) fn end_session(&self, session: &str, message: &str) {
        let note = Note::EndSession { session: session.to_owned(), message: message.to_owned() };
        self.send(Out::Note { to: None, note, payload: None });
    }

    pub(super) fn end_user_sessions(&self, user: &str, keep: Option<&str>, message: &str) {
        let note = Note::EndUser { user: user.to_owned(), keep: keep.map(str::to_owned), message: message.to_owned() };
        self.send(Out::Note { to: None, note, payload: None });
    }

    /// Tells the other nodes that `chat_id`'s membership changed.
    pub fn forget_chat(&self, chat_id: &str) {
        self.send(Out::Note { to: None, note: Note::Forget { chat: chat_id.to_owned() }, payload: None });
    }

    /// Whether `user_id` has a session on any live node, as Redis has it now.
    pub async fn online_anywhere(&self, user_id: &str) -> crate::Result<bool> {
        let connected: i64 = redis::cmd("EVAL")
            .arg(DOWN)
            .arg(2)
            .arg(node_key(&self.node))
            .arg(NODES)
            .arg("")
            .arg(user_id)
            .arg("")
            .query_async(&mut self.redis.clone())
            .await?;
        Ok(connected == 1)
    }

    fn wire(&self, note: &Note, payload: Option<&Push>) -> Vec<u8> {
        let header = serde_json::to_string(note).expect("notes serialize");
        let mut wire = Vec::with_capacity(self.node.len() + header.len() + 2 + payload.map_or(0, |p| p.len()));
        wire.extend_from_slice(self.node.as_bytes());
        wire.push(b'\n');
        wire.extend_from_slice(header.as_bytes());
        wire.push(b'\n');
        if let Some(payload) = payload {
            wire.extend_from_slice(payload.as_bytes());
        }
        wire
    }

    /// Subscribes to this node's channels and loads the mirror of the other live nodes.
    async fn subscribe(&self) -> crate::Result<PubSubStream> {
        let mut pubsub = self.shared.pubsub().await?;
        pubsub.subscribe(ALL).await?;
        pubsub.subscribe(node_channel(&self.node)).await?;
        // Subscribed first: whatever changes while the mirror loads arrives after it and is
        // applied on top (each note is idempotent).
        let mut redis = self.redis.clone();
        let nodes: Vec<String> = redis::cmd("SMEMBERS").arg(NODES).query_async(&mut redis).await?;
        let mut loaded = Vec::new();
        for node in nodes.into_iter().filter(|node| **node != *self.node) {
            let alive: bool = redis::cmd("EXISTS").arg(alive_key(&node)).query_async(&mut redis).await?;
            if alive {
                let fields: HashMap<String, String> =
                    redis::cmd("HGETALL").arg(node_key(&node)).query_async(&mut redis).await?;
                loaded.push((node, fields));
            }
        }
        let mut mirror = self.mirror();
        *mirror = Mirror::default();
        for (node, fields) in loaded {
            mirror.set_node(&node, fields);
        }
        drop(mirror);
        Ok(pubsub.into_on_message())
    }

    /// This node's sessions written anew in one transaction: no longer claimed as gone, alive,
    /// in the node set, and a hello to the others. Whether it was still alive.
    async fn write_sessions(&self, redis: &mut Link, sessions: &[(String, String)]) -> crate::Result<bool> {
        let key = node_key(&self.node);
        let mut counts: HashMap<&str, u32> = HashMap::new();
        for (user, _) in sessions {
            *counts.entry(user).or_default() += 1;
        }
        let mut pipe = redis::pipe();
        pipe.atomic();
        pipe.cmd("EXISTS").arg(alive_key(&self.node));
        pipe.cmd("DEL").arg(&key).ignore();
        pipe.cmd("DEL").arg(format!("{{gk}}:gone:{}", self.node)).ignore();
        pipe.cmd("HSET").arg(&key).arg("~").arg(1).ignore();
        for (user, session) in sessions {
            pipe.cmd("HSET").arg(&key).arg(format!("s:{session}")).arg(user).ignore();
        }
        for (user, count) in counts {
            pipe.cmd("HSET").arg(&key).arg(format!("u:{user}")).arg(count).ignore();
        }
        pipe.cmd("PEXPIRE").arg(&key).arg(kept_ms(self.ttl)).ignore();
        pipe.cmd("SET").arg(alive_key(&self.node)).arg(1).arg("PX").arg(self.ttl.as_millis() as u64).ignore();
        pipe.cmd("SADD").arg(NODES).arg(&*self.node).ignore();
        pipe.cmd("PEXPIRE").arg(NODES).arg(kept_ms(self.ttl)).ignore();
        pipe.cmd("PUBLISH").arg(ALL).arg(self.wire(&Note::Hello, None)).ignore();
        let (alive,): (bool,) = pipe.query_async(redis).await?;
        Ok(alive)
    }

    fn failed(&self, what: &str, err: &dyn std::fmt::Display) {
        self.errors.inc();
        tracing::warn!(error = %err, "bus: {what} failed");
    }

    /// The subscription stopped hearing (or the mirror could not be loaded): subscribe again.
    fn deafened(&self) {
        self.deaf.send_modify(|moved| *moved += 1);
    }

    /// Whether device session `session_id` is connected to any live node, as Redis has it now.
    pub async fn session_anywhere(&self, session_id: &str) -> crate::Result<bool> {
        let connected: i64 = redis::cmd("EVAL")
            .arg(SESSION_ANYWHERE)
            .arg(1)
            .arg(NODES)
            .arg(session_id)
            .query_async(&mut self.redis.clone())
            .await?;
        Ok(connected == 1)
    }

    /// A write failed: recover as soon as Redis answers.
    fn broke(&self) {
        self.broken.store(true, Ordering::Release);
        self.wake.notify_one();
    }
}

/// Starts the bus's work for `state` (whose hub holds it): subscribes and loads the mirror
/// (failing the start when Redis does not answer), writes this node's (empty) sessions, then
/// writes, listens and beats until the server stops.
pub async fn start(state: &AppState, parts: Parts) -> crate::Result<Running> {
    let bus = state.hub.bus().expect("a hub with a bus").clone();
    let stream = bus.subscribe().await?;
    bus.subscribed.store(true, Ordering::Release);
    bus.write_sessions(&mut bus.redis(), &[]).await?;
    let (gone, users) = mpsc::unbounded_channel();
    tokio::spawn(report_gone(state.clone(), users));
    let writer = tokio::spawn(write(bus.clone(), parts.outbox, gone));
    tokio::spawn(listen(state.clone(), bus.clone(), stream));
    tokio::spawn(beat(state.clone(), bus));
    Ok(Running { writer })
}

/// Stops cleanly once the connections are gone: what they left is written and reported, then
/// this node is no longer alive and says bye (a survivor reports whatever sessions it still
/// had, as for a crash).
pub async fn close(bus: &Bus, running: Running) {
    let (flushed, done) = oneshot::channel();
    bus.send(Out::Flush(flushed));
    if tokio::time::timeout(ANSWER_WITHIN, done).await.is_err() {
        tracing::warn!("bus: writing what the last connections left took too long");
    }
    bus.send(Out::Bye);
    if tokio::time::timeout(ANSWER_WITHIN, running.writer).await.is_err() {
        tracing::warn!("bus: saying bye took too long");
    }
}

/// Writes what the hub queues, in order, many notes per round trip. A user whose last session
/// on any live node left goes to `gone`.
async fn write(bus: Arc<Bus>, mut outbox: mpsc::UnboundedReceiver<Out>, gone: mpsc::UnboundedSender<Gone>) {
    let mut redis = bus.redis.clone();
    let mut batch = Vec::with_capacity(BATCH);
    let mut plain = Vec::with_capacity(BATCH);
    while outbox.recv_many(&mut batch, BATCH).await > 0 {
        for out in batch.drain(..) {
            match out {
                Out::Note { .. } | Out::Session { .. } => plain.push(out),
                Out::Rewrite { sessions, done } => {
                    write_plain(&bus, &mut redis, &mut plain, &gone).await;
                    let written = bus.write_sessions(&mut redis, &sessions).await;
                    let _ = done.send(written);
                }
                Out::Flush(flushed) => {
                    write_plain(&bus, &mut redis, &mut plain, &gone).await;
                    let _ = gone.send(Gone::Flushed(flushed));
                }
                Out::Bye => {
                    write_plain(&bus, &mut redis, &mut plain, &gone).await;
                    let mut pipe = redis::pipe();
                    pipe.cmd("DEL").arg(alive_key(&bus.node)).ignore();
                    pipe.cmd("PUBLISH").arg(ALL).arg(bus.wire(&Note::Bye, None)).ignore();
                    if let Err(err) = pipe.query_async::<()>(&mut redis).await {
                        bus.failed("saying bye", &err);
                    }
                    return;
                }
            }
        }
        write_plain(&bus, &mut redis, &mut plain, &gone).await;
    }
}

/// Writes queued notes and session changes in one round trip (each gives one answer).
async fn write_plain(bus: &Bus, redis: &mut Link, plain: &mut Vec<Out>, gone: &mpsc::UnboundedSender<Gone>) {
    if plain.is_empty() {
        return;
    }
    let (key, alive, kept) = (node_key(&bus.node), alive_key(&bus.node), kept_ms(bus.ttl));
    let mut pipe = redis::pipe();
    for out in plain.iter() {
        match out {
            Out::Note { to, note, payload } => {
                let channel = to.as_deref().map_or_else(|| ALL.to_owned(), node_channel);
                pipe.cmd("PUBLISH").arg(channel).arg(bus.wire(note, payload.as_ref()));
            }
            Out::Session { up: true, user, session, .. } => {
                let note = bus.wire(&Note::Up { user: user.clone(), session: session.clone() }, None);
                pipe.cmd("EVAL").arg(UP).arg(2).arg(&key).arg(&alive).arg(session).arg(user).arg(kept).arg(note);
            }
            Out::Session { up: false, user, session, .. } => {
                let note = bus.wire(&Note::Down { user: user.clone(), session: session.clone() }, None);
                pipe.cmd("EVAL").arg(DOWN).arg(2).arg(&key).arg(NODES).arg(session).arg(user).arg(note);
            }
            Out::Rewrite { .. } | Out::Flush(_) | Out::Bye => unreachable!("written on their own"),
        }
    }
    match pipe.query_async::<Vec<redis::Value>>(redis).await {
        Ok(answers) => {
            bus.published.inc_by(plain.len() as u64);
            for (out, answer) in plain.drain(..).zip(answers) {
                match (out, answer) {
                    (Out::Session { up: true, heard, .. }, answer) => {
                        if answer == redis::Value::Int(0) {
                            // This node's hash had expired: it must be written anew.
                            bus.broke();
                        }
                        if let Some(heard) = heard {
                            let _ = heard.send(());
                        }
                    }
                    (Out::Session { up: false, user, .. }, redis::Value::Int(0)) => {
                        let _ = gone.send(Gone::User(user));
                    }
                    _ => {}
                }
            }
        }
        Err(err) => {
            bus.failed("writing to Redis", &err);
            bus.broke();
            // Who left while Redis was away is decided once it is back (see `recover`); what
            // was lost is made good by the resync then.
            let mut left = bus.left_meanwhile.lock().unwrap_or_else(PoisonError::into_inner);
            for out in plain.drain(..) {
                if let Out::Session { up: false, user, .. } = out {
                    left.push(user);
                }
            }
        }
    }
}

/// Announces users whose last connection anywhere ended.
async fn report_gone(state: AppState, mut gone: mpsc::UnboundedReceiver<Gone>) {
    while let Some(next) = gone.recv().await {
        match next {
            Gone::User(user) => {
                if state.hub.is_online_here(&user) {
                    continue;
                }
                if let Err(err) = crate::presence::gone(&state, &user).await {
                    tracing::warn!(error = %err, "recording last seen failed");
                }
            }
            Gone::Flushed(flushed) => {
                let _ = flushed.send(());
            }
        }
    }
}

/// Hands each note to the hub, the mirror or the membership cache. When the subscription
/// drops (or stops hearing), subscribes again (every second until Redis answers) and recovers:
/// what was published meanwhile is lost.
async fn listen(state: AppState, bus: Arc<Bus>, mut stream: PubSubStream) {
    let shutdown = state.shutdown.clone();
    let mut deaf = bus.deaf.subscribe();
    loop {
        loop {
            let message = tokio::select! {
                () = shutdown.cancelled() => return,
                _ = deaf.changed() => break,
                message = stream.next() => message,
            };
            let Some(message) = message else { break };
            bus.received.inc();
            on_note(&state, &bus, message.get_payload_bytes()).await;
        }
        bus.subscribed.store(false, Ordering::Release);
        bus.failed("the subscription", &"it dropped or stopped hearing");
        loop {
            tokio::select! {
                () = shutdown.cancelled() => return,
                () = tokio::time::sleep(RETRY) => {}
            }
            match bus.subscribe().await {
                Ok(next) => {
                    stream = next;
                    bus.subscribed.store(true, Ordering::Release);
                    break;
                }
                Err(err) => bus.failed("subscribing", &err),
            }
        }
        tracing::info!("bus: subscribed again; every connection resyncs");
        // Whatever said "deaf" before this subscription is answered by it.
        deaf.borrow_and_update();
        bus.ponged.store(bus.pinged.load(Ordering::Acquire), Ordering::Release);
        bus.broken.store(true, Ordering::Release);
        if let Err(err) = recover(&state, &bus, true).await {
            bus.failed("writing this node's sessions", &err);
            state.hub.resync_here();
        }
    }
}

async fn on_note(state: &AppState, bus: &Bus, wire: &[u8]) {
    let mut parts = wire.splitn(3, |byte| *byte == b'\n');
    let (Some(from), Some(header)) = (parts.next(), parts.next()) else { return };
    let Ok(from) = std::str::from_utf8(from) else { return };
    let note = match serde_json::from_slice::<Note>(header) {
        Ok(note) => note,
        Err(err) => {
            tracing::warn!(error = %err, from, "bus: an unreadable note");
            return;
        }
    };
    if from == &*bus.node {
        if let Note::Ping { beat } = note {
            bus.ponged.fetch_max(beat, Ordering::AcqRel);
        }
        return;
    }
    let rest = parts.next();
    let payload = || rest.and_then(|bytes| String::from_utf8(bytes.to_vec()).ok()).map(Utf8Bytes::from);
    let hub = &state.hub;
    match note {
        Note::Push { users } => {
            if let Some(push) = payload() {
                hub.push_here(users.iter().map(String::as_str), &push);
            }
        }
        Note::Session { session } => {
            if let Some(push) = payload() {
                hub.session_here(&session, &push);
            }
        }
        Note::UserExcept { user, except } => {
            if let Some(push) = payload() {
                hub.user_except_here(&user, &except, &push);
            }
        }
        Note::EndSession { session, message } => hub.end_session_here(&session, &message),
        Note::EndUser { user, keep, message } => hub.end_user_sessions_here(&user, keep.as_deref(), &message),
        Note::Up { user, session } => {
            let mut mirror = bus.mirror();
            mirror.heard_from(from);
            mirror.up(from, &user, &session);
        }
        Note::Down { user: _, session } => {
            let mut mirror = bus.mirror();
            mirror.heard_from(from);
            mirror.down(from, &session);
        }
        Note::Hello => {
            let loaded: redis::RedisResult<HashMap<String, String>> =
                redis::cmd("HGETALL").arg(node_key(from)).query_async(&mut bus.redis.clone()).await;
            match loaded {
                Ok(fields) => bus.mirror().set_node(from, fields),
                Err(err) => {
                    // Subscribing again reloads every node.
                    bus.failed("loading a node's sessions", &err);
                    bus.deafened();
                }
            }
        }
        Note::Bye => {
            bus.mirror().drop_node(from);
        }
        Note::Forget { chat } => state.members.forget_here(&chat),
        Note::Resync => catch_up_here(state).await,
        Note::Ping { .. } => {}
    }
}

/// What this node may have missed while notes were lost: every roster it remembered is
/// forgotten, connections whose sign-in ended meanwhile are closed, and every connection
/// resyncs.
async fn catch_up_here(state: &AppState) {
    state.members.forget_all_here();
    let sessions: Vec<String> = state.hub.sessions_here().into_iter().map(|(_, session)| session).collect();
    match crate::db::sessions::live_among(&state.db, &sessions, crate::now_ms()).await {
        Ok(live) => {
            for session in sessions.iter().filter(|session| !live.contains(*session)) {
                state.hub.end_session_here(session, "this sign-in has ended");
            }
        }
        Err(err) => tracing::warn!(error = %err, "bus: checking the sign-ins here failed"),
    }
    state.hub.resync_here();
}

/// The heartbeat: keeps this node alive in Redis, pings its own subscription, writes its
/// sessions anew after a failure (then everyone catches up), and finds nodes that stopped
/// beating.
async fn beat(state: AppState, bus: Arc<Bus>) {
    let every = bus.ttl / 3;
    let (key, alive_key, ping_channel) = (node_key(&bus.node), alive_key(&bus.node), node_channel(&bus.node));
    let mut redis = bus.redis.clone();
    loop {
        let wait = if bus.broken.load(Ordering::Acquire) { RETRY.min(every) } else { every };
        tokio::select! {
            () = state.shutdown.cancelled() => return,
            () = tokio::time::sleep(wait) => {}
            () = bus.wake.notified() => {}
        }
        // Two pings unheard: the subscription is deaf (a half-open connection); subscribe again.
        let (pinged, ponged) = (bus.pinged.load(Ordering::Acquire), bus.ponged.load(Ordering::Acquire));
        if pinged >= ponged + 2 {
            bus.ponged.store(pinged, Ordering::Release);
            bus.deafened();
        }
        let ping = pinged + 1;
        let kept = kept_ms(bus.ttl);
        let answer: redis::RedisResult<(bool,)> = redis::pipe()
            .cmd("PEXPIRE")
            .arg(&alive_key)
            .arg(bus.ttl.as_millis() as u64)
            .cmd("PEXPIRE")
            .arg(&key)
            .arg(kept)
            .ignore()
            .cmd("PEXPIRE")
            .arg(NODES)
            .arg(kept)
            .ignore()
            .cmd("PUBLISH")
            .arg(&ping_channel)
            .arg(bus.wire(&Note::Ping { beat: ping }, None))
            .ignore()
            .query_async(&mut redis)
            .await;
        let alive = match answer {
            Ok((alive,)) => {
                bus.pinged.store(ping, Ordering::Release);
                alive
            }
            Err(err) => {
                bus.failed("the heartbeat", &err);
                bus.broken.store(true, Ordering::Release);
                continue;
            }
        };
        // (While the subscription is down, its return recovers: see `listen`.)
        if (!alive || bus.broken.load(Ordering::Acquire))
            && bus.subscribed.load(Ordering::Acquire)
            && let Err(err) = recover(&state, &bus, alive).await
        {
            bus.failed("writing this node's sessions", &err);
            continue;
        }
        if let Err(err) = find_the_gone(&state, &bus).await {
            bus.failed("looking for stopped nodes", &err);
        }
    }
}

/// After Redis was away: this node's sessions written anew (in order with its other writes),
/// everyone catches up; when it was no longer alive (the others took its users for gone), its
/// users are announced again.
async fn recover(state: &AppState, bus: &Bus, alive: bool) -> crate::Result<()> {
    // Cleared before the rewrite: a write failing after it sets it again.
    let was_broken = bus.broken.swap(false, Ordering::AcqRel);
    let Some(rewritten) = state.hub.rewrite_on_bus() else { return Ok(()) };
    let written = match rewritten.await {
        Ok(written) => written,
        Err(_) => Err(crate::Error::Internal("the bus writer stopped".into())),
    };
    let was_alive = match written {
        Ok(was_alive) => was_alive,
        Err(err) => {
            bus.broken.store(true, Ordering::Release);
            return Err(err);
        }
    };
    // Taken for gone meanwhile: the others dropped what they had for this node's connections.
    if was_broken || !alive || !was_alive {
        bus.send(Out::Note { to: None, note: Note::Resync, payload: None });
        catch_up_here(state).await;
    }
    let left = std::mem::take(&mut *bus.left_meanwhile.lock().unwrap_or_else(PoisonError::into_inner));
    let mut left = left.into_iter().collect::<HashSet<_>>().into_iter();
    while let Some(user) = left.next() {
        let checked = if state.hub.is_online_here(&user) { Ok(true) } else { bus.online_anywhere(&user).await };
        let reported = match checked {
            Ok(true) => Ok(()),
            Ok(false) => crate::presence::gone(state, &user).await,
            Err(err) => Err(err),
        };
        if let Err(err) = reported {
            // Try again at the next heartbeat.
            let mut waiting = bus.left_meanwhile.lock().unwrap_or_else(PoisonError::into_inner);
            waiting.push(user);
            waiting.extend(left);
            bus.broken.store(true, Ordering::Release);
            return Err(err);
        }
    }
    if !alive || !was_alive {
        tracing::warn!("bus: this node had been taken for gone; announcing its users again");
        let users: HashSet<String> = state.hub.sessions_here().into_iter().map(|(user, _)| user).collect();
        for user in users {
            if let Err(err) = crate::presence::announce(state, &user).await {
                tracing::warn!(error = %err, "announcing presence failed");
            }
        }
    }
    Ok(())
}

/// Nodes no longer alive stopped beating: forgotten here (unless heard from since), and one
/// survivor ends their calls and announces their users offline (those not connected
/// elsewhere), reading who was there from the node's hash, which outlives it.
async fn find_the_gone(state: &AppState, bus: &Bus) -> crate::Result<()> {
    let mut redis = bus.redis.clone();
    let checked = Instant::now();
    let listed: Vec<String> = redis::cmd("SMEMBERS").arg(NODES).query_async(&mut redis).await?;
    let mut nodes: HashSet<String> = listed.into_iter().collect();
    nodes.extend(bus.mirror().nodes.keys().map(|node| node.to_string()));
    nodes.remove(&*bus.node);
    let nodes: Vec<String> = nodes.into_iter().collect();
    if nodes.is_empty() {
        return Ok(());
    }
    let mut pipe = redis::pipe();
    for node in &nodes {
        pipe.cmd("EXISTS").arg(alive_key(node));
    }
    let alive: Vec<bool> = pipe.query_async(&mut redis).await?;
    for (node, _) in nodes.iter().zip(alive).filter(|(_, alive)| !alive) {
        if !bus.mirror().drop_node_if_quiet(node, checked) {
            // Heard from since the check: back, not gone.
            continue;
        }
        let claim = format!("{{gk}}:gone:{node}");
        // Shorter than the node's hash lives, so a claim never outlasts what it is about.
        let claimed: i64 = redis::cmd("EVAL")
            .arg(CLAIM)
            .arg(2)
            .arg(alive_key(node))
            .arg(&claim)
            .arg(&*bus.node)
            .arg(kept_ms(bus.ttl) / 2)
            .query_async(&mut redis)
            .await?;
        if claimed == 0 {
            continue;
        }
        if let Err(err) = bury(state, bus, node).await {
            // Another survivor (or this one) tries again at its next heartbeat.
            let _: redis::RedisResult<i64> = redis::cmd("DEL").arg(&claim).query_async(&mut redis).await;
            bus.failed("reporting a stopped node", &err);
        }
    }
    Ok(())
}

/// Ends the calls of a stopped node's sessions and announces its users offline, then removes it.
async fn bury(state: &AppState, bus: &Bus, node: &str) -> crate::Result<()> {
    let mut redis = bus.redis.clone();
    let fields: HashMap<String, String> = redis::cmd("HGETALL").arg(node_key(node)).query_async(&mut redis).await?;
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .filter_map(|(field, user)| field.strip_prefix("s:").map(|session| (user.as_str(), session)))
        .collect();
    if !pairs.is_empty() {
        tracing::warn!(node, sessions = pairs.len(), "bus: a node stopped; its users are offline");
    }
    for (_, session) in &pairs {
        crate::calls::session_gone(state, session).await;
    }
    let users: HashSet<&str> = pairs.iter().map(|(user, _)| *user).collect();
    for user in users {
        if !state.hub.is_online(user) && !bus.online_anywhere(user).await? {
            crate::presence::gone(state, user).await?;
        }
    }
    let buried: i64 = redis::cmd("EVAL")
        .arg(BURY)
        .arg(3)
        .arg(node_key(node))
        .arg(alive_key(node))
        .arg(NODES)
        .arg(node)
        .query_async(&mut redis)
        .await?;
    if buried == 0 {
        // It came back meanwhile: the claim must not stand in the way of a later report.
        let _: i64 = redis::cmd("DEL").arg(format!("{{gk}}:gone:{node}")).query_async(&mut redis).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mirror_follows_sessions_and_nodes() {
        let mut mirror = Mirror::default();
        mirror.up("a", "u1", "s1");
        mirror.up("a", "u1", "s1");
        mirror.up("a", "u1", "s2");
        mirror.up("b", "u1", "s3");
        mirror.up("b", "u2", "s4");
        let mut routes = Routes::default();
        mirror.route_user("u1", &mut routes);
        let mut nodes: Vec<&str> = routes.0.keys().map(|node| &**node).collect();
        nodes.sort_unstable();
        assert_eq!(nodes, ["a", "b"]);

        mirror.down("a", "s1");
        assert!(mirror.has_user("u1") && mirror.has_session("s2") && !mirror.has_session("s1"));
        let mut gone = mirror.drop_node("b");
        gone.sort();
        assert_eq!(gone, [("u1".into(), "s3".into()), ("u2".into(), "s4".into())]);
        assert!(!mirror.has_user("u2"));
        assert_eq!(mirror.nodes_of_user("u1").len(), 1);
        mirror.down("a", "s2");
        assert!(!mirror.has_user("u1") && mirror.sessions.is_empty());

        // A node heard from after the check that found it gone is kept.
        let checked = Instant::now();
        mirror.up("d", "u7", "s7");
        mirror.heard_from("d");
        assert!(!mirror.drop_node_if_quiet("d", checked));
        assert!(mirror.has_session("s7"));
        assert!(mirror.drop_node_if_quiet("d", Instant::now()));
        assert!(!mirror.has_session("s7"));

        let fields = [("~", "1"), ("s:s9", "u9"), ("u:u9", "1")];
        mirror.set_node("c", fields.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect());
        assert_eq!(mirror.nodes_of_session("s9").len(), 1);
        assert!(mirror.has_user("u9"));
    }
}
