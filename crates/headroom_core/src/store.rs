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

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn no_store_is_disabled_and_refuses_puts() {
    assert!(!NoStore.enabled());
    assert!(NoStore.put(b"x").is_err());
  }
}
