//! The grammars and, per grammar, which node kinds play which part.

use std::cell::RefCell;
use std::ops::ControlFlow;
use std::sync::OnceLock;

use headroom_detect::Language;
use tree_sitter::{Node, ParseOptions, ParseState, Parser, Tree};

/// The most parser progress checks a parse of `len` bytes may take. Tree-sitter calls the
/// progress callback once per 100 parser operations; real code takes well under one
/// operation per byte, but error recovery on text that is not in the grammar's language
/// can go superlinear (C++ on 1 MB of Python: minutes). Counting operations, not time,
/// keeps the result deterministic: the same input is cancelled on every machine.
pub fn work_budget(len: usize) -> u64 {
  20_000 + len as u64 / 20
}

/// One tree-sitter grammar. [`Language::TypeScript`] maps to two of them: the TypeScript
/// grammar and, for sources with JSX, the TSX grammar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dialect {
  /// Python 3.
  Python,
  /// JavaScript, including JSX.
  JavaScript,
  /// TypeScript without JSX (also `.d.ts`).
  TypeScript,
  /// TypeScript with JSX.
  Tsx,
  /// Go.
  Go,
  /// Rust.
  Rust,
  /// Java.
  Java,
  /// C.
  C,
  /// C++.
  Cpp,
}

impl Dialect {
  /// Every dialect, in declaration order.
  pub const ALL: [Dialect; 9] = [
    Dialect::Python,
    Dialect::JavaScript,
    Dialect::TypeScript,
    Dialect::Tsx,
    Dialect::Go,
    Dialect::Rust,
    Dialect::Java,
    Dialect::C,
    Dialect::Cpp,
  ];

  /// The dialects to try for a detected language, in order (`None` for languages without a
  /// grammar here, such as shell).
  pub fn candidates(lang: Language) -> &'static [Dialect] {
    match lang {
      Language::Python => &[Dialect::Python],
      Language::JavaScript => &[Dialect::JavaScript],
      Language::TypeScript => &[Dialect::TypeScript, Dialect::Tsx],
      Language::Go => &[Dialect::Go],
      Language::Rust => &[Dialect::Rust],
      Language::Java => &[Dialect::Java],
      Language::C => &[Dialect::C],
      Language::Cpp => &[Dialect::Cpp],
      Language::Shell => &[],
    }
  }

  /// Stable short name, used in strategy names: `python`, `javascript`, `typescript`, `tsx`,
  /// `go`, `rust`, `java`, `c` or `cpp`.
  pub fn as_str(self) -> &'static str {
    match self {
      Dialect::Python => "python",
      Dialect::JavaScript => "javascript",
      Dialect::TypeScript => "typescript",
      Dialect::Tsx => "tsx",
      Dialect::Go => "go",
      Dialect::Rust => "rust",
      Dialect::Java => "java",
      Dialect::C => "c",
      Dialect::Cpp => "cpp",
    }
  }

  fn grammar(self) -> tree_sitter::Language {
    match self {
      Dialect::Python => tree_sitter_python::LANGUAGE.into(),
      Dialect::JavaScript => tree_sitter_javascript::LANGUAGE.into(),
      Dialect::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
      Dialect::Tsx => tree_sitter_typescript::LANGUAGE_TSX.into(),
      Dialect::Go => tree_sitter_go::LANGUAGE.into(),
      Dialect::Rust => tree_sitter_rust::LANGUAGE.into(),
      Dialect::Java => tree_sitter_java::LANGUAGE.into(),
      Dialect::C => tree_sitter_c::LANGUAGE.into(),
      Dialect::Cpp => tree_sitter_cpp::LANGUAGE.into(),
    }
  }

  /// Parses `text` with this dialect's grammar. `None` if the grammar could not be loaded
  /// (the tests rule that out) or the parse ran past its work budget ([`work_budget`]).
  pub fn parse(self, text: &str) -> Option<Tree> {
    self.parse_inner(text, None, work_budget(text.len()))
  }

  /// Parses `text` again after `old` was edited into its shape, reusing the unchanged
  /// subtrees of `old` (tree-sitter's incremental parsing gives the same tree as a fresh
  /// parse, faster). Same budget as [`Dialect::parse`].
  pub fn reparse(self, text: &str, old: &Tree) -> Option<Tree> {
    self.parse_inner(text, Some(old), work_budget(text.len()))
  }

  /// Runs one parse on this thread's parser for this dialect (created on first use, then
  /// reused: no parser allocation and grammar setup per call).
  fn parse_inner(self, text: &str, old: Option<&Tree>, budget: u64) -> Option<Tree> {
    thread_local! {
      static PARSERS: [RefCell<Option<Parser>>; 9] = const { [const { RefCell::new(None) }; 9] };
    }
    PARSERS.with(|parsers| {
      // A parse never re-enters this function (the callbacks below do not parse), so the
      // slot is free; `try_borrow_mut` keeps even a mistake there from panicking.
      let Ok(mut slot) = parsers[self as usize].try_borrow_mut() else {
        return self.parse_with(&mut Parser::new(), text, old, budget);
      };
      if slot.is_none() {
        *slot = Some(Parser::new());
      }
      let parser = slot.as_mut()?;
      let tree = self.parse_with(parser, text, old, budget);
      if tree.is_none() {
        // A cancelled parse leaves its state in the parser for resuming: the next text
        // must start afresh.
        parser.reset();
      }
      tree
    })
  }

  fn parse_with(
    self,
    parser: &mut Parser,
    text: &str,
    old: Option<&Tree>,
    budget: u64,
  ) -> Option<Tree> {
    if parser.language().is_none() {
      parser.set_language(&self.grammar()).ok()?;
    }
    let bytes = text.as_bytes();
    let mut checks = 0u64;
    let mut over_budget = |_: &ParseState| {
      checks += 1;
      if checks > budget {
        ControlFlow::Break(())
      } else {
        ControlFlow::Continue(())
      }
    };
    let options = ParseOptions::new().progress_callback(&mut over_budget);
    parser.parse_with_options(
      &mut |i, _| bytes.get(i..).unwrap_or(&[]),
      old,
      Some(options),
    )
  }

  /// The roles of this grammar's node kinds, by kind id (built once per process).
  pub(crate) fn kinds(self) -> &'static Kinds {
    static TABLES: [OnceLock<Kinds>; 9] = [const { OnceLock::new() }; 9];
    TABLES[self as usize].get_or_init(|| Kinds::new(&self.grammar(), self.spec()))
  }

  pub(crate) fn spec(self) -> &'static Spec {
    match self {
      Dialect::Python => &PYTHON,
      Dialect::JavaScript | Dialect::TypeScript | Dialect::Tsx => &JS,
      Dialect::Go => &GO,
      Dialect::Rust => &RUST,
      Dialect::Java => &JAVA,
      Dialect::C => &C,
      Dialect::Cpp => &CPP,
    }
  }
}

