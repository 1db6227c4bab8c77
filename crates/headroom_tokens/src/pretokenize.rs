//! Pre-tokenizer: splits text into the pieces that tiktoken's regex would produce.
//!
//! tiktoken splits text with a backtracking regex (run by `fancy-regex`) and then BPE-encodes
//! each match ("piece") independently. Running that regex is the bottleneck of every tiktoken
//! port, so this module reproduces its semantics with hand-written state machines instead:
//!
//! - an ASCII machine (byte table, `*_ascii`), which gives up (`None`) when the match at the
//!   current position would involve a non-ASCII character, including a character a lookahead
//!   or a greedy run merely *inspects*;
//! - a Unicode machine (`*_unicode`), which computes that one piece over all of Unicode, after
//!   which the ASCII machine resumes.
//!
//! The regex itself ([`regex`]) is the reference semantics, used only by tests.
//!
//! # The regexes, and what they mean on ASCII
//!
//! Character classes on ASCII: letters `L` = `[A-Za-z]` (`Lu` = upper, `Ll` = lower; `Lt`, `Lm`,
//! `Lo` and `M` have no ASCII members), digits `N` = `[0-9]`, whitespace `\s` = `\t \n \x0b
//! \x0c \r` and space (Unicode `White_Space`; note `\x1c..=\x1f` are *not* whitespace), and
//! "punctuation" = everything else (including control characters).
//!
//! o200k_base ([`O200K_PATTERN`]), alternatives tried in order at position `i`:
//!
//! 1. `[^\r\n\p{L}\p{N}]?[Lu…]*[Ll…]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?` and
//! 2. `[^\r\n\p{L}\p{N}]?[Lu…]+[Ll…]*(?i:…)?`: on ASCII together: an optional one-character
//!    prefix (anything but CR, LF, a letter or a digit; e.g. a space, a tab, `.` or `'`) when
//!    the next character is a letter, then a run of upper-case letters followed by a run of
//!    lower-case letters (`HTMLParser` stays whole; `HeLLo` → `He`, `LLo`), then an
//!    optional case-insensitive contraction. In Unicode case-insensitive mode `'s` also matches
//!    `'ſ` (U+017F), so a non-ASCII character after `'` is left to the Unicode machine.
//! 3. `\p{N}{1,3}`: one to three digits.
//! 4. ` ?[^\s\p{L}\p{N}]+[\r\n/]*`: an optional space, a punctuation run, then any CR/LF/`/`.
//! 5. `\s*[\r\n]+`: a whitespace run containing a newline; backtracking makes the match end
//!    right after the *last* CR/LF of the run.
//! 6. `\s+(?!\S)`: a whitespace run; if it reaches the end of the text it is taken whole,
//!    otherwise it gives back one character (which then prefixes the next word) ...
//! 7. `\s+`: ... unless the run is a single character, which is then taken alone.
//!
//! cl100k_base ([`CL100K_PATTERN`]):
//!
//! 1. `'(?i:[sdmt]|ll|ve|re)`: a contraction is tried *first*, anywhere (`'sound` → `'s`,
//!    `ound`).
//! 2. `[^\r\n\p{L}\p{N}]?+\p{L}++`: optional prefix character then a run of letters (no
//!    case split).
//! 3. `\p{N}{1,3}+`: one to three digits.
//! 4. ` ?[^\s\p{L}\p{N}]++[\r\n]*+`: optional space, punctuation run, CR/LF run.
//! 5. `\s++$`: a whitespace run reaching the end of the text is taken whole.
//! 6. `\s*[\r\n]`: as o200k's 5 (ends after the last CR/LF of the run).
//! 7. `\s+(?!\S)` / 8. `\s`: as o200k's 6 and 7.
//!
//! Every character is matched by some alternative, so matches are contiguous and the regex
//! always has a match starting exactly at the current position; so the pieces can be
//! computed one at a time, each from the end of the previous one.
//!
//! # The Unicode machine
//!
//! Each character gets the flags of the eight classes the patterns use (`crate::unicode`:
//! upper `[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]`, lower `[\p{Ll}\p{Lm}\p{Lo}\p{M}]`, `\p{L}`,
//! `\p{N}`, `\s`, `[\r\n]`, punctuation `[^\s\p{L}\p{N}]`, prefix `[^\r\n\p{L}\p{N}]`),
//! looked up from a table derived from `regex-syntax`, so it matches the regex engine's
//! Unicode version and its `\s` (`White_Space`: U+0085, U+00A0, U+2028, U+3000 ... are
//! whitespace; U+FEFF, U+180E, U+200B are not). The alternatives are then tried in order with
//! their backtracking made explicit:
//!
//! - o200k words: `P?` is tried with the prefix first, then without, for alternative 1 and
//!   only then for alternative 2. Alternative 1 at `s`, `U*W+`: if the character after the
//!   maximal upper run is lower it is `Ll` and the match is the upper run plus the lower run
//!   after it; otherwise the upper run backtracks to its last character that is also lower
//!   (`Lm`, `Lo` or a mark) and ends right after it (`ABCあDEF` → `ABCあ`, `DEF`); with none,
//!   the alternative fails. Alternative 2, `U+W*`, needs one upper character. A mark is in
//!   both word classes *and* in the prefix class, so a leading `\u{301}A` splits as
//!   `\u{301}`, `A` (alternative 1 without the prefix wins over alternative 2 with it).
//! - Contractions: under Unicode simple case folding the only non-ASCII character that
//!   matches one of `s t r e v m l d` is `ſ` (U+017F, for `s`); the Kelvin sign folds to `k`,
//!   which no contraction uses. A unit test checks every character.
//! - `\p{N}{1,3}`, the punctuation run (which includes marks and symbols) and the whitespace
//!   rules work as on ASCII, counting characters rather than bytes (a run of two or more
//!   whitespace characters gives back its last *character*).
//! - cl100k: the contraction first, then `P?+\p{L}++` (marks are not letters here, so they
//!   are prefix or punctuation), digits, punctuation, whitespace.
//!
//! `tests/unicode.rs` checks every code point in several contexts and proptests strings of
//! every general category against fancy-regex and tiktoken-rs.
//!
//! # Surrogates
//!
//! A Rust `&str` cannot hold lone surrogates. The JS boundary (napi string conversion)
//! replaces lone UTF-16 surrogates with U+FFFD before this crate sees the text, which is also
//! what JS tokenizers effectively see after `TextEncoder`.

