//! # headroom_diff: diff compressor (`diff:trim`)
//!
//! Compresses unified and git diffs (`git diff`, `git show`, `git log -p`, `diff -ru`) so
//! that the kept part, once the marker lines are removed, is still a patch that applies
//! (`git apply --check`) to the same pre-image, hunk by hunk at exact positions.
//!
//! ## Algorithm
//!
//! 1. **Parse** ([`parse()`]): file sections (`diff --git`/`diff -ru` lines, extended
//!    headers such as `index`, modes, `new file mode`, `rename from/to`, `Binary files
//!    ... differ`, `GIT binary patch`, then `---`/`+++`) and hunks (`@@ -a,b +c,d @@
//!    section`), each body counted against its header; `\ No newline at end of file`
//!    rides with the line before it. Text outside sections (commit headers of
//!    `git log -p`, `Only in ...`, an orphaned `+++` from `set -x` output) passes
//!    through; a section whose hunks do not add up (truncated, combined `@@@`) is copied
//!    unchanged.
//! 2. **Plan** each file by the mode's budget:
//!    - *context*: a run of unchanged lines keeps N lines next to each kept change; the
//!      rest goes only when that saves at least a few lines (a marker costs);
//!    - *huge hunks* (more changed lines than the budget): the first and last changed
//!      lines are kept, the middle omitted. Added lines may be dropped anywhere (they are
//!      not in the pre-image); a group of removed lines is kept whole or dropped whole,
//!      the hunk being split around it, so no line ever changes its role;
//!    - *generated and lock files* (`Cargo.lock`, `package-lock.json`, `yarn.lock`,
//!      `pnpm-lock.yaml`, `go.sum`, `*.min.js`, `dist/`...) lose their hunks, as do a
//!      file's hunks past its change budget; hunks holding query terms are always kept;
//!    - a file left with no hunk (or a large binary patch) is omitted *with* its header
//!      lines: a header without hunks is not a valid patch (`git apply`: "patch with only
//!      garbage"). The marker names the file and its hunks.
//! 3. **Emit**: kept lines verbatim and in order. Every kept piece of a hunk gets a header
//!    recomputed from its kept lines: old start from the lines before it, new start
//!    shifted by the added/removed lines omitted earlier in the file, so each hunk applies
//!    exactly where it says, as if the omitted ones never existed. A header whose numbers
//!    did not change is the input line itself; a recomputed one never equals any input
//!    line. Each stretch of omitted lines becomes one marker line in its place, in unit
//!    `lines`, naming the file, the omitted hunks' ranges and the omitted changed and
//!    unchanged lines, e.g.
//!    `[57 of 240 lines omitted: Cargo.lock (generated file): 3 of 3 hunks -120,8 +120,9 ...; retrieve hash=…]`.
//!
//! The output passes [`headroom_core::check::check_text`] with
//! [`headroom_core::check::Granularity::Lines`] and [`is_hunk_header`] as the synthetic
//! predicate (each recomputed header stands in for at most one input header).

pub mod parse;
pub mod plan;
mod render;

use headroom_core::output::store_original;
use headroom_core::{Compressed, Params};
use rustc_hash::FxHashSet;

pub use parse::{BodyKind, Diff, FileDiff, Hunk, HunkHeader, is_hunk_header, parse};
pub use plan::{Budget, is_generated};

use plan::FilePlan;

/// The strategy name of every lossy output of this crate.
pub const STRATEGY: &str = "diff:trim";

/// The marker units this crate writes (each counts input lines one for one).
pub const LINE_UNITS: &[&str] = &["lines"];

/// Removes marker lines (whole lines that are exactly one marker) from a compressed diff:
/// what remains is the patch to apply.
pub fn strip_markers(text: &str) -> String {
  headroom_core::output::split_lines_inclusive(text)
    .filter(|l| {
      let c = headroom_core::output::line_content(l);
      headroom_core::marker::Marker::parse(c).is_none()
    })
    .collect()
}

/// Compresses one diff. `None` when the block is not a diff, nothing is worth omitting,
/// the mode is lossless or the store refuses the original.
pub fn compress(text: &str, params: &Params<'_>) -> Option<Compressed> {
  let budget = Budget::for_mode(params.mode)?;
  if !params.may_elide() {
    return None;
  }
  // Already compressed (holds a marker): never compress a marker again.
  if !headroom_core::marker::find_marker_hashes(text).is_empty() {
    return None;
  }
  let d = parse(text);
  if d.files.iter().all(|f| f.hunks.is_empty() && !f.binary) {
    return None;
  }
  let terms = headroom_core::query::terms(params.query);
  let mut plans: Vec<FilePlan> = d
    .files
    .iter()
    .map(|f| plan::plan_file(&d, f, &terms, &budget))
    .collect();
  // A patch with no hunk left does not apply: keep the first omitted file's first hunk.
  let keeps_a_hunk = d.files.iter().zip(&plans).any(|(f, p)| match p {
    FilePlan::Keep => !f.hunks.is_empty(),
    FilePlan::Hunks(_) => true,
    FilePlan::Whole(_) => false,
  });
  if !keeps_a_hunk
    && let Some(i) = (0..d.files.len()).find(|&i| {
      matches!(plans[i], FilePlan::Whole(_)) && !d.files[i].binary && !d.files[i].hunks.is_empty()
    })
  {
    plans[i] = plan::first_hunk_only(&d, &d.files[i], &terms, &budget);
  }
  if plans.iter().all(|p| matches!(p, FilePlan::Keep)) {
    return None;
  }
  // Size check with a placeholder key before storing anything: at least 10% smaller.
  if render_all(&d, &plans, "0000000000000000").len() * 10 > text.len() * 9 {
    return None;
  }
  let hash = store_original(params, text)?;
  let out = render_all(&d, &plans, &hash);
  Some(Compressed {
    text: out,
    strategy: STRATEGY.to_string(),
    hashes: vec![hash],
    o200k: None,
  })
}

fn render_all(d: &Diff<'_>, plans: &[FilePlan], hash: &str) -> String {
  let input_headers: FxHashSet<&str> = d
    .lines
    .iter()
    .map(|l| headroom_core::output::line_content(l))
    .filter(|c| c.starts_with("@@"))
    .collect();
  let mut w = render::Writer {
    out: String::new(),
    hash,
    input_headers,
  };
  let mut next = 0;
  for (f, p) in d.files.iter().zip(plans) {
    for line in &d.lines[next..f.lines.start] {
      push_line(&mut w.out, line);
    }
    w.file(d, f, p);
    next = f.lines.end;
  }
  for line in &d.lines[next..] {
    push_line(&mut w.out, line);
  }
  w.out
}

fn push_line(out: &mut String, line: &str) {
  if !out.is_empty() && !out.ends_with('\n') {
    out.push('\n');
  }
  out.push_str(line);
}
