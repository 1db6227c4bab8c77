//! # headroom_tokens
//!
//! Exact, fast token counting for OpenAI's `o200k_base` and `cl100k_base` encodings, plus a
//! model registry that maps model ids to an encoding (exact) or to an estimate (Claude,
//! Gemini).
//!
//! ## Design
//!
//! tiktoken encodes text in two steps: a backtracking regex splits the text into *pieces*,
//! and each piece is byte-pair encoded independently. This crate reproduces both steps
//! bit-exactly (`encode` equals tiktoken's `encode_ordinary`), but fast:
//!
//! 1. **Pre-tokenizer** ([`pretokenize`]): hand-written state machines reproduce the regex
//!    semantics, including its backtracking corner cases, in two tiers. A byte-table ASCII
//!    machine handles every piece that neither contains nor inspects a non-ASCII character;
//!    when one would, a Unicode machine recomputes that piece over all of Unicode. It
//!    classifies characters with a two-level table of the regexes' own classes (`\p{Lu}`..,
//!    `\p{M}`, `\p{N}`, `\s`, built once from `regex-syntax`, the class parser
//!    `fancy-regex` itself uses, so both agree by construction) and reproduces the
//!    alternation order and backtracking exactly, including o200k's overlapping upper/lower
//!    classes (`Lm`, `Lo`, `M` are in both, and a mark can also be the prefix) and the
//!    case-insensitive contractions (`'ſ` matches `'s`). The regex engine is never run while
//!    counting or encoding; it remains the reference the tests compare against.
//! 2. **Rank lookup** (`ranks`): most pieces are one token. Pieces of up to 7 bytes are
//!    looked up with a `u64` key (bytes + length, built with one unaligned load) in a
//!    cache-friendly open-addressing table; longer pieces in a byte-slice `FxHashMap`.
//! 3. **Byte-pair merge** (`bpe`): only for pieces that are not one token; tiktoken's
//!    `O(n·m)` scan for short pieces, a heap-based `O(n log n)` merge for long ones (so one
//!    megabyte of `a` is fast, never quadratic). Ties resolve leftmost-lowest-rank, exactly
//!    like tiktoken. [`Tokenizer::count`] keeps a small bounded per-thread cache of
//!    piece → token count for multi-token pieces.
//!
//! The rank files are embedded (`include_str!`, ~3.6 MB + ~1.7 MB) and parsed once, lazily,
//! on the first call to [`tokenizer`] for that encoding; nothing is ever downloaded. The
//! one-time init cost (base64-decoding and indexing every rank) was measured by
//! `examples/throughput.rs` (release build, a busy 2-core development VM): 60 to 105 ms for
//! o200k_base and 23 to 32 ms for cl100k_base. It is paid once per process per encoding,
//! on whichever thread first asks; concurrent first callers block on the same `OnceLock`.
//!
//! ## Performance
//!
//! Single-threaded `count` on the shared corpus cut into 4 KiB chunks (same VM, same run,
//! noisy because other builds were running): prose 110 to 150 MB/s, logs 230 to 290 MB/s,
//! CSV 250 to 285 MB/s, JSON 190 to 320 MB/s, for both encodings; tiktoken-rs
//! (`encode_ordinary`) measured 5 to 20 MB/s in the same runs. Non-ASCII text (the SQuAD
//! paragraphs as a JSON parser decodes them, with their names, dashes and curly quotes) no
//! longer goes through `fancy-regex`; see `examples/throughput.rs` for current numbers.
//!
//! Special-token strings such as `<|endoftext|>` are ordinary text here (tiktoken's
//! `encode_ordinary`). `decode` maps special-token ids back to their text.
//!
//! No function in this crate panics on any `&str` input.
//!
//! Lone UTF-16 surrogates cannot reach this crate: a Rust `&str` cannot hold them, and the JS
//! boundary converts them to U+FFFD.

mod bound;
mod bpe;
mod lazy;
pub mod pretokenize;
mod ranks;
pub mod registry;
mod unicode;

