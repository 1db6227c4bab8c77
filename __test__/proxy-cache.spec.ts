// Field lessons 3, 4 and 7 through a real proxy: a Claude Code-like agent session (a dozen
// turns of big JSON and log tool results, `cache_control` on the newest user block, moved
// every turn) replayed against a mock of Anthropic's prompt cache, directly and through the
// proxy. The proxy must not cost more cache writes than the client alone (within 5%), must
// send fewer input tokens, and every request must begin with the previous one's messages
// byte for byte: across a `/model` switch and when the retrieve tool first joins mid-session.
import fs from 'node:fs'
import path from 'node:path'
import Anthropic from '@anthropic-ai/sdk'
import test from 'ava'

import { RETRIEVE_TOOL_NAME } from '../index'
import { resolveConfig } from '../proxy/config'
import { startProxy } from '../proxy/server'
import { type CacheUsage, type Json, PromptCacheMock, type Seen, rawElements, rawMember, scriptedUpstream, withoutCacheControl } from './fake-provider'

const CORPUS = path.resolve(__dirname, '..', '..', 'shared', 'corpus')
const generated = (file: string) => fs.readFileSync(path.join(CORPUS, 'headroom-generated', file), 'utf8')
/** The first whole lines of a loghub sample, about `bytes` long. */
function logLines(name: string, bytes: number): string {
  const text = fs.readFileSync(path.join(CORPUS, 'loghub', name, `${name}_2k.log`), 'utf8')
  return text.slice(0, text.lastIndexOf('\n', bytes) + 1)
}

/** One agent step: the tool the model calls and what the tool printed. */
interface Step {
  name: string
  input: Json
  output: string
}

const bash = (command: string, output: string): Step => ({ name: 'Bash', input: { command }, output })
const SMALL: Step[] = [
  bash('git status', 'On branch main\nYour branch is up to date with origin/main.\n\nnothing to commit, working tree clean\n'),
  bash('ls', 'README.md\nCargo.toml\npackage.json\nproxy\nsrc\n'),
  { name: 'Read', input: { file_path: 'package.json' }, output: '{\n  "name": "svc",\n  "version": "1.4.2",\n  "private": true\n}\n' },
  bash('node --version', 'v20.19.0\n'),
]
const BIG: Step[] = [
  bash('curl -s localhost:8080/api/users', generated('api_responses.json')),
  bash('tail -n 300 /var/log/hadoop/hdfs.log', logLines('HDFS', 40_000)),
  { name: 'Read', input: { file_path: 'logs/app.json' }, output: generated('log_data.json') },
  bash('psql -c "select * from accounts" --json', generated('database_rows_mixed.json')),
  bash('tail -n 300 /var/log/apache2/error.log', logLines('Apache', 40_000)),
  bash('curl -s localhost:9200/_search?q=timeout', generated('search_results.json')),
  bash('curl -s localhost:9090/api/v1/query_range', generated('metrics_data.json')),
  bash('journalctl -u sshd -n 300', logLines('OpenSSH', 40_000)),
  { name: 'Read', input: { file_path: 'logs/entries.json' }, output: generated('log_entries.json') },
  bash('tail -n 300 zookeeper.log', logLines('Zookeeper', 40_000)),
]

const SYSTEM = [
  { type: 'text', text: "You are Claude Code, Anthropic's official CLI for Claude." },
  { type: 'text', text: 'You are an interactive CLI tool that helps users with software engineering tasks. Use the tools available to you.', cache_control: { type: 'ephemeral' } },
]
const TOOLS = [
  { name: 'Bash', description: 'Executes a bash command.', input_schema: { type: 'object', properties: { command: { type: 'string' } }, required: ['command'] } },
  { name: 'Read', description: 'Reads a file.', input_schema: { type: 'object', properties: { file_path: { type: 'string' } }, required: ['file_path'] } },
]
const EPHEMERAL = { type: 'ephemeral' }

