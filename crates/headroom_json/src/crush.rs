//! The recursive crusher: one pass over the parsed value, choosing per node the smallest
//! form (in exact o200k tokens) that the mode allows.

use crate::analyze::{Analysis, ERROR_KEYWORDS};
use crate::render::{marker, tokens};
use crate::sample::{Budget, select};
use crate::table;
use crate::value::JVal;
use crate::{CrushOptions, relevance, strings};
use headroom_core::Mode;
use rustc_hash::FxHashMap;
use std::borrow::Cow;

/// Key under which an object's key-elision marker is written.
pub const OMITTED_KEY: &str = "$omitted";
/// Levels of stringified JSON (JSON inside a string inside JSON ...) that are parsed.
const MAX_STRING_JSON_DEPTH: usize = 2;
/// Objects smaller than this (tokens) never get keys elided.
const MIN_WIDE_OBJECT_TOKENS: usize = 300;

/// What one crush pass did.
#[derive(Debug, Default, Clone)]
pub struct Stats {
  /// Markers written.
  pub markers: usize,
  /// Items in arrays that were sampled.
  pub sampled_total: usize,
  /// Items kept in arrays that were sampled.
  pub sampled_kept: usize,
  /// Tables written.
  pub tables: usize,
  /// Stringified JSON values rewritten.
  pub rewritten: usize,
}

impl Stats {
  /// Adds another pass's counts.
  fn add(&mut self, d: &Stats) {
    self.markers += d.markers;
    self.sampled_total += d.sampled_total;
    self.sampled_kept += d.sampled_kept;
    self.tables += d.tables;
    self.rewritten += d.rewritten;
  }

  /// What was counted since `before` (an earlier copy of these stats).
  fn since(&self, before: &Stats) -> Stats {
    Stats {
      markers: self.markers - before.markers,
      sampled_total: self.sampled_total - before.sampled_total,
      sampled_kept: self.sampled_kept - before.sampled_kept,
      tables: self.tables - before.tables,
      rewritten: self.rewritten - before.rewritten,
    }
  }
}

/// One crush pass over a value.
pub struct Crusher<'a> {
  /// The effective mode (`Lossless`: no marker is ever written).
  pub mode: Mode,
  /// Retrieve key used in markers.
  pub hash: &'a str,
  /// Query terms for relevance.
  pub query: Vec<String>,
  /// Whether table forms may be used.
  pub tables: bool,
  /// Whether object keys may be elided.
  pub elide_keys: bool,
  /// The options.
  pub opts: &'a CrushOptions<'a>,
  /// What happened.
  pub stats: Stats,
  /// A text whose token count is known (the input): a form equal to it is not recounted.
  pub known: Option<(&'a str, &'a dyn Fn() -> usize)>,
  string_depth: usize,
  /// Long strings already crushed in this pass (top level of string nesting): their result
  /// and what crushing them added to `stats`. Tool outputs repeat values (the same payload
  /// in many rows); each distinct one is classified, parsed and counted once.
  strings_seen: FxHashMap<String, (Option<String>, Stats)>,
}

/// Strings shorter than this are crushed each time they occur (cheaper than remembering).
const REMEMBER_STRINGS_FROM: usize = 256;

impl<'a> Crusher<'a> {
  /// A crusher for one pass.
  pub fn new(
    mode: Mode,
    hash: &'a str,
    opts: &'a CrushOptions<'a>,
    tables: bool,
    elide_keys: bool,
  ) -> Self {
    Crusher {
      mode,
      hash,
      query: opts.query.map(relevance::query_terms).unwrap_or_default(),
      tables,
      elide_keys,
      opts,
      stats: Stats::default(),
      known: None,
      string_depth: 0,
      strings_seen: FxHashMap::default(),
    }
  }

  fn lossy(&self) -> bool {
    self.mode != Mode::Lossless
  }

  fn lossy_factor(&self) -> f64 {
    1.0 - self.opts.lossy_min_savings
  }

