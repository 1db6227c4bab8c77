//! Relevance of each unit to a query (a question): a linear model over lexical features.
//!
//! Each unit gets [`N`] features, most in `[0, 1]`; its score is `Σ WEIGHTS[k] × f[k]`, a
//! log-odds that the unit holds the answer (the planner turns it into a likelihood with
//! `exp(score − best)`). The features, in [`Feature`] order:
//!
//! - **lexical match**: BM25 of the stemmed query terms (normalised to the best unit, and
//!   raw), BM25 of the terms' 4-character *roots* (`govern`/`government`), the idf share
//!   of the query terms present (*coverage*), the best idf sum of query terms inside 8
//!   consecutive terms (*proximity*: a clause the question paraphrases), the share of query
//!   term pairs found as pairs;
//! - **surface match** (stop words included, no stemming): the share of the query's words
//!   of 4+ letters found verbatim, the longest run of consecutive query words found
//!   consecutively, the share of query word pairs found: questions often copy a phrase of
//!   the answer sentence;
//! - **answer type** ([`question`]): the unit holds a candidate of the kind the question
//!   asks for (a year for `when`, a number for `how many`, a name for `who`, a place for
//!   `where`) that the question does not mention, per kind, and next to a query term;
//! - **context**: questions are often written from one sentence and answered in the next
//!   (`It was re-established in 1991.`), so the previous unit's BM25, coverage and longest
//!   run, the next unit's coverage, a pronoun opening (`It`, `They`...) times the previous
//!   unit's BM25, and the answer type times the previous unit's BM25;
//! - **length** (`ln` of the number of terms: longer units hold more facts) and the share
//!   of the query's capitalised terms present, which weighs *negatively* once BM25 counted
//!   them: a paragraph repeats the names of its topic in most sentences, so matching them
//!   says less than their idf suggests;
//! - **heading**: the unit's section heading matches the query, or the unit directly
//!   follows its heading (markdown structure; not learnt, see below).
//!
//! The weights were fitted by softmax regression (which unit of a paragraph holds the
//! answer) on SQuAD v1.1 dev questions. Fitted on half the articles and tested on the
//! other half, the top-1 unit holds the answer in 88.3% / 86.4% of the questions (the
//! previous hand-set BM25 + answer-type score: 86.2% / 85.3%), so the model is not learnt by
//! heart. No feature looks at SQuAD's text: they are general properties of questions and
//! the sentences answering them. SQuAD has no headings, so the heading weight is set by
//! hand.

use rustc_hash::FxBuildHasher;
use std::hash::BuildHasher;

use crate::blocks::Unit;
use crate::question::{self, Want};
use crate::score::{self, Term, Vocab};

/// The features of a unit, in order (indices into the feature vector).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Feature {
  /// BM25 of the stemmed query terms, normalised to the best unit.
  Bm25,
  /// BM25 of the query terms' roots, normalised to the best unit.
  RootBm25,
  /// Best idf sum of distinct query terms within 8 consecutive terms, normalised.
  Proximity,
  /// Share of the query's consecutive term pairs found consecutively.
  TermPairs,
  /// Holds an answer-type candidate the question does not mention.
  Fit,
  /// Holds one within 4 terms of a query term.
  FitNear,
  /// Opens with a pronoun: the previous unit's BM25.
  AnaphorPrevious,
  /// The previous unit's BM25 (same block).
  PreviousBm25,
  /// Share of the query's capitalised terms present.
  CapitalOverlap,
  /// `ln(1 + terms) / 4`.
  Length,
  /// `Fit` × the previous unit's BM25.
  FitAfterMatch,
  /// Share of the query terms' idf present.
  Coverage,
  /// Share of the query's words of 4+ letters found verbatim.
  Verbatim,
  /// Longest run of consecutive query words found consecutively, over 8 (capped).
  LongestRun,
  /// Share of the query's consecutive word pairs found (stop words included).
  WordPairs,
  /// The previous unit's coverage (same block).
  PreviousCoverage,
  /// The next unit's coverage (same block).
  NextCoverage,
  /// The previous unit's longest run (same block).
  PreviousRun,
  /// `FitNear` × coverage.
  FitNearCoverage,
  /// `Fit` when the question asks for a date.
  FitDate,
  /// `Fit` when the question asks for a number.
  FitNumber,
  /// `Fit` when the question asks for a place.
  FitPlace,
  /// BM25 over 5, not normalised (how strong the match is, not only the rank).
  RawBm25,
  /// 1 when the section's heading matches the query, 0.5 right after its heading.
  Heading,
}

/// Number of features.
pub const N: usize = Feature::Heading as usize + 1;

