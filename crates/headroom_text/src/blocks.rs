//! Markdown-aware segmentation of a text into *units*: the things the extractive compressor
//! keeps or omits whole.
//!
//! A line-by-line pass recognises fenced code blocks (```` ``` ```` / `~~~`, never split),
//! indented code blocks, ATX (`# x`) and setext (`x` + `===`) headings, thematic breaks,
//! pipe tables (a header row plus `|---|` delimiter, then one unit per body row), list
//! items, block quotes and paragraphs. Paragraph and list-item text is split into sentences
//! ([`crate::split_sentences`]). Everything between two units (whitespace, blank lines,
//! list bullets, `>` quote prefixes at the start of a block) is a *gap*: structure that the
//! renderer copies verbatim around kept units.
//!
//! Each unit counts as one sentence in markers (a heading, a code block or a table row is
//! one "sentence" of the document).

use std::ops::Range;

use crate::sentences::split_sentences;

/// What a unit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
  /// An ATX or setext heading (always kept).
  Heading,
  /// A fenced or indented code block, whole (always kept).
  Code,
  /// A thematic break (`---`), always kept.
  Rule,
  /// A table's header row and delimiter row (always kept).
  TableHead,
  /// One table body row.
  TableRow,
  /// A sentence of a paragraph, list item or quote.
  Sentence,
}

/// One unit of the document.
#[derive(Debug, Clone)]
pub struct Unit {
  /// Byte range in the text (no leading or trailing whitespace).
  pub range: Range<usize>,
  /// What it is.
  pub kind: Kind,
  /// Index of the block (paragraph, list item, table, heading...) it belongs to.
  pub block: u32,
  /// Whether it is the first unit of its block.
  pub first_in_block: bool,
  /// Index (into the units) of the heading of its section, if any.
  pub section: Option<u32>,
}

struct Line {
  start: usize,
  /// End of the content, without the line terminator.
  end: usize,
}

fn indent_of(line: &str) -> usize {
  let mut n = 0;
  for b in line.bytes() {
    match b {
      b' ' => n += 1,
      b'\t' => n += 4 - n % 4,
      _ => break,
    }
  }
  n
}

/// `(fence char, fence length)` when `t` (indent removed) opens a code fence.
fn fence_open(t: &str) -> Option<(u8, usize)> {
  let c = *t.as_bytes().first()?;
  if c != b'`' && c != b'~' {
    return None;
  }
  let n = t.bytes().take_while(|&b| b == c).count();
  // A backtick fence's info string may not contain a backtick.
  (n >= 3 && !(c == b'`' && t[n..].contains('`'))).then_some((c, n))
}

fn fence_closes(t: &str, c: u8, n: usize) -> bool {
  let m = t.bytes().take_while(|&b| b == c).count();
  m >= n && t[m..].trim().is_empty()
}

fn is_atx_heading(t: &str) -> bool {
  let n = t.bytes().take_while(|&b| b == b'#').count();
  (1..=6).contains(&n) && t[n..].chars().next().is_none_or(|c| c == ' ' || c == '\t')
}

fn is_thematic_break(t: &str) -> bool {
  let mut it = t.bytes().filter(|b| *b != b' ' && *b != b'\t');
  let Some(c) = it.next() else { return false };
  matches!(c, b'-' | b'*' | b'_') && {
    let rest: Vec<u8> = it.collect();
    rest.len() >= 2 && rest.iter().all(|&b| b == c)
  }
}

fn setext_level(t: &str) -> bool {
  let t = t.trim_end();
  !t.is_empty() && (t.bytes().all(|b| b == b'=') || t.bytes().all(|b| b == b'-'))
}

fn is_table_delimiter(t: &str) -> bool {
  let t = t.trim();
  t.contains('-')
    && (t.contains('|') || t.contains(':'))
    && t
      .bytes()
      .all(|b| matches!(b, b'|' | b':' | b'-' | b' ' | b'\t'))
}

/// Bytes of the list marker and the spaces after it, when `t` starts a list item.
fn list_marker(t: &str) -> Option<usize> {
  let b = t.as_bytes();
  let after = match b.first()? {
    b'-' | b'*' | b'+' => 1,
    b'0'..=b'9' => {
      let d = b.iter().take_while(|c| c.is_ascii_digit()).count();
      if d > 9 || !matches!(b.get(d), Some(b'.' | b')')) {
        return None;
      }
      d + 1
    }
    _ => return None,
  };
  match b.get(after) {
    None => Some(after),
    Some(b' ' | b'\t') => Some(
      after
        + b[after..]
          .iter()
          .take_while(|c| matches!(c, b' ' | b'\t'))
          .count(),
    ),
    _ => None,
  }
}

struct Builder<'a> {
  text: &'a str,
  units: Vec<Unit>,
  block: u32,
  section: Option<u32>,
  /// The open paragraph: content start and end so far.
  para: Option<(usize, usize)>,
}

impl Builder<'_> {
  fn push(&mut self, range: Range<usize>, kind: Kind, first: bool) {
    if kind == Kind::Heading {
      self.section = Some(self.units.len() as u32);
    }
    self.units.push(Unit {
      range,
      kind,
      block: self.block,
      first_in_block: first,
      section: self.section,
    });
  }

  fn single(&mut self, range: Range<usize>, kind: Kind) {
    self.flush();
    self.push(range, kind, true);
    self.block += 1;
  }

  fn flush(&mut self) {
    if let Some((s, e)) = self.para.take() {
      let mut first = true;
      for r in split_sentences(&self.text[s..e]) {
        self.push(s + r.start..s + r.end, Kind::Sentence, first);
        first = false;
      }
      self.block += 1;
    }
  }
}

