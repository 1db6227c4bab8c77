//! Behaviour tests of `crush`, the checker and `expand_lossless`.

mod common;

use common::MemStore;
use headroom_core::Mode;
use headroom_core::marker::find_marker_hashes;
use headroom_core::store::NoStore;
use headroom_json::{CrushOptions, Crushed, InputTokens, checker, crush, expand_lossless};
use serde_json::{Value, json};

fn run(text: &str, mode: Mode, query: Option<&str>) -> (Option<Crushed>, MemStore) {
  let store = MemStore::default();
  let out = crush(text, &CrushOptions::new(mode).with_query(query), &store);
  if let Some(c) = &out {
    checker::check(text, &c.text, &|h| store.get(h))
      .unwrap_or_else(|v| panic!("checker: {v}\n{}", c.text));
    assert!(c.tokens_after < c.tokens_before);
  }
  (out, store)
}

fn pretty(v: &Value) -> String {
  serde_json::to_string_pretty(v).unwrap()
}

fn balanced(v: &Value) -> String {
  run(&pretty(v), Mode::Balanced, None)
    .0
    .expect("compressed")
    .text
}

#[test]
fn majority_is_kept_and_breakdown_is_true() {
  // headroom's inversion fixture: every 7th row warn, the rest info.
  let rows: Vec<Value> = (0..100)
    .map(|i| {
      json!({"id": i, "level": if i % 7 == 0 { "warn" } else { "info" },
             "message": format!("request {} handled", i % 5), "service": "api"})
    })
    .collect();
  let out = balanced(&Value::Array(rows));
  assert!(out.contains("\"info\""), "{out}");
  assert!(out.contains("\"warn\""), "{out}");
  assert!(out.contains("level=info"), "{out}");
  assert!(out.contains("level=warn"), "{out}");
  let kept_info = (0..100)
    .filter(|i| i % 7 != 0 && out.contains(&format!("[{i},")))
    .count();
  assert!(kept_info >= 3, "only {kept_info} info rows kept: {out}");
}

#[test]
fn outliers_are_kept() {
  let rows: Vec<Value> = (0..200)
    .map(|i| json!({"t": i, "latency_ms": if i == 137 { 98765 } else { 100 + (i * 7) % 13 }, "host": "a"}))
    .collect();
  let out = balanced(&Value::Array(rows));
  assert!(out.contains("98765"), "{out}");
}

#[test]
fn error_rows_are_kept() {
  let rows: Vec<Value> = (0..150)
    .map(|i| {
      let bad = i == 33 || i == 90 || i == 91;
      json!({"id": i, "status": if bad { "error" } else { "ok" },
             "detail": if bad { format!("upstream exploded #{i}") } else { "fine".to_string() }})
    })
    .collect();
  let out = balanced(&Value::Array(rows));
  for i in [33, 90, 91] {
    assert!(out.contains(&format!("upstream exploded #{i}")), "{out}");
  }
}

#[test]
fn change_points_are_kept() {
  let rows: Vec<Value> = (0..120)
    .map(|i| json!({"minute": format!("m{i}"), "cpu": if i < 70 { 20.0 + (i % 3) as f64 } else { 90.0 + (i % 3) as f64 }}))
    .collect();
  let out = balanced(&Value::Array(rows));
  assert!(out.contains("\"m69\"") && out.contains("\"m70\""), "{out}");
}

#[test]
fn query_relevant_rows_are_kept() {
  let names = [
    "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel",
  ];
  let rows: Vec<Value> = (0..100)
    .map(|i| {
      let name = if i == 73 {
        "zebra-gateway".to_string()
      } else {
        format!("{}-{i}", names[i % 8])
      };
      json!({"id": i, "name": name, "kind": "service"})
    })
    .collect();
  let text = pretty(&Value::Array(rows));
  let with = run(
    &text,
    Mode::Balanced,
    Some("what happened to zebra gateway?"),
  )
  .0
  .unwrap()
  .text;
  assert!(with.contains("zebra-gateway"), "{with}");
  let without = run(&text, Mode::Balanced, None).0.unwrap().text;
  assert!(
    !without.contains("zebra-gateway"),
    "row 73 was kept anyway; the test would not fail"
  );
}

