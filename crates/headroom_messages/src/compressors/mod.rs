//! The compressor interface and the router that picks one per block.
//!
//! A compressor is a pure function of the block text and the fixed settings (the mode):
//! it must return the same bytes for the same input on every call, in every process. That
//! is what keeps history byte-stable across turns. Anything query-dependent must go
//! through the [`crate::memo::Memo`] (first compression wins).

mod code;
mod json_minify;
mod lines;
pub mod numbered;
mod prose;
mod smart_crusher;

use headroom_detect::{ContentType, Detection};

use crate::options::Mode;

pub use code::Code;
pub use json_minify::JsonMinify;
pub use lines::LineCompressor;
pub use prose::Prose;
pub use smart_crusher::SmartCrusher;

pub use headroom_core::output::Compressed;

/// The context a compressor gets besides the text.
#[derive(Clone, Copy)]
pub struct BlockContext<'a> {
  /// Where originals go before a marker is written. `NoStore` means no retrieve path:
  /// lossless forms only.
  pub store: &'a dyn headroom_core::OriginalStore,
  /// The mode.
  pub mode: Mode,
  /// The relevance hint (see the module docs before using it).
  pub query: Option<&'a str>,
  /// The detected content type.
  pub detection: Detection,
  /// The block as the router already parsed it, when it is one JSON document.
  pub json: Option<PreParsed<'a>>,
  /// The text's o200k token count, from the caller (who may be counting it on another
  /// thread meanwhile: ask only when needed); `None` where the caller has none.
  pub o200k: Option<&'a (dyn Fn() -> usize + Sync)>,
  /// The Kompress model prose may use, if one is loaded.
  pub kompress: Option<&'a crate::options::KompressHandle>,
  /// Kompress's time budget for this block.
  pub kompress_budget: std::time::Duration,
}

/// A block the router has already parsed as JSON, so the JSON compressor does not parse it
/// again.
#[derive(Clone, Copy)]
pub struct PreParsed<'a> {
  /// The text parsed (the compressor uses the value only for this very text).
  pub text: &'a str,
  /// What [`headroom_json::value::parse_with_depth`] returned for it.
  pub value: &'a headroom_json::value::JVal<'a>,
  /// Its nesting depth, as that parse measured it.
  pub depth: usize,
}

impl BlockContext<'_> {
  /// The shared compressor settings of this block.
  pub fn params(&self) -> headroom_core::Params<'_> {
    headroom_core::Params::new(self.mode, self.store).with_query(self.query)
  }
}

/// A content compressor.
pub trait Compressor: Send + Sync {
  /// Stable name, part of memo keys: bump [`ROUTER_VERSION`] when outputs change.
  fn name(&self) -> &'static str;
  /// Compresses `text`, or declines with `None`.
  fn compress(&self, text: &str, ctx: &BlockContext<'_>) -> Option<Compressed>;
}

/// Version of the routing table and compressor outputs; part of every memo key.
pub const ROUTER_VERSION: &str = "router-v5";

/// Text whose detection confidence is below this is line-structured output rather than
/// prose (the detector reports `0.5 + 0.45 × the fraction of prose-like lines`).
pub const PROSE_CONFIDENCE: f32 = 0.7;

/// Picks the compressor for a detected content type, if there is one.
pub fn route(detection: &Detection) -> Option<&'static dyn Compressor> {
  static JSON: SmartCrusher = SmartCrusher;
  static JSON_LINES: JsonMinify = JsonMinify;
  static SEARCH: LineCompressor = LineCompressor::new("search", headroom_search::compress);
  static DIFF: LineCompressor = LineCompressor::new("diff", headroom_diff::compress);
  static LOG: LineCompressor = LineCompressor::new("log", headroom_logs::compress);
  static PROSE: Prose = Prose;
  static CODE: Code = Code;
  static HTML: LineCompressor = LineCompressor::new("html", headroom_text::compress_html);
  match detection.kind {
    ContentType::Json => Some(&JSON),
    ContentType::JsonLines => Some(&JSON_LINES),
    ContentType::SearchResults => Some(&SEARCH),
    ContentType::Diff => Some(&DIFF),
    // Source code: signatures kept, bodies elided, re-parsed before it is accepted.
    ContentType::Code if detection.language.is_some() => Some(&CODE),
    // Logs, build and test output, and big stack traces (small error outputs never get
    // here: they pass through verbatim). Traces and severe lines are kept whole.
    ContentType::Log | ContentType::StackTrace => Some(&LOG),
    // Line-structured text that is not prose (`ls -la`, `env`, `git log --stat`...):
    // templates over lines, every line kept or counted.
    ContentType::Text if detection.confidence < PROSE_CONFIDENCE => Some(&LOG),
    // Prose and markdown: Kompress when a model is loaded, else (or past its budget)
    // extractive (headings, code, identifiers, numbers favoured).
    ContentType::Text => Some(&PROSE),
    ContentType::Html => Some(&HTML),
    _ => None,
  }
}

/// Compresses one block: mixed text section by section (each typed section goes to its own
/// compressor, the rest stays verbatim), anything else whole. A compressor that panics, or
/// whose form is blank, counts as declining ([`guarded`]): the block is left alone, never an
/// error to the caller.
pub fn compress_block(text: &str, ctx: &BlockContext<'_>) -> Option<Compressed> {
  // A line-numbered view of a file (an agent's file-read tool): planned on its content,
  // rendered over its own lines.
  if let Some(c) = guarded(|| numbered::compress(text, &ctx.params())) {
    return Some(c);
  }
  if ctx.detection.kind == ContentType::Text
    && let Some(mixed) = compress_sections(text, ctx)
  {
    return Some(mixed);
  }
  run_guarded(route(&ctx.detection)?, text, ctx)
}

