// `npm run bench:report`: renders the charts and the README's figures block from the results files
// present (benches/results/latest.json from `npm run bench`, headroom.json from
// `npm run bench:headroom`). Both benches call it at their end. Nothing here measures anything:
// every figure comes from a results file, so the same files give the same bytes.
//
//   benches/results/savings-by-type.svg    our savings per content type (lossless / balanced / aggressive)
//   benches/results/latency.svg            median and p99 per call per content type
//   benches/results/headroom-vs-native.svg savings and median latency per input group (needs headroom.json)
//   README.md                              the block between the bench:figures markers
import fs from 'node:fs'
import path from 'node:path'

import { type Chart, renderChart } from './report/svg'

const ROOT = path.resolve(__dirname, '..')
const RESULTS = path.join(__dirname, 'results')
const README = path.join(ROOT, 'README.md')
export const START = '<!-- bench:figures:start -->'
export const END = '<!-- bench:figures:end -->'

/** Goals from the issues, checked against the figures (the list of goals not met is generated). */
const GOALS = { codeMBs: 10, jsonMBs: 150, proseAnswerKept: 0.9, headroomLatencyRatio: 20 }

type Mode = 'lossless' | 'balanced' | 'aggressive'

interface Env {
  date: string
  node: string
  cpu: string
  cores: number
  memoryGiB: number
  platform: string
  commit?: string
  quick?: boolean
  seconds?: number
  python?: string
  headroomAi?: string
  headroomNative?: string
  shape?: string
  repeat?: number
  memoryMethod?: string
}

interface Row {
  suite: string
  name: string
  opsPerSec: number
  meanMs: number
  mbPerSec?: number
}

interface LatencyCase {
  name: string
  type?: string
  bytes: number
  runs: number
  medianMs: number
  p99Ms: number
  mbPerSecMedian: number
  peakRssMiB?: number
  growthMiB?: number
}

interface TypeFigures {
  type: string
  key?: string
  inputs: number
  tokensBefore: number
  tokensAfter: number
  tokensAfterByMode?: Record<Mode, number>
  quality: Record<string, string>
}

/** benches/results/latest.json (older files lack `latency` and `tokensAfterByMode`). */
export interface Latest {
  env: Env
  rows: Row[]
  latency?: { sampling: { minRuns: number; maxRuns: number; budgetMs: number }; memoryMethod: string; cases: LatencyCase[] }
  tokenSpeedups: { fixture: string; native: number; baseline: number; speedup: number }[]
  jsonSavings: { files: unknown[]; total: { tokens: number } & Record<Mode, number> }
  content: TypeFigures[]
  detectionAccuracy: { samples?: number; correct?: number; accuracy?: number; skipped?: string; error?: string }
}

type SideName = 'headroomDefault' | 'headroomAggressive' | 'oursBalanced' | 'oursAggressive'

interface SideSummary {
  tokensAfter: number
  saved: number
  errors: number
  medianMs: number | null
  p99Ms: number | null
  runs: number
}

interface Summary {
  name: string
  inputs: number
  tokensBefore: number
  sides: Record<SideName, SideSummary>
  latencyRatioDefault: number | null
  latencyRatioAggressive: number | null
}

/** benches/results/headroom.json. */
export interface Headroom {
  env: Env
  inputs: { name: string; group: string; tokensBefore: number; sides: Record<SideName, { tokensAfter: number | null; saved: number | null; medianMs: number | null; p99Ms: number | null }> }[]
  groups: Summary[]
  total: Summary
  errors: string[]
}

