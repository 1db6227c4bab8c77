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
exports.openStore = openStore;
exports.retrieveErrorStatus = retrieveErrorStatus;
// The proxy's CCR store: which backend `--store` names, and how store errors map to HTTP.
const hr = __importStar(require("../index"));
/**
 * Opens the store a `--store` value names:
 * - absent: the default store (`HEADROOM_STORE`, else `~/.headroom/ccr.sqlite`);
 * - `memory`: a private in-memory store (this process only);
 * - `redis://[[USER]:PASSWORD@]HOST[:PORT][/DB][?prefix=P]`: a Redis server, shared by every
 *   proxy instance pointed at it (a hash one instance emits is retrievable through any other,
 *   and the memo keeps their compressed bytes identical);
 * - `sqlite:PATH` or a bare path: a SQLite file.
 *
 * @throws {HeadroomError} `INVALID_OPTION` (a bad URL, `rediss://`), `STORE_UNAVAILABLE`
 * (Redis not reachable at startup), `STORE_ERROR` (a file that cannot be opened, a wrong
 * Redis password)
 */
function openStore(spec) {
    if (!spec)
        return hr.Store.default();
    if (spec === 'memory')
        return hr.Store.memory();
    if (/^rediss?:\/\//i.test(spec))
        return hr.Store.open(spec);
    return hr.Store.open(spec.replace(/^sqlite:/, ''));
}
/**
 * The HTTP status for a failed `GET /v1/retrieve/{hash}`: 503 while the store itself cannot
 * answer (`STORE_UNAVAILABLE`, `STORE_ERROR`: worth retrying later), 404 for a hash it
 * cannot give (`UNKNOWN_HASH`, `EXPIRED`: final).
 */
function retrieveErrorStatus(code) {
    return code === 'STORE_UNAVAILABLE' || code === 'STORE_ERROR' ? 503 : 404;
}
