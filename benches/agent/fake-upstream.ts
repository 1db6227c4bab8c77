// A scripted fake of the Anthropic Messages API on node:http, for driving a real agent (Claude Code)
// offline: it records every request byte-exact and answers the main conversation from a script of
// tool calls, one step per turn, then a final text answer. Importable by tests (a proxy can sit
// between the agent and it: point the agent at the proxy and the proxy at `upstream.url`).
//
//   const upstream = await FakeUpstream.start({ script: [{ name: 'Bash', input: { command: 'ls' } }] })
//   // ... run the agent with ANTHROPIC_BASE_URL=upstream.url ...
//   for (const r of upstream.mainRequests()) console.log(r.turn, r.body.length)
//   await upstream.close()
import http from 'node:http'
import type { AddressInfo } from 'node:net'

/** One tool call the fake model makes: a tool name and its input, as the agent's tool schema expects. */
export interface ToolCall {
  /** Tool name, e.g. `Bash`, `Read`, `Grep`, `Glob`. */
  name: string
  /** The tool's input object. */
  input: Record<string, unknown>
  /** Optional text the model "says" before the call (a text block ahead of the tool_use block). */
  say?: string
}

/** One scripted turn: one tool call, or several in parallel (one assistant message, several tool_use blocks). */
export type ScriptStep = ToolCall | ToolCall[]

/** How a request was classified. */
export type RequestKind = 'main' | 'auxiliary' | 'count_tokens' | 'probe' | 'other'

/** One request as it arrived. */
export interface RecordedRequest {
  /** Arrival order, from 0, over all requests. */
  seq: number
  /** HTTP method. */
  method: string
  /** Path with the query string, e.g. `/v1/messages?beta=true`. */
  url: string
  /** Path without the query string. */
  path: string
  /** Headers as node parsed them (lower-case names). */
  headers: http.IncomingHttpHeaders
  /** The raw body bytes, exactly as received. */
  body: Buffer
  /** The parsed JSON body, when it parsed. */
  json?: Record<string, unknown>
  /** What the request was taken for. */
  kind: RequestKind
  /** For `main` requests: the scripted turn answered (0 = first; `script.length` = the final answer). */
  turn?: number
  /** Whether the request asked to stream. */
  stream: boolean
  /** HTTP status answered. */
  status: number
  /** `Date.now()` at arrival. */
  at: number
}

/** Options of {@link FakeUpstream.start}. */
export interface FakeUpstreamOptions {
  /** The main conversation: one step per turn; after the last, {@link finalText} with `end_turn`. */
  script: ScriptStep[]
  /** The final answer of the main conversation. */
  finalText?: string
  /** The answer to every auxiliary request (titles, summaries, quota checks...). */
  auxText?: string
  /**
   * Decides whether a `/v1/messages` body belongs to the main conversation. Default
   * {@link isMainConversation}: it offers tools and its system prompt is the agent's own.
   */
  isMain?: (body: Record<string, unknown>) => boolean
  /** Host to listen on. Default `127.0.0.1`. */
  host?: string
  /** Port. Default 0 (a random free port). */
  port?: number
  /** Bytes per `input_json_delta`/`text_delta` chunk: the partial JSON is streamed in pieces. Default 24. */
  deltaChunk?: number
}

/** A system prompt as text (string or text blocks). */
export function systemText(body: Record<string, unknown>): string {
  const s = body.system
  if (typeof s === 'string') return s
  if (Array.isArray(s)) {
    return s.map((b) => (b && typeof b === 'object' && typeof (b as { text?: unknown }).text === 'string' ? (b as { text: string }).text : '')).join('\n')
  }
  return ''
}

/**
 * The default main-conversation test: the body offers tools and is not one of Claude Code's
 * side queries (which carry no tools, or a short system prompt of their own). Claude Code's main
 * system prompt introduces it as an interactive CLI agent for software engineering tasks.
 */
export function isMainConversation(body: Record<string, unknown>): boolean {
  const tools = body.tools
  if (!Array.isArray(tools) || tools.length === 0) return false
  return /software engineering|Claude Code|Claude Agent SDK/i.test(systemText(body))
}

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

/** A deterministic id in Anthropic's shape (`prefix` + `01` + 22 base62 chars) that encodes a tag. */
function fakeId(prefix: string, tag: string): string {
  let h = 0x811c9dc5
  let out = ''
  for (let i = 0; out.length < 22; i++) {
    h ^= (tag.charCodeAt(i % tag.length) + i) & 0xff
    h = Math.imul(h, 0x01000193) >>> 0
    out += ID_ALPHABET[h % ID_ALPHABET.length]
  }
  return `${prefix}01${out}`
}

/** The tool_use id of call `index` of turn `turn`: `toolu_01` + `T<turn>C<index>` + deterministic filler. */
export function toolUseId(turn: number, index: number): string {
  const tag = `T${turn}C${index}`
  return `toolu_01${tag}${fakeId('', tag).slice(2, 2 + 22 - tag.length)}`
}

