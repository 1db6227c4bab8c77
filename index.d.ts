/** Request shape. `auto` (the default) detects it from the body. */
export type Provider = 'anthropic' | 'openai' | 'openai-responses' | 'auto';
/**
 * How much may be left out.
 * - `lossless`: only forms from which the original value is reconstructible from the
 *   output alone (e.g. JSON minification); never a marker.
 * - `balanced` (default): lossless first; lossy forms with retrievable markers where they pay.
 * - `aggressive`: like balanced, with smaller budgets.
 */
export type Mode = 'lossless' | 'balanced' | 'aggressive';
/** Detected content types. */
export type ContentType = 'json' | 'jsonl' | 'code' | 'log' | 'search' | 'diff' | 'html' | 'table' | 'stacktrace' | 'text';
/** Stable error codes carried by {@link HeadroomError}. */
export declare const ERROR_CODES: readonly ["INVALID_JSON", "UNSUPPORTED_SHAPE", "INPUT_TOO_LARGE", "NESTING_TOO_DEEP", "INVALID_UTF8", "INVALID_OPTION", "INVALID_ARGUMENT", "UNKNOWN_HASH", "EXPIRED", "STORE_ERROR", "INTERNAL"];
/** A stable error code. */
export type ErrorCode = (typeof ERROR_CODES)[number];
/**
 * One message of any supported shape: Anthropic Messages (`{role, content}` with string or
 * block content), OpenAI Chat (`{role, content, tool_calls?, tool_call_id?}`) or an OpenAI
 * Responses input item (`{type, ...}`). Unknown fields and block types pass through.
 */
