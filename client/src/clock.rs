//! The time reminders go by: the system's, or one a test sets by hand (no sleeps in tests).

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

/// Longest the system clock is slept on at once: a suspended laptop or a clock set by hand is
/// noticed within this.
const SYSTEM_TICK: Duration = Duration::from_secs(30);

/// The system clock, or a manual one.
#[derive(Debug, Clone, Default)]
pub struct Clock(Option<Arc<watch::Sender<i64>>>);

impl Clock {
    pub fn system() -> Self {
        Self(None)
    }

    /// A clock that stands at `now_ms` until set.
    pub fn manual(now_ms: i64) -> Self {
        Self(Some(Arc::new(watch::channel(now_ms).0)))
    }

    pub fn now_ms(&self) -> i64 {
        match &self.0 {
            None => gkchat_proto::now_ms(),
            Some(manual) => *manual.borrow(),
        }
    }

    /// Moves a manual clock to `now_ms` (a system clock cannot be set).
    pub fn set(&self, now_ms: i64) {
        let manual = self.0.as_ref().expect("only a manual clock is set");
        manual.send_replace(now_ms);
    }

    /// Returns when the time may have reached `at_ms`: at it or a little before for the system
    /// clock (the caller looks again), as soon as a manual one stands elsewhere than `seen_ms`
    /// (the time the caller last looked at).
    pub async fn tick(&self, seen_ms: i64, at_ms: i64) {
        match &self.0 {
            None => {
                let wait = u64::try_from(at_ms - gkchat_proto::now_ms()).unwrap_or(0);
                tokio::time::sleep(Duration::from_millis(wait).min(SYSTEM_TICK)).await;
            }
            Some(manual) => {
                let _ = manual.subscribe().wait_for(|&now| now != seen_ms).await;
            }
        }
    }
}
