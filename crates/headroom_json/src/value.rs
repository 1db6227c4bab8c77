//! A zero-copy JSON value ([`JVal`]) and its parser, used on the hot path in place of
//! `serde_json::Value`.
//!
//! The parser accepts exactly what `serde_json::from_str::<serde_json::Value>` accepts under
//! the workspace's `preserve_order` + `arbitrary_precision` features, and yields the same
//! value:
//!
//! - strict RFC 8259 grammar (no trailing commas, no leading zeros, no raw control
//!   characters in strings, only ` \t\n\r` as whitespace, nothing but whitespace after the
//!   value);
//! - serde's recursion limit: at most 127 nested arrays/objects;
//! - strings without escapes are slices of the input; escaped strings are decoded with
//!   serde's rules (same escapes, same surrogate rules; a property test compares). So a
//!   [`Cow::Borrowed`] string (or key) never holds a character that JSON must escape (`"`,
//!   `\`, control characters), and
//!   [`crate::crush::write_value`] writes it without looking: values built by hand must keep
//!   that invariant (use [`Cow::Owned`] otherwise);
//! - numbers keep their source text, except that an exponent is spelled as serde's
//!   `arbitrary_precision` spells it (`e`, with an explicit sign: `1E5` is `1e+5`);
//! - objects keep keys in source order; a repeated key keeps the position of its first
//!   occurrence and the value of its last (`IndexMap::insert` semantics).

use headroom_core::json::string_at;
use rustc_hash::FxHashMap;
use std::borrow::Cow;

/// serde_json's recursion limit: a container nested this deep is rejected.
const MAX_DEPTH: usize = 128;
/// Objects with more keys than this use a hash set to detect repeated keys.
const LINEAR_DUP_CHECK: usize = 16;

/// A JSON value borrowing from its source text.
#[derive(Debug, Clone, PartialEq)]
pub enum JVal<'a> {
  /// `null`.
  Null,
  /// `true` / `false`.
  Bool(bool),
  /// A number, as its (normalized) source text.
  Num(Cow<'a, str>),
  /// A string (decoded).
  Str(Cow<'a, str>),
  /// An array.
  Arr(Vec<JVal<'a>>),
  /// An object: distinct keys in source order.
  Obj(Vec<(Cow<'a, str>, JVal<'a>)>),
}

impl JVal<'_> {
  /// Whether this is an object.
  pub fn is_object(&self) -> bool {
    matches!(self, JVal::Obj(_))
  }
}

/// Parses `text` as one JSON value; `None` wherever serde_json would fail.
pub fn parse(text: &str) -> Option<JVal<'_>> {
  parse_with_depth(text).map(|p| p.0)
}

/// [`parse`], also returning the deepest container nesting (0 for a scalar, 1 for `[]`).
pub fn parse_with_depth(text: &str) -> Option<(JVal<'_>, usize)> {
  let mut p = Parser {
    s: text,
    b: text.as_bytes(),
    i: 0,
    max_depth: 0,
  };
  p.ws();
  let v = p.value(0)?;
  p.ws();
  (p.i == p.b.len()).then_some((v, p.max_depth))
}

struct Parser<'a> {
  s: &'a str,
  b: &'a [u8],
  i: usize,
  max_depth: usize,
}

impl<'a> Parser<'a> {
  #[inline]
  fn ws(&mut self) {
    while let Some(&c) = self.b.get(self.i) {
      if matches!(c, b' ' | b'\n' | b'\t' | b'\r') {
        self.i += 1;
      } else {
        break;
      }
    }
  }

  #[inline]
  fn peek(&self) -> Option<u8> {
    self.b.get(self.i).copied()
  }

