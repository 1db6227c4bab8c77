//! headroom_messages (work in progress).
