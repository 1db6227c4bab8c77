// `npm run gate`: the CI regression gate. Compresses a fixed set of real inputs (JSON, logs,
// search results, diffs, code, prose, HTML, and whole request bodies) in every mode with the
// native addon given by `--binary` (default: the one the loader finds), and compares the
// exact token counts with the committed baseline, benches/gate/baseline.json. Compression is
// deterministic, so any difference is a change: a worse count fails with a readable table;
// a better one fails too, so that an intended change updates the baseline in the same commit
// (`npm run gate -- --update`, reason in the commit message). Fidelity is checked on every
// output (zero silent loss, byte-exact CCR originals, identical bytes on a second run) and
// retention is compared like the counts (loghub alert lines, SQuAD answers). Latency is
// reported (median of the runs), never gated: the machine is shared.
//
//   node --import tsx benches/gate.ts [--binary path/to/headroom-native.<platform>.node]
//                                     [--update] [--self-test]
//
// Inputs come from ../shared/corpus (HEADROOM_CORPUS overrides), the pinned npm packages
// (@octokit/fixtures, typescript) and benches/gate/fixtures (this repository's own diffs,
// `git grep` output and sources at fixed commits), so other platforms' binaries, built
// elsewhere, are judged on the same bytes.
import fs from 'node:fs'
import path from 'node:path'

const ROOT = path.resolve(__dirname, '..')
const GATE = path.join(__dirname, 'gate')
const BASELINE = path.join(GATE, 'baseline.json')
const CORPUS = process.env.HEADROOM_CORPUS ?? path.resolve(ROOT, '..', 'shared', 'corpus')
const MODES = ['lossless', 'balanced', 'aggressive'] as const
/** Timed runs per input and mode (the first also feeds the checks). */
const RUNS = 5

type Mode = (typeof MODES)[number]

function flag(name: string): boolean {
  return process.argv.includes(name)
}

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name)
  return i >= 0 ? process.argv[i + 1] : undefined
}

