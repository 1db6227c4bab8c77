// Server-sent events, read incrementally from a byte stream.
//
// Events end at a blank line (`\n\n` or `\r\n\r\n`); a multi-byte character or an event
// split across network chunks is reassembled before it is decoded. Each event keeps its raw
// bytes, so an event the proxy does not change is relayed exactly as it arrived.

/** One event. */
export interface SseEvent {
  /** The `event:` field, if any. */
  event: string | undefined
  /** The `data:` lines joined with `\n`. */
  data: string
  /** The event's bytes as received, blank-line terminator included. */
  raw: Buffer
}

const LF = 0x0a
const CR = 0x0d

/** Splits a byte stream into events. */
export class SseParser {
  private buffer: Buffer = Buffer.alloc(0)

  /** Feeds a chunk; returns the events it completed. */
  push(chunk: Buffer): SseEvent[] {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk
    const events: SseEvent[] = []
    let start = 0
    const buf = this.buffer
    for (let i = 0; i < buf.length; i++) {
      if (buf[i] !== LF) continue
      let j = i + 1
      if (buf[j] === CR) j++
      if (j >= buf.length) break
      if (buf[j] === LF) {
        events.push(parseEvent(buf.subarray(start, j + 1)))
        start = j + 1
        i = j
      }
    }
    this.buffer = start === 0 ? buf : Buffer.from(buf.subarray(start))
    return events
  }

  /** Bytes of an event the stream ended in the middle of (empty when it ended cleanly). */
  rest(): Buffer {
    return this.buffer
  }
}

/** Parses one complete event. */
export function parseEvent(raw: Buffer): SseEvent {
  let event: string | undefined
  const data: string[] = []
  for (const line of raw.toString('utf8').split(/\r?\n/)) {
    if (line === '' || line.startsWith(':')) continue
    const colon = line.indexOf(':')
    const field = colon < 0 ? line : line.slice(0, colon)
    let value = colon < 0 ? '' : line.slice(colon + 1)
    if (value.startsWith(' ')) value = value.slice(1)
    if (field === 'event') event = value
    else if (field === 'data') data.push(value)
  }
  return { event, data: data.join('\n'), raw }
}

/** Renders an event (`event:` line when named, one `data:` line). */
export function renderEvent(event: string | undefined, data: unknown): Buffer {
  const json = typeof data === 'string' ? data : JSON.stringify(data)
  return Buffer.from(`${event ? `event: ${event}\n` : ''}data: ${json}\n\n`)
}
