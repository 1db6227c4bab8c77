//! Token accounting for one model: exact for OpenAI encodings, a documented estimate for
//! models without a public tokenizer, plus each provider's per-message framing.
//!
//! Framing (the OpenAI cookbook rule for chat models, also used as the estimate for the
//! other shapes, which publish none): every message costs [`TOKENS_PER_MESSAGE`] plus its
//! role; a `name` costs one more token plus the name; every request is primed for the reply
//! with [`REPLY_PRIMING`] tokens. A tool call costs its name plus its arguments.

use headroom_tokens::registry::{self, Counting, ModelInfo};
use headroom_tokens::{Encoding, tokenizer};

use crate::walk::{Frame, Item, ItemKind, Walk};

/// Tokens of framing per message.
pub const TOKENS_PER_MESSAGE: usize = 3;
/// Tokens that prime the assistant's reply.
pub const REPLY_PRIMING: usize = 3;

/// Counts tokens for one model.
#[derive(Debug, Clone)]
pub struct Counter {
  info: ModelInfo,
}

impl Counter {
  /// A counter for `model` (unknown and `None` get the registry's default).
  pub fn for_model(model: Option<&str>) -> Self {
    let info = match model {
      Some(m) => registry::lookup(m),
      None => registry::lookup("gpt-4o"),
    };
    Self { info }
  }

  /// The registry entry in use.
  pub fn info(&self) -> &ModelInfo {
    &self.info
  }

  /// Whether counts are exact (false: an estimate).
  pub fn exact(&self) -> bool {
    self.info.exact
  }

  /// The o200k_base count of `text`: the model-independent measure used for thresholds,
  /// so a mid-session model switch never changes which blocks get compressed.
  pub fn o200k(text: &str) -> usize {
    tokenizer(Encoding::O200kBase).count(text)
  }

  /// The model's count of `text`, given its o200k count (saves a second pass when the
  /// model's counting is based on o200k).
  pub fn from_o200k(&self, text: &str, o200k: usize) -> usize {
    match self.info.counting {
      Counting::Exact(Encoding::O200kBase) => o200k,
      Counting::Exact(enc) => tokenizer(enc).count(text),
      Counting::Estimate {
        base: Encoding::O200kBase,
        factor,
      } => scale(o200k, factor),
      Counting::Estimate { base, factor } => scale(tokenizer(base).count(text), factor),
    }
  }

  /// The model's count of `text`.
  pub fn count(&self, text: &str) -> usize {
    match self.info.counting {
      Counting::Exact(enc) => tokenizer(enc).count(text),
      Counting::Estimate { base, factor } => scale(tokenizer(base).count(text), factor),
    }
  }

  /// Framing tokens of a walked request (messages, names, reply priming).
  pub fn framing(&self, walk: &Walk<'_>) -> usize {
    let frames: usize = walk.frames.iter().map(|f| self.frame(f)).sum();
    let calls: usize = walk
      .items
      .iter()
      .filter(|i| i.kind == ItemKind::ToolCall)
      .map(|i| i.tool_name.as_deref().map_or(0, |n| self.count(n)))
      .sum();
    frames + calls + REPLY_PRIMING
  }

  fn frame(&self, f: &Frame) -> usize {
    TOKENS_PER_MESSAGE
      + self.count(f.role.as_str())
      + f.name.as_deref().map_or(0, |n| self.count(n) + 1)
  }
}

fn scale(n: usize, factor: f64) -> usize {
  (n as f64 * factor).ceil() as usize
}

/// The text an item contributes to the count (decoded string, or raw JSON text).
pub fn countable_text<'a>(item: &Item<'a>) -> Option<std::borrow::Cow<'a, str>> {
  use crate::walk::Payload;
  match item.payload {
    Payload::Str(raw) => crate::raw::decode_string(raw, &item.path)
      .ok()
      .map(Into::into),
    Payload::Json(raw) => Some(raw.into()),
    Payload::None | Payload::Fixed(_) => None,
  }
}
