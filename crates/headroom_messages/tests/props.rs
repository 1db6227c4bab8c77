//! Property tests: random request bodies (random structure, random types, random
//! whitespace, escapes and non-ASCII) and random bytes never panic; every outcome is either
//! an error with a stable code, or a faithful output (identical to the input when nothing
//! was transformed).

mod common;

use common::assert_faithful;
use headroom_core::ErrorCode;
use headroom_messages::memo::{InMemoryMemo, NoMemo};
use headroom_messages::options::{Options, Protect};
use headroom_messages::{Mode, ProviderHint, compress_request, count_request};
use proptest::prelude::*;

/// A JSON value with rendering choices.
#[derive(Debug, Clone)]
enum J {
  Null,
  Bool(bool),
  /// A number spelled exactly so.
  Num(&'static str),
  /// A string and whether to escape it "unusually" (`\uXXXX` for non-ASCII, `\/`).
  Str(String, bool),
  /// A string whose content is another rendered JSON document (a tool's JSON output).
  JsonText(Box<J>, Vec<u8>),
  Arr(Vec<J>),
  Obj(Vec<(String, J)>),
}

const WS: [&str; 6] = ["", "", " ", "\n  ", "\t", "\r\n"];

struct Render<'a> {
  ws: &'a [u8],
  at: usize,
  out: String,
}

impl Render<'_> {
  fn ws(&mut self) {
    if !self.ws.is_empty() {
      let w = WS[self.ws[self.at % self.ws.len()] as usize % WS.len()];
      self.at += 1;
      self.out.push_str(w);
    }
  }

  fn string(&mut self, s: &str, odd: bool) {
    if !odd {
      self.out.push_str(&serde_json::to_string(s).unwrap());
      return;
    }
    self.out.push('"');
    for c in s.chars() {
      match c {
        '"' => self.out.push_str("\\\""),
        '\\' => self.out.push_str("\\\\"),
        '/' => self.out.push_str("\\/"),
        c if (c as u32) < 0x20 || !c.is_ascii() => {
          let mut buf = [0u16; 2];
          for unit in c.encode_utf16(&mut buf) {
            self.out.push_str(&format!("\\u{unit:04X}"));
          }
        }
        c => self.out.push(c),
      }
    }
    self.out.push('"');
  }

  fn value(&mut self, v: &J) {
    self.ws();
    match v {
      J::Null => self.out.push_str("null"),
      J::Bool(b) => self.out.push_str(if *b { "true" } else { "false" }),
      J::Num(n) => self.out.push_str(n),
      J::Str(s, odd) => self.string(s, *odd),
      J::JsonText(inner, ws) => {
        let text = render(inner, ws);
        self.string(&text, false);
      }
      J::Arr(items) => {
        self.out.push('[');
        for (i, x) in items.iter().enumerate() {
          if i > 0 {
            self.ws();
            self.out.push(',');
          }
          self.value(x);
        }
        self.ws();
        self.out.push(']');
      }
      J::Obj(fields) => {
        self.out.push('{');
        let mut seen = std::collections::HashSet::new();
        for (i, (key, val)) in fields
          .iter()
          .filter(|(k, _)| seen.insert(k.clone()))
          .enumerate()
        {
          if i > 0 {
            self.out.push(',');
          }
          self.ws();
          self.string(key, false);
          self.ws();
          self.out.push(':');
          self.value(val);
          self.ws();
        }
        self.out.push('}');
      }
    }
  }
}

fn render(v: &J, ws: &[u8]) -> String {
  let mut r = Render {
    ws,
    at: 0,
    out: String::new(),
  };
  r.value(v);
  r.ws();
  r.out
}

