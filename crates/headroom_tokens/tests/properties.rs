//! Property tests: random strings over a weighted alphabet tokenize exactly like tiktoken-rs,
//! and pre-tokenizer pieces equal fancy-regex's `find_iter`.

mod common;

use common::{ENCODINGS, check};
use proptest::prelude::*;

/// Weighted "atoms": single chars or short strings that exercise the regex corners.
fn atom() -> impl Strategy<Value = String> {
  let ascii_letters = proptest::sample::select(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
      .chars()
      .collect::<Vec<_>>(),
  )
  .prop_map(String::from);
  let digits =
    proptest::sample::select("0123456789".chars().collect::<Vec<_>>()).prop_map(String::from);
  let punct = proptest::sample::select(
    "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~\u{0}\u{1}\u{1b}\u{1f}\u{7f}"
      .chars()
      .collect::<Vec<_>>(),
  )
  .prop_map(String::from);
  let ws = proptest::sample::select(vec![
    " ", " ", " ", "  ", "\n", "\r", "\r\n", "\t", "\x0b", "\x0c",
  ])
  .prop_map(String::from);
  let contraction = proptest::sample::select(vec![
    "'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "'S", "'T", "'RE", "'Ve", "'M", "'LL", "'D", "'ſ",
    "'", "'r", "'l",
  ])
  .prop_map(String::from);
  let non_ascii = proptest::sample::select(vec![
    "é", "É", "ß", "ſ", "ǅ", "ʰ", "中", "字", "あ", "한", "ب", "ש", "न", "ि", "ก", "\u{301}",
    "\u{308}", "٣", "０", "Ⅻ", "²", "\u{a0}", "\u{2028}", "\u{3000}", "\u{85}", "😀", "👍🏽",
    "\u{200d}", "—", "«", "\u{fffd}", "Ω", "ω", "\u{212a}",
  ])
  .prop_map(String::from);
  prop_oneof![
    30 => ascii_letters,
    6 => digits,
    8 => punct,
    12 => ws,
    5 => contraction,
    6 => non_ascii,
  ]
}

fn text() -> impl Strategy<Value = String> {
  proptest::collection::vec(atom(), 0..40).prop_map(|v| v.concat())
}

fn ascii_text() -> impl Strategy<Value = String> {
  proptest::collection::vec(proptest::char::range('\0', '\x7f'), 0..60)
    .prop_map(|v| v.into_iter().collect())
}

proptest! {
  #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

  #[test]
  fn weighted_alphabet_matches_tiktoken(s in text()) {
    for enc in ENCODINGS {
      if let Err(e) = check(enc, &s, true) {
        return Err(TestCaseError::fail(e));
      }
    }
  }

  #[test]
  fn lower_bound_never_exceeds_the_count(s in text()) {
    for enc in ENCODINGS {
      prop_assert!(headroom_tokens::lower_bound(&s) <= headroom_tokens::tokenizer(enc).count(&s));
    }
  }

  /// Cutting where `split_points` may cut never changes the count.
  #[test]
  fn counts_add_up_across_split_points(s in text()) {
    for enc in ENCODINGS {
      let t = headroom_tokens::tokenizer(enc);
      let whole = t.count_serial(&s);
      for cut in headroom_tokens::split_points(&s, 4) {
        prop_assert_eq!(t.count_serial(&s[..cut]) + t.count_serial(&s[cut..]), whole, "cut at {}", cut);
      }
    }
  }

  #[test]
  fn any_ascii_matches_tiktoken(s in ascii_text()) {
    for enc in ENCODINGS {
      if let Err(e) = check(enc, &s, true) {
        return Err(TestCaseError::fail(e));
      }
    }
  }
}

proptest! {
  #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

  #[test]
  fn arbitrary_unicode_matches_tiktoken(s in "\\PC{0,40}") {
    for enc in ENCODINGS {
      if let Err(e) = check(enc, &s, true) {
        return Err(TestCaseError::fail(e));
      }
    }
  }

  #[test]
  fn lower_bound_holds_on_arbitrary_unicode(s in "\\PC{0,60}") {
    for enc in ENCODINGS {
      prop_assert!(headroom_tokens::lower_bound(&s) <= headroom_tokens::tokenizer(enc).count(&s));
    }
  }

  #[test]
  fn never_panics_and_count_is_additive_over_pieces(s in "(?s).{0,80}") {
    for enc in ENCODINGS {
      let t = headroom_tokens::tokenizer(enc);
      let whole = t.count(&s);
      let by_piece: usize = headroom_tokens::pretokenize::pieces(enc, &s).map(|p| t.count(p)).sum();
      prop_assert_eq!(whole, by_piece);
    }
  }
}
