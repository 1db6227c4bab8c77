//! Tokens per word, and chunks of at most the model's window.
//!
//! The text is tokenized once (in segments of at most [`SEGMENT_BYTES`], cut between
//! words), and every token is attached to the word its byte offsets fall in. Chunks are
//! then contiguous runs of tokens cut at sentence/line boundaries, each at most `budget`
//! tokens (the model's `max_len` less its special tokens); a sentence longer than that is
//! cut between words, and a single word longer than that is scored on its first `budget`
//! tokens. So every word that has tokens gets a score, however long the input (field
//! lesson C11: words past 512 tokens used to disappear).

use std::ops::Range;

use crate::words::{MAX_SCORED_WORD, Word};

/// Largest piece of text handed to the tokenizer at once (bounds its working memory).
pub const SEGMENT_BYTES: usize = 32 * 1024;

/// The tokens of a text, each attached to a word.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct TokenMap {
  /// Token ids, in text order.
  pub ids: Vec<i64>,
  /// For each word, its tokens' range in `ids` (empty: the word has no token).
  pub word_tokens: Vec<Range<usize>>,
}

/// The segments (word index ranges) to tokenize: consecutive words of at most
/// [`SEGMENT_BYTES`], never including a word over [`MAX_SCORED_WORD`] bytes.
pub fn segments(words: &[Word]) -> Vec<Range<usize>> {
  let mut out = Vec::new();
  let mut start: Option<usize> = None;
  for (i, w) in words.iter().enumerate() {
    if w.span.len() > MAX_SCORED_WORD {
      if let Some(s) = start.take() {
        out.push(s..i);
      }
      continue;
    }
    match start {
      Some(s) if w.span.end - words[s].span.start > SEGMENT_BYTES => {
        out.push(s..i);
        start = Some(i);
      }
      None => start = Some(i),
      _ => {}
    }
  }
  if let Some(s) = start {
    out.push(s..words.len());
  }
  out
}

/// Attaches the tokens of one segment (ids and byte offsets relative to `base`, the
/// segment's start in the text) to the segment's words, appending to `map`.
pub fn attach(
  map: &mut TokenMap,
  words: &[Word],
  seg: Range<usize>,
  base: usize,
  ids: &[u32],
  offsets: &[(usize, usize)],
) {
  let mut cursor = seg.start;
  for (&id, &(s, e)) in ids.iter().zip(offsets) {
    if e <= s {
      continue;
    }
    let (s, e) = (base + s, base + e);
    while cursor < seg.end && words[cursor].span.end <= s {
      cursor += 1;
    }
    if cursor >= seg.end || words[cursor].span.start >= e {
      continue;
    }
    let at = map.ids.len();
    map.ids.push(i64::from(id));
    let r = &mut map.word_tokens[cursor];
    if r.start == r.end {
      *r = at..at + 1;
    } else {
      r.end = at + 1;
    }
  }
}

/// Plans chunks: token ranges of at most `budget` tokens, cut at word boundaries,
/// preferably at sentence/line boundaries. Together they cover every token except the tail
/// of a word longer than `budget` tokens.
pub fn plan(words: &[Word], word_tokens: &[Range<usize>], budget: usize) -> Vec<Range<usize>> {
  let budget = budget.max(1);
  let mut chunks: Vec<Range<usize>> = Vec::new();
  let mut cur: Option<Range<usize>> = None;
  let mut sentence_start = 0;
  for i in 0..words.len() {
    if !words[i].boundary && i + 1 < words.len() {
      continue;
    }
    let sentence = sentence_start..i + 1;
    sentence_start = i + 1;
    let Some(toks) = token_span(&word_tokens[sentence.clone()]) else {
      continue;
    };
    let cur_len = cur.as_ref().map_or(0, |c| c.len());
    if cur_len + toks.len() <= budget {
      cur = Some(cur.map_or(toks.clone(), |c| c.start..toks.end));
      continue;
    }
    chunks.extend(cur.take());
    if toks.len() <= budget {
      cur = Some(toks);
      continue;
    }
    // A sentence longer than the window: cut between words.
    for r in word_tokens[sentence].iter().filter(|r| !r.is_empty()) {
      let cur_len = cur.as_ref().map_or(0, |c| c.len());
      if cur_len + r.len() <= budget {
        cur = Some(cur.map_or(r.clone(), |c| c.start..r.end));
      } else {
        chunks.extend(cur.take());
        if r.len() <= budget {
          cur = Some(r.clone());
        } else {
          chunks.push(r.start..r.start + budget);
        }
      }
    }
  }
  chunks.extend(cur);
  chunks
}

