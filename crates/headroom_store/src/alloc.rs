//! SQLite's memory, taken from Rust's global allocator.
//!
//! Bundled SQLite allocates with the C library's `malloc`. An in-memory store holds its pages
//! there, and a large original is stored as hundreds of page-sized allocations. When the
//! store closes, glibc gives the freed top of its heap back to the kernel, so the next store
//! faults every page in again. Opening an in-memory store, putting a 1.17 MB original and
//! closing it took 0.50 + 2.22 + 0.23 ms with that trimming and 0.34 + 0.56 + 0.03 ms without
//! it (glibc's trim threshold raised by `GLIBC_TUNABLES`, 200 rounds).
//!
//! Routing SQLite through [`std::alloc`] gives it whatever allocator the program chose. The
//! Node addon uses mimalloc, which keeps freed pages for reuse, so SQLite's memory comes from
//! the same warm pool as the compressors'.
//!
//! SQLite asks for the size of a live allocation (`xSize`), which `std::alloc` does not
//! know: each block carries its requested size in a 16-byte header (16 keeps the payload at
//! the alignment SQLite and the C ABI expect).

use std::alloc::{Layout, alloc, dealloc, realloc};
use std::ffi::{c_int, c_void};
use std::ptr::null_mut;
use std::sync::Once;

use rusqlite::ffi;

/// Bytes in front of each block: its requested size, padded to the alignment.
const HEADER: usize = 16;
/// Alignment of every block (and so of every payload, `HEADER` being a multiple of it).
const ALIGN: usize = 16;

/// Installs the allocator, once, before SQLite initializes (it is refused afterwards, and
/// SQLite then keeps `malloc`, which is still correct). Called before any connection opens.
pub(crate) fn install() {
  static ONCE: Once = Once::new();
  ONCE.call_once(|| {
    let methods = ffi::sqlite3_mem_methods {
      xMalloc: Some(x_malloc),
      xFree: Some(x_free),
      xRealloc: Some(x_realloc),
      xSize: Some(x_size),
      xRoundup: Some(x_roundup),
      xInit: Some(x_init),
      xShutdown: Some(x_shutdown),
      pAppData: null_mut(),
    };
    // SAFETY: SQLITE_CONFIG_MALLOC takes a pointer to an `sqlite3_mem_methods`, which SQLite
    // copies before returning. Only this crate uses the bundled SQLite, and no connection has
    // opened yet (the `Once` runs before the first), so SQLite is not initialized and no block
    // from another allocator can reach these functions.
    let rc = unsafe { ffi::sqlite3_config(ffi::SQLITE_CONFIG_MALLOC, &methods as *const _) };
    debug_assert!(
      rc == ffi::SQLITE_OK || rc == ffi::SQLITE_MISUSE,
      "sqlite3_config: {rc}"
    );
  });
}

fn layout(size: usize) -> Option<Layout> {
  Layout::from_size_align(size.checked_add(HEADER)?, ALIGN).ok()
}

/// The block's base (where its header is) from the payload pointer SQLite holds.
///
/// # Safety
/// `p` must be a non-null pointer returned by [`x_malloc`] or [`x_realloc`] and not freed.
unsafe fn base_and_size(p: *mut c_void) -> (*mut u8, usize) {
  // SAFETY: the caller's contract: `p` is `HEADER` bytes past the start of one of our blocks,
  // whose first word holds the requested size.
  unsafe {
    let base = p.cast::<u8>().sub(HEADER);
    (base, base.cast::<usize>().read())
  }
}

unsafe extern "C" fn x_malloc(n: c_int) -> *mut c_void {
  let Some(l) = usize::try_from(n).ok().and_then(layout) else {
    return null_mut();
  };
  // SAFETY: `l` has a non-zero size (at least `HEADER`).
  let base = unsafe { alloc(l) };
  if base.is_null() {
    return null_mut();
  }
  // SAFETY: the block is at least `HEADER` bytes, aligned for `usize`.
  unsafe {
    base.cast::<usize>().write(l.size() - HEADER);
    base.add(HEADER).cast()
  }
}

unsafe extern "C" fn x_free(p: *mut c_void) {
  if p.is_null() {
    return;
  }
  // SAFETY: SQLite frees only blocks it got from `x_malloc`/`x_realloc`, once.
  unsafe {
    let (base, size) = base_and_size(p);
    if let Some(l) = layout(size) {
      dealloc(base, l);
    }
  }
}

unsafe extern "C" fn x_realloc(p: *mut c_void, n: c_int) -> *mut c_void {
  if p.is_null() {
    // SAFETY: forwarding SQLite's call.
    return unsafe { x_malloc(n) };
  }
  let Some(new) = usize::try_from(n).ok().and_then(layout) else {
    return null_mut();
  };
  // SAFETY: `p` is a live block of ours (SQLite's contract); `realloc` gets the layout it was
  // allocated with and a non-zero size that fits `isize` (checked by `layout`).
  unsafe {
    let (base, size) = base_and_size(p);
    let Some(old) = layout(size) else {
      return null_mut();
    };
    let moved = realloc(base, old, new.size());
    if moved.is_null() {
      return null_mut();
    }
    moved.cast::<usize>().write(new.size() - HEADER);
    moved.add(HEADER).cast()
  }
}

unsafe extern "C" fn x_size(p: *mut c_void) -> c_int {
  if p.is_null() {
    return 0;
  }
  // SAFETY: SQLite asks only about its live blocks.
  let (_, size) = unsafe { base_and_size(p) };
  c_int::try_from(size).unwrap_or(c_int::MAX)
}

unsafe extern "C" fn x_roundup(n: c_int) -> c_int {
  // Multiples of 8, as SQLite's own default allocator rounds.
  n.checked_add(7).map_or(n, |m| m & !7)
}

unsafe extern "C" fn x_init(_: *mut c_void) -> c_int {
  ffi::SQLITE_OK
}

unsafe extern "C" fn x_shutdown(_: *mut c_void) {}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn blocks_keep_their_size_and_contents_through_realloc() {
    // SAFETY: the functions are used as SQLite would: each block freed once, sizes positive.
    unsafe {
      let p = x_malloc(10);
      assert!(!p.is_null());
      assert_eq!(p as usize % ALIGN, 0);
      assert_eq!(x_size(p), 10);
      std::ptr::copy_nonoverlapping(b"0123456789".as_ptr(), p.cast(), 10);
      let q = x_realloc(p, 100_000);
      assert_eq!(x_size(q), 100_000);
      assert_eq!(
        std::slice::from_raw_parts(q.cast::<u8>(), 10),
        b"0123456789"
      );
      let r = x_realloc(q, 3);
      assert_eq!(std::slice::from_raw_parts(r.cast::<u8>(), 3), b"012");
      x_free(r);
      x_free(null_mut());
      assert!(x_malloc(-1).is_null());
      assert_eq!(x_roundup(13), 16);
      assert_eq!(x_roundup(c_int::MAX), c_int::MAX);
    }
  }
}
