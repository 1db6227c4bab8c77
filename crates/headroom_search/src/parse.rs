//! Parsing grep / ripgrep / `git grep` output into classified lines.
//!
//! The format is detected once for the whole block ([`Format`]), then every line is
//! classified ([`Kind`]) and attributed to a file. Anything that does not fit the detected
//! format is [`Kind::Other`] and is always kept verbatim by the compressor.

use headroom_core::output::{line_content, split_lines_inclusive};
use rustc_hash::{FxHashMap, FxHashSet};

/// The output format of the search tool, detected for the whole block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
  /// `path:line:content` matches, `path-line-content` context (`grep -rn`, `rg -n`,
  /// `git grep -n`).
  PathLine,
  /// `path:content` matches, `path-content` context (`grep -r` without `-n`).
  Path,
  /// A path on its own line, then `line:content` / `line-content` lines (`rg --heading`,
  /// `git grep --heading`).
  Heading,
  /// `line:content` / `line-content` with no path (`grep -n` on one file).
  LineOnly,
}

/// What one input line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
  /// A matching line.
  Match,
  /// A context line (`-A`/`-B`/`-C`).
  Context,
  /// A `--` group separator.
  Separator,
  /// A file heading (heading mode).
  Header,
  /// A blank line.
  Blank,
  /// Anything else (binary-file notices, errors, unparsed lines): kept verbatim.
  Other,
}

/// One classified input line.
#[derive(Debug, Clone, Copy)]
pub struct Line<'a> {
  /// The line with its terminator, exactly as in the input.
  pub raw: &'a str,
  /// What it is.
  pub kind: Kind,
  /// Index into [`Parsed::files`] for matches, context lines and headers.
  pub file: Option<u32>,
  /// The line number the tool printed, if any.
  pub line_no: Option<u64>,
  /// Byte offset in [`Line::raw`] where the matched file content starts.
  pub content_start: u32,
}

impl<'a> Line<'a> {
  /// The matched file's line content (after the path and number prefix, no terminator).
  pub fn content(&self) -> &'a str {
    let c = line_content(self.raw);
    c.get(self.content_start as usize..).unwrap_or("")
  }
}

/// A parsed search output.
#[derive(Debug, Clone)]
pub struct Parsed<'a> {
  /// The detected format, or `None` when the block does not look like search output.
  pub format: Option<Format>,
  /// Every input line, in order.
  pub lines: Vec<Line<'a>>,
  /// Distinct file paths, in first-seen order (`""` for [`Format::LineOnly`]).
  pub files: Vec<&'a str>,
}

/// Longest path prefix scanned when looking for a known path (bounds work on huge lines).
const MAX_PATH: usize = 4096;
/// Most separator positions tried per line when looking for a known path.
const MAX_SEPS: usize = 32;

/// Length of a Windows drive prefix (`C:\` or `C:/`) at the start of `s`, else 0.
fn drive_len(s: &str) -> usize {
  let b = s.as_bytes();
  if b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && (b[2] == b'\\' || b[2] == b'/') {
    2
  } else {
    0
  }
}

/// Parses `digits` followed by `sep` at the start of `s`: `(number, bytes consumed)`.
fn num_then(s: &str, sep: u8) -> Option<(u64, usize)> {
  let b = s.as_bytes();
  let n = b.iter().take(20).take_while(|c| c.is_ascii_digit()).count();
  if n == 0 || n > 18 || b.get(n) != Some(&sep) {
    return None;
  }
  Some((s[..n].parse().ok()?, n + 1))
}

/// `path:line:` at the start of a line: the path ends at the first colon after an optional
/// drive prefix, and digits and a colon follow. Returns `(path, line, content_start)`.
fn strict_match(s: &str) -> Option<(&str, u64, usize)> {
  let skip = drive_len(s);
  let colon = skip + s.get(skip..)?.find(':')?;
  if colon == 0 {
    return None;
  }
  let (n, used) = num_then(&s[colon + 1..], b':')?;
  Some((&s[..colon], n, colon + 1 + used))
}

/// `path:` at the start of a line (first colon after an optional drive prefix).
fn path_colon(s: &str) -> Option<usize> {
  let skip = drive_len(s);
  let colon = skip + s.get(skip..)?.find(':')?;
  (colon > 0).then_some(colon)
}

