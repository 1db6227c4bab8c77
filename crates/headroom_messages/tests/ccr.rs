//! End to end through the spine with a real store: compress → markers → retrieve the exact
//! original; the retrieve tool is added; lossless mode and `retrieve: false` never mark.

use std::sync::Arc;

use headroom_core::Mode;
use headroom_messages::memo::{NoMemo, StoreMemo};
use headroom_messages::options::Options;
use headroom_messages::retrieve_calls::{Retriever, resolve};
use headroom_messages::{compress_request_with, retrieve_tool};
use headroom_store::Store;

fn corpus(name: &str) -> String {
  let p = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/corpus/headroom-generated/"
  );
  std::fs::read_to_string(format!("{p}{name}")).expect("the shared corpus is beside the repository")
}

fn body(output: &str) -> String {
  serde_json::json!({
    "model": "claude-sonnet-4-5", "max_tokens": 1024,
    "messages": [
      {"role": "user", "content": "Which API users are inactive?"},
      {"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_1", "name": "api", "input": {}}]},
      {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": output}]}
    ]
  })
  .to_string()
}

fn tool_output_of(out: &[u8]) -> String {
  let v: serde_json::Value = serde_json::from_slice(out).unwrap();
  v["messages"][2]["content"][0]["content"]
    .as_str()
    .unwrap()
    .to_string()
}

#[test]
fn markers_point_at_byte_exact_originals_and_the_tool_is_added() {
  let store = Arc::new(Store::in_memory());
  let original = corpus("api_responses.json");
  let input = body(&original);
  let out = compress_request_with(input.as_bytes(), &Options::default(), &NoMemo, &*store).unwrap();
  let t = &out.report.transforms[0];
  assert!(
    !t.hashes.is_empty(),
    "balanced mode with a store samples this array: {t:?}"
  );
  assert!(t.tokens_after * 3 < t.tokens_before, "{t:?}");
  let text = tool_output_of(&out.body);
  for hash in headroom_core::marker::find_marker_hashes(&text) {
    assert_eq!(
      store.get(hash).unwrap(),
      original.as_bytes(),
      "stored original is byte-exact"
    );
  }
  // Zero silent loss, checked against the store.
  headroom_json::checker::check(&original, &text, &|h| store.get(h).ok()).expect("no silent loss");
  // The retrieve tool rides along, once.
  assert_eq!(out.report.retrieve_tool, Some("added"));
  let v: serde_json::Value = serde_json::from_slice(&out.body).unwrap();
  assert_eq!(v["tools"][0]["name"], retrieve_tool::RETRIEVE_TOOL_NAME);
  let again = compress_request_with(&out.body, &Options::default(), &NoMemo, &*store).unwrap();
  assert_eq!(
    again.report.transforms.len(),
    0,
    "already-compressed text is pinned"
  );
}

#[test]
fn a_model_retrieve_call_gets_the_original_back() {
  struct ByStore<'a>(&'a Store);
  impl Retriever for ByStore<'_> {
    fn retrieve(&self, hash: &str, query: Option<&str>) -> headroom_core::Result<String> {
      Ok(self.0.retrieve(hash, query)?.text)
    }
  }
  let store = Store::in_memory();
  let original = corpus("database_rows_mixed.json");
  let out = compress_request_with(
    body(&original).as_bytes(),
    &Options::default(),
    &NoMemo,
    &store,
  )
  .unwrap();
  let hash = out.report.transforms[0].hashes[0].clone();
  // Simulated model turn: it calls headroom_retrieve with the marker's hash.
  let response = serde_json::json!({"role": "assistant", "content": [
    {"type": "tool_use", "id": "toolu_r", "name": "headroom_retrieve", "input": {"hash": hash}}]})
  .to_string();
  let r = resolve(&response, &ByStore(&store)).unwrap();
  let v: serde_json::Value = serde_json::from_str(&r.results).unwrap();
  assert_eq!(v[0]["content"][0]["content"].as_str().unwrap(), original);
}

#[test]
fn lossless_mode_and_no_retrieve_path_never_mark() {
  let store = Store::in_memory();
  let original = corpus("api_responses.json");
  for opts in [
    Options {
      mode: Mode::Lossless,
      ..Options::default()
    },
    Options {
      retrieve: false,
      ..Options::default()
    },
  ] {
    let out = compress_request_with(body(&original).as_bytes(), &opts, &NoMemo, &store).unwrap();
    let t = &out.report.transforms[0];
    assert!(t.hashes.is_empty());
    assert_eq!(out.report.retrieve_tool, None);
    let text = tool_output_of(&out.body);
    assert!(headroom_core::marker::find_marker_hashes(&text).is_empty());
    let back = headroom_json::expand_lossless(&text).unwrap();
    assert_eq!(
      back,
      serde_json::from_str::<serde_json::Value>(&original).unwrap()
    );
  }
  assert_eq!(
    store.stats().unwrap().entries,
    0,
    "nothing stored without markers"
  );
}