/// Runs one compression: a panic, or a form that is empty or only whitespace (field lesson
/// 10: never send empty content), is a decline, so the caller keeps the original (the whole
/// block, or one section of a mixed block).
fn guarded(compress: impl FnOnce() -> Option<Compressed>) -> Option<Compressed> {
  std::panic::catch_unwind(std::panic::AssertUnwindSafe(compress))
    .ok()
    .flatten()
    .filter(|c| !c.text.trim().is_empty())
}

/// [`guarded`] for one compressor of the routing table.
fn run_guarded(
  compressor: &dyn Compressor,
  text: &str,
  ctx: &BlockContext<'_>,
) -> Option<Compressed> {
  guarded(|| compressor.compress(text, ctx))
}

/// Mixed content: the sections [`headroom_detect::sections`] finds (when one of them is
/// structured: JSON, logs, a diff...), each compressed by the
/// compressor of its type; sections without one (or that do not shrink) stay verbatim.
/// `None` unless at least one section changed.
fn compress_sections(text: &str, ctx: &BlockContext<'_>) -> Option<Compressed> {
  let sections = headroom_detect::sections(text);
  // Markdown (prose with fenced code) is one document for the prose compressor, which
  // keeps fences whole; only embedded structured content (JSON, logs, diffs...) makes a
  // block mixed.
  let structured = |s: &headroom_detect::Section| {
    !matches!(s.detection.kind, ContentType::Text | ContentType::Code)
  };
  if sections.len() < 2 || !sections.iter().any(structured) {
    return None;
  }
  let mut out = String::with_capacity(text.len());
  let mut strategies: Vec<String> = Vec::new();
  let mut hashes: Vec<String> = Vec::new();
  for section in &sections {
    let part = &text[section.start..section.end];
    let done = route(&section.detection).and_then(|c| {
      let sub = BlockContext {
        detection: section.detection,
        json: None,
        o200k: None,
        ..*ctx
      };
      run_guarded(c, part, &sub).filter(|c| c.text.len() < part.len())
    });
    match done {
      Some(c) => {
        out.push_str(&c.text);
        if !strategies.contains(&c.strategy) {
          strategies.push(c.strategy);
        }
        for h in c.hashes {
          if !hashes.contains(&h) {
            hashes.push(h);
          }
        }
      }
      None => out.push_str(part),
    }
  }
  if strategies.is_empty() {
    return None;
  }
  Some(Compressed {
    text: out,
    strategy: format!("mixed({})", strategies.join("+")),
    hashes,
    o200k: None,
  })
}

#[cfg(test)]
mod tests {
  use super::*;
  use headroom_core::store::NoStore;

  fn ctx<'a>(text: &str, store: &'a dyn headroom_core::OriginalStore) -> BlockContext<'a> {
    BlockContext {
      store,
      mode: Mode::Balanced,
      query: None,
      detection: headroom_detect::detect(text),
      json: None,
      o200k: None,
      kompress: None,
      kompress_budget: std::time::Duration::from_secs(1),
    }
  }

  struct Panics;
  impl Compressor for Panics {
    fn name(&self) -> &'static str {
      "test:panics"
    }
    fn compress(&self, _: &str, _: &BlockContext<'_>) -> Option<Compressed> {
      panic!("compressor bug")
    }
  }

  /// A compressor whose form is only whitespace.
  struct Blank;
  impl Compressor for Blank {
    fn name(&self) -> &'static str {
      "test:blank"
    }
    fn compress(&self, _: &str, _: &BlockContext<'_>) -> Option<Compressed> {
      Some(Compressed {
        text: " \n\t\n".into(),
        strategy: "test:blank".into(),
        hashes: Vec::new(),
        o200k: None,
      })
    }
  }

  #[test]
  fn a_blank_form_is_declined() {
    let text = "some output\nmore output\n";
    assert_eq!(run_guarded(&Blank, text, &ctx(text, &NoStore)), None);
  }

  #[test]
  fn a_panicking_compressor_declines() {
    let text = "hello";
    assert_eq!(run_guarded(&Panics, text, &ctx(text, &NoStore)), None);
  }

  #[test]
  fn mixed_text_is_compressed_section_by_section() {
    let rows: Vec<String> = (0..40)
      .map(|i| format!("  {{\n    \"id\": {i},\n    \"status\": \"ok\"\n  }}"))
      .collect();
    let text = format!(
      "Here are the results of the query you asked for, as returned by the service.\n\n[\n{}\n]\n\nThat is all of them; nothing else was found.\n",
      rows.join(",\n")
    );
    let c = ctx(&text, &NoStore);
    assert_eq!(
      c.detection.kind,
      ContentType::Text,
      "fixture must be mixed text"
    );
    let out = compress_block(&text, &c).expect("the JSON section shrinks");
    assert!(out.strategy.starts_with("mixed(json:"), "{}", out.strategy);
    assert!(out.text.starts_with("Here are the results"));
    assert!(out.text.ends_with("nothing else was found.\n"));
    assert!(out.text.len() < text.len());
  }
}
