//! Source-code detection and language identification.
//!
//! Two independent signals:
//! * *code-likeness*: the fraction of lines shaped like code (ending in `;`, `{`, `}`, `:`,
//!   starting with a keyword or comment marker, indented expressions, ...);
//! * *language evidence*: weighted keyword / idiom hits, found in one pass with an
//!   Aho-Corasick automaton over the sample, plus line-start rules (`def ...:`,
//!   `package x;`, `use a::b;`, ...). The language with the highest total wins.

use std::sync::OnceLock;

use aho_corasick::AhoCorasick;

use crate::sample::Sample;
use crate::types::{ContentType, Detection, Language};

/// Index of each language in score arrays.
const LANGS: [Language; 8] = [
  Language::Python,
  Language::JavaScript,
  Language::TypeScript,
  Language::Go,
  Language::Rust,
  Language::Java,
  Language::C,
  Language::Cpp,
];
const P: usize = 0;
const J: usize = 1;
const T: usize = 2;
const G: usize = 3;
const R: usize = 4;
const V: usize = 5;
const C: usize = 6;
const X: usize = 7;

/// Substring features: pattern and per-language weights. Patterns starting with an
/// identifier character only match at a word boundary.
const FEATURES: &[(&str, &[(usize, f32)])] = &[
  // Python.
  ("def ", &[(P, 2.0)]),
  ("self.", &[(P, 1.0), (R, 0.3)]),
  ("(self", &[(P, 2.0)]),
  ("elif ", &[(P, 3.0)]),
  ("except ", &[(P, 2.0)]),
  ("except:", &[(P, 3.0)]),
  ("raise ", &[(P, 2.0)]),
  ("None", &[(P, 1.0), (R, 0.5)]),
  ("True", &[(P, 1.0)]),
  ("False", &[(P, 1.0)]),
  ("__init__", &[(P, 3.0)]),
  ("lambda ", &[(P, 1.5)]),
  ("print(", &[(P, 1.0)]),
  ("\"\"\"", &[(P, 3.0)]),
  ("'''", &[(P, 2.0)]),
  ("is not ", &[(P, 2.0)]),
  ("not in ", &[(P, 2.0)]),
  ("isinstance(", &[(P, 3.0)]),
  ("kwargs", &[(P, 2.0)]),
  ("with open(", &[(P, 2.0)]),
  ("__name__", &[(P, 2.0)]),
  // JavaScript / TypeScript.
  ("function ", &[(J, 2.0), (T, 1.0)]),
  ("function(", &[(J, 2.0), (T, 1.0)]),
  ("const ", &[(J, 1.0), (T, 1.0), (C, 0.3), (X, 0.3)]),
  ("let ", &[(J, 1.0), (T, 1.0), (R, 0.5)]),
  ("var ", &[(J, 1.5), (T, 0.5), (G, 0.5)]),
  ("=> ", &[(J, 1.0), (T, 1.0)]),
  ("===", &[(J, 2.0), (T, 2.0)]),
  ("!==", &[(J, 2.0), (T, 2.0)]),
  ("require(", &[(J, 3.0), (T, 0.5)]),
  ("module.exports", &[(J, 4.0)]),
  ("exports.", &[(J, 2.0)]),
  ("console.", &[(J, 1.0), (T, 1.0)]),
  ("undefined", &[(J, 1.0), (T, 1.0)]),
  ("prototype", &[(J, 2.0)]),
  ("this.", &[(J, 1.0), (T, 1.0), (V, 1.0), (X, 0.3)]),
  ("typeof ", &[(J, 1.5), (T, 1.0)]),
  ("'use strict'", &[(J, 4.0)]),
  ("\"use strict\"", &[(J, 4.0)]),
  ("export default", &[(J, 1.0), (T, 1.0)]),
  ("export function", &[(J, 1.0), (T, 1.0)]),
  ("export const", &[(J, 1.0), (T, 1.0)]),
  (": string", &[(T, 4.0)]),
  (": number", &[(T, 4.0)]),
  (": boolean", &[(T, 4.0)]),
  (": any", &[(T, 3.0)]),
  (": void", &[(T, 3.0)]),
  (": unknown", &[(T, 4.0)]),
  ("readonly ", &[(T, 3.0)]),
  ("export type ", &[(T, 4.0)]),
  ("import type ", &[(T, 4.0)]),
  ("export interface ", &[(T, 4.0)]),
  ("as const", &[(T, 3.0)]),
  ("): Promise<", &[(T, 4.0)]),
  ("keyof ", &[(T, 4.0)]),
  ("?: ", &[(T, 2.0)]),
  ("): ", &[(T, 2.0), (P, 0.3)]),
  ("<T>(", &[(T, 2.0)]),
  (": Observable<", &[(T, 4.0)]),
  ("Subscriber<", &[(T, 2.0)]),
  ("<any>", &[(T, 3.0)]),
  ("| null", &[(T, 3.0)]),
  ("| undefined", &[(T, 4.0)]),
  ("this: ", &[(T, 4.0)]),
  (" as ", &[(T, 0.5), (R, 0.5), (P, 0.3)]),
  ("declare ", &[(T, 3.0)]),
  ("@internal", &[(T, 1.0)]),
  ("implements ", &[(T, 1.0), (V, 1.5)]),
  ("interface ", &[(T, 1.5), (V, 1.0), (G, 0.5)]),
  ("<T>", &[(T, 1.0), (V, 0.5), (R, 0.3), (X, 0.3)]),
  ("extends ", &[(V, 1.0), (T, 1.0), (J, 0.5)]),
  // Go.
  ("func ", &[(G, 3.0)]),
  (":= ", &[(G, 3.0)]),
  ("fmt.", &[(G, 3.0)]),
  ("err != nil", &[(G, 5.0)]),
  ("chan ", &[(G, 2.0)]),
  ("go func", &[(G, 3.0)]),
  ("defer ", &[(G, 3.0)]),
  ("[]byte", &[(G, 3.0)]),
  ("[]string", &[(G, 3.0)]),
  ("nil", &[(G, 1.0)]),
  ("*testing.T", &[(G, 3.0)]),
  ("errors.New", &[(G, 3.0)]),
  (") error {", &[(G, 3.0)]),
  ("struct {", &[(G, 1.5), (C, 0.5), (X, 0.5)]),
  // Rust.
  ("fn ", &[(R, 3.0)]),
  ("let mut ", &[(R, 4.0)]),
  ("pub fn ", &[(R, 4.0)]),
  ("impl ", &[(R, 3.0)]),
  ("impl<", &[(R, 4.0)]),
  ("&self", &[(R, 3.0)]),
  ("&mut ", &[(R, 3.0)]),
  ("Some(", &[(R, 2.0)]),
  ("Ok(", &[(R, 2.0)]),
  ("Err(", &[(R, 2.0)]),
  (".unwrap()", &[(R, 4.0)]),
  ("Vec<", &[(R, 3.0)]),
  ("Option<", &[(R, 3.0)]),
  ("Result<", &[(R, 3.0)]),
  ("#[", &[(R, 3.0)]),
  ("pub struct ", &[(R, 4.0)]),
  ("pub(crate)", &[(R, 4.0)]),
  ("use std::", &[(R, 4.0)]),
  ("crate::", &[(R, 4.0)]),
  ("println!", &[(R, 4.0)]),
  ("macro_rules!", &[(R, 4.0)]),
  ("&str", &[(R, 4.0)]),
  ("usize", &[(R, 3.0)]),
  ("::<", &[(R, 3.0)]),
  ("'static", &[(R, 3.0)]),
  ("Box<", &[(R, 3.0)]),
  ("-> ", &[(R, 1.0), (P, 0.5), (X, 0.3)]),
  ("match ", &[(R, 1.0)]),
  ("pub ", &[(R, 1.5)]),
  ("mod ", &[(R, 1.0)]),
  ("unsafe ", &[(R, 2.0), (V, 0.5)]),
  ("u8", &[(R, 1.0)]),
  ("u32", &[(R, 1.0)]),
  ("u64", &[(R, 1.0)]),
  // Java.
  ("public class ", &[(V, 4.0), (T, 0.3)]),
  ("public static ", &[(V, 3.0)]),
  ("private static final", &[(V, 4.0)]),
  ("import java.", &[(V, 5.0)]),
  ("import javax.", &[(V, 5.0)]),
  ("import android.", &[(V, 5.0)]),
  ("@Override", &[(V, 4.0)]),
  ("System.out", &[(V, 4.0)]),
  ("new ", &[(V, 0.5), (J, 0.5), (T, 0.5), (X, 0.3)]),
  ("String ", &[(V, 1.5)]),
  ("String[]", &[(V, 3.0)]),
  ("final ", &[(V, 2.0)]),
  ("throws ", &[(V, 4.0)]),
  ("boolean ", &[(V, 3.0)]),
  ("instanceof ", &[(V, 2.0), (J, 1.0), (T, 1.0)]),
  ("ArrayList", &[(V, 3.0)]),
  ("HashMap", &[(V, 3.0)]),
  ("protected ", &[(V, 2.0), (T, 0.5)]),
  ("private ", &[(V, 1.0), (T, 1.0)]),
  ("public ", &[(V, 1.5), (T, 0.5)]),
  ("void ", &[(V, 1.0), (C, 1.0), (X, 1.0)]),
  // C.
  ("#include <", &[(C, 2.0), (X, 1.0)]),
  ("#include \"", &[(C, 2.0), (X, 1.0)]),
  (".h>", &[(C, 2.0), (X, 0.5)]),
  (".h\"", &[(C, 1.0), (X, 0.5)]),
  ("#define ", &[(C, 3.0), (X, 1.0)]),
  ("#ifdef", &[(C, 2.0), (X, 1.0)]),
  ("#ifndef", &[(C, 2.0), (X, 1.0)]),
  ("#endif", &[(C, 2.0), (X, 1.0)]),
  ("#if ", &[(C, 1.0), (X, 0.5)]),
  ("NULL", &[(C, 3.0), (X, 1.0)]),
  ("malloc(", &[(C, 3.0), (X, 0.5)]),
  ("free(", &[(C, 2.0)]),
  ("sizeof(", &[(C, 2.0), (X, 1.0)]),
  ("uint32_t", &[(C, 2.0), (X, 1.0)]),
  ("uint8_t", &[(C, 2.0), (X, 1.0)]),
  ("uint64_t", &[(C, 2.0), (X, 1.0)]),
  ("size_t", &[(C, 2.0), (X, 1.0)]),
  ("static void", &[(C, 2.0), (X, 1.0)]),
  ("static int", &[(C, 2.0), (X, 1.0)]),
  ("static inline", &[(C, 2.0), (X, 1.0)]),
  ("typedef ", &[(C, 3.0), (X, 1.0)]),
  ("unsigned ", &[(C, 2.0), (X, 1.0)]),
  ("char *", &[(C, 3.0), (X, 1.0)]),
  ("const char", &[(C, 2.0), (X, 1.0)]),
  ("void *", &[(C, 2.0), (X, 1.0)]),
  ("->", &[(C, 0.7), (X, 0.5)]),
  ("memcpy(", &[(C, 3.0), (X, 1.0)]),
  ("printf(", &[(C, 2.0)]),
  ("int ", &[(C, 1.0), (X, 0.5), (V, 0.5)]),
  ("struct ", &[(C, 1.0), (X, 0.5), (R, 0.5)]),
  ("extern ", &[(C, 1.0), (X, 0.5)]),
  ("#pragma", &[(C, 1.0), (X, 1.0)]),
  // C++.
  ("std::", &[(X, 5.0)]),
  ("namespace ", &[(X, 2.0), (T, 0.5)]),
  ("template <", &[(X, 4.0)]),
  ("template<", &[(X, 4.0)]),
  ("typename ", &[(X, 3.0)]),
  ("public:", &[(X, 4.0)]),
  ("private:", &[(X, 4.0)]),
  ("protected:", &[(X, 4.0)]),
  ("nullptr", &[(X, 4.0)]),
  ("virtual ", &[(X, 3.0)]),
  ("const&", &[(X, 3.0)]),
  ("cout", &[(X, 3.0)]),
  ("auto ", &[(X, 1.5)]),
  ("constexpr", &[(X, 4.0)]),
  ("noexcept", &[(X, 4.0)]),
  ("operator", &[(X, 2.0)]),
  ("GTEST_", &[(X, 3.0)]),
  ("::", &[(X, 1.0), (R, 1.0)]),
  (
    "class ",
    &[(X, 1.0), (V, 1.0), (T, 1.0), (J, 0.5), (P, 0.5)],
  ),
];

