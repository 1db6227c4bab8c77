import type { ProxyConfig } from './config';
import { type Proxy } from './server';
/** The agents `headroom wrap` launches. */
export declare const WRAP_AGENTS: readonly ["claude", "codex", "aider"];
/** One of {@link WRAP_AGENTS}. */
export type WrapAgent = (typeof WRAP_AGENTS)[number];
/** A wrap failure with a stable code: `INVALID_ARGUMENT`, `UNSUPPORTED`, `AGENT_NOT_FOUND`, `PORT_IN_USE`, `JOURNAL`. */
export declare class WrapError extends Error {
    readonly code: 'INVALID_ARGUMENT' | 'UNSUPPORTED' | 'AGENT_NOT_FOUND' | 'PORT_IN_USE' | 'JOURNAL';
    constructor(code: 'INVALID_ARGUMENT' | 'UNSUPPORTED' | 'AGENT_NOT_FOUND' | 'PORT_IN_USE' | 'JOURNAL', message: string);
}
/** Whether `name` is an agent `headroom wrap` launches. */
export declare function isWrapAgent(name: string): name is WrapAgent;
/** A file an agent needs changed for the run (applied through a {@link RestoreJournal}). */
export interface FileEdit {
    path: string;
    content: string;
}
/** Inputs of {@link planLaunch}. */
export interface LaunchOptions {
    /** The proxy's base URL, e.g. `http://127.0.0.1:8787` (no trailing slash, no `/v1`). */
    proxyUrl: string;
    /** The proxy's token, when it has one: sent as `x-headroom-token`. */
    token?: string;
    /** Arguments for the agent (what follows `--`). */
    args?: string[];
    /** The environment to start from. Default `process.env`. */
    env?: NodeJS.ProcessEnv;
    /** The agent's executable. Default: the agent's usual command name on `PATH`. */
    bin?: string;
    /**
     * Codex only: whether it may use the Responses WebSocket mode through the proxy
     * (`supports_websockets`). Default true; `headroom wrap codex --no-websockets` sets false
     * (plain HTTP + SSE, where the proxy also answers `headroom_retrieve` calls itself).
     */
    websockets?: boolean;
}
/** How to launch one agent against the proxy. */
export interface LaunchPlan {
    agent: WrapAgent;
    command: string;
    args: string[];
    env: NodeJS.ProcessEnv;
    /** Files to change for the run, restored on exit. Empty for every agent supported today. */
    edits: FileEdit[];
    /** What was pointed where, in words (wrap prints these to stderr). */
    notes: string[];
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
export declare function planLaunch(agent: WrapAgent, opts: LaunchOptions): LaunchPlan;
/**
 * `headroom wrap cursor`: Cursor is configured in its own settings screen, so wrap only says
 * what to set there.
 */
export declare function cursorInstructions(proxyUrl: string, token?: string): string;
/** A file put back by {@link recoverJournals} or {@link RestoreJournal.restore}. */
export interface RestoredFile {
    path: string;
    /** `restored`: original bytes written back; `removed`: the file did not exist before. */
    action: 'restored' | 'removed';
}
/** Where journals live: `$HEADROOM_HOME/wrap-journal`, else `~/.headroom/wrap-journal`. */
export declare function defaultJournalDir(environment?: NodeJS.ProcessEnv): string;
/**
 * Records each file's original bytes in a journal file (written and synced before the file is
 * touched) so the edit can be undone on exit ({@link restore}) or, if this process dies first,
 * by the next `headroom wrap` ({@link recoverJournals}).
 */
export declare class RestoreJournal {
    readonly file: string;
    private readonly entries;
    private constructor();
    /** A new, empty journal in `dir` (created when missing). */
    static create(dir?: string): RestoreJournal;
    /** Backs the file up into the journal, then writes `edit.content` to it. */
    apply(edit: FileEdit): void;
    /** Puts every file back as it was and deletes the journal. Safe to call twice. */
    restore(): RestoredFile[];
    private save;
}
/** Whether a process with this id runs (EPERM: it runs, as another user). */
export declare function pidAlive(pid: number): boolean;
/**
 * Undoes the edits of every journal in `dir` whose process is gone (a wrap that crashed or was
 * killed), then deletes those journals. Journals of running processes are left alone; an
 * unreadable journal is reported with code `JOURNAL` and kept for a person to look at.
 */
export declare function recoverJournals(dir?: string, isAlive?: (pid: number) => boolean): RestoredFile[];
/** Whether a headroom proxy answers `GET /health` with `{"ok":true}` at `url` (within `timeoutMs`). */
export declare function probeProxy(url: string, timeoutMs?: number): Promise<boolean>;
/** The URL a local client uses to reach a proxy listening on `host:port` (wildcard binds via loopback). */
export declare function localUrl(host: string, port: number): string;
/** The proxy a wrapped agent talks to. */
export interface WrapProxy {
    /** Base URL for the agent. */
    url: string;
    /** The proxy this process started (and stops), or null when an existing one is reused. */
    started: Proxy | null;
}
/**
 * Reuses the proxy that answers `/health` on the configured port, or starts one. A
 * pass-through run (`compress: false`) never reuses (the proxy there compresses): when the port
 * is taken it starts its own on a free port. Port 0 always starts a new proxy. A port held by
 * something that is not a healthy proxy fails with `PORT_IN_USE`.
 */
export declare function ensureProxy(config: ProxyConfig): Promise<WrapProxy>;
/** The exit status a shell reports for a child: its code, or 128 + the signal number. */
export declare function exitStatus(code: number | null, signal: NodeJS.Signals | null): number;
/** Options of {@link runAgent}. */
export interface RunOptions {
    /** Forward SIGINT to the agent. Default: only when stdin is not a terminal (a terminal's Ctrl-C already reaches the agent's process group). */
    forwardSigint?: boolean;
    /** Where journals live. Default {@link defaultJournalDir}. */
    journalDir?: string;
}
/**
 * Runs the plan: applies its edits through a journal (after recovering journals of crashed
 * runs), spawns the agent with the terminal inherited, forwards SIGTERM and SIGHUP (and SIGINT,
 * see {@link RunOptions.forwardSigint}), restores the edits, and resolves to the agent's exit
 * status. Stopping a proxy is the caller's job (it knows whether it started one).
 */
export declare function runAgent(plan: LaunchPlan, opts?: RunOptions): Promise<number>;
