//! First-sight `compress_request_with` on one request body in a loop, for profilers (`perf`,
//! callgrind): `cargo run --profile profiling -p headroom_messages --example body_loop -- FILE
//! [MODE] [CALLS]`. Each call gets a fresh in-memory SQLite store and memo, as
//! `benches/headroom.ts` does through the binding.
use headroom_messages::{compress_request_with, options::Options};

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
  let body = std::fs::read(path).unwrap();
  headroom_tokens::tokenizer(headroom_tokens::Encoding::O200kBase).count("warm");
  let opts: Options = serde_json::from_str(&format!("{{\"mode\":\"{mode}\"}}")).unwrap();
  let once = || {
    let store = std::sync::Arc::new(headroom_store::Store::in_memory());
    let memo = headroom_messages::memo::StoreMemo::new(store.clone());
    std::hint::black_box(compress_request_with(&body, &opts, &memo, &*store).unwrap());
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
    body.len() as f64 / per / 1e6
  );
}
