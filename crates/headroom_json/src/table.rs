//! The lossless table form of an array of objects, and its exact inverse.
//!
//! See the crate documentation for the grammar. Building is one pass over the rows plus a
//! per-schema constant scan; expansion is one pass over the data.

use rustc_hash::FxHashMap;
use serde_json::{Map, Value};

/// The key of a table object: `{"$table": {...}}`.
pub const TABLE_KEY: &str = "$table";
/// Nested objects are flattened at most this deep.
pub(crate) const MAX_FLATTEN_DEPTH: usize = 3;
/// Nested objects with more keys than this stay one cell.
pub(crate) const MAX_FLATTEN_KEYS: usize = 8;
/// Schemas with at least this many rows get constant columns factored out.
pub(crate) const MIN_ROWS_FOR_CONST: usize = 3;

/// One entry of a table's data: a row object, or a marker standing for omitted rows.
pub enum Item<'a> {
  /// A kept row.
  Row(&'a Map<String, Value>),
  /// A marker string (lossy forms only).
  Marker(String),
}

/// Order-sensitive equality (serde_json's map equality ignores key order).
pub fn same(a: &Value, b: &Value) -> bool {
  match (a, b) {
    (Value::Object(x), Value::Object(y)) => {
      x.len() == y.len()
        && x
          .iter()
          .zip(y)
          .all(|((k1, v1), (k2, v2))| k1 == k2 && same(v1, v2))
    }
    (Value::Array(x), Value::Array(y)) => {
      x.len() == y.len() && x.iter().zip(y).all(|(v1, v2)| same(v1, v2))
    }
    _ => a == b,
  }
}

fn is_table(m: &Map<String, Value>) -> bool {
  m.len() == 1 && m.contains_key(TABLE_KEY)
}

fn flattenable(v: &Value, depth: usize) -> Option<&Map<String, Value>> {
  match v {
    Value::Object(m)
      if depth < MAX_FLATTEN_DEPTH
        && !m.is_empty()
        && m.len() <= MAX_FLATTEN_KEYS
        && !is_table(m) =>
    {
      Some(m)
    }
    _ => None,
  }
}

fn has_dotted_key(m: &Map<String, Value>, depth: usize) -> bool {
  m.iter().any(|(k, v)| {
    k.contains('.') || flattenable(v, depth + 1).is_some_and(|c| has_dotted_key(c, depth + 1))
  })
}

fn flatten<'v>(
  m: &'v Map<String, Value>,
  prefix: &str,
  depth: usize,
  nest: bool,
  out: &mut Vec<(String, &'v Value)>,
) {
  for (k, v) in m {
    let path = if depth == 0 {
      k.clone()
    } else {
      format!("{prefix}.{k}")
    };
    match flattenable(v, depth + 1).filter(|_| nest) {
      Some(child) => flatten(child, &path, depth + 1, nest, out),
      None => out.push((path, v)),
    }
  }
}

struct Schema {
  cols: Vec<String>,
  rows: Vec<usize>,
  konst: Vec<bool>,
}

