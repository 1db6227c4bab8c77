//! The contract every content compressor follows.
//!
//! A compressor is a pure, deterministic function `(text, Params) -> Option<Compressed>`:
//!
//! - **Same bytes every time.** The same input and settings give the same output bytes in
//!   every call and every process (no clocks, no random seeds, no hash-map iteration order
//!   leaking into the output). Clients resend their history every turn; a block that
//!   compresses differently busts the provider's prompt cache.
//! - **Store first, then mark.** Before writing any marker, put the *whole input text*
//!   byte-exact into the [`OriginalStore`] ([`store_original`]); every marker of the call
//!   carries the returned key. If the store refuses (or is [`crate::store::NoStore`]), emit
//!   no marker: return a lossless form or `None`.
//! - **Markers in the source's units.** `lines`, `rows`, `matches`, `hunks`, `sentences`,
//!   `words`, `bytes`... rendered with [`crate::marker::Marker::render`], on their own
//!   line wherever the source is line-oriented.
//! - **Kept text is verbatim.** Whatever is not a marker (or declared placeholder syntax
//!   around one) is copied from the input byte-for-byte, in order. [`crate::check`] verifies
//!   this for line-, span- and word-oriented outputs.
//! - **`Mode::Lossless`** allows no marker at all; **`None`** means "leave the block alone".
//! - **Bounded.** Linear (or n log n) time in the input, bounded memory; never panics on
//!   any input (fuzzed).

use crate::{Mode, OriginalStore};

/// What a compressor produced for one block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Compressed {
  /// The new text of the block.
  pub text: String,
  /// Strategy name, e.g. `log:templates`, `code:signatures(python)`.
  pub strategy: String,
  /// Retrieve keys of the markers in `text` (empty for lossless forms).
  pub hashes: Vec<String>,
  /// The exact o200k count of `text`, when the compressor made it anyway (the caller then
  /// need not count the output again).
  pub o200k: Option<usize>,
}

/// Settings shared by every compressor.
#[derive(Clone, Copy)]
pub struct Params<'a> {
  /// How much may be left out.
  pub mode: Mode,
  /// Relevance hint (e.g. the user's last question); lines/sections matching it are kept.
  pub query: Option<&'a str>,
  /// Where the original goes before a marker is written.
  pub store: &'a dyn OriginalStore,
}

impl<'a> Params<'a> {
  /// Params with no query.
  pub fn new(mode: Mode, store: &'a dyn OriginalStore) -> Self {
    Self {
      mode,
      query: None,
      store,
    }
  }

  /// Sets the query (blank queries count as none).
  pub fn with_query(mut self, query: Option<&'a str>) -> Self {
    self.query = query.filter(|q| !q.trim().is_empty());
    self
  }

  /// Whether markers may be written at all: a lossy mode and an enabled store.
  pub fn may_elide(&self) -> bool {
    self.mode != Mode::Lossless && self.store.enabled()
  }
}

/// Stores the whole input for a compressor that is about to write markers and returns the
/// retrieve key, or `None` when markers are not allowed (lossless mode, no store, or the
/// store failed): the caller must then not elide anything.
pub fn store_original(params: &Params<'_>, input: &str) -> Option<String> {
  if !params.may_elide() {
    return None;
  }
  params.store.put(input.as_bytes()).ok()
}

/// Splits text into lines the way every line-oriented compressor and the checker do: on
/// `\n`, each line keeping its terminator (`\r\n` or `\n`); a final line without a newline
/// is a line; an empty input has no lines. Joining the pieces gives back the input exactly.
pub fn split_lines_inclusive(text: &str) -> impl Iterator<Item = &str> {
  text.split_inclusive('\n')
}

/// The line's content without its terminator (`\n` or `\r\n`).
pub fn line_content(line: &str) -> &str {
  let l = line.strip_suffix('\n').unwrap_or(line);
  l.strip_suffix('\r').unwrap_or(l)
}

#[cfg(test)]
mod tests {
  use super::*;
  use crate::store::NoStore;

  struct MemStore;
  impl OriginalStore for MemStore {
    fn put(&self, original: &[u8]) -> crate::Result<String> {
      Ok(crate::hash::retrieve_key(original, 16))
    }
  }

  #[test]
  fn markers_need_a_lossy_mode_and_a_store() {
    assert_eq!(
      store_original(&Params::new(Mode::Balanced, &NoStore), "x"),
      None
    );
    assert_eq!(
      store_original(&Params::new(Mode::Lossless, &MemStore), "x"),
      None
    );
    assert_eq!(
      store_original(&Params::new(Mode::Balanced, &MemStore), "x"),
      Some(crate::hash::retrieve_key(b"x", 16))
    );
  }

  #[test]
  fn lines_round_trip() {
    for t in ["", "a", "a\n", "a\r\nb", "\n\n", "a\nb\n"] {
      assert_eq!(split_lines_inclusive(t).collect::<String>(), t);
    }
    assert_eq!(
      split_lines_inclusive("a\r\nb")
        .map(line_content)
        .collect::<Vec<_>>(),
      ["a", "b"]
    );
    assert_eq!(split_lines_inclusive("").count(), 0);
  }

  #[test]
  fn blank_query_is_none() {
    assert!(
      Params::new(Mode::Balanced, &NoStore)
        .with_query(Some("  "))
        .query
        .is_none()
    );
  }
}
