//! Shared test helpers: a memory store and the full check of one output.

#![allow(dead_code)]

pub mod corpus;

/// The in-memory test store.
pub use headroom_core::store::MemoryStore as MemStore;

use headroom_code::{Dialect, Outcome};
use headroom_core::check::{Granularity, TextCheck, check_text};
use headroom_core::{Compressed, Mode, Params};

/// Compresses `text`, and when something comes out checks it: zero silent loss at line
/// granularity, a fresh parse as clean as the input's, same bytes on a second call.
pub fn run(text: &str, dialect: Dialect, mode: Mode, query: Option<&str>) -> Outcome {
  let store = MemStore::default();
  let params = Params::new(mode, &store).with_query(query);
  let outcome = headroom_code::compress_dialect_outcome(text, dialect, &params);
  if let Outcome::Compressed(c) = &outcome {
    check(text, c, dialect, &store);
    let again = headroom_code::compress_dialect_outcome(text, dialect, &params);
    assert_eq!(again, outcome, "not deterministic");
  }
  outcome
}

/// The checks of [`run`] on one output.
pub fn check(text: &str, c: &Compressed, dialect: Dialect, store: &MemStore) {
  let fetch = |h: &str| store.get(h);
  if let Err(e) = check_text(text, &c.text, &fetch, &TextCheck::new(Granularity::Lines)) {
    panic!("checker: {e}\n--- output ---\n{}", c.text);
  }
  assert_eq!(c.strategy, format!("code:signatures({})", dialect.as_str()));
  assert_eq!(c.hashes.len(), 1);
  let input_clean = !dialect.parse(text).unwrap().root_node().has_error();
  let output_clean = dialect
    .parse(&c.text)
    .is_some_and(|t| !t.root_node().has_error());
  assert!(
    !input_clean || output_clean,
    "clean input, output with errors:\n{}",
    c.text
  );
}

/// Compresses and expects an output.
pub fn compressed(text: &str, dialect: Dialect, mode: Mode, query: Option<&str>) -> String {
  match run(text, dialect, mode, query) {
    Outcome::Compressed(c) => c.text,
    Outcome::Unchanged(why) => panic!("expected compression, got {why}"),
  }
}
