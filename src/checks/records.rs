//! Records rules (RD001-RD015): whether the evidence shows the ISMS operating
//! the way the documents say it does, judged the way a Stage 2 auditor would.

use super::Context;
use crate::diagnostics::finding::Finding;
use crate::diagnostics::rules;
use crate::model::cycle::NextAudit;
use crate::model::document::{DocType, Document};
use crate::model::ids::{days_between, fmt_date, Date, Interval};
use crate::model::record::{AuditSeverity, Record, RecordDetails, TypedRows, REVIEW_INPUTS};
use crate::model::timeline;

/// How close to Stage 2 an internal audit may be completed before an auditor
/// doubts there was time to act on it (RD002). The lead times are the Stage 2
/// timeline's, so the overview and the findings agree.
const AUDIT_LEAD_DAYS: i64 = weeks(timeline::INTERNAL_AUDIT_WEEKS);
/// The same for a management review (RD005).
const REVIEW_LEAD_DAYS: i64 = weeks(timeline::MANAGEMENT_REVIEW_WEEKS);
/// Approvals closer than this to Stage 2 look written for the audit (RD014).
const APPROVAL_LEAD_DAYS: i64 = weeks(timeline::APPROVAL_WEEKS);

const fn weeks(n: u32) -> i64 {
    n as i64 * 7
}

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let next = ctx.next_audit();
    if next.is_none() {
        out.push(
            Finding::new(
                &rules::RD015,
                "no `[audit] stage2` date in `isms.toml`: RD002, RD005 and RD014 were not judged",
            )
            .in_file("isms.toml")
            .hint(rules::RD015.fix),
        );
    }
    internal_audits(ctx, next, out);
    management_reviews(ctx, next, out);
    risk_register(ctx, out);
    recurring(ctx, out);
    training(ctx, out);
    incident_log(ctx, out);
    supplier_register(ctx, out);
    policies_on_site(ctx, out);
    if let Some(next) = next {
        late_approvals(ctx, next, out);
    }
}

/// Every record of `kind`, with its record part.
fn records<'a>(
    ctx: &'a Context,
    kind: &'a str,
) -> impl Iterator<Item = (&'a Document, &'a Record)> {
    ctx.isms.records(kind)
}

/// The latest record of `kind`, optionally only those dated before `before`.
fn latest<'a>(
    ctx: &'a Context,
    kind: &'a str,
    before: Option<Date>,
) -> Option<(&'a Document, &'a Record)> {
    records(ctx, kind)
        .filter(|(_, r)| before.is_none_or(|b| r.date.value < b))
        .max_by_key(|(d, r)| (r.date.value, d.path.clone()))
}

/// The earliest acceptable date for something reviewed every
/// `review_interval_months` (RD007, RD011).
fn review_cutoff(ctx: &Context) -> Date {
    Interval::Months(ctx.isms.config.review_interval_months).before(ctx.as_of)
}

/// RD002/RD005: the latest record before the next audit is too close to it.
fn too_close(
    ctx: &Context,
    kind: &str,
    next: Option<NextAudit>,
    lead_days: i64,
    rule: &'static rules::Rule,
    what: &str,
    out: &mut Vec<Finding>,
) {
    let Some(next) = next else { return };
    let Some((doc, rec)) = latest(ctx, kind, Some(next.date)) else {
        return;
    };
    let gap = days_between(rec.date.value, next.date);
    if gap < lead_days {
        out.push(
            Finding::new(
                rule,
                format!(
                    "{} ({}): {what} dated {} is only {gap} days before {} ({})",
                    doc.id.value,
                    doc.path,
                    fmt_date(rec.date.value),
                    next.name(),
                    fmt_date(next.date)
                ),
            )
            .at(&doc.path, rec.date.line)
            .document(&doc.id.value)
            .hint(rule.fix),
        );
    }
}

