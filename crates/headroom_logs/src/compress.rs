//! The compressor: which lines stay, and the markers for the rest.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt::Write as _;

use headroom_core::marker::{Marker, find_markers};
use headroom_core::output::{line_content, split_lines_inclusive, store_original};
use headroom_core::{Compressed, Mode, Params};

use crate::classify::{Severity, matches_query, query_terms, severity, trace_lines};
use crate::drain::{LineTok, MinerConfig, TemplateMiner, tokenize};
use crate::normalize::{final_state, is_progress, strip_ansi};
use crate::refine::refine_tokens;

/// The strategy name of every output.
pub const STRATEGY: &str = "log:templates";

/// Distinct words at a position up to which refinement splits a cluster.
const REFINE_MAX_VALUES: usize = 3;
/// Templates named per marker (the rest are counted together).
const TEMPLATES_PER_MARKER: usize = 3;
/// Longest template or value quoted in a marker, in characters.
const QUOTE_CHARS: usize = 100;

/// How much a mode keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
  /// First lines kept verbatim.
  pub head: usize,
  /// Last lines kept verbatim.
  pub tail: usize,
  /// Example lines (first line of a template, unique lines included) kept at least...
  pub min_examples: usize,
  /// ...and at most this share of the input lines (1/n).
  pub examples_divisor: usize,
  /// Explicitly severe lines ([`Severity::Explicit`]: a level field, an exception, a panic)
  /// kept verbatim per template: `None` keeps every one (balanced); `Some(k)` keeps the
  /// first `k` of each template and counts the rest in markers that name every such
  /// template, tagged `(severe)` (aggressive).
  pub severe_per_template: Option<usize>,
  /// Which soft-severe lines ([`Severity::Soft`]: a severity word in the message text
  /// only) stay verbatim; `None` treats them like explicit ones (aggressive: they share
  /// `severe_per_template`).
  pub soft: Option<SoftKeep>,
}

/// Which soft-severe lines of one template stay verbatim. The rest are counted by markers
/// that name every such template, tagged `(severe)`, with a summary of its variable parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SoftKeep {
  /// A template with at most this many soft-severe lines keeps them all.
  pub keep_all_upto: usize,
  /// Otherwise its first soft-severe lines are kept...
  pub first: usize,
  /// ...its last one (when `true`)...
  pub last: bool,
  /// ...and the first line with each value of a *categorical* variable position: one
  /// whose values among the template's soft-severe lines number at least 2 and at most
  /// this (a reason code, a status: each value is a different case). Positions with more
  /// values are identifiers (ids, hosts, users, ports, times), summarised by the markers.
  pub categories: usize,
}

impl Budget {
  /// The budget of a mode (`None` for lossless).
  pub fn for_mode(mode: Mode) -> Option<Budget> {
    match mode {
      Mode::Lossless => None,
      Mode::Balanced => Some(Budget {
        head: 10,
        tail: 20,
        min_examples: 64,
        examples_divisor: 4,
        severe_per_template: None,
        soft: Some(SoftKeep {
          keep_all_upto: 4,
          first: 2,
          last: true,
          categories: 4,
        }),
      }),
      Mode::Aggressive => Some(Budget {
        head: 4,
        tail: 10,
        min_examples: 24,
        examples_divisor: 16,
        severe_per_template: Some(3),
        soft: None,
      }),
    }
  }
}

/// Why a line is kept (for tests and the eval; the first reason that applies).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
  /// Omitted (counted by a marker).
  No,
  /// One of the first or last lines.
  Edge,
  /// Explicit severity (level field, exception, panic), or in aggressive mode any severity.
  Severity,
  /// A soft-severe line kept as an example of its template ([`SoftKeep`]).
  Soft,
  /// Part of a stack trace.
  Trace,
  /// Matches the query.
  Query,
  /// The first line of its template (or a unique line).
  Example,
  /// A blank line between kept lines.
  Blank,
  /// A run too short to be worth a marker.
  Short,
}

struct Line<'a> {
  raw: &'a str,
  content: &'a str,
  /// What the miner sees: borrowed from the input unless normalising changed it.
  view: Cow<'a, str>,
  progress: bool,
  blank: bool,
}

/// Compresses log or command output (see the crate docs). `None`: nothing worth doing,
/// markers not allowed (lossless mode, no store), or the input already holds markers.
pub fn compress(text: &str, params: &Params<'_>) -> Option<Compressed> {
  compress_with(text, params, &MinerConfig::default())
}