#[test]
fn string_array_in_object_is_marked_with_count() {
  let items: Vec<Value> = (0..120)
    .map(|i| json!(format!("project-slug-number-{i}")))
    .collect();
  let text = pretty(&json!({"items": items, "total": 120}));
  let (out, _) = run(&text, Mode::Balanced, None);
  let out = out.unwrap().text;
  let v: Value = serde_json::from_str(&out).unwrap();
  let arr = v["items"].as_array().unwrap();
  if arr.len() < 120 {
    assert!(out.contains(" of 120 items omitted"), "{out}");
  }
  assert_eq!(v["total"], json!(120));
}

#[test]
fn numbers_and_mixed_arrays_are_marked() {
  let nums: Vec<Value> = (0..500)
    .map(|i| json!(if i == 250 { 1e9 } else { (i % 10) as f64 }))
    .collect();
  let out = balanced(&json!({"series": nums}));
  assert!(
    out.contains("items omitted") && out.contains("1000000000"),
    "{out}"
  );
  let mixed: Vec<Value> = (0..200)
    .map(|i| {
      if i % 2 == 0 {
        json!(i)
      } else {
        json!(format!("s{i}"))
      }
    })
    .collect();
  let out = balanced(&json!({"mixed": mixed, "nested": [[1, 2, [3, [4, {"a": "b"}]]]]}));
  assert!(out.contains("items omitted"), "{out}");
}

#[test]
fn wide_objects_mark_elided_keys() {
  let mut m = serde_json::Map::new();
  for i in 0..120 {
    m.insert(
      format!("field_{i}"),
      json!(format!(
        "https://api.example.com/some/long/path/number/{i}/resource"
      )),
    );
  }
  let v = Value::Object(m);
  let out = balanced(&v);
  assert!(out.contains("keys omitted"), "{out}");
  let lossless = run(&pretty(&v), Mode::Lossless, None).0.unwrap().text;
  assert!(!lossless.contains("omitted"));
}

#[test]
fn opaque_strings_are_marked_in_bytes() {
  let b64 = "aGVsbG8gd29ybGQh".repeat(64);
  let html = "<html><body><div class=\"x\"><p>hello</p><p>world</p></div></body></html>".repeat(8);
  let out =
    balanced(&json!({"image": b64, "page": html, "note": "The quick brown fox. ".repeat(30)}));
  assert!(out.contains("bytes omitted: base64"), "{out}");
  assert!(out.contains("bytes omitted: html"), "{out}");
  assert!(
    out.contains("The quick brown fox. The quick"),
    "prose must stay: {out}"
  );
}

#[test]
fn stringified_json_is_crushed_inside_the_string() {
  let rows: Vec<Value> = (0..80)
    .map(|i| json!({"id": i, "state": "ok", "v": i * 3}))
    .collect();
  let inner = pretty(&Value::Array(rows));
  let out = balanced(&json!({"payload": inner}));
  let v: Value = serde_json::from_str(&out).unwrap();
  assert!(v["payload"].as_str().unwrap().len() < inner.len());
}

#[test]
fn parser_agrees_with_serde_on_corpus() {
  for (name, text) in common::corpus().iter().chain(common::octokit().iter()) {
    let ours = headroom_json::value::parse(text).expect(name);
    let mut s = String::new();
    headroom_json::crush::write_value(&mut s, &ours);
    let theirs: Value = serde_json::from_str(text).unwrap();
    assert_eq!(s, serde_json::to_string(&theirs).unwrap(), "{name}");
  }
}

#[test]
fn known_input_tokens_are_trusted() {
  let text = pretty(&json!([{"a": 1, "b": "x"}, {"a": 2, "b": "y"}, {"a": 3, "b": "z"}]));
  let store = MemStore::default();
  let counted = crush(&text, &CrushOptions::new(Mode::Lossless), &store).unwrap();
  let opts = CrushOptions {
    input_tokens: InputTokens::Known(counted.tokens_before),
    ..CrushOptions::new(Mode::Lossless)
  };
  assert_eq!(crush(&text, &opts, &store), Some(counted.clone()));
  let opts = CrushOptions {
    input_tokens: InputTokens::Known(counted.tokens_before + 1000),
    ..CrushOptions::new(Mode::Lossless)
  };
  assert_eq!(
    crush(&text, &opts, &store).unwrap().tokens_before,
    counted.tokens_before + 1000
  );
}

