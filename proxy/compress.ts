// The one compression step of every compressed route, HTTP bodies and WebSocket
// `response.create` frames alike: the library's byte-splicing entry off the event loop, the
// session rule for the retrieve tool, opt-in prefix stabilisation, and the request's stats.
import * as hr from '../index'
import type { ProxyConfig } from './config'
import type { Limiter } from './limit'
import type { StickySessions } from './sessions'
import { recordReport, type ProxyStats, type RequestRecord } from './stats'

/** What the step needs from the proxy. */
export interface CompressionContext {
  config: ProxyConfig
  store: hr.Store
  stats: ProxyStats
  /** The proxy's compression queue (HTTP bodies and WebSocket frames share it). */
  compressions: Limiter
  /** Sessions and conversations that have had the retrieve tool. */
  sticky: StickySessions
}

/** One request as it goes upstream. */
export interface CompressedRequest {
  /** The body to send: the input itself when nothing changed. */
  body: Buffer
  /** Where the retrieve tool stands in `body`, as the library reports it. */
  retrieveTool?: hr.CompressReport['retrieveTool']
  /** The conversation's id (a hash of its first message). */
  conversation?: string
  /** Why nothing was compressed (`nothing_to_compress` or the library's error code). */
  notCompressed?: string
  /** Milliseconds waiting for a compression slot, then compressing. */
  queuedMs: number
  compressionMs: number
}

/**
 * Compresses one request body (Anthropic Messages, OpenAI Chat or Responses) and fills
 * `record`. The retrieve tool, once a session (`headerSession`, `alsoSticky`) or a
 * conversation has had it, is on every later request, so the tool list never flips. A body the
 * library cannot read goes upstream untouched (upstream says what is wrong), with the error
 * code in the stats. Never throws.
 */
export async function compressRequest(
  ctx: CompressionContext,
  body: Buffer,
  format: hr.Provider,
  headerSession: string | undefined,
  record: RequestRecord,
  model?: string,
  alsoSticky = false,
): Promise<CompressedRequest> {
  const { config, stats, sticky } = ctx
  const opts: hr.CompressOptions = { store: ctx.store, mode: config.mode, provider: format }
  if (config.protectTools) opts.protect = { tools: config.protectTools }
  if (config.minTokens !== undefined) opts.minTokens = config.minTokens
  let t0 = performance.now()
  const out: CompressedRequest = { body, queuedMs: 0, compressionMs: 0 }
  try {
    const keep = config.stabilize || alsoSticky || sticky.has(headerSession)
    let r = await ctx.compressions.run(() => {
      out.queuedMs = performance.now() - t0
      t0 = performance.now()
      return hr.compressBodyAsync(body, { ...opts, retrieveTool: keep ? 'always' : 'auto' })
    })
    const conversation = r.report.conversation
    if (!r.report.retrieveTool && !config.stabilize && sticky.has(conversation)) {
      // A conversation that had markers keeps the tool (its history may have lost them,
      // e.g. after the client compacted it): same blocks, memoized, plus the tool.
      r = await ctx.compressions.run(() => hr.compressBodyAsync(body, { ...opts, retrieveTool: 'always' }))
    }
    if (r.report.retrieveTool) {
      sticky.add(headerSession)
      sticky.add(conversation)
    }
    out.compressionMs = performance.now() - t0
    out.retrieveTool = r.report.retrieveTool
    out.conversation = conversation
    record.reasons = recordReport(stats, r.report, model ?? r.report.model)
    record.tokensBefore = r.report.tokensBefore
    record.tokensAfter = r.report.tokensAfter
    if (r.report.transforms.length || r.report.retrieveTool === 'added') {
      stats.compressed += r.report.transforms.length ? 1 : 0
      record.outcome = r.report.transforms.length ? 'compressed' : 'unchanged'
      out.body = r.body
    } else {
      record.outcome = 'unchanged'
      out.notCompressed = 'nothing_to_compress'
    }
    if (config.stabilize) {
      out.body = hr.sortTools(out.body) ?? out.body
      if (format !== 'anthropic') out.body = withPromptCacheKey(out.body, headerSession ?? conversation ?? 'headroom')
    }
  } catch (e) {
    const code = (e as { code?: string }).code ?? 'error'
    stats.compressionErrors++
    record.outcome = 'error'
    record.reasons[code] = 1
    out.notCompressed = code
  }
  return out
}

/**
 * Adds OpenAI's `prompt_cache_key` as the body's first member (a byte splice), unless the
 * client set one: requests of one session then share a cache key.
 */
export function withPromptCacheKey(body: Buffer, key: string): Buffer {
  if (body.indexOf('"prompt_cache_key"') >= 0) return body
  const open = body.indexOf('{')
  if (open < 0) return body
  const rest = body.subarray(open + 1).toString('utf8').trimStart()
  const field = `"prompt_cache_key":${JSON.stringify(key)}${rest.startsWith('}') ? '' : ','}`
  return Buffer.concat([body.subarray(0, open + 1), Buffer.from(field), body.subarray(open + 1)])
}
