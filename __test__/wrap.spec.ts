// `headroom wrap`: what each agent is given, the restore journal (crash included), the CLI's
// signal and exit-code handling, and the real Claude Code CLI running a multi-turn agent loop
// through `headroom wrap claude` against a scripted fake Anthropic upstream.
import { spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import test from 'ava'

import { FakeResponses, type FunctionCall } from '../benches/agent/fake-responses'
import { rawItems, rawMembers, withoutCacheControl } from '../benches/agent/json-spans'
import { FakeUpstream, type RecordedRequest, type ScriptStep } from '../benches/agent/fake-upstream'
import { findMarkers } from '../index'
import { resolveConfig } from '../proxy/config'
import { startProxy } from '../proxy/server'
import { RestoreJournal, WrapError, ensureProxy, exitStatus, planLaunch, probeProxy, recoverJournals } from '../proxy/wrap'

const ROOT = path.resolve(__dirname, '..')
const BIN = path.join(ROOT, 'bin', 'headroom.js')
const CLAUDE = path.join(ROOT, 'benches', 'agent', 'node_modules', '@anthropic-ai', 'claude-code', 'bin', 'claude.exe')
const CODEX = path.join(ROOT, 'benches', 'agent', 'codex', 'node_modules', '@openai', 'codex', 'bin', 'codex.js')

function tmpDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `headroom-wrap-${prefix}-`))
}

// -------------------------------------------------------------------------------------------
// What each agent is given
// -------------------------------------------------------------------------------------------

test('claude: ANTHROPIC_BASE_URL in the environment and in --settings, user args kept, token as a custom header', (t) => {
  const base = { PATH: '/usr/bin', ANTHROPIC_CUSTOM_HEADERS: 'x-team: a' }
  const p = planLaunch('claude', { proxyUrl: 'http://127.0.0.1:8787/', args: ['-p', 'hi', '--allowedTools', 'Bash'], env: base })
  t.is(p.command, 'claude')
  t.is(p.env.ANTHROPIC_BASE_URL, 'http://127.0.0.1:8787')
  t.is(p.env.PATH, '/usr/bin')
  t.deepEqual(p.args.slice(2), ['-p', 'hi', '--allowedTools', 'Bash'])
  t.is(p.args[0], '--settings')
  t.deepEqual(JSON.parse(p.args[1]), { env: { ANTHROPIC_BASE_URL: 'http://127.0.0.1:8787' } })
  t.is(p.env.ANTHROPIC_CUSTOM_HEADERS, 'x-team: a', 'no token, headers untouched')
  t.deepEqual(p.edits, [])

  const withToken = planLaunch('claude', { proxyUrl: 'http://127.0.0.1:8787', token: 's3cret', env: base, bin: '/opt/claude' })
  t.is(withToken.command, '/opt/claude')
  t.is(withToken.env.ANTHROPIC_CUSTOM_HEADERS, 'x-team: a\nx-headroom-token: s3cret')
  t.false(withToken.args.join(' ').includes('s3cret'), 'the token stays out of the process list')
  t.is(base.ANTHROPIC_CUSTOM_HEADERS, 'x-team: a', 'the given environment is not modified')
})

