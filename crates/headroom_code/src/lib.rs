//! # headroom_code
//!
//! AST-aware compression of source code (Python, JavaScript, TypeScript/TSX, Go, Rust,
//! Java, C, C++) with [tree-sitter] grammars. What an agent needs to navigate a file stays;
//! what it can fetch back when it needs it goes, behind a retrievable marker.
//!
//! ## Algorithm
//!
//! 1. **Parse** the block with the language's grammar (TypeScript: the TypeScript grammar,
//!    then TSX if that one fails). Inputs over 64 MiB and languages without a grammar are
//!    left alone.
//! 2. **Plan** whole-line elisions in one iterative walk of the tree ([`plan`]):
//!    - **function bodies** (functions, methods, constructors, Go `func` literals, block
//!      arrow functions): the rows strictly inside the braces, narrowed so that no statement
//!      straddles an edge; Python: the indented block after the docstring. The line with the
//!      opening brace or colon and the line with the closing brace stay verbatim. Signatures
//!      (also multi-line ones), decorators, attributes and annotations lie outside bodies and
//!      stay. A body that holds 3+ functions and spans 30+ lines (an IIFE wrapping a library,
//!      a namespace function) is treated as a module: the walk goes into it instead;
//!    - **doc comments and docstrings**: a long `/* */` comment or triple-quoted docstring
//!      keeps its first line (plus the next when the first holds only the delimiter) and its
//!      last line; the lines between are inside the token, so the placeholder there cannot
//!      change the parse. Runs of `//` / `#` comment lines keep their first line;
//!    - **imports**: a long run keeps its first few (and every `from __future__`) and
//!      collapses the rest;
//!    - everything else (type, class, struct, enum, interface, trait and impl declarations
//!      with their member signatures, module-level constants, macros) stays verbatim.
//!
//!    Small bodies are not worth a marker (about 30 tokens) and stay ([`plan::Budget`],
//!    smaller in [`Mode::Aggressive`]). With a query, the functions and types it names stay
//!    whole.
//! 3. **Store, then render**: the whole input goes into the store once; each elided range
//!    becomes one placeholder line with the range's indentation: Python `...  # [marker]`
//!    (an `Ellipsis` statement), `// [marker]` elsewhere, the bare marker inside a comment or
//!    docstring. Markers count `lines`; the output passes
//!    [`headroom_core::check::check_text`] at line granularity.
//! 4. **Re-parse** the output (incrementally: the input's tree is edited in place with one
//!    edit per placeholder and handed to the parser, which reuses every unchanged subtree;
//!    never skipped). An input that
//!    parsed cleanly must give an output that parses cleanly, or the call returns `None`.
//!    An input with syntax errors is handled conservatively: only function bodies free of
//!    errors are elided (nothing inside or next to an `ERROR` node), and the output must show
//!    exactly the input's error nodes at the same places, or the call returns `None`.
//!
//! Strategy names: `code:signatures(<dialect>)`, e.g. `code:signatures(python)`.
//!
//! ## Speed
//!
//! The one tree-sitter parse of the input is most of a call (75-85% on real files) and no
//! other step may skip it; the rest is kept small:
//!
//! - one parser per thread and grammar, reused across calls (reset after a cancelled parse);
//! - the planner compares node kinds by id through a table built once per grammar, not by
//!   name (a C string measured and UTF-8-checked per call), reuses one children buffer and
//!   does not descend into nodes on a single row (no elision fits in one row);
//! - the re-parse edits the input's tree in place: edits on a copy cloned every node on
//!   each edit's path.
//!
//! A call costs about 1.15-1.4 times the parse alone on clean files (was 1.35-1.55;
//! `cargo run --release -p headroom_code --example timing -- DIALECT FILE`), so throughput
//! is bounded by the grammar's parse speed. Files with syntax errors cost more: the
//! re-parse repeats error recovery near each edit.
//!
//! In instructions (`examples/cost.rs` under valgrind, robust on a shared machine), one
//! parse takes 450-1400 per byte depending on grammar and file (TypeScript `lib` files
//! 450-670, Rust/Java/Go/Python 650-1100, C++ 1400; C headers, mostly comments, 350): at
//! this machine's 2-3 billion instructions per second the parse alone stays under 10 MB/s
//! for most real source. What a call adds beyond it: editing the input's tree (tree-sitter
//! visits every node inside each elided range: 5-7%), the incremental re-parse (2-8%, most
//! for Python, whose indentation scanner limits reuse), the planner walk (3-5%), freeing
//! the second tree (2-4%).
//!
//! [tree-sitter]: https://tree-sitter.github.io/tree-sitter/

// The shared test corpus helpers name the crate by its name.
#[cfg(test)]
extern crate self as headroom_code;

mod lang;
mod lines;
mod plan;
/// Real source files on this machine, shared with the integration tests.
#[cfg(test)]
#[path = "../tests/common/corpus.rs"]
mod test_corpus;
mod verify;

