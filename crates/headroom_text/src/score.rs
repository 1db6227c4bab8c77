//! Scoring: terms, BM25 against the query, term-frequency centrality without one, and the
//! must-keep signals (code spans, URLs, paths, identifiers, numbers).

use std::hash::{BuildHasher, Hasher};
use std::sync::OnceLock;

use rustc_hash::{FxBuildHasher, FxHashMap, FxHashSet};

/// English function words (and question words) that carry no relevance.
const STOPWORDS: &[&str] = &[
  "a", "about", "after", "all", "also", "am", "an", "and", "any", "are", "as", "at", "be", "been",
  "before", "being", "but", "by", "can", "could", "did", "do", "does", "doing", "for", "from",
  "had", "has", "have", "having", "he", "her", "hers", "him", "his", "how", "i", "if", "in",
  "into", "is", "it", "its", "kind", "many", "may", "me", "might", "more", "most", "much", "my",
  "name", "named", "no", "not", "of", "on", "one", "or", "other", "our", "out", "over", "own",
  "same", "she", "should", "so", "some", "such", "than", "that", "the", "their", "them", "then",
  "there", "these", "they", "this", "those", "through", "to", "type", "under", "up", "us", "used",
  "very", "was", "we", "were", "what", "when", "where", "which", "while", "who", "whom", "whose",
  "why", "will", "with", "would", "you", "your",
];

fn is_stopword(w: &str) -> bool {
  static SET: OnceLock<FxHashSet<&'static str>> = OnceLock::new();
  // The longest stop word has 7 letters.
  w.len() <= 7
    && SET
      .get_or_init(|| STOPWORDS.iter().copied().collect())
      .contains(w)
}

/// A light suffix-stripping stemmer (plural, `-ing`, `-ed`, `-er(s)`, `-ly`, `-y`/`-ies`, a
/// final `e`): enough to match "represented" with "represent", "teams" with "team", "study"
/// with "studies", "practice" with "practiced".
pub fn stem(w: &str) -> &str {
  let n = w.len();
  if !w.is_ascii() || n <= 3 {
    return w;
  }
  let mut s = w;
  for suf in ["ies", "ied", "ing", "ers", "ed", "er", "ly", "s", "y"] {
    if n > suf.len() + 2 && w.ends_with(suf) {
      if suf == "s" && (w.ends_with("ss") || w.ends_with("us") || w.ends_with("is")) {
        break;
      }
      s = &w[..n - suf.len()];
      break;
    }
  }
  // "practice"/"practiced", "focuse(s)"/"focus": drop a final e.
  match s.strip_suffix('e') {
    Some(t) if t.len() >= 3 => t,
    _ => s,
  }
}

/// Irregular English past forms and participles, sorted, with their base form: "When did
/// the war begin?" matches "The war began in 1861" ("did" is a stop word; the suffix
/// stemmer cannot relate `began` to `begin`).
const IRREGULAR: &[(&str, &str)] = &[
  ("ate", "eat"),
  ("beaten", "beat"),
  ("became", "become"),
  ("began", "begin"),
  ("begun", "begin"),
  ("bought", "buy"),
  ("brought", "bring"),
  ("built", "build"),
  ("came", "come"),
  ("caught", "catch"),
  ("chose", "choose"),
  ("chosen", "choose"),
  ("dealt", "deal"),
  ("drawn", "draw"),
  ("drew", "draw"),
  ("driven", "drive"),
  ("drove", "drive"),
  ("fallen", "fall"),
  ("fell", "fall"),
  ("felt", "feel"),
  ("flew", "fly"),
  ("forgot", "forget"),
  ("fought", "fight"),
  ("found", "find"),
  ("gave", "give"),
  ("given", "give"),
  ("grew", "grow"),
  ("grown", "grow"),
  ("held", "hold"),
  ("hid", "hide"),
  ("hidden", "hide"),
  ("kept", "keep"),
  ("knew", "know"),
  ("known", "know"),
  ("laid", "lay"),
  ("led", "lead"),
  ("lent", "lend"),
  ("lost", "lose"),
  ("made", "make"),
  ("meant", "mean"),
  ("met", "meet"),
  ("paid", "pay"),
  ("ran", "run"),
  ("sang", "sing"),
  ("sank", "sink"),
  ("saw", "see"),
  ("seen", "see"),
  ("sent", "send"),
  ("shot", "shoot"),
  ("sold", "sell"),
  ("sought", "seek"),
  ("spent", "spend"),
  ("spoke", "speak"),
  ("spoken", "speak"),
  ("stole", "steal"),
  ("stolen", "steal"),
  ("stood", "stand"),
  ("struck", "strike"),
  ("swore", "swear"),
  ("sworn", "swear"),
  ("taken", "take"),
  ("taught", "teach"),
  ("thought", "think"),
  ("threw", "throw"),
  ("thrown", "throw"),
  ("told", "tell"),
  ("took", "take"),
  ("understood", "understand"),
  ("woke", "wake"),
  ("won", "win"),
  ("wore", "wear"),
  ("worn", "wear"),
  ("written", "write"),
  ("wrote", "write"),
];

