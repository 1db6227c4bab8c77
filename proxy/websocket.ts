// The OpenAI Responses WebSocket mode through the proxy (field-lessons case 39).
//
// A client upgrades on a Responses route (`/v1/responses`, also below a base path); the proxy
// opens a WebSocket to the configured OpenAI upstream first (same path and query, `ws`/`wss`
// for `http`/`https`, the client's end-to-end headers and subprotocols), then completes the
// client's handshake with the subprotocol the upstream chose, and relays messages both ways
// in order, with backpressure. An upstream that refuses the handshake has its HTTP answer
// relayed as it came; one that cannot be reached gives a 502 on the upgrade.
//
// What Codex CLI 0.169 sends (recorded from the real CLI with `supports_websockets = true`):
// - the upgrade `GET /v1/responses` with `authorization`, `openai-beta:
//   responses_websockets=2026-02-06`, `originator`, `session-id`, `thread-id`,
//   `x-codex-turn-metadata`, `x-codex-window-id`, `x-client-request-id`, and it offers
//   `permessage-deflate` (negotiated per hop, so not forwarded);
// - text frames in the UNWRAPPED envelope only: `{"type":"response.create","model":...,
//   "stream":true,"input":[...],"tools":[...],...,"client_metadata":{...}}`, the request's
//   fields next to `type`. The first frame is a prewarm with `"generate":false` and only the
//   developer message; the first turn sends the whole input; later frames of the same
//   connection send `previous_response_id` plus only the new items (e.g. the
//   `function_call_output`s), with tools, instructions and `prompt_cache_key` repeated;
// - no close frame when `codex exec` ends (the upstream sees 1006).
// The wrapped envelope `{"type":"response.create","response":{...request...}}` is accepted too.
//
// Client -> upstream: a text message whose top-level `type` is `response.create` has its
// request compressed by the library's byte-splicing entry, exactly as an HTTP Responses body
// is (memo, session retrieve-tool rules, stats), off the event loop; every other message
// (other types, binary, not JSON, bypassed) goes upstream byte for byte. Messages are sent in
// the order they came: a later one waits for an earlier one being compressed.
// Upstream -> client: relayed untouched; `response.completed` usage is read for stats.
//
// Retrieval: a connection that once had the retrieve tool keeps it on every later frame (the
// tool list never flips). The model's `headroom_retrieve` calls reach the client (the upstream
// holds the conversation, so the proxy cannot continue the turn behind the client's back as
// it does over HTTP); the client answers them as an unknown tool (Codex: "unsupported call:
// headroom_retrieve") and the proxy puts the stored original in place of that answer on its
// way upstream (ws-retrieval.ts). The model gets the original one round trip later.
//
// Close codes and reasons are propagated both ways; an abnormal end of one side (1006, no
// close frame) ends the other side with 1011 and a reason saying why (the client also
// gets that for an upstream error), or without a frame when the client is the one cut off.
// Pings are answered on each hop (ws autoPong) and forwarded to the other side, so keepalives
// reach the end.
import type http from 'node:http'
import type { Duplex } from 'node:stream'
import type { Logger } from 'pino'
import WebSocket, { WebSocketServer } from 'ws'

import * as hr from '../index'
import type { ProxyConfig } from './config'
import type { Limiter } from './limit'
import { logRequest } from './log'
import { guardedLookup, isLoopbackHost, tokenMatches, upstreamTarget } from './security'
import { sessionFromHeaders, type StickySessions } from './sessions'
import { compressRequest } from './compress'
import { recordBilled, recordRequest, type ProxyStats, type RequestRecord } from './stats'
import { tokenClasses } from './usage'
import { responseCreateRequest } from './ws-frame'
import { WsRetrieval } from './ws-retrieval'

/** Stable codes of a refused or failed upgrade (the `code` of the JSON error body). */
export type UpgradeErrorCode = 'not_found' | 'permission_error' | 'authentication_error' | 'forbidden_upstream' | 'upstream_unreachable'

/** What the relay shares with the HTTP side of the proxy. */
export interface WebSocketContext {
  config: ProxyConfig
  store: hr.Store
  log: Logger
  /** The proxy's compression queue (shared with HTTP bodies). */
  compressions: Limiter
  stats: ProxyStats
  sticky: StickySessions
  /** Whether a path (query removed) is a compressed Responses route. */
  isResponsesPath(path: string): boolean
}

/** What the relay keeps per client connection. */
interface Connection {
  /** The session the upgrade's headers name. */
  headerSession?: string
  /** Whether a frame of this connection had the retrieve tool: every later one keeps it. */
  sticky: boolean
  /** The model's retrieve calls, answered when the client sends their outputs. */
  retrieval: WsRetrieval
}

