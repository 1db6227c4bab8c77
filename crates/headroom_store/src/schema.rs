//! The schema and its migrations, tracked by SQLite's `PRAGMA user_version`.
//!
//! Version 1:
//! - `entries`: one row per retrievable original: key, full digest, size, creation and last
//!   access times (ms since the Unix epoch). Small rows, so touching an entry on every read
//!   rewrites a few dozen bytes, never the payload.
//! - `payloads`: the original bytes as a BLOB, same `id` as its entry.
//! - `tombstones`: key, full digest, why and when an entry went away; no payload.
//! - `counters`: hits, misses, expired, evictions, and the running entry and byte totals
//!   (kept in the same transactions as the rows, so they are exact across processes).
//!
//! Version 2:
//! - `memo`: compressed forms of blocks by memo key (see `Store::memo_get`), so a block
//!   compresses to the same bytes in every later request, across processes and restarts.

use std::sync::{Mutex, OnceLock, PoisonError};

use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, TransactionBehavior};

/// Migration `i` takes the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
  r#"
CREATE TABLE entries (
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE,
  full_hash TEXT NOT NULL,
  size INTEGER NOT NULL,
  created_ms INTEGER NOT NULL,
  accessed_ms INTEGER NOT NULL
);
CREATE INDEX entries_accessed ON entries(accessed_ms, id);
CREATE INDEX entries_created ON entries(created_ms);
CREATE TABLE payloads (
  id INTEGER PRIMARY KEY,
  data BLOB NOT NULL
);
CREATE TABLE tombstones (
  key TEXT PRIMARY KEY,
  full_hash TEXT NOT NULL,
  reason TEXT NOT NULL,
  detail TEXT NOT NULL,
  at_ms INTEGER NOT NULL
);
CREATE INDEX tombstones_at ON tombstones(at_ms);
CREATE TABLE counters (
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO counters(name, value) VALUES
  ('entries', 0), ('bytes', 0), ('tombstones', 0),
  ('hits', 0), ('misses', 0), ('expired', 0), ('evictions', 0);
"#,
  r#"
CREATE TABLE memo (
  key TEXT PRIMARY KEY,
  value BLOB NOT NULL,
  accessed_ms INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX memo_accessed ON memo(accessed_ms);
INSERT INTO counters(name, value) VALUES ('memo_entries', 0), ('memo_bytes', 0);
"#,
];

/// The schema version this build writes.
pub(crate) const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Why migration failed.
#[derive(Debug)]
pub(crate) enum MigrateError {
  /// The file was written by a newer headroom with a schema we do not know.
  TooNew(i64),
  /// SQLite failed (I/O, corruption, not a database, busy).
  Sqlite(rusqlite::Error),
}

impl From<rusqlite::Error> for MigrateError {
  fn from(e: rusqlite::Error) -> Self {
    MigrateError::Sqlite(e)
  }
}

/// Brings the schema up to [`SCHEMA_VERSION`], in one immediate transaction so that two
/// processes opening a fresh file at once do not both migrate it.
pub(crate) fn migrate(conn: &mut Connection) -> Result<(), MigrateError> {
  let version = user_version(conn)?;
  if version == SCHEMA_VERSION {
    return Ok(());
  }
  let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
  // Re-read under the write lock: another process may have migrated meanwhile.
  let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
  if version > SCHEMA_VERSION {
    return Err(MigrateError::TooNew(version));
  }
  for sql in &MIGRATIONS[usize::try_from(version).unwrap_or(0)..] {
    tx.execute_batch(sql)?;
  }
  tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
  tx.commit()?;
  Ok(())
}

/// A new in-memory database with the current schema, copied page by page (SQLite's backup
/// API) from one migrated once per process: copying its few pages costs far less than parsing
/// and running the migrations, so an in-memory store per request or per test opens quickly.
/// The copy is an ordinary in-memory database.
pub(crate) fn fresh_memory() -> rusqlite::Result<Connection> {
  static TEMPLATE: OnceLock<Option<Mutex<Connection>>> = OnceLock::new();
  let mut conn = Connection::open_in_memory()?;
  let template = TEMPLATE.get_or_init(|| {
    let mut template = Connection::open_in_memory().ok()?;
    migrate(&mut template).ok()?;
    Some(Mutex::new(template))
  });
  if let Some(template) = template {
    let template = template.lock().unwrap_or_else(PoisonError::into_inner);
    let done = Backup::new(&template, &mut conn)?.step(-1)?;
    if !matches!(done, StepResult::Done) {
      // Not copied whole (cannot happen with a private template): migrate a new one.
      drop(template);
      conn = Connection::open_in_memory()?;
    }
  }
  Ok(conn)
}

fn user_version(conn: &Connection) -> rusqlite::Result<i64> {
  conn.query_row("PRAGMA user_version", [], |r| r.get(0))
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn migrates_a_fresh_database_once() {
    let mut conn = Connection::open_in_memory().unwrap();
    migrate(&mut conn).unwrap();
    assert_eq!(user_version(&conn).unwrap(), SCHEMA_VERSION);
    migrate(&mut conn).unwrap();
    let n: i64 = conn
      .query_row("SELECT count(*) FROM counters", [], |r| r.get(0))
      .unwrap();
    assert_eq!(n, 9, "counters seeded once");
  }

  #[test]
  fn fresh_memory_databases_are_migrated_and_independent() {
    let schema = |c: &Connection| -> Vec<String> {
      let mut st = c
        .prepare("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name")
        .unwrap();
      st.query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
    };
    let mut migrated = Connection::open_in_memory().unwrap();
    migrate(&mut migrated).unwrap();
    let a = fresh_memory().unwrap();
    let b = fresh_memory().unwrap();
    assert_eq!(schema(&a), schema(&migrated));
    assert_eq!(user_version(&a).unwrap(), SCHEMA_VERSION);
    a.execute("UPDATE counters SET value = 5 WHERE name = 'hits'", [])
      .unwrap();
    let hits = |c: &Connection| -> i64 {
      c.query_row("SELECT value FROM counters WHERE name = 'hits'", [], |r| {
        r.get(0)
      })
      .unwrap()
    };
    assert_eq!(
      (hits(&a), hits(&b), hits(&fresh_memory().unwrap())),
      (5, 0, 0)
    );
  }

  #[test]
  fn refuses_a_newer_schema() {
    let mut conn = Connection::open_in_memory().unwrap();
    conn.pragma_update(None, "user_version", 99).unwrap();
    assert!(matches!(migrate(&mut conn), Err(MigrateError::TooNew(99))));
  }
}
