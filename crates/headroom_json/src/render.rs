//! Serialization, exact token counting and marker rendering helpers.

use headroom_core::marker::Marker;
use serde_json::Value;

/// Exact o200k token count of `text`.
pub fn tokens(text: &str) -> usize {
  headroom_tokens::tokenizer(headroom_tokens::Encoding::O200kBase).count(text)
}

/// Compact JSON text of `v` (`,`/`:` separators, key order and number spellings kept).
pub fn to_json(v: &Value) -> String {
  // Serializing a `Value` into a `Vec` cannot fail.
  serde_json::to_string(v).unwrap_or_default()
}

/// Renders one marker in the crate's single grammar ([`Marker::render`]).
pub fn marker(
  omitted: usize,
  total: usize,
  unit: &str,
  breakdown: Option<&str>,
  hash: &str,
) -> String {
  Marker {
    omitted: omitted as u64,
    total: total as u64,
    unit,
    breakdown,
    hash,
  }
  .render()
}

/// Whether `s` is exactly one marker (the whole string), as written by [`marker`]: the one
/// grammar's parser ([`Marker::parse`]) with counts as `usize`.
pub fn parse_marker(s: &str) -> Option<ParsedMarker<'_>> {
  let m = Marker::parse(s)?;
  Some(ParsedMarker {
    omitted: usize::try_from(m.omitted).ok()?,
    total: usize::try_from(m.total).ok()?,
    unit: m.unit,
    breakdown: m.breakdown,
    hash: m.hash,
  })
}

/// A marker parsed back from its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedMarker<'a> {
  /// Units left out.
  pub omitted: usize,
  /// Units in the source.
  pub total: usize,
  /// The unit (`rows`, `items`, `keys`, `bytes`).
  pub unit: &'a str,
  /// The breakdown, if any.
  pub breakdown: Option<&'a str>,
  /// The retrieve key.
  pub hash: &'a str,
}

/// Finds the first marker inside `s` (not necessarily the whole string): returns its byte
/// offset and the parsed marker.
pub fn find_marker_suffix(s: &str) -> Option<(usize, ParsedMarker<'_>)> {
  // Opaque-string elisions are `prefix + marker`, the marker being the tail of the string.
  if !s.ends_with(']') {
    return None;
  }
  let mut from = 0;
  while let Some(pos) = memchr::memchr(b'[', &s.as_bytes()[from..]) {
    let at = from + pos;
    if let Some(m) = parse_marker(&s[at..]) {
      return Some((at, m));
    }
    from = at + 1;
  }
  None
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn marker_round_trip() {
    let m = marker(
      85,
      100,
      "rows",
      Some("83 status=ok, 2 status=retry"),
      "0123456789abcdef",
    );
    let p = parse_marker(&m).unwrap();
    assert_eq!(p.omitted, 85);
    assert_eq!(p.total, 100);
    assert_eq!(p.unit, "rows");
    assert_eq!(p.breakdown, Some("83 status=ok, 2 status=retry"));
    assert_eq!(p.hash, "0123456789abcdef");
    let plain = marker(3, 9, "keys", None, "0123456789abcdef");
    assert_eq!(parse_marker(&plain).unwrap().breakdown, None);
    let s = format!(
      "abc{}",
      marker(10, 13, "bytes", Some("base64"), "0123456789abcdef")
    );
    assert_eq!(find_marker_suffix(&s).unwrap().0, 3);
    assert!(parse_marker("[1 of 2 rows omitted]").is_none());
  }
}
