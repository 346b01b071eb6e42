//! Reconnect delays: exponential with jitter, so a restarted server is not hit by every client
//! at the same instant.

use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// Delay ceiling for the first retry.
    pub base: Duration,
    /// Largest delay ever used.
    pub max: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Self { base: Duration::from_millis(500), max: Duration::from_secs(30) }
    }
}

impl Backoff {
    /// Delay before retry number `attempt` (1-based): uniformly random in the upper half of
    /// `min(max, base · 2^(attempt-1))` ("equal jitter").
    pub fn delay(&self, attempt: u32) -> Duration {
        let exp = attempt.saturating_sub(1).min(20);
        let ceiling = self.base.saturating_mul(1 << exp).min(self.max);
        let ceiling_ms = u64::try_from(ceiling.as_millis()).unwrap_or(u64::MAX).max(1);
        Duration::from_millis(ceiling_ms / 2 + fastrand::u64(0..=ceiling_ms / 2))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_then_caps_with_jitter() {
        let backoff = Backoff { base: Duration::from_millis(100), max: Duration::from_secs(2) };
        for _ in 0..200 {
            let first = backoff.delay(1);
            assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(100), "{first:?}");
            let fourth = backoff.delay(4);
            assert!(fourth >= Duration::from_millis(400) && fourth <= Duration::from_millis(800), "{fourth:?}");
            let late = backoff.delay(50);
            assert!(late >= Duration::from_secs(1) && late <= Duration::from_secs(2), "{late:?}");
        }
    }

    #[test]
    fn jitter_spreads_delays() {
        let backoff = Backoff::default();
        let delays: std::collections::HashSet<_> = (0..50).map(|_| backoff.delay(5)).collect();
        assert!(delays.len() > 10, "delays barely vary: {delays:?}");
    }
}
