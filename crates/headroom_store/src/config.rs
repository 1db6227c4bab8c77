//! Where the store lives and how long it keeps things.
//!
//! | variable | meaning | default |
//! |---|---|---|
//! | `HEADROOM_STORE` | `memory` (or `:memory:`) for a private in-memory store, `redis://HOST[:PORT][/DB]` for a shared Redis store (see [`crate::redis`]), else a file path | [`default_path`] |
//! | `HEADROOM_HOME` | folder of the default file (`$HEADROOM_HOME/ccr.sqlite`) | `~/.headroom` |
//! | `HEADROOM_STORE_IDLE_TTL_SECS` | seconds an entry may go unread before it expires | 86400 (24 h) |
//! | `HEADROOM_STORE_MAX_LIFETIME_SECS` | seconds since creation after which it expires anyway | 604800 (7 days) |
//! | `HEADROOM_STORE_MAX_ENTRIES` | entries kept before LRU eviction | 10000 |
//! | `HEADROOM_STORE_MAX_BYTES` | payload bytes kept before LRU eviction | 268435456 (256 MiB) |
//!
//! An empty variable counts as unset.

use std::path::PathBuf;
use std::time::Duration;

use headroom_core::{Error, Result};

/// File name of the store inside the headroom home folder.
pub const DEFAULT_FILE_NAME: &str = "ccr.sqlite";
/// Default idle TTL: 24 hours since the entry was last put or read.
pub const DEFAULT_IDLE_TTL: Duration = Duration::from_secs(24 * 3600);
/// Default maximum lifetime: 7 days since the entry was first stored.
pub const DEFAULT_MAX_LIFETIME: Duration = Duration::from_secs(7 * 24 * 3600);
/// Default entry cap.
pub const DEFAULT_MAX_ENTRIES: u64 = 10_000;
/// Default payload cap: 256 MiB.
pub const DEFAULT_MAX_BYTES: u64 = 256 * 1024 * 1024;
/// Default number of tombstones kept (the newest win).
pub const DEFAULT_MAX_TOMBSTONES: u64 = 100_000;

/// Where the store keeps its entries. `Debug` leaves a Redis URL's password out.
#[derive(Clone, PartialEq, Eq)]
pub enum Location {
  /// A SQLite file at this path (created with mode 0600, its folder with 0700).
  File(PathBuf),
  /// A private in-memory SQLite database: same semantics, gone with the [`crate::Store`].
  Memory,
  /// The file at [`default_path`], resolved when the store is opened.
  Default,
  /// A Redis server, by URL: `redis://[[USER]:PASSWORD@]HOST[:PORT][/DB][?prefix=P]`
  /// (see [`crate::redis`]). Several proxy instances on different machines can share it.
  /// Opening one needs the `redis` cargo feature; without it, `INVALID_OPTION`.
  Redis(String),
}

impl std::fmt::Debug for Location {
  fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
    match self {
      Location::File(p) => f.debug_tuple("File").field(p).finish(),
      Location::Memory => f.write_str("Memory"),
      Location::Default => f.write_str("Default"),
      Location::Redis(url) => {
        // Everything between the scheme and the last `@` of the authority is credentials.
        let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
        let end = rest.find(['/', '?']).unwrap_or(rest.len());
        let shown = match rest[..end].rfind('@') {
          Some(at) => format!("{scheme}://***@{}", &rest[at + 1..]),
          None => url.clone(),
        };
        f.debug_tuple("Redis").field(&shown).finish()
      }
    }
  }
}

impl Location {
  /// Whether `spec` names a Redis server (`redis://` or `rediss://`, any letter case).
  pub fn is_redis_url(spec: &str) -> bool {
    let lower = spec.trim_start().to_ascii_lowercase();
    lower.starts_with("redis://") || lower.starts_with("rediss://")
  }

  /// The location a `HEADROOM_STORE`-style value names: `memory` (or `:memory:`), a Redis
  /// URL, else a file path.
  pub fn parse(spec: &str) -> Location {
    let v = spec.trim();
    if v.eq_ignore_ascii_case("memory") || v == ":memory:" {
      Location::Memory
    } else if Location::is_redis_url(v) {
      Location::Redis(v.to_string())
    } else {
      Location::File(PathBuf::from(v))
    }
  }
}

