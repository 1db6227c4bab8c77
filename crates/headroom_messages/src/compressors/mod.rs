//! The compressor interface and the router that picks one per block.
//!
//! A compressor is a pure function of the block text and the fixed settings (the mode):
//! it must return the same bytes for the same input on every call, in every process. That
//! is what keeps history byte-stable across turns. Anything query-dependent must go
//! through the [`crate::memo::Memo`] (first compression wins).

mod json_minify;
mod smart_crusher;

use headroom_detect::{ContentType, Detection};

use crate::options::Mode;

pub use json_minify::JsonMinify;
pub use smart_crusher::SmartCrusher;

pub use headroom_core::output::Compressed;

/// The context a compressor gets besides the text.
#[derive(Clone, Copy)]
pub struct BlockContext<'a> {
  /// Where originals go before a marker is written. `NoStore` means no retrieve path:
  /// lossless forms only.
  pub store: &'a dyn headroom_core::OriginalStore,
  /// The mode.
  pub mode: Mode,
  /// The relevance hint (see the module docs before using it).
  pub query: Option<&'a str>,
  /// The detected content type.
  pub detection: Detection,
  /// The text's o200k token count, already known to the caller.
  pub o200k: usize,
}

/// A content compressor.
pub trait Compressor: Send + Sync {
  /// Stable name, part of memo keys: bump [`ROUTER_VERSION`] when outputs change.
  fn name(&self) -> &'static str;
  /// Compresses `text`, or declines with `None`.
  fn compress(&self, text: &str, ctx: &BlockContext<'_>) -> Option<Compressed>;
}

/// Version of the routing table and compressor outputs; part of every memo key.
pub const ROUTER_VERSION: &str = "router-v3";

/// Picks the compressor for a detected content type, if there is one.
pub fn route(detection: &Detection) -> Option<&'static dyn Compressor> {
  static JSON: SmartCrusher = SmartCrusher;
  static JSON_LINES: JsonMinify = JsonMinify;
  match detection.kind {
    ContentType::Json => Some(&JSON),
    ContentType::JsonLines => Some(&JSON_LINES),
    _ => None,
  }
}
