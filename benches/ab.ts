// A/B of two builds of the addon on the 1 MB JSON array of `npm run bench`, alternating calls
// in one process so both see the same machine (this VM's speed drifts by ±20% over minutes):
//
//   node --import tsx benches/ab.ts OLD.node NEW.node [calls]
//
// A .node is a built addon (`npm/<platform>/headroom-native.<platform>.node`; copy the old one
// aside before rebuilding). Prints the median first-sight call (a fresh in-memory store per
// call, as the bench does) and the median memo hit (one warm store) of each build. Where glibc
// refuses to load the second build ("cannot allocate memory in static TLS block"), give it room:
// `GLIBC_TUNABLES=glibc.rtld.optional_static_tls=1000000`.
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'

import { jsonArrayMiB } from './cases'
import { CORPUS } from './data'

interface Addon {
  BindingStore: { open(location: string): { close(): void } }
  compressText(text: string, options: string, store: unknown): unknown
}

const [oldPath, newPath, callsArg] = process.argv.slice(2)
if (!oldPath || !newPath) {
  console.error('usage: node --import tsx benches/ab.ts OLD.node NEW.node [calls]')
  process.exit(2)
}
const require = createRequire(__filename)
const builds: [string, Addon][] = [
  ['old', require(path.resolve(oldPath)) as Addon],
  ['new', require(path.resolve(newPath)) as Addon],
]
const calls = Number(callsArg ?? 200)
const gen = path.join(CORPUS, 'headroom-generated')
const text = jsonArrayMiB(fs.readdirSync(gen).filter((f) => f.endsWith('.json')).sort().map((f) => fs.readFileSync(path.join(gen, f), 'utf8')))
const options = JSON.stringify({ mode: 'balanced' })

const timed = (f: () => void) => {
  const t = process.hrtime.bigint()
  f()
  return Number(process.hrtime.bigint() - t) / 1e6
}
const firstSight = (m: Addon) => () => {
  const store = m.BindingStore.open('memory')
  m.compressText(text, options, store)
  store.close()
}
const warm = builds.map(([, m]) => m.BindingStore.open('memory'))
const memoHit = (m: Addon, i: number) => () => void m.compressText(text, options, warm[i])
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]

const first: number[][] = [[], []]
const memo: number[][] = [[], []]
for (let round = -10; round < calls; round++) {
  builds.forEach(([, m], i) => {
    const a = timed(firstSight(m))
    const b = timed(memoHit(m, i))
    if (round >= 0) {
      first[i].push(a)
      memo[i].push(b)
    }
  })
}
const mb = Buffer.byteLength(text) / 1e6
builds.forEach(([name], i) => {
  const f = median(first[i])
  console.log(`${name}: first sight ${f.toFixed(2)} ms (${(mb / (f / 1e3)).toFixed(0)} MB/s), memo hit ${median(memo[i]).toFixed(3)} ms`)
})
