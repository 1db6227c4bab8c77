//! Tests against a real `redis-server` (Debian package `redis-server`), started per test on
//! a free loopback port with no persistence, in a temp dir, and stopped on drop. Without
//! the binary each test prints a note and passes.
//!
//! Most scenarios run on both backends, SQLite in memory and Redis, and compare the
//! transcripts (keys, bytes, error codes and messages, counters): same semantics.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use headroom_core::ErrorCode;
use headroom_core::hash::{content_hash, retrieve_key};

use super::resp::{Connection, Value};
use crate::{Location, ManualClock, Purge, Store, StoreConfig};

const MIN: Duration = Duration::from_secs(60);
const HOUR: Duration = Duration::from_secs(3600);
const T0: i64 = 1_750_000_000_000;

/// A `redis-server` child process; killed and reaped on drop.
pub(crate) struct Server {
  child: Child,
  port: u16,
  _dir: tempfile::TempDir,
}

impl Server {
  /// Starts a server with `extra` arguments, or `None` (after a note) without the binary.
  pub(crate) fn start(extra: &[&str]) -> Option<Server> {
    Self::start_on(free_port(), extra)
  }

  fn start_on(port: u16, extra: &[&str]) -> Option<Server> {
    let dir = tempfile::tempdir().unwrap();
    let spawned = Command::new("redis-server")
      .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
      .args(["--save", "", "--appendonly", "no"])
      .arg("--dir")
      .arg(dir.path())
      .args(extra)
      .stdout(Stdio::null())
      .stderr(Stdio::null())
      .spawn();
    let child = match spawned {
      Ok(c) => c,
      Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
        eprintln!("note: redis-server not found; skipping (apt-get install redis-server)");
        return None;
      }
      Err(e) => panic!("cannot start redis-server: {e}"),
    };
    let server = Server {
      child,
      port,
      _dir: dir,
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
      let ping =
        Connection::connect("127.0.0.1", port, MIN, MIN).and_then(|mut c| c.call(&[b"PING"]));
      match ping {
        Ok(_) => return Some(server),
        // NOAUTH still means it is up.
        Err(super::resp::RespError::Server(_)) => return Some(server),
        Err(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
        Err(e) => panic!("redis-server did not come up on port {port}: {e}"),
      }
    }
  }

  pub(crate) fn url(&self) -> String {
    format!("redis://127.0.0.1:{}/0", self.port)
  }

  /// A raw connection, to look at or tamper with the keys.
  fn raw(&self) -> Connection {
    Connection::connect("127.0.0.1", self.port, MIN, MIN).unwrap()
  }

  /// Stops the server (the store's connection breaks).
  fn stop(&mut self) {
    let _ = self.child.kill();
    let _ = self.child.wait();
  }
}

impl Drop for Server {
  fn drop(&mut self) {
    self.stop();
  }
}

fn free_port() -> u16 {
  TcpListener::bind("127.0.0.1:0")
    .unwrap()
    .local_addr()
    .unwrap()
    .port()
}

fn redis_config(server: &Server, base: &StoreConfig) -> StoreConfig {
  StoreConfig {
    location: Location::Redis(server.url()),
    ..base.clone()
  }
}

/// The Redis store and its clock, on `server`.
fn redis_store(server: &Server, base: &StoreConfig, key_len: usize) -> (Store, Arc<ManualClock>) {
  let clock = Arc::new(ManualClock::new(T0));
  let store = Store::open_inner(&redis_config(server, base), clock.clone(), key_len).unwrap();
  (store, clock)
}

/// Runs `scenario` on an in-memory SQLite store and on a Redis store with the same
/// configuration and clock, and asserts that both tell the same story.
fn parity(
  base: StoreConfig,
  key_len: usize,
  scenario: impl Fn(&Store, &ManualClock) -> Vec<String>,
) {
  let Some(server) = Server::start(&[]) else {
    return;
  };
  let clock = Arc::new(ManualClock::new(T0));
  let sqlite = Store::open_inner(&base, clock.clone(), key_len).unwrap();
  let expected = scenario(&sqlite, &clock);
  let (redis, clock) = redis_store(&server, &base, key_len);
  assert_eq!(redis.backend(), "redis");
  let got = scenario(&redis, &clock);
  assert_eq!(got, expected, "Redis and SQLite disagree");
  assert!(!expected.is_empty());
}

