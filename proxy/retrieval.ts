// Answering the model's `headroom_retrieve` calls inside the proxy.
//
// When a request went upstream with the retrieve tool, the response is watched for calls to
// it. A call is answered from the store and the turn continues upstream: the request body
// with the model's turn and the tool results appended by byte splice (so the continuation
// reads the request's prefix from the provider's cache). The client sees one coherent
// response: the retrieve calls and their results never reach it, block indices run on
// without gaps, and usage adds up every upstream call it was billed for.
//
// Streams stay streams: text and thinking are relayed as they arrive. Only tool-call blocks
// are held until the turn ends, since a turn that calls `headroom_retrieve` is continued
// instead of returned. When the model calls client tools in the same turn as a retrieve
// call, the client tools get a result asking the model to call them again once it has what
// it retrieved; the model's repeated calls then reach the client in the continued turn.

import { once } from 'node:events'
import type http from 'node:http'
import type { Dispatcher } from 'undici'

import * as hr from '../index'
import { SseParser, renderEvent, type SseEvent } from './sse'
import { sumUsage } from './usage'

/** Continuations of one turn after which further retrieve calls are dropped. */
export const MAX_RETRIEVE_ROUNDS = 3

/** The tool result given to a client tool called in the same turn as a retrieve call. */
export const DEFERRED_RESULT =
  'Not run yet: headroom answered the headroom_retrieve call of this turn first. ' +
  'If this call is still needed, make it again now.'

/** What a turn's retrieval did, for stats. */
export interface RetrievalOutcome {
  /** Upstream calls made after the first. */
  rounds: number
  /** Retrieve calls answered. */
  calls: number
  /** Usage objects of every upstream call, in order (their sum is what the client sees). */
  usages: Record<string, unknown>[]
  /** Whether the stream ended without its final event. */
  truncated: boolean
  /**
   * Whether the stream carried the provider's own error event (relayed as it came; it ends
   * the stream, which is then closed cleanly rather than cut).
   */
  errored: boolean
}

/** Sends a continuation body upstream (same URL and headers as the original request). */
export type SendUpstream = (body: Buffer) => Promise<Dispatcher.ResponseData>

/** What the retrieval loop needs. */
export interface RetrievalContext {
  /** The body that went upstream. */
  body: Buffer
  send: SendUpstream
  store: hr.Store
  /** The response to the client; headers not yet written. */
  res: http.ServerResponse
  /** Response headers to relay (hop-by-hop ones removed). */
  headers: Record<string, string | string[]>
  /**
   * Whether the request carried the retrieve tool: retrieve calls are answered and tool
   * calls held until the turn ends. Without it the response is only observed (usage).
   */
  intercept: boolean
}

type Json = Record<string, unknown>
type Format = 'anthropic' | 'openai' | 'openai-responses'

const isRetrieve = (name: unknown) => name === hr.RETRIEVE_TOOL_NAME

async function write(res: http.ServerResponse, chunk: Buffer): Promise<void> {
  if (!res.write(chunk)) await Promise.race([once(res, 'drain'), once(res, 'close')])
}

/** Tool results answering `assistant`'s retrieve calls, plus deferrals for its other calls. */
function answers(format: Format, response: Json, store: hr.Store): { items: Json[]; calls: number } {
  const r = hr.resolveRetrieveCalls(response, { store })
  const items = r.results as unknown as Json[]
  if (r.otherCalls.length) {
    if (format === 'anthropic') {
      const blocks = r.otherCalls.map((id) => ({ type: 'tool_result', tool_use_id: id, is_error: true, content: DEFERRED_RESULT }))
      if (items.length && Array.isArray(items[0].content)) (items[0].content as Json[]).push(...blocks)
      else items.push({ role: 'user', content: blocks })
    } else if (format === 'openai') {
      for (const id of r.otherCalls) items.push({ role: 'tool', tool_call_id: id, content: DEFERRED_RESULT })
    } else {
      for (const id of r.otherCalls) items.push({ type: 'function_call_output', call_id: id, output: DEFERRED_RESULT })
    }
  }
  return { items, calls: r.resolved.length }
}

/** An event's data as a JSON object (`undefined` for `[DONE]`, pings without data, or bad JSON). */
function eventJson(ev: SseEvent): Json | undefined {
  if (!ev.data.startsWith('{')) return undefined
  try {
    return JSON.parse(ev.data) as Json
  } catch {
    return undefined
  }
}

