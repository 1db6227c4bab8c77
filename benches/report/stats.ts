// Latency distributions and peak memory for the benches: plain timing loops (no benny), so that
// every per-call time is kept and the median and p99 come from the runs themselves.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

/** Nearest-rank quantile (q in [0, 1]) of a non-empty sample: with fewer than 100 runs, p99 is the maximum. */
export function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]
}

/** Median (nearest rank, lower middle). */
export const median = (xs: number[]): number => quantile(xs, 0.5)

/** How many timed runs one case gets: at least `minRuns`, then more until `budgetMs` or `maxRuns`. */
export interface SampleConfig {
  minRuns: number
  maxRuns: number
  budgetMs: number
}

/** Every per-call wall time of `fn` in ms, after one untimed call (lazy setup, first-use caches). */
export function sampleMs(fn: () => void, cfg: SampleConfig): number[] {
  fn()
  const ms: number[] = []
  const start = process.hrtime.bigint()
  const spent = () => Number(process.hrtime.bigint() - start) / 1e6
  while (ms.length < cfg.minRuns || (ms.length < cfg.maxRuns && spent() < cfg.budgetMs)) {
    const t0 = process.hrtime.bigint()
    fn()
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6)
  }
  return ms
}

/** Summary of one sample: median, p99 and the rest, in ms. */
export interface Distribution {
  runs: number
  medianMs: number
  p99Ms: number
  meanMs: number
  minMs: number
  maxMs: number
}

/** Summarises per-call times. */
export function distribution(ms: number[]): Distribution {
  return {
    runs: ms.length,
    medianMs: median(ms),
    p99Ms: quantile(ms, 0.99),
    meanMs: ms.reduce((a, b) => a + b, 0) / ms.length,
    minMs: Math.min(...ms),
    maxMs: Math.max(...ms),
  }
}

const STATUS = '/proc/self/status'
const MIB = 1024 * 1024

/** Reads a `VmXxx:  123 kB` line of /proc/self/status, in bytes. */
function procStatus(field: string): number | null {
  const m = fs.readFileSync(STATUS, 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'))
  return m ? Number(m[1]) * 1024 : null
}

/** Whether the kernel lets this process reset its RSS high-water mark (Linux: `echo 5 > /proc/self/clear_refs`). */
function canResetPeak(): boolean {
  try {
    fs.writeFileSync('/proc/self/clear_refs', '5')
    return procStatus('VmHWM') !== null
  } catch {
    return false
  }
}

/** How peak memory is measured on this machine; written beside the figures. */
export const MEMORY_METHOD = canResetPeak()
  ? 'one first-sight call in a fresh Node process (benches/report/peak.ts): RSS high-water mark during the call (Linux VmHWM, reset just before it through /proc/self/clear_refs), and its growth over the RSS just before the call (input loaded, tokenizer warmed up)'
  : 'one first-sight call in a fresh Node process (benches/report/peak.ts): process.resourceUsage().maxRSS after the call, and its growth over the RSS just before the call (input loaded, tokenizer warmed up)'

/** Peak RSS of the process while `fn` runs, and how far it rose above the RSS at the start (bytes). */
export interface PeakMemory {
  rssBeforeMiB: number
  peakRssMiB: number
  growthMiB: number
}

/** Runs `fn` and measures the process's RSS high-water mark during it (see {@link MEMORY_METHOD}). */
export function withPeakMemory<T>(fn: () => T): { value: T; memory: PeakMemory } {
  ;(globalThis as { gc?: () => void }).gc?.()
  const exact = MEMORY_METHOD.startsWith('RSS')
  if (exact) fs.writeFileSync('/proc/self/clear_refs', '5')
  const before = process.memoryUsage.rss()
  const value = fn()
  const peak = exact ? (procStatus('VmHWM') ?? 0) : process.resourceUsage().maxRSS * 1024
  const round = (b: number) => Math.round((b / MIB) * 10) / 10
  return { value, memory: { rssBeforeMiB: round(before), peakRssMiB: round(Math.max(peak, before)), growthMiB: round(Math.max(0, peak - before)) } }
}

/** What to compress for a peak-memory figure: a text (compressText) or a request body JSON (compressBody). */
export interface PeakInput {
  kind: 'text' | 'body'
  input: string
  mode: 'lossless' | 'balanced' | 'aggressive'
}

/** Peak memory of one call on `p`, measured in a fresh child process (see {@link MEMORY_METHOD}); null if it failed. */
export function childPeakMemory(p: PeakInput): PeakMemory | null {
  const file = path.join(os.tmpdir(), `headroom-bench-peak-${process.pid}.txt`)
  fs.writeFileSync(file, p.input)
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', path.join(__dirname, 'peak.ts'), file, p.kind, p.mode], { encoding: 'utf8', cwd: path.resolve(__dirname, '..', '..') })
  fs.rmSync(file, { force: true })
  if (r.status !== 0) {
    process.stderr.write(`[peak memory] failed: ${r.stderr.slice(0, 500)}\n`)
    return null
  }
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as PeakMemory
}
