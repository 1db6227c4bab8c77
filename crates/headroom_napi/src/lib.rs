//! The napi binding (work in progress).
#![deny(clippy::all)]

use napi_derive::napi;

/// The version of the native addon.
#[napi]
pub fn native_version() -> &'static str {
  env!("CARGO_PKG_VERSION")
}
