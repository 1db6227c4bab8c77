// `npm run bench:headroom`: headroom-native side by side with headroom (PyPI `headroom-ai`, the
// Python system users would pick instead), in one run, on the same request bodies.
//
// headroom runs in benches/headroom/.venv (create it with `bash benches/headroom/setup.sh`) behind
// benches/headroom/driver.py, one persistent process spoken to in JSON lines. Both outputs are
// counted the same way: o200k tokens of the whole request body (countMessageTokens with gpt-4o,
// exact), so headroom's own counts play no part. Latency is the wall time of one compress call:
// headroom's measured inside Python (no IPC, no JSON), ours around compressBody (the body is
// passed as a string, so parsing and re-serialising are included). Both compress from scratch on
// every timed call: ours gets a fresh in-memory store (no memo hits), the driver empties headroom's
// result cache first. One untimed call per input and mode precedes the timed ones on both sides.
//
// Writes benches/results/headroom.json (every figure, per input and in aggregate, and every timed
// call) and benches/results/headroom.md (the table printed below), then renders the charts and the
// README block (benches/report.ts).
//
//   node --import tsx benches/headroom.ts [--repeat N] [--shape anthropic|openai]
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import readline from 'node:readline'

import * as hr from '../index'
import { CORPUS } from './data'
import { report } from './report'
import { MEMORY_METHOD, type PeakMemory, childPeakMemory, median, quantile } from './report/stats'

const ROOT = path.resolve(__dirname, '..')
const VENV_PYTHON = path.join(__dirname, 'headroom', '.venv', 'bin', 'python')
const DRIVER = path.join(__dirname, 'headroom', 'driver.py')
/** The model both request shapes name; token counts below use o200k (gpt-4o) regardless. */
const MODEL = 'claude-sonnet-4-5'
const COUNT_MODEL = 'gpt-4o'
/** Commit whose diff is the git-diff input (falls back to HEAD where history lacks it). */
const DIFF_COMMIT = '720bd38'

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name)
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback
}

const REPEAT = Math.max(1, Number(arg('--repeat', '5')))
const SHAPE = arg('--shape', 'anthropic') as 'anthropic' | 'openai'

type Body = hr.RequestBody

/** A tool output as the newest turn of a request, as agents send it (no cache_control: see README). */
function asRequest(name: string, text: string): Body {
  const ask = { role: 'user', content: `Look at ${name} and summarise what matters.` }
  if (SHAPE === 'openai') {
    return {
      model: MODEL,
      messages: [
        ask,
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_bench', type: 'function', function: { name: 'read_data', arguments: JSON.stringify({ name }) } }] },
        { role: 'tool', tool_call_id: 'call_bench', content: text },
      ],
    }
  }
  return {
    model: MODEL,
    max_tokens: 1024,
    messages: [
      ask,
      { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_bench', name: 'read_data', input: { name } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_bench', content: text }] },
    ],
  }
}

function sh(cmd: string, args: string[]): string | null {
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 256 << 20 })
  return r.status === 0 ? r.stdout : null
}

interface Input {
  name: string
  /** Input group, for the per-group figures and chart. */
  group: string
  body: Body
}