fn show<T: std::fmt::Debug>(r: headroom_core::Result<T>) -> String {
  match r {
    Ok(v) => format!("ok {v:?}"),
    Err(e) => format!("{} {}", e.code, e.message),
  }
}

fn counters(store: &Store) -> String {
  let s = store.stats().unwrap();
  format!(
    "entries={} bytes={} tombstones={} hits={} misses={} expired={} evictions={}",
    s.entries, s.bytes, s.tombstones, s.hits, s.misses, s.expired, s.evictions
  )
}

/// Two different payloads whose digests share the first `len` hex characters.
fn colliding_pair(len: usize) -> (Vec<u8>, Vec<u8>) {
  let mut seen = std::collections::HashMap::new();
  for i in 0u32.. {
    let payload = format!("payload {i}").into_bytes();
    let prefix = content_hash(&payload)[..len].to_string();
    if let Some(first) = seen.insert(prefix, payload.clone()) {
      return (first, payload);
    }
  }
  unreachable!()
}

#[test]
fn byte_exact_round_trips_under_the_core_key() {
  parity(StoreConfig::memory(), 16, |store, _| {
    let mut log = vec![];
    let payloads: Vec<Vec<u8>> = vec![
      b"{\"rows\": [1, 2, 3]}\n".to_vec(),
      b"\x00\xff\xfe\r\n$3\r\n*1\r\n not utf-8 \xc3\x28".to_vec(),
      Vec::new(),
      (0..200_000u32).map(|i| (i % 251) as u8).collect(),
    ];
    for p in &payloads {
      let key = store.put(p).unwrap();
      assert_eq!(key, retrieve_key(p, 16));
      assert_eq!(&store.get(&key).unwrap(), p);
      assert_eq!(store.put(p).unwrap(), key, "same bytes, same key");
      log.push(key);
    }
    log.push(counters(store));
    log
  });
}

#[test]
fn collisions_extend_the_key_and_never_overwrite() {
  let config = StoreConfig {
    idle_ttl: 30 * MIN,
    ..StoreConfig::memory()
  };
  parity(config, 3, |store, clock| {
    let (a, b) = colliding_pair(3);
    let ka = store.put(&a).unwrap();
    let kb = store.put(&b).unwrap();
    assert_eq!(ka, content_hash(&a)[..3]);
    assert_eq!(
      kb,
      content_hash(&b)[..7],
      "a longer prefix of its own digest"
    );
    assert_eq!(store.get(&ka).unwrap(), a, "the first entry is untouched");
    assert_eq!(store.get(&kb).unwrap(), b);
    let mut log = vec![ka.clone(), kb.clone(), counters(store)];
    // A tombstone holds its key too: after `a` expires, a third colliding original does
    // not take `a`'s key, and `a` itself revives it.
    clock.advance(31 * MIN);
    log.push(show(store.purge(Purge::Expired)));
    log.push(show(store.get(&ka)));
    log.push(show(store.put(&b)));
    assert_eq!(store.put(&a).unwrap(), ka);
    assert_eq!(store.get(&ka).unwrap(), a);
    log.push(counters(store));
    log
  });
}

#[test]
fn idle_ttl_is_refreshed_by_reads_and_expiry_is_not_unknown() {
  parity(StoreConfig::memory(), 16, |store, clock| {
    let mut log = vec![];
    let key = store.put(b"kept while read").unwrap();
    for _ in 0..3 {
      clock.advance(23 * HOUR);
      log.push(show(store.get(&key).map(|b| b.len())));
    }
    clock.advance(25 * HOUR);
    let e = store.get(&key).unwrap_err();
    assert_eq!(e.code, ErrorCode::Expired);
    assert!(
      e.message.contains("expired (idle 25h > 24h)"),
      "{}",
      e.message
    );
    log.push(e.message);
    clock.advance(2 * HOUR);
    let again = store.retrieve(&key, None).unwrap_err();
    assert_eq!(
      again.code,
      ErrorCode::Expired,
      "a tombstone, not UNKNOWN_HASH"
    );
    assert!(again.message.contains(" 2h ago"), "{}", again.message);
    log.push(again.message);
    let never = store.get(&retrieve_key(b"never stored", 16)).unwrap_err();
    assert_eq!(never.code, ErrorCode::UnknownHash);
    log.push(never.message);
    log.push(show(store.get("NOT-A-HASH")));
    // The same bytes again: stored anew under the same key.
    log.push(show(store.put(b"kept while read")));
    log.push(show(store.get(&key).map(|b| b.len())));
    log.push(counters(store));
    log
  });
}

