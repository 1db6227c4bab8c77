//! Finding and loading the ONNX Runtime shared library, once per process.
//!
//! `ort` is built with `load-dynamic`: nothing is linked or downloaded at build time, and
//! the library is `dlopen`ed here. The first place that has a file wins:
//!
//! 1. the explicit path of [`crate::KompressConfig::library`];
//! 2. `$ORT_DYLIB_PATH` (the variable `ort` itself reads);
//! 3. `$HEADROOM_ORT_LIB`;
//! 4. npm `onnxruntime-node`: `node_modules/onnxruntime-node/bin/napi-v*/<platform>/<arch>/`
//!    (`libonnxruntime.so.1`, `libonnxruntime.1.dylib`, `onnxruntime.dll`) in the current
//!    directory and each of its ancestors, then (debug builds, i.e. tests) from this crate's
//!    directory upward;
//! 5. the PyPI `onnxruntime` / `onnxruntime-gpu` wheel: `onnxruntime/capi/libonnxruntime.so*`
//!    in a `site-packages` / `dist-packages` of `$VIRTUAL_ENV`, `$CONDA_PREFIX`, pyenv
//!    versions, `~/.local`, `/usr/local` and `/usr` (the GPU wheel is the one that carries the
//!    CUDA provider library).
//!
//! [`runtime`] loads the library and builds the `ort` environment the first time it
//! succeeds; later calls reuse it (a second, different path is ignored: a process holds one
//! ONNX Runtime). Failures are not cached, so a later call with a path can still succeed.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::KompressError;

/// The loaded ONNX Runtime: the library it came from and the `ort` environment.
pub struct Runtime {
  /// The library file that was loaded.
  pub library: PathBuf,
  /// The ONNX Runtime version the library reports (e.g. `1.30.0`), or `unknown`.
  pub version: String,
  pub(crate) env: ort::environment::Environment,
}

impl std::fmt::Debug for Runtime {
  fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
    f.debug_struct("Runtime")
      .field("library", &self.library)
      .field("version", &self.version)
      .finish_non_exhaustive()
  }
}

static RUNTIME: Mutex<Option<Arc<Runtime>>> = Mutex::new(None);

/// Returns the process's ONNX Runtime, loading it on first success (see the module docs for
/// the search order; `explicit` is step 1).
pub fn runtime(explicit: Option<&Path>) -> Result<Arc<Runtime>, KompressError> {
  let mut slot = RUNTIME.lock().unwrap_or_else(|p| p.into_inner());
  if let Some(rt) = slot.as_ref() {
    return Ok(Arc::clone(rt));
  }
  let library = find_library(explicit)?;
  let load_err = |reason: String| KompressError::LibraryLoad {
    path: library.clone(),
    reason,
  };
  let builder = ort::init_from(&library).map_err(|e| load_err(e.to_string()))?;
  let env = builder
    .with_name("headroom-kompress")
    .build()
    .map_err(|e| load_err(e.to_string()))?;
  let version = library_version(&library).unwrap_or_else(|| "unknown".to_string());
  let rt = Arc::new(Runtime {
    library,
    version,
    env,
  });
  *slot = Some(Arc::clone(&rt));
  Ok(rt)
}

/// Whether the runtime is already loaded in this process.
pub fn is_loaded() -> bool {
  RUNTIME.lock().unwrap_or_else(|p| p.into_inner()).is_some()
}