use ranks::{Rank, Ranks};
use rustc_hash::FxHashMap;
use std::cell::RefCell;
use std::sync::OnceLock;

pub use bound::lower_bound;
pub use lazy::LazyCount;
pub use registry::{Counting, ModelInfo, all, count_for_model, lookup};

/// A BPE encoding supported by this crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Encoding {
  /// `o200k_base`: GPT-4o, GPT-4.1, GPT-5, o-series, gpt-oss.
  O200kBase,
  /// `cl100k_base`: GPT-4, GPT-3.5-turbo, text-embedding-3.
  Cl100kBase,
}

impl Encoding {
  /// The tiktoken name: `"o200k_base"` or `"cl100k_base"`.
  pub fn as_str(self) -> &'static str {
    match self {
      Encoding::O200kBase => "o200k_base",
      Encoding::Cl100kBase => "cl100k_base",
    }
  }

  /// Parses a tiktoken encoding name (case-insensitive; `o200k`/`cl100k` also accepted).
  pub fn from_name(s: &str) -> Option<Self> {
    let s = s.trim();
    if s.eq_ignore_ascii_case("o200k_base") || s.eq_ignore_ascii_case("o200k") {
      Some(Encoding::O200kBase)
    } else if s.eq_ignore_ascii_case("cl100k_base") || s.eq_ignore_ascii_case("cl100k") {
      Some(Encoding::Cl100kBase)
    } else {
      None
    }
  }

  fn index(self) -> usize {
    match self {
      Encoding::O200kBase => 0,
      Encoding::Cl100kBase => 1,
    }
  }
}

/// An exact tokenizer for one [`Encoding`]. Obtain it with [`tokenizer`]; it is `Send + Sync`
/// and lives for the whole process.
pub struct Tokenizer {
  enc: Encoding,
  ranks: Ranks,
}

impl std::fmt::Debug for Tokenizer {
  fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
    f.debug_struct("Tokenizer")
      .field("encoding", &self.enc)
      .finish_non_exhaustive()
  }
}

/// Texts at least this long are counted on several threads by [`Tokenizer::count`].
pub const PARALLEL_MIN_BYTES: usize = 256 * 1024;

/// The longest token of either encoding, in bytes: a text of `n` bytes has at least
/// `n.div_ceil(MAX_TOKEN_BYTES)` tokens (checked against the rank files in the tests).
pub const MAX_TOKEN_BYTES: usize = 128;

/// Whether [`Tokenizer::count`] would use several threads for `text`: callers with other
/// work to do can instead count on one thread beside that work.
pub fn counts_in_parallel(text: &str) -> bool {
  text.len() >= PARALLEL_MIN_BYTES && parallelism() >= 2
}

/// Texts at least this long are counted on a second thread beside other work with them
/// ([`LazyCount::start`]): below it, starting a thread costs about as much as it hides.
pub const BESIDE_MIN_BYTES: usize = 32 * 1024;

/// Whether [`LazyCount::start`] counts `text` on a second thread.
pub fn counts_beside(text: &str) -> bool {
  text.len() >= BESIDE_MIN_BYTES && parallelism() >= 2
}

/// Parts a long text is counted in: the available cores, at most 8.
fn parallelism() -> usize {
  static N: OnceLock<usize> = OnceLock::new();
  *N.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get().min(8)))
}