  /// Crushes `v`.
  pub fn crush<'v>(&mut self, v: &'v JVal<'v>) -> Out<'v> {
    match v {
      JVal::Obj(m) => self.crush_object(v, m),
      JVal::Arr(a) => self.crush_array(v, a),
      JVal::Str(s) if self.lossy() => match self.crush_string_once(s) {
        Some(t) => Out::Str(t),
        None => Out::Orig(v),
      },
      _ => Out::Orig(v),
    }
  }

  /// [`Crusher::crush_string`], remembered for long strings at the top level of string
  /// nesting (the result depends only on the string there), with its effect on `stats`
  /// replayed on each repeat so the counts stay those of crushing every occurrence.
  fn crush_string_once(&mut self, s: &str) -> Option<String> {
    if s.len() < REMEMBER_STRINGS_FROM || self.string_depth > 0 {
      return self.crush_string(s);
    }
    if let Some((out, delta)) = self.strings_seen.get(s) {
      let (out, delta) = (out.clone(), delta.clone());
      self.stats.add(&delta);
      return out;
    }
    let before = self.stats.clone();
    let out = self.crush_string(s);
    let delta = self.stats.since(&before);
    self
      .strings_seen
      .insert(s.to_string(), (out.clone(), delta));
    out
  }

  /// The crushed content of a string, or `None` when it is kept as is.
  fn crush_string(&mut self, s: &str) -> Option<String> {
    if let Some(kind) = strings::classify(s, self.opts.opaque_min_bytes) {
      let keep = strings::prefix(s, strings::KEPT_PREFIX_BYTES);
      let m = marker(
        s.len() - keep.len(),
        s.len(),
        "bytes",
        Some(kind.as_str()),
        self.hash,
      );
      self.stats.markers += 1;
      return Some(format!("{keep}{m}"));
    }
    if self.string_depth < MAX_STRING_JSON_DEPTH
      && strings::looks_like_json(s)
      && let Some(inner @ (JVal::Obj(_) | JVal::Arr(_))) = crate::value::parse(s)
    {
      self.string_depth += 1;
      let out = self.crush(&inner);
      self.string_depth -= 1;
      let text = out.render();
      // The exact count of `s` only when its lower bound does not already decide.
      if text.len() < s.len() && {
        let tt = tokens(&text);
        tt < headroom_tokens::lower_bound(s) || tt < tokens(s)
      } {
        self.stats.rewritten += 1;
        return Some(text);
      }
    }
    None
  }

