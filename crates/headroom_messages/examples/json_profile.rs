//! Where the time of one first-sight `compress_text` call on a JSON array goes.
//!
//! `cargo run --release -p headroom_messages --example json_profile -- FILE`
use headroom_core::store::MemoryStore;
use headroom_messages::{compress_text, memo::NoMemo, options::Options};
use std::time::Instant;

fn best<T>(n: usize, mut f: impl FnMut() -> T) -> (f64, T) {
  let mut b = f64::MAX;
  let mut out = None;
  for _ in 0..n {
    let t = Instant::now();
    out = Some(f());
    b = b.min(t.elapsed().as_secs_f64());
  }
  (b * 1e3, out.unwrap())
}

fn main() {
  let path = std::env::args().nth(1).expect("FILE");
  let text = std::fs::read_to_string(path).unwrap();
  let mb = text.len() as f64 / 1e6;
  headroom_tokens::tokenizer(headroom_tokens::Encoding::O200kBase).count("warm");
  let (t, n) = best(5, || {
    headroom_tokens::tokenizer(headroom_tokens::Encoding::O200kBase).count(&text)
  });
  println!("o200k count input      {t:8.2} ms  ({n} tokens)");
  let (t, d) = best(5, || headroom_detect::detect(&text));
  println!("detect                 {t:8.2} ms  ({:?})", d.kind);
  let (t, _) = best(5, || {
    serde_json::from_str::<serde_json::Value>(&text).unwrap()
  });
  println!("serde_json::Value parse{t:8.2} ms");
  let (t, l) = best(5, || headroom_tokens::lower_bound(&text));
  println!("tokens lower bound     {t:8.2} ms  ({l})");
  let (t, _) = best(5, || headroom_core::hash::content_hash(text.as_bytes()));
  println!("content hash           {t:8.2} ms");
  for mode in ["lossless", "balanced"] {
    let opts: Options = serde_json::from_str(&format!("{{\"mode\":\"{mode}\"}}")).unwrap();
    let (t, r) = best(5, || {
      compress_text(&text, &opts, &NoMemo, &MemoryStore::default())
    });
    println!(
      "compress_text {mode:9}{t:8.2} ms  {:6.1} MB/s  {:?} {} -> {}",
      mb / (t / 1e3),
      r.strategy,
      r.tokens_before,
      r.tokens_after
    );
    let store = std::sync::Arc::new(headroom_store::Store::in_memory());
    let memo = headroom_messages::memo::StoreMemo::new(store.clone());
    let mut i = 0;
    let (t, _) = best(5, || {
      i += 1;
      let fresh = format!("{text}{}", " ".repeat(i));
      compress_text(&fresh, &opts, &memo, &*store)
    });
    println!("  with StoreMemo + SQLite store (in memory) {t:8.2} ms");
    let (t, o) = best(5, || {
      headroom_tokens::tokenizer(headroom_tokens::Encoding::O200kBase).count(&r.text)
    });
    println!(
      "  o200k count output   {t:8.2} ms  ({o} tokens, {} bytes)",
      r.text.len()
    );
  }
}
