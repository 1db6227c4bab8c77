//! Parsing unified and git diffs into file sections and hunks.
//!
//! The parser never fails: text outside file sections is passthrough, and a section whose
//! hunks do not add up (truncated, counts wrong, combined `@@@` hunks) is marked
//! [`FileDiff::verbatim`] and copied unchanged.

use std::fmt::Write as _;
use std::ops::Range;

use headroom_core::output::{line_content, split_lines_inclusive};

/// The numbers of a `@@ -a,b +c,d @@` hunk header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HunkHeader {
  /// First old line (or the line before an insertion when `old_count` is 0).
  pub old_start: u64,
  /// Old lines (context and removed).
  pub old_count: u64,
  /// First new line (or the line before a deletion when `new_count` is 0).
  pub new_start: u64,
  /// New lines (context and added).
  pub new_count: u64,
}

fn range(s: &str) -> Option<(u64, u64, &str)> {
  let n = s.bytes().take_while(u8::is_ascii_digit).count();
  if n == 0 || n > 18 {
    return None;
  }
  let start: u64 = s[..n].parse().ok()?;
  let rest = &s[n..];
  if let Some(r) = rest.strip_prefix(',') {
    let m = r.bytes().take_while(u8::is_ascii_digit).count();
    if m == 0 || m > 18 {
      return None;
    }
    Some((start, r[..m].parse().ok()?, &r[m..]))
  } else {
    Some((start, 1, rest))
  }
}

impl HunkHeader {
  /// Parses a header line's content (no terminator): the numbers and the section text
  /// after the closing `@@` (e.g. `" fn main()"`). Combined-diff `@@@` headers are `None`.
  pub fn parse(line: &str) -> Option<(HunkHeader, &str)> {
    let s = line.strip_prefix("@@ -")?;
    let (old_start, old_count, s) = range(s)?;
    let s = s.strip_prefix(" +")?;
    let (new_start, new_count, s) = range(s)?;
    let section = s.strip_prefix(" @@")?;
    Some((
      HunkHeader {
        old_start,
        old_count,
        new_start,
        new_count,
      },
      section,
    ))
  }

  /// Renders the header the way git does (`,1` counts omitted), then `section`.
  pub fn render(&self, section: &str) -> String {
    let mut s = String::with_capacity(32 + section.len());
    let _ = write!(s, "@@ -{}", self.old_start);
    if self.old_count != 1 {
      let _ = write!(s, ",{}", self.old_count);
    }
    let _ = write!(s, " +{}", self.new_start);
    if self.new_count != 1 {
      let _ = write!(s, ",{}", self.new_count);
    }
    s.push_str(" @@");
    s.push_str(section);
    s
  }

  /// The `-a,b +c,d` part, for markers.
  pub fn ranges(&self) -> String {
    format!(
      "-{},{} +{},{}",
      self.old_start, self.old_count, self.new_start, self.new_count
    )
  }

  /// The first old line the hunk covers (for an insertion, the line after `old_start`).
  pub fn old_first(&self) -> u64 {
    if self.old_count > 0 {
      self.old_start
    } else {
      self.old_start + 1
    }
  }

  /// The first new line the hunk covers.
  pub fn new_first(&self) -> u64 {
    if self.new_count > 0 {
      self.new_start
    } else {
      self.new_start + 1
    }
  }
}

/// Whether a line (content, no terminator) is a `@@ -a,b +c,d @@` hunk header: the
/// synthetic-line predicate for the checker.
pub fn is_hunk_header(line: &str) -> bool {
  HunkHeader::parse(line).is_some()
}

/// What a hunk body line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
  /// ` ` (or an empty line): in both old and new.
  Context,
  /// `-`: old only.
  Removed,
  /// `+`: new only.
  Added,
  /// `\ No newline at end of file`: belongs to the line before.
  NoNewline,
}

impl BodyKind {
  /// The kind of a body line's content, or `None` if it cannot be a body line.
  pub fn of(content: &str) -> Option<BodyKind> {
    match content.as_bytes().first() {
      None | Some(b' ') => Some(BodyKind::Context),
      Some(b'-') => Some(BodyKind::Removed),
      Some(b'+') => Some(BodyKind::Added),
      Some(b'\\') => Some(BodyKind::NoNewline),
      _ => None,
    }
  }
}

