//! A block's o200k count, asked for only when needed and, for a large block seen for the
//! first time, counted on a second thread while the block is compressed.
//!
//! The count of a large block costs as much as a good part of its compression (a 1 MB JSON
//! array: about 6 ms of one core). A block that is resent history is answered from the memo,
//! which stores its counts, so it is never counted again. A block seen for the first time
//! is counted beside its compression: the compressor asks for the count only at the end
//! (the bar its output must beat), by which time the other thread is usually done.

use std::sync::{Mutex, OnceLock};
use std::thread::{Scope, ScopedJoinHandle};

use crate::count::Counter;

/// The o200k count of one block: known, or counted on first use (see the module docs).
pub struct BlockTokens<'scope, 'env> {
  text: &'env str,
  scope: Option<&'scope Scope<'scope, 'env>>,
  pending: Mutex<Option<ScopedJoinHandle<'scope, usize>>>,
  value: OnceLock<usize>,
}

impl<'scope, 'env> BlockTokens<'scope, 'env> {
  /// A count the caller already has.
  pub fn known(text: &'env str, o200k: usize) -> Self {
    let value = OnceLock::new();
    let _ = value.set(o200k);
    BlockTokens {
      text,
      scope: None,
      pending: Mutex::new(None),
      value,
    }
  }

  /// A count made on first use, or beside other work once [`BlockTokens::start`] is called
  /// (only with a `scope`, and only for texts that [`headroom_tokens::counts_in_parallel`]).
  pub fn lazy(text: &'env str, scope: Option<&'scope Scope<'scope, 'env>>) -> Self {
    BlockTokens {
      text,
      scope,
      pending: Mutex::new(None),
      value: OnceLock::new(),
    }
  }

  /// Starts counting on another thread, if that pays (a large text, a scope, no count yet).
  pub fn start(&self) {
    let Some(scope) = self.scope else { return };
    if self.value.get().is_some() || !headroom_tokens::counts_in_parallel(self.text) {
      return;
    }
    let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
    if pending.is_none() {
      let text = self.text;
      *pending = Some(scope.spawn(move || {
        headroom_tokens::tokenizer(headroom_tokens::Encoding::O200kBase).count_serial(text)
      }));
    }
  }

  /// The count: the known one, the other thread's (joined), or counted now (on all cores).
  pub fn get(&self) -> usize {
    *self.value.get_or_init(|| {
      let handle = self
        .pending
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .take();
      // A panic on the counting thread is counted again here (and surfaces here).
      handle
        .and_then(|h| h.join().ok())
        .unwrap_or_else(|| Counter::o200k(self.text))
    })
  }

  /// Settles the count from a trusted record (the memo's counts of this very text), unless
  /// it is settled already.
  pub fn settle(&self, o200k: usize) {
    let _ = self.value.set(o200k);
  }

  /// The count if it is already settled, without waiting or counting.
  pub fn peek(&self) -> Option<usize> {
    self.value.get().copied()
  }

  /// The block's text.
  pub fn text(&self) -> &'env str {
    self.text
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn every_way_gives_the_exact_count() {
    let text = "{\"level\":\"error\",\"msg\":\"disk full\"}\n".repeat(9000);
    assert!(headroom_tokens::counts_in_parallel(&text));
    let exact = Counter::o200k(&text);
    assert_eq!(BlockTokens::known(&text, 7).get(), 7);
    assert_eq!(BlockTokens::lazy(&text, None).get(), exact);
    std::thread::scope(|scope| {
      let started = BlockTokens::lazy(&text, Some(scope));
      assert_eq!(started.peek(), None);
      started.start();
      started.start(); // a second start does not count twice
      assert_eq!(started.get(), exact);
      assert_eq!(started.peek(), Some(exact));
      let never_started = BlockTokens::lazy(&text, Some(scope));
      assert_eq!(never_started.get(), exact);
    });
  }
}
