// The SSE reader the proxy uses to watch streams: events split on blank lines only, raw
// bytes kept, characters split across chunks reassembled.
import test from 'ava'

import { SseParser } from '../proxy/sse'

const STREAM = Buffer.from(
  'event: content_block_delta\ndata: {"text":"naïve 🦀 日本"}\n\n' +
    ': a comment\r\nevent: ping\r\ndata: {"type":"ping"}\r\n\r\n' +
    'data: line one\ndata: line two\n\n' +
    'data: [DONE]\n\n',
)

function parseIn(chunks: Buffer[]) {
  const p = new SseParser()
  const events = chunks.flatMap((c) => p.push(c))
  return { events, rest: p.rest() }
}

test('events are the same however the bytes are chunked, and their raw bytes add up to the stream', (t) => {
  const whole = parseIn([STREAM])
  t.deepEqual(
    whole.events.map((e) => [e.event, e.data]),
    [
      ['content_block_delta', '{"text":"naïve 🦀 日本"}'],
      ['ping', '{"type":"ping"}'],
      [undefined, 'line one\nline two'],
      [undefined, '[DONE]'],
    ],
  )
  t.deepEqual(Buffer.concat(whole.events.map((e) => e.raw)), STREAM)
  t.is(whole.rest.length, 0)
  // Byte by byte: multi-byte characters and CRLF pairs are split across chunks.
  const bytes = parseIn(Array.from(STREAM, (b) => Buffer.from([b])))
  t.deepEqual(
    bytes.events.map((e) => [e.event, e.data]),
    whole.events.map((e) => [e.event, e.data]),
  )
  // Every split point into two chunks.
  for (let i = 1; i < STREAM.length; i++) {
    const two = parseIn([STREAM.subarray(0, i), STREAM.subarray(i)])
    t.is(two.events.length, 4)
  }
})

test('a stream cut mid-event leaves the partial event as the rest, never as an event', (t) => {
  const cut = STREAM.subarray(0, STREAM.length - 3)
  const { events, rest } = parseIn([cut])
  t.is(events.length, 3)
  t.is(rest.toString(), 'data: [DONE')
  t.is(parseIn([Buffer.from('data: x\n')]).events.length, 0, 'a single newline does not end an event')
})
