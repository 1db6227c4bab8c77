//! The full path on the generated tiny models: load, tokenize, chunk, score, select, render,
//! check.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use headroom_core::store::NoStore;
use headroom_core::{Mode, Params};
use headroom_kompress::{
  Kompress, KompressConfig, KompressError, KompressOptions, Provider, Style,
};

fn is_stopword(w: &str) -> bool {
  let core = w
    .trim_matches(|c: char| !c.is_alphanumeric())
    .to_lowercase();
  STOPWORDS.contains(&core.as_str())
}

/// Prose built from the tiny model's vocabulary: many sentences and lines, far more than
/// three windows of 32 tokens.
fn long_prose() -> String {
  let sentences = [
    "The river of the city is very important to the people.",
    "In the morning the teacher and the student study history at the university.",
    "Their team was the largest club in the league for a long time.",
    "It is known that the music of the band became popular during the war.",
  ];
  let mut out = String::new();
  for i in 0..12 {
    out.push_str(sentences[i % sentences.len()]);
    out.push(if i % 3 == 2 { '\n' } else { ' ' });
  }
  out
}

#[test]
fn v2_keeps_exactly_the_content_words_past_three_windows() {
  let Some(k) = tiny("kompress_v2", 32) else {
    return;
  };
  assert_eq!(k.style(), Style::KompressV2);
  assert_eq!(k.max_len(), 32);
  let text = long_prose();
  let store = MemStore::default();
  let params = Params::new(Mode::Balanced, &store);
  let out = k
    .compress(&text, &params, &KompressOptions::default())
    .unwrap()
    .expect("function words are dropped");
  check_words(&text, &out.text, &store);
  assert_eq!(out.strategy, "kompress:v2");
  let expected: Vec<&str> = text
    .split_whitespace()
    .filter(|w| !is_stopword(w))
    .collect();
  let body = out.text.rsplit_once('[').unwrap().0;
  let got: Vec<&str> = body.split_whitespace().collect();
  // Every content word survives, including those far past the first window.
  assert_eq!(got, expected);
  assert!(text.split_whitespace().count() > 3 * 32);
  // Newlines between kept words survive: the input's 4 lines give 4 lines of words.
  assert_eq!(
    body.trim_end().lines().count(),
    text.trim_end().lines().count()
  );
  assert!(
    out
      .text
      .ends_with(&format!("retrieve hash={}]\n", out.hashes[0]))
  );
}

#[test]
fn tokenizer_truncation_in_tokenizer_json_loses_nothing() {
  // Field lesson C11: a tokenizer.json with truncation at 16 tokens must not drop words.
  let Some(dir) = make_model("kompress_v2", 32, &[]) else {
    return;
  };
  let path = dir.join("tokenizer.json");
  let mut tok: serde_json::Value =
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
  tok["truncation"] = serde_json::json!({
    "direction": "Right", "max_length": 16, "strategy": "LongestFirst", "stride": 0
  });
  std::fs::write(&path, tok.to_string()).unwrap();
  let Some(k) = load(&KompressConfig::new(&dir)) else {
    return;
  };
  let text = long_prose();
  let store = MemStore::default();
  let out = k
    .compress(
      &text,
      &Params::new(Mode::Balanced, &store),
      &KompressOptions::default(),
    )
    .unwrap()
    .unwrap();
  check_words(&text, &out.text, &store);
  let kept = out
    .text
    .rsplit_once('[')
    .unwrap()
    .0
    .split_whitespace()
    .count();
  let content = text.split_whitespace().filter(|w| !is_stopword(w)).count();
  assert_eq!(kept, content);
}

#[test]
fn v2_scores_with_a_trailing_unit_dimension() {
  let Some(dir) = make_model("kompress_v2", 64, &["--scores-3d"]) else {
    return;
  };
  let Some(k) = load(&KompressConfig::new(dir)) else {
    return;
  };
  let text = long_prose();
  let store = MemStore::default();
  let out = k
    .compress(
      &text,
      &Params::new(Mode::Balanced, &store),
      &KompressOptions::default(),
    )
    .unwrap()
    .unwrap();
  check_words(&text, &out.text, &store);
  let kept = out
    .text
    .rsplit_once('[')
    .unwrap()
    .0
    .split_whitespace()
    .count();
  assert_eq!(
    kept,
    text.split_whitespace().filter(|w| !is_stopword(w)).count()
  );
}

