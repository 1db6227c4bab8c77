//! Labelled evaluation set and evaluator, shared by `tests/labelled.rs` and
//! `examples/confusion.rs` (included with `#[path]`).
//!
//! Samples come from real data only:
//! * committed fixtures under `tests/fixtures/<label>/[<language>/]*.txt` (windows of real
//!   source files and of real command output; see `tests/fixtures/NOTICE.md`);
//! * the shared corpus (`../../../shared/corpus`, read at test time, never copied): loghub
//!   raw logs (windows + whole files), loghub structured CSVs (as CSV, and converted to
//!   TSV), markdown tables from its READMEs, headroom-generated JSON (whole files, single
//!   elements, and elements re-serialised one per line as JSON Lines), SQuAD (the whole
//!   4.8 MB one-line JSON, and Wikipedia paragraphs as prose);
//! * files present on build machines when available: the Python standard library and Rust
//!   crates in `~/.cargo/registry/src`.
//!
//! Windows are taken deterministically (fixed fractions of each file, cut on line
//! boundaries).

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use headroom_detect::{ContentType, Language, detect};

/// One labelled sample.
pub struct Sample {
  /// Where it came from.
  pub name: String,
  /// The text.
  pub text: String,
  /// Expected type.
  pub kind: ContentType,
  /// Expected language (code only).
  pub lang: Option<Language>,
}

/// Directory of the shared corpus.
pub fn corpus_dir() -> PathBuf {
  PathBuf::from(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/corpus"
  ))
}

fn fixtures_dir() -> PathBuf {
  PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures"))
}

fn kind_from(s: &str) -> Option<ContentType> {
  ContentType::ALL.into_iter().find(|k| k.as_str() == s)
}

fn lang_from(s: &str) -> Option<Language> {
  Language::ALL.into_iter().find(|l| l.as_str() == s)
}

/// A window of about `size` bytes starting at fraction `frac` of `data`, on line boundaries.
pub fn window(data: &str, frac: f64, size: usize) -> String {
  if data.len() <= size {
    return data.to_string();
  }
  let mut start = ((data.len() - size) as f64 * frac) as usize;
  while !data.is_char_boundary(start) {
    start -= 1;
  }
  if start > 0 {
    start = data[start..].find('\n').map_or(start, |p| start + p + 1);
  }
  let mut end = (start + size).min(data.len());
  while !data.is_char_boundary(end) {
    end -= 1;
  }
  let chunk = &data[start..end];
  match chunk.rfind('\n') {
    Some(p) if p > size / 2 => chunk[..=p].to_string(),
    _ => chunk.to_string(),
  }
}

fn read(p: &Path) -> Option<String> {
  std::fs::read(p)
    .ok()
    .map(|b| String::from_utf8_lossy(&b).into_owned())
}

fn push(
  out: &mut Vec<Sample>,
  name: String,
  text: String,
  kind: ContentType,
  lang: Option<Language>,
) {
  if !text.trim().is_empty() {
    out.push(Sample {
      name,
      text,
      kind,
      lang,
    });
  }
}

/// Committed fixtures.
fn fixtures(out: &mut Vec<Sample>) {
  let root = fixtures_dir();
  let mut files = Vec::new();
  walk(&root, &mut files);
  files.sort();
  for f in files {
    if f.extension().and_then(|e| e.to_str()) != Some("txt") {
      continue;
    }
    let rel = f.strip_prefix(&root).unwrap_or(&f);
    let parts: Vec<&str> = rel.iter().filter_map(|p| p.to_str()).collect();
    let Some(kind) = parts.first().and_then(|p| kind_from(p)) else {
      continue;
    };
    let lang = if kind == ContentType::Code {
      parts.get(1).and_then(|p| lang_from(p))
    } else {
      None
    };
    if let Some(text) = read(&f) {
      push(out, format!("fixture:{}", rel.display()), text, kind, lang);
    }
  }
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
  let Ok(rd) = std::fs::read_dir(dir) else {
    return;
  };
  for e in rd.flatten() {
    let p = e.path();
    if p.is_dir() {
      walk(&p, out);
    } else {
      out.push(p);
    }
  }
}