  fn crush_object<'v>(&mut self, v: &'v JVal<'v>, m: &'v [(Cow<'v, str>, JVal<'v>)]) -> Out<'v> {
    let out: Vec<(Cow<'v, str>, Out<'v>)> = m
      .iter()
      .map(|(k, x)| (Cow::Borrowed(k.as_ref()), self.crush(x)))
      .collect();
    let limit = match self.mode {
      Mode::Lossless => usize::MAX,
      Mode::Balanced => self.opts.wide_object_keys,
      Mode::Aggressive => (self.opts.wide_object_keys / 2).max(4),
    };
    if !self.elide_keys || out.len() <= limit {
      return if out.iter().all(|(_, x)| matches!(x, Out::Orig(_))) {
        Out::Orig(v)
      } else {
        Out::Obj(out)
      };
    }
    let full = Out::Obj(out);
    let full_text = full.render();
    // Exact tokens of the full form, counted only when the lower bound does not decide.
    let full_lower = headroom_tokens::lower_bound(&full_text);
    let mut full_exact = None;
    if full_lower < MIN_WIDE_OBJECT_TOKENS
      && *full_exact.insert(tokens(&full_text)) < MIN_WIDE_OBJECT_TOKENS
    {
      return full;
    }
    let Out::Obj(out) = full else { unreachable!() };
    // Keep the first half of the budget, then keys that name an error or a query term, then
    // small non-URL scalars (cheap facts), in key order, up to the budget.
    let total = out.len();
    let mut keep = vec![false; total];
    let mut kept = 0;
    for pass in 0..2 {
      for (i, (k, v)) in out.iter().enumerate() {
        if keep[i] || kept >= limit {
          continue;
        }
        let hit = if pass == 0 {
          i < limit / 2 || {
            let lk = k.to_ascii_lowercase();
            let vs = v.as_str().map(str::to_ascii_lowercase).unwrap_or_default();
            ERROR_KEYWORDS
              .iter()
              .any(|w| lk.contains(w) || vs.contains(w))
              || self
                .query
                .iter()
                .any(|q| lk.contains(q.as_str()) || vs.contains(q.as_str()))
          }
        } else {
          match v.kind() {
            Kind::Str(s) => s.len() <= 40 && !s.starts_with("http"),
            Kind::Container => false,
            Kind::Scalar => true,
          }
        };
        if hit {
          keep[i] = true;
          kept += 1;
        }
      }
    }
    let omitted: Vec<&str> = out
      .iter()
      .zip(&keep)
      .filter(|(_, k)| !**k)
      .map(|((k, _), _)| k.as_ref())
      .collect();
    let mut names: Vec<&str> = omitted.iter().take(8).copied().collect();
    let more = omitted.len().saturating_sub(names.len());
    let more_s = format!("{more} more");
    if more > 0 {
      names.push(&more_s);
    }
    let breakdown = names.join(", ");
    let mk = marker(omitted.len(), total, "keys", Some(&breakdown), self.hash);
    // Map semantics: inserting an existing key replaces its value in place. Source keys are
    // distinct, so only the marker and a kept `$omitted` key can collide.
    // Entries: the index of a kept entry of `out`, or `None` for the marker.
    let mut res: Vec<Option<usize>> = Vec::with_capacity(kept + 1);
    let key_of = |e: &Option<usize>| e.map_or(OMITTED_KEY, |i| out[i].0.as_ref());
    let mut placed = false;
    for (i, ((k, _), &kp)) in out.iter().zip(&keep).enumerate() {
      if kp {
        match res
          .iter_mut()
          .find(|e| k == OMITTED_KEY && key_of(e) == OMITTED_KEY)
        {
          Some(e) => *e = Some(i),
          None => res.push(Some(i)),
        }
      } else if !placed {
        placed = true;
        match res.iter_mut().find(|e| key_of(e) == OMITTED_KEY) {
          Some(e) => *e = None,
          None => res.push(None),
        }
      }
    }
    let mut text = String::from("{");
    for (j, e) in res.iter().enumerate() {
      if j > 0 {
        text.push(',');
      }
      write_str(&mut text, key_of(e));
      text.push(':');
      match e {
        Some(i) => out[*i].1.write(&mut text),
        None => write_str(&mut text, &mk),
      }
    }
    text.push('}');
    let tt = tokens(&text) as f64;
    let factor = self.lossy_factor();
    if tt <= full_lower as f64 * factor
      || tt <= full_exact.unwrap_or_else(|| tokens(&full_text)) as f64 * factor
    {
      self.stats.markers += 1;
      let mut slots: Vec<Option<(Cow<'v, str>, Out<'v>)>> = out.into_iter().map(Some).collect();
      Out::Obj(
        res
          .into_iter()
          .filter_map(|e| match e {
            Some(i) => slots[i].take(),
            None => Some((Cow::Borrowed(OMITTED_KEY), Out::Str(mk.clone()))),
          })
          .collect(),
      )
    } else {
      Out::Obj(out)
    }
  }

  fn crush_array<'v>(&mut self, v: &'v JVal<'v>, items: &'v [JVal<'v>]) -> Out<'v> {
    let n = items.len();
    let rows = n >= 2 && items.iter().all(JVal::is_object);
    if self.lossy()
      && n > self.opts.min_items
      && let Some(sampled) = self.sample_array(v, items, rows)
    {
      return sampled;
    }
    let children: Vec<Out<'v>> = items.iter().map(|x| self.crush(x)).collect();
    if !rows {
      return if children.iter().all(|c| matches!(c, Out::Orig(_))) {
        Out::Orig(v)
      } else {
        Out::Raw(render_array(&children, &mut Vec::new()), None)
      };
    }
    let plain_text = render_array(&children, &mut Vec::new());
    let table = self.tables.then(|| {
      let items: Vec<TItem<'_, 'v>> = children.iter().map(TItem::Row).collect();
      build_table(&items, n)
    });
    let (is_table, tokens) = self.best_form(&plain_text, table.as_ref().and_then(Option::as_ref));
    match table {
      Some(Some(t)) if is_table => {
        self.stats.tables += 1;
        Out::Raw(t, Some(tokens))
      }
      _ => Out::Raw(plain_text, Some(tokens)),
    }
  }

  /// The better of the plain form and the table form (which must save `table_min_savings`),
  /// and its exact tokens.
  fn best_form(&self, plain: &str, table: Option<&String>) -> (bool, usize) {
    let p = match self.known {
      Some((t, k)) if t == plain => k(),
      _ => tokens(plain),
    };
    if let Some(t) = table {
      let tt = tokens(t);
      if tt as f64 <= p as f64 * (1.0 - self.opts.table_min_savings) {
        return (true, tt);
      }
    }
    (false, p)
  }

  /// The sampled form of an array, if it saves `lossy_min_savings` over the best lossless
  /// form of the array (the source items, minified or as a table). Only the kept items are
  /// crushed: the omitted ones are never looked at again, which is what makes first sight of
  /// a large array fast.
  fn sample_array<'v>(
    &mut self,
    v: &'v JVal<'v>,
    items: &'v [JVal<'v>],
    rows: bool,
  ) -> Option<Out<'v>> {
    let n = items.len();
    let a = Analysis::new(items, !self.query.is_empty());
    let relevant = if self.query.is_empty() {
      Vec::new()
    } else {
      let max = if self.mode == Mode::Aggressive { 3 } else { 5 };
      relevance::top(&relevance::bm25(&self.query, &a.docs), max)
    };
    let keep = select(&a, &relevant, Budget::new(self.mode, &a, rows));
    let kept = keep.iter().filter(|&&k| k).count();
    if kept == n {
      return None;
    }
    // Crushing the kept items may count markers etc.; undone if the sample is declined.
    let stats_before = self.stats.clone();
    let children: Vec<Option<Out<'v>>> = items
      .iter()
      .zip(&keep)
      .map(|(x, &k)| k.then(|| self.crush(x)))
      .collect();
    let gaps = self.gap_markers(&a, &keep, rows);
    // Plain form: kept children and markers, in order.
    let mut plain = String::from("[");
    let mut titems = Vec::with_capacity(kept + gaps.len());
    let (mut gi, mut i) = (0, 0);
    while i < n {
      if plain.len() > 1 {
        plain.push(',');
      }
      match &children[i] {
        Some(c) => {
          c.write(&mut plain);
          titems.push(TItem::Row(c));
          i += 1;
        }
        None => {
          write_str(&mut plain, &gaps[gi].1);
          titems.push(TItem::Marker(&gaps[gi].1));
          i = gaps[gi].0;
          gi += 1;
        }
      }
    }
    plain.push(']');
    let pt = tokens(&plain);
    let mut cand: (String, usize, bool) = (plain, pt, false);
    if rows
      && self.tables
      && let Some(t) = build_table(&titems, n)
    {
      let tt = tokens(&t);
      if tt < cand.1 {
        cand = (t, tt, true);
      }
    }
    drop(titems);
    if !self.saves_enough_over_source(v, items, rows, cand.1) {
      self.stats = stats_before;
      return None;
    }
    self.stats.markers += gaps.len();
    self.stats.sampled_total += n;
    self.stats.sampled_kept += kept;
    if cand.2 {
      self.stats.tables += 1;
    }
    Some(Out::Raw(cand.0, Some(cand.1)))
  }

  /// Whether `cand` tokens save `lossy_min_savings` over the best lossless form of the
  /// source array. Decided by [`headroom_tokens::lower_bound`] (and the longest token) when
  /// it can be, by exact counts otherwise.
  fn saves_enough_over_source<'v>(
    &self,
    v: &'v JVal<'v>,
    items: &'v [JVal<'v>],
    rows: bool,
    cand: usize,
  ) -> bool {
    let factor = self.lossy_factor();
    // Usually proven from part of the source, without rendering anything.
    if crate::bound::lossless_at_least(
      items,
      rows,
      self.tables,
      (cand as f64 / factor).ceil() as usize,
    ) {
      return true;
    }
    let plain = Out::Orig(v).render();
    let table = (rows && self.tables)
      .then(|| {
        let t: Vec<TItem<'_, 'v>> = items.iter().map(TItem::Source).collect();
        build_table(&t, items.len())
      })
      .flatten();
    let min_bytes = table
      .as_ref()
      .map_or(plain.len(), |t| t.len().min(plain.len()));
    let units = table.as_ref().map_or_else(
      || headroom_tokens::lower_bound(&plain),
      |t| headroom_tokens::lower_bound(t).min(headroom_tokens::lower_bound(&plain)),
    );
    let lower = min_bytes.div_ceil(MAX_TOKEN_BYTES).max(units);
    cand as f64 <= lower as f64 * factor
      || cand as f64 <= self.best_form(&plain, table.as_ref()).1 as f64 * factor
  }

  /// One marker per run of omitted items: `(end of the run, marker)`.
  fn gap_markers(&self, a: &Analysis, keep: &[bool], rows: bool) -> Vec<(usize, String)> {
    let n = keep.len();
    let unit = if rows { "rows" } else { "items" };
    let labels = a
      .breakdown
      .filter(|_| rows)
      .map(|fi| (fi, a.row_labels(fi)));
    let mut out = Vec::new();
    let mut i = 0;
    while i < n {
      if keep[i] {
        i += 1;
        continue;
      }
      let start = i;
      while i < n && !keep[i] {
        i += 1;
      }
      let breakdown = labels
        .as_ref()
        .and_then(|(fi, l)| breakdown(a, *fi, &l[start..i]));
      out.push((
        i,
        marker(i - start, n, unit, breakdown.as_deref(), self.hash),
      ));
    }
    out
  }
}

