// The OpenAI Responses WebSocket mode through the proxy (field-lessons case 39): a `ws`
// client (and the real Codex CLI when installed) talks to the proxy, which talks to a fake
// upstream WebSocket server that records every message it receives, byte for byte.
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import test from 'ava'
import WebSocket, { WebSocketServer } from 'ws'

import { findMarkers } from '../index'
import { resolveConfig } from '../proxy/config'
import { type Proxy, startProxy } from '../proxy/server'
import { responseCreateRequest, topLevelSpans } from '../proxy/ws-frame'
import { rawElements, rawMember } from './fake-provider'
import { responsesBody, toolOutput } from './fixtures'

type Json = Record<string, unknown>

/** One connection the fake upstream accepted. */
interface UpstreamConn {
  url: string
  headers: http.IncomingHttpHeaders
  protocol: string
  messages: { data: Buffer; binary: boolean }[]
  closed: Promise<{ code: number; reason: string }>
  ws: WebSocket
}

/** The events of one response: `response.created`, the output items, `response.completed`. */
function responseEvents(id: string, output: Json[]): Json[] {
  const usage = { input_tokens: 100, input_tokens_details: { cached_tokens: 40 }, output_tokens: 7, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 107 }
  const response = { id, object: 'response', status: 'completed', model: 'gpt-5', output, usage }
  let seq = 0
  return [
    { type: 'response.created', sequence_number: seq++, response: { ...response, status: 'in_progress', output: [], usage: null } },
    ...output.flatMap((item, i) => [
      { type: 'response.output_item.added', sequence_number: seq++, output_index: i, item },
      { type: 'response.output_item.done', sequence_number: seq++, output_index: i, item },
    ]),
    { type: 'response.completed', sequence_number: seq++, response },
  ]
}

/** A final text answer, as an output item. */
const textItem = (id: string, text = 'ok') => ({ type: 'message', id: `msg_${id}`, role: 'assistant', status: 'completed', content: [{ type: 'output_text', text, annotations: [] }] })

interface FakeWsOptions {
  /** Answer the handshake with 401. */
  refuse?: boolean
  /** The output items answering a `response.create` (default: one text message, no items past the events). */
  reply?: (request: Json, id: string) => Json[]
}

/**
 * A fake Responses WebSocket upstream: records each message; answers a `response.create`
 * with `response.created`, the output items of `reply` and `response.completed` (usage
 * included); on a text message `close-me:CODE:REASON` it closes with that code.
 */
async function fakeWsUpstream(opts: FakeWsOptions = {}) {
  const conns: UpstreamConn[] = []
  const server = http.createServer((_req, res) => res.writeHead(404).end())
  const wss = new WebSocketServer({ noServer: true, handleProtocols: (p) => (p.has('proto-b') ? 'proto-b' : false) })
  let n = 0
  server.on('upgrade', (req, socket, head) => {
    if (opts.refuse) {
      socket.end('HTTP/1.1 401 Unauthorized\r\ncontent-type: application/json\r\ncontent-length: 46\r\n\r\n{"error":{"message":"bad key","code":"auth"}}\n')
      return
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      let resolveClosed: (v: { code: number; reason: string }) => void = () => undefined
      const conn: UpstreamConn = { url: req.url!, headers: req.headers, protocol: ws.protocol, messages: [], closed: new Promise((r) => (resolveClosed = r)), ws }
      conns.push(conn)
      ws.on('close', (code, reason) => resolveClosed({ code, reason: reason.toString() }))
      ws.on('message', (d, binary) => {
        const data = d as Buffer
        conn.messages.push({ data, binary })
        if (binary) return
        const text = data.toString('utf8')
        const close = /^close-me:(\d+):(.*)$/.exec(text)
        if (close) return ws.close(Number(close[1]), close[2])
        let j: Json
        try {
          j = JSON.parse(text) as Json
        } catch {
          return
        }
        if (j.type !== 'response.create') return
        const id = `resp_ws_${n++}`
        const events = responseEvents(id, opts.reply ? opts.reply(j, id) : [textItem(id)])
        for (const ev of opts.reply ? events : [events[0], events.at(-1)!]) ws.send(JSON.stringify(ev))
      })
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    conns,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((r) => {
        for (const c of wss.clients) c.terminate()
        server.closeAllConnections()
        server.close(() => r())
      }),
  }
}

async function setup(extra: Record<string, string> = {}, upstreamOpts: FakeWsOptions = {}) {
  const upstream = await fakeWsUpstream(upstreamOpts)
  const proxy: Proxy = await startProxy(resolveConfig({ port: '0', store: 'memory', 'log-level': 'silent', 'upstream-openai': upstream.url, ...extra }, {}))
  return { upstream, proxy, wsUrl: proxy.url.replace(/^http/, 'ws') }
}

/** A client connection with its received messages and close. */
async function connect(url: string, headers: Record<string, string> = {}, protocols: string[] = []) {
  const ws = new WebSocket(url, protocols, { headers: { authorization: 'Bearer sk-test', ...headers } })
  const received: { data: Buffer; binary: boolean }[] = []
  ws.on('message', (d, binary) => received.push({ data: d as Buffer, binary }))
  const closed = new Promise<{ code: number; reason: string }>((r) => ws.on('close', (code, reason) => r({ code, reason: reason.toString() })))
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve())
    ws.once('error', reject)
  })
  return { ws, received, closed }
}

