//! HTML to readable markdown.
//!
//! The page is tokenized by `html5gum` (a WHATWG-compliant tokenizer: entities decoded,
//! `<script>`/`<style>`/`<textarea>`... switched to raw-text states). A light element stack
//! stands in for tree construction: void elements are never pushed, an end tag closes
//! everything opened after its start tag, an end tag with no open start tag is ignored, and
//! the usual implicit closes apply (`<li>` closes the open `<li>`, `<td>` the open cell, `<tr>`
//! the open row, `<p>` or any block start the open `<p>`, `<dt>`/`<dd>`, `<option>`).
//!
//! Dropped with everything inside: `script`, `style`, `noscript`, `template`, `svg`,
//! `iframe`, `object`, `canvas`, `head`/`title`, comments, elements marked `hidden` or
//! `aria-hidden="true"`, and boilerplate: `nav`, `aside`, elements with role `navigation`,
//! `banner`, `contentinfo`, `complementary` or `search` or a class/id such as `sidebar` or
//! `navbar`, and `header`/`footer` outside any `article` or `main`.
//!
//! Kept, as markdown: headings (`#`), paragraphs (blank-line separated), lists (`-` / `1.`,
//! nested by indentation), block quotes (`> `), simple tables (`| a | b |` with a delimiter
//! row after the first row; block breaks inside a cell become spaces, `|` is escaped),
//! `pre` as fenced code (language from a `language-x`/`lang-x` class; the fence outgrows any
//! backtick run inside), inline `code`/`kbd`/`samp` in backticks, links as `[text](href)`
//! (fragment-only and `javascript:` links keep their text only), images as their alt text,
//! `<br>` as a line break and `<hr>` as `---`. Whitespace outside `pre` is collapsed.
//! Markdown-significant characters in text are not escaped.

use html5gum::{DefaultEmitter, Token, Tokenizer};

/// What the conversion left out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HtmlStats {
  /// Source bytes carried into the text: non-blank text nodes outside dropped elements, and
  /// the `href`/`alt` values used.
  pub kept_bytes: usize,
  /// `<script>` elements dropped.
  pub scripts: usize,
  /// `<style>` elements dropped.
  pub styles: usize,
  /// Boilerplate elements dropped (nav, header, footer, aside, navigation roles/classes).
  pub boilerplate: usize,
  /// Comments dropped.
  pub comments: usize,
  /// Other dropped elements (head, noscript, template, svg, iframe, hidden...).
  pub hidden: usize,
}

impl HtmlStats {
  /// A marker breakdown: `markup, 12 scripts, 3 styles, 2 nav/header/footer/aside, ...`.
  pub fn describe(&self) -> String {
    let mut parts = vec!["markup".to_string()];
    for (n, what) in [
      (self.scripts, "scripts"),
      (self.styles, "styles"),
      (self.boilerplate, "nav/header/footer/aside"),
      (self.comments, "comments"),
      (self.hidden, "head/svg/noscript/template/hidden"),
    ] {
      if n > 0 {
        parts.push(format!("{n} {what}"));
      }
    }
    parts.join(", ")
  }
}

/// The markdown text of a page and what was left out.
#[derive(Debug, Clone, Default)]
pub struct Conversion {
  /// The readable markdown.
  pub markdown: String,
  /// Counts of what was dropped.
  pub stats: HtmlStats,
}

const VOID: &[&str] = &[
  "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
  "track", "wbr",
];

/// Block elements: a start or end tag breaks the paragraph (and closes an open `<p>`).
const BLOCK: &[&str] = &[
  "address",
  "article",
  "blockquote",
  "center",
  "details",
  "dialog",
  "div",
  "dl",
  "fieldset",
  "figcaption",
  "figure",
  "form",
  "h1",
  "h2",
  "h3",
  "h4",
  "h5",
  "h6",
  "hgroup",
  "hr",
  "legend",
  "li",
  "main",
  "ol",
  "p",
  "pre",
  "section",
  "summary",
  "table",
  "ul",
  "caption",
  "dd",
  "dt",
  "menu",
];