function readJson<T>(file: string): T | null {
  const p = path.join(RESULTS, file)
  return fs.existsSync(p) ? (JSON.parse(fs.readFileSync(p, 'utf8')) as T) : null
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`
const int = (n: number) => Math.round(n).toLocaleString('en-US')
/** Milliseconds with 3 significant-ish digits. */
const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toFixed(3))
const mbs = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(1))
const day = (iso: string) => iso.slice(0, 10)

/** The machine in one line. */
function machine(env: Env): string {
  return `${env.cpu}, ${env.cores} cores, ${env.memoryGiB} GiB, ${env.platform}, Node ${env.node.replace(/^v/, '')}`
}

/** Chart subtitle: which run, when, where. */
function runLine(command: string, env: Env): string {
  return `${command} on ${day(env.date)}${env.commit ? `, commit ${env.commit}` : ''}${env.quick ? ' (--quick)' : ''}; ${machine(env)}`
}

/** Savings per content type, JSON first: [label, before, after per mode (undefined where not measured)]. */
function savingsByType(latest: Latest): { label: string; before: number; byMode: Partial<Record<Mode, number>> }[] {
  const j = latest.jsonSavings.total
  const json = { label: 'json (headroom-generated)', before: j.tokens, byMode: { lossless: j.tokens * (1 - j.lossless), balanced: j.tokens * (1 - j.balanced), aggressive: j.tokens * (1 - j.aggressive) } }
  const rest = latest.content.map((f) => ({ label: f.key ? `${f.key} (${f.inputs} input${f.inputs === 1 ? '' : 's'})` : f.type, before: f.tokensBefore, byMode: f.tokensAfterByMode ?? { balanced: f.tokensAfter } }))
  return [json, ...rest]
}

/** savings-by-type.svg. */
export function savingsChart(latest: Latest): string {
  const types = savingsByType(latest)
  const saved = (m: Mode) => types.map((t) => (t.byMode[m] === undefined ? null : (1 - t.byMode[m]! / t.before) * 100))
  const chart: Chart = {
    title: 'headroom-native: tokens saved per content type',
    subtitle: [runLine('npm run bench', latest.env), 'o200k tokens, exact; every output checked for silent loss; real data (headroom-generated JSON, loghub, grep, git diffs, source files, SQuAD, HTML)'],
    panels: [
      {
        categories: types.map((t) => t.label),
        series: [
          { name: 'lossless', color: '#9ecae1', values: saved('lossless') },
          { name: 'balanced', color: '#3182bd', values: saved('balanced') },
          { name: 'aggressive', color: '#08306b', values: saved('aggressive') },
        ],
        axisLabel: 'tokens saved (%)',
        format: (v) => `${v.toFixed(1)}%`,
        scale: 'linear',
        max: 100,
      },
    ],
  }
  return renderChart(chart)
}

/** The first-sight compressText cases of each content type (cases with a `type`). */
function latencyByType(latest: Latest): LatencyCase[] {
  return (latest.latency?.cases ?? []).filter((c) => c.type)
}

/** latency.svg, or null when latest.json predates per-call timing. */
export function latencyChart(latest: Latest): string | null {
  const cases = latencyByType(latest)
  if (!cases.length || !latest.latency) return null
  const runs = cases.map((c) => c.runs)
  return renderChart({
    title: 'headroom-native: compressText latency per call, about 1 MB per content type',
    subtitle: [
      runLine('npm run bench', latest.env),
      `first sight (a fresh store per call), single thread; ${Math.min(...runs)}-${Math.max(...runs)} timed calls per type; p99 is the nearest rank (the slowest call below 100 calls)`,
    ],
    panels: [
      {
        categories: cases.map((c) => `${c.type} (${(c.bytes / 1e6).toFixed(2)} MB)`),
        series: [
          { name: 'median', color: '#3182bd', values: cases.map((c) => c.medianMs) },
          { name: 'p99', color: '#de2d26', values: cases.map((c) => c.p99Ms) },
        ],
        axisLabel: 'milliseconds per call',
        format: (v) => `${ms(v)} ms`,
        scale: 'linear',
      },
    ],
  })
}

/** headroom-vs-native.svg: savings (4 columns) and median latency per input group, plus the total. */
export function headroomChart(h: Headroom): string {
  const groups = [...h.groups, { ...h.total, name: 'all inputs' }]
  const cats = groups.map((g) => `${g.name} (${g.inputs})`)
  const saved = (s: SideName) => groups.map((g) => g.sides[s].saved * 100)
  const median = (s: SideName) => groups.map((g) => g.sides[s].medianMs)
  return renderChart({
    title: `headroom-native vs headroom ${h.env.headroomAi ?? ''} (PyPI headroom-ai), same inputs, same run`,
    subtitle: [
      runLine(`npm run bench:headroom (${h.env.shape ?? 'anthropic'} shape, ${h.env.repeat ?? '?'} timed calls per input and mode)`, h.env),
      'tokens: o200k of the whole request body, both outputs counted the same way; latency: first sight, median over the pooled calls of each group',
    ],
    panels: [
      {
        heading: 'Tokens saved',
        categories: cats,
        series: [
          { name: 'headroom default', color: '#fdae6b', values: saved('headroomDefault') },
          { name: 'headroom most aggressive', color: '#e6550d', values: saved('headroomAggressive') },
          { name: 'ours balanced', color: '#3182bd', values: saved('oursBalanced') },
          { name: 'ours aggressive', color: '#08306b', values: saved('oursAggressive') },
        ],
        axisLabel: 'tokens saved (%)',
        format: (v) => `${v.toFixed(1)}%`,
        scale: 'linear',
        max: 100,
      },
      {
        heading: 'Median latency per call (log scale)',
        categories: cats,
        series: [
          { name: 'headroom default', color: '#fdae6b', values: median('headroomDefault') },
          { name: 'ours balanced', color: '#3182bd', values: median('oursBalanced') },
        ],
        axisLabel: 'milliseconds per call (log scale)',
        format: (v) => `${ms(v)} ms`,
        scale: 'log',
      },
    ],
  })
}

const row = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`

/** Throughput, counting and call-overhead figures of latest.json. */
function throughputTable(l: Latest): string[] {
  const find = (name: string) => l.rows.find((r) => r.name.startsWith(name))
  const md = ['| what | headroom-native | baseline (same run) | ratio |', '|---|---:|---:|---:|']
  for (const t of l.tokenSpeedups) md.push(row([`o200k counting, ${t.fixture}, 4 KiB chunks`, `${mbs(t.native)} MB/s`, `gpt-tokenizer ${mbs(t.baseline)} MB/s`, `${t.speedup.toFixed(1)}x`]))
  const detect = find('detectContentType')
  if (detect?.mbPerSec) md.push(row(['content detection, 4 KiB chunks of all four', `${mbs(detect.mbPerSec)} MB/s`, '', '']))
  const a = l.detectionAccuracy
  if (typeof a.accuracy === 'number') md.push(row([`content detection accuracy, ${a.samples} labelled real samples`, `${(a.accuracy * 100).toFixed(2)}%`, '', '']))
  const napi = find('napi call: countTokens')
  const js = find('JS function call')
  if (napi && js) md.push(row(['napi call overhead, `countTokens("a")`', `${(napi.meanMs * 1000).toFixed(2)} µs per call`, `empty JS call ${(js.meanMs * 1000).toFixed(3)} µs`, '']))
  const j = l.jsonSavings.total
  md.push(row([`JSON savings, headroom-generated (${int(j.tokens)} tokens): lossless / balanced / aggressive`, `${pct(j.lossless)} / ${pct(j.balanced)} / ${pct(j.aggressive)}`, '', '']))
  const memo = find('compressText, same array again')
  const cold = find('compressText, 1 MB JSON array, balanced')
  const base = find('baseline: JSON.parse')
  if (cold?.mbPerSec && base?.mbPerSec) md.push(row(['`compressText`, 1 MB JSON array (all corpus schemas mixed), balanced, first sight (mean)', `${mbs(cold.mbPerSec)} MB/s`, `\`JSON.parse\`+\`JSON.stringify\` ${mbs(base.mbPerSec)} MB/s`, '']))
  if (memo?.mbPerSec) md.push(row(['`compressText`, the same array again (memo hit: resent history)', `${mbs(memo.mbPerSec)} MB/s (${ms(memo.meanMs)} ms)`, '', '']))
  return md
}

/** Per-call latency (median, p99) and peak memory of every compressText/compressBody case. */
function latencyTable(l: Latest): string[] {
  if (!l.latency) return ['Per-call latency: this latest.json predates it; run `npm run bench`.']
  const md = [
    `Per call, first sight, single thread: at least ${l.latency.sampling.minRuns} timed calls per case after one untimed call; p99 is the nearest rank (with fewer than 100 calls, the slowest). Memory: ${l.latency.memoryMethod}.`,
    '',
    '| case | calls | median | p99 | MB/s at median | peak RSS of one call (growth) |',
    '|---|---:|---:|---:|---:|---:|',
  ]
  for (const c of l.latency.cases) md.push(row([c.name, c.runs, `${ms(c.medianMs)} ms`, `${ms(c.p99Ms)} ms`, c.bytes ? mbs(c.mbPerSecMedian) : '', c.peakRssMiB === undefined ? '' : `${int(c.peakRssMiB)} MiB (+${c.growthMiB})`]))
  return md
}

/** Savings and quality per content type, every mode where measured. */
function contentTable(l: Latest): string[] {
  const md = ['| content | inputs | tokens before | saved: lossless | balanced | aggressive | quality (balanced) |', '|---|---:|---:|---:|---:|---:|---|']
  const j = l.jsonSavings.total
  md.push(row(['JSON: headroom-generated', l.jsonSavings.files.length, int(j.tokens), pct(j.lossless), pct(j.balanced), pct(j.aggressive), 'zero silent loss checked']))
  for (const f of l.content) {
    const s = (m: Mode) => (f.tokensAfterByMode ? pct(1 - f.tokensAfterByMode[m] / f.tokensBefore) : m === 'balanced' ? pct(1 - f.tokensAfter / f.tokensBefore) : '')
    const q = Object.entries(f.quality).map(([k, v]) => `${k}: ${v}`)
    md.push(row([f.type, int(f.inputs), int(f.tokensBefore), s('lossless'), s('balanced'), s('aggressive'), q.join('; ')]))
  }
  return md
}

/** Side by side with headroom: aggregate, per group, and where headroom saves more. */
function headroomSection(h: Headroom): string[] {
  const t = h.total
  const label: Record<SideName, string> = {
    headroomDefault: `headroom ${h.env.headroomAi}, defaults`,
    headroomAggressive: `headroom ${h.env.headroomAi}, most aggressive settings`,
    oursBalanced: 'headroom-native, balanced',
    oursAggressive: 'headroom-native, aggressive',
  }
  const sides: SideName[] = ['headroomDefault', 'headroomAggressive', 'oursBalanced', 'oursAggressive']
  const md = [
    `${runLine('`npm run bench:headroom`', h.env)}, Python ${h.env.python}; ${t.inputs} inputs, ${h.env.shape} request shape, ${h.env.repeat} timed first-sight calls per input and mode. Per input: \`benches/results/headroom.md\`.`,
    '',
    `| | tokens after (of ${int(t.tokensBefore)}) | saved | median / p99 latency per call |`,
    '|---|---:|---:|---:|',
  ]
  for (const s of sides) {
    const x = t.sides[s]
    const ratio = s === 'oursBalanced' && t.latencyRatioDefault ? ` (${t.latencyRatioDefault.toFixed(1)}x lower median)` : s === 'oursAggressive' && t.latencyRatioAggressive ? ` (${t.latencyRatioAggressive.toFixed(1)}x lower median)` : ''
    md.push(row([label[s], int(x.tokensAfter), pct(x.saved), x.medianMs === null ? '' : `${ms(x.medianMs)} / ${ms(x.p99Ms!)} ms${ratio}`]))
  }
  md.push('', '| input group | inputs | tokens before | headroom default / aggressive saved | ours balanced / aggressive saved | median ms, headroom / ours | ratio |', '|---|---:|---:|---:|---:|---:|---:|')
  for (const g of h.groups) {
    const s = g.sides
    md.push(row([g.name, g.inputs, int(g.tokensBefore), `${pct(s.headroomDefault.saved)} / ${pct(s.headroomAggressive.saved)}`, `${pct(s.oursBalanced.saved)} / ${pct(s.oursAggressive.saved)}`, `${s.headroomDefault.medianMs === null ? '' : ms(s.headroomDefault.medianMs)} / ${ms(s.oursBalanced.medianMs!)}`, g.latencyRatioDefault ? `${g.latencyRatioDefault.toFixed(1)}x` : '']))
  }
  const best = (x: Headroom['inputs'][number], a: SideName, b: SideName) => Math.max(x.sides[a].saved ?? 0, x.sides[b].saved ?? 0)
  const behind = h.inputs.filter((x) => best(x, 'headroomDefault', 'headroomAggressive') > (x.sides.oursBalanced.saved ?? 0))
  md.push('')
  if (behind.length) {
    md.push('Inputs where headroom saves more than our balanced mode:', '')
    for (const x of behind) md.push(`- ${x.name}: headroom ${pct(best(x, 'headroomDefault', 'headroomAggressive'))}, ours ${pct(x.sides.oursBalanced.saved ?? 0)} balanced / ${pct(x.sides.oursAggressive.saved ?? 0)} aggressive`)
  } else md.push("On every input, our balanced mode saves at least as much as headroom's best.")
  if (h.errors.length) md.push('', `headroom errors (counted as no savings): ${h.errors.join('; ')}`)
  return md
}

/** Goals of the issues that this run's figures do not meet (generated, so it cannot go stale). */
function goalsNotMet(l: Latest | null, h: Headroom | null): string[] {
  const out: string[] = []
  if (l?.latency) {
    const code = l.latency.cases.find((c) => c.type === 'code')
    if (code && code.mbPerSecMedian < GOALS.codeMBs) out.push(`code compression runs at ${mbs(code.mbPerSecMedian)} MB/s at the median call, below the ${GOALS.codeMBs} MB/s goal`)
    const json = l.latency.cases.find((c) => c.type === 'json')
    if (json && json.mbPerSecMedian < GOALS.jsonMBs) out.push(`JSON compression (1 MB array, first sight) runs at ${mbs(json.mbPerSecMedian)} MB/s at the median call, below the ${GOALS.jsonMBs} MB/s goal of issue #3`)
  }
  const prose = l?.content.find((f) => f.key === 'prose')
  const kept = prose?.quality['answer kept']?.match(/^([\d.]+)%/)
  if (kept && Number(kept[1]) / 100 < GOALS.proseAnswerKept) out.push(`SQuAD answer retention per paragraph is ${kept[1]}%, below the ${GOALS.proseAnswerKept * 100}% goal`)
  if (h) {
    const r = h.total.latencyRatioDefault
    if (r !== null && r < GOALS.headroomLatencyRatio) out.push(`the pooled median latency is ${r.toFixed(1)}x lower than headroom's, below the ${GOALS.headroomLatencyRatio}x target`)
    const slow = h.inputs.filter((x) => x.sides.headroomDefault.medianMs !== null && x.sides.oursBalanced.medianMs !== null && x.sides.headroomDefault.medianMs / x.sides.oursBalanced.medianMs < GOALS.headroomLatencyRatio)
    if (slow.length) out.push(`${slow.length} of ${h.inputs.length} inputs are under ${GOALS.headroomLatencyRatio}x faster than headroom`)
    const behind = h.groups.filter((g) => Math.max(g.sides.headroomDefault.saved, g.sides.headroomAggressive.saved) > Math.max(g.sides.oursBalanced.saved, g.sides.oursAggressive.saved))
    for (const g of behind) out.push(`on ${g.name}, headroom saves more than our best mode (${pct(Math.max(g.sides.headroomDefault.saved, g.sides.headroomAggressive.saved))} vs ${pct(Math.max(g.sides.oursBalanced.saved, g.sides.oursAggressive.saved))})`)
  }
  return out
}

/** The README block between the markers (markers excluded). */
export function figuresBlock(l: Latest | null, h: Headroom | null): string[] {
  const md = ['<!-- Generated by benches/report.ts from benches/results/*.json: edit the generator, not this block. -->', '']
  if (l) md.push(`Machine: ${machine(l.env)}. Figures: \`npm run bench\` on ${day(l.env.date)}${l.env.commit ? ` (commit ${l.env.commit})` : ''}${l.env.quick ? ', **--quick run**' : ''}, all from that one run (\`benches/results/latest.{json,md}\`).`)
  else md.push('No `benches/results/latest.json` yet: run `npm run bench` (about 3 minutes) to produce it, then this block is regenerated.')
  md.push('', 'Reproduce:', '', '```sh', 'npm run bench                                        # latest.{json,md}, charts, this block', 'npm run bench -- --quick                             # fewer runs, for development', 'bash benches/headroom/setup.sh && npm run bench:headroom   # headroom.{json,md}, side by side', 'npm run bench:report                                 # charts and this block from the results present', '```', '')
  if (l) {
    md.push('![Tokens saved per content type](benches/results/savings-by-type.svg)', '')
    if (l.latency) md.push('![Latency per call per content type](benches/results/latency.svg)', '')
  }
  if (h) md.push('![headroom-native vs headroom: savings and latency per input group](benches/results/headroom-vs-native.svg)', '')
  if (l) {
    md.push('#### Throughput and counting', '', ...throughputTable(l), '')
    md.push('#### Savings and quality per content type', '', 'o200k tokens, every output of every mode checked by `checkNoSilentLoss` (`benches/content.ts`).', '', ...contentTable(l), '')
    md.push('#### Latency per call and peak memory', '', ...latencyTable(l), '')
  }
  md.push('#### Side by side with headroom', '')
  if (h) md.push(...headroomSection(h), '')
  else md.push('No `benches/results/headroom.json` yet: run `bash benches/headroom/setup.sh` once, then `npm run bench:headroom`.', '')
  const gaps = goalsNotMet(l, h)
  if (gaps.length) md.push('#### Goals not met in these runs', '', ...gaps.map((g) => `- ${g}`), '')
  return md
}

/** Replaces the block between the markers in `readme` (throws when the markers are missing). */
export function replaceBlock(readme: string, block: string[]): string {
  const a = readme.indexOf(START)
  const b = readme.indexOf(END)
  if (a < 0 || b < a) throw new Error(`README.md has no ${START} ... ${END} block`)
  return readme.slice(0, a + START.length) + '\n' + block.join('\n') + '\n' + readme.slice(b)
}

/** Writes a file only when its bytes change (keeps mtimes and git quiet). */
function write(file: string, text: string): void {
  if (fs.existsSync(file) && fs.readFileSync(file, 'utf8') === text) return
  fs.writeFileSync(file, text)
  process.stderr.write(`[report] wrote ${path.relative(ROOT, file)}\n`)
}

/** Renders every chart the results files allow and rewrites the README block. */
export function report(): void {
  const latest = readJson<Latest>('latest.json')
  const headroom = readJson<Headroom>('headroom.json')
  if (latest) {
    write(path.join(RESULTS, 'savings-by-type.svg'), savingsChart(latest))
    const lat = latencyChart(latest)
    if (lat) write(path.join(RESULTS, 'latency.svg'), lat)
  }
  if (headroom) write(path.join(RESULTS, 'headroom-vs-native.svg'), headroomChart(headroom))
  write(README, replaceBlock(fs.readFileSync(README, 'utf8'), figuresBlock(latest, headroom)))
}

if (require.main === module) report()
