//! The book of calls going on now: in this process's memory for one instance, in Redis when
//! several instances share one (`redis_url`), so a callee on another instance rings, answers
//! and hangs up, and "busy" holds across instances. Every change is one step (a lock here, a
//! Lua script there), so two devices answering at once cannot both win.
//!
//! In Redis, with a TTL of a day as a last resort (a call between two live devices ends long
//! before; a crashed instance's calls are ended by a survivor, see `hub::bus`):
//! - `{gk}:call:<id>` (hash): `info` (the call's JSON), `caller`, `callee`, `caller_session`,
//!   `callee_session` and `answered_at` once answered, `video` (0|1);
//! - `{gk}:call:in:<user>`: the call a person is in (ringing or answered) — what makes "busy";
//! - `{gk}:call:session:<session>` (set): the calls a device is in, ended when it goes away.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use gkchat_proto::call::{CallInfo, CallKind};

use crate::error::{Error, Result};
use crate::redis_link::Link;

/// How long Redis keeps a call at most.
const KEPT_MS: u64 = 24 * 3600 * 1000;

#[derive(Debug, Clone, PartialEq)]
pub struct ActiveCall {
    pub info: CallInfo,
    pub caller_session: String,
    /// The callee's device that answered.
    pub callee_session: Option<String>,
    pub answered_at: Option<i64>,
    /// Video was on at some point.
    pub video: bool,
}

impl ActiveCall {
    pub fn involves(&self, user_id: &str) -> bool {
        self.info.caller_id == user_id || self.info.callee_id == user_id
    }

    pub fn has_session(&self, session_id: &str) -> bool {
        self.caller_session == session_id || self.callee_session.as_deref() == Some(session_id)
    }

    /// The device on the other end from `mine`, once there is one.
    pub fn other_session(&self, mine: &str) -> Option<String> {
        if self.caller_session == mine { self.callee_session.clone() } else { Some(self.caller_session.clone()) }
    }

    fn from_fields(fields: HashMap<String, String>) -> Result<Self> {
        let broken = |what: &str| Error::Internal(format!("a call in Redis without {what}"));
        let info = fields.get("info").ok_or_else(|| broken("info"))?;
        Ok(Self {
            info: serde_json::from_str(info).map_err(|_| broken("readable info"))?,
            caller_session: fields.get("caller_session").cloned().ok_or_else(|| broken("caller_session"))?,
            callee_session: fields.get("callee_session").cloned(),
            answered_at: fields.get("answered_at").and_then(|at| at.parse().ok()),
            video: fields.get("video").is_some_and(|video| video == "1"),
        })
    }
}

/// What starting a call came to.
pub enum Started {
    /// It rings.
    Ringing,
    /// The callee is in another call: this one is over before it began.
    Busy(ActiveCall),
}

/// Why a call could not start.
#[derive(Debug, PartialEq, Eq)]
pub enum NotStarted {
    /// A call with this id exists.
    Exists,
    /// The caller is in a call already.
    InCall,
}

pub enum Book {
    Memory(Mutex<HashMap<String, ActiveCall>>),
    Redis(Link),
}

impl Default for Book {
    fn default() -> Self {
        Self::Memory(Mutex::default())
    }
}

fn locked(calls: &Mutex<HashMap<String, ActiveCall>>) -> MutexGuard<'_, HashMap<String, ActiveCall>> {
    calls.lock().unwrap_or_else(PoisonError::into_inner)
}

fn call_key(call_id: &str) -> String {
    format!("{{gk}}:call:{call_id}")
}

fn in_key(user_id: &str) -> String {
    format!("{{gk}}:call:in:{user_id}")
}

fn session_key(session_id: &str) -> String {
    format!("{{gk}}:call:session:{session_id}")
}

/// KEYS: the call, the caller's and the callee's `in`, the caller's session set. ARGV: call
/// id, info, caller, callee, caller session, video, TTL in ms.
const START: &str = r"
if redis.call('EXISTS', KEYS[1]) == 1 then return 'exists' end
if redis.call('EXISTS', KEYS[2]) == 1 then return 'in_call' end
if redis.call('EXISTS', KEYS[3]) == 1 then return 'busy' end
redis.call('HSET', KEYS[1], 'info', ARGV[2], 'caller', ARGV[3], 'callee', ARGV[4], 'caller_session', ARGV[5], 'video', ARGV[6])
redis.call('PEXPIRE', KEYS[1], ARGV[7])
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[7])
redis.call('SET', KEYS[3], ARGV[1], 'PX', ARGV[7])
redis.call('SADD', KEYS[4], ARGV[1])
redis.call('PEXPIRE', KEYS[4], ARGV[7])
return 'ok'
";

