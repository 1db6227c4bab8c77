//! Hostile and oversized input: every failure is an error with a stable code, never a
//! panic, and large-but-valid input completes.

mod common;

use common::pretty_rows;
use headroom_core::limits::DEFAULT_MAX_DEPTH;
use headroom_messages::memo::{InMemoryMemo, NoMemo};
use headroom_messages::options::Options;
use headroom_messages::{compress_request, count_request};

fn code(input: &[u8], opts: &Options) -> (String, String) {
  let e = compress_request(input, opts, &NoMemo).expect_err("expected an error");
  let c = count_request(input, opts.model.as_deref(), opts.max_input_bytes)
    .expect_err("count: expected an error");
  assert_eq!(
    e.code, c.code,
    "compress and count disagree on {:?}",
    e.message
  );
  (e.code.as_str().to_string(), e.message)
}

#[test]
fn deep_nesting_is_nesting_too_deep() {
  let d = 10_000;
  let bare = "[".repeat(d) + &"]".repeat(d);
  assert_eq!(
    code(bare.as_bytes(), &Options::default()).0,
    "NESTING_TOO_DEEP"
  );
  let objects = "{\"a\":".repeat(d) + "1" + &"}".repeat(d);
  assert_eq!(
    code(objects.as_bytes(), &Options::default()).0,
    "NESTING_TOO_DEEP"
  );
  let inside = format!(
    "{{\"messages\":[{{\"role\":\"user\",\"content\":[{{\"type\":\"x\",\"v\":{}{}}}]}}]}}",
    "[".repeat(d),
    "]".repeat(d)
  );
  let (c, msg) = code(inside.as_bytes(), &Options::default());
  assert_eq!(c, "NESTING_TOO_DEEP");
  assert!(msg.contains("byte"), "{msg}");
  // Unbalanced deep nesting is still caught by depth, before any parse.
  let open = "[".repeat(d);
  assert_eq!(
    code(open.as_bytes(), &Options::default()).0,
    "NESTING_TOO_DEEP"
  );

  // Exactly at the limit is fine (depth counts the request's own levels too).
  let v = "[".repeat(DEFAULT_MAX_DEPTH - 5) + &"]".repeat(DEFAULT_MAX_DEPTH - 5);
  let ok =
    format!("{{\"messages\":[{{\"role\":\"user\",\"content\":[{{\"type\":\"x\",\"v\":{v}}}]}}]}}");
  assert!(compress_request(ok.as_bytes(), &Options::default(), &NoMemo).is_ok());

  // Brackets inside strings do not count, and a deep JSON tool output just declines.
  let deep_text = "[".repeat(d) + &"]".repeat(d);
  let body = serde_json::json!({"messages": [
    {"role": "tool", "tool_call_id": "a", "content": deep_text},
    {"role": "user", "content": "[[[[[[[[[[[[[[[[[[[[[[[[[[[["}
  ]});
  let bytes = serde_json::to_vec(&body).unwrap();
  let out = compress_request(&bytes, &Options::default(), &NoMemo).unwrap();
  assert!(out.body == bytes);
  assert_eq!(out.report.skipped[0].reason, "no_gain");
}

#[test]
fn invalid_utf8_names_the_byte_offset() {
  // (valid prefix, invalid bytes, rest): the error names the offset of the first bad byte.
  let cases: [(&[u8], &[u8], &[u8]); 5] = [
    (
      b"{\"messages\":[{\"role\":\"user\",\"content\":\"a",
      b"\xff",
      b"b\"}]}",
    ),
    (b"", b"\xfe", b"[]"),
    // A truncated multi-byte sequence (first byte of "\u{e9}") at the end of a string.
    (b"[{\"role\":\"user\",\"content\":\"", b"\xc3", b"\"}]"),
    // An overlong encoding and a UTF-16 surrogate encoded in UTF-8 are invalid too.
    ("[\"\u{e9}".as_bytes(), b"\xc0\xaf", b"\"]"),
    (b"[\"", b"\xed\xa0\x80", b"\"]"),
  ];
  for (prefix, bad, rest) in cases {
    let input = [prefix, bad, rest].concat();
    let at = prefix.len();
    let (c, msg) = code(&input, &Options::default());
    assert_eq!(c, "INVALID_UTF8");
    assert!(
      msg.ends_with(&format!(" byte {at}")),
      "expected offset {at} in {msg:?}"
    );
  }
}

