//! Retrieve keys: prefixes of the content's BLAKE3 hex digest.
//!
//! A key is the first 16 hex characters (64 bits) of the digest. When a *different*
//! original already holds (or held: a tombstone counts) that prefix, the key is extended by
//! 4 hex characters at a time (20, 24, ... up to the full 64), so an old marker never comes
//! to name new content.

use headroom_core::hash::RETRIEVE_KEY_HEX_LEN;

/// Hex characters added to a key per collision step.
pub(crate) const KEY_STEP: usize = 4;
/// Hex characters of a full BLAKE3 digest.
pub(crate) const FULL_HEX_LEN: usize = 64;

/// The key lengths to try for content with digest `full`, shortest first: `min`, `min + 4`,
/// ... and always 64 last.
pub(crate) fn candidate_keys(full: &str, min: usize) -> impl Iterator<Item = &str> {
  let mut lens: Vec<usize> = (min..FULL_HEX_LEN).step_by(KEY_STEP).collect();
  lens.push(FULL_HEX_LEN);
  lens.into_iter().map(move |len| &full[..len])
}

/// Whether `key` is a well-formed retrieve key: `min..=64` lowercase hex characters.
pub(crate) fn is_well_formed(key: &str, min: usize) -> bool {
  (min..=FULL_HEX_LEN).contains(&key.len())
    && key
      .bytes()
      .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The default minimum key length.
pub(crate) const DEFAULT_KEY_LEN: usize = RETRIEVE_KEY_HEX_LEN;

#[cfg(test)]
mod tests {
  use super::*;
  use headroom_core::hash::{content_hash, retrieve_key};

  #[test]
  fn first_candidate_is_the_core_retrieve_key() {
    let full = content_hash(b"payload");
    let keys: Vec<&str> = candidate_keys(&full, DEFAULT_KEY_LEN).collect();
    assert_eq!(keys[0], retrieve_key(b"payload", 16));
    assert_eq!(
      keys.iter().map(|k| k.len()).collect::<Vec<_>>(),
      vec![16, 20, 24, 28, 32, 36, 40, 44, 48, 52, 56, 60, 64]
    );
    let short: Vec<usize> = candidate_keys(&full, 3).map(str::len).collect();
    assert_eq!(short.first(), Some(&3));
    assert_eq!(short.last(), Some(&64));
    assert_eq!(short[short.len() - 2], 63);
  }

  #[test]
  fn well_formed_keys() {
    assert!(is_well_formed("0123456789abcdef", 16));
    assert!(is_well_formed(&"a".repeat(64), 16));
    assert!(!is_well_formed("0123456789abcde", 16));
    assert!(!is_well_formed(&"a".repeat(65), 16));
    assert!(!is_well_formed("0123456789ABCDEF", 16));
    assert!(!is_well_formed("0123456789abcdeg", 16));
    assert!(!is_well_formed(" 0123456789abcdef", 16));
    assert!(!is_well_formed("", 16));
  }
}
