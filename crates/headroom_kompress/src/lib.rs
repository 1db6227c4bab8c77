//! # headroom_kompress
//!
//! Kompress: neural compression of prose by token classification. A small encoder model
//! (ONNX) scores every token "keep" or "drop"; low-scoring words are left out, and one
//! retrievable marker at the end counts them.
//!
//! ## The algorithm
//!
//! 1. **Words.** The input is split into words exactly as `str::split_whitespace` does
//!    ([`words`]), each with its byte range. Some are *forced*: numbers and anything with a
//!    digit, identifiers and paths (`_`, `/`, `\`, `::`, `@`, an inner `.`, camelCase,
//!    `--flags`, code spans), URLs, the model's `force_keep` list, the query's terms, words
//!    inside an existing marker, and words over 256 bytes (never tokenized: hashes, base64).
//! 2. **Tokens per word.** The text is tokenized with the model's `tokenizer.json` (the
//!    `tokenizers` crate, truncation switched off) in segments of at most 32 KiB cut between
//!    words, and each token is attached to the word its byte offsets fall in ([`chunk`]).
//! 3. **Chunks.** Tokens are grouped into chunks of at most `max_len` tokens (special tokens
//!    included), cut at sentence and line ends, between words for longer sentences, and a
//!    single giant word is scored on its first tokens. Every word with a token is scored,
//!    however long the text (the predecessor dropped every word past 512 tokens).
//! 4. **Scores.** Each chunk runs through the model (batch 1). Two model styles, detected
//!    from the output name (or `style` in `kompress.json`):
//!    - **LLMLingua-2** (`logits` `[batch, seq, 2]`): keep probability = `softmax(logits)[1]`;
//!      a word's score is the mean over its tokens; the forced words are kept, then the
//!      best-scoring words until `ceil(target_rate × words)` are kept (ties by position).
//!    - **Kompress-v2** (`final_scores` `[batch, seq]` or `[batch, seq, 1]`): word score = the
//!      mean of its tokens' scores; words scoring above the threshold (0.5) are kept.
//! 5. **Output.** Kept words, verbatim and in order. Between words that were adjacent in the
//!    input, the original whitespace; across dropped words, a line break if there was one
//!    (a blank line for a paragraph break, with the next line's indentation) or else one
//!    space. Then, on its own line, one marker in words:
//!    `[412 of 1000 words omitted: kompress rate 0.55; retrieve hash=...]`.
//!    The output passes `headroom_core::check::check_text` at `Granularity::Words`.
//!
//! ## Runtime
//!
//! `ort` is built with `load-dynamic`: ONNX Runtime is `dlopen`ed at run time from npm
//! `onnxruntime-node` (installed with `ONNXRUNTIME_NODE_INSTALL=skip`), the PyPI wheel, or
//! an explicit path ([`runtime`]); nothing is downloaded, at build time or ever. A model is
//! loaded from a local directory ([`KompressConfig`], `$HEADROOM_KOMPRESS_MODEL`), once,
//! and shared ([`Kompress`] is `Send + Sync`). CPU by default; CUDA or Core ML on request,
//! with a fallback to CPU whose reason is reported ([`Kompress::fallback_reason`]). A
//! per-call budget ([`KompressOptions::budget`]) is checked before each chunk and answers
//! [`KompressError::Timeout`] (the router then uses the extractive compressor).
//!
//! ### Getting the library
//!
//! - **This repository** (tests, CI): `onnxruntime-node` is a devDependency, and the
//!   project `.npmrc` sets `onnxruntime-node-install=skip`, so `npm install` keeps the CPU
//!   library that ships inside the npm tarball and never runs the package's CUDA download
//!   (which fails offline with `getaddrinfo ENOTFOUND api.nuget.org`).
//! - **Users who configure Kompress**: `ONNXRUNTIME_NODE_INSTALL=skip npm install
//!   onnxruntime-node@1.30` next to their app (found through `node_modules`), or point
//!   `HEADROOM_ORT_LIB` at any ONNX Runtime ≥ 1.24 (`pip install onnxruntime-gpu` for CUDA).
//!   Set `HEADROOM_KOMPRESS_LOG=1` to print a provider fallback to stderr.
//!
//! No model ships with the project: `scripts/make-tiny-kompress-model.py` generates a tiny
//! one (and its `tokenizer.json`) for the tests.

pub mod chunk;
pub mod config;
pub mod error;
pub mod model;
pub mod runtime;
pub mod select;
pub mod words;

pub use config::{KompressConfig, KompressOptions, ModelSettings, Provider, Style};
pub use error::KompressError;
pub use model::{Kompress, KompressStats};

use headroom_core::{Compressed, Params};

/// Compresses `text` with a loaded model (the contract's entry-point shape; see
/// [`Kompress::compress`]).
pub fn compress(
  model: &Kompress,
  text: &str,
  params: &Params<'_>,
  opts: &KompressOptions,
) -> Result<Option<Compressed>, KompressError> {
  model.compress(text, params, opts)
}
