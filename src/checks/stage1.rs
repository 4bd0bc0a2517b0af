//! Stage 1 readiness: the mandatory documented information an auditor asks
//! for first (scope, policy, risk process and results, objectives, and the
//! rest named by clause). Internal audit and management review are RD001/RD004.

use super::Context;
use crate::diagnostics::finding::Finding;
use crate::diagnostics::rules;
use crate::model::clauses;
use crate::model::document::{DocType, Document};
use crate::model::ids::ClauseId;

/// Documents that count as documented information: approved documents, and
/// records whatever their status (evidence is not approved like a policy).
fn counts(doc: &Document) -> bool {
    doc.is_record() || doc.is_approved()
}

/// The clauses Stage 1 asks about, each answered by [`Meeting::of`].
const ASKED: [&str; 10] = [
    "4.3", "5.2", "6.1.2", "6.1.3", "8.2", "8.3", "7.2", "8.1", "9.1", "10.2",
];

/// The documents that count for each clause Stage 1 asks about, found in
/// one pass over the documents.
struct Meeting<'a>(Vec<(&'static str, Vec<&'a Document>)>);

impl<'a> Meeting<'a> {
    fn new(ctx: &'a Context<'a>) -> Meeting<'a> {
        let (asked, ids): (Vec<&'static str>, Vec<ClauseId>) = ASKED
            .iter()
            .filter_map(|&c| Some((c, ClauseId::parse(c)?)))
            .unzip();
        let met = ctx.isms.documents_meeting(&ids);
        Meeting(
            asked
                .into_iter()
                .zip(met)
                .map(|(c, docs)| (c, docs.into_iter().filter(|d| counts(d)).collect()))
                .collect(),
        )
    }

    /// The documents that count and meet `clause` (one of [`ASKED`]), in
    /// document order.
    fn of(&self, clause: &str) -> &[&'a Document] {
        debug_assert!(ASKED.contains(&clause), "{clause} is not in ASKED");
        self.0
            .iter()
            .find(|(c, _)| *c == clause)
            .map_or(&[], |(_, docs)| docs.as_slice())
    }
}

fn clause_name(clause: &str) -> String {
    match ClauseId::parse(clause).as_ref().and_then(clauses::title) {
        Some(title) => format!("{clause} ({title})"),
        None => clause.to_string(),
    }
}

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let met = Meeting::new(ctx);
    scope(&met, out);
    policy(ctx, &met, out);
    risk(&met, out);
    objectives(ctx, out);
    others(&met, out);
}

/// ST001: an approved scope (4.3).
fn scope(met: &Meeting, out: &mut Vec<Finding>) {
    if met.of("4.3").is_empty() {
        out.push(
            Finding::new(&rules::ST001, "No approved ISMS scope (clause 4.3)")
                .hint("Approve a document with `type: scope`, or list clause \"4.3\" in the `clauses:` of the approved document that defines the scope."),
        );
    }
}

/// ST002: an approved policy (5.2), approved by top management.
fn policy(ctx: &Context, met: &Meeting, out: &mut Vec<Finding>) {
    let isms = ctx.isms;
    let policies: Vec<&Document> = met
        .of("5.2")
        .iter()
        .copied()
        .filter(|d| !d.is_record())
        .collect();
    if policies.is_empty() {
        out.push(
            Finding::new(&rules::ST002, "No approved information security policy (clause 5.2)")
                .hint("Approve the information security policy and list clause \"5.2\" in its `clauses:`."),
        );
        return;
    }
    for doc in policies {
        let by = doc.approved_by.as_ref();
        let by_top = by.is_some_and(|by| {
            isms.config
                .top_management
                .iter()
                .any(|t| isms.roster.same_person(t, &by.value))
        });
        if !by_top {
            let who = by.map_or("nobody".to_string(), |b| b.value.clone());
            let line = by.map_or(doc.line_of("status"), |b| b.line);
            out.push(
                Finding::new(
                    &rules::ST002,
                    format!(
                        "The information security policy {} is approved by {who}, who is not in top management",
                        doc.id.as_str()
                    ),
                )
                .at(&doc.path, line)
                .document(doc.id.as_str())
                .hint("Have a member of `[organisation] top_management` in isms.toml approve the policy."),
            );
        }
    }
}

/// ST003: risk assessment and treatment processes (6.1.2, 6.1.3) and their
/// results (8.2, 8.3) as records or a register.
fn risk(met: &Meeting, out: &mut Vec<Finding>) {
    let mut missing = Vec::new();
    for clause in ["6.1.2", "6.1.3"] {
        if !met.of(clause).iter().any(|d| !d.is_record()) {
            missing.push(format!(
                "an approved process document for {}",
                clause_name(clause)
            ));
        }
    }
    for clause in ["8.2", "8.3"] {
        let results = met
            .of(clause)
            .iter()
            .any(|d| d.is_record() || d.doc_type == DocType::Register);
        if !results {
            missing.push(format!(
                "a record or register of results for {}",
                clause_name(clause)
            ));
        }
    }
    if !missing.is_empty() {
        out.push(
            Finding::new(
                &rules::ST003,
                format!("Risk assessment or treatment is not documented: missing {}", missing.join("; ")),
            )
            .hint("Approve the risk assessment and treatment methodology (`type: risk-assessment`, `risk-treatment-plan`) and keep a `record: risk-register`."),
        );
    }
}

