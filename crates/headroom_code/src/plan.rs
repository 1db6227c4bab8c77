//! Walks the syntax tree and decides which whole lines to elide, and with what
//! placeholder syntax.

use headroom_core::Mode;
use tree_sitter::{Node, Tree};

use crate::lang::{Dialect, Kinds, Spec, role};
use crate::lines::{Lines, end_row, start_row};

/// How much may go, per mode.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Budget {
  /// A body is elided only if it spans at least this many whole lines...
  pub min_body_lines: usize,
  /// ...and at least this many bytes (a marker line costs about 30 tokens, some 100
  /// bytes of code: eliding less than twice that is not worth it).
  pub min_body_bytes: usize,
  /// Doc comments and docstrings of at most this many lines are kept whole.
  pub doc_keep_whole: usize,
  /// The middle of a doc comment is elided only if it is at least this many bytes.
  pub min_doc_bytes: usize,
  /// Imports kept at the head of a long run.
  pub import_keep: usize,
  /// A run's tail is collapsed only if it spans at least this many lines.
  pub import_min_lines: usize,
}

impl Budget {
  pub fn for_mode(mode: Mode) -> Budget {
    match mode {
      Mode::Aggressive => Budget {
        min_body_lines: 2,
        min_body_bytes: 160,
        doc_keep_whole: 2,
        min_doc_bytes: 160,
        import_keep: 3,
        import_min_lines: 3,
      },
      _ => Budget {
        min_body_lines: 3,
        min_body_bytes: 240,
        doc_keep_whole: 3,
        min_doc_bytes: 200,
        import_keep: 6,
        import_min_lines: 4,
      },
    }
  }
}

/// Rows `first..=last` replaced by one placeholder line.
#[derive(Debug, Clone)]
pub(crate) struct Elision {
  pub first: usize,
  pub last: usize,
  /// Indentation plus placeholder syntax, written before the marker.
  pub prefix: String,
  /// The marker's breakdown (what was left out).
  pub what: String,
}

pub(crate) struct Planner<'a> {
  text: &'a str,
  lines: &'a Lines<'a>,
  spec: &'static Spec,
  kinds: &'static Kinds,
  budget: Budget,
  terms: Vec<String>,
  pub elisions: Vec<Elision>,
}

