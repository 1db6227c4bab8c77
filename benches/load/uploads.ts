// Uploading clients for the /health-under-load check (test and bench): run as its own process
// so that the proxy's process does only proxy work. Builds COUNT distinct request bodies of
// about BYTES each (real corpus rows, compressible, one nonce per body), prints `ready`, sends
// them all at once (one connection each) to URL/v1/messages, and prints one JSON line:
// `{"statuses":[...],"ms":N,"bytes":N}`.
//
//   node --import tsx benches/load/uploads.ts URL [COUNT=20] [BYTES=8388608]
import fs from 'node:fs'
import http from 'node:http'
import path from 'node:path'

const CORPUS = path.resolve(__dirname, '..', '..', '..', 'shared', 'corpus', 'headroom-generated')

/** About `bytes` of compressible JSON (real corpus rows, repeated), starting with a nonce. */
export function bigToolOutput(bytes: number, nonce: number): string {
  const rows: unknown[] = []
  for (const f of ['log_entries.json', 'metrics_data.json', 'search_results.json']) rows.push(...(JSON.parse(fs.readFileSync(path.join(CORPUS, f), 'utf8')) as unknown[]))
  const unit = rows.map((r) => JSON.stringify(r)).join(',')
  const parts = [`{"nonce":${nonce}}`]
  let size = 0
  while (size < bytes) {
    parts.push(unit)
    size += unit.length + 1
  }
  return `[${parts.join(',')}]`
}

/** An Anthropic Messages body whose last user turn carries `toolOutput` as a tool result. */
export function messagesBody(toolOutput: string): string {
  return JSON.stringify({
    model: 'claude-test',
    max_tokens: 64,
    messages: [
      { role: 'user', content: 'Which API users are inactive?' },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_01', name: 'api', input: { q: 'users' } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_01', content: toolOutput }] },
    ],
  })
}

function post(url: string, body: Buffer): Promise<number> {
  return new Promise((resolve) => {
    const req = http.request(`${url}/v1/messages`, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'content-length': body.length } }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode ?? 0))
      res.on('error', () => resolve(-1))
    })
    req.on('error', () => resolve(-1))
    req.end(body)
  })
}

async function main() {
  const [url, count = '20', bytes = String(8 * 1024 * 1024)] = process.argv.slice(2)
  const bodies = Array.from({ length: Number(count) }, (_, i) => Buffer.from(messagesBody(bigToolOutput(Number(bytes), i))))
  process.stdout.write('ready\n')
  const t0 = performance.now()
  const statuses = await Promise.all(bodies.map((b) => post(url, b)))
  process.stdout.write(`${JSON.stringify({ statuses, ms: performance.now() - t0, bytes: bodies.reduce((n, b) => n + b.length, 0) })}\n`)
}

if (require.main === module) void main()