/// Cap on how many hits of one feature count (so one repeated idiom cannot dominate).
const FEATURE_CAP: usize = 12;

fn automaton() -> &'static AhoCorasick {
  static AC: OnceLock<AhoCorasick> = OnceLock::new();
  AC.get_or_init(|| {
    AhoCorasick::new(FEATURES.iter().map(|(p, _)| *p)).expect("static patterns are valid")
  })
}

/// Whether `c` can be part of an identifier.
fn ident(c: u8) -> bool {
  c.is_ascii_alphanumeric() || c == b'_'
}

/// Adds substring-feature evidence for `text` into `scores`.
fn substring_scores(text: &str, scores: &mut [f32; 8]) {
  let b = text.as_bytes();
  let mut hits = vec![0usize; FEATURES.len()];
  for m in automaton().find_overlapping_iter(text) {
    let id = m.pattern().as_usize();
    let (pat, _) = FEATURES[id];
    let pb = pat.as_bytes();
    if ident(pb[0]) && m.start() > 0 && ident(b[m.start() - 1]) {
      continue;
    }
    if ident(pb[pb.len() - 1]) && m.end() < b.len() && ident(b[m.end()]) {
      continue;
    }
    hits[id] += 1;
  }
  for (id, &n) in hits.iter().enumerate() {
    if n == 0 {
      continue;
    }
    let w = (n.min(FEATURE_CAP) as f32).sqrt();
    for &(lang, weight) in FEATURES[id].1 {
      scores[lang] += weight * w;
    }
  }
}