/// The base form of an irregular past form or participle, else `w`.
fn base_form(w: &str) -> &str {
  if w.len() > 10 {
    return w;
  }
  IRREGULAR
    .binary_search_by(|(k, _)| k.cmp(&w))
    .map_or(w, |i| IRREGULAR[i].1)
}

/// Interns terms to dense ids. Terms are keyed by a 64-bit hash of their text (no string
/// is stored); two terms sharing a hash would only merge their scores, never change what
/// the output may contain.
#[derive(Default)]
pub struct Vocab {
  ids: FxHashMap<u64, u32>,
}

fn term_hash(term: &str) -> u64 {
  let mut h = FxBuildHasher.build_hasher();
  h.write(term.as_bytes());
  h.write_u8(0xff);
  h.finish()
}

impl Vocab {
  /// An empty vocabulary with room for about `n` terms.
  pub fn with_capacity(n: usize) -> Vocab {
    Vocab {
      ids: FxHashMap::with_capacity_and_hasher(n, FxBuildHasher),
    }
  }

  /// The id of `term`, interning it.
  fn intern(&mut self, term: &str) -> u32 {
    let next = self.ids.len() as u32;
    *self.ids.entry(term_hash(term)).or_insert(next)
  }

  /// The id of `term` if known.
  fn get(&self, term: &str) -> Option<u32> {
    self.ids.get(&term_hash(term)).copied()
  }

  /// Number of distinct terms.
  pub fn len(&self) -> usize {
    self.ids.len()
  }

  /// Whether no term was interned.
  pub fn is_empty(&self) -> bool {
    self.ids.is_empty()
  }
}

/// Term flag: the word starts with a capital letter and is not the first word of its text.
pub const CAPITAL: u8 = 1;
/// Term flag: the word holds a digit or is a number word (`twelve`, `million`).
pub const NUMBER: u8 = 2;
/// Term flag: the word is a year (`1066`, `1990s`), a month name or `century`.
pub const DATE: u8 = 4;
/// Term flag: the word follows a preposition of place (`in`, `at`, `from`, `near`...).
pub const AFTER_PREPOSITION: u8 = 8;

/// One occurrence of a term (a lowercase, stemmed, non-stopword word).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Term {
  /// The term's id in the [`Vocab`].
  pub id: u32,
  /// The id of the term's root: its first [`ROOT_CHARS`] characters, which match words of
  /// one family the stemmer leaves apart (`arrival`/`arriving`, `Mongol`/`Mongolian`).
  /// Roots also match unrelated words (`cont-`); they weigh beside the terms, never alone,
  /// and a root shared by most units of a text has a low idf.
  pub root: u32,
  /// [`CAPITAL`], [`NUMBER`], [`DATE`], [`AFTER_PREPOSITION`].
  pub flags: u8,
}

fn is_number_word(w: &str) -> bool {
  matches!(
    w,
    "two"
      | "three"
      | "four"
      | "five"
      | "six"
      | "seven"
      | "eight"
      | "nine"
      | "ten"
      | "eleven"
      | "twelve"
      | "twenty"
      | "thirty"
      | "forty"
      | "fifty"
      | "hundred"
      | "hundreds"
      | "thousand"
      | "thousands"
      | "million"
      | "millions"
      | "billion"
      | "billions"
      | "trillion"
      | "dozen"
      | "dozens"
      | "half"
      | "percent"
  )
}

