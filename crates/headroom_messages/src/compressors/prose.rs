//! Prose and markdown: the Kompress model when one is loaded, else the extractive
//! compressor (`headroom_text`). The strategy says which, and why the model did not answer:
//! `text:extractive(kompress: no model)`, `(kompress: over its 2000 ms budget)`,
//! `(kompress: declined)`, `(kompress: <ERROR_CODE>)`.
//!
//! A model that runs past its budget makes this block's output depend on timing; the memo
//! (first compression wins) is what keeps it byte-stable on later turns.

use headroom_core::Compressed;
use headroom_kompress::KompressOptions;

use super::{BlockContext, Compressor};

/// The prose compressor.
pub struct Prose;

impl Compressor for Prose {
  fn name(&self) -> &'static str {
    "text"
  }

  fn compress(&self, text: &str, ctx: &BlockContext<'_>) -> Option<Compressed> {
    let params = ctx.params();
    let why = match ctx.kompress {
      None => "no model".to_string(),
      Some(model) => {
        let opts = KompressOptions {
          target_rate: None,
          budget: Some(ctx.kompress_budget),
        };
        match model.0.compress(text, &params, &opts) {
          Ok(Some(c)) => return Some(c),
          Ok(None) => "declined".to_string(),
          Err(e) if e.is_timeout() => {
            format!("over its {} ms budget", ctx.kompress_budget.as_millis())
          }
          Err(e) => e.code().as_str().to_string(),
        }
      }
    };
    let mut out = headroom_text::compress_prose(text, &params, None)?;
    out.strategy = format!("{}(kompress: {why})", out.strategy);
    Some(out)
  }
}
