import crypto from 'node:crypto'
import test from 'ava'

import {
  compress,
  compressAsync,
  compressBody,
  compressBodyAsync,
  compressText,
  compressTextAsync,
  countMessageTokens,
  countTokens,
  HeadroomError,
  Store,
  checkNoSilentLoss,
  headroomRetrieveTool,
  ERROR_CODES,
  SKIP_REASONS,
  MARKER_PATTERN,
  findMarkers,
  type ErrorCode,
  type Message,
  type RequestBody,
} from '../index'
import { anthropicBody, openaiChatBody, responsesBody, toolOutput } from './fixtures'

/** The `code` of the HeadroomError `fn` throws (undefined if it throws none). */
function codeOf(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (e) {
    return e instanceof HeadroomError ? e.code : `not a HeadroomError: ${String(e)}`
  }
  return undefined
}

const sha = (b: Buffer | string) => crypto.createHash('sha256').update(b).digest('hex')

test('Anthropic body: only the tool result is compressed; its cache_control stays', (t) => {
  const input = anthropicBody()
  const r = compress(input)
  t.is(r.provider, 'anthropic')
  t.is(r.transforms.length, 1)
  const tr = r.transforms[0]
  t.is(tr.path, '/messages/2/content/0/content')
  t.is(tr.contentType, 'json')
  t.is(tr.toolName, 'query_db')
  t.true(tr.cacheControl)
  t.true(tr.tokensAfter < tr.tokensBefore)
  const out = r.body as ReturnType<typeof anthropicBody>
  const block = out.messages[2].content[0] as { content: string; cache_control: unknown }
  t.deepEqual(block.cache_control, { type: 'ephemeral' })
  // Nothing is lost silently: every row is in the output or behind a marker whose stored
  // original (byte-exact) holds it.
  const check = checkNoSilentLoss(toolOutput(), block.content)
  t.true(check.markers > 0)
  for (const h of findMarkers(block.content)) t.is(Store.default().get(h).toString('utf8'), toolOutput())
  t.is(r.retrieveTool, 'added')
  // Everything else is untouched.
  t.deepEqual(out.system, input.system)
  t.deepEqual(out.tools.slice(0, input.tools.length), input.tools)
  t.deepEqual(out.messages[0], input.messages[0])
  t.deepEqual(out.messages[1], input.messages[1])
  t.deepEqual(out.messages[2].content[1], input.messages[2].content[1])
  t.is(r.tokensSaved, r.tokensBefore - r.tokensAfter)
  t.true(r.compressionRatio > 0.2, `ratio ${r.compressionRatio}`)
})

test('skipped blocks say why', (t) => {
  const r = compress(anthropicBody())
  const reasons = Object.fromEntries(r.skipped.map((s) => [s.path, s.reason]))
  t.is(reasons['/system/0/text'], 'system_text')
  t.is(reasons['/messages/0/content'], 'user_text')
  t.is(reasons['/messages/1/content/0'], 'thinking')
  t.is(reasons['/messages/1/content/1/text'], 'assistant_text')
  t.is(reasons['/messages/1/content/2'], 'tool_call')
  t.is(reasons['/messages/2/content/1/text'], 'user_text')
  t.is(reasons['/tools'], 'tool_definitions')
})

test('OpenAI Chat body: the tool message is compressed and ids/arguments are untouched', (t) => {
  const input = openaiChatBody()
  const r = compress(input)
  t.is(r.provider, 'openai')
  t.is(r.model, 'gpt-4o')
  t.true(r.exact)
  t.deepEqual(r.transforms.map((x) => [x.path, x.toolName]), [['/messages/3/content', 'query_db']])
  const out = r.body as ReturnType<typeof openaiChatBody>
  t.deepEqual(out.messages[2], input.messages[2])
  t.is(out.messages[3].tool_call_id, 'call_1')
})

test('OpenAI Responses body: function_call_output compressed; reasoning and phase kept', (t) => {
  const input = responsesBody()
  const r = compress(input)
  t.is(r.provider, 'openai-responses')
  t.deepEqual(r.transforms.map((x) => [x.path, x.toolName]), [['/input/3/output', 'query_db']])
  const out = r.body as ReturnType<typeof responsesBody>
  t.deepEqual(out.input[1], input.input[1])
  t.deepEqual(out.input[2], input.input[2])
  t.is(r.skipped.find((s) => s.path === '/input/1')?.reason, 'thinking')
})

test('a bare message array comes back as messages', (t) => {
  const r = compress(openaiChatBody().messages as Message[])
  t.true(Array.isArray(r.messages))
  t.is(r.body, undefined)
  t.is(r.transforms.length, 1)
})

