//! The Stage 2 preparation timeline: what has to be done how long before the
//! Stage 2 audit, and whether the evidence shows it done in time.
//!
//! Each milestone is due a number of weeks before `[audit] stage2`. The lead
//! times are the ones the Stage 2 rules use (RD002, RD005, RD014 read the
//! constants below), so the timeline and the findings never disagree.
//!
//! States, for a milestone a record can prove:
//! - `done`: proof dated on or before the due date;
//! - `late`: proof exists, but only dated after the due date;
//! - `missing`: no proof, and the due date has passed (it is before the
//!   as-of date);
//! - `upcoming`: no proof yet, but the due date is the as-of date or later:
//!   still to do by then, not a gap yet.
//!
//! Milestones no record can prove (walking through the registers, briefing
//! staff) are `to-do`: listed with their date, never judged.
//!
//! Evidence dated after the as-of date does not count: as of that date it
//! has not happened yet, so building with an earlier `--as-of` shows the
//! timeline as it stood then.
//!
//! The timeline counts back from the next audit (contract 5.1): Stage 2, or
//! after it the next surveillance audit. Before a surveillance audit the
//! internal audit and management review must also fall within
//! `cycle_months` of their due date (the ones held before Stage 2 no longer
//! count), and the certification body's nonconformities must be closed by
//! their own due dates.

use super::action::Source;
use super::cycle::{AuditKind, NextAudit};
use super::document::Document;
use super::evidence::{Completion, EVIDENCE_AREAS};
use super::ids::{Date, Interval};
use super::record::RecordDetails;
use super::Isms;

/// An internal audit completed later than this before Stage 2 leaves no time
/// to act on its findings (RD002).
pub const INTERNAL_AUDIT_WEEKS: u32 = 8;
/// The same for the management review (RD005).
pub const MANAGEMENT_REVIEW_WEEKS: u32 = 6;
/// Approvals later than this before Stage 2 look written for the audit
/// (RD014); training should be complete by then as well.
pub const APPROVAL_WEEKS: u32 = 4;
/// Access reviews and evidence packs are the last things records prove.
const EVIDENCE_WEEKS: u32 = 2;
/// The final week is for people, not paperwork.
const FINAL_WEEKS: u32 = 1;

/// Where a milestone stands on the as-of date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    Done,
    Late,
    Missing,
    Upcoming,
    ToDo,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Done => "done",
            State::Late => "late",
            State::Missing => "missing",
            State::Upcoming => "upcoming",
            State::ToDo => "to-do",
        }
    }
}

/// The evidence that settles a milestone: the date it was met and the
/// document that shows it (for a milestone over many items, the last one).
pub type Proof<'a> = Completion<'a>;

/// One step of the preparation.
#[derive(Clone, Debug)]
pub struct Milestone<'a> {
    /// Stable key, e.g. `internal-audit`.
    pub key: &'static str,
    pub label: &'static str,
    pub weeks: u32,
    pub due: Date,
    pub state: State,
    pub proof: Option<Proof<'a>>,
    /// The record kind that proves it, for those a single record proves.
    pub record_kind: Option<&'static str>,
    /// How many items the milestone covers (documents, people, areas), for
    /// those over many items.
    pub total: Option<usize>,
    /// Items not done by the due date, by name.
    pub outstanding: Vec<String>,
}

