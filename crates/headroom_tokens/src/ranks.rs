//! Embedded BPE rank tables: parsing and lookup.
//!
//! The `.tiktoken` files (OpenAI, MIT; see `data/NOTICE.md`) are embedded with
//! `include_str!` and parsed once, lazily, on first use of an encoding. Lookup structures:
//!
//! - tokens of at most 7 bytes: a custom open-addressing (linear probing) table of 16-byte
//!   slots keyed by the bytes packed little-endian with the length in the top byte (one
//!   multiply to hash, one cache line per lookup, unlike `hashbrown`'s separate control
//!   bytes). Tokens are inserted in rank order, so frequent (low-rank) tokens sit in their
//!   home slot and their cache lines stay hot;
//! - longer tokens: `FxHashMap<Box<[u8]>, u32>`;
//! - decoding: all token bytes in one arena, indexed by rank.

use rustc_hash::FxHashMap;

/// Token ranks, as in tiktoken.
pub(crate) type Rank = u32;

/// The rank tables of one encoding.
pub(crate) struct Ranks {
  short: ShortTable,
  long: FxHashMap<Box<[u8]>, Rank>,
  /// `arena[offsets[r]..offsets[r + 1]]` are the bytes of rank `r`.
  arena: Vec<u8>,
  offsets: Vec<u32>,
  /// Special tokens (decode only).
  special: Vec<(Rank, &'static str)>,
}

/// Packs a piece of at most 7 bytes into a `u64` key (bytes little-endian, length on top).
#[inline(always)]
pub(crate) fn short_key(piece: &[u8]) -> u64 {
  debug_assert!(piece.len() <= 7);
  let mut buf = [0u8; 8];
  buf[..piece.len()].copy_from_slice(piece);
  buf[7] = piece.len() as u8;
  u64::from_le_bytes(buf)
}

/// One slot of [`ShortTable`]; `key == 0` means empty (real keys have a non-zero length byte).
#[derive(Clone, Copy)]
#[repr(C)]
struct Slot {
  key: u64,
  rank: Rank,
}

/// Open-addressing hash table from packed short keys to ranks.
struct ShortTable {
  slots: Vec<Slot>,
  shift: u32,
  mask: usize,
  len: usize,
}

impl ShortTable {
  fn with_capacity(n: usize) -> ShortTable {
    // Load factor <= 0.5 keeps probe sequences short.
    let size = (n.max(8) * 2).next_power_of_two();
    let bits = size.trailing_zeros();
    ShortTable {
      slots: vec![Slot { key: 0, rank: 0 }; size],
      shift: 64 - bits,
      mask: size - 1,
      len: 0,
    }
  }

  #[inline(always)]
  fn home(&self, key: u64) -> usize {
    (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> self.shift) as usize
  }

  fn insert(&mut self, key: u64, rank: Rank) {
    let mut i = self.home(key);
    loop {
      let slot = &mut self.slots[i];
      if slot.key == 0 {
        *slot = Slot { key, rank };
        self.len += 1;
        return;
      }
      if slot.key == key {
        return; // keep the first (lowest) rank
      }
      i = (i + 1) & self.mask;
    }
  }

