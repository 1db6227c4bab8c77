//! Sentence selection under a token budget, and rendering with in-place markers.

use headroom_core::marker::Marker;

use crate::blocks::{Kind, Unit};
use crate::score;

/// How each unit fared.
pub struct Selection {
  /// `keep[i]`: unit `i` is copied to the output.
  pub keep: Vec<bool>,
  /// o200k tokens of each unit.
  pub tokens: Vec<usize>,
}

/// Weights of the score parts: `(relevance, position, heading, number)`.
const WITH_QUERY: (f64, f64, f64, f64) = (1.0, 0.0, 0.1, 0.1);
/// Extra number weight when the query asks for a quantity or a date.
const NUMBER_QUESTION: f64 = 0.25;
const WITHOUT_QUERY: (f64, f64, f64, f64) = (0.6, 0.3, 0.1, 0.2);

/// Scores every unit (higher is more worth keeping); `None` for units that are always kept.
pub fn scores(text: &str, units: &[Unit], query: Option<&str>) -> Vec<Option<f64>> {
  let mut vocab = score::Vocab::default();
  let docs: Vec<Vec<u32>> = units
    .iter()
    .map(|u| score::terms(&mut vocab, &text[u.range.clone()]))
    .collect();
  let q = query
    .map(|q| score::query_terms(&vocab, q))
    .unwrap_or_default();
  let (rel, w) = if q.is_empty() {
    (score::centrality(&docs, vocab.len()), WITHOUT_QUERY)
  } else {
    (score::bm25(&docs, &q), WITH_QUERY)
  };
  // A question asking for a quantity or a date favours units with numbers.
  let wants_number = query.is_some_and(score::asks_for_number);
  let w = if wants_number {
    (w.0, w.1, w.2, w.3 + NUMBER_QUESTION)
  } else {
    w
  };
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
      Some(w.0 * norm(rel[i]) + w.1 * pos + w.2 * heading + w.3 * number)
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
