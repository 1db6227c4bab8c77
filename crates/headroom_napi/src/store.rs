//! The CCR store: a class for explicit stores, and the lazily opened default store.

use std::sync::{Arc, LazyLock, Mutex};

use headroom_core::{Error as CoreError, ErrorCode};
use headroom_messages::memo::StoreMemo;
use headroom_store::{Purge, Store, StoreConfig};
use napi::bindgen_prelude::{Buffer, Either};
use napi_derive::napi;

use crate::error::{BindingError, guard, to_js};

/// A store plus the memo over it, shared by every call that uses the store.
pub struct Shared {
  /// The store.
  pub store: Arc<Store>,
  /// Compressed forms by memo key, in the store's `memo` table.
  pub memo: StoreMemo,
}

impl Shared {
  fn new(store: Store) -> Arc<Self> {
    let store = Arc::new(store);
    Arc::new(Self {
      memo: StoreMemo::new(store.clone()),
      store,
    })
  }
}

/// The default store: `HEADROOM_STORE` (a path, `memory` or a `redis://` URL), else
/// `~/.headroom/ccr.sqlite`.
/// If the file cannot be opened (read-only home, ...), an in-memory store is used instead,
/// so markers stay retrievable within this process; `storeInfo().fallback` says why.
/// The opened default store and, if it fell back to memory, why.
type DefaultSlot = Option<(Arc<Shared>, Option<String>)>;

static DEFAULT: LazyLock<Mutex<DefaultSlot>> = LazyLock::new(|| Mutex::new(None));

/// The default store, opened on first use.
pub fn default_shared() -> (Arc<Shared>, Option<String>) {
  let mut slot = DEFAULT.lock().unwrap_or_else(|e| e.into_inner());
  if let Some((s, why)) = slot.as_ref() {
    return (s.clone(), why.clone());
  }
  let opened = StoreConfig::try_from_env().and_then(|c| Store::open(&c));
  let (store, why) = match opened {
    Ok(s) => (s, None),
    Err(e) => (
      Store::in_memory(),
      Some(format!(
        "default store unavailable, using memory: {}",
        e.message
      )),
    ),
  };
  let shared = Shared::new(store);
  *slot = Some((shared.clone(), why.clone()));
  (shared, why)
}

/// A CCR store: every original a compressor leaves out, byte-exact, by retrieve hash.
#[napi]
pub struct BindingStore {
  pub(crate) shared: Option<Arc<Shared>>,
}

impl BindingStore {
  pub(crate) fn shared(&self) -> Result<Arc<Shared>, BindingError> {
    self.shared.clone().ok_or_else(|| {
      to_js(CoreError::new(
        ErrorCode::StoreError,
        "the store was closed",
      ))
    })
  }
}

/// A retrieval.
#[napi(object)]
pub struct BindingRetrieved {
  /// The original (or, with a query, the matching rows/lines).
  pub text: String,
  /// Units in the original (`rows` of its JSON array, or `lines`).
  pub total_units: u32,
  /// Units returned.
  pub matched_units: u32,
  /// `rows` or `lines`.
  pub unit: String,
}

#[napi]
impl BindingStore {
  /// Opens a store: a SQLite file at `location` (created 0600, WAL), `"memory"` for a private
  /// in-memory store, a `redis://[[USER]:PASSWORD@]HOST[:PORT][/DB][?prefix=P]` URL for a
  /// store shared through Redis, or (no argument) the default store shared with `compress`.
  /// Retention and caps come from the `HEADROOM_STORE_*` variables.
  #[napi(factory, catch_unwind)]
  pub fn open(location: Option<String>) -> Result<BindingStore, BindingError> {
    guard(|| {
      let shared = match location.as_deref() {
        None => default_shared().0,
        Some(spec) => match headroom_store::Location::parse(spec) {
          headroom_store::Location::Memory => Shared::new(Store::in_memory()),
          location => Shared::new(Store::open(&StoreConfig {
            location,
            ..StoreConfig::try_from_env()?
          })?),
        },
      };
      Ok(BindingStore {
        shared: Some(shared),
      })
    })
    .map_err(to_js)
  }

