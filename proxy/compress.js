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
exports.compressRequest = compressRequest;
exports.withPromptCacheKey = withPromptCacheKey;
// The one compression step of every compressed route, HTTP bodies and WebSocket
// `response.create` frames alike: the library's byte-splicing entry off the event loop, the
// session rule for the retrieve tool, opt-in prefix stabilisation, and the request's stats.
const hr = __importStar(require("../index"));
const stats_1 = require("./stats");
/**
 * Compresses one request body (Anthropic Messages, OpenAI Chat or Responses) and fills
 * `record`. The retrieve tool, once a session (`headerSession`, `alsoSticky`) or a
 * conversation has had it, is on every later request, so the tool list never flips. A body the
 * library cannot read goes upstream untouched (upstream says what is wrong), with the error
 * code in the stats. Never throws.
 */
async function compressRequest(ctx, body, format, headerSession, record, model, alsoSticky = false) {
    const { config, stats, sticky } = ctx;
    const opts = { store: ctx.store, mode: config.mode, provider: format };
    if (config.protectTools)
        opts.protect = { tools: config.protectTools };
    if (config.minTokens !== undefined)
        opts.minTokens = config.minTokens;
    let t0 = performance.now();
    const out = { body, queuedMs: 0, compressionMs: 0 };
    try {
        const keep = config.stabilize || alsoSticky || sticky.has(headerSession);
        let r = await ctx.compressions.run(() => {
            out.queuedMs = performance.now() - t0;
            t0 = performance.now();
            return hr.compressBodyAsync(body, { ...opts, retrieveTool: keep ? 'always' : 'auto' });
        });
        const conversation = r.report.conversation;
        if (!r.report.retrieveTool && !config.stabilize && sticky.has(conversation)) {
            // A conversation that had markers keeps the tool (its history may have lost them,
            // e.g. after the client compacted it): same blocks, memoized, plus the tool.
            r = await ctx.compressions.run(() => hr.compressBodyAsync(body, { ...opts, retrieveTool: 'always' }));
        }
        if (r.report.retrieveTool) {
            sticky.add(headerSession);
            sticky.add(conversation);
        }
        out.compressionMs = performance.now() - t0;
        out.retrieveTool = r.report.retrieveTool;
        out.conversation = conversation;
        record.reasons = (0, stats_1.recordReport)(stats, r.report, model ?? r.report.model);
        record.tokensBefore = r.report.tokensBefore;
        record.tokensAfter = r.report.tokensAfter;
        if (r.report.transforms.length || r.report.retrieveTool === 'added') {
            stats.compressed += r.report.transforms.length ? 1 : 0;
            record.outcome = r.report.transforms.length ? 'compressed' : 'unchanged';
            out.body = r.body;
        }
        else {
            record.outcome = 'unchanged';
            out.notCompressed = 'nothing_to_compress';
        }
        if (config.stabilize) {
            out.body = hr.sortTools(out.body) ?? out.body;
            if (format !== 'anthropic')
                out.body = withPromptCacheKey(out.body, headerSession ?? conversation ?? 'headroom');
        }
    }
    catch (e) {
        const code = e.code ?? 'error';
        stats.compressionErrors++;
        record.outcome = 'error';
        record.reasons[code] = 1;
        out.notCompressed = code;
    }
    return out;
}
/**
 * Adds OpenAI's `prompt_cache_key` as the body's first member (a byte splice), unless the
 * client set one: requests of one session then share a cache key.
 */
function withPromptCacheKey(body, key) {
    if (body.indexOf('"prompt_cache_key"') >= 0)
        return body;
    const open = body.indexOf('{');
    if (open < 0)
        return body;
    const rest = body.subarray(open + 1).toString('utf8').trimStart();
    const field = `"prompt_cache_key":${JSON.stringify(key)}${rest.startsWith('}') ? '' : ','}`;
    return Buffer.concat([body.subarray(0, open + 1), Buffer.from(field), body.subarray(open + 1)]);
}