test('list-content tool_result text blocks are compressed; images inside are not', (t) => {
  const body = anthropicBody()
  const block = body.messages[2].content[0] as Record<string, unknown>
  block.content = [
    { type: 'text', text: toolOutput('metrics_data.json') },
    { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
  ]
  const r = compress(body)
  t.deepEqual(r.transforms.map((x) => x.path), ['/messages/2/content/0/content/0/text'])
  t.is(r.skipped.find((s) => s.path === '/messages/2/content/0/content/1')?.reason, 'media')
})

test('error outputs stay verbatim', (t) => {
  const body = anthropicBody()
  ;(body.messages[2].content[0] as Record<string, unknown>).is_error = true
  const r = compress(body)
  t.is(r.transforms.length, 0)
  t.is(r.skipped.find((s) => s.path === '/messages/2/content/0/content')?.reason, 'error_output')
})

test('protect.tools and protect.recentMessages are honoured', (t) => {
  const r1 = compress(anthropicBody(), { protect: { tools: ['QUERY_*'] } })
  t.is(r1.transforms.length, 0)
  t.is(r1.skipped.find((s) => s.reason === 'excluded_tool')?.detail, 'query_db')
  const r2 = compress(anthropicBody(), { protect: { recentMessages: 1 } })
  t.is(r2.transforms.length, 0)
  t.truthy(r2.skipped.find((s) => s.reason === 'protected_recent'))
})

test('minTokens: small outputs are left alone', (t) => {
  const r = compress(anthropicBody('{\n  "ok": true\n}'))
  t.is(r.transforms.length, 0)
  t.is(r.skipped.find((s) => s.path === '/messages/2/content/0/content')?.reason, 'below_min_tokens')
  const r2 = compress(anthropicBody(toolOutput()), { minTokens: 1_000_000 })
  t.is(r2.transforms.length, 0)
})

test('unknown block types pass through byte-identical and are reported', (t) => {
  const body = anthropicBody() as unknown as { messages: { content: unknown[] }[] }
  body.messages[1].content.push({ type: 'foo_2027', payload: { x: [1, 2, 3] }, weird: '日本' })
  body.messages[1].content.push({ type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: { q: 'x' } })
  const r = compress(body as unknown as RequestBody)
  const out = r.body as unknown as typeof body
  t.deepEqual(out.messages[1].content[3], body.messages[1].content[3])
  t.deepEqual(out.messages[1].content[4], body.messages[1].content[4])
  t.is(r.skipped.find((s) => s.path === '/messages/1/content/3')?.detail, 'foo_2027')
  t.is(r.skipped.find((s) => s.path === '/messages/1/content/3')?.reason, 'unknown_block_type')
  t.is(r.skipped.find((s) => s.path === '/messages/1/content/4')?.reason, 'server_tool')
})

test('compressBody: bytes outside the edited block are identical; no edit = identical body', (t) => {
  // Odd formatting, key order, non-ASCII, 1.0 and a big integer must all survive.
  const raw = Buffer.from(
    `{"z":1.0,"big":12345678901234567890123,"model":"gpt-4o" , "messages":[{"role":"user","content":"héllo 🌍"},` +
      `{"role":"assistant","tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{}"}}]},` +
      `{"role":"tool","tool_call_id":"c1","content":${JSON.stringify(toolOutput())}}],"a":[ ]}`,
  )
  // retrieve: false keeps this about byte fidelity (no tool is added to the body).
  const { body, report } = compressBody(raw, { retrieve: false })
  t.is(report.transforms.length, 1, JSON.stringify(report.skipped.find((s) => s.path === '/messages/2/content')))
  const start = raw.indexOf('"content":"[') + '"content":'.length
  const endTail = raw.lastIndexOf('}],"a":[ ]}')
  t.deepEqual(body.subarray(0, start), raw.subarray(0, start))
  t.deepEqual(body.subarray(body.length - (raw.length - endTail)), raw.subarray(endTail))

  const untouched = Buffer.from(`{"model":"gpt-4o","messages":[{"role":"user","content":"1.0 \\u00e9"}],"x":1.0}`)
  const same = compressBody(untouched)
  t.is(sha(same.body), sha(untouched))
  t.is(same.report.transforms.length, 0)
})

test('deterministic: same input, same bytes', (t) => {
  const a = compressBody(JSON.stringify(anthropicBody()))
  const b = compressBody(JSON.stringify(anthropicBody()))
  t.is(sha(a.body), sha(b.body))
})

test('history is immutable: turn N+1 starts with turn N compressed messages, byte for byte', (t) => {
  // Simulate a growing Claude-Code-style session: every turn resends the whole history
  // uncompressed, moves the cache_control breakpoint to the newest tool result, and asks a
  // different question (so the default query changes).
  const outputs = ['database_rows_mixed.json', 'metrics_data.json', 'api_responses.json', 'log_entries.json']
  const history: { role: string; content: unknown }[] = []
  let previous: string[] | null = null
  outputs.forEach((name, i) => {
    history.push({ role: 'user', content: `question ${i}: what stands out in ${name}?` })
    history.push({ role: 'assistant', content: [{ type: 'tool_use', id: `toolu_${i}`, name: 'read', input: { name } }] })
    history.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: `toolu_${i}`, content: toolOutput(name) }] })
    const request = JSON.parse(JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 1000, messages: history }))
    const last = request.messages[request.messages.length - 1].content[0]
    last.cache_control = { type: 'ephemeral' }
    const r = compress(request as RequestBody, { query: `question ${i}` })
    const msgs = (r.body as { messages: { content: { cache_control?: unknown }[] | string }[] }).messages.map((m) => {
      const copy = JSON.parse(JSON.stringify(m))
      if (Array.isArray(copy.content)) for (const b of copy.content) delete b.cache_control
      return JSON.stringify(copy)
    })
    if (previous) t.deepEqual(msgs.slice(0, previous.length), previous, `turn ${i}`)
    t.is(r.transforms.length, i + 1)
    previous = msgs
  })
})

