//! Hand-written sources covering each language's awkward corners.

mod common;

use common::{compressed, run};
use headroom_code::{Dialect, Outcome};
use headroom_core::Mode;

/// `n` lines of filler statements for a body, in the syntax of the language.
fn stmts(indent: &str, n: usize, py: bool) -> String {
  (0..n)
    .map(|i| {
      if py {
        format!("{indent}total = total + compute_value_{i}(argument_{i}, other_{i})\n")
      } else {
        format!("{indent}total = total + compute_value_{i}(argument_{i}, other_{i});\n")
      }
    })
    .collect()
}

fn assert_kept(out: &str, lines: &[&str]) {
  for l in lines {
    assert!(out.lines().any(|o| o == *l), "missing {l:?} in\n{out}");
  }
}

fn assert_gone(out: &str, needle: &str) {
  assert!(!out.contains(needle), "{needle:?} should be elided:\n{out}");
}

#[test]
fn python_future_decorators_async_nested_classes_utf8() {
  let src = format!(
    "\"\"\"Module doc.\"\"\"\nfrom __future__ import annotations\n\nimport os\n\n\
     class Outer:\n    \"\"\"Outer doc.\"\"\"\n\n    class Inner:\n        x = 1\n\n\
     \x20       def méthode_ü(self, a,\n                     b):\n            \"\"\"Çava.\n\n            More.\n            \"\"\"\n{}\
     \n    @staticmethod\n    @other(1)\n    async def fetch(url: str) -> bytes:\n{}\
     \nasync def main():\n{}",
    stmts("            ", 6, true),
    stmts("        ", 6, true),
    stmts("    ", 6, true),
  );
  let out = compressed(&src, Dialect::Python, Mode::Balanced, None);
  assert_kept(
    &out,
    &[
      "from __future__ import annotations",
      "        def méthode_ü(self, a,",
      "                     b):",
      "            \"\"\"Çava.",
      "    @staticmethod",
      "    @other(1)",
      "    async def fetch(url: str) -> bytes:",
      "async def main():",
      "    class Inner:",
    ],
  );
  assert_gone(&out, "compute_value_3");
  assert!(out.contains("        ...  # [6 of"), "{out}");
}

#[test]
fn python_long_docstrings_keep_first_and_last_lines() {
  let doc: String = (0..8)
    .map(|i| format!("    Detail line number {i} of the docs.\n"))
    .collect();
  let src = format!(
    "def parse(text):\n    \"\"\"Parse the text.\n\n{doc}    \"\"\"\n{}",
    stmts("    ", 8, true)
  );
  let out = compressed(&src, Dialect::Python, Mode::Balanced, None);
  assert_kept(
    &out,
    &[
      "def parse(text):",
      "    \"\"\"Parse the text.",
      "    \"\"\"",
    ],
  );
  assert!(out.contains("docstring of parse"), "{out}");
  assert!(out.contains("body of parse"), "{out}");
}

#[test]
fn python_imports_collapse_and_keep_future() {
  let mut src = String::from("from __future__ import annotations\n");
  for i in 0..20 {
    src.push_str(&format!("import module_{i}\n"));
  }
  src.push_str("\nVALUE = 1\n");
  let out = compressed(&src, Dialect::Python, Mode::Balanced, None);
  assert_kept(
    &out,
    &[
      "from __future__ import annotations",
      "import module_0",
      "VALUE = 1",
    ],
  );
  assert_gone(&out, "import module_19");
  assert!(
    out.contains("# [15 of 23 lines omitted: 15 imports;"),
    "{out}"
  );
}

#[test]
fn typescript_export_class_abstract_interface_overloads_arrows() {
  let body = stmts("    ", 6, false);
  let src = format!(
    "import {{ a }} from './a';\n\n\
     export interface Shape {{\n  area(): number;\n}}\n\n\
     export abstract class Base implements Shape {{\n  abstract area(): number;\n  \
     protected describe(prefix: string): string {{\n{body}    return prefix;\n  }}\n}}\n\n\
     export function over(a: string): string;\nexport function over(a: number): number;\n\
     export function over(a: any): any {{\n{body}  return a;\n}}\n\n\
     export const handler = async (req: Request): Promise<void> => {{\n{body}}};\n\n\
     export const short = (x: number) => x * 2;\n"
  );
  let out = compressed(&src, Dialect::TypeScript, Mode::Balanced, None);
  assert_kept(
    &out,
    &[
      "export abstract class Base implements Shape {",
      "  abstract area(): number;",
      "  protected describe(prefix: string): string {",
      "export function over(a: string): string;",
      "export function over(a: any): any {",
      "export const handler = async (req: Request): Promise<void> => {",
      "export const short = (x: number) => x * 2;",
      "  area(): number;",
    ],
  );
  assert_gone(&out, "compute_value_2");
  assert!(out.contains("body of handler"), "{out}");
  assert!(!out.contains("export export"));
}

