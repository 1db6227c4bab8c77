// Proxy settings: command-line flags, then `HEADROOM_*` environment variables, then a JSON
// config file, then defaults (the first that sets a value wins).
import fs from 'node:fs'

import { isLogLevel, LOG_LEVELS, type LogLevel } from './log'
import { forbiddenDestination } from './security'

/** Everything the proxy needs to start. */
export interface ProxyConfig {
  /** Interface to listen on. Default `127.0.0.1`; any other needs a token. */
  host: string
  /** Port. Default 8787; 0 picks a free one. */
  port: number
  /** Shared secret clients send as `x-headroom-token` (or `Proxy-Authorization: Bearer`). */
  token?: string
  /** Anthropic upstream: an origin plus optional base path. */
  upstreamAnthropic: string
  /** OpenAI (or OpenAI-compatible) upstream: an origin plus optional base path. */
  upstreamOpenai: string
  /**
   * `memory`, `sqlite:PATH`, a bare path (SQLite), or `redis://HOST[:PORT][/DB]` (a Redis
   * store shared by several proxy instances). Default: the embedded default store.
   */
  store?: string
  /** Compression mode. Default `balanced`. */
  mode: 'lossless' | 'balanced' | 'aggressive'
  /**
   * Whether request bodies are compressed. Default true; false makes the proxy a pure
   * pass-through (every request forwarded as if it carried `x-headroom-bypass: 1`), which is
   * what `headroom wrap --no-compress` runs. Env `HEADROOM_COMPRESS`, file key `compress`.
   * `resolveConfig` always sets it; absent counts as true.
   */
  compress?: boolean
  /**
   * Opt-in prefix stabilisation: the retrieve tool is in every request's tool list from a
   * session's first request (so it is never added mid-session), tool definitions are sorted
   * by name (unless one carries `cache_control`), and OpenAI requests without a
   * `prompt_cache_key` get the session's. Default off.
   */
  stabilize: boolean
  /** Level of the JSON logs on stderr. Default `info` (one line per request). */
  logLevel: LogLevel
  /**
   * Tools whose outputs are never compressed (case-insensitive, `*` wildcards), on every
   * compressed route, HTTP and WebSocket alike. Flag `--protect-tools Bash,Read`, env
   * `HEADROOM_PROTECT_TOOLS`, file key `protectTools` (a list or a comma-separated string).
   */
  protectTools?: string[]
  /** Tool outputs with fewer tokens than this are left alone. Default: the library's (250). */
  minTokens?: number
}

/** Flags (`--upstream-anthropic`), env names (`HEADROOM_UPSTREAM_ANTHROPIC`), file keys (`upstreamAnthropic`). */
const KEYS = ['host', 'port', 'token', 'upstream-anthropic', 'upstream-openai', 'store', 'mode', 'compress', 'stabilize', 'log-level', 'protect-tools', 'min-tokens'] as const
type Key = (typeof KEYS)[number]

/** Every setting `resolveConfig` reads (besides `config`, the file itself). */
export const CONFIG_KEYS: readonly string[] = KEYS

const DEFAULTS = {
  host: '127.0.0.1',
  port: '8787',
  'upstream-anthropic': 'https://api.anthropic.com',
  'upstream-openai': 'https://api.openai.com',
  mode: 'balanced',
  compress: 'true',
  'log-level': 'info',
} as const

function camel(k: string): string {
  return k.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())
}

function env(k: string): string {
  return `HEADROOM_${k.toUpperCase().replace(/-/g, '_')}`
}

/** An error in the settings: the message names the setting and what is wrong. */
export class ConfigError extends Error {
  readonly code = 'INVALID_ARGUMENT'
}

/**
 * Resolves the settings. `flags` are the parsed command-line values (`--config FILE` among
 * them); `environment` is usually `process.env`.
 */