const BOILERPLATE_CLASSES: &[&str] = &[
  "sidebar",
  "navbar",
  "nav",
  "navigation",
  "breadcrumb",
  "breadcrumbs",
  "skip-link",
  "skip-links",
  "headerlink",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Drop {
  Script,
  Style,
  Boilerplate,
  Hidden,
}

#[derive(Debug)]
enum Role {
  Plain,
  Dropped,
  Heading,
  Link(Option<String>, bool),
  Code(bool),
  Pre,
  List(Option<u32>),
  Item,
  Quote,
  Table(usize, usize),
  Row,
  Cell,
}

struct Elem {
  name: String,
  role: Role,
}

struct Writer {
  out: String,
  pending_nl: u8,
  pending_space: bool,
  prefix: Vec<&'static str>,
  /// Depth of open headings and table cells: block breaks become spaces there.
  inline_only: usize,
  /// Text of the open `pre` (outermost), and its language.
  pre: Option<(String, String)>,
  pre_depth: usize,
  /// Open table cells (`|` is escaped inside).
  cells: usize,
  /// Open links and code spans whose opening bracket is not written yet.
  unopened: usize,
  /// Length of `out` when the current line's prefix was written.
  line_start: usize,
  /// A list bullet to write before the next text (block breaks before it are ignored, so
  /// `<li><p>x</p></li>` gives `- x`).
  bullet: Option<String>,
}

impl Writer {
  fn at_line_start(&self) -> bool {
    self.out.len() == self.line_start
  }

  fn block_break(&mut self, n: u8) {
    if self.bullet.is_some() {
      return;
    }
    if self.inline_only > 0 {
      self.pending_space = true;
    } else if !self.out.is_empty() {
      self.pending_nl = self.pending_nl.max(n);
    }
  }

  fn flush(&mut self) {
    if let Some(b) = self.bullet.take() {
      let p: String = self.prefix[..self.prefix.len().saturating_sub(1)].concat();
      if !self.out.is_empty() {
        for k in 0..self.pending_nl.max(1) {
          if k > 0 {
            self.out.push_str(p.trim_end());
          }
          self.out.push('\n');
        }
      }
      self.out.push_str(&p);
      self.out.push_str(&b);
      self.line_start = self.out.len();
      self.pending_nl = 0;
      self.pending_space = false;
      return;
    }
    if self.pending_nl > 0 || self.out.is_empty() {
      let p: String = self.prefix.concat();
      for k in 0..self.pending_nl {
        if k > 0 {
          self.out.push_str(p.trim_end());
        }
        self.out.push('\n');
      }
      self.out.push_str(&p);
      self.line_start = self.out.len();
      self.pending_nl = 0;
      self.pending_space = false;
    } else if self.pending_space {
      if !self.at_line_start() && !self.out.ends_with(' ') {
        self.out.push(' ');
      }
      self.pending_space = false;
    }
  }

  /// Writes a non-whitespace piece right away (after pending breaks).
  fn raw(&mut self, s: &str) {
    self.flush();
    self.out.push_str(s);
  }

  fn text(&mut self, s: &str, stack: &mut [Elem]) {
    if let Some((buf, _)) = &mut self.pre {
      buf.push_str(s);
      return;
    }
    for c in s.chars() {
      if c.is_whitespace() {
        self.pending_space = true;
        continue;
      }
      if self.unopened > 0 {
        // Open lazily started inline wrappers (links, code spans) at their first character.
        self.unopened = 0;
        for e in stack.iter_mut().rev().take(WINDOW) {
          match &mut e.role {
            Role::Link(Some(_), opened @ false) => {
              self.flush();
              self.out.push('[');
              *opened = true;
            }
            Role::Code(opened @ false) => {
              self.flush();
              self.out.push('`');
              *opened = true;
            }
            _ => {}
          }
        }
      }
      self.flush();
      if self.cells > 0 && c == '|' {
        self.out.push('\\');
      }
      self.out.push(c);
    }
  }
}

fn attr<'a>(tag: &'a html5gum::StartTag<usize>, name: &str) -> Option<(&'a [u8], usize)> {
  tag
    .attributes
    .get(name.as_bytes())
    .map(|v| (&v.value[..], v.span.end.saturating_sub(v.span.start)))
}