#[test]
fn llmlingua2_meets_the_target_rate_and_drops_function_words_first() {
  let Some(k) = tiny("llmlingua2", 32) else {
    return;
  };
  assert_eq!(k.style(), Style::Llmlingua2);
  let text = long_prose();
  let total = text.split_whitespace().count();
  let store = MemStore::default();
  let params = Params::new(Mode::Balanced, &store);
  for rate in [0.3f32, 0.5, 0.8] {
    let opts = KompressOptions {
      target_rate: Some(rate),
      budget: None,
    };
    let out = k.compress(&text, &params, &opts).unwrap().unwrap();
    let report = check_words(&text, &out.text, &store);
    let want = (rate as f64 * total as f64).ceil() as usize;
    assert_eq!(report.kept, want, "rate {rate}");
    assert!(out.text.contains(&format!("kompress rate {rate:.2}")));
    let body = out.text.rsplit_once('[').unwrap().0;
    let kept_stop = body.split_whitespace().filter(|w| is_stopword(w)).count();
    let content = text.split_whitespace().filter(|w| !is_stopword(w)).count();
    if want <= content {
      assert_eq!(kept_stop, 0, "rate {rate}: function words go first");
    } else {
      assert_eq!(kept_stop, want - content, "rate {rate}");
    }
  }
  // Balanced default (0.55) and aggressive (0.7 of it) modes.
  let bal = k
    .compress(&text, &params, &KompressOptions::default())
    .unwrap()
    .unwrap();
  let agg = k
    .compress(
      &text,
      &Params::new(Mode::Aggressive, &store),
      &KompressOptions::default(),
    )
    .unwrap()
    .unwrap();
  assert!(agg.text.len() < bal.text.len());
}

#[test]
fn numbers_identifiers_paths_urls_and_query_terms_are_force_kept() {
  let Some(k) = tiny("llmlingua2", 32) else {
    return;
  };
  let text = "The build of the crate failed with error E0308 in src/lib.rs at line 42; \
              see https://docs.rs/ort for the fix, and ask the team about my_config::Value \
              and getValue before the release of the museum.";
  let store = MemStore::default();
  let params = Params::new(Mode::Balanced, &store).with_query(Some("Which museum?"));
  let opts = KompressOptions {
    target_rate: Some(0.0),
    budget: None,
  };
  let out = k.compress(text, &params, &opts).unwrap().unwrap();
  check_words(text, &out.text, &store);
  for w in [
    "E0308",
    "src/lib.rs",
    "42;",
    "https://docs.rs/ort",
    "my_config::Value",
    "getValue",
    "museum.",
  ] {
    assert!(
      out.text.split_whitespace().any(|x| x == w),
      "{w} missing from {}",
      out.text
    );
  }
  assert!(!out.text.split_whitespace().any(|x| x == "team"));
}

#[test]
fn existing_markers_are_never_cut() {
  let Some(k) = tiny("llmlingua2", 32) else {
    return;
  };
  let store = MemStore::default();
  let inner = "the original of an earlier elision";
  let key = headroom_core::OriginalStore::put(&store, inner.as_bytes()).unwrap();
  let marker = headroom_core::marker::Marker {
    omitted: 3,
    total: 10,
    unit: "lines",
    breakdown: Some("the of and"),
    hash: &key,
  }
  .render();
  let text = format!("The team of the city and the river {marker} and the music of the band.");
  let out = k
    .compress(
      &text,
      &Params::new(Mode::Balanced, &store),
      &KompressOptions {
        target_rate: Some(0.1),
        budget: None,
      },
    )
    .unwrap()
    .unwrap();
  assert!(out.text.contains(&marker), "{}", out.text);
}

#[test]
fn nothing_to_do_gives_none() {
  let Some(k) = tiny("llmlingua2", 32) else {
    return;
  };
  let store = MemStore::default();
  let opts = KompressOptions::default();
  let bal = Params::new(Mode::Balanced, &store);
  assert!(k.compress("", &bal, &opts).unwrap().is_none());
  assert!(k.compress("  \n\t ", &bal, &opts).unwrap().is_none());
  assert!(k.compress("word", &bal, &opts).unwrap().is_none());
  let text = long_prose();
  let lossless = Params::new(Mode::Lossless, &store);
  assert!(k.compress(&text, &lossless, &opts).unwrap().is_none());
  assert!(
    k.compress(&text, &Params::new(Mode::Balanced, &NoStore), &opts)
      .unwrap()
      .is_none()
  );
  let all = KompressOptions {
    target_rate: Some(1.0),
    budget: None,
  };
  assert!(k.compress(&text, &bal, &all).unwrap().is_none());
  let bad = KompressOptions {
    target_rate: Some(1.5),
    budget: None,
  };
  assert!(matches!(
    k.compress(&text, &bal, &bad),
    Err(KompressError::Config(_))
  ));
}

#[test]
fn the_budget_is_checked_before_each_chunk() {
  let Some(k) = tiny("llmlingua2", 32) else {
    return;
  };
  let text = long_prose();
  let store = MemStore::default();
  let params = Params::new(Mode::Balanced, &store);
  let zero = KompressOptions {
    target_rate: None,
    budget: Some(Duration::ZERO),
  };
  match k.compress(&text, &params, &zero) {
    Err(KompressError::Timeout {
      chunks_done,
      chunks_total,
      budget,
    }) => {
      assert_eq!(chunks_done, 0);
      assert!(chunks_total > 3, "{chunks_total} chunks");
      assert_eq!(budget, Duration::ZERO);
    }
    other => panic!("expected a timeout, got {other:?}"),
  }
  let roomy = KompressOptions {
    target_rate: None,
    budget: Some(Duration::from_secs(60)),
  };
  assert!(k.compress(&text, &params, &roomy).unwrap().is_some());
}

