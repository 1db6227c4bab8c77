//! Times one file: parse alone, compress (parse + plan + re-parse), and the rest of the
//! spine (detection, counting) for comparison. `cargo run --release -p headroom_code
//! --example timing -- typescript FILE`.
use std::time::Instant;

use headroom_code::Dialect;
use headroom_core::store::MemoryStore;
use headroom_core::{Mode, Params};

fn main() {
  let a: Vec<String> = std::env::args().collect();
  let d = Dialect::ALL
    .into_iter()
    .find(|d| d.as_str() == a[1])
    .unwrap();
  let t = std::fs::read_to_string(&a[2]).unwrap();
  let mb = t.len() as f64 / 1e6;
  let reps = 5;
  let time = |name: &str, f: &dyn Fn()| {
    f();
    let s = Instant::now();
    for _ in 0..reps {
      f();
    }
    let secs = s.elapsed().as_secs_f64() / reps as f64;
    println!("{name:<12} {:>8.1} ms {:>6.1} MB/s", secs * 1e3, mb / secs);
  };
  time("parse", &|| {
    d.parse(&t).unwrap();
  });
  time("compress", &|| {
    headroom_code::compress_dialect(&t, d, &Params::new(Mode::Balanced, &MemoryStore::new()));
  });
  time("detect", &|| {
    headroom_detect::detect(&t);
  });
  time("o200k", &|| {
    headroom_tokens::tokenizer(headroom_tokens::Encoding::O200kBase).count(&t);
  });
}
