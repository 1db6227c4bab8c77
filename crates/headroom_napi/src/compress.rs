//! Request compression: sync entry points for small inputs, libuv tasks for large ones.
//! Every entry takes an optional store; without one, the default store is used (see
//! `store.rs`), which also holds the memo that keeps history byte-stable.

use std::sync::Arc;

use headroom_core::Error as CoreError;
use headroom_messages::options::Options;
use napi::bindgen_prelude::{AbortSignal, AsyncTask, Buffer, Either};
use napi::{Env, Task};
use napi_derive::napi;

use crate::error::{BindingError, error_envelope, guard, to_js};
use crate::store::{BindingStore, Shared, default_shared};

fn bytes(input: &Either<Buffer, String>) -> &[u8] {
  match input {
    Either::A(buf) => buf.as_ref(),
    Either::B(s) => s.as_bytes(),
  }
}

fn parse_options(json: Option<&str>) -> Result<Options, CoreError> {
  let mut opts = Options::from_json(json.unwrap_or(""))?;
  // Whatever model is loaded when the call starts (see `kompress.rs`).
  opts.kompress_model = crate::kompress::current();
  Ok(opts)
}

/// The explicit store, or the default one.
fn shared(store: Option<&BindingStore>) -> Result<Arc<Shared>, BindingError> {
  match store {
    Some(s) => s.shared(),
    None => Ok(default_shared().0),
  }
}

fn run_compress(
  input: &[u8],
  opts_json: Option<&str>,
  shared: &Shared,
) -> Result<String, CoreError> {
  guard(|| {
    let opts = parse_options(opts_json)?;
    let out = headroom_messages::compress_request_with(input, &opts, &shared.memo, &*shared.store)?;
    Ok(out.to_json())
  })
}

fn run_compress_body(
  input: &[u8],
  opts_json: Option<&str>,
  shared: &Shared,
) -> Result<(Vec<u8>, String), CoreError> {
  guard(|| {
    let opts = parse_options(opts_json)?;
    let out = headroom_messages::compress_request_with(input, &opts, &shared.memo, &*shared.store)?;
    let report = serde_json::to_string(&out.report)
      .map_err(|e| CoreError::new(headroom_core::ErrorCode::Internal, e.to_string()))?;
    Ok((out.body, report))
  })
}

/// Compresses a request body or message array (JSON text or UTF-8 bytes). Returns the
/// result as JSON: the report plus `body` (or `messages` for an array) holding the output.
#[napi(catch_unwind)]
pub fn compress_json(
  input: Either<Buffer, String>,
  options: Option<String>,
  store: Option<&BindingStore>,
) -> Result<String, BindingError> {
  let shared = shared(store)?;
  run_compress(bytes(&input), options.as_deref(), &shared).map_err(to_js)
}

/// The libuv task behind `compressJsonAsync`.
pub struct CompressTask {
  input: Vec<u8>,
  options: Option<String>,
  shared: Arc<Shared>,
}

impl Task for CompressTask {
  type Output = String;
  type JsValue = String;

  fn compute(&mut self) -> napi::Result<String> {
    let input = std::mem::take(&mut self.input);
    Ok(
      run_compress(&input, self.options.as_deref(), &self.shared)
        .unwrap_or_else(|e| error_envelope(&e)),
    )
  }

  fn resolve(&mut self, _env: Env, output: String) -> napi::Result<String> {
    Ok(output)
  }
}

/// `compressJson` on the libuv thread pool. Resolves to the result JSON, or to
/// `{"error":{"code","message"}}` (rethrown with its code by `index.ts`).
#[napi(ts_return_type = "Promise<string>")]
pub fn compress_json_async(
  input: Either<Buffer, String>,
  options: Option<String>,
  store: Option<&BindingStore>,
  signal: Option<AbortSignal>,
) -> Result<AsyncTask<CompressTask>, BindingError> {
  let shared = shared(store)?;
  let input = bytes(&input).to_vec();
  Ok(AsyncTask::with_optional_signal(
    CompressTask {
      input,
      options,
      shared,
    },
    signal,
  ))
}

/// A compressed request body.
#[napi(object)]
pub struct BindingBodyResult {
  /// The output body; byte-identical to the input outside edited strings.
  pub body: Option<Buffer>,
  /// The report as JSON (`tokensBefore`, `transforms`, `skipped`, ...), or the error
  /// envelope when `body` is absent.
  pub report: String,
}

