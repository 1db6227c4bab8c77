// Reading a WebSocket text frame of the OpenAI Responses WebSocket mode without parsing it on
// the event loop: only the top level of the JSON object is walked (strings are skipped with
// `indexOf`, so the cost is in the number of tokens, not the bytes of a large tool output), to
// find the frame's `type` and, in the wrapped envelope, the byte span of its `response` object.

/** The two envelopes a `response.create` frame comes in. */
export type CreateEnvelope = 'wrapped' | 'unwrapped'

/**
 * Where the request of a `response.create` frame lies, as byte offsets into the frame:
 * `[start, end)`. Unwrapped: the whole frame (the request's fields sit next to `type`, which
 * the library passes through as an unknown field). Wrapped: the value of `response`.
 */
export interface CreateRequest {
  envelope: CreateEnvelope
  start: number
  end: number
}

const QUOTE = 0x22
const BACKSLASH = 0x5c
const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09

/** The offset just past the string whose opening quote is at `at`, or -1 if unterminated. */
function stringEnd(buf: Buffer, at: number): number {
  let q = at
  for (;;) {
    q = buf.indexOf(QUOTE, q + 1)
    if (q < 0) return -1
    let slashes = 0
    while (buf[q - 1 - slashes] === BACKSLASH) slashes++
    if (slashes % 2 === 0) return q + 1
  }
}

/** The offset just past the JSON value starting at `at`, or -1 if it is malformed. */
function valueEnd(buf: Buffer, at: number): number {
  const c = buf[at]
  if (c === QUOTE) return stringEnd(buf, at)
  if (c === 0x7b || c === 0x5b) {
    let depth = 0
    let i = at
    while (i < buf.length) {
      const b = buf[i]
      if (b === QUOTE) {
        i = stringEnd(buf, i)
        if (i < 0) return -1
        continue
      }
      if (b === 0x7b || b === 0x5b) depth++
      else if (b === 0x7d || b === 0x5d) {
        depth--
        if (depth === 0) return i + 1
      }
      i++
    }
    return -1
  }
  let i = at
  while (i < buf.length && buf[i] !== 0x2c && buf[i] !== 0x7d && buf[i] !== 0x5d && !isSpace(buf[i])) i++
  return i > at ? i : -1
}

function skipSpace(buf: Buffer, at: number): number {
  let i = at
  while (i < buf.length && isSpace(buf[i])) i++
  return i
}

/**
 * The top-level members of a JSON object, as byte spans of their values (`[start, end)`),
 * keyed by name; the last occurrence wins, as in `JSON.parse`. Returns undefined when `buf`
 * is not one well-formed-looking object (nested values are only delimited, not validated).
 */
export function topLevelSpans(buf: Buffer): Map<string, [number, number]> | undefined {
  const spans = new Map<string, [number, number]>()
  let i = skipSpace(buf, 0)
  if (buf[i] !== 0x7b) return undefined
  i = skipSpace(buf, i + 1)
  if (buf[i] === 0x7d) return skipSpace(buf, i + 1) === buf.length ? spans : undefined
  for (;;) {
    if (buf[i] !== QUOTE) return undefined
    const keyEnd = stringEnd(buf, i)
    if (keyEnd < 0) return undefined
    let key: string
    try {
      key = JSON.parse(buf.toString('utf8', i, keyEnd)) as string
    } catch {
      return undefined
    }
    i = skipSpace(buf, keyEnd)
    if (buf[i] !== 0x3a) return undefined
    const start = skipSpace(buf, i + 1)
    const end = valueEnd(buf, start)
    if (end < 0) return undefined
    spans.set(key, [start, end])
    i = skipSpace(buf, end)
    if (buf[i] === 0x2c) {
      i = skipSpace(buf, i + 1)
      continue
    }
    if (buf[i] === 0x7d) return skipSpace(buf, i + 1) === buf.length ? spans : undefined
    return undefined
  }
}

/** The `type` of a frame: its top-level string member `type`, if it has one. */
export function frameType(buf: Buffer, spans = topLevelSpans(buf)): string | undefined {
  return spans ? stringMember(buf, spans, 'type') : undefined
}

/**
 * The request a text frame carries, when it is a `response.create` (see {@link CreateRequest});
 * undefined for any other frame or one that is not a JSON object.
 */
export function responseCreateRequest(frame: Buffer): CreateRequest | undefined {
  const spans = topLevelSpans(frame)
  if (!spans || frameType(frame, spans) !== 'response.create') return undefined
  const wrapped = spans.get('response')
  if (wrapped && frame[wrapped[0]] === 0x7b) return { envelope: 'wrapped', start: wrapped[0], end: wrapped[1] }
  return { envelope: 'unwrapped', start: 0, end: frame.length }
}

/**
 * The byte spans (`[start, end)`) of the elements of the JSON array whose `[` is at `start`
 * and which ends at `end`; undefined if it is not one.
 */
export function elementSpans(buf: Buffer, start: number, end: number): [number, number][] | undefined {
  if (buf[start] !== 0x5b || buf[end - 1] !== 0x5d) return undefined
  const out: [number, number][] = []
  let i = skipSpace(buf, start + 1)
  if (buf[i] === 0x5d) return out
  for (;;) {
    const e = valueEnd(buf, i)
    if (e < 0 || e > end) return undefined
    out.push([i, e])
    i = skipSpace(buf, e)
    if (buf[i] === 0x2c) i = skipSpace(buf, i + 1)
    else return i === end - 1 ? out : undefined
  }
}

/** Replaces byte ranges of `buf` (sorted, not overlapping) with new bytes. */
export function splice(buf: Buffer, edits: ReadonlyArray<readonly [number, number, Buffer]>): Buffer {
  if (!edits.length) return buf
  const parts: Buffer[] = []
  let at = 0
  for (const [s, e, b] of edits) {
    parts.push(buf.subarray(at, s), b)
    at = e
  }
  parts.push(buf.subarray(at))
  return Buffer.concat(parts)
}

/** A string member of an object span, parsed (undefined if absent or not a string). */
export function stringMember(buf: Buffer, spans: Map<string, [number, number]>, key: string): string | undefined {
  const s = spans.get(key)
  if (!s || buf[s[0]] !== QUOTE) return undefined
  try {
    return JSON.parse(buf.toString('utf8', s[0], s[1])) as string
  } catch {
    return undefined
  }
}
