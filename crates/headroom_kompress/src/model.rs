//! A loaded model: ONNX session, tokenizer, settings, and the compress call.

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use headroom_core::marker::{Marker, find_markers};
use headroom_core::output::store_original;
use headroom_core::{Compressed, Mode, Params};
use ort::session::builder::{GraphOptimizationLevel, SessionBuilder};
use ort::session::{Session, SessionInputValue};
use ort::value::{Tensor, TensorElementType, ValueType};
use tokenizers::Tokenizer;

use crate::KompressError;
use crate::chunk::{self, TokenMap};
use crate::config::{KompressConfig, KompressOptions, ModelSettings, Provider, Style};
use crate::runtime::{Runtime, runtime};
use crate::select;
use crate::words::{KeepList, mark_forced, split_words};

/// Default model window (tokens, special tokens included).
pub const DEFAULT_MAX_LEN: usize = 512;
/// Default LLMLingua-2 keep rate in balanced mode.
pub const DEFAULT_RATE: f32 = 0.55;
/// Aggressive mode keeps this fraction of the balanced rate.
pub const AGGRESSIVE_FACTOR: f32 = 0.7;
/// Default Kompress-v2 keep threshold.
pub const DEFAULT_THRESHOLD: f32 = 0.5;

/// Integer type of the model's id inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum IdType {
  I64,
  I32,
}

/// What one call did (for benchmarks and logs).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct KompressStats {
  /// Words in the input.
  pub words: usize,
  /// Model tokens scored (special tokens excluded).
  pub tokens: usize,
  /// Chunks run through the model.
  pub chunks: usize,
  /// Time spent in the tokenizer.
  pub tokenize: std::time::Duration,
  /// Time spent in ONNX Runtime (tensors in, scores out).
  pub inference: std::time::Duration,
}

/// A loaded token-classification model. Load once (off the request path) and share:
/// it is `Send + Sync`; concurrent calls take turns on the session, chunk by chunk.
pub struct Kompress {
  session: Mutex<Session>,
  tokenizer: Tokenizer,
  style: Style,
  output: String,
  ids_input: String,
  mask_input: Option<String>,
  type_input: Option<String>,
  id_type: IdType,
  max_len: usize,
  prefix: Vec<i64>,
  suffix: Vec<i64>,
  settings: ModelSettings,
  provider: &'static str,
  fallback_reason: Option<String>,
  runtime: Arc<Runtime>,
  model_dir: PathBuf,
}

impl std::fmt::Debug for Kompress {
  fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
    f.debug_struct("Kompress")
      .field("model_dir", &self.model_dir)
      .field("style", &self.style)
      .field("output", &self.output)
      .field("max_len", &self.max_len)
      .field("provider", &self.provider)
      .field("fallback_reason", &self.fallback_reason)
      .field("runtime", &self.runtime)
      .finish_non_exhaustive()
  }
}

fn ort_err(e: impl std::fmt::Display) -> KompressError {
  KompressError::Model(e.to_string())
}

impl Kompress {
  /// Loads the model in `config.model_dir` (or `$HEADROOM_KOMPRESS_MODEL`): `model.onnx`,
  /// `tokenizer.json` and the optional `kompress.json`. Nothing is downloaded. The ONNX
  /// Runtime library is found and loaded on first use (see [`crate::runtime`]). A provider
  /// other than CPU that fails to register or initialise falls back to CPU, with the reason
  /// in [`Kompress::fallback_reason`].
  pub fn load(config: &KompressConfig) -> Result<Kompress, KompressError> {
    let dir = config.resolve_model_dir()?;
    let model_path = dir.join("model.onnx");
    let tokenizer_path = dir.join("tokenizer.json");
    for p in [&model_path, &tokenizer_path] {
      if !p.is_file() {
        return Err(KompressError::ModelFile(p.clone()));
      }
    }
    let settings = ModelSettings::load(&dir)?;
    let tokenizer = load_tokenizer(&tokenizer_path)?;
    let rt = runtime(config.library.as_deref())?;

    let (session, provider, fallback_reason) = open_session(&rt, &model_path, config)?;
    let mut k = Kompress {
      session: Mutex::new(session),
      tokenizer,
      style: Style::Llmlingua2,
      output: String::new(),
      ids_input: String::new(),
      mask_input: None,
      type_input: None,
      id_type: IdType::I64,
      max_len: settings.max_len.unwrap_or(DEFAULT_MAX_LEN),
      prefix: Vec::new(),
      suffix: Vec::new(),
      settings,
      provider,
      fallback_reason,
      runtime: rt,
      model_dir: dir,
    };
    k.inspect_io()?;
    k.find_special_tokens()?;
    if let Some(why) = &k.fallback_reason
      && std::env::var_os("HEADROOM_KOMPRESS_LOG").is_some()
    {
      eprintln!("[headroom] kompress: using the CPU provider: {why}");
    }
    Ok(k)
  }

