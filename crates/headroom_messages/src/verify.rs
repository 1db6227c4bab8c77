//! One zero-silent-loss check for any compressed block, whatever compressor made it.
//!
//! [`verify`] dispatches on the strategy name a compressor reported:
//!
//! | strategy prefix | check |
//! |---|---|
//! | `json:` | [`headroom_json::checker::check`]: items, keys and strings covered |
//! | `log:` | by lines; a kept line may have had ANSI escapes stripped |
//! | `search:`, `code:` | [`check_text`] by lines |
//! | `diff:` | by lines; recomputed `@@` hunk headers are the only rewritten lines |
//! | `text:extractive` | by spans (kept sentences verbatim, in order) |
//! | `kompress:` | by words (a subsequence of the input's words) |
//! | `html:` | every marker fetches the input; every word of the output's text is in the input |
//! | `mixed(` | every marker fetches a section of the input |
//!
//! In every case, every marker's hash must fetch its original byte-exact.

use headroom_core::check::{Granularity, TextCheck, check_text};
use headroom_core::marker::find_markers;

/// What a passing check saw.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Verified {
  /// Markers checked.
  pub markers: usize,
  /// Omitted units per unit name.
  pub omitted: Vec<(String, u64)>,
}

/// Checks that `output` (made from `input` by `strategy`) lost nothing silently.
pub fn verify(
  input: &str,
  output: &str,
  strategy: &str,
  fetch: &dyn Fn(&str) -> Option<Vec<u8>>,
) -> Result<Verified, String> {
  let text = |granularity, synthetic: Option<&dyn Fn(&str) -> bool>, line_units: &[&str]| {
    check_text(
      input,
      output,
      fetch,
      &TextCheck {
        granularity,
        line_units,
        synthetic,
      },
    )
    .map(|r| Verified {
      markers: r.markers,
      omitted: r.omitted,
    })
    .map_err(|e| e.to_string())
  };
  let family = strategy.split([':', '(']).next().unwrap_or("");
  match family {
    "json" => headroom_json::checker::check(input, output, fetch)
      .map(|r| Verified {
        markers: r.markers,
        omitted: r.omitted.into_iter().map(|(u, n)| (u, n as u64)).collect(),
      })
      .map_err(|e| e.to_string()),
    "log" => {
      // Kept lines may have had ANSI escape sequences stripped (the output's first marker
      // says so): such a line is the stripped form of an input line that held one.
      let stripped: std::collections::HashSet<String> = input
        .lines()
        .filter(|l| l.contains('\x1b'))
        .map(|l| headroom_logs::normalize::strip_ansi(l.trim_end_matches('\r')).into_owned())
        .collect();
      let was_stripped = |line: &str| stripped.contains(line);
      text(Granularity::Lines, Some(&was_stripped), &["lines"])
    }
    "search" | "code" | "lines" | "view" => text(Granularity::Lines, None, &["lines", "matches"]),
    "diff" => text(
      Granularity::Lines,
      Some(&headroom_diff::is_hunk_header),
      &["lines"],
    ),
    "kompress" => text(Granularity::Words, None, &[]),
    "text" => text(Granularity::Spans, None, &[]),
    "html" => verify_sources(output, fetch, |original| original == input.as_bytes())
      .and_then(|v| html_words_in_input(input, output).map(|()| v)),
    "mixed" => verify_sources(output, fetch, |original| {
      std::str::from_utf8(original).is_ok_and(|o| input.contains(o))
    }),
    _ if output == input => Ok(Verified::default()),
    _ => Err(format!("unknown strategy {strategy:?}")),
  }
}

/// Every word of an HTML extraction's text (outside markers) is input text: a word of the
/// page, or a piece of its text with the tags taken out (`<em>o</em>utput` reads
/// `output`). Words with non-ASCII letters may come from decoded entities and are not
/// looked up.
fn html_words_in_input(input: &str, output: &str) -> Result<(), String> {
  let is_word = |c: char| c.is_alphanumeric();
  let words: std::collections::HashSet<&str> = input
    .split(|c: char| !is_word(c))
    .filter(|w| !w.is_empty())
    .collect();
  let mut untagged = String::with_capacity(input.len());
  let mut in_tag = false;
  for c in input.chars() {
    match c {
      '<' => in_tag = true,
      '>' if in_tag => in_tag = false,
      c if !in_tag => untagged.push(c),
      _ => {}
    }
  }
  let mut rest = output.to_string();
  for (range, _) in find_markers(output).into_iter().rev() {
    rest.replace_range(range, " ");
  }
  for w in rest.split(|c: char| !is_word(c)).filter(|w| !w.is_empty()) {
    if !words.contains(w) && !untagged.contains(w) && w.is_ascii() {
      return Err(format!("word {w:?} is not in the input"));
    }
  }
  Ok(())
}

fn verify_sources(
  output: &str,
  fetch: &dyn Fn(&str) -> Option<Vec<u8>>,
  ok: impl Fn(&[u8]) -> bool,
) -> Result<Verified, String> {
  let mut v = Verified::default();
  let mut omitted = std::collections::BTreeMap::<String, u64>::new();
  for (_, m) in find_markers(output) {
    match fetch(m.hash) {
      Some(original) if ok(&original) => {}
      Some(_) => {
        return Err(format!(
          "hash {} fetches bytes that are not the input",
          m.hash
        ));
      }
      None => return Err(format!("hash {} fetches nothing", m.hash)),
    }
    if m.omitted > m.total {
      return Err(format!("marker says {} of {} omitted", m.omitted, m.total));
    }
    v.markers += 1;
    *omitted.entry(m.unit.to_string()).or_default() += m.omitted;
  }
  v.omitted = omitted.into_iter().collect();
  Ok(v)
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn hunk_headers_are_the_diff_crate_s() {
    let ok = |l: &str| headroom_diff::is_hunk_header(l);
    assert!(ok("@@ -1,3 +1,4 @@ fn main()"));
    assert!(ok("@@ -1 +1 @@"));
    assert!(!ok("@@ -1,x +1 @@"));
    assert!(!ok(" @@ -1 +1 @@"));
  }

  #[test]
  fn unknown_strategies_only_pass_unchanged_text() {
    let none = |_: &str| None;
    assert!(verify("a", "a", "weird", &none).is_ok());
    assert!(verify("a", "b", "weird", &none).is_err());
  }

  #[test]
  fn json_strategies_use_the_json_checker() {
    let none = |_: &str| None;
    assert!(verify("[1, 2]", "[1,2]", "json:minify", &none).is_ok());
    assert!(verify("[1, 2]", "[1]", "json:minify", &none).is_err());
  }
}