/// [`compress`] with explicit miner settings.
pub fn compress_with(text: &str, params: &Params<'_>, miner: &MinerConfig) -> Option<Compressed> {
  let budget = Budget::for_mode(params.mode)?;
  if !params.may_elide() || text.is_empty() || !find_markers(text).is_empty() {
    return None;
  }
  let plan = plan(text, params, &budget, miner);
  if plan.omitted == 0 && plan.ansi == 0 {
    return None;
  }
  let key = store_original(params, text)?;
  let out = render(&plan, &key);
  (out.len() < text.len()).then(|| Compressed {
    text: out,
    strategy: STRATEGY.to_string(),
    hashes: vec![key],
    o200k: None,
  })
}

struct Run {
  start: usize,
  end: usize,
}

struct Plan<'a> {
  lines: Vec<Line<'a>>,
  keep: Vec<Keep>,
  group: Vec<u32>,
  templates: Vec<String>,
  example_kept: Vec<bool>,
  runs: Vec<Run>,
  omitted: usize,
  ansi: usize,
  strip: Vec<bool>,
  /// Severe lines left out (aggressive mode): their templates are always named.
  severe_omitted: Vec<bool>,
}

/// Decides, for every line, whether it is kept and why (exposed for tests and the eval).
pub fn keep_reasons(text: &str, params: &Params<'_>) -> Vec<Keep> {
  let Some(budget) = Budget::for_mode(params.mode) else {
    return vec![Keep::Edge; split_lines_inclusive(text).count()];
  };
  plan(text, params, &budget, &MinerConfig::default()).keep
}

