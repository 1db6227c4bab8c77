//! Sentence selection under a token budget, and rendering with in-place markers.

use headroom_core::marker::Marker;

use crate::blocks::{Kind, Unit};
use crate::plan;
use crate::relevance;
use crate::score;

/// How each unit fared.
pub struct Selection {
  /// `keep[i]`: unit `i` is copied to the output.
  pub keep: Vec<bool>,
  /// o200k tokens of each unit.
  pub tokens: Vec<usize>,
}

/// Weights of the score parts without a query: `(centrality, position, heading, number)`.
/// With a query, [`relevance`] scores the units.
const WITHOUT_QUERY: (f64, f64, f64, f64) = (0.6, 0.3, 0.1, 0.2);

/// Sharpness of the answer likelihood `exp(BETA × (score − best))` that the exact planner
/// maximises, without a query. With one, scores are log-odds already (β = 1).
const BETA: f64 = 3.0;

/// Scores every unit (higher is more worth keeping); `None` for units that are always kept.
pub fn scores(text: &str, units: &[Unit], query: Option<&str>) -> Vec<Option<f64>> {
  scored(text, units, query).0
}

/// [`scores`] and the sharpness of their likelihood.
fn scored(text: &str, units: &[Unit], query: Option<&str>) -> (Vec<Option<f64>>, f64) {
  let mut vocab = score::Vocab::with_capacity((text.len() / 16).clamp(16, 1 << 16));
  let docs: Vec<Vec<score::Term>> = units
    .iter()
    .map(|u| score::terms(&mut vocab, &text[u.range.clone()]))
    .collect();
  let always = |u: &Unit| {
    !matches!(u.kind, Kind::Sentence | Kind::TableRow) || score::must_keep(&text[u.range.clone()])
  };
  if let Some(feats) = query.and_then(|q| relevance::features(text, units, &docs, &vocab, q)) {
    let s = units
      .iter()
      .zip(&feats)
      .map(|(u, f)| (!always(u)).then(|| relevance::score(f)))
      .collect();
    return (s, 1.0);
  }
  let rel = score::centrality(&docs, vocab.len());
  let max = rel.iter().copied().fold(0.0f64, f64::max);
  let norm = |x: f64| if max > 0.0 { x / max } else { 0.0 };
  let first_sentence = units.iter().position(|u| u.kind == Kind::Sentence);
  let wt = WITHOUT_QUERY;
  let s = units
    .iter()
    .enumerate()
    .map(|(i, u)| {
      if always(u) {
        return None;
      }
      let pos = if Some(i) == first_sentence {
        1.0
      } else if u.first_in_block {
        0.5
      } else {
        0.0
      };
      let heading = u
        .section
        .map_or(0.0, |h| if h as usize + 1 == i { 0.5 } else { 0.0 });
      let number = if score::has_number(&text[u.range.clone()]) {
        1.0
      } else {
        0.0
      };
      Some(wt.0 * norm(rel[i]) + wt.1 * pos + wt.2 * heading + wt.3 * number)
    })
    .collect();
  (s, BETA)
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
  let (scores, beta) = scored(text, units, query);
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
  let likelihood = |s: f64| (beta * (s - top)).exp();
  let value: Vec<Option<f64>> = scores
    .iter()
    .enumerate()
    .map(|(i, s)| s.filter(|_| Some(i) != best).map(likelihood))
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
