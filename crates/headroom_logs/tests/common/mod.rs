//! Shared by the tests and the eval example: an in-memory store, the checker call, loghub.
#![allow(dead_code)]

/// The in-memory test store.
pub use headroom_core::store::MemoryStore as MemStore;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

use headroom_core::Compressed;
use headroom_core::check::{Granularity, TextCheck, TextCheckReport, check_text};
use headroom_core::output::{line_content, split_lines_inclusive};

/// Runs the zero-silent-loss checker on an output (lines granularity). The only synthetic
/// lines accepted are ANSI-stripped copies of input lines that held an escape sequence.
pub fn check(input: &str, out: &Compressed, store: &MemStore) -> TextCheckReport {
  let stripped: HashSet<String> = split_lines_inclusive(input)
    .map(line_content)
    .filter(|l| l.contains('\u{1b}'))
    .map(|l| headroom_logs::normalize::strip_ansi(l).into_owned())
    .collect();
  let synthetic = |l: &str| stripped.contains(l);
  let how = TextCheck {
    synthetic: Some(&synthetic),
    ..TextCheck::new(Granularity::Lines)
  };
  let report = check_text(input, &out.text, &|k| store.get(k), &how)
    .unwrap_or_else(|e| panic!("checker: {e}\n--- output ---\n{}", out.text));
  assert_eq!(out.strategy, headroom_logs::STRATEGY);
  assert_eq!(report.hashes, out.hashes);
  report
}

/// The loghub corpus folder, if present (`../shared/corpus/loghub` from the repo root).
pub fn loghub() -> Option<PathBuf> {
  let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/loghub");
  p.is_dir().then_some(p)
}

/// The loghub systems present, sorted.
pub fn systems(root: &Path) -> Vec<String> {
  let mut names: Vec<String> = std::fs::read_dir(root)
    .map(|d| {
      d.filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|s| root.join(s).join(format!("{s}_2k.log")).is_file())
        .collect()
    })
    .unwrap_or_default();
  names.sort();
  names
}

/// One system's raw log and structured rows (Content, EventId), parsed with a real CSV reader.
pub struct System {
  pub name: String,
  pub raw: String,
  pub content: Vec<String>,
  pub event: Vec<String>,
}

pub fn load(root: &Path, name: &str) -> System {
  let dir = root.join(name);
  let raw = std::fs::read_to_string(dir.join(format!("{name}_2k.log"))).expect("read log");
  let mut rdr =
    csv::Reader::from_path(dir.join(format!("{name}_2k.log_structured.csv"))).expect("open csv");
  let headers = rdr.headers().expect("csv headers").clone();
  let ci = headers
    .iter()
    .position(|h| h == "Content")
    .expect("Content");
  let ei = headers
    .iter()
    .position(|h| h == "EventId")
    .expect("EventId");
  let (mut content, mut event) = (Vec::new(), Vec::new());
  for rec in rdr.records() {
    let rec = rec.expect("csv row");
    content.push(rec[ci].to_string());
    event.push(rec[ei].to_string());
  }
  System {
    name: name.to_string(),
    raw,
    content,
    event,
  }
}

/// Mines `lines` (miner + refinement) and scores the groups against `truth`.
pub fn ga(lines: &[&str], truth: &[String]) -> f64 {
  let mut m = headroom_logs::TemplateMiner::default();
  let ids: Vec<u32> = lines.iter().map(|l| m.add(l)).collect();
  let refined = headroom_logs::refine(&m, lines, &ids, 3);
  headroom_logs::metrics::grouping_accuracy(&refined.ids, truth)
}

/// Alert lines (first token not `-`, BGL/Thunderbird labelling) kept verbatim in `out`,
/// and their total.
pub fn alerts_retained(raw: &str, out: &str) -> (usize, usize) {
  let kept: HashSet<&str> = split_lines_inclusive(out).map(line_content).collect();
  let alerts: Vec<&str> = split_lines_inclusive(raw)
    .map(line_content)
    .filter(|l| l.split_whitespace().next().is_some_and(|t| t != "-"))
    .collect();
  (
    alerts.iter().filter(|a| kept.contains(*a)).count(),
    alerts.len(),
  )
}

/// Alert lines (first column not `-`) that are neither kept verbatim nor counted by a marker
/// that names severe templates (`(severe)`): the aggressive-mode needle rule. Aligns the
/// output with the input: kept lines are an in-order subsequence, every other input line
/// sits under the marker at that point.
pub fn alerts_unaccounted(raw: &str, out: &str) -> Vec<String> {
  let input: Vec<&str> = split_lines_inclusive(raw).map(line_content).collect();
  let output: Vec<&str> = split_lines_inclusive(out).map(line_content).collect();
  let is_alert = |l: &str| l.split_whitespace().next().is_some_and(|t| t != "-");
  let mut lost = Vec::new();
  let mut o = 0;
  for (i, line) in input.iter().enumerate() {
    if output.get(o) == Some(line) {
      o += 1;
      continue;
    }
    let marker = output.get(o).copied().unwrap_or("");
    if is_alert(line) && !marker.contains("(severe)") {
      lost.push((*line).to_string());
    }
    // The run ends where the next input line is the output line after the marker.
    if input
      .get(i + 1)
      .is_some_and(|next| output.get(o + 1) == Some(next))
    {
      o += 1;
    }
  }
  lost
}