/// RD001, RD002, RD003, RD012.
fn internal_audits(ctx: &Context, next: Option<NextAudit>, out: &mut Vec<Finding>) {
    if records(ctx, "internal-audit").next().is_none() {
        out.push(
            Finding::new(
                &rules::RD001,
                "no internal audit record (`record: internal-audit`)",
            )
            .hint(rules::RD001.fix),
        );
        return;
    }
    if next.is_some() {
        too_close(
            ctx,
            "internal-audit",
            next,
            AUDIT_LEAD_DAYS,
            &rules::RD002,
            "the internal audit",
            out,
        );
    }
    for (doc, rec) in records(ctx, "internal-audit") {
        let RecordDetails::InternalAudit(audit) = &rec.details else {
            continue;
        };
        auditor_independence(ctx, doc, audit, out);
        let line = audit
            .findings_line
            .unwrap_or_else(|| doc.line_of("findings"));
        for f in &audit.findings {
            let needs_action = matches!(f.severity, AuditSeverity::Major | AuditSeverity::Minor);
            let no_action = f.action.as_deref().is_none_or(|a| a.trim().is_empty());
            if needs_action && no_action {
                out.push(
                    Finding::new(
                        &rules::RD012,
                        format!(
                            "{} ({}): {} finding `{}` has no action",
                            doc.id.value,
                            doc.path,
                            f.severity.as_str(),
                            f.id
                        ),
                    )
                    .at(&doc.path, line)
                    .document(&doc.id.value)
                    .hint("give the finding an `action` with an owner and a `due` date"),
                );
            }
            if let (Some(due), None) = (f.due, f.closed_on) {
                if due < ctx.as_of {
                    out.push(
                        Finding::new(
                            &rules::RD012,
                            format!(
                                "{} ({}): the action for finding `{}` was due {} and is not closed",
                                doc.id.value,
                                doc.path,
                                f.id,
                                fmt_date(due)
                            ),
                        )
                        .at(&doc.path, line)
                        .document(&doc.id.value)
                        .hint(
                            "close the action (`closed_on`) or agree and record a new `due` date",
                        ),
                    );
                }
            }
        }
    }
}

/// RD003: the auditor must not audit their own work.
fn auditor_independence(
    ctx: &Context,
    doc: &Document,
    audit: &crate::model::record::InternalAudit,
    out: &mut Vec<Finding>,
) {
    let Some(auditor) = &audit.auditor else {
        return;
    };
    let roster = &ctx.isms.roster;
    let mut reasons = Vec::new();
    if let Some(lead) = &ctx.isms.config.isms_lead {
        if roster.same_person(&auditor.value, lead) {
            reasons.push(format!("is the ISMS lead ({lead})"));
        }
    }
    let owned: Vec<String> = ctx
        .isms
        .documents
        .iter()
        .map(|d| &**d)
        .filter(|d| d.path != doc.path)
        .filter(|d| in_audit_scope(d, audit))
        .filter(|d| roster.same_person(&auditor.value, &d.owner.value))
        .map(|d| d.id.value.to_string())
        .collect();
    if !owned.is_empty() {
        reasons.push(format!(
            "owns documents in the audit scope: {}",
            owned.join(", ")
        ));
    }
    if !reasons.is_empty() {
        out.push(
            Finding::new(
                &rules::RD003,
                format!(
                    "{} ({}): auditor {} {}",
                    doc.id.value,
                    doc.path,
                    auditor.value,
                    reasons.join("; and ")
                ),
            )
            .at(&doc.path, auditor.line)
            .document(&doc.id.value)
            .hint(rules::RD003.fix),
        );
    }
}

/// A document is in scope when its `controls` or `clauses` meet the audit's.
fn in_audit_scope(doc: &Document, audit: &crate::model::record::InternalAudit) -> bool {
    doc.controls
        .iter()
        .any(|c| audit.scope_controls.contains(&c.value))
        || doc
            .clauses
            .iter()
            .any(|c| audit.scope_clauses.iter().any(|s| c.value.meets(s)))
}

/// RD004, RD005, RD006.
fn management_reviews(ctx: &Context, next: Option<NextAudit>, out: &mut Vec<Finding>) {
    if records(ctx, "management-review").next().is_none() {
        out.push(
            Finding::new(
                &rules::RD004,
                "no management review record (`record: management-review`)",
            )
            .hint(rules::RD004.fix),
        );
        return;
    }
    too_close(
        ctx,
        "management-review",
        next,
        REVIEW_LEAD_DAYS,
        &rules::RD005,
        "the management review",
        out,
    );
    let isms = ctx.isms;
    for (doc, rec) in records(ctx, "management-review") {
        let RecordDetails::ManagementReview(review) = &rec.details else {
            continue;
        };
        let top = &isms.config.top_management;
        let attended = review
            .attendees
            .iter()
            .any(|a| top.iter().any(|t| isms.roster.same_person(a, t)));
        if !attended {
            out.push(
                Finding::new(
                    &rules::RD006,
                    format!(
                        "{} ({}): no attendee of the management review is in top management",
                        doc.id.value, doc.path
                    ),
                )
                .at(&doc.path, review.attendees_line.unwrap_or_else(|| doc.line_of("attendees")))
                .document(&doc.id.value)
                .hint("record the top-management attendees in `attendees` (names or roles listed in `[organisation] top_management`)"),
            );
        }
        let missing: Vec<&str> = REVIEW_INPUTS
            .iter()
            .map(|(k, _)| *k)
            .filter(|k| !review.inputs.iter().any(|(i, _)| i == k))
            .collect();
        if !missing.is_empty() {
            out.push(
                Finding::new(
                    &rules::RD006,
                    format!(
                        "{} ({}): management review inputs missing: {}",
                        doc.id.value,
                        doc.path,
                        missing.join(", ")
                    ),
                )
                .at(
                    &doc.path,
                    review.inputs_line.unwrap_or_else(|| doc.line_of("inputs")),
                )
                .document(&doc.id.value)
                .hint("add each missing key to `inputs` with what was considered"),
            );
        }
    }
}

