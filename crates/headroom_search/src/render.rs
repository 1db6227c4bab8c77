//! Writing the kept lines and one marker per omitted stretch.

use std::fmt::Write as _;

use headroom_core::marker::Marker;

use crate::parse::{Kind, Parsed};

/// Files named in a marker that spans several files.
const LISTED_FILES: usize = 5;

#[derive(Default)]
struct FileStat {
  file: u32,
  matches: u64,
  others: u64,
  lo: Option<u64>,
  hi: Option<u64>,
}

/// The output text: kept lines verbatim, a marker line in place of each omitted stretch.
pub(crate) fn render(p: &Parsed<'_>, keep: &[bool], hash: &str) -> String {
  let mut match_total = vec![0u64; p.files.len()];
  let mut line_total = vec![0u64; p.files.len()];
  for l in &p.lines {
    if let Some(f) = l.file {
      line_total[f as usize] += 1;
      if l.kind == Kind::Match {
        match_total[f as usize] += 1;
      }
    }
  }
  let mut out = String::new();
  let n = p.lines.len();
  let mut i = 0;
  while i < n {
    if keep[i] {
      push_line(&mut out, p.lines[i].raw);
      i += 1;
      continue;
    }
    let start = i;
    while i < n && !keep[i] {
      i += 1;
    }
    let marker = region_marker(p, start..i, &match_total, &line_total, hash);
    let eol = if p.lines[start].raw.ends_with("\r\n") {
      "\r\n"
    } else {
      "\n"
    };
    push_line(&mut out, &marker);
    out.push_str(eol);
  }
  out
}

/// Appends a line, first ending the previous one if it had no terminator.
fn push_line(out: &mut String, line: &str) {
  if !out.is_empty() && !out.ends_with('\n') {
    out.push('\n');
  }
  out.push_str(line);
}

fn region_marker(
  p: &Parsed<'_>,
  range: std::ops::Range<usize>,
  match_total: &[u64],
  line_total: &[u64],
  hash: &str,
) -> String {
  let mut stats: Vec<FileStat> = Vec::new();
  let mut loose = 0u64;
  for l in &p.lines[range.clone()] {
    let Some(f) = l.file else {
      loose += 1;
      continue;
    };
    if stats.last().is_none_or(|s| s.file != f) {
      match stats.iter().position(|s| s.file == f) {
        Some(at) => {
          let s = stats.remove(at);
          stats.push(s);
        }
        None => stats.push(FileStat {
          file: f,
          ..Default::default()
        }),
      }
    }
    let s = stats.last_mut().expect("pushed above");
    if l.kind == Kind::Match {
      s.matches += 1;
    } else {
      s.others += 1;
    }
    if let Some(ln) = l.line_no {
      s.lo = Some(s.lo.map_or(ln, |x| x.min(ln)));
      s.hi = Some(s.hi.map_or(ln, |x| x.max(ln)));
    }
  }
  let omitted_lines = range.len() as u64;
  let matches: u64 = stats.iter().map(|s| s.matches).sum();
  let only_matches = matches == omitted_lines;
  let (unit, total) = if only_matches {
    (
      "matches",
      stats.iter().map(|s| match_total[s.file as usize]).sum(),
    )
  } else {
    let t: u64 = stats
      .iter()
      .map(|s| line_total[s.file as usize])
      .sum::<u64>()
      + loose;
    ("lines", t.max(omitted_lines))
  };
  let mut b = String::new();
  let describe = |s: &FileStat, b: &mut String| {
    let path = p.files[s.file as usize];
    b.push_str(path);
    if let (Some(lo), Some(hi)) = (s.lo, s.hi) {
      if !path.is_empty() {
        b.push(' ');
      }
      if lo == hi {
        let _ = write!(b, "line {lo}");
      } else {
        let _ = write!(b, "lines {lo}-{hi}");
      }
    }
  };
  if stats.is_empty() {
    b.push_str("separators");
  } else if stats.len() == 1 {
    describe(&stats[0], &mut b);
    if !only_matches {
      let s = &stats[0];
      let _ = write!(
        b,
        "{}{} matches, {} other lines",
        if b.is_empty() { "" } else { ", " },
        s.matches,
        s.others + loose
      );
    }
  } else {
    let _ = write!(b, "{} files", stats.len());
    if !only_matches {
      let _ = write!(b, " ({matches} matches)");
    }
    b.push_str(": ");
    for (k, s) in stats.iter().take(LISTED_FILES).enumerate() {
      if k > 0 {
        b.push_str(", ");
      }
      let _ = write!(b, "{} ({})", p.files[s.file as usize], s.matches);
    }
    if stats.len() > LISTED_FILES {
      let _ = write!(b, " and {} more", stats.len() - LISTED_FILES);
    }
  }
  let b = b.replace("; retrieve hash=", ", retrieve hash=");
  Marker {
    omitted: omitted_lines,
    total,
    unit,
    breakdown: Some(&b),
    hash,
  }
  .render()
}
