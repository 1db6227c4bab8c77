//! SQuAD answer retention of the extractive compressor.
//!
//! For every question of the SQuAD v1.1 dev set, its paragraph is compressed with the
//! question as the query at a target share of the o200k tokens; the answer is retained when
//! at least one gold answer string appears verbatim in the output outside markers. Every
//! output also goes through the zero-silent-loss checker (spans).
//!
//! `cargo run -p headroom_text --release --example eval [-- LIMIT]`

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use headroom_core::{Mode, Params};
use headroom_text::compress_prose;

/// Every 5th question against a 40-paragraph document (paragraphs joined by blank lines): the
/// same task on documents of a few thousand tokens, where markers weigh little.
fn article_level(paras: &[common::Squad], target: f32) {
  let tok = headroom_tokens::tokenizer(headroom_tokens::Encoding::O200kBase);
  let store = common::MemStore::default();
  // Documents: fixed groups of 40 consecutive paragraphs (mostly one article each).
  let (mut n, mut kept, mut tin, mut tout, mut bytes) = (0usize, 0usize, 0usize, 0usize, 0usize);
  let mut elapsed = Duration::ZERO;
  for group in paras.chunks(40) {
    let doc: String = group
      .iter()
      .map(|p| p.context.as_str())
      .collect::<Vec<_>>()
      .join("\n\n");
    let doc_tokens = tok.count(&doc);
    for (q, answers) in group.iter().flat_map(|p| p.qas.iter()).step_by(5) {
      n += 1;
      let params = Params::new(Mode::Balanced, &store).with_query(Some(q.as_str()));
      let t0 = Instant::now();
      let out = compress_prose(&doc, &params, Some(target));
      elapsed += t0.elapsed();
      bytes += doc.len();
      let text = out.as_ref().map_or(doc.as_str(), |c| c.text.as_str());
      tin += doc_tokens;
      tout += tok.count(text);
      let visible = common::without_markers(text);
      kept += usize::from(answers.iter().any(|a| visible.contains(a.as_str())));
    }
  }
  println!(
    "{:<22} {:>9} {:>9.1}% {:>10.3} {:>12} {:>9.2}",
    format!("{:.0}% tokens, 40-para doc", target * 100.0),
    n,
    100.0 * kept as f64 / n as f64,
    tout as f64 / tin as f64,
    "",
    bytes as f64 / 1e6 / elapsed.as_secs_f64()
  );
}

fn main() {
  let limit: usize = std::env::args()
    .nth(1)
    .and_then(|a| a.parse().ok())
    .unwrap_or(usize::MAX);
  let Some(paras) = common::squad() else {
    println!("SQuAD corpus absent (../shared/corpus/squad): nothing to evaluate");
    return;
  };
  let tok = headroom_tokens::tokenizer(headroom_tokens::Encoding::O200kBase);
  println!("SQuAD v1.1 dev: {} paragraphs", paras.len());
  println!(
    "{:<22} {:>9} {:>10} {:>10} {:>12} {:>9}",
    "setting", "questions", "retained", "tok ratio", "compressed", "MB/s"
  );
  for (label, target, with_query) in [
    ("50% tokens, query", 0.5f32, true),
    ("30% tokens, query", 0.3, true),
    ("50% tokens, no query", 0.5, false),
  ] {
    let store = common::MemStore::default();
    let (mut n, mut kept, mut compressed) = (0usize, 0usize, 0usize);
    let (mut tin, mut tout) = (0usize, 0usize);
    let mut bytes = 0usize;
    let mut elapsed = Duration::ZERO;
    'outer: for p in &paras {
      for (q, answers) in &p.qas {
        if n >= limit {
          break 'outer;
        }
        n += 1;
        let params =
          Params::new(Mode::Balanced, &store).with_query(with_query.then_some(q.as_str()));
        let t0 = Instant::now();
        let out = compress_prose(&p.context, &params, Some(target));
        elapsed += t0.elapsed();
        bytes += p.context.len();
        let text = match &out {
          Some(c) => {
            compressed += 1;
            if let Err(e) = common::check_spans(&p.context, &c.text, &store) {
              panic!("checker failed: {e}\n{}", c.text);
            }
            c.text.as_str()
          }
          None => p.context.as_str(),
        };
        tin += tok.count(&p.context);
        tout += tok.count(text);
        let visible = common::without_markers(text);
        if answers.iter().any(|a| visible.contains(a.as_str())) {
          kept += 1;
        }
      }
    }
    println!(
      "{:<22} {:>9} {:>9.1}% {:>10.3} {:>11.1}% {:>9.2}",
      label,
      n,
      100.0 * kept as f64 / n as f64,
      tout as f64 / tin as f64,
      100.0 * compressed as f64 / n as f64,
      bytes as f64 / 1e6 / elapsed.as_secs_f64()
    );
  }
  if limit == usize::MAX {
    article_level(&paras, 0.5);
    article_level(&paras, 0.3);
  }
}
