//! Writing the kept lines, the recomputed hunk headers and the markers.

use std::fmt::Write as _;

use headroom_core::marker::Marker;
use headroom_core::output::line_content;
use rustc_hash::FxHashSet;

use crate::parse::{BodyKind, Diff, FileDiff, HunkHeader};
use crate::plan::{FilePlan, WholeReason, kinds};

/// Hunk ranges listed in one marker before "and N more".
const LISTED_HUNKS: usize = 6;

/// What is being written: the output text and the header lines it must not collide with.
pub(crate) struct Writer<'a> {
  pub out: String,
  pub hash: &'a str,
  /// Input lines that are hunk headers: a recomputed header must differ from all of them,
  /// so that a line-by-line checker can never mistake it for a later input line.
  pub input_headers: FxHashSet<&'a str>,
}

/// Omitted lines of one stretch, for its marker.
#[derive(Default)]
struct Region {
  lines: u64,
  unchanged: u64,
  removed: u64,
  added: u64,
  other: u64,
  whole_hunks: Vec<String>,
  old: Option<(u64, u64)>,
  new: Option<(u64, u64)>,
  eol: &'static str,
}

fn widen(r: &mut Option<(u64, u64)>, n: u64) {
  *r = Some(r.map_or((n, n), |(a, b)| (a.min(n), b.max(n))));
}