fn plan<'a>(
  text: &'a str,
  params: &Params<'_>,
  budget: &Budget,
  miner_cfg: &MinerConfig,
) -> Plan<'a> {
  let lines: Vec<Line<'a>> = split_lines_inclusive(text)
    .map(|raw| {
      let content = line_content(raw);
      let progress = is_progress(content);
      let stripped = strip_ansi(content);
      let view = if progress {
        Cow::Owned(final_state(&stripped).to_string())
      } else {
        stripped
      };
      let blank = view.trim().is_empty();
      Line {
        raw,
        content,
        view,
        progress,
        blank,
      }
    })
    .collect();
  let n = lines.len();
  // Mine the non-blank lines, then refine.
  let mut miner = TemplateMiner::new(*miner_cfg);
  let mined: Vec<usize> = (0..n).filter(|&i| !lines[i].blank).collect();
  // Each line is tokenized once, for the miner and the refinement both.
  let toks: Vec<Vec<LineTok<'_>>> = mined
    .iter()
    .map(|&i| tokenize(&lines[i].view, miner_cfg.max_tokens))
    .collect();
  let ids: Vec<u32> = toks.iter().map(|t| miner.add_tokens(t)).collect();
  let refined = refine_tokens(&miner, &toks, &ids, REFINE_MAX_VALUES);
  let mut group = vec![u32::MAX; n];
  for (k, &i) in mined.iter().enumerate() {
    group[i] = refined.ids[k];
  }
  // Forced keeps.
  let all_views: Vec<&str> = lines.iter().map(|l| l.view.as_ref()).collect();
  let trace = trace_lines(&all_views);
  let terms = params.query.map(query_terms).unwrap_or_default();
  let sev: Vec<Severity> = lines
    .iter()
    .map(|l| {
      if l.blank {
        Severity::None
      } else {
        severity(&l.view)
      }
    })
    .collect();
  let soft_kept = match budget.soft {
    Some(rule) => soft_examples(&lines, &sev, &group, &refined.templates, &rule),
    None => vec![false; n],
  };
  let mut keep = vec![Keep::No; n];
  let mut severe_kept = vec![0usize; refined.templates.len()];
  for (i, l) in lines.iter().enumerate() {
    let counted = sev[i] == Severity::Explicit || sev[i] == Severity::Soft && budget.soft.is_none();
    let within = |kept: &mut usize| {
      *kept += 1;
      budget.severe_per_template.is_none_or(|k| *kept <= k)
    };
    keep[i] = if l.blank {
      Keep::No
    } else if counted && within(&mut severe_kept[group[i] as usize]) {
      Keep::Severity
    } else if soft_kept[i] {
      Keep::Soft
    } else if trace[i] {
      Keep::Trace
    } else if matches_query(&l.view, &terms) {
      Keep::Query
    } else if !l.progress && (i < budget.head || i + budget.tail >= n) {
      Keep::Edge
    } else {
      Keep::No
    };
  }
  let severe_omitted: Vec<bool> = (0..n)
    .map(|i| keep[i] == Keep::No && sev[i] != Severity::None)
    .collect();
  // Examples: the first line of each template, biggest templates first, within budget.
  let cap = budget.min_examples.max(n / budget.examples_divisor.max(1));
  let mut order: Vec<usize> = (0..refined.templates.len()).collect();
  order.sort_by_key(|&g| (std::cmp::Reverse(refined.sizes[g]), refined.first[g]));
  let mut example_kept = vec![false; refined.templates.len()];
  for (taken, &g) in order.iter().enumerate() {
    let i = mined[refined.first[g]];
    if keep[i] != Keep::No {
      example_kept[g] = true;
    } else if taken < cap && !lines[i].progress {
      keep[i] = Keep::Example;
      example_kept[g] = true;
    }
  }
  // Blank lines: kept between kept lines; omitted inside omitted stretches, and all but
  // the first of 3+ blank lines in a row.
  let mut i = 0;
  while i < n {
    if !lines[i].blank {
      i += 1;
      continue;
    }
    let mut j = i;
    while j < n && lines[j].blank {
      j += 1;
    }
    let before = i.checked_sub(1).map(|p| keep[p] != Keep::No);
    let after = (j < n).then(|| keep[j] != Keep::No);
    let inside_omitted = before != Some(true) && after != Some(true);
    for (k, slot) in keep.iter_mut().enumerate().take(j).skip(i) {
      let edge = k < budget.head || k + budget.tail >= n;
      *slot = if inside_omitted && !edge {
        Keep::No
      } else if k == i || j - i < 3 || edge {
        Keep::Blank
      } else {
        Keep::No
      };
    }
    i = j;
  }
  let mut plan = Plan {
    ansi: 0,
    lines,
    keep,
    group,
    templates: refined.templates,
    example_kept,
    runs: Vec::new(),
    omitted: 0,
    strip: vec![false; n],
    severe_omitted,
  };
  // Runs of omitted lines; a run whose marker would not be shorter stays verbatim.
  let mut i = 0;
  while i < n {
    if plan.keep[i] != Keep::No {
      i += 1;
      continue;
    }
    let mut j = i;
    while j < n && plan.keep[j] == Keep::No {
      j += 1;
    }
    let run = Run { start: i, end: j };
    let bytes: usize = plan.lines[i..j].iter().map(|l| l.raw.len()).sum();
    let marker_len = marker_text(&plan, &run, "0123456789abcdef").len() + 1;
    if marker_len >= bytes {
      plan.keep[i..j].iter_mut().for_each(|k| *k = Keep::Short);
    } else {
      plan.omitted += j - i;
      plan.runs.push(run);
    }
    i = j;
  }
  // ANSI stripping of kept lines: only where the stripped text is a line of its own (not
  // equal to any input line, so it cannot be mistaken for one) and has no carriage return.
  if plan.lines.iter().any(|l| l.content.contains('\u{1b}')) {
    let contents: rustc_hash::FxHashSet<&str> = plan.lines.iter().map(|l| l.content).collect();
    for i in 0..n {
      let c = plan.lines[i].content;
      if plan.keep[i] != Keep::No && c.contains('\u{1b}') {
        let s = strip_ansi(c);
        plan.strip[i] = !s.contains('\r') && !contents.contains(&*s);
      }
    }
  }
  plan.ansi = plan.strip.iter().filter(|s| **s).count();
  plan
}

/// Variable positions of a template looked at for categories (the first few).
const CATEGORY_POSITIONS: usize = 8;

