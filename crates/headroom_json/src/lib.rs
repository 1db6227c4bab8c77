//! # headroom_json: SmartCrusher, the JSON tool-output compressor
//!
//! [`crush`] takes the text of one tool output. If it is one JSON value, it returns the
//! smallest form (in exact o200k tokens) that the [`Mode`] allows, or `None` when nothing
//! pays (not JSON, nesting over serde's limit, no token saved).
//!
//! ## Forms
//!
//! Every form is valid, compact JSON (`,`/`:` separators; key order, number spellings and
//! string escapes' values kept).
//!
//! - **Minified JSON** (`json:minify`): the value itself.
//! - **Table** (`json:table`), for an array of objects, in place of that array at any depth:
//!
//!   ```text
//!   {"$table":{"rows":N,["paths":false,]"cols":[C...],["const":{C:V...},]"data":[ROW...]}}
//!   {"$table":{"rows":N,["paths":false,]"schemas":[{"cols":[C...],["const":{C:V...}]}...],"data":[ROW...]}}
//!   ```
//!
//!   - `rows` is the number of objects in the source array.
//!   - A *schema* is one ordered list of columns `cols`. Column names are key paths: unless
//!     `"paths":false` is present, a name splits on `.` into nested keys (`"meta.created"`
//!     is `{"meta":{"created":..}}`); with `"paths":false` every name is one literal key.
//!     (Flattening is used only when no key of the array contains a `.`.)
//!   - `const` maps some columns of the schema to the value every row of that schema holds
//!     (constant fields, and fields that are always `null` or empty, factored out once).
//!   - With one schema, each ROW is a JSON array holding, in `cols` order, the values of
//!     the columns *not* in `const`. With several (`schemas`), each ROW's first element is
//!     the 0-based schema index, followed by those values.
//!   - To rebuild a row: walk the schema's `cols` in order; take the value from `const` if
//!     the column is there, else the next cell; insert it at the column's path, creating
//!     nested objects as needed (nested keys are contiguous, so key order is exact). Cells
//!     and constants are themselves values of this grammar (tables nest).
//!   - In lossy forms, `data` may also hold marker strings, each standing in place for a
//!     run of omitted rows.
//!
//!   A table replaces an array only when it saves at least
//!   [`CrushOptions::table_min_savings`] of the array's tokens. Tables are not used when
//!   the input contains the text `$table` anywhere (so `{"$table":..}` is unambiguous) or
//!   nests deeper than 100 levels. [`expand_lossless`] is the exact inverse.
//! - **Lossy forms** (`json:sample(N->K)`, balanced and aggressive only), each elision
//!   marked in place with a [`headroom_core::marker::Marker`] in the source's units:
//!   - *arrays* (objects, strings, numbers, mixed; any depth): the kept items in original
//!     order, and in place of each run of omitted items one marker string, e.g.
//!     `"[12 of 100 rows omitted: 11 level=info, 1 level=warn; retrieve hash=…]"` (unit
//!     `rows` for arrays of objects, with a breakdown by the main categorical field whose
//!     counts sum to the omitted count; `items` otherwise). See [`sample`] for what is kept.
//!   - *wide objects* (more than [`CrushOptions::wide_object_keys`] keys; half that in
//!     aggressive mode): the first keys and error/query-matching keys are kept; the others
//!     are replaced, at the position of the first one, by `"$omitted":"[30 of 70 keys
//!     omitted: k1, k2, …; retrieve hash=…]"`.
//!   - *opaque strings* (base64, hex, HTML/XML, minified code, unbroken blobs of at least
//!     [`CrushOptions::opaque_min_bytes`]): the first 24 bytes, then
//!     `[4072 of 4096 bytes omitted: base64; retrieve hash=…]`, inside the same string.
//!   - *stringified JSON* (a string holding a JSON object/array): crushed recursively and
//!     re-serialized into the string.
//!
//! ## Rules
//!
//! - **Store first, then mark.** Before any marker is emitted, the exact bytes of `text`
//!   are put in the [`OriginalStore`]; all markers of a call carry that one key. If the put
//!   fails (e.g. [`headroom_core::store::NoStore`]), the lossless form is returned instead.
//! - **Decisions in tokens.** Tables must save `table_min_savings` of the array's tokens; a
//!   lossy form of a node (array, object, string) must save `lossy_min_savings` over the
//!   best lossless form of that same node; the result must have fewer tokens than the input.
//!   The lossy pass runs first; the lossless pass runs only when it elides nothing or the
//!   store refuses the original.
//! - **Deterministic.** The output depends only on `(text, mode, query)` and the options:
//!   no hash-map iteration order reaches the output, no randomness, no clock.
//! - **Bounded.** One parse (serde's recursion limit turns 10,000-deep nesting into
//!   `None`), analysis linear in the array size, opaque detection on at most 64 KiB of a
//!   string, stringified JSON parsed at most two levels deep.
//! - **Zero-copy parse.** The input is parsed once into a [`value::JVal`], not a
//!   `serde_json::Value`: unescaped strings and keys are slices of the input, numbers keep
//!   their text, objects are `Vec`s in source order. The parser accepts exactly what
//!   `serde_json::from_str::<Value>` accepts under the workspace's features (grammar,
//!   recursion limit, escapes decoded by serde, `E`/unsigned exponents spelled `e+` as
//!   `arbitrary_precision` does, repeated keys: first position, last value), so every
//!   output is byte-identical to what the `Value`-based crusher wrote; tests check this
//!   against serde on the corpus and with a property test. The parse also yields the
//!   nesting depth (no second scan for the table depth limit).
//! - **Known input tokens.** [`CrushOptions::input_tokens`] lets a caller that already
//!   counted the input (the router does) skip the one full-size token count `crush` would
//!   otherwise do for [`Crushed::tokens_before`].
//! - [`checker::check`] verifies zero silent loss for any output.

