// The Redis store next to the SQLite file store: put and get latency of one store handle,
// sequential calls, on this machine. Starts its own redis-server on a free loopback port (no
// persistence) and removes it afterwards. Reports numbers only; asserts nothing.
//
//   node --import tsx benches/store-redis.ts [--n 2000] [--size 8192]
import { spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'

import { Store } from '../index'

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 ? Number(process.argv[i + 1]) : fallback
}

async function freePort(): Promise<number> {
  const srv = net.createServer()
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
  const port = (srv.address() as AddressInfo).port
  await new Promise<void>((r) => srv.close(() => r()))
  return port
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]
}

function measure(label: string, store: Store, payloads: Buffer[]) {
  const keys: string[] = []
  const put: number[] = []
  const get: number[] = []
  for (const p of payloads) {
    const t0 = process.hrtime.bigint()
    keys.push(store.put(p))
    put.push(Number(process.hrtime.bigint() - t0) / 1e3)
  }
  for (let i = 0; i < keys.length; i++) {
    const t0 = process.hrtime.bigint()
    const got = store.get(keys[i])
    get.push(Number(process.hrtime.bigint() - t0) / 1e3)
    if (!got.equals(payloads[i])) throw new Error(`${label}: bytes differ for ${keys[i]}`)
  }
  for (const [op, xs] of [['put', put], ['get', get]] as const) {
    xs.sort((a, b) => a - b)
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length
    console.log(`${label.padEnd(8)} ${op}  median ${quantile(xs, 0.5).toFixed(0).padStart(5)} us  p99 ${quantile(xs, 0.99).toFixed(0).padStart(5)} us  mean ${mean.toFixed(0).padStart(5)} us`)
  }
}

async function main() {
  const n = arg('n', 2000)
  const size = arg('size', 8192)
  if (spawnSync('redis-server', ['--version']).status !== 0) {
    console.log('redis-server not found: apt-get install redis-server')
    return
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-bench-'))
  const port = await freePort()
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' })
  try {
    let redis: Store | undefined
    for (let i = 0; !redis; i++) {
      try {
        redis = Store.open(`redis://127.0.0.1:${port}/0`)
      } catch (e) {
        if (i > 200) throw e
        await new Promise((r) => setTimeout(r, 25))
      }
    }
    // Distinct payloads of `size` bytes: a JSON-ish line repeated with a counter.
    const payloads = Array.from({ length: n }, (_, i) => Buffer.from(`{"i":${i},"pad":"${'x'.repeat(Math.max(0, size - 24))}"}`.slice(0, size)))
    console.log(`${n} originals of ${size} B, one handle, sequential calls (node ${process.version}, ${os.cpus().length} cores)`)
    measure('sqlite', Store.open(path.join(dir, 'ccr.sqlite')), payloads)
    measure('redis', redis, payloads)
  } finally {
    child.kill('SIGKILL')
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
