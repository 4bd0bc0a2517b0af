//! Stages that allocate and free memory in bulk, for the allocator's sake.
//!
//! The binary chooses the allocator (mimalloc, see `main.rs`) and how it
//! hands freed memory back to the system; the library knows when a stage
//! frees and allocates a lot over and over, where handing memory back only
//! makes the kernel zero fresh pages for the next round. The library says
//! when such a stage runs ([`bulk`]); the binary registers what to do then
//! ([`on_bulk`]). Without a registration nothing happens (the library's
//! tests, other programs using the library).

use std::sync::OnceLock;

/// What the binary does when a bulk stage starts (`true`) and ends
/// (`false`).
static HOOK: OnceLock<fn(bool)> = OnceLock::new();

/// Registers what to do when a bulk stage starts and ends; the first
/// registration holds.
pub fn on_bulk(hook: fn(bool)) {
    let _ = HOOK.set(hook);
}

/// Runs `f`, a stage that allocates and frees in bulk (typesetting the
/// audit pack: Typst allocates and frees most of a volume's layout over and
/// over), telling the registered hook when it starts and ends.
pub fn bulk<T>(f: impl FnOnce() -> T) -> T {
    let hook = HOOK.get().copied();
    if let Some(hook) = hook {
        hook(true);
    }
    let value = f();
    if let Some(hook) = hook {
        hook(false);
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    thread_local! {
        // Per thread: other tests typeset packs (and so call the hook) on
        // their own threads meanwhile.
        static CALLS: Cell<usize> = const { Cell::new(0) };
    }

    fn count(starts: bool) {
        // Starts count one, ends ten: the sum shows both happened once.
        CALLS.set(CALLS.get() + if starts { 1 } else { 10 });
    }

    #[test]
    fn the_hook_hears_the_start_and_the_end() {
        on_bulk(count);
        let inside = bulk(|| CALLS.get());
        assert_eq!(inside, 1, "started before the stage ran");
        assert_eq!(CALLS.get(), 11);
    }
}
