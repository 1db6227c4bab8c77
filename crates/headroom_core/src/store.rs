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

  /// [`OriginalStore::put`] for a caller that already computed `full_hash`, the
  /// [`crate::hash::content_hash`] of `original` (a 1 MB original costs a third of a
  /// millisecond to hash). Stores that key by that hash use it instead of hashing again;
  /// a wrong hash stores the bytes under a wrong key, so pass only what `content_hash`
  /// returned for these exact bytes.
  fn put_hashed(&self, original: &[u8], full_hash: &str) -> Result<String> {
    let _ = full_hash;
    self.put(original)
  }

  /// The key [`OriginalStore::put`] would most likely return for `original` (the first 16
  /// hex characters of its hash; a collision in the store may lengthen it), for compressors
  /// that write markers before they know whether they will store anything.
  fn predicted_key(&self, original: &[u8]) -> String {
    crate::hash::retrieve_key(original, crate::hash::RETRIEVE_KEY_HEX_LEN)
  }

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
    self.put_hashed(original, &crate::hash::content_hash(original))
  }

  fn put_hashed(&self, original: &[u8], full_hash: &str) -> Result<String> {
    debug_assert_eq!(full_hash, crate::hash::content_hash(original));
    let key = full_hash[..crate::hash::RETRIEVE_KEY_HEX_LEN].to_string();
    self.lock().insert(key.clone(), original.to_vec());
    Ok(key)
  }
}

/// A view of a store for compressing one block whose content hash is already known: puts
/// and key predictions for exactly that block (the same bytes in memory) reuse the hash;
/// anything else goes to the store as usual.
pub struct KnownOriginal<'a> {
  store: &'a dyn OriginalStore,
  original: &'a [u8],
  full_hash: &'a str,
}

impl<'a> KnownOriginal<'a> {
  /// `full_hash` must be [`crate::hash::content_hash`] of `original`.
  pub fn new(store: &'a dyn OriginalStore, original: &'a [u8], full_hash: &'a str) -> Self {
    debug_assert_eq!(full_hash, crate::hash::content_hash(original));
    KnownOriginal {
      store,
      original,
      full_hash,
    }
  }

  /// Whether `bytes` is the known original itself (same place, same length).
  fn is_known(&self, bytes: &[u8]) -> bool {
    std::ptr::eq(bytes.as_ptr(), self.original.as_ptr()) && bytes.len() == self.original.len()
  }
}

impl OriginalStore for KnownOriginal<'_> {
  fn put(&self, original: &[u8]) -> Result<String> {
    if self.is_known(original) {
      self.store.put_hashed(original, self.full_hash)
    } else {
      self.store.put(original)
    }
  }

  fn put_hashed(&self, original: &[u8], full_hash: &str) -> Result<String> {
    self.store.put_hashed(original, full_hash)
  }

  fn predicted_key(&self, original: &[u8]) -> String {
    if self.is_known(original) {
      self.full_hash[..crate::hash::RETRIEVE_KEY_HEX_LEN].to_string()
    } else {
      self.store.predicted_key(original)
    }
  }

  fn enabled(&self) -> bool {
    self.store.enabled()
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
  fn a_known_original_reuses_its_hash_and_only_for_those_bytes() {
    let s = MemoryStore::new();
    let text = b"the original".to_vec();
    let hash = crate::hash::content_hash(&text);
    let view = KnownOriginal::new(&s, &text, &hash);
    assert_eq!(view.predicted_key(&text), hash[..16]);
    assert_eq!(view.put(&text).unwrap(), hash[..16]);
    // Equal bytes elsewhere in memory are hashed, not taken for the known original.
    let other = b"another text".to_vec();
    assert_eq!(
      view.predicted_key(&other),
      crate::hash::retrieve_key(&other, 16)
    );
    assert_eq!(
      view.put(&other).unwrap(),
      crate::hash::retrieve_key(&other, 16)
    );
    assert_eq!(s.get(&hash[..16]).as_deref(), Some(&text[..]));
    assert!(view.enabled());
    assert!(!KnownOriginal::new(&NoStore, &text, &hash).enabled());
  }

  #[test]
  fn no_store_is_disabled_and_refuses_puts() {
    assert!(!NoStore.enabled());
    assert!(NoStore.put(b"x").is_err());
  }
}