/// Minimal RFC 4180 CSV parser (for converting real CSV rows to TSV).
fn parse_csv(data: &str, max_rows: usize) -> Vec<Vec<String>> {
  let mut rows = Vec::new();
  let mut row = Vec::new();
  let mut field = String::new();
  let mut in_q = false;
  let mut chars = data.chars().peekable();
  while let Some(c) = chars.next() {
    if in_q {
      if c == '"' {
        if chars.peek() == Some(&'"') {
          field.push('"');
          chars.next();
        } else {
          in_q = false;
        }
      } else {
        field.push(c);
      }
      continue;
    }
    match c {
      '"' => in_q = true,
      ',' => row.push(std::mem::take(&mut field)),
      '\r' => {}
      '\n' => {
        row.push(std::mem::take(&mut field));
        rows.push(std::mem::take(&mut row));
        if rows.len() >= max_rows {
          return rows;
        }
      }
      _ => field.push(c),
    }
  }
  rows
}

const SYSTEMS: [&str; 16] = [
  "Android",
  "Apache",
  "BGL",
  "HDFS",
  "HPC",
  "Hadoop",
  "HealthApp",
  "Linux",
  "Mac",
  "OpenSSH",
  "OpenStack",
  "Proxifier",
  "Spark",
  "Thunderbird",
  "Windows",
  "Zookeeper",
];

/// Samples from the shared corpus (empty when it is absent).
fn corpus(out: &mut Vec<Sample>) {
  let dir = corpus_dir();
  for sys in SYSTEMS {
    let base = dir.join("loghub").join(sys);
    if let Some(log) = read(&base.join(format!("{sys}_2k.log"))) {
      for (i, frac) in [0.0, 0.2, 0.4, 0.6, 0.8].into_iter().enumerate() {
        push(
          out,
          format!("loghub:{sys}:w{i}"),
          window(&log, frac, 3000),
          ContentType::Log,
          None,
        );
      }
      let ten: String = log.split_inclusive('\n').skip(500).take(10).collect();
      push(
        out,
        format!("loghub:{sys}:10lines"),
        ten,
        ContentType::Log,
        None,
      );
      push(
        out,
        format!("loghub:{sys}:whole"),
        log,
        ContentType::Log,
        None,
      );
    }
    if let Some(csv) = read(&base.join(format!("{sys}_2k.log_structured.csv"))) {
      push(
        out,
        format!("loghub-csv:{sys}:head"),
        window(&csv, 0.0, 3000),
        ContentType::Table,
        None,
      );
      push(
        out,
        format!("loghub-csv:{sys}:mid"),
        window(&csv, 0.5, 3000),
        ContentType::Table,
        None,
      );
      let rows = parse_csv(&csv, 30);
      let tsv: String = rows
        .iter()
        .map(|r| {
          r.iter()
            .map(|f| f.replace(['\t', '\n'], " "))
            .collect::<Vec<_>>()
            .join("\t")
            + "\n"
        })
        .collect();
      push(
        out,
        format!("loghub-tsv:{sys}"),
        tsv,
        ContentType::Table,
        None,
      );
    }
    if let Some(t) = read(&base.join(format!("{sys}_2k.log_templates.csv"))) {
      push(
        out,
        format!("loghub-templates:{sys}"),
        window(&t, 0.0, 2500),
        ContentType::Table,
        None,
      );
    }
  }
  // Markdown tables and prose from the corpus READMEs / NOTICEs.
  let mut docs: Vec<PathBuf> = vec![
    dir.join("README.md"),
    dir.join("headroom-generated/RESULTS.md"),
  ];
  docs.extend(
    SYSTEMS
      .iter()
      .map(|s| dir.join("loghub").join(s).join("README.md")),
  );
  for d in &docs {
    let Some(text) = read(d) else { continue };
    for (i, t) in md_tables(&text).into_iter().enumerate() {
      push(
        out,
        format!("md-table:{}:{i}", d.display()),
        t,
        ContentType::Table,
        None,
      );
    }
  }
  for d in [
    dir.join("loghub/NOTICE.md"),
    dir.join("squad/NOTICE.md"),
    dir.join("headroom-generated/PROVENANCE.md"),
  ] {
    if let Some(text) = read(&d) {
      push(
        out,
        format!("doc:{}", d.display()),
        window(&text, 0.0, 3000),
        ContentType::Text,
        None,
      );
    }
  }
  // headroom-generated JSON.
  let mut names: Vec<PathBuf> = std::fs::read_dir(dir.join("headroom-generated"))
    .map(|rd| {
      rd.flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect()
    })
    .unwrap_or_default();
  names.sort();
  for p in names {
    let Some(text) = read(&p) else { continue };
    let stem = p
      .file_stem()
      .and_then(|s| s.to_str())
      .unwrap_or("?")
      .to_string();
    push(
      out,
      format!("headroom:{stem}:whole"),
      text.clone(),
      ContentType::Json,
      None,
    );
    let Ok(serde_json::Value::Array(items)) = serde_json::from_str::<serde_json::Value>(&text)
    else {
      continue;
    };
    if let Some(v) = items.get(items.len() / 2) {
      let pretty = serde_json::to_string_pretty(v).unwrap_or_default();
      push(
        out,
        format!("headroom:{stem}:element"),
        pretty,
        ContentType::Json,
        None,
      );
    }
    let slice = &items[..items.len().min(3)];
    push(
      out,
      format!("headroom:{stem}:compact3"),
      serde_json::to_string(slice).unwrap_or_default(),
      ContentType::Json,
      None,
    );
    for (i, (from, n)) in [(0usize, 5usize), (items.len() / 3, 25)]
      .into_iter()
      .enumerate()
    {
      let lines: String = items
        .iter()
        .skip(from)
        .take(n)
        .map(|v| serde_json::to_string(v).unwrap_or_default() + "\n")
        .collect();
      push(
        out,
        format!("headroom:{stem}:jsonl{i}"),
        lines,
        ContentType::JsonLines,
        None,
      );
    }
  }
  // SQuAD: whole 4.8 MB one-line JSON, and prose paragraphs.
  if let Some(text) = read(&dir.join("squad/dev-v1.1.json")) {
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) {
      let articles = v["data"].as_array().cloned().unwrap_or_default();
      for (ai, art) in articles.iter().enumerate().step_by(2) {
        let paras = art["paragraphs"].as_array().cloned().unwrap_or_default();
        if let Some(p) = paras.first() {
          let ctx = p["context"].as_str().unwrap_or("").to_string();
          push(
            out,
            format!("squad:{ai}:para"),
            ctx,
            ContentType::Text,
            None,
          );
        }
        if ai % 4 == 0 {
          let joined: Vec<&str> = paras
            .iter()
            .take(4)
            .filter_map(|p| p["context"].as_str())
            .collect();
          push(
            out,
            format!("squad:{ai}:multi"),
            joined.join("\n\n"),
            ContentType::Text,
            None,
          );
          if let Some(p) = paras.get(1) {
            let qas: String = p["qas"]
              .as_array()
              .map(|a| a.iter().map(|q| q.to_string() + "\n").collect())
              .unwrap_or_default();
            push(
              out,
              format!("squad:{ai}:qas-jsonl"),
              qas,
              ContentType::JsonLines,
              None,
            );
          }
        }
      }
      if let Some(first) = articles.first() {
        push(
          out,
          "squad:article0".into(),
          serde_json::to_string(first).unwrap_or_default(),
          ContentType::Json,
          None,
        );
      }
    }
    push(out, "squad:whole".into(), text, ContentType::Json, None);
  }
}

