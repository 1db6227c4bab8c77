//! Extractive compression on real text: SQuAD retention, markdown READMEs from the cargo
//! registry, the checker on every output, structure, determinism and line terminators.

mod common;

use common::{MemStore, check_spans};
use headroom_core::store::NoStore;
use headroom_core::{Mode, Params};
use headroom_text::{compress_prose, split_sentences};

/// Answer retention measured on the first 400 SQuAD paragraphs at 50% of the tokens was
/// 88.4% (token ratio 0.539; 86.8% before the fitted relevance model; `examples/eval.rs`
/// runs the whole dev set); the floor leaves a margin for tie-break changes, not for
/// regressions.
const SQUAD_FLOOR: f64 = 0.87;

#[test]
fn squad_answers_survive_at_half_the_tokens() {
  let Some(paras) = common::squad() else {
    println!("skipped: ../shared/corpus/squad absent");
    return;
  };
  let store = MemStore::default();
  let tok = headroom_tokens::tokenizer(headroom_tokens::Encoding::O200kBase);
  let (mut n, mut kept, mut tin, mut tout) = (0usize, 0usize, 0usize, 0usize);
  for p in paras.iter().take(400) {
    for (q, answers) in &p.qas {
      let params = Params::new(Mode::Balanced, &store).with_query(Some(q));
      let out = compress_prose(&p.context, &params, Some(0.5));
      let text = match &out {
        Some(c) => {
          check_spans(&p.context, &c.text, &store).unwrap();
          assert_eq!(c.strategy, "text:extractive");
          c.text.as_str()
        }
        None => &p.context,
      };
      n += 1;
      tin += tok.count(&p.context);
      tout += tok.count(text);
      let visible = common::without_markers(text);
      kept += usize::from(answers.iter().any(|a| visible.contains(a.as_str())));
    }
  }
  let retention = kept as f64 / n as f64;
  let ratio = tout as f64 / tin as f64;
  println!("SQuAD subset: {n} questions, retention {retention:.3}, token ratio {ratio:.3}");
  assert!(retention >= SQUAD_FLOOR, "retention {retention:.3}");
  assert!(ratio <= 0.55, "token ratio {ratio:.3}");
}

/// Markdown files from the cargo registry (READMEs, changelogs), sorted, at most `max`.
fn registry_markdown(max: usize) -> Vec<(String, String)> {
  let mut out = Vec::new();
  let Some(home) = std::env::var_os("CARGO_HOME")
    .map(std::path::PathBuf::from)
    .or_else(|| std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".cargo")))
  else {
    return out;
  };
  let Ok(indexes) = std::fs::read_dir(home.join("registry/src")) else {
    return out;
  };
  let mut files = Vec::new();
  for idx in indexes.flatten() {
    let Ok(crates) = std::fs::read_dir(idx.path()) else {
      continue;
    };
    for c in crates.flatten() {
      for name in ["README.md", "CHANGELOG.md"] {
        let p = c.path().join(name);
        if std::fs::metadata(&p).is_ok_and(|m| m.len() > 3_000) {
          files.push(p);
        }
      }
    }
  }
  files.sort();
  for p in files.into_iter().take(max) {
    if let Ok(t) = std::fs::read_to_string(&p) {
      out.push((p.display().to_string(), t));
    }
  }
  out
}

/// Fenced code blocks of a markdown text (opening fence line to closing fence line).
fn fences(text: &str) -> Vec<String> {
  let mut out = Vec::new();
  let mut cur: Option<(String, String)> = None;
  for line in text.lines() {
    let t = line.trim_start();
    match &mut cur {
      None if t.starts_with("```") && !t[3..].contains('`') => {
        let n = t.bytes().take_while(|&b| b == b'`').count();
        cur = Some(("`".repeat(n), line.to_string()));
      }
      None => {}
      Some((fence, body)) => {
        body.push('\n');
        body.push_str(line);
        if t.starts_with(fence.as_str()) && t.trim_start_matches('`').trim().is_empty() {
          out.push(std::mem::take(body));
          cur = None;
        }
      }
    }
  }
  out
}

#[test]
fn registry_markdown_keeps_structure_and_passes_the_checker() {
  let docs = registry_markdown(60);
  if docs.is_empty() {
    println!("skipped: no cargo registry sources");
    return;
  }
  let store = MemStore::default();
  let (mut saved, mut total, mut compressed) = (0usize, 0usize, 0usize);
  let tok = headroom_tokens::tokenizer(headroom_tokens::Encoding::O200kBase);
  for (name, text) in &docs {
    for (mode, query) in [
      (Mode::Balanced, None),
      (Mode::Aggressive, Some("how to install and configure")),
    ] {
      let params = Params::new(mode, &store).with_query(query);
      let Some(c) = compress_prose(text, &params, None) else {
        continue;
      };
      compressed += 1;
      check_spans(text, &c.text, &store).unwrap_or_else(|e| panic!("{name}: {e}"));
      // Headings and fenced code blocks are always kept, whole.
      for line in text.lines() {
        let t = line.trim_start();
        if t.starts_with("# ") || t.starts_with("## ") || t.starts_with("### ") {
          assert!(c.text.contains(line.trim()), "{name}: heading lost: {line}");
        }
      }
      for f in fences(text) {
        assert!(
          c.text.contains(&f),
          "{name}: code block split or lost:\n{f}"
        );
      }
      // Same bytes every time.
      assert_eq!(compress_prose(text, &params, None).unwrap(), c, "{name}");
      total += tok.count(text);
      saved += tok.count(text) - tok.count(&c.text);
    }
  }
  println!(
    "{} markdown files, {compressed} compressed, {:.1}% tokens saved",
    docs.len(),
    100.0 * saved as f64 / total.max(1) as f64
  );
  assert!(compressed > docs.len() / 2);
}