use crate::Encoding;
use crate::unicode::{self as uc, Table};
use fancy_regex::Regex;
use std::sync::LazyLock;

/// The o200k_base pre-tokenizer regex, exactly as tiktoken uses it.
pub const O200K_PATTERN: &str = concat!(
  r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
  r"|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
  r"|\p{N}{1,3}",
  r"| ?[^\s\p{L}\p{N}]+[\r\n/]*",
  r"|\s*[\r\n]+",
  r"|\s+(?!\S)",
  r"|\s+"
);

/// The cl100k_base pre-tokenizer regex, exactly as tiktoken uses it.
pub const CL100K_PATTERN: &str = concat!(
  r"'(?i:[sdmt]|ll|ve|re)",
  r"|[^\r\n\p{L}\p{N}]?+\p{L}++",
  r"|\p{N}{1,3}+",
  r"| ?[^\s\p{L}\p{N}]++[\r\n]*+",
  r"|\s++$",
  r"|\s*[\r\n]",
  r"|\s+(?!\S)",
  r"|\s"
);

static O200K_REGEX: LazyLock<Regex> =
  LazyLock::new(|| Regex::new(O200K_PATTERN).expect("o200k pattern compiles"));
static CL100K_REGEX: LazyLock<Regex> =
  LazyLock::new(|| Regex::new(CL100K_PATTERN).expect("cl100k pattern compiles"));

/// The compiled `fancy-regex` for `enc` (the reference semantics; used for the slow path).
pub fn regex(enc: Encoding) -> &'static Regex {
  match enc {
    Encoding::O200kBase => &O200K_REGEX,
    Encoding::Cl100kBase => &CL100K_REGEX,
  }
}

// ---------------------------------------------------------------------------------------------
// ASCII character classes.

const LOWER: u8 = 1;
const UPPER: u8 = 2;
const LETTER: u8 = LOWER | UPPER;
const DIGIT: u8 = 4;
/// Whitespace (`\s`), including CR and LF.
const WS: u8 = 8;
/// CR or LF.
const NL: u8 = 16;
/// Not a letter, digit or whitespace (ASCII only).
const PUNCT: u8 = 32;
/// A byte >= 0x80 (part of a non-ASCII character).
const HIGH: u8 = 64;

