//! Exactness on every file of the shared corpus, whole and in 4 KiB chunks, against
//! tiktoken-rs (`encode_ordinary`) and fancy-regex (piece boundaries).

mod common;

use common::{ENCODINGS, check, chunks};
use headroom_tokens::Encoding;
use std::path::{Path, PathBuf};

fn corpus_files() -> Option<Vec<PathBuf>> {
  let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
  if !dir.is_dir() {
    eprintln!(
      "note: corpus directory {} is absent; skipping corpus tests",
      dir.display()
    );
    return None;
  }
  let mut out = Vec::new();
  let mut stack = vec![dir];
  while let Some(d) = stack.pop() {
    for e in std::fs::read_dir(&d).unwrap() {
      let p = e.unwrap().path();
      if p.is_dir() {
        stack.push(p);
      } else {
        out.push(p);
      }
    }
  }
  out.sort();
  Some(out)
}

fn run(enc: Encoding, whole: bool) {
  let Some(files) = corpus_files() else { return };
  assert!(
    files.len() >= 10,
    "corpus looks incomplete: {} files",
    files.len()
  );
  let mut failures = Vec::new();
  let mut bytes = 0;
  for f in &files {
    let raw = std::fs::read(f).unwrap();
    let text = String::from_utf8_lossy(&raw);
    bytes += text.len();
    let parts = if whole {
      vec![&*text]
    } else {
      chunks(&text, 4096)
    };
    for part in parts {
      if let Err(e) = check(enc, part, true) {
        failures.push(format!("{}: {e}", f.display()));
        break;
      }
    }
  }
  eprintln!(
    "{}: checked {} files, {} bytes (whole={whole})",
    enc.as_str(),
    files.len(),
    bytes
  );
  assert!(
    failures.is_empty(),
    "{} failures:\n{}",
    failures.len(),
    failures.join("\n")
  );
}

#[test]
fn corpus_whole_files_o200k() {
  run(ENCODINGS[0], true);
}

#[test]
fn corpus_whole_files_cl100k() {
  run(ENCODINGS[1], true);
}

#[test]
fn corpus_4k_chunks_o200k() {
  run(ENCODINGS[0], false);
}

#[test]
fn corpus_4k_chunks_cl100k() {
  run(ENCODINGS[1], false);
}

/// `lower_bound` is below the exact count on every corpus file and every 4 KiB chunk, and
/// not uselessly low (it is used to skip exact counts in compression decisions).
#[test]
fn corpus_lower_bound_holds() {
  let Some(files) = corpus_files() else { return };
  let (mut bound, mut exact) = (0usize, 0usize);
  for f in &files {
    let text = String::from_utf8_lossy(&std::fs::read(f).unwrap()).into_owned();
    for enc in ENCODINGS {
      let t = headroom_tokens::tokenizer(enc);
      for part in chunks(&text, 4096).into_iter().chain([text.as_str()]) {
        let (lb, n) = (headroom_tokens::lower_bound(part), t.count(part));
        assert!(lb <= n, "{}: bound {lb} > count {n}", f.display());
      }
    }
    bound += headroom_tokens::lower_bound(&text);
    exact += headroom_tokens::tokenizer(ENCODINGS[0]).count(&text);
  }
  let ratio = bound as f64 / exact as f64;
  eprintln!("lower_bound / o200k count over the corpus: {ratio:.3}");
  assert!(ratio > 0.3, "bound too weak: {ratio:.3}");
}

/// The multi-threaded count equals the serial one on every corpus file, and on the whole
/// corpus joined into one text (well above the parallel threshold).
#[test]
fn corpus_parallel_count_is_exact() {
  let Some(files) = corpus_files() else { return };
  let mut all = String::new();
  for f in &files {
    let text = String::from_utf8_lossy(&std::fs::read(f).unwrap()).into_owned();
    for enc in ENCODINGS {
      let t = headroom_tokens::tokenizer(enc);
      let whole = t.count_serial(&text);
      let cuts = headroom_tokens::split_points(&text, 16);
      let mut parts = 0;
      let mut from = 0;
      for &c in cuts.iter().chain([&text.len()]) {
        parts += t.count_serial(&text[from..c]);
        from = c;
      }
      assert_eq!(parts, whole, "{}: {} cuts", f.display(), cuts.len());
    }
    all.push_str(&text);
  }
  assert!(all.len() >= headroom_tokens::PARALLEL_MIN_BYTES);
  for enc in ENCODINGS {
    let t = headroom_tokens::tokenizer(enc);
    assert_eq!(t.count(&all), t.count_serial(&all));
  }
}
