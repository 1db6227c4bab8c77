"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
exports.RestoreJournal = exports.WrapError = exports.WRAP_AGENTS = void 0;
exports.isWrapAgent = isWrapAgent;
exports.planLaunch = planLaunch;
exports.cursorInstructions = cursorInstructions;
exports.defaultJournalDir = defaultJournalDir;
exports.pidAlive = pidAlive;
exports.recoverJournals = recoverJournals;
exports.probeProxy = probeProxy;
exports.localUrl = localUrl;
exports.ensureProxy = ensureProxy;
exports.exitStatus = exitStatus;
exports.runAgent = runAgent;
// `headroom wrap claude|codex|aider [-- agent args]`: start (or reuse) a proxy and launch a
// coding agent pointed at it. This module holds the testable parts: what each agent is given
// (environment, arguments), the probe for a proxy that already runs, the restore journal for
// files an agent would need edited, and the run itself (signals forwarded, exit code
// propagated, the proxy stopped). The command-line glue is in bin/headroom.js.
//
// Nothing here edits a user file for the agents supported today: Claude Code and Aider take
// environment variables and flags, Codex takes `-c` overrides. The journal exists so that any
// edit an agent might need is undone on exit and, after a crash, at the next start.
const node_child_process_1 = require("node:child_process");
const node_crypto_1 = __importDefault(require("node:crypto"));
const node_fs_1 = __importDefault(require("node:fs"));
const node_os_1 = __importDefault(require("node:os"));
const node_path_1 = __importDefault(require("node:path"));
const server_1 = require("./server");
/** The agents `headroom wrap` launches. */
exports.WRAP_AGENTS = ['claude', 'codex', 'aider'];
/** A wrap failure with a stable code: `INVALID_ARGUMENT`, `UNSUPPORTED`, `AGENT_NOT_FOUND`, `PORT_IN_USE`, `JOURNAL`. */
class WrapError extends Error {
    code;
    constructor(code, message) {
        super(message);
        this.code = code;
    }
}
exports.WrapError = WrapError;
/** Whether `name` is an agent `headroom wrap` launches. */
function isWrapAgent(name) {
    return exports.WRAP_AGENTS.includes(name);
}
/** A TOML basic string. */
function tomlString(s) {
    return JSON.stringify(s); // JSON string escapes are valid TOML basic-string escapes
}
/** The header line Claude Code's `ANTHROPIC_CUSTOM_HEADERS` takes (one `Name: value` a line). */
function withHeaderLine(existing, line) {
    return existing ? `${existing}\n${line}` : line;
}
/**
 * What `headroom wrap AGENT` runs: the command, its arguments and environment, pointed at
 * `opts.proxyUrl`.
 * - `claude`: `ANTHROPIC_BASE_URL`, and the same through `--settings '{"env":...}'` so that a
 *   base URL in the user's `settings.json` does not silently win; the token through
 *   `ANTHROPIC_CUSTOM_HEADERS`.
 * - `codex`: a custom provider `headroom` (`wire_api = "responses"`, base URL `<proxy>/v1`,
 *   `supports_websockets = true` unless `websockets` is false: the proxy compresses the
 *   WebSocket mode's `response.create` messages too) selected with `-c` overrides, so
 *   `config.toml` is read as usual and never written; the
 *   key from `OPENAI_API_KEY` when set, else Codex's own login; the token through
 *   `env_http_headers` (kept out of the process list).
 * - `aider`: `--openai-api-base <proxy>/v1` plus `OPENAI_API_BASE`/`OPENAI_BASE_URL` and
 *   `ANTHROPIC_BASE_URL`/`ANTHROPIC_API_BASE` (LiteLLM reads either). Aider cannot send a
 *   custom header, so a proxy with a token is refused (`UNSUPPORTED`).
 */
