// `npm run bench`: token counting vs gpt-tokenizer, detection throughput and accuracy, napi
// call overhead, compressBody latency, per-content-type savings, throughput and quality.
// Ratios are measured in the same run. Writes benches/results/latest.json and
// benches/results/latest.md, then renders the charts and the README block (benches/report.ts).
// The compressText/compressBody cases are timed call by call (median and p99, not benny's mean)
// with the process's peak RSS during each case; progress goes to stderr, one line per suite.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import b from 'benny'

import * as hr from '../index'
import { type Case, compressCases, crushCases, detectCase, jsonArrayMiB, overheadCases, tokenCases } from './cases'
import { contentFigures, contentMarkdown, contentThroughputCases } from './content'
import { CORPUS, tokenFixtures } from './data'
import { report } from './report'
import { type Distribution, MEMORY_METHOD, type PeakMemory, type SampleConfig, childPeakMemory, distribution, sampleMs } from './report/stats'

const RESULTS = path.join(__dirname, 'results')
const quick = process.argv.includes('--quick')
const caseConfig = quick ? { minSamples: 3, maxTime: 0.5 } : { minSamples: 10, maxTime: 3 }
const sampleConfig: SampleConfig = quick ? { minRuns: 5, maxRuns: 100, budgetMs: 500 } : { minRuns: 20, maxRuns: 1000, budgetMs: 3000 }

interface Row {
  suite: string
  name: string
  opsPerSec: number
  marginPct: number
  meanMs: number
  mbPerSec?: number
}

/** One compressText/compressBody case timed call by call, with peak memory. */
interface LatencyRow extends Distribution, Partial<PeakMemory> {
  suite: string
  name: string
  /** Content type of the input, where the case is one type's first-sight compression. */
  type?: string
  bytes: number
  /** MB/s at the median call. */
  mbPerSecMedian: number
}

/** Progress on stderr: one line per suite, with the time since the start. */
const started = Date.now()
function progress(line: string): void {
  process.stderr.write(`[bench ${Math.round((Date.now() - started) / 1000)}s] ${line}\n`)
}

async function run(suite: string, cases: Case[]): Promise<Row[]> {
  progress(suite)
  const byName = new Map(cases.map((c) => [c.name, c]))
  const summary = await b.suite(
    suite,
    b.configure({ cases: caseConfig }),
    ...cases.map((c) => b.add(c.name, c.fn)),
    b.cycle(),
  )
  return summary.results.map((r) => {
    const c = byName.get(r.name)!
    const row: Row = { suite, name: r.name, opsPerSec: r.ops, marginPct: r.margin, meanMs: r.details.mean * 1000 }
    if (c.bytes) row.mbPerSec = (r.ops * c.bytes) / 1e6
    return row
  })
}

/** Times each case call by call (see {@link sampleMs}), then measures one call's peak memory in a fresh process; a benny-like row plus the distribution. */
function runSampled(suite: string, cases: Case[], latency: LatencyRow[]): Row[] {
  progress(`${suite} (${cases.length} cases, per-call timing)`)
  return cases.map((c) => {
    const ms = sampleMs(c.fn, sampleConfig)
    const memory = c.peak ? childPeakMemory(c.peak) : null
    const d = distribution(ms)
    const sd = Math.sqrt(ms.reduce((a, x) => a + (x - d.meanMs) ** 2, 0) / Math.max(1, ms.length - 1))
    latency.push({ suite, name: c.name, type: c.type, bytes: c.bytes, ...d, mbPerSecMedian: c.bytes / 1e3 / d.medianMs, ...(memory ?? {}) })
    const row: Row = { suite, name: c.name, opsPerSec: 1000 / d.meanMs, marginPct: ((1.96 * sd) / Math.sqrt(ms.length) / d.meanMs) * 100, meanMs: d.meanMs }
    if (c.bytes) row.mbPerSec = c.bytes / 1e3 / d.meanMs
    return row
  })
}

/** The labelled-set dumper: the prebuilt example where one exists (`$CARGO_TARGET_DIR` or ./target), else `cargo run`. */
function confusionCommand(dump: string): [string, string[]] {
  const target = process.env.CARGO_TARGET_DIR ?? path.resolve(__dirname, '..', 'target')
  const bin = path.join(target, 'release', 'examples', process.platform === 'win32' ? 'confusion.exe' : 'confusion')
  if (fs.existsSync(bin)) return [bin, ['--dump', dump]]
  return ['cargo', ['run', '-q', '--release', '-p', 'headroom_detect', '--example', 'confusion', '--', '--dump', dump]]
}