/// Weight of each feature, in [`Feature`] order (see the module docs for how they were
/// obtained).
pub const WEIGHTS: [f64; N] = [
  0.794,  // Bm25
  1.087,  // RootBm25
  0.839,  // Proximity
  0.185,  // TermPairs
  1.155,  // Fit
  0.332,  // FitNear
  0.779,  // AnaphorPrevious
  0.890,  // PreviousBm25
  -0.928, // CapitalOverlap
  0.410,  // Length
  0.223,  // FitAfterMatch
  0.863,  // Coverage
  1.262,  // Verbatim
  0.594,  // LongestRun
  0.823,  // WordPairs
  -0.292, // PreviousCoverage
  0.564,  // NextCoverage
  0.775,  // PreviousRun
  0.371,  // FitNearCoverage
  0.938,  // FitDate
  0.519,  // FitNumber
  0.523,  // FitPlace
  1.004,  // RawBm25
  0.3,    // Heading (by hand)
];

/// Most query words and term pairs compared one by one (verbatim words, runs, pairs), so a
/// long prompt used as the query keeps the scoring linear in the text; BM25, coverage and
/// proximity use every query term (binary searches).
const MAX_QUERY_WORDS: usize = 64;
/// Window of [`Feature::Proximity`], in terms.
const PROXIMITY_WINDOW: usize = 8;
/// Distance of [`Feature::FitNear`], in terms.
const NEAR: usize = 4;

/// Share of the query's consecutive term pairs that also occur consecutively in `terms`.
fn term_pairs(seq: &[u32], terms: &[Term]) -> f64 {
  let pairs: Vec<&[u32]> = seq.windows(2).filter(|w| w[0] != w[1]).collect();
  if pairs.is_empty() {
    return 0.0;
  }
  let hit = pairs
    .iter()
    .filter(|w| terms.windows(2).any(|t| t[0].id == w[0] && t[1].id == w[1]))
    .count();
  hit as f64 / pairs.len() as f64
}

/// Whether `t` opens with a pronoun or a demonstrative that refers back.
fn starts_with_anaphor(t: &str) -> bool {
  let w = t.split(|c: char| !c.is_alphanumeric()).next().unwrap_or("");
  matches!(
    w,
    "It"
      | "He"
      | "She"
      | "They"
      | "This"
      | "These"
      | "That"
      | "Those"
      | "His"
      | "Her"
      | "Its"
      | "Their"
  )
}

/// Inverse document frequency of each query term over the units (BM25's formula).
fn idf(docs: &[Vec<Term>], q: &[u32]) -> Vec<f64> {
  let n = docs.len() as f64;
  let mut df = vec![0u32; q.len()];
  let mut seen = vec![false; q.len()];
  for d in docs {
    seen.iter_mut().for_each(|x| *x = false);
    for t in d {
      if let Ok(k) = q.binary_search(&t.id) {
        seen[k] = true;
      }
    }
    for (k, s) in seen.iter().enumerate() {
      df[k] += u32::from(*s);
    }
  }
  df.iter()
    .map(|&d| (1.0 + (n - f64::from(d) + 0.5) / (f64::from(d) + 0.5)).ln())
    .collect()
}

/// `(proximity, coverage)` of one unit: the best idf sum of distinct query terms within
/// [`PROXIMITY_WINDOW`] consecutive terms, and the idf share of the query terms present.
fn proximity_coverage(d: &[Term], q: &[u32], idf: &[f64], idf_sum: f64) -> (f64, f64) {
  let hits: Vec<(usize, usize)> = d
    .iter()
    .enumerate()
    .filter_map(|(p, t)| q.binary_search(&t.id).ok().map(|k| (p, k)))
    .collect();
  let mut seen = vec![false; q.len()];
  let mut best = 0.0f64;
  for (a, &(p0, _)) in hits.iter().enumerate() {
    seen.iter_mut().for_each(|x| *x = false);
    let mut sum = 0.0;
    // At most PROXIMITY_WINDOW hits fit in a window: linear in the unit.
    for &(_, k) in hits[a..].iter().take_while(|h| h.0 < p0 + PROXIMITY_WINDOW) {
      if !std::mem::replace(&mut seen[k], true) {
        sum += idf[k];
      }
    }
    best = best.max(sum);
  }
  seen.iter_mut().for_each(|x| *x = false);
  let mut cov = 0.0;
  for &(_, k) in &hits {
    if !std::mem::replace(&mut seen[k], true) {
      cov += idf[k];
    }
  }
  (best, cov / idf_sum)
}

/// How well a candidate of the answer type sits within [`NEAR`] terms of a query term.
fn fits_near(want: Want, terms: &[Term], q: &[u32]) -> f64 {
  let mut best = 0.0f64;
  for (p, t) in terms.iter().enumerate() {
    if q.binary_search(&t.id).is_ok() {
      let lo = p.saturating_sub(NEAR);
      let hi = (p + NEAR + 1).min(terms.len());
      best = best.max(question::fits(want, &terms[lo..hi], q));
      if best >= 1.0 {
        break;
      }
    }
  }
  best
}

