//! Single-threaded `count` throughput on the shared corpus, cut into 4 KiB chunks, with
//! tiktoken-rs (`encode_ordinary().len()`) measured in the same run for comparison.
//!
//! `CARGO_TARGET_DIR=/work/target-tokens cargo run --release -p headroom_tokens --example throughput`
//!
//! Also prints the one-time initialisation cost of each encoding (first `tokenizer()` call).
//!
//! Prose is measured twice: as a JSON parser sees it (real non-ASCII characters, which is
//! what the Node binding gets) and as the raw JSON string contents (`\u2013` escapes, pure
//! ASCII). Options: `--full` (longer timing), `--set WORD` (only the sets whose name contains
//! WORD), `--once` (one untimed pass, for `valgrind --tool=callgrind`).

use headroom_tokens::{Encoding, tokenizer};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn files_under(dir: &Path, pred: &dyn Fn(&Path) -> bool) -> Vec<PathBuf> {
  let mut out = Vec::new();
  let Ok(rd) = std::fs::read_dir(dir) else {
    return out;
  };
  for e in rd.flatten() {
    let p = e.path();
    if p.is_dir() {
      out.extend(files_under(&p, pred));
    } else if pred(&p) {
      out.push(p);
    }
  }
  out.sort();
  out
}

fn read_all(files: &[PathBuf]) -> String {
  let mut s = String::new();
  for f in files {
    s.push_str(&String::from_utf8_lossy(
      &std::fs::read(f).unwrap_or_default(),
    ));
    s.push('\n');
  }
  s
}

/// SQuAD paragraph texts (the raw JSON string contents of every `"context"` field).
fn squad_contexts(raw: &str) -> String {
  let mut out = String::new();
  let key = "\"context\": \"";
  let mut rest = raw;
  while let Some(i) = rest.find(key) {
    rest = &rest[i + key.len()..];
    let end = rest.find("\", \"qas\"").unwrap_or(rest.len());
    out.push_str(&rest[..end]);
    out.push_str("\n\n");
    rest = &rest[end..];
  }
  out
}

/// Decodes the JSON string escapes of `s` (`\uXXXX` incl. surrogate pairs, `\n`, `\"` ...),
/// giving the paragraphs as a JSON parser (and so the Node binding) sees them: real
/// non-ASCII characters (names, dashes, curly quotes, accented letters).
fn json_unescape(s: &str) -> String {
  let mut out = String::with_capacity(s.len());
  let mut it = s.chars();
  let hex4 = |it: &mut std::str::Chars<'_>| -> u32 {
    let h: String = it.by_ref().take(4).collect();
    u32::from_str_radix(&h, 16).unwrap_or(0xfffd)
  };
  while let Some(c) = it.next() {
    if c != '\\' {
      out.push(c);
      continue;
    }
    match it.next() {
      Some('n') => out.push('\n'),
      Some('t') => out.push('\t'),
      Some('r') => out.push('\r'),
      Some('b') => out.push('\u{8}'),
      Some('f') => out.push('\u{c}'),
      Some('u') => {
        let mut u = hex4(&mut it);
        if (0xd800..0xdc00).contains(&u) {
          let rest = it.as_str();
          if rest.starts_with("\\u") {
            it.next();
            it.next();
            let lo = hex4(&mut it);
            u = 0x10000 + ((u - 0xd800) << 10) + (lo.wrapping_sub(0xdc00) & 0x3ff);
          }
        }
        out.push(char::from_u32(u).unwrap_or('\u{fffd}'));
      }
      Some(x) => out.push(x),
      None => {}
    }
  }
  out
}

fn chunks(text: &str, size: usize) -> Vec<&str> {
  let mut out = Vec::new();
  let mut start = 0;
  while start < text.len() {
    let mut end = (start + size).min(text.len());
    while !text.is_char_boundary(end) {
      end += 1;
    }
    out.push(&text[start..end]);
    start = end;
  }
  out
}

