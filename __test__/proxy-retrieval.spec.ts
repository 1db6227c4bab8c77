// The proxy answers the model's headroom_retrieve calls itself, streaming or not, with the
// real Anthropic and OpenAI SDKs as clients and a scripted fake upstream that calls the tool
// with the hash it finds in the body it received.
import fs from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import Anthropic from '@anthropic-ai/sdk'
import test from 'ava'
import OpenAI from 'openai'

import { findMarkers } from '../index'
import { resolveConfig } from '../proxy/config'
import { DEFERRED_RESULT } from '../proxy/retrieval'
import { type Proxy, startProxy } from '../proxy/server'
import { type Json, type Seen, scriptedUpstream } from './fake-provider'

const CORPUS = path.resolve(__dirname, '..', '..', 'shared', 'corpus')
const TOOL_OUTPUT = fs.readFileSync(path.join(CORPUS, 'headroom-generated', 'api_responses.json'), 'utf8')

async function setup(t: { teardown: (f: () => Promise<void>) => void }, reply: Parameters<typeof scriptedUpstream>[0], extra: Record<string, string> = {}) {
  const upstream = await scriptedUpstream(reply)
  const proxy: Proxy = await startProxy(resolveConfig({ port: '0', store: 'memory', 'log-level': 'silent', 'upstream-anthropic': upstream.url, 'upstream-openai': upstream.url, ...extra }, {}))
  t.teardown(async () => {
    await proxy.close()
    await upstream.close()
  })
  return { upstream, proxy }
}

/** The retrieve hash of the first marker in a received body's conversation (not the tool's description). */
function hashIn(seen: Seen): string {
  const hashes = findMarkers(JSON.stringify(seen.json.messages ?? seen.json.input))
  if (!hashes.length) throw new Error('no marker in the upstream body')
  return hashes[0]
}

/** Whether a received Anthropic body is a continuation (ends with our retrieve results). */
function isContinuation(json: Json): boolean {
  const last = json.messages?.[json.messages.length - 1]
  return Array.isArray(last?.content) && last.content.some((b: Json) => b.type === 'tool_result' && String(b.tool_use_id).startsWith('toolu_r'))
}

