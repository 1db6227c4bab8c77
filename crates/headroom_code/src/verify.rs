//! The safety net: the output must parse at least as well as the input did.

use tree_sitter::{InputEdit, Node, Point, Tree};

use crate::Edit;
use crate::lang::Dialect;

/// Re-parses `out` (incrementally: `tree` is edited with `edits` first, so only the
/// changed regions are parsed again) and checks it:
///
/// - an input that parsed cleanly needs an output with no `ERROR` or `MISSING` node;
/// - an input with errors needs an output whose error nodes are exactly the input's, at the
///   same input byte ranges (mapped through the edits), and none inside a placeholder.
///
/// The input's tree is consumed and edited in place: a copy would share every node with
/// the original, and each edit would then clone the nodes on its path (children arrays and
/// reference counts included), which cost more than the re-parse itself on files with
/// hundreds of elided bodies.
pub(crate) fn output_parses_as_well(
  tree: Tree,
  out: &str,
  edits: &[Edit],
  dialect: Dialect,
) -> bool {
  let before = tree
    .root_node()
    .has_error()
    .then(|| errors(tree.root_node()));
  let Some(new) = reparse_edited(tree, out, edits, dialect) else {
    return false;
  };
  let Some(before) = before else {
    return !new.root_node().has_error();
  };
  let mut after = Vec::with_capacity(before.len());
  for (s, e, missing) in errors(new.root_node()) {
    match (to_input(s, edits), to_input(e, edits)) {
      (Some(s), Some(e)) => after.push((s, e, missing)),
      _ => return false,
    }
  }
  before == after
}

/// The tree of `out`: `tree` (the input's) edited in place with `edits`, in reverse order
/// so each edit's offsets are still the input's, then re-parsed reusing its unchanged
/// subtrees. `None` past the work budget.
pub(crate) fn reparse_edited(
  mut tree: Tree,
  out: &str,
  edits: &[Edit],
  dialect: Dialect,
) -> Option<Tree> {
  for e in edits.iter().rev() {
    tree.edit(&InputEdit {
      start_byte: e.start,
      old_end_byte: e.old_end,
      new_end_byte: e.start + e.new_len,
      start_position: Point::new(e.row, 0),
      old_end_position: Point::new(e.old_end_row, 0),
      new_end_position: if e.ends_with_newline {
        Point::new(e.row + 1, 0)
      } else {
        Point::new(e.row, e.new_len)
      },
    });
  }
  dialect.reparse(out, &tree)
}

/// Byte ranges of the `ERROR` and `MISSING` nodes, in order (`true` for missing). Only
/// subtrees that hold an error are walked.
pub(crate) fn errors(root: Node<'_>) -> Vec<(usize, usize, bool)> {
  let mut out = Vec::new();
  let mut stack = vec![root];
  while let Some(n) = stack.pop() {
    if n.is_error() || n.is_missing() {
      out.push((n.start_byte(), n.end_byte(), n.is_missing()));
      continue;
    }
    if n.has_error() {
      let mut c = n.walk();
      let kids: Vec<Node<'_>> = n.children(&mut c).collect();
      stack.extend(kids.into_iter().rev());
    }
  }
  out
}

/// Maps an output byte offset back to the input; `None` inside a placeholder.
fn to_input(pos: usize, edits: &[Edit]) -> Option<usize> {
  let mut delta: isize = 0;
  for e in edits {
    let ostart = (e.start as isize + delta) as usize;
    if pos < ostart {
      break;
    }
    if pos < ostart + e.new_len {
      return (pos == ostart).then_some(e.start);
    }
    delta += e.new_len as isize - (e.old_end - e.start) as isize;
  }
  Some((pos as isize - delta) as usize)
}

#[cfg(test)]
mod tests {
  use headroom_core::store::MemoryStore;
  use headroom_core::{Mode, Params};

  use super::*;
  use crate::lines::Lines;
  use crate::plan::Elision;
  use crate::test_corpus as corpus;
  use crate::{Outcome, finish, has_long_line, plan, render};

