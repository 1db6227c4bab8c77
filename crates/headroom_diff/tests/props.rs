//! Bad input never hurts: arbitrary text and diff-shaped noise never panic, and every
//! output passes the checker.

mod common;

use common::{MemStore, check};
use headroom_core::{Mode, Params};
use proptest::prelude::*;

fn diff_line() -> impl Strategy<Value = String> {
  prop_oneof![
    Just("diff --git a/Cargo.lock b/Cargo.lock\n".to_string()),
    Just("--- a/x.rs\n+++ b/x.rs\n".to_string()),
    (1u64..30, 0u64..40, 1u64..30, 0u64..40)
      .prop_map(|(a, b, c, d)| format!("@@ -{a},{b} +{c},{d} @@ f\n")),
    "[ +-][ -~]{0,20}\n",
    Just("\\ No newline at end of file\n".to_string()),
    Just("+++ orphan\n".to_string()),
    Just("@@@ -1 -1 +1 @@@\n".to_string()),
    Just(" x\r\n".to_string()),
    Just("\n".to_string()),
    "\\PC{0,10}\n",
  ]
}

fn run_all(text: &str) {
  for mode in [Mode::Balanced, Mode::Aggressive] {
    let store = MemStore::default();
    let params = Params::new(mode, &store).with_query(Some("x"));
    if let Some(c) = headroom_diff::compress(text, &params) {
      check(text, &c.text, &store)
        .unwrap_or_else(|e| panic!("{e}\n--in--\n{text}\n--out--\n{}", c.text));
      assert_eq!(headroom_diff::compress(text, &params).unwrap(), c);
    }
  }
}

/// A well-formed random hunk sequence for one file: the output must stay exact.
fn hunks() -> impl Strategy<Value = String> {
  prop::collection::vec(prop::collection::vec(0u8..3, 1..200), 1..6).prop_map(|hs| {
    let mut out = String::from("--- a/f\n+++ b/f\n");
    let (mut old, mut new) = (1u64, 1u64);
    for h in hs {
      let oc = h.iter().filter(|k| **k != 2).count() as u64;
      let nc = h.iter().filter(|k| **k != 1).count() as u64;
      out.push_str(&format!("@@ -{old},{oc} +{new},{nc} @@\n"));
      for (i, k) in h.iter().enumerate() {
        out.push_str(match k {
          0 => " ctx",
          1 => "-old",
          _ => "+new",
        });
        out.push_str(&format!(" {old} {i}\n"));
      }
      old += oc + 5;
      new += nc + 5;
    }
    out
  })
}

proptest! {
  #![proptest_config(ProptestConfig::with_cases(300))]
  #[test]
  fn arbitrary_text_never_panics(s in "\\PC{0,400}") {
    run_all(&s);
  }

  #[test]
  fn diff_shaped_noise_passes_the_checker(lines in prop::collection::vec(diff_line(), 0..200)) {
    run_all(&lines.concat());
  }

  #[test]
  fn random_hunks_stay_exact(d in hunks()) {
    for mode in [Mode::Balanced, Mode::Aggressive] {
      let store = MemStore::default();
      if let Some(c) = headroom_diff::compress(&d, &Params::new(mode, &store)) {
        check(&d, &c.text, &store).unwrap();
        let patch = headroom_diff::strip_markers(&c.text);
        let p = headroom_diff::parse(&patch);
        for f in &p.files {
          prop_assert!(!f.verbatim, "{}", patch);
        }
      }
    }
  }
}

#[test]
fn pathological_inputs() {
  let huge = format!(
    "--- a/x\n+++ b/x\n@@ -1,1 +1,1 @@\n-{}\n+y\n",
    "z".repeat(1 << 22)
  );
  let deep = format!(
    "--- a/x\n+++ b/x\n@@ -1,1 +1,1 @@\n-{}\n+]\n",
    "[".repeat(10_000)
  );
  let nul = "--- a/\u{0}\n+++ b/\u{fffd}\n@@ -1 +1 @@\n-\u{0}\n+\u{fffd}\n".repeat(300);
  let big_counts = "--- a/x\n+++ b/x\n@@ -18446744073709551615,99999999999999999 +1,1 @@\n-a\n";
  let many: String = std::iter::once("--- a/x\n+++ b/x\n@@ -1,5000 +1,5000 @@\n".to_string())
    .chain((0..5000).map(|i| {
      if i % 2 == 0 {
        format!("-a{i}\n+b{i}\n")
      } else {
        format!(" c{i}\n")
      }
    }))
    .collect();
  for t in [huge, deep, nul, big_counts.to_string(), many] {
    run_all(&t);
  }
}
