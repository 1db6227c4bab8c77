//! Lexing JSON string literals: finding their end and decoding them.

use std::borrow::Cow;

/// Decodes the JSON string literal whose opening quote is `text[at]`, returning it and the
/// index just past its closing quote. A string without escapes is a slice of the input; one
/// with escapes is decoded in the same pass that finds its end, exactly as serde_json
/// decodes one into a `String`: the eight short escapes, `\uXXXX` in any hex case, a
/// surrogate pair as one character; anything else (another escape letter, a lone or
/// reversed surrogate, a short hex run, a raw control character, no closing quote) is
/// `None`.
pub fn string_at(text: &str, at: usize) -> Option<(Cow<'_, str>, usize)> {
  let b = text.as_bytes();
  let start = at + 1;
  let mut i = plain_run(b, start);
  match *b.get(i)? {
    b'"' => return Some((Cow::Borrowed(&text[start..i]), i + 1)),
    b'\\' => {}
    _ => return None,
  }
  // Decoded as bytes: plain runs are copied a word at a time (the word past a run's end is
  // copied too, then cut back), escapes write their bytes. Every piece is whole UTF-8
  // (plain runs end at ASCII bytes, escapes are ASCII), so the result is valid UTF-8.
  let mut out: Vec<u8> = Vec::with_capacity(i - start + 64);
  out.extend_from_slice(&b[start..i]);
  loop {
    // `b[i]` is a backslash.
    let esc = *b.get(i + 1)?;
    i += 2;
    match esc {
      b'"' | b'\\' | b'/' => out.push(esc),
      b'b' => out.push(0x08),
      b'f' => out.push(0x0c),
      b'n' => out.push(b'\n'),
      b'r' => out.push(b'\r'),
      b't' => out.push(b'\t'),
      b'u' => {
        let n = hex4(b, i)?;
        i += 4;
        let c = match n {
          0xDC00..=0xDFFF => return None,
          0xD800..=0xDBFF => {
            if b.get(i..i + 2) != Some(b"\\u") {
              return None;
            }
            let low = hex4(b, i + 2)?;
            i += 6;
            if !(0xDC00..=0xDFFF).contains(&low) {
              return None;
            }
            char::from_u32(0x1_0000 + ((n - 0xD800) << 10) + (low - 0xDC00))?
          }
          _ => char::from_u32(n)?,
        };
        out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
      }
      _ => return None,
    }
    i = copy_run(b, i, &mut out);
    match *b.get(i)? {
      b'"' => {
        // Valid by construction (see above); checked anyway, at SIMD speed.
        let decoded = String::from_utf8(out).ok()?;
        return Some((Cow::Owned(decoded), i + 1));
      }
      b'\\' => {}
      _ => return None,
    }
  }
}

/// Appends the plain run at `b[i..]` to `out` and returns where it ends (see [`plain_run`]).
/// Short runs between dense escapes are common (JSON inside a JSON string, about 10 bytes
/// per run), so a whole block is copied and cut back rather than a `memcpy` call per run.
fn copy_run(b: &[u8], mut i: usize, out: &mut Vec<u8>) -> usize {
  while let Some(block) = b.get(i..i + BLOCK) {
    let block: &[u8; BLOCK] = block.try_into().unwrap_or(&[0; BLOCK]);
    out.extend_from_slice(block);
    if let Some(k) = first_special(block) {
      out.truncate(out.len() - BLOCK + k);
      return i + k;
    }
    i += BLOCK;
  }
  let end = plain_run(b, i);
  out.extend_from_slice(&b[i..end]);
  end
}

/// Bytes [`first_special`] looks at in one step.
const BLOCK: usize = 16;

/// The index of the first byte of `block` that a JSON string cannot hold as is (`"`, `\\`,
/// a control character): one SSE2 compare of the 16 bytes (part of the x86-64 baseline).
#[cfg(target_arch = "x86_64")]
#[inline]
fn first_special(block: &[u8; BLOCK]) -> Option<usize> {
  use std::arch::x86_64::{
    __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_max_epu8, _mm_movemask_epi8, _mm_or_si128,
    _mm_set1_epi8,
  };
  // SAFETY: SSE2 is part of the x86-64 baseline, and the unaligned load reads exactly the 16
  // bytes of `block`.
  let hits = unsafe {
    let v = _mm_loadu_si128(block.as_ptr().cast::<__m128i>());
    let quote = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'"' as i8));
    let backslash = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\\' as i8));
    // Control characters: unsigned max(v, 0x1f) == 0x1f exactly when v <= 0x1f.
    let low = _mm_set1_epi8(0x1f);
    let control = _mm_cmpeq_epi8(_mm_max_epu8(v, low), low);
    _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(quote, backslash), control))
  };
  (hits != 0).then(|| hits.trailing_zeros() as usize)
}

