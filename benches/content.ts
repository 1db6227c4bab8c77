// Per-content-type figures: tokens saved, throughput and the quality measure of each
// compressor, on real data, every output checked by the zero-silent-loss checker.
//
//   logs:   loghub (16 systems): grouping accuracy of mineLogTemplates against the
//           ground-truth event ids (Content column, the standard protocol), alert lines kept
//   search: grep -rn over /usr/include: kept lines are exact input lines
//   diff:   this repository's own commits: patch validity (`git apply --check` against the
//           parent tree, marker lines removed)
//   code:   Python stdlib, TypeScript's lib .d.ts, this repository's Rust: re-parse rate
//   prose:  SQuAD v1.1 dev: answer retention per paragraph with the question as query
//   html:   a real documentation page
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import * as hr from '../index'
import type { Case } from './cases'
import { CORPUS } from './data'

const ROOT = path.resolve(__dirname, '..')

/** The modes every input is compressed in; quality measures are taken on balanced. */
export const MODES: hr.Mode[] = ['lossless', 'balanced', 'aggressive']

export interface TypeFigures {
  type: string
  /** Short name of the content type, for charts (`logs`, `search`, `diff`, `code`, `prose`, `html`). */
  key: string
  inputs: number
  tokensBefore: number
  /** Tokens after, balanced mode. */
  tokensAfter: number
  /** Tokens after in each mode (balanced repeats `tokensAfter`). */
  tokensAfterByMode: Record<hr.Mode, number>
  /** Name → value of the type's quality measures. */
  quality: Record<string, string>
}

function sh(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}): string | null {
  const r = spawnSync(cmd, args, { cwd: opts.cwd ?? ROOT, env: opts.env ?? process.env, input: opts.input, encoding: 'utf8', maxBuffer: 256 << 20 })
  return r.status === 0 ? r.stdout : null
}

/** A balanced result, with the tokens after of every mode. */
type Checked = hr.TextResult & { byMode: Record<hr.Mode, number> }

/** Compresses in one mode with a fresh store (first sight) and runs the checker on the result. */
function compressOnce(text: string, opts: hr.TextOptions): hr.TextResult {
  const store = hr.Store.memory()
  const r = hr.compressText(text, { ...opts, store })
  if (r.strategy) hr.checkNoSilentLoss(text, r.text, { store, strategy: r.strategy })
  store.close()
  return r
}

/** Compresses in every mode (each checked for silent loss); returns the balanced result. */
function compressChecked(text: string, opts: hr.TextOptions = {}): Checked {
  const byMode = {} as Record<hr.Mode, number>
  let balanced: hr.TextResult | undefined
  for (const mode of MODES) {
    const r = compressOnce(text, { ...opts, mode })
    byMode[mode] = r.tokensAfter
    if (mode === 'balanced') balanced = r
  }
  return { ...balanced!, byMode }
}