const binary = option('--binary')
if (binary) {
  const resolved = path.resolve(binary)
  if (!fs.existsSync(resolved)) {
    console.error(`gate: no such binary: ${resolved}`)
    process.exit(2)
  }
  // The generated loader (binding.js) loads this file instead of the platform package.
  process.env.NAPI_RS_NATIVE_LIBRARY_PATH = resolved
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const hr: typeof import('../index') = require('../index')
type HrStore = import('../index').Store

/** One gate input: a tool output, or a whole request body (`body`). */
interface Input {
  name: string
  text: string
  query?: string
  /** Lines that must survive (loghub alert lines). */
  alerts?: string[]
  /** Request shape: compressed with compressBody, counted over the whole body. */
  body?: 'anthropic' | 'openai'
}

/** A group of inputs judged together (SQuAD paragraphs): counts summed, answers counted. */
interface Group {
  name: string
  items: { text: string; query?: string; answers: string[] }[]
}

interface Entry {
  before: number
  after: number
  strategy: string | null
}

interface Baseline {
  note: string
  entries: Record<string, Entry>
  retention: Record<string, string>
}

function read(file: string): string {
  return fs.readFileSync(file, 'utf8')
}

function need(file: string): string {
  if (!fs.existsSync(file)) {
    console.error(`gate: missing input ${file} (the corpus lives in ../shared/corpus; HEADROOM_CORPUS overrides)`)
    process.exit(2)
  }
  return file
}

/** Real GitHub API responses from @octokit/fixtures (pinned in package-lock.json). */
function octokit(scenario: string, index: number): string {
  const file = need(path.join(ROOT, 'node_modules/@octokit/fixtures/scenarios/api.github.com', scenario, 'normalized-fixture.json'))
  const entry = (JSON.parse(read(file)) as { response: unknown }[])[index]
  return JSON.stringify(entry.response, null, 2)
}

function loghub(system: string): Input {
  const text = read(need(path.join(CORPUS, 'loghub', system, `${system}_2k.log`)))
  // BGL and Thunderbird label alerts: every line not starting with '-'.
  const labelled = system === 'BGL' || system === 'Thunderbird'
  const alerts = labelled ? text.split('\n').filter((l) => l.length > 0 && !l.startsWith('-')) : undefined
  return { name: `log: loghub ${system}`, text, alerts }
}

function inputs(): Input[] {
  const gen = path.join(CORPUS, 'headroom-generated')
  const genFiles = fs.readdirSync(need(gen)).filter((f) => f.endsWith('.json')).sort()
  const fixture = (f: string) => read(need(path.join(GATE, 'fixtures', f)))
  const repoFixture = (f: string) => read(need(path.join(ROOT, f)))
  const list: Input[] = [
    ...genFiles.map((f) => ({ name: `json: headroom-generated ${f}`, text: read(path.join(gen, f)) })),
    { name: 'json: octokit get-repository', text: octokit('get-repository', 0) },
    { name: 'json: octokit paginate-issues', text: octokit('paginate-issues', 0) },
    { name: 'json: octokit add-and-remove-repository-collaborator', text: octokit('add-and-remove-repository-collaborator', 0) },
    { name: 'json: octokit api_responses (query)', text: read(path.join(gen, 'api_responses.json')), query: 'error timeout' },
    ...['Apache', 'BGL', 'HDFS', 'OpenSSH', 'Thunderbird'].map(loghub),
    { name: 'log: cargo build error', text: repoFixture('crates/headroom_detect/tests/fixtures/log/cargo_build_err.txt') },
    { name: 'log: npm install', text: repoFixture('crates/headroom_logs/tests/fixtures/npm_install.txt') },
    { name: 'log: pytest failure', text: repoFixture('crates/headroom_detect/tests/fixtures/log/pytest_fail.txt') },
    { name: 'search: git grep -n "pub fn"', text: fixture('git-grep-pub-fn.txt') },
    { name: 'search: git grep -n -C2 Marker', text: fixture('git-grep-C2-marker.txt') },
    { name: 'search: git grep -n "pub fn" (query)', text: fixture('git-grep-pub-fn.txt'), query: 'retrieve store' },
    { name: 'diff: commit 5788c38', text: fixture('commit-5788c38.diff') },
    { name: 'diff: commit d984240', text: fixture('commit-d984240.diff') },
    { name: 'code: store.rs', text: fixture('store.rs') },
    { name: 'code: index.ts', text: fixture('index.ts.txt') },
    { name: 'code: store.rs (query put)', text: fixture('store.rs'), query: 'put' },
    // What an agent's file-read tool returns (Claude Code's Read: `N\t` gutters).
    { name: 'view: store.rs as a numbered Read result', text: numberedView(fixture('store.rs')) },
    { name: 'view: index.ts as a numbered Read result', text: numberedView(fixture('index.ts.txt')) },
    { name: 'code: typescript lib.es5.d.ts', text: repoFixture('node_modules/typescript/lib/lib.es5.d.ts') },
    { name: 'html: rustdoc book page', text: repoFixture('crates/headroom_text/tests/fixtures/what-is-rustdoc.html') },
  ]
  // Whole request bodies: the tool output as the last tool result of a short conversation.
  for (const [name, text] of [
    ['api_responses.json', read(path.join(gen, 'api_responses.json'))],
    ['loghub BGL', read(path.join(CORPUS, 'loghub', 'BGL', 'BGL_2k.log'))],
    ['git grep', fixture('git-grep-pub-fn.txt')],
  ]) {
    list.push({ name: `body anthropic: ${name}`, text: JSON.stringify(anthropicBody(text)), body: 'anthropic' })
    list.push({ name: `body openai: ${name}`, text: JSON.stringify(openaiBody(text)), body: 'openai' })
  }
  return list
}

/** `cat -n`-style view, the way Claude Code's Read tool returns a file: `1\tline`. */
function numberedView(text: string): string {
  return text
    .split(/(?<=\n)/)
    .map((line, i) => `${i + 1}\t${line}`)
    .join('')
}

function anthropicBody(tool: string) {
  return {
    model: 'claude-sonnet-4-5',
    max_tokens: 1024,
    system: 'You are a coding agent.',
    messages: [
      { role: 'user', content: 'Look into the failure.' },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_01', name: 'run', input: { cmd: 'inspect' } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_01', content: tool }] },
    ],
  }
}

