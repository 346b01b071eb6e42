//! Quick-chat rooms in Redis (`redis_url`), shared by every server instance pointed at it: a
//! room made on one instance is joined, chatted in and ended on any other.
//!
//! Keys of room `<id>`, every one with a TTL:
//! - `{gk}:quick:<id>` (hash): names, link tokens, code hashes, the creation time, presence and
//!   wrong-code counts, sessions (`session:<s>` → 0|1);
//! - `{gk}:quick:<id>:messages` (list of message JSON) — these two expire after the idle time,
//!   refreshed on activity, so an abandoned room vanishes even if no instance is left;
//! - `{gk}:quick:<id>:lock:<0|1>`: a link locked by wrong codes, for the lock time;
//! - `{gk}:quick:<id>:ended`: the marker that lets links say "this chat has ended", for
//!   [`ENDED_KEPT`].
//!
//! Beside them, `{gk}:quick:idle` (a sorted set: room id → idle deadline, with a TTL past the
//! last deadline) lets any instance's sweeper end idle rooms and tell both people, and
//! `{gk}:quick:code-key` holds the HMAC key of the codes, made once with `SET NX` so every
//! instance hashes alike. Live events go out on the channel `{gk}:quick:<id>:events`; an instance
//! subscribes to a room's channel while it has connections in that room. Every change is one Lua
//! script, run atomically, and times come from Redis's clock, so instances never disagree.
//! Every key and channel carries the hash tag `{gk}` (see `redis_link.rs`), so the scripts and
//! the shared index run on a Redis Cluster as on one node.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use futures_util::StreamExt;
use gkchat_proto::account::UnixMillis;
use gkchat_proto::quick::{
    QUICK_CODE_TRIES, QUICK_HISTORY_MAX_BYTES, QUICK_HISTORY_MAX_MESSAGES, QUICK_LOCK_SECS, QuickMessage,
};
use redis::aio::{PubSubSink, PubSubStream};
use redis::{FromRedisValue, Script};
use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;

use crate::redis_link::{Link, Redis};

use super::{
    Attached, CodeKey, Created, ENDED_BY_PERSON, ENDED_IDLE, ENDED_KEPT, Landing, Refused, RoomEvent, RoomEvents,
    random_code, random_hex,
};

/// Every key and channel of quick chats starts with this.
const PREFIX: &str = "{gk}:quick:";
/// Room id → idle deadline (ms, Redis clock), for the sweepers.
const IDLE_INDEX: &str = "{gk}:quick:idle";
/// The HMAC key of the codes. No TTL: it holds nothing of any chat, and a new key would make
/// every living room's codes fail.
const CODE_KEY: &str = "{gk}:quick:code-key";
/// Where versions before the `{gk}` tag kept it.
const OLDER_CODE_KEY: &str = "gk:quick:code-key";
/// The idle index outlives the last deadline in it by this much, so a sweeper (every minute at
/// most) still finds the rooms that just went idle.
const INDEX_MARGIN_MS: u64 = 10 * 60 * 1000;
/// Events waiting for one slow local connection before it is told to start over.
const FEED_CAPACITY: usize = 256;

/// Declarations and helpers every room script starts with. KEYS: the room hash, its
/// messages, its ended marker, the idle index, the two links' locks. ARGV: room id, idle time
/// in ms, the room's channel, then the script's own.
const PRELUDE: &str = r"
local room, messages, ended, idle_index = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local locks = {KEYS[5], KEYS[6]}
local id, idle_ms, channel = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function touch()
  redis.call('PEXPIRE', room, idle_ms)
  redis.call('PEXPIRE', messages, idle_ms)
  redis.call('ZADD', idle_index, now_ms() + idle_ms, id)
  redis.call('PEXPIRE', idle_index, idle_ms + INDEX_MARGIN_MS)
end
local function state()
  if redis.call('EXISTS', ended) == 1 then return 'ended' end
  if redis.call('EXISTS', room) == 0 then return 'unknown' end
  return 'live'