/// Asks the library for its version (`OrtGetApiBase()->GetVersionString()`). The library
/// is already loaded by `ort`, so this only takes another reference to it.
fn library_version(path: &Path) -> Option<String> {
  // SAFETY: `path` is the ONNX Runtime library `ort` has just loaded successfully; loading
  // it again runs no new initialisers and only bumps its reference count.
  let lib = unsafe { libloading::Library::new(path) }.ok()?;
  // SAFETY: `OrtGetApiBase` is the C entry point every ONNX Runtime exports, with this
  // signature (it returns a pointer to a static struct); `ort` resolved the same symbol.
  let get_base = unsafe {
    lib.get::<unsafe extern "system" fn() -> *const ort::sys::OrtApiBase>(b"OrtGetApiBase")
  }
  .ok()?;
  // SAFETY: the function takes no argument and returns a pointer to a static `OrtApiBase`
  // (or null, checked below), whose `GetVersionString` returns a static NUL-terminated
  // string (the C API documents: "do not deallocate the returned buffer").
  unsafe {
    let base = get_base();
    if base.is_null() {
      return None;
    }
    let v = ((*base).GetVersionString)();
    if v.is_null() {
      return None;
    }
    Some(std::ffi::CStr::from_ptr(v).to_string_lossy().into_owned())
  }
}

/// Finds the ONNX Runtime library without loading it (see the module docs for the order).
pub fn find_library(explicit: Option<&Path>) -> Result<PathBuf, KompressError> {
  let mut searched = Vec::new();
  if let Some(p) = explicit {
    return check_file(p, &mut searched);
  }
  for var in ["ORT_DYLIB_PATH", "HEADROOM_ORT_LIB"] {
    if let Some(p) = std::env::var_os(var).filter(|v| !v.is_empty()) {
      return check_file(Path::new(&p), &mut searched);
    }
  }
  let mut roots = Vec::new();
  if let Ok(cwd) = std::env::current_dir() {
    roots.push(cwd);
  }
  if cfg!(debug_assertions) {
    roots.push(PathBuf::from(env!("CARGO_MANIFEST_DIR")));
  }
  for root in &roots {
    for dir in root.ancestors() {
      let pkg = dir.join("node_modules").join("onnxruntime-node");
      if let Some(found) = in_npm_package(&pkg, &mut searched) {
        return Ok(found);
      }
    }
  }
  for site in python_site_dirs() {
    let capi = site.join("onnxruntime").join("capi");
    searched.push(capi.clone());
    if let Some(found) = in_wheel(&capi) {
      return Ok(found);
    }
  }
  Err(KompressError::LibraryNotFound { searched })
}

fn check_file(p: &Path, searched: &mut Vec<PathBuf>) -> Result<PathBuf, KompressError> {
  searched.push(p.to_path_buf());
  if p.is_file() {
    Ok(p.to_path_buf())
  } else {
    Err(KompressError::LibraryNotFound {
      searched: std::mem::take(searched),
    })
  }
}

/// The library names onnxruntime-node ships for this platform, and its platform/arch dirs.
fn npm_layout() -> Option<(&'static str, &'static str, &'static [&'static str])> {
  let platform = match std::env::consts::OS {
    "linux" => "linux",
    "macos" => "darwin",
    "windows" => "win32",
    _ => return None,
  };
  let arch = match std::env::consts::ARCH {
    "x86_64" => "x64",
    "aarch64" => "arm64",
    _ => return None,
  };
  let names: &[&str] = match platform {
    "linux" => &["libonnxruntime.so.1", "libonnxruntime.so"],
    "darwin" => &["libonnxruntime.1.dylib", "libonnxruntime.dylib"],
    _ => &["onnxruntime.dll"],
  };
  Some((platform, arch, names))
}

fn in_npm_package(pkg: &Path, searched: &mut Vec<PathBuf>) -> Option<PathBuf> {
  let (platform, arch, names) = npm_layout()?;
  let bin = pkg.join("bin");
  searched.push(bin.join("napi-v*").join(platform).join(arch));
  let mut napi_dirs: Vec<PathBuf> = std::fs::read_dir(&bin)
    .ok()?
    .filter_map(|e| e.ok())
    .filter(|e| e.file_name().to_string_lossy().starts_with("napi-v"))
    .map(|e| e.path())
    .collect();
  // Newest N-API directory first (napi-v10 after napi-v9: compare the number).
  napi_dirs.sort_by_key(|p| {
    let n = p.file_name().map(|f| f.to_string_lossy().into_owned());
    std::cmp::Reverse(n.and_then(|n| n["napi-v".len()..].parse::<u32>().ok()))
  });
  for dir in napi_dirs {
    for name in names {
      let p = dir.join(platform).join(arch).join(name);
      if p.is_file() {
        return Some(p);
      }
    }
  }
  None
}

