//! JSON documents go to SmartCrusher (`headroom_json`): lossless table forms first, lossy
//! sampling with retrievable markers when a store is available and the mode allows it.

use super::{BlockContext, Compressed, Compressor};

/// The SmartCrusher adapter.
pub struct SmartCrusher;

impl Compressor for SmartCrusher {
  fn name(&self) -> &'static str {
    "json:smart-crusher"
  }

  fn compress(&self, text: &str, ctx: &BlockContext<'_>) -> Option<Compressed> {
    let mut opts = headroom_json::CrushOptions::new(ctx.mode).with_query(ctx.query);
    if let Some(count) = ctx.o200k {
      opts.input_tokens = headroom_json::InputTokens::Later(count);
    }
    let crushed = match ctx.json {
      // The router's parse of this very text.
      Some(p) if std::ptr::eq(p.text, text) => {
        headroom_json::crush_preparsed(text, p.value, p.depth, &opts, ctx.store)?
      }
      _ => headroom_json::crush(text, &opts, ctx.store)?,
    };
    Some(Compressed {
      text: crushed.text,
      strategy: crushed.strategy,
      hashes: crushed.hashes,
      o200k: Some(crushed.tokens_after),
    })
  }
}
