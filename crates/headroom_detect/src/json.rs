//! JSON and JSON Lines detection.
//!
//! Small inputs (< 1 MiB) are fully validated in one iterative pass
//! ([`headroom_core::json::spans::validate`]: serde_json's grammar, a nesting limit, eight
//! string bytes at a time). Larger inputs, and documents nested deeper than that limit, get
//! an iterative structural scan of the sampled head: valid tokens
//! only, strings closed on the same line, brackets matched with an explicit stack.

use crate::sample::Sample;
use crate::types::{ContentType, Detection};

/// Inputs below this size are validated with a full parse.
pub(crate) const FULL_PARSE_LIMIT: usize = 1 << 20;

/// The confidence of a text validated whole as one JSON document.
pub(crate) const WHOLE_CONFIDENCE: f32 = 0.99;

/// Result of a structural scan.
#[derive(Debug, PartialEq, Eq)]
enum Scan {
  /// A complete value followed only by whitespace.
  Complete,
  /// A valid prefix of a value (the scan ran out of input).
  Prefix,
  /// Not JSON.
  Invalid,
}

/// What [`detect_json`] found.
pub(crate) enum Whole {
  /// Not bracketed as one JSON object/array, or small and not one.
  No,
  /// One JSON document.
  Json(Detection),
  /// Bracketed, but too large to validate whole: [`detect_large_json`] decides on a sample.
  Large,
}

/// Detects one JSON object/array spanning the whole input, validating it whole when it is
/// smaller than `FULL_PARSE_LIMIT`.
pub(crate) fn detect_json(text: &str) -> Whole {
  let trimmed = text.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
  let (Some(&first), Some(&last)) = (trimmed.as_bytes().first(), trimmed.as_bytes().last()) else {
    return Whole::No;
  };
  if !matches!((first, last), (b'{', b'}') | (b'[', b']')) {
    return Whole::No;
  }
  if trimmed.len() >= FULL_PARSE_LIMIT {
    return Whole::Large;
  }
  if headroom_core::json::spans::validate(trimmed).is_ok() {
    return Whole::Json(Detection::new(ContentType::Json, WHOLE_CONFIDENCE));
  }
  // Deeper than the nesting limit, or simply invalid: scan structurally.
  if scan(trimmed) == Scan::Complete {
    Whole::Json(Detection::new(ContentType::Json, 0.9))
  } else {
    Whole::No
  }
}

/// Detects one JSON object/array too large to validate whole, from its sample.
pub(crate) fn detect_large_json(sample: &Sample<'_>) -> Option<Detection> {
  let head = sample
    .head
    .trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
  match scan(head) {
    Scan::Complete | Scan::Prefix if tail_plausible(sample.rest[1]) => {
      Some(Detection::new(ContentType::Json, 0.9))
    }
    _ => None,
  }
}

/// Detects JSON Lines: at least two non-blank lines, (nearly) all of them one JSON
/// object or array each.
pub(crate) fn detect_jsonl(sample: &Sample<'_>) -> Option<Detection> {
  let mut total = 0usize;
  let mut good = 0usize;
  for line in sample.nonblank() {
    total += 1;
    let t = line.trim();
    let b = t.as_bytes();
    let shaped = matches!((b[0], b[b.len() - 1]), (b'{', b'}') | (b'[', b']'));
    if shaped && valid_line(t) {
      good += 1;
    } else if total - good > total / 10 + 1 {
      return None;
    }
  }
  if good < 2 {
    return None;
  }
  let frac = good as f32 / total as f32;
  (frac >= 0.9).then(|| Detection::new(ContentType::JsonLines, 0.6 + 0.39 * frac))
}

/// Validates one line: full parse when small, structural scan otherwise.
fn valid_line(t: &str) -> bool {
  if t.len() < 64 * 1024 {
    headroom_core::json::spans::validate(t).is_ok() || scan(t) == Scan::Complete
  } else {
    scan(t) != Scan::Invalid
  }
}