/// Line-start rules; adds evidence into `scores`.
fn line_scores(t: &str, scores: &mut [f32; 8]) {
  let ends = |s: &str| t.ends_with(s);
  let first = t
    .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '#' || c == '@'))
    .next()
    .unwrap_or("");
  match first {
    "def" | "class" if ends(":") => scores[P] += 3.0,
    "if" | "for" | "while" | "with" | "try" | "else" | "elif" | "except" | "finally"
      if ends(":") =>
    {
      scores[P] += 2.0
    }
    "import" => {
      if ends(";") && !t.contains('\'') && !t.contains('"') {
        scores[V] += 3.0;
      } else if t.contains(" from ") || t.contains('\'') {
        scores[J] += 1.5;
        scores[T] += 1.5;
      } else if t.starts_with("import (") || t.starts_with("import \"") {
        scores[G] += 4.0;
      } else if !t.contains('{') {
        scores[P] += 3.0;
      }
    }
    "from" if t.contains(" import ") => scores[P] += 4.0,
    "package" => {
      if ends(";") {
        scores[V] += 4.0;
      } else {
        scores[G] += 4.0;
      }
    }
    "use" if ends(";") && t.contains("::") => scores[R] += 4.0,
    "fn" | "pub" | "impl" | "let" if ends("{") || ends(";") || ends(",") => scores[R] += 1.0,
    "func" => scores[G] += 3.0,
    "type" if ends("struct {") || ends("interface {") => scores[G] += 3.0,
    "type" if t.contains(" = ") => scores[T] += 2.0,
    "#include" => {
      if t.contains(".h>") || t.contains(".h\"") {
        scores[C] += 1.0;
      } else if t.contains('<') {
        scores[X] += 3.0;
      }
    }
    "@Override" | "@Test" | "@Nullable" => scores[V] += 2.0,
    _ => {}
  }
  if ends(";") {
    for l in [J, T, R, V, C, X] {
      scores[l] += 0.25;
    }
  } else if ends(":") {
    scores[P] += 0.3;
  }
}

