//! Compression options: the `CompressOptions` of the public API, parsed from JSON.

use headroom_core::{Error, Result};
use serde::Deserialize;

pub use headroom_core::Mode;

/// Which request shape the input has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum ProviderHint {
  /// Detect from the body.
  #[default]
  Auto,
  /// Anthropic Messages API.
  Anthropic,
  /// OpenAI Chat Completions.
  Openai,
  /// OpenAI Responses API.
  OpenaiResponses,
}

/// When the retrieve tool joins a request body's `tools` (see `Options::retrieve_tool`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RetrieveToolPolicy {
  /// When the output holds markers.
  #[default]
  Auto,
  /// On every request (unless `retrieve` is off).
  Always,
}

/// What to protect from compression.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Protect {
  /// Tool names whose outputs are never compressed. Case-insensitive; `*` is a wildcard
  /// (`mcp__*`).
  #[serde(default)]
  pub tools: Vec<String>,
  /// The last N messages are never compressed. Default 0: the newest tool result is the
  /// one most worth compressing, and compressing it once keeps history stable. With N > 0 a
  /// block sent uncompressed while recent is compressed in a later request, which rewrites
  /// history the provider may have cached: leave it at 0 behind a prompt cache.
  #[serde(default)]
  pub recent_messages: usize,
}

/// Options of `compress` and friends. Every field is optional in JSON.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Options {
  /// Model id; picks the tokenizer and context window (see `models()`).
  #[serde(default)]
  pub model: Option<String>,
  /// Request shape; `auto` detects it.
  #[serde(default)]
  pub provider: ProviderHint,
  /// Compression mode.
  #[serde(default)]
  pub mode: Mode,
  /// Relevance hint for compressors; default: the latest user text. Compressed forms are
  /// memoized by content on first compression, so a changing query never rewrites history.
  #[serde(default)]
  pub query: Option<String>,
  /// Blocks with fewer tokens than this are left alone.
  #[serde(default = "default_min_tokens")]
  pub min_tokens: usize,
  /// Protections.
  #[serde(default)]
  pub protect: Protect,
  /// Bodies larger than this (bytes) are refused with `INPUT_TOO_LARGE`.
  #[serde(default = "default_max_input_bytes")]
  pub max_input_bytes: usize,
  /// Whether a retrieve path exists. `false`: no store is used, only lossless forms, never
  /// a marker (for clients that cannot call `headroom_retrieve`).
  #[serde(default = "default_true")]
  pub retrieve: bool,
  /// When the `headroom_retrieve` tool is added to a request body: `auto` when the output
  /// holds markers; `always` on every request (with `retrieve` on), so a conversation's
  /// tool list never changes once it had markers, or never changes at all when set from its
  /// first request (a proxy's session stickiness and prefix stabilisation).
  #[serde(default)]
  pub retrieve_tool: RetrieveToolPolicy,
  /// Whether prose may go to the loaded Kompress model (when one is loaded). Default true.
  #[serde(default = "default_true")]
  pub kompress: bool,
  /// Per-block time budget of Kompress, in milliseconds; past it the extractive
  /// compressor answers instead. Default 2000.
  #[serde(default = "default_kompress_budget_ms")]
  pub kompress_budget_ms: u64,
  /// The loaded Kompress model, if any. Never loaded here, never from JSON: the caller
  /// (the binding) loads a model once, at startup, and hands it to every request.
  #[serde(skip)]
  pub kompress_model: Option<KompressHandle>,
}

/// A shared, loaded Kompress model. Equality is identity.
#[derive(Clone)]
pub struct KompressHandle(pub std::sync::Arc<headroom_kompress::Kompress>);

impl KompressHandle {
  /// What identifies the model's outputs in memo keys: its directory and style.
  pub fn id(&self) -> String {
    format!("{}|{}", self.0.model_dir().display(), self.0.style().name())
  }
}

impl std::fmt::Debug for KompressHandle {
  fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
    f.debug_tuple("KompressHandle").field(&self.id()).finish()
  }
}

impl PartialEq for KompressHandle {
  fn eq(&self, other: &Self) -> bool {
    std::sync::Arc::ptr_eq(&self.0, &other.0)
  }
}

fn default_kompress_budget_ms() -> u64 {
  DEFAULT_KOMPRESS_BUDGET_MS
}

/// Default per-block Kompress budget (ms).
pub const DEFAULT_KOMPRESS_BUDGET_MS: u64 = 2000;