fn is_date_word(w: &str) -> bool {
  let b = w.as_bytes();
  let digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
  if digits == 4 && (b.len() == 4 || (b.len() == 5 && b[4] == b's')) {
    return matches!(b[0], b'1' | b'2');
  }
  matches!(
    w,
    "january"
      | "february"
      | "march"
      | "april"
      | "june"
      | "july"
      | "august"
      | "september"
      | "october"
      | "november"
      | "december"
      | "century"
      | "centuries"
      | "bc"
      | "bce"
      | "ad"
  )
}

fn is_place_preposition(w: &str) -> bool {
  matches!(
    w,
    "in" | "at" | "from" | "near" | "to" | "of" | "into" | "across" | "throughout" | "outside"
  )
}

/// Characters of a term's root (see [`Term::root`]): truncation to 4 characters matched
/// answer sentences better on SQuAD than 5 or 6.
pub const ROOT_CHARS: usize = 4;

/// The root key of a stemmed term: a tag byte (so roots never collide with terms) and the
/// first [`ROOT_CHARS`] characters.
fn root_key(buf: &mut String, stem: &str) {
  buf.clear();
  buf.push('\u{1}');
  buf.extend(stem.chars().take(ROOT_CHARS));
}

/// Calls `f(term, flags)` with each lowercase, stemmed, non-stopword term of `text`.
fn for_each_term(text: &str, mut f: impl FnMut(&str, u8)) {
  let mut buf = String::new();
  let mut first = true;
  let mut after_prep = false;
  for word in text.split(|c: char| !c.is_alphanumeric()) {
    if word.is_empty() {
      continue;
    }
    buf.clear();
    if word.is_ascii() {
      buf.push_str(word);
      buf.make_ascii_lowercase();
    } else {
      buf.extend(word.chars().flat_map(char::to_lowercase));
    }
    let was_first = std::mem::replace(&mut first, false);
    let prep = std::mem::replace(&mut after_prep, is_place_preposition(&buf));
    if is_stopword(&buf) || (buf.len() == 1 && buf.as_bytes()[0].is_ascii_alphabetic()) {
      continue;
    }
    let mut flags = 0;
    if !was_first && word.chars().next().is_some_and(char::is_uppercase) {
      flags |= CAPITAL;
    }
    if word.bytes().any(|b| b.is_ascii_digit()) || is_number_word(&buf) {
      flags |= NUMBER;
    }
    if is_date_word(&buf) {
      flags |= DATE;
    }
    if prep {
      flags |= AFTER_PREPOSITION;
    }
    f(stem(base_form(&buf)), flags);
  }
}

/// The terms of `text`, interning new ones.
pub fn terms(vocab: &mut Vocab, text: &str) -> Vec<Term> {
  let mut out = Vec::new();
  let mut key = String::new();
  for_each_term(text, |t, flags| {
    root_key(&mut key, t);
    out.push(Term {
      id: vocab.intern(t),
      root: vocab.intern(&key),
      flags,
    })
  });
  out
}

/// The known root ids of a query's terms, sorted, distinct.
pub fn query_roots(vocab: &Vocab, query: &str) -> Vec<u32> {
  let mut out = Vec::new();
  let mut key = String::new();
  for_each_term(query, |t, _| {
    root_key(&mut key, t);
    out.extend(vocab.get(&key));
  });
  out.sort_unstable();
  out.dedup();
  out
}

/// The known term ids of a query, in order (repeats kept).
pub fn query_sequence(vocab: &Vocab, query: &str) -> Vec<u32> {
  let mut out = Vec::new();
  for_each_term(query, |t, _| out.extend(vocab.get(t)));
  out
}

/// The known terms of a query, in order, with their flags ([`CAPITAL`], [`NUMBER`]...).
pub fn query_flagged(vocab: &Vocab, query: &str) -> Vec<(u32, u8)> {
  let mut out = Vec::new();
  for_each_term(query, |t, flags| {
    out.extend(vocab.get(t).map(|id| (id, flags)))
  });
  out
}