/// RD007: risk owners, acceptance and review currency.
fn risk_register(ctx: &Context, out: &mut Vec<Finding>) {
    let roster = &ctx.isms.roster;
    let cutoff = review_cutoff(ctx);
    for (doc, rec) in records(ctx, "risk-register") {
        let Some(table) = &rec.table else { continue };
        let TypedRows::Risks(rows) = &table.typed else {
            continue;
        };
        for row in rows {
            let mut problems = Vec::new();
            let owner = row.owner.trim();
            if owner.is_empty() {
                problems.push("has no owner".to_string());
            } else {
                let accepted = row.accepted_by.trim();
                if accepted.is_empty() || !roster.same_person(accepted, owner) {
                    problems.push(format!(
                        "residual risk is not accepted by its owner ({owner})"
                    ));
                } else if row.accepted_on.is_none() {
                    problems.push("has no `accepted_on` date".to_string());
                }
            }
            match row.reviewed_on {
                None => problems.push("was never reviewed (`reviewed_on` empty)".to_string()),
                Some(r) if r < cutoff => problems.push(format!(
                    "was last reviewed {}, more than {} months ago",
                    fmt_date(r),
                    ctx.isms.config.review_interval_months
                )),
                Some(_) => {}
            }
            for p in problems {
                out.push(
                    Finding::new(
                        &rules::RD007,
                        format!("{} ({}): risk `{}` {p}", doc.id.value, table.path, row.id),
                    )
                    .at(&table.path, row.line)
                    .document(&doc.id.value)
                    .hint("give each risk an owner, have the owner accept the residual risk (`accepted_by`, `accepted_on`) and review it (`reviewed_on`) within the review interval"),
                );
            }
        }
    }
}

/// RD008: promised recurring activities have a recent enough record.
fn recurring(ctx: &Context, out: &mut Vec<Finding>) {
    for doc in ctx
        .isms
        .documents
        .iter()
        .map(|d| &**d)
        .filter(|d| d.is_approved())
    {
        for r in &doc.recurring {
            let since = r.every.before(ctx.as_of);
            let last = latest(ctx, &r.record, None).map(|(_, rec)| rec.date.value);
            let problem = match last {
                None => format!("there is no `{}` record", r.record),
                Some(date) if date < since => {
                    format!(
                        "the latest `{}` record is dated {}",
                        r.record,
                        fmt_date(date)
                    )
                }
                Some(_) => continue,
            };
            out.push(
                Finding::new(
                    &rules::RD008,
                    format!(
                        "{} ({}): promises `{}` every {}, but {problem}",
                        doc.id.value, doc.path, r.record, r.every
                    ),
                )
                .at(&doc.path, r.line)
                .document(&doc.id.value)
                .hint(format!(
                    "carry out the activity and add a `record: {}` dated on or after {}",
                    r.record,
                    fmt_date(since)
                )),
            );
        }
    }
}

/// RD009: every in-scope person who has not left counts as trained: a
/// completion within `training_interval_months` that has not expired, or a
/// joiner still inside `joiner_training_days`. People with no completion at
/// all are named as v1 named them; people whose training lapsed follow.
fn training(ctx: &Context, out: &mut Vec<Finding>) {
    use crate::model::training::TrainingState;
    let roster = &ctx.isms.roster;
    let status = ctx.isms.training_status(ctx.as_of);
    let never: Vec<&str> = status
        .iter()
        .filter(|p| p.state == TrainingState::Never)
        .map(|p| p.person.name.as_str())
        .collect();
    let lapsed: Vec<String> = status
        .iter()
        .filter(|p| p.state == TrainingState::Lapsed)
        .filter_map(|p| {
            let c = p.latest?;
            Some(format!(
                "{} (completed {}, counted until {})",
                p.person.name,
                fmt_date(c.completed_on),
                fmt_date(c.counts_until)
            ))
        })
        .collect();
    if never.is_empty() && lapsed.is_empty() {
        return;
    }
    let mut parts = Vec::new();
    if !never.is_empty() {
        parts.push(format!(
            "in-scope people without a training record: {}",
            never.join(", ")
        ));
    }
    if !lapsed.is_empty() {
        parts.push(format!(
            "in-scope people whose training has lapsed ({} months): {}",
            ctx.isms.config.people.training_interval_months,
            lapsed.join(", ")
        ));
    }
    let what = parts.join("; ");
    let hint = "add a row for each person to a training record's CSV (`person,completed_on`)";
    let finding = match latest(ctx, "training", None) {
        Some((doc, rec)) => {
            let line = if rec.data.is_some() {
                doc.line_of("data")
            } else {
                doc.line_of("record")
            };
            Finding::new(
                &rules::RD009,
                format!("{} ({}): {what}", doc.id.value, doc.path),
            )
            .at(&doc.path, line)
            .document(&doc.id.value)
        }
        None => {
            let names = never.join(", ");
            let f = Finding::new(
                &rules::RD009,
                format!("no training record; in-scope people without training: {names}"),
            );
            match &roster.path {
                Some(p) => f.in_file(p),
                None => f,
            }
        }
    };
    out.push(finding.hint(hint));
}