function planLaunch(agent, opts) {
    const base = opts.proxyUrl.replace(/\/+$/, '');
    const v1 = `${base}/v1`;
    const env = { ...(opts.env ?? process.env) };
    const userArgs = opts.args ?? [];
    const notes = [];
    switch (agent) {
        case 'claude': {
            env.ANTHROPIC_BASE_URL = base;
            if (opts.token)
                env.ANTHROPIC_CUSTOM_HEADERS = withHeaderLine(env.ANTHROPIC_CUSTOM_HEADERS, `x-headroom-token: ${opts.token}`);
            notes.push(`ANTHROPIC_BASE_URL=${base}${opts.token ? ' (token in ANTHROPIC_CUSTOM_HEADERS)' : ''}`);
            for (const k of ['CLAUDE_CODE_USE_BEDROCK', 'CLAUDE_CODE_USE_VERTEX']) {
                if (env[k] && env[k] !== '0')
                    notes.push(`warning: ${k} is set: Claude Code talks to that provider, not to the proxy`);
            }
            // The token stays in the environment only (a flag would show it in the process list).
            const args = ['--settings', JSON.stringify({ env: { ANTHROPIC_BASE_URL: base } }), ...userArgs];
            return { agent, command: opts.bin ?? 'claude', args, env, edits: [], notes };
        }
        case 'codex': {
            const ws = opts.websockets !== false;
            const fields = [`name = "headroom"`, `base_url = ${tomlString(v1)}`, `wire_api = "responses"`, `supports_websockets = ${ws}`];
            if (env.OPENAI_API_KEY)
                fields.push(`env_key = "OPENAI_API_KEY"`);
            else
                fields.push('requires_openai_auth = true');
            if (opts.token) {
                env.HEADROOM_WRAP_TOKEN = opts.token;
                fields.push(`env_http_headers = { "x-headroom-token" = "HEADROOM_WRAP_TOKEN" }`);
            }
            const args = ['-c', 'model_provider="headroom"', '-c', `model_providers.headroom={ ${fields.join(', ')} }`, ...userArgs];
            notes.push(`codex provider "headroom" (wire_api "responses", ${ws ? 'WebSocket mode' : 'HTTP only'}) at ${v1}, set with -c overrides (config.toml untouched)`);
            return { agent, command: opts.bin ?? 'codex', args, env, edits: [], notes };
        }
        case 'aider': {
            if (opts.token) {
                throw new WrapError('UNSUPPORTED', 'aider cannot send the proxy token (x-headroom-token); run the proxy without --token on loopback for aider');
            }
            env.OPENAI_API_BASE = v1;
            env.OPENAI_BASE_URL = v1;
            env.ANTHROPIC_BASE_URL = base;
            env.ANTHROPIC_API_BASE = base;
            notes.push(`aider --openai-api-base ${v1}; OPENAI_API_BASE, ANTHROPIC_BASE_URL and ANTHROPIC_API_BASE set`);
            return { agent, command: opts.bin ?? 'aider', args: ['--openai-api-base', v1, ...userArgs], env, edits: [], notes };
        }
    }
}
/**
 * `headroom wrap cursor`: Cursor is configured in its own settings screen, so wrap only says
 * what to set there.
 */
function cursorInstructions(proxyUrl, token) {
    const v1 = `${proxyUrl.replace(/\/+$/, '')}/v1`;
    return [
        'Cursor is configured by hand (Settings > Models):',
        `  Override OpenAI Base URL: ${v1}`,
        '  OpenAI API Key:           your OpenAI key (forwarded upstream unchanged)',
        token
            ? '  Cursor cannot send the x-headroom-token header; a proxy with a token will answer it 401.'
            : '  Token: none (the proxy listens on loopback without one).',
        'Start the proxy first: headroom proxy. Cursor may send custom-base-URL requests from its own',
        'servers; then a loopback address is out of its reach and the proxy has to be exposed',
        '(a tunnel, or --host with --token), which needs the token Cursor cannot send.',
        'Undo: clear the override in the same screen.',
    ].join('\n');
}
/** Where journals live: `$HEADROOM_HOME/wrap-journal`, else `~/.headroom/wrap-journal`. */
function defaultJournalDir(environment = process.env) {
    const home = environment.HEADROOM_HOME || node_path_1.default.join(node_os_1.default.homedir(), '.headroom');
    return node_path_1.default.join(home, 'wrap-journal');
}
function writeAtomic(file, data, mode) {
    const tmp = `${file}.headroom-${process.pid}-${node_crypto_1.default.randomBytes(4).toString('hex')}.tmp`;
    const fd = node_fs_1.default.openSync(tmp, 'w', mode ?? 0o600);
    try {
        node_fs_1.default.writeFileSync(fd, data);
        node_fs_1.default.fsyncSync(fd);
    }
    finally {
        node_fs_1.default.closeSync(fd);
    }
    if (mode !== undefined)
        node_fs_1.default.chmodSync(tmp, mode);
    node_fs_1.default.renameSync(tmp, file);
}
function restoreEntries(entries) {
    const out = [];
    for (const e of [...entries].reverse()) {
        if (e.existed) {
            writeAtomic(e.path, Buffer.from(e.backup ?? '', 'base64'), e.mode);
            out.push({ path: e.path, action: 'restored' });
        }
        else {
            node_fs_1.default.rmSync(e.path, { force: true });
            out.push({ path: e.path, action: 'removed' });
        }
    }
    return out;
}
/**
 * Records each file's original bytes in a journal file (written and synced before the file is
 * touched) so the edit can be undone on exit ({@link restore}) or, if this process dies first,
 * by the next `headroom wrap` ({@link recoverJournals}).
 */
