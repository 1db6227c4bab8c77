//! Default bounds that keep work on hostile input finite.

/// Largest request body accepted by default (64 MiB; Anthropic's own limit is 32 MB).
pub const DEFAULT_MAX_INPUT_BYTES: usize = 64 * 1024 * 1024;

/// Deepest JSON nesting accepted by default. Real request bodies nest a dozen levels.
pub const DEFAULT_MAX_DEPTH: usize = 128;

/// Scans JSON text for nesting deeper than `limit` without parsing it (strings are skipped,
/// so brackets inside them do not count). Returns the byte offset where the limit is first
/// exceeded. One pass, no allocation, no recursion: safe on any input.
pub fn depth_exceeded_at(json: &[u8], limit: usize) -> Option<usize> {
  let mut depth = 0usize;
  let mut in_string = false;
  let mut escaped = false;
  for (i, &b) in json.iter().enumerate() {
    if in_string {
      if escaped {
        escaped = false;
      } else if b == b'\\' {
        escaped = true;
      } else if b == b'"' {
        in_string = false;
      }
      continue;
    }
    match b {
      b'"' => in_string = true,
      b'[' | b'{' => {
        depth += 1;
        if depth > limit {
          return Some(i);
        }
      }
      b']' | b'}' => depth = depth.saturating_sub(1),
      _ => {}
    }
  }
  None
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn depth_scan() {
    assert_eq!(depth_exceeded_at(b"[[[]]]", 3), None);
    assert_eq!(depth_exceeded_at(b"[[[[]]]]", 3), Some(3));
    assert_eq!(
      depth_exceeded_at(br#"["[[[[[", {"a":"]]]\"[[["}]"#, 2),
      None
    );
    let deep = "[".repeat(10_000) + &"]".repeat(10_000);
    assert_eq!(
      depth_exceeded_at(deep.as_bytes(), DEFAULT_MAX_DEPTH),
      Some(DEFAULT_MAX_DEPTH)
    );
  }
}
