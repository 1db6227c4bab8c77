//! First-sight `compress_text` on one file in a loop, for profilers (`perf`, callgrind):
//! `cargo run --profile profiling -p headroom_messages --example json_loop -- FILE [MODE]
//! [CALLS] [sqlite]`. With `sqlite`, each call gets a fresh in-memory SQLite store and memo,
//! as `benches/cases.ts` does through the binding.
use headroom_core::store::MemoryStore;
use headroom_messages::{compress_text, memo::NoMemo, options::Options};

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
  let sqlite = std::env::args().nth(4).is_some();
  let text = std::fs::read_to_string(path).unwrap();
  headroom_tokens::tokenizer(headroom_tokens::Encoding::O200kBase).count("warm");
  let opts: Options = serde_json::from_str(&format!("{{\"mode\":\"{mode}\"}}")).unwrap();
  let once = || {
    if sqlite {
      let store = std::sync::Arc::new(headroom_store::Store::in_memory());
      let memo = headroom_messages::memo::StoreMemo::new(store.clone());
      std::hint::black_box(compress_text(&text, &opts, &memo, &*store));
    } else {
      std::hint::black_box(compress_text(
        &text,
        &opts,
        &NoMemo,
        &MemoryStore::default(),
      ));
    }
  };
  once();
  let t = std::time::Instant::now();
  for _ in 0..n {
    once();
  }
  let per = t.elapsed().as_secs_f64() / n as f64;
  println!(
    "{mode} {:.2} ms {:.1} MB/s",
    per * 1e3,
    text.len() as f64 / per / 1e6
  );
}