function anthropicSse(res: http.ServerResponse, msg: Json, pauseAfterFirstText?: Promise<void>) {
  return (async () => {
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    const send = (event: string, data: Json) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`)
    send('message_start', { type: 'message_start', message: { ...msg, content: [], stop_reason: null, usage: { input_tokens: msg.usage.input_tokens, output_tokens: 1 } } })
    let paused = false
    for (const [i, b] of (msg.content as Json[]).entries()) {
      if (b.type === 'text') {
        send('content_block_start', { type: 'content_block_start', index: i, content_block: { type: 'text', text: '' } })
        const half = Math.ceil(b.text.length / 2)
        for (const part of [b.text.slice(0, half), b.text.slice(half)]) {
          send('content_block_delta', { type: 'content_block_delta', index: i, delta: { type: 'text_delta', text: part } })
          if (pauseAfterFirstText && !paused) {
            paused = true
            await pauseAfterFirstText
          }
        }
      } else {
        send('content_block_start', { type: 'content_block_start', index: i, content_block: { ...b, input: {} } })
        const json = JSON.stringify(b.input)
        send('content_block_delta', { type: 'content_block_delta', index: i, delta: { type: 'input_json_delta', partial_json: json.slice(0, 5) } })
        send('content_block_delta', { type: 'content_block_delta', index: i, delta: { type: 'input_json_delta', partial_json: json.slice(5) } })
      }
      send('content_block_stop', { type: 'content_block_stop', index: i })
    }
    send('message_delta', { type: 'message_delta', delta: { stop_reason: msg.stop_reason, stop_sequence: null }, usage: { output_tokens: msg.usage.output_tokens } })
    send('message_stop', { type: 'message_stop' })
    res.end()
  })()
}

/** Round 0 calls headroom_retrieve (and bash when `mixed`); the continuation answers. */
function anthropicScript(opts: { mixed?: boolean; gate?: Promise<void>; failContinuation?: boolean }) {
  return async (seen: Seen, _n: number, res: http.ServerResponse) => {
    const stream = seen.json.stream === true
    let msg: Json
    if (!isContinuation(seen.json)) {
      const content: Json[] = [
        { type: 'text', text: 'Let me look at the rows left out.' },
        { type: 'tool_use', id: 'toolu_r1', name: 'headroom_retrieve', input: { hash: hashIn(seen) } },
      ]
      if (opts.mixed) content.push({ type: 'tool_use', id: 'toolu_b1', name: 'bash', input: { command: 'ls' } })
      msg = { id: 'msg_a', type: 'message', role: 'assistant', model: 'claude-test', content, stop_reason: 'tool_use', usage: { input_tokens: 100, output_tokens: 7 } }
    } else {
      if (opts.failContinuation) {
        res.writeHead(529, { 'content-type': 'application/json' })
        return void res.end('{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}')
      }
      const content: Json[] = [{ type: 'text', text: 'Two users are inactive.' }]
      if (opts.mixed) content.push({ type: 'tool_use', id: 'toolu_b2', name: 'bash', input: { command: 'ls' } })
      msg = { id: 'msg_b', type: 'message', role: 'assistant', model: 'claude-test', content, stop_reason: opts.mixed ? 'tool_use' : 'end_turn', usage: { input_tokens: 200, output_tokens: 9 } }
    }
    if (stream) return anthropicSse(res, msg, isContinuation(seen.json) ? undefined : opts.gate)
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify(msg))
  }
}

/** A request whose tool result compresses with markers; `messages` last, so the body ends with it. */
function anthropicBody(stream: boolean) {
  return {
    model: 'claude-sonnet-4-6',
    max_tokens: 256,
    stream,
    tools: [{ name: 'bash', description: 'Run a command', input_schema: { type: 'object' as const, properties: { command: { type: 'string' } } } }],
    messages: [
      { role: 'user' as const, content: 'Which API users are inactive?' },
      { role: 'assistant' as const, content: [{ type: 'tool_use' as const, id: 'toolu_01', name: 'api', input: { q: 'users' } }] },
      { role: 'user' as const, content: [{ type: 'tool_result' as const, tool_use_id: 'toolu_01', content: TOOL_OUTPUT }] },
    ],
  }
}

/** Checks the continuation the upstream received: the first body's bytes, then the turn and the original. */
function checkContinuation(t: { true: (v: boolean, m?: string) => void; is: (a: unknown, b: unknown, m?: string) => void }, first: Seen, second: Seen) {
  const a = first.body.toString('utf8')
  const b = second.body.toString('utf8')
  const close = a.lastIndexOf(']')
  t.true(b.startsWith(a.slice(0, close)), 'the continuation keeps every byte of the request it continues')
  const results = second.json.messages[second.json.messages.length - 1].content as Json[]
  const answer = results.find((r) => r.tool_use_id === 'toolu_r1')!
  t.is(answer.content, TOOL_OUTPUT, 'the retrieve result is the byte-exact original')
  const turn = second.json.messages[second.json.messages.length - 2]
  t.is(turn.role, 'assistant')
  t.true(turn.content.some((c: Json) => c.type === 'tool_use' && c.name === 'headroom_retrieve' && typeof c.input.hash === 'string'))
}

test('Anthropic, not streamed: the retrieve call is answered upstream and never reaches the client', async (t) => {
  const { upstream, proxy } = await setup(t, anthropicScript({}))
  const client = new Anthropic({ baseURL: proxy.url, apiKey: 'sk-test', maxRetries: 0 })
  const msg = await client.messages.create(anthropicBody(false) as Anthropic.MessageCreateParamsNonStreaming)
  t.is(upstream.seen.length, 2)
  checkContinuation(t, upstream.seen[0], upstream.seen[1])
  t.deepEqual(
    msg.content.map((c) => c.type),
    ['text', 'text'],
  )
  t.is((msg.content[1] as Anthropic.TextBlock).text, 'Two users are inactive.')
  t.is(msg.stop_reason, 'end_turn')
  t.is(msg.id, 'msg_a')
  t.is(msg.usage.input_tokens, 300, 'usage adds up both upstream calls')
  t.is(msg.usage.output_tokens, 16)
  t.is(proxy.stats.retrieval.calls, 1)
  t.is(proxy.stats.billed.input, 300)
})

test('Anthropic, streamed: text streams before the turn ends, the continuation is spliced into one coherent stream', async (t) => {
  let open!: () => void
  const gate = new Promise<void>((r) => (open = r))
  const { upstream, proxy } = await setup(t, anthropicScript({ gate }))
  const client = new Anthropic({ baseURL: proxy.url, apiKey: 'sk-test', maxRetries: 0 })
  const stream = client.messages.stream(anthropicBody(true) as Anthropic.MessageStreamParams)
  const events: string[] = []
  // The upstream holds the rest of its answer until the client has seen the first text: a
  // proxy that buffered the stream would never get here.
  stream.on('text', () => open())
  stream.on('streamEvent', (e) => events.push(e.type === 'content_block_start' ? `start:${e.index}:${e.content_block.type}` : e.type))
  const msg = await stream.finalMessage()
  t.is(upstream.seen.length, 2)
  checkContinuation(t, upstream.seen[0], upstream.seen[1])
  t.deepEqual(
    msg.content.map((c) => (c.type === 'text' ? c.text : c.type)),
    ['Let me look at the rows left out.', 'Two users are inactive.'],
  )
  t.is(msg.stop_reason, 'end_turn')
  t.is(msg.usage.output_tokens, 16)
  t.is(events.filter((e) => e === 'message_start').length, 1)
  t.is(events.filter((e) => e === 'message_stop').length, 1)
  t.deepEqual(
    events.filter((e) => e.startsWith('start:')),
    ['start:0:text', 'start:1:text'],
    'block indices run on without gaps',
  )
  t.is(proxy.stats.retrieval.calls, 1)
})

test('Anthropic, streamed, raw: no headroom_retrieve byte reaches the client', async (t) => {
  const { proxy } = await setup(t, anthropicScript({}))
  const r = await fetch(`${proxy.url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-api-key': 'k' },
    body: JSON.stringify(anthropicBody(true)),
  })
  const text = await r.text()
  t.is(r.status, 200)
  t.false(text.includes('headroom_retrieve'))
  t.false(text.includes('tool_use'))
  t.regex(text, /"stop_reason":"end_turn"/)
})

