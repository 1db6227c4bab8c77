//! From word scores to keep decisions, and from decisions to the output text.

use crate::words::Word;

/// LLMLingua-2 selection: keep every forced or unscored word, then the best-scoring other
/// words until `ceil(rate × words)` are kept (ties broken by position, so the choice is
/// deterministic). Kept words stay in input order.
pub fn by_rate(words: &[Word], scores: &[Option<f32>], rate: f32) -> Vec<bool> {
  let mut keep: Vec<bool> = words
    .iter()
    .zip(scores)
    .map(|(w, s)| w.forced || s.is_none())
    .collect();
  // Nudged down so that e.g. 0.6 (0.60000002 as f32) of 5 words is 3, not 4.
  let exact = f64::from(rate) * words.len() as f64;
  let target = ((exact - 1e-6).ceil().max(0.0) as usize).min(words.len());
  let already = keep.iter().filter(|k| **k).count();
  let mut ranked: Vec<(usize, f32)> = scores
    .iter()
    .enumerate()
    .filter(|(i, _)| !keep[*i])
    .filter_map(|(i, s)| s.map(|s| (i, s)))
    .collect();
  ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
  for (i, _) in ranked.into_iter().take(target.saturating_sub(already)) {
    keep[i] = true;
  }
  keep
}

/// Kompress-v2 selection: keep forced and unscored words and every word scoring above
/// `threshold`.
pub fn by_threshold(words: &[Word], scores: &[Option<f32>], threshold: f32) -> Vec<bool> {
  words
    .iter()
    .zip(scores)
    .map(|(w, s)| w.forced || s.is_none_or(|s| s > threshold))
    .collect()
}

/// Renders the kept words, in order, with the input's separators:
///
/// - between two words that were adjacent in the input, the original whitespace, verbatim;
/// - across dropped words: one line break if the gap had one, a blank line if it had a blank
///   line (paragraph break), else a single space; a kept word that starts its input line
///   keeps its indentation;
/// - the leading whitespace of the input when its first word is kept;
///
/// then the marker on its own line (and a final line break if the input ended with one).
pub fn render(text: &str, words: &[Word], keep: &[bool], marker: &str) -> String {
  let term = if text.contains("\r\n") { "\r\n" } else { "\n" };
  let mut out = String::with_capacity(text.len() / 2 + marker.len() + 4);
  let mut prev: Option<usize> = None;
  for (i, w) in words.iter().enumerate().filter(|(i, _)| keep[*i]) {
    match prev {
      None if i == 0 => out.push_str(&text[..w.span.start]),
      None => {}
      Some(p) if p + 1 == i => out.push_str(&text[words[p].span.end..w.span.start]),
      Some(p) => {
        let gap = &text[words[p].span.end..w.span.start];
        if let Some(last_nl) = gap.rfind('\n') {
          out.push_str(term);
          if has_blank_line(gap) {
            out.push_str(term);
          }
          // Indentation, when no dropped word sits between the last break and this word.
          let indent_from = words[p].span.end + last_nl + 1;
          if words[i - 1].span.end <= indent_from {
            out.push_str(&text[indent_from..w.span.start]);
          }
        } else {
          out.push(' ');
        }
      }
    }
    out.push_str(&text[w.span.clone()]);
    prev = Some(i);
  }
  if !out.is_empty() && !out.ends_with('\n') {
    out.push_str(term);
  }
  out.push_str(marker);
  if text.ends_with('\n') {
    out.push_str(term);
  }
  out
}

/// Whether `gap` holds a line with nothing but whitespace between two line breaks.
fn has_blank_line(gap: &str) -> bool {
  let mut lines = gap.split('\n');
  lines.next();
  let mut middle: Vec<&str> = lines.collect();
  middle.pop();
  middle.iter().any(|l| l.trim().is_empty())
}

#[cfg(test)]
mod tests {
  use super::*;
  use crate::words::split_words;

  #[test]
  fn rate_keeps_the_top_words_in_order() {
    let text = "a b c d e";
    let mut words = split_words(text);
    words[4].forced = true;
    let scores = [Some(0.9), Some(0.1), Some(0.8), Some(0.8), Some(0.0)];
    assert_eq!(
      by_rate(&words, &scores, 0.6),
      [true, false, true, false, true]
    );
    assert_eq!(
      by_rate(&words, &scores, 0.0),
      [false, false, false, false, true]
    );
    assert_eq!(by_rate(&words, &scores, 1.0), [true; 5]);
  }

  #[test]
  fn threshold_keeps_unscored_words() {
    let words = split_words("a b c");
    assert_eq!(
      by_threshold(&words, &[Some(0.6), Some(0.5), None], 0.5),
      [true, false, true]
    );
  }

  #[test]
  fn render_keeps_line_structure() {
    let text = "  Title here\n\n  para one drop\n    indented kept\nlast\n";
    let words = split_words(text);
    // Title here | para one drop | indented kept | last
    let keep = [true, false, true, false, false, true, true, true];
    let out = render(text, &words, &keep, "[M]");
    assert_eq!(out, "  Title\n\n  para\n    indented kept\nlast\n[M]\n");
    let crlf = "a b\r\nc d";
    let w = split_words(crlf);
    assert_eq!(
      render(crlf, &w, &[true, false, false, true], "[M]"),
      "a\r\nd\r\n[M]"
    );
    assert_eq!(
      render("a b", &split_words("a b"), &[false, false], "[M]"),
      "[M]"
    );
  }
}
