//! Statement of Applicability (clause 6.1.3 d): one SoA, every Annex A control
//! addressed once with a justification, and consistent with what the other
//! documents claim to implement. Unknown ids (SOA003) are reported by the
//! loader and never reach the model.

use std::collections::HashMap;

use super::Context;
use crate::diagnostics::finding::Finding;
use crate::diagnostics::rules;
use crate::model::catalogue::{ControlId, CONTROLS};
use crate::model::document::{DocType, Document, ImplementationStatus, Status};

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let isms = ctx.isms;
    let soas: Vec<&Document> = isms
        .documents
        .iter()
        .map(|d| &**d)
        .filter(|d| d.doc_type == DocType::Soa)
        .collect();
    let Some(first) = soas.first() else {
        out.push(
            Finding::new(&rules::SOA001, "There is no Statement of Applicability (no document with `type: soa`)")
                .hint("Add one document with `type: soa` whose `applicability:` lists every Annex A control."),
        );
        return;
    };
    if soas.len() > 1 {
        for soa in &soas {
            let others: Vec<&str> = soas
                .iter()
                .filter(|o| o.path != soa.path)
                .map(|o| o.id.as_str())
                .collect();
            out.push(
                Finding::new(
                    &rules::SOA008,
                    format!(
                        "{} is one of several Statements of Applicability (also {})",
                        soa.id.as_str(),
                        others.join(", ")
                    ),
                )
                .at(&soa.path, soa.line_of("type"))
                .document(soa.id.as_str())
                .hint("Keep a single `type: soa` document; merge the others into it or change their type."),
            );
        }
    }
    for soa in &soas {
        entries(soa, out);
        approval(soa, out);
    }
    coverage(ctx, first, out);
}

/// SOA009: a draft (or retired) SoA is not the organisation's statement yet.
fn approval(soa: &Document, out: &mut Vec<Finding>) {
    if soa.is_approved() {
        return;
    }
    let status = soa.status.map_or("not set", Status::as_str);
    out.push(
        Finding::new(
            &rules::SOA009,
            format!(
                "{} ({}): the Statement of Applicability is not approved (status: {status})",
                soa.id.as_str(),
                soa.path
            ),
        )
        .at(&soa.path, soa.line_of("status"))
        .document(soa.id.as_str())
        .hint(rules::SOA009.fix),
    );
}

/// SOA004 and SOA005: each entry listed once, with a justification.
fn entries(soa: &Document, out: &mut Vec<Finding>) {
    let id = soa.id.as_str();
    let Some(list) = &soa.soa else {
        return;
    };
    let mut first_line: HashMap<ControlId, u32> = HashMap::new();
    for entry in &list.entries {
        if let Some(line) = first_line.get(&entry.control) {
            out.push(
                Finding::new(
                    &rules::SOA004,
                    format!(
                        "{id} lists control {} twice (first at line {line})",
                        entry.control
                    ),
                )
                .at(&soa.path, entry.line)
                .document(id)
                .control(entry.control)
                .hint("Keep one entry per control and remove the duplicate."),
            );
        } else {
            first_line.insert(entry.control, entry.line);
        }
        if entry
            .justification
            .as_deref()
            .is_none_or(|j| j.trim().is_empty())
        {
            let what = if entry.applicable {
                "inclusion"
            } else {
                "exclusion"
            };
            out.push(
                Finding::new(
                    &rules::SOA005,
                    format!(
                        "{id}: the {what} of control {} has no justification",
                        entry.control
                    ),
                )
                .at(&soa.path, entry.line)
                .document(id)
                .control(entry.control)
                .hint("Add a `justification:` saying why the control is included or excluded."),
            );
        }
    }
}