  fn inspect_io(&mut self) -> Result<(), KompressError> {
    let session = self.session.get_mut().unwrap_or_else(|p| p.into_inner());
    let mut id_types = Vec::new();
    for input in session.inputs() {
      let name = input.name().to_string();
      match name.as_str() {
        "input_ids" => self.ids_input = name,
        "attention_mask" => self.mask_input = Some(name),
        "token_type_ids" => self.type_input = Some(name),
        other => {
          return Err(KompressError::Model(format!(
            "unexpected model input {other:?} (supported: input_ids, attention_mask, \
             token_type_ids)"
          )));
        }
      }
      id_types.push(input.dtype().tensor_type());
    }
    if self.ids_input.is_empty() {
      return Err(KompressError::Model(
        "the model has no `input_ids` input".into(),
      ));
    }
    self.id_type = match id_types.first().copied().flatten() {
      Some(TensorElementType::Int64) => IdType::I64,
      Some(TensorElementType::Int32) => IdType::I32,
      other => {
        return Err(KompressError::Model(format!(
          "id inputs must be int64 or int32, not {other:?}"
        )));
      }
    };
    if id_types.iter().any(|t| *t != id_types[0]) {
      return Err(KompressError::Model(
        "all id inputs must share one integer type".into(),
      ));
    }

    let outputs: Vec<(String, ValueType)> = session
      .outputs()
      .iter()
      .map(|o| (o.name().to_string(), o.dtype().clone()))
      .collect();
    let has = |n: &str| outputs.iter().any(|(name, _)| name == n);
    let output = match &self.settings.output {
      Some(o) if has(o) => o.clone(),
      Some(o) => return Err(KompressError::Model(format!("no output named {o:?}"))),
      None if has("final_scores") => "final_scores".to_string(),
      None if has("logits") => "logits".to_string(),
      None => {
        return Err(KompressError::Model(format!(
          "no `final_scores` or `logits` output (outputs: {:?})",
          outputs.iter().map(|o| &o.0).collect::<Vec<_>>()
        )));
      }
    };
    self.style = match (self.settings.style, output.as_str()) {
      (Some(s), _) => s,
      (None, "final_scores") => Style::KompressV2,
      (None, "logits") => Style::Llmlingua2,
      (None, other) => {
        return Err(KompressError::Model(format!(
          "cannot tell the model style from output {other:?}: set \"style\" in kompress.json"
        )));
      }
    };
    let (_, dtype) = outputs.iter().find(|(n, _)| *n == output).expect("present");
    if dtype.tensor_type() != Some(TensorElementType::Float32) {
      return Err(KompressError::Model(format!(
        "output {output:?} must be float32, not {dtype:?}"
      )));
    }
    self.output = output;
    Ok(())
  }

  fn find_special_tokens(&mut self) -> Result<(), KompressError> {
    let enc = self
      .tokenizer
      .encode("a", true)
      .map_err(|e| KompressError::Tokenizer(e.to_string()))?;
    let mask = enc.get_special_tokens_mask();
    let ids = enc.get_ids();
    let first = mask.iter().position(|m| *m == 0).unwrap_or(mask.len());
    let last = mask.iter().rposition(|m| *m == 0).map_or(first, |p| p + 1);
    self.prefix = ids[..first].iter().map(|&i| i64::from(i)).collect();
    self.suffix = ids[last.max(first)..]
      .iter()
      .map(|&i| i64::from(i))
      .collect();
    if self.prefix.len() + self.suffix.len() >= self.max_len {
      return Err(KompressError::Config(format!(
        "max_len {} leaves no room next to {} special tokens",
        self.max_len,
        self.prefix.len() + self.suffix.len()
      )));
    }
    Ok(())
  }

