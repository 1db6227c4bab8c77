use headroom_logs::{MinerConfig, TemplateMiner};
use std::collections::HashMap;
fn ga(pred: &[u32], truth: &[String]) -> f64 {
  let mut pm: HashMap<u32, Vec<usize>> = HashMap::new();
  let mut tm: HashMap<&str, Vec<usize>> = HashMap::new();
  for (i, (p, t)) in pred.iter().zip(truth).enumerate() { pm.entry(*p).or_default().push(i); tm.entry(t).or_default().push(i); }
  let mut ok = 0;
  for (i, p) in pred.iter().enumerate() { if pm[p] == tm[truth[i].as_str()] { ok += 1; } }
  ok as f64 / pred.len() as f64
}
fn main() {
  if let Ok(s) = std::env::var("DEBUG") { debug(&s, 0.5, 2); return; }
  let args: Vec<String> = std::env::args().collect();
  let sim: f64 = args.get(1).map_or(0.7, |s| s.parse().unwrap());
  let depth: usize = args.get(2).map_or(2, |s| s.parse().unwrap());
  let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus/loghub");
  let mut sum = 0.0; let mut n = 0;
  let mut names: Vec<_> = std::fs::read_dir(root).unwrap().filter_map(|e| e.ok()).filter(|e| e.path().is_dir()).map(|e| e.file_name().into_string().unwrap()).collect();
  names.sort();
  for s in names {
    let mut rdr = csv::Reader::from_path(format!("{root}/{s}/{s}_2k.log_structured.csv")).unwrap();
    let h = rdr.headers().unwrap().clone();
    let ci = h.iter().position(|x| x == "Content").unwrap();
    let ei = h.iter().position(|x| x == "EventId").unwrap();
    let mut m = TemplateMiner::new(MinerConfig { similarity: sim, depth, ..MinerConfig::default() });
    let (mut p, mut t, mut ls) = (vec![], vec![], vec![]);
    for r in rdr.records() { let r = r.unwrap(); p.push(m.add(&r[ci])); t.push(r[ei].to_string()); ls.push(r[ci].to_string()); }
    let kv: usize = std::env::var("KV").ok().and_then(|v| v.parse().ok()).unwrap_or(3);
    if kv > 0 { let l: Vec<&str> = ls.iter().map(|s| s.as_str()).collect(); p = headroom_logs::refine(&m, &l, &p, kv).ids; }
    let g = ga(&p, &t);
    println!("{s:12} {g:.3} clusters={} truth={}", m.len(), t.iter().collect::<std::collections::HashSet<_>>().len());
    sum += g; n += 1;
  }
  println!("avg {:.4}", sum / n as f64);
}
#[allow(dead_code)]
pub fn debug(s: &str, sim: f64, depth: usize) {
  let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus/loghub");
  let mut rdr = csv::Reader::from_path(format!("{root}/{s}/{s}_2k.log_structured.csv")).unwrap();
  let h = rdr.headers().unwrap().clone();
  let ci = h.iter().position(|x| x == "Content").unwrap();
  let ei = h.iter().position(|x| x == "EventId").unwrap();
  let ti = h.iter().position(|x| x == "EventTemplate").unwrap();
  let mut m = TemplateMiner::new(MinerConfig { similarity: sim, depth, ..MinerConfig::default() });
  let mut rows = vec![];
  for r in rdr.records() { let r = r.unwrap(); let id = m.add(&r[ci]); rows.push((id, r[ei].to_string(), r[ti].to_string(), r[ci].to_string())); }
  let kv: usize = std::env::var("KV").ok().and_then(|v| v.parse().ok()).unwrap_or(0);
  let mut names = vec![]; for r in &rows { names.push(m.template(r.0)); }
  if kv > 0 { let l: Vec<&str> = rows.iter().map(|s| s.3.as_str()).collect(); let ids: Vec<u32> = rows.iter().map(|r| r.0).collect(); let rf = headroom_logs::refine(&m, &l, &ids, kv); for (r, g) in rows.iter_mut().zip(&rf.ids) { r.0 = *g; } struct T(Vec<String>); let _ = T(vec![]); names = rf.templates.clone(); let _ = &names; }
  let tmpl = |id: u32| if kv > 0 { names[id as usize].clone() } else { m.template(id) };
  let mut by_truth: std::collections::BTreeMap<String, std::collections::BTreeMap<u32, usize>> = Default::default();
  let mut by_pred: std::collections::BTreeMap<u32, std::collections::BTreeMap<String, usize>> = Default::default();
  for (id, e, _, _) in &rows { *by_truth.entry(e.clone()).or_default().entry(*id).or_default() += 1; *by_pred.entry(*id).or_default().entry(e.clone()).or_default() += 1; }
  for (e, ids) in &by_truth { if ids.len() > 1 { let tt = &rows.iter().find(|r| &r.1 == e).unwrap().2; println!("SPLIT {e} {tt:?}"); for (id, c) in ids { println!("    {c:5} {}", tmpl(*id)); } } }
  for (id, es) in &by_pred { if es.len() > 1 { println!("MERGE {}", tmpl(*id)); for (e, c) in es { println!("    {c:5} {e} {:?}", rows.iter().find(|r| &r.1 == e).unwrap().2); } } }
}