/// RD010: an incident log exists.
fn incident_log(ctx: &Context, out: &mut Vec<Finding>) {
    if records(ctx, "incident-log").next().is_none() {
        out.push(
            Finding::new(&rules::RD010, "no incident log (`record: incident-log`)")
                .hint(rules::RD010.fix),
        );
    }
}

/// RD011: a supplier register exists and each supplier is assessed and bound
/// by security clauses.
fn supplier_register(ctx: &Context, out: &mut Vec<Finding>) {
    if records(ctx, "supplier-register").next().is_none() {
        out.push(
            Finding::new(
                &rules::RD011,
                "no supplier register (`record: supplier-register`)",
            )
            .hint(rules::RD011.fix),
        );
        return;
    }
    let cutoff = review_cutoff(ctx);
    let months = ctx.isms.config.review_interval_months;
    for (doc, rec) in records(ctx, "supplier-register") {
        let Some(table) = &rec.table else { continue };
        let TypedRows::Suppliers(rows) = &table.typed else {
            continue;
        };
        for row in rows {
            let mut problems = Vec::new();
            match row.last_assessed {
                None => {
                    problems.push("has never been assessed (`last_assessed` empty)".to_string())
                }
                Some(d) if d < cutoff => problems.push(format!(
                    "was last assessed {}, more than {months} months ago",
                    fmt_date(d)
                )),
                Some(_) => {}
            }
            let clauses = row.security_clauses.trim();
            if clauses.is_empty() || clauses.eq_ignore_ascii_case("no") {
                problems.push("has no security clauses in its agreement".to_string());
            }
            for p in problems {
                out.push(
                    Finding::new(
                        &rules::RD011,
                        format!("{} ({}): supplier `{}` {p}", doc.id.value, table.path, row.supplier),
                    )
                    .at(&table.path, row.line)
                    .document(&doc.id.value)
                    .hint("assess the supplier within the review interval (`last_assessed`) and record the security clauses of its agreement"),
                );
            }
        }
    }
}

/// RD013: approved policies staff cannot find on the staff site.
fn policies_on_site(ctx: &Context, out: &mut Vec<Finding>) {
    let isms = ctx.isms;
    for doc in &isms.documents {
        if doc.doc_type != DocType::Policy
            || !doc.is_approved()
            || doc.is_record()
            || isms.on_staff_site(doc)
        {
            continue;
        }
        let (line, why) = if !isms.staff_classification(doc) {
            (
                doc.line_of("classification"),
                format!(
                    "its classification `{}` is not published to staff",
                    doc.classification.as_str()
                ),
            )
        } else {
            (
                doc.line_of("audience"),
                "its audience excludes staff".to_string(),
            )
        };
        out.push(
            Finding::new(
                &rules::RD013,
                format!(
                    "{} ({}): approved policy is not on the staff site: {why}",
                    doc.id.value, doc.path
                ),
            )
            .at(&doc.path, line)
            .document(&doc.id.value)
            .hint(rules::RD013.fix),
        );
    }
}