/// Keywords that typically start a line of code.
const START_KEYWORDS: [&str; 58] = [
  "def",
  "class",
  "import",
  "from",
  "return",
  "if",
  "for",
  "while",
  "fn",
  "let",
  "const",
  "var",
  "func",
  "package",
  "pub",
  "use",
  "impl",
  "struct",
  "enum",
  "public",
  "private",
  "protected",
  "static",
  "else",
  "elif",
  "try",
  "except",
  "catch",
  "switch",
  "case",
  "async",
  "await",
  "export",
  "interface",
  "type",
  "yield",
  "raise",
  "with",
  "match",
  "function",
  "#include",
  "#define",
  "#if",
  "#ifdef",
  "#ifndef",
  "#endif",
  "#else",
  "typedef",
  "void",
  "int",
  "char",
  "unsigned",
  "template",
  "namespace",
  "break",
  "continue",
  "throw",
  "mod",
];

/// Whether one (trimmed, non-empty) line is shaped like code.
pub(crate) fn is_code_line(line: &str) -> bool {
  let t = line.trim();
  if t.is_empty() {
    return false;
  }
  let last = t.as_bytes()[t.len() - 1];
  if matches!(last, b';' | b'{' | b'}' | b'(' | b'[' | b']' | b')' | b'\\') {
    return true;
  }
  if t.starts_with("//")
    || t.starts_with("/*")
    || t.starts_with("* ")
    || t == "*"
    || t.starts_with("*/")
  {
    return true;
  }
  if t.starts_with("# ") || t == "#" {
    // Python / shell comment (markdown headings are not indented and rarely followed by code).
    return line.starts_with(' ') || line.starts_with('\t');
  }
  let first = t
    .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '#'))
    .next()
    .unwrap_or("");
  if START_KEYWORDS.contains(&first) && t.len() > first.len() {
    let next = t.as_bytes()[first.len()];
    if matches!(next, b' ' | b'(' | b':' | b'<' | b'{' | b';') {
      return true;
    }
  }
  if t.starts_with('@') && t.len() > 1 && t.as_bytes()[1].is_ascii_alphabetic() {
    return true;
  }
  if last == b':' && (line.starts_with(' ') || line.starts_with('\t') || first == "else") {
    return true;
  }
  if last == b','
    && (line.starts_with(' ') || line.starts_with('\t'))
    && (t.contains('(') || t.contains('=') || t.contains('"') || t.contains('\'') || t.len() < 40)
  {
    return true;
  }
  // Assignment or call statement: `x = foo(y)`, `foo.bar(baz)`.
  let has_op = t.contains(" = ")
    || t.contains("+=")
    || t.contains("==")
    || t.contains("->")
    || t.contains("=>");
  has_op && !t.ends_with('.')
}

