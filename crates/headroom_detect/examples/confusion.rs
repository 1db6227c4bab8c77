//! Prints the confusion matrix of [`headroom_detect::detect`] on the labelled evaluation set.
//!
//! `cargo run -p headroom_detect --example confusion --release`

#[path = "../tests/labelled/mod.rs"]
mod labelled;

fn main() {
  let samples = labelled::load();
  let report = labelled::evaluate(&samples);
  println!("samples: {}\n", samples.len());
  println!("{}", report.confusion());
  println!("{}", report.per_type_table());
  for e in &report.errors {
    println!("MISS {e}");
  }
}
