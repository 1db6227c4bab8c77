//! # The Redis backend (cargo feature `redis`)
//!
//! One store shared by several proxy instances, possibly on different machines: open a
//! [`crate::Store`] at [`crate::Location::Redis`] (`HEADROOM_STORE=redis://HOST:PORT/DB`).
//! The semantics are those of the SQLite store, entry for entry:
//!
//! - **Keys and collisions**: the same retrieve keys (16 hex characters of BLAKE3, longer on
//!   a collision); a different original, or a tombstone of one, never loses its key.
//! - **Byte-exact payloads** as Redis strings (binary-safe), `retrieve` filtered by
//!   [`crate::query::filter`].
//! - **Retention**: idle TTL and max lifetime by the store's [`crate::Clock`]; every `put` of
//!   the same bytes, `get` and `retrieve` refreshes the idle timer. The payload key also gets
//!   a Redis `PEXPIRE` at its deadline plus [`GRACE`], so an abandoned store frees its memory
//!   on its own; the decision to expire is still the script's, by the caller's clock.
//! - **Unknown vs expired**: expiry, eviction and purge leave a tombstone hash (digest,
//!   reason, time; no payload), so a later lookup answers `EXPIRED` with why and when, a key
//!   never stored `UNKNOWN_HASH`. A payload that the server itself dropped (a `maxmemory`
//!   policy, or the safety expiry) is found missing on the next lookup and buried as
//!   evicted: it too answers `EXPIRED`, never wrong bytes.
//! - **Caps** (entries, bytes) with LRU eviction, the tombstone cap, counters for
//!   [`crate::StoreStats`], [`crate::Purge`], and the memo with first writer wins (`SET NX`,
//!   so `memo_put` says whether this call inserted).
//!
//! Every operation is one call of one Lua script (`ccr.lua`, loaded once per connection and
//! run with `EVALSHA`), so it is atomic like a SQLite transaction, and a cross-process race
//! (two proxies putting the same block) has one winner. Keys start with a prefix
//! (`headroom:ccr:` unless the URL says `?prefix=...`), so one Redis database can hold
//! several stores. The script touches keys it computes itself, so it needs a standalone
//! Redis (or one node's database), not Redis Cluster. Run Redis with
//! `maxmemory-policy noeviction` or `volatile-lru`: `allkeys-*` policies may also drop an
//! entry's index rows, which costs counter accuracy (answers stay correct).
//!
//! ## Errors
//! A server that cannot be reached, refuses the connection, closes it or does not answer
//! within [`IO_TIMEOUT`] is `STORE_UNAVAILABLE` (transient: the next call reconnects); an
//! error reply (wrong password, out of memory) is `STORE_ERROR`. Neither panics. A URL
//! that does not parse is `INVALID_OPTION`; `rediss://` (TLS) is refused.
//!
//! ## Why a hand-written client
//! The `redis` crate with no default features still brings `url` and, through `idna`, the
//! ICU4X normalizer tables: about 35 crates, for a store that sends seven kinds of command.
//! RESP2 over one blocking TCP stream is short ([`resp`]), has no dependency, is
//! binary-safe, and keeps connect and I/O timeouts explicit. What it lacks (TLS, cluster,
//! sentinel, pipelining, a connection pool) the store does not use: one connection per
//! store sits behind a mutex, as the SQLite connection does.

mod resp;
mod url;

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use headroom_core::{Error, Result};

use crate::clock::{Clock, duration_ms};
use crate::config::StoreConfig;
use crate::keys::{candidate_keys, is_well_formed};
use crate::memo::{MEMO_MAX_BYTES, MEMO_MAX_ENTRIES, MEMO_MAX_VALUE_BYTES};
use crate::messages::{self, Reason};
use crate::store::{Purge, StoreStats};
use resp::{Connection, RespError, Value};
use url::Target;

