// Benchmark cases as plain functions: benny is only the runner (a swap to tinybench is a
// one-file change in index.ts).
import { countTokens as gptCountTokens } from 'gpt-tokenizer/encoding/o200k_base'

import * as hr from '../index'
import type { Fixture } from './data'
import type { PeakInput } from './report/stats'

const ORDINARY = { disallowedSpecial: new Set<string>() }

export interface Case {
  name: string
  /** Bytes of input processed by one call of `fn`, for MB/s (0: not a throughput case). */
  bytes: number
  fn: () => void
  /** Content type this case compresses on first sight (`json`, `logs`, ...), for the latency chart. */
  type?: string
  /** The call's input, for its peak memory in a fresh process (compressText/compressBody cases). */
  peak?: PeakInput
}

export function tokenCases(f: Fixture): { native: Case; baseline: Case } {
  return {
    native: {
      name: `headroom-native countTokens (${f.name})`,
      bytes: f.bytes,
      fn: () => {
        for (const c of f.chunks) hr.countTokens(c)
      },
    },
    baseline: {
      name: `gpt-tokenizer countTokens (${f.name})`,
      bytes: f.bytes,
      fn: () => {
        for (const c of f.chunks) gptCountTokens(c, ORDINARY)
      },
    },
  }
}

export function detectCase(fixtures: Fixture[]): Case {
  const chunks = fixtures.flatMap((f) => f.chunks)
  const bytes = fixtures.reduce((n, f) => n + f.bytes, 0)
  return {
    name: 'detectContentType (4 KiB chunks, all types)',
    bytes,
    fn: () => {
      for (const c of chunks) hr.detectContentType(c)
    },
  }
}

export function overheadCases(): Case[] {
  const noop = (s: string) => s.length
  let sink = 0
  return [
    { name: 'JS function call (baseline)', bytes: 0, fn: () => void (sink += noop('a')) },
    { name: 'napi call: countTokens("a")', bytes: 0, fn: () => void (sink += hr.countTokens('a')) },
    { name: 'napi call: detectContentType("a")', bytes: 0, fn: () => void (sink += hr.detectContentType('a').confidence) },
  ]
}

export function compressCases(requests: { name: string; body: hr.RequestBody }[]): Case[] {
  return requests.map(({ name, body }) => {
    const json = JSON.stringify(body)
    return {
      name: `compressBody (${name})`,
      bytes: Buffer.byteLength(json),
      fn: () => void hr.compressBody(json),
      peak: { kind: 'body', input: json, mode: 'balanced' },
    }
  })
}

/** A ~1 MB JSON array of log-like rows, built from the corpus files (real rows, repeated). */
export function jsonArrayMiB(texts: string[]): string {
  const rows: unknown[] = []
  for (const t of texts) {
    const v = JSON.parse(t)
    if (Array.isArray(v)) rows.push(...v)
  }
  const out: unknown[] = []
  while (JSON.stringify(out).length < 1024 * 1024) out.push(...rows.slice(0, 50).map((r, i) => ({ ...(r as object), seq: out.length + i })))
  return JSON.stringify(out, null, 2)
}

export function crushCases(array: string): Case[] {
  const warm = hr.Store.memory()
  const bytes = Buffer.byteLength(array)
  // A fresh store per call: its memo is empty, so the compressor really runs.
  const cold = (mode: 'balanced' | 'lossless') => () => {
    const store = hr.Store.memory()
    hr.compressText(array, { store, mode })
    store.close()
  }
  return [
    { name: 'compressText, 1 MB JSON array, balanced (first sight)', bytes, fn: cold('balanced'), type: 'json', peak: { kind: 'text', input: array, mode: 'balanced' } },
    { name: 'compressText, 1 MB JSON array, lossless (first sight)', bytes, fn: cold('lossless'), peak: { kind: 'text', input: array, mode: 'lossless' } },
    { name: 'compressText, same array again (memo hit: resent history)', bytes, fn: () => void hr.compressText(array, { store: warm }) },
    { name: 'baseline: JSON.parse + JSON.stringify (same input)', bytes, fn: () => void JSON.stringify(JSON.parse(array)) },
  ]
}