static CLASS: [u8; 256] = {
  let mut t = [0u8; 256];
  let mut i = 0;
  while i < 256 {
    let c = i as u8;
    t[i] = if c >= 0x80 {
      HIGH
    } else if c.is_ascii_lowercase() {
      LOWER
    } else if c.is_ascii_uppercase() {
      UPPER
    } else if c.is_ascii_digit() {
      DIGIT
    } else if c == b'\r' || c == b'\n' {
      WS | NL
    } else if c == b' ' || c == b'\t' || c == 0x0b || c == 0x0c {
      WS
    } else {
      PUNCT
    };
    i += 1;
  }
  t
};

#[inline(always)]
fn class(b: &[u8], i: usize) -> u8 {
  // Past the end reads as class 0: matches nothing, never triggers a fallback.
  match b.get(i) {
    Some(&c) => CLASS[c as usize],
    None => 0,
  }
}

#[inline(always)]
fn skip(b: &[u8], mut i: usize, mask: u8) -> usize {
  while i < b.len() && CLASS[b[i] as usize] & mask != 0 {
    i += 1;
  }
  i
}

/// Digits: `\p{N}{1,3}` starting at `i` (an ASCII digit).
#[inline(always)]
fn digits(b: &[u8], i: usize) -> Option<usize> {
  let mut j = i + 1;
  while j < i + 3 && class(b, j) & DIGIT != 0 {
    j += 1;
  }
  if j < i + 3 && class(b, j) & HIGH != 0 {
    return None; // the next char might be a non-ASCII digit
  }
  Some(j)
}

/// A punctuation run starting at `i`, then `[\r\n]*` (plus `/` for o200k).
#[inline(always)]
fn punct_run(b: &[u8], i: usize, slash: bool) -> Option<usize> {
  let mut j = skip(b, i, PUNCT);
  if class(b, j) & HIGH != 0 {
    return None; // might be non-ASCII punctuation continuing the run
  }
  while let Some(&c) = b.get(j) {
    if c == b'\r' || c == b'\n' || (slash && c == b'/') {
      j += 1;
    } else {
      break;
    }
  }
  Some(j)
}

/// o200k letter word starting at `i` (an ASCII letter): upper run, lower run, contraction.
#[inline(always)]
fn o200k_word(b: &[u8], i: usize) -> Option<usize> {
  let j = skip(b, i, UPPER);
  let j = skip(b, j, LOWER);
  if class(b, j) & HIGH != 0 {
    return None;
  }
  if b.get(j) == Some(&b'\'') {
    return contraction_after(b, j, j);
  }
  Some(j)
}

/// `(?i:'s|'t|'re|'ve|'m|'ll|'d)` at `q` (which holds `'`): returns the end of the
/// contraction, or `none` if there is none. Falls back if the char after `'` is non-ASCII
/// (`'ſ` matches `'s` case-insensitively).
#[inline(always)]
fn contraction_after(b: &[u8], q: usize, none: usize) -> Option<usize> {
  let x = match b.get(q + 1) {
    Some(&x) => x,
    None => return Some(none),
  };
  if x >= 0x80 {
    return None;
  }
  let y = b.get(q + 2).map_or(0, |&y| y | 0x20);
  Some(match x | 0x20 {
    b's' | b't' | b'm' | b'd' => q + 2,
    b'r' | b'v' if y == b'e' => q + 3,
    b'l' if y == b'l' => q + 3,
    _ => none,
  })
}

/// Whitespace run at `i`. `end_whole`: cl100k's `\s++$` (a run reaching the end of the text is
/// taken whole even if it contains newlines).
#[inline(always)]
fn whitespace(b: &[u8], i: usize, end_whole: bool) -> Option<usize> {
  let mut j = i;
  let mut after_nl = usize::MAX;
  while j < b.len() {
    let c = CLASS[b[j] as usize];
    if c & WS == 0 {
      break;
    }
    j += 1;
    if c & NL != 0 {
      after_nl = j;
    }
  }
  if j == b.len() {
    if end_whole || after_nl == usize::MAX {
      return Some(j);
    }
    return Some(after_nl);
  }
  if b[j] >= 0x80 {
    return None; // might be non-ASCII whitespace
  }
  if after_nl != usize::MAX {
    Some(after_nl)
  } else if j - i >= 2 {
    Some(j - 1)
  } else {
    Some(j)
  }
}

