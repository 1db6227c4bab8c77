// Kompress through the public API on the tiny token-classification model the repository
// generates (scripts/make-tiny-kompress-model.py): loading off the event loop, prose sent to
// the model, the time budget, provider fallback, unloading. Serial: the model slot is
// process-wide.
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import test from 'ava'

import { checkNoSilentLoss, compressText, kompressInfo, loadKompress, Store, unloadKompress } from '../index'
import { CORPUS } from './corpus'

const ROOT = path.resolve(__dirname, '..')

function tinyModel(style: 'llmlingua2' | 'kompress_v2'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `hr-kompress-${style}-`))
  execFileSync('python3', [path.join(ROOT, 'scripts/make-tiny-kompress-model.py'), dir, '--style', style, '--max-len', '64'])
  return dir
}

function prose(): string {
  const squad = JSON.parse(fs.readFileSync(path.join(CORPUS, 'squad', 'dev-v1.1.json'), 'utf8'))
  return squad.data[2].paragraphs
    .slice(0, 12)
    .map((p: any) => p.context + '\n\n')
    .join('')
}

test.serial('without a model prose is extractive and says so', (t) => {
  unloadKompress()
  t.is(kompressInfo().model, null)
  const r = compressText(prose(), { store: Store.memory() })
  t.is(r.strategy, 'text:extractive(kompress: no model)')
})

test.serial('a loaded model compresses prose; every kept word is an input word, in order', async (t) => {
  for (const style of ['llmlingua2', 'kompress_v2'] as const) {
    const info = await loadKompress({ model: tinyModel(style) })
    t.is(info.provider, 'cpu')
    t.is(info.fallbackReason, null)
    t.regex(info.runtime.version, /^1\.\d+/)
    t.is(kompressInfo().model?.strategy, info.strategy)
    const store = Store.memory()
    const text = prose()
    const r = compressText(text, { store })
    t.is(r.strategy, info.strategy)
    t.true(r.tokensAfter < r.tokensBefore)
    checkNoSilentLoss(text, r.text, { store, strategy: r.strategy! })
    // Same block, same bytes (the memo, and a fresh store alike).
    t.is(compressText(text, { store }).text, r.text)
    t.is(compressText(text, { store: Store.memory() }).text, r.text)
  }
})

test.serial('past its budget the extractive compressor answers', async (t) => {
  await loadKompress({ model: tinyModel('llmlingua2') })
  const r = compressText(prose(), { store: Store.memory(), kompressBudgetMs: 0 })
  t.is(r.strategy, 'text:extractive(kompress: over its 0 ms budget)')
  const off = compressText(prose(), { store: Store.memory(), kompress: false })
  t.is(off.strategy, 'text:extractive(kompress: no model)')
})

test.serial('asking for CUDA falls back to CPU with a reason where there is none', async (t) => {
  const info = await loadKompress({ model: tinyModel('llmlingua2'), provider: 'cuda' })
  t.true(info.provider === 'cuda' || (info.provider === 'cpu' && typeof info.fallbackReason === 'string'), JSON.stringify(info))
})

test.serial('load errors are typed and remembered; the previous model stays', async (t) => {
  await loadKompress({ model: tinyModel('llmlingua2') })
  const before = kompressInfo().model
  const err = await t.throwsAsync(loadKompress({ model: path.join(os.tmpdir(), 'no-such-model-dir') }))
  t.truthy((err as any).code)
  t.deepEqual(kompressInfo().model, before)
  t.truthy(kompressInfo().lastError)
  await t.throwsAsync(loadKompress({ provider: 'tpu' }), { code: 'INVALID_OPTION' })
  unloadKompress()
  t.is(kompressInfo().model, null)
})