#[test]
fn a_large_input_counted_beside_the_crush_gives_the_same_result() {
  let rows: Vec<Value> = (0..4000)
    .map(|i| json!({"id": i, "level": if i % 97 == 0 { "error" } else { "info" }, "msg": format!("request {i} served in {} ms", i % 300)}))
    .collect();
  let text = pretty(&Value::Array(rows));
  assert!(
    headroom_tokens::counts_in_parallel(&text),
    "{} bytes",
    text.len()
  );
  let exact = headroom_tokens::tokenizer(headroom_tokens::Encoding::O200kBase).count(&text);
  for mode in [Mode::Lossless, Mode::Balanced] {
    let store = MemStore::default();
    let beside = crush(&text, &CrushOptions::new(mode), &store).unwrap();
    assert_eq!(beside.tokens_before, exact);
    let known = CrushOptions {
      input_tokens: InputTokens::Known(exact),
      ..CrushOptions::new(mode)
    };
    assert_eq!(crush(&text, &known, &store).as_ref(), Some(&beside));
    let asked = std::sync::atomic::AtomicUsize::new(0);
    let later = || {
      asked.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
      exact
    };
    let later_opts = CrushOptions {
      input_tokens: InputTokens::Later(&later),
      ..CrushOptions::new(mode)
    };
    assert_eq!(crush(&text, &later_opts, &store).as_ref(), Some(&beside));
    assert_eq!(asked.into_inner(), 1, "the count is asked for once");
  }
}

#[test]
fn deterministic_bytes() {
  for (name, text) in common::corpus().iter().chain(common::octokit().iter()) {
    for mode in [Mode::Lossless, Mode::Balanced, Mode::Aggressive] {
      let a = run(text, mode, Some("error payment")).0;
      let b = run(text, mode, Some("error payment")).0;
      assert_eq!(a, b, "{name} {mode:?}");
    }
  }
}

#[test]
fn corpus_passes_checker_and_round_trips() {
  let files: Vec<_> = common::corpus()
    .into_iter()
    .chain(common::octokit())
    .collect();
  for (name, text) in &files {
    let orig: Value = serde_json::from_str(text).unwrap();
    for mode in [Mode::Lossless, Mode::Balanced, Mode::Aggressive] {
      let (out, store) = run(text, mode, None);
      if let Some(c) = out {
        for h in find_marker_hashes(&c.text) {
          assert_eq!(store.get(h).as_deref(), Some(text.as_bytes()), "{name}");
        }
        if mode == Mode::Lossless {
          assert!(find_marker_hashes(&c.text).is_empty());
          let back = expand_lossless(&c.text).unwrap();
          assert_eq!(
            serde_json::to_string(&back).unwrap(),
            serde_json::to_string(&orig).unwrap(),
            "{name}"
          );
        }
      }
    }
  }
}

#[test]
fn corpus_savings_targets() {
  let files = common::corpus();
  if files.is_empty() {
    return;
  }
  let (mut before, mut lossless, mut balanced) = (0, 0, 0);
  for (_, text) in &files {
    let b = headroom_json::render::tokens(text);
    before += b;
    lossless += run(text, Mode::Lossless, None)
      .0
      .map_or(b, |c| c.tokens_after);
    balanced += run(text, Mode::Balanced, None)
      .0
      .map_or(b, |c| c.tokens_after);
  }
  let pct = |a: usize| 1.0 - a as f64 / before as f64;
  assert!(pct(lossless) >= 0.35, "lossless {:.3}", pct(lossless));
  assert!(pct(balanced) >= 0.60, "balanced {:.3}", pct(balanced));
}