fn drop_kind(name: &str, tag: &html5gum::StartTag<usize>, in_article: bool) -> Option<Drop> {
  match name {
    "script" => return Some(Drop::Script),
    "style" => return Some(Drop::Style),
    "noscript" | "template" | "svg" | "iframe" | "object" | "canvas" | "head" | "title"
    | "noembed" | "noframes" => return Some(Drop::Hidden),
    "nav" | "aside" => return Some(Drop::Boilerplate),
    "header" | "footer" if !in_article => return Some(Drop::Boilerplate),
    _ => {}
  }
  if attr(tag, "hidden").is_some()
    || attr(tag, "aria-hidden").is_some_and(|(v, _)| v.eq_ignore_ascii_case(b"true"))
  {
    return Some(Drop::Hidden);
  }
  if let Some((role, _)) = attr(tag, "role") {
    let role = String::from_utf8_lossy(role).to_ascii_lowercase();
    if [
      "navigation",
      "banner",
      "contentinfo",
      "complementary",
      "search",
    ]
    .contains(&role.trim())
    {
      return Some(Drop::Boilerplate);
    }
  }
  for a in ["class", "id"] {
    if let Some((v, _)) = attr(tag, a) {
      let v = String::from_utf8_lossy(v).to_ascii_lowercase();
      if v
        .split_whitespace()
        .any(|w| BOILERPLATE_CLASSES.contains(&w))
      {
        return Some(Drop::Boilerplate);
      }
    }
  }
  None
}

fn language(tag: &html5gum::StartTag<usize>) -> Option<String> {
  let (class, _) = attr(tag, "class")?;
  let class = String::from_utf8_lossy(class);
  class.split_whitespace().find_map(|w| {
    w.strip_prefix("language-")
      .or_else(|| w.strip_prefix("lang-"))
      .filter(|l| {
        !l.is_empty()
          && l
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+-_#".contains(&b))
      })
      .map(str::to_string)
  })
}

/// How far below the top of the element stack implicit closes, end tags and list/table
/// look-ups search: bounds the work per tag on pathological nesting.
const WINDOW: usize = 512;

struct Converter {
  w: Writer,
  stack: Vec<Elem>,
  dropped: usize,
  lists: usize,
  tables: usize,
  rows: usize,
  articles: usize,
  stats: HtmlStats,
}

impl Converter {
  fn push(&mut self, name: String, role: Role) {
    match role {
      Role::Dropped => self.dropped += 1,
      Role::List(_) => self.lists += 1,
      Role::Table(..) => self.tables += 1,
      Role::Row => self.rows += 1,
      Role::Cell => self.w.cells += 1,
      Role::Link(Some(_), false) | Role::Code(false) => self.w.unopened += 1,
      _ => {}
    }
    if name == "article" || name == "main" {
      self.articles += 1;
    }
    self.stack.push(Elem { name, role });
  }

  /// The index of the nearest open element matching `pred`, within [`WINDOW`].
  fn find(&self, pred: impl Fn(&Elem) -> bool) -> Option<usize> {
    self
      .stack
      .iter()
      .enumerate()
      .rev()
      .take(WINDOW)
      .find(|(_, e)| pred(e))
      .map(|(k, _)| k)
  }

