//! The zero-silent-loss checker.
//!
//! Given a tool output (`input`), what the crusher made of it (`output`) and a way to fetch
//! stored originals by retrieve key, [`check`] walks both values side by side and verifies
//! that every part of the input is either present in the output (verbatim, or itself
//! compressed in a checked way) or covered by a marker:
//!
//! - **arrays** (plain or `$table`): kept items appear in order; every run of missing items
//!   is replaced, in place, by one marker in unit `rows` or `items` whose total is the
//!   array's length; kept + omitted = total;
//! - **objects**: kept keys appear in order; missing keys are covered by the object's
//!   `"$omitted"` marker in unit `keys`; kept + omitted = total;
//! - **strings**: equal, or a kept prefix followed by a `bytes` marker (prefix + omitted =
//!   total = the string's byte length), or both hold JSON and those values check;
//! - **every marker's hash** fetches an original that holds the omitted items (byte-equal to
//!   the input, or a JSON document containing each omitted value);
//! - **row breakdowns** (`83 level=info, 2 other`) are true: each `N path=value` count is
//!   the number of omitted rows with that value, and the counts sum to the omitted total.

use crate::crush::OMITTED_KEY;
use crate::render::{ParsedMarker, find_marker_suffix, parse_marker, to_json};
use crate::table::{self, same};
use rustc_hash::{FxHashMap, FxHashSet};
use serde_json::{Map, Value};
use std::fmt;

/// What a passing check saw.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckReport {
  /// Markers found and verified.
  pub markers: usize,
  /// Omitted units per unit name (`rows`, `items`, `keys`, `bytes`), sorted by unit.
  pub omitted: Vec<(String, usize)>,
  /// Distinct retrieve keys used, in first-seen order.
  pub hashes: Vec<String>,
}

/// Why a check failed: where (a JSON-pointer-like path) and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
  /// Path of the offending node, e.g. `/items/3/name`.
  pub path: String,
  /// What is wrong.
  pub message: String,
}

impl fmt::Display for Violation {
  fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    write!(
      f,
      "{}: {}",
      if self.path.is_empty() {
        "/"
      } else {
        &self.path
      },
      self.message
    )
  }
}

impl std::error::Error for Violation {}

enum Coverage {
  /// The stored original is the whole input.
  Full,
  /// Serialized sub-values of the stored original.
  Values(FxHashSet<String>),
}

struct Checker<'a> {
  input: &'a str,
  fetch: &'a dyn Fn(&str) -> Option<Vec<u8>>,
  cache: FxHashMap<String, Coverage>,
  report: CheckReport,
  omitted: FxHashMap<String, usize>,
}

fn v(path: &str, message: impl Into<String>) -> Violation {
  Violation {
    path: path.to_string(),
    message: message.into(),
  }
}

/// Checks `output` against `input`; see the module documentation.
pub fn check(
  input: &str,
  output: &str,
  fetch: &dyn Fn(&str) -> Option<Vec<u8>>,
) -> Result<CheckReport, Violation> {
  let Ok(inp) = serde_json::from_str::<Value>(input) else {
    return if input == output {
      Ok(CheckReport::default())
    } else {
      Err(v("", "input is not JSON and the output differs from it"))
    };
  };
  let out: Value =
    serde_json::from_str(output).map_err(|e| v("", format!("output is not JSON: {e}")))?;
  let mut c = Checker {
    input,
    fetch,
    cache: FxHashMap::default(),
    report: CheckReport::default(),
    omitted: FxHashMap::default(),
  };
  c.cmp(&inp, &out, "")?;
  let mut om: Vec<(String, usize)> = c.omitted.into_iter().collect();
  om.sort();
  c.report.omitted = om;
  Ok(c.report)
}

fn collect(v: &Value, set: &mut FxHashSet<String>) {
  set.insert(to_json(v));
  match v {
    Value::Array(a) => a.iter().for_each(|x| collect(x, set)),
    Value::Object(m) => m.values().for_each(|x| collect(x, set)),
    Value::String(s) if crate::strings::looks_like_json(s) => {
      if let Ok(inner) = serde_json::from_str::<Value>(s) {
        collect(&inner, set);
      }
    }
    _ => {}
  }
}

fn resolve<'v>(v: &'v Value, path: &str) -> Option<&'v Value> {
  let mut cur = v;
  for p in path.split('.') {
    cur = cur.as_object()?.get(p)?;
  }
  Some(cur)
}