pub mod analyze;
pub mod bound;
pub mod checker;
pub mod crush;
mod error_words;
pub mod relevance;
pub mod render;
pub mod sample;
pub mod strings;
pub mod table;
pub mod value;

use headroom_core::{Error, Mode, OriginalStore, Result};
use serde_json::Value;

/// Inputs nested deeper than this get no tables.
const MAX_TABLE_DEPTH: usize = 100;

/// Options of one [`crush`] call.
#[derive(Debug, Clone, Copy)]
pub struct CrushOptions<'a> {
  /// How much may be left out.
  pub mode: Mode,
  /// Relevance hint (balanced/aggressive): rows matching it (BM25) are kept.
  pub query: Option<&'a str>,
  /// Arrays with at most this many items are never sampled. Default 8.
  pub min_items: usize,
  /// A table must save at least this fraction of the array's tokens. Default 0.15.
  pub table_min_savings: f64,
  /// A lossy form must save at least this fraction over the best lossless form. Default 0.25.
  pub lossy_min_savings: f64,
  /// Strings at least this long (bytes) may be elided when opaque. Default 256.
  pub opaque_min_bytes: usize,
  /// Objects with more keys may get keys elided (balanced; aggressive uses half). Default 48.
  pub wide_object_keys: usize,
  /// The input's exact o200k token count: counted here (the default), known, or being
  /// counted by the caller (on another thread). A given count is trusted as is: it becomes
  /// [`Crushed::tokens_before`] and the bar every output must beat, so a wrong count gives
  /// wrong decisions (but never invalid output).
  pub input_tokens: InputTokens<'a>,
}

impl Default for CrushOptions<'_> {
  fn default() -> Self {
    CrushOptions {
      mode: Mode::Balanced,
      query: None,
      min_items: 8,
      table_min_savings: 0.15,
      lossy_min_savings: 0.25,
      opaque_min_bytes: 256,
      wide_object_keys: 48,
      input_tokens: InputTokens::Count,
    }
  }
}

impl<'a> CrushOptions<'a> {
  /// Default options for `mode`.
  pub fn new(mode: Mode) -> Self {
    CrushOptions {
      mode,
      ..Self::default()
    }
  }

