//! # headroom_store: the CCR (compress, cache, retrieve) store
//!
//! Every original that a lossy compressor leaves out is stored here, byte-exact, **before**
//! the marker `[N of M rows omitted: ...; retrieve hash=<key>]` is written (the rule of
//! [`headroom_core::store`]). A model, through the retrieve tool, or a person can later ask
//! for it by key: [`Store::get`] returns the exact bytes, [`Store::retrieve`] returns text
//! for a model, optionally narrowed to the rows or lines that match a query.
//!
//! ## Keys
//! A key is the first 16 hex characters of BLAKE3 over the exact bytes
//! ([`headroom_core::hash::retrieve_key`]), so the same original always gets the same key
//! and a marker can be recomputed from its original. Putting the same bytes again returns
//! the same key and refreshes the entry. When a *different* original already holds a key
//! (compared by full digest), the existing entry is left untouched and the new key grows by
//! 4 hex characters (20, 24, ..., 64) until it is free: a hash in a marker never comes to
//! name other content (field lesson C5: a collision overwrote an entry). A tombstone holds
//! its key the same way.
//!
//! ## Storage: one SQLite file per user, in WAL mode
//! The default file is `$HEADROOM_HOME/ccr.sqlite`, else `~/.headroom/ccr.sqlite`
//! ([`default_path`]), shared by every process of the user: proxy workers, the MCP server
//! and library calls all read the same store, so a hash emitted by one is retrievable
//! through any other (field lesson O2: split stores gave an MCP server an empty store).
//! - **WAL** lets readers proceed while one process writes and makes each commit a single
//!   append; `synchronous=NORMAL` keeps that cheap (an application crash loses nothing; a
//!   power loss may drop the last commits, which then read as unknown hashes).
//! - A **5 s busy timeout** and `BEGIN IMMEDIATE` transactions let several processes write
//!   the same file without "database is locked" failures under normal contention.
//! - Originals may contain secrets, so the file is created **0600** (its `-wal`/`-shm`
//!   files inherit that) in a folder created **0700**, whatever the umask.
//! - Payloads are BLOBs in their own table, so refreshing an entry's access time never
//!   rewrites its payload. The schema is versioned with `PRAGMA user_version`.
//! - Within a process, one connection sits behind a mutex (a poisoned lock is recovered:
//!   the panicking operation's transaction was rolled back). `Location::Memory` uses the
//!   same code on a private in-memory database.
//!
//! ## Retention: hours, not minutes
//! Agents retrieve long after compression: a sub-agent picks up a transcript, a session
//! resumes after lunch. headroom's 5-minute, then 30-minutes-from-creation TTL made 6% of
//! retrieves miss, and expiry errors read like typos, so models retried one dead hash 25
//! times (field lesson O1). Here:
//! - **idle TTL 24 h**: an entry expires only when nobody has put or read it for 24 hours;
//!   every `put` of the same bytes, `get` and `retrieve` refreshes it;
//! - **max lifetime 7 days** since first stored, however often it is read (originals are
//!   not kept forever);
//! - **caps 10,000 entries / 256 MiB**: a put that would exceed one evicts the least
//!   recently used entries first;
//! - **tombstones**: an expired, evicted or purged entry leaves its key, full digest, reason
//!   and time (no payload; the newest 100,000 are kept), so a later lookup answers
//!   `EXPIRED` with why and when, a terminal instruction ("do not retry; re-run the command
//!   that produced the original"), distinct from `UNKNOWN_HASH` for a key never stored.
//!
//! Expiry is checked on every lookup and swept on every put and on open. Time comes from a
//! [`Clock`], so tests move it instead of sleeping.
//!
//! ## Redis: one store for several machines
//! With the `redis` cargo feature, [`Location::Redis`] (`HEADROOM_STORE=redis://HOST:PORT/DB`)
//! keeps the same entries, keys, retention, tombstones, caps and memo in a Redis server
//! instead of a file, for proxy instances that do not share a disk. See the `redis` module.
//!
//! ## Errors
//! [`headroom_core::Error`] with `UNKNOWN_HASH` (never stored here, or malformed),
//! `EXPIRED` (expired, evicted or purged) or `STORE_ERROR` (I/O, permissions, corruption,
//! lock timeout; the message names the file), `STORE_UNAVAILABLE` (a Redis server that cannot
//! be reached or does not answer in time; transient), and `INVALID_OPTION` for a bad
//! configuration.
//! Messages are written for a model: what happened, then one final instruction.

mod alloc;
mod clock;
mod config;
mod fsutil;
mod keys;
mod memo;
mod messages;
pub mod query;
#[cfg(feature = "redis")]
pub mod redis;
mod schema;
mod store;

pub use clock::{Clock, ManualClock, SystemClock};
pub use config::{
  DEFAULT_FILE_NAME, DEFAULT_IDLE_TTL, DEFAULT_MAX_BYTES, DEFAULT_MAX_ENTRIES,
  DEFAULT_MAX_LIFETIME, DEFAULT_MAX_TOMBSTONES, ENV_HOME, ENV_IDLE_TTL, ENV_MAX_BYTES,
  ENV_MAX_ENTRIES, ENV_MAX_LIFETIME, ENV_STORE, Location, StoreConfig, default_path,
};
pub use query::Retrieved;
pub use store::{BUSY_TIMEOUT, Purge, Store, StoreStats};

#[cfg(test)]
mod tests;
