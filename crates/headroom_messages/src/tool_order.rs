//! Opt-in prefix stabilisation: tool definitions in a stable order.
//!
//! Providers cache a request's prefix, and tool definitions come first. A client whose tool
//! list is assembled in a varying order (MCP servers connecting in a different order each
//! start) never reads its tools from the cache across sessions. Sorting the definitions by
//! name gives every request with the same tools the same bytes. Off by default: the order
//! of a client's tools is its own, and changing it is only right when asked for.

use headroom_core::{Error, Result};
use serde_json::value::RawValue;

use crate::raw::{self, JsonKind, kind_of, short_str};

/// The name of a tool definition in any of the three formats (`name`, or `function.name`).
fn tool_name(tool: &RawValue) -> String {
  #[derive(serde::Deserialize)]
  struct Tool<'a> {
    #[serde(borrow, default)]
    name: Option<&'a RawValue>,
    #[serde(borrow, default)]
    function: Option<&'a RawValue>,
  }
  #[derive(serde::Deserialize)]
  struct Function<'a> {
    #[serde(borrow, default)]
    name: Option<&'a RawValue>,
  }
  let Ok(t) = serde_json::from_str::<Tool<'_>>(tool.get()) else {
    return String::new();
  };
  short_str(t.name)
    .or_else(|| {
      t.function
        .and_then(|f| serde_json::from_str::<Function<'_>>(f.get()).ok())
        .and_then(|f| short_str(f.name))
    })
    .map(|s| s.into_owned())
    .unwrap_or_default()
}

/// Sorts `body`'s `tools` by name (stable: equal names keep their order; definitions with
/// no name keep their place relative to each other, after the named ones). Each definition
/// keeps its bytes; only the array's separators are rewritten. Returns `None` when the
/// order is already sorted, there is no tools array, or a definition carries
/// `cache_control` (a client's cache breakpoint never moves).
pub fn sort_tools(body: &str) -> Result<Option<String>> {
  let root: &RawValue =
    serde_json::from_str(body).map_err(|e| Error::invalid_json(format!("invalid JSON: {e}")))?;
  if kind_of(root) != JsonKind::Object {
    return Ok(None);
  }
  let top: raw::TopLevel<'_> = raw::view(root, "/")?;
  let Some(tools) = top.tools.filter(|t| kind_of(t) == JsonKind::Array) else {
    return Ok(None);
  };
  let list = raw::elements(tools, "/tools")?;
  if list.iter().any(|t| t.get().contains("\"cache_control\"")) {
    return Ok(None);
  }
  let mut keyed: Vec<(bool, String, &RawValue)> = list
    .iter()
    .map(|t| {
      let name = tool_name(t);
      (name.is_empty(), name, *t)
    })
    .collect();
  let before: Vec<*const RawValue> = keyed.iter().map(|k| k.2 as *const RawValue).collect();
  keyed.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
  if keyed
    .iter()
    .map(|k| k.2 as *const RawValue)
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
    out.push_str(t.get());
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
