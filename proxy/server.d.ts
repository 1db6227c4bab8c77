import * as hr from '../index';
import type { ProxyConfig } from './config';
import { type ProxyStats } from './stats';
export type { ProxyStats } from './stats';
/** A running proxy. */
export interface Proxy {
    /** The address it listens on, e.g. `http://127.0.0.1:8787`. */
    url: string;
    stats: ProxyStats;
    store: hr.Store;
    close(): Promise<void>;
}
/** Starts the proxy; resolves once it listens. */
export declare function startProxy(config: ProxyConfig): Promise<Proxy>;
