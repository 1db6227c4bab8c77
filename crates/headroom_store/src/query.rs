//! Filtering an original for `retrieve(key, query)`.
//!
//! - **Units.** An original that parses as a JSON array is counted in `rows` (its elements);
//!   a JSON object with at least one array member is counted in the rows of its largest
//!   top-level array (first in document order on a tie). Anything else is counted in
//!   `lines` (split on `\n`; a final newline does not start another line).
//! - **Matching.** The query is split on whitespace into terms; a row or line matches when
//!   it contains **every** term, case-insensitively (Unicode lowercase), as a substring. A
//!   row is matched against its JSON text exactly as it appears in the original (so
//!   `"status": "error"` is matched by the terms `status` and `error`, or by `"error"`).
//!   Matches keep their original order; there is no ranking.
//! - **Output.** Matching rows are returned as a JSON array of their original text (one per
//!   line); matching lines are joined by `\n`. With no query (or a blank one) the whole
//!   original is returned, with all units matched.
//! - **Bytes that are not UTF-8** are decoded lossily (U+FFFD) for `retrieve`, which is
//!   meant for a model to read; [`crate::Store::get`] is the byte-exact path.

use std::collections::BTreeMap;

use serde_json::value::RawValue;

/// What `retrieve` returns: the (possibly filtered) original and the counts a caller needs
/// to render "N of M rows matched".
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Retrieved {
  /// The original (no query), or the matching rows as a JSON array, or the matching lines.
  pub text: String,
  /// Units in the whole original.
  pub total_units: usize,
  /// Units in `text`.
  pub matched_units: usize,
  /// `"rows"` (JSON array elements) or `"lines"`.
  pub unit: &'static str,
  /// For rows inside an object: the JSON pointer of the array they came from (e.g.
  /// `/items`); `None` for a top-level array or for lines.
  pub array_path: Option<String>,
  /// Whether the original was not valid UTF-8 and `text` was decoded lossily.
  pub lossy: bool,
}

/// Filters `original` by `query` (see the module docs).
pub fn filter(original: &[u8], query: Option<&str>) -> Retrieved {
  let (text, lossy) = match std::str::from_utf8(original) {
    Ok(s) => (std::borrow::Cow::Borrowed(s), false),
    Err(_) => (String::from_utf8_lossy(original), true),
  };
  let terms: Vec<String> = query
    .unwrap_or("")
    .split_whitespace()
    .map(str::to_lowercase)
    .collect();
  let mut out = match json_rows(&text) {
    Some((rows, path)) => filter_rows(&text, &rows, path, &terms),
    None => filter_lines(&text, &terms),
  };
  out.lossy = lossy;
  out
}

fn matches(haystack: &str, terms: &[String]) -> bool {
  if terms.is_empty() {
    return true;
  }
  let lower = haystack.to_lowercase();
  terms.iter().all(|t| lower.contains(t.as_str()))
}

/// The rows of a JSON original, and the pointer of the array inside an object.
fn json_rows(text: &str) -> Option<(Vec<&RawValue>, Option<String>)> {
  match text.trim_start().as_bytes().first()? {
    b'[' => serde_json::from_str::<Vec<&RawValue>>(text)
      .ok()
      .map(|rows| (rows, None)),
    b'{' => {
      let members = serde_json::from_str::<BTreeMap<String, &RawValue>>(text).ok()?;
      let offset = |raw: &RawValue| raw.get().as_ptr() as usize - text.as_ptr() as usize;
      let mut best: Option<(usize, usize, &str, Vec<&RawValue>)> = None;
      for (name, raw) in &members {
        if !raw.get().starts_with('[') {
          continue;
        }
        let Ok(rows) = serde_json::from_str::<Vec<&RawValue>>(raw.get()) else {
          continue;
        };
        let pos = offset(raw);
        let better = match &best {
          None => true,
          Some((len, at, _, _)) => rows.len() > *len || (rows.len() == *len && pos < *at),
        };
        if better {
          best = Some((rows.len(), pos, name, rows));
        }
      }
      best.map(|(_, _, name, rows)| (rows, Some(json_pointer(name))))
    }
    _ => None,
  }
}

fn json_pointer(member: &str) -> String {
  format!("/{}", member.replace('~', "~0").replace('/', "~1"))
}

fn filter_rows(
  text: &str,
  rows: &[&RawValue],
  array_path: Option<String>,
  terms: &[String],
) -> Retrieved {
  let total = rows.len();
  if terms.is_empty() {
    return Retrieved {
      text: text.to_string(),
      total_units: total,
      matched_units: total,
      unit: "rows",
      array_path,
      lossy: false,
    };
  }
  let kept: Vec<&str> = rows
    .iter()
    .map(|r| r.get())
    .filter(|r| matches(r, terms))
    .collect();
  let body = if kept.is_empty() {
    "[]".to_string()
  } else {
    format!("[\n{}\n]", kept.join(",\n"))
  };
  Retrieved {
    text: body,
    total_units: total,
    matched_units: kept.len(),
    unit: "rows",
    array_path,
    lossy: false,
  }
}