/// Builds the table form of `items` (`total` = rows in the source array). `None` when the
/// rows are too heterogeneous for a table to make sense.
pub fn build(items: &[Item<'_>], total: usize) -> Option<Value> {
  let rows: Vec<&Map<String, Value>> = items
    .iter()
    .filter_map(|i| match i {
      Item::Row(m) => Some(*m),
      Item::Marker(_) => None,
    })
    .collect();
  if rows.is_empty() {
    return None;
  }
  let nest = !rows.iter().any(|m| has_dotted_key(m, 0));
  build_with(items, &rows, total, nest).or_else(|| {
    if nest {
      build_with(items, &rows, total, false)
    } else {
      None
    }
  })
}

fn build_with(
  items: &[Item<'_>],
  rows: &[&Map<String, Value>],
  total: usize,
  nest: bool,
) -> Option<Value> {
  let max_schemas = (rows.len() / 2).clamp(2, 64);
  let mut index: FxHashMap<String, usize> = FxHashMap::default();
  let mut schemas: Vec<Schema> = Vec::new();
  let mut flat: Vec<(usize, Vec<&Value>)> = Vec::with_capacity(rows.len());
  let mut buf = Vec::new();
  for (ri, m) in rows.iter().enumerate() {
    buf.clear();
    flatten(m, "", 0, nest, &mut buf);
    let mut key = String::new();
    for (c, _) in &buf {
      key.push_str(c);
      key.push('\u{0}');
    }
    let si = match index.get(&key) {
      Some(&si) => si,
      None => {
        if schemas.len() >= max_schemas {
          return None;
        }
        schemas.push(Schema {
          cols: buf.iter().map(|(c, _)| c.clone()).collect(),
          rows: Vec::new(),
          konst: Vec::new(),
        });
        index.insert(key, schemas.len() - 1);
        schemas.len() - 1
      }
    };
    schemas[si].rows.push(ri);
    flat.push((si, buf.iter().map(|(_, v)| *v).collect()));
  }
  for s in &mut schemas {
    s.konst = vec![false; s.cols.len()];
    if s.rows.len() >= MIN_ROWS_FOR_CONST {
      let first = &flat[s.rows[0]].1;
      for (j, k) in s.konst.iter_mut().enumerate() {
        *k = s.rows.iter().all(|&r| same(flat[r].1[j], first[j]));
      }
    }
  }
  let multi = schemas.len() > 1;
  let mut data = Vec::with_capacity(items.len());
  let mut ri = 0;
  for it in items {
    match it {
      Item::Marker(m) => data.push(Value::String(m.clone())),
      Item::Row(_) => {
        let (si, vals) = &flat[ri];
        ri += 1;
        let s = &schemas[*si];
        let mut row = Vec::with_capacity(vals.len() + 1);
        if multi {
          row.push(Value::from(*si));
        }
        row.extend(
          vals
            .iter()
            .zip(&s.konst)
            .filter(|(_, k)| !**k)
            .map(|(v, _)| (*v).clone()),
        );
        data.push(Value::Array(row));
      }
    }
  }
  let schema_obj = |s: &Schema, t: &mut Map<String, Value>| {
    t.insert(
      "cols".into(),
      Value::Array(s.cols.iter().map(|c| Value::String(c.clone())).collect()),
    );
    if s.konst.iter().any(|&k| k) {
      let first = &flat[s.rows[0]].1;
      let c: Map<String, Value> = s
        .cols
        .iter()
        .zip(&s.konst)
        .enumerate()
        .filter(|(_, (_, k))| **k)
        .map(|(j, (c, _))| (c.clone(), first[j].clone()))
        .collect();
      t.insert("const".into(), Value::Object(c));
    }
  };
  let mut t = Map::new();
  t.insert("rows".into(), Value::from(total));
  if !nest {
    t.insert("paths".into(), Value::Bool(false));
  }
  if multi {
    let list = schemas
      .iter()
      .map(|s| {
        let mut o = Map::new();
        schema_obj(s, &mut o);
        Value::Object(o)
      })
      .collect();
    t.insert("schemas".into(), Value::Array(list));
  } else {
    schema_obj(&schemas[0], &mut t);
  }
  t.insert("data".into(), Value::Array(data));
  let mut outer = Map::new();
  outer.insert(TABLE_KEY.into(), Value::Object(t));
  Some(Value::Object(outer))
}

/// A parsed table: per-schema columns and constants, and the data entries.
pub struct Parsed<'a> {
  /// Total rows of the source array.
  pub rows: usize,
  /// Whether column names are `.`-separated paths.
  pub paths: bool,
  /// `(cols, const)` per schema.
  pub schemas: Vec<SchemaRef<'a>>,
  /// Data entries: row arrays and marker strings.
  pub data: &'a [Value],
}

/// One schema of a parsed table: its columns and its constants.
pub type SchemaRef<'a> = (Vec<&'a str>, Option<&'a Map<String, Value>>);

fn parse_schema(o: &Map<String, Value>) -> Result<SchemaRef<'_>, String> {
  let cols = o
    .get("cols")
    .and_then(Value::as_array)
    .ok_or("table schema without cols")?
    .iter()
    .map(|c| c.as_str().ok_or("column name is not a string"))
    .collect::<Result<Vec<_>, _>>()?;
  let konst = match o.get("const") {
    None => None,
    Some(Value::Object(c)) => Some(c),
    Some(_) => return Err("table const is not an object".into()),
  };
  Ok((cols, konst))
}

