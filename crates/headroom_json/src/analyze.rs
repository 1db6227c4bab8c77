//! One pass over the items of an array: per-field variance and the must-keep signals.
//!
//! A row's *leaves* are its scalar values (and arrays, taken whole), keyed by path; nested
//! objects are walked two levels deep with `.`-joined paths. A scalar item is one leaf with
//! the empty path, so arrays of strings, numbers and mixed values use the same analysis.
//!
//! Signals (each a list of row indices, in order):
//! - **errors**: an error-like field (`error`, `exception`, ...) with a truthy value; a
//!   status-like field (`status`, `level`, `severity`, ...) whose value names an error; an
//!   HTTP-like code in 400..=599; or an error keyword in any string, unless that is true of
//!   more than 30% of the rows (then it is not a signal);
//! - **rare**: rows holding a field present in under 20% of rows, or a categorical value
//!   held by at most 5% of rows;
//! - **outliers**: numeric values more than 2 sigma from the field's mean (per field, the
//!   largest |z| first, capped);
//! - **change points**: a shift of more than 2 sigma between the means of the 5 values
//!   before and the 5 values from a position (local maxima only, capped).

use crate::error_words::has_error_word;
use crate::value::JVal;
use rustc_hash::FxHashMap;

/// Distinct values tracked per field before it counts as high-cardinality.
const MAX_DISTINCT: usize = 64;
/// Keywords that make a string an error signal.
pub const ERROR_KEYWORDS: &[&str] = &[
  "error",
  "errors",
  "exception",
  "failed",
  "failure",
  "fail",
  "fatal",
  "critical",
  "crash",
  "crashed",
  "panic",
  "abort",
  "aborted",
  "timeout",
  "timedout",
  "denied",
  "rejected",
  "refused",
  "unavailable",
  "econnrefused",
];
const ERROR_FIELDS: &[&str] = &[
  "error",
  "errors",
  "exception",
  "err",
  "stacktrace",
  "stack_trace",
  "traceback",
  "error_code",
  "error_message",
  "failure",
  "fault",
];
const STATUS_FIELDS: &[&str] = &[
  "status",
  "level",
  "severity",
  "state",
  "result",
  "outcome",
  "log_level",
  "loglevel",
  "lvl",
  "conclusion",
];
const CODE_FIELDS: &[&str] = &[
  "status",
  "status_code",
  "statuscode",
  "code",
  "http_status",
  "http_code",
];
/// Field names preferred for the marker breakdown, best first.
const BREAKDOWN_PREF: &[&str] = &[
  "level",
  "status",
  "severity",
  "log_level",
  "state",
  "type",
  "kind",
  "category",
  "result",
  "outcome",
];

/// Statistics of one field (leaf path).
#[derive(Debug, Default)]
pub struct Field {
  /// Leaf path (`a.b`), empty for scalar items.
  pub path: String,
  /// Rows holding the field.
  pub present: usize,
  /// Value label → (count, index in `order`), for up to [`MAX_DISTINCT`] distinct labels.
  pub counts: FxHashMap<String, (usize, usize)>,
  /// Labels in first-seen order.
  pub order: Vec<String>,
  /// More than [`MAX_DISTINCT`] distinct values were seen.
  pub overflow: bool,
  /// `(row, value)` of numeric values.
  pub numbers: Vec<(usize, f64)>,
  /// Every label was short and safe for a marker breakdown.
  pub safe_labels: bool,
  /// Some key on the path contains a `.` (the path cannot be resolved by splitting).
  pub dotted: bool,
  /// Rows of each label (parallel to `order`); emptied on overflow.
  pub label_rows: Vec<Vec<u32>>,
  /// The first two rows holding the field, and the last.
  pub some_rows: Vec<usize>,
  /// Whether each label (parallel to `order`) is a string holding an error word: a repeated
  /// value is scanned once.
  label_error: Vec<bool>,
  /// The key this field was last reached by, and its class (error, code or status field):
  /// a field's key rarely changes, so its class is looked up once.
  key_class: Option<(String, KeyClass)>,
}

/// Which of the key lists a key is on (any ASCII case).
#[derive(Debug, Clone, Copy, Default)]
struct KeyClass {
  error: bool,
  code: bool,
  status: bool,
}

