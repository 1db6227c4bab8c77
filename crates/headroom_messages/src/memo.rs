//! Memoization of compressed forms by content hash.
//!
//! Clients resend their whole, uncompressed history every turn. The provider's prompt cache
//! only hits if every earlier block compresses to the same bytes as last time, even when the
//! query or the options that only steer *selection* have changed since. So the first
//! compressed form of a block is remembered under a key made of the block's bytes and the
//! settings that define its form (router version, mode), and reused from then on.
//!
//! [`InMemoryMemo`] is a bounded LRU for one process. A persistent implementation (the CCR
//! store) makes the guarantee hold across processes and restarts.

use std::collections::HashMap;
use std::sync::Mutex;

use headroom_core::hash::KeyHasher;

use crate::compressors::ROUTER_VERSION;
use crate::options::Mode;

/// A remembered decision for one block.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum MemoEntry {
  /// The block compresses to this text with this strategy and these marker hashes.
  Compressed {
    /// The compressed text.
    text: String,
    /// Strategy name.
    strategy: String,
    /// Marker hashes in `text`.
    hashes: Vec<String>,
    /// o200k counts of the block and of `text`, made at first sight, so resent history is
    /// never counted again (absent in entries written before counts were kept).
    #[serde(default)]
    o200k: Option<(usize, usize)>,
  },
  /// The block is left as it is (no compressor, or no gain).
  Declined,
}

/// A store of memo entries. Implementations must be safe to share between threads.
pub trait Memo: Send + Sync {
  /// Looks up a key.
  fn get(&self, key: &str) -> Option<MemoEntry>;
  /// Stores an entry. First writer wins: an existing entry is never replaced.
  fn put(&self, key: &str, entry: MemoEntry);
}

/// The memo key of a block: content hash of (router version, mode, whether markers are
/// allowed, the compressor profile (which Kompress model, if any), the block text's
/// [`headroom_core::hash::content_hash`]). Taking the text's hash rather than the text lets
/// the caller hash a block once for both its memo key and its store key.
pub fn memo_key(mode: Mode, markers: bool, profile: &str, text_hash: &str) -> String {
  KeyHasher::new()
    .part(ROUTER_VERSION.as_bytes())
    .part(mode.as_str().as_bytes())
    .part(profile.as_bytes())
    .part(if markers {
      b"markers"
    } else {
      b"lossless-only"
    })
    .part(text_hash.as_bytes())
    .finish_hex()
}

/// A memo that remembers nothing (every block is recompressed; fine for pure compressors).
pub struct NoMemo;

impl Memo for NoMemo {
  fn get(&self, _key: &str) -> Option<MemoEntry> {
    None
  }
  fn put(&self, _key: &str, _entry: MemoEntry) {}
}

/// A bounded, thread-safe, least-recently-used in-memory memo.
pub struct InMemoryMemo {
  inner: Mutex<Lru>,
}

struct Lru {
  map: HashMap<String, (MemoEntry, u64)>,
  bytes: usize,
  tick: u64,
  max_entries: usize,
  max_bytes: usize,
}

impl InMemoryMemo {
  /// A memo holding at most `max_entries` entries and about `max_bytes` of text.
  pub fn new(max_entries: usize, max_bytes: usize) -> Self {
    Self {
      inner: Mutex::new(Lru {
        map: HashMap::new(),
        bytes: 0,
        tick: 0,
        max_entries: max_entries.max(1),
        max_bytes,
      }),
    }
  }

  /// Number of entries.
  pub fn len(&self) -> usize {
    self.lock().map.len()
  }

  /// Whether the memo is empty.
  pub fn is_empty(&self) -> bool {
    self.len() == 0
  }

  fn lock(&self) -> std::sync::MutexGuard<'_, Lru> {
    // A poisoned lock only means another thread panicked mid-operation; the map is still
    // structurally valid, so keep serving.
    self.inner.lock().unwrap_or_else(|e| e.into_inner())
  }
}

impl Default for InMemoryMemo {
  /// 8,192 entries, 64 MiB.
  fn default() -> Self {
    Self::new(8192, 64 * 1024 * 1024)
  }
}

fn entry_bytes(key: &str, e: &MemoEntry) -> usize {
  key.len()
    + match e {
      MemoEntry::Compressed {
        text,
        strategy,
        hashes,
        ..
      } => text.len() + strategy.len() + hashes.iter().map(String::len).sum::<usize>(),
      MemoEntry::Declined => 0,
    }
}

impl Memo for InMemoryMemo {
  fn get(&self, key: &str) -> Option<MemoEntry> {
    let mut lru = self.lock();
    lru.tick += 1;
    let tick = lru.tick;
    let slot = lru.map.get_mut(key)?;
    slot.1 = tick;
    Some(slot.0.clone())
  }

  fn put(&self, key: &str, entry: MemoEntry) {
    let mut lru = self.lock();
    if lru.map.contains_key(key) {
      return;
    }
    let size = entry_bytes(key, &entry);
    if size > lru.max_bytes {
      return;
    }
    while !lru.map.is_empty()
      && (lru.map.len() >= lru.max_entries || lru.bytes + size > lru.max_bytes)
    {
      // Evict the least recently used entry. O(n), but eviction is rare next to lookups.
      let oldest = lru
        .map
        .iter()
        .min_by_key(|(_, (_, t))| *t)
        .map(|(k, _)| k.clone());
      if let Some(k) = oldest
        && let Some((e, _)) = lru.map.remove(&k)
      {
        lru.bytes -= entry_bytes(&k, &e);
      }
    }
    lru.tick += 1;
    let tick = lru.tick;
    lru.bytes += size;
    lru.map.insert(key.to_string(), (entry, tick));
  }
}

