//! The zero-silent-loss checker for text outputs (logs, search results, diffs, code, prose).
//!
//! [`check_text`] takes the input, what a compressor made of it and a way to fetch stored
//! originals, and verifies that nothing was lost silently:
//!
//! - every marker parses in the one grammar, has `omitted <= total`, and its hash fetches
//!   an original **byte-equal to the input**;
//! - everything that is not a marker is input text, verbatim and in order, at the chosen
//!   [`Granularity`]:
//!   - [`Granularity::Lines`]: each output line without a marker equals (ignoring its line
//!     terminator) the next matching input line, or is accepted by
//!     [`TextCheck::synthetic`] (e.g. a diff's recomputed `@@` header); a line holding a
//!     marker may hold placeholder syntax around it (indentation, `...`, a comment token)
//!     and nothing else from the input is counted for it. Then every input line is in the
//!     output or counted by a marker: `kept + Σ omitted (in line units) == input lines`,
//!     where each synthetic line may stand in for at most one input line (a rewritten
//!     header replaces the original one);
//!   - [`Granularity::Spans`]: the text between markers, trimmed, is found in the input
//!     in order (sentence-level extractive outputs);
//!   - [`Granularity::Words`]: the whitespace-separated words outside markers are a
//!     subsequence of the input's words (token-classification outputs such as Kompress).

use std::fmt;

use crate::marker::find_markers;
use crate::output::{line_content, split_lines_inclusive};

/// The unit of verbatim comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Granularity {
  /// Whole lines (logs, search results, diffs, code).
  Lines,
  /// Substrings between markers (extractive prose).
  Spans,
  /// Whitespace-separated words (token classification).
  Words,
}

/// How to check one output.
#[derive(Clone, Copy)]
pub struct TextCheck<'a> {
  /// The unit of verbatim comparison.
  pub granularity: Granularity,
  /// Marker units that count input lines one for one (default `["lines"]`). With
  /// [`Granularity::Lines`], every marker must use one of them.
  pub line_units: &'a [&'a str],
  /// Accepts an output line that is neither input nor marker (lines granularity only).
  pub synthetic: Option<&'a dyn Fn(&str) -> bool>,
}

impl TextCheck<'_> {
  /// A check at `granularity` with the default line units and no synthetic lines.
  pub fn new(granularity: Granularity) -> Self {
    TextCheck {
      granularity,
      line_units: &["lines"],
      synthetic: None,
    }
  }
}

/// What a passing check saw.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextCheckReport {
  /// Markers found and verified.
  pub markers: usize,
  /// Units copied verbatim (lines, spans or words, per the granularity).
  pub kept: usize,
  /// Omitted units per unit name, sorted by unit.
  pub omitted: Vec<(String, u64)>,
  /// Synthetic lines accepted.
  pub synthetic: usize,
  /// Distinct retrieve keys, in first-seen order.
  pub hashes: Vec<String>,
}

/// Why a check failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextViolation(pub String);

impl fmt::Display for TextViolation {
  fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    f.write_str(&self.0)
  }
}

impl std::error::Error for TextViolation {}

fn fail<T>(msg: impl Into<String>) -> Result<T, TextViolation> {
  Err(TextViolation(msg.into()))
}

