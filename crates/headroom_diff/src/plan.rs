//! What to keep of each hunk and file, under the budget of a mode.

use headroom_core::Mode;
use headroom_core::output::line_content;

use crate::parse::{BodyKind, Diff, FileDiff, Hunk};

/// Budgets of one mode.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
  /// Unchanged lines kept on each side of a change.
  pub context: usize,
  /// A context run is trimmed only when at least this many lines go (a marker costs).
  pub min_trim: usize,
  /// Hunks with more changed lines than this are collapsed.
  pub max_hunk_changes: usize,
  /// Changed lines kept at the head of a collapsed hunk.
  pub head: usize,
  /// Changed lines kept at the tail of a collapsed hunk.
  pub tail: usize,
  /// Changed lines kept per file before its later hunks are omitted.
  pub max_file_changes: usize,
  /// Generated/lock files with at least this many hunk lines have their hunks omitted.
  pub generated_min_lines: usize,
}

impl Budget {
  /// The budget of `mode` (`None` for lossless).
  pub fn for_mode(mode: Mode) -> Option<Budget> {
    match mode {
      Mode::Lossless => None,
      Mode::Balanced => Some(Budget {
        context: 3,
        min_trim: 6,
        max_hunk_changes: 150,
        head: 60,
        tail: 30,
        max_file_changes: 600,
        generated_min_lines: 12,
      }),
      Mode::Aggressive => Some(Budget {
        context: 2,
        min_trim: 4,
        max_hunk_changes: 60,
        head: 24,
        tail: 12,
        max_file_changes: 200,
        generated_min_lines: 6,
      }),
    }
  }
}

const GENERATED_NAMES: &[&str] = &[
  "Cargo.lock",
  "package-lock.json",
  "npm-shrinkwrap.json",
  "yarn.lock",
  "pnpm-lock.yaml",
  "bun.lockb",
  "poetry.lock",
  "Pipfile.lock",
  "uv.lock",
  "Gemfile.lock",
  "composer.lock",
  "go.sum",
  "flake.lock",
  "packages.lock.json",
];

/// Whether a path names a generated or lock file (`Cargo.lock`, `package-lock.json`,
/// `yarn.lock`, `go.sum`, `*.min.js`, source maps, `dist/`, `node_modules/`...).
pub fn is_generated(path: &str) -> bool {
  let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
  GENERATED_NAMES.contains(&name)
    || [".min.js", ".min.css", ".js.map", ".css.map", ".min.mjs"]
      .iter()
      .any(|s| name.ends_with(s))
    || path
      .split(['/', '\\'])
      .rev()
      .skip(1)
      .any(|d| d == "dist" || d == "node_modules")
}

/// Why a whole file section is omitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WholeReason {
  Generated,
  Binary,
  Budget,
}

/// The plan for one file section.
#[derive(Debug, Clone)]
pub(crate) enum FilePlan {
  /// Copy unchanged.
  Keep,
  /// Omit everything, header lines included (a header without hunks is not a valid patch).
  Whole(WholeReason),
  /// Per hunk, a keep flag per body line (all `false`: the hunk is omitted).
  Hunks(Vec<Vec<bool>>),
}

pub(crate) fn kinds(d: &Diff<'_>, h: &Hunk) -> Vec<BodyKind> {
  h.body
    .clone()
    .map(|i| BodyKind::of(line_content(d.lines[i])).unwrap_or(BodyKind::Context))
    .collect()
}

fn relevant(d: &Diff<'_>, range: std::ops::Range<usize>, terms: &[String]) -> bool {
  !terms.is_empty()
    && d.lines[range].iter().any(|l| {
      let lower = l.get(1..).unwrap_or("").to_lowercase();
      terms.iter().any(|t| lower.contains(t.as_str()))
    })
}

/// Plans one file.
pub(crate) fn plan_file(d: &Diff<'_>, f: &FileDiff, terms: &[String], b: &Budget) -> FilePlan {
  if f.verbatim {
    return FilePlan::Keep;
  }
  if f.binary {
    return if f.lines.len() > 20 {
      FilePlan::Whole(WholeReason::Binary)
    } else {
      FilePlan::Keep
    };
  }
  if f.hunks.is_empty() {
    return FilePlan::Keep;
  }
  let body_lines: usize = f.hunks.iter().map(|h| h.body.len()).sum();
  let generated = is_generated(&f.path) && body_lines >= b.generated_min_lines;
  let mut masks = Vec::with_capacity(f.hunks.len());
  let mut kept_changes = 0usize;
  for h in &f.hunks {
    let rel = relevant(d, h.body.clone(), terms);
    let ks = kinds(d, h);
    let mask = if (generated || kept_changes > b.max_file_changes) && !rel {
      vec![false; ks.len()]
    } else {
      plan_hunk(d, h, &ks, terms, rel, b)
    };
    kept_changes += mask
      .iter()
      .zip(&ks)
      .filter(|(k, kind)| **k && matches!(kind, BodyKind::Added | BodyKind::Removed))
      .count();
    masks.push(mask);
  }
  if masks.iter().all(|m| m.iter().all(|k| !k)) {
    return FilePlan::Whole(if generated {
      WholeReason::Generated
    } else {
      WholeReason::Budget
    });
  }
  if masks.iter().all(|m| m.iter().all(|k| *k)) {
    return FilePlan::Keep;
  }
  FilePlan::Hunks(masks)
}

