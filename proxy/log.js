"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
exports.REDACTED = exports.LOG_LEVELS = void 0;
exports.redactText = redactText;
exports.isSecretName = isSecretName;
exports.redactHeaders = redactHeaders;
exports.redactValue = redactValue;
exports.isLogLevel = isLogLevel;
exports.createLogger = createLogger;
exports.logRequest = logRequest;
exports.trackRequest = trackRequest;
const pino_1 = __importDefault(require("pino"));
/** The levels `--log-level` / `HEADROOM_LOG_LEVEL` / `logLevel` accept. */
exports.LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
/** What replaces a secret. */
exports.REDACTED = '[redacted]';
/** Header or field names whose values are secrets, whatever they hold. */
const SECRET_NAME = /^(?:authorization|proxy-authorization|cookie|set-cookie|token|x-headroom-token)$|[_-]token$|key|secret|passw|credential|signature/i;
/** Secrets recognisable inside any string, with what each is replaced by. */
const INLINE_SECRETS = [
    // `Authorization: Bearer ...`, `Basic ...` (also inside error messages and header dumps).
    [/\b(Bearer|Basic)(\s+)[A-Za-z0-9._~+/=-]{4,}/gi, `$1$2${exports.REDACTED}`],
    [/\b(Token)(\s+)[A-Za-z0-9._~+/=-]{16,}/g, `$1$2${exports.REDACTED}`],
    // Anthropic (`sk-ant-...`), OpenAI (`sk-...`, `sk-proj-...`) and look-alike keys.
    [/\bsk-[A-Za-z0-9_-]{8,}/g, exports.REDACTED],
    // AWS access key ids (long-term and temporary).
    [/\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA)[A-Z0-9]{16}\b/g, exports.REDACTED],
    // GitHub, Slack, Google API keys, and JWTs.
    [/\bgh[pousr]_[A-Za-z0-9]{20,}/g, exports.REDACTED],
    [/\bgithub_pat_[A-Za-z0-9_]{20,}/g, exports.REDACTED],
    [/\bxox[abprs]-[A-Za-z0-9-]{10,}/g, exports.REDACTED],
    [/\bAIza[0-9A-Za-z_-]{30,}/g, exports.REDACTED],
    [/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, exports.REDACTED],
    // `name=value` / `name: value` where the name says secret (query strings, env dumps, config):
    // `api_key=...`, `aws_secret_access_key = ...`, `"password": "..."`.
    // The name must end with the secret word: `tokenizer: 5` and `max_tokens=5` stay.
    [/\b([A-Za-z0-9_.-]*(?:token|secret|passw(?:or)?d|api[_-]?key|access[_-]?key|private[_-]?key|credentials?|key))("?\s*[=:]\s*"?)[^\s"'&,;}]+/gi, `$1$2${exports.REDACTED}`],
];
/** Redacts inline secrets (and the given literal ones) from a string. */
function redactText(text, literals = []) {
    let out = text;
    for (const s of literals)
        if (s.length >= 4)
            out = out.split(s).join(exports.REDACTED);
    for (const [re, to] of INLINE_SECRETS)
        out = out.replace(re, to);
    return out;
}
/** Whether a header or field named `name` holds a secret by its name alone. */
function isSecretName(name) {
    return SECRET_NAME.test(name);
}
/**
 * A copy of request or response headers safe to log: values of secret-named headers
 * (`authorization`, `x-api-key`, `proxy-authorization`, `x-headroom-token`, cookies, any
 * `*_token`/`*-token`/`*key*`) replaced by `[redacted]`, inline secrets removed from the rest.
 */
function redactHeaders(headers, literals = []) {
    const out = {};
    for (const [k, v] of Object.entries(headers)) {
        if (v === undefined)
            continue;
        if (isSecretName(k))
            out[k] = exports.REDACTED;
        else
            out[k] = Array.isArray(v) ? v.map((x) => redactText(x, literals)) : redactText(String(v), literals);
    }
    return out;
}
/**
 * A deep copy of `value` safe to log: secret-named fields redacted, strings scrubbed, errors
 * turned into `{ type, message, code, stack }` with their text scrubbed. Cycles and depth are
 * bounded.
 */
function redactValue(value, literals = [], depth = 0) {
    if (typeof value === 'string')
        return redactText(value, literals);
    if (value === null || typeof value !== 'object')
        return value;
    if (depth > 8)
        return '[depth]';
    if (value instanceof Error) {
        const e = value;
        const out = { type: e.name, message: redactText(e.message, literals) };
        if (e.code !== undefined)
            out.code = redactValue(e.code, literals, depth + 1);
        if (e.stack)
            out.stack = redactText(e.stack, literals);
        if (e.cause !== undefined)
            out.cause = redactValue(e.cause, literals, depth + 1);
        return out;
    }
    if (Buffer.isBuffer(value) || ArrayBuffer.isView(value))
        return `[${value.byteLength} bytes]`;
    if (Array.isArray(value))
        return value.map((v) => redactValue(v, literals, depth + 1));
    const out = {};
    for (const [k, v] of Object.entries(value)) {
        out[k] = isSecretName(k) && v !== undefined && v !== null && typeof v !== 'number' && typeof v !== 'boolean' ? exports.REDACTED : redactValue(v, literals, depth + 1);
    }
    return out;
}
/** Whether `level` is one of {@link LOG_LEVELS}. */
function isLogLevel(level) {
    return exports.LOG_LEVELS.includes(level);
}
/**
 * Creates the proxy's logger: pino, JSON lines, `info` by default, to stderr unless a
 * destination is given. Every argument of every log call (messages, objects, errors) and every
 * child binding goes through {@link redactValue} first, so no call site can leak a secret.
 */
function createLogger(options = {}) {
    const literals = (options.secrets ?? []).filter((s) => typeof s === 'string' && s.length > 0);
    const logger = (0, pino_1.default)({
        level: options.level ?? 'info',
        base: { name: 'headroom-proxy' },
        hooks: {
            logMethod(args, method) {
                const clean = args.map((a) => redactValue(a, literals));
                // An error logged alone keeps pino's shape: `{ err: {...}, msg: its message }`.
                if (args[0] instanceof Error) {
                    const err = clean[0];
                    clean.splice(0, 1, { err }, ...(args.length === 1 ? [err.message] : []));
                }
                return method.apply(this, clean);
            },
        },
    }, options.destination ?? pino_1.default.destination({ dest: 2, sync: true }));
    // Child bindings are serialised once, outside the hooks: redact them on the way in. Children
    // inherit this property, so grandchildren are covered too.
    const childOf = logger.child;
    logger.child = function (bindings, childOptions) {
        return childOf.call(this, redactValue(bindings, literals), childOptions);
    };
    return logger;
}
/**
 * Logs one request: an `info` line with the fields of {@link RequestLogFields} (headers only
 * at `debug`, redacted), `warn` for 5xx; successful `/health` probes only at `debug`.
 */
function logRequest(logger, fields) {
    const { headers, ...rest } = fields;
    const line = { ...rest, path: rest.path.split('?')[0] };
    for (const k of ['durationMs', 'upstreamMs', 'compressionMs', 'queuedMs']) {
        const v = line[k];
        if (typeof v === 'number')
            line[k] = Math.round(v * 100) / 100;
    }
    if (headers && logger.isLevelEnabled('debug'))
        line.headers = redactHeaders(headers);
    if (fields.status >= 500)
        logger.warn(line, 'request');
    else if (line.path === '/health' && fields.status === 200)
        logger.debug(line, 'request');
    else
        logger.info(line, 'request');
}
/**
 * Starts the per-request record: call at the top of the request handler, fill the optional
 * fields while handling, and the line is logged once when the response finishes or the
 * connection closes.
 */
function trackRequest(logger, req, res) {
    const start = performance.now();
    const entry = {};
    res.once('close', () => {
        logRequest(logger, {
            method: req.method ?? 'GET',
            path: req.url ?? '/',
            status: res.headersSent ? res.statusCode : 0,
            durationMs: performance.now() - start,
            ...entry,
            aborted: res.writableFinished ? undefined : true,
            headers: req.headers,
        });
    });
    return entry;
}
