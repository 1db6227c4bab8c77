//! The recursive crusher: one pass over the parsed value, choosing per node the smallest
//! form (in exact o200k tokens) that the mode allows.

use crate::analyze::{Analysis, ERROR_KEYWORDS};
use crate::render::{marker, to_json, tokens};
use crate::sample::{Budget, select};
use crate::table::{self, Item};
use crate::{CrushOptions, relevance, strings};
use headroom_core::Mode;
use serde_json::{Map, Value};

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
  string_depth: usize,
}

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
      string_depth: 0,
    }
  }

  fn lossy(&self) -> bool {
    self.mode != Mode::Lossless
  }

  fn lossy_factor(&self) -> f64 {
    1.0 - self.opts.lossy_min_savings
  }

  /// Crushes `v`.
  pub fn crush(&mut self, v: &Value) -> Value {
    match v {
      Value::Object(m) => self.crush_object(m),
      Value::Array(a) => self.crush_array(a),
      Value::String(s) if self.lossy() => self.crush_string(s),
      _ => v.clone(),
    }
  }

  fn crush_string(&mut self, s: &str) -> Value {
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
      return Value::String(format!("{keep}{m}"));
    }
    if self.string_depth < MAX_STRING_JSON_DEPTH
      && strings::looks_like_json(s)
      && let Ok(inner @ (Value::Object(_) | Value::Array(_))) = serde_json::from_str::<Value>(s)
    {
      self.string_depth += 1;
      let out = self.crush(&inner);
      self.string_depth -= 1;
      let text = to_json(&out);
      if text.len() < s.len() && tokens(&text) < tokens(s) {
        self.stats.rewritten += 1;
        return Value::String(text);
      }
    }
    Value::String(s.to_string())
  }

  fn crush_object(&mut self, m: &Map<String, Value>) -> Value {
    let out: Map<String, Value> = m.iter().map(|(k, v)| (k.clone(), self.crush(v))).collect();
    let limit = match self.mode {
      Mode::Lossless => usize::MAX,
      Mode::Balanced => self.opts.wide_object_keys,
      Mode::Aggressive => (self.opts.wide_object_keys / 2).max(4),
    };
    if !self.elide_keys || out.len() <= limit {
      return Value::Object(out);
    }
    let full = Value::Object(out);
    let full_tokens = tokens(&to_json(&full));
    if full_tokens < MIN_WIDE_OBJECT_TOKENS {
      return full;
    }
    let Value::Object(out) = full else {
      unreachable!()
    };
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
          match v {
            Value::String(s) => s.len() <= 40 && !s.starts_with("http"),
            Value::Array(_) | Value::Object(_) => false,
            _ => true,
          }
        };
        if hit {
          keep[i] = true;
          kept += 1;
        }
      }
    }
    let omitted: Vec<&String> = out
      .keys()
      .zip(&keep)
      .filter(|(_, k)| !**k)
      .map(|(k, _)| k)
      .collect();
    let mut names: Vec<&str> = omitted.iter().take(8).map(|k| k.as_str()).collect();
    let more = omitted.len().saturating_sub(names.len());
    let more_s = format!("{more} more");
    if more > 0 {
      names.push(&more_s);
    }
    let breakdown = names.join(", ");
    let mk = marker(omitted.len(), total, "keys", Some(&breakdown), self.hash);
    let mut res = Map::new();
    let mut placed = false;
    for ((k, v), &kp) in out.iter().zip(&keep) {
      if kp {
        res.insert(k.clone(), v.clone());
      } else if !placed {
        res.insert(OMITTED_KEY.to_string(), Value::String(mk.clone()));
        placed = true;
      }
    }
    let res = Value::Object(res);
    if (tokens(&to_json(&res)) as f64) <= full_tokens as f64 * self.lossy_factor() {
      self.stats.markers += 1;
      res
    } else {
      Value::Object(out)
    }
  }

  fn crush_array(&mut self, items: &[Value]) -> Value {
    let n = items.len();
    let children: Vec<Value> = items.iter().map(|v| self.crush(v)).collect();
    let rows =
      n >= 2 && children.iter().all(Value::is_object) && items.iter().all(Value::is_object);
    let sample = self.lossy() && n > self.opts.min_items;
    if !rows && !sample {
      return Value::Array(children);
    }
    let child_json: Vec<String> = children.iter().map(to_json).collect();
    let plain_text = join_array(child_json.iter().map(String::as_str));
    let plain_tokens = tokens(&plain_text);
    let mut best: (Option<Value>, usize) = (None, plain_tokens);
    let objs: Vec<&Map<String, Value>> = if rows {
      children.iter().filter_map(Value::as_object).collect()
    } else {
      Vec::new()
    };
    if rows && self.tables {
      let items: Vec<Item<'_>> = objs.iter().map(|m| Item::Row(m)).collect();
      if let Some(t) = table::build(&items, n) {
        let tt = tokens(&to_json(&t));
        if tt as f64 <= plain_tokens as f64 * (1.0 - self.opts.table_min_savings) {
          best = (Some(t), tt);
        }
      }
    }
    if sample {
      let a = Analysis::new(items, !self.query.is_empty());
      let relevant = if self.query.is_empty() {
        Vec::new()
      } else {
        let max = if self.mode == Mode::Aggressive { 3 } else { 5 };
        relevance::top(&relevance::bm25(&self.query, &a.docs), max)
      };
      let keep = select(&a, &relevant, Budget::new(self.mode, &a, rows));
      let kept = keep.iter().filter(|&&k| k).count();
      if kept < n {
        let gaps = self.gap_markers(&a, &keep, rows);
        // Plain form: kept children and markers, in order.
        let mut parts: Vec<String> = Vec::with_capacity(kept + gaps.len());
        let mut gi = 0;
        let mut i = 0;
        while i < n {
          if keep[i] {
            parts.push(child_json[i].clone());
            i += 1;
          } else {
            parts.push(to_json(&Value::String(gaps[gi].1.clone())));
            i = gaps[gi].0;
            gi += 1;
          }
        }
        let sampled_plain = join_array(parts.iter().map(String::as_str));
        let mut cand: (Option<Value>, usize, bool) = (None, tokens(&sampled_plain), false);
        if rows && self.tables {
          let mut titems = Vec::with_capacity(kept + gaps.len());
          let (mut gi, mut i) = (0, 0);
          while i < n {
            if keep[i] {
              titems.push(Item::Row(objs[i]));
              i += 1;
            } else {
              titems.push(Item::Marker(gaps[gi].1.clone()));
              i = gaps[gi].0;
              gi += 1;
            }
          }
          if let Some(t) = table::build(&titems, n) {
            let tt = tokens(&to_json(&t));
            if tt < cand.1 {
              cand = (Some(t), tt, true);
            }
          }
        }
        if cand.1 as f64 <= best.1 as f64 * self.lossy_factor() {
          self.stats.markers += gaps.len();
          self.stats.sampled_total += n;
          self.stats.sampled_kept += kept;
          if cand.2 {
            self.stats.tables += 1;
          }
          return match cand.0 {
            Some(t) => t,
            None => {
              let mut out = Vec::with_capacity(kept + gaps.len());
              let mut gi = 0;
              let mut it = children.into_iter().enumerate();
              while let Some((i, c)) = it.next() {
                if keep[i] {
                  out.push(c);
                } else {
                  out.push(Value::String(gaps[gi].1.clone()));
                  let end = gaps[gi].0;
                  gi += 1;
                  for _ in i + 1..end {
                    it.next();
                  }
                }
              }
              Value::Array(out)
            }
          };
        }
      }
    }
    match best.0 {
      Some(t) => {
        self.stats.tables += 1;
        t
      }
      None => Value::Array(children),
    }
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

fn join_array<'s>(parts: impl Iterator<Item = &'s str>) -> String {
  let mut s = String::from("[");
  for (i, p) in parts.enumerate() {
    if i > 0 {
      s.push(',');
    }
    s.push_str(p);
  }
  s.push(']');
  s
}