/** Whether an event is a provider's in-stream error (Anthropic/Responses `type: "error"`, Chat `{"error": ...}`). */
function isErrorEvent(data: Json): boolean {
  return data.type === 'error' || (data.choices === undefined && data.error !== undefined && data.error !== null && typeof data.error === 'object')
}

/** The provider's error object of a failed continuation (the upstream's own when it sent one). */
async function continuationError(upstream: Dispatcher.ResponseData): Promise<Json> {
  const text = await upstream.body.text().catch(() => '')
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    parsed = undefined
  }
  const own = (parsed as { error?: unknown } | undefined)?.error
  if (own && typeof own === 'object') return own as Json
  return { type: 'api_error', message: `headroom proxy: the upstream answered ${upstream.statusCode} to a continuation after retrieval: ${text.slice(0, 500)}` }
}

/**
 * Feeds an upstream stream's events to `handle` in order. Returns false when the relay is
 * over early: the client went away (upstream is dropped) or upstream broke off (the client
 * sees the cut).
 */
async function pump(
  upstream: Dispatcher.ResponseData,
  parser: SseParser,
  handle: (ev: SseEvent) => Promise<unknown>,
  res: http.ServerResponse,
  outcome: RetrievalOutcome,
): Promise<boolean> {
  try {
    for await (const chunk of upstream.body) {
      for (const ev of parser.push(chunk as Buffer)) await handle(ev)
      if (res.destroyed) {
        upstream.body.destroy()
        return false
      }
    }
    return true
  } catch {
    outcome.truncated = true
    res.destroy()
    return false
  }
}

/** Ends a relayed stream: cleanly after its final event, else cut (the client sees the truncation). */
function endStream(res: http.ServerResponse, finished: boolean, outcome: RetrievalOutcome): RetrievalOutcome {
  if (finished) res.end()
  else {
    outcome.truncated = true
    res.destroy()
  }
  return outcome
}

/**
 * Sends a continuation upstream. On an error status the stream ends with `errorEvent` of
 * the provider's error object and `undefined` is returned.
 */
async function continueUpstream(
  ctx: RetrievalContext,
  body: Buffer,
  outcome: RetrievalOutcome,
  errorEvent: (error: Json) => Buffer,
): Promise<Dispatcher.ResponseData | undefined> {
  outcome.rounds++
  const upstream = await ctx.send(body)
  if (upstream.statusCode === 200) return upstream
  outcome.errored = true
  await write(ctx.res, errorEvent(await continuationError(upstream)))
  ctx.res.end()
  return undefined
}

// ---------------------------------------------------------------------------------------
// Non-streaming
// ---------------------------------------------------------------------------------------

/** Calls to the retrieve tool and to other tools in a non-streaming response. */
function toolCalls(format: Format, r: Json): { retrieve: number; other: number } {
  let retrieve = 0
  let other = 0
  const count = (name: unknown) => (isRetrieve(name) ? retrieve++ : other++)
  if (format === 'anthropic') {
    for (const b of (r.content as Json[] | undefined) ?? []) if (b?.type === 'tool_use') count(b.name)
  } else if (format === 'openai') {
    const msg = ((r.choices as Json[] | undefined)?.[0]?.message ?? {}) as Json
    for (const c of (msg.tool_calls as Json[] | undefined) ?? []) count((c.function as Json | undefined)?.name)
  } else {
    for (const o of (r.output as Json[] | undefined) ?? []) if (o?.type === 'function_call') count(o.name)
  }
  return { retrieve, other }
}

/** The assistant turn of a response, as conversation items to append. */
function turnItems(format: Format, r: Json): Json[] {
  if (format === 'anthropic') return [{ role: 'assistant', content: r.content }]
  if (format === 'openai') {
    const m = { ...((r.choices as Json[])[0].message as Json) }
    delete m.refusal
    delete m.annotations
    return [m]
  }
  return (r.output as Json[]) ?? []
}

