//! Accuracy on the labelled evaluation set (see `tests/labelled/mod.rs`).

#[path = "labelled/mod.rs"]
mod labelled;

#[test]
fn accuracy_at_least_95_percent() {
  let samples = labelled::load();
  let report = labelled::evaluate(&samples);
  println!("{}", report.per_type_table());
  println!("{}", report.confusion());
  for e in &report.errors {
    println!("MISS {e}");
  }
  if labelled::corpus_dir().exists() {
    assert!(samples.len() >= 300, "only {} samples", samples.len());
  }
  assert!(
    report.accuracy() >= 0.95,
    "accuracy {:.3}",
    report.accuracy()
  );
}
