//! Per-file savings (exact o200k tokens) of every mode on the headroom-generated corpus and
//! on the `@octokit/fixtures` response bodies, with the checker run on every output.
//!
//! `cargo run --release -p headroom_json --example corpus_savings [-- --query "text"]`

#[path = "../tests/common/mod.rs"]
mod common;

use headroom_core::Mode;
use headroom_json::{CrushOptions, checker, crush, render::tokens};

fn main() {
  let args: Vec<String> = std::env::args().collect();
  let query = args
    .iter()
    .position(|a| a == "--query")
    .and_then(|i| args.get(i + 1))
    .map(String::as_str);
  for (title, files) in [
    ("headroom-generated corpus", common::corpus()),
    ("@octokit/fixtures response bodies", common::octokit()),
  ] {
    if files.is_empty() {
      println!("{title}: not found");
      continue;
    }
    println!("\n## {title} ({} files)\n", files.len());
    println!(
      "| file | tokens | minify | lossless | balanced | aggressive | balanced strategy |\n|---|---:|---:|---:|---:|---:|---|"
    );
    let mut tot = [0usize; 5];
    for (name, text) in &files {
      let before = tokens(text);
      let minified =
        serde_json::to_string(&serde_json::from_str::<serde_json::Value>(text).unwrap()).unwrap();
      let mut row = vec![before, tokens(&minified)];
      let mut strat = String::new();
      for mode in [Mode::Lossless, Mode::Balanced, Mode::Aggressive] {
        let store = common::MemStore::default();
        let opts = CrushOptions::new(mode).with_query(query);
        let out = crush(text, &opts, &store);
        let (after, out_text) = match &out {
          Some(c) => (c.tokens_after, c.text.clone()),
          None => (before, text.clone()),
        };
        if let Err(v) = checker::check(text, &out_text, &|h| store.get(h)) {
          println!("CHECK FAILED {name} {mode:?}: {v}");
        }
        if mode == Mode::Lossless && out.is_some() {
          let back = headroom_json::expand_lossless(&out_text).expect("expand");
          let orig: serde_json::Value = serde_json::from_str(text).unwrap();
          assert_eq!(
            serde_json::to_string(&back).unwrap(),
            serde_json::to_string(&orig).unwrap(),
            "{name}"
          );
        }
        if mode == Mode::Balanced {
          strat = out.map_or("none".into(), |c| c.strategy);
        }
        row.push(after);
      }
      let pct = |a: usize| 100.0 * (before as f64 - a as f64) / before as f64;
      println!(
        "| {name} | {before} | {:.1}% | {:.1}% | {:.1}% | {:.1}% | {strat} |",
        pct(row[1]),
        pct(row[2]),
        pct(row[3]),
        pct(row[4])
      );
      for (t, r) in tot.iter_mut().zip(&row) {
        *t += r;
      }
    }
    let pct = |a: usize| 100.0 * (tot[0] as f64 - a as f64) / tot[0] as f64;
    println!(
      "| **total** | {} | {:.1}% | {:.1}% | {:.1}% | {:.1}% | |",
      tot[0],
      pct(tot[1]),
      pct(tot[2]),
      pct(tot[3]),
      pct(tot[4])
    );
    if title.starts_with("headroom") {
      println!("\nheadroom 0.30.0 (published, same files, o200k): 41.8% aggregate");
    }
  }
}