fn filter_lines(text: &str, terms: &[String]) -> Retrieved {
  let lines: Vec<&str> = text
    .strip_suffix('\n')
    .unwrap_or(text)
    .split('\n')
    .collect();
  let total = if text.is_empty() { 0 } else { lines.len() };
  if terms.is_empty() {
    return Retrieved {
      text: text.to_string(),
      total_units: total,
      matched_units: total,
      unit: "lines",
      array_path: None,
      lossy: false,
    };
  }
  let kept: Vec<&str> = lines.into_iter().filter(|l| matches(l, terms)).collect();
  Retrieved {
    text: kept.join("\n"),
    total_units: total,
    matched_units: kept.len(),
    unit: "lines",
    array_path: None,
    lossy: false,
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  const ROWS: &str = r#"[
  {"id": 1, "status": "ok", "name": "Alpha"},
  {"id": 2, "status": "error", "name": "Beta", "msg": "Disk FULL"},
  {"id": 3, "status": "ok", "name": "Gamma"},
  {"id": 4, "status": "error", "name": "Delta", "msg": "timeout"}
]"#;

  #[test]
  fn no_query_returns_the_whole_original_with_counts() {
    let r = filter(ROWS.as_bytes(), None);
    assert_eq!(r.text, ROWS);
    assert_eq!((r.total_units, r.matched_units, r.unit), (4, 4, "rows"));
    let r = filter(b"a\nb\nc\n", Some("   "));
    assert_eq!(r.text, "a\nb\nc\n");
    assert_eq!((r.total_units, r.matched_units, r.unit), (3, 3, "lines"));
  }

  #[test]
  fn rows_match_every_term_case_insensitively_in_order() {
    let r = filter(ROWS.as_bytes(), Some("ERROR"));
    assert_eq!((r.total_units, r.matched_units, r.unit), (4, 2, "rows"));
    let v: serde_json::Value = serde_json::from_str(&r.text).unwrap();
    assert_eq!(v[0]["id"], 2);
    assert_eq!(v[1]["id"], 4);
    let r = filter(ROWS.as_bytes(), Some("error disk full"));
    assert_eq!(r.matched_units, 1);
    assert!(
      r.text.contains(r#""msg": "Disk FULL""#),
      "original row text kept"
    );
    let r = filter(ROWS.as_bytes(), Some("error nothing-like-this"));
    assert_eq!((r.matched_units, r.text.as_str()), (0, "[]"));
  }

  #[test]
  fn object_uses_its_largest_array() {
    let doc = r#"{"meta": {"n": 3}, "tags": ["x", "y"], "items": [{"a": "x1"}, {"a": "y2"}, {"a": "x3"}], "more": [1, 2, 3]}"#;
    let r = filter(doc.as_bytes(), Some("x"));
    assert_eq!(
      r.array_path.as_deref(),
      Some("/items"),
      "first of the largest on a tie"
    );
    assert_eq!((r.total_units, r.matched_units), (3, 2));
    let v: serde_json::Value = serde_json::from_str(&r.text).unwrap();
    assert_eq!(v, serde_json::json!([{"a": "x1"}, {"a": "x3"}]));
  }

  #[test]
  fn object_without_array_and_broken_json_fall_back_to_lines() {
    let r = filter(br#"{"a": 1}"#, Some("a"));
    assert_eq!(r.unit, "lines");
    let r = filter(b"[1, 2,\n oops", Some("oops"));
    assert_eq!((r.unit, r.total_units, r.matched_units), ("lines", 2, 1));
    assert_eq!(r.text, " oops");
  }

  #[test]
  fn lines_match_every_term() {
    let log = "INFO start\nERROR disk full on /dev/sda\nWARN slow\nerror: disk quota\nINFO done\n";
    let r = filter(log.as_bytes(), Some("error disk"));
    assert_eq!((r.total_units, r.matched_units, r.unit), (5, 2, "lines"));
    assert_eq!(r.text, "ERROR disk full on /dev/sda\nerror: disk quota");
    let r = filter(b"", Some("x"));
    assert_eq!((r.total_units, r.matched_units), (0, 0));
  }

  #[test]
  fn invalid_utf8_is_decoded_lossily_and_flagged() {
    let r = filter(b"ok line\n\xff\xfe bad line\n", Some("bad"));
    assert!(r.lossy);
    assert_eq!(r.matched_units, 1);
    assert!(r.text.contains('\u{FFFD}'));
    assert!(!filter(b"fine", None).lossy);
  }

  #[test]
  fn pointer_escapes_member_names() {
    assert_eq!(json_pointer("a/b~c"), "/a~1b~0c");
  }
}
