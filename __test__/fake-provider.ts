// Test helpers for the proxy's field-lesson tests: a scripted fake upstream that records the
// bytes it receives, a scanner for raw JSON spans (to compare bytes, not re-serialisations),
// and a mock of Anthropic's prompt cache that bills `usage` the way the provider does.
import { createHash } from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'

export type Json = Record<string, any>

/** One request the fake upstream received. */
export interface Seen {
  url: string
  headers: http.IncomingHttpHeaders
  body: Buffer
  json: Json
}

/** A fake upstream whose answer to each request is computed by `reply`. */
export async function scriptedUpstream(reply: (seen: Seen, n: number, res: http.ServerResponse) => Promise<void> | void) {
  const seen: Seen[] = []
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', async () => {
      const body = Buffer.concat(chunks)
      const s = { url: req.url!, headers: req.headers, body, json: JSON.parse(body.toString('utf8') || '{}') as Json }
      seen.push(s)
      await reply(s, seen.length - 1, res)
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    seen,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections()
        server.close(() => r())
      }),
  }
}

// ---------------------------------------------------------------------------------------
// Raw JSON spans
// ---------------------------------------------------------------------------------------

const WS = new Set([0x20, 0x0a, 0x0d, 0x09])

function skipWs(s: string, i: number): number {
  while (i < s.length && WS.has(s.charCodeAt(i))) i++
  return i
}

/** End (exclusive) of the JSON value starting at `i` (after whitespace). */
export function valueEnd(s: string, i: number): number {
  i = skipWs(s, i)
  const c = s[i]
  if (c === '"') {
    for (i++; i < s.length; i++) {
      if (s[i] === '\\') i++
      else if (s[i] === '"') return i + 1
    }
    throw new Error('unterminated string')
  }
  if (c === '{' || c === '[') {
    let depth = 0
    for (; i < s.length; i++) {
      const d = s[i]
      if (d === '"') i = valueEnd(s, i) - 1
      else if (d === '{' || d === '[') depth++
      else if (d === '}' || d === ']') {
        depth--
        if (depth === 0) return i + 1
      }
    }
    throw new Error('unterminated container')
  }
  while (i < s.length && !',}]'.includes(s[i]) && !WS.has(s.charCodeAt(i))) i++
  return i
}

/** A value's raw text span. */
export interface Span {
  start: number
  end: number
}

/** The members of the object at `i`: key -> raw value span. */
export function members(s: string, i = 0): Map<string, Span> {
  const out = new Map<string, Span>()
  i = skipWs(s, i)
  if (s[i] !== '{') throw new Error('not an object')
  i = skipWs(s, i + 1)
  while (s[i] !== '}') {
    const keyEnd = valueEnd(s, i)
    const key = JSON.parse(s.slice(i, keyEnd)) as string
    const vStart = skipWs(s, skipWs(s, keyEnd) + 1)
    const vEnd = valueEnd(s, vStart)
    out.set(key, { start: vStart, end: vEnd })
    i = skipWs(s, vEnd)
    if (s[i] === ',') i = skipWs(s, i + 1)
  }
  return out
}

/** The elements of the array at `i`, as raw spans. */
export function elements(s: string, i: number): Span[] {
  const out: Span[] = []
  i = skipWs(s, i)
  if (s[i] !== '[') throw new Error('not an array')
  i = skipWs(s, i + 1)
  while (s[i] !== ']') {
    const end = valueEnd(s, i)
    out.push({ start: i, end })
    i = skipWs(s, end)
    if (s[i] === ',') i = skipWs(s, i + 1)
  }
  return out
}

/** The raw text of a top-level member of a JSON body (undefined when absent). */
export function rawMember(body: Buffer | string, key: string): string | undefined {
  const s = typeof body === 'string' ? body : body.toString('utf8')
  const span = members(s).get(key)
  return span && s.slice(span.start, span.end)
}

/** The raw texts of a top-level array member's elements. */
export function rawElements(body: Buffer | string, key: string): string[] {
  const s = typeof body === 'string' ? body : body.toString('utf8')
  const span = members(s).get(key)
  return span ? elements(s, span.start).map((e) => s.slice(e.start, e.end)) : []
}