/// Share of the sorted term ids `want` present in `ids` (sorted, distinct).
fn share_present(want: &[u32], ids: &[u32]) -> f64 {
  if want.is_empty() {
    return 0.0;
  }
  let hit = want
    .iter()
    .filter(|id| ids.binary_search(id).is_ok())
    .count();
  hit as f64 / want.len() as f64
}

/// Hashes of the lowercase words of `t` (letters and digits), stop words included.
fn word_hashes(t: &str) -> Vec<u64> {
  let mut buf = String::new();
  t.split(|c: char| !c.is_alphanumeric())
    .filter(|w| !w.is_empty())
    .map(|w| {
      buf.clear();
      buf.extend(w.chars().flat_map(char::to_lowercase));
      FxBuildHasher.hash_one(buf.as_str())
    })
    .collect()
}

/// `(longest run of consecutive query words found consecutively in the unit, over 8 and
/// capped at 1; share of the query's word pairs found in the unit)`.
fn surface_overlap(qw: &[u64], uw: &[u64], pairs: &mut Vec<(u64, u64)>) -> (f64, f64) {
  if qw.is_empty() || uw.is_empty() {
    return (0.0, 0.0);
  }
  let mut prev = vec![0u32; uw.len() + 1];
  let mut cur = vec![0u32; uw.len() + 1];
  let mut longest = 0;
  for a in qw {
    for (j, b) in uw.iter().enumerate() {
      cur[j + 1] = if a == b { prev[j] + 1 } else { 0 };
      longest = longest.max(cur[j + 1]);
    }
    std::mem::swap(&mut prev, &mut cur);
  }
  pairs.clear();
  pairs.extend(uw.windows(2).map(|w| (w[0], w[1])));
  pairs.sort_unstable();
  let total = qw.len().saturating_sub(1);
  let hit = qw
    .windows(2)
    .filter(|p| pairs.binary_search(&(p[0], p[1])).is_ok())
    .count();
  let share = if total == 0 {
    0.0
  } else {
    hit as f64 / total as f64
  };
  (f64::from(longest.min(8)) / 8.0, share)
}

fn normalise(v: &mut [f64]) {
  let max = v.iter().copied().fold(0.0f64, f64::max);
  if max > 0.0 {
    v.iter_mut().for_each(|x| *x /= max);
  }
}