fn text() -> impl Strategy<Value = String> {
  prop_oneof![
    Just(String::new()),
    "[a-z ]{0,12}",
    "[\\u{0}-\\u{7f}]{0,16}",
    proptest::collection::vec(
      prop_oneof![
        Just('"'),
        Just('\\'),
        Just('/'),
        Just('\n'),
        Just('\u{1}'),
        Just('é'),
        Just('日'),
        Just('\u{1F600}'),
        Just('\u{2028}'),
        Just('\u{FEFF}'),
        Just('['),
        Just('{'),
        any::<char>(),
      ],
      0..24
    )
    .prop_map(|v| v.into_iter().collect()),
  ]
}

fn num() -> impl Strategy<Value = &'static str> {
  prop::sample::select(vec![
    "0",
    "-0",
    "1",
    "1.0",
    "-1.5e-7",
    "3.14",
    "1e400",
    "9007199254740993",
    "12345678901234567890123",
    "-9223372036854775809",
    "2.0E+3",
  ])
}

fn leaf() -> impl Strategy<Value = J> {
  prop_oneof![
    Just(J::Null),
    any::<bool>().prop_map(J::Bool),
    num().prop_map(J::Num),
    (text(), any::<bool>()).prop_map(|(s, o)| J::Str(s, o)),
  ]
}

fn key() -> impl Strategy<Value = String> {
  prop_oneof![
    prop::sample::select(vec![
      "type",
      "text",
      "content",
      "role",
      "id",
      "name",
      "input",
      "output",
      "call_id",
      "tool_use_id",
      "tool_call_id",
      "is_error",
      "cache_control",
      "messages",
      "system",
      "model",
      "tools",
      "instructions",
      "summary",
      "arguments",
      "function",
      "tool_calls",
    ])
    .prop_map(String::from),
    text(),
  ]
}

/// Any JSON value, nested.
fn any_json() -> impl Strategy<Value = J> {
  leaf().prop_recursive(5, 48, 6, |inner| {
    prop_oneof![
      proptest::collection::vec(inner.clone(), 0..6).prop_map(J::Arr),
      proptest::collection::vec((key(), inner.clone()), 0..6).prop_map(J::Obj),
      (inner, proptest::collection::vec(0u8..6, 0..8))
        .prop_map(|(v, ws)| J::JsonText(Box::new(v), ws)),
    ]
  })
}

fn s(x: &str) -> J {
  J::Str(x.to_string(), false)
}

fn obj(fields: Vec<(&str, Option<J>)>, extra: Vec<(String, J)>) -> J {
  let mut v: Vec<(String, J)> = fields
    .into_iter()
    .filter_map(|(k, x)| x.map(|x| (k.to_string(), x)))
    .collect();
  v.extend(extra);
  J::Obj(v)
}

/// A tool output text: a JSON document (often compressible), JSON Lines, prose, or tiny.
fn tool_text() -> impl Strategy<Value = J> {
  prop_oneof![
    3 => (any_json(), proptest::collection::vec(0u8..6, 1..8)).prop_map(|(v, ws)| J::JsonText(Box::new(v), ws)),
    2 => (1usize..30, "[a-z]{0,6}").prop_map(|(n, salt)| J::Str(common::pretty_rows(n, &salt), false)),
    1 => (1usize..20, any::<bool>()).prop_map(|(n, odd)| J::Str(
      (0..n).map(|i| format!("{{ \"i\" : {i}, \"v\": \"é{i}\" }}\n")).collect(), odd)),
    1 => text().prop_map(|t| J::Str(t, false)),
    1 => Just(J::Str("[2 of 5 rows omitted; retrieve hash=0123456789abcdef]".into(), false)),
  ]
}

fn block_type() -> impl Strategy<Value = J> {
  prop_oneof![
    8 => prop::sample::select(vec![
      "text", "tool_result", "tool_use", "image", "thinking", "redacted_thinking",
      "server_tool_use", "web_search_tool_result", "foo_2027", "input_text", "output_text",
      "image_url", "document", "function_call_output",
    ]).prop_map(s),
    1 => leaf(),
  ]
}

fn id() -> impl Strategy<Value = J> {
  prop_oneof![4 => prop::sample::select(vec!["a", "b", "c"]).prop_map(s), 1 => leaf()]
}

