//! Query relevance: BM25 over the text of each row (or item).
//!
//! Terms are lowercase ASCII-alphanumeric runs of at least two characters (non-ASCII
//! letters are kept as part of a run); a few stopwords are dropped from the query.

use rustc_hash::FxHashMap;

const STOPWORDS: &[&str] = &[
  "a", "an", "and", "are", "as", "at", "be", "by", "can", "did", "do", "does", "for", "from",
  "how", "in", "is", "it", "me", "my", "of", "on", "or", "show", "tell", "that", "the", "this",
  "to", "was", "what", "when", "where", "which", "who", "why", "with", "you", "find", "get",
  "list", "all", "any", "there", "about",
];

/// How [`terms`] sees a byte.
#[derive(Clone, Copy, PartialEq)]
enum Class {
  /// ASCII, not part of a term.
  Gap,
  /// `a`-`z`, `0`-`9`, `_`.
  Lower,
  /// `A`-`Z`.
  Upper,
  /// A byte of a non-ASCII char, which may or may not be alphanumeric.
  Wide,
}

const CLASS: [Class; 256] = {
  let mut t = [Class::Gap; 256];
  let mut b = 0;
  while b < 256 {
    let c = b as u8;
    t[b] = if !c.is_ascii() {
      Class::Wide
    } else if c.is_ascii_uppercase() {
      Class::Upper
    } else if c.is_ascii_alphanumeric() || c == b'_' {
      Class::Lower
    } else {
      Class::Gap
    };
    b += 1;
  }
  t
};

/// Splits `text` into lowercase terms. A run already in lowercase ASCII is handed to `f`
/// as a slice of `text`; any other run is lowercased into one reused buffer.
pub fn terms(text: &str, mut f: impl FnMut(&str)) {
  let bytes = text.as_bytes();
  let mut buf = String::new();
  let mut i = 0;
  loop {
    while i < bytes.len() && CLASS[bytes[i] as usize] == Class::Gap {
      i += 1;
    }
    if i == bytes.len() {
      return;
    }
    let start = i;
    let mut plain = true;
    // Bytes after the run that belong to the char ending it.
    let mut skip = 0;
    while i < bytes.len() {
      match CLASS[bytes[i] as usize] {
        Class::Lower => i += 1,
        Class::Upper => {
          plain = false;
          i += 1;
        }
        Class::Gap => break,
        Class::Wide => {
          // `i` is on a char boundary: ASCII bytes are one each and other chars are
          // stepped over whole.
          let c = text[i..].chars().next().unwrap_or_default();
          if !c.is_alphanumeric() {
            skip = c.len_utf8();
            break;
          }
          plain = false;
          i += c.len_utf8();
        }
      }
    }
    let run = &text[start..i];
    if plain {
      if run.len() >= 2 {
        f(run);
      }
    } else {
      buf.clear();
      let mut chars = 0usize;
      for l in run.chars().flat_map(char::to_lowercase) {
        buf.push(l);
        chars += 1;
      }
      if chars >= 2 {
        f(&buf);
      }
    }
    i += skip;
  }
}

/// The query's terms, deduplicated, stopwords removed, in first-seen order.
pub fn query_terms(query: &str) -> Vec<String> {
  let mut out: Vec<String> = Vec::new();
  terms(query, |t| {
    if !STOPWORDS.contains(&t) && !out.iter().any(|o| o == t) {
      out.push(t.to_string());
    }
  });
  out
}

/// BM25 scores (k1 = 1.2, b = 0.75) of `docs` for `query` terms. Linear in the docs' text.
pub fn bm25(query: &[String], docs: &[String]) -> Vec<f64> {
  let n = docs.len();
  if query.is_empty() || n == 0 {
    return vec![0.0; n];
  }
  let mut tf: Vec<Vec<u32>> = Vec::with_capacity(n);
  let mut lens = Vec::with_capacity(n);
  let index: FxHashMap<&str, usize> = query
    .iter()
    .enumerate()
    .map(|(i, t)| (t.as_str(), i))
    .collect();
  // Lengths of the query's terms (as a bit set, the longest in the last bit), to pass most
  // doc terms over without hashing them.
  let lengths = query.iter().fold(0u64, |m, t| m | 1u64 << t.len().min(63));
  let mut df = vec![0u32; query.len()];
  for d in docs {
    let mut counts = vec![0u32; query.len()];
    let mut len = 0usize;
    terms(d, |t| {
      len += 1;
      if lengths & 1u64 << t.len().min(63) != 0
        && let Some(&i) = index.get(t)
      {
        counts[i] += 1;
      }
    });
    for (i, &c) in counts.iter().enumerate() {
      if c > 0 {
        df[i] += 1;
      }
    }
    tf.push(counts);
    lens.push(len as f64);
  }
  let avg = (lens.iter().sum::<f64>() / n as f64).max(1.0);
  let (k1, b) = (1.2, 0.75);
  tf.iter()
    .zip(&lens)
    .map(|(counts, &len)| {
      counts
        .iter()
        .zip(&df)
        .filter(|(c, _)| **c > 0)
        .map(|(&c, &d)| {
          let idf = ((n as f64 - d as f64 + 0.5) / (d as f64 + 0.5) + 1.0).ln();
          let c = c as f64;
          idf * c * (k1 + 1.0) / (c + k1 * (1.0 - b + b * len / avg))
        })
        .sum()
    })
    .collect()
}

/// Indices of the most relevant docs: score > 0 and at least half the best score, best
/// first, at most `max`.
pub fn top(scores: &[f64], max: usize) -> Vec<usize> {
  let best = scores.iter().copied().fold(0.0f64, f64::max);
  if best <= 0.0 {
    return Vec::new();
  }
  let mut idx: Vec<usize> = (0..scores.len())
    .filter(|&i| scores[i] >= 0.5 * best)
    .collect();
  idx.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));
  idx.truncate(max);
  idx
}

#[cfg(test)]
mod tests {
  use super::*;
  use proptest::prelude::*;

  /// The definition, written the slow way: runs of alphanumerics and `_`, lowercased, of
  /// at least two characters.
  fn terms_by_definition(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for c in text.chars().chain(std::iter::once(' ')) {
      if c.is_alphanumeric() || c == '_' {
        cur.extend(c.to_lowercase());
      } else {
        if cur.chars().count() >= 2 {
          out.push(cur.clone());
        }
        cur.clear();
      }
    }
    out
  }

  fn collect_terms(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    terms(text, |t| out.push(t.to_string()));
    out
  }

  proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]
    #[test]
    fn terms_match_their_definition(text in "(?s)([a-zA-Z0-9_ .,:/\\\\-]|[\\u{80}-\\u{3000}]|İ|ß|Σ|[\\u{10000}-\\u{10100}]){0,40}") {
      prop_assert_eq!(collect_terms(&text), terms_by_definition(&text));
    }
  }

  #[test]
  fn terms_lowercase_ascii_and_unicode_alike() {
    assert_eq!(
      collect_terms("GET /Api_v2 x ÉTÉ İ 7z"),
      ["get", "api_v2", "été", "i\u{307}", "7z"]
    );
  }

  #[test]
  fn ranks_matching_docs() {
    let q = query_terms("What happened to the payment service?");
    assert_eq!(q, vec!["happened", "payment", "service"]);
    let docs = vec![
      "health check passed".to_string(),
      "payment service refused connection".to_string(),
      "user login".to_string(),
    ];
    let s = bm25(&q, &docs);
    assert!(s[1] > 0.0 && s[0] == 0.0);
    assert_eq!(top(&s, 3), vec![1]);
  }
}
