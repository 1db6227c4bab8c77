//! Byte-range splicing: the output is the input with some JSON string literals replaced.
//! Every byte outside the replaced ranges is copied verbatim.

use std::ops::Range;

/// One replacement: the byte range of a JSON value in the input, and its new JSON text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
  /// Byte range in the input.
  pub range: Range<usize>,
  /// Replacement JSON text.
  pub json: String,
}

/// Applies `edits` (non-overlapping, any order) to `input`.
pub fn splice(input: &[u8], edits: &mut [Edit]) -> Vec<u8> {
  edits.sort_by_key(|e| e.range.start);
  let delta: isize = edits
    .iter()
    .map(|e| e.json.len() as isize - e.range.len() as isize)
    .sum();
  let mut out = Vec::with_capacity((input.len() as isize + delta).max(0) as usize);
  let mut at = 0;
  for e in edits.iter() {
    assert!(
      e.range.start >= at && e.range.end <= input.len(),
      "overlapping or out-of-range edit"
    );
    out.extend_from_slice(&input[at..e.range.start]);
    out.extend_from_slice(e.json.as_bytes());
    at = e.range.end;
  }
  out.extend_from_slice(&input[at..]);
  out
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn splices_in_order_and_copies_the_rest() {
    let input = br#"{"a":"xx","b":"yyyy"}"#;
    let mut edits = vec![
      Edit {
        range: 14..20,
        json: "\"y\"".into(),
      },
      Edit {
        range: 5..9,
        json: "\"x\"".into(),
      },
    ];
    assert_eq!(splice(input, &mut edits), br#"{"a":"x","b":"y"}"#.to_vec());
  }

  #[test]
  fn no_edits_is_identity() {
    let input = b"{\"k\": 1.0 }";
    assert_eq!(splice(input, &mut []), input.to_vec());
  }
}
