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
