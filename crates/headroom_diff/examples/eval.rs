//! Tokens saved, patch validity and throughput on real diffs of this machine:
//! `git log -p -1 <commit>` for up to 200 commits of the repo (checked against the
//! parent's tree), and `diff -ru` between two versions of crates in the cargo registry
//! (checked in the older version's directory). Validity: the output with its marker lines
//! removed passes `git apply --check`.
//!
//! `cargo run -p headroom_diff --release --example eval [-- REPO]`

#[path = "../tests/common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::{MemStore, check, git_apply_check, sh};
use headroom_core::{Mode, Params};
use headroom_diff::{compress, strip_markers};
use headroom_tokens::{Encoding, tokenizer};

#[derive(Default)]
struct Tally {
  cases: usize,
  compressed: usize,
  valid: usize,
  tok_in: usize,
  tok_out: usize,
  bytes: usize,
  time: Duration,
}

fn registry_pairs() -> Vec<(PathBuf, PathBuf)> {
  let home = std::env::var("HOME").unwrap_or_default();
  let Some(src) = std::fs::read_dir(Path::new(&home).join(".cargo/registry/src"))
    .ok()
    .and_then(|mut rd| rd.next())
    .and_then(|e| e.ok())
    .map(|e| e.path())
  else {
    return Vec::new();
  };
  let mut dirs: Vec<String> = std::fs::read_dir(&src)
    .map(|rd| {
      rd.filter_map(|e| e.ok()?.file_name().into_string().ok())
        .collect()
    })
    .unwrap_or_default();
  dirs.sort();
  let name = |d: &str| {
    // crate-name-1.2.3: the version starts after the first '-' followed by a digit.
    let mut cut = d.len();
    for (i, _) in d.match_indices('-') {
      if d[i + 1..].starts_with(|c: char| c.is_ascii_digit()) {
        cut = i;
        break;
      }
    }
    d[..cut].to_string()
  };
  let mut out = Vec::new();
  for w in dirs.windows(2) {
    if name(&w[0]) == name(&w[1]) {
      out.push((src.join(&w[0]), src.join(&w[1])));
    }
  }
  out
}

fn main() {
  let repo = std::env::args()
    .nth(1)
    .map_or_else(common::root, PathBuf::from);
  let tok = tokenizer(Encoding::O200kBase);
  let mut tallies = [
    Tally::default(),
    Tally::default(),
    Tally::default(),
    Tally::default(),
  ];
  let modes = [Mode::Balanced, Mode::Aggressive];
  let mut run_case =
    |set: usize, text: &str, validate: &dyn Fn(&str, &str) -> Result<(), String>| {
      let tin = tok.count(text);
      for (mi, mode) in modes.iter().enumerate() {
        let t = &mut tallies[set * 2 + mi];
        let store = MemStore::default();
        let params = Params::new(*mode, &store);
        let start = Instant::now();
        let c = compress(text, &params);
        t.time += start.elapsed();
        t.cases += 1;
        t.bytes += text.len();
        t.tok_in += tin;
        match c {
          None => t.tok_out += tin,
          Some(c) => {
            check(text, &c.text, &store).unwrap_or_else(|e| panic!("checker: {e}"));
            t.tok_out += tok.count(&c.text);
            t.compressed += 1;
            match validate(&strip_markers(&c.text), mode.as_str()) {
              Ok(()) => t.valid += 1,
              Err(e) => eprintln!("INVALID ({}): {e}", mode.as_str()),
            }
          }
        }
      }
    };
  // 1. git log -p of the repo, commit by commit.
  let clone = std::env::temp_dir().join(format!("hd-eval-{}", std::process::id()));
  let _ = std::fs::remove_dir_all(&clone);
  let cloned = sh(
    Path::new("/"),
    &[
      "git",
      "clone",
      "-q",
      "--no-checkout",
      &repo.to_string_lossy(),
      &clone.to_string_lossy(),
    ],
    &[],
  );
  if let Err(e) = &cloned {
    eprintln!("skip git log: {e}");
  } else {
    let revs = sh(
      &clone,
      &["git", "rev-list", "--no-merges", "-n", "200", "HEAD"],
      &[],
    )
    .unwrap();
    for (k, rev) in revs.lines().enumerate() {
      let Ok(text) = sh(&clone, &["git", "log", "-p", "-1", rev], &[]) else {
        continue;
      };
      let parent = format!("{rev}^");
      if sh(
        &clone,
        &["git", "rev-parse", "-q", "--verify", &parent],
        &[],
      )
      .is_err()
      {
        continue;
      }
      let validate =
        |patch: &str, m: &str| git_apply_check(&clone, &parent, patch, &format!("{k}{m}"));
      run_case(0, &text, &validate);
    }
    let _ = std::fs::remove_dir_all(&clone);
  }
  // 2. diff -ru between crate versions in the registry.
  for (old, new) in registry_pairs() {
    let parent = old.parent().unwrap();
    let (o, n) = (
      old.file_name().unwrap().to_string_lossy().into_owned(),
      new.file_name().unwrap().to_string_lossy().into_owned(),
    );
    let out = std::process::Command::new("diff")
      .args(["-ru", &o, &n])
      .current_dir(parent)
      .output();
    let Ok(out) = out else { continue };
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    if text.is_empty() || text.len() > 64 << 20 {
      continue;
    }
    let validate = |patch: &str, _m: &str| {
      let pfile = std::env::temp_dir().join(format!("hd-eval-patch-{}", std::process::id()));
      std::fs::write(&pfile, patch).map_err(|e| e.to_string())?;
      let r = sh(
        &old,
        &["git", "apply", "--check", "-p1", &pfile.to_string_lossy()],
        &[],
      );
      let _ = std::fs::remove_file(&pfile);
      r.map(|_| ()).map_err(|e| format!("{o} -> {n}: {e}"))
    };
    // The original must apply for the check to mean anything.
    if validate(&text, "orig").is_err() {
      eprintln!("skip {o} -> {n}: the original diff does not apply");
      continue;
    }
    run_case(1, &text, &validate);
  }
  for (i, t) in tallies.iter().enumerate() {
    let set = [
      "git log -p -1 (repo commits)",
      "diff -ru (registry crate versions)",
    ][i / 2];
    println!(
      "{set:<36} {:<10} cases {:>4}, compressed {:>4}, valid patches {:>4}/{:<4} ({:.1}%), tokens {} -> {} ({:.1}% saved), {:.2} MB at {:.1} MB/s",
      modes[i % 2].as_str(),
      t.cases,
      t.compressed,
      t.valid,
      t.compressed,
      100.0 * t.valid as f64 / t.compressed.max(1) as f64,
      t.tok_in,
      t.tok_out,
      100.0 * (1.0 - t.tok_out as f64 / t.tok_in.max(1) as f64),
      t.bytes as f64 / 1e6,
      t.bytes as f64 / 1e6 / t.time.as_secs_f64().max(1e-9)
    );
  }
}
