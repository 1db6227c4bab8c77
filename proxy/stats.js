"use strict";
// The proxy's counters: what `/stats` shows and `/metrics` exports.
Object.defineProperty(exports, "__esModule", { value: true });
exports.RECENT_REQUESTS = void 0;
exports.newStats = newStats;
exports.recordReport = recordReport;
exports.recordBilled = recordBilled;
exports.recordRequest = recordRequest;
exports.metrics = metrics;
const usage_1 = require("./usage");
/** Requests kept in `recent`. */
exports.RECENT_REQUESTS = 100;
/** Fresh counters. */
function newStats() {
    return {
        requests: 0,
        compressed: 0,
        bypassed: 0,
        passedThrough: 0,
        compressionErrors: 0,
        upstreamErrors: 0,
        truncatedStreams: 0,
        streamErrors: 0,
        tokensBefore: 0,
        tokensAfter: 0,
        byContentType: {},
        billed: (0, usage_1.noTokens)(),
        savings: { usd: 0, tokensFirstSight: 0, tokensFromHistory: 0, unpricedTokens: 0, basis: usage_1.SAVINGS_BASIS },
        notCompressed: {},
        skippedBlocks: {},
        retrieval: { turns: 0, calls: 0, continuations: 0 },
        websocket: { connections: 0 },
        volatileSystemPrompts: { requests: 0, byKind: {} },
        stickySessions: 0,
        recent: [],
    };
}
const bump = (m, k, by = 1) => (m[k] = (m[k] ?? 0) + by);
/** Adds one compression report. Returns the per-request reasons. */
function recordReport(s, report, model) {
    s.tokensBefore += report.tokensBefore;
    s.tokensAfter += report.tokensAfter;
    const price = (0, usage_1.priceOf)(model ?? report.model);
    for (const t of report.transforms) {
        const c = (s.byContentType[t.contentType] ??= { blocks: 0, tokensBefore: 0, tokensAfter: 0 });
        c.blocks++;
        c.tokensBefore += t.tokensBefore;
        c.tokensAfter += t.tokensAfter;
        const saved = t.tokensBefore - t.tokensAfter;
        if (t.memoized)
            s.savings.tokensFromHistory += saved;
        else
            s.savings.tokensFirstSight += saved;
        if (price)
            s.savings.usd += (saved * (t.memoized ? price.cacheRead : price.input)) / 1e6;
        else
            s.savings.unpricedTokens += saved;
    }
    const reasons = {};
    for (const k of report.skipped) {
        bump(reasons, k.reason);
        bump(s.skippedBlocks, k.reason);
    }
    if (report.volatile?.length) {
        s.volatileSystemPrompts.requests++;
        for (const v of report.volatile)
            bump(s.volatileSystemPrompts.byKind, v.kind);
        s.volatileSystemPrompts.lastSample = `${report.volatile[0].kind} ${report.volatile[0].sample} at ${report.volatile[0].path}`;
    }
    return reasons;
}
/** Adds what an upstream billed. */
function recordBilled(s, classes) {
    if (classes)
        (0, usage_1.addTokens)(s.billed, classes);
}
/** Appends to the recent-request log. */
function recordRequest(s, r) {
    s.recent.push(r);
    if (s.recent.length > exports.RECENT_REQUESTS)
        s.recent.splice(0, s.recent.length - exports.RECENT_REQUESTS);
}
/** Prometheus text format. */
function metrics(s) {
    const counters = [
        ['headroom_requests_total', 'Requests proxied', s.requests],
        ['headroom_requests_compressed_total', 'Requests whose body was compressed', s.compressed],
        ['headroom_requests_bypassed_total', 'Requests sent with x-headroom-bypass', s.bypassed],
        ['headroom_compression_errors_total', 'Bodies the library could not read (forwarded unchanged)', s.compressionErrors],
        ['headroom_upstream_errors_total', 'Upstream failures', s.upstreamErrors],
        ['headroom_truncated_streams_total', 'Streams that ended without their final event', s.truncatedStreams],
        ['headroom_stream_errors_total', 'Streams that carried a provider error event mid-stream', s.streamErrors],
        ['headroom_tokens_before_total', 'Tokens of compressible request bodies before compression', s.tokensBefore],
        ['headroom_tokens_after_total', 'Tokens of those bodies after compression', s.tokensAfter],
        ['headroom_retrieve_calls_total', 'headroom_retrieve calls answered by the proxy', s.retrieval.calls],
        ['headroom_websocket_connections_total', 'Responses WebSocket connections relayed', s.websocket.connections],
        ['headroom_savings_usd_total', 'Estimated savings in USD (basis: see /stats savings.basis)', s.savings.usd],
        ['headroom_volatile_system_prompts_total', 'Requests whose system prompt held volatile values', s.volatileSystemPrompts.requests],
    ];
    for (const [cls, n] of Object.entries(s.billed))
        counters.push(['headroom_billed_tokens_total', 'Tokens billed upstream, by class', n, { class: cls }]);
    for (const [type, c] of Object.entries(s.byContentType)) {
        counters.push(['headroom_content_tokens_before_total', 'Tokens of compressed blocks before, by content type', c.tokensBefore, { content_type: type }]);
    }
    for (const [type, c] of Object.entries(s.byContentType)) {
        counters.push(['headroom_content_tokens_after_total', 'Tokens of compressed blocks after, by content type', c.tokensAfter, { content_type: type }]);
    }
    const seen = new Set();
    let out = '';
    for (const [name, help, v, labels] of counters) {
        if (!seen.has(name)) {
            out += `# HELP ${name} ${help}\n# TYPE ${name} counter\n`;
            seen.add(name);
        }
        const l = labels ? `{${Object.entries(labels).map(([k, x]) => `${k}="${x.replace(/["\\\n]/g, '_')}"`).join(',')}}` : '';
        out += `${name}${l} ${v}\n`;
    }
    return out;
}