  #[inline(always)]
  fn get(&self, key: u64) -> Option<Rank> {
    let mut i = self.home(key);
    loop {
      // `i` is always masked into range, so the bounds check never fails.
      let slot = self.slots[i];
      if slot.key == key {
        return Some(slot.rank);
      }
      if slot.key == 0 {
        return None;
      }
      i = (i + 1) & self.mask;
    }
  }
}

const fn b64_value(c: u8) -> u8 {
  match c {
    b'A'..=b'Z' => c - b'A',
    b'a'..=b'z' => c - b'a' + 26,
    b'0'..=b'9' => c - b'0' + 52,
    b'+' => 62,
    b'/' => 63,
    _ => 255,
  }
}

/// Decodes standard base64 (with optional `=` padding) into `out`. Returns false on bad input.
fn b64_decode(s: &[u8], out: &mut Vec<u8>) -> bool {
  let mut acc: u32 = 0;
  let mut bits = 0u32;
  for &c in s {
    if c == b'=' {
      break;
    }
    let v = b64_value(c);
    if v == 255 {
      return false;
    }
    acc = (acc << 6) | u32::from(v);
    bits += 6;
    if bits >= 8 {
      bits -= 8;
      out.push((acc >> bits) as u8);
      acc &= (1 << bits) - 1;
    }
  }
  true
}

impl Ranks {
  /// Parses a `.tiktoken` file (`<base64> <rank>` per line).
  ///
  /// # Panics
  /// Panics if the embedded file is malformed; the files are fixed at compile time and covered
  /// by tests, so this cannot happen at run time.
  pub(crate) fn parse(file: &str, special: Vec<(Rank, &'static str)>) -> Ranks {
    let lines = file.lines().count();
    let mut entries: Vec<(Rank, u32, u32)> = Vec::with_capacity(lines);
    let mut scratch = Vec::with_capacity(file.len());
    for line in file.lines() {
      if line.is_empty() {
        continue;
      }
      let (b64, rank) = line.split_once(' ').expect("rank line has a space");
      let rank: Rank = rank.parse().expect("rank is a number");
      let start = scratch.len() as u32;
      assert!(b64_decode(b64.as_bytes(), &mut scratch), "valid base64");
      entries.push((rank, start, scratch.len() as u32));
    }
    let max_rank = entries.iter().map(|e| e.0).max().unwrap_or(0) as usize;
    let mut by_rank: Vec<Option<(u32, u32)>> = vec![None; max_rank + 1];
    let mut short = ShortTable::with_capacity(entries.len());
    let mut long = FxHashMap::default();
    // Insert in rank order: low ranks (frequent tokens) get their home slots.
    entries.sort_unstable_by_key(|e| e.0);
    for &(rank, s, e) in &entries {
      let bytes = &scratch[s as usize..e as usize];
      if bytes.len() <= 7 {
        short.insert(short_key(bytes), rank);
      } else {
        long.insert(bytes.to_vec().into_boxed_slice(), rank);
      }
      by_rank[rank as usize] = Some((s, e));
    }
    let mut arena = Vec::with_capacity(scratch.len());
    let mut offsets = Vec::with_capacity(max_rank + 2);
    offsets.push(0u32);
    for slot in &by_rank {
      if let Some((s, e)) = *slot {
        arena.extend_from_slice(&scratch[s as usize..e as usize]);
      }
      offsets.push(arena.len() as u32);
    }
    Ranks {
      short,
      long,
      arena,
      offsets,
      special,
    }
  }

  /// Number of ordinary (non-special) tokens.
  pub(crate) fn len(&self) -> usize {
    self.short.len + self.long.len()
  }

  /// The rank of `piece` if it is a single token.
  #[inline(always)]
  pub(crate) fn get(&self, piece: &[u8]) -> Option<Rank> {
    if piece.len() <= 7 {
      self.short.get(short_key(piece))
    } else {
      self.long.get(piece).copied()
    }
  }

  /// The rank of `b[start..end]` if it is a single token. Same as `get(&b[start..end])`, but
  /// builds short keys with one unaligned load when 8 bytes are readable.
  #[inline(always)]
  pub(crate) fn get_at(&self, b: &[u8], start: usize, end: usize) -> Option<Rank> {
    let len = end - start;
    if len <= 7 {
      let key = match b.get(start..start + 8) {
        Some(w) => {
          let mut a = [0u8; 8];
          a.copy_from_slice(w);
          let v = u64::from_le_bytes(a);
          (v & ((1u64 << (8 * len)) - 1)) | ((len as u64) << 56)
        }
        None => short_key(&b[start..end]),
      };
      self.short.get(key)
    } else {
      self.long.get(&b[start..end]).copied()
    }
  }

  /// The rank of `piece`, `Rank::MAX` if it is not a token.
  #[inline(always)]
  pub(crate) fn rank(&self, piece: &[u8]) -> Rank {
    self.get(piece).unwrap_or(Rank::MAX)
  }

  /// Appends the bytes of token `rank` to `out`. Special tokens decode to their text; unknown
  /// ids decode to nothing.
  pub(crate) fn decode_into(&self, rank: Rank, out: &mut Vec<u8>) {
    let r = rank as usize;
    if r + 1 < self.offsets.len() {
      let (s, e) = (self.offsets[r] as usize, self.offsets[r + 1] as usize);
      if s < e {
        out.extend_from_slice(&self.arena[s..e]);
        return;
      }
    }
    if let Some((_, text)) = self.special.iter().find(|(id, _)| *id == rank) {
      out.extend_from_slice(text.as_bytes());
    }
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn no_token_is_longer_than_max_token_bytes() {
    for file in [
      include_str!("../data/o200k_base.tiktoken"),
      include_str!("../data/cl100k_base.tiktoken"),
    ] {
      let longest = file
        .lines()
        .filter_map(|l| l.split_once(' '))
        .map(|(b64, _)| {
          let mut out = Vec::new();
          assert!(b64_decode(b64.as_bytes(), &mut out));
          out.len()
        })
        .max();
      assert_eq!(longest, Some(crate::MAX_TOKEN_BYTES));
    }
  }

  #[test]
  fn base64_roundtrip() {
    let mut out = Vec::new();
    assert!(b64_decode(b"IGNvY29z", &mut out));
    assert_eq!(out, b" cocos");
    out.clear();
    assert!(b64_decode(b"LldhaXRGb3I=", &mut out));
    assert_eq!(out, b".WaitFor");
    out.clear();
    assert!(!b64_decode(b"a*b", &mut out));
  }

  #[test]
  fn get_at_equals_get() {
    let t = crate::tokenizer(crate::Encoding::O200kBase).ranks();
    let b = b" the quick brown fox, said\n\n HTTP 1234 \xc3\xa9 end";
    for s in 0..b.len() {
      for e in s + 1..=b.len().min(s + 12) {
        assert_eq!(t.get_at(b, s, e), t.get(&b[s..e]), "{s}..{e}");
      }
    }
  }

  #[test]
  fn short_keys_distinguish_trailing_zero_bytes() {
    assert_ne!(short_key(b"a"), short_key(b"a\0"));
    assert_ne!(short_key(b""), short_key(b"\0"));
  }
}
