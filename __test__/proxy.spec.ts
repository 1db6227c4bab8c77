// The proxy end to end: the real Anthropic and OpenAI SDKs talk to `headroom proxy`, which
// talks to a local fake upstream that records every byte it receives.
import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import Anthropic from '@anthropic-ai/sdk'
import test from 'ava'
import OpenAI, { AzureOpenAI } from 'openai'

import { findMarkers } from '../index'
import { resolveConfig } from '../proxy/config'
import { type Proxy, startProxy } from '../proxy/server'

const CORPUS = path.resolve(__dirname, '..', '..', 'shared', 'corpus')
const TOOL_OUTPUT = fs.readFileSync(path.join(CORPUS, 'headroom-generated', 'api_responses.json'), 'utf8')

interface Seen {
  method: string
  url: string
  headers: http.IncomingHttpHeaders
  body: Buffer
}

/** SSE events of one short Anthropic answer, sent `gapMs` apart. */
const EVENTS = [
  ['message_start', { type: 'message_start', message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-test-model', content: [], stop_reason: null, usage: { input_tokens: 10, output_tokens: 0 } } }],
  ['content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }],
  ['ping', { type: 'ping' }],
  ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Two users ' } }],
  ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'are inactive.' } }],
  ['content_block_stop', { type: 'content_block_stop', index: 0 }],
  ['message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 5 } }],
  ['message_stop', { type: 'message_stop' }],
] as const

async function fakeUpstream(gapMs = 150) {
  const seen: Seen[] = []
  const sentAt: number[] = []
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', async () => {
      const body = Buffer.concat(chunks)
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body })
      if (req.url!.startsWith('/v1/rate-limited') || req.headers['x-test-fail'] === '429') {
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '7', 'request-id': 'req_429' })
        return res.end('{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}')
      }
      if (req.method === 'GET') {
        res.writeHead(200, { 'content-type': 'application/json' })
        return res.end('{"data":[{"id":"claude-sonnet-4-5","type":"model"}],"has_more":false}')
      }
      let json: { stream?: boolean } = {}
      try {
        json = JSON.parse(body.toString('utf8'))
      } catch {
        res.writeHead(400, { 'content-type': 'application/json' })
        return res.end('{"type":"error","error":{"type":"invalid_request_error","message":"bad json"}}')
      }
      if (req.url!.split('?')[0].endsWith('/chat/completions')) {
        res.writeHead(200, { 'content-type': 'application/json' })
        return res.end(JSON.stringify({ id: 'c1', object: 'chat.completion', created: 1, model: 'gpt-4o', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }] }))
      }
      if (!json.stream) {
        res.writeHead(200, { 'content-type': 'application/json' })
        return res.end(JSON.stringify({ id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-test-model', content: [{ type: 'text', text: 'ok' }], stop_reason: 'end_turn', usage: { input_tokens: 10, output_tokens: 1 } }))
      }
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
      for (const [event, data] of EVENTS) {
        res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`)
        sentAt.push(Date.now())
        await new Promise((r) => setTimeout(r, gapMs))
      }
      res.end()
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return { seen, sentAt, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise<void>((r) => server.close(() => r())) }
}

async function setup(t: { teardown: (f: () => Promise<void>) => void }, extra: Record<string, string> = {}) {
  const upstream = await fakeUpstream()
  const proxy: Proxy = await startProxy(resolveConfig({ port: '0', store: 'memory', 'log-level': 'silent', 'upstream-anthropic': upstream.url, 'upstream-openai': upstream.url, ...extra }, {}))
  t.teardown(async () => {
    await proxy.close()
    await upstream.close()
  })
  return { upstream, proxy }
}

function anthropicRequest<S extends boolean>(stream: S) {
  return {
    model: 'claude-test-model',
    max_tokens: 256,
    stream,
    system: [{ type: 'text' as const, text: 'You are a helpful agent.', cache_control: { type: 'ephemeral' as const } }],
    messages: [
      { role: 'user' as const, content: 'Which API users are inactive?' },
      { role: 'assistant' as const, content: [{ type: 'tool_use' as const, id: 'toolu_01', name: 'api', input: { q: 'users' } }] },
      { role: 'user' as const, content: [{ type: 'tool_result' as const, tool_use_id: 'toolu_01', content: TOOL_OUTPUT }] },
    ],
  }
}

test('Anthropic SDK: the tool result is compressed, everything else reaches upstream unchanged, markers retrievable', async (t) => {
  const { upstream, proxy } = await setup(t)
  const client = new Anthropic({ baseURL: proxy.url, apiKey: 'sk-test', maxRetries: 0 })
  const msg = await client.messages.create({ ...anthropicRequest(false), stream: false })
  t.is(msg.content[0].type, 'text')
  const sent = JSON.parse(upstream.seen[0].body.toString('utf8'))
  const original = anthropicRequest(false)
  const compressed: string = sent.messages[2].content[0].content
  t.true(compressed.length < TOOL_OUTPUT.length / 3)
  // Outside the edited string, the same request; plus the retrieve tool.
  t.deepEqual(sent.system, original.system)
  t.deepEqual(sent.messages.slice(0, 2), original.messages.slice(0, 2))
  t.deepEqual(
    sent.tools.map((x: { name: string }) => x.name),
    ['headroom_retrieve'],
  )
  t.is(upstream.seen[0].headers.authorization, 'Bearer sk-test', 'the client credentials go upstream as sent')
  // Every marker resolves through the proxy's retrieve endpoint to the byte-exact original.
  const hashes = findMarkers(compressed)
  t.true(hashes.length > 0)
  for (const h of hashes) {
    const r = await fetch(`${proxy.url}/v1/retrieve/${h}`)
    t.is(r.status, 200)
    t.is(await r.text(), TOOL_OUTPUT)
  }
  t.is(proxy.stats.compressed, 1)
  t.true(proxy.stats.tokensAfter < proxy.stats.tokensBefore)
})

test('streaming stays streaming: events reach the SDK as upstream sends them', async (t) => {
  const { upstream, proxy } = await setup(t)
  const client = new Anthropic({ baseURL: proxy.url, apiKey: 'sk-test', maxRetries: 0 })
  const stream = await client.messages.create(anthropicRequest(true))
  const receivedAt: number[] = []
  const types: string[] = []
  let text = ''
  for await (const ev of stream) {
    receivedAt.push(Date.now())
    types.push(ev.type)
    if (ev.type === 'content_block_delta' && ev.delta.type === 'text_delta') text += ev.delta.text
  }
  t.is(text, 'Two users are inactive.')
  t.deepEqual(types, ['message_start', 'content_block_start', 'content_block_delta', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop'])
  // The first event arrived long before upstream sent its last one (no buffering).
  t.true(receivedAt[0] < upstream.sentAt[upstream.sentAt.length - 1] - 500, `${receivedAt[0]} vs ${upstream.sentAt.at(-1)}`)
})

/** An OpenAI chat whose last message is a large tool result. */
function chatWithToolResult(): OpenAI.Chat.ChatCompletionMessageParam[] {
  return [
    { role: 'user', content: 'Which API users are inactive?' },
    { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'api', arguments: '{}' } }] },
    { role: 'tool', tool_call_id: 'call_1', content: TOOL_OUTPUT },
  ]
}

test('OpenAI SDK: a tool message is compressed; x-headroom-* headers never reach upstream', async (t) => {
  const { upstream, proxy } = await setup(t)
  const client = new OpenAI({ baseURL: `${proxy.url}/v1`, apiKey: 'sk-openai', maxRetries: 0, defaultHeaders: { 'x-headroom-note': 'hi' } })
  const r = await client.chat.completions.create({
    model: 'gpt-4o',
    messages: chatWithToolResult(),
  })
  t.is(r.choices[0].message.content, 'ok')
  const seen = upstream.seen[0]
  t.is(seen.url, '/v1/chat/completions')
  t.is(seen.headers.authorization, 'Bearer sk-openai')
  t.false(Object.keys(seen.headers).some((h) => h.startsWith('x-headroom-')))
  const sent = JSON.parse(seen.body.toString('utf8'))
  t.true(sent.messages[2].content.length < TOOL_OUTPUT.length / 3)
  t.is(sent.tools[0].function.name, 'headroom_retrieve')
})

test('Azure OpenAI (AzureOpenAI client): deployment paths are compressed too, api-key and api-version pass through', async (t) => {
  const { upstream, proxy } = await setup(t)
  const client = new AzureOpenAI({ endpoint: proxy.url, apiKey: 'azure-key', apiVersion: '2024-10-21', deployment: 'gpt-4o-prod', maxRetries: 0 })
  const r = await client.chat.completions.create({
    model: 'gpt-4o-prod',
    messages: chatWithToolResult(),
  })
  t.is(r.choices[0].message.content, 'ok')
  const seen = upstream.seen[0]
  t.is(seen.url, '/openai/deployments/gpt-4o-prod/chat/completions?api-version=2024-10-21')
  t.is(seen.headers['api-key'], 'azure-key')
  const sent = JSON.parse(seen.body.toString('utf8'))
  t.true(sent.messages[2].content.length < TOOL_OUTPUT.length / 3, 'the tool message is compressed')
  t.is(findMarkers(sent.messages[2].content).length > 0, true)
  t.is(sent.tools[0].function.name, 'headroom_retrieve')
  // A sub-route with a body is not a completion: passed through byte for byte.
  const other = Buffer.from('{"messages":[{"role":"tool","content":"x"}]}')
  const res = await fetch(`${proxy.url}/openai/deployments/gpt-4o-prod/chat/completions/extra?api-version=1`, { method: 'POST', body: other, headers: { 'content-type': 'application/json' } })
  await res.arrayBuffer()
  t.deepEqual(upstream.seen[1].body, other)
})

test('a compressed path picks its provider\'s upstream whatever the headers; other paths follow the Anthropic headers', async (t) => {
  const anthropic = await fakeUpstream()
  const openai = await fakeUpstream()
  const proxy = await startProxy(resolveConfig({ port: '0', store: 'memory', 'log-level': 'silent', 'upstream-anthropic': anthropic.url, 'upstream-openai': openai.url }, {}))
  t.teardown(async () => {
    await proxy.close()
    await anthropic.close()
    await openai.close()
  })
  const post = (path: string, headers: Record<string, string>, body: unknown) =>
    fetch(`${proxy.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) })
  const chat = { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }
  const anthropicHeaders = { 'anthropic-version': '2023-06-01', 'x-api-key': 'sk-ant-test' }
  t.is((await post('/v1/chat/completions', anthropicHeaders, chat)).status, 200)
  t.is((await post('/v1/messages', {}, anthropicRequest(false))).status, 200)
  t.is((await fetch(`${proxy.url}/v1/models`, { headers: anthropicHeaders })).status, 200)
  t.is((await fetch(`${proxy.url}/v1/models`)).status, 200)
  t.deepEqual(
    openai.seen.map((r) => `${r.method} ${r.url}`),
    ['POST /v1/chat/completions', 'GET /v1/models'],
  )
  t.deepEqual(
    anthropic.seen.map((r) => `${r.method} ${r.url}`),
    ['POST /v1/messages', 'GET /v1/models'],
  )
})

