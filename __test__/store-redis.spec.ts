// The Redis store end to end: a real `redis-server` (started here on a free loopback port,
// no persistence, in a temp dir), the JS `Store` over it, and two proxy instances sharing it.
// Without the redis-server binary these tests are skipped with a note.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import net from 'node:net'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import test from 'ava'

import { findMarkers, type HeadroomError, Store } from '../index'
import { resolveConfig } from '../proxy/config'
import { type Proxy, startProxy } from '../proxy/server'

const CORPUS = path.resolve(__dirname, '..', '..', 'shared', 'corpus')
const TOOL_OUTPUT = fs.readFileSync(path.join(CORPUS, 'headroom-generated', 'api_responses.json'), 'utf8')

const HAVE_REDIS = spawnSync('redis-server', ['--version']).status === 0
if (!HAVE_REDIS) console.log('note: redis-server not found; Redis store tests skipped (apt-get install redis-server)')
const redisTest = HAVE_REDIS ? test : test.skip

async function freePort(): Promise<number> {
  const srv = net.createServer()
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
  const port = (srv.address() as AddressInfo).port
  await new Promise<void>((r) => srv.close(() => r()))
  return port
}

/** One RESP2 command on a fresh connection; resolves with the parsed reply. */
function redisCall(port: number, ...args: (string | Buffer)[]): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1')
    const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)]
    for (const a of args) {
      const b = Buffer.isBuffer(a) ? a : Buffer.from(a)
      parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'))
    }
    let buf = Buffer.alloc(0)
    // Returns [value, next offset] or null when the reply is not complete yet.
    const parse = (at: number): [unknown, number] | null => {
      const eol = buf.indexOf('\r\n', at)
      if (eol < 0) return null
      const line = buf.toString('utf8', at + 1, eol)
      const next = eol + 2
      switch (String.fromCharCode(buf[at])) {
        case '+':
          return [line, next]
        case '-':
          return [new Error(line), next]
        case ':':
          return [Number(line), next]
        case '$': {
          const n = Number(line)
          if (n < 0) return [null, next]
          return buf.length >= next + n + 2 ? [buf.subarray(next, next + n), next + n + 2] : null
        }
        case '*': {
          const n = Number(line)
          const items: unknown[] = []
          let pos = next
          for (let i = 0; i < n; i++) {
            const r = parse(pos)
            if (!r) return null
            items.push(r[0])
            pos = r[1]
          }
          return [items, pos]
        }
        default:
          throw new Error(`bad reply ${line}`)
      }
    }
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d])
      const r = parse(0)
      if (r) {
        sock.end()
        if (r[0] instanceof Error) reject(r[0])
        else resolve(r[0])
      }
    })
    sock.on('error', reject)
    sock.write(Buffer.concat(parts))
  })
}

interface Redis {
  port: number
  url: string
  stop(): Promise<void>
}

async function startRedis(t: { teardown: (f: () => Promise<void>) => void }): Promise<Redis> {
  const port = await freePort()
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-redis-'))
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' })
  const exited = new Promise<void>((r) => child.once('exit', () => r()))
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL')
      await exited
    }
    fs.rmSync(dir, { recursive: true, force: true })
  }
  t.teardown(stop)
  for (let i = 0; ; i++) {
    try {
      await redisCall(port, 'PING')
      break
    } catch (e) {
      if (i > 200) throw e
      await new Promise((r) => setTimeout(r, 25))
    }
  }
  return { port, url: `redis://127.0.0.1:${port}/0`, stop }
}

/** A fake Anthropic upstream that records every body it receives. */
async function fakeUpstream(t: { teardown: (f: () => Promise<void>) => void }) {
  const seen: Buffer[] = []
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => {
      seen.push(Buffer.concat(chunks))
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-test-model', content: [{ type: 'text', text: 'ok' }], stop_reason: 'end_turn', usage: { input_tokens: 10, output_tokens: 1 } }))
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  t.teardown(() => new Promise<void>((r) => server.close(() => r())))
  return { seen, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }
}

async function proxyOn(t: { teardown: (f: () => Promise<void>) => void }, store: string, upstream: string): Promise<Proxy> {
  const proxy = await startProxy(resolveConfig({ port: '0', store, 'log-level': 'silent', 'upstream-anthropic': upstream, 'upstream-openai': upstream }, {}))
  t.teardown(() => proxy.close())
  return proxy
}

const REQUEST = JSON.stringify({
  model: 'claude-test-model',
  max_tokens: 256,
  messages: [
    { role: 'user', content: 'Which API users are inactive?' },
    { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_01', name: 'api', input: { q: 'users' } }] },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_01', content: TOOL_OUTPUT }] },
  ],
})

