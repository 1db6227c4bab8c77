//! Feeds arbitrary text to `compress_text` with a store, so every content compressor (logs,
//! search results, diffs, code, prose, HTML, JSON) runs its lossy path. The first byte picks
//! the mode and whether a query is given. Properties: no panic; a compressed output passes
//! the zero-silent-loss verifier against the stored originals and has fewer tokens; the same
//! input compresses to the same bytes twice.
#![no_main]

use headroom_core::Mode;
use headroom_core::store::MemoryStore as MemStore;
use headroom_messages::memo::NoMemo;
use headroom_messages::options::Options;
use headroom_messages::{compress_text, verify::verify};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
  let Some((&first, rest)) = data.split_first() else {
    return;
  };
  let Ok(text) = std::str::from_utf8(rest) else {
    return;
  };
  let opts = Options {
    mode: [Mode::Balanced, Mode::Aggressive, Mode::Lossless][usize::from(first % 3)],
    query: (first & 4 != 0).then(|| "error connection timeout".to_string()),
    min_tokens: 1,
    ..Options::default()
  };
  let store = MemStore::default();
  let out = compress_text(text, &opts, &NoMemo, &store);
  if let Some(strategy) = &out.strategy {
    let fetch = |h: &str| store.get(h);
    if let Err(e) = verify(text, &out.text, strategy, &fetch) {
      panic!("{strategy}: {e}");
    }
    assert!(out.tokens_after < out.tokens_before);
    if opts.mode == Mode::Lossless {
      assert!(out.hashes.is_empty(), "{strategy}: a marker in lossless mode");
    }
  }
  let again = compress_text(text, &opts, &NoMemo, &MemStore::default());
  assert_eq!(again.text, out.text, "not deterministic");
});
