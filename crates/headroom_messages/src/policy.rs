//! Which blocks may be compressed, and the reason for every one that is not.

use headroom_detect::{ContentType, Detection};

use crate::options::Options;
use crate::walk::{Item, ItemKind, Payload, Role};

/// Why a block was left as it was. The string forms are part of the public contract
/// (`CompressResult.skipped[].reason`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SkipReason {
  /// User text is never compressed by default (instructions, CLAUDE.md, questions).
  UserText,
  /// System / developer prompts are never compressed.
  SystemText,
  /// Assistant text is never compressed.
  AssistantText,
  /// `thinking` / `redacted_thinking` / reasoning: signed, must stay byte-exact.
  Thinking,
  /// Tool calls (ids, names, arguments) are never edited.
  ToolCall,
  /// Images, documents, audio, files.
  Media,
  /// Server-side tool blocks.
  ServerTool,
  /// Tool definitions.
  ToolDefinitions,
  /// A block type we do not know: passed through byte-identical.
  UnknownBlockType,
  /// Text in a message whose role we do not know: passed through byte-identical.
  UnknownRole,
  /// The tool is in `protect.tools`.
  ExcludedTool,
  /// Output of `headroom_retrieve`: an original the model asked for is never compressed
  /// again (that is how retrieval loops start).
  RetrieveOutput,
  /// Within the last `protect.recentMessages` messages.
  ProtectedRecent,
  /// `is_error: true`, or a short output full of error keywords: kept verbatim.
  ErrorOutput,
  /// Fewer tokens than `minTokens`.
  BelowMinTokens,
  /// Already holds a headroom marker (never compress twice, never compress retrieve output).
  AlreadyCompressed,
  /// No compressor for this content type (yet).
  NoCompressor,
  /// A compressor ran but saved no tokens (the inflation guard).
  NoGain,
  /// A tool result with no text (empty, or only media).
  NoText,
}

impl SkipReason {
  /// Every reason, in declaration order.
  pub const ALL: [SkipReason; 19] = [
    SkipReason::UserText,
    SkipReason::SystemText,
    SkipReason::AssistantText,
    SkipReason::Thinking,
    SkipReason::ToolCall,
    SkipReason::Media,
    SkipReason::ServerTool,
    SkipReason::ToolDefinitions,
    SkipReason::UnknownBlockType,
    SkipReason::UnknownRole,
    SkipReason::ExcludedTool,
    SkipReason::RetrieveOutput,
    SkipReason::ProtectedRecent,
    SkipReason::ErrorOutput,
    SkipReason::BelowMinTokens,
    SkipReason::AlreadyCompressed,
    SkipReason::NoCompressor,
    SkipReason::NoGain,
    SkipReason::NoText,
  ];

  /// The public string form.
  pub fn as_str(self) -> &'static str {
    match self {
      SkipReason::UserText => "user_text",
      SkipReason::SystemText => "system_text",
      SkipReason::AssistantText => "assistant_text",
      SkipReason::Thinking => "thinking",
      SkipReason::ToolCall => "tool_call",
      SkipReason::Media => "media",
      SkipReason::ServerTool => "server_tool",
      SkipReason::ToolDefinitions => "tool_definitions",
      SkipReason::UnknownBlockType => "unknown_block_type",
      SkipReason::UnknownRole => "unknown_role",
      SkipReason::ExcludedTool => "excluded_tool",
      SkipReason::RetrieveOutput => "retrieve_output",
      SkipReason::ProtectedRecent => "protected_recent",
      SkipReason::ErrorOutput => "error_output",
      SkipReason::BelowMinTokens => "below_min_tokens",
      SkipReason::AlreadyCompressed => "already_compressed",
      SkipReason::NoCompressor => "no_compressor",
      SkipReason::NoGain => "no_gain",
      SkipReason::NoText => "no_text",
    }
  }
}