fn default_true() -> bool {
  true
}

fn default_min_tokens() -> usize {
  DEFAULT_MIN_TOKENS
}

fn default_max_input_bytes() -> usize {
  headroom_core::limits::DEFAULT_MAX_INPUT_BYTES
}

/// Default `minTokens`: blocks under this many tokens are not worth a transform.
pub const DEFAULT_MIN_TOKENS: usize = 250;

impl Default for Options {
  fn default() -> Self {
    Self {
      model: None,
      provider: ProviderHint::Auto,
      mode: Mode::Balanced,
      query: None,
      min_tokens: DEFAULT_MIN_TOKENS,
      protect: Protect::default(),
      max_input_bytes: default_max_input_bytes(),
      retrieve: true,
      retrieve_tool: RetrieveToolPolicy::Auto,
      kompress: true,
      kompress_budget_ms: DEFAULT_KOMPRESS_BUDGET_MS,
      kompress_model: None,
    }
  }
}

impl Options {
  /// Parses options from JSON text (`null` or empty means defaults). Unknown keys and
  /// wrong types are `INVALID_OPTION` errors that name the key.
  pub fn from_json(json: &str) -> Result<Self> {
    let trimmed = json.trim();
    if trimmed.is_empty() || trimmed == "null" {
      return Ok(Self::default());
    }
    serde_json::from_str(trimmed)
      .map_err(|e| Error::invalid_option(format!("invalid options: {e}")))
  }

  /// Whether `tool` is protected by name.
  /// The Kompress model this request may use: loaded, and not switched off.
  pub fn kompress_model(&self) -> Option<&KompressHandle> {
    self.kompress_model.as_ref().filter(|_| self.kompress)
  }

  pub fn tool_is_protected(&self, tool: &str) -> bool {
    self
      .protect
      .tools
      .iter()
      .any(|pattern| glob_match_ci(pattern, tool))
  }
}

/// Case-insensitive glob match where `*` matches any run of characters.
fn glob_match_ci(pattern: &str, text: &str) -> bool {
  let p: Vec<char> = pattern.chars().flat_map(char::to_lowercase).collect();
  let t: Vec<char> = text.chars().flat_map(char::to_lowercase).collect();
  let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
  while ti < t.len() {
    if pi < p.len() && p[pi] == '*' {
      star = Some(pi);
      pi += 1;
      mark = ti;
    } else if pi < p.len() && p[pi] == t[ti] {
      pi += 1;
      ti += 1;
    } else if let Some(s) = star {
      pi = s + 1;
      mark += 1;
      ti = mark;
    } else {
      return false;
    }
  }
  p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn defaults_from_empty_and_null() {
    assert_eq!(Options::from_json("").unwrap(), Options::default());
    assert_eq!(Options::from_json("null").unwrap(), Options::default());
    assert_eq!(Options::from_json("{}").unwrap(), Options::default());
  }

  #[test]
  fn parses_camel_case_fields() {
    let o = Options::from_json(
      r#"{"model":"gpt-4o","provider":"openai-responses","mode":"lossless","minTokens":10,
          "protect":{"tools":["Read","mcp__*"],"recentMessages":2}}"#,
    )
    .unwrap();
    assert_eq!(o.provider, ProviderHint::OpenaiResponses);
    assert_eq!(o.mode, Mode::Lossless);
    assert_eq!(o.min_tokens, 10);
    assert_eq!(o.protect.recent_messages, 2);
    assert!(o.tool_is_protected("read"));
    assert!(o.tool_is_protected("mcp__github__search"));
    assert!(!o.tool_is_protected("Bash"));
  }

  #[test]
  fn unknown_keys_and_bad_values_are_invalid_option() {
    for bad in [
      r#"{"mdoe":"lossless"}"#,
      r#"{"mode":"extreme"}"#,
      r#"{"minTokens":-1}"#,
      "[1]",
    ] {
      let e = Options::from_json(bad).unwrap_err();
      assert_eq!(e.code.as_str(), "INVALID_OPTION", "{bad}");
    }
  }

  #[test]
  fn glob() {
    assert!(glob_match_ci("*", ""));
    assert!(glob_match_ci("a*c", "abbbc"));
    assert!(!glob_match_ci("a*c", "abbb"));
    assert!(glob_match_ci("*search*", "web_SEARCH_tool"));
  }
}
