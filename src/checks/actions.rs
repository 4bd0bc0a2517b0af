//! Actions and the cycle of internal audit and management review (RD016-
//! RD020): whether what the ISMS decided to do gets done, by someone, by a
//! date, and is checked for effect (clauses 6.1.3, 9.3.3, 10.2).

use std::collections::HashSet;

use super::Context;
use crate::diagnostics::finding::Finding;
use crate::diagnostics::rules;
use crate::model::action::{Action, Source, State};
use crate::model::ids::{fmt_date, Interval};
use crate::model::record::RecordDetails;

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for action in &ctx.isms.actions {
        if action.source.is_planned() {
            overdue(ctx, action, out);
            unassigned(action, out);
        }
        if action.source == Source::CorrectiveActions
            && action.state(ctx.as_of) == State::ClosedUnreviewed
        {
            out.push(
                finding(
                    &rules::RD018,
                    action,
                    format!(
                        "corrective action {} was closed {} without an effectiveness review",
                        action.name(),
                        action.closed_on.map(fmt_date).unwrap_or_default()
                    ),
                )
                .hint("record in `effectiveness_reviewed_on` the day you checked the fix worked"),
            );
        }
    }
    references(ctx, out);
    cycle(ctx, "internal-audit", "internal audit", "9.2", out);
    cycle(ctx, "management-review", "management review", "9.3", out);
}

/// A finding about an action, at its row or entry.
fn finding(rule: &'static rules::Rule, action: &Action, message: String) -> Finding {
    Finding::new(
        rule,
        format!("{} ({}): {message}", action.document, action.path),
    )
    .at(&action.path, action.line)
    .document(&action.document)
}

/// RD016: open and due before the as-of date.
fn overdue(ctx: &Context, action: &Action, out: &mut Vec<Finding>) {
    if action.state(ctx.as_of) != State::Overdue {
        return;
    }
    let owner = action
        .owner
        .as_deref()
        .map(|o| format!(" (owner {o})"))
        .unwrap_or_default();
    out.push(
        finding(
            &rules::RD016,
            action,
            format!(
                "{} action {}{owner} was due {} and is not closed",
                action.source.label().to_lowercase(),
                action.name(),
                action.due.map(fmt_date).unwrap_or_default()
            ),
        )
        .hint(rules::RD016.fix),
    );
}

/// RD017: no owner or no due date.
fn unassigned(action: &Action, out: &mut Vec<Finding>) {
    let missing = match (action.owner.is_none(), action.due.is_none()) {
        (true, true) => "owner and no due date",
        (true, false) => "owner",
        (false, true) => "due date",
        (false, false) => return,
    };
    out.push(
        finding(
            &rules::RD017,
            action,
            format!(
                "{} action {} has no {missing}",
                action.source.label().to_lowercase(),
                action.name(),
            ),
        )
        .hint(rules::RD017.fix),
    );
}

