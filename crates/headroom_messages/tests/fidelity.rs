//! Byte fidelity: the output is the input with exactly the reported strings replaced.

mod common;

use common::{assert_faithful, corpus, pretty_rows};
use headroom_messages::compress_request;
use headroom_messages::memo::NoMemo;
use headroom_messages::options::Options;

/// Wraps a JSON string value (already-escaped literal content) of a tool output.
fn lit(s: &str) -> String {
  serde_json::to_string(s).unwrap()
}

/// Hand-built bodies with odd whitespace, non-ASCII, `1.0`, integers above 2^53, unusual
/// key order, escapes, and compressible tool outputs in every shape.
fn hand_bodies() -> Vec<String> {
  let rows = pretty_rows(40, "é日本\u{1F600}");
  let rows2 = pretty_rows(30, "tab\there \"quoted\" \\ back");
  let jsonl = (0..60)
    .map(|i| format!("{{ \"line\" : {i} ,  \"msg\" : \"évènement {i}\" , \"n\": 1.0 }}"))
    .collect::<Vec<_>>()
    .join("\n");
  vec![
    // Anthropic: keys out of the usual order, odd whitespace, big numbers, 1.0.
    format!(
      "\n\t{{ \"messages\" :\r\n [ {{\"content\":[{{\"type\":\"text\",\"text\":\"read it \\u00e9 \\ud83d\\ude00\"}}],\"role\":\"user\"}} ,\n\
       {{ \"content\" : [ {{ \"input\" : {{\"path\":\"/tmp/ü\", \"n\": 12345678901234567890123}}, \"name\":\"Read\", \"id\":\"toolu_1\", \"type\":\"tool_use\" }} ], \"role\": \"assistant\" }},\n\
       {{\"role\":\"user\",\"content\":[ {{ \"content\" : {rows}, \"tool_use_id\" : \"toolu_1\", \"type\" : \"tool_result\", \"cache_control\":{{\"type\":\"ephemeral\",\"ttl\":\"1h\"}} }} ]}}\n\
       ] , \"temperature\" : 1.0, \"max_tokens\":  9007199254740993, \"model\" : \"claude-sonnet-4-5\", \"metadata\":{{\"user_id\":\"日本\"}} }}   ",
      rows = lit(&rows)
    ),
    // Anthropic: list tool_result content, two outputs, JSON Lines, system blocks.
    format!(
      "{{\"model\":\"claude-3-5-haiku\",\"system\":[{{\"type\":\"text\",\"text\":\"be brief\",\"cache_control\":{{\"type\":\"ephemeral\"}}}}],\
       \"messages\":[{{\"role\":\"user\",\"content\":\"go\"}},\
       {{\"role\":\"assistant\",\"content\":[{{\"type\":\"tool_use\",\"id\":\"a\",\"name\":\"Grep\",\"input\":{{}}}},{{\"type\":\"tool_use\",\"id\":\"b\",\"name\":\"Bash\",\"input\":{{\"x\":-0.0e-0}}}}]}},\
       {{\"role\":\"user\",\"content\":[{{\"type\":\"tool_result\",\"tool_use_id\":\"a\",\"content\":[{{\"type\":\"text\",\"text\":{rows2}}},{{\"type\":\"image\",\"source\":{{\"type\":\"base64\",\"media_type\":\"image/png\",\"data\":\"iVBORw0KGgo=\"}}}}]}},\
       {{\"type\":\"tool_result\",\"tool_use_id\":\"b\",\"content\":{jsonl}}}]}}]}}",
      rows2 = lit(&rows2),
      jsonl = lit(&jsonl)
    ),
    // OpenAI Chat: tool messages, name field, content parts.
    format!(
      "{{\"messages\":[{{\"role\":\"developer\",\"content\":\"rules ✓\"}},{{\"role\":\"user\",\"name\":\"bob\",\"content\":[{{\"type\":\"text\",\"text\":\"hi\"}}]}},\
       {{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{{\"id\":\"call_1\",\"type\":\"function\",\"function\":{{\"name\":\"q\",\"arguments\":\"{{\\\"a\\\": 1}}\"}}}}]}},\
       {{\"tool_call_id\":\"call_1\",\"role\":\"tool\",\"content\":{rows}}}],\"model\":\"gpt-4o-mini\",\"n\":1,\"seed\":18446744073709551617}}",
      rows = lit(&pretty_rows(25, "çà"))
    ),
    // OpenAI Responses: string and array outputs.
    format!(
      "{{\"model\":\"gpt-4.1\",\"instructions\":\"x\",\"input\":[{{\"type\":\"message\",\"role\":\"user\",\"content\":[{{\"type\":\"input_text\",\"text\":\"q\"}}]}},\
       {{\"type\":\"function_call\",\"call_id\":\"c1\",\"name\":\"ls\",\"arguments\":\"{{}}\"}},\
       {{\"type\":\"function_call_output\",\"call_id\":\"c1\",\"output\":{rows}}},\
       {{\"output\":[{{\"type\":\"input_text\",\"text\":{rows2}}}],\"call_id\":\"c1\",\"type\":\"function_call_output\"}}],\"top_p\":1.0e0}}",
      rows = lit(&pretty_rows(20, "ß")),
      rows2 = lit(&pretty_rows(20, "ø"))
    ),
    // A bare message array with a compressible tool message.
    format!(
      "[ {{\"role\":\"user\",\"content\":\"ü\"}}, {{\"role\":\"tool\",\"tool_call_id\":\"z\",\"content\":{rows}}} ]",
      rows = lit(&pretty_rows(30, "bare"))
    ),
    // Nothing to compress: output must be the input itself.
    "{ \"model\":\"gpt-4o\" , \"messages\" : [ {\"role\":\"user\",\"content\":\"\\u0041\\n\"} ] , \"x\": 1.0 }".into(),
  ]
}