/** The inputs: headroom's own generated files, real logs, real command output, code, prose. */
function inputs(): Input[] {
  const out: Input[] = []
  const gen = path.join(CORPUS, 'headroom-generated')
  if (fs.existsSync(gen)) {
    for (const f of fs.readdirSync(gen).filter((f) => f.endsWith('.json')).sort()) {
      const text = fs.readFileSync(path.join(gen, f), 'utf8')
      const parsed = JSON.parse(text)
      // Conversations are sent as they are (their own messages), like `headroom demo` does.
      const isConversation = Array.isArray(parsed) && parsed.length > 0 && parsed.every((m) => m && typeof m === 'object' && 'role' in m)
      out.push({
        name: f,
        group: isConversation ? 'conversations (headroom-generated)' : 'JSON tool outputs (headroom-generated)',
        body: isConversation ? { model: MODEL, max_tokens: 1024, messages: parsed } : asRequest(f, text),
      })
    }
  }
  for (const sys of ['Apache', 'HDFS', 'OpenSSH', 'Mac']) {
    const f = path.join(CORPUS, 'loghub', sys, `${sys}_2k.log`)
    if (fs.existsSync(f)) out.push({ name: `loghub/${sys}_2k.log`, group: 'logs (loghub)', body: asRequest(`${sys}_2k.log`, fs.readFileSync(f, 'utf8')) })
  }
  const grep = sh('git', ['grep', '-n', 'pub fn', '--', 'crates'])
  if (grep) out.push({ name: "git grep -n 'pub fn' -- crates", group: 'search (git grep)', body: asRequest('grep output', grep) })
  const commit = sh('git', ['rev-parse', '--verify', '--quiet', `${DIFF_COMMIT}^{commit}`]) ? DIFF_COMMIT : 'HEAD'
  const diff = sh('git', ['diff', `${commit}^`, commit])
  if (diff) out.push({ name: `git diff ${commit}^ ${commit}`, group: 'diff (git diff)', body: asRequest('git diff', diff) })
  const source = 'crates/headroom_store/src/store.rs'
  if (fs.existsSync(path.join(ROOT, source))) out.push({ name: source, group: 'code (Rust source)', body: asRequest(source, fs.readFileSync(path.join(ROOT, source), 'utf8')) })
  const squad = path.join(CORPUS, 'squad', 'dev-v1.1.json')
  if (fs.existsSync(squad)) {
    const article = JSON.parse(fs.readFileSync(squad, 'utf8')).data[0]
    const text = article.paragraphs.slice(0, 5).map((p: { context: string }) => p.context).join('\n\n')
    out.push({ name: `squad/${article.title} (5 paragraphs)`, group: 'prose (SQuAD)', body: asRequest('document', text) })
  }
  return out
}

interface Reply {
  id: string
  mode: string
  tokens_before?: number
  tokens_after?: number
  ms?: number
  ms_all?: number[]
  peak_alloc_kb?: number
  max_rss_kb?: number
  transforms?: string[]
  body?: Body
  error?: string
}

/** The persistent headroom driver: one request line in, one reply line out, in order. */
class Driver {
  private readonly proc: ChildProcessWithoutNullStreams
  private readonly lines: AsyncIterableIterator<string>
  version = ''

  constructor() {
    this.proc = spawn(VENV_PYTHON, [DRIVER], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] })
    this.proc.stderr.on('data', (d: Buffer) => process.stderr.write(`[headroom driver] ${d}`))
    this.lines = readline.createInterface({ input: this.proc.stdout, crlfDelay: Infinity })[Symbol.asyncIterator]()
  }

  private async next(): Promise<Record<string, unknown>> {
    const { value, done } = await this.lines.next()
    if (done) throw new Error('headroom driver exited')
    return JSON.parse(value) as Record<string, unknown>
  }

  async ready(): Promise<void> {
    const hello = await this.next()
    this.version = String(hello.version)
  }

  async compress(id: string, body: Body, mode: 'default' | 'aggressive', repeat: number): Promise<Reply> {
    this.proc.stdin.write(JSON.stringify({ id, body, mode, repeat }) + '\n')
    return (await this.next()) as unknown as Reply
  }

  close(): void {
    this.proc.stdin.end()
  }
}

interface Ours {
  tokensAfter: number
  ms: number[]
}

function ours(body: Body, mode: hr.Mode, repeat: number): Ours {
  const json = JSON.stringify(body)
  const ms: number[] = []
  let out: Buffer | null = null
  const first = hr.Store.memory()
  hr.compressBody(json, { mode, store: first }) // untimed, like the driver's first call
  first.close()
  for (let i = 0; i < repeat; i++) {
    const store = hr.Store.memory()
    const t0 = process.hrtime.bigint()
    const r = hr.compressBody(json, { mode, store })
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6)
    store.close()
    out = r.body
  }
  return { tokensAfter: hr.countMessageTokens(JSON.parse(out!.toString('utf8')) as Body, COUNT_MODEL), ms }
}

const fmtMs = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2))
const saved = (before: number, after: number) => `${(((before - after) / before) * 100).toFixed(1)}%`

function cell(before: number, after: number | null): string {
  return after === null ? 'error' : `${after} (${saved(before, after)})`
}

