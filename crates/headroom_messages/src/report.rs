//! The per-call report: what was compressed, what was not and why, token accounting.

use serde::Serialize;

/// One edited block.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Transform {
  /// JSON-pointer path of the edited string.
  pub path: String,
  /// Message / input item index.
  #[serde(skip_serializing_if = "Option::is_none")]
  pub message_index: Option<usize>,
  /// The tool that produced the output, when known.
  #[serde(skip_serializing_if = "Option::is_none")]
  pub tool_name: Option<String>,
  /// Detected content type (`json`, `log`, ...).
  pub content_type: &'static str,
  /// Detected language, for code.
  #[serde(skip_serializing_if = "Option::is_none")]
  pub language: Option<&'static str>,
  /// Strategy, e.g. `json:minify`.
  pub strategy: String,
  /// Tokens of the block before.
  pub tokens_before: usize,
  /// Tokens of the block after.
  pub tokens_after: usize,
  /// Retrieve hashes of markers added (empty for lossless strategies).
  pub hashes: Vec<String>,
  /// Whether the block carries a `cache_control` breakpoint (left exactly where it was).
  pub cache_control: bool,
  /// Whether the compressed form came from the memo (an earlier turn).
  pub memoized: bool,
}

/// One block left as it was.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Skip {
  /// JSON-pointer path of the block (or its text).
  pub path: String,
  /// Message / input item index.
  #[serde(skip_serializing_if = "Option::is_none")]
  pub message_index: Option<usize>,
  /// Why (`user_text`, `thinking`, `below_min_tokens`, ...).
  pub reason: &'static str,
  /// Extra detail (the unknown block type, the content type without a compressor, ...).
  #[serde(skip_serializing_if = "Option::is_none")]
  pub detail: Option<String>,
  /// Tokens of the block's text, when it has text.
  #[serde(skip_serializing_if = "Option::is_none")]
  pub tokens: Option<usize>,
}

/// The report of one `compress` call (the result minus the body).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
  /// Detected or given provider shape.
  pub provider: &'static str,
  /// Registry id of the model whose tokenizer counted.
  pub model: String,
  /// Whether counts are exact (false: estimated, e.g. Claude).
  pub exact: bool,
  /// Tokens of the input, framing included.
  pub tokens_before: usize,
  /// Tokens of the output.
  pub tokens_after: usize,
  /// `tokens_before - tokens_after`.
  pub tokens_saved: usize,
  /// `tokens_saved / tokens_before` (0 when empty).
  pub compression_ratio: f64,
  /// The `headroom_retrieve` tool, when the output holds markers: `added` to the body's
  /// `tools`, already `present`, or `needed` (a bare message array: add
  /// `headroomRetrieveTool(provider)` to the request yourself). Absent without markers.
  #[serde(skip_serializing_if = "Option::is_none")]
  pub retrieve_tool: Option<&'static str>,
  /// Edited blocks.
  pub transforms: Vec<Transform>,
  /// Blocks left as they were, with reasons.
  pub skipped: Vec<Skip>,
  /// Identifies the conversation across its requests: a hash of the first message's raw
  /// JSON (clients resend history, so it stays the same for the whole conversation).
  /// Absent when there is no message.
  #[serde(skip_serializing_if = "Option::is_none")]
  pub conversation: Option<String>,
  /// Volatile values in the system prompt (timestamps, dates, clock times, UUIDs): each
  /// one changes the cached prefix whenever it changes. Reported, never edited.
  #[serde(skip_serializing_if = "Vec::is_empty")]
  pub volatile: Vec<crate::volatile::Volatile>,
}

/// A `compressText` result.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TextReport {
  /// The (possibly) compressed text.
  pub text: String,
  /// Detected content type.
  pub content_type: &'static str,
  /// Detected language, for code.
  #[serde(skip_serializing_if = "Option::is_none")]
  pub language: Option<&'static str>,
  /// Tokens before.
  pub tokens_before: usize,
  /// Tokens after.
  pub tokens_after: usize,
  /// Strategy used, if the text changed.
  #[serde(skip_serializing_if = "Option::is_none")]
  pub strategy: Option<String>,
  /// Why it did not change, if it did not.
  #[serde(skip_serializing_if = "Option::is_none")]
  pub reason: Option<&'static str>,
  /// Retrieve hashes of markers in `text`.
  pub hashes: Vec<String>,
}