test('Anthropic, mixed calls: the client tool is deferred, re-issued in the continued turn, and reaches the client', async (t) => {
  for (const stream of [false, true]) {
    const { upstream, proxy } = await setup(t, anthropicScript({ mixed: true }))
    const client = new Anthropic({ baseURL: proxy.url, apiKey: 'sk-test', maxRetries: 0 })
    const msg = stream
      ? await client.messages.stream(anthropicBody(true) as Anthropic.MessageStreamParams).finalMessage()
      : await client.messages.create(anthropicBody(false) as Anthropic.MessageCreateParamsNonStreaming)
    const results = upstream.seen[1].json.messages.at(-1).content as Json[]
    t.deepEqual(
      results.map((r) => [r.tool_use_id, r.is_error === true]),
      [
        ['toolu_r1', false],
        ['toolu_b1', true],
      ],
    )
    t.is(results[1].content, DEFERRED_RESULT)
    const calls = msg.content.filter((c) => c.type === 'tool_use') as Anthropic.ToolUseBlock[]
    t.deepEqual(
      calls.map((c) => [c.id, c.name, c.input]),
      [['toolu_b2', 'bash', { command: 'ls' }]],
      `the client sees only its own tool (${stream ? 'streamed' : 'not streamed'})`,
    )
    t.is(msg.stop_reason, 'tool_use')
  }
})

test('Anthropic, streamed: an upstream error on the continuation reaches the client as an error event', async (t) => {
  const { proxy } = await setup(t, anthropicScript({ failContinuation: true }))
  const client = new Anthropic({ baseURL: proxy.url, apiKey: 'sk-test', maxRetries: 0 })
  const stream = client.messages.stream(anthropicBody(true) as Anthropic.MessageStreamParams)
  const err = await t.throwsAsync(stream.finalMessage())
  t.regex(String(err?.message), /Overloaded/)
})

// ---------------------------------------------------------------------------------------
// OpenAI Chat Completions
// ---------------------------------------------------------------------------------------

