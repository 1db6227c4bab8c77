import type http from 'node:http';
import type { Dispatcher } from 'undici';
import * as hr from '../index';
/** Continuations of one turn after which further retrieve calls are dropped. */
export declare const MAX_RETRIEVE_ROUNDS = 3;
/** The tool result given to a client tool called in the same turn as a retrieve call. */
export declare const DEFERRED_RESULT: string;
/** What a turn's retrieval did, for stats. */
export interface RetrievalOutcome {
    /** Upstream calls made after the first. */
    rounds: number;
    /** Retrieve calls answered. */
    calls: number;
    /** Usage objects of every upstream call, in order (their sum is what the client sees). */
    usages: Record<string, unknown>[];
    /** Whether the stream ended without its final event. */
    truncated: boolean;
    /**
     * Whether the stream carried the provider's own error event (relayed as it came; it ends
     * the stream, which is then closed cleanly rather than cut).
     */
    errored: boolean;
}
/** Sends a continuation body upstream (same URL and headers as the original request). */
export type SendUpstream = (body: Buffer) => Promise<Dispatcher.ResponseData>;
/** What the retrieval loop needs. */
export interface RetrievalContext {
    /** The body that went upstream. */
    body: Buffer;
    send: SendUpstream;
    store: hr.Store;
    /** The response to the client; headers not yet written. */
    res: http.ServerResponse;
    /** Response headers to relay (hop-by-hop ones removed). */
    headers: Record<string, string | string[]>;
    /**
     * Whether the request carried the retrieve tool: retrieve calls are answered and tool
     * calls held until the turn ends. Without it the response is only observed (usage).
     */
    intercept: boolean;
}
type Format = 'anthropic' | 'openai' | 'openai-responses';
/**
 * Relays a non-streaming JSON response, continuing the turn upstream while the model calls
 * `headroom_retrieve`. Upstream errors (the first call's or a continuation's) are relayed
 * as they came.
 */
export declare function relayJson(format: Format, first: Dispatcher.ResponseData, ctx: RetrievalContext): Promise<RetrievalOutcome>;
/**
 * Relays an Anthropic SSE stream to the client, continuing the turn upstream while the
 * model calls `headroom_retrieve` (see the module comment).
 */
export declare function relayAnthropicStream(first: Dispatcher.ResponseData, ctx: RetrievalContext): Promise<RetrievalOutcome>;
/**
 * Relays an OpenAI Chat Completions SSE stream, continuing the turn upstream while the
 * model calls `headroom_retrieve`. Tool-call deltas are held until the choice finishes;
 * content deltas are relayed as they arrive. Only single-choice streams are continued.
 */
export declare function relayChatStream(first: Dispatcher.ResponseData, ctx: RetrievalContext): Promise<RetrievalOutcome>;
/**
 * Relays an OpenAI Responses SSE stream, continuing the turn upstream while the model calls
 * `headroom_retrieve`. Function-call output items are held until `response.completed`;
 * every other event is relayed as it arrives. With `intercept` on, events carry the
 * proxy's own running `sequence_number` and `output_index`, so a continued turn reads as
 * one response.
 */
export declare function relayResponsesStream(first: Dispatcher.ResponseData, ctx: RetrievalContext): Promise<RetrievalOutcome>;
/**
 * Relays a stream byte for byte, reading its usage on the way (Responses
 * `response.completed`, or any event carrying `usage`). Nothing is held or changed.
 */
export declare function relayObservedStream(upstream: Dispatcher.ResponseData, ctx: RetrievalContext): Promise<RetrievalOutcome>;
export {};
