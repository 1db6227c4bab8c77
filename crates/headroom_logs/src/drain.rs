//! Online template mining with a fixed-depth parse tree (the Drain algorithm, He et al.,
//! ICWS 2017), written from the paper's description.
//!
//! A line is split on whitespace and masked ([`crate::mask`]). The tree routes it:
//!
//! 1. first by its token count (lines of different lengths never share a template);
//! 2. then by its first `depth` tokens, one tree level each; a variable token goes to the
//!    `<*>` child, and once a node has `max_children` children any new token goes there too;
//! 3. the leaf holds a short list of clusters. The line joins the most similar one, where
//!    similarity is the share of positions whose template token equals the line's token,
//!    not counting positions that are variables in both (ties: the cluster with more
//!    wildcards, then the older one), if that share reaches `similarity` (default 0.7). Joining turns every differing position of the template into `<*>`.
//!    Otherwise the line starts a new cluster.
//!
//! **Fast path.** A line whose masked form (same tokens, same variables) was seen before
//! joins the cluster that line joined, without a tree walk (up to 65,536 remembered forms,
//! keyed by a 64-bit FxHash of the masked tokens).
//!
//! **Bounded memory.** At most `max_clusters` clusters (default 4096) and `max_leaf_clusters`
//! per leaf; a line that would start a cluster past either cap joins the most similar
//! cluster of its leaf instead (its template widens), or, when its leaf is empty, one shared
//! overflow cluster whose template is `<*>`. Lines count at most `max_tokens` tokens; the
//! rest of a longer line is one trailing wildcard. Every decision depends only on the lines
//! seen so far, in order, so the result is deterministic.

use rustc_hash::FxHashMap;

use crate::mask::{Masked, WILDCARD, is_spinner_glyph, mask_token};

/// Settings of a [`TemplateMiner`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MinerConfig {
  /// Tree levels keyed by leading tokens (Drain's depth minus 2).
  pub depth: usize,
  /// Minimum similarity (0..=1) for a line to join a cluster.
  pub similarity: f64,
  /// Children per tree node before new tokens are routed to the `<*>` child.
  pub max_children: usize,
  /// Most clusters in total.
  pub max_clusters: usize,
  /// Most clusters in one leaf.
  pub max_leaf_clusters: usize,
  /// Most tokens of a line that are compared.
  pub max_tokens: usize,
}

impl Default for MinerConfig {
  fn default() -> Self {
    MinerConfig {
      depth: 2,
      similarity: 0.7,
      max_children: 100,
      max_clusters: 4096,
      max_leaf_clusters: 256,
      max_tokens: 256,
    }
  }
}

