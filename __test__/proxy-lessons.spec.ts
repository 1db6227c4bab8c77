// Field-lessons cases (shared/docs/reference/field-lessons.md, section 8) that had no test of
// their own through a real proxy; the README's "Field lessons covered" table maps every case.
// Each test names its cases. Bodies are hand-written JSON text where bytes matter (odd
// spacing, key order, `1.0`, integers past 2^53, escapes, emoji and CJK), so a proxy that
// re-serialised anything would fail them.
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import Anthropic from '@anthropic-ai/sdk'
import test from 'ava'

import { RETRIEVE_TOOL_NAME, Store, findMarkers } from '../index'
import { CONFIG_KEYS, resolveConfig } from '../proxy/config'
import { MAX_RETRIEVE_ROUNDS } from '../proxy/retrieval'
import { type Proxy, startProxy } from '../proxy/server'
import { cliProxy, valueEnd } from './fake-provider'

type Json = Record<string, any>

const CORPUS = path.resolve(__dirname, '..', '..', 'shared', 'corpus', 'headroom-generated')
const generated = (file: string) => fs.readFileSync(path.join(CORPUS, file), 'utf8')
const TOOL_OUTPUT = generated('api_responses.json')
const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex')

/** One request the upstream received; `json` is undefined when the body is not JSON. */
interface Got {
  url: string
  headers: http.IncomingHttpHeaders
  body: Buffer
  json?: Json
}

type Reply = (got: Got, n: number, res: http.ServerResponse) => Promise<void> | void

/** A fake upstream that records every body (JSON or not) and answers with `reply`. */
async function upstreamOf(t: { teardown: (f: () => Promise<void>) => void }, reply: Reply) {
  const seen: Got[] = []
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', async () => {
      const body = Buffer.concat(chunks)
      let json: Json | undefined
      try {
        json = JSON.parse(body.toString('utf8')) as Json
      } catch {
        json = undefined
      }
      const got = { url: req.url!, headers: req.headers, body, json }
      seen.push(got)
      await reply(got, seen.length - 1, res)
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const up = { seen, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }
  t.teardown(
    () =>
      new Promise<void>((r) => {
        server.closeAllConnections()
        server.close(() => r())
      }),
  )
  return up
}

async function proxyTo(t: { teardown: (f: () => Promise<void>) => void }, url: string, extra: Record<string, string> = {}): Promise<Proxy> {
  const proxy = await startProxy(resolveConfig({ port: '0', store: 'memory', 'log-level': 'silent', 'upstream-anthropic': url, 'upstream-openai': url, ...extra }, {}))
  t.teardown(() => proxy.close())
  return proxy
}

/** A minimal valid answer for each route (JSON, never streamed). */
const okReply: Reply = (got, _n, res) => {
  res.writeHead(200, { 'content-type': 'application/json' })
  if (got.url.includes('chat/completions'))
    return void res.end(JSON.stringify({ id: 'c1', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }], usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 } }))
  if (got.url.includes('responses'))
    return void res.end(JSON.stringify({ id: 'resp_1', object: 'response', status: 'completed', model: 'm', output: [], usage: { input_tokens: 5, output_tokens: 1, total_tokens: 6 } }))
  res.end(JSON.stringify({ id: 'msg_1', type: 'message', role: 'assistant', model: 'm', content: [{ type: 'text', text: 'ok' }], stop_reason: 'end_turn', usage: { input_tokens: 5, output_tokens: 1 } }))
}

const ROUTE = { anthropic: '/v1/messages', chat: '/v1/chat/completions', responses: '/v1/responses' } as const

async function post(proxy: Proxy, route: string, body: string, headers: Record<string, string> = {}) {
  return fetch(`${proxy.url}${route}`, {
    method: 'POST',
    // Anthropic's headers only on its route (the proxy picks the upstream by them and the path).
    headers: { 'content-type': 'application/json', ...(route === ROUTE.anthropic ? { 'anthropic-version': '2023-06-01', 'x-api-key': 'k' } : { authorization: 'Bearer k' }), ...headers },
    body,
  })
}

