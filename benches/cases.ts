// Benchmark cases as plain functions: benny is only the runner (a swap to tinybench is a
// one-file change in index.ts).
import { countTokens as gptCountTokens } from 'gpt-tokenizer/encoding/o200k_base'

import * as hr from '../index'
import type { Fixture } from './data'

const ORDINARY = { disallowedSpecial: new Set<string>() }

export interface Case {
  name: string
  /** Bytes of input processed by one call of `fn`, for MB/s (0: not a throughput case). */
  bytes: number
  fn: () => void
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
    }
  })
}
