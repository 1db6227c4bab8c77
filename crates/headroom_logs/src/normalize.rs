//! Normalisation of terminal output: what the miner and the classifier look at.
//!
//! - ANSI escape sequences (CSI `ESC [ ... final`, OSC `ESC ] ... BEL|ESC \`, and two-byte
//!   `ESC x`) are removed.
//! - A carriage return inside a line (a progress bar or spinner redrawn in place) keeps
//!   only the final state: the text after the last `\r` that is followed by something.
//!
//! The compressor never writes a normalised line in place of an input line except for
//! ANSI stripping, which it announces with a marker (see [`crate::compress()`]).

use std::borrow::Cow;

/// Removes ANSI escape sequences.
pub fn strip_ansi(s: &str) -> Cow<'_, str> {
  if !s.contains('\u{1b}') {
    return Cow::Borrowed(s);
  }
  let mut out = String::with_capacity(s.len());
  let mut chars = s.chars().peekable();
  while let Some(c) = chars.next() {
    if c != '\u{1b}' {
      out.push(c);
      continue;
    }
    match chars.peek() {
      Some('[') => {
        chars.next();
        // Parameters and intermediates, then one final byte in @..~.
        for c in chars.by_ref() {
          if ('@'..='~').contains(&c) {
            break;
          }
        }
      }
      Some(']') => {
        chars.next();
        while let Some(c) = chars.next() {
          if c == '\u{7}' {
            break;
          }
          if c == '\u{1b}' && chars.peek() == Some(&'\\') {
            chars.next();
            break;
          }
        }
      }
      Some(_) => {
        chars.next();
      }
      None => {}
    }
  }
  Cow::Owned(out)
}

/// Whether the line content (without its terminator) redraws itself with `\r`.
pub fn is_progress(content: &str) -> bool {
  content.trim_end_matches('\r').contains('\r')
}

/// The final visible state of a line redrawn with `\r` (the whole line when it has none).
pub fn final_state(content: &str) -> &str {
  content
    .split('\r')
    .rev()
    .find(|seg| !seg.trim().is_empty())
    .unwrap_or("")
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn strips_colour_and_osc() {
    assert_eq!(strip_ansi("\u{1b}[1;31merror\u{1b}[0m: x"), "error: x");
    assert_eq!(
      strip_ansi("\u{1b}]8;;http://x\u{7}link\u{1b}]8;;\u{1b}\\"),
      "link"
    );
    assert_eq!(strip_ansi("plain"), "plain");
    assert_eq!(strip_ansi("\u{1b}"), "");
  }

  #[test]
  fn progress_keeps_the_final_state() {
    let l = "  10% [#   ]\r  50% [##  ]\r 100% [####]";
    assert!(is_progress(l));
    assert_eq!(final_state(l), " 100% [####]");
    assert!(!is_progress("plain\r"));
    assert_eq!(final_state("done\r   "), "done");
  }
}
