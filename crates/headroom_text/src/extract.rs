//! Sentence selection under a token budget, and rendering with in-place markers.

use headroom_core::marker::Marker;

use crate::blocks::{Kind, Unit};
use crate::plan;
use crate::question::{self, Want};
use crate::score;

/// How each unit fared.
pub struct Selection {
  /// `keep[i]`: unit `i` is copied to the output.
  pub keep: Vec<bool>,
  /// o200k tokens of each unit.
  pub tokens: Vec<usize>,
}

/// Weights of the score parts: `(relevance, position, heading, number)`.
/// With a query, numbers weigh through the answer type ([`question::fits`]) instead.
const WITH_QUERY: (f64, f64, f64, f64) = (1.0, 0.0, 0.1, 0.0);
const WITHOUT_QUERY: (f64, f64, f64, f64) = (0.6, 0.3, 0.1, 0.2);

/// With a query: weight of the share of the query's term pairs found in a unit.
const BIGRAM: f64 = 0.1;
/// With a query: weight of holding a candidate of the answer type the question asks for.
const FIT: f64 = 0.7;
/// With a query: share of the previous unit's relevance given to a unit opening with a
/// pronoun ("It was re-established in 1991" after the sentence naming the exchange).
const PREVIOUS: f64 = 0.5;
/// Sharpness of the answer likelihood `exp(BETA × (score − best))` that the exact
/// planner maximises.
const BETA: f64 = 3.0;

