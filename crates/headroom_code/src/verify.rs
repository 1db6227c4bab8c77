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
  mut tree: Tree,
  out: &str,
  edits: &[Edit],
  dialect: Dialect,
) -> bool {
  let clean = !tree.root_node().has_error();
  let before = if clean {
    Vec::new()
  } else {
    errors(tree.root_node())
  };
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
  let Some(new) = dialect.reparse(out, &tree) else {
    return false;
  };
  if clean {
    return !new.root_node().has_error();
  }
  let mut after = Vec::with_capacity(before.len());
  for (s, e, missing) in errors(new.root_node()) {
    match (to_input(s, edits), to_input(e, edits)) {
      (Some(s), Some(e)) => after.push((s, e, missing)),
      _ => return false,
    }
  }
  before == after
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
