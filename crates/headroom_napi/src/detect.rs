//! Content detection.

use napi_derive::napi;

use crate::error::{BindingError, guard, to_js};

/// A detected content type.
#[napi(object)]
pub struct BindingDetection {
  /// `json`, `jsonl`, `code`, `log`, `search`, `diff`, `html`, `table`, `stacktrace`, `text`.
  #[napi(js_name = "type")]
  pub kind: String,
  /// Language of code (`python`, `typescript`, ...).
  pub language: Option<String>,
  /// Table flavour (`csv`, `tsv`, `markdown`).
  pub format: Option<String>,
  /// Confidence in 0..1.
  pub confidence: f64,
}

/// A section of mixed content. Offsets are UTF-16 code units (JS string indices).
#[napi(object)]
pub struct BindingSection {
  /// Start offset (UTF-16 code units).
  pub start: u32,
  /// End offset, exclusive (UTF-16 code units).
  pub end: u32,
  /// `json`, `code`, ...
  #[napi(js_name = "type")]
  pub kind: String,
  /// Language of code.
  pub language: Option<String>,
  /// Confidence in 0..1.
  pub confidence: f64,
}

fn to_binding(d: headroom_detect::Detection) -> BindingDetection {
  BindingDetection {
    kind: d.kind.as_str().to_string(),
    language: d.language.map(|l| l.as_str().to_string()),
    format: d.table_format.map(|f| f.as_str().to_string()),
    confidence: f64::from(d.confidence),
  }
}

/// Detects the content type of `text`. Bounded work: huge inputs are sampled.
#[napi(catch_unwind)]
pub fn detect_content_type(text: String) -> Result<BindingDetection, BindingError> {
  guard(|| Ok(to_binding(headroom_detect::detect(&text)))).map_err(to_js)
}

/// Splits mixed content (prose, code fences, JSON, ...) into typed sections.
#[napi(catch_unwind)]
pub fn detect_sections(text: String) -> Result<Vec<BindingSection>, BindingError> {
  guard(|| {
    let sections = headroom_detect::sections(&text);
    // Convert byte offsets to UTF-16 offsets in one pass over the text.
    let mut out = Vec::with_capacity(sections.len());
    let mut byte = 0usize;
    let mut utf16 = 0u32;
    let mut chars = text.char_indices().peekable();
    let mut advance_to = |target: usize, byte: &mut usize, utf16: &mut u32| {
      while *byte < target {
        match chars.next() {
          Some((_, c)) => {
            *byte += c.len_utf8();
            *utf16 += c.len_utf16() as u32;
          }
          None => break,
        }
      }
    };
    for s in sections {
      advance_to(s.start, &mut byte, &mut utf16);
      let start = utf16;
      advance_to(s.end, &mut byte, &mut utf16);
      out.push(BindingSection {
        start,
        end: utf16,
        kind: s.detection.kind.as_str().to_string(),
        language: s.detection.language.map(|l| l.as_str().to_string()),
        confidence: f64::from(s.detection.confidence),
      });
    }
    Ok(out)
  })
  .map_err(to_js)
}
