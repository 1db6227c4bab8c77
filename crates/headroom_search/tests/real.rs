//! The compressor on real grep / rg / git grep output generated on this machine, and on
//! crafted edge cases; every output goes through the zero-silent-loss checker.

mod common;

use common::{MemStore, check, real_outputs};
use headroom_core::marker::find_markers;
use headroom_core::{Mode, Params};
use headroom_search::{Format, Kind, compress, parse};

const MAX: usize = 4 << 20;

fn modes() -> [Mode; 2] {
  [Mode::Balanced, Mode::Aggressive]
}

#[test]
fn real_outputs_pass_the_checker_and_save() {
  let outs = real_outputs(MAX);
  assert!(!outs.is_empty(), "no search output could be generated");
  for (label, text) in &outs {
    let parsed = parse(text);
    assert!(parsed.format.is_some(), "{label}: format not detected");
    let other = parsed
      .lines
      .iter()
      .filter(|l| l.kind == Kind::Other)
      .count();
    assert!(
      other * 100 <= parsed.lines.len(),
      "{label}: {other} of {} lines unparsed",
      parsed.lines.len()
    );
    for mode in modes() {
      for query in [None, Some("error result")] {
        let store = MemStore::default();
        let params = Params::new(mode, &store).with_query(query);
        let Some(c) = compress(text, &params) else {
          assert!(
            mode == Mode::Balanced
              || text.lines().count() < 200
              || !headroom_core::marker::find_marker_hashes(text).is_empty(),
            "{label} {mode:?}: nothing done on a big output"
          );
          continue;
        };
        assert_eq!(c.strategy, "search:grouped");
        let report = check(text, &c.text, &store).unwrap_or_else(|e| panic!("{label}: {e}"));
        assert!(report.markers > 0);
        assert!(c.text.len() < text.len());
        // Deterministic.
        assert_eq!(compress(text, &params).unwrap().text, c.text, "{label}");
        println!(
          "{label} {mode:?} q={query:?}: {} -> {} bytes, {} markers",
          text.len(),
          c.text.len(),
          report.markers
        );
      }
    }
  }
}

/// Every kept match line keeps its own file and line number: the kept set, re-parsed,
/// gives the same (path, line, content) triples as the input lines it copies.
#[test]
fn kept_triples_are_input_triples() {
  for (label, text) in real_outputs(MAX) {
    let input = parse(&text);
    if input.format != Some(Format::PathLine) {
      continue;
    }
    let triples: std::collections::HashSet<(&str, u64, &str)> = input
      .lines
      .iter()
      .filter(|l| l.kind == Kind::Match)
      .map(|l| {
        (
          input.files[l.file.unwrap() as usize],
          l.line_no.unwrap(),
          l.content(),
        )
      })
      .collect();
    let store = MemStore::default();
    let Some(c) = compress(&text, &Params::new(Mode::Aggressive, &store)) else {
      continue;
    };
    let out = parse(&c.text);
    for l in out.lines.iter().filter(|l| l.kind == Kind::Match) {
      let t = (
        out.files[l.file.unwrap() as usize],
        l.line_no.unwrap(),
        l.content(),
      );
      assert!(triples.contains(&t), "{label}: {t:?} not an input triple");
    }
  }
}

#[test]
fn query_and_definitions_are_preferred() {
  let mut text = String::new();
  for i in 1..=60 {
    let content = match i {
      41 => "pub fn compress_all() {".to_string(),
      50 => "  let x = special_token;".to_string(),
      _ => format!("  call(x{i});"),
    };
    text.push_str(&format!("src/lib.rs:{i}:{content}\n"));
  }
  let store = MemStore::default();
  let params = Params::new(Mode::Balanced, &store).with_query(Some("special_token"));
  let c = compress(&text, &params).unwrap();
  check(&text, &c.text, &store).unwrap();
  assert!(c.text.contains("src/lib.rs:50:  let x = special_token;\n"));
  assert!(c.text.contains("src/lib.rs:41:pub fn compress_all() {\n"));
  assert!(c.text.starts_with("src/lib.rs:1:  call(x1);\n"));
  let markers = find_markers(&c.text);
  assert!(markers.iter().all(|(_, m)| m.unit == "matches"));
  let omitted: u64 = markers.iter().map(|(_, m)| m.omitted).sum();
  let kept = c
    .text
    .lines()
    .filter(|l| l.starts_with("src/lib.rs:"))
    .count() as u64;
  assert_eq!(omitted + kept, 60);
  assert!(markers.iter().all(|(_, m)| m.total == 60));
  assert!(c.text.contains("src/lib.rs lines "));
}