/// Role bits of a node kind (see [`Kinds`]).
pub(crate) mod role {
  /// In [`super::Spec::functions`].
  pub const FUNCTION: u8 = 1;
  /// In [`super::Spec::bodies`].
  pub const BODY: u8 = 2;
  /// In [`super::Spec::imports`].
  pub const IMPORT: u8 = 4;
  /// In [`super::Spec::comments`].
  pub const COMMENT: u8 = 8;
  /// In [`super::Spec::types`].
  pub const TYPE: u8 = 16;
  /// Python's `module` and `block`: their first statement may be a docstring.
  pub const DOC_SCOPE: u8 = 32;
}

/// The [`Spec`] of one grammar resolved to kind ids: one table lookup per node instead of
/// string comparisons (`Node::kind` is a C string, measured and checked as UTF-8 on every
/// call). A kind id maps to the same name [`Node::kind`] gives, so a lookup here answers
/// exactly what comparing names would.
pub(crate) struct Kinds {
  roles: Vec<u8>,
}

impl Kinds {
  fn new(grammar: &tree_sitter::Language, spec: &Spec) -> Kinds {
    let roles = (0..grammar.node_kind_count())
      .map(|id| {
        let Some(name) = u16::try_from(id)
          .ok()
          .and_then(|id| grammar.node_kind_for_id(id))
        else {
          return 0;
        };
        let mut r = 0;
        for (list, bit) in [
          (spec.functions, role::FUNCTION),
          (spec.bodies, role::BODY),
          (spec.imports, role::IMPORT),
          (spec.comments, role::COMMENT),
          (spec.types, role::TYPE),
        ] {
          if list.contains(&name) {
            r |= bit;
          }
        }
        if spec.indented && matches!(name, "module" | "block") {
          r |= role::DOC_SCOPE;
        }
        r
      })
      .collect();
    Kinds { roles }
  }

  /// The role bits of `node`'s kind (0 for `ERROR` and unknown ids).
  #[inline]
  pub fn of(&self, node: &Node<'_>) -> u8 {
    self.id(node.kind_id())
  }

