//! The "Certification" section of the audit overview: each certification-
//! body audit up to the as-of date with its findings, their grade, due date
//! and state, and a plain verdict on where certification stands.

use serde::Serialize;

use super::doc_href;
use crate::model::ids::{fmt_date, Date};
use crate::model::record::{CertStage, Grade, RecordDetails};
use crate::model::Isms;

#[derive(Serialize)]
pub(crate) struct Certification {
    /// One sentence: can certification proceed, and what is open.
    verdict: String,
    /// `ok`, `warn` or `bad`, for the verdict's tag.
    tone: &'static str,
    audits: Vec<AuditView>,
}

#[derive(Serialize)]
struct AuditView {
    id: String,
    href: String,
    stage: &'static str,
    date: String,
    body: Option<String>,
    findings: Vec<FindingView>,
}

#[derive(Serialize)]
struct FindingView {
    id: String,
    grade: &'static str,
    summary: Option<String>,
    due: Option<String>,
    /// `open`, `overdue` or `closed`.
    state: &'static str,
    closed_on: Option<String>,
    action_id: Option<String>,
}

/// The section, or `None` when no certification audit is dated on or before
/// `as_of` (an audit recorded for a later day has not happened yet).
pub(crate) fn section(isms: &Isms, as_of: Date) -> Option<Certification> {
    let mut audits = Vec::new();
    // (grade, since, in a surveillance or recertification audit) of every
    // open finding; and every overdue minor's due date.
    let mut open: Vec<(Grade, Date, bool)> = Vec::new();
    let mut overdue_minors = Vec::new();
    let mut records: Vec<_> = isms
        .records("certification-audit")
        .filter(|(_, r)| r.date.value <= as_of)
        .collect();
    records.sort_by_key(|(d, r)| (r.date.value, d.path.clone()));
    for (doc, rec) in records {
        let RecordDetails::CertificationAudit(audit) = &rec.details else {
            continue;
        };
        let after_certification = matches!(
            audit.stage,
            Some(CertStage::Surveillance | CertStage::Recertification)
        );
        let findings = audit
            .findings
            .iter()
            .map(|f| {
                let due = f.due(rec.date.value, isms.config.minor_nc_days);
                let state = match f.closed_on {
                    Some(_) => "closed",
                    None if due.is_some_and(|d| d < as_of) => "overdue",
                    None => "open",
                };
                if f.closed_on.is_none() {
                    open.push((f.grade, rec.date.value, after_certification));
                    if f.grade == Grade::Minor && state == "overdue" {
                        overdue_minors.extend(due);
                    }
                }
                FindingView {
                    id: f.id.clone(),
                    grade: f.grade.label(),
                    summary: f.summary.clone(),
                    due: due.map(fmt_date),
                    state,
                    closed_on: f.closed_on.map(fmt_date),
                    action_id: f.action_id.as_ref().map(|a| a.value.clone()),
                }
            })
            .collect();
        audits.push(AuditView {
            id: doc.id.as_str().to_string(),
            href: doc_href(doc),
            stage: audit.stage.map_or("Certification", CertStage::label),
            date: fmt_date(rec.date.value),
            body: audit.body.clone(),
            findings,
        });
    }
    if audits.is_empty() {
        return None;
    }
    let (verdict, tone) = verdict(&open, &overdue_minors);
    Some(Certification {
        verdict,
        tone,
        audits,
    })
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The plain verdict, worst news first.
fn verdict(open: &[(Grade, Date, bool)], overdue_minors: &[Date]) -> (String, &'static str) {
    let of = |g: Grade| open.iter().filter(move |(grade, _, _)| *grade == g);
    let majors: Vec<_> = of(Grade::Major).collect();
    if let Some(since) = majors.iter().map(|(_, d, _)| *d).min() {
        let at_risk = majors.iter().all(|(_, _, after)| *after);
        let head = if at_risk {
            "certification is at risk"
        } else {
            "certification cannot proceed"
        };
        return (
            format!(
                "{}{}: {} open since {}",
                head[..1].to_uppercase(),
                &head[1..],
                plural(majors.len(), "major nonconformity", "major nonconformities"),
                fmt_date(since)
            ),
            "bad",
        );
    }
    if let Some(first) = overdue_minors.iter().min() {
        return (
            format!(
                "No major nonconformity is open, but {} past the certification body's window (the first was due {})",
                plural(overdue_minors.len(), "minor nonconformity is", "minor nonconformities are"),
                fmt_date(*first)
            ),
            "bad",
        );
    }
    let minors = of(Grade::Minor).count();
    let concerns = of(Grade::Concern).count();
    if minors > 0 {
        return (
            format!(
                "No major nonconformity is open; {} open within the certification body's window",
                plural(
                    minors,
                    "minor nonconformity is",
                    "minor nonconformities are"
                )
            ),
            "warn",
        );
    }
    if concerns > 0 {
        return (
            format!(
                "No nonconformity is open; {} from Stage 1 still open",
                plural(concerns, "area of concern is", "areas of concern are")
            ),
            "warn",
        );
    }
    (
        "No nonconformity or area of concern from the certification body is open".into(),
        "ok",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testing::d;

    #[test]
    fn verdict_says_the_worst_first() {
        let open = [
            (Grade::Minor, d("2027-03-04"), false),
            (Grade::Major, d("2027-03-04"), false),
        ];
        let (v, tone) = verdict(&open, &[]);
        assert_eq!(
            v,
            "Certification cannot proceed: 1 major nonconformity open since 2027-03-04"
        );
        assert_eq!(tone, "bad");
        let (v, _) = verdict(&[(Grade::Major, d("2028-02-16"), true)], &[]);
        assert!(v.starts_with("Certification is at risk"), "{v}");
        let (v, tone) = verdict(&[(Grade::Minor, d("2027-03-04"), false)], &[]);
        assert!(v.contains("1 minor nonconformity is open within"), "{v}");
        assert_eq!(tone, "warn");
        let (v, _) = verdict(
            &[(Grade::Minor, d("2027-03-04"), false)],
            &[d("2027-06-02")],
        );
        assert!(v.contains("past the certification body's window"), "{v}");
        let (v, tone) = verdict(&[(Grade::Ofi, d("2027-03-04"), false)], &[]);
        assert!(v.starts_with("No nonconformity or area of concern"), "{v}");
        assert_eq!(tone, "ok");
    }
}
