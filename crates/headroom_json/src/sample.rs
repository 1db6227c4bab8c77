//! Which items a lossy form keeps.
//!
//! The budget `K` adapts to the data: `K = base * (1 + diversity)` (balanced: base 10 rows /
//! 12 items; aggressive: 5 / 6), and the selection may grow to `3K` (aggressive `2K`) to
//! hold must-keep rows. Candidates are taken in this priority order until the cap:
//!
//! 1. the first and last items (position anchors);
//! 2. one item of every value of the main categorical field (no category, least of all
//!    the majority, is ever dropped entirely);
//! 3. error items; 4. query-relevant items (BM25); 5. rare fields and values;
//! 6. numeric outliers; 7. change points (both sides);
//! 8. a stratified sample: each value of the main categorical field gets a share of `K`
//!    proportional to its frequency (earliest items first, which keeps gaps few);
//! 9. an even stride until `K` items are kept.
//!
//! The result is a keep-mask; kept items are emitted in their original order.

use crate::analyze::Analysis;
use headroom_core::Mode;

/// Budgets for one selection.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
  /// Target number kept.
  pub k: usize,
  /// Hard cap on the number kept.
  pub max: usize,
  /// Leading items always kept.
  pub head: usize,
  /// Trailing items always kept.
  pub tail: usize,
}

impl Budget {
  /// The budget for `mode` given the analysis (`rows`: objects, else scalar items).
  pub fn new(mode: Mode, a: &Analysis, rows: bool) -> Budget {
    let aggressive = mode == Mode::Aggressive;
    let base = match (aggressive, rows) {
      (false, true) => 10.0,
      (false, false) => 12.0,
      (true, true) => 5.0,
      (true, false) => 6.0,
    };
    let k = (base * (1.0 + a.diversity.clamp(0.0, 1.0))).round() as usize;
    Budget {
      k,
      max: if aggressive { 2 * k } else { 3 * k },
      head: if rows { 2 } else { 3 } - usize::from(aggressive),
      tail: if rows || aggressive { 1 } else { 2 },
    }
  }
}

/// Selects the items to keep. `relevant` are query-relevant indices, best first.
pub fn select(a: &Analysis, relevant: &[usize], b: Budget) -> Vec<bool> {
  let n = a.n;
  let mut keep = vec![false; n];
  let mut kept = 0usize;
  let cap = b.max.max(b.head + b.tail).min(n);
  let add = |i: usize, keep: &mut Vec<bool>, kept: &mut usize| -> bool {
    if *kept >= cap {
      return false;
    }
    if i < n && !keep[i] {
      keep[i] = true;
      *kept += 1;
    }
    true
  };
  for i in (0..b.head.min(n)).chain(n.saturating_sub(b.tail)..n) {
    add(i, &mut keep, &mut kept);
  }
  let main = a.categorical.first().map(|&fi| &a.fields[fi]);
  if let Some(f) = main {
    for rows in &f.label_rows {
      if !rows.iter().any(|&r| keep[r as usize]) {
        add(rows[0] as usize, &mut keep, &mut kept);
      }
    }
  }
  for list in [&a.errors[..], relevant, &a.rare, &a.outliers, &a.changes] {
    for &i in list {
      if !add(i, &mut keep, &mut kept) {
        return keep;
      }
    }
  }
  if let Some(f) = main {
    for (li, rows) in f.label_rows.iter().enumerate() {
      let count = f.count(&f.order[li]);
      let target = ((b.k * count) as f64 / n as f64).round().max(1.0) as usize;
      let mut have = rows.iter().filter(|&&r| keep[r as usize]).count();
      for &r in rows {
        if have >= target {
          break;
        }
        if !keep[r as usize] {
          if !add(r as usize, &mut keep, &mut kept) {
            return keep;
          }
          have += 1;
        }
      }
    }
  }
  if kept < b.k.min(n) {
    let want = b.k.min(n);
    let mut j = 0;
    let steps = want * 4;
    while kept < want && j < steps {
      let i = j * n / steps;
      add(i, &mut keep, &mut kept);
      j += 1;
    }
  }
  keep
}

#[cfg(test)]
mod tests {
  use super::*;
  use serde_json::json;

  #[test]
  fn majority_and_minority_both_kept() {
    let rows: Vec<_> = (0..100)
      .map(|i| json!({"id": i, "level": if i % 7 == 0 { "warn" } else { "info" }, "msg": format!("m{}", i % 3)}))
      .collect();
    let text = serde_json::Value::Array(rows).to_string();
    let Some(crate::value::JVal::Arr(rows)) = crate::value::parse(&text) else {
      panic!("not an array")
    };
    let a = Analysis::new(&rows, false);
    let keep = select(&a, &[], Budget::new(Mode::Balanced, &a, true));
    let info = (0..100).filter(|&i| keep[i] && i % 7 != 0).count();
    let warn = (0..100).filter(|&i| keep[i] && i % 7 == 0).count();
    assert!(info >= warn && warn >= 1, "info {info} warn {warn}");
  }
}