type Json = Record<string, unknown>

/** The relay attached to a server. */
export interface WebSocketRelay {
  /** Connections relayed now. */
  readonly open: number
  /** Ends every relayed connection (1001 to both sides). */
  close(): void
}

/** Largest message accepted from either side (as for HTTP bodies). */
const MAX_MESSAGE_BYTES = 64 * 1024 * 1024
/** Bytes queued towards one side past which the other side is paused. */
const HIGH_WATER = 4 * 1024 * 1024
/** Client messages waiting to go upstream past which the client is paused. */
const MAX_PENDING = 4
/** Time to wait for the upstream handshake. */
const HANDSHAKE_TIMEOUT_MS = 30_000

/** Handshake request headers not forwarded: hop-by-hop ones and those each hop negotiates itself. */
const DROP_UPGRADE = new Set([
  'host',
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
  'content-length',
  'proxy-authorization',
  'sec-websocket-key',
  'sec-websocket-version',
  'sec-websocket-extensions',
  'sec-websocket-protocol',
])
/** Response headers of a refused upstream handshake not relayed (hop-by-hop). */
const DROP_RESPONSE = new Set(['connection', 'keep-alive', 'transfer-encoding', 'proxy-connection', 'upgrade', 'trailer'])

/** Writes an HTTP answer on a socket whose upgrade is refused, and ends it. */
function refuse(socket: Duplex, status: number, code: UpgradeErrorCode, message: string): void {
  const body = JSON.stringify({ error: { type: code, code, message: `headroom proxy: ${message}` } })
  const reason = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 502: 'Bad Gateway' }[status] ?? 'Error'
  if (!socket.writable) return void socket.destroy()
  socket.once('finish', () => socket.destroy())
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`)
}

/** Whether an `Origin` header names a page on this machine (browsers send one; CLIs do not). */
function loopbackOrigin(origin: string): boolean {
  try {
    return isLoopbackHost(new URL(origin).hostname)
  } catch {
    return false
  }
}

/** Closes `ws` the way its peer closed the other side (see the module comment). */
function closeLike(ws: WebSocket, code: number, reason: Buffer | string, why: string): void {
  if (ws.readyState === WebSocket.CLOSING || ws.readyState === WebSocket.CLOSED) return
  if (code === 1005) ws.close()
  else if (code === 1006 || code < 1000) ws.close(1011, Buffer.from(why.slice(0, 120)))
  else ws.close(code, reason)
}

/**
 * Sends `data` on `to`, pausing `from` while `to` has more than {@link HIGH_WATER} queued
 * (resumed once it drains, if `mayResume` agrees).
 */
function relayTo(to: WebSocket, from: WebSocket, data: Buffer, binary: boolean, mayResume: () => boolean = () => true): Promise<void> {
  return new Promise((resolve) => {
    if (to.readyState !== WebSocket.OPEN) return resolve()
    to.send(data, { binary }, () => {
      if (from.isPaused && to.bufferedAmount < HIGH_WATER && mayResume()) from.resume()
      resolve()
    })
    if (to.bufferedAmount >= HIGH_WATER) from.pause()
  })
}

/** The upstream WebSocket URL of a client path: the configured OpenAI base, `ws`/`wss`. */
function upstreamWsUrl(base: string, pathAndQuery: string): string {
  return upstreamTarget(base, pathAndQuery).replace(/^http/, 'ws')
}

/** Attaches the Responses WebSocket relay to `server` (its `upgrade` event). */
export function attachWebSocketRelay(server: http.Server, ctx: WebSocketContext): WebSocketRelay {
  const { config, stats, log } = ctx
  const chosen = new WeakMap<http.IncomingMessage, string>()
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES,
    perMessageDeflate: false,
    handleProtocols: (_offered, req) => chosen.get(req) ?? false,
  })
  /** Relayed connections: client -> upstream. */
  const live = new Map<WebSocket, WebSocket>()

  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy())
    const url = new URL(req.url ?? '/', 'http://proxy.invalid')
    const path = url.pathname
    if (!ctx.isResponsesPath(path) || (req.headers.upgrade ?? '').toLowerCase() !== 'websocket') {
      return refuse(socket, 404, 'not_found', `WebSocket upgrades are served on the Responses routes only (${path})`)
    }
    const origin = req.headers.origin
    if (isLoopbackHost(config.host) && origin && !loopbackOrigin(origin)) {
      return refuse(socket, 403, 'permission_error', `a WebSocket from origin ${origin} is refused (a web page on another site)`)
    }
    if (!tokenMatches(req.headers, config.token)) return refuse(socket, 401, 'authentication_error', 'missing or wrong x-headroom-token')
    let target: string
    try {
      target = upstreamWsUrl(config.upstreamOpenai, path + url.search)
    } catch (e) {
      return refuse(socket, 403, 'forbidden_upstream', (e as Error).message)
    }
    const headers: Record<string, string> = {}
    for (const [k, v] of Object.entries(req.headers)) {
      if (v === undefined || DROP_UPGRADE.has(k) || k.startsWith('x-headroom-')) continue
      headers[k] = Array.isArray(v) ? v.join(', ') : v
    }
    const protocols = (req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean)
    const options: WebSocket.ClientOptions & { lookup: ReturnType<typeof guardedLookup> } = {
      headers,
      maxPayload: MAX_MESSAGE_BYTES,
      handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
      followRedirects: false,
      lookup: guardedLookup(),
    }
    const upstream = new WebSocket(target, protocols, options)
    // Set once the client has its answer: the upstream's refusal, a 502, or the relay.
    let settled = false
    const dropUpstream = () => {
      if (settled) return
      settled = true
      upstream.terminate()
    }
    socket.once('close', dropUpstream)
    upstream.on('unexpected-response', (_r, res) => {
      // The upstream refused the handshake: its answer goes to the client as it came.
      if (settled) return void res.destroy()
      settled = true
      stats.upstreamErrors++
      const lines = [`HTTP/1.1 ${res.statusCode} ${res.statusMessage ?? ''}`]
      for (let i = 0; i < res.rawHeaders.length; i += 2) {
        if (!DROP_RESPONSE.has(res.rawHeaders[i].toLowerCase())) lines.push(`${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}`)
      }
      lines.push('connection: close')
      socket.write(`${lines.join('\r\n')}\r\n\r\n`)
      res.pipe(socket)
      res.on('error', () => socket.destroy())
      res.on('end', () => upstream.terminate())
    })
    upstream.on('error', (e) => {
      if (settled) return
      settled = true
      stats.upstreamErrors++
      refuse(socket, 502, 'upstream_unreachable', `upstream unreachable: ${e.message}`)
    })
    upstream.once('open', () => {
      if (settled) return void upstream.terminate()
      settled = true
      socket.off('close', dropUpstream)
      if (upstream.protocol) chosen.set(req, upstream.protocol)
      // Messages the upstream sends before the client is attached wait here.
      const early: [Buffer, boolean][] = []
      const keep = (d: WebSocket.RawData, binary: boolean) => early.push([d as Buffer, binary])
      upstream.on('message', keep)
      wss.handleUpgrade(req, socket, head, (client) => {
        upstream.off('message', keep)
        pipe(req, client, upstream, early)
      })
    })
  })

  function pipe(req: http.IncomingMessage, client: WebSocket, upstream: WebSocket, early: [Buffer, boolean][]) {
    live.set(client, upstream)
    const bypass = req.headers['x-headroom-bypass'] === '1' || config.compress === false
    const path = (req.url ?? '/').split('?')[0]
    const conn: Connection = { headerSession: sessionFromHeaders(req.headers), sticky: false, retrieval: new WsRetrieval() }
    stats.websocket.connections++
    log.info({ path, bypass, protocol: upstream.protocol || undefined }, 'websocket open')
    let upstreamError = ''

    // Upstream -> client: as it comes, the upstream paused while the client lags.
    const toClient = (data: Buffer, binary: boolean) => {
      void relayTo(client, upstream, data, binary)
      if (!binary) observe(data, conn)
    }
    for (const [d, b] of early) toClient(d, b)
    upstream.on('message', (d, binary) => toClient(d as Buffer, binary))

    // Client -> upstream: one message after the other (a later one waits for an earlier one
    // being compressed); the client is paused while too many wait or the upstream lags.
    let tail: Promise<void> = Promise.resolve()
    let pending = 0
    client.on('message', (d, binary) => {
      const data = d as Buffer
      if (++pending >= MAX_PENDING) client.pause()
      tail = tail.then(async () => {
        const out = binary ? data : await compressFrame(data, conn, path, bypass)
        await relayTo(upstream, client, out, binary, () => pending <= MAX_PENDING)
        if (--pending < MAX_PENDING && client.isPaused && upstream.bufferedAmount < HIGH_WATER) client.resume()
      })
    })

    client.on('ping', (d) => upstream.readyState === WebSocket.OPEN && upstream.ping(d))
    upstream.on('ping', (d) => client.readyState === WebSocket.OPEN && client.ping(d))
    client.on('close', (code, reason) => {
      live.delete(client)
      log.info({ path, code, reason: reason.toString('utf8') }, 'websocket client closed')
      // Whatever the client sent before closing goes first.
      void tail.then(() => {
        if (code === 1006) upstream.terminate()
        else closeLike(upstream, code, reason, '')
      })
    })
    upstream.on('close', (code, reason) => {
      log.info({ path, code, reason: reason.toString('utf8') }, 'websocket upstream closed')
      if (code === 1006) stats.upstreamErrors++
      closeLike(client, code, reason, `headroom proxy: the upstream connection was lost${upstreamError ? `: ${upstreamError}` : ''}`)
    })
    upstream.on('error', (e) => (upstreamError = e.message))
    client.on('error', (e) => log.debug({ path, err: e.message }, 'websocket client error'))
  }

  function newRecord(path: string, outcome: string): RequestRecord {
    return { at: new Date().toISOString(), method: 'WS', path, status: 101, outcome, tokensBefore: 0, tokensAfter: 0, reasons: {}, retrieveCalls: 0, transport: 'websocket' }
  }

  /**
   * Reads an upstream event: what the upstream billed (`response.completed`, failed,
   * incomplete), provider errors, and, once the connection has the retrieve tool, the
   * model's `headroom_retrieve` calls. Only events whose first bytes name one of these types
   * are parsed.
   */
  function observe(data: Buffer, conn: Connection) {
    const head = data.toString('latin1', 0, Math.min(data.length, 160))
    const type = /"type"\s*:\s*"(response\.(?:completed|incomplete|failed|output_item\.done)|error)"/.exec(head)?.[1]
    if (!type) return
    if (type === 'response.output_item.done' && !(conn.sticky && data.includes(hr.RETRIEVE_TOOL_NAME))) return
    let ev: Json
    try {
      ev = JSON.parse(data.toString('utf8')) as Json
    } catch {
      return
    }
    if (type === 'error') stats.streamErrors++
    const usage = (ev.response as Json | undefined)?.usage
    if (usage && typeof usage === 'object') recordBilled(stats, tokenClasses(usage))
    if (conn.sticky) conn.retrieval.observe(ev)
  }

  /**
   * The frame to send upstream for a client text frame: a `response.create`'s request
   * compressed (the same rules as an HTTP Responses body), anything else as it came.
   */
  async function compressFrame(frame: Buffer, conn: Connection, path: string, bypass: boolean): Promise<Buffer> {
    const create = responseCreateRequest(frame)
    if (!create) return frame
    stats.requests++
    const record = newRecord(path, 'passed_through')
    const started = performance.now()
    const body = create.envelope === 'wrapped' ? frame.subarray(create.start, create.end) : frame
    let out = frame
    if (bypass) {
      stats.bypassed++
      record.outcome = 'bypassed'
      recordRequest(stats, record)
      return frame
    }
    try {
      const r = await compressRequest(ctx, body, 'openai-responses', conn.headerSession, record, undefined, conn.sticky)
      if (r.retrieveTool) conn.sticky = true
      if (r.notCompressed) stats.notCompressed[r.notCompressed] = (stats.notCompressed[r.notCompressed] ?? 0) + 1
      const request = r.body
      if (request !== body) out = create.envelope === 'wrapped' ? Buffer.concat([frame.subarray(0, create.start), request, frame.subarray(create.end)]) : request
      if (conn.sticky) {
        // After compression: retrieved originals are never compressed again.
        const answered = conn.retrieval.answer(out, ctx.store)
        out = answered.frame
        if (answered.answered) {
          record.retrieveCalls = answered.answered
          stats.retrieval.turns++
          stats.retrieval.calls += answered.answered
        }
      }
    } catch (e) {
      // Answering retrieve calls failed: the frame goes upstream as it was compressed.
      const code = (e as { code?: string }).code ?? 'error'
      record.outcome = 'error'
      record.reasons[code] = 1
    } finally {
      recordRequest(stats, record)
      logRequest(log, {
        method: 'WS',
        path,
        status: 101,
        durationMs: performance.now() - started,
        tokensBefore: record.tokensBefore,
        tokensAfter: record.tokensAfter,
        reason: record.outcome === 'compressed' ? undefined : record.outcome,
      })
    }
    return out
  }

  return {
    get open() {
      return live.size
    },
    close() {
      for (const [client, upstream] of live) {
        closeLike(client, 1001, 'headroom proxy shutting down', '')
        closeLike(upstream, 1001, 'headroom proxy shutting down', '')
      }
      wss.close()
    },
  }
}