/** The response the client sees: earlier rounds' content (tool calls dropped) + the last. */
function merge(format: Format, rounds: Json[], usages: Json[]): Json {
  const first = rounds[0]
  const last = { ...rounds[rounds.length - 1] }
  if (format === 'anthropic') {
    const earlier = rounds.slice(0, -1).flatMap((r) => ((r.content as Json[]) ?? []).filter((b) => b.type !== 'tool_use'))
    const final = ((last.content as Json[]) ?? []).filter((b) => !(b.type === 'tool_use' && isRetrieve(b.name)))
    last.content = [...earlier, ...final]
    if (last.stop_reason === 'tool_use' && !final.some((b) => b.type === 'tool_use')) last.stop_reason = 'end_turn'
    last.id = first.id
  } else if (format === 'openai') {
    const texts = rounds.map((r) => ((r.choices as Json[])[0].message as Json).content).filter((t): t is string => typeof t === 'string' && t !== '')
    const choice = { ...(last.choices as Json[])[0] }
    const message = { ...(choice.message as Json) }
    const calls = ((message.tool_calls as Json[] | undefined) ?? []).filter((c) => !isRetrieve((c.function as Json).name))
    if (calls.length) message.tool_calls = calls
    else {
      delete message.tool_calls
      if (choice.finish_reason === 'tool_calls') choice.finish_reason = 'stop'
    }
    message.content = texts.length ? texts.join('\n\n') : null
    choice.message = message
    last.choices = [choice, ...(last.choices as Json[]).slice(1)]
    last.id = first.id
  } else {
    const earlier = rounds.slice(0, -1).flatMap((r) => ((r.output as Json[]) ?? []).filter((o) => o.type !== 'function_call'))
    const final = ((last.output as Json[]) ?? []).filter((o) => !(o.type === 'function_call' && isRetrieve(o.name)))
    last.output = [...earlier, ...final]
    last.id = first.id
  }
  if (usages.length) last.usage = sumUsage(usages)
  return last
}

/**
 * Relays a non-streaming JSON response, continuing the turn upstream while the model calls
 * `headroom_retrieve`. Upstream errors (the first call's or a continuation's) are relayed
 * as they came.
 */
export async function relayJson(format: Format, first: Dispatcher.ResponseData, ctx: RetrievalContext): Promise<RetrievalOutcome> {
  const outcome: RetrievalOutcome = { rounds: 0, calls: 0, usages: [], truncated: false, errored: false }
  let upstream = first
  let raw = Buffer.from(await upstream.body.arrayBuffer())
  let body = ctx.body
  const rounds: Json[] = []
  for (;;) {
    const encoding = upstream.headers['content-encoding']
    let parsed: Json | undefined
    try {
      parsed = upstream.statusCode === 200 && (!encoding || encoding === 'identity') ? (JSON.parse(raw.toString('utf8')) as Json) : undefined
    } catch {
      parsed = undefined
    }
    if (!parsed) break
    rounds.push(parsed)
    if (parsed.usage && typeof parsed.usage === 'object') outcome.usages.push(parsed.usage as Json)
    const calls = toolCalls(format, parsed)
    if (!ctx.intercept || !calls.retrieve || outcome.rounds >= MAX_RETRIEVE_ROUNDS) break
    const answered = answers(format, parsed, ctx.store)
    outcome.calls += answered.calls
    body = hr.appendItems(body, [...turnItems(format, parsed), ...answered.items])
    outcome.rounds++
    upstream = await ctx.send(body)
    raw = Buffer.from(await upstream.body.arrayBuffer())
  }
  let out = raw
  const headers = { ...(outcome.rounds > 0 ? relayHeaders(upstream) : ctx.headers) }
  const merged = ctx.intercept && rounds.length === outcome.rounds + 1 && (outcome.rounds > 0 || toolCalls(format, rounds[0]).retrieve > 0)
  if (merged) {
    out = Buffer.from(JSON.stringify(merge(format, rounds, outcome.usages)))
    delete headers['content-encoding']
  }
  delete headers['content-length']
  headers['content-length'] = String(out.length)
  ctx.res.writeHead(upstream.statusCode, headers)
  ctx.res.end(out)
  return outcome
}

function relayHeaders(upstream: Dispatcher.ResponseData): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {}
  for (const [k, v] of Object.entries(upstream.headers)) {
    if (v !== undefined && !['connection', 'keep-alive', 'transfer-encoding', 'proxy-connection', 'upgrade', 'trailer'].includes(k)) out[k] = v
  }
  return out
}

// ---------------------------------------------------------------------------------------
// Streaming: Anthropic Messages
// ---------------------------------------------------------------------------------------

interface HeldBlock {
  events: SseEvent[]
  upstreamIndex: number
}

/** Rebuilds content blocks from stream events, for the continuation's assistant turn. */
class BlockBuilder {
  readonly blocks: Json[] = []
  private readonly partial = new Map<number, string>()

