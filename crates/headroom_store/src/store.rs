//! The store itself: one SQLite connection behind a mutex, every operation one transaction;
//! or, for [`Location::Redis`], the [`crate::redis`] backend with the same semantics.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use headroom_core::hash::content_hash;
use headroom_core::{OriginalStore, Result};
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};

use crate::clock::{Clock, SystemClock, duration_ms};
use crate::config::{Location, StoreConfig, default_path};
use crate::keys::{DEFAULT_KEY_LEN, candidate_keys, is_well_formed};
use crate::messages::{self, Reason};
use crate::query::{self, Retrieved};
use crate::schema::{self, MigrateError};

/// How long a writer waits for another process's lock before giving up with `STORE_ERROR`.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The CCR store: originals by retrieve key, with idle TTL, max lifetime, LRU caps and
/// tombstones. `Send + Sync`; share one through an `Arc`. Several processes may open the
/// same file.
#[derive(Debug)]
pub struct Store {
  backend: Backend,
  path: Option<PathBuf>,
  config: StoreConfig,
  clock: Arc<dyn Clock>,
  key_len: usize,
}

/// Where a store's entries live.
#[derive(Debug)]
enum Backend {
  Sqlite(Mutex<Connection>),
  #[cfg(feature = "redis")]
  Redis(Box<crate::redis::RedisBackend>),
}

/// Runs `$body` on the Redis backend and returns its result, when the store is one.
macro_rules! on_redis {
  ($self:ident, |$r:ident| $body:expr) => {
    #[cfg(feature = "redis")]
    if let Backend::Redis($r) = &$self.backend {
      return $body;
    }
  };
}

/// Counts of what the store holds and how it has been used. The counters live in the store
/// itself, so for a file they add up every process that used it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StoreStats {
  /// Live entries.
  pub entries: u64,
  /// Payload bytes of the live entries.
  pub bytes: u64,
  /// Tombstones kept (keys that answer `EXPIRED`).
  pub tombstones: u64,
  /// Successful `get`/`retrieve` calls.
  pub hits: u64,
  /// `get`/`retrieve` calls that failed with `UNKNOWN_HASH` or `EXPIRED`.
  pub misses: u64,
  /// Entries that expired (idle TTL or max lifetime).
  pub expired: u64,
  /// Entries evicted to keep the store under its caps.
  pub evictions: u64,
  /// The store file, or `None` in memory.
  pub path: Option<PathBuf>,
}

/// Which entries [`Store::purge`] removes. Purged entries leave tombstones, so their keys
/// answer `EXPIRED` ("was purged") rather than `UNKNOWN_HASH`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purge {
  /// Every entry.
  All,
  /// Entries past their idle TTL or max lifetime (normally removed lazily).
  Expired,
  /// Entries first stored longer ago than this.
  OlderThan(Duration),
}

/// One live entry's row (without the payload).
struct Row {
  id: i64,
  key: String,
  full_hash: String,
  size: i64,
  created_ms: i64,
  accessed_ms: i64,
}

impl Row {
  const COLUMNS: &'static str = "id, key, full_hash, size, created_ms, accessed_ms";

  fn read(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    Ok(Row {
      id: r.get(0)?,
      key: r.get(1)?,
      full_hash: r.get(2)?,
      size: r.get(3)?,
      created_ms: r.get(4)?,
      accessed_ms: r.get(5)?,
    })
  }
}

impl Store {
  /// Opens (creating if needed) the store `config` describes. A file store is created with
  /// mode `0600` in a folder created `0700`, runs in WAL mode with `synchronous=NORMAL` and
  /// a 5 s busy timeout, and is migrated to the current schema. Entries already past their
  /// TTL are expired on open. Errors: `INVALID_OPTION` for a zero limit, `STORE_ERROR`
  /// (naming the path) when the file cannot be created, opened, or is not a store.
  pub fn open(config: &StoreConfig) -> Result<Store> {
    Self::open_with_clock(config, Arc::new(SystemClock))
  }

  /// [`Store::open`] with an injected clock (tests, simulations).
  pub fn open_with_clock(config: &StoreConfig, clock: Arc<dyn Clock>) -> Result<Store> {
    Self::open_inner(config, clock, DEFAULT_KEY_LEN)
  }

  /// A private in-memory store with the default retention: same semantics as a file store,
  /// gone when dropped.
  pub fn in_memory() -> Store {
    Self::open(&StoreConfig::memory()).expect("an in-memory SQLite database always opens")
  }