/// Up to `parts - 1` byte offsets that cut `text` into roughly equal parts, each at a
/// boundary every tokenizer piece respects in both encodings: between an ASCII letter and
/// an ASCII byte that is neither a letter nor an apostrophe. An ASCII letter is only ever
/// matched by a letter piece (or cl100k's `'s`-style contraction piece), and such a piece
/// ends at the first character that is neither a letter, a mark nor part of a contraction;
/// matching from any position depends only on the text after it (the regexes look ahead,
/// never behind). So the pieces, and the count, of the parts add up to those of the whole.
/// Empty when no such boundary is found near the cut points.
pub fn split_points(text: &str, parts: usize) -> Vec<usize> {
  let b = text.as_bytes();
  let mut cuts = Vec::new();
  for k in 1..parts {
    let target = b.len() * k / parts;
    let from = target.max(cuts.last().map_or(1, |&c: &usize| c + 1)).max(1);
    let window = (from + 64 * 1024).min(b.len());
    let found = (from..window).find(|&i| {
      b[i - 1].is_ascii_alphabetic()
        && b[i].is_ascii()
        && !b[i].is_ascii_alphabetic()
        && b[i] != b'\''
    });
    if let Some(i) = found {
      cuts.push(i);
    }
  }
  cuts
}

static O200K: OnceLock<Tokenizer> = OnceLock::new();
static CL100K: OnceLock<Tokenizer> = OnceLock::new();

/// The process-wide tokenizer for `enc`, built on first use (thread-safe, built once).
pub fn tokenizer(enc: Encoding) -> &'static Tokenizer {
  match enc {
    Encoding::O200kBase => O200K.get_or_init(|| {
      Tokenizer::build(
        enc,
        include_str!("../data/o200k_base.tiktoken"),
        vec![(199_999, "<|endoftext|>"), (200_018, "<|endofprompt|>")],
      )
    }),
    Encoding::Cl100kBase => CL100K.get_or_init(|| {
      Tokenizer::build(
        enc,
        include_str!("../data/cl100k_base.tiktoken"),
        vec![
          (100_257, "<|endoftext|>"),
          (100_258, "<|fim_prefix|>"),
          (100_259, "<|fim_middle|>"),
          (100_260, "<|fim_suffix|>"),
          (100_276, "<|endofprompt|>"),
        ],
      )
    }),
  }
}

/// Pieces at most this long are cached (per thread) by [`Tokenizer::count`].
const CACHE_MAX_PIECE: usize = 64;
/// The per-thread cache is cleared when it holds this many entries per encoding.
const CACHE_MAX_ENTRIES: usize = 16 * 1024;

/// One thread's cache of multi-token piece counts, per encoding.
type CountCache = [FxHashMap<Box<[u8]>, u32>; 2];

thread_local! {
  static COUNT_CACHE: RefCell<CountCache> =
    RefCell::new([FxHashMap::default(), FxHashMap::default()]);
}

/// Caches handed back by short-lived counting threads (see [`with_warm_cache`]).
static SPARE_CACHES: CachePool = CachePool::new();

/// Runs `f` on this thread with a warm piece cache: one handed back by an earlier thread
/// that used this function, if any, which is handed back again afterwards.
///
/// A thread started for one count (the second thread of [`LazyCount::start`] and of
/// [`Tokenizer::count`]) would otherwise start with an empty cache and grow it in fresh
/// memory: on a 1 MB JSON array that cost about 0.7 ms of its 5.5.
pub(crate) fn with_warm_cache<R>(f: impl FnOnce() -> R) -> R {
  SPARE_CACHES.lend(f)
}

/// Piece caches that threads hand on to later threads.
struct CachePool(std::sync::Mutex<Vec<CountCache>>);

impl CachePool {
  /// At most this many spare caches are kept.
  const MAX_SPARE: usize = 8;

  const fn new() -> Self {
    CachePool(std::sync::Mutex::new(Vec::new()))
  }

  /// Runs `f` with a spare cache (if any) as this thread's cache, then hands the thread's
  /// cache back.
  fn lend<R>(&self, f: impl FnOnce() -> R) -> R {
    let spare = self.0.lock().unwrap_or_else(|e| e.into_inner()).pop();
    if let Some(cache) = spare {
      let _ = COUNT_CACHE.try_with(|c| {
        if let Ok(mut c) = c.try_borrow_mut() {
          *c = cache;
        }
      });
    }
    let out = f();
    let cache = COUNT_CACHE
      .try_with(|c| c.try_borrow_mut().ok().map(|mut c| std::mem::take(&mut *c)))
      .ok()
      .flatten();
    if let Some(cache) = cache {
      let mut spare = self.0.lock().unwrap_or_else(|e| e.into_inner());
      if spare.len() < Self::MAX_SPARE {
        spare.push(cache);
      }
    }
    out
  }
}