#[test]
fn tsx_falls_back_to_the_tsx_grammar() {
  let src = format!(
    "export function App(props: {{ name: string }}) {{\n{}  return <div className=\"x\">{{props.name}}</div>;\n}}\n",
    stmts("  ", 6, false)
  );
  let store = common::MemStore::default();
  let params = headroom_core::Params::new(Mode::Balanced, &store);
  let c = headroom_code::compress(&src, headroom_code::Language::TypeScript, &params)
    .expect("tsx compresses");
  assert_eq!(c.strategy, "code:signatures(tsx)");
  common::check(&src, &c, Dialect::Tsx, &store);
}

#[test]
fn go_multiline_signatures_and_receivers() {
  let body = stmts("\t", 6, false).replace(';', "");
  let src = format!(
    "package p\n\nimport (\n\t\"fmt\"\n\t\"os\"\n)\n\n\
     func (s *Server) Handle(\n\tctx context.Context,\n\treq *Request,\n) (*Response, error) {{\n{body}\treturn nil, nil\n}}\n\n\
     func helper() {{\n{body}}}\n"
  );
  let out = compressed(&src, Dialect::Go, Mode::Balanced, None);
  assert_kept(
    &out,
    &[
      "func (s *Server) Handle(",
      "\tctx context.Context,",
      ") (*Response, error) {",
      "func helper() {",
      "}",
    ],
  );
  assert!(out.contains("\t// [7 of"), "{out}");
  assert_gone(&out, "compute_value_4");
}

#[test]
fn java_class_methods_annotations_and_javadoc() {
  let body = stmts("        ", 6, false);
  let javadoc: String = (0..6)
    .map(|i| format!("     * Detail {i} about this method and its arguments.\n"))
    .collect();
  let src = format!(
    "package a.b;\n\npublic class Foo<T> extends Bar {{\n    private final int x = 1;\n\n    /**\n     * Does the thing.\n{javadoc}     */\n    @Override\n    public synchronized <U> U run(T t) throws IOException {{\n{body}        return null;\n    }}\n\n    public Foo() {{\n{body}    }}\n}}\n"
  );
  let out = compressed(&src, Dialect::Java, Mode::Balanced, None);
  assert_kept(
    &out,
    &[
      "public class Foo<T> extends Bar {",
      "    private final int x = 1;",
      "     * Does the thing.",
      "    @Override",
      "    public synchronized <U> U run(T t) throws IOException {",
      "    public Foo() {",
    ],
  );
  assert!(
    out.contains("body of run") && out.contains("body of Foo"),
    "{out}"
  );
  assert!(out.contains("doc comment"), "{out}");
}

#[test]
fn c_and_cpp_functions_templates_namespaces() {
  let body = stmts("    ", 6, false);
  let c_src = format!(
    "#include <stdio.h>\n\nstatic const int LIMIT = 10;\n\nstruct point {{ int x; int y; }};\n\n\
     static int\nsum(const int *values,\n    size_t n)\n{{\n    int total = 0;\n{body}    return total;\n}}\n"
  );
  let out = compressed(&c_src, Dialect::C, Mode::Balanced, None);
  assert_kept(
    &out,
    &[
      "static int",
      "sum(const int *values,",
      "    size_t n)",
      "{",
      "}",
      "static const int LIMIT = 10;",
    ],
  );
  assert!(out.contains("body of sum"), "{out}");

  let cpp_src = format!(
    "namespace outer {{\nnamespace inner {{\n\ntemplate <typename T>\nT twice(T v) {{\n{body}    return v;\n}}\n\n\
     class Widget : public Base {{\npublic:\n    explicit Widget(int n) : n_(n) {{\n{body}    }}\n    \
     virtual ~Widget() = default;\n    int size() const;\nprivate:\n    int n_;\n}};\n\n\
     int Widget::size() const {{\n{body}    return n_;\n}}\n\n}}  // namespace inner\n}}  // namespace outer\n"
  );
  let out = compressed(&cpp_src, Dialect::Cpp, Mode::Balanced, None);
  assert_kept(
    &out,
    &[
      "template <typename T>",
      "T twice(T v) {",
      "    explicit Widget(int n) : n_(n) {",
      "    virtual ~Widget() = default;",
      "int Widget::size() const {",
      "}  // namespace inner",
    ],
  );
  assert!(out.contains("body of Widget::size"), "{out}");
}

#[test]
fn rust_impl_methods_attributes_and_docs() {
  let body = stmts("        ", 6, false).replace("total = ", "let _ = ");
  let src = format!(
    "//! Crate docs.\nuse std::fmt;\n\n/// A thing.\n#[derive(Debug)]\npub struct Thing {{\n    pub a: u8,\n}}\n\n\
     impl Thing {{\n    /// Makes one.\n    #[must_use]\n    pub fn new(\n        a: u8,\n    ) -> Self {{\n{body}        Self {{ a }}\n    }}\n}}\n\n\
     trait Shape {{\n    fn area(&self) -> f64;\n    fn twice(&self) -> f64 {{\n{body}        self.area() * 2.0\n    }}\n}}\n"
  );
  let out = compressed(&src, Dialect::Rust, Mode::Balanced, None);
  assert_kept(
    &out,
    &[
      "#[derive(Debug)]",
      "pub struct Thing {",
      "    /// Makes one.",
      "    #[must_use]",
      "    pub fn new(",
      "    ) -> Self {",
      "    fn area(&self) -> f64;",
      "    fn twice(&self) -> f64 {",
    ],
  );
  assert!(
    out.contains("body of new") && out.contains("body of twice"),
    "{out}"
  );
}