/// `83 level=info, 2 level=warn, 1 other` for the omitted rows' labels.
fn breakdown(a: &Analysis, fi: usize, labels: &[u16]) -> Option<String> {
  let f = &a.fields[fi];
  let mut counts = vec![0usize; f.order.len()];
  let mut other = 0usize;
  for &l in labels {
    match counts.get_mut(l as usize) {
      Some(c) => *c += 1,
      None => other += 1,
    }
  }
  let mut list: Vec<(usize, usize)> = counts
    .iter()
    .enumerate()
    .filter(|(_, c)| **c > 0)
    .map(|(i, c)| (*c, i))
    .collect();
  list.sort_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(&y.1)));
  if list.is_empty() {
    return None;
  }
  for &(c, _) in list.iter().skip(4) {
    other += c;
  }
  let mut parts: Vec<String> = list
    .iter()
    .take(4)
    .map(|&(c, li)| format!("{c} {}={}", f.path, f.order[li]))
    .collect();
  if other > 0 {
    parts.push(format!("{other} other"));
  }
  Some(parts.join(", "))
}

use headroom_tokens::MAX_TOKEN_BYTES;

/// A crushed node: the source value where unchanged, else the parts that changed. Arrays
/// that were decided are pre-rendered (with their token count when known).
pub enum Out<'v> {
  /// The source value, unchanged.
  Orig(&'v JVal<'v>),
  /// A rewritten string (its content).
  Str(String),
  /// An object with some changed value (keys in order).
  Obj(Vec<(Cow<'v, str>, Out<'v>)>),
  /// Rendered compact JSON, and its token count when known.
  Raw(String, Option<usize>),
}

