//! The one error type of the core crates, with stable codes.

use std::fmt;

/// Stable, machine-readable error codes. The string form ([`ErrorCode::as_str`]) is the
/// public contract: it is what JS callers see as `error.code`. Never rename a variant's string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
  /// The input is not valid JSON.
  InvalidJson,
  /// The input is JSON, but not a request body or message list we understand.
  UnsupportedShape,
  /// The input exceeds a configured size limit.
  InputTooLarge,
  /// JSON nesting exceeds the configured depth limit.
  NestingTooDeep,
  /// Bytes that should be UTF-8 are not.
  InvalidUtf8,
  /// An option has an invalid value.
  InvalidOption,
  /// An argument has the wrong type (e.g. a number where text was expected).
  InvalidArgument,
  /// A retrieve hash the store has never held (or a malformed hash). Do not retry.
  UnknownHash,
  /// A retrieve hash whose entry expired or was evicted. Do not retry: re-run the source.
  Expired,
  /// The store could not be opened, read or written (I/O, permissions, corruption).
  StoreError,
  /// A shared store server (Redis) could not be reached, or it did not answer in time.
  /// Transient: the same call may succeed once the server is back.
  StoreUnavailable,
  /// A bug: a panic or broken invariant inside the native code. Reported, never crashes.
  Internal,
}

impl ErrorCode {
  /// The stable string form of the code.
  pub const fn as_str(self) -> &'static str {
    match self {
      ErrorCode::InvalidJson => "INVALID_JSON",
      ErrorCode::UnsupportedShape => "UNSUPPORTED_SHAPE",
      ErrorCode::InputTooLarge => "INPUT_TOO_LARGE",
      ErrorCode::NestingTooDeep => "NESTING_TOO_DEEP",
      ErrorCode::InvalidUtf8 => "INVALID_UTF8",
      ErrorCode::InvalidOption => "INVALID_OPTION",
      ErrorCode::InvalidArgument => "INVALID_ARGUMENT",
      ErrorCode::UnknownHash => "UNKNOWN_HASH",
      ErrorCode::Expired => "EXPIRED",
      ErrorCode::StoreError => "STORE_ERROR",
      ErrorCode::StoreUnavailable => "STORE_UNAVAILABLE",
      ErrorCode::Internal => "INTERNAL",
    }
  }

  /// Every code, for documentation and exhaustive tests.
  pub const ALL: [ErrorCode; 12] = [
    ErrorCode::InvalidJson,
    ErrorCode::UnsupportedShape,
    ErrorCode::InputTooLarge,
    ErrorCode::NestingTooDeep,
    ErrorCode::InvalidUtf8,
    ErrorCode::InvalidOption,
    ErrorCode::InvalidArgument,
    ErrorCode::UnknownHash,
    ErrorCode::Expired,
    ErrorCode::StoreError,
    ErrorCode::StoreUnavailable,
    ErrorCode::Internal,
  ];
}

impl fmt::Display for ErrorCode {
  fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    f.write_str(self.as_str())
  }
}

/// An error with a stable [`ErrorCode`] and a human-readable message that says what was
/// wrong and where (a byte offset or a JSON path when one is known).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Error {
  /// The stable code.
  pub code: ErrorCode,
  /// What was wrong and where.
  pub message: String,
}

impl Error {
  /// Builds an error from a code and a message.
  pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
    Self {
      code,
      message: message.into(),
    }
  }

  /// `INVALID_JSON` with a message.
  pub fn invalid_json(message: impl Into<String>) -> Self {
    Self::new(ErrorCode::InvalidJson, message)
  }

  /// `UNSUPPORTED_SHAPE` with a message.
  pub fn unsupported_shape(message: impl Into<String>) -> Self {
    Self::new(ErrorCode::UnsupportedShape, message)
  }

  /// `INVALID_ARGUMENT` with a message.
  pub fn invalid_argument(message: impl Into<String>) -> Self {
    Self::new(ErrorCode::InvalidArgument, message)
  }

  /// `INVALID_OPTION` with a message.
  pub fn invalid_option(message: impl Into<String>) -> Self {
    Self::new(ErrorCode::InvalidOption, message)
  }
}

/// Result alias for the core crates.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn codes_are_unique_and_upper_snake() {
    let mut seen = std::collections::HashSet::new();
    for code in ErrorCode::ALL {
      let s = code.as_str();
      assert!(seen.insert(s), "duplicate code {s}");
      assert!(
        s.chars()
          .all(|c| c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit())
      );
    }
  }

  #[test]
  fn display_is_the_message() {
    let e = Error::invalid_json("expected value at line 1 column 2 (byte 1)");
    assert_eq!(e.to_string(), "expected value at line 1 column 2 (byte 1)");
    assert_eq!(e.code.as_str(), "INVALID_JSON");
  }
}
