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
//   node --import tsx benches/headroom.ts [--repeat N] [--shape anthropic|openai]
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import readline from 'node:readline'

import * as hr from '../index'
import { CORPUS } from './data'

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
      out.push({ name: f, body: isConversation ? { model: MODEL, max_tokens: 1024, messages: parsed } : asRequest(f, text) })
    }
  }
  for (const sys of ['Apache', 'HDFS', 'OpenSSH', 'Mac']) {
    const f = path.join(CORPUS, 'loghub', sys, `${sys}_2k.log`)
    if (fs.existsSync(f)) out.push({ name: `loghub/${sys}_2k.log`, body: asRequest(`${sys}_2k.log`, fs.readFileSync(f, 'utf8')) })
  }
  const grep = sh('git', ['grep', '-n', 'pub fn', '--', 'crates'])
  if (grep) out.push({ name: "git grep -n 'pub fn' -- crates", body: asRequest('grep output', grep) })
  const commit = sh('git', ['rev-parse', '--verify', '--quiet', `${DIFF_COMMIT}^{commit}`]) ? DIFF_COMMIT : 'HEAD'
  const diff = sh('git', ['diff', `${commit}^`, commit])
  if (diff) out.push({ name: `git diff ${commit}^ ${commit}`, body: asRequest('git diff', diff) })
  const source = 'crates/headroom_store/src/store.rs'
  if (fs.existsSync(path.join(ROOT, source))) out.push({ name: source, body: asRequest(source, fs.readFileSync(path.join(ROOT, source), 'utf8')) })
  const squad = path.join(CORPUS, 'squad', 'dev-v1.1.json')
  if (fs.existsSync(squad)) {
    const article = JSON.parse(fs.readFileSync(squad, 'utf8')).data[0]
    const text = article.paragraphs.slice(0, 5).map((p: { context: string }) => p.context).join('\n\n')
    out.push({ name: `squad/${article.title} (5 paragraphs)`, body: asRequest('document', text) })
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

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]
}

const median = (xs: number[]) => quantile(xs, 0.5)
const fmtMs = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2))
const saved = (before: number, after: number) => `${(((before - after) / before) * 100).toFixed(1)}%`

function cell(before: number, after: number | null): string {
  return after === null ? 'error' : `${after} (${saved(before, after)})`
}

async function main(): Promise<void> {
  if (!fs.existsSync(VENV_PYTHON)) {
    console.log('headroom (PyPI headroom-ai) is not installed for this bench; create its virtualenv with:')
    console.log('  bash benches/headroom/setup.sh')
    console.log('then run `npm run bench:headroom` again. Skipping.')
    return
  }
  const list = inputs()
  const driver = new Driver()
  await driver.ready()
  hr.warmup()
  console.log(`headroom-native ${hr.nativeVersion} vs headroom-ai ${driver.version}: ${list.length} inputs, ${SHAPE} request shape, ${REPEAT} timed runs per input and mode\n`)

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
  const rows: string[][] = []
  const sum = { before: 0, hd: 0, ha: 0, ob: 0, oa: 0 }
  const lat = { hd: [] as number[], ob: [] as number[] }
  const errors: string[] = []
  for (const [i, input] of list.entries()) {
    process.stderr.write(`[${i + 1}/${list.length}] ${input.name}\n`)
    const before = hr.countMessageTokens(input.body, COUNT_MODEL)
    const theirs = async (mode: 'default' | 'aggressive') => {
      const r = await driver.compress(`${i}`, input.body, mode, REPEAT)
      if (r.error || !r.body) {
        errors.push(`${input.name} (${mode}): ${r.error}`)
        return { after: null, ms: null, peak: 0 }
      }
      return { after: hr.countMessageTokens(r.body, COUNT_MODEL), ms: r.ms_all ?? [], peak: r.peak_alloc_kb ?? 0 }
    }
    const hd = await theirs('default')
    const ha = await theirs('aggressive')
    const ob = ours(input.body, 'balanced', REPEAT)
    const oa = ours(input.body, 'aggressive', REPEAT)
    sum.before += before
    sum.hd += hd.after ?? before
    sum.ha += ha.after ?? before
    sum.ob += ob.tokensAfter
    sum.oa += oa.tokensAfter
    const hdMs = hd.ms ? median(hd.ms) : NaN
    const haMs = ha.ms ? median(ha.ms) : NaN
    const obMs = median(ob.ms)
    if (hd.ms) lat.hd.push(...hd.ms)
    lat.ob.push(...ob.ms)
    rows.push([
      input.name,
      String(before),
      cell(before, hd.after),
      cell(before, ha.after),
      cell(before, ob.tokensAfter),
      cell(before, oa.tokensAfter),
      `${fmtMs(hdMs)} / ${fmtMs(haMs)}`,
      `${fmtMs(obMs)} / ${fmtMs(median(oa.ms))}`,
      `${(hdMs / obMs).toFixed(1)}x`,
      String(Math.max(hd.peak, ha.peak)),
    ])
  }
  driver.close()
  rows.push([
    '**total**',
    String(sum.before),
    cell(sum.before, sum.hd),
    cell(sum.before, sum.ha),
    cell(sum.before, sum.ob),
    cell(sum.before, sum.oa),
    `median ${fmtMs(median(lat.hd))}, p99 ${fmtMs(quantile(lat.hd, 0.99))}`,
    `median ${fmtMs(median(lat.ob))}, p99 ${fmtMs(quantile(lat.ob, 0.99))}`,
    `${(median(lat.hd) / median(lat.ob)).toFixed(1)}x`,
    '',
  ])
  console.log(`| ${head.join(' | ')} |`)
  console.log(`|${head.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`)
  for (const r of rows) console.log(`| ${r.join(' | ')} |`)
  console.log(
    `\nTokens: o200k_base, exact, of the whole request body (countMessageTokens), both outputs counted the same way; "(x%)" is the saving. ` +
      `Latency: median ms of one compress call over ${REPEAT} runs; the total row pools every default/balanced run. ` +
      `An error counts as "no savings" in the total. ` +
      `headroom Python peak: tracemalloc peak of one call (Python heap only; its Rust core is not seen).`,
  )
  if (errors.length) {
    console.log('\nheadroom errors:')
    for (const e of errors) console.log(`- ${e}`)
  }
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
