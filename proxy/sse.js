"use strict";
// Server-sent events, read incrementally from a byte stream.
//
// Events end at a blank line (`\n\n` or `\r\n\r\n`); a multi-byte character or an event
// split across network chunks is reassembled before it is decoded. Each event keeps its raw
// bytes, so an event the proxy does not change is relayed exactly as it arrived.
Object.defineProperty(exports, "__esModule", { value: true });
exports.SseParser = void 0;
exports.parseEvent = parseEvent;
exports.renderEvent = renderEvent;
const LF = 0x0a;
const CR = 0x0d;
/** Splits a byte stream into events. */
class SseParser {
    buffer = Buffer.alloc(0);
    /** Feeds a chunk; returns the events it completed. */
    push(chunk) {
        this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
        const events = [];
        let start = 0;
        const buf = this.buffer;
        for (let i = 0; i < buf.length; i++) {
            if (buf[i] !== LF)
                continue;
            let j = i + 1;
            if (buf[j] === CR)
                j++;
            if (j >= buf.length)
                break;
            if (buf[j] === LF) {
                events.push(parseEvent(buf.subarray(start, j + 1)));
                start = j + 1;
                i = j;
            }
        }
        this.buffer = start === 0 ? buf : Buffer.from(buf.subarray(start));
        return events;
    }
    /** Bytes of an event the stream ended in the middle of (empty when it ended cleanly). */
    rest() {
        return this.buffer;
    }
}
exports.SseParser = SseParser;
/** Parses one complete event. */
function parseEvent(raw) {
    let event;
    const data = [];
    for (const line of raw.toString('utf8').split(/\r?\n/)) {
        if (line === '' || line.startsWith(':'))
            continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        let value = colon < 0 ? '' : line.slice(colon + 1);
        if (value.startsWith(' '))
            value = value.slice(1);
        if (field === 'event')
            event = value;
        else if (field === 'data')
            data.push(value);
    }
    return { event, data: data.join('\n'), raw };
}
/** Renders an event (`event:` line when named, one `data:` line). */
function renderEvent(event, data) {
    const json = typeof data === 'string' ? data : JSON.stringify(data);
    return Buffer.from(`${event ? `event: ${event}\n` : ''}data: ${json}\n\n`);
}
