//! Splitting mixed content into typed sections.
//!
//! Algorithm (one pass over the lines, O(n)):
//! 1. If the input has no code fences and [`crate::detect`] finds a specific (non-text)
//!    type, the whole input is one section.
//! 2. Otherwise lines are grouped into blocks: fenced blocks (```` ``` ```` / `~~~`; the
//!    section is the fence *content*, the fence lines themselves stay with the surrounding
//!    text), embedded JSON objects/arrays that start a line, and paragraphs separated by
//!    blank lines. Each non-fence block is classified with [`crate::detect`]; short or weak
//!    blocks fall back to text.
//! 3. Adjacent blocks of the same kind (and language) are merged, so sections cover the
//!    input contiguously and in order.
//!
//! Inputs larger than [`MAX_SPLIT`] are returned as a single section (bounded cost).

use crate::json::embedded_json_len;
use crate::types::{ContentType, Detection, Language};

/// Inputs above this size are not split.
pub const MAX_SPLIT: usize = 8 << 20;
/// Embedded JSON blocks are searched up to this many bytes ahead.
const MAX_EMBEDDED_JSON: usize = 1 << 20;

/// A typed byte range of the input.
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
  /// Start byte offset (inclusive, on a char boundary).
  pub start: usize,
  /// End byte offset (exclusive, on a char boundary).
  pub end: usize,
  /// What the range contains.
  pub detection: Detection,
}

/// Splits `text` into contiguous typed sections covering all of it, in order.
///
/// Single-type input yields exactly one section; empty input yields no sections.
pub fn sections(text: &str) -> Vec<Section> {
  if text.is_empty() {
    return Vec::new();
  }
  let whole = || {
    vec![Section {
      start: 0,
      end: text.len(),
      detection: crate::detect(text),
    }]
  };
  if text.len() > MAX_SPLIT {
    return whole();
  }
  let has_fence = text.contains("```") || text.contains("~~~");
  if !has_fence {
    let d = crate::detect(text);
    if d.kind != ContentType::Text {
      return vec![Section {
        start: 0,
        end: text.len(),
        detection: d,
      }];
    }
  }
  let mut raw = Vec::new();
  split_blocks(text, &mut raw);
  let merged = merge(raw);
  if merged.len() == 1 {
    return whole();
  }
  merged
}

/// Byte offsets of line starts and ends: iterator of `(start, end_including_newline)`.
fn lines_with_offsets(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
  let mut pos = 0usize;
  std::iter::from_fn(move || {
    if pos >= text.len() {
      return None;
    }
    let start = pos;
    let end = match memchr::memchr(b'\n', &text.as_bytes()[pos..]) {
      Some(p) => pos + p + 1,
      None => text.len(),
    };
    pos = end;
    Some((start, end))
  })
}

/// Fence marker (```` ``` ```` or `~~~`) at the start of a (trimmed) line, with its info.
fn fence_open(line: &str) -> Option<(&'static str, &str)> {
  let t = line.trim_start();
  if line.len() - t.len() > 3 {
    return None;
  }
  for m in ["```", "~~~"] {
    if let Some(info) = t.strip_prefix(m) {
      let info = info.trim_start_matches(m.as_bytes()[0] as char);
      return Some((m, info.trim()));
    }
  }
  None
}

/// Emits a classified block for `text[start..end]` (paragraph content).
fn push_detected(text: &str, start: usize, end: usize, out: &mut Vec<Section>) {
  if start >= end {
    return;
  }
  let body = &text[start..end];
  let d = if body.trim().is_empty() {
    Detection::text(0.5)
  } else {
    let d = crate::detect(body);
    let lines = body.lines().filter(|l| !l.trim().is_empty()).count();
    let strong_enough = matches!(
      d.kind,
      ContentType::Json | ContentType::JsonLines | ContentType::Diff
    ) || (lines >= 3 && d.confidence >= 0.6);
    if strong_enough {
      d
    } else {
      Detection::text(d.confidence.min(0.5))
    }
  };
  out.push(Section {
    start,
    end,
    detection: d,
  });
}

