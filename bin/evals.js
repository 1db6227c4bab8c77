'use strict'
// `headroom evals`: the LLM-judged accuracy harness. For SQuAD v1.1 questions, asks a real
// model the same question over the original context and over its compressed form, scores
// both answers against the gold answers (SQuAD exact match and token F1, deterministic) and
// asks the model to judge each answer against the gold answers (the LLM judgement), then
// reports accuracy on original vs compressed context and the tokens saved.
//
// It needs a provider key and network, so it never runs in CI here and no result of it is
// claimed until someone has run it. `--base-url` points it at any compatible endpoint (the
// tests point it at a local fake provider).
//
//   headroom evals --provider anthropic|openai --model ID [--base-url URL] [--limit N]
//                  [--mode balanced|aggressive] [--no-query] [--paragraphs N] [--out FILE]
const fs = require('node:fs')
const path = require('node:path')

const DEFAULT_BASE = { anthropic: 'https://api.anthropic.com', openai: 'https://api.openai.com' }
const KEY_ENV = { anthropic: 'ANTHROPIC_API_KEY', openai: 'OPENAI_API_KEY' }

/** SQuAD's answer normalisation: lower case, no punctuation, no articles, single spaces. */
function normalize(s) {
  return s
    .toLowerCase()
    .replace(/[\p{P}\p{S}]/gu, ' ')
    .replace(/\b(a|an|the)\b/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
}

/** SQuAD token F1 of `prediction` against one gold answer. */
function f1(prediction, gold) {
  const p = normalize(prediction).split(' ').filter(Boolean)
  const g = normalize(gold).split(' ').filter(Boolean)
  if (!p.length || !g.length) return p.length === g.length ? 1 : 0
  const counts = new Map()
  for (const t of g) counts.set(t, (counts.get(t) || 0) + 1)
  let same = 0
  for (const t of p) {
    const c = counts.get(t) || 0
    if (c > 0) {
      same++
      counts.set(t, c - 1)
    }
  }
  if (!same) return 0
  const precision = same / p.length
  const recall = same / g.length
  return (2 * precision * recall) / (precision + recall)
}

/** Best exact match and F1 over the gold answers. */
function score(prediction, golds) {
  return {
    em: golds.some((g) => normalize(g) === normalize(prediction)) ? 1 : 0,
    f1: Math.max(0, ...golds.map((g) => f1(prediction, g))),
  }
}

/** Questions over SQuAD documents: the first `paragraphs` paragraphs of each article. */
function squadItems(corpus, paragraphs, limit) {
  const file = path.join(corpus, 'squad', 'dev-v1.1.json')
  if (!fs.existsSync(file)) throw Object.assign(new Error(`SQuAD not found at ${file} (set HEADROOM_CORPUS)`), { code: 'INVALID_ARGUMENT' })
  const data = JSON.parse(fs.readFileSync(file, 'utf8')).data
  const items = []
  for (const article of data) {
    const ps = article.paragraphs.slice(0, paragraphs)
    const context = ps.map((p) => p.context).join('\n\n')
    for (const p of ps) {
      const qa = p.qas[0]
      items.push({ id: qa.id, context, question: qa.question, answers: qa.answers.map((a) => a.text) })
      if (items.length >= limit) return items
    }
  }
  return items
}

/** One chat call; returns the model's text. */
async function ask({ provider, model, baseUrl, key }, system, user) {
  const base = (baseUrl || DEFAULT_BASE[provider]).replace(/\/+$/, '')
  let res
  if (provider === 'anthropic') {
    res = await fetch(`${base}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': key, 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model, max_tokens: 200, temperature: 0, system, messages: [{ role: 'user', content: user }] }),
    })
  } else {
    res = await fetch(`${base}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ model, max_tokens: 200, temperature: 0, messages: [{ role: 'system', content: system }, { role: 'user', content: user }] }),
    })
  }
  const body = await res.text()
  if (!res.ok) throw Object.assign(new Error(`${provider} ${res.status}: ${body.slice(0, 300)}`), { code: 'UPSTREAM' })
  const json = JSON.parse(body)
  const text = provider === 'anthropic' ? (json.content || []).filter((b) => b.type === 'text').map((b) => b.text).join('') : json.choices?.[0]?.message?.content || ''
  return text.trim()
}

