//! Model registry: which tokenizer (or estimate) and which limits apply to a model id.
//!
//! [`lookup`] never fails. It normalises the id, then picks the table entry (see
//! `registry/models.rs`) whose id is the longest prefix of the normalised id that ends on a
//! boundary (end of string, `-`, `.`, `:`, `@`, `_`).
//!
//! Normalisation (case-insensitive throughout):
//!
//! - a trailing `[1m]` (Claude 1M-context variants) is removed and sets the context window to
//!   1,000,000 on the result;
//! - provider/router prefixes up to the last `/` are removed (`openai/gpt-4o`,
//!   `openrouter/anthropic/claude-sonnet-4.5`, `models/gemini-2.5-pro`);
//! - a Vertex AI version suffix `@...` is removed (`claude-sonnet-4-5@20250929`);
//! - Bedrock geo prefixes (`us.`, `eu.`, `apac.`, `global.`, ...) and vendor prefixes
//!   (`anthropic.`, `openai.`, `google.`) are removed (`us.anthropic.claude-...-v1:0`); the
//!   trailing `-v1:0` is absorbed by prefix matching;
//! - in Claude ids, `.` becomes `-` (`claude-3.5-sonnet` ≡ `claude-3-5-sonnet`);
//! - dated variants (`gpt-4o-2024-08-06`, `claude-sonnet-4-5-20250929`) match by prefix.
//!
//! Unknown models get [`DEFAULT_MODEL`]: an o200k_base count used as an estimate
//! (factor 1.0), 128,000-token context window, 16,384 output tokens.
//!
//! # Estimates for models without a public tokenizer
//!
//! OpenAI models are counted exactly (o200k_base or cl100k_base). Anthropic (Claude 3 and
//! later) and Google (Gemini) publish no tokenizer, so their counts are
//! `ceil(o200k_count × factor)`:
//!
//! - **Claude: factor [`CLAUDE_FACTOR`] = 1.15.** Measured with
//!   `scripts/claude-estimator-error.mjs` on the 81 files of the shared corpus (prose, logs,
//!   CSV, JSON; up to 64 × 4 KiB per file) against `@anthropic-ai/tokenizer` 0.0.4, which is
//!   Anthropic's *legacy* published tokenizer (pre-Claude-3): the aggregate ratio
//!   Claude-legacy/o200k is 1.060, per file 0.94 to 1.31 (median 1.087). With factor 1.15
//!   the mean absolute relative error per file is 8.4 % (max 22.5 %) and 18 of 81 files are
//!   underestimated; factor 1.10 gives 6.1 % mean error but underestimates 29 of 81. We pick
//!   1.15 because over-estimating is the safe side for context budgeting, and because
//!   Anthropic states that Claude 3+ tokenise differently from the legacy tokenizer (no
//!   public reference exists, so the real error for Claude 3+ is **unmeasured** and may be
//!   larger than these figures).
//! - **Newer Claude tokenizers: factor [`CLAUDE_NEW_TOKENIZER_FACTOR`] = 1.5** for Claude Opus
//!   4.7 and the Claude 5 family. Anthropic's documentation indicates the newer Opus
//!   tokenizer produces up to ~35 % more tokens for the same text than earlier Claude models;
//!   1.15 × 1.3 ≈ 1.5. Unmeasured; a deliberate over-estimate.
//! - **Gemini: factor [`GEMINI_FACTOR`] = 1.1.** Gemini uses a ~256k-entry SentencePiece
//!   vocabulary whose counts are close to o200k_base on English; no reference tokenizer was
//!   available offline, so this factor is **unmeasured** and chosen slightly high.

mod models;

use crate::{Encoding, tokenizer};

/// Claude (3.x to 4.6) estimate factor applied to the o200k_base count.
pub const CLAUDE_FACTOR: f64 = 1.15;
/// Estimate factor for Claude models with the newer, denser tokenizer (Opus 4.7, Claude 5).
pub const CLAUDE_NEW_TOKENIZER_FACTOR: f64 = 1.5;
/// Gemini estimate factor applied to the o200k_base count.
pub const GEMINI_FACTOR: f64 = 1.1;
/// Id of the entry [`lookup`] returns for unknown models.
pub const DEFAULT_MODEL: &str = "default";

/// How tokens are counted for a model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Counting {
  /// Exact count with this encoding.
  Exact(Encoding),
  /// Estimate: `ceil(count(base) × factor)`.
  Estimate {
    /// Encoding whose count is scaled.
    base: Encoding,
    /// Multiplier applied to the base count.
    factor: f64,
  },
}

impl Counting {
  /// Token count (exact or estimated) of `text`.
  pub fn count(&self, text: &str) -> usize {
    match *self {
      Counting::Exact(enc) => tokenizer(enc).count(text),
      Counting::Estimate { base, factor } => scale(tokenizer(base).count(text), factor),
    }
  }
}

