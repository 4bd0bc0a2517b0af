//! Document control (clause 7.5): approval present and current, reviews on
//! time, approver independent of the owner. Input errors (DC001-DC004) are
//! reported by the loader; links (DC010, DC011) live in `links`.

use rayon::prelude::*;

use super::Context;
use crate::diagnostics::finding::{Finding, Severity};
use crate::diagnostics::rules;
use crate::model::document::{Document, Status};
use crate::model::history::{ApprovalCommit, DocHistory};
use crate::model::ids::fmt_date;

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    // Each document is judged on its own: on every core, collected in
    // document order.
    let findings: Vec<Finding> = ctx
        .isms
        .documents
        .par_iter()
        .flat_map_iter(|doc| {
            let mut found = Vec::new();
            check_document(ctx, doc, &mut found);
            found
        })
        .collect();
    out.extend(findings);
}

/// Every document-control rule about one document.
fn check_document(ctx: &Context, doc: &Document, out: &mut Vec<Finding>) {
    let id = doc.id.as_str();
    // One lookup serves every rule below.
    let history = ctx.isms.history.docs.get(&doc.path);
    approval_date(ctx, doc, out);
    uncommitted(doc, history, out);
    independence(ctx, doc, out);
    if !needs_approval(doc) {
        return;
    }
    let (Some(_), Some(on)) = (&doc.approved_by, &doc.approved_on) else {
        let missing: Vec<&str> = [
            doc.approved_by.is_none().then_some("approved_by"),
            doc.approved_on.is_none().then_some("approved_on"),
        ]
        .into_iter()
        .flatten()
        .collect();
        out.push(
            Finding::new(
                &rules::DC005,
                format!("{id} is approved but has no {}", missing.join(" or ")),
            )
            .at(&doc.path, doc.line_of("status"))
            .document(id)
            .hint("Record who approved this version and when (`isms approve`), or set `status: draft`."),
        );
        return;
    };
    review(ctx, doc, on.value, out);
    currency(doc, history, out);
    super::evidence::check(ctx, doc, history, out);
    version_reused(ctx, doc, history, out);
}

/// DC015: the current approval and the one before it approved different
/// bodies under the same `version`. Not judged when history ends before
/// the earlier approval commit, or when either version has no `version`.
fn version_reused(
    ctx: &Context,
    doc: &Document,
    history: Option<&DocHistory>,
    out: &mut Vec<Finding>,
) {
    let Some(previous) = history.and_then(|h| h.previous_approval.as_ref()) else {
        return;
    };
    let Some(before) = &previous.previous else {
        return;
    };
    let now = &previous.current;
    let (Some(version), Some(was)) = (&now.version, &before.version) else {
        return;
    };
    if version != was || now.body_hash == before.body_hash {
        return;
    }
    let id = doc.id.as_str();
    let commits = &ctx.isms.history.commits;
    let short = |i: usize| commits.get(i).map(|c| c.short_id()).unwrap_or_default();
    let line = doc
        .approved_by
        .as_ref()
        .map(|a| a.line)
        .unwrap_or_else(|| doc.line_of("status"));
    out.push(
        Finding::new(
            &rules::DC015,
            format!(
                "{id}: version {version} names two approved texts: the one approved by {} on {} (commit {}) and a different one approved in commit {}",
                previous.approved_by,
                previous.approved_on,
                short(before.commit),
                short(now.commit)
            ),
        )
        .at(&doc.path, line)
        .document(id)
        .hint("Raise `version` for the text approved last and record its approval again (`isms approve`)."),
    );
}

/// Approved documents that are not records carry approval and review dates.
fn needs_approval(doc: &Document) -> bool {
    doc.is_approved() && !doc.is_record()
}

/// DC006/DC013 for one approved document.
fn currency(doc: &Document, history: Option<&DocHistory>, out: &mut Vec<Finding>) {
    let id = doc.id.as_str();
    if let Some(digest) = &doc.approved_digest {
        if digest.value != doc.body_digest {
            out.push(
                Finding::new(
                    &rules::DC006,
                    format!("{id}: the body differs from the approved version (`approved_digest` does not match)"),
                )
                .at(&doc.path, digest.line)
                .document(id)
                .hint("Have the change approved and record the new approval with `isms approve`, or revert the body."),
            );
        }
        return;
    }
    let Some(dh) = history else {
        return;
    };
    let line = doc.approved_on.as_ref().map_or(1, |s| s.line);
    match dh.approval {
        ApprovalCommit::Found {
            body_matches_head: false,
            ..
        } => out.push(
            Finding::new(
                &rules::DC006,
                format!("{id}: the body changed in a commit after the one that recorded its approval"),
            )
            .at(&doc.path, line)
            .document(id)
            .hint("Have the changed version approved and update `approved_by`/`approved_on` (`isms approve`), or revert the body."),
        ),
        ApprovalCommit::CutShort => out.push(
            Finding::new(
                &rules::DC013,
                format!("{id}: git history ends before the commit that recorded its approval, so approval currency was not judged"),
            )
            .at(&doc.path, line)
            .document(id)
            .hint("Fetch full history (`git fetch --unshallow`), or record `approved_digest` with `isms approve`."),
        ),
        // Committed approval values are judged above; an approval that exists
        // only in the working tree is reported as DC008.
        ApprovalCommit::Found { .. } | ApprovalCommit::NotInHead => {}
    }
}

