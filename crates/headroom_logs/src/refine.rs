//! Refinement: splitting a mined cluster on positions that hold only a few distinct words.
//!
//! Drain widens a template as soon as two lines differ in one word, so `Starting X
//! initialization.` and `Starting X finalization.` share `Starting X <*>`. After mining, each
//! cluster is looked at as a whole: a wildcard position where every line holds a word (no
//! masked variable) and the lines show between 2 and `max_values` distinct words is an
//! event-naming constant, not a parameter, and the cluster is split by the words at such
//! positions. Positions with many distinct words (user names, hosts) stay variables. Group
//! ids are assigned in order of first appearance, so the result is deterministic.

use rustc_hash::FxHashMap;

use crate::drain::{ClusterId, LineTok, TemplateMiner, Tok, render_template, tokenize};
use crate::mask::is_word_like;

/// Groups after refinement.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Refined {
  /// The group of each line, dense from 0 in order of first appearance.
  pub ids: Vec<u32>,
  /// Each group's template (`<*>` for variables).
  pub templates: Vec<String>,
  /// Each group's line count.
  pub sizes: Vec<u64>,
  /// Each group's first line (index into the lines given to [`refine`]).
  pub first: Vec<usize>,
}

/// Constant tokens two templates must share besides the differing one to merge.
const MERGE_MIN_CONSTS: usize = 3;

/// Union-find root.
fn root(parent: &mut [ClusterId], mut x: ClusterId) -> ClusterId {
  while parent[x as usize] != x {
    let p = parent[parent[x as usize] as usize];
    parent[x as usize] = p;
    x = p;
  }
  x
}

/// Merges clusters of one length whose templates differ in at most one of the leading
/// (tree-routing) positions: Drain never compares lines whose first words differ, so two
/// events that differ only in a leading word (`com.apple.xpc.launchd: ...` and
/// `com.apple.cdscheduler: ...`) end up in separate clusters. Returns each cluster's root
/// and each root's merged template.
fn merge_leading(miner: &TemplateMiner) -> (Vec<ClusterId>, Vec<Vec<Tok>>) {
  let n = miner.len();
  let mut parent: Vec<ClusterId> = (0..n as ClusterId).collect();
  let depth = miner.config().depth;
  let mut seen: FxHashMap<(usize, Vec<Tok>), ClusterId> = FxHashMap::default();
  for id in 0..n as ClusterId {
    if miner.is_overflow(id) {
      continue;
    }
    let t = miner.template_toks(id);
    let consts = t.iter().filter(|x| !matches!(x, Tok::Wild)).count();
    for p in 0..depth.min(t.len()) {
      let word = match &t[p] {
        Tok::Const(w) => is_word_like(w),
        Tok::KeyVar(_) => true,
        Tok::Wild => false,
      };
      let others = consts - usize::from(!matches!(t[p], Tok::Wild));
      if word || others < MERGE_MIN_CONSTS {
        continue;
      }
      let mut key = t.to_vec();
      key[p] = Tok::Wild;
      match seen.get(&(p, key.clone())) {
        Some(&other) => {
          let (a, b) = (root(&mut parent, other), root(&mut parent, id));
          if a != b {
            parent[a.max(b) as usize] = a.min(b);
          }
        }
        None => {
          seen.insert((p, key), id);
        }
      }
    }
  }
  let mut merged: Vec<Vec<Tok>> = vec![Vec::new(); n];
  for id in 0..n as ClusterId {
    let r = root(&mut parent, id);
    parent[id as usize] = r;
    let t = miner.template_toks(id);
    let m = &mut merged[r as usize];
    if m.is_empty() {
      *m = t.to_vec();
    } else {
      for (a, b) in m.iter_mut().zip(t) {
        if a != b {
          *a = Tok::Wild;
        }
      }
    }
  }
  (parent, merged)
}

