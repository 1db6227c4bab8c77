//! Error messages, written for a model reading them: what happened, then one imperative,
//! final instruction. An `EXPIRED` or `UNKNOWN_HASH` answer never invites a retry.

use std::fmt::Write as _;
use std::path::Path;

use headroom_core::{Error, ErrorCode};

/// What the caller should do after a terminal miss.
const RERUN: &str = "do not retry; re-run the command that produced the original";

/// Why an entry became a tombstone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reason {
  /// Not read or put for longer than the idle TTL.
  Idle,
  /// Older than the maximum lifetime.
  Lifetime,
  /// Evicted (least recently used) to keep the store under its caps.
  Evicted,
  /// Removed by an explicit purge.
  Purged,
}

impl Reason {
  pub(crate) fn as_str(self) -> &'static str {
    match self {
      Reason::Idle => "idle",
      Reason::Lifetime => "lifetime",
      Reason::Evicted => "evicted",
      Reason::Purged => "purged",
    }
  }

  pub(crate) fn parse(s: &str) -> Reason {
    match s {
      "idle" => Reason::Idle,
      "lifetime" => Reason::Lifetime,
      "evicted" => Reason::Evicted,
      _ => Reason::Purged,
    }
  }
}

/// `UNKNOWN_HASH` for a key that is not a well-formed retrieve key.
pub(crate) fn malformed(key: &str, min_len: usize) -> Error {
  let mut shown: String = key.chars().take(80).collect();
  if shown.len() < key.len() {
    shown.push('…');
  }
  Error::new(
    ErrorCode::UnknownHash,
    format!(
      "hash {shown:?} is malformed: a retrieve hash is {min_len} to 64 lowercase hex characters, \
       copied exactly from a marker's `retrieve hash=` field; do not retry with this value"
    ),
  )
}

/// `UNKNOWN_HASH` for a well-formed key the store has never held (or whose tombstone is gone).
pub(crate) fn unknown(key: &str) -> Error {
  Error::new(
    ErrorCode::UnknownHash,
    format!(
      "hash {key} is unknown to this store: do not retry; if it came from a marker, re-run \
       the command that produced the original"
    ),
  )
}

/// `EXPIRED` for a key whose entry became a tombstone `ago_ms` ago for `reason`.
pub(crate) fn expired(key: &str, reason: Reason, detail: &str, ago_ms: i64) -> Error {
  let what = match reason {
    Reason::Idle | Reason::Lifetime => "expired",
    Reason::Evicted => "was evicted",
    Reason::Purged => "was purged",
  };
  let mut msg = format!("hash {key} {what}");
  if !detail.is_empty() {
    let _ = write!(msg, " ({detail})");
  }
  if ago_ms > 0 {
    let _ = write!(msg, " {} ago", human_ms(ago_ms));
  }
  let _ = write!(msg, ": {RERUN}");
  Error::new(ErrorCode::Expired, msg)
}

/// `STORE_ERROR` naming the store's path and the operation.
pub(crate) fn store_error(path: Option<&Path>, op: &str, err: impl std::fmt::Display) -> Error {
  let place = path.map_or_else(|| ":memory:".to_string(), |p| p.display().to_string());
  Error::new(
    ErrorCode::StoreError,
    format!("CCR store {place}: {op}: {err}"),
  )
}

/// `STORE_ERROR` for a store named by a label rather than a path (a Redis URL, its password
/// left out).
#[cfg(feature = "redis")]
pub(crate) fn store_error_at(place: &str, op: &str, err: impl std::fmt::Display) -> Error {
  Error::new(
    ErrorCode::StoreError,
    format!("CCR store {place}: {op}: {err}"),
  )
}

/// `STORE_UNAVAILABLE`: the store's server could not be reached or did not answer in time.
/// Unlike `EXPIRED`, this one is transient.
#[cfg(feature = "redis")]
pub(crate) fn unavailable(place: &str, op: &str, err: impl std::fmt::Display) -> Error {
  Error::new(
    ErrorCode::StoreUnavailable,
    format!(
      "CCR store {place}: {op}: the store server is unavailable ({err}); retry later or check \
       that it is running"
    ),
  )
}

/// The tombstone detail of an idle expiry, e.g. `idle 25h > 24h`.
pub(crate) fn idle_detail(idle_ms: i64, ttl_ms: i64) -> String {
  format!("idle {} > {}", human_ms(idle_ms), human_ms(ttl_ms))
}

