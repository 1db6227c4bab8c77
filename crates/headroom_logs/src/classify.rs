//! Which lines must be kept verbatim: severities, stack traces, query matches.

/// How a line reports a problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
  /// No severity word at all.
  None,
  /// A severity word only in the message text (`Failed password for ...`, `authentication
  /// failure`, `parity error corrected`): the event may be routine, and a template that
  /// repeats it many times collapses like any other (a few examples stay verbatim).
  Soft,
  /// An explicit severity: a level field (`ERROR`, `[error]`, `level=warn`, `E/Tag:`,
  /// `warning:`), an exception class, a panic or a traceback. Kept verbatim in balanced mode.
  Explicit,
}

/// Whitespace tokens that make up a log line's header (timestamp, host, process, component,
/// level): an explicit level field sits among them.
const HEADER_TOKENS: usize = 12;

/// Classifies a line (see [`Severity`]):
///
/// - **Explicit**: a level word (`error`, `err`, `fatal`, `severe`, `critical`, `crit`,
///   `warn`, `warning`, `emerg`, `emergency`, `alert`, `panic`) among the first
///   12 whitespace tokens, written as a level: all capitals (`ERROR`, `KERNEL
///   FATAL`), or any case next to field punctuation (`[error]`, `<warn>`, `error:`,
///   `Warning:`, `error[E0308]:`, `level=error`, `error :`); an uppercase status word (`FAIL`,
///   `FAILED`, `FAILURE`, `ABORTED`) there too; a one-letter level `E`/`W`/`F` as one of the
///   first 8 tokens (Android logcat, pytest's `E   assert ...`); anywhere in the line, an
///   exception or error class name (`IOException`, `TypeError`), `panic`, `panicked`,
///   `Traceback`.
/// - **Soft**: any other severity word anywhere (`error`, `failed`, `failure`, `fatal`,
///   `exception`, `abort`...; any case).
pub fn severity(line: &str) -> Severity {
  // The header tokens, split once for both looks at them.
  let mut head = [""; HEADER_TOKENS];
  let mut k = 0;
  for tok in crate::words::split_whitespace(line).take(HEADER_TOKENS) {
    head[k] = tok;
    k += 1;
  }
  let head = &head[..k];
  for tok in head.iter().take(8) {
    if matches!(*tok, "E" | "W" | "F" | "E/" | "W/" | "F/") {
      return Severity::Explicit;
    }
    // Logcat brief format, `E/Tag(123): ...`: a level, `/`, and a tag ending in `:`.
    let b = tok.as_bytes();
    if b.len() >= 3 && matches!(b[0], b'E' | b'W' | b'F') && b[1] == b'/' && b[b.len() - 1] == b':'
    {
      return Severity::Explicit;
    }
  }
  if header_level(head) == Some(true) {
    return Severity::Explicit;
  }
  let mut soft = false;
  for w in crate::words::ascii_alphanumeric_runs(line).filter(|w| w.len() >= 3) {
    if is_explicit_anywhere(w) {
      return Severity::Explicit;
    }
    soft = soft || is_severity_word(w);
  }
  if soft { Severity::Soft } else { Severity::None }
}

/// Whether a line reports a problem at all ([`severity`] is soft or explicit).
pub fn is_severe(line: &str) -> bool {
  severity(line) != Severity::None
}

const LEVELS: [&str; 12] = [
  "error",
  "err",
  "fatal",
  "severe",
  "critical",
  "crit",
  "warn",
  "warning",
  "emerg",
  "emergency",
  "alert",
  "panic",
];

/// Status words that count as a level when shouted (test runners, BGL's `mount FAILED`).
const STATUS: [&str; 4] = ["FAIL", "FAILED", "FAILURE", "ABORTED"];

/// Level words that say the line is routine: a line whose level field reads `INFO` is not
/// explicitly severe whatever its message says (`INFO instruction cache parity error
/// corrected`, `Info CBS Warning: Unrecognized attribute`).
const ROUTINE: [&str; 5] = ["info", "debug", "trace", "notice", "verbose"];

