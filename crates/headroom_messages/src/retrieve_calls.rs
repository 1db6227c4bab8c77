//! Answering a model's `headroom_retrieve` calls, for library users without the proxy.
//!
//! Given a (non-streaming) provider response, finds the calls to the retrieve tool, answers
//! each from a [`Retriever`] (the CCR store), and returns the messages / input items to
//! append to the conversation, in the response's own format. Calls to other tools are
//! listed untouched, so a turn that mixes both still reaches the caller's own tools.

use headroom_core::{Error, Result};
use serde::Deserialize;

use crate::raw::{Doc, JsonKind, decode_str, kind_of, short_str};
use crate::retrieve_tool::RETRIEVE_TOOL_NAME;
use crate::walk::Provider;

/// Answers a retrieve call.
pub trait Retriever {
  /// The original behind `hash` (only the rows/lines matching `query`, when given), as the
  /// text the model will read. Errors (unknown or expired hash) are shown to the model.
  fn retrieve(&self, hash: &str, query: Option<&str>) -> Result<String>;
}

/// What [`resolve`] found and produced.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolution {
  /// The response's format.
  pub provider: Provider,
  /// JSON array of the messages (Anthropic: one user message of `tool_result` blocks;
  /// OpenAI Chat: `tool` messages) or input items (Responses: `function_call_output`) that
  /// answer the retrieve calls. Empty when there were none.
  pub results: String,
  /// Ids of the retrieve calls answered, in order.
  pub resolved: Vec<String>,
  /// Ids of calls to other tools, left for the caller.
  pub other_calls: Vec<String>,
}

#[derive(Deserialize)]
struct Args {
  #[serde(default)]
  hash: Option<String>,
  #[serde(default)]
  query: Option<String>,
}

struct Call {
  id: String,
  name: String,
  args: Result<Args>,
}

fn args_from_json_text(text: &str) -> Result<Args> {
  serde_json::from_str(text)
    .map_err(|e| Error::invalid_argument(format!("retrieve arguments are not valid JSON: {e}")))
}

/// Answers the retrieve calls in `response` (Anthropic Messages, OpenAI Chat Completions or
/// OpenAI Responses JSON).
pub fn resolve(response: &str, retriever: &dyn Retriever) -> Result<Resolution> {
  let doc =
    Doc::parse(response).map_err(|e| Error::new(e.code, format!("response: {}", e.message)))?;
  let root = doc.root();
  if kind_of(root) != JsonKind::Object {
    return Err(Error::unsupported_shape(
      "expected a provider response object",
    ));
  }
  let [content, choices, output] = doc.fields(root, ["content", "choices", "output"], "/")?;
  fn array(r: Option<&str>) -> Option<&str> {
    r.filter(|c| kind_of(c) == JsonKind::Array)
  }
  let (provider, calls) = if let Some(content) = array(content) {
    (Provider::Anthropic, anthropic_calls(&doc, content)?)
  } else if let Some(choices) = array(choices) {
    (Provider::OpenaiChat, chat_calls(&doc, choices)?)
  } else if let Some(output) = array(output) {
    (Provider::OpenaiResponses, responses_calls(&doc, output)?)
  } else {
    return Err(Error::unsupported_shape(
      "expected an Anthropic message (`content`), an OpenAI chat completion (`choices`) or a Responses object (`output`)",
    ));
  };

  let mut answers = Vec::new();
  let mut resolved = Vec::new();
  let mut other_calls = Vec::new();
  for call in calls {
    if call.name != RETRIEVE_TOOL_NAME {
      other_calls.push(call.id);
      continue;
    }
    let answer = call.args.and_then(|a| match a.hash {
      Some(h) => retriever.retrieve(
        h.trim(),
        a.query.as_deref().filter(|q| !q.trim().is_empty()),
      ),
      None => Err(Error::invalid_argument(
        "the `hash` argument is required: do not retry without it",
      )),
    });
    let (text, is_error) = match answer {
      Ok(t) => (t, false),
      Err(e) => (format!("error [{}]: {}", e.code, e.message), true),
    };
    answers.push(match provider {
      Provider::Anthropic => {
        let mut block =
          serde_json::json!({ "type": "tool_result", "tool_use_id": call.id, "content": text });
        if is_error {
          block["is_error"] = serde_json::Value::Bool(true);
        }
        block
      }
      Provider::OpenaiChat => {
        serde_json::json!({ "role": "tool", "tool_call_id": call.id, "content": text })
      }
      Provider::OpenaiResponses => {
        serde_json::json!({ "type": "function_call_output", "call_id": call.id, "output": text })
      }
    });
    resolved.push(call.id);
  }
  let results = if answers.is_empty() {
    "[]".to_string()
  } else if provider == Provider::Anthropic {
    serde_json::json!([{ "role": "user", "content": answers }]).to_string()
  } else {
    serde_json::Value::Array(answers).to_string()
  };
  Ok(Resolution {
    provider,
    results,
    resolved,
    other_calls,
  })
}

fn anthropic_calls(doc: &Doc<'_>, content: &str) -> Result<Vec<Call>> {
  let mut out = Vec::new();
  for raw in doc.elements(content, "/content")? {
    let Ok([kind, id, name, input]) = doc.fields(raw, ["type", "id", "name", "input"], "") else {
      continue;
    };
    if short_str(kind).as_deref() != Some("tool_use") {
      continue;
    }
    out.push(Call {
      id: short_str(id).unwrap_or_default().into_owned(),
      name: short_str(name).unwrap_or_default().into_owned(),
      args: input.map_or_else(
        || Err(Error::invalid_argument("missing input")),
        args_from_json_text,
      ),
    });
  }
  Ok(out)
}