/// What proves a milestone.
enum Evidence {
    /// A record of this kind.
    Record(&'static str),
    /// Every approved document that is not a record, by its `approved_on`.
    Approvals,
    /// Every in-scope person of the roster, by their training records.
    Training,
    /// A record in every evidence area.
    Areas,
    /// Every action from internal-audit findings due by then, closed.
    AuditActions,
    /// Nothing a record shows: a dated to-do.
    Unjudged,
}

const PLAN: [(&str, &str, u32, Evidence); 10] = [
    (
        "internal-audit",
        "Internal audit completed",
        INTERNAL_AUDIT_WEEKS,
        Evidence::Record("internal-audit"),
    ),
    (
        "management-review",
        "Management review held",
        MANAGEMENT_REVIEW_WEEKS,
        Evidence::Record("management-review"),
    ),
    (
        "audit-actions-closed",
        "Internal-audit corrective actions closed",
        APPROVAL_WEEKS,
        Evidence::AuditActions,
    ),
    (
        "documents-approved",
        "Documents approved",
        APPROVAL_WEEKS,
        Evidence::Approvals,
    ),
    (
        "training",
        "Awareness training complete",
        APPROVAL_WEEKS,
        Evidence::Training,
    ),
    (
        "access-review",
        "Access review carried out",
        EVIDENCE_WEEKS,
        Evidence::Record("access-review"),
    ),
    (
        "evidence-packs",
        "Evidence packs complete",
        EVIDENCE_WEEKS,
        Evidence::Areas,
    ),
    // Staff are briefed while there is still time to answer their
    // questions, not in the audit's last week.
    (
        "staff-briefing",
        "Staff briefed on the audit",
        EVIDENCE_WEEKS,
        Evidence::Unjudged,
    ),
    (
        "register-walk-through",
        "Registers walked through with their owners",
        FINAL_WEEKS,
        Evidence::Unjudged,
    ),
    (
        "audit-day",
        "Who is available on audit day; rooms and access for the auditor",
        FINAL_WEEKS,
        Evidence::Unjudged,
    ),
];

/// The milestones before Stage 2, earliest first, judged as of `as_of`.
pub fn milestones(isms: &Isms, stage2: Date, as_of: Date) -> Vec<Milestone<'_>> {
    let next = NextAudit {
        kind: AuditKind::Stage2,
        date: stage2,
    };
    milestones_for(isms, next, as_of)
}

/// The milestones before `next`, earliest first, judged as of `as_of`.
pub fn milestones_for(isms: &Isms, next: NextAudit, as_of: Date) -> Vec<Milestone<'_>> {
    let surveillance = next.kind == AuditKind::Surveillance;
    let mut out: Vec<Milestone> = PLAN
        .iter()
        .map(|(key, label, weeks, evidence)| {
            let due = next.date - chrono::Days::new(u64::from(*weeks) * 7);
            // Before a surveillance audit, only a record of this cycle counts.
            let since = surveillance.then(|| cycle_start(isms, due));
            let (proof, total, outstanding) = match evidence {
                Evidence::Record(kind) => (
                    record_proof(isms, kind, due, as_of, since),
                    None,
                    Vec::new(),
                ),
                Evidence::Approvals => all_of(approvals(isms), due, as_of),
                Evidence::Training => all_of(training(isms), due, as_of),
                Evidence::Areas => all_of(areas(isms, due, as_of), due, as_of),
                Evidence::AuditActions => all_of(audit_actions(isms, due), due, as_of),
                Evidence::Unjudged => (None, None, Vec::new()),
            };
            let state = match evidence {
                Evidence::Unjudged => State::ToDo,
                // Nothing to close is nothing outstanding.
                Evidence::AuditActions if total == Some(0) => State::Done,
                _ => judge(proof.map(|p| p.date), due, as_of),
            };
            let record_kind = match evidence {
                Evidence::Record(kind) => Some(*kind),
                _ => None,
            };
            Milestone {
                key,
                label,
                weeks: *weeks,
                due,
                state,
                proof,
                record_kind,
                total,
                outstanding,
            }
        })
        .collect();
    if surveillance {
        out.push(certification_findings(isms, next, as_of));
        out.sort_by_key(|m| m.due);
    }
    out
}

/// The earliest date a record may have to count for a milestone due on
/// `due` in a surveillance cycle: `cycle_months` before it.
fn cycle_start(isms: &Isms, due: Date) -> Date {
    super::ids::Interval::Months(isms.config.cycle_months).before(due)
}

