/** Billed tokens by class. */
export interface TokenClasses {
    /** Input tokens billed at the full rate (not read from or written to a cache). */
    input: number;
    /** Input tokens written to the prompt cache (Anthropic `cache_creation_input_tokens`). */
    cacheWrite: number;
    /** Input tokens read from the prompt cache. */
    cacheRead: number;
    /** Output tokens. */
    output: number;
}
/** Zero in every class. */
export declare function noTokens(): TokenClasses;
/** Adds `b` into `a`. */
export declare function addTokens(a: TokenClasses, b: TokenClasses): void;
/**
 * Token classes of a `usage` object in any of the three formats (Anthropic Messages,
 * OpenAI Chat, OpenAI Responses); `undefined` when `usage` is not one.
 */
export declare function tokenClasses(usage: unknown): TokenClasses | undefined;
/**
 * Sums usage objects of one format key by key (nested objects too): what a client is
 * billed for a turn the proxy continued upstream after answering retrieve calls.
 */
export declare function sumUsage(parts: Record<string, unknown>[]): Record<string, unknown>;
/** List prices in USD per million tokens. */
export interface Price {
    /** Uncached input. */
    input: number;
    /** Input read from the prompt cache. */
    cacheRead: number;
}
/** Model-id prefixes and their list prices (2026-11); the longest matching prefix wins. */
export declare const PRICES: Record<string, Price>;
/** The price of `model` (provider prefixes such as `anthropic/` ignored), if known. */
export declare function priceOf(model: string | undefined): Price | undefined;
/** How dollar savings are computed, shown beside them. */
export declare const SAVINGS_BASIS: string;
