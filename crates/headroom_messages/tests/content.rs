//! Every content compressor through the spine, on real program output made on this machine
//! and on the shared corpus: the routed strategy, the zero-silent-loss check of
//! [`headroom_messages::verify`] against a real store, and byte-stable recompression.

use std::process::Command;

use headroom_messages::memo::NoMemo;
use headroom_messages::options::Options;
use headroom_messages::report::TextReport;
use headroom_messages::{compress_text, verify::verify};
use headroom_store::Store;

fn repo_root() -> std::path::PathBuf {
  std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Output of a program run in the repository, or `None` (with a note) where it is missing.
fn run(program: &str, args: &[&str]) -> Option<String> {
  match Command::new(program)
    .args(args)
    .current_dir(repo_root())
    .output()
  {
    Ok(out) if !out.stdout.is_empty() => Some(String::from_utf8_lossy(&out.stdout).into_owned()),
    _ => {
      eprintln!(
        "note: `{program} {}` gave no output here; case skipped",
        args.join(" ")
      );
      None
    }
  }
}

/// Compresses `text` with a real store, checks it, and checks that a second compression
/// (fresh memo: what another process would do) gives the same bytes.
fn compress_checked(text: &str, opts: &Options) -> TextReport {
  let store = Store::in_memory();
  let out = compress_text(text, opts, &NoMemo, &store);
  if let Some(strategy) = &out.strategy {
    let fetch = |h: &str| store.get(h).ok();
    if let Err(e) = verify(text, &out.text, strategy, &fetch) {
      panic!("{strategy}: silent loss: {e}");
    }
    assert!(out.tokens_after < out.tokens_before);
    // Reported counts are exact (a compressor may hand over its own count of its output).
    let o200k = |t: &str| headroom_tokens::tokenizer(headroom_tokens::Encoding::O200kBase).count(t);
    assert_eq!(out.tokens_before, o200k(text), "{strategy}: tokens before");
    assert_eq!(
      out.tokens_after,
      o200k(&out.text),
      "{strategy}: tokens after"
    );
    let again = compress_text(text, opts, &NoMemo, &Store::in_memory());
    assert_eq!(again.text, out.text, "{strategy}: not byte-stable");
  }
  out
}

fn balanced() -> Options {
  Options::default()
}

#[test]
fn grep_output_routes_to_search() {
  let Some(text) = run("grep", &["-rn", "struct", "/usr/include/linux/netfilter"]) else {
    return;
  };
  let out = compress_checked(&text, &balanced());
  assert_eq!(out.content_type, "search");
  assert_eq!(
    out.strategy.as_deref(),
    Some("search:grouped"),
    "{:?}",
    out.reason
  );
  assert!(!out.hashes.is_empty());
}

#[test]
fn git_log_patches_route_to_diff() {
  let Some(text) = run(
    "git",
    &[
      "log",
      "-p",
      "-n",
      "12",
      "--format=",
      // A fixed commit: the newest history touching these files changes with every commit.
      "8433f1c",
      "--",
      "Cargo.lock",
      "package.json",
      "scripts",
    ],
  ) else {
    return;
  };
  let out = compress_checked(&text, &balanced());
  assert_eq!(out.content_type, "diff");
  assert_eq!(
    out.strategy.as_deref(),
    Some("diff:trim"),
    "{:?}",
    out.reason
  );
  // A natural-language query (the user's last message) does not make every hunk relevant:
  // its common words are not terms.
  let asked = Options {
    query: Some("Please look at what changed here and tell me why.".into()),
    ..balanced()
  };
  let out = compress_checked(&text, &asked);
  assert_eq!(
    out.strategy.as_deref(),
    Some("diff:trim"),
    "{:?}",
    out.reason
  );
}

#[test]
fn json_tool_outputs_route_to_smart_crusher_in_every_mode() {
  let dir = repo_root().join("../shared/corpus/headroom-generated");
  let Ok(entries) = std::fs::read_dir(&dir) else {
    eprintln!("note: {} is missing; case skipped", dir.display());
    return;
  };
  let mut files: Vec<_> = entries
    .flatten()
    .map(|e| e.path())
    .filter(|p| p.extension().is_some_and(|x| x == "json"))
    .collect();
  files.sort();
  assert!(files.len() >= 10, "{files:?}");
  for mode in [
    headroom_core::Mode::Lossless,
    headroom_core::Mode::Balanced,
    headroom_core::Mode::Aggressive,
  ] {
    let opts = Options {
      mode,
      ..Options::default()
    };
    for f in &files {
      let text = std::fs::read_to_string(f).unwrap();
      let out = compress_checked(&text, &opts);
      let strategy = out.strategy.unwrap_or_default();
      assert!(strategy.starts_with("json:"), "{}: {strategy}", f.display());
    }
  }
}

#[test]
fn lossless_mode_never_marks_any_content() {
  let opts = Options {
    mode: headroom_core::Mode::Lossless,
    ..Options::default()
  };
  for text in [
    run("grep", &["-rn", "struct", "/usr/include/linux/netfilter"]),
    run("git", &["log", "-p", "-n", "3", "--format="]),
  ]
  .into_iter()
  .flatten()
  {
    let out = compress_checked(&text, &opts);
    assert!(out.hashes.is_empty(), "{:?}", out.strategy);
    assert_eq!(
      headroom_core::marker::find_markers(&out.text).len(),
      headroom_core::marker::find_markers(&text).len(),
      "{:?}",
      out.strategy
    );
  }
}

fn loghub(system: &str) -> Option<String> {
  let p = repo_root().join(format!("../shared/corpus/loghub/{system}/{system}_2k.log"));
  match std::fs::read_to_string(&p) {
    Ok(t) => Some(t),
    Err(_) => {
      eprintln!("note: {} is absent; case skipped", p.display());
      None
    }
  }
}

#[test]
fn real_logs_route_to_templates_and_keep_every_alert_line() {
  for system in ["BGL", "HDFS", "OpenStack", "Spark"] {
    let Some(text) = loghub(system) else {
      continue;
    };
    let out = compress_checked(&text, &balanced());
    assert_eq!(out.content_type, "log", "{system}");
    assert_eq!(
      out.strategy.as_deref(),
      Some("log:templates"),
      "{system}: {:?}",
      out.reason
    );
    assert!(
      out.tokens_after * 2 < out.tokens_before,
      "{system}: saves less than half"
    );
    if system == "BGL" {
      // BGL labels alert lines with a tag in the first column ("-" for none).
      let kept: std::collections::HashSet<&str> = out.text.lines().collect();
      for line in text.lines().filter(|l| !l.starts_with('-')) {
        assert!(kept.contains(line), "alert line lost: {line}");
      }
    }
  }
}

/// Field lessons 18 and 19: line output (also `cmd1; cmd2` where `cmd1` prints nothing, or
/// only a blank line) keeps or counts every line and never joins two.
#[test]
fn line_structured_command_output_keeps_or_counts_every_line() {
  for (program, args) in [
    ("ls", &["-la", "/usr/bin"][..]),
    ("git", &["log", "--stat", "-n", "40"][..]),
    ("sh", &["-c", "true; ls -la /usr/bin"][..]),
    ("sh", &["-c", "echo; git log --stat -n 40; true"][..]),
  ] {
    let Some(text) = run(program, args) else {
      continue;
    };
    let out = compress_checked(&text, &balanced());
    assert!(
      out.strategy.is_some(),
      "{program} {args:?}: not compressed: {:?}",
      out.reason
    );
    // Never joined: every output line is an input line or a whole-line marker.
    let input: std::collections::HashSet<&str> = text.lines().collect();
    for line in out.text.lines() {
      assert!(
        input.contains(line) || headroom_core::marker::Marker::parse(line.trim()).is_some(),
        "{program}: line neither input nor marker: {line:?}"
      );
    }
  }
}

#[test]
fn coloured_output_is_checked_with_its_escapes_stripped() {
  let mut text = String::new();
  for i in 0..400 {
    text.push_str(&format!(
      "\x1b[32mINFO\x1b[0m worker {} served /api/items/{} in {}ms\n",
      i % 7,
      i * 13,
      i % 90
    ));
  }
  text.push_str("\x1b[31mERROR\x1b[0m worker 3 lost its database connection\n");
  let out = compress_checked(&text, &balanced());
  assert_eq!(
    out.strategy.as_deref(),
    Some("log:templates"),
    "{:?}",
    out.reason
  );
  assert!(out.text.contains("ERROR"), "the error line is kept");
}

#[test]
fn prose_routes_to_extractive_and_keeps_the_answer() {
  let p = repo_root().join("../shared/corpus/squad/dev-v1.1.json");
  let Ok(raw) = std::fs::read_to_string(&p) else {
    eprintln!("note: {} is absent; case skipped", p.display());
    return;
  };
  let squad: serde_json::Value = serde_json::from_str(&raw).unwrap();
  let article = &squad["data"][0];
  let paragraphs = article["paragraphs"].as_array().unwrap();
  let doc: String = paragraphs
    .iter()
    .take(30)
    .map(|p| format!("{}\n\n", p["context"].as_str().unwrap()))
    .collect();
  let qa = &paragraphs[3]["qas"][0];
  let opts = Options {
    query: Some(qa["question"].as_str().unwrap().to_string()),
    ..Options::default()
  };
  let out = compress_checked(&doc, &opts);
  assert_eq!(out.content_type, "text");
  assert_eq!(
    out.strategy.as_deref(),
    Some("text:extractive(kompress: no model)"),
    "{:?}",
    out.reason
  );
  let answers: Vec<&str> = qa["answers"]
    .as_array()
    .unwrap()
    .iter()
    .map(|a| a["text"].as_str().unwrap())
    .collect();
  assert!(
    answers.iter().any(|a| out.text.contains(a)),
    "no answer of {answers:?} kept"
  );
}

#[test]
fn html_routes_to_extraction() {
  let p = repo_root().join("crates/headroom_text/tests/fixtures/what-is-rustdoc.html");
  let html = std::fs::read_to_string(p).unwrap();
  let out = compress_checked(&html, &balanced());
  assert_eq!(out.content_type, "html");
  assert!(
    out
      .strategy
      .as_deref()
      .is_some_and(|s| s.starts_with("html:extract")),
    "{:?}",
    out.reason
  );
  assert!(!out.text.contains("<script"));
}

#[test]
fn source_files_route_to_the_code_compressor_and_still_parse() {
  let files = [
    ("crates/headroom_store/src/store.rs", "rust"),
    ("benches/index.ts", "typescript"),
    ("scripts/make-tiny-kompress-model.py", "python"),
  ];
  for (file, language) in files {
    let text = std::fs::read_to_string(repo_root().join(file)).unwrap();
    let out = compress_checked(&text, &balanced());
    assert_eq!(out.content_type, "code", "{file}");
    assert_eq!(out.language, Some(language), "{file}");
    let strategy = out
      .strategy
      .as_deref()
      .unwrap_or_else(|| panic!("{file}: {:?}", out.reason));
    assert!(
      strategy.starts_with("code:signatures("),
      "{file}: {strategy}"
    );
    let lang = headroom_detect::Language::ALL
      .into_iter()
      .find(|l| l.as_str() == language)
      .unwrap();
    assert!(
      headroom_code::parses_cleanly(&out.text, lang),
      "{file}: output does not parse"
    );
  }
}
