//! First-sight compression of one file in a loop, for profilers (`perf`, callgrind):
//! `cargo run --profile profiling -p headroom_messages --example json_loop -- FILE [MODE]
//! [CALLS] [sqlite|body]`.
//!
//! - no fourth argument: `compress_text` with an in-memory store and no memo;
//! - `sqlite`: `compress_text`, each call with a fresh in-memory SQLite store and memo, as
//!   `benches/cases.ts` does through the binding;
//! - `body`: FILE is a request body, given to `compress_request_with`, each call with a fresh
//!   in-memory SQLite store and memo, as `benches/headroom.ts` does through the binding
//!   (callgrind: `--toggle-collect=headroom_messages::compress_request_with`).
use headroom_core::store::MemoryStore;
use headroom_messages::memo::{NoMemo, StoreMemo};
use headroom_messages::{compress_request_with, compress_text, options::Options};

/// The binding's allocator, so the profile is the addon's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
  let path = std::env::args().nth(1).expect("FILE");
  let mode = std::env::args().nth(2).unwrap_or("balanced".into());
  let n: usize = std::env::args()
    .nth(3)
    .map(|s| s.parse().unwrap())
    .unwrap_or(50);
  let how = std::env::args().nth(4).unwrap_or_default();
  let text = std::fs::read_to_string(path).unwrap();
  headroom_tokens::tokenizer(headroom_tokens::Encoding::O200kBase).count("warm");
  let opts: Options = serde_json::from_str(&format!("{{\"mode\":\"{mode}\"}}")).unwrap();
  let once = || {
    if how.is_empty() {
      std::hint::black_box(compress_text(
        &text,
        &opts,
        &NoMemo,
        &MemoryStore::default(),
      ));
      return;
    }
    let store = std::sync::Arc::new(headroom_store::Store::in_memory());
    let memo = StoreMemo::new(store.clone());
    if how == "body" {
      std::hint::black_box(compress_request_with(text.as_bytes(), &opts, &memo, &*store).unwrap());
    } else {
      std::hint::black_box(compress_text(&text, &opts, &memo, &*store));
    }
  };
  once();
  let t = std::time::Instant::now();
  for _ in 0..n {
    once();
  }
  let per = t.elapsed().as_secs_f64() / n as f64;
  println!(
    "{mode} {:.3} ms {:.1} MB/s",
    per * 1e3,
    text.len() as f64 / per / 1e6
  );
}
