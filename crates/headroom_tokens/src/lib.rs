//! headroom_tokens (work in progress).
