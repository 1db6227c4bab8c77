// Proxy operations: structured logs with secrets redacted, security (token, Host header on
// management routes, no CORS, upstreams from config only, no link-local or metadata
// destinations; field-lessons G, cases 44-48), and /health staying responsive while 20
// clients send 8 MB bodies (field-lessons F, case 41).
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo, LookupFunction } from 'node:net'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { Writable } from 'node:stream'
import test from 'ava'
import type { DestinationStream } from 'pino'

import { readBody } from '../proxy/body'
import { ConfigError, resolveConfig } from '../proxy/config'
import { createLimiter, defaultCompressionConcurrency } from '../proxy/limit'
import { createLogger, redactHeaders, redactText, REDACTED } from '../proxy/log'
import { checkManagementRequest, FORBIDDEN_UPSTREAM, forbiddenDestination, guardedLookup, isAllowedHost, tokenMatches, upstreamTarget } from '../proxy/security'
import { type Proxy, startProxy } from '../proxy/server'
import { cliProxy } from './fake-provider'

const ROOT = path.resolve(__dirname, '..')
const CORPUS = path.resolve(ROOT, '..', 'shared', 'corpus', 'headroom-generated')
const TOOL_OUTPUT = fs.readFileSync(path.join(CORPUS, 'api_responses.json'), 'utf8')

interface Seen {
  method: string
  url: string
  headers: http.IncomingHttpHeaders
  bytes: number
  body: Buffer
}

/** A fake upstream answering at once; it records what it received (bodies over 1 MB are only counted). */
async function fakeUpstream(host = '127.0.0.1') {
  const seen: Seen[] = []
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    let bytes = 0
    req.on('data', (c: Buffer) => {
      bytes += c.length
      if (bytes <= 1 << 20) chunks.push(c)
    })
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, bytes, body: Buffer.concat(chunks) })
      res.writeHead(200, { 'content-type': 'application/json' })
      if (req.method === 'GET') return res.end('{"data":[{"id":"claude-test","type":"model"}],"has_more":false}')
      res.end('{"id":"msg_1","type":"message","role":"assistant","model":"claude-test","content":[{"type":"text","text":"ok"}],"stop_reason":"end_turn","usage":{"input_tokens":10,"output_tokens":1}}')
    })
  })
  await new Promise<void>((r) => server.listen(0, host, r))
  const port = (server.address() as AddressInfo).port
  return { seen, port, url: `http://127.0.0.1:${port}`, close: () => new Promise<void>((r) => server.close(() => r())) }
}

/** A pino destination that keeps every line. */
function capture(): { stream: DestinationStream; text: () => string; lines: () => Record<string, unknown>[] } {
  let text = ''
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      text += chunk.toString('utf8')
      cb()
    },
  })
  return {
    stream: stream as unknown as DestinationStream,
    text: () => text,
    lines: () =>
      text
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  }
}

interface Reply {
  status: number
  headers: http.IncomingHttpHeaders
  body: string
}

/** One request with exactly the headers given (Host included), over a fresh connection. */
function call(url: string, opts: { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer; agent?: http.Agent }): Promise<Reply> {
  const u = new URL(url)
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, method: opts.method ?? 'GET', path: opts.path, headers: opts.headers, agent: opts.agent ?? false }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(opts.body)
  })
}

async function setup(t: { teardown: (f: () => Promise<void>) => void }, flags: Record<string, string> = {}, logger?: ReturnType<typeof createLogger>) {
  const upstream = await fakeUpstream()
  const proxy: Proxy = await startProxy(resolveConfig({ port: '0', store: 'memory', 'upstream-anthropic': upstream.url, 'upstream-openai': upstream.url, ...flags }, {}), {
    logger: logger ?? createLogger({ level: 'silent' }),
  })
  t.teardown(async () => {
    await proxy.close()
    await upstream.close()
  })
  return { upstream, proxy, port: Number(new URL(proxy.url).port) }
}

function messagesBody(toolOutput: string): string {
  return JSON.stringify({
    model: 'claude-test',
    max_tokens: 64,
    messages: [
      { role: 'user', content: 'Which API users are inactive?' },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_01', name: 'api', input: { q: 'users' } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_01', content: toolOutput }] },
    ],
  })
}

