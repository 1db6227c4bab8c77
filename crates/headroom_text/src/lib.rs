//! # headroom_text
//!
//! Prose, markdown and HTML compression for headroom-native.
//!
//! ## Extractive compression ([`compress_prose`], strategy `text:extractive`)
//!
//! 1. **Segment** ([`blocks`]): a line pass finds the markdown structure (fenced and indented
//!    code blocks, headings, thematic breaks, pipe tables, list items, quotes, paragraphs);
//!    paragraph and list-item text is cut into sentences by [`split_sentences`]
//!    (abbreviations such as `e.g.`/`Dr.`, initials, decimals, ellipses and URLs do not
//!    end a sentence). Each resulting *unit* (a sentence, a heading, a whole code block, a
//!    table row) counts as one `sentence` in markers; the marker's total is the number of
//!    units of the input. Whitespace, blank lines, list bullets and quote prefixes between
//!    units are *gaps*.
//! 2. **Score** ([`score`], [`question`], [`relevance`]): with a query (`Params::query`),
//!    a linear model over lexical features gives each unit the log-odds that it holds the
//!    answer: BM25 of stemmed terms (k1 = 1.2, b = 0.5, each unit a document, stop words
//!    removed) and of 4-character roots, idf coverage, proximity of the matches, verbatim
//!    word runs and pairs shared with the question, a candidate of the kind of answer the
//!    question asks for that it does not already mention (`when`/`what year` → a year or
//!    month, `how many` → a number, `who`/`which company` → a capitalised name, `where`
//!    → a capitalised name after `in`/`at`/`from`...), the previous and next units' match
//!    (questions are often written from one sentence and answered in the next, `It`/`They`
//!    openings) and heading proximity; the weights were fitted on SQuAD and cross-checked
//!    on held-out articles (see [`relevance`]). Without a query, term-frequency centrality
//!    (how much of a unit's vocabulary recurs in the whole text), position (the document's
//!    first sentence, then each block's first), a bonus for numbers and dates, and the unit
//!    right after its heading.
//! 3. **Select** ([`extract::select`]): headings, code blocks, thematic breaks, table heads,
//!    and units holding an inline code span, a URL, a file path or a code identifier
//!    (`snake_case`, `camelCase`, `a::b`, `a.b.c`) are always kept, and so is the
//!    best-scoring unit. The rest must fit the target (by default 50% of the units' o200k
//!    tokens in `Balanced` mode, 30% in `Aggressive`), counting each run of omitted units as
//!    one marker's tokens. Small inputs (units × budget ≤ 65,536) get the exact best plan by
//!    dynamic programming: the subset maximising the summed answer likelihood
//!    `exp(score − best)` (`exp(3 × (score − best))` without a query), which prefers
//!    adjacent units when that saves a marker;
//!    larger ones are filled greedily by score, each unit costing its tokens plus the change
//!    in the number of markers. Numbers and dates are prioritised within the budget rather
//!    than kept past it, since in number-dense prose (a third of Wikipedia's sentences)
//!    keeping them all would defeat any budget.
//! 4. **Render** ([`extract::render`]): kept units are copied verbatim with the gap before
//!    and after them; each run of omitted units becomes one marker
//!    `[3 of 40 sentences omitted; retrieve hash=…]` in place. So the marker sits inline
//!    when the run is inside a paragraph, and on its own line when the run is whole
//!    paragraphs (their blank lines stay around it); a run of list items leaves the first
//!    item's bullet before the marker (`- [2 of 9 sentences omitted; …]`). When a run
//!    swallowed a line break but the kept text after it continued that line, the line
//!    break (and that line's indentation) is written after the marker, so kept text never
//!    moves onto another kept line. Line terminators (`\r\n`) are copied as they are.
//!
//! The output passes `headroom_core::check::check_text` at `Granularity::Spans`.
//!
//! ## HTML ([`compress_html`], strategy `html:extract` or `html:extract+text:extractive`)
//!
//! [`html_to_markdown`] turns a page into readable markdown (see [`html`]): scripts, styles
//! and boilerplate dropped, headings, lists, tables, code blocks and links kept. The text is
//! not verbatim input, so the output starts with one marker on its own line counting, in
//! source bytes, everything not carried over
//! (`[41230 of 52311 bytes omitted: markup, 12 scripts, 3 styles, …; retrieve hash=…]`),
//! followed by a blank line and the markdown. When the markdown is still longer than
//! [`HTML_EXTRACT_MIN_TOKENS`] tokens, the extractive compressor runs on it too; its
//! `sentences` markers carry the same key (the stored original is always the HTML).

//!
//! ## Figures (`cargo run -p headroom_text --release --example eval`, SQuAD v1.1 dev)
//!
//! Question as the query, answer retained when a gold answer string survives verbatim
//! outside markers; token ratio = output / input o200k tokens, markers included:
//!
//! | setting | questions | retained | token ratio |
//! |---|---:|---:|---:|
//! | each paragraph (~160 tokens), 50% | 10,570 | 90.1% | 0.498 |
//! | each paragraph, 30% | 10,570 | 88.6% | 0.443 |
//! | each paragraph, 50%, no query | 10,570 | 46.0% | 0.470 |
//! | 40-paragraph documents, 50% (every 5th question) | 2,133 | 99.7% | 0.479 |
//! | 40-paragraph documents, 30% | 2,133 | 99.3% | 0.284 |
//!
//! Throughput 8–14 MB/s in `compress_prose` (including the store and the final token
//! counts). `cargo run -p headroom_text --release --example rank` shows how often the
//! best-scored sentence holds the answer (86.5%; the best two, 95.9%). The relevance
//! weights are fitted on these questions (`examples/features.rs`, `examples/fit_weights.py`);
//! fitted on half the articles, they rank the other half about as well (see [`relevance`]).
//!
//! On single paragraphs a marker (~18 tokens) is a tenth of the text, so one sentence of
//! five is all a 50% budget holds; the best-scoring sentence is always kept (so short
//! paragraphs may exceed the target).

