//! Put/get latency of the file store for 4 KiB and 1 MiB originals.
//!
//! ```sh
//! cargo run --release -p headroom_store --example store_bench [-- DIR]
//! ```
//!
//! Uses a fresh store in a temporary folder (or `DIR`), WAL mode, default retention.

use std::time::{Duration, Instant};

use headroom_store::{Store, StoreConfig};

fn data(seed: u64, len: usize) -> Vec<u8> {
  let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
  (0..len)
    .map(|_| {
      s ^= s << 13;
      s ^= s >> 7;
      s ^= s << 17;
      b' ' + (s % 95) as u8
    })
    .collect()
}

fn summary(label: &str, mut samples: Vec<Duration>) {
  samples.sort();
  let n = samples.len();
  let mean = samples.iter().sum::<Duration>() / n as u32;
  let pct = |p: f64| samples[((n as f64 * p) as usize).min(n - 1)];
  println!(
    "{label:<26} n={n:<5} mean {:>9.1} us  p50 {:>9.1} us  p99 {:>9.1} us",
    mean.as_secs_f64() * 1e6,
    pct(0.50).as_secs_f64() * 1e6,
    pct(0.99).as_secs_f64() * 1e6,
  );
}

fn bench(store: &Store, size: usize, n: usize, label: &str) {
  let values: Vec<Vec<u8>> = (0..n).map(|i| data(i as u64 + size as u64, size)).collect();
  let mut keys = Vec::with_capacity(n);
  let mut puts = Vec::with_capacity(n);
  for v in &values {
    let t = Instant::now();
    keys.push(store.put(v).expect("put"));
    puts.push(t.elapsed());
  }
  let mut gets = Vec::with_capacity(n);
  for (k, v) in keys.iter().zip(&values) {
    let t = Instant::now();
    let got = store.get(k).expect("get");
    gets.push(t.elapsed());
    assert_eq!(&got, v);
  }
  let mut reputs = Vec::with_capacity(n);
  for v in &values {
    let t = Instant::now();
    store.put(v).expect("put again");
    reputs.push(t.elapsed());
  }
  summary(&format!("{label} put (new)"), puts);
  summary(&format!("{label} put (same bytes)"), reputs);
  summary(&format!("{label} get"), gets);
}

fn main() {
  let tmp = std::env::args()
    .nth(1)
    .map(std::path::PathBuf::from)
    .unwrap_or_else(|| std::env::temp_dir().join(format!("headroom-bench-{}", std::process::id())));
  let path = tmp.join("ccr.sqlite");
  let _ = std::fs::remove_file(&path);
  let store = Store::open(&StoreConfig::file(&path)).expect("open");
  println!("file store at {}", path.display());
  bench(&store, 4 * 1024, 2000, "file 4 KiB");
  bench(&store, 1024 * 1024, 100, "file 1 MiB");
  let mem = Store::in_memory();
  println!("in-memory store");
  bench(&mem, 4 * 1024, 2000, "memory 4 KiB");
  bench(&mem, 1024 * 1024, 100, "memory 1 MiB");
  println!("{:?}", store.stats().expect("stats"));
  drop(store);
  let _ = std::fs::remove_dir_all(&tmp);
}
