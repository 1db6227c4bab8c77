//! Prints the confusion matrix of [`headroom_detect::detect`] on the labelled evaluation set.
//!
//! `cargo run -p headroom_detect --example confusion --release`
//!
//! `-- --dump FILE` also writes the labelled set as JSON Lines (`{"name","type","language","text"}`),
//! which `npm run bench` feeds through the JS binding to report accuracy and throughput.

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
  let args: Vec<String> = std::env::args().collect();
  if let Some(i) = args.iter().position(|a| a == "--dump") {
    let path = args.get(i + 1).expect("--dump needs a file path");
    let mut out = String::new();
    for s in &samples {
      let line = serde_json::json!({
        "name": s.name,
        "type": s.kind.as_str(),
        "language": s.lang.map(|l| l.as_str()),
        "text": s.text,
      });
      out.push_str(&line.to_string());
      out.push('\n');
    }
    std::fs::write(path, out).expect("write the dump");
    println!("wrote {} samples to {path}", samples.len());
  }
}