use headroom_core::marker::Marker;
use headroom_core::output::store_original;
use headroom_core::{Compressed, Params};
pub use headroom_detect::Language;
use tree_sitter::Tree;

pub use lang::{Dialect, work_budget};
use lines::Lines;
use plan::{Budget, Elision, Planner};

/// Inputs above this size are left alone.
pub const MAX_INPUT_BYTES: usize = 64 << 20;

/// Inputs with a line longer than this are left alone: minified code gains nothing from
/// whole-line elision, and tree-sitter's C and C++ lexers go quadratic on a long line of
/// unterminated character literals (570 KB took minutes), past any parse budget.
pub const MAX_LINE_BYTES: usize = 4096;

/// Whether some line of `text` is longer than [`MAX_LINE_BYTES`].
fn has_long_line(text: &str) -> bool {
  text.split('\n').any(|l| l.len() > MAX_LINE_BYTES)
}

/// The marker unit of every elision.
pub const UNIT: &str = "lines";

/// Compresses source code in `lang` (see the crate docs). `None`: nothing worth eliding,
/// no grammar for the language, lossless mode or no store, or an output that would not
/// parse as well as the input ([`compress_outcome`] says which).
pub fn compress(text: &str, lang: Language, params: &Params<'_>) -> Option<Compressed> {
  compress_outcome(text, lang, params).compressed()
}

/// Like [`compress`], for a caller that knows the exact grammar (e.g. `.tsx` files).
pub fn compress_dialect(text: &str, dialect: Dialect, params: &Params<'_>) -> Option<Compressed> {
  compress_dialect_outcome(text, dialect, params).compressed()
}

/// [`compress_dialect`] with the reason for leaving a block alone.
pub fn compress_dialect_outcome(text: &str, dialect: Dialect, params: &Params<'_>) -> Outcome {
  if !params.may_elide() {
    return Outcome::Unchanged("lossless");
  }
  if text.len() > MAX_INPUT_BYTES {
    return Outcome::Unchanged("too large");
  }
  if has_long_line(text) {
    return Outcome::Unchanged("long line");
  }
  match dialect.parse(text) {
    Some(tree) => compress_tree(text, dialect, tree, params),
    None => Outcome::Unchanged("parse budget"),
  }
}

/// What [`compress`] did, with the reason when it left the block alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
  /// The block was compressed.
  Compressed(Compressed),
  /// The block is left alone, for the given reason: `lossless` (no markers allowed),
  /// `too large`, `long line` (see [`MAX_LINE_BYTES`]), `no grammar`, `parse budget` (the
  /// parse ran past
  /// [`work_budget`]: text far from the grammar's language), `nothing to elide`,
  /// `store failed`, or `reparse failed` (the safety net: the output did not parse as well
  /// as the input).
  Unchanged(&'static str),
}

impl Outcome {
  /// The compressed block, if any.
  pub fn compressed(self) -> Option<Compressed> {
    match self {
      Outcome::Compressed(c) => Some(c),
      Outcome::Unchanged(_) => None,
    }
  }
}

/// [`compress`] with the reason for leaving a block alone.
pub fn compress_outcome(text: &str, lang: Language, params: &Params<'_>) -> Outcome {
  if !params.may_elide() {
    return Outcome::Unchanged("lossless");
  }
  if text.len() > MAX_INPUT_BYTES {
    return Outcome::Unchanged("too large");
  }
  if Dialect::candidates(lang).is_empty() {
    return Outcome::Unchanged("no grammar");
  }
  if has_long_line(text) {
    return Outcome::Unchanged("long line");
  }
  match parse_best(text, lang) {
    Some((dialect, tree)) => compress_tree(text, dialect, tree, params),
    None => Outcome::Unchanged("parse budget"),
  }
}

/// Whole lines of `text` that [`compress`] would elide, without rendering or storing
/// anything: for views of a file whose lines are not code as such (a line-numbered
/// `cat -n` view, whose gutter the caller has stripped). The dialect that parsed, and per
/// elision its rows `first..=last` (0-based) and what it holds (the marker's breakdown).
/// `None` where [`compress`] would leave the text alone before rendering (lossless mode, too
/// large, a long line, no grammar, parse budget, nothing to elide). The text must parse
/// cleanly: elisions planned on a broken tree could cut through what is really there.
pub fn plan_rows(
  text: &str,
  lang: Language,
  params: &Params<'_>,
) -> Option<(Dialect, Vec<PlannedElision>)> {
  if !params.may_elide() || text.len() > MAX_INPUT_BYTES || has_long_line(text) {
    return None;
  }
  let (dialect, tree) = parse_best(text, lang)?;
  if tree.root_node().has_error() {
    return None;
  }
  let rows: Vec<PlannedElision> = plan(text, &Lines::new(text), dialect, &tree, params)
    .into_iter()
    .map(|e| PlannedElision {
      first: e.first,
      last: e.last,
      what: e.what,
    })
    .collect();
  (!rows.is_empty()).then_some((dialect, rows))
}

