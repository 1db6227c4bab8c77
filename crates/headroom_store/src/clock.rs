//! Injectable time, so retention can be tested without sleeping.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A source of wall-clock time. The store reads it once per operation and keeps times as
/// milliseconds since the Unix epoch (wall clock, not monotonic: entries outlive processes).
pub trait Clock: Send + Sync + std::fmt::Debug {
  /// Milliseconds since the Unix epoch, now.
  fn now_ms(&self) -> i64;
}

/// The real clock ([`SystemTime::now`]).
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
  fn now_ms(&self) -> i64 {
    system_time_ms(SystemTime::now())
  }
}

/// A clock that only moves when told to: for tests of idle TTL, max lifetime and LRU order.
#[derive(Debug, Default)]
pub struct ManualClock(AtomicI64);

impl ManualClock {
  /// A clock standing at `start_ms` milliseconds since the Unix epoch.
  pub fn new(start_ms: i64) -> Self {
    Self(AtomicI64::new(start_ms))
  }

  /// Moves the clock forward by `by`.
  pub fn advance(&self, by: Duration) {
    self.0.fetch_add(duration_ms(by), Ordering::SeqCst);
  }

  /// Sets the clock to `ms` milliseconds since the Unix epoch.
  pub fn set_ms(&self, ms: i64) {
    self.0.store(ms, Ordering::SeqCst);
  }
}

impl Clock for ManualClock {
  fn now_ms(&self) -> i64 {
    self.0.load(Ordering::SeqCst)
  }
}

/// `t` as milliseconds since the Unix epoch (negative before it).
pub(crate) fn system_time_ms(t: SystemTime) -> i64 {
  match t.duration_since(UNIX_EPOCH) {
    Ok(d) => duration_ms(d),
    Err(e) => -duration_ms(e.duration()),
  }
}

/// A duration in whole milliseconds, saturating at `i64::MAX`.
pub(crate) fn duration_ms(d: Duration) -> i64 {
  i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn manual_clock_moves_only_when_told() {
    let c = ManualClock::new(1_000);
    assert_eq!(c.now_ms(), 1_000);
    c.advance(Duration::from_secs(2));
    assert_eq!(c.now_ms(), 3_000);
    c.set_ms(5);
    assert_eq!(c.now_ms(), 5);
  }

  #[test]
  fn system_clock_is_after_2024() {
    assert!(SystemClock.now_ms() > 1_704_067_200_000);
    assert_eq!(duration_ms(Duration::MAX), i64::MAX);
  }
}