/// Checks `output` against `input` (see the module docs).
pub fn check_text(
  input: &str,
  output: &str,
  fetch: &dyn Fn(&str) -> Option<Vec<u8>>,
  how: &TextCheck<'_>,
) -> Result<TextCheckReport, TextViolation> {
  let mut report = TextCheckReport::default();
  let mut omitted: std::collections::BTreeMap<String, u64> = Default::default();
  let markers = find_markers(output);
  for (_, m) in &markers {
    if m.omitted > m.total {
      return fail(format!("marker says {} of {} omitted", m.omitted, m.total));
    }
    if !report.hashes.iter().any(|h| h == m.hash) {
      match fetch(m.hash) {
        Some(bytes) if bytes == input.as_bytes() => report.hashes.push(m.hash.to_string()),
        Some(_) => {
          return fail(format!(
            "hash {} fetches bytes that differ from the input",
            m.hash
          ));
        }
        None => return fail(format!("hash {} fetches nothing", m.hash)),
      }
    }
    *omitted.entry(m.unit.to_string()).or_default() += m.omitted;
  }
  report.markers = markers.len();
  match how.granularity {
    Granularity::Lines => check_lines(input, output, how, &omitted, &mut report)?,
    Granularity::Spans => {
      let mut cursor = 0;
      let mut last = 0;
      let mut pieces: Vec<&str> = Vec::new();
      for (range, _) in &markers {
        pieces.push(&output[last..range.start]);
        last = range.end;
      }
      pieces.push(&output[last..]);
      for piece in pieces.into_iter().map(str::trim).filter(|p| !p.is_empty()) {
        match input[cursor..].find(piece) {
          Some(at) => {
            cursor += at + piece.len();
            report.kept += 1;
          }
          None => return fail(format!("span not found in the input, in order: {piece:?}")),
        }
      }
    }
    Granularity::Words => {
      let mut rest = String::with_capacity(output.len());
      let mut last = 0;
      for (range, _) in &markers {
        rest.push_str(&output[last..range.start]);
        rest.push(' ');
        last = range.end;
      }
      rest.push_str(&output[last..]);
      let mut input_words = input.split_whitespace();
      for word in rest.split_whitespace() {
        if !input_words.any(|w| w == word) {
          return fail(format!("word not in the input, in order: {word:?}"));
        }
        report.kept += 1;
      }
    }
  }
  report.omitted = omitted.into_iter().collect();
  Ok(report)
}

fn check_lines(
  input: &str,
  output: &str,
  how: &TextCheck<'_>,
  omitted: &std::collections::BTreeMap<String, u64>,
  report: &mut TextCheckReport,
) -> Result<(), TextViolation> {
  if let Some(unit) = omitted
    .keys()
    .find(|u| !how.line_units.contains(&u.as_str()))
  {
    return fail(format!("marker unit {unit:?} is not a line unit"));
  }
  let input_lines: Vec<&str> = split_lines_inclusive(input).map(line_content).collect();
  let mut next = 0;
  for (n, line) in split_lines_inclusive(output).enumerate() {
    let content = line_content(line);
    if content.contains("; retrieve hash=") && !find_markers(content).is_empty() {
      continue;
    }
    match input_lines[next..].iter().position(|l| *l == content) {
      Some(at) => {
        next += at + 1;
        report.kept += 1;
      }
      None if how.synthetic.is_some_and(|f| f(content)) => report.synthetic += 1,
      None => {
        return fail(format!(
          "output line {} is not an input line (in order) and not a marker: {content:?}",
          n + 1
        ));
      }
    }
  }
  let counted: u64 = omitted.values().sum::<u64>() + report.kept as u64;
  let total = input_lines.len() as u64;
  if counted > total || counted + (report.synthetic as u64) < total {
    return fail(format!(
      "{} kept + {} omitted (+ up to {} rewritten) lines do not account for {} input lines",
      report.kept,
      counted - report.kept as u64,
      report.synthetic,
      total
    ));
  }
  Ok(())
}

#[cfg(test)]
mod tests {
  use super::*;
  use crate::hash::retrieve_key;
  use crate::marker::Marker;

  fn marker(omitted: u64, total: u64, unit: &str, input: &str) -> String {
    Marker {
      omitted,
      total,
      unit,
      breakdown: None,
      hash: &retrieve_key(input.as_bytes(), 16),
    }
    .render()
  }

