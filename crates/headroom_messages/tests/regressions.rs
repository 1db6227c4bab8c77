//! Regressions: inputs that once broke the contract (found by review, proptest or the
//! fuzzer in `fuzz/`), kept so they never break it again.

mod common;

use common::{pretty_rows, skip_reason, transformed};
use headroom_messages::memo::NoMemo;
use headroom_messages::options::Options;
use headroom_messages::{compress_request, count_request};

/// Lone UTF-16 surrogate escapes are valid JSON (RFC 8259 grammar) and what JavaScript's
/// `JSON.stringify` emits for a string cut in the middle of an emoji, a common way tools
/// truncate output. They once made `compress_request` refuse the whole request with
/// `UNSUPPORTED_SHAPE` (serde cannot decode them into a `String`) while `count_request`
/// accepted it. Now the block is left byte-identical and reported, and the rest of the
/// request is still compressed.
#[test]
fn lone_surrogate_in_a_tool_result_is_left_alone() {
  let opts = Options {
    min_tokens: 0,
    ..Options::default()
  };
  for (body, path) in [
    (
      r#"{"messages":[{"role":"tool","tool_call_id":"a","content":"[ 1, 2, \"\ud83d\" ]"}]}"#,
      "/messages/0/content",
    ),
    (
      r#"{"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"a","content":"x\udc00"}]}]}"#,
      "/messages/0/content/0/content",
    ),
    (
      r#"{"input":[{"type":"function_call_output","call_id":"a","output":"{ \"a\": \"\ud800\" }"}]}"#,
      "/input/0/output",
    ),
    (
      r#"[{"role":"tool","content":[{"type":"text","text":"[ \"\ud83d\" ]"}]}]"#,
      "/0/content/0/text",
    ),
  ] {
    let out =
      compress_request(body.as_bytes(), &opts, &NoMemo).unwrap_or_else(|e| panic!("{body}: {e:?}"));
    assert!(out.body == body.as_bytes(), "{body}");
    assert_eq!(
      skip_reason(&out, path),
      Some("no_text"),
      "{body}: {:?}",
      out.report.skipped
    );
    assert_eq!(
      count_request(body.as_bytes(), None, usize::MAX).unwrap(),
      out.report.tokens_before
    );
  }

  // A neighbouring tool result is still compressed; the odd one keeps its exact bytes.
  let rows = serde_json::to_string(&pretty_rows(20, "ok")).unwrap();
  let body = format!(
    r#"{{"model":"gpt-4o","messages":[{{"role":"tool","tool_call_id":"a","content":"cut \ud83d"}},{{"role":"tool","tool_call_id":"b","content":{rows}}}]}}"#
  );
  let out = compress_request(body.as_bytes(), &Options::default(), &NoMemo).unwrap();
  assert!(transformed(&out, "/messages/1/content"));
  assert_eq!(skip_reason(&out, "/messages/0/content"), Some("no_text"));
  let text = String::from_utf8(out.body).unwrap();
  let prefix =
    r#"{"model":"gpt-4o","messages":[{"role":"tool","tool_call_id":"a","content":"cut \ud83d"},"#;
  assert!(text.starts_with(prefix), "{text}");
  assert!(text.len() < body.len());
}

/// A Responses `message` item spoken by a tool used to pass the policy as eligible and then
/// vanish from the report (neither transformed nor skipped). It is a tool output: compressed
/// like one. Text under a role we do not know is reported as `unknown_role`.
#[test]
fn tool_role_message_items_are_tool_outputs_and_every_item_is_reported() {
  let rows = serde_json::to_string(&pretty_rows(20, "ok")).unwrap();
  let body = format!(
    r#"{{"model":"gpt-5","input":[{{"type":"message","role":"tool","content":{rows}}},{{"type":"message","role":"narrator","content":"hello"}}]}}"#
  );
  let out = compress_request(body.as_bytes(), &Options::default(), &NoMemo).unwrap();
  assert!(transformed(&out, "/input/0/content"), "{:?}", out.report);
  assert_eq!(skip_reason(&out, "/input/1/content"), Some("unknown_role"));
  assert_eq!(out.report.transforms.len() + out.report.skipped.len(), 2);
}

/// Retrieve output is never compressed again (headroom's retrieval loops, field lesson C6).
#[test]
fn retrieve_output_is_never_recompressed() {
  let rows = serde_json::to_string(&pretty_rows(20, "ok")).unwrap();
  let body = format!(
    r#"{{"model":"claude-sonnet-4-5","messages":[{{"role":"assistant","content":[{{"type":"tool_use","id":"toolu_r","name":"headroom_retrieve","input":{{"hash":"0123456789abcdef"}}}}]}},{{"role":"user","content":[{{"type":"tool_result","tool_use_id":"toolu_r","content":{rows}}}]}}]}}"#
  );
  let out = compress_request(body.as_bytes(), &Options::default(), &NoMemo).unwrap();
  assert_eq!(out.body, body.as_bytes());
  assert_eq!(
    skip_reason(&out, "/messages/1/content/0/content"),
    Some("retrieve_output")
  );
}

/// Found by the mutation proptest: a lone lead surrogate escape followed by a non-escape
/// (`"\ud83d#ude00"`) is legal JSON grammar but not decodable; the body passes through
/// byte-identical instead of being rejected or rewritten.
#[test]
fn a_lone_surrogate_anywhere_passes_through() {
  let body = r#"{"model":"gpt-4o","instructions":"x","type":{"k":"\ud83d#ude00"},"messages":[]}"#;
  let out = compress_request(body.as_bytes(), &Options::default(), &NoMemo).unwrap();
  assert!(out.body == body.as_bytes());
}