const TOOL_ID_TURN = /^toolu_01T(\d+)C\d+/

/** The scripted turn a main-conversation body asks for: one past the newest of our tool_use ids in it. */
export function turnOf(body: Record<string, unknown>): number {
  let next = 0
  const messages = Array.isArray(body.messages) ? body.messages : []
  for (const m of messages as { role?: unknown; content?: unknown }[]) {
    if (m?.role !== 'assistant' || !Array.isArray(m.content)) continue
    for (const b of m.content as { type?: unknown; id?: unknown }[]) {
      if (b?.type !== 'tool_use' || typeof b.id !== 'string') continue
      const t = TOOL_ID_TURN.exec(b.id)
      if (t) next = Math.max(next, Number(t[1]) + 1)
    }
  }
  return next
}

/** A value of a JSON schema's shape: strings are `text`, numbers 0, booleans false, arrays empty. */
export function sampleOf(schema: unknown, text: string): unknown {
  const sc = (schema ?? {}) as { type?: unknown; properties?: Record<string, unknown>; enum?: unknown[] }
  if (Array.isArray(sc.enum) && sc.enum.length) return sc.enum[0]
  const type = Array.isArray(sc.type) ? sc.type[0] : sc.type
  switch (type) {
    case 'object':
      return Object.fromEntries(Object.entries(sc.properties ?? {}).map(([k, v]) => [k, sampleOf(v, text)]))
    case 'array':
      return []
    case 'number':
    case 'integer':
      return 0
    case 'boolean':
      return false
    case 'null':
      return null
    default:
      return text
  }
}

/** A content block of an answer. */
type Block = { type: 'text'; text: string } | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> }

/** A rough token estimate for the usage fields (4 bytes a token); nothing here depends on it. */
function roughTokens(bytes: number): number {
  return Math.max(1, Math.round(bytes / 4))
}

function chunks(s: string, n: number): string[] {
  const out: string[] = []
  const cps = Array.from(s) // never split a surrogate pair
  for (let i = 0; i < cps.length; i += n) out.push(cps.slice(i, i + n).join(''))
  return out.length ? out : ['']
}

/** The fake upstream server. Create with {@link FakeUpstream.start}. */
export class FakeUpstream {
  /** Every request, in arrival order. */
  readonly requests: RecordedRequest[] = []
  private readonly server: http.Server
  private readonly opts: Required<Omit<FakeUpstreamOptions, 'port'>>
  private messageSeq = 0

  private constructor(server: http.Server, opts: FakeUpstreamOptions) {
    this.server = server
    this.opts = {
      script: opts.script,
      finalText: opts.finalText ?? 'Done. I looked through the repository as asked.',
      auxText: opts.auxText ?? 'Repository exploration',
      isMain: opts.isMain ?? isMainConversation,
      host: opts.host ?? '127.0.0.1',
      deltaChunk: Math.max(1, opts.deltaChunk ?? 24),
    }
  }

