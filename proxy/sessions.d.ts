import type http from 'node:http';
/** Headers that name a session, most specific first. */
export declare const SESSION_HEADERS: readonly ["x-headroom-session", "x-claude-code-session-id", "x-session-id"];
/** The session a request's headers name, if any. */
export declare function sessionFromHeaders(headers: http.IncomingHttpHeaders): string | undefined;
/** A bounded set of sticky sessions, least recently used evicted first. */
export declare class StickySessions {
    private readonly capacity;
    private readonly seen;
    constructor(capacity?: number);
    /** Whether `id` has had markers (and marks it recently used). */
    has(id: string | undefined): boolean;
    /** Records that `id` has had markers. */
    add(id: string | undefined): void;
    /** Sessions remembered. */
    get size(): number;
}
