//! A validated JSON text with the byte span of every array and object, for walking a large
//! document (a request body) by borrowed slices.
//!
//! Walking a body level by level with `serde_json`'s `&RawValue` re-scans every nested value
//! at each level it is nested in: a tool result five levels deep is read five times. Here
//! one pass validates the whole text (exactly the grammar `serde_json` accepts, with a
//! nesting limit) and records where each container ends, so skipping a nested value is a
//! lookup, and reading an object's members or an array's elements touches only their own
//! separators and keys. Strings are skipped eight bytes at a time.
//!
//! Every slice handed out borrows from the text, so a value's position in the document is
//! its pointer offset (what byte-splicing editors need).

use std::borrow::Cow;
use std::fmt;

use super::lex::{plain_run, string_at};

/// The deepest container nesting accepted ([`crate::limits::DEFAULT_MAX_DEPTH`];
/// serde_json's `&RawValue` has no limit, its `Value` stops at 127).
pub const MAX_DEPTH: usize = crate::limits::DEFAULT_MAX_DEPTH;

/// Why a text is not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpanError {
  /// Not JSON: what was expected, and the byte offset where it was not found.
  Invalid {
    /// Byte offset of the problem.
    at: usize,
    /// What was wrong.
    what: &'static str,
  },
  /// Containers nested deeper than [`MAX_DEPTH`] (the byte offset of the one too deep).
  TooDeep {
    /// Byte offset of the opening bracket.
    at: usize,
  },
}

impl fmt::Display for SpanError {
  fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    match self {
      SpanError::Invalid { at, what } => write!(f, "{what} at byte {at}"),
      SpanError::TooDeep { at } => write!(f, "JSON nesting deeper than {MAX_DEPTH} at byte {at}"),
    }
  }
}

impl std::error::Error for SpanError {}

/// A validated JSON text and the span of each of its containers.
#[derive(Debug)]
pub struct Spans<'a> {
  text: &'a str,
  /// The root value (surrounding whitespace excluded).
  root: (usize, usize),
  /// `(start, end)` of every array and object, in order of `start`.
  containers: Vec<(usize, usize)>,
}

fn invalid<T>(at: usize, what: &'static str) -> Result<T, SpanError> {
  Err(SpanError::Invalid { at, what })
}

#[inline]
fn skip_ws(b: &[u8], mut i: usize) -> usize {
  while let Some(b' ' | b'\n' | b'\t' | b'\r') = b.get(i) {
    i += 1;
  }
  i
}

/// Validates the string literal whose opening quote is `b[at]` (escapes checked, surrogates
/// not paired: serde accepts a lone `\ud800` in a value it does not decode) and returns the
/// index just past its closing quote.
fn check_string(b: &[u8], at: usize) -> Result<usize, SpanError> {
  let mut i = at + 1;
  loop {
    i = plain_run(b, i);
    match b.get(i) {
      Some(b'"') => return Ok(i + 1),
      Some(b'\\') => match b.get(i + 1) {
        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => i += 2,
        Some(b'u') => {
          let hex = b.get(i + 2..i + 6).unwrap_or(&[]);
          if hex.len() != 4 || !hex.iter().all(u8::is_ascii_hexdigit) {
            return invalid(i, "invalid \\u escape");
          }
          i += 6;
        }
        _ => return invalid(i, "invalid escape"),
      },
      Some(_) => return invalid(i, "control character in a string"),
      None => return invalid(at, "unterminated string"),
    }
  }
}

/// The index just past the closing quote of an already validated string literal at `at`.
#[inline]
fn string_end(b: &[u8], at: usize) -> usize {
  let mut i = at + 1;
  loop {
    i = plain_run(b, i);
    match b.get(i) {
      Some(b'\\') => i += 2,
      _ => return i + 1,
    }
  }
}