/**
 * The mock provider: bills each request with `cache` and answers with the next scripted tool
 * call (counted from the tool results it has), then a final text.
 */
function agentProvider(steps: Step[], cache: PromptCacheMock, usages: CacheUsage[], tamper?: Tamper) {
  return (seen: Seen, n: number, res: import('node:http').ServerResponse) => {
    const usage = cache.bill(tamper ? tamper(seen.body, n) : seen.body)
    usages.push(usage)
    const done = (seen.json.messages as Json[]).filter((m) => Array.isArray(m.content) && m.content.some((b: Json) => b.type === 'tool_result')).length
    const content =
      done < steps.length
        ? [
            { type: 'text', text: `Step ${done + 1}: checking with ${steps[done].name}.` },
            { type: 'tool_use', id: `toolu_${String(done + 1).padStart(2, '0')}`, name: steps[done].name, input: steps[done].input },
          ]
        : [{ type: 'text', text: 'Done: the failures come from the connection pool.' }]
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ id: `msg_${done}`, type: 'message', role: 'assistant', model: seen.json.model, content, stop_reason: done < steps.length ? 'tool_use' : 'end_turn', usage: { ...usage, output_tokens: 20 } }))
  }
}

/**
 * Runs the agent loop the way Claude Code does: the whole history every turn, the newest
 * user block carrying the only message breakpoint. `modelAt(i)` picks request i's model.
 */
async function runAgent(baseURL: string, steps: Step[], modelAt: (i: number) => string) {
  const client = new Anthropic({ baseURL, apiKey: 'sk-test', maxRetries: 0, defaultHeaders: { 'x-claude-code-session-id': 'sess-cache-1' } })
  const messages: Json[] = [{ role: 'user', content: [{ type: 'text', text: 'Why do the API requests time out? Look at the logs and the data.', cache_control: EPHEMERAL }] }]
  for (let i = 0; ; i++) {
    const msg = await client.messages.create({ model: modelAt(i), max_tokens: 4096, system: SYSTEM, tools: TOOLS, messages } as Anthropic.MessageCreateParamsNonStreaming)
    if (msg.stop_reason !== 'tool_use') return i + 1
    const call = msg.content.find((b) => b.type === 'tool_use') as Anthropic.ToolUseBlock
    for (const m of messages) if (Array.isArray(m.content)) for (const b of m.content as Json[]) delete b.cache_control
    messages.push({ role: 'assistant', content: msg.content })
    const step = steps[Number(call.id.slice(6)) - 1]
    messages.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: step.output, cache_control: EPHEMERAL }] })
  }
}

interface Run {
  seen: Seen[]
  usages: CacheUsage[]
  requests: number
}

/** What a badly behaved proxy would do to request `n`'s body (for the tests of the checks). */
type Tamper = (body: Buffer, n: number) => Buffer

/**
 * One session against a fresh mock provider, directly (`proxied: false`) or through a fresh
 * proxy. With `tamper`, the provider sees (and bills) each body as `tamper` rewrote it.
 */
async function session(steps: Step[], proxied: boolean, modelAt: (i: number) => string = () => 'claude-sonnet-4-6', tamper?: Tamper): Promise<Run> {
  const usages: CacheUsage[] = []
  const upstream = await scriptedUpstream(agentProvider(steps, new PromptCacheMock(), usages, tamper))
  try {
    if (!proxied) {
      const requests = await runAgent(upstream.url, steps, modelAt)
      const seen = tamper ? upstream.seen.map((s, n) => ({ ...s, body: tamper(s.body, n) })) : upstream.seen
      return { seen, usages, requests }
    }
    const proxy = await startProxy(resolveConfig({ port: '0', store: 'memory', 'log-level': 'silent', 'upstream-anthropic': upstream.url }, {}))
    try {
      return { seen: upstream.seen, usages, requests: await runAgent(proxy.url, steps, modelAt) }
    } finally {
      await proxy.close()
    }
  } finally {
    await upstream.close()
  }
}