/// End of the o200k piece starting at `i`, or `None` if the fast path cannot decide.
#[inline(always)]
pub(crate) fn o200k_ascii(b: &[u8], i: usize) -> Option<usize> {
  let c = CLASS[b[i] as usize];
  if c & LETTER != 0 {
    return o200k_word(b, i);
  }
  if c & DIGIT != 0 {
    return digits(b, i);
  }
  if c & HIGH != 0 {
    return None;
  }
  let n = class(b, i + 1);
  if n & HIGH != 0 {
    return None;
  }
  if n & LETTER != 0 && c & NL == 0 {
    return o200k_word(b, i + 1);
  }
  if c & PUNCT != 0 {
    return punct_run(b, i, true);
  }
  if b[i] == b' ' && n & PUNCT != 0 {
    return punct_run(b, i + 1, true);
  }
  whitespace(b, i, false)
}

/// End of the cl100k piece starting at `i`, or `None` if the fast path cannot decide.
#[inline(always)]
pub(crate) fn cl100k_ascii(b: &[u8], i: usize) -> Option<usize> {
  let c = CLASS[b[i] as usize];
  if c & LETTER != 0 {
    let j = skip(b, i, LETTER);
    return if class(b, j) & HIGH != 0 {
      None
    } else {
      Some(j)
    };
  }
  if c & DIGIT != 0 {
    return digits(b, i);
  }
  if c & HIGH != 0 {
    return None;
  }
  if b[i] == b'\'' {
    match contraction_after(b, i, i) {
      None => return None,
      Some(j) if j > i => return Some(j),
      Some(_) => {}
    }
  }
  let n = class(b, i + 1);
  if n & HIGH != 0 {
    return None;
  }
  if n & LETTER != 0 && c & NL == 0 {
    let j = skip(b, i + 1, LETTER);
    return if class(b, j) & HIGH != 0 {
      None
    } else {
      Some(j)
    };
  }
  if c & PUNCT != 0 {
    return punct_run(b, i, false);
  }
  if b[i] == b' ' && n & PUNCT != 0 {
    return punct_run(b, i + 1, false);
  }
  whitespace(b, i, true)
}

// ---------------------------------------------------------------------------------------------
// The Unicode path.

/// `(?i:'s|'t|'re|'ve|'m|'ll|'d)` at byte `e`: the end of the contraction starting there, or
/// `e` if there is none. Under Unicode simple case folding the only non-ASCII character that
/// folds to one of `s t r e v m l d` is `ſ` (U+017F, UTF-8 `C5 BF`), which matches `s`
/// (checked exhaustively by a unit test).
#[inline(always)]
fn contraction_unicode(b: &[u8], e: usize) -> usize {
  if b.get(e) != Some(&b'\'') {
    return e;
  }
  let x = b.get(e + 1).map_or(0, |&x| x);
  let y = b.get(e + 2).map_or(0, |&y| y);
  match x | 0x20 {
    b's' | b't' | b'm' | b'd' if x < 0x80 => e + 2,
    b'r' | b'v' if x < 0x80 && y | 0x20 == b'e' => e + 3,
    b'l' if x < 0x80 && y | 0x20 == b'l' => e + 3,
    _ if x == 0xc5 && y == 0xbf => e + 3,
    _ => e,
  }
}

/// End of the run of characters whose flags intersect `mask`, starting at `j`.
#[inline(always)]
fn run(t: &Table, b: &[u8], mut j: usize, mask: u8) -> usize {
  loop {
    let (f, n) = t.at(b, j);
    if f & mask == 0 {
      return j;
    }
    j += n;
  }
}

/// o200k alternative 1 without its prefix, at `s`: `[upper]*[lower]+`, where the greedy
/// upper run gives back characters until a `[lower]` one follows. Returns the end before the
/// contraction, or `None` if the alternative fails at `s`.
///
/// The upper run is taken whole when the character after it is lower (that is `Ll`, the
/// only lower class not upper). Otherwise backtracking stops at the last character of the
/// run that is in both classes (`Lm`, `Lo`, `M`) and the lower run that starts there is that
/// one character (the rest of the upper run is `Lu`/`Lt`); with no such character it fails.
#[inline(always)]
fn o200k_alt1(t: &Table, b: &[u8], s: usize) -> Option<usize> {
  let mut j = s;
  let mut last_both = None;
  loop {
    let (f, n) = t.at(b, j);
    if f & uc::UPPER == 0 {
      return if f & uc::LOWER != 0 {
        Some(run(t, b, j, uc::LOWER))
      } else {
        last_both.map(|k| run(t, b, k, uc::LOWER))
      };
    }
    if f & uc::LOWER != 0 {
      last_both = Some(j);
    }
    j += n;
  }
}