/// Validates the number starting at `b[at]` and returns the index just past it.
fn check_number(b: &[u8], at: usize) -> Result<usize, SpanError> {
  let digits = |mut i: usize| {
    while b.get(i).is_some_and(u8::is_ascii_digit) {
      i += 1;
    }
    i
  };
  let mut i = at;
  if b.get(i) == Some(&b'-') {
    i += 1;
  }
  match b.get(i) {
    Some(b'0') => i += 1,
    Some(b'1'..=b'9') => i = digits(i + 1),
    _ => return invalid(i, "invalid number"),
  }
  if b.get(i) == Some(&b'.') {
    let j = digits(i + 1);
    if j == i + 1 {
      return invalid(j, "invalid number");
    }
    i = j;
  }
  if let Some(b'e' | b'E') = b.get(i) {
    i += 1;
    if let Some(b'+' | b'-') = b.get(i) {
      i += 1;
    }
    let j = digits(i);
    if j == i {
      return invalid(j, "invalid number");
    }
    i = j;
  }
  Ok(i)
}

impl<'a> Spans<'a> {
  /// Validates `text` as one JSON value (what `serde_json::from_str::<&RawValue>` accepts)
  /// and records its containers. One pass, no recursion.
  pub fn parse(text: &'a str) -> Result<Self, SpanError> {
    Self::scan(text, true)
  }

  /// One pass over `text`; container spans are recorded only when `record` is set.
  fn scan(text: &'a str, record: bool) -> Result<Self, SpanError> {
    let b = text.as_bytes();
    let mut containers: Vec<(usize, usize)> = Vec::new();
    // Open containers: (index into `containers`, is an object).
    let mut open: Vec<(usize, bool)> = Vec::new();
    let mut i = skip_ws(b, 0);
    let root_start = i;
    'value: loop {
      // A value starts at `b[i]` (whitespace already skipped).
      match b.get(i) {
        Some(&c @ (b'{' | b'[')) => {
          if open.len() + 1 > MAX_DEPTH {
            return Err(SpanError::TooDeep { at: i });
          }
          let object = c == b'{';
          if record {
            containers.push((i, 0));
          }
          open.push((containers.len().wrapping_sub(1), object));
          i = skip_ws(b, i + 1);
          let close = if object { b'}' } else { b']' };
          if b.get(i) == Some(&close) {
            let (k, _) = open.pop().unwrap_or_default();
            if record {
              containers[k].1 = i + 1;
            }
            i += 1;
          } else {
            if object {
              i = Self::key(b, i)?;
            }
            continue 'value;
          }
        }
        Some(b'"') => i = check_string(b, i)?,
        Some(b't') if b[i..].starts_with(b"true") => i += 4,
        Some(b'f') if b[i..].starts_with(b"false") => i += 5,
        Some(b'n') if b[i..].starts_with(b"null") => i += 4,
        Some(b'-' | b'0'..=b'9') => i = check_number(b, i)?,
        Some(_) => return invalid(i, "expected a value"),
        None => return invalid(i, "unexpected end of input, expected a value"),
      }
      // After a value: a separator, a closing bracket, or the end of the text.
      loop {
        i = skip_ws(b, i);
        let Some(&(k, object)) = open.last() else {
          if i != b.len() {
            return invalid(i, "trailing characters after the value");
          }
          return Ok(Spans {
            text,
            root: (root_start, skip_back_ws(b, i)),
            containers,
          });
        };
        match b.get(i) {
          Some(b',') => {
            i = skip_ws(b, i + 1);
            if object {
              i = Self::key(b, i)?;
            }
            continue 'value;
          }
          Some(b'}') if object => {}
          Some(b']') if !object => {}
          Some(_) => return invalid(i, "expected `,` or a closing bracket"),
          None => return invalid(i, "unexpected end of input inside a container"),
        }
        if record {
          containers[k].1 = i + 1;
        }
        open.pop();
        i += 1;
      }
    }
  }

  /// Validates `"key"` `:` at `b[i]` and returns where the value starts.
  fn key(b: &[u8], i: usize) -> Result<usize, SpanError> {
    if b.get(i) != Some(&b'"') {
      return invalid(i, "expected a string key");
    }
    let i = skip_ws(b, check_string(b, i)?);
    if b.get(i) != Some(&b':') {
      return invalid(i, "expected `:`");
    }
    Ok(skip_ws(b, i + 1))
  }

  /// The whole text.
  pub fn text(&self) -> &'a str {
    self.text
  }

  /// The root value's text (surrounding whitespace excluded).
  pub fn root(&self) -> &'a str {
    &self.text[self.root.0..self.root.1]
  }

  /// The byte offset of `value` (a slice handed out by this `Spans`) in the text.
  pub fn offset(&self, value: &str) -> usize {
    let at = (value.as_ptr() as usize).wrapping_sub(self.text.as_ptr() as usize);
    assert!(
      at <= self.text.len() && at + value.len() <= self.text.len(),
      "a slice of another text"
    );
    at
  }

  /// The end of the (validated) value starting at `b[i]`.
  fn value_end(&self, i: usize) -> usize {
    let b = self.text.as_bytes();
    match b[i] {
      b'{' | b'[' => {
        let k = self
          .containers
          .binary_search_by_key(&i, |c| c.0)
          .unwrap_or_else(|_| unreachable!("every container was recorded"));
        self.containers[k].1
      }
      b'"' => string_end(b, i),
      _ => {
        let mut j = i + 1;
        while let Some(c) = b.get(j) {
          if matches!(c, b',' | b'}' | b']' | b' ' | b'\n' | b'\t' | b'\r') {
            break;
          }
          j += 1;
        }
        j
      }
    }
  }

  /// The members of `object` (a slice of this text holding an object) in source order:
  /// each key's literal (quotes included, escapes as written) and the value's text.
  /// Empty when `object` is not an object.
  pub fn members(&self, object: &'a str) -> Members<'_, 'a> {
    let at = self.offset(object);
    Members {
      spans: self,
      i: (object.as_bytes().first() == Some(&b'{')).then_some(at + 1),
    }
  }

  /// The elements of `array` (a slice of this text holding an array), in order. Empty when
  /// `array` is not an array.
  pub fn elements(&self, array: &'a str) -> Elements<'_, 'a> {
    let at = self.offset(array);
    Elements {
      spans: self,
      i: (array.as_bytes().first() == Some(&b'[')).then_some(at + 1),
    }
  }
}