/// The distinct known term ids of a query.
pub fn query_terms(vocab: &Vocab, query: &str) -> Vec<u32> {
  let mut out = query_sequence(vocab, query);
  out.sort_unstable();
  out.dedup();
  out
}

/// BM25 of each document (a list of term ids) against the query term ids.
pub fn bm25(docs: &[Vec<Term>], query: &[u32]) -> Vec<f64> {
  bm25_by(docs, query, |t| t.id)
}

/// BM25 of each document against the query ids, matching the id `key` gives each term.
pub fn bm25_by(docs: &[Vec<Term>], query: &[u32], key: impl Fn(&Term) -> u32) -> Vec<f64> {
  // Sentences vary less in length than documents: a milder length normalisation (b = 0.5)
  // ranks answer sentences better on SQuAD than the usual 0.75.
  let (k1, b) = (1.2f64, 0.5f64);
  let n = docs.len() as f64;
  let avgdl = (docs.iter().map(Vec::len).sum::<usize>() as f64 / n.max(1.0)).max(1.0);
  let mut df = vec![0u32; query.len()];
  let mut tf = vec![0u32; query.len()];
  let mut tfs = Vec::with_capacity(docs.len());
  for d in docs {
    tf.iter_mut().for_each(|x| *x = 0);
    for t in d {
      if let Ok(k) = query.binary_search(&key(t)) {
        tf[k] += 1;
      }
    }
    for (k, &c) in tf.iter().enumerate() {
      df[k] += u32::from(c > 0);
    }
    tfs.push(tf.clone());
  }
  let idf: Vec<f64> = df
    .iter()
    .map(|&d| (1.0 + (n - f64::from(d) + 0.5) / (f64::from(d) + 0.5)).ln())
    .collect();
  docs
    .iter()
    .zip(&tfs)
    .map(|(d, tf)| {
      let norm = k1 * (1.0 - b + b * d.len() as f64 / avgdl);
      tf.iter()
        .zip(&idf)
        .map(|(&c, &w)| {
          let c = f64::from(c);
          w * c * (k1 + 1.0) / (c + norm)
        })
        .sum()
    })
    .collect()
}

/// Term-frequency centrality: how much of a document's vocabulary recurs across the whole
/// text (`Σ ln(count in text)` over its distinct terms, over `sqrt` of their number).
pub fn centrality(docs: &[Vec<Term>], vocab_len: usize) -> Vec<f64> {
  let mut freq = vec![0u32; vocab_len];
  for d in docs {
    for t in d {
      freq[t.id as usize] += 1;
    }
  }
  let mut seen = Vec::new();
  docs
    .iter()
    .map(|d| {
      seen.clear();
      seen.extend(d.iter().map(|t| t.id));
      seen.sort_unstable();
      seen.dedup();
      if seen.is_empty() {
        return 0.0;
      }
      let s: f64 = seen.iter().map(|&t| f64::from(freq[t as usize]).ln()).sum();
      s / (seen.len() as f64).sqrt()
    })
    .collect()
}

/// Whether `text` holds something that must survive: an inline code span, a URL, a file
/// path or a code identifier (`snake_case`, `camelCase`, `a::b`, `a.b.c`).
pub fn must_keep(text: &str) -> bool {
  if text.contains("::") || text.contains("://") || text.contains("www.") {
    return true;
  }
  if let Some(a) = text.find('`')
    && text[a + 1..].contains('`')
  {
    return true;
  }
  text.split_whitespace().any(|tok| {
    let tok = tok
      .trim_matches(|c: char| !(c.is_alphanumeric() || matches!(c, '_' | '/' | '\\' | '.' | '~')));
    let tok = tok.trim_end_matches('.');
    is_identifier(tok) || is_path(tok)
  })
}