  /// The role bits of kind id `id`.
  #[inline]
  pub fn id(&self, id: u16) -> u8 {
    self.roles.get(usize::from(id)).copied().unwrap_or(0)
  }

  /// Whether `node`'s kind has any of the `bits`.
  #[inline]
  pub fn is(&self, node: &Node<'_>, bits: u8) -> bool {
    self.of(node) & bits != 0
  }
}

/// Which node kinds play which part in one grammar family.
pub(crate) struct Spec {
  /// Nodes with a `body` field holding a body worth eliding.
  pub functions: &'static [&'static str],
  /// Kinds a function's `body` may have to be elided (a block, not an expression).
  pub bodies: &'static [&'static str],
  /// Import-like statements, collapsed when a run of them is long.
  pub imports: &'static [&'static str],
  /// Comment node kinds.
  pub comments: &'static [&'static str],
  /// Type-like declarations: when the query names one, it is kept whole.
  pub types: &'static [&'static str],
  /// The line-comment token placeholders use (`//` or `#`).
  pub line_comment: &'static str,
  /// Python: bodies are indented blocks and the placeholder is an `...` statement.
  pub indented: bool,
}

static PYTHON: Spec = Spec {
  functions: &["function_definition"],
  bodies: &["block"],
  imports: &[
    "import_statement",
    "import_from_statement",
    "future_import_statement",
  ],
  comments: &["comment"],
  types: &["class_definition"],
  line_comment: "#",
  indented: true,
};

static JS: Spec = Spec {
  functions: &[
    "function_declaration",
    "function_expression",
    "generator_function_declaration",
    "generator_function",
    "method_definition",
    "arrow_function",
  ],
  bodies: &["statement_block"],
  imports: &["import_statement"],
  comments: &["comment"],
  types: &[
    "class_declaration",
    "abstract_class_declaration",
    "class",
    "interface_declaration",
    "enum_declaration",
    "internal_module",
    "module",
  ],
  line_comment: "//",
  indented: false,
};

static GO: Spec = Spec {
  functions: &["function_declaration", "method_declaration", "func_literal"],
  bodies: &["block"],
  imports: &["import_declaration", "import_spec"],
  comments: &["comment"],
  types: &["type_spec"],
  line_comment: "//",
  indented: false,
};

static RUST: Spec = Spec {
  functions: &["function_item"],
  bodies: &["block"],
  imports: &["use_declaration", "extern_crate_declaration"],
  comments: &["line_comment", "block_comment"],
  types: &[
    "impl_item",
    "trait_item",
    "struct_item",
    "enum_item",
    "mod_item",
  ],
  line_comment: "//",
  indented: false,
};

static JAVA: Spec = Spec {
  functions: &[
    "method_declaration",
    "constructor_declaration",
    "compact_constructor_declaration",
  ],
  bodies: &["block", "constructor_body"],
  imports: &["import_declaration"],
  comments: &["line_comment", "block_comment"],
  types: &[
    "class_declaration",
    "interface_declaration",
    "enum_declaration",
    "record_declaration",
    "annotation_type_declaration",
  ],
  line_comment: "//",
  indented: false,
};

static C: Spec = Spec {
  functions: &["function_definition"],
  bodies: &["compound_statement"],
  imports: &["preproc_include"],
  comments: &["comment"],
  types: &["struct_specifier", "union_specifier", "enum_specifier"],
  line_comment: "//",
  indented: false,
};