  start(index: number, block: Json) {
    const b = { ...block }
    if (b.type === 'tool_use' || b.type === 'server_tool_use') this.partial.set(index, '')
    this.blocks[index] = b
  }

  delta(index: number, delta: Json) {
    const b = this.blocks[index]
    if (!b) return
    switch (delta.type) {
      case 'text_delta':
        b.text = String(b.text ?? '') + String(delta.text ?? '')
        break
      case 'thinking_delta':
        b.thinking = String(b.thinking ?? '') + String(delta.thinking ?? '')
        break
      case 'signature_delta':
        b.signature = delta.signature
        break
      case 'input_json_delta':
        this.partial.set(index, (this.partial.get(index) ?? '') + String(delta.partial_json ?? ''))
        break
      case 'citations_delta':
        b.citations = [...((b.citations as unknown[]) ?? []), delta.citation]
        break
    }
  }

  stop(index: number) {
    const json = this.partial.get(index)
    if (json === undefined || !this.blocks[index]) return
    try {
      this.blocks[index].input = json.trim() ? JSON.parse(json) : {}
    } catch {
      this.blocks[index].input = {}
    }
  }

  content(): Json[] {
    return this.blocks.filter((b) => b !== undefined)
  }
}

/**
 * Relays an Anthropic SSE stream to the client, continuing the turn upstream while the
 * model calls `headroom_retrieve` (see the module comment).
 */
export async function relayAnthropicStream(first: Dispatcher.ResponseData, ctx: RetrievalContext): Promise<RetrievalOutcome> {
  const { res } = ctx
  const outcome: RetrievalOutcome = { rounds: 0, calls: 0, usages: [], truncated: false, errored: false }
  res.writeHead(200, ctx.headers)
  res.flushHeaders()
  let nextIndex = 0
  let body = ctx.body
  let upstream = first
  for (;;) {
    const parser = new SseParser()
    const builder = new BlockBuilder()
    const held: HeldBlock[] = []
    const heldByIndex = new Map<number, HeldBlock>()
    const indexMap = new Map<number, number>()
    let roundUsage: Json = {}
    let continuing = false
    let finished = false
    const round = outcome.rounds

    const reindex = async (ev: SseEvent, data: Json, upstreamIndex: number) => {
      const ci = indexMap.get(upstreamIndex)
      if (ci === undefined) return
      if (ci === upstreamIndex) await write(res, ev.raw)
      else await write(res, renderEvent(ev.event, { ...data, index: ci }))
    }

    const handle = async (ev: SseEvent) => {
      if (continuing) return
      const data = eventJson(ev)
      const type = (data?.type as string | undefined) ?? ev.event
      const index = typeof data?.index === 'number' ? data.index : -1
      switch (type) {
        case 'message_start': {
          const usage = (data?.message as Json | undefined)?.usage
          if (usage && typeof usage === 'object') roundUsage = { ...roundUsage, ...(usage as Json) }
          if (round === 0) await write(res, ev.raw)
          return
        }
        case 'content_block_start': {
          const block = (data!.content_block ?? {}) as Json
          builder.start(index, block)
          if (block.type === 'tool_use' && ctx.intercept) {
            const h = { events: [ev], upstreamIndex: index }
            held.push(h)
            heldByIndex.set(index, h)
            return
          }
          indexMap.set(index, nextIndex++)
          return reindex(ev, data!, index)
        }
        case 'content_block_delta':
        case 'content_block_stop': {
          if (type === 'content_block_delta') builder.delta(index, (data!.delta ?? {}) as Json)
          else builder.stop(index)
          const h = heldByIndex.get(index)
          if (h) h.events.push(ev)
          else await reindex(ev, data!, index)
          return
        }
        case 'message_delta': {
          const usage = data?.usage
          if (usage && typeof usage === 'object') roundUsage = { ...roundUsage, ...(usage as Json) }
          const retrieveCalls = held.filter((h) => isRetrieve(builder.blocks[h.upstreamIndex]?.name))
          if (retrieveCalls.length && round < MAX_RETRIEVE_ROUNDS) {
            continuing = true
            return
          }
          // The turn ends here: release the held tool calls (retrieve calls past the round
          // limit are dropped), then the final delta with every round's usage added up.
          let clientCalls = 0
          for (const h of held) {
            if (isRetrieve(builder.blocks[h.upstreamIndex]?.name)) continue
            clientCalls++
            indexMap.set(h.upstreamIndex, nextIndex++)
            for (const e of h.events) await reindex(e, JSON.parse(e.data) as Json, h.upstreamIndex)
          }
          const delta = { ...((data?.delta as Json | undefined) ?? {}) }
          const dropped = held.length - clientCalls
          if (round === 0 && dropped === 0) return write(res, ev.raw)
          if (dropped && !clientCalls && delta.stop_reason === 'tool_use') delta.stop_reason = 'end_turn'
          const total = sumUsage([...outcome.usages, roundUsage])
          return write(res, renderEvent(ev.event, { ...data, delta, usage: total }))
        }
        case 'message_stop':
          finished = true
          return write(res, ev.raw)
        case 'error':
          // The provider's error ends the stream: relayed as it came, then a clean end.
          outcome.errored = finished = true
          return write(res, ev.raw)
        default:
          // ping, and event types this proxy does not know: relayed as they are.
          return write(res, ev.raw)
      }
    }

    if (!(await pump(upstream, parser, handle, res, outcome))) return outcome
    outcome.usages.push(roundUsage)
    if (!continuing) return endStream(res, finished, outcome)
    const response: Json = { type: 'message', role: 'assistant', content: builder.content(), stop_reason: 'tool_use' }
    const answered = answers('anthropic', response, ctx.store)
    outcome.calls += answered.calls
    body = hr.appendItems(body, [{ role: 'assistant', content: response.content }, ...answered.items])
    const next = await continueUpstream(ctx, body, outcome, (error) => renderEvent('error', { type: 'error', error }))
    if (!next) return outcome
    upstream = next
  }
}

