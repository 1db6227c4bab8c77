//! # headroom_napi: the binding
//!
//! `#[napi]` glue only: argument conversion, error mapping, panic containment and libuv
//! tasks. All logic lives in the core crates (`headroom_tokens`, `headroom_detect`,
//! `headroom_messages`). One file per domain.
//!
//! Conventions:
//! - large inputs arrive as `Buffer | string`; results leave as one JSON string (parsed once
//!   by `index.ts`) or a `Buffer`, never as a big object graph built from Rust;
//! - every export is `catch_unwind`: a panic becomes a JS error with code `INTERNAL`;
//! - errors carry the stable codes of `headroom_core::ErrorCode` in `error.code`;
//! - `*Async` variants run on the libuv thread pool and report errors as data (the
//!   TypeScript layer rethrows them with the same codes).
#![deny(clippy::all)]
// `cargo clippy --all-targets` type-checks this cdylib as a unit-test crate, where napi-derive
// does not register exports, so every export looks unused there.
#![cfg_attr(test, allow(dead_code))]

mod compress;
mod detect;
mod error;
mod tokens;

use napi_derive::napi;

/// The version of the native addon.
#[napi]
pub fn native_version() -> &'static str {
  env!("CARGO_PKG_VERSION")
}