end
local function person(token)
  if token == '' then return nil end
  if redis.call('HGET', room, 'token:0') == token then return 0 end
  if redis.call('HGET', room, 'token:1') == token then return 1 end
  return nil
end
local function joined(me, session)
  return me ~= nil and redis.call('HGET', room, 'session:' .. session) == tostring(me)
end
local function destroy(reason)
  redis.call('DEL', room, messages, locks[1], locks[2])
  redis.call('SET', ended, '1', 'PX', ENDED_KEPT_MS)
  redis.call('ZREM', idle_index, id)
  redis.call('PUBLISH', channel, cjson.encode({ended = reason}))
end
";

/// ARGV 4…: created_at, the two names, the two tokens, the two code hashes (hex).
const CREATE: &str = r"
redis.call('HSET', room, 'created_at', ARGV[4], 'name:0', ARGV[5], 'name:1', ARGV[6],
  'token:0', ARGV[7], 'token:1', ARGV[8], 'code:0', ARGV[9], 'code:1', ARGV[10],
  'present:0', 0, 'present:1', 0, 'fails:0', 0, 'fails:1', 0)
touch()
return 'ok'
";

/// ARGV 4: token. → {state} | {'ok', name, other name, created_at}
const LANDING: &str = r"
local s = state()
if s ~= 'live' then return {s} end
local me = person(ARGV[4])
if me == nil then return {'unknown'} end
return {'ok', redis.call('HGET', room, 'name:' .. me), redis.call('HGET', room, 'name:' .. (1 - me)),
  redis.call('HGET', room, 'created_at')}
";

/// ARGV 4: token. → {state} | {'locked', ms} | {'ok', who, name, code hash}
const JOIN_CHECK: &str = r"
local s = state()
if s ~= 'live' then return {s} end
local me = person(ARGV[4])
if me == nil then return {'unknown'} end
local wait = redis.call('PTTL', locks[me + 1])
if wait > 0 then return {'locked', tostring(wait)} end
return {'ok', tostring(me), redis.call('HGET', room, 'name:' .. me), redis.call('HGET', room, 'code:' .. me)}
";

/// ARGV 4: who, 5: the new session ('' when the code was wrong).
/// → {state} | {'locked', ms} | {'wrong', tries left} | {'ok'}
const JOIN_RESULT: &str = r"
local s = state()
if s ~= 'live' then return {s} end
local me = tonumber(ARGV[4])
-- A guess checked just before another instance locked the link does not get in.
local wait = redis.call('PTTL', locks[me + 1])
if wait > 0 then return {'locked', tostring(wait)} end
if ARGV[5] == '' then
  local fails = redis.call('HINCRBY', room, 'fails:' .. me, 1)
  if fails >= CODE_TRIES then
    redis.call('HSET', room, 'fails:' .. me, 0)
    redis.call('SET', locks[me + 1], '1', 'PX', LOCK_MS)
    return {'locked', tostring(LOCK_MS)}
  end
  return {'wrong', tostring(CODE_TRIES - fails)}
end
redis.call('HSET', room, 'fails:' .. me, 0, 'session:' .. ARGV[5], me)
touch()
return {'ok'}
";

/// ARGV 4: token, 5: session. → 1 | 0
const HAS_SESSION: &str = r"
if state() ~= 'live' then return 0 end
if joined(person(ARGV[4]), ARGV[5]) then return 1 end
return 0
";

/// ARGV 4: token, 5: session. → {state} | {'ok', who, name 0, name 1, other's connections, message…}
const ATTACH: &str = r"
local s = state()
if s ~= 'live' then return {s} end
local me = person(ARGV[4])
if not joined(me, ARGV[5]) then return {'unknown'} end
local here = redis.call('HINCRBY', room, 'present:' .. me, 1)
touch()
if here == 1 then redis.call('PUBLISH', channel, cjson.encode({presence = {who = me, here = true}})) end
local out = {'ok', tostring(me), redis.call('HGET', room, 'name:0'), redis.call('HGET', room, 'name:1'),
  redis.call('HGET', room, 'present:' .. (1 - me))}