/// Maximal runs of changed lines (`NoNewline` lines ride with the line before them).
fn groups(ks: &[BodyKind]) -> Vec<std::ops::Range<usize>> {
  let mut out: Vec<std::ops::Range<usize>> = Vec::new();
  let mut i = 0;
  while i < ks.len() {
    if matches!(ks[i], BodyKind::Added | BodyKind::Removed) {
      let s = i;
      while i < ks.len()
        && (matches!(ks[i], BodyKind::Added | BodyKind::Removed)
          || (ks[i] == BodyKind::NoNewline && i > s))
      {
        i += 1;
      }
      out.push(s..i);
    } else {
      i += 1;
    }
  }
  out
}

/// The keep mask of one hunk's body. Invariants that keep every piece a valid hunk:
/// removed lines of a group are all kept or all dropped (a dropped removed line would have
/// to become context); added lines may be dropped freely; a piece that ends before the
/// hunk's end keeps at least one context line after its last change.
fn plan_hunk(
  d: &Diff<'_>,
  h: &Hunk,
  ks: &[BodyKind],
  terms: &[String],
  rel: bool,
  b: &Budget,
) -> Vec<bool> {
  let m = ks.len();
  let mut keep = vec![false; m];
  let gs = groups(ks);
  let changes = ks
    .iter()
    .filter(|k| matches!(k, BodyKind::Added | BodyKind::Removed))
    .count();
  let collapse = changes > b.max_hunk_changes && !rel;
  // Ordinal of each changed line among the hunk's changes.
  let mut ordinal = vec![usize::MAX; m];
  let mut c = 0;
  for (i, k) in ks.iter().enumerate() {
    if matches!(k, BodyKind::Added | BodyKind::Removed) {
      ordinal[i] = c;
      c += 1;
    }
  }
  let wanted = |i: usize| !collapse || ordinal[i] < b.head || ordinal[i] + b.tail >= changes;
  let mut group_kept = vec![false; gs.len()];
  for (gi, g) in gs.iter().enumerate() {
    let grel = collapse && relevant(d, h.body.start + g.start..h.body.start + g.end, terms);
    let removed_ok = g
      .clone()
      .all(|i| ks[i] != BodyKind::Removed || wanted(i) || grel);
    let any = g
      .clone()
      .any(|i| ks[i] != BodyKind::NoNewline && (wanted(i) || grel));
    if removed_ok && any {
      group_kept[gi] = true;
      for i in g.clone() {
        keep[i] = match ks[i] {
          BodyKind::NoNewline => keep[i - 1],
          _ => wanted(i) || grel,
        };
      }
    }
  }
  // Context runs: before group 0, between groups, after the last group.
  let mut prev_end = 0usize;
  let mut prev_kept: Option<bool> = None;
  #[allow(clippy::needless_range_loop)] // gi also indexes one past the last group
  for gi in 0..=gs.len() {
    let (run_end, next_kept) = match gs.get(gi) {
      Some(g) => (g.start, Some(group_kept[gi])),
      None => (m, None),
    };
    let run = prev_end..run_end;
    let len = run.len();
    let front = if prev_kept == Some(true) {
      b.context.min(len)
    } else {
      0
    };
    let back = if next_kept == Some(true) {
      b.context.min(len)
    } else {
      0
    };
    let both_kept_sides = prev_kept != Some(false) && next_kept != Some(false);
    let trimmed = len.saturating_sub(front + back);
    let keep_all = front + back >= len || (both_kept_sides && trimmed < b.min_trim);
    for (o, i) in run.clone().enumerate() {
      keep[i] = keep_all || o < front || o >= len - back;
    }
    // A NoNewline line in a context run follows its line.
    for i in run {
      if ks[i] == BodyKind::NoNewline && i > 0 {
        keep[i] = keep[i - 1];
      }
    }
    if let Some(g) = gs.get(gi) {
      prev_end = g.end;
      prev_kept = Some(group_kept[gi]);
    }
  }
  if !keep
    .iter()
    .zip(ks)
    .any(|(k, kind)| *k && matches!(kind, BodyKind::Added | BodyKind::Removed))
  {
    return vec![false; m];
  }
  keep
}

/// Plans a file keeping only its first hunk (trimmed as usual): used when every hunk of
/// the diff would otherwise go, since a patch with no hunk at all does not apply.
pub(crate) fn first_hunk_only(
  d: &Diff<'_>,
  f: &FileDiff,
  terms: &[String],
  b: &Budget,
) -> FilePlan {
  let Some(h) = f.hunks.first() else {
    return FilePlan::Keep;
  };
  let ks = kinds(d, h);
  let mut first = plan_hunk(d, h, &ks, terms, false, b);
  if first.iter().all(|k| !k) {
    if ks.len() > 2 * b.max_hunk_changes {
      return FilePlan::Whole(WholeReason::Budget);
    }
    first = vec![true; ks.len()];
  }
  let mut masks = vec![first];
  masks.extend(f.hunks[1..].iter().map(|h| vec![false; h.body.len()]));
  if masks.iter().all(|m| m.iter().all(|k| *k)) {
    return FilePlan::Keep;
  }
  FilePlan::Hunks(masks)
}
