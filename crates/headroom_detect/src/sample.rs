//! Bounded sampling of the input: every detector looks only at a [`Sample`], so the cost of
//! [`crate::detect`] is independent of the input size.

/// Bytes taken from the start of a large input.
pub(crate) const HEAD_BYTES: usize = 64 * 1024;
/// Bytes taken from the middle and from the end of a large input.
pub(crate) const SLICE_BYTES: usize = 16 * 1024;
/// Inputs up to this size are examined whole.
pub(crate) const WHOLE_LIMIT: usize = HEAD_BYTES + 2 * SLICE_BYTES;
/// At most this many lines are taken from the head; the middle and end slices contribute
/// at most a quarter of this each.
const MAX_HEAD_LINES: usize = 1200;

/// Up to three windows of the input, each cut on char boundaries and (where possible) on
/// line boundaries, plus the lines they contain.
pub(crate) struct Sample<'a> {
  /// The first window (the whole input when it is small).
  pub head: &'a str,
  /// Middle and end windows; empty for small inputs.
  pub rest: [&'a str; 2],
  /// Lines of all windows, `\r` stripped, in order (capped).
  pub lines: Vec<&'a str>,
  /// True when the input was larger than the sample.
  pub truncated: bool,
}

impl<'a> Sample<'a> {
  /// Samples `text`. O(sample size).
  pub fn new(text: &'a str) -> Sample<'a> {
    if text.len() <= WHOLE_LIMIT {
      let mut lines = Vec::new();
      push_lines(&mut lines, text, MAX_HEAD_LINES + MAX_HEAD_LINES / 2);
      return Sample {
        head: text,
        rest: ["", ""],
        lines,
        truncated: false,
      };
    }
    let head = cut_to_last_newline(&text[..floor_boundary(text, HEAD_BYTES)]);
    let mid_start = floor_boundary(text, text.len() / 2);
    let mid = window_after_newline(text, mid_start, SLICE_BYTES);
    let tail_start = floor_boundary(text, text.len() - SLICE_BYTES);
    let tail = window_after_newline(text, tail_start, SLICE_BYTES);
    let mut lines = Vec::new();
    push_lines(&mut lines, head, MAX_HEAD_LINES);
    push_lines(&mut lines, mid, MAX_HEAD_LINES / 4);
    push_lines(&mut lines, tail, MAX_HEAD_LINES / 4);
    Sample {
      head,
      rest: [mid, tail],
      lines,
      truncated: true,
    }
  }

  /// Non-blank lines of the sample.
  pub fn nonblank(&self) -> impl Iterator<Item = &'a str> + '_ {
    self.lines.iter().copied().filter(|l| !l.trim().is_empty())
  }

  /// Number of non-blank lines.
  pub fn nonblank_count(&self) -> usize {
    self.nonblank().count()
  }
}

/// Largest char boundary `<= idx`.
pub(crate) fn floor_boundary(s: &str, idx: usize) -> usize {
  if idx >= s.len() {
    return s.len();
  }
  let mut i = idx;
  while i > 0 && !s.is_char_boundary(i) {
    i -= 1;
  }
  i
}

/// Cuts `s` after its last `\n` when there is one in the second half.
fn cut_to_last_newline(s: &str) -> &str {
  match memchr::memrchr(b'\n', s.as_bytes()) {
    Some(p) if p >= s.len() / 2 => &s[..=p],
    _ => s,
  }
}

/// Up to `len` bytes of `text` starting just after the first newline at or after `start`
/// (within the window), cut to whole lines when possible.
fn window_after_newline(text: &str, start: usize, len: usize) -> &str {
  let end = floor_boundary(text, start.saturating_add(len));
  let win = &text[start..end];
  let begin = match memchr::memchr(b'\n', win.as_bytes()) {
    Some(p) if p < win.len() / 2 => start + p + 1,
    _ => start,
  };
  cut_to_last_newline(&text[begin..end])
}

/// Appends up to `max` lines of `s` (without `\n` / `\r\n`).
fn push_lines<'a>(out: &mut Vec<&'a str>, s: &'a str, max: usize) {
  for (i, line) in s.split('\n').enumerate() {
    if i >= max {
      break;
    }
    out.push(line.strip_suffix('\r').unwrap_or(line));
  }
  // A trailing newline produces one empty final piece; drop it.
  if s.ends_with('\n') && out.last() == Some(&"") {
    out.pop();
  }
}
