// Test helpers for the proxy's field-lesson tests: a scripted fake upstream that records the
// bytes it receives, a scanner for raw JSON spans (to compare bytes, not re-serialisations),
// and a mock of Anthropic's prompt cache that bills `usage` the way the provider does.
import { type ChildProcess, spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'

import { elements, members, withoutCacheControl } from '../benches/agent/json-spans'

export { elements, members, withoutCacheControl }

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

// Raw JSON spans: the shared scanner of the agent bench.
export { rawElements, rawMember, type Span, valueEnd } from '../benches/agent/json-spans'

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

/**
 * Runs `headroom proxy ARGS` in a child process (its environment plus `env`) until it prints
 * its address; `stop()` ends it with SIGTERM and gives its output.
 */
export async function cliProxy(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ url: string; child: ChildProcess; stop(): Promise<{ stdout: string; stderr: string }> }> {
  const child = spawn(process.execPath, [path.join(__dirname, '..', 'bin', 'headroom.js'), 'proxy', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } })
  let stdout = ''
  let stderr = ''
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString('utf8')))
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      stdout += c.toString('utf8')
      const m = /listening on (http:\/\/\S+)/.exec(stdout)
      if (m && stdout.includes('OPENAI_BASE_URL')) resolve(m[1])
    })
    child.once('exit', (code) => reject(new Error(`proxy exited ${code}: ${stderr}`)))
  })
  return {
    url,
    child,
    stop: async () => {
      await new Promise((r) => setTimeout(r, 100))
      child.kill('SIGTERM')
      await new Promise((r) => child.once('exit', r))
      return { stdout, stderr }
    },
  }
}