/// Compresses a request body by byte-range splicing: every byte outside the edited
/// strings is identical to the input. Throws on errors (with `code`).
#[napi(catch_unwind)]
pub fn compress_body(
  input: Either<Buffer, String>,
  options: Option<String>,
  store: Option<&BindingStore>,
) -> Result<BindingBodyResult, BindingError> {
  let shared = shared(store)?;
  let (body, report) =
    run_compress_body(bytes(&input), options.as_deref(), &shared).map_err(to_js)?;
  Ok(BindingBodyResult {
    body: Some(body.into()),
    report,
  })
}

/// The libuv task behind `compressBodyAsync`.
pub struct CompressBodyTask {
  input: Vec<u8>,
  options: Option<String>,
  shared: Arc<Shared>,
}

impl Task for CompressBodyTask {
  type Output = Result<(Vec<u8>, String), String>;
  type JsValue = BindingBodyResult;

  fn compute(&mut self) -> napi::Result<Self::Output> {
    let input = std::mem::take(&mut self.input);
    Ok(
      run_compress_body(&input, self.options.as_deref(), &self.shared)
        .map_err(|e| error_envelope(&e)),
    )
  }

  fn resolve(&mut self, _env: Env, output: Self::Output) -> napi::Result<BindingBodyResult> {
    Ok(match output {
      Ok((body, report)) => BindingBodyResult {
        body: Some(body.into()),
        report,
      },
      Err(envelope) => BindingBodyResult {
        body: None,
        report: envelope,
      },
    })
  }
}

/// `compressBody` on the libuv thread pool; errors come back as data (`body` absent).
#[napi(ts_return_type = "Promise<BindingBodyResult>")]
pub fn compress_body_async(
  input: Either<Buffer, String>,
  options: Option<String>,
  store: Option<&BindingStore>,
  signal: Option<AbortSignal>,
) -> Result<AsyncTask<CompressBodyTask>, BindingError> {
  let shared = shared(store)?;
  let input = bytes(&input).to_vec();
  Ok(AsyncTask::with_optional_signal(
    CompressBodyTask {
      input,
      options,
      shared,
    },
    signal,
  ))
}

/// A compressed text. The text travels as its own string: a large text is never escaped
/// into JSON and parsed back.
#[napi(object)]
pub struct BindingTextResult {
  /// The (possibly) compressed text; absent on error.
  pub text: Option<String>,
  /// The `TextResult` as JSON with an empty `text`, or the error envelope when `text` is
  /// absent.
  pub report: String,
}

/// Runs `compress_text` and splits the report: (text, report JSON with an empty text).
fn run_compress_text(
  text: &str,
  opts_json: Option<&str>,
  shared: &Shared,
) -> Result<(String, String), CoreError> {
  guard(|| {
    let opts = parse_options(opts_json)?;
    let mut report = headroom_messages::compress_text(text, &opts, &shared.memo, &*shared.store);
    let text = std::mem::take(&mut report.text);
    let json = serde_json::to_string(&report)
      .map_err(|e| CoreError::new(headroom_core::ErrorCode::Internal, e.to_string()))?;
    Ok((text, json))
  })
}

fn text_result(out: Result<(String, String), CoreError>) -> BindingTextResult {
  match out {
    Ok((text, report)) => BindingTextResult {
      text: Some(text),
      report,
    },
    Err(e) => BindingTextResult {
      text: None,
      report: error_envelope(&e),
    },
  }
}

/// Compresses one text (not a request). Errors come back as data (`text` absent).
#[napi(catch_unwind)]
pub fn compress_text(
  text: String,
  options: Option<String>,
  store: Option<&BindingStore>,
) -> Result<BindingTextResult, BindingError> {
  let shared = shared(store)?;
  Ok(text_result(run_compress_text(
    &text,
    options.as_deref(),
    &shared,
  )))
}