// ---------------------------------------------------------------------------------------------
// Logs

/** One of every secret kind the logs must never show. */
const SECRETS = {
  proxyToken: 'hr-proxy-token-5f1c2a9e7b',
  anthropicKey: 'sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789',
  oauthToken: 'sk-ant-oat01-ZyXwVuTsRqPoNmLkJiHgFeDcBa9876543210',
  openaiKey: 'sk-proj-Q1w2E3r4T5y6U7i8O9p0AsDfGhJkL',
  awsKeyId: 'AKIAIOSFODNN7EXAMPLE',
  awsSecret: 'wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY',
  cookie: 'sessionid=c00k1e-v4lue-8d7e6f',
  customToken: 'ctok-31415926535897932384',
  underscoreToken: 'utok-27182818284590452353',
  googleKey: 'AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUv',
  bearerInline: 'opaque-bearer-value-161803398874',
  queryKey: 'qk-1414213562373095',
  wrongToken: 'wrong-token-guess-0987654321',
}

test('logs: one line per request with its fields, and no secret of any kind, at debug too', async (t) => {
  const out = capture()
  const logger = createLogger({ level: 'debug', destination: out.stream, secrets: [SECRETS.proxyToken] })
  const { proxy, upstream } = await setup(t, { token: SECRETS.proxyToken }, logger)
  const secretHeaders = {
    authorization: `Bearer ${SECRETS.oauthToken}`,
    'x-api-key': SECRETS.anthropicKey,
    'x-headroom-token': SECRETS.proxyToken,
    'proxy-authorization': `Bearer ${SECRETS.proxyToken}`,
    cookie: SECRETS.cookie,
    'x-custom-token': SECRETS.customToken,
    'x_session_token': SECRETS.underscoreToken,
    'x-goog-api-key': SECRETS.googleKey,
    'x-aws-secret-access-key': SECRETS.awsSecret,
    'user-agent': `agent/1.0 (key ${SECRETS.openaiKey}; id ${SECRETS.awsKeyId})`,
    'x-debug-note': `Bearer ${SECRETS.bearerInline}`,
    'anthropic-version': '2023-06-01',
    'content-type': 'application/json',
  }
  const compressed = await call(proxy.url, { method: 'POST', path: '/v1/messages', headers: secretHeaders, body: messagesBody(TOOL_OUTPUT) })
  t.is(compressed.status, 200)
  const bypassed = await call(proxy.url, { method: 'POST', path: '/v1/messages', headers: { ...secretHeaders, 'x-headroom-bypass': '1' }, body: messagesBody('short') })
  t.is(bypassed.status, 200)
  const models = await call(proxy.url, { path: `/v1/models?api_key=${SECRETS.queryKey}&limit=5`, headers: { 'x-headroom-token': SECRETS.proxyToken, 'x-api-key': SECRETS.anthropicKey } })
  t.is(models.status, 200)
  const denied = await call(proxy.url, { path: '/stats', headers: { host: `127.0.0.1:${new URL(proxy.url).port}`, 'x-headroom-token': SECRETS.wrongToken } })
  t.is(denied.status, 401)
  // The provider saw its own credentials (they are redacted in logs, not removed from requests).
  t.is(upstream.seen[0].headers['x-api-key'], SECRETS.anthropicKey)
  // Logged directly too: a message, an object, an error and a child binding carrying secrets.
  logger.child({ session: { apiKey: SECRETS.anthropicKey } }).error(new Error(`upstream said: bad key ${SECRETS.openaiKey} (Authorization: Bearer ${SECRETS.bearerInline})`))
  logger.info({ config: { token: SECRETS.proxyToken, note: `aws_secret_access_key=${SECRETS.awsSecret}` } }, `retrying with ${SECRETS.awsKeyId}`)
  await new Promise((r) => setTimeout(r, 50))

  const text = out.text()
  for (const [kind, secret] of Object.entries(SECRETS)) t.false(text.includes(secret), `${kind} leaked into the logs`)
  // No body: neither the tool output nor the answer.
  t.false(text.includes('Which API users are inactive'))
  t.false(text.includes(TOOL_OUTPUT.slice(40, 80)))

  const requests = out.lines().filter((l) => l.msg === 'request')
  t.is(requests.length, 4)
  const [first, second, third, fourth] = requests
  t.like(first, { level: 30, method: 'POST', path: '/v1/messages', status: 200, bypass: false })
  for (const k of ['durationMs', 'upstreamMs', 'compressionMs', 'tokensBefore', 'tokensAfter'] as const) t.is(typeof first[k], 'number', k)
  t.true((first.tokensAfter as number) < (first.tokensBefore as number))
  t.like(second, { method: 'POST', path: '/v1/messages', status: 200, bypass: true })
  t.is(second.compressionMs, undefined)
  t.like(third, { method: 'GET', path: '/v1/models', status: 200 })
  t.like(fourth, { method: 'GET', path: '/stats', status: 401, reason: 'authentication_error' })
  // At debug the headers are there, with the secrets replaced.
  const headers = first.headers as Record<string, string>
  for (const k of ['authorization', 'x-api-key', 'x-headroom-token', 'proxy-authorization', 'cookie', 'x-custom-token', 'x_session_token', 'x-goog-api-key', 'x-aws-secret-access-key']) {
    t.is(headers[k], REDACTED, k)
  }
  t.is(headers['user-agent'], `agent/1.0 (key ${REDACTED}; id ${REDACTED})`)
  t.is(headers['x-debug-note'], `Bearer ${REDACTED}`)
  t.is(headers['anthropic-version'], '2023-06-01')
  const error = out.lines().find((l) => l.level === 50)!
  t.regex(String((error.err as { message: string }).message), /bad key \[redacted\]/)
})

