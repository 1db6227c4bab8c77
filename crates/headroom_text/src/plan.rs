//! Exact selection for small inputs: the subset of units with the highest total value whose
//! tokens plus marker tokens (one marker per run of omitted units) fit the budget, by
//! dynamic programming over (unit, tokens spent, previous unit kept).

/// Most DP cells (units × budget) worth spending; beyond it the caller goes greedy.
const MAX_CELLS: usize = 1 << 16;

/// `keep` maximising `Σ value[i]` over kept units with `Σ tokens[kept] + marker × runs of
/// omitted units <= budget`; units whose value is `None` are always kept. Ties go to the
/// cheaper, then the earlier-found plan. `None` when the table would be too large or
/// nothing fits.
pub fn best_subset(
  tokens: &[usize],
  value: &[Option<f64>],
  budget: usize,
  marker: usize,
) -> Option<Vec<bool>> {
  let n = tokens.len();
  let w = budget.checked_add(1)?;
  if n.checked_mul(w)? > MAX_CELLS {
    return None;
  }
  const NONE: f64 = f64::NEG_INFINITY;
  // cur[c * 2 + k]: best value with c tokens spent, k = whether the last unit was kept.
  let mut cur = vec![NONE; w * 2];
  let mut next = vec![NONE; w * 2];
  // Before the first unit, dropping starts a run: as if a kept unit came before.
  cur[1] = 0.0;
  // from[(i * w + c) * 2 + k]: whether the unit before i was kept on the best path.
  let mut from = vec![0u8; n * w * 2];
  for i in 0..n {
    next.iter_mut().for_each(|x| *x = NONE);
    for c in 0..w {
      for k in 0..2 {
        let v = cur[c * 2 + k];
        if v == NONE {
          continue;
        }
        let c2 = c + tokens[i];
        let nv = v + value[i].unwrap_or(0.0);
        if c2 < w && nv > next[c2 * 2 + 1] {
          next[c2 * 2 + 1] = nv;
          from[(i * w + c2) * 2 + 1] = k as u8;
        }
        if value[i].is_some() {
          let c2 = c + if k == 1 { marker } else { 0 };
          if c2 < w && v > next[c2 * 2] {
            next[c2 * 2] = v;
            from[(i * w + c2) * 2] = k as u8;
          }
        }
      }
    }
    std::mem::swap(&mut cur, &mut next);
  }
  let mut best: Option<(f64, usize, usize)> = None;
  for c in 0..w {
    for k in 0..2 {
      let v = cur[c * 2 + k];
      if v != NONE && best.is_none_or(|b| v > b.0) {
        best = Some((v, c, k));
      }
    }
  }
  let (_, mut c, mut k) = best?;
  let mut keep = vec![false; n];
  for i in (0..n).rev() {
    keep[i] = k == 1;
    let p = usize::from(from[(i * w + c) * 2 + k]);
    c -= if k == 1 {
      tokens[i]
    } else if p == 1 {
      marker
    } else {
      0
    };
    k = p;
  }
  Some(keep)
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn adjacent_units_save_a_marker() {
    // Units 1 and 2 kept together need one marker before and one after (2 × 5) + 10 + 10.
    let keep = best_subset(
      &[10, 10, 10, 10],
      &[Some(0.1), Some(0.5), Some(0.4), Some(0.2)],
      30,
      5,
    );
    assert_eq!(keep, Some(vec![false, true, true, false]));
    // Forced units are kept; nothing fits: None.
    assert_eq!(best_subset(&[10, 10], &[None, Some(1.0)], 5, 5), None);
  }
}
