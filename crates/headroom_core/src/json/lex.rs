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
/// Short runs between dense escapes are common (JSON inside a JSON string), so whole words
/// are copied without a `memcpy` call per run.
fn copy_run(b: &[u8], mut i: usize, out: &mut Vec<u8>) -> usize {
  while i + 8 <= b.len() {
    let word: [u8; 8] = b[i..i + 8].try_into().unwrap_or([0; 8]);
    let hits = specials(u64::from_le_bytes(word));
    out.extend_from_slice(&word);
    if hits != 0 {
      let k = (hits.trailing_zeros() / 8) as usize;
      out.truncate(out.len() - 8 + k);
      return i + k;
    }
    i += 8;
  }
  let end = plain_run(b, i);
  out.extend_from_slice(&b[i..end]);
  end
}

/// The high bit of each byte lane of `w` that a JSON string cannot hold as is (`"`, `\\`,
/// a control character); exact for the lowest such lane.
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
/// `\\` or a control character), or `b.len()`. Eight bytes at a time.
pub fn plain_run(b: &[u8], mut i: usize) -> usize {
  while i + 8 <= b.len() {
    let hits = specials(u64::from_le_bytes(b[i..i + 8].try_into().unwrap_or([0; 8])));
    if hits != 0 {
      return i + (hits.trailing_zeros() / 8) as usize;
    }
    i += 8;
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
