//! Which lines to keep: per-file match budgets, relevance, attached context.

use headroom_core::Mode;

use crate::parse::{Kind, Parsed};

/// Budgets of one mode.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
  /// Matches kept per file run (more when the run is only slightly over).
  pub per_file: usize,
  /// The first matches of a file always kept (within `per_file`).
  pub first: usize,
  /// Matches kept over the whole output before per-file budgets shrink.
  pub global: usize,
  /// Context lines kept on each side of a kept match.
  pub context: u64,
  /// Omitted stretches of fewer lines are kept instead (a marker would cost as much).
  pub min_gap: usize,
  /// Omitted stretches of fewer bytes are kept instead (a marker line is ~120 bytes).
  pub min_gap_bytes: usize,
}

impl Budget {
  /// The budget of `mode` (`None` for lossless).
  pub fn for_mode(mode: Mode) -> Option<Budget> {
    match mode {
      Mode::Lossless => None,
      Mode::Balanced => Some(Budget {
        per_file: 8,
        first: 3,
        global: 300,
        context: 3,
        min_gap: 3,
        min_gap_bytes: 320,
      }),
      Mode::Aggressive => Some(Budget {
        per_file: 3,
        first: 1,
        global: 100,
        context: 1,
        min_gap: 3,
        min_gap_bytes: 240,
      }),
    }
  }
}

/// A maximal stretch of lines of one file (matches, context, separators between them).
#[derive(Debug, Clone)]
pub(crate) struct Run {
  pub file: u32,
  pub start: usize,
  pub end: usize,
  pub matches: Vec<usize>,
}

pub(crate) fn runs(p: &Parsed<'_>) -> Vec<Run> {
  let mut out: Vec<Run> = Vec::new();
  for (i, l) in p.lines.iter().enumerate() {
    if !matches!(l.kind, Kind::Match | Kind::Context) {
      continue;
    }
    let Some(f) = l.file else { continue };
    let extend = out.last().is_some_and(|r| {
      r.file == f
        && p.lines[r.end + 1..i]
          .iter()
          .all(|x| x.kind == Kind::Separator)
    });
    if !extend {
      out.push(Run {
        file: f,
        start: i,
        end: i,
        matches: Vec::new(),
      });
    }
    let r = out.last_mut().expect("pushed above");
    r.end = i;
    if l.kind == Kind::Match {
      r.matches.push(i);
    }
  }
  out
}

const MODIFIERS: &[&str] = &[
  "pub ",
  "pub(crate) ",
  "pub(super) ",
  "export ",
  "default ",
  "async ",
  "static ",
  "public ",
  "private ",
  "protected ",
  "abstract ",
  "final ",
  "inline ",
  "extern ",
  "unsafe ",
  "const ",
  "virtual ",
  "override ",
];

const DEFINITIONS: &[&str] = &[
  "fn ",
  "def ",
  "class ",
  "function ",
  "function* ",
  "struct ",
  "enum ",
  "trait ",
  "impl ",
  "impl<",
  "interface ",
  "type ",
  "func ",
  "mod ",
  "module ",
  "#define ",
  "typedef ",
  "macro_rules!",
  "union ",
  "namespace ",
];

/// Whether a matched line looks like a definition (`fn`, `def`, `class`, `#define`...).
pub fn is_definition(content: &str) -> bool {
  let mut s = content.trim_start();
  while let Some(m) = MODIFIERS.iter().find(|m| s.starts_with(**m)) {
    s = s[m.len()..].trim_start();
  }
  DEFINITIONS.iter().any(|d| s.starts_with(d))
}

/// The relevance of one matched line: query terms first, then definitions; very long
/// lines (minified code) are worth less.
pub(crate) fn score(content: &str, terms: &[String]) -> i32 {
  let mut s = 0;
  if !terms.is_empty() {
    let lower = content.to_lowercase();
    s += 4 * terms.iter().filter(|t| lower.contains(t.as_str())).count() as i32;
  }
  if is_definition(content) {
    s += 3;
  }
  if content.len() > 500 {
    s -= 2;
  }
  s
}

/// The matches of one run kept under `budget`, as indices into `run.matches`, sorted.
fn pick(run: &Run, scores: &[i32], per_file: usize, first: usize) -> Vec<usize> {
  let k = run.matches.len();
  if k <= per_file + 2 {
    return (0..k).collect();
  }
  let mut order: Vec<usize> = (0..k).collect();
  order.sort_by_key(|&j| (j >= first, std::cmp::Reverse(scores[j]), j));
  order.truncate(per_file.max(1));
  order.sort_unstable();
  order
}

