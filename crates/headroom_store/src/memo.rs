//! The memo table: the first compressed form of each block, by memo key.
//!
//! Clients resend their whole history every turn, and the provider's prompt cache only hits
//! if earlier blocks compress to the same bytes as before. The spine computes a memo key per
//! block (content hash plus the settings that define its form) and stores the first form it
//! produced here; every later request, in any process sharing the file, reuses it. First
//! writer wins. The table is bounded by entries ([`MEMO_MAX_ENTRIES`]) and bytes
//! ([`MEMO_MAX_BYTES`]), least recently used out first, and forms larger than
//! [`MEMO_MAX_VALUE_BYTES`] are not kept; a form that is not (or no longer) remembered is
//! recomputed, which is still deterministic for pure compressors.

use headroom_core::Result;
use rusqlite::{OptionalExtension, params};

use crate::Store;
use crate::store::{bump, counter, exec, query_row};

/// Most memo entries kept.
pub const MEMO_MAX_ENTRIES: i64 = 100_000;
/// Most memo bytes kept (values).
pub const MEMO_MAX_BYTES: i64 = 256 * 1024 * 1024;
/// Larger values are not remembered.
pub const MEMO_MAX_VALUE_BYTES: usize = 4 * 1024 * 1024;

impl Store {
  /// The remembered value for `key`, refreshing its access time.
  pub fn memo_get(&self, key: &str) -> Result<Option<Vec<u8>>> {
    #[cfg(feature = "redis")]
    if let Some(r) = self.redis() {
      return r.memo_get(key);
    }
    self.with_tx("memo get", |tx, now| {
      let value: Option<Vec<u8>> =
        query_row(tx, "SELECT value FROM memo WHERE key = ?1", [key], |r| {
          r.get(0)
        })
        .optional()?;
      if value.is_some() {
        exec(
          tx,
          "UPDATE memo SET accessed_ms = ?2 WHERE key = ?1",
          params![key, now],
        )?;
      }
      Ok(Ok(value))
    })
  }

  /// Remembers `value` under `key` unless a value is already there (first writer wins).
  /// Returns whether this call stored it: `false` when another writer was first (read the
  /// winner with [`Store::memo_get`]) or the value is over [`MEMO_MAX_VALUE_BYTES`].
  pub fn memo_put(&self, key: &str, value: &[u8]) -> Result<bool> {
    if value.len() > MEMO_MAX_VALUE_BYTES {
      return Ok(false);
    }
    #[cfg(feature = "redis")]
    if let Some(r) = self.redis() {
      return r.memo_put(key, value);
    }
    self.with_tx("memo put", |tx, now| {
      let inserted = exec(
        tx,
        "INSERT OR IGNORE INTO memo(key, value, accessed_ms) VALUES (?1, ?2, ?3)",
        params![key, value, now],
      )?;
      if inserted == 0 {
        return Ok(Ok(false));
      }
      bump(tx, "memo_entries", 1)?;
      bump(tx, "memo_bytes", value.len() as i64)?;
      // Evict least recently used entries, one at a time, until both caps hold.
      while counter(tx, "memo_entries")? > MEMO_MAX_ENTRIES
        || counter(tx, "memo_bytes")? > MEMO_MAX_BYTES
      {
        let (n, bytes): (i64, Option<i64>) = query_row(
          tx,
          "SELECT count(*), sum(length(value)) FROM
             (SELECT value FROM memo WHERE key <> ?1 ORDER BY accessed_ms LIMIT 1)",
          [key],
          |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        if n == 0 {
          break;
        }
        exec(
          tx,
          "DELETE FROM memo WHERE key IN
             (SELECT key FROM memo WHERE key <> ?1 ORDER BY accessed_ms LIMIT 1)",
          [key],
        )?;
        bump(tx, "memo_entries", -n)?;
        bump(tx, "memo_bytes", -bytes.unwrap_or(0))?;
      }
      Ok(Ok(true))
    })
  }

  /// Memo entries and bytes.
  pub fn memo_stats(&self) -> Result<(i64, i64)> {
    #[cfg(feature = "redis")]
    if let Some(r) = self.redis() {
      return r.stats().map(|(_, entries, bytes)| (entries, bytes));
    }
    self.with_tx("memo stats", |tx, _| {
      Ok(Ok((
        counter(tx, "memo_entries")?,
        counter(tx, "memo_bytes")?,
      )))
    })
  }
}

#[cfg(test)]
mod tests {
  use crate::{Store, StoreConfig};

  #[test]
  fn first_writer_wins_and_survives_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let config = StoreConfig::file(dir.path().join("ccr.sqlite"));
    {
      let s = Store::open(&config).unwrap();
      assert_eq!(s.memo_get("k").unwrap(), None);
      assert!(s.memo_put("k", b"one").unwrap());
      assert!(!s.memo_put("k", b"two").unwrap());
      assert_eq!(s.memo_get("k").unwrap().as_deref(), Some(&b"one"[..]));
      assert_eq!(s.memo_stats().unwrap(), (1, 3));
    }
    let s = Store::open(&config).unwrap();
    assert_eq!(s.memo_get("k").unwrap().as_deref(), Some(&b"one"[..]));
  }

  #[test]
  fn oversized_values_are_not_kept() {
    let s = Store::in_memory();
    assert!(
      !s.memo_put("big", &vec![b'x'; super::MEMO_MAX_VALUE_BYTES + 1])
        .unwrap()
    );
    assert_eq!(s.memo_get("big").unwrap(), None);
    assert_eq!(s.memo_stats().unwrap(), (0, 0));
  }

  #[test]
  fn the_byte_cap_evicts_least_recently_used() {
    let s = Store::in_memory();
    let chunk = vec![b'x'; super::MEMO_MAX_VALUE_BYTES];
    let per = super::MEMO_MAX_VALUE_BYTES as i64;
    let fit = super::MEMO_MAX_BYTES / per;
    for i in 0..fit {
      s.memo_put(&format!("k{i}"), &chunk).unwrap();
    }
    assert!(
      s.memo_get("k0").unwrap().is_some(),
      "k0 is now the most recently used"
    );
    s.memo_put("new", &chunk).unwrap();
    let (entries, bytes) = s.memo_stats().unwrap();
    assert!(bytes <= super::MEMO_MAX_BYTES, "{bytes}");
    assert_eq!(entries * per, bytes);
    assert!(s.memo_get("new").unwrap().is_some());
    assert!(
      s.memo_get("k0").unwrap().is_some(),
      "recently used entries stay"
    );
    assert!(
      s.memo_get("k1").unwrap().is_none(),
      "the least recently used went first"
    );
  }
}