/// `ceil(n × factor)`, saturating, never negative.
fn scale(n: usize, factor: f64) -> usize {
  let v = (n as f64 * factor).ceil();
  if v.is_finite() && v > 0.0 {
    v as usize
  } else {
    0
  }
}

/// What the registry knows about a model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ModelInfo {
  /// Canonical id of the matched table entry (e.g. `"gpt-4o"`, `"claude-sonnet-4-5"`).
  pub id: &'static str,
  /// `"openai"`, `"anthropic"`, `"google"` or `"unknown"`.
  pub provider: &'static str,
  /// How to count tokens for this model.
  pub counting: Counting,
  /// Context window in tokens (input + output).
  pub context_window: u32,
  /// Maximum output tokens per response.
  pub max_output_tokens: u32,
  /// True when `counting` is exact (an OpenAI encoding).
  pub exact: bool,
  /// Free-form note (aliases, caveats).
  pub note: &'static str,
}

/// All registry entries (the last one is the [`DEFAULT_MODEL`] fallback).
pub fn all() -> &'static [ModelInfo] {
  models::MODELS
}

fn default_entry() -> ModelInfo {
  *models::MODELS
    .iter()
    .find(|m| m.id == DEFAULT_MODEL)
    .unwrap_or(&models::DEFAULT)
}

/// Normalises a model id as described in the module docs; returns (id, has `[1m]` suffix).
fn normalize(model: &str) -> (String, bool) {
  let mut s = model.trim().to_ascii_lowercase();
  let mut one_m = false;
  if let Some(stripped) = s.strip_suffix("[1m]") {
    one_m = true;
    s = stripped.trim_end().to_string();
  }
  if let Some(i) = s.rfind('/') {
    s = s[i + 1..].to_string();
  }
  if let Some(i) = s.find('@') {
    s.truncate(i);
  }
  for geo in [
    "us-gov.", "us.", "eu.", "apac.", "ap.", "jp.", "au.", "ca.", "global.",
  ] {
    if let Some(rest) = s.strip_prefix(geo) {
      s = rest.to_string();
      break;
    }
  }
  for vendor in ["anthropic.", "openai.", "google.", "vertex_ai.", "bedrock."] {
    if let Some(rest) = s.strip_prefix(vendor) {
      s = rest.to_string();
      break;
    }
  }
  if s.starts_with("claude") {
    s = s.replace('.', "-");
  }
  (s, one_m)
}

fn is_boundary(rest: &str) -> bool {
  matches!(
    rest.bytes().next(),
    None | Some(b'-' | b'.' | b':' | b'@' | b'_')
  )
}

/// The registry entry for `model`. Never fails: unknown ids yield the [`DEFAULT_MODEL`] entry.
pub fn lookup(model: &str) -> ModelInfo {
  let (id, one_m) = normalize(model);
  let mut best: Option<&ModelInfo> = None;
  for m in models::MODELS {
    if m.id == DEFAULT_MODEL {
      continue;
    }
    let matches = id.strip_prefix(m.id).is_some_and(is_boundary);
    if matches && best.is_none_or(|b| m.id.len() > b.id.len()) {
      best = Some(m);
    }
  }
  let mut info = best.copied().unwrap_or_else(default_entry);
  if one_m {
    info.context_window = 1_000_000;
  }
  info
}

