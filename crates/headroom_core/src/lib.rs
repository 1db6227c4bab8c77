//! # headroom_core
//!
//! The pieces every other headroom crate agrees on:
//!
//! - [`Error`] / [`ErrorCode`]: one error enum whose codes are stable strings
//!   (`INVALID_JSON`, `UNSUPPORTED_SHAPE`, ...). The napi binding maps them 1:1 onto the
//!   `code` property of the JS error, so callers can branch on them.
//! - [`marker`]: the single grammar for every elision marker, and its regular expression.
//! - [`hash`]: the single content hash (BLAKE3, hex) used for retrieve keys and memo keys.
//! - [`limits`]: default bounds on input size and nesting depth.
//! - [`mode`]: the compression modes; [`store`]: where originals go before a marker is written.
//! - [`output`]: the contract every content compressor follows; [`check`]: the zero-silent-loss
//!   checker for text outputs.
//!
//! This crate has no napi dependency; it is plain Rust.

pub mod check;
pub mod error;
pub mod hash;
pub mod json;
pub mod limits;
pub mod marker;
pub mod mode;
pub mod output;
pub mod query;
pub mod store;

pub use error::{Error, ErrorCode, Result};
pub use mode::Mode;
pub use output::{Compressed, Params};
pub use store::OriginalStore;
