//! An o200k count asked for only when needed and, for a large text, made on a second thread
//! while the caller does other work with the text.
//!
//! Counting a large text costs as much as a good part of compressing it (a 1 MB JSON array:
//! about 6 ms of one core). The router starts counting a large block as soon as it looks at
//! it, on a second thread beside its work, and calls the count off when the memo turns out to
//! hold the block's counts (a resent block is never counted whole again); the JSON compressor
//! counts beside its work when called directly. The compressor asks for the count only at its
//! end (the bar its output must beat), by which time the other thread is usually done.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread::{Scope, ScopedJoinHandle};

use crate::{Encoding, tokenizer};

/// The counting thread counts a text in parts of about this many bytes, so that it can be
/// called off between two parts ([`LazyCount::settle`], or dropping the count).
const PART_BYTES: usize = 16 * 1024;

/// The o200k count of one text: known, or counted on first use (see the module docs).
pub struct LazyCount<'scope, 'env> {
  text: &'env str,
  scope: Option<&'scope Scope<'scope, 'env>>,
  pending: Mutex<Option<Pending<'scope>>>,
  value: OnceLock<usize>,
}

/// A count under way on another thread.
struct Pending<'scope> {
  /// The whole count, or `None` if it was called off or panicked.
  handle: ScopedJoinHandle<'scope, Option<usize>>,
  /// Set to call the count off (the thread stops before its next part).
  stop: Arc<AtomicBool>,
}

impl<'scope, 'env> LazyCount<'scope, 'env> {
  /// A count the caller already has.
  pub fn known(text: &'env str, o200k: usize) -> Self {
    let value = OnceLock::new();
    let _ = value.set(o200k);
    LazyCount {
      text,
      scope: None,
      pending: Mutex::new(None),
      value,
    }
  }

  /// A count made on first use, or beside other work once [`LazyCount::start`] is called
  /// (only with a `scope`, and only for texts [`crate::counts_beside`] other work).
  pub fn lazy(text: &'env str, scope: Option<&'scope Scope<'scope, 'env>>) -> Self {
    LazyCount {
      text,
      scope,
      pending: Mutex::new(None),
      value: OnceLock::new(),
    }
  }

  /// Starts counting on another thread, if that pays (a text of at least
  /// [`crate::BESIDE_MIN_BYTES`], a scope, no count yet). A text that
  /// [`crate::counts_in_parallel`] is then counted on that one thread, beside the caller's
  /// work, rather than on all cores after it.
  ///
  /// The thread counts in parts cut at piece boundaries ([`crate::split_points`]), so a
  /// count that turns out not to be needed ([`LazyCount::settle`]) stops within one part:
  /// a caller may start it before it knows whether it will need it.
  pub fn start(&self) {
    let Some(scope) = self.scope else { return };
    if self.value.get().is_some() || !crate::counts_beside(self.text) {
      return;
    }
    let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
    if pending.is_none() {
      let text = self.text;
      let stop = Arc::new(AtomicBool::new(false));
      let stopped = stop.clone();
      // A panic while counting ends the thread with no count (never unwinds out of it:
      // a count nobody waits for would otherwise fail the whole scope).
      let handle = scope.spawn(move || {
        std::panic::catch_unwind(|| {
          crate::with_warm_cache(|| {
            let tk = tokenizer(Encoding::O200kBase);
            let mut bounds = crate::split_points(text, text.len().div_ceil(PART_BYTES));
            bounds.push(text.len());
            let mut from = 0;
            let mut total = 0;
            for to in bounds {
              if stopped.load(Ordering::Relaxed) {
                return None;
              }
              total += tk.count_serial(&text[from..to]);
              from = to;
            }
            Some(total)
          })
        })
        .ok()
        .flatten()
      });
      *pending = Some(Pending { handle, stop });
    }
  }

  /// The count: the known one, the other thread's (waited for), or counted now (on all
  /// cores).
  pub fn get(&self) -> usize {
    *self.value.get_or_init(|| {
      let pending = self
        .pending
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .take();
      // A count the thread did not finish (called off, or a panic) is made here.
      pending
        .and_then(|p| p.handle.join().ok().flatten())
        .unwrap_or_else(|| tokenizer(Encoding::O200kBase).count(self.text))
    })
  }

  /// Settles the count from a trusted record (the memo's counts of this very text), unless
  /// it is settled already, and calls off a count under way.
  pub fn settle(&self, o200k: usize) {
    let _ = self.value.set(o200k);
    self.call_off();
  }

  fn call_off(&self) {
    if let Some(p) = &*self.pending.lock().unwrap_or_else(|e| e.into_inner()) {
      p.stop.store(true, Ordering::Relaxed);
    }
  }

  /// The count if it is already settled, without waiting or counting.
  pub fn peek(&self) -> Option<usize> {
    self.value.get().copied()
  }

  /// The text counted.
  pub fn text(&self) -> &'env str {
    self.text
  }
}

impl Drop for LazyCount<'_, '_> {
  /// A count nobody asked for is called off, so the scope does not wait for all of it.
  fn drop(&mut self) {
    self.call_off();
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn every_way_gives_the_exact_count() {
    let text = "{\"level\":\"error\",\"msg\":\"disk full\"}\n".repeat(9000);
    assert!(crate::counts_in_parallel(&text));
    let exact = tokenizer(Encoding::O200kBase).count(&text);
    assert_eq!(LazyCount::known(&text, 7).get(), 7);
    assert_eq!(LazyCount::lazy(&text, None).get(), exact);
    std::thread::scope(|scope| {
      let started = LazyCount::lazy(&text, Some(scope));
      assert_eq!(started.peek(), None);
      started.start();
      started.start(); // a second start does not count twice
      assert_eq!(started.get(), exact);
      assert_eq!(started.peek(), Some(exact));
      let never_started = LazyCount::lazy(&text, Some(scope));
      assert_eq!(never_started.get(), exact);
    });
  }

  #[test]
  fn a_settled_count_is_called_off() {
    let text = "{\"level\":\"error\",\"msg\":\"disk full\"}\n".repeat(100_000);
    let parts = crate::split_points(&text, text.len().div_ceil(PART_BYTES)).len() + 1;
    assert!(parts > 10, "{parts} parts");
    std::thread::scope(|scope| {
      let count = LazyCount::lazy(&text, Some(scope));
      count.start();
      count.settle(7);
      assert_eq!(count.get(), 7);
      let p = count.pending.lock().unwrap().take().unwrap();
      assert!(p.stop.load(Ordering::Relaxed));
      // Stopped before its last part, whatever it had counted by then.
      assert_eq!(p.handle.join().unwrap(), None);
    });
    // Parts add up to the whole.
    std::thread::scope(|scope| {
      let count = LazyCount::lazy(&text, Some(scope));
      count.start();
      assert_eq!(
        count.get(),
        tokenizer(Encoding::O200kBase).count_serial(&text)
      );
    });
  }
}