/// Answers the `headroom_retrieve` calls in a provider response from the store. Returns
/// `{provider, results, resolved, otherCalls}` as JSON, where `results` holds the messages
/// (or Responses input items) to append.
#[napi(catch_unwind)]
pub fn resolve_retrieve_calls_json(
  response: String,
  store: Option<&BindingStore>,
) -> Result<String, BindingError> {
  struct ByStore<'a>(&'a headroom_store::Store);
  impl headroom_messages::retrieve_calls::Retriever for ByStore<'_> {
    fn retrieve(&self, hash: &str, query: Option<&str>) -> headroom_core::Result<String> {
      let r = self.0.retrieve(hash, query)?;
      Ok(match query {
        Some(q) => format!(
          "{}\n[{} of {} {} match {:?}]",
          r.text, r.matched_units, r.total_units, r.unit, q
        ),
        None => r.text,
      })
    }
  }
  let shared = shared(store)?;
  guard(|| {
    let r = headroom_messages::retrieve_calls::resolve(&response, &ByStore(&shared.store))?;
    let results: serde_json::Value = serde_json::from_str(&r.results)
      .map_err(|e| CoreError::new(headroom_core::ErrorCode::Internal, e.to_string()))?;
    Ok(
      serde_json::json!({
        "provider": r.provider.as_str(), "results": results,
        "resolved": r.resolved, "otherCalls": r.other_calls,
      })
      .to_string(),
    )
  })
  .map_err(to_js)
}

/// Appends the elements of `items` (a JSON array of messages or Responses input items) to
/// a request body's `messages` (or `input`) by byte splice: every byte already in the body
/// stays as it was. How a proxy continues a turn after answering retrieve calls.
#[napi(catch_unwind)]
pub fn append_items(body: Either<Buffer, String>, items: String) -> Result<Buffer, BindingError> {
  guard(|| {
    let text = match &body {
      Either::A(b) => std::str::from_utf8(b)
        .map_err(|e| CoreError::invalid_json(format!("body is not UTF-8: {e}")))?,
      Either::B(s) => s.as_str(),
    };
    let out = headroom_messages::continuation::append_items(text, &items)?;
    Ok(Buffer::from(out.into_bytes()))
  })
  .map_err(to_js)
}

/// Sorts a request body's tool definitions by name (opt-in prefix stabilisation), by byte
/// splice: each definition keeps its bytes. Returns `null` when already sorted or there are
/// no tools.
#[napi(catch_unwind)]
pub fn sort_tools(body: Either<Buffer, String>) -> Result<Option<Buffer>, BindingError> {
  guard(|| {
    let text = match &body {
      Either::A(b) => std::str::from_utf8(b)
        .map_err(|e| CoreError::invalid_json(format!("body is not UTF-8: {e}")))?,
      Either::B(s) => s.as_str(),
    };
    Ok(headroom_messages::tool_order::sort_tools(text)?.map(|s| Buffer::from(s.into_bytes())))
  })
  .map_err(to_js)
}

/// Zero-silent-loss check of one tool output against its compressed form. With no
/// `strategy` (or a `json:` one) the JSON checker runs: every item of `input` is present in
/// `output` or covered by a marker whose stored original (from the store) holds it, and
/// marker counts add up. Other strategies (`log:`, `search:`, `diff:`, `code:`, `text:`,
/// `html:`, `mixed(`) use the text checker for their units. Returns the report as JSON, or
/// throws `INVALID_ARGUMENT` describing the first violation.
#[napi(catch_unwind)]
pub fn check_no_silent_loss_json(
  input: String,
  output: String,
  store: Option<&BindingStore>,
  strategy: Option<String>,
) -> Result<String, BindingError> {
  let shared = shared(store)?;
  guard(|| {
    let fetch = |h: &str| shared.store.get(h).ok();
    let hashes = |text: &str| {
      let mut v: Vec<&str> = headroom_core::marker::find_marker_hashes(text);
      v.dedup();
      v.into_iter().map(str::to_string).collect::<Vec<_>>()
    };
    let (markers, omitted) = match strategy.as_deref().filter(|s| !s.starts_with("json:")) {
      None => {
        let r = headroom_json::checker::check(&input, &output, &fetch).map_err(|v| {
          CoreError::invalid_argument(format!("silent loss at {}: {}", v.path, v.message))
        })?;
        (r.markers, r.omitted.into_iter().map(|(u, n)| (u, n as u64)).collect::<Vec<_>>())
      }
      Some(strategy) => {
        let r = headroom_messages::verify::verify(&input, &output, strategy, &fetch)
          .map_err(|e| CoreError::invalid_argument(format!("silent loss: {e}")))?;
        (r.markers, r.omitted)
      }
    };
    Ok(
      serde_json::json!({
        "markers": markers, "hashes": hashes(&output),
        "omitted": omitted.iter().map(|(u, n)| serde_json::json!({"unit": u, "count": n})).collect::<Vec<_>>(),
      })
      .to_string(),
    )
  })
  .map_err(to_js)
}