#[test]
fn a_store_memo_keeps_history_stable_when_the_query_changes() {
  let dir = tempfile::tempdir().unwrap();
  let config = headroom_store::StoreConfig::file(dir.path().join("ccr.sqlite"));
  let original = corpus("log_entries.json");
  let input = body(&original);
  let first = {
    let store = Arc::new(Store::open(&config).unwrap());
    let memo = StoreMemo::new(store.clone());
    let opts = Options {
      query: Some("error timeout".into()),
      ..Options::default()
    };
    compress_request_with(input.as_bytes(), &opts, &memo, &*store).unwrap()
  };
  // Another process (a fresh store handle and memo) with a different query.
  let store = Arc::new(Store::open(&config).unwrap());
  let memo = StoreMemo::new(store.clone());
  let opts = Options {
    query: Some("payment user 42".into()),
    ..Options::default()
  };
  let second = compress_request_with(input.as_bytes(), &opts, &memo, &*store).unwrap();
  assert!(
    first.body == second.body,
    "same bytes across processes despite a new query"
  );
  assert!(second.report.transforms[0].memoized);
}

#[test]
fn a_lossy_form_is_never_reused_without_a_retrieve_path() {
  let store = Arc::new(Store::in_memory());
  let memo = StoreMemo::new(store.clone());
  let input = body(&corpus("database_rows_mixed.json"));
  let lossy = compress_request_with(input.as_bytes(), &Options::default(), &memo, &*store).unwrap();
  assert!(!lossy.report.transforms[0].hashes.is_empty());
  let opts = Options {
    retrieve: false,
    ..Options::default()
  };
  let lossless = compress_request_with(input.as_bytes(), &opts, &memo, &*store).unwrap();
  assert_eq!(
    lossless.report.transforms.len(),
    1,
    "{:?}",
    lossless.report.skipped.last()
  );
  assert!(lossless.report.transforms[0].hashes.is_empty());
}

/// A block whose marker form saves less than the retrieve tool costs is rolled back by the
/// request-level guard. The next request resends it: it must go out unchanged again (it
/// was sent raw), not in the compressed form computed the first time.
#[test]
fn a_rolled_back_block_stays_as_sent_in_later_turns() {
  let store = Arc::new(Store::in_memory());
  let memo = StoreMemo::new(store.clone());
  // Find a real log excerpt just big enough to compress, but not by the tool's cost.
  let log = std::fs::read_to_string(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/corpus/loghub/HDFS/HDFS_2k.log"
  ))
  .unwrap();
  let lines: Vec<&str> = log.lines().collect();
  let rolled_back = (20..400).step_by(4).find_map(|n| {
    let text = lines[..n].join("\n");
    let out = compress_request_with(
      body(&text).as_bytes(),
      &Options::default(),
      &NoMemo,
      &*store,
    )
    .unwrap();
    let rolled = out
      .report
      .skipped
      .iter()
      .any(|s| s.detail.as_deref() == Some("the request as a whole would not shrink"));
    rolled.then_some(text)
  });
  let text = rolled_back.expect("some excerpt saves less than the retrieve tool costs");
  let turn1 = body(&text);
  let out1 = compress_request_with(turn1.as_bytes(), &Options::default(), &memo, &*store).unwrap();
  assert!(out1.report.transforms.is_empty());
  assert_eq!(
    out1.body,
    turn1.as_bytes(),
    "rolled back: the request goes out unchanged"
  );
  // Turn 2: the same history plus a large new tool result that does compress.
  let mut v: serde_json::Value = serde_json::from_str(&turn1).unwrap();
  let msgs = v["messages"].as_array_mut().unwrap();
  msgs.push(serde_json::json!({"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_2", "name": "api", "input": {}}]}));
  msgs.push(serde_json::json!({"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_2", "content": corpus("api_responses.json")}]}));
  let turn2 = v.to_string();
  let out2 = compress_request_with(turn2.as_bytes(), &Options::default(), &memo, &*store).unwrap();
  assert_eq!(
    out2.report.transforms.len(),
    1,
    "only the new block is compressed"
  );
  assert_eq!(
    tool_output_of(&out2.body),
    text,
    "the earlier block is resent exactly as it was sent"
  );
}