test('codex: a custom provider with wire_api "responses" through -c overrides, no file edited', (t) => {
  const p = planLaunch('codex', { proxyUrl: 'http://127.0.0.1:9000', args: ['exec', 'fix it'], env: { OPENAI_API_KEY: 'sk-x' } })
  t.is(p.command, 'codex')
  t.deepEqual(p.args.slice(0, 3), ['-c', 'model_provider="headroom"', '-c'])
  t.regex(p.args[3], /^model_providers\.headroom=\{ .* \}$/)
  t.true(p.args[3].includes('base_url = "http://127.0.0.1:9000/v1"'))
  t.true(p.args[3].includes('wire_api = "responses"'))
  t.true(p.args[3].includes('env_key = "OPENAI_API_KEY"'))
  t.true(p.args[3].includes('supports_websockets = true'), 'the WebSocket mode goes through the proxy too')
  t.deepEqual(p.args.slice(4), ['exec', 'fix it'])
  const http = planLaunch('codex', { proxyUrl: 'http://127.0.0.1:9000', env: {}, websockets: false })
  t.true(http.args[3].includes('supports_websockets = false'), '--no-websockets: HTTP only')
  t.deepEqual(p.edits, [])

  const login = planLaunch('codex', { proxyUrl: 'http://127.0.0.1:9000', token: 'tok', env: {} })
  t.true(login.args[3].includes('requires_openai_auth = true'), 'no OPENAI_API_KEY: Codex uses its own login')
  t.true(login.args[3].includes('env_http_headers = { "x-headroom-token" = "HEADROOM_WRAP_TOKEN" }'))
  t.is(login.env.HEADROOM_WRAP_TOKEN, 'tok')
  t.false(login.args.join(' ').includes('tok"'), 'the token is passed by environment, not on the command line')
})

test('aider: --openai-api-base flag and the base-URL variables; a token is refused', (t) => {
  const p = planLaunch('aider', { proxyUrl: 'http://127.0.0.1:8787', args: ['--model', 'gpt-4o'], env: {} })
  t.is(p.command, 'aider')
  t.deepEqual(p.args, ['--openai-api-base', 'http://127.0.0.1:8787/v1', '--model', 'gpt-4o'])
  t.is(p.env.OPENAI_API_BASE, 'http://127.0.0.1:8787/v1')
  t.is(p.env.OPENAI_BASE_URL, 'http://127.0.0.1:8787/v1')
  t.is(p.env.ANTHROPIC_BASE_URL, 'http://127.0.0.1:8787')
  t.is(p.env.ANTHROPIC_API_BASE, 'http://127.0.0.1:8787')
  const e = t.throws(() => planLaunch('aider', { proxyUrl: 'http://127.0.0.1:8787', token: 't', env: {} }), { instanceOf: WrapError })
  t.is(e?.code, 'UNSUPPORTED')
})

test('exit status: the code, or 128 + the signal number', (t) => {
  t.is(exitStatus(0, null), 0)
  t.is(exitStatus(3, null), 3)
  t.is(exitStatus(null, 'SIGTERM'), 143)
  t.is(exitStatus(null, 'SIGINT'), 130)
})

// -------------------------------------------------------------------------------------------
// The restore journal
// -------------------------------------------------------------------------------------------

test('journal: restore() puts back edited files and removes created ones', (t) => {
  const dir = tmpDir('journal')
  const existing = path.join(dir, 'config.toml')
  const created = path.join(dir, 'sub', 'new.json')
  fs.writeFileSync(existing, 'model = "o3"\n', { mode: 0o640 })
  const j = RestoreJournal.create(path.join(dir, 'journal'))
  j.apply({ path: existing, content: 'model_provider = "headroom"\n' })
  j.apply({ path: existing, content: 'model_provider = "headroom2"\n' }) // a second edit keeps the first backup
  j.apply({ path: created, content: '{}' })
  t.is(fs.readFileSync(existing, 'utf8'), 'model_provider = "headroom2"\n')
  t.true(fs.existsSync(j.file), 'the journal is on disk while edits are in place')
  const restored = j.restore()
  t.deepEqual(
    restored.map((r) => [path.basename(r.path), r.action]),
    [
      ['new.json', 'removed'],
      ['config.toml', 'restored'],
    ],
  )
  t.is(fs.readFileSync(existing, 'utf8'), 'model = "o3"\n')
  t.is(fs.statSync(existing).mode & 0o777, 0o640)
  t.false(fs.existsSync(created))
  t.false(fs.existsSync(j.file))
})