/// The punctuation alternative at `j` (a `[^\s\p{L}\p{N}]` character): the run, then
/// `[\r\n/]*` (o200k) or `[\r\n]*` (cl100k).
#[inline(always)]
fn punct_unicode(t: &Table, b: &[u8], j: usize, slash: bool) -> usize {
  let mut j = run(t, b, j, uc::PUNCT);
  while let Some(&c) = b.get(j) {
    if c == b'\r' || c == b'\n' || (slash && c == b'/') {
      j += 1;
    } else {
      break;
    }
  }
  j
}

/// `\p{N}{1,3}` at `i` (a number character).
#[inline(always)]
fn digits_unicode(t: &Table, b: &[u8], i: usize) -> usize {
  let mut j = i;
  for _ in 0..3 {
    let (f, n) = t.at(b, j);
    if f & uc::NUMBER == 0 {
      break;
    }
    j += n;
  }
  j
}

/// The whitespace alternatives at `i` (a `\s` character): after the last CR/LF of the run if
/// it has one (unless `end_whole` and the run reaches the end of the text), the whole run at
/// the end of the text, else the run minus its last character (if it has two or more).
#[inline(always)]
fn whitespace_unicode(t: &Table, b: &[u8], i: usize, end_whole: bool) -> usize {
  let mut j = i;
  let mut last = i;
  let mut after_nl = None;
  loop {
    let (f, n) = t.at(b, j);
    if f & uc::SPACE == 0 {
      break;
    }
    last = j;
    j += n;
    if f & uc::NEWLINE != 0 {
      after_nl = Some(j);
    }
  }
  if j >= b.len() && (end_whole || after_nl.is_none()) {
    return j;
  }
  match after_nl {
    Some(e) => e,
    None if last > i => last,
    None => j,
  }
}

/// End of the o200k piece starting at `i`, for any text: the regex semantics on all of
/// Unicode (see the module docs). Always `> i` for `i < b.len()`.
#[cold]
#[inline(never)]
pub(crate) fn o200k_unicode(b: &[u8], i: usize) -> usize {
  let t = uc::table();
  let (c, n) = t.at(b, i);
  // Alternatives 1 and 2: with the prefix first (if `c` may be one), then without.
  let starts = [i + n, i];
  let starts = if c & uc::PREFIX != 0 {
    &starts[..]
  } else {
    &starts[1..]
  };
  for &s in starts {
    if let Some(e) = o200k_alt1(t, b, s) {
      return contraction_unicode(b, e);
    }
  }
  for &s in starts {
    let e = run(t, b, s, uc::UPPER);
    if e > s {
      return contraction_unicode(b, run(t, b, e, uc::LOWER));
    }
  }
  let end = if c & uc::NUMBER != 0 {
    digits_unicode(t, b, i)
  } else if b[i] == b' ' && t.at(b, i + 1).0 & uc::PUNCT != 0 {
    punct_unicode(t, b, i + 1, true)
  } else if c & uc::PUNCT != 0 {
    punct_unicode(t, b, i, true)
  } else {
    whitespace_unicode(t, b, i, false)
  };
  end.max(i + n.max(1))
}

/// End of the cl100k piece starting at `i`, for any text: the regex semantics on all of
/// Unicode (see the module docs). Always `> i` for `i < b.len()`.
#[cold]
#[inline(never)]
pub(crate) fn cl100k_unicode(b: &[u8], i: usize) -> usize {
  let t = uc::table();
  let (c, n) = t.at(b, i);
  let end = if b[i] == b'\'' && contraction_unicode(b, i) > i {
    contraction_unicode(b, i)
  } else if c & uc::LETTER != 0 {
    run(t, b, i, uc::LETTER)
  } else if c & uc::PREFIX != 0 && t.at(b, i + n).0 & uc::LETTER != 0 {
    run(t, b, i + n, uc::LETTER)
  } else if c & uc::NUMBER != 0 {
    digits_unicode(t, b, i)
  } else if b[i] == b' ' && t.at(b, i + 1).0 & uc::PUNCT != 0 {
    punct_unicode(t, b, i + 1, false)
  } else if c & uc::PUNCT != 0 {
    punct_unicode(t, b, i, false)
  } else {
    whitespace_unicode(t, b, i, true)
  };
  end.max(i + n.max(1))
}