/// What a crushed node is, for the key-elision heuristics.
enum Kind<'a> {
  Str(&'a str),
  Container,
  Scalar,
}

impl Out<'_> {
  fn kind(&self) -> Kind<'_> {
    match self {
      Out::Orig(JVal::Str(s)) => Kind::Str(s),
      Out::Str(s) => Kind::Str(s),
      Out::Orig(JVal::Arr(_) | JVal::Obj(_)) | Out::Obj(_) | Out::Raw(..) => Kind::Container,
      Out::Orig(_) => Kind::Scalar,
    }
  }

  fn as_str(&self) -> Option<&str> {
    match self.kind() {
      Kind::Str(s) => Some(s),
      _ => None,
    }
  }

  /// Appends the compact JSON text of this node.
  pub fn write(&self, out: &mut String) {
    match self {
      Out::Orig(v) => write_value(out, v),
      Out::Str(s) => write_str(out, s),
      Out::Obj(kv) => {
        out.push('{');
        for (i, (k, x)) in kv.iter().enumerate() {
          if i > 0 {
            out.push(',');
          }
          write_str(out, k);
          out.push(':');
          x.write(out);
        }
        out.push('}');
      }
      Out::Raw(t, _) => out.push_str(t),
    }
  }

  /// The compact JSON text of this node.
  pub fn render(&self) -> String {
    match self {
      Out::Raw(t, _) => t.clone(),
      _ => {
        let mut s = String::new();
        self.write(&mut s);
        s
      }
    }
  }

  /// The text and, when already known, its token count.
  pub fn into_text(self) -> (String, Option<usize>) {
    match self {
      Out::Raw(t, k) => (t, k),
      o => (o.render(), None),
    }
  }
}

