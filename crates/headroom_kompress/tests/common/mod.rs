//! Shared test helpers: the tiny generated model, a memory store, the checker.
#![allow(dead_code)]

/// The in-memory test store.
pub use headroom_core::store::MemoryStore as MemStore;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use headroom_core::check::{Granularity, TextCheck, TextCheckReport, check_text};
use headroom_kompress::{Kompress, KompressConfig, KompressError};

/// Repository root (two levels above the crate).
pub fn repo_root() -> PathBuf {
  Path::new(env!("CARGO_MANIFEST_DIR"))
    .ancestors()
    .nth(2)
    .expect("repo root")
    .to_path_buf()
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A fresh temporary directory for this test process.
pub fn temp_dir(tag: &str) -> PathBuf {
  let n = COUNTER.fetch_add(1, Ordering::Relaxed);
  let d = std::env::temp_dir().join(format!("hr-kompress-{tag}-{}-{n}", std::process::id()));
  let _ = std::fs::remove_dir_all(&d);
  std::fs::create_dir_all(&d).unwrap();
  d
}

/// Runs the generator script into a new directory; `None` (with a note) without python3.
pub fn make_model(style: &str, max_len: usize, extra: &[&str]) -> Option<PathBuf> {
  let dir = temp_dir(style);
  let script = repo_root().join("scripts/make-tiny-kompress-model.py");
  let status = Command::new("python3")
    .arg(&script)
    .arg(&dir)
    .args(["--style", style, "--max-len", &max_len.to_string()])
    .args(extra)
    .status();
  match status {
    Ok(s) if s.success() => Some(dir),
    Ok(s) => panic!("{} failed: {s}", script.display()),
    Err(e) => {
      eprintln!("SKIP: python3 not available to generate the tiny model ({e})");
      None
    }
  }
}

/// Loads a model; when no ONNX Runtime library is found, prints a skip note and returns
/// `None` (but fails under CI, where `npm install` provides it).
pub fn load(config: &KompressConfig) -> Option<Kompress> {
  match Kompress::load(config) {
    Ok(k) => Some(k),
    Err(e @ KompressError::LibraryNotFound { .. }) => {
      if std::env::var_os("CI").is_some() {
        panic!(
          "CI must provide ONNX Runtime (npm install puts onnxruntime-node in node_modules): {e}"
        );
      }
      eprintln!("SKIP: {e}");
      None
    }
    Err(e) => panic!("load failed: {e}"),
  }
}

/// Generates and loads a tiny model of `style` with window `max_len`.
pub fn tiny(style: &str, max_len: usize) -> Option<Kompress> {
  let dir = make_model(style, max_len, &[])?;
  load(&KompressConfig::new(dir))
}

/// Checks an output at word granularity and that it carries exactly one marker, in words.
pub fn check_words(input: &str, output: &str, store: &MemStore) -> TextCheckReport {
  let report = check_text(
    input,
    output,
    &|h| store.get(h),
    &TextCheck::new(Granularity::Words),
  )
  .unwrap_or_else(|v| panic!("checker: {v}\n--- output:\n{output}"));
  assert_eq!(report.markers, 1, "one marker expected:\n{output}");
  assert_eq!(report.omitted.len(), 1);
  assert_eq!(report.omitted[0].0, "words");
  assert_eq!(
    report.kept as u64 + report.omitted[0].1,
    input.split_whitespace().count() as u64,
    "kept + omitted must be every word"
  );
  report
}

/// The generator's function words (score low in the tiny model).
pub const STOPWORDS: &[&str] = &[
  "a", "an", "the", "and", "or", "but", "nor", "of", "to", "in", "on", "at", "by", "for", "with",
  "from", "as", "into", "onto", "over", "under", "about", "after", "before", "during", "while",
  "if", "because", "until", "upon", "than", "then", "there", "here", "also", "very", "just", "so",
  "too", "is", "are", "was", "were", "be", "been", "being", "am", "it", "its", "this", "that",
  "these", "those", "he", "she", "they", "we", "you", "i", "his", "her", "their", "our", "your",
  "them", "him", "me", "my", "mine", "which", "who", "whom", "whose", "what", "when", "where",
  "why", "how", "all", "any", "some", "such", "can", "could", "would", "should", "will", "shall",
  "may", "might", "must", "do", "does", "did", "done", "has", "have", "had", "having", "each",
  "other", "both", "either", "neither", "own", "same", "only", "more", "most", "much", "many",
  "few",
];

/// One question and its gold answers.
pub type Qa = (String, Vec<String>);

/// SQuAD contexts (and their questions' answers), or `None` with a note.
pub fn squad() -> Option<Vec<(String, Vec<Qa>)>> {
  let path = repo_root().join("../shared/corpus/squad/dev-v1.1.json");
  let Ok(bytes) = std::fs::read(&path) else {
    eprintln!("SKIP: {} is absent", path.display());
    return None;
  };
  let v: serde_json::Value = serde_json::from_slice(&bytes).expect("squad json");
  let mut out = Vec::new();
  for article in v["data"].as_array().expect("data") {
    for p in article["paragraphs"].as_array().expect("paragraphs") {
      let ctx = p["context"].as_str().expect("context").to_string();
      let qas = p["qas"]
        .as_array()
        .expect("qas")
        .iter()
        .map(|q| {
          let question = q["question"].as_str().unwrap_or_default().to_string();
          let answers = q["answers"]
            .as_array()
            .map(|a| {
              a.iter()
                .filter_map(|x| x["text"].as_str().map(str::to_string))
                .collect()
            })
            .unwrap_or_default();
          (question, answers)
        })
        .collect();
      out.push((ctx, qas));
    }
  }
  Some(out)
}
