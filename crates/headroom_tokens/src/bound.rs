//! A cheap, rigorous lower bound on the token count, for decisions that only need to know
//! that a text has *at least* so many tokens (one byte scan, no lookups).
//!
//! Why it holds, for both `o200k_base` and `cl100k_base`: every pre-tokenizer piece yields
//! at least one token, so it suffices to find that many distinct pieces.
//!
//! - **Letter units.** Let `W` be the ASCII letters, the apostrophe and every non-ASCII
//!   byte. Each maximal run of `W` bytes that holds an ASCII letter is one unit. An ASCII
//!   letter can only be matched by a letter piece (optional one-character prefix, a run of
//!   letters and marks, an optional `'s`-style contraction) or by cl100k's contraction piece
//!   (`'` plus letters). The letters of such a piece are contiguous, with nothing between
//!   them but `'` and non-ASCII characters, all in `W`: one piece never reaches two units.
//! - **Digit units.** A digit piece is one to three `\p{N}` characters and nothing else. A
//!   maximal run of `k` ASCII digits with an ASCII non-digit (or the text's end) on both
//!   sides is covered by at least `ceil(k / 3)` digit pieces that no other unit touches.
//!   (A run next to a non-ASCII character is skipped: that character could be a digit
//!   that a piece shares with the next run.)
//!
//! Pieces of different units are therefore distinct, and the sum is a lower bound.
//! `tests/properties.rs` checks it against the exact count on random and real text.

/// At most as many tokens as [`crate::Tokenizer::count`] returns for `text`, in either
/// encoding. About half the exact count on JSON and logs; branch-free over byte pairs (the
/// compiler vectorizes it), no allocation.
///
/// Counted, a subset of the units above so still a lower bound:
/// - letter units whose run *starts* with an ASCII letter (an ASCII letter after a byte
///   outside `W`, or at the start);
/// - one unit per digit run with ASCII on both sides: runs with an ASCII left side (`S`),
///   less runs with a non-ASCII right side (`E`), at least zero, which is at most the
///   number of runs with both (`S - |S ∩ E|`).
pub fn lower_bound(text: &str) -> usize {
  let b = text.as_bytes();
  let Some(&first) = b.first() else { return 0 };
  // The text's start counts as an ASCII separator on the left of the first byte.
  let (mut letters, mut starts, mut bad_ends) = (
    usize::from(is_letter(first)),
    usize::from(is_digit(first)),
    0usize,
  );
  for block in 0..(b.len() - 1).div_ceil(BLOCK) {
    let lo = block * BLOCK;
    let hi = (lo + BLOCK).min(b.len() - 1);
    let (mut l, mut s, mut e) = (0u32, 0u32, 0u32);
    for (&x, &y) in b[lo..hi].iter().zip(&b[lo + 1..=hi]) {
      let (xd, yd) = (is_digit(x), is_digit(y));
      l += u32::from(is_letter(y) & !is_w(x));
      s += u32::from(yd & !xd & x.is_ascii());
      e += u32::from(xd & !yd & !y.is_ascii());
    }
    letters += l as usize;
    starts += s as usize;
    bad_ends += e as usize;
  }
  letters + starts.saturating_sub(bad_ends)
}

/// Bytes per inner loop (u32 counters cannot overflow).
const BLOCK: usize = 1 << 16;

#[inline(always)]
fn is_letter(c: u8) -> bool {
  (c | 0x20).wrapping_sub(b'a') < 26
}

#[inline(always)]
fn is_digit(c: u8) -> bool {
  c.wrapping_sub(b'0') < 10
}

/// `W`: ASCII letters, the apostrophe and every non-ASCII byte.
#[inline(always)]
fn is_w(c: u8) -> bool {
  is_letter(c) | (c == b'\'') | (c >= 0x80)
}

#[cfg(test)]
mod tests {
  use super::lower_bound;

  #[test]
  fn counts_units() {
    assert_eq!(lower_bound(""), 0);
    assert_eq!(lower_bound("hello world"), 2);
    assert_eq!(lower_bound("it's"), 1);
    // One unit per digit run (not `ceil(k / 3)`): the cheaper, weaker bound.
    assert_eq!(lower_bound("1234567"), 1);
    assert_eq!(lower_bound("a1"), 2);
    assert_eq!(lower_bound("1a"), 2);
    assert_eq!(lower_bound("'s"), 0);
    // A digit run beside a non-ASCII character is not counted.
    assert_eq!(lower_bound("12٣45"), 0);
    // level, INFO, ms, 1234
    assert_eq!(lower_bound("{\"level\":\"INFO\",\"ms\":1234}"), 4);
  }
}