/// Actions that answer internal-audit findings and are due by `due`: the
/// findings' own actions and corrective actions whose `finding` is one.
fn audit_actions(isms: &Isms, due: Date) -> Vec<(String, Option<Proof<'_>>)> {
    let mut audit_findings = std::collections::HashSet::new();
    for (_, rec) in isms.records("internal-audit") {
        if let RecordDetails::InternalAudit(a) = &rec.details {
            audit_findings.extend(a.findings.iter().map(|f| f.id.as_str()));
        }
    }
    isms.actions
        .iter()
        .filter(|a| match a.source {
            Source::InternalAudit => true,
            Source::CorrectiveActions => a
                .finding
                .as_deref()
                .is_some_and(|f| audit_findings.contains(f)),
            _ => false,
        })
        .filter(|a| a.due.is_some_and(|d| d <= due))
        .map(|a| {
            let proof = a.closed_on.and_then(|closed| {
                isms.doc(&a.document).map(|record| Completion {
                    date: closed,
                    record,
                })
            });
            (a.id.clone().unwrap_or_else(|| a.summary.clone()), proof)
        })
        .collect()
}

/// After Stage 2: the certification body's nonconformities, each closed by
/// its own due date. The milestone is due when the last of them is (never
/// after the audit itself); with none, there is nothing to close.
fn certification_findings(isms: &Isms, next: NextAudit, as_of: Date) -> Milestone<'_> {
    let mut items = Vec::new();
    for (doc, rec) in isms.records("certification-audit") {
        if rec.date.value > as_of {
            continue;
        }
        let RecordDetails::CertificationAudit(audit) = &rec.details else {
            continue;
        };
        for f in audit.findings.iter().filter(|f| f.grade.is_nonconformity()) {
            let own_due = f
                .due(rec.date.value, isms.config.minor_nc_days)
                // A major has no window: it must be closed before the audit.
                .unwrap_or(next.date)
                .min(next.date);
            let closed = f.closed_on.filter(|c| *c <= as_of);
            items.push((f.id.clone(), own_due, closed, doc));
        }
    }
    let due = items
        .iter()
        .map(|(_, d, _, _)| *d)
        .max()
        .unwrap_or(next.date - chrono::Days::new(u64::from(APPROVAL_WEEKS) * 7));
    let outstanding: Vec<String> = items
        .iter()
        .filter(|(_, d, closed, _)| closed.is_none_or(|c| c > *d))
        .map(|(id, _, _, _)| id.clone())
        .collect();
    let all_closed = items.iter().all(|(_, _, c, _)| c.is_some());
    let late = items.iter().any(|(_, d, c, _)| c.is_some_and(|c| c > *d));
    let overdue = items.iter().any(|(_, d, c, _)| c.is_none() && *d < as_of);
    let proof = items
        .iter()
        .filter_map(|(_, _, c, doc)| c.map(|date| Completion { date, record: doc }))
        .max_by(|a, b| (a.date, &a.record.path).cmp(&(b.date, &b.record.path)))
        .filter(|_| all_closed && !items.is_empty());
    let state = if items.is_empty() || (all_closed && !late) {
        State::Done
    } else if all_closed {
        State::Late
    } else if overdue {
        State::Missing
    } else {
        State::Upcoming
    };
    Milestone {
        key: "certification-findings-closed",
        label: "Certification-body nonconformities closed",
        weeks: u32::try_from(super::ids::days_between(due, next.date).max(0) / 7).unwrap_or(0),
        due,
        state,
        proof,
        record_kind: None,
        total: Some(items.len()),
        outstanding,
    }
}

/// The state of a judged milestone from the date it was met, if it was.
fn judge(met: Option<Date>, due: Date, as_of: Date) -> State {
    match met {
        Some(date) if date <= due => State::Done,
        Some(_) => State::Late,
        // On the due date itself there is still the day to do it.
        None if due < as_of => State::Missing,
        None => State::Upcoming,
    }
}

/// The record of `kind` that settles the milestone: the latest one on or
/// before the due date, else the first one after it (late), ignoring records
/// dated after the as-of date.
fn record_proof<'a>(
    isms: &'a Isms,
    kind: &'a str,
    due: Date,
    as_of: Date,
    since: Option<Date>,
) -> Option<Proof<'a>> {
    let dated = isms
        .records(kind)
        .filter(|(_, r)| r.date.value <= as_of)
        .filter(move |(_, r)| since.is_none_or(|s| r.date.value >= s))
        .map(|(d, r)| Completion {
            date: r.date.value,
            record: d,
        });
    let key = |c: &Completion| (c.date, c.record.path.clone());
    dated
        .clone()
        .filter(|c| c.date <= due)
        .max_by_key(key)
        .or_else(|| dated.filter(|c| c.date > due).min_by_key(key))
}

