//! One module per subcommand; each returns the process exit code.

pub mod approve;
pub mod build;
pub mod check;
pub mod controls;
pub mod explain;
pub mod scaffold;

/// Exit codes of the contract.
pub const EXIT_OK: i32 = 0;
pub const EXIT_FINDINGS: i32 = 1;
pub const EXIT_UNUSABLE: i32 = 2;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
}