test('logs: at info, one line per request and no headers; /health only at debug', async (t) => {
  const out = capture()
  const { proxy } = await setup(t, {}, createLogger({ level: 'info', destination: out.stream }))
  t.is((await call(proxy.url, { path: '/health' })).status, 200)
  t.is((await call(proxy.url, { path: '/v1/models', headers: { 'x-api-key': SECRETS.anthropicKey } })).status, 200)
  await new Promise((r) => setTimeout(r, 20))
  const lines = out.lines()
  t.is(lines.length, 1)
  t.like(lines[0], { msg: 'request', method: 'GET', path: '/v1/models', status: 200 })
  t.is(lines[0].headers, undefined)
})

test('logs: the level comes from --log-level, HEADROOM_LOG_LEVEL or the config file; default info; anything else refused', (t) => {
  const base = { 'upstream-anthropic': 'http://127.0.0.1:1', 'upstream-openai': 'http://127.0.0.1:1' }
  t.is(resolveConfig(base, {}).logLevel, 'info')
  t.is(resolveConfig({ ...base, 'log-level': 'debug' }, { HEADROOM_LOG_LEVEL: 'warn' }).logLevel, 'debug')
  t.is(resolveConfig(base, { HEADROOM_LOG_LEVEL: 'warn' }).logLevel, 'warn')
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hr-ops-')), 'config.json')
  fs.writeFileSync(file, JSON.stringify({ logLevel: 'silent' }))
  t.is(resolveConfig({ ...base, config: file }, {}).logLevel, 'silent')
  const e = t.throws(() => resolveConfig({ ...base, 'log-level': 'verbose' }, {}), { instanceOf: ConfigError })
  t.regex(e!.message, /log-level must be one of/)
})

