//! Stage timings for `--timings`: where a run spends its time, printed to
//! stderr so that the report on stdout (and its JSON) stays unchanged.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

static ENABLED: AtomicBool = AtomicBool::new(false);

/// Turns timing output on for the rest of the process.
pub fn enable() {
    ENABLED.store(true, Ordering::Relaxed);
}

/// Runs `f`, and when timings are on prints how long it took under `label`.
pub fn step<T>(label: &str, f: impl FnOnce() -> T) -> T {
    if !ENABLED.load(Ordering::Relaxed) {
        return f();
    }
    let start = Instant::now();
    let value = f();
    eprintln!(
        "timing: {label:<28} {:>9.1} ms",
        start.elapsed().as_secs_f64() * 1000.0
    );
    value
}
