//! Unit tests of the store through its internal constructor (short keys, manual clock).

use std::sync::Arc;
use std::time::Duration;

use headroom_core::ErrorCode;
use headroom_core::hash::{content_hash, retrieve_key};
use proptest::prelude::*;

use crate::{Location, ManualClock, Purge, Store, StoreConfig};

const MIN: Duration = Duration::from_secs(60);
const T0: i64 = 1_750_000_000_000;

fn memory(config: StoreConfig) -> (Store, Arc<ManualClock>) {
  let clock = Arc::new(ManualClock::new(T0));
  let store = Store::open_with_clock(&config, clock.clone()).unwrap();
  (store, clock)
}

fn cfg() -> StoreConfig {
  StoreConfig::memory()
}

/// Counts and byte totals recomputed from the rows, to check the running counters.
fn recount(store: &Store) -> (u64, u64, u64) {
  let conn = store.lock();
  let (n, b): (i64, i64) = conn
    .query_row(
      "SELECT count(*), coalesce(sum(length(data)), 0) FROM payloads",
      [],
      |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .unwrap();
  let t: i64 = conn
    .query_row("SELECT count(*) FROM tombstones", [], |r| r.get(0))
    .unwrap();
  (n as u64, b as u64, t as u64)
}

fn assert_counters_exact(store: &Store) {
  let s = store.stats().unwrap();
  assert_eq!(recount(store), (s.entries, s.bytes, s.tombstones));
}

#[test]
fn store_is_send_sync_and_an_original_store() {
  fn assert_send_sync<T: Send + Sync>() {}
  assert_send_sync::<Store>();
  let store: Arc<dyn headroom_core::OriginalStore> = Arc::new(Store::in_memory());
  let key = store.put(b"hello").unwrap();
  assert_eq!(key, retrieve_key(b"hello", 16));
}

#[test]
fn put_returns_the_core_key_and_get_the_exact_bytes() {
  let store = Store::in_memory();
  let original = b"{\"rows\": [1, 2, 3]}\n".to_vec();
  let key = store.put(&original).unwrap();
  assert_eq!(key, retrieve_key(&original, 16));
  assert_eq!(key.len(), 16);
  assert_eq!(store.get(&key).unwrap(), original);
  assert_eq!(store.put(&original).unwrap(), key, "same bytes, same key");
  assert_eq!(store.stats().unwrap().entries, 1);
  let key2 = store.put(b"").unwrap();
  assert_eq!(store.get(&key2).unwrap(), b"");
  assert_eq!(store.path(), None);
}

#[test]
fn binary_bytes_round_trip_as_blobs() {
  let store = Store::in_memory();
  let original = b"\x00\xff\xfe\x00 not utf-8 \xc3\x28 \x00".to_vec();
  let key = store.put(&original).unwrap();
  assert_eq!(store.get(&key).unwrap(), original);
  let ty: String = store
    .lock()
    .query_row("SELECT typeof(data) FROM payloads", [], |r| r.get(0))
    .unwrap();
  assert_eq!(ty, "blob");
}

proptest! {
  #![proptest_config(ProptestConfig::with_cases(200))]
  #[test]
  fn any_bytes_round_trip(data in proptest::collection::vec(any::<u8>(), 0..4096)) {
    thread_local!(static STORE: Store = Store::in_memory());
    STORE.with(|store| {
      let key = store.put(&data).unwrap();
      prop_assert_eq!(&key, &retrieve_key(&data, 16));
      prop_assert_eq!(store.get(&key).unwrap(), data.clone());
      Ok(())
    })?;
  }
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
fn forced_collision_extends_the_key_and_keeps_the_first_entry() {
  let clock = Arc::new(ManualClock::new(T0));
  let store = Store::open_inner(&cfg(), clock, 3).unwrap();
  let (a, b) = colliding_pair(3);
  let (ha, hb) = (content_hash(&a), content_hash(&b));
  assert_eq!(ha[..3], hb[..3]);
  assert_ne!(
    ha[..7],
    hb[..7],
    "pick a pair that separates at the next step"
  );

  let ka = store.put(&a).unwrap();
  assert_eq!(ka, ha[..3]);
  let kb = store.put(&b).unwrap();
  assert_eq!(
    kb,
    hb[..7],
    "the second original gets a longer prefix of its own digest"
  );
  assert_eq!(store.get(&ka).unwrap(), a, "the first entry is untouched");
  assert_eq!(store.get(&kb).unwrap(), b);
  // Putting either again finds its own key.
  assert_eq!(store.put(&a).unwrap(), ka);
  assert_eq!(store.put(&b).unwrap(), kb);
  assert_eq!(store.stats().unwrap().entries, 2);
}

#[test]
fn a_row_planted_under_a_real_16_hex_key_forces_a_20_hex_key() {
  let store = Store::in_memory();
  let a = b"the real original".to_vec();
  let k16 = retrieve_key(&a, 16);
  let now = crate::clock::system_time_ms(std::time::SystemTime::now());
  {
    let conn = store.lock();
    conn
      .execute(
        "INSERT INTO entries(id, key, full_hash, size, created_ms, accessed_ms) \
         VALUES (1, ?1, ?2, 5, ?3, ?3)",
        rusqlite::params![k16, content_hash(b"other"), now],
      )
      .unwrap();
    conn
      .execute(
        "INSERT INTO payloads(id, data) VALUES (1, x'6f74686572')",
        [],
      )
      .unwrap();
  }
  let key = store.put(&a).unwrap();
  assert_eq!(key, retrieve_key(&a, 20));
  assert_eq!(store.get(&k16).unwrap(), b"other", "never overwritten");
  assert_eq!(store.get(&key).unwrap(), a);
}

#[test]
fn a_tombstone_keeps_its_key_from_other_content() {
  let config = StoreConfig {
    idle_ttl: 30 * MIN,
    ..cfg()
  };
  let clock = Arc::new(ManualClock::new(T0));
  let store = Store::open_inner(&config, clock.clone(), 3).unwrap();
  let (a, b) = colliding_pair(3);
  let ka = store.put(&a).unwrap();
  clock.advance(31 * MIN);
  assert_eq!(store.purge(Purge::Expired).unwrap(), 1);
  let kb = store.put(&b).unwrap();
  assert_eq!(kb.len(), 7, "the dead key of `a` is not reused for `b`");
  assert_eq!(store.get(&ka).unwrap_err().code, ErrorCode::Expired);
  // The same content revives its own key.
  assert_eq!(store.put(&a).unwrap(), ka);
  assert_eq!(store.get(&ka).unwrap(), a);
  assert_counters_exact(&store);
}

#[test]
fn malformed_keys_are_unknown_hash_saying_malformed() {
  let store = Store::in_memory();
  let key = store.put(b"x").unwrap();
  let bad = [
    String::new(),
    key[..15].to_string(),
    key.to_uppercase(),
    format!(" {key}"),
    format!("{key}g"),
    "a".repeat(65),
    "hash=0123456789abcdef".to_string(),
  ];
  for k in &bad {
    let e = store.get(k).unwrap_err();
    assert_eq!(e.code, ErrorCode::UnknownHash, "{k:?}");
    assert!(e.message.contains("is malformed"), "{}", e.message);
    assert!(e.message.contains("do not retry"));
  }
  // 16..=64 lowercase hex is well formed: unknown, not malformed.
  for len in [16, 17, 40, 64] {
    let e = store.get(&"0".repeat(len)).unwrap_err();
    assert_eq!(e.code, ErrorCode::UnknownHash);
    assert!(
      e.message.contains("is unknown to this store: do not retry"),
      "{e}"
    );
  }
}

#[test]
fn an_entry_touched_recently_survives_past_the_idle_ttl_since_creation() {
  // Field-lessons test 31: created 45 min ago, read 5 min ago, 30-minute idle TTL.
  let (store, clock) = memory(StoreConfig {
    idle_ttl: 30 * MIN,
    ..cfg()
  });
  let key = store.put(b"session data").unwrap();
  clock.advance(20 * MIN);
  store.get(&key).unwrap();
  clock.advance(20 * MIN);
  store.retrieve(&key, Some("session")).unwrap(); // retrieve refreshes too
  clock.advance(5 * MIN);
  assert_eq!(
    store.get(&key).unwrap(),
    b"session data",
    "45 min old, idle 5 min"
  );
}

#[test]
fn putting_the_same_bytes_again_refreshes_the_entry() {
  let (store, clock) = memory(StoreConfig {
    idle_ttl: 30 * MIN,
    ..cfg()
  });
  let key = store.put(b"again").unwrap();
  clock.advance(25 * MIN);
  assert_eq!(store.put(b"again").unwrap(), key);
  clock.advance(25 * MIN);
  assert_eq!(store.get(&key).unwrap(), b"again");
}

#[test]
fn an_idle_entry_expires_terminally_and_distinctly_from_unknown() {
  let (store, clock) = memory(StoreConfig {
    idle_ttl: 30 * MIN,
    ..cfg()
  });
  let key = store.put(b"old output").unwrap();
  clock.advance(30 * MIN);
  store.get(&key).unwrap(); // exactly at the TTL: still alive
  clock.advance(31 * MIN);
  let e = store.get(&key).unwrap_err();
  assert_eq!(e.code, ErrorCode::Expired);
  assert_eq!(
    e.message,
    format!(
      "hash {key} expired (idle 31m > 30m): do not retry; re-run the command that produced \
       the original"
    )
  );
  // A retry loop gets the same terminal answer every time, never UNKNOWN_HASH.
  clock.advance(2 * 60 * MIN);
  for _ in 0..25 {
    let e = store.get(&key).unwrap_err();
    assert_eq!(e.code, ErrorCode::Expired);
    assert!(e.message.contains("idle 31m > 30m"));
    assert!(e.message.contains("2h ago"), "{e}");
  }
  let unknown = store.get(&"f".repeat(16)).unwrap_err();
  assert_eq!(unknown.code, ErrorCode::UnknownHash);
  let s = store.stats().unwrap();
  assert_eq!((s.entries, s.expired, s.hits, s.misses), (0, 1, 1, 27));
  assert_counters_exact(&store);
}

#[test]
fn max_lifetime_expires_an_entry_even_when_it_is_read_often() {
  let (store, clock) = memory(StoreConfig {
    idle_ttl: 30 * MIN,
    max_lifetime: 120 * MIN,
    ..cfg()
  });
  let key = store.put(b"popular").unwrap();
  for _ in 0..6 {
    clock.advance(20 * MIN);
    store.get(&key).unwrap();
  }
  clock.advance(MIN);
  let e = store.get(&key).unwrap_err();
  assert_eq!(e.code, ErrorCode::Expired);
  assert!(e.message.contains("age 2h1m > max lifetime 2h"), "{e}");
  // Putting the bytes again starts a new life under the same key.
  assert_eq!(store.put(b"popular").unwrap(), key);
  assert_eq!(store.get(&key).unwrap(), b"popular");
}

#[test]
fn puts_sweep_expired_entries() {
  let (store, clock) = memory(StoreConfig {
    idle_ttl: 30 * MIN,
    ..cfg()
  });
  for i in 0..5 {
    store.put(format!("old {i}").as_bytes()).unwrap();
  }
  clock.advance(31 * MIN);
  store.put(b"new").unwrap();
  let s = store.stats().unwrap();
  assert_eq!((s.entries, s.expired, s.tombstones), (1, 5, 5));
  assert_counters_exact(&store);
}

#[test]
fn eviction_is_least_recently_used_first() {
  let (store, clock) = memory(StoreConfig {
    max_entries: 3,
    ..cfg()
  });
  let mut keys = Vec::new();
  for name in ["a", "b", "c"] {
    keys.push(store.put(name.as_bytes()).unwrap());
    clock.advance(MIN);
  }
  store.get(&keys[0]).unwrap(); // a is now the most recently used
  clock.advance(MIN);
  let kd = store.put(b"d").unwrap();
  let e = store.get(&keys[1]).unwrap_err();
  assert_eq!(e.code, ErrorCode::Expired, "b was least recently used");
  assert!(e.message.contains("was evicted"), "{e}");
  assert!(e.message.contains("least recently used"), "{e}");
  clock.advance(MIN);
  store.put(b"e").unwrap(); // now c is the oldest access
  assert_eq!(store.get(&keys[2]).unwrap_err().code, ErrorCode::Expired);
  for k in [&keys[0], &kd] {
    store.get(k).unwrap();
  }
  let s = store.stats().unwrap();
  assert_eq!((s.entries, s.evictions), (3, 2));
  assert_counters_exact(&store);
}

#[test]
fn the_byte_cap_holds_and_an_oversized_original_is_refused() {
  let (store, clock) = memory(StoreConfig {
    max_bytes: 100,
    ..cfg()
  });
  let k1 = store.put(&[1u8; 40]).unwrap();
  clock.advance(MIN);
  store.put(&[2u8; 40]).unwrap();
  clock.advance(MIN);
  store.put(&[3u8; 40]).unwrap();
  assert_eq!(store.get(&k1).unwrap_err().code, ErrorCode::Expired);
  let s = store.stats().unwrap();
  assert_eq!((s.entries, s.bytes), (2, 80));
  let e = store.put(&[4u8; 101]).unwrap_err();
  assert_eq!(e.code, ErrorCode::StoreError);
  assert!(e.message.contains("max_bytes"), "{e}");
  assert_eq!(
    store.stats().unwrap().entries,
    2,
    "a refused put evicts nothing"
  );
}

proptest! {
  #![proptest_config(ProptestConfig::with_cases(24))]
  #[test]
  fn caps_hold_under_any_sequence(sizes in proptest::collection::vec(0usize..300, 1..60)) {
    let config = StoreConfig { max_entries: 7, max_bytes: 1000, ..cfg() };
    let (store, clock) = memory(config);
    for (i, size) in sizes.iter().enumerate() {
      let mut data = vec![(i % 251) as u8; *size];
      data.extend_from_slice(&(i as u64).to_le_bytes());
      let key = store.put(&data).unwrap();
      clock.advance(Duration::from_secs(1));
      prop_assert_eq!(store.get(&key).unwrap(), data, "the newest entry is always there");
      let s = store.stats().unwrap();
      prop_assert!(s.entries <= 7 && s.bytes <= 1000, "{:?}", s);
      prop_assert_eq!(recount(&store), (s.entries, s.bytes, s.tombstones));
    }
  }
}

#[test]
fn tombstones_are_bounded_newest_kept() {
  let (store, clock) = memory(StoreConfig {
    max_entries: 1,
    max_tombstones: 5,
    ..cfg()
  });
  let mut keys = Vec::new();
  for i in 0..11 {
    keys.push(store.put(format!("entry {i}").as_bytes()).unwrap());
    clock.advance(MIN);
  }
  let s = store.stats().unwrap();
  assert_eq!((s.entries, s.tombstones, s.evictions), (1, 5, 10));
  for k in &keys[..5] {
    assert_eq!(store.get(k).unwrap_err().code, ErrorCode::UnknownHash);
  }
  for k in &keys[5..10] {
    assert_eq!(store.get(k).unwrap_err().code, ErrorCode::Expired);
  }
  assert_counters_exact(&store);
}

#[test]
fn purge_variants() {
  let (store, clock) = memory(StoreConfig {
    idle_ttl: 30 * MIN,
    ..cfg()
  });
  let old = store.put(b"old").unwrap();
  clock.advance(10 * MIN);
  let mid = store.put(b"mid").unwrap();
  clock.advance(10 * MIN);
  let new = store.put(b"new").unwrap();
  assert_eq!(store.purge(Purge::Expired).unwrap(), 0);
  assert_eq!(store.purge(Purge::OlderThan(15 * MIN)).unwrap(), 1);
  let e = store.get(&old).unwrap_err();
  assert_eq!(e.code, ErrorCode::Expired);
  assert!(e.message.contains("was purged"), "{e}");
  store.get(&new).unwrap();
  clock.advance(25 * MIN); // mid idle 35 min, new idle 25 min
  assert_eq!(store.purge(Purge::Expired).unwrap(), 1);
  assert_eq!(store.get(&mid).unwrap_err().code, ErrorCode::Expired);
  assert_eq!(store.purge(Purge::All).unwrap(), 1);
  assert_eq!(store.stats().unwrap().entries, 0);
  assert_eq!(store.get(&new).unwrap_err().code, ErrorCode::Expired);
  assert_counters_exact(&store);
}

#[test]
fn retrieve_filters_json_rows_and_lines() {
  let store = Store::in_memory();
  let rows = br#"[{"id":1,"level":"info"},{"id":2,"level":"ERROR"},{"id":3,"level":"error"}]"#;
  let key = store.put(rows).unwrap();
  let all = store.retrieve(&key, None).unwrap();
  assert_eq!(all.text.as_bytes(), rows);
  assert_eq!(
    (all.total_units, all.matched_units, all.unit),
    (3, 3, "rows")
  );
  let r = store.retrieve(&key, Some("error")).unwrap();
  assert_eq!((r.total_units, r.matched_units, r.unit), (3, 2, "rows"));
  let v: serde_json::Value = serde_json::from_str(&r.text).unwrap();
  assert_eq!(v.as_array().unwrap().len(), 2);
  let key = store.put(b"one\ntwo error\nthree\n").unwrap();
  let r = store.retrieve(&key, Some("ERROR")).unwrap();
  assert_eq!(
    (r.text.as_str(), r.total_units, r.matched_units),
    ("two error", 3, 1)
  );
  assert_eq!(
    store.retrieve("0000000000000000", None).unwrap_err().code,
    ErrorCode::UnknownHash
  );
}

#[test]
fn a_poisoned_lock_is_recovered() {
  let store = Arc::new(Store::in_memory());
  let key = store.put(b"before").unwrap();
  let s2 = store.clone();
  let r = std::thread::spawn(move || {
    let _guard = s2.lock();
    panic!("boom while holding the store lock");
  })
  .join();
  assert!(r.is_err());
  assert!(store.conn_is_poisoned());
  assert_eq!(store.get(&key).unwrap(), b"before");
  store.put(b"after").unwrap();
}

#[test]
fn file_connection_settings() {
  let tmp = tempfile::tempdir().unwrap();
  let path = tmp.path().join("s.sqlite");
  let store = Store::open(&StoreConfig::file(&path)).unwrap();
  assert_eq!(store.path(), Some(path.as_path()));
  assert_eq!(store.config().location, Location::File(path.clone()));
  let conn = store.lock();
  let q = |sql: &str| -> String {
    conn
      .query_row(sql, [], |r| r.get::<_, rusqlite::types::Value>(0))
      .map(|v| format!("{v:?}"))
      .unwrap()
  };
  assert_eq!(q("PRAGMA journal_mode"), "Text(\"wal\")");
  assert_eq!(q("PRAGMA synchronous"), "Integer(1)", "NORMAL");
  assert_eq!(q("PRAGMA busy_timeout"), "Integer(5000)");
  assert_eq!(
    q("PRAGMA user_version"),
    format!("Integer({})", crate::schema::SCHEMA_VERSION)
  );
}

#[test]
fn threads_share_one_file_store() {
  let tmp = tempfile::tempdir().unwrap();
  let store = Arc::new(Store::open(&StoreConfig::file(tmp.path().join("t.sqlite"))).unwrap());
  let handles: Vec<_> = (0..8)
    .map(|t| {
      let store = store.clone();
      std::thread::spawn(move || {
        for i in 0..50 {
          let data = format!("thread {t} item {i} ").repeat(i + 1).into_bytes();
          let key = store.put(&data).unwrap();
          assert_eq!(store.get(&key).unwrap(), data);
        }
      })
    })
    .collect();
  for h in handles {
    h.join().unwrap();
  }
  assert_eq!(store.stats().unwrap().entries, 400);
  assert_counters_exact(&store);
}

#[test]
fn zero_limits_are_invalid_options() {
  let e = Store::open(&StoreConfig {
    idle_ttl: Duration::ZERO,
    ..cfg()
  })
  .unwrap_err();
  assert_eq!(e.code, ErrorCode::InvalidOption);
}