fn in_wheel(capi: &Path) -> Option<PathBuf> {
  let mut libs: Vec<PathBuf> = std::fs::read_dir(capi)
    .ok()?
    .filter_map(|e| e.ok())
    .map(|e| e.path())
    .filter(|p| {
      let name = p.file_name().map(|f| f.to_string_lossy().into_owned());
      name.is_some_and(|n| {
        n.starts_with("libonnxruntime.so")
          || (n.starts_with("libonnxruntime.") && n.ends_with(".dylib"))
          || n == "onnxruntime.dll"
      })
    })
    .collect();
  // The longest name is the most specific (libonnxruntime.so.1.23.2 over .so.1).
  libs.sort_by_key(|p| std::cmp::Reverse(p.as_os_str().len()));
  libs.into_iter().next()
}

/// Candidate site-packages directories, without running Python.
fn python_site_dirs() -> Vec<PathBuf> {
  let mut prefixes: Vec<PathBuf> = Vec::new();
  for var in ["VIRTUAL_ENV", "CONDA_PREFIX"] {
    if let Some(v) = std::env::var_os(var).filter(|v| !v.is_empty()) {
      prefixes.push(PathBuf::from(v));
    }
  }
  if let Some(home) = std::env::var_os("HOME").map(PathBuf::from) {
    let pyenv = std::env::var_os("PYENV_ROOT").map_or_else(|| home.join(".pyenv"), PathBuf::from);
    if let Ok(rd) = std::fs::read_dir(pyenv.join("versions")) {
      let mut versions: Vec<PathBuf> = rd.filter_map(|e| e.ok()).map(|e| e.path()).collect();
      versions.sort();
      prefixes.extend(versions);
    }
    prefixes.push(home.join(".local"));
  }
  prefixes.push(PathBuf::from("/usr/local"));
  prefixes.push(PathBuf::from("/usr"));
  let mut out = Vec::new();
  for prefix in prefixes {
    let lib = prefix.join("lib");
    let Ok(rd) = std::fs::read_dir(&lib) else {
      continue;
    };
    let mut pythons: Vec<PathBuf> = rd
      .filter_map(|e| e.ok())
      .filter(|e| e.file_name().to_string_lossy().starts_with("python3"))
      .map(|e| e.path())
      .collect();
    pythons.sort();
    for py in pythons {
      for sub in ["site-packages", "dist-packages"] {
        let d = py.join(sub);
        if d.is_dir() {
          out.push(d);
        }
      }
    }
  }
  out
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn explicit_missing_path_is_typed() {
    let err = find_library(Some(Path::new("/nonexistent/libonnxruntime.so.1"))).unwrap_err();
    match err {
      KompressError::LibraryNotFound { searched } => {
        assert_eq!(
          searched,
          [PathBuf::from("/nonexistent/libonnxruntime.so.1")]
        );
      }
      other => panic!("unexpected {other:?}"),
    }
  }

  #[test]
  fn npm_layout_is_searched_newest_napi_first() {
    let dir = std::env::temp_dir().join(format!("hr-kompress-npm-{}", std::process::id()));
    let Some((platform, arch, names)) = npm_layout() else {
      return;
    };
    for v in ["napi-v6", "napi-v10"] {
      let d = dir.join("bin").join(v).join(platform).join(arch);
      std::fs::create_dir_all(&d).unwrap();
      std::fs::write(d.join(names[0]), b"not a library").unwrap();
    }
    let mut searched = Vec::new();
    let found = in_npm_package(&dir, &mut searched).unwrap();
    assert!(found.to_string_lossy().contains("napi-v10"), "{found:?}");
    std::fs::remove_dir_all(&dir).unwrap();
  }
}