for _, message in ipairs(redis.call('LRANGE', messages, 0, -1)) do table.insert(out, message) end
return out
";

/// ARGV 4: who. Leaving is not activity: the TTLs stay as they are.
const DETACH: &str = r"
if redis.call('EXISTS', room) == 0 then return 0 end
local me = tonumber(ARGV[4])
if redis.call('HINCRBY', room, 'present:' .. me, -1) <= 0 then
  redis.call('HSET', room, 'present:' .. me, 0)
  redis.call('PUBLISH', channel, cjson.encode({presence = {who = me, here = false}}))
end
return 0
";

/// ARGV 4: who, 5: text, 6: at. → {state} | {'ok', message JSON}
/// The oldest messages fall off beyond HISTORY_MESSAGES messages or HISTORY_BYTES bytes of text.
const SAY: &str = r#"
local s = state()
if s ~= 'live' then return {s} end
if redis.call('HEXISTS', room, 'seq') == 0 then
  -- A room from before the history caps: count what it holds once.
  local bytes = 0
  for _, old in ipairs(redis.call('LRANGE', messages, 0, -1)) do bytes = bytes + string.len(cjson.decode(old).text) end
  redis.call('HSET', room, 'seq', redis.call('LLEN', messages), 'text_bytes', bytes)
end
local seq = redis.call('HINCRBY', room, 'seq', 1)
local message = cjson.encode({seq = seq, from = tonumber(ARGV[4]), text = ARGV[5], at = tonumber(ARGV[6])})
redis.call('RPUSH', messages, message)
local bytes = redis.call('HINCRBY', room, 'text_bytes', string.len(ARGV[5]))
while redis.call('LLEN', messages) > HISTORY_MESSAGES or bytes > HISTORY_BYTES do
  local oldest = redis.call('LPOP', messages)
  if not oldest then break end
  bytes = redis.call('HINCRBY', room, 'text_bytes', -string.len(cjson.decode(oldest).text))
end
touch()
redis.call('PUBLISH', channel, '{"message":' .. message .. '}')
return {'ok', message}
"#;

/// ARGV 4: token, 5: session, 6: reason. → state | 'ok'
const END: &str = r"
local s = state()
if s ~= 'live' then return s end
if not joined(person(ARGV[4]), ARGV[5]) then return 'unknown' end
destroy(ARGV[6])
return 'ok'
";

/// Ends the room if it is idle or gone (its keys expired, or Redis lost them). ARGV 4: reason.
/// → 1 when it ended now.
const EXPIRE: &str = r"
if redis.call('EXISTS', ended) == 1 then
  redis.call('ZREM', idle_index, id)
  return 0
end
local deadline = redis.call('ZSCORE', idle_index, id)
if redis.call('EXISTS', room) == 1 and (not deadline or tonumber(deadline) > now_ms()) then return 0 end
destroy(ARGV[4])
return 1
";

/// KEYS 1: the idle index. → ids of rooms past their idle deadline.
const DUE: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
return redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, 500)
";

/// The scripts, with the prelude and our limits filled in.
struct Scripts {
    create: Script,
    landing: Script,
    join_check: Script,
    join_result: Script,
    has_session: Script,
    attach: Script,
    detach: Script,
    say: Script,
    end: Script,
    expire: Script,
    due: Script,
}