/// MB/s (10^6 bytes/s) of `f` over all chunks, repeated for at least `min` wall time.
fn bench(chunks: &[&str], min: Duration, f: &dyn Fn(&str) -> usize) -> (f64, usize) {
  let bytes: usize = chunks.iter().map(|c| c.len()).sum();
  let mut total;
  let mut reps = 0;
  let start = Instant::now();
  loop {
    total = 0;
    for c in chunks {
      total += f(std::hint::black_box(c));
    }
    reps += 1;
    if start.elapsed() >= min {
      break;
    }
  }
  let secs = start.elapsed().as_secs_f64();
  ((bytes * reps) as f64 / secs / 1e6, total)
}

fn main() {
  let t0 = Instant::now();
  tokenizer(Encoding::O200kBase);
  let o200k_init = t0.elapsed();
  let t1 = Instant::now();
  tokenizer(Encoding::Cl100kBase);
  let cl100k_init = t1.elapsed();
  println!(
    "init (parse embedded ranks): o200k_base {:.1} ms, cl100k_base {:.1} ms",
    o200k_init.as_secs_f64() * 1e3,
    cl100k_init.as_secs_f64() * 1e3
  );

  let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
  if !corpus.is_dir() {
    eprintln!("corpus not found at {}", corpus.display());
    return;
  }
  let squad = std::fs::read_to_string(corpus.join("squad/dev-v1.1.json")).unwrap_or_default();
  let ext = |e: &'static str| move |p: &Path| p.extension().is_some_and(|x| x == e);
  let sets: Vec<(&str, String)> = vec![
    (
      "prose (squad contexts, JSON-decoded)",
      json_unescape(&squad_contexts(&squad)),
    ),
    (
      "prose (squad contexts, raw JSON escapes)",
      squad_contexts(&squad),
    ),
    (
      "logs (loghub *.log)",
      read_all(&files_under(&corpus.join("loghub"), &ext("log"))),
    ),
    (
      "csv (loghub *.csv)",
      read_all(&files_under(&corpus.join("loghub"), &ext("csv"))),
    ),
    (
      "json (headroom-generated)",
      read_all(&files_under(
        &corpus.join("headroom-generated"),
        &ext("json"),
      )),
    ),
  ];
  // `--set WORD`: only the sets whose name contains WORD.
  let args: Vec<String> = std::env::args().collect();
  let filter = args
    .iter()
    .position(|a| a == "--set")
    .and_then(|i| args.get(i + 1))
    .map_or("", String::as_str);
  let sets: Vec<(&str, String)> = sets
    .into_iter()
    .filter(|(n, _)| n.contains(filter))
    .collect();
  if args.iter().any(|a| a == "--once") {
    // One pass of `count` per set and encoding, no reference: for instruction-count
    // profilers (valgrind --tool=callgrind), where wall-clock numbers on a shared machine
    // mean little.
    for (name, text) in &sets {
      for enc in [Encoding::O200kBase, Encoding::Cl100kBase] {
        let n: usize = chunks(text, 4096)
          .iter()
          .map(|c| tokenizer(enc).count(c))
          .sum();
        println!("{name} {}: {n} tokens", enc.as_str());
      }
    }
    return;
  }
  let ref_o200k = tiktoken_rs::o200k_base().unwrap();
  let ref_cl100k = tiktoken_rs::cl100k_base().unwrap();
  let full = std::env::args().any(|a| a == "--full");
  let min = Duration::from_millis(if full { 2000 } else { 700 });
  for (name, text) in &sets {
    let cs = chunks(text, 4096);
    println!(
      "{name}: {:.2} MB in {} chunks of 4 KiB",
      text.len() as f64 / 1e6,
      cs.len()
    );
    for (enc, reference) in [
      (Encoding::O200kBase, &ref_o200k),
      (Encoding::Cl100kBase, &ref_cl100k),
    ] {
      let t = tokenizer(enc);
      let (ours, n1) = bench(&cs, min, &|c| t.count(c));
      let (theirs, n2) = bench(&cs, min / 2, &|c| reference.encode_ordinary(c).len());
      assert_eq!(n1, n2, "count mismatch");
      println!(
        "  {:<12} count: {:>7.1} MB/s   tiktoken-rs: {:>6.1} MB/s   ({:.1}x, {} tokens)",
        enc.as_str(),
        ours,
        theirs,
        ours / theirs,
        n1
      );
    }
  }
}
