//! The Unicode path of the pre-tokenizer: exhaustive per-character checks and proptests over
//! strings heavy in non-ASCII characters of every general category, against fancy-regex
//! (`find_iter` piece boundaries) and tiktoken-rs (token ids), for both encodings.

mod common;

use common::{ENCODINGS, check, regex_pieces};
use headroom_tokens::{Encoding, pretokenize};
use proptest::prelude::*;
use std::sync::LazyLock;

/// General categories (`Cs`, surrogates, cannot occur in a `&str`).
const CATEGORIES: [&str; 29] = [
  "Lu", "Ll", "Lt", "Lm", "Lo", "Mn", "Mc", "Me", "Nd", "Nl", "No", "Zs", "Zl", "Zp", "Cc", "Cf",
  "Co", "Cn", "Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "Sm", "Sc", "Sk", "So",
];

fn all_chars() -> impl Iterator<Item = char> {
  (0..=0x10_ffff_u32).filter_map(char::from_u32)
}

/// The characters of each general category (per fancy-regex's `\p{..}`).
static BY_CATEGORY: LazyLock<Vec<Vec<char>>> = LazyLock::new(|| {
  let all: String = all_chars().collect();
  CATEGORIES
    .iter()
    .map(|cat| {
      let re = fancy_regex::Regex::new(&format!(r"\p{{{cat}}}+")).unwrap();
      let chars: Vec<char> = re
        .find_iter(&all)
        .flat_map(|m| m.unwrap().as_str().chars().collect::<Vec<_>>())
        .collect();
      assert!(!chars.is_empty(), "category {cat} is empty");
      chars
    })
    .collect()
});

/// Panics with some context where our pieces differ from fancy-regex's.
fn assert_pieces(enc: Encoding, ours: &[&str], want: &[&str], what: &str) {
  if ours != want {
    let i = ours.iter().zip(want).position(|(a, b)| a != b).unwrap_or(0);
    let from = i.saturating_sub(3);
    panic!(
      "{}, {what}: piece {i} differs: ours {:?} regex {:?}",
      enc.as_str(),
      &ours[from..(i + 3).min(ours.len())],
      &want[from..(i + 3).min(want.len())]
    );
  }
}

/// Every character of planes 0 to 3 and 14 (every assigned one), and a sample of the
/// unassigned and private-use planes.
fn test_chars() -> impl Iterator<Item = char> {
  all_chars().filter(|&c| {
    let c = c as u32;
    c < 0x4_0000 || (0xe_0000..0xe_1000).contains(&c) || c & 0xff == 0x41
  })
}

