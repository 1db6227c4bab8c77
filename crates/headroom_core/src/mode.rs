//! Compression modes, shared by every compressor.

use serde::Deserialize;

/// How much a compressor may leave out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
  /// Only transforms whose output lets the original be reconstructed exactly from the
  /// output alone (e.g. JSON minification). Never a marker.
  Lossless,
  /// The default: lossless forms first; lossy forms with retrievable markers where they pay.
  #[default]
  Balanced,
  /// Like balanced, with smaller budgets.
  Aggressive,
}

impl Mode {
  /// The option string.
  pub fn as_str(self) -> &'static str {
    match self {
      Mode::Lossless => "lossless",
      Mode::Balanced => "balanced",
      Mode::Aggressive => "aggressive",
    }
  }
}