impl Scripts {
    fn new() -> Self {
        let lock_ms = QUICK_LOCK_SECS * 1000;
        let prelude = PRELUDE
            .replace("INDEX_MARGIN_MS", &INDEX_MARGIN_MS.to_string())
            .replace("ENDED_KEPT_MS", &ENDED_KEPT.as_millis().to_string());
        let room = |body: &str| {
            let body = body
                .replace("CODE_TRIES", &QUICK_CODE_TRIES.to_string())
                .replace("LOCK_MS", &lock_ms.to_string())
                .replace("HISTORY_MESSAGES", &QUICK_HISTORY_MAX_MESSAGES.to_string())
                .replace("HISTORY_BYTES", &QUICK_HISTORY_MAX_BYTES.to_string());
            Script::new(&format!("{prelude}{body}"))
        };
        Self {
            create: room(CREATE),
            landing: room(LANDING),
            join_check: room(JOIN_CHECK),
            join_result: room(JOIN_RESULT),
            has_session: room(HAS_SESSION),
            attach: room(ATTACH),
            detach: room(DETACH),
            say: room(SAY),
            end: room(END),
            expire: room(EXPIRE),
            due: Script::new(DUE),
        }
    }
}

fn room_key(room_id: &str) -> String {
    format!("{PREFIX}{room_id}")
}

fn channel(room_id: &str) -> String {
    format!("{PREFIX}{room_id}:events")
}