  /// The same options with a query.
  pub fn with_query(self, query: Option<&'a str>) -> Self {
    CrushOptions { query, ..self }
  }
}

/// Where [`crush`] gets the input's o200k count. It is only needed at the end of a call (the
/// bar the output must beat), so a caller can count on another thread meanwhile.
#[derive(Clone, Copy, Default)]
pub enum InputTokens<'a> {
  /// Count it here. Once the text parses, a large input is counted on a second thread while
  /// the value is crushed.
  #[default]
  Count,
  /// Already counted.
  Known(usize),
  /// Ask this function when the count is needed (e.g. it joins the caller's counting thread).
  Later(&'a (dyn Fn() -> usize + Sync)),
}

impl std::fmt::Debug for InputTokens<'_> {
  fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
    match self {
      InputTokens::Count => f.write_str("Count"),
      InputTokens::Known(n) => write!(f, "Known({n})"),
      InputTokens::Later(_) => f.write_str("Later(..)"),
    }
  }
}

/// The result of [`crush`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Crushed {
  /// The compressed text (valid JSON).
  pub text: String,
  /// `json:minify`, `json:table`, `json:sample(N->K)` or `json:elide`.
  pub strategy: String,
  /// Retrieve keys of the markers in `text` (empty for lossless forms; at most one).
  pub hashes: Vec<String>,
  /// o200k tokens of the input text.
  pub tokens_before: usize,
  /// o200k tokens of `text`.
  pub tokens_after: usize,
}

/// Compresses one JSON tool output; `None` leaves the text alone. See the crate docs.
pub fn crush(text: &str, opts: &CrushOptions<'_>, store: &dyn OriginalStore) -> Option<Crushed> {
  let (value, depth) = value::parse_with_depth(text)?;
  crush_preparsed(text, &value, depth, opts, store)
}

/// [`crush`] of a text the caller has already parsed with [`value::parse_with_depth`]
/// (`value` and `depth` are what it returned for `text`), so it is not parsed twice.
pub fn crush_preparsed(
  text: &str,
  value: &value::JVal<'_>,
  depth: usize,
  opts: &CrushOptions<'_>,
  store: &dyn OriginalStore,
) -> Option<Crushed> {
  let parsed = (value, depth);
  match opts.input_tokens {
    // Counted beside the crush once the text is known to be JSON.
    InputTokens::Count => std::thread::scope(|scope| {
      let count = headroom_tokens::LazyCount::lazy(text, Some(scope));
      count.start();
      crush_parsed(text, parsed, opts, store, &|| count.get())
    }),
    InputTokens::Known(n) => crush_parsed(text, parsed, opts, store, &|| n),
    InputTokens::Later(f) => crush_parsed(text, parsed, opts, store, f),
  }
}