  fn close_top(&mut self) {
    let Some(e) = self.stack.pop() else { return };
    if e.name == "article" || e.name == "main" {
      self.articles -= 1;
    }
    let w = &mut self.w;
    match e.role {
      Role::Dropped => self.dropped -= 1,
      Role::Heading => {
        w.inline_only -= 1;
        w.pending_space = false;
        w.block_break(2);
      }
      Role::Link(Some(href), true) => {
        w.pending_space = false;
        w.out.push_str("](");
        if href.contains([' ', '(', ')', '<', '>']) {
          w.out.push('<');
          w.out.push_str(&href.replace(['<', '>'], ""));
          w.out.push('>');
        } else {
          w.out.push_str(&href);
        }
        w.out.push(')');
      }
      Role::Code(true) => {
        w.pending_space = false;
        w.out.push('`');
      }
      Role::Pre => {
        w.pre_depth -= 1;
        if w.pre_depth == 0
          && let Some((body, lang)) = w.pre.take()
        {
          write_fence(w, &body, &lang);
        }
      }
      Role::List(_) => {
        self.lists -= 1;
        w.block_break(if self.lists > 0 { 1 } else { 2 });
      }
      Role::Item => {
        w.bullet = None;
        w.prefix.pop();
        w.block_break(1);
      }
      Role::Quote => {
        w.prefix.pop();
        w.block_break(2);
      }
      Role::Table(..) => {
        self.tables -= 1;
        w.block_break(2);
      }
      Role::Row => {
        self.rows -= 1;
        w.pending_space = false;
        let table = self
          .stack
          .iter_mut()
          .rev()
          .take(WINDOW)
          .find(|e| matches!(e.role, Role::Table(..)));
        if let Some(Elem {
          role: Role::Table(rows, cells),
          ..
        }) = table
        {
          *rows += 1;
          if *rows == 1 && *cells > 0 {
            let p: String = w.prefix.concat();
            w.out.push('\n');
            w.out.push_str(&p);
            w.out.push('|');
            for _ in 0..*cells {
              w.out.push_str(" --- |");
            }
          }
        }
        w.block_break(1);
      }
      Role::Cell => {
        w.inline_only -= 1;
        w.cells -= 1;
        w.pending_space = false;
        w.out.push_str(" |");
      }
      Role::Plain | Role::Link(..) | Role::Code(false) => {
        if BLOCK.contains(&e.name.as_str()) {
          w.block_break(2);
        }
      }
    }
  }

  /// Closes up to and including the nearest open element named in `names`, unless one
  /// named in `barrier` comes first.
  fn close_open(&mut self, names: &[&str], barrier: &[&str]) {
    let k = self.find(|e| names.contains(&e.name.as_str()) || barrier.contains(&e.name.as_str()));
    if let Some(k) = k
      && names.contains(&self.stack[k].name.as_str())
    {
      while self.stack.len() > k {
        self.close_top();
      }
    }
  }

