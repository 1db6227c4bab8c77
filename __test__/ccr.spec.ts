import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import test from 'ava'

import {
  appendItems,
  compress,
  compressBody,
  checkNoSilentLoss,
  findMarkers,
  headroomRetrieveTool,
  HeadroomError,
  resolveRetrieveCalls,
  retrieve,
  Store,
  type RequestBody,
} from '../index'
import { anthropicBody, openaiChatBody, responsesBody, toolOutput } from './fixtures'

function toolText(body: RequestBody, provider: 'anthropic' | 'openai' | 'openai-responses'): string {
  const b = body as any
  if (provider === 'anthropic') return b.messages[2].content[0].content
  if (provider === 'openai') return b.messages[3].content
  return b.input[3].output
}

for (const [provider, make] of [
  ['anthropic', anthropicBody],
  ['openai', openaiChatBody],
  ['openai-responses', responsesBody],
] as const) {
  test(`${provider}: compress → marker → simulated retrieve call → the exact original`, (t) => {
    const store = Store.memory()
    const original = toolOutput('api_responses.json')
    const r = compress(make(original) as RequestBody, { store })
    t.is(r.provider, provider)
    const text = toolText(r.body as RequestBody, provider)
    const hashes = findMarkers(text)
    t.true(hashes.length > 0, 'balanced mode samples this array')
    t.true(r.transforms[0].tokensAfter * 3 < r.transforms[0].tokensBefore)
    t.is(checkNoSilentLoss(original, text, { store }).hashes.length, 1)
    // The tool to redeem markers rides along, in the provider's format, exactly once.
    t.is(r.retrieveTool, 'added')
    const tools = (r.body as { tools: unknown[] }).tools
    t.deepEqual(tools[tools.length - 1], headroomRetrieveTool(provider))
    // A model turn that calls the tool with the marker's hash.
    const call =
      provider === 'anthropic'
        ? { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_r', name: 'headroom_retrieve', input: { hash: hashes[0] } }] }
        : provider === 'openai'
          ? { choices: [{ message: { role: 'assistant', tool_calls: [{ id: 'call_r', type: 'function', function: { name: 'headroom_retrieve', arguments: JSON.stringify({ hash: hashes[0] }) } }] } }] }
          : { output: [{ type: 'function_call', call_id: 'call_r', name: 'headroom_retrieve', arguments: JSON.stringify({ hash: hashes[0] }) }] }
    const res = resolveRetrieveCalls(call, { store })
    t.is(res.provider, provider)
    t.is(res.resolved.length, 1)
    const answer =
      provider === 'anthropic' ? (res.results[0] as any).content[0].content : provider === 'openai' ? (res.results[0] as any).content : (res.results[0] as any).output
    t.is(answer, original)
    t.is(store.get(hashes[0]).toString('utf8'), original)
  })
}

test('retrieve with a query returns only the matching rows and says how many', (t) => {
  const store = Store.memory()
  const original = toolOutput('api_responses.json')
  const hash = store.put(original)
  const all = JSON.parse(original) as unknown[]
  const r = retrieve(hash, { query: 'inactive', store })
  t.is(r.unit, 'rows')
  t.is(r.totalUnits, all.length)
  t.true(r.matchedUnits > 0 && r.matchedUnits < all.length)
  const rows = JSON.parse(r.text) as { attributes: { status: string } }[]
  t.is(rows.length, r.matchedUnits)
  t.true(rows.every((row) => JSON.stringify(row).includes('inactive')))
})

test('unknown and expired hashes are typed, final errors; answered (not thrown) inside retrieve calls', (t) => {
  const store = Store.memory()
  const e = t.throws(() => store.get('0123456789abcdef'), { instanceOf: HeadroomError }) as HeadroomError
  t.is(e.code, 'UNKNOWN_HASH')
  t.regex(e.message, /do not retry/)
  const hash = store.put('some original')
  t.is(store.purge('all'), 1)
  const e2 = t.throws(() => store.get(hash), { instanceOf: HeadroomError }) as HeadroomError
  t.is(e2.code, 'EXPIRED')
  const res = resolveRetrieveCalls(
    { content: [{ type: 'tool_use', id: 't1', name: 'headroom_retrieve', input: { hash } }, { type: 'tool_use', id: 't2', name: 'bash', input: {} }] },
    { store },
  )
  t.deepEqual(res.otherCalls, ['t2'])
  const block = (res.results[0] as any).content[0]
  t.true(block.is_error)
  t.regex(block.content, /EXPIRED/)
})

test('retrieve: false and lossless mode never emit a marker', (t) => {
  const store = Store.memory()
  for (const opts of [{ retrieve: false }, { mode: 'lossless' as const }]) {
    const r = compress(anthropicBody(toolOutput('api_responses.json')) as RequestBody, { ...opts, store })
    t.is(r.transforms.length, 1)
    t.deepEqual(r.transforms[0].hashes, [])
    t.is(r.retrieveTool, undefined)
    t.deepEqual(findMarkers(JSON.stringify(r.body)), [])
  }
  t.is(store.stats().entries, 0)
})

test('a bare message array says the retrieve tool is needed', (t) => {
  const r = compress(openaiChatBody(toolOutput('api_responses.json')).messages, { store: Store.memory() })
  t.is(r.retrieveTool, 'needed')
  t.deepEqual(r.retrieveToolDefinition, headroomRetrieveTool('openai'))
})

test('two processes share one store file: each reads what the other stored, byte-exact', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-ccr-'))
  const file = path.join(dir, 'ccr.sqlite')
  const index = path.resolve(__dirname, '..', 'index.js')
  const child = (script: string) => {
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, HEADROOM_STORE: file } })
    t.is(r.status, 0, r.stderr)
    return r.stdout.trim()
  }
  const original = toolOutput('log_entries.json')
  // Process A compresses with the default store (the file); process B retrieves.
  const a = child(`
    const hr = require(${JSON.stringify(index)})
    const body = ${JSON.stringify(JSON.stringify(anthropicBody(original)))}
    const out = hr.compressBody(body)
    process.stdout.write(JSON.stringify(out.report.transforms[0].hashes))`)
  const hashes = JSON.parse(a) as string[]
  t.is(hashes.length, 1)
  const b = child(`
    const hr = require(${JSON.stringify(index)})
    process.stdout.write(hr.Store.default().get(${JSON.stringify(hashes[0])}).toString('base64'))`)
  t.is(Buffer.from(b, 'base64').toString('utf8'), original)
  const mode = fs.statSync(file).mode & 0o777
  t.is(mode, 0o600)
  // And this process, with its own handle on the file, sees it too.
  const store = Store.open(file)
  t.is(store.get(hashes[0]).toString('utf8'), original)
  t.is(store.path, file)
  store.close()
  t.is((t.throws(() => store.get(hashes[0])) as HeadroomError).code, 'STORE_ERROR')
})