#[test]
fn max_lifetime_wins_over_reads() {
  parity(StoreConfig::memory(), 16, |store, clock| {
    let key = store.put(b"read every day").unwrap();
    let mut log = vec![];
    for _ in 0..8 {
      clock.advance(23 * HOUR);
      log.push(show(store.get(&key).map(|b| b.len())));
    }
    assert!(log.last().unwrap().contains("age 7d"), "{log:?}");
    log.push(counters(store));
    log
  });
}

#[test]
fn caps_evict_least_recently_used() {
  let config = StoreConfig {
    max_entries: 2,
    max_bytes: 1000,
    ..StoreConfig::memory()
  };
  parity(config, 16, |store, clock| {
    let a = store.put(b"a").unwrap();
    clock.advance(MIN);
    let b = store.put(b"b").unwrap();
    clock.advance(MIN);
    store.get(&a).unwrap(); // b is now the least recently used
    clock.advance(MIN);
    let c = store.put(b"c").unwrap();
    let mut log = vec![
      show(store.get(&a)),
      show(store.get(&b)),
      show(store.get(&c)),
    ];
    let place = store.describe();
    // A big one evicts both others to fit under max_bytes.
    clock.advance(MIN);
    let big = store.put(&[b'x'; 990]).unwrap();
    log.extend([show(store.get(&a)), show(store.get(&big).map(|v| v.len()))]);
    log.push(show(store.put(&[b'y'; 1001])).replace(&place, "<store>"));
    log.push(counters(store));
    assert!(log[1].contains("was evicted"), "{log:?}");
    log
  });
}

#[test]
fn purge_leaves_tombstones() {
  parity(StoreConfig::memory(), 16, |store, clock| {
    let old = store.put(b"old").unwrap();
    clock.advance(2 * HOUR);
    let young = store.put(b"young").unwrap();
    let mut log = vec![show(store.purge(Purge::OlderThan(HOUR)))];
    log.push(show(store.get(&old)));
    log.push(show(store.get(&young).map(|b| b.len())));
    log.push(show(store.purge(Purge::All)));
    log.push(show(store.get(&young)));
    log.push(show(store.purge(Purge::Expired)));
    log.push(counters(store));
    assert!(log[1].contains("was purged"), "{log:?}");
    log
  });
}

#[test]
fn tombstones_are_capped() {
  let config = StoreConfig {
    max_tombstones: 2,
    ..StoreConfig::memory()
  };
  parity(config, 16, |store, clock| {
    let keys: Vec<String> = (0..4)
      .map(|i| {
        clock.advance(MIN);
        let k = store.put(format!("p{i}").as_bytes()).unwrap();
        store.purge(Purge::All).unwrap();
        k
      })
      .collect();
    let mut log: Vec<String> = keys.iter().map(|k| show(store.get(k))).collect();
    log.push(counters(store));
    assert!(log[0].starts_with("UNKNOWN_HASH"), "{log:?}");
    assert!(log[3].starts_with("EXPIRED"), "{log:?}");
    log
  });
}

#[test]
fn retrieve_filters_like_the_sqlite_store() {
  parity(StoreConfig::memory(), 16, |store, _| {
    let rows = br#"[{"id":1,"status":"ok"},{"id":2,"status":"error","msg":"Timeout"}]"#;
    let lines = b"start\nERROR timeout on db\nok\nerror: disk\n";
    let mut log = vec![];
    for (bytes, q) in [
      (&rows[..], Some("error")),
      (&rows[..], None),
      (&lines[..], Some("ERROR")),
      (&lines[..], Some("timeout db")),
    ] {
      let key = store.put(bytes).unwrap();
      log.push(show(store.retrieve(&key, q)));
    }
    log
  });
}

