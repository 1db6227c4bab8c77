//! Pre-tokenizer: splits text into the pieces that tiktoken's regex would produce.
//!
//! tiktoken splits text with a backtracking regex (run by `fancy-regex`) and then BPE-encodes
//! each match ("piece") independently. Running that regex is the bottleneck of every tiktoken
//! port, so this module reproduces its semantics with a hand-written state machine for ASCII
//! and only falls back to the real regex (anchored at the current position) when the match at
//! that position would involve a non-ASCII character, including a character a lookahead or a
//! greedy run merely *inspects*. After the fallback match the fast path resumes.
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
//!    lower-case letters (`HTMLParser` → `HTMLP`, `arser`; `HeLLo` → `He`, `LLo`), then an
//!    optional case-insensitive contraction. In Unicode case-insensitive mode `'s` also matches
//!    `'ſ` (U+017F), so a non-ASCII character after `'` falls back to the regex.
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
//! always has a match starting exactly at the current position; that is what makes the
//! anchored fallback (`find_from_pos`) valid.
//!
//! # Surrogates
//!
//! A Rust `&str` cannot hold lone surrogates. The JS boundary (napi string conversion)
//! replaces lone UTF-16 surrogates with U+FFFD before this crate sees the text, which is also
//! what JS tokenizers effectively see after `TextEncoder`.

use crate::Encoding;
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

/// Slow path: the real regex, anchored at `pos` (a char boundary). Returns the match end.
///
/// Never panics: should `fancy-regex` ever report an error (backtrack limit) or no match, the
/// single character at `pos` becomes a piece on its own (tiktoken itself would panic there).
#[cold]
#[inline(never)]
pub(crate) fn slow_end(enc: Encoding, text: &str, pos: usize) -> usize {
  match regex(enc).find_from_pos(text, pos) {
    Ok(Some(m)) if m.start() == pos && m.end() > pos => m.end(),
    _ => {
      let ch_len = text[pos..].chars().next().map_or(1, char::len_utf8);
      pos + ch_len
    }
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
    None => slow_end(enc, text, pos),
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