function chatScript() {
  return async (seen: Seen, _n: number, res: http.ServerResponse) => {
    const messages = seen.json.messages as Json[]
    const continuation = messages.at(-1)?.role === 'tool' && messages.at(-1)?.tool_call_id === 'call_r1'
    const base = { id: continuation ? 'chatcmpl-2' : 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o' }
    const usage = continuation ? { prompt_tokens: 220, completion_tokens: 6, total_tokens: 226 } : { prompt_tokens: 120, completion_tokens: 9, total_tokens: 129 }
    if (!seen.json.stream) {
      const message = continuation
        ? { role: 'assistant', content: 'Two users are inactive.' }
        : { role: 'assistant', content: 'Checking.', tool_calls: [{ id: 'call_r1', type: 'function', function: { name: 'headroom_retrieve', arguments: JSON.stringify({ hash: hashIn(seen) }) } }] }
      res.writeHead(200, { 'content-type': 'application/json' })
      return void res.end(JSON.stringify({ ...base, object: 'chat.completion', choices: [{ index: 0, message, finish_reason: continuation ? 'stop' : 'tool_calls' }], usage }))
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    const send = (choices: Json[], extra: Json = {}) => res.write(`data: ${JSON.stringify({ ...base, choices, ...extra })}\n\n`)
    send([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }])
    if (continuation) {
      send([{ index: 0, delta: { content: 'Two users ' }, finish_reason: null }])
      send([{ index: 0, delta: { content: 'are inactive.' }, finish_reason: null }])
      send([{ index: 0, delta: {}, finish_reason: 'stop' }])
    } else {
      send([{ index: 0, delta: { content: 'Checking.' }, finish_reason: null }])
      const args = JSON.stringify({ hash: hashIn(seen) })
      send([{ index: 0, delta: { tool_calls: [{ index: 0, id: 'call_r1', type: 'function', function: { name: 'headroom_retrieve', arguments: '' } }] }, finish_reason: null }])
      send([{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: args.slice(0, 4) } }] }, finish_reason: null }])
      send([{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: args.slice(4) } }] }, finish_reason: null }])
      send([{ index: 0, delta: {}, finish_reason: 'tool_calls' }])
    }
    if (seen.json.stream_options?.include_usage) send([], { usage })
    res.write('data: [DONE]\n\n')
    res.end()
  }
}

function chatBody() {
  return {
    model: 'gpt-4o',
    tools: [{ type: 'function' as const, function: { name: 'api', parameters: { type: 'object', properties: {} } } }],
    messages: [
      { role: 'user' as const, content: 'Which API users are inactive?' },
      { role: 'assistant' as const, content: null, tool_calls: [{ id: 'call_01', type: 'function' as const, function: { name: 'api', arguments: '{}' } }] },
      { role: 'tool' as const, tool_call_id: 'call_01', content: TOOL_OUTPUT },
    ],
  }
}

test('OpenAI Chat, streamed and not: retrieve calls answered inside the proxy, usage summed', async (t) => {
  const { upstream, proxy } = await setup(t, chatScript())
  const client = new OpenAI({ baseURL: `${proxy.url}/v1`, apiKey: 'sk-test', maxRetries: 0 })
  const done = await client.chat.completions.create(chatBody())
  t.is(done.choices[0].message.content, 'Checking.\n\nTwo users are inactive.')
  t.is(done.choices[0].message.tool_calls, undefined)
  t.is(done.choices[0].finish_reason, 'stop')
  t.is(done.usage?.prompt_tokens, 340)
  const second = upstream.seen[1].json.messages as Json[]
  t.is(second.at(-1)!.content, TOOL_OUTPUT)

  const stream = client.chat.completions.stream({ ...chatBody(), stream_options: { include_usage: true } })
  const final = await stream.finalChatCompletion()
  t.is(final.choices[0].message.content, 'Checking.Two users are inactive.')
  t.deepEqual(final.choices[0].message.tool_calls ?? [], [])
  t.is(final.choices[0].finish_reason, 'stop')
  t.is(final.id, 'chatcmpl-1', 'one id for the whole turn')
  t.is(final.usage?.completion_tokens, 15)
  t.is(upstream.seen.length, 4)
  t.is(proxy.stats.retrieval.calls, 2)
})

// ---------------------------------------------------------------------------------------
// Sessions, stabilisation, stats
// ---------------------------------------------------------------------------------------

const okAnthropic = (_s: Seen, _n: number, res: http.ServerResponse) => {
  res.writeHead(200, { 'content-type': 'application/json' })
  res.end(JSON.stringify({ id: 'msg', type: 'message', role: 'assistant', model: 'claude-test', content: [{ type: 'text', text: 'ok' }], stop_reason: 'end_turn', usage: { input_tokens: 50, cache_read_input_tokens: 1000, cache_creation_input_tokens: 20, output_tokens: 3 } }))
}

