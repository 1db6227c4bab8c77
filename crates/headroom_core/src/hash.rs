//! The one content hash: BLAKE3 over the exact bytes, rendered as lowercase hex.
//!
//! Retrieve keys use the first [`RETRIEVE_KEY_HEX_LEN`] hex characters (64 bits); a store
//! that meets a collision extends the key (longer prefixes of the same digest), so the
//! grammar accepts 16 to 64 hex characters.

/// Hex characters in a default retrieve key.
pub const RETRIEVE_KEY_HEX_LEN: usize = 16;

/// The full 64-hex-character BLAKE3 digest of `bytes`.
pub fn content_hash(bytes: &[u8]) -> String {
  blake3::hash(bytes).to_hex().to_string()
}

/// The retrieve key of `bytes`: the first `len` hex characters of [`content_hash`]
/// (clamped to 16..=64).
pub fn retrieve_key(bytes: &[u8], len: usize) -> String {
  let len = len.clamp(RETRIEVE_KEY_HEX_LEN, 64);
  let mut full = content_hash(bytes);
  full.truncate(len);
  full
}

/// A streaming hasher for keys built from several parts (e.g. memo keys made of content
/// plus settings). Parts are length-prefixed so `("ab","c")` and `("a","bc")` differ.
#[derive(Default)]
pub struct KeyHasher(blake3::Hasher);

impl KeyHasher {
  /// A new, empty key hasher.
  pub fn new() -> Self {
    Self(blake3::Hasher::new())
  }

  /// Adds one length-prefixed part.
  pub fn part(&mut self, bytes: &[u8]) -> &mut Self {
    self.0.update(&(bytes.len() as u64).to_le_bytes());
    self.0.update(bytes);
    self
  }

  /// The full hex digest.
  pub fn finish_hex(&self) -> String {
    self.0.finalize().to_hex().to_string()
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn known_vector() {
    // BLAKE3 of the empty input, from the BLAKE3 specification's test vectors.
    assert_eq!(
      content_hash(b""),
      "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262"
    );
  }

  #[test]
  fn retrieve_key_is_a_prefix_and_clamped() {
    let full = content_hash(b"hello");
    assert_eq!(retrieve_key(b"hello", 16), full[..16]);
    assert_eq!(retrieve_key(b"hello", 4), full[..16]);
    assert_eq!(retrieve_key(b"hello", 100), full);
  }

  #[test]
  fn key_parts_are_length_prefixed() {
    let a = KeyHasher::new().part(b"ab").part(b"c").finish_hex();
    let b = KeyHasher::new().part(b"a").part(b"bc").finish_hex();
    assert_ne!(a, b);
  }
}