export type Message = {
    [key: string]: unknown;
};
/** A provider request body: `messages` (Anthropic, OpenAI Chat) or `input` (Responses). */
export type RequestBody = {
    messages?: Message[];
    input?: string | Message[];
    [key: string]: unknown;
};
/** What to protect from compression. */
export interface ProtectOptions {
    /** Tool names whose outputs are never compressed. Case-insensitive; `*` wildcards (`mcp__*`). */
    tools?: string[];
    /** The last N messages are never compressed. Default 0. */
    recentMessages?: number;
}
/** Options of {@link compress}. All optional. */
export interface CompressOptions {
    /** Model id: picks the tokenizer and context window (see {@link models}). Default: the body's `model`, else `gpt-4o`. */
    model?: string;
    /** Request shape. Default `auto`. */
    provider?: Provider;
    /** Compression mode. Default `balanced`. */
    mode?: Mode;
    /**
     * Relevance hint for compressors. Default: the latest user text. Compressed forms are
     * memoized by content on first compression, so a changing query never rewrites history.
     */
    query?: string;
    /** Blocks with fewer (o200k) tokens than this are left alone. Default 250. */
    minTokens?: number;
    /** Protections. */
    protect?: ProtectOptions;
    /** Inputs larger than this many bytes are refused with `INPUT_TOO_LARGE`. Default 64 MiB. */
    maxInputBytes?: number;
    /**
     * Whether the client can redeem markers (call `headroom_retrieve`). Default true. With
     * `false` no store is used and only lossless forms are produced: never a marker.
     */
    retrieve?: boolean;
}
/** Options of {@link compressText}. */
export interface TextOptions {
    /** Model id for token counts. */
    model?: string;
    /** Compression mode. Default `balanced`. */
    mode?: Mode;
    /** Relevance hint. */
    query?: string;
    /** Texts with fewer tokens than this are left alone. Default 250. */
    minTokens?: number;
}
/** One edited block. */
export interface Transform {
    /** JSON-pointer path of the edited string, e.g. `/messages/3/content/0/content`. */
    path: string;
    /** Message (or input item) index. */
    messageIndex?: number;
    /** The tool that produced the output, when known. */
    toolName?: string;
    /** Detected content type. */
    contentType: ContentType;
    /** Detected language, for code. */
    language?: string;
    /** Strategy, e.g. `json:minify`. */
    strategy: string;
    /** Tokens of the block before. */
    tokensBefore: number;
    /** Tokens of the block after. */
    tokensAfter: number;
    /** Retrieve hashes of markers added (empty for lossless strategies). */
    hashes: string[];
    /** Whether the block carries a `cache_control` breakpoint (left where the client put it). */
    cacheControl: boolean;
    /** Whether the compressed form was reused from an earlier call (history stays byte-stable). */
    memoized: boolean;
}
/** Every reason a block can be left as it was (see the README table). */
export declare const SKIP_REASONS: readonly ["user_text", "system_text", "assistant_text", "thinking", "tool_call", "media", "server_tool", "tool_definitions", "unknown_block_type", "unknown_role", "excluded_tool", "retrieve_output", "protected_recent", "error_output", "below_min_tokens", "already_compressed", "no_compressor", "no_gain", "no_text"];
/** Why a block was left as it was. */
export type SkipReason = (typeof SKIP_REASONS)[number];
/** One block left as it was, and why. */
export interface Skip {
    /** JSON-pointer path of the block (or its text). */
    path: string;
    /** Message (or input item) index. */
    messageIndex?: number;
    /** The reason. */
    reason: SkipReason;
    /** Detail: the unknown block type, the content type without a compressor, the tool name. */
    detail?: string;
    /** Tokens of the block's text, when it has text. */
    tokens?: number;
}
/** Token accounting and per-block decisions of one call. */
export interface CompressReport {
    /** Detected (or given) request shape. */
    provider: Exclude<Provider, 'auto'>;
    /** Registry id of the model whose tokenizer counted. */
    model: string;
    /** Whether counts are exact (false: estimated, e.g. Claude). */
    exact: boolean;
    /** Tokens of the input, per-message framing included. */
    tokensBefore: number;
    /** Tokens of the output. */
    tokensAfter: number;
    /** `tokensBefore - tokensAfter`; never negative (inflation guard). */
    tokensSaved: number;
    /** `tokensSaved / tokensBefore`. */
    compressionRatio: number;
    /**
     * The `headroom_retrieve` tool, when the output holds markers: `added` to the body's
     * `tools`, already `present`, or `needed` (a message array cannot carry tools: add
     * {@link headroomRetrieveTool} to your request). Absent when there are no markers.
     */
    retrieveTool?: 'added' | 'present' | 'needed';
    /** Edited blocks. */
    transforms: Transform[];
    /** Blocks left as they were, with reasons. */
    skipped: Skip[];
}
/** Result of {@link compress}: the report plus the output in the input's shape. */
export interface CompressResult<T = Message[] | RequestBody> extends CompressReport {
    /** The compressed message array (when the input was an array). */
    messages: T extends Message[] ? Message[] : undefined;
    /** The compressed body (when the input was a body). */
    body: T extends Message[] ? undefined : RequestBody;
}
/** Result of {@link compressBody}. */
export interface BodyResult {
    /** The output body: byte-identical to the input outside the edited strings. */
    body: Buffer;
    /** The report. */
    report: CompressReport;
}
/** Result of {@link compressText}. */
export interface TextResult {
    /** The (possibly) compressed text. */
    text: string;
    /** Detected content type. */
    contentType: ContentType;
    /** Detected language, for code. */
    language?: string;
    /** Tokens before. */
    tokensBefore: number;
    /** Tokens after. */
    tokensAfter: number;
    /** Strategy used, when the text changed. */
    strategy?: string;
    /** Why the text did not change, when it did not. */
    reason?: SkipReason;
    /** Retrieve hashes of markers in `text`. */
    hashes: string[];
}
/** A content-type detection. */
export interface Detection {
    /** The type. */
    type: ContentType;
    /** Language, for code (`python`, `typescript`, ...). */
    language?: string;
    /** Table flavour, for tables (`csv`, `tsv`, `markdown`). */
    format?: string;
    /** Confidence in [0, 1]. */
    confidence: number;
}
/** A typed section of mixed content. Offsets are JS string indices (UTF-16 code units). */
export interface Section {
    /** Start index. */
    start: number;
    /** End index (exclusive). */
    end: number;
    /** The type. */
    type: ContentType;
    /** Language, for code. */
    language?: string;
    /** Confidence in [0, 1]. */
    confidence: number;
}
/** A model registry entry. */
export interface ModelInfo {
    /** Canonical id. */
    id: string;
    /** `openai`, `anthropic`, `google`, ... */
    provider: string;
    /** The encoding counted with (`o200k_base`, `cl100k_base`). */
    tokenizer: 'o200k_base' | 'cl100k_base';
    /** Whether counts are exact; otherwise `estimateFactor` × the encoding's count. */
    exact: boolean;
    /** Estimate factor, for inexact models. */
    estimateFactor: number | null;
    /** Context window, tokens. */
    contextWindow: number;
    /** Output limit, tokens. */
    maxOutputTokens: number;
    /** How the count is made and how good it is. */
    note: string;
}
/** Every error thrown by this package: a message that says what and where, and a stable `code`. */
export declare class HeadroomError extends Error {
    /** The stable code. */
    readonly code: ErrorCode;
    constructor(code: ErrorCode, message: string);
}
/**
 * Compresses the tool outputs of a message array or a provider request body (Anthropic
 * Messages, OpenAI Chat Completions, OpenAI Responses). Never touches user or system text,
 * thinking, tool calls, images or unknown blocks; `cache_control` stays where it is.
 * Deterministic: the same input and options give the same output, and a block compresses
 * to the same bytes in every later request.
 *
 * Synchronous: for large inputs prefer {@link compressAsync}, which runs off the event loop.
 *
 * @throws {HeadroomError} `INVALID_ARGUMENT`, `INVALID_OPTION`, `UNSUPPORTED_SHAPE`, `INPUT_TOO_LARGE`, ...
 */