/// The soft-severe lines kept by `rule`, per template (see [`SoftKeep`]). Linear: each
/// soft line is visited once per looked-at variable position.
fn soft_examples(
  lines: &[Line<'_>],
  sev: &[Severity],
  group: &[u32],
  templates: &[String],
  rule: &SoftKeep,
) -> Vec<bool> {
  let mut by_group: Vec<Vec<usize>> = vec![Vec::new(); templates.len()];
  for (i, s) in sev.iter().enumerate() {
    if *s == Severity::Soft
      && let Some(v) = by_group.get_mut(group[i] as usize)
    {
      v.push(i);
    }
  }
  let mut kept = vec![false; lines.len()];
  for (g, members) in by_group.iter().enumerate() {
    if members.len() <= rule.keep_all_upto {
      members.iter().for_each(|&i| kept[i] = true);
      continue;
    }
    members
      .iter()
      .take(rule.first)
      .for_each(|&i| kept[i] = true);
    if rule.last
      && let Some(&i) = members.last()
    {
      kept[i] = true;
    }
    let positions = templates[g]
      .split(' ')
      .enumerate()
      .filter(|(_, t)| t.ends_with("<*>"))
      .map(|(p, _)| p)
      .take(CATEGORY_POSITIONS);
    for p in positions {
      // (value, first line holding it), in order of first appearance; stop past the cap.
      let mut values: Vec<(&str, usize)> = Vec::new();
      for &i in members {
        let v = crate::words::split_whitespace(&lines[i].view)
          .nth(p)
          .unwrap_or("");
        if !values.iter().any(|(x, _)| *x == v) {
          values.push((v, i));
          if values.len() > rule.categories {
            break;
          }
        }
      }
      if (2..=rule.categories).contains(&values.len()) {
        values.iter().for_each(|&(_, i)| kept[i] = true);
      }
    }
  }
  kept
}

fn truncate(s: &str, max: usize) -> String {
  match s.char_indices().nth(max) {
    Some((at, _)) => format!("{}...", &s[..at]),
    None => s.to_string(),
  }
}

/// The breakdown of one run: its templates by count, a summary of the first template's
/// variable parts, blank and progress lines.
fn breakdown(plan: &Plan<'_>, run: &Run) -> String {
  let mut counts: BTreeMap<u32, (usize, usize)> = BTreeMap::new();
  let mut severe: BTreeMap<u32, ()> = BTreeMap::new();
  let mut blank = 0;
  let mut progress = None;
  for i in run.start..run.end {
    let l = &plan.lines[i];
    if l.progress {
      progress = Some(i);
    }
    if l.blank {
      blank += 1;
      continue;
    }
    let e = counts.entry(plan.group[i]).or_insert((0, i));
    e.0 += 1;
    if plan.severe_omitted[i] {
      severe.insert(plan.group[i], ());
    }
  }
  let mut groups: Vec<(u32, usize, usize)> =
    counts.into_iter().map(|(g, (c, f))| (g, c, f)).collect();
  // Templates of omitted severe lines first, and every one of them named.
  groups.sort_by_key(|&(g, c, f)| (!severe.contains_key(&g), std::cmp::Reverse(c), f));
  let named = TEMPLATES_PER_MARKER.max(severe.len());
  let mut out = String::new();
  for (k, &(g, c, _)) in groups.iter().take(named).enumerate() {
    if k > 0 {
      out.push_str(", ");
    }
    let more = if plan.example_kept.get(g as usize) == Some(&true) {
      "more "
    } else {
      ""
    };
    let tmpl = plan.templates.get(g as usize).map_or("", String::as_str);
    let (shown, lead) = quoted(tmpl);
    let _ = write!(out, "{c} {more}like \"{}\"", truncate(&shown, QUOTE_CHARS));
    if severe.contains_key(&g) {
      out.push_str(" (severe)");
    }
    if k == 0 && c > 1 {
      out.push_str(&values_summary(plan, run, g, tmpl, lead));
    }
  }
  if groups.len() > named {
    let rest: usize = groups[named..].iter().map(|g| g.1).sum();
    let _ = write!(out, ", {rest} in {} other templates", groups.len() - named);
  }
  if blank > 0 {
    if !out.is_empty() {
      out.push_str(", ");
    }
    let _ = write!(out, "{blank} blank");
  }
  if let Some(p) = progress {
    let _ = write!(
      out,
      "; progress redrawn, final state \"{}\"",
      truncate(plan.lines[p].view.trim(), QUOTE_CHARS)
    );
  }
  out
}

/// A template as markers quote it: a leading run of two or more variables (a log header:
/// timestamp, host, process) is written as one `<*>`. Also returns that run's length (0
/// when nothing was collapsed).
fn quoted(tmpl: &str) -> (String, usize) {
  let lead = tmpl.split(' ').take_while(|t| *t == "<*>").count();
  if lead < 2 {
    return (tmpl.to_string(), 0);
  }
  let rest: Vec<&str> = tmpl.split(' ').skip(lead).collect();
  if rest.is_empty() {
    return ("<*>".to_string(), lead);
  }
  (format!("<*> {}", rest.join(" ")), lead)
}

/// ` (var 1: 12 distinct; var 2: a|b)` for the first two variable positions of a template
/// as quoted (see [`quoted`]; `lead` is the collapsed header run, which is skipped when
/// there are variables after it). `var k` is the k-th `<*>` of the quoted template.
fn values_summary(plan: &Plan<'_>, run: &Run, g: u32, tmpl: &str, lead: usize) -> String {
  let vars: Vec<usize> = tmpl
    .split(' ')
    .enumerate()
    .filter(|(_, t)| t.ends_with("<*>"))
    .map(|(p, _)| p)
    .collect();
  let skip = if lead >= 2 && vars.iter().any(|&p| p >= lead) {
    lead
  } else {
    0
  };
  // (position in the line, label number in the quoted template)
  let mut positions: Vec<(usize, usize)> = Vec::new();
  for (k, &p) in vars.iter().enumerate().filter(|&(_, &p)| p >= skip) {
    // Header variables all show as the quoted template's first `<*>`.
    let label = if lead >= 2 {
      k + 2 - lead.min(k + 1)
    } else {
      k + 1
    };
    if positions.len() == 2 {
      break;
    }
    if positions.last().is_none_or(|&(_, l)| l != label) {
      positions.push((p, label));
    }
  }
  // The values at each position, counted; each line is split once for both positions
  // (`positions` are in ascending order).
  let mut values: Vec<BTreeMap<&str, usize>> = vec![BTreeMap::new(); positions.len()];
  for i in run.start..run.end {
    if plan.group[i] != g || plan.lines[i].blank {
      continue;
    }
    let mut toks = crate::words::split_whitespace(&plan.lines[i].view);
    let mut at = 0;
    for (&(p, _), counts) in positions.iter().zip(values.iter_mut()) {
      let Some(v) = toks.nth(p - at) else { break };
      at = p + 1;
      *counts.entry(v).or_default() += 1;
    }
  }
  let mut parts = Vec::new();
  for (&(_, label), values) in positions.iter().zip(values) {
    // Values are listed when few and repeated (a category); distinct one-off values (ids,
    // ports) are only counted: listing them would restate the omitted lines.
    let lines: usize = values.values().sum();
    let listed = values.len() <= 3 && (values.len() == 1 || lines > values.len());
    let shown = if listed && values.keys().all(|v| v.chars().count() <= 24) {
      values.keys().copied().collect::<Vec<_>>().join("|")
    } else {
      format!("{} distinct", values.len())
    };
    parts.push(format!("var {label}: {shown}"));
  }
  if parts.is_empty() {
    String::new()
  } else {
    format!(" ({})", parts.join("; "))
  }
}

fn marker_text(plan: &Plan<'_>, run: &Run, key: &str) -> String {
  let b = breakdown(plan, run);
  Marker {
    omitted: (run.end - run.start) as u64,
    total: plan.lines.len() as u64,
    unit: "lines",
    breakdown: Some(&b),
    hash: key,
  }
  .render()
}

fn terminator(raw: &str) -> &str {
  &raw[line_content(raw).len()..]
}

fn render(plan: &Plan<'_>, key: &str) -> String {
  let mut out = String::with_capacity(plan.lines.iter().map(|l| l.raw.len()).sum::<usize>() / 4);
  if plan.ansi > 0 {
    let note = format!(
      "ANSI escape sequences removed from {} kept lines",
      plan.ansi
    );
    out.push_str(
      &Marker {
        omitted: 0,
        total: plan.lines.len() as u64,
        unit: "lines",
        breakdown: Some(&note),
        hash: key,
      }
      .render(),
    );
    let t = plan.lines.first().map_or("\n", |l| terminator(l.raw));
    out.push_str(if t.is_empty() { "\n" } else { t });
  }
  let mut runs = plan.runs.iter().peekable();
  let mut i = 0;
  while i < plan.lines.len() {
    if let Some(run) = runs.peek()
      && run.start == i
    {
      out.push_str(&marker_text(plan, run, key));
      out.push_str(terminator(plan.lines[run.end - 1].raw));
      i = run.end;
      runs.next();
      continue;
    }
    let l = &plan.lines[i];
    if plan.strip[i] {
      let stripped = strip_ansi(l.content);
      out.push_str(&stripped);
      out.push_str(terminator(l.raw));
    } else {
      out.push_str(l.raw);
    }
    i += 1;
  }
  out
}
