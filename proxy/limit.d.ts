/** Runs at most `concurrency` tasks at once; the others wait their turn in arrival order. */
export interface Limiter {
    /** Runs `task` when a slot is free; resolves or rejects as it does. */
    run<T>(task: () => Promise<T>): Promise<T>;
    /** Tasks running now. */
    readonly active: number;
    /** Tasks waiting for a slot. */
    readonly queued: number;
    /** The most that run at once. */
    readonly concurrency: number;
}
/** A {@link Limiter} with `concurrency` slots (at least 1). */
export declare function createLimiter(concurrency: number): Limiter;
/**
 * Default number of concurrent compressions: the cores less one (left to the event loop), and
 * the libuv pool size (`UV_THREADPOOL_SIZE`, default 4) less one (left to DNS lookups of the
 * upstream and file work); at least 1.
 */
export declare function defaultCompressionConcurrency(cores?: number, poolSize?: number): number;
