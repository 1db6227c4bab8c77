#!/usr/bin/env node
'use strict'
// The `headroom` command line.
//   headroom demo [--mode M] [--model M] [--dir DIR]   compress real sample data, print tokens before/after
//   headroom compress [FILE] [--mode M] [--model M]    compress a request body (stdin if no FILE) → stdout; report → stderr
//   headroom count [FILE] [--model M]                  count the tokens of a text file
//   headroom detect [FILE]                             detect the content type of a file
//   headroom retrieve HASH [--query WORDS]             print the original behind a marker (default store)
//   headroom evals --provider P --model ID [...]       LLM-judged accuracy, original vs compressed (needs a key)
//   headroom proxy [--host H] [--port P] [--token T] [...] the compressing proxy (see README)
//   headroom wrap claude|codex|aider [--no-compress] [--no-websockets] [proxy flags] [-- agent args]   an agent through the proxy
const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')
const { parseArgs } = require('node:util')
const hr = require('../index.js')

const USAGE = `usage:
  headroom demo [--mode lossless|balanced|aggressive] [--model ID] [--dir DIR]
  headroom compress [FILE] [--mode M] [--model ID]   (request body JSON; stdin when no FILE)
  headroom count [FILE] [--model ID]
  headroom detect [FILE]
  headroom retrieve HASH [--query WORDS]             (the original behind a marker, from the default store)
  headroom proxy [--host 127.0.0.1] [--port 8787] [--token T] [--upstream-anthropic URL] [--upstream-openai URL]
                 [--store sqlite:PATH|memory|redis://HOST:PORT] [--mode M] [--stabilize] [--log-level info|debug|warn|...]
                 [--protect-tools Bash,Read,...] [--min-tokens N] [--config FILE]
                                                     (each also HEADROOM_*; see README; JSON logs on stderr)
  headroom wrap claude|codex|aider [--no-compress] [--no-websockets] [--agent-bin PATH] [proxy flags] [-- agent args]
                                                     (starts or reuses a proxy, runs the agent against it)
  headroom wrap cursor [proxy flags]                 (prints the settings to make in Cursor)
  headroom evals --provider anthropic|openai --model ID [--base-url URL] [--limit N] [--paragraphs N]
                 [--mode balanced|aggressive] [--no-query] [--out FILE]
                                                     (LLM-judged SQuAD accuracy on original vs compressed
                                                      context; needs ANTHROPIC_API_KEY / OPENAI_API_KEY)`

function readInput(file) {
  return file ? fs.readFileSync(file) : fs.readFileSync(0)
}

function demoFiles(dir) {
  const candidates = [dir, process.env.HEADROOM_DEMO_DIR, path.join(__dirname, '..', '..', 'shared', 'corpus', 'headroom-generated')]
  for (const d of candidates) {
    if (d && fs.existsSync(d)) {
      const files = fs.readdirSync(d).filter((f) => f.endsWith('.json')).sort()
      if (files.length) return { dir: d, files }
    }
  }
  const d = path.join(__dirname, '..', 'examples')
  return { dir: d, files: fs.readdirSync(d).filter((f) => f.endsWith('.json')).sort() }
}

/**
 * Non-JSON samples of what agents read, where this machine has them: two real system logs
 * and a prose document from the shared corpus, this repository's own recent diff, and one of
 * its source files (shipped with the package).
 */
function textSamples() {
  const root = path.join(__dirname, '..')
  const corpus = path.join(root, '..', 'shared', 'corpus')
  const out = []
  for (const sys of ['HDFS', 'BGL']) {
    const f = path.join(corpus, 'loghub', sys, `${sys}_2k.log`)
    if (fs.existsSync(f)) out.push({ name: `loghub/${sys}_2k.log`, text: fs.readFileSync(f, 'utf8') })
  }
  const squad = path.join(corpus, 'squad', 'dev-v1.1.json')
  if (fs.existsSync(squad)) {
    const article = JSON.parse(fs.readFileSync(squad, 'utf8')).data[0]
    out.push({ name: `squad/${article.title} (20 paragraphs)`, text: article.paragraphs.slice(0, 20).map((p) => p.context).join('\n\n') })
  }
  const diff = spawnSync('git', ['log', '-p', '-n', '30', '--format=', '--', 'Cargo.lock', 'package.json', 'scripts'], { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 })
  if (diff.status === 0 && diff.stdout.length > 2000) out.push({ name: 'recent diffs of this repository', text: diff.stdout })
  const source = path.join(root, 'crates', 'headroom_store', 'src', 'store.rs')
  if (fs.existsSync(source)) out.push({ name: 'crates/headroom_store/src/store.rs', text: fs.readFileSync(source, 'utf8') })
  return out
}

