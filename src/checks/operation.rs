//! Whether the ISMS shows itself operating the way the SoA says: controls
//! marked implemented with no record evidencing them (RD025).

use super::Context;
use crate::diagnostics::finding::Finding;
use crate::diagnostics::rules;
use crate::model::catalogue::Theme;
use crate::model::document::DocType;
use crate::model::operation::Operation;

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    unevidenced(ctx, out);
}

/// RD025: one finding per Annex A theme with implemented controls that no
/// record lists, at the SoA's `applicability:` line. Only the first SoA is
/// judged (SOA008 reports the others).
fn unevidenced(ctx: &Context, out: &mut Vec<Finding>) {
    let isms = ctx.isms;
    let Some(soa) = isms
        .documents
        .iter()
        .find(|d| d.doc_type == DocType::Soa && d.soa.is_some())
    else {
        return;
    };
    let line = soa
        .soa
        .as_ref()
        .map_or(soa.line_of("applicability"), |s| s.line);
    let op = Operation::new(isms, ctx.as_of);
    let mut missing: Vec<_> = op
        .implemented(isms)
        .into_iter()
        .filter(|(_, evidenced)| !evidenced)
        .map(|(c, _)| c)
        .collect();
    missing.sort_by_key(|c| c.index());
    for theme in Theme::ALL {
        let ids: Vec<String> = missing
            .iter()
            .filter(|c| c.control().theme == theme)
            .map(|c| c.to_string())
            .collect();
        if ids.is_empty() {
            continue;
        }
        out.push(
            Finding::new(
                &rules::RD025,
                format!(
                    "{} ({}): {} implemented {} have no operating evidence (no record lists them in `controls:`): {}",
                    soa.id.as_str(),
                    soa.path,
                    ids.len(),
                    theme.label().to_lowercase(),
                    ids.join(", ")
                ),
            )
            .at(&soa.path, line)
            .document(soa.id.as_str())
            .hint(rules::RD025.fix),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::codes;
    use crate::model::catalogue::ControlId;
    use crate::model::document::{Document, ImplementationStatus, Soa, SoaEntry};
    use crate::model::testing::{d, doc, isms, record, with_controls};

    fn soa(entries: &[(&str, bool, ImplementationStatus)]) -> Document {
        let mut s = doc("SOA", DocType::Soa);
        s.soa = Some(Soa {
            line: 12,
            entries: entries
                .iter()
                .enumerate()
                .map(|(i, (c, applicable, status))| SoaEntry {
                    control: ControlId::parse(c).expect("control"),
                    applicable: *applicable,
                    status: Some(*status),
                    justification: Some("Because.".into()),
                    line: 13 + i as u32,
                })
                .collect(),
        });
        s
    }

    fn run(docs: Vec<Document>) -> Vec<Finding> {
        let i = isms(docs, None);
        let ctx = Context {
            isms: &i,
            as_of: d("2026-10-01"),
        };
        let mut out = Vec::new();
        check(&ctx, &mut out);
        out
    }

    use ImplementationStatus::*;

    #[test]
    fn implemented_controls_without_a_record_are_rd025_per_theme() {
        let out = run(vec![
            soa(&[
                ("5.15", true, Implemented),
                ("5.1", true, Implemented),
                ("6.3", true, Implemented),
                ("8.13", true, Implemented),
                ("7.4", false, Implemented),
                ("8.1", true, Partial),
            ]),
            // A policy listing a control shows intent, not operation.
            with_controls(doc("POL", DocType::Policy), &["5.1", "6.3"]),
            with_controls(record("AR", "access-review"), &["5.15", "8.13"]),
        ]);
        assert_eq!(codes(&out), vec!["RD025", "RD025"]);
        assert!(out
            .iter()
            .all(|f| f.path.as_deref() == Some("soa.md") && f.line == Some(12)));
        assert!(
            out[0].message.contains("organizational controls") && out[0].message.ends_with(": 5.1")
        );
        assert!(out[1].message.contains("people controls") && out[1].message.ends_with(": 6.3"));
    }

    #[test]
    fn every_implemented_control_evidenced_is_quiet() {
        let out = run(vec![
            soa(&[("5.15", true, Implemented), ("8.1", true, Planned)]),
            with_controls(record("AR", "access-review"), &["5.15"]),
        ]);
        assert!(out.is_empty());
    }
}
