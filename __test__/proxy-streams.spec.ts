// Field lessons 36 and 38 through a real proxy: every Anthropic delta type relayed byte-exact
// through a turn the proxy continues after answering headroom_retrieve; mid-stream errors and
// dropped upstream connections surfaced to the client as they happened (and counted); eight
// concurrent streams with the same model and system prompt, none mixed, none queued.
import fs from 'node:fs'
import type http from 'node:http'
import path from 'node:path'
import Anthropic from '@anthropic-ai/sdk'
import test from 'ava'

import { RETRIEVE_TOOL_NAME, findMarkers } from '../index'
import { resolveConfig } from '../proxy/config'
import { type Proxy, startProxy } from '../proxy/server'
import { type Json, type Seen, scriptedUpstream } from './fake-provider'

const CORPUS = path.resolve(__dirname, '..', '..', 'shared', 'corpus')
const TOOL_OUTPUT = fs.readFileSync(path.join(CORPUS, 'headroom-generated', 'api_responses.json'), 'utf8')

async function setup(t: { teardown: (f: () => Promise<void>) => void }, reply: Parameters<typeof scriptedUpstream>[0]) {
  const upstream = await scriptedUpstream(reply)
  const proxy: Proxy = await startProxy(resolveConfig({ port: '0', store: 'memory', 'log-level': 'silent', 'upstream-anthropic': upstream.url, 'upstream-openai': upstream.url }, {}))
  t.teardown(async () => {
    await proxy.close()
    await upstream.close()
  })
  return { upstream, proxy }
}

/** A request whose tool result compresses with markers (so the retrieve tool is added). */
function markedBody(stream: boolean, question = 'Which API users are inactive?') {
  return {
    model: 'claude-sonnet-4-6',
    max_tokens: 1024,
    stream,
    thinking: { type: 'enabled', budget_tokens: 512 },
    tools: [{ name: 'bash', description: 'Run a command', input_schema: { type: 'object', properties: { command: { type: 'string' } } } }],
    messages: [
      { role: 'user', content: 'Look at the API users.' },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_01', name: 'api', input: { q: 'users' } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_01', content: TOOL_OUTPUT }] },
      { role: 'assistant', content: 'Got them.' },
      { role: 'user', content: question },
    ],
  }
}

/** A request with nothing to compress (no retrieve tool: the stream is only observed). */
function plainBody() {
  return { model: 'claude-sonnet-4-6', max_tokens: 64, stream: true, messages: [{ role: 'user', content: 'hello' }] }
}

const ev = (event: string, data: Json): [string, Json] => [event, data]
const start = (index: number, block: Json) => ev('content_block_start', { type: 'content_block_start', index, content_block: block })
const delta = (index: number, d: Json) => ev('content_block_delta', { type: 'content_block_delta', index, delta: d })
const stop = (index: number) => ev('content_block_stop', { type: 'content_block_stop', index })
const PING = ev('ping', { type: 'ping' })

/** `text` in fragments of `n` characters. */
const fragments = (text: string, n: number) => Array.from({ length: Math.ceil(text.length / n) }, (_, i) => text.slice(i * n, i * n + n))

const SIG_0 = 'EqQBCkgIARABGAIiQLa0ZpV6eS0m5m3r1+zH0yq2vZ0sQmV8u7R4nXb9kWQ2cT1gJd3bH5aLq8yP0o/=='
const SIG_1 = 'ErUBCkYIBRgCIkBv9m0wWm1n5xRk7qT3yU2pLs8dN4eJ0aZ6cH1gV5bF7rQ2wE9tY3uI8oP4sD6fG0hJ=='
const CITATION = { type: 'char_location', cited_text: 'users with status "inactive"', document_index: 0, document_title: 'API guide 📘', start_char_index: 12, end_char_index: 40 }
const BASH_INPUT = { command: 'grep -rn "inactive" src/ | head -50', description: 'Find the filter — 查找' }

