//! Shared by the tests and the eval: an in-memory store, the checker call, real outputs.
#![allow(dead_code)]

/// The in-memory test store.
pub use headroom_core::store::MemoryStore as MemStore;
use std::path::PathBuf;
use std::process::Command;

use headroom_core::check::{Granularity, TextCheck, TextCheckReport, check_text};

/// Runs the zero-silent-loss checker on one output (lines, this crate's units).
pub fn check(
  input: &str,
  output: &str,
  store: &MemStore,
) -> std::result::Result<TextCheckReport, String> {
  let how = TextCheck {
    granularity: Granularity::Lines,
    line_units: headroom_search::LINE_UNITS,
    synthetic: None,
  };
  check_text(input, output, &|h| store.get(h), &how).map_err(|e| e.to_string())
}

/// The workspace root.
pub fn root() -> PathBuf {
  PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Stdout of a command run in `dir`, or `None` (printed) when it cannot run or prints
/// nothing. Output is cut at `max` bytes on a line boundary.
pub fn run(dir: &std::path::Path, cmd: &[&str], max: usize) -> Option<String> {
  let out = Command::new(cmd[0])
    .args(&cmd[1..])
    .current_dir(dir)
    .output();
  let out = match out {
    Ok(o) => o,
    Err(e) => {
      eprintln!("skip {cmd:?}: {e}");
      return None;
    }
  };
  let mut s = String::from_utf8_lossy(&out.stdout).into_owned();
  if s.len() > max {
    let mut cut = max;
    while !s.is_char_boundary(cut) {
      cut -= 1;
    }
    let cut = s[..cut].rfind('\n').map_or(cut, |i| i + 1);
    s.truncate(cut);
  }
  if s.is_empty() {
    eprintln!("skip {cmd:?}: no output");
    return None;
  }
  Some(s)
}

/// Real search outputs generated on this machine: `(label, text)`.
pub fn real_outputs(max: usize) -> Vec<(String, String)> {
  let repo = root();
  let crates = repo.join("crates");
  let mut out = Vec::new();
  let mut add = |label: &str, dir: &std::path::Path, cmd: &[&str]| {
    if dir.exists()
      && let Some(s) = run(dir, cmd, max)
    {
      out.push((label.to_string(), s));
    }
  };
  add("grep -rn fn crates", &crates, &["grep", "-rn", "fn ", "."]);
  add(
    "grep -rn -C2 unwrap crates",
    &crates,
    &["grep", "-rn", "-C2", "unwrap", "."],
  );
  add("grep -r impl crates", &crates, &["grep", "-r", "impl", "."]);
  add(
    "grep -rn -A3 -B1 Marker crates",
    &crates,
    &["grep", "-rn", "-A3", "-B1", "Marker", "."],
  );
  add(
    "git grep -n pub fn",
    &repo,
    &["git", "grep", "-n", "pub fn"],
  );
  add(
    "git grep -n --heading --break",
    &repo,
    &["git", "grep", "-n", "--heading", "--break", "let "],
  );
  add(
    "rg -n struct",
    &crates,
    &["rg", "-n", "--sort", "path", "struct"],
  );
  add(
    "rg -n -C2 --heading",
    &crates,
    &[
      "rg",
      "-n",
      "-C2",
      "--heading",
      "--sort",
      "path",
      "-F",
      "Some(",
    ],
  );
  add(
    "rg --vimgrep",
    &crates,
    &["rg", "--vimgrep", "--sort", "path", "Result<"],
  );
  let inc = std::path::Path::new("/usr/include");
  add(
    "grep -rn define /usr/include",
    inc,
    &["grep", "-rn", "#define", "."],
  );
  add(
    "grep -rn -C1 struct /usr/include",
    inc,
    &["grep", "-rn", "-C1", "struct ", "."],
  );
  out
}
