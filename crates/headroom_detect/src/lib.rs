//! headroom_detect (work in progress).
