//! Borrowed views of request JSON.
//!
//! A [`Doc`] validates the text once and records where every array and object ends
//! ([`headroom_core::json::spans`]), so reading a message's fields or a block's content touches
//! only their own bytes, however deep the document nests. Every view is a `&str` slice of
//! the original text, so each value's byte range in the body is known exactly ([`span`]) and
//! nothing outside an edited value is ever re-serialized. Unknown fields are skipped
//! without allocation.

use std::borrow::Cow;
use std::ops::Range;

use headroom_core::json::spans::{self, SpanError, Spans};
use headroom_core::{Error, ErrorCode, Result};

/// A validated JSON text.
pub struct Doc<'a> {
  spans: Spans<'a>,
}

impl<'a> Doc<'a> {
  /// Validates `text` as one JSON value: `INVALID_JSON` when it is not JSON,
  /// `NESTING_TOO_DEEP` past [`spans::MAX_DEPTH`].
  pub fn parse(text: &'a str) -> Result<Self> {
    Spans::parse(text)
      .map(|spans| Doc { spans })
      .map_err(|e| match e {
        SpanError::TooDeep { .. } => Error::new(ErrorCode::NestingTooDeep, e.to_string()),
        SpanError::Invalid { .. } => Error::invalid_json(format!("invalid JSON: {e}")),
      })
  }

  /// The root value's text.
  pub fn root(&self) -> &'a str {
    self.spans.root()
  }

  /// The values of `keys` in `object` (a value of this document), `None` where absent or
  /// `null` (as serde reads an `Option` field). `UNSUPPORTED_SHAPE` (naming `path`) when
  /// `object` is not an object or repeats one of `keys`.
  pub fn fields<const N: usize>(
    &self,
    object: &'a str,
    keys: [&str; N],
    path: &str,
  ) -> Result<[Option<&'a str>; N]> {
    let mut out = self.fields_with_null(object, keys, path)?;
    for v in &mut out {
      if *v == Some("null") {
        *v = None;
      }
    }
    Ok(out)
  }

  /// [`Doc::fields`], with a `null` value read as `Some("null")`.
  pub fn fields_with_null<const N: usize>(
    &self,
    object: &'a str,
    keys: [&str; N],
    path: &str,
  ) -> Result<[Option<&'a str>; N]> {
    if kind_of(object) != JsonKind::Object {
      return Err(Error::unsupported_shape(format!(
        "unexpected shape at {path}: expected an object"
      )));
    }
    let mut out = [None; N];
    for (key, value) in self.spans.members(object) {
      let inner = &key[1..key.len() - 1];
      let decoded;
      let name = if inner.contains('\\') {
        decoded = spans::decode(key);
        match decoded.as_deref() {
          Some(d) => d,
          None => continue,
        }
      } else {
        inner
      };
      if let Some(k) = keys.iter().position(|k| *k == name)
        && out[k].replace(value).is_some()
      {
        return Err(Error::unsupported_shape(format!(
          "unexpected shape at {path}: duplicate field `{name}`"
        )));
      }
    }
    Ok(out)
  }

  /// The elements of `array` (a value of this document). `UNSUPPORTED_SHAPE` (naming
  /// `path`) when it is not an array.
  pub fn elements(&self, array: &'a str, path: &str) -> Result<Vec<&'a str>> {
    if kind_of(array) != JsonKind::Array {
      return Err(Error::unsupported_shape(format!(
        "unexpected shape at {path}: expected an array"
      )));
    }
    Ok(self.spans.elements(array).collect())
  }
}

/// The byte range of `raw` inside `base`. `raw` must borrow from `base` (it always does:
/// every view here is a slice of the text its [`Doc`] validated).
pub fn span(base: &str, raw: &str) -> Range<usize> {
  let start = (raw.as_ptr() as usize).wrapping_sub(base.as_ptr() as usize);
  assert!(start + raw.len() <= base.len(), "a slice of another text");
  start..start + raw.len()
}