pub mod blocks;
pub mod extract;
pub mod html;
mod plan;
pub mod question;
pub mod relevance;
pub mod score;
mod sentences;

use headroom_core::marker::{Marker, find_marker_hashes};
use headroom_core::output::store_original;
use headroom_core::{Compressed, Mode, Params};

pub use html::{Conversion, HtmlStats, html_to_markdown};
pub use sentences::split_sentences;

/// Strategy name of extractive prose output.
pub const STRATEGY_EXTRACTIVE: &str = "text:extractive";
/// Strategy name of HTML converted to markdown.
pub const STRATEGY_HTML: &str = "html:extract";
/// Strategy name of HTML converted to markdown, then compressed extractively.
pub const STRATEGY_HTML_EXTRACTIVE: &str = "html:extract+text:extractive";

/// Converted HTML longer than this (o200k tokens) is also compressed extractively.
pub const HTML_EXTRACT_MIN_TOKENS: usize = 512;

/// The default share of tokens kept in `mode` (`Balanced` 0.5, `Aggressive` 0.3).
pub fn default_target(mode: Mode) -> f32 {
  match mode {
    Mode::Aggressive => 0.3,
    _ => 0.5,
  }
}

fn count(text: &str) -> usize {
  headroom_tokens::tokenizer(headroom_tokens::Encoding::O200kBase).count(text)
}

/// The tokens of a typical marker for `total` units.
fn marker_tokens(total: usize) -> usize {
  count(
    &Marker {
      omitted: total as u64,
      total: total as u64,
      unit: "sentences",
      breakdown: None,
      hash: "0f1e2d3c4b5a6978",
    }
    .render(),
  ) + 1
}

/// Selects and renders; `None` when nothing would be omitted.
fn extractive(
  text: &str,
  query: Option<&str>,
  target: f32,
  key: &mut dyn FnMut() -> Option<String>,
) -> Option<String> {
  let units = blocks::segment(text);
  if units.len() < 2 {
    return None;
  }
  let target = f64::from(target).clamp(0.01, 1.0);
  let sel = extract::select(text, &units, query, target, marker_tokens(units.len()));
  if sel.keep.iter().all(|&k| k) {
    return None;
  }
  let key = key()?;
  Some(extract::render(text, &units, &sel.keep, &key))
}

/// Compresses prose or markdown by keeping the most relevant sentences within `target`
/// (share of tokens to keep; default by mode, see [`default_target`]). `None` when the
/// mode is lossless, there is no store, the text already holds markers, nothing would be
/// omitted, or the output would not be smaller.
pub fn compress_prose(text: &str, params: &Params<'_>, target: Option<f32>) -> Option<Compressed> {
  if !params.may_elide() || !find_marker_hashes(text).is_empty() {
    return None;
  }
  let target = target.unwrap_or_else(|| default_target(params.mode));
  let out = extractive(text, params.query, target, &mut || {
    store_original(params, text)
  })?;
  let hash = find_marker_hashes(&out).first()?.to_string();
  let after = count(&out);
  (after < count(text)).then(|| Compressed {
    text: out,
    strategy: STRATEGY_EXTRACTIVE.to_string(),
    hashes: vec![hash],
    o200k: Some(after),
  })
}

/// Converts an HTML page to markdown (one `bytes` marker on top, see the crate docs) and,
/// when the result is long, compresses it extractively. `None` when the mode is lossless,
/// there is no store, the text already holds markers, or the output would not be smaller.
pub fn compress_html(text: &str, params: &Params<'_>) -> Option<Compressed> {
  if !params.may_elide() || !find_marker_hashes(text).is_empty() || !text.contains('<') {
    return None;
  }
  let conv = html::convert(text);
  let key = store_original(params, text)?;
  let header = Marker {
    omitted: text.len().saturating_sub(conv.stats.kept_bytes) as u64,
    total: text.len() as u64,
    unit: "bytes",
    breakdown: Some(&conv.stats.describe()),
    hash: &key,
  }
  .render();
  let mut strategy = STRATEGY_HTML;
  let mut body = conv.markdown;
  if count(&body) > HTML_EXTRACT_MIN_TOKENS {
    let target = default_target(params.mode);
    if let Some(ex) = extractive(&body, params.query, target, &mut || Some(key.clone())) {
      body = ex;
      strategy = STRATEGY_HTML_EXTRACTIVE;
    }
  }
  let mut out = header;
  if !body.is_empty() {
    out.push_str("\n\n");
    out.push_str(&body);
  }
  let after = count(&out);
  (after < count(text)).then(|| Compressed {
    text: out,
    strategy: strategy.to_string(),
    hashes: vec![key],
    o200k: Some(after),
  })
}
