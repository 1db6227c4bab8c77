// How many bodies the proxy compresses at once. Compression runs on the libuv pool, off the
// event loop, but on a small machine a full pool still takes every core from the event loop
// (and queues DNS and file work behind it): /health and streaming relays slow down with it.
// So compressions queue here, first in first out, with one core left to the event loop.
import os from 'node:os'

/** Runs at most `concurrency` tasks at once; the others wait their turn in arrival order. */
export interface Limiter {
  /** Runs `task` when a slot is free; resolves or rejects as it does. */
  run<T>(task: () => Promise<T>): Promise<T>
  /** Tasks running now. */
  readonly active: number
  /** Tasks waiting for a slot. */
  readonly queued: number
  /** The most that run at once. */
  readonly concurrency: number
}

/** A {@link Limiter} with `concurrency` slots (at least 1). */
export function createLimiter(concurrency: number): Limiter {
  const slots = Math.max(1, Math.floor(concurrency))
  const waiting: Array<() => void> = []
  let active = 0
  const release = () => {
    active--
    const next = waiting.shift()
    if (next) {
      active++
      next()
    }
  }
  return {
    async run<T>(task: () => Promise<T>): Promise<T> {
      if (active < slots) active++
      else await new Promise<void>((resolve) => waiting.push(resolve))
      // Start in a macrotask of its own: whatever ran just before (reading a large body) and
      // the native call's own copy of the input do not add up into one long pause.
      await new Promise<void>((resolve) => setImmediate(resolve))
      try {
        return await task()
      } finally {
        release()
      }
    },
    get active() {
      return active
    },
    get queued() {
      return waiting.length
    },
    concurrency: slots,
  }
}

/**
 * Default number of concurrent compressions: the cores less one (left to the event loop), and
 * the libuv pool size (`UV_THREADPOOL_SIZE`, default 4) less one (left to DNS lookups of the
 * upstream and file work); at least 1.
 */
export function defaultCompressionConcurrency(cores: number = os.availableParallelism(), poolSize: number = Number(process.env.UV_THREADPOOL_SIZE) || 4): number {
  return Math.max(1, Math.min(cores - 1, poolSize - 1))
}