/// A milestone over many items is met when the last of them is: the proof is
/// that item's, and every item not met by the due date is outstanding. An
/// empty list proves nothing.
fn all_of<'a>(
    items: Vec<(String, Option<Proof<'a>>)>,
    due: Date,
    as_of: Date,
) -> (Option<Proof<'a>>, Option<usize>, Vec<String>) {
    let items: Vec<(String, Option<Proof>)> = items
        .into_iter()
        .map(|(name, p)| (name, p.filter(|p| p.date <= as_of)))
        .collect();
    let outstanding = items
        .iter()
        .filter(|(_, p)| p.is_none_or(|p| p.date > due))
        .map(|(name, _)| name.clone())
        .collect();
    let all_met = !items.is_empty() && items.iter().all(|(_, p)| p.is_some());
    let last = items
        .iter()
        .filter_map(|(_, p)| *p)
        .max_by(|a, b| (a.date, &a.record.path).cmp(&(b.date, &b.record.path)));
    (
        all_met.then_some(last).flatten(),
        Some(items.len()),
        outstanding,
    )
}

/// Approved documents that are not records (drafts, retired documents and
/// records need no approval), each with its approval.
fn approvals(isms: &Isms) -> Vec<(String, Option<Proof<'_>>)> {
    isms.documents
        .iter()
        .map(|d| &**d)
        .filter(|d| d.is_approved() && !d.is_record())
        .map(|d: &Document| {
            let proof = d.approved_on.as_ref().map(|on| Completion {
                date: on.value,
                record: d,
            });
            (d.id.as_str().to_string(), proof)
        })
        .collect()
}

fn training(isms: &Isms) -> Vec<(String, Option<Proof<'_>>)> {
    isms.training_completions()
        .into_iter()
        .map(|(p, c)| (p.name.clone(), c))
        .collect()
}