/// A named way to put a character into context.
type Template = (&'static str, fn(char) -> String);

/// Every character, in a handful of contexts that exercise each regex alternative (prefix,
/// case runs, marks, contractions, digits, punctuation and whitespace runs, text end).
#[test]
fn every_char_in_context_matches_regex() {
  let templates: [Template; 9] = [
    ("c", |c| c.to_string()),
    (" ca1", |c| format!(" {c}a1")),
    ("Acb!", |c| format!("A{c}b!")),
    ("aBc\\u301'S ", |c| format!("aB{c}\u{301}'S ")),
    ("'c'cL\\n", |c| format!("'{c}'{c}L\n")),
    ("c\\u3000c\\u2028x", |c| format!("{c}\u{3000}{c}\u{2028}x")),
    ("1c12c3.", |c| format!("1{c}12{c}3.")),
    ("!c!  c\\r\\n/", |c| format!("!{c}!  {c}\r\n/")),
    ("\\u301cc\\u5b57", |c| format!("\u{301}{c}{c}\u{5b57}")),
  ];
  for (name, template) in templates {
    let text: String = test_chars().map(template).collect();
    for enc in ENCODINGS {
      let want_pieces = regex_pieces(enc, &text);
      let ours: Vec<&str> = pretokenize::pieces(enc, &text).collect();
      assert_pieces(enc, &ours, &want_pieces, name);
      // The unicode path alone, from every piece start of the regex.
      let mut pos = 0;
      for want in want_pieces {
        let end = pretokenize::unicode_end(enc, &text, pos);
        assert_eq!(
          &text[pos..end],
          want,
          "{} unicode path, template {name}",
          enc.as_str()
        );
        pos = end;
      }
    }
  }
}

/// Text ending in every whitespace-like character (the `\s+(?!\S)` / `\s++$` cases).
#[test]
fn whitespace_runs_at_text_end() {
  let ws = [
    " ", "\t", "\n", "\r", "\x0b", "\x0c", "\u{85}", "\u{a0}", "\u{1680}", "\u{2000}", "\u{200a}",
    "\u{2028}", "\u{2029}", "\u{202f}", "\u{205f}", "\u{3000}", "\u{feff}", "\u{180e}", "\u{200b}",
  ];
  for a in ws {
    for b in ws {
      for c in ws {
        for head in ["", "x", "é", "!"] {
          let text = format!("{head}{a}{b}{c}");
          for enc in ENCODINGS {
            if let Err(e) = check(enc, &text, true) {
              panic!("{e}");
            }
          }
          let text = format!("{head}{a}{b}{c}y");
          for enc in ENCODINGS {
            if let Err(e) = check(enc, &text, true) {
              panic!("{e}");
            }
          }
        }
      }
    }
  }
}

/// A character of any general category, chosen uniformly by category then by character.
fn category_char() -> impl Strategy<Value = String> {
  (0..CATEGORIES.len(), any::<prop::sample::Index>()).prop_map(|(cat, i)| {
    let chars = &BY_CATEGORY[cat];
    i.get(chars).to_string()
  })
}

fn select(items: &[&'static str]) -> impl Strategy<Value = String> + use<> {
  prop::sample::select(items.to_vec()).prop_map(String::from)
}

/// Atoms of non-ASCII-heavy text: every category, common prose characters, the whitespace
/// characters of `\s` (and look-alikes that are not), contractions followed by non-ASCII,
/// combining marks, and some ASCII to mix with.
fn atom() -> impl Strategy<Value = String> {
  prop_oneof![
    30 => category_char(),
    10 => select(&[
      "é", "É", "ü", "ñ", "ç", "ø", "Å", "ß", "ſ", "ǅ", "ǈ", "ʰ", "ˆ", "ー", "々", "中", "字",
      "あ", "ア", "한", "Ж", "ж", "Ω", "ω", "ά", "ب", "ש", "न", "ि", "ก", "ๆ", "–", "—", "’",
      "‘", "“", "”", "«", "»", "…", "•", "€", "°", "½", "²", "٣", "０", "Ⅻ", "ⅰ", "\u{212a}",
      "\u{2126}", "😀", "👍🏽", "\u{fffd}",
    ]),
    8 => select(&[
      "\u{300}", "\u{301}", "\u{308}", "\u{327}", "\u{20dd}", "\u{93e}", "\u{903}", "\u{200d}",
      "\u{fe0f}", "\u{1f3fd}", "\u{e0041}",
    ]),
    8 => select(&[
      " ", " ", "  ", "\n", "\r\n", "\r", "\t", "\x0b", "\x0c", "\u{85}", "\u{a0}", "\u{1680}",
      "\u{2003}", "\u{2028}", "\u{2029}", "\u{202f}", "\u{205f}", "\u{3000}", "\u{feff}",
      "\u{180e}", "\u{200b}", "\x1c", "\x1f",
    ]),
    6 => select(&[
      "'s", "'S", "'ſ", "'t", "'T", "'re", "'rE", "'ve", "'VE", "'m", "'ll", "'Ll", "'d", "'",
      "'r", "'l", "'v", "'\u{301}", "'é", "'K", "'\u{212a}", "'ſs", "’s", "'ß",
    ]),
    8 => prop::char::range('a', 'z').prop_map(String::from),
    6 => prop::char::range('A', 'Z').prop_map(String::from),
    4 => prop::char::range('0', '9').prop_map(String::from),
    4 => select(&["!", ".", ",", "/", "-", "(", ")", "\"", "#", "\u{0}", "\u{7f}", "_"]),
  ]
}

fn text() -> impl Strategy<Value = String> {
  prop::collection::vec(atom(), 0..40).prop_map(|v| v.concat())
}

/// A base character (any category, or ASCII) followed by zero to three combining marks.
fn marked() -> impl Strategy<Value = String> {
  let base = prop_oneof![
    3 => category_char(),
    2 => select(&["a", "Z", "1", " ", "'", "!", "\n", "\u{a0}", "é", "中", "'s"]),
  ];
  let mark = prop_oneof![
    (5..8usize, any::<prop::sample::Index>()).prop_map(|(cat, i)| {
      let chars = &BY_CATEGORY[cat]; // Mn, Mc, Me
      i.get(chars).to_string()
    }),
    select(&["\u{301}", "\u{308}", "\u{20dd}", "\u{903}"]),
  ];
  (base, prop::collection::vec(mark, 0..4)).prop_map(|(b, m)| b + &m.concat())
}

fn marked_text() -> impl Strategy<Value = String> {
  prop::collection::vec(marked(), 0..25).prop_map(|v| v.concat())
}

proptest! {
  #![proptest_config(ProptestConfig { cases: 20_000, ..ProptestConfig::default() })]

  #[test]
  fn non_ascii_heavy_matches_tiktoken_and_regex(s in text()) {
    for enc in ENCODINGS {
      if let Err(e) = check(enc, &s, true) {
        return Err(TestCaseError::fail(e));
      }
    }
  }

  #[test]
  fn combining_marks_match_tiktoken_and_regex(s in marked_text()) {
    for enc in ENCODINGS {
      if let Err(e) = check(enc, &s, true) {
        return Err(TestCaseError::fail(e));
      }
    }
  }
}

/// Decodes the JSON string escapes of `s` (`\uXXXX` incl. surrogate pairs, `\n`, `\"` ...).
fn json_unescape(s: &str) -> String {
  let mut out = String::with_capacity(s.len());
  let mut it = s.chars();
  let hex4 = |it: &mut std::str::Chars<'_>| -> u32 {
    let h: String = it.by_ref().take(4).collect();
    u32::from_str_radix(&h, 16).unwrap_or(0xfffd)
  };
  while let Some(c) = it.next() {
    if c != '\\' {
      out.push(c);
      continue;
    }
    match it.next() {
      Some('n') => out.push('\n'),
      Some('t') => out.push('\t'),
      Some('r') => out.push('\r'),
      Some('u') => {
        let mut u = hex4(&mut it);
        if (0xd800..0xdc00).contains(&u) && it.as_str().starts_with("\\u") {
          it.nth(1);
          let lo = hex4(&mut it);
          u = 0x10000 + ((u - 0xd800) << 10) + (lo.wrapping_sub(0xdc00) & 0x3ff);
        }
        out.push(char::from_u32(u).unwrap_or('\u{fffd}'));
      }
      Some(x) => out.push(x),
      None => {}
    }
  }
  out
}

/// The SQuAD file as a JSON parser decodes it (real non-ASCII prose: names, dashes, curly
/// quotes, accented letters, some CJK), whole and in 4 KiB chunks.
#[test]
fn squad_json_decoded_matches_tiktoken_and_regex() {
  let path = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/corpus/squad/dev-v1.1.json"
  );
  let Ok(raw) = std::fs::read_to_string(path) else {
    eprintln!("note: {path} is absent; skipping");
    return;
  };
  let text = json_unescape(&raw);
  assert!(!text.is_ascii());
  for enc in ENCODINGS {
    if let Err(e) = check(enc, &text, true) {
      panic!("{e}");
    }
    for part in common::chunks(&text, 4096) {
      if let Err(e) = check(enc, part, true) {
        panic!("{e}");
      }
    }
  }
}
