// `npm run bench:agent`: a real Claude Code session, recorded, then compressed offline as a proxy
// would compress it.
//
// The pinned CLI (benches/agent/setup.sh) runs in print mode against FakeUpstream
// (fake-upstream.ts), whose scripted tool_use answers make it run real commands (Bash: grep, rg,
// find, ls, git log --stat, git diff, a node --test run; Read, Grep, Glob, Write) in a fresh clone
// of this repository. The requests the CLI sends are real agent traffic: its own system prompt,
// tool definitions, reminders, cache_control breakpoints and the tool outputs as it formats them.
// Then, offline, every main-conversation request body is compressed in arrival order with
// compressBody through one shared Store.memory() (as a proxy in front of the provider would), in
// balanced and aggressive modes, and measured:
//   - tokens before/after per turn and over the session (o200k, exact: countMessageTokens with
//     gpt-4o over the whole body: tools, system and messages);
//   - prefix stability: turn N's tools, system and messages, with cache_control removed (Claude
//     Code moves its breakpoint to the newest block), must reappear byte-identical at the start of
//     turn N+1's; raw requests are checked the same way as a baseline;
//   - zero silent loss: checkNoSilentLoss on every transform of every request.
// Writes benches/results/agent.json and agent.md and prints a summary.
//
//   node --import tsx benches/agent/session.ts [--commit REV] [--save-requests DIR] [--keep]
//     --commit REV          the commit of this repository the agent explores (default: a fixed one)
//     --save-requests DIR   also write every recorded request (meta + raw body) under DIR
//     --keep                leave the temp clone and config dir in place
import { spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import * as hr from '../../index'
import { FakeUpstream, type RecordedRequest, type ScriptStep } from './fake-upstream'
import { rawItems, rawMembers, withoutCacheControl } from './json-spans'

const ROOT = path.resolve(__dirname, '..', '..')
const RESULTS = path.join(ROOT, 'benches', 'results')
const CLI = path.join(__dirname, 'node_modules', '@anthropic-ai', 'claude-code', 'bin', 'claude.exe')
const CLI_VERSION = '2.1.190'
/** A fixed place, so that paths in the conversation (and so token counts) are the same on every run. */
const WORK = path.join(os.tmpdir(), 'headroom-bench-agent')
const REPO = path.join(WORK, 'repo')
const CONFIG = path.join(WORK, 'claude-config')
const COUNT_MODEL = 'gpt-4o'
/**
 * The commit the agent explores (a fixed one, so that the session's inputs stay the same while
 * the compressors change; `--commit REV` picks another, and HEAD is used where history lacks it).
 */
const REPO_COMMIT = '0ead66f0894fd7d8cf84678ebe68f8d16e909942'
const MODES: hr.Mode[] = ['balanced', 'aggressive']
const TIMEOUT_MS = 5 * 60_000

const PROMPT =
  'Find out how this repository keeps compressed conversation history byte-stable across turns ' +
  '(the memo), look at the recent changes, run a quick test, and summarise what you found.'

/** The scripted session: one step per turn. Paths are in the temp clone. */
function script(repo: string): ScriptStep[] {
  const p = (f: string) => path.join(repo, f)
  return [
    { name: 'Bash', input: { command: 'ls -la', description: 'List the repository root' }, say: "I'll start by looking at the layout." },
    { name: 'Bash', input: { command: 'git log --stat -n 12', description: 'Recent commits with files changed' } },
    { name: 'Glob', input: { pattern: 'crates/*/src/**/*.rs' } },
    { name: 'Grep', input: { pattern: 'memo', path: p('crates'), output_mode: 'files_with_matches' } },
    { name: 'Bash', input: { command: 'grep -rn "memo" crates/headroom_messages/src crates/headroom_core/src --include=*.rs', description: 'Find memo uses' } },
    [
      { name: 'Read', input: { file_path: p('crates/headroom_messages/src/memo.rs') } },
      { name: 'Read', input: { file_path: p('crates/headroom_messages/src/splice.rs') } },
    ],
    { name: 'Bash', input: { command: "find . -path ./node_modules -prune -o -path ./.git -prune -o -type f -name '*.rs' -print | xargs wc -l | sort -n", description: 'Rust files by size' } },
    { name: 'Grep', input: { pattern: 'cache_control', path: repo, output_mode: 'content', '-n': true, head_limit: 120 } },
    { name: 'Bash', input: { command: 'rg -n "compressBody|checkNoSilentLoss" --type ts', description: 'Where the TS API is used' } },
    { name: 'Read', input: { file_path: p('index.ts'), offset: 400, limit: 500 } },
    { name: 'Bash', input: { command: 'git diff HEAD~3 --stat', description: 'Files changed in the last 3 commits' } },
    { name: 'Bash', input: { command: 'git diff HEAD~3 -- crates/headroom_json', description: 'Diff of the JSON crate over the last 3 commits' } },
    { name: 'Read', input: { file_path: p('examples/cargo-metadata.json') } },
    { name: 'Bash', input: { command: 'cat benches/gate/baseline.json', description: 'Gate baseline' } },
    { name: 'Bash', input: { command: 'ls -la crates/*/src', description: 'Crate sources' } },
    { name: 'Bash', input: { command: 'git log --stat --format=fuller -n 15 -- crates/headroom_core', description: 'History of headroom_core' } },
    { name: 'Glob', input: { pattern: '**/*.spec.ts' } },
    {
      name: 'Write',
      input: {
        file_path: p('smoke.test.mjs'),
        content: [
          "import { test } from 'node:test'",
          "import assert from 'node:assert/strict'",
          "import { createRequire } from 'node:module'",
          'const hr = createRequire(import.meta.url)(\'./index.js\')',
          '',
          "test('a repeated body compresses to the same bytes', () => {",
          '  const store = hr.Store.memory()',
          '  const rows = Array.from({ length: 300 }, (_, i) => ({ id: i, status: i % 7 ? \'ok\' : \'retry\', latency_ms: (i * 37) % 500 }))',
          "  const body = JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: JSON.stringify(rows) }] }] })",
          '  const a = hr.compressBody(body, { store })',
          '  const b = hr.compressBody(body, { store })',
          '  assert.ok(a.report.tokensAfter < a.report.tokensBefore)',
          '  assert.deepEqual(a.body, b.body)',
          '})',
          '',
          "test('counts tokens', () => {",
          "  assert.equal(hr.countTokens('hello world', 'gpt-4o'), 2)",
          '})',
          '',
        ].join('\n'),
      },
    },
    { name: 'Bash', input: { command: 'node --test smoke.test.mjs', description: 'Run the smoke test' } },
    { name: 'Bash', input: { command: 'node bin/headroom.js demo', description: 'Run the demo on the bundled samples' } },
    [
      { name: 'Read', input: { file_path: p('crates/headroom_core/src/store.rs'), limit: 400 } },
      { name: 'Grep', input: { pattern: 'fn (get|put|memo)', path: p('crates/headroom_core/src'), output_mode: 'content', '-n': true } },
    ],
    { name: 'Bash', input: { command: "find crates -name Cargo.toml -exec grep -H -E '^(name|version) =' {} +", description: 'Crate names and versions' } },
  ]
}

// ---------------------------------------------------------------------------------------------
// Running the CLI
// ---------------------------------------------------------------------------------------------

function cliVersion(): string | null {
  if (!fs.existsSync(CLI)) return null
  const cfg = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-cc-version-'))
  try {
    const r = spawnSync(CLI, ['--version'], { encoding: 'utf8', env: { ...cleanEnv(), CLAUDE_CONFIG_DIR: cfg }, timeout: 30_000 })
    return r.status === 0 ? r.stdout.trim().split(/\s+/)[0] : null
  } finally {
    fs.rmSync(cfg, { recursive: true, force: true })
  }
}

/** The environment without anything that could point the CLI at a real account or endpoint. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(ANTHROPIC_|CLAUDE_|CLAUDECODE|AWS_|GOOGLE_|VERTEX|BEDROCK)/.test(k)) continue
    env[k] = v
  }
  return {
    ...env,
    ANTHROPIC_API_KEY: 'test',
    DISABLE_TELEMETRY: '1',
    DISABLE_AUTOUPDATER: '1',
    DISABLE_ERROR_REPORTING: '1',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    // the demo the agent runs writes originals to the default store otherwise
    HEADROOM_STORE: 'memory',
  }
}

function git(cwd: string, args: string[]): string {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`)
  return r.stdout.trim()
}

/** A fresh clone of this repository at {@link REPO}, `commit` checked out, node_modules linked (the agent runs node). */
function prepareRepo(commit: string): string {
  fs.rmSync(WORK, { recursive: true, force: true })
  fs.mkdirSync(CONFIG, { recursive: true })
  git(ROOT, ['clone', '--quiet', '--no-local', ROOT, REPO])
  const has = spawnSync('git', ['cat-file', '-e', `${commit}^{commit}`], { cwd: REPO }).status === 0
  if (has) git(REPO, ['checkout', '--quiet', '-B', 'bench', commit])
  else console.warn(`bench:agent: commit ${commit} not in this history; exploring HEAD instead (figures will differ)`)
  fs.symlinkSync(fs.realpathSync(path.join(ROOT, 'node_modules')), path.join(REPO, 'node_modules'))
  return git(REPO, ['rev-parse', '--short', 'HEAD'])
}

interface CliRun {
  exitCode: number | null
  timedOut: boolean
  ms: number
  result: Record<string, unknown> | null
  stderr: string
}

async function runCli(baseUrl: string, maxTurns: number): Promise<CliRun> {
  const args = [
    '-p',
    PROMPT,
    '--max-turns',
    String(maxTurns),
    '--allowedTools',
    'Bash,Read,Grep,Glob,LS,Write',
    '--output-format',
    'json',
  ]
  const started = Date.now()
  const child = spawn(CLI, args, {
    cwd: REPO,
    env: { ...cleanEnv(), ANTHROPIC_BASE_URL: baseUrl, CLAUDE_CONFIG_DIR: CONFIG },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  child.stdout.on('data', (d: Buffer) => (out += d.toString()))
  child.stderr.on('data', (d: Buffer) => (err += d.toString()))
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    child.kill('SIGKILL')
  }, TIMEOUT_MS)
  const exitCode = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)))
  clearTimeout(timer)
  let result: Record<string, unknown> | null = null
  try {
    result = JSON.parse(out) as Record<string, unknown>
  } catch {
    /* left null: stdout is reported */
    if (out) err += `\n[stdout] ${out.slice(0, 2000)}`
  }
  return { exitCode, timedOut, ms: Date.now() - started, result, stderr: err.slice(0, 4000) }
}

