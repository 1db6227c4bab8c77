//! Several real processes share one store file: each puts its own originals and reads
//! everyone else's, concurrently. The children are this test binary, re-run with an
//! environment variable that makes the same test act as a child.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use headroom_core::ErrorCode;
use headroom_core::hash::retrieve_key;
use headroom_store::{Store, StoreConfig};

const CHILD_ENV: &str = "HEADROOM_STORE_TEST_CHILD";
const PROCS: usize = 4;
const PER_PROC: usize = 40;
const TEST_NAME: &str = "processes_share_one_store_file";

/// Deterministic binary payload of process `p`, item `i`: up to ~48 KiB, with NULs and bytes
/// that are not UTF-8, so every process can compute every other process's keys.
fn payload(p: usize, i: usize) -> Vec<u8> {
  let len = (i * 1237 + p * 311) % 49_152;
  let mut state = (p as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ i as u64;
  let mut out = format!("proc {p} item {i}\0").into_bytes();
  out.extend((0..len).map(|_| {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    state as u8
  }));
  out
}

fn open(path: &Path) -> Store {
  Store::open(&StoreConfig::file(path)).expect("open the shared store")
}

/// Gets `key`, waiting while its writer has not put it yet.
fn get_eventually(store: &Store, key: &str, deadline: Instant) -> Vec<u8> {
  loop {
    match store.get(key) {
      Ok(bytes) => return bytes,
      Err(e) if e.code == ErrorCode::UnknownHash && Instant::now() < deadline => {
        std::thread::sleep(Duration::from_millis(5));
      }
      Err(e) => panic!("get {key}: {} {}", e.code, e.message),
    }
  }
}

fn child(spec: &str) {
  let (path, me) = spec.split_once('|').expect("path|index");
  let me: usize = me.parse().unwrap();
  let store = open(Path::new(path));
  let deadline = Instant::now() + Duration::from_secs(60);
  for i in 0..PER_PROC {
    let data = payload(me, i);
    let key = store.put(&data).unwrap();
    assert_eq!(key, retrieve_key(&data, 16));
    // Opportunistically read what the others have written so far.
    let other = (me + 1 + i) % PROCS;
    if let Ok(bytes) = store.get(&retrieve_key(&payload(other, i), 16)) {
      assert_eq!(
        bytes,
        payload(other, i),
        "proc {other} item {i} read by {me}"
      );
    }
  }
  for p in (0..PROCS).filter(|&p| p != me) {
    for i in 0..PER_PROC {
      let want = payload(p, i);
      let got = get_eventually(&store, &retrieve_key(&want, 16), deadline);
      assert_eq!(got, want, "proc {p} item {i} read by {me}");
    }
  }
}

#[test]
fn processes_share_one_store_file() {
  if let Ok(spec) = std::env::var(CHILD_ENV) {
    return child(&spec);
  }
  let tmp = tempfile::tempdir().unwrap();
  // Not created beforehand: the children race to create and migrate it.
  let path = tmp.path().join("shared/ccr.sqlite");
  let exe = std::env::current_exe().unwrap();
  let children: Vec<_> = (0..PROCS)
    .map(|p| {
      Command::new(&exe)
        .args(["--exact", TEST_NAME, "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, format!("{}|{p}", path.display()))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn a child test process")
    })
    .collect();
  // Every child's failure is reported (one child failing to open makes the others wait for
  // its entries in vain: the first to fail is not the one to read).
  let outputs: Vec<_> = children
    .into_iter()
    .map(|child| child.wait_with_output().unwrap())
    .collect();
  let failures: Vec<String> = outputs
    .iter()
    .enumerate()
    .filter(|(_, out)| !out.status.success())
    .map(|(p, out)| {
      format!(
        "child {p} failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
      )
    })
    .collect();
  assert!(failures.is_empty(), "{}", failures.join("\n"));
  for out in &outputs {
    // The child really ran the test body (not zero filtered tests).
    assert!(String::from_utf8_lossy(&out.stdout).contains("1 passed"));
  }
  let store = open(&path);
  for p in 0..PROCS {
    for i in 0..PER_PROC {
      let want = payload(p, i);
      assert_eq!(store.get(&retrieve_key(&want, 16)).unwrap(), want);
    }
  }
  let stats = store.stats().unwrap();
  assert_eq!(stats.entries, (PROCS * PER_PROC) as u64);
  // Counters live in the file: every process's reads add up (misses are the waits).
  assert!(stats.hits >= (PROCS * PER_PROC * PROCS) as u64, "{stats:?}");
  assert_eq!((stats.expired, stats.evictions), (0, 0));
}
