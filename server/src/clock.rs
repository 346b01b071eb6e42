//! The time status posts go by: the system's, shifted by an offset only tests move (so a test
//! sees a post expire a day on without waiting a day).

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

#[derive(Debug, Clone, Default)]
pub struct Clock(Arc<AtomicI64>);

impl Clock {
    pub fn now_ms(&self) -> i64 {
        crate::now_ms() + self.0.load(Ordering::Relaxed)
    }

    /// Moves this clock (and every server sharing it) `ms` on.
    pub fn advance(&self, ms: i64) {
        self.0.fetch_add(ms, Ordering::Relaxed);
    }
}

/// A clock is no setting: configurations compare equal whatever their clocks.
impl PartialEq for Clock {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}
