//! The one grammar for every elision marker.
//!
//! Every compressor that leaves something out writes, in place of what it left out:
//!
//! ```text
//! [85 of 100 rows omitted: 83 status=ok, 2 status=retry; retrieve hash=3f2a9c0d1e4b5a69]
//!  ^^ ^^^^^^ ^^^^         ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^                ^^^^^^^^^^^^^^^^
//!  |  total  unit         optional breakdown (totals stay true)         retrieve key
//!  omitted
//! ```
//!
//! - counts are in the source's own units (`rows`, `lines`, `keys`, `items`, `bytes`, ...);
//! - the hash is the retrieve key of the exact original bytes ([`crate::hash`]);
//! - the breakdown never contains `[`, `]` or a newline (they are replaced), so one regular
//!   expression, [`MARKER_PATTERN`], finds every marker in any output, JSON-escaped or not.

use std::fmt::Write as _;

/// The marker grammar as a regular expression (JS and Rust `regex` syntax). Capture group 1
/// is the retrieve hash. Exposed to JS as `MARKER_PATTERN`.
pub const MARKER_PATTERN: &str = r"\[[0-9]+ of [0-9]+ [a-z][a-z_-]*(?: [a-z][a-z_-]*)* omitted(?:: [^\[\]\n]*)?; retrieve hash=([0-9a-f]{16,64})\]";

/// One elision: what was left out, in the source's units, and where to get it back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marker<'a> {
  /// How many units were left out.
  pub omitted: u64,
  /// How many units the source had in total.
  pub total: u64,
  /// The unit, plural, lowercase (`rows`, `lines`, `keys`, `items`, `bytes`, `matches`...).
  pub unit: &'a str,
  /// Optional breakdown of what was left out, e.g. `83 status=ok, 2 status=retry`.
  pub breakdown: Option<&'a str>,
  /// The retrieve key of the original bytes.
  pub hash: &'a str,
}

impl Marker<'_> {
  /// Renders the marker in the one grammar. Characters that would break the grammar
  /// (`[`, `]`, newlines) in the breakdown are replaced by `(`, `)` and spaces.
  pub fn render(&self) -> String {
    let mut out = String::with_capacity(64 + self.breakdown.map_or(0, str::len));
    let _ = write!(
      out,
      "[{} of {} {} omitted",
      self.omitted, self.total, self.unit
    );
    if let Some(b) = self.breakdown.filter(|b| !b.is_empty()) {
      out.push_str(": ");
      out.extend(b.chars().map(|c| match c {
        '[' => '(',
        ']' => ')',
        '\n' | '\r' => ' ',
        c => c,
      }));
    }
    let _ = write!(out, "; retrieve hash={}]", self.hash);
    out
  }
}

impl<'a> Marker<'a> {
  /// Parses a string that is exactly one marker (the inverse of [`Marker::render`]).
  pub fn parse(s: &'a str) -> Option<Marker<'a>> {
    let body = s.strip_prefix('[')?.strip_suffix(']')?;
    let (head, hash) = body.rsplit_once("; retrieve hash=")?;
    if !(16..=64).contains(&hash.len())
      || !hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    {
      return None;
    }
    let (counts, rest) = head.split_once(" omitted")?;
    let breakdown = if rest.is_empty() {
      None
    } else {
      Some(rest.strip_prefix(": ")?)
    };
    let mut parts = counts.splitn(4, ' ');
    let omitted: u64 = parts.next()?.parse().ok()?;
    if parts.next()? != "of" {
      return None;
    }
    let total: u64 = parts.next()?.parse().ok()?;
    let unit = parts.next()?;
    let unit_ok = unit.split(' ').all(|w| {
      w.as_bytes().first().is_some_and(u8::is_ascii_lowercase)
        && w
          .bytes()
          .all(|b| b.is_ascii_lowercase() || b == b'_' || b == b'-')
    });
    if !unit_ok || breakdown.is_some_and(|b| b.contains(['[', ']', '\n'])) {
      return None;
    }
    Some(Marker {
      omitted,
      total,
      unit,
      breakdown,
      hash,
    })
  }
}

/// Finds the retrieve hashes of all markers in `text`, in order, without a regex engine.
/// Used to pin already-compressed content (never compress a marker again) and by tests.
pub fn find_marker_hashes(text: &str) -> Vec<&str> {
  let mut out = Vec::new();
  for at in needles(text) {
    let start = at + NEEDLE.len();
    let hex_len = text[start..]
      .bytes()
      .take_while(|b| b.is_ascii_hexdigit())
      .count();
    if (16..=64).contains(&hex_len) && text[start + hex_len..].starts_with(']') {
      out.push(&text[start..start + hex_len]);
    }
  }
  out
}

/// The fixed text in front of every marker's hash.
const NEEDLE: &str = "; retrieve hash=";

/// Byte offsets of every [`NEEDLE`] in `text` (SIMD substring search: this runs over every
/// block, so it must cost far less than the compressors).
fn needles(text: &str) -> memchr::memmem::FindIter<'_, 'static> {
  memchr::memmem::find_iter(text.as_bytes(), NEEDLE.as_bytes())
}

/// Finds every marker in `text`: its byte range and parsed form, in order. Like
/// [`find_marker_hashes`], no regex engine: a marker's breakdown never holds `[`, so each
/// marker starts at the last `[` before its `; retrieve hash=`.
pub fn find_markers(text: &str) -> Vec<(std::ops::Range<usize>, Marker<'_>)> {
  let mut out = Vec::new();
  let mut from = 0;
  for at in needles(text) {
    if at < from {
      continue; // inside the marker just found
    }
    let hex_start = at + NEEDLE.len();
    let hex_len = text[hex_start..]
      .bytes()
      .take_while(|b| b.is_ascii_hexdigit())
      .count();
    let end = hex_start + hex_len + 1;
    if text[hex_start + hex_len..].starts_with(']')
      && let Some(open) = text[from..at].rfind('[').map(|o| from + o)
      && let Some(m) = Marker::parse(&text[open..end])
    {
      out.push((open..end, m));
      from = end;
    } else {
      from = hex_start;
    }
  }
  out
}

#[cfg(test)]
mod tests {
  use super::*;

