//! Shape coverage: every block / part / item kind of the three request shapes gets the
//! right decision, reported at the right JSON path with the right reason.

mod common;

use common::{assert_faithful, pretty_rows, skip_reason, transformed};
use headroom_messages::memo::NoMemo;
use headroom_messages::options::{Options, Protect};
use headroom_messages::{Outcome, compress_request, count_request};
use serde_json::{Value, json};

fn run(body: &Value, opts: &Options) -> (Vec<u8>, Outcome) {
  let bytes = serde_json::to_vec(body).unwrap();
  let out = compress_request(&bytes, opts, &NoMemo).unwrap_or_else(|e| panic!("{e:?}"));
  assert_faithful(&bytes, &out);
  let counted = count_request(&bytes, opts.model.as_deref(), usize::MAX).unwrap();
  assert_eq!(
    counted, out.report.tokens_before,
    "count_request and the report disagree"
  );
  (bytes, out)
}

fn big(salt: &str) -> String {
  pretty_rows(30, salt)
}

fn assert_reasons(out: &Outcome, expected: &[(&str, &str)]) {
  for (path, reason) in expected {
    assert_eq!(
      skip_reason(out, path),
      Some(*reason),
      "path {path}: skipped = {:#?}",
      out.report.skipped
    );
  }
}

#[test]
fn anthropic_blocks() {
  let body = json!({
    "model": "claude-sonnet-4-5",
    "system": "You are terse.",
    "tools": [{"name": "Read", "input_schema": {"type": "object"}}],
    "messages": [
      {"role": "user", "content": "please look"},
      {"role": "assistant", "content": [
        {"type": "text", "text": "looking"},
        {"type": "thinking", "thinking": big("thought"), "signature": "sig=="},
        {"type": "redacted_thinking", "data": "abc"},
        {"type": "tool_use", "id": "t1", "name": "Read", "input": {"path": "a"}},
        {"type": "tool_use", "id": "t2", "name": "Grep", "input": {}},
        {"type": "tool_use", "id": "t3", "name": "Bash", "input": {}},
        {"type": "server_tool_use", "id": "s1", "name": "web_search", "input": {"query": "x"}},
        {"type": "web_search_tool_result", "tool_use_id": "s1", "content": [{"type": "web_search_result", "url": "https://e.x", "title": big("w")}]},
        {"type": "foo_2027", "payload": big("future")}
      ]},
      {"role": "user", "content": [
        {"type": "tool_result", "tool_use_id": "t1", "content": big("string content")},
        {"type": "tool_result", "tool_use_id": "t2", "content": [
          {"type": "text", "text": big("list content")},
          {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "AAAA"}}
        ]},
        {"type": "tool_result", "tool_use_id": "t3", "is_error": true, "content": big("failed run")},
        {"type": "tool_result", "tool_use_id": "t3", "content": "ok"},
        {"type": "tool_result", "tool_use_id": "t3", "content": "Traceback: error: file not found"},
        {"type": "tool_result", "tool_use_id": "t3"},
        {"type": "tool_result", "tool_use_id": "t3", "content": format!("[3 of 9 rows omitted; retrieve hash=0123456789abcdef]\n{}", big("marked"))},
        {"type": "tool_result", "tool_use_id": "t3", "content": "plain prose that is not JSON. ".repeat(60)},
        {"type": "image", "source": {"type": "url", "url": "https://e.x/i.png"}},
        {"type": "document", "source": {"type": "text", "data": "doc"}},
        {"type": "text", "text": big("user pasted")}
      ]},
      {"role": "system", "content": big("mid-conversation system")},
      {"role": "user", "content": [{"type": "text", "text": "thanks"}]}
    ]
  });
  let (_, out) = run(&body, &Options::default());
  assert_eq!(out.report.provider, "anthropic");
  assert!(transformed(&out, "/messages/2/content/0/content"));
  assert!(transformed(&out, "/messages/2/content/1/content/0/text"));
  assert_eq!(
    out.report.transforms.len(),
    2,
    "{:#?}",
    out.report.transforms
  );
  let t = &out.report.transforms;
  assert_eq!(t[0].tool_name.as_deref(), Some("Read"));
  assert_eq!(t[1].tool_name.as_deref(), Some("Grep"));
  assert_eq!(t[0].content_type, "json");
  // Without a store only lossless forms are allowed (minified or `$table`), never a marker.
  assert!(
    matches!(t[0].strategy.as_str(), "json:minify" | "json:table"),
    "{}",
    t[0].strategy
  );
  assert!(t[0].hashes.is_empty());
  assert_eq!(t[0].message_index, Some(2));
  assert_reasons(
    &out,
    &[
      ("/system", "system_text"),
      ("/tools", "tool_definitions"),
      ("/messages/0/content", "user_text"),
      ("/messages/1/content/0/text", "assistant_text"),
      ("/messages/1/content/1", "thinking"),
      ("/messages/1/content/2", "thinking"),
      ("/messages/1/content/3", "tool_call"),
      ("/messages/1/content/6", "server_tool"),
      ("/messages/1/content/7", "server_tool"),
      ("/messages/1/content/8", "unknown_block_type"),
      ("/messages/2/content/1/content/1", "media"),
      ("/messages/2/content/2/content", "error_output"),
      ("/messages/2/content/3/content", "below_min_tokens"),
      ("/messages/2/content/4/content", "below_min_tokens"),
      ("/messages/2/content/5", "no_text"),
      ("/messages/2/content/6/content", "already_compressed"),
      // Prose has a compressor, but without a store it may not leave anything out.
      ("/messages/2/content/7/content", "no_gain"),
      ("/messages/2/content/8", "media"),
      ("/messages/2/content/9", "media"),
      ("/messages/2/content/10/text", "user_text"),
      ("/messages/3/content", "system_text"),
      ("/messages/4/content/0/text", "user_text"),
    ],
  );
  let unknown = out
    .report
    .skipped
    .iter()
    .find(|s| s.path == "/messages/1/content/8")
    .unwrap();
  assert_eq!(unknown.detail.as_deref(), Some("foo_2027"));

  // A short error-looking output is kept verbatim once it clears minTokens.
  let (_, out) = run(
    &body,
    &Options {
      min_tokens: 0,
      ..Options::default()
    },
  );
  assert_reasons(&out, &[("/messages/2/content/4/content", "error_output")]);

  // Protections.
  let opts = Options {
    protect: Protect {
      tools: vec!["read".into()],
      recent_messages: 0,
    },
    ..Options::default()
  };
  let (_, out) = run(&body, &opts);
  assert_reasons(&out, &[("/messages/2/content/0/content", "excluded_tool")]);
  assert!(transformed(&out, "/messages/2/content/1/content/0/text"));
  let opts = Options {
    protect: Protect {
      tools: vec![],
      recent_messages: 3,
    },
    ..Options::default()
  };
  let (bytes, out) = run(&body, &opts);
  assert_reasons(
    &out,
    &[("/messages/2/content/0/content", "protected_recent")],
  );
  assert!(out.body == bytes);
}