interface Segments {
  tools: string
  system: string
  messages: string[]
  /** Other top-level members that invalidate a cached prefix when they change. */
  other: Map<string, string>
}

const CACHE_RELEVANT = ['model', 'tool_choice', 'thinking', 'context_management', 'output_config']

function segments(body: Buffer): Segments {
  const top = rawMembers(body)
  const other = new Map<string, string>()
  for (const k of CACHE_RELEVANT) if (top.has(k)) other.set(k, top.get(k) as string)
  return {
    tools: withoutCacheControl(top.get('tools') ?? ''),
    system: withoutCacheControl(top.get('system') ?? ''),
    messages: rawItems(top.get('messages') ?? '[]').map(withoutCacheControl),
    other,
  }
}

interface PrefixDiff {
  /** Turns compared (main-request index N and N+1). */
  pair: [number, number]
  /** Where: `tools`, `system`, `messages/<i>`, `messages (count)` or a top-level member name. */
  where: string
  /** Character offset of the first difference in that segment. */
  offset: number
  /** Turn N's text around the difference. */
  before: string
  /** Turn N+1's text around the difference. */
  after: string
}

function firstDiff(a: string, b: string): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i
  return n
}

function diffAt(pair: [number, number], where: string, a: string, b: string): PrefixDiff {
  const off = firstDiff(a, b)
  const from = Math.max(0, off - 80)
  return { pair, where, offset: off, before: a.slice(from, off + 120), after: b.slice(from, off + 120) }
}