  fn lit(&mut self, word: &[u8], v: JVal<'a>) -> Option<JVal<'a>> {
    if self.b[self.i..].starts_with(word) {
      self.i += word.len();
      Some(v)
    } else {
      None
    }
  }

  fn value(&mut self, depth: usize) -> Option<JVal<'a>> {
    match self.peek()? {
      b'"' => self.string().map(JVal::Str),
      b'[' => {
        if depth + 1 >= MAX_DEPTH {
          return None;
        }
        self.max_depth = self.max_depth.max(depth + 1);
        self.i += 1;
        self.ws();
        let mut out = Vec::new();
        if self.peek()? == b']' {
          self.i += 1;
          return Some(JVal::Arr(out));
        }
        loop {
          out.push(self.value(depth + 1)?);
          self.ws();
          match self.peek()? {
            b',' => {
              self.i += 1;
              self.ws();
            }
            b']' => {
              self.i += 1;
              return Some(JVal::Arr(out));
            }
            _ => return None,
          }
        }
      }
      b'{' => {
        if depth + 1 >= MAX_DEPTH {
          return None;
        }
        self.max_depth = self.max_depth.max(depth + 1);
        self.i += 1;
        self.ws();
        let mut out: Vec<(Cow<'a, str>, JVal<'a>)> = Vec::new();
        if self.peek()? == b'}' {
          self.i += 1;
          return Some(JVal::Obj(out));
        }
        loop {
          if self.peek()? != b'"' {
            return None;
          }
          let k = self.string()?;
          self.ws();
          if self.peek()? != b':' {
            return None;
          }
          self.i += 1;
          self.ws();
          let v = self.value(depth + 1)?;
          out.push((k, v));
          self.ws();
          match self.peek()? {
            b',' => {
              self.i += 1;
              self.ws();
            }
            b'}' => {
              self.i += 1;
              return Some(JVal::Obj(dedup(out)));
            }
            _ => return None,
          }
        }
      }
      b'n' => self.lit(b"null", JVal::Null),
      b't' => self.lit(b"true", JVal::Bool(true)),
      b'f' => self.lit(b"false", JVal::Bool(false)),
      b'-' | b'0'..=b'9' => self.number().map(JVal::Num),
      _ => None,
    }
  }

  fn digits(&mut self) -> usize {
    let start = self.i;
    while self.peek().is_some_and(|c| c.is_ascii_digit()) {
      self.i += 1;
    }
    self.i - start
  }

  fn number(&mut self) -> Option<Cow<'a, str>> {
    let start = self.i;
    if self.peek() == Some(b'-') {
      self.i += 1;
    }
    match self.peek()? {
      b'0' => {
        self.i += 1;
        if self.peek().is_some_and(|c| c.is_ascii_digit()) {
          return None;
        }
      }
      b'1'..=b'9' => {
        self.digits();
      }
      _ => return None,
    }
    if self.peek() == Some(b'.') {
      self.i += 1;
      if self.digits() == 0 {
        return None;
      }
    }
    let mut normalize = None;
    if let Some(e @ (b'e' | b'E')) = self.peek() {
      let at = self.i;
      self.i += 1;
      let signed = matches!(self.peek(), Some(b'+' | b'-'));
      if signed {
        self.i += 1;
      }
      if self.digits() == 0 {
        return None;
      }
      if e == b'E' || !signed {
        normalize = Some((at, signed));
      }
    }
    let raw = &self.s[start..self.i];
    Some(match normalize {
      None => Cow::Borrowed(raw),
      Some((at, signed)) => {
        let at = at - start;
        let mut n = String::with_capacity(raw.len() + 1);
        n.push_str(&raw[..at]);
        n.push('e');
        if !signed {
          n.push('+');
        }
        n.push_str(&raw[at + 1..]);
        Cow::Owned(n)
      }
    })
  }

  /// A string literal at `self.i` (its opening quote): see [`string_at`].
  fn string(&mut self) -> Option<Cow<'a, str>> {
    let (s, end) = string_at(self.s, self.i)?;
    self.i = end;
    Some(s)
  }
}

type Entries<'a> = Vec<(Cow<'a, str>, JVal<'a>)>;

