//! Unified diff detection (`git diff`, `git show`, `git log -p`, `diff -u`, `diff -ru`).

use crate::sample::Sample;
use crate::types::{ContentType, Detection};

/// Whether `line` is a hunk header `@@ -a[,b] +c[,d] @@`.
pub(crate) fn is_hunk_header(line: &str) -> bool {
  let Some(rest) = line.strip_prefix("@@ -") else {
    return false;
  };
  let Some((range, rest)) = rest.split_once(" +") else {
    return false;
  };
  let range_ok = |r: &str| {
    !r.is_empty() && r.bytes().all(|c| c.is_ascii_digit() || c == b',') && r.as_bytes()[0] != b','
  };
  let Some((new_range, _)) = rest.split_once(" @@") else {
    return false;
  };
  range_ok(range) && range_ok(new_range)
}

/// Header and metadata lines that may appear outside hunks.
fn is_meta(line: &str) -> bool {
  const PREFIXES: [&str; 22] = [
    "diff --git ",
    "diff -",
    "diff --cc ",
    "index ",
    "--- ",
    "+++ ",
    "new file mode ",
    "deleted file mode ",
    "old mode ",
    "new mode ",
    "similarity index ",
    "dissimilarity index ",
    "rename from ",
    "rename to ",
    "copy from ",
    "copy to ",
    "Binary files ",
    "Only in ",
    "commit ",
    "Author: ",
    "Date: ",
    "Merge: ",
  ];
  PREFIXES.iter().any(|p| line.starts_with(p)) || line.starts_with("    ") || line.is_empty()
}

/// Detects a unified diff: at least one hunk header and (nearly) every line either diff
/// metadata or a hunk body line.
pub(crate) fn detect(sample: &Sample<'_>) -> Option<Detection> {
  let mut hunks = 0usize;
  let mut headers = 0usize;
  let mut good = 0usize;
  let mut total = 0usize;
  for line in sample.lines.iter().copied() {
    total += 1;
    if is_hunk_header(line) {
      hunks += 1;
      good += 1;
    } else if line.starts_with("diff --git ")
      || line.starts_with("+++ ")
      || line.starts_with("--- ")
      || line.starts_with("index ")
    {
      headers += 1;
      good += 1;
    } else if line.is_empty()
      || matches!(line.as_bytes()[0], b' ' | b'+' | b'-')
      || line.starts_with("\\ No newline")
      || is_meta(line)
    {
      good += 1;
    }
  }
  if hunks == 0 || total == 0 {
    return None;
  }
  let frac = good as f32 / total as f32;
  if frac < 0.8 {
    return None;
  }
  let strength = if headers > 0 { 0.15 } else { 0.0 };
  Some(Detection::new(
    ContentType::Diff,
    0.55 + 0.3 * frac + strength,
  ))
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn hunk_headers() {
    assert!(is_hunk_header("@@ -1,3 +1,4 @@ fn main() {"));
    assert!(is_hunk_header("@@ -0,0 +1 @@"));
    assert!(!is_hunk_header("@@ not a hunk @@"));
  }
}
