"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
exports.createLimiter = createLimiter;
exports.defaultCompressionConcurrency = defaultCompressionConcurrency;
// How many bodies the proxy compresses at once. Compression runs on the libuv pool, off the
// event loop, but on a small machine a full pool still takes every core from the event loop
// (and queues DNS and file work behind it): /health and streaming relays slow down with it.
// So compressions queue here, first in first out, with one core left to the event loop.
const node_os_1 = __importDefault(require("node:os"));
/** A {@link Limiter} with `concurrency` slots (at least 1). */
function createLimiter(concurrency) {
    const slots = Math.max(1, Math.floor(concurrency));
    const waiting = [];
    let active = 0;
    const release = () => {
        active--;
        const next = waiting.shift();
        if (next) {
            active++;
            next();
        }
    };
    return {
        async run(task) {
            if (active < slots)
                active++;
            else
                await new Promise((resolve) => waiting.push(resolve));
            // Start in a macrotask of its own: whatever ran just before (reading a large body) and
            // the native call's own copy of the input do not add up into one long pause.
            await new Promise((resolve) => setImmediate(resolve));
            try {
                return await task();
            }
            finally {
                release();
            }
        },
        get active() {
            return active;
        },
        get queued() {
            return waiting.length;
        },
        concurrency: slots,
    };
}
/**
 * Default number of concurrent compressions: the cores less one (left to the event loop), and
 * the libuv pool size (`UV_THREADPOOL_SIZE`, default 4) less one (left to DNS lookups of the
 * upstream and file work); at least 1.
 */
function defaultCompressionConcurrency(cores = node_os_1.default.availableParallelism(), poolSize = Number(process.env.UV_THREADPOOL_SIZE) || 4) {
    return Math.max(1, Math.min(cores - 1, poolSize - 1));
}
