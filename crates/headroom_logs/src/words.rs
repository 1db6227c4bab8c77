//! Splitting a line into whitespace-separated tokens, the same tokens as
//! [`str::split_whitespace`], a byte at a time: ASCII bytes are classified by a table, and
//! only a non-ASCII byte decodes its char (to ask [`char::is_whitespace`]).
//!
//! Every line of a log goes through this at least twice (severity, template mining), so it
//! is worth not decoding each char of mostly ASCII text.

/// ASCII whitespace as [`char::is_whitespace`] has it: tab, line feed, vertical tab, form
/// feed, carriage return and space (`u8::is_ascii_whitespace` leaves out vertical tab).
const fn is_space(b: u8) -> bool {
  matches!(b, b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' ')
}

/// The whitespace-separated tokens of `line`: [`str::split_whitespace`], faster.
pub fn split_whitespace(line: &str) -> Words<'_> {
  Words { line, at: 0 }
}

/// The iterator of [`split_whitespace`].
#[derive(Clone)]
pub struct Words<'a> {
  line: &'a str,
  at: usize,
}

/// Whether the char starting at byte `i` of `line` (a char boundary, not ASCII) is
/// whitespace, and its width.
#[cold]
fn wide_char_at(line: &str, i: usize) -> (bool, usize) {
  match line[i..].chars().next() {
    Some(c) => (c.is_whitespace(), c.len_utf8()),
    None => (false, 1),
  }
}

/// How [`Words`] sees a byte.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
  /// An ASCII byte that is part of a token.
  Word,
  /// ASCII whitespace.
  Space,
  /// A byte of a non-ASCII char, which may or may not be whitespace.
  Wide,
}

const CLASS: [Class; 256] = {
  let mut t = [Class::Wide; 256];
  let mut b = 0;
  while b < 128 {
    t[b] = if is_space(b as u8) {
      Class::Space
    } else {
      Class::Word
    };
    b += 1;
  }
  t
};

impl<'a> Iterator for Words<'a> {
  type Item = &'a str;

  fn next(&mut self) -> Option<&'a str> {
    let (line, b) = (self.line, self.line.as_bytes());
    let n = b.len();
    let mut i = self.at;
    // Skip whitespace; a non-ASCII char is decoded to ask whether it is whitespace.
    loop {
      while i < n && CLASS[b[i] as usize] == Class::Space {
        i += 1;
      }
      if i < n && CLASS[b[i] as usize] == Class::Wide {
        let (space, width) = wide_char_at(line, i);
        if space {
          i += width;
          continue;
        }
      }
      break;
    }
    if i == n {
      self.at = n;
      return None;
    }
    let start = i;
    loop {
      while i < n && CLASS[b[i] as usize] == Class::Word {
        i += 1;
      }
      if i < n && CLASS[b[i] as usize] == Class::Wide {
        let (space, width) = wide_char_at(line, i);
        if !space {
          i += width;
          continue;
        }
      }
      break;
    }
    self.at = i;
    Some(&line[start..i])
  }
}

/// The maximal runs of ASCII letters and digits in `line`, found byte by byte: the non-empty
/// parts of `line.split(|c: char| !c.is_ascii_alphanumeric())` (a non-ASCII char's bytes
/// are never ASCII alphanumeric, so bytes split where chars would).
pub fn ascii_alphanumeric_runs(line: &str) -> impl Iterator<Item = &str> {
  let b = line.as_bytes();
  let mut i = 0;
  std::iter::from_fn(move || {
    while i < b.len() && !b[i].is_ascii_alphanumeric() {
      i += 1;
    }
    if i == b.len() {
      return None;
    }
    let start = i;
    while i < b.len() && b[i].is_ascii_alphanumeric() {
      i += 1;
    }
    Some(&line[start..i])
  })
}

#[cfg(test)]
mod tests {
  use super::*;
  use proptest::prelude::*;

  proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]
    #[test]
    fn splits_as_std_does(line in "(?s)([ \t\n\r\u{0B}\u{0C}a-z0-9=:/.-]|\u{85}|\u{A0}|\u{1680}|\u{2000}|\u{2028}|\u{3000}|\u{200B}|é|\u{10348}){0,48}") {
      let ours: Vec<&str> = split_whitespace(&line).collect();
      let std: Vec<&str> = line.split_whitespace().collect();
      prop_assert_eq!(ours, std);
    }
  }

  proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]
    #[test]
    fn alphanumeric_runs_are_the_char_split(line in "(?s)([ a-zA-Z0-9_=:/.-]|é|\u{A0}|\u{10348}){0,40}") {
      let ours: Vec<&str> = ascii_alphanumeric_runs(&line).collect();
      let by_chars: Vec<&str> = line
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
      prop_assert_eq!(ours, by_chars);
    }
  }

  #[test]
  fn vertical_tab_and_unicode_spaces_separate_but_zero_width_space_does_not() {
    let line = "a\u{0B}b\u{A0}c\u{3000}d\u{200B}e  ";
    assert_eq!(
      split_whitespace(line).collect::<Vec<_>>(),
      ["a", "b", "c", "d\u{200B}e"]
    );
    assert_eq!(split_whitespace("").count(), 0);
    assert_eq!(split_whitespace(" \t ").count(), 0);
  }
}
