//! Long strings: opaque-blob classification (base64, hex, HTML/XML, minified code, other
//! unbroken tokens) and the kept prefix of an elided blob.
//!
//! Prose is never classified as opaque: a blob is elided only when it carries no readable
//! words for the model, so eliding it loses no fact the model could have used directly.

/// Bytes of an elided blob kept verbatim in front of its marker.
pub const KEPT_PREFIX_BYTES: usize = 24;

/// What an opaque string looks like. Its name goes into the marker's breakdown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opaque {
  /// Base64 / base64url data.
  Base64,
  /// Hexadecimal data.
  Hex,
  /// HTML or XML markup.
  Html,
  /// Minified code (JS/CSS bundles).
  Code,
  /// Any other long unbroken run (tokens, hashes, encoded blobs).
  Blob,
}

impl Opaque {
  /// The kind's name as written in the marker breakdown.
  pub fn as_str(self) -> &'static str {
    match self {
      Opaque::Base64 => "base64",
      Opaque::Hex => "hex",
      Opaque::Html => "html",
      Opaque::Code => "minified code",
      Opaque::Blob => "opaque string",
    }
  }
}

/// Classifies `s` as an opaque blob, or `None` for readable text. Looks at most at the first
/// 64 KiB, so it is O(1) on huge strings beyond that.
pub fn classify(s: &str, min_bytes: usize) -> Option<Opaque> {
  if s.len() < min_bytes.max(1) {
    return None;
  }
  let sample = &s.as_bytes()[..s.len().min(64 * 1024)];
  let n = sample.len() as f64;
  let mut b64 = 0usize;
  let mut hex = 0usize;
  let mut spaces = 0usize;
  let mut newlines = 0usize;
  let mut code_punct = 0usize;
  let mut lt = 0usize;
  for &b in sample {
    if b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'-' | b'_') {
      b64 += 1;
    }
    if b.is_ascii_hexdigit() {
      hex += 1;
    }
    match b {
      b' ' | b'\t' => spaces += 1,
      b'\n' | b'\r' => newlines += 1,
      b';' | b'{' | b'}' | b'(' | b')' => code_punct += 1,
      b'<' => lt += 1,
      _ => {}
    }
  }
  let trimmed = s.trim_start();
  if hex as f64 == n {
    return Some(Opaque::Hex);
  }
  if b64 as f64 >= 0.99 * n && spaces == 0 {
    return Some(Opaque::Base64);
  }
  if trimmed.starts_with('<') && lt >= 4 && (s.contains("</") || s.contains("/>")) {
    return Some(Opaque::Html);
  }
  let space_ratio = (spaces + newlines) as f64 / n;
  if code_punct as f64 >= 0.04 * n && space_ratio < 0.08 && (newlines as f64) < n / 200.0 {
    return Some(Opaque::Code);
  }
  if space_ratio < 0.01 {
    return Some(Opaque::Blob);
  }
  None
}

/// The longest prefix of `s` of at most `max` bytes that ends on a char boundary.
pub fn prefix(s: &str, max: usize) -> &str {
  if s.len() <= max {
    return s;
  }
  let mut end = max;
  while !s.is_char_boundary(end) {
    end -= 1;
  }
  &s[..end]
}

/// Whether `s` may hold stringified JSON worth parsing (starts with `{` or `[` after
/// whitespace and is long enough to matter).
pub fn looks_like_json(s: &str) -> bool {
  s.len() >= 64 && matches!(s.trim_start().as_bytes().first(), Some(b'{' | b'['))
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn kinds() {
    let b64 = "QUJD".repeat(100);
    assert_eq!(classify(&b64, 256), Some(Opaque::Base64));
    assert_eq!(classify(&"0a1b".repeat(100), 256), Some(Opaque::Hex));
    let html = "<div class=\"a\"><p>Hello</p><span>x</span></div>".repeat(10);
    assert_eq!(classify(&html, 256), Some(Opaque::Html));
    let js = "function(a){return a+1};var b=c(d);if(e){f()}".repeat(10);
    assert_eq!(classify(&js, 256), Some(Opaque::Code));
    let prose = "The quick brown fox jumps over the lazy dog. ".repeat(10);
    assert_eq!(classify(&prose, 256), None);
    assert_eq!(classify("short", 256), None);
  }

  #[test]
  fn prefix_is_char_safe() {
    assert_eq!(prefix("日本語", 4), "日");
    assert_eq!(prefix("abc", 10), "abc");
  }
}
