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

use super::document::Document;
use super::evidence::{Completion, EVIDENCE_AREAS};
use super::ids::Date;
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
    /// Nothing a record shows: a dated to-do.
    Unjudged,
}

const PLAN: [(&str, &str, u32, Evidence); 8] = [
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
    (
        "register-walk-through",
        "Registers walked through with their owners",
        FINAL_WEEKS,
        Evidence::Unjudged,
    ),
    (
        "staff-briefing",
        "Staff briefed on the audit",
        FINAL_WEEKS,
        Evidence::Unjudged,
    ),
];

/// The milestones before Stage 2, earliest first, judged as of `as_of`.
pub fn milestones(isms: &Isms, stage2: Date, as_of: Date) -> Vec<Milestone<'_>> {
    PLAN.iter()
        .map(|(key, label, weeks, evidence)| {
            let due = stage2 - chrono::Days::new(u64::from(*weeks) * 7);
            let (proof, total, outstanding) = match evidence {
                Evidence::Record(kind) => (record_proof(isms, kind, due, as_of), None, Vec::new()),
                Evidence::Approvals => all_of(approvals(isms), due, as_of),
                Evidence::Training => all_of(training(isms), due, as_of),
                Evidence::Areas => all_of(areas(isms), due, as_of),
                Evidence::Unjudged => (None, None, Vec::new()),
            };
            let state = match evidence {
                Evidence::Unjudged => State::ToDo,
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
        .collect()
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
fn record_proof<'a>(isms: &'a Isms, kind: &'a str, due: Date, as_of: Date) -> Option<Proof<'a>> {
    let dated = isms
        .records(kind)
        .filter(|(_, r)| r.date.value <= as_of)
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

/// Each evidence area with its first record.
fn areas(isms: &Isms) -> Vec<(String, Option<Proof<'_>>)> {
    EVIDENCE_AREAS
        .iter()
        .map(|area| {
            let first = area
                .kinds
                .iter()
                .flat_map(|kind| isms.records(kind))
                .map(|(d, r)| Completion {
                    date: r.date.value,
                    record: d,
                })
                .min_by(|a, b| (a.date, &a.record.path).cmp(&(b.date, &b.record.path)));
            (area.title.to_string(), first)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::document::{DocType, Status};
    use crate::model::ids::Spanned;
    use crate::model::people::{Person, Roster};
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
                ("documents-approved", "2027-02-02"),
                ("training", "2027-02-02"),
                ("access-review", "2027-02-16"),
                ("evidence-packs", "2027-02-16"),
                ("register-walk-through", "2027-02-23"),
                ("staff-briefing", "2027-02-23"),
            ]
            .map(|(k, v)| (k, v.to_string()))
        );
    }

    #[test]
    fn done_with_proof_on_or_before_the_due_date() {
        let i = model(ready(), &["Ann Lee"]);
        let all = milestones(&i, d(STAGE2), d("2027-02-15"));
        for m in all.iter().take(6) {
            assert_eq!(m.state, State::Done, "{}", m.key);
            assert!(m.outstanding.is_empty(), "{}", m.key);
        }
        let ia = &all[0];
        assert_eq!(ia.proof.map(|p| p.record.id.as_str()), Some("IA"));
        assert_eq!(ia.record_kind, Some("internal-audit"));
        let docs = &all[2];
        assert_eq!(docs.total, Some(2));
        assert_eq!(docs.proof.map(|p| p.date), Some(d("2027-01-25")));
        let packs = &all[5];
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
        assert_eq!(all[5].state, State::Missing);
        assert_eq!(
            all[5].outstanding,
            vec!["Access control", "Management review"]
        );
        assert_eq!(all[3].state, State::Missing);
        assert_eq!(all[3].outstanding, vec!["Bo Untrained"]);
        assert!(all[3].proof.is_none());
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

    #[test]
    fn unprovable_milestones_are_dated_to_dos() {
        let got = run(Vec::new(), "2027-03-01");
        assert_eq!(state(&got, "register-walk-through"), State::ToDo);
        assert_eq!(state(&got, "staff-briefing"), State::ToDo);
        // With no roster and no documents nothing is proven either.
        assert_eq!(state(&got, "documents-approved"), State::Missing);
    }
}
