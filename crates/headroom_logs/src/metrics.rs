//! Evaluation metrics for template mining.

use std::collections::HashMap;
use std::hash::Hash;

/// Grouping accuracy (Zhu et al., "Tools and Benchmarks for Automated Log Parsing", ICSE-SEIP
/// 2019): a line is grouped correctly iff the set of lines in its predicted group equals
/// the set of lines sharing its ground-truth event; the result is the share of such lines.
/// `predicted` and `truth` hold one label per line (extra labels in the longer one are
/// ignored); an empty input scores 1.
pub fn grouping_accuracy<P: Hash + Eq, T: Hash + Eq>(predicted: &[P], truth: &[T]) -> f64 {
  let n = predicted.len().min(truth.len());
  if n == 0 {
    return 1.0;
  }
  let mut p_size: HashMap<&P, usize> = HashMap::new();
  let mut t_size: HashMap<&T, usize> = HashMap::new();
  let mut both: HashMap<(&P, &T), usize> = HashMap::new();
  for i in 0..n {
    *p_size.entry(&predicted[i]).or_default() += 1;
    *t_size.entry(&truth[i]).or_default() += 1;
    *both.entry((&predicted[i], &truth[i])).or_default() += 1;
  }
  let correct = (0..n)
    .filter(|&i| {
      let b = both[&(&predicted[i], &truth[i])];
      b == p_size[&predicted[i]] && b == t_size[&truth[i]]
    })
    .count();
  correct as f64 / n as f64
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn ga_counts_exact_groups_only() {
    assert_eq!(grouping_accuracy(&[1, 1, 2, 3], &["a", "a", "b", "b"]), 0.5);
    assert_eq!(grouping_accuracy(&[1, 1, 1], &["a", "a", "a"]), 1.0);
    assert_eq!(grouping_accuracy(&[1, 1, 1], &["a", "b", "c"]), 0.0);
    assert_eq!(grouping_accuracy::<u8, u8>(&[], &[]), 1.0);
  }
}
