//! Sentence splitting for prose.
//!
//! A sentence ends at `.`, `!`, `?` or `…` (one or more), optionally followed by closing
//! quotes, brackets or emphasis (`"')]}”’»*_`), **then whitespace, then a character that can
//! start a sentence** (an uppercase letter, a digit, an opening quote or bracket, or any
//! non-letter such as `-` or `#`). CJK full stops (`。！？`) end a sentence with no
//! whitespace after them. No boundary is made:
//!
//! - inside a token (`3.14`, `example.com/a.b`, `e.g.x`): the terminator must be followed by
//!   whitespace;
//! - before a lowercase letter (`e.g. the`, `... and then`);
//! - after a known abbreviation (`Dr.`, `Mr.`, `e.g.`, `i.e.`, `vs.`, `Fig.`, `Jan.`...),
//!   a single capital initial (`J. Smith`), dotted initials (`U.S.`, `a.m.`), or `No.`
//!   before a digit.
//!
//! Whitespace between sentences belongs to no sentence; each range is trimmed.

use std::ops::Range;

/// Abbreviations (lowercase, without the final dot) after which a period does not end a
/// sentence even when a capital follows.
const ABBREVIATIONS: &[&str] = &[
  "adm", "al", "apr", "aug", "ave", "bros", "capt", "cf", "co", "col", "corp", "dec", "dept", "dr",
  "e.g", "est", "etc", "feb", "fig", "figs", "gen", "gov", "hon", "i.e", "inc", "jan", "jr", "jul",
  "jun", "lt", "ltd", "maj", "mar", "messrs", "mr", "mrs", "ms", "mt", "nov", "oct", "op", "pp",
  "prof", "rep", "rev", "sec", "sen", "sep", "sept", "sgt", "sr", "st", "vol", "vols", "vs",
];

fn is_closer(c: char) -> bool {
  matches!(
    c,
    '"' | '\'' | ')' | ']' | '}' | '”' | '’' | '»' | '*' | '_' | '`' | '」' | '』' | '）'
  )
}

fn is_terminator(c: char) -> bool {
  matches!(c, '.' | '!' | '?' | '…')
}

fn is_cjk_terminator(c: char) -> bool {
  matches!(c, '。' | '！' | '？')
}

/// Whether a sentence may start with `c`.
fn can_start(c: char) -> bool {
  !c.is_lowercase()
}

/// The word that ends at byte `end` (exclusive) of `text`: back to the previous whitespace.
fn word_before(text: &str, end: usize) -> &str {
  let start = text[..end]
    .char_indices()
    .rev()
    .find(|(_, c)| c.is_whitespace() || matches!(c, '(' | '"' | '“' | '[' | '\''))
    .map_or(0, |(i, c)| i + c.len_utf8());
  &text[start..end]
}

/// Whether the period at byte `dot` of `text` belongs to an abbreviation (so the sentence
/// goes on), given the character that follows the whitespace after it.
fn is_abbreviation(text: &str, dot: usize, next: char) -> bool {
  let word = word_before(text, dot);
  if word.is_empty() {
    return false;
  }
  let lower = word.to_ascii_lowercase();
  if ABBREVIATIONS.contains(&lower.as_str()) {
    return true;
  }
  if lower == "no" && next.is_ascii_digit() {
    return true;
  }
  let mut chars = word.chars();
  // A single capital initial: "J. Smith".
  if let (Some(c), None) = (chars.next(), chars.next())
    && c.is_uppercase()
  {
    return true;
  }
  // Dotted initials: "U.S", "a.m", "Ph.D".
  word.contains('.')
    && word
      .split('.')
      .all(|p| (1..=2).contains(&p.chars().count()) && p.chars().all(char::is_alphabetic))
}

/// Splits `text` into sentences: byte ranges, in order, trimmed, covering every
/// non-whitespace character of `text` exactly once (see the module docs for the rules).
pub fn split_sentences(text: &str) -> Vec<Range<usize>> {
  let mut out = Vec::new();
  let mut start: Option<usize> = None;
  let mut iter = text.char_indices().peekable();
  while let Some((i, c)) = iter.next() {
    if start.is_none() {
      if c.is_whitespace() {
        continue;
      }
      start = Some(i);
    }
    let cjk = is_cjk_terminator(c);
    if !is_terminator(c) && !cjk {
      continue;
    }
    // Consume the run of terminators and closers.
    let mut end = i + c.len_utf8();
    while let Some(&(j, d)) = iter.peek() {
      if is_terminator(d) || is_cjk_terminator(d) || is_closer(d) {
        end = j + d.len_utf8();
        iter.next();
      } else {
        break;
      }
    }
    let rest = &text[end..];
    let ws = rest.len() - rest.trim_start().len();
    let boundary = if ws == 0 {
      // CJK full stops end a sentence without whitespace; others need it (or the end).
      rest.is_empty() || cjk
    } else {
      match rest[ws..].chars().next() {
        None => true,
        Some(next) => {
          can_start(next) && !(c == '.' && end == i + 1 && is_abbreviation(text, i, next))
        }
      }
    };
    if boundary && let Some(s) = start.take() {
      out.push(s..end);
    }
  }
  if let Some(s) = start {
    let end = s + text[s..].trim_end().len();
    if end > s {
      out.push(s..end);
    }
  }
  out
}

#[cfg(test)]
mod tests {
  use super::*;

  fn split(t: &str) -> Vec<&str> {
    split_sentences(t).into_iter().map(|r| &t[r]).collect()
  }

  #[test]
  fn basic_and_abbreviations() {
    assert_eq!(
      split("Dr. Smith paid $3.14 for it. See e.g. the U.S. Army! Is it? Yes... Fine."),
      [
        "Dr. Smith paid $3.14 for it.",
        "See e.g. the U.S. Army!",
        "Is it?",
        "Yes...",
        "Fine."
      ]
    );
    assert_eq!(
      split("J. R. R. Tolkien wrote it. Fig. 3 shows (see No. 5). Done"),
      [
        "J. R. R. Tolkien wrote it.",
        "Fig. 3 shows (see No. 5).",
        "Done"
      ]
    );
  }

  #[test]
  fn urls_quotes_and_ellipses() {
    assert_eq!(
      split("Go to https://example.com/a.b.html. \"Really.\" Then... we wait. 「終わり。」次。"),
      [
        "Go to https://example.com/a.b.html.",
        "\"Really.\"",
        "Then... we wait.",
        "「終わり。」",
        "次。"
      ]
    );
  }

  #[test]
  fn covers_all_text_and_handles_odd_input() {
    for t in [
      "",
      "   ",
      "no terminator",
      ". . .",
      "a.\n\nB",
      "…",
      "x\u{0}. Y",
    ] {
      let joined: String = split(t).concat();
      let expect: String = t.chars().filter(|c| !c.is_whitespace()).collect();
      let got: String = joined.chars().filter(|c| !c.is_whitespace()).collect();
      assert_eq!(got, expect, "{t:?}");
    }
  }
}
