// Structured logs for the proxy: pino JSON lines (stderr by default, so stdout keeps the
// startup lines), with secrets redacted from everything logged: header values by name, and
// inline keys and tokens inside any string (field-lessons G, case 47). Bodies are never logged.
import type { IncomingHttpHeaders } from 'node:http'
import pino, { type Bindings, type ChildLoggerOptions, type DestinationStream, type Logger } from 'pino'

/** The levels `--log-level` / `HEADROOM_LOG_LEVEL` / `logLevel` accept. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
/** One of {@link LOG_LEVELS}. */
export type LogLevel = (typeof LOG_LEVELS)[number]

/** What replaces a secret. */
export const REDACTED = '[redacted]'

/** Header or field names whose values are secrets, whatever they hold. */
const SECRET_NAME = /^(?:authorization|proxy-authorization|cookie|set-cookie|token|x-headroom-token)$|[_-]token$|key|secret|passw|credential|signature/i

/** Secrets recognisable inside any string, with what each is replaced by. */
const INLINE_SECRETS: ReadonlyArray<readonly [RegExp, string]> = [
  // `Authorization: Bearer ...`, `Basic ...` (also inside error messages and header dumps).
  [/\b(Bearer|Basic)(\s+)[A-Za-z0-9._~+/=-]{4,}/gi, `$1$2${REDACTED}`],
  [/\b(Token)(\s+)[A-Za-z0-9._~+/=-]{16,}/g, `$1$2${REDACTED}`],
  // Anthropic (`sk-ant-...`), OpenAI (`sk-...`, `sk-proj-...`) and look-alike keys.
  [/\bsk-[A-Za-z0-9_-]{8,}/g, REDACTED],
  // AWS access key ids (long-term and temporary).
  [/\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA)[A-Z0-9]{16}\b/g, REDACTED],
  // GitHub, Slack, Google API keys, and JWTs.
  [/\bgh[pousr]_[A-Za-z0-9]{20,}/g, REDACTED],
  [/\bgithub_pat_[A-Za-z0-9_]{20,}/g, REDACTED],
  [/\bxox[abprs]-[A-Za-z0-9-]{10,}/g, REDACTED],
  [/\bAIza[0-9A-Za-z_-]{30,}/g, REDACTED],
  [/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, REDACTED],
  // `name=value` / `name: value` where the name says secret (query strings, env dumps, config):
  // `api_key=...`, `aws_secret_access_key = ...`, `"password": "..."`.
  // The name must end with the secret word: `tokenizer: 5` and `max_tokens=5` stay.
  [/\b([A-Za-z0-9_.-]*(?:token|secret|passw(?:or)?d|api[_-]?key|access[_-]?key|private[_-]?key|credentials?|key))("?\s*[=:]\s*"?)[^\s"'&,;}]+/gi, `$1$2${REDACTED}`],
]

/**
 * Options of {@link createLogger}.
 */
export interface LoggerOptions {
  /** Minimum level written. Default `info`. */
  level?: LogLevel
  /** Where JSON lines go. Default: stderr (file descriptor 2), written synchronously. */
  destination?: DestinationStream
  /**
   * Literal values to redact wherever they appear (the proxy's own token, for one), in
   * addition to the patterns.
   */
  secrets?: ReadonlyArray<string | undefined>
}

/** Redacts inline secrets (and the given literal ones) from a string. */
export function redactText(text: string, literals: ReadonlyArray<string> = []): string {
  let out = text
  for (const s of literals) if (s.length >= 4) out = out.split(s).join(REDACTED)
  for (const [re, to] of INLINE_SECRETS) out = out.replace(re, to)
  return out
}

/** Whether a header or field named `name` holds a secret by its name alone. */
export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name)
}

/**
 * A copy of request or response headers safe to log: values of secret-named headers
 * (`authorization`, `x-api-key`, `proxy-authorization`, `x-headroom-token`, cookies, any
 * `*_token`/`*-token`/`*key*`) replaced by `[redacted]`, inline secrets removed from the rest.
 */
export function redactHeaders(headers: IncomingHttpHeaders | Record<string, string | string[] | undefined>, literals: ReadonlyArray<string> = []): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {}
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue
    if (isSecretName(k)) out[k] = REDACTED
    else out[k] = Array.isArray(v) ? v.map((x) => redactText(x, literals)) : redactText(String(v), literals)
  }
  return out
}

/**
 * A deep copy of `value` safe to log: secret-named fields redacted, strings scrubbed, errors
 * turned into `{ type, message, code, stack }` with their text scrubbed. Cycles and depth are
 * bounded.
 */
