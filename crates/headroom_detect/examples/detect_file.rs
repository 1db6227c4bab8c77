//! Prints the detection and sections of files: `cargo run --example detect_file -- FILE...`

fn main() {
  for path in std::env::args().skip(1) {
    let bytes = std::fs::read(&path).unwrap_or_default();
    let text = String::from_utf8_lossy(&bytes);
    println!("{path}: {:?}", headroom_detect::detect(&text));
    for s in headroom_detect::sections(&text) {
      println!("  {}..{} {:?}", s.start, s.end, s.detection);
    }
  }
}
