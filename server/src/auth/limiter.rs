//! Rate limits: sign-in, sign-up, token refresh, phone codes (requests and checks) and the
//! password check of account deletion, per client IP and per account (a login, `phone:<number>`
//! or `delete:<user id>`), so neither one address nor many addresses can hammer one account;
//! uploads per account; quick chats created per IP.
//!
//! One instance counts in memory (`governor`). Several instances sharing a Redis count there
//! together — the same generic cell rate algorithm as one Lua script per check on the key
//! `{gk}:limit:<kind>:<key>`, timed by Redis's clock — so a client cannot multiply its allowance
//! by spreading attempts over instances. Should Redis not answer, each instance falls back to
//! its own count rather than refusing everyone.

use std::net::IpAddr;
use std::num::NonZeroU32;

use crate::redis_link::Link;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::error::{Error, Result};

pub struct Limiter {
    per_ip: DefaultKeyedRateLimiter<IpAddr>,
    per_account: DefaultKeyedRateLimiter<String>,
    uploads: DefaultKeyedRateLimiter<String>,
    quick_chats: DefaultKeyedRateLimiter<IpAddr>,
    clock: DefaultClock,
    limits: PerMinute,
    /// Counts shared with the other instances, when there are some.
    shared: Option<Link>,
}

/// One check of the generic cell rate algorithm. KEYS: the key. ARGV: ms between two
/// allowances, the burst. Returns 0 when allowed, else the ms to wait.
const CHECK: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local every, limit = tonumber(ARGV[1]), tonumber(ARGV[1]) * tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local next_tat = tat + every
if next_tat - now > limit then return math.ceil(next_tat - now - limit) end
redis.call('SET', KEYS[1], tostring(next_tat), 'PX', math.ceil(next_tat - now))
return 0
";

/// Per-minute limits, each with that many in a burst.
#[derive(Debug, Clone, Copy)]
pub struct PerMinute {
    pub auth_per_ip: u32,
    pub auth_per_account: u32,
    pub uploads_per_account: u32,
    pub quick_chats_per_ip: u32,
}

impl Limiter {
    pub fn new(limits: PerMinute) -> Self {
        let quota = |n: u32| Quota::per_minute(NonZeroU32::new(n.max(1)).expect("at least one"));
        Self {
            per_ip: RateLimiter::keyed(quota(limits.auth_per_ip)),
            per_account: RateLimiter::keyed(quota(limits.auth_per_account)),
            uploads: RateLimiter::keyed(quota(limits.uploads_per_account)),
            quick_chats: RateLimiter::keyed(quota(limits.quick_chats_per_ip)),
            clock: DefaultClock::default(),
            limits,
            shared: None,
        }
    }

    /// The same limits, counted in Redis with the other instances.
    pub fn shared(limits: PerMinute, redis: Link) -> Self {
        Self { shared: Some(redis), ..Self::new(limits) }
    }

    pub async fn check_ip(&self, ip: IpAddr) -> Result<()> {
        if let Some(answer) = self.check_shared("ip", &ip.to_string(), self.limits.auth_per_ip).await {
            return answer;
        }
        self.per_ip.check_key(&ip).map_err(|not_until| self.limited(&not_until))
    }

    /// `account` is the normalised login (username or email) the attempt names.
    pub async fn check_account(&self, account: &str) -> Result<()> {
        if let Some(answer) = self.check_shared("account", account, self.limits.auth_per_account).await {
            return answer;
        }
        self.per_account.check_key(&account.to_owned()).map_err(|not_until| self.limited(&not_until))
    }

    /// One upload by `user_id`.
    pub async fn check_upload(&self, user_id: &str) -> Result<()> {
        if let Some(answer) = self.check_shared("upload", user_id, self.limits.uploads_per_account).await {
            return answer;
        }
        self.uploads.check_key(&user_id.to_owned()).map_err(|not_until| self.limited(&not_until))
    }

    /// One quick chat created from `ip`.
    pub async fn check_quick_chat(&self, ip: IpAddr) -> Result<()> {
        if let Some(answer) = self.check_shared("quick", &ip.to_string(), self.limits.quick_chats_per_ip).await {
            return answer;
        }
        self.quick_chats.check_key(&ip).map_err(|not_until| self.limited(&not_until))
    }

    /// The shared count's answer, or `None` for one instance (or when Redis does not answer:
    /// then this instance's own count decides).
    async fn check_shared(&self, kind: &str, key: &str, per_minute: u32) -> Option<Result<()>> {
        let redis = self.shared.as_ref()?;
        let every_ms = 60_000.0 / f64::from(per_minute.max(1));
        let wait: redis::RedisResult<u64> = redis::cmd("EVAL")
            .arg(CHECK)
            .arg(1)
            .arg(format!("{{gk}}:limit:{kind}:{key}"))
            .arg(every_ms)
            .arg(per_minute.max(1))
            .query_async(&mut redis.clone())
            .await;
        match wait {
            Ok(0) => Some(Ok(())),
            Ok(wait_ms) => Some(Err(Error::RateLimited { retry_after_secs: wait_ms.div_ceil(1000).max(1) })),
            Err(err) => {
                tracing::warn!(error = %err, "shared rate limit unavailable; counting here");
                None
            }
        }
    }

    /// Forgets keys whose limits are back to full, so the tables do not grow with every address
    /// ever seen.
    pub fn forget_idle(&self) {
        self.per_ip.retain_recent();
        self.per_account.retain_recent();
        self.uploads.retain_recent();
        self.quick_chats.retain_recent();
    }

    fn limited(&self, not_until: &governor::NotUntil<governor::clock::QuantaInstant>) -> Error {
        let wait = not_until.wait_time_from(self.clock.now());
        Error::RateLimited { retry_after_secs: wait.as_secs().max(1) }
    }
}
