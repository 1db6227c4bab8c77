//! The one reading of a relevance query.
//!
//! A query is usually natural language (the user's last message): "why does the nova-api
//! fail on /v2/servers?". Compressors keep what matches its *terms*; common words must not
//! count, or every line matches "the" and nothing is left out. [`terms`] gives the terms:
//!
//! - words are runs of letters, digits and `_ - . / :` (so `nova-api`, `/v2/servers`,
//!   `src/store.rs`, `a::b` stay whole), with `- . / :` trimmed from their ends;
//! - lowercased; at least 2 characters (3 for plain alphabetic words);
//! - English function words and question words ([`is_stopword`]) dropped;
//! - deduplicated, in first-seen order, at most [`MAX_TERMS`].
//!
//! Matching is the compressor's business (usually a case-insensitive substring test).

/// At most this many terms are used.
pub const MAX_TERMS: usize = 32;

const STOPWORDS: &[&str] = &[
  "about",
  "above",
  "after",
  "again",
  "all",
  "also",
  "and",
  "any",
  "are",
  "aren",
  "because",
  "been",
  "before",
  "being",
  "below",
  "between",
  "both",
  "but",
  "can",
  "could",
  "did",
  "does",
  "doing",
  "don",
  "down",
  "during",
  "each",
  "few",
  "for",
  "from",
  "further",
  "get",
  "give",
  "had",
  "has",
  "have",
  "having",
  "her",
  "here",
  "hers",
  "him",
  "his",
  "how",
  "into",
  "isn",
  "its",
  "itself",
  "just",
  "let",
  "look",
  "may",
  "might",
  "more",
  "most",
  "much",
  "must",
  "not",
  "now",
  "off",
  "once",
  "only",
  "other",
  "our",
  "ours",
  "out",
  "over",
  "own",
  "please",
  "same",
  "she",
  "should",
  "show",
  "some",
  "such",
  "summarise",
  "summarize",
  "tell",
  "than",
  "that",
  "the",
  "their",
  "theirs",
  "them",
  "then",
  "there",
  "these",
  "they",
  "this",
  "those",
  "through",
  "too",
  "under",
  "until",
  "very",
  "was",
  "wasn",
  "were",
  "what",
  "when",
  "where",
  "which",
  "while",
  "who",
  "whom",
  "why",
  "will",
  "with",
  "would",
  "you",
  "your",
  "yours",
];

/// Whether `word` (lowercase) is a function word that says nothing about relevance.
pub fn is_stopword(word: &str) -> bool {
  STOPWORDS.binary_search(&word).is_ok()
}

/// The terms of `query` (see the module docs); empty for no query.
pub fn terms(query: Option<&str>) -> Vec<String> {
  let mut out: Vec<String> = Vec::new();
  for raw in query
    .unwrap_or("")
    .split(|c: char| !(c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '/' | ':')))
  {
    let word = raw.trim_matches(['-', '.', '/', ':']).to_lowercase();
    let n = word.chars().count();
    let plain = word.chars().all(char::is_alphabetic);
    if n < 2 || (plain && n < 3) || is_stopword(&word) || out.contains(&word) {
      continue;
    }
    out.push(word);
    if out.len() == MAX_TERMS {
      break;
    }
  }
  out
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn stopwords_are_sorted_for_binary_search() {
    assert!(STOPWORDS.windows(2).all(|w| w[0] < w[1]));
  }

  #[test]
  fn natural_language_queries_keep_only_their_content_words() {
    assert_eq!(
      terms(Some("Why did the nova-api fail on /v2/servers?")),
      ["nova-api", "fail", "v2/servers"]
    );
    assert_eq!(
      terms(Some("Look at src/store.rs and summarise what matters.")),
      ["src/store.rs", "matters"]
    );
    assert_eq!(terms(Some("error 42 in a::b")), ["error", "42", "a::b"]);
    assert!(terms(None).is_empty());
    assert!(terms(Some("what is it?")).is_empty());
  }
}