#[test]
fn memo_first_writer_wins_across_instances() {
  let Some(server) = Server::start(&[]) else {
    return;
  };
  let (a, _) = redis_store(&server, &StoreConfig::memory(), 16);
  let (b, _) = redis_store(&server, &StoreConfig::memory(), 16);
  assert_eq!(a.memo_get("k").unwrap(), None);
  assert!(a.memo_put("k", b"one").unwrap(), "the first put inserts");
  assert!(
    !b.memo_put("k", b"two").unwrap(),
    "SET NX: the second does not"
  );
  assert_eq!(b.memo_get("k").unwrap().as_deref(), Some(&b"one"[..]));
  assert_eq!(a.memo_stats().unwrap(), (1, 3));
  let big = vec![b'x'; crate::memo::MEMO_MAX_VALUE_BYTES + 1];
  assert!(!a.memo_put("big", &big).unwrap());
  assert_eq!(a.memo_get("big").unwrap(), None);
  assert_eq!(b.memo_stats().unwrap(), (1, 3));
}

#[test]
fn two_instances_share_entries_and_counters() {
  let Some(server) = Server::start(&[]) else {
    return;
  };
  let (a, _) = redis_store(&server, &StoreConfig::memory(), 16);
  let (b, _) = redis_store(&server, &StoreConfig::memory(), 16);
  let key = a.put(b"from proxy A").unwrap();
  assert_eq!(b.get(&key).unwrap(), b"from proxy A");
  assert_eq!(b.stats().unwrap().entries, 1);
  assert_eq!(a.stats().unwrap().hits, 1);
  assert_eq!(a.path(), None);
  assert_eq!(a.describe(), server.url());
  // Another prefix in the same database is another store.
  let other = Store::open(&StoreConfig {
    location: Location::Redis(format!("{}?prefix=other:", server.url())),
    ..StoreConfig::memory()
  })
  .unwrap();
  assert_eq!(other.get(&key).unwrap_err().code, ErrorCode::UnknownHash);
  assert_eq!(other.stats().unwrap().entries, 0);
}

#[test]
fn a_payload_dropped_by_the_server_answers_expired_never_wrong_bytes() {
  let Some(server) = Server::start(&[]) else {
    return;
  };
  let (store, _) = redis_store(&server, &StoreConfig::memory(), 16);
  let key = store.put(b"payload").unwrap();
  let mut raw = server.raw();
  let ttl = raw
    .call(&[b"PTTL", format!("headroom:ccr:d:{key}").as_bytes()])
    .unwrap();
  let ttl = ttl.as_i64().unwrap();
  let expected = (24 * HOUR + super::GRACE).as_millis() as i64;
  assert!(
    ttl > expected - 60_000 && ttl <= expected,
    "safety expiry {ttl}"
  );
  raw
    .call(&[b"DEL", format!("headroom:ccr:d:{key}").as_bytes()])
    .unwrap();
  let e = store.get(&key).unwrap_err();
  assert_eq!(e.code, ErrorCode::Expired);
  assert!(e.message.contains("dropped the payload"), "{}", e.message);
  assert_eq!(store.stats().unwrap().entries, 0);
  assert_eq!(store.put(b"payload").unwrap(), key, "stored again");
  assert_eq!(store.get(&key).unwrap(), b"payload");
}