/// The features of every unit against `query` ([`Feature`] order); `None` when no query
/// term occurs in the text.
pub fn features(
  text: &str,
  units: &[Unit],
  docs: &[Vec<Term>],
  vocab: &Vocab,
  query: &str,
) -> Option<Vec<[f64; N]>> {
  use Feature as F;
  let mut seq = score::query_sequence(vocab, query);
  let mut q = seq.clone();
  q.sort_unstable();
  q.dedup();
  // Term pairs are compared one by one: only the first ones of a long query.
  seq.truncate(MAX_QUERY_WORDS);
  if q.is_empty() {
    return None;
  }
  let mut capitals: Vec<u32> = score::query_flagged(vocab, query)
    .into_iter()
    .filter(|t| t.1 & score::CAPITAL != 0)
    .map(|t| t.0)
    .collect();
  capitals.sort_unstable();
  capitals.dedup();
  let roots = score::query_roots(vocab, query);
  let mut rel = score::bm25(docs, &q);
  let raw: Vec<f64> = rel.iter().map(|x| x / 5.0).collect();
  normalise(&mut rel);
  let mut root_rel = score::bm25_by(docs, &roots, |t| t.root);
  normalise(&mut root_rel);
  let idf = idf(docs, &q);
  let idf_sum = idf.iter().sum::<f64>().max(1e-9);
  let want = question::want(query);
  let mut qw = word_hashes(query);
  qw.truncate(MAX_QUERY_WORDS);
  let verbatim: Vec<&str> = query
    .split(|c: char| !c.is_alphanumeric())
    .filter(|w| w.len() > 3)
    .take(MAX_QUERY_WORDS)
    .collect();
  let mut ids = Vec::new();
  let mut pairs = Vec::new();
  let mut out: Vec<[f64; N]> = units
    .iter()
    .zip(docs)
    .map(|(u, d)| {
      let t = &text[u.range.clone()];
      let mut f = [0.0; N];
      let (prox, cov) = proximity_coverage(d, &q, &idf, idf_sum);
      ids.clear();
      ids.extend(d.iter().map(|t| t.id));
      ids.sort_unstable();
      ids.dedup();
      let fit = question::fits(want, d, &q);
      let near = fits_near(want, d, &q);
      let (run, word_pairs) = surface_overlap(&qw, &word_hashes(t), &mut pairs);
      f[F::Proximity as usize] = prox;
      f[F::TermPairs as usize] = term_pairs(&seq, d);
      f[F::Fit as usize] = fit;
      f[F::FitNear as usize] = near;
      f[F::CapitalOverlap as usize] = share_present(&capitals, &ids);
      f[F::Length as usize] = (1.0 + d.len() as f64).ln() / 4.0;
      f[F::Coverage as usize] = cov;
      f[F::Verbatim as usize] = if verbatim.is_empty() {
        0.0
      } else {
        verbatim.iter().filter(|w| t.contains(*w)).count() as f64 / verbatim.len() as f64
      };
      f[F::LongestRun as usize] = run;
      f[F::WordPairs as usize] = word_pairs;
      f[F::FitNearCoverage as usize] = near * cov;
      f[F::FitDate as usize] = if want == Want::Date { fit } else { 0.0 };
      f[F::FitNumber as usize] = if want == Want::Number { fit } else { 0.0 };
      f[F::FitPlace as usize] = if want == Want::Place { fit } else { 0.0 };
      f
    })
    .collect();
  let mut prox: Vec<f64> = out.iter().map(|f| f[F::Proximity as usize]).collect();
  normalise(&mut prox);
  for i in 0..out.len() {
    let u = &units[i];
    let prev = i > 0 && units[i - 1].block == u.block;
    let next = i + 1 < units.len() && units[i + 1].block == u.block;
    out[i][F::Bm25 as usize] = rel[i];
    out[i][F::RootBm25 as usize] = root_rel[i];
    out[i][F::RawBm25 as usize] = raw[i];
    out[i][F::Proximity as usize] = prox[i];
    if i > 0 && starts_with_anaphor(&text[u.range.clone()]) {
      out[i][F::AnaphorPrevious as usize] = rel[i - 1];
    }
    if prev {
      out[i][F::PreviousBm25 as usize] = rel[i - 1];
      out[i][F::FitAfterMatch as usize] = out[i][F::Fit as usize] * rel[i - 1];
      out[i][F::PreviousCoverage as usize] = out[i - 1][F::Coverage as usize];
      out[i][F::PreviousRun as usize] = out[i - 1][F::LongestRun as usize];
    }
    if next {
      out[i][F::NextCoverage as usize] = out[i + 1][F::Coverage as usize];
    }
    out[i][F::Heading as usize] = u.section.map_or(0.0, |h| {
      let h = h as usize;
      if rel[h] > 0.0 {
        1.0
      } else if h + 1 == i {
        0.5
      } else {
        0.0
      }
    });
  }
  Some(out)
}

/// The score of a feature vector: `Σ WEIGHTS[k] × f[k]`.
pub fn score(f: &[f64; N]) -> f64 {
  f.iter().zip(&WEIGHTS).map(|(x, w)| x * w).sum()
}

#[cfg(test)]
mod tests {
  use super::*;
  use crate::blocks::segment;

  fn scores(text: &str, query: &str) -> Vec<f64> {
    let units = segment(text);
    let mut vocab = Vocab::default();
    let docs: Vec<Vec<Term>> = units
      .iter()
      .map(|u| score::terms(&mut vocab, &text[u.range.clone()]))
      .collect();
    features(text, &units, &docs, &vocab, query)
      .unwrap()
      .iter()
      .map(score)
      .collect()
  }

  #[test]
  fn the_answer_sentence_wins() {
    let t = "Warsaw's first stock exchange opened under the Congress Kingdom and traded until \
             the war. It was re-established in April 1991, after the end of communist \
             control. Today it is the largest exchange in the region.";
    let s = scores(t, "When was Warsaw's stock exchange re-established?");
    assert!(s[1] > s[0] && s[1] > s[2], "{s:?}");
    // A date question prefers the sentence with a date the question does not name.
    let t = "The accident left Tesla with broken ribs. The accident happened in the fall of \
             1937, when a taxi hit him.";
    let s = scores(t, "When did the accident occur?");
    assert!(s[1] > s[0], "{s:?}");
  }

  #[test]
  fn surface_runs() {
    let q = word_hashes("as part of its outreach programme");
    let u = word_hashes("In July, as part of its outreach programme to young people");
    let (run, pairs) = surface_overlap(&q, &u, &mut Vec::new());
    assert_eq!(run, 6.0 / 8.0);
    assert_eq!(pairs, 1.0);
    assert_eq!(surface_overlap(&q, &[], &mut Vec::new()), (0.0, 0.0));
  }

  #[test]
  fn no_known_query_term_gives_no_features() {
    let t = "One sentence. Another one.";
    let units = segment(t);
    let mut vocab = Vocab::default();
    let docs: Vec<Vec<Term>> = units
      .iter()
      .map(|u| score::terms(&mut vocab, &t[u.range.clone()]))
      .collect();
    assert!(features(t, &units, &docs, &vocab, "zebra?").is_none());
  }
}
