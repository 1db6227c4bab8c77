"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
exports.FORBIDDEN_UPSTREAM = void 0;
exports.isManagementPath = isManagementPath;
exports.isLoopbackHost = isLoopbackHost;
exports.isAllowedHost = isAllowedHost;
exports.checkManagementRequest = checkManagementRequest;
exports.tokenMatches = tokenMatches;
exports.forbiddenDestination = forbiddenDestination;
exports.guardedLookup = guardedLookup;
exports.upstreamTarget = upstreamTarget;
// Security checks of the proxy (field-lessons G, cases 44-48): the token (compared in constant
// time), the Host header on management routes (DNS rebinding), and upstream destinations that
// come from configuration only and never reach link-local or cloud-metadata addresses, neither
// by literal address nor by what a configured name resolves to.
const node_crypto_1 = __importDefault(require("node:crypto"));
const node_dns_1 = __importDefault(require("node:dns"));
const node_net_1 = __importDefault(require("node:net"));
/** Error code of an upstream destination refused by {@link forbiddenDestination}. */
exports.FORBIDDEN_UPSTREAM = 'FORBIDDEN_UPSTREAM';
/**
 * Whether `path` is a management route (`/stats`, `/metrics`, `/v1/retrieve/...`): these are
 * answered by the proxy itself, host-checked, GET only, and never carry CORS headers.
 */
function isManagementPath(path) {
    return path === '/stats' || path === '/metrics' || path === '/v1/retrieve' || path.startsWith('/v1/retrieve/');
}
/** Whether `host` only accepts connections from this machine. */
function isLoopbackHost(host) {
    const h = host.replace(/^\[|\]$/g, '').toLowerCase();
    return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}
/**
 * Whether a `Host` header names this loopback proxy: `localhost`, `127.0.0.1`, `[::1]` or the
 * address bound, each with the port the connection arrived on (the bare name only on port 80).
 * Anything else (`attacker.example:8787` after a DNS rebinding) is refused.
 */
function isAllowedHost(hostHeader, bindHost, port) {
    if (!hostHeader)
        return false;
    const bound = node_net_1.default.isIPv6(bindHost) ? `[${bindHost.toLowerCase()}]` : bindHost.toLowerCase();
    const names = new Set(['localhost', '127.0.0.1', '[::1]', bound]);
    const given = hostHeader.trim().toLowerCase();
    for (const n of names) {
        if (given === `${n}:${port}`)
            return true;
        if (port === 80 && given === n)
            return true;
    }
    return false;
}
/**
 * Checks a request to a management route: GET only (nothing on these paths is forwarded), and, when the proxy listens on
 * loopback, a `Host` naming loopback. Returns the refusal, or null when it may go on (the token
 * is checked separately, by {@link tokenMatches}).
 */
function checkManagementRequest(req, bindHost) {
    if (isLoopbackHost(bindHost) && !isAllowedHost(req.headers.host, bindHost, req.socket.localPort ?? 0)) {
        return { status: 403, code: 'permission_error', message: 'management routes answer only to Host localhost, 127.0.0.1 or [::1] with the port' };
    }
    if (req.method !== 'GET') {
        return { status: 405, code: 'method_not_allowed', message: `${req.method} is not allowed on management routes` };
    }
    return null;
}
function digest(s) {
    return node_crypto_1.default.createHash('sha256').update(s).digest();
}
/**
 * Whether the request carries the proxy token, as `x-headroom-token: T` or
 * `Proxy-Authorization: Bearer T`, compared in constant time. The provider's own
 * `Authorization` / `x-api-key` are not looked at (an OAuth client sends both). True when no
 * token is configured.
 */
