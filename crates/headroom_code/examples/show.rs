//! Compresses files and prints the outcome (and with `show`, the output); `Q=...` sets a query.
//!
//! `cargo run -p headroom_code --release --example show -- python a.py,b.py show`
use headroom_code::{Dialect, Outcome};
use headroom_core::{Mode, OriginalStore, Params};
struct S;
impl OriginalStore for S {
  fn put(&self, o: &[u8]) -> headroom_core::Result<String> {
    Ok(headroom_core::hash::retrieve_key(o, 16))
  }
}
fn main() {
  let a: Vec<String> = std::env::args().collect();
  let d = Dialect::ALL
    .into_iter()
    .find(|d| d.as_str() == a[1])
    .unwrap();
  let show = a.get(3).is_some_and(|x| x == "show");
  for p in a[2].split(',') {
    let t = std::fs::read_to_string(p).unwrap();
    let tree = d.parse(&t).unwrap();
    let errs = if tree.root_node().has_error() {
      "ERR"
    } else {
      "ok"
    };
    let q = std::env::var("Q").ok();
    let s = S;
    let params = Params::new(Mode::Balanced, &s).with_query(q.as_deref());
    match headroom_code::compress_dialect_outcome(&t, d, &params) {
      Outcome::Compressed(c) => {
        println!("{p}: {errs} {} -> {} bytes", t.len(), c.text.len());
        if show {
          print!("{}", c.text);
        }
      }
      Outcome::Unchanged(w) => println!("{p}: {errs} {} unchanged: {w}", t.len()),
    }
  }
}