const sum = (u: CacheUsage[], k: keyof CacheUsage) => u.reduce((a, x) => a + x[k], 0)
const totalInput = (u: CacheUsage[]) => sum(u, 'input_tokens') + sum(u, 'cache_creation_input_tokens') + sum(u, 'cache_read_input_tokens')
const toolNames = (s: Seen) => ((s.json.tools as Json[] | undefined) ?? []).map((x) => x.name as string)

type Assertions = { true: (v: boolean, m?: string) => void; is: (a: unknown, b: unknown, m?: string) => void; log: (...v: unknown[]) => void }

/** Lesson 7: cache writes through the proxy within 5% of direct, fewer input tokens in all. */
function checkCacheAB(t: Assertions, label: string, direct: Run, proxied: Run) {
  t.is(proxied.requests, direct.requests, 'same number of turns')
  const writesDirect = sum(direct.usages, 'cache_creation_input_tokens')
  const writesProxy = sum(proxied.usages, 'cache_creation_input_tokens')
  const inDirect = totalInput(direct.usages)
  const inProxy = totalInput(proxied.usages)
  t.log(
    `${label}: ${direct.requests} requests; cache writes direct ${writesDirect}, proxy ${writesProxy} (${(writesProxy / writesDirect).toFixed(3)}x); ` +
      `cache reads direct ${sum(direct.usages, 'cache_read_input_tokens')}, proxy ${sum(proxied.usages, 'cache_read_input_tokens')}; ` +
      `total input direct ${inDirect}, proxy ${inProxy} (${(100 * (1 - inProxy / inDirect)).toFixed(1)}% fewer)`,
  )
  t.true(writesProxy <= 1.05 * writesDirect, `cache writes through the proxy ${writesProxy} <= 1.05 x direct ${writesDirect}`)
  t.true(inProxy < inDirect, `total input through the proxy ${inProxy} < direct ${inDirect}`)
  // Every request reads back all that its predecessor cached (unless the tools array grew:
  // the one rewrite of adding the retrieve tool mid-session), directly and through the proxy.
  for (const [who, run] of [
    ['direct', direct],
    ['proxy', proxied],
  ] as const) {
    for (let i = 1; i < run.usages.length; i++) {
      if (toolNames(run.seen[i]).length !== toolNames(run.seen[i - 1]).length) continue
      const cachedBefore = run.usages[i - 1].cache_read_input_tokens + run.usages[i - 1].cache_creation_input_tokens
      t.is(run.usages[i].cache_read_input_tokens, cachedBefore, `${who}: request ${i} reads all that request ${i - 1} cached`)
    }
  }
}

/**
 * Lessons 3 and 4 on what the upstream received: request N+1's messages begin with request
 * N's messages byte for byte (breakpoints aside), `system` never changes, and once the
 * retrieve tool is in `tools` the array stays byte-identical.
 */
function checkHistoryStable(t: Assertions, run: Run) {
  let toolsSince: string | undefined
  for (let i = 0; i < run.seen.length; i++) {
    const body = run.seen[i].body
    t.is(rawMember(body, 'system'), JSON.stringify(SYSTEM), `request ${i}: system untouched`)
    const tools = rawMember(body, 'tools')!
    if (toolsSince !== undefined) t.is(tools, toolsSince, `request ${i}: the tools array never flips back`)
    else if (toolNames(run.seen[i]).includes(RETRIEVE_TOOL_NAME)) toolsSince = tools
    if (i === 0) continue
    const before = rawElements(run.seen[i - 1].body, 'messages').map(withoutCacheControl)
    const now = rawElements(body, 'messages').map(withoutCacheControl)
    t.true(now.length === before.length + 2, `request ${i}: two messages more`)
    for (let m = 0; m < before.length; m++) t.is(now[m], before[m], `request ${i}: message ${m} carries request ${i - 1}'s bytes`)
  }
}