/** Waits until `check` holds (polling), or fails after `ms`. */
async function until(check: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting')
    await new Promise((r) => setTimeout(r, 10))
  }
}

/** Codex's own (unwrapped) envelope: the request's fields next to `type`. */
function unwrapped(body: Json = responsesBody()): string {
  return JSON.stringify({ type: 'response.create', ...body, stream: true, store: false })
}

/** The wrapped envelope: the request under `response`. */
function wrapped(body: Json = responsesBody()): string {
  return JSON.stringify({ type: 'response.create', response: { ...body, stream: true }, event_id: 'evt_1' })
}

/** The request of a frame, as raw text (the `response` member when wrapped). */
function requestOf(frame: Buffer): string {
  const r = responseCreateRequest(frame)!
  return frame.toString('utf8', r.start, r.end)
}

/**
 * Asserts that `got` is `sent` with only the function_call_output compressed (markers in it)
 * and the retrieve tool possibly appended: every other member, item and tool byte-identical.
 */
function assertCompressedFrame(t: import('ava').ExecutionContext, sent: string, got: Buffer) {
  const frame = got.toString('utf8')
  t.notThrows(() => JSON.parse(frame), 'valid JSON upstream')
  t.true(got.length < Buffer.byteLength(sent), `compressed: ${got.length} < ${Buffer.byteLength(sent)} bytes`)
  t.true(findMarkers(frame).length > 0, 'markers present')
  const before = requestOf(Buffer.from(sent))
  const after = requestOf(got)
  // Outside the request (the wrapped envelope's own members) nothing changed.
  const outside = (s: string) => s.replace(requestOf(Buffer.from(s)), '<request>')
  t.is(outside(frame), outside(sent), 'the envelope around the request is byte-identical')
  const sentSpans = topLevelSpans(Buffer.from(before))!
  const gotSpans = topLevelSpans(Buffer.from(after))!
  t.deepEqual([...gotSpans.keys()].filter((k) => k !== 'tools'), [...sentSpans.keys()].filter((k) => k !== 'tools'), 'same members in the same order')
  for (const k of sentSpans.keys()) {
    if (k === 'input' || k === 'tools') continue
    t.is(rawMember(after, k), rawMember(before, k), `member ${k} byte-identical`)
  }
  const inBefore = rawElements(before, 'input')
  const inAfter = rawElements(after, 'input')
  t.is(inAfter.length, inBefore.length)
  let changed = 0
  for (let i = 0; i < inBefore.length; i++) {
    if (inAfter[i] === inBefore[i]) continue
    changed++
    t.regex(inBefore[i], /"function_call_output"/, 'only the tool output is edited')
  }
  t.is(changed, 1)
  const toolsBefore = rawElements(before, 'tools')
  const toolsAfter = rawElements(after, 'tools')
  t.deepEqual(toolsAfter.slice(0, toolsBefore.length), toolsBefore, 'the client tools are byte-identical')
  t.true(toolsAfter.slice(toolsBefore.length).every((x) => x.includes('headroom_retrieve')))
}

