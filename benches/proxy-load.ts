// `npm run bench:proxy`: load and soak of `headroom proxy` on loopback, with autocannon.
//
// Three processes: a fake upstream that answers at once, the proxy (memory store, info logs
// to /dev/null: the cost of the log line is counted), and this one driving autocannon. Each
// latency is measured here, per request, at sub-millisecond resolution (autocannon's own
// histogram rounds to whole ms), and the proxy's added latency is the difference from the same
// requests sent straight to the fake upstream in the same run.
//
// Cases: pass-through (GET /v1/models); /v1/messages with a 100 KB tool output (real corpus
// rows), first sight (every body new) and memoized (the same body again); proxy RSS across a
// 10,000-request soak; /health max and p99 while 20 clients each POST 8 MB bodies. Prints a
// table and writes benches/results/proxy-load.json.
//
//   node --expose-gc --import tsx benches/proxy-load.ts [--out FILE] [--check]
//
// `--check` (CI's load test) also fails the run when a request failed (an error or a non-2xx
// answer in any case), when the soak's RSS grew by more than 32 MB from 5,000 to 10,000
// requests, or when an 8 MB upload got anything but 200 (a /health probe failing ends any
// run). Latency is reported, never gated.
import { fork, spawn } from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import autocannon from 'autocannon'
import pino from 'pino'

import { resolveConfig } from '../proxy/config'
import { createLogger } from '../proxy/log'
import { startProxy } from '../proxy/server'
import { messagesBody } from './load/uploads'

const CORPUS = path.resolve(__dirname, '..', '..', 'shared', 'corpus', 'headroom-generated')
const RESULTS = path.join(__dirname, 'results', 'proxy-load.json')

/** Memory of the proxy process, in bytes. */
interface Memory {
  rss: number
  heapUsed: number
  external: number
}

type ToChild = { type: 'memory'; gc: boolean }
type FromChild = { type: 'ready'; url: string } | ({ type: 'memory' } & Memory)

// ---------------------------------------------------------------------------------------------
// Child roles