  /// The execution provider in use: `cpu`, `cuda` or `coreml`.
  pub fn provider(&self) -> &str {
    self.provider
  }

  /// Why the requested provider was not used (`None` when it was).
  pub fn fallback_reason(&self) -> Option<&str> {
    self.fallback_reason.as_deref()
  }

  /// The model family in use.
  pub fn style(&self) -> Style {
    self.style
  }

  /// The model window in tokens (special tokens included).
  pub fn max_len(&self) -> usize {
    self.max_len
  }

  /// The loaded ONNX Runtime (library path and version).
  pub fn runtime(&self) -> &Runtime {
    &self.runtime
  }

  /// The model directory.
  pub fn model_dir(&self) -> &Path {
    &self.model_dir
  }

  /// The strategy name of this model's outputs: `kompress:llmlingua2` or `kompress:v2`.
  pub fn strategy(&self) -> String {
    format!("kompress:{}", self.style.name())
  }

  /// Compresses prose by dropping low-scoring words (see the crate docs).
  ///
  /// `Ok(None)`: nothing to do (blank or one-word input, lossless mode or no store, nothing
  /// dropped). `Err(Timeout)`: the budget ran out between chunks; other errors: the model
  /// failed. The output's kept words are input words, in order; one marker at the end counts
  /// the dropped words.
  pub fn compress(
    &self,
    text: &str,
    params: &Params<'_>,
    opts: &KompressOptions,
  ) -> Result<Option<Compressed>, KompressError> {
    self.compress_with_stats(text, params, opts).map(|(c, _)| c)
  }

  /// [`Kompress::compress`], also returning what the call did.
  pub fn compress_with_stats(
    &self,
    text: &str,
    params: &Params<'_>,
    opts: &KompressOptions,
  ) -> Result<(Option<Compressed>, KompressStats), KompressError> {
    let mut stats = KompressStats::default();
    let out = self.compress_inner(text, params, opts, &mut stats)?;
    Ok((out, stats))
  }

  fn compress_inner(
    &self,
    text: &str,
    params: &Params<'_>,
    opts: &KompressOptions,
    stats: &mut KompressStats,
  ) -> Result<Option<Compressed>, KompressError> {
    let started = Instant::now();
    if !params.may_elide() {
      return Ok(None);
    }
    let rate = self.rate(params.mode, opts)?;
    let mut words = split_words(text);
    stats.words = words.len();
    if words.len() < 2 {
      return Ok(None);
    }
    let protected: Vec<_> = find_markers(text).into_iter().map(|(r, _)| r).collect();
    let keep_list = KeepList::new(&self.settings.force_keep, params.query);
    mark_forced(text, &mut words, &keep_list, &protected);

    let scores = self.score(text, &words, started, opts, stats)?;
    let keep = match self.style {
      Style::Llmlingua2 => select::by_rate(&words, &scores, rate),
      Style::KompressV2 => select::by_threshold(
        &words,
        &scores,
        self.settings.threshold.unwrap_or(DEFAULT_THRESHOLD),
      ),
    };
    let omitted = keep.iter().filter(|k| !**k).count();
    if omitted == 0 {
      return Ok(None);
    }
    let Some(key) = store_original(params, text) else {
      return Ok(None);
    };
    let breakdown = match self.style {
      Style::Llmlingua2 => format!("kompress rate {rate:.2}"),
      Style::KompressV2 => format!(
        "kompress threshold {:.2}",
        self.settings.threshold.unwrap_or(DEFAULT_THRESHOLD)
      ),
    };
    let marker = Marker {
      omitted: omitted as u64,
      total: words.len() as u64,
      unit: "words",
      breakdown: Some(&breakdown),
      hash: &key,
    }
    .render();
    Ok(Some(Compressed {
      text: select::render(text, &words, &keep, &marker),
      strategy: self.strategy(),
      hashes: vec![key],
      o200k: None,
    }))
  }