/// KEYS: the call, the answering session's set. ARGV: call id, user, session, time, TTL in ms.
/// Returns the caller's session, or nil when the call is not ringing for this user.
const ACCEPT: &str = r"
if redis.call('HGET', KEYS[1], 'callee') ~= ARGV[2] then return false end
if redis.call('HEXISTS', KEYS[1], 'answered_at') == 1 then return false end
redis.call('HSET', KEYS[1], 'answered_at', ARGV[4], 'callee_session', ARGV[3])
redis.call('SADD', KEYS[2], ARGV[1])
redis.call('PEXPIRE', KEYS[2], ARGV[5])
return redis.call('HGET', KEYS[1], 'caller_session')
";

/// KEYS: the call. ARGV: call id, '1' to remove it only while unanswered. Returns its fields
/// (flat), or nil.
const REMOVE: &str = r"
local flat = redis.call('HGETALL', KEYS[1])
if #flat == 0 then return false end
local call = {}
for i = 1, #flat, 2 do call[flat[i]] = flat[i + 1] end
if ARGV[2] == '1' and call.answered_at then return false end
redis.call('DEL', KEYS[1])
for _, who in ipairs({call.caller, call.callee}) do
  local key = '{gk}:call:in:' .. who
  if redis.call('GET', key) == ARGV[1] then redis.call('DEL', key) end
end
redis.call('SREM', '{gk}:call:session:' .. call.caller_session, ARGV[1])
if call.callee_session then redis.call('SREM', '{gk}:call:session:' .. call.callee_session, ARGV[1]) end
return flat
";

/// KEYS: the call. Turns `video` on while the call exists.
const VIDEO: &str = r"
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'video', 1) end
return 1
";

fn pairs(flat: Vec<String>) -> HashMap<String, String> {
    let mut fields = HashMap::new();
    let mut flat = flat.into_iter();
    while let (Some(field), Some(value)) = (flat.next(), flat.next()) {
        fields.insert(field, value);
    }
    fields
}

impl Book {
    /// Books `call` when neither person is in a call (then it rings).
    pub async fn start(&self, call: ActiveCall) -> Result<std::result::Result<Started, NotStarted>> {
        match self {
            Self::Memory(calls) => {
                let mut active = locked(calls);
                if active.contains_key(&call.info.call_id) {
                    return Ok(Err(NotStarted::Exists));
                }
                if active.values().any(|c| c.involves(&call.info.caller_id)) {
                    return Ok(Err(NotStarted::InCall));
                }
                if active.values().any(|c| c.involves(&call.info.callee_id)) {
                    return Ok(Ok(Started::Busy(call)));
                }
                active.insert(call.info.call_id.clone(), call);
                Ok(Ok(Started::Ringing))
            }
            Self::Redis(redis) => {
                let info = serde_json::to_string(&call.info).map_err(|err| Error::Internal(err.to_string()))?;
                let answer: String = redis::cmd("EVAL")
                    .arg(START)
                    .arg(4)
                    .arg(call_key(&call.info.call_id))
                    .arg(in_key(&call.info.caller_id))
                    .arg(in_key(&call.info.callee_id))
                    .arg(session_key(&call.caller_session))
                    .arg(&call.info.call_id)
                    .arg(info)
                    .arg(&call.info.caller_id)
                    .arg(&call.info.callee_id)
                    .arg(&call.caller_session)
                    .arg(u8::from(call.video))
                    .arg(KEPT_MS)
                    .query_async(&mut redis.clone())
                    .await?;
                Ok(match answer.as_str() {
                    "exists" => Err(NotStarted::Exists),
                    "in_call" => Err(NotStarted::InCall),
                    "busy" => Ok(Started::Busy(call)),
                    _ => Ok(Started::Ringing),
                })
            }
        }
    }

    /// `user_id`'s device `session_id` answers a call ringing for them: the caller's session,
    /// or `None` when it is not ringing for them.
    pub async fn accept(&self, call_id: &str, user_id: &str, session_id: &str, at: i64) -> Result<Option<String>> {
        match self {
            Self::Memory(calls) => {
                let mut active = locked(calls);
                let Some(call) = active.get_mut(call_id).filter(|c| c.info.callee_id == user_id) else {
                    return Ok(None);
                };
                if call.answered_at.is_some() {
                    return Ok(None);
                }
                call.answered_at = Some(at);
                call.callee_session = Some(session_id.to_owned());
                Ok(Some(call.caller_session.clone()))
            }
            Self::Redis(redis) => Ok(redis::cmd("EVAL")
                .arg(ACCEPT)
                .arg(2)
                .arg(call_key(call_id))
                .arg(session_key(session_id))
                .arg(call_id)
                .arg(user_id)
                .arg(session_id)
                .arg(at)
                .arg(KEPT_MS)
                .query_async(&mut redis.clone())
                .await?),
        }
    }

