import type { Logger } from 'pino';
import * as hr from '../index';
import type { ProxyConfig } from './config';
import { type ProxyStats } from './stats';
export type { ProxyStats } from './stats';
/** What a caller can hand the proxy besides its configuration. */
export interface ProxyOptions {
    /** Logger to use instead of the one built from `config.logLevel` (JSON lines on stderr). */
    logger?: Logger;
    /** Bodies compressed at once (others queue). Default: the cores less one, 1 to 3 with the default libuv pool. */
    compressionConcurrency?: number;
}
/** A running proxy. */
export interface Proxy {
    /** The address it listens on, e.g. `http://127.0.0.1:8787`. */
    url: string;
    stats: ProxyStats;
    store: hr.Store;
    close(): Promise<void>;
}
/** Starts the proxy; resolves once it listens. */
export declare function startProxy(config: ProxyConfig, options?: ProxyOptions): Promise<Proxy>;