/// Query terms: identifier-like words of at least 2 characters, case kept (identifiers are
/// case-sensitive: "the store" does not name `Store`). Words that are file paths
/// (`src/store.rs`) name files, not symbols, and are skipped.
pub(crate) fn query_terms(query: Option<&str>) -> Vec<String> {
  let mut terms: Vec<String> = query
    .unwrap_or("")
    .split_whitespace()
    .filter(|w| !w.contains(['/', '\\']))
    .flat_map(|w| w.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$')))
    .filter(|w| w.chars().count() >= 2)
    .map(str::to_string)
    .collect();
  terms.sort();
  terms.dedup();
  terms
}

/// A name fit for a marker breakdown: identifier characters, `.`, `:` and `~` only (never
/// a quote, `*`, `/` or a bracket, so it cannot close the comment or string it sits in),
/// at most 60 characters.
fn clean_name(raw: &str) -> String {
  let s: String = raw
    .chars()
    .filter(|c| c.is_alphanumeric() || matches!(c, '_' | '$' | '.' | ':' | '~'))
    .take(60)
    .collect();
  if s.is_empty() {
    "anonymous function".to_string()
  } else {
    s
  }
}

impl<'a> Planner<'a> {
  pub fn new(
    text: &'a str,
    lines: &'a Lines<'a>,
    dialect: Dialect,
    budget: Budget,
    query: Option<&str>,
  ) -> Self {
    Planner {
      text,
      lines,
      spec: dialect.spec(),
      kinds: dialect.kinds(),
      budget,
      terms: query_terms(query),
      elisions: Vec::new(),
    }
  }

  fn node_text(&self, n: &Node<'_>) -> &'a str {
    self.text.get(n.start_byte()..n.end_byte()).unwrap_or("")
  }

  fn is_comment(&self, n: &Node<'_>) -> bool {
    self.kinds.is(n, role::COMMENT)
  }

  /// Walks the tree (iteratively: no recursion, so deep nesting is safe), skipping elided
  /// bodies and nodes on a single row. Node kinds are looked up by id ([`Kinds`]) and one
  /// children buffer serves every node: the walk visits most of the tree, so it must cost
  /// little per node.
  pub fn run(&mut self, tree: &Tree) {
    let mut stack = vec![tree.root_node()];
    let mut cursor = tree.walk();
    let mut children: Vec<Node<'_>> = Vec::new();
    while let Some(node) = stack.pop() {
      children.clear();
      children.extend(node.children(&mut cursor));
      let import_spans = self.import_runs(&children);
      self.comment_runs(&children, &import_spans);
      if self.kinds.is(&node, role::DOC_SCOPE) {
        self.python_docstring(&children, "docstring");
      }
      for &child in &children {
        // `ERROR` has no role: `r == 0` before the (costlier) error test.
        let r = self.kinds.of(&child);
        if child.is_missing() || (r == 0 && child.is_error()) {
          continue;
        }
        if r & role::FUNCTION != 0 {
          self.function(child, &mut stack);
          continue;
        }
        if r & role::TYPE != 0 && self.named_in_query(&child) {
          continue;
        }
        if r & role::COMMENT != 0 {
          self.block_comment(&child);
          continue;
        }
        // Every elision spans rows of a node that spans several rows (a body, a
        // multi-line token, a run of comment or import lines among a node's children): a
        // node on one row holds nothing to elide, and its subtree is not walked.
        if child.child_count() > 0 && child.end_position().row > child.start_position().row {
          stack.push(child);
        }
      }
    }
  }

  fn name_of(&self, n: &Node<'_>) -> Option<&'a str> {
    if let Some(x) = n.child_by_field_name("name") {
      return Some(self.node_text(&x));
    }
    // C and C++: the name sits at the bottom of the declarator chain.
    if let Some(mut d) = n.child_by_field_name("declarator") {
      let mut steps = 0;
      while let Some(next) = d.child_by_field_name("declarator") {
        d = next;
        steps += 1;
        if steps > 64 {
          break;
        }
      }
      return Some(self.node_text(&d));
    }
    // Rust `impl Type`.
    n.child_by_field_name("type").map(|x| self.node_text(&x))
  }

  fn function_name(&self, f: &Node<'_>) -> String {
    if let Some(n) = self.name_of(f) {
      return clean_name(n);
    }
    // An anonymous function takes the name it is bound to.
    if let Some(p) = f.parent() {
      for field in ["name", "key", "left", "property"] {
        if let Some(x) = p.child_by_field_name(field) {
          return clean_name(self.node_text(&x));
        }
      }
    }
    clean_name("")
  }

  fn matches_query(&self, name: &str) -> bool {
    if self.terms.is_empty() {
      return false;
    }
    let last = name.rsplit(['.', ':']).next().unwrap_or(name);
    self.terms.iter().any(|t| t == last || t == name)
  }

  fn named_in_query(&self, n: &Node<'_>) -> bool {
    !self.terms.is_empty()
      && self
        .name_of(n)
        .is_some_and(|x| self.matches_query(&clean_name(x)))
  }

  fn function<'t>(&mut self, f: Node<'t>, stack: &mut Vec<Node<'t>>) {
    if f.has_error() {
      return;
    }
    let body = f
      .child_by_field_name("body")
      .filter(|b| self.kinds.is(b, role::BODY));
    let Some(body) = body else {
      // An arrow function with an expression body, a declaration without a body: look
      // inside for functions.
      if f.child_count() > 0 {
        stack.push(f);
      }
      return;
    };
    let name = self.function_name(&f);
    if self.matches_query(&name) {
      return;
    }
    if self.module_like(&body) {
      // A module pattern (an IIFE wrapping a library, a function holding many helpers):
      // keep its shape and elide the functions inside it instead.
      stack.push(body);
      return;
    }
    if self.spec.indented {
      self.python_body(&f, &body, &name);
    } else {
      self.brace_body(&body, &name);
    }
  }

  /// Whether a body holds at least 3 functions among its statements (looked for down to 3
  /// levels, so `const f = () => {}` and `exports.f = function () {}` count) and spans 30+
  /// lines.
  fn module_like(&self, body: &Node<'_>) -> bool {
    if end_row(body) - start_row(body) < 30 {
      return false;
    }
    let mut cursor = body.walk();
    let mut found = 0;
    let mut todo: Vec<(Node<'_>, u8)> = body.named_children(&mut cursor).map(|n| (n, 0)).collect();
    while let Some((n, depth)) = todo.pop() {
      if self.kinds.is(&n, role::FUNCTION) {
        found += 1;
        if found >= 3 {
          return true;
        }
        continue;
      }
      if depth < 3 && !self.kinds.is(&n, role::BODY) {
        todo.extend(n.named_children(&mut cursor).map(|x| (x, depth + 1)));
      }
    }
    false
  }

  /// Narrows rows `a..=b` so no child straddles its edges: each edge then falls between
  /// whole statements.
  fn clean_range(children: &[Node<'_>], mut a: usize, mut b: usize) -> Option<(usize, usize)> {
    for c in children {
      let (s, e) = (start_row(c), end_row(c));
      if s < a && e >= a {
        a = e + 1;
      }
    }
    for c in children.iter().rev() {
      let (s, e) = (start_row(c), end_row(c));
      if e > b && s <= b {
        b = s.checked_sub(1)?;
      }
    }
    (a <= b).then_some((a, b))
  }

  fn push(&mut self, first: usize, last: usize, prefix: String, what: String) {
    self.elisions.push(Elision {
      first,
      last,
      prefix,
      what,
    });
  }

  fn worth_body(&self, a: usize, b: usize) -> bool {
    b + 1 - a >= self.budget.min_body_lines && self.lines.bytes(a, b) >= self.budget.min_body_bytes
  }

  fn brace_body(&mut self, body: &Node<'_>, name: &str) {
    let (open, close) = (start_row(body), end_row(body));
    if close < open + 2 {
      return;
    }
    let mut cursor = body.walk();
    let children: Vec<Node<'_>> = body.children(&mut cursor).collect();
    let Some((a, b)) = Self::clean_range(&children, open + 1, close - 1) else {
      return;
    };
    if !self.worth_body(a, b) {
      return;
    }
    let Some(row) = (a..=b).find(|&r| !self.lines.is_blank(r)) else {
      return;
    };
    let prefix = format!("{}{} ", self.lines.indent(row), self.spec.line_comment);
    self.push(a, b, prefix, format!("body of {name}"));
  }

  fn python_body(&mut self, f: &Node<'_>, body: &Node<'_>, name: &str) {
    // The colon ending the signature must sit on an earlier row than the body.
    let mut cursor = f.walk();
    let colon_row = f
      .children(&mut cursor)
      .filter(|c| c.kind() == ":")
      .map(|c| end_row(&c))
      .last();
    if colon_row.is_none_or(|r| r >= start_row(body)) {
      return;
    }
    let mut cursor = body.walk();
    let children: Vec<Node<'_>> = body.children(&mut cursor).collect();
    let Some(first_stmt) = children.iter().find(|c| !self.is_comment(c)) else {
      return;
    };
    let indent = self.lines.indent(start_row(first_stmt)).to_string();
    let mut a = start_row(body);
    if let Some(doc_end) = self.python_docstring(&children, &format!("docstring of {name}")) {
      a = doc_end + 1;
    }
    let b = end_row(body);
    let Some((a, b)) = Self::clean_range(&children, a, b) else {
      return;
    };
    if self.worth_body(a, b) {
      self.push(a, b, format!("{indent}...  # "), format!("body of {name}"));
    }
  }

  /// If the first statement of a Python block or module is a docstring, elides its middle
  /// lines (when long) and returns the row it ends on.
  fn python_docstring(&mut self, children: &[Node<'_>], what: &str) -> Option<usize> {
    let stmt = children.iter().find(|c| !self.is_comment(c))?;
    if stmt.kind() != "expression_statement" || stmt.named_child_count() != 1 {
      return None;
    }
    let s = stmt.named_child(0)?;
    if s.kind() != "string" {
      return None;
    }
    let mut cursor = s.walk();
    let plain = s
      .named_children(&mut cursor)
      .all(|c| c.kind() != "interpolation");
    if plain {
      self.token_middle(&s, what);
    }
    Some(end_row(stmt))
  }

  /// A multi-line `/* */` comment: elide its middle lines when long.
  fn block_comment(&mut self, c: &Node<'_>) {
    let t = self.node_text(c);
    if t.starts_with("/**") || t.starts_with("/*!") {
      self.token_middle(c, "doc comment");
    } else if t.starts_with("/*") {
      self.token_middle(c, "comment");
    }
  }

  /// Elides the middle rows of a multi-line token (a block comment or a triple-quoted
  /// string): its first row (and the next one if the first holds only the opening
  /// delimiter) and its last row stay, the rows between are wholly inside the token, so a
  /// placeholder there cannot change the parse (the marker holds no quote, `*/` or `\`).
  fn token_middle(&mut self, tok: &Node<'_>, what: &str) {
    let (s, e) = (start_row(tok), end_row(tok));
    if e + 1 - s <= self.budget.doc_keep_whole.max(2) {
      return;
    }
    let mut first = s + 1;
    if !self.lines.line(s).chars().any(char::is_alphanumeric) {
      first += 1;
    }
    if first + 1 >= e {
      return;
    }
    let last = e - 1;
    if self.lines.bytes(first, last) < self.budget.min_doc_bytes {
      return;
    }
    let star = if self.lines.line(first).trim_start().starts_with('*') {
      "* "
    } else {
      ""
    };
    let prefix = format!("{}{star}", self.lines.indent(first));
    self.push(first, last, prefix, what.to_string());
  }

  /// Runs of whole-line `//` (or `#`) comments: the first line stays, the rest goes.
  fn comment_runs(&mut self, children: &[Node<'_>], skip: &[(usize, usize)]) {
    let single = |i: usize| -> Option<usize> {
      let c = &children[i];
      let row = start_row(c);
      let ok = self.is_comment(c)
        && end_row(c) == row
        && self.node_text(c).starts_with(self.spec.line_comment)
        && (i == 0 || end_row(&children[i - 1]) < row)
        && children.get(i + 1).is_none_or(|n| start_row(n) > row)
        && !skip.iter().any(|&(a, b)| (a..=b).contains(&row));
      ok.then_some(row)
    };
    let mut runs = Vec::new();
    let mut i = 0;
    while i < children.len() {
      let Some(r0) = single(i) else {
        i += 1;
        continue;
      };
      let mut rn = r0;
      let mut j = i + 1;
      while j < children.len() && single(j) == Some(rn + 1) {
        rn += 1;
        j += 1;
      }
      i = j;
      runs.push((r0, rn));
    }
    for (r0, rn) in runs {
      let mut first = r0 + 1;
      if !self.lines.line(r0).chars().any(char::is_alphanumeric) {
        first += 1;
      }
      if self.spec.indented {
        // Python's encoding declaration lives on line 1 or 2.
        first = first.max(2);
      }
      if rn < first + 1 || self.lines.bytes(first, rn) < self.budget.min_doc_bytes {
        continue;
      }
      let prefix = format!("{}{} ", self.lines.indent(first), self.spec.line_comment);
      let doc = ["///", "//!", "#:"]
        .iter()
        .any(|d| self.lines.line(r0).trim_start().starts_with(d));
      let what = if doc { "doc comment" } else { "comment" };
      self.push(first, rn, prefix, what.to_string());
    }
  }

  /// Long runs of imports: the first few stay, the rest collapse into one placeholder.
  /// Returns the row spans of the runs seen.
  fn import_runs(&mut self, children: &[Node<'_>]) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let is_import = |n: &Node<'_>| self.kinds.is(n, role::IMPORT);
    let mut i = 0;
    while i < children.len() {
      if !is_import(&children[i]) {
        i += 1;
        continue;
      }
      let mut imports = vec![i];
      let mut j = i + 1;
      while j < children.len() && (is_import(&children[j]) || self.is_comment(&children[j])) {
        if is_import(&children[j]) {
          imports.push(j);
        }
        j += 1;
      }
      let mut last = *imports.last().unwrap_or(&i);
      // A comment trailing the last import on its row belongs to it.
      while last + 1 < children.len()
        && self.is_comment(&children[last + 1])
        && start_row(&children[last + 1]) == end_row(&children[last])
      {
        last += 1;
      }
      spans.push((start_row(&children[i]), end_row(&children[last])));
      i = j;
      let mut keep = self.budget.import_keep;
      while keep < imports.len() && children[imports[keep]].kind() == "future_import_statement" {
        keep += 1;
      }
      if imports.len() <= keep + 1 {
        continue;
      }
      let first_child = imports[keep];
      let (from, to) = (start_row(&children[first_child]), end_row(&children[last]));
      let clean_before = first_child == 0 || end_row(&children[first_child - 1]) < from;
      let clean_after = children.get(last + 1).is_none_or(|n| start_row(n) > to);
      if !clean_before || !clean_after || to + 1 - from < self.budget.import_min_lines {
        continue;
      }
      let n = imports.len() - keep;
      let prefix = format!("{}{} ", self.lines.indent(from), self.spec.line_comment);
      self.push(from, to, prefix, format!("{n} imports"));
    }
    spans
  }
}