fn is_identifier(tok: &str) -> bool {
  let b = tok.as_bytes();
  if b.len() < 3 || !tok.is_ascii() {
    return false;
  }
  let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
  // snake_case: an underscore between word characters.
  if b
    .windows(3)
    .any(|w| word(w[0]) && w[0] != b'_' && w[1] == b'_' && word(w[2]))
    && b.iter().all(|&c| word(c) || c == b'.')
  {
    return true;
  }
  // camelCase: two lowercase letters, an uppercase one, a lowercase one, inside one
  // alphanumeric word (`getElementById`, not `iPhone` nor `cpDNA`).
  if b.iter().all(|c| c.is_ascii_alphanumeric())
    && b[0].is_ascii_lowercase()
    && b.windows(4).any(|w| {
      w[0].is_ascii_lowercase()
        && w[1].is_ascii_lowercase()
        && w[2].is_ascii_uppercase()
        && w[3].is_ascii_lowercase()
    })
  {
    return true;
  }
  // Dotted paths: two or more parts of 2+ word characters starting with a letter
  // (`os.path`, `serde_json.Value`), which excludes `e.g`, `U.S` and `3.14`.
  tok.contains('.')
    && tok
      .split('.')
      .all(|p| p.len() >= 2 && p.as_bytes()[0].is_ascii_alphabetic() && p.bytes().all(word))
    && tok.bytes().any(|c| c.is_ascii_lowercase())
}

fn is_path(tok: &str) -> bool {
  if tok.len() < 3 || !tok.chars().any(char::is_alphabetic) {
    return false;
  }
  let b = tok.as_bytes();
  // Windows drive paths: `C:\x`.
  if b.len() > 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && b[2] == b'\\' {
    return true;
  }
  if !tok.contains('/') {
    return false;
  }
  let rooted = tok.starts_with('/') || tok.starts_with("./") || tok.starts_with("../");
  let home = tok.starts_with("~/");
  let slashes = tok.matches('/').count();
  let last = tok.rsplit('/').next().unwrap_or("");
  let ext = last.rsplit_once('.').is_some_and(|(s, e)| {
    !s.is_empty() && (1..=5).contains(&e.len()) && e.bytes().all(|c| c.is_ascii_alphanumeric())
  });
  (rooted && tok.len() > 2) || home || slashes >= 2 || ext
}

/// Whether `text` contains a digit (numbers, dates, versions).
pub fn has_number(text: &str) -> bool {
  text.bytes().any(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn irregular_forms() {
    assert!(IRREGULAR.windows(2).all(|w| w[0].0 < w[1].0));
    assert_eq!(base_form("began"), "begin");
    assert_eq!(base_form("castle"), "castle");
  }

  #[test]
  fn stopwords_are_sorted_and_short() {
    assert!(STOPWORDS.windows(2).all(|w| w[0] < w[1]));
    assert!(STOPWORDS.iter().all(|w| w.len() <= 7 && is_stopword(w)));
    assert!(!is_stopword("castle"));
  }

  #[test]
  fn stems() {
    assert_eq!(stem("represented"), "represent");
    assert_eq!(stem("teams"), "team");
    assert_eq!(stem("class"), "class");
    assert_eq!(stem("focuses"), stem("focus"));
    assert_eq!(stem("bus"), "bus");
    assert_eq!(stem("studies"), stem("study"));
    assert_eq!(stem("dogs"), "dog");
    assert_eq!(stem("practice"), stem("practiced"));
    assert_eq!(stem("teacher"), stem("teach"));
    assert_eq!(stem("studied"), stem("study"));
  }

  #[test]
  fn must_keep_signals() {
    for yes in [
      "Call `foo()` now.",
      "See https://x.org today.",
      "Edit src/lib.rs first.",
      "Run /usr/bin/env please.",
      "Set max_tokens to it.",
      "Use getElementById here.",
      "Import os.path now.",
      "Use std::mem::take.",
      r"Open C:\Users\me now.",
    ] {
      assert!(must_keep(yes), "{yes}");
    }
    for no in [
      "The U.S. Army, e.g. in 3.14 cases.",
      "It is and/or that.",
      "iPhone sales rose.",
      "Plain prose here.",
    ] {
      assert!(!must_keep(no), "{no}");
    }
  }

  #[test]
  fn bm25_prefers_matching_docs() {
    let mut v = Vocab::default();
    let docs: Vec<Vec<Term>> = ["the cat sat", "dogs bark loudly", "a cat and a dog"]
      .iter()
      .map(|d| terms(&mut v, d))
      .collect();
    let q = query_terms(&v, "Which dog barked?");
    let s = bm25(&docs, &q);
    assert!(s[1] > s[2] && s[2] > s[0], "{s:?}");
  }
}