/// A store that records puts and fails the test if a marker hash was not put before.
#[test]
fn store_first_and_no_store_means_no_marker() {
  let rows: Vec<Value> = (0..300)
    .map(|i| json!({"i": i, "s": if i % 3 == 0 { "a" } else { "b" }}))
    .collect();
  let text = pretty(&Value::Array(rows));
  let store = MemStore::default();
  let c = crush(&text, &CrushOptions::new(Mode::Balanced), &store).unwrap();
  let hashes = find_marker_hashes(&c.text);
  assert!(!hashes.is_empty());
  let keys = store.keys();
  for h in &hashes {
    assert!(keys.iter().any(|k| k == h), "marker hash {h} never put");
  }
  assert_eq!(c.hashes, keys);
  let none = crush(&text, &CrushOptions::new(Mode::Balanced), &NoStore).unwrap();
  assert!(find_marker_hashes(&none.text).is_empty(), "{}", none.text);
  let lossless = crush(&text, &CrushOptions::new(Mode::Lossless), &store).unwrap();
  assert_eq!(none.text, lossless.text);
}

#[test]
fn checker_catches_silent_loss_and_false_totals() {
  let rows: Vec<Value> = (0..100)
    .map(|i| json!({"id": i, "level": if i % 4 == 0 { "warn" } else { "info" }}))
    .collect();
  let text = pretty(&Value::Array(rows));
  let store = MemStore::default();
  let c = crush(&text, &CrushOptions::new(Mode::Balanced), &store).unwrap();
  let fetch = |h: &str| store.get(h);
  assert!(checker::check(&text, &c.text, &fetch).is_ok());
  // A dropped row without a marker.
  let mut v: Value = serde_json::from_str(&c.text).unwrap();
  let data = v.pointer_mut("/$table/data").and_then(Value::as_array_mut);
  if let Some(data) = data {
    let pos = data.iter().position(Value::is_array).unwrap();
    data.remove(pos);
  } else {
    v.as_array_mut().unwrap().remove(0);
  }
  assert!(checker::check(&text, &serde_json::to_string(&v).unwrap(), &fetch).is_err());
  // A false breakdown and a false total.
  let m = find_marker_hashes(&c.text)[0];
  let bad = c.text.replacen(" level=info", " level=warn", 1);
  assert!(checker::check(&text, &bad, &fetch).is_err());
  let bad = c.text.replacen(" of 100 rows", " of 99 rows", 1);
  assert!(checker::check(&text, &bad, &fetch).is_err());
  // An unknown hash.
  assert!(checker::check(&text, &c.text, &|_| None).is_err());
  let _ = m;
  // Minified is fine; a changed value is not.
  assert!(checker::check(r#"{"a": [1, 2]}"#, r#"{"a":[1,2]}"#, &fetch).is_ok());
  assert!(checker::check(r#"{"a": [1, 2]}"#, r#"{"a":[1,3]}"#, &fetch).is_err());
  assert!(checker::check(r#"{"a": 1, "b": 2}"#, r#"{"a":1}"#, &fetch).is_err());
}

#[test]
fn lossless_tables_round_trip_exactly() {
  let big: Value = serde_json::from_str("12345678901234567890123").unwrap();
  let v = json!({"data": [
    {"id": 1, "meta": {"a": 1.0, "b": null}, "tags": [], "x": "1"},
    {"id": 2, "meta": {"a": 2.50, "b": null}, "tags": ["t"], "x": "2"},
    {"x": "3", "id": 3, "meta": {"a": big, "b": null}, "tags": []},
    {"id": 4, "meta": {}, "tags": [], "x": "4", "extra": {"k.dot": true}},
    {"id": 5, "meta": {"a": -0.0, "b": null}, "tags": [], "x": "5"}
  ], "n": 5});
  let text = pretty(&v);
  let c = crush(&text, &CrushOptions::new(Mode::Lossless), &NoStore).unwrap();
  let back = expand_lossless(&c.text).unwrap();
  assert_eq!(
    serde_json::to_string(&back).unwrap(),
    serde_json::to_string(&v).unwrap()
  );
}

#[test]
fn bad_input_does_not_panic() {
  let deep = "[".repeat(10_000) + &"]".repeat(10_000);
  assert!(crush(&deep, &CrushOptions::default(), &MemStore::default()).is_none());
  let deep_obj = "{\"a\":".repeat(10_000) + "1" + &"}".repeat(10_000);
  assert!(crush(&deep_obj, &CrushOptions::default(), &MemStore::default()).is_none());
  assert!(crush("{\"a\": ", &CrushOptions::default(), &MemStore::default()).is_none());
  assert!(crush("NaN", &CrushOptions::default(), &MemStore::default()).is_none());
  // 100 MB opaque string.
  let big = format!(
    "{{\"blob\": \"{}\"}}",
    "QUJDRA+/".repeat(100 * 1024 * 1024 / 8)
  );
  let (out, _) = run(&big, Mode::Balanced, None);
  assert!(out.unwrap().text.contains("bytes omitted: base64"));
  // 1M tiny items.
  let mut s = String::from("[");
  for i in 0..1_000_000 {
    if i > 0 {
      s.push_str(", ");
    }
    s.push_str(&(i % 97).to_string());
  }
  s.push(']');
  let t = std::time::Instant::now();
  let (out, _) = run(&s, Mode::Balanced, None);
  assert!(out.is_some());
  assert!(t.elapsed().as_secs() < 60);
  let objs: Vec<Value> = (0..100_000).map(|i| json!({"i": i % 7})).collect();
  run(&serde_json::to_string(&objs).unwrap(), Mode::Lossless, None);
}

#[test]
fn a_repeated_long_string_is_crushed_like_a_single_one() {
  // A stringified payload: an array that gets sampled, with a marker in place of its gaps.
  let inner: Vec<Value> = (0..300)
    .map(|i| json!({"id": i, "state": if i == 7 { "failed" } else { "ok" }, "note": format!("event {i} handled by worker {}", i % 5)}))
    .collect();
  let payload = serde_json::to_string(&inner).unwrap();
  let rows = |n: usize| -> String {
    // A key of its own per row: no table, so every row keeps its payload cell.
    let v: Vec<Value> = (0..n)
      .map(|i| {
        let mut r = serde_json::Map::new();
        r.insert(format!("k{i}"), json!(i));
        r.insert("payload".into(), json!(payload));
        Value::Object(r)
      })
      .collect();
    pretty(&Value::Array(v))
  };
  let payload_outputs = |text: &str| -> (Vec<String>, String) {
    let (out, store) = run(text, Mode::Balanced, None);
    let out = out.expect("compressed");
    let strategy = out.strategy.clone();
    checker::check(text, &out.text, &|h| store.get(h)).expect("no silent loss");
    // The crushed payloads: the long strings (rows may form a table).
    fn strings(v: &Value, out: &mut Vec<String>) {
      match v {
        Value::String(s) if s.len() > 200 => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
        Value::Object(m) => m.values().for_each(|x| strings(x, out)),
        _ => {}
      }
    }
    let mut found = Vec::new();
    strings(&serde_json::from_str(&out.text).unwrap(), &mut found);
    (found, strategy)
  };
  let (single, one) = payload_outputs(&rows(1));
  assert_ne!(single[0], payload, "the payload itself is crushed");
  // Eight rows (never sampled): every occurrence gets exactly the single row's result, and
  // the counts behind the strategy name are those of crushing all eight.
  let (many, eight) = payload_outputs(&rows(8));
  assert_eq!(many.len(), 8);
  let sampled = |s: &str| -> (usize, usize) {
    let (n, k) = s["json:sample(".len()..s.len() - 1]
      .split_once("->")
      .unwrap();
    (n.parse().unwrap(), k.parse().unwrap())
  };
  let ((n1, k1), (n8, k8)) = (sampled(&one), sampled(&eight));
  assert_eq!((n8, k8), (8 * n1, 8 * k1), "{one} vs {eight}");
  for p in &many {
    assert_eq!(p, &single[0].replace(&hash_of(&single[0]), &hash_of(p)));
  }
}

/// The retrieve hash in a crushed text (all markers of one call carry the same one).
fn hash_of(text: &str) -> String {
  find_marker_hashes(text)[0].to_string()
}
