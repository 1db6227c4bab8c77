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
mod content;
mod detect;
mod error;
mod kompress;
mod store;
mod tokens;

use napi_derive::napi;

/// mimalloc for every Rust allocation of the addon: compression builds and drops many small
/// strings and vectors per call, and on the 35 KB tool-result body that the profiling example
/// `json_loop` measures (its `body` mode) it cuts the instructions per call by a tenth
/// against glibc's allocator. Node's own heap is untouched.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The version of the native addon.
#[napi]
pub fn native_version() -> &'static str {
  env!("CARGO_PKG_VERSION")
}

/// Diagnostics probe for the panic boundary: panics inside the native code on purpose
/// (`"sync"`: in this call; anything else: inside a libuv task) so tests can check that a Rust
/// panic surfaces as a JS error with code `INTERNAL` and the process survives. Not part of
/// the public TypeScript API.
#[napi(catch_unwind)]
pub fn internal_panic_probe(kind: String) -> Result<(), error::BindingError> {
  error::guard(|| {
    if kind == "sync" {
      panic!("panic probe (sync)");
    }
    Ok(())
  })
  .map_err(error::to_js)
}

/// The libuv counterpart of [`internal_panic_probe`]: resolves to the error envelope that a
/// panic inside a task becomes.
#[napi(ts_return_type = "Promise<string>")]
pub fn internal_panic_probe_async() -> napi::bindgen_prelude::AsyncTask<compress::PanicProbeTask> {
  napi::bindgen_prelude::AsyncTask::new(compress::PanicProbeTask)
}
