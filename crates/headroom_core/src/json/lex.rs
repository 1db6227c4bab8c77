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
  let mut out = String::with_capacity(i - start + 64);
  out.push_str(&text[start..i]);
  loop {
    // `b[i]` is a backslash.
    let esc = *b.get(i + 1)?;
    i += 2;
    out.push(match esc {
      b'"' => '"',
      b'\\' => '\\',
      b'/' => '/',
      b'b' => '\u{8}',
      b'f' => '\u{c}',
      b'n' => '\n',
      b'r' => '\r',
      b't' => '\t',
      b'u' => {
        let n = hex4(b, i)?;
        i += 4;
        match n {
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
        }
      }
      _ => return None,
    });
    // Escapes are ASCII, so `i` and the end of the plain run are character boundaries.
    let j = plain_run(b, i);
    out.push_str(&text[i..j]);
    i = j;
    match *b.get(i)? {
      b'"' => return Some((Cow::Owned(out), i + 1)),
      b'\\' => {}
      _ => return None,
    }
  }
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
  const ONES: u64 = 0x0101_0101_0101_0101;
  const HIGHS: u64 = 0x8080_8080_8080_8080;
  // High bit of each byte lane that is zero (exact for the lowest such lane).
  let zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS;
  while i + 8 <= b.len() {
    let w = u64::from_le_bytes(b[i..i + 8].try_into().unwrap_or([0; 8]));
    // Bytes below 0x20: lanes where (byte & 0xe0) == 0.
    let hits = zero(w & (0xe0 * ONES))
      | zero(w ^ (u64::from(b'"') * ONES))
      | zero(w ^ (u64::from(b'\\') * ONES));
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