/// One run of whole lines [`plan_rows`] would elide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedElision {
  /// First row (0-based).
  pub first: usize,
  /// Last row, inclusive.
  pub last: usize,
  /// What the rows hold, for the marker's breakdown (e.g. `body of fn parse`).
  pub what: String,
}

/// Whether `text` parses in `lang` with no `ERROR` or `MISSING` node (TypeScript: in the
/// TypeScript or the TSX grammar). `false` for languages without a grammar here, and for
/// text with a line longer than [`MAX_LINE_BYTES`] (not parsed: see there).
pub fn parses_cleanly(text: &str, lang: Language) -> bool {
  text.len() <= MAX_INPUT_BYTES
    && !has_long_line(text)
    && parse_best(text, lang).is_some_and(|(_, t)| !t.root_node().has_error())
}

/// Parses with each candidate grammar of `lang`, stopping at the first clean parse; with
/// none clean, the first grammar's tree.
fn parse_best(text: &str, lang: Language) -> Option<(Dialect, Tree)> {
  let mut first = None;
  for &d in Dialect::candidates(lang) {
    let tree = d.parse(text)?;
    if !tree.root_node().has_error() {
      return Some((d, tree));
    }
    first.get_or_insert((d, tree));
  }
  first
}

/// The disjoint elisions the planner picks for `tree`, in row order.
fn plan(
  text: &str,
  lines: &Lines<'_>,
  dialect: Dialect,
  tree: &Tree,
  params: &Params<'_>,
) -> Vec<Elision> {
  let mut planner = Planner::new(
    text,
    lines,
    dialect,
    Budget::for_mode(params.mode),
    params.query,
  );
  planner.run(tree);
  disjoint(planner.elisions)
}

fn compress_tree(text: &str, dialect: Dialect, tree: Tree, params: &Params<'_>) -> Outcome {
  let lines = Lines::new(text);
  let elisions = plan(text, &lines, dialect, &tree, params);
  finish(text, &lines, dialect, tree, &elisions, params)
}

/// Stores, renders and verifies the planned `elisions` (disjoint, in row order) of `text`,
/// whose tree is `tree`.
fn finish(
  text: &str,
  lines: &Lines<'_>,
  dialect: Dialect,
  tree: Tree,
  elisions: &[Elision],
  params: &Params<'_>,
) -> Outcome {
  if elisions.is_empty() {
    return Outcome::Unchanged("nothing to elide");
  }
  let Some(key) = store_original(params, text) else {
    return Outcome::Unchanged("store failed");
  };
  let (out, edits) = render(text, lines, elisions, &key);
  if !verify::output_parses_as_well(tree, &out, &edits, dialect) {
    return Outcome::Unchanged("reparse failed");
  }
  Outcome::Compressed(Compressed {
    text: out,
    strategy: format!("code:signatures({})", dialect.as_str()),
    hashes: vec![key],
    o200k: None,
  })
}

/// Sorts elisions by row and drops any that overlaps an earlier one.
fn disjoint(mut v: Vec<Elision>) -> Vec<Elision> {
  v.sort_by_key(|e| (e.first, e.last));
  let mut out: Vec<Elision> = Vec::with_capacity(v.len());
  for e in v {
    if out.last().is_none_or(|p| p.last < e.first) {
      out.push(e);
    }
  }
  out
}

/// One replaced byte range: `old` in the input became `new_len` bytes at the same start.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Edit {
  pub start: usize,
  pub old_end: usize,
  pub new_len: usize,
  pub row: usize,
  pub old_end_row: usize,
  pub ends_with_newline: bool,
}

fn render(text: &str, lines: &Lines<'_>, elisions: &[Elision], key: &str) -> (String, Vec<Edit>) {
  let total = lines.len() as u64;
  let mut out = String::with_capacity(text.len() / 2);
  let mut edits = Vec::with_capacity(elisions.len());
  let mut at = 0;
  for e in elisions {
    let (start, end) = (lines.start(e.first), lines.start(e.last + 1));
    out.push_str(&text[at..start]);
    let marker = Marker {
      omitted: (e.last + 1 - e.first) as u64,
      total,
      unit: UNIT,
      breakdown: Some(&e.what),
      hash: key,
    }
    .render();
    let term = lines.terminator(e.last);
    let before = out.len();
    out.push_str(&e.prefix);
    out.push_str(&marker);
    out.push_str(term);
    edits.push(Edit {
      start,
      old_end: end,
      new_len: out.len() - before,
      row: e.first,
      old_end_row: e.last + 1,
      ends_with_newline: !term.is_empty(),
    });
    at = end;
  }
  out.push_str(&text[at..]);
  (out, edits)
}
