//! Low-level JSON reading shared by every crate: string literals found and decoded eight
//! bytes at a time ([`plain_run`], [`string_at`]) and a validated text with the span of each
//! container ([`spans::Spans`]), for walking large documents by borrowed slices.

mod lex;
pub mod spans;

pub use lex::{plain_run, string_at};
