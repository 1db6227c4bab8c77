//! Runs one step on one file `N` times, for instruction counting with valgrind: the cost
//! of one call is `(Ir(N = 3) - Ir(N = 1)) / 2`, free of start-up, file reading, the
//! parser's creation and the kind tables (all paid in both runs).
//!
//! `cargo build --profile profiling -p headroom_code --example cost`, then
//! `valgrind --tool=callgrind target/profiling/examples/cost STEP DIALECT FILE N`.
//! STEP: `parse` (one tree-sitter parse) or `compress` (the whole call, balanced mode).
use headroom_code::Dialect;
use headroom_core::store::MemoryStore;
use headroom_core::{Mode, Params};

fn main() {
  let args: Vec<String> = std::env::args().skip(1).collect();
  let [step, dialect, file, n] = &args[..] else {
    eprintln!("usage: cost parse|compress DIALECT FILE N");
    std::process::exit(2);
  };
  let Some(d) = Dialect::ALL.into_iter().find(|d| d.as_str() == dialect) else {
    eprintln!("unknown dialect {dialect}");
    std::process::exit(2);
  };
  let n: usize = n.parse().expect("a count");
  let text = std::fs::read_to_string(file).expect("readable UTF-8 file");
  let store = MemoryStore::new();
  let params = Params::new(Mode::Balanced, &store);
  let mut sink = 0;
  for _ in 0..n {
    sink += match step.as_str() {
      "parse" => d
        .parse(&text)
        .map_or(0, |t| t.root_node().child_count() as usize),
      _ => headroom_code::compress_dialect(&text, d, &params).map_or(0, |c| c.text.len()),
    };
  }
  println!(
    "{step} {dialect} {file}: {} bytes, {n} calls ({sink})",
    text.len()
  );
}