function openaiBody(tool: string) {
  return {
    model: 'gpt-4o',
    messages: [
      { role: 'system', content: 'You are a coding agent.' },
      { role: 'user', content: 'Look into the failure.' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_01', type: 'function', function: { name: 'run', arguments: '{"cmd":"inspect"}' } }] },
      { role: 'tool', tool_call_id: 'call_01', content: tool },
    ],
  }
}

/**
 * SQuAD v1.1 dev as documents of two sizes (the first 5 and the first 15 paragraphs of the
 * first 8 articles), each asked the first question of each of its first 5 paragraphs, with
 * the question as query and without one. A single paragraph is mostly below `minTokens`.
 */
function squad(): Group[] {
  const data = JSON.parse(read(need(path.join(CORPUS, 'squad', 'dev-v1.1.json')))) as {
    data: { paragraphs: { context: string; qas: { question: string; answers: { text: string }[] }[] }[] }[]
  }
  const groups: Group[] = []
  for (const size of [5, 15]) {
    const items: Group['items'] = []
    for (const article of data.data.slice(0, 8)) {
      const text = article.paragraphs
        .slice(0, size)
        .map((p) => p.context)
        .join('\n\n')
      for (const p of article.paragraphs.slice(0, 5)) {
        const qa = p.qas[0]
        items.push({ text, query: qa.question, answers: qa.answers.map((a) => a.text) })
      }
    }
    groups.push({ name: `prose: SQuAD ${size}-paragraph documents x 40 questions (question as query)`, items })
    groups.push({ name: `prose: SQuAD ${size}-paragraph documents x 40 questions (no query)`, items: items.map(({ text, answers }) => ({ text, answers })) })
  }
  return groups
}

interface Outcome {
  entry: Entry
  output: string
  ms: number
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]
}

/** Compresses one input in one mode RUNS times (fresh store each), checking every output. */
function run(input: Input, mode: Mode, failures: string[]): Outcome {
  const times: number[] = []
  let first: { entry: Entry; output: string } | undefined
  for (let i = 0; i < RUNS; i++) {
    const store = hr.Store.memory()
    const t0 = process.hrtime.bigint()
    const out = input.body ? bodyOnce(input, mode, store) : textOnce(input, mode, store)
    times.push(Number(process.hrtime.bigint() - t0) / 1e6)
    if (!first) {
      first = out
      check(input, mode, out, store, failures)
    } else if (out.output !== first.output) {
      failures.push(`${input.name} [${mode}]: not deterministic (run ${i + 1} differs from run 1)`)
    }
    store.close()
  }
  return { ...first!, ms: median(times) }
}

interface Once {
  entry: Entry
  output: string
  strategies?: string[]
  hashes?: string[]
  /** compressBody's report: whether it added the retrieve tool. */
  toolAdded?: boolean
}

function textOnce(input: Input, mode: Mode, store: HrStore): Once {
  const r = hr.compressText(input.text, { mode, store, query: input.query })
  return { entry: { before: r.tokensBefore, after: r.tokensAfter, strategy: r.strategy ?? null }, output: r.text, hashes: r.hashes }
}

function bodyOnce(input: Input, mode: Mode, store: HrStore): Once {
  const { body, report } = hr.compressBody(input.text, { mode, store })
  const strategies = report.transforms.map((t) => t.strategy)
  return {
    entry: { before: report.tokensBefore, after: report.tokensAfter, strategy: strategies.join('+') || null },
    output: body.toString('utf8'),
    strategies,
    toolAdded: report.retrieveTool === 'added',
  }
}

/** Zero silent loss, byte-exact originals, alert lines; failures are collected. */
function check(input: Input, mode: Mode, out: Once, store: HrStore, failures: string[]) {
  const where = `${input.name} [${mode}]`
  if (out.entry.after > out.entry.before) failures.push(`${where}: output has more tokens than input`)
  if (input.body) {
    // Bytes outside the edited tool result are untouched: the rest of the body parses back
    // to the same structure with the tool output in place.
    const a = JSON.parse(input.text)
    const b = JSON.parse(out.output)
    if (out.toolAdded) {
      const names = (b.tools ?? []).map((t: { name?: string; function?: { name: string } }) => t.name ?? t.function?.name)
      if (names.join() !== 'headroom_retrieve') failures.push(`${where}: tools should be exactly the added retrieve tool, got ${names.join()}`)
      delete b.tools
    }
    const strip = (v: { messages: { content: unknown }[] }) => ({ ...v, messages: v.messages.slice(0, -1) })
    if (JSON.stringify(strip(a)) !== JSON.stringify(strip(b))) failures.push(`${where}: a message other than the tool result changed`)
    const orig = toolText(a)
    const comp = toolText(b)
    if (out.strategies?.length) checkLoss(where, orig, comp, out.strategies[0], store, failures)
    else if (orig !== comp) failures.push(`${where}: tool result changed without a transform`)
    return
  }
  if (out.entry.strategy) checkLoss(where, input.text, out.output, out.entry.strategy, store, failures)
  else if (out.output !== input.text) failures.push(`${where}: text changed without a strategy`)
  if (mode === 'lossless') {
    // Marker-shaped text the input already held (this repository's sources quote markers) is fine.
    const had = new Set(hr.findMarkers(input.text))
    if (hr.findMarkers(out.output).some((h) => !had.has(h))) failures.push(`${where}: lossless output holds a new marker`)
  }
  for (const h of out.hashes ?? []) {
    const original = store.get(h).toString('utf8')
    if (!input.text.includes(original)) failures.push(`${where}: stored original ${h} is not a part of the input`)
  }
}