  pub(crate) fn open_inner(
    config: &StoreConfig,
    clock: Arc<dyn Clock>,
    key_len: usize,
  ) -> Result<Store> {
    config.validate()?;
    let path = match &config.location {
      Location::File(p) => Some(p.clone()),
      Location::Default => Some(default_path()),
      Location::Memory => None,
      Location::Redis(url) => return Self::open_redis(url, config, clock, key_len),
    };
    crate::alloc::install();
    let mut conn = match &path {
      Some(p) => {
        crate::fsutil::prepare_store_file(p)
          .map_err(|e| messages::store_error(Some(p), "cannot create the store file", e))?;
        Connection::open(p)
      }
      None => schema::fresh_memory(),
    }
    .map_err(|e| messages::store_error(path.as_deref(), "cannot open", e))?;
    let p = path.as_deref();
    retry_busy(|| configure(&conn)).map_err(|e| messages::store_error(p, "cannot open", e))?;
    retry_busy_migration(|| schema::migrate(&mut conn)).map_err(|e| match e {
      MigrateError::TooNew(v) => messages::store_error(
        p,
        "cannot open",
        format!(
          "schema version {v} is newer than this build's {}; upgrade headroom or use another file",
          schema::SCHEMA_VERSION
        ),
      ),
      MigrateError::Sqlite(e) => messages::store_error(p, "cannot open", e),
    })?;
    let mut config = config.clone();
    if let Some(p) = &path {
      config.location = Location::File(p.clone());
    }
    let store = Store {
      backend: Backend::Sqlite(Mutex::new(conn)),
      path,
      config,
      clock,
      key_len,
    };
    store.purge(Purge::Expired)?;
    Ok(store)
  }

  #[cfg(feature = "redis")]
  fn open_redis(
    url: &str,
    config: &StoreConfig,
    clock: Arc<dyn Clock>,
    key_len: usize,
  ) -> Result<Store> {
    let backend = crate::redis::RedisBackend::open(url, config, clock.clone(), key_len)?;
    let store = Store {
      backend: Backend::Redis(Box::new(backend)),
      path: None,
      config: config.clone(),
      clock,
      key_len,
    };
    store.purge(Purge::Expired)?;
    Ok(store)
  }

  #[cfg(not(feature = "redis"))]
  fn open_redis(_: &str, _: &StoreConfig, _: Arc<dyn Clock>, _: usize) -> Result<Store> {
    Err(headroom_core::Error::invalid_option(
      "this build of headroom has no Redis store (cargo feature `redis` of headroom_store)",
    ))
  }

  /// Where the store lives, for messages and stats: the file path, `:memory:`, or the Redis
  /// URL with its password left out.
  pub fn describe(&self) -> String {
    on_redis!(self, |r| r.label().to_string());
    self
      .path
      .as_ref()
      .map_or_else(|| ":memory:".to_string(), |p| p.display().to_string())
  }

  /// The Redis backend, when the store is one.
  #[cfg(feature = "redis")]
  pub(crate) fn redis(&self) -> Option<&crate::redis::RedisBackend> {
    match &self.backend {
      Backend::Redis(r) => Some(r),
      Backend::Sqlite(_) => None,
    }
  }