/// Whether a line reads like a prose sentence.
pub(crate) fn is_prose_line(line: &str) -> bool {
  let t = line.trim();
  let words = t.split_whitespace().count();
  if words < 6 {
    return false;
  }
  let letters = t
    .bytes()
    .filter(|c| c.is_ascii_alphabetic() || *c == b' ' || *c >= 0x80)
    .count();
  let symbols = t
    .bytes()
    .filter(|c| {
      matches!(
        c,
        b'{'
          | b'}'
          | b';'
          | b'='
          | b'<'
          | b'>'
          | b'('
          | b')'
          | b'['
          | b']'
          | b'_'
          | b'*'
          | b'/'
          | b'\\'
          | b'|'
          | b'$'
      )
    })
    .count();
  letters * 100 >= t.len() * 85 && symbols * 50 <= t.len()
}

/// Language scores for `text` (a sample window or a snippet).
fn language_scores(text: &str, lines: &[&str]) -> [f32; 8] {
  let mut scores = [0.0f32; 8];
  substring_scores(text, &mut scores);
  for l in lines {
    let t = l.trim();
    if !t.is_empty() {
      line_scores(t, &mut scores);
    }
  }
  scores
}

/// Best language and its margin over the runner-up, normalised to `0..=1`.
fn best_language(scores: &[f32; 8]) -> (Language, f32, f32) {
  let mut idx: Vec<usize> = (0..8).collect();
  idx.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));
  let (best, second) = (scores[idx[0]], scores[idx[1]]);
  let margin = if best > 0.0 {
    (best - second) / best
  } else {
    0.0
  };
  (LANGS[idx[0]], best, margin)
}

/// Identifies the language of a code snippet (used for fences without an info string).
pub(crate) fn identify(text: &str, lines: &[&str]) -> Option<Language> {
  let scores = language_scores(text, lines);
  let (lang, best, _) = best_language(&scores);
  (best > 0.0).then_some(lang)
}

/// Code statistics for a sample.
pub(crate) struct CodeStats {
  /// Fraction of non-blank lines shaped like code.
  pub code_frac: f32,
  /// Fraction of non-blank lines that read like prose.
  pub prose_frac: f32,
}

/// Computes [`CodeStats`].
pub(crate) fn stats(sample: &Sample<'_>) -> CodeStats {
  let mut total = 0usize;
  let mut code = 0usize;
  let mut prose = 0usize;
  for l in sample.nonblank() {
    total += 1;
    if is_code_line(l) {
      code += 1;
    } else if is_prose_line(l) {
      prose += 1;
    }
  }
  let n = total.max(1) as f32;
  CodeStats {
    code_frac: code as f32 / n,
    prose_frac: prose as f32 / n,
  }
}

/// Detects source code; `None` when the sample does not look like code.
pub(crate) fn detect(sample: &Sample<'_>, st: &CodeStats) -> Option<Detection> {
  if st.code_frac < 0.25 || st.code_frac < st.prose_frac {
    return None;
  }
  let mut scores = [0.0f32; 8];
  substring_scores(sample.head, &mut scores);
  for part in sample.rest {
    if !part.is_empty() {
      substring_scores(part, &mut scores);
    }
  }
  for l in &sample.lines {
    let t = l.trim();
    if !t.is_empty() {
      line_scores(t, &mut scores);
    }
  }
  let (lang, best, margin) = best_language(&scores);
  let lines = sample.nonblank_count().max(1) as f32;
  // Evidence per line, saturating: a few strong idioms per screenful is plenty.
  let density = (best / lines).min(1.0);
  if best < 3.0 {
    return None;
  }
  let conf = 0.25 + 0.45 * st.code_frac + 0.15 * density + 0.14 * margin;
  Some(Detection {
    language: Some(lang),
    ..Detection::new(ContentType::Code, conf)
  })
}
