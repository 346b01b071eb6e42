//! The bus between server instances (`redis_url` set): whatever the hub, presence and the
//! membership cache must tell another instance travels here, over Redis pub/sub.
//!
//! Each running instance is a *node* with a random id. In Redis:
//! - `gk:node:<id>` (hash, with a TTL of `presence_ttl_secs` refreshed by a heartbeat every
//!   third of it): the device sessions connected to that node, `s:<session>` → user id, and per
//!   user `u:<user>` → how many of their sessions; a field `~` keeps it there while empty. A node
//!   that crashes stops refreshing it, so its users turn offline by themselves;
//! - `gk:nodes` (set): the node ids, for finding each other and the crashed (kept a few TTLs
//!   past the last heartbeat);
//! - `gk:gone:<id>`: taken (`SET NX`) by the one survivor that reports a crashed node's users
//!   offline and ends their calls;
//! - channel `gk:bus:all` for what every node hears (sessions coming and going, endings, a
//!   chat's membership changed, "I am back: reload my sessions"), and `gk:bus:node:<id>` for
//!   pushes meant for one node's connections.
//!
//! Each node keeps a *mirror* of the other nodes' sessions (loaded when it subscribes, then kept
//! by the notes), so routing a push asks no one: frames for connections here go straight into
//! their queues, and the rest is published once per node that holds a recipient. A session's
//! coming and going is one Lua script (the hash and the note change together), and going tells
//! whether the user is still connected anywhere, so exactly the last one out is announced
//! offline, whichever node it was on.
//!
//! A note on the wire: `<from node>\n<header JSON>\n<pushed frame, if any>`.
//!
//! When Redis cannot be reached, writes fail and the subscription drops: the node keeps serving
//! its own connections, retries every second, and once Redis answers again it writes its
//! sessions anew, says hello, and has every connection (its own on a lost subscription, every
//! node's on a lost write) resync, so nobody is silently left behind.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use futures_util::StreamExt;
use prometheus_client::metrics::counter::Counter;
use redis::aio::{ConnectionManager, PubSubStream};
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Utf8Bytes;

use super::Push;
use crate::AppState;

/// Every node hears this channel.
const ALL: &str = "gk:bus:all";
/// The set of node ids.
const NODES: &str = "gk:nodes";
/// Notes written to Redis in one round trip at most.
const BATCH: usize = 256;
/// How long a survivor's claim on reporting a crashed node lasts.
const GONE_CLAIM: Duration = Duration::from_secs(600);
/// While Redis cannot be reached, how often a node tries again.
const RETRY: Duration = Duration::from_secs(1);

/// The node set outlives the last heartbeat of its last node by a few TTLs, then goes.
fn nodes_kept_ms(ttl: Duration) -> u64 {
    ttl.as_millis() as u64 * 4
}

fn node_key(node: &str) -> String {
    format!("gk:node:{node}")
}

fn node_channel(node: &str) -> String {
    format!("gk:bus:node:{node}")
}

/// Adds a session to this node's hash and tells everyone, in one step. KEYS: the node's hash.
/// ARGV: session, user, TTL in ms, the note.
const UP: &str = r"
if redis.call('HSETNX', KEYS[1], 's:' .. ARGV[1], ARGV[2]) == 1 then
  redis.call('HINCRBY', KEYS[1], 'u:' .. ARGV[2], 1)
end
redis.call('HSET', KEYS[1], '~', 1)
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('PUBLISH', 'gk:bus:all', ARGV[4])
return 1
";

/// Whether a user has a session on any live node (`ARGV[2]`), after `ARGV[1]`'s session here
/// left (when given). KEYS: this node's hash, the node set. ARGV: session or '', user, the note
/// or ''. Returns 1 while the user is still connected somewhere.
const DOWN: &str = r"
local user = ARGV[2]
if ARGV[1] ~= '' then
  if redis.call('HDEL', KEYS[1], 's:' .. ARGV[1]) == 1 then
    if redis.call('HINCRBY', KEYS[1], 'u:' .. user, -1) <= 0 then
      redis.call('HDEL', KEYS[1], 'u:' .. user)
    end
  end
  redis.call('PUBLISH', 'gk:bus:all', ARGV[3])
