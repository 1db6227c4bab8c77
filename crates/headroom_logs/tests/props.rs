//! Bad input never hurts: arbitrary text, huge lines, NULs, replacement characters, deep
//! brackets, CR storms and ANSI fragments all compress to a checker-clean output or `None`.

mod common;

use common::{MemStore, check};
use headroom_core::{Mode, Params};
use proptest::prelude::*;

fn line() -> impl Strategy<Value = String> {
  prop_oneof![
    "[a-z]{1,8}( [a-z0-9.:=/-]{1,12}){0,6}",
    "ERROR [a-z ]{0,20}",
    "\\PC{0,40}",
    "[\u{0}\u{1b}\r\t \u{fffd}\\[\\]a1-]{0,30}",
    Just("    at f (x.js:1:2)".to_string()),
    Just("Traceback (most recent call last):".to_string()),
    Just(String::new()),
  ]
}

fn log() -> impl Strategy<Value = String> {
  (
    prop::collection::vec(line(), 0..120),
    prop::bool::ANY,
    prop::bool::ANY,
  )
    .prop_map(|(lines, crlf, final_nl)| {
      let sep = if crlf { "\r\n" } else { "\n" };
      let mut s = lines.join(sep);
      if final_nl {
        s.push_str(sep);
      }
      s
    })
}

proptest! {
  #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

  #[test]
  fn any_log_passes_the_checker(text in log(), aggressive in prop::bool::ANY) {
    let store = MemStore::default();
    let mode = if aggressive { Mode::Aggressive } else { Mode::Balanced };
    if let Some(out) = headroom_logs::compress(&text, &Params::new(mode, &store)) {
      check(&text, &out, &store);
    }
  }

  #[test]
  fn repeated_lines_always_shrink(n in 100usize..300, word in "[a-z]{3,8}") {
    let text: String = (0..n).map(|i| format!("{word} item {i} ok\n")).collect();
    let store = MemStore::default();
    let out = headroom_logs::compress(&text, &Params::new(Mode::Balanced, &store));
    let out = out.expect("compressed");
    check(&text, &out, &store);
    prop_assert!(out.text.len() < text.len() / 2);
  }
}

#[test]
fn pathological_inputs() {
  let store = MemStore::default();
  let deep = "[".repeat(10_000) + &"]".repeat(10_000);
  let huge = "x".repeat(2 << 20);
  let many_tokens: String = (0..100_000).map(|i| format!("t{} ", i % 10)).collect();
  let cr_storm = "\r".repeat(50_000) + "done";
  let cases = [
    deep,
    huge.clone(),
    format!("{huge}\n{huge}\n"),
    many_tokens,
    cr_storm,
    "\0\0\0\n".repeat(1000),
    "\u{fffd}\u{1b}[\n".repeat(1000),
    "\n".repeat(5000),
    "\r\n".repeat(5000),
  ];
  for text in cases {
    for mode in [Mode::Balanced, Mode::Aggressive] {
      if let Some(out) = headroom_logs::compress(&text, &Params::new(mode, &store)) {
        check(&text, &out, &store);
      }
    }
  }
}