const sse = (event: string, data: Json) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`

/** An Anthropic stream of `blocks` (text, tool calls or anything else, sent as they are). */
function anthropicStream(id: string, blocks: Json[], stopReason: string, usage: Json = { input_tokens: 10, output_tokens: 5 }): string {
  let out = sse('message_start', { type: 'message_start', message: { id, type: 'message', role: 'assistant', model: 'claude-sonnet-4-6', content: [], stop_reason: null, usage: { input_tokens: usage.input_tokens, output_tokens: 1 } } })
  blocks.forEach((b, index) => {
    if (b.type === 'text') {
      out += sse('content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } })
      out += sse('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text: b.text } })
    } else if (b.type === 'tool_use') {
      out += sse('content_block_start', { type: 'content_block_start', index, content_block: { ...b, input: {} } })
      out += sse('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: JSON.stringify(b.input) } })
    } else out += sse('content_block_start', { type: 'content_block_start', index, content_block: b })
    out += sse('content_block_stop', { type: 'content_block_stop', index })
  })
  out += sse('message_delta', { type: 'message_delta', delta: { stop_reason: stopReason, stop_sequence: null }, usage })
  return out + sse('message_stop', { type: 'message_stop' })
}

/** An Anthropic request whose tool result compresses with markers (the retrieve tool joins). */
function markedBody(stream: boolean, extra: Json[] = []) {
  return JSON.stringify({
    model: 'claude-sonnet-4-6',
    max_tokens: 512,
    stream,
    messages: [
      { role: 'user', content: 'Which API users are inactive?' },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_01', name: 'api', input: { q: 'users' } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_01', content: TOOL_OUTPUT }] },
      ...extra,
    ],
  })
}

const hashIn = (got: Got) => findMarkers(JSON.stringify(got.json?.messages))[0]

// ---------------------------------------------------------------------------------------
// A. Wire fidelity
// ---------------------------------------------------------------------------------------

/** Spaces after every separator, as a hand-formatting client might send. */
const spaced = (raw: string) => raw.replace(/","/g, '", "').replace(/":/g, '": ').replace(/,\{/g, ', {')

const UNTOUCHED: [keyof typeof ROUTE, string][] = [
  [
    'anthropic',
    '{"stream":false,"model":"claude-opus-4-7[1m]","max_tokens":1024,"system":"  R\\u00e9ponds en fran\u00e7ais \ud83c\uddeb\ud83c\uddf7.\\n\\n",' +
      '"messages":[{"content":"\u65e5\u672c\u8a9e\u3067 \ud83d\ude00 \\u00e9 \\ud83e\\udd80 ok","role":"user"},' +
      '{"role":"assistant","content":[{"type":"tool_use","id":"toolu_01","name":"Bash","input":{"n":1.0,"command":"ls","big":12345678901234567890123,"e":1E+2}}]},' +
      '{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_01","content":"README.md\\nsrc\\n"}]}],"metadata":{"user_id":"u-1"},"temperature":1.0}',
  ],
  ['anthropic', '{"model":"eu.anthropic.claude-sonnet-4-5-20250929-v1:0","messages":[{"role":"user","content":"hi"}],"max_tokens":8}'],
  ['anthropic', '{"max_tokens":8,"model":"arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.anthropic.claude-sonnet-4-5","messages":[{"role":"user","content":"hi"}]}'],
  [
    'chat',
    '{"model":"glm-5.2[1m]","messages":[{"role":"system","content":" sys "},{"role":"user","content":"h\u00e9llo \ud83c\udf0d"},' +
      '{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"f","arguments":"{\\"a\\": 1.0}"}}]},' +
      '{"role":"tool","tool_call_id":"call_1","content":"ok"}],"temperature":1.0,"seed":9007199254740993}',
  ],
  [
    'responses',
    '{"model":"gpt-5-codex","store":false,"previous_response_id":"resp_0","input":[{"type":"message","role":"assistant","phase":"commentary","content":[{"type":"output_text","text":"B"},{"type":"output_text","text":"A"}]},' +
      '{"type":"function_call","call_id":"c1","name":"shell","arguments":"{ \\"cmd\\" : [\\"ls\\"] }"},{"type":"function_call_output","call_id":"c1","output":"a\\nb\\n"}],"stream":true}',
  ],
]

test('cases 1, 11, 16: with nothing to compress, upstream receives the body byte for byte (SHA-256), no field added, model ids as sent', async (t) => {
  const up = await upstreamOf(t, okReply)
  const proxy = await proxyTo(t, up.url)
  const sent: [string, string][] = []
  for (const [route, raw] of UNTOUCHED) for (const body of [raw, spaced(raw)]) sent.push([route, body])
  for (const [route, body] of sent) {
    JSON.parse(body) // the test's own bodies are valid JSON
    const r = await post(proxy, ROUTE[route as keyof typeof ROUTE], body)
    t.is(r.status, 200)
    await r.arrayBuffer()
  }
  t.is(up.seen.length, sent.length)
  sent.forEach(([route, body], i) => {
    t.is(sha(up.seen[i].body), sha(body), `${route} body ${i} reached upstream byte for byte`)
    t.is(up.seen[i].url, ROUTE[route as keyof typeof ROUTE], 'routed by path, whatever the model id')
  })
  // --compress false (what `wrap --no-compress` runs): even a big tool result goes as sent.
  const plain = await proxyTo(t, up.url, { compress: 'false' })
  const big = markedBody(true)
  await (await post(plain, ROUTE.anthropic, big)).arrayBuffer()
  t.is(sha(up.seen.at(-1)!.body), sha(big))
})

/**
 * Checks that `sent` is `raw` with exactly two edits: the JSON string `big` replaced by a
 * shorter string holding markers, and the retrieve tool appended to the tools array that
 * closes at `toolsClose`. Returns the compressed string.
 */
function checkOneEdit(t: { true: (v: boolean, m?: string) => void; is: (a: unknown, b: unknown, m?: string) => void }, raw: string, sent: string, big: string, toolsClose: number): string {
  const a = raw.indexOf(big)
  const b = a + big.length
  t.true(a > 0 && raw.indexOf(big, b) < 0, 'the edited string occurs once')
  t.true(sent.startsWith(raw.slice(0, a)), 'every byte before the edited string unchanged')
  t.true(sent.endsWith(raw.slice(toolsClose)), 'every byte after the tools array unchanged')
  const middle = sent.slice(a, sent.length - (raw.length - toolsClose))
  const end = valueEnd(middle, 0)
  const compressed = JSON.parse(middle.slice(0, end)) as string
  t.true(compressed.length < JSON.parse(big).length / 2, 'the target block was compressed')
  t.true(middle.slice(end).startsWith(raw.slice(b, toolsClose)), 'every byte between the edited string and the end of tools unchanged')
  const added = middle.slice(end + (toolsClose - b)).trim()
  t.true(added.startsWith(','), 'one tool appended')
  const tool = JSON.parse(added.slice(1)) as Json
  t.is(tool.name ?? tool.function?.name, RETRIEVE_TOOL_NAME)
  // Case 29: markers only ever travel with the tool that redeems them.
  t.true(findMarkers(compressed).length > 0)
  return compressed
}

test('cases 2, 6, 12, 13, 15, 20, 29: one tool result edited; system, thinking, unknown blocks, error outputs, Responses phase and arguments byte-identical', async (t) => {
  const up = await upstreamOf(t, okReply)
  const proxy = await proxyTo(t, up.url)
  const big = JSON.stringify(TOOL_OUTPUT)
  const errorOutput = JSON.stringify(generated('log_data.json'))
  // A long Python traceback (120 frames, ~3,000 tokens).
  const frames = Array.from({ length: 120 }, (_, i) => `  File "/srv/app/module_${i % 17}.py", line ${100 + i}, in handler_${i}\n    result = dispatch(request, context=ctx_${i})`)
  const traceback = JSON.stringify(`Traceback (most recent call last):\n${frames.join('\n')}\nValueError: connection pool exhausted (active=64, idle=0)\n`)
  const anthropic =
    `{"model" : "claude-sonnet-4-6", "max_tokens":2048,"system": "  You are Claude Code.\\n\\nCwd: /repo \u2014 \u65e5\u672c  ",` +
    `"thinking":{"type":"enabled","budget_tokens":1024},"messages":[` +
    `{"role":"user","content":[{"type":"text","text":"<system-reminder>\\nCLAUDE.md: never push \ud83d\udeab\\n\\n\`\`\`\\ncode\\n\`\`\`\\n</system-reminder>"},{"type":"text","text":"Which users are inactive?"}]},` +
    `{"role":"assistant","content":[{"type":"thinking","thinking":"Let me check.","signature":"EqQBCkgIARAB+/=="},{"type":"redacted_thinking","data":"EmwKAhgBEgy3va=="},` +
    `{"type":"server_tool_use","id":"srvtoolu_1","name":"web_search","input":{"query":"x"}},{"type":"web_search_tool_result","tool_use_id":"srvtoolu_1","content":[{"type":"web_search_result","url":"https://e.example","title":"E","encrypted_content":"abc"}]},` +
    `{"type":"mcp_tool_use","id":"mcptoolu_1","name":"q","server_name":"s","input":{}},{"type":"foo_2027","payload":{"x":[1,2.50,3]}},` +
    `{"type":"tool_use","id":"toolu_01","name":"api","input":{"q":"users","limit":1.0}},{"type":"tool_use","id":"toolu_02","name":"Bash","input":{"command":"cat app.log"}}]},` +
    `{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_01","content":${big}},{"type":"tool_result","tool_use_id":"toolu_02","is_error":true,"content":${errorOutput}},` +
    `{"type":"document","source":{"type":"text","media_type":"text/plain","data":"doc"}},{"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}},` +
    `{"type":"search_result","source":"s","title":"t","content":[{"type":"text","text":"r"}]},{"type":"tool_reference","tool_name":"Bash"}]}],` +
    `"tools":[{"name":"Bash","description":"Run","input_schema":{"type":"object","properties":{"command":{"type":"string"}}}},{"name":"api","input_schema":{"type":"object"}}],"metadata":{"user_id":"u"}}`
  const chat =
    `{"model":"deepseek-chat","messages":[{"role":"system","content":"  be brief \\n"},{"role":"user","content":[{"type":"text","text":"users? \ud83d\ude00"},{"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}}]},` +
    `{"role":"assistant","content":null,"reasoning_content":"hmm","tool_calls":[{"id":"call_01","type":"function","function":{"name":"api","arguments":"{\\"q\\": \\"users\\", \\"limit\\": 1.0}"}},{"id":"call_02","type":"function","function":{"name":"bash","arguments":"{}"}}]},` +
    `{"role":"tool","tool_call_id":"call_01","content":${big}},{"role":"tool","tool_call_id":"call_02","content":${traceback}}],` +
    `"tools":[{"type":"function","function":{"name":"api","parameters":{"type":"object"}}},{"type":"function","function":{"name":"bash","parameters":{"type":"object"}}}],"temperature":1.0,"stream":false}`
  const responses =
    `{"model":"gpt-5-codex","instructions":" You are Codex. ","store":false,"previous_response_id":"resp_0","input":[` +
    `{"type":"message","role":"user","content":[{"type":"input_text","text":"first"},{"type":"input_text","text":"second \u2713"}]},{"type":"reasoning","id":"rs_1","summary":[],"encrypted_content":"gAAAAB=="},` +
    `{"type":"message","role":"assistant","phase":"commentary","content":[{"type":"output_text","text":"B"},{"type":"output_text","text":"A"}]},` +
    `{"type":"function_call","call_id":"c1","name":"shell","arguments":"{ \\"cmd\\" : [\\"ls\\"] , \\"n\\":1.0}"},{"type":"function_call_output","call_id":"c1","output":${big}}],` +
    `"tools":[{"type":"function","name":"shell","parameters":{"type":"object"}}],"stream":false,"include":["reasoning.encrypted_content"]}`
  for (const [route, raw, after] of [
    ['anthropic', anthropic, ',"metadata"'],
    ['chat', chat, ',"temperature"'],
    ['responses', responses, ',"stream"'],
  ] as const) {
    JSON.parse(raw)
    const r = await post(proxy, ROUTE[route], raw)
    t.is(r.status, 200)
    await r.arrayBuffer()
    const sent = up.seen.at(-1)!.body.toString('utf8')
    const compressed = checkOneEdit(t, raw, sent, big, raw.lastIndexOf(']', raw.indexOf(after)))
    for (const h of findMarkers(compressed)) t.is(proxy.store.get(h).toString('utf8'), TOOL_OUTPUT, `${route}: marker ${h} resolves to the original`)
  }
})

// ---------------------------------------------------------------------------------------
// B. Message structure
// ---------------------------------------------------------------------------------------

test('case 9: six parallel tool calls keep their ids and pairing (Anthropic; OpenAI tool_call_id to an OpenAI-compatible base path)', async (t) => {
  const up = await upstreamOf(t, okReply)
  const proxy = await proxyTo(t, up.url, { 'upstream-openai': `${up.url}/deepseek` })
  const ids = ['a', 'b', 'c', 'd', 'e', 'f']
  const output = (i: number) => (i === 2 ? TOOL_OUTPUT : `result ${i}\n`)
  const anthropic = {
    model: 'claude-sonnet-4-6',
    max_tokens: 64,
    messages: [
      { role: 'user', content: 'Run all six.' },
      { role: 'assistant', content: ids.map((id, i) => ({ type: 'tool_use', id: `toolu_${id}`, name: 'Bash', input: { command: `echo ${i}` } })) },
      { role: 'user', content: ids.map((id, i) => ({ type: 'tool_result', tool_use_id: `toolu_${id}`, content: output(i) })) },
    ],
  }
  const chat = {
    model: 'deepseek-chat',
    messages: [
      { role: 'user', content: 'Run all six.' },
      { role: 'assistant', content: null, tool_calls: ids.map((id, i) => ({ id: `call_${id}`, type: 'function', function: { name: 'bash', arguments: JSON.stringify({ command: `echo ${i}` }) } })) },
      ...ids.map((id, i) => ({ role: 'tool', tool_call_id: `call_${id}`, content: output(i) })),
    ],
  }
  await (await post(proxy, ROUTE.anthropic, JSON.stringify(anthropic))).arrayBuffer()
  await (await post(proxy, ROUTE.chat, JSON.stringify(chat))).arrayBuffer()
  const [a, c] = up.seen
  t.true(a.body.length < JSON.stringify(anthropic).length / 2, 'compressed')
  t.deepEqual(
    a.json!.messages[1].content.map((b: Json) => b.id),
    ids.map((id) => `toolu_${id}`),
  )
  t.deepEqual(
    a.json!.messages[2].content.map((b: Json) => [b.type, b.tool_use_id]),
    ids.map((id) => ['tool_result', `toolu_${id}`]),
    'every tool_use has its tool_result in the next message, in order',
  )
  a.json!.messages[2].content.forEach((b: Json, i: number) => i !== 2 && t.is(b.content, output(i)))
  t.is(c.url, '/deepseek/v1/chat/completions')
  t.true(c.body.length < JSON.stringify(chat).length / 2, 'compressed')
  const msgs = c.json!.messages as Json[]
  t.deepEqual(
    msgs[1].tool_calls.map((x: Json) => [x.id, x.function.arguments]),
    (chat.messages[1] as Json).tool_calls.map((x: Json) => [x.id, x.function.arguments]),
  )
  t.deepEqual(
    msgs.slice(2).map((m) => [m.role, m.tool_call_id]),
    ids.map((id) => ['tool', `call_${id}`]),
    'each tool_call_id answered right after, in order',
  )
})

test('case 12: unknown block types in a response pass through a retrieval-watching relay untouched, streamed and not; a 200 that is not JSON is relayed, not a 502', async (t) => {
  const blocks = [
    { type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: { query: 'inactive users' } },
    { type: 'web_search_tool_result', tool_use_id: 'srvtoolu_1', content: [{ type: 'web_search_result', url: 'https://e.example', title: 'E', encrypted_content: 'abc' }] },
    { type: 'mcp_tool_use', id: 'mcptoolu_1', name: 'q', server_name: 's', input: { a: 1 } },
    { type: 'redacted_thinking', data: 'EmwKAhgBEgy3va==' },
    { type: 'foo_2027', payload: { x: [1, 2.5] } },
    { type: 'text', text: 'Two users are inactive.' },
  ]
  const stream = anthropicStream('msg_u', blocks, 'end_turn').replace(
    // An unknown delta type inside the unknown block, and an unknown event type.
    'event: content_block_stop\ndata: {"type":"content_block_stop","index":4}',
    'event: content_block_delta\ndata: {"type":"content_block_delta","index":4,"delta":{"type":"foo_delta","bits":"\u00e9"}}\n\nevent: foo_event\ndata: {"type":"foo_event"}\n\nevent: content_block_stop\ndata: {"type":"content_block_stop","index":4}',
  )
  const json = JSON.stringify({ id: 'msg_u', type: 'message', role: 'assistant', model: 'claude-sonnet-4-6', content: blocks, stop_reason: 'end_turn', usage: { input_tokens: 10, output_tokens: 5 } })
  const up = await upstreamOf(t, (got, _n, res) => {
    if (got.json?.metadata?.user_id === 'not-json') {
      res.writeHead(200, { 'content-type': 'application/json' })
      return void res.end('upstream says: <html>not json</html>')
    }
    res.writeHead(200, { 'content-type': got.json?.stream ? 'text/event-stream' : 'application/json' })
    res.end(got.json?.stream ? stream : json)
  })
  const proxy = await proxyTo(t, up.url)
  const streamed = await post(proxy, ROUTE.anthropic, markedBody(true))
  t.is(streamed.status, 200)
  t.is(await streamed.text(), stream, 'every event byte for byte')
  t.true(up.seen[0].json!.tools.some((x: Json) => x.name === RETRIEVE_TOOL_NAME), 'the relay was watching for retrieve calls')
  const whole = await post(proxy, ROUTE.anthropic, markedBody(false))
  t.is(whole.status, 200)
  t.is(await whole.text(), json)
  const notJson = await post(proxy, ROUTE.anthropic, JSON.stringify({ ...JSON.parse(markedBody(false)), metadata: { user_id: 'not-json' } }))
  t.is(notJson.status, 200)
  t.is(await notJson.text(), 'upstream says: <html>not json</html>')
  // The SDK reads the streamed message whole.
  const client = new Anthropic({ baseURL: proxy.url, apiKey: 'k', maxRetries: 0 })
  const msg = await client.messages.stream(JSON.parse(markedBody(true)) as Anthropic.MessageStreamParams).finalMessage()
  t.deepEqual(
    msg.content.map((b) => b.type),
    blocks.map((b) => b.type) as string[],
  )
})

// ---------------------------------------------------------------------------------------
// C. Malformed input; no response cache
// ---------------------------------------------------------------------------------------

test('case 26: NaN, deep nesting, a set -x trace with an orphaned +++ line and a 10 MB one-line blob: no 500, upstream answers', async (t) => {
  const up = await upstreamOf(t, (got, n, res) => {
    if (!got.json) {
      res.writeHead(400, { 'content-type': 'application/json' })
      return void res.end('{"type":"error","error":{"type":"invalid_request_error","message":"bad json"}}')
    }
    okReply(got, n, res)
  })
  const proxy = await proxyTo(t, up.url)
  const tool = (content: string) =>
    JSON.stringify({
      model: 'claude-sonnet-4-6',
      max_tokens: 8,
      messages: [
        { role: 'user', content: 'go' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'Bash', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content }] },
      ],
    })
  const trace = Array.from({ length: 400 }, (_, i) => (i === 200 ? '+++ b/src/main.rs' : `+ echo step ${i}\nstep ${i}`)).join('\n')
  const deepJson = '['.repeat(50) + '1' + ']'.repeat(50)
  const cases: [string, string, number, boolean][] = [
    ['NaN and Infinity', '{"model":"claude-sonnet-4-6","max_tokens":8,"temperature":NaN,"top_p":Infinity,"messages":[{"role":"user","content":"hi"}]}', 400, true],
    ['nesting 10,000 deep', `{"model":"claude-sonnet-4-6","max_tokens":8,"metadata":${'['.repeat(10_000)}${']'.repeat(10_000)},"messages":[{"role":"user","content":"hi"}]}`, 200, true],
    ['JSON nested 50 deep in a tool result', tool(deepJson), 200, false],
    ['set -x trace with an orphaned +++ line', tool(trace), 200, false],
    ['10 MB single-line blob', tool('x'.repeat(10 * 1024 * 1024)), 200, false],
  ]
  for (const [label, body, status, identical] of cases) {
    const r = await post(proxy, ROUTE.anthropic, body)
    t.is(r.status, status, label)
    await r.arrayBuffer()
    const got = up.seen.at(-1)!
    if (identical) t.is(sha(got.body), sha(body), `${label}: forwarded untouched`)
    else t.truthy(got.json, `${label}: valid JSON upstream`)
  }
  t.is(up.seen.length, cases.length)
  t.is(proxy.stats.compressionErrors, 2, 'the two bodies the library cannot read are counted, and forwarded')
})