/// How a [`crate::Store`] is opened: location, retention and caps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreConfig {
  /// Where the entries live.
  pub location: Location,
  /// An entry not put or read for longer than this expires.
  pub idle_ttl: Duration,
  /// An entry older than this (since first stored) expires even if it is read often.
  pub max_lifetime: Duration,
  /// At most this many entries; a put beyond it evicts the least recently used ones.
  pub max_entries: u64,
  /// At most this many payload bytes; a put beyond it evicts the least recently used ones.
  pub max_bytes: u64,
  /// At most this many tombstones (key, full hash, reason, time; no payload). The oldest go
  /// first; a key whose tombstone is gone reads as unknown rather than expired.
  pub max_tombstones: u64,
}

impl Default for StoreConfig {
  /// The file at [`default_path`] with the default retention (24 h idle, 7 days lifetime,
  /// 10,000 entries, 256 MiB).
  fn default() -> Self {
    Self {
      location: Location::Default,
      idle_ttl: DEFAULT_IDLE_TTL,
      max_lifetime: DEFAULT_MAX_LIFETIME,
      max_entries: DEFAULT_MAX_ENTRIES,
      max_bytes: DEFAULT_MAX_BYTES,
      max_tombstones: DEFAULT_MAX_TOMBSTONES,
    }
  }
}

impl StoreConfig {
  /// The defaults, in memory.
  pub fn memory() -> Self {
    Self {
      location: Location::Memory,
      ..Self::default()
    }
  }

  /// The defaults, in the SQLite file at `path`.
  pub fn file(path: impl Into<PathBuf>) -> Self {
    Self {
      location: Location::File(path.into()),
      ..Self::default()
    }
  }

  /// The configuration from the process environment (see the module docs). A variable whose
  /// value does not parse is ignored (its default is used); use [`StoreConfig::try_from_env`]
  /// to get an error instead.
  pub fn from_env() -> Self {
    Self::from_lookup_lenient(|name| std::env::var(name).ok())
  }

  /// [`StoreConfig::from_lookup`], ignoring each variable whose value does not parse.
  pub(crate) fn from_lookup_lenient(lookup: impl Fn(&str) -> Option<String>) -> Self {
    let mut config = Self::default();
    // Apply each variable on its own so one bad value does not discard the others.
    for name in ENV_VARS {
      let only = |n: &str| if n == name { lookup(n) } else { None };
      if let Ok(c) = Self::from_lookup_onto(config.clone(), only) {
        config = c;
      }
    }
    config
  }

  /// The configuration from the process environment; a value that does not parse is an
  /// `INVALID_OPTION` error naming the variable.
  pub fn try_from_env() -> Result<Self> {
    Self::from_lookup(|name| std::env::var(name).ok())
  }

  /// The configuration from any variable lookup (e.g. a map in a test, or a JS options
  /// object's env). Strict: a value that does not parse is an `INVALID_OPTION` error.
  pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self> {
    Self::from_lookup_onto(Self::default(), lookup)
  }

  fn from_lookup_onto(mut config: Self, lookup: impl Fn(&str) -> Option<String>) -> Result<Self> {
    let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
    if let Some(v) = get(ENV_STORE) {
      config.location = Location::parse(&v);
    }
    if let Some(v) = get(ENV_IDLE_TTL) {
      config.idle_ttl = Duration::from_secs(parse_positive(ENV_IDLE_TTL, &v)?);
    }
    if let Some(v) = get(ENV_MAX_LIFETIME) {
      config.max_lifetime = Duration::from_secs(parse_positive(ENV_MAX_LIFETIME, &v)?);
    }
    if let Some(v) = get(ENV_MAX_ENTRIES) {
      config.max_entries = parse_positive(ENV_MAX_ENTRIES, &v)?;
    }
    if let Some(v) = get(ENV_MAX_BYTES) {
      config.max_bytes = parse_positive(ENV_MAX_BYTES, &v)?;
    }
    Ok(config)
  }

