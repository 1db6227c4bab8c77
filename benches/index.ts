// `npm run bench`: token counting vs gpt-tokenizer, detection throughput and accuracy, napi
// call overhead, compressBody latency, per-content-type savings, throughput and quality.
// Ratios are measured in the same run. Writes benches/results/latest.json and
// benches/results/latest.md.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import b from 'benny'

import * as hr from '../index'
import { type Case, compressCases, crushCases, detectCase, jsonArrayMiB, overheadCases, tokenCases } from './cases'
import { contentFigures, contentMarkdown, contentThroughputCases } from './content'
import { CORPUS, tokenFixtures } from './data'

const RESULTS = path.join(__dirname, 'results')
const quick = process.argv.includes('--quick')
const caseConfig = quick ? { minSamples: 3, maxTime: 0.5 } : { minSamples: 10, maxTime: 3 }

interface Row {
  suite: string
  name: string
  opsPerSec: number
  marginPct: number
  meanMs: number
  mbPerSec?: number
}

async function run(suite: string, cases: Case[]): Promise<Row[]> {
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

/** Detection accuracy through the binding, on the labelled set of real samples. */
function detectionAccuracy() {
  const dump = path.join(os.tmpdir(), `headroom-labelled-${process.pid}.jsonl`)
  const r = spawnSync('cargo', ['run', '-q', '--release', '-p', 'headroom_detect', '--example', 'confusion', '--', '--dump', dump], {
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

async function main() {
  const started = Date.now()
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
  rows.push(...(await run('compressBody latency', compressCases(requests()))))
  const gen = path.join(CORPUS, 'headroom-generated')
  const genFiles = fs.readdirSync(gen).filter((f) => f.endsWith('.json')).sort()
  const genTexts = genFiles.map((f) => fs.readFileSync(path.join(gen, f), 'utf8'))
  rows.push(...(await run('JSON compression throughput (string in, string out)', crushCases(jsonArrayMiB(genTexts)))))
  rows.push(...(await run('content compression throughput (string in, string out)', contentThroughputCases())))
  const savings = jsonSavings(genFiles, genTexts)
  const content = contentFigures()
  const accuracy = quick ? { skipped: '--quick' } : detectionAccuracy()

  const env = {
    date: new Date().toISOString(),
    node: process.version,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    platform: `${process.platform}-${process.arch}`,
    headroomNative: hr.nativeVersion,
    quick,
    seconds: Math.round((Date.now() - started) / 1000),
  }
  fs.mkdirSync(RESULTS, { recursive: true })
  fs.writeFileSync(path.join(RESULTS, 'latest.json'), JSON.stringify({ env, rows, tokenSpeedups: ratios, jsonSavings: savings, content, detectionAccuracy: accuracy }, null, 2) + '\n')

  const md: string[] = []
  md.push(`# Benchmark results`, '', `\`npm run bench\` on ${env.cpu} (${env.cores} cores, ${env.memoryGiB} GiB), Node ${env.node}, ${env.date}.`, '')
  md.push('## o200k token counting, single thread, 4 KiB chunks', '', '| input | headroom-native MB/s | gpt-tokenizer MB/s | speed-up |', '|---|---:|---:|---:|')
  for (const r of ratios) md.push(`| ${r.fixture} | ${fmt(r.native)} | ${fmt(r.baseline)} | ${r.speedup.toFixed(1)}x |`)
  md.push('', '## JSON savings on headroom-generated (o200k tokens, zero-silent-loss checked)', '', '| file | tokens | lossless | balanced | aggressive |', '|---|---:|---:|---:|---:|')
  for (const r of savings.files) md.push(`| ${r.file} | ${r.tokens} | ${pct(r.lossless)} | ${pct(r.balanced)} | ${pct(r.aggressive)} |`)
  md.push(`| **total** | ${savings.total.tokens} | **${pct(savings.total.lossless)}** | **${pct(savings.total.balanced)}** | **${pct(savings.total.aggressive)}** |`)
  md.push('', '## Logs, search results, diffs, code, prose, HTML (balanced, o200k tokens, zero-silent-loss checked)', '', ...contentMarkdown(content))
  md.push('', '## All cases', '', '| suite | case | ops/s | ±% | mean ms | MB/s |', '|---|---|---:|---:|---:|---:|')
  for (const r of rows) md.push(`| ${r.suite} | ${r.name} | ${fmt(r.opsPerSec)} | ${r.marginPct.toFixed(1)} | ${r.meanMs.toFixed(4)} | ${fmt(r.mbPerSec)} |`)
  if ('accuracy' in accuracy && typeof accuracy.accuracy === 'number') {
    md.push('', `## Content detection accuracy`, '', `${accuracy.correct} of ${accuracy.samples} labelled real samples (${(accuracy.accuracy * 100).toFixed(2)}%), through the binding.`, '')
    md.push('```', accuracy.matrixText.trim(), '```')
  }
  fs.writeFileSync(path.join(RESULTS, 'latest.md'), md.join('\n') + '\n')
  console.log('\n' + md.join('\n'))
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
