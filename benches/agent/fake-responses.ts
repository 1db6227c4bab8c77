// A scripted fake of the OpenAI Responses API (`POST /v1/responses`, streamed or not) on
// node:http, for driving the real Codex CLI offline: it records every request byte-exact and
// answers with one scripted function call per turn (Codex runs it and sends the output back as
// a `function_call_output` item), then a final text message.
//
//   const upstream = await FakeResponses.start({ script: [{ name: 'exec_command', arguments: { cmd: 'ls' } }] })
//   // ... run `codex exec` with a provider whose base_url is `${upstream.url}/v1` ...
//   await upstream.close()
import http from 'node:http'
import type { AddressInfo } from 'node:net'

import type { RecordedRequest } from './fake-upstream'

/** One function call the fake model makes (Codex's shell tool is `exec_command` with `{ cmd }`). */
export interface FunctionCall {
  name: string
  arguments: Record<string, unknown>
}

/** Options of {@link FakeResponses.start}. */
export interface FakeResponsesOptions {
  /** One call per turn; after the last, {@link finalText}. */
  script: FunctionCall[]
  /** The final answer. */
  finalText?: string
  /** Bytes per `*.delta` event. Default 24. */
  deltaChunk?: number
}

/** The call id of turn `turn`: `call_T<turn>_headroomfake`. */
export function callId(turn: number): string {
  return `call_T${turn}_headroomfake`
}

const CALL_TURN = /^call_T(\d+)_headroomfake$/

/** The turn a Responses body asks for: one past the newest of our call ids in its `input`. */
export function responsesTurn(body: Record<string, unknown>): number {
  let next = 0
  for (const item of Array.isArray(body.input) ? (body.input as { type?: unknown; call_id?: unknown }[]) : []) {
    if (item?.type !== 'function_call' || typeof item.call_id !== 'string') continue
    const m = CALL_TURN.exec(item.call_id)
    if (m) next = Math.max(next, Number(m[1]) + 1)
  }
  return next
}

function pieces(s: string, n: number): string[] {
  const cps = Array.from(s)
  const out: string[] = []
  for (let i = 0; i < cps.length; i += n) out.push(cps.slice(i, i + n).join(''))
  return out.length ? out : ['']
}

/** The fake Responses server. Create with {@link FakeResponses.start}. */
export class FakeResponses {
  /** Every request, in arrival order (`kind` is `main` for `/v1/responses` bodies). */
  readonly requests: RecordedRequest[] = []
  private constructor(
    private readonly server: http.Server,
    private readonly opts: Required<FakeResponsesOptions>,
  ) {}

  /** Starts listening on 127.0.0.1 (a random port). */
  static async start(opts: FakeResponsesOptions): Promise<FakeResponses> {
    const server = http.createServer()
    const up = new FakeResponses(server, { finalText: 'Done.', deltaChunk: 24, ...opts })
    server.on('request', (req, res) => up.handle(req, res))
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(0, '127.0.0.1', () => resolve())
    })
    return up
  }

  /** The origin to give a proxy (the client's `/v1/...` path is appended). */
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
  }

  /** The `/v1/responses` requests, in arrival order. */
  mainRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.kind === 'main')
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
      const url = req.url ?? '/'
      const rec: RecordedRequest = {
        seq: this.requests.length,
        method: req.method ?? 'GET',
        url,
        path: url.split('?')[0],
        headers: req.headers,
        body: Buffer.concat(parts),
        kind: 'other',
        stream: false,
        status: 0,
        at: Date.now(),
      }
      this.requests.push(rec)
      try {
        const j = JSON.parse(rec.body.toString('utf8')) as unknown
        if (j && typeof j === 'object' && !Array.isArray(j)) rec.json = j as Record<string, unknown>
      } catch {
        /* recorded as is */
      }
      if (rec.method !== 'POST' || rec.path !== '/v1/responses' || !rec.json || !Array.isArray(rec.json.input)) {
        rec.status = 404
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { type: 'not_found', message: `fake responses: no route for ${rec.method} ${rec.path}` } }))
        return
      }
      rec.kind = 'main'
      rec.stream = rec.json.stream === true
      rec.turn = responsesTurn(rec.json)
      this.answer(rec, res)
    })
  }

  private answer(rec: RecordedRequest, res: http.ServerResponse): void {
    const turn = rec.turn!
    const step = this.opts.script[turn]
    const id = `resp_fake_${rec.seq}`
    const model = typeof rec.json!.model === 'string' ? rec.json!.model : 'gpt-5-codex'
    const item: Record<string, unknown> = step
      ? { type: 'function_call', id: `fc_fake_${rec.seq}`, call_id: callId(turn), name: step.name, arguments: JSON.stringify(step.arguments), status: 'completed' }
      : { type: 'message', id: `msg_fake_${rec.seq}`, role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: this.opts.finalText, annotations: [] }] }
    const usage = { input_tokens: Math.round(rec.body.length / 4), input_tokens_details: { cached_tokens: 0 }, output_tokens: 10, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: Math.round(rec.body.length / 4) + 10 }
    const response = { id, object: 'response', created_at: Math.floor(rec.at / 1000), status: 'completed', model, output: [item], usage }
    rec.status = 200
    if (!rec.stream) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(response))
      return
    }
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' })
    let seq = 0
    const send = (type: string, data: Record<string, unknown>) => res.write(`event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: seq++, ...data })}\n\n`)
    send('response.created', { response: { ...response, status: 'in_progress', output: [], usage: null } })
    if (step) {
      send('response.output_item.added', { output_index: 0, item: { ...item, arguments: '', status: 'in_progress' } })
      for (const delta of pieces(item.arguments as string, this.opts.deltaChunk)) send('response.function_call_arguments.delta', { output_index: 0, item_id: item.id, delta })
      send('response.function_call_arguments.done', { output_index: 0, item_id: item.id, arguments: item.arguments })
    } else {
      send('response.output_item.added', { output_index: 0, item: { ...item, content: [], status: 'in_progress' } })
      send('response.content_part.added', { output_index: 0, item_id: item.id, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } })
      for (const delta of pieces(this.opts.finalText, this.opts.deltaChunk)) send('response.output_text.delta', { output_index: 0, item_id: item.id, content_index: 0, delta })
      send('response.output_text.done', { output_index: 0, item_id: item.id, content_index: 0, text: this.opts.finalText })
      send('response.content_part.done', { output_index: 0, item_id: item.id, content_index: 0, part: { type: 'output_text', text: this.opts.finalText, annotations: [] } })
    }
    send('response.output_item.done', { output_index: 0, item })
    send('response.completed', { response })
    res.end()
  }
}