/// Validates `text` as one JSON value, exactly as [`Spans::parse`] does, recording nothing.
pub fn validate(text: &str) -> Result<(), SpanError> {
  Spans::scan(text, false).map(|_| ())
}

fn skip_back_ws(b: &[u8], mut i: usize) -> usize {
  while i > 0 && matches!(b[i - 1], b' ' | b'\n' | b'\t' | b'\r') {
    i -= 1;
  }
  i
}

/// Decodes a key or string literal (quotes included) as serde does; `None` for one serde
/// cannot decode (a lone surrogate escape).
pub fn decode(literal: &str) -> Option<Cow<'_, str>> {
  match string_at(literal, 0)? {
    (s, end) if end == literal.len() => Some(s),
    _ => None,
  }
}

/// Iterator over an object's members: see [`Spans::members`].
pub struct Members<'s, 'a> {
  spans: &'s Spans<'a>,
  i: Option<usize>,
}

impl<'a> Iterator for Members<'_, 'a> {
  type Item = (&'a str, &'a str);

  fn next(&mut self) -> Option<Self::Item> {
    let text = self.spans.text;
    let b = text.as_bytes();
    let mut i = skip_ws(b, self.i?);
    if b[i] == b'}' {
      self.i = None;
      return None;
    }
    let key_end = string_end(b, i);
    let key = &text[i..key_end];
    i = skip_ws(b, skip_ws(b, key_end) + 1);
    let end = self.spans.value_end(i);
    let value = &text[i..end];
    i = skip_ws(b, end);
    self.i = Some(if b[i] == b',' { i + 1 } else { i });
    Some((key, value))
  }
}

/// Iterator over an array's elements: see [`Spans::elements`].
pub struct Elements<'s, 'a> {
  spans: &'s Spans<'a>,
  i: Option<usize>,
}

