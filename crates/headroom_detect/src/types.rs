//! Public result types: [`ContentType`], [`Language`], [`TableFormat`], [`Detection`].

/// The broad kind of a piece of context, used to pick a compressor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ContentType {
  /// One JSON document whose top level is an object or an array.
  Json,
  /// Several lines, each one JSON object or array (NDJSON / JSON Lines).
  JsonLines,
  /// Source code; see [`Detection::language`].
  Code,
  /// Timestamped or levelled log lines, including build and test output.
  Log,
  /// grep / ripgrep / git grep style `path:line:content` results.
  SearchResults,
  /// A unified diff (`git diff`, `diff -u`).
  Diff,
  /// HTML or XML-like markup.
  Html,
  /// CSV, TSV or a markdown pipe table; see [`Detection::table_format`].
  Table,
  /// An exception stack trace or panic backtrace.
  StackTrace,
  /// Prose, markdown documents and anything not recognised.
  Text,
}

impl ContentType {
  /// Every content type, in declaration order.
  pub const ALL: [ContentType; 10] = [
    ContentType::Json,
    ContentType::JsonLines,
    ContentType::Code,
    ContentType::Log,
    ContentType::SearchResults,
    ContentType::Diff,
    ContentType::Html,
    ContentType::Table,
    ContentType::StackTrace,
    ContentType::Text,
  ];

  /// Stable short name: `json`, `jsonl`, `code`, `log`, `search`, `diff`, `html`, `table`,
  /// `stacktrace` or `text`.
  pub fn as_str(self) -> &'static str {
    match self {
      ContentType::Json => "json",
      ContentType::JsonLines => "jsonl",
      ContentType::Code => "code",
      ContentType::Log => "log",
      ContentType::SearchResults => "search",
      ContentType::Diff => "diff",
      ContentType::Html => "html",
      ContentType::Table => "table",
      ContentType::StackTrace => "stacktrace",
      ContentType::Text => "text",
    }
  }
}

/// Programming language of a [`ContentType::Code`] detection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
  /// Python.
  Python,
  /// JavaScript (including JSX).
  JavaScript,
  /// TypeScript.
  TypeScript,
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
  /// POSIX shell / bash (only reported from a fence info string such as `bash`).
  Shell,
}

impl Language {
  /// Every language, in declaration order.
  pub const ALL: [Language; 9] = [
    Language::Python,
    Language::JavaScript,
    Language::TypeScript,
    Language::Go,
    Language::Rust,
    Language::Java,
    Language::C,
    Language::Cpp,
    Language::Shell,
  ];

  /// Stable short name: `python`, `javascript`, `typescript`, `go`, `rust`, `java`, `c`,
  /// `cpp` or `shell`.
  pub fn as_str(self) -> &'static str {
    match self {
      Language::Python => "python",
      Language::JavaScript => "javascript",
      Language::TypeScript => "typescript",
      Language::Go => "go",
      Language::Rust => "rust",
      Language::Java => "java",
      Language::C => "c",
      Language::Cpp => "cpp",
      Language::Shell => "shell",
    }
  }

  /// Maps a markdown fence info string (`py`, `rust`, `c++`, `tsx`, ...) to a language.
  pub fn from_fence_info(info: &str) -> Option<Language> {
    let word = info
      .trim()
      .split(|c: char| c.is_whitespace() || c == ',' || c == '{')
      .next()
      .unwrap_or("");
    let lower = word.to_ascii_lowercase();
    Some(match lower.as_str() {
      "python" | "py" | "python3" | "py3" | "pycon" => Language::Python,
      "javascript" | "js" | "jsx" | "mjs" | "cjs" | "node" => Language::JavaScript,
      "typescript" | "ts" | "tsx" | "mts" | "cts" => Language::TypeScript,
      "go" | "golang" => Language::Go,
      "rust" | "rs" => Language::Rust,
      "java" => Language::Java,
      "c" | "h" => Language::C,
      "cpp" | "c++" | "cc" | "cxx" | "hpp" | "hxx" => Language::Cpp,
      "sh" | "bash" | "shell" | "zsh" | "console" | "shell-session" => Language::Shell,
      _ => return None,
    })
  }
}

/// Dialect of a [`ContentType::Table`] detection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TableFormat {
  /// Comma-separated values (RFC 4180 quoting).
  Csv,
  /// Tab-separated values.
  Tsv,
  /// A markdown pipe table (`| a | b |` with a `|---|---|` separator row).
  Markdown,
}

impl TableFormat {
  /// Stable short name: `csv`, `tsv` or `markdown`.
  pub fn as_str(self) -> &'static str {
    match self {
      TableFormat::Csv => "csv",
      TableFormat::Tsv => "tsv",
      TableFormat::Markdown => "markdown",
    }
  }
}

/// The result of [`crate::detect`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Detection {
  /// The detected content type.
  pub kind: ContentType,
  /// The language, for [`ContentType::Code`] only.
  pub language: Option<Language>,
  /// How sure the detector is, in `0..=1`. Above about 0.8 the signal is strong; the
  /// [`ContentType::Text`] fallback reports how prose-like the input is.
  pub confidence: f32,
  /// The dialect, for [`ContentType::Table`] only.
  pub table_format: Option<TableFormat>,
}

impl Detection {
  /// A detection of `kind` with no language or table format.
  pub fn new(kind: ContentType, confidence: f32) -> Detection {
    Detection {
      kind,
      language: None,
      confidence: clamp01(confidence),
      table_format: None,
    }
  }

  /// Plain text with the given confidence.
  pub fn text(confidence: f32) -> Detection {
    Detection::new(ContentType::Text, confidence)
  }
}

/// Clamps to `0..=1`, mapping NaN to 0.
pub(crate) fn clamp01(x: f32) -> f32 {
  if x.is_nan() { 0.0 } else { x.clamp(0.0, 1.0) }
}