/** Round 0: thinking, cited text, a ping, then a headroom_retrieve call in 3-character fragments. */
function round0(hash: string): [string, Json][] {
  return [
    ev('message_start', { type: 'message_start', message: { id: 'msg_0', type: 'message', role: 'assistant', model: 'claude-sonnet-4-6', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 100, cache_read_input_tokens: 40, output_tokens: 1 } } }),
    start(0, { type: 'thinking', thinking: '', signature: '' }),
    ...fragments('Some rows were left out; I need them — 全部.', 7).map((f) => delta(0, { type: 'thinking_delta', thinking: f })),
    delta(0, { type: 'signature_delta', signature: SIG_0 }),
    stop(0),
    start(1, { type: 'text', text: '', citations: [] }),
    delta(1, { type: 'citations_delta', citation: CITATION }),
    ...fragments('The guide defines inactive users 🙂. ', 5).map((f) => delta(1, { type: 'text_delta', text: f })),
    stop(1),
    PING,
    start(2, { type: 'tool_use', id: 'toolu_r1', name: RETRIEVE_TOOL_NAME, input: {} }),
    ...fragments(JSON.stringify({ hash }), 3).map((f) => delta(2, { type: 'input_json_delta', partial_json: f })),
    stop(2),
    ev('message_delta', { type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 30 } }),
    ev('message_stop', { type: 'message_stop' }),
    PING,
  ]
}

/** Round 1 (the continuation): thinking, text, a client tool call in 2-character fragments, a ping after the end. */
function round1(): [string, Json][] {
  return [
    ev('message_start', { type: 'message_start', message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-sonnet-4-6', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 200, cache_read_input_tokens: 90, output_tokens: 1 } } }),
    start(0, { type: 'thinking', thinking: '', signature: '' }),
    delta(0, { type: 'thinking_delta', thinking: 'Two rows are inactive; check the code.' }),
    delta(0, { type: 'signature_delta', signature: SIG_1 }),
    stop(0),
    start(1, { type: 'text', text: '' }),
    ...fragments('Two users are inactive. Now the filter:', 6).map((f) => delta(1, { type: 'text_delta', text: f })),
    stop(1),
    start(2, { type: 'tool_use', id: 'toolu_b1', name: 'bash', input: {} }),
    ...fragments(JSON.stringify(BASH_INPUT), 2).map((f) => delta(2, { type: 'input_json_delta', partial_json: f })),
    stop(2),
    ev('message_delta', { type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 40 } }),
    ev('message_stop', { type: 'message_stop' }),
    PING,
  ]
}

function writeEvents(res: http.ServerResponse, events: [string, Json][]) {
  for (const [event, data] of events) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`)
}

/** The retrieve hash of the first marker in a received body's messages. */
function hashIn(seen: Seen): string {
  const hashes = findMarkers(JSON.stringify(seen.json.messages))
  if (!hashes.length) throw new Error('no marker in the upstream body')
  return hashes[0]
}

/** Parses an SSE text into [event, data] pairs. */
function parseSse(text: string): [string, Json][] {
  return text
    .split('\n\n')
    .filter((e) => e.trim())
    .map((e) => {
      const event = /^event: (.*)$/m.exec(e)?.[1] ?? ''
      const data = e
        .split('\n')
        .filter((l) => l.startsWith('data: '))
        .map((l) => l.slice(6))
        .join('\n')
      return [event, JSON.parse(data) as Json]
    })
}

async function postRaw(proxy: Proxy, body: Json) {
  return fetch(`${proxy.url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-api-key': 'k' },
    body: JSON.stringify(body),
  })
}

/** Reads a response body to its end; `cut` says whether it broke off instead of ending cleanly. */
async function readAll(r: Response): Promise<{ text: string; cut: boolean }> {
  const reader = r.body!.getReader()
  const decoder = new TextDecoder()
  let text = ''
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return { text, cut: false }
      text += decoder.decode(value, { stream: true })
    }
  } catch {
    return { text, cut: true }
  }
}

