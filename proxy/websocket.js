"use strict";
var __createBinding = (this && this.__createBinding) || (Object.create ? (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    var desc = Object.getOwnPropertyDescriptor(m, k);
    if (!desc || ("get" in desc ? !m.__esModule : desc.writable || desc.configurable)) {
      desc = { enumerable: true, get: function() { return m[k]; } };
    }
    Object.defineProperty(o, k2, desc);
}) : (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    o[k2] = m[k];
}));
var __setModuleDefault = (this && this.__setModuleDefault) || (Object.create ? (function(o, v) {
    Object.defineProperty(o, "default", { enumerable: true, value: v });
}) : function(o, v) {
    o["default"] = v;
});
var __importStar = (this && this.__importStar) || (function () {
    var ownKeys = function(o) {
        ownKeys = Object.getOwnPropertyNames || function (o) {
            var ar = [];
            for (var k in o) if (Object.prototype.hasOwnProperty.call(o, k)) ar[ar.length] = k;
            return ar;
        };
        return ownKeys(o);
    };
    return function (mod) {
        if (mod && mod.__esModule) return mod;
        var result = {};
        if (mod != null) for (var k = ownKeys(mod), i = 0; i < k.length; i++) if (k[i] !== "default") __createBinding(result, mod, k[i]);
        __setModuleDefault(result, mod);
        return result;
    };
})();
Object.defineProperty(exports, "__esModule", { value: true });
exports.attachWebSocketRelay = attachWebSocketRelay;
const ws_1 = __importStar(require("ws"));
const hr = __importStar(require("../index"));
const log_1 = require("./log");
const security_1 = require("./security");
const sessions_1 = require("./sessions");
const compress_1 = require("./compress");
const stats_1 = require("./stats");
const usage_1 = require("./usage");
const ws_frame_1 = require("./ws-frame");
const ws_retrieval_1 = require("./ws-retrieval");
/** Largest message accepted from either side (as for HTTP bodies). */
const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;
/** Bytes queued towards one side past which the other side is paused. */
const HIGH_WATER = 4 * 1024 * 1024;
/** Client messages waiting to go upstream past which the client is paused. */
const MAX_PENDING = 4;
/** Time to wait for the upstream handshake. */
const HANDSHAKE_TIMEOUT_MS = 30_000;
/** Handshake request headers not forwarded: hop-by-hop ones and those each hop negotiates itself. */
const DROP_UPGRADE = new Set([
    'host',
    'connection',
    'keep-alive',
    'proxy-connection',
    'transfer-encoding',
    'upgrade',
    'te',
    'trailer',
    'content-length',
    'proxy-authorization',
    'sec-websocket-key',
    'sec-websocket-version',
    'sec-websocket-extensions',
    'sec-websocket-protocol',
]);
/** Response headers of a refused upstream handshake not relayed (hop-by-hop). */
const DROP_RESPONSE = new Set(['connection', 'keep-alive', 'transfer-encoding', 'proxy-connection', 'upgrade', 'trailer']);
/** Writes an HTTP answer on a socket whose upgrade is refused, and ends it. */
function refuse(socket, status, code, message) {
    const body = JSON.stringify({ error: { type: code, code, message: `headroom proxy: ${message}` } });
    const reason = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 502: 'Bad Gateway' }[status] ?? 'Error';
    if (!socket.writable)
        return void socket.destroy();
    socket.once('finish', () => socket.destroy());
    socket.end(`HTTP/1.1 ${status} ${reason}\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
}
/** Whether an `Origin` header names a page on this machine (browsers send one; CLIs do not). */
function loopbackOrigin(origin) {
    try {
        return (0, security_1.isLoopbackHost)(new URL(origin).hostname);
    }
    catch {
        return false;
    }
}
/** Closes `ws` the way its peer closed the other side (see the module comment). */
function closeLike(ws, code, reason, why) {
    if (ws.readyState === ws_1.default.CLOSING || ws.readyState === ws_1.default.CLOSED)
        return;
    if (code === 1005)
        ws.close();
    else if (code === 1006 || code < 1000)
        ws.close(1011, Buffer.from(why.slice(0, 120)));
    else
        ws.close(code, reason);
}
/**
 * Sends `data` on `to`, pausing `from` while `to` has more than {@link HIGH_WATER} queued
 * (resumed once it drains, if `mayResume` agrees).
 */
function relayTo(to, from, data, binary, mayResume = () => true) {
    return new Promise((resolve) => {
        if (to.readyState !== ws_1.default.OPEN)
            return resolve();
        to.send(data, { binary }, () => {
            if (from.isPaused && to.bufferedAmount < HIGH_WATER && mayResume())
                from.resume();
            resolve();
        });
        if (to.bufferedAmount >= HIGH_WATER)
            from.pause();
    });
}
/** The upstream WebSocket URL of a client path: the configured OpenAI base, `ws`/`wss`. */
function upstreamWsUrl(base, pathAndQuery) {
    return (0, security_1.upstreamTarget)(base, pathAndQuery).replace(/^http/, 'ws');
}
/** Attaches the Responses WebSocket relay to `server` (its `upgrade` event). */
function attachWebSocketRelay(server, ctx) {
    const { config, stats, log } = ctx;
    const chosen = new WeakMap();
    const wss = new ws_1.WebSocketServer({
        noServer: true,
        maxPayload: MAX_MESSAGE_BYTES,
        perMessageDeflate: false,
        handleProtocols: (_offered, req) => chosen.get(req) ?? false,
    });
    /** Relayed connections: client -> upstream. */
    const live = new Map();
    server.on('upgrade', (req, socket, head) => {
        socket.on('error', () => socket.destroy());
        const url = new URL(req.url ?? '/', 'http://proxy.invalid');
        const path = url.pathname;
        if (!ctx.isResponsesPath(path) || (req.headers.upgrade ?? '').toLowerCase() !== 'websocket') {
            return refuse(socket, 404, 'not_found', `WebSocket upgrades are served on the Responses routes only (${path})`);
        }
        const origin = req.headers.origin;
        if ((0, security_1.isLoopbackHost)(config.host) && origin && !loopbackOrigin(origin)) {
            return refuse(socket, 403, 'permission_error', `a WebSocket from origin ${origin} is refused (a web page on another site)`);
        }
        if (!(0, security_1.tokenMatches)(req.headers, config.token))
            return refuse(socket, 401, 'authentication_error', 'missing or wrong x-headroom-token');
        let target;
        try {
            target = upstreamWsUrl(config.upstreamOpenai, path + url.search);
        }
        catch (e) {
            return refuse(socket, 403, 'forbidden_upstream', e.message);
        }
        const headers = {};
        for (const [k, v] of Object.entries(req.headers)) {
            if (v === undefined || DROP_UPGRADE.has(k) || k.startsWith('x-headroom-'))
                continue;
            headers[k] = Array.isArray(v) ? v.join(', ') : v;
        }
        const protocols = (req.headers['sec-websocket-protocol'] ?? '')
            .split(',')
            .map((p) => p.trim())
            .filter(Boolean);
        const options = {
            headers,
            maxPayload: MAX_MESSAGE_BYTES,
            handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
            followRedirects: false,
            lookup: (0, security_1.guardedLookup)(),
        };
        const upstream = new ws_1.default(target, protocols, options);
        // Set once the client has its answer: the upstream's refusal, a 502, or the relay.
        let settled = false;
        const dropUpstream = () => {
            if (settled)
                return;
            settled = true;
            upstream.terminate();
        };
        socket.once('close', dropUpstream);
        upstream.on('unexpected-response', (_r, res) => {
            // The upstream refused the handshake: its answer goes to the client as it came.
            if (settled)
                return void res.destroy();
            settled = true;
            stats.upstreamErrors++;
            const lines = [`HTTP/1.1 ${res.statusCode} ${res.statusMessage ?? ''}`];
            for (let i = 0; i < res.rawHeaders.length; i += 2) {
                if (!DROP_RESPONSE.has(res.rawHeaders[i].toLowerCase()))
                    lines.push(`${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}`);
            }
            lines.push('connection: close');
            socket.write(`${lines.join('\r\n')}\r\n\r\n`);
            res.pipe(socket);
            res.on('error', () => socket.destroy());
            res.on('end', () => upstream.terminate());
        });
        upstream.on('error', (e) => {
            if (settled)
                return;
            settled = true;
            stats.upstreamErrors++;
            refuse(socket, 502, 'upstream_unreachable', `upstream unreachable: ${e.message}`);
        });
        upstream.once('open', () => {
            if (settled)
                return void upstream.terminate();
            settled = true;
            socket.off('close', dropUpstream);
            if (upstream.protocol)
                chosen.set(req, upstream.protocol);
            // Messages the upstream sends before the client is attached wait here.
            const early = [];
            const keep = (d, binary) => early.push([d, binary]);
            upstream.on('message', keep);
            wss.handleUpgrade(req, socket, head, (client) => {
                upstream.off('message', keep);
                pipe(req, client, upstream, early);
            });
        });
    });
    function pipe(req, client, upstream, early) {
        live.set(client, upstream);
        const bypass = req.headers['x-headroom-bypass'] === '1' || config.compress === false;
        const path = (req.url ?? '/').split('?')[0];
        const conn = { headerSession: (0, sessions_1.sessionFromHeaders)(req.headers), sticky: false, retrieval: new ws_retrieval_1.WsRetrieval() };
        stats.websocket.connections++;
        log.info({ path, bypass, protocol: upstream.protocol || undefined }, 'websocket open');
        let upstreamError = '';
        // Upstream -> client: as it comes, the upstream paused while the client lags.
        const toClient = (data, binary) => {
            void relayTo(client, upstream, data, binary);
            if (!binary)
                observe(data, conn);
        };
        for (const [d, b] of early)
            toClient(d, b);
        upstream.on('message', (d, binary) => toClient(d, binary));
        // Client -> upstream: one message after the other (a later one waits for an earlier one
        // being compressed); the client is paused while too many wait or the upstream lags.
        let tail = Promise.resolve();
        let pending = 0;
        client.on('message', (d, binary) => {
            const data = d;
            if (++pending >= MAX_PENDING)
                client.pause();
            tail = tail.then(async () => {
                const out = binary ? data : await compressFrame(data, conn, path, bypass);
                await relayTo(upstream, client, out, binary, () => pending <= MAX_PENDING);
                if (--pending < MAX_PENDING && client.isPaused && upstream.bufferedAmount < HIGH_WATER)
                    client.resume();
            });
        });
        client.on('ping', (d) => upstream.readyState === ws_1.default.OPEN && upstream.ping(d));
        upstream.on('ping', (d) => client.readyState === ws_1.default.OPEN && client.ping(d));
        client.on('close', (code, reason) => {
            live.delete(client);
            log.info({ path, code, reason: reason.toString('utf8') }, 'websocket client closed');
            // Whatever the client sent before closing goes first.
            void tail.then(() => {
                if (code === 1006)
                    upstream.terminate();
                else
                    closeLike(upstream, code, reason, '');
            });
        });
        upstream.on('close', (code, reason) => {
            log.info({ path, code, reason: reason.toString('utf8') }, 'websocket upstream closed');
            if (code === 1006)
                stats.upstreamErrors++;
            closeLike(client, code, reason, `headroom proxy: the upstream connection was lost${upstreamError ? `: ${upstreamError}` : ''}`);
        });
        upstream.on('error', (e) => (upstreamError = e.message));
        client.on('error', (e) => log.debug({ path, err: e.message }, 'websocket client error'));
    }
    function newRecord(path, outcome) {
        return { at: new Date().toISOString(), method: 'WS', path, status: 101, outcome, tokensBefore: 0, tokensAfter: 0, reasons: {}, retrieveCalls: 0, transport: 'websocket' };
    }
    /**
     * Reads an upstream event: what the upstream billed (`response.completed`, failed,
     * incomplete), provider errors, and, once the connection has the retrieve tool, the
     * model's `headroom_retrieve` calls. Only events whose first bytes name one of these types
     * are parsed.
     */
    function observe(data, conn) {
        const head = data.toString('latin1', 0, Math.min(data.length, 160));
        const type = /"type"\s*:\s*"(response\.(?:completed|incomplete|failed|output_item\.done)|error)"/.exec(head)?.[1];
        if (!type)
            return;
        if (type === 'response.output_item.done' && !(conn.sticky && data.includes(hr.RETRIEVE_TOOL_NAME)))
            return;
        let ev;
        try {
            ev = JSON.parse(data.toString('utf8'));
        }
        catch {
            return;
        }
        if (type === 'error')
            stats.streamErrors++;
        const usage = ev.response?.usage;
        if (usage && typeof usage === 'object')
            (0, stats_1.recordBilled)(stats, (0, usage_1.tokenClasses)(usage));
        if (conn.sticky)
            conn.retrieval.observe(ev);
    }
    /**
     * The frame to send upstream for a client text frame: a `response.create`'s request
     * compressed (the same rules as an HTTP Responses body), anything else as it came.
     */
    async function compressFrame(frame, conn, path, bypass) {
        const create = (0, ws_frame_1.responseCreateRequest)(frame);
        if (!create)
            return frame;
        stats.requests++;
        const record = newRecord(path, 'passed_through');
        const started = performance.now();
        const body = create.envelope === 'wrapped' ? frame.subarray(create.start, create.end) : frame;
        let out = frame;
        if (bypass) {
            stats.bypassed++;
            record.outcome = 'bypassed';
            (0, stats_1.recordRequest)(stats, record);
            return frame;
        }
        try {
            const r = await (0, compress_1.compressRequest)(ctx, body, 'openai-responses', conn.headerSession, record, undefined, conn.sticky);
            if (r.retrieveTool)
                conn.sticky = true;
            if (r.notCompressed)
                stats.notCompressed[r.notCompressed] = (stats.notCompressed[r.notCompressed] ?? 0) + 1;
            const request = r.body;
            if (request !== body)
                out = create.envelope === 'wrapped' ? Buffer.concat([frame.subarray(0, create.start), request, frame.subarray(create.end)]) : request;
            if (conn.sticky) {
                // After compression: retrieved originals are never compressed again.
                const answered = conn.retrieval.answer(out, ctx.store);
                out = answered.frame;
                if (answered.answered) {
                    record.retrieveCalls = answered.answered;
                    stats.retrieval.turns++;
                    stats.retrieval.calls += answered.answered;
                }
            }
        }
        catch (e) {
            // Answering retrieve calls failed: the frame goes upstream as it was compressed.
            const code = e.code ?? 'error';
            record.outcome = 'error';
            record.reasons[code] = 1;
        }
        finally {
            (0, stats_1.recordRequest)(stats, record);
            (0, log_1.logRequest)(log, {
                method: 'WS',
                path,
                status: 101,
                durationMs: performance.now() - started,
                tokensBefore: record.tokensBefore,
                tokensAfter: record.tokensAfter,
                reason: record.outcome === 'compressed' ? undefined : record.outcome,
            });
        }
        return out;
    }
    return {
        get open() {
            return live.size;
        },
        close() {
            for (const [client, upstream] of live) {
                closeLike(client, 1001, 'headroom proxy shutting down', '');
                closeLike(upstream, 1001, 'headroom proxy shutting down', '');
            }
            wss.close();
        },
    };
}