/// How long opening a TCP connection may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// How long one command may wait to be written or answered.
pub const IO_TIMEOUT: Duration = Duration::from_secs(5);
/// How long after its deadline (by the store's clock) Redis itself drops a payload.
pub const GRACE: Duration = Duration::from_secs(300);
/// The data layout this build writes (`PREFIX + "version"`).
const LAYOUT_VERSION: i64 = 1;

const SCRIPT: &str = include_str!("ccr.lua");

/// An open connection and the script's SHA1 on that server.
struct Session {
  conn: Connection,
  sha: String,
  /// Whether a command already went through (a failure on a fresh connection is not retried).
  used: bool,
}

/// The Redis backend of a [`crate::Store`].
pub(crate) struct RedisBackend {
  target: Target,
  label: String,
  config: StoreConfig,
  clock: Arc<dyn Clock>,
  key_len: usize,
  session: Mutex<Option<Session>>,
}

impl std::fmt::Debug for RedisBackend {
  fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
    f.debug_struct("RedisBackend")
      .field("url", &self.label)
      .finish_non_exhaustive()
  }
}

impl RedisBackend {
  /// Connects to the server `url` names and checks its data layout. Errors:
  /// `INVALID_OPTION` (bad URL), `STORE_UNAVAILABLE` (unreachable), `STORE_ERROR` (refused,
  /// e.g. a wrong password, or a layout written by a newer headroom).
  pub(crate) fn open(
    url: &str,
    config: &StoreConfig,
    clock: Arc<dyn Clock>,
    key_len: usize,
  ) -> Result<RedisBackend> {
    let target = Target::parse(url)?;
    let backend = RedisBackend {
      label: target.label(),
      target,
      config: config.clone(),
      clock,
      key_len,
      session: Mutex::new(None),
    };
    let now = backend.clock.now_ms();
    let version = backend
      .eval("open", now, &[LAYOUT_VERSION.to_string().as_bytes()])?
      .as_i64()
      .unwrap_or(0);
    if version > LAYOUT_VERSION {
      return Err(messages::store_error_at(
        &backend.label,
        "cannot open",
        format!(
          "data layout version {version} is newer than this build's {LAYOUT_VERSION}; upgrade \
           headroom or use another prefix"
        ),
      ));
    }
    Ok(backend)
  }

  /// The server's URL, password left out.
  pub(crate) fn label(&self) -> &str {
    &self.label
  }

  /// `full` is the original's content hash (the caller computed it).
  pub(crate) fn put(&self, original: &[u8], full: &str) -> Result<String> {
    let size = original.len() as u64;
    if size > self.config.max_bytes {
      return Err(messages::store_error_at(
        &self.label,
        "put",
        format!(
          "the original is {}, more than the store's max_bytes ({}): not stored",
          messages::human_bytes(size),
          messages::human_bytes(self.config.max_bytes)
        ),
      ));
    }
    let mut args: Vec<&[u8]> = vec![full.as_bytes(), original];
    args.extend(candidate_keys(full, self.key_len).map(str::as_bytes));
    match self.eval("put", self.clock.now_ms(), &args)? {
      Value::Bulk(Some(key)) => Ok(String::from_utf8_lossy(&key).into_owned()),
      _ => Err(messages::store_error_at(
        &self.label,
        "put",
        "every key length up to the full digest is taken by a different original",
      )),
    }
  }