/// RD019: `action_id`s that no action has, and corrective actions'
/// `finding`s that no audit finding has.
fn references(ctx: &Context, out: &mut Vec<Finding>) {
    let isms = ctx.isms;
    let action_ids: HashSet<&str> = isms
        .actions
        .iter()
        .filter(|a| a.source.is_planned())
        .filter_map(|a| a.id.as_deref())
        .collect();
    let mut finding_ids: HashSet<&str> = HashSet::new();
    for doc in &isms.documents {
        let Some(rec) = &doc.record else { continue };
        // (finding id, action_id) of every finding that names an action.
        let refs: Vec<(&str, &crate::model::ids::Spanned<String>)> = match &rec.details {
            RecordDetails::InternalAudit(a) => {
                finding_ids.extend(a.findings.iter().map(|f| f.id.as_str()));
                a.findings
                    .iter()
                    .filter_map(|f| f.action_id.as_ref().map(|id| (f.id.as_str(), id)))
                    .collect()
            }
            RecordDetails::CertificationAudit(a) => {
                finding_ids.extend(a.findings.iter().map(|f| f.id.as_str()));
                a.findings
                    .iter()
                    .filter_map(|f| f.action_id.as_ref().map(|id| (f.id.as_str(), id)))
                    .collect()
            }
            _ => continue,
        };
        for (finding, action_id) in refs {
            if !action_ids.contains(action_id.value.as_str()) {
                out.push(
                    Finding::new(
                        &rules::RD019,
                        format!(
                            "{} ({}): finding `{finding}` names action `{}`, which no action has",
                            doc.id.value, doc.path, action_id.value
                        ),
                    )
                    .at(&doc.path, action_id.line)
                    .document(&doc.id.value)
                    .hint(rules::RD019.fix),
                );
            }
        }
    }
    finding_ids.remove("");
    for action in isms
        .actions
        .iter()
        .filter(|a| a.source == Source::CorrectiveActions)
    {
        let Some(f) = &action.finding else { continue };
        if !finding_ids.contains(f.as_str()) {
            out.push(
                finding(
                    &rules::RD019,
                    action,
                    format!(
                        "corrective action {} answers finding `{f}`, which no internal-audit or certification-audit finding has",
                        action.name()
                    ),
                )
                .hint(rules::RD019.fix),
            );
        }
    }
}

