//! The `headroom_retrieve` tool: its definition per provider, and adding it to a request
//! body by byte splice.
//!
//! A marker is only useful if the model can redeem it. When `compress` leaves markers in a
//! body, it adds this tool to the body's `tools` (unless it is there already). History is
//! immutable, so once a conversation holds markers every later request holds them too and
//! the tool list never flips back.

use headroom_core::{Error, Result};

use crate::raw::{self, Doc, JsonKind, kind_of};
use crate::walk::Provider;

/// The tool's name.
pub const RETRIEVE_TOOL_NAME: &str = "headroom_retrieve";

const DESCRIPTION: &str = "Retrieve original content that was left out of a tool result to save tokens. \
Tool results may contain markers like `[85 of 100 rows omitted: 83 status=ok, 2 status=retry; retrieve hash=3f2a9c0d1e4b5a69]`. \
Call this tool with that hash to get the original back; add `query` to get only the rows or lines that match it. \
Only retrieve when the omitted part matters for the task. An answer saying the hash is unknown or expired is final: do not retry.";

fn schema() -> serde_json::Value {
  serde_json::json!({
    "type": "object",
    "properties": {
      "hash": { "type": "string", "description": "The hash from a `retrieve hash=...` marker." },
      "query": { "type": "string", "description": "Optional: words that the wanted rows or lines contain; only those are returned." }
    },
    "required": ["hash"]
  })
}

/// The tool definition in `provider`'s format, as JSON.
pub fn definition(provider: Provider) -> String {
  let v = match provider {
    Provider::Anthropic => serde_json::json!({
      "name": RETRIEVE_TOOL_NAME, "description": DESCRIPTION, "input_schema": schema()
    }),
    Provider::OpenaiChat => serde_json::json!({
      "type": "function",
      "function": { "name": RETRIEVE_TOOL_NAME, "description": DESCRIPTION, "parameters": schema() }
    }),
    Provider::OpenaiResponses => serde_json::json!({
      "type": "function", "name": RETRIEVE_TOOL_NAME, "description": DESCRIPTION, "parameters": schema()
    }),
  };
  v.to_string()
}

/// Whether a tool definition (any of the three formats) is the retrieve tool.
fn is_retrieve_tool(doc: &Doc<'_>, tool: &str) -> bool {
  raw::tool_name(doc, tool).as_deref() == Some(RETRIEVE_TOOL_NAME)
}

/// Adds the retrieve tool to a request body (a JSON object) by byte splice: appended to
/// `tools`, or a `tools` array added at the end of the object. Returns `None` when the tool
/// is already there. Every other byte is unchanged.
pub fn inject(body: &str, provider: Provider) -> Result<Option<String>> {
  let doc = Doc::parse(body)?;
  let root = doc.root();
  if kind_of(root) != JsonKind::Object {
    return Err(Error::unsupported_shape(
      "the retrieve tool can only be added to a request body object",
    ));
  }
  // `"tools": null` is replaced, not left beside a second `tools` key.
  let [tools] = doc.fields_with_null(root, ["tools"], "/")?;
  let tool = definition(provider);
  let (at, insert) = match tools {
    Some(tools) if kind_of(tools) == JsonKind::Array => {
      let list = doc.elements(tools, "/tools")?;
      if list.iter().any(|t| is_retrieve_tool(&doc, t)) {
        return Ok(None);
      }
      let span = raw::span(body, tools);
      // Insert before the closing bracket (after any whitespace the client left there).
      let close = span.end - 1;
      (
        close,
        if list.is_empty() {
          tool
        } else {
          format!(",{tool}")
        },
      )
    }
    Some(tools) if kind_of(tools) == JsonKind::Null => {
      let span = raw::span(body, tools);
      let mut out = String::with_capacity(body.len() + tool.len() + 2);
      out.push_str(&body[..span.start]);
      out.push('[');
      out.push_str(&tool);
      out.push(']');
      out.push_str(&body[span.end..]);
      return Ok(Some(out));
    }
    Some(_) => return Err(Error::unsupported_shape("/tools must be an array")),
    None => {
      let span = raw::span(body, root);
      let close = span.end - 1;
      let empty = body[span.start + 1..close].trim().is_empty();
      (
        close,
        format!("{}\"tools\":[{tool}]", if empty { "" } else { "," }),
      )
    }
  };
  let mut out = String::with_capacity(body.len() + insert.len());
  out.push_str(&body[..at]);
  out.push_str(&insert);
  out.push_str(&body[at..]);
  Ok(Some(out))
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn appends_to_existing_tools_byte_faithfully() {
    let body = r#"{"model":"x", "tools":[ {"name":"bash"} ] ,"messages":[]}"#;
    let out = inject(body, Provider::Anthropic).unwrap().unwrap();
    let tool = definition(Provider::Anthropic);
    assert_eq!(
      out,
      format!(r#"{{"model":"x", "tools":[ {{"name":"bash"}} ,{tool}] ,"messages":[]}}"#)
    );
    assert_eq!(
      inject(&out, Provider::Anthropic).unwrap(),
      None,
      "never added twice"
    );
  }

  #[test]
  fn adds_a_tools_array_when_absent_or_empty() {
    let tool = definition(Provider::OpenaiChat);
    let out = inject(r#"{"model":"gpt-4o","messages":[]}"#, Provider::OpenaiChat)
      .unwrap()
      .unwrap();
    assert_eq!(
      out,
      format!(r#"{{"model":"gpt-4o","messages":[],"tools":[{tool}]}}"#)
    );
    let out = inject(r#"{"tools":[],"input":"x"}"#, Provider::OpenaiChat)
      .unwrap()
      .unwrap();
    assert_eq!(out, format!(r#"{{"tools":[{tool}],"input":"x"}}"#));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["tools"][0]["function"]["name"], RETRIEVE_TOOL_NAME);
    // `null` is replaced in place: one `tools` key, not two.
    let out = inject(r#"{"tools": null ,"input":"x"}"#, Provider::OpenaiChat)
      .unwrap()
      .unwrap();
    assert_eq!(out, format!(r#"{{"tools": [{tool}] ,"input":"x"}}"#));
  }

  #[test]
  fn recognises_the_tool_in_every_format() {
    for p in [
      Provider::Anthropic,
      Provider::OpenaiChat,
      Provider::OpenaiResponses,
    ] {
      let body = format!(r#"{{"tools":[{}],"messages":[]}}"#, definition(p));
      assert_eq!(inject(&body, Provider::Anthropic).unwrap(), None);
    }
  }
}