test('journal: after a crash (SIGKILL mid-run) the next start restores every file', (t) => {
  const dir = tmpDir('crash')
  const journalDir = path.join(dir, 'journal')
  const existing = path.join(dir, 'settings.json')
  const created = path.join(dir, 'extra.toml')
  const original = Buffer.from('{"env":{"KEEP":"1"}}\n\u00e9\u0000 binary-safe')
  fs.writeFileSync(existing, original)
  // A separate process edits the files through a journal, then dies without cleaning up.
  const script = `
    const { RestoreJournal } = require(${JSON.stringify(path.join(ROOT, 'proxy', 'wrap.js'))})
    const j = RestoreJournal.create(${JSON.stringify(journalDir)})
    j.apply({ path: ${JSON.stringify(existing)}, content: 'edited' })
    j.apply({ path: ${JSON.stringify(created)}, content: 'created' })
    process.kill(process.pid, 'SIGKILL')`
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' })
  t.is(r.signal, 'SIGKILL', r.stderr)
  t.is(fs.readFileSync(existing, 'utf8'), 'edited')
  t.is(fs.readFileSync(created, 'utf8'), 'created')
  t.is(fs.readdirSync(journalDir).length, 1)

  // A journal of a process that still runs is not touched.
  t.deepEqual(recoverJournals(journalDir, () => true), [])
  t.is(fs.readFileSync(existing, 'utf8'), 'edited')

  const restored = recoverJournals(journalDir)
  t.deepEqual(restored.map((x) => x.action).sort(), ['removed', 'restored'])
  t.deepEqual(fs.readFileSync(existing), original)
  t.false(fs.existsSync(created))
  t.deepEqual(fs.readdirSync(journalDir), [], 'the journal is gone once applied')
  t.deepEqual(recoverJournals(journalDir), [], 'and a second start finds nothing to do')
})

test('journal: an unreadable journal is reported, not skipped', (t) => {
  const dir = tmpDir('bad')
  fs.writeFileSync(path.join(dir, '1-x.json'), '{not json')
  const e = t.throws(() => recoverJournals(dir), { instanceOf: WrapError })
  t.is(e?.code, 'JOURNAL')
})

// -------------------------------------------------------------------------------------------
// Starting or reusing the proxy
// -------------------------------------------------------------------------------------------

test('ensureProxy: reuses a healthy proxy, starts its own for --no-compress, refuses a port held by something else', async (t) => {
  const existing = await startProxy(resolveConfig({ port: '0', store: 'memory' }, {}))
  const port = new URL(existing.url).port
  try {
    const reused = await ensureProxy(resolveConfig({ port, store: 'memory' }, {}))
    t.is(reused.started, null)
    t.is(reused.url, existing.url)

    const own = await ensureProxy(resolveConfig({ port, store: 'memory', compress: 'false' }, {}))
    t.not(own.started, null)
    t.not(own.url, existing.url)
    t.false(own.started!.stats === existing.stats)
    await own.started!.close()
    t.false(await probeProxy(own.url, 300), 'stopped')
  } finally {
    await existing.close()
  }

  const other = http.createServer((_req, res) => res.writeHead(404).end())
  await new Promise<void>((r) => other.listen(0, '127.0.0.1', r))
  try {
    const otherPort = String((other.address() as AddressInfo).port)
    t.false(await probeProxy(`http://127.0.0.1:${otherPort}`))
    const e = await t.throwsAsync(ensureProxy(resolveConfig({ port: otherPort, store: 'memory' }, {})), { instanceOf: WrapError })
    t.is(e?.code, 'PORT_IN_USE')
  } finally {
    await new Promise<void>((r) => other.close(() => r()))
  }
})

test('config: compress defaults to true; --no-compress, HEADROOM_COMPRESS and the file turn it off', (t) => {
  t.true(resolveConfig({}, {}).compress)
  t.false(resolveConfig({ compress: 'false' }, {}).compress)
  t.false(resolveConfig({}, { HEADROOM_COMPRESS: 'false' }).compress)
  t.throws(() => resolveConfig({ compress: 'no' }, {}), { message: /compress must be true or false/ })
})

