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

/// Runs every family of checks and returns their findings (unsorted).
pub fn run_all(ctx: &Context) -> Vec<Finding> {
    use crate::timing::step;
    let mut out = Vec::new();
    step("checks: ids", || ids::check(ctx, &mut out));
    step("checks: document control", || {
        document_control::check(ctx, &mut out)
    });
    step("checks: links", || links::check(ctx, &mut out));
    step("checks: soa", || soa::check(ctx, &mut out));
    step("checks: stage 1", || stage1::check(ctx, &mut out));
    step("checks: records", || records::check(ctx, &mut out));
    step("checks: promises", || promises::check(ctx, &mut out));
    step("checks: people", || people::check(ctx, &mut out));
    step("checks: suppliers", || suppliers::check(ctx, &mut out));
    step("checks: operation", || operation::check(ctx, &mut out));
    step("checks: actions", || actions::check(ctx, &mut out));
    step("checks: certification", || {
        certification::check(ctx, &mut out)
    });
    out
}

/// The rule codes of some findings, in order (for unit tests).
#[cfg(test)]
pub(crate) fn codes(findings: &[Finding]) -> Vec<&'static str> {
    findings.iter().map(|f| f.rule.code).collect()
}