/** Wraps a tool output as the newest turn of an Anthropic request (the way agents send it). */
function asAnthropicRequest(name, text) {
  return {
    model: 'claude-sonnet-4-5',
    max_tokens: 1024,
    messages: [
      { role: 'user', content: `Look at ${name} and summarise what matters.` },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_demo', name: 'read_data', input: { name } }] },
      {
        role: 'user',
        content: [{ type: 'tool_result', tool_use_id: 'toolu_demo', content: text, cache_control: { type: 'ephemeral' } }],
      },
    ],
  }
}

function demo(opts) {
  const { dir, files } = demoFiles(opts.dir)
  const compressOpts = { mode: opts.mode, model: opts.model }
  console.log(`headroom-native ${hr.nativeVersion}: compressing real samples: ${files.length} JSON tool outputs from ${path.relative(process.cwd(), dir) || dir}, then logs, prose, a diff and source code`)
  const w0 = process.hrtime.bigint()
  hr.warmup()
  const warm = Number(process.hrtime.bigint() - w0) / 1e6
  const store = hr.Store.default()
  console.log(`mode=${opts.mode || 'balanced'}, model=${opts.model || 'per request'}; CCR store: ${store.path || 'memory'}`)
  console.log(`tokenizer tables built in ${warm.toFixed(1)} ms (once per process)\n`)
  const rows = []
  let before = 0
  let after = 0
  let retrieved = 0
  const samples = [...files.map((f) => ({ name: f, text: fs.readFileSync(path.join(dir, f), 'utf8'), json: true })), ...textSamples()]
  for (const { name: f, text, json } of samples) {
    const parsed = json ? JSON.parse(text) : null
    const isConversation = Array.isArray(parsed) && parsed.length > 0 && parsed.every((m) => m && typeof m === 'object' && 'role' in m)
    const input = isConversation ? parsed : asAnthropicRequest(f, text)
    const t0 = process.hrtime.bigint()
    const r = hr.compress(input, compressOpts)
    const ms = Number(process.hrtime.bigint() - t0) / 1e6
    // Every marker must lead back to the byte-exact original.
    for (const t of r.transforms) {
      for (const h of t.hashes) {
        const original = store.get(h).toString('utf8') // throws if the hash does not resolve
        if (!isConversation && !t.strategy.startsWith('mixed(') && original !== text) throw new Error(`hash ${h} does not return the original`)
        retrieved++
      }
    }
    before += r.tokensBefore
    after += r.tokensAfter
    const strategies = [...new Set(r.transforms.map((t) => t.strategy))].join(',') || '-'
    const reasons = [...new Set(r.skipped.filter((s) => !['user_text', 'system_text', 'assistant_text', 'tool_call'].includes(s.reason)).map((s) => s.reason))].join(',')
    rows.push([f, r.provider, r.tokensBefore, r.tokensAfter, `${(r.compressionRatio * 100).toFixed(1)}%`, `${ms.toFixed(2)} ms`, strategies + (reasons ? ` (skipped: ${reasons})` : '')])
  }
  const head = ['input', 'shape', 'tokens before', 'tokens after', 'saved', 'time', 'strategies']
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)))
  const line = (r) => r.map((c, i) => (i >= 2 && i <= 5 ? String(c).padStart(widths[i]) : String(c).padEnd(widths[i]))).join('  ')
  console.log(line(head))
  console.log(widths.map((w) => '-'.repeat(w)).join('  '))
  rows.forEach((r) => console.log(line(r)))
  console.log(`\ntotal: ${before} → ${after} tokens (${(((before - after) / before) * 100).toFixed(1)}% saved; counts exact for OpenAI models, estimated for Claude: see models())`)
  console.log(`every elision is marked in place; ${retrieved} marker hash(es) retrieved back from the store, byte-exact`)
}

