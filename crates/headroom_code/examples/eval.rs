//! Per-language figures on real source: files, bytes, tokens saved (o200k), re-parse rate,
//! safety-net fallbacks and throughput.
//!
//! `cargo run -p headroom_code --release --example eval [-- FILES_PER_LANG [aggressive]]`

#[path = "../tests/common/corpus.rs"]
mod corpus;

use std::time::{Duration, Instant};

use headroom_code::{Dialect, Outcome};
use headroom_core::check::{Granularity, TextCheck, check_text};
use headroom_core::{Mode, Params};

use headroom_core::store::MemoryStore as MemStore;

#[derive(Default)]
struct Row {
  files: usize,
  bytes: usize,
  clean_inputs: usize,
  compressed: usize,
  compressed_clean_inputs: usize,
  outputs_clean: usize,
  fallbacks: usize,
  budget: usize,
  checker_failures: usize,
  tokens_in: usize,
  tokens_out: usize,
  time: Duration,
  parse_time: Duration,
  py_outputs: Vec<String>,
}

fn main() {
  let args: Vec<String> = std::env::args().collect();
  let per_lang: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(300);
  let mode = if args.iter().any(|a| a == "aggressive") {
    Mode::Aggressive
  } else {
    Mode::Balanced
  };
  let tok = headroom_tokens::tokenizer(headroom_tokens::Encoding::O200kBase);
  println!(
    "headroom_code eval: up to {per_lang} files per language, mode {}",
    mode.as_str()
  );
  println!(
    "{:<34} {:>5} {:>8} {:>7} {:>6} {:>9} {:>9} {:>6} {:>8} {:>5} {:>7} {:>7}",
    "source",
    "files",
    "MB",
    "clean%",
    "compr",
    "tok in",
    "tok out",
    "saved",
    "reparse",
    "fall",
    "MB/s",
    "parse"
  );
  let mut failures = Vec::new();
  for src in corpus::sources(per_lang, 4 << 20) {
    if let Some(note) = &src.note {
      println!("{:<34} skipped: {note}", src.label);
      continue;
    }
    let store = MemStore::default();
    let params = Params::new(mode, &store);
    let mut row = Row::default();
    for path in &src.files {
      let Ok(text) = std::fs::read_to_string(path) else {
        continue;
      };
      row.files += 1;
      row.bytes += text.len();
      let t0 = Instant::now();
      let tree = src.dialect.parse(&text);
      row.parse_time += t0.elapsed();
      let clean = tree.is_some_and(|t| !t.root_node().has_error());
      row.clean_inputs += usize::from(clean);
      let t0 = Instant::now();
      let outcome = headroom_code::compress_dialect_outcome(&text, src.dialect, &params);
      row.time += t0.elapsed();
      let n_in = tok.count(&text);
      row.tokens_in += n_in;
      match outcome {
        Outcome::Compressed(c) => {
          row.compressed += 1;
          row.tokens_out += tok.count(&c.text);
          let fetch = |h: &str| store.get(h);
          if let Err(e) = check_text(&text, &c.text, &fetch, &TextCheck::new(Granularity::Lines)) {
            row.checker_failures += 1;
            failures.push(format!("checker {}: {e}", path.display()));
          }
          if clean {
            row.compressed_clean_inputs += 1;
            let fresh = src.dialect.parse(&c.text).expect("grammar");
            if fresh.root_node().has_error() {
              failures.push(format!("reparse {}", path.display()));
            } else {
              row.outputs_clean += 1;
            }
          }
          if src.dialect == Dialect::Python && clean {
            row.py_outputs.push(c.text);
          }
        }
        Outcome::Unchanged(why) => {
          row.tokens_out += n_in;
          if why == "parse budget" {
            row.budget += 1;
            failures.push(format!("parse budget {}", path.display()));
          }
          if why == "reparse failed" {
            row.fallbacks += 1;
            if clean {
              failures.push(format!("fallback {}", path.display()));
            }
          }
        }
      }
    }
    let mb = row.bytes as f64 / 1e6;
    println!(
      "{:<34} {:>5} {:>8.2} {:>6.1}% {:>6} {:>9} {:>9} {:>5.1}% {:>7.1}% {:>5} {:>7.1} {:>7.1}",
      src.label,
      row.files,
      mb,
      100.0 * row.clean_inputs as f64 / row.files.max(1) as f64,
      row.compressed,
      row.tokens_in,
      row.tokens_out,
      100.0 * (1.0 - row.tokens_out as f64 / row.tokens_in.max(1) as f64),
      100.0 * row.outputs_clean as f64 / row.compressed_clean_inputs.max(1) as f64,
      row.fallbacks,
      mb / row.time.as_secs_f64().max(1e-9),
      mb / row.parse_time.as_secs_f64().max(1e-9),
    );
    if row.budget > 0 {
      println!("  {} files over the parse work budget", row.budget);
    }
    if row.checker_failures > 0 {
      println!("  {} checker failures", row.checker_failures);
    }
    if !row.py_outputs.is_empty() {
      python_ast_check(&row.py_outputs);
    }
  }
  println!(
    "columns: clean% = inputs that parse with no ERROR/MISSING node; compr = files compressed;\n\
     saved = o200k tokens saved over all files (unchanged files count in full);\n\
     reparse = outputs of clean inputs that parse cleanly (fresh parse); fall = safety-net\n\
     fallbacks (output did not parse as well: original kept); MB/s = compress() throughput\n\
     including parse and re-parse; parse = one tree-sitter parse alone."
  );
  for f in failures.iter().take(30) {
    println!("  {f}");
  }
}

/// Runs CPython's own parser (`ast.parse`) over the Python outputs, when python3 exists.
fn python_ast_check(outputs: &[String]) {
  let dir = std::env::temp_dir().join("headroom_code_eval_py");
  let _ = std::fs::remove_dir_all(&dir);
  if std::fs::create_dir_all(&dir).is_err() {
    return;
  }
  for (i, o) in outputs.iter().enumerate() {
    let _ = std::fs::write(dir.join(format!("{i:05}.py")), o);
  }
  let script = "import ast,sys,glob,warnings\nwarnings.simplefilter('ignore')\nok=bad=0\nfor p in sorted(glob.glob(sys.argv[1]+'/*.py')):\n  try:\n    ast.parse(open(p,encoding='utf-8').read()); ok+=1\n  except SyntaxError as e:\n    bad+=1; print('  ast.parse failed:',p,e)\nprint(f'  python ast.parse on outputs: {ok}/{ok+bad} parse')\n";
  match std::process::Command::new("python3")
    .arg("-c")
    .arg(script)
    .arg(&dir)
    .output()
  {
    Ok(o) => print!("{}", String::from_utf8_lossy(&o.stdout)),
    Err(_) => println!("  (python3 not found: ast.parse check skipped)"),
  }
}