/// RD014: documents approved within 4 weeks before the next audit.
fn late_approvals(ctx: &Context, next: NextAudit, out: &mut Vec<Finding>) {
    for doc in &ctx.isms.documents {
        if !doc.is_approved() || doc.is_record() {
            continue;
        }
        let Some(on) = &doc.approved_on else { continue };
        let gap = days_between(on.value, next.date);
        if (0..APPROVAL_LEAD_DAYS).contains(&gap) {
            out.push(
                Finding::new(
                    &rules::RD014,
                    format!(
                        "{} ({}): approved {}, only {gap} days before {} ({})",
                        doc.id.value,
                        doc.path,
                        fmt_date(on.value),
                        next.name(),
                        fmt_date(next.date)
                    ),
                )
                .at(&doc.path, on.line)
                .document(&doc.id.value)
                .hint(rules::RD014.fix),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::codes;
    use crate::model::catalogue::ControlId;
    use crate::model::document::{Classification, Recurring};
    use crate::model::ids::{ClauseId, Spanned};
    use crate::model::people::{Person, Roster};
    use crate::model::record::{
        AuditFinding, InternalAudit, ManagementReview, RiskRow, SupplierRow, Table, TrainingRow,
    };
    use crate::model::testing::{d, doc, isms, record, with_clauses};
    use crate::model::Isms;

    fn table(path: &str, typed: TypedRows) -> Option<Table> {
        Some(Table {
            path: path.into(),
            typed,
            ..Table::default()
        })
    }

    fn rec(doc: &mut Document) -> &mut Record {
        doc.record.as_mut().expect("record")
    }

    fn audit(doc: &mut Document) -> &mut InternalAudit {
        match &mut rec(doc).details {
            RecordDetails::InternalAudit(a) => a,
            _ => panic!("not an audit"),
        }
    }

    fn risk() -> RiskRow {
        RiskRow {
            id: "R1".into(),
            risk: "Laptop theft".into(),
            owner: "Head of IT".into(),
            likelihood: "low".into(),
            impact: "high".into(),
            treatment: "mitigate".into(),
            residual: "low".into(),
            accepted_by: "jose alvarez".into(),
            accepted_on: Some(d("2026-05-01")),
            reviewed_on: Some(d("2026-05-01")),
            line: 2,
        }
    }

    fn supplier() -> SupplierRow {
        SupplierRow {
            supplier: "Cloudy".into(),
            service: "hosting".into(),
            criticality: "high".into(),
            last_assessed: Some(d("2026-03-01")),
            security_clauses: "yes".into(),
            line: 2,
        }
    }

    /// A complete, healthy set of evidence: no RD finding.
    fn docs() -> Vec<Document> {
        let mut ia = record("REC-IA", "internal-audit");
        rec(&mut ia).details = RecordDetails::InternalAudit(InternalAudit {
            auditor: Some(Spanned::new("Alex Auditor".into(), 8)),
            scope_clauses: vec![ClauseId::parse("4").expect("clause")],
            scope_controls: vec![ControlId::parse("5.15").expect("control")],
            findings: vec![AuditFinding {
                id: "F1".into(),
                severity: AuditSeverity::Minor,
                reference: None,
                summary: None,
                action: Some("Fix it".into()),
                due: Some(d("2026-11-01")),
                closed_on: None,
                action_id: None,
                line: 12,
            }],
            findings_line: Some(11),
        });
        let mut mr = record("REC-MR", "management-review");
        rec(&mut mr).details = RecordDetails::ManagementReview(ManagementReview {
            attendees: vec!["sam lee".into()],
            attendees_line: Some(8),
            inputs: REVIEW_INPUTS
                .iter()
                .map(|(k, _)| ((*k).to_string(), None))
                .collect(),
            inputs_line: Some(9),
            actions: Vec::new(),
        });
        let il = record("REC-IL", "incident-log");
        let mut sr = record("REC-SR", "supplier-register");
        rec(&mut sr).table = table("suppliers.csv", TypedRows::Suppliers(vec![supplier()]));
        let mut rr = record("REC-RR", "risk-register");
        rec(&mut rr).table = table("risks.csv", TypedRows::Risks(vec![risk()]));
        let mut tr = record("REC-TR", "training");
        rec(&mut tr).table = table(
            "training.csv",
            TypedRows::Training(vec![TrainingRow {
                person: "José Álvarez".into(),
                completed_on: Some(d("2026-02-01")),
                expires_on: None,
                line: 2,
            }]),
        );
        let mut pol = doc("POL-AC", DocType::Policy);
        pol.recurring.push(Recurring {
            record: "training".into(),
            every: Interval::Years(1),
            line: 12,
        });
        vec![ia, mr, il, sr, rr, tr, pol]
    }

    fn build(docs: Vec<Document>) -> Isms {
        let mut i = isms(docs, None);
        i.config.stage2 = Some(d("2026-12-01"));
        i.config.isms_lead = Some("Kim Park".into());
        i.roster = Roster {
            path: Some("people.csv".into()),
            people: vec![
                Person {
                    name: "José Álvarez".into(),
                    role: "Head of IT".into(),
                    in_scope: true,
                    line: 2,
                    ..Person::default()
                },
                Person {
                    name: "Pat Out".into(),
                    role: "Contractor".into(),
                    in_scope: false,
                    line: 3,
                    ..Person::default()
                },
            ],
            ..Roster::default()
        };
        i
    }

    fn run(isms: &Isms) -> Vec<Finding> {
        let ctx = Context {
            isms,
            as_of: d("2026-10-01"),
        };
        let mut out = Vec::new();
        check(&ctx, &mut out);
        out
    }

    fn find<'a>(out: &'a [Finding], code: &str) -> Vec<&'a Finding> {
        out.iter().filter(|f| f.rule.code == code).collect()
    }

    fn without(kind: &str) -> Vec<Document> {
        docs()
            .into_iter()
            .filter(|d| d.record.as_ref().is_none_or(|r| r.kind != kind))
            .collect()
    }

    #[test]
    fn healthy_evidence_is_quiet() {
        let out = run(&build(docs()));
        assert!(out.is_empty(), "{:?}", codes(&out));
    }

    #[test]
    fn rd001_rd004_rd010_missing_records() {
        assert_eq!(
            codes(&run(&build(without("internal-audit")))),
            vec!["RD001"]
        );
        assert_eq!(
            codes(&run(&build(without("management-review")))),
            vec!["RD004"]
        );
        assert_eq!(codes(&run(&build(without("incident-log")))), vec!["RD010"]);
        let out = run(&build(without("supplier-register")));
        assert_eq!(codes(&out), vec!["RD011"]);
        assert!(out[0].path.is_none());
    }

    #[test]
    fn rd002_rd005_close_to_stage2() {
        let mut docs = docs();
        rec(&mut docs[0]).date.value = d("2026-10-10"); // 52 days before
        rec(&mut docs[1]).date.value = d("2026-10-21"); // 41 days before
        let out = run(&build(docs));
        assert_eq!(codes(&out), vec!["RD002", "RD005"]);
        assert_eq!(out[0].line, Some(6));
        assert!(out[0].message.contains("REC-IA"));
        // Exactly 8 and 6 weeks before is fine; a later record after Stage 2
        // does not hide the one that counts.
        let mut docs = super::tests::docs();
        rec(&mut docs[0]).date.value = d("2026-10-06");
        rec(&mut docs[1]).date.value = d("2026-10-20");
        let mut after = record("REC-IA2", "internal-audit");
        rec(&mut after).date.value = d("2026-12-05");
        docs.push(after);
        assert!(run(&build(docs)).is_empty());
    }

    #[test]
    fn rd003_auditor_independence() {
        let mut docs = docs();
        audit(&mut docs[0]).auditor = Some(Spanned::new("kim park".into(), 8));
        let out = run(&build(docs));
        let f = find(&out, "RD003");
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("ISMS lead"), "{}", f[0].message);
        assert_eq!(f[0].line, Some(8));

        // Owner of a 4.3 document when clause 4 is in scope, through a role.
        let mut docs = super::tests::docs();
        audit(&mut docs[0]).auditor = Some(Spanned::new("Jose Alvarez".into(), 8));
        let mut scope = with_clauses(doc("SCOPE", DocType::Scope), &["4.3"]);
        scope.owner.value = "Head of IT".into();
        docs.push(scope);
        let out = run(&build(docs));
        let f = find(&out, "RD003");
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("SCOPE"), "{}", f[0].message);

        // Owning a document outside the scope is fine.
        let mut docs = super::tests::docs();
        audit(&mut docs[0]).auditor = Some(Spanned::new("Jose Alvarez".into(), 8));
        let mut other = with_clauses(doc("PLAN", DocType::Plan), &["7.4"]);
        other.owner.value = "Head of IT".into();
        docs.push(other);
        assert!(find(&run(&build(docs)), "RD003").is_empty());
    }

    #[test]
    fn rd006_attendees_and_inputs() {
        let mut docs = docs();
        if let RecordDetails::ManagementReview(r) = &mut rec(&mut docs[1]).details {
            r.attendees = vec!["Kim Park".into()];
            r.inputs.retain(|(k, _)| k != "risk" && k != "performance");
        }
        let out = run(&build(docs));
        let f = find(&out, "RD006");
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].line, Some(8));
        assert_eq!(f[1].line, Some(9));
        assert!(
            f[1].message.contains("performance, risk"),
            "{}",
            f[1].message
        );
    }

    #[test]
    fn rd007_risks() {
        let cases: [fn(&mut RiskRow); 5] = [
            |r| r.owner = " ".into(),
            |r| r.accepted_by = "Sam Lee".into(),
            |r| r.accepted_on = None,
            |r| r.reviewed_on = None,
            |r| r.reviewed_on = Some(d("2025-09-30")),
        ];
        for change in cases {
            let mut row = risk();
            change(&mut row);
            let mut docs = docs();
            rec(&mut docs[4]).table = table("risks.csv", TypedRows::Risks(vec![row]));
            let out = run(&build(docs));
            assert_eq!(codes(&out), vec!["RD007"]);
            assert_eq!(out[0].path.as_deref(), Some("risks.csv"));
            assert_eq!(out[0].line, Some(2));
        }
        // Reviewed exactly one interval ago is still current.
        let mut row = risk();
        row.reviewed_on = Some(d("2025-10-01"));
        let mut docs = docs();
        rec(&mut docs[4]).table = table("risks.csv", TypedRows::Risks(vec![row]));
        assert!(run(&build(docs)).is_empty());
    }

    #[test]
    fn rd008_recurring() {
        let mut docs = docs();
        docs[6].recurring.push(Recurring {
            record: "access-review".into(),
            every: Interval::Months(3),
            line: 13,
        });
        let mut ar = record("REC-AR", "access-review");
        rec(&mut ar).date.value = d("2026-06-30");
        docs.push(ar.clone());
        let out = run(&build(docs.clone()));
        assert_eq!(codes(&out), vec!["RD008"]);
        assert_eq!(
            (out[0].path.as_deref(), out[0].line),
            (Some("pol-ac.md"), Some(13))
        );
        // A review on the boundary satisfies it.
        rec(&mut ar).date.value = d("2026-07-01");
        docs.push(ar);
        assert!(run(&build(docs.clone())).is_empty());
        // Drafts promise nothing.
        docs.truncate(7);
        docs[6].status = Some(crate::model::document::Status::Draft);
        assert!(find(&run(&build(docs)), "RD008").is_empty());
    }

    #[test]
    fn rd009_untrained_people() {
        let mut docs = docs();
        rec(&mut docs[5]).table = table("training.csv", TypedRows::Training(Vec::new()));
        rec(&mut docs[5]).data = Some(Spanned::new("training.csv".into(), 9));
        docs[5].key_lines.insert("data".into(), 9);
        let out = run(&build(docs));
        assert_eq!(codes(&out), vec!["RD009"]);
        assert_eq!(out[0].line, Some(9));
        assert!(out[0].message.contains("José Álvarez"));
        assert!(!out[0].message.contains("Pat Out"));
    }

    /// RD009 with one training row for José (`completed`, `expires`), and
    /// the roster changed by `person`.
    fn rd009_with(
        completed: &str,
        expires: Option<&str>,
        person: impl Fn(&mut Person),
    ) -> Vec<Finding> {
        let mut docs = docs();
        rec(&mut docs[5]).table = table(
            "training.csv",
            TypedRows::Training(vec![TrainingRow {
                person: "José Álvarez".into(),
                completed_on: Some(d(completed)),
                expires_on: expires.map(d),
                line: 2,
            }]),
        );
        rec(&mut docs[5]).data = Some(Spanned::new("training.csv".into(), 9));
        docs[5].key_lines.insert("data".into(), 9);
        let mut i = build(docs);
        person(&mut i.roster.people[0]);
        let out = run(&i);
        find(&out, "RD009").into_iter().cloned().collect()
    }

    #[test]
    fn rd009_training_older_than_the_interval_has_lapsed() {
        // As of 2026-10-01: a completion on 2025-10-01 is exactly 12 months old.
        assert!(rd009_with("2025-10-01", None, |_| {}).is_empty());
        let out = rd009_with("2025-09-30", None, |_| {});
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].line, Some(9));
        assert!(
            out[0].message.contains("lapsed")
                && out[0]
                    .message
                    .contains("José Álvarez (completed 2025-09-30"),
            "{}",
            out[0].message
        );
        assert!(!out[0].message.contains("without a training record"));
    }

    #[test]
    fn rd009_expires_on_counts_to_its_own_day() {
        assert!(rd009_with("2026-02-01", Some("2026-10-01"), |_| {}).is_empty());
        assert_eq!(
            rd009_with("2026-02-01", Some("2026-09-30"), |_| {}).len(),
            1
        );
    }

    #[test]
    fn rd009_a_joiner_inside_the_window_and_a_leaver_are_not_judged() {
        // Joined 2026-09-01: untrained but due only by 2026-10-01.
        let joiner = |p: &mut Person| p.joined_on = Some(d("2026-09-01"));
        assert!(rd009_with("2024-01-01", None, joiner).is_empty());
        let late = |p: &mut Person| p.joined_on = Some(d("2026-08-31"));
        assert_eq!(rd009_with("2024-01-01", None, late).len(), 1);
        let leaver = |p: &mut Person| p.left_on = Some(d("2026-10-01"));
        assert!(rd009_with("2024-01-01", None, leaver).is_empty());
    }

    #[test]
    fn rd011_suppliers() {
        let cases: [fn(&mut SupplierRow); 4] = [
            |s| s.last_assessed = None,
            |s| s.last_assessed = Some(d("2025-09-01")),
            |s| s.security_clauses = "No".into(),
            |s| s.security_clauses = String::new(),
        ];
        for change in cases {
            let mut row = supplier();
            change(&mut row);
            let mut docs = docs();
            rec(&mut docs[3]).table = table("suppliers.csv", TypedRows::Suppliers(vec![row]));
            let out = run(&build(docs));
            assert_eq!(codes(&out), vec!["RD011"]);
            assert_eq!(
                (out[0].path.as_deref(), out[0].line),
                (Some("suppliers.csv"), Some(2))
            );
        }
    }

    #[test]
    fn rd012_audit_findings() {
        let mut docs = docs();
        {
            let a = audit(&mut docs[0]);
            a.findings[0].action = None;
            let mut obs = a.findings[0].clone();
            obs.id = "O1".into();
            obs.severity = AuditSeverity::Observation;
            a.findings.push(obs);
        }
        let out = run(&build(docs));
        assert_eq!(codes(&out), vec!["RD012"]);
        assert_eq!(out[0].line, Some(11));
        assert!(out[0].message.contains("F1"));

        let mut docs = super::tests::docs();
        audit(&mut docs[0]).findings[0].due = Some(d("2026-09-30"));
        assert_eq!(codes(&run(&build(docs.clone()))), vec!["RD012"]);
        audit(&mut docs[0]).findings[0].closed_on = Some(d("2026-09-29"));
        assert!(run(&build(docs)).is_empty());
    }

    #[test]
    fn rd013_policy_not_on_site() {
        let mut docs = docs();
        docs[6].classification = Classification::Confidential;
        let out = run(&build(docs));
        assert_eq!(codes(&out), vec!["RD013"]);
        assert!(out[0].message.contains("confidential"));
        // A confidential procedure is not a staff policy.
        let mut docs = super::tests::docs();
        let mut proc = doc("PRO-X", DocType::Procedure);
        proc.classification = Classification::Confidential;
        docs.push(proc);
        assert!(run(&build(docs)).is_empty());
    }

    #[test]
    fn rd014_late_approval() {
        let mut docs = docs();
        docs[6].approved_on = Some(Spanned::new(d("2026-11-04"), 9)); // 27 days
        let out = run(&build(docs));
        assert_eq!(codes(&out), vec!["RD014"]);
        assert_eq!(out[0].line, Some(9));
        let mut docs = super::tests::docs();
        docs[6].approved_on = Some(Spanned::new(d("2026-11-03"), 9)); // 28 days
        assert!(run(&build(docs)).is_empty());
    }

    #[test]
    fn after_stage2_the_surveillance_audit_is_judged() {
        // Stage 2 passed on 2026-06-01; the next audit is a surveillance
        // audit on 2026-12-01, the date the other tests use for Stage 2.
        let mut docs = docs();
        rec(&mut docs[0]).date.value = d("2026-10-10");
        docs[6].approved_on = Some(Spanned::new(d("2026-11-04"), 9));
        let mut i = build(docs);
        i.config.stage2 = Some(d("2026-06-01"));
        i.config.surveillance = vec![d("2026-12-01"), d("2027-12-01")];
        let out = run(&i);
        assert_eq!(codes(&out), vec!["RD002", "RD014"]);
        for f in &out {
            assert!(
                f.message
                    .contains("before the surveillance audit (2026-12-01)"),
                "{}",
                f.message
            );
        }
        // Surveillance dates alone are enough to judge: no RD015.
        i.config.stage2 = None;
        assert_eq!(codes(&run(&i)), vec!["RD002", "RD014"]);
        // With only Stage 2, long past, v1 judges against Stage 2 still.
        i.config.stage2 = Some(d("2026-06-01"));
        i.config.surveillance.clear();
        assert!(run(&i).is_empty(), "{:?}", codes(&run(&i)));
    }

    #[test]
    fn rd015_without_stage2_skips_timeline_rules() {
        let mut docs = docs();
        rec(&mut docs[0]).date.value = d("2026-10-10");
        docs[6].approved_on = Some(Spanned::new(d("2026-09-30"), 9));
        let mut i = build(docs);
        i.config.stage2 = None;
        assert_eq!(codes(&run(&i)), vec!["RD015"]);
    }
}