#[test]
fn javascript_iife_module_pattern_is_entered_not_swallowed() {
  let body = stmts("    ", 6, false);
  let mut src = String::from("(function (root) {\n  'use strict';\n");
  for name in ["alpha", "beta", "gamma", "delta"] {
    src.push_str(&format!(
      "  function {name}(x) {{\n{body}    return x;\n  }}\n"
    ));
  }
  src.push_str(&"  var filler = 1;\n".repeat(20));
  src.push_str("  root.api = { alpha: alpha };\n})(this);\n");
  let out = compressed(&src, Dialect::JavaScript, Mode::Balanced, None);
  assert_kept(
    &out,
    &[
      "  function alpha(x) {",
      "  function delta(x) {",
      "  root.api = { alpha: alpha };",
    ],
  );
  assert!(out.contains("body of gamma"), "{out}");
}

#[test]
fn query_keeps_the_named_bodies() {
  let body = stmts("    ", 6, true);
  let src = format!(
    "def parse(x):\n{body}\ndef render(x):\n{body}\nclass Keep:\n    def inner(self):\n{}",
    stmts("        ", 6, true)
  );
  let out = compressed(
    &src,
    Dialect::Python,
    Mode::Balanced,
    Some("why does parse() fail on Keep?"),
  );
  assert!(out.contains("body of render"), "{out}");
  assert!(
    !out.contains("body of parse") && !out.contains("body of inner"),
    "{out}"
  );
}

#[test]
fn a_query_naming_the_file_or_using_plain_words_keeps_nothing_extra() {
  let body = stmts("        ", 6, true);
  let src = format!("class Store:\n    def put(self):\n{body}\n");
  // "store" (a word, and part of a path) does not name `Store`; only `Store` would.
  let out = compressed(
    &src,
    Dialect::Python,
    Mode::Balanced,
    Some("Look at src/store.py and tell me what the store does"),
  );
  assert!(out.contains("body of put"), "{out}");
  // Naming the class keeps it whole: nothing is left to elide.
  let named = run(
    &src,
    Dialect::Python,
    Mode::Balanced,
    Some("what does Store do?"),
  );
  assert!(matches!(named, Outcome::Unchanged(_)), "{named:?}");
}

#[test]
fn crlf_is_kept_and_small_bodies_stay() {
  let src = format!(
    "def f(x):\r\n{}\r\ndef g():\r\n    return 1\r\n",
    stmts("    ", 6, true).replace('\n', "\r\n")
  );
  let out = compressed(&src, Dialect::Python, Mode::Balanced, None);
  assert!(out.contains("def g():\r\n    return 1\r\n"), "{out:?}");
  assert!(
    out
      .split('\n')
      .filter(|l| !l.is_empty())
      .all(|l| l.ends_with('\r')),
    "{out:?}"
  );
  assert_eq!(
    run(
      "def g():\n    return 1\n",
      Dialect::Python,
      Mode::Balanced,
      None
    ),
    Outcome::Unchanged("nothing to elide")
  );
}

#[test]
fn lossless_and_no_store_leave_code_alone() {
  let src = format!("def f(x):\n{}", stmts("    ", 10, true));
  let store = common::MemStore::default();
  let lossless = headroom_core::Params::new(Mode::Lossless, &store);
  assert_eq!(
    headroom_code::compress(&src, headroom_code::Language::Python, &lossless),
    None
  );
  let none = headroom_core::Params::new(Mode::Balanced, &headroom_core::store::NoStore);
  assert_eq!(
    headroom_code::compress(&src, headroom_code::Language::Python, &none),
    None
  );
  let shell = headroom_core::Params::new(Mode::Balanced, &store);
  assert_eq!(
    headroom_code::compress("echo hi\n", headroom_code::Language::Shell, &shell),
    None
  );
  assert!(store.is_empty(), "nothing stored when nothing is marked");
}

#[test]
fn broken_input_only_elides_error_free_functions() {
  let body = stmts("    ", 6, false);
  let src = format!(
    "int ok(void) {{\n{body}    return 0;\n}}\n\nint broken(void) {{\n{body}    return ((;\n}}\n"
  );
  assert!(!headroom_code::parses_cleanly(
    &src,
    headroom_code::Language::C
  ));
  let out = compressed(&src, Dialect::C, Mode::Balanced, None);
  assert!(out.contains("body of ok"), "{out}");
  assert!(out.contains("return ((;"), "{out}");
}

#[test]
fn parses_cleanly_reports_errors() {
  use headroom_code::{Language, parses_cleanly};
  assert!(parses_cleanly("def f():\n    return 1\n", Language::Python));
  assert!(!parses_cleanly("def f(:\n", Language::Python));
  assert!(parses_cleanly("const a = <div/>;", Language::TypeScript));
  assert!(!parses_cleanly("echo hi", Language::Shell));
}
