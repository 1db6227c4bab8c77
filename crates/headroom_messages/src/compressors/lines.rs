//! Adapters for the line-oriented compressors of the logic crates (search results, diffs,
//! logs, code...): each is a plain function of the text and the shared
//! [`headroom_core::Params`].

use headroom_core::{Compressed, Params};

use super::{BlockContext, Compressor};

/// The signature every content crate's `compress` has.
pub type CompressFn = fn(&str, &Params<'_>) -> Option<Compressed>;

/// A compressor backed by a content crate's `compress` function.
pub struct LineCompressor {
  name: &'static str,
  compress: CompressFn,
}

impl LineCompressor {
  /// Wraps `compress` under `name`.
  pub const fn new(name: &'static str, compress: CompressFn) -> Self {
    Self { name, compress }
  }
}

impl Compressor for LineCompressor {
  fn name(&self) -> &'static str {
    self.name
  }

  fn compress(&self, text: &str, ctx: &BlockContext<'_>) -> Option<Compressed> {
    (self.compress)(text, &ctx.params())
  }
}