  fn rate(&self, mode: Mode, opts: &KompressOptions) -> Result<f32, KompressError> {
    let rate = match opts.target_rate {
      Some(r) => r,
      None => {
        let base = self.settings.rate.unwrap_or(DEFAULT_RATE);
        if mode == Mode::Aggressive {
          base * AGGRESSIVE_FACTOR
        } else {
          base
        }
      }
    };
    if !(0.0..=1.0).contains(&rate) {
      return Err(KompressError::Config(format!(
        "target_rate {rate} not in 0..=1"
      )));
    }
    Ok(rate)
  }

  /// Keep scores per word (`None`: the word has no token).
  fn score(
    &self,
    text: &str,
    words: &[crate::words::Word],
    started: Instant,
    opts: &KompressOptions,
    stats: &mut KompressStats,
  ) -> Result<Vec<Option<f32>>, KompressError> {
    let t = Instant::now();
    let map = self.tokenize(text, words)?;
    stats.tokenize = t.elapsed();
    let budget = self.max_len - self.prefix.len() - self.suffix.len();
    let chunks = chunk::plan(words, &map.word_tokens, budget);
    stats.chunks = chunks.len();
    stats.tokens = chunks.iter().map(|c| c.len()).sum();
    let mut token_scores = vec![f32::NAN; map.ids.len()];
    for (n, c) in chunks.iter().enumerate() {
      if let Some(b) = opts.budget
        && started.elapsed() >= b
      {
        return Err(KompressError::Timeout {
          budget: b,
          chunks_done: n,
          chunks_total: chunks.len(),
        });
      }
      let t = Instant::now();
      let probs = self.run_chunk(&map.ids[c.clone()])?;
      stats.inference += t.elapsed();
      token_scores[c.clone()].copy_from_slice(&probs);
    }
    Ok(chunk::word_scores(&map.word_tokens, &token_scores))
  }

  fn tokenize(&self, text: &str, words: &[crate::words::Word]) -> Result<TokenMap, KompressError> {
    let mut map = TokenMap {
      ids: Vec::with_capacity(text.len() / 4),
      word_tokens: vec![0..0; words.len()],
    };
    for seg in chunk::segments(words) {
      let base = words[seg.start].span.start;
      let piece = &text[base..words[seg.end - 1].span.end];
      let enc = self
        .tokenizer
        .encode(piece, false)
        .map_err(|e| KompressError::Tokenizer(e.to_string()))?;
      chunk::attach(&mut map, words, seg, base, enc.get_ids(), enc.get_offsets());
    }
    Ok(map)
  }

  /// Runs one chunk (without special tokens) and returns its tokens' keep probabilities.
  fn run_chunk(&self, tokens: &[i64]) -> Result<Vec<f32>, KompressError> {
    let mut ids = Vec::with_capacity(tokens.len() + self.prefix.len() + self.suffix.len());
    ids.extend_from_slice(&self.prefix);
    ids.extend_from_slice(tokens);
    ids.extend_from_slice(&self.suffix);
    let n = ids.len();
    let mut inputs: Vec<(Cow<'_, str>, SessionInputValue<'_>)> = Vec::with_capacity(3);
    inputs.push((Cow::Borrowed(&self.ids_input), self.id_tensor(ids)?));
    if let Some(m) = &self.mask_input {
      inputs.push((Cow::Borrowed(m), self.id_tensor(vec![1; n])?));
    }
    if let Some(t) = &self.type_input {
      inputs.push((Cow::Borrowed(t), self.id_tensor(vec![0; n])?));
    }
    let mut session = self.session.lock().unwrap_or_else(|p| p.into_inner());
    let outputs = session
      .run(inputs)
      .map_err(|e| KompressError::Inference(e.to_string()))?;
    let (shape, data) = outputs[self.output.as_str()]
      .try_extract_tensor::<f32>()
      .map_err(|e| KompressError::Inference(e.to_string()))?;
    let dims: Vec<i64> = shape.iter().copied().collect();
    let start = self.prefix.len();
    let end = start + tokens.len();
    let shape_err = || {
      KompressError::Model(format!(
        "output {:?} has shape {dims:?} for {n} tokens",
        self.output
      ))
    };
    match self.style {
      Style::Llmlingua2 => {
        let [1, s, c] = dims[..] else {
          return Err(shape_err());
        };
        if s as usize != n || c < 2 || data.len() != n * c as usize {
          return Err(shape_err());
        }
        let c = c as usize;
        Ok(
          (start..end)
            .map(|t| keep_probability(&data[t * c..(t + 1) * c]))
            .collect(),
        )
      }
      Style::KompressV2 => {
        let ok = matches!(dims[..], [1, s] | [1, s, 1] if s as usize == n);
        if !ok || data.len() != n {
          return Err(shape_err());
        }
        Ok(data[start..end].to_vec())
      }
    }
  }