  fn start(&mut self, tag: &html5gum::StartTag<usize>) {
    let name = String::from_utf8_lossy(&tag.name).into_owned();
    let n = name.as_str();
    let void = VOID.contains(&n);
    if self.dropped > 0 {
      // Inside a dropped element; `<x/>` closes itself only in foreign content (svg).
      if !void && !tag.self_closing {
        self.push(name, Role::Plain);
      }
      return;
    }
    match n {
      "li" => self.close_open(&["li"], &["ul", "ol", "menu", "table"]),
      "dt" | "dd" => self.close_open(&["dt", "dd"], &["dl", "table"]),
      "tr" => self.close_open(&["tr"], &["table"]),
      "td" | "th" => self.close_open(&["td", "th"], &["tr", "table"]),
      "option" => self.close_open(&["option"], &["select"]),
      _ => {}
    }
    if BLOCK.contains(&n) || matches!(n, "table" | "tr" | "td" | "th") {
      self.close_open(
        &["p"],
        &["td", "th", "table", "li", "blockquote", "div", "button"],
      );
    }
    if let Some(kind) = drop_kind(n, tag, self.articles > 0) {
      match kind {
        Drop::Script => self.stats.scripts += 1,
        Drop::Style => self.stats.styles += 1,
        Drop::Boilerplate => self.stats.boilerplate += 1,
        Drop::Hidden => self.stats.hidden += 1,
      }
      if !(void || tag.self_closing && matches!(n, "svg" | "math")) {
        self.push(name, Role::Dropped);
      }
      return;
    }
    let w = &mut self.w;
    match n {
      "br" => {
        w.block_break(1);
        return;
      }
      "hr" => {
        w.block_break(2);
        w.raw("---");
        w.block_break(2);
        return;
      }
      "img" => {
        if let Some((alt, len)) = attr(tag, "alt") {
          let alt = String::from_utf8_lossy(alt).into_owned();
          if !alt.trim().is_empty() {
            self.stats.kept_bytes += len;
            w.pending_space = true;
            w.text(&alt, &mut self.stack);
          }
        }
        return;
      }
      _ if void => return,
      _ => {}
    }
    let role = match n {
      "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
        w.block_break(2);
        w.raw(&"#".repeat(usize::from(n.as_bytes()[1] - b'0')));
        w.out.push(' ');
        w.inline_only += 1;
        Role::Heading
      }
      "a" => {
        let href = attr(tag, "href").and_then(|(h, len)| {
          let h = String::from_utf8_lossy(h).trim().to_string();
          let skip = h.is_empty()
            || h.starts_with('#')
            || h.to_ascii_lowercase().starts_with("javascript:")
            || w.pre.is_some();
          (!skip).then(|| {
            self.stats.kept_bytes += len;
            h.replace(['\n', '\r'], "")
          })
        });
        Role::Link(href, false)
      }
      "code" | "kbd" | "samp" | "tt" if w.pre.is_none() => Role::Code(false),
      "code" => {
        if let (Some((_, l)), Some(lang)) = (&mut w.pre, language(tag))
          && l.is_empty()
        {
          *l = lang;
        }
        Role::Plain
      }
      "pre" | "listing" | "xmp" | "plaintext" | "textarea" => {
        w.pre_depth += 1;
        if w.pre.is_none() {
          w.pre = Some((String::new(), language(tag).unwrap_or_default()));
        }
        Role::Pre
      }
      "ul" | "ol" | "menu" => {
        w.block_break(if self.lists > 0 { 1 } else { 2 });
        Role::List((n == "ol").then(|| {
          attr(tag, "start")
            .and_then(|(s, _)| String::from_utf8_lossy(s).trim().parse::<u32>().ok())
            .unwrap_or(1)
        }))
      }
      "li" => {
        let list = self.find(|e| matches!(e.role, Role::List(_)));
        let bullet = match list.map(|k| &mut self.stack[k].role) {
          Some(Role::List(Some(k))) => {
            *k = k.saturating_add(1);
            format!("{}. ", *k - 1)
          }
          _ => "- ".to_string(),
        };
        let w = &mut self.w;
        if w.inline_only == 0 {
          w.block_break(1);
          w.prefix.push(if bullet.len() > 2 { "   " } else { "  " });
          w.bullet = Some(bullet);
        } else {
          w.pending_space = true;
          w.prefix.push("");
        }
        Role::Item
      }
      "blockquote" => {
        w.block_break(2);
        w.prefix.push("> ");
        Role::Quote
      }
      "table" if w.inline_only == 0 => {
        w.block_break(2);
        Role::Table(0, 0)
      }
      "tr" if w.inline_only == 0 && self.tables > 0 => {
        w.block_break(1);
        w.raw("|");
        Role::Row
      }
      "td" | "th" if self.rows > 0 => {
        let table = self
          .stack
          .iter_mut()
          .rev()
          .take(WINDOW)
          .find(|e| matches!(e.role, Role::Table(..)));
        if let Some(Elem {
          role: Role::Table(0, cells),
          ..
        }) = table
        {
          *cells += 1;
        }
        let w = &mut self.w;
        w.pending_space = false;
        w.out.push(' ');
        w.inline_only += 1;
        Role::Cell
      }
      _ => {
        if BLOCK.contains(&n) {
          let one = matches!(n, "dt" | "dd" | "summary" | "figcaption" | "caption");
          w.block_break(if one { 1 } else { 2 });
        } else if matches!(n, "td" | "th" | "tr" | "table") {
          w.pending_space = true;
        }
        Role::Plain
      }
    };
    self.push(name, role);
  }

  fn end(&mut self, name: &[u8]) {
    if self.dropped == 0 && (name == b"br" || name == b"p") {
      self.w.block_break(if name == b"br" { 1 } else { 2 });
    }
    if let Some(k) = self.find(|e| e.name.as_bytes() == name) {
      while self.stack.len() > k {
        self.close_top();
      }
    }
  }
}

