//! Real source files on this machine, per language, for the tests and the eval. Every
//! source is optional: a language whose files are absent is reported and skipped.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use headroom_code::Dialect;

/// Where one language's files come from.
pub struct Source {
  pub dialect: Dialect,
  pub label: &'static str,
  pub files: Vec<PathBuf>,
  /// Why the language has no files, when it has none.
  pub note: Option<String>,
}

fn home() -> PathBuf {
  std::env::var_os("HOME").map_or_else(|| PathBuf::from("/root"), PathBuf::from)
}

/// Files under `root` (recursively, symlinks not followed) whose name ends with one of
/// `exts`, sorted, at most `max_bytes` each.
pub fn walk(root: &Path, exts: &[&str], max_bytes: u64, out: &mut Vec<PathBuf>) {
  let mut stack = vec![root.to_path_buf()];
  while let Some(dir) = stack.pop() {
    let Ok(rd) = std::fs::read_dir(&dir) else {
      continue;
    };
    for entry in rd.flatten() {
      let Ok(ft) = entry.file_type() else { continue };
      let p = entry.path();
      if ft.is_dir() {
        stack.push(p);
      } else if ft.is_file() {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let ok = exts.iter().any(|e| name.ends_with(e));
        let small = entry
          .metadata()
          .is_ok_and(|m| m.len() <= max_bytes && m.len() > 0);
        if ok && small {
          out.push(p);
        }
      }
    }
  }
}

/// Picks `n` files spread evenly over the sorted list (deterministic).
pub fn spread(mut files: Vec<PathBuf>, n: usize) -> Vec<PathBuf> {
  files.sort();
  files.dedup();
  if files.len() <= n {
    return files;
  }
  let step = files.len() as f64 / n as f64;
  (0..n)
    .map(|i| files[(i as f64 * step) as usize].clone())
    .collect()
}

fn registry_roots() -> Vec<PathBuf> {
  let base = home().join(".cargo/registry/src");
  let mut roots = Vec::new();
  if let Ok(rd) = std::fs::read_dir(&base) {
    for e in rd.flatten() {
      roots.push(e.path());
    }
  }
  roots.sort();
  roots
}

fn node_modules() -> Option<PathBuf> {
  let here = Path::new(env!("CARGO_MANIFEST_DIR"));
  let cands = [
    here.join("../../node_modules"),
    PathBuf::from("/work/main/node_modules"),
  ];
  cands
    .into_iter()
    .find(|p| p.join("typescript/lib").is_dir())
}

/// The JDK's `src.zip`, if a JDK is installed.
pub fn jdk_src_zip() -> Option<PathBuf> {
  let mut cands = Vec::new();
  if let Some(h) = std::env::var_os("JAVA_HOME") {
    cands.push(PathBuf::from(h).join("lib/src.zip"));
  }
  if let Ok(rd) = std::fs::read_dir("/usr/lib/jvm") {
    let mut v: Vec<PathBuf> = rd.flatten().map(|e| e.path()).collect();
    v.sort();
    for p in v {
      cands.push(p.join("lib/src.zip"));
      cands.push(p.join("src.zip"));
    }
  }
  cands.into_iter().find(|p| p.is_file())
}

/// Extracts the `java.base/java/util` and `java.base/java/lang` sources of `src.zip` into
/// a temporary folder (with the `unzip` tool) and returns it.
fn jdk_sources(zip: &Path) -> Option<PathBuf> {
  let dir = std::env::temp_dir().join("headroom_code_jdk");
  let ok = std::process::Command::new("unzip")
    .arg("-q")
    .arg("-o")
    .arg(zip)
    .args([
      "java.base/java/util/*",
      "java.base/java/lang/*",
      "java.base/java/io/*",
    ])
    .arg("-d")
    .arg(&dir)
    .status()
    .is_ok_and(|s| s.success());
  ok.then_some(dir)
}

/// Go sources: `$GOROOT/src`, a Debian `golang-*-src` tree, or `HEADROOM_CODE_GO_SRC`.
fn go_root() -> Option<PathBuf> {
  let mut cands: Vec<PathBuf> = Vec::new();
  if let Some(p) = std::env::var_os("HEADROOM_CODE_GO_SRC") {
    cands.push(PathBuf::from(p));
  }
  if let Some(p) = std::env::var_os("GOROOT") {
    cands.push(PathBuf::from(p).join("src"));
  }
  if let Ok(o) = std::process::Command::new("go")
    .args(["env", "GOROOT"])
    .output()
  {
    let s = String::from_utf8_lossy(&o.stdout).trim().to_string();
    if !s.is_empty() {
      cands.push(PathBuf::from(s).join("src"));
    }
  }
  for base in ["/usr/lib", "/usr/share", "/usr/local"] {
    if let Ok(rd) = std::fs::read_dir(base) {
      let mut v: Vec<PathBuf> = rd
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
          p.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("go"))
        })
        .collect();
      v.sort();
      cands.extend(v.into_iter().map(|p| p.join("src")));
    }
  }
  cands.into_iter().find(|p| p.join("fmt").is_dir())
}