test('frame scanner: top-level members and the response.create request span, strings with escapes skipped', (t) => {
  const frame = Buffer.from(' {"a\\"b" : "x\\\\", "type":"response.create" ,"response": {"input":[{"s":"}]\\"{["}, 1.5e3, null]} , "n":-2}\n')
  const spans = topLevelSpans(frame)!
  t.deepEqual([...spans.keys()], ['a"b', 'type', 'response', 'n'])
  const r = responseCreateRequest(frame)!
  t.is(r.envelope, 'wrapped')
  t.deepEqual(JSON.parse(frame.toString('utf8', r.start, r.end)), JSON.parse(frame.toString()).response)
  t.is(responseCreateRequest(Buffer.from('{"type":"response.create","input":"hi"}'))!.envelope, 'unwrapped')
  for (const bad of ['', '[]', '{"type":"response.create"', '{"type":"response.create"} x', '{"type":"response.cancel"}', '{"type":"response.create","response":"no"', 'null']) {
    t.not(responseCreateRequest(Buffer.from(bad))?.envelope, 'wrapped', bad)
  }
  t.is(responseCreateRequest(Buffer.from('{"type":"response.create"} x')), undefined)
  t.is(responseCreateRequest(Buffer.from('{"type":"response.cancel"}')), undefined)
})

for (const [name, envelope] of [
  ['unwrapped (Codex)', unwrapped],
  ['wrapped', wrapped],
] as const) {
  test(`${name} envelope: the first response.create goes upstream compressed, a later frame with previous_response_id keeps its bytes, the same frame resent gives identical bytes`, async (t) => {
    const { upstream, proxy, wsUrl } = await setup()
    try {
      const c = await connect(`${wsUrl}/v1/responses`)
      const first = envelope()
      c.ws.send(first)
      await until(() => c.received.length >= 2)
      t.is(upstream.conns.length, 1)
      const up = upstream.conns[0]
      assertCompressedFrame(t, first, up.messages[0].data)
      t.false(up.messages[0].binary)
      // The upstream's events reach the client untouched.
      t.is(JSON.parse(c.received[1].data.toString()).type, 'response.completed')
      t.false(c.received[0].binary)

      // A later turn: previous_response_id and only the new input; small, nothing to compress.
      const later = envelope({ model: 'gpt-5', previous_response_id: 'resp_ws_0', input: [{ type: 'function_call_output', call_id: 'call_2', output: 'exit 0' }], tools: [{ type: 'function', name: 'exec_command', parameters: { type: 'object' } }] })
      c.ws.send(later)
      // The same first frame again (a reconnecting client resends its history): memoized.
      c.ws.send(first)
      await until(() => up.messages.length >= 3 && c.received.length >= 6)
      const laterGot = up.messages[1].data.toString('utf8')
      // The connection had markers: the retrieve tool stays in the tool list, nothing else moves.
      const laterTools = rawElements(requestOf(up.messages[1].data), 'tools')
      t.true(laterTools.at(-1)!.includes('headroom_retrieve'), 'the retrieve tool stays on later frames of the connection')
      t.is(rawElements(requestOf(up.messages[1].data), 'input')[0], rawElements(requestOf(Buffer.from(later)), 'input')[0])
      t.is(rawMember(requestOf(up.messages[1].data), 'previous_response_id'), '"resp_ws_0"')
      t.notThrows(() => JSON.parse(laterGot))
      t.true(up.messages[2].data.equals(up.messages[0].data), 'the same frame resent gives identical bytes (memo)')

      const stats = (await (await fetch(`${proxy.url}/stats`)).json()) as Json
      t.is(stats.requests, 3)
      t.is(stats.compressed, 2)
      t.deepEqual(stats.websocket, { connections: 1 })
      const recent = stats.recent as Json[]
      t.deepEqual(
        recent.map((r) => [r.transport, r.path, r.outcome]),
        [
          ['websocket', '/v1/responses', 'compressed'],
          ['websocket', '/v1/responses', 'unchanged'],
          ['websocket', '/v1/responses', 'compressed'],
        ],
      )
      t.is((stats.billed as Json).cacheRead, 120, 'usage of the three response.completed events')
      c.ws.close(1000)
      t.is((await up.closed).code, 1000)
    } finally {
      await proxy.close()
      await upstream.close()
    }
  })
}

