//! Property tests: `detect` and `sections` never panic, and sections tile the input.

use headroom_detect::{detect, sections};
use proptest::prelude::*;

fn check(s: &str) {
  let d = detect(s);
  assert!((0.0..=1.0).contains(&d.confidence));
  let secs = sections(s);
  if s.is_empty() {
    assert!(secs.is_empty());
    return;
  }
  assert_eq!(secs.first().map(|x| x.start), Some(0));
  assert_eq!(secs.last().map(|x| x.end), Some(s.len()));
  for w in secs.windows(2) {
    assert_eq!(w[0].end, w[1].start);
  }
  for x in &secs {
    assert!(x.start < x.end);
    assert!(s.is_char_boundary(x.start) && s.is_char_boundary(x.end));
    assert!((0.0..=1.0).contains(&x.detection.confidence));
  }
}

proptest! {
  #![proptest_config(ProptestConfig::with_cases(512))]

  #[test]
  fn arbitrary_strings(s in any::<String>()) {
    check(&s);
  }

  #[test]
  fn structured_fragments(parts in proptest::collection::vec(prop_oneof![
    Just("```"), Just("```rust\n"), Just("{"), Just("}"), Just("["), Just("]"), Just("\""),
    Just("\n"), Just("\r\n"), Just("@@ -1,2 +1,3 @@\n"), Just("--- a/x\n"), Just("+++ b/x\n"),
    Just("src/a.rs:12:"), Just("|---|---|\n"), Just("| a | b |\n"), Just("<div>"), Just("</div>"),
    Just("2024-01-01 12:00:00 INFO "), Just("Traceback (most recent call last):\n"),
    Just("  File \"a.py\", line 1, in f\n"), Just("\tat a.B(C.java:1)\n"), Just("a,b,c\n"),
    Just("\t"), Just("é"), Just("日本"), Just("🦀"), Just("fn main() {"), Just("def f():\n"),
    Just("~~~\n"), Just("--\n"), Just(" "),
  ], 0..60)) {
    let s: String = parts.concat();
    check(&s);
  }
}

#[test]
fn huge_inputs_are_bounded() {
  // 100 MB log-ish input: detection must only sample.
  let line = "2024-01-01 12:00:00,123 INFO [main] org.example.Service: request handled in 12 ms\n";
  let big = line.repeat(100 * 1024 * 1024 / line.len());
  let t = std::time::Instant::now();
  let d = detect(&big);
  let el = t.elapsed();
  assert_eq!(d.kind, headroom_detect::ContentType::Log);
  assert!(el.as_millis() < 2000, "took {el:?}");
  let deep = "[".repeat(50_000) + &"]".repeat(50_000);
  assert_eq!(detect(&deep).kind, headroom_detect::ContentType::Json);
  let s = sections(&deep);
  assert_eq!(s.len(), 1);
}
