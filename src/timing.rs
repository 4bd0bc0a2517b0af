//! Stage timings for `--timings`: where a run spends its time, printed to
//! stderr so that the report on stdout (and its JSON) stays unchanged.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;
use std::time::Instant;

static ENABLED: AtomicBool = AtomicBool::new(false);

/// When timings were turned on: each step also prints when it ended, so
/// that steps run side by side can be told from steps run one after the
/// other.
static STARTED: OnceLock<Instant> = OnceLock::new();

/// Turns timing output on for the rest of the process.
pub fn enable() {
    STARTED.get_or_init(Instant::now);
    ENABLED.store(true, Ordering::Relaxed);
}

/// Runs `f`, and when timings are on prints how long it took under `label`.
pub fn step<T>(label: &str, f: impl FnOnce() -> T) -> T {
    if !ENABLED.load(Ordering::Relaxed) {
        return f();
    }
    let start = Instant::now();
    let value = f();
    let ended = STARTED
        .get()
        .map_or(0.0, |t| t.elapsed().as_secs_f64() * 1000.0);
    eprintln!(
        "timing: {label:<28} {:>9.1} ms  (ends at {ended:>7.0} ms){}",
        start.elapsed().as_secs_f64() * 1000.0,
        resident().map_or_else(String::new, |mib| format!("  (resident {mib} MiB)")),
    );
    value
}

/// The process's resident memory in MiB where the system tells it (Linux):
/// with the step timings it shows which step holds the memory.
fn resident() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024)
}