export declare function compress(input: Message[], opts?: CompressOptions): CompressResult<Message[]>;
export declare function compress(input: RequestBody, opts?: CompressOptions): CompressResult<RequestBody>;
/**
 * {@link compress} on the libuv thread pool: the event loop stays free while big inputs
 * are compressed. Rejects with {@link HeadroomError}, or with an `AbortError` when `signal`
 * aborts before the work starts.
 */
export declare function compressAsync(input: Message[], opts?: CompressOptions, signal?: AbortSignal): Promise<CompressResult<Message[]>>;
export declare function compressAsync(input: RequestBody, opts?: CompressOptions, signal?: AbortSignal): Promise<CompressResult<RequestBody>>;
/**
 * The server entry point: compresses a request body given as bytes or text and returns
 * the new body as bytes. Edits are spliced by byte range, so every byte outside the edited
 * strings is identical to the input; when nothing is edited the output equals the input.
 *
 * @throws {HeadroomError} `INVALID_UTF8`, `INVALID_JSON`, `UNSUPPORTED_SHAPE`, ...
 */
export declare function compressBody(body: Buffer | Uint8Array | string, opts?: CompressOptions): BodyResult;
/** {@link compressBody} on the libuv thread pool. */
export declare function compressBodyAsync(body: Buffer | Uint8Array | string, opts?: CompressOptions, signal?: AbortSignal): Promise<BodyResult>;
/**
 * Compresses one text (a tool output, a file, a log) outside any request.
 */
export declare function compressText(text: string, opts?: TextOptions): TextResult;
/**
 * Counts the tokens of `text` for `model` (default: o200k_base, exact). OpenAI models are
 * exact (o200k_base / cl100k_base); models without a public tokenizer (Claude, Gemini) are
 * estimated as documented in {@link models}.
 */
export declare function countTokens(text: string, model?: string): number;
/**
 * Builds the embedded tokenizer tables (tens of milliseconds, once per process) so that no
 * later call pays for it. Optional: everything initialises lazily on first use.
 */
export declare function warmup(): void;
/** Token ids of `text` (o200k_base by default). */
export declare function encode(text: string, encoding?: 'o200k_base' | 'cl100k_base'): number[];
/**
 * Counts the tokens of a message array or request body as the model sees it: content plus
 * each provider's per-message framing.
 */
export declare function countMessageTokens(input: Message[] | RequestBody, model?: string): number;
/** The model registry: tokenizer, context window, output limit, exact or estimated. */
export declare function models(): ModelInfo[];
/** The registry entry `model` resolves to (prefixes, dated variants, provider prefixes). */
export declare function lookupModel(model: string): ModelInfo;
/** Detects the content type of `text`. Bounded work: huge inputs are sampled. */
export declare function detectContentType(text: string): Detection;
/** Splits mixed content (prose, code fences, JSON, ...) into typed sections. */
export declare function detectSections(text: string): Section[];
/** The name of the retrieve tool. */
export declare const RETRIEVE_TOOL_NAME = "headroom_retrieve";
/**
 * The `headroom_retrieve` tool definition (required `hash`, optional `query`) in the format
 * of `provider`: Anthropic `{name, description, input_schema}`, OpenAI Chat
 * `{type: 'function', function: {...}}` or Responses `{type: 'function', name, ...}`.
 */
export declare function headroomRetrieveTool(provider: Exclude<Provider, 'auto'>): Record<string, unknown>;
/**
 * The one grammar of every elision marker, e.g.
 * `[85 of 100 rows omitted: 83 status=ok, 2 status=retry; retrieve hash=3f2a9c0d1e4b5a69]`.
 * Capture group 1 is the retrieve hash. Not global: use `new RegExp(MARKER_PATTERN, 'g')`
 * or {@link findMarkers} to find them all.
 */
export declare const MARKER_PATTERN: RegExp;
/** The retrieve hashes of every marker in `text`, in order. */
export declare function findMarkers(text: string): string[];
/** The version of the native addon. */
export declare const nativeVersion: string;
