//! Bad input never hurts: no panic, and whatever comes out passes the checks.

mod common;

use headroom_code::{Dialect, Outcome};
use headroom_core::Mode;
use proptest::prelude::*;

fn any_source() -> impl Strategy<Value = String> {
  let piece = prop_oneof![
    any::<String>(),
    "[a-z_ (){}:;\\[\\]\"'#/*\\n\\t\\r\u{0}\u{fffd}é]{0,200}",
    Just("def f(x):\n    a = 1\n    b = 2\n    c = 3\n    return a\n".to_string()),
    Just("fn f() {\n    let a = 1;\n    let b = 2;\n    let c = 3;\n}\n".to_string()),
    Just("/**\n * doc\n * more\n * more\n * more\n */\n".to_string()),
    Just("\"\"\"\ndoc\nmore\nmore\nmore\n\"\"\"\n".to_string()),
  ];
  prop::collection::vec(piece, 0..8).prop_map(|v| v.concat())
}

proptest! {
  #![proptest_config(ProptestConfig::with_cases(24))]
  #[test]
  fn arbitrary_text_never_panics(text in any_source(), d in 0usize..9) {
    let dialect = Dialect::ALL[d];
    for mode in [Mode::Balanced, Mode::Aggressive] {
      let _ = common::run(&text, dialect, mode, Some("f parse"));
    }
  }
}

#[test]
fn pathological_inputs() {
  let deep_open = "{".repeat(10_000);
  let deep = format!(
    "fn f() {{\n{}\n{}\n}}\n",
    "(".repeat(10_000),
    ")".repeat(10_000)
  );
  let huge_line = format!(
    "def f():\n    x = '{}'\n    y = 1\n    z = 2\n",
    "a".repeat(256 << 10)
  );
  let nuls = "int f(void) {\n\0\0\0\n  return 0;\n  \0\n  x;\n}\n".to_string();
  let many = "def f():\n".to_string() + &"    pass\n".repeat(20_000);
  for text in [
    deep_open.as_str(),
    &deep,
    &huge_line,
    &nuls,
    &many,
    "",
    "\n",
    "\u{fffd}",
  ] {
    for d in Dialect::ALL {
      let t0 = std::time::Instant::now();
      let o = common::run(text, d, Mode::Aggressive, None);
      eprintln!("{} bytes {}: {:?}", text.len(), d.as_str(), t0.elapsed());
      if let Outcome::Compressed(c) = &o {
        assert!(c.text.len() < text.len() + 200);
      }
    }
  }
}

#[test]
fn a_long_line_is_left_alone_before_any_parse() {
  // tree-sitter-c/-cpp lex this shape in quadratic time (570 KB: minutes); the guard answers
  // at once, for every dialect.
  let line = "'a".repeat(200_000);
  let text = format!("int f(void) {{\n  return 0;\n}}\n{line}\n");
  let store = common::MemStore::default();
  for dialect in Dialect::ALL {
    let started = std::time::Instant::now();
    let out = headroom_code::compress_dialect_outcome(
      &text,
      dialect,
      &headroom_core::Params::new(headroom_core::Mode::Balanced, &store),
    );
    assert_eq!(out, Outcome::Unchanged("long line"), "{dialect:?}");
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
  }
  assert!(!headroom_code::parses_cleanly(
    &text,
    headroom_code::Language::C
  ));
}
