//! The error-word scan: whether a string names a failure ([`ERROR_KEYWORDS`] as a whole
//! word, in any ASCII case, within its first 4 KiB).
//!
//! It runs on every string value of every row of an array on first sight (about 1 MB per
//! 1 MB array), so it is written for speed:
//!
//! - the word starts of 64 bytes at a time come from one bit mask of their ASCII letters and
//!   digits (SSE2 on x86-64, a plain loop elsewhere): `mask & !(mask << 1)`;
//! - a word is looked at only if its length fits a keyword and its first two letters, then
//!   its first four, begin one; only then is it lowered and compared in full.
//!
//! The definition it implements, with the maximal ASCII-alphanumeric runs as words, is
//! written out the slow way in the tests, which compare the two on random text.

use crate::analyze::ERROR_KEYWORDS;

/// Bytes of a string [`has_error_word`] reads.
const SCAN_BYTES: usize = 4096;
/// Length of the longest keyword.
const LONGEST: usize = 12;
/// Length of the shortest keyword (the prefix test reads four bytes).
const SHORTEST: usize = 4;

/// Whether the first 4 KiB of `s` hold one of [`ERROR_KEYWORDS`] as a whole word (a maximal
/// ASCII-alphanumeric run), in any ASCII case.
pub(crate) fn has_error_word(s: &str) -> bool {
  let b = &s.as_bytes()[..s.len().min(SCAN_BYTES)];
  // Bit 0: the byte before the current block is alphanumeric (its word started earlier).
  let mut carry = 0u64;
  let mut base = 0;
  while base < b.len() {
    let mask = if base + 64 <= b.len() {
      alnum_mask(&b[base..base + 64])
    } else {
      // The tail, padded with bytes that end a word.
      let mut block = [0u8; 64];
      block[..b.len() - base].copy_from_slice(&b[base..]);
      alnum_mask(&block)
    };
    let mut starts = mask & !((mask << 1) | carry);
    while starts != 0 {
      let p = starts.trailing_zeros() as usize;
      starts &= starts - 1;
      let start = base + p;
      // A word's end inside the block is the next clear bit; past it, found byte by byte.
      let rest = !mask >> p;
      let end = if rest != 0 {
        start + rest.trailing_zeros() as usize
      } else {
        word_end(b, base + 64)
      };
      if is_error_keyword(&b[start..end]) {
        return true;
      }
    }
    carry = mask >> 63;
    base += 64;
  }
  false
}

/// The end of the alphanumeric run that continues at `b[i..]`.
fn word_end(b: &[u8], mut i: usize) -> usize {
  while i < b.len() && b[i].is_ascii_alphanumeric() {
    i += 1;
  }
  i
}

/// Bit `k` set where `block[k]` is an ASCII letter or digit (`block` holds 64 bytes).
#[cfg(target_arch = "x86_64")]
fn alnum_mask(block: &[u8]) -> u64 {
  use std::arch::x86_64::{
    __m128i, _mm_and_si128, _mm_cmpgt_epi8, _mm_cmplt_epi8, _mm_loadu_si128, _mm_movemask_epi8,
    _mm_or_si128, _mm_set1_epi8,
  };
  assert!(block.len() >= 64);
  let mut mask = 0u64;
  for k in 0..4 {
    // SAFETY: SSE2 is part of the x86-64 baseline; the unaligned load reads bytes
    // 16k..16k+16 of `block`, which holds at least 64 (asserted above).
    let bits = unsafe {
      let v = _mm_loadu_si128(block.as_ptr().add(16 * k).cast::<__m128i>());
      // Signed compares: bytes >= 0x80 are negative and fall outside both ranges.
      let lower = _mm_or_si128(v, _mm_set1_epi8(0x20));
      let letter = _mm_and_si128(
        _mm_cmpgt_epi8(lower, _mm_set1_epi8(b'a' as i8 - 1)),
        _mm_cmplt_epi8(lower, _mm_set1_epi8(b'z' as i8 + 1)),
      );
      let digit = _mm_and_si128(
        _mm_cmpgt_epi8(v, _mm_set1_epi8(b'0' as i8 - 1)),
        _mm_cmplt_epi8(v, _mm_set1_epi8(b'9' as i8 + 1)),
      );
      _mm_movemask_epi8(_mm_or_si128(letter, digit)) as u16
    };
    mask |= u64::from(bits) << (16 * k);
  }
  mask
}

/// Bit `k` set where `block[k]` is an ASCII letter or digit (`block` holds 64 bytes).
#[cfg(not(target_arch = "x86_64"))]
fn alnum_mask(block: &[u8]) -> u64 {
  alnum_mask_bytes(block)
}

/// [`alnum_mask`] a byte at a time.
#[cfg(any(not(target_arch = "x86_64"), test))]
fn alnum_mask_bytes(block: &[u8]) -> u64 {
  block[..64].iter().enumerate().fold(0, |m, (k, c)| {
    m | (u64::from(c.is_ascii_alphanumeric()) << k)
  })
}

/// For each lowered first letter (`& 31`), the lowered second letters (`& 31`) that begin a
/// keyword.
const FIRST_TWO: [u32; 32] = {
  let mut t = [0u32; 32];
  let mut i = 0;
  while i < ERROR_KEYWORDS.len() {
    let k = ERROR_KEYWORDS[i].as_bytes();
    t[(k[0] & 31) as usize] |= 1 << (k[1] & 31);
    i += 1;
  }
  t
};