/// SOA002, SOA006, SOA007: the SoA against the catalogue and the documents.
fn coverage(ctx: &Context, soa: &Document, out: &mut Vec<Finding>) {
    let id = soa.id.as_str();
    let empty = Vec::new();
    let (list_line, list) = match &soa.soa {
        Some(s) => (s.line, &s.entries),
        None => (soa.line_of("applicability"), &empty),
    };
    for control in CONTROLS.iter().map(|c| c.id) {
        if !list.iter().any(|e| e.control == control) {
            out.push(
                Finding::new(
                    &rules::SOA002,
                    format!(
                        "{id} does not address Annex A control {} ({})",
                        control,
                        control.control().title
                    ),
                )
                .at(&soa.path, list_line)
                .document(id)
                .control(control)
                .hint("Add an `applicability:` entry for the control, with `applicable` and a justification."),
            );
        }
    }
    let docs = &ctx.isms.documents;
    for entry in list {
        if entry.applicable && entry.status == Some(ImplementationStatus::Implemented) {
            let implemented = docs.iter().any(|d| {
                d.is_approved()
                    && !d.is_record()
                    && d.controls.iter().any(|c| c.value == entry.control)
            });
            if !implemented {
                out.push(
                    Finding::new(
                        &rules::SOA006,
                        format!(
                            "{id} marks control {} as implemented, but no approved document implements it",
                            entry.control
                        ),
                    )
                    .at(&soa.path, entry.line)
                    .document(id)
                    .control(entry.control)
                    .hint("List the control in the `controls:` of the approved document that implements it, or correct the status."),
                );
            }
        }
        if !entry.applicable {
            for doc in docs
                .iter()
                .filter(|d| d.doc_type != DocType::Soa && d.status != Some(Status::Retired))
            {
                if let Some(c) = doc.controls.iter().find(|c| c.value == entry.control) {
                    out.push(
                        Finding::new(
                            &rules::SOA007,
                            format!(
                                "{} claims control {}, which {id} excludes",
                                doc.id.as_str(),
                                entry.control
                            ),
                        )
                        .at(&doc.path, doc.controls_line.unwrap_or(c.line))
                        .document(doc.id.as_str())
                        .control(entry.control)
                        .hint("Either include the control in the SoA with a justification, or remove it from the document's `controls:`."),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::codes;
    use crate::model::document::{Soa, SoaEntry};
    use crate::model::testing::*;

    fn entry(control: &str, applicable: bool, line: u32) -> SoaEntry {
        SoaEntry {
            control: ControlId::parse(control).expect("control"),
            applicable,
            status: applicable.then_some(ImplementationStatus::Implemented),
            justification: Some("Because.".into()),
            line,
        }
    }

    /// A complete SoA: every control applicable and implemented.
    fn full_soa() -> Document {
        let mut soa = doc("SOA", DocType::Soa);
        soa.soa = Some(Soa {
            line: 12,
            entries: CONTROLS
                .iter()
                .enumerate()
                .map(|(i, c)| entry(&c.id.to_string(), true, 20 + i as u32))
                .collect(),
        });
        soa
    }

    fn all_controls_doc() -> Document {
        let ids: Vec<String> = CONTROLS.iter().map(|c| c.id.to_string()).collect();
        let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        with_controls(doc("POL", DocType::Policy), &refs)
    }

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

    #[test]
    fn complete_soa_is_quiet() {
        assert!(run(vec![full_soa(), all_controls_doc()]).is_empty());
    }

    #[test]
    fn no_soa_is_soa001() {
        assert_eq!(codes(&run(vec![all_controls_doc()])), vec!["SOA001"]);
    }

    #[test]
    fn two_soas_are_soa008_each() {
        let mut other = full_soa();
        other.id = crate::model::ids::Spanned::new(
            crate::model::ids::DocId::parse("SOA2").expect("id"),
            2,
        );
        other.path = "soa2.md".into();
        let out = run(vec![full_soa(), other, all_controls_doc()]);
        assert_eq!(codes(&out), vec!["SOA008", "SOA008"]);
        assert!(out[0].message.contains("SOA2"));
    }

    #[test]
    fn missing_duplicate_and_unjustified_entries() {
        let mut soa = full_soa();
        let list = soa.soa.as_mut().expect("soa");
        list.entries.retain(|e| e.control.to_string() != "8.34");
        list.entries.push(entry("5.1", true, 200));
        list.entries[1].justification = Some("  ".into());
        let out = run(vec![soa, all_controls_doc()]);
        assert_eq!(codes(&out), vec!["SOA005", "SOA004", "SOA002"]);
        assert_eq!(out[2].line, Some(12));
        assert_eq!(
            out[2].control.map(|c| c.to_string()).as_deref(),
            Some("8.34")
        );
    }

    #[test]
    fn implemented_without_document_and_excluded_but_claimed() {
        let mut soa = full_soa();
        let list = soa.soa.as_mut().expect("soa");
        list.entries[0].applicable = false;
        list.entries[0].status = None;
        let mut claims = with_controls(doc("CLAIM", DocType::Procedure), &["5.1"]);
        claims.status = Some(Status::Draft);
        // Implements everything except 5.2; a record listing 5.2 does not count.
        let ids: Vec<String> = CONTROLS
            .iter()
            .map(|c| c.id.to_string())
            .filter(|c| c != "5.1" && c != "5.2")
            .collect();
        let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        let pol = with_controls(doc("POL", DocType::Policy), &refs);
        let rec = with_controls(record("REC", "access-review"), &["5.2"]);
        let out = run(vec![soa, claims, pol, rec]);
        assert_eq!(codes(&out), vec!["SOA007", "SOA006"]);
        assert_eq!(out[0].document.as_deref(), Some("CLAIM"));
        assert_eq!(out[0].line, Some(10));
    }

    #[test]
    fn a_draft_soa_is_soa009_at_its_status_line() {
        let mut soa = full_soa();
        soa.status = Some(Status::Draft);
        let out = run(vec![soa, all_controls_doc()]);
        assert_eq!(codes(&out), vec!["SOA009"]);
        assert_eq!(out[0].path.as_deref(), Some("soa.md"));
        assert_eq!(out[0].line, Some(6));
        assert!(
            out[0].message.contains("status: draft"),
            "{}",
            out[0].message
        );
    }

    #[test]
    fn an_approved_soa_is_not_soa009() {
        let out = run(vec![full_soa(), all_controls_doc()]);
        assert!(!codes(&out).contains(&"SOA009"));
    }
}