/// The first byte of a raw value tells its JSON type.
pub fn kind_of(raw: &str) -> JsonKind {
  match raw.as_bytes().first() {
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

/// Decodes a raw JSON string literal (serde's rules: a lone surrogate escape is an error).
pub fn decode_string(raw: &str, path: &str) -> Result<String> {
  decode_str(raw)
    .map(Cow::into_owned)
    .ok_or_else(|| Error::unsupported_shape(format!("expected a decodable string at {path}")))
}

/// Decodes a raw JSON string literal, borrowing when it has no escapes; `None` for a
/// non-string or one serde cannot decode (a lone surrogate escape).
pub fn decode_str(raw: &str) -> Option<Cow<'_, str>> {
  if kind_of(raw) != JsonKind::String {
    return None;
  }
  spans::decode(raw)
}

/// Declares a view of an object's fields: a struct of optional raw values read with
/// [`Doc::fields`].
macro_rules! views {
  ($(
    $(#[$meta:meta])*
    pub struct $name:ident {
      $( $(#[$fmeta:meta])* $field:ident: $key:literal, )*
    }
  )*) => {$(
    $(#[$meta])*
    pub struct $name<'a> {
      $( $(#[$fmeta])* pub $field: Option<&'a str>, )*
    }

    impl<'a> $name<'a> {
      /// Reads the fields of `raw` (an object of `doc`); `path` names it in errors.
      pub fn read(doc: &Doc<'a>, raw: &'a str, path: &str) -> Result<Self> {
        let [$($field),*] = doc.fields(raw, [$($key),*], path)?;
        Ok(Self { $($field),* })
      }
    }
  )*};
}

views! {
  /// Top-level request fields of all three shapes.
  pub struct TopLevel {
    /// Anthropic / OpenAI Chat messages.
    messages: "messages",
    /// OpenAI Responses input.
    input: "input",
    /// Anthropic system prompt.
    system: "system",
    /// OpenAI Responses instructions.
    instructions: "instructions",
    /// Tool definitions (counted, never edited).
    tools: "tools",
    /// Model id.
    model: "model",
  }

  /// One message (Anthropic / OpenAI Chat) or input item (Responses).
  pub struct Message {
    /// Role, when present.
    role: "role",
    /// Item type (Responses) .
    kind: "type",
    /// Content: string, parts or blocks.
    content: "content",
    /// OpenAI assistant tool calls.
    tool_calls: "tool_calls",
    /// OpenAI tool message id.
    tool_call_id: "tool_call_id",
    /// OpenAI name / Responses function name.
    name: "name",
    /// Responses call id.
    call_id: "call_id",
    /// Responses tool output.
    output: "output",
    /// Responses function call arguments.
    arguments: "arguments",
    /// Responses reasoning summary.
    summary: "summary",
  }

  /// One content block (Anthropic) or content part (OpenAI).
  pub struct Block {
    /// Block type.
    kind: "type",
    /// Text of text blocks / parts.
    text: "text",
    /// tool_result content.
    content: "content",
    /// tool_use id.
    id: "id",
    /// tool_use name.
    name: "name",
    /// tool_use input.
    input: "input",
    /// tool_result id.
    tool_use_id: "tool_use_id",
    /// tool_result error flag.
    is_error: "is_error",
    /// Prompt-cache breakpoint.
    cache_control: "cache_control",
    /// thinking text.
    thinking: "thinking",
  }

  /// An OpenAI `tool_calls[]` entry.
  pub struct ToolCall {
    /// Call id.
    id: "id",
    /// `{name, arguments}`.
    function: "function",
  }

  /// The `function` of an OpenAI tool call.
  pub struct FunctionSpec {
    /// Function name.
    name: "name",
    /// Arguments (a JSON string).
    arguments: "arguments",
  }
}

/// A short string field (role, type, id, name): decoded, borrowed when unescaped.
/// Non-string values read as `None`.
pub fn short_str(raw: Option<&str>) -> Option<Cow<'_, str>> {
  decode_str(raw?)
}

/// Whether an optional raw value is JSON `true`.
pub fn is_true(raw: Option<&str>) -> bool {
  raw == Some("true")
}

/// The name of a tool definition in any of the three formats (`name`, or `function.name`);
/// `None` when it has none or is not an object.
pub fn tool_name<'a>(doc: &Doc<'a>, tool: &'a str) -> Option<Cow<'a, str>> {
  let [name, function] = doc.fields(tool, ["name", "function"], "/tools").ok()?;
  short_str(name).or_else(|| {
    let [name] = doc.fields(function?, ["name"], "/tools").ok()?;
    short_str(name)
  })
}
