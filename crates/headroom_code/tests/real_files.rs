//! Real source on this machine, per language: every output passes the zero-silent-loss
//! checker, parses cleanly whenever its input did (fresh parse, not the incremental one
//! compress uses), and comes out the same twice. Languages whose files are absent are
//! skipped with a note.

mod common;

use headroom_code::Outcome;
use headroom_core::Mode;

#[test]
fn real_files_per_language() {
  let mut checked = 0;
  for src in common::corpus::sources(12, 256 << 10) {
    if let Some(note) = &src.note {
      eprintln!("skipping {}: {note}", src.label);
      continue;
    }
    let (mut compressed, mut fallbacks) = (0, 0);
    for path in &src.files {
      let Ok(text) = std::fs::read_to_string(path) else {
        continue;
      };
      let clean = src
        .dialect
        .parse(&text)
        .is_some_and(|t| !t.root_node().has_error());
      for mode in [Mode::Balanced, Mode::Aggressive] {
        match common::run(&text, src.dialect, mode, None) {
          Outcome::Compressed(_) => compressed += 1,
          Outcome::Unchanged("reparse failed") => {
            fallbacks += 1;
            assert!(
              !clean,
              "safety net fired on a clean input: {}",
              path.display()
            );
          }
          Outcome::Unchanged(why) => assert_ne!(why, "parse budget", "{}", path.display()),
        }
      }
      checked += 1;
    }
    eprintln!(
      "{}: {} files, {compressed} outputs, {fallbacks} fallbacks",
      src.label,
      src.files.len()
    );
    assert!(compressed > 0, "{}: nothing compressed", src.label);
  }
  eprintln!("{checked} files checked");
}