// -------------------------------------------------------------------------------------------
// The CLI: exit code, signals, the proxy stopped
// -------------------------------------------------------------------------------------------

/** A stand-in agent: reports its environment and arguments, then waits for SIGTERM and exits 42. */
function fakeAgent(dir: string): string {
  const file = path.join(dir, 'agent.js')
  fs.writeFileSync(
    file,
    `#!${process.execPath}
const fs = require('node:fs')
const all = process.argv.slice(2)
const settings = all[0] === '--settings' ? JSON.parse(all.splice(0, 2)[1]) : null
const [report, ...args] = all
process.on('SIGTERM', () => { fs.writeFileSync(report + '.term', 'got SIGTERM'); process.exit(42) })
fetch(process.env.ANTHROPIC_BASE_URL + '/health').then((r) => r.json()).then((health) => {
  fs.writeFileSync(report, JSON.stringify({ base: process.env.ANTHROPIC_BASE_URL, settings, args, health }))
  if (args[0] === '--exit') process.exit(Number(args[1]))
})
setInterval(() => {}, 1000)
`,
    { mode: 0o755 },
  )
  return file
}

function runWrap(args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, [BIN, 'wrap', ...args], { env: { ...process.env, HEADROOM_STORE: 'memory', HEADROOM_HOME: tmpDir('home'), ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })))
  return { child, done }
}