/// Applies map semantics to repeated keys: first position, last value.
fn dedup(entries: Entries<'_>) -> Entries<'_> {
  let n = entries.len();
  let dup = if n < 2 {
    false
  } else if n <= LINEAR_DUP_CHECK {
    (1..n).any(|i| entries[..i].iter().any(|(k, _)| *k == entries[i].0))
  } else {
    let mut seen: rustc_hash::FxHashSet<&str> = rustc_hash::FxHashSet::default();
    seen.reserve(n);
    !entries.iter().all(|(k, _)| seen.insert(k.as_ref()))
  };
  if !dup {
    return entries;
  }
  let mut pos: FxHashMap<Cow<'_, str>, usize> = FxHashMap::default();
  let mut out: Entries<'_> = Vec::with_capacity(n);
  for (k, v) in entries {
    match pos.get(&k) {
      Some(&i) => out[i].1 = v,
      None => {
        pos.insert(k.clone(), out.len());
        out.push((k, v));
      }
    }
  }
  out
}

#[cfg(test)]
mod tests {
  use super::*;
  use serde_json::Value;

  /// The same value as serde's, compared in order.
  fn same(a: &JVal<'_>, b: &Value) -> bool {
    match (a, b) {
      (JVal::Null, Value::Null) => true,
      (JVal::Bool(x), Value::Bool(y)) => x == y,
      (JVal::Num(x), Value::Number(y)) => x.as_ref() == y.as_str(),
      (JVal::Str(x), Value::String(y)) => x == y,
      (JVal::Arr(x), Value::Array(y)) => {
        x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q))
      }
      (JVal::Obj(x), Value::Object(y)) => {
        x.len() == y.len()
          && x
            .iter()
            .zip(y)
            .all(|((k1, v1), (k2, v2))| k1 == k2 && same(v1, v2))
      }
      _ => false,
    }
  }

  /// Asserts that `parse` agrees with serde on `text`.
  pub(crate) fn agrees(text: &str) {
    let ours = parse(text);
    let theirs = serde_json::from_str::<Value>(text);
    match (&ours, &theirs) {
      (None, Err(_)) => {}
      (Some(a), Ok(b)) => assert!(same(a, b), "{text:?}: {a:?} vs {b:?}"),
      _ => panic!("{text:?}: ours {ours:?}, serde {theirs:?}"),
    }
  }

  #[test]
  fn agrees_with_serde() {
    let cases: Vec<String> = vec![
      r#"{"a":1,"b":2,"a":3}"#.into(),
      r#"{"a":1,"b":{"c":[1,2,{"c":1,"c":[]}]},"a":{"x":null}}"#.into(),
      format!(
        "{{{}}}",
        (0..40)
          .map(|i| format!("\"k{}\":{i}", i % 23))
          .collect::<Vec<_>>()
          .join(",")
      ),
      r#"{"\u0061":1,"a":2}"#.into(),
      "[1, 2, 01]".into(),
      "[1.]".into(),
      "[1.e5]".into(),
      "[-]".into(),
      "-".into(),
      "[-01]".into(),
      "[1e400, -0, 0.0e-0, 1E+2, 1e5, 1E5, 2e-3, 12345678901234567890123, -0.5E-7]".into(),
      "[1e]".into(),
      "[1e+]".into(),
      "[+1]".into(),
      "[.5]".into(),
      "[\"a\u{1}\"]".into(),
      "[\"a\u{1f}\"]".into(),
      "[\"\u{7f}\u{80}é\"]".into(),
      r#"["\ud800"]"#.into(),
      r#"["\udc00x"]"#.into(),
      r#"["\ud83d\ude00 \u00e9 \/ \" \\ \b\f\n\r\t"]"#.into(),
      r#"["\x"]"#.into(),
      r#"["\u12"]"#.into(),
      "[\"\\\u{1}\"]".into(),
      "[\"\\\"]".into(),
      "[\"abc".into(),
      "[1,]".into(),
      r#"{"a":1,}"#.into(),
      "{,}".into(),
      "{1:2}".into(),
      r#"{"a" 1}"#.into(),
      r#"{"a":}"#.into(),
      " [1] ".into(),
      "[1] x".into(),
      "[1][2]".into(),
      "".into(),
      "  ".into(),
      "\u{feff}[1]".into(),
      "[1]\u{a0}".into(),
      "\u{c}[1]".into(),
      "{\"a\" : [ true , false , null ]}\n\r\t".into(),
      "tru".into(),
      "nul".into(),
      "nulll".into(),
      "[true false]".into(),
      "[truex]".into(),
      "\"x\"".into(),
      "3".into(),
      "-0".into(),
      format!("{}1{}", "[".repeat(127), "]".repeat(127)),
      format!("{}1{}", "[".repeat(128), "]".repeat(128)),
      format!("{}1{}", "{\"a\":".repeat(127), "}".repeat(127)),
      format!("{}1{}", "{\"a\":".repeat(128), "}".repeat(128)),
      format!("{}{}", "[".repeat(10_000), "]".repeat(10_000)),
    ];
    for c in &cases {
      agrees(c);
      if let Some((_, d)) = parse_with_depth(c) {
        let scan = |limit| headroom_core::limits::depth_exceeded_at(c.as_bytes(), limit);
        assert!(
          scan(d).is_none() && (d == 0 || scan(d - 1).is_some()),
          "{c:?}"
        );
      }
    }
  }
}