/// The keep mask of every input line.
pub(crate) fn plan(p: &Parsed<'_>, runs: &[Run], terms: &[String], b: &Budget) -> Vec<bool> {
  let n = p.lines.len();
  let scores: Vec<Vec<i32>> = runs
    .iter()
    .map(|r| {
      r.matches
        .iter()
        .map(|&i| score(p.lines[i].content(), terms))
        .collect()
    })
    .collect();
  // Shrink the per-file budget until the whole output fits the global budget.
  let mut per_file = b.per_file;
  let mut picks: Vec<Vec<usize>>;
  loop {
    let first = b.first.min(per_file);
    picks = runs
      .iter()
      .zip(&scores)
      .map(|(r, s)| pick(r, s, per_file, first))
      .collect();
    let total: usize = picks.iter().map(Vec::len).sum();
    if total <= b.global || per_file == 1 {
      break;
    }
    per_file -= 1;
  }
  // Still over: summarise whole files with no relevant match, latest first.
  let mut total: usize = picks.iter().map(Vec::len).sum();
  let mut whole = vec![false; runs.len()];
  if total > b.global {
    let path_hit = |r: &Run| {
      let path = p.files[r.file as usize].to_lowercase();
      terms.iter().any(|t| path.contains(t.as_str()))
    };
    let mut cands: Vec<usize> = (0..runs.len())
      .filter(|&r| !path_hit(&runs[r]) && scores[r].iter().all(|&s| s <= 0))
      .collect();
    cands.sort_by_key(|&r| {
      (
        std::cmp::Reverse(runs[r].matches.len()),
        std::cmp::Reverse(r),
      )
    });
    for r in cands {
      if total <= b.global {
        break;
      }
      total -= picks[r].len();
      whole[r] = true;
    }
  }
  let mut keep = vec![true; n];
  for (ri, r) in runs.iter().enumerate() {
    keep[r.start..=r.end].fill(false);
    if whole[ri] {
      continue;
    }
    for &j in &picks[ri] {
      keep[r.matches[j]] = true;
    }
    keep_context(p, r, &mut keep, b.context);
  }
  // Separators: kept between two kept lines only.
  let mut before: Option<usize> = None;
  let mut prev = vec![None; n];
  for (i, slot) in prev.iter_mut().enumerate() {
    *slot = before;
    if p.lines[i].kind != Kind::Separator {
      before = Some(i);
    }
  }
  let mut after: Option<usize> = None;
  for i in (0..n).rev() {
    if p.lines[i].kind == Kind::Separator {
      keep[i] = matches!((prev[i], after), (Some(a), Some(z)) if keep[a] && keep[z]);
    } else {
      after = Some(i);
    }
  }
  fill_small_gaps(p, &mut keep, b);
  keep
}

/// Keeps context lines within `radius` of a kept match of the same block (a block ends at
/// a separator).
fn keep_context(p: &Parsed<'_>, r: &Run, keep: &mut [bool], radius: u64) {
  let dist = |a: usize, b: usize| -> u64 {
    match (p.lines[a].line_no, p.lines[b].line_no) {
      (Some(x), Some(y)) => x.abs_diff(y),
      _ => a.abs_diff(b) as u64,
    }
  };
  let mut near = vec![false; r.end - r.start + 1];
  let mut last: Option<usize> = None;
  for i in r.start..=r.end {
    match p.lines[i].kind {
      Kind::Separator => last = None,
      Kind::Match if keep[i] => last = Some(i),
      Kind::Context => near[i - r.start] = last.is_some_and(|m| dist(i, m) <= radius),
      _ => {}
    }
  }
  last = None;
  for i in (r.start..=r.end).rev() {
    match p.lines[i].kind {
      Kind::Separator => last = None,
      Kind::Match if keep[i] => last = Some(i),
      Kind::Context if last.is_some_and(|m| dist(i, m) <= radius) => near[i - r.start] = true,
      _ => {}
    }
  }
  for (o, k) in near.into_iter().enumerate() {
    if k {
      keep[r.start + o] = true;
    }
  }
}

/// Keeps omitted stretches too short to pay for their marker.
fn fill_small_gaps(p: &Parsed<'_>, keep: &mut [bool], b: &Budget) {
  let mut i = 0;
  while i < keep.len() {
    if keep[i] {
      i += 1;
      continue;
    }
    let start = i;
    while i < keep.len() && !keep[i] {
      i += 1;
    }
    let bytes: usize = p.lines[start..i].iter().map(|l| l.raw.len()).sum();
    if i - start < b.min_gap || bytes < b.min_gap_bytes {
      keep[start..i].fill(true);
    }
  }
}
