/** The two envelopes a `response.create` frame comes in. */
export type CreateEnvelope = 'wrapped' | 'unwrapped';
/**
 * Where the request of a `response.create` frame lies, as byte offsets into the frame:
 * `[start, end)`. Unwrapped: the whole frame (the request's fields sit next to `type`, which
 * the library passes through as an unknown field). Wrapped: the value of `response`.
 */
export interface CreateRequest {
    envelope: CreateEnvelope;
    start: number;
    end: number;
}
/**
 * The top-level members of a JSON object, as byte spans of their values (`[start, end)`),
 * keyed by name; the last occurrence wins, as in `JSON.parse`. Returns undefined when `buf`
 * is not one well-formed-looking object (nested values are only delimited, not validated).
 */
export declare function topLevelSpans(buf: Buffer): Map<string, [number, number]> | undefined;
/** The `type` of a frame: its top-level string member `type`, if it has one. */
export declare function frameType(buf: Buffer, spans?: Map<string, [number, number]> | undefined): string | undefined;
/**
 * The request a text frame carries, when it is a `response.create` (see {@link CreateRequest});
 * undefined for any other frame or one that is not a JSON object.
 */
export declare function responseCreateRequest(frame: Buffer): CreateRequest | undefined;
/**
 * The byte spans (`[start, end)`) of the elements of the JSON array whose `[` is at `start`
 * and which ends at `end`; undefined if it is not one.
 */
export declare function elementSpans(buf: Buffer, start: number, end: number): [number, number][] | undefined;
/** Replaces byte ranges of `buf` (sorted, not overlapping) with new bytes. */
export declare function splice(buf: Buffer, edits: ReadonlyArray<readonly [number, number, Buffer]>): Buffer;
/** A string member of an object span, parsed (undefined if absent or not a string). */
export declare function stringMember(buf: Buffer, spans: Map<string, [number, number]>, key: string): string | undefined;