    pub async fn get(&self, call_id: &str) -> Result<Option<ActiveCall>> {
        match self {
            Self::Memory(calls) => Ok(locked(calls).get(call_id).cloned()),
            Self::Redis(redis) => {
                let fields: HashMap<String, String> =
                    redis::cmd("HGETALL").arg(call_key(call_id)).query_async(&mut redis.clone()).await?;
                if fields.is_empty() { Ok(None) } else { ActiveCall::from_fields(fields).map(Some) }
            }
        }
    }

    /// Notes that video was on in the call.
    pub async fn video_on(&self, call_id: &str) -> Result<()> {
        match self {
            Self::Memory(calls) => {
                if let Some(call) = locked(calls).get_mut(call_id) {
                    call.video = true;
                }
                Ok(())
            }
            Self::Redis(redis) => {
                let _: i64 =
                    redis::cmd("EVAL").arg(VIDEO).arg(1).arg(call_key(call_id)).query_async(&mut redis.clone()).await?;
                Ok(())
            }
        }
    }

    /// Takes the call out of the book (once: whoever gets it ends it); with `unanswered_only`,
    /// only while nobody answered.
    pub async fn remove(&self, call_id: &str, unanswered_only: bool) -> Result<Option<ActiveCall>> {
        match self {
            Self::Memory(calls) => {
                let mut active = locked(calls);
                if unanswered_only && active.get(call_id).is_some_and(|call| call.answered_at.is_some()) {
                    return Ok(None);
                }
                Ok(active.remove(call_id))
            }
            Self::Redis(redis) => {
                let flat: Option<Vec<String>> = redis::cmd("EVAL")
                    .arg(REMOVE)
                    .arg(1)
                    .arg(call_key(call_id))
                    .arg(call_id)
                    .arg(if unanswered_only { "1" } else { "0" })
                    .query_async(&mut redis.clone())
                    .await?;
                flat.map(|flat| ActiveCall::from_fields(pairs(flat))).transpose()
            }
        }
    }

    /// The calls device session `session_id` is in.
    pub async fn of_session(&self, session_id: &str) -> Result<Vec<String>> {
        match self {
            Self::Memory(calls) => {
                Ok(locked(calls).iter().filter(|(_, c)| c.has_session(session_id)).map(|(id, _)| id.clone()).collect())
            }
            Self::Redis(redis) => {
                Ok(redis::cmd("SMEMBERS").arg(session_key(session_id)).query_async(&mut redis.clone()).await?)
            }
        }
    }

    /// The call `user_id` is in (ringing or answered), if any.
    pub async fn call_of(&self, user_id: &str) -> Result<Option<ActiveCall>> {
        match self {
            Self::Memory(calls) => Ok(locked(calls).values().find(|c| c.involves(user_id)).cloned()),
            Self::Redis(redis) => {
                let call_id: Option<String> =
                    redis::cmd("GET").arg(in_key(user_id)).query_async(&mut redis.clone()).await?;
                match call_id {
                    Some(call_id) => self.get(&call_id).await,
                    None => Ok(None),
                }
            }
        }
    }

    /// The calls ringing for `user_id` now.
    pub async fn ringing_for(&self, user_id: &str) -> Result<Vec<CallInfo>> {
        let ringing = |call: &ActiveCall| call.info.callee_id == user_id && call.answered_at.is_none();
        match self {
            Self::Memory(calls) => Ok(locked(calls).values().filter(|c| ringing(c)).map(|c| c.info.clone()).collect()),
            Self::Redis(redis) => {
                let call_id: Option<String> =
                    redis::cmd("GET").arg(in_key(user_id)).query_async(&mut redis.clone()).await?;
                let Some(call_id) = call_id else { return Ok(Vec::new()) };
                Ok(self.get(&call_id).await?.filter(ringing).map(|call| vec![call.info]).unwrap_or_default())
            }
        }
    }
}

/// What kind a finished call had.
pub fn kind_of(call: &ActiveCall) -> CallKind {
    if call.video { CallKind::Video } else { CallKind::Audio }
}
