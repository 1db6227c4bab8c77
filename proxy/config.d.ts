/** Everything the proxy needs to start. */
export interface ProxyConfig {
    /** Interface to listen on. Default `127.0.0.1`; any other needs a token. */
    host: string;
    /** Port. Default 8787; 0 picks a free one. */
    port: number;
    /** Shared secret clients send as `x-headroom-token` (or `Proxy-Authorization: Bearer`). */
    token?: string;
    /** Anthropic upstream: an origin plus optional base path. */
    upstreamAnthropic: string;
    /** OpenAI (or OpenAI-compatible) upstream: an origin plus optional base path. */
    upstreamOpenai: string;
    /**
     * `memory`, `sqlite:PATH`, a bare path (SQLite), or `redis://HOST[:PORT][/DB]` (a Redis
     * store shared by several proxy instances). Default: the embedded default store.
     */
    store?: string;
    /** Compression mode. Default `balanced`. */
    mode: 'lossless' | 'balanced' | 'aggressive';
}
/** An error in the settings: the message names the setting and what is wrong. */
export declare class ConfigError extends Error {
    readonly code = "INVALID_ARGUMENT";
}
/**
 * Resolves the settings. `flags` are the parsed command-line values (`--config FILE` among
 * them); `environment` is usually `process.env`.
 */
export declare function resolveConfig(flags: Record<string, string | undefined>, environment?: NodeJS.ProcessEnv): ProxyConfig;
/** Whether `host` only accepts connections from this machine. */
export declare function isLoopback(host: string): boolean;
