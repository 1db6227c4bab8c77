// The proxy's counters: what `/stats` shows and `/metrics` exports.

import type * as hr from '../index'
import { SAVINGS_BASIS, addTokens, noTokens, priceOf, type TokenClasses } from './usage'

/** Tokens before and after, for one content type. */
export interface ContentTypeStats {
  /** Blocks compressed. */
  blocks: number
  tokensBefore: number
  tokensAfter: number
}

/** One request, as the recent-request log keeps it. */
export interface RequestRecord {
  /** ISO time the request arrived. */
  at: string
  method: string
  path: string
  /** Status sent to the client (0 if none was sent). */
  status: number
  /** `compressed`, `unchanged`, `bypassed`, `passed_through`, `error`. */
  outcome: string
  tokensBefore: number
  tokensAfter: number
  /** Why blocks (or the whole body) were not compressed, with counts. */
  reasons: Record<string, number>
  /** Retrieve calls answered inside the proxy for this request. */
  retrieveCalls: number
  /** `websocket` for a `response.create` message of the Responses WebSocket mode (absent: HTTP). */
  transport?: 'websocket'
}

/** Counters behind `/stats` and `/metrics`. */
export interface ProxyStats {
  requests: number
  compressed: number
  bypassed: number
  passedThrough: number
  compressionErrors: number
  upstreamErrors: number
  /** Streams that ended without their final event. */
  truncatedStreams: number
  /** Streams that carried the provider's error event mid-stream (relayed to the client). */
  streamErrors: number
  /** Tokens of compressible request bodies before compression (library counts). */
  tokensBefore: number
  /** Tokens of those bodies after compression. */
  tokensAfter: number
  /** Tokens before/after by content type of the compressed blocks. */
  byContentType: Record<string, ContentTypeStats>
  /** What the upstreams billed, by token class (from their `usage`). */
  billed: TokenClasses
  /** Savings in dollars, with the basis they were computed on. */
  savings: { usd: number; tokensFirstSight: number; tokensFromHistory: number; unpricedTokens: number; basis: string }
  /** Why requests on compressed paths went out unchanged, by reason. */
  notCompressed: Record<string, number>
  /** Why blocks were left alone, by reason (summed over requests). */
  skippedBlocks: Record<string, number>
  /** The retrieve calls the proxy answered itself. */
  retrieval: { turns: number; calls: number; continuations: number }
  /**
   * The Responses WebSocket mode: connections relayed (each `response.create` message also
   * counts in `requests`, with `transport: "websocket"` in `recent`).
   */
  websocket: { connections: number }
  /** Requests whose system prompt held volatile values (they change the cached prefix). */
  volatileSystemPrompts: { requests: number; byKind: Record<string, number>; lastSample?: string }
  /** Sessions that keep the retrieve tool. */
  stickySessions: number
  /** The most recent requests, newest last. */
  recent: RequestRecord[]
}

/** Requests kept in `recent`. */
export const RECENT_REQUESTS = 100

/** Fresh counters. */
export function newStats(): ProxyStats {
  return {
    requests: 0,
    compressed: 0,
    bypassed: 0,
    passedThrough: 0,
    compressionErrors: 0,
    upstreamErrors: 0,
    truncatedStreams: 0,
    streamErrors: 0,
    tokensBefore: 0,
    tokensAfter: 0,
    byContentType: {},
    billed: noTokens(),
    savings: { usd: 0, tokensFirstSight: 0, tokensFromHistory: 0, unpricedTokens: 0, basis: SAVINGS_BASIS },
    notCompressed: {},
    skippedBlocks: {},
    retrieval: { turns: 0, calls: 0, continuations: 0 },
    websocket: { connections: 0 },
    volatileSystemPrompts: { requests: 0, byKind: {} },
    stickySessions: 0,
    recent: [],
  }
}

const bump = (m: Record<string, number>, k: string, by = 1) => (m[k] = (m[k] ?? 0) + by)