test('async variants match sync and run off the event loop', async (t) => {
  const body = openaiChatBody()
  const sync = compress(body)
  const p = compressAsync(body)
  let ticked = false
  setImmediate(() => (ticked = true))
  const asyncResult = await p
  t.deepEqual(asyncResult, sync)
  t.true(ticked)
  const b1 = compressBody(JSON.stringify(body))
  const b2 = await compressBodyAsync(JSON.stringify(body))
  t.is(sha(b1.body), sha(b2.body))
})

test('typed errors with stable codes, sync and async', async (t) => {
  const cases: [unknown, ErrorCode][] = [
    ['{"messages": [', 'INVALID_JSON'],
    ['{"model": "x"}', 'UNSUPPORTED_SHAPE'],
    ['42', 'UNSUPPORTED_SHAPE'],
    ['{"messages": {"role": "user"}}', 'UNSUPPORTED_SHAPE'],
    [Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), 'INVALID_UTF8'],
  ]
  for (const [input, code] of cases) {
    t.is(codeOf(() => compressBody(input as string)), code, String(input))
    const e2 = await t.throwsAsync(compressBodyAsync(input as string), { instanceOf: HeadroomError })
    t.is((e2 as HeadroomError).code, code)
  }
  t.is(codeOf(() => compress(anthropicBody(), { mode: 'extreme' as 'lossless' })), 'INVALID_OPTION')
  t.is(codeOf(() => compress(anthropicBody(), { nope: 1 } as object)), 'INVALID_OPTION')
  t.is(codeOf(() => compress('text' as unknown as Message[])), 'INVALID_ARGUMENT')
  const big = Buffer.alloc(1024, 0x20)
  t.is(codeOf(() => compressBody(big, { maxInputBytes: 100 })), 'INPUT_TOO_LARGE')
  await t.throwsAsync(compressAsync({ model: 'x' } as RequestBody), { code: 'UNSUPPORTED_SHAPE' } as never)
})

test('bad input never crashes: deep nesting, huge strings, huge arrays', (t) => {
  const deep = '['.repeat(10_000) + ']'.repeat(10_000)
  t.is(codeOf(() => compressBody(deep)), 'NESTING_TOO_DEEP')
  const deepInTool = openaiChatBody(deep)
  const r = compress(deepInTool)
  t.is(r.transforms.length, 0)
  const huge = 'x'.repeat(50 * 1024 * 1024)
  const r2 = compressBody(JSON.stringify(openaiChatBody(huge)))
  t.is(r2.report.transforms.length, 0)
  const manyTiny = JSON.stringify({ messages: Array.from({ length: 100_000 }, () => ({ role: 'user', content: 'a' })) })
  t.is(compressBody(manyTiny).report.skipped.length, 100_000)
})

test('compressText routes by content type and never inflates', (t) => {
  const lossless = compressText(toolOutput('api_responses.json'), { mode: 'lossless' })
  t.is(lossless.contentType, 'json')
  t.regex(lossless.strategy ?? '', /^json:(table|minify)$/)
  t.deepEqual(lossless.hashes, [])
  t.true(lossless.tokensAfter < lossless.tokensBefore)
  const balanced = compressText(toolOutput('api_responses.json'))
  t.true(balanced.tokensAfter < lossless.tokensAfter)
  t.deepEqual([...new Set(findMarkers(balanced.text))], balanced.hashes)
  const prose = compressText('Just a sentence.')
  t.is(prose.text, 'Just a sentence.')
  t.is(prose.reason, 'below_min_tokens')
})