impl Checker<'_> {
  fn marker(
    &mut self,
    m: &ParsedMarker<'_>,
    covered: &[&Value],
    path: &str,
  ) -> Result<(), Violation> {
    self.report.markers += 1;
    *self.omitted.entry(m.unit.to_string()).or_default() += m.omitted;
    if !self.report.hashes.iter().any(|h| h == m.hash) {
      self.report.hashes.push(m.hash.to_string());
    }
    if !self.cache.contains_key(m.hash) {
      let bytes = (self.fetch)(m.hash).ok_or_else(|| {
        v(
          path,
          format!("marker hash {} has no stored original", m.hash),
        )
      })?;
      let cov = if bytes == self.input.as_bytes() {
        Coverage::Full
      } else {
        let text =
          std::str::from_utf8(&bytes).map_err(|_| v(path, "stored original is not UTF-8"))?;
        let doc: Value = serde_json::from_str(text)
          .map_err(|_| v(path, "stored original is neither the input nor JSON"))?;
        let mut set = FxHashSet::default();
        collect(&doc, &mut set);
        Coverage::Values(set)
      };
      self.cache.insert(m.hash.to_string(), cov);
    }
    if let Some(Coverage::Values(set)) = self.cache.get(m.hash) {
      for item in covered {
        if !set.contains(&to_json(item)) {
          return Err(v(
            path,
            format!("omitted value not in the stored original {}", m.hash),
          ));
        }
      }
    }
    Ok(())
  }

  fn breakdown(
    &self,
    m: &ParsedMarker<'_>,
    omitted: &[&Value],
    path: &str,
  ) -> Result<(), Violation> {
    let Some(b) = m.breakdown else { return Ok(()) };
    let mut sum = 0usize;
    for part in b.split(", ") {
      let (n, what) = part
        .split_once(' ')
        .ok_or_else(|| v(path, format!("bad breakdown entry {part:?}")))?;
      let n: usize = n
        .parse()
        .map_err(|_| v(path, format!("bad breakdown count {part:?}")))?;
      sum += n;
      if what == "other" {
        continue;
      }
      let (field, value) = what
        .split_once('=')
        .ok_or_else(|| v(path, format!("bad breakdown entry {part:?}")))?;
      let actual = omitted
        .iter()
        .filter(|r| {
          resolve(r, field)
            .and_then(value_label)
            .is_some_and(|l| l == value)
        })
        .count();
      if actual != n {
        return Err(v(
          path,
          format!("breakdown says {n} {field}={value}, omitted rows hold {actual}"),
        ));
      }
    }
    if sum != m.omitted {
      return Err(v(
        path,
        format!("breakdown sums to {sum}, marker omits {}", m.omitted),
      ));
    }
    Ok(())
  }

  fn array(
    &mut self,
    inp: &[Value],
    out: &[Value],
    path: &str,
    rows_total: Option<usize>,
  ) -> Result<(), Violation> {
    let n = inp.len();
    if let Some(t) = rows_total.filter(|&t| t != n) {
      return Err(v(path, format!("table says {t} rows, source has {n}")));
    }
    let mut i = 0;
    let mut kept = 0;
    let mut omitted = 0;
    for (j, o) in out.iter().enumerate() {
      let as_marker = match o {
        Value::String(s) if inp.get(i).is_none_or(|x| x.as_str() != Some(s)) => parse_marker(s),
        _ => None,
      };
      match as_marker {
        Some(m) => {
          if m.unit != "rows" && m.unit != "items" {
            return Err(v(path, format!("array marker in unit {:?}", m.unit)));
          }
          if m.total != n {
            return Err(v(
              path,
              format!("marker total {} but the array has {n} items", m.total),
            ));
          }
          if m.omitted == 0 || i + m.omitted > n {
            return Err(v(
              path,
              format!("marker omits {} items at {i} of {n}", m.omitted),
            ));
          }
          let gone: Vec<&Value> = inp[i..i + m.omitted].iter().collect();
          self.breakdown(&m, &gone, path)?;
          self.marker(&m, &gone, path)?;
          i += m.omitted;
          omitted += m.omitted;
        }
        None => {
          let x = inp
            .get(i)
            .ok_or_else(|| v(path, format!("output item {j} has no source item")))?;
          self.cmp(x, o, &format!("{path}/{i}"))?;
          i += 1;
          kept += 1;
        }
      }
    }
    if kept + omitted != n || i != n {
      return Err(v(
        path,
        format!("kept {kept} + omitted {omitted} != total {n}"),
      ));
    }
    Ok(())
  }

  fn object(
    &mut self,
    inp: &Map<String, Value>,
    out: &Map<String, Value>,
    path: &str,
  ) -> Result<(), Violation> {
    let keys: Vec<(&String, &Value)> = inp.iter().collect();
    let mut i = 0;
    let mut skipped: Vec<&Value> = Vec::new();
    let mut mark: Option<String> = None;
    for (k, o) in out {
      if k == OMITTED_KEY && !inp.contains_key(OMITTED_KEY) {
        let s = o
          .as_str()
          .ok_or_else(|| v(path, "$omitted is not a string"))?;
        mark = Some(s.to_string());
        continue;
      }
      while i < keys.len() && keys[i].0 != k {
        skipped.push(keys[i].1);
        i += 1;
      }
      if i == keys.len() {
        return Err(v(
          path,
          format!("output key {k:?} is not in the source (or out of order)"),
        ));
      }
      self.cmp(keys[i].1, o, &format!("{path}/{k}"))?;
      i += 1;
    }
    skipped.extend(keys[i..].iter().map(|kv| kv.1));
    match mark {
      None if skipped.is_empty() => Ok(()),
      None => Err(v(
        path,
        format!("{} keys missing without a marker", skipped.len()),
      )),
      Some(s) => {
        let m = parse_marker(&s).ok_or_else(|| v(path, "$omitted does not hold a marker"))?;
        if m.unit != "keys" || m.total != inp.len() || m.omitted != skipped.len() {
          return Err(v(
            path,
            format!(
              "key marker says {} of {} {}, source has {} keys and {} are missing",
              m.omitted,
              m.total,
              m.unit,
              inp.len(),
              skipped.len()
            ),
          ));
        }
        self.marker(&m, &skipped, path)
      }
    }
  }

  fn cmp(&mut self, inp: &Value, out: &Value, path: &str) -> Result<(), Violation> {
    if let Value::Array(a) = inp
      && let Some(t) = table::parse(out).map_err(|e| v(path, e))?
    {
      let mut rows = Vec::with_capacity(t.data.len());
      for e in t.data {
        match e {
          Value::Array(cells) => rows.push(
            t.row(cells, &mut |x| Ok(x.clone()))
              .map_err(|e| v(path, e))?,
          ),
          Value::String(_) => rows.push(e.clone()),
          _ => return Err(v(path, "table data entry is neither a row nor a marker")),
        }
      }
      return self.array(a, &rows, path, Some(t.rows));
    }
    match (inp, out) {
      (Value::Array(a), Value::Array(b)) => self.array(a, b, path, None),
      (Value::Object(a), Value::Object(b)) => self.object(a, b, path),
      (Value::String(a), Value::String(b)) => {
        if a == b {
          return Ok(());
        }
        if let Some((at, m)) = find_marker_suffix(b) {
          let keep = &b[..at];
          if m.unit == "bytes"
            && a.starts_with(keep)
            && m.total == a.len()
            && keep.len() + m.omitted == m.total
          {
            return self.marker(&m, &[inp], path);
          }
        }
        match (
          serde_json::from_str::<Value>(a),
          serde_json::from_str::<Value>(b),
        ) {
          (Ok(x), Ok(y)) if x.is_object() || x.is_array() => {
            self.cmp(&x, &y, &format!("{path}(json)"))
          }
          _ => Err(v(path, "string changed without a marker")),
        }
      }
      _ if same(inp, out) => Ok(()),
      _ => Err(v(
        path,
        format!(
          "value changed: {} -> {}",
          trunc(&to_json(inp)),
          trunc(&to_json(out))
        ),
      )),
    }
  }
}

fn trunc(s: &str) -> &str {
  crate::strings::prefix(s, 80)
}

/// A short label for a scalar (as [`crate::analyze::label`] writes it), `None` for containers.
fn value_label(v: &Value) -> Option<std::borrow::Cow<'_, str>> {
  match v {
    Value::String(s) => Some(s.as_str().into()),
    Value::Number(n) => Some(n.as_str().into()),
    Value::Bool(b) => Some(if *b { "true" } else { "false" }.into()),
    Value::Null => Some("null".into()),
    _ => None,
  }
}
