//! Token counting and the model registry.

use napi_derive::napi;

use crate::error::{BindingError, guard, to_js};

/// Counts the tokens of `text` for `model` (default: o200k_base, exact). Lone UTF-16
/// surrogates in `text` count as U+FFFD.
#[napi(catch_unwind)]
pub fn count_tokens(text: String, model: Option<String>) -> Result<u32, BindingError> {
  guard(|| Ok(headroom_tokens::count_for_model(&text, model.as_deref()) as u32)).map_err(to_js)
}

/// Counts the tokens of each text (one crossing for many small texts).
#[napi(catch_unwind)]
pub fn count_tokens_batch(
  texts: Vec<String>,
  model: Option<String>,
) -> Result<Vec<u32>, BindingError> {
  guard(|| {
    Ok(
      texts
        .iter()
        .map(|t| headroom_tokens::count_for_model(t, model.as_deref()) as u32)
        .collect(),
    )
  })
  .map_err(to_js)
}

/// Token ids of `text` in an encoding (`o200k_base` or `cl100k_base`).
#[napi(catch_unwind)]
pub fn encode_tokens(text: String, encoding: Option<String>) -> Result<Vec<u32>, BindingError> {
  let enc = parse_encoding(encoding.as_deref())?;
  Ok(headroom_tokens::tokenizer(enc).encode(&text))
}

fn parse_encoding(name: Option<&str>) -> Result<headroom_tokens::Encoding, BindingError> {
  match name {
    None => Ok(headroom_tokens::Encoding::O200kBase),
    Some(n) => headroom_tokens::Encoding::from_name(n).ok_or_else(|| {
      to_js(headroom_core::Error::invalid_option(format!(
        "unknown encoding {n:?}; expected \"o200k_base\" or \"cl100k_base\""
      )))
    }),
  }
}

/// The model registry as a JSON array of `ModelInfo`.
#[napi(catch_unwind)]
pub fn models_json() -> String {
  let list: Vec<serde_json::Value> = headroom_tokens::registry::all()
    .iter()
    .map(model_json)
    .collect();
  serde_json::Value::Array(list).to_string()
}

/// The registry entry `model` resolves to, as JSON.
#[napi(catch_unwind)]
pub fn lookup_model_json(model: String) -> String {
  model_json(&headroom_tokens::registry::lookup(&model)).to_string()
}

fn model_json(m: &headroom_tokens::ModelInfo) -> serde_json::Value {
  use headroom_tokens::Counting;
  let (tokenizer, factor) = match m.counting {
    Counting::Exact(e) => (e.as_str(), None),
    Counting::Estimate { base, factor } => (base.as_str(), Some(factor)),
  };
  serde_json::json!({
    "id": m.id,
    "provider": m.provider,
    "tokenizer": tokenizer,
    "exact": m.exact,
    "estimateFactor": factor,
    "contextWindow": m.context_window,
    "maxOutputTokens": m.max_output_tokens,
    "note": m.note,
  })
}

/// The one marker grammar (a regular expression source; capture group 1 is the hash).
#[napi]
pub fn marker_pattern_source() -> &'static str {
  headroom_core::marker::MARKER_PATTERN
}

/// Builds the embedded tokenizer tables now (o200k_base and cl100k_base), so the first
/// counting call is not the one that pays for it, and loads the Kompress model that
/// `HEADROOM_KOMPRESS_MODEL` names (if set and none is loaded). Idempotent.
#[napi(catch_unwind)]
pub fn warmup() {
  for enc in [
    headroom_tokens::Encoding::O200kBase,
    headroom_tokens::Encoding::Cl100kBase,
  ] {
    let _ = headroom_tokens::tokenizer(enc).count("warm up");
  }
  crate::kompress::load_from_env();
}
