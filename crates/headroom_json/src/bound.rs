//! A lower bound on the tokens of the best lossless form of an array, found without
//! rendering it, and usually after looking at only part of the array.
//!
//! A lossy form is accepted only when it saves enough over the best lossless form of the
//! same array (its minified JSON, or its table). Rendering both forms of a 1 MB array and
//! scanning them costs more than the rest of a first-sight call, while a sample of 30 kept
//! rows is obviously far smaller. [`lossless_at_least`] proves that cheaply in most cases.
//!
//! ## Why the bound holds
//!
//! [`headroom_tokens::lower_bound`] counts *units* (letter runs and digit runs) of which
//! each needs a token of its own. Units never cross an ASCII byte that is neither a letter
//! nor a digit nor `'`, which is what every JSON separator is (`"`, `,`, `:`, `[`, `]`,
//! `{`, `}`). So the units of a rendered form are the units of its parts added up, and any
//! set of parts that occur at distinct places in the form gives a lower bound.
//!
//! - A scalar's rendering holds at least the units of its text: numbers keep their source
//!   text, `true`/`false`/`null` are one unit, and a string's escapes only ever add units
//!   (an escape starts with `\`, so it cannot join two runs).
//! - The minified form holds every scalar of every item.
//! - The table form holds, for each schema, every cell of its first row (in `data` or in
//!   `const`), and, for every other row, each cell that differs from the first row's cell
//!   in that column (such a column is not constant, so its cells are all in `data`).
//!
//! The schemas are bucketed exactly as [`crate::crush`]'s table builder buckets them
//! (flattened key paths, the `nest` rule, the schema cap and its fallback to unflattened
//! columns), so the cells counted really are at distinct places of the table that would be
//! built. Every counted part is also in the minified form, so the bound holds for both.

use crate::table::{MAX_FLATTEN_DEPTH, MAX_FLATTEN_KEYS, TABLE_KEY};
use crate::value::JVal;
use headroom_tokens::lower_bound;
use rustc_hash::FxHashMap;
use std::borrow::Cow;