/// Whether the end slice of a huge input looks like the end of a JSON document.
fn tail_plausible(tail: &str) -> bool {
  let t = tail.trim_end();
  matches!(t.as_bytes().last(), Some(b'}' | b']') | None)
}

/// Iterative structural scan of a JSON value. Never recurses.
fn scan(s: &str) -> Scan {
  let b = s.as_bytes();
  let mut stack: Vec<u8> = Vec::new();
  let mut i = 0usize;
  let mut started = false;
  while i < b.len() {
    let c = b[i];
    match c {
      b' ' | b'\t' | b'\n' | b'\r' => i += 1,
      b'{' | b'[' => {
        if started && stack.is_empty() {
          return Scan::Invalid;
        }
        started = true;
        stack.push(if c == b'{' { b'}' } else { b']' });
        i += 1;
      }
      b'}' | b']' => {
        if stack.pop() != Some(c) {
          return Scan::Invalid;
        }
        i += 1;
      }
      b',' | b':' => {
        if stack.is_empty() {
          return Scan::Invalid;
        }
        i += 1;
      }
      b'"' => {
        if stack.is_empty() {
          return Scan::Invalid;
        }
        i += 1;
        loop {
          match b.get(i) {
            None => return Scan::Prefix,
            Some(b'"') => {
              i += 1;
              break;
            }
            Some(b'\\') => i += 2,
            Some(&ch) if ch < 0x20 => return Scan::Invalid,
            Some(_) => i += 1,
          }
        }
      }
      b'-' | b'0'..=b'9' => {
        if stack.is_empty() {
          return Scan::Invalid;
        }
        while i < b.len() && matches!(b[i], b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E') {
          i += 1;
        }
      }
      b't' | b'f' | b'n' => {
        if stack.is_empty() {
          return Scan::Invalid;
        }
        let lit: &[u8] = match c {
          b't' => b"true",
          b'f' => b"false",
          _ => b"null",
        };
        let end = (i + lit.len()).min(b.len());
        if b[i..end] != lit[..end - i] {
          return Scan::Invalid;
        }
        i = end;
      }
      _ => return Scan::Invalid,
    }
  }
  match (started, stack.is_empty()) {
    (true, true) => Scan::Complete,
    (true, false) => Scan::Prefix,
    (false, _) => Scan::Invalid,
  }
}

/// Length of the JSON object/array starting at `s[0]` (`{` or `[`), if it is complete and
/// valid within `max` bytes. Used by [`crate::sections`] to find embedded JSON blocks.
pub(crate) fn embedded_json_len(s: &str, max: usize) -> Option<usize> {
  let b = s.as_bytes();
  let mut depth = 0usize;
  let mut in_str = false;
  let mut i = 0usize;
  let limit = b.len().min(max);
  while i < limit {
    let c = b[i];
    if in_str {
      match c {
        b'\\' => i += 1,
        b'"' => in_str = false,
        _ => {}
      }
    } else {
      match c {
        b'"' => in_str = true,
        b'{' | b'[' => depth += 1,
        b'}' | b']' => {
          depth = depth.checked_sub(1)?;
          if depth == 0 {
            let end = i + 1;
            let cand = s.get(..end)?;
            return (scan(cand) == Scan::Complete).then_some(end);
          }
        }
        _ => {}
      }
    }
    i += 1;
  }
  None
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn scan_basics() {
    assert_eq!(
      scan(r#"{"a": [1, 2.5e3, true, null, "x\"y"]}"#),
      Scan::Complete
    );
    assert_eq!(scan(r#"{"a": [1, 2"#), Scan::Prefix);
    assert_eq!(scan("{ a: 1 }"), Scan::Invalid);
    assert_eq!(scan("[1] [2]"), Scan::Invalid);
    let deep = "[".repeat(10_000) + &"]".repeat(10_000);
    assert_eq!(scan(&deep), Scan::Complete);
  }

  #[test]
  fn embedded() {
    let s = "{\"a\": {\"b\": 1}} trailing";
    assert_eq!(embedded_json_len(s, 1000), Some(15));
    assert_eq!(embedded_json_len("{ not json }", 1000), None);
  }
}