/// The tombstone detail of a lifetime expiry, e.g. `age 7d2h > max lifetime 7d`.
pub(crate) fn lifetime_detail(age_ms: i64, max_ms: i64) -> String {
  format!(
    "age {} > max lifetime {}",
    human_ms(age_ms),
    human_ms(max_ms)
  )
}

/// The tombstone detail of an LRU eviction.
pub(crate) fn evicted_detail(max_entries: u64, max_bytes: u64) -> String {
  format!(
    "least recently used, to keep the store under {max_entries} entries and {}",
    human_bytes(max_bytes)
  )
}

/// A duration for people and models: `45s`, `30m`, `25h`, `24h30m`, `7d`, `7d2h`.
/// Below a minute: seconds; below an hour: minutes; below 3 days: hours (and minutes);
/// beyond: days (and hours). Truncates, never rounds up past a limit.
pub(crate) fn human_ms(ms: i64) -> String {
  let s = ms.max(0) / 1000;
  let (m, h, d) = (s / 60, s / 3600, s / 86_400);
  if s < 60 {
    format!("{s}s")
  } else if m < 60 {
    format!("{m}m")
  } else if h < 72 {
    match m % 60 {
      0 => format!("{h}h"),
      rest => format!("{h}h{rest}m"),
    }
  } else {
    match h % 24 {
      0 => format!("{d}d"),
      rest => format!("{d}d{rest}h"),
    }
  }
}

/// Bytes for people: `512 B`, `4 KiB`, `256 MiB` (whole units when exact, else one decimal).
pub(crate) fn human_bytes(n: u64) -> String {
  const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
  if n < 1024 {
    return format!("{n} B");
  }
  let mut v = n as f64;
  let mut unit = "B";
  for u in UNITS {
    if v < 1024.0 {
      break;
    }
    v /= 1024.0;
    unit = u;
  }
  if v.fract() == 0.0 {
    format!("{v:.0} {unit}")
  } else {
    format!("{v:.1} {unit}")
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  const H: i64 = 3_600_000;

  #[test]
  fn durations_read_naturally() {
    assert_eq!(human_ms(0), "0s");
    assert_eq!(human_ms(45_000), "45s");
    assert_eq!(human_ms(30 * 60_000), "30m");
    assert_eq!(human_ms(25 * H), "25h");
    assert_eq!(human_ms(24 * H + 30 * 60_000), "24h30m");
    assert_eq!(human_ms(7 * 24 * H), "7d");
    assert_eq!(human_ms(7 * 24 * H + 2 * H), "7d2h");
    assert_eq!(human_ms(-5), "0s");
  }

  #[test]
  fn bytes_read_naturally() {
    assert_eq!(human_bytes(512), "512 B");
    assert_eq!(human_bytes(4096), "4 KiB");
    assert_eq!(human_bytes(256 << 20), "256 MiB");
    assert_eq!(human_bytes(1536), "1.5 KiB");
  }

  #[test]
  fn expired_message_is_terminal_and_imperative() {
    let e = expired(
      "3f2a9c0d1e4b5a69",
      Reason::Idle,
      &idle_detail(25 * H, 24 * H),
      0,
    );
    assert_eq!(e.code, ErrorCode::Expired);
    assert_eq!(
      e.message,
      "hash 3f2a9c0d1e4b5a69 expired (idle 25h > 24h): do not retry; re-run the command \
       that produced the original"
    );
    let e = expired("ab", Reason::Evicted, "x", 2 * H);
    assert_eq!(
      e.message,
      "hash ab was evicted (x) 2h ago: do not retry; re-run the command that produced the original"
    );
  }

  #[test]
  fn unknown_and_malformed_say_do_not_retry() {
    let e = unknown("0123456789abcdef");
    assert_eq!(e.code, ErrorCode::UnknownHash);
    assert!(e.message.contains("is unknown to this store: do not retry"));
    let long = "x".repeat(10_000);
    let e = malformed(&long, 16);
    assert_eq!(e.code, ErrorCode::UnknownHash);
    assert!(e.message.contains("is malformed"));
    assert!(e.message.len() < 400, "echoes at most 80 characters");
  }

  #[test]
  fn reasons_round_trip() {
    for r in [
      Reason::Idle,
      Reason::Lifetime,
      Reason::Evicted,
      Reason::Purged,
    ] {
      assert_eq!(Reason::parse(r.as_str()), r);
    }
  }
}