/// A content block / part, possibly holding nested blocks.
fn block() -> impl Strategy<Value = J> {
  let flat = (
    block_type(),
    prop::option::of(tool_text()),
    prop::option::of(prop_oneof![tool_text(), any_json()]),
    prop::option::of(id()),
    prop::option::of(id()),
    prop::option::of(prop_oneof![
      Just(J::Bool(true)),
      Just(J::Bool(false)),
      leaf()
    ]),
    prop::option::of(Just(J::Obj(vec![("type".into(), s("ephemeral"))]))),
    proptest::collection::vec((key(), any_json()), 0..2),
  )
    .prop_map(|(ty, text, content, id, use_id, err, cc, extra)| {
      obj(
        vec![
          ("type", Some(ty)),
          ("text", text),
          ("content", content),
          ("id", id.clone()),
          ("name", id.map(|_| s("Read"))),
          ("tool_use_id", use_id),
          ("is_error", err),
          ("cache_control", cc),
        ],
        extra,
      )
    })
    .boxed();
  prop_oneof![
    4 => flat.clone(),
    2 => (proptest::collection::vec(flat, 0..3), id(), prop::option::of(any::<bool>())).prop_map(|(inner, use_id, err)| {
      obj(
        vec![
          ("type", Some(s("tool_result"))),
          ("tool_use_id", Some(use_id)),
          ("content", Some(J::Arr(inner))),
          ("is_error", err.map(J::Bool)),
        ],
        vec![],
      )
    }),
    1 => tool_text(),
    1 => any_json(),
  ]
}

fn content() -> impl Strategy<Value = J> {
  prop_oneof![
    3 => proptest::collection::vec(block(), 0..4).prop_map(J::Arr),
    2 => tool_text(),
    1 => leaf(),
  ]
}

/// A message (chat shapes) or input item (Responses shape).
fn message() -> impl Strategy<Value = J> {
  let role = prop_oneof![
    6 => prop::sample::select(vec!["user", "assistant", "tool", "system", "developer", "function", "weird"]).prop_map(s),
    1 => leaf(),
  ];
  let chat = (
    prop::option::of(role),
    prop::option::of(content()),
    prop::option::of(id()),
    prop::option::of(id()),
    prop::option::of(proptest::collection::vec(
      (id(), prop::option::of(tool_text())),
      0..3,
    )),
  )
    .prop_map(|(role, content, call_id, name, calls)| {
      let calls = calls.map(|cs| {
        J::Arr(
          cs.into_iter()
            .map(|(id, args)| {
              obj(
                vec![
                  ("id", Some(id)),
                  ("type", Some(s("function"))),
                  (
                    "function",
                    Some(obj(
                      vec![("name", Some(s("fn"))), ("arguments", args)],
                      vec![],
                    )),
                  ),
                ],
                vec![],
              )
            })
            .collect(),
        )
      });
      obj(
        vec![
          ("role", role),
          ("content", content),
          ("tool_call_id", call_id),
          ("name", name),
          ("tool_calls", calls),
        ],
        vec![],
      )
    });
  let item = (
    prop::sample::select(vec![
      "message",
      "function_call",
      "function_call_output",
      "custom_tool_call",
      "custom_tool_call_output",
      "reasoning",
      "web_search_call",
    ]),
    prop::option::of(id()),
    prop::option::of(prop_oneof![
      tool_text(),
      proptest::collection::vec(block(), 0..3).prop_map(J::Arr),
      leaf()
    ]),
    prop::option::of(s_role()),
    prop::option::of(content()),
  )
    .prop_map(|(ty, call_id, output, role, content)| {
      obj(
        vec![
          ("type", Some(s(ty))),
          ("call_id", call_id),
          ("name", Some(s("shell"))),
          ("arguments", Some(s("{}"))),
          ("output", output),
          ("role", role),
          ("content", content),
          ("summary", Some(J::Arr(vec![]))),
        ],
        vec![],
      )
    });
  prop_oneof![4 => chat, 4 => good_tool_output(), 2 => item, 1 => any_json()]
}