fn token_span(ranges: &[Range<usize>]) -> Option<Range<usize>> {
  let first = ranges.iter().find(|r| !r.is_empty())?;
  let last = ranges.iter().rev().find(|r| !r.is_empty())?;
  Some(first.start..last.end)
}

/// Each word's score: the mean of its scored tokens' values (`None` when it has none).
pub fn word_scores(word_tokens: &[Range<usize>], token_scores: &[f32]) -> Vec<Option<f32>> {
  word_tokens
    .iter()
    .map(|r| {
      let (sum, n) = token_scores[r.clone()]
        .iter()
        .filter(|v| v.is_finite())
        .fold((0.0f64, 0u32), |(s, n), &v| (s + f64::from(v), n + 1));
      (n > 0).then(|| (sum / f64::from(n)) as f32)
    })
    .collect()
}

#[cfg(test)]
mod tests {
  use super::*;
  use crate::words::split_words;

  /// One token per character of each word (a stand-in tokenizer).
  fn char_tokens(text: &str, words: &[Word]) -> TokenMap {
    let mut map = TokenMap {
      ids: Vec::new(),
      word_tokens: vec![0..0; words.len()],
    };
    for seg in segments(words) {
      let base = words[seg.start].span.start;
      let piece = &text[base..words[seg.end - 1].span.end];
      let offsets: Vec<(usize, usize)> = piece
        .char_indices()
        .filter(|(_, c)| !c.is_whitespace())
        .map(|(i, c)| (i, i + c.len_utf8()))
        .collect();
      let ids: Vec<u32> = (0..offsets.len() as u32).collect();
      attach(&mut map, words, seg, base, &ids, &offsets);
    }
    map
  }

  #[test]
  fn chunks_respect_the_budget_and_cover_every_word() {
    let text = "Aa bb. Cc dd ee ff gg hh ii jj.\nKk ll mm.";
    let words = split_words(text);
    let map = char_tokens(text, &words);
    for budget in [3, 5, 8, 100] {
      let chunks = plan(&words, &map.word_tokens, budget);
      assert!(chunks.iter().all(|c| c.len() <= budget && !c.is_empty()));
      // Contiguous and complete: every token is in exactly one chunk.
      let covered: Vec<usize> = chunks.iter().flat_map(|c| c.clone()).collect();
      assert_eq!(covered, (0..map.ids.len()).collect::<Vec<_>>(), "{budget}");
    }
    // With room for two sentences, the first chunk ends at a sentence end.
    let chunks = plan(&words, &map.word_tokens, 8);
    assert_eq!(chunks[0], 0..5);
  }

  #[test]
  fn a_giant_word_is_scored_on_its_first_tokens() {
    let text = "ab abcdefghij cd";
    let words = split_words(text);
    let map = char_tokens(text, &words);
    let chunks = plan(&words, &map.word_tokens, 4);
    assert_eq!(chunks, vec![0..2, 2..6, 12..14]);
    let mut scores = vec![f32::NAN; map.ids.len()];
    for c in &chunks {
      scores[c.clone()].iter_mut().for_each(|s| *s = 0.5);
    }
    assert!(
      word_scores(&map.word_tokens, &scores)
        .iter()
        .all(Option::is_some)
    );
  }

  #[test]
  fn overlong_words_are_not_tokenized() {
    let long = "x".repeat(MAX_SCORED_WORD + 1);
    let text = format!("a {long} b");
    let words = split_words(&text);
    assert_eq!(segments(&words), vec![0..1, 2..3]);
  }
}