/**
 * Drops `cache_control` members from raw JSON text. Claude Code moves its newest breakpoint
 * every turn itself, so a breakpoint is not part of a block's content (for the provider's
 * cache as for these comparisons). Only real members match: inside a JSON string the quotes
 * are escaped.
 */
export function withoutCacheControl(raw: string): string {
  return raw.replace(/,"cache_control":\{[^{}]*\}/g, '').replace(/"cache_control":\{[^{}]*\},?/g, '')
}

// ---------------------------------------------------------------------------------------
// Anthropic's prompt cache, mocked
// ---------------------------------------------------------------------------------------

/** Token count the mock bills for a piece of the prompt: bytes / 4, rounded up. */
export const mockTokens = (raw: string) => Math.ceil(Buffer.byteLength(raw) / 4)

/** What one request was billed. */
export interface CacheUsage {
  input_tokens: number
  cache_creation_input_tokens: number
  cache_read_input_tokens: number
}

/**
 * Anthropic's prompt cache as the provider bills it, on the raw bytes it receives. The
 * prompt is the sequence `tools`, `system`, `messages` (each tool, each system block, each
 * message content block a segment; a breakpoint is a segment carrying `cache_control`, whose
 * member itself is not content). A request reads from cache the longest prefix, ending at a
 * segment boundary at or before its last breakpoint, that an earlier request wrote; it writes
 * its prefix at each of its breakpoints; what follows the last breakpoint is plain input.
 */
export class PromptCacheMock {
  private readonly written = new Set<string>()

  /** Bills one request body and remembers what it wrote. */
  bill(body: Buffer): CacheUsage {
    const s = body.toString('utf8')
    const top = members(s)
    const segments: { raw: string; breakpoint: boolean }[] = []
    const push = (raw: string, prefix = '') => segments.push({ raw: prefix + withoutCacheControl(raw), breakpoint: hasOwnCacheControl(raw) })
    const tools = top.get('tools')
    if (tools) for (const e of elements(s, tools.start)) push(s.slice(e.start, e.end))
    const system = top.get('system')
    if (system) {
      if (s[system.start] === '[') for (const e of elements(s, system.start)) push(s.slice(e.start, e.end), 'system:')
      else push(s.slice(system.start, system.end), 'system:')
    }
    const messages = top.get('messages')
    if (messages) {
      for (const m of elements(s, messages.start)) {
        const mm = members(s, m.start)
        const role = mm.get('role')!
        const tag = `${s.slice(role.start, role.end)}:`
        const content = mm.get('content')!
        if (s[content.start] === '[') elements(s, content.start).forEach((e, i) => push(s.slice(e.start, e.end), i === 0 ? tag : ''))
        else push(s.slice(content.start, content.end), tag)
      }
    }
    let total = 0
    let hash = ''
    let lastBreakpoint = -1
    const cumulative: { tokens: number; hash: string }[] = []
    segments.forEach((seg, i) => {
      total += mockTokens(seg.raw)
      hash = createHash('sha256').update(hash).update(seg.raw).digest('hex')
      cumulative.push({ tokens: total, hash })
      if (seg.breakpoint) lastBreakpoint = i
    })
    if (lastBreakpoint < 0) return { input_tokens: total, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 }
    let read = 0
    for (let i = lastBreakpoint; i >= 0; i--) {
      if (this.written.has(cumulative[i].hash)) {
        read = cumulative[i].tokens
        break
      }
    }
    segments.forEach((seg, i) => seg.breakpoint && this.written.add(cumulative[i].hash))
    const cached = cumulative[lastBreakpoint].tokens
    return { input_tokens: total - cached, cache_creation_input_tokens: cached - read, cache_read_input_tokens: read }
  }
}

/** Whether a block's own (top-level) members include `cache_control`. */
function hasOwnCacheControl(raw: string): boolean {
  if (!raw.startsWith('{')) return false
  return members(raw).has('cache_control')
}
