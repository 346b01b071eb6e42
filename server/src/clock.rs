//! The time status posts and disappearing messages go by: the system's, shifted by an offset
//! only tests move (so a test sees a post expire a day on without waiting a day). Whoever acts
//! at a time (the message sweeper) also wakes when the clock moves.

use std::sync::Arc;

use tokio::sync::watch;

#[derive(Debug, Clone)]
pub struct Clock(Arc<watch::Sender<i64>>);

impl Default for Clock {
    fn default() -> Self {
        Self(Arc::new(watch::Sender::new(0)))
    }
}

impl Clock {
    pub fn now_ms(&self) -> i64 {
        crate::now_ms() + *self.0.borrow()
    }

    /// Moves this clock (and every server sharing it) `ms` on.
    pub fn advance(&self, ms: i64) {
        self.0.send_modify(|offset| *offset += ms);
    }

    /// Tells its holder each time the clock is moved.
    pub fn moves(&self) -> watch::Receiver<i64> {
        self.0.subscribe()
    }
}

/// A clock is no setting: configurations compare equal whatever their clocks.
impl PartialEq for Clock {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}
