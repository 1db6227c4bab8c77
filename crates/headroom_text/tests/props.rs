//! Bad input never hurts: no panic, the checker passes, output deterministic.

mod common;

use common::{MemStore, check_spans};
use headroom_core::{Mode, Params};
use headroom_text::{compress_html, compress_prose, html_to_markdown, split_sentences};
use proptest::prelude::*;

fn run_all(text: &str) {
  let store = MemStore::default();
  for mode in [Mode::Balanced, Mode::Aggressive] {
    let params = Params::new(mode, &store).with_query(Some("error config"));
    if let Some(c) = compress_prose(text, &params, None) {
      check_spans(text, &c.text, &store).unwrap();
      assert_eq!(compress_prose(text, &params, None).unwrap(), c);
    }
    let _ = compress_html(text, &params);
  }
  let _ = html_to_markdown(text);
  let s = split_sentences(text);
  assert!(s.windows(2).all(|w| w[0].end <= w[1].start));
}

proptest! {
  #![proptest_config(ProptestConfig::with_cases(256))]
  #[test]
  fn arbitrary_text(s in "(?s).{0,400}") {
    run_all(&s);
  }

  #[test]
  fn prose_like(words in prop::collection::vec(
    prop_oneof![
      Just("word"), Just("Word."), Just("e.g."), Just("3.14"), Just("\n"), Just("\r\n"),
      Just("\n\n"), Just("- "), Just("# "), Just("```"), Just("|"), Just("---"), Just("> "),
      Just("`x`"), Just("http://a.b/c."), Just("<p>"), Just("</p>"), Just("<script>"),
      Just("<li>"), Just("<pre>"), Just("&amp;"), Just("\u{0}"), Just("\u{FFFD}"), Just("  "),
      Just("Dr."), Just("..."), Just("?"), Just("<table><tr><td>"), Just("<a href=x>"),
    ],
    0..200,
  )) {
    let text = words.join(" ");
    run_all(&text);
  }
}

#[test]
fn pathological_inputs() {
  let deep_html = "<div>".repeat(10_000) + "text" + &"</div>".repeat(10_000);
  let deep_lists = "<ul><li>".repeat(5_000) + "x";
  let brackets = "[".repeat(10_000) + &"(".repeat(10_000) + ".";
  let huge_line = "word ".repeat(400_000);
  let sentences = "A short sentence here. ".repeat(50_000);
  let unclosed = "<a href=x>".repeat(20_000) + &"</b>".repeat(20_000);
  for t in [
    deep_html, deep_lists, brackets, huge_line, sentences, unclosed,
  ] {
    let start = std::time::Instant::now();
    run_all(&t);
    assert!(
      start.elapsed().as_secs() < 20,
      "too slow on {} bytes",
      t.len()
    );
  }
}

/// A long prompt as the query, on text full of its terms (one huge sentence of them too):
/// the relevance features stay linear in the text.
#[test]
fn long_query_on_dense_text() {
  let query = "What error config word was seen when the error config failed? ".repeat(500);
  let text = "The error config word failed. ".repeat(20_000) + &"error config ".repeat(100_000);
  let store = MemStore::default();
  let params = Params::new(Mode::Balanced, &store).with_query(Some(&query));
  let start = std::time::Instant::now();
  let c = compress_prose(&text, &params, None).expect("compressible");
  check_spans(&text, &c.text, &store).unwrap();
  assert!(start.elapsed().as_secs() < 20, "too slow");
}