  fn fetcher(input: &str) -> impl Fn(&str) -> Option<Vec<u8>> + '_ {
    move |h| (h == retrieve_key(input.as_bytes(), 16)).then(|| input.as_bytes().to_vec())
  }

  const LOG: &str = "start\r\nok 1\r\nok 2\r\nok 3\r\nERROR boom\r\nend";

  #[test]
  fn lines_pass_when_every_line_is_kept_or_counted() {
    let out = format!(
      "start\r\nok 1\r\n{}\r\nERROR boom\r\nend",
      marker(2, 6, "lines", LOG)
    );
    let r = check_text(
      LOG,
      &out,
      &fetcher(LOG),
      &TextCheck::new(Granularity::Lines),
    )
    .unwrap();
    assert_eq!((r.markers, r.kept), (1, 4));
    assert_eq!(r.omitted, vec![("lines".to_string(), 2)]);
  }

  #[test]
  fn lines_fail_on_a_silent_drop_a_wrong_count_or_an_invented_line() {
    let how = TextCheck::new(Granularity::Lines);
    let silent = "start\r\nERROR boom\r\nend";
    assert!(check_text(LOG, silent, &fetcher(LOG), &how).is_err());
    let wrong = format!(
      "start\r\n{}\r\nERROR boom\r\nend",
      marker(2, 6, "lines", LOG)
    );
    assert!(check_text(LOG, &wrong, &fetcher(LOG), &how).is_err());
    let invented = format!(
      "start\r\nok 9\r\n{}\r\nERROR boom\r\nend",
      marker(2, 6, "lines", LOG)
    );
    assert!(check_text(LOG, &invented, &fetcher(LOG), &how).is_err());
    let reordered = format!(
      "ok 1\r\nstart\r\n{}\r\nERROR boom\r\nend",
      marker(2, 6, "lines", LOG)
    );
    assert!(check_text(LOG, &reordered, &fetcher(LOG), &how).is_err());
  }

  #[test]
  fn markers_must_fetch_the_exact_input() {
    let out = format!(
      "start\r\nok 1\r\n{}\r\nERROR boom\r\nend",
      marker(2, 6, "lines", "other")
    );
    let how = TextCheck::new(Granularity::Lines);
    assert!(check_text(LOG, &out, &fetcher(LOG), &how).is_err());
    assert!(check_text(LOG, &out, &|_| Some(b"other".to_vec()), &how).is_err());
  }

  #[test]
  fn synthetic_lines_need_a_predicate() {
    let input = "@@ -1,3 +1,3 @@\n a\n-b\n+c\n";
    let out = "@@ -1,2 +1,2 @@\n-b\n+c\n";
    let out = format!("{out}{}\n", marker(1, 4, "lines", input));
    let strict = TextCheck::new(Granularity::Lines);
    assert!(check_text(input, &out, &fetcher(input), &strict).is_err());
    let hunk = |l: &str| l.starts_with("@@ ");
    let lenient = TextCheck {
      synthetic: Some(&hunk),
      ..strict
    };
    // The rewritten header stands in for the original one: 2 kept + 1 omitted + 1
    // rewritten = 4 input lines.
    let r = check_text(input, &out, &fetcher(input), &lenient).unwrap();
    assert_eq!((r.kept, r.synthetic), (2, 1));
  }

  #[test]
  fn spans_and_words() {
    let input = "One fact. Two fluff. Three fact.\nFour.";
    let m = marker(1, 4, "sentences", input);
    let out = format!("One fact. {m} Three fact.\nFour.");
    let how = TextCheck::new(Granularity::Spans);
    assert!(check_text(input, &out, &fetcher(input), &how).is_ok());
    let bad = format!("Three fact. {m} One fact.");
    assert!(check_text(input, &bad, &fetcher(input), &how).is_err());
    let words = TextCheck::new(Granularity::Words);
    let out = format!("One fact. Three {}", marker(3, 7, "words", input));
    assert!(check_text(input, &out, &fetcher(input), &words).is_ok());
    assert!(check_text(input, "fact. One", &fetcher(input), &words).is_err());
  }
}
