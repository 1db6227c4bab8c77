//! Throughput of `crush` (string in, string out) on ~1 MB JSON arrays, per mode.
//!
//! `cargo run --release -p headroom_json --example crush_bench`

#[path = "../tests/common/mod.rs"]
mod common;

use headroom_core::Mode;
use headroom_json::{CrushOptions, InputTokens, crush};
use std::time::Instant;

const SERVICES: [&str; 3] = ["api", "db", "auth"];

fn logs(target: usize, pretty: bool) -> String {
  let levels = ["INFO", "INFO", "INFO", "DEBUG", "WARN", "ERROR"];
  let mut rows = Vec::new();
  let mut size = 0;
  let mut i = 0usize;
  while size < target {
    let r = serde_json::json!({
      "timestamp": format!("2025-01-06T00:{:02}:{:02}Z", (i / 60) % 60, i % 60),
      "level": levels[i % levels.len()],
      "service": SERVICES[i % 3],
      "message": format!("request {} finished in {} ms", i, (i * 37) % 500),
      "latency_ms": (i * 37) % 500,
      "trace_id": format!("trace_{:016x}", i.wrapping_mul(0x9E3779B97F4A7C15)),
    });
    size += serde_json::to_string(&r).unwrap().len() + if pretty { 120 } else { 1 };
    rows.push(r);
    i += 1;
  }
  let v = serde_json::Value::Array(rows);
  if pretty {
    serde_json::to_string_pretty(&v).unwrap()
  } else {
    serde_json::to_string(&v).unwrap()
  }
}

fn main() {
  // Build the tokenizer once, outside the timings.
  headroom_json::render::tokens("warm up");
  for (name, text) in [
    ("logs 1MB pretty", logs(1 << 20, true)),
    ("logs 1MB minified", logs(1 << 20, false)),
  ] {
    for mode in [Mode::Lossless, Mode::Balanced, Mode::Aggressive] {
      let store = common::MemStore::default();
      let opts = CrushOptions::new(mode);
      let mut best = f64::MAX;
      let mut out = None;
      for _ in 0..7 {
        let t = Instant::now();
        out = crush(&text, &opts, &store);
        best = best.min(t.elapsed().as_secs_f64());
      }
      let out = out.expect("compressed");
      // As the router calls it: the input's token count already known.
      let known = CrushOptions {
        input_tokens: InputTokens::Known(out.tokens_before),
        ..opts
      };
      let mut best_known = f64::MAX;
      for _ in 0..7 {
        let t = Instant::now();
        let o = crush(&text, &known, &store);
        best_known = best_known.min(t.elapsed().as_secs_f64());
        assert_eq!(o.as_ref(), Some(&out));
      }
      println!(
        "{name:20} {:10} {:7.1} MB/s {:7.2} ms | known tokens {:7.1} MB/s {:7.2} ms | {} -> {} tokens  {}",
        mode.as_str(),
        text.len() as f64 / best / 1e6,
        best * 1e3,
        text.len() as f64 / best_known / 1e6,
        best_known * 1e3,
        out.tokens_before,
        out.tokens_after,
        out.strategy
      );
    }
  }
}