/// Room ids are ours (24 hex digits); anything else could name another room's key.
fn is_room_id(room_id: &str) -> bool {
    room_id.len() == 24 && room_id.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn from_hex(hex: &str) -> Option<Vec<u8>> {
    if !hex.len().is_multiple_of(2) {
        return None;
    }
    (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok()).collect()
}

fn unavailable(err: &redis::RedisError) -> Refused {
    tracing::error!(error = %err, "quick chats: Redis failed");
    Refused::Unavailable
}

/// A script's refusal (`ended` or `unknown`) as ours.
fn refusal(state: &str) -> Refused {
    match state {
        "ended" => Refused::Ended,
        "unknown" => Refused::Unknown,
        other => {
            tracing::error!(answer = other, "quick chats: unexpected answer from Redis");
            Refused::Unavailable
        }
    }
}

/// Quick-chat rooms in Redis, with this instance's subscriptions to the rooms its connections
/// are in.
pub struct RedisRooms {
    idle: Duration,
    key: CodeKey,
    redis: Link,
    scripts: Scripts,
    feeds: Arc<Feeds>,
}

impl RedisRooms {
    /// On `shared` (connected by the caller): reads or makes the shared code key, subscribes,
    /// and listens to room channels until `shutdown`.
    pub async fn open(shared: Arc<Redis>, idle: Duration, shutdown: CancellationToken) -> crate::Result<Self> {
        let mut first = shared.link();
        // The key under its name before the `{gk}` tag, if an older version made one: codes
        // already handed out keep working.
        let older: Option<String> = redis::cmd("GET").arg(OLDER_CODE_KEY).query_async(&mut first).await?;
        let made = older.unwrap_or_else(|| to_hex(&CodeKey::random().0));
        let _: redis::Value = redis::cmd("SET").arg(CODE_KEY).arg(&made).arg("NX").query_async(&mut first).await?;
        let kept: String = redis::cmd("GET").arg(CODE_KEY).query_async(&mut first).await?;
        if kept == made {
            let _: i64 = redis::cmd("DEL").arg(OLDER_CODE_KEY).query_async(&mut first).await?;
        }
        let key = from_hex(&kept)
            .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
            .ok_or_else(|| crate::Error::Config(format!("Redis key {CODE_KEY} is not 32 bytes in hex")))?;
        let redis = shared.link();
        let (sink, stream) = shared.pubsub().await?.split();
        let feeds = Arc::new(Feeds {
            shared,
            sink: tokio::sync::Mutex::new(Some(sink)),
            rooms: Mutex::default(),
            next_id: AtomicU64::new(1),
        });
        tokio::spawn(Feeds::listen(feeds.clone(), stream, shutdown));
        Ok(Self { idle, key: CodeKey(key), redis, scripts: Scripts::new(), feeds })
    }

    pub fn idle(&self) -> Duration {
        self.idle
    }

    /// Runs a room script for `room_id` with its own arguments.
    async fn run<T: FromRedisValue>(&self, script: &Script, room_id: &str, args: &[&str]) -> Result<T, Refused> {
        let key = room_key(room_id);
        let mut call = script.key(&key);
        call.key(format!("{key}:messages"))
            .key(format!("{key}:ended"))
            .key(IDLE_INDEX)
            .key(format!("{key}:lock:0"))
            .key(format!("{key}:lock:1"))
            .arg(room_id)
            .arg(u64::try_from(self.idle.as_millis()).unwrap_or(u64::MAX).max(1))
            .arg(channel(room_id));
        for arg in args {
            call.arg(*arg);
        }
        call.invoke_async(&mut self.redis.clone()).await.map_err(|err| unavailable(&err))
    }

    pub async fn create(&self, names: [String; 2], now_ms: UnixMillis) -> Result<Created, Refused> {
        let room_id = random_hex(12);
        let people = names.map(|name| (name, random_hex(16), random_code()));
        let hashes = people.clone().map(|(_, token, code)| to_hex(&self.key.hash(&room_id, &token, &code)));
        let created_at = now_ms.to_string();
        let args =
            [created_at.as_str(), &people[0].0, &people[1].0, &people[0].1, &people[1].1, &hashes[0], &hashes[1]];
        let _: String = self.run(&self.scripts.create, &room_id, &args).await?;
        Ok(Created { room_id, people })
    }

    pub async fn landing(&self, room_id: &str, token: &str) -> Result<Landing, Refused> {
        if !is_room_id(room_id) {
            return Err(Refused::Unknown);
        }
        let answer: Vec<String> = self.run(&self.scripts.landing, room_id, &[token]).await?;
        match answer.as_slice() {
            [ok, name, other_name, created_at] if ok == "ok" => Ok(Landing {
                name: name.clone(),
                other_name: other_name.clone(),
                created_at: created_at.parse().unwrap_or_default(),
            }),
            [state, ..] => Err(refusal(state)),
            [] => Err(refusal("")),
        }
    }

    pub async fn join(&self, room_id: &str, token: &str, name: &str, code: &str) -> Result<String, Refused> {
        if !is_room_id(room_id) {
            return Err(Refused::Unknown);
        }
        let check: Vec<String> = self.run(&self.scripts.join_check, room_id, &[token]).await?;
        let (who, matches) = match check.as_slice() {
            [ok, who, expected_name, code_hash] if ok == "ok" => {
                let code_hash = from_hex(code_hash).unwrap_or_default();
                (who.clone(), self.key.matches(room_id, token, (expected_name, &code_hash), name, code))
            }
            other => return Err(join_refusal(other)),
        };
        let session = if matches { random_hex(24) } else { String::new() };
        let result: Vec<String> = self.run(&self.scripts.join_result, room_id, &[&who, &session]).await?;
        match result.as_slice() {
            [ok] if ok == "ok" => Ok(session),
            other => Err(join_refusal(other)),
        }
    }

    pub async fn has_session(&self, room_id: &str, token: &str, session: &str) -> bool {
        is_room_id(room_id) && self.run::<i64>(&self.scripts.has_session, room_id, &[token, session]).await == Ok(1)
    }

    pub async fn attach(&self, room_id: &str, token: &str, session: &str) -> Result<Attached, Refused> {
        if !is_room_id(room_id) {
            return Err(Refused::Unknown);
        }
        // Subscribed before the history is read, so no message falls between the two.
        let (events, subscription) = Feeds::subscribe(&self.feeds, room_id).await?;
        let answer: Vec<String> = self.run(&self.scripts.attach, room_id, &[token, session]).await?;
        let [ok, who, name_0, name_1, other_present, messages @ ..] = answer.as_slice() else {
            return Err(refusal(answer.first().map_or("", String::as_str)));
        };
        if ok != "ok" {
            return Err(refusal(ok));
        }
        let messages = messages
            .iter()
            .map(|json| serde_json::from_str::<QuickMessage>(json))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|err| {
                tracing::error!(error = %err, "quick chats: a stored message does not parse");
                Refused::Unavailable
            })?;
        Ok(Attached {
            me: if who == "1" { 1 } else { 0 },
            names: [name_0.clone(), name_1.clone()],
            other_here: other_present.parse::<i64>().unwrap_or(0) > 0,
            events: RoomEvents {
                events,
                seen_seq: messages.last().map_or(0, |m| m.seq),
                _subscription: Some(subscription),
            },
            messages,
        })
    }

    pub async fn detach(&self, room_id: &str, me: u8) {
        let _: Result<i64, _> = self.run(&self.scripts.detach, room_id, &[&me.to_string()]).await;
    }

    pub async fn say(&self, room_id: &str, me: u8, text: &str, now_ms: UnixMillis) -> Result<QuickMessage, Refused> {
        let answer: Vec<String> =
            self.run(&self.scripts.say, room_id, &[&me.to_string(), text, &now_ms.to_string()]).await?;
        match answer.as_slice() {
            [ok, json] if ok == "ok" => serde_json::from_str(json).map_err(|err| {
                tracing::error!(error = %err, "quick chats: a stored message does not parse");
                Refused::Unavailable
            }),
            [state, ..] => Err(refusal(state)),
            [] => Err(refusal("")),
        }
    }

    pub async fn end(&self, room_id: &str, token: &str, session: &str) -> Result<(), Refused> {
        if !is_room_id(room_id) {
            return Err(Refused::Unknown);
        }
        let answer: String = self.run(&self.scripts.end, room_id, &[token, session, ENDED_BY_PERSON]).await?;
        if answer == "ok" { Ok(()) } else { Err(refusal(&answer)) }
    }

    /// Ends the rooms past their idle deadline (any instance's: the index is shared, and the
    /// script ends a room once however many sweepers race) and also checks the rooms this
    /// instance's connections are in, so a room whose keys vanished without passing through
    /// the index (it outlived the index, or Redis lost it) still tells its people it ended.
    pub async fn sweep(&self) -> usize {
        let mut due: Vec<String> = match self.scripts.due.key(IDLE_INDEX).invoke_async(&mut self.redis.clone()).await {
            Ok(due) => due,
            Err(err) => {
                unavailable(&err);
                Vec::new()
            }
        };
        due.extend(self.feeds.rooms().keys().cloned());
        due.sort_unstable();
        due.dedup();
        let mut ended = 0;
        for room_id in due {
            if self.run::<i64>(&self.scripts.expire, &room_id, &[ENDED_IDLE]).await == Ok(1) {
                ended += 1;
            }
        }
        ended
    }
}