/// The structural decision (before reading the text): may this item be compressed?
pub fn structural(item: &Item<'_>, opts: &Options, message_count: usize) -> Result<(), SkipReason> {
  match &item.kind {
    ItemKind::ToolResult => {}
    ItemKind::Text => {
      return Err(match item.role {
        Role::User => SkipReason::UserText,
        Role::Assistant => SkipReason::AssistantText,
        Role::System | Role::Developer => SkipReason::SystemText,
        // The walker turns tool-role text into `ToolResult`; a role we do not know is left
        // alone like an unknown block.
        Role::Tool | Role::Other => SkipReason::UnknownRole,
      });
    }
    ItemKind::ToolCall => return Err(SkipReason::ToolCall),
    ItemKind::Thinking | ItemKind::RedactedThinking | ItemKind::Reasoning => {
      return Err(SkipReason::Thinking);
    }
    ItemKind::Media => return Err(SkipReason::Media),
    ItemKind::ServerTool => return Err(SkipReason::ServerTool),
    ItemKind::ToolDefinitions => return Err(SkipReason::ToolDefinitions),
    ItemKind::Unknown(_) => return Err(SkipReason::UnknownBlockType),
  }
  if !matches!(item.payload, Payload::Str(_)) {
    return Err(SkipReason::NoText);
  }
  if item.tool_name.as_deref() == Some(crate::retrieve_tool::RETRIEVE_TOOL_NAME) {
    return Err(SkipReason::RetrieveOutput);
  }
  if item
    .tool_name
    .as_deref()
    .is_some_and(|t| opts.tool_is_protected(t))
  {
    return Err(SkipReason::ExcludedTool);
  }
  if let Some(i) = item.message
    && opts.protect.recent_messages > 0
    && i + opts.protect.recent_messages >= message_count
  {
    return Err(SkipReason::ProtectedRecent);
  }
  if item.is_error {
    return Err(SkipReason::ErrorOutput);
  }
  Ok(())
}

/// Error keywords (lowercase).
const ERROR_KEYWORDS: [&str; 14] = [
  "error",
  "exception",
  "traceback",
  "failed",
  "failure",
  "fatal",
  "panic",
  "panicked",
  "segmentation fault",
  "denied",
  "not found",
  "no such file",
  "cannot",
  "abort",
];

/// Outputs up to this many bytes are checked for being error reports.
pub const ERROR_OUTPUT_MAX_BYTES: usize = 8000;

/// Whether `text` is a short error report that must stay verbatim (the model needs every
/// character of it): a stack trace; a JSON object with a top-level `error`/`errors` key; or
/// text whose first line names an error and that holds two or more distinct error
/// keywords. Data that merely *mentions* errors (log rows, search hits) is not an error
/// report.
pub fn looks_like_error_output(text: &str, detection: &Detection) -> bool {
  if text.len() > ERROR_OUTPUT_MAX_BYTES {
    return false;
  }
  match detection.kind {
    ContentType::StackTrace => true,
    ContentType::Json => is_json_error_object(text),
    ContentType::JsonLines => false,
    _ => {
      let lower = text.to_ascii_lowercase();
      let first_line = lower.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
      ERROR_KEYWORDS.iter().any(|k| first_line.contains(k))
        && ERROR_KEYWORDS
          .iter()
          .filter(|k| lower.contains(*k))
          .take(2)
          .count()
          >= 2
    }
  }
}

fn is_json_error_object(text: &str) -> bool {
  if !text.trim_start().starts_with('{') {
    return false;
  }
  serde_json::from_str::<std::collections::HashMap<String, serde::de::IgnoredAny>>(text)
    .is_ok_and(|m| m.contains_key("error") || m.contains_key("errors"))
}

#[cfg(test)]
mod tests {
  use super::*;

  fn check(text: &str) -> bool {
    looks_like_error_output(text, &headroom_detect::detect(text))
  }

  #[test]
  fn error_outputs() {
    assert!(check(
      "Traceback (most recent call last):\n  File \"a.py\", line 1, in <module>\nValueError: bad"
    ));
    assert!(check(
      "error: could not compile `x`\n\nCaused by: process failed"
    ));
    assert!(check(
      r#"{"error": {"type": "not_found", "message": "no such repo"}}"#
    ));
    assert!(!check("all 12 tests passed"));
    assert!(!check(&"error failed ".repeat(1000)));
  }

  #[test]
  fn data_that_mentions_errors_is_not_an_error_report() {
    assert!(!check(
      r#"[{"title": "Error handling guide", "status": "failed"}, {"title": "x", "status": "ok"}]"#
    ));
    assert!(!check(
      "2025-01-01 INFO started\n2025-01-01 ERROR request failed: timeout\n2025-01-01 INFO done"
    ));
  }

  #[test]
  fn reasons_are_snake_case_and_unique() {
    let set: std::collections::HashSet<_> = SkipReason::ALL.iter().map(|r| r.as_str()).collect();
    assert_eq!(set.len(), SkipReason::ALL.len());
    assert!(
      set
        .iter()
        .all(|r| r.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
    );
  }
}
