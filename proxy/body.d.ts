/** A readable request: what `http.IncomingMessage` offers. */
export interface BodySource extends AsyncIterable<Buffer | string> {
    headers: {
        'content-length'?: string;
    };
}
/**
 * Reads the whole body, or returns null as soon as it grows past `maxBytes`. A body longer
 * or shorter than its Content-Length is still read whole (the HTTP parser enforces the
 * length; this only sizes the buffer).
 */
export declare function readBody(req: BodySource, maxBytes: number): Promise<Buffer | null>;