/// Refines the clusters `ids` (one per line, from `miner`) of `lines` (see the module docs).
pub fn refine(
  miner: &TemplateMiner,
  lines: &[&str],
  ids: &[ClusterId],
  max_values: usize,
) -> Refined {
  let max_tokens = miner.config().max_tokens;
  let toks: Vec<Vec<LineTok<'_>>> = lines.iter().map(|l| tokenize(l, max_tokens)).collect();
  refine_tokens(miner, &toks, ids, max_values)
}

/// [`refine`] of lines the caller has tokenized already (as [`TemplateMiner`] sees them:
/// [`tokenize`] with the miner's `max_tokens`), so each line is tokenized once.
pub(crate) fn refine_tokens<'a>(
  miner: &TemplateMiner,
  toks_of: &[Vec<LineTok<'a>>],
  ids: &[ClusterId],
  max_values: usize,
) -> Refined {
  let n = toks_of.len().min(ids.len());
  let (roots, merged) = merge_leading(miner);
  let mut sizes: Vec<u64> = vec![0; miner.len()];
  for &id in &ids[..n] {
    if let Some(r) = roots.get(id as usize) {
      sizes[*r as usize] += 1;
    }
  }
  let root_of = |id: ClusterId| roots.get(id as usize).copied().unwrap_or(id);
  let wild_at = |r: ClusterId, p: usize| {
    merged
      .get(r as usize)
      .and_then(|t| t.get(p))
      .is_some_and(|t| matches!(t, Tok::Wild))
  };
  // Per cluster, per position: distinct words seen (capped), or "variable".
  #[derive(Default)]
  struct PosStat<'a> {
    values: Vec<&'a str>,
    variable: bool,
  }
  let mut stats: FxHashMap<ClusterId, Vec<PosStat<'a>>> = FxHashMap::default();
  for (i, toks) in toks_of[..n].iter().enumerate() {
    let id = root_of(ids[i]);
    if !miner.is_overflow(id) && sizes.get(id as usize).is_some_and(|&s| s >= 2) {
      let st = stats
        .entry(id)
        .or_insert_with(|| (0..toks.len()).map(|_| PosStat::default()).collect());
      for (p, t) in toks.iter().enumerate() {
        let Some(ps) = st.get_mut(p) else { break };
        if ps.variable || !wild_at(id, p) {
          continue;
        }
        match t {
          LineTok::Const(s) | LineTok::KeyVar(s) if is_word_like(s) => {
            if !ps.values.contains(s) {
              if ps.values.len() >= max_values {
                ps.variable = true;
              } else {
                ps.values.push(s);
              }
            }
          }
          _ => ps.variable = true,
        }
      }
    }
  }
  let mut out = Refined::default();
  let mut group_of: FxHashMap<(ClusterId, Vec<&str>), u32> = FxHashMap::default();
  let mut group_toks: Vec<Vec<Tok>> = Vec::new();
  for (i, toks) in toks_of[..n].iter().enumerate() {
    let id = root_of(ids[i]);
    let key: Vec<&str> = match stats.get(&id) {
      Some(st) => st
        .iter()
        .zip(toks)
        .filter(|(ps, _)| !ps.variable && ps.values.len() >= 2)
        .map(|(_, t)| match t {
          LineTok::Const(s) | LineTok::KeyVar(s) => *s,
          LineTok::Wild => "",
        })
        .collect(),
      None => Vec::new(),
    };
    let next = out.templates.len() as u32;
    let g = *group_of.entry((id, key)).or_insert(next);
    if g == next {
      out.templates.push(String::new());
      out.sizes.push(0);
      out.first.push(i);
      group_toks.push(if miner.is_overflow(id) {
        vec![Tok::Wild]
      } else {
        toks.iter().map(|t| t.to_tok()).collect()
      });
    } else if !miner.is_overflow(id) {
      for (t, l) in group_toks[g as usize].iter_mut().zip(toks) {
        if !matches!(t, Tok::Wild) && !l.matches(t) {
          *t = Tok::Wild;
        }
      }
    }
    out.sizes[g as usize] += 1;
    out.ids.push(g);
  }
  for (g, t) in group_toks.iter().enumerate() {
    out.templates[g] = render_template(t);
  }
  out
}
