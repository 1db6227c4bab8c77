//! Creating the store file privately: the store holds pre-compression originals, which may
//! contain secrets, so the file is `0600` and a folder we create is `0700`, whatever the
//! process umask. SQLite gives the `-wal` and `-shm` files the main file's permissions.

use std::fs;
use std::io;
use std::path::Path;

/// Makes sure `path`'s folder exists (created `0700`) and `path` exists as a file with mode
/// `0600` before SQLite opens it. An existing file readable by group or others is tightened
/// to `0600` (best effort: a file owned by someone else is left as it is).
pub(crate) fn prepare_store_file(path: &Path) -> io::Result<()> {
  if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
    create_private_dirs(parent)?;
  }
  match create_private_file(path) {
    Ok(()) => Ok(()),
    Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
      tighten(path);
      Ok(())
    }
    Err(e) => Err(e),
  }
}

#[cfg(unix)]
fn create_private_dirs(dir: &Path) -> io::Result<()> {
  use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
  if dir.is_dir() {
    return Ok(());
  }
  // Create missing ancestors one by one so each folder we create gets 0700 explicitly
  // (the mode given to mkdir is masked by the umask; set_permissions is not).
  let mut missing = Vec::new();
  let mut cur = Some(dir);
  while let Some(d) = cur.filter(|d| !d.as_os_str().is_empty() && !d.exists()) {
    missing.push(d);
    cur = d.parent();
  }
  for d in missing.into_iter().rev() {
    match fs::DirBuilder::new().mode(0o700).create(d) {
      Ok(()) => fs::set_permissions(d, fs::Permissions::from_mode(0o700))?,
      Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
      Err(e) => return Err(e),
    }
  }
  Ok(())
}

#[cfg(not(unix))]
fn create_private_dirs(dir: &Path) -> io::Result<()> {
  fs::create_dir_all(dir)
}

#[cfg(unix)]
fn create_private_file(path: &Path) -> io::Result<()> {
  use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
  let file = fs::OpenOptions::new()
    .write(true)
    .create_new(true)
    .mode(0o600)
    .open(path)?;
  file.set_permissions(fs::Permissions::from_mode(0o600))
}

#[cfg(not(unix))]
fn create_private_file(path: &Path) -> io::Result<()> {
  fs::OpenOptions::new()
    .write(true)
    .create_new(true)
    .open(path)
    .map(drop)
}

#[cfg(unix)]
fn tighten(path: &Path) {
  use std::os::unix::fs::PermissionsExt;
  let loose = fs::metadata(path)
    .map(|m| m.is_file() && m.permissions().mode() & 0o077 != 0)
    .unwrap_or(false);
  if loose {
    let _ = fs::set_permissions(path, fs::Permissions::from_mode(0o600));
  }
}

#[cfg(not(unix))]
fn tighten(_path: &Path) {}

#[cfg(all(test, unix))]
mod tests {
  use super::*;
  use std::os::unix::fs::PermissionsExt;

  fn mode(p: &Path) -> u32 {
    fs::metadata(p).unwrap().permissions().mode() & 0o777
  }

  #[test]
  fn creates_private_folders_and_file() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("a/b/ccr.sqlite");
    prepare_store_file(&path).unwrap();
    assert_eq!(mode(&path), 0o600);
    assert_eq!(mode(&tmp.path().join("a")), 0o700);
    assert_eq!(mode(&tmp.path().join("a/b")), 0o700);
    // Idempotent.
    prepare_store_file(&path).unwrap();
  }

  #[test]
  fn tightens_an_existing_world_readable_file() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("ccr.sqlite");
    fs::write(&path, b"").unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
    prepare_store_file(&path).unwrap();
    assert_eq!(mode(&path), 0o600);
  }
}
