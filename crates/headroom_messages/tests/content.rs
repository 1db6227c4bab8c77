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
