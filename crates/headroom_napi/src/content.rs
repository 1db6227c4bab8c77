//! Content-specific tools the compressors are built on, exposed for evaluation and reuse:
//! log template mining.

use napi_derive::napi;

use crate::error::{BindingError, guard, to_js};

/// Mines the log templates of `text`'s lines (what the log compressor groups lines by).
/// Returns JSON: `{"groups": [group of each line], "templates": [...], "sizes": [...]}`;
/// lines split on `\n` (a `\r` before it is dropped), groups numbered from 0 in order of
/// first appearance.
#[napi(catch_unwind)]
pub fn mine_log_templates_json(text: String) -> Result<String, BindingError> {
  guard(|| {
    let lines: Vec<&str> = headroom_core::output::split_lines_inclusive(&text)
      .map(headroom_core::output::line_content)
      .collect();
    let r = headroom_logs::mine_templates(&lines);
    Ok(
      serde_json::json!({ "groups": r.ids, "templates": r.templates, "sizes": r.sizes })
        .to_string(),
    )
  })
  .map_err(to_js)
}