  /** Starts listening; resolves once the port is bound. */
  static async start(opts: FakeUpstreamOptions): Promise<FakeUpstream> {
    const server = http.createServer()
    const up = new FakeUpstream(server, opts)
    server.on('request', (req, res) => up.handle(req, res))
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(opts.port ?? 0, up.opts.host, () => resolve())
    })
    return up
  }

  /** The bound port. */
  get port(): number {
    return (this.server.address() as AddressInfo).port
  }

  /** The base URL to give an agent (`ANTHROPIC_BASE_URL`) or a proxy. */
  get url(): string {
    return `http://${this.opts.host}:${this.port}`
  }

  /** The main-conversation requests, in arrival order. */
  mainRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.kind === 'main')
  }

  /** Whether the final answer has been sent (the script ran to its end). */
  finished(): boolean {
    return this.requests.some((r) => r.kind === 'main' && r.turn === this.opts.script.length && r.status === 200)
  }

  /** Stops listening and drops open connections. */
  async close(): Promise<void> {
    this.server.closeAllConnections()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const parts: Buffer[] = []
    req.on('data', (c: Buffer) => parts.push(c))
    req.on('end', () => {
      const body = Buffer.concat(parts)
      const url = req.url ?? '/'
      const path = url.split('?')[0]
      const rec: RecordedRequest = {
        seq: this.requests.length,
        method: req.method ?? 'GET',
        url,
        path,
        headers: req.headers,
        body,
        kind: 'other',
        stream: false,
        status: 0,
        at: Date.now(),
      }
      this.requests.push(rec)
      if (body.length > 0) {
        try {
          const j = JSON.parse(body.toString('utf8')) as unknown
          if (j && typeof j === 'object' && !Array.isArray(j)) rec.json = j as Record<string, unknown>
        } catch {
          /* recorded as is */
        }
      }
      try {
        this.route(rec, res)
      } catch (e) {
        this.error(rec, res, 500, 'api_error', `fake upstream: ${(e as Error).message}`)
      }
    })
  }

  private route(rec: RecordedRequest, res: http.ServerResponse): void {
    if (rec.path === '/api/hello' || (rec.method === 'HEAD' && rec.path === '/')) {
      rec.kind = 'probe'
      rec.status = 200
      res.writeHead(200, { 'content-type': 'application/json' }).end(rec.method === 'HEAD' ? undefined : '{}')
      return
    }
    if (rec.method === 'POST' && rec.path === '/v1/messages/count_tokens') {
      rec.kind = 'count_tokens'
      this.json(rec, res, 200, { input_tokens: roughTokens(rec.body.length) })
      return
    }
    if (rec.method !== 'POST' || rec.path !== '/v1/messages') {
      this.error(rec, res, 404, 'not_found_error', `fake upstream: no route for ${rec.method} ${rec.path}`)
      return
    }
    const body = rec.json
    if (!body || !Array.isArray(body.messages)) {
      this.error(rec, res, 400, 'invalid_request_error', 'fake upstream: body is not a Messages request')
      return
    }
    rec.stream = body.stream === true
    let blocks: Block[]
    let stop: 'tool_use' | 'end_turn'
    if (this.opts.isMain(body)) {
      rec.kind = 'main'
      const turn = turnOf(body)
      rec.turn = turn
      const step = this.opts.script[turn]
      if (step === undefined) {
        blocks = [{ type: 'text', text: this.opts.finalText }]
        stop = 'end_turn'
      } else {
        const calls = Array.isArray(step) ? step : [step]
        blocks = []
        calls.forEach((c, i) => {
          if (c.say) blocks.push({ type: 'text', text: c.say })
          blocks.push({ type: 'tool_use', id: toolUseId(turn, i), name: c.name, input: c.input })
        })
        stop = 'tool_use'
      }
    } else {
      rec.kind = 'auxiliary'
      // Claude Code's side queries may ask for structured output (the session title does:
      // output_config.format json_schema); answer those with an object of the schema's shape
      const format = (body.output_config as { format?: { type?: string; schema?: unknown } } | undefined)?.format
      const text = format?.type === 'json_schema' ? JSON.stringify(sampleOf(format.schema, this.opts.auxText)) : this.opts.auxText
      blocks = [{ type: 'text', text }]
      stop = 'end_turn'
    }
    const model = typeof body.model === 'string' ? body.model : 'claude-sonnet-4-5'
    const id = fakeId('msg_', `m${this.messageSeq++}`)
    const inputTokens = roughTokens(rec.body.length)
    const outputTokens = roughTokens(JSON.stringify(blocks).length)
    if (rec.stream) this.stream(rec, res, id, model, blocks, stop, inputTokens, outputTokens)
    else
      this.json(rec, res, 200, {
        id,
        type: 'message',
        role: 'assistant',
        model,
        content: blocks,
        stop_reason: stop,
        stop_sequence: null,
        usage: { input_tokens: inputTokens, output_tokens: outputTokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
      })
  }

  /** Writes the full SSE sequence of one message (every event a separate write, as a server would). */
  private stream(
    rec: RecordedRequest,
    res: http.ServerResponse,
    id: string,
    model: string,
    blocks: Block[],
    stop: string,
    inputTokens: number,
    outputTokens: number,
  ): void {
    rec.status = 200
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'request-id': `req_fake_${rec.seq}`,
    })
    const send = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`)
    const usage0 = { input_tokens: inputTokens, output_tokens: 1, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 }
    send('message_start', {
      type: 'message_start',
      message: { id, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: usage0 },
    })
    send('ping', { type: 'ping' })
    const n = this.opts.deltaChunk
    blocks.forEach((b, index) => {
      if (b.type === 'text') {
        send('content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } })
        for (const text of chunks(b.text, n)) {
          send('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text } })
        }
      } else {
        send('content_block_start', {
          type: 'content_block_start',
          index,
          content_block: { type: 'tool_use', id: b.id, name: b.name, input: {} },
        })
        for (const partial_json of chunks(JSON.stringify(b.input), n)) {
          send('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json } })
        }
      }
      send('content_block_stop', { type: 'content_block_stop', index })
    })
    send('message_delta', {
      type: 'message_delta',
      delta: { stop_reason: stop, stop_sequence: null },
      usage: { ...usage0, output_tokens: outputTokens },
    })
    send('message_stop', { type: 'message_stop' })
    res.end()
  }

  private json(rec: RecordedRequest, res: http.ServerResponse, status: number, value: unknown): void {
    rec.status = status
    res.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_fake_${rec.seq}` }).end(JSON.stringify(value))
  }

  private error(rec: RecordedRequest, res: http.ServerResponse, status: number, type: string, message: string): void {
    this.json(rec, res, status, { type: 'error', error: { type, message }, request_id: `req_fake_${rec.seq}` })
  }
}
