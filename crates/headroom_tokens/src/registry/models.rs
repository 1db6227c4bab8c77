//! The model table. One row per model family; dated and provider-prefixed variants match by
//! prefix (see the `registry` module docs). Context windows and output limits are the
//! providers' published figures for the base model.

use super::{
  CLAUDE_FACTOR, CLAUDE_NEW_TOKENIZER_FACTOR, Counting, DEFAULT_MODEL, GEMINI_FACTOR, ModelInfo,
};
use crate::Encoding::{Cl100kBase, O200kBase};

const fn openai(id: &'static str, enc: crate::Encoding, ctx: u32, out: u32) -> ModelInfo {
  ModelInfo {
    id,
    provider: "openai",
    counting: Counting::Exact(enc),
    context_window: ctx,
    max_output_tokens: out,
    exact: true,
    note: "",
  }
}

const fn est(
  id: &'static str,
  provider: &'static str,
  factor: f64,
  ctx: u32,
  out: u32,
  note: &'static str,
) -> ModelInfo {
  ModelInfo {
    id,
    provider,
    counting: Counting::Estimate {
      base: O200kBase,
      factor,
    },
    context_window: ctx,
    max_output_tokens: out,
    exact: false,
    note,
  }
}

const fn claude(id: &'static str, ctx: u32, out: u32) -> ModelInfo {
  est(id, "anthropic", CLAUDE_FACTOR, ctx, out, CLAUDE_NOTE)
}

const fn claude_new(id: &'static str, ctx: u32, out: u32) -> ModelInfo {
  est(
    id,
    "anthropic",
    CLAUDE_NEW_TOKENIZER_FACTOR,
    ctx,
    out,
    CLAUDE_NEW_NOTE,
  )
}

const fn gemini(id: &'static str, out: u32) -> ModelInfo {
  est(id, "google", GEMINI_FACTOR, 1_048_576, out, GEMINI_NOTE)
}

const CLAUDE_NOTE: &str = "estimate: o200k_base x 1.15 (no public Claude 3+ tokenizer)";
const CLAUDE_NEW_NOTE: &str =
  "estimate: o200k_base x 1.5 (newer, denser Claude tokenizer; unmeasured)";
const GEMINI_NOTE: &str = "estimate: o200k_base x 1.1 (no offline Gemini tokenizer; unmeasured)";

/// Fallback for unknown models (also the last row of [`MODELS`]).
pub(super) const DEFAULT: ModelInfo = est(
  DEFAULT_MODEL,
  "unknown",
  1.0,
  128_000,
  16_384,
  "unknown model: o200k_base count used as an estimate, 128k window",
);

/// All rows. Longest matching prefix wins, so order does not matter.
pub(super) static MODELS: &[ModelInfo] = &[
  // OpenAI, o200k_base.
  openai("gpt-5", O200kBase, 400_000, 128_000),
  openai("gpt-5-mini", O200kBase, 400_000, 128_000),
  openai("gpt-5-nano", O200kBase, 400_000, 128_000),
  ModelInfo {
    note: "chat alias: 128k window",
    ..openai("gpt-5-chat", O200kBase, 128_000, 16_384)
  },
  openai("gpt-5.1", O200kBase, 400_000, 128_000),
  openai("gpt-5.2", O200kBase, 400_000, 128_000),
  openai("gpt-4.1", O200kBase, 1_047_576, 32_768),
  openai("gpt-4.1-mini", O200kBase, 1_047_576, 32_768),
  openai("gpt-4.1-nano", O200kBase, 1_047_576, 32_768),
  openai("gpt-4.5", O200kBase, 128_000, 16_384),
  openai("gpt-4o", O200kBase, 128_000, 16_384),
  openai("gpt-4o-mini", O200kBase, 128_000, 16_384),
  openai("chatgpt-4o", O200kBase, 128_000, 16_384),
  openai("o1", O200kBase, 200_000, 100_000),
  openai("o1-mini", O200kBase, 128_000, 65_536),
  openai("o1-preview", O200kBase, 128_000, 32_768),
  openai("o3", O200kBase, 200_000, 100_000),
  openai("o3-mini", O200kBase, 200_000, 100_000),
  openai("o4-mini", O200kBase, 200_000, 100_000),
  openai("gpt-oss", O200kBase, 131_072, 131_072),
  // OpenAI, cl100k_base.
  openai("gpt-4", Cl100kBase, 8_192, 8_192),
  openai("gpt-4-32k", Cl100kBase, 32_768, 32_768),
  openai("gpt-4-turbo", Cl100kBase, 128_000, 4_096),
  openai("gpt-4-1106", Cl100kBase, 128_000, 4_096),
  openai("gpt-4-0125", Cl100kBase, 128_000, 4_096),
  openai("gpt-3.5-turbo", Cl100kBase, 16_385, 4_096),
  openai("text-embedding-3", Cl100kBase, 8_191, 0),
  openai("text-embedding-ada-002", Cl100kBase, 8_191, 0),
  // Anthropic (estimates).
  claude("claude", 200_000, 64_000),
  claude("claude-3-opus", 200_000, 4_096),
  claude("claude-3-sonnet", 200_000, 4_096),
  claude("claude-3-haiku", 200_000, 4_096),
  claude("claude-3-5-sonnet", 200_000, 8_192),
  claude("claude-3-5-haiku", 200_000, 8_192),
  claude("claude-3-7-sonnet", 200_000, 64_000),
  claude("claude-sonnet-4", 200_000, 64_000),
  claude("claude-opus-4", 200_000, 32_000),
  claude("claude-opus-4-0", 200_000, 32_000),
  claude("claude-opus-4-1", 200_000, 32_000),
  claude("claude-sonnet-4-5", 200_000, 64_000),
  claude("claude-haiku-4-5", 200_000, 64_000),
  claude("claude-opus-4-5", 200_000, 64_000),
  claude("claude-sonnet-4-6", 200_000, 64_000),
  claude("claude-opus-4-6", 1_000_000, 128_000),
  claude_new("claude-opus-4-7", 1_000_000, 128_000),
  claude_new("claude-opus-5", 1_000_000, 128_000),
  claude_new("claude-sonnet-5", 1_000_000, 128_000),
  claude_new("claude-haiku-5", 200_000, 64_000),
  // Google (estimates).
  gemini("gemini", 65_536),
  gemini("gemini-1.5-pro", 8_192),
  gemini("gemini-1.5-flash", 8_192),
  gemini("gemini-2.0-flash", 8_192),
  gemini("gemini-2.5-pro", 65_536),
  gemini("gemini-2.5-flash", 65_536),
  gemini("gemini-3-pro", 65_536),
  DEFAULT,
];