function totals(type: string, key: string, results: Checked[], quality: Record<string, string>): TypeFigures {
  const byMode = {} as Record<hr.Mode, number>
  for (const mode of MODES) byMode[mode] = results.reduce((n, r) => n + r.byMode[mode], 0)
  return {
    type,
    key,
    inputs: results.length,
    tokensBefore: results.reduce((n, r) => n + r.tokensBefore, 0),
    tokensAfter: byMode.balanced,
    tokensAfterByMode: byMode,
    quality,
  }
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`

/** RFC 4180 CSV rows (quoted fields with commas, quotes and newlines). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let field = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++
      else if (c === '"') quoted = false
      else field += c
    } else if (c === '"') quoted = true
    else if (c === ',') row.push(field), (field = '')
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++
      row.push(field), rows.push(row), (row = []), (field = '')
    } else field += c
  }
  if (field !== '' || row.length) row.push(field), rows.push(row)
  return rows
}

/** Grouping accuracy: a line is right iff its predicted group is exactly its true group. */
function groupingAccuracy(predicted: number[], truth: string[]): number {
  const byPred = new Map<number, number[]>()
  predicted.forEach((g, i) => byPred.set(g, [...(byPred.get(g) ?? []), i]))
  const truthSize = new Map<string, number>()
  for (const t of truth) truthSize.set(t, (truthSize.get(t) ?? 0) + 1)
  let correct = 0
  for (const members of byPred.values()) {
    const label = truth[members[0]]
    if (members.every((i) => truth[i] === label) && truthSize.get(label) === members.length) correct += members.length
  }
  return correct / truth.length
}

function loghubSystems(): string[] {
  const dir = path.join(CORPUS, 'loghub')
  return fs.readdirSync(dir).filter((s) => fs.existsSync(path.join(dir, s, `${s}_2k.log`))).sort()
}

export function logFigures(): TypeFigures {
  const results: Checked[] = []
  let ga = 0
  let alerts = 0
  let alertsKept = 0
  const systems = loghubSystems()
  for (const sys of systems) {
    const dir = path.join(CORPUS, 'loghub', sys)
    const text = fs.readFileSync(path.join(dir, `${sys}_2k.log`), 'utf8')
    const r = compressChecked(text)
    results.push(r)
    const rows = parseCsv(fs.readFileSync(path.join(dir, `${sys}_2k.log_structured.csv`), 'utf8'))
    const header = rows[0]
    const content = header.indexOf('Content')
    const event = header.indexOf('EventId')
    const body = rows.slice(1).filter((row) => row.length === header.length)
    const mined = hr.mineLogTemplates(body.map((row) => row[content]).join('\n'))
    ga += groupingAccuracy(mined.groups, body.map((row) => row[event]))
    if (sys === 'BGL' || sys === 'Thunderbird') {
      const kept = new Set(r.text.split('\n'))
      for (const line of text.split('\n').filter((l) => l.length > 0 && !l.startsWith('-'))) {
        alerts++
        if (kept.has(line)) alertsKept++
      }
    }
  }
  return totals('logs (loghub, 16 systems)', 'logs', results, {
    'grouping accuracy (avg)': (ga / systems.length).toFixed(3),
    'alert lines kept (BGL, Thunderbird)': `${alertsKept}/${alerts}`,
  })
}

function grepOutputs(): string[] {
  return [
    ['-rn', 'struct', '/usr/include/linux'],
    ['-rn', '-C2', 'define', '/usr/include/asm-generic'],
    ['-rn', 'static', '/usr/include/x86_64-linux-gnu/sys'],
    ['-rn', 'pub fn', 'crates'],
  ]
    .map((args) => sh('grep', args))
    .filter((s): s is string => !!s && s.length > 2000)
}

export function searchFigures(): TypeFigures {
  const outputs = grepOutputs()
  let lines = 0
  let exact = 0
  const results = outputs.map((text) => {
    const r = compressChecked(text)
    const input = new Set(text.split('\n'))
    for (const line of r.text.split('\n')) {
      if (hr.findMarkers(line).length) continue
      lines++
      if (input.has(line)) exact++
    }
    return r
  })
  return totals('search (grep -rn)', 'search', results, { 'kept lines that are exact input lines': `${exact}/${lines}` })
}

/** This repository's commits with a diff worth compressing, newest first. */
function commits(n: number): string[] {
  return (sh('git', ['rev-list', '--no-merges', `-n${n}`, 'HEAD']) ?? '').split('\n').filter(Boolean)
}

export function diffFigures(): TypeFigures {
  const results: Checked[] = []
  let compressed = 0
  let valid = 0
  const index = path.join(os.tmpdir(), `headroom-bench-index-${process.pid}`)
  for (const c of commits(60)) {
    const text = sh('git', ['diff', `${c}^`, c])
    if (!text || text.length < 4000) continue
    const r = compressChecked(text)
    results.push(r)
    if (!r.strategy) continue
    compressed++
    const patch = r.text
      .split('\n')
      .filter((l) => hr.findMarkers(l).length === 0)
      .join('\n')
    const env = { ...process.env, GIT_INDEX_FILE: index }
    if (sh('git', ['read-tree', `${c}^`], { env }) !== null && sh('git', ['apply', '--cached', '--check', '-'], { env, input: patch }) !== null) valid++
  }
  fs.rmSync(index, { force: true })
  return totals("diff (this repository's commits)", 'diff', results, { 'valid patches (git apply --check)': `${valid}/${compressed}` })
}

function codeFiles(): { file: string; language: hr.CodeLanguage }[] {
  const py = fs.existsSync('/usr/lib/python3.11')
    ? fs
        .readdirSync('/usr/lib/python3.11')
        .filter((f) => f.endsWith('.py'))
        .sort()
        .slice(0, 60)
        .map((f) => ({ file: path.join('/usr/lib/python3.11', f), language: 'python' as const }))
    : []
  const ts = ['typescript.d.ts', 'lib.es5.d.ts', 'lib.dom.d.ts'].map((f) => ({ file: path.join(ROOT, 'node_modules/typescript/lib', f), language: 'typescript' as const }))
  const rs = fs
    .readdirSync(path.join(ROOT, 'crates'))
    .flatMap((c) => {
      const src = path.join(ROOT, 'crates', c, 'src')
      return fs.existsSync(src) ? fs.readdirSync(src).filter((f) => f.endsWith('.rs')).map((f) => path.join(src, f)) : []
    })
    .sort()
    .map((file) => ({ file, language: 'rust' as const }))
  return [...py, ...ts, ...rs].filter((f) => fs.existsSync(f.file))
}

export function codeFigures(): TypeFigures {
  let clean = 0
  let reparsed = 0
  const results = codeFiles().map(({ file, language }) => {
    const text = fs.readFileSync(file, 'utf8')
    const r = compressChecked(text)
    if (r.strategy && hr.codeParses(text, language)) {
      clean++
      if (hr.codeParses(r.text, language)) reparsed++
    }
    return r
  })
  return totals("code (Python stdlib, TypeScript lib, this repo's Rust)", 'code', results, {
    're-parse rate (clean inputs)': `${reparsed}/${clean}`,
  })
}

function squad(): any {
  return JSON.parse(fs.readFileSync(path.join(CORPUS, 'squad', 'dev-v1.1.json'), 'utf8'))
}

export function proseFigures(): TypeFigures {
  const results: Checked[] = []
  let questions = 0
  let kept = 0
  let ratio = 0
  let compressed = 0
  for (const article of squad().data) {
    for (const p of article.paragraphs) {
      for (const qa of p.qas) {
        // Each paragraph alone (about 160 tokens), below the default floor: minTokens 0.
        const r = compressChecked(p.context, { query: qa.question, minTokens: 0 })
        results.push(r)
        questions++
        if (r.strategy) compressed++
        ratio += r.tokensAfter / r.tokensBefore
        const text = r.text.replace(new RegExp(hr.MARKER_PATTERN.source, 'g'), ' ')
        if (qa.answers.some((a: any) => text.includes(a.text))) kept++
      }
    }
  }
  return totals('prose (SQuAD v1.1 dev paragraphs, question as query)', 'prose', results, {
    'answer kept': `${pct(kept / questions)} of ${questions}`,
    'mean token ratio (declined paragraphs count 1.0)': (ratio / questions).toFixed(3),
    compressed: `${compressed}`,
  })
}

export function htmlFigures(): TypeFigures {
  const html = fs.readFileSync(path.join(ROOT, 'crates/headroom_text/tests/fixtures/what-is-rustdoc.html'), 'utf8')
  return totals('html (a rustdoc book page)', 'html', [compressChecked(html)], {})
}

/** About 1 MB of each content type, for first-sight throughput of compressText. */
export function contentThroughputCases(): Case[] {
  const mib = 1 << 20
  const take = (texts: string[]) => {
    let out = ''
    for (const t of texts) {
      if (out.length >= mib) break
      out += t
    }
    return out
  }
  const logs = take(loghubSystems().map((s) => fs.readFileSync(path.join(CORPUS, 'loghub', s, `${s}_2k.log`), 'utf8') + '\n'))
  const search = take(grepOutputs())
  const diff = take(commits(60).map((c) => sh('git', ['diff', `${c}^`, c]) ?? ''))
  const code = fs.readFileSync(path.join(ROOT, 'node_modules/typescript/lib/typescript.d.ts'), 'utf8')
  const prose = take(squad().data.flatMap((a: any) => a.paragraphs.map((p: any) => p.context + '\n\n')))
  const cold = (text: string) => () => {
    const store = hr.Store.memory()
    hr.compressText(text, { store })
    store.close()
  }
  return [
    ['logs', 'logs', logs],
    ['search', 'grep output', search],
    ['diff', 'git diffs', diff],
    ['code', 'code (typescript.d.ts)', code],
    ['prose', 'prose (SQuAD)', prose],
  ].map(([type, name, text]) => ({
    name: `compressText, ${(Buffer.byteLength(text) / 1e6).toFixed(2)} MB ${name} (first sight)`,
    bytes: Buffer.byteLength(text),
    fn: cold(text),
    type,
    peak: { kind: 'text' as const, input: text, mode: 'balanced' as const },
  }))
}

export function contentFigures(): TypeFigures[] {
  return [logFigures(), searchFigures(), diffFigures(), codeFigures(), proseFigures(), htmlFigures()]
}

export function contentMarkdown(figures: TypeFigures[]): string[] {
  const md = ['| content | inputs | tokens before | after (balanced) | saved: lossless | balanced | aggressive | quality (balanced) |', '|---|---:|---:|---:|---:|---:|---:|---|']
  for (const f of figures) {
    const q = Object.entries(f.quality)
      .map(([k, v]) => `${k}: ${v}`)
      .join('; ')
    const saved = MODES.map((m) => pct(1 - f.tokensAfterByMode[m] / f.tokensBefore))
    md.push(`| ${f.type} | ${f.inputs} | ${f.tokensBefore} | ${f.tokensAfter} | ${saved.join(' | ')} | ${q} |`)
  }
  return md
}