async function post(proxy: Proxy, body: Json, headers: Record<string, string> = {}) {
  const r = await fetch(`${proxy.url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-api-key': 'k', ...headers },
    body: JSON.stringify(body),
  })
  return r.json() as Promise<Json>
}

const toolNames = (s: Seen) => (s.json.tools ?? []).map((x: Json) => x.name)

test('sessions: once a session had markers, the retrieve tool stays in its tool list', async (t) => {
  const { upstream, proxy } = await setup(t, okAnthropic)
  const session = { 'x-claude-code-session-id': 'sess-1' }
  const small = { model: 'claude-sonnet-4-6', max_tokens: 10, messages: [{ role: 'user', content: 'hello' }] }
  await post(proxy, small, session)
  t.deepEqual(toolNames(upstream.seen[0]), [], 'no markers yet: no tool')
  await post(proxy, anthropicBody(false), session)
  t.deepEqual(toolNames(upstream.seen[1]), ['bash', 'headroom_retrieve'])
  // A later request of the session without markers (e.g. after the client compacted its
  // history) keeps the tool; another session does not get it.
  await post(proxy, { ...small, messages: [{ role: 'user', content: 'summary of earlier work' }] }, session)
  t.deepEqual(toolNames(upstream.seen[2]), ['headroom_retrieve'])
  await post(proxy, small, { 'x-claude-code-session-id': 'sess-2' })
  t.deepEqual(toolNames(upstream.seen[3]), [])
  // Without a session header the conversation (its first message) names the session.
  const history = anthropicBody(false)
  await post(proxy, { ...history, messages: history.messages.slice(0, 1) })
  t.deepEqual(toolNames(upstream.seen[4]), ['bash', 'headroom_retrieve'], 'same first message as the request that had markers')
  t.true(proxy.stats.stickySessions >= 0)
})

test('stabilize: the tool is there from the first request, OpenAI gets a prompt_cache_key; volatile system text is reported', async (t) => {
  const { upstream, proxy } = await setup(t, (s, n, res) => {
    if (s.url.includes('chat')) {
      res.writeHead(200, { 'content-type': 'application/json' })
      return void res.end(JSON.stringify({ id: 'c', object: 'chat.completion', created: 1, model: 'gpt-4o', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }], usage: { prompt_tokens: 10, completion_tokens: 1, total_tokens: 11, prompt_tokens_details: { cached_tokens: 4 } } }))
    }
    okAnthropic(s, n, res)
  }, { stabilize: 'true' })
  const small = { model: 'claude-sonnet-4-6', max_tokens: 10, system: 'Current time: 2026-11-21T09:15:02Z', messages: [{ role: 'user', content: 'hello' }] }
  await post(proxy, small)
  t.deepEqual(toolNames(upstream.seen[0]), ['headroom_retrieve'])
  t.is(upstream.seen[0].body.toString('utf8').replace(/,"tools":\[.*\]\}$/, '}'), JSON.stringify(small), 'only the tool was added')
  const client = new OpenAI({ baseURL: `${proxy.url}/v1`, apiKey: 'sk-test', maxRetries: 0, defaultHeaders: { 'x-headroom-session': 'abc' } })
  await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] })
  t.is(upstream.seen[1].json.prompt_cache_key, 'x-headroom-session:abc')
  t.is(upstream.seen[1].headers['x-headroom-session'], undefined)
  // Tools in a stable order (by name), each definition's bytes kept; a breakpoint never moves.
  const tool = (name: string, extra: Json = {}) => ({ name, input_schema: { type: 'object' }, ...extra })
  await post(proxy, { ...small, tools: [tool('zeta'), tool('alpha')] })
  t.deepEqual(toolNames(upstream.seen[2]), ['alpha', 'headroom_retrieve', 'zeta'])
  await post(proxy, { ...small, tools: [tool('zeta'), tool('alpha', { cache_control: { type: 'ephemeral' } })] })
  t.deepEqual(toolNames(upstream.seen[3]), ['zeta', 'alpha', 'headroom_retrieve'])
  const stats = (await (await fetch(`${proxy.url}/stats`)).json()) as Json
  t.is(stats.volatileSystemPrompts.requests, 3)
  t.deepEqual(stats.volatileSystemPrompts.byKind, { timestamp: 3 })
  t.deepEqual(stats.billed, { input: 156, cacheWrite: 60, cacheRead: 3004, output: 10 })
})

test('stats: tokens by content type, savings in dollars with their basis, per-request reasons', async (t) => {
  const { proxy } = await setup(t, okAnthropic)
  await post(proxy, anthropicBody(false))
  await post(proxy, anthropicBody(false))
  const stats = (await (await fetch(`${proxy.url}/stats`)).json()) as Json
  const json = stats.byContentType.json
  t.is(json.blocks, 2)
  t.true(json.tokensAfter < json.tokensBefore / 2)
  const saved = json.tokensBefore - json.tokensAfter
  t.is(stats.savings.tokensFirstSight, saved / 2)
  t.is(stats.savings.tokensFromHistory, saved / 2, 'the second request resent the block: memoized')
  // claude-sonnet-4-6: $3 per million uncached input tokens, $0.30 cache read.
  t.true(Math.abs(stats.savings.usd - ((saved / 2) * 3 + (saved / 2) * 0.3) / 1e6) < 1e-9)
  t.regex(stats.savings.basis, /list price/)
  t.is(stats.recent.length, 2)
  t.is(stats.recent[0].outcome, 'compressed')
  t.is(stats.recent[0].status, 200)
  t.true(Object.keys(stats.recent[0].reasons).length > 0, 'blocks left alone say why')
  const metrics = await (await fetch(`${proxy.url}/metrics`)).text()
  t.regex(metrics, /headroom_billed_tokens_total\{class="cacheRead"\} 2000/)
  t.regex(metrics, /headroom_content_tokens_before_total\{content_type="json"\} \d+/)
})

// ---------------------------------------------------------------------------------------
// OpenAI Responses
// ---------------------------------------------------------------------------------------

function responsesScript() {
  return async (seen: Seen, _n: number, res: http.ServerResponse) => {
    const input = seen.json.input as Json[]
    const continuation = input.at(-1)?.type === 'function_call_output' && input.at(-1)?.call_id === 'call_r1'
    const id = continuation ? 'resp_2' : 'resp_1'
    const message = (text: string, n: number): Json => ({ id: `msg_${n}`, type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text, annotations: [] }] })
    const output: Json[] = continuation
      ? [message('Two users are inactive.', 2)]
      : [message('Checking.', 1), { id: 'fc_1', type: 'function_call', status: 'completed', call_id: 'call_r1', name: 'headroom_retrieve', arguments: JSON.stringify({ hash: hashIn(seen) }) }]
    const usage = continuation
      ? { input_tokens: 220, input_tokens_details: { cached_tokens: 100 }, output_tokens: 6, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 226 }
      : { input_tokens: 120, input_tokens_details: { cached_tokens: 0 }, output_tokens: 9, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 129 }
    const response = { id, object: 'response', created_at: 1, status: 'completed', model: 'gpt-4o', output, usage }
    if (!seen.json.stream) {
      res.writeHead(200, { 'content-type': 'application/json' })
      return void res.end(JSON.stringify(response))
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    let seq = 0
    const send = (type: string, data: Json) => res.write(`event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: seq++, ...data })}\n\n`)
    send('response.created', { response: { ...response, status: 'in_progress', output: [], usage: null } })
    for (const [i, item] of output.entries()) {
      if (item.type === 'message') {
        const text = item.content[0].text as string
        send('response.output_item.added', { output_index: i, item: { ...item, status: 'in_progress', content: [] } })
        send('response.content_part.added', { item_id: item.id, output_index: i, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } })
        send('response.output_text.delta', { item_id: item.id, output_index: i, content_index: 0, delta: text, logprobs: [] })
        send('response.output_text.done', { item_id: item.id, output_index: i, content_index: 0, text, logprobs: [] })
        send('response.content_part.done', { item_id: item.id, output_index: i, content_index: 0, part: item.content[0] })
      } else {
        send('response.output_item.added', { output_index: i, item: { ...item, status: 'in_progress', arguments: '' } })
        send('response.function_call_arguments.delta', { item_id: item.id, output_index: i, delta: item.arguments })
        send('response.function_call_arguments.done', { item_id: item.id, output_index: i, arguments: item.arguments })
      }
      send('response.output_item.done', { output_index: i, item })
    }
    send('response.completed', { response })
    res.end()
  }
}

function responsesBody() {
  return {
    model: 'gpt-4o',
    input: [
      { type: 'message' as const, role: 'user' as const, content: 'Which API users are inactive?' },
      { type: 'function_call' as const, call_id: 'c1', name: 'api', arguments: '{}' },
      { type: 'function_call_output' as const, call_id: 'c1', output: TOOL_OUTPUT },
    ],
  }
}

test('OpenAI Responses, streamed and not: retrieve calls answered inside the proxy, one coherent response', async (t) => {
  const { upstream, proxy } = await setup(t, responsesScript())
  const client = new OpenAI({ baseURL: `${proxy.url}/v1`, apiKey: 'sk-test', maxRetries: 0 })
  const done = await client.responses.create(responsesBody())
  t.is(done.output_text, 'Checking.Two users are inactive.')
  t.false(done.output.some((o) => o.type === 'function_call'))
  t.is(done.usage?.input_tokens, 340)
  const second = upstream.seen[1].json.input as Json[]
  t.is(second.at(-1)!.output, TOOL_OUTPUT, 'the retrieve result is the byte-exact original')
  // The proxy added the tool after `input`: the continuation keeps every byte before input's end.
  const a = upstream.seen[0].body.toString('utf8')
  t.true(upstream.seen[1].body.toString('utf8').startsWith(a.slice(0, a.indexOf('],"tools":'))))

  const stream = client.responses.stream(responsesBody())
  const deltas: string[] = []
  stream.on('response.output_text.delta', (e) => deltas.push(e.delta))
  const final = await stream.finalResponse()
  t.deepEqual(deltas, ['Checking.', 'Two users are inactive.'])
  t.deepEqual(
    final.output.map((o) => (o.type === 'message' && o.content[0].type === 'output_text' ? o.content[0].text : o.type)),
    ['Checking.', 'Two users are inactive.'],
  )
  t.is(final.id, 'resp_1')
  t.is(final.usage?.output_tokens, 15)
  t.is(upstream.seen.length, 4)
  t.is(proxy.stats.retrieval.calls, 2)
  t.is(proxy.stats.billed.cacheRead, 200)
})

test('a streamed Responses turn with nothing to retrieve is relayed byte for byte', async (t) => {
  const events =
    `event: response.created\ndata: ${JSON.stringify({ type: 'response.created', sequence_number: 0, response: { id: 'resp_1' } })}\n\n` +
    `event: response.completed\ndata: ${JSON.stringify({ type: 'response.completed', sequence_number: 1, response: { id: 'resp_1', output: [], usage: { input_tokens: 30, input_tokens_details: { cached_tokens: 10 }, output_tokens: 2, total_tokens: 32 } } })}\n\n`
  const { proxy } = await setup(t, (_s, _n, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    res.end(events)
  })
  const r = await fetch(`${proxy.url}/v1/responses`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer k' },
    body: JSON.stringify({ model: 'gpt-4o', stream: true, input: 'hello' }),
  })
  t.is(r.status, 200)
  t.is(await r.text(), events)
  t.deepEqual(proxy.stats.billed, { input: 20, cacheWrite: 0, cacheRead: 10, output: 2 })
})

test('history survives a proxy restart: the same block goes upstream as the same bytes (store file memo)', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-restart-'))
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }))
  const upstream = await scriptedUpstream(okAnthropic)
  t.teardown(() => upstream.close())
  const bodies: string[] = []
  for (const query of ['Which API users are inactive?', 'And which ones were created last week?']) {
    // A fresh proxy each turn; only the store file carries over. (With `store: 'memory'` this
    // test fails: the later question would pick other rows.)
    const proxy = await startProxy(resolveConfig({ port: '0', store: `sqlite:${path.join(dir, 'ccr.sqlite')}`, 'log-level': 'silent', 'upstream-anthropic': upstream.url }, {}))
    const body = anthropicBody(false)
    // A later turn: the same history, a different latest question (the relevance hint).
    await post(proxy, { ...body, messages: [...body.messages, { role: 'assistant', content: 'Looking.' }, { role: 'user', content: query }] })
    await proxy.close()
    bodies.push(JSON.stringify(upstream.seen.at(-1)!.json.messages[2]))
  }
  t.true(bodies[0].length < JSON.stringify(anthropicBody(false).messages[2]).length / 2, 'compressed')
  t.is(bodies[1], bodies[0], 'the restarted proxy sent the block exactly as before')
})
