//! Content-specific tools the compressors are built on, exposed for evaluation and reuse:
//! log template mining and the code parser check.

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

/// Whether `text` parses without syntax errors as `language` (`python`, `javascript`,
/// `typescript`, `go`, `rust`, `java`, `c`, `cpp`) with the tree-sitter grammar the code
/// compressor uses: how its outputs are checked. Throws `INVALID_ARGUMENT` for another
/// language.
#[napi(catch_unwind)]
pub fn code_parses(text: String, language: String) -> Result<bool, BindingError> {
  guard(|| {
    let lang = headroom_detect::Language::ALL
      .into_iter()
      .find(|l| l.as_str() == language && *l != headroom_detect::Language::Shell)
      .ok_or_else(|| {
        headroom_core::Error::invalid_argument(format!("no grammar for language {language:?}"))
      })?;
    Ok(headroom_code::parses_cleanly(&text, lang))
  })
  .map_err(to_js)
}