/// Appends the compact JSON text of `v`.
pub fn write_value(out: &mut String, v: &JVal<'_>) {
  match v {
    JVal::Str(s) => write_cow(out, s),
    JVal::Num(n) => out.push_str(n),
    JVal::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
    JVal::Null => out.push_str("null"),
    JVal::Arr(a) => {
      out.push('[');
      for (i, x) in a.iter().enumerate() {
        if i > 0 {
          out.push(',');
        }
        write_value(out, x);
      }
      out.push(']');
    }
    JVal::Obj(m) => {
      out.push('{');
      for (i, (k, x)) in m.iter().enumerate() {
        if i > 0 {
          out.push(',');
        }
        write_cow(out, k);
        out.push(':');
        write_value(out, x);
      }
      out.push('}');
    }
  }
}

/// [`write_str`], trusting that a borrowed string needs no escaping (a [`JVal`] invariant).
#[inline]
#[allow(clippy::ptr_arg)] // Which variant it is matters: borrowed means escape-free.
fn write_cow(out: &mut String, s: &Cow<'_, str>) {
  match s {
    Cow::Borrowed(b) => {
      debug_assert!(!b.bytes().any(|c| c < 0x20 || c == b'"' || c == b'\\'));
      out.reserve(b.len() + 2);
      out.push('"');
      out.push_str(b);
      out.push('"');
    }
    Cow::Owned(o) => write_str(out, o),
  }
}

/// Appends `s` as a JSON string literal, escaped byte for byte as serde_json escapes it.
pub fn write_str(out: &mut String, s: &str) {
  out.reserve(s.len() + 2);
  out.push('"');
  let b = s.as_bytes();
  let mut from = 0;
  let mut i = headroom_core::json::plain_run(b, 0);
  while i < b.len() {
    out.push_str(&s[from..i]);
    match b[i] {
      b'"' => out.push_str("\\\""),
      b'\\' => out.push_str("\\\\"),
      b'\n' => out.push_str("\\n"),
      b'\r' => out.push_str("\\r"),
      b'\t' => out.push_str("\\t"),
      0x08 => out.push_str("\\b"),
      0x0c => out.push_str("\\f"),
      c => {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        out.push_str("\\u00");
        out.push(HEX[usize::from(c >> 4)] as char);
        out.push(HEX[usize::from(c & 0xf)] as char);
      }
    }
    from = i + 1;
    i = headroom_core::json::plain_run(b, from);
  }
  out.push_str(&s[from..]);
  out.push('"');
}