test('lesson 7: cache writes through the proxy <= 1.05x direct over a 10-step session of big tool results, fewer input tokens', async (t) => {
  const steps = BIG
  const direct = await session(steps, false)
  const proxied = await session(steps, true)
  t.true(proxied.requests >= 11)
  checkCacheAB(t, 'big results every turn', direct, proxied)
  checkHistoryStable(t, proxied)
  t.true(toolNames(proxied.seen[1]).includes(RETRIEVE_TOOL_NAME), 'markers from the first big result on')
})

test('lessons 3, 4, 7: the retrieve tool first needed at step 5: cache writes still <= 1.05x, the tools array never flips back', async (t) => {
  const steps = [...SMALL, ...BIG.slice(0, 7)]
  const direct = await session(steps, false)
  const proxied = await session(steps, true)
  checkCacheAB(t, 'retrieve tool from step 5', direct, proxied)
  checkHistoryStable(t, proxied)
  const withTool = proxied.seen.map((s) => toolNames(s).includes(RETRIEVE_TOOL_NAME))
  t.deepEqual(
    withTool,
    proxied.seen.map((_, i) => i >= 5),
    'no tool while results are small (requests 0-4), then on every request',
  )
  // Requests 0-4 had nothing to compress: they went upstream byte for byte as sent directly.
  for (let i = 0; i < 5; i++) t.true(proxied.seen[i].body.equals(direct.seen[i].body), `request ${i} untouched`)
})

test('lesson 3: a /model switch mid-session (sonnet -> opus -> haiku) keeps every earlier message byte-identical', async (t) => {
  const models = (i: number) => (i < 4 ? 'claude-sonnet-4-6' : i < 8 ? 'claude-opus-4-7' : 'claude-haiku-4-5')
  const steps = [...SMALL.slice(0, 2), ...BIG.slice(0, 8)]
  const proxied = await session(steps, true, models)
  t.deepEqual(
    [...new Set(proxied.seen.map((s) => s.json.model))],
    ['claude-sonnet-4-6', 'claude-opus-4-7', 'claude-haiku-4-5'],
  )
  checkHistoryStable(t, proxied)
  // Compression happened on both sides of each switch.
  const direct = await session(steps, false, models)
  for (const i of [3, 4, 7, 8]) t.true(proxied.seen[i].body.length < direct.seen[i].body.length * 0.9, `request ${i} compressed`)
})

test('the checks above catch a proxy that rewrites history each turn (cache writes and byte comparison both fail)', async (t) => {
  // A "proxy" that stamps the turn into the first user message: every request's history differs.
  const stamp: Tamper = (body, n) => Buffer.from(body.toString('utf8').replace('Look at the logs and the data.', `Look at the logs and the data (turn ${n}).`))
  const steps = BIG.slice(0, 5)
  const direct = await session(steps, false)
  const bad = await session(steps, false, undefined, stamp)
  const failures: string[] = []
  const recorder: Assertions = {
    true: (v, m) => void (v || failures.push(String(m))),
    is: (a, b, m) => void (a === b || failures.push(String(m))),
    log: () => undefined,
  }
  checkCacheAB(recorder, 'tampered', direct, bad)
  t.true(failures.some((f) => f.startsWith('cache writes through the proxy')), 'the 1.05x bound fails')
  failures.length = 0
  checkHistoryStable(recorder, bad)
  t.true(failures.some((f) => /message 0 carries/.test(f)), 'the byte comparison fails')
  t.true(sum(bad.usages, 'cache_creation_input_tokens') > 2 * sum(direct.usages, 'cache_creation_input_tokens'))
})

test('lessons 3 and 7 over a 30-step session (commands re-run, small and big results mixed)', async (t) => {
  const pool = [...BIG, ...SMALL]
  const steps = Array.from({ length: 30 }, (_, i) => pool[(i * 7) % pool.length])
  const direct = await session(steps, false)
  const proxied = await session(steps, true)
  t.is(proxied.requests, 31)
  checkCacheAB(t, '30 steps', direct, proxied)
  checkHistoryStable(t, proxied)
})
