//! Diagnostics shared by every stage: the rule catalogue ([`rules`]) and the
//! findings that checks and loading report against it ([`finding`]).
//!
//! Every module may use this one; it depends only on the model (a finding
//! can name an Annex A control).

pub mod exit;
pub mod finding;
pub mod rules;

pub use finding::{sort_findings, Finding, Severity};
pub use rules::Rule;
