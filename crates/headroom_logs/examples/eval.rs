//! Loghub evaluation: grouping accuracy, token savings, alert retention, throughput.
//!
//! `cargo run -p headroom_logs --release --example eval`

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::Instant;

use headroom_core::output::{line_content, split_lines_inclusive};
use headroom_core::{Mode, Params};
use headroom_tokens::{Encoding, tokenizer};

fn main() {
  let Some(root) = common::loghub() else {
    println!("loghub corpus not found (../shared/corpus/loghub): nothing to evaluate");
    return;
  };
  let tok = tokenizer(Encoding::O200kBase);
  let store = common::MemStore::default();
  println!(
    "{:<12} {:>7} {:>7} {:>9} {:>9} {:>6} {:>9} {:>6} {:>9} {:>9}",
    "system",
    "GA",
    "GA raw",
    "tokens",
    "balanced",
    "saved",
    "aggress.",
    "saved",
    "alerts b",
    "alerts a"
  );
  let (mut ga_sum, mut ga_raw_sum, mut n) = (0.0, 0.0, 0);
  let (mut t_in, mut t_bal, mut t_agg) = (0usize, 0usize, 0usize);
  let mut all = String::new();
  for name in common::systems(&root) {
    let sys = common::load(&root, &name);
    let content: Vec<&str> = sys.content.iter().map(String::as_str).collect();
    let ga = common::ga(&content, &sys.event);
    let raw_lines: Vec<&str> = split_lines_inclusive(&sys.raw).map(line_content).collect();
    let ga_raw = common::ga(&raw_lines, &sys.event);
    let before = tok.count(&sys.raw);
    let mut after = [before; 2];
    let mut alerts = [String::from("-"), String::from("-")];
    for (k, mode) in [Mode::Balanced, Mode::Aggressive].into_iter().enumerate() {
      let params = Params::new(mode, &store);
      if let Some(out) = headroom_logs::compress(&sys.raw, &params) {
        common::check(&sys.raw, &out, &store);
        after[k] = tok.count(&out.text);
        if name == "BGL" || name == "Thunderbird" {
          let (kept, total) = common::alerts_retained(&sys.raw, &out.text);
          let lost = common::alerts_unaccounted(&sys.raw, &out.text).len();
          alerts[k] = if k == 0 || lost > 0 {
            format!("{kept}/{total}")
          } else {
            format!("{kept}+{}", total - kept)
          };
        }
      }
    }
    let pct = |a: usize| 100.0 * (1.0 - a as f64 / before as f64);
    println!(
      "{name:<12} {ga:>7.3} {ga_raw:>7.3} {before:>9} {:>9} {:>5.1}% {:>9} {:>5.1}% {:>9} {:>9}",
      after[0],
      pct(after[0]),
      after[1],
      pct(after[1]),
      alerts[0],
      alerts[1],
    );
    ga_sum += ga;
    ga_raw_sum += ga_raw;
    n += 1;
    t_in += before;
    t_bal += after[0];
    t_agg += after[1];
    all.push_str(&sys.raw);
    all.push('\n');
  }
  let pct = |a: usize| 100.0 * (1.0 - a as f64 / t_in as f64);
  println!(
    "{:<12} {:>7.4} {:>7.4} {t_in:>9} {t_bal:>9} {:>5.1}% {t_agg:>9} {:>5.1}%",
    "average/sum",
    ga_sum / n as f64,
    ga_raw_sum / n as f64,
    pct(t_bal),
    pct(t_agg)
  );
  println!(
    "(alerts: BGL/Thunderbird lines whose first column is not '-'; b: kept verbatim in the balanced \
     output; a: aggressive, kept+named (counted by a marker naming their template, tagged \
     (severe)), or kept/total when some are neither)"
  );
  if std::env::var("PHASES").is_ok() {
    phases(&all);
  }
  // Throughput on the concatenation.
  for mode in [Mode::Balanced, Mode::Aggressive] {
    let params = Params::new(mode, &store);
    let reps = 5;
    let t = Instant::now();
    let mut len = 0;
    for _ in 0..reps {
      len += headroom_logs::compress(&all, &params).map_or(0, |c| c.text.len());
    }
    let secs = t.elapsed().as_secs_f64() / reps as f64;
    println!(
      "throughput {:<10} {:.1} MB in {:.1} ms: {:.1} MB/s (output {} bytes)",
      mode.as_str(),
      all.len() as f64 / 1e6,
      secs * 1e3,
      all.len() as f64 / 1e6 / secs,
      len / reps
    );
  }
}

/// Phase timings (debugging aid): `PHASES=1`.
#[allow(dead_code)]
fn phases(all: &str) {
  let t = Instant::now();
  let mut m = headroom_logs::TemplateMiner::default();
  let lines: Vec<&str> = split_lines_inclusive(all).map(line_content).collect();
  let ids: Vec<u32> = lines.iter().map(|l| m.add(l)).collect();
  println!("mine {:?} clusters {}", t.elapsed(), m.len());
  let t = Instant::now();
  let r = headroom_logs::refine(&m, &lines, &ids, 3);
  println!("refine {:?} groups {}", t.elapsed(), r.templates.len());
  let t = Instant::now();
  let n = lines
    .iter()
    .filter(|l| headroom_logs::classify::is_severe(l))
    .count();
  println!("severity {:?} {n}", t.elapsed());
  let t = Instant::now();
  let tr = headroom_logs::classify::trace_lines(&lines);
  println!("trace {:?} {}", t.elapsed(), tr.len());
}
