//! Default bounds that keep work on hostile input finite.

/// Largest request body accepted by default (64 MiB; Anthropic's own limit is 32 MB).
pub const DEFAULT_MAX_INPUT_BYTES: usize = 64 * 1024 * 1024;

/// Deepest JSON nesting accepted by default. Real request bodies nest a dozen levels.
pub const DEFAULT_MAX_DEPTH: usize = 128;
