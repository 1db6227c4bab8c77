//! Borrowed, lazily parsed views of request JSON.
//!
//! Every view holds `&RawValue` slices of the original input, so each value's byte range in
//! the body is known exactly ([`span`]) and nothing outside an edited value is ever
//! re-serialized. Unknown fields are skipped by serde without allocation.

use std::borrow::Cow;
use std::ops::Range;

use headroom_core::{Error, Result};
use serde::Deserialize;
use serde_json::value::RawValue;

/// The byte range of `raw` inside `base`. `raw` must borrow from `base` (it always does:
/// every view here is deserialized from `base` with borrowed `&RawValue` fields).
pub fn span(base: &str, raw: &RawValue) -> Range<usize> {
  let s = raw.get();
  let start = s.as_ptr() as usize - base.as_ptr() as usize;
  debug_assert!(start + s.len() <= base.len());
  start..start + s.len()
}

/// Parses `raw` as `T`, mapping failures to `UNSUPPORTED_SHAPE` errors that name `path`.
pub fn view<'a, T: Deserialize<'a>>(raw: &'a RawValue, path: &str) -> Result<T> {
  serde_json::from_str(raw.get())
    .map_err(|e| Error::unsupported_shape(format!("unexpected shape at {path}: {e}")))
}

/// The first non-whitespace byte of a raw value tells its JSON type.
pub fn kind_of(raw: &RawValue) -> JsonKind {
  match raw.get().as_bytes().first() {
    Some(b'"') => JsonKind::String,
    Some(b'[') => JsonKind::Array,
    Some(b'{') => JsonKind::Object,
    Some(b'n') => JsonKind::Null,
    _ => JsonKind::Other,
  }
}

/// Coarse JSON value kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonKind {
  /// `"..."`
  String,
  /// `[...]`
  Array,
  /// `{...}`
  Object,
  /// `null`
  Null,
  /// numbers and booleans
  Other,
}

/// Decodes a raw JSON string literal.
pub fn decode_string(raw: &RawValue, path: &str) -> Result<String> {
  serde_json::from_str::<String>(raw.get())
    .map_err(|e| Error::unsupported_shape(format!("expected a string at {path}: {e}")))
}

/// Top-level request fields of all three shapes.
#[derive(Deserialize)]
pub struct TopLevel<'a> {
  /// Anthropic / OpenAI Chat messages.
  #[serde(borrow, default)]
  pub messages: Option<&'a RawValue>,
  /// OpenAI Responses input.
  #[serde(borrow, default)]
  pub input: Option<&'a RawValue>,
  /// Anthropic system prompt.
  #[serde(borrow, default)]
  pub system: Option<&'a RawValue>,
  /// OpenAI Responses instructions.
  #[serde(borrow, default)]
  pub instructions: Option<&'a RawValue>,
  /// Tool definitions (counted, never edited).
  #[serde(borrow, default)]
  pub tools: Option<&'a RawValue>,
  /// Model id.
  #[serde(borrow, default)]
  pub model: Option<&'a RawValue>,
}

/// One message (Anthropic / OpenAI Chat) or input item (Responses).
#[derive(Deserialize)]
pub struct Message<'a> {
  /// Role, when present.
  #[serde(borrow, default)]
  pub role: Option<&'a RawValue>,
  /// Item type (Responses) .
  #[serde(borrow, default, rename = "type")]
  pub kind: Option<&'a RawValue>,
  /// Content: string, parts or blocks.
  #[serde(borrow, default)]
  pub content: Option<&'a RawValue>,
  /// OpenAI assistant tool calls.
  #[serde(borrow, default)]
  pub tool_calls: Option<&'a RawValue>,
  /// OpenAI tool message id.
  #[serde(borrow, default)]
  pub tool_call_id: Option<&'a RawValue>,
  /// OpenAI name / Responses function name.
  #[serde(borrow, default)]
  pub name: Option<&'a RawValue>,
  /// Responses call id.
  #[serde(borrow, default)]
  pub call_id: Option<&'a RawValue>,
  /// Responses tool output.
  #[serde(borrow, default)]
  pub output: Option<&'a RawValue>,
  /// Responses function call arguments.
  #[serde(borrow, default)]
  pub arguments: Option<&'a RawValue>,
  /// Responses reasoning summary.
  #[serde(borrow, default)]
  pub summary: Option<&'a RawValue>,
}

/// One content block (Anthropic) or content part (OpenAI).
#[derive(Deserialize)]
pub struct Block<'a> {
  /// Block type.
  #[serde(borrow, default, rename = "type")]
  pub kind: Option<&'a RawValue>,
  /// Text of text blocks / parts.
  #[serde(borrow, default)]
  pub text: Option<&'a RawValue>,
  /// tool_result content.
  #[serde(borrow, default)]
  pub content: Option<&'a RawValue>,
  /// tool_use id.
  #[serde(borrow, default)]
  pub id: Option<&'a RawValue>,
  /// tool_use name.
  #[serde(borrow, default)]
  pub name: Option<&'a RawValue>,
  /// tool_use input.
  #[serde(borrow, default)]
  pub input: Option<&'a RawValue>,
  /// tool_result id.
  #[serde(borrow, default)]
  pub tool_use_id: Option<&'a RawValue>,
  /// tool_result error flag.
  #[serde(borrow, default)]
  pub is_error: Option<&'a RawValue>,
  /// Prompt-cache breakpoint.
  #[serde(borrow, default)]
  pub cache_control: Option<&'a RawValue>,
  /// thinking text.
  #[serde(borrow, default)]
  pub thinking: Option<&'a RawValue>,
}

/// An OpenAI `tool_calls[]` entry.
#[derive(Deserialize)]
pub struct ToolCall<'a> {
  /// Call id.
  #[serde(borrow, default)]
  pub id: Option<&'a RawValue>,
  /// `{name, arguments}`.
  #[serde(borrow, default)]
  pub function: Option<&'a RawValue>,
}

/// The `function` of an OpenAI tool call.
#[derive(Deserialize)]
pub struct FunctionSpec<'a> {
  /// Function name.
  #[serde(borrow, default)]
  pub name: Option<&'a RawValue>,
  /// Arguments (a JSON string).
  #[serde(borrow, default)]
  pub arguments: Option<&'a RawValue>,
}

/// A short string field (role, type, id, name): decoded, borrowed when unescaped.
/// Non-string values read as `None`.
pub fn short_str<'a>(raw: Option<&'a RawValue>) -> Option<Cow<'a, str>> {
  let raw = raw?;
  if kind_of(raw) != JsonKind::String {
    return None;
  }
  let s = raw.get();
  let inner = &s[1..s.len() - 1];
  if inner.contains('\\') {
    serde_json::from_str::<String>(s).ok().map(Cow::Owned)
  } else {
    Some(Cow::Borrowed(inner))
  }
}

/// Whether an optional raw value is JSON `true`.
pub fn is_true(raw: Option<&RawValue>) -> bool {
  raw.is_some_and(|r| r.get() == "true")
}

/// Splits a raw JSON array into its raw elements.
pub fn elements<'a>(raw: &'a RawValue, path: &str) -> Result<Vec<&'a RawValue>> {
  view::<Vec<&'a RawValue>>(raw, path)
}