impl Writer<'_> {
  fn push_line(&mut self, line: &str) {
    if !self.out.is_empty() && !self.out.ends_with('\n') {
      self.out.push('\n');
    }
    self.out.push_str(line);
  }

  /// Writes one file section by its plan.
  pub fn file(&mut self, d: &Diff<'_>, f: &FileDiff, plan: &FilePlan) {
    match plan {
      FilePlan::Keep => {
        for i in f.lines.clone() {
          self.push_line(d.lines[i]);
        }
      }
      FilePlan::Whole(reason) => {
        let mut r = Region {
          lines: f.lines.len() as u64,
          eol: eol(d.lines[f.lines.start]),
          ..Default::default()
        };
        for h in &f.hunks {
          r.whole_hunks.push(h.header.ranges());
        }
        let why = match reason {
          WholeReason::Generated => "generated file",
          WholeReason::Binary => "binary patch",
          WholeReason::Budget if f.deleted => "deleted file",
          WholeReason::Budget => "over budget",
        };
        self.marker(f, &r, Some(why));
      }
      FilePlan::Hunks(masks) => self.hunks(d, f, masks),
    }
  }

  fn hunks(&mut self, d: &Diff<'_>, f: &FileDiff, masks: &[Vec<bool>]) {
    let first_hunk = f.hunks[0].header_line;
    for i in f.lines.start..first_hunk {
      self.push_line(d.lines[i]);
    }
    let mut region: Option<Region> = None;
    // Omitted added/removed lines so far in this file: they shift later new-side numbers.
    let (mut omitted_added, mut omitted_removed) = (0u64, 0u64);
    for (h, mask) in f.hunks.iter().zip(masks) {
      let ks = kinds(d, h);
      if mask.iter().all(|k| !k) {
        let r = region.get_or_insert_with(|| Region {
          eol: eol(d.lines[h.header_line]),
          ..Default::default()
        });
        r.lines += 1 + h.body.len() as u64;
        r.whole_hunks.push(h.header.ranges());
        for k in &ks {
          match k {
            BodyKind::Added => omitted_added += 1,
            BodyKind::Removed => omitted_removed += 1,
            _ => {}
          }
        }
        continue;
      }
      let header_raw = d.lines[h.header_line];
      let (_, section) = HunkHeader::parse(line_content(header_raw)).expect("parsed before");
      let (mut old_no, mut new_no) = (h.header.old_first(), h.header.new_first());
      let mut j = 0;
      let m = ks.len();
      let mut first_piece = true;
      while j < m {
        if !mask[j] {
          let r = region.get_or_insert_with(|| Region {
            eol: eol(d.lines[h.body.start + j]),
            ..Default::default()
          });
          r.lines += 1;
          match ks[j] {
            BodyKind::Context => {
              r.unchanged += 1;
              widen(&mut r.old, old_no);
              widen(&mut r.new, new_no);
              old_no += 1;
              new_no += 1;
            }
            BodyKind::Removed => {
              r.removed += 1;
              widen(&mut r.old, old_no);
              old_no += 1;
              omitted_removed += 1;
            }
            BodyKind::Added => {
              r.added += 1;
              widen(&mut r.new, new_no);
              new_no += 1;
              omitted_added += 1;
            }
            BodyKind::NoNewline => r.other += 1,
          }
          j += 1;
          continue;
        }
        // A piece: kept lines up to the next omitted old-side line.
        let start = j;
        let mut end = j;
        let (mut oc, mut nc) = (0u64, 0u64);
        let mut k = j;
        while k < m {
          let old_side = matches!(ks[k], BodyKind::Context | BodyKind::Removed);
          if !mask[k] && old_side {
            break;
          }
          if mask[k] {
            end = k + 1;
            match ks[k] {
              BodyKind::Context => {
                oc += 1;
                nc += 1;
              }
              BodyKind::Removed => oc += 1,
              BodyKind::Added => nc += 1,
              BodyKind::NoNewline => {}
            }
          }
          k += 1;
        }
        let new_first = (new_no + omitted_removed).saturating_sub(omitted_added);
        let header = HunkHeader {
          old_start: if oc > 0 { old_no } else { old_no - 1 },
          old_count: oc,
          new_start: if nc > 0 {
            new_first
          } else {
            new_first.saturating_sub(1)
          },
          new_count: nc,
        };
        let verbatim = first_piece && header == h.header;
        if let Some(r) = region.take() {
          self.marker(f, &r, None);
        }
        if verbatim {
          self.push_line(header_raw);
        } else {
          let text = self.fresh_header(&header, if first_piece { section } else { "" });
          self.push_line(&text);
          self.out.push_str(eol(header_raw));
        }
        first_piece = false;
        // The piece's lines (omitted added lines inside it are a stretch of their own).
        for q in start..end {
          if mask[q] {
            if let Some(r) = region.take() {
              self.marker(f, &r, None);
            }
            self.push_line(d.lines[h.body.start + q]);
          } else {
            let r = region.get_or_insert_with(|| Region {
              eol: eol(d.lines[h.body.start + q]),
              ..Default::default()
            });
            r.lines += 1;
            match ks[q] {
              BodyKind::Added => {
                r.added += 1;
                widen(&mut r.new, new_no);
                omitted_added += 1;
              }
              _ => r.other += 1,
            }
          }
          match ks[q] {
            BodyKind::Context => {
              old_no += 1;
              new_no += 1;
            }
            BodyKind::Removed => old_no += 1,
            BodyKind::Added => new_no += 1,
            BodyKind::NoNewline => {}
          }
        }
        j = end;
      }
    }
    if let Some(r) = region.take() {
      self.marker(f, &r, None);
    }
    // Anything after the last hunk inside the section (none for parsed sections).
    let last_end = f.hunks.last().map_or(first_hunk, |h| h.body.end);
    for i in last_end..f.lines.end {
      self.push_line(d.lines[i]);
    }
  }

  /// A header for `h` that equals no input line (section text, then variants).
  fn fresh_header(&self, h: &HunkHeader, section: &str) -> String {
    let mut s = h.render(section);
    if !self.input_headers.contains(s.as_str()) {
      return s;
    }
    s = h.render("");
    while self.input_headers.contains(s.as_str()) {
      s.push(' ');
    }
    s
  }

  fn marker(&mut self, f: &FileDiff, r: &Region, whole: Option<&str>) {
    let mut b = String::new();
    b.push_str(&f.path);
    if let Some(why) = whole {
      let _ = write!(b, " ({why})");
    }
    let mut parts: Vec<String> = Vec::new();
    if !r.whole_hunks.is_empty() {
      let mut s = format!(
        "{} of {} hunks",
        r.whole_hunks.len(),
        f.hunks.len().max(r.whole_hunks.len())
      );
      for h in r.whole_hunks.iter().take(LISTED_HUNKS) {
        s.push(' ');
        s.push_str(h);
      }
      if r.whole_hunks.len() > LISTED_HUNKS {
        let _ = write!(s, " and {} more", r.whole_hunks.len() - LISTED_HUNKS);
      }
      parts.push(s);
    }
    if r.unchanged + r.removed + r.added > 0 {
      let mut s = String::new();
      for (n, what) in [
        (r.unchanged, "unchanged"),
        (r.removed, "removed"),
        (r.added, "added"),
      ] {
        if n > 0 {
          if !s.is_empty() {
            s.push_str(", ");
          }
          let _ = write!(s, "{n} {what}");
        }
      }
      s.push_str(" lines at");
      if let Some((a, z)) = r.old {
        let _ = write!(s, " -{},{}", a, z - a + 1);
      }
      if let Some((a, z)) = r.new {
        let _ = write!(s, " +{},{}", a, z - a + 1);
      }
      parts.push(s);
    }
    if !parts.is_empty() {
      b.push_str(": ");
      b.push_str(&parts.join(", "));
    }
    let b = b.replace("; retrieve hash=", ", retrieve hash=");
    let m = Marker {
      omitted: r.lines,
      total: f.lines.len() as u64,
      unit: "lines",
      breakdown: Some(&b),
      hash: self.hash,
    }
    .render();
    self.push_line(&m);
    self.out.push_str(r.eol);
  }
}

fn eol(line: &str) -> &'static str {
  if line.ends_with("\r\n") { "\r\n" } else { "\n" }
}