// ---------------------------------------------------------------------------------------
// Streaming: OpenAI Chat Completions
// ---------------------------------------------------------------------------------------

interface HeldCall {
  id: string
  name: string
  arguments: string
}

/**
 * Relays an OpenAI Chat Completions SSE stream, continuing the turn upstream while the
 * model calls `headroom_retrieve`. Tool-call deltas are held until the choice finishes;
 * content deltas are relayed as they arrive. Only single-choice streams are continued.
 */
export async function relayChatStream(first: Dispatcher.ResponseData, ctx: RetrievalContext): Promise<RetrievalOutcome> {
  const { res } = ctx
  const outcome: RetrievalOutcome = { rounds: 0, calls: 0, usages: [], truncated: false, errored: false }
  res.writeHead(200, ctx.headers)
  res.flushHeaders()
  let body = ctx.body
  let upstream = first
  let firstId: unknown
  for (;;) {
    const parser = new SseParser()
    const calls: HeldCall[] = []
    let text = ''
    let continuing = false
    let finished = false
    let finish: Json | undefined
    let roundUsage: Json | undefined
    const round = outcome.rounds

    const send = async (ev: SseEvent, chunk: Json, changed: boolean) => {
      if (round > 0 && firstId !== undefined) {
        chunk.id = firstId
        changed = true
      }
      await write(res, changed ? renderEvent(ev.event, chunk) : ev.raw)
    }

    const releaseCalls = async (template: Json) => {
      const list = calls.filter((c) => !isRetrieve(c.name))
      if (!list.length) return 0
      const tool_calls = list.map((c, i) => ({ index: i, id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } }))
      const chunk: Json = { ...template, choices: [{ index: 0, delta: { tool_calls }, finish_reason: null }] }
      delete chunk.usage
      if (firstId !== undefined) chunk.id = firstId
      await write(res, renderEvent(undefined, chunk))
      return list.length
    }

    const handle = async (ev: SseEvent) => {
      const chunk = eventJson(ev)
      if (chunk?.usage && typeof chunk.usage === 'object') roundUsage = chunk.usage as Json
      if (continuing) return
      if (ev.data === '[DONE]') {
        finished = true
        return write(res, ev.raw)
      }
      if (!chunk) return write(res, ev.raw)
      if (isErrorEvent(chunk)) {
        outcome.errored = finished = true
        return write(res, ev.raw)
      }
      if (firstId === undefined && chunk.id !== undefined) firstId = chunk.id
      const choices = (chunk.choices as Json[] | undefined) ?? []
      if (choices.length === 0) {
        // The usage chunk after the finish: every round's usage added up.
        if (chunk.usage && (round > 0 || outcome.usages.length)) {
          return send(ev, { ...chunk, usage: sumUsage([...outcome.usages, roundUsage ?? {}]) }, true)
        }
        return send(ev, chunk, false)
      }
      if (choices.length > 1 || choices[0].index !== 0) return send(ev, chunk, false)
      const choice = choices[0]
      const delta = (choice.delta ?? {}) as Json
      let changed = false
      if (Array.isArray(delta.tool_calls) && ctx.intercept) {
        for (const tc of delta.tool_calls as Json[]) {
          const i = typeof tc.index === 'number' ? tc.index : calls.length
          const fn = (tc.function ?? {}) as Json
          calls[i] ??= { id: '', name: '', arguments: '' }
          if (tc.id) calls[i].id = String(tc.id)
          if (fn.name) calls[i].name += String(fn.name)
          if (fn.arguments) calls[i].arguments += String(fn.arguments)
        }
        const rest = { ...delta }
        delete rest.tool_calls
        choice.delta = rest
        changed = true
      }
      if (typeof delta.content === 'string') text += delta.content
      if (choice.finish_reason) {
        finish = chunk
        if (calls.some((c) => isRetrieve(c.name)) && round < MAX_RETRIEVE_ROUNDS) {
          continuing = true
          return
        }
        const released = await releaseCalls(chunk)
        if (calls.length > released && choice.finish_reason === 'tool_calls' && released === 0) {
          choice.finish_reason = 'stop'
          changed = true
        }
        return send(ev, chunk, changed)
      }
      const d = choice.delta as Json
      const empty = Object.keys(d).length === 0 || (Object.keys(d).length === 1 && d.role !== undefined && round > 0)
      if (changed && empty && !chunk.usage) return
      return send(ev, chunk, changed)
    }

    if (!(await pump(upstream, parser, handle, res, outcome))) return outcome
    if (roundUsage) outcome.usages.push(roundUsage)
    if (!continuing) return endStream(res, finished, outcome)
    const message: Json = {
      role: 'assistant',
      content: text || null,
      tool_calls: calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } })),
    }
    const response: Json = { object: 'chat.completion', choices: [{ index: 0, message, finish_reason: (finish?.choices as Json[])[0].finish_reason }] }
    const answered = answers('openai', response, ctx.store)
    outcome.calls += answered.calls
    body = hr.appendItems(body, [message, ...answered.items])
    const next = await continueUpstream(ctx, body, outcome, (error) => renderEvent(undefined, { error }))
    if (!next) return outcome
    upstream = next
  }
}

