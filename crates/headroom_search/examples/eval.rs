//! Tokens saved and throughput on real grep / rg output generated on this machine
//! (`grep -rn` over /usr/include and the cargo registry, plus the repo's own sources).
//!
//! `cargo run -p headroom_search --release --example eval [-- --show LABEL]`

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::Instant;

use common::{MemStore, check, run};
use headroom_core::{Mode, Params};
use headroom_tokens::{Encoding, tokenizer};

fn main() {
  let show = std::env::args().skip_while(|a| a != "--show").nth(1);
  let home = std::env::var("HOME").unwrap_or_default();
  let registry = std::path::PathBuf::from(&home).join(".cargo/registry/src");
  let registry = std::fs::read_dir(&registry)
    .ok()
    .and_then(|mut rd| rd.next())
    .and_then(|e| e.ok())
    .map(|e| e.path());
  let inc = std::path::PathBuf::from("/usr/include");
  let crates = common::root().join("crates");
  const MAX: usize = 32 << 20;
  let mut cases: Vec<(String, String)> = Vec::new();
  let mut add = |label: &str, dir: &std::path::Path, cmd: &[&str]| {
    if let Some(s) = run(dir, cmd, MAX) {
      cases.push((label.to_string(), s));
    }
  };
  add(
    "include: grep -rn '#define'",
    &inc,
    &["grep", "-rn", "#define", "."],
  );
  add(
    "include: grep -rn -C2 'struct'",
    &inc,
    &["grep", "-rn", "-C2", "struct ", "."],
  );
  add("include: grep -r 'int'", &inc, &["grep", "-r", "int", "."]);
  add(
    "include: grep -rn malloc",
    &inc,
    &["grep", "-rn", "malloc", "."],
  );
  if let Some(reg) = &registry {
    add(
      "registry: grep -rn 'unsafe'",
      reg,
      &["grep", "-rn", "--include=*.rs", "unsafe", "."],
    );
    add(
      "registry: grep -rn 'fn new'",
      reg,
      &["grep", "-rn", "--include=*.rs", "fn new", "."],
    );
    add(
      "registry: rg -n -C2 'panic!'",
      reg,
      &["rg", "-n", "-C2", "--sort", "path", "-F", "panic!("],
    );
    add(
      "registry: rg --heading 'impl Drop'",
      reg,
      &["rg", "-n", "--heading", "--sort", "path", "impl Drop"],
    );
    add(
      "registry: git-style grep -rn TODO",
      reg,
      &["grep", "-rn", "TODO", "."],
    );
  }
  add(
    "repo: git grep -n 'pub fn'",
    &common::root(),
    &["git", "grep", "-n", "pub fn"],
  );
  add(
    "repo: grep -rn -C3 Marker",
    &crates,
    &["grep", "-rn", "-C3", "Marker", "."],
  );
  let tok = tokenizer(Encoding::O200kBase);
  println!(
    "{:<40} {:>6} {:>9} {:>9} {:>9} {:>7} {:>8}",
    "case", "mode", "MB", "tok in", "tok out", "saved", "MB/s"
  );
  let mut sums = [(0usize, 0usize, 0usize, 0f64); 2];
  for (label, text) in &cases {
    let tin = tok.count(text);
    for (mi, mode) in [Mode::Balanced, Mode::Aggressive].into_iter().enumerate() {
      let store = MemStore::default();
      let params = Params::new(mode, &store).with_query(Some("error"));
      let t = Instant::now();
      let c = headroom_search::compress(text, &params);
      let secs = t.elapsed().as_secs_f64();
      let out = c.as_ref().map_or(text.as_str(), |c| c.text.as_str());
      if c.is_some()
        && let Err(e) = check(text, out, &store)
      {
        panic!("{label}: checker failed: {e}");
      }
      let tout = tok.count(out);
      let mb = text.len() as f64 / 1e6;
      println!(
        "{:<40} {:>6} {:>9.2} {:>9} {:>9} {:>6.1}% {:>8.1}",
        label,
        mode.as_str(),
        mb,
        tin,
        tout,
        100.0 * (1.0 - tout as f64 / tin as f64),
        mb / secs
      );
      sums[mi].0 += tin;
      sums[mi].1 += tout;
      sums[mi].2 += text.len();
      sums[mi].3 += secs;
      if show.as_deref().is_some_and(|s| label.contains(s)) && mi == 0 {
        println!("{}", &out[..out.len().min(6000)]);
      }
    }
  }
  for (mi, mode) in ["balanced", "aggressive"].iter().enumerate() {
    let (tin, tout, bytes, secs) = sums[mi];
    println!(
      "TOTAL {mode}: {tin} -> {tout} tokens ({:.1}% saved), {:.1} MB at {:.1} MB/s (checker passed on every output)",
      100.0 * (1.0 - tout as f64 / tin.max(1) as f64),
      bytes as f64 / 1e6,
      bytes as f64 / 1e6 / secs
    );
  }
}