test('countMessageTokens includes per-message framing', (t) => {
  const msgs = [
    { role: 'system', content: 'You are helpful.' },
    { role: 'user', content: 'Hello there' },
  ]
  // OpenAI cookbook rule: 3 per message + role + content, +3 reply priming.
  const expected = msgs.reduce((n, m) => n + 3 + countTokens(m.role) + countTokens(m.content), 3)
  t.is(countMessageTokens(msgs, 'gpt-4o'), expected)
  const r = compress(openaiChatBody())
  t.is(r.tokensBefore, countMessageTokens(openaiChatBody(), 'gpt-4o'))
  t.is(r.tokensAfter, countMessageTokens(r.body as RequestBody, 'gpt-4o'), 'exact, retrieve tool included')
})

test('MARKER_PATTERN is the one grammar; group 1 is the hash', (t) => {
  const m = '[85 of 100 rows omitted: 83 status=ok, 2 status=retry; retrieve hash=3f2a9c0d1e4b5a69]'
  t.is(MARKER_PATTERN.exec(m)?.[1], '3f2a9c0d1e4b5a69')
  t.deepEqual(findMarkers(`a ${m} b ${m.replace('3f2a', '0000')}`), ['3f2a9c0d1e4b5a69', '00009c0d1e4b5a69'])
  t.is(MARKER_PATTERN.exec('[85 rows omitted]'), null)
})

test('text that already carries a marker is never compressed again', (t) => {
  const marked = toolOutput() + '\n[3 of 10 rows omitted; retrieve hash=0123456789abcdef]'
  const r = compress(openaiChatBody(marked))
  t.is(r.transforms.length, 0)
  t.is(r.skipped.find((s) => s.path === '/messages/3/content')?.reason, 'already_compressed')
})

test('a Rust panic becomes an INTERNAL error, sync and inside a libuv task; the process survives', async (t) => {
  // The probe is a native diagnostics export, not part of the typed API.
  const native = require('../binding.js') as {
    internalPanicProbe(kind: string): void
    internalPanicProbeAsync(): Promise<string>
  }
  const e = t.throws(() => native.internalPanicProbe('sync')) as Error & { code?: string }
  t.is(e.code, 'INTERNAL')
  t.regex(e.message, /panic/)
  const envelope = JSON.parse(await native.internalPanicProbeAsync())
  t.is(envelope.error.code, 'INTERNAL')
  t.regex(envelope.error.message, /panic probe \(async\)/)
  t.is(countTokens('still alive'), 2)
})

test('an aborted async call rejects and leaves the addon usable', async (t) => {
  const controller = new AbortController()
  controller.abort()
  const e = await t.throwsAsync(compressAsync(openaiChatBody(), undefined, controller.signal), { any: true })
  t.is((e as { name?: string }).name, 'AbortError')
  t.is((await compressAsync(openaiChatBody())).transforms.length, 1)
})

test('the TypeScript unions list exactly the reasons and codes the native code reports', (t) => {
  const native = require('../binding.js') as { skipReasons(): string[]; errorCodes(): string[] }
  t.deepEqual([...SKIP_REASONS].sort(), native.skipReasons().sort())
  t.deepEqual([...ERROR_CODES].sort(), native.errorCodes().sort())
})

test('headroomRetrieveTool: one tool, three formats, hash required', (t) => {
  const a = headroomRetrieveTool('anthropic') as { name: string; input_schema: { required: string[] } }
  t.is(a.name, 'headroom_retrieve')
  t.deepEqual(a.input_schema.required, ['hash'])
  const o = headroomRetrieveTool('openai') as { type: string; function: { name: string; parameters: unknown } }
  t.is(o.function.name, 'headroom_retrieve')
  t.deepEqual(o.function.parameters, a.input_schema)
  const r = headroomRetrieveTool('openai-responses') as { name: string; parameters: unknown }
  t.is(r.name, 'headroom_retrieve')
  t.is(t.throws(() => headroomRetrieveTool('gemini' as 'openai'))?.name, 'HeadroomError')
})

test('compressTextAsync matches compressText', async (t) => {
  const text = toolOutput('log_entries.json')
  t.deepEqual(await compressTextAsync(text), compressText(text))
  await t.throwsAsync(compressTextAsync(text, { mode: 'nope' as 'lossless' }), { instanceOf: HeadroomError })
})
