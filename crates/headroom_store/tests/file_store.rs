//! The file store: persistence across opens, privacy of the files, and errors that name
//! the path.

use std::path::Path;

use headroom_core::ErrorCode;
use headroom_store::{Location, Store, StoreConfig};

#[test]
fn entries_and_counters_survive_reopening() {
  let tmp = tempfile::tempdir().unwrap();
  let path = tmp.path().join("ccr.sqlite");
  let key = {
    let store = Store::open(&StoreConfig::file(&path)).unwrap();
    let key = store.put(b"\x00persisted\xff").unwrap();
    store.get(&key).unwrap();
    key
  };
  let store = Store::open(&StoreConfig::file(&path)).unwrap();
  assert_eq!(store.get(&key).unwrap(), b"\x00persisted\xff");
  let stats = store.stats().unwrap();
  assert_eq!((stats.entries, stats.hits), (1, 2));
  assert_eq!(stats.path.as_deref(), Some(path.as_path()));
}

#[test]
fn a_file_that_is_not_a_store_is_a_store_error_naming_it() {
  let tmp = tempfile::tempdir().unwrap();
  let path = tmp.path().join("garbage.sqlite");
  std::fs::write(&path, vec![0x42u8; 8192]).unwrap();
  let e = Store::open(&StoreConfig::file(&path)).unwrap_err();
  assert_eq!(e.code, ErrorCode::StoreError);
  assert!(e.message.contains(&path.display().to_string()), "{e}");
}

#[test]
fn an_uncreatable_path_is_a_store_error_naming_it() {
  let tmp = tempfile::tempdir().unwrap();
  let blocker = tmp.path().join("a-file");
  std::fs::write(&blocker, b"").unwrap();
  let path = blocker.join("ccr.sqlite");
  let e = Store::open(&StoreConfig::file(&path)).unwrap_err();
  assert_eq!(e.code, ErrorCode::StoreError);
  assert!(e.message.contains(&path.display().to_string()), "{e}");
  assert!(e.message.contains("cannot create"), "{e}");
}

#[test]
fn a_store_from_a_newer_schema_is_refused() {
  let tmp = tempfile::tempdir().unwrap();
  let path = tmp.path().join("future.sqlite");
  drop(Store::open(&StoreConfig::file(&path)).unwrap());
  let conn = rusqlite::Connection::open(&path).unwrap();
  conn.pragma_update(None, "user_version", 42).unwrap();
  drop(conn);
  let e = Store::open(&StoreConfig::file(&path)).unwrap_err();
  assert_eq!(e.code, ErrorCode::StoreError);
  assert!(e.message.contains("schema version 42 is newer"), "{e}");
}

#[test]
fn memory_stores_are_private() {
  let a = Store::open(&StoreConfig::memory()).unwrap();
  let b = Store::in_memory();
  let key = a.put(b"only in a").unwrap();
  assert_eq!(b.get(&key).unwrap_err().code, ErrorCode::UnknownHash);
  assert_eq!(a.config().location, Location::Memory);
  assert_eq!(a.path(), None);
}

#[cfg(unix)]
const UMASK_CHILD_ENV: &str = "HEADROOM_STORE_TEST_UMASK_CHILD";

#[cfg(unix)]
fn mode(p: &Path) -> u32 {
  use std::os::unix::fs::PermissionsExt;
  std::fs::metadata(p)
    .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
    .permissions()
    .mode()
    & 0o777
}

/// Runs in a child started under `umask 000`: a careless `open(2)` would make the files
/// world-readable there.
#[cfg(unix)]
fn umask_child(dir: &Path) {
  let probe = dir.join("probe");
  std::fs::write(&probe, b"").unwrap();
  assert_eq!(mode(&probe), 0o666, "the child really runs with umask 000");
  let path = dir.join("home/nested/ccr.sqlite");
  let store = Store::open(&StoreConfig::file(&path)).unwrap();
  store.put(&[7u8; 10_000]).unwrap();
  // The connection is open, so the WAL and shared-memory files exist now.
  for suffix in ["", "-wal", "-shm"] {
    let mut name = path.clone().into_os_string();
    name.push(suffix);
    assert_eq!(mode(Path::new(&name)), 0o600, "ccr.sqlite{suffix}");
  }
  assert_eq!(mode(&dir.join("home")), 0o700);
  assert_eq!(mode(&dir.join("home/nested")), 0o700);
}

#[cfg(unix)]
#[test]
fn store_files_are_private_whatever_the_umask() {
  if let Ok(dir) = std::env::var(UMASK_CHILD_ENV) {
    return umask_child(Path::new(&dir));
  }
  let tmp = tempfile::tempdir().unwrap();
  let exe = std::env::current_exe().unwrap();
  let out = std::process::Command::new("sh")
    .args(["-c", "umask 000 && exec \"$0\" \"$@\""])
    .arg(exe)
    .args([
      "--exact",
      "store_files_are_private_whatever_the_umask",
      "--nocapture",
      "--test-threads=1",
    ])
    .env(UMASK_CHILD_ENV, tmp.path())
    .output()
    .unwrap();
  let stdout = String::from_utf8_lossy(&out.stdout);
  assert!(
    out.status.success() && stdout.contains("1 passed"),
    "child failed: {stdout}\n{}",
    String::from_utf8_lossy(&out.stderr)
  );
}