/// RD020: the latest record of `kind` (on or before the as-of date) is
/// older than `cycle_months`. No record at all is RD001/RD004.
fn cycle(ctx: &Context, kind: &str, what: &str, clause: &str, out: &mut Vec<Finding>) {
    let months = ctx.isms.config.cycle_months;
    let Some((doc, rec)) = ctx
        .isms
        .records(kind)
        .filter(|(_, r)| r.date.value <= ctx.as_of)
        .max_by_key(|(d, r)| (r.date.value, d.path.clone()))
    else {
        return;
    };
    let since = Interval::Months(months).before(ctx.as_of);
    if rec.date.value < since {
        out.push(
            Finding::new(
                &rules::RD020,
                format!(
                    "{} ({}): the latest {what} is dated {}, more than {months} months before {}",
                    doc.id.value,
                    doc.path,
                    fmt_date(rec.date.value),
                    fmt_date(ctx.as_of)
                ),
            )
            .at(&doc.path, rec.date.line)
            .document(&doc.id.value)
            .clause(clause)
            .hint(format!(
                "hold the {what} and add its record dated on or after {}",
                fmt_date(since)
            )),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::codes;
    use crate::model::document::{DocType, Document};
    use crate::model::ids::Spanned;
    use crate::model::record::{
        ActionEntry, AuditFinding, AuditSeverity, CorrectiveActionRow, InternalAudit,
        ManagementReview, Table, TypedRows,
    };
    use crate::model::testing::{d, doc, isms, record};
    use crate::model::Isms;

    fn row(id: &str, finding: &str) -> CorrectiveActionRow {
        CorrectiveActionRow {
            id: id.into(),
            source: "audit".into(),
            summary: "Fix the leaver checklist".into(),
            owner: "Kim Park".into(),
            due: Some(d("2026-12-01")),
            closed_on: None,
            finding: finding.into(),
            evidence: String::new(),
            effectiveness_reviewed_on: None,
            line: 2,
        }
    }

    fn entry(id: &str, line: u32) -> ActionEntry {
        ActionEntry {
            id: Some(id.into()),
            risk: None,
            action: Some("Buy security keys".into()),
            owner: Some("Sam Lee".into()),
            due: Some(d("2026-12-01")),
            closed_on: None,
            line,
        }
    }

    /// A log with CA-1 (answering F1), a review with MR-1, a treatment plan
    /// with RTP-1, and an audit whose F1 names CA-1: all in order on
    /// 2026-10-01.
    fn docs() -> Vec<Document> {
        let mut log = record("REC-CA", "corrective-actions");
        if let Some(r) = log.record.as_mut() {
            r.table = Some(Table {
                path: "records/ca.csv".into(),
                typed: TypedRows::CorrectiveActions(vec![row("CA-1", "F1")]),
                ..Table::default()
            });
        }
        let mut mr = record("REC-MR", "management-review");
        if let Some(r) = mr.record.as_mut() {
            r.details = RecordDetails::ManagementReview(ManagementReview {
                actions: vec![entry("MR-1", 14)],
                ..ManagementReview::default()
            });
        }
        let mut rtp = doc("RTP", DocType::RiskTreatmentPlan);
        rtp.actions = vec![ActionEntry {
            risk: Some("R1".into()),
            ..entry("RTP-1", 16)
        }];
        let mut ia = record("REC-IA", "internal-audit");
        if let Some(r) = ia.record.as_mut() {
            r.date.value = d("2026-06-01");
            r.details = RecordDetails::InternalAudit(InternalAudit {
                findings: vec![AuditFinding {
                    id: "F1".into(),
                    severity: AuditSeverity::Minor,
                    reference: None,
                    summary: None,
                    action: Some("See CA-1".into()),
                    due: Some(d("2026-12-01")),
                    closed_on: None,
                    action_id: Some(Spanned::new("CA-1".into(), 21)),
                    line: 18,
                }],
                ..InternalAudit::default()
            });
        }
        let mut review = record("REC-MR0", "management-review");
        if let Some(r) = review.record.as_mut() {
            r.date.value = d("2026-01-10");
        }
        vec![log, mr, rtp, ia, review]
    }

    fn run_on(i: &Isms, as_of: &str) -> Vec<Finding> {
        let ctx = Context {
            isms: i,
            as_of: d(as_of),
        };
        let mut out = Vec::new();
        check(&ctx, &mut out);
        out
    }

    fn run(docs: Vec<Document>, as_of: &str) -> Vec<Finding> {
        run_on(&isms(docs, None), as_of)
    }

    fn at(f: &Finding) -> (&'static str, Option<&str>, Option<u32>) {
        (f.rule.code, f.path.as_deref(), f.line)
    }

    #[test]
    fn actions_in_order_are_quiet() {
        let i = isms(docs(), None);
        // A finding answered by a corrective action is not an action twice.
        assert_eq!(i.actions.len(), 3);
        assert!(run_on(&i, "2026-10-01").is_empty());
        // Due on the as-of date is not overdue yet.
        assert!(run_on(&i, "2026-12-01").is_empty());
    }

    #[test]
    fn rd016_overdue_at_the_row_or_entry() {
        let out = run(docs(), "2026-12-02");
        let got: Vec<_> = out.iter().map(at).collect();
        assert_eq!(
            got,
            vec![
                ("RD016", Some("records/ca.csv"), Some(2)),
                ("RD016", Some("rec-mr.md"), Some(14)),
                ("RD016", Some("rtp.md"), Some(16)),
            ]
        );
        assert!(out[0]
            .message
            .contains("`CA-1` (owner Kim Park) was due 2026-12-01"));
        // Closed, it is quiet (the log's row then needs its review: RD018).
        let mut docs = docs();
        if let Some(RecordDetails::ManagementReview(r)) =
            docs[1].record.as_mut().map(|r| &mut r.details)
        {
            r.actions[0].closed_on = Some(d("2026-11-30"));
        }
        docs[2].actions[0].closed_on = Some(d("2026-11-30"));
        let out = run(docs, "2026-12-02");
        assert_eq!(codes(&out), vec!["RD016"]);
    }

    #[test]
    fn rd017_plain_and_unassigned_actions() {
        let mut docs = docs();
        if let Some(RecordDetails::ManagementReview(r)) =
            docs[1].record.as_mut().map(|r| &mut r.details)
        {
            // v1's plain strings: an action without owner or due.
            r.actions.push(ActionEntry {
                action: Some("Shorten the policies".into()),
                line: 15,
                ..ActionEntry::default()
            });
        }
        docs[2].actions[0].owner = None;
        let out = run(docs, "2026-10-01");
        let got: Vec<_> = out.iter().map(at).collect();
        assert_eq!(
            got,
            vec![
                ("RD017", Some("rec-mr.md"), Some(15)),
                ("RD017", Some("rtp.md"), Some(16)),
            ]
        );
        assert!(
            out[0]
                .message
                .contains("\"Shorten the policies\" has no owner and no due date"),
            "{}",
            out[0].message
        );
        assert!(
            out[1].message.ends_with("`RTP-1` has no owner"),
            "{}",
            out[1].message
        );
    }

    #[test]
    fn rd018_closed_without_effectiveness_review() {
        let mut docs = docs();
        let set = |docs: &mut Vec<Document>, reviewed: Option<&str>| {
            if let Some(t) = docs[0].record.as_mut().and_then(|r| r.table.as_mut()) {
                if let TypedRows::CorrectiveActions(rows) = &mut t.typed {
                    rows[0].closed_on = Some(d("2026-09-20"));
                    rows[0].effectiveness_reviewed_on = reviewed.map(d);
                }
            }
        };
        set(&mut docs, None);
        let out = run(docs.clone(), "2026-10-01");
        assert_eq!(
            out.iter().map(at).collect::<Vec<_>>(),
            vec![("RD018", Some("records/ca.csv"), Some(2))]
        );
        assert_eq!(
            out[0].severity,
            crate::diagnostics::finding::Severity::Observation
        );
        set(&mut docs, Some("2026-09-30"));
        assert!(run(docs, "2026-10-01").is_empty());
    }

    #[test]
    fn rd019_references_that_lead_nowhere() {
        let mut docs = docs();
        if let Some(RecordDetails::InternalAudit(a)) =
            docs[3].record.as_mut().map(|r| &mut r.details)
        {
            a.findings[0].action_id = Some(Spanned::new("CA-9".into(), 21));
        }
        if let Some(t) = docs[0].record.as_mut().and_then(|r| r.table.as_mut()) {
            if let TypedRows::CorrectiveActions(rows) = &mut t.typed {
                rows.push(CorrectiveActionRow {
                    line: 3,
                    ..row("CA-2", "F7")
                });
            }
        }
        let out = run(docs, "2026-10-01");
        let got: Vec<_> = out.iter().map(at).collect();
        assert_eq!(
            got,
            vec![
                ("RD019", Some("rec-ia.md"), Some(21)),
                ("RD019", Some("records/ca.csv"), Some(3)),
            ]
        );
        assert!(out[0].message.contains("names action `CA-9`"));
        assert!(out[1].message.contains("finding `F7`"));
    }

    #[test]
    fn rd020_cycle_of_audit_and_review() {
        // The audit of 2026-06-01 is exactly 12 months old on 2027-06-01;
        // the review of 2026-09-01 (REC-MR) is the latest one.
        let out = run(docs(), "2027-06-01");
        assert!(
            codes(&out).iter().all(|c| *c != "RD020"),
            "{:?}",
            codes(&out)
        );
        let out: Vec<Finding> = run(docs(), "2027-06-02")
            .into_iter()
            .filter(|f| f.rule.code == "RD020")
            .collect();
        assert_eq!(
            out.iter().map(at).collect::<Vec<_>>(),
            vec![("RD020", Some("rec-ia.md"), Some(6))]
        );
        assert_eq!(out[0].effective_clause(), Some("9.2"));
        let out: Vec<Finding> = run(docs(), "2027-09-02")
            .into_iter()
            .filter(|f| f.rule.code == "RD020")
            .collect();
        assert_eq!(out.len(), 2);
        assert_eq!(out[1].document.as_deref(), Some("REC-MR"));
        assert_eq!(out[1].effective_clause(), Some("9.3"));
        // A shorter cycle judges sooner.
        let mut i = isms(docs(), None);
        i.config.cycle_months = 6;
        assert!(run_on(&i, "2026-12-02")
            .iter()
            .any(|f| f.rule.code == "RD020"));
    }
}