async function send(proxy: Proxy): Promise<number> {
  const r = await fetch(`${proxy.url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-api-key': 'sk-test' },
    body: REQUEST,
  })
  await r.arrayBuffer()
  return r.status
}

/** The tool result as it reached upstream. */
function toolResult(body: Buffer): string {
  return JSON.parse(body.toString('utf8')).messages[2].content[0].content
}

redisTest('Store.open(redis://...): byte-exact, same keys and errors as SQLite, shared between handles', async (t) => {
  const redis = await startRedis(t)
  const a = Store.open(redis.url)
  const b = Store.open(redis.url)
  const sqlite = Store.memory()
  const original = Buffer.from([0, 255, 13, 10, 36, 51, 13, 10, 0x7b, 0xc3, 0x28])
  const key = a.put(original)
  t.is(key, sqlite.put(original), 'the same retrieve key as the SQLite store')
  t.deepEqual(b.get(key), original)
  t.is(b.retrieve(a.put('alpha\nbeta error\ngamma error\n'), { query: 'error' }).text, 'beta error\ngamma error')
  const stats = b.stats()
  t.is(stats.backend, 'redis')
  t.is(stats.location, redis.url)
  t.is(stats.entries, 2)
  t.is(b.path, null)
  t.is((t.throws(() => b.get('0123456789abcdef')) as HeadroomError).code, 'UNKNOWN_HASH')
  t.is(a.purge('all'), 2)
  t.is((t.throws(() => b.get(key)) as HeadroomError).code, 'EXPIRED', 'a purged hash is a tombstone, not unknown')
  t.is((t.throws(() => Store.open('rediss://127.0.0.1:1')) as HeadroomError).code, 'INVALID_OPTION')
})

redisTest('HEADROOM_STORE=redis://... selects Redis for the default store', async (t) => {
  const redis = await startRedis(t)
  process.env.HEADROOM_STORE = redis.url
  const store = Store.default()
  t.is(store.stats().backend, 'redis')
  const key = store.put('through the default store')
  t.is(Store.open(redis.url).get(key).toString(), 'through the default store')
})

redisTest('two proxies share one Redis store: compressed through A, retrieved through B byte-exact', async (t) => {
  const redis = await startRedis(t)
  const upstream = await fakeUpstream(t)
  const a = await proxyOn(t, redis.url, upstream.url)
  const b = await proxyOn(t, redis.url, upstream.url)
  t.is(b.store.stats().backend, 'redis')
  t.is(await send(a), 200)
  const compressed = toolResult(upstream.seen[0])
  t.true(compressed.length < TOOL_OUTPUT.length / 3, 'compressed through A')
  const hashes = findMarkers(compressed)
  t.true(hashes.length > 0)
  for (const h of hashes) {
    const r = await fetch(`${b.url}/v1/retrieve/${h}`)
    t.is(r.status, 200)
    t.is(await r.text(), TOOL_OUTPUT)
    t.deepEqual(b.store.get(h), Buffer.from(TOOL_OUTPUT, 'utf8'))
  }
  // B sends the same request upstream byte for byte (prompt caches keep hitting).
  t.is(await send(b), 200)
  t.deepEqual(upstream.seen[1], upstream.seen[0])
  t.is(b.store.stats().memoEntries, a.store.stats().memoEntries)
  t.true(a.store.stats().memoEntries > 0)
})

redisTest("B compresses a block to A's bytes from the memo in Redis, not by recomputing", async (t) => {
  const redis = await startRedis(t)
  const upstream = await fakeUpstream(t)
  const a = await proxyOn(t, redis.url, upstream.url)
  const b = await proxyOn(t, redis.url, upstream.url)
  t.is(await send(a), 200)
  const compressed = toolResult(upstream.seen[0])
  // Mark the remembered form in Redis: if B reads the memo, the mark reaches upstream.
  const TAG = ' [memo:redis]'
  const keys = (await redisCall(redis.port, 'KEYS', 'headroom:ccr:m:*')) as Buffer[]
  t.true(keys.length > 0)
  let marked = 0
  const mark = (v: unknown): unknown => {
    if (v === compressed) {
      marked++
      return compressed + TAG
    }
    if (Array.isArray(v)) return v.map(mark)
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, mark(x)]))
    return v
  }
  for (const k of keys) {
    const value = (await redisCall(redis.port, 'GET', k)) as Buffer
    const changed = JSON.stringify(mark(JSON.parse(value.toString('utf8'))))
    await redisCall(redis.port, 'SET', k, changed)
  }
  t.is(marked, 1, 'one remembered form is the tool result')
  t.is(await send(b), 200)
  t.is(toolResult(upstream.seen[1]), compressed + TAG)
})

redisTest('Redis down: the proxy still forwards (uncompressed) and retrieve answers 503 STORE_UNAVAILABLE', async (t) => {
  const redis = await startRedis(t)
  const upstream = await fakeUpstream(t)
  const a = await proxyOn(t, redis.url, upstream.url)
  t.is(await send(a), 200)
  const [hash] = findMarkers(toolResult(upstream.seen[0]))
  await redis.stop()
  const r = await fetch(`${a.url}/v1/retrieve/${hash}`)
  t.is(r.status, 503)
  t.is(((await r.json()) as { error: { code: string } }).error.code, 'STORE_UNAVAILABLE')
  t.is(await send(a), 200)
  t.is(upstream.seen.length, 2)
  // (The retrieve tool stays in the session's tool list: its description quotes an example marker.)
  t.deepEqual(findMarkers(toolResult(upstream.seen[1])), [], 'no marker without a store to hold its original')
  await t.throwsAsync(() => startProxy(resolveConfig({ port: '0', store: redis.url }, {})), { code: 'STORE_UNAVAILABLE' })
})