#[test]
fn providers_fall_back_to_cpu_with_a_reason() {
  let Some(dir) = make_model("llmlingua2", 32, &[]) else {
    return;
  };
  for provider in [Provider::Cuda { device_id: 0 }, Provider::CoreMl] {
    let Some(k) = load(&KompressConfig {
      provider,
      ..KompressConfig::new(&dir)
    }) else {
      return;
    };
    if k.provider() == provider.name() {
      // A machine with the provider: it must work like CPU.
      eprintln!("NOTE: {} provider available here", provider.name());
      assert!(k.fallback_reason().is_none());
    } else {
      assert_eq!(k.provider(), "cpu");
      let why = k.fallback_reason().expect("a reason");
      assert!(why.starts_with(provider.name()), "{why}");
    }
    let store = MemStore::default();
    let text = long_prose();
    let out = k
      .compress(
        &text,
        &Params::new(Mode::Balanced, &store),
        &KompressOptions::default(),
      )
      .unwrap()
      .unwrap();
    check_words(&text, &out.text, &store);
  }
  let Some(k) = load(&KompressConfig::new(&dir)) else {
    return;
  };
  assert_eq!((k.provider(), k.fallback_reason()), ("cpu", None));
  assert!(k.runtime().library.is_file());
}

#[test]
fn deterministic_across_calls_loads_and_threads() {
  let Some(dir) = make_model("llmlingua2", 32, &[]) else {
    return;
  };
  let Some(a) = load(&KompressConfig::new(&dir)) else {
    return;
  };
  let Some(b) = load(&KompressConfig {
    threads: Some(1),
    ..KompressConfig::new(&dir)
  }) else {
    return;
  };
  let text = long_prose();
  let store = MemStore::default();
  let params = Params::new(Mode::Balanced, &store);
  let opts = KompressOptions::default();
  let first = a.compress(&text, &params, &opts).unwrap().unwrap();
  assert_eq!(a.compress(&text, &params, &opts).unwrap().unwrap(), first);
  assert_eq!(b.compress(&text, &params, &opts).unwrap().unwrap(), first);
  let shared = Arc::new(a);
  let handles: Vec<_> = (0..4)
    .map(|_| {
      let k = Arc::clone(&shared);
      let text = text.clone();
      std::thread::spawn(move || {
        let store = MemStore::default();
        k.compress(
          &text,
          &Params::new(Mode::Balanced, &store),
          &KompressOptions::default(),
        )
        .unwrap()
        .unwrap()
      })
    })
    .collect();
  for h in handles {
    assert_eq!(h.join().unwrap(), first);
  }
}

#[test]
fn model_problems_are_typed_errors() {
  let missing = common::temp_dir("empty");
  assert!(matches!(
    Kompress::load(&KompressConfig::new(&missing)),
    Err(KompressError::ModelFile(_))
  ));
  let Some(dir) = make_model("llmlingua2", 32, &[]) else {
    return;
  };
  std::fs::write(dir.join("kompress.json"), r#"{"output":"nope"}"#).unwrap();
  match Kompress::load(&KompressConfig::new(&dir)) {
    Err(KompressError::Model(m)) => assert!(m.contains("nope"), "{m}"),
    Err(KompressError::LibraryNotFound { .. }) => eprintln!("SKIP: no ONNX Runtime"),
    other => panic!("unexpected {other:?}"),
  }
  std::fs::write(dir.join("kompress.json"), r#"{"max_len":2}"#).unwrap();
  assert!(matches!(
    Kompress::load(&KompressConfig::new(&dir)),
    Err(KompressError::Config(_))
  ));
  std::fs::write(dir.join("tokenizer.json"), "{not json").unwrap();
  std::fs::remove_file(dir.join("kompress.json")).unwrap();
  assert!(matches!(
    Kompress::load(&KompressConfig::new(&dir)),
    Err(KompressError::Tokenizer(_))
  ));
  assert!(matches!(
    Kompress::load(&KompressConfig {
      library: Some("/nonexistent/libonnxruntime.so.1".into()),
      ..KompressConfig::new(common::temp_dir("x"))
    }),
    Err(KompressError::ModelFile(_))
  ));
}

#[test]
fn the_generator_is_deterministic() {
  let (Some(a), Some(b)) = (
    make_model("llmlingua2", 32, &[]),
    make_model("llmlingua2", 32, &[]),
  ) else {
    return;
  };
  for f in ["model.onnx", "tokenizer.json", "kompress.json"] {
    assert_eq!(
      std::fs::read(a.join(f)).unwrap(),
      std::fs::read(b.join(f)).unwrap(),
      "{f}"
    );
  }
}