function runUpstream() {
  const models = '{"data":[{"id":"claude-test","type":"model","display_name":"Claude Test"}],"has_more":false}'
  const message = '{"id":"msg_1","type":"message","role":"assistant","model":"claude-test","content":[{"type":"text","text":"ok"}],"stop_reason":"end_turn","usage":{"input_tokens":10,"output_tokens":1}}'
  const server = http.createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      const body = req.method === 'GET' ? models : message
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
      res.end(body)
    })
  })
  server.keepAliveTimeout = 60_000
  server.listen(0, '127.0.0.1', () => process.send!({ type: 'ready', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` } satisfies FromChild))
}

async function runProxy(upstream: string) {
  const logger = createLogger({ level: 'info', destination: pino.destination({ dest: '/dev/null', sync: true }) })
  const proxy = await startProxy(resolveConfig({ port: '0', store: 'memory', 'upstream-anthropic': upstream, 'upstream-openai': upstream }, {}), { logger })
  process.on('message', (m: ToChild) => {
    if (m.type !== 'memory') return
    const gc = (globalThis as { gc?: () => void }).gc
    if (m.gc && gc) gc()
    const u = process.memoryUsage()
    process.send!({ type: 'memory', rss: u.rss, heapUsed: u.heapUsed, external: u.external } satisfies FromChild)
  })
  process.send!({ type: 'ready', url: proxy.url } satisfies FromChild)
}

// ---------------------------------------------------------------------------------------------
// Driver

interface Latency {
  requests: number
  p50: number
  p99: number
  mean: number
  max: number
  reqPerSec: number
  non2xx: number
  errors: number
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))]
}

function summarize(times: number[], result: autocannon.Result): Latency {
  const sorted = [...times].sort((a, b) => a - b)
  return {
    requests: times.length,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    mean: times.reduce((a, b) => a + b, 0) / Math.max(1, times.length),
    max: sorted[sorted.length - 1] ?? NaN,
    reqPerSec: result.requests.average,
    non2xx: result.non2xx,
    errors: result.errors,
  }
}

/** One autocannon run; every response's latency (ms, float) kept. */
function cannon(opts: autocannon.Options): Promise<{ times: number[]; result: autocannon.Result }> {
  const times: number[] = []
  return new Promise((resolve, reject) => {
    const instance = autocannon({ timeout: 60, ...opts }, (err, result) => (err ? reject(err) : resolve({ times, result })))
    instance.on('response', (_client, status, _bytes, ms) => {
      if (status >= 200 && status < 300) times.push(ms)
    })
  })
}

/** A warm-up run, then the measured one. */
async function measure(opts: autocannon.Options, warmup: number): Promise<Latency> {
  await cannon({ ...opts, amount: warmup })
  const { times, result } = await cannon(opts)
  return summarize(times, result)
}

function startChild(role: string, ...args: string[]): Promise<{ child: ReturnType<typeof fork>; url: string }> {
  const child = fork(__filename, [role, ...args], { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  return new Promise((resolve, reject) => {
    child.once('message', (m: FromChild) => (m.type === 'ready' ? resolve({ child, url: m.url }) : reject(new Error('unexpected message'))))
    child.once('exit', (code) => reject(new Error(`${role} exited ${code}`)))
  })
}

function memoryOf(child: ReturnType<typeof fork>, gc = false): Promise<Memory> {
  return new Promise((resolve) => {
    child.once('message', (m: FromChild) => {
      if (m.type === 'memory') resolve({ rss: m.rss, heapUsed: m.heapUsed, external: m.external })
    })
    child.send({ type: 'memory', gc } satisfies ToChild)
  })
}

/** A 100 KB tool output: real corpus rows (logs, metrics, search results) until 100 KB. */
function toolOutput100k(): { text: string; rows: number } {
  const rows: unknown[] = []
  for (const f of ['log_entries.json', 'metrics_data.json', 'search_results.json']) rows.push(...(JSON.parse(fs.readFileSync(path.join(CORPUS, f), 'utf8')) as unknown[]))
  const kept: string[] = []
  let size = 2
  for (const r of rows) {
    if (size >= 100 * 1024) break
    const s = JSON.stringify(r)
    kept.push(s)
    size += s.length + 1
  }
  return { text: `[${kept.join(',')}]`, rows: kept.length }
}

/** /health probed back to back (5 ms apart) while 20 clients each POST an 8 MB body. */
async function healthUnderLoad(proxyUrl: string): Promise<{ probes: number; p50: number; p99: number; max: number; uploadMs: number; statuses: number[] }> {
  const clients = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'load', 'uploads.ts'), proxyUrl, '20', String(8 * 1024 * 1024)], { stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  let ready!: () => void
  const isReady = new Promise<void>((r) => (ready = r))
  const done = new Promise<{ statuses: number[]; ms: number }>((resolve, reject) => {
    clients.stdout.on('data', (c: Buffer) => {
      out += c.toString('utf8')
      if (out.startsWith('ready\n')) ready()
      const line = out.split('\n')[1]
      if (line) resolve(JSON.parse(line) as { statuses: number[]; ms: number })
    })
    clients.once('exit', (code) => reject(new Error(`upload clients exited ${code}`)))
  })
  await isReady
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
  let inFlight = true
  void done.finally(() => (inFlight = false)).catch(() => undefined)
  const probes: number[] = []
  while (inFlight) {
    const t0 = performance.now()
    await new Promise<void>((resolve, reject) => {
      http
        .get(`${proxyUrl}/health`, { agent }, (res) => {
          res.resume()
          res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`/health ${res.statusCode}`))))
        })
        .on('error', reject)
    })
    probes.push(performance.now() - t0)
    await new Promise((r) => setTimeout(r, 5))
  }
  agent.destroy()
  const result = await done
  const sorted = [...probes].sort((a, b) => a - b)
  return { probes: probes.length, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), max: sorted[sorted.length - 1], uploadMs: result.ms, statuses: result.statuses }
}

const ms = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '-')
const mb = (x: number) => (x / (1024 * 1024)).toFixed(1)

async function main() {
  const outArg = process.argv.indexOf('--out')
  const outFile = outArg > 0 ? process.argv[outArg + 1] : RESULTS
  const loadStart = os.loadavg()
  const upstream = await startChild('upstream')
  const proxy = await startChild('proxy', upstream.url)
  const memFresh = await memoryOf(proxy.child)

  const anthropicHeaders = { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-api-key': 'sk-ant-bench-not-a-real-key-000000' }
  const tool = toolOutput100k()
  const body100k = messagesBody(tool.text)
  const lat = (url: string, extra: Partial<autocannon.Options>) => ({ url, connections: 1, pipelining: 1, ...extra })

  // Pass-through: GET /v1/models.
  const passOpts = { method: 'GET' as const, path: '/v1/models', headers: { 'anthropic-version': '2023-06-01', 'x-api-key': 'sk-ant-bench-not-a-real-key-000000' }, amount: 3000 }
  const passDirect = await measure(lat(`${upstream.url}/v1/models`, passOpts), 300)
  const passProxy = await measure(lat(`${proxy.url}/v1/models`, passOpts), 300)

  // /v1/messages with a 100 KB tool output.
  const msgOpts = { method: 'POST' as const, headers: anthropicHeaders, body: body100k, amount: 1000 }
  const msgDirect = await measure(lat(`${upstream.url}/v1/messages`, msgOpts), 100)
  const msgMemo = await measure(lat(`${proxy.url}/v1/messages`, msgOpts), 100)
  let nonce = 0
  const fresh = () => messagesBody(`[{"request":${++nonce}},${tool.text.slice(1)}`)
  const firstSightOpts: autocannon.Options = {
    url: `${proxy.url}/v1/messages`,
    connections: 1,
    amount: 500,
    requests: [{ method: 'POST', headers: anthropicHeaders, setupRequest: (req) => ({ ...req, body: fresh() }) }],
  }
  const msgFirst = await measure(firstSightOpts, 50)
  const memAfterLatency = await memoryOf(proxy.child)

  // Soak: 10,000 requests of /v1/messages (100 KB, 20 rotating bodies) and GET /v1/models, 8 connections.
  const variants = Array.from({ length: 20 }, (_, i) => messagesBody(`[{"variant":${i}},${tool.text.slice(1)}`))
  let turn = 0
  const soakOpts: autocannon.Options = {
    url: proxy.url,
    connections: 8,
    amount: 5000,
    requests: [
      { method: 'POST', path: '/v1/messages', headers: anthropicHeaders, setupRequest: (req) => ({ ...req, body: variants[turn++ % variants.length] }) },
      { method: 'GET', path: '/v1/models', headers: passOpts.headers },
    ],
  }
  const memSoak0 = await memoryOf(proxy.child)
  const soakA = await cannon(soakOpts)
  const memSoak5k = await memoryOf(proxy.child)
  const soakB = await cannon(soakOpts)
  const memSoak10k = await memoryOf(proxy.child)
  const memSoak10kGc = await memoryOf(proxy.child, true)
  const soakLatency = summarize([...soakA.times, ...soakB.times], soakB.result)

  // /health under 20 x 8 MB uploads.
  const health = await healthUnderLoad(proxy.url)
  const memAfterHealth = await memoryOf(proxy.child)

  proxy.child.kill('SIGTERM')
  upstream.child.kill('SIGTERM')
  const loadEnd = os.loadavg()

  const results = {
    date: new Date().toISOString(),
    command: 'npm run bench:proxy',
    machine: { node: process.version, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, loadavgStart: loadStart, loadavgEnd: loadEnd },
    setup: 'loopback; fake upstream answering at once (own process); proxy (own process, memory store, info logs to /dev/null); autocannon in a third process; per-request latency in ms',
    toolOutput: { bytes: tool.text.length, rows: tool.rows, source: 'corpus headroom-generated: log_entries, metrics_data, search_results rows' },
    passThrough: { direct: passDirect, proxy: passProxy, addedP50: passProxy.p50 - passDirect.p50, addedP99: passProxy.p99 - passDirect.p99 },
    messages100k: {
      direct: msgDirect,
      memoized: msgMemo,
      firstSight: msgFirst,
      addedP50Memoized: msgMemo.p50 - msgDirect.p50,
      addedP99Memoized: msgMemo.p99 - msgDirect.p99,
      addedP50FirstSight: msgFirst.p50 - msgDirect.p50,
      addedP99FirstSight: msgFirst.p99 - msgDirect.p99,
    },
    soak: {
      requests: soakA.times.length + soakB.times.length,
      connections: 8,
      errors: soakA.result.errors + soakB.result.errors,
      non2xx: soakA.result.non2xx + soakB.result.non2xx,
      latency: soakLatency,
      rss: { fresh: memFresh.rss, afterLatencyCases: memAfterLatency.rss, soakStart: memSoak0.rss, after5000: memSoak5k.rss, after10000: memSoak10k.rss, after10000Gc: memSoak10kGc.rss, growth5000to10000: memSoak10k.rss - memSoak5k.rss },
      heapUsed: { after5000: memSoak5k.heapUsed, after10000: memSoak10k.heapUsed, after10000Gc: memSoak10kGc.heapUsed },
    },
    healthUnder8MbLoad: { ...health, clients: 20, bodyBytes: 8 * 1024 * 1024, rssAfter: memAfterHealth.rss },
    targets: {
      passThroughP50AddedUnder2ms: passProxy.p50 - passDirect.p50 < 2,
      healthUnder100msUnder8MbLoad: health.max < 100,
    },
  }
  fs.mkdirSync(path.dirname(outFile), { recursive: true })
  fs.writeFileSync(outFile, `${JSON.stringify(results, null, 2)}\n`)

  const rows: string[][] = [
    ['case', 'requests', 'p50 ms', 'p99 ms', 'added p50', 'added p99', 'req/s'],
    ['GET /v1/models direct', String(passDirect.requests), ms(passDirect.p50), ms(passDirect.p99), '', '', passDirect.reqPerSec.toFixed(0)],
    ['GET /v1/models via proxy', String(passProxy.requests), ms(passProxy.p50), ms(passProxy.p99), ms(results.passThrough.addedP50), ms(results.passThrough.addedP99), passProxy.reqPerSec.toFixed(0)],
    ['POST 100 KB direct', String(msgDirect.requests), ms(msgDirect.p50), ms(msgDirect.p99), '', '', msgDirect.reqPerSec.toFixed(0)],
    ['POST 100 KB via proxy, memoized', String(msgMemo.requests), ms(msgMemo.p50), ms(msgMemo.p99), ms(results.messages100k.addedP50Memoized), ms(results.messages100k.addedP99Memoized), msgMemo.reqPerSec.toFixed(0)],
    ['POST 100 KB via proxy, first sight', String(msgFirst.requests), ms(msgFirst.p50), ms(msgFirst.p99), ms(results.messages100k.addedP50FirstSight), ms(results.messages100k.addedP99FirstSight), msgFirst.reqPerSec.toFixed(0)],
    ['soak (8 conns, 100 KB + models)', String(results.soak.requests), ms(soakLatency.p50), ms(soakLatency.p99), '', '', ''],
  ]
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)))
  for (const r of rows) console.log(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '))
  console.log(
    `\nproxy RSS: fresh ${mb(memFresh.rss)} MB; soak start ${mb(memSoak0.rss)} MB, after 5,000 ${mb(memSoak5k.rss)} MB, after 10,000 ${mb(memSoak10k.rss)} MB (growth 5k->10k ${mb(results.soak.rss.growth5000to10000)} MB; ${mb(memSoak10kGc.rss)} MB after a GC)`,
  )
  console.log(`/health while 20 clients POST 8 MB each: ${health.probes} probes, p50 ${ms(health.p50)} ms, p99 ${ms(health.p99)} ms, max ${ms(health.max)} ms (uploads took ${(health.uploadMs / 1000).toFixed(1)} s, statuses ${[...new Set(health.statuses)].join(',')})`)
  console.log(`targets: pass-through p50 added < 2 ms: ${results.targets.passThroughP50AddedUnder2ms ? 'met' : 'NOT met'}; /health < 100 ms under 8 MB load: ${results.targets.healthUnder100msUnder8MbLoad ? 'met' : 'NOT met'}`)
  if (process.argv.includes('--check')) {
    const failures: string[] = []
    for (const [name, c] of [
      ['pass-through direct', passDirect],
      ['pass-through via proxy', passProxy],
      ['100 KB direct', msgDirect],
      ['100 KB memoized', msgMemo],
      ['100 KB first sight', msgFirst],
    ] as const) {
      if (c.errors || c.non2xx) failures.push(`${name}: ${c.errors} errors, ${c.non2xx} non-2xx`)
    }
    if (results.soak.errors || results.soak.non2xx) failures.push(`soak: ${results.soak.errors} errors, ${results.soak.non2xx} non-2xx`)
    if (results.soak.rss.growth5000to10000 > 32 * 1024 * 1024) failures.push(`soak RSS grew ${mb(results.soak.rss.growth5000to10000)} MB from 5,000 to 10,000 requests`)
    // (/health itself rejects the run on any status but 200.)
    if (health.statuses.some((st) => st !== 200)) failures.push(`the 8 MB uploads were answered ${[...new Set(health.statuses)].join(',')}`)
    if (failures.length) {
      console.error(`load test FAILED:\n- ${failures.join('\n- ')}`)
      process.exitCode = 1
    } else console.log('load test passed: every request answered 2xx, soak RSS bounded, every /health probe and 8 MB upload answered 200')
  }
  console.log(`load average ${loadStart.map((x) => x.toFixed(2)).join(' ')} -> ${loadEnd.map((x) => x.toFixed(2)).join(' ')} on ${os.cpus().length} cores; wrote ${path.relative(process.cwd(), outFile)}`)
}

const role = process.argv[2]
if (role === 'upstream') runUpstream()
else if (role === 'proxy') void runProxy(process.argv[3])
else
  main().catch((e) => {
    console.error(e)
    process.exit(1)
  })