/** Adds one compression report. Returns the per-request reasons. */
export function recordReport(s: ProxyStats, report: hr.CompressReport, model: string | undefined): Record<string, number> {
  s.tokensBefore += report.tokensBefore
  s.tokensAfter += report.tokensAfter
  const price = priceOf(model ?? report.model)
  for (const t of report.transforms) {
    const c = (s.byContentType[t.contentType] ??= { blocks: 0, tokensBefore: 0, tokensAfter: 0 })
    c.blocks++
    c.tokensBefore += t.tokensBefore
    c.tokensAfter += t.tokensAfter
    const saved = t.tokensBefore - t.tokensAfter
    if (t.memoized) s.savings.tokensFromHistory += saved
    else s.savings.tokensFirstSight += saved
    if (price) s.savings.usd += (saved * (t.memoized ? price.cacheRead : price.input)) / 1e6
    else s.savings.unpricedTokens += saved
  }
  const reasons: Record<string, number> = {}
  for (const k of report.skipped) {
    bump(reasons, k.reason)
    bump(s.skippedBlocks, k.reason)
  }
  if (report.volatile?.length) {
    s.volatileSystemPrompts.requests++
    for (const v of report.volatile) bump(s.volatileSystemPrompts.byKind, v.kind)
    s.volatileSystemPrompts.lastSample = `${report.volatile[0].kind} ${report.volatile[0].sample} at ${report.volatile[0].path}`
  }
  return reasons
}

/** Adds what an upstream billed. */
export function recordBilled(s: ProxyStats, classes: TokenClasses | undefined): void {
  if (classes) addTokens(s.billed, classes)
}

/** Appends to the recent-request log. */
export function recordRequest(s: ProxyStats, r: RequestRecord): void {
  s.recent.push(r)
  if (s.recent.length > RECENT_REQUESTS) s.recent.splice(0, s.recent.length - RECENT_REQUESTS)
}

/** Prometheus text format. */
export function metrics(s: ProxyStats): string {
  const counters: [string, string, number, Record<string, string>?][] = [
    ['headroom_requests_total', 'Requests proxied', s.requests],
    ['headroom_requests_compressed_total', 'Requests whose body was compressed', s.compressed],
    ['headroom_requests_bypassed_total', 'Requests sent with x-headroom-bypass', s.bypassed],
    ['headroom_compression_errors_total', 'Bodies the library could not read (forwarded unchanged)', s.compressionErrors],
    ['headroom_upstream_errors_total', 'Upstream failures', s.upstreamErrors],
    ['headroom_truncated_streams_total', 'Streams that ended without their final event', s.truncatedStreams],
    ['headroom_stream_errors_total', 'Streams that carried a provider error event mid-stream', s.streamErrors],
    ['headroom_tokens_before_total', 'Tokens of compressible request bodies before compression', s.tokensBefore],
    ['headroom_tokens_after_total', 'Tokens of those bodies after compression', s.tokensAfter],
    ['headroom_retrieve_calls_total', 'headroom_retrieve calls answered by the proxy', s.retrieval.calls],
    ['headroom_websocket_connections_total', 'Responses WebSocket connections relayed', s.websocket.connections],
    ['headroom_savings_usd_total', 'Estimated savings in USD (basis: see /stats savings.basis)', s.savings.usd],
    ['headroom_volatile_system_prompts_total', 'Requests whose system prompt held volatile values', s.volatileSystemPrompts.requests],
  ]
  for (const [cls, n] of Object.entries(s.billed)) counters.push(['headroom_billed_tokens_total', 'Tokens billed upstream, by class', n, { class: cls }])
  for (const [type, c] of Object.entries(s.byContentType)) {
    counters.push(['headroom_content_tokens_before_total', 'Tokens of compressed blocks before, by content type', c.tokensBefore, { content_type: type }])
  }
  for (const [type, c] of Object.entries(s.byContentType)) {
    counters.push(['headroom_content_tokens_after_total', 'Tokens of compressed blocks after, by content type', c.tokensAfter, { content_type: type }])
  }
  const seen = new Set<string>()
  let out = ''
  for (const [name, help, v, labels] of counters) {
    if (!seen.has(name)) {
      out += `# HELP ${name} ${help}\n# TYPE ${name} counter\n`
      seen.add(name)
    }
    const l = labels ? `{${Object.entries(labels).map(([k, x]) => `${k}="${x.replace(/["\\\n]/g, '_')}"`).join(',')}}` : ''
    out += `${name}${l} ${v}\n`
  }
  return out
}
