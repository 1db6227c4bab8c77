//! The memo table: the first compressed form of each block, by memo key.
//!
//! Clients resend their whole history every turn, and the provider's prompt cache only hits
//! if earlier blocks compress to the same bytes as before. The spine computes a memo key per
//! block (content hash plus the settings that define its form) and stores the first form it
//! produced here; every later request, in any process sharing the file, reuses it. First
//! writer wins. The table is bounded ([`MEMO_MAX_ENTRIES`], least recently used out first);
//! an evicted form is recomputed, which is still deterministic for pure compressors.

use headroom_core::Result;
use rusqlite::{OptionalExtension, params};

use crate::Store;

/// Most memo entries kept.
pub const MEMO_MAX_ENTRIES: i64 = 100_000;

impl Store {
  /// The remembered value for `key`, refreshing its access time.
  pub fn memo_get(&self, key: &str) -> Result<Option<Vec<u8>>> {
    self.with_tx("memo get", |tx, now| {
      let value: Option<Vec<u8>> = tx
        .query_row("SELECT value FROM memo WHERE key = ?1", [key], |r| r.get(0))
        .optional()?;
      if value.is_some() {
        tx.execute(
          "UPDATE memo SET accessed_ms = ?2 WHERE key = ?1",
          params![key, now],
        )?;
      }
      Ok(Ok(value))
    })
  }

  /// Remembers `value` under `key` unless a value is already there (first writer wins).
  pub fn memo_put(&self, key: &str, value: &[u8]) -> Result<()> {
    self.with_tx("memo put", |tx, now| {
      let inserted = tx.execute(
        "INSERT OR IGNORE INTO memo(key, value, accessed_ms) VALUES (?1, ?2, ?3)",
        params![key, value, now],
      )?;
      if inserted > 0 {
        let n: i64 = tx.query_row("SELECT count(*) FROM memo", [], |r| r.get(0))?;
        if n > MEMO_MAX_ENTRIES {
          tx.execute(
            "DELETE FROM memo WHERE key IN (SELECT key FROM memo ORDER BY accessed_ms LIMIT ?1)",
            [n - MEMO_MAX_ENTRIES],
          )?;
        }
      }
      Ok(Ok(()))
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
      s.memo_put("k", b"one").unwrap();
      s.memo_put("k", b"two").unwrap();
      assert_eq!(s.memo_get("k").unwrap().as_deref(), Some(&b"one"[..]));
    }
    let s = Store::open(&config).unwrap();
    assert_eq!(s.memo_get("k").unwrap().as_deref(), Some(&b"one"[..]));
  }
}
