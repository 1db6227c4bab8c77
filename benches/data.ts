// Benchmark inputs: real data only, cut into 4 KiB chunks (about the size of a tool output).
//   prose: SQuAD v1.1 dev contexts (Wikipedia paragraphs; ../shared/corpus/squad, CC BY-SA 4.0)
//   code:  TypeScript's own compiler (node_modules/typescript/lib/typescript.js, Apache-2.0)
//   json:  @octokit/fixtures recorded api.github.com responses (MIT) + headroom-generated JSON
//   logs:  loghub system logs (../shared/corpus/loghub; research use with attribution)
import fs from 'node:fs'
import path from 'node:path'

const ROOT = path.resolve(__dirname, '..')
export const CORPUS = path.resolve(ROOT, '..', 'shared', 'corpus')
const MIB = 1024 * 1024

/** Cuts text into ~4 KiB chunks on code-point boundaries. */
export function chunk(text: string, size = 4096): string[] {
  const out: string[] = []
  for (let i = 0; i < text.length; ) {
    let end = Math.min(text.length, i + size)
    const c = text.charCodeAt(end - 1)
    if (end < text.length && c >= 0xd800 && c <= 0xdbff) end++
    out.push(text.slice(i, end))
    i = end
  }
  return out
}

function take(texts: Iterable<string>, bytes: number): string {
  let out = ''
  for (const t of texts) {
    out += t
    if (Buffer.byteLength(out) >= bytes) break
  }
  return out
}

function* squadContexts(): Generator<string> {
  const dir = path.join(CORPUS, 'squad')
  const file = fs.readdirSync(dir).find((f) => f.endsWith('.json'))!
  const data = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'))
  for (const article of data.data) for (const p of article.paragraphs) yield p.context + '\n\n'
}

function* octokitJson(): Generator<string> {
  const walk = function* (dir: string): Generator<string> {
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(dir, e.name)
      if (e.isDirectory()) yield* walk(p)
      else if (e.name.endsWith('.json')) yield fs.readFileSync(p, 'utf8')
    }
  }
  yield* walk(path.join(ROOT, 'node_modules', '@octokit', 'fixtures', 'scenarios'))
  const gen = path.join(CORPUS, 'headroom-generated')
  for (const f of fs.readdirSync(gen).filter((f) => f.endsWith('.json')).sort()) yield fs.readFileSync(path.join(gen, f), 'utf8')
}

function* loghub(): Generator<string> {
  const dir = path.join(CORPUS, 'loghub')
  for (const sys of fs.readdirSync(dir).sort()) {
    const f = path.join(dir, sys, `${sys}_2k.log`)
    if (fs.existsSync(f)) yield fs.readFileSync(f, 'utf8')
  }
}

export interface Fixture {
  name: string
  text: string
  chunks: string[]
  bytes: number
}

function fixture(name: string, text: string): Fixture {
  const chunks = chunk(text)
  return { name, text, chunks, bytes: Buffer.byteLength(text) }
}

/** About 1 MiB of each content type. */
export function tokenFixtures(): Fixture[] {
  const ts = fs.readFileSync(path.join(ROOT, 'node_modules', 'typescript', 'lib', 'typescript.js'), 'utf8')
  return [
    fixture('prose', take(squadContexts(), MIB)),
    fixture('code', take([ts], MIB).slice(0, MIB)),
    fixture('json', take(octokitJson(), MIB)),
    fixture('logs', take(loghub(), MIB)),
  ]
}
