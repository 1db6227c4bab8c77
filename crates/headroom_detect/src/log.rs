//! Log detection: application and system logs (timestamps, levels, syslog prefixes) and
//! build/test tool output (cargo, npm, pytest, make, compilers).

use crate::sample::Sample;
use crate::types::{ContentType, Detection};

/// Bytes at the start of a line searched for a timestamp or level.
const PREFIX: usize = 100;

const MONTHS: [&str; 12] = [
  "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

const LEVELS: [&str; 24] = [
  "INFO", "WARN", "WARNING", "ERROR", "DEBUG", "TRACE", "FATAL", "CRITICAL", "NOTICE", "SEVERE",
  "Info", "Warning", "Error", "Debug", "notice", "error", "warn", "info", "debug", "crit", "alert",
  "emerg", "VERBOSE", "Trace",
];

/// Prefixes of build / test / package-manager output lines (after trimming).
const BUILD_PREFIXES: [&str; 61] = [
  "cc ",
  "gcc ",
  "g++ ",
  "c++ ",
  "clang",
  "/usr/bin/ld",
  "collect2",
  "In file included",
  "=== RUN",
  "--- FAIL",
  "--- PASS",
  "--- SKIP",
  "FAIL",
  "PASS",
  "ok  ",
  "_ _ _",
  "SKIPPED ",
  "Compiling ",
  "Checking ",
  "Finished ",
  "Running ",
  "Downloaded ",
  "Downloading ",
  "Updating ",
  "Fresh ",
  "Documenting ",
  "Doc-tests ",
  "Locking ",
  "Adding ",
  "warning: ",
  "warning[",
  "error: ",
  "error[",
  "note: ",
  "help: ",
  "--> ",
  "= note",
  "= help",
  "test result: ",
  "running ",
  "failures:",
  "npm WARN",
  "npm ERR!",
  "npm warn",
  "npm error",
  "npm notice",
  "added ",
  "removed ",
  "up to date",
  "found 0 vulnerabilities",
  "audited ",
  "make[",
  "make: ",
  "collected ",
  "platform ",
  "rootdir: ",
  "cachedir: ",
  "plugins: ",
  "FAILED ",
  "PASSED ",
  "ERROR ",
];

/// Whether `s` has a timestamp-like token (date, time, syslog date, epoch seconds).
fn has_timestamp(s: &str) -> bool {
  let b = s.as_bytes();
  let n = b.len();
  let d = |i: usize| i < n && b[i].is_ascii_digit();
  for i in 0..n {
    if !b[i].is_ascii_digit() || (i > 0 && b[i - 1].is_ascii_digit()) {
      continue;
    }
    let run = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
    let j = i + run;
    // hh:mm:ss
    if (1..=2).contains(&run)
      && j + 5 < n + 1
      && j < n
      && b[j] == b':'
      && d(j + 1)
      && d(j + 2)
      && j + 3 < n
      && b[j + 3] == b':'
      && d(j + 4)
      && d(j + 5)
    {
      return true;
    }
    // yyyy-mm-dd, yyyy/mm/dd, yyyy.mm.dd, dd/mm/yy, mm-dd
    if (run == 4 || run == 2) && j < n && matches!(b[j], b'-' | b'/' | b'.') && d(j + 1) && d(j + 2)
    {
      let k = j + 3;
      if k < n && b[k] == b[j] && d(k + 1) && d(k + 2) {
        return true;
      }
      // Android "03-17 16:13:38": mm-dd followed by a space and a time.
      if run == 2 && k < n && b[k] == b' ' && d(k + 1) {
        return true;
      }
    }
    // Epoch seconds / packed dates: 10 digits starting with 1, or yymmdd hhmmss.
    if run == 10 && b[i] == b'1' {
      return true;
    }
    if run == 6
      && j < n
      && b[j] == b' '
      && b[j + 1..].iter().take_while(|c| c.is_ascii_digit()).count() == 6
    {
      return true;
    }
    if run == 8 && j < n && b[j] == b'-' && d(j + 1) {
      return true;
    }
  }
  // Syslog "Jun 14 15:16:01" / "Nov  9".
  has_syslog_date(s)
}

/// Whether the first occurrence of some month abbreviation in `s` is followed by spaces and
/// a digit. One pass over the bytes (a `str::find` per month costs a searcher set-up each,
/// on every sampled line).
fn has_syslog_date(s: &str) -> bool {
  let b = s.as_bytes();
  // Months whose first occurrence has been looked at.
  let mut seen = 0u16;
  for p in 0..b.len().saturating_sub(2) {
    if !matches!(b[p], b'J' | b'F' | b'M' | b'A' | b'S' | b'O' | b'N' | b'D') {
      continue;
    }
    let Some(k) = MONTHS.iter().position(|m| &b[p..p + 3] == m.as_bytes()) else {
      continue;
    };
    if seen & 1 << k != 0 {
      continue;
    }
    seen |= 1 << k;
    // `p + 3` follows three ASCII bytes: a char boundary.
    let r = s[p + 3..].trim_start_matches(' ');
    if r.len() < s.len() - p - 3 && r.bytes().next().is_some_and(|c| c.is_ascii_digit()) {
      return true;
    }
  }
  false
}

/// Whether `s` contains a standalone level word.
fn has_level(s: &str) -> bool {
  s.split(|c: char| !c.is_ascii_alphanumeric())
    .any(|w| LEVELS.contains(&w))
    || has_letter_level(s)
}

/// Android-style single-letter level after a numeric field: `1702  2395 D Tag: ...`.
fn has_letter_level(s: &str) -> bool {
  let b = s.as_bytes();
  (2..b.len().saturating_sub(1)).any(|i| {
    matches!(b[i], b'D' | b'I' | b'W' | b'E' | b'V' | b'F')
      && b[i - 1] == b' '
      && b[i + 1] == b' '
      && b[i - 2].is_ascii_digit()
  })
}

/// Whether `line` is a build / test tool line.
pub(crate) fn is_build_line(line: &str) -> bool {
  let t = line.trim_start();
  if BUILD_PREFIXES.iter().any(|p| t.starts_with(p)) {
    return true;
  }
  if t.starts_with("test ")
    && (t.ends_with(" ok") || t.ends_with("FAILED") || t.ends_with("ignored"))
  {
    return true;
  }
  if t.starts_with("> ") || (t.starts_with(">  ") && line.starts_with('>')) {
    return true;
  }
  // `file.py:12: Error` (pytest), `main.c: In function` (gcc).
  if let Some((path, rest)) = t.split_once(':')
    && crate::search::is_pathlike(path)
  {
    let digits = rest.bytes().take_while(|c| c.is_ascii_digit()).count();
    if (digits > 0 && rest[digits..].starts_with(':')) || rest.starts_with(" In function") {
      return true;
    }
  }
  // pytest separators and progress lines.
  if (t.starts_with("===") || t.starts_with("___") || t.starts_with("---")) && t.len() > 10 {
    return true;
  }
  if t.ends_with("%]") {
    return true;
  }
  // rustc / pytest source excerpts: `12 |     code`, `   |`, `E   assert`.
  let digits = t.bytes().take_while(|c| c.is_ascii_digit()).count();
  let after = t[digits..].trim_start();
  if (after.starts_with('|') && (digits > 0 || t.len() < line.len())) || t.starts_with("E  ") {
    return true;
  }
  false
}

/// Whether `line` is an `ls -l` style listing line (not a log despite the timestamp).
fn is_listing(line: &str) -> bool {
  let b = line.as_bytes();
  b.len() > 10
    && matches!(b[0], b'-' | b'd' | b'l' | b'c' | b'b' | b'p' | b's')
    && b[1..10]
      .iter()
      .all(|c| matches!(c, b'r' | b'w' | b'x' | b'-' | b's' | b'S' | b't' | b'T'))
}

/// Lines that only build / test tools print; two of them make a build log.
const STRONG_BUILD: [&str; 17] = [
  "Compiling ",
  "Finished ",
  "test result: ",
  "running ",
  "npm warn",
  "npm WARN",
  "npm ERR!",
  "npm error",
  "make: ",
  "make[",
  "collected ",
  "error[E",
  "warning: unused",
  "=== RUN",
  "--- FAIL",
  "short test summary",
  "Some errors have detailed",
];

/// Whether the sample contains at least two distinctive build/test-tool lines.
pub(crate) fn strong_build(sample: &Sample<'_>) -> bool {
  let mut n = 0;
  for l in sample.nonblank() {
    let t = l.trim_start_matches('=').trim_start();
    if STRONG_BUILD.iter().any(|p| t.starts_with(p)) || t.starts_with("test session starts") {
      n += 1;
      if n >= 2 {
        return true;
      }
    }
  }
  false
}

/// Per-line log evidence.
pub(crate) fn line_score(line: &str) -> f32 {
  if is_listing(line) {
    return 0.0;
  }
  let prefix = &line[..crate::sample::floor_boundary(line, PREFIX)];
  let ts = has_timestamp(prefix);
  let lvl = has_level(prefix);
  match (ts, lvl) {
    (true, true) => 1.0,
    (true, false) => 0.85,
    (false, true) => 0.5,
    (false, false) => {
      if is_build_line(line) {
        0.8
      } else {
        0.0
      }
    }
  }
}

/// Detects logs; returns the detection and the fraction of log-like lines.
pub(crate) fn detect(sample: &Sample<'_>) -> Option<Detection> {
  let mut total = 0usize;
  let mut sum = 0.0f32;
  let mut hits = 0usize;
  for line in sample.nonblank() {
    total += 1;
    let s = line_score(line);
    sum += s;
    if s > 0.0 {
      hits += 1;
    }
  }
  if total < 2 || hits < 2 {
    return None;
  }
  let mean = sum / total as f32;
  let frac = hits as f32 / total as f32;
  if frac < 0.4 {
    return None;
  }
  Some(Detection::new(
    ContentType::Log,
    0.3 + 0.69 * mean.min(1.0) * frac.sqrt(),
  ))
}

#[cfg(test)]
mod tests {
  use super::*;
  use proptest::prelude::*;

  /// The syslog-date rule as first written: each month's first occurrence, by `str::find`.
  fn syslog_date_by_find(s: &str) -> bool {
    MONTHS.iter().any(|m| {
      s.find(m).is_some_and(|p| {
        let r = s[p + 3..].trim_start_matches(' ');
        r.len() < s.len() - p - 3 && r.bytes().next().is_some_and(|c| c.is_ascii_digit())
      })
    })
  }

  proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]
    #[test]
    fn syslog_dates_are_found_as_by_find(s in "(Jan|Feb|Mar|Dec|Ja|Janitor|Mayday| |  |1|9|x|é|:){0,12}") {
      prop_assert_eq!(has_syslog_date(&s), syslog_date_by_find(&s));
    }
  }

  #[test]
  fn only_a_months_first_occurrence_counts() {
    assert!(has_syslog_date("Nov  9 12:00 host"));
    assert!(!has_syslog_date("Janitor Jan 5"));
    assert!(has_syslog_date("Janitor Feb 5"));
    assert!(!has_syslog_date("Dec"));
  }

  #[test]
  fn timestamps() {
    assert!(has_timestamp("2015-10-18 18:01:47,978 INFO"));
    assert!(has_timestamp("[Sun Dec 04 04:47:44 2005]"));
    assert!(has_timestamp("081109 203615 148 INFO"));
    assert!(has_timestamp("- 1117838570 2005.06.03 R02"));
    assert!(has_timestamp("20171223-22:15:29:606|Step"));
    assert!(has_timestamp("03-17 16:13:38.811  1702"));
    assert!(!has_timestamp("the quick brown fox"));
    assert!(!has_timestamp("x = foo(1, 2)"));
  }
}
