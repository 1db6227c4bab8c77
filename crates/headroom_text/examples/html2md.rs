//! Prints the markdown of an HTML file: `cargo run -p headroom_text --example html2md -- FILE`
fn main() {
  let path = std::env::args().nth(1).expect("usage: html2md FILE");
  let html = std::fs::read_to_string(path).expect("readable UTF-8 file");
  let c = headroom_text::html::convert(&html);
  println!(
    "{}\n---- {} of {} bytes kept: {}",
    c.markdown,
    c.stats.kept_bytes,
    html.len(),
    c.stats.describe()
  );
}