test("the model's headroom_retrieve call reaches the client; the client's answer to it goes upstream as the stored original", async (t) => {
  let hash = ''
  const { upstream, proxy, wsUrl } = await setup({}, {
    reply: (j, id) => {
      const text = JSON.stringify(j)
      if (!hash && findMarkers(text).length) {
        hash = findMarkers(text)[0]
        return [{ type: 'function_call', id: 'fc_r', call_id: 'call_r', name: 'headroom_retrieve', arguments: JSON.stringify({ hash }), status: 'completed' }]
      }
      return [textItem(id)]
    },
  })
  try {
    const c = await connect(`${wsUrl}/v1/responses`)
    c.ws.send(unwrapped())
    await until(() => c.received.some((m) => m.data.includes('"response.completed"')))
    const events = c.received.map((m) => JSON.parse(m.data.toString()) as Json)
    const call = events.find((e) => e.type === 'response.output_item.done')!.item as Json
    t.is(call.name, 'headroom_retrieve', 'the call reaches the client (the upstream holds the conversation)')
    // The client answers it as a tool it does not know, as Codex does, chaining on the response.
    const next = unwrapped({ model: 'gpt-5', previous_response_id: 'resp_ws_0', input: [{ type: 'function_call_output', call_id: 'call_r', output: 'unsupported call: headroom_retrieve' }] })
    c.ws.send(next)
    await until(() => upstream.conns[0].messages.length >= 2)
    const got = upstream.conns[0].messages[1].data
    const input = JSON.parse(rawMember(got, 'input')!) as Json[]
    t.is(input[0].output, toolOutput(), 'the original, from the store, not compressed again')
    const rest = (f: string) => f.replace(rawMember(f, 'input')!, '')
    t.is(rest(got.toString('utf8')).replace(`,"tools":${rawMember(got, 'tools')}`, ''), rest(next), 'every other byte as sent (the connection keeps the retrieve tool)')
    // A new connection resending the whole history (call and output side by side): same bytes.
    const d = await connect(`${wsUrl}/v1/responses`)
    const callItem = { type: 'function_call', call_id: 'call_r', name: 'headroom_retrieve', arguments: JSON.stringify({ hash }) }
    const full = responsesBody()
    const resend = unwrapped({ ...full, input: [...(full.input as Json[]), callItem, { type: 'function_call_output', call_id: 'call_r', output: 'unsupported call: headroom_retrieve' }] })
    d.ws.send(resend)
    await until(() => upstream.conns[1]?.messages.length >= 1)
    const again = JSON.parse(rawMember(upstream.conns[1].messages[0].data, 'input')!) as Json[]
    t.is(again.at(-1)!.output, toolOutput())
    t.is(rawElements(upstream.conns[1].messages[0].data, 'input')[3], rawElements(upstream.conns[0].messages[0].data, 'input')[3], 'the compressed tool output as before (memo)')
    const stats = (await (await fetch(`${proxy.url}/stats`)).json()) as Json
    t.like(stats.retrieval as Json, { calls: 2, turns: 2 })
  } finally {
    await proxy.close()
    await upstream.close()
  }
})

