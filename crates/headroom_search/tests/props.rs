//! Bad input never hurts: arbitrary text and grep-shaped noise never panic, and every
//! output passes the checker.

mod common;

use common::{MemStore, check};
use headroom_core::{Mode, Params};
use proptest::prelude::*;

fn grep_line() -> impl Strategy<Value = String> {
  let path = prop_oneof![
    Just("src/a.rs".to_string()),
    Just("src/a-1.rs".to_string()),
    Just("C:\\x\\b.rs".to_string()),
    "[a-z:/\\\\-]{0,8}",
  ];
  let sep = prop_oneof![Just(":"), Just("-"), Just("")];
  let content = prop_oneof![
    "[ -~]{0,40}",
    Just("fn main() { a::b(); }".to_string()),
    Just("12:30:00".to_string()),
    Just("\u{0}\u{fffd}".to_string()),
    Just("[1 of 2 lines omitted; retrieve hash=0123456789abcdef]".to_string()),
  ];
  (path, sep.clone(), 0u32..50, sep, content, prop::bool::ANY).prop_map(
    |(p, s1, n, s2, c, crlf)| {
      let kind = n % 7;
      let eol = if crlf { "\r\n" } else { "\n" };
      match kind {
        0 => format!("--{eol}"),
        1 => eol.to_string(),
        2 => format!("{n}{s1}{c}{eol}"),
        3 => format!("{p}{eol}"),
        _ => format!("{p}{s1}{n}{s2}{c}{eol}"),
      }
    },
  )
}

fn run_all(text: &str) {
  for mode in [Mode::Lossless, Mode::Balanced, Mode::Aggressive] {
    for q in [None, Some("main a")] {
      let store = MemStore::default();
      let params = Params::new(mode, &store).with_query(q);
      if let Some(c) = headroom_search::compress(text, &params) {
        check(text, &c.text, &store)
          .unwrap_or_else(|e| panic!("{e}\n--in--\n{text}\n--out--\n{}", c.text));
        assert_eq!(headroom_search::compress(text, &params).unwrap(), c);
      }
    }
  }
}

proptest! {
  #![proptest_config(ProptestConfig::with_cases(300))]
  #[test]
  fn arbitrary_text_never_panics(s in "\\PC{0,400}") {
    run_all(&s);
  }

  #[test]
  fn grep_shaped_noise_passes_the_checker(lines in prop::collection::vec(grep_line(), 0..300)) {
    run_all(&lines.concat());
  }
}

#[test]
fn pathological_inputs() {
  let huge_line = format!("a.rs:1:{}\n", "x-".repeat(1 << 20));
  let many: String = (0..5000)
    .map(|i| format!("a.rs:{i}:{}\n", "[".repeat(i % 50)))
    .collect();
  let deep = format!(
    "b.rs:1:{}\n{}",
    "[".repeat(10_000),
    "b.rs:2:]\n".repeat(100)
  );
  let nul = "a\u{0}.rs:1:\u{0}\u{fffd}\n".repeat(200);
  let dashes = format!("{}:1:x\n", "-".repeat(100_000)).repeat(3);
  for t in [huge_line, many, deep, nul, dashes] {
    run_all(&t);
  }
}
