//! HTML / XML markup detection.

use crate::sample::Sample;
use crate::types::{ContentType, Detection};

/// Tag statistics over a text.
#[derive(Default)]
struct Tags {
  open: usize,
  close: usize,
  bytes_in_tags: usize,
}

/// Counts `<name ...>`, `</name>`, `<!...>` and `<?...?>` tags (bounded scan).
fn count_tags(s: &str) -> Tags {
  let b = s.as_bytes();
  let mut t = Tags::default();
  let mut i = 0;
  while let Some(p) = memchr::memchr(b'<', &b[i..]) {
    let start = i + p;
    let next = b.get(start + 1).copied().unwrap_or(b' ');
    let is_tag = next.is_ascii_alphabetic() || matches!(next, b'/' | b'!' | b'?');
    i = start + 1;
    if !is_tag {
      continue;
    }
    // Tag must close within a reasonable distance and before another '<'.
    let window = &b[start + 1..b.len().min(start + 2000)];
    let Some(end) = memchr::memchr(b'>', window) else {
      continue;
    };
    if memchr::memchr(b'<', &window[..end]).is_some() && next != b'!' {
      continue;
    }
    if next == b'/' {
      t.close += 1;
    } else {
      t.open += 1;
    }
    t.bytes_in_tags += end + 2;
    i = start + 1 + end + 1;
  }
  t
}

/// Detects HTML / XML.
pub(crate) fn detect(sample: &Sample<'_>) -> Option<Detection> {
  let head = sample
    .head
    .trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
  let lower: String = head
    .chars()
    .take(64)
    .collect::<String>()
    .to_ascii_lowercase();
  let strong = lower.starts_with("<!doctype")
    || lower.starts_with("<html")
    || lower.starts_with("<?xml")
    || lower.starts_with("<svg")
    || lower.starts_with("<!--");
  let tags = count_tags(sample.head);
  if tags.open + tags.close < 3 || (tags.close == 0 && !strong) {
    return None;
  }
  let density = tags.bytes_in_tags as f32 / sample.head.len().max(1) as f32;
  // Lines that contain at least one tag.
  let mut total = 0usize;
  let mut tagged = 0usize;
  for l in sample.nonblank() {
    total += 1;
    if l.contains("</") || l.contains("/>") || (l.contains('<') && l.contains('>')) {
      tagged += 1;
    }
  }
  let line_frac = tagged as f32 / total.max(1) as f32;
  let starts_with_tag = head.starts_with('<');
  let score = 0.4 * density.min(0.5) * 2.0
    + 0.3 * line_frac
    + if strong {
      0.3
    } else if starts_with_tag {
      0.15
    } else {
      0.0
    };
  let many_closes = tags.close >= 8 && line_frac >= 0.3;
  (score >= 0.45 || many_closes)
    .then(|| Detection::new(ContentType::Html, 0.3 + 0.7 * score.min(1.0)))
}
