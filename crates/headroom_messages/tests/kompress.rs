//! Prose through the spine with a loaded Kompress model (the tiny one the repository
//! generates): the model answers, its output passes the word-level check, the memo keeps
//! it stable, and past its budget the extractive compressor answers and the strategy says
//! so. Without a model, the strategy says that too.

use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use headroom_kompress::{Kompress, KompressConfig, KompressError};
use headroom_messages::memo::InMemoryMemo;
use headroom_messages::options::{KompressHandle, Options};
use headroom_messages::{compress_text, verify::verify};
use headroom_store::Store;

fn repo_root() -> std::path::PathBuf {
  Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn tiny_model() -> Option<KompressHandle> {
  let dir = std::env::temp_dir().join(format!("hr-spine-kompress-{}", std::process::id()));
  let _ = std::fs::remove_dir_all(&dir);
  std::fs::create_dir_all(&dir).unwrap();
  let status = Command::new("python3")
    .arg(repo_root().join("scripts/make-tiny-kompress-model.py"))
    .arg(&dir)
    .args(["--style", "llmlingua2", "--max-len", "64"])
    .status();
  if !status.is_ok_and(|s| s.success()) {
    eprintln!("SKIP: python3 could not generate the tiny model");
    return None;
  }
  match Kompress::load(&KompressConfig::new(dir)) {
    Ok(k) => Some(KompressHandle(Arc::new(k))),
    Err(e @ KompressError::LibraryNotFound { .. }) if std::env::var_os("CI").is_none() => {
      eprintln!("SKIP: {e}");
      None
    }
    Err(e) => panic!("the tiny model must load: {e}"),
  }
}

fn prose() -> String {
  let p = repo_root().join("../shared/corpus/squad/dev-v1.1.json");
  let raw = std::fs::read_to_string(&p).unwrap_or_default();
  if raw.is_empty() {
    // No corpus: public-domain-style prose written for this test.
    return "The bridge opened in 1932 after six years of work. It carries eight lanes of \
            traffic and a railway line across the harbour. Engineers tested the arch with \
            ninety-six locomotives before the opening day. "
      .repeat(30);
  }
  let squad: serde_json::Value = serde_json::from_str(&raw).unwrap();
  squad["data"][1]["paragraphs"]
    .as_array()
    .unwrap()
    .iter()
    .take(12)
    .map(|p| format!("{}\n\n", p["context"].as_str().unwrap()))
    .collect()
}

#[test]
fn prose_goes_to_the_loaded_model_and_falls_back_past_its_budget() {
  let Some(model) = tiny_model() else {
    return;
  };
  let text = prose();
  let store = Store::in_memory();
  let fetch = |h: &str| store.get(h).ok();
  let memo = InMemoryMemo::default();
  let opts = Options {
    kompress_model: Some(model.clone()),
    ..Options::default()
  };
  let out = compress_text(&text, &opts, &memo, &store);
  let strategy = out.strategy.clone().expect("the model compresses prose");
  assert!(strategy.starts_with("kompress:"), "{strategy}");
  verify(&text, &out.text, &strategy, &fetch).unwrap();
  // History is stable: the same block gives the same bytes (memo, then a fresh compression).
  assert_eq!(compress_text(&text, &opts, &memo, &store).text, out.text);
  let fresh = compress_text(&text, &opts, &InMemoryMemo::default(), &store);
  assert_eq!(fresh.text, out.text);

  // A zero budget: the model never answers, the extractive compressor does.
  let hurried = Options {
    kompress_budget_ms: 0,
    ..opts.clone()
  };
  let out = compress_text(&text, &hurried, &InMemoryMemo::default(), &store);
  let strategy = out.strategy.expect("extractive answers");
  assert_eq!(strategy, "text:extractive(kompress: over its 0 ms budget)");
  verify(&text, &out.text, &strategy, &fetch).unwrap();

  // Switched off per request.
  let off = Options {
    kompress: false,
    ..opts
  };
  let out = compress_text(&text, &off, &InMemoryMemo::default(), &store);
  assert_eq!(
    out.strategy.as_deref(),
    Some("text:extractive(kompress: no model)")
  );
}
