//! Opt-in prefix stabilisation: tool definitions in a stable order.
//!
//! Providers cache a request's prefix, and tool definitions come first. A client whose tool
//! list is assembled in a varying order (MCP servers connecting in a different order each
//! start) never reads its tools from the cache across sessions. Sorting the definitions by
//! name gives every request with the same tools the same bytes. Off by default: the order
//! of a client's tools is its own, and changing it is only right when asked for.

use crate::raw::{self, Doc, JsonKind, kind_of};
use headroom_core::Result;

/// Sorts `body`'s `tools` by name (stable: equal names keep their order; definitions with
/// no name keep their place relative to each other, after the named ones). Each definition
/// keeps its bytes; only the array's separators are rewritten. Returns `None` when the
/// order is already sorted, there is no tools array, or a definition carries
/// `cache_control` (a client's cache breakpoint never moves).
pub fn sort_tools(body: &str) -> Result<Option<String>> {
  let doc = Doc::parse(body)?;
  let root = doc.root();
  if kind_of(root) != JsonKind::Object {
    return Ok(None);
  }
  let top = raw::TopLevel::read(&doc, root, "/")?;
  let Some(tools) = top.tools.filter(|t| kind_of(t) == JsonKind::Array) else {
    return Ok(None);
  };
  let list = doc.elements(tools, "/tools")?;
  if list.iter().any(|t| t.contains("\"cache_control\"")) {
    return Ok(None);
  }
  let mut keyed: Vec<(bool, String, &str)> = list
    .iter()
    .map(|t| {
      let name = raw::tool_name(&doc, t)
        .map(|s| s.into_owned())
        .unwrap_or_default();
      (name.is_empty(), name, *t)
    })
    .collect();
  let before: Vec<*const u8> = keyed.iter().map(|k| k.2.as_ptr()).collect();
  keyed.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
  if keyed
    .iter()
    .map(|k| k.2.as_ptr())
    .eq(before.iter().copied())
  {
    return Ok(None);
  }
  let span = raw::span(body, tools);
  let mut out = String::with_capacity(body.len());
  out.push_str(&body[..span.start]);
  out.push('[');
  for (i, (_, _, t)) in keyed.iter().enumerate() {
    if i > 0 {
      out.push(',');
    }
    out.push_str(t);
  }
  out.push(']');
  out.push_str(&body[span.end..]);
  Ok(Some(out))
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn sorts_by_name_keeping_each_definition_s_bytes() {
    let body = r#"{"tools": [ {"name":"zeta","x":1.0}, {"type":"function","function":{"name":"alpha"}} ,{"name":"mid"}], "messages":[]}"#;
    let out = sort_tools(body).unwrap().unwrap();
    assert_eq!(
      out,
      r#"{"tools": [{"type":"function","function":{"name":"alpha"}},{"name":"mid"},{"name":"zeta","x":1.0}], "messages":[]}"#
    );
    assert_eq!(sort_tools(&out).unwrap(), None, "sorted stays as it is");
  }

  #[test]
  fn nothing_to_sort() {
    assert_eq!(sort_tools(r#"{"messages":[]}"#).unwrap(), None);
    let breakpoint =
      r#"{"tools":[{"name":"b"},{"name":"a","cache_control":{"type":"ephemeral"}}]}"#;
    assert_eq!(
      sort_tools(breakpoint).unwrap(),
      None,
      "a breakpoint never moves"
    );
    assert_eq!(sort_tools(r#"{"tools":null}"#).unwrap(), None);
    assert_eq!(sort_tools("[]").unwrap(), None);
    assert_eq!(
      sort_tools(r#"{"tools":[{"name":"a"},{"x":1},{"name":"b"}]}"#).unwrap(),
      Some(r#"{"tools":[{"name":"a"},{"name":"b"},{"x":1}]}"#.into())
    );
  }
}