/// DC007: review overdue, or falling due before the next audit.
fn review(
    ctx: &Context,
    doc: &Document,
    approved_on: crate::model::ids::Date,
    out: &mut Vec<Finding>,
) {
    let id = doc.id.as_str();
    let due = ctx.isms.next_review(doc).unwrap_or(approved_on);
    let line = doc
        .next_review
        .as_ref()
        .map(|n| n.line)
        .or(doc.approved_on.as_ref().map(|a| a.line))
        .unwrap_or(1);
    let hint = "Review the document, then record the new approval (`isms approve`) or set a new `next_review`.";
    if due < ctx.as_of {
        out.push(
            Finding::new(
                &rules::DC007,
                format!("{id}: review was due on {} and is overdue", fmt_date(due)),
            )
            .at(&doc.path, line)
            .document(id)
            .hint(hint),
        );
    } else if let Some(next) = ctx.next_audit().filter(|a| due < a.date) {
        out.push(
            Finding::new(
                &rules::DC007,
                format!(
                    "{id}: review falls due on {}, before {}",
                    fmt_date(due),
                    next.describe()
                ),
            )
            .severity(Severity::Observation)
            .at(&doc.path, line)
            .document(id)
            .hint(hint),
        );
    }
}

/// DC008: the working tree or index differs from HEAD.
fn uncommitted(doc: &Document, history: Option<&DocHistory>, out: &mut Vec<Finding>) {
    if history.is_some_and(|d| d.uncommitted) {
        let id = doc.id.as_str();
        out.push(
            Finding::new(&rules::DC008, format!("{id} has uncommitted changes"))
                .at(&doc.path, 1)
                .document(id)
                .hint("Commit the change (through review) so the controlled version is the one in git."),
        );
    }
}

/// DC009: approver is the owner while `require_distinct_approver`.
fn independence(ctx: &Context, doc: &Document, out: &mut Vec<Finding>) {
    if !ctx.isms.config.require_distinct_approver
        || matches!(doc.status, Some(Status::Draft | Status::Retired))
    {
        return;
    }
    let Some(by) = &doc.approved_by else {
        return;
    };
    if ctx.isms.roster.same_person(&by.value, &doc.owner.value) {
        let id = doc.id.as_str();
        out.push(
            Finding::new(
                &rules::DC009,
                format!(
                    "{id} is approved by its owner ({} approved, owner {})",
                    by.value, doc.owner.value
                ),
            )
            .at(&doc.path, by.line)
            .document(id)
            .hint("Have someone other than the owner approve the document, or set `require_distinct_approver = false` if that is your policy."),
        );
    }
}

/// DC012: approval dated after the as-of date.
fn approval_date(ctx: &Context, doc: &Document, out: &mut Vec<Finding>) {
    let Some(on) = &doc.approved_on else {
        return;
    };
    if on.value > ctx.as_of {
        let id = doc.id.as_str();
        out.push(
            Finding::new(
                &rules::DC012,
                format!(
                    "{id}: `approved_on` {} is after the as-of date {}",
                    fmt_date(on.value),
                    fmt_date(ctx.as_of)
                ),
            )
            .at(&doc.path, on.line)
            .document(id)
            .hint("Correct `approved_on` to the day the approval was given."),
        );
    }
}

#[cfg(test)]
mod tests {

    use super::*;
    use crate::checks::codes;
    use crate::checks::Context;
    use crate::model::document::DocType;
    use crate::model::history::{DocHistory, History, HistoryStats};
    use crate::model::ids::Spanned;
    use crate::model::testing::*;
    use crate::model::Isms;

    fn run(isms: &Isms) -> Vec<Finding> {
        let ctx = Context {
            isms,
            as_of: d("2026-10-01"),
        };
        let mut out = Vec::new();
        check(&ctx, &mut out);
        out
    }

    fn history(entries: Vec<(&str, ApprovalCommit, bool)>) -> History {
        History {
            head: Some("0".repeat(40)),
            shallow: false,
            dirty: false,
            worktree_changes: Default::default(),
            root_prefix: String::new(),
            commits: Vec::new(),
            docs: entries
                .into_iter()
                .map(|(p, approval, uncommitted)| {
                    (
                        p.to_string(),
                        DocHistory {
                            changes: Vec::new(),
                            approval,
                            head_fingerprint: None,
                            previous_approval: None,
                            approval_facts: None,
                            uncommitted,
                        },
                    )
                })
                .collect(),
            stats: HistoryStats::default(),
        }
    }

