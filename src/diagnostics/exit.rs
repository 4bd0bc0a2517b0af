//! The exit codes of the contract, shared by every command.

use super::finding::{Finding, Severity};

/// Nothing at or above `--fail-on`.
pub const OK: i32 = 0;
/// Findings at or above `--fail-on`.
pub const FINDINGS: i32 = 1;
/// The input or the command could not be used.
pub const UNUSABLE: i32 = 2;

/// The exit code for a set of findings and a `--fail-on` threshold: any
/// input error makes the input unusable, whatever the threshold.
pub fn exit_code(findings: &[Finding], fail_on: Severity) -> i32 {
    if findings.iter().any(|f| f.severity == Severity::Error) {
        UNUSABLE
    } else if findings.iter().any(|f| f.severity.at_least(fail_on)) {
        FINDINGS
    } else {
        OK
    }
}