fn join_refusal(answer: &[String]) -> Refused {
    match answer {
        [locked, ms] if locked == "locked" => Refused::Locked(Duration::from_millis(ms.parse().unwrap_or(1000))),
        [wrong, left] if wrong == "wrong" => Refused::WrongCode { tries_left: left.parse().unwrap_or(0) },
        [state, ..] => refusal(state),
        [] => refusal(""),
    }
}

/// This instance's feeds of the rooms its connections are in, fed by one subscription
/// connection.
struct Feeds {
    /// Where subscription connections are opened.
    shared: Arc<Redis>,
    /// Subscribing and unsubscribing take turns here, so a late unsubscribe never undoes a
    /// newer subscribe of the same room. `None` while the connection is being remade.
    sink: tokio::sync::Mutex<Option<PubSubSink>>,
    rooms: Mutex<HashMap<String, Feed>>,
    next_id: AtomicU64,
}

struct Feed {
    /// Tells this feed from a later one of the same room.
    id: u64,
    sender: broadcast::Sender<RoomEvent>,
    connections: usize,
}

/// One connection's hold on its room's feed; dropping it lets go.
pub(super) struct Subscription {
    feeds: Arc<Feeds>,
    room_id: String,
    feed_id: u64,
}

impl Drop for Subscription {
    fn drop(&mut self) {
        Feeds::release(&self.feeds, &self.room_id, self.feed_id);
    }
}