  /// `"sqlite"` (a file or memory) or `"redis"`.
  pub fn backend(&self) -> &'static str {
    on_redis!(self, |_r| "redis");
    "sqlite"
  }

  /// The store file, or `None` for an in-memory or Redis store.
  pub fn path(&self) -> Option<&Path> {
    self.path.as_deref()
  }

  /// The configuration the store was opened with (a default location resolved to its path).
  pub fn config(&self) -> &StoreConfig {
    &self.config
  }

  /// Stores `original` byte-exact and returns its retrieve key (16 hex characters of its
  /// BLAKE3 digest, longer on a collision with a different original). Storing the same
  /// bytes again returns the same key and refreshes the entry's last access. May evict the
  /// least recently used entries to stay under the caps. Errors: `STORE_ERROR` when the
  /// store cannot be written or the original alone exceeds `max_bytes`.
  pub fn put(&self, original: &[u8]) -> Result<String> {
    self.put_hashed(original, &content_hash(original))
  }

  /// [`Store::put`] with the original's [`content_hash`] already computed by the caller
  /// (it must be exactly that hash: the key is taken from it).
  pub fn put_hashed(&self, original: &[u8], full_hash: &str) -> Result<String> {
    debug_assert_eq!(full_hash, content_hash(original));
    on_redis!(self, |r| r.put(original, full_hash));
    let size = original.len() as u64;
    if size > self.config.max_bytes {
      return Err(messages::store_error(
        self.path(),
        "put",
        format!(
          "the original is {}, more than the store's max_bytes ({}): not stored",
          messages::human_bytes(size),
          messages::human_bytes(self.config.max_bytes)
        ),
      ));
    }
    let full = full_hash;
    self.with_tx("put", |tx, now| {
      self.sweep(tx, now)?;
      for key in candidate_keys(full, self.key_len) {
        let live: Option<(i64, String)> = query_row(
          tx,
          "SELECT id, full_hash FROM entries WHERE key = ?1",
          [key],
          |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
        if let Some((id, hash)) = live {
          if hash != full {
            continue; // a different original holds this key: never overwrite it
          }
          touch(tx, id, now)?;
          return Ok(Ok(key.to_string()));
        }
        let buried: Option<String> = query_row(
          tx,
          "SELECT full_hash FROM tombstones WHERE key = ?1",
          [key],
          |r| r.get(0),
        )
        .optional()?;
        match buried {
          Some(hash) if hash != full => continue, // an old marker still names other content
          Some(_) => remove_tombstone(tx, key)?,
          None => {}
        }
        self.make_room(tx, now, size)?;
        exec(
          tx,
          "INSERT INTO entries(key, full_hash, size, created_ms, accessed_ms) \
           VALUES (?1, ?2, ?3, ?4, ?4)",
          params![key, full, size as i64, now],
        )?;
        let id = tx.last_insert_rowid();
        exec(
          tx,
          "INSERT INTO payloads(id, data) VALUES (?1, ?2)",
          params![id, original],
        )?;
        bump(tx, "entries", 1)?;
        bump(tx, "bytes", size as i64)?;
        self.prune_tombstones(tx)?;
        return Ok(Ok(key.to_string()));
      }
      Ok(Err(messages::store_error(
        self.path(),
        "put",
        "every key length up to the full digest is taken by a different original",
      )))
    })
  }

  /// The exact bytes stored under `key`, refreshing its last access. Errors:
  /// `UNKNOWN_HASH` for a malformed key or one never stored here, `EXPIRED` for one that
  /// expired, was evicted or purged (terminal: asking again gives the same answer),
  /// `STORE_ERROR` when the store cannot be read.
  pub fn get(&self, key: &str) -> Result<Vec<u8>> {
    on_redis!(self, |r| r.get(key));
    let well_formed = is_well_formed(key, self.key_len);
    self.with_tx("get", |tx, now| {
      if !well_formed {
        bump(tx, "misses", 1)?;
        return Ok(Err(messages::malformed(key, self.key_len)));
      }
      let sql = format!("SELECT {} FROM entries WHERE key = ?1", Row::COLUMNS);
      let row = query_row(tx, &sql, [key], Row::read).optional()?;
      if let Some(row) = row {
        if let Some((reason, detail)) = self.expiry(&row, now) {
          self.bury(tx, &row, reason, &detail, now)?;
          self.prune_tombstones(tx)?;
          bump(tx, "misses", 1)?;
          return Ok(Err(messages::expired(key, reason, &detail, 0)));
        }
        touch(tx, row.id, now)?;
        bump(tx, "hits", 1)?;
        let data: Vec<u8> = query_row(
          tx,
          "SELECT data FROM payloads WHERE id = ?1",
          [row.id],
          |r| r.get(0),
        )?;
        return Ok(Ok(data));
      }
      bump(tx, "misses", 1)?;
      let buried: Option<(String, String, i64)> = query_row(
        tx,
        "SELECT reason, detail, at_ms FROM tombstones WHERE key = ?1",
        [key],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
      )
      .optional()?;
      Ok(Err(match buried {
        Some((reason, detail, at)) => {
          messages::expired(key, Reason::parse(&reason), &detail, now - at)
        }
        None => messages::unknown(key),
      }))
    })
  }

  /// The original under `key` for a model to read, optionally filtered by `query` (JSON
  /// rows or lines that contain every whitespace-separated term, case-insensitively; see
  /// [`crate::query`]). Same errors and access refresh as [`Store::get`].
  pub fn retrieve(&self, key: &str, query: Option<&str>) -> Result<Retrieved> {
    let bytes = self.get(key)?;
    Ok(query::filter(&bytes, query))
  }

  /// What the store holds and how it has been used.
  pub fn stats(&self) -> Result<StoreStats> {
    on_redis!(self, |r| r.stats().map(|(s, _, _)| s));
    let conn = self.sqlite("stats")?;
    let read = || -> rusqlite::Result<StoreStats> {
      let mut stmt = conn.prepare_cached("SELECT name, value FROM counters")?;
      let mut s = StoreStats {
        entries: 0,
        bytes: 0,
        tombstones: 0,
        hits: 0,
        misses: 0,
        expired: 0,
        evictions: 0,
        path: self.path.clone(),
      };
      let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
      for row in rows {
        let (name, value) = row?;
        let value = u64::try_from(value).unwrap_or(0);
        match name.as_str() {
          "entries" => s.entries = value,
          "bytes" => s.bytes = value,
          "tombstones" => s.tombstones = value,
          "hits" => s.hits = value,
          "misses" => s.misses = value,
          "expired" => s.expired = value,
          "evictions" => s.evictions = value,
          _ => {}
        }
      }
      Ok(s)
    };
    read().map_err(|e| messages::store_error(self.path(), "stats", e))
  }

  /// Removes the entries `filter` selects and returns how many. Each leaves a tombstone
  /// (its key answers `EXPIRED`). Freed pages are reused by SQLite but not scrubbed.
  pub fn purge(&self, filter: Purge) -> Result<usize> {
    on_redis!(self, |r| r.purge(filter));
    self.with_tx("purge", |tx, now| {
      let n = match filter {
        Purge::Expired => self.sweep(tx, now)?,
        Purge::All => self.bury_where(tx, "1", [], now)?,
        Purge::OlderThan(age) => {
          self.bury_where(tx, "created_ms < ?1", [now - duration_ms(age)], now)?
        }
      };
      Ok(Ok(n))
    })
  }

  /// The SQLite connection, locked; `STORE_ERROR` for a store of another backend (callers
  /// dispatch to it first, so this is not reached).
  #[cfg_attr(not(feature = "redis"), allow(unused_variables))]
  pub(crate) fn sqlite(&self, op: &str) -> Result<MutexGuard<'_, Connection>> {
    match &self.backend {
      // A panic while holding the lock rolled its transaction back (Transaction's Drop), so
      // the connection is consistent: recover it rather than poisoning the store for good.
      Backend::Sqlite(conn) => Ok(conn.lock().unwrap_or_else(PoisonError::into_inner)),
      #[cfg(feature = "redis")]
      Backend::Redis(r) => Err(messages::store_error(
        None,
        op,
        format!("{} is not a SQLite store", r.label()),
      )),
    }
  }

  #[cfg(test)]
  pub(crate) fn lock(&self) -> MutexGuard<'_, Connection> {
    self.sqlite("test").expect("a SQLite store")
  }

  #[cfg(test)]
  pub(crate) fn conn_is_poisoned(&self) -> bool {
    matches!(&self.backend, Backend::Sqlite(c) if c.is_poisoned())
  }

  /// Runs `f` in one immediate (write-locking) transaction and commits it. `f`'s inner
  /// `Err` is an answer for the caller (e.g. `EXPIRED`), committed all the same; its outer
  /// `Err` is a SQLite failure, rolled back and reported as `STORE_ERROR`.
  pub(crate) fn with_tx<T>(
    &self,
    op: &str,
    f: impl FnOnce(&Transaction<'_>, i64) -> rusqlite::Result<Result<T>>,
  ) -> Result<T> {
    let mut conn = self.sqlite(op)?;
    let now = self.clock.now_ms();
    let run = || -> rusqlite::Result<Result<T>> {
      let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
      let out = f(&tx, now)?;
      tx.commit()?;
      Ok(out)
    };
    run().map_err(|e| messages::store_error(self.path(), op, e))?
  }

  /// Why `row` has expired at `now`, if it has: lifetime first, then idle time.
  fn expiry(&self, row: &Row, now: i64) -> Option<(Reason, String)> {
    let max_life = duration_ms(self.config.max_lifetime);
    let ttl = duration_ms(self.config.idle_ttl);
    let age = now.saturating_sub(row.created_ms);
    let idle = now.saturating_sub(row.accessed_ms);
    if age > max_life {
      Some((Reason::Lifetime, messages::lifetime_detail(age, max_life)))
    } else if idle > ttl {
      Some((Reason::Idle, messages::idle_detail(idle, ttl)))
    } else {
      None
    }
  }

  /// Expires every entry past its idle TTL or max lifetime; returns how many.
  fn sweep(&self, tx: &Transaction<'_>, now: i64) -> rusqlite::Result<usize> {
    let idle_cut = now.saturating_sub(duration_ms(self.config.idle_ttl));
    let life_cut = now.saturating_sub(duration_ms(self.config.max_lifetime));
    let sql = format!(
      "SELECT {} FROM entries WHERE accessed_ms < ?1 OR created_ms < ?2",
      Row::COLUMNS
    );
    let rows = {
      let mut stmt = tx.prepare_cached(&sql)?;
      stmt
        .query_map([idle_cut, life_cut], Row::read)?
        .collect::<rusqlite::Result<Vec<Row>>>()?
    };
    let mut n = 0;
    for row in &rows {
      if let Some((reason, detail)) = self.expiry(row, now) {
        self.bury(tx, row, reason, &detail, now)?;
        n += 1;
      }
    }
    if n > 0 {
      self.prune_tombstones(tx)?;
    }
    Ok(n)
  }

  /// Purges every entry matching `condition`; returns how many.
  fn bury_where<P: rusqlite::Params>(
    &self,
    tx: &Transaction<'_>,
    condition: &str,
    params: P,
    now: i64,
  ) -> rusqlite::Result<usize> {
    let sql = format!("SELECT {} FROM entries WHERE {condition}", Row::COLUMNS);
    let rows = {
      let mut stmt = tx.prepare(&sql)?;
      stmt
        .query_map(params, Row::read)?
        .collect::<rusqlite::Result<Vec<Row>>>()?
    };
    for row in &rows {
      self.bury(tx, row, Reason::Purged, "", now)?;
    }
    self.prune_tombstones(tx)?;
    Ok(rows.len())
  }

  /// Evicts least recently used entries until one more entry of `size` bytes fits.
  fn make_room(&self, tx: &Transaction<'_>, now: i64, size: u64) -> rusqlite::Result<()> {
    let detail = messages::evicted_detail(self.config.max_entries, self.config.max_bytes);
    loop {
      let entries = counter(tx, "entries")?.max(0) as u64;
      let bytes = counter(tx, "bytes")?.max(0) as u64;
      if entries < self.config.max_entries && bytes.saturating_add(size) <= self.config.max_bytes {
        return Ok(());
      }
      let sql = format!(
        "SELECT {} FROM entries ORDER BY accessed_ms, id LIMIT 1",
        Row::COLUMNS
      );
      let Some(victim) = query_row(tx, &sql, [], Row::read).optional()? else {
        return Ok(());
      };
      self.bury(tx, &victim, Reason::Evicted, &detail, now)?;
    }
  }

  /// Replaces a live entry by a tombstone and updates the counters.
  fn bury(
    &self,
    tx: &Transaction<'_>,
    row: &Row,
    reason: Reason,
    detail: &str,
    now: i64,
  ) -> rusqlite::Result<()> {
    exec(tx, "DELETE FROM payloads WHERE id = ?1", [row.id])?;
    exec(tx, "DELETE FROM entries WHERE id = ?1", [row.id])?;
    remove_tombstone(tx, &row.key)?;
    exec(
      tx,
      "INSERT INTO tombstones(key, full_hash, reason, detail, at_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
      params![row.key, row.full_hash, reason.as_str(), detail, now],
    )?;
    bump(tx, "tombstones", 1)?;
    bump(tx, "entries", -1)?;
    bump(tx, "bytes", -row.size)?;
    match reason {
      Reason::Idle | Reason::Lifetime => bump(tx, "expired", 1),
      Reason::Evicted => bump(tx, "evictions", 1),
      Reason::Purged => Ok(()),
    }
  }

  /// Drops the oldest tombstones beyond `max_tombstones`.
  fn prune_tombstones(&self, tx: &Transaction<'_>) -> rusqlite::Result<()> {
    let max = i64::try_from(self.config.max_tombstones).unwrap_or(i64::MAX);
    let excess = counter(tx, "tombstones")? - max;
    if excess > 0 {
      let n = exec(
        tx,
        "DELETE FROM tombstones WHERE key IN \
         (SELECT key FROM tombstones ORDER BY at_ms, key LIMIT ?1)",
        [excess],
      )?;
      bump(tx, "tombstones", -(n as i64))?;
    }
    Ok(())
  }
}