/** One side's result on one input in one mode: tokens after (null on error) and every timed call. */
interface Side {
  tokensAfter: number | null
  ms: number[]
}

/** The four columns, in table order. */
const SIDES = ['headroomDefault', 'headroomAggressive', 'oursBalanced', 'oursAggressive'] as const
type SideName = (typeof SIDES)[number]

interface InputResult {
  name: string
  group: string
  tokensBefore: number
  sides: Record<SideName, Side>
  /** tracemalloc peak of one headroom call (Python heap only), KB. */
  headroomPythonPeakKB: number
  /** Peak memory of one balanced call in a fresh process (see memoryMethod); null if not measured. */
  oursBalancedMemory: PeakMemory | null
}

/** Tokens, savings and latency of one side over a set of inputs (an error counts as no savings). */
function sideSummary(results: InputResult[], side: SideName) {
  const before = results.reduce((n, r) => n + r.tokensBefore, 0)
  const after = results.reduce((n, r) => n + (r.sides[side].tokensAfter ?? r.tokensBefore), 0)
  const ms = results.flatMap((r) => r.sides[side].ms)
  return {
    tokensAfter: after,
    saved: (before - after) / before,
    errors: results.filter((r) => r.sides[side].tokensAfter === null).length,
    medianMs: ms.length ? median(ms) : null,
    p99Ms: ms.length ? quantile(ms, 0.99) : null,
    runs: ms.length,
  }
}

/** Aggregate figures of a set of inputs: every side, and the latency ratios from pooled medians. */
function summary(name: string, results: InputResult[]) {
  const sides = Object.fromEntries(SIDES.map((s) => [s, sideSummary(results, s)])) as Record<SideName, ReturnType<typeof sideSummary>>
  const ratio = (a: SideName, b: SideName) => (sides[a].medianMs !== null && sides[b].medianMs ? sides[a].medianMs! / sides[b].medianMs! : null)
  return {
    name,
    inputs: results.length,
    tokensBefore: results.reduce((n, r) => n + r.tokensBefore, 0),
    sides,
    /** headroom default median / ours balanced median (pooled calls). */
    latencyRatioDefault: ratio('headroomDefault', 'oursBalanced'),
    /** headroom aggressive median / ours aggressive median (pooled calls). */
    latencyRatioAggressive: ratio('headroomAggressive', 'oursAggressive'),
  }
}

/** Per-input view for headroom.json: medians and p99 beside the raw calls. */
function inputRecord(r: InputResult) {
  const sides = Object.fromEntries(
    SIDES.map((s) => {
      const x = r.sides[s]
      return [s, { tokensAfter: x.tokensAfter, saved: x.tokensAfter === null ? null : (r.tokensBefore - x.tokensAfter) / r.tokensBefore, medianMs: x.ms.length ? median(x.ms) : null, p99Ms: x.ms.length ? quantile(x.ms, 0.99) : null, ms: x.ms }]
    }),
  )
  const hd = r.sides.headroomDefault.ms
  const ob = r.sides.oursBalanced.ms
  return { name: r.name, group: r.group, tokensBefore: r.tokensBefore, sides, latencyRatioDefault: hd.length ? median(hd) / median(ob) : null, headroomPythonPeakKB: r.headroomPythonPeakKB, oursBalancedMemory: r.oursBalancedMemory }
}

/** The machine and the run, for the results file. */
function environment(driverVersion: string, seconds: number) {
  const python = spawnSync(VENV_PYTHON, ['--version'], { encoding: 'utf8' })
  return {
    date: new Date().toISOString(),
    node: process.version,
    python: (python.stdout || python.stderr || '').trim().replace(/^Python /, ''),
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    platform: `${process.platform}-${process.arch}`,
    commit: sh('git', ['rev-parse', '--short', 'HEAD'])?.trim() ?? 'unknown',
    headroomNative: hr.nativeVersion,
    headroomAi: driverVersion,
    shape: SHAPE,
    repeat: REPEAT,
    countModel: COUNT_MODEL,
    memoryMethod: MEMORY_METHOD,
    seconds,
  }
}