/// Token count of `text` for `model` (exact for OpenAI models, an estimate otherwise);
/// `None` counts exactly with o200k_base.
pub fn count_for_model(text: &str, model: Option<&str>) -> usize {
  match model {
    None => tokenizer(Encoding::O200kBase).count(text),
    Some(m) => lookup(m).counting.count(text),
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  fn id(m: &str) -> &'static str {
    lookup(m).id
  }

  #[test]
  fn openai_models() {
    assert_eq!(id("gpt-4o"), "gpt-4o");
    assert_eq!(id("gpt-4o-2024-08-06"), "gpt-4o");
    assert_eq!(id("GPT-4o-mini-2024-07-18"), "gpt-4o-mini");
    assert_eq!(id("openai/gpt-4o"), "gpt-4o");
    assert_eq!(id("gpt-4.1-mini"), "gpt-4.1-mini");
    assert_eq!(id("gpt-4.1-2025-04-14"), "gpt-4.1");
    assert_eq!(id("gpt-4"), "gpt-4");
    assert_eq!(id("gpt-4-0613"), "gpt-4");
    assert_eq!(id("gpt-4-turbo-2024-04-09"), "gpt-4-turbo");
    assert_eq!(id("gpt-3.5-turbo-0125"), "gpt-3.5-turbo");
    assert_eq!(id("gpt-5"), "gpt-5");
    assert_eq!(id("gpt-5.1-codex"), "gpt-5.1");
    assert_eq!(id("gpt-5-mini-2025-08-07"), "gpt-5-mini");
    assert_eq!(id("o3-mini"), "o3-mini");
    assert_eq!(id("o4-mini-2025-04-16"), "o4-mini");
    assert_eq!(id("gpt-oss-120b"), "gpt-oss");
    assert_eq!(id("text-embedding-3-small"), "text-embedding-3");
    let m = lookup("gpt-4o");
    assert_eq!(m.counting, Counting::Exact(Encoding::O200kBase));
    assert!(m.exact);
    assert_eq!(m.context_window, 128_000);
    assert_eq!(
      lookup("gpt-4").counting,
      Counting::Exact(Encoding::Cl100kBase)
    );
    assert_eq!(lookup("gpt-4").context_window, 8192);
    assert_eq!(lookup("gpt-4.1").context_window, 1_047_576);
    assert_eq!(lookup("gpt-5").context_window, 400_000);
    assert_eq!(lookup("gpt-3.5-turbo").context_window, 16_385);
    assert_eq!(lookup("gpt-4-turbo").context_window, 128_000);
    assert_eq!(lookup("o3").context_window, 200_000);
  }

  #[test]
  fn anthropic_models() {
    assert_eq!(id("claude-sonnet-4-5-20250929"), "claude-sonnet-4-5");
    assert_eq!(id("anthropic/claude-sonnet-4.5"), "claude-sonnet-4-5");
    assert_eq!(
      id("us.anthropic.claude-sonnet-4-5-20250929-v1:0"),
      "claude-sonnet-4-5"
    );
    assert_eq!(
      id("eu.anthropic.claude-3-7-sonnet-20250219-v1:0"),
      "claude-3-7-sonnet"
    );
    assert_eq!(id("claude-opus-4-1@20250805"), "claude-opus-4-1");
    assert_eq!(id("claude-3-5-sonnet-latest"), "claude-3-5-sonnet");
    assert_eq!(id("claude-3-opus-20240229"), "claude-3-opus");
    assert_eq!(id("claude-haiku-4-5"), "claude-haiku-4-5");
    assert_eq!(id("claude-sonnet-4-20250514"), "claude-sonnet-4");
    assert_eq!(id("claude-opus-4-6"), "claude-opus-4-6");
    assert_eq!(id("claude-something-new"), "claude");
    let m = lookup("claude-sonnet-4-5");
    assert!(!m.exact);
    assert_eq!(m.provider, "anthropic");
    assert_eq!(m.context_window, 200_000);
    assert_eq!(lookup("claude-sonnet-4-5[1m]").context_window, 1_000_000);
    assert_eq!(lookup("claude-opus-4-6").context_window, 1_000_000);
    assert_eq!(lookup("claude-opus-4-7").context_window, 1_000_000);
    assert!(matches!(
      lookup("claude-opus-4-7").counting,
      Counting::Estimate { factor, .. } if factor == CLAUDE_NEW_TOKENIZER_FACTOR
    ));
  }

  #[test]
  fn google_and_unknown() {
    assert_eq!(id("gemini-2.5-pro"), "gemini-2.5-pro");
    assert_eq!(
      id("models/gemini-2.5-flash-preview-05-20"),
      "gemini-2.5-flash"
    );
    assert_eq!(id("gemini-9-ultra"), "gemini");
    assert_eq!(lookup("gemini-2.5-pro").context_window, 1_048_576);
    let d = lookup("totally-unknown-model");
    assert_eq!(d.id, DEFAULT_MODEL);
    assert_eq!(d.context_window, 128_000);
    assert!(!d.exact);
    assert_eq!(lookup("").id, DEFAULT_MODEL);
    assert_eq!(lookup("gpt-40").id, DEFAULT_MODEL);
  }

  #[test]
  fn table_is_consistent() {
    let all = all();
    assert_eq!(all.iter().filter(|m| m.id == DEFAULT_MODEL).count(), 1);
    for (i, m) in all.iter().enumerate() {
      assert_eq!(m.id, m.id.to_ascii_lowercase());
      assert_eq!(
        m.exact,
        matches!(m.counting, Counting::Exact(_)),
        "{}",
        m.id
      );
      assert!(m.max_output_tokens <= m.context_window, "{}", m.id);
      assert!(
        all[i + 1..].iter().all(|o| o.id != m.id),
        "duplicate {}",
        m.id
      );
      assert_eq!(lookup(m.id).id, m.id);
    }
  }

  #[test]
  fn counting() {
    let text = "Hello world, this is a test of the estimator.";
    let exact = tokenizer(Encoding::O200kBase).count(text);
    assert_eq!(count_for_model(text, None), exact);
    assert_eq!(count_for_model(text, Some("gpt-4o")), exact);
    assert_eq!(
      count_for_model(text, Some("claude-sonnet-4-5")),
      scale(exact, CLAUDE_FACTOR)
    );
    assert_eq!(
      count_for_model(text, Some("gpt-4")),
      tokenizer(Encoding::Cl100kBase).count(text)
    );
    assert_eq!(count_for_model("", Some("claude-sonnet-4-5")), 0);
  }
}