  /// Checks the limits: every duration and cap must be positive.
  pub fn validate(&self) -> Result<()> {
    let checks = [
      ("idle_ttl", self.idle_ttl.is_zero()),
      ("max_lifetime", self.max_lifetime.is_zero()),
      ("max_entries", self.max_entries == 0),
      ("max_bytes", self.max_bytes == 0),
    ];
    for (name, bad) in checks {
      if bad {
        return Err(Error::invalid_option(format!(
          "store option {name} must be positive"
        )));
      }
    }
    Ok(())
  }
}

/// `HEADROOM_STORE`: `memory`, a `redis://` URL, or a file path.
pub const ENV_STORE: &str = "HEADROOM_STORE";
/// `HEADROOM_HOME`: the folder of the default store file.
pub const ENV_HOME: &str = "HEADROOM_HOME";
/// `HEADROOM_STORE_IDLE_TTL_SECS`.
pub const ENV_IDLE_TTL: &str = "HEADROOM_STORE_IDLE_TTL_SECS";
/// `HEADROOM_STORE_MAX_LIFETIME_SECS`.
pub const ENV_MAX_LIFETIME: &str = "HEADROOM_STORE_MAX_LIFETIME_SECS";
/// `HEADROOM_STORE_MAX_ENTRIES`.
pub const ENV_MAX_ENTRIES: &str = "HEADROOM_STORE_MAX_ENTRIES";
/// `HEADROOM_STORE_MAX_BYTES`.
pub const ENV_MAX_BYTES: &str = "HEADROOM_STORE_MAX_BYTES";

const ENV_VARS: [&str; 5] = [
  ENV_STORE,
  ENV_IDLE_TTL,
  ENV_MAX_LIFETIME,
  ENV_MAX_ENTRIES,
  ENV_MAX_BYTES,
];

fn parse_positive(name: &str, value: &str) -> Result<u64> {
  match value.trim().parse::<u64>() {
    Ok(n) if n > 0 => Ok(n),
    _ => Err(Error::invalid_option(format!(
      "{name}={value:?} is not a positive whole number"
    ))),
  }
}

/// The default store file: `$HEADROOM_HOME/ccr.sqlite` when `HEADROOM_HOME` is set and not
/// empty, else `~/.headroom/ccr.sqlite` (home from `HOME`, or `USERPROFILE` on Windows),
/// else `.headroom/ccr.sqlite` in the current folder. One file per user, shared by every
/// process of that user (proxy workers, MCP server, library calls), so a hash emitted by one
/// can be retrieved through any other.
pub fn default_path() -> PathBuf {
  default_path_from(|name| std::env::var_os(name).map(PathBuf::from))
}

pub(crate) fn default_path_from(lookup: impl Fn(&str) -> Option<PathBuf>) -> PathBuf {
  let non_empty = |name: &str| lookup(name).filter(|p| !p.as_os_str().is_empty());
  if let Some(home) = non_empty(ENV_HOME) {
    return home.join(DEFAULT_FILE_NAME);
  }
  let user_home = non_empty("HOME").or_else(|| non_empty("USERPROFILE"));
  user_home
    .unwrap_or_default()
    .join(".headroom")
    .join(DEFAULT_FILE_NAME)
}

#[cfg(test)]
mod tests {
  use super::*;
  use std::collections::HashMap;

  fn lookup(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<String, String> = pairs
      .iter()
      .map(|(k, v)| (k.to_string(), v.to_string()))
      .collect();
    move |name| map.get(name).cloned()
  }

  #[test]
  fn defaults_are_hours_not_minutes() {
    let c = StoreConfig::default();
    assert_eq!(c.location, Location::Default);
    assert_eq!(c.idle_ttl, Duration::from_secs(86_400));
    assert_eq!(c.max_lifetime, Duration::from_secs(7 * 86_400));
    assert_eq!(c.max_entries, 10_000);
    assert_eq!(c.max_bytes, 256 << 20);
    c.validate().unwrap();
  }