async function waitFor(file: string, ms = 20_000): Promise<void> {
  const until = Date.now() + ms
  while (!fs.existsSync(file)) {
    if (Date.now() > until) throw new Error(`${file} did not appear`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

test('CLI: the agent runs against a live proxy, its exit code comes back, the proxy is stopped', async (t) => {
  const dir = tmpDir('cli')
  const agent = fakeAgent(dir)
  const report = path.join(dir, 'report.json')
  const { done } = runWrap(['claude', '--port', '0', '--agent-bin', agent, '--', report, '--exit', '7'])
  const r = await done
  t.is(r.code, 7, r.stderr)
  const seen = JSON.parse(fs.readFileSync(report, 'utf8')) as { base: string; settings: unknown; args: string[]; health: { ok: boolean } }
  t.regex(seen.base, /^http:\/\/127\.0\.0\.1:\d+$/)
  t.deepEqual(seen.settings, { env: { ANTHROPIC_BASE_URL: seen.base } })
  t.true(seen.health.ok, 'the proxy answered while the agent ran')
  t.deepEqual(seen.args, ['--exit', '7'])
  t.regex(r.stderr, /proxy http:\/\/127\.0\.0\.1:\d+ \(started, mode balanced\)/)
  t.false(await probeProxy(seen.base, 300), 'the proxy it started is stopped')
})

test('CLI: SIGTERM is forwarded to the agent and its status propagated', async (t) => {
  const dir = tmpDir('sig')
  const agent = fakeAgent(dir)
  const report = path.join(dir, 'report.json')
  const { child, done } = runWrap(['claude', '--port', '0', '--no-compress', '--agent-bin', agent, '--', report])
  await waitFor(report)
  child.kill('SIGTERM')
  const r = await done
  t.is(r.code, 42, r.stderr)
  t.is(fs.readFileSync(`${report}.term`, 'utf8'), 'got SIGTERM')
  t.regex(r.stderr, /pass-through \(--no-compress\)/)
})

test('CLI: a missing agent binary is a clear error', async (t) => {
  const r = await runWrap(['codex', '--port', '0', '--agent-bin', '/nonexistent/codex']).done
  t.is(r.code, 1)
  t.regex(r.stderr, /\[AGENT_NOT_FOUND\] \/nonexistent\/codex not found/)
})

// -------------------------------------------------------------------------------------------
// The real Claude Code CLI through `headroom wrap claude`
// -------------------------------------------------------------------------------------------

const FINAL = 'All four outputs read: the memo keeps history byte-stable. WRAP-E2E-DONE'

/** Real commands over this repository, with outputs big enough to compress. */
const SCRIPT: ScriptStep[] = [
  { name: 'Bash', input: { command: 'grep -rn "memo" crates --include=*.rs', description: 'Find memo uses' }, say: 'Looking for the memo.' },
  // A fixed commit: the output must not change as the repository grows (recent commit
  // messages can be too long for the log compressor to pay for the retrieve tool).
  { name: 'Bash', input: { command: 'git log --stat -n 15 039d4e0', description: 'Commits up to the README architecture update' } },
  { name: 'Bash', input: { command: 'cat crates/headroom_core/src/marker.rs', description: 'The marker module' } },
  { name: 'Bash', input: { command: 'grep -rn "Result<" crates --include=*.rs', description: 'Fallible functions' } },
]

/** The environment without anything that points Claude Code at a real account or endpoint. */
function claudeEnv(configDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(ANTHROPIC_|CLAUDE_|CLAUDECODE|AWS_|GOOGLE_|VERTEX|BEDROCK|HEADROOM_)/.test(k)) env[k] = v
  }
  return {
    ...env,
    ANTHROPIC_API_KEY: 'test',
    CLAUDE_CONFIG_DIR: configDir,
    DISABLE_TELEMETRY: '1',
    DISABLE_AUTOUPDATER: '1',
    DISABLE_ERROR_REPORTING: '1',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    HEADROOM_STORE: 'memory',
    HEADROOM_HOME: path.join(configDir, 'headroom'),
  }
}

interface Session {
  code: number | null
  stdout: string
  stderr: string
  requests: RecordedRequest[]
  main: RecordedRequest[]
}

async function claudeSession(extra: string[]): Promise<Session> {
  const upstream = await FakeUpstream.start({ script: SCRIPT, finalText: FINAL })
  const config = tmpDir('claude-config')
  try {
    const child = spawn(
      process.execPath,
      [BIN, 'wrap', 'claude', '--port', '0', '--agent-bin', CLAUDE, '--upstream-anthropic', upstream.url, ...extra, '--', '-p', 'Explore how this repository keeps history byte-stable.', '--allowedTools', 'Bash', '--max-turns', '10'],
      { cwd: ROOT, env: claudeEnv(config), stdio: ['ignore', 'pipe', 'pipe'] },
    )
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    const timer = setTimeout(() => child.kill('SIGKILL'), 150_000)
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)))
    clearTimeout(timer)
    return { code, stdout, stderr, requests: [...upstream.requests], main: upstream.mainRequests() }
  } finally {
    await upstream.close()
    fs.rmSync(config, { recursive: true, force: true })
  }
}

// History immutability is about bytes, not parsed values: raw spans (json-spans.ts), with
// `cache_control` dropped (Claude Code itself moves its newest breakpoint every turn).

const ANTHROPIC_FIXED = ['model', 'system', 'thinking', 'tool_choice', 'context_management', 'output_config']

/**
 * Every way turn N+1 fails to carry turn N byte-identical: the `fixed` members unchanged, every
 * element of the `list` member (`messages`, or `input` for Responses) carried over, `tools`
 * unchanged but for `headroom_retrieve` appended once.
 */
