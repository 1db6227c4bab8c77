import { type LogLevel } from './log';
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
    /**
     * Whether request bodies are compressed. Default true; false makes the proxy a pure
     * pass-through (every request forwarded as if it carried `x-headroom-bypass: 1`), which is
     * what `headroom wrap --no-compress` runs. Env `HEADROOM_COMPRESS`, file key `compress`.
     * `resolveConfig` always sets it; absent counts as true.
     */
    compress?: boolean;
    /**
     * Opt-in prefix stabilisation: the retrieve tool is in every request's tool list from a
     * session's first request (so it is never added mid-session), tool definitions are sorted
     * by name (unless one carries `cache_control`), and OpenAI requests without a
     * `prompt_cache_key` get the session's. Default off.
     */
    stabilize: boolean;
    /** Level of the JSON logs on stderr. Default `info` (one line per request). */
    logLevel: LogLevel;
    /**
     * Tools whose outputs are never compressed (case-insensitive, `*` wildcards), on every
     * compressed route, HTTP and WebSocket alike. Flag `--protect-tools Bash,Read`, env
     * `HEADROOM_PROTECT_TOOLS`, file key `protectTools` (a list or a comma-separated string).
     */
    protectTools?: string[];
    /** Tool outputs with fewer tokens than this are left alone. Default: the library's (250). */
    minTokens?: number;
}
/** Every setting `resolveConfig` reads (besides `config`, the file itself). */
export declare const CONFIG_KEYS: readonly string[];
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
