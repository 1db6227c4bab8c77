//! Detection throughput: `cargo run -p headroom_detect --example detect_throughput --release`.
//!
//! Reports MB/s of `detect` over 4 KiB chunks of a mixed buffer (loghub logs, corpus JSON,
//! this crate's sources), and the latency of `detect` on 100 MB inputs (which only sample).

use std::time::Instant;

fn main() {
  let corpus = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus");
  let mut buf = String::new();
  for p in [
    "loghub/Hadoop/Hadoop_2k.log",
    "loghub/Mac/Mac_2k.log",
    "headroom-generated/search_results.json",
    "loghub/Spark/Spark_2k.log_structured.csv",
  ] {
    buf.push_str(&std::fs::read_to_string(format!("{corpus}/{p}")).unwrap_or_default());
  }
  for p in ["src/code.rs", "src/log.rs", "src/sections.rs"] {
    buf.push_str(
      &std::fs::read_to_string(format!("{}/{p}", env!("CARGO_MANIFEST_DIR"))).unwrap_or_default(),
    );
  }
  // 4 KiB chunks on char boundaries.
  let mut chunks = Vec::new();
  let mut i = 0;
  while i < buf.len() {
    let mut e = (i + 4096).min(buf.len());
    while !buf.is_char_boundary(e) {
      e -= 1;
    }
    chunks.push(&buf[i..e]);
    i = e;
  }
  let rounds = 20;
  let t = Instant::now();
  let mut n = 0usize;
  for _ in 0..rounds {
    for c in &chunks {
      n += headroom_detect::detect(c).kind as usize;
    }
  }
  let el = t.elapsed().as_secs_f64();
  let mb = (buf.len() * rounds) as f64 / 1e6;
  println!(
    "4 KiB chunks: {} chunks x {rounds} rounds, {:.1} MB in {:.3}s = {:.1} MB/s ({:.1} us/chunk) [{n}]",
    chunks.len(),
    mb,
    el,
    mb / el,
    el * 1e6 / (chunks.len() * rounds) as f64
  );

  let line = "2024-01-01 12:00:00,123 INFO [main] org.example.Service: request handled in 12 ms\n";
  let log = line.repeat(100_000_000 / line.len());
  let json = format!(
    "[{}{{\"id\":1}}]",
    "{\"id\":1,\"name\":\"x\",\"tags\":[\"a\",\"b\"]},".repeat(100_000_000 / 40)
  );
  for (name, text) in [("100 MB log", &log), ("100 MB JSON array", &json)] {
    let t = Instant::now();
    let d = headroom_detect::detect(text);
    println!(
      "{name}: detect = {:?} in {:.3} ms",
      d.kind,
      t.elapsed().as_secs_f64() * 1e3
    );
  }
}