/** Markdown: the per-input table printed today, then latency (median, p99) per side, then groups. */
function markdown(env: ReturnType<typeof environment>, results: InputResult[], groups: ReturnType<typeof summary>[], total: ReturnType<typeof summary>, errors: string[]): string[] {
  const md = [
    `# headroom side by side`,
    '',
    `\`npm run bench:headroom -- --repeat ${env.repeat} --shape ${env.shape}\`: headroom-native ${env.headroomNative} (commit ${env.commit}) vs headroom-ai ${env.headroomAi} (Python ${env.python}), on ${env.cpu} (${env.cores} cores, ${env.memoryGiB} GiB), Node ${env.node}, ${env.date}.`,
    '',
    '## Tokens and median latency per input',
    '',
    ...mainTable(results, total),
    '',
    NOTE,
    '',
    '## Latency per call, median / p99 (ms)',
    '',
    `${env.repeat} timed first-sight calls per input, side and mode; p99 is the nearest rank (with fewer than 100 calls, the slowest). Ours, peak memory of one balanced call: ${env.memoryMethod}.`,
    '',
    '| input | headroom default | headroom aggressive | ours balanced | ours aggressive | ratio (default / balanced medians) | ours peak RSS MiB (growth) |',
    '|---|---:|---:|---:|---:|---:|---:|',
  ]
  const mp = (ms: number[]) => (ms.length ? `${fmtMs(median(ms))} / ${fmtMs(quantile(ms, 0.99))}` : 'error')
  for (const r of results) {
    const rec = inputRecord(r)
    md.push(`| ${r.name} | ${SIDES.map((s) => mp(r.sides[s].ms)).join(' | ')} | ${rec.latencyRatioDefault === null ? '' : `${rec.latencyRatioDefault.toFixed(1)}x`} | ${r.oursBalancedMemory ? `${r.oursBalancedMemory.peakRssMiB} (+${r.oursBalancedMemory.growthMiB})` : ''} |`)
  }
  md.push('', '## Per input group (tokens summed, latency over the pooled calls)', '')
  md.push('| group | inputs | tokens before | headroom default saved | headroom aggressive saved | ours balanced saved | ours aggressive saved | headroom default median / p99 ms | ours balanced median / p99 ms | ratio |', '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|')
  const pc = (x: number) => `${(x * 100).toFixed(1)}%`
  const lat = (x: ReturnType<typeof sideSummary>) => (x.medianMs === null ? '' : `${fmtMs(x.medianMs)} / ${fmtMs(x.p99Ms!)}`)
  for (const g of [...groups, { ...total, name: '**total**' }]) {
    md.push(`| ${g.name} | ${g.inputs} | ${g.tokensBefore} | ${SIDES.map((s) => pc(g.sides[s].saved)).join(' | ')} | ${lat(g.sides.headroomDefault)} | ${lat(g.sides.oursBalanced)} | ${g.latencyRatioDefault === null ? '' : `${g.latencyRatioDefault.toFixed(1)}x`} |`)
  }
  if (errors.length) md.push('', '## headroom errors', '', ...errors.map((e) => `- ${e}`))
  return md
}

/** The table `npm run bench:headroom` has always printed. */
function mainTable(results: InputResult[], total: ReturnType<typeof summary>): string[] {
  const head = [
    'input',
    'tokens before',
    'headroom default',
    'headroom aggressive',
    'ours balanced',
    'ours aggressive',
    'headroom ms (default / aggr.)',
    'ours ms (balanced / aggr.)',
    'speed-up (default vs balanced)',
    'headroom Python peak KB',
  ]
  const med = (ms: number[]) => (ms.length ? median(ms) : NaN)
  const rows = results.map((r) => {
    const x = r.sides
    return [
      r.name,
      String(r.tokensBefore),
      ...SIDES.map((s) => cell(r.tokensBefore, x[s].tokensAfter)),
      `${fmtMs(med(x.headroomDefault.ms))} / ${fmtMs(med(x.headroomAggressive.ms))}`,
      `${fmtMs(med(x.oursBalanced.ms))} / ${fmtMs(med(x.oursAggressive.ms))}`,
      `${(med(x.headroomDefault.ms) / med(x.oursBalanced.ms)).toFixed(1)}x`,
      String(r.headroomPythonPeakKB),
    ]
  })
  const t = total.sides
  const pooled = (x: ReturnType<typeof sideSummary>) => (x.medianMs === null ? '' : `median ${fmtMs(x.medianMs)}, p99 ${fmtMs(x.p99Ms!)}`)
  rows.push([
    '**total**',
    String(total.tokensBefore),
    ...SIDES.map((s) => cell(total.tokensBefore, t[s].tokensAfter)),
    pooled(t.headroomDefault),
    pooled(t.oursBalanced),
    total.latencyRatioDefault === null ? '' : `${total.latencyRatioDefault.toFixed(1)}x`,
    '',
  ])
  return [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)]
}

