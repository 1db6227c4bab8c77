// Helpers to read the shared benchmark corpus (../shared/corpus) in tests.
import fs from 'node:fs'
import path from 'node:path'

/** Root of the shared corpus, beside the repository. */
export const CORPUS = path.resolve(__dirname, '..', '..', 'shared', 'corpus')

/** Every regular file under the corpus (NOTICE/README included: they are text too). */
export function corpusFiles(): string[] {
  const out: string[] = []
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name)
      if (e.isDirectory()) walk(p)
      else if (e.isFile()) out.push(p)
    }
  }
  if (fs.existsSync(CORPUS)) walk(CORPUS)
  return out.sort()
}

/** Cuts `text` into chunks of about `size` UTF-16 units without splitting surrogate pairs. */
export function chunks(text: string, size: number): string[] {
  const out: string[] = []
  for (let i = 0; i < text.length; ) {
    let end = Math.min(text.length, i + size)
    const c = text.charCodeAt(end - 1)
    if (end < text.length && c >= 0xd800 && c <= 0xdbff) end += 1
    out.push(text.slice(i, end))
    i = end
  }
  return out
}