test('logs: redaction of inline secrets in strings and of secret-named headers', (t) => {
  t.is(redactText('Authorization: Bearer abc.def-ghi'), `Authorization: Bearer ${REDACTED}`)
  t.is(redactText(`key=${SECRETS.anthropicKey} next`), `key=${REDACTED} next`)
  t.is(redactText(`using ${SECRETS.openaiKey}.`), `using ${REDACTED}.`)
  t.is(redactText(`id ${SECRETS.awsKeyId} and ASIAY34FZKBOKMUTVV7A`), `id ${REDACTED} and ${REDACTED}`)
  t.is(redactText('aws_secret_access_key = abcdEFGH1234/xyz+'), `aws_secret_access_key = ${REDACTED}`)
  t.is(redactText('{"password": "hunter2"}'), `{"password": "${REDACTED}"}`)
  t.is(redactText('gh token ghp_abcdefghijklmnopqrstuvwxyz0123456789'), `gh token ${REDACTED}`)
  t.is(redactText('/v1/models?limit=5&api-key=zzz&x=1'), `/v1/models?limit=5&api-key=${REDACTED}&x=1`)
  t.is(redactText('token tokens tokenizer: 1234 tokens saved, max_tokens=64'), 'token tokens tokenizer: 1234 tokens saved, max_tokens=64')
  t.is(redactText('Token 0123456789abcdef0123'), `Token ${REDACTED}`)
  t.is(redactText('plain text, sk- alone, and skeleton keys'), 'plain text, sk- alone, and skeleton keys')
  t.is(redactText('literal s3cr3t-literal-value here', ['s3cr3t-literal-value']), `literal ${REDACTED} here`)
  t.deepEqual(redactHeaders({ 'X-Api-Key': 'k', 'set-cookie': ['a=b'], 'x-refresh-token': 'r', 'content-length': '5', 'keep-alive': 'timeout=5' }), {
    'X-Api-Key': REDACTED,
    'set-cookie': REDACTED,
    'x-refresh-token': REDACTED,
    'content-length': '5',
    'keep-alive': 'timeout=5',
  })
})

test('logs: JSON lines go to stderr; stdout keeps only the startup lines', async (t) => {
  const upstream = await fakeUpstream()
  t.teardown(() => upstream.close())
  const proxy = await cliProxy(['--port', '0', '--store', 'memory', '--upstream-anthropic', upstream.url, '--upstream-openai', upstream.url], { HEADROOM_LOG_LEVEL: 'info' })
  t.teardown(() => {
    if (proxy.child.exitCode === null) proxy.child.kill('SIGKILL')
  })
  t.is((await call(proxy.url, { path: '/v1/models', headers: { 'x-api-key': SECRETS.anthropicKey } })).status, 200)
  const { stdout, stderr } = await proxy.stop()
  const line = JSON.parse(stderr.trim().split('\n').pop()!) as Record<string, unknown>
  t.like(line, { msg: 'request', method: 'GET', path: '/v1/models', status: 200 })
  t.false(stdout.includes('{'))
  t.regex(stdout, /ANTHROPIC_BASE_URL=http:\/\/127\.0\.0\.1:\d+/)
  t.false(stderr.includes(SECRETS.anthropicKey))
})

// ---------------------------------------------------------------------------------------------
// Security

test('security: the token guards every route but /health; an OAuth client sends both and passes', async (t) => {
  const { proxy, upstream, port } = await setup(t, { token: 'T0ken-for-tests' })
  const host = { host: `127.0.0.1:${port}` }
  t.is((await call(proxy.url, { path: '/health' })).status, 200)
  const routes: [string, string][] = [
    ['GET', '/stats'],
    ['GET', '/metrics'],
    ['GET', '/v1/retrieve/0123456789abcdef'],
    ['GET', '/v1/models'],
    ['POST', '/v1/messages'],
    ['POST', '/v1/messages/count_tokens'],
    ['POST', '/v1/chat/completions'],
    ['GET', '/some/other/path'],
  ]
  for (const [method, p] of routes) {
    const body = method === 'POST' ? messagesBody('x') : undefined
    t.is((await call(proxy.url, { method, path: p, headers: host, body })).status, 401, `${method} ${p} without a token`)
    t.is((await call(proxy.url, { method, path: p, headers: { ...host, 'x-headroom-token': 'T0ken-for-test' }, body })).status, 401, `${method} ${p} with a wrong token`)
    const ok = await call(proxy.url, { method, path: p, headers: { ...host, 'x-headroom-token': 'T0ken-for-tests' }, body })
    t.not(ok.status, 401, `${method} ${p} with the token`)
  }
  t.is(upstream.seen.length, 5, 'only authorized requests reached upstream')
  // OAuth: the provider's Authorization plus the proxy's token (as Proxy-Authorization).
  const oauth = await call(proxy.url, {
    method: 'POST',
    path: '/v1/messages',
    headers: { authorization: 'Bearer sk-ant-oat01-oauth-access-token', 'proxy-authorization': 'Bearer T0ken-for-tests', 'content-type': 'application/json' },
    body: messagesBody('x'),
  })
  t.is(oauth.status, 200)
  const last = upstream.seen[upstream.seen.length - 1]
  t.is(last.headers.authorization, 'Bearer sk-ant-oat01-oauth-access-token')
  t.is(last.headers['proxy-authorization'], undefined)
  t.is(last.headers['x-headroom-token'], undefined)
  t.true(tokenMatches({ 'x-headroom-token': 'abc' }, 'abc'))
  t.false(tokenMatches({ 'x-headroom-token': 'abcd' }, 'abc'))
  t.false(tokenMatches({ authorization: 'Bearer abc' }, 'abc'))
  t.true(tokenMatches({}, undefined))
})