test('case 27: no response cache: two conversations that both end in "continue" each reach upstream and get their own answer', async (t) => {
  const up = await upstreamOf(t, (got, _n, res) => {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ id: 'msg', type: 'message', role: 'assistant', model: 'm', content: [{ type: 'text', text: `about ${got.json!.messages[0].content}` }], stop_reason: 'end_turn', usage: { input_tokens: 5, output_tokens: 1 } }))
  })
  const proxy = await proxyTo(t, up.url)
  const answers: string[] = []
  for (const topic of ['the parser', 'the build']) {
    const body = { model: 'claude-sonnet-4-6', max_tokens: 8, system: `You work on ${topic}.`, messages: [{ role: 'user', content: topic }, { role: 'assistant', content: 'Working.' }, { role: 'user', content: 'continue' }] }
    answers.push(((await (await post(proxy, ROUTE.anthropic, JSON.stringify(body))).json()) as Json).content[0].text)
  }
  t.deepEqual(answers, ['about the parser', 'about the build'])
  t.is(up.seen.length, 2)
})

// ---------------------------------------------------------------------------------------
// D. CCR
// ---------------------------------------------------------------------------------------

test('case 31: a model that keeps calling headroom_retrieve with dead hashes gets terminal errors and at most 3 continuations; the endpoint tells expired from unknown', async (t) => {
  const dead = (n: number) => `dead${String(n).padStart(12, '0')}`
  const up = await upstreamOf(t, (got, n, res) => {
    const content = [
      { type: 'text', text: `Attempt ${n}.` },
      { type: 'tool_use', id: `toolu_r${n}`, name: RETRIEVE_TOOL_NAME, input: { hash: dead(n) } },
    ]
    if (got.json!.stream) {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      return void res.end(anthropicStream(`msg_${n}`, content, 'tool_use'))
    }
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ id: `msg_${n}`, type: 'message', role: 'assistant', model: 'm', content, stop_reason: 'tool_use', usage: { input_tokens: 10, output_tokens: 5 } }))
  })
  const proxy = await proxyTo(t, up.url)
  t.is(MAX_RETRIEVE_ROUNDS, 3)
  for (const stream of [false, true]) {
    const before = up.seen.length
    const client = new Anthropic({ baseURL: proxy.url, apiKey: 'k', maxRetries: 0 })
    const body = JSON.parse(markedBody(stream))
    const msg = stream ? await client.messages.stream(body).finalMessage() : await client.messages.create(body)
    t.is(up.seen.length - before, 1 + MAX_RETRIEVE_ROUNDS, `${stream ? 'streamed' : 'not streamed'}: the first call and 3 continuations, no more`)
    t.false(msg.content.some((b) => b.type === 'tool_use'), 'no retrieve call reaches the client')
    t.is(msg.stop_reason, 'end_turn')
    for (const got of up.seen.slice(before + 1)) {
      const result = got.json!.messages.at(-1).content[0]
      t.true(result.is_error)
      t.regex(result.content, /UNKNOWN_HASH/)
      t.regex(result.content, /do not retry/)
    }
  }
  // GET /v1/retrieve: an expired hash and an unknown one are different, final answers.
  const hash = proxy.store.put('an original that will be purged')
  proxy.store.purge('all')
  const expired = await fetch(`${proxy.url}/v1/retrieve/${hash}`)
  const unknown = await fetch(`${proxy.url}/v1/retrieve/${'0'.repeat(16)}`)
  t.is(expired.status, 404)
  t.is(unknown.status, 404)
  const e = ((await expired.json()) as Json).error
  const u = ((await unknown.json()) as Json).error
  t.is(e.code, 'EXPIRED')
  t.is(u.code, 'UNKNOWN_HASH')
  t.regex(e.message, /do not retry/)
  t.regex(u.message, /do not retry/)
})