fn is_notice(s: &str) -> bool {
  (s.starts_with("Binary file ") && s.ends_with(" matches"))
    || s.starts_with("grep: ")
    || s.starts_with("rg: ")
    || s.starts_with("ripgrep: ")
    || s.starts_with("fatal: ")
}

fn all_digits(s: &str) -> bool {
  !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

struct Interner<'a> {
  files: Vec<&'a str>,
  index: FxHashMap<&'a str, u32>,
}

impl<'a> Interner<'a> {
  fn id(&mut self, path: &'a str) -> u32 {
    if let Some(&i) = self.index.get(path) {
      return i;
    }
    let i = self.files.len() as u32;
    self.files.push(path);
    self.index.insert(path, i);
    i
  }
}

/// Finds `known-path` + `sep` + (`digits` + `sep` when `numbered`) at the start of `s`,
/// trying the current file first and then every `sep` position against the known set.
fn known_prefix<'a>(
  s: &'a str,
  sep: u8,
  numbered: bool,
  current: Option<&str>,
  known: &FxHashMap<&str, u32>,
) -> Option<(&'a str, Option<u64>, usize)> {
  let tail = |at: usize| -> Option<(Option<u64>, usize)> {
    if s.as_bytes().get(at) != Some(&sep) {
      return None;
    }
    if numbered {
      let (n, used) = num_then(&s[at + 1..], sep)?;
      Some((Some(n), at + 1 + used))
    } else {
      Some((None, at + 1))
    }
  };
  if let Some(cur) = current
    && s.starts_with(cur)
    && let Some((n, start)) = tail(cur.len())
  {
    return Some((&s[..cur.len()], n, start));
  }
  if known.is_empty() {
    return None;
  }
  let limit = s.len().min(MAX_PATH);
  let seps = s.as_bytes()[..limit]
    .iter()
    .enumerate()
    .filter(|(at, b)| **b == sep && *at > 0)
    .take(MAX_SEPS);
  for (at, _) in seps {
    if known.contains_key(&s[..at])
      && let Some((n, start)) = tail(at)
    {
      return Some((&s[..at], n, start));
    }
  }
  None
}

fn detect(contents: &[&str]) -> Option<Format> {
  let mut considered = 0usize;
  let mut numpre = 0usize;
  let mut headers = 0usize;
  let mut strict = 0usize;
  let mut colon = 0usize;
  let mut strict_paths: FxHashSet<&str> = FxHashSet::default();
  let mut pairs = 0usize;
  let mut increasing = 0usize;
  let mut last: Option<(&str, u64)> = None;
  for &c in contents {
    if c.trim().is_empty() || c == "--" || is_notice(c) {
      continue;
    }
    considered += 1;
    let m = strict_match(c).filter(|(p, _, _)| !all_digits(p));
    if let Some((p, n, _)) = m {
      strict += 1;
      strict_paths.insert(p);
      if let Some((lp, ln)) = last
        && lp == p
      {
        pairs += 1;
        increasing += usize::from(n > ln);
      }
      last = Some((p, n));
    } else if num_then(c, b':').or_else(|| num_then(c, b'-')).is_some() {
      numpre += 1;
    } else {
      headers += 1;
    }
    if path_colon(c).is_some() {
      colon += 1;
    }
  }
  if considered == 0 {
    return None;
  }
  if numpre * 2 >= considered {
    return Some(if headers > 0 {
      Format::Heading
    } else {
      Format::LineOnly
    });
  }
  // Of the lines whose first colon ends a path seen with a line number, how many carry one?
  let with_known_path = contents
    .iter()
    .filter_map(|c| path_colon(c).map(|i| &c[..i]))
    .filter(|p| strict_paths.contains(p))
    .count();
  let monotone = pairs == 0 || increasing * 10 >= pairs * 9;
  if strict > 0 && strict * 5 >= with_known_path * 4 && monotone {
    return Some(Format::PathLine);
  }
  if colon * 2 >= considered {
    return Some(Format::Path);
  }
  None
}