#[test]
fn anthropic_bare_array_with_mid_conversation_system() {
  let body = json!([
    {"role": "system", "content": "sys"},
    {"role": "user", "content": "hi"},
    {"role": "assistant", "content": [{"type": "tool_use", "id": "x", "name": "ls", "input": {}}]},
    {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "x", "content": big("bare")}]},
    {"role": "system", "content": [{"type": "text", "text": "late system"}]}
  ]);
  let (_, out) = run(&body, &Options::default());
  assert!(out.bare);
  assert_eq!(out.report.provider, "anthropic");
  assert!(transformed(&out, "/3/content/0/content"));
  assert_reasons(
    &out,
    &[
      ("/0/content", "system_text"),
      ("/4/content/0/text", "system_text"),
      ("/1/content", "user_text"),
    ],
  );
  assert!(out.to_json().starts_with("{\"messages\":["));
}

#[test]
fn openai_chat_messages() {
  let body = json!({
    "model": "gpt-4o",
    "messages": [
      {"role": "system", "content": "sys"},
      {"role": "developer", "content": [{"type": "text", "text": big("dev rules")}]},
      {"role": "user", "name": "alice", "content": [
        {"type": "text", "text": "see image"},
        {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}},
        {"type": "input_audio", "input_audio": {"data": "AAAA", "format": "wav"}}
      ]},
      {"role": "assistant", "content": null, "tool_calls": [
        {"id": "call_1", "type": "function", "function": {"name": "get_rows", "arguments": big("args")}},
        {"id": "call_2", "type": "function", "function": {"name": "secret", "arguments": "{}"}}
      ]},
      {"role": "tool", "tool_call_id": "call_1", "content": big("tool string")},
      {"role": "tool", "tool_call_id": "call_2", "content": [{"type": "text", "text": big("tool parts")}]},
      {"role": "function", "name": "legacy_fn", "content": big("legacy")},
      {"role": "assistant", "name": "helper", "content": big("assistant json")},
      {"role": "tool", "tool_call_id": "call_1", "content": ""}
    ]
  });
  let (_, out) = run(&body, &Options::default());
  assert_eq!(out.report.provider, "openai");
  let paths: Vec<&str> = out
    .report
    .transforms
    .iter()
    .map(|t| t.path.as_str())
    .collect();
  assert_eq!(
    paths,
    [
      "/messages/4/content",
      "/messages/5/content/0/text",
      "/messages/6/content"
    ]
  );
  let names: Vec<_> = out
    .report
    .transforms
    .iter()
    .map(|t| t.tool_name.as_deref())
    .collect();
  assert_eq!(names, [Some("get_rows"), Some("secret"), Some("legacy_fn")]);
  assert_reasons(
    &out,
    &[
      ("/messages/0/content", "system_text"),
      ("/messages/1/content/0/text", "system_text"),
      ("/messages/2/content/0/text", "user_text"),
      ("/messages/2/content/1", "media"),
      ("/messages/2/content/2", "media"),
      ("/messages/3/tool_calls/0", "tool_call"),
      ("/messages/3/tool_calls/1", "tool_call"),
      ("/messages/7/content", "assistant_text"),
      ("/messages/8/content", "below_min_tokens"),
    ],
  );
  // The `name` field costs tokens: removing it lowers the count.
  let mut unnamed = body.clone();
  unnamed["messages"][2]
    .as_object_mut()
    .unwrap()
    .remove("name");
  let with = count_request(&serde_json::to_vec(&body).unwrap(), None, usize::MAX).unwrap();
  let without = count_request(&serde_json::to_vec(&unnamed).unwrap(), None, usize::MAX).unwrap();
  assert!(with > without, "{with} vs {without}");

  let opts = Options {
    protect: Protect {
      tools: vec!["get_*".into(), "LEGACY_FN".into()],
      recent_messages: 0,
    },
    ..Options::default()
  };
  let (_, out) = run(&body, &opts);
  assert_reasons(
    &out,
    &[
      ("/messages/4/content", "excluded_tool"),
      ("/messages/6/content", "excluded_tool"),
    ],
  );
  assert!(transformed(&out, "/messages/5/content/0/text"));
}