/// Writes a `pre` body as a fenced code block whose fence outgrows any backtick run in it.
fn write_fence(w: &mut Writer, body: &str, lang: &str) {
  let body = body.strip_prefix('\n').unwrap_or(body);
  let body = body.trim_end_matches(['\n', '\r', ' ', '\t']);
  if !body.trim().is_empty() {
    let mut run = 0;
    let mut longest = 0;
    for c in body.chars() {
      run = if c == '`' { run + 1 } else { 0 };
      longest = longest.max(run);
    }
    let fence = "`".repeat((longest + 1).max(3));
    w.block_break(2);
    w.raw(&fence);
    w.out.push_str(lang);
    let p: String = w.prefix.concat();
    for line in body.split('\n') {
      w.out.push('\n');
      w.out.push_str(&p);
      w.out.push_str(line.strip_suffix('\r').unwrap_or(line));
    }
    w.out.push('\n');
    w.out.push_str(&p);
    w.out.push_str(&fence);
  }
  w.block_break(2);
}

/// Converts an HTML page (or fragment) to readable markdown, with what was dropped.
pub fn convert(html: &str) -> Conversion {
  let mut emitter = DefaultEmitter::<usize>::new_with_span();
  emitter.naively_switch_states(true);
  let mut c = Converter {
    w: Writer {
      out: String::with_capacity(html.len() / 4),
      pending_nl: 0,
      pending_space: false,
      prefix: Vec::new(),
      inline_only: 0,
      pre: None,
      pre_depth: 0,
      cells: 0,
      unopened: 0,
      line_start: 0,
      bullet: None,
    },
    stack: Vec::new(),
    dropped: 0,
    lists: 0,
    tables: 0,
    rows: 0,
    articles: 0,
    stats: HtmlStats::default(),
  };
  for token in Tokenizer::new_with_emitter(html, emitter) {
    let Ok(token) = token;
    match token {
      Token::StartTag(tag) => c.start(&tag),
      Token::EndTag(tag) => c.end(&tag.name),
      Token::String(s) => {
        if c.dropped == 0 {
          let text = String::from_utf8_lossy(&s.value);
          if !text.trim().is_empty() {
            c.stats.kept_bytes += s.span.end.saturating_sub(s.span.start);
          }
          c.w.text(&text, &mut c.stack);
        }
      }
      Token::Comment(_) => c.stats.comments += 1,
      Token::Doctype(_) | Token::Error(_) => {}
    }
  }
  while !c.stack.is_empty() {
    c.close_top();
  }
  let mut markdown = c.w.out;
  markdown.truncate(markdown.trim_end().len());
  Conversion {
    markdown,
    stats: c.stats,
  }
}

/// Converts an HTML page (or fragment) to readable markdown (see the module docs).
pub fn html_to_markdown(html: &str) -> String {
  convert(html).markdown
}