impl KeyClass {
  fn of(key: &str) -> KeyClass {
    let is = |list: &[&str]| list.iter().any(|f| f.eq_ignore_ascii_case(key));
    KeyClass {
      error: is(ERROR_FIELDS),
      code: is(CODE_FIELDS),
      status: is(STATUS_FIELDS),
    }
  }
}

impl Field {
  fn set_overflow(&mut self) {
    self.overflow = true;
    self.counts = FxHashMap::default();
    self.order = Vec::new();
    self.label_rows = Vec::new();
    self.label_error = Vec::new();
  }

  /// Count of rows holding `label`.
  pub fn count(&self, label: &str) -> usize {
    self.counts.get(label).map_or(0, |c| c.0)
  }

  fn distinct(&self) -> usize {
    if self.overflow {
      self.present
    } else {
      self.order.len()
    }
  }
}

/// The analysis of one array.
#[derive(Debug, Default)]
pub struct Analysis {
  /// Number of items.
  pub n: usize,
  /// Fields in first-seen order.
  pub fields: Vec<Field>,
  /// Categorical fields (indices into `fields`), most useful first.
  pub categorical: Vec<usize>,
  /// The field used for marker breakdowns.
  pub breakdown: Option<usize>,
  /// Error rows.
  pub errors: Vec<usize>,
  /// Rows with rare fields or rare categorical values.
  pub rare: Vec<usize>,
  /// Numeric outlier rows.
  pub outliers: Vec<usize>,
  /// Rows around change points.
  pub changes: Vec<usize>,
  /// 0..=1: how varied the non-unique fields are.
  pub diversity: f64,
  /// Each item's text (string leaves and numbers), for relevance.
  pub docs: Vec<String>,
}

/// A short label for a scalar (`ok`, `200`, `true`, `null`), or `None` for containers.
pub fn label<'v>(v: &'v JVal<'_>) -> Option<std::borrow::Cow<'v, str>> {
  match v {
    JVal::Str(s) => Some(s.as_ref().into()),
    JVal::Num(n) => Some(n.as_ref().into()),
    JVal::Bool(b) => Some(if *b { "true" } else { "false" }.into()),
    JVal::Null => Some("null".into()),
    _ => None,
  }
}

/// Whether `label` can appear in a breakdown unambiguously.
pub fn safe_label(label: &str) -> bool {
  !label.is_empty() && label.len() <= 32 && !label.contains([',', ';', '=', '[', ']', '\n', '\r'])
}

fn truthy(v: &JVal<'_>) -> bool {
  match v {
    JVal::Null => false,
    JVal::Bool(b) => *b,
    JVal::Str(s) => !s.is_empty(),
    JVal::Arr(a) => !a.is_empty(),
    JVal::Obj(o) => !o.is_empty(),
    JVal::Num(_) => true,
  }
}

struct Walker<'a> {
  index: FxHashMap<String, usize>,
  fields: Vec<Field>,
  path: String,
  field_error: bool,
  text_error: bool,
  doc: String,
  want_docs: bool,
  dotted: bool,
  _p: std::marker::PhantomData<&'a ()>,
}