/// The id of a cluster (a template), dense from 0 in order of creation.
pub type ClusterId = u32;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Tok {
  Wild,
  Const(Box<str>),
  KeyVar(Box<str>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LineTok<'a> {
  Wild,
  Const(&'a str),
  KeyVar(&'a str),
}

impl LineTok<'_> {
  pub(crate) fn matches(self, t: &Tok) -> bool {
    match (self, t) {
      (LineTok::Const(a), Tok::Const(b)) => a == &**b,
      (LineTok::KeyVar(a), Tok::KeyVar(b)) => a == &**b,
      _ => false,
    }
  }

  pub(crate) fn to_tok(self) -> Tok {
    match self {
      LineTok::Wild => Tok::Wild,
      LineTok::Const(s) => Tok::Const(s.into()),
      LineTok::KeyVar(s) => Tok::KeyVar(s.into()),
    }
  }
}

#[derive(Debug, Default)]
struct Node {
  children: FxHashMap<Box<str>, Node>,
  wild: Option<Box<Node>>,
  clusters: Vec<ClusterId>,
}

#[derive(Debug)]
struct Cluster {
  template: Vec<Tok>,
  size: u64,
  first: u64,
}

/// An online Drain-style template miner (see the module docs).
#[derive(Debug)]
pub struct TemplateMiner {
  config: MinerConfig,
  by_len: FxHashMap<usize, Node>,
  clusters: Vec<Cluster>,
  overflow: Option<ClusterId>,
  lines: u64,
  seen: FxHashMap<u64, ClusterId>,
}

impl Default for TemplateMiner {
  fn default() -> Self {
    Self::new(MinerConfig::default())
  }
}

/// Splits and masks a line the way the miner sees it.
pub(crate) fn tokenize(line: &str, max_tokens: usize) -> Vec<LineTok<'_>> {
  let mut out = Vec::new();
  for (i, raw) in crate::words::split_whitespace(line).enumerate() {
    if out.len() + 1 >= max_tokens.max(1) {
      out.push(LineTok::Wild);
      break;
    }
    let mut chars = raw.chars();
    let spinner = i == 0 && chars.next().is_some_and(is_spinner_glyph) && chars.next().is_none();
    out.push(if spinner {
      LineTok::Wild
    } else {
      match mask_token(raw) {
        Masked::Const(s) => LineTok::Const(s),
        Masked::Var => LineTok::Wild,
        Masked::KeyVar(k) => LineTok::KeyVar(k),
      }
    });
  }
  out
}

/// Most masked-line signatures remembered for the exact-match fast path.
const SEEN_CAP: usize = 1 << 16;

/// A 64-bit signature of a masked token sequence (FxHash: fixed, process-independent).
fn signature(toks: &[LineTok<'_>]) -> u64 {
  use std::hash::{Hash, Hasher};
  let mut h = rustc_hash::FxHasher::default();
  toks.len().hash(&mut h);
  for t in toks {
    match t {
      LineTok::Wild => 0u8.hash(&mut h),
      LineTok::Const(s) => (1u8, *s).hash(&mut h),
      LineTok::KeyVar(s) => (2u8, *s).hash(&mut h),
    }
  }
  h.finish()
}

/// Renders template tokens joined by single spaces, variables as `<*>`.
pub(crate) fn render_template(template: &[Tok]) -> String {
  let mut out = String::new();
  for (i, t) in template.iter().enumerate() {
    if i > 0 {
      out.push(' ');
    }
    match t {
      Tok::Wild => out.push_str(WILDCARD),
      Tok::Const(s) => out.push_str(s),
      Tok::KeyVar(k) => {
        out.push_str(k);
        out.push_str(WILDCARD);
      }
    }
  }
  out
}

impl TemplateMiner {
  /// A miner with the given settings.
  pub fn new(config: MinerConfig) -> Self {
    TemplateMiner {
      config,
      by_len: FxHashMap::default(),
      clusters: Vec::new(),
      overflow: None,
      lines: 0,
      seen: FxHashMap::default(),
    }
  }

  /// The settings.
  pub fn config(&self) -> &MinerConfig {
    &self.config
  }

  /// Adds one line (without its terminator) and returns the cluster it joined or started.
  pub fn add(&mut self, line: &str) -> ClusterId {
    self.add_tokens(&tokenize(line, self.config.max_tokens))
  }

  /// [`TemplateMiner::add`] of a line the caller has tokenized ([`tokenize`] with this
  /// miner's `max_tokens`).
  pub(crate) fn add_tokens(&mut self, toks: &[LineTok<'_>]) -> ClusterId {
    let seq = self.lines;
    self.lines += 1;
    let sig = signature(toks);
    if let Some(&id) = self.seen.get(&sig)
      && self.clusters[id as usize].template.len() == toks.len()
    {
      self.join(id, toks);
      return id;
    }
    let id = self.place(toks, seq);
    if self.seen.len() < SEEN_CAP {
      self.seen.insert(sig, id);
    }
    id
  }

  fn join(&mut self, id: ClusterId, toks: &[LineTok<'_>]) {
    let c = &mut self.clusters[id as usize];
    c.size += 1;
    for (t, l) in c.template.iter_mut().zip(toks) {
      if !matches!(t, Tok::Wild) && !l.matches(t) {
        *t = Tok::Wild;
      }
    }
  }

  fn place(&mut self, toks: &[LineTok<'_>], seq: u64) -> ClusterId {
    let cfg = self.config;
    let full = self.clusters.len() >= cfg.max_clusters;
    // Route, creating nodes only while the cluster cap leaves room for a new cluster.
    let mut node = self.by_len.entry(toks.len()).or_default();
    for tok in toks.iter().take(cfg.depth) {
      let key = match tok {
        LineTok::Const(s) => Some(*s),
        _ => None,
      };
      node = match key {
        Some(k) if node.children.contains_key(k) => node.children.get_mut(k).expect("present"),
        Some(k) if node.children.len() < cfg.max_children && !full => {
          node.children.entry(k.into()).or_default()
        }
        _ => node.wild.get_or_insert_with(Box::default),
      };
    }
    // Best cluster in the leaf.
    let mut best: Option<(ClusterId, usize, usize)> = None;
    for &id in &node.clusters {
      let c = &self.clusters[id as usize];
      let mut same = 0;
      let mut wild = 0;
      let mut both = 0;
      for (t, l) in c.template.iter().zip(toks) {
        if matches!(t, Tok::Wild) {
          wild += 1;
          both += usize::from(matches!(l, LineTok::Wild));
        } else if l.matches(t) {
          same += 1;
        }
      }
      // Similarity in thousandths; positions that are variables on both sides do not count.
      let denom = toks.len() - both;
      let same = (same * 1000usize).checked_div(denom).unwrap_or(1000);
      let better = match best {
        None => true,
        Some((_, s, w)) => same > s || (same == s && wild > w),
      };
      if better {
        best = Some((id, same, wild));
      }
    }
    let accept =
      best.is_some_and(|(_, same, _)| same as f64 >= cfg.similarity * 1000.0 || toks.is_empty());
    let leaf_full = node.clusters.len() >= cfg.max_leaf_clusters;
    let id = match best {
      Some((id, _, _)) if accept || full || leaf_full => id,
      None if full => {
        return *self.overflow.get_or_insert_with(|| {
          self.clusters.push(Cluster {
            template: vec![Tok::Wild],
            size: 0,
            first: seq,
          });
          (self.clusters.len() - 1) as ClusterId
        });
      }
      _ => {
        let id = self.clusters.len() as ClusterId;
        node.clusters.push(id);
        self.clusters.push(Cluster {
          template: toks.iter().map(|t| t.to_tok()).collect(),
          size: 1,
          first: seq,
        });
        return id;
      }
    };
    self.join(id, toks);
    id
  }

  /// Number of clusters (including the overflow cluster, if it was ever used).
  pub fn len(&self) -> usize {
    self.clusters.len()
  }

  /// Whether no line was added yet.
  pub fn is_empty(&self) -> bool {
    self.clusters.is_empty()
  }

  /// Lines added so far.
  pub fn lines(&self) -> u64 {
    self.lines
  }

  /// Lines in the cluster so far (0 for an unknown id).
  pub fn size(&self, id: ClusterId) -> u64 {
    self.clusters.get(id as usize).map_or(0, |c| c.size)
  }

  /// Sequence number (0-based, in [`TemplateMiner::add`] order) of the cluster's first line.
  pub fn first_line(&self, id: ClusterId) -> Option<u64> {
    self.clusters.get(id as usize).map(|c| c.first)
  }

  /// Whether the id is the shared overflow cluster (lines past the cluster cap).
  pub fn is_overflow(&self, id: ClusterId) -> bool {
    self.overflow == Some(id)
  }

  /// The cluster's current template: its tokens joined by single spaces, variables as `<*>`.
  pub fn template(&self, id: ClusterId) -> String {
    self
      .clusters
      .get(id as usize)
      .map_or_else(String::new, |c| render_template(&c.template))
  }

  /// The cluster's template tokens.
  pub(crate) fn template_toks(&self, id: ClusterId) -> &[Tok] {
    self.clusters.get(id as usize).map_or(&[], |c| &c.template)
  }

  /// Indexes (0-based, whitespace tokens) of the template's variable positions.
  pub fn variable_positions(&self, id: ClusterId) -> Vec<usize> {
    self.clusters.get(id as usize).map_or_else(Vec::new, |c| {
      c.template
        .iter()
        .enumerate()
        .filter(|(_, t)| !matches!(t, Tok::Const(_)))
        .map(|(i, _)| i)
        .collect()
    })
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn groups_lines_that_differ_in_variables() {
    let mut m = TemplateMiner::default();
    let a = m.add("Connected to 10.0.0.1 port 22");
    let b = m.add("Connected to 10.0.0.2 port 2222");
    let c = m.add("Disconnected from server");
    assert_eq!(a, b);
    assert_ne!(a, c);
    assert_eq!(m.template(a), "Connected to <*> port <*>");
    assert_eq!(m.size(a), 2);
    assert_eq!(m.first_line(c), Some(2));
  }

  #[test]
  fn template_widens_on_differing_words() {
    let mut m = TemplateMiner::default();
    let a = m.add("session opened for user alice by sshd");
    let b = m.add("session opened for user bob by sshd");
    assert_eq!(a, b);
    assert_eq!(m.template(a), "session opened for user <*> by sshd");
    assert_eq!(m.variable_positions(a), vec![4]);
    // Words in the routing depth (the first two tokens) are not compared: Drain keeps
    // such lines apart.
    assert_ne!(m.add("alice logged in"), m.add("bob logged in"));
  }

  #[test]
  fn cluster_cap_is_respected() {
    let mut m = TemplateMiner::new(MinerConfig {
      max_clusters: 8,
      ..MinerConfig::default()
    });
    for i in 0..200 {
      let words: String = (0..(i % 13 + 1))
        .map(|k| format!("w{}x{k} ", i % 7))
        .collect();
      m.add(&words.replace(char::is_numeric, "q"));
    }
    assert!(m.len() <= 9, "{}", m.len());
  }

  #[test]
  fn empty_and_whitespace_lines_share_a_cluster() {
    let mut m = TemplateMiner::default();
    assert_eq!(m.add(""), m.add("   "));
  }
}