export function redactValue(value: unknown, literals: ReadonlyArray<string> = [], depth = 0): unknown {
  if (typeof value === 'string') return redactText(value, literals)
  if (value === null || typeof value !== 'object') return value
  if (depth > 8) return '[depth]'
  if (value instanceof Error) {
    const e = value as Error & { code?: unknown }
    const out: Record<string, unknown> = { type: e.name, message: redactText(e.message, literals) }
    if (e.code !== undefined) out.code = redactValue(e.code, literals, depth + 1)
    if (e.stack) out.stack = redactText(e.stack, literals)
    if (e.cause !== undefined) out.cause = redactValue(e.cause, literals, depth + 1)
    return out
  }
  if (Buffer.isBuffer(value) || ArrayBuffer.isView(value)) return `[${value.byteLength} bytes]`
  if (Array.isArray(value)) return value.map((v) => redactValue(v, literals, depth + 1))
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value)) {
    out[k] = isSecretName(k) && v !== undefined && v !== null && typeof v !== 'number' && typeof v !== 'boolean' ? REDACTED : redactValue(v, literals, depth + 1)
  }
  return out
}

/** Whether `level` is one of {@link LOG_LEVELS}. */
export function isLogLevel(level: string): level is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(level)
}

/**
 * Creates the proxy's logger: pino, JSON lines, `info` by default, to stderr unless a
 * destination is given. Every argument of every log call (messages, objects, errors) and every
 * child binding goes through {@link redactValue} first, so no call site can leak a secret.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const literals = (options.secrets ?? []).filter((s): s is string => typeof s === 'string' && s.length > 0)
  const logger = pino(
    {
      level: options.level ?? 'info',
      base: { name: 'headroom-proxy' },
      hooks: {
        logMethod(args, method) {
          const clean: unknown[] = args.map((a) => redactValue(a, literals))
          // An error logged alone keeps pino's shape: `{ err: {...}, msg: its message }`.
          if (args[0] instanceof Error) {
            const err = clean[0] as { message: string }
            clean.splice(0, 1, { err }, ...(args.length === 1 ? [err.message] : []))
          }
          return method.apply(this, clean as Parameters<typeof method>)
        },
      },
    },
    options.destination ?? pino.destination({ dest: 2, sync: true }),
  )
  // Child bindings are serialised once, outside the hooks: redact them on the way in. Children
  // inherit this property, so grandchildren are covered too.
  const childOf = logger.child as unknown as (this: Logger, bindings: Bindings, childOptions?: ChildLoggerOptions) => Logger
  logger.child = function (this: Logger, bindings: Bindings, childOptions?: ChildLoggerOptions) {
    return childOf.call(this, redactValue(bindings, literals) as Bindings, childOptions)
  } as unknown as Logger['child']
  return logger
}

/** The fields of the one `info` line logged per request. Never a body. */
export interface RequestLogFields {
  method: string
  /** The request path, without its query string (queries can carry keys). */
  path: string
  /** Status sent to the client (0 if the connection closed before any). */
  status: number
  /** Whole time in the proxy, ms. */
  durationMs: number
  /** Time from sending upstream to its response headers, ms (absent if not forwarded). */
  upstreamMs?: number
  /** Time spent compressing the body (off the event loop), ms. */
  compressionMs?: number
  /** Time the body waited for a compression slot, ms. */
  queuedMs?: number
  tokensBefore?: number
  tokensAfter?: number
  /** `x-headroom-bypass: 1` was sent. */
  bypass?: boolean
  /** Why a request on a compressed path went out unchanged (or why it was refused). */
  reason?: string
  /** The client went away before the response was complete. */
  aborted?: boolean
  /** Request headers (redacted); logged only at `debug`. */
  headers?: IncomingHttpHeaders
}

/**
 * Logs one request: an `info` line with the fields of {@link RequestLogFields} (headers only
 * at `debug`, redacted), `warn` for 5xx; successful `/health` probes only at `debug`.
 */
export function logRequest(logger: Logger, fields: RequestLogFields): void {
  const { headers, ...rest } = fields
  const line: Record<string, unknown> = { ...rest, path: rest.path.split('?')[0] }
  for (const k of ['durationMs', 'upstreamMs', 'compressionMs', 'queuedMs'] as const) {
    const v = line[k]
    if (typeof v === 'number') line[k] = Math.round(v * 100) / 100
  }
  if (headers && logger.isLevelEnabled('debug')) line.headers = redactHeaders(headers)
  if (fields.status >= 500) logger.warn(line, 'request')
  else if (line.path === '/health' && fields.status === 200) logger.debug(line, 'request')
  else logger.info(line, 'request')
}

/**
 * Starts the per-request record: call at the top of the request handler, fill the optional
 * fields while handling, and the line is logged once when the response finishes or the
 * connection closes.
 */
export function trackRequest(logger: Logger, req: { method?: string; url?: string; headers: IncomingHttpHeaders }, res: { statusCode: number; headersSent: boolean; writableFinished: boolean; once(event: 'close', f: () => void): unknown }): Partial<RequestLogFields> {
  const start = performance.now()
  const entry: Partial<RequestLogFields> = {}
  res.once('close', () => {
    logRequest(logger, {
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      status: res.headersSent ? res.statusCode : 0,
      durationMs: performance.now() - start,
      ...entry,
      aborted: res.writableFinished ? undefined : true,
      headers: req.headers,
    })
  })
  return entry
}