/// The corpus transcripts wrapped as request bodies.
fn transcript_bodies() -> Vec<String> {
  [
    ("agentic_conversation_anthropic.json", "claude-sonnet-4-5"),
    ("agentic_conversation_openai.json", "gpt-4o"),
  ]
  .iter()
  .flat_map(|(f, model)| {
    let messages = corpus(f);
    [
      // Keep the file's own (pretty-printed) bytes for the messages.
      format!("{{\"model\":\"{model}\",\n  \"messages\": {messages}\n}}"),
      format!("{{\"messages\":{messages},\"model\":\"{model}\",\"stream\":true}}"),
      messages,
    ]
  })
  .collect()
}

#[test]
fn output_is_input_with_exactly_the_transform_strings_replaced() {
  let mut transformed = 0;
  let bodies: Vec<String> = hand_bodies()
    .into_iter()
    .chain(transcript_bodies())
    .collect();
  for (n, body) in bodies.iter().enumerate() {
    let out = compress_request(body.as_bytes(), &Options::default(), &NoMemo)
      .unwrap_or_else(|e| panic!("body {n}: {e:?}\n{body}"));
    assert_faithful(body.as_bytes(), &out);
    if !out.report.transforms.is_empty() {
      transformed += 1;
    }
  }
  // Every body but the last hand-built one has compressible outputs.
  assert_eq!(
    transformed,
    bodies.len() - 1,
    "expected transforms in all but one body"
  );
}

#[test]
fn expected_transform_paths_in_hand_bodies() {
  let bodies = hand_bodies();
  let paths = |b: &str| -> Vec<String> {
    let out = compress_request(b.as_bytes(), &Options::default(), &NoMemo).unwrap();
    out
      .report
      .transforms
      .iter()
      .map(|t| t.path.clone())
      .collect()
  };
  assert_eq!(paths(&bodies[0]), ["/messages/2/content/0/content"]);
  assert_eq!(
    paths(&bodies[1]),
    [
      "/messages/2/content/0/content/0/text",
      "/messages/2/content/1/content"
    ]
  );
  assert_eq!(paths(&bodies[2]), ["/messages/3/content"]);
  assert_eq!(
    paths(&bodies[3]),
    ["/input/2/output", "/input/3/output/0/text"]
  );
  assert_eq!(paths(&bodies[4]), ["/1/content"]);
  assert!(paths(&bodies[5]).is_empty());
}

#[test]
fn lossless_mode_and_tiny_min_tokens_stay_faithful() {
  for body in hand_bodies().into_iter().chain(transcript_bodies()) {
    for opts in [
      Options {
        mode: headroom_messages::Mode::Lossless,
        ..Options::default()
      },
      Options {
        min_tokens: 0,
        ..Options::default()
      },
      Options {
        mode: headroom_messages::Mode::Aggressive,
        min_tokens: 1,
        ..Options::default()
      },
    ] {
      let out = compress_request(body.as_bytes(), &opts, &NoMemo).unwrap();
      assert_faithful(body.as_bytes(), &out);
    }
  }
}

#[test]
fn the_fidelity_check_catches_corruption() {
  // The checker itself must be able to fail: corrupt real outcomes in ways that keep the
  // output valid JSON and see each one rejected.
  let body = hand_bodies().remove(0);
  let out = compress_request(body.as_bytes(), &Options::default(), &NoMemo).unwrap();
  assert_eq!(out.report.transforms.len(), 1);
  assert_faithful(body.as_bytes(), &out);
  let rejects = |o: &headroom_messages::Outcome| {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
      assert_faithful(body.as_bytes(), o)
    }))
    .is_err()
  };
  // Whitespace changed outside any edited string (same JSON value, different bytes).
  let mut ws = out.clone();
  let at = ws.body.iter().position(|&b| b == b'{').unwrap();
  ws.body.insert(at + 1, b' ');
  assert!(
    rejects(&ws),
    "an extra space outside the edits went unnoticed"
  );
  // A number respelled (1.0 -> 1) outside any edited string.
  let mut num = out.clone();
  let text = String::from_utf8(num.body.clone()).unwrap();
  num.body = text
    .replacen("\"temperature\" : 1.0", "\"temperature\" : 1", 1)
    .into_bytes();
  assert_ne!(num.body, out.body);
  assert!(rejects(&num), "a respelled number went unnoticed");
  // A transform left out of the report.
  let mut unreported = out.clone();
  unreported.report.transforms.clear();
  assert!(rejects(&unreported), "an unreported edit went unnoticed");
}
