//! # headroom_search: search-result compressor (`search:grouped`)
//!
//! Compresses the output of `grep`, `ripgrep` and `git grep` without ever changing a line.
//!
//! ## Algorithm
//!
//! 1. **Parse** ([`parse()`]): the format is detected once for the block: `path:line:content`
//!    (with `path-line-content` context lines and `--` separators), `path:content` (no
//!    `-n`), heading mode (a path on its own line, then `line:content`), or `line:content`
//!    for a single file. Windows drive prefixes (`C:\x\y.rs:12:`) and colons inside the
//!    content are handled by taking the first colon after the drive as the path's end and
//!    requiring digits and a colon after it; context lines must name a path that printed a
//!    match. Binary-file notices, tool errors and lines that fit no format are
//!    [`Kind::Other`] and always kept.
//! 2. **Group** the lines into file runs (consecutive lines of one file).
//! 3. **Select** per run, with a per-file budget by mode: the first matches, then the
//!    most relevant ones (lines holding query terms, then definitions such as `fn`,
//!    `def`, `class`, `#define`), in input order. When the whole output is still over a
//!    global budget the per-file budget shrinks, and then files with no relevant match are
//!    summarised entirely. Context lines are kept only near a kept match of the same
//!    block; a `--` separator only between two kept lines; an omitted stretch shorter than
//!    a marker is kept instead.
//! 4. **Emit**: every kept line is an exact input line (terminator included), in input
//!    order; lines are never joined, split or re-paired with another path or number. Each
//!    maximal stretch of omitted lines becomes one marker line in its place, e.g.
//!    `[40 of 52 matches omitted: src/lib.rs lines 120-988; retrieve hash=…]`. The unit is
//!    `matches` when the stretch holds only match lines (one line each); otherwise `lines`,
//!    with the matches and context lines in the breakdown.
//!
//! The output passes [`headroom_core::check::check_text`] with
//! [`headroom_core::check::Granularity::Lines`] and [`LINE_UNITS`].

pub mod parse;
mod render;
pub mod select;

use headroom_core::output::store_original;
use headroom_core::{Compressed, Params};

pub use parse::{Format, Kind, Line, Parsed, parse};
pub use select::{Budget, is_definition};

/// The strategy name of every lossy output of this crate.
pub const STRATEGY: &str = "search:grouped";

/// The marker units this crate writes; each counts input lines one for one (a `matches`
/// marker covers only match lines, one line per match).
pub const LINE_UNITS: &[&str] = &["matches", "lines"];

/// Compresses one search output. `None` when the block is not search output, nothing is
/// worth omitting, the mode is lossless or the store refuses the original.
pub fn compress(text: &str, params: &Params<'_>) -> Option<Compressed> {
  let budget = Budget::for_mode(params.mode)?;
  if !params.may_elide() {
    return None;
  }
  // Already compressed (holds a marker): never compress a marker again.
  if !headroom_core::marker::find_marker_hashes(text).is_empty() {
    return None;
  }
  let parsed = parse(text);
  parsed.format?;
  let runs = select::runs(&parsed);
  if runs.is_empty() {
    return None;
  }
  let terms = headroom_core::query::terms(params.query);
  let keep = select::plan(&parsed, &runs, &terms, &budget);
  if keep.iter().all(|k| *k) {
    return None;
  }
  // Size check with a placeholder key before storing anything: at least 10% smaller.
  if render::render(&parsed, &keep, "0000000000000000").len() * 10 > text.len() * 9 {
    return None;
  }
  let hash = store_original(params, text)?;
  let out = render::render(&parsed, &keep, &hash);
  Some(Compressed {
    text: out,
    strategy: STRATEGY.to_string(),
    hashes: vec![hash],
    o200k: None,
  })
}