  /// Stores `original` and returns its retrieve hash.
  #[napi(catch_unwind)]
  pub fn put(&self, original: Either<Buffer, String>) -> Result<String, BindingError> {
    let shared = self.shared()?;
    let bytes: &[u8] = match &original {
      Either::A(b) => b.as_ref(),
      Either::B(s) => s.as_bytes(),
    };
    guard(|| shared.store.put(bytes)).map_err(to_js)
  }

  /// The byte-exact original behind `hash`. Errors: `UNKNOWN_HASH`, `EXPIRED` (both final).
  #[napi(catch_unwind)]
  pub fn get(&self, hash: String) -> Result<Buffer, BindingError> {
    let shared = self.shared()?;
    guard(|| shared.store.get(&hash))
      .map(Buffer::from)
      .map_err(to_js)
  }

  /// The original behind `hash`, or with `query` only its matching rows/lines.
  #[napi(catch_unwind)]
  pub fn retrieve(
    &self,
    hash: String,
    query: Option<String>,
  ) -> Result<BindingRetrieved, BindingError> {
    let shared = self.shared()?;
    guard(|| shared.store.retrieve(&hash, query.as_deref()))
      .map(|r| BindingRetrieved {
        text: r.text,
        total_units: r.total_units as u32,
        matched_units: r.matched_units as u32,
        unit: r.unit.to_string(),
      })
      .map_err(to_js)
  }

  /// Counters and sizes, as JSON.
  #[napi(catch_unwind)]
  pub fn stats_json(&self) -> Result<String, BindingError> {
    let shared = self.shared()?;
    guard(|| {
      let s = shared.store.stats()?;
      let (memo_entries, memo_bytes) = shared.store.memo_stats()?;
      Ok(
        serde_json::json!({
          "entries": s.entries, "bytes": s.bytes, "tombstones": s.tombstones, "hits": s.hits,
          "misses": s.misses, "expired": s.expired, "evictions": s.evictions,
          "path": s.path.map(|p| p.display().to_string()),
          "backend": shared.store.backend(), "location": shared.store.describe(),
          "memoEntries": memo_entries, "memoBytes": memo_bytes,
        })
        .to_string(),
      )
    })
    .map_err(to_js)
  }

  /// Removes entries: `"all"`, `"expired"`, or those older than `olderThanSecs`. Returns how
  /// many. Removed hashes answer `EXPIRED` afterwards.
  #[napi(catch_unwind)]
  pub fn purge(&self, what: String, older_than_secs: Option<f64>) -> Result<u32, BindingError> {
    let shared = self.shared()?;
    guard(|| {
      let filter = match (what.as_str(), older_than_secs) {
        ("all", _) => Purge::All,
        ("expired", _) => Purge::Expired,
        ("older", Some(s)) if s >= 0.0 => Purge::OlderThan(std::time::Duration::from_secs_f64(s)),
        _ => {
          return Err(CoreError::invalid_option(
            "purge takes \"all\", \"expired\" or \"older\" with a number of seconds",
          ));
        }
      };
      Ok(shared.store.purge(filter)? as u32)
    })
    .map_err(to_js)
  }

  /// The store's file path (absent for memory stores).
  #[napi(getter)]
  pub fn path(&self) -> Option<String> {
    self
      .shared
      .as_ref()
      .and_then(|s| s.store.path().map(|p| p.display().to_string()))
  }

  /// Releases this handle (the default store stays open for `compress`). Later calls on
  /// this handle fail with `STORE_ERROR`.
  #[napi]
  pub fn close(&mut self) {
    self.shared = None;
  }
}

/// Why the default store fell back to memory, if it did (`null`: the file store is in use).
#[napi]
pub fn default_store_fallback() -> Option<String> {
  default_shared().1
}