  /// The incremental re-parse the safety net relies on gives the tree a fresh parse of the
  /// output gives (same `has_error()`, and where the output is clean the same nodes at the
  /// same bytes and points), on the outputs the planner makes for real files of every
  /// language.
  #[test]
  fn incremental_reparse_matches_a_fresh_parse_on_real_files() {
    let mut compared = 0;
    let mut with_errors = 0;
    for src in corpus::sources(10, 128 << 10) {
      if let Some(note) = &src.note {
        eprintln!("skipping {}: {note}", src.label);
        continue;
      }
      for path in &src.files {
        let Ok(text) = std::fs::read_to_string(path) else {
          continue;
        };
        if has_long_line(&text) {
          continue;
        }
        let Some(tree) = src.dialect.parse(&text) else {
          continue;
        };
        let lines = Lines::new(&text);
        for mode in [Mode::Balanced, Mode::Aggressive] {
          let store = MemoryStore::new();
          let params = Params::new(mode, &store);
          let elisions = plan(&text, &lines, src.dialect, &tree, &params);
          if elisions.is_empty() {
            continue;
          }
          let (out, edits) = render(&text, &lines, &elisions, "0123456789abcdef");
          let incremental = reparse_edited(tree.clone(), &out, &edits, src.dialect).unwrap();
          let fresh = src.dialect.parse(&out).unwrap();
          let (a, b) = (incremental.root_node(), fresh.root_node());
          assert_eq!(a.has_error(), b.has_error(), "{}", path.display());
          if a.has_error() {
            with_errors += 1;
          } else {
            assert!(shape(&incremental) == shape(&fresh), "{}", path.display());
          }
          compared += 1;
        }
      }
    }
    eprintln!("{compared} outputs compared ({with_errors} with errors)");
    assert!(compared > 0);
  }

  /// Every node in document order: kind, byte range and start and end points (rows
  /// included, which a wrong edit shifts without changing the S-expression).
  fn shape(tree: &Tree) -> Vec<(u16, usize, usize, Point, Point)> {
    let mut out = Vec::new();
    let mut c = tree.walk();
    loop {
      let n = c.node();
      out.push((
        n.kind_id(),
        n.start_byte(),
        n.end_byte(),
        n.start_position(),
        n.end_position(),
      ));
      if c.goto_first_child() || c.goto_next_sibling() {
        continue;
      }
      loop {
        if !c.goto_parent() {
          return out;
        }
        if c.goto_next_sibling() {
          break;
        }
      }
    }
  }

  fn rows(text: &str, first: usize, last: usize, prefix: &str) -> Elision {
    assert!(
      first <= last && last < Lines::new(text).len(),
      "test rows in range"
    );
    Elision {
      first,
      last,
      prefix: prefix.to_string(),
      what: "body of f".to_string(),
    }
  }

  /// Runs the store-render-verify step on hand-made elisions.
  fn finish_with(text: &str, dialect: Dialect, elisions: &[Elision]) -> Outcome {
    let store = MemoryStore::new();
    let params = Params::new(Mode::Balanced, &store);
    let tree = dialect.parse(text).unwrap();
    finish(text, &Lines::new(text), dialect, tree, elisions, &params)
  }

  /// The safety net fires on an elision that breaks the syntax, and only then: a Python
  /// statement cut in half, a Rust body elided together with
  /// its closing brace, and, in an input with a syntax error, an elision that removes the
  /// error (the errors no longer match the input's).
  #[test]
  fn an_elision_that_breaks_the_syntax_falls_back() {
    let py = "def f(a):\n    x = a + 1\n    y = x * 2\n    return y\n\nprint(f(1))\n";
    assert!(matches!(
      finish_with(py, Dialect::Python, &[rows(py, 1, 3, "    ...  # ")]),
      Outcome::Compressed(_)
    ));
    // Cutting a statement in half leaves a stray `1)`.
    let cut = "def f(a):\n    x = (a +\n         1)\n    return x\n";
    assert_eq!(
      finish_with(cut, Dialect::Python, &[rows(cut, 1, 1, "    ...  # ")]),
      Outcome::Unchanged("reparse failed")
    );
    // The net is as strict as the grammar: tree-sitter-python accepts a block holding only
    // a comment, which CPython rejects. The planner's `...` statement keeps such a body
    // valid Python; the net alone would not catch its absence.
    assert!(matches!(
      finish_with(py, Dialect::Python, &[rows(py, 1, 3, "    # ")]),
      Outcome::Compressed(_)
    ));

    let rs = "fn f(a: u8) -> u8 {\n    let x = a + 1;\n    x * 2\n}\n\nfn g() {}\n";
    assert!(matches!(
      finish_with(rs, Dialect::Rust, &[rows(rs, 1, 2, "    // ")]),
      Outcome::Compressed(_)
    ));
    assert_eq!(
      finish_with(rs, Dialect::Rust, &[rows(rs, 1, 3, "    // ")]),
      Outcome::Unchanged("reparse failed")
    );

    // The error (`let = ;`) is inside the elided rows: the output has no error where the
    // input had one.
    let broken = "fn f() {\n    let = ;\n    g();\n}\n\nfn h() {\n    i();\n    j();\n}\n";
    assert!(Dialect::Rust.parse(broken).unwrap().root_node().has_error());
    assert_eq!(
      finish_with(broken, Dialect::Rust, &[rows(broken, 1, 2, "    // ")]),
      Outcome::Unchanged("reparse failed")
    );
    assert!(matches!(
      finish_with(broken, Dialect::Rust, &[rows(broken, 6, 7, "    // ")]),
      Outcome::Compressed(_)
    ));
  }
}
