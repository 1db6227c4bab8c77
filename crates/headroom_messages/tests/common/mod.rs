//! Helpers shared by the integration tests: an independent JSON string locator, the
//! byte-fidelity check and corpus access.
#![allow(dead_code)]

use std::collections::HashMap;
use std::ops::Range;

use headroom_messages::Outcome;
use serde_json::Value;

/// Directory of the shared generated corpus.
pub const CORPUS_DIR: &str = concat!(
  env!("CARGO_MANIFEST_DIR"),
  "/../../../shared/corpus/headroom-generated/"
);

/// Reads one corpus file.
pub fn corpus(name: &str) -> String {
  let path = format!("{CORPUS_DIR}{name}");
  std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"))
}

/// Reads one corpus file holding a message array.
pub fn corpus_messages(name: &str) -> Vec<Value> {
  serde_json::from_str(&corpus(name)).expect("corpus file is a JSON message array")
}

/// A pretty-printed JSON document of roughly `rows` rows: a typical verbose tool output
/// that the JSON minifier shrinks.
pub fn pretty_rows(rows: usize, salt: &str) -> String {
  let v: Vec<Value> = (0..rows)
    .map(|i| {
      serde_json::json!({
        "id": i,
        "name": format!("{salt} row {i}"),
        "status": if i % 3 == 0 { "ok" } else { "retry" },
        "score": (i as f64) / 7.0,
        "tags": ["alpha", "beta", salt],
      })
    })
    .collect();
  serde_json::to_string_pretty(&v).unwrap()
}

/// Escapes one JSON-pointer reference token.
fn escape_token(key: &str) -> String {
  key.replace('~', "~0").replace('/', "~1")
}

/// An independent, minimal JSON scanner over *valid* JSON text: maps the JSON pointer of
/// every string *value* (not keys) to the byte range of its literal (quotes included).
pub fn string_spans(input: &[u8]) -> HashMap<String, Range<usize>> {
  struct S<'a> {
    b: &'a [u8],
    i: usize,
    out: HashMap<String, Range<usize>>,
  }
  impl S<'_> {
    fn ws(&mut self) {
      while self.i < self.b.len() && matches!(self.b[self.i], b' ' | b'\t' | b'\n' | b'\r') {
        self.i += 1;
      }
    }
    fn string(&mut self) -> Range<usize> {
      let start = self.i;
      assert_eq!(self.b[self.i], b'"');
      self.i += 1;
      loop {
        match self.b[self.i] {
          b'\\' => self.i += 2,
          b'"' => {
            self.i += 1;
            return start..self.i;
          }
          _ => self.i += 1,
        }
      }
    }
    fn value(&mut self, path: &str) {
      self.ws();
      match self.b[self.i] {
        b'"' => {
          let r = self.string();
          self.out.insert(path.to_string(), r);
        }
        b'{' => {
          self.i += 1;
          self.ws();
          if self.b[self.i] == b'}' {
            self.i += 1;
            return;
          }
          loop {
            self.ws();
            let k = self.string();
            let key: String = serde_json::from_slice(&self.b[k]).unwrap();
            self.ws();
            assert_eq!(self.b[self.i], b':');
            self.i += 1;
            self.value(&format!("{path}/{}", escape_token(&key)));
            self.ws();
            let c = self.b[self.i];
            self.i += 1;
            if c == b'}' {
              return;
            }
            assert_eq!(c, b',');
          }
        }
        b'[' => {
          self.i += 1;
          self.ws();
          if self.b[self.i] == b']' {
            self.i += 1;
            return;
          }
          let mut n = 0;
          loop {
            self.value(&format!("{path}/{n}"));
            n += 1;
            self.ws();
            let c = self.b[self.i];
            self.i += 1;
            if c == b']' {
              return;
            }
            assert_eq!(c, b',');
          }
        }
        _ => {
          // Number, true, false, null.
          while self.i < self.b.len()
            && !matches!(
              self.b[self.i],
              b',' | b']' | b'}' | b' ' | b'\t' | b'\n' | b'\r'
            )
          {
            self.i += 1;
          }
        }
      }
    }
  }
  let mut s = S {
    b: input,
    i: 0,
    out: HashMap::new(),
  };
  s.value("");
  s.ws();
  assert_eq!(s.i, input.len(), "trailing bytes after the JSON value");
  s.out
}

