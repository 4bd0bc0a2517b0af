//! The checks an auditor would make, one module per rule family. Each rule is
//! data (`rules`) plus the function in its family module that reports it.
//! Input errors found while reading (DC001-DC003, DC003 in CSV) are
//! reported by the load stage; everything judged on the model is here.

pub mod actions;
pub mod certification;
pub mod document_control;
pub mod evidence;
pub mod ids;
pub mod links;
pub mod operation;
pub mod people;
pub mod promises;
pub mod records;
pub mod suppliers;

pub mod soa;
pub mod stage1;

use crate::diagnostics::finding::Finding;
use crate::model::cycle::NextAudit;
use crate::model::ids::Date;
use crate::model::Isms;

/// What every check reads: the model and the date rules are judged against.
pub struct Context<'a> {
    pub isms: &'a Isms,
    pub as_of: Date,
}

impl Context<'_> {
    /// The certification-body audit the Stage 2 rules are judged against
    /// (Stage 2 or a surveillance audit), if any is configured.
    pub fn next_audit(&self) -> Option<NextAudit> {
        self.isms.next_audit(self.as_of)
    }
}

/// A family of checks: its name for `--timings`, and its function.
type Family = (&'static str, fn(&Context, &mut Vec<Finding>));

/// Every family, in the order their findings are gathered.
const FAMILIES: [Family; 12] = [
    ("checks: ids", ids::check),
    ("checks: document control", document_control::check),
    ("checks: links", links::check),
    ("checks: soa", soa::check),
    ("checks: stage 1", stage1::check),
    ("checks: records", records::check),
    ("checks: promises", promises::check),
    ("checks: people", people::check),
    ("checks: suppliers", suppliers::check),
    ("checks: operation", operation::check),
    ("checks: actions", actions::check),
    ("checks: certification", certification::check),
];

/// Runs every family of checks and returns their findings (unsorted). The
/// families read the model only and report into their own lists, so they
/// run on every core; the lists are joined in [`FAMILIES`] order.
pub fn run_all(ctx: &Context) -> Vec<Finding> {
    use rayon::prelude::*;
    FAMILIES
        .par_iter()
        .flat_map_iter(|(name, check)| {
            let mut out = Vec::new();
            crate::timing::step(name, || check(ctx, &mut out));
            out
        })
        .collect()
}

/// The rule codes of some findings, in order (for unit tests).
#[cfg(test)]
pub(crate) fn codes(findings: &[Finding]) -> Vec<&'static str> {
    findings.iter().map(|f| f.rule.code).collect()
}