impl Tokenizer {
  fn build(enc: Encoding, file: &str, special: Vec<(Rank, &'static str)>) -> Tokenizer {
    // Build the pre-tokenizer's Unicode class table now (about a millisecond, shared by both
    // encodings) rather than on the first non-ASCII character.
    unicode::table();
    Tokenizer {
      enc,
      ranks: Ranks::parse(file, special),
    }
  }

  #[cfg(test)]
  pub(crate) fn ranks(&self) -> &Ranks {
    &self.ranks
  }

  /// The encoding this tokenizer implements.
  pub fn encoding(&self) -> Encoding {
    self.enc
  }

  /// Number of ordinary tokens in the vocabulary (200,000 - 2 for o200k, 100,256 for cl100k).
  pub fn vocab_size(&self) -> usize {
    self.ranks.len()
  }

  /// Number of tokens in `text`; always equals `self.encode(text).len()`.
  ///
  /// Texts of [`PARALLEL_MIN_BYTES`] or more are cut at piece boundaries (see
  /// [`split_points`]) and counted on scoped threads, one part per available core.
  pub fn count(&self, text: &str) -> usize {
    let parts = parallelism();
    if text.len() < PARALLEL_MIN_BYTES || parts < 2 {
      return self.count_serial(text);
    }
    let cuts = split_points(text, parts);
    if cuts.is_empty() {
      return self.count_serial(text);
    }
    let mut bounds = Vec::with_capacity(cuts.len() + 2);
    bounds.push(0);
    bounds.extend(cuts);
    bounds.push(text.len());
    std::thread::scope(|scope| {
      let handles: Vec<_> = bounds[1..bounds.len() - 1]
        .iter()
        .zip(&bounds[2..])
        .map(|(&a, &b)| scope.spawn(move || with_warm_cache(|| self.count_serial(&text[a..b]))))
        .collect();
      let first = self.count_serial(&text[..bounds[1]]);
      // A part whose thread could not finish is counted here instead.
      first
        + handles
          .into_iter()
          .zip(bounds[1..].windows(2))
          .map(|(h, w)| {
            h.join()
              .unwrap_or_else(|_| self.count_serial(&text[w[0]..w[1]]))
          })
          .sum::<usize>()
    })
  }

  /// [`Tokenizer::count`] on the calling thread only.
  pub fn count_serial(&self, text: &str) -> usize {
    match self.enc {
      Encoding::O200kBase => self.count_impl::<true>(text),
      Encoding::Cl100kBase => self.count_impl::<false>(text),
    }
  }

  #[inline(always)]
  fn count_impl<const O200K: bool>(&self, text: &str) -> usize {
    let b = text.as_bytes();
    let mut pos = 0;
    let mut total = 0;
    while pos < b.len() {
      let end = if O200K {
        match pretokenize::o200k_ascii(b, pos) {
          Some(e) => e,
          None => pretokenize::o200k_unicode(b, pos),
        }
      } else {
        match pretokenize::cl100k_ascii(b, pos) {
          Some(e) => e,
          None => pretokenize::cl100k_unicode(b, pos),
        }
      };
      total += if self.ranks.get_at(b, pos, end).is_some() {
        1
      } else {
        self.count_multi(&b[pos..end])
      };
      pos = end;
    }
    total
  }

  /// Token count of a piece that is not a single token.
  #[cold]
  fn count_multi(&self, piece: &[u8]) -> usize {
    if piece.len() > CACHE_MAX_PIECE {
      return bpe::count(&self.ranks, piece);
    }
    let idx = self.enc.index();
    let cached = COUNT_CACHE
      .try_with(|c| c.try_borrow().ok().and_then(|c| c[idx].get(piece).copied()))
      .ok()
      .flatten();
    if let Some(n) = cached {
      return n as usize;
    }
    let n = bpe::count(&self.ranks, piece);
    let _ = COUNT_CACHE.try_with(|c| {
      if let Ok(mut c) = c.try_borrow_mut() {
        let map = &mut c[idx];
        if map.len() >= CACHE_MAX_ENTRIES {
          map.clear();
        }
        map.insert(piece.into(), n as u32);
      }
    });
    n
  }

  /// Token ids of `text`, exactly tiktoken's `encode_ordinary`: special-token strings such
  /// as `<|endoftext|>` are encoded as plain text.
  pub fn encode(&self, text: &str) -> Vec<u32> {
    let mut out = Vec::with_capacity(text.len() / 4 + 1);
    let mut bounds = Vec::new();
    for piece in pretokenize::pieces(self.enc, text) {
      let piece = piece.as_bytes();
      if let Some(r) = self.ranks.get(piece) {
        out.push(r);
        continue;
      }
      bpe::boundaries(&self.ranks, piece, &mut bounds);
      for w in bounds.windows(2) {
        out.push(self.ranks.rank(&piece[w[0]..w[1]]));
      }
    }
    out
  }

  /// The bytes of `ids` concatenated. Special-token ids decode to their text
  /// (`<|endoftext|>` ...); ids outside the vocabulary decode to nothing. The result is not
  /// necessarily UTF-8 (a token can hold part of a character).
  pub fn decode(&self, ids: &[u32]) -> Vec<u8> {
    let mut out = Vec::with_capacity(ids.len() * 4);
    for &id in ids {
      self.ranks.decode_into(id, &mut out);
    }
    out
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn a_counting_thread_hands_its_cache_on() {
    let text = "Grüße aus Köln: unbelievably‐hyphenated wordplay, 12345 times. ".repeat(50);
    let tk = tokenizer(Encoding::O200kBase);
    let exact = tk.count_serial(&text);
    let cache_len = || COUNT_CACHE.with(|c| c.borrow()[Encoding::O200kBase.index()].len());
    let pool = CachePool::new();
    std::thread::scope(|s| {
      let first = s.spawn(|| pool.lend(|| (cache_len(), tk.count_serial(&text), cache_len())));
      let (before, count, after) = first.join().unwrap();
      assert_eq!((before, count), (0, exact), "a new thread starts cold");
      assert!(after > 0, "multi-token pieces were cached");
      let second = s.spawn(|| pool.lend(|| (cache_len(), tk.count_serial(&text))));
      assert_eq!(
        second.join().unwrap(),
        (after, exact),
        "the next thread starts warm"
      );
    });
  }

  #[test]
  fn names_roundtrip() {
    for enc in [Encoding::O200kBase, Encoding::Cl100kBase] {
      assert_eq!(Encoding::from_name(enc.as_str()), Some(enc));
      assert_eq!(tokenizer(enc).encoding(), enc);
    }
    assert_eq!(Encoding::from_name("p50k_base"), None);
  }

  #[test]
  fn vocab_sizes() {
    assert_eq!(tokenizer(Encoding::O200kBase).vocab_size(), 199_998);
    assert_eq!(tokenizer(Encoding::Cl100kBase).vocab_size(), 100_256);
  }

  #[test]
  fn tokenizer_is_send_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Tokenizer>();
  }

  #[test]
  fn decode_roundtrip_and_specials() {
    let t = tokenizer(Encoding::O200kBase);
    let text = "Hello, world! <|endoftext|> naïve 😀";
    assert_eq!(t.decode(&t.encode(text)), text.as_bytes());
    assert_eq!(t.decode(&[199_999]), b"<|endoftext|>");
    assert_eq!(t.decode(&[u32::MAX]), b"");
  }
}