#[test]
fn context_lines_follow_their_matches_and_units_stay_lines() {
  let mut text = String::new();
  for blk in 0..20u64 {
    let m = 10 + blk * 10;
    text.push_str(&format!(
      "a.rs-{}-before\na.rs:{}:hit {blk}\na.rs-{}-after\n--\n",
      m - 1,
      m,
      m + 1
    ));
  }
  text.push_str("b.rs:3:hit b\n");
  let store = MemStore::default();
  let c = compress(&text, &Params::new(Mode::Aggressive, &store)).unwrap();
  check(&text, &c.text, &store).unwrap();
  // Every kept context line sits next to its kept match.
  let out: Vec<&str> = c.text.lines().collect();
  for (i, l) in out.iter().enumerate() {
    if l.ends_with("-before") {
      assert!(out[i + 1].starts_with("a.rs:"), "{l}");
    }
    if l.ends_with("-after") {
      assert!(out[i - 1].starts_with("a.rs:"), "{l}");
    }
  }
  let ms = find_markers(&c.text);
  assert!(
    ms.iter()
      .any(|(_, m)| m.unit == "lines" && m.breakdown.unwrap().contains("matches"))
  );
  assert!(c.text.ends_with("b.rs:3:hit b\n"));
}

#[test]
fn crafted_formats_round_trip() {
  let mut windows = String::new();
  for i in 1..=40 {
    windows.push_str(&format!(
      "C:\\proj\\src\\main.rs:{i}:let t = \"12:30:{i}\";\r\n"
    ));
  }
  windows.push_str("Binary file C:\\proj\\x.bin matches\r\n");
  let mut single = String::new();
  for i in 1..=40 {
    single.push_str(&format!("{i}:key: value {i}\n"));
  }
  let mut heading = String::new();
  for f in 0..3 {
    heading.push_str(&format!("src/f{f}.rs\n"));
    for i in 1..=30 {
      heading.push_str(&format!("{i}:fn f{i}() {{}}\n"));
    }
    heading.push('\n');
  }
  let mut nonum = String::new();
  for i in 0..40 {
    nonum.push_str(&format!(
      "logs/app.log:2024-01-01 12:{i:02}:00 ERROR boom: x\n"
    ));
  }
  nonum.push_str("logs/other.log:no newline at end");
  for (label, text, fmt) in [
    ("windows", &windows, Format::PathLine),
    ("single", &single, Format::LineOnly),
    ("heading", &heading, Format::Heading),
    ("nonum", &nonum, Format::Path),
  ] {
    assert_eq!(parse(text).format, Some(fmt), "{label}");
    let store = MemStore::default();
    let c = compress(text, &Params::new(Mode::Balanced, &store)).expect(label);
    check(text, &c.text, &store).unwrap_or_else(|e| panic!("{label}: {e}\n{}", c.text));
    if label == "windows" {
      assert!(c.text.contains("Binary file C:\\proj\\x.bin matches\r\n"));
      assert!(c.text.contains("C:\\proj\\src\\main.rs lines "));
      assert!(c.text.lines().all(|l| !l.is_empty()));
      assert!(
        c.text
          .split('\n')
          .filter(|l| !l.is_empty())
          .all(|l| l.ends_with('\r'))
      );
    }
    if label == "heading" {
      for f in 0..3 {
        assert!(c.text.contains(&format!("src/f{f}.rs\n1:fn f1() {{}}\n")));
      }
    }
    if label == "nonum" {
      assert!(c.text.ends_with("logs/other.log:no newline at end"));
    }
  }
}

#[test]
fn lossless_no_store_and_non_search_are_left_alone() {
  let text: String = (1..100).map(|i| format!("a.rs:{i}:x{i}\n")).collect();
  let store = MemStore::default();
  assert!(compress(&text, &Params::new(Mode::Lossless, &store)).is_none());
  assert!(
    compress(
      &text,
      &Params::new(Mode::Balanced, &headroom_core::store::NoStore)
    )
    .is_none()
  );
  assert!(store.is_empty());
  let prose = "Hello there.\nThis is not grep output at all\nJust words.\n".repeat(50);
  assert!(compress(&prose, &Params::new(Mode::Balanced, &store)).is_none());
  let small = "a.rs:1:x\na.rs:2:y\n";
  assert!(compress(small, &Params::new(Mode::Aggressive, &store)).is_none());
}

#[test]
fn many_files_are_summarised() {
  let mut text = String::new();
  for f in 0..400 {
    for i in 1..=(1 + f % 4) {
      text.push_str(&format!("src/m{f}.rs:{i}:use crate::x{i};\n"));
    }
  }
  let store = MemStore::default();
  let c = compress(&text, &Params::new(Mode::Aggressive, &store)).unwrap();
  let r = check(&text, &c.text, &store).unwrap();
  assert!(r.kept <= 110, "kept {}", r.kept);
  assert!(c.text.contains(" files: src/m"));
}