/// Counts the tokens of a request body or message array, per-message framing included.
#[napi(catch_unwind)]
pub fn count_message_tokens(
  input: Either<Buffer, String>,
  model: Option<String>,
) -> Result<u32, BindingError> {
  guard(|| {
    headroom_messages::count_request(
      bytes(&input),
      model.as_deref(),
      headroom_core::limits::DEFAULT_MAX_INPUT_BYTES,
    )
    .map(|n| n as u32)
  })
  .map_err(to_js)
}

/// A task that panics in `compute`, for [`crate::internal_panic_probe_async`].
pub struct PanicProbeTask;

impl Task for PanicProbeTask {
  type Output = String;
  type JsValue = String;

  fn compute(&mut self) -> napi::Result<String> {
    Ok(
      guard(|| -> Result<String, CoreError> { panic!("panic probe (async)") })
        .unwrap_or_else(|e| error_envelope(&e)),
    )
  }

  fn resolve(&mut self, _env: Env, output: String) -> napi::Result<String> {
    Ok(output)
  }
}

/// Every skip reason the native code can report (the TypeScript `SkipReason` union is
/// checked against this list in the test suite).
#[napi]
pub fn skip_reasons() -> Vec<&'static str> {
  headroom_messages::policy::SkipReason::ALL
    .iter()
    .map(|r| r.as_str())
    .collect()
}

/// Every stable error code (checked against the TypeScript `ErrorCode` union in tests).
#[napi]
pub fn error_codes() -> Vec<&'static str> {
  headroom_core::ErrorCode::ALL
    .iter()
    .map(|c| c.as_str())
    .collect()
}

/// The `headroom_retrieve` tool definition for `provider` (`anthropic`, `openai`,
/// `openai-responses`), as JSON.
#[napi(catch_unwind)]
pub fn retrieve_tool_json(provider: String) -> Result<String, BindingError> {
  use headroom_messages::Provider;
  let p = match provider.as_str() {
    "anthropic" => Provider::Anthropic,
    "openai" => Provider::OpenaiChat,
    "openai-responses" => Provider::OpenaiResponses,
    other => {
      return Err(to_js(CoreError::invalid_option(format!(
        "unknown provider {other:?}; expected \"anthropic\", \"openai\" or \"openai-responses\""
      ))));
    }
  };
  Ok(headroom_messages::retrieve_tool::definition(p))
}

/// The libuv task behind `compressTextAsync`.
pub struct CompressTextTask {
  text: String,
  options: Option<String>,
  shared: Arc<Shared>,
}

impl Task for CompressTextTask {
  type Output = Result<(String, String), String>;
  type JsValue = BindingTextResult;

  fn compute(&mut self) -> napi::Result<Self::Output> {
    let text = std::mem::take(&mut self.text);
    Ok(
      run_compress_text(&text, self.options.as_deref(), &self.shared)
        .map_err(|e| error_envelope(&e)),
    )
  }

  fn resolve(&mut self, _env: Env, output: Self::Output) -> napi::Result<BindingTextResult> {
    Ok(match output {
      Ok((text, report)) => BindingTextResult {
        text: Some(text),
        report,
      },
      Err(report) => BindingTextResult { text: None, report },
    })
  }
}

/// `compressText` on the libuv thread pool; errors come back as data (`text` absent).
#[napi(ts_return_type = "Promise<BindingTextResult>")]
pub fn compress_text_async(
  text: String,
  options: Option<String>,
  store: Option<&BindingStore>,
  signal: Option<AbortSignal>,
) -> Result<AsyncTask<CompressTextTask>, BindingError> {
  let shared = shared(store)?;
  Ok(AsyncTask::with_optional_signal(
    CompressTextTask {
      text,
      options,
      shared,
    },
    signal,
  ))
}
