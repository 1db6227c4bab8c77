//! Rows of the source: byte offsets of each line, as tree-sitter numbers them.

use tree_sitter::Node;

/// Line starts of a text. Row `r` is the `r`-th piece of
/// [`headroom_core::output::split_lines_inclusive`], terminator included.
pub(crate) struct Lines<'a> {
  text: &'a str,
  starts: Vec<usize>,
}

impl<'a> Lines<'a> {
  pub fn new(text: &'a str) -> Self {
    let mut starts = Vec::with_capacity(text.len() / 32 + 1);
    if !text.is_empty() {
      starts.push(0);
      starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
      if starts.last() == Some(&text.len()) {
        starts.pop();
      }
    }
    Lines { text, starts }
  }

  /// Number of lines.
  pub fn len(&self) -> usize {
    self.starts.len()
  }

  /// Byte offset where row `row` starts (the text length past the last row).
  pub fn start(&self, row: usize) -> usize {
    self.starts.get(row).copied().unwrap_or(self.text.len())
  }

  /// Row `row` with its terminator (empty past the end).
  pub fn line(&self, row: usize) -> &'a str {
    self
      .text
      .get(self.start(row)..self.start(row + 1))
      .unwrap_or("")
  }

  /// The row's leading spaces and tabs.
  pub fn indent(&self, row: usize) -> &'a str {
    let l = self.line(row);
    &l[..l.len() - l.trim_start_matches([' ', '\t']).len()]
  }

  /// The row's terminator: `\r\n`, `\n` or nothing (last line).
  pub fn terminator(&self, row: usize) -> &'a str {
    let l = self.line(row);
    if l.ends_with("\r\n") {
      "\r\n"
    } else if l.ends_with('\n') {
      "\n"
    } else {
      ""
    }
  }

  /// Bytes of rows `a..=b`.
  pub fn bytes(&self, a: usize, b: usize) -> usize {
    self.start(b + 1).saturating_sub(self.start(a))
  }

  /// Whether the row holds only whitespace.
  pub fn is_blank(&self, row: usize) -> bool {
    self.line(row).trim().is_empty()
  }
}

/// The last row a node occupies: a node that ends at column 0 ended with the previous
/// row's newline (tree-sitter includes the newline in some comments and preprocessor lines).
pub(crate) fn end_row(node: &Node<'_>) -> usize {
  let end = node.end_position();
  if end.column == 0 && end.row > node.start_position().row {
    end.row - 1
  } else {
    end.row
  }
}

/// The first row a node occupies.
pub(crate) fn start_row(node: &Node<'_>) -> usize {
  node.start_position().row
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn rows_match_split_lines() {
    for t in ["", "a", "a\n", "a\r\nb", "\n\n", "a\nb\n"] {
      let l = Lines::new(t);
      let pieces: Vec<&str> = headroom_core::output::split_lines_inclusive(t).collect();
      assert_eq!(l.len(), pieces.len(), "{t:?}");
      for (i, p) in pieces.iter().enumerate() {
        assert_eq!(l.line(i), *p);
      }
    }
    let l = Lines::new("  a\r\n\tb");
    assert_eq!((l.indent(0), l.indent(1)), ("  ", "\t"));
    assert_eq!((l.terminator(0), l.terminator(1)), ("\r\n", ""));
  }
}