impl OriginalStore for Store {
  fn put(&self, original: &[u8]) -> Result<String> {
    Store::put(self, original)
  }

  fn put_hashed(&self, original: &[u8], full_hash: &str) -> Result<String> {
    Store::put_hashed(self, original, full_hash)
  }
}

/// Connection settings: busy timeout first (so the WAL switch itself waits for a lock),
/// then WAL with `synchronous=NORMAL` (durable across application crashes; a power loss can
/// drop the last commits, which only means a later `UNKNOWN_HASH`).
/// Whether SQLite gave up on a lock without waiting it out: when several processes open a
/// new file at once, switching it to WAL can fail at once with `SQLITE_BUSY` (the busy
/// handler is not consulted there).
fn is_busy(e: &rusqlite::Error) -> bool {
  matches!(e, rusqlite::Error::SqliteFailure(f, _)
    if matches!(f.code, rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked))
}

/// Runs `f` again while it fails with [`is_busy`], for up to [`BUSY_TIMEOUT`].
fn retry_busy_with<T, E>(
  mut f: impl FnMut() -> Result<T, E>,
  busy: impl Fn(&E) -> bool,
) -> Result<T, E> {
  let deadline = std::time::Instant::now() + BUSY_TIMEOUT;
  loop {
    match f() {
      Err(e) if busy(&e) && std::time::Instant::now() < deadline => {
        std::thread::sleep(Duration::from_millis(10));
      }
      other => return other,
    }
  }
}