/** Detection accuracy through the binding, on the labelled set of real samples. */
function detectionAccuracy() {
  const dump = path.join(os.tmpdir(), `headroom-labelled-${process.pid}.jsonl`)
  const [cmd, args] = confusionCommand(dump)
  const r = spawnSync(cmd, args, {
    cwd: path.resolve(__dirname, '..'),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  if (r.status !== 0 || !fs.existsSync(dump)) return { error: 'cargo not available: labelled set not built' }
  const samples = fs.readFileSync(dump, 'utf8').trim().split('\n').map((l) => JSON.parse(l))
  fs.rmSync(dump)
  const confusion: Record<string, Record<string, number>> = {}
  let correct = 0
  const misses: string[] = []
  for (const s of samples) {
    const d = hr.detectContentType(s.text)
    const ok = d.type === s.type && (s.type !== 'code' || d.language === s.language)
    if (ok) correct++
    else misses.push(`${s.name}: expected ${s.type}${s.language ? `/${s.language}` : ''}, got ${d.type}${d.language ? `/${d.language}` : ''}`)
    confusion[s.type] ??= {}
    confusion[s.type][d.type] = (confusion[s.type][d.type] ?? 0) + 1
  }
  return { samples: samples.length, correct, accuracy: correct / samples.length, confusion, misses, matrixText: r.stdout }
}

function requests() {
  const gen = path.join(CORPUS, 'headroom-generated')
  const tool = (f: string) => fs.readFileSync(path.join(gen, f), 'utf8')
  const anthropic = (text: string) => ({
    model: 'claude-sonnet-4-5',
    max_tokens: 1024,
    messages: [
      { role: 'user', content: 'What stands out?' },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'read', input: {} }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: text }] },
    ],
  })
  return [
    { name: 'Anthropic, 45 KB JSON tool result', body: anthropic(tool('metrics_data.json')) },
    { name: 'Anthropic, 4 KB JSON tool result', body: anthropic(tool('metrics_data.json').slice(0, 4000)) },
    { name: 'OpenAI transcript, 30 KB, 20 messages', body: { model: 'gpt-4o', messages: JSON.parse(tool('agentic_conversation_openai.json')) } },
  ]
}

function pct(x: number) {
  return `${(x * 100).toFixed(1)}%`
}

/** Tokens saved per file by compressText in each mode, with every output checked for silent loss. */
function jsonSavings(files: string[], texts: string[]) {
  const store = hr.Store.memory()
  const modes = ['lossless', 'balanced', 'aggressive'] as const
  const total = { tokens: 0, lossless: 0, balanced: 0, aggressive: 0 }
  const saved = { lossless: 0, balanced: 0, aggressive: 0 }
  const rows = files.map((file, i) => {
    const text = texts[i]
    const tokens = hr.countTokens(text)
    total.tokens += tokens
    const row = { file, tokens, lossless: 0, balanced: 0, aggressive: 0 }
    for (const mode of modes) {
      const r = hr.compressText(text, { mode, store, minTokens: 0 })
      if (r.contentType === 'json' && r.strategy) hr.checkNoSilentLoss(text, r.text, { store })
      row[mode] = (tokens - r.tokensAfter) / tokens
      saved[mode] += tokens - r.tokensAfter
    }
    return row
  })
  for (const mode of modes) total[mode] = saved[mode] / total.tokens
  return { files: rows, total }
}

function fmt(n: number | undefined, digits = 1) {
  return n === undefined ? '' : n >= 1000 ? Math.round(n).toLocaleString('en-US') : n.toFixed(digits)
}

/** Milliseconds with enough digits to read. */
function ms(x: number) {
  return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toFixed(3)
}

/** The per-call latency and memory table of latest.md. */
function latencyMarkdown(latency: LatencyRow[]): string[] {
  const md = ['| case | type | runs | median ms | p99 ms | mean ms | MB/s at median | peak RSS MiB | RSS growth MiB |', '|---|---|---:|---:|---:|---:|---:|---:|---:|']
  for (const l of latency) md.push(`| ${l.name} | ${l.type ?? ''} | ${l.runs} | ${ms(l.medianMs)} | ${ms(l.p99Ms)} | ${ms(l.meanMs)} | ${fmt(l.mbPerSecMedian)} | ${l.peakRssMiB ?? ''} | ${l.growthMiB ?? ''} |`)
  return md
}