/// A well-formed tool output of one of the three shapes (so transforms happen often).
fn good_tool_output() -> impl Strategy<Value = J> {
  (0u8..3, id(), tool_text(), any::<bool>(), any::<bool>()).prop_map(
    |(shape, id, out, flag, cc)| match shape {
      0 => obj(
        vec![
          ("role", Some(s("user"))),
          (
            "content",
            Some(J::Arr(vec![obj(
              vec![
                ("type", Some(s("tool_result"))),
                ("tool_use_id", Some(id)),
                (
                  "content",
                  Some(if flag {
                    J::Arr(vec![obj(
                      vec![("type", Some(s("text"))), ("text", Some(out))],
                      vec![],
                    )])
                  } else {
                    out
                  }),
                ),
                (
                  "cache_control",
                  cc.then(|| J::Obj(vec![("type".into(), s("ephemeral"))])),
                ),
              ],
              vec![],
            )])),
          ),
        ],
        vec![],
      ),
      1 => obj(
        vec![
          ("role", Some(s("tool"))),
          ("tool_call_id", Some(id)),
          ("content", Some(out)),
        ],
        vec![],
      ),
      _ => obj(
        vec![
          ("type", Some(s("function_call_output"))),
          ("call_id", Some(id)),
          ("output", Some(out)),
        ],
        vec![],
      ),
    },
  )
}

fn s_role() -> impl Strategy<Value = J> {
  prop::sample::select(vec!["user", "assistant", "system"]).prop_map(s)
}

/// A whole request body of any shape (or a bare array, or something else entirely).
fn body() -> impl Strategy<Value = J> {
  let messages = proptest::collection::vec(message(), 0..7)
    .prop_map(J::Arr)
    .boxed();
  let top = (
    prop::option::of(messages.clone()),
    prop::option::of(prop_oneof![messages.clone(), tool_text()]),
    prop::option::of(prop_oneof![content(), leaf()]),
    prop::option::of(tool_text()),
    prop::option::of(
      prop::sample::select(vec!["gpt-4o", "claude-sonnet-4-5", "o3", "gpt-4", "x"]).prop_map(s),
    ),
    prop::option::of(any_json()),
    proptest::collection::vec((key(), any_json()), 0..3),
  )
    .prop_map(
      |(messages, input, system, instructions, model, tools, extra)| {
        obj(
          vec![
            ("model", model),
            ("system", system),
            ("instructions", instructions),
            ("messages", messages),
            ("input", input),
            ("tools", tools),
          ],
          extra,
        )
      },
    );
  prop_oneof![4 => top, 2 => messages, 1 => any_json()]
}

fn options() -> impl Strategy<Value = Options> {
  (
    prop::sample::select(vec![0usize, 1, 10, 250]),
    prop::sample::select(vec![Mode::Lossless, Mode::Balanced, Mode::Aggressive]),
    prop::sample::select(vec![
      ProviderHint::Auto,
      ProviderHint::Anthropic,
      ProviderHint::Openai,
      ProviderHint::OpenaiResponses,
    ]),
    prop::option::of(text()),
    prop::sample::select(vec![0usize, 1, 3]),
    any::<bool>(),
  )
    .prop_map(
      |(min_tokens, mode, provider, query, recent, protect_read)| Options {
        min_tokens,
        mode,
        provider,
        query,
        protect: Protect {
          tools: if protect_read {
            vec!["read".into()]
          } else {
            vec![]
          },
          recent_messages: recent,
        },
        ..Options::default()
      },
    )
}