  fn sample() -> Marker<'static> {
    Marker {
      omitted: 85,
      total: 100,
      unit: "rows",
      breakdown: Some("83 status=ok, 2 status=retry"),
      hash: "3f2a9c0d1e4b5a69",
    }
  }

  #[test]
  fn renders_the_documented_form() {
    assert_eq!(
      sample().render(),
      "[85 of 100 rows omitted: 83 status=ok, 2 status=retry; retrieve hash=3f2a9c0d1e4b5a69]"
    );
  }

  #[test]
  fn pattern_matches_rendered_markers_and_captures_hash() {
    let re = regex::Regex::new(MARKER_PATTERN).unwrap();
    let m = sample().render();
    let caps = re.captures(&m).expect("pattern must match");
    assert_eq!(&caps[1], "3f2a9c0d1e4b5a69");
    let plain = Marker {
      breakdown: None,
      unit: "lines",
      ..sample()
    }
    .render();
    assert_eq!(&re.captures(&plain).unwrap()[1], "3f2a9c0d1e4b5a69");
  }

  #[test]
  fn breakdown_cannot_break_the_grammar() {
    let m = Marker {
      breakdown: Some("a]b[c\nd"),
      ..sample()
    }
    .render();
    assert!(m.contains("a)b(c d"));
    let re = regex::Regex::new(MARKER_PATTERN).unwrap();
    assert_eq!(re.find(&m).unwrap().as_str(), m);
  }

  #[test]
  fn pattern_still_matches_inside_a_json_string() {
    let m = Marker {
      breakdown: Some(r#"2 name="x""#),
      ..sample()
    }
    .render();
    let json = serde_json_like_escape(&m);
    let re = regex::Regex::new(MARKER_PATTERN).unwrap();
    assert_eq!(&re.captures(&json).unwrap()[1], "3f2a9c0d1e4b5a69");
  }

  fn serde_json_like_escape(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
  }

  #[test]
  fn parse_inverts_render() {
    let m = sample();
    assert_eq!(Marker::parse(&m.render()), Some(m.clone()));
    let plain = Marker {
      breakdown: None,
      unit: "matched lines",
      ..m
    };
    assert_eq!(Marker::parse(&plain.render()), Some(plain));
    for bad in [
      "[1 of 2 rows omitted; retrieve hash=xyz]",
      "[1 of 2 Rows omitted; retrieve hash=0123456789abcdef]",
      "x[1 of 2 rows omitted; retrieve hash=0123456789abcdef]",
    ] {
      assert_eq!(Marker::parse(bad), None, "{bad}");
    }
  }

  #[test]
  fn find_markers_gives_ranges() {
    let m = sample().render();
    let text = format!("a {m} b [x] {m}");
    let found = find_markers(&text);
    assert_eq!(found.len(), 2);
    assert_eq!(&text[found[0].0.clone()], m);
    assert_eq!(&text[found[1].0.clone()], m);
    assert_eq!(found[1].1, sample());
    assert!(find_markers("[1 of 2 rows omitted; retrieve hash=zz]").is_empty());
  }

  #[test]
  fn finder_agrees_with_the_pattern() {
    let text = format!(
      "head {} mid {} tail [1 of 2 rows omitted; retrieve hash=zz]",
      sample().render(),
      Marker {
        hash: "00112233445566778899aabbccddeeff",
        ..sample()
      }
      .render()
    );
    assert_eq!(
      find_marker_hashes(&text),
      vec!["3f2a9c0d1e4b5a69", "00112233445566778899aabbccddeeff"]
    );
  }
}
