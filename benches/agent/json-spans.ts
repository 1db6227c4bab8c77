// Raw JSON spans: prompt caching and history immutability are about the bytes a client sends,
// not about parsed values, so the agent bench and the proxy tests compare raw member and
// element texts found by this scanner (valid JSON in, no re-serialisation).

const WS = new Set([0x20, 0x0a, 0x0d, 0x09])

function skipWs(s: string, i: number): number {
  while (i < s.length && WS.has(s.charCodeAt(i))) i++
  return i
}

/** End (exclusive) of the JSON value starting at `i` (after whitespace). */
export function valueEnd(s: string, i: number): number {
  i = skipWs(s, i)
  const c = s[i]
  if (c === '"') {
    for (i++; i < s.length; i++) {
      if (s[i] === '\\') i++
      else if (s[i] === '"') return i + 1
    }
    throw new Error('unterminated string')
  }
  if (c === '{' || c === '[') {
    let depth = 0
    for (; i < s.length; i++) {
      const d = s[i]
      if (d === '"') i = valueEnd(s, i) - 1
      else if (d === '{' || d === '[') depth++
      else if (d === '}' || d === ']') {
        depth--
        if (depth === 0) return i + 1
      }
    }
    throw new Error('unterminated container')
  }
  while (i < s.length && !',}]'.includes(s[i]) && !WS.has(s.charCodeAt(i))) i++
  return i
}

/** A value's raw text span. */
export interface Span {
  start: number
  end: number
}

/** The members of the object at `i`: key -> raw value span. */
export function members(s: string, i = 0): Map<string, Span> {
  const out = new Map<string, Span>()
  i = skipWs(s, i)
  if (s[i] !== '{') throw new Error('not an object')
  i = skipWs(s, i + 1)
  while (s[i] !== '}') {
    const keyEnd = valueEnd(s, i)
    const key = JSON.parse(s.slice(i, keyEnd)) as string
    const vStart = skipWs(s, skipWs(s, keyEnd) + 1)
    const vEnd = valueEnd(s, vStart)
    out.set(key, { start: vStart, end: vEnd })
    i = skipWs(s, vEnd)
    if (s[i] === ',') i = skipWs(s, i + 1)
  }
  return out
}

/** The elements of the array at `i`, as raw spans. */
export function elements(s: string, i = 0): Span[] {
  const out: Span[] = []
  i = skipWs(s, i)
  if (s[i] !== '[') throw new Error('not an array')
  i = skipWs(s, i + 1)
  while (s[i] !== ']') {
    const end = valueEnd(s, i)
    out.push({ start: i, end })
    i = skipWs(s, end)
    if (s[i] === ',') i = skipWs(s, i + 1)
  }
  return out
}

const text = (body: Buffer | string) => (typeof body === 'string' ? body : body.toString('utf8'))

/** The raw text of every top-level member of a JSON object: key -> raw value. */
export function rawMembers(body: Buffer | string): Map<string, string> {
  const s = text(body)
  return new Map([...members(s)].map(([k, span]) => [k, s.slice(span.start, span.end)]))
}

/** The raw text of every element of a JSON array. */
export function rawItems(body: Buffer | string): string[] {
  const s = text(body)
  return elements(s).map((e) => s.slice(e.start, e.end))
}

/** The raw text of a top-level member of a JSON body (undefined when absent). */
export function rawMember(body: Buffer | string, key: string): string | undefined {
  return rawMembers(body).get(key)
}

/** The raw texts of a top-level array member's elements (none when absent). */
export function rawElements(body: Buffer | string, key: string): string[] {
  const member = rawMember(body, key)
  return member === undefined ? [] : rawItems(member)
}

/**
 * Drops `cache_control` members from raw JSON text. Claude Code moves its newest breakpoint
 * every turn itself, so a breakpoint is not part of a block's content (for the provider's
 * cache as for these comparisons). Only real members match: inside a JSON string the quotes
 * are escaped.
 */
export function withoutCacheControl(raw: string): string {
  return raw.replace(/,"cache_control":\{[^{}]*\}/g, '').replace(/"cache_control":\{[^{}]*\},?/g, '')
}