/// Extracts markdown pipe tables (consecutive `|` lines including a separator row).
fn md_tables(text: &str) -> Vec<String> {
  let mut out = Vec::new();
  let mut cur: Vec<&str> = Vec::new();
  for line in text.lines().chain(std::iter::once("")) {
    if line.trim_start().starts_with('|') {
      cur.push(line);
    } else {
      if cur.len() >= 3 && cur.iter().any(|l| l.contains("---")) {
        let t: Vec<&str> = cur.iter().take(25).copied().collect();
        out.push(t.join("\n") + "\n");
      }
      cur.clear();
    }
  }
  out
}

/// Source files available on build machines (skipped when absent).
fn machine(out: &mut Vec<Sample>) {
  let stdlib = Path::new("/root/.pyenv/versions/3.11.7/lib/python3.11");
  for f in [
    "collections/__init__.py",
    "pathlib.py",
    "logging/__init__.py",
    "http/client.py",
    "csv.py",
    "shutil.py",
    "tempfile.py",
    "statistics.py",
  ] {
    if let Some(t) = read(&stdlib.join(f)) {
      push(
        out,
        format!("pystdlib:{f}"),
        window(&t, 0.55, 3000),
        ContentType::Code,
        Some(Language::Python),
      );
    }
  }
  let Some(home) = std::env::var_os("HOME") else {
    return;
  };
  let reg = Path::new(&home).join(".cargo/registry/src");
  let Ok(rd) = std::fs::read_dir(&reg) else {
    return;
  };
  let Some(idx) = rd.flatten().map(|e| e.path()).min() else {
    return;
  };
  for f in [
    "serde_json-1.0.154/src/de.rs",
    "regex-1.13.1/src/regex/string.rs",
    "rustc-hash-2.1.3/src/lib.rs",
    "bstr-1.13.1/src/ext_slice.rs",
    "itoa-1.0.18/src/lib.rs",
    "proc-macro2-1.0.107/src/parse.rs",
  ] {
    if let Some(t) = read(&idx.join(f)) {
      push(
        out,
        format!("crate:{f}"),
        window(&t, 0.5, 3000),
        ContentType::Code,
        Some(Language::Rust),
      );
    }
  }
}