function toolText(body: { messages: { content: unknown }[] }): string {
  const last = body.messages[body.messages.length - 1].content
  if (typeof last === 'string') return last
  return String((last as { content: string }[])[0].content)
}

function checkLoss(where: string, input: string, output: string, strategy: string, store: HrStore, failures: string[]) {
  try {
    hr.checkNoSilentLoss(input, output, { store, strategy })
  } catch (e) {
    failures.push(`${where}: silent loss: ${(e as Error).message.slice(0, 300)}`)
  }
}

/** Alert lines: kept verbatim, or (aggressive) counted by a marker that names severe templates. */
function alertRetention(input: Input, output: string): string {
  const kept = new Set(output.split('\n'))
  const severe = output.split('\n').some((l) => l.includes('(severe)'))
  let verbatim = 0
  for (const a of input.alerts!) if (kept.has(a)) verbatim++
  return `${verbatim}/${input.alerts!.length} verbatim${severe ? ', rest under (severe) markers' : ''}`
}

function runGroup(group: Group, mode: Mode, failures: string[]): { entry: Entry; answers: number; ms: number } {
  let before = 0
  let after = 0
  let answers = 0
  let ms = 0
  const strategies = new Set<string>()
  for (const item of group.items) {
    const o = run({ name: `${group.name} #${group.items.indexOf(item)}`, text: item.text, query: item.query }, mode, failures)
    before += o.entry.before
    after += o.entry.after
    ms += o.ms
    if (o.entry.strategy) strategies.add(o.entry.strategy.replace(/\(.*$/, ''))
    if (item.answers.some((a) => o.output.includes(a))) answers++
  }
  return { entry: { before, after, strategy: [...strategies].sort().join(',') || null }, answers, ms }
}

interface Change {
  key: string
  was?: Entry
  now?: Entry
}

/** Differences between the baseline and this run, worst first. */
export function compare(baseline: Baseline, entries: Record<string, Entry>, retention: Record<string, string>): { changes: Change[]; retention: string[] } {
  const changes: Change[] = []
  for (const key of new Set([...Object.keys(baseline.entries), ...Object.keys(entries)])) {
    const was = baseline.entries[key]
    const now = entries[key]
    if (!was || !now || was.before !== now.before || was.after !== now.after || was.strategy !== now.strategy) changes.push({ key, was, now })
  }
  const worse = (c: Change) => (c.now && c.was ? c.now.after - c.was.after : Infinity)
  changes.sort((a, b) => worse(b) - worse(a) || a.key.localeCompare(b.key))
  const ret: string[] = []
  for (const key of new Set([...Object.keys(baseline.retention), ...Object.keys(retention)])) {
    if (baseline.retention[key] !== retention[key]) ret.push(`${key}: ${baseline.retention[key] ?? '(new)'} -> ${retention[key] ?? '(gone)'}`)
  }
  return { changes, retention: ret }
}

function pct(e: Entry): string {
  return e.before ? `${((1 - e.after / e.before) * 100).toFixed(1)}%` : '-'
}

function describe(c: Change): string {
  if (!c.was) return `| ${c.key} | (new) | ${c.now!.after} (${pct(c.now!)}) | | ${c.now!.strategy ?? '-'} |`
  if (!c.now) return `| ${c.key} | ${c.was.after} (${pct(c.was)}) | (gone) | | |`
  const d = c.now.after - c.was.after
  const verdict = c.now.before !== c.was.before ? 'input changed' : d > 0 ? `WORSE +${d}` : d < 0 ? `better ${d}` : 'strategy changed'
  return `| ${c.key} | ${c.was.after} (${pct(c.was)}) | ${c.now.after} (${pct(c.now)}) | ${verdict} | ${c.was.strategy ?? '-'} -> ${c.now.strategy ?? '-'} |`
}

/** `--self-test`: the comparison flags a worse, a better and a missing entry. */
function selfTest() {
  const base: Baseline = {
    note: '',
    entries: { a: { before: 10, after: 5, strategy: 's' }, b: { before: 10, after: 5, strategy: 's' }, c: { before: 1, after: 1, strategy: null } },
    retention: { r: '1/1' },
  }
  const { changes, retention } = compare(base, { a: { before: 10, after: 6, strategy: 's' }, b: { before: 10, after: 4, strategy: 's' } }, { r: '0/1' })
  const keys = changes.map((c) => c.key).join(',')
  if (keys !== 'c,a,b' || retention.length !== 1) throw new Error(`self-test failed: ${keys} / ${retention.join(';')}`)
  const same = compare(base, base.entries, base.retention)
  if (same.changes.length || same.retention.length) throw new Error('self-test failed: identical runs differ')
  console.log('gate self-test: ok')
}

function main() {
  if (flag('--self-test')) return selfTest()
  const started = Date.now()
  const failures: string[] = []
  const entries: Record<string, Entry> = {}
  const retention: Record<string, string> = {}
  const latency: string[] = []
  const list = inputs()
  console.error(`gate: ${list.length} inputs + SQuAD groups x ${MODES.length} modes, ${RUNS} runs each, binary: ${process.env.NAPI_RS_NATIVE_LIBRARY_PATH ?? '(loader default)'}`)
  for (const input of list) {
    const cells: string[] = []
    for (const mode of MODES) {
      const o = run(input, mode, failures)
      entries[`${input.name} [${mode}]`] = o.entry
      cells.push(`${mode} ${o.ms.toFixed(2)} ms`)
      if (input.alerts && mode !== 'lossless') retention[`${input.name} [${mode}] alert lines`] = alertRetention(input, o.output)
    }
    latency.push(`| ${input.name} | ${cells.join(' | ')} |`)
  }
  for (const group of squad()) {
    const cells: string[] = []
    for (const mode of MODES) {
      const g = runGroup(group, mode, failures)
      entries[`${group.name} [${mode}]`] = g.entry
      retention[`${group.name} [${mode}] answers kept`] = `${g.answers}/${group.items.length}`
      cells.push(`${mode} ${g.ms.toFixed(2)} ms`)
    }
    latency.push(`| ${group.name} (sum of medians) | ${cells.join(' | ')} |`)
  }
  // Balanced mode keeps every alert line verbatim; aggressive names the rest in markers.
  for (const [key, value] of Object.entries(retention)) {
    if (key.includes('[balanced] alert lines')) {
      const [kept, total] = value.split(' ')[0].split('/')
      if (kept !== total) failures.push(`${key}: ${value} (balanced must keep every alert line)`)
    }
  }
  const total = Object.values(entries).reduce((t, e) => ({ before: t.before + e.before, after: t.after + e.after }), { before: 0, after: 0 })
  console.log(`\nLatency per call (median of ${RUNS} runs; reported, not gated):\n`)
  console.log(`| input | ${MODES.join(' | ')} |\n|---|${MODES.map(() => '---:').join('|')}|`)
  console.log(latency.join('\n'))
  console.log(`\n${Object.keys(entries).length} results, ${total.before} -> ${total.after} tokens over all modes, ${((Date.now() - started) / 1000).toFixed(1)} s`)

  if (flag('--update')) {
    const baseline: Baseline = {
      note: 'Written by `npm run gate -- --update`. Exact o200k token counts per input and mode; an intended change updates this file in the same commit, with the reason in the commit message.',
      entries,
      retention,
    }
    fs.writeFileSync(BASELINE, JSON.stringify(baseline, null, 2) + '\n')
    console.log(`gate: baseline written (${BASELINE})`)
  }
  if (failures.length) {
    console.error(`\ngate: ${failures.length} fidelity failure(s):\n- ${failures.join('\n- ')}`)
    process.exit(1)
  }
  if (flag('--update')) return
  if (!fs.existsSync(BASELINE)) {
    console.error(`gate: no baseline at ${BASELINE}; create it with \`npm run gate -- --update\``)
    process.exit(1)
  }
  const { changes, retention: retChanges } = compare(JSON.parse(read(BASELINE)) as Baseline, entries, retention)
  if (changes.length || retChanges.length) {
    console.error(`\ngate: results differ from benches/gate/baseline.json (${changes.length} counts, ${retChanges.length} retention figures).`)
    if (changes.length) {
      console.error('\n| input [mode] | baseline tokens after | now | change | strategy |\n|---|---:|---:|---|---|')
      console.error(changes.map(describe).join('\n'))
    }
    if (retChanges.length) console.error(`\nRetention:\n- ${retChanges.join('\n- ')}`)
    console.error('\nIf the change is intended, run `npm run gate -- --update` and commit the baseline with the reason.')
    process.exit(1)
  }
  console.log('gate: every count and retention figure matches the baseline; every output passed the fidelity checks')
}

main()