  fn id_tensor(&self, ids: Vec<i64>) -> Result<SessionInputValue<'static>, KompressError> {
    let shape = [1usize, ids.len()];
    let v = match self.id_type {
      IdType::I64 => Tensor::from_array((shape, ids)).map(SessionInputValue::from),
      IdType::I32 => {
        let ids: Vec<i32> = ids
          .into_iter()
          .map(|i| i32::try_from(i).unwrap_or(i32::MAX))
          .collect();
        Tensor::from_array((shape, ids)).map(SessionInputValue::from)
      }
    };
    v.map_err(|e| KompressError::Inference(e.to_string()))
  }
}

/// Softmax probability of class 1 ("keep") from one token's logits.
fn keep_probability(logits: &[f32]) -> f32 {
  let l1 = logits[1];
  let denom: f32 = logits.iter().map(|&l| (l - l1).exp()).sum();
  1.0 / denom
}

fn load_tokenizer(path: &Path) -> Result<Tokenizer, KompressError> {
  let mut t = Tokenizer::from_file(path)
    .map_err(|e| KompressError::Tokenizer(format!("{}: {e}", path.display())))?;
  // A tokenizer.json may carry truncation (often 512): it would silently drop every token
  // past the window, the very loss chunking prevents. Padding is ours to do too.
  t.with_truncation(None)
    .map_err(|e| KompressError::Tokenizer(e.to_string()))?;
  t.with_padding(None);
  Ok(t)
}

fn builder(rt: &Runtime, config: &KompressConfig) -> Result<SessionBuilder, KompressError> {
  let mut b = Session::builder(&rt.env)
    .map_err(ort_err)?
    .with_optimization_level(GraphOptimizationLevel::Level3)
    .map_err(ort_err)?;
  if let Some(n) = config.threads {
    b = b.with_intra_threads(n.max(1)).map_err(ort_err)?;
  }
  Ok(b)
}

/// Opens the session on the requested provider, falling back to CPU with a reason.
fn open_session(
  rt: &Runtime,
  model: &Path,
  config: &KompressConfig,
) -> Result<(Session, &'static str, Option<String>), KompressError> {
  let ep = match config.provider {
    Provider::Cpu => None,
    Provider::Cuda { device_id } => Some(
      ort::ep::CUDA::default()
        .with_device_id(device_id)
        .build()
        .error_on_failure(),
    ),
    Provider::CoreMl => Some(ort::ep::CoreML::default().build().error_on_failure()),
  };
  let mut fallback = None;
  if let Some(ep) = ep {
    // Provider errors are kept raw (`Inference`) so the reason reads as ONNX Runtime said it.
    let raw = |e: &dyn std::fmt::Display| KompressError::Inference(e.to_string());
    let attempt = builder(rt, config).and_then(|b| {
      b.with_execution_providers([ep])
        .map_err(|e| raw(&e))?
        .commit_from_file(model)
        .map_err(|e| raw(&e))
    });
    match attempt {
      Ok(s) => return Ok((s, config.provider.name(), None)),
      Err(e) => {
        let why = match e {
          KompressError::Inference(m) | KompressError::Model(m) => m,
          other => other.to_string(),
        };
        fallback = Some(format!(
          "{} provider unavailable: {}",
          config.provider.name(),
          why.trim()
        ))
      }
    }
  }
  let session = builder(rt, config)?
    .commit_from_file(model)
    .map_err(ort_err)?;
  Ok((session, "cpu", fallback))
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn softmax_keep_probability() {
    assert!((keep_probability(&[0.0, 0.0]) - 0.5).abs() < 1e-6);
    assert!(keep_probability(&[-2.0, 2.0]) > 0.98);
    assert!(keep_probability(&[3.0, -3.0, 0.0]) < 0.01);
  }

  #[test]
  fn kompress_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Kompress>();
  }
}