test('security: management routes answer only to a loopback Host with the port (DNS rebinding), GET only, never with CORS headers', async (t) => {
  const { proxy, upstream, port } = await setup(t)
  const retrievePath = '/v1/retrieve/0123456789abcdef'
  const routes = ['/stats', '/metrics', retrievePath]
  const evilOrigin = { origin: 'http://attacker.example' }
  for (const p of routes) {
    for (const good of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, `LOCALHOST:${port}`]) {
      const ok = await call(proxy.url, { path: p, headers: { host: good, ...evilOrigin } })
      t.not(ok.status, 403, `${p} Host ${good}`)
      t.is(ok.headers['access-control-allow-origin'], undefined)
    }
    for (const bad of [`attacker.example:${port}`, 'attacker.example', 'localhost', `127.0.0.1:${port + 1}`, `localhost.attacker.example:${port}`, `127.0.0.1.nip.io:${port}`]) {
      const no = await call(proxy.url, { path: p, headers: { host: bad, ...evilOrigin } })
      t.is(no.status, 403, `${p} Host ${bad}`)
      t.is(no.headers['access-control-allow-origin'], undefined)
      t.false(no.body.includes('requests'), 'no stats in a refusal')
    }
    // A CORS preflight or any other method is refused, not forwarded.
    const preflight = await call(proxy.url, { method: 'OPTIONS', path: p, headers: { host: `127.0.0.1:${port}`, ...evilOrigin, 'access-control-request-method': 'GET' } })
    t.is(preflight.status, 405)
    t.is(preflight.headers['access-control-allow-origin'], undefined)
  }
  t.is(upstream.seen.length, 0, 'no management request reached upstream')
  // Proxied routes are not management routes: a client may use any name for the proxy.
  t.is((await call(proxy.url, { path: '/v1/models', headers: { host: `my-proxy.internal:${port}` } })).status, 200)
  // The stats body is there for the right Host.
  t.regex((await call(proxy.url, { path: '/stats', headers: { host: `localhost:${port}` } })).body, /"requests":1/)
})

test('security: Host checks apply only when bound to loopback (elsewhere the token guards)', (t) => {
  const req = (host: string, method = 'GET') => ({ method, headers: { host }, socket: { localPort: 8787 } })
  t.is(checkManagementRequest(req('attacker.example:8787'), '127.0.0.1')?.status, 403)
  t.is(checkManagementRequest(req('localhost:8787'), '127.0.0.1'), null)
  t.is(checkManagementRequest(req('127.0.0.7:8787'), '127.0.0.7'), null)
  t.is(checkManagementRequest(req('[::1]:8787'), '::1'), null)
  t.is(checkManagementRequest(req('proxy.corp.example:8787'), '0.0.0.0'), null)
  t.is(checkManagementRequest(req('localhost:8787', 'DELETE'), '0.0.0.0')?.status, 405)
  t.true(isAllowedHost('localhost', '127.0.0.1', 80))
  t.false(isAllowedHost(undefined, '127.0.0.1', 8787))
  t.false(isAllowedHost('localhost:8787@attacker.example', '127.0.0.1', 8787))
})

