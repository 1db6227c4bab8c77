//! Source code goes to `headroom_code` (tree-sitter): imports collapsed, signatures and
//! declarations kept, function bodies elided behind language-correct placeholder lines;
//! the output is re-parsed and rejected (block left alone) if it no longer parses.

use headroom_core::Compressed;

use super::{BlockContext, Compressor};

/// The code compressor adapter.
pub struct Code;

impl Compressor for Code {
  fn name(&self) -> &'static str {
    "code"
  }

  fn compress(&self, text: &str, ctx: &BlockContext<'_>) -> Option<Compressed> {
    headroom_code::compress(text, ctx.detection.language?, &ctx.params())
  }
}