// ---------------------------------------------------------------------------------------
// Streaming: OpenAI Responses
// ---------------------------------------------------------------------------------------

/**
 * Relays an OpenAI Responses SSE stream, continuing the turn upstream while the model calls
 * `headroom_retrieve`. Function-call output items are held until `response.completed`;
 * every other event is relayed as it arrives. With `intercept` on, events carry the
 * proxy's own running `sequence_number` and `output_index`, so a continued turn reads as
 * one response.
 */
export async function relayResponsesStream(first: Dispatcher.ResponseData, ctx: RetrievalContext): Promise<RetrievalOutcome> {
  if (!ctx.intercept) return relayObservedStream(first, ctx)
  const { res } = ctx
  const outcome: RetrievalOutcome = { rounds: 0, calls: 0, usages: [], truncated: false, errored: false }
  res.writeHead(200, ctx.headers)
  res.flushHeaders()
  let body = ctx.body
  let upstream = first
  let sequence = 0
  let nextIndex = 0
  let firstId: unknown
  const earlierOutput: Json[] = []
  for (;;) {
    const parser = new SseParser()
    const held = new Map<number, SseEvent[]>()
    const indexMap = new Map<number, number>()
    let continuing = false
    let finished = false
    let completed: Json | undefined
    const round = outcome.rounds

    const emit = async (ev: SseEvent, data: Json, outputIndex?: number) => {
      const out: Json = { ...data, sequence_number: sequence++ }
      if (outputIndex !== undefined) {
        if (!indexMap.has(outputIndex)) indexMap.set(outputIndex, nextIndex++)
        out.output_index = indexMap.get(outputIndex)
      }
      if ((out.response as Json | undefined)?.id !== undefined && firstId !== undefined) out.response = { ...(out.response as Json), id: firstId }
      await write(res, renderEvent(ev.event, out))
    }

    const handle = async (ev: SseEvent) => {
      if (continuing) return
      const data = eventJson(ev)
      if (!data) {
        if (ev.data === '[DONE]') finished = true
        return write(res, ev.raw)
      }
      const type = String(data.type ?? ev.event ?? '')
      const oi = typeof data.output_index === 'number' ? data.output_index : undefined
      if (type === 'error') {
        outcome.errored = finished = true
        return emit(ev, data)
      }
      if (type === 'response.created' || type === 'response.in_progress' || type === 'response.queued') {
        if (firstId === undefined) firstId = (data.response as Json | undefined)?.id
        if (round === 0) await emit(ev, data)
        return
      }
      if (type === 'response.completed' || type === 'response.incomplete' || type === 'response.failed') {
        completed = (data.response ?? {}) as Json
        const usage = completed.usage
        if (usage && typeof usage === 'object') outcome.usages.push(usage as Json)
        const output = (completed.output as Json[] | undefined) ?? []
        const retrieveCalls = output.filter((o) => o.type === 'function_call' && isRetrieve(o.name))
        if (type === 'response.completed' && retrieveCalls.length && round < MAX_RETRIEVE_ROUNDS) {
          continuing = true
          return
        }
        // Release held client calls (retrieve calls past the limit are dropped).
        for (const [index, events] of [...held].sort((x, y) => x[0] - y[0])) {
          const first = JSON.parse(events[0].data) as Json
          if (isRetrieve((first.item as Json | undefined)?.name)) continue
          for (const e of events) await emit(e, JSON.parse(e.data) as Json, index)
        }
        const final = output.filter((o) => !(o.type === 'function_call' && isRetrieve(o.name)))
        const response: Json = { ...completed, output: [...earlierOutput, ...final] }
        if (outcome.usages.length > 1) response.usage = sumUsage(outcome.usages)
        finished = true
        return emit(ev, { ...data, response })
      }
      if (type === 'response.output_item.added' && oi !== undefined && (data.item as Json | undefined)?.type === 'function_call') {
        held.set(oi, [ev])
        return
      }
      if (oi !== undefined && held.has(oi)) {
        held.get(oi)!.push(ev)
        return
      }
      return emit(ev, data, oi)
    }

    if (!(await pump(upstream, parser, handle, res, outcome))) return outcome
    if (!continuing) return endStream(res, finished, outcome)
    const output = (completed!.output as Json[] | undefined) ?? []
    earlierOutput.push(...output.filter((o) => o.type !== 'function_call'))
    const answered = answers('openai-responses', completed!, ctx.store)
    outcome.calls += answered.calls
    body = hr.appendItems(body, [...output, ...answered.items])
    const next = await continueUpstream(ctx, body, outcome, (error) =>
      renderEvent('error', { type: 'error', code: error.code ?? error.type, message: error.message, sequence_number: sequence++ }),
    )
    if (!next) return outcome
    upstream = next
  }
}