test('other messages go upstream byte for byte, in order: other types, non-JSON text, binary, invalid JSON', async (t) => {
  const { upstream, proxy, wsUrl } = await setup()
  try {
    const c = await connect(`${wsUrl}/v1/responses`)
    const big = unwrapped()
    const frames: [Buffer, boolean][] = [
      [Buffer.from(big), false],
      [Buffer.from('{"type":"response.cancel","response_id":"resp_1"}'), false],
      [Buffer.from('not json at all'), false],
      [Buffer.from([0, 1, 2, 255, 254, 0x7b, 0x22]), true],
      // Not one JSON object (cut short): not even read as a response.create.
      [Buffer.from(`{"type":"response.create","input":[{"type":"function_call_output","output":${JSON.stringify(toolOutput())}}`), false],
      // A response.create whose inside is not JSON: the library refuses it, it goes as it came.
      [Buffer.from(`{"type":"response.create","input":[{"type":"function_call_output","call_id":"c","output":${JSON.stringify(toolOutput())}}, nope]}`), false],
      [Buffer.from(`  {"type" : "session.update", "input": ${JSON.stringify(toolOutput())}}  `), false],
    ]
    for (const [data, binary] of frames) c.ws.send(data, { binary })
    await until(() => (upstream.conns[0]?.messages.length ?? 0) >= frames.length)
    const got = upstream.conns[0].messages
    t.true(got[0].data.length < frames[0][0].length, 'the response.create (sent first) was compressed')
    for (let i = 1; i < frames.length; i++) {
      t.true(got[i].data.equals(frames[i][0]), `message ${i} byte-identical`)
      t.is(got[i].binary, frames[i][1], `message ${i} keeps its opcode`)
    }
    const stats = (await (await fetch(`${proxy.url}/stats`)).json()) as Json
    t.is(stats.requests, 2, 'response.create messages count as requests (the one that is no JSON object does not)')
    t.is(stats.compressionErrors, 1)
  } finally {
    await proxy.close()
    await upstream.close()
  }
})

test('close codes and reasons propagate both ways; pings reach the other end', async (t) => {
  const { upstream, proxy, wsUrl } = await setup()
  try {
    // Client -> upstream.
    const a = await connect(`${wsUrl}/v1/responses`)
    await until(() => upstream.conns.length === 1)
    let pinged = false
    upstream.conns[0].ws.on('ping', () => (pinged = true))
    a.ws.ping(Buffer.from('keepalive'))
    await until(() => pinged)
    a.ws.close(4001, 'client says bye')
    t.deepEqual(await upstream.conns[0].closed, { code: 4001, reason: 'client says bye' })
    t.deepEqual(await a.closed, { code: 4001, reason: 'client says bye' })

    // Upstream -> client.
    const b = await connect(`${wsUrl}/v1/responses`)
    await until(() => upstream.conns.length === 2)
    b.ws.send('close-me:4321:upstream says bye')
    t.deepEqual(await b.closed, { code: 4321, reason: 'upstream says bye' })

    // The upstream connection dies without a close frame: the client gets 1011 and why.
    const c = await connect(`${wsUrl}/v1/responses`)
    await until(() => upstream.conns.length === 3)
    upstream.conns[2].ws.terminate()
    const cut = await c.closed
    t.is(cut.code, 1011)
    t.regex(cut.reason, /upstream connection was lost/)
  } finally {
    await proxy.close()
    await upstream.close()
  }
})

test('the upgrade carries the client headers and subprotocols, minus hop-by-hop and x-headroom-*, to the base path', async (t) => {
  const upstream = await fakeWsUpstream()
  const proxy = await startProxy(resolveConfig({ port: '0', store: 'memory', 'log-level': 'silent', 'upstream-openai': `${upstream.url}/base`, token: 'tok-123456' }, {}))
  try {
    const url = `${proxy.url.replace(/^http/, 'ws')}/openai/responses?api-version=preview`
    const c = await connect(url, { 'x-headroom-token': 'tok-123456', 'openai-beta': 'responses_websockets=2026-02-06', 'session-id': 's1', 'x-headroom-session': 'abc' }, ['proto-a', 'proto-b'])
    t.is(c.ws.protocol, 'proto-b', 'the subprotocol the upstream chose')
    const up = upstream.conns[0]
    t.is(up.url, '/base/openai/responses?api-version=preview')
    t.is(up.headers.authorization, 'Bearer sk-test')
    t.is(up.headers['openai-beta'], 'responses_websockets=2026-02-06')
    t.is(up.headers['session-id'], 's1')
    t.is(up.headers['sec-websocket-protocol'], 'proto-a,proto-b')
    t.false(Object.keys(up.headers).some((h) => h.startsWith('x-headroom-')))
    c.ws.close()

    // Without the token: refused on the upgrade.
    const refused = await new Promise<number>((resolve) => {
      const ws = new WebSocket(url)
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0))
      ws.on('error', () => resolve(-1))
    })
    t.is(refused, 401)
    // A web page on another site: refused even with the token (loopback proxy).
    const fromPage = await new Promise<number>((resolve) => {
      const ws = new WebSocket(url, { headers: { 'x-headroom-token': 'tok-123456', origin: 'https://evil.example' } })
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0))
      ws.on('error', () => resolve(-1))
    })
    t.is(fromPage, 403)
    t.is(upstream.conns.length, 1, 'refused upgrades never reach upstream')
  } finally {
    await proxy.close()
    await upstream.close()
  }
})

