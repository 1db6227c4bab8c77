//! Continuing a conversation by byte splice: appending messages (Anthropic, OpenAI Chat)
//! or input items (OpenAI Responses) to a request body.
//!
//! A proxy that answers the model's `headroom_retrieve` calls itself sends the same request
//! again with the model's turn and the retrieve results appended. Every byte of the body it
//! already sent stays as it was (numbers such as `1.0` or integers above 2^53 included), so
//! the continuation's prefix is the request's prefix and reads from the provider's cache.

use crate::raw::{self, Doc, JsonKind, kind_of};
use headroom_core::{Error, Result};

/// Appends the elements of `items` (a JSON array) to `body`'s `messages` array, or to its
/// `input` (a Responses string input becomes a one-message array first). Bytes outside the
/// insertion point are unchanged.
pub fn append_items(body: &str, items: &str) -> Result<String> {
  let doc = Doc::parse(body)?;
  let root = doc.root();
  let items_doc =
    Doc::parse(items).map_err(|e| Error::new(e.code, format!("items: {}", e.message)))?;
  let items = items_doc.root();
  if kind_of(root) != JsonKind::Object {
    return Err(Error::unsupported_shape(
      "a continuation needs a request body object",
    ));
  }
  if kind_of(items) != JsonKind::Array {
    return Err(Error::invalid_argument("items must be a JSON array"));
  }
  let added: Vec<&str> = items_doc.elements(items, "items")?;
  let top = raw::TopLevel::read(&doc, root, "/")?;
  let (list, name) = match (top.messages, top.input) {
    (Some(m), _) => (m, "/messages"),
    (None, Some(i)) => (i, "/input"),
    (None, None) => {
      return Err(Error::unsupported_shape(
        "a continuation needs `messages` or `input`",
      ));
    }
  };
  let span = raw::span(body, list);
  let joined = added.join(",");
  let mut out = String::with_capacity(body.len() + joined.len() + 32);
  match kind_of(list) {
    JsonKind::Array => {
      let close = span.end - 1;
      let empty = body[span.start + 1..close].trim().is_empty();
      out.push_str(&body[..close]);
      if !empty && !added.is_empty() {
        out.push(',');
      }
      out.push_str(&joined);
      out.push_str(&body[close..]);
    }
    JsonKind::String if name == "/input" => {
      out.push_str(&body[..span.start]);
      out.push_str("[{\"role\":\"user\",\"content\":");
      out.push_str(&body[span.clone()]);
      out.push('}');
      if !added.is_empty() {
        out.push(',');
      }
      out.push_str(&joined);
      out.push(']');
      out.push_str(&body[span.end..]);
    }
    _ => {
      return Err(Error::unsupported_shape(format!("{name} must be an array")));
    }
  }
  Ok(out)
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn appends_to_messages_keeping_every_other_byte() {
    let body = r#"{"model":"m", "messages": [ {"role":"user","content":"x","n":1.0} ] , "z":12345678901234567890}"#;
    let out = append_items(body, r#"[{"role":"assistant"},{"role":"user"}]"#).unwrap();
    assert_eq!(
      out,
      r#"{"model":"m", "messages": [ {"role":"user","content":"x","n":1.0} ,{"role":"assistant"},{"role":"user"}] , "z":12345678901234567890}"#
    );
    assert!(out.starts_with(&body[..body.find("} ]").unwrap() + 2]));
  }

  #[test]
  fn empty_arrays_and_string_input() {
    assert_eq!(
      append_items(r#"{"messages":[]}"#, r#"[{"a":1}]"#).unwrap(),
      r#"{"messages":[{"a":1}]}"#
    );
    assert_eq!(
      append_items(r#"{"input":"hi","model":"gpt"}"#, r#"[{"type":"x"}]"#).unwrap(),
      r#"{"input":[{"role":"user","content":"hi"},{"type":"x"}],"model":"gpt"}"#
    );
    let out = append_items(r#"{"input":[{"type":"message"}]}"#, "[]").unwrap();
    assert_eq!(out, r#"{"input":[{"type":"message"}]}"#);
  }

  #[test]
  fn refuses_what_it_cannot_continue() {
    assert!(append_items("[]", "[]").is_err());
    assert!(append_items(r#"{"model":"x"}"#, "[]").is_err());
    assert!(append_items(r#"{"messages":{}}"#, "[]").is_err());
    assert!(append_items(r#"{"messages":[]}"#, "{}").is_err());
    assert!(append_items("{not json", "[]").is_err());
  }
}