#[test]
fn invalid_json_and_shapes() {
  for (input, expected) in [
    ("", "INVALID_JSON"),
    ("{", "INVALID_JSON"),
    ("{\"messages\":[]} x", "INVALID_JSON"),
    ("{\"messages\":[],}", "INVALID_JSON"),
    ("[{\"role\":\"user\",\"content\":\"\\ud800\"}]", "OK"),
    ("[{\"role\":\"user\",\"content\":\"\\x\"}]", "INVALID_JSON"),
    ("NaN", "INVALID_JSON"),
    ("42", "UNSUPPORTED_SHAPE"),
    ("\"messages\"", "UNSUPPORTED_SHAPE"),
    ("null", "UNSUPPORTED_SHAPE"),
    ("{}", "UNSUPPORTED_SHAPE"),
    ("{\"messages\":{}}", "UNSUPPORTED_SHAPE"),
    ("{\"input\":5}", "UNSUPPORTED_SHAPE"),
    ("[1]", "UNSUPPORTED_SHAPE"),
    ("{\"messages\":[\"hi\"]}", "UNSUPPORTED_SHAPE"),
    ("{\"input\":[3]}", "UNSUPPORTED_SHAPE"),
    ("[]", "OK"),
    ("{\"messages\":[]}", "OK"),
    ("{\"messages\":null,\"input\":\"x\"}", "OK"),
  ] {
    let got = match compress_request(input.as_bytes(), &Options::default(), &NoMemo) {
      Ok(out) => {
        assert_eq!(out.body, input.as_bytes());
        "OK".to_string()
      }
      Err(e) => e.code.as_str().to_string(),
    };
    assert_eq!(got, expected, "input {input:?}");
    let counted = count_request(input.as_bytes(), None, usize::MAX).map(|_| "OK".to_string());
    assert_eq!(
      counted.unwrap_or_else(|e| e.code.as_str().to_string()),
      expected,
      "count {input:?}"
    );
  }
  let e = Options::from_json("{\"maxInputBytes\":\"big\"}").unwrap_err();
  assert_eq!(e.code.as_str(), "INVALID_OPTION");
  assert!(
    e.message.contains("maxInputBytes") || e.message.contains("invalid type"),
    "{}",
    e.message
  );
}

#[test]
fn max_input_bytes_is_enforced_before_anything_else() {
  let body = b"{\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}";
  let exact = Options {
    max_input_bytes: body.len(),
    ..Options::default()
  };
  assert!(compress_request(body, &exact, &NoMemo).is_ok());
  assert!(count_request(body, None, body.len()).is_ok());
  let under = Options {
    max_input_bytes: body.len() - 1,
    ..Options::default()
  };
  let (c, msg) = code(body, &under);
  assert_eq!(c, "INPUT_TOO_LARGE");
  assert!(msg.contains(&body.len().to_string()), "{msg}");
  // The size check comes first: oversized garbage is INPUT_TOO_LARGE, not INVALID_UTF8.
  let garbage = vec![0xFFu8; 64];
  let tiny = Options {
    max_input_bytes: 10,
    ..Options::default()
  };
  assert_eq!(code(&garbage, &tiny).0, "INPUT_TOO_LARGE");
  let parsed = Options::from_json("{\"maxInputBytes\": 10}").unwrap();
  assert_eq!(code(body, &parsed).0, "INPUT_TOO_LARGE");
}

#[test]
fn a_hundred_thousand_tiny_messages() {
  let n = 100_000;
  let mut body = String::from("{\"model\":\"gpt-4o\",\"messages\":[");
  for i in 0..n {
    if i > 0 {
      body.push(',');
    }
    let role = if i % 2 == 0 { "user" } else { "assistant" };
    body.push_str(&format!("{{\"role\":\"{role}\",\"content\":\"m{i}\"}}"));
  }
  body.push_str("]}");
  let memo = InMemoryMemo::default();
  let out = compress_request(body.as_bytes(), &Options::default(), &memo).unwrap();
  assert!(out.body == body.as_bytes());
  assert_eq!(out.report.skipped.len(), n);
  // 3 per message + the role (1 token) + the text, + 3 reply priming.
  assert!(
    out.report.tokens_before > n * 5,
    "{}",
    out.report.tokens_before
  );
  assert_eq!(
    count_request(body.as_bytes(), None, usize::MAX).unwrap(),
    out.report.tokens_before
  );
  // And as a bare array of tool messages with tiny outputs.
  let bare = format!(
    "[{}]",
    vec!["{\"role\":\"tool\",\"content\":\"[1]\"}"; n].join(",")
  );
  let out = compress_request(bare.as_bytes(), &Options::default(), &memo).unwrap();
  assert!(out.body == bare.as_bytes());
  assert!(
    out
      .report
      .skipped
      .iter()
      .all(|s| s.reason == "below_min_tokens")
  );
}

#[test]
fn a_twenty_megabyte_tool_result_completes() {
  let mut text = String::with_capacity(21 << 20);
  let mut i = 0;
  while text.len() < 20 << 20 {
    text.push_str(&pretty_rows(50, &format!("chunk{i}")));
    text.push('\n');
    i += 1;
  }
  // JSON Lines of pretty documents is not JSON Lines: make it one JSON array instead.
  let doc = format!("[{}]", text.trim_end().replace("]\n[", "],\n["));
  let body = serde_json::to_vec(&serde_json::json!({
    "model": "claude-sonnet-4-5",
    "messages": [
      {"role": "user", "content": "summarize"},
      {"role": "assistant", "content": [{"type": "tool_use", "id": "t", "name": "Read", "input": {}}]},
      {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t", "content": doc}]}
    ]
  }))
  .unwrap();
  assert!(body.len() > 20 << 20);
  let out = compress_request(&body, &Options::default(), &NoMemo).unwrap();
  assert_eq!(out.report.transforms.len(), 1);
  assert!(out.body.len() < body.len());
  assert!(out.report.tokens_after < out.report.tokens_before);
  let v: serde_json::Value = serde_json::from_slice(&out.body).unwrap();
  let after = v["messages"][2]["content"][0]["content"].as_str().unwrap();
  assert!(!after.contains('\n'));
}
