//! Typed errors of the Kompress path. The router answers every one of them with the
//! extractive compressor (or the lossless form); none reaches the caller as a failure.

use std::path::PathBuf;
use std::time::Duration;

use headroom_core::ErrorCode;

/// Why Kompress could not load or answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KompressError {
  /// No ONNX Runtime library in any place we look.
  #[error(
    "ONNX Runtime library not found (install npm `onnxruntime-node` with \
     ONNXRUNTIME_NODE_INSTALL=skip, or set HEADROOM_ORT_LIB / ORT_DYLIB_PATH); searched: {}",
    display_paths(searched)
  )]
  LibraryNotFound {
    /// Every place looked at, in order.
    searched: Vec<PathBuf>,
  },
  /// The library exists but does not load (dlopen failure, missing symbol, too old).
  #[error("cannot load ONNX Runtime from {}: {reason}", path.display())]
  LibraryLoad {
    /// The library file.
    path: PathBuf,
    /// What `ort` reported.
    reason: String,
  },
  /// No model directory was given and `HEADROOM_KOMPRESS_MODEL` is unset.
  #[error("no Kompress model configured: pass a model directory or set HEADROOM_KOMPRESS_MODEL")]
  NoModel,
  /// A required model file is missing.
  #[error("model file missing: {}", .0.display())]
  ModelFile(PathBuf),
  /// The model graph is not a token classifier we understand (inputs, outputs, shapes).
  #[error("unsupported model: {0}")]
  Model(String),
  /// `tokenizer.json` does not load or fails on the input.
  #[error("tokenizer: {0}")]
  Tokenizer(String),
  /// `kompress.json` or an option has an invalid value.
  #[error("invalid Kompress settings: {0}")]
  Config(String),
  /// ONNX Runtime failed while running the model.
  #[error("inference failed: {0}")]
  Inference(String),
  /// The per-call time budget ran out before every chunk was scored.
  #[error(
    "Kompress time budget of {budget:?} exceeded after {chunks_done} of {chunks_total} chunks"
  )]
  Timeout {
    /// The budget that was given.
    budget: Duration,
    /// Chunks scored before the deadline.
    chunks_done: usize,
    /// Chunks the input needed.
    chunks_total: usize,
  },
}

fn display_paths(paths: &[PathBuf]) -> String {
  if paths.is_empty() {
    return "(nothing)".to_string();
  }
  paths
    .iter()
    .map(|p| p.display().to_string())
    .collect::<Vec<_>>()
    .join(", ")
}

impl KompressError {
  /// The stable headroom error code: settings problems are `INVALID_OPTION`, everything
  /// else (runtime missing, model broken, inference failure, timeout) is `INTERNAL`.
  pub fn code(&self) -> ErrorCode {
    match self {
      KompressError::NoModel | KompressError::Config(_) => ErrorCode::InvalidOption,
      _ => ErrorCode::Internal,
    }
  }

  /// Whether this is the per-call budget running out (the router answers extractively).
  pub fn is_timeout(&self) -> bool {
    matches!(self, KompressError::Timeout { .. })
  }
}

impl From<KompressError> for headroom_core::Error {
  fn from(e: KompressError) -> Self {
    headroom_core::Error::new(e.code(), e.to_string())
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn messages_name_the_fix_and_codes_are_stable() {
    let e = KompressError::LibraryNotFound {
      searched: vec![PathBuf::from("/x/libonnxruntime.so.1")],
    };
    let msg = e.to_string();
    assert!(msg.contains("ONNXRUNTIME_NODE_INSTALL=skip"), "{msg}");
    assert!(msg.contains("/x/libonnxruntime.so.1"), "{msg}");
    assert_eq!(e.code(), ErrorCode::Internal);
    assert_eq!(KompressError::NoModel.code(), ErrorCode::InvalidOption);
    let t = KompressError::Timeout {
      budget: Duration::from_millis(5),
      chunks_done: 1,
      chunks_total: 3,
    };
    assert!(t.is_timeout());
    let core: headroom_core::Error = t.into();
    assert!(core.message.contains("1 of 3 chunks"));
  }
}