/// The contract, for any input.
fn check(input: &[u8], opts: &Options) -> Result<bool, TestCaseError> {
  let res = compress_request(input, opts, &NoMemo);
  let counted = count_request(input, None, opts.max_input_bytes);
  match &res {
    Ok(out) => {
      if out.report.transforms.is_empty() {
        prop_assert!(out.body == input, "no transform, but the output differs");
      }
      assert_faithful(input, out);
      prop_assert!(out.report.tokens_after <= out.report.tokens_before);
      prop_assert_eq!(
        out.report.tokens_saved,
        out.report.tokens_before - out.report.tokens_after
      );
      // count_request walks with provider auto-detection and the body's model: where
      // compress did the same, the two agree.
      if opts.provider == ProviderHint::Auto && opts.model.is_none() {
        prop_assert!(
          counted.is_ok(),
          "count failed where compress succeeded: {:?}",
          counted
        );
        prop_assert_eq!(*counted.as_ref().unwrap(), out.report.tokens_before);
      }
      // A shared memo gives the same bytes.
      let memo = InMemoryMemo::default();
      let again = compress_request(input, opts, &memo).unwrap();
      let third = compress_request(input, opts, &memo).unwrap();
      prop_assert!(again.body == out.body && third.body == out.body);
      Ok(!out.report.transforms.is_empty())
    }
    Err(e) => {
      prop_assert!(ErrorCode::ALL.contains(&e.code));
      prop_assert!(
        e.code != ErrorCode::Internal,
        "internal error: {}",
        e.message
      );
      prop_assert!(!e.message.is_empty());
      // Same validation and walk as count_request: whatever it accepts, compress accepts.
      if opts.provider == ProviderHint::Auto {
        match &counted {
          Err(c) => prop_assert_eq!(c.code, e.code),
          Ok(_) => prop_assert!(false, "count accepted what compress refused: {:?}", e),
        }
      }
      Ok(false)
    }
  }
}

proptest! {
  #![proptest_config(ProptestConfig { cases: 1024, failure_persistence: None, ..ProptestConfig::default() })]

  #[test]
  fn random_bodies_never_panic_and_stay_faithful(
    b in body(),
    ws in proptest::collection::vec(0u8..6, 0..10),
    opts in options(),
  ) {
    let text = render(&b, &ws);
    check(text.as_bytes(), &opts)?;
  }

  #[test]
  fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600), opts in options()) {
    check(&bytes, &opts)?;
  }

  #[test]
  fn mutated_bodies_never_panic(
    b in body(),
    edits in proptest::collection::vec((any::<prop::sample::Index>(), 0u8..4, any::<u8>()), 1..4),
    opts in options(),
  ) {
    let mut bytes = render(&b, &[]).into_bytes();
    for (at, op, byte) in edits {
      if bytes.is_empty() {
        break;
      }
      let i = at.index(bytes.len());
      match op {
        0 => bytes[i] = byte,
        1 => { bytes.remove(i); }
        2 => bytes.insert(i, byte),
        _ => bytes.truncate(i),
      }
    }
    check(&bytes, &opts)?;
  }
}

#[test]
fn generated_bodies_do_transform_often_enough() {
  // Guards the generator: if it never produced compressible, well-formed bodies, the
  // properties above would hold vacuously.
  use proptest::strategy::ValueTree;
  use proptest::test_runner::TestRunner;
  let mut runner = TestRunner::deterministic();
  let (mut ok, mut transformed) = (0, 0);
  for _ in 0..300 {
    let b = body().new_tree(&mut runner).unwrap().current();
    let text = render(&b, &[1, 3]);
    let opts = Options {
      min_tokens: 1,
      ..Options::default()
    };
    if let Ok(out) = compress_request(text.as_bytes(), &opts, &NoMemo) {
      ok += 1;
      transformed += usize::from(!out.report.transforms.is_empty());
    }
  }
  eprintln!("{ok}/300 accepted, {transformed}/300 transformed");
  assert!(ok >= 100, "only {ok}/300 generated bodies were accepted");
  assert!(
    transformed >= 40,
    "only {transformed}/300 generated bodies had a transform"
  );
}
