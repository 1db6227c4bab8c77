//! Times files: parse alone, compress (parse + plan + render + re-parse), and the rest of
//! the spine (detection, counting) for comparison. Each step runs `REPS` times (default 15)
//! after one warm-up call, parse and compress interleaved so both see the same machine load.
//!
//! `cargo run --release -p headroom_code --example timing -- DIALECT FILE [DIALECT FILE]...`
//! (`REPS=31` in the environment for more repetitions).
//!
//! Per step: the median wall time of one call and its MB/s, and where Linux reports it
//! (`/proc/thread-self/schedstat`) the mean CPU time of the calling thread: on a shared
//! machine the wall time includes waiting for a core, the CPU time does not. `compress/parse`
//! is the ratio of the CPU times (wall times elsewhere): what compression costs beyond the
//! one tree-sitter parse no implementation can skip.
use std::time::Instant;

use headroom_code::Dialect;
use headroom_core::store::MemoryStore;
use headroom_core::{Mode, Params};

/// CPU time of this thread so far, in seconds (scheduler accounting, tick-granular: only
/// sums over many calls are meaningful).
fn thread_cpu() -> Option<f64> {
  let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
  Some(s.split_whitespace().next()?.parse::<f64>().ok()? / 1e9)
}

/// Wall seconds of each call and the summed thread CPU seconds.
#[derive(Default)]
struct Step {
  wall: Vec<f64>,
  cpu: Option<f64>,
}

impl Step {
  fn run(&mut self, f: &dyn Fn()) {
    let c0 = thread_cpu();
    let t0 = Instant::now();
    f();
    self.wall.push(t0.elapsed().as_secs_f64());
    self.cpu = match (c0, thread_cpu()) {
      (Some(a), Some(b)) => Some(self.cpu.unwrap_or(0.0) + b - a),
      _ => None,
    };
  }

  fn median(&self) -> f64 {
    let mut v = self.wall.clone();
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
  }

  /// Mean CPU seconds per call, else the median wall time.
  fn per_call(&self) -> f64 {
    self
      .cpu
      .map_or_else(|| self.median(), |c| c / self.wall.len() as f64)
  }

  fn print(&self, name: &str, mb: f64) {
    let med = self.median();
    print!("  {name:<9} {:>8.1} ms {:>6.1} MB/s", med * 1e3, mb / med);
    if let Some(c) = self.cpu {
      let c = c / self.wall.len() as f64;
      print!("   cpu {:>8.1} ms {:>6.1} MB/s", c * 1e3, mb / c);
    }
    println!();
  }
}

fn main() {
  let args: Vec<String> = std::env::args().skip(1).collect();
  let reps: usize = std::env::var("REPS")
    .ok()
    .and_then(|r| r.parse().ok())
    .unwrap_or(15)
    .max(1);
  if args.is_empty() || !args.len().is_multiple_of(2) {
    eprintln!("usage: timing DIALECT FILE [DIALECT FILE]...");
    std::process::exit(2);
  }
  for pair in args.chunks(2) {
    let Some(d) = Dialect::ALL.into_iter().find(|d| d.as_str() == pair[0]) else {
      eprintln!("unknown dialect {}", pair[0]);
      std::process::exit(2);
    };
    let t = std::fs::read_to_string(&pair[1]).expect("readable UTF-8 file");
    let mb = t.len() as f64 / 1e6;
    println!("{} {} ({:.3} MB, {reps} calls)", d.as_str(), pair[1], mb);
    let store = MemoryStore::new();
    let params = Params::new(Mode::Balanced, &store);
    let parse = || {
      d.parse(&t).expect("within the work budget");
    };
    let compress = || {
      headroom_code::compress_dialect(&t, d, &params);
    };
    parse();
    compress();
    let (mut p, mut c) = (Step::default(), Step::default());
    for _ in 0..reps {
      p.run(&parse);
      c.run(&compress);
    }
    p.print("parse", mb);
    c.print("compress", mb);
    println!("  compress/parse {:.2}", c.per_call() / p.per_call());
    let (mut det, mut tok) = (Step::default(), Step::default());
    let o200k = headroom_tokens::tokenizer(headroom_tokens::Encoding::O200kBase);
    o200k.count(&t);
    for _ in 0..reps.min(5) {
      det.run(&|| {
        headroom_detect::detect(&t);
      });
      tok.run(&|| {
        o200k.count(&t);
      });
    }
    det.print("detect", mb);
    tok.print("o200k", mb);
  }
}
