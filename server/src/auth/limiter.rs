//! Rate limits: sign-in, sign-up, token refresh, phone codes (requests and checks) and the
//! password check of account deletion, per client IP and per account (a login, `phone:<number>`
//! or `delete:<user id>`), so neither one address nor many addresses can hammer one account;
//! uploads per account; quick chats created per IP.

use std::net::IpAddr;
use std::num::NonZeroU32;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::error::{Error, Result};

pub struct Limiter {
    per_ip: DefaultKeyedRateLimiter<IpAddr>,
    per_account: DefaultKeyedRateLimiter<String>,
    uploads: DefaultKeyedRateLimiter<String>,
    quick_chats: DefaultKeyedRateLimiter<IpAddr>,
    clock: DefaultClock,
}

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
        }
    }

    pub fn check_ip(&self, ip: IpAddr) -> Result<()> {
        self.per_ip.check_key(&ip).map_err(|not_until| self.limited(&not_until))
    }

    /// `account` is the normalised login (username or email) the attempt names.
    pub fn check_account(&self, account: &str) -> Result<()> {
        self.per_account.check_key(&account.to_owned()).map_err(|not_until| self.limited(&not_until))
    }

    /// One upload by `user_id`.
    pub fn check_upload(&self, user_id: &str) -> Result<()> {
        self.uploads.check_key(&user_id.to_owned()).map_err(|not_until| self.limited(&not_until))
    }

    /// One quick chat created from `ip`.
    pub fn check_quick_chat(&self, ip: IpAddr) -> Result<()> {
        self.quick_chats.check_key(&ip).map_err(|not_until| self.limited(&not_until))
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