class RestoreJournal {
    file;
    entries = [];
    constructor(file) {
        this.file = file;
    }
    /** A new, empty journal in `dir` (created when missing). */
    static create(dir = defaultJournalDir()) {
        node_fs_1.default.mkdirSync(dir, { recursive: true, mode: 0o700 });
        return new RestoreJournal(node_path_1.default.join(dir, `${process.pid}-${node_crypto_1.default.randomBytes(6).toString('hex')}.json`));
    }
    /** Backs the file up into the journal, then writes `edit.content` to it. */
    apply(edit) {
        const file = node_path_1.default.resolve(edit.path);
        if (!this.entries.some((e) => e.path === file)) {
            let entry;
            try {
                const st = node_fs_1.default.statSync(file);
                entry = { path: file, existed: true, backup: node_fs_1.default.readFileSync(file).toString('base64'), mode: st.mode & 0o7777 };
            }
            catch (e) {
                if (e.code !== 'ENOENT')
                    throw new WrapError('JOURNAL', `cannot back up ${file}: ${e.message}`);
                entry = { path: file, existed: false };
            }
            this.entries.push(entry);
            this.save();
        }
        node_fs_1.default.mkdirSync(node_path_1.default.dirname(file), { recursive: true });
        writeAtomic(file, edit.content, this.entries.find((e) => e.path === file)?.mode);
    }
    /** Puts every file back as it was and deletes the journal. Safe to call twice. */
    restore() {
        const out = restoreEntries(this.entries);
        this.entries.length = 0;
        node_fs_1.default.rmSync(this.file, { force: true });
        return out;
    }
    save() {
        const j = { pid: process.pid, startedAt: new Date().toISOString(), entries: this.entries };
        writeAtomic(this.file, JSON.stringify(j, null, 2));
    }
}
exports.RestoreJournal = RestoreJournal;
/** Whether a process with this id runs (EPERM: it runs, as another user). */
function pidAlive(pid) {
    try {
        process.kill(pid, 0);
        return true;
    }
    catch (e) {
        return e.code === 'EPERM';
    }
}
/**
 * Undoes the edits of every journal in `dir` whose process is gone (a wrap that crashed or was
 * killed), then deletes those journals. Journals of running processes are left alone; an
 * unreadable journal is reported with code `JOURNAL` and kept for a person to look at.
 */