/// Whether the ASCII-alphanumeric word `w` is one of [`ERROR_KEYWORDS`], in any ASCII case.
#[inline]
fn is_error_keyword(w: &[u8]) -> bool {
  if !(SHORTEST..=LONGEST).contains(&w.len())
    || FIRST_TWO[(w[0] & 31) as usize] & (1 << (w[1] & 31)) == 0
  {
    return false;
  }
  // The first four letters, lowered (setting bit 5 lowers ASCII letters; a digit changed by
  // it matches no keyword prefix either way).
  let head = u32::from_le_bytes([w[0], w[1], w[2], w[3]]) | 0x2020_2020;
  if !PREFIXES.contains(&head) {
    return false;
  }
  let mut low = [0u8; LONGEST];
  for (d, c) in low.iter_mut().zip(w) {
    *d = c.to_ascii_lowercase();
  }
  let low = &low[..w.len()];
  ERROR_KEYWORDS.iter().any(|k| k.as_bytes() == low)
}

/// The distinct four-letter prefixes of the keywords, as little-endian words.
const PREFIXES: [u32; 14] = {
  let mut out = [0u32; 14];
  let mut n = 0;
  let mut i = 0;
  while i < ERROR_KEYWORDS.len() {
    let k = ERROR_KEYWORDS[i].as_bytes();
    let p = u32::from_le_bytes([k[0], k[1], k[2], k[3]]);
    let mut j = 0;
    while j < n && out[j] != p {
      j += 1;
    }
    if j == n {
      out[n] = p;
      n += 1;
    }
    i += 1;
  }
  assert!(
    n == out.len(),
    "PREFIXES holds every distinct keyword prefix"
  );
  out
};

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn error_words_are_whole_words_in_any_case() {
    for k in ERROR_KEYWORDS {
      assert!(has_error_word(k), "{k}");
      assert!(!has_error_word(&format!("x{k}")), "x{k}");
      assert!(has_error_word(&format!("x {} y", k.to_uppercase())), "{k}");
      assert!(!has_error_word(&format!("x {k}s2 y")), "{k}s2");
    }
    assert!(has_error_word("status: Failed."));
    assert!(has_error_word("error-prone: FAILURE"));
    assert!(has_error_word("errorless, then failed"));
    assert!(!has_error_word("no faults, all green"));
    // Only the first 4 KiB are read.
    assert!(!has_error_word(&format!("{}error", " ".repeat(4096))));
    assert!(has_error_word(&format!("{}error", " ".repeat(4091))));
  }

  #[test]
  fn every_keyword_has_a_listed_prefix() {
    // `is_error_keyword` filters on four-letter prefixes: a keyword without one would never
    // be found.
    for k in ERROR_KEYWORDS {
      assert!(is_error_keyword(k.as_bytes()), "{k}");
      assert!(is_error_keyword(k.to_uppercase().as_bytes()), "{k}");
    }
  }

  /// The definition, written the slow way: split into maximal ASCII-alphanumeric runs.
  fn error_word_reference(s: &str) -> bool {
    let b = &s.as_bytes()[..s.len().min(SCAN_BYTES)];
    b.split(|c| !c.is_ascii_alphanumeric()).any(|w| {
      let w = String::from_utf8_lossy(w).to_ascii_lowercase();
      ERROR_KEYWORDS.contains(&w.as_str())
    })
  }

  use proptest::strategy::Strategy as _;

  #[test]
  fn words_across_block_boundaries() {
    // Every offset around the 64-byte blocks, before and after another word or separator.
    for at in 0..200 {
      for (before, after, want) in [
        (" ", " ", true),
        ("x", " ", false),
        (" ", "s", false),
        ("é", "é", true),
        (" ", "", true),
      ] {
        let s = format!(
          "{}{before}Timeout{after}",
          "a b ".repeat(at / 4) + &"-".repeat(at % 4)
        );
        assert_eq!(has_error_word(&s), want, "{s:?}");
        assert_eq!(error_word_reference(&s), want, "{s:?}");
      }
    }
    // One word longer than a block never contains a keyword.
    assert!(!has_error_word(&format!("{}error", "a".repeat(150))));
    assert!(has_error_word(&format!("{} error", "a".repeat(150))));
  }

  #[test]
  fn both_masks_agree_on_every_byte() {
    for first in (0..=255u8).step_by(64) {
      let block: Vec<u8> = (0..64).map(|k| first.wrapping_add(k)).collect();
      assert_eq!(alnum_mask(&block), alnum_mask_bytes(&block), "from {first}");
    }
  }

  proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]

    #[test]
    fn error_words_match_the_definition(
      parts in proptest::collection::vec(
        proptest::prop_oneof![
          proptest::sample::select(ERROR_KEYWORDS).prop_map(str::to_string),
          proptest::sample::select(ERROR_KEYWORDS).prop_map(|k| k.to_uppercase()),
          "[a-zA-Z0-9]{0,6}",
          "[ _.:/\\-]{0,2}",
          "[\\u{80}-\\u{10ffff}]{0,2}",
          proptest::sample::select(&["errorx", "faile", "fatalx", "0error", "timeou", "ERRORED"][..]).prop_map(str::to_string),
        ],
        0..40,
      ),
      pad in 0usize..4200,
    ) {
      let s = format!("{}{}", " ".repeat(pad), parts.concat());
      proptest::prop_assert_eq!(has_error_word(&s), error_word_reference(&s), "{:?}", s);
    }
  }
}