/// Loads every available sample.
pub fn load() -> Vec<Sample> {
  let mut out = Vec::new();
  fixtures(&mut out);
  corpus(&mut out);
  machine(&mut out);
  out
}

/// Evaluation results.
pub struct Report {
  /// `(expected, detected) -> count`.
  pub matrix: BTreeMap<(usize, usize), usize>,
  /// Samples per expected type.
  pub per_type: [usize; 10],
  /// Correct (type and, for code, language) per expected type.
  pub correct: [usize; 10],
  /// Names of misclassified samples with what was detected.
  pub errors: Vec<String>,
  /// Total samples.
  pub total: usize,
}

fn idx(k: ContentType) -> usize {
  ContentType::ALL.iter().position(|&c| c == k).unwrap_or(0)
}

/// Runs [`detect`] over all samples.
pub fn evaluate(samples: &[Sample]) -> Report {
  let mut r = Report {
    matrix: BTreeMap::new(),
    per_type: [0; 10],
    correct: [0; 10],
    errors: Vec::new(),
    total: samples.len(),
  };
  for s in samples {
    let d = detect(&s.text);
    let (e, g) = (idx(s.kind), idx(d.kind));
    *r.matrix.entry((e, g)).or_default() += 1;
    r.per_type[e] += 1;
    let ok =
      d.kind == s.kind && (s.kind != ContentType::Code || s.lang.is_none() || d.language == s.lang);
    if ok {
      r.correct[e] += 1;
    } else {
      r.errors.push(format!(
        "{} expected {}{} got {}{} ({:.2})",
        s.name,
        s.kind.as_str(),
        s.lang
          .map(|l| format!("/{}", l.as_str()))
          .unwrap_or_default(),
        d.kind.as_str(),
        d.language
          .map(|l| format!("/{}", l.as_str()))
          .unwrap_or_default(),
        d.confidence
      ));
    }
  }
  r
}

impl Report {
  /// Overall accuracy.
  pub fn accuracy(&self) -> f64 {
    self.correct.iter().sum::<usize>() as f64 / self.total.max(1) as f64
  }

  /// Per-type accuracy lines.
  pub fn per_type_table(&self) -> String {
    let mut s = String::new();
    for (i, k) in ContentType::ALL.iter().enumerate() {
      if self.per_type[i] > 0 {
        let _ = writeln!(
          s,
          "{:>10}: {:>3}/{:<3} = {:.1}%",
          k.as_str(),
          self.correct[i],
          self.per_type[i],
          100.0 * self.correct[i] as f64 / self.per_type[i] as f64
        );
      }
    }
    let _ = writeln!(
      s,
      "   overall: {}/{} = {:.2}%",
      self.correct.iter().sum::<usize>(),
      self.total,
      100.0 * self.accuracy()
    );
    s
  }

  /// Confusion matrix (rows = expected, cols = detected) with precision / recall.
  pub fn confusion(&self) -> String {
    let mut s = String::new();
    let _ = write!(s, "{:>11}", "exp\\got");
    for k in ContentType::ALL {
      let _ = write!(s, "{:>7}", short(k));
    }
    let _ = writeln!(s, "{:>7}{:>8}{:>8}", "n", "prec", "recall");
    for (e, k) in ContentType::ALL.iter().enumerate() {
      let _ = write!(s, "{:>11}", k.as_str());
      for g in 0..10 {
        let v = self.matrix.get(&(e, g)).copied().unwrap_or(0);
        let _ = write!(
          s,
          "{:>7}",
          if v == 0 {
            ".".to_string()
          } else {
            v.to_string()
          }
        );
      }
      let tp = self.matrix.get(&(e, e)).copied().unwrap_or(0);
      let col: usize = (0..10)
        .map(|x| self.matrix.get(&(x, e)).copied().unwrap_or(0))
        .sum();
      let prec = if col > 0 {
        format!("{:.3}", tp as f64 / col as f64)
      } else {
        "-".into()
      };
      let rec = if self.per_type[e] > 0 {
        format!("{:.3}", tp as f64 / self.per_type[e] as f64)
      } else {
        "-".into()
      };
      let _ = writeln!(s, "{:>7}{:>8}{:>8}", self.per_type[e], prec, rec);
    }
    s
  }
}

fn short(k: ContentType) -> &'static str {
  match k {
    ContentType::StackTrace => "trace",
    ContentType::SearchResults => "search",
    other => other.as_str(),
  }
}