/// One hunk: its header line and body lines (indices into [`Diff::lines`]).
#[derive(Debug, Clone)]
pub struct Hunk {
  /// Index of the `@@` line.
  pub header_line: usize,
  /// Its numbers.
  pub header: HunkHeader,
  /// Body line indices (after the header, up to the next header or the section's end).
  pub body: Range<usize>,
}

/// One file's section of the diff.
#[derive(Debug, Clone)]
pub struct FileDiff {
  /// Line indices of the whole section (header lines, then hunks).
  pub lines: Range<usize>,
  /// The path shown in markers (new path, or old path for deletions).
  pub path: String,
  /// Hunks in order (empty for mode-only, rename-only and binary sections).
  pub hunks: Vec<Hunk>,
  /// Copy unchanged: malformed or truncated hunks, combined diffs.
  pub verbatim: bool,
  /// A `GIT binary patch` or `Binary files ... differ` section.
  pub binary: bool,
  /// A deleted file.
  pub deleted: bool,
}

/// A parsed diff: every input line, and the file sections among them. Lines outside
/// sections (commit headers of `git log -p`, `Only in ...`, prose) are passthrough.
#[derive(Debug, Clone)]
pub struct Diff<'a> {
  /// Every input line with its terminator.
  pub lines: Vec<&'a str>,
  /// File sections in order.
  pub files: Vec<FileDiff>,
}

fn content<'a>(lines: &[&'a str], i: usize) -> &'a str {
  lines.get(i).map_or("", |l| line_content(l))
}

/// Whether line `i` starts a file section: a `diff ` command line, or a `--- ` line
/// directly followed by a `+++ ` line.
fn starts_file(lines: &[&str], i: usize) -> bool {
  let c = content(lines, i);
  (c.starts_with("diff ") && c.len() > 5)
    || (c.starts_with("--- ") && content(lines, i + 1).starts_with("+++ "))
}

fn strip_path(p: &str) -> &str {
  let p = p.split('\t').next().unwrap_or(p).trim_end();
  let p = p
    .strip_prefix('"')
    .and_then(|q| q.strip_suffix('"'))
    .unwrap_or(p);
  p.strip_prefix("a/")
    .or_else(|| p.strip_prefix("b/"))
    .unwrap_or(p)
}

/// Parses a diff. Never fails; see the module docs.
pub fn parse(text: &str) -> Diff<'_> {
  let lines: Vec<&str> = split_lines_inclusive(text).collect();
  let n = lines.len();
  let mut files = Vec::new();
  let mut i = 0;
  while i < n {
    if !starts_file(&lines, i) {
      i += 1;
      continue;
    }
    let start = i;
    let first = content(&lines, i);
    let mut f = FileDiff {
      lines: start..start,
      path: String::new(),
      hunks: Vec::new(),
      verbatim: first.starts_with("diff --cc ") || first.starts_with("diff --combined "),
      binary: false,
      deleted: false,
    };
    if let Some(rest) = first.strip_prefix("diff --git ") {
      f.path = rest.rsplit_once(" b/").map_or(rest, |(_, b)| b).to_string();
    }
    if !first.starts_with("--- ") {
      i += 1;
    }
    // Extended header lines up to `---`/`+++` or the next section.
    while i < n && !starts_file(&lines, i) {
      let c = content(&lines, i);
      if c.starts_with("@@") {
        break;
      }
      if c.starts_with("GIT binary patch")
        || (c.starts_with("Binary files ") && c.ends_with(" differ"))
      {
        f.binary = true;
      } else if c.starts_with("deleted file mode") {
        f.deleted = true;
      } else if let Some(p) = c.strip_prefix("rename to ") {
        f.path = p.to_string();
      } else if !f.binary && !is_extended_header(c) {
        break;
      }
      i += 1;
    }
    if i < n && content(&lines, i).starts_with("--- ") && content(&lines, i + 1).starts_with("+++ ")
    {
      let old = strip_path(&content(&lines, i)[4..]);
      let new = strip_path(&content(&lines, i + 1)[4..]);
      if new != "/dev/null" {
        f.path = new.to_string();
      } else {
        f.deleted = true;
        f.path = old.to_string();
      }
      i += 2;
      // Hunks.
      while i < n && content(&lines, i).starts_with("@@") {
        let Some((header, _)) = HunkHeader::parse(content(&lines, i)) else {
          f.verbatim = true;
          break;
        };
        let header_line = i;
        i += 1;
        let body_start = i;
        let (mut old_left, mut new_left) = (header.old_count, header.new_count);
        let mut ok = true;
        while old_left > 0 || new_left > 0 {
          let kind = if i < n {
            BodyKind::of(content(&lines, i))
          } else {
            None
          };
          match kind {
            Some(BodyKind::Context) if old_left > 0 && new_left > 0 => {
              old_left -= 1;
              new_left -= 1;
            }
            Some(BodyKind::Removed) if old_left > 0 => old_left -= 1,
            Some(BodyKind::Added) if new_left > 0 => new_left -= 1,
            Some(BodyKind::NoNewline) if i > body_start => {}
            _ => {
              ok = false;
              break;
            }
          }
          i += 1;
        }
        while ok && i < n && content(&lines, i).starts_with('\\') && i > body_start {
          i += 1;
        }
        if !ok {
          f.verbatim = true;
          break;
        }
        f.hunks.push(Hunk {
          header_line,
          header,
          body: body_start..i,
        });
      }
    }
    if f.verbatim || f.binary {
      // Copy through to the next section.
      while i < n && !starts_file(&lines, i) {
        i += 1;
      }
    }
    if i == start {
      i += 1;
    }
    f.lines = start..i;
    files.push(f);
  }
  Diff { lines, files }
}

