// The proxy: clients point their base URL here; request bodies are compressed in the blocks
// the library edits (byte splicing: every other byte goes upstream unchanged) and forwarded
// to the configured upstream; responses, streaming or not, are relayed as they arrive.
//
// Anthropic /v1/messages, OpenAI /v1/chat/completions and /v1/responses (also below a base
// path, as Azure OpenAI sends them) are compressed, and so are the `response.create` messages of
// the Responses WebSocket mode (websocket.ts); every other path is passed through. Once a session has had markers the retrieve tool
// stays in its tool list (sessions.ts), and the model's headroom_retrieve calls are answered
// here, streaming included (retrieval.ts): they never reach the client.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { pipeline } from 'node:stream/promises'
import type { Logger } from 'pino'
import { Agent, request as undiciRequest, type Dispatcher } from 'undici'

import * as hr from '../index'
import { readBody } from './body'
import type { ProxyConfig } from './config'
import { createLimiter, defaultCompressionConcurrency } from './limit'
import { createLogger, type RequestLogFields, trackRequest } from './log'
import { checkManagementRequest, guardedLookup, isManagementPath, tokenMatches, upstreamTarget } from './security'
import { relayAnthropicStream, relayChatStream, relayJson, relayResponsesStream, type RetrievalOutcome } from './retrieval'
import { StickySessions, sessionFromHeaders } from './sessions'
import { openStore, retrieveErrorStatus } from './store'
import { metrics, newStats, recordBilled, recordReport, recordRequest, type ProxyStats } from './stats'
import { tokenClasses } from './usage'
import { attachWebSocketRelay } from './websocket'
import { compressRequest } from './compress'

export type { ProxyStats } from './stats'

/** The format of a path whose JSON body is compressed (query string already removed). */
type Format = 'anthropic' | 'openai' | 'openai-responses'

/**
 * The compressed routes: Anthropic `/v1/messages`, OpenAI `/v1/chat/completions` and
 * `/v1/responses`, also under a base path, which is how Azure OpenAI spells them
 * (`/openai/deployments/{deployment}/chat/completions`, `/openai/v1/responses`) and how
 * OpenAI-compatible servers mounted below a prefix do. Sub-routes such as
 * `/v1/messages/count_tokens` or `/v1/responses/{id}` are not bodies to compress.
 */
function formatOf(path: string): Format | undefined {
  if (path.endsWith('/v1/messages')) return 'anthropic'
  if (path.endsWith('/chat/completions')) return 'openai'
  if (path.endsWith('/v1/responses') || path.endsWith('/openai/responses')) return 'openai-responses'
  return undefined
}

/** Request headers never forwarded: hop-by-hop ones, and what the HTTP client sets itself. */
const DROP_REQUEST = new Set(['host', 'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'content-length', 'proxy-authorization'])
/** Response headers never relayed (hop-by-hop). */
const DROP_RESPONSE = new Set(['connection', 'keep-alive', 'transfer-encoding', 'proxy-connection', 'upgrade', 'trailer'])
/** Largest request body read (bigger ones get 413). */
const MAX_BODY_BYTES = 64 * 1024 * 1024

/** What a caller can hand the proxy besides its configuration. */
export interface ProxyOptions {
  /** Logger to use instead of the one built from `config.logLevel` (JSON lines on stderr). */
  logger?: Logger
  /** Bodies compressed at once (others queue). Default: the cores less one, 1 to 3 with the default libuv pool. */
  compressionConcurrency?: number
}

/** A running proxy. */
export interface Proxy {
  /** The address it listens on, e.g. `http://127.0.0.1:8787`. */
  url: string
  stats: ProxyStats
  store: hr.Store
  close(): Promise<void>
}

function send(res: http.ServerResponse, status: number, body: unknown, type = 'application/json') {
  const text = typeof body === 'string' ? body : JSON.stringify(body)
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text) })
  res.end(text)
}

/** An error in the shape of the provider the client speaks, so SDKs surface it. */
function proxyError(res: http.ServerResponse, status: number, anthropic: boolean, code: string, message: string) {
  if (anthropic) send(res, status, { type: 'error', error: { type: code, message: `headroom proxy: ${message}` } })
  else send(res, status, { error: { type: code, code, message: `headroom proxy: ${message}` } })
}

/**
 * Whether a request goes to Anthropic. A path the proxy compresses decides, since the body
 * has that provider's shape (a chat completion sent with an `x-api-key` header still goes to
 * the OpenAI upstream); on other paths, the Anthropic SDK's headers do (it always sends
 * `anthropic-version`; `x-api-key` is Anthropic's key header).
 */
