//! Load-time configuration ([`KompressConfig`]), the model's own settings file
//! (`kompress.json`, [`ModelSettings`]) and per-call options ([`KompressOptions`]).

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::KompressError;

/// The environment variable naming the model directory when no path is given.
pub const MODEL_ENV: &str = "HEADROOM_KOMPRESS_MODEL";

/// Where inference runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Provider {
  /// ONNX Runtime's CPU provider (always available).
  #[default]
  Cpu,
  /// NVIDIA CUDA (needs `libonnxruntime_providers_cuda.so`, e.g. from the PyPI
  /// `onnxruntime-gpu` wheel, and the CUDA libraries). Falls back to CPU.
  Cuda {
    /// The GPU ordinal.
    device_id: i32,
  },
  /// Apple Core ML (macOS builds of ONNX Runtime). Falls back to CPU.
  CoreMl,
}

impl Provider {
  /// The provider's short name: `cpu`, `cuda`, `coreml`.
  pub fn name(self) -> &'static str {
    match self {
      Provider::Cpu => "cpu",
      Provider::Cuda { .. } => "cuda",
      Provider::CoreMl => "coreml",
    }
  }

  /// Parses `cpu`, `cuda`, `cuda:N`, `coreml` (case-insensitive).
  pub fn parse(s: &str) -> Result<Provider, KompressError> {
    let s = s.trim().to_ascii_lowercase();
    match s.as_str() {
      "" | "cpu" => Ok(Provider::Cpu),
      "cuda" => Ok(Provider::Cuda { device_id: 0 }),
      "coreml" => Ok(Provider::CoreMl),
      _ => match s.strip_prefix("cuda:").map(str::parse::<i32>) {
        Some(Ok(device_id)) if device_id >= 0 => Ok(Provider::Cuda { device_id }),
        _ => Err(KompressError::Config(format!(
          "unknown execution provider {s:?} (expected cpu, cuda, cuda:N or coreml)"
        ))),
      },
    }
  }
}

/// How to load a model: once, off the request path.
#[derive(Debug, Clone, Default)]
pub struct KompressConfig {
  /// The model directory (`model.onnx`, `tokenizer.json`, optional `kompress.json`). `None`:
  /// `$HEADROOM_KOMPRESS_MODEL`.
  pub model_dir: Option<PathBuf>,
  /// The ONNX Runtime library. `None`: searched (see [`crate::runtime`]).
  pub library: Option<PathBuf>,
  /// The execution provider to ask for.
  pub provider: Provider,
  /// Intra-op threads (`None`: ONNX Runtime's default, one per core).
  pub threads: Option<usize>,
}

impl KompressConfig {
  /// A config for the model in `dir`, CPU, library searched.
  pub fn new(dir: impl Into<PathBuf>) -> Self {
    KompressConfig {
      model_dir: Some(dir.into()),
      ..Default::default()
    }
  }

  /// The model directory: the option, else `$HEADROOM_KOMPRESS_MODEL`.
  pub fn resolve_model_dir(&self) -> Result<PathBuf, KompressError> {
    if let Some(d) = &self.model_dir {
      return Ok(d.clone());
    }
    std::env::var_os(MODEL_ENV)
      .filter(|v| !v.is_empty())
      .map(PathBuf::from)
      .ok_or(KompressError::NoModel)
  }
}

/// The model family, which decides how scores become keep decisions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Style {
  /// LLMLingua-2: output `logits` `[batch, seq, 2]`; keep probability = `softmax(...)[1]`;
  /// words ranked, the top `target_rate` kept.
  #[serde(alias = "llmlingua-2", alias = "llmlingua")]
  Llmlingua2,
  /// Kompress v2: output `final_scores` `[batch, seq]` (or `[batch, seq, 1]`); words scoring
  /// above the threshold (0.5) kept.
  #[serde(alias = "kompress-v2", alias = "kompress")]
  KompressV2,
}

