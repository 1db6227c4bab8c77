//! Real `git diff` output from a temporary repository built from this repo's files: every
//! compressed output passes the checker, and with its marker lines removed it applies
//! exactly (own applier: no offset, no fuzz) and with `git apply --check`.

mod common;

use std::path::Path;

use common::*;
use headroom_core::marker::find_markers;
use headroom_core::{Mode, Params};
use headroom_diff::{compress, strip_markers};

fn write(dir: &Path, rel: &str, text: &str) {
  let p = dir.join(rel);
  std::fs::create_dir_all(p.parent().unwrap()).unwrap();
  std::fs::write(p, text).unwrap();
}

fn read(rel: &str) -> String {
  std::fs::read_to_string(root().join(rel)).unwrap()
}

/// A repository with two commits: real files, then realistic edits of every kind.
fn build_repo() -> Option<std::path::PathBuf> {
  if !have_git() {
    eprintln!("skip: git not found");
    return None;
  }
  let dir = tempdir("repo");
  let g = |args: &[&str]| sh(&dir, args, &[]).unwrap();
  g(&["git", "init", "-q"]);
  g(&["git", "config", "user.email", "t@t"]);
  g(&["git", "config", "user.name", "t"]);
  g(&["git", "config", "core.autocrlf", "false"]);
  let check_rs = read("crates/headroom_core/src/check.rs");
  let marker_rs = read("crates/headroom_core/src/error.rs");
  let output_rs = read("crates/headroom_core/src/output.rs");
  let lock = read("Cargo.lock");
  let readme = read("crates/headroom_tokens/src/lib.rs");
  write(&dir, "src/check.rs", &check_rs);
  write(&dir, "src/marker.rs", &marker_rs);
  write(&dir, "src/output.rs", &output_rs);
  write(&dir, "Cargo.lock", &lock);
  write(&dir, "README.md", &readme);
  write(&dir, "old/gone.rs", &marker_rs);
  write(&dir, "crlf.txt", &"line one\r\nline two\r\n".repeat(40));
  write(&dir, "nonl.txt", "a\nb\nc");
  g(&["git", "add", "-A"]);
  g(&["git", "commit", "-qm", "pre"]);
  // Scattered edits: many small hunks.
  let edited: String = check_rs
    .lines()
    .enumerate()
    .map(|(i, l)| {
      if i % 37 == 5 {
        format!("{l} // edited\n")
      } else {
        format!("{l}\n")
      }
    })
    .collect();
  write(&dir, "src/check.rs", &edited);
  // A huge rewrite in the middle plus a small edit near the end.
  let lines: Vec<&str> = readme.lines().collect();
  let mut big = String::new();
  for (i, l) in lines.iter().enumerate() {
    if (20..20 + lines.len() / 2).contains(&i) {
      big.push_str(&format!(
        "rewritten {i}: {}\n",
        l.chars().rev().collect::<String>()
      ));
    } else if i == lines.len() - 3 {
      big.push_str("changed near the end\n");
    } else {
      big.push_str(l);
      big.push('\n');
    }
  }
  write(&dir, "README.md", &big);
  // Lock file churn.
  write(
    &dir,
    "Cargo.lock",
    &lock.replace("version = \"1.", "version = \"9."),
  );
  // A new file, a deleted one, a rename with an edit, CRLF and no-newline edits.
  let new_file: String = (0..400)
    .map(|i| format!("pub const C{i}: u32 = {i};\n"))
    .collect();
  write(&dir, "src/consts.rs", &new_file);
  std::fs::remove_file(dir.join("old/gone.rs")).unwrap();
  std::fs::rename(dir.join("src/output.rs"), dir.join("src/out.rs")).unwrap();
  let out_rs = output_rs.replacen("Compressed", "Compressed2", 1);
  write(&dir, "src/out.rs", &out_rs);
  write(&dir, "crlf.txt", &"line one\r\nline 2\r\n".repeat(40));
  write(&dir, "nonl.txt", "a\nB\nc");
  let mk: String = marker_rs.replace("code", "kode");
  write(&dir, "src/marker.rs", &mk);
  g(&["git", "add", "-A"]);
  g(&["git", "commit", "-qm", "post"]);
  Some(dir)
}

fn pre_image(dir: &Path) -> impl Fn(&str) -> Option<String> + '_ {
  move |p: &str| sh(dir, &["git", "show", &format!("HEAD~1:{p}")], &[]).ok()
}