function historyBreaks(main: RecordedRequest[], list = 'messages', fixed = ANTHROPIC_FIXED): string[] {
  const breaks: string[] = []
  let toolsChanged = 0
  for (let n = 0; n + 1 < main.length; n++) {
    const a = rawMembers(main[n].body)
    const b = rawMembers(main[n + 1].body)
    for (const k of fixed) {
      if (withoutCacheControl(a.get(k) ?? '') !== withoutCacheControl(b.get(k) ?? '')) breaks.push(`${n}->${n + 1}: ${k} changed`)
    }
    const ta = rawItems(a.get('tools') ?? '[]')
    const tb = rawItems(b.get('tools') ?? '[]')
    const same = ta.length === tb.length && ta.every((x, i) => x === tb[i])
    if (!same) {
      // The one allowed change: headroom_retrieve appended once, at the first marker.
      const appended = tb.length === ta.length + 1 && ta.every((x, i) => x === tb[i]) && (JSON.parse(tb[ta.length]) as { name?: string }).name === 'headroom_retrieve'
      if (!appended || ++toolsChanged > 1) breaks.push(`${n}->${n + 1}: tools changed`)
    }
    const ma = rawItems(a.get(list) ?? '[]').map(withoutCacheControl)
    const mb = rawItems(b.get(list) ?? '[]').map(withoutCacheControl)
    if (mb.length < ma.length) breaks.push(`${n}->${n + 1}: fewer ${list}`)
    ma.forEach((m, i) => {
      if (m !== mb[i]) breaks.push(`${n}->${n + 1}: ${list}/${i} differs`)
    })
  }
  return breaks
}

const claudeTest = fs.existsSync(CLAUDE) ? test.serial : test.skip
const SKIP_NOTE = fs.existsSync(CLAUDE) ? '' : ' [skipped: Claude Code not installed; run `bash benches/agent/setup.sh` (npm registry only)]'

claudeTest(`real Claude Code through headroom wrap: a multi-turn tool loop, compressed, history byte-stable, extras passed through${SKIP_NOTE}`, async (t) => {
  const [compressed, plain] = [await claudeSession([]), await claudeSession(['--no-compress'])]
  for (const [name, s] of [
    ['compressed', compressed],
    ['pass-through', plain],
  ] as const) {
    t.is(s.code, 0, `${name}: claude exit code\n${s.stderr}`)
    t.true(s.stdout.includes(FINAL), `${name}: Claude Code prints the upstream's final answer`)
    t.is(s.main.length, SCRIPT.length + 1, `${name}: one main request per turn`)
    t.deepEqual(
      s.main.map((r) => r.turn),
      [0, 1, 2, 3, 4],
    )
    for (const r of s.requests) {
      if (r.body.length) t.not(r.json, undefined, `${name}: request ${r.seq} ${r.url} is valid JSON`)
      t.false(
        Object.keys(r.headers).some((h) => h.startsWith('x-headroom-')),
        'no x-headroom-* header reaches upstream',
      )
    }
    // Claude Code's own fields and headers arrive as sent.
    for (const r of s.main) {
      for (const k of ['context_management', 'output_config', 'thinking', 'metadata']) t.not(r.json![k], undefined, `${name}: ${k} reaches upstream`)
      t.regex(String(r.headers['anthropic-beta']), /claude-code-20250219/)
      t.truthy(r.headers['x-claude-code-session-id'])
      t.true((r.json!.messages as { role: string }[]).some((m) => m.role === 'system'), 'role: "system" messages pass through')
    }
    // Turn N+1 carries turn N byte-identical (only the retrieve tool may be added, once).
    t.deepEqual(historyBreaks(s.main), [], `${name}: history immutable`)
  }
  // The check itself sees a one-byte rewrite of an old message.
  const tampered = { ...compressed.main[2], body: Buffer.from(compressed.main[2].body.toString('utf8').replace('"role":"user"', '"role":"user" ')) }
  t.deepEqual(historyBreaks([compressed.main[1], tampered]), ['0->1: messages/0 differs'])
  t.is(compressed.main[0].headers['anthropic-beta'], plain.main[0].headers['anthropic-beta'])
  t.deepEqual(Object.keys(compressed.main[4].json!).sort(), Object.keys(plain.main[4].json!).sort())

  // Pass-through: nothing compressed; compressed: markers, smaller bodies.
  t.regex(plain.stderr, /\b0 compressed\b/)
  const stats = /(\d+) requests, (\d+) compressed, (\d+) passed through unchanged; tokens (\d+) -> (\d+)/.exec(compressed.stderr)
  t.truthy(stats, compressed.stderr)
  const [, nRequests, nCompressed, nUnchanged, before, after] = stats!.map(Number)
  t.true(nCompressed >= 2, `compressed requests: ${nCompressed}\n${compressed.stderr}`)
  t.is(nCompressed + nUnchanged, nRequests, 'every request is counted, compressed or unchanged')
  t.true(after < before, `proxy tokens ${before} -> ${after}`)
  const markersIn = (r: RecordedRequest) => findMarkers(r.body.toString('utf8')).length
  t.true(markersIn(compressed.main[4]) > 0, 'the last request carries markers')
  const bytes = (s: Session) => s.main.reduce((n, r) => n + r.body.length, 0)
  t.true(compressed.main[4].body.length < plain.main[4].body.length, `last request ${compressed.main[4].body.length} < ${plain.main[4].body.length} bytes`)
  t.true(bytes(compressed) < bytes(plain), `session ${bytes(compressed)} < ${bytes(plain)} bytes`)
  const tools = (r: RecordedRequest) => (r.json!.tools as { name: string }[]).map((x) => x.name)
  t.true(tools(compressed.main[4]).includes('headroom_retrieve'))
  t.false(tools(plain.main[4]).includes('headroom_retrieve'))
  t.log(`main request bytes, pass-through vs compressed: ${plain.main.map((r) => r.body.length).join(', ')} | ${compressed.main.map((r) => r.body.length).join(', ')}`)
  t.log(`session ${bytes(plain)} -> ${bytes(compressed)} bytes; proxy tokens ${before} -> ${after}; ${nCompressed} requests compressed`)
})

