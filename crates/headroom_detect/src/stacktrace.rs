//! Stack trace detection: Python tracebacks, JVM exceptions, JavaScript (V8) errors, Rust
//! panics and backtraces, Go panics and goroutine dumps.

use crate::sample::Sample;
use crate::types::{ContentType, Detection};

/// How a line relates to a stack trace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TraceLine {
  /// A header such as `Traceback (most recent call last):` or `goroutine 1 [running]:`.
  Header,
  /// A frame (`File "x", line 3`, `at a.b(C.java:1)`, `  3: core::panicking`, ...).
  Frame,
  /// An exception/message line or other trace furniture.
  Aux,
  /// Not part of a trace.
  Other,
}

/// Whether `s` looks like `pkg.Name(Error|Exception...)` optionally followed by `:`.
fn is_exception_line(s: &str) -> bool {
  let head = s.split([':', ' ']).next().unwrap_or("");
  if head.is_empty()
    || !head
      .bytes()
      .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'$'))
  {
    return false;
  }
  let name = head.rsplit('.').next().unwrap_or(head);
  [
    "Error",
    "Exception",
    "Exit",
    "Interrupt",
    "Throwable",
    "Failure",
    "Panic",
  ]
  .iter()
  .any(|suf| name.ends_with(suf))
    && (s.len() == head.len() || s[head.len()..].starts_with(':'))
}

/// Classifies one line.
pub(crate) fn classify(line: &str) -> TraceLine {
  let t = line.trim_start();
  let indented = t.len() < line.len();
  if t.is_empty() {
    return TraceLine::Other;
  }
  // Headers.
  if t.starts_with("Traceback (most recent call last)")
    || t.starts_with("stack backtrace:")
    || t.starts_with("Exception in thread ")
    || (t.starts_with("thread '") && t.contains(" panicked at "))
    || (t.starts_with("goroutine ") && t.ends_with("]:"))
    || t.starts_with("panic: ")
    || t.starts_with("Caused by: ")
  {
    return TraceLine::Header;
  }
  // Python frame.
  if t.starts_with("File \"") && t.contains("\", line ") {
    return TraceLine::Frame;
  }
  // JVM / V8 frames: `at ...`.
  if let Some(rest) = t.strip_prefix("at ")
    && indented
    && (rest.ends_with(')') || has_line_col(rest))
  {
    return TraceLine::Frame;
  }
  // Go location line: `\t/path/file.go:12 +0x1d`.
  if line.starts_with('\t') && (t.contains(".go:") || t.contains(".s:")) {
    return TraceLine::Frame;
  }
  // Rust backtrace frame: `  12: core::panicking::panic`.
  if indented {
    let digits = t.bytes().take_while(|c| c.is_ascii_digit()).count();
    if digits > 0 && t[digits..].starts_with(": ") {
      return TraceLine::Frame;
    }
  }
  if t.starts_with("... ") && t.ends_with(" more") {
    return TraceLine::Aux;
  }
  if t.starts_with("During handling of the above exception")
    || t.starts_with("The above exception was the direct cause")
    || t.starts_with("note: run with `RUST_BACKTRACE")
    || t.starts_with("note: Some details are omitted")
    || t.starts_with("created by ")
    || t.starts_with("[signal ")
    || t.starts_with("exit status ")
    || t.starts_with("Suppressed: ")
    || t.starts_with("Node.js v")
    || t.starts_with("called `")
    || (t.starts_with("node:") && has_line_col(t))
    || t.starts_with("[eval]")
    || t.starts_with("[recovered]")
    || t.bytes().all(|c| matches!(c, b'^' | b'~' | b' '))
  {
    return TraceLine::Aux;
  }
  if is_exception_line(t) {
    return TraceLine::Aux;
  }
  // Go function line preceding a location: `main.foo(0x1, 0x2)`, `panic({0x4a, 0x5})`.
  if !indented && t.ends_with(')') && t.contains('(') && !t.contains(' ') {
    return TraceLine::Aux;
  }
  TraceLine::Other
}

/// Whether `s` ends with `:line:col` or `:line`.
fn has_line_col(s: &str) -> bool {
  let mut parts = s.rsplitn(3, ':');
  let a = parts.next().unwrap_or("");
  let b = parts.next().unwrap_or("");
  !a.is_empty() && a.bytes().all(|c| c.is_ascii_digit()) && b.bytes().all(|c| c.is_ascii_digit())
}

/// Detects a stack trace.
pub(crate) fn detect(sample: &Sample<'_>) -> Option<Detection> {
  let mut headers = 0usize;
  let mut exceptions = 0usize;
  let mut frames = 0usize;
  let mut aux = 0usize;
  let mut total = 0usize;
  let mut prev_frame = false;
  let mut context = 0usize;
  for line in sample.nonblank() {
    total += 1;
    match classify(line) {
      TraceLine::Header => headers += 1,
      TraceLine::Frame => {
        frames += 1;
        prev_frame = true;
        continue;
      }
      TraceLine::Aux => {
        aux += 1;
        if !line.starts_with([' ', '\t']) && is_exception_line(line) {
          exceptions += 1;
        }
      }
      TraceLine::Other => {
        // Source line echoed under a Python frame, or a JS source excerpt.
        if prev_frame && line.starts_with("    ") {
          context += 1;
        }
      }
    }
    prev_frame = false;
  }
  let strong = headers > 0 || exceptions > 0;
  let good = headers + frames + aux + context;
  if total == 0 || good == 0 {
    return None;
  }
  let frac = good as f32 / total as f32;
  // A short panic message without frames (`thread 'main' panicked at ...`).
  let short_panic = headers > 0 && frames == 0 && total <= 6 && frac >= 0.5;
  if !(frames >= 2 || (strong && frames >= 1) || short_panic) {
    return None;
  }
  let min = if strong { 0.5 } else { 0.7 };
  if frac < min {
    return None;
  }
  Some(Detection::new(
    ContentType::StackTrace,
    0.5 + 0.4 * frac + if strong { 0.09 } else { 0.0 },
  ))
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn lines() {
    assert_eq!(
      classify("Traceback (most recent call last):"),
      TraceLine::Header
    );
    assert_eq!(
      classify("  File \"x.py\", line 3, in <module>"),
      TraceLine::Frame
    );
    assert_eq!(
      classify("\tat com.foo.Bar.baz(Bar.java:12)"),
      TraceLine::Frame
    );
    assert_eq!(
      classify("    at Object.<anonymous> (/tmp/a.js:1:7)"),
      TraceLine::Frame
    );
    assert_eq!(classify("    at node:internal/main:1:2"), TraceLine::Frame);
    assert_eq!(
      classify("   3: std::panicking::begin_panic"),
      TraceLine::Frame
    );
    assert_eq!(
      classify("\t/usr/lib/go/src/main.go:12 +0x1d"),
      TraceLine::Frame
    );
    assert_eq!(
      classify("java.lang.IllegalStateException: boom"),
      TraceLine::Aux
    );
    assert_eq!(classify("ValueError: bad"), TraceLine::Aux);
    assert_eq!(classify("the quick brown fox"), TraceLine::Other);
  }
}
