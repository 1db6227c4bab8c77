//! Error mapping: core errors keep their stable code as the JS `error.code`.

use std::panic::{AssertUnwindSafe, catch_unwind};

use headroom_core::{Error as CoreError, ErrorCode};

/// The status type of binding errors: the stable code string.
#[derive(Debug, Clone, Copy)]
pub struct Code(pub ErrorCode);

impl AsRef<str> for Code {
  fn as_ref(&self) -> &str {
    self.0.as_str()
  }
}

/// A napi error whose JS `code` is the core error code.
pub type BindingError = napi::Error<Code>;

/// The one conversion from core errors to JS errors.
pub fn to_js(e: CoreError) -> BindingError {
  napi::Error::new(Code(e.code), e.message)
}

/// Runs `f`, turning a panic into an `INTERNAL` core error. `#[napi(catch_unwind)]` already
/// guards sync exports; this also covers libuv tasks and keeps the message.
pub fn guard<T>(f: impl FnOnce() -> Result<T, CoreError>) -> Result<T, CoreError> {
  catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|panic| {
    let what = panic
      .downcast_ref::<&str>()
      .map(|s| s.to_string())
      .or_else(|| panic.downcast_ref::<String>().cloned())
      .unwrap_or_else(|| "unknown panic".into());
    Err(CoreError::new(
      ErrorCode::Internal,
      format!("internal error (panic): {what}"),
    ))
  })
}

/// Renders an error as the `{"error":{"code","message"}}` envelope of async results.
pub fn error_envelope(e: &CoreError) -> String {
  serde_json::json!({ "error": { "code": e.code.as_str(), "message": e.message } }).to_string()
}