#[test]
fn markers_sit_in_place_and_count_exactly() {
  let text = "# Guide\n\nAlpha is first. Beta is filler text that goes on and on about nothing in particular. Gamma is more filler that says little, and it keeps going for a while without adding anything useful to the reader at all. Epsilon is yet another sentence of filler that could be dropped without loss. Delta mentions the config file at src/config.toml.\n\nAnother paragraph of filler that nobody needs at all, going on about nothing for a long while. And one more sentence of the same filler kind, just as long and just as empty as the one before it.\n\n- item one is about apples\n- item two is about pears\n";
  let store = MemStore::default();
  let params = Params::new(Mode::Aggressive, &store).with_query(Some("apples"));
  let c = compress_prose(text, &params, None).expect("compressible");
  let r = check_spans(text, &c.text, &store).unwrap();
  let units = headroom_text::blocks::segment(text).len() as u64;
  let markers = headroom_core::marker::find_markers(&c.text);
  assert!(!markers.is_empty());
  for (_, m) in &markers {
    assert_eq!((m.unit, m.total), ("sentences", units));
  }
  let omitted: u64 = markers.iter().map(|(_, m)| m.omitted).sum();
  let kept = headroom_text::blocks::segment(text)
    .iter()
    .filter(|u| c.text.contains(&text[u.range.clone()]))
    .count() as u64;
  assert_eq!(kept + omitted, units, "{}", c.text);
  assert!(r.markers >= 1);
  // Always kept: the heading, the path, the queried item; the list keeps its bullets.
  for must in ["# Guide", "src/config.toml", "- item one is about apples"] {
    assert!(c.text.contains(must), "{must} missing:\n{}", c.text);
  }
}

#[test]
fn crlf_and_indentation_survive() {
  let para = "The first sentence sets the scene. A second one adds detail nobody asked for. \
              A third one is filler too. The fourth is also filler. The fifth closes.";
  let text = format!("Intro line.\r\n\r\n    {para}\r\n\r\n  {para}\r\nlast line here.\r\n");
  let store = MemStore::default();
  let params = Params::new(Mode::Aggressive, &store);
  let c = compress_prose(&text, &params, None).expect("compressible");
  check_spans(&text, &c.text, &store).unwrap();
  for (i, b) in c.text.bytes().enumerate() {
    if b == b'\n' {
      assert_eq!(c.text.as_bytes()[i - 1], b'\r', "bare LF in:\n{:?}", c.text);
    }
  }
  // Each output line (markers aside) is a piece of one input line: no two input lines joined.
  for line in c.text.split("\r\n") {
    let pieces = common::without_markers(line);
    for piece in pieces
      .split('\u{0}')
      .map(str::trim)
      .filter(|p| !p.is_empty())
    {
      assert!(
        text.split("\r\n").any(|l| l.contains(piece)),
        "{piece:?} is not within one input line"
      );
    }
  }
}

#[test]
fn lossless_no_store_and_marked_input_are_left_alone() {
  let filler = "This sentence is filler that repeats a point already made at some length. ";
  let text = &format!("One fact here. {}", filler.repeat(12));
  let store = MemStore::default();
  assert!(compress_prose(text, &Params::new(Mode::Lossless, &store), Some(0.3)).is_none());
  assert!(compress_prose(text, &Params::new(Mode::Balanced, &NoStore), Some(0.3)).is_none());
  let c = compress_prose(text, &Params::new(Mode::Balanced, &store), Some(0.3)).unwrap();
  assert!(compress_prose(&c.text, &Params::new(Mode::Balanced, &store), Some(0.3)).is_none());
}

#[test]
fn sentence_splitter_on_real_prose() {
  let Some(paras) = common::squad() else {
    println!("skipped: ../shared/corpus/squad absent");
    return;
  };
  // Every non-space byte of the paragraph is in exactly one sentence, in order.
  for p in paras.iter().take(300) {
    let s = split_sentences(&p.context);
    let mut at = 0;
    for r in &s {
      assert!(r.start >= at && p.context[at..r.start].trim().is_empty());
      at = r.end;
    }
    assert!(p.context[at..].trim().is_empty());
  }
}
