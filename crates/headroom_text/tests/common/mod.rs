//! Shared by the tests and the eval: an in-memory store, the checker and the corpora.
#![allow(dead_code)]

/// The in-memory test store.
pub use headroom_core::store::MemoryStore as MemStore;
use std::path::PathBuf;

use headroom_core::check::{Granularity, TextCheck, TextCheckReport, check_text};

/// Runs the zero-silent-loss checker (spans) on an extractive output.
pub fn check_spans(
  input: &str,
  output: &str,
  store: &MemStore,
) -> std::result::Result<TextCheckReport, String> {
  check_text(
    input,
    output,
    &|h| store.get(h),
    &TextCheck::new(Granularity::Spans),
  )
  .map_err(|e| e.to_string())
}

/// The workspace root.
pub fn root() -> PathBuf {
  PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// One SQuAD paragraph: the context and its questions with their answers.
pub struct Squad {
  /// The paragraph.
  pub context: String,
  /// `(question, answer texts)`.
  pub qas: Vec<(String, Vec<String>)>,
}

/// The SQuAD v1.1 dev paragraphs, in file order; `None` when the corpus is absent.
pub fn squad() -> Option<Vec<Squad>> {
  let path = root().join("../shared/corpus/squad/dev-v1.1.json");
  let bytes = std::fs::read(&path).ok()?;
  let v: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
  let mut out = Vec::new();
  for article in v["data"].as_array()? {
    for p in article["paragraphs"].as_array()? {
      let qas = p["qas"]
        .as_array()?
        .iter()
        .map(|q| {
          let answers = q["answers"]
            .as_array()
            .map(|a| {
              a.iter()
                .filter_map(|x| x["text"].as_str().map(str::to_string))
                .collect()
            })
            .unwrap_or_default();
          (q["question"].as_str().unwrap_or("").to_string(), answers)
        })
        .collect();
      out.push(Squad {
        context: p["context"].as_str()?.to_string(),
        qas,
      });
    }
  }
  Some(out)
}

/// The output's text with every marker replaced by a NUL, so an answer only counts when it
/// survives verbatim between markers.
pub fn without_markers(output: &str) -> String {
  let mut s = String::with_capacity(output.len());
  let mut last = 0;
  for (r, _) in headroom_core::marker::find_markers(output) {
    s.push_str(&output[last..r.start]);
    s.push('\u{0}');
    last = r.end;
  }
  s.push_str(&output[last..]);
  s
}

/// Real HTML pages on this machine (rust docs, Python's IDLE help, /usr/share/doc), sorted,
/// at most `max`.
pub fn machine_html_pages(max: usize) -> Vec<PathBuf> {
  let mut dirs: Vec<PathBuf> = Vec::new();
  if let Some(home) = std::env::var_os("HOME") {
    let home = PathBuf::from(home);
    if let Ok(rd) = std::fs::read_dir(home.join(".rustup/toolchains")) {
      for t in rd.flatten() {
        dirs.push(t.path().join("share/doc/rust/html/rustdoc"));
        dirs.push(t.path().join("share/doc/rust/html/rustc"));
      }
    }
  }
  dirs.push(PathBuf::from("/usr/share/doc"));
  let mut out = Vec::new();
  for d in dirs {
    walk(&d, &mut out, 0);
  }
  out.sort();
  out.dedup();
  out.truncate(max);
  out
}

fn walk(dir: &std::path::Path, out: &mut Vec<PathBuf>, depth: usize) {
  if depth > 4 {
    return;
  }
  let Ok(rd) = std::fs::read_dir(dir) else {
    return;
  };
  let mut entries: Vec<_> = rd.flatten().map(|e| e.path()).collect();
  entries.sort();
  for p in entries {
    if p.is_dir() {
      walk(&p, out, depth + 1);
    } else if p.extension().is_some_and(|e| e == "html")
      && std::fs::metadata(&p).is_ok_and(|m| m.len() > 5_000 && m.len() < 2_000_000)
    {
      out.push(p);
    }
  }
}
