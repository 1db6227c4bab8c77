import type { IncomingHttpHeaders } from 'node:http';
import net from 'node:net';
/** A refused request: HTTP status, a stable error code, a message for the client. */
export interface Refusal {
    status: number;
    code: 'authentication_error' | 'permission_error' | 'method_not_allowed';
    message: string;
}
/** Error code of an upstream destination refused by {@link forbiddenDestination}. */
export declare const FORBIDDEN_UPSTREAM = "FORBIDDEN_UPSTREAM";
/**
 * Whether `path` is a management route (`/stats`, `/metrics`, `/v1/retrieve/...`): these are
 * answered by the proxy itself, host-checked, GET only, and never carry CORS headers.
 */
export declare function isManagementPath(path: string): boolean;
/** Whether `host` only accepts connections from this machine. */
export declare function isLoopbackHost(host: string): boolean;
/**
 * Whether a `Host` header names this loopback proxy: `localhost`, `127.0.0.1`, `[::1]` or the
 * address bound, each with the port the connection arrived on (the bare name only on port 80).
 * Anything else (`attacker.example:8787` after a DNS rebinding) is refused.
 */
export declare function isAllowedHost(hostHeader: string | undefined, bindHost: string, port: number): boolean;
/**
 * Checks a request to a management route: GET only (nothing on these paths is forwarded), and, when the proxy listens on
 * loopback, a `Host` naming loopback. Returns the refusal, or null when it may go on (the token
 * is checked separately, by {@link tokenMatches}).
 */
export declare function checkManagementRequest(req: {
    method?: string;
    headers: IncomingHttpHeaders;
    socket: {
        localPort?: number;
    };
}, bindHost: string): Refusal | null;
/**
 * Whether the request carries the proxy token, as `x-headroom-token: T` or
 * `Proxy-Authorization: Bearer T`, compared in constant time. The provider's own
 * `Authorization` / `x-api-key` are not looked at (an OAuth client sends both). True when no
 * token is configured.
 */
export declare function tokenMatches(headers: IncomingHttpHeaders, token: string | undefined): boolean;
/**
 * Why an upstream destination (a host name or an IP address, brackets allowed) is refused, or
 * null when it is allowed: link-local IPv4 `169.254.0.0/16` (AWS, Azure, GCP, OCI metadata at
 * `169.254.169.254`), link-local IPv6 `fe80::/10`, Alibaba's `100.100.100.200`, AWS's IPv6
 * `fd00:ec2::254`, IPv4-mapped or NAT64 forms of those, and metadata host names
 * (`metadata.google.internal`, ...). Loopback and private networks stay allowed (local model
 * servers).
 */
export declare function forbiddenDestination(host: string): string | null;
/**
 * Wraps a DNS lookup (default `dns.lookup`) so that a configured upstream name that resolves to
 * a forbidden address ({@link forbiddenDestination}) fails to connect with code
 * `FORBIDDEN_UPSTREAM`. Give it to the HTTP client's `connect.lookup`.
 */
export declare function guardedLookup(base?: net.LookupFunction): net.LookupFunction;
/**
 * The URL a request goes to: the configured upstream base plus the client's path and query.
 * Throws (code `FORBIDDEN_UPSTREAM`) if the result would leave the configured origin, so no
 * request line or header can pick another host.
 */
export declare function upstreamTarget(base: string, pathAndQuery: string): string;
