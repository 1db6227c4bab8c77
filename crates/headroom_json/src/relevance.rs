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

/// Splits `text` into lowercase terms.
pub fn terms(text: &str, mut f: impl FnMut(String)) {
  let mut cur = String::new();
  for c in text.chars() {
    if c.is_alphanumeric() || c == '_' {
      cur.extend(c.to_lowercase());
    } else if !cur.is_empty() {
      if cur.chars().count() >= 2 {
        f(std::mem::take(&mut cur));
      } else {
        cur.clear();
      }
    }
  }
  if cur.chars().count() >= 2 {
    f(cur);
  }
}

/// The query's terms, deduplicated, stopwords removed, in first-seen order.
pub fn query_terms(query: &str) -> Vec<String> {
  let mut out: Vec<String> = Vec::new();
  terms(query, |t| {
    if !STOPWORDS.contains(&t.as_str()) && !out.contains(&t) {
      out.push(t);
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
  let mut df = vec![0u32; query.len()];
  for d in docs {
    let mut counts = vec![0u32; query.len()];
    let mut len = 0usize;
    terms(d, |t| {
      len += 1;
      if let Some(&i) = index.get(t.as_str()) {
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
