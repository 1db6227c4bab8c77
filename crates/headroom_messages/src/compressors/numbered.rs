//! Line-numbered views of a file: `cat -n` output, and what coding agents' file-read tools
//! return (Claude Code's Read: `12\tfn main() {`). The gutter hides the content from every
//! other compressor (source code no longer parses, JSON is no longer JSON), and these views
//! are the bulk of what an agent reads.
//!
//! The gutter is stripped, the content planned by its own compressor, and the output
//! rendered over the *original* lines: every kept line is an input line, byte for byte,
//! with its true line number, and each run of elided lines becomes one marker line. The
//! stored original is the whole view, gutter included. Source code is the content handled
//! so far (via [`headroom_code::plan_rows`]); other content is left to the router as before.

use headroom_core::marker::Marker;
use headroom_core::output::{split_lines_inclusive, store_original};
use headroom_core::{Compressed, Params};
use headroom_detect::ContentType;

/// Views shorter than this are left alone.
pub const MIN_LINES: usize = 8;

/// The gutter length (bytes) of every line of `text` when it is a line-numbered view:
/// optional spaces, a decimal line number, then a tab or `→`, with numbers rising by one
/// from the first. `None` otherwise.
pub fn gutters(text: &str) -> Option<Vec<usize>> {
  // Every block passes through here: stop at the first line without a gutter.
  let mut out = Vec::new();
  let mut expected: Option<u64> = None;
  for line in split_lines_inclusive(text) {
    let b = line.as_bytes();
    let spaces = b.iter().take_while(|&&c| c == b' ').count();
    let digits = b[spaces..]
      .iter()
      .take_while(|c| c.is_ascii_digit())
      .count();
    if digits == 0 || digits > 9 {
      return None;
    }
    let n: u64 = line[spaces..spaces + digits].parse().ok()?;
    if expected.is_some_and(|e| e != n) {
      return None;
    }
    expected = Some(n + 1);
    let rest = &line[spaces + digits..];
    let sep = if rest.starts_with('\t') {
      1
    } else if rest.starts_with('→') {
      '→'.len_utf8()
    } else {
      return None;
    };
    out.push(spaces + digits + sep);
  }
  (out.len() >= MIN_LINES).then_some(out)
}

/// Compresses a line-numbered view whose content is source code. `None`: not a view, not
/// code, nothing to elide, or no retrieve path.
pub fn compress(text: &str, params: &Params<'_>) -> Option<Compressed> {
  let gutters = gutters(text)?;
  let lines: Vec<&str> = split_lines_inclusive(text).collect();
  let inner: String = lines.iter().zip(&gutters).map(|(l, &g)| &l[g..]).collect();
  let detection = headroom_detect::detect(&inner);
  if detection.kind != ContentType::Code {
    return None;
  }
  let (dialect, plan) = headroom_code::plan_rows(&inner, detection.language?, params)?;
  let key = store_original(params, text)?;
  let total = lines.len() as u64;
  let mut out = String::with_capacity(text.len() / 2);
  let mut row = 0;
  for e in &plan {
    lines[row..e.first].iter().for_each(|l| out.push_str(l));
    let marker = Marker {
      omitted: (e.last + 1 - e.first) as u64,
      total,
      unit: headroom_code::UNIT,
      breakdown: Some(&e.what),
      hash: &key,
    }
    .render();
    out.push_str(&marker);
    let last = lines[e.last];
    out.push_str(&last[last.trim_end_matches(['\n', '\r']).len()..]);
    row = e.last + 1;
  }
  lines[row..].iter().for_each(|l| out.push_str(l));
  Some(Compressed {
    text: out,
    strategy: format!("view:numbered(code:signatures({}))", dialect.as_str()),
    hashes: vec![key],
    o200k: None,
  })
}

#[cfg(test)]
mod tests {
  use super::*;
  use headroom_core::Mode;
  use headroom_core::store::MemoryStore;

  fn numbered(text: &str, sep: &str, width: usize) -> String {
    text
      .split_inclusive('\n')
      .enumerate()
      .map(|(i, l)| format!("{:>width$}{sep}{l}", i + 1))
      .collect()
  }

  #[test]
  fn gutters_need_consecutive_numbers_and_one_separator_per_line() {
    let src = "a\nb\nc\nd\ne\nf\ng\nh\n";
    assert_eq!(gutters(&numbered(src, "\t", 0)), Some(vec![2; 8]));
    assert_eq!(gutters(&numbered(src, "→", 6)), Some(vec![9; 8]));
    assert_eq!(gutters(&numbered("a\nb\n", "\t", 0)), None, "too short");
    let skipped = numbered(src, "\t", 0).replace("5\te", "6\te");
    assert_eq!(gutters(&skipped), None);
    assert_eq!(gutters(src), None);
  }

  #[test]
  fn a_numbered_rust_file_keeps_exact_lines_and_marks_elided_runs() {
    let src = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/memo.rs")).unwrap();
    let view = numbered(&src, "\t", 0);
    let store = MemoryStore::default();
    let params = Params::new(Mode::Balanced, &store);
    let out = compress(&view, &params).expect("a Rust file has bodies to elide");
    assert!(
      out
        .strategy
        .starts_with("view:numbered(code:signatures(rust"),
      "{}",
      out.strategy
    );
    // The same plan as the code compressor on the bare file: a comparable saving.
    let bare = headroom_code::compress(&src, headroom_detect::Language::Rust, &params).unwrap();
    let (view_ratio, bare_ratio) = (
      out.text.len() as f64 / view.len() as f64,
      bare.text.len() as f64 / src.len() as f64,
    );
    assert!(view_ratio < 0.85, "{view_ratio}");
    assert!(
      (view_ratio - bare_ratio).abs() < 0.1,
      "{view_ratio} vs {bare_ratio}"
    );
    // Every output line is an input line (same number, same text) or a marker line.
    let input: std::collections::HashSet<&str> = view.lines().collect();
    for line in out.text.lines() {
      assert!(
        input.contains(line) || !headroom_core::marker::find_marker_hashes(line).is_empty(),
        "{line:?}"
      );
    }
    // The stored original is the whole view, gutter included.
    assert_eq!(store.get(&out.hashes[0]).unwrap(), view.as_bytes());
    let check = crate::verify::verify(&view, &out.text, &out.strategy, &|h| store.get(h));
    assert!(check.is_ok(), "{check:?}");
  }
}
