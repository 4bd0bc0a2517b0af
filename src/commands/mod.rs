//! One module per subcommand; each returns the process exit code.

pub mod approve;
pub mod build;
pub mod check;
pub mod controls;
pub mod diff;
pub mod explain;
pub mod scaffold;

pub use crate::diagnostics::exit::{
    exit_code, FINDINGS as EXIT_FINDINGS, OK as EXIT_OK, UNUSABLE as EXIT_UNUSABLE,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Diagnostics with the source line, for a terminal.
    Human,
    /// The contract's JSON object.
    Json,
    /// SARIF 2.1.0, for code scanning (findings on the lines of a pull request).
    Sarif,
    /// GitHub Actions workflow commands (annotations).
    Github,
    /// A Markdown summary for a pull-request comment or job summary.
    Markdown,
}
