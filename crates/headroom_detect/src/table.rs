//! Table detection: markdown pipe tables, CSV and TSV.

use crate::sample::Sample;
use crate::types::{ContentType, Detection, TableFormat};

/// Maximum records examined for CSV/TSV.
const MAX_RECORDS: usize = 300;

/// Whether `line` is a markdown table separator row such as `|---|:--:|`.
pub(crate) fn is_md_separator(line: &str) -> bool {
  let t = line.trim();
  if !t.contains('-') || !(t.starts_with('|') || t.contains('|')) {
    return false;
  }
  let cells = t.trim_matches('|').split('|');
  let mut n = 0;
  for c in cells {
    let c = c.trim();
    let c = c.strip_prefix(':').unwrap_or(c);
    let c = c.strip_suffix(':').unwrap_or(c);
    if c.is_empty() || !c.bytes().all(|b| b == b'-') {
      return false;
    }
    n += 1;
  }
  n >= 1
}

/// Detects a markdown pipe table filling (most of) the sample.
fn detect_markdown(sample: &Sample<'_>) -> Option<Detection> {
  let mut total = 0usize;
  let mut piped = 0usize;
  let mut seps = 0usize;
  for line in sample.nonblank() {
    total += 1;
    let t = line.trim();
    if t.starts_with('|') || (t.ends_with('|') && t.contains(" | ")) {
      piped += 1;
      if is_md_separator(t) {
        seps += 1;
      }
    }
  }
  if seps == 0 || piped < 3 {
    return None;
  }
  let frac = piped as f32 / total as f32;
  (frac >= 0.6).then(|| Detection {
    table_format: Some(TableFormat::Markdown),
    ..Detection::new(ContentType::Table, 0.55 + 0.44 * frac)
  })
}

/// Field counts of up to [`MAX_RECORDS`] records of `text` split on `delim`, honouring
/// RFC 4180 double quotes (quoted fields may span lines).
fn field_counts(text: &str, delim: u8, quoted: bool) -> Vec<usize> {
  let mut counts = Vec::new();
  let mut fields = 1usize;
  let mut in_q = false;
  let mut at_field_start = true;
  let mut nonempty = false;
  for &c in text.as_bytes() {
    if in_q {
      if c == b'"' {
        in_q = false;
      }
      continue;
    }
    match c {
      b'"' if quoted && at_field_start => {
        in_q = true;
        at_field_start = false;
        nonempty = true;
      }
      b'\n' => {
        if nonempty {
          counts.push(fields);
          if counts.len() >= MAX_RECORDS {
            return counts;
          }
        }
        fields = 1;
        at_field_start = true;
        nonempty = false;
      }
      b'\r' => {}
      _ if c == delim => {
        fields += 1;
        at_field_start = true;
        nonempty = true;
      }
      _ => {
        at_field_start = false;
        nonempty = true;
      }
    }
  }
  if nonempty && !in_q {
    counts.push(fields);
  }
  counts
}

/// Most common value and how many records have it.
fn mode(counts: &[usize]) -> (usize, usize) {
  let mut best = (0, 0);
  let mut sorted = counts.to_vec();
  sorted.sort_unstable();
  let mut i = 0;
  while i < sorted.len() {
    let j = sorted[i..].iter().take_while(|&&v| v == sorted[i]).count();
    if j > best.1 {
      best = (sorted[i], j);
    }
    i += j;
  }
  best
}

/// Detects CSV or TSV in the sampled head.
fn detect_delimited(sample: &Sample<'_>) -> Option<Detection> {
  let mut best: Option<Detection> = None;
  for (delim, format) in [(b'\t', TableFormat::Tsv), (b',', TableFormat::Csv)] {
    let mut counts = field_counts(sample.head, delim, true);
    if sample.truncated && counts.len() > 2 {
      counts.pop();
    }
    if counts.len() < 2 {
      continue;
    }
    let (cols, n) = mode(&counts);
    if cols < 2 {
      continue;
    }
    let frac = n as f32 / counts.len() as f32;
    let min_frac = if counts.len() <= 3 { 1.0 } else { 0.85 };
    if frac < min_frac {
      continue;
    }
    if format == TableFormat::Tsv && !first_fields_nonempty(sample) {
      continue;
    }
    let col_factor = match cols {
      2 => 0.75,
      3 => 0.9,
      _ => 1.0,
    };
    let rows_factor = if counts.len() >= 5 { 1.0 } else { 0.85 };
    let conf = (0.35 + 0.6 * frac) * col_factor * rows_factor;
    if best.is_none_or(|b| conf > b.confidence) {
      best = Some(Detection {
        table_format: Some(format),
        ..Detection::new(ContentType::Table, conf)
      });
    }
  }
  best
}

/// TSV rows start with a value, unlike tab-indented code.
fn first_fields_nonempty(sample: &Sample<'_>) -> bool {
  let mut total = 0;
  let mut ok = 0;
  for l in sample.nonblank() {
    total += 1;
    if !l.starts_with('\t') && !l.starts_with(' ') {
      ok += 1;
    }
  }
  ok * 10 >= total * 9
}

/// Detects any table.
pub(crate) fn detect(sample: &Sample<'_>) -> Option<Detection> {
  detect_markdown(sample).or_else(|| detect_delimited(sample))
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn separators() {
    assert!(is_md_separator("|---|:---:|"));
    assert!(is_md_separator("| --- | --- |"));
    assert!(!is_md_separator("| a | b |"));
  }

  #[test]
  fn counts() {
    assert_eq!(field_counts("a,\"b,c\",d\n1,2,3\n", b',', true), vec![3, 3]);
  }
}