impl Feeds {
    fn rooms(&self) -> MutexGuard<'_, HashMap<String, Feed>> {
        self.rooms.lock().unwrap_or_else(PoisonError::into_inner)
    }

    async fn subscribe(
        feeds: &Arc<Self>,
        room_id: &str,
    ) -> Result<(broadcast::Receiver<RoomEvent>, Subscription), Refused> {
        let mut sink = feeds.sink.lock().await;
        let hold = |feed: &mut Feed| {
            feed.connections += 1;
            let subscription = Subscription { feeds: feeds.clone(), room_id: room_id.to_owned(), feed_id: feed.id };
            (feed.sender.subscribe(), subscription)
        };
        if let Some(feed) = feeds.rooms().get_mut(room_id) {
            return Ok(hold(feed));
        }
        let Some(sink) = sink.as_mut() else {
            tracing::warn!("quick chats: no Redis subscription connection now");
            return Err(Refused::Unavailable);
        };
        sink.subscribe(channel(room_id)).await.map_err(|err| unavailable(&err))?;
        let mut feed = Feed {
            id: feeds.next_id.fetch_add(1, Ordering::Relaxed),
            sender: broadcast::channel(FEED_CAPACITY).0,
            connections: 0,
        };
        let held = hold(&mut feed);
        feeds.rooms().insert(room_id.to_owned(), feed);
        Ok(held)
    }

    fn release(feeds: &Arc<Self>, room_id: &str, feed_id: u64) {
        {
            let mut rooms = feeds.rooms();
            let Some(feed) = rooms.get_mut(room_id).filter(|feed| feed.id == feed_id) else { return };
            feed.connections -= 1;
            if feed.connections > 0 {
                return;
            }
            rooms.remove(room_id);
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else { return };
        let (feeds, room_id) = (feeds.clone(), room_id.to_owned());
        runtime.spawn(async move {
            let mut sink = feeds.sink.lock().await;
            let wanted_again = feeds.rooms().contains_key(&room_id);
            if let (false, Some(sink)) = (wanted_again, sink.as_mut())
                && let Err(err) = sink.unsubscribe(channel(&room_id)).await
            {
                tracing::warn!(error = %err, "quick chats: unsubscribe failed");
            }
        });
    }

    /// Hands each event to the local feed of its room. When the subscription connection
    /// drops, every local feed closes (its connections close and the pages reconnect) and the
    /// connection is made again.
    async fn listen(feeds: Arc<Self>, mut stream: PubSubStream, shutdown: CancellationToken) {
        loop {
            loop {
                let message = tokio::select! {
                    () = shutdown.cancelled() => return,
                    message = stream.next() => message,
                };
                let Some(message) = message else { break };
                let room_id = message
                    .get_channel_name()
                    .strip_prefix(PREFIX)
                    .and_then(|rest| rest.strip_suffix(":events"))
                    .unwrap_or_default();
                let event = message.get_payload::<String>().ok().and_then(|json| serde_json::from_str(&json).ok());
                match (feeds.rooms().get(room_id), event) {
                    (Some(feed), Some(event)) => {
                        let _ = feed.sender.send(event);
                    }
                    (_, None) => {
                        tracing::warn!(channel = message.get_channel_name(), "quick chats: an unreadable event")
                    }
                    (None, Some(_)) => {}
                }
            }
            tracing::warn!("quick chats: the Redis subscription connection dropped; reconnecting");
            *feeds.sink.lock().await = None;
            feeds.rooms().clear();
            loop {
                tokio::select! {
                    () = shutdown.cancelled() => return,
                    () = tokio::time::sleep(Duration::from_secs(1)) => {}
                }
                match feeds.shared.pubsub().await {
                    Ok(pubsub) => {
                        let (sink, next) = pubsub.split();
                        *feeds.sink.lock().await = Some(sink);
                        stream = next;
                        break;
                    }
                    Err(err) => tracing::warn!(error = %err, "quick chats: Redis subscription connection failed"),
                }
            }
        }
    }
}