impl Walker<'_> {
  fn leaf(&mut self, row: usize, key: &str, v: &JVal<'_>) {
    let fi = match self.index.get(self.path.as_str()) {
      Some(&i) => i,
      None => {
        let i = self.fields.len();
        self.fields.push(Field {
          path: self.path.clone(),
          safe_labels: true,
          ..Field::default()
        });
        self.index.insert(self.path.clone(), i);
        i
      }
    };
    let f = &mut self.fields[fi];
    f.present += 1;
    if self.dotted {
      f.dotted = true;
    }
    if f.some_rows.len() < 3 {
      f.some_rows.push(row);
    } else {
      f.some_rows[2] = row;
    }
    // `Some` once this value's string is known to hold an error word or not.
    let mut str_error = None;
    if !f.overflow {
      match label(v) {
        Some(l) => {
          if let Some(c) = f.counts.get_mut(l.as_ref()) {
            // A label seen before: counted, checked and scanned when it was first seen.
            let li = c.1;
            c.0 += 1;
            f.label_rows[li].push(row as u32);
            str_error = f.label_error.get(li).copied();
          } else {
            if l.len() > 64 || !safe_label(&l) {
              f.safe_labels = false;
            }
            if f.order.len() < MAX_DISTINCT && l.len() <= 256 {
              let error = matches!(v, JVal::Str(s) if has_error_word(s));
              str_error = Some(error);
              f.label_error.push(error);
              f.counts.insert(l.to_string(), (1, f.order.len()));
              f.order.push(l.into_owned());
              f.label_rows.push(vec![row as u32]);
            } else {
              f.set_overflow();
            }
          }
        }
        None => f.set_overflow(),
      }
    }
    let class = match &f.key_class {
      Some((k, class)) if k == key => *class,
      _ => {
        let class = KeyClass::of(key);
        f.key_class = Some((key.to_string(), class));
        class
      }
    };
    if class.error && truthy(v) {
      self.field_error = true;
    }
    match v {
      JVal::Num(num) => {
        // serde_json's `Number::as_f64` under `arbitrary_precision`.
        if let Some(x) = num.parse::<f64>().ok().filter(|x| x.is_finite()) {
          f.numbers.push((row, x));
          if (400.0..600.0).contains(&x) && class.code {
            self.field_error = true;
          }
        }
        if self.want_docs {
          self.doc.push(' ');
          self.doc.push_str(num);
        }
      }
      JVal::Str(s) => {
        if str_error.unwrap_or_else(|| has_error_word(s)) {
          if class.status {
            self.field_error = true;
          } else {
            self.text_error = true;
          }
        }
        if self.want_docs {
          self.doc.push(' ');
          self.doc.push_str(crate::strings::prefix(s, 2048));
        }
      }
      _ => {}
    }
  }

  fn walk(&mut self, row: usize, key: &str, v: &JVal<'_>, depth: usize) {
    match v {
      JVal::Obj(m) if depth < 3 && !m.is_empty() => {
        for (k, child) in m {
          let len = self.path.len();
          if depth > 0 {
            self.path.push('.');
          }
          self.path.push_str(k);
          let was = self.dotted;
          self.dotted |= k.contains('.');
          self.walk(row, k, child, depth + 1);
          self.dotted = was;
          self.path.truncate(len);
        }
      }
      _ => self.leaf(row, key, v),
    }
  }
}