#[test]
fn an_unreachable_server_is_store_unavailable_and_a_restart_heals() {
  let port = free_port();
  let url = format!("redis://127.0.0.1:{port}");
  let e = Store::open(&StoreConfig {
    location: Location::Redis(url.clone()),
    ..StoreConfig::memory()
  })
  .unwrap_err();
  assert_eq!(e.code, ErrorCode::StoreUnavailable);
  assert!(
    e.message.contains(&format!("127.0.0.1:{port}")),
    "{}",
    e.message
  );

  let Some(mut server) = Server::start_on(port, &[]) else {
    return;
  };
  let store = Store::open(&StoreConfig {
    location: Location::Redis(url),
    ..StoreConfig::memory()
  })
  .unwrap();
  let key = store.put(b"before the outage").unwrap();
  server.stop();
  for _ in 0..2 {
    assert_eq!(
      store.get(&key).unwrap_err().code,
      ErrorCode::StoreUnavailable
    );
    assert_eq!(
      store.put(b"x").unwrap_err().code,
      ErrorCode::StoreUnavailable
    );
    assert_eq!(
      store.memo_get("k").unwrap_err().code,
      ErrorCode::StoreUnavailable
    );
  }
  let Some(_again) = Server::start_on(port, &[]) else {
    return;
  };
  // A fresh server has no data (no persistence): the store reconnects and answers.
  assert_eq!(store.get(&key).unwrap_err().code, ErrorCode::UnknownHash);
  let key = store.put(b"after").unwrap();
  assert_eq!(store.get(&key).unwrap(), b"after");
}

#[test]
fn a_restarted_server_is_reconnected_without_an_error() {
  let port = free_port();
  let Some(mut server) = Server::start_on(port, &[]) else {
    return;
  };
  let store = Store::open(&StoreConfig {
    location: Location::Redis(format!("redis://127.0.0.1:{port}")),
    ..StoreConfig::memory()
  })
  .unwrap();
  store.put(b"one").unwrap();
  server.stop();
  let Some(_again) = Server::start_on(port, &[]) else {
    return;
  };
  // The old connection is dead; the call retries once on a new one.
  let key = store.put(b"two").unwrap();
  assert_eq!(store.get(&key).unwrap(), b"two");
}

#[test]
fn passwords_and_databases() {
  let Some(server) = Server::start(&["--requirepass", "s3cr:t"]) else {
    return;
  };
  let open = |url: String| {
    Store::open(&StoreConfig {
      location: Location::Redis(url),
      ..StoreConfig::memory()
    })
  };
  let port = server.port;
  let e = open(format!("redis://127.0.0.1:{port}")).unwrap_err();
  assert_eq!(e.code, ErrorCode::StoreError, "{}", e.message);
  let e = open(format!("redis://:wrong@127.0.0.1:{port}")).unwrap_err();
  assert_eq!(e.code, ErrorCode::StoreError);
  assert!(!e.message.contains("wrong"), "{}", e.message);
  let db3 = open(format!("redis://:s3cr%3At@127.0.0.1:{port}/3")).unwrap();
  let key = db3.put(b"in db 3").unwrap();
  let db0 = open(format!("redis://default:s3cr%3At@127.0.0.1:{port}/0")).unwrap();
  assert_eq!(db0.get(&key).unwrap_err().code, ErrorCode::UnknownHash);
  assert_eq!(db3.get(&key).unwrap(), b"in db 3");
  assert_eq!(db3.describe(), format!("redis://:***@127.0.0.1:{port}/3"));
}

#[test]
fn concurrent_puts_of_one_block_have_one_entry() {
  let Some(server) = Server::start(&[]) else {
    return;
  };
  let stores: Vec<Store> = (0..4)
    .map(|_| redis_store(&server, &StoreConfig::memory(), 16).0)
    .collect();
  let keys: Vec<String> = std::thread::scope(|s| {
    let handles: Vec<_> = stores
      .iter()
      .map(|st| {
        s.spawn(move || {
          (0..50)
            .map(|_| st.put(b"same block").unwrap())
            .last()
            .unwrap()
        })
      })
      .collect();
    handles.into_iter().map(|h| h.join().unwrap()).collect()
  });
  assert!(keys.windows(2).all(|w| w[0] == w[1]));
  let s = stores[0].stats().unwrap();
  assert_eq!((s.entries, s.bytes), (1, 10));
  let mut raw = server.raw();
  let n = raw.call(&[b"DBSIZE"]).unwrap();
  assert_eq!(
    n,
    Value::Int(6),
    "version, counters, two indexes, entry, payload"
  );
}

#[test]
fn transient_replies_are_unavailable_others_store_errors() {
  assert!(super::is_transient(
    "LOADING Redis is loading the dataset in memory"
  ));
  assert!(!super::is_transient(
    "WRONGPASS invalid username-password pair"
  ));
  assert!(!super::is_transient("OOM command not allowed"));
}