test('lesson 36: every delta type through a retrieval relay: byte-exact payloads, indices renumbered, no trace of the retrieve call', async (t) => {
  const { upstream, proxy } = await setup(t, (seen, _n, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    const continuation = (seen.json.messages as Json[]).at(-1)?.content?.[0]?.tool_use_id === 'toolu_r1'
    writeEvents(res, continuation ? round1() : round0(hashIn(seen)))
    res.end()
  })
  const r = await postRaw(proxy, markedBody(true))
  t.is(r.status, 200)
  const { text, cut } = await readAll(r)
  t.false(cut, 'a clean end')
  t.is(upstream.seen.length, 2, 'the proxy continued the turn after answering the retrieve call')
  t.true(upstream.seen[0].json.tools.some((x: Json) => x.name === RETRIEVE_TOOL_NAME))
  t.false(text.includes(RETRIEVE_TOOL_NAME), 'no trace of the retrieve call')
  t.false(text.includes('toolu_r1'))

  // What the client must see: round 0 up to its last block before the retrieve call (the
  // ping between blocks included), then round 1 after its message_start, its block indices
  // moved on by the two blocks already sent, and the final usage adding both rounds up.
  const r0 = round0(hashIn(upstream.seen[0]))
  const expected: [string, Json][] = [
    ...r0.filter(([, d]) => d.index !== 2).slice(0, r0.findIndex(([e]) => e === 'message_delta') - (r0.filter(([, d]) => d.index === 2).length)),
    ...round1()
      .slice(1)
      .map(([e, d]): [string, Json] => [e, typeof d.index === 'number' ? { ...d, index: d.index + 2 } : d]),
  ]
  const got = parseSse(text)
  const usage = got.find(([e]) => e === 'message_delta')?.[1].usage
  t.deepEqual(usage, { input_tokens: 300, cache_read_input_tokens: 130, output_tokens: 70 }, 'usage of both rounds added up')
  t.deepEqual(
    got.map(([e, d]) => [e, e === 'message_delta' ? { ...d, usage: undefined } : d]),
    expected.map(([e, d]) => [e, e === 'message_delta' ? { ...d, usage: undefined } : d]),
    'every event JSON-equal, in order, indices renumbered',
  )
  // input_json_delta of the client's tool call stays in its many small fragments.
  const jsonDeltas = got.filter(([, d]) => d.delta?.type === 'input_json_delta')
  t.is(jsonDeltas.length, fragments(JSON.stringify(BASH_INPUT), 2).length)
  t.deepEqual(JSON.parse(jsonDeltas.map(([, d]) => d.delta.partial_json).join('')), BASH_INPUT)

  // The continuation carried the model's turn as the provider needs it back: thinking with
  // its signature byte-exact, the text with its citation, then the answered call.
  const turn = (upstream.seen[1].json.messages as Json[]).at(-2)!
  t.deepEqual(turn.content.slice(0, 2), [
    { type: 'thinking', thinking: 'Some rows were left out; I need them — 全部.', signature: SIG_0 },
    { type: 'text', text: 'The guide defines inactive users 🙂. ', citations: [CITATION] },
  ])
  t.is(upstream.seen[1].json.messages.at(-1).content[0].content, TOOL_OUTPUT)

  // The real SDK reads it as one coherent message.
  const client = new Anthropic({ baseURL: proxy.url, apiKey: 'sk-test', maxRetries: 0 })
  const stream = client.messages.stream(markedBody(true) as unknown as Anthropic.MessageStreamParams)
  const partials: string[] = []
  stream.on('inputJson', (partial) => partials.push(partial))
  const msg = await stream.finalMessage()
  t.deepEqual(
    msg.content.map((b) => b.type),
    ['thinking', 'text', 'thinking', 'text', 'tool_use'],
  )
  t.is((msg.content[0] as Anthropic.ThinkingBlock).signature, SIG_0)
  t.is((msg.content[2] as Anthropic.ThinkingBlock).signature, SIG_1)
  t.deepEqual((msg.content[1] as Anthropic.TextBlock).citations, [CITATION] as unknown as Anthropic.TextCitation[])
  t.deepEqual((msg.content[4] as Anthropic.ToolUseBlock).input, BASH_INPUT)
  t.true(partials.length > 10, 'the SDK saw the client tool input arrive incrementally')
  t.is(msg.id, 'msg_0')
  t.is(msg.stop_reason, 'tool_use')
  t.is(proxy.stats.retrieval.calls, 2)
  t.is(proxy.stats.truncatedStreams, 0)
})

