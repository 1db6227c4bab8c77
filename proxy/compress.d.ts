import * as hr from '../index';
import type { ProxyConfig } from './config';
import type { Limiter } from './limit';
import type { StickySessions } from './sessions';
import { type ProxyStats, type RequestRecord } from './stats';
/** What the step needs from the proxy. */
export interface CompressionContext {
    config: ProxyConfig;
    store: hr.Store;
    stats: ProxyStats;
    /** The proxy's compression queue (HTTP bodies and WebSocket frames share it). */
    compressions: Limiter;
    /** Sessions and conversations that have had the retrieve tool. */
    sticky: StickySessions;
}
/** One request as it goes upstream. */
export interface CompressedRequest {
    /** The body to send: the input itself when nothing changed. */
    body: Buffer;
    /** Where the retrieve tool stands in `body`, as the library reports it. */
    retrieveTool?: hr.CompressReport['retrieveTool'];
    /** The conversation's id (a hash of its first message). */
    conversation?: string;
    /** Why nothing was compressed (`nothing_to_compress` or the library's error code). */
    notCompressed?: string;
    /** Milliseconds waiting for a compression slot, then compressing. */
    queuedMs: number;
    compressionMs: number;
}
/**
 * Compresses one request body (Anthropic Messages, OpenAI Chat or Responses) and fills
 * `record`. The retrieve tool, once a session (`headerSession`, `alsoSticky`) or a
 * conversation has had it, is on every later request, so the tool list never flips. A body the
 * library cannot read goes upstream untouched (upstream says what is wrong), with the error
 * code in the stats. Never throws.
 */
export declare function compressRequest(ctx: CompressionContext, body: Buffer, format: hr.Provider, headerSession: string | undefined, record: RequestRecord, model?: string, alsoSticky?: boolean): Promise<CompressedRequest>;
/**
 * Adds OpenAI's `prompt_cache_key` as the body's first member (a byte splice), unless the
 * client set one: requests of one session then share a cache key.
 */
export declare function withPromptCacheKey(body: Buffer, key: string): Buffer;