/** `headroom proxy`: runs until SIGINT/SIGTERM. Prints where it listens and the env lines. */
async function proxy(values) {
  const { resolveConfig } = require('../proxy/config.js')
  const { startProxy } = require('../proxy/server.js')
  const config = resolveConfig(values)
  const p = await startProxy(config)
  const auth = config.token ? `\nANTHROPIC_CUSTOM_HEADERS='x-headroom-token: <token>'   # the proxy's token; OpenAI SDKs: defaultHeaders` : ''
  console.log(`headroom proxy listening on ${p.url} (mode ${config.mode}; upstreams ${config.upstreamAnthropic}, ${config.upstreamOpenai})`)
  console.log(`point clients at it:\nANTHROPIC_BASE_URL=${p.url}\nOPENAI_BASE_URL=${p.url}/v1${auth}`)
  await new Promise((resolve) => {
    for (const sig of ['SIGINT', 'SIGTERM']) process.once(sig, resolve)
  })
  await p.close()
  return 0
}

/**
 * `headroom wrap AGENT [...] [-- agent args]`: starts (or reuses) a proxy, runs the agent
 * against it, stops the proxy it started; resolves to the agent's exit status. Messages go to
 * stderr (the agent owns stdout).
 */
async function wrap(argv) {
  const dd = argv.indexOf('--')
  const { values, positionals } = parseArgs({
    args: dd < 0 ? argv : argv.slice(0, dd),
    allowPositionals: true,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      token: { type: 'string' },
      'upstream-anthropic': { type: 'string' },
      'upstream-openai': { type: 'string' },
      store: { type: 'string' },
      mode: { type: 'string' },
      'protect-tools': { type: 'string' },
      'min-tokens': { type: 'string' },
      config: { type: 'string' },
      'no-compress': { type: 'boolean' },
      'no-websockets': { type: 'boolean' },
      'agent-bin': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  })
  if (values.help) {
    console.log(USAGE)
    return 0
  }
  const agentArgs = dd < 0 ? positionals.slice(1) : [...positionals.slice(1), ...argv.slice(dd + 1)]
  const w = require('../proxy/wrap.js')
  const { resolveConfig } = require('../proxy/config.js')
  const agent = positionals[0]
  const { 'no-compress': noCompress, 'no-websockets': noWebsockets, 'agent-bin': bin, help: _help, ...proxyFlags } = values
  const config = resolveConfig({ ...proxyFlags, compress: noCompress ? 'false' : undefined })
  if (agent === 'cursor') {
    console.log(w.cursorInstructions(w.localUrl(config.host, config.port), config.token))
    return 0
  }
  if (!agent || !w.isWrapAgent(agent)) {
    throw new w.WrapError('INVALID_ARGUMENT', `wrap needs an agent: claude, codex, aider or cursor (got ${JSON.stringify(agent ?? '')})`)
  }
  for (const r of w.recoverJournals()) console.error(`headroom wrap: ${r.action} ${r.path} (left by a wrap that did not finish)`)
  w.planLaunch(agent, { proxyUrl: 'http://127.0.0.1', token: config.token, args: agentArgs, bin }) // refuses before a proxy starts (aider + token)
  const px = await w.ensureProxy(config)
  try {
    const how = px.started ? `started, ${config.compress ? `mode ${config.mode}` : 'pass-through (--no-compress)'}` : 'reused'
    console.error(`headroom wrap: proxy ${px.url} (${how}); upstreams ${config.upstreamAnthropic}, ${config.upstreamOpenai}`)
    const plan = w.planLaunch(agent, { proxyUrl: px.url, token: config.token, args: agentArgs, bin, websockets: !noWebsockets })
    for (const n of plan.notes) console.error(`headroom wrap: ${n}`)
    return await w.runAgent(plan)
  } finally {
    if (px.started) {
      const s = px.started.stats
      // Unchanged: nothing to compress, bypassed, not a compressible route, or an error.
      console.error(`headroom wrap: ${s.requests} requests, ${s.compressed} compressed, ${s.requests - s.compressed} passed through unchanged; tokens ${s.tokensBefore} -> ${s.tokensAfter}`)
      await px.started.close()
    }
  }
}

