//! Dumps the query features ([`headroom_text::relevance`]) of every unit of every SQuAD v1.1
//! dev paragraph against each of its questions, for fitting the weights with
//! `examples/fit_weights.py`. One line per unit:
//! `question paragraph label feature...` (label 1 when the unit holds a gold answer).
//!
//! `cargo run -p headroom_text --release --example features > /tmp/features.txt`

#[path = "../tests/common/mod.rs"]
mod common;

use std::io::Write;

use headroom_text::{blocks, relevance, score};

fn main() {
  let Some(paras) = common::squad() else {
    eprintln!("SQuAD corpus absent (../shared/corpus/squad): nothing to dump");
    return;
  };
  let mut out = std::io::BufWriter::new(std::io::stdout().lock());
  let mut n = 0usize;
  for (pi, p) in paras.iter().enumerate() {
    let units = blocks::segment(&p.context);
    let mut vocab = score::Vocab::default();
    let docs: Vec<_> = units
      .iter()
      .map(|u| score::terms(&mut vocab, &p.context[u.range.clone()]))
      .collect();
    for (q, answers) in &p.qas {
      n += 1;
      let Some(feats) = relevance::features(&p.context, &units, &docs, &vocab, q) else {
        continue;
      };
      for (u, f) in units.iter().zip(&feats) {
        let t = &p.context[u.range.clone()];
        let label = answers.iter().any(|a| t.contains(a.as_str()));
        let fs: Vec<String> = f.iter().map(|x| format!("{x:.4}")).collect();
        writeln!(out, "{n} {pi} {} {}", u8::from(label), fs.join(" ")).unwrap();
      }
    }
  }
}