/// End of the piece of `enc` starting at `pos` computed by the Unicode path alone (no ASCII
/// fast path). Exposed for tests and benchmarks.
#[doc(hidden)]
pub fn unicode_end(enc: Encoding, text: &str, pos: usize) -> usize {
  match enc {
    Encoding::O200kBase => o200k_unicode(text.as_bytes(), pos),
    Encoding::Cl100kBase => cl100k_unicode(text.as_bytes(), pos),
  }
}

/// End of the piece of `enc` starting at byte `pos` of `text` (`pos < text.len()`).
#[inline(always)]
pub(crate) fn next_end(enc: Encoding, text: &str, pos: usize) -> usize {
  let fast = match enc {
    Encoding::O200kBase => o200k_ascii(text.as_bytes(), pos),
    Encoding::Cl100kBase => cl100k_ascii(text.as_bytes(), pos),
  };
  match fast {
    Some(end) => end,
    None => match enc {
      Encoding::O200kBase => o200k_unicode(text.as_bytes(), pos),
      Encoding::Cl100kBase => cl100k_unicode(text.as_bytes(), pos),
    },
  }
}

/// Iterator over the pre-tokenizer pieces of a text; see [`pieces`].
#[derive(Debug, Clone)]
pub struct Pieces<'a> {
  enc: Encoding,
  text: &'a str,
  pos: usize,
}

impl<'a> Iterator for Pieces<'a> {
  type Item = &'a str;

  #[inline]
  fn next(&mut self) -> Option<&'a str> {
    if self.pos >= self.text.len() {
      return None;
    }
    let start = self.pos;
    let end = next_end(self.enc, self.text, start);
    self.pos = end;
    Some(&self.text[start..end])
  }
}

/// The pieces `enc`'s pre-tokenizer regex splits `text` into, identical to
/// `regex(enc).find_iter(text)`. The pieces are contiguous and concatenate to `text`.
pub fn pieces(enc: Encoding, text: &str) -> Pieces<'_> {
  Pieces { enc, text, pos: 0 }
}

#[cfg(test)]
mod tests {
  use super::*;

  /// `contraction_unicode` agrees with fancy-regex's case-insensitive contraction
  /// alternatives for every character in every position of a contraction.
  #[test]
  fn contraction_folding_matches_regex_for_every_char() {
    let re = Regex::new(r"(?i:'s|'t|'re|'ve|'m|'ll|'d)").unwrap();
    let templates: [fn(char) -> String; 5] = [
      |c| format!("'{c}"),
      |c| format!("'{c}e"),
      |c| format!("'{c}l"),
      |c| format!("'r{c}"),
      |c| format!("'l{c}"),
    ];
    for template in templates {
      let text: String = (0..=0x10_ffff_u32)
        .filter_map(char::from_u32)
        .map(|c| template(c) + "\0")
        .collect();
      let want: Vec<(usize, usize)> = re
        .find_iter(&text)
        .map(|m| m.map(|m| (m.start(), m.end())).unwrap())
        .collect();
      let b = text.as_bytes();
      let ours: Vec<(usize, usize)> = (0..b.len())
        .filter(|&p| b[p] == b'\'')
        .map(|p| (p, contraction_unicode(b, p)))
        .filter(|&(p, e)| e > p)
        .collect();
      assert_eq!(ours, want, "template {:?}", template('X'));
    }
  }

  /// The examples of the module docs.
  #[test]
  fn documented_examples() {
    let text = "\u{301}A HTMLParser HeLLo ABCあDEF";
    let want = ["\u{301}", "A", " HTMLParser", " He", "LLo", " ABCあ", "DEF"];
    let got: Vec<&str> = pieces(Encoding::O200kBase, text).collect();
    assert_eq!(got, want);
    let re: Vec<&str> = regex(Encoding::O200kBase)
      .find_iter(text)
      .map(|m| m.unwrap().as_str())
      .collect();
    assert_eq!(re, want);
  }
}