// -------------------------------------------------------------------------------------------
// The real Codex CLI through `headroom wrap codex` (OpenAI Responses API)
// -------------------------------------------------------------------------------------------

const CODEX_FINAL = 'Read the log, the marker module and the search. CODEX-WRAP-E2E-DONE'

const CODEX_SCRIPT: FunctionCall[] = [
  { name: 'exec_command', arguments: { cmd: 'grep -rn "memo" crates --include=*.rs', workdir: ROOT } },
  { name: 'exec_command', arguments: { cmd: 'git log --stat -n 15', workdir: ROOT } },
  { name: 'exec_command', arguments: { cmd: 'grep -rn "Result<" crates --include=*.rs', workdir: ROOT } },
]

async function codexSession(extra: string[]): Promise<Session> {
  const upstream = await FakeResponses.start({ script: CODEX_SCRIPT, finalText: CODEX_FINAL })
  const home = tmpDir('codex-home')
  try {
    const env: NodeJS.ProcessEnv = {}
    for (const [k, v] of Object.entries(process.env)) if (!/^(OPENAI_|CODEX_|HEADROOM_|AZURE_)/.test(k)) env[k] = v
    const child = spawn(
      process.execPath,
      [BIN, 'wrap', 'codex', '--port', '0', '--agent-bin', CODEX, '--upstream-openai', upstream.url, ...extra, '--', 'exec', '-m', 'gpt-5-codex', '--skip-git-repo-check', 'Look at the memo, the log and the error handling.'],
      { cwd: ROOT, env: { ...env, CODEX_HOME: home, OPENAI_API_KEY: 'sk-test', HEADROOM_STORE: 'memory', HEADROOM_HOME: path.join(home, 'headroom') }, stdio: ['ignore', 'pipe', 'pipe'] },
    )
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    const timer = setTimeout(() => child.kill('SIGKILL'), 150_000)
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)))
    clearTimeout(timer)
    return { code, stdout, stderr, requests: [...upstream.requests], main: upstream.mainRequests() }
  } finally {
    await upstream.close()
    fs.rmSync(home, { recursive: true, force: true })
  }
}