/// The line's level field, the first level word written as a level in the header tokens
/// `head` (the line's first [`HEADER_TOKENS`]; see [`severity`]): `Some(true)` for a severe
/// level, `Some(false)` for a routine one ([`ROUTINE`], also when merely capitalised:
/// `Info`), `None` when there is none.
fn header_level(head: &[&str]) -> Option<bool> {
  for (k, tok) in head.iter().enumerate() {
    let next_is_colon = head.get(k + 1) == Some(&":");
    let b = tok.as_bytes();
    let mut start = 0;
    while start < b.len() {
      if !b[start].is_ascii_alphabetic() {
        start += 1;
        continue;
      }
      let mut end = start;
      while end < b.len() && b[end].is_ascii_alphanumeric() {
        end += 1;
      }
      let w = &tok[start..end];
      if (3..=9).contains(&w.len()) {
        let before = start.checked_sub(1).map(|k| b[k]);
        let after = b.get(end).copied();
        let upper = w.bytes().all(|c| c.is_ascii_uppercase());
        let level = LEVELS.iter().any(|l| w.eq_ignore_ascii_case(l));
        let punct = matches!(before, Some(b'[' | b'<' | b'=' | b'|'))
          || matches!(after, Some(b']' | b'>' | b':' | b'|' | b'['))
          || (after.is_none() && next_is_colon);
        if level && (upper || punct) || upper && STATUS.contains(&w) {
          return Some(true);
        }
        let capital =
          w.as_bytes()[0].is_ascii_uppercase() && w.bytes().skip(1).all(|c| c.is_ascii_lowercase());
        if (upper || punct || capital) && ROUTINE.iter().any(|l| w.eq_ignore_ascii_case(l)) {
          return Some(false);
        }
      }
      start = end;
    }
  }
  None
}

/// Words explicit wherever they appear: exception and error class names, panics,
/// tracebacks.
fn is_explicit_anywhere(w: &str) -> bool {
  // Lengths and last letters first: most words are none of these.
  if matches!(w.len(), 5 | 8 | 9)
    && ["panic", "panicked", "Traceback"]
      .iter()
      .any(|k| w.eq_ignore_ascii_case(k))
  {
    return true;
  }
  if !w.ends_with(['r', 'n']) {
    return false;
  }
  // Class names: TypeError, IOException.
  let ends = |suffix: &str| {
    w.len() > suffix.len()
      && w.ends_with(suffix)
      && w.as_bytes()[0].is_ascii_alphabetic()
      && w.as_bytes()[w.len() - suffix.len() - 1].is_ascii_alphanumeric()
  };
  ends("Error") || ends("Exception")
}

/// A severity word in any case (the soft set; also what makes a header token a level).
fn is_severity_word(w: &str) -> bool {
  let b = w.as_bytes();
  if b.len() > 9 {
    return false;
  }
  if !matches!(
    b[0].to_ascii_lowercase(),
    b'a' | b'c' | b'e' | b'f' | b'p' | b's' | b't' | b'w'
  ) {
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
  WORDS.iter().any(|k| w.eq_ignore_ascii_case(k))
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
  fn explicit_levels_and_soft_words() {
    use Severity::{Explicit, None, Soft};
    for (l, want) in [
      // Level fields, in the header.
      (
        "2015-07-29 17:41:44,747 - WARN  [QuorumPeer] - Send worker leaving",
        Explicit,
      ),
      (
        "[Sun Dec 04 04:47:44 2005] [error] mod_jk child workerEnv in error state 6",
        Explicit,
      ),
      (
        "- 1117 2005.06.11 R30-M0 2005-06-11 R30-M0 RAS KERNEL FATAL data TLB error",
        Explicit,
      ),
      (
        "Dec 10 09:32:20 LabSZ sshd[24680]: error: Received disconnect from 1.2.3.4",
        Explicit,
      ),
      ("error[E0308]: mismatched types", Explicit),
      ("src/a.c:3:5: warning: unused variable 'x'", Explicit),
      ("ts=1 level=error msg=\"db down\"", Explicit),
      ("ERROR:root:cannot connect", Explicit),
      (
        "[07.27 10:05:06] QQ.exe - host:80 error : Could not connect",
        Explicit,
      ),
      ("--- FAIL: TestParse (0.00s)", Explicit),
      ("E/AndroidRuntime(123): FATAL EXCEPTION: main", Explicit),
      // Anywhere: exceptions, panics.
      (
        "2024 INFO handler raised java.io.IOException: closed",
        Explicit,
      ),
      ("kernel: panic in module foo", Explicit),
      // Severity words in the message only.
      (
        "Dec 10 06:55:46 LabSZ sshd[24200]: pam_unix(sshd:auth): authentication failure; uid=0",
        Soft,
      ),
      (
        "Dec 10 06:55:48 LabSZ sshd[24200]: Failed password for invalid user x from 1.2.3.4",
        Soft,
      ),
      (
        "- 1117 2005.06.03 R02 2005-06-03 R02 RAS KERNEL INFO instruction cache parity error corrected",
        Soft,
      ),
      (
        "2016-09-28 04:30:31, Info  CBS  Warning: Unrecognized packageExtended attribute.",
        Soft,
      ),
      (
        "Jul  8 host secd[276]:  sync with device failure: Error Domain=com.apple.security",
        Soft,
      ),
      (
        "the connection was aborted by peer after a long and tedious exchange of words",
        Soft,
      ),
      ("Connected to 10.0.0.1 port 22", None),
      ("INFO all good", None),
    ] {
      assert_eq!(severity(l), want, "{l}");
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