// ---------------------------------------------------------------------------------------
// Streaming, observed only (OpenAI Responses)
// ---------------------------------------------------------------------------------------

/**
 * Relays a stream byte for byte, reading its usage on the way (Responses
 * `response.completed`, or any event carrying `usage`). Nothing is held or changed.
 */
export async function relayObservedStream(upstream: Dispatcher.ResponseData, ctx: RetrievalContext): Promise<RetrievalOutcome> {
  const { res } = ctx
  const outcome: RetrievalOutcome = { rounds: 0, calls: 0, usages: [], truncated: false, errored: false }
  res.writeHead(200, ctx.headers)
  res.flushHeaders()
  const parser = new SseParser()
  let finished = false
  try {
    for await (const chunk of upstream.body) {
      await write(res, chunk as Buffer)
      if (res.destroyed) {
        upstream.body.destroy()
        return outcome
      }
      for (const ev of parser.push(chunk as Buffer)) {
        const data = eventJson(ev)
        if (!data) {
          if (ev.data === '[DONE]') finished = true
          continue
        }
        const usage = (data.response as Json | undefined)?.usage ?? data.usage
        if (usage && typeof usage === 'object') outcome.usages.push(usage as Json)
        if (data.type === 'response.completed' || data.type === 'response.failed' || data.type === 'response.incomplete') finished = true
        if (isErrorEvent(data)) outcome.errored = finished = true
      }
    }
  } catch {
    outcome.truncated = true
    res.destroy()
    return outcome
  }
  return endStream(res, finished, outcome)
}