  pub(crate) fn get(&self, key: &str) -> Result<Vec<u8>> {
    let now = self.clock.now_ms();
    if !is_well_formed(key, self.key_len) {
      self.eval("miss", now, &[])?;
      return Err(messages::malformed(key, self.key_len));
    }
    let reply = self.eval("get", now, &[key.as_bytes()])?;
    let mut items = match reply {
      Value::Array(Some(items)) => items.into_iter(),
      other => return Err(self.unexpected("get", &other)),
    };
    let kind = items.next().and_then(|v| v.as_text()).unwrap_or_default();
    match kind.as_str() {
      "hit" => items
        .next()
        .and_then(Value::into_bytes)
        .ok_or_else(|| self.unexpected("get", &Value::Bulk(None))),
      "expired" => {
        let reason = Reason::parse(&items.next().and_then(|v| v.as_text()).unwrap_or_default());
        let mut num = || items.next().and_then(|v| v.as_i64()).unwrap_or(0);
        let (at, span, limit) = (num(), num(), num());
        let detail = match reason {
          Reason::Idle => messages::idle_detail(span, limit),
          Reason::Lifetime => messages::lifetime_detail(span, limit),
          Reason::Evicted if span < 0 => {
            "the Redis server dropped the payload (maxmemory policy or key expiry)".to_string()
          }
          Reason::Evicted => {
            messages::evicted_detail(self.config.max_entries, self.config.max_bytes)
          }
          Reason::Purged => String::new(),
        };
        Err(messages::expired(key, reason, &detail, now - at))
      }
      "unknown" => Err(messages::unknown(key)),
      _ => Err(self.unexpected("get", &Value::Status(kind))),
    }
  }

  pub(crate) fn stats(&self) -> Result<(StoreStats, i64, i64)> {
    let reply = self.eval("stats", self.clock.now_ms(), &[])?;
    let Value::Array(Some(items)) = &reply else {
      return Err(self.unexpected("stats", &reply));
    };
    let n = |i: usize| items.get(i).and_then(Value::as_i64).unwrap_or(0).max(0);
    let stats = StoreStats {
      entries: n(0) as u64,
      bytes: n(1) as u64,
      tombstones: n(2) as u64,
      hits: n(3) as u64,
      misses: n(4) as u64,
      expired: n(5) as u64,
      evictions: n(6) as u64,
      path: None,
    };
    Ok((stats, n(7), n(8)))
  }

  pub(crate) fn purge(&self, filter: Purge) -> Result<usize> {
    let now = self.clock.now_ms();
    let reply = match filter {
      Purge::All => self.eval("purge", now, &[b"all"])?,
      Purge::Expired => self.eval("purge", now, &[b"expired"])?,
      Purge::OlderThan(age) => {
        let cutoff = now.saturating_sub(duration_ms(age)).to_string();
        self.eval("purge", now, &[b"older", cutoff.as_bytes()])?
      }
    };
    Ok(reply.as_i64().unwrap_or(0).max(0) as usize)
  }

  pub(crate) fn memo_get(&self, key: &str) -> Result<Option<Vec<u8>>> {
    Ok(
      self
        .eval("memo_get", self.clock.now_ms(), &[key.as_bytes()])?
        .into_bytes(),
    )
  }

  pub(crate) fn memo_put(&self, key: &str, value: &[u8]) -> Result<bool> {
    if value.len() > MEMO_MAX_VALUE_BYTES {
      return Ok(false);
    }
    let (entries, bytes) = (MEMO_MAX_ENTRIES.to_string(), MEMO_MAX_BYTES.to_string());
    let args: [&[u8]; 4] = [key.as_bytes(), value, entries.as_bytes(), bytes.as_bytes()];
    Ok(self.eval("memo_put", self.clock.now_ms(), &args)?.as_i64() == Some(1))
  }

  fn unexpected(&self, op: &str, reply: &Value) -> Error {
    let shown: String = format!("{reply:?}").chars().take(80).collect();
    messages::store_error_at(&self.label, op, format!("unexpected reply {shown}"))
  }