/** Whether turn N+1 starts with turn N (tools, system, then every message), and where it does not. */
function prefixCheck(pair: [number, number], a: Segments, b: Segments, withTools = true): PrefixDiff | null {
  for (const [k, v] of a.other) if (b.other.get(k) !== v) return diffAt(pair, k, v, b.other.get(k) ?? '')
  if (withTools && a.tools !== b.tools) return diffAt(pair, 'tools', a.tools, b.tools)
  if (a.system !== b.system) return diffAt(pair, 'system', a.system, b.system)
  if (b.messages.length < a.messages.length) return diffAt(pair, 'messages (count)', String(a.messages.length), String(b.messages.length))
  for (let i = 0; i < a.messages.length; i++) {
    if (a.messages[i] !== b.messages[i]) return diffAt(pair, `messages/${i}`, a.messages[i], b.messages[i])
  }
  return null
}

interface PrefixSummary {
  stable: number
  total: number
  /** Every unstable pair (the first difference of each). */
  diffs: PrefixDiff[]
}

/** Prefix stability over consecutive requests; `withTools: false` leaves the tool definitions out of it. */
function prefixSummary(bodies: Buffer[], withTools = true): PrefixSummary {
  const segs = bodies.map(segments)
  const diffs: PrefixDiff[] = []
  for (let i = 0; i + 1 < segs.length; i++) {
    const d = prefixCheck([i, i + 1], segs[i], segs[i + 1], withTools)
    if (d) diffs.push(d)
  }
  return { stable: Math.max(0, segs.length - 1) - diffs.length, total: Math.max(0, segs.length - 1), diffs }
}

// ---------------------------------------------------------------------------------------------
// Traffic description
// ---------------------------------------------------------------------------------------------

