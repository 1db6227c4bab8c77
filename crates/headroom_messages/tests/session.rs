//! Replays real-shaped agent transcripts as growing sessions and checks the property the
//! provider prompt cache depends on: every turn's compressed history is a byte-for-byte
//! prefix of the next turn's, whatever the memo and whatever the query.

mod common;

use common::{assert_faithful, corpus_messages, tool_ids};
use headroom_messages::memo::{InMemoryMemo, Memo, NoMemo};
use headroom_messages::options::Options;
use headroom_messages::{Outcome, compress_request};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Value, json};

/// The exact bytes the client adds for its moving breakpoint (compact serialization, key
/// appended last to the block object).
const BREAKPOINT: &str = r#","cache_control":{"type":"ephemeral"}"#;

#[derive(Deserialize)]
struct Body<'a> {
  #[serde(borrow)]
  messages: Vec<&'a RawValue>,
}

/// One request of the session: its index k (messages[0..k]) and its body bytes.
struct Turn {
  k: usize,
  body: Vec<u8>,
}

fn role(m: &Value) -> &str {
  m["role"].as_str().unwrap_or("")
}

/// Requests k = messages[0..k] for every prefix that ends in a user or tool turn.
/// `move_breakpoint`: put `cache_control` on the newest tool_result block (only there).
fn turns(model: &str, messages: &[Value], move_breakpoint: bool) -> Vec<Turn> {
  let mut out = Vec::new();
  for k in 1..=messages.len() {
    if !matches!(role(&messages[k - 1]), "user" | "tool") {
      continue;
    }
    let mut prefix = messages[..k].to_vec();
    if move_breakpoint {
      let newest = prefix.iter_mut().rev().find_map(|m| {
        m["content"]
          .as_array_mut()?
          .iter_mut()
          .rev()
          .find(|b| b["type"] == "tool_result")
      });
      if let Some(block) = newest {
        block
          .as_object_mut()
          .unwrap()
          .insert("cache_control".into(), json!({"type": "ephemeral"}));
      }
    }
    let body = json!({"model": model, "max_tokens": 4096, "messages": prefix});
    out.push(Turn {
      k,
      body: serde_json::to_vec(&body).unwrap(),
    });
  }
  out
}

/// Runs the session with `memo`; returns each turn's outcome.
fn replay(turns: &[Turn], messages: &[Value], memo: &dyn Memo) -> Vec<Outcome> {
  turns
    .iter()
    .map(|t| {
      // A different relevance query every turn: must never change earlier turns' bytes.
      let last_user_text = messages[..t.k]
        .iter()
        .rev()
        .find(|m| role(m) == "user")
        .map(|m| m["content"].to_string())
        .unwrap_or_default();
      let opts = Options {
        query: Some(format!("turn {}: {last_user_text}", t.k)),
        ..Options::default()
      };
      compress_request(&t.body, &opts, memo).unwrap_or_else(|e| panic!("turn {}: {e:?}", t.k))
    })
    .collect()
}

/// Each message's output JSON bytes with the client's moved breakpoint removed.
fn message_bytes(out: &Outcome) -> Vec<String> {
  let body: Body<'_> = serde_json::from_slice(&out.body).expect("output has a messages array");
  body
    .messages
    .iter()
    .map(|m| m.get().replace(BREAKPOINT, ""))
    .collect()
}

