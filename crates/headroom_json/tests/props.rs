//! Property tests: every mode passes the checker, and lossless output expands exactly.

mod common;

use headroom_core::Mode;
use headroom_json::{CrushOptions, checker, crush, expand_lossless};
use proptest::prelude::*;
use serde_json::{Map, Value};

fn key() -> impl Strategy<Value = String> {
  prop_oneof![
    4 => prop::sample::select(vec!["id", "name", "status", "level", "meta", "a.b", "x", "$t", "error", ""]).prop_map(String::from),
    1 => "[a-z.$]{1,6}",
  ]
}

fn leaf() -> impl Strategy<Value = Value> {
  prop_oneof![
    Just(Value::Null),
    any::<bool>().prop_map(Value::Bool),
    (-1000i64..1000).prop_map(Value::from),
    prop::sample::select(vec!["1.0", "-0.5e3", "12345678901234567890123", "0.10"])
      .prop_map(|s| serde_json::from_str::<Value>(s).unwrap()),
    prop::sample::select(vec!["ok", "error", "warn", "info", "timeout failed", "x"])
      .prop_map(Value::from),
    "[ -~]{0,12}".prop_map(Value::from),
    "[A-Za-z0-9+/]{300,400}".prop_map(Value::from),
  ]
}

fn value() -> impl Strategy<Value = Value> {
  leaf().prop_recursive(4, 64, 12, |inner| {
    prop_oneof![
      prop::collection::vec(inner.clone(), 0..30).prop_map(Value::Array),
      prop::collection::vec((key(), inner.clone()), 0..6)
        .prop_map(|kv| Value::Object(kv.into_iter().collect())),
      // Arrays of similar objects, to exercise tables and row sampling.
      (
        prop::collection::vec(key(), 1..5),
        prop::collection::vec(prop::collection::vec(inner, 5), 2..40)
      )
        .prop_map(|(keys, rows)| {
          Value::Array(
            rows
              .into_iter()
              .map(|vals| {
                Value::Object(
                  keys
                    .iter()
                    .cloned()
                    .zip(vals)
                    .collect::<Map<String, Value>>(),
                )
              })
              .collect(),
          )
        }),
    ]
  })
}

proptest! {
  #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

  #[test]
  fn every_mode_passes_the_checker(v in value(), pretty in any::<bool>()) {
    let text = if pretty { serde_json::to_string_pretty(&v).unwrap() } else { serde_json::to_string(&v).unwrap() };
    for mode in [Mode::Lossless, Mode::Balanced, Mode::Aggressive] {
      let store = common::MemStore::default();
      if let Some(c) = crush(&text, &CrushOptions::new(mode).with_query(Some("error status")), &store) {
        let r = checker::check(&text, &c.text, &|h| store.get(h));
        prop_assert!(r.is_ok(), "{mode:?}: {:?}\n{}\n{}", r, text, c.text);
        prop_assert!(c.tokens_after < c.tokens_before);
        if mode == Mode::Lossless {
          let back = expand_lossless(&c.text).unwrap();
          prop_assert_eq!(serde_json::to_string(&back).unwrap(), serde_json::to_string(&v).unwrap());
        }
      }
    }
  }
}

/// Text that is JSON, nearly JSON (one edit away), or JSON-like noise.
fn json_like() -> impl Strategy<Value = String> {
  prop_oneof![
    value().prop_map(|v| serde_json::to_string_pretty(&v).unwrap()),
    (
      value().prop_map(|v| serde_json::to_string(&v).unwrap()),
      any::<prop::sample::Index>(),
      prop::sample::select(vec![
        "",
        ",",
        "]",
        "}",
        "\"",
        "\\",
        ":",
        "0",
        "-",
        "e",
        "E+",
        ".",
        " ",
        "\u{1}",
        "\\u",
        "\\ud800",
        "{\"a\":1,\"a\":2}",
        "[",
        "{"
      ]),
      any::<bool>()
    )
      .prop_map(|(s, at, ins, delete)| {
        let mut i = at.index(s.len() + 1);
        while !s.is_char_boundary(i) {
          i -= 1;
        }
        let end = if delete && i < s.len() {
          let mut e = i + 1;
          while !s.is_char_boundary(e) {
            e += 1;
          }
          e
        } else {
          i
        };
        format!("{}{ins}{}", &s[..i], &s[end..])
      }),
    "[\\[\\]{}\",:0-9eE+\\-. \\\\a-z]{0,24}",
  ]
}

proptest! {
  #![proptest_config(ProptestConfig::with_cases(512))]

  /// The zero-copy parser accepts exactly what serde_json accepts, and the value renders
  /// to serde's compact text.
  #[test]
  fn parser_agrees_with_serde(text in json_like()) {
    let ours = headroom_json::value::parse(&text);
    let theirs = serde_json::from_str::<Value>(&text);
    prop_assert_eq!(ours.is_some(), theirs.is_ok(), "{:?}", text);
    if let (Some(a), Ok(b)) = (ours, theirs) {
      let mut s = String::new();
      headroom_json::crush::write_value(&mut s, &a);
      prop_assert_eq!(s, serde_json::to_string(&b).unwrap());
    }
  }
}

proptest! {
  #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

  /// The hand-written escaper writes exactly what serde_json writes.
  #[test]
  fn write_str_escapes_like_serde(s in "(?s)[\\x00-\\x7f\"\\\\é€😀]{0,40}") {
    let mut ours = String::new();
    headroom_json::crush::write_str(&mut ours, &s);
    prop_assert_eq!(ours, serde_json::to_string(&s).unwrap());
  }

  /// Escapes decode exactly as serde_json decodes them into a `String`: surrogate pairs,
  /// lone and reversed surrogates, any hex case, bad escape letters, short hex runs.
  #[test]
  fn escapes_decode_like_serde(parts in prop::collection::vec(prop_oneof![
    Just("\\n".to_string()),
    Just("\\\"".to_string()),
    Just("\\/".to_string()),
    Just("\\x".to_string()),
    Just("\\u12".to_string()),
    Just("\\".to_string()),
    Just("a".to_string()),
    Just("é".to_string()),
    (0xd7f0u32..0xe010).prop_map(|n| format!("\\u{n:04x}")),
    (0u32..0x10000).prop_map(|n| format!("\\u{n:04X}")),
  ], 0..8)) {
    let lit = format!("\"{}\"", parts.concat());
    let ours = headroom_json::value::parse(&lit);
    let theirs = serde_json::from_str::<String>(&lit);
    prop_assert_eq!(ours.is_some(), theirs.is_ok(), "{:?}", lit);
    if let (Some(headroom_json::value::JVal::Str(a)), Ok(b)) = (&ours, &theirs) {
      prop_assert_eq!(a.as_ref(), b.as_str());
    }
  }

  /// Parsing string literals (fast scan over plain runs) agrees with serde_json.
  #[test]
  fn string_literals_parse_like_serde(s in "(?s)[\\x00-\\x7f\"\\\\é😀]{0,40}") {
    let lit = serde_json::to_string(&s).unwrap();
    let parsed = headroom_json::value::parse(&lit);
    prop_assert!(matches!(parsed, Some(headroom_json::value::JVal::Str(ref x)) if *x == s));
    // A raw control character or a lone quote inside a literal is rejected.
    let raw = format!("\"{s}\"");
    let valid = serde_json::from_str::<String>(&raw).is_ok();
    prop_assert_eq!(headroom_json::value::parse(&raw).is_some(), valid);
  }
}