fn arguments(raw: Option<&str>) -> Result<Args> {
  let raw = raw.ok_or_else(|| Error::invalid_argument("missing arguments"))?;
  // OpenAI sends arguments as a JSON string holding JSON.
  let text =
    decode_str(raw).ok_or_else(|| Error::invalid_argument("arguments must be a JSON string"))?;
  args_from_json_text(&text)
}

fn chat_calls(doc: &Doc<'_>, choices: &str) -> Result<Vec<Call>> {
  let mut out = Vec::new();
  // The first choice is the conversation's continuation.
  let Some(first) = doc.elements(choices, "/choices")?.into_iter().next() else {
    return Ok(out);
  };
  let [Some(message)] = doc.fields(first, ["message"], "/choices/0")? else {
    return Ok(out);
  };
  let [tool_calls] = doc.fields(message, ["tool_calls"], "/choices/0/message")?;
  let Some(calls) = tool_calls.filter(|c| kind_of(c) == JsonKind::Array) else {
    return Ok(out);
  };
  for raw in doc.elements(calls, "/choices/0/message/tool_calls")? {
    let Ok([id, function]) = doc.fields(raw, ["id", "function"], "") else {
      continue;
    };
    let func = function.and_then(|f| doc.fields(f, ["name", "arguments"], "").ok());
    out.push(Call {
      id: short_str(id).unwrap_or_default().into_owned(),
      name: func
        .and_then(|[name, _]| short_str(name))
        .unwrap_or_default()
        .into_owned(),
      args: arguments(func.and_then(|[_, arguments]| arguments)),
    });
  }
  Ok(out)
}

fn responses_calls(doc: &Doc<'_>, output: &str) -> Result<Vec<Call>> {
  let mut out = Vec::new();
  for raw in doc.elements(output, "/output")? {
    let Ok([kind, call_id, name, arguments_raw]) =
      doc.fields(raw, ["type", "call_id", "name", "arguments"], "")
    else {
      continue;
    };
    if short_str(kind).as_deref() != Some("function_call") {
      continue;
    }
    out.push(Call {
      id: short_str(call_id).unwrap_or_default().into_owned(),
      name: short_str(name).unwrap_or_default().into_owned(),
      args: arguments(arguments_raw),
    });
  }
  Ok(out)
}

#[cfg(test)]
mod tests {
  use super::*;
  use headroom_core::ErrorCode;

  struct Fake;
  impl Retriever for Fake {
    fn retrieve(&self, hash: &str, query: Option<&str>) -> Result<String> {
      match hash {
        "0123456789abcdef" => Ok(format!(
          "original{}",
          query.map(|q| format!(" q={q}")).unwrap_or_default()
        )),
        _ => Err(Error::new(
          ErrorCode::UnknownHash,
          format!("hash {hash} is unknown: do not retry"),
        )),
      }
    }
  }

  #[test]
  fn anthropic_mixed_calls() {
    let resp = r#"{"id":"msg_1","type":"message","role":"assistant","content":[
      {"type":"text","text":"Let me look."},
      {"type":"tool_use","id":"toolu_a","name":"headroom_retrieve","input":{"hash":"0123456789abcdef","query":"error"}},
      {"type":"tool_use","id":"toolu_b","name":"bash","input":{"cmd":"ls"}},
      {"type":"tool_use","id":"toolu_c","name":"headroom_retrieve","input":{"hash":"ffffffffffffffff"}}],
      "stop_reason":"tool_use"}"#;
    let r = resolve(resp, &Fake).unwrap();
    assert_eq!(r.provider, Provider::Anthropic);
    assert_eq!(r.resolved, ["toolu_a", "toolu_c"]);
    assert_eq!(r.other_calls, ["toolu_b"]);
    let v: serde_json::Value = serde_json::from_str(&r.results).unwrap();
    assert_eq!(v[0]["role"], "user");
    assert_eq!(v[0]["content"][0]["content"], "original q=error");
    assert_eq!(v[0]["content"][1]["is_error"], true);
    assert!(
      v[0]["content"][1]["content"]
        .as_str()
        .unwrap()
        .contains("UNKNOWN_HASH")
    );
  }

  #[test]
  fn openai_chat_and_responses() {
    let chat = r#"{"choices":[{"message":{"role":"assistant","content":null,"tool_calls":[
      {"id":"call_1","type":"function","function":{"name":"headroom_retrieve","arguments":"{\"hash\":\"0123456789abcdef\"}"}}]}}]}"#;
    let r = resolve(chat, &Fake).unwrap();
    let v: serde_json::Value = serde_json::from_str(&r.results).unwrap();
    assert_eq!(
      v[0],
      serde_json::json!({"role":"tool","tool_call_id":"call_1","content":"original"})
    );
    let responses = r#"{"output":[{"type":"reasoning","id":"rs_1","summary":[]},
      {"type":"function_call","call_id":"call_9","name":"headroom_retrieve","arguments":"{\"hash\":\"0123456789abcdef\"}"}]}"#;
    let r = resolve(responses, &Fake).unwrap();
    let v: serde_json::Value = serde_json::from_str(&r.results).unwrap();
    assert_eq!(
      v[0],
      serde_json::json!({"type":"function_call_output","call_id":"call_9","output":"original"})
    );
  }

  #[test]
  fn bad_arguments_are_answered_not_thrown() {
    let chat = r#"{"choices":[{"message":{"tool_calls":[
      {"id":"c","type":"function","function":{"name":"headroom_retrieve","arguments":"{oops"}}]}}]}"#;
    let r = resolve(chat, &Fake).unwrap();
    assert!(r.results.contains("INVALID_ARGUMENT"));
    assert_eq!(
      resolve("[]", &Fake).unwrap_err().code,
      ErrorCode::UnsupportedShape
    );
  }
}
