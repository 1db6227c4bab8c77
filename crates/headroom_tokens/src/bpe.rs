//! Byte-pair merging with tiktoken's exact semantics.
//!
//! A piece that is not a single token is split by repeatedly merging the adjacent pair of
//! parts whose concatenation has the lowest rank; ties go to the leftmost pair. Two
//! implementations with identical results:
//!
//! - [`merge_small`]: tiktoken's vector scan, `O(n·m)`; fastest for short pieces;
//! - [`merge_large`]: a linked list plus a binary heap of candidate pairs with lazy
//!   invalidation, `O(n log n)`; used from [`LARGE_PIECE`] bytes up, so adversarial input
//!   (one megabyte of `a`, which the pre-tokenizer leaves as one piece) stays fast.

use crate::ranks::{Rank, Ranks};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Pieces of at least this many bytes use the heap-based merge.
pub(crate) const LARGE_PIECE: usize = 128;

/// Writes the start offsets of the final tokens of `piece` (len >= 2), followed by
/// `piece.len()`, into `out` (cleared first).
pub(crate) fn boundaries(ranks: &Ranks, piece: &[u8], out: &mut Vec<usize>) {
  out.clear();
  if piece.len() < LARGE_PIECE {
    merge_small(ranks, piece, out);
  } else {
    merge_large(ranks, piece, out);
  }
}

/// Number of tokens of `piece` (any length >= 1), without allocating for short pieces.
pub(crate) fn count(ranks: &Ranks, piece: &[u8]) -> usize {
  if piece.len() < 2 {
    return piece.len();
  }
  let mut out = Vec::new();
  boundaries(ranks, piece, &mut out);
  out.len() - 1
}

/// tiktoken's `_byte_pair_merge`, writing boundaries.
fn merge_small(ranks: &Ranks, piece: &[u8], out: &mut Vec<usize>) {
  debug_assert!(piece.len() >= 2);
  // (start, rank of the pair starting here)
  let mut parts: Vec<(usize, Rank)> = Vec::with_capacity(piece.len() + 1);
  let mut min_rank: (Rank, usize) = (Rank::MAX, usize::MAX);
  for i in 0..piece.len() - 1 {
    let rank = ranks.rank(&piece[i..i + 2]);
    if rank < min_rank.0 {
      min_rank = (rank, i);
    }
    parts.push((i, rank));
  }
  parts.push((piece.len() - 1, Rank::MAX));
  parts.push((piece.len(), Rank::MAX));

  let get_rank = |parts: &Vec<(usize, Rank)>, i: usize| -> Rank {
    if i + 3 < parts.len() {
      ranks.rank(&piece[parts[i].0..parts[i + 3].0])
    } else {
      Rank::MAX
    }
  };

  while min_rank.0 != Rank::MAX {
    let i = min_rank.1;
    if i > 0 {
      parts[i - 1].1 = get_rank(&parts, i - 1);
    }
    parts[i].1 = get_rank(&parts, i);
    parts.remove(i + 1);

    min_rank = (Rank::MAX, usize::MAX);
    for (i, &(_, rank)) in parts[..parts.len() - 1].iter().enumerate() {
      if rank < min_rank.0 {
        min_rank = (rank, i);
      }
    }
  }
  out.extend(parts.iter().map(|p| p.0));
}

/// Heap-based merge; same result as [`merge_small`] in `O(n log n)`.
///
/// Memory is about 21 bytes per input byte (three `u32` arrays plus heap entries).
fn merge_large(ranks: &Ranks, piece: &[u8], out: &mut Vec<usize>) {
  let n = piece.len();
  if n >= u32::MAX as usize {
    // Unreachable from JS (V8 strings are far shorter). Stay panic-free: merge 1 GiB blocks
    // independently (exact within each block).
    let mut base = 0;
    for block in piece.chunks(1 << 30) {
      let mut tmp = Vec::new();
      boundaries(ranks, block, &mut tmp);
      out.extend(tmp[..tmp.len() - 1].iter().map(|&b| b + base));
      base += block.len();
    }
    out.push(n);
    return;
  }
  const DEAD: u32 = u32::MAX;
  // next[i]: start of the part after the part starting at i (n for the last one).
  let mut next: Vec<u32> = (1..=n as u32).collect();
  let mut prev: Vec<u32> = (0..n as u32).map(|i| i.saturating_sub(1)).collect();
  // pair[i]: rank of part(i) ++ part(next[i]); Rank::MAX if none; DEAD marks merged-away.
  let mut pair: Vec<Rank> = vec![Rank::MAX; n];
  let mut heap: BinaryHeap<Reverse<u64>> = BinaryHeap::with_capacity(n);
  for i in 0..n - 1 {
    let r = ranks.rank(&piece[i..i + 2]);
    pair[i] = r;
    if r != Rank::MAX {
      heap.push(Reverse((u64::from(r) << 32) | i as u64));
    }
  }
  // The alive flag lives in `prev` (DEAD) so `pair` can hold any rank.
  let end_of = |next: &Vec<u32>, j: u32| -> usize {
    if (j as usize) < n {
      next[j as usize] as usize
    } else {
      n
    }
  };
  while let Some(Reverse(key)) = heap.pop() {
    let rank = (key >> 32) as Rank;
    let i = (key & 0xffff_ffff) as usize;
    if prev[i] == DEAD || pair[i] != rank {
      continue; // stale
    }
    // Merge part(i) with part(j).
    let j = next[i] as usize;
    let after = end_of(&next, j as u32);
    next[i] = after as u32;
    prev[j] = DEAD;
    if after < n {
      prev[after] = i as u32;
    }
    // New pair starting at i.
    pair[i] = if after < n {
      ranks.rank(&piece[i..end_of(&next, after as u32)])
    } else {
      Rank::MAX
    };
    if pair[i] != Rank::MAX {
      heap.push(Reverse((u64::from(pair[i]) << 32) | i as u64));
    }
    // Pair ending at i changes too.
    if i > 0 {
      let p = prev[i] as usize;
      pair[p] = ranks.rank(&piece[p..after]);
      if pair[p] != Rank::MAX {
        heap.push(Reverse((u64::from(pair[p]) << 32) | p as u64));
      }
    }
  }
  let mut i = 0usize;
  while i < n {
    out.push(i);
    i = next[i] as usize;
  }
  out.push(n);
}

#[cfg(test)]
mod tests {
  use super::*;
  use crate::{Encoding, tokenizer};

  #[test]
  fn small_and_large_agree() {
    let ranks = tokenizer(Encoding::O200kBase).ranks();
    let samples: Vec<Vec<u8>> = vec![
      b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".to_vec(),
      b"antidisestablishmentarianism".to_vec(),
      b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".to_vec(),
      "\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}\u{200D}\u{1F466}ab"
        .as_bytes()
        .to_vec(),
      b"xy".to_vec(),
      b"QmFzZTY0IGVuY29kZWQgYmxvYiBvZiByYW5kb20gZGF0YQ==".to_vec(),
    ];
    for s in samples {
      let mut a = Vec::new();
      let mut b = Vec::new();
      merge_small(ranks, &s, &mut a);
      merge_large(ranks, &s, &mut b);
      assert_eq!(a, b, "{:?}", String::from_utf8_lossy(&s));
    }
  }
}
