//! Lossless JSON minification: drops insignificant whitespace, keeps every token (keys,
//! key order, number spellings, string escapes) exactly. The original JSON *value* is
//! reconstructible from the output alone, so no marker is needed in any mode.

use super::{BlockContext, Compressed, Compressor};

/// The JSON minifier (also handles JSON Lines, line by line).
pub struct JsonMinify;

impl Compressor for JsonMinify {
  fn name(&self) -> &'static str {
    "json:minify"
  }

  fn compress(&self, text: &str, _ctx: &BlockContext<'_>) -> Option<Compressed> {
    let out = minify_document(text).or_else(|| minify_lines(text))?;
    (out.len() < text.len()).then(|| Compressed {
      text: out,
      strategy: self.name().to_string(),
      hashes: Vec::new(),
      o200k: None,
    })
  }
}

/// Whether `s` is one valid JSON value (serde's depth limit applies: deeper input declines).
fn is_valid_json(s: &str) -> bool {
  serde_json::from_str::<serde::de::IgnoredAny>(s).is_ok()
}

/// Minifies one JSON document; `None` if it is not valid JSON.
pub fn minify_document(text: &str) -> Option<String> {
  if !is_valid_json(text) {
    return None;
  }
  Some(strip_whitespace(text))
}

/// Minifies JSON Lines: every non-blank line must be valid JSON; blank lines are dropped
/// only if they are empty of anything but whitespace (they carry no data in JSONL).
fn minify_lines(text: &str) -> Option<String> {
  let mut out = String::with_capacity(text.len());
  let mut lines = 0;
  for line in text.lines() {
    if line.trim().is_empty() {
      continue;
    }
    if !is_valid_json(line) {
      return None;
    }
    if lines > 0 {
      out.push('\n');
    }
    out.push_str(&strip_whitespace(line));
    lines += 1;
  }
  (lines > 1).then_some(out)
}

/// Removes JSON whitespace outside string literals. `text` must be valid JSON.
fn strip_whitespace(text: &str) -> String {
  let bytes = text.as_bytes();
  let mut out = Vec::with_capacity(bytes.len());
  let mut in_string = false;
  let mut escaped = false;
  for &b in bytes {
    if in_string {
      out.push(b);
      if escaped {
        escaped = false;
      } else if b == b'\\' {
        escaped = true;
      } else if b == b'"' {
        in_string = false;
      }
    } else if !matches!(b, b' ' | b'\n' | b'\r' | b'\t') {
      if b == b'"' {
        in_string = true;
      }
      out.push(b);
    }
  }
  // Only ASCII whitespace bytes were removed, never inside a multi-byte sequence.
  String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

#[cfg(test)]
mod tests {
  use super::*;
  use headroom_detect::{ContentType, Detection};

  fn ctx() -> BlockContext<'static> {
    BlockContext {
      store: &headroom_core::store::NoStore,
      mode: crate::options::Mode::Balanced,
      query: None,
      o200k: None,
      kompress: None,
      kompress_budget: std::time::Duration::ZERO,
      json: None,
      detection: Detection {
        kind: ContentType::Json,
        language: None,
        confidence: 1.0,
        table_format: None,
      },
    }
  }

  #[test]
  fn keeps_every_token() {
    let src = "{\n  \"a b\": [1.0, 1e3, 12345678901234567890],\n  \"s\": \"x \\\" y\\n\",\n  \"u\": \"日本 \"\n}";
    let out = JsonMinify.compress(src, &ctx()).unwrap();
    assert_eq!(
      out.text,
      r#"{"a b":[1.0,1e3,12345678901234567890],"s":"x \" y\n","u":"日本 "}"#
    );
    assert!(out.hashes.is_empty());
  }

  #[test]
  fn value_round_trips() {
    let src = "[\n {\"k\": \"v\",\n  \"n\": null}, true ,false]";
    let out = JsonMinify.compress(src, &ctx()).unwrap().text;
    let a: serde_json::Value = serde_json::from_str(src).unwrap();
    let b: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(a, b);
  }

  #[test]
  fn json_lines() {
    let src = "{ \"a\": 1 }\n\n{ \"a\": 2 }\n";
    assert_eq!(
      JsonMinify.compress(src, &ctx()).unwrap().text,
      "{\"a\":1}\n{\"a\":2}"
    );
  }

  #[test]
  fn declines_invalid_and_already_minified() {
    assert!(JsonMinify.compress("{\"a\": }", &ctx()).is_none());
    assert!(JsonMinify.compress("{\"a\":1}", &ctx()).is_none());
    let deep = "[".repeat(10_000) + &"]".repeat(10_000);
    assert!(JsonMinify.compress(&deep, &ctx()).is_none());
  }
}
