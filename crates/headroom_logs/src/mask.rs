//! Variable masking: the preprocessing step of template mining.
//!
//! Each whitespace-separated token is looked at on its own; tokens that are obviously
//! variable become the wildcard [`WILDCARD`] (`<*>`) before the miner compares lines. The
//! rules are generic (no per-system patterns):
//!
//! - a token holding an ASCII digit is a variable: numbers, timestamps, hex (`0x1f`), IPv4
//!   and IPv6 addresses, ports, UUIDs, block ids, paths and URLs with digits in them;
//! - a long all-hex token (12+ characters, e.g. a digest without digits in its first part)
//!   is a variable;
//! - `key=value` keeps its key: `size=4096` becomes `size=<*>`, so two events that differ
//!   only in their key names stay apart.

/// The wildcard token written into templates.
pub const WILDCARD: &str = "<*>";

/// How one token looks after masking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Masked<'a> {
  /// The token is kept as a constant.
  Const(&'a str),
  /// The token is a variable as a whole.
  Var,
  /// The token is `key=value` with a variable value: the key (including `=`) stays.
  KeyVar(&'a str),
}

/// Masks one token (see the module docs).
pub fn mask_token(token: &str) -> Masked<'_> {
  // A byte search: tokens are short, and `str::find` pays a setup cost per call.
  if let Some(eq) = token.bytes().position(|b| b == b'=')
    && eq > 0
    && !is_variable(&token[..eq])
    && is_variable(&token[eq + 1..])
  {
    return Masked::KeyVar(&token[..=eq]);
  }
  if is_variable(token) {
    Masked::Var
  } else {
    Masked::Const(token)
  }
}

/// Whether a token (or the value part of `key=value`) is a variable on its own.
fn is_variable(token: &str) -> bool {
  let bytes = token.as_bytes();
  (bytes.iter().any(u8::is_ascii_digit) && !is_versioned_name(bytes))
    || (bytes.len() >= 8 && bytes.iter().all(u8::is_ascii_hexdigit))
    || is_calendar_word(token)
}

/// A name with one trailing digit, like `SOCKS5`, `IPv4`, `ext3` or `utf8`: a constant.
fn is_versioned_name(bytes: &[u8]) -> bool {
  match bytes.split_last() {
    Some((last, rest)) => {
      last.is_ascii_digit() && rest.len() >= 2 && rest.iter().all(u8::is_ascii_alphabetic)
    }
    None => false,
  }
}

/// Month and weekday names (English, abbreviated or full, any case), the parts of dates
/// that carry no digit.
fn is_calendar_word(token: &str) -> bool {
  let t = token.trim_end_matches([',', '.']).as_bytes();
  if !(3..=9).contains(&t.len()) || !t[0].is_ascii_alphabetic() {
    return false;
  }
  let p = [
    t[0].to_ascii_lowercase(),
    t[1].to_ascii_lowercase(),
    t[2].to_ascii_lowercase(),
  ];
  let full: &[u8] = match &p {
    b"jan" => b"january",
    b"feb" => b"february",
    b"mar" => b"march",
    b"apr" => b"april",
    b"may" => b"may",
    b"jun" => b"june",
    b"jul" => b"july",
    b"aug" => b"august",
    b"sep" => b"september",
    b"oct" => b"october",
    b"nov" => b"november",
    b"dec" => b"december",
    b"mon" => b"monday",
    b"tue" => b"tuesday",
    b"wed" => b"wednesday",
    b"thu" => b"thursday",
    b"fri" => b"friday",
    b"sat" => b"saturday",
    b"sun" => b"sunday",
    _ => return false,
  };
  t.len() == 3 || (t.len() == 4 && t.eq_ignore_ascii_case(b"sept")) || t.eq_ignore_ascii_case(full)
}

/// Whether a constant token looks like a plain word (letters, `_`, `-`, `'`, with at most
/// one bracket or punctuation mark at either end), or `key=word` / `key:word`: the kind of token that names an event
/// rather than carrying a value such as a path, a class name or a URL.
pub fn is_word_like(token: &str) -> bool {
  if let Some((key, value)) = token.split_once(['=', ':']) {
    return is_word_like(key) && (value.is_empty() || is_word_like(value));
  }
  let t = token.strip_prefix(['(', '"', '\'', '<']).unwrap_or(token);
  let t = t
    .strip_suffix([')', '"', '\'', '>', '.', ',', ';', ':', '!', '?'])
    .unwrap_or(t);
  let t = t
    .strip_suffix([')', '"', '\'', '.', ',', ';', ':'])
    .unwrap_or(t);
  let t = if is_versioned_name(t.as_bytes()) {
    &t[..t.len() - 1]
  } else {
    t
  };
  !t.is_empty()
    && t.len() <= 24
    && t
      .bytes()
      .all(|b| b.is_ascii_alphabetic() || matches!(b, b'_' | b'-' | b'\''))
}

/// Whether a character is a spinner frame glyph (braille dots, the classic `|/-\`, and a
/// few common Unicode spinner shapes). A leading spinner glyph is masked like a variable,
/// so that the frames of one spinner fall into one template.
pub fn is_spinner_glyph(c: char) -> bool {
  matches!(
    c,
    '\u{2800}'
      ..='\u{28FF}'
        | '|'
        | '/'
        | '-'
        | '\\'
        | '◐'
        | '◓'
        | '◑'
        | '◒'
        | '◴'
        | '◷'
        | '◶'
        | '◵'
        | '✶'
        | '✸'
        | '✹'
        | '✺'
        | '✷'
        | '•'
        | '●'
        | '○'
  )
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn masks_obvious_variables_and_keeps_words() {
    assert_eq!(mask_token("Connected"), Masked::Const("Connected"));
    for v in [
      "42",
      "0x1f",
      "10.0.0.1:8080",
      "/10.251.43.21:50010",
      "blk_-1608999687919862906",
      "550e8400-e29b-41d4-a716-446655440000",
      "/var/log/app-2024-01-02.log",
      "2015-10-18",
      "abcdefabcdef",
      "ffffffff",
      "Jun",
    ] {
      assert_eq!(mask_token(v), Masked::Var, "{v}");
    }
    assert_eq!(mask_token("size=4096"), Masked::KeyVar("size="));
    assert_eq!(mask_token("user=root"), Masked::Const("user=root"));
    assert_eq!(mask_token("mask=ffffffff"), Masked::KeyVar("mask="));
  }

  #[test]
  fn spinner_glyphs() {
    assert!(is_spinner_glyph('⠋'));
    assert!(is_spinner_glyph('|'));
    assert!(!is_spinner_glyph('a'));
  }
}