test('security: config refuses link-local and cloud-metadata upstreams, in any spelling and from any source', (t) => {
  const refused = [
    'http://169.254.169.254',
    'http://169.254.169.254/latest/meta-data',
    'http://169.254.170.2/v2/credentials',
    'http://2852039166/', // 169.254.169.254 as one number
    'http://0xA9.0xFE.0xA9.0xFE/',
    'http://0251.0376.0251.0376/',
    'http://[fe80::1]:8080',
    'http://[FEBF::abcd]/',
    'http://[::ffff:169.254.169.254]/',
    'http://[64:ff9b::a9fe:a9fe]/',
    'http://[fd00:ec2::254]/',
    'http://[fd00:ec2:0:0:0:0:0:254]/',
    'http://metadata.google.internal/computeMetadata/v1',
    'http://METADATA.GOOGLE.INTERNAL./',
    'http://metadata/',
    'http://100.100.100.200/latest/meta-data',
  ]
  for (const u of refused) {
    t.throws(() => resolveConfig({ 'upstream-openai': u }, {}), { instanceOf: ConfigError }, u)
    t.throws(() => resolveConfig({}, { HEADROOM_UPSTREAM_ANTHROPIC: u }), { instanceOf: ConfigError }, `env ${u}`)
  }
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hr-ops-')), 'c.json')
  fs.writeFileSync(file, JSON.stringify({ upstreamAnthropic: 'http://169.254.169.254' }))
  t.throws(() => resolveConfig({ config: file }, {}), { instanceOf: ConfigError, message: /link-local/ })
  t.throws(() => resolveConfig({ 'upstream-openai': 'http://api.example#@169.254.169.254/' }, {}), { instanceOf: ConfigError })
  const allowed = ['http://127.0.0.1:11434', 'http://localhost:8080/v1', 'http://10.0.0.5', 'http://192.168.1.20:8000', 'https://openrouter.ai/api', 'http://[::1]:1234', 'http://169.255.0.1', 'http://[fe00::1]/', 'http://[fec0::1]/', 'https://my-resource.openai.azure.com/openai']
  for (const u of allowed) t.notThrows(() => resolveConfig({ 'upstream-openai': u }, {}), u)
  t.is(forbiddenDestination('169.254.169.254'), '169.254.169.254 is link-local (169.254.0.0/16, cloud metadata)')
  t.is(forbiddenDestination('::ffff:a9fe:a9fe')?.includes('link-local'), true)
  t.is(forbiddenDestination('8.8.8.8'), null)
})

test('security: a configured name that resolves to a link-local or metadata address is refused at connect time', async (t) => {
  const fake = (answer: string | { address: string; family: number }[]): LookupFunction => (_h, _o, cb) => cb(null, answer, 4)
  const lookup = (base: LookupFunction, all: boolean) =>
    new Promise<NodeJS.ErrnoException | null>((resolve) => guardedLookup(base)('api.example', { all }, (err) => resolve(err)))
  t.is((await lookup(fake('169.254.169.254'), false))?.code, FORBIDDEN_UPSTREAM)
  t.is((await lookup(fake([{ address: '10.0.0.1', family: 4 }, { address: 'fe80::1', family: 6 }]), true))?.code, FORBIDDEN_UPSTREAM)
  t.is((await lookup(fake('100.100.100.200'), false))?.code, FORBIDDEN_UPSTREAM)
  t.is(await lookup(fake([{ address: '93.184.216.34', family: 4 }]), true), null)
  // The proxy's HTTP client uses the guard and still reaches a normal name (localhost).
  const upstream = await fakeUpstream()
  const proxy = await startProxy(resolveConfig({ port: '0', store: 'memory', 'upstream-anthropic': `http://localhost:${upstream.port}`, 'upstream-openai': `http://localhost:${upstream.port}` }, {}), { logger: createLogger({ level: 'silent' }) })
  t.teardown(async () => {
    await proxy.close()
    await upstream.close()
  })
  t.is((await call(proxy.url, { path: '/v1/models' })).status, 200)
  t.is(upstream.seen.length, 1)
})

