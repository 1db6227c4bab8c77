//! Scratch: where the time goes (parse, compress, fresh re-parse of the output).
#[path = "../tests/common/corpus.rs"]
mod corpus;
use headroom_core::{Mode, OriginalStore, Params};
use std::time::{Duration, Instant};
struct S;
impl OriginalStore for S {
  fn put(&self, o: &[u8]) -> headroom_core::Result<String> {
    Ok(headroom_core::hash::retrieve_key(o, 16))
  }
}
fn main() {
  for src in corpus::sources(150, 4 << 20) {
    let texts: Vec<String> = src
      .files
      .iter()
      .filter_map(|p| std::fs::read_to_string(p).ok())
      .collect();
    let bytes: usize = texts.iter().map(String::len).sum();
    let (mut tp, mut tc, mut tr) = (Duration::ZERO, Duration::ZERO, Duration::ZERO);
    for t in &texts {
      let i = Instant::now();
      let _ = src.dialect.parse(t);
      tp += i.elapsed();
      let i = Instant::now();
      let c = headroom_code::compress_dialect(t, src.dialect, &Params::new(Mode::Balanced, &S));
      tc += i.elapsed();
      if let Some(c) = c {
        let i = Instant::now();
        let _ = src.dialect.parse(&c.text);
        tr += i.elapsed();
      }
    }
    let mb = bytes as f64 / 1e6;
    println!(
      "{:<34} parse {:6.1} MB/s  compress {:6.1} MB/s  fresh reparse of outputs {:.3}s vs parse {:.3}s compress {:.3}s",
      src.label,
      mb / tp.as_secs_f64(),
      mb / tc.as_secs_f64(),
      tr.as_secs_f64(),
      tp.as_secs_f64(),
      tc.as_secs_f64()
    );
  }
}
