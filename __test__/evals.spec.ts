// The LLM-judged harness (`headroom evals`) end to end against a local fake provider: the
// real harness, real SQuAD questions, real compression; only the model is a stand-in (a
// word-overlap reader and a substring judge), since no provider is reachable here.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import test from 'ava'

import * as hr from '../index'

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { runEvals, score } = require('../bin/evals.js')

interface Seen {
  path: string
  auth: string
  model: string
  user: string
}

/** The stand-in reader: the 4 words after the first question word found in the context. */
function read(user: string): string {
  const [context, question] = user.replace(/^Context:\n/, '').split('\n\nQuestion: ')
  const words = question.toLowerCase().match(/[a-z]{4,}/g) ?? []
  for (const w of words) {
    const at = context.toLowerCase().indexOf(w)
    if (at >= 0) return context.slice(at).split(/\s+/).slice(1, 5).join(' ')
  }
  return 'unknown'
}

/** The stand-in judge: yes when the answer contains a reference answer. */
function judge(user: string): string {
  const refs = /Reference answers: (.*)\n/.exec(user)![1].split(' | ')
  const answer = /\nAnswer: ([\s\S]*)$/.exec(user)![1].toLowerCase()
  return refs.some((r) => answer.includes(r.toLowerCase())) ? 'yes' : 'no'
}

async function fakeProvider(seen: Seen[]) {
  const server = http.createServer((req, res) => {
    let body = ''
    req.on('data', (c) => (body += c))
    req.on('end', () => {
      const j = JSON.parse(body)
      const user: string = j.messages[j.messages.length - 1].content
      const system: string = j.system ?? j.messages[0].content
      seen.push({ path: req.url!, auth: String(req.headers['x-api-key'] ?? req.headers.authorization), model: j.model, user })
      const text = system.startsWith('You grade') ? judge(user) : read(user)
      res.setHeader('content-type', 'application/json')
      if (req.url === '/v1/messages') res.end(JSON.stringify({ type: 'message', role: 'assistant', content: [{ type: 'text', text }], stop_reason: 'end_turn' }))
      else res.end(JSON.stringify({ choices: [{ message: { role: 'assistant', content: text } }] }))
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }
}

for (const provider of ['openai', 'anthropic'] as const) {
  test.serial(`evals (${provider}): both contexts asked and judged, scores consistent, compressed context smaller`, async (t) => {
    const seen: Seen[] = []
    const { server, url } = await fakeProvider(seen)
    process.env[provider === 'openai' ? 'OPENAI_API_KEY' : 'ANTHROPIC_API_KEY'] = 'test-key'
    try {
      const s = await runEvals(hr, { provider, model: 'stand-in', baseUrl: url, limit: 8, paragraphs: 5, mode: 'aggressive' })
      t.is(s.questions, 8)
      // Per question and side: one answer call and one judge call.
      t.is(seen.length, 8 * 2 * 2)
      t.true(seen.every((x) => x.model === 'stand-in' && x.auth.includes('test-key')))
      t.true(seen.every((x) => x.path === (provider === 'openai' ? '/v1/chat/completions' : '/v1/messages')))
      t.true(s.compressed.tokens < s.original.tokens, 'the compressed contexts are smaller')
      // The compressed context the model saw carries markers.
      t.true(seen.some((x) => x.user.startsWith('Context:') && hr.findMarkers(x.user).length > 0))
      for (const side of ['original', 'compressed'] as const) {
        const judged = s.rows.filter((r: Record<string, { judged: number }>) => r[side].judged).length
        t.is(s[side].judgedCorrect, judged / 8)
        for (const r of s.rows) t.deepEqual(score(r[side].answer, r.answers), { em: r[side].em, f1: r[side].f1 })
      }
    } finally {
      server.close()
    }
  })
}

test('evals: SQuAD scoring (normalisation, exact match, token F1)', (t) => {
  t.deepEqual(score('The Denver Broncos!', ['Denver Broncos']), { em: 1, f1: 1 })
  const partial = score('Broncos of Denver', ['Denver Broncos'])
  t.is(partial.em, 0)
  t.true(Math.abs(partial.f1 - 0.8) < 1e-9)
  t.deepEqual(score('unknown', ['Santa Clara']), { em: 0, f1: 0 })
})

test.serial('evals: refuses to run without a key or a provider', async (t) => {
  delete process.env.OPENAI_API_KEY
  await t.throwsAsync(() => runEvals(hr, { provider: 'openai', model: 'm' }), { message: /OPENAI_API_KEY/ })
  await t.throwsAsync(() => runEvals(hr, { provider: 'gemini', model: 'm' }), { message: /--provider/ })
})