function recoverJournals(dir = defaultJournalDir(), isAlive = pidAlive) {
    let names;
    try {
        names = node_fs_1.default.readdirSync(dir).filter((n) => n.endsWith('.json'));
    }
    catch {
        return [];
    }
    const out = [];
    for (const name of names) {
        const file = node_path_1.default.join(dir, name);
        let j;
        try {
            j = JSON.parse(node_fs_1.default.readFileSync(file, 'utf8'));
        }
        catch (e) {
            throw new WrapError('JOURNAL', `unreadable restore journal ${file}: ${e.message}`);
        }
        if (j.pid !== process.pid && isAlive(j.pid))
            continue;
        out.push(...restoreEntries(j.entries));
        node_fs_1.default.rmSync(file, { force: true });
    }
    return out;
}
// -------------------------------------------------------------------------------------------
// The proxy probe and the run
// -------------------------------------------------------------------------------------------
/** Whether a headroom proxy answers `GET /health` with `{"ok":true}` at `url` (within `timeoutMs`). */
async function probeProxy(url, timeoutMs = 1000) {
    try {
        const r = await fetch(`${url.replace(/\/+$/, '')}/health`, { signal: AbortSignal.timeout(timeoutMs) });
        if (r.status !== 200)
            return false;
        const j = (await r.json());
        return j.ok === true;
    }
    catch {
        return false;
    }
}
/** The URL a local client uses to reach a proxy listening on `host:port` (wildcard binds via loopback). */
function localUrl(host, port) {
    if (host === '0.0.0.0' || host === '')
        return `http://127.0.0.1:${port}`;
    if (host === '::')
        return `http://[::1]:${port}`;
    return host.includes(':') ? `http://[${host}]:${port}` : `http://${host}:${port}`;
}
/**
 * Reuses the proxy that answers `/health` on the configured port, or starts one. A
 * pass-through run (`compress: false`) never reuses (the proxy there compresses): when the port
 * is taken it starts its own on a free port. Port 0 always starts a new proxy. A port held by
 * something that is not a healthy proxy fails with `PORT_IN_USE`.
 */
async function ensureProxy(config) {
    const url = localUrl(config.host, config.port);
    const compress = config.compress !== false;
    if (config.port !== 0 && compress && (await probeProxy(url)))
        return { url, started: null };
    try {
        const p = await (0, server_1.startProxy)(config);
        return { url: p.url, started: p };
    }
    catch (e) {
        if (e.code !== 'EADDRINUSE')
            throw e;
        if (!compress) {
            const p = await (0, server_1.startProxy)({ ...config, port: 0 });
            return { url: p.url, started: p };
        }
        throw new WrapError('PORT_IN_USE', `port ${config.port} on ${config.host} is taken by something that is not a healthy headroom proxy; pick another with --port`);
    }
}
/** The exit status a shell reports for a child: its code, or 128 + the signal number. */
function exitStatus(code, signal) {
    if (code !== null)
        return code;
    const n = signal ? node_os_1.default.constants.signals[signal] : undefined;
    return n ? 128 + n : 1;
}
/**
 * Runs the plan: applies its edits through a journal (after recovering journals of crashed
 * runs), spawns the agent with the terminal inherited, forwards SIGTERM and SIGHUP (and SIGINT,
 * see {@link RunOptions.forwardSigint}), restores the edits, and resolves to the agent's exit
 * status. Stopping a proxy is the caller's job (it knows whether it started one).
 */
async function runAgent(plan, opts = {}) {
    const journal = plan.edits.length ? RestoreJournal.create(opts.journalDir) : null;
    try {
        for (const e of plan.edits)
            journal.apply(e);
        const child = (0, node_child_process_1.spawn)(plan.command, plan.args, { env: plan.env, stdio: 'inherit' });
        const forwardSigint = opts.forwardSigint ?? !process.stdin.isTTY;
        const signals = ['SIGTERM', 'SIGHUP', 'SIGINT'];
        const handlers = signals.map((sig) => {
            const h = () => {
                if (sig !== 'SIGINT' || forwardSigint)
                    child.kill(sig);
            };
            process.on(sig, h);
            return [sig, h];
        });
        try {
            return await new Promise((resolve, reject) => {
                child.once('error', (e) => {
                    if (e.code === 'ENOENT')
                        reject(new WrapError('AGENT_NOT_FOUND', `${plan.command} not found: install ${plan.agent} or pass --agent-bin PATH`));
                    else
                        reject(e);
                });
                child.once('exit', (code, signal) => resolve(exitStatus(code, signal)));
            });
        }
        finally {
            for (const [sig, h] of handlers)
                process.off(sig, h);
        }
    }
    finally {
        journal?.restore();
    }
}