#[test]
fn an_always_retrieve_tool_is_added_without_markers_and_never_counts_as_inflation() {
  use headroom_messages::options::RetrieveToolPolicy;
  let store = Store::in_memory();
  // Nothing worth compressing: a short tool output.
  let input = body("three short rows");
  let always = Options {
    retrieve_tool: RetrieveToolPolicy::Always,
    ..Options::default()
  };
  let out = compress_request_with(input.as_bytes(), &always, &NoMemo, &store).unwrap();
  assert_eq!(out.report.retrieve_tool, Some("added"));
  assert!(out.report.transforms.is_empty());
  assert_eq!(
    out.report.tokens_saved, 0,
    "the tool costs tokens; saved never underflows"
  );
  assert!(out.report.tokens_after > out.report.tokens_before);
  let v: serde_json::Value = serde_json::from_slice(&out.body).unwrap();
  assert_eq!(v["tools"][0]["name"], retrieve_tool::RETRIEVE_TOOL_NAME);
  // The body outside the tool is the input's bytes.
  let text = String::from_utf8(out.body.clone()).unwrap();
  assert!(text.starts_with(&input[..input.len() - 1]));

  // A compressible block is still compressed (the tool's cost is not held against it).
  let big = compress_request_with(
    body(&corpus("api_responses.json")).as_bytes(),
    &always,
    &NoMemo,
    &store,
  )
  .unwrap();
  assert_eq!(big.report.transforms.len(), 1);
  assert_eq!(big.report.retrieve_tool, Some("added"));

  // Without a retrieve path the tool is never added.
  let none = Options {
    retrieve: false,
    ..always
  };
  let out = compress_request_with(input.as_bytes(), &none, &NoMemo, &store).unwrap();
  assert_eq!(out.report.retrieve_tool, None);
  assert_eq!(out.body, input.as_bytes());
}

#[test]
fn the_conversation_id_stays_while_history_grows() {
  let store = Store::in_memory();
  let first = body("short");
  let mut v: serde_json::Value = serde_json::from_str(&first).unwrap();
  v["messages"]
    .as_array_mut()
    .unwrap()
    .push(serde_json::json!({"role": "assistant", "content": "done"}));
  let later = v.to_string();
  let id = |b: &str| {
    compress_request_with(b.as_bytes(), &Options::default(), &NoMemo, &store)
      .unwrap()
      .report
      .conversation
      .unwrap()
  };
  assert_eq!(id(&first), id(&later));
  assert_ne!(id(&first), id(&first.replace("inactive", "active")));
}

/// A store that refuses every put, or files every original under one longer key (what a
/// key collision in a real store does), keeping what it was given.
struct Awkward {
  key: Option<&'static str>,
  kept: std::sync::Mutex<Vec<(String, Vec<u8>)>>,
}

impl headroom_core::OriginalStore for Awkward {
  fn put(&self, original: &[u8]) -> headroom_core::Result<String> {
    let key = self
      .key
      .ok_or_else(|| headroom_core::Error::invalid_option("this store refuses every put"))?;
    let mut kept = self.kept.lock().unwrap();
    kept.push((key.to_string(), original.to_vec()));
    Ok(key.to_string())
  }
}

#[test]
fn a_large_block_whose_put_fails_or_moves_never_names_a_missing_original() {
  // Large enough that its put is made beside the compression (`beside_put`).
  let mut array = String::new();
  while array.len() < 64 * 1024 {
    let rows: serde_json::Value =
      serde_json::from_str(&corpus("database_rows_mixed.json")).unwrap();
    let rows = rows.as_array().unwrap().clone();
    let mut all: Vec<serde_json::Value> =
      serde_json::from_str(if array.is_empty() { "[]" } else { &array }).unwrap();
    all.extend(rows);
    array = serde_json::to_string_pretty(&all).unwrap();
  }
  let opts = Options::default();
  // Refused: no marker at all (a lossless form, or the text as it was).
  let refusing = Awkward {
    key: None,
    kept: Default::default(),
  };
  let out = headroom_messages::compress_text(&array, &opts, &NoMemo, &refusing);
  assert!(out.hashes.is_empty(), "{:?}", out.strategy);
  assert!(headroom_core::marker::find_markers(&out.text).is_empty());
  // Filed under another key: every marker names that key, which holds the exact original.
  let moved = Awkward {
    key: Some("0123456789abcdef0123"),
    kept: Default::default(),
  };
  let out = headroom_messages::compress_text(&array, &opts, &NoMemo, &moved);
  assert_eq!(
    out.hashes,
    vec!["0123456789abcdef0123".to_string()],
    "{:?}",
    out.strategy
  );
  let markers = headroom_core::marker::find_markers(&out.text);
  assert!(!markers.is_empty());
  assert!(
    markers
      .iter()
      .all(|(_, m)| m.hash == "0123456789abcdef0123"),
    "{markers:?}"
  );
  let kept = moved.kept.lock().unwrap();
  assert!(
    kept
      .iter()
      .any(|(k, v)| k == "0123456789abcdef0123" && v == array.as_bytes())
  );
}