/// The index of the first byte of `block` that a JSON string cannot hold as is (`"`, `\\`,
/// a control character).
#[cfg(not(target_arch = "x86_64"))]
#[inline]
fn first_special(block: &[u8; BLOCK]) -> Option<usize> {
  first_special_words(block)
}

/// [`first_special`] without SIMD instructions: two 8-byte words at a time.
#[cfg(any(not(target_arch = "x86_64"), test))]
#[inline]
fn first_special_words(block: &[u8; BLOCK]) -> Option<usize> {
  let word = |k: usize| u64::from_le_bytes(block[k..k + 8].try_into().unwrap_or([0; 8]));
  [0, 8].into_iter().find_map(|k| {
    let hits = specials(word(k));
    (hits != 0).then(|| k + (hits.trailing_zeros() / 8) as usize)
  })
}

/// The high bit of each byte lane of `w` that a JSON string cannot hold as is (`"`, `\\`,
/// a control character); exact for the lowest such lane.
#[cfg(any(not(target_arch = "x86_64"), test))]
#[inline]
fn specials(w: u64) -> u64 {
  const ONES: u64 = 0x0101_0101_0101_0101;
  const HIGHS: u64 = 0x8080_8080_8080_8080;
  let zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS;
  // Bytes below 0x20: lanes where (byte & 0xe0) == 0.
  zero(w & (0xe0 * ONES)) | zero(w ^ (u64::from(b'"') * ONES)) | zero(w ^ (u64::from(b'\\') * ONES))
}

/// The value of the four hex digits at `b[i..i + 4]`.
fn hex4(b: &[u8], i: usize) -> Option<u32> {
  b.get(i..i + 4)?
    .iter()
    .try_fold(0u32, |n, &c| Some(n << 4 | char::from(c).to_digit(16)?))
}

/// The index of the first byte at or after `i` that a JSON string cannot hold as is (`"`,
/// `\\` or a control character), or `b.len()`. A block of bytes at a time.
pub fn plain_run(b: &[u8], mut i: usize) -> usize {
  while let Some(block) = b.get(i..i + BLOCK) {
    if let Some(k) = first_special(block.try_into().unwrap_or(&[0; BLOCK])) {
      return i + k;
    }
    i += BLOCK;
  }
  while i < b.len() && b[i] >= 0x20 && b[i] != b'"' && b[i] != b'\\' {
    i += 1;
  }
  i
}

#[cfg(test)]
mod tests {
  use super::*;
  use proptest::prelude::*;

  fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
      "[ -~é😀]{0,20}",
      Just("\\\"".to_string()),
      Just("\\\\".to_string()),
      Just("\\/\\b\\f\\n\\r\\t".to_string()),
      Just("\\u00e9\\u00E9".to_string()),
      Just("\\ud83d\\ude00".to_string()),
      Just("\\ud800".to_string()),
      Just("\\udc00".to_string()),
      Just("\\u12".to_string()),
      Just("\\x".to_string()),
      Just("\u{1}".to_string()),
      Just("\"".to_string()),
    ]
  }

  proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Both ways of finding a block's first special byte agree with the definition.
    #[test]
    fn first_special_matches_the_definition(
      block in proptest::array::uniform16(prop_oneof![
        Just(b'"'), Just(b'\\'), 0u8..0x20, 0x20u8..0x80, 0x80u8..=0xff, Just(0x7fu8),
        Just(0x1fu8), Just(0x20u8), Just(0x9cu8), Just(0xa2u8), Just(0xdcu8),
      ])
    ) {
      let want = block.iter().position(|&c| c < 0x20 || c == b'"' || c == b'\\');
      prop_assert_eq!(first_special(&block), want);
      prop_assert_eq!(first_special_words(&block), want);
    }

    /// Any literal: decoded exactly as serde decodes it into a `String`, or refused where
    /// serde refuses it.
    #[test]
    fn decodes_like_serde(pieces in prop::collection::vec(piece(), 0..40)) {
      let literal = format!("\"{}\"", pieces.concat());
      let serde = serde_json::from_str::<String>(&literal).ok();
      let ours = string_at(&literal, 0).filter(|(_, end)| *end == literal.len());
      prop_assert_eq!(ours.map(|(s, _)| s.into_owned()), serde, "{:?}", literal);
    }

    /// Every string serde writes reads back as itself, its end found exactly.
    #[test]
    fn round_trips(s in "[ -~\\n\\t\"\\\\é😀\u{1}\u{1f}]{0,200}", tail in "[ ,\\]}]{0,3}") {
      let literal = serde_json::to_string(&s).unwrap_or_default();
      let text = format!("{literal}{tail}");
      let (decoded, end) = string_at(&text, 0).unwrap_or_default();
      prop_assert_eq!(decoded.as_ref(), s.as_str());
      prop_assert_eq!(end, literal.len());
      prop_assert_eq!(plain_run(text.as_bytes(), 1) <= end, true);
    }
  }
}
