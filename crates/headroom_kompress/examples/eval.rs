//! Kompress pipeline figures on the SQuAD dev contexts with the generated tiny models.
//!
//! `cargo run -p headroom_kompress --release --example eval [-- --limit N --threads N]`
//!
//! The tiny model is an embedding lookup plus a linear layer: these figures measure the
//! pipeline (tokenizer, chunking, ONNX Runtime calls, selection, rendering), not a real
//! encoder (see docs/reference/performance-anchors.md §5 for BERT-class latencies). Answer
//! retention uses the question as the query; the tiny model knows nothing of meaning.

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use headroom_core::{Mode, Params};
use headroom_kompress::{KompressConfig, KompressOptions, KompressStats};
use headroom_tokens::{Encoding, tokenizer};

fn arg(name: &str) -> Option<usize> {
  let args: Vec<String> = std::env::args().collect();
  let i = args.iter().position(|a| a == name)?;
  args.get(i + 1)?.parse().ok()
}

fn main() {
  let Some(squad) = common::squad() else { return };
  let limit = arg("--limit").unwrap_or(usize::MAX);
  let threads = arg("--threads");
  let contexts: Vec<_> = squad.iter().take(limit).collect();
  let bytes: usize = contexts.iter().map(|(c, _)| c.len()).sum();
  let o200k = tokenizer(Encoding::O200kBase);
  let tokens_before: usize = contexts.iter().map(|(c, _)| o200k.count(c)).sum();
  println!(
    "SQuAD dev: {} contexts, {:.2} MB, {tokens_before} o200k tokens",
    contexts.len(),
    bytes as f64 / 1e6
  );
  println!(
    "\n| model | max_len | provider | contexts/s | model tokens/s | MB/s | tokenizer / inference share | \
     o200k saved | answers kept | checker |\n|---|---:|---|---:|---:|---:|---:|---:|---:|---|"
  );
  for (style, max_len) in [
    ("llmlingua2", 512),
    ("llmlingua2", 128),
    ("kompress_v2", 512),
  ] {
    let Some(dir) = common::make_model(style, max_len, &[]) else {
      return;
    };
    let Some(k) = common::load(&KompressConfig {
      threads,
      ..KompressConfig::new(dir)
    }) else {
      return;
    };
    let store = common::MemStore::default();
    let mut total = KompressStats::default();
    let mut tokens_after = 0usize;
    let (mut answers, mut kept_answers, mut failures) = (0usize, 0usize, 0usize);
    let mut elapsed = Duration::ZERO;
    for (ctx, qas) in &contexts {
      let (question, golds) = &qas[0];
      let params = Params::new(Mode::Balanced, &store).with_query(Some(question));
      let t = Instant::now();
      let (out, stats) = k
        .compress_with_stats(ctx, &params, &KompressOptions::default())
        .expect("compress");
      elapsed += t.elapsed();
      total.tokens += stats.tokens;
      total.chunks += stats.chunks;
      total.inference += stats.inference;
      total.tokenize += stats.tokenize;
      let text = out.as_ref().map_or(ctx.as_str(), |c| c.text.as_str());
      if out.is_some()
        && headroom_core::check::check_text(
          ctx,
          text,
          &|h| store.get(h),
          &headroom_core::check::TextCheck::new(headroom_core::check::Granularity::Words),
        )
        .is_err()
      {
        failures += 1;
      }
      tokens_after += o200k.count(text);
      answers += 1;
      if golds.iter().any(|g| text.contains(g.as_str())) {
        kept_answers += 1;
      }
    }
    let secs = elapsed.as_secs_f64();
    println!(
      "| tiny {style} | {max_len} | {} | {:.0} | {:.0} | {:.2} | {:.0}% / {:.0}% | {:.1}% | {:.1}% | {} |",
      k.provider(),
      contexts.len() as f64 / secs,
      total.tokens as f64 / secs,
      bytes as f64 / 1e6 / secs,
      100.0 * total.tokenize.as_secs_f64() / secs,
      100.0 * total.inference.as_secs_f64() / secs,
      100.0 * (1.0 - tokens_after as f64 / tokens_before as f64),
      100.0 * kept_answers as f64 / answers as f64,
      if failures == 0 {
        "all pass".to_string()
      } else {
        format!("{failures} FAILED")
      }
    );
  }
  // One long document (all contexts of the first articles joined), past many windows.
  let long: String = contexts
    .iter()
    .take(200)
    .map(|(c, _)| c.trim())
    .collect::<Vec<_>>()
    .join("\n\n");
  if let Some(dir) = common::make_model("llmlingua2", 512, &[])
    && let Some(k) = common::load(&KompressConfig {
      threads,
      ..KompressConfig::new(dir)
    })
  {
    let store = common::MemStore::default();
    let t = Instant::now();
    let (_, stats) = k
      .compress_with_stats(
        &long,
        &Params::new(Mode::Balanced, &store),
        &KompressOptions::default(),
      )
      .expect("compress");
    let secs = t.elapsed().as_secs_f64();
    println!(
      "\nOne {:.0} KB document: {} words, {} model tokens in {} chunks, {:.0} ms \
       ({:.0} tokens/s, {:.2} MB/s); ONNX Runtime {} from {}",
      long.len() as f64 / 1024.0,
      stats.words,
      stats.tokens,
      stats.chunks,
      secs * 1e3,
      stats.tokens as f64 / secs,
      long.len() as f64 / 1e6 / secs,
      k.runtime().version,
      k.runtime().library.display()
    );
  }
}