const codexTest = fs.existsSync(CODEX) ? test.serial : test.skip
const CODEX_SKIP = fs.existsSync(CODEX) ? '' : ' [skipped: Codex CLI not installed; run `bash benches/agent/setup-codex.sh` (npm registry only)]'

codexTest(`real Codex CLI through headroom wrap: codex exec tool loop over the Responses API${CODEX_SKIP}`, async (t) => {
  const [compressed, plain] = [await codexSession([]), await codexSession(['--no-compress'])]
  for (const [name, s] of [
    ['compressed', compressed],
    ['pass-through', plain],
  ] as const) {
    t.is(s.code, 0, `${name}: codex exit code\n${s.stderr.slice(-3000)}`)
    t.true(s.stdout.includes(CODEX_FINAL), `${name}: codex prints the upstream's final answer`)
    t.deepEqual(
      s.main.map((r) => r.turn),
      [0, 1, 2, 3],
      `${name}: one request per turn, each tool output sent back`,
    )
    for (const r of s.requests) {
      if (r.body.length) t.not(r.json, undefined, `${name}: request ${r.seq} ${r.url} is valid JSON`)
      t.false(
        Object.keys(r.headers).some((h) => h.startsWith('x-headroom-')),
        'no x-headroom-* header reaches upstream',
      )
    }
    for (const r of s.main) {
      t.is(r.headers.authorization, 'Bearer sk-test')
      t.is(r.headers.originator, 'codex_exec')
      t.truthy(r.headers['session-id'])
      t.truthy(r.headers['x-codex-turn-metadata'])
      for (const k of ['prompt_cache_key', 'client_metadata', 'include', 'reasoning']) t.not(r.json![k], undefined, `${name}: ${k} reaches upstream`)
      t.is(r.json!.stream, true)
    }
    // The tool outputs came back as function_call_output items, and history is immutable.
    const outputs = (s.main[3].json!.input as { type?: string }[]).filter((i) => i.type === 'function_call_output')
    t.is(outputs.length, CODEX_SCRIPT.length)
    t.deepEqual(historyBreaks(s.main, 'input', ['model', 'instructions', 'tool_choice', 'parallel_tool_calls', 'reasoning', 'store', 'include', 'prompt_cache_key', 'text']), [], `${name}: history immutable`)
  }
  t.deepEqual(Object.keys(compressed.main[3].json!).sort(), Object.keys(plain.main[3].json!).sort())
  t.regex(plain.stderr, /\b0 compressed\b/)
  const stats = /(\d+) requests, (\d+) compressed, (\d+) passed through unchanged; tokens (\d+) -> (\d+)/.exec(compressed.stderr)
  t.truthy(stats, compressed.stderr.slice(-2000))
  const [, , nCompressed, , before, after] = stats!.map(Number)
  t.true(nCompressed >= 1 && after < before, `proxy: ${nCompressed} compressed, tokens ${before} -> ${after}`)
  t.true(findMarkers(compressed.main[3].body.toString('utf8')).length > 0, 'the last request carries markers')
  const last = (s: Session) => s.main[3].body.length
  t.true(last(compressed) < last(plain), `last request ${last(compressed)} < ${last(plain)} bytes`)
  const tools = (r: RecordedRequest) => (r.json!.tools as { name?: string }[]).map((x) => x.name)
  t.false(tools(plain.main[3]).includes('headroom_retrieve'))
  t.true(tools(compressed.main[3]).includes('headroom_retrieve'))
  t.log(`request bytes, pass-through vs compressed: ${plain.main.map((r) => r.body.length).join(', ')} | ${compressed.main.map((r) => r.body.length).join(', ')}`)
  t.log(`proxy tokens ${before} -> ${after}; ${nCompressed} requests compressed; retrieve tool offered: ${tools(compressed.main[3]).includes('headroom_retrieve')}`)
})
