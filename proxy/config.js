"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
exports.ConfigError = exports.CONFIG_KEYS = void 0;
exports.resolveConfig = resolveConfig;
exports.isLoopback = isLoopback;
// Proxy settings: command-line flags, then `HEADROOM_*` environment variables, then a JSON
// config file, then defaults (the first that sets a value wins).
const node_fs_1 = __importDefault(require("node:fs"));
const log_1 = require("./log");
const security_1 = require("./security");
/** Flags (`--upstream-anthropic`), env names (`HEADROOM_UPSTREAM_ANTHROPIC`), file keys (`upstreamAnthropic`). */
const KEYS = ['host', 'port', 'token', 'upstream-anthropic', 'upstream-openai', 'store', 'mode', 'compress', 'stabilize', 'log-level', 'protect-tools', 'min-tokens'];
/** Every setting `resolveConfig` reads (besides `config`, the file itself). */
exports.CONFIG_KEYS = KEYS;
const DEFAULTS = {
    host: '127.0.0.1',
    port: '8787',
    'upstream-anthropic': 'https://api.anthropic.com',
    'upstream-openai': 'https://api.openai.com',
    mode: 'balanced',
    compress: 'true',
    'log-level': 'info',
};
function camel(k) {
    return k.replace(/-([a-z])/g, (_, c) => c.toUpperCase());
}
function env(k) {
    return `HEADROOM_${k.toUpperCase().replace(/-/g, '_')}`;
}
/** An error in the settings: the message names the setting and what is wrong. */
class ConfigError extends Error {
    code = 'INVALID_ARGUMENT';
}
exports.ConfigError = ConfigError;
/**
 * Resolves the settings. `flags` are the parsed command-line values (`--config FILE` among
 * them); `environment` is usually `process.env`.
 */
function resolveConfig(flags, environment = process.env) {
    // A setting that is not read would be inert: refused instead (a typo must not pass silently).
    for (const [k, v] of Object.entries(flags)) {
        if (v !== undefined && k !== 'config' && !KEYS.includes(k))
            throw new ConfigError(`unknown setting --${k}`);
    }
    const file = flags.config ?? environment.HEADROOM_CONFIG;
    let fromFile = {};
    if (file) {
        try {
            fromFile = JSON.parse(node_fs_1.default.readFileSync(file, 'utf8'));
        }
        catch (e) {
            throw new ConfigError(`config file ${file}: ${e.message}`);
        }
        const known = KEYS.map(camel);
        const unknown = Object.keys(fromFile).filter((k) => !known.includes(k));
        if (unknown.length)
            throw new ConfigError(`config file ${file}: unknown key ${unknown.join(', ')} (known: ${known.join(', ')})`);
    }
    const get = (k) => {
        const v = flags[k] ?? environment[env(k)] ?? fromFile[camel(k)];
        return v === undefined || v === null ? DEFAULTS[k] : String(v);
    };
    const port = Number(get('port'));
    if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new ConfigError(`port must be 0-65535, got ${get('port')}`);
    const mode = get('mode');
    if (mode !== 'lossless' && mode !== 'balanced' && mode !== 'aggressive')
        throw new ConfigError(`mode must be lossless, balanced or aggressive, got ${mode}`);
    const compress = get('compress');
    if (compress !== 'true' && compress !== 'false')
        throw new ConfigError(`compress must be true or false, got ${compress}`);
    const logLevel = get('log-level');
    if (!(0, log_1.isLogLevel)(logLevel))
        throw new ConfigError(`log-level must be one of ${log_1.LOG_LEVELS.join(', ')}, got ${logLevel}`);
    const protect = get('protect-tools');
    const protectTools = protect === undefined ? undefined : protect.split(',').map((x) => x.trim());
    if (protectTools?.some((x) => !/^[\w.:*-]+$/.test(x)))
        throw new ConfigError(`protect-tools must be tool names (or * patterns) separated by commas, got ${protect}`);
    const min = get('min-tokens');
    const minTokens = min === undefined ? undefined : Number(min);
    if (minTokens !== undefined && (!/^\d+$/.test(min) || !Number.isSafeInteger(minTokens)))
        throw new ConfigError(`min-tokens must be a whole number of tokens, got ${min}`);
    const config = {
        host: get('host'),
        port,
        token: get('token') || undefined,
        upstreamAnthropic: upstream(get('upstream-anthropic'), 'upstream-anthropic'),
        upstreamOpenai: upstream(get('upstream-openai'), 'upstream-openai'),
        store: get('store'),
        mode,
        stabilize: flag(get('stabilize'), 'stabilize'),
        compress: compress === 'true',
        logLevel,
    };
    if (protectTools)
        config.protectTools = protectTools;
    if (minTokens !== undefined)
        config.minTokens = minTokens;
    if (!isLoopback(config.host) && !config.token) {
        throw new ConfigError(`listening on ${config.host} (not loopback) needs a token: --token or HEADROOM_TOKEN`);
    }
    return config;
}
/** A boolean setting: `true`/`1`/`yes`/`on` or `false`/`0`/`no`/`off` (absent: false). */
function flag(value, name) {
    if (value === undefined || value === '')
        return false;
    if (/^(true|1|yes|on)$/i.test(value))
        return true;
    if (/^(false|0|no|off)$/i.test(value))
        return false;
    throw new ConfigError(`${name} must be true or false, got ${value}`);
}
/**
 * An upstream is an http(s) origin plus an optional base path; no query, no credentials, and
 * never a link-local or cloud-metadata destination (see `forbiddenDestination`).
 */
function upstream(value, name) {
    let u;
    try {
        u = new URL(value);
    }
    catch {
        throw new ConfigError(`${name} is not a URL: ${value}`);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:')
        throw new ConfigError(`${name} must be http or https: ${value}`);
    if (u.search || u.hash || u.username || u.password)
        throw new ConfigError(`${name} must be an origin plus an optional path: ${value}`);
    const forbidden = (0, security_1.forbiddenDestination)(u.hostname);
    if (forbidden)
        throw new ConfigError(`${name} refused: ${forbidden}`);
    return u.origin + u.pathname.replace(/\/+$/, '');
}
/** Whether `host` only accepts connections from this machine. */
function isLoopback(host) {
    return host === 'localhost' || host === '::1' || /^127\./.test(host);
}
