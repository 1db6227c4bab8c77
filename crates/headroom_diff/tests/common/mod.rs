//! Shared by the tests and the eval: store, checker, an exact patch applier, git helpers.
#![allow(dead_code)]

/// The in-memory test store.
pub use headroom_core::store::MemoryStore as MemStore;
use std::path::{Path, PathBuf};
use std::process::Command;

use headroom_core::check::{Granularity, TextCheck, TextCheckReport, check_text};
use headroom_core::output::line_content;
use headroom_diff::{BodyKind, is_hunk_header, parse};

/// The zero-silent-loss checker with recomputed `@@` headers as the only synthetic lines.
pub fn check(
  input: &str,
  output: &str,
  store: &MemStore,
) -> std::result::Result<TextCheckReport, String> {
  let hunk = |l: &str| is_hunk_header(l);
  let how = TextCheck {
    granularity: Granularity::Lines,
    line_units: headroom_diff::LINE_UNITS,
    synthetic: Some(&hunk),
  };
  let fetch = |h: &str| store.get(h);
  check_text(input, output, &fetch, &how).map_err(|e| e.to_string())
}

/// Applies `patch` to `pre` (path -> text) with no fuzz and no offset: every hunk's old
/// lines must sit exactly at its old start, and its new lines must land exactly at its new
/// start in the result. Returns the post-images of the patched files.
pub fn apply_exact(
  pre: &dyn Fn(&str) -> Option<String>,
  patch: &str,
) -> std::result::Result<Vec<(String, String)>, String> {
  let d = parse(patch);
  let mut out = Vec::new();
  for f in &d.files {
    if f.hunks.is_empty() || f.verbatim {
      if f.verbatim {
        return Err(format!("{}: malformed section in the patch", f.path));
      }
      continue;
    }
    let old_path = d.lines[f.lines.clone()]
      .iter()
      .map(|l| line_content(l))
      .find_map(|l| l.strip_prefix("--- "))
      .map(|p| p.split('\t').next().unwrap().trim_end())
      .unwrap_or("");
    let src = if old_path == "/dev/null" {
      String::new()
    } else {
      let p = old_path.split_once('/').map_or(old_path, |(_, r)| r);
      pre(p).ok_or_else(|| format!("no pre-image for {p}"))?
    };
    let old: Vec<&str> = src.split_inclusive('\n').map(line_content).collect();
    let mut new: Vec<String> = Vec::new();
    let mut at = 0usize; // next old line (0-based) not yet copied
    for h in &f.hunks {
      let first = h.header.old_first() as usize - 1;
      if first < at || first > old.len() {
        return Err(format!("{}: hunk {:?} out of order", f.path, h.header));
      }
      new.extend(old[at..first].iter().map(|s| s.to_string()));
      at = first;
      if h.header.new_first() as usize - 1 != new.len() {
        return Err(format!(
          "{}: hunk {:?} new start {} but lands at {}",
          f.path,
          h.header,
          h.header.new_first(),
          new.len() + 1
        ));
      }
      for i in h.body.clone() {
        let c = line_content(d.lines[i]);
        let text = c.get(1..).unwrap_or("");
        match BodyKind::of(c) {
          Some(BodyKind::Context) | Some(BodyKind::Removed) => {
            if old.get(at) != Some(&text) {
              return Err(format!(
                "{}: hunk {:?}: old line {} is {:?}, patch says {:?}",
                f.path,
                h.header,
                at + 1,
                old.get(at),
                text
              ));
            }
            if BodyKind::of(c) == Some(BodyKind::Context) {
              new.push(text.to_string());
            }
            at += 1;
          }
          Some(BodyKind::Added) => new.push(text.to_string()),
          _ => {}
        }
      }
    }
    new.extend(old[at..].iter().map(|s| s.to_string()));
    out.push((f.path.clone(), new.join("\n")));
  }
  Ok(out)
}

/// Runs a command, returning stdout, or an error with stderr.
pub fn sh(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> std::result::Result<String, String> {
  let mut c = Command::new(args[0]);
  c.args(&args[1..]).current_dir(dir);
  for (k, v) in env {
    c.env(k, v);
  }
  let o = c.output().map_err(|e| format!("{args:?}: {e}"))?;
  if !o.status.success() {
    return Err(format!("{args:?}: {}", String::from_utf8_lossy(&o.stderr)));
  }
  Ok(String::from_utf8_lossy(&o.stdout).into_owned())
}

/// Whether git can run here.
pub fn have_git() -> bool {
  Command::new("git")
    .arg("--version")
    .output()
    .is_ok_and(|o| o.status.success())
}

/// `git apply --check` of `patch` against the tree `rev` of repo `dir`, through a
/// temporary index (the working tree is not touched).
pub fn git_apply_check(
  dir: &Path,
  rev: &str,
  patch: &str,
  tag: &str,
) -> std::result::Result<(), String> {
  let index = std::env::temp_dir().join(format!("hd-index-{}-{tag}", std::process::id()));
  let pfile = std::env::temp_dir().join(format!("hd-patch-{}-{tag}", std::process::id()));
  std::fs::write(&pfile, patch).map_err(|e| e.to_string())?;
  let idx = index.to_string_lossy().into_owned();
  let env = [("GIT_INDEX_FILE", idx.as_str())];
  sh(dir, &["git", "read-tree", rev], &env)?;
  let r = sh(
    dir,
    &[
      "git",
      "apply",
      "--cached",
      "--check",
      &pfile.to_string_lossy(),
    ],
    &env,
  );
  let _ = std::fs::remove_file(&index);
  let _ = std::fs::remove_file(&pfile);
  r.map(|_| ())
}

/// A fresh temporary directory.
pub fn tempdir(tag: &str) -> PathBuf {
  let d = std::env::temp_dir().join(format!("headroom-diff-{tag}-{}", std::process::id()));
  let _ = std::fs::remove_dir_all(&d);
  std::fs::create_dir_all(&d).unwrap();
  d
}

/// The workspace root.
pub fn root() -> PathBuf {
  PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}