impl<'a> Iterator for Elements<'_, 'a> {
  type Item = &'a str;

  fn next(&mut self) -> Option<Self::Item> {
    let text = self.spans.text;
    let b = text.as_bytes();
    let i = skip_ws(b, self.i?);
    if b[i] == b']' {
      self.i = None;
      return None;
    }
    let end = self.spans.value_end(i);
    let j = skip_ws(b, end);
    self.i = Some(if b[j] == b',' { j + 1 } else { j });
    Some(&text[i..end])
  }
}

#[cfg(test)]
mod tests {
  use super::*;
  use proptest::prelude::*;
  use serde_json::value::RawValue;

  fn serde_accepts(text: &str) -> bool {
    serde_json::from_str::<&RawValue>(text).is_ok()
  }

  #[test]
  fn members_and_elements_are_the_source_slices() {
    let text = r#" {"a" : [1, {"x":"]}"} ,"s\"q"] , "b\u0041":{} ,"c":-1.5e+3,"d":"x\"y"} "#;
    let spans = Spans::parse(text).unwrap();
    let root = spans.root();
    assert!(root.starts_with('{') && root.ends_with('}'));
    let members: Vec<_> = spans.members(root).collect();
    let keys: Vec<_> = members.iter().map(|m| m.0).collect();
    assert_eq!(keys, [r#""a""#, r#""b\u0041""#, r#""c""#, r#""d""#]);
    assert_eq!(decode(members[1].0).as_deref(), Some("bA"));
    let values: Vec<_> = members.iter().map(|m| m.1).collect();
    assert_eq!(
      values,
      [r#"[1, {"x":"]}"} ,"s\"q"]"#, "{}", "-1.5e+3", r#""x\"y""#]
    );
    let elements: Vec<_> = spans.elements(values[0]).collect();
    assert_eq!(elements, ["1", r#"{"x":"]}"}"#, r#""s\"q""#]);
    assert_eq!(spans.elements(values[1]).count(), 0);
    assert_eq!(spans.members(values[2]).count(), 0, "not an object");
    assert_eq!(spans.offset(values[2]), text.find("-1.5").unwrap());
  }

  #[test]
  fn rejects_what_serde_rejects() {
    for bad in [
      "",
      " ",
      "{",
      "[1,]",
      "{\"a\":1,}",
      "01",
      "1.",
      "1e",
      "-",
      "+1",
      ".5",
      "tru",
      "nul",
      "[1 2]",
      "{\"a\" 1}",
      "{1:2}",
      "\"a\u{1}b\"",
      "\"\\x\"",
      "\"\\u12g4\"",
      "\"abc",
      "[] []",
      "{\"a\":1}}",
      "[}",
      "{]",
    ] {
      assert!(!serde_accepts(bad), "serde accepts {bad:?}");
      assert!(Spans::parse(bad).is_err(), "accepted {bad:?}");
      assert!(validate(bad).is_err(), "validated {bad:?}");
    }
    for good in [
      "0",
      "-0.0e-0",
      " \"\\ud800\" ",
      "[[],{},\"\",null,true,false]",
      "{\"\":{\"\":[]}}",
    ] {
      assert!(serde_accepts(good));
      assert!(Spans::parse(good).is_ok(), "rejected {good:?}");
      assert!(validate(good).is_ok(), "did not validate {good:?}");
    }
  }

  #[test]
  fn depth_limit() {
    for depth in [1, MAX_DEPTH - 1, MAX_DEPTH, MAX_DEPTH + 1] {
      let text = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
      assert_eq!(
        Spans::parse(&text).is_ok(),
        depth <= MAX_DEPTH,
        "depth {depth}"
      );
      assert_eq!(
        crate::limits::depth_exceeded_at(text.as_bytes(), MAX_DEPTH).is_none(),
        depth <= MAX_DEPTH
      );
    }
    let deep = "[".repeat(10_000);
    assert!(matches!(
      Spans::parse(&deep),
      Err(SpanError::TooDeep { .. })
    ));
  }

  fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
      Just(serde_json::Value::Null),
      any::<bool>().prop_map(serde_json::Value::Bool),
      any::<i64>().prop_map(|n| n.into()),
      (-1e9f64..1e9).prop_map(|f| f.into()),
      "[ -~\\n\\t\"\\\\é😀\u{1}]{0,12}".prop_map(serde_json::Value::String),
    ];
    leaf.prop_recursive(5, 48, 6, |inner| {
      prop_oneof![
        prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::Array),
        prop::collection::vec(("[a-z\"\\\\]{0,4}", inner), 0..6)
          .prop_map(|kv| serde_json::Value::Object(kv.into_iter().collect())),
      ]
    })
  }

  /// Re-serialises with random whitespace between tokens.
  fn spaced(v: &serde_json::Value, ws: &mut impl Iterator<Item = &'static str>) -> String {
    let mut s = String::new();
    s.push_str(ws.next().unwrap_or(""));
    match v {
      serde_json::Value::Array(a) => {
        s.push('[');
        for (i, e) in a.iter().enumerate() {
          if i > 0 {
            s.push(',');
          }
          s.push_str(&spaced(e, ws));
        }
        s.push_str(ws.next().unwrap_or(""));
        s.push(']');
      }
      serde_json::Value::Object(o) => {
        s.push('{');
        for (i, (k, e)) in o.iter().enumerate() {
          if i > 0 {
            s.push(',');
          }
          s.push_str(ws.next().unwrap_or(""));
          s.push_str(&serde_json::to_string(k).unwrap_or_default());
          s.push_str(ws.next().unwrap_or(""));
          s.push(':');
          s.push_str(&spaced(e, ws));
        }
        s.push_str(ws.next().unwrap_or(""));
        s.push('}');
      }
      other => s.push_str(&other.to_string()),
    }
    s.push_str(ws.next().unwrap_or(""));
    s
  }

  /// Walks both trees: every member and element slice re-parses to the same value.
  fn same_tree(spans: &Spans<'_>, text: &str, v: &serde_json::Value) {
    let parsed: serde_json::Value = serde_json::from_str(text).unwrap();
    assert_eq!(&parsed, v);
    match v {
      serde_json::Value::Array(a) => {
        let elements: Vec<_> = spans.elements(text).collect();
        assert_eq!(elements.len(), a.len());
        for (e, ev) in elements.iter().zip(a) {
          same_tree(spans, e, ev);
        }
      }
      serde_json::Value::Object(o) => {
        let members: Vec<_> = spans.members(text).collect();
        assert_eq!(members.len(), o.len());
        for ((k, e), (ok, ov)) in members.iter().zip(o) {
          assert_eq!(decode(k).as_deref(), Some(ok.as_str()));
          same_tree(spans, e, ov);
        }
      }
      _ => {
        assert_eq!(spans.members(text).count(), 0);
        assert_eq!(spans.elements(text).count(), 0);
      }
    }
  }

  proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn slices_match_serde(v in json_value(), seed in prop::collection::vec(0usize..5, 0..200)) {
      const WS: [&str; 5] = ["", " ", "\n", "\t ", "\r\n  "];
      let mut ws = seed.into_iter().map(|i| WS[i]).chain(std::iter::repeat(""));
      let text = spaced(&v, &mut ws);
      let spans = Spans::parse(&text).unwrap();
      same_tree(&spans, spans.root(), &v);
    }

    #[test]
    fn accepts_exactly_what_serde_accepts(
      v in json_value(),
      cut in 0usize..400,
      byte in prop::sample::select(&b"{}[],:\"\\ 0-.eE+tfnu\x01a"[..]),
      mode in 0u8..3,
    ) {
      let text = v.to_string();
      let mut b = text.into_bytes();
      let at = cut.min(b.len());
      match mode {
        0 => b.insert(at, byte),
        1 if at < b.len() => { b.remove(at); }
        _ => b.truncate(at),
      }
      let Ok(mutated) = String::from_utf8(b) else { return Ok(()) };
      prop_assert_eq!(Spans::parse(&mutated).is_ok(), serde_accepts(&mutated), "{:?}", mutated);
      prop_assert_eq!(validate(&mutated).is_ok(), serde_accepts(&mutated), "{:?}", mutated);
    }
  }
}