function tokenMatches(headers, token) {
    if (!token)
        return true;
    const raw = headers['x-headroom-token'];
    const given = typeof raw === 'string' ? raw : String(headers['proxy-authorization'] ?? '').replace(/^Bearer\s+/i, '');
    if (!given)
        return false;
    return node_crypto_1.default.timingSafeEqual(digest(given), digest(token));
}
/** Host names of cloud metadata services. */
const METADATA_NAMES = new Set(['metadata.google.internal', 'metadata', 'metadata.goog', 'instance-data', 'instance-data.ec2.internal']);
/** The 8 16-bit groups of an IPv6 address (brackets allowed), or null. */
function ipv6Groups(address) {
    let a = address.replace(/^\[|\]$/g, '').split('%')[0];
    if (!node_net_1.default.isIPv6(a))
        return null;
    // A dotted IPv4 tail (::ffff:1.2.3.4) becomes two groups.
    const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(a);
    if (tail) {
        const o = tail[1].split('.').map(Number);
        a = a.slice(0, -tail[1].length) + `${((o[0] << 8) | o[1]).toString(16)}:${((o[2] << 8) | o[3]).toString(16)}`;
    }
    const [head, rest] = a.split('::');
    const h = head ? head.split(':') : [];
    const r = rest !== undefined && rest !== '' ? rest.split(':') : [];
    const fill = rest === undefined ? [] : Array(8 - h.length - r.length).fill('0');
    const groups = [...h, ...fill, ...r].map((g) => parseInt(g, 16));
    return groups.length === 8 ? groups : null;
}
/** The IPv4 address an IPv6 one embeds (IPv4-mapped `::ffff:a.b.c.d`, NAT64 `64:ff9b::a.b.c.d`), or null. */
function embeddedIPv4(g) {
    const zeros = (from, to) => g.slice(from, to).every((x) => x === 0);
    if ((zeros(0, 5) && g[5] === 0xffff) || (g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6))) {
        return `${g[6] >> 8}.${g[6] & 255}.${g[7] >> 8}.${g[7] & 255}`;
    }
    return null;
}
/**
 * Why an upstream destination (a host name or an IP address, brackets allowed) is refused, or
 * null when it is allowed: link-local IPv4 `169.254.0.0/16` (AWS, Azure, GCP, OCI metadata at
 * `169.254.169.254`), link-local IPv6 `fe80::/10`, Alibaba's `100.100.100.200`, AWS's IPv6
 * `fd00:ec2::254`, IPv4-mapped or NAT64 forms of those, and metadata host names
 * (`metadata.google.internal`, ...). Loopback and private networks stay allowed (local model
 * servers).
 */
function forbiddenDestination(host) {
    const h = host.toLowerCase().replace(/\.$/, '');
    if (METADATA_NAMES.has(h))
        return `${host} is a cloud metadata service`;
    let v4 = node_net_1.default.isIPv4(h) ? h : null;
    const g = ipv6Groups(h);
    if (g) {
        if ((g[0] & 0xffc0) === 0xfe80)
            return `${host} is link-local (fe80::/10)`;
        if (g[0] === 0xfd00 && g[1] === 0x0ec2 && g.slice(2, 7).every((x) => x === 0) && g[7] === 0x254)
            return `${host} is the AWS metadata service (fd00:ec2::254)`;
        v4 = embeddedIPv4(g);
    }
    if (v4) {
        if (v4.startsWith('169.254.'))
            return `${host} is link-local (169.254.0.0/16, cloud metadata)`;
        if (v4 === '100.100.100.200')
            return `${host} is the Alibaba Cloud metadata service`;
    }
    return null;
}
/**
 * Wraps a DNS lookup (default `dns.lookup`) so that a configured upstream name that resolves to
 * a forbidden address ({@link forbiddenDestination}) fails to connect with code
 * `FORBIDDEN_UPSTREAM`. Give it to the HTTP client's `connect.lookup`.
 */
function guardedLookup(base = node_dns_1.default.lookup) {
    return (hostname, options, callback) => {
        base(hostname, options, (err, address, family) => {
            if (err)
                return callback(err, address, family);
            const list = Array.isArray(address) ? address.map((a) => a.address) : [address];
            for (const a of list) {
                const why = forbiddenDestination(a);
                if (why) {
                    const e = new Error(`upstream ${hostname} resolves to ${a}: ${why}`);
                    e.code = exports.FORBIDDEN_UPSTREAM;
                    return callback(e, address, family);
                }
            }
            callback(null, address, family);
        });
    };
}
/**
 * The URL a request goes to: the configured upstream base plus the client's path and query.
 * Throws (code `FORBIDDEN_UPSTREAM`) if the result would leave the configured origin, so no
 * request line or header can pick another host.
 */
function upstreamTarget(base, pathAndQuery) {
    const target = new URL(base + pathAndQuery);
    if (target.origin !== new URL(base).origin || !pathAndQuery.startsWith('/')) {
        throw Object.assign(new Error(`request path would leave the configured upstream ${base}`), { code: exports.FORBIDDEN_UPSTREAM });
    }
    return target.href;
}