export function resolveConfig(flags: Record<string, string | undefined>, environment: NodeJS.ProcessEnv = process.env): ProxyConfig {
  // A setting that is not read would be inert: refused instead (a typo must not pass silently).
  for (const [k, v] of Object.entries(flags)) {
    if (v !== undefined && k !== 'config' && !(KEYS as readonly string[]).includes(k)) throw new ConfigError(`unknown setting --${k}`)
  }
  const file = flags.config ?? environment.HEADROOM_CONFIG
  let fromFile: Record<string, unknown> = {}
  if (file) {
    try {
      fromFile = JSON.parse(fs.readFileSync(file, 'utf8'))
    } catch (e) {
      throw new ConfigError(`config file ${file}: ${(e as Error).message}`)
    }
    const known = KEYS.map(camel)
    const unknown = Object.keys(fromFile).filter((k) => !known.includes(k))
    if (unknown.length) throw new ConfigError(`config file ${file}: unknown key ${unknown.join(', ')} (known: ${known.join(', ')})`)
  }
  const get = (k: Key): string | undefined => {
    const v = flags[k] ?? environment[env(k)] ?? fromFile[camel(k)]
    return v === undefined || v === null ? (DEFAULTS as Record<string, string>)[k] : String(v)
  }
  const port = Number(get('port'))
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`port must be 0-65535, got ${get('port')}`)
  const mode = get('mode')
  if (mode !== 'lossless' && mode !== 'balanced' && mode !== 'aggressive') throw new ConfigError(`mode must be lossless, balanced or aggressive, got ${mode}`)
  const compress = get('compress')
  if (compress !== 'true' && compress !== 'false') throw new ConfigError(`compress must be true or false, got ${compress}`)
  const logLevel = get('log-level')!
  if (!isLogLevel(logLevel)) throw new ConfigError(`log-level must be one of ${LOG_LEVELS.join(', ')}, got ${logLevel}`)
  const protect = get('protect-tools')
  const protectTools = protect === undefined ? undefined : protect.split(',').map((x) => x.trim())
  if (protectTools?.some((x) => !/^[\w.:*-]+$/.test(x))) throw new ConfigError(`protect-tools must be tool names (or * patterns) separated by commas, got ${protect}`)
  const min = get('min-tokens')
  const minTokens = min === undefined ? undefined : Number(min)
  if (minTokens !== undefined && (!/^\d+$/.test(min!) || !Number.isSafeInteger(minTokens))) throw new ConfigError(`min-tokens must be a whole number of tokens, got ${min}`)
  const config: ProxyConfig = {
    host: get('host')!,
    port,
    token: get('token') || undefined,
    upstreamAnthropic: upstream(get('upstream-anthropic')!, 'upstream-anthropic'),
    upstreamOpenai: upstream(get('upstream-openai')!, 'upstream-openai'),
    store: get('store'),
    mode,
    stabilize: flag(get('stabilize'), 'stabilize'),
    compress: compress === 'true',
    logLevel,
  }
  if (protectTools) config.protectTools = protectTools
  if (minTokens !== undefined) config.minTokens = minTokens
  if (!isLoopback(config.host) && !config.token) {
    throw new ConfigError(`listening on ${config.host} (not loopback) needs a token: --token or HEADROOM_TOKEN`)
  }
  return config
}

/** A boolean setting: `true`/`1`/`yes`/`on` or `false`/`0`/`no`/`off` (absent: false). */
function flag(value: string | undefined, name: string): boolean {
  if (value === undefined || value === '') return false
  if (/^(true|1|yes|on)$/i.test(value)) return true
  if (/^(false|0|no|off)$/i.test(value)) return false
  throw new ConfigError(`${name} must be true or false, got ${value}`)
}

/**
 * An upstream is an http(s) origin plus an optional base path; no query, no credentials, and
 * never a link-local or cloud-metadata destination (see `forbiddenDestination`).
 */
function upstream(value: string, name: string): string {
  let u: URL
  try {
    u = new URL(value)
  } catch {
    throw new ConfigError(`${name} is not a URL: ${value}`)
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new ConfigError(`${name} must be http or https: ${value}`)
  if (u.search || u.hash || u.username || u.password) throw new ConfigError(`${name} must be an origin plus an optional path: ${value}`)
  const forbidden = forbiddenDestination(u.hostname)
  if (forbidden) throw new ConfigError(`${name} refused: ${forbidden}`)
  return u.origin + u.pathname.replace(/\/+$/, '')
}

/** Whether `host` only accepts connections from this machine. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host)
}
