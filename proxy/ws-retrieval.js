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
exports.WsRetrieval = void 0;
// Redeeming markers in the Responses WebSocket mode. The proxy cannot answer the model's
// `headroom_retrieve` calls inside the stream here as it does over HTTP: with
// `previous_response_id` the upstream holds the conversation, and a continuation the client
// never saw would leave the client chaining on a response whose call has no output. So the
// call reaches the client, which answers it as a tool it does not know (Codex 0.169:
// `function_call_output` "unsupported call: headroom_retrieve") in its next `response.create`;
// the proxy then replaces that output, by byte splice, with the original from the store. The
// model reads the original; the client's own history keeps its error text. A client that
// resends its whole history (a new connection, no `previous_response_id`) carries the call
// next to its output, and gets the same replacement again: upstream bytes stay stable.
const hr = __importStar(require("../index"));
const ws_frame_1 = require("./ws-frame");
/** Retrieve calls remembered per connection, at most (oldest forgotten first). */
const MAX_CALLS = 256;
/** The `headroom_retrieve` calls seen on one connection, until the client sends their outputs. */
class WsRetrieval {
    calls = new Map();
    /** Calls waiting for the client's output. */
    get pending() {
        return this.calls.size;
    }
    /** Notes the retrieve calls of an upstream event (`response.output_item.done`, `response.completed`). */
    observe(ev) {
        const items = ev.type === 'response.output_item.done' ? [ev.item] : ev.type === 'response.completed' ? ev.response?.output ?? [] : [];
        for (const it of items) {
            const item = it;
            if (item?.type !== 'function_call' || item.name !== hr.RETRIEVE_TOOL_NAME || typeof item.call_id !== 'string')
                continue;
            this.calls.set(item.call_id, item);
            if (this.calls.size > MAX_CALLS)
                this.calls.delete(this.calls.keys().next().value);
        }
    }
    /**
     * The frame with the outputs of noted retrieve calls replaced by what the store answers
     * (unknown hashes get the library's error text), and how many were answered. Every other
     * byte stays.
     */
    answer(frame, store) {
        const none = { frame, answered: 0 };
        if (!this.calls.size && !frame.includes(hr.RETRIEVE_TOOL_NAME))
            return none;
        const req = (0, ws_frame_1.responseCreateRequest)(frame);
        if (!req)
            return none;
        const body = frame.subarray(req.start, req.end);
        const input = (0, ws_frame_1.topLevelSpans)(body)?.get('input');
        const spans = input && (0, ws_frame_1.elementSpans)(body, input[0], input[1]);
        if (!spans)
            return none;
        const items = spans.map(([s, e]) => {
            const raw = body.subarray(s, e);
            const members = (0, ws_frame_1.topLevelSpans)(raw);
            const type = members && (0, ws_frame_1.stringMember)(raw, members, 'type');
            return { s, raw, members, type, callId: members && (0, ws_frame_1.stringMember)(raw, members, 'call_id') };
        });
        // Retrieve calls: those the upstream made on this connection, and those in this very input
        // (a client resending its whole history gets the same answers again).
        const calls = new Map();
        for (const it of items) {
            if (it.type !== 'function_call' || !it.members || it.callId === undefined)
                continue;
            if ((0, ws_frame_1.stringMember)(it.raw, it.members, 'name') === hr.RETRIEVE_TOOL_NAME)
                calls.set(it.callId, JSON.parse(it.raw.toString('utf8')));
        }
        for (const it of items) {
            const noted = it.callId !== undefined && this.calls.get(it.callId);
            if (it.type === 'function_call_output' && noted)
                calls.set(it.callId, noted);
        }
        if (!calls.size)
            return none;
        const resolution = hr.resolveRetrieveCalls({ object: 'response', output: [...calls.values()] }, { store });
        const outputs = new Map();
        for (const r of resolution.results)
            outputs.set(String(r.call_id), r.output);
        const edits = [];
        for (const it of items) {
            const out = it.members?.get('output');
            if (it.type !== 'function_call_output' || it.callId === undefined || !out || !outputs.has(it.callId))
                continue;
            edits.push([req.start + it.s + out[0], req.start + it.s + out[1], Buffer.from(JSON.stringify(outputs.get(it.callId)))]);
            this.calls.delete(it.callId);
        }
        return { frame: (0, ws_frame_1.splice)(frame, edits), answered: edits.length };
    }
}
exports.WsRetrieval = WsRetrieval;
