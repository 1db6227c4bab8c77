import type http from 'node:http';
import type { Logger } from 'pino';
import * as hr from '../index';
import type { ProxyConfig } from './config';
import type { Limiter } from './limit';
import { type StickySessions } from './sessions';
import { type ProxyStats } from './stats';
/** Stable codes of a refused or failed upgrade (the `code` of the JSON error body). */
export type UpgradeErrorCode = 'not_found' | 'permission_error' | 'authentication_error' | 'forbidden_upstream' | 'upstream_unreachable';
/** What the relay shares with the HTTP side of the proxy. */
export interface WebSocketContext {
    config: ProxyConfig;
    store: hr.Store;
    log: Logger;
    /** The proxy's compression queue (shared with HTTP bodies). */
    compressions: Limiter;
    stats: ProxyStats;
    sticky: StickySessions;
    /** Whether a path (query removed) is a compressed Responses route. */
    isResponsesPath(path: string): boolean;
}
/** The relay attached to a server. */
export interface WebSocketRelay {
    /** Connections relayed now. */
    readonly open: number;
    /** Ends every relayed connection (1001 to both sides). */
    close(): void;
}
/** Attaches the Responses WebSocket relay to `server` (its `upgrade` event). */
export declare function attachWebSocketRelay(server: http.Server, ctx: WebSocketContext): WebSocketRelay;