function isAnthropic(req: http.IncomingMessage, path: string): boolean {
  const format = formatOf(path)
  if (format) return format === 'anthropic'
  return path.startsWith('/v1/messages') || req.headers['anthropic-version'] !== undefined || req.headers['x-api-key'] !== undefined
}

/** The model id of a body, read from its first bytes only (it is usually near the top). */
function modelOf(body: Buffer): string | undefined {
  return /"model"\s*:\s*"([^"\\]{1,200})"/.exec(body.subarray(0, 4096).toString('utf8'))?.[1]
}

/** Starts the proxy; resolves once it listens. */
export async function startProxy(config: ProxyConfig, options: ProxyOptions = {}): Promise<Proxy> {
  const store = openStore(config.store)
  const log = options.logger ?? createLogger({ level: config.logLevel, secrets: [config.token] })
  const compressions = createLimiter(options.compressionConcurrency ?? defaultCompressionConcurrency())
  const agent = new Agent({ connections: 128, keepAliveTimeout: 30_000, connect: { lookup: guardedLookup() } })
  const stats = newStats()
  const sticky = new StickySessions()
  const notCompressed = (reason: string) => (stats.notCompressed[reason] = (stats.notCompressed[reason] ?? 0) + 1)
  const noted = (entry: Partial<RequestLogFields>, reason: string) => notCompressed((entry.reason = reason))

  const server = http.createServer((req, res) => {
    const entry = trackRequest(log, req, res)
    handle(req, res, entry).catch((e) => {
      if (!res.headersSent) proxyError(res, 500, true, 'api_error', (e as Error).message)
      else res.destroy(e as Error)
    })
  })

  async function handle(req: http.IncomingMessage, res: http.ServerResponse, entry: Partial<RequestLogFields>) {
    const url = new URL(req.url ?? '/', 'http://proxy.invalid')
    const path = url.pathname
    if (req.method === 'GET' && path === '/health') return send(res, 200, { ok: true })
    const refusal = isManagementPath(path) ? checkManagementRequest(req, config.host) : null
    if (refusal) return proxyError(res, refusal.status, isAnthropic(req, path), (entry.reason = refusal.code), refusal.message)
    if (!tokenMatches(req.headers, config.token)) return proxyError(res, 401, isAnthropic(req, path), (entry.reason = 'authentication_error'), 'missing or wrong x-headroom-token')
    if (req.method === 'GET' && path === '/stats') return send(res, 200, { ...stats, stickySessions: sticky.size })
    if (req.method === 'GET' && path === '/metrics') return send(res, 200, metrics(stats), 'text/plain; version=0.0.4')
    const retrieve = /^\/v1\/retrieve\/([0-9a-f]{16,64})$/.exec(path)
    if (req.method === 'GET' && retrieve) {
      try {
        const query = url.searchParams.get('query') ?? undefined
        const r = store.retrieve(retrieve[1], { query })
        return send(res, 200, r.text, 'text/plain; charset=utf-8')
      } catch (e) {
        const code = (e as { code?: string }).code
        return send(res, retrieveErrorStatus(code), { error: { code: code ?? 'NOT_FOUND', message: (e as Error).message } })
      }
    }
    stats.requests++
    const anthropic = isAnthropic(req, path)
    const base = anthropic ? config.upstreamAnthropic : config.upstreamOpenai
    let body: Buffer | null = await readBody(req, MAX_BODY_BYTES)
    if (body === null) return proxyError(res, 413, anthropic, 'request_too_large', `request body over ${MAX_BODY_BYTES} bytes`)
    const record = { at: new Date().toISOString(), method: req.method ?? '', path, status: 0, outcome: 'passed_through', tokensBefore: 0, tokensAfter: 0, reasons: {} as Record<string, number>, retrieveCalls: 0 }
    res.on('close', () => {
      record.status = res.headersSent ? res.statusCode : 0
      recordRequest(stats, record)
    })
    const bypass = (entry.bypass = req.headers['x-headroom-bypass'] === '1' || config.compress === false)
    const format = req.method === 'POST' ? formatOf(path) : undefined
    const headerSession = sessionFromHeaders(req.headers)
    let intercept = false
    if (format && body.length > 0) {
      if (bypass) {
        stats.bypassed++
        record.outcome = 'bypassed'
      } else if (req.headers['content-encoding']) {
        noted(entry, 'content_encoded')
        record.outcome = 'unchanged'
        record.reasons.content_encoded = 1
      } else {
        const r = await compressRequest({ config, store, stats, compressions, sticky }, body, format, headerSession, record, modelOf(body))
        Object.assign(entry, { queuedMs: r.queuedMs, compressionMs: r.compressionMs, tokensBefore: record.tokensBefore, tokensAfter: record.tokensAfter })
        if (r.notCompressed) noted(entry, r.notCompressed)
        body = r.body
        intercept = r.retrieveTool === 'added' || r.retrieveTool === 'present'
      }
    } else stats.passedThrough++

    const headers: Record<string, string | string[]> = {}
    for (const [k, v] of Object.entries(req.headers)) {
      if (v === undefined || DROP_REQUEST.has(k) || k.startsWith('x-headroom-')) continue
      headers[k] = v
    }
    // The proxy reads the responses of compressed paths (usage, retrieve calls): identity.
    // A bypassed request goes out as the client sent it.
    if (format && !bypass) headers['accept-encoding'] = 'identity'
    const abort = new AbortController()
    res.on('close', () => {
      if (!res.writableFinished) abort.abort()
    })
    const target = upstreamTarget(base, path + url.search)
    const forward = (b: Buffer) =>
      undiciRequest(target, {
        method: req.method as 'POST',
        headers,
        body: b.length || (req.method !== 'GET' && req.method !== 'HEAD') ? b : undefined,
        dispatcher: agent,
        signal: abort.signal,
        headersTimeout: 600_000,
        bodyTimeout: 0,
      })
    let upstream: Dispatcher.ResponseData
    const sentAt = performance.now()
    try {
      upstream = await forward(body)
    } catch (e) {
      stats.upstreamErrors++
      if (abort.signal.aborted) return
      return proxyError(res, 502, anthropic, 'api_error', `upstream unreachable: ${(e as Error).message}`)
    }
    entry.upstreamMs = performance.now() - sentAt
    const out: Record<string, string | string[]> = {}
    for (const [k, v] of Object.entries(upstream.headers)) {
      if (v !== undefined && !DROP_RESPONSE.has(k)) out[k] = v
    }
    const type = String(upstream.headers['content-type'] ?? '')
    const encoded = upstream.headers['content-encoding'] !== undefined && upstream.headers['content-encoding'] !== 'identity'
    if (upstream.statusCode >= 400) stats.upstreamErrors++
    if (format && !bypass && upstream.statusCode === 200 && !encoded && (type.includes('text/event-stream') || type.includes('json'))) {
      const ctx = { body, send: forward, store, res, headers: out, intercept }
      let outcome: RetrievalOutcome
      if (type.includes('json')) outcome = await relayJson(format, upstream, ctx)
      else if (format === 'anthropic') outcome = await relayAnthropicStream(upstream, ctx)
      else if (format === 'openai') outcome = await relayChatStream(upstream, ctx)
      else outcome = await relayResponsesStream(upstream, ctx)
      for (const u of outcome.usages) recordBilled(stats, tokenClasses(u))
      if (outcome.calls) {
        stats.retrieval.turns++
        stats.retrieval.calls += outcome.calls
        stats.retrieval.continuations += outcome.rounds
        record.retrieveCalls = outcome.calls
      }
      if (outcome.truncated && !abort.signal.aborted) stats.truncatedStreams++
      if (outcome.errored) stats.streamErrors++
      return
    }
    res.writeHead(upstream.statusCode, out)
    res.flushHeaders()
    try {
      // Chunk by chunk, with backpressure: a stream stays a stream.
      await pipeline(upstream.body, res)
    } catch {
      // The client went away, or upstream broke off mid-stream: the client sees the cut.
      stats.upstreamErrors += abort.signal.aborted ? 0 : 1
      res.destroy()
    }
  }

  // The Responses WebSocket mode (websocket.ts): upgrades on the Responses routes.
  const websockets = attachWebSocketRelay(server, { config, store, log, compressions, stats, sticky, isResponsesPath: (p) => formatOf(p) === 'openai-responses' })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(config.port, config.host, () => resolve())
  })
  const addr = server.address() as AddressInfo
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address
  return {
    url: `http://${host}:${addr.port}`,
    stats,
    store,
    close: async () => {
      websockets.close()
      await new Promise<void>((r) => server.close(() => r()))
      await agent.close()
      store.close()
    },
  }
}