test('x-headroom-bypass: 1 relays the frames untouched', async (t) => {
  const { upstream, proxy, wsUrl } = await setup()
  try {
    const c = await connect(`${wsUrl}/v1/responses`, { 'x-headroom-bypass': '1' })
    const first = unwrapped()
    c.ws.send(first)
    await until(() => c.received.length >= 2)
    t.true(upstream.conns[0].messages[0].data.equals(Buffer.from(first)))
    t.is(upstream.conns[0].headers['x-headroom-bypass'], undefined)
    const stats = (await (await fetch(`${proxy.url}/stats`)).json()) as Json
    t.is(stats.bypassed, 1)
    t.is(stats.compressed, 0)
  } finally {
    await proxy.close()
    await upstream.close()
  }
})

test('an unreachable upstream gives a 502 on the upgrade that says why; a refused handshake is relayed as it came', async (t) => {
  // A port nothing listens on, on a loopback address no test server binds: a port freed on
  // 127.0.0.1 could be taken at once by a server of a test running beside this one.
  const dead = http.createServer()
  await new Promise<void>((r) => dead.listen(0, '127.0.0.2', r))
  const port = (dead.address() as AddressInfo).port
  await new Promise<void>((r) => dead.close(() => r()))
  const proxy = await startProxy(resolveConfig({ port: '0', store: 'memory', 'log-level': 'silent', 'upstream-openai': `http://127.0.0.2:${port}` }, {}))
  const answer = (url: string) =>
    new Promise<{ status: number; body: string }>((resolve) => {
      const ws = new WebSocket(url)
      ws.on('unexpected-response', (_req, res) => {
        let body = ''
        res.on('data', (d: Buffer) => (body += d.toString()))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
      })
      // An upgrade that opens (or fails without an HTTP answer) is not what is expected.
      ws.on('open', () => resolve({ status: 101, body: '' }))
      ws.on('error', (e) => resolve({ status: -1, body: e.message }))
    })
  try {
    const r = await answer(`${proxy.url.replace(/^http/, 'ws')}/v1/responses`)
    t.is(r.status, 502)
    t.is(JSON.parse(r.body).error.code, 'upstream_unreachable')
    t.regex(JSON.parse(r.body).error.message, /ECONNREFUSED/)
    const other = await answer(`${proxy.url.replace(/^http/, 'ws')}/v1/messages`)
    t.is(other.status, 404, 'upgrades only on Responses routes')
  } finally {
    await proxy.close()
  }
  const { upstream, proxy: p2, wsUrl } = await setup({}, { refuse: true })
  try {
    const r = await answer(`${wsUrl}/v1/responses`)
    t.is(r.status, 401)
    t.regex(r.body, /bad key/)
    t.is((p2.stats as unknown as Json).upstreamErrors, 1)
  } finally {
    await p2.close()
    await upstream.close()
  }
})

// -------------------------------------------------------------------------------------------
// The real Codex CLI over WebSockets (skipped when it is not installed)
// -------------------------------------------------------------------------------------------

const ROOT = path.resolve(__dirname, '..')
const BIN = path.join(ROOT, 'bin', 'headroom.js')
const CODEX = path.join(ROOT, 'benches', 'agent', 'codex', 'node_modules', '@openai', 'codex', 'bin', 'codex.js')
const codexTest = fs.existsSync(CODEX) ? test.serial : test.skip
const CODEX_SKIP = fs.existsSync(CODEX) ? '' : ' [skipped: Codex CLI not installed; run `bash benches/agent/setup-codex.sh`]'

