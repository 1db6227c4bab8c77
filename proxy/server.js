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
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
exports.startProxy = startProxy;
// The proxy: clients point their base URL here; request bodies are compressed in the blocks
// the library edits (byte splicing: every other byte goes upstream unchanged) and forwarded
// to the configured upstream; responses, streaming or not, are relayed as they arrive.
//
// Increment 1 (issue #6): Anthropic /v1/messages, OpenAI /v1/chat/completions and
// /v1/responses compressed; every other path passed through; x-headroom-bypass; token;
// /health, /stats, /metrics, GET /v1/retrieve/{hash}. Answering the model's own
// headroom_retrieve calls inside the proxy comes next.
const node_http_1 = __importDefault(require("node:http"));
const promises_1 = require("node:stream/promises");
const undici_1 = require("undici");
const hr = __importStar(require("../index"));
const store_1 = require("./store");
/** Paths whose JSON bodies are compressed (query strings ignored). */
const COMPRESSED_PATHS = new Set(['/v1/messages', '/v1/chat/completions', '/v1/responses']);
/** Request headers never forwarded: hop-by-hop ones, and what the HTTP client sets itself. */
const DROP_REQUEST = new Set(['host', 'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'content-length', 'proxy-authorization']);
/** Response headers never relayed (hop-by-hop). */
const DROP_RESPONSE = new Set(['connection', 'keep-alive', 'transfer-encoding', 'proxy-connection', 'upgrade', 'trailer']);
/** Largest request body read (bigger ones get 413). */
const MAX_BODY_BYTES = 64 * 1024 * 1024;
function send(res, status, body, type = 'application/json') {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text) });
    res.end(text);
}
/** An error in the shape of the provider the client speaks, so SDKs surface it. */
function proxyError(res, status, anthropic, code, message) {
    if (anthropic)
        send(res, status, { type: 'error', error: { type: code, message: `headroom proxy: ${message}` } });
    else
        send(res, status, { error: { type: code, code, message: `headroom proxy: ${message}` } });
}
/** Whether the client speaks Anthropic (its SDK always sends `anthropic-version`). */
function isAnthropic(req, path) {
    return path.startsWith('/v1/messages') || req.headers['anthropic-version'] !== undefined || req.headers['x-api-key'] !== undefined;
}
function authorized(req, token) {
    if (!token)
        return true;
    const given = req.headers['x-headroom-token'] ?? String(req.headers['proxy-authorization'] ?? '').replace(/^Bearer\s+/i, '');
    return given === token;
}
async function readBody(req) {
    const chunks = [];
    let size = 0;
    for await (const c of req) {
        size += c.length;
        if (size > MAX_BODY_BYTES)
            return null;
        chunks.push(c);
    }
    return Buffer.concat(chunks);
}
/** Starts the proxy; resolves once it listens. */
async function startProxy(config) {
    const store = (0, store_1.openStore)(config.store);
    const agent = new undici_1.Agent({ connections: 128, keepAliveTimeout: 30_000 });
    const stats = { requests: 0, compressed: 0, bypassed: 0, passedThrough: 0, compressionErrors: 0, upstreamErrors: 0, tokensBefore: 0, tokensAfter: 0, notCompressed: {} };
    const notCompressed = (reason) => (stats.notCompressed[reason] = (stats.notCompressed[reason] ?? 0) + 1);
    const server = node_http_1.default.createServer((req, res) => {
        handle(req, res).catch((e) => {
            if (!res.headersSent)
                proxyError(res, 500, true, 'api_error', e.message);
            else
                res.destroy(e);
        });
    });
    async function handle(req, res) {
        const url = new URL(req.url ?? '/', 'http://proxy.invalid');
        const path = url.pathname;
        if (req.method === 'GET' && path === '/health')
            return send(res, 200, { ok: true });
        if (!authorized(req, config.token))
            return proxyError(res, 401, isAnthropic(req, path), 'authentication_error', 'missing or wrong x-headroom-token');
        if (req.method === 'GET' && path === '/stats')
            return send(res, 200, stats);
        if (req.method === 'GET' && path === '/metrics')
            return send(res, 200, metrics(stats), 'text/plain; version=0.0.4');
        const retrieve = /^\/v1\/retrieve\/([0-9a-f]{16,64})$/.exec(path);
        if (req.method === 'GET' && retrieve) {
            try {
                const query = url.searchParams.get('query') ?? undefined;
                const r = store.retrieve(retrieve[1], { query });
                return send(res, 200, r.text, 'text/plain; charset=utf-8');
            }
            catch (e) {
                const code = e.code;
                return send(res, (0, store_1.retrieveErrorStatus)(code), { error: { code: code ?? 'NOT_FOUND', message: e.message } });
            }
        }
        stats.requests++;
        const anthropic = isAnthropic(req, path);
        const base = anthropic ? config.upstreamAnthropic : config.upstreamOpenai;
        let body = await readBody(req);
        if (body === null)
            return proxyError(res, 413, anthropic, 'request_too_large', `request body over ${MAX_BODY_BYTES} bytes`);
        const bypass = req.headers['x-headroom-bypass'] === '1';
        if (req.method === 'POST' && COMPRESSED_PATHS.has(path) && body.length > 0) {
            if (bypass)
                stats.bypassed++;
            else if (req.headers['content-encoding'])
                notCompressed('content_encoded');
            else {
                try {
                    const out = await hr.compressBodyAsync(body, { store, mode: config.mode, provider: anthropic ? 'anthropic' : 'auto' });
                    stats.tokensBefore += out.report.tokensBefore;
                    stats.tokensAfter += out.report.tokensAfter;
                    if (out.report.transforms.length) {
                        stats.compressed++;
                        body = out.body;
                    }
                    else
                        notCompressed('nothing_to_compress');
                }
                catch (e) {
                    // Anything the library cannot read goes upstream untouched: upstream says what is wrong.
                    stats.compressionErrors++;
                    notCompressed(e.code ?? 'error');
                }
            }
        }
        else
            stats.passedThrough++;
        const headers = {};
        for (const [k, v] of Object.entries(req.headers)) {
            if (v === undefined || DROP_REQUEST.has(k) || k.startsWith('x-headroom-'))
                continue;
            headers[k] = v;
        }
        const abort = new AbortController();
        res.on('close', () => {
            if (!res.writableFinished)
                abort.abort();
        });
        let upstream;
        try {
            upstream = await (0, undici_1.request)(base + path + url.search, {
                method: req.method,
                headers,
                body: body.length || (req.method !== 'GET' && req.method !== 'HEAD') ? body : undefined,
                dispatcher: agent,
                signal: abort.signal,
                headersTimeout: 600_000,
                bodyTimeout: 0,
            });
        }
        catch (e) {
            stats.upstreamErrors++;
            if (abort.signal.aborted)
                return;
            return proxyError(res, 502, anthropic, 'api_error', `upstream unreachable: ${e.message}`);
        }
        const out = {};
        for (const [k, v] of Object.entries(upstream.headers)) {
            if (v !== undefined && !DROP_RESPONSE.has(k))
                out[k] = v;
        }
        res.writeHead(upstream.statusCode, out);
        res.flushHeaders();
        try {
            // Chunk by chunk, with backpressure: a stream stays a stream.
            await (0, promises_1.pipeline)(upstream.body, res);
        }
        catch {
            // The client went away, or upstream broke off mid-stream: the client sees the cut.
            stats.upstreamErrors += abort.signal.aborted ? 0 : 1;
            res.destroy();
        }
    }
    await new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => resolve());
    });
    const addr = server.address();
    const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    return {
        url: `http://${host}:${addr.port}`,
        stats,
        store,
        close: async () => {
            await new Promise((r) => server.close(() => r()));
            await agent.close();
            store.close();
        },
    };
}
/** Prometheus text format. */
function metrics(s) {
    const lines = [
        ['headroom_requests_total', 'Requests proxied', s.requests],
        ['headroom_requests_compressed_total', 'Requests whose body was compressed', s.compressed],
        ['headroom_requests_bypassed_total', 'Requests sent with x-headroom-bypass', s.bypassed],
        ['headroom_compression_errors_total', 'Bodies the library could not read (forwarded unchanged)', s.compressionErrors],
        ['headroom_upstream_errors_total', 'Upstream failures', s.upstreamErrors],
        ['headroom_tokens_before_total', 'Tokens of compressible request bodies before compression', s.tokensBefore],
        ['headroom_tokens_after_total', 'Tokens of those bodies after compression', s.tokensAfter],
    ];
    return lines.map(([name, help, v]) => `# HELP ${name} ${help}\n# TYPE ${name} counter\n${name} ${v}\n`).join('');
}
