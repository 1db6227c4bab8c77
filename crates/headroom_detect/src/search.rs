//! Search-result detection: grep / ripgrep / git grep output.
//!
//! Recognised line shapes: `path:12:text`, `path:12:3:text`, `path-12-text` (context),
//! `path:text` (no line numbers, only when several lines agree), `--` group separators,
//! ripgrep `--heading` groups (a bare path line followed by `12:text` / `12-text` lines),
//! and Windows paths (`C:\dir\file.rs:12:text`).

use crate::sample::Sample;
use crate::types::{ContentType, Detection};

/// Classification of one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
  /// `path:N:...` or `N:...` under a heading.
  Match,
  /// `path-N-...` or `N-...` under a heading.
  Context,
  /// `path:text`.
  NoLine,
  /// A compiler diagnostic `path:N:M: error: ...` (build output, not search).
  Diagnostic,
  /// A bare path (rg `--heading`).
  Heading,
  /// `--`.
  Separator,
  /// Anything else.
  Other,
}

/// Whether `p` looks like a file path: no whitespace, and a `/`, `\` or a short
/// alphanumeric extension containing a letter.
pub(crate) fn is_pathlike(p: &str) -> bool {
  if p.is_empty() || p.len() > 300 || p.starts_with('-') || p.contains("://") {
    return false;
  }
  if p.bytes().any(|c| {
    c.is_ascii_whitespace()
      || matches!(
        c,
        b'"' | b'\'' | b'(' | b')' | b'[' | b'|' | b'=' | b',' | b'<' | b'>' | b'{' | b'}'
      )
  }) {
    return false;
  }
  if p
    .bytes()
    .all(|c| c.is_ascii_digit() || c == b'.' || c == b'-' || c == b'_')
  {
    return false;
  }
  let has_sep = p.contains('/') || p.contains('\\');
  let ext_ok = match p.rsplit_once('.') {
    Some((stem, ext)) => {
      !stem.is_empty()
        && (1..=8).contains(&ext.len())
        && ext.bytes().all(|c| c.is_ascii_alphanumeric())
        && ext.bytes().any(|c| c.is_ascii_alphabetic())
    }
    None => false,
  };
  has_sep || ext_ok
}

/// Splits a leading decimal number followed by `sep`, returning the rest.
fn number_then(s: &str, sep: u8) -> Option<&str> {
  let digits = s.bytes().take_while(|c| c.is_ascii_digit()).count();
  if digits == 0 || digits > 9 || s.as_bytes().get(digits) != Some(&sep) {
    return None;
  }
  Some(&s[digits + 1..])
}

/// Whether text after `path:N:` (or `path:N:M:`) is a compiler diagnostic.
fn is_diagnostic(rest: &str) -> bool {
  let r = rest.trim_start();
  [
    "error",
    "warning",
    "note:",
    "fatal error",
    "In function",
    "undefined reference",
  ]
  .iter()
  .any(|p| r.starts_with(p))
}

/// Classifies one line.
fn classify(line: &str, in_heading: bool) -> Kind {
  if line == "--" {
    return Kind::Separator;
  }
  if in_heading {
    if let Some(rest) = number_then(line, b':') {
      return if is_diagnostic(rest) {
        Kind::Diagnostic
      } else {
        Kind::Match
      };
    }
    if number_then(line, b'-').is_some() {
      return Kind::Context;
    }
  }
  // Skip a Windows drive prefix before looking for the path/number separator.
  let skip = match line.as_bytes() {
    [d, b':', b'\\' | b'/', ..] if d.is_ascii_alphabetic() => 2,
    _ => 0,
  };
  if let Some(colon) = line[skip..].find(':').map(|p| p + skip) {
    let path = &line[..colon];
    if is_pathlike(path) {
      let rest = &line[colon + 1..];
      if let Some(after) = number_then(rest, b':') {
        let after = number_then(after, b':').unwrap_or(after);
        return if is_diagnostic(after) {
          Kind::Diagnostic
        } else {
          Kind::Match
        };
      }
      if rest.starts_with(' ') && is_diagnostic(rest) {
        return Kind::Diagnostic;
      }
      if !rest.starts_with("//") && !rest.starts_with('\\') {
        return Kind::NoLine;
      }
    }
  }
  // Context line: path-N-text. Try each `-digits-` occurrence.
  // Paths contain no whitespace, so only dashes before the first space can end one.
  let bytes = line.as_bytes();
  let word_end = bytes
    .iter()
    .position(|c| c.is_ascii_whitespace())
    .unwrap_or(bytes.len())
    .min(300);
  let bytes = &bytes[..word_end];
  let mut from = 0;
  while let Some(pos) = memchr::memchr(b'-', &bytes[from..]).map(|p| p + from) {
    if pos > 0 && is_pathlike(&line[..pos]) && number_then(&line[pos + 1..], b'-').is_some() {
      return Kind::Context;
    }
    from = pos + 1;
    if from >= bytes.len() {
      break;
    }
  }
  if is_pathlike(line) && !line.ends_with(':') {
    return Kind::Heading;
  }
  Kind::Other
}

/// Detects search results.
pub(crate) fn detect(sample: &Sample<'_>) -> Option<Detection> {
  let mut counts = [0usize; 7];
  let mut total = 0usize;
  let mut in_heading = false;
  for line in sample.lines.iter().copied() {
    if line.is_empty() {
      in_heading = false;
      continue;
    }
    total += 1;
    let mut k = classify(line, in_heading);
    if k == Kind::Heading {
      in_heading = true;
    } else if k == Kind::Other && in_heading {
      k = Kind::Other;
    }
    counts[k as usize] += 1;
  }
  let matches = counts[Kind::Match as usize];
  let context = counts[Kind::Context as usize];
  let noline = counts[Kind::NoLine as usize];
  let diag = counts[Kind::Diagnostic as usize];
  let headings = counts[Kind::Heading as usize];
  let seps = counts[Kind::Separator as usize];
  if total == 0 || matches + noline < 2 || (matches == 0 && noline < 3) {
    return None;
  }
  if diag * 3 > matches + noline {
    return None;
  }
  // Headings only count when they actually introduce numbered lines.
  let headings = if matches + context > 0 {
    headings.min(matches + context)
  } else {
    0
  };
  let good = matches + context + noline + headings + seps;
  let frac = good as f32 / total as f32;
  let min = if matches > 0 { 0.6 } else { 0.85 };
  if frac < min {
    return None;
  }
  let base = if matches > 0 { 0.45 } else { 0.35 };
  Some(Detection::new(
    ContentType::SearchResults,
    base + 0.54 * frac,
  ))
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn shapes() {
    assert_eq!(classify("src/lib.rs:12:fn main() {", false), Kind::Match);
    assert_eq!(classify("src/lib.rs:12:5:fn main() {", false), Kind::Match);
    assert_eq!(
      classify(r"C:\work\lib.rs:12:fn main() {", false),
      Kind::Match
    );
    assert_eq!(classify("src/lib.rs-13-}", false), Kind::Context);
    assert_eq!(classify("src/lib.rs:fn main() {", false), Kind::NoLine);
    assert_eq!(
      classify("src/lib.rs:3:1: error: boom", false),
      Kind::Diagnostic
    );
    assert_eq!(classify("12:  let x = 1;", true), Kind::Match);
    assert_eq!(
      classify("2015-07-29 17:41:44,747 - INFO", false),
      Kind::Other
    );
    assert_eq!(
      classify(
        "20171223-22:15:29:606|Step_LSC|30002312|onStandStepChanged",
        false
      ),
      Kind::Other
    );
  }
}