/// [`crush`] of the parsed `text` (and its nesting depth), once it is settled where the
/// input's count comes from (asked at most once).
fn crush_parsed(
  text: &str,
  (value, depth): (&value::JVal<'_>, usize),
  opts: &CrushOptions<'_>,
  store: &dyn OriginalStore,
  count: &(dyn Fn() -> usize + Sync),
) -> Option<Crushed> {
  let once = std::sync::OnceLock::new();
  let tokens_before = || *once.get_or_init(count);
  // One scan for both reserved keys (`$` is rare in JSON).
  let (mut has_table, mut has_omitted) = (false, false);
  for at in memchr::memchr_iter(b'$', text.as_bytes()) {
    has_table |= text[at..].starts_with(table::TABLE_KEY);
    has_omitted |= text[at..].starts_with(crush::OMITTED_KEY);
  }
  // `depth` is the nesting `headroom_core::limits::depth_exceeded_at` measures.
  let tables = !has_table && depth <= MAX_TABLE_DEPTH;
  let elide_keys = !has_omitted;
  let lossless = || {
    let mut c = crush::Crusher::new(Mode::Lossless, "", opts, tables, false);
    c.known = Some((text, &tokens_before));
    let (text, known) = c.crush(value).into_text();
    let tokens_after = known.unwrap_or_else(|| render::tokens(&text));
    Crushed {
      text,
      strategy: if c.stats.tables > 0 {
        "json:table"
      } else {
        "json:minify"
      }
      .to_string(),
      hashes: Vec::new(),
      tokens_before: tokens_before(),
      tokens_after,
    }
  };
  let already_marked = !headroom_core::marker::find_marker_hashes(text).is_empty();
  // Without a store there is no retrieve path: only lossless forms.
  let best = if opts.mode != Mode::Lossless && !already_marked && store.enabled() {
    lossy(text, value, opts, store, tables, elide_keys, &tokens_before).unwrap_or_else(lossless)
  } else {
    lossless()
  };
  (best.tokens_after < best.tokens_before).then_some(best)
}

/// The lossy pass. Every lossy node already saves `lossy_min_savings` over the best
/// lossless form of that node, so the lossless pass only runs when this one declines
/// (nothing elided, or the store refused the original).
fn lossy(
  text: &str,
  value: &value::JVal<'_>,
  opts: &CrushOptions<'_>,
  store: &dyn OriginalStore,
  tables: bool,
  elide_keys: bool,
  tokens_before: &dyn Fn() -> usize,
) -> Option<Crushed> {
  let predicted = store.predicted_key(text.as_bytes());
  let run = |hash: &str| {
    let mut c = crush::Crusher::new(opts.mode, hash, opts, tables, elide_keys);
    c.known = Some((text, tokens_before));
    let out = c.crush(value).into_text();
    (out, c.stats)
  };
  let (mut out, stats) = run(&predicted);
  if stats.markers + stats.rewritten == 0 {
    return None;
  }
  let mut key = predicted.clone();
  if stats.markers > 0 {
    // Store first, then mark: no marker leaves here without a stored original.
    key = store.put(text.as_bytes()).ok()?;
    if key != predicted {
      out = run(&key).0;
    }
  }
  let (out, known) = out;
  let tokens_after = known.unwrap_or_else(|| render::tokens(&out));
  Some(Crushed {
    text: out,
    strategy: if stats.sampled_total > 0 {
      format!(
        "json:sample({}->{})",
        stats.sampled_total, stats.sampled_kept
      )
    } else {
      "json:elide".to_string()
    },
    hashes: if stats.markers > 0 {
      vec![key]
    } else {
      Vec::new()
    },
    tokens_before: tokens_before(),
    tokens_after,
  })
}

/// Rebuilds the original JSON value from a lossless output (minified JSON with tables).
/// Fails on text that is not JSON, on a malformed table, and on any marker (a lossy
/// output cannot be expanded without the store).
pub fn expand_lossless(output: &str) -> Result<Value> {
  let v: Value = serde_json::from_str(output).map_err(|e| Error::invalid_json(e.to_string()))?;
  expand(&v).map_err(Error::invalid_json)
}

fn expand(v: &Value) -> std::result::Result<Value, String> {
  if let Some(t) = table::parse(v)? {
    let mut out = Vec::with_capacity(t.rows);
    for e in t.data {
      match e {
        Value::Array(cells) => out.push(t.row(cells, &mut expand)?),
        _ => return Err("table holds a marker: the output is lossy".into()),
      }
    }
    if out.len() != t.rows {
      return Err(format!("table says {} rows, holds {}", t.rows, out.len()));
    }
    return Ok(Value::Array(out));
  }
  Ok(match v {
    Value::Array(a) => Value::Array(
      a.iter()
        .map(expand)
        .collect::<std::result::Result<_, _>>()?,
    ),
    Value::Object(m) => Value::Object(
      m.iter()
        .map(|(k, x)| Ok((k.clone(), expand(x)?)))
        .collect::<std::result::Result<_, String>>()?,
    ),
    Value::String(s)
      if render::parse_marker(s).is_some() || render::find_marker_suffix(s).is_some() =>
    {
      return Err("output holds a marker: it is lossy".into());
    }
    _ => v.clone(),
  })
}
