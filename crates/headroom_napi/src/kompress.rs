//! Kompress: loading the neural prose model once, off the event loop, for every request.
//!
//! The model is never loaded on the request path: `loadKompress()` (a libuv task) or
//! `warmup()` (when `HEADROOM_KOMPRESS_MODEL` is set) loads it into one process-wide slot,
//! and each compression call takes a reference to whatever is loaded at its start.

use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use headroom_core::Error as CoreError;
use headroom_kompress::{Kompress, KompressConfig, Provider};
use headroom_messages::options::KompressHandle;
use napi::bindgen_prelude::AsyncTask;
use napi::{Env, Task};
use napi_derive::napi;
use serde::Deserialize;

use crate::error::{BindingError, error_envelope, guard, to_js};

static LOADED: RwLock<Option<KompressHandle>> = RwLock::new(None);
static LAST_ERROR: RwLock<Option<String>> = RwLock::new(None);

/// The loaded model, if any.
pub fn current() -> Option<KompressHandle> {
  LOADED.read().ok().and_then(|g| g.clone())
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct LoadOptions {
  model: Option<PathBuf>,
  library: Option<PathBuf>,
  provider: Option<String>,
  threads: Option<usize>,
}

fn info_json(k: &Kompress) -> String {
  serde_json::json!({
    "provider": k.provider(),
    "fallbackReason": k.fallback_reason(),
    "style": k.style().name(),
    "maxLen": k.max_len(),
    "modelDir": k.model_dir().display().to_string(),
    "strategy": k.strategy(),
    "runtime": {
      "library": k.runtime().library.display().to_string(),
      "version": k.runtime().version,
    },
  })
  .to_string()
}

fn load(options: Option<&str>) -> Result<String, CoreError> {
  let opts: LoadOptions = match options
    .map(str::trim)
    .filter(|s| !s.is_empty() && *s != "null")
  {
    Some(json) => serde_json::from_str(json)
      .map_err(|e| CoreError::invalid_option(format!("invalid Kompress options: {e}")))?,
    None => LoadOptions::default(),
  };
  let provider = match opts.provider.as_deref() {
    Some(p) => Provider::parse(p).map_err(CoreError::from)?,
    None => Provider::Cpu,
  };
  let config = KompressConfig {
    model_dir: opts.model,
    library: opts.library,
    provider,
    threads: opts.threads,
  };
  match Kompress::load(&config) {
    Ok(k) => {
      let info = info_json(&k);
      if let Ok(mut slot) = LOADED.write() {
        *slot = Some(KompressHandle(Arc::new(k)));
      }
      if let Ok(mut e) = LAST_ERROR.write() {
        *e = None;
      }
      Ok(info)
    }
    Err(e) => {
      let e = CoreError::from(e);
      if let Ok(mut last) = LAST_ERROR.write() {
        *last = Some(format!("{}: {}", e.code.as_str(), e.message));
      }
      Err(e)
    }
  }
}

/// Loads the model `HEADROOM_KOMPRESS_MODEL` names, if set and nothing is loaded yet (for
/// `warmup()`). Failures are kept for `kompressInfoJson` rather than thrown.
pub fn load_from_env() {
  let configured =
    std::env::var_os(headroom_kompress::config::MODEL_ENV).is_some_and(|v| !v.is_empty());
  if configured && current().is_none() {
    let _ = load(None);
  }
}

/// The libuv task behind `loadKompress`.
pub struct LoadKompressTask {
  options: Option<String>,
}

impl Task for LoadKompressTask {
  type Output = String;
  type JsValue = String;

  fn compute(&mut self) -> napi::Result<String> {
    let options = self.options.take();
    let run = std::panic::catch_unwind(|| load(options.as_deref()));
    Ok(match run {
      Ok(Ok(info)) => info,
      Ok(Err(e)) => error_envelope(&e),
      Err(_) => error_envelope(&CoreError::new(
        headroom_core::ErrorCode::Internal,
        "panic while loading the Kompress model",
      )),
    })
  }

  fn resolve(&mut self, _env: Env, output: String) -> napi::Result<String> {
    Ok(output)
  }
}

/// Loads a Kompress model (JSON options `{model?, library?, provider?, threads?}`) on the
/// libuv thread pool and makes it the one prose uses. Resolves to the model info JSON or
/// the error envelope.
#[napi(ts_return_type = "Promise<string>")]
pub fn load_kompress(options: Option<String>) -> AsyncTask<LoadKompressTask> {
  AsyncTask::new(LoadKompressTask { options })
}

/// Unloads the model: prose goes back to the extractive compressor.
#[napi(catch_unwind)]
pub fn unload_kompress() -> Result<(), BindingError> {
  guard(|| {
    if let Ok(mut slot) = LOADED.write() {
      *slot = None;
    }
    Ok(())
  })
  .map_err(to_js)
}

/// The loaded model's info as JSON (`null` when none), with the last load error.
#[napi(catch_unwind)]
pub fn kompress_info_json() -> Result<String, BindingError> {
  guard(|| {
    let model = current().map(|k| info_json(&k.0));
    let error = LAST_ERROR.read().ok().and_then(|e| e.clone());
    Ok(format!(
      "{{\"model\":{},\"lastError\":{}}}",
      model.unwrap_or_else(|| "null".into()),
      serde_json::to_string(&error).unwrap_or_else(|_| "null".into())
    ))
  })
  .map_err(to_js)
}
