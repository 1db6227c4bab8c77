//! One line per eval-corpus file and setting (balanced, aggressive, balanced with a query):
//! the strategy and a content hash of the output, or why the file was left alone. Run it
//! before and after a change that must not change outputs (a speed-up, a refactor) and
//! compare: `cargo run --release -p headroom_code --example digest [-- FILES_PER_LANG] >
//! after.txt && diff before.txt after.txt`.

#[path = "../tests/common/corpus.rs"]
mod corpus;

use headroom_code::Outcome;
use headroom_core::store::MemoryStore;
use headroom_core::{Mode, Params};

fn main() {
  let per_lang: usize = std::env::args()
    .nth(1)
    .and_then(|a| a.parse().ok())
    .unwrap_or(300);
  let settings = [
    (Mode::Balanced, None),
    (Mode::Aggressive, None),
    (Mode::Balanced, Some("parse Store main get")),
  ];
  for src in corpus::sources(per_lang, 4 << 20) {
    if let Some(note) = &src.note {
      eprintln!("{}: skipped: {note}", src.label);
      continue;
    }
    for path in &src.files {
      let Ok(text) = std::fs::read_to_string(path) else {
        continue;
      };
      for (mode, query) in settings {
        let store = MemoryStore::new();
        let mut params = Params::new(mode, &store);
        params.query = query;
        let out = match headroom_code::compress_dialect_outcome(&text, src.dialect, &params) {
          Outcome::Compressed(c) => format!(
            "{} {}",
            c.strategy,
            headroom_core::hash::content_hash(c.text.as_bytes())
          ),
          Outcome::Unchanged(why) => why.to_string(),
        };
        println!(
          "{} {} {:?} {out}",
          path.display(),
          mode.as_str(),
          query.unwrap_or("")
        );
      }
    }
  }
}