fn check_session(file: &str, model: &str, move_breakpoint: bool) {
  let messages = corpus_messages(file);
  let turns = turns(model, &messages, move_breakpoint);
  assert!(
    turns.len() >= 6,
    "{file}: expected a multi-turn session, got {} turns",
    turns.len()
  );

  let memo = InMemoryMemo::default();
  let with_memo = replay(&turns, &messages, &memo);
  let without_memo = replay(&turns, &messages, &NoMemo);
  assert!(!memo.is_empty(), "the shared memo was never written");

  let mut total_transforms = 0;
  let mut memoized = 0;
  for (i, (t, (a, b))) in turns
    .iter()
    .zip(with_memo.iter().zip(&without_memo))
    .enumerate()
  {
    // Compressors are pure: the memo never changes the bytes.
    assert!(
      a.body == b.body,
      "{file} turn {}: memo and no-memo outputs differ",
      t.k
    );
    for out in [a, b] {
      assert_faithful(&t.body, out);
      let r = &out.report;
      assert!(
        r.tokens_after <= r.tokens_before,
        "{file} turn {}: tokens grew",
        t.k
      );
      assert_eq!(r.tokens_saved, r.tokens_before - r.tokens_after);
      let in_v: Value = serde_json::from_slice(&t.body).unwrap();
      let out_v: Value = serde_json::from_slice(&out.body).unwrap();
      assert_eq!(
        tool_ids(&in_v),
        tool_ids(&out_v),
        "{file} turn {}: tool ids/order changed",
        t.k
      );
      assert_eq!(
        in_v["messages"].as_array().unwrap().len(),
        out_v["messages"].as_array().unwrap().len()
      );
      if move_breakpoint {
        let n = String::from_utf8_lossy(&out.body)
          .matches(BREAKPOINT)
          .count();
        let expected = t
          .body
          .windows(BREAKPOINT.len())
          .filter(|w| *w == BREAKPOINT.as_bytes())
          .count();
        assert_eq!(n, expected, "{file} turn {}: breakpoint moved or lost", t.k);
        assert!(n <= 1);
        // The breakpoint block is compressed too, and reported as such.
        for tr in &r.transforms {
          let block_has_bp = tr.path.rsplit_once("/content").is_some_and(|(block, _)| {
            in_v
              .pointer(block)
              .and_then(|b| b.get("cache_control"))
              .is_some()
          });
          assert_eq!(
            tr.cache_control, block_has_bp,
            "{file} turn {}: {}",
            t.k, tr.path
          );
        }
      }
    }
    total_transforms += a.report.transforms.len();
    if i > 0 {
      // Blocks from earlier turns come from the memo.
      let prev_k = turns[i - 1].k;
      for tr in a
        .report
        .transforms
        .iter()
        .filter(|tr| tr.message_index.unwrap() < prev_k)
      {
        assert!(
          tr.memoized,
          "{file} turn {}: history block {} was recompressed",
          t.k, tr.path
        );
        memoized += 1;
      }
    }
  }
  assert!(
    total_transforms > 0,
    "{file}: nothing was compressed; the test would prove nothing"
  );
  assert!(
    memoized > 0,
    "{file}: no transform was ever served from the memo"
  );

  // The prefix property, for both memo settings.
  for outs in [&with_memo, &without_memo] {
    for w in 0..turns.len() - 1 {
      let (prev, next) = (message_bytes(&outs[w]), message_bytes(&outs[w + 1]));
      assert_eq!(prev.len(), turns[w].k);
      assert!(next.len() > prev.len());
      for (m, (p, n)) in prev.iter().zip(&next).enumerate() {
        assert!(
          p == n,
          "{file}: message {m} differs between turn {} and turn {}:\n{p}\n---\n{n}",
          turns[w].k,
          turns[w + 1].k
        );
      }
    }
  }
}

#[test]
fn anthropic_session_history_is_byte_stable() {
  check_session(
    "agentic_conversation_anthropic.json",
    "claude-sonnet-4-5",
    true,
  );
}

#[test]
fn openai_session_history_is_byte_stable() {
  check_session("agentic_conversation_openai.json", "gpt-4o", false);
}

#[test]
fn anthropic_session_is_stable_with_an_evicting_memo() {
  // A one-entry memo that evicts constantly: compressed history must still never change,
  // because compression is a pure function of each block.
  let messages = corpus_messages("agentic_conversation_anthropic.json");
  let turns = turns("claude-opus-4", &messages, true);
  let memo = InMemoryMemo::new(1, 1 << 20);
  let outs: Vec<Outcome> = turns
    .iter()
    .map(|t| compress_request(&t.body, &Options::default(), &memo).unwrap())
    .collect();
  for w in 0..outs.len() - 1 {
    let (prev, next) = (message_bytes(&outs[w]), message_bytes(&outs[w + 1]));
    for (m, (p, n)) in prev.iter().zip(&next).enumerate() {
      assert!(
        p == n,
        "message {m} differs between turns {} and {}",
        turns[w].k,
        turns[w + 1].k
      );
    }
  }
}
