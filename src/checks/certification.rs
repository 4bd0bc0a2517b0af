//! The certification body's findings (CB001-CB004): what its audits raised
//! and whether it is closed in time. An audit record dated after the as-of
//! date has not happened yet on that date and is not judged.

use super::Context;
use crate::diagnostics::finding::{Finding, Severity};
use crate::diagnostics::rules;
use crate::model::document::Document;
use crate::model::ids::fmt_date;
use crate::model::record::{CertFinding, CertificationAudit, Grade, Record, RecordDetails};

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for (doc, rec, audit) in audits(ctx) {
        for f in &audit.findings {
            judge(ctx, doc, rec, audit, f, out);
        }
    }
}

/// Certification-audit records dated on or before the as-of date.
pub fn audits<'a>(
    ctx: &'a Context<'a>,
) -> impl Iterator<Item = (&'a Document, &'a Record, &'a CertificationAudit)> {
    ctx.isms
        .records("certification-audit")
        .filter(|(_, r)| r.date.value <= ctx.as_of)
        .filter_map(|(d, r)| match &r.details {
            RecordDetails::CertificationAudit(a) => Some((d, r, a)),
            _ => None,
        })
}

fn judge(
    ctx: &Context,
    doc: &Document,
    rec: &Record,
    audit: &CertificationAudit,
    f: &CertFinding,
    out: &mut Vec<Finding>,
) {
    let at = |rule: &'static rules::Rule, message: String| {
        let stage = audit
            .stage
            .map(|s| format!("{} audit", s.label()))
            .unwrap_or_else(|| "certification audit".into());
        Finding::new(
            rule,
            format!(
                "{} ({}): {stage} of {}, {} `{}` {message}",
                doc.id.value,
                doc.path,
                fmt_date(rec.date.value),
                f.grade.label(),
                f.id
            ),
        )
        .at(&doc.path, f.line)
        .document(&doc.id.value)
        .hint(rule.fix)
    };
    let open = f.closed_on.is_none();
    match f.grade {
        Grade::Major if open => out.push(at(
            &rules::CB001,
            "is open: certification cannot proceed until it is closed".into(),
        )),
        Grade::Minor if open => {
            let due = f.due(rec.date.value, ctx.isms.config.minor_nc_days);
            if let Some(due) = due.filter(|d| *d < ctx.as_of) {
                out.push(at(
                    &rules::CB002,
                    format!("was due {} and is not closed", fmt_date(due)),
                ));
            }
        }
        Grade::Concern if open => {
            let passed = ctx.isms.config.stage2.is_some_and(|s| s < ctx.as_of);
            let f = at(
                &rules::CB004,
                if passed {
                    "is still open after Stage 2".into()
                } else {
                    "is open".into()
                },
            );
            out.push(if passed {
                f.severity(Severity::Minor)
            } else {
                f
            });
        }
        _ => {}
    }
    if f.grade.is_nonconformity() && f.action_id.is_none() {
        out.push(at(&rules::CB003, "names no corrective action".into()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::codes;
    use crate::model::ids::Spanned;
    use crate::model::record::{CertStage, CertificationAudit};
    use crate::model::testing::{d, isms, record};
    use crate::model::Isms;

    fn finding(id: &str, grade: Grade, line: u32) -> CertFinding {
        CertFinding {
            id: id.into(),
            grade,
            summary: None,
            clause: None,
            control: None,
            action_id: Some(Spanned::new("CA-1".into(), line + 1)),
            due: None,
            closed_on: None,
            line,
        }
    }

    fn audit(stage: CertStage, date: &str, findings: Vec<CertFinding>) -> Document {
        let mut r = record("REC-CB", "certification-audit");
        if let Some(rec) = r.record.as_mut() {
            rec.date.value = d(date);
            rec.details = RecordDetails::CertificationAudit(CertificationAudit {
                stage: Some(stage),
                body: Some("Meridian".into()),
                findings,
            });
        }
        r
    }

    fn run(i: &Isms, as_of: &str) -> Vec<Finding> {
        let ctx = Context {
            isms: i,
            as_of: d(as_of),
        };
        let mut out = Vec::new();
        check(&ctx, &mut out);
        out
    }

    fn lines(out: &[Finding]) -> Vec<(&'static str, Option<u32>)> {
        out.iter().map(|f| (f.rule.code, f.line)).collect()
    }

    #[test]
    fn cb001_open_major_until_closed() {
        let mut major = finding("NC1", Grade::Major, 12);
        let i = isms(
            vec![audit(CertStage::Stage2, "2027-03-04", vec![major.clone()])],
            None,
        );
        let out = run(&i, "2027-03-05");
        assert_eq!(lines(&out), vec![("CB001", Some(12))]);
        assert_eq!(out[0].path.as_deref(), Some("rec-cb.md"));
        assert!(
            out[0]
                .message
                .contains("Stage 2 audit of 2027-03-04, major nonconformity `NC1`"),
            "{}",
            out[0].message
        );
        major.closed_on = Some(d("2027-03-20"));
        let i = isms(
            vec![audit(CertStage::Stage2, "2027-03-04", vec![major])],
            None,
        );
        assert!(run(&i, "2027-03-21").is_empty());
    }

    #[test]
    fn cb002_minor_after_its_window() {
        let i = isms(
            vec![audit(
                CertStage::Stage2,
                "2027-03-04",
                vec![finding("NC2", Grade::Minor, 14)],
            )],
            None,
        );
        // 90 days after 2027-03-04 is 2027-06-02: due that day, overdue after.
        assert!(run(&i, "2027-06-02").is_empty());
        let out = run(&i, "2027-06-03");
        assert_eq!(lines(&out), vec![("CB002", Some(14))]);
        assert!(
            out[0].message.contains("was due 2027-06-02"),
            "{}",
            out[0].message
        );
        // A shorter window from the configuration, and a `due` as written.
        let mut i = i;
        i.config.minor_nc_days = 30;
        assert_eq!(codes(&run(&i, "2027-04-04")), vec!["CB002"]);
        let mut written = finding("NC2", Grade::Minor, 14);
        written.due = Some(d("2027-09-01"));
        let i = isms(
            vec![audit(CertStage::Stage2, "2027-03-04", vec![written])],
            None,
        );
        assert!(run(&i, "2027-08-01").is_empty());
    }

    #[test]
    fn cb003_nonconformity_without_action() {
        let mut minor = finding("NC3", Grade::Minor, 16);
        minor.action_id = None;
        minor.closed_on = Some(d("2027-03-10"));
        let mut ofi = finding("OFI1", Grade::Ofi, 18);
        ofi.action_id = None;
        let i = isms(
            vec![audit(CertStage::Stage2, "2027-03-04", vec![minor, ofi])],
            None,
        );
        let out = run(&i, "2027-03-20");
        assert_eq!(lines(&out), vec![("CB003", Some(16))]);
        assert_eq!(out[0].severity, Severity::Observation);
    }

    #[test]
    fn cb004_concern_open_minor_after_stage2() {
        let concern = finding("C1", Grade::Concern, 20);
        let mut i = isms(
            vec![audit(
                CertStage::Stage1,
                "2027-01-13",
                vec![concern.clone()],
            )],
            None,
        );
        i.config.stage2 = Some(d("2027-03-02"));
        let out = run(&i, "2027-03-02");
        assert_eq!(lines(&out), vec![("CB004", Some(20))]);
        assert_eq!(out[0].severity, Severity::Observation);
        let out = run(&i, "2027-03-03");
        assert_eq!(out[0].severity, Severity::Minor);
        assert!(out[0].message.contains("after Stage 2"));
        let mut closed = concern;
        closed.closed_on = Some(d("2027-02-08"));
        let i = isms(
            vec![audit(CertStage::Stage1, "2027-01-13", vec![closed])],
            None,
        );
        assert!(run(&i, "2027-03-03").is_empty());
    }

    #[test]
    fn audits_after_the_as_of_date_are_not_judged_yet() {
        let i = isms(
            vec![audit(
                CertStage::Stage2,
                "2027-03-04",
                vec![finding("NC1", Grade::Major, 12)],
            )],
            None,
        );
        assert!(run(&i, "2027-03-03").is_empty());
        assert_eq!(codes(&run(&i, "2027-03-04")), vec!["CB001"]);
    }
}