impl Style {
  /// The name used in strategy strings: `llmlingua2`, `v2`.
  pub fn name(self) -> &'static str {
    match self {
      Style::Llmlingua2 => "llmlingua2",
      Style::KompressV2 => "v2",
    }
  }
}

/// The contents of the optional `kompress.json` next to the model. Every field is optional.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelSettings {
  /// The model family; `None`: detected from the output names.
  pub style: Option<Style>,
  /// The model's window in tokens, special tokens included (default 512).
  pub max_len: Option<usize>,
  /// Kompress-v2 keep threshold (default 0.5).
  pub threshold: Option<f32>,
  /// Default LLMLingua-2 keep rate in balanced mode (default 0.55).
  pub rate: Option<f32>,
  /// Words always kept (compared case-insensitively, surrounding punctuation ignored).
  #[serde(default)]
  pub force_keep: Vec<String>,
  /// The output to read; `None`: `final_scores` if present, else `logits`.
  pub output: Option<String>,
}

impl ModelSettings {
  /// Reads `dir/kompress.json` when it exists (a missing file gives the defaults).
  pub fn load(dir: &Path) -> Result<ModelSettings, KompressError> {
    let path = dir.join("kompress.json");
    let text = match std::fs::read_to_string(&path) {
      Ok(t) => t,
      Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(ModelSettings::default()),
      Err(e) => return Err(KompressError::Config(format!("{}: {e}", path.display()))),
    };
    let s: ModelSettings = serde_json::from_str(&text)
      .map_err(|e| KompressError::Config(format!("{}: {e}", path.display())))?;
    if let Some(m) = s.max_len
      && !(4..=1 << 20).contains(&m)
    {
      return Err(KompressError::Config(format!(
        "max_len {m} out of range 4..=1048576"
      )));
    }
    for (name, v) in [("threshold", s.threshold), ("rate", s.rate)] {
      if let Some(v) = v
        && !(0.0..=1.0).contains(&v)
      {
        return Err(KompressError::Config(format!("{name} {v} not in 0..=1")));
      }
    }
    Ok(s)
  }
}

/// Per-call options.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct KompressOptions {
  /// LLMLingua-2: the fraction of words to keep (0..=1). `None`: the model's `rate` (0.55)
  /// in balanced mode, 0.7 of it in aggressive mode. Ignored by Kompress-v2 models.
  pub target_rate: Option<f32>,
  /// Wall-clock budget for the call; past it (checked before each chunk) the call returns
  /// [`KompressError::Timeout`].
  pub budget: Option<Duration>,
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn providers_parse() {
    assert_eq!(Provider::parse("CPU").unwrap(), Provider::Cpu);
    assert_eq!(
      Provider::parse("cuda:1").unwrap(),
      Provider::Cuda { device_id: 1 }
    );
    assert_eq!(Provider::parse("coreml").unwrap().name(), "coreml");
    assert!(Provider::parse("tpu").is_err());
    assert!(Provider::parse("cuda:-1").is_err());
  }

  #[test]
  fn settings_parse_and_validate() {
    let dir = std::env::temp_dir().join(format!("hr-kompress-cfg-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    assert!(ModelSettings::load(&dir).unwrap().style.is_none());
    std::fs::write(
      dir.join("kompress.json"),
      r#"{"style":"kompress-v2","max_len":64}"#,
    )
    .unwrap();
    let s = ModelSettings::load(&dir).unwrap();
    assert_eq!((s.style, s.max_len), (Some(Style::KompressV2), Some(64)));
    std::fs::write(dir.join("kompress.json"), r#"{"rate":2}"#).unwrap();
    assert!(matches!(
      ModelSettings::load(&dir),
      Err(KompressError::Config(_))
    ));
    std::fs::write(dir.join("kompress.json"), r#"{"bogus":1}"#).unwrap();
    assert!(ModelSettings::load(&dir).is_err());
    std::fs::remove_dir_all(&dir).unwrap();
  }
}
