// Every content compressor through the public API, on real data: the routed strategy, the
// zero-silent-loss checker against the store, the exact original behind every marker.
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import test from 'ava'

import { checkNoSilentLoss, codeParses, compressText, findMarkers, mineLogTemplates, Store, type TextResult } from '../index'
import { CORPUS } from './corpus'

const ROOT = path.resolve(__dirname, '..')

/** Program output, or null where the program is missing here. */
function run(cmd: string, args: string[]): string | null {
  try {
    return execFileSync(cmd, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 })
  } catch {
    return null
  }
}

/** Compresses with a fresh store and checks the result; returns it with the store. */
function compressChecked(t: any, text: string, opts: { query?: string } = {}): TextResult {
  const store = Store.memory()
  const r = compressText(text, { ...opts, store })
  if (r.strategy) {
    const check = checkNoSilentLoss(text, r.text, { store, strategy: r.strategy })
    t.is(check.markers, findMarkers(r.text).length)
    for (const hash of new Set(findMarkers(r.text))) {
      const original = store.get(hash)
      t.truthy(original, `marker ${hash} has its original`)
      // Mixed blocks store each section; every other compressor stores the whole input.
      if (!r.strategy.startsWith('mixed(')) t.is(original!.toString('utf8'), text)
    }
    t.true(r.tokensAfter < r.tokensBefore)
  }
  return r
}

test('a real system log collapses by template and keeps every alert line', (t) => {
  const text = fs.readFileSync(path.join(CORPUS, 'loghub', 'BGL', 'BGL_2k.log'), 'utf8')
  const r = compressChecked(t, text)
  t.is(r.contentType, 'log')
  t.is(r.strategy, 'log:templates')
  t.true(r.tokensAfter < r.tokensBefore / 2)
  const kept = new Set(r.text.split('\n'))
  for (const line of text.split('\n').filter((l) => !l.startsWith('-'))) t.true(kept.has(line), line)
})

test('grep output keeps exact path:line:content triples, grouped by file', (t) => {
  const text = run('grep', ['-rn', 'struct', '/usr/include/linux/netfilter'])
  if (!text) return t.pass('grep or /usr/include is missing here')
  const r = compressChecked(t, text)
  t.is(r.strategy, 'search:grouped')
  const input = new Set(text.split('\n'))
  for (const line of r.text.split('\n')) {
    if (findMarkers(line).length === 0) t.true(input.has(line), line)
  }
})

test('a git diff keeps a valid patch whose omitted hunks are marked', (t) => {
  // A fixed commit: the newest history touching these files changes with every commit.
  const text = run('git', ['log', '-p', '-n', '12', '--format=', '8433f1c', '--', 'Cargo.lock', 'package.json', 'scripts'])
  if (!text) return t.pass('no git history here')
  const r = compressChecked(t, text)
  t.is(r.contentType, 'diff')
  t.is(r.strategy, 'diff:trim')
})

test('source code keeps signatures and still parses', (t) => {
  for (const [file, language] of [
    ['crates/headroom_store/src/store.rs', 'rust'],
    ['benches/index.ts', 'typescript'],
    ['scripts/make-tiny-kompress-model.py', 'python'],
  ] as const) {
    const text = fs.readFileSync(path.join(ROOT, file), 'utf8')
    const r = compressChecked(t, text)
    t.is(r.language, language, file)
    t.regex(r.strategy ?? '', /^code:signatures\(/, file)
    t.true(codeParses(text, language), file)
    t.true(codeParses(r.text, language), `${file}: the output parses`)
  }
  t.false(codeParses('def f(:\n  pass', 'python'))
  t.throws(() => codeParses('x', 'cobol' as any), { code: 'INVALID_ARGUMENT' })
})

test('prose keeps the sentence that answers the question, and says no model was used', (t) => {
  const squad = JSON.parse(fs.readFileSync(path.join(CORPUS, 'squad', 'dev-v1.1.json'), 'utf8'))
  const paragraphs = squad.data[0].paragraphs
  const doc = paragraphs.slice(0, 30).map((p: any) => p.context + '\n\n').join('')
  const qa = paragraphs[3].qas[0]
  const r = compressChecked(t, doc, { query: qa.question })
  t.is(r.contentType, 'text')
  t.is(r.strategy, 'text:extractive(kompress: no model)')
  t.true(qa.answers.some((a: any) => r.text.includes(a.text)))
})

test('HTML becomes readable text behind one marker for the markup', (t) => {
  const html = fs.readFileSync(path.join(ROOT, 'crates/headroom_text/tests/fixtures/what-is-rustdoc.html'), 'utf8')
  const r = compressChecked(t, html)
  t.is(r.contentType, 'html')
  t.regex(r.strategy ?? '', /^html:extract/)
  t.false(r.text.includes('<script'))
})

test('lossless mode leaves every kind of content without a marker', (t) => {
  const texts = [
    fs.readFileSync(path.join(CORPUS, 'loghub', 'HDFS', 'HDFS_2k.log'), 'utf8'),
    fs.readFileSync(path.join(ROOT, 'crates/headroom_store/src/store.rs'), 'utf8'),
  ]
  for (const text of texts) {
    const r = compressText(text, { mode: 'lossless', store: Store.memory() })
    t.is(findMarkers(r.text).length, 0)
  }
})

test('mineLogTemplates groups a real log by template', (t) => {
  const text = fs.readFileSync(path.join(CORPUS, 'loghub', 'HDFS', 'HDFS_2k.log'), 'utf8')
  const m = mineLogTemplates(text)
  // A final newline does not start another line.
  const lines = text.replace(/\n$/, '').split('\n').length
  t.is(m.groups.length, lines)
  t.is(m.sizes.reduce((a, b) => a + b, 0), lines)
  t.is(m.templates.length, m.sizes.length)
  // HDFS has 14 ground-truth templates; a miner that over- or under-splits wildly fails.
  t.true(m.templates.length >= 10 && m.templates.length <= 40, `${m.templates.length} templates`)
  t.true(m.templates.some((tpl) => tpl.includes('<*>')))
})
