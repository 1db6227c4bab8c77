//! HTML to markdown on real pages: every visible word survives, dropped elements leave no
//! text, and `compress_html` writes one `bytes` marker whose hash fetches the page.

mod common;

use common::MemStore;
use headroom_core::{Mode, Params};
use headroom_text::{compress_html, html_to_markdown};
use html5gum::{DefaultEmitter, Token, Tokenizer};

const FIXTURE: &str = include_str!("fixtures/what-is-rustdoc.html");

const DROPPED: &[&str] = &[
  "script", "style", "noscript", "template", "svg", "iframe", "object", "canvas", "head", "title",
  "noembed", "noframes", "nav", "aside",
];

/// The visible words of a page as an independent, simpler walk sees them: text outside
/// elements that are always dropped. (Elements dropped for their attributes or position,
/// such as `header`, `role="navigation"` or `hidden`, are skipped here by name only when the
/// converter's stats say they were dropped, so those words are not required.)
fn visible_words(html: &str) -> (Vec<String>, Vec<String>) {
  let mut e = DefaultEmitter::<()>::default();
  e.naively_switch_states(true);
  let mut depth: Vec<String> = Vec::new();
  let (mut words, mut hidden) = (Vec::new(), Vec::new());
  for t in Tokenizer::new_with_emitter(html, e) {
    let Ok(t) = t;
    match t {
      Token::StartTag(t) => {
        let n = String::from_utf8_lossy(&t.name).to_string();
        if (DROPPED.contains(&n.as_str()) || !depth.is_empty()) && !t.self_closing {
          depth.push(n);
        }
      }
      Token::EndTag(t) => {
        let n = String::from_utf8_lossy(&t.name).to_string();
        if let Some(k) = depth.iter().rposition(|d| *d == n) {
          depth.truncate(k);
        }
      }
      Token::String(s) => {
        let text = String::from_utf8_lossy(&s.value).to_string();
        let target = if depth.is_empty() {
          &mut words
        } else {
          &mut hidden
        };
        target.extend(text.split_whitespace().map(str::to_string));
      }
      _ => {}
    }
  }
  (words, hidden)
}

fn pages() -> Vec<(String, String)> {
  let mut out = vec![(
    "fixture what-is-rustdoc.html".to_string(),
    FIXTURE.to_string(),
  )];
  for p in common::machine_html_pages(40) {
    if let Ok(t) = std::fs::read_to_string(&p) {
      out.push((p.display().to_string(), t));
    }
  }
  out
}

#[test]
fn visible_words_survive_and_dropped_text_does_not() {
  for (name, html) in pages() {
    let c = headroom_text::html::convert(&html);
    let md = &c.markdown;
    let (words, hidden) = visible_words(&html);
    // Every visible word appears, in order (boilerplate dropped by attribute aside: those
    // words may be missing, but then the converter must have counted a drop).
    let mut at = 0;
    let mut missing = 0;
    for w in &words {
      match md[at..].find(w.as_str()) {
        Some(k) => at += k + w.len(),
        None => missing += 1,
      }
    }
    println!("{name}: {missing} of {} visible words missing", words.len());
    if name.starts_with("fixture") {
      assert_eq!(missing, 0, "{name}: visible words lost");
    }
    // Elsewhere, allow for boilerplate dropped by role/class/position, which this walk
    // does not know about (on this machine's pages: 0 words missing on all 41).
    assert!(
      missing * 50 <= words.len().max(1),
      "{name}: {missing} of {} visible words lost",
      words.len()
    );
    // Script bodies never leak (long, code-like words only, to avoid common-word hits).
    let shown: std::collections::HashSet<&String> = words.iter().collect();
    for w in hidden.iter().filter(|w| w.len() > 24 && !shown.contains(w)) {
      assert!(!md.contains(w.as_str()), "{name}: dropped text leaked: {w}");
    }
    assert!(
      !md.contains("<script") && !md.contains("function("),
      "{name}"
    );
  }
}

#[test]
fn fixture_converts_to_readable_markdown() {
  let c = headroom_text::html::convert(FIXTURE);
  let md = &c.markdown;
  for must in [
    "# What is rustdoc?",
    "## Basic usage",
    "```bash\n$ cargo new docs --lib\n$ cd docs\n```",
    "The standard Rust distribution ships with a tool called `rustdoc`.",
    "Let’s give it a try!",
  ] {
    assert!(md.contains(must), "missing {must:?} in:\n{md}");
  }
  assert!(
    c.stats.scripts > 0 && c.stats.boilerplate > 0,
    "{:?}",
    c.stats
  );
  assert!(!md.contains("path_to_root"), "script text leaked");
}

#[test]
fn small_constructs() {
  let html = "<html><head><title>T</title><style>p{}</style></head><body>\
    <nav><a href='/'>Home</a></nav><!-- c -->\
    <h2>Intro &amp; more</h2><p>See <a href=\"https://x.org/a b\">the docs</a>, \
    <code>x_y</code> and <img alt=\"a cat\" src=c.png>.<br>Next line</p>\
    <ul><li>one<li>two<ul><li>deep</li></ul></ul><ol start=3><li>three</ol>\
    <table><tr><th>k</th><th>v|w</th></tr><tr><td>1</td><td><p>2</p></td></tr></table>\
    <pre class=\"language-sh\">\n$ ls ```x```\n</pre><blockquote><p>quoted</p></blockquote>\
    <footer>foot</footer><script>alert(1)</script></body></html>";
  let md = html_to_markdown(html);
  assert_eq!(
    md,
    "## Intro & more\n\nSee [the docs](<https://x.org/a b>), `x_y` and a cat.\nNext line\n\n\
     - one\n- two\n  - deep\n\n3. three\n\n| k | v\\|w |\n| --- | --- |\n| 1 | 2 |\n\n\
     ````sh\n$ ls ```x```\n````\n>\n> quoted"
  );
}

#[test]
fn compress_html_marks_the_page_once_and_checks_out() {
  let store = MemStore::default();
  for (name, html) in pages().into_iter().take(12) {
    let params = Params::new(Mode::Balanced, &store).with_query(Some("configuration options"));
    let Some(c) = compress_html(&html, &params) else {
      continue;
    };
    let key = headroom_core::hash::retrieve_key(html.as_bytes(), 16);
    assert_eq!(c.hashes, vec![key.clone()], "{name}");
    assert_eq!(store.get(&key).as_deref(), Some(html.as_bytes()));
    let (first, rest) = c.text.split_once('\n').unwrap_or((&c.text, ""));
    let m = headroom_core::marker::Marker::parse(first).expect("a marker line on top");
    assert_eq!(
      (m.unit, m.total, m.hash),
      ("bytes", html.len() as u64, key.as_str())
    );
    assert!(m.omitted < m.total);
    // The body is the converted markdown, or an extractive form of it checked against it.
    let md = html_to_markdown(&html);
    let body = rest.trim_start_matches('\n');
    if c.strategy == "html:extract" {
      assert_eq!(body, md, "{name}");
    } else {
      assert_eq!(c.strategy, "html:extract+text:extractive");
      let fetch = |h: &str| (h == key).then(|| md.as_bytes().to_vec());
      headroom_core::check::check_text(
        &md,
        body,
        &fetch,
        &headroom_core::check::TextCheck::new(headroom_core::check::Granularity::Spans),
      )
      .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    assert_eq!(
      compress_html(&html, &params).unwrap(),
      c,
      "{name}: not deterministic"
    );
  }
  let params = Params::new(Mode::Lossless, &store);
  assert!(compress_html(FIXTURE, &params).is_none());
}