/// Parses a search output. Never fails: lines that do not fit are [`Kind::Other`].
pub fn parse(text: &str) -> Parsed<'_> {
  let raws: Vec<&str> = split_lines_inclusive(text).collect();
  let contents: Vec<&str> = raws.iter().map(|r| line_content(r)).collect();
  let format = detect(&contents);
  let mut names = Interner {
    files: Vec::new(),
    index: FxHashMap::default(),
  };
  let mut lines = Vec::with_capacity(raws.len());
  let plain = |raw, kind| Line {
    raw,
    kind,
    file: None,
    line_no: None,
    content_start: 0,
  };
  let Some(format) = format else {
    lines.extend(raws.iter().map(|r| plain(*r, Kind::Other)));
    return Parsed {
      format: None,
      lines,
      files: names.files,
    };
  };
  // Paths that printed a match line, with how many: context lines must name one of them.
  let mut known: FxHashMap<&str, u32> = FxHashMap::default();
  match format {
    Format::PathLine => {
      for c in &contents {
        if let Some((p, _, _)) = strict_match(c).filter(|(p, _, _)| !all_digits(p)) {
          *known.entry(p).or_default() += 1;
        }
      }
    }
    Format::Path => {
      for c in &contents {
        if !is_notice(c)
          && let Some(i) = path_colon(c)
        {
          *known.entry(&c[..i]).or_default() += 1;
        }
      }
    }
    _ => {}
  }
  let mut current: Option<&str> = None;
  let mut current_id: Option<u32> = None;
  if format == Format::LineOnly {
    current_id = Some(names.id(""));
  }
  for (i, &raw) in raws.iter().enumerate() {
    let c = contents[i];
    let kind_simple = if c == "--" {
      Some(Kind::Separator)
    } else if c.trim().is_empty() {
      Some(Kind::Blank)
    } else if is_notice(c) {
      Some(Kind::Other)
    } else {
      None
    };
    if let Some(k) = kind_simple {
      if k == Kind::Blank && format == Format::Heading {
        current = None;
        current_id = None;
      }
      lines.push(plain(raw, k));
      continue;
    }
    let line = match format {
      Format::PathLine => {
        // A context line of the current file first; then a match or a context line of
        // another file that printed matches (`-B` context before its first match): when
        // both readings exist, the path seen more often wins (a context line whose content
        // holds `:N:` must not become a match of a made-up path).
        let empty = FxHashMap::default();
        if let Some((p, n, start)) = known_prefix(c, b'-', true, current, &empty) {
          Some((Kind::Context, p, n, start))
        } else {
          let m = strict_match(c).filter(|(p, _, _)| !all_digits(p));
          let same_file = matches!((m, current), (Some((p, _, _)), Some(cur)) if p == cur);
          let ctx = if same_file {
            None
          } else {
            known_prefix(c, b'-', true, None, &known)
          };
          let freq = |p: &str| known.get(p).copied().unwrap_or(0);
          match (m, ctx) {
            (Some((mp, _, _)), Some((cp, n, start))) if freq(cp) >= freq(mp) => {
              Some((Kind::Context, cp, n, start))
            }
            (Some((p, n, start)), _) => Some((Kind::Match, p, Some(n), start)),
            (None, Some((p, n, start))) => Some((Kind::Context, p, n, start)),
            (None, None) => None,
          }
        }
      }
      Format::Path => {
        if let Some(cur) = current
          && c.len() > cur.len()
          && c.starts_with(cur)
          && c.as_bytes()[cur.len()] == b':'
        {
          Some((Kind::Match, cur, None, cur.len() + 1))
        } else if let Some(cur) = current
          && c.len() > cur.len()
          && c.starts_with(cur)
          && c.as_bytes()[cur.len()] == b'-'
        {
          Some((Kind::Context, cur, None, cur.len() + 1))
        } else if let Some(at) = path_colon(c) {
          Some((Kind::Match, &c[..at], None, at + 1))
        } else {
          known_prefix(c, b'-', false, None, &known).map(|(p, n, s)| (Kind::Context, p, n, s))
        }
      }
      Format::Heading | Format::LineOnly => {
        let numbered = num_then(c, b':')
          .map(|x| (Kind::Match, x))
          .or_else(|| num_then(c, b'-').map(|x| (Kind::Context, x)));
        match (numbered, current_id) {
          (Some((k, (n, used))), Some(id)) => {
            lines.push(Line {
              raw,
              kind: k,
              file: Some(id),
              line_no: Some(n),
              content_start: used as u32,
            });
            continue;
          }
          (None, _) if format == Format::Heading => {
            let id = names.id(c);
            current = Some(c);
            current_id = Some(id);
            lines.push(Line {
              raw,
              kind: Kind::Header,
              file: Some(id),
              line_no: None,
              content_start: 0,
            });
            continue;
          }
          _ => None,
        }
      }
    };
    match line {
      Some((kind, path, n, start)) => {
        let id = names.id(path);
        current = Some(path);
        current_id = Some(id);
        lines.push(Line {
          raw,
          kind,
          file: Some(id),
          line_no: n,
          content_start: start as u32,
        });
      }
      None => lines.push(plain(raw, Kind::Other)),
    }
  }
  let _ = current_id;
  Parsed {
    format: Some(format),
    lines,
    files: names.files,
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  fn kinds<'a>(p: &'a Parsed<'a>) -> Vec<(Kind, Option<&'a str>, Option<u64>)> {
    p.lines
      .iter()
      .map(|l| (l.kind, l.file.map(|f| p.files[f as usize]), l.line_no))
      .collect()
  }

  #[test]
  fn path_line_with_context_and_colons_in_content() {
    let t = "src/a-1.rs-9-use std::io;\nsrc/a-1.rs:10:fn main() { let x = a::b; }\n\
             src/a-1.rs-11-}\n--\nsrc/b.rs:3:x: 12:30:00\n";
    let p = parse(t);
    assert_eq!(p.format, Some(Format::PathLine));
    assert_eq!(
      kinds(&p),
      vec![
        (Kind::Context, Some("src/a-1.rs"), Some(9)),
        (Kind::Match, Some("src/a-1.rs"), Some(10)),
        (Kind::Context, Some("src/a-1.rs"), Some(11)),
        (Kind::Separator, None, None),
        (Kind::Match, Some("src/b.rs"), Some(3)),
      ]
    );
    assert_eq!(p.lines[4].content(), "x: 12:30:00");
  }

  #[test]
  fn windows_paths() {
    let t = "C:\\src\\a.rs:12:let s = \"C:\\\\x\";\r\nC:\\src\\a.rs-13-}\r\nD:/b.rs:1:fn x()\r\n";
    let p = parse(t);
    assert_eq!(p.format, Some(Format::PathLine));
    assert_eq!(p.files, vec!["C:\\src\\a.rs", "D:/b.rs"]);
    assert_eq!(p.lines[1].kind, Kind::Context);
    assert_eq!(p.lines[2].line_no, Some(1));
  }

  #[test]
  fn no_line_numbers() {
    let t = "a.txt:12:30:00 ERROR x\na.txt:12:30:01 ERROR y\nb.txt:hello: world\n";
    let p = parse(t);
    assert_eq!(p.format, Some(Format::Path));
    assert_eq!(p.files, vec!["a.txt", "b.txt"]);
    assert!(
      p.lines
        .iter()
        .all(|l| l.kind == Kind::Match && l.line_no.is_none())
    );
  }

  #[test]
  fn heading_mode_and_single_file() {
    let t = "src/a.rs\n3:fn a()\n4-  body\n\nsrc/b.rs\n7:fn b()\n";
    let p = parse(t);
    assert_eq!(p.format, Some(Format::Heading));
    assert_eq!(p.lines[0].kind, Kind::Header);
    assert_eq!(p.lines[2].kind, Kind::Context);
    assert_eq!(p.files, vec!["src/a.rs", "src/b.rs"]);
    let single = parse("12:fn x\n13-y\n--\n40:fn z\n");
    assert_eq!(single.format, Some(Format::LineOnly));
    assert_eq!(single.lines[3].line_no, Some(40));
  }

  #[test]
  fn notices_and_garbage_are_other() {
    let t = "a.rs:1:x\nBinary file b.bin matches\ngrep: c: Permission denied\na.rs:2:y\n";
    let p = parse(t);
    assert_eq!(p.lines[1].kind, Kind::Other);
    assert_eq!(p.lines[2].kind, Kind::Other);
    assert_eq!(parse("hello world\nno colons here\n").format, None);
  }
}