/// Every language's files, `per_lang` at most each, files of at most `max_bytes`.
pub fn sources(per_lang: usize, max_bytes: u64) -> Vec<Source> {
  let mut out = Vec::new();
  let mut add = |dialect, label, files: Vec<PathBuf>, missing: &str| {
    let note = files.is_empty().then(|| missing.to_string());
    out.push(Source {
      dialect,
      label,
      files: spread(files, per_lang),
      note,
    });
  };
  // Python: the standard library.
  let mut py = Vec::new();
  for v in ["3.13", "3.12", "3.11", "3.10", "3.9"] {
    let p = PathBuf::from(format!("/usr/lib/python{v}"));
    if p.is_dir() {
      walk(&p, &[".py"], max_bytes, &mut py);
      break;
    }
  }
  add(
    Dialect::Python,
    "python (stdlib)",
    py,
    "no /usr/lib/python3.* found",
  );
  // Rust, C and C++: the cargo registry (C/C++ from -sys crates), C: system headers too.
  let (mut rs, mut c, mut cpp) = (Vec::new(), Vec::new(), Vec::new());
  for r in registry_roots() {
    walk(&r, &[".rs"], max_bytes, &mut rs);
    walk(&r, &[".c"], max_bytes, &mut c);
    walk(&r, &[".cpp", ".cc", ".cxx", ".hpp"], max_bytes, &mut cpp);
  }
  let mut h = Vec::new();
  walk(Path::new("/usr/include"), &[".h"], max_bytes, &mut h);
  add(
    Dialect::Rust,
    "rust (cargo registry)",
    rs,
    "no ~/.cargo/registry/src",
  );
  add(
    Dialect::C,
    "c (.c in the registry)",
    c,
    "no .c files in the registry",
  );
  add(
    Dialect::C,
    "c headers (/usr/include)",
    h,
    "no /usr/include headers",
  );
  add(
    Dialect::Cpp,
    "cpp (registry)",
    cpp,
    "no C++ files in the registry",
  );
  // TypeScript's own lib and JS/TS from node_modules.
  let (mut dts, mut ts, mut tsx, mut js) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
  if let Some(nm) = node_modules() {
    walk(&nm.join("typescript/lib"), &[".d.ts"], max_bytes, &mut dts);
    walk(&nm, &[".ts"], max_bytes, &mut ts);
    ts.retain(|p| !p.to_string_lossy().ends_with(".d.ts"));
    walk(&nm, &[".tsx"], max_bytes, &mut tsx);
    walk(&nm, &[".js", ".mjs", ".cjs"], max_bytes, &mut js);
    js.retain(|p| !p.to_string_lossy().contains(".min."));
  }
  add(
    Dialect::TypeScript,
    "typescript lib/*.d.ts",
    dts,
    "no node_modules/typescript",
  );
  add(
    Dialect::TypeScript,
    "typescript (.ts in node_modules)",
    ts,
    "no .ts files in node_modules",
  );
  add(
    Dialect::Tsx,
    "tsx (node_modules)",
    tsx,
    "no .tsx files in node_modules",
  );
  add(
    Dialect::JavaScript,
    "javascript (node_modules)",
    js,
    "no node_modules",
  );
  // Java: the JDK's src.zip.
  let java = match jdk_src_zip() {
    Some(zip) => match jdk_sources(&zip) {
      Some(dir) => {
        let mut v = Vec::new();
        walk(&dir, &[".java"], max_bytes, &mut v);
        (
          v,
          "src.zip could not be extracted (unzip missing?)".to_string(),
        )
      }
      None => (
        Vec::new(),
        "src.zip could not be extracted (unzip missing?)".to_string(),
      ),
    },
    None => (Vec::new(), "no JDK src.zip on this machine".to_string()),
  };
  add(Dialect::Java, "java (JDK src.zip)", java.0, &java.1);
  // Go.
  let mut go = Vec::new();
  if let Some(root) = go_root() {
    walk(&root, &[".go"], max_bytes, &mut go);
  }
  add(
    Dialect::Go,
    "go (GOROOT/src)",
    go,
    "no Go sources (set HEADROOM_CODE_GO_SRC, e.g. to a golang-*-src package's src)",
  );
  out
}