test('security: no header, request line or path lets a client choose the upstream host', async (t) => {
  const { proxy, upstream } = await setup(t)
  const evil = await fakeUpstream()
  t.teardown(() => evil.close())
  const evilHost = `127.0.0.1:${evil.port}`
  const tricks: Record<string, string> = {
    host: evilHost,
    'x-headroom-base-url': evil.url,
    'x-headroom-upstream': evil.url,
    'x-forwarded-host': evilHost,
    'x-forwarded-proto': 'http',
    forwarded: `host=${evilHost};proto=http`,
    'x-original-url': `${evil.url}/v1/models`,
    'x-upstream-url': evil.url,
    'x-base-url': evil.url,
    'anthropic-base-url': evil.url,
  }
  t.is((await call(proxy.url, { path: '/v1/models', headers: tricks })).status, 200)
  t.is((await call(proxy.url, { method: 'POST', path: '/v1/messages', headers: { ...tricks, 'content-type': 'application/json' }, body: messagesBody('x') })).status, 200)
  for (const p of [`//${evilHost}/v1/models`, `/v1/models/..%2F..%2F@${evilHost}`, `/@${evilHost}/v1/models`]) {
    await call(proxy.url, { path: p })
  }
  // Absolute-form request target (as sent to a forward proxy).
  const raw = await new Promise<string>((resolve, reject) => {
    const s = net.connect(Number(new URL(proxy.url).port), '127.0.0.1', () => s.write(`GET ${evil.url}/v1/models HTTP/1.1\r\nHost: ${evilHost}\r\nConnection: close\r\n\r\n`))
    let text = ''
    s.on('data', (c: Buffer) => (text += c.toString('utf8')))
    s.on('end', () => resolve(text))
    s.on('error', reject)
  })
  t.regex(raw, /^HTTP\/1\.1 200/)
  t.is(evil.seen.length, 0, 'nothing reached the host the client named')
  t.is(upstream.seen.length, 6)
  // Upstream saw its own Host, not the one the client sent.
  for (const s of upstream.seen) t.is(s.headers.host, `127.0.0.1:${upstream.port}`)
  t.is(upstreamTarget('https://api.example/base', '/v1/models?x=1'), 'https://api.example/base/v1/models?x=1')
  t.throws(() => upstreamTarget('https://api.example', `@${evilHost}/v1/models`), { message: /leave the configured upstream/ })
  t.throws(() => upstreamTarget('https://api.example', `.evil.example/v1`), { message: /leave the configured upstream/ })
})

// ---------------------------------------------------------------------------------------------
// Keeping the event loop free: bounded concurrent compressions, bodies read without a big copy

test('compressions: at most N at once, the rest in arrival order; a failure frees its slot', async (t) => {
  const limiter = createLimiter(2)
  const started: number[] = []
  let running = 0
  let peak = 0
  const gates: Array<() => void> = []
  const task = (i: number) =>
    limiter.run(async () => {
      started.push(i)
      running++
      peak = Math.max(peak, running)
      await new Promise<void>((r) => gates.push(r))
      running--
      if (i === 1) throw new Error('boom')
      return i
    })
  const all = [0, 1, 2, 3, 4].map((i) => task(i).catch((e: Error) => e.message))
  while (gates.length < 2) await new Promise((r) => setImmediate(r))
  t.is(limiter.active, 2)
  t.is(limiter.queued, 3)
  while (started.length < 5) {
    gates.shift()?.()
    await new Promise((r) => setImmediate(r))
  }
  while (gates.length) gates.shift()!()
  t.deepEqual(await Promise.all(all), [0, 'boom', 2, 3, 4])
  t.deepEqual(started, [0, 1, 2, 3, 4])
  t.is(peak, 2)
  t.is(limiter.active, 0)
  t.is(defaultCompressionConcurrency(2, 4), 1)
  t.is(defaultCompressionConcurrency(16, 4), 3)
  t.is(defaultCompressionConcurrency(16, 9), 8)
  t.is(defaultCompressionConcurrency(1, 4), 1)
})

