import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import test from 'ava'

const root = path.resolve(__dirname, '..')
const cli = path.join(root, 'bin', 'headroom.js')

function run(args: string[], env: Record<string, string> = {}, input?: string) {
  return spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8', input, env: { ...process.env, ...env } })
}

test('demo (the README quick start) compresses the corpus and retrieves every marker byte-exact', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-demo-'))
  const r = run(['demo'], { HEADROOM_STORE: path.join(dir, 'ccr.sqlite') })
  t.is(r.status, 0, r.stderr)
  const total = /total: (\d+) → (\d+) tokens/.exec(r.stdout)
  t.truthy(total, r.stdout)
  t.true(Number(total![2]) < Number(total![1]) / 2, 'more than half saved on the corpus')
  const retrieved = /(\d+) marker hash\(es\) retrieved back from the store, byte-exact/.exec(r.stdout)
  t.true(Number(retrieved?.[1]) > 0, r.stdout)
})

test('compress then retrieve through the CLI share the default store', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-cli-'))
  const env = { HEADROOM_STORE: path.join(dir, 'ccr.sqlite') }
  const original = fs.readFileSync(path.join(root, '..', 'shared', 'corpus', 'headroom-generated', 'api_responses.json'), 'utf8')
  const body = JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'tool', tool_call_id: 'c', content: original }] })
  const c = run(['compress'], env, body)
  t.is(c.status, 0, c.stderr)
  const report = JSON.parse(c.stderr)
  const hash = report.transforms[0].hashes[0]
  t.truthy(hash)
  const r = run(['retrieve', hash], env)
  t.is(r.status, 0, r.stderr)
  t.is(r.stdout, original)
  const q = run(['retrieve', hash, '--query', 'inactive'], env)
  t.regex(q.stderr, /of \d+ rows match "inactive"/)
  const bad = run(['retrieve', '0123456789abcdef'], env)
  t.is(bad.status, 1)
  t.regex(bad.stderr, /UNKNOWN_HASH/)
})