/// `[a,b,...]` of the children; `spans` receives each child's byte range.
fn render_array(children: &[Out<'_>], spans: &mut Vec<(usize, usize)>) -> String {
  let mut s = String::from("[");
  for (i, c) in children.iter().enumerate() {
    if i > 0 {
      s.push(',');
    }
    let start = s.len();
    c.write(&mut s);
    spans.push((start, s.len()));
  }
  s.push(']');
  s
}

/// One entry of a table being built: a crushed row object, or a marker.
pub(crate) enum TItem<'a, 'v> {
  /// A crushed row.
  Row(&'a Out<'v>),
  /// A source row, as parsed.
  Source(&'a JVal<'v>),
  /// A marker standing for omitted rows.
  Marker(&'a str),
}

/// An object's entries, whether unchanged or rebuilt.
enum Entries<'a, 'v> {
  Map(&'a [(Cow<'v, str>, JVal<'v>)]),
  Vec(&'a [(Cow<'v, str>, Out<'v>)]),
}

/// A reference to a crushed node or to a part of the source.
#[derive(Clone, Copy)]
enum Node<'a, 'v> {
  V(&'a JVal<'v>),
  O(&'a Out<'v>),
}

impl<'a, 'v> Node<'a, 'v> {
  fn entries(self) -> Option<Entries<'a, 'v>> {
    match self {
      Node::V(JVal::Obj(m)) | Node::O(Out::Orig(JVal::Obj(m))) => Some(Entries::Map(m)),
      Node::O(Out::Obj(kv)) => Some(Entries::Vec(kv)),
      _ => None,
    }
  }

  fn write(self, out: &mut String) {
    match self {
      Node::V(v) => write_value(out, v),
      Node::O(o) => o.write(out),
    }
  }
}

impl<'a, 'v> Entries<'a, 'v> {
  fn len(&self) -> usize {
    match self {
      Entries::Map(m) => m.len(),
      Entries::Vec(v) => v.len(),
    }
  }

  fn each(&self, mut f: impl FnMut(&'a str, Node<'a, 'v>)) {
    match self {
      Entries::Map(m) => m.iter().for_each(|(k, x)| f(k.as_ref(), Node::V(x))),
      Entries::Vec(v) => v.iter().for_each(|(k, x)| f(k, Node::O(x))),
    }
  }

  fn is_table(&self) -> bool {
    if self.len() != 1 {
      return false;
    }
    let mut t = false;
    self.each(|k, _| t = k == table::TABLE_KEY);
    t
  }
}

fn flattenable<'a, 'v>(n: Node<'a, 'v>, depth: usize) -> Option<Entries<'a, 'v>> {
  n.entries().filter(|e| {
    depth < table::MAX_FLATTEN_DEPTH
      && e.len() > 0
      && e.len() <= table::MAX_FLATTEN_KEYS
      && !e.is_table()
  })
}

fn has_dotted_key(e: &Entries<'_, '_>, depth: usize) -> bool {
  let mut d = false;
  e.each(|k, x| {
    d = d
      || k.contains('.')
      || flattenable(x, depth + 1).is_some_and(|c| has_dotted_key(&c, depth + 1));
  });
  d
}

/// Flattens one row: appends `path\0` per leaf to `key`, and each leaf's text to `cells`
/// (its range to `spans`).
fn flatten_row(
  e: &Entries<'_, '_>,
  path: &mut String,
  depth: usize,
  nest: bool,
  key: &mut String,
  cells: &mut String,
  spans: &mut Vec<(usize, usize)>,
) {
  e.each(|k, x| {
    let len = path.len();
    if depth > 0 {
      path.push('.');
    }
    path.push_str(k);
    match flattenable(x, depth + 1).filter(|_| nest) {
      Some(child) => flatten_row(&child, path, depth + 1, nest, key, cells, spans),
      None => {
        key.push_str(path);
        key.push('\0');
        let start = cells.len();
        x.write(cells);
        spans.push((start, cells.len()));
      }
    }
    path.truncate(len);
  });
}

/// The table form (text) of `items`; see [`table::build`], whose output this equals.
pub(crate) fn build_table(items: &[TItem<'_, '_>], total: usize) -> Option<String> {
  let rows: Vec<Entries<'_, '_>> = items
    .iter()
    .filter_map(|i| match i {
      TItem::Row(o) => Node::O(o).entries(),
      TItem::Source(x) => Node::V(x).entries(),
      TItem::Marker(_) => None,
    })
    .collect();
  if rows.is_empty() {
    return None;
  }
  let nest = !rows.iter().any(|m| has_dotted_key(m, 0));
  build_table_with(items, &rows, total, nest).or_else(|| {
    if nest {
      build_table_with(items, &rows, total, false)
    } else {
      None
    }
  })
}

struct TSchema {
  cols: Vec<String>,
  rows: Vec<usize>,
  konst: Vec<bool>,
}

fn build_table_with(
  items: &[TItem<'_, '_>],
  rows: &[Entries<'_, '_>],
  total: usize,
  nest: bool,
) -> Option<String> {
  let max_schemas = (rows.len() / 2).clamp(2, 64);
  let mut index: FxHashMap<String, usize> = FxHashMap::default();
  let mut schemas: Vec<TSchema> = Vec::new();
  let mut cells = String::new();
  let mut spans: Vec<(usize, usize)> = Vec::new();
  // Per row: schema, and its cells' range in `spans`.
  let mut flat: Vec<(usize, usize, usize)> = Vec::with_capacity(rows.len());
  let mut key = String::new();
  let mut path = String::new();
  for (ri, m) in rows.iter().enumerate() {
    key.clear();
    path.clear();
    let s0 = spans.len();
    flatten_row(m, &mut path, 0, nest, &mut key, &mut cells, &mut spans);
    let si = match index.get(key.as_str()) {
      Some(&si) => si,
      None => {
        if schemas.len() >= max_schemas {
          return None;
        }
        schemas.push(TSchema {
          cols: key.split_terminator('\0').map(str::to_string).collect(),
          rows: Vec::new(),
          konst: Vec::new(),
        });
        index.insert(key.clone(), schemas.len() - 1);
        schemas.len() - 1
      }
    };
    schemas[si].rows.push(ri);
    flat.push((si, s0, spans.len()));
  }
  let cell = |r: usize, j: usize| {
    let (a, b) = spans[flat[r].1 + j];
    &cells[a..b]
  };
  for s in &mut schemas {
    s.konst = vec![false; s.cols.len()];
    if s.rows.len() >= table::MIN_ROWS_FOR_CONST {
      let first = s.rows[0];
      for (j, k) in s.konst.iter_mut().enumerate() {
        *k = s.rows.iter().all(|&r| cell(r, j) == cell(first, j));
      }
    }
  }
  let multi = schemas.len() > 1;
  let mut t = String::with_capacity(cells.len() + 3 * spans.len() + 256);
  t.push_str("{\"$table\":{\"rows\":");
  t.push_str(&total.to_string());
  if !nest {
    t.push_str(",\"paths\":false");
  }
  let schema_obj = |s: &TSchema, t: &mut String| {
    t.push_str("\"cols\":[");
    for (j, c) in s.cols.iter().enumerate() {
      if j > 0 {
        t.push(',');
      }
      write_str(t, c);
    }
    t.push(']');
    if s.konst.iter().any(|&k| k) {
      t.push_str(",\"const\":{");
      let mut first = true;
      for (j, c) in s.cols.iter().enumerate() {
        if s.konst[j] {
          if !first {
            t.push(',');
          }
          first = false;
          write_str(t, c);
          t.push(':');
          t.push_str(cell(s.rows[0], j));
        }
      }
      t.push('}');
    }
  };
  if multi {
    t.push_str(",\"schemas\":[");
    for (i, s) in schemas.iter().enumerate() {
      if i > 0 {
        t.push(',');
      }
      t.push('{');
      schema_obj(s, &mut t);
      t.push('}');
    }
    t.push(']');
  } else {
    t.push(',');
    schema_obj(&schemas[0], &mut t);
  }
  t.push_str(",\"data\":[");
  let mut ri = 0;
  for (ii, it) in items.iter().enumerate() {
    if ii > 0 {
      t.push(',');
    }
    match it {
      TItem::Marker(m) => write_str(&mut t, m),
      TItem::Row(_) | TItem::Source(_) => {
        let (si, _, _) = flat[ri];
        let s = &schemas[si];
        t.push('[');
        let mut first = true;
        if multi {
          t.push_str(&si.to_string());
          first = false;
        }
        for (j, &k) in s.konst.iter().enumerate() {
          if !k {
            if !first {
              t.push(',');
            }
            first = false;
            t.push_str(cell(ri, j));
          }
        }
        t.push(']');
        ri += 1;
      }
    }
  }
  t.push_str("]}}");
  Some(t)
}