  fn lock(&self) -> MutexGuard<'_, Option<Session>> {
    // A panic mid-command may leave a reply unread: drop that connection, start afresh.
    self.session.lock().unwrap_or_else(|e| {
      let mut guard = PoisonError::into_inner(e);
      *guard = None;
      guard
    })
  }

  /// Runs the script's `op` with the common arguments and `extra`. Reconnects when there is
  /// no connection; retries once, on a new connection, when a used one turns out to be
  /// closed (a server restart) or the server forgot the script.
  fn eval(&self, op: &str, now: i64, extra: &[&[u8]]) -> Result<Value> {
    let c = &self.config;
    let common = [
      op.to_string(),
      self.target.prefix.clone(),
      now.to_string(),
      duration_ms(c.idle_ttl).to_string(),
      duration_ms(c.max_lifetime).to_string(),
      c.max_entries.to_string(),
      c.max_bytes.to_string(),
      c.max_tombstones.to_string(),
      duration_ms(GRACE).to_string(),
    ];
    let mut guard = self.lock();
    let mut retried = false;
    loop {
      if guard.is_none() {
        *guard = Some(self.connect(op)?);
      }
      let Some(session) = guard.as_mut() else {
        unreachable!("a session was just stored");
      };
      let mut args: Vec<&[u8]> = Vec::with_capacity(3 + common.len() + extra.len());
      args.extend([&b"EVALSHA"[..], session.sha.as_bytes(), b"0"]);
      args.extend(common.iter().map(String::as_bytes));
      args.extend_from_slice(extra);
      let used = session.used;
      match session.conn.call(&args) {
        Ok(v) => {
          session.used = true;
          return Ok(v);
        }
        Err(RespError::Server(m)) if m.starts_with("NOSCRIPT") && !retried => {
          *guard = None;
          retried = true;
        }
        Err(e) => {
          let broken = !matches!(e, RespError::Server(_));
          if broken {
            *guard = None;
          }
          if broken && used && !retried && closed_before_reply(&e) {
            retried = true;
            continue;
          }
          return Err(self.error(op, e));
        }
      }
    }
  }

  /// A new connection: AUTH, SELECT, SCRIPT LOAD.
  fn connect(&self, op: &str) -> Result<Session> {
    let t = &self.target;
    let fail = |e: RespError| self.error(op, e);
    let mut conn =
      Connection::connect(&t.host, t.port, CONNECT_TIMEOUT, IO_TIMEOUT).map_err(fail)?;
    if let Some(password) = &t.password {
      let mut args: Vec<&[u8]> = vec![b"AUTH"];
      if let Some(user) = &t.username {
        args.push(user.as_bytes());
      }
      args.push(password.as_bytes());
      conn.call(&args).map_err(fail)?;
    }
    if t.db != 0 {
      conn
        .call(&[b"SELECT", t.db.to_string().as_bytes()])
        .map_err(fail)?;
    }
    let sha = conn
      .call(&[b"SCRIPT", b"LOAD", SCRIPT.as_bytes()])
      .map_err(fail)?
      .as_text()
      .ok_or_else(|| messages::store_error_at(&self.label, op, "SCRIPT LOAD gave no SHA1"))?;
    Ok(Session {
      conn,
      sha,
      used: false,
    })
  }

  fn error(&self, op: &str, e: RespError) -> Error {
    match &e {
      RespError::Server(m) if is_transient(m) => messages::unavailable(&self.label, op, &e),
      RespError::Server(_) => messages::store_error_at(&self.label, op, &e),
      RespError::Io(_) | RespError::Protocol(_) => messages::unavailable(&self.label, op, &e),
    }
  }
}

/// Error replies that mean "not now" rather than "never".
fn is_transient(message: &str) -> bool {
  ["LOADING", "BUSY", "MASTERDOWN", "TRYAGAIN", "CLUSTERDOWN"]
    .iter()
    .any(|p| message.starts_with(p))
}

/// Whether `e` says the connection was already closed when the command was sent (so the
/// command did not run and may be sent again), rather than a timeout mid-command.
fn closed_before_reply(e: &RespError) -> bool {
  use std::io::ErrorKind::*;
  matches!(e, RespError::Io(io) if matches!(io.kind(), BrokenPipe | ConnectionReset | ConnectionAborted | UnexpectedEof))
}

#[cfg(test)]
mod tests;