test('x-headroom-bypass, malformed bodies and other paths go upstream byte for byte', async (t) => {
  const { upstream, proxy } = await setup(t)
  const body = JSON.stringify(anthropicRequest(false))
  const bypass = await fetch(`${proxy.url}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-headroom-bypass': '1', 'anthropic-version': '2023-06-01' }, body })
  t.is(bypass.status, 200)
  t.is(upstream.seen[0].body.toString('utf8'), body)
  t.is(upstream.seen[0].headers['x-headroom-bypass'], undefined)
  const bad = '{"model": "claude", "messages": [ {"role": "user", "content": "unterminated'
  const r = await fetch(`${proxy.url}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: bad })
  t.is(r.status, 400, 'upstream answers, not the proxy')
  t.is(upstream.seen[1].body.toString('utf8'), bad)
  const models = await fetch(`${proxy.url}/v1/models?limit=1000`, { headers: { 'x-api-key': 'k' } })
  t.is(models.status, 200)
  t.is(upstream.seen[2].url, '/v1/models?limit=1000')
  t.is(proxy.stats.bypassed, 1)
})

test('upstream errors come back unmodified (status, retry-after, body)', async (t) => {
  const { proxy } = await setup(t)
  const r = await fetch(`${proxy.url}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-test-fail': '429' }, body: JSON.stringify(anthropicRequest(false)) })
  t.is(r.status, 429)
  t.is(r.headers.get('retry-after'), '7')
  t.is(await r.text(), '{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}')
})

test('a token guards everything but /health, and is not forwarded', async (t) => {
  const { upstream, proxy } = await setup(t, { token: 's3cret' })
  t.is((await fetch(`${proxy.url}/health`)).status, 200)
  const denied = await fetch(`${proxy.url}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
  t.is(denied.status, 401)
  t.is(upstream.seen.length, 0)
  t.is((await fetch(`${proxy.url}/stats`)).status, 401)
  const client = new Anthropic({ baseURL: proxy.url, apiKey: 'sk-test', maxRetries: 0, defaultHeaders: { 'x-headroom-token': 's3cret' } })
  await client.messages.create({ ...anthropicRequest(false), stream: false })
  t.is(upstream.seen.length, 1)
  t.is(upstream.seen[0].headers['x-headroom-token'], undefined)
  const metrics = await (await fetch(`${proxy.url}/metrics`, { headers: { 'x-headroom-token': 's3cret' } })).text()
  t.regex(metrics, /headroom_requests_compressed_total 1/)
})

test('settings: flags over env over file, loopback without a token only, upstreams validated', (t) => {
  const file = path.join(fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'hr-proxy-')), 'proxy.json')
  fs.writeFileSync(file, JSON.stringify({ port: 9000, mode: 'aggressive', upstreamOpenai: 'https://openrouter.ai/api' }))
  const c = resolveConfig({ config: file }, { HEADROOM_PORT: '9100' })
  t.is(c.port, 9100)
  t.is(c.mode, 'aggressive')
  t.is(c.upstreamOpenai, 'https://openrouter.ai/api')
  t.is(c.upstreamAnthropic, 'https://api.anthropic.com')
  t.is(resolveConfig({ port: '9200' }, { HEADROOM_PORT: '9100' }).port, 9200)
  t.throws(() => resolveConfig({ host: '0.0.0.0' }, {}), { message: /needs a token/ })
  t.notThrows(() => resolveConfig({ host: '0.0.0.0', token: 't' }, {}))
  t.throws(() => resolveConfig({ 'upstream-openai': 'ftp://x' }, {}), { message: /http or https/ })
  t.throws(() => resolveConfig({ 'upstream-openai': 'https://x/?a=1' }, {}), { message: /origin plus/ })
  t.throws(() => resolveConfig({ mode: 'max' }, {}), { message: /mode/ })
})
