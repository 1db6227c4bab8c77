//! Which lines must be kept verbatim: severities, stack traces, query matches.

/// Whether a line reports a problem: a word such as `error`, `warning`, `fatal`, `panic`,
/// `exception`, `failed`, `alert`, `critical` (any case; also `...Error` and `...Exception`
/// class names), or a one-letter level `E`/`W`/`F` as one of the first tokens (Android
/// logcat, pytest's `E   assert ...`).
pub fn is_severe(line: &str) -> bool {
  for tok in line.split_whitespace().take(8) {
    if matches!(tok, "E" | "W" | "F" | "E/" | "W/" | "F/") {
      return true;
    }
  }
  line
    .split(|c: char| !c.is_ascii_alphanumeric())
    .filter(|w| w.len() >= 3)
    .any(is_severity_word)
}

fn is_severity_word(w: &str) -> bool {
  let b = w.as_bytes();
  let last = b[b.len() - 1];
  let first = b[0].to_ascii_lowercase();
  if b.len() > 9 && last != b'r' && last != b'n' {
    return false;
  }
  if !matches!(first, b'a' | b'c' | b'e' | b'f' | b'p' | b's' | b't' | b'w')
    && last != b'r'
    && last != b'n'
  {
    return false;
  }
  const WORDS: [&str; 25] = [
    "err",
    "error",
    "errors",
    "warn",
    "warning",
    "warnings",
    "fatal",
    "panic",
    "panics",
    "panicked",
    "exception",
    "failed",
    "fail",
    "fails",
    "failure",
    "failures",
    "alert",
    "critical",
    "crit",
    "severe",
    "emerg",
    "emergency",
    "traceback",
    "abort",
    "aborted",
  ];
  if WORDS.iter().any(|k| w.eq_ignore_ascii_case(k)) {
    return true;
  }
  // Class names: TypeError, IOException.
  let ends = |suffix: &str| {
    w.len() > suffix.len()
      && w.is_char_boundary(w.len() - suffix.len())
      && w[w.len() - suffix.len()..] == *suffix
      && w.as_bytes()[0].is_ascii_alphabetic()
  };
  ends("Error") || ends("Exception")
}

/// Marks the lines that belong to a multi-line stack trace: Python tracebacks, Java/JVM
/// `at ...` frames with their exception and `Caused by:` lines, JavaScript `    at ` frames,
/// Rust panics with their message, notes and backtrace, Go `panic:` and goroutine dumps.
/// `lines` are the normalised line contents.
pub fn trace_lines(lines: &[&str]) -> Vec<bool> {
  let n = lines.len();
  let mut out = vec![false; n];
  let mut i = 0;
  while i < n {
    let l = lines[i];
    let t = l.trim_start();
    if l.starts_with("Traceback (most recent call last)") {
      // Python: indented frames until the first unindented line (the exception), inclusive.
      let mut j = i + 1;
      while j < n {
        let lj = lines[j];
        let cont = lj.starts_with([' ', '\t'])
          || lj.starts_with("Traceback (")
          || lj.starts_with("During handling")
          || lj.starts_with("The above exception")
          || lj.trim().is_empty() && j + 1 < n && lines[j + 1].starts_with([' ', 'T', 'D']);
        if !cont {
          break;
        }
        j += 1;
      }
      let end = j.min(n - 1);
      out[i..=end].iter_mut().for_each(|x| *x = true);
      i = end + 1;
      continue;
    }
    if is_frame(l) {
      // JVM / JS: the exception line before the first frame, then frames and causes.
      let start = if i > 0 && !lines[i - 1].trim().is_empty() && !out[i - 1] {
        i - 1
      } else {
        i
      };
      let mut j = i;
      while j < n && (is_frame(lines[j]) || is_cause(lines[j])) {
        j += 1;
      }
      out[start..j].iter_mut().for_each(|x| *x = true);
      i = j;
      continue;
    }
    if t.contains("panicked at ") || l.starts_with("panic: ") || is_goroutine_header(l) {
      // Rust / Go: the panic line, its message, then notes and backtrace frames.
      let mut j = i + 1;
      if j < n && !is_goroutine_header(l) {
        j += 1; // the panic message line (Rust puts it on the next line)
      }
      while j < n {
        let lj = lines[j];
        let tj = lj.trim_start();
        let cont = lj.starts_with([' ', '\t'])
          || tj.starts_with("note:")
          || tj.starts_with("stack backtrace:")
          || tj.starts_with("[signal ")
          || is_goroutine_header(lj)
          || tj.starts_with("created by ")
          || (lj.ends_with(')') && lj.contains('(') && !lj.contains(' '))
          || (lj.trim().is_empty()
            && j + 1 < n
            && (is_goroutine_header(lines[j + 1]) || lines[j + 1].starts_with("exit status")));
        if !cont {
          if tj.starts_with("exit status") {
            j += 1;
          }
          break;
        }
        j += 1;
      }
      let end = j.min(n);
      out[i..end].iter_mut().for_each(|x| *x = true);
      i = end.max(i + 1);
      continue;
    }
    i += 1;
  }
  out
}