  #[test]
  fn env_selects_memory_or_a_path() {
    let c = StoreConfig::from_lookup(lookup(&[("HEADROOM_STORE", "memory")])).unwrap();
    assert_eq!(c.location, Location::Memory);
    let c = StoreConfig::from_lookup(lookup(&[("HEADROOM_STORE", ":memory:")])).unwrap();
    assert_eq!(c.location, Location::Memory);
    let c = StoreConfig::from_lookup(lookup(&[("HEADROOM_STORE", "/tmp/x/ccr.db")])).unwrap();
    assert_eq!(c.location, Location::File("/tmp/x/ccr.db".into()));
    let c = StoreConfig::from_lookup(lookup(&[("HEADROOM_STORE", " redis://h:1/2 ")])).unwrap();
    assert_eq!(c.location, Location::Redis("redis://h:1/2".into()));
    let c =
      StoreConfig::from_lookup(lookup(&[("HEADROOM_STORE", "redis://u:pw@h/1?prefix=x")])).unwrap();
    assert_eq!(
      format!("{:?}", c.location),
      r#"Redis("redis://***@h/1?prefix=x")"#,
      "Debug never shows the password"
    );
    let c = StoreConfig::from_lookup(lookup(&[("HEADROOM_STORE", "REDIS://h")])).unwrap();
    assert_eq!(c.location, Location::Redis("REDIS://h".into()));
    let c = StoreConfig::from_lookup(lookup(&[("HEADROOM_STORE", "  ")])).unwrap();
    assert_eq!(c.location, Location::Default);
    let c = StoreConfig::from_lookup(lookup(&[])).unwrap();
    assert_eq!(c, StoreConfig::default());
  }

  #[test]
  fn env_sets_retention_and_caps() {
    let c = StoreConfig::from_lookup(lookup(&[
      ("HEADROOM_STORE_IDLE_TTL_SECS", "1800"),
      ("HEADROOM_STORE_MAX_LIFETIME_SECS", "3600"),
      ("HEADROOM_STORE_MAX_ENTRIES", "5"),
      ("HEADROOM_STORE_MAX_BYTES", " 1024 "),
    ]))
    .unwrap();
    assert_eq!(c.idle_ttl, Duration::from_secs(1800));
    assert_eq!(c.max_lifetime, Duration::from_secs(3600));
    assert_eq!(c.max_entries, 5);
    assert_eq!(c.max_bytes, 1024);
  }

  #[test]
  fn bad_env_values_are_invalid_option_naming_the_variable() {
    for bad in ["abc", "0", "-5", "1.5"] {
      let e =
        StoreConfig::from_lookup(lookup(&[("HEADROOM_STORE_IDLE_TTL_SECS", bad)])).unwrap_err();
      assert_eq!(e.code, headroom_core::ErrorCode::InvalidOption);
      assert!(e.message.contains("HEADROOM_STORE_IDLE_TTL_SECS"), "{e}");
    }
  }

  #[test]
  fn lenient_lookup_keeps_the_good_values_and_defaults_the_bad() {
    let c = StoreConfig::from_lookup_lenient(lookup(&[
      ("HEADROOM_STORE", "memory"),
      ("HEADROOM_STORE_IDLE_TTL_SECS", "soon"),
      ("HEADROOM_STORE_MAX_ENTRIES", "12"),
    ]));
    assert_eq!(c.location, Location::Memory);
    assert_eq!(c.idle_ttl, DEFAULT_IDLE_TTL);
    assert_eq!(c.max_entries, 12);
  }

  #[test]
  fn validate_rejects_zero_limits() {
    let c = StoreConfig {
      max_entries: 0,
      ..StoreConfig::memory()
    };
    assert!(c.validate().unwrap_err().message.contains("max_entries"));
  }

  #[test]
  fn default_path_prefers_headroom_home_then_home() {
    let p = default_path_from(|n| (n == "HEADROOM_HOME").then(|| PathBuf::from("/hh")));
    assert_eq!(p, PathBuf::from("/hh/ccr.sqlite"));
    let p = default_path_from(|n| match n {
      "HEADROOM_HOME" => Some(PathBuf::new()),
      "HOME" => Some(PathBuf::from("/home/u")),
      _ => None,
    });
    assert_eq!(p, PathBuf::from("/home/u/.headroom/ccr.sqlite"));
    let p = default_path_from(|_| None);
    assert_eq!(p, PathBuf::from(".headroom/ccr.sqlite"));
  }
}
