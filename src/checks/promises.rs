//! RD021: a body promises a recurring activity in words ("access is reviewed
//! quarterly") that the document does not declare in `recurring:`, so no
//! rule can ask for its records (RD008) and the auditor will.
//!
//! The phrase list and its intervals are the contract's (section 5.5,
//! "Promises"): matched case-insensitively on word boundaries, outside
//! fenced code, each place counted once as the longest phrase there. A
//! phrase is covered by a `recurring:` entry of the same interval (a week is
//! 7 days, a quarter 3 months, a year 12 months), or, on a line that speaks
//! of review, by the document's own review interval, which DC007 judges.

use super::Context;
use crate::diagnostics::finding::Finding;
use crate::diagnostics::rules;
use crate::model::document::Document;
use crate::model::ids::{add_months, Date};
use crate::model::promises::{Promise, Span};

/// Whole months from `from` to `to`: the largest n with from + n months <= to.
fn whole_months(from: Date, to: Date) -> u32 {
    use chrono::Datelike;
    if to < from {
        return 0;
    }
    let rough = (to.year() - from.year()) * 12 + to.month() as i32 - from.month() as i32;
    let mut n = rough.max(0) as u32;
    while n > 0 && add_months(from, n) > to {
        n -= 1;
    }
    n
}

/// The document's own review interval: the whole months from `approved_on`
/// to `next_review` when both are written, else the configured interval.
fn own_review(ctx: &Context, doc: &Document) -> Span {
    match (&doc.approved_on, &doc.next_review) {
        (Some(on), Some(next)) => Span::Months(whole_months(on.value, next.value)),
        _ => Span::Months(ctx.isms.config.review_interval_months),
    }
}

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    use rayon::prelude::*;
    // Each document on its own, on every core, collected in document
    // order: a large ISMS has thousands of these findings on each rebuild.
    let findings: Vec<Finding> = ctx
        .isms
        .documents
        .par_iter()
        .map(|d| &**d)
        .filter(|doc| doc.is_approved() && !doc.is_record())
        .flat_map_iter(|doc| document_findings(ctx, doc))
        .collect();
    out.extend(findings);
}

/// The RD021 findings of one approved document that is not a record.
fn document_findings(ctx: &Context, doc: &Document) -> Vec<Finding> {
    let declared: Vec<Span> = doc.recurring.iter().map(|r| Span::from(r.every)).collect();
    let review = own_review(ctx, doc);
    let mut out = Vec::new();
    for line in doc.promises() {
        let covered =
            |p: &&Promise| declared.contains(&p.span) || (line.mentions_review && p.span == review);
        let Some(promise) = line.promises.iter().find(|p| !covered(p)) else {
            continue;
        };
        let id = doc.id.as_str();
        out.push(
            Finding::new(
                &rules::RD021,
                format!(
                    "{id} promises an activity \"{}\" (every {}) that `recurring:` does not declare",
                    promise.phrase, promise.span
                ),
            )
            .at(&doc.path, line.line)
            .document(id)
            .hint(format!(
                "declare it, e.g. `recurring: [{{record: <record kind>, every: \"{}\"}}]`, and keep records of it; or reword the sentence if nobody does it at that interval",
                promise.span
            )),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::codes;
    use crate::model::document::{DocType, Recurring};
    use crate::model::ids::{Interval, Spanned};
    use crate::model::testing::*;

    fn policy(body: &str) -> crate::model::document::Document {
        let mut p = doc("PRO-AR", DocType::Procedure);
        p.body = body.to_string();
        p.body_line = 15;
        p
    }

    fn run(docs: Vec<crate::model::document::Document>) -> Vec<Finding> {
        let i = isms(docs, None);
        let mut out = Vec::new();
        check(
            &Context {
                isms: &i,
                as_of: d("2027-01-01"),
            },
            &mut out,
        );
        out
    }

    #[test]
    fn an_undeclared_promise_is_found_at_its_line() {
        let out = run(vec![policy(
            "# Access review\n\nAccess is reviewed quarterly and logged monthly.\n",
        )]);
        assert_eq!(codes(&out), vec!["RD021"]);
        assert_eq!(out[0].path.as_deref(), Some("pro-ar.md"));
        assert_eq!(out[0].line, Some(17));
        assert!(
            out[0].message.contains("\"quarterly\""),
            "{}",
            out[0].message
        );
    }

    #[test]
    fn an_equivalent_recurring_interval_covers_the_promise() {
        let mut p = policy("Access is reviewed quarterly.\nScans run every week.\n");
        p.recurring = vec![
            Recurring {
                record: "access-review".into(),
                every: Interval::Months(3),
                line: 12,
            },
            Recurring {
                record: "vulnerability-scan".into(),
                every: Interval::Days(7),
                line: 12,
            },
        ];
        assert!(run(vec![p]).is_empty());
    }

    #[test]
    fn promises_in_fenced_code_and_in_drafts_are_quiet() {
        let body = "```\nrun daily\n~~~\nstill code, weekly\n```\n~~~~\nmonthly\n~~~~\n";
        assert!(run(vec![policy(body)]).is_empty());
        let mut draft = policy("Reviewed quarterly.");
        draft.status = Some(crate::model::document::Status::Draft);
        assert!(run(vec![draft]).is_empty());
        let mut r = record("REC-1", "access-review");
        r.body = "Done quarterly.".into();
        assert!(run(vec![r]).is_empty());
    }

    #[test]
    fn the_documents_own_review_is_not_a_promise() {
        // Approved 2026-06-01, reviewed every 12 months by default.
        assert!(run(vec![policy("This policy is reviewed annually.")]).is_empty());
        // Not a review line: still a promise.
        assert_eq!(
            codes(&run(vec![policy("Keys are rotated annually.")])),
            vec!["RD021"]
        );
        // A written next_review sets the interval: 6 whole months.
        let mut p = policy("We review this policy every six months.");
        p.next_review = Some(Spanned::new(d("2026-12-01"), 10));
        assert!(run(vec![p.clone()]).is_empty());
        p.body = "We review this policy annually.".into();
        assert_eq!(codes(&run(vec![p])), vec!["RD021"]);
    }

    #[test]
    fn whole_months_clamp_at_month_ends() {
        assert_eq!(whole_months(d("2026-01-31"), d("2026-02-28")), 1);
        assert_eq!(whole_months(d("2026-05-11"), d("2027-05-11")), 12);
        assert_eq!(whole_months(d("2026-05-11"), d("2027-05-10")), 11);
    }
}