/// ST004: an approved objectives document whose objectives all have an
/// objective, owner and measure.
fn objectives(ctx: &Context, out: &mut Vec<Finding>) {
    let docs: Vec<&Document> = ctx
        .isms
        .documents
        .iter()
        .map(|d| &**d)
        .filter(|d| d.doc_type == DocType::Objectives && d.is_approved())
        .collect();
    let listed = docs
        .iter()
        .any(|d| d.objectives.as_ref().is_some_and(|o| !o.value.is_empty()));
    if !listed {
        out.push(
            Finding::new(&rules::ST004, "No approved information security objectives (clause 6.2)")
                .hint("Approve a `type: objectives` document listing `objectives:` with objective, owner and measure."),
        );
    }
    for doc in docs {
        let Some(list) = &doc.objectives else {
            continue;
        };
        for (i, o) in list.value.iter().enumerate() {
            let missing: Vec<&str> = [
                ("objective", &o.objective),
                ("owner", &o.owner),
                ("measure", &o.measure),
            ]
            .into_iter()
            .filter(|(_, v)| v.as_deref().is_none_or(|s| s.trim().is_empty()))
            .map(|(k, _)| k)
            .collect();
            if !missing.is_empty() {
                out.push(
                    Finding::new(
                        &rules::ST004,
                        format!(
                            "{}: objective {} has no {}",
                            doc.id.as_str(),
                            i + 1,
                            missing.join(", ")
                        ),
                    )
                    .at(&doc.path, o.line)
                    .document(doc.id.as_str())
                    .hint("Give every objective an `objective`, an `owner` and a `measure`."),
                );
            }
        }
    }
}

/// ST005: the other mandatory documented information, one finding per clause.
fn others(met: &Meeting, out: &mut Vec<Finding>) {
    for clause in ["7.2", "8.1", "9.1", "10.2"] {
        if met.of(clause).is_empty() {
            out.push(
                Finding::new(
                    &rules::ST005,
                    format!("No documented information for clause {}", clause_name(clause)),
                )
                .clause(clause)
                .hint(format!(
                    "Add an approved document or a record that lists clause \"{clause}\" in `clauses:` (or a record kind that implies it)."
                )),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::codes;
    use crate::model::document::{Objective, Status};
    use crate::model::ids::Spanned;
    use crate::model::testing::*;

    fn run(docs: Vec<Document>) -> Vec<Finding> {
        let isms = isms(docs, None);
        let ctx = Context {
            isms: &isms,
            as_of: d("2026-10-01"),
        };
        let mut out = Vec::new();
        check(&ctx, &mut out);
        out
    }

    fn objective(owner: Option<&str>) -> Objective {
        Objective {
            objective: Some("Fewer incidents".into()),
            owner: owner.map(String::from),
            measure: Some("Incidents per quarter".into()),
            line: 20,
            ..Objective::default()
        }
    }

    fn complete() -> Vec<Document> {
        let mut obj = doc("OBJ", DocType::Objectives);
        obj.objectives = Some(Spanned::new(vec![objective(Some("Kim"))], 19));
        vec![
            doc("SCOPE", DocType::Scope),
            with_clauses(doc("POL", DocType::Policy), &["5.2"]),
            doc("RA", DocType::RiskAssessment),
            doc("RTP", DocType::RiskTreatmentPlan),
            record("RR", "risk-register"),
            obj,
            record("TR", "training"),
            with_clauses(doc("MON", DocType::Procedure), &["9.1"]),
            record("CA", "corrective-actions"),
        ]
    }

    #[test]
    fn complete_set_is_quiet() {
        let out = run(complete());
        assert!(out.is_empty(), "{out:?}");
    }

    #[test]
    fn nothing_at_all() {
        let out = run(Vec::new());
        assert_eq!(
            codes(&out),
            vec!["ST001", "ST002", "ST003", "ST004", "ST005", "ST005", "ST005", "ST005"]
        );
        let clauses: Vec<_> = out.iter().filter_map(|f| f.clause.clone()).collect();
        assert_eq!(clauses, vec!["7.2", "8.1", "9.1", "10.2"]);
    }

    #[test]
    fn drafts_do_not_count_but_records_do() {
        let mut docs = complete();
        docs[0].status = Some(Status::Draft);
        docs[4].status = Some(Status::Draft);
        assert_eq!(codes(&run(docs)), vec!["ST001"]);
    }

    #[test]
    fn policy_must_be_approved_by_top_management() {
        let mut docs = complete();
        docs[1].approved_by = Some(Spanned::new("Kim Park".into(), 8));
        let out = run(docs);
        assert_eq!(codes(&out), vec!["ST002"]);
        assert!(out[0].message.contains("POL"));
    }

    #[test]
    fn missing_risk_results_are_named() {
        let mut docs = complete();
        docs.remove(4);
        let out = run(docs);
        assert_eq!(codes(&out), vec!["ST003"]);
        assert!(out[0].message.contains("8.2") && out[0].message.contains("8.3"));
        assert!(!out[0].message.contains("6.1.2"));
    }

    #[test]
    fn objective_without_owner() {
        let mut docs = complete();
        docs[5].objectives = Some(Spanned::new(vec![objective(None)], 19));
        let out = run(docs);
        assert_eq!(codes(&out), vec!["ST004"]);
        assert!(out[0].message.contains("OBJ") && out[0].message.contains("owner"));
    }
}