test('bodies: read whole with or without (or with a wrong) Content-Length; over the limit is null', async (t) => {
  const source = (chunks: string[], length?: number) => ({
    headers: length === undefined ? {} : { 'content-length': String(length) },
    async *[Symbol.asyncIterator]() {
      for (const c of chunks) yield Buffer.from(c)
    },
  })
  const chunks = ['{"a":', '"', 'x'.repeat(100_000), '"}']
  const whole = chunks.join('')
  t.is((await readBody(source(chunks, whole.length), 1 << 20))!.toString(), whole)
  t.is((await readBody(source(chunks), 1 << 20))!.toString(), whole)
  t.is((await readBody(source(chunks, 10), 1 << 20))!.toString(), whole)
  t.is((await readBody(source(chunks, whole.length + 50), 1 << 20))!.toString(), whole)
  t.is((await readBody(source([]), 10))!.length, 0)
  t.is(await readBody(source(chunks, whole.length), 1000), null)
  t.is(await readBody(source(chunks), 1000), null)
})

// ---------------------------------------------------------------------------------------------
// /health under load (a correctness bound, not a benchmark)

test.serial('/health answers every probe, within a generous bound, while 20 clients each send an 8 MB body', async (t) => {
  const { proxy, upstream } = await setup(t)
  // The 20 clients are another process (as real clients are): this one runs the proxy and the probes.
  const clients = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'benches', 'load', 'uploads.ts'), proxy.url, '20', String(8 * 1024 * 1024)], { stdio: ['ignore', 'pipe', 'inherit'] })
  t.teardown(() => {
    if (clients.exitCode === null) clients.kill('SIGKILL')
  })
  let out = ''
  let ready!: () => void
  const isReady = new Promise<void>((r) => (ready = r))
  const done = new Promise<{ statuses: number[]; bytes: number }>((resolve, reject) => {
    clients.stdout.on('data', (c: Buffer) => {
      out += c.toString('utf8')
      if (out.startsWith('ready\n')) ready()
      const line = out.split('\n')[1]
      if (line) resolve(JSON.parse(line) as { statuses: number[]; bytes: number })
    })
    clients.once('exit', (code) => reject(new Error(`upload clients exited ${code}`)))
  })
  await isReady
  const probeAgent = new http.Agent({ keepAlive: true, maxSockets: 1 })
  t.teardown(() => probeAgent.destroy())
  const loop = monitorEventLoopDelay({ resolution: 5 })
  loop.enable()
  let inFlight = true
  void done.finally(() => (inFlight = false)).catch(() => undefined)
  const probes: number[] = []
  const failures: string[] = []
  while (inFlight) {
    const t0 = performance.now()
    try {
      const r = await call(proxy.url, { path: '/health', agent: probeAgent })
      if (r.status !== 200) failures.push(`status ${r.status}`)
    } catch (e) {
      failures.push((e as Error).message)
    }
    probes.push(performance.now() - t0)
    await new Promise((r) => setTimeout(r, 5))
  }
  loop.disable()
  const result = await done
  t.deepEqual(result.statuses, Array(20).fill(200))
  t.true(result.bytes >= 20 * 8 * 1024 * 1024)
  t.is(upstream.seen.length, 20)
  t.is(proxy.stats.compressed, 20, 'every body was compressed (off the event loop)')
  t.deepEqual(failures, [])
  t.true(probes.length >= 10, `only ${probes.length} probes ran`)
  const sorted = [...probes].sort((a, b) => a - b)
  const max = sorted[sorted.length - 1]
  const p99 = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))]
  t.log(`/health during 20 x 8 MB uploads: ${probes.length} probes, p50 ${sorted[Math.floor(sorted.length / 2)].toFixed(2)} ms, p99 ${p99.toFixed(2)} ms, max ${max.toFixed(2)} ms (event loop delay max ${(loop.max / 1e6).toFixed(1)} ms)`)
  t.true(max < 500, `max /health latency ${max.toFixed(1)} ms`)
})