const NOTE =
  `Tokens: o200k_base, exact, of the whole request body (countMessageTokens), both outputs counted the same way; "(x%)" is the saving. ` +
  `Latency: median ms of one compress call over ${REPEAT} runs; the total row pools every default/balanced run. ` +
  `An error counts as "no savings" in the total. ` +
  `headroom Python peak: tracemalloc peak of one call (Python heap only; its Rust core is not seen).`

async function main(): Promise<void> {
  if (!fs.existsSync(VENV_PYTHON)) {
    console.log('headroom (PyPI headroom-ai) is not installed for this bench; create its virtualenv with:')
    console.log('  bash benches/headroom/setup.sh')
    console.log('then run `npm run bench:headroom` again. Skipping.')
    return
  }
  const started = Date.now()
  const list = inputs()
  const driver = new Driver()
  await driver.ready()
  hr.warmup()
  console.log(`headroom-native ${hr.nativeVersion} vs headroom-ai ${driver.version}: ${list.length} inputs, ${SHAPE} request shape, ${REPEAT} timed runs per input and mode\n`)

  const results: InputResult[] = []
  const errors: string[] = []
  for (const [i, input] of list.entries()) {
    process.stderr.write(`[${i + 1}/${list.length}] ${input.name}\n`)
    const before = hr.countMessageTokens(input.body, COUNT_MODEL)
    let peak = 0
    const theirs = async (mode: 'default' | 'aggressive'): Promise<Side> => {
      const r = await driver.compress(`${i}`, input.body, mode, REPEAT)
      if (r.error || !r.body) {
        errors.push(`${input.name} (${mode}): ${r.error}`)
        return { tokensAfter: null, ms: [] }
      }
      peak = Math.max(peak, r.peak_alloc_kb ?? 0)
      return { tokensAfter: hr.countMessageTokens(r.body, COUNT_MODEL), ms: r.ms_all ?? [] }
    }
    const headroomDefault = await theirs('default')
    const headroomAggressive = await theirs('aggressive')
    const ob = ours(input.body, 'balanced', REPEAT)
    const memory = childPeakMemory({ kind: 'body', input: JSON.stringify(input.body), mode: 'balanced' })
    const oa = ours(input.body, 'aggressive', REPEAT)
    results.push({
      name: input.name,
      group: input.group,
      tokensBefore: before,
      sides: { headroomDefault, headroomAggressive, oursBalanced: { tokensAfter: ob.tokensAfter, ms: ob.ms }, oursAggressive: { tokensAfter: oa.tokensAfter, ms: oa.ms } },
      headroomPythonPeakKB: peak,
      oursBalancedMemory: memory,
    })
  }
  driver.close()
  const groupNames = [...new Set(results.map((r) => r.group))]
  const groups = groupNames.map((g) => summary(g, results.filter((r) => r.group === g)))
  const total = summary('total', results)
  const env = environment(driver.version, Math.round((Date.now() - started) / 1000))

  for (const line of mainTable(results, total)) console.log(line)
  console.log(`\n${NOTE}`)
  if (errors.length) {
    console.log('\nheadroom errors:')
    for (const e of errors) console.log(`- ${e}`)
  }
  const dir = path.join(__dirname, 'results')
  fs.mkdirSync(dir, { recursive: true })
  fs.writeFileSync(path.join(dir, 'headroom.json'), JSON.stringify({ env, inputs: results.map(inputRecord), groups, total, errors }, null, 2) + '\n')
  fs.writeFileSync(path.join(dir, 'headroom.md'), markdown(env, results, groups, total, errors).join('\n') + '\n')
  process.stderr.write('wrote benches/results/headroom.{json,md}; rendering charts and the README block\n')
  report()
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