end
for _, node in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  if redis.call('HEXISTS', 'gk:node:' .. node, 'u:' .. user) == 1 then return 1 end
end
return 0
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
    /// The sender stopped.
    Bye,
    /// A chat's membership changed: forget its roster.
    Forget {
        chat: String,
    },
    /// Something meant for connections may have been lost: every connection resyncs.
    Resync,
}

/// Where pushes for users on other nodes go: node → its recipients.
#[derive(Default)]
pub struct Routes(HashMap<Arc<str>, Vec<String>>);

/// What waits to be written to Redis, in order.
enum Out {
    /// A note for one node, or for all.
    Note { to: Option<Arc<str>>, note: Note, payload: Option<Push> },
    /// A device session's first connection here came (`up`) or its last one left.
    Session { up: bool, user: String, session: String },
    /// The last thing: leave the node set, drop the hash, say bye.
    Bye,
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

    /// Forgets a node; its (user, session) pairs.
    fn drop_node(&mut self, node: &str) -> Vec<(String, String)> {
        let Some((node, sessions)) = self.nodes.remove_entry(node) else { return Vec::new() };
        for (session, user) in &sessions {
            self.forget(&node, user, session);
        }
        sessions.into_iter().map(|(session, user)| (user, session)).collect()
    }

    /// Replaces what is known of a node with its hash's fields.
    fn set_node(&mut self, node: &str, fields: HashMap<String, String>) {
        self.drop_node(node);
        self.node_id(node);
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
    client: redis::Client,
    redis: ConnectionManager,
    ttl: Duration,
    outbox: mpsc::UnboundedSender<Out>,
    mirror: Mutex<Mirror>,
    /// A write failed: once Redis answers, write the sessions anew and have everyone resync.
    broken: AtomicBool,
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

impl Bus {
    /// Connects to Redis (failing at once when it cannot be reached) as a new node whose
    /// sessions expire `ttl` after its last heartbeat.
    pub async fn connect(url: &str, ttl: Duration, counters: Counters) -> crate::Result<(Arc<Self>, Parts)> {
        let client = redis::Client::open(url)?;
        let mut first = client.get_multiplexed_async_connection().await?;
        let _: String = redis::cmd("PING").query_async(&mut first).await?;
        let redis = client.get_connection_manager().await?;
        let node: Arc<str> = uuid::Uuid::new_v4().simple().to_string()[..16].into();
        let (outbox, receiver) = mpsc::unbounded_channel();
        let bus = Arc::new(Self {
            node,
            client,
            redis,
            ttl: ttl.max(Duration::from_secs(1)),
            outbox,
            mirror: Mutex::default(),
            broken: AtomicBool::new(false),
            left_meanwhile: Mutex::default(),
            published: counters.published,
            received: counters.received,
            errors: counters.errors,
        });
        Ok((bus, Parts { outbox: receiver }))
    }

    /// A connection to the Redis the bus is on (for what else is shared there).
    pub fn redis(&self) -> ConnectionManager {
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

    pub(super) fn up(&self, user: &str, session: &str) {
        self.send(Out::Session { up: true, user: user.to_owned(), session: session.to_owned() });
    }

    pub(super) fn down(&self, user: &str, session: &str) {
        self.send(Out::Session { up: false, user: user.to_owned(), session: session.to_owned() });
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

    /// Subscribes to this node's channels and loads the mirror of the other nodes.
    async fn subscribe(&self) -> crate::Result<PubSubStream> {
        let mut pubsub = self.client.get_async_pubsub().await?;
        pubsub.subscribe(ALL).await?;
        pubsub.subscribe(node_channel(&self.node)).await?;
        // Subscribed first: whatever changes while the mirror loads arrives after it and is
        // applied on top (each note is idempotent).
        let mut redis = self.redis.clone();
        let nodes: Vec<String> = redis::cmd("SMEMBERS").arg(NODES).query_async(&mut redis).await?;
        let mut loaded = Vec::new();
        for node in nodes.into_iter().filter(|node| **node != *self.node) {
            let fields: HashMap<String, String> =
                redis::cmd("HGETALL").arg(node_key(&node)).query_async(&mut redis).await?;
            loaded.push((node, fields));
        }
        let mut mirror = self.mirror();
        *mirror = Mirror::default();
        for (node, fields) in loaded.into_iter().filter(|(_, fields)| !fields.is_empty()) {
            mirror.set_node(&node, fields);
        }
        drop(mirror);
        Ok(pubsub.into_on_message())
    }

    /// Writes this node's sessions anew (its hash may have expired, or writes were lost),
    /// joins the node set and says hello. Whether the hash had expired.
    async fn write_sessions(&self, sessions: &[(String, String)]) -> crate::Result<bool> {
        let key = node_key(&self.node);
        let mut counts: HashMap<&str, u32> = HashMap::new();
        for (user, _) in sessions {
            *counts.entry(user).or_default() += 1;
        }
        let mut pipe = redis::pipe();
        pipe.cmd("EXISTS").arg(&key);
        pipe.cmd("DEL").arg(&key).ignore();
        pipe.cmd("HSET").arg(&key).arg("~").arg(1).ignore();
        for (user, session) in sessions {
            pipe.cmd("HSET").arg(&key).arg(format!("s:{session}")).arg(user).ignore();
        }
        for (user, count) in counts {
            pipe.cmd("HSET").arg(&key).arg(format!("u:{user}")).arg(count).ignore();
        }
        pipe.cmd("PEXPIRE").arg(&key).arg(self.ttl.as_millis() as u64).ignore();
        pipe.cmd("SADD").arg(NODES).arg(&*self.node).ignore();
        pipe.cmd("PEXPIRE").arg(NODES).arg(nodes_kept_ms(self.ttl)).ignore();
        pipe.cmd("PUBLISH").arg(ALL).arg(self.wire(&Note::Hello, None)).ignore();
        let (existed,): (bool,) = pipe.query_async(&mut self.redis.clone()).await?;
        Ok(existed)
    }

    fn failed(&self, what: &str, err: &dyn std::fmt::Display) {
        self.errors.inc();
        tracing::warn!(error = %err, "bus: {what} failed");
    }
}

/// Starts the bus's work for `state` (whose hub holds it): subscribes and loads the mirror
/// (failing the start when Redis does not answer), then writes, listens and beats until the
/// server stops. The handle ends once this node said bye.
pub async fn start(state: &AppState, parts: Parts) -> crate::Result<JoinHandle<()>> {
    let bus = state.hub.bus().expect("a hub with a bus").clone();
    let stream = bus.subscribe().await?;
    bus.write_sessions(&[]).await?;
    tokio::spawn(listen(state.clone(), bus.clone(), stream));
    tokio::spawn(beat(state.clone(), bus.clone()));
    let (gone, users) = mpsc::unbounded_channel();
    tokio::spawn(report_gone(state.clone(), users));
    Ok(tokio::spawn(write(bus, parts.outbox, gone)))
}

/// Says bye once everything before it was written; waits for that.
pub async fn close(bus: &Bus, writer: JoinHandle<()>) {
    bus.send(Out::Bye);
    if tokio::time::timeout(Duration::from_secs(5), writer).await.is_err() {
        tracing::warn!("bus: saying bye took too long");
    }
}

/// Writes what the hub queues, in order, many notes per round trip. A user whose last session
/// anywhere left goes to `gone`.
async fn write(bus: Arc<Bus>, mut outbox: mpsc::UnboundedReceiver<Out>, gone: mpsc::UnboundedSender<String>) {
    let mut redis = bus.redis.clone();
    let (key, ttl_ms) = (node_key(&bus.node), bus.ttl.as_millis() as u64);
    let mut batch = Vec::with_capacity(BATCH);
    while outbox.recv_many(&mut batch, BATCH).await > 0 {
        let mut pipe = redis::pipe();
        let mut bye = false;
        for out in &batch {
            match out {
                Out::Note { to, note, payload } => {
                    let channel = to.as_deref().map_or_else(|| ALL.to_owned(), node_channel);
                    pipe.cmd("PUBLISH").arg(channel).arg(bus.wire(note, payload.as_ref()));
                }
                Out::Session { up: true, user, session } => {
                    let note = bus.wire(&Note::Up { user: user.clone(), session: session.clone() }, None);
                    pipe.cmd("EVAL").arg(UP).arg(1).arg(&key).arg(session).arg(user).arg(ttl_ms).arg(note);
                }
                Out::Session { up: false, user, session } => {
                    let note = bus.wire(&Note::Down { user: user.clone(), session: session.clone() }, None);
                    pipe.cmd("EVAL").arg(DOWN).arg(2).arg(&key).arg(NODES).arg(session).arg(user).arg(note);
                }
                Out::Bye => {
                    pipe.cmd("SREM").arg(NODES).arg(&*bus.node);
                    pipe.cmd("DEL").arg(&key);
                    pipe.cmd("PUBLISH").arg(ALL).arg(bus.wire(&Note::Bye, None));
                    bye = true;
                }
            }
        }
        match pipe.query_async::<Vec<redis::Value>>(&mut redis).await {
            Ok(answers) => {
                bus.published.inc_by(batch.len() as u64);
                for (out, answer) in batch.iter().zip(answers) {
                    if let (Out::Session { up: false, user, .. }, redis::Value::Int(0)) = (out, answer) {
                        let _ = gone.send(user.clone());
                    }
                }
            }
            Err(err) => {
                bus.failed("writing to Redis", &err);
                bus.broken.store(true, Ordering::Release);
                // Who left while Redis was away is decided once it is back (see `recover`).
                let mut left = bus.left_meanwhile.lock().unwrap_or_else(PoisonError::into_inner);
                for out in &batch {
                    if let Out::Session { up: false, user, .. } = out {
                        left.push(user.clone());
                    }
                }
            }
        }
        batch.clear();
        if bye {
            return;
        }
    }
}

/// Announces users whose last connection anywhere ended.
async fn report_gone(state: AppState, mut users: mpsc::UnboundedReceiver<String>) {
    while let Some(user) = users.recv().await {
        if state.hub.is_online_here(&user) {
            continue;
        }
        if let Err(err) = crate::presence::gone(&state, &user).await {
            tracing::warn!(error = %err, "recording last seen failed");
        }
    }
}

/// Hands each note to the hub, the mirror or the membership cache. When the subscription
/// drops, subscribes again (every second until Redis answers) and has every connection here
/// resync: what was published meanwhile is lost.
async fn listen(state: AppState, bus: Arc<Bus>, mut stream: PubSubStream) {
    let shutdown = state.shutdown.clone();
    loop {
        loop {
            let message = tokio::select! {
                () = shutdown.cancelled() => return,
                message = stream.next() => message,
            };
            let Some(message) = message else { break };
            bus.received.inc();
            on_note(&state, &bus, message.get_payload_bytes()).await;
        }
        bus.failed("the subscription", &"the connection dropped");
        loop {
            tokio::select! {
                () = shutdown.cancelled() => return,
                () = tokio::time::sleep(RETRY) => {}
            }
            match bus.subscribe().await {
                Ok(next) => {
                    stream = next;
                    break;
                }
                Err(err) => bus.failed("subscribing", &err),
            }
        }
        // What was published meanwhile is lost, and Redis may have lost this node's sessions:
        // write them anew and say hello at once (the others load them, now or when they
        // subscribe again), then every connection resyncs.
        tracing::info!("bus: subscribed again; every connection resyncs");
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
    if from == &*bus.node {
        return;
    }
    let note = match serde_json::from_slice::<Note>(header) {
        Ok(note) => note,
        Err(err) => {
            tracing::warn!(error = %err, from, "bus: an unreadable note");
            return;
        }
    };
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
        Note::Up { user, session } => bus.mirror().up(from, &user, &session),
        Note::Down { user: _, session } => bus.mirror().down(from, &session),
        Note::Hello => {
            let loaded: redis::RedisResult<HashMap<String, String>> =
                redis::cmd("HGETALL").arg(node_key(from)).query_async(&mut bus.redis.clone()).await;
            match loaded {
                Ok(fields) => bus.mirror().set_node(from, fields),
                Err(err) => bus.failed("loading a node's sessions", &err),
            }
        }
        Note::Bye => {
            bus.mirror().drop_node(from);
        }
        Note::Forget { chat } => state.members.forget_here(&chat),
        Note::Resync => hub.resync_here(),
    }
}

/// The heartbeat: keeps this node's sessions alive in Redis, writes them anew after a failure
/// (then has every node's connections resync), and finds nodes that stopped beating.
async fn beat(state: AppState, bus: Arc<Bus>) {
    let every = bus.ttl / 3;
    let key = node_key(&bus.node);
    let mut redis = bus.redis.clone();
    loop {
        let wait = if bus.broken.load(Ordering::Acquire) { RETRY.min(every) } else { every };
        tokio::select! {
            () = state.shutdown.cancelled() => return,
            () = tokio::time::sleep(wait) => {}
        }
        let alive: redis::RedisResult<(bool,)> = redis::pipe()
            .cmd("PEXPIRE")
            .arg(&key)
            .arg(bus.ttl.as_millis() as u64)
            .cmd("PEXPIRE")
            .arg(NODES)
            .arg(nodes_kept_ms(bus.ttl))
            .ignore()
            .query_async(&mut redis)
            .await;
        let alive = alive.map(|(alive,)| alive);
        let alive = match alive {
            Ok(alive) => alive,
            Err(err) => {
                bus.failed("the heartbeat", &err);
                bus.broken.store(true, Ordering::Release);
                continue;
            }
        };
        if (!alive || bus.broken.load(Ordering::Acquire))
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

/// After Redis was away: this node's sessions written anew, everyone resyncs; when its hash had
/// expired (the others took its users for gone), its users are announced again.
async fn recover(state: &AppState, bus: &Bus, alive: bool) -> crate::Result<()> {
    let sessions = state.hub.sessions_here();
    let existed = bus.write_sessions(&sessions).await?;
    let was_broken = bus.broken.swap(false, Ordering::AcqRel);
    if was_broken {
        bus.send(Out::Note { to: None, note: Note::Resync, payload: None });
        state.hub.resync_here();
    }
    let left = std::mem::take(&mut *bus.left_meanwhile.lock().unwrap_or_else(PoisonError::into_inner));
    for user in left.into_iter().collect::<HashSet<_>>() {
        if !state.hub.is_online_here(&user) && !bus.online_anywhere(&user).await? {
            crate::presence::gone(state, &user).await?;
        }
    }
    if !alive || !existed {
        tracing::warn!("bus: this node's sessions had expired in Redis; announcing its users again");
        let users: HashSet<String> = sessions.into_iter().map(|(user, _)| user).collect();
        for user in users {
            if let Err(err) = crate::presence::announce(state, &user).await {
                tracing::warn!(error = %err, "announcing presence failed");
            }
        }
    }
    Ok(())
}

/// Nodes whose hash expired stopped beating: forgotten here; one survivor ends their calls and
/// announces their users offline (those not connected elsewhere).
async fn find_the_gone(state: &AppState, bus: &Bus) -> crate::Result<()> {
    let mut redis = bus.redis.clone();
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
        pipe.cmd("EXISTS").arg(node_key(node));
    }
    let exists: Vec<bool> = pipe.query_async(&mut redis).await?;
    for (node, _) in nodes.iter().zip(exists).filter(|(_, exists)| !exists) {
        let _: i64 = redis::cmd("SREM").arg(NODES).arg(node).query_async(&mut redis).await?;
        let pairs = bus.mirror().drop_node(node);
        let claimed: Option<String> = redis::cmd("SET")
            .arg(format!("gk:gone:{node}"))
            .arg(&*bus.node)
            .arg("NX")
            .arg("PX")
            .arg(GONE_CLAIM.as_millis() as u64)
            .query_async(&mut redis)
            .await?;
        if claimed.is_none() {
            continue;
        }
        tracing::warn!(node, sessions = pairs.len(), "bus: a node stopped beating; its users are offline");
        for (_, session) in &pairs {
            crate::calls::session_gone(state, session).await;
        }
        let users: HashSet<&String> = pairs.iter().map(|(user, _)| user).collect();
        for user in users {
            if state.hub.is_online(user) || bus.online_anywhere(user).await? {
                continue;
            }
            if let Err(err) = crate::presence::gone(state, user).await {
                tracing::warn!(error = %err, "recording last seen failed");
            }
        }
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

        let fields = [("~", "1"), ("s:s9", "u9"), ("u:u9", "1")];
        mirror.set_node("c", fields.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect());
        assert_eq!(mirror.nodes_of_session("s9").len(), 1);
        assert!(mirror.has_user("u9"));
    }
}