/** Where the request's cache_control breakpoints are (`system/2`, `messages/5/content/1`, ...), with ttl. */
function breakpoints(body: Record<string, unknown>): string[] {
  const out: string[] = []
  const walk = (v: unknown, at: string) => {
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${at}/${i}`))
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>
      if (o.cache_control && typeof o.cache_control === 'object') {
        const cc = o.cache_control as { ttl?: string; scope?: string }
        out.push(`${at.slice(1)}${cc.ttl ? `(${cc.ttl})` : ''}${cc.scope ? `[${cc.scope}]` : ''}`)
      }
      for (const [k, x] of Object.entries(o)) if (k !== 'cache_control' && k !== 'input') walk(x, `${at}/${k}`)
    }
  }
  walk({ tools: body.tools, system: body.system, messages: body.messages }, '')
  if (body.cache_control) out.push('(top-level)')
  return out
}

interface TrafficRow {
  seq: number
  method: string
  url: string
  kind: string
  turn?: number
  status: number
  bytes: number
  model?: string
  tools?: number
  messages?: number
  maxTokens?: number
  system?: string
  breakpoints?: string[]
}

function trafficRow(r: RecordedRequest): TrafficRow {
  const row: TrafficRow = { seq: r.seq, method: r.method, url: r.url, kind: r.kind, status: r.status, bytes: r.body.length }
  if (r.turn !== undefined) row.turn = r.turn
  const j = r.json
  if (j) {
    if (typeof j.model === 'string') row.model = j.model
    if (Array.isArray(j.tools)) row.tools = j.tools.length
    if (Array.isArray(j.messages)) row.messages = j.messages.length
    if (typeof j.max_tokens === 'number') row.maxTokens = j.max_tokens
    const sys = Array.isArray(j.system)
      ? (j.system as { text?: string }[]).map((b) => b.text ?? '').join(' | ')
      : typeof j.system === 'string'
        ? j.system
        : ''
    if (sys) row.system = sys.replace(/\s+/g, ' ').slice(0, 160)
    row.breakpoints = breakpoints(j)
  }
  return row
}

/** Header names and the values worth reporting (credentials redacted). */
function headerSummary(r: RecordedRequest): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(r.headers)) {
    const value = Array.isArray(v) ? v.join(', ') : String(v ?? '')
    out[k] = /api-key|authorization|cookie/i.test(k) ? `<${value.length} chars>` : /session-id|^host$/.test(k) ? '<varies>' : value
  }
  return out
}

// ---------------------------------------------------------------------------------------------
// Compression
// ---------------------------------------------------------------------------------------------

function pointerGet(root: unknown, pointer: string): unknown {
  let v: unknown = root
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~')
    if (v === null || typeof v !== 'object') return undefined
    v = (v as Record<string, unknown>)[key]
  }
  return v
}

/** o200k tokens of every tool_result text in a body. */
function toolResultTokens(body: Record<string, unknown>): number {
  let n = 0
  for (const m of (body.messages ?? []) as { content?: unknown }[]) {
    if (!Array.isArray(m.content)) continue
    for (const b of m.content as { type?: string; content?: unknown }[]) {
      if (b.type !== 'tool_result') continue
      if (typeof b.content === 'string') n += hr.countTokens(b.content, COUNT_MODEL)
      else if (Array.isArray(b.content)) {
        for (const c of b.content as { type?: string; text?: string }[]) if (c.type === 'text' && c.text) n += hr.countTokens(c.text, COUNT_MODEL)
      }
    }
  }
  return n
}

interface TurnMode {
  tokensAfter: number
  saved: number
  toolResultTokensAfter: number
  /** Transforms in this request, and how many were reused from the memo (history). */
  transforms: number
  memoized: number
  /** Strategies of the blocks compressed for the first time in this request. */
  newStrategies: string[]
  retrieveTool?: string
  ms: number
}

interface TurnRow {
  turn: number
  seq: number
  bytes: number
  messages: number
  tokensBefore: number
  toolResultTokensBefore: number
  modes: Record<string, TurnMode>
}

interface LossFailure {
  mode: string
  turn: number
  path: string
  strategy: string
  error: string
}

interface ToolOutputRow {
  /** Path of the output in the last request, e.g. `/messages/5/content/0/content`. */
  path: string
  tool: string
  /** The call, in short: the Bash command, the file read, the pattern. */
  call: string
  chars: number
  tokensBefore: number
  /** Per mode: the strategy (or `skip:<reason>[:detail]`) and tokens after. */
  modes: Record<string, { outcome: string; tokensAfter: number }>
}

/**
 * Every tool output of the last main request (it holds the whole session), what each mode did to
 * it and why: the per-tool-call view of where savings come from and where they do not.
 */
function toolOutputRows(last: RecordedRequest | undefined, reports: Record<string, hr.CompressReport>, outs: Record<string, Buffer[]>): ToolOutputRow[] {
  if (!last?.json) return []
  const body = last.json
  const messages = (body.messages ?? []) as { role?: string; content?: unknown }[]
  const calls = new Map<string, { name: string; input: Record<string, unknown> }>()
  for (const m of messages) {
    if (m.role !== 'assistant' || !Array.isArray(m.content)) continue
    for (const b of m.content as { type?: string; id?: string; name?: string; input?: Record<string, unknown> }[]) {
      if (b.type === 'tool_use' && b.id) calls.set(b.id, { name: b.name ?? '?', input: b.input ?? {} })
    }
  }
  const afterBodies = Object.fromEntries(Object.entries(outs).map(([m, bs]) => [m, JSON.parse(bs[bs.length - 1].toString('utf8')) as unknown]))
  const rows: ToolOutputRow[] = []
  messages.forEach((m, i) => {
    if (!Array.isArray(m.content)) return
    ;(m.content as { type?: string; tool_use_id?: string; content?: unknown }[]).forEach((b, j) => {
      if (b.type !== 'tool_result' || typeof b.content !== 'string') return
      const p = `/messages/${i}/content/${j}/content`
      const call = calls.get(b.tool_use_id ?? '')
      const input = call?.input ?? {}
      const what = [input.command, input.file_path, input.pattern].find((x) => typeof x === 'string') as string | undefined
      const row: ToolOutputRow = {
        path: p,
        tool: call?.name ?? '?',
        call: (what ?? JSON.stringify(input)).replace(REPO + '/', '').slice(0, 90),
        chars: b.content.length,
        tokensBefore: hr.countTokens(b.content, COUNT_MODEL),
        modes: {},
      }
      for (const [mode, rep] of Object.entries(reports)) {
        const t = rep.transforms.find((x) => x.path === p)
        const sk = rep.skipped.find((x) => x.path === p)
        const after = pointerGet(afterBodies[mode], p)
        row.modes[mode] = {
          outcome: t ? t.strategy : sk ? `skip:${sk.reason}${sk.detail ? `:${sk.detail}` : ''}` : 'skip',
          tokensAfter: typeof after === 'string' ? hr.countTokens(after, COUNT_MODEL) : row.tokensBefore,
        }
      }
      rows.push(row)
    })
  })
  return rows
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s.length ? s[Math.floor((s.length - 1) / 2)] : 0
}

function pct(saved: number, before: number): string {
  return before ? `${((100 * saved) / before).toFixed(1)}%` : '-'
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(name)
  return i >= 0 ? (process.argv[i + 1] ?? '') : undefined
}

async function main(): Promise<void> {
  const version = cliVersion()
  if (version === null) {
    console.log('bench:agent: the Claude Code CLI is not installed in benches/agent/node_modules.')
    console.log(`  install it (pinned @anthropic-ai/claude-code@${CLI_VERSION}, from the npm registry):`)
    console.log('    bash benches/agent/setup.sh')
    console.log('  then: npm run bench:agent')
    return
  }
  if (version !== CLI_VERSION) console.warn(`bench:agent: expected claude ${CLI_VERSION}, found ${version}; run bash benches/agent/setup.sh`)

  const commit = prepareRepo(flag('--commit') || REPO_COMMIT)
  const steps = script(REPO)
  const upstream = await FakeUpstream.start({
    script: steps,
    finalText:
      'The memo keeps each compressed block keyed by its content, so a resent block gets the same bytes; recent commits touched the JSON crusher, the gate and the store. The smoke test passed.',
  })
  const toolCalls = steps.reduce((n, s) => n + (Array.isArray(s) ? s.length : 1), 0)
  console.log(`bench:agent: claude ${version} in a clone of ${commit} (${REPO}), ${steps.length} scripted turns, ${toolCalls} tool calls, upstream ${upstream.url}`)
  const cli = await runCli(upstream.url, steps.length + 5)
  await upstream.close()
  const requests = upstream.requests
  const main = upstream.mainRequests()
  console.log(
    `  CLI exit ${cli.exitCode}${cli.timedOut ? ' (timed out)' : ''} in ${(cli.ms / 1000).toFixed(1)} s; ` +
      `${requests.length} requests, ${main.length} main-conversation; finished: ${upstream.finished()}`,
  )
  if (!upstream.finished()) console.log(`  stderr: ${cli.stderr}`)

  const saveDir = flag('--save-requests')
  if (saveDir) {
    fs.mkdirSync(saveDir, { recursive: true })
    for (const r of requests) {
      const name = `${String(r.seq).padStart(3, '0')}-${r.kind}${r.turn !== undefined ? `-t${r.turn}` : ''}`
      fs.writeFileSync(path.join(saveDir, `${name}.meta.json`), JSON.stringify({ method: r.method, url: r.url, headers: r.headers, status: r.status }, null, 2))
      if (r.body.length) fs.writeFileSync(path.join(saveDir, `${name}.body.json`), r.body)
    }
    console.log(`  requests saved under ${saveDir}`)
  }

  // --- offline: compress every main request in order through one store per mode ---
  const rawBodies = main.map((r) => r.body)
  const parsedBefore = main.map((r) => r.json as Record<string, unknown>)
  const rows: TurnRow[] = main.map((r, i) => ({
    turn: r.turn ?? i,
    seq: r.seq,
    bytes: r.body.length,
    messages: Array.isArray(parsedBefore[i].messages) ? (parsedBefore[i].messages as unknown[]).length : 0,
    tokensBefore: hr.countMessageTokens(parsedBefore[i] as hr.RequestBody, COUNT_MODEL),
    toolResultTokensBefore: toolResultTokens(parsedBefore[i]),
    modes: {},
  }))
  const compressedBodies: Record<string, Buffer[]> = {}
  const lastReports: Record<string, hr.CompressReport> = {}
  const lossFailures: LossFailure[] = []
  let lossChecked = 0
  let markersVerified = 0
  const sessionByMode: Record<string, { tokensAfter: number; saved: number; transforms: number; memoized: number; medianMs: number; storeEntries: number; storeBytes: number; memoEntries: number }> = {}
  for (const mode of MODES) {
    const store = hr.Store.memory()
    const outs: Buffer[] = []
    const times: number[] = []
    main.forEach((r, i) => {
      const t0 = process.hrtime.bigint()
      const res = hr.compressBody(r.body, { store, mode })
      const ms = Number(process.hrtime.bigint() - t0) / 1e6
      times.push(ms)
      outs.push(res.body)
      if (i === main.length - 1) lastReports[mode] = res.report
      const after = JSON.parse(res.body.toString('utf8')) as Record<string, unknown>
      const tokensAfter = hr.countMessageTokens(after as hr.RequestBody, COUNT_MODEL)
      for (const t of res.report.transforms) {
        const orig = pointerGet(parsedBefore[i], t.path)
        const comp = pointerGet(after, t.path)
        lossChecked++
        if (typeof orig !== 'string' || typeof comp !== 'string') {
          lossFailures.push({ mode, turn: rows[i].turn, path: t.path, strategy: t.strategy, error: 'path does not name a string in both bodies' })
          continue
        }
        try {
          markersVerified += hr.checkNoSilentLoss(orig, comp, { store, strategy: t.strategy }).markers
        } catch (e) {
          lossFailures.push({ mode, turn: rows[i].turn, path: t.path, strategy: t.strategy, error: (e as Error).message })
        }
      }
      const m: TurnMode = {
        tokensAfter,
        saved: rows[i].tokensBefore - tokensAfter,
        toolResultTokensAfter: toolResultTokens(after),
        transforms: res.report.transforms.length,
        memoized: res.report.transforms.filter((t) => t.memoized).length,
        newStrategies: res.report.transforms.filter((t) => !t.memoized).map((t) => t.strategy),
        ms: Math.round(ms * 100) / 100,
      }
      if (res.report.retrieveTool) m.retrieveTool = res.report.retrieveTool
      rows[i].modes[mode] = m
    })
    compressedBodies[mode] = outs
    const stats = store.stats()
    const tokensAfter = rows.reduce((n, r) => n + r.modes[mode].tokensAfter, 0)
    const before = rows.reduce((n, r) => n + r.tokensBefore, 0)
    sessionByMode[mode] = {
      tokensAfter,
      saved: before - tokensAfter,
      transforms: rows.reduce((n, r) => n + r.modes[mode].transforms, 0),
      memoized: rows.reduce((n, r) => n + r.modes[mode].memoized, 0),
      medianMs: Math.round(median(times) * 100) / 100,
      storeEntries: stats.entries,
      storeBytes: stats.bytes,
      memoEntries: stats.memoEntries,
    }
    store.close()
  }

  const prefix: Record<string, PrefixSummary> = { raw: prefixSummary(rawBodies) }
  for (const mode of MODES) prefix[mode] = prefixSummary(compressedBodies[mode])
  // the same without the tool definitions: separates the history's own bytes from the one-time
  // addition of headroom_retrieve to `tools` when the first marker appears
  const prefixWithoutTools: Record<string, PrefixSummary> = { raw: prefixSummary(rawBodies, false) }
  for (const mode of MODES) prefixWithoutTools[mode] = prefixSummary(compressedBodies[mode], false)

  const tokensBefore = rows.reduce((n, r) => n + r.tokensBefore, 0)
  const last = rows[rows.length - 1]
  const traffic = requests.map(trafficRow)
  const result = {
    env: {
      date: new Date().toISOString(),
      node: process.version,
      cpu: os.cpus()[0]?.model ?? 'unknown',
      cores: os.cpus().length,
      platform: `${process.platform}-${process.arch}`,
      headroomNative: hr.nativeVersion,
      claudeCode: version,
      repoCommit: commit,
      countModel: COUNT_MODEL,
    },
    prompt: PROMPT,
    script: steps,
    cli: {
      exitCode: cli.exitCode,
      timedOut: cli.timedOut,
      seconds: Math.round(cli.ms / 100) / 10,
      finished: upstream.finished(),
      result: cli.result
        ? Object.fromEntries(Object.entries(cli.result).filter(([k]) => ['subtype', 'is_error', 'num_turns', 'stop_reason', 'terminal_reason', 'result', 'permission_denials'].includes(k)))
        : null,
      stderr: cli.stderr || undefined,
    },
    traffic,
    mainHeaders: main.length ? headerSummary(main[0]) : {},
    turns: rows,
    session: {
      turns: rows.length,
      tokensBefore,
      lastTurnTokensBefore: last?.tokensBefore ?? 0,
      toolResultTokensLastTurn: last?.toolResultTokensBefore ?? 0,
      modes: Object.fromEntries(
        MODES.map((m) => [
          m,
          {
            ...sessionByMode[m],
            savedPct: tokensBefore ? sessionByMode[m].saved / tokensBefore : 0,
            lastTurnTokensAfter: last?.modes[m].tokensAfter ?? 0,
            lastTurnSavedPct: last ? last.modes[m].saved / last.tokensBefore : 0,
            toolResultTokensLastTurnAfter: last?.modes[m].toolResultTokensAfter ?? 0,
          },
        ]),
      ),
    },
    prefix,
    prefixWithoutTools,
    toolOutputs: toolOutputRows(main[main.length - 1], lastReports, compressedBodies),
    loss: { checked: lossChecked, markersVerified, failures: lossFailures },
  }
  fs.mkdirSync(RESULTS, { recursive: true })
  fs.writeFileSync(path.join(RESULTS, 'agent.json'), JSON.stringify(result, null, 2) + '\n')
  const md = markdown(result)
  fs.writeFileSync(path.join(RESULTS, 'agent.md'), md)

  // --- summary ---
  console.log(`\n${rows.length} main-conversation requests, ${tokensBefore} tokens before over the session (o200k, whole bodies)`)
  for (const m of MODES) {
    const s = result.session.modes[m]
    console.log(
      `  ${m.padEnd(10)} ${tokensBefore} -> ${s.tokensAfter} (${pct(s.saved, tokensBefore)} saved; last turn ${last.tokensBefore} -> ${s.lastTurnTokensAfter}, ` +
        `${pct(last.tokensBefore - s.lastTurnTokensAfter, last.tokensBefore)}); prefix stable ${prefix[m].stable}/${prefix[m].total}; median ${s.medianMs} ms/request`,
    )
  }
  console.log(`  raw        prefix stable ${prefix.raw.stable}/${prefix.raw.total}`)
  for (const [k, p] of Object.entries(prefix)) {
    for (const d of p.diffs.slice(0, 3)) console.log(`    ${k}: turns ${d.pair[0]}->${d.pair[1]} differ at ${d.where} +${d.offset}: ${JSON.stringify(d.before.slice(60, 140))} vs ${JSON.stringify(d.after.slice(60, 140))}`)
  }
  console.log(`  zero silent loss: ${lossChecked - lossFailures.length}/${lossChecked} transforms checked, ${markersVerified} markers verified`)
  for (const f of lossFailures.slice(0, 5)) console.log(`    FAIL ${f.mode} turn ${f.turn} ${f.path} ${f.strategy}: ${f.error}`)
  console.log(`  wrote benches/results/agent.json and agent.md`)

  if (flag('--keep') === undefined) fs.rmSync(WORK, { recursive: true, force: true })
  if (lossFailures.length) process.exitCode = 1
}

type Result = {
  env: Record<string, unknown>
  prompt: string
  cli: { exitCode: number | null; seconds: number; finished: boolean; result: Record<string, unknown> | null }
  traffic: TrafficRow[]
  mainHeaders: Record<string, string>
  turns: TurnRow[]
  session: {
    turns: number
    tokensBefore: number
    lastTurnTokensBefore: number
    toolResultTokensLastTurn: number
    modes: Record<string, { tokensAfter: number; saved: number; savedPct: number; transforms: number; memoized: number; medianMs: number; lastTurnTokensAfter: number; toolResultTokensLastTurnAfter: number }>
  }
  prefix: Record<string, PrefixSummary>
  prefixWithoutTools: Record<string, PrefixSummary>
  toolOutputs: ToolOutputRow[]
  loss: { checked: number; markersVerified: number; failures: LossFailure[] }
}

function markdown(r: Result): string {
  const s = r.session
  const md: string[] = []
  md.push('# Agent session: real Claude Code traffic, compressed offline')
  md.push('')
  md.push(
    `Claude Code ${r.env.claudeCode} (print mode) against a scripted fake upstream, in a clone of this repository at ${r.env.repoCommit}; ` +
      `${s.turns} main-conversation requests; every body compressed in order through one in-memory store per mode. ` +
      `Tokens: o200k (exact), whole request bodies (tools, system, messages). ${r.env.cpu}, ${r.env.cores} cores, node ${r.env.node}, ${r.env.date}.`,
  )
  md.push('')
  md.push('| mode | tokens before (session) | after | saved | last turn before | after | saved | tool results, last turn | prefix stable | median ms/request |')
  md.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|')
  md.push(`| raw (no compression) | ${s.tokensBefore} | - | - | ${s.lastTurnTokensBefore} | - | - | ${s.toolResultTokensLastTurn} | ${r.prefix.raw.stable}/${r.prefix.raw.total} | - |`)
  for (const [m, x] of Object.entries(s.modes)) {
    md.push(
      `| ${m} | ${s.tokensBefore} | ${x.tokensAfter} | ${pct(x.saved, s.tokensBefore)} | ${s.lastTurnTokensBefore} | ${x.lastTurnTokensAfter} | ${pct(s.lastTurnTokensBefore - x.lastTurnTokensAfter, s.lastTurnTokensBefore)} | ` +
        `${s.toolResultTokensLastTurn} -> ${x.toolResultTokensLastTurnAfter} | ${r.prefix[m].stable}/${r.prefix[m].total} | ${x.medianMs} |`,
    )
  }
  md.push('')
  md.push(`Zero silent loss: ${r.loss.checked - r.loss.failures.length}/${r.loss.checked} transforms pass checkNoSilentLoss (${r.loss.markersVerified} markers fetched byte-exact).`)
  md.push('')
  md.push('## Per turn')
  md.push('')
  const modes = Object.keys(s.modes)
  md.push(`| turn | messages | bytes | tokens before | tool-result tokens | ${modes.map((m) => `${m} after | saved | new transforms`).join(' | ')} |`)
  md.push(`|---:|---:|---:|---:|---:|${modes.map(() => '---:|---:|---|').join('')}`)
  for (const t of r.turns) {
    md.push(
      `| ${t.turn} | ${t.messages} | ${t.bytes} | ${t.tokensBefore} | ${t.toolResultTokensBefore} | ` +
        modes
          .map((m) => {
            const x = t.modes[m]
            return `${x.tokensAfter} | ${pct(x.saved, t.tokensBefore)} | ${x.newStrategies.join(', ') || '-'}${x.memoized ? ` (+${x.memoized} memoized)` : ''}`
          })
          .join(' | ') +
        ' |',
    )
  }
  md.push('')
  md.push('## Prefix stability (turn N inside turn N+1, cache_control removed)')
  md.push('')
  for (const [k, p] of Object.entries(r.prefix)) {
    md.push(`- ${k}: ${p.stable}/${p.total} pairs stable`)
    for (const d of p.diffs) md.push(`  - turns ${d.pair[0]}->${d.pair[1]}: first difference in \`${d.where}\` at +${d.offset}: \`${JSON.stringify(d.before.slice(60, 160))}\` vs \`${JSON.stringify(d.after.slice(60, 160))}\``)
  }
  md.push('')
  md.push('Without the tool definitions (system and messages only):')
  md.push('')
  for (const [k, p] of Object.entries(r.prefixWithoutTools)) {
    md.push(`- ${k}: ${p.stable}/${p.total} pairs stable`)
    for (const d of p.diffs) md.push(`  - turns ${d.pair[0]}->${d.pair[1]}: first difference in \`${d.where}\` at +${d.offset}: \`${JSON.stringify(d.before.slice(60, 160))}\` vs \`${JSON.stringify(d.after.slice(60, 160))}\``)
  }
  md.push('')
  md.push('## Tool outputs (the last request holds them all)')
  md.push('')
  md.push(`| # | tool | call | chars | tokens | ${modes.map((m) => `${m} | after`).join(' | ')} |`)
  md.push(`|---:|---|---|---:|---:|${modes.map(() => '---|---:|').join('')}`)
  r.toolOutputs.forEach((t, i) => {
    md.push(
      `| ${i} | ${t.tool} | \`${t.call.replace(/\|/g, '\\|')}\` | ${t.chars} | ${t.tokensBefore} | ` +
        modes.map((m) => `${t.modes[m].outcome} | ${t.modes[m].tokensAfter}`).join(' | ') +
        ' |',
    )
  })
  md.push('')
  md.push('## Traffic')
  md.push('')
  md.push('| # | request | kind | turn | bytes | model | tools | messages | cache_control breakpoints |')
  md.push('|---:|---|---|---:|---:|---|---:|---:|---|')
  for (const t of r.traffic) {
    md.push(`| ${t.seq} | ${t.method} ${t.url} | ${t.kind} | ${t.turn ?? ''} | ${t.bytes} | ${t.model ?? ''} | ${t.tools ?? ''} | ${t.messages ?? ''} | ${(t.breakpoints ?? []).join(', ')} |`)
  }
  md.push('')
  md.push('Headers of the first main request (credentials and per-session values redacted):')
  md.push('')
  md.push('```')
  for (const [k, v] of Object.entries(r.mainHeaders)) md.push(`${k}: ${v}`)
  md.push('```')
  md.push('')
  return md.join('\n')
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