#[test]
fn openai_responses_items() {
  let body = json!({
    "model": "gpt-4.1",
    "instructions": big("instructions"),
    "input": [
      {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "do it"}]},
      {"role": "assistant", "content": [{"type": "output_text", "text": big("said")}]},
      {"type": "reasoning", "id": "rs_1", "summary": [{"type": "summary_text", "text": big("reasoned")}], "encrypted_content": "xyz"},
      {"type": "function_call", "call_id": "c1", "name": "shell", "arguments": "{\"cmd\":\"ls\"}"},
      {"type": "function_call_output", "call_id": "c1", "output": big("string output")},
      {"type": "function_call_output", "call_id": "c1", "output": [
        {"type": "input_text", "text": big("array output")},
        {"type": "input_image", "image_url": "data:image/png;base64,AAAA"}
      ]},
      {"type": "custom_tool_call", "call_id": "c2", "name": "apply_patch", "input": "*** Begin Patch"},
      {"type": "custom_tool_call_output", "call_id": "c2", "output": big("custom output")},
      {"type": "web_search_call", "id": "ws_1", "status": "completed"},
      {"type": "function_call_output", "call_id": "c1", "output": {"unexpected": "object"}}
    ]
  });
  let (_, out) = run(&body, &Options::default());
  assert_eq!(out.report.provider, "openai-responses");
  let got: Vec<(&str, Option<&str>)> = out
    .report
    .transforms
    .iter()
    .map(|t| (t.path.as_str(), t.tool_name.as_deref()))
    .collect();
  assert_eq!(
    got,
    [
      ("/input/4/output", Some("shell")),
      ("/input/5/output/0/text", Some("shell")),
      ("/input/7/output", Some("apply_patch"))
    ]
  );
  assert_reasons(
    &out,
    &[
      ("/instructions", "system_text"),
      ("/input/0/content/0/text", "user_text"),
      ("/input/1/content/0/text", "assistant_text"),
      ("/input/2", "thinking"),
      ("/input/3", "tool_call"),
      ("/input/5/output/1", "media"),
      ("/input/6", "tool_call"),
      ("/input/8", "unknown_block_type"),
      ("/input/9", "no_text"),
    ],
  );
  let unknown = out
    .report
    .skipped
    .iter()
    .find(|s| s.path == "/input/8")
    .unwrap();
  assert_eq!(unknown.detail.as_deref(), Some("web_search_call"));

  // String input.
  let (bytes, out) = run(
    &json!({"model": "gpt-4.1", "input": big("string input")}),
    &Options::default(),
  );
  assert_eq!(out.report.provider, "openai-responses");
  assert_reasons(&out, &[("/input", "user_text")]);
  assert!(out.body == bytes);

  // Responses items in a bare array.
  let bare = json!([
    {"type": "function_call", "call_id": "k", "name": "cat", "arguments": "{}"},
    {"type": "function_call_output", "call_id": "k", "output": big("bare output")}
  ]);
  let (_, out) = run(&bare, &Options::default());
  assert_eq!(out.report.provider, "openai-responses");
  assert_eq!(out.report.transforms[0].path, "/1/output");
  assert_eq!(out.report.transforms[0].tool_name.as_deref(), Some("cat"));
}

#[test]
fn provider_hint_overrides_detection() {
  use headroom_messages::ProviderHint;
  let body = json!({"model": "x", "messages": [{"role": "user", "content": "hi"}]});
  for (hint, name) in [
    (ProviderHint::Anthropic, "anthropic"),
    (ProviderHint::Openai, "openai"),
    (ProviderHint::Auto, "openai"),
  ] {
    let (_, out) = run(
      &body,
      &Options {
        provider: hint,
        ..Options::default()
      },
    );
    assert_eq!(out.report.provider, name);
  }
  let claude = json!({"model": "claude-3-opus", "messages": [{"role": "user", "content": "hi"}]});
  let (_, out) = run(&claude, &Options::default());
  assert_eq!(out.report.provider, "anthropic");
}