fn retry_busy<T>(f: impl FnMut() -> rusqlite::Result<T>) -> rusqlite::Result<T> {
  retry_busy_with(f, is_busy)
}

fn retry_busy_migration(
  f: impl FnMut() -> std::result::Result<(), MigrateError>,
) -> std::result::Result<(), MigrateError> {
  retry_busy_with(f, |e| matches!(e, MigrateError::Sqlite(e) if is_busy(e)))
}

fn configure(conn: &Connection) -> rusqlite::Result<()> {
  conn.busy_timeout(BUSY_TIMEOUT)?;
  conn.set_prepared_statement_cache_capacity(32);
  let _mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
  conn.pragma_update(None, "synchronous", "NORMAL")?;
  Ok(())
}

fn touch(tx: &Transaction<'_>, id: i64, now: i64) -> rusqlite::Result<()> {
  // max(): another process with a clock slightly behind never moves an access back.
  exec(
    tx,
    "UPDATE entries SET accessed_ms = max(accessed_ms, ?2) WHERE id = ?1",
    params![id, now],
  )?;
  Ok(())
}

fn remove_tombstone(tx: &Transaction<'_>, key: &str) -> rusqlite::Result<()> {
  let n = exec(tx, "DELETE FROM tombstones WHERE key = ?1", [key])?;
  if n > 0 {
    bump(tx, "tombstones", -(n as i64))?;
  }
  Ok(())
}

pub(crate) fn counter(tx: &Transaction<'_>, name: &str) -> rusqlite::Result<i64> {
  query_row(
    tx,
    "SELECT value FROM counters WHERE name = ?1",
    [name],
    |r| r.get(0),
  )
}

pub(crate) fn bump(tx: &Transaction<'_>, name: &str, delta: i64) -> rusqlite::Result<()> {
  exec(
    tx,
    "UPDATE counters SET value = value + ?2 WHERE name = ?1",
    params![name, delta],
  )?;
  Ok(())
}

/// `execute` through the connection's statement cache.
pub(crate) fn exec<P: rusqlite::Params>(
  tx: &Transaction<'_>,
  sql: &str,
  params: P,
) -> rusqlite::Result<usize> {
  tx.prepare_cached(sql)?.execute(params)
}

/// `query_row` through the connection's statement cache.
pub(crate) fn query_row<T, P: rusqlite::Params>(
  tx: &Transaction<'_>,
  sql: &str,
  params: P,
  f: impl FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> rusqlite::Result<T> {
  tx.prepare_cached(sql)?.query_row(params, f)
}
