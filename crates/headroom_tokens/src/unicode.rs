//! Character classes of the pre-tokenizer regexes, for every Unicode scalar value.
//!
//! The table is derived at run time (once, lazily) from `regex-syntax`, the very crate that
//! `fancy-regex` uses to interpret the classes of tiktoken's patterns. Each class expression
//! below is parsed exactly as it is written in the patterns, so the table agrees with the
//! regex engine by construction, including its Unicode version and its definition of `\s`
//! (the `White_Space` property: `\t`..`\r`, space, U+0085, U+00A0, U+1680, U+2000..U+200A,
//! U+2028, U+2029, U+202F, U+205F, U+3000; not U+FEFF, not U+180E, not `\x1c`..`\x1f`).
//!
//! Lookup is a two-level table: code point >> 7 selects a deduplicated 128-entry block of
//! flag bytes. Block 0 (ASCII) is stored first, so an ASCII byte `b` has flags `data[b]`.
//! Building it costs about 5 million instructions (a millisecond or two, once per process, at
//! the first `tokenizer()` call); the index is 34 KB plus the distinct 128-byte blocks.

use regex_syntax::hir::{Class, HirKind};
use rustc_hash::FxHashMap;
use std::sync::LazyLock;

/// `[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]`: o200k's "upper" word class.
pub(crate) const UPPER: u8 = 1;
/// `[\p{Ll}\p{Lm}\p{Lo}\p{M}]`: o200k's "lower" word class.
pub(crate) const LOWER: u8 = 2;
/// `\p{L}`.
pub(crate) const LETTER: u8 = 4;
/// `\p{N}`.
pub(crate) const NUMBER: u8 = 8;
/// `\s`.
pub(crate) const SPACE: u8 = 16;
/// `[\r\n]`.
pub(crate) const NEWLINE: u8 = 32;
/// `[^\s\p{L}\p{N}]`: the "punctuation" run class.
pub(crate) const PUNCT: u8 = 64;
/// `[^\r\n\p{L}\p{N}]`: the optional one-character prefix of a word.
pub(crate) const PREFIX: u8 = 128;

/// The class expressions, verbatim from the patterns, and the flag each one sets.
const CLASSES: [(&str, u8); 8] = [
  (r"[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]", UPPER),
  (r"[\p{Ll}\p{Lm}\p{Lo}\p{M}]", LOWER),
  (r"\p{L}", LETTER),
  (r"\p{N}", NUMBER),
  (r"\s", SPACE),
  (r"[\r\n]", NEWLINE),
  (r"[^\s\p{L}\p{N}]", PUNCT),
  (r"[^\r\n\p{L}\p{N}]", PREFIX),
];

const BLOCK_BITS: u32 = 7;
const BLOCK: usize = 1 << BLOCK_BITS;
const CODE_POINTS: usize = 0x11_0000;

/// Flags of every code point (see the constants above).
pub(crate) struct Table {
  /// Block number (already multiplied by [`BLOCK`]) of each 128-code-point block.
  index: Box<[u32]>,
  /// Deduplicated blocks of flag bytes, block 0 (ASCII) first.
  data: Box<[u8]>,
}

static TABLE: LazyLock<Table> = LazyLock::new(Table::build);

/// The process-wide table (built on first use).
#[inline(always)]
pub(crate) fn table() -> &'static Table {
  &TABLE
}

impl Table {
  fn build() -> Table {
    let mut flat = vec![0u8; CODE_POINTS];
    for (expr, flag) in CLASSES {
      let hir = regex_syntax::Parser::new()
        .parse(expr)
        .expect("class expression parses");
      let HirKind::Class(Class::Unicode(class)) = hir.kind() else {
        unreachable!("{expr} is a Unicode class")
      };
      for r in class.ranges() {
        for f in &mut flat[r.start() as usize..=r.end() as usize] {
          *f |= flag;
        }
      }
    }
    let mut seen: FxHashMap<&[u8], u32> = FxHashMap::default();
    let mut data = Vec::new();
    let index = flat
      .chunks_exact(BLOCK)
      .map(|block| {
        *seen.entry(block).or_insert_with(|| {
          let at = data.len() as u32;
          data.extend_from_slice(block);
          at
        })
      })
      .collect();
    Table {
      index,
      data: data.into_boxed_slice(),
    }
  }

  /// Flags of code point `cp` (0 past U+10FFFF).
  #[inline(always)]
  pub(crate) fn flags(&self, cp: u32) -> u8 {
    match self.index.get((cp >> BLOCK_BITS) as usize) {
      Some(&base) => self
        .data
        .get(base as usize + (cp as usize & (BLOCK - 1)))
        .copied()
        .unwrap_or(0),
      None => 0,
    }
  }

  /// Flags and UTF-8 length of the character starting at byte `j` of `b` (a char boundary
  /// of valid UTF-8); `(0, 0)` at or past the end. Flags 0 match no class.
  #[inline(always)]
  pub(crate) fn at(&self, b: &[u8], j: usize) -> (u8, usize) {
    let Some(&b0) = b.get(j) else {
      return (0, 0);
    };
    if b0 < 0x80 {
      return (self.data[b0 as usize], 1);
    }
    let cont = |k: usize| (b.get(j + k).copied().unwrap_or(0) & 0x3f) as u32;
    let (cp, len) = if b0 < 0xe0 {
      (((b0 as u32 & 0x1f) << 6) | cont(1), 2)
    } else if b0 < 0xf0 {
      (((b0 as u32 & 0x0f) << 12) | (cont(1) << 6) | cont(2), 3)
    } else {
      (
        ((b0 as u32 & 0x07) << 18) | (cont(1) << 12) | (cont(2) << 6) | cont(3),
        4,
      )
    };
    (self.flags(cp), len)
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  /// Every code point's flags equal fancy-regex's verdict for each class expression.
  #[test]
  fn table_matches_fancy_regex_on_every_char() {
    let t = table();
    let all: String = (0..CODE_POINTS as u32).filter_map(char::from_u32).collect();
    for (expr, flag) in CLASSES {
      let re = fancy_regex::Regex::new(expr).unwrap();
      let mut want = vec![false; CODE_POINTS];
      for m in re.find_iter(&all) {
        for c in m.unwrap().as_str().chars() {
          want[c as usize] = true;
        }
      }
      for c in (0..CODE_POINTS as u32).filter_map(char::from_u32) {
        assert_eq!(
          t.flags(c as u32) & flag != 0,
          want[c as usize],
          "{expr} on U+{:04X}",
          c as u32
        );
        let mut buf = [0u8; 4];
        let s = c.encode_utf8(&mut buf);
        assert_eq!(t.at(s.as_bytes(), 0), (t.flags(c as u32), s.len()));
      }
    }
    assert_eq!(t.flags(0x11_0000), 0);
    assert_eq!(t.at(b"", 0), (0, 0));
  }
}