/// Segments `text` into units (see the module docs).
pub fn segment(text: &str) -> Vec<Unit> {
  let mut lines = Vec::new();
  let mut at = 0;
  for l in headroom_core::output::split_lines_inclusive(text) {
    let content = headroom_core::output::line_content(l);
    lines.push(Line {
      start: at,
      end: at + content.len(),
    });
    at += l.len();
  }
  let mut b = Builder {
    text,
    units: Vec::new(),
    block: 0,
    section: None,
    para: None,
  };
  let mut in_list = false;
  let mut prev_blank = true;
  let mut i = 0;
  while i < lines.len() {
    let l = &lines[i];
    let line = &text[l.start..l.end];
    let t = line.trim_start();
    let off = l.start + (line.len() - t.len());
    let indent = indent_of(line);
    i += 1;
    if t.trim_end().is_empty() {
      b.flush();
      prev_blank = true;
      continue;
    }
    let blank_before = prev_blank;
    prev_blank = false;
    let structural = indent <= 3 || in_list;
    if structural && let Some((c, n)) = fence_open(t) {
      let mut end = l.end;
      while i < lines.len() {
        let m = &lines[i];
        end = m.end;
        i += 1;
        if fence_closes(text[m.start..m.end].trim_start(), c, n) {
          break;
        }
      }
      b.single(off..end, Kind::Code);
      continue;
    }
    if indent >= 4 && b.para.is_none() && !in_list && blank_before {
      // Indented code: runs of indented lines (blank lines inside included).
      let mut end = l.end;
      while i < lines.len() {
        let m = &text[lines[i].start..lines[i].end];
        if indent_of(m) >= 4 {
          end = lines[i].end;
        } else if !m.trim().is_empty() {
          break;
        }
        i += 1;
      }
      // Trailing blank lines are gap, not code.
      b.single(off..off + text[off..end].trim_end().len(), Kind::Code);
      prev_blank = true;
      continue;
    }
    if indent <= 3 && is_atx_heading(t) {
      in_list = false;
      b.single(
        off..l.end - (line.len() - line.trim_end().len()),
        Kind::Heading,
      );
      continue;
    }
    if indent <= 3
      && setext_level(t)
      && let Some((s, _)) = b.para.take()
    {
      in_list = false;
      b.single(s..off + t.trim_end().len(), Kind::Heading);
      continue;
    }
    if indent <= 3 && is_thematic_break(t) {
      b.single(off..off + t.trim_end().len(), Kind::Rule);
      continue;
    }
    if t.contains('|') && i < lines.len() && is_table_delimiter(&text[lines[i].start..lines[i].end])
    {
      b.flush();
      let d = &lines[i];
      let dend = d.start + text[d.start..d.end].trim_end().len();
      b.push(off..dend, Kind::TableHead, true);
      i += 1;
      while i < lines.len() {
        let m = &text[lines[i].start..lines[i].end];
        if m.trim().is_empty() || !m.contains('|') {
          break;
        }
        let s = lines[i].start + (m.len() - m.trim_start().len());
        b.push(
          s..lines[i].start + m.trim_end().len(),
          Kind::TableRow,
          false,
        );
        i += 1;
      }
      b.block += 1;
      continue;
    }
    if let Some(m) = list_marker(t).filter(|_| indent <= 3 || in_list || b.para.is_none()) {
      b.flush();
      in_list = true;
      let s = off + m;
      b.para = Some((s, (off + t.trim_end().len()).max(s)));
      continue;
    }
    if let Some(q) = t.strip_prefix('>')
      && b.para.is_none()
    {
      let s = off + 1 + (q.len() - q.trim_start().len());
      b.para = Some((s, (off + t.trim_end().len()).max(s)));
      continue;
    }
    let end = off + t.trim_end().len();
    match &mut b.para {
      Some((_, e)) if !blank_before => *e = end,
      _ => {
        b.flush();
        if indent == 0 {
          in_list = false;
        }
        b.para = Some((off, end));
      }
    }
  }
  b.flush();
  b.units
}

#[cfg(test)]
mod tests {
  use super::*;

  fn kinds(t: &str) -> Vec<(Kind, &str)> {
    segment(t)
      .into_iter()
      .map(|u| (u.kind, &t[u.range]))
      .collect()
  }

  #[test]
  fn markdown_structure() {
    let t = "# Title\n\nFirst one. Second one.\n\n```rust\nfn a() {}\n\nb. C\n```\n\n- item one. More.\n- item two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nSub\n===\n\n---\n\n    code x. Y\n";
    assert_eq!(
      kinds(t),
      [
        (Kind::Heading, "# Title"),
        (Kind::Sentence, "First one."),
        (Kind::Sentence, "Second one."),
        (Kind::Code, "```rust\nfn a() {}\n\nb. C\n```"),
        (Kind::Sentence, "item one."),
        (Kind::Sentence, "More."),
        (Kind::Sentence, "item two"),
        (Kind::TableHead, "| a | b |\n|---|---|"),
        (Kind::TableRow, "| 1 | 2 |"),
        (Kind::Heading, "Sub\n==="),
        (Kind::Rule, "---"),
        (Kind::Code, "code x. Y"),
      ]
    );
  }

  #[test]
  fn unclosed_fence_runs_to_the_end() {
    assert_eq!(
      kinds("A.\n```\nx. Y\n"),
      [(Kind::Sentence, "A."), (Kind::Code, "```\nx. Y")]
    );
  }
}