/// Each evidence area with the record that settles it: only records recent
/// enough to show the area operating count (dated no more than the area's
/// interval before the due date); of those, the latest on or before the due
/// date, else the first after it.
fn areas(isms: &Isms, due: Date, as_of: Date) -> Vec<(String, Option<Proof<'_>>)> {
    EVIDENCE_AREAS
        .iter()
        .map(|area| {
            let since = Interval::Months(area.recent.months(&isms.config)).before(due);
            let dated: Vec<Completion> = area
                .kinds
                .iter()
                .flat_map(|kind| isms.records(kind))
                .filter(|(_, r)| r.date.value >= since && r.date.value <= as_of)
                .map(|(d, r)| Completion {
                    date: r.date.value,
                    record: d,
                })
                .collect();
            let key = |c: &&Completion| (c.date, c.record.path.clone());
            let proof = dated
                .iter()
                .filter(|c| c.date <= due)
                .max_by_key(key)
                .or_else(|| dated.iter().filter(|c| c.date > due).min_by_key(key))
                .copied();
            (area.title.to_string(), proof)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::document::{DocType, Status};
    use crate::model::ids::Spanned;
    use crate::model::people::{Person, Roster};
    use crate::model::record::Grade;
    use crate::model::record::{Table, TrainingRow, TypedRows};
    use crate::model::testing::{d, doc, isms, record};

    const STAGE2: &str = "2027-03-02";

    fn dated(id: &str, kind: &str, date: &str) -> Document {
        let mut r = record(id, kind);
        if let Some(rec) = r.record.as_mut() {
            rec.date.value = d(date);
        }
        r
    }

    fn trained(id: &str, person: &str, on: &str) -> Document {
        let mut r = dated(id, "training", "2026-11-30");
        if let Some(rec) = r.record.as_mut() {
            rec.table = Some(Table {
                typed: TypedRows::Training(vec![TrainingRow {
                    person: person.into(),
                    completed_on: Some(d(on)),
                    expires_on: None,
                    line: 2,
                }]),
                ..Table::default()
            });
        }
        r
    }

    fn approved(id: &str, on: &str) -> Document {
        let mut p = doc(id, DocType::Policy);
        p.approved_on = Some(Spanned::new(d(on), 9));
        p
    }

    /// Evidence for every judged milestone, in time for a Stage 2 on
    /// 2027-03-02: the audit on the due date itself (2027-01-05).
    fn ready() -> Vec<Document> {
        vec![
            dated("IA", "internal-audit", "2027-01-05"),
            dated("MR", "management-review", "2027-01-14"),
            approved("POL-A", "2026-06-01"),
            approved("POL-B", "2027-01-25"),
            trained("TR", "Ann Lee", "2026-10-01"),
            dated("AR", "access-review", "2027-01-18"),
            dated("IL", "incident-log", "2027-01-31"),
            dated("RR", "risk-register", "2027-01-31"),
            dated("SR", "supplier-register", "2027-01-31"),
        ]
    }

    fn person(name: &str) -> Person {
        Person {
            name: name.into(),
            role: String::new(),
            in_scope: true,
            line: 2,
            ..Person::default()
        }
    }

    /// An ISMS of `docs` whose roster has `people` in scope.
    fn model(docs: Vec<Document>, people: &[&str]) -> Isms {
        let mut i = isms(docs, None);
        i.roster = Roster {
            path: None,
            people: people.iter().map(|p| person(p)).collect(),
            ..Roster::default()
        };
        i
    }

    fn run(docs: Vec<Document>, as_of: &str) -> Vec<(&'static str, State)> {
        milestones(&model(docs, &["Ann Lee"]), d(STAGE2), d(as_of))
            .into_iter()
            .map(|m| (m.key, m.state))
            .collect()
    }

    fn state(got: &[(&str, State)], key: &str) -> State {
        got.iter()
            .find(|(k, _)| *k == key)
            .map(|(_, s)| *s)
            .unwrap_or_else(|| panic!("no milestone {key}"))
    }

    #[test]
    fn due_dates_count_back_from_stage2() {
        let i = model(Vec::new(), &[]);
        let due: Vec<(&str, String)> = milestones(&i, d(STAGE2), d("2027-02-15"))
            .iter()
            .map(|m| (m.key, m.due.to_string()))
            .collect();
        assert_eq!(
            due,
            [
                ("internal-audit", "2027-01-05"),
                ("management-review", "2027-01-19"),
                ("audit-actions-closed", "2027-02-02"),
                ("documents-approved", "2027-02-02"),
                ("training", "2027-02-02"),
                ("access-review", "2027-02-16"),
                ("evidence-packs", "2027-02-16"),
                ("staff-briefing", "2027-02-16"),
                ("register-walk-through", "2027-02-23"),
                ("audit-day", "2027-02-23"),
            ]
            .map(|(k, v)| (k, v.to_string()))
        );
    }

    #[test]
    fn done_with_proof_on_or_before_the_due_date() {
        let i = model(ready(), &["Ann Lee"]);
        let all = milestones(&i, d(STAGE2), d("2027-02-15"));
        for m in all.iter().take(7) {
            assert_eq!(m.state, State::Done, "{}", m.key);
            assert!(m.outstanding.is_empty(), "{}", m.key);
        }
        let ia = &all[0];
        assert_eq!(ia.proof.map(|p| p.record.id.as_str()), Some("IA"));
        assert_eq!(ia.record_kind, Some("internal-audit"));
        let docs = &all[3];
        assert_eq!(docs.total, Some(2));
        assert_eq!(docs.proof.map(|p| p.date), Some(d("2027-01-25")));
        let packs = &all[6];
        assert_eq!(packs.total, Some(EVIDENCE_AREAS.len()));
        // The areas completed last are the logs and registers of 2027-01-31.
        assert_eq!(packs.proof.map(|p| p.date), Some(d("2027-01-31")));
    }

    #[test]
    fn late_when_the_only_proof_is_after_the_due_date() {
        let mut docs = ready();
        docs[0] = dated("IA", "internal-audit", "2027-01-06");
        docs[3] = approved("POL-B", "2027-02-03");
        docs.push(dated("IA-FUTURE", "internal-audit", "2027-02-20"));
        let got = run(docs, "2027-02-15");
        assert_eq!(state(&got, "internal-audit"), State::Late);
        assert_eq!(state(&got, "documents-approved"), State::Late);
        assert_eq!(state(&got, "management-review"), State::Done);
    }

    #[test]
    fn missing_once_the_due_date_has_passed_upcoming_before() {
        let mut docs = ready();
        docs.retain(|d| {
            d.record
                .as_ref()
                .is_none_or(|r| r.kind != "access-review" && r.kind != "management-review")
        });
        // Access reviews are due 2027-02-16: still upcoming on that day.
        let got = run(docs.clone(), "2027-02-16");
        assert_eq!(state(&got, "management-review"), State::Missing);
        assert_eq!(state(&got, "access-review"), State::Upcoming);
        let got = run(docs.clone(), "2027-02-17");
        assert_eq!(state(&got, "access-review"), State::Missing);
        // Both areas without a record make the evidence packs missing.
        let i = model(docs, &["Ann Lee", "Bo Untrained"]);
        let all = milestones(&i, d(STAGE2), d("2027-02-17"));
        assert_eq!(all[6].state, State::Missing);
        assert_eq!(
            all[6].outstanding,
            vec!["Access control", "Management review"]
        );
        assert_eq!(all[4].state, State::Missing);
        assert_eq!(all[4].outstanding, vec!["Bo Untrained"]);
        assert!(all[4].proof.is_none());
    }

    #[test]
    fn evidence_after_the_as_of_date_does_not_count_yet() {
        let got = run(ready(), "2027-01-10");
        // The management review is dated 2027-01-14: not yet happened.
        assert_eq!(state(&got, "management-review"), State::Upcoming);
        assert_eq!(state(&got, "internal-audit"), State::Done);
        // POL-B's approval on 2027-01-25 is in the future too.
        assert_eq!(state(&got, "documents-approved"), State::Upcoming);
    }

    #[test]
    fn drafts_and_retired_documents_need_no_approval() {
        let mut docs = ready();
        let mut draft = doc("STD-DRAFT", DocType::Standard);
        draft.status = Some(Status::Draft);
        draft.approved_on = None;
        let mut retired = approved("STD-OLD", "2027-02-10");
        retired.status = Some(Status::Retired);
        docs.extend([draft, retired]);
        assert_eq!(
            state(&run(docs, "2027-02-15"), "documents-approved"),
            State::Done
        );
        // An approved document without `approved_on` (DC005) is outstanding.
        let mut docs = ready();
        docs[2].approved_on = None;
        assert_eq!(
            state(&run(docs, "2027-02-15"), "documents-approved"),
            State::Missing
        );
    }

    /// An internal-audit record with finding F1 and its action, due
    /// `due`, closed on `closed`.
    fn audit_with_action(due: &str, closed: Option<&str>) -> Document {
        use crate::model::record::{AuditFinding, AuditSeverity, InternalAudit};
        let mut ia = dated("IA", "internal-audit", "2027-01-05");
        if let Some(rec) = ia.record.as_mut() {
            rec.details = RecordDetails::InternalAudit(InternalAudit {
                findings: vec![AuditFinding {
                    id: "F1".into(),
                    severity: AuditSeverity::Minor,
                    reference: None,
                    summary: None,
                    action: Some("Fix the joiner process".into()),
                    due: Some(d(due)),
                    closed_on: closed.map(d),
                    action_id: None,
                    line: 12,
                }],
                ..InternalAudit::default()
            });
        }
        ia
    }

    #[test]
    fn internal_audit_actions_closed_four_weeks_before() {
        let got = |due: &str, closed: Option<&str>, as_of: &str| {
            let mut docs = ready();
            docs[0] = audit_with_action(due, closed);
            let i = model(docs, &["Ann Lee"]);
            let m = milestones(&i, d(STAGE2), d(as_of))
                .into_iter()
                .find(|m| m.key == "audit-actions-closed")
                .expect("milestone");
            (m.state, m.total, m.outstanding)
        };
        // Nothing due by 2027-02-02: nothing to close.
        assert_eq!(
            got("2027-02-20", None, "2027-02-15"),
            (State::Done, Some(0), vec![])
        );
        assert_eq!(
            got("2027-01-31", Some("2027-01-30"), "2027-02-15").0,
            State::Done
        );
        assert_eq!(
            got("2027-01-31", Some("2027-02-05"), "2027-02-15").0,
            State::Late
        );
        assert_eq!(
            got("2027-01-31", None, "2027-02-15"),
            (State::Missing, Some(1), vec!["F1".to_string()])
        );
        assert_eq!(got("2027-01-31", None, "2027-02-01").0, State::Upcoming);
    }

    #[test]
    fn before_a_surveillance_audit_only_this_cycle_counts() {
        use crate::model::record::{CertFinding, CertificationAudit};
        let mut docs = ready();
        let mut cert = dated("CB-S2", "certification-audit", "2027-03-04");
        if let Some(rec) = cert.record.as_mut() {
            rec.details = RecordDetails::CertificationAudit(CertificationAudit {
                findings: vec![CertFinding {
                    id: "NC1".into(),
                    grade: Grade::Minor,
                    summary: None,
                    clause: None,
                    control: None,
                    action_id: None,
                    due: None,
                    closed_on: None,
                    line: 10,
                }],
                ..CertificationAudit::default()
            });
        }
        docs.push(cert);
        let i = model(docs, &["Ann Lee"]);
        let next = NextAudit {
            kind: AuditKind::Surveillance,
            date: d("2028-03-14"),
        };
        let all = milestones_for(&i, next, d("2027-05-01"));
        let state = |key: &str| {
            all.iter()
                .find(|m| m.key == key)
                .map(|m| (m.state, m.due.to_string()))
                .expect("milestone")
        };
        // The Stage 2 internal audit (2027-01-05) is more than 12 months
        // before the surveillance milestone (2028-01-18): it does not count.
        assert_eq!(
            state("internal-audit"),
            (State::Upcoming, "2028-01-18".into())
        );
        // The minor is due 90 days after 2027-03-04, still open and in time.
        assert_eq!(
            state("certification-findings-closed"),
            (State::Upcoming, "2027-06-02".into())
        );
        let late = milestones_for(&i, next, d("2027-06-03"));
        let cf = late
            .iter()
            .find(|m| m.key == "certification-findings-closed")
            .expect("milestone");
        assert_eq!(cf.state, State::Missing);
        assert_eq!(cf.outstanding, vec!["NC1"]);
        // Milestones stay in date order.
        assert!(late.windows(2).all(|w| w[0].due <= w[1].due));
    }

    #[test]
    fn unprovable_milestones_are_dated_to_dos() {
        let got = run(Vec::new(), "2027-03-01");
        assert_eq!(state(&got, "register-walk-through"), State::ToDo);
        assert_eq!(state(&got, "staff-briefing"), State::ToDo);
        assert_eq!(state(&got, "audit-day"), State::ToDo);
        // With no roster and no documents nothing is proven either.
        assert_eq!(state(&got, "documents-approved"), State::Missing);
    }

    #[test]
    fn evidence_packs_count_only_recent_records() {
        // An access review half a year before the due date (2027-02-16) is
        // older than the area's quarter: the pack is not complete.
        let mut docs = ready();
        docs[5] = dated("AR", "access-review", "2026-08-01");
        let i = model(docs.clone(), &["Ann Lee"]);
        let all = milestones(&i, d(STAGE2), d("2027-02-15"));
        let packs = all
            .iter()
            .find(|m| m.key == "evidence-packs")
            .expect("packs");
        assert_eq!(packs.outstanding, vec!["Access control"]);
        // A leavers record of the quarter shows the area operating too.
        docs.push(dated("LV", "leavers", "2027-01-20"));
        let i = model(docs, &["Ann Lee"]);
        let all = milestones(&i, d(STAGE2), d("2027-02-15"));
        let packs = all
            .iter()
            .find(|m| m.key == "evidence-packs")
            .expect("packs");
        assert!(packs.outstanding.is_empty());
        assert_eq!(packs.state, State::Done);
    }
}
