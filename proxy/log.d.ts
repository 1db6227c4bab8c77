import type { IncomingHttpHeaders } from 'node:http';
import { type DestinationStream, type Logger } from 'pino';
/** The levels `--log-level` / `HEADROOM_LOG_LEVEL` / `logLevel` accept. */
export declare const LOG_LEVELS: readonly ["fatal", "error", "warn", "info", "debug", "trace", "silent"];
/** One of {@link LOG_LEVELS}. */
export type LogLevel = (typeof LOG_LEVELS)[number];
/** What replaces a secret. */
export declare const REDACTED = "[redacted]";
/**
 * Options of {@link createLogger}.
 */
export interface LoggerOptions {
    /** Minimum level written. Default `info`. */
    level?: LogLevel;
    /** Where JSON lines go. Default: stderr (file descriptor 2), written synchronously. */
    destination?: DestinationStream;
    /**
     * Literal values to redact wherever they appear (the proxy's own token, for one), in
     * addition to the patterns.
     */
    secrets?: ReadonlyArray<string | undefined>;
}
/** Redacts inline secrets (and the given literal ones) from a string. */
export declare function redactText(text: string, literals?: ReadonlyArray<string>): string;
/** Whether a header or field named `name` holds a secret by its name alone. */
export declare function isSecretName(name: string): boolean;
/**
 * A copy of request or response headers safe to log: values of secret-named headers
 * (`authorization`, `x-api-key`, `proxy-authorization`, `x-headroom-token`, cookies, any
 * `*_token`/`*-token`/`*key*`) replaced by `[redacted]`, inline secrets removed from the rest.
 */
export declare function redactHeaders(headers: IncomingHttpHeaders | Record<string, string | string[] | undefined>, literals?: ReadonlyArray<string>): Record<string, string | string[]>;
/**
 * A deep copy of `value` safe to log: secret-named fields redacted, strings scrubbed, errors
 * turned into `{ type, message, code, stack }` with their text scrubbed. Cycles and depth are
 * bounded.
 */
export declare function redactValue(value: unknown, literals?: ReadonlyArray<string>, depth?: number): unknown;
/** Whether `level` is one of {@link LOG_LEVELS}. */
export declare function isLogLevel(level: string): level is LogLevel;
/**
 * Creates the proxy's logger: pino, JSON lines, `info` by default, to stderr unless a
 * destination is given. Every argument of every log call (messages, objects, errors) and every
 * child binding goes through {@link redactValue} first, so no call site can leak a secret.
 */
export declare function createLogger(options?: LoggerOptions): Logger;
/** The fields of the one `info` line logged per request. Never a body. */
export interface RequestLogFields {
    method: string;
    /** The request path, without its query string (queries can carry keys). */
    path: string;
    /** Status sent to the client (0 if the connection closed before any). */
    status: number;
    /** Whole time in the proxy, ms. */
    durationMs: number;
    /** Time from sending upstream to its response headers, ms (absent if not forwarded). */
    upstreamMs?: number;
    /** Time spent compressing the body (off the event loop), ms. */
    compressionMs?: number;
    /** Time the body waited for a compression slot, ms. */
    queuedMs?: number;
    tokensBefore?: number;
    tokensAfter?: number;
    /** `x-headroom-bypass: 1` was sent. */
    bypass?: boolean;
    /** Why a request on a compressed path went out unchanged (or why it was refused). */
    reason?: string;
    /** The client went away before the response was complete. */
    aborted?: boolean;
    /** Request headers (redacted); logged only at `debug`. */
    headers?: IncomingHttpHeaders;
}
/**
 * Logs one request: an `info` line with the fields of {@link RequestLogFields} (headers only
 * at `debug`, redacted), `warn` for 5xx; successful `/health` probes only at `debug`.
 */
export declare function logRequest(logger: Logger, fields: RequestLogFields): void;
/**
 * Starts the per-request record: call at the top of the request handler, fill the optional
 * fields while handling, and the line is logged once when the response finishes or the
 * connection closes.
 */
export declare function trackRequest(logger: Logger, req: {
    method?: string;
    url?: string;
    headers: IncomingHttpHeaders;
}, res: {
    statusCode: number;
    headersSent: boolean;
    writableFinished: boolean;
    once(event: 'close', f: () => void): unknown;
}): Partial<RequestLogFields>;