static CPP: Spec = Spec {
  functions: &["function_definition"],
  bodies: &["compound_statement"],
  imports: &["preproc_include"],
  comments: &["comment"],
  types: &[
    "class_specifier",
    "struct_specifier",
    "union_specifier",
    "enum_specifier",
    "namespace_definition",
  ],
  line_comment: "//",
  indented: false,
};

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn every_grammar_loads_and_parses() {
    for d in Dialect::ALL {
      let tree = d.parse("").unwrap_or_else(|| panic!("{}", d.as_str()));
      assert!(!tree.root_node().has_error(), "{}", d.as_str());
    }
  }

  /// The id table answers what comparing kind names answers, on every node of real trees
  /// (aliased kinds included), and gives no role to `ERROR`.
  #[test]
  fn kind_table_matches_kind_names() {
    let samples = [
      (
        Dialect::Python,
        "import os\n\ndef f(x):\n    '''doc'''\n    return x  # c\n",
      ),
      (
        Dialect::TypeScript,
        "import a from 'a';\n/** d */\nclass C { m(): void { f(() => { }); } }\n",
      ),
      (
        Dialect::Tsx,
        "const A = () => { return <div>{x}</div>; };\ninterface I { a: number }\n",
      ),
      (
        Dialect::JavaScript,
        "function* g() { yield 1 }\nconst o = { m() {}, f: function () {} };\n",
      ),
      (
        Dialect::Go,
        "package p\nimport \"fmt\"\nfunc (t T) M() { f := func() {}; f() }\n",
      ),
      (
        Dialect::Rust,
        "use a::b;\n/// d\nimpl T { fn f(&self) { let x = 1; } }\n",
      ),
      (
        Dialect::Java,
        "import a.B;\nclass C { C() { super(); } void m() { } record R(int a) { R { } } }\n",
      ),
      (
        Dialect::C,
        "#include <a.h>\nstruct S { int a; };\nint f(void) { return 0; } /* c */\n",
      ),
      (
        Dialect::Cpp,
        "#include <a>\nnamespace n { class C { void m() { } }; }\nint f( { \n",
      ),
    ];
    for (d, text) in samples {
      let (spec, kinds) = (d.spec(), d.kinds());
      let tree = d.parse(text).unwrap();
      let mut stack = vec![tree.root_node()];
      let mut seen = 0;
      while let Some(n) = stack.pop() {
        let k = n.kind();
        let mut want = [
          (spec.functions, role::FUNCTION),
          (spec.bodies, role::BODY),
          (spec.imports, role::IMPORT),
          (spec.comments, role::COMMENT),
          (spec.types, role::TYPE),
        ]
        .iter()
        .filter(|(list, _)| list.contains(&k))
        .fold(0, |r, (_, bit)| r | bit);
        if spec.indented && matches!(k, "module" | "block") {
          want |= role::DOC_SCOPE;
        }
        assert_eq!(kinds.of(&n), want, "{}: {k}", d.as_str());
        seen |= want;
        let mut c = n.walk();
        stack.extend(n.children(&mut c));
      }
      assert_ne!(
        seen & role::FUNCTION,
        0,
        "{}: sample has a function",
        d.as_str()
      );
    }
    assert_eq!(Dialect::C.kinds().id(u16::MAX), 0);
  }

  /// The reused per-thread parser gives the trees a fresh parser gives, also right after a
  /// parse that ran out of budget (a cancelled parse keeps its state for resuming: it must
  /// not leak into the next text) and across incremental re-parses.
  #[test]
  fn reused_parser_matches_a_fresh_one() {
    let a = "int f(void) {\n  return g(1, 2) + h[3];\n}\nstruct S { int x; };\n".repeat(50);
    let a = a.as_str();
    let b = "static int k = 4;\nvoid m(int *p) {\n  if (p) { *p = k; }\n}\n";
    let fresh = |t: &str| {
      let mut p = Parser::new();
      p.set_language(&Dialect::C.grammar()).unwrap();
      p.parse(t, None).unwrap().root_node().to_sexp()
    };
    for _ in 0..3 {
      assert!(
        Dialect::C.parse_inner(a, None, 0).is_none(),
        "cancelled at the first check"
      );
      assert_eq!(Dialect::C.parse(b).unwrap().root_node().to_sexp(), fresh(b));
      let t = Dialect::C.parse(a).unwrap();
      assert_eq!(t.root_node().to_sexp(), fresh(a));
      assert_eq!(
        Dialect::C.reparse(a, &t).unwrap().root_node().to_sexp(),
        fresh(a)
      );
    }
  }

  #[test]
  fn every_function_kind_exists_in_its_grammar() {
    for d in Dialect::ALL {
      let g = d.grammar();
      let s = d.spec();
      for kind in s
        .functions
        .iter()
        .chain(s.bodies)
        .chain(s.imports)
        .chain(s.comments)
        .chain(s.types)
      {
        // Some kinds exist only in one member of the JS family
        // ("abstract_class_declaration" is TypeScript only): accept a kind that at least
        // one grammar of the family knows.
        let known = g.id_for_node_kind(kind, true) != 0
          || Dialect::ALL
            .iter()
            .filter(|o| std::ptr::eq(o.spec(), s))
            .any(|o| o.grammar().id_for_node_kind(kind, true) != 0);
        assert!(known, "{}: unknown node kind {kind}", d.as_str());
      }
    }
  }
}