/** Upstream: message_start, some text, then `end` (an error event, or a dropped connection). */
function brokenStream(end: 'error' | 'drop') {
  return (_seen: Seen, _n: number, res: http.ServerResponse) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    writeEvents(res, [
      ev('message_start', { type: 'message_start', message: { id: 'msg_e', type: 'message', role: 'assistant', model: 'claude-sonnet-4-6', content: [], stop_reason: null, usage: { input_tokens: 10, output_tokens: 1 } } }),
      start(0, { type: 'text', text: '' }),
      delta(0, { type: 'text_delta', text: 'Partial answer' }),
    ])
    if (end === 'error') {
      writeEvents(res, [ev('error', { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } })])
      res.end()
    } else setTimeout(() => res.socket!.destroy(), 20)
  }
}

for (const [label, body] of [
  ['observed stream', plainBody()],
  ['retrieval relay', markedBody(true)],
] as const) {
  test(`lesson 36, ${label}: a mid-stream error event reaches the client as it came and is counted`, async (t) => {
    const { upstream, proxy } = await setup(t, brokenStream('error'))
    const r = await postRaw(proxy, body)
    const { text, cut } = await readAll(r)
    t.false(cut, 'upstream ended its stream after the error: so does the proxy')
    t.is(upstream.seen[0].json.tools?.some((x: Json) => x.name === RETRIEVE_TOOL_NAME) ?? false, label === 'retrieval relay')
    const got = parseSse(text)
    t.deepEqual(got.at(-1), ['error', { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }], 'the error event, last')
    t.true(text.includes('Partial answer'), 'what came before it too')
    const client = new Anthropic({ baseURL: proxy.url, apiKey: 'sk-test', maxRetries: 0 })
    const err = await t.throwsAsync(client.messages.stream(body as unknown as Anthropic.MessageStreamParams).finalMessage())
    t.regex(String(err?.message), /Overloaded/, 'the SDK surfaces the provider error')
    const stats = (await (await fetch(`${proxy.url}/stats`)).json()) as Json
    t.is(stats.streamErrors, 2, 'counted as failures')
    t.is(stats.truncatedStreams, 0, 'not as truncations')
  })

  test(`lesson 36, ${label}: a dropped upstream connection reaches the client as a truncated stream and is counted`, async (t) => {
    const { proxy } = await setup(t, brokenStream('drop'))
    const r = await postRaw(proxy, body)
    t.is(r.status, 200)
    const { text, cut } = await readAll(r)
    t.true(text.includes('Partial answer'), 'what came before the drop was relayed')
    t.true(cut, 'the client does not see a clean end')
    t.false(text.includes('message_stop'))
    const client = new Anthropic({ baseURL: proxy.url, apiKey: 'sk-test', maxRetries: 0 })
    await t.throwsAsync(client.messages.stream(body as unknown as Anthropic.MessageStreamParams).finalMessage())
    const stats = (await (await fetch(`${proxy.url}/stats`)).json()) as Json
    t.is(stats.truncatedStreams, 2)
    t.is(stats.streamErrors, 0)
  })
}