/// Parses `{"$table": {...}}`; `Ok(None)` if `v` is not a table object.
pub fn parse(v: &Value) -> Result<Option<Parsed<'_>>, String> {
  let Some(m) = v.as_object().filter(|m| is_table(m)) else {
    return Ok(None);
  };
  let t = m[TABLE_KEY].as_object().ok_or("$table is not an object")?;
  let rows = t
    .get("rows")
    .and_then(Value::as_u64)
    .ok_or("$table.rows missing")? as usize;
  let paths = t.get("paths").and_then(Value::as_bool).unwrap_or(true);
  let schemas = match t.get("schemas") {
    Some(Value::Array(list)) => list
      .iter()
      .map(|s| {
        s.as_object()
          .ok_or_else(|| "schema is not an object".to_string())
          .and_then(parse_schema)
      })
      .collect::<Result<Vec<_>, _>>()?,
    Some(_) => return Err("$table.schemas is not an array".into()),
    None => vec![parse_schema(t)?],
  };
  let data = t
    .get("data")
    .and_then(Value::as_array)
    .ok_or("$table.data missing")?;
  Ok(Some(Parsed {
    rows,
    paths,
    schemas,
    data,
  }))
}

impl Parsed<'_> {
  /// Rebuilds one row object from a data entry (an array); `expand` is applied to each
  /// cell and constant (tables nest).
  pub fn row(
    &self,
    entry: &[Value],
    expand: &mut dyn FnMut(&Value) -> Result<Value, String>,
  ) -> Result<Value, String> {
    let multi = self.schemas.len() > 1;
    let (si, cells) = if multi {
      let si = entry
        .first()
        .and_then(Value::as_u64)
        .ok_or("row without schema index")? as usize;
      (si, &entry[1..])
    } else {
      (0, entry)
    };
    let (cols, konst) = self.schemas.get(si).ok_or("schema index out of range")?;
    let mut cells = cells.iter();
    let mut out = Map::new();
    for c in cols {
      let v = match konst.and_then(|k| k.get(*c)) {
        Some(v) => expand(v)?,
        None => expand(cells.next().ok_or("row has too few cells")?)?,
      };
      if self.paths {
        insert_path(&mut out, c, v)?;
      } else {
        out.insert((*c).to_string(), v);
      }
    }
    if cells.next().is_some() {
      return Err("row has too many cells".into());
    }
    Ok(Value::Object(out))
  }
}

fn insert_path(out: &mut Map<String, Value>, path: &str, v: Value) -> Result<(), String> {
  let mut parts = path.split('.').peekable();
  let mut cur = out;
  while let Some(p) = parts.next() {
    if parts.peek().is_none() {
      cur.insert(p.to_string(), v);
      return Ok(());
    }
    let next = cur
      .entry(p.to_string())
      .or_insert_with(|| Value::Object(Map::new()));
    cur = next
      .as_object_mut()
      .ok_or("column path crosses a non-object")?;
  }
  Ok(())
}

#[cfg(test)]
mod tests {
  use super::*;
  use serde_json::json;

  fn round_trip(v: Value) {
    let rows: Vec<&Map<String, Value>> = v
      .as_array()
      .unwrap()
      .iter()
      .map(|r| r.as_object().unwrap())
      .collect();
    let items: Vec<Item<'_>> = rows.iter().map(|r| Item::Row(r)).collect();
    let t = build(&items, rows.len()).expect("table");
    let p = parse(&t).unwrap().unwrap();
    let back: Vec<Value> = p
      .data
      .iter()
      .map(|e| {
        p.row(e.as_array().unwrap(), &mut |v| Ok(v.clone()))
          .unwrap()
      })
      .collect();
    assert!(
      same(&Value::Array(back), &v),
      "{}",
      crate::render::to_json(&t)
    );
  }

  #[test]
  fn uniform_nested_and_heterogeneous() {
    round_trip(json!([
      {"id": 1, "a": {"x": 1, "y": {"z": 2}}, "s": "ok"},
      {"id": 2, "a": {"x": 3, "y": {"z": 4}}, "s": "ok"},
      {"id": 3, "a": {"x": 5, "y": {"z": 4}}, "s": "ok"},
      {"s": "bad", "id": 4, "a": {}},
    ]));
    round_trip(json!([{"a.b": 1, "c": {"d": 2}}, {"a.b": 1, "c": {"d": 3}}]));
    round_trip(json!([{}, {}, {}]));
  }

  #[test]
  fn constants_are_factored() {
    let v = json!([{"k": "same", "n": 1}, {"k": "same", "n": 2}, {"k": "same", "n": 3}]);
    let rows: Vec<&Map<String, Value>> = v
      .as_array()
      .unwrap()
      .iter()
      .map(|r| r.as_object().unwrap())
      .collect();
    let items: Vec<Item<'_>> = rows.iter().map(|r| Item::Row(r)).collect();
    let t = crate::render::to_json(&build(&items, 3).unwrap());
    assert_eq!(
      t,
      r#"{"$table":{"rows":3,"cols":["k","n"],"const":{"k":"same"},"data":[[1],[2],[3]]}}"#
    );
  }
}