    fn found(matches: bool) -> ApprovalCommit {
        ApprovalCommit::Found {
            commit: 0,
            body_matches_head: matches,
        }
    }

    #[test]
    fn clean_document_is_quiet() {
        let h = history(vec![("pol.md", found(true), false)]);
        let out = run(&isms(vec![doc("POL", DocType::Policy)], Some(h)));
        assert!(out.is_empty(), "{out:?}");
    }

    #[test]
    fn missing_approval_is_dc005_but_not_for_drafts_or_records() {
        let mut a = doc("POL", DocType::Policy);
        a.approved_on = None;
        let mut draft = doc("DRAFT", DocType::Policy);
        draft.status = Some(Status::Draft);
        draft.approved_by = None;
        draft.approved_on = None;
        let rec = record("REC", "training");
        let out = run(&isms(vec![a, draft, rec], Some(history(vec![]))));
        assert_eq!(codes(&out), vec!["DC005"]);
        assert!(out[0].message.contains("POL") && out[0].message.contains("approved_on"));
    }

    #[test]
    fn digest_mismatch_is_dc006_and_needs_no_history() {
        let mut a = doc("POL", DocType::Policy);
        a.approved_digest = Some(Spanned::new("sha256:11".into(), 10));
        let mut b = doc("OK", DocType::Policy);
        b.approved_digest = Some(Spanned::new("sha256:00".into(), 10));
        let out = run(&isms(vec![a, b], None));
        assert_eq!(codes(&out), vec!["DC006"]);
        assert_eq!(out[0].document.as_deref(), Some("POL"));
    }

    #[test]
    fn history_decides_dc006_dc013_and_dc008() {
        let docs = vec![
            doc("A", DocType::Policy),
            doc("B", DocType::Policy),
            doc("C", DocType::Policy),
        ];
        let h = history(vec![
            ("a.md", found(false), false),
            ("b.md", ApprovalCommit::CutShort, false),
            ("c.md", ApprovalCommit::NotInHead, true),
        ]);
        let out = run(&isms(docs, Some(h)));
        let mut got: Vec<_> = out
            .iter()
            .map(|f| (f.rule.code, f.document.clone().unwrap_or_default()))
            .collect();
        got.sort();
        assert_eq!(
            got,
            vec![
                ("DC006", "A".to_string()),
                ("DC008", "C".to_string()),
                ("DC013", "B".to_string())
            ]
        );
    }

    #[test]
    fn reviews_overdue_and_before_stage2() {
        let mut late = doc("LATE", DocType::Policy);
        late.next_review = Some(Spanned::new(d("2026-09-30"), 12));
        let mut soon = doc("SOON", DocType::Policy);
        soon.next_review = Some(Spanned::new(d("2026-12-01"), 12));
        let mut old = doc("OLD", DocType::Policy);
        old.approved_on = Some(Spanned::new(d("2025-09-30"), 9));
        let mut retired = doc("RET", DocType::Policy);
        retired.status = Some(Status::Retired);
        retired.next_review = Some(Spanned::new(d("2020-01-01"), 12));
        let mut m = isms(vec![late, soon, old, retired], Some(history(vec![])));
        m.config.stage2 = Some(d("2027-03-02"));
        let out = run(&m);
        let got: Vec<_> = out
            .iter()
            .map(|f| (f.document.clone().unwrap_or_default(), f.severity))
            .collect();
        assert_eq!(
            got,
            vec![
                ("LATE".to_string(), Severity::Minor),
                ("SOON".to_string(), Severity::Observation),
                ("OLD".to_string(), Severity::Minor),
            ]
        );
        assert!(out[1].message.ends_with("before Stage 2 on 2027-03-02"));
        // After Stage 2, the early case looks at the next surveillance audit.
        m.config.stage2 = Some(d("2026-09-01"));
        m.config.surveillance = vec![d("2027-03-02")];
        let out = run(&m);
        assert_eq!(out[1].severity, Severity::Observation);
        assert!(
            out[1]
                .message
                .ends_with("before the surveillance audit on 2027-03-02"),
            "{}",
            out[1].message
        );
    }

    #[test]
    fn approver_is_owner_and_future_approval() {
        let mut own = doc("OWN", DocType::Policy);
        own.owner = Spanned::new("sam  LEE".into(), 7);
        let mut future = doc("FUT", DocType::Policy);
        future.approved_on = Some(Spanned::new(d("2026-10-02"), 9));
        let h = history(vec![
            ("own.md", found(true), false),
            ("fut.md", found(true), false),
        ]);
        let mut m = isms(vec![own, future], Some(h));
        let out = run(&m);
        assert_eq!(codes(&out), vec!["DC009", "DC012"]);
        assert_eq!(out[1].severity, Severity::Error);
        m.config.require_distinct_approver = false;
        assert_eq!(codes(&run(&m)), vec!["DC012"]);
    }
}
