//! Where originals go before a marker is written.
//!
//! The rule every lossy compressor follows: **store first, then mark.** A compressor that
//! leaves something out calls [`OriginalStore::put`] with the exact original bytes, and only
//! if that succeeds writes a marker carrying the returned key. If the store fails, the
//! compressor falls back to a lossless form (or leaves the block alone); it never emits a
//! marker whose original cannot be retrieved.

use crate::Result;

/// A content-addressed store of originals (the CCR store implements it).
pub trait OriginalStore: Send + Sync {
  /// Stores `original` byte-exact and returns its retrieve key: the first 16+ hex characters
  /// of BLAKE3 over the bytes ([`crate::hash::retrieve_key`]), extended when a different
  /// original already holds the shorter key. Storing the same bytes again returns the same
  /// key (and refreshes the entry's idle timer).
  fn put(&self, original: &[u8]) -> Result<String>;

  /// Whether this store keeps originals at all (a retrieve path exists). `false` means
  /// compressors may only use lossless forms.
  fn enabled(&self) -> bool {
    true
  }
}

/// A store that holds nothing and refuses every put: with it, compressors can only use
/// lossless forms. This is what "no retrieve path" means.
pub struct NoStore;

impl OriginalStore for NoStore {
  fn put(&self, _original: &[u8]) -> Result<String> {
    Err(crate::Error::new(
      crate::ErrorCode::StoreError,
      "no store: markers are disabled",
    ))
  }

  fn enabled(&self) -> bool {
    false
  }
}

/// A store that keeps originals in process memory, keyed like the real store (the first 16
/// hex characters of BLAKE3). For tests, evaluations and fuzzing of the compressors; it has
/// no retention limits and never extends a key on collision (64-bit keys: not a concern at
/// test sizes).
#[derive(Default)]
pub struct MemoryStore(std::sync::Mutex<std::collections::HashMap<String, Vec<u8>>>);

impl MemoryStore {
  /// An empty store.
  pub fn new() -> Self {
    Self::default()
  }

  /// The original stored under `key`, byte-exact.
  pub fn get(&self, key: &str) -> Option<Vec<u8>> {
    self.lock().get(key).cloned()
  }

  /// How many originals are stored.
  pub fn len(&self) -> usize {
    self.lock().len()
  }

  /// Whether nothing is stored.
  pub fn is_empty(&self) -> bool {
    self.len() == 0
  }

  fn lock(&self) -> std::sync::MutexGuard<'_, std::collections::HashMap<String, Vec<u8>>> {
    // A poisoned lock only means another thread panicked mid-insert of whole values.
    self
      .0
      .lock()
      .unwrap_or_else(std::sync::PoisonError::into_inner)
  }
}

impl OriginalStore for MemoryStore {
  fn put(&self, original: &[u8]) -> Result<String> {
    let key = crate::hash::retrieve_key(original, crate::hash::RETRIEVE_KEY_HEX_LEN);
    self.lock().insert(key.clone(), original.to_vec());
    Ok(key)
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn memory_store_round_trips() {
    let s = MemoryStore::new();
    assert!(s.is_empty());
    let k = s.put(b"abc").unwrap();
    assert_eq!(k, crate::hash::retrieve_key(b"abc", 16));
    assert_eq!(s.get(&k).as_deref(), Some(&b"abc"[..]));
    assert_eq!(s.len(), 1);
    assert!(s.get("0000000000000000").is_none());
  }

  #[test]
  fn no_store_is_disabled_and_refuses_puts() {
    assert!(!NoStore.enabled());
    assert!(NoStore.put(b"x").is_err());
  }
}