const ANSWER_SYSTEM =
  'Answer the question from the context only. Reply with the shortest span of the context that answers it, nothing else. ' +
  'Parts of the context may be elided behind markers like [N of M sentences omitted ...]; if the answer is not in what you can see, reply "unknown".'
const JUDGE_SYSTEM = 'You grade answers. Reply with exactly "yes" if the answer means the same as one of the reference answers, else "no".'

/**
 * Runs the harness. `hr` is the headroom-native module. Returns the summary (also written to
 * `out` when given).
 */
async function runEvals(hr, opts) {
  const provider = opts.provider
  if (provider !== 'anthropic' && provider !== 'openai') throw Object.assign(new Error('--provider must be anthropic or openai'), { code: 'INVALID_ARGUMENT' })
  if (!opts.model) throw Object.assign(new Error('--model is required'), { code: 'INVALID_ARGUMENT' })
  const key = process.env[KEY_ENV[provider]]
  if (!key) throw Object.assign(new Error(`${KEY_ENV[provider]} is not set: the harness calls a real model`), { code: 'INVALID_ARGUMENT' })
  const api = { provider, model: opts.model, baseUrl: opts.baseUrl, key }
  const corpus = opts.corpus || process.env.HEADROOM_CORPUS || path.join(__dirname, '..', '..', 'shared', 'corpus')
  const items = squadItems(corpus, opts.paragraphs || 5, opts.limit || 50)
  const mode = opts.mode || 'balanced'
  const store = hr.Store.memory()
  const sides = { original: { em: 0, f1: 0, judged: 0, tokens: 0 }, compressed: { em: 0, f1: 0, judged: 0, tokens: 0 } }
  const rows = []
  for (const [i, item] of items.entries()) {
    const r = hr.compressText(item.context, { mode, store, query: opts.noQuery ? undefined : item.question, model: 'gpt-4o' })
    const contexts = { original: item.context, compressed: r.text }
    const row = { id: item.id, question: item.question, answers: item.answers, strategy: r.strategy || null }
    for (const side of ['original', 'compressed']) {
      const answer = await ask(api, ANSWER_SYSTEM, `Context:\n${contexts[side]}\n\nQuestion: ${item.question}`)
      const s = score(answer, item.answers)
      const verdict = await ask(api, JUDGE_SYSTEM, `Question: ${item.question}\nReference answers: ${item.answers.join(' | ')}\nAnswer: ${answer}`)
      const judged = /^\s*yes\b/i.test(verdict) ? 1 : 0
      sides[side].em += s.em
      sides[side].f1 += s.f1
      sides[side].judged += judged
      sides[side].tokens += side === 'original' ? r.tokensBefore : r.tokensAfter
      row[side] = { answer, ...s, judged }
    }
    rows.push(row)
    if (opts.progress) opts.progress(i + 1, items.length)
  }
  store.close()
  const n = items.length
  const summary = {
    provider,
    model: opts.model,
    mode,
    query: !opts.noQuery,
    questions: n,
    original: { exactMatch: sides.original.em / n, f1: sides.original.f1 / n, judgedCorrect: sides.original.judged / n, tokens: sides.original.tokens },
    compressed: { exactMatch: sides.compressed.em / n, f1: sides.compressed.f1 / n, judgedCorrect: sides.compressed.judged / n, tokens: sides.compressed.tokens },
    rows,
  }
  if (opts.out) fs.writeFileSync(opts.out, JSON.stringify(summary, null, 2) + '\n')
  return summary
}

module.exports = { runEvals, score, normalize }