fn is_frame(l: &str) -> bool {
  let t = l.trim_start();
  l.len() > t.len()
    && (t.starts_with("at ") && t.len() > 3
      || t.starts_with("... ") && t.ends_with(" more")
      || t.starts_with("... ") && t.contains("frames"))
}

fn is_cause(l: &str) -> bool {
  let t = l.trim_start();
  t.starts_with("Caused by:") || t.starts_with("Suppressed:")
}

fn is_goroutine_header(l: &str) -> bool {
  l.strip_prefix("goroutine ").is_some_and(|r| {
    r.split(' ')
      .next()
      .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
      && r.ends_with("]:")
  })
}

/// Query terms: lowercase alphanumeric words (with `_ . - / :` inside) of 3+ characters,
/// minus a few English stop words.
pub fn query_terms(query: &str) -> Vec<String> {
  headroom_core::query::terms(Some(query))
}

/// Whether the line contains one of the (lowercase) terms, case-insensitively.
pub fn matches_query(line: &str, terms: &[String]) -> bool {
  if terms.is_empty() {
    return false;
  }
  let lower = line.to_lowercase();
  terms.iter().any(|t| lower.contains(t.as_str()))
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn severities() {
    for l in [
      "2024 ERROR db down",
      "warning: unused variable",
      "RAS KERNEL FATAL data TLB error interrupt",
      "TypeError: x is undefined",
      "java.io.IOException: closed",
      "03-17 16:13:38.811  1702  2395 E ActivityManager: boom",
      "E       assert 1 == 2",
      "FAILED tests/test_x.py::test_y",
    ] {
      assert!(is_severe(l), "{l}");
    }
    for l in [
      "Connected to 10.0.0.1",
      "stderr redirected",
      "mirror updated",
      "terrorist",
    ] {
      assert!(!is_severe(l), "{l}");
    }
  }

  #[test]
  fn python_traceback_is_one_block() {
    let lines = [
      "start",
      "Traceback (most recent call last):",
      "  File \"x.py\", line 1, in <module>",
      "    f()",
      "ValueError: bad",
      "after",
    ];
    assert_eq!(trace_lines(&lines), [false, true, true, true, true, false]);
  }

  #[test]
  fn java_and_js_frames_take_their_exception_line() {
    let lines = [
      "INFO ok",
      "java.lang.IllegalStateException: boom",
      "\tat a.B.c(B.java:10)",
      "\tat a.B.d(B.java:20)",
      "Caused by: java.io.IOException: closed",
      "\t... 3 more",
      "INFO next",
    ];
    assert_eq!(
      trace_lines(&lines),
      [false, true, true, true, true, true, false]
    );
  }

  #[test]
  fn rust_panic_and_go_goroutines() {
    let lines = [
      "running",
      "thread 'main' panicked at src/main.rs:2:5:",
      "boom",
      "note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace",
      "done",
    ];
    assert_eq!(trace_lines(&lines), [false, true, true, true, false]);
    let go = [
      "panic: runtime error: index out of range",
      "",
      "goroutine 1 [running]:",
      "main.main()",
      "\t/tmp/x.go:5 +0x1d",
      "exit status 2",
      "next",
    ];
    assert_eq!(
      trace_lines(&go),
      [true, true, true, true, true, true, false]
    );
  }

  #[test]
  fn query_terms_and_matching() {
    let t = query_terms("Why did the nova-api fail on /v2/servers?");
    assert!(t.contains(&"nova-api".to_string()));
    assert!(matches_query("GET /v2/servers/detail", &t));
    assert!(!matches_query("nothing here", &t));
  }
}