impl Analysis {
  /// Analyses `items` (any JSON values). Linear in their size.
  pub fn new(items: &[JVal<'_>], want_docs: bool) -> Analysis {
    let n = items.len();
    let mut w = Walker {
      index: FxHashMap::default(),
      fields: Vec::new(),
      path: String::new(),
      field_error: false,
      text_error: false,
      doc: String::new(),
      want_docs,
      dotted: false,
      _p: std::marker::PhantomData,
    };
    let mut field_errors = Vec::new();
    let mut text_errors = Vec::new();
    let mut docs = Vec::with_capacity(if want_docs { n } else { 0 });
    for (i, item) in items.iter().enumerate() {
      w.field_error = false;
      w.text_error = false;
      w.doc.clear();
      w.path.clear();
      w.walk(i, "", item, 0);
      if w.field_error {
        field_errors.push(i);
      } else if w.text_error {
        text_errors.push(i);
      }
      if want_docs {
        docs.push(std::mem::take(&mut w.doc));
      }
    }
    let mut a = Analysis {
      n,
      fields: w.fields,
      docs,
      ..Analysis::default()
    };
    a.errors = if text_errors.len() * 10 <= n * 3 {
      merge(&field_errors, &text_errors)
    } else {
      field_errors
    };
    a.signals();
    a
  }

  fn signals(&mut self) {
    let n = self.n;
    if n == 0 {
      return;
    }
    let nf = n as f64;
    let mut rare_fields: Vec<usize> = Vec::new();
    let mut rare_values: Vec<(usize, String)> = Vec::new();
    let mut div_sum = 0.0;
    let mut div_cnt = 0usize;
    let mut categorical: Vec<(usize, usize)> = Vec::new();
    for (fi, f) in self.fields.iter().enumerate() {
      if (f.present as f64) < 0.2 * nf && f.present * 5 < n {
        rare_fields.push(fi);
      }
      let distinct = f.distinct();
      if f.present as f64 >= 0.5 * nf && f.present > 1 {
        let d = (distinct - 1) as f64 / (f.present - 1) as f64;
        if d < 1.0 {
          div_sum += d;
          div_cnt += 1;
        }
      }
      let max_cat = 12.min((n / 3).max(2));
      if !f.overflow && distinct >= 2 && distinct <= max_cat && f.present as f64 >= 0.3 * nf {
        let pref = BREAKDOWN_PREF
          .iter()
          .position(|p| f.path.rsplit('.').next() == Some(*p))
          .unwrap_or(BREAKDOWN_PREF.len());
        categorical.push((fi, pref * 100 + distinct));
        let rare_max = (n / 20).max(1);
        for l in &f.order {
          if f.count(l) <= rare_max && f.count(l) * 4 < f.present {
            rare_values.push((fi, l.clone()));
          }
        }
      }
    }
    self.diversity = if div_cnt == 0 {
      0.0
    } else {
      div_sum / div_cnt as f64
    };
    categorical.sort_by_key(|&(fi, score)| (score, fi));
    self.categorical = categorical.iter().map(|c| c.0).collect();
    self.breakdown = self.categorical.iter().copied().find(|&fi| {
      self.fields[fi].safe_labels && !self.fields[fi].dotted && safe_label(&self.fields[fi].path)
    });
    // Rare fields: every row for tiny fields, else the first two and the last one.
    let mut rare = Vec::new();
    for &fi in &rare_fields {
      rare.extend(&self.fields[fi].some_rows);
    }
    // Rare categorical values: the first two rows of each.
    for (fi, l) in &rare_values {
      let f = &self.fields[*fi];
      let li = f.counts[l.as_str()].1;
      rare.extend(f.label_rows[li].iter().take(2).map(|&r| r as usize));
    }
    rare.sort_unstable();
    rare.dedup();
    self.rare = rare;
    let mut outliers = Vec::new();
    let mut changes = Vec::new();
    for f in &self.fields {
      if (f.numbers.len() as f64) < 0.5 * nf || f.numbers.len() < 5 {
        continue;
      }
      let xs: Vec<f64> = f.numbers.iter().map(|p| p.1).collect();
      let monotonic = xs.windows(2).all(|w| w[0] < w[1]) || xs.windows(2).all(|w| w[0] > w[1]);
      if monotonic {
        continue;
      }
      let mean = xs.iter().sum::<f64>() / xs.len() as f64;
      let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / xs.len() as f64;
      let sd = var.sqrt();
      if sd <= 0.0 || !sd.is_finite() {
        continue;
      }
      let cap = 3.max(n / 50);
      let mut z: Vec<(f64, usize)> = f
        .numbers
        .iter()
        .filter(|p| (p.1 - mean).abs() > 2.0 * sd)
        .map(|p| ((p.1 - mean).abs() / sd, p.0))
        .collect();
      z.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
      outliers.extend(z.iter().take(cap).map(|p| p.1));
      // Change points: mean shift between the windows before and from each position.
      let wlen = 5;
      if xs.len() >= 3 * wlen {
        let mut prefix = Vec::with_capacity(xs.len() + 1);
        prefix.push(0.0);
        for x in &xs {
          prefix.push(prefix.last().copied().unwrap_or(0.0) + x);
        }
        let shift = |i: usize| {
          let l = (prefix[i] - prefix[i - wlen]) / wlen as f64;
          let r = (prefix[i + wlen] - prefix[i]) / wlen as f64;
          (r - l).abs()
        };
        let mut cps: Vec<(f64, usize)> = Vec::new();
        for i in wlen..=xs.len() - wlen {
          let s = shift(i);
          if s > 2.0 * sd {
            let lo = i.saturating_sub(wlen).max(wlen);
            let hi = (i + wlen).min(xs.len() - wlen);
            if (lo..=hi).all(|j| j == i || shift(j) < s || (shift(j) == s && j > i)) {
              cps.push((s, i));
            }
          }
        }
        cps.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        for &(_, i) in cps.iter().take(3) {
          changes.push(f.numbers[i - 1].0);
          changes.push(f.numbers[i].0);
        }
      }
    }
    outliers.sort_unstable();
    outliers.dedup();
    changes.sort_unstable();
    changes.dedup();
    self.outliers = outliers;
    self.changes = changes;
  }

  /// The label index of each row for field `fi` (`u16::MAX` where missing or unknown).
  pub fn row_labels(&self, fi: usize) -> Vec<u16> {
    let mut out = vec![u16::MAX; self.n];
    for (li, rows) in self.fields[fi].label_rows.iter().enumerate() {
      for &r in rows {
        out[r as usize] = li as u16;
      }
    }
    out
  }
}

fn merge(a: &[usize], b: &[usize]) -> Vec<usize> {
  let mut v: Vec<usize> = a.iter().chain(b).copied().collect();
  v.sort_unstable();
  v.dedup();
  v
}
