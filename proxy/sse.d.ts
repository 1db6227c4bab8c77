/** One event. */
export interface SseEvent {
    /** The `event:` field, if any. */
    event: string | undefined;
    /** The `data:` lines joined with `\n`. */
    data: string;
    /** The event's bytes as received, blank-line terminator included. */
    raw: Buffer;
}
/** Splits a byte stream into events. */
export declare class SseParser {
    private buffer;
    /** Feeds a chunk; returns the events it completed. */
    push(chunk: Buffer): SseEvent[];
    /** Bytes of an event the stream ended in the middle of (empty when it ended cleanly). */
    rest(): Buffer;
}
/** Parses one complete event. */
export declare function parseEvent(raw: Buffer): SseEvent;
/** Renders an event (`event:` line when named, one `data:` line). */
export declare function renderEvent(event: string | undefined, data: unknown): Buffer;