test('case 34: stream:true with the retrieve tool: upstream 429/500/529 reach the client as that status and body; after a retrieval round trip the next request of the session works', async (t) => {
  const errors: Record<number, string> = {
    429: '{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}',
    500: '{"type":"error","error":{"type":"api_error","message":"Internal server error"}}',
    529: '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}',
  }
  const up = await upstreamOf(t, (got, _n, res) => {
    const fail = Number(got.headers['x-test-fail'])
    if (fail) {
      res.writeHead(fail, { 'content-type': 'application/json', 'retry-after': '3', 'request-id': `req_${fail}` })
      return void res.end(errors[fail])
    }
    const last = got.json!.messages.at(-1)
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    if (Array.isArray(last.content) && last.content[0]?.tool_use_id === 'toolu_01')
      return void res.end(anthropicStream('msg_a', [{ type: 'text', text: 'Checking.' }, { type: 'tool_use', id: 'toolu_r1', name: RETRIEVE_TOOL_NAME, input: { hash: hashIn(got) } }], 'tool_use'))
    res.end(anthropicStream('msg_b', [{ type: 'text', text: `Answer ${got.json!.messages.length}.` }], 'end_turn'))
  })
  const proxy = await proxyTo(t, up.url)
  for (const status of [429, 500, 529]) {
    const r = await post(proxy, ROUTE.anthropic, markedBody(true), { 'x-test-fail': String(status) })
    t.is(r.status, status)
    t.is(r.headers.get('retry-after'), '3')
    t.is(await r.text(), errors[status])
    t.true(up.seen.at(-1)!.json!.tools.some((x: Json) => x.name === RETRIEVE_TOOL_NAME), 'the request carried the retrieve tool')
    t.is(up.seen.at(-1)!.json!.stream, true)
  }
  const before = up.seen.length
  const client = new Anthropic({ baseURL: proxy.url, apiKey: 'k', maxRetries: 0, defaultHeaders: { 'x-claude-code-session-id': 'sess-34' } })
  const first = await client.messages.stream(JSON.parse(markedBody(true))).finalMessage()
  t.is(up.seen.length - before, 2, 'one retrieval round trip')
  t.deepEqual(
    first.content.map((b) => (b.type === 'text' ? b.text : b.type)),
    ['Checking.', 'Answer 5.'],
  )
  const next = JSON.parse(markedBody(true, [{ role: 'assistant', content: first.content }, { role: 'user', content: 'And which were created last week?' }]))
  const second = await client.messages.stream(next).finalMessage()
  t.deepEqual(
    second.content.map((b) => (b.type === 'text' ? b.text : b.type)),
    ['Answer 5.'],
  )
  t.is(up.seen.length - before, 3)
  t.true(up.seen.at(-1)!.json!.tools.some((x: Json) => x.name === RETRIEVE_TOOL_NAME), 'the session keeps its tool')
  t.is(up.seen.at(-1)!.json!.stream, true, 'never switched to stream:false')
})

