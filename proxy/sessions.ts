// Sessions: which conversations have had markers, so the retrieve tool stays in their tool
// list on every later request (a tool list that flips busts the provider's prompt cache).
//
// A session is named by the client's session header (`x-claude-code-session-id`, or
// `x-headroom-session` for any client) or, failing that, by the library's conversation id
// (a hash of the first message, which every request of a conversation resends).

import type http from 'node:http'

/** Headers that name a session, most specific first. */
export const SESSION_HEADERS = ['x-headroom-session', 'x-claude-code-session-id', 'x-session-id'] as const

/** The session a request's headers name, if any. */
export function sessionFromHeaders(headers: http.IncomingHttpHeaders): string | undefined {
  for (const name of SESSION_HEADERS) {
    const v = headers[name]
    const s = Array.isArray(v) ? v[0] : v
    if (s) return `${name}:${s}`
  }
  return undefined
}

/** A bounded set of sticky sessions, least recently used evicted first. */
export class StickySessions {
  private readonly seen = new Map<string, number>()

  constructor(private readonly capacity = 50_000) {}

  /** Whether `id` has had markers (and marks it recently used). */
  has(id: string | undefined): boolean {
    if (!id || !this.seen.has(id)) return false
    const at = this.seen.get(id)!
    this.seen.delete(id)
    this.seen.set(id, at)
    return true
  }

  /** Records that `id` has had markers. */
  add(id: string | undefined): void {
    if (!id) return
    this.seen.delete(id)
    this.seen.set(id, Date.now())
    while (this.seen.size > this.capacity) this.seen.delete(this.seen.keys().next().value as string)
  }

  /** Sessions remembered. */
  get size(): number {
    return this.seen.size
  }
}