fn is_extended_header(c: &str) -> bool {
  const PREFIXES: &[&str] = &[
    "index ",
    "old mode ",
    "new mode ",
    "deleted file mode ",
    "new file mode ",
    "similarity index ",
    "dissimilarity index ",
    "rename from ",
    "rename to ",
    "copy from ",
    "copy to ",
    "Binary files ",
  ];
  PREFIXES.iter().any(|p| c.starts_with(p))
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn headers_round_trip() {
    let (h, s) = HunkHeader::parse("@@ -1,3 +1,4 @@ fn main()").unwrap();
    assert_eq!(
      (h.old_start, h.old_count, h.new_start, h.new_count),
      (1, 3, 1, 4)
    );
    assert_eq!(s, " fn main()");
    assert_eq!(h.render(s), "@@ -1,3 +1,4 @@ fn main()");
    let (h, _) = HunkHeader::parse("@@ -5 +5,0 @@").unwrap();
    assert_eq!(h.render(""), "@@ -5 +5,0 @@");
    assert!(HunkHeader::parse("@@@ -1,2 -1,2 +1,3 @@@").is_none());
    assert!(HunkHeader::parse("@@ -1,2 +1 @").is_none());
    assert_eq!(h.new_first(), 6);
  }

  #[test]
  fn sections_and_passthrough() {
    let t = "commit abc\n\n    msg\n\ndiff --git a/x.rs b/x.rs\nindex 1..2 100644\n--- a/x.rs\n+++ b/x.rs\n\
             @@ -1,2 +1,2 @@\n a\n-b\n+c\n\\ No newline at end of file\n\
             diff --git a/y.bin b/y.bin\nBinary files a/y.bin and b/y.bin differ\n\
             +++ orphan from set -x\n";
    let d = parse(t);
    assert_eq!(d.files.len(), 2);
    let f = &d.files[0];
    assert_eq!(f.path, "x.rs");
    assert_eq!(f.hunks.len(), 1);
    assert_eq!(f.hunks[0].body, 9..13);
    assert!(!f.verbatim);
    assert!(d.files[1].binary);
  }

  #[test]
  fn truncated_hunks_are_verbatim() {
    let t = "--- a/x\n+++ b/x\n@@ -1,5 +1,5 @@\n a\n-b\n";
    let d = parse(t);
    assert!(d.files[0].verbatim);
    let t = "--- a/x\n+++ b/x\n@@@ -1,2 -1,2 +1,2 @@@\n";
    assert!(parse(t).files[0].verbatim);
  }
}
