//! Content-type detection for LLM context.
//!
//! [`detect`] classifies a string as JSON, JSON Lines, source code (with its language),
//! logs, search results, unified diffs, HTML, tables, stack traces or plain text, so that
//! the caller can pick a compressor. [`sections`] splits mixed content (prose with
//! ```` ``` ```` fences, embedded JSON blocks, pasted logs) into typed, contiguous
//! byte ranges.
//!
//! # Design
//!
//! * **Bounded work.** Every detector reads a [`sample`](crate::sample) of the input: the
//!   whole input up to 96 KiB, otherwise the first 64 KiB plus 16 KiB from the middle and
//!   16 KiB from the end, each cut on char and line boundaries. Detection cost is therefore
//!   O(sample), so a 100 MB string costs the same as a 96 KiB one. The only input-size
//!   dependent step is JSON validation of inputs under 1 MiB (one non-recursive,
//!   non-allocating validating pass, done before any sampling); larger JSON gets an iterative structural scan
//!   of the sampled head (valid tokens, bracket matching with an explicit stack, plausible
//!   ending). Nothing recurses on input nesting.
//! * **One module per detector.** Each returns `Option<Detection>` with a confidence in
//!   `0..=1` derived from the fraction of sample lines that match its line grammar:
//!   [`json`](crate::json), [`diff`](crate::diff), [`search`](crate::search),
//!   [`stacktrace`](crate::stacktrace), [`log`](crate::log), [`table`](crate::table),
//!   [`html`](crate::html), [`code`](crate::code).
//! * **Arbitration.** Exact formats first (JSON, JSON Lines, diff), then the highest
//!   confidence among the line-oriented detectors, with a few precedence rules for known
//!   overlaps (a CSV export of a log is a table; a build log that contains a panic is a
//!   log unless the trace dominates). Below a 0.5 confidence the answer is
//!   [`ContentType::Text`].
//! * **Language identification** is a weighted bag of idioms (`err != nil`, `let mut`,
//!   `std::`, `: string`, ...) matched in one Aho-Corasick pass plus line-start rules;
//!   the best-scoring language wins.
//! * **Never panics** on any `&str`: all slicing goes through char-boundary helpers
//!   (checked by a proptest).
//!
//! Accuracy on the labelled evaluation set built from real data (loghub logs, Python
//! stdlib, crates, npm packages, captured tool output, ...) is asserted by
//! `tests/labelled.rs`; `cargo run -p headroom_detect --example confusion --release` prints
//! the confusion matrix.

mod code;
mod diff;
mod html;
mod json;
mod log;
mod sample;
mod search;
mod sections;
mod stacktrace;
mod table;
mod types;

pub use sections::{Section, sections};
pub use types::{ContentType, Detection, Language, TableFormat};

use sample::Sample;

/// Detects the content type of `text`.
///
/// Deterministic, never panics, and examines at most ~96 KiB of the input (plus a full
/// JSON validation for JSON-looking inputs under 1 MiB).
pub fn detect(text: &str) -> Detection {
  if text.trim().is_empty() {
    return Detection::text(0.5);
  }
  // One JSON document is told by its brackets and a validating pass, before any sampling.
  let json = json::detect_json(text);
  if let json::Whole::Json(d) = json {
    return d;
  }
  let sample = Sample::new(text);
  detect_sampled(&sample, json)
}

/// What [`detect`] says of a text the caller has already parsed as one whole JSON object or
/// array (with nothing but JSON whitespace around it), without validating it again; `None`
/// where `detect` decides on more than validity (texts of 1 MiB or more, or that do not
/// start with a bracket), so the caller asks [`detect`].
pub fn known_json(parsed: &str) -> Option<Detection> {
  let trimmed = parsed.trim_matches([' ', '\t', '\n', '\r']);
  let bracketed = matches!(trimmed.as_bytes().first(), Some(b'{' | b'['));
  (bracketed && trimmed.len() < json::FULL_PARSE_LIMIT)
    .then(|| Detection::new(ContentType::Json, json::WHOLE_CONFIDENCE))
}

/// Detection on an already built sample, once the whole text is known not to be one
/// small JSON document.
fn detect_sampled(sample: &Sample<'_>, json: json::Whole) -> Detection {
  if let json::Whole::Large = json
    && let Some(d) = json::detect_large_json(sample)
  {
    return d;
  }
  if let Some(d) = json::detect_jsonl(sample) {
    return d;
  }
  if let Some(d) = diff::detect(sample) {
    return d;
  }
  let trace = stacktrace::detect(sample);
  let search = search::detect(sample);
  let log = log::detect(sample);
  let table = table::detect(sample);

  // Precedence for known overlaps. The code and HTML detectors (the dearest: language
  // keyword scans) run only when none of these decides.
  if log::strong_build(sample) {
    let conf = log.map_or(0.75, |l| l.confidence.max(0.8));
    return Detection::new(ContentType::Log, conf);
  }
  if let Some(t) = table
    && t.confidence >= 0.8
  {
    return t;
  }
  if let Some(t) = trace
    && t.confidence >= 0.8
  {
    return t;
  }
  if let Some(s) = search
    && s.confidence >= 0.85
  {
    return s;
  }
  let stats = code::stats(sample);
  let html = html::detect(sample);
  let code = code::detect(sample, &stats);
  let best = [trace, search, log, table, html, code]
    .into_iter()
    .flatten()
    .fold(None::<Detection>, |acc, d| match acc {
      Some(a) if a.confidence >= d.confidence => Some(a),
      _ => Some(d),
    });
  match best {
    Some(d) if d.confidence >= 0.5 => d,
    _ => Detection::text(0.5 + 0.45 * stats.prose_frac),
  }
}

#[cfg(test)]
mod tests {

  #[test]
  fn known_json_is_what_detect_says_of_parsed_json() {
    let rows: Vec<String> = (0..60_000)
      .map(|i| format!("{{\"id\":{i},\"ok\":true}}"))
      .collect();
    let big = format!("[{}]", rows.join(","));
    assert!(big.len() > json::FULL_PARSE_LIMIT);
    let small = &big[..big[..5000].rfind(",{").unwrap_or(0)];
    let small = format!("{small}]");
    for text in [
      "{}".to_string(),
      " \n[1, 2]\t".to_string(),
      "{\"a\":[{\"b\":null}]}".to_string(),
      small,
      big,
    ] {
      assert!(serde_json::from_str::<serde_json::Value>(&text).is_ok());
      match known_json(&text) {
        Some(d) => assert_eq!(d, detect(&text), "{}", &text[..text.len().min(40)]),
        None => assert!(text.trim().len() >= json::FULL_PARSE_LIMIT),
      }
    }
    assert_eq!(known_json("\"a string\""), None);
    assert_eq!(known_json("42"), None);
  }
  use super::*;

  #[test]
  fn empty_is_text() {
    assert_eq!(detect("").kind, ContentType::Text);
    assert_eq!(detect("  \n ").kind, ContentType::Text);
  }

  #[test]
  fn deep_nesting_does_not_overflow() {
    let deep = "[".repeat(10_000) + &"]".repeat(10_000);
    assert_eq!(detect(&deep).kind, ContentType::Json);
    let open = "[".repeat(100_000);
    let _ = detect(&open);
    let _ = sections(&open);
  }

  #[test]
  fn names() {
    let names: Vec<_> = ContentType::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(
      names,
      [
        "json",
        "jsonl",
        "code",
        "log",
        "search",
        "diff",
        "html",
        "table",
        "stacktrace",
        "text"
      ]
    );
  }
}