/// Whether the best lossless form of `items` (minified JSON, or a table when `tables` and
/// the items are all objects) has at least `need` tokens. `false` means "not proven", not
/// "fewer": the caller then counts exactly.
pub fn lossless_at_least(items: &[JVal<'_>], rows: bool, tables: bool, need: usize) -> bool {
  if need == 0 {
    return true;
  }
  if !(rows && tables) {
    return plain_at_least(items, need);
  }
  let objects: Vec<&[(Cow<'_, str>, JVal<'_>)]> = items
    .iter()
    .filter_map(|x| match x {
      JVal::Obj(m) => Some(m.as_slice()),
      _ => None,
    })
    .collect();
  let nest = !objects.iter().any(|m| has_dotted_key(m, 0));
  let max_schemas = (objects.len() / 2).clamp(2, 64);
  // The table builder tries the flattened columns first and falls back to top-level
  // columns when they give too many schemas; with neither, there is no table at all.
  let first_try = Buckets::new(&objects, nest, max_schemas).map(|b| (b, nest));
  let table = if nest {
    first_try.or_else(|| Buckets::new(&objects, false, max_schemas).map(|b| (b, false)))
  } else {
    first_try
  };
  match table {
    Some((b, n)) => table_at_least(&objects, &b, n, need),
    None => plain_at_least(items, need),
  }
}

/// The minified form: every scalar (and every key) of every item.
fn plain_at_least(items: &[JVal<'_>], need: usize) -> bool {
  let mut sum = 0;
  for x in items {
    sum += units(x, true);
    if sum >= need {
      return true;
    }
  }
  false
}

/// Units of `v`'s rendering: its scalars, and its keys when `keys`.
fn units(v: &JVal<'_>, keys: bool) -> usize {
  match v {
    JVal::Null | JVal::Bool(_) => 1,
    JVal::Num(t) | JVal::Str(t) => lower_bound(t),
    JVal::Arr(a) => a.iter().map(|x| units(x, keys)).sum(),
    JVal::Obj(m) => m
      .iter()
      .map(|(k, x)| units(x, keys) + if keys { lower_bound(k) } else { 0 })
      .sum(),
  }
}

/// The object as the table builder flattens it, if it does at this depth (the same rule as
/// `crush::flattenable`).
fn flattenable<'v, 'a>(v: &'v JVal<'a>, depth: usize) -> Option<&'v [(Cow<'a, str>, JVal<'a>)]> {
  match v {
    JVal::Obj(m)
      if depth < MAX_FLATTEN_DEPTH
        && !m.is_empty()
        && m.len() <= MAX_FLATTEN_KEYS
        && !(m.len() == 1 && m[0].0 == TABLE_KEY) =>
    {
      Some(m)
    }
    _ => None,
  }
}

fn has_dotted_key(m: &[(Cow<'_, str>, JVal<'_>)], depth: usize) -> bool {
  m.iter().any(|(k, x)| {
    k.contains('.') || flattenable(x, depth + 1).is_some_and(|c| has_dotted_key(c, depth + 1))
  })
}

/// Appends the cells of one row (leaves in flattening order) and its schema key, spelled as
/// the table builder spells it (`path\0` per column), so rows share a schema here exactly
/// when they share one there.
fn flatten<'v, 'a>(
  m: &'v [(Cow<'a, str>, JVal<'a>)],
  path: &mut String,
  depth: usize,
  nest: bool,
  key: &mut String,
  cells: &mut Vec<&'v JVal<'a>>,
) {
  for (k, x) in m {
    let len = path.len();
    if depth > 0 {
      path.push('.');
    }
    path.push_str(k);
    match flattenable(x, depth + 1).filter(|_| nest) {
      Some(child) => flatten(child, path, depth + 1, nest, key, cells),
      None => {
        key.push_str(path);
        key.push('\0');
        cells.push(x);
      }
    }
    path.truncate(len);
  }
}

/// One row's schema key and cells.
fn row<'v, 'a>(
  m: &'v [(Cow<'a, str>, JVal<'a>)],
  nest: bool,
  bufs: &mut (String, String),
  cells: &mut Vec<&'v JVal<'a>>,
) {
  bufs.0.clear();
  bufs.1.clear();
  cells.clear();
  flatten(m, &mut bufs.1, 0, nest, &mut bufs.0, cells);
}

/// Which schema each row belongs to.
struct Buckets {
  schema: Vec<usize>,
}

impl Buckets {
  /// `None` when the rows have more schemas than the table builder accepts.
  fn new(rows: &[&[(Cow<'_, str>, JVal<'_>)]], nest: bool, max_schemas: usize) -> Option<Self> {
    let mut index: FxHashMap<String, usize> = FxHashMap::default();
    let mut schema = Vec::with_capacity(rows.len());
    let (mut bufs, mut cells) = ((String::new(), String::new()), Vec::new());
    for m in rows {
      row(m, nest, &mut bufs, &mut cells);
      let n = index.len();
      let si = match index.get(bufs.0.as_str()) {
        Some(&si) => si,
        None if n >= max_schemas => return None,
        None => *index.entry(bufs.0.clone()).or_insert(n),
      };
      schema.push(si);
    }
    Some(Buckets { schema })
  }
}

fn table_at_least(
  rows: &[&[(Cow<'_, str>, JVal<'_>)]],
  b: &Buckets,
  nest: bool,
  need: usize,
) -> bool {
  let mut first: FxHashMap<usize, Vec<&JVal<'_>>> = FxHashMap::default();
  let (mut bufs, mut cells) = ((String::new(), String::new()), Vec::new());
  let mut sum = 0;
  for (m, &si) in rows.iter().zip(&b.schema) {
    row(m, nest, &mut bufs, &mut cells);
    match first.get(&si) {
      None => {
        sum += cells.iter().map(|c| units(c, true)).sum::<usize>();
        first.insert(si, cells.clone());
      }
      Some(f) => {
        sum += cells
          .iter()
          .zip(f)
          .filter(|(c, f)| c != f)
          .map(|(c, _)| units(c, true))
          .sum::<usize>();
      }
    }
    if sum >= need {
      return true;
    }
  }
  false
}

#[cfg(test)]
mod tests {
  use super::*;
  use crate::value::parse;
  use proptest::prelude::{Just, Strategy, prop, prop_oneof};

  fn items(text: &str) -> Vec<JVal<'_>> {
    match parse(text).unwrap() {
      JVal::Arr(a) => a,
      _ => panic!("not an array"),
    }
  }

  /// The lossless forms the bound stands for: the minified array and, where there is one,
  /// its table.
  fn forms(items: &[JVal<'_>], rows: bool, tables: bool) -> Vec<String> {
    let mut plain = String::new();
    crate::crush::write_value(&mut plain, &JVal::Arr(items.to_vec()));
    let t: Vec<crate::crush::TItem<'_, '_>> =
      items.iter().map(crate::crush::TItem::Source).collect();
    let table = (rows && tables)
      .then(|| crate::crush::build_table(&t, items.len()))
      .flatten();
    std::iter::once(plain).chain(table).collect()
  }

  /// The units of `headroom_tokens::bound`, counted plainly: ASCII letters that start a run
  /// of letters, `'` and non-ASCII bytes, plus digit runs with an ASCII non-digit (or the
  /// text's edge) on both sides.
  fn reference_units(text: &str) -> usize {
    let b = text.as_bytes();
    let w = |c: u8| c.is_ascii_alphabetic() || c == b'\'' || c >= 0x80;
    let mut n = 0;
    for i in 0..b.len() {
      if b[i].is_ascii_alphabetic() && (i == 0 || !w(b[i - 1])) {
        n += 1;
      }
      if b[i].is_ascii_digit() && (i == 0 || (b[i - 1].is_ascii() && !b[i - 1].is_ascii_digit())) {
        let end = (i..b.len())
          .find(|&j| !b[j].is_ascii_digit())
          .unwrap_or(b.len());
        n += usize::from(end == b.len() || b[end].is_ascii());
      }
    }
    n
  }

  fn scalar() -> impl Strategy<Value = String> {
    prop_oneof![
      Just("null".to_string()),
      Just("true".to_string()),
      Just("\"ok\"".to_string()),
      Just("\"a\\nb 12\\u00e9x\"".to_string()),
      Just("\"1é2 ab'c\"".to_string()),
      Just("\"\\ud83d\\ude00z9\"".to_string()),
      (0u32..50).prop_map(|n| n.to_string()),
      (0u32..1000).prop_map(|n| format!("-{n}.5e+3")),
      "[a-z0-9 é]{0,12}".prop_map(|s| format!("\"{s}\"")),
    ]
  }

  fn value() -> impl Strategy<Value = String> {
    scalar().prop_recursive(3, 24, 4, |inner| {
      prop_oneof![
        prop::collection::vec(inner.clone(), 0..4).prop_map(|v| format!("[{}]", v.join(","))),
        prop::collection::vec((key(), inner), 0..10).prop_map(|kv| object(&kv)),
      ]
    })
  }

  fn key() -> impl Strategy<Value = String> {
    prop_oneof![
      Just("id".to_string()),
      Just("meta".to_string()),
      Just("a.b".to_string()),
      Just("$table".to_string()),
      "[a-e]".prop_map(String::from),
    ]
  }

  fn object(kv: &[(String, String)]) -> String {
    let body: Vec<String> = kv.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
    format!("{{{}}}", body.join(","))
  }

  /// A value from a small set, so rows often share it (constant columns).
  fn small() -> impl Strategy<Value = String> {
    prop_oneof![
      Just("null".to_string()),
      Just("1".to_string()),
      Just("\"ok\"".to_string()),
      Just("\"é0é\"".to_string()),
    ]
  }

  /// Rows of a few shapes (nested objects to flatten, a dotted key, a `$table` key) with
  /// values from a small set, and free-form rows.
  fn row() -> impl Strategy<Value = String> {
    prop_oneof![
      3 => (small(), small(), small())
        .prop_map(|(a, b, c)| format!(r#"{{"id":{a},"meta":{{"x":{b},"y":{c}}}}}"#)),
      2 => (small(), small()).prop_map(|(a, b)| format!(r#"{{"id":{a},"a.b":{b}}}"#)),
      1 => small().prop_map(|a| format!(r#"{{"c":{a},"meta":{{"$table":{a}}}}}"#)),
      2 => prop::collection::vec((key(), value()), 0..6).prop_map(|kv| object(&kv)),
    ]
  }

  fn array() -> impl Strategy<Value = String> {
    prop_oneof![
      4 => prop::collection::vec(row(), 0..40),
      // Runs of one repeated row, so schemas have constant columns.
      4 => prop::collection::vec((row(), 1..12usize), 1..5).prop_map(|runs| {
        runs.into_iter().flat_map(|(r, n)| std::iter::repeat_n(r, n)).collect()
      }),
      1 => prop::collection::vec(value(), 0..20),
    ]
    .prop_map(|v| format!("[{}]", v.join(",")))
  }

  proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(400))]

    /// Never proves more than the units of either lossless form, which are at most its
    /// exact tokens.
    #[test]
    fn never_exceeds_the_units_of_either_form(text in array(), tables in proptest::bool::ANY) {
      let v = items(&text);
      let rows = v.len() >= 2 && v.iter().all(JVal::is_object);
      for form in forms(&v, rows, tables) {
        let units = reference_units(&form);
        proptest::prop_assert!(units <= crate::render::tokens(&form));
        proptest::prop_assert!(!lossless_at_least(&v, rows, tables, units + 1), "{} {}", text, form);
      }
    }
  }

  #[test]
  fn proves_large_arrays_and_declines_when_the_need_is_above_the_bound() {
    let text = format!(
      "[{}]",
      (0..200)
        .map(|i| format!(r#"{{"id":{i},"name":"user {i} alpha","team":"core"}}"#))
        .collect::<Vec<_>>()
        .join(",")
    );
    let v = items(&text);
    assert!(lossless_at_least(&v, true, true, 300));
    // The constant `team` column counts once, so the bound is well under the plain form.
    assert!(!lossless_at_least(&v, true, true, 1_000_000));
    assert!(lossless_at_least(&v, true, false, 700));
  }
}