test('compressBody output keeps markers retrievable from the default store', (t) => {
  const original = toolOutput('metrics_data.json')
  const out = compressBody(JSON.stringify(anthropicBody(original)))
  const hash = out.report.transforms[0].hashes[0]
  t.truthy(hash)
  t.is(Store.default().get(hash).toString('utf8'), original)
})

test('store stats count originals and remembered forms', (t) => {
  const store = Store.memory()
  compress(anthropicBody(toolOutput('api_responses.json')) as RequestBody, { store })
  const s = store.stats()
  t.is(s.entries, 1)
  t.is(s.memoEntries, 1)
  t.true(s.memoBytes > 0)
  t.is(s.path, null)
})

test('appendItems continues a body by byte splice and refuses what it cannot continue', (t) => {
  const body = Buffer.from('{"model":"m","messages":[{"role":"user","content":"x","n":1.0}],"big":12345678901234567890}')
  const out = appendItems(body, [{ role: 'assistant', content: 'y' }])
  t.is(out.toString('utf8'), '{"model":"m","messages":[{"role":"user","content":"x","n":1.0},{"role":"assistant","content":"y"}],"big":12345678901234567890}')
  t.is(appendItems('{"input":"hi"}', [{ type: 'x' }]).toString('utf8'), '{"input":[{"role":"user","content":"hi"},{"type":"x"}]}')
  t.is(t.throws<HeadroomError>(() => appendItems('{"messages":', []))?.code, 'INVALID_JSON')
  t.is(t.throws<HeadroomError>(() => appendItems('{"model":"m"}', []))?.code, 'UNSUPPORTED_SHAPE')
  t.is(t.throws<HeadroomError>(() => appendItems(Buffer.from([0x7b, 0xff, 0x7d]), []))?.code, 'INVALID_JSON')
  t.is(t.throws<HeadroomError>(() => appendItems('{"messages":[]}', 'x' as never))?.code, 'INVALID_ARGUMENT')
})
