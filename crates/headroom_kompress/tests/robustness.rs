//! Bad input never hurts: arbitrary strings, NULs, replacement characters, deep brackets,
//! giant lines. Every output passes the word checker.

mod common;

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use common::*;
use headroom_core::{Mode, Params};
use headroom_kompress::{Kompress, KompressOptions};
use proptest::prelude::*;

fn model() -> Option<&'static Kompress> {
  static MODEL: OnceLock<Option<Kompress>> = OnceLock::new();
  MODEL.get_or_init(|| tiny("llmlingua2", 32)).as_ref()
}

fn roundtrip(text: &str, rate: f32) {
  let Some(k) = model() else { return };
  let store = MemStore::default();
  let opts = KompressOptions {
    target_rate: Some(rate),
    budget: None,
  };
  if let Some(out) = k
    .compress(text, &Params::new(Mode::Balanced, &store), &opts)
    .unwrap()
  {
    check_words(text, &out.text, &store);
  }
}

fn wordy() -> impl Strategy<Value = String> {
  let piece = prop_oneof![
    Just("the ".to_string()),
    Just("river ".to_string()),
    Just("of".to_string()),
    Just("\n".to_string()),
    Just("\r\n".to_string()),
    Just("\n\n  ".to_string()),
    Just("\0".to_string()),
    Just("\u{fffd}".to_string()),
    Just("[[((".to_string()),
    Just("]] ".to_string()),
    Just("42. ".to_string()),
    Just("caf\u{e9} ".to_string()),
    Just("\u{65e5}\u{672c} ".to_string()),
    Just("[3 of 9 lines ".to_string()),
    "[a-zA-Z.,!? \t]{0,12}",
  ];
  prop::collection::vec(piece, 0..60).prop_map(|v| v.concat())
}

proptest! {
  #![proptest_config(ProptestConfig {
    cases: 48,
    failure_persistence: None,
    ..ProptestConfig::default()
  })]

  #[test]
  fn arbitrary_strings(text in ".{0,400}", rate in 0.0f32..=1.0) {
    roundtrip(&text, rate);
  }

  #[test]
  fn wordy_strings(text in wordy(), rate in 0.0f32..=1.0) {
    roundtrip(&text, rate);
  }
}

#[test]
fn pathological_inputs() {
  let deep = format!("{} word {}", "[".repeat(10_000), "]".repeat(10_000));
  let nul_words = "a \0\0 b \0 c".to_string();
  let giant_line = "x".repeat(2 << 20);
  let giant_and_words = format!("the river {} of the city", "y".repeat(100_000));
  for t in [deep, nul_words, giant_line, giant_and_words] {
    roundtrip(&t, 0.3);
  }
}

#[test]
fn a_megabyte_of_prose_is_linear() {
  let Some(k) = model() else { return };
  let sentence = "The river of the city is very important to the people of the north. ";
  let small = sentence.repeat(1_000);
  let big = sentence.repeat(16_000);
  let store = MemStore::default();
  let params = Params::new(Mode::Balanced, &store);
  let time = |t: &str| {
    let start = Instant::now();
    let out = k.compress(t, &params, &KompressOptions::default()).unwrap();
    (start.elapsed(), out)
  };
  let (ts, _) = time(&small);
  let (tb, out) = time(&big);
  let out = out.unwrap();
  check_words(&big, &out.text, &store);
  eprintln!(
    "{} KB: {ts:?}; {} KB: {tb:?}",
    small.len() / 1024,
    big.len() / 1024
  );
  // 16x the input in well under 64x the time (no quadratic step), with slack for noise.
  assert!(tb < ts * 64 + Duration::from_secs(2), "{ts:?} vs {tb:?}");
}