#[cfg(test)]
mod tests {
  use super::*;
  use headroom_core::hash::content_hash;

  fn c(t: &str) -> MemoEntry {
    MemoEntry::Compressed {
      text: t.into(),
      strategy: "s".into(),
      hashes: vec![],
      o200k: None,
    }
  }

  #[test]
  fn entries_written_before_counts_were_kept_still_read() {
    let old = r#"{"Compressed":{"text":"t","strategy":"s","hashes":[]}}"#;
    assert_eq!(serde_json::from_str::<MemoEntry>(old).unwrap(), c("t"));
  }

  #[test]
  fn first_writer_wins() {
    let m = InMemoryMemo::default();
    m.put("k", c("one"));
    m.put("k", c("two"));
    assert_eq!(m.get("k"), Some(c("one")));
  }

  #[test]
  fn evicts_least_recently_used() {
    let m = InMemoryMemo::new(2, 1 << 20);
    m.put("a", c("1"));
    m.put("b", c("2"));
    assert!(m.get("a").is_some());
    m.put("c", c("3"));
    assert!(m.get("b").is_none(), "b was least recently used");
    assert!(m.get("a").is_some() && m.get("c").is_some());
  }

  #[test]
  fn byte_bound_holds() {
    let m = InMemoryMemo::new(100, 10);
    m.put("a", c("12345"));
    m.put("b", c("12345"));
    assert_eq!(m.len(), 1);
    m.put("huge", c(&"x".repeat(100)));
    assert!(m.get("huge").is_none());
  }

  #[test]
  fn keys_depend_on_mode_and_text() {
    assert_ne!(
      memo_key(Mode::Balanced, true, "", &content_hash("x".as_bytes())),
      memo_key(Mode::Lossless, true, "", &content_hash("x".as_bytes()))
    );
    assert_ne!(
      memo_key(Mode::Balanced, true, "", &content_hash("x".as_bytes())),
      memo_key(Mode::Balanced, true, "", &content_hash("y".as_bytes()))
    );
    assert_ne!(
      memo_key(Mode::Balanced, true, "", &content_hash("x".as_bytes())),
      memo_key(Mode::Balanced, false, "", &content_hash("x".as_bytes()))
    );
    assert_eq!(
      memo_key(Mode::Balanced, true, "", &content_hash("x".as_bytes())),
      memo_key(Mode::Balanced, true, "", &content_hash("x".as_bytes()))
    );
    assert_ne!(
      memo_key(Mode::Balanced, true, "", &content_hash("x".as_bytes())),
      memo_key(Mode::Balanced, true, "kompress", "x")
    );
  }
}

/// A memo kept in the CCR store's `memo` table: compressed forms hold across processes and
/// restarts, with a process-local LRU in front so hot blocks never touch SQLite.
pub struct StoreMemo {
  store: std::sync::Arc<headroom_store::Store>,
  cache: InMemoryMemo,
}

impl StoreMemo {
  /// A memo over `store`.
  pub fn new(store: std::sync::Arc<headroom_store::Store>) -> Self {
    Self {
      store,
      cache: InMemoryMemo::default(),
    }
  }
}

impl Memo for StoreMemo {
  fn get(&self, key: &str) -> Option<MemoEntry> {
    if let Some(e) = self.cache.get(key) {
      return Some(e);
    }
    // A store read failure is a cache miss: the block is recompressed (deterministically).
    let bytes = self.store.memo_get(key).ok()??;
    let entry: MemoEntry = serde_json::from_slice(&bytes).ok()?;
    self.cache.put(key, entry.clone());
    Some(entry)
  }

  fn put(&self, key: &str, entry: MemoEntry) {
    // First writer wins in the store: when another process was first, adopt its entry so
    // this process agrees with the others.
    let stored = serde_json::to_vec(&entry)
      .ok()
      .and_then(|bytes| self.store.memo_put(key, &bytes).ok());
    let winner = match stored {
      Some(true) => None,
      _ => self
        .store
        .memo_get(key)
        .ok()
        .flatten()
        .and_then(|b| serde_json::from_slice(&b).ok()),
    };
    self.cache.put(key, winner.unwrap_or(entry));
  }
}

#[cfg(test)]
mod store_memo_tests {
  use super::*;

  #[test]
  fn store_memo_is_shared_between_instances_over_one_file() {
    let dir = tempfile::tempdir().unwrap();
    let config = headroom_store::StoreConfig::file(dir.path().join("ccr.sqlite"));
    let a = StoreMemo::new(std::sync::Arc::new(
      headroom_store::Store::open(&config).unwrap(),
    ));
    let b = StoreMemo::new(std::sync::Arc::new(
      headroom_store::Store::open(&config).unwrap(),
    ));
    let first = MemoEntry::Compressed {
      text: "one".into(),
      strategy: "s".into(),
      hashes: vec![],
      o200k: Some((10, 3)),
    };
    a.put("k", first.clone());
    b.put("k", MemoEntry::Declined);
    assert_eq!(
      b.get("k"),
      Some(first.clone()),
      "the first writer wins across instances"
    );
    assert_eq!(a.get("k"), Some(first));
  }
}
