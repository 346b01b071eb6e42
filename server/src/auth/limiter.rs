//! Rate limits on sign-in, sign-up, token refresh and phone codes (requests and checks): per
//! client IP and per account (a login, or `phone:<number>`), so neither one address nor many
//! addresses can hammer one account.

use std::net::IpAddr;
use std::num::NonZeroU32;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::error::{Error, Result};

pub struct Limiter {
    per_ip: DefaultKeyedRateLimiter<IpAddr>,
    per_account: DefaultKeyedRateLimiter<String>,
    clock: DefaultClock,
}

impl Limiter {
    /// `per_ip` and `per_account` attempts a minute, each with that many in a burst.
    pub fn new(per_ip: u32, per_account: u32) -> Self {
        let quota = |n: u32| Quota::per_minute(NonZeroU32::new(n.max(1)).expect("at least one"));
        Self {
            per_ip: RateLimiter::keyed(quota(per_ip)),
            per_account: RateLimiter::keyed(quota(per_account)),
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

    fn limited(&self, not_until: &governor::NotUntil<governor::clock::QuantaInstant>) -> Error {
        let wait = not_until.wait_time_from(self.clock.now());
        Error::RateLimited { retry_after_secs: wait.as_secs().max(1) }
    }
}
