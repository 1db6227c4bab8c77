//! Diagnostic for the query scorer on SQuAD v1.1 dev: how often the best-scored sentence
//! (and the best two) holds a gold answer, answer retention and token ratio at 50% and 30%,
//! and the time spent in `compress_prose` (no checker, no tokenising outside it).
//!
//! `cargo run -p headroom_text --release --example rank`

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use headroom_core::{Mode, Params};
use headroom_text::{blocks, compress_prose, extract};

fn main() {
  let Some(paras) = common::squad() else {
    println!("SQuAD corpus absent (../shared/corpus/squad): nothing to evaluate");
    return;
  };
  let tok = headroom_tokens::tokenizer(headroom_tokens::Encoding::O200kBase);
  let (mut n, mut top1, mut top2) = (0usize, 0usize, 0usize);
  for p in &paras {
    let units = blocks::segment(&p.context);
    for (q, answers) in &p.qas {
      n += 1;
      let s = extract::scores(&p.context, &units, Some(q));
      let mut order: Vec<(f64, usize)> = s
        .iter()
        .enumerate()
        .map(|(i, s)| (s.unwrap_or(f64::INFINITY), i))
        .collect();
      order.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
      let has = |i: usize| {
        let t = &p.context[units[i].range.clone()];
        answers.iter().any(|a| t.contains(a.as_str()))
      };
      let h1 = order.first().is_some_and(|o| has(o.1));
      top1 += usize::from(h1);
      if !h1 && std::env::var_os("HR_SHOW").is_some() && n % 40 == 0 {
        let top = order[0].1;
        let good = (0..units.len()).find(|&i| has(i)).unwrap_or(0);
        println!(
          "Q: {q}\nA: {:?}\n  TOP({:.2}): {}\n  GOOD({:.2}): {}\n",
          answers[0],
          order[0].0,
          &p.context[units[top].range.clone()],
          s[good].unwrap_or(9.0),
          &p.context[units[good].range.clone()]
        );
      }
      top2 += usize::from(h1 || order.get(1).is_some_and(|o| has(o.1)));
    }
  }
  println!(
    "questions {n}: top-1 {:.1}%, top-2 {:.1}%",
    100.0 * top1 as f64 / n as f64,
    100.0 * top2 as f64 / n as f64
  );
  for target in [0.5f32, 0.3] {
    let store = common::MemStore::default();
    let (mut kept, mut tin, mut tout, mut bytes) = (0usize, 0usize, 0usize, 0usize);
    let mut elapsed = Duration::ZERO;
    for p in &paras {
      let cin = tok.count(&p.context);
      for (q, answers) in &p.qas {
        let params = Params::new(Mode::Balanced, &store).with_query(Some(q.as_str()));
        let t0 = Instant::now();
        let out = compress_prose(&p.context, &params, Some(target));
        elapsed += t0.elapsed();
        bytes += p.context.len();
        let text = out.as_ref().map_or(p.context.as_str(), |c| c.text.as_str());
        tin += cin;
        tout += tok.count(text);
        let visible = common::without_markers(text);
        kept += usize::from(answers.iter().any(|a| visible.contains(a.as_str())));
      }
    }
    println!(
      "{:.0}%: retained {:.1}%, token ratio {:.3}, {:.2} MB/s",
      target * 100.0,
      100.0 * kept as f64 / n as f64,
      tout as f64 / tin as f64,
      bytes as f64 / 1e6 / elapsed.as_secs_f64()
    );
  }
}