/// The JSON documents in a text: one document, or JSON Lines (non-blank lines).
pub fn json_docs(s: &str) -> Option<Vec<Value>> {
  if let Ok(v) = serde_json::from_str::<Value>(s) {
    return Some(vec![v]);
  }
  s.lines()
    .filter(|l| !l.trim().is_empty())
    .map(|l| serde_json::from_str::<Value>(l).ok())
    .collect()
}

/// Checks that `out` is exactly `input` with the strings at the reported transform paths
/// replaced (by the canonical JSON encoding of their new text), that every JSON value
/// outside those paths is identical, and that lossless transforms kept the JSON value.
pub fn assert_faithful(input: &[u8], out: &Outcome) {
  let body = &out.body;
  let out_text = std::str::from_utf8(body).expect("output is UTF-8");
  // Valid JSON by the grammar: `&RawValue` accepts lone surrogate escapes such as
  // `"\ud83d#"` (legal JSON, not valid Unicode), which `Value` rejects. Such input passes
  // through untouched.
  serde_json::from_str::<&serde_json::value::RawValue>(out_text).expect("output is valid JSON");
  if out.report.transforms.is_empty() {
    assert!(
      body == input,
      "no transform, yet the output differs from the input"
    );
    return;
  }
  let out_value: Value = serde_json::from_str(out_text).expect("output is valid JSON");
  let in_value: Value = serde_json::from_slice(input).expect("input is valid JSON");
  let spans = string_spans(input);
  let mut edits: Vec<(Range<usize>, String)> = Vec::new();
  let mut expected_value = in_value.clone();
  for t in &out.report.transforms {
    let range = spans
      .get(&t.path)
      .unwrap_or_else(|| {
        panic!(
          "transform path {} is not a string value of the input",
          t.path
        )
      })
      .clone();
    let old = in_value
      .pointer(&t.path)
      .and_then(Value::as_str)
      .expect("old string")
      .to_string();
    let new = out_value
      .pointer(&t.path)
      .and_then(Value::as_str)
      .unwrap_or_else(|| panic!("output has no string at {}", t.path))
      .to_string();
    assert_ne!(old, new, "transform at {} changed nothing", t.path);
    assert!(
      t.tokens_after < t.tokens_before,
      "transform at {} did not save tokens",
      t.path
    );
    if t.strategy == "json:minify" {
      assert!(t.hashes.is_empty(), "lossless transforms add no marker");
      assert_eq!(
        json_docs(&old),
        json_docs(&new),
        "json:minify changed the value at {}",
        t.path
      );
    }
    *expected_value.pointer_mut(&t.path).unwrap() = Value::String(new.clone());
    edits.push((range, serde_json::to_string(&new).unwrap()));
  }
  // Every value outside the transform paths is identical.
  assert_eq!(
    expected_value, out_value,
    "a value outside the transform paths changed"
  );
  // Every byte outside the edited strings is identical.
  edits.sort_by_key(|(r, _)| r.start);
  let mut expected = Vec::with_capacity(input.len());
  let mut at = 0;
  for (r, json) in &edits {
    assert!(r.start >= at, "overlapping transform paths");
    expected.extend_from_slice(&input[at..r.start]);
    expected.extend_from_slice(json.as_bytes());
    at = r.end;
  }
  expected.extend_from_slice(&input[at..]);
  assert!(
    expected == *body,
    "output is not the input with exactly the transform strings replaced"
  );
}

/// Tool-call identity in document order: every `id`, `tool_use_id`, `tool_call_id`,
/// `call_id` and `name` string anywhere in the value.
pub fn tool_ids(v: &Value) -> Vec<String> {
  fn go(v: &Value, out: &mut Vec<String>) {
    match v {
      Value::Object(m) => {
        for (k, x) in m {
          if matches!(
            k.as_str(),
            "id" | "tool_use_id" | "tool_call_id" | "call_id" | "name"
          ) && let Some(s) = x.as_str()
          {
            out.push(format!("{k}={s}"));
          }
          go(x, out);
        }
      }
      Value::Array(a) => a.iter().for_each(|x| go(x, out)),
      _ => {}
    }
  }
  let mut out = Vec::new();
  go(v, &mut out);
  out
}

/// The reason reported for the skipped block at `path`, if any.
pub fn skip_reason<'a>(out: &'a Outcome, path: &str) -> Option<&'a str> {
  out
    .report
    .skipped
    .iter()
    .find(|s| s.path == path)
    .map(|s| s.reason)
}

/// Whether a transform was reported at `path`.
pub fn transformed(out: &Outcome, path: &str) -> bool {
  out.report.transforms.iter().any(|t| t.path == path)
}
