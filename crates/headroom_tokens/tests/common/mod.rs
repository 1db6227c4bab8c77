//! Shared helpers: the tiktoken-rs reference and comparison functions.
#![allow(dead_code)]

use headroom_tokens::{Encoding, pretokenize, tokenizer};
use std::sync::LazyLock;
use tiktoken_rs::CoreBPE;

static REF_O200K: LazyLock<CoreBPE> = LazyLock::new(|| tiktoken_rs::o200k_base().unwrap());
static REF_CL100K: LazyLock<CoreBPE> = LazyLock::new(|| tiktoken_rs::cl100k_base().unwrap());

pub const ENCODINGS: [Encoding; 2] = [Encoding::O200kBase, Encoding::Cl100kBase];

pub fn reference(enc: Encoding) -> &'static CoreBPE {
  match enc {
    Encoding::O200kBase => &REF_O200K,
    Encoding::Cl100kBase => &REF_CL100K,
  }
}

/// Pieces according to fancy-regex's own `find_iter`.
pub fn regex_pieces(enc: Encoding, text: &str) -> Vec<&str> {
  pretokenize::regex(enc)
    .find_iter(text)
    .map(|m| m.unwrap().as_str())
    .collect()
}

/// Asserts encode/count/pieces/decode agree with the references; returns a message on failure.
pub fn check(enc: Encoding, text: &str, with_pieces: bool) -> Result<(), String> {
  let t = tokenizer(enc);
  let ours = t.encode(text);
  let want = reference(enc).encode_ordinary(text);
  if ours != want {
    let first = ours
      .iter()
      .zip(&want)
      .position(|(a, b)| a != b)
      .unwrap_or(ours.len().min(want.len()));
    return Err(format!(
      "{}: encode differs at token {first} (ours {} tokens, tiktoken {}); text {:?}",
      enc.as_str(),
      ours.len(),
      want.len(),
      excerpt(text)
    ));
  }
  let n = t.count(text);
  if n != want.len() {
    return Err(format!(
      "{}: count {n} != {}; text {:?}",
      enc.as_str(),
      want.len(),
      excerpt(text)
    ));
  }
  if t.decode(&ours) != text.as_bytes() {
    return Err(format!(
      "{}: decode does not roundtrip; text {:?}",
      enc.as_str(),
      excerpt(text)
    ));
  }
  if with_pieces {
    let ours: Vec<&str> = pretokenize::pieces(enc, text).collect();
    let want = regex_pieces(enc, text);
    if ours != want {
      let i = ours
        .iter()
        .zip(&want)
        .position(|(a, b)| a != b)
        .unwrap_or(0);
      return Err(format!(
        "{}: piece {i} differs: ours {:?} regex {:?}; text {:?}",
        enc.as_str(),
        ours.get(i),
        want.get(i),
        excerpt(text)
      ));
    }
  }
  Ok(())
}

fn excerpt(text: &str) -> String {
  if text.len() <= 300 {
    return text.to_string();
  }
  let mut end = 300;
  while !text.is_char_boundary(end) {
    end -= 1;
  }
  format!("{}… ({} bytes)", &text[..end], text.len())
}

/// Cuts `text` into chunks of about `size` bytes on char boundaries.
pub fn chunks(text: &str, size: usize) -> Vec<&str> {
  let mut out = Vec::new();
  let mut start = 0;
  while start < text.len() {
    let mut end = (start + size).min(text.len());
    while !text.is_char_boundary(end) {
      end += 1;
    }
    out.push(&text[start..end]);
    start = end;
  }
  out
}
