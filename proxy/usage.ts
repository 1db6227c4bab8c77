// What providers bill, by token class, and what the proxy saved in dollars.
//
// Token classes come from the upstream's own `usage` (Anthropic: input, cache write, cache
// read, output; OpenAI: prompt tokens with their cached part, completion tokens). Dollar
// savings use list prices from the table below: the basis is stated wherever a figure is
// shown, and a model missing from the table is counted in tokens only.

/** Billed tokens by class. */
export interface TokenClasses {
  /** Input tokens billed at the full rate (not read from or written to a cache). */
  input: number
  /** Input tokens written to the prompt cache (Anthropic `cache_creation_input_tokens`). */
  cacheWrite: number
  /** Input tokens read from the prompt cache. */
  cacheRead: number
  /** Output tokens. */
  output: number
}

/** Zero in every class. */
export function noTokens(): TokenClasses {
  return { input: 0, cacheWrite: 0, cacheRead: 0, output: 0 }
}

/** Adds `b` into `a`. */
export function addTokens(a: TokenClasses, b: TokenClasses): void {
  a.input += b.input
  a.cacheWrite += b.cacheWrite
  a.cacheRead += b.cacheRead
  a.output += b.output
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0)

/**
 * Token classes of a `usage` object in any of the three formats (Anthropic Messages,
 * OpenAI Chat, OpenAI Responses); `undefined` when `usage` is not one.
 */
export function tokenClasses(usage: unknown): TokenClasses | undefined {
  if (!usage || typeof usage !== 'object') return undefined
  const u = usage as Record<string, unknown>
  if ('prompt_tokens' in u || 'completion_tokens' in u) {
    const cached = num((u.prompt_tokens_details as Record<string, unknown> | undefined)?.cached_tokens)
    return { input: num(u.prompt_tokens) - cached, cacheWrite: 0, cacheRead: cached, output: num(u.completion_tokens) }
  }
  if ('input_tokens_details' in u || ('total_tokens' in u && 'input_tokens' in u)) {
    const cached = num((u.input_tokens_details as Record<string, unknown> | undefined)?.cached_tokens)
    return { input: num(u.input_tokens) - cached, cacheWrite: 0, cacheRead: cached, output: num(u.output_tokens) }
  }
  if ('input_tokens' in u || 'output_tokens' in u || 'cache_read_input_tokens' in u) {
    return {
      input: num(u.input_tokens),
      cacheWrite: num(u.cache_creation_input_tokens),
      cacheRead: num(u.cache_read_input_tokens),
      output: num(u.output_tokens),
    }
  }
  return undefined
}

/**
 * Sums usage objects of one format key by key (nested objects too): what a client is
 * billed for a turn the proxy continued upstream after answering retrieve calls.
 */
export function sumUsage(parts: Record<string, unknown>[]): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const part of parts) {
    for (const [k, v] of Object.entries(part)) {
      const have = out[k]
      if (typeof v === 'number') out[k] = (typeof have === 'number' ? have : 0) + v
      else if (v && typeof v === 'object' && !Array.isArray(v)) {
        out[k] = sumUsage([have && typeof have === 'object' ? (have as Record<string, unknown>) : {}, v as Record<string, unknown>])
      } else out[k] = v
    }
  }
  return out
}

/** List prices in USD per million tokens. */
export interface Price {
  /** Uncached input. */
  input: number
  /** Input read from the prompt cache. */
  cacheRead: number
}

/** Model-id prefixes and their list prices (2026-11); the longest matching prefix wins. */
export const PRICES: Record<string, Price> = {
  'claude-opus-4-5': { input: 5, cacheRead: 0.5 },
  'claude-opus-4-6': { input: 5, cacheRead: 0.5 },
  'claude-opus-4': { input: 15, cacheRead: 1.5 },
  'claude-sonnet-4': { input: 3, cacheRead: 0.3 },
  'claude-3-7-sonnet': { input: 3, cacheRead: 0.3 },
  'claude-3-5-sonnet': { input: 3, cacheRead: 0.3 },
  'claude-haiku-4-5': { input: 1, cacheRead: 0.1 },
  'claude-3-5-haiku': { input: 0.8, cacheRead: 0.08 },
  'claude-3-haiku': { input: 0.25, cacheRead: 0.03 },
  'gpt-5': { input: 1.25, cacheRead: 0.125 },
  'gpt-5-mini': { input: 0.25, cacheRead: 0.025 },
  'gpt-5-nano': { input: 0.05, cacheRead: 0.005 },
  'gpt-4.1': { input: 2, cacheRead: 0.5 },
  'gpt-4.1-mini': { input: 0.4, cacheRead: 0.1 },
  'gpt-4.1-nano': { input: 0.1, cacheRead: 0.025 },
  'gpt-4o': { input: 2.5, cacheRead: 1.25 },
  'gpt-4o-mini': { input: 0.15, cacheRead: 0.075 },
  o3: { input: 2, cacheRead: 0.5 },
  'o4-mini': { input: 1.1, cacheRead: 0.275 },
}

/** The price of `model` (provider prefixes such as `anthropic/` ignored), if known. */
export function priceOf(model: string | undefined): Price | undefined {
  if (!model) return undefined
  const id = model.toLowerCase().replace(/^[a-z0-9-]+\//, '')
  let best: string | undefined
  for (const prefix of Object.keys(PRICES)) {
    if (id.startsWith(prefix) && (!best || prefix.length > best.length)) best = prefix
  }
  return best ? PRICES[best] : undefined
}

/** How dollar savings are computed, shown beside them. */
export const SAVINGS_BASIS =
  'tokens removed from blocks compressed on first sight x the model list price for uncached input; ' +
  'tokens removed from blocks resent in history x the cache-read price (they would have been read from the prompt cache); ' +
  'USD per million tokens from proxy/usage.ts PRICES (2026-11); models missing from the table count in tokens only'