// ---------------------------------------------------------------------------------------
// E. Streaming
// ---------------------------------------------------------------------------------------

test('case 35: an SSE stream dribbled 1-3 bytes at a time (emoji and CJK split, CRLF, multi-line data, comments) reaches the client byte for byte', async (t) => {
  const stream =
    sse('message_start', { type: 'message_start', message: { id: 'msg_d', type: 'message', role: 'assistant', model: 'claude-sonnet-4-6', content: [], stop_reason: null, usage: { input_tokens: 10, output_tokens: 1 } } }) +
    ': keep-alive comment\r\nevent: content_block_start\r\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\r\n\r\n' +
    'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,\ndata: "delta":{"type":"text_delta","text":"\ud83e\udd80 \u65e5\u672c\u8a9e \u00e9\u00e8 \ud83d\udc68\u200d\ud83d\udc69\u200d\ud83d\udc67"}}\n\n' +
    sse('ping', { type: 'ping' }) +
    sse('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: ' \u4e2d\u6587\u5b57\u7b26 \ud83c\udf0d' } }) +
    sse('content_block_stop', { type: 'content_block_stop', index: 0 }) +
    sse('message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 9 } }) +
    sse('message_stop', { type: 'message_stop' })
  const bytes = Buffer.from(stream)
  const up = await upstreamOf(t, async (_got, _n, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    for (let i = 0, k = 0; i < bytes.length; k++) {
      const n = 1 + (k % 3)
      res.write(bytes.subarray(i, i + n))
      i += n
      if (k % 4 === 0) await new Promise((r) => setTimeout(r, 1))
    }
    res.end()
  })
  const proxy = await proxyTo(t, up.url)
  const r = await post(proxy, ROUTE.anthropic, markedBody(true))
  t.true(Buffer.from(await r.arrayBuffer()).equals(bytes), 'the same bytes, split characters reassembled')
  t.true(up.seen[0].json!.tools.some((x: Json) => x.name === RETRIEVE_TOOL_NAME), 'through the parsing relay')
  const client = new Anthropic({ baseURL: proxy.url, apiKey: 'k', maxRetries: 0 })
  const msg = await client.messages.stream(JSON.parse(markedBody(true))).finalMessage()
  t.is((msg.content[0] as Anthropic.TextBlock).text, '\ud83e\udd80 \u65e5\u672c\u8a9e \u00e9\u00e8 \ud83d\udc68\u200d\ud83d\udc69\u200d\ud83d\udc67 \u4e2d\u6587\u5b57\u7b26 \ud83c\udf0d')
  t.is(proxy.stats.truncatedStreams, 0)
})

test('cases 37, 51: usage is recorded after the stream ends (cache fields of the final message_delta count); streamed and not streamed agree', async (t) => {
  const final = { input_tokens: 12, cache_creation_input_tokens: 300, cache_read_input_tokens: 5000, output_tokens: 42 }
  const up = await upstreamOf(t, (got, _n, res) => {
    if (got.json!.stream) {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      // message_start carries no cache figures yet; the final message_delta has them all.
      return void res.end(anthropicStream('msg_s', [{ type: 'text', text: 'ok' }], 'end_turn', final).replace('"usage":{"input_tokens":12,"output_tokens":1}', '"usage":{"input_tokens":0,"output_tokens":1}'))
    }
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ id: 'msg_j', type: 'message', role: 'assistant', model: 'm', content: [{ type: 'text', text: 'ok' }], stop_reason: 'end_turn', usage: final }))
  })
  const proxy = await proxyTo(t, up.url)
  const billed = () => ({ ...proxy.stats.billed })
  const r1 = await post(proxy, ROUTE.anthropic, markedBody(true))
  await r1.text()
  const afterStream = billed()
  t.deepEqual(afterStream, { input: 12, cacheWrite: 300, cacheRead: 5000, output: 42 }, 'the stream counted with its final usage')
  const r2 = await post(proxy, ROUTE.anthropic, markedBody(false))
  await r2.text()
  t.deepEqual(billed(), { input: 24, cacheWrite: 600, cacheRead: 10_000, output: 84 }, 'the same usage not streamed counts the same')
  const stats = (await (await fetch(`${proxy.url}/stats`)).json()) as Json
  const [s, j] = stats.recent as Json[]
  t.is(s.tokensBefore - s.tokensAfter, j.tokensBefore - j.tokensAfter, 'the same tokens saved, streamed or not')
  t.true(s.tokensAfter < s.tokensBefore)
})

