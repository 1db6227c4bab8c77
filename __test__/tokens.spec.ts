import fs from 'node:fs'
import path from 'node:path'
import test from 'ava'
import { encode as gptEncodeO200k } from 'gpt-tokenizer/encoding/o200k_base'
import { encode as gptEncodeCl100k } from 'gpt-tokenizer/encoding/cl100k_base'

import { countTokens, encode, lookupModel, models, warmup, HeadroomError } from '../index'
import { CORPUS, chunks, corpusFiles } from './corpus'

// Special-token strings are ordinary text on both sides.
const ORDINARY = { disallowedSpecial: new Set<string>() }
const ref = {
  o200k: (t: string) => gptEncodeO200k(t, ORDINARY),
  cl100k: (t: string) => gptEncodeCl100k(t, ORDINARY),
}

const files = corpusFiles()

test('the shared corpus is present (the exactness tests below depend on it)', (t) => {
  t.true(files.length >= 50, `expected the corpus at ${CORPUS}`)
})

test('o200k and cl100k counts equal gpt-tokenizer on every corpus file', (t) => {
  let checked = 0
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8')
    const name = path.relative(CORPUS, file)
    t.is(countTokens(text, 'gpt-4o'), ref.o200k(text).length, `o200k ${name}`)
    t.is(countTokens(text, 'gpt-4'), ref.cl100k(text).length, `cl100k ${name}`)
    checked++
  }
  t.is(checked, files.length)
})

test('token ids equal gpt-tokenizer on 4 KiB chunks of every corpus file', (t) => {
  let n = 0
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8').slice(0, 64 * 1024)
    for (const c of chunks(text, 4096)) {
      t.deepEqual(encode(c), ref.o200k(c))
      t.deepEqual(encode(c, 'cl100k_base'), ref.cl100k(c))
      n++
    }
  }
  t.true(n > 100)
})

const adversarial: Record<string, string> = {
  'long run of one char': 'a'.repeat(100_000),
  'long run of spaces': ' '.repeat(50_000) + 'x',
  'newline runs': '\n'.repeat(10_000) + ' \r\n \r\n\t\n  x',
  digits: '1234567890'.repeat(5000),
  emoji: '👩‍👩‍👧‍👦🇫🇷👍🏽 ok 🤦🏼‍♂️'.repeat(500),
  'mixed scripts': 'Ελληνικά русский 日本語の文章 العربية हिन्दी ไทย 한국어 e\u0301 ﬁ '.repeat(300),
  'contractions and long s': "I'm we'LL they'VE it'ſ 'sound 's 'S".repeat(200),
  'control chars': Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)).join('x').repeat(50),
  'special token text': '<|endoftext|> <|fim_prefix|><|endofprompt|>',
  'replacement char': '\ufffd'.repeat(1000),
  'unicode digits and spaces': '١٢٣٤ １２３ \u00a0\u2028\u3000 x\u0085y',
  'base64 blob': Buffer.from(Array.from({ length: 30000 }, (_, i) => (i * 7919) % 256)).toString('base64'),
}

for (const [name, text] of Object.entries(adversarial)) {
  test(`adversarial: ${name}`, (t) => {
    t.deepEqual(encode(text), ref.o200k(text))
    t.deepEqual(encode(text, 'cl100k_base'), ref.cl100k(text))
    t.is(countTokens(text), ref.o200k(text).length)
  })
}

test('a lone surrogate counts like U+FFFD (the UTF-8 conversion at the boundary)', (t) => {
  const lone = 'abc\ud800def\udfff'
  t.is(countTokens(lone), ref.o200k('abc\ufffddef\ufffd').length)
})

test('countTokens rejects non-strings with a typed error', (t) => {
  const e = t.throws(() => countTokens(42 as unknown as string), { instanceOf: HeadroomError })
  t.is((e as HeadroomError).code, 'INVALID_ARGUMENT')
})

test('model registry: exact OpenAI encodings, estimated Claude, prefixes and dated variants', (t) => {
  const all = models()
  t.true(all.length >= 20)
  t.is(lookupModel('gpt-4o-2024-08-06').tokenizer, 'o200k_base')
  t.true(lookupModel('gpt-4o').exact)
  t.is(lookupModel('gpt-4-0613').tokenizer, 'cl100k_base')
  t.is(lookupModel('openai/gpt-4.1-mini').tokenizer, 'o200k_base')
  const claude = lookupModel('claude-sonnet-4-5-20250929')
  t.false(claude.exact)
  t.true((claude.estimateFactor ?? 0) > 0)
  t.is(claude.contextWindow, 200_000)
  t.is(lookupModel('us.anthropic.claude-sonnet-4-5-20250929-v1:0').provider, 'anthropic')
  // Estimates are the base count times the documented factor.
  const text = 'The quick brown fox jumps over the lazy dog. '.repeat(20)
  t.is(countTokens(text, 'claude-sonnet-4-5'), Math.ceil(countTokens(text) * (claude.estimateFactor ?? 1)))
})

test('warmup is idempotent and counting works after it', (t) => {
  warmup()
  warmup()
  t.is(countTokens('hello world'), 2)
})
