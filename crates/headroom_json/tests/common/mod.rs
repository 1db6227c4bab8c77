//! Shared by the tests and examples: an in-memory store that records puts, and the corpora.
#![allow(dead_code)]

use headroom_core::{OriginalStore, Result};
use std::path::PathBuf;
use std::sync::Mutex;

/// An in-memory store that records every put, in order.
#[derive(Default)]
pub struct MemStore {
  /// `(key, bytes)` in put order.
  pub puts: Mutex<Vec<(String, Vec<u8>)>>,
}

impl OriginalStore for MemStore {
  fn put(&self, original: &[u8]) -> Result<String> {
    let key = headroom_core::hash::retrieve_key(original, 16);
    self
      .puts
      .lock()
      .unwrap()
      .push((key.clone(), original.to_vec()));
    Ok(key)
  }
}

impl MemStore {
  /// The stored bytes of `key`.
  pub fn get(&self, key: &str) -> Option<Vec<u8>> {
    self
      .puts
      .lock()
      .unwrap()
      .iter()
      .find(|(k, _)| k == key)
      .map(|(_, b)| b.clone())
  }

  /// Keys put so far.
  pub fn keys(&self) -> Vec<String> {
    self
      .puts
      .lock()
      .unwrap()
      .iter()
      .map(|(k, _)| k.clone())
      .collect()
  }
}

/// The workspace root.
pub fn root() -> PathBuf {
  PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `(name, text)` of the headroom-generated corpus files (sorted); empty if absent.
pub fn corpus() -> Vec<(String, String)> {
  let dir = root().join("../shared/corpus/headroom-generated");
  let mut out = Vec::new();
  if let Ok(rd) = std::fs::read_dir(&dir) {
    for e in rd.flatten() {
      let p = e.path();
      if p.extension().is_some_and(|x| x == "json") && p.is_file() {
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        out.push((name, std::fs::read_to_string(&p).unwrap()));
      }
    }
  }
  out.sort();
  out
}

/// `(name, text)` of the JSON response bodies (objects/arrays) in the `@octokit/fixtures`
/// normalized recordings, pretty-printed as a CLI would show them; empty if absent.
pub fn octokit() -> Vec<(String, String)> {
  let dir = root().join("node_modules/@octokit/fixtures/scenarios/api.github.com");
  let mut out = Vec::new();
  let Ok(rd) = std::fs::read_dir(&dir) else {
    return out;
  };
  let mut dirs: Vec<_> = rd.flatten().map(|e| e.path()).collect();
  dirs.sort();
  for d in dirs {
    let p = d.join("normalized-fixture.json");
    let Ok(text) = std::fs::read_to_string(&p) else {
      continue;
    };
    let Ok(serde_json::Value::Array(recs)) = serde_json::from_str::<serde_json::Value>(&text)
    else {
      continue;
    };
    for (i, r) in recs.iter().enumerate() {
      if let Some(body) = r.get("response").filter(|b| b.is_array() || b.is_object()) {
        let s = serde_json::to_string_pretty(body).unwrap();
        if s.len() > 1500 {
          out.push((
            format!("{}#{i}", d.file_name().unwrap().to_string_lossy()),
            s,
          ));
        }
      }
    }
  }
  out
}