/** `headroom evals`: see bin/evals.js. Resolves to the exit code. */
async function evals(values) {
  const { runEvals } = require('./evals.js')
  const summary = await runEvals(hr, {
    provider: values.provider,
    model: values.model,
    baseUrl: values['base-url'],
    limit: values.limit ? Number(values.limit) : undefined,
    paragraphs: values.paragraphs ? Number(values.paragraphs) : undefined,
    mode: values.mode,
    noQuery: values['no-query'],
    out: values.out,
    progress: (done, total) => process.stderr.write(`\r${done}/${total} questions`),
  })
  process.stderr.write('\n')
  const pct = (x) => `${(x * 100).toFixed(1)}%`
  console.log(`${summary.questions} SQuAD questions, ${summary.provider} ${summary.model}, mode ${summary.mode}, question as query: ${summary.query}`)
  for (const side of ['original', 'compressed']) {
    const s = summary[side]
    console.log(`${side.padEnd(10)} tokens ${String(s.tokens).padStart(8)}  exact match ${pct(s.exactMatch)}  F1 ${pct(s.f1)}  judged correct ${pct(s.judgedCorrect)}`)
  }
  return 0
}

function main(argv) {
  const [command, ...rest] = argv
  if (command === 'wrap') return wrap(rest)
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      mode: { type: 'string' },
      model: { type: 'string' },
      dir: { type: 'string' },
      query: { type: 'string' },
      provider: { type: 'string' },
      'base-url': { type: 'string' },
      limit: { type: 'string' },
      paragraphs: { type: 'string' },
      'no-query': { type: 'boolean' },
      out: { type: 'string' },
      host: { type: 'string' },
      port: { type: 'string' },
      token: { type: 'string' },
      'upstream-anthropic': { type: 'string' },
      'upstream-openai': { type: 'string' },
      store: { type: 'string' },
      config: { type: 'string' },
      stabilize: { type: 'boolean' },
      'log-level': { type: 'string' },
      'protect-tools': { type: 'string' },
      'min-tokens': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  })
  if (!command || values.help) {
    console.log(USAGE)
    return command ? 0 : 1
  }
  switch (command) {
    case 'demo':
      demo(values)
      return 0
    case 'compress': {
      const out = hr.compressBody(readInput(positionals[0]), { mode: values.mode, model: values.model })
      process.stdout.write(out.body)
      const { tokensBefore, tokensAfter, tokensSaved, transforms, skipped } = out.report
      console.error(JSON.stringify({ tokensBefore, tokensAfter, tokensSaved, transforms, skipped }, null, 2))
      return 0
    }
    case 'count':
      console.log(hr.countTokens(readInput(positionals[0]).toString('utf8'), values.model))
      return 0
    case 'retrieve': {
      if (!positionals[0]) throw Object.assign(new Error('retrieve needs a HASH'), { code: 'INVALID_ARGUMENT' })
      const r = hr.retrieve(positionals[0], { query: values.query })
      process.stdout.write(r.text)
      if (values.query) console.error(`[${r.matchedUnits} of ${r.totalUnits} ${r.unit} match ${JSON.stringify(values.query)}]`)
      return 0
    }
    case 'evals':
      return evals(values)
    case 'proxy':
      return proxy(values)
    case 'detect':
      console.log(JSON.stringify(hr.detectContentType(readInput(positionals[0]).toString('utf8'))))
      return 0
    default:
      console.error(`unknown command ${JSON.stringify(command)}\n${USAGE}`)
      return 1
  }
}

function fail(e) {
  console.error(`headroom: ${e.code ? `[${e.code}] ` : ''}${e.message}`)
  process.exitCode = 1
}

try {
  Promise.resolve(main(process.argv.slice(2))).then((code) => {
    process.exitCode = code
  }, fail)
} catch (e) {
  fail(e)
}
