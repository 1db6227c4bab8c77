import type * as hr from '../index';
import { type TokenClasses } from './usage';
/** Tokens before and after, for one content type. */
export interface ContentTypeStats {
    /** Blocks compressed. */
    blocks: number;
    tokensBefore: number;
    tokensAfter: number;
}
/** One request, as the recent-request log keeps it. */
export interface RequestRecord {
    /** ISO time the request arrived. */
    at: string;
    method: string;
    path: string;
    /** Status sent to the client (0 if none was sent). */
    status: number;
    /** `compressed`, `unchanged`, `bypassed`, `passed_through`, `error`. */
    outcome: string;
    tokensBefore: number;
    tokensAfter: number;
    /** Why blocks (or the whole body) were not compressed, with counts. */
    reasons: Record<string, number>;
    /** Retrieve calls answered inside the proxy for this request. */
    retrieveCalls: number;
    /** `websocket` for a `response.create` message of the Responses WebSocket mode (absent: HTTP). */
    transport?: 'websocket';
}
/** Counters behind `/stats` and `/metrics`. */
export interface ProxyStats {
    requests: number;
    compressed: number;
    bypassed: number;
    passedThrough: number;
    compressionErrors: number;
    upstreamErrors: number;
    /** Streams that ended without their final event. */
    truncatedStreams: number;
    /** Streams that carried the provider's error event mid-stream (relayed to the client). */
    streamErrors: number;
    /** Tokens of compressible request bodies before compression (library counts). */
    tokensBefore: number;
    /** Tokens of those bodies after compression. */
    tokensAfter: number;
    /** Tokens before/after by content type of the compressed blocks. */
    byContentType: Record<string, ContentTypeStats>;
    /** What the upstreams billed, by token class (from their `usage`). */
    billed: TokenClasses;
    /** Savings in dollars, with the basis they were computed on. */
    savings: {
        usd: number;
        tokensFirstSight: number;
        tokensFromHistory: number;
        unpricedTokens: number;
        basis: string;
    };
    /** Why requests on compressed paths went out unchanged, by reason. */
    notCompressed: Record<string, number>;
    /** Why blocks were left alone, by reason (summed over requests). */
    skippedBlocks: Record<string, number>;
    /** The retrieve calls the proxy answered itself. */
    retrieval: {
        turns: number;
        calls: number;
        continuations: number;
    };
    /**
     * The Responses WebSocket mode: connections relayed (each `response.create` message also
     * counts in `requests`, with `transport: "websocket"` in `recent`).
     */
    websocket: {
        connections: number;
    };
    /** Requests whose system prompt held volatile values (they change the cached prefix). */
    volatileSystemPrompts: {
        requests: number;
        byKind: Record<string, number>;
        lastSample?: string;
    };
    /** Sessions that keep the retrieve tool. */
    stickySessions: number;
    /** The most recent requests, newest last. */
    recent: RequestRecord[];
}
/** Requests kept in `recent`. */
export declare const RECENT_REQUESTS = 100;
/** Fresh counters. */
export declare function newStats(): ProxyStats;
/** Adds one compression report. Returns the per-request reasons. */
export declare function recordReport(s: ProxyStats, report: hr.CompressReport, model: string | undefined): Record<string, number>;
/** Adds what an upstream billed. */
export declare function recordBilled(s: ProxyStats, classes: TokenClasses | undefined): void;
/** Appends to the recent-request log. */
export declare function recordRequest(s: ProxyStats, r: RequestRecord): void;
/** Prometheus text format. */
export declare function metrics(s: ProxyStats): string;