codexTest(`real Codex CLI through headroom wrap (supports_websockets = true, proxy token): its response.create frames go upstream compressed over the proxy's WebSocket, and its answer to a headroom_retrieve call is replaced by the original${CODEX_SKIP}`, async (t) => {
  // The fake model calls the shell once (a big JSON file), then answers. Prewarm frames
  // (`generate: false`) get an empty response.
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-codex-ws-'))
  const file = path.join(home, 'rows.json')
  fs.writeFileSync(file, toolOutput())
  // Then, seeing markers, it calls headroom_retrieve once.
  let turn = 0
  const upstream = await fakeWsUpstream({
    reply: (j, id) => {
      if (j.generate === false) return []
      const t = turn++
      if (t === 0) return [{ type: 'function_call', id: 'fc_1', call_id: 'call_1', name: 'exec_command', arguments: JSON.stringify({ cmd: `cat ${file}` }), status: 'completed' }]
      const hash = findMarkers(JSON.stringify(j))[0]
      if (t === 1 && hash) return [{ type: 'function_call', id: 'fc_2', call_id: 'call_2', name: 'headroom_retrieve', arguments: JSON.stringify({ hash }), status: 'completed' }]
      return [textItem(id, 'CODEX-WS-DONE')]
    },
  })
  try {
    const env: NodeJS.ProcessEnv = {}
    for (const [k, v] of Object.entries(process.env)) if (!/^(OPENAI_|CODEX_|HEADROOM_|AZURE_)/.test(k)) env[k] = v
    // Through `headroom wrap codex` (WebSocket mode on by default), with a proxy token.
    const args = [BIN, 'wrap', 'codex', '--port', '0', '--token', 'tok-codex-ws', '--agent-bin', CODEX, '--upstream-openai', upstream.url, '--', 'exec', '-m', 'gpt-5-codex', '--skip-git-repo-check', 'Show me the rows.']
    const child = spawn(process.execPath, args, {
      cwd: home,
      env: { ...env, CODEX_HOME: home, OPENAI_API_KEY: 'sk-test', HEADROOM_STORE: 'memory', HEADROOM_HOME: path.join(home, 'headroom') },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000)
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
    clearTimeout(timer)
    t.is(code, 0, stderr.slice(-3000))
    t.true(stdout.includes('CODEX-WS-DONE'), stdout.slice(-2000))
    t.true(upstream.conns.length >= 1, 'Codex connected over WebSocket through the proxy')
    const frames = upstream.conns.flatMap((c) => c.messages.map((m) => m.data))
    const json = frames.map((f) => JSON.parse(f.toString('utf8')) as Json)
    t.true(json.every((j) => j.type === 'response.create' && j.response === undefined), 'Codex sends the unwrapped envelope')
    t.is(upstream.conns[0].headers['openai-beta'], 'responses_websockets=2026-02-06')
    // The frame carrying the tool output: previous_response_id, only the new items, compressed.
    const withOutput = frames.find((f) => f.includes('"function_call_output"'))!
    t.truthy(withOutput)
    const j = JSON.parse(withOutput.toString('utf8')) as Json
    t.truthy(j.previous_response_id, 'the later frame chains on previous_response_id')
    t.true(findMarkers(withOutput.toString('utf8')).length > 0, 'the tool output went upstream compressed')
    t.true(withOutput.length < Buffer.byteLength(toolOutput()), `frame ${withOutput.length} bytes < the ${Buffer.byteLength(toolOutput())}-byte file`)
    t.false(Object.keys(upstream.conns[0].headers).some((h) => h.startsWith('x-headroom-')), 'the proxy token stays in the proxy')
    // Codex answered the retrieve call as an unknown tool; upstream got the original instead.
    const answer = json.flatMap((x) => (x.input as Json[]) ?? []).find((i) => i.type === 'function_call_output' && i.call_id === 'call_2')
    t.truthy(answer, 'Codex sent an output for the retrieve call')
    t.true(String(answer?.output).includes(toolOutput().slice(0, 2000)), 'the upstream got the stored original for it')
    t.regex(stderr, /\b1 compressed\b/)
    t.log(`frames upstream: ${frames.map((f) => f.length).join(', ')} bytes`)
  } finally {
    await upstream.close()
    fs.rmSync(home, { recursive: true, force: true })
  }
})
