//! Words: the unit Kompress keeps or drops.
//!
//! A word is a maximal run of non-whitespace characters (Unicode `White_Space`, exactly
//! what `str::split_whitespace` and the word checker use), recorded by byte range so the
//! output copies it verbatim and knows the separators around it.

use std::ops::Range;

/// One word of the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
  /// Byte range in the input.
  pub span: Range<usize>,
  /// Always kept (number, identifier, path, URL, configured word, query term, marker).
  pub forced: bool,
  /// A sentence or line ends after this word (a chunk may end here).
  pub boundary: bool,
}

/// Longest word (bytes) handed to the tokenizer; longer words are kept unscored (hashes,
/// base64, minified code), which also bounds tokenizer time on pathological input.
pub const MAX_SCORED_WORD: usize = 256;

/// Splits `text` into words and marks sentence/line boundaries.
pub fn split_words(text: &str) -> Vec<Word> {
  let mut words: Vec<Word> = Vec::new();
  let mut start: Option<usize> = None;
  for (i, c) in text.char_indices() {
    if c.is_whitespace() {
      if let Some(s) = start.take() {
        words.push(Word {
          span: s..i,
          forced: false,
          boundary: ends_sentence(&text[s..i]),
        });
      }
      if c == '\n'
        && let Some(last) = words.last_mut()
      {
        last.boundary = true;
      }
    } else if start.is_none() {
      start = Some(i);
    }
  }
  if let Some(s) = start {
    words.push(Word {
      span: s..text.len(),
      forced: false,
      boundary: true,
    });
  }
  if let Some(last) = words.last_mut() {
    last.boundary = true;
  }
  words
}

fn ends_sentence(word: &str) -> bool {
  let core = word.trim_end_matches(['"', '\'', ')', ']', '}', '\u{201d}', '\u{2019}']);
  core.ends_with(['.', '!', '?', '\u{3002}']) && !core.ends_with("..")
}

const OPEN: &[char] = &['"', '\'', '(', '[', '{', '<', '\u{201c}', '\u{2018}', '`'];
const CLOSE: &[char] = &[
  '"', '\'', ')', ']', '}', '>', '.', ',', ';', ':', '!', '?', '\u{201d}', '\u{2019}', '`',
];

/// The word without surrounding quotes, brackets and trailing punctuation.
pub fn trim_punct(word: &str) -> &str {
  word.trim_start_matches(OPEN).trim_end_matches(CLOSE)
}

/// Whether a word carries exact information that a token classifier must not drop:
/// numbers (any digit), URLs, paths, identifiers (`_`, `::`, `/`, `\`, `@` or an inner `.`),
/// camelCase, command-line flags and code spans.
pub fn is_identifier_like(word: &str) -> bool {
  if word.bytes().any(|b| b.is_ascii_digit()) || word.contains("://") || word.starts_with('`') {
    return true;
  }
  let core = trim_punct(word);
  if core.is_empty() {
    return false;
  }
  if core.contains(['_', '/', '\\', '@']) || core.contains("::") {
    return true;
  }
  let b = core.as_bytes();
  if b.len() > 2 && b[1..b.len() - 1].contains(&b'.') && !core.contains("..") {
    return true;
  }
  if b.len() > 1
    && b[0] == b'-'
    && b[1..]
      .iter()
      .all(|&c| c.is_ascii_alphanumeric() || c == b'-')
  {
    return true;
  }
  b.windows(2)
    .any(|w| w[0].is_ascii_lowercase() && w[1].is_ascii_uppercase())
}

/// Lowercased words that must be kept: the configured list plus the query's terms.
#[derive(Debug, Default, Clone)]
pub struct KeepList {
  words: Vec<String>,
}

const QUERY_STOP: &[&str] = &[
  "the", "and", "for", "are", "was", "were", "what", "which", "who", "whom", "how", "when",
  "where", "why", "with", "from", "that", "this", "did", "does", "has", "have", "had", "into",
  "its", "his", "her", "their", "there", "than", "then", "also", "can", "not", "any", "all",
];

impl KeepList {
  /// The configured force-kept words plus the terms of `query` (3+ characters, not a
  /// question word).
  pub fn new(configured: &[String], query: Option<&str>) -> Self {
    let mut words: Vec<String> = configured
      .iter()
      .map(|w| trim_punct(w.trim()).to_lowercase())
      .filter(|w| !w.is_empty())
      .collect();
    if let Some(q) = query {
      for term in q.split(|c: char| !c.is_alphanumeric() && c != '_' && c != '-') {
        let t = term.to_lowercase();
        if t.chars().count() >= 3 && !QUERY_STOP.contains(&t.as_str()) {
          words.push(t);
        }
      }
    }
    words.sort();
    words.dedup();
    KeepList { words }
  }

  /// Whether `word` (punctuation trimmed, case-insensitive) is on the list.
  pub fn contains(&self, word: &str) -> bool {
    if self.words.is_empty() {
      return false;
    }
    let core = trim_punct(word);
    if core.is_empty() {
      return self.words.binary_search(&word.to_lowercase()).is_ok();
    }
    self.words.binary_search(&core.to_lowercase()).is_ok()
  }
}

/// Marks the forced words of `text`: identifier-like words, keep-list words, over-long words
/// and every word that overlaps one of `protected` (existing markers).
pub fn mark_forced(text: &str, words: &mut [Word], keep: &KeepList, protected: &[Range<usize>]) {
  let mut p = 0;
  for w in words.iter_mut() {
    while p < protected.len() && protected[p].end <= w.span.start {
      p += 1;
    }
    let in_marker = p < protected.len() && protected[p].start < w.span.end;
    let s = &text[w.span.clone()];
    w.forced = in_marker || s.len() > MAX_SCORED_WORD || is_identifier_like(s) || keep.contains(s);
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  fn texts<'a>(text: &'a str, words: &[Word]) -> Vec<&'a str> {
    words.iter().map(|w| &text[w.span.clone()]).collect()
  }

  #[test]
  fn words_match_split_whitespace() {
    for t in ["", "  a  b\n\nc\t", "x", "\u{a0}u\u{2003}v\u{a0}", "a\r\nb"] {
      let w = split_words(t);
      assert_eq!(
        texts(t, &w),
        t.split_whitespace().collect::<Vec<_>>(),
        "{t:?}"
      );
    }
  }

  #[test]
  fn boundaries_at_sentence_ends_and_newlines() {
    let t = "One two. Three\nfour (five.) six... seven";
    let w = split_words(t);
    let b: Vec<bool> = w.iter().map(|w| w.boundary).collect();
    assert_eq!(b, [false, true, true, false, true, false, true]);
  }

  #[test]
  fn identifiers_numbers_paths() {
    for yes in [
      "42",
      "v1.2",
      "src/lib.rs",
      "snake_case",
      "std::mem",
      "https://x.org",
      "getValue",
      "--release",
      "user@host",
      "(file.txt),",
      "`code`",
    ] {
      assert!(is_identifier_like(yes), "{yes}");
    }
    for no in ["the", "end.", "Hello,", "...", "-", "well-known"] {
      assert!(!is_identifier_like(no), "{no}");
    }
  }

  #[test]
  fn keep_list_uses_query_terms() {
    let k = KeepList::new(
      &["NOT".to_string()],
      Some("Where was the Normandy duke born?"),
    );
    assert!(k.contains("not"));
    assert!(k.contains("Normandy,"));
    assert!(k.contains("born."));
    assert!(!k.contains("the"));
    assert!(!k.contains("where"));
  }
}