async function main() {
  const fixtures = tokenFixtures()
  const rows: Row[] = []
  const ratios: { fixture: string; native: number; baseline: number; speedup: number }[] = []
  for (const f of fixtures) {
    const { native, baseline } = tokenCases(f)
    // Exactness first: a fast wrong count is worthless.
    const mismatch = f.chunks.findIndex((c) => hr.countTokens(c) !== require('gpt-tokenizer/encoding/o200k_base').countTokens(c, { disallowedSpecial: new Set() }))
    if (mismatch >= 0) throw new Error(`count mismatch on ${f.name} chunk ${mismatch}`)
    const r = await run(`o200k token counting: ${f.name} (${(f.bytes / 1e6).toFixed(2)} MB in 4 KiB chunks)`, [native, baseline])
    rows.push(...r)
    ratios.push({ fixture: f.name, native: r[0].mbPerSec!, baseline: r[1].mbPerSec!, speedup: r[0].opsPerSec / r[1].opsPerSec })
  }
  rows.push(...(await run('content detection', [detectCase(fixtures)])))
  rows.push(...(await run('napi call overhead', overheadCases())))
  const latency: LatencyRow[] = []
  rows.push(...runSampled('compressBody latency', compressCases(requests()), latency))
  const gen = path.join(CORPUS, 'headroom-generated')
  const genFiles = fs.readdirSync(gen).filter((f) => f.endsWith('.json')).sort()
  const genTexts = genFiles.map((f) => fs.readFileSync(path.join(gen, f), 'utf8'))
  rows.push(...runSampled('JSON compression throughput (string in, string out)', crushCases(jsonArrayMiB(genTexts)), latency))
  rows.push(...runSampled('content compression throughput (string in, string out)', contentThroughputCases(), latency))
  progress('JSON savings on headroom-generated (3 modes)')
  const savings = jsonSavings(genFiles, genTexts)
  progress('savings and quality per content type (3 modes, every output checked)')
  const content = contentFigures()
  if (!quick) progress('content detection accuracy (labelled set)')
  const accuracy = quick ? { skipped: '--quick' } : detectionAccuracy()

  const env = {
    date: new Date().toISOString(),
    node: process.version,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    platform: `${process.platform}-${process.arch}`,
    commit: spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: path.resolve(__dirname, '..'), encoding: 'utf8' }).stdout?.trim() || 'unknown',
    headroomNative: hr.nativeVersion,
    quick,
    seconds: Math.round((Date.now() - started) / 1000),
  }
  fs.mkdirSync(RESULTS, { recursive: true })
  fs.writeFileSync(path.join(RESULTS, 'latest.json'), JSON.stringify({ env, rows, latency: { sampling: sampleConfig, memoryMethod: MEMORY_METHOD, cases: latency }, tokenSpeedups: ratios, jsonSavings: savings, content, detectionAccuracy: accuracy }, null, 2) + '\n')

  const md: string[] = []
  md.push(`# Benchmark results`, '', `\`npm run bench\` on ${env.cpu} (${env.cores} cores, ${env.memoryGiB} GiB), Node ${env.node}, ${env.date}.`, '')
  md.push('## o200k token counting, single thread, 4 KiB chunks', '', '| input | headroom-native MB/s | gpt-tokenizer MB/s | speed-up |', '|---|---:|---:|---:|')
  for (const r of ratios) md.push(`| ${r.fixture} | ${fmt(r.native)} | ${fmt(r.baseline)} | ${r.speedup.toFixed(1)}x |`)
  md.push('', '## JSON savings on headroom-generated (o200k tokens, zero-silent-loss checked)', '', '| file | tokens | lossless | balanced | aggressive |', '|---|---:|---:|---:|---:|')
  for (const r of savings.files) md.push(`| ${r.file} | ${r.tokens} | ${pct(r.lossless)} | ${pct(r.balanced)} | ${pct(r.aggressive)} |`)
  md.push(`| **total** | ${savings.total.tokens} | **${pct(savings.total.lossless)}** | **${pct(savings.total.balanced)}** | **${pct(savings.total.aggressive)}** |`)
  md.push('', '## Logs, search results, diffs, code, prose, HTML (o200k tokens, every mode zero-silent-loss checked)', '', ...contentMarkdown(content))
  md.push('', '## Per-call latency and peak memory (compressText / compressBody, first sight)', '')
  md.push(`Each case: one untimed call, then at least ${sampleConfig.minRuns} timed calls (more until ${sampleConfig.budgetMs / 1000} s or ${sampleConfig.maxRuns} calls). p99 is the nearest rank: with fewer than 100 runs it is the slowest call. Memory: ${MEMORY_METHOD}.`, '')
  md.push(...latencyMarkdown(latency))
  md.push('', '## All cases', '', '| suite | case | ops/s | ±% | mean ms | MB/s |', '|---|---|---:|---:|---:|---:|')
  for (const r of rows) md.push(`| ${r.suite} | ${r.name} | ${fmt(r.opsPerSec)} | ${r.marginPct.toFixed(1)} | ${r.meanMs.toFixed(4)} | ${fmt(r.mbPerSec)} |`)
  if ('accuracy' in accuracy && typeof accuracy.accuracy === 'number') {
    md.push('', `## Content detection accuracy`, '', `${accuracy.correct} of ${accuracy.samples} labelled real samples (${(accuracy.accuracy * 100).toFixed(2)}%), through the binding.`, '')
    md.push('```', accuracy.matrixText.trim(), '```')
  }
  fs.writeFileSync(path.join(RESULTS, 'latest.md'), md.join('\n') + '\n')
  console.log('\n' + md.join('\n'))
  progress('charts and README block (benches/report.ts)')
  report()
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