// ---------------------------------------------------------------------------------------
// C and H. Protections and settings
// ---------------------------------------------------------------------------------------

test('case 21: --protect-tools keeps the named tools\' outputs verbatim on every route; --min-tokens raises the floor', async (t) => {
  const up = await upstreamOf(t, okReply)
  const proxy = await proxyTo(t, up.url, { 'protect-tools': 'bash, Read*' })
  const other = generated('database_rows_mixed.json')
  const anthropic = {
    model: 'claude-sonnet-4-6',
    max_tokens: 64,
    messages: [
      { role: 'user', content: 'Look.' },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'Bash', input: {} }, { type: 'tool_use', id: 'toolu_2', name: 'ReadFile', input: {} }, { type: 'tool_use', id: 'toolu_3', name: 'api', input: {} }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: TOOL_OUTPUT }, { type: 'tool_result', tool_use_id: 'toolu_2', content: other }, { type: 'tool_result', tool_use_id: 'toolu_3', content: TOOL_OUTPUT }] },
    ],
  }
  const chat = {
    model: 'gpt-4o',
    messages: [
      { role: 'user', content: 'Look.' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'bash', arguments: '{}' } }, { id: 'c2', type: 'function', function: { name: 'api', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 'c1', content: other },
      { role: 'tool', tool_call_id: 'c2', content: TOOL_OUTPUT },
    ],
  }
  const responses = {
    model: 'gpt-5-codex',
    input: [
      { type: 'function_call', call_id: 'c1', name: 'Bash', arguments: '{}' },
      { type: 'function_call_output', call_id: 'c1', output: other },
      { type: 'function_call', call_id: 'c2', name: 'api', arguments: '{}' },
      { type: 'function_call_output', call_id: 'c2', output: TOOL_OUTPUT },
    ],
  }
  for (const [route, body] of [
    ['anthropic', anthropic],
    ['chat', chat],
    ['responses', responses],
  ] as const) await (await post(proxy, ROUTE[route], JSON.stringify(body))).arrayBuffer()
  const [a, c, r] = up.seen.map((s) => s.json!)
  t.is(a.messages[2].content[0].content, TOOL_OUTPUT, 'Anthropic: Bash protected')
  t.is(a.messages[2].content[1].content, other, 'Anthropic: ReadFile protected (Read*)')
  t.true(a.messages[2].content[2].content.length < TOOL_OUTPUT.length / 2, 'Anthropic: api compressed')
  t.is(c.messages[2].content, other, 'Chat: bash protected')
  t.true(c.messages[3].content.length < TOOL_OUTPUT.length / 2, 'Chat: api compressed')
  t.is(r.input[1].output, other, 'Responses: Bash protected')
  t.true(r.input[3].output.length < TOOL_OUTPUT.length / 2, 'Responses: api compressed')
  const stats = (await (await fetch(`${proxy.url}/stats`)).json()) as Json
  t.true(stats.recent.every((x: Json) => x.reasons.excluded_tool >= 1), 'each request says why')
  // The floor: with a huge --min-tokens nothing is compressed.
  const floor = await proxyTo(t, up.url, { 'min-tokens': '1000000' })
  const body = markedBody(false)
  await (await post(floor, ROUTE.anthropic, body)).arrayBuffer()
  t.is(sha(up.seen.at(-1)!.body), sha(body))
  // From the environment and the config file too.
  const file = path.join(fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'hr-lessons-')), 'c.json')
  fs.writeFileSync(file, JSON.stringify({ protectTools: ['Bash', 'mcp__*'], minTokens: 2000 }))
  t.like(resolveConfig({ config: file }, {}), { protectTools: ['Bash', 'mcp__*'], minTokens: 2000 })
  t.deepEqual(resolveConfig({}, { HEADROOM_PROTECT_TOOLS: 'Bash,Read,Grep,Glob' }).protectTools, ['Bash', 'Read', 'Grep', 'Glob'])
  t.throws(() => resolveConfig({ 'min-tokens': '2k' }, {}), { message: /min-tokens/ })
  t.throws(() => resolveConfig({ 'protect-tools': 'Bash,,Read' }, {}), { message: /protect-tools/ })
})

