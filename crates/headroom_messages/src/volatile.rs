//! Volatile content in system prompts: timestamps, dates, clock times and UUIDs.
//!
//! A provider's prompt cache matches a request's prefix, and the system prompt sits near
//! its start: a clock time or a per-request id there changes the prefix on every request
//! and nothing after it is ever read from the cache. The library never edits system text;
//! it reports what it sees so that an operator can fix the client (or opt in to prefix
//! stabilisation where a proxy offers it).

use std::sync::OnceLock;

use regex::Regex;
use serde::Serialize;

/// One volatile value found in system text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Volatile {
  /// `timestamp` (a date with a time), `date`, `time` (a clock time with seconds) or `uuid`.
  pub kind: &'static str,
  /// JSON-pointer path of the system text.
  pub path: String,
  /// The value found (a date, time or id, never surrounding text).
  pub sample: String,
}

/// At most this many findings are reported per request.
pub const MAX_FINDINGS: usize = 16;

fn patterns() -> &'static [(&'static str, Regex)] {
  static PATTERNS: OnceLock<Vec<(&'static str, Regex)>> = OnceLock::new();
  PATTERNS.get_or_init(|| {
    let build = |p: &str| Regex::new(p).expect("volatile pattern compiles");
    vec![
      (
        "uuid",
        build(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b"),
      ),
      (
        "timestamp",
        build(r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?"),
      ),
      (
        "date",
        build(r"\b(?:19|20)\d{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])\b"),
      ),
      ("time", build(r"\b(?:[01]?\d|2[0-3]):[0-5]\d:[0-5]\d\b")),
    ]
  })
}

/// Finds volatile values in `text` (a system prompt at `path`), earlier patterns first: a
/// timestamp's date and time are not reported again on their own.
pub fn scan(text: &str, path: &str, out: &mut Vec<Volatile>) {
  let mut taken: Vec<std::ops::Range<usize>> = Vec::new();
  for (kind, re) in patterns() {
    for m in re.find_iter(text) {
      if out.len() >= MAX_FINDINGS {
        return;
      }
      if taken.iter().any(|r| r.start < m.end() && m.start() < r.end) {
        continue;
      }
      taken.push(m.range());
      out.push(Volatile {
        kind,
        path: path.to_string(),
        sample: m.as_str().to_string(),
      });
    }
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  fn kinds(text: &str) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    scan(text, "/system", &mut out);
    out.into_iter().map(|v| (v.kind, v.sample)).collect()
  }

  #[test]
  fn finds_each_kind_once() {
    let found = kinds(
      "Session 3f2a9c0d-1e4b-4a69-9b1c-0123456789ab started 2026-11-21T09:15:02Z. \
       Today's date is 2026-11-21. Local time 09:15:02.",
    );
    assert_eq!(
      found,
      vec![
        ("uuid", "3f2a9c0d-1e4b-4a69-9b1c-0123456789ab".to_string()),
        ("timestamp", "2026-11-21T09:15:02Z".to_string()),
        ("date", "2026-11-21".to_string()),
        ("time", "09:15:02".to_string()),
      ]
    );
  }

  #[test]
  fn stable_text_has_none() {
    assert!(kinds("You are a helpful assistant. Version 1.2.3, port 8080, ratio 3:2.").is_empty());
  }

  #[test]
  fn findings_are_bounded() {
    let text = "2026-01-01 ".repeat(100);
    assert_eq!(kinds(&text).len(), MAX_FINDINGS);
  }
}