for (const shared of [false, true]) {
  test(`lesson 38: 8 concurrent streams, same model and system prompt, different user text${shared ? ', one session header' : ''}: all in flight at once, none mixed`, async (t) => {
    const N = 8
    let inFlight = 0
    let maxInFlight = 0
    let release!: () => void
    const allArrived = new Promise<void>((r) => (release = r))
    const timeout = setTimeout(() => release(), 5000)
    t.teardown(() => clearTimeout(timeout))
    const { upstream, proxy } = await setup(t, async (seen, _n, res) => {
      inFlight++
      maxInFlight = Math.max(maxInFlight, inFlight)
      if (inFlight === N) release()
      const question = String((seen.json.messages as Json[]).at(-1)!.content)
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      writeEvents(res, [ev('message_start', { type: 'message_start', message: { id: `msg_${question.slice(5, 7)}`, type: 'message', role: 'assistant', model: seen.json.model, content: [], stop_reason: null, usage: { input_tokens: 10, output_tokens: 1 } } }), start(0, { type: 'text', text: '' })])
      // Held until every request is in flight (a proxy that queued them would never get here
      // before the timeout), then answered slowly, word by word.
      await allArrived
      for (const word of `Answer to ${question}`.split(/(?<= )/)) {
        writeEvents(res, [delta(0, { type: 'text_delta', text: word })])
        await new Promise((r) => setTimeout(r, 15))
      }
      writeEvents(res, [stop(0), ev('message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 9 } }), ev('message_stop', { type: 'message_stop' })])
      inFlight--
      res.end()
    })
    // The proxy queues nothing, not even requests naming one session.
    const client = new Anthropic({ baseURL: proxy.url, apiKey: 'sk-test', maxRetries: 0, defaultHeaders: shared ? { 'x-claude-code-session-id': 'sess-shared' } : {} })
    const system = 'You are a helpful assistant. Answer briefly.'
    const results = await Promise.all(
      Array.from({ length: N }, async (_, i) => {
        const question = `Task ${String(i).padStart(2, '0')}: what is ${i} squared, in words ${'abcdefgh'[i].repeat(i + 1)}?`
        // Identical history before the question (same conversation hash) with a big tool result.
        const base = markedBody(true, question)
        const stream = client.messages.stream({ ...base, system } as unknown as Anthropic.MessageStreamParams)
        const types: string[] = []
        stream.on('streamEvent', (e) => types.push(e.type))
        const msg = await stream.finalMessage()
        return { question, msg, types }
      }),
    )
    t.is(maxInFlight, N, 'the upstream saw all 8 requests in flight at once')
    t.is(upstream.seen.length, N)
    for (const { question, msg, types } of results) {
      t.is((msg.content[0] as Anthropic.TextBlock).text, `Answer to ${question}`, 'each client got its own answer, whole')
      t.is(msg.id, `msg_${question.slice(5, 7)}`)
      t.is(types[0], 'message_start')
      t.is(types.at(-1), 'message_stop')
      t.is(types.filter((x) => x === 'message_start').length, 1)
    }
    t.is(proxy.stats.truncatedStreams, 0)
  })
}

test('lesson 36, OpenAI Chat and Responses: a mid-stream error is relayed as it came, the stream ends cleanly, and it is counted', async (t) => {
  const chatError = 'data: {"error":{"message":"The server had an error","type":"server_error","code":null}}\n\n'
  const respError = `event: error\ndata: ${JSON.stringify({ type: 'error', sequence_number: 2, code: 'server_error', message: 'The server had an error', param: null })}\n\n`
  const { proxy } = await setup(t, (seen, _n, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    if (seen.url.includes('chat')) {
      res.write(`data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o', choices: [{ index: 0, delta: { role: 'assistant', content: 'Part' }, finish_reason: null }] })}\n\n`)
      res.end(chatError)
    } else {
      res.write(`event: response.created\ndata: ${JSON.stringify({ type: 'response.created', sequence_number: 0, response: { id: 'resp_1', status: 'in_progress', output: [] } })}\n\n`)
      res.write(`event: response.output_text.delta\ndata: ${JSON.stringify({ type: 'response.output_text.delta', sequence_number: 1, item_id: 'm', output_index: 0, content_index: 0, delta: 'Part' })}\n\n`)
      res.end(respError)
    }
  })
  for (const [route, body, tail] of [
    ['chat/completions', { model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'hi' }] }, chatError],
    ['responses', { model: 'gpt-4o', stream: true, input: 'hi' }, respError],
  ] as const) {
    const r = await fetch(`${proxy.url}/v1/${route}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer k' }, body: JSON.stringify(body) })
    const { text, cut } = await readAll(r)
    t.false(cut, `${route}: a clean end after the error`)
    t.true(text.endsWith(tail), `${route}: the error event byte for byte, last`)
  }
  t.is(proxy.stats.streamErrors, 2)
  t.is(proxy.stats.truncatedStreams, 0)
})