test('case 49: every proxy setting has an observable effect; an unknown flag or config-file key is refused', async (t) => {
  const up = await upstreamOf(t, okReply)
  const elsewhere = await upstreamOf(t, okReply)
  const checked: string[] = []
  const effect = async (key: string, check: () => Promise<void> | void) => {
    await check()
    checked.push(key)
  }
  const small = JSON.stringify({ model: 'claude-sonnet-4-6', max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] })
  const lastTools = () => ((up.seen.at(-1)!.json!.tools as Json[] | undefined) ?? []).map((x) => x.name ?? x.function?.name)

  await effect('host', async () => {
    t.regex((await proxyTo(t, up.url, { host: '127.0.0.2' })).url, /^http:\/\/127\.0\.0\.2:\d+$/)
  })
  await effect('port', async () => {
    const probe = http.createServer()
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r))
    const port = (probe.address() as AddressInfo).port
    await new Promise<void>((r) => probe.close(() => r()))
    t.is((await proxyTo(t, up.url, { port: String(port) })).url, `http://127.0.0.1:${port}`)
    t.throws(() => resolveConfig({ port: '70000' }, {}), { message: /port/ })
  })
  await effect('token', async () => {
    const p = await proxyTo(t, up.url, { token: 'tok-49' })
    t.is((await post(p, ROUTE.anthropic, small)).status, 401)
    t.is((await post(p, ROUTE.anthropic, small, { 'x-headroom-token': 'tok-49' })).status, 200)
  })
  await effect('upstream-anthropic', async () => {
    const p = await proxyTo(t, up.url, { 'upstream-anthropic': `${elsewhere.url}/a` })
    await (await post(p, ROUTE.anthropic, small)).arrayBuffer()
    t.is(elsewhere.seen.at(-1)!.url, '/a/v1/messages')
  })
  await effect('upstream-openai', async () => {
    const p = await proxyTo(t, up.url, { 'upstream-openai': `${elsewhere.url}/o` })
    await (await post(p, ROUTE.chat, JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }))).arrayBuffer()
    t.is(elsewhere.seen.at(-1)!.url, '/o/v1/chat/completions')
  })
  await effect('store', async () => {
    const file = path.join(fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'hr-lessons-')), 'ccr.sqlite')
    const p = await proxyTo(t, up.url, { store: `sqlite:${file}` })
    await (await post(p, ROUTE.anthropic, markedBody(false))).arrayBuffer()
    const hash = findMarkers(JSON.stringify(up.seen.at(-1)!.json!.messages))[0]
    const other = Store.open(file)
    t.teardown(() => other.close())
    t.is(other.get(hash).toString('utf8'), TOOL_OUTPUT, 'the original is in that file, for another process to read')
  })
  await effect('mode', async () => {
    for (const [mode, marked] of [
      ['lossless', false],
      ['balanced', true],
    ] as const) {
      const p = await proxyTo(t, up.url, { mode })
      await (await post(p, ROUTE.anthropic, markedBody(false))).arrayBuffer()
      t.is(findMarkers(JSON.stringify(up.seen.at(-1)!.json!.messages)).length > 0, marked, `mode ${mode}`)
    }
  })
  await effect('compress', async () => {
    const p = await proxyTo(t, up.url, { compress: 'false' })
    await (await post(p, ROUTE.anthropic, markedBody(false))).arrayBuffer()
    t.is(sha(up.seen.at(-1)!.body), sha(markedBody(false)))
  })
  await effect('stabilize', async () => {
    const p = await proxyTo(t, up.url, { stabilize: 'true' })
    await (await post(p, ROUTE.anthropic, small)).arrayBuffer()
    t.deepEqual(lastTools(), [RETRIEVE_TOOL_NAME], 'the tool from the first request')
  })
  await effect('log-level', async () => {
    const lines: Record<string, string> = {}
    for (const level of ['info', 'warn']) {
      const p = await cliProxy(['--port', '0', '--store', 'memory', '--log-level', level, '--upstream-anthropic', up.url, '--upstream-openai', up.url], { HEADROOM_LOG_LEVEL: '' })
      await (await fetch(`${p.url}/v1/models`, { headers: { 'x-api-key': 'k' } })).arrayBuffer()
      lines[level] = (await p.stop()).stderr
    }
    t.regex(lines.info, /"msg":"request"/)
    t.false(lines.warn.includes('"msg":"request"'))
  })
  await effect('protect-tools', async () => {
    const p = await proxyTo(t, up.url, { 'protect-tools': 'api' })
    await (await post(p, ROUTE.anthropic, markedBody(false))).arrayBuffer()
    t.is(up.seen.at(-1)!.json!.messages[2].content[0].content, TOOL_OUTPUT)
  })
  await effect('min-tokens', async () => {
    const p = await proxyTo(t, up.url, { 'min-tokens': '100000' })
    await (await post(p, ROUTE.anthropic, markedBody(false))).arrayBuffer()
    t.is(up.seen.at(-1)!.json!.messages[2].content[0].content, TOOL_OUTPUT)
  })
  t.deepEqual([...checked].sort(), [...CONFIG_KEYS].sort(), 'every setting the proxy reads is checked above')

  // What is not a setting is refused, not ignored.
  t.throws(() => resolveConfig({ 'protect-tool': 'Bash' }, {}), { message: /unknown setting --protect-tool/ })
  const file = path.join(fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'hr-lessons-')), 'c.json')
  fs.writeFileSync(file, JSON.stringify({ upstreamAnthropc: 'http://127.0.0.1:1' }))
  t.throws(() => resolveConfig({ config: file }, {}), { message: /unknown key upstreamAnthropc/ })
  for (const args of [
    ['--model', 'gpt-4o'],
    ['--query', 'x'],
    ['--nope'],
  ]) {
    const r = spawnSync(process.execPath, [path.join(__dirname, '..', 'bin', 'headroom.js'), 'proxy', '--port', '0', ...args], { encoding: 'utf8', timeout: 20_000 })
    t.is(r.status, 1, `headroom proxy ${args.join(' ')} refuses to start`)
    t.regex(r.stderr, /unknown|Unknown/)
  }
})