/// Share of the query's consecutive term pairs that also occur consecutively in `terms`.
fn bigram_overlap(seq: &[u32], terms: &[score::Term]) -> f64 {
  let pairs = seq.windows(2).filter(|w| w[0] != w[1]).count();
  if pairs == 0 {
    return 0.0;
  }
  let hit = seq
    .windows(2)
    .filter(|w| w[0] != w[1])
    .filter(|w| terms.windows(2).any(|t| t[0].id == w[0] && t[1].id == w[1]))
    .count();
  hit as f64 / pairs as f64
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

/// Scores every unit (higher is more worth keeping); `None` for units that are always kept.
pub fn scores(text: &str, units: &[Unit], query: Option<&str>) -> Vec<Option<f64>> {
  let mut vocab = score::Vocab::with_capacity((text.len() / 16).clamp(16, 1 << 16));
  let docs: Vec<Vec<score::Term>> = units
    .iter()
    .map(|u| score::terms(&mut vocab, &text[u.range.clone()]))
    .collect();
  let seq = query
    .map(|q| score::query_sequence(&vocab, q))
    .unwrap_or_default();
  let mut q = seq.clone();
  q.sort_unstable();
  q.dedup();
  let (rel, w) = if q.is_empty() {
    (score::centrality(&docs, vocab.len()), WITHOUT_QUERY)
  } else {
    (score::bm25(&docs, &q), WITH_QUERY)
  };
  let want = query.map_or(Want::Any, question::want);
  let max = rel.iter().copied().fold(0.0f64, f64::max);
  let norm = |x: f64| if max > 0.0 { x / max } else { 0.0 };
  let first_sentence = units.iter().position(|u| u.kind == Kind::Sentence);
  units
    .iter()
    .enumerate()
    .map(|(i, u)| {
      let t = &text[u.range.clone()];
      if !matches!(u.kind, Kind::Sentence | Kind::TableRow) || score::must_keep(t) {
        return None;
      }
      let pos = if Some(i) == first_sentence {
        1.0
      } else if u.first_in_block {
        0.5
      } else {
        0.0
      };
      let heading = u.section.map_or(0.0, |h| {
        let h = h as usize;
        if !q.is_empty() && rel[h] > 0.0 {
          1.0
        } else if h + 1 == i {
          0.5
        } else {
          0.0
        }
      });
      let number = if score::has_number(t) { 1.0 } else { 0.0 };
      let mut s = w.0 * norm(rel[i]) + w.1 * pos + w.2 * heading + w.3 * number;
      if !q.is_empty() {
        // A sentence opening with a pronoun continues the one before it.
        if i > 0 && starts_with_anaphor(t) {
          s += PREVIOUS * norm(rel[i - 1]);
        }
        s += BIGRAM * bigram_overlap(&seq, &docs[i]) + FIT * question::fits(want, &docs[i], &q);
      }
      Some(s)
    })
    .collect()
}

/// Chooses the units to keep so that kept tokens plus marker tokens stay within `target`
/// of the units' tokens. Always-kept units (headings, code, table heads, units with code
/// spans, URLs, paths or identifiers) are kept even past the budget. The others are taken
/// greedily by score (ties: document order), each costing its tokens plus the change in the
/// number of markers it causes (`marker_tokens` each); a run of omitted units that costs no
/// more than its marker is kept.
pub fn select(
  text: &str,
  units: &[Unit],
  query: Option<&str>,
  target: f64,
  marker_tokens: usize,
) -> Selection {
  let tok = headroom_tokens::tokenizer(headroom_tokens::Encoding::O200kBase);
  let tokens: Vec<usize> = units
    .iter()
    .map(|u| tok.count(&text[u.range.clone()]))
    .collect();
  let scores = scores(text, units, query);
  let n = units.len();
  let mut keep: Vec<bool> = scores.iter().map(Option::is_none).collect();
  let budget = target * tokens.iter().sum::<usize>() as f64;
  // Small inputs: the plan of highest total answer likelihood (softmax of the scores).
  let top = scores
    .iter()
    .flatten()
    .copied()
    .fold(f64::NEG_INFINITY, f64::max);
  // The best unit is always kept: an output of markers alone says nothing, and with a
  // query the best unit is the one most likely to answer it.
  let best = scores.iter().position(|s| *s == Some(top));
  let value: Vec<Option<f64>> = scores
    .iter()
    .enumerate()
    .map(|(i, s)| {
      s.filter(|_| Some(i) != best)
        .map(|s| (BETA * (s - top)).exp())
    })
    .collect();
  if let Some(plan) = plan::best_subset(&tokens, &value, budget as usize, marker_tokens) {
    keep = plan;
  } else {
    greedy(&scores, &tokens, &mut keep, budget, marker_tokens);
  }
  // Runs cheaper than their marker are kept.
  let mut i = 0;
  while i < n {
    if keep[i] {
      i += 1;
      continue;
    }
    let j = (i..n).find(|&j| keep[j]).unwrap_or(n);
    if tokens[i..j].iter().sum::<usize>() <= marker_tokens {
      keep[i..j].iter_mut().for_each(|k| *k = true);
    }
    i = j;
  }
  Selection { keep, tokens }
}

/// Greedy selection by score (ties: document order), each unit costing its tokens plus the
/// change in the number of markers it causes; the best unit is always kept.
fn greedy(
  scores: &[Option<f64>],
  tokens: &[usize],
  keep: &mut [bool],
  budget: f64,
  marker_tokens: usize,
) {
  let n = keep.len();
  let mk = marker_tokens as f64;
  let mut cost: f64 = (0..n).filter(|&i| keep[i]).map(|i| tokens[i] as f64).sum();
  cost += mk
    * (0..n)
      .filter(|&i| !keep[i] && (i == 0 || keep[i - 1]))
      .count() as f64;
  let mut order: Vec<(f64, usize)> = scores
    .iter()
    .enumerate()
    .filter_map(|(i, s)| s.map(|s| (s, i)))
    .collect();
  order.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
  // The best unit is always kept: an output of markers alone says nothing, and with a
  // query the best unit is the one most likely to answer it.
  for (k, &(_, i)) in order.iter().enumerate() {
    let left = i > 0 && !keep[i - 1];
    let right = i + 1 < n && !keep[i + 1];
    let delta = match (left, right) {
      (true, true) => 1.0,
      (false, false) => -1.0,
      _ => 0.0,
    };
    let c = tokens[i] as f64 + delta * mk;
    if k == 0 || cost + c <= budget {
      keep[i] = true;
      cost += c;
    }
  }
}

/// Renders the kept units with their surrounding whitespace and one marker per run of
/// omitted units (see the crate docs for the whitespace rules).
pub fn render(text: &str, units: &[Unit], keep: &[bool], key: &str) -> String {
  let n = units.len();
  let mut out = String::with_capacity(text.len() / 2 + 64);
  if n == 0 {
    return text.to_string();
  }
  out.push_str(&text[..units[0].range.start]);
  let gap_end = |j: usize| {
    if j < n {
      units[j].range.start
    } else {
      text.len()
    }
  };
  let mut i = 0;
  while i < n {
    if keep[i] {
      out.push_str(&text[units[i].range.clone()]);
      out.push_str(&text[units[i].range.end..gap_end(i + 1)]);
      i += 1;
      continue;
    }
    let j = (i..n).find(|&j| keep[j]).unwrap_or(n);
    out.push_str(
      &Marker {
        omitted: (j - i) as u64,
        total: n as u64,
        unit: "sentences",
        breakdown: None,
        hash: key,
      }
      .render(),
    );
    let run = &text[units[i].range.start..units[j - 1].range.end];
    let gap = &text[units[j - 1].range.end..gap_end(j)];
    match run.rfind('\n') {
      // The run spanned a line break but the text after it goes on on the same line:
      // keep the line break (and the indentation of the line that continued).
      Some(nl) if j < n && !gap.contains('\n') => {
        out.push_str(if run[..nl].ends_with('\r') {
          "\r\n"
        } else {
          "\n"
        });
        let rest = &run[nl + 1..];
        out.push_str(&rest[..rest.len() - rest.trim_start_matches([' ', '\t']).len()]);
      }
      _ => out.push_str(gap),
    }
    i = j;
  }
  out
}