#[test]
fn git_diffs_stay_valid_patches() {
  let Some(dir) = build_repo() else { return };
  let g = |args: &[&str]| sh(&dir, args, &[]).unwrap();
  let diffs = [
    ("U3", g(&["git", "diff", "HEAD~1", "HEAD"])),
    ("U10", g(&["git", "diff", "-U10", "HEAD~1", "HEAD"])),
    ("U25", g(&["git", "diff", "-U25", "HEAD~1", "HEAD"])),
    ("W", g(&["git", "diff", "-W", "HEAD~1", "HEAD"])),
    ("log", g(&["git", "log", "-p", "-1", "HEAD"])),
  ];
  let pre = pre_image(&dir);
  let mut n = 0;
  for (label, diff) in &diffs {
    // The input itself applies exactly (the applier is right).
    apply_exact(&pre, diff).unwrap_or_else(|e| panic!("{label} input: {e}"));
    for mode in [Mode::Balanced, Mode::Aggressive] {
      for q in [None, Some("Granularity edited")] {
        let store = MemStore::default();
        let params = Params::new(mode, &store).with_query(q);
        let c = compress(diff, &params).unwrap_or_else(|| panic!("{label} {mode:?}: None"));
        assert_eq!(c.strategy, "diff:trim");
        check(diff, &c.text, &store)
          .unwrap_or_else(|e| panic!("{label} {mode:?}: {e}\n{}", c.text));
        let patch = strip_markers(&c.text);
        apply_exact(&pre, &patch).unwrap_or_else(|e| panic!("{label} {mode:?}: {e}\n{patch}"));
        git_apply_check(&dir, "HEAD~1", &patch, &format!("{label}{n}"))
          .unwrap_or_else(|e| panic!("{label} {mode:?}: {e}\n{patch}"));
        n += 1;
        assert_eq!(compress(diff, &params).unwrap(), c, "deterministic");
        assert!(c.text.len() < diff.len());
        let ms = find_markers(&c.text);
        assert!(ms.iter().all(|(_, m)| m.unit == "lines"));
        assert!(
          ms.iter().any(|(_, m)| m
            .breakdown
            .unwrap()
            .starts_with("Cargo.lock (generated file)")),
          "{label}: lock file not collapsed"
        );
        // The rename and mode lines, the CRLF edit and the no-newline edit are kept.
        assert!(c.text.contains("rename to src/out.rs"));
        assert!(c.text.contains("+line 2\r\n"));
        assert!(c.text.contains("\\ No newline at end of file"));
        if q.is_some() {
          // Query hits survive: every edited line of check.rs is kept.
          let edits = diff
            .lines()
            .filter(|l| l.starts_with('+') && l.ends_with("// edited"))
            .count();
          let kept = c
            .text
            .lines()
            .filter(|l| l.starts_with('+') && l.ends_with("// edited"))
            .count();
          assert_eq!(edits, kept, "{label} {mode:?}");
        }
        println!(
          "{label} {mode:?} q={q:?}: {} -> {} bytes, {} markers",
          diff.len(),
          c.text.len(),
          ms.len()
        );
      }
    }
  }
  let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn context_trim_splits_hunks_with_exact_headers() {
  // One hunk with two changes 40 lines apart and 20 lines of context each side.
  let pre: Vec<String> = (1..=100).map(|i| format!("line {i}")).collect();
  let mut body = String::from("--- a/f.txt\n+++ b/f.txt\n@@ -21,61 +21,62 @@ fn x\n");
  for i in 21..=81 {
    if i == 40 {
      body.push_str("-line 40\n+line forty\n+extra\n");
    } else if i == 70 {
      body.push_str("-line 70\n+line seventy\n");
    } else {
      body.push_str(&format!(" line {i}\n"));
    }
  }
  let store = MemStore::default();
  let c = compress(&body, &Params::new(Mode::Balanced, &store)).unwrap();
  check(&body, &c.text, &store).unwrap();
  let patch = strip_markers(&c.text);
  let pre_text = pre.join("\n") + "\n";
  let got = apply_exact(&|_| Some(pre_text.clone()), &patch).unwrap();
  let want = apply_exact(&|_| Some(pre_text.clone()), &body).unwrap();
  assert_eq!(got, want, "trimming context must not change the result");
  assert!(c.text.contains("@@ -37,7 +37,8 @@ fn x\n"), "{}", c.text);
  assert!(c.text.contains("@@ -67,7 +68,7 @@\n"), "{}", c.text);
}

#[test]
fn malformed_input_passes_through() {
  let cases = [
    "+ set -x\n++ echo hi\n+++ orphan\nhi\n",
    "--- a/x\n+++ b/x\n@@ -1,50 +1,50 @@\n a\n-b\n",
    "diff --cc f\nindex 1,2..3\n--- a/f\n+++ b/f\n@@@ -1,2 -1,2 +1,3 @@@\n  a\n- b\n +c\n",
    "--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n",
    "",
    "@@ -1 +1 @@\n-a\n+b\n",
  ];
  for t in cases {
    let store = MemStore::default();
    for mode in [Mode::Balanced, Mode::Aggressive] {
      if let Some(c) = compress(t, &Params::new(mode, &store)) {
        panic!("{t:?} gave {:?}", c.text);
      }
    }
  }
}

#[test]
fn lossless_and_no_store_do_nothing() {
  let diff: String = ["--- a/Cargo.lock\n+++ b/Cargo.lock\n@@ -1,40 +1,40 @@\n".to_string()]
    .into_iter()
    .chain((0..40).map(|i| format!("-v{i}\n+w{i}\n")))
    .chain(["--- a/src/x.rs\n+++ b/src/x.rs\n@@ -1 +1 @@\n-a\n+b\n".to_string()])
    .collect();
  let store = MemStore::default();
  assert!(compress(&diff, &Params::new(Mode::Lossless, &store)).is_none());
  assert!(
    compress(
      &diff,
      &Params::new(Mode::Balanced, &headroom_core::store::NoStore)
    )
    .is_none()
  );
  let c = compress(&diff, &Params::new(Mode::Balanced, &store)).unwrap();
  check(&diff, &c.text, &store).unwrap();
  assert!(c.text.starts_with(
    "[83 of 83 lines omitted: Cargo.lock (generated file): 1 of 1 hunks -1,40 +1,40; retrieve hash="
  ));
  assert!(
    c.text
      .ends_with("]\n--- a/src/x.rs\n+++ b/src/x.rs\n@@ -1 +1 @@\n-a\n+b\n")
  );
}