/// Splits into raw blocks (not yet merged).
fn split_blocks(text: &str, out: &mut Vec<Section>) {
  let mut para_start = 0usize;
  let mut skip_until = 0usize;
  for (ls, le) in lines_with_offsets(text) {
    if ls < skip_until {
      continue;
    }
    let line = &text[ls..le];
    if let Some((marker, info)) = fence_open(line) {
      // Find the closing fence.
      let mut close: Option<(usize, usize)> = None;
      for (cs, ce) in lines_with_offsets(&text[le..]) {
        let l = &text[le + cs..le + ce];
        if l.trim_start().starts_with(marker)
          && l
            .trim()
            .trim_start_matches(marker.as_bytes()[0] as char)
            .is_empty()
        {
          close = Some((le + cs, le + ce));
          break;
        }
      }
      let (body_end, after) = close.unwrap_or((text.len(), text.len()));
      push_detected(text, para_start, le, out);
      if le < body_end {
        let body = &text[le..body_end];
        let d = fenced_detection(info, body);
        out.push(Section {
          start: le,
          end: body_end,
          detection: d,
        });
      }
      para_start = body_end;
      skip_until = after;
      continue;
    }
    let t = line.trim_start();
    if t.starts_with('{') || t.starts_with('[') {
      let off = ls + (line.len() - t.len());
      if let Some(len) = embedded_json_len(&text[off..], MAX_EMBEDDED_JSON) {
        let json_end = off + len;
        // Only whole-line JSON blocks: rest of the closing line must be blank.
        let line_end = memchr::memchr(b'\n', &text.as_bytes()[json_end..])
          .map_or(text.len(), |p| json_end + p + 1);
        if text[json_end..line_end].trim().is_empty() && len >= 16 {
          push_detected(text, para_start, ls, out);
          out.push(Section {
            start: ls,
            end: line_end,
            detection: Detection::new(ContentType::Json, 0.95),
          });
          para_start = line_end;
          skip_until = line_end;
          continue;
        }
      }
    }
    if line.trim().is_empty() {
      // Paragraph boundary: the blank line joins the preceding paragraph.
      push_detected(text, para_start, le, out);
      para_start = le;
    }
  }
  push_detected(text, para_start, text.len(), out);
}

/// Detection for a fenced block from its info string, falling back to content detection.
fn fenced_detection(info: &str, body: &str) -> Detection {
  let word = info
    .split_whitespace()
    .next()
    .unwrap_or("")
    .to_ascii_lowercase();
  let kind = match word.as_str() {
    "json" | "jsonc" | "json5" => Some(ContentType::Json),
    "jsonl" | "ndjson" => Some(ContentType::JsonLines),
    "diff" | "patch" => Some(ContentType::Diff),
    "html" | "xml" | "svg" => Some(ContentType::Html),
    "csv" | "tsv" => Some(ContentType::Table),
    "log" | "logs" => Some(ContentType::Log),
    "text" | "txt" | "plain" | "markdown" | "md" => Some(ContentType::Text),
    _ => None,
  };
  if let Some(kind) = kind {
    let mut d = Detection::new(kind, 0.9);
    if kind == ContentType::Table {
      d.table_format = Some(if word == "tsv" {
        crate::TableFormat::Tsv
      } else {
        crate::TableFormat::Csv
      });
    }
    return d;
  }
  if let Some(lang) = Language::from_fence_info(info) {
    return Detection {
      language: Some(lang),
      ..Detection::new(ContentType::Code, 0.95)
    };
  }
  let d = crate::detect(body);
  if d.kind == ContentType::Text {
    // Fenced but unlabeled: most often code; guess the language from content.
    let lines: Vec<&str> = body.lines().take(400).collect();
    if let Some(lang) = crate::code::identify(
      &body[..crate::sample::floor_boundary(body, 64 * 1024)],
      &lines,
    ) {
      return Detection {
        language: Some(lang),
        ..Detection::new(ContentType::Code, 0.5)
      };
    }
  }
  d
}

/// Merges adjacent sections of the same kind and language; drops empty ones.
fn merge(raw: Vec<Section>) -> Vec<Section> {
  let mut out: Vec<Section> = Vec::with_capacity(raw.len());
  for s in raw {
    if s.start >= s.end {
      continue;
    }
    if let Some(last) = out.last_mut() {
      let same = last.detection.kind == s.detection.kind
        && last.detection.language == s.detection.language
        && last.detection.table_format == s.detection.table_format
        && !matches!(s.detection.kind, ContentType::Json);
      if same && last.end == s.start {
        last.end = s.end;
        last.detection.confidence = last.detection.confidence.max(s.detection.confidence);
        continue;
      }
    }
    out.push(s);
  }
  out
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn fenced_code() {
    let text = "Here is the fix:\n\n```rust\nfn main() {\n    println!(\"hi\");\n}\n```\n\nThat should work.\n";
    let s = sections(text);
    assert_eq!(s.first().map(|s| s.start), Some(0));
    assert_eq!(s.last().map(|s| s.end), Some(text.len()));
    let code: Vec<_> = s
      .iter()
      .filter(|s| s.detection.kind == ContentType::Code)
      .collect();
    assert_eq!(code.len(), 1);
    assert_eq!(code[0].detection.language, Some(Language::Rust));
    assert!(text[code[0].start..code[0].end].starts_with("fn main"));
  }

  #[test]
  fn embedded_json() {
    let text = "The API returned:\n{\"id\": 1, \"name\": \"widget\", \"tags\": [\"a\", \"b\"]}\nand then we stopped.\n";
    let s = sections(text);
    assert!(s.iter().any(|s| s.detection.kind == ContentType::Json));
    for w in s.windows(2) {
      assert_eq!(w[0].end, w[1].start);
    }
  }
}
