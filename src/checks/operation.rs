//! Whether the ISMS shows itself operating the way it says: internal audits
//! that leave a clause of 4-10 uncovered (RD022), and controls marked
//! implemented with no record evidencing them (RD025).

use super::Context;
use crate::diagnostics::finding::Finding;
use crate::diagnostics::rules;
use crate::model::catalogue::Theme;
use crate::model::document::DocType;
use crate::model::ids::{fmt_date, Interval};
use crate::model::operation::Operation;
use crate::model::record::RecordDetails;

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    audit_coverage(ctx, out);
    unevidenced(ctx, out);
}

/// RD022: the internal audits dated within `cycle_months` before the next
/// audit (before the as-of date when there is none) cover every clause of
/// 4-10; a sub-clause in `scope_clauses` covers its clause. One finding at
/// the latest internal audit; none without an internal audit (RD001).
fn audit_coverage(ctx: &Context, out: &mut Vec<Finding>) {
    let isms = ctx.isms;
    let Some((latest, _)) = isms
        .records("internal-audit")
        .max_by_key(|(d, r)| (r.date.value, d.path.clone()))
    else {
        return;
    };
    let (end, against) = match isms.next_audit(ctx.as_of) {
        Some(next) => (next.date, next.describe()),
        None => (ctx.as_of, format!("the as-of date {}", fmt_date(ctx.as_of))),
    };
    let months = isms.config.cycle_months;
    let since = Interval::Months(months).before(end);
    let mut covered = [false; 7];
    let mut audits = 0;
    for (_, rec) in isms.records("internal-audit") {
        if rec.date.value < since || rec.date.value > end {
            continue;
        }
        audits += 1;
        let RecordDetails::InternalAudit(audit) = &rec.details else {
            continue;
        };
        for clause in &audit.scope_clauses {
            if let Some(&top) = clause.parts().first() {
                if (4..=10).contains(&top) {
                    covered[usize::from(top - 4)] = true;
                }
            }
        }
    }
    let missing: Vec<String> = (4u8..=10)
        .filter(|c| !covered[usize::from(c - 4)])
        .map(|c| c.to_string())
        .collect();
    if missing.is_empty() {
        return;
    }
    let line = latest
        .key_lines
        .get("scope_clauses")
        .copied()
        .unwrap_or_else(|| latest.line_of("record"));
    out.push(
        Finding::new(
            &rules::RD022,
            format!(
                "{} ({}): the {audits} internal audit(s) dated within {months} months before {against} leave clause(s) {} uncovered",
                latest.id.as_str(),
                latest.path,
                missing.join(", ")
            ),
        )
        .at(&latest.path, line)
        .document(latest.id.as_str())
        .hint(rules::RD022.fix),
    );
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

    fn audit(id: &str, date: &str, clauses: &[&str]) -> Document {
        use crate::model::ids::ClauseId;
        use crate::model::record::InternalAudit;
        let mut r = record(id, "internal-audit");
        r.key_lines.insert("scope_clauses".into(), 11);
        if let Some(rec) = r.record.as_mut() {
            rec.date.value = d(date);
            rec.details = RecordDetails::InternalAudit(InternalAudit {
                scope_clauses: clauses
                    .iter()
                    .map(|c| ClauseId::parse(c).expect("clause"))
                    .collect(),
                ..InternalAudit::default()
            });
        }
        r
    }

    fn rd022(docs: Vec<Document>, stage2: Option<&str>, as_of: &str) -> Vec<Finding> {
        let mut i = isms(docs, None);
        i.config.stage2 = stage2.map(d);
        let ctx = Context {
            isms: &i,
            as_of: d(as_of),
        };
        let mut out = Vec::new();
        audit_coverage(&ctx, &mut out);
        out
    }

    #[test]
    fn audits_of_the_cycle_covering_every_clause_are_quiet() {
        // Sub-clauses cover their clause; two audits together cover 4-10.
        let docs = vec![
            audit("IA-1", "2026-06-01", &["4", "5.2", "6.1.2", "7"]),
            audit("IA-2", "2026-12-01", &["8.1", "9.2.2", "10"]),
        ];
        assert!(rd022(docs, Some("2027-03-02"), "2027-02-15").is_empty());
    }

    #[test]
    fn a_clause_no_audit_of_the_cycle_covered_is_rd022_at_the_latest_audit() {
        // IA-OLD is more than 12 months before Stage 2 (2027-03-02).
        let docs = vec![
            audit(
                "IA-OLD",
                "2026-03-01",
                &["4", "5", "6", "7", "8", "9", "10"],
            ),
            audit("IA-1", "2026-06-01", &["4", "5", "6", "7"]),
            audit("IA-2", "2026-12-01", &["8", "10"]),
        ];
        let out = rd022(docs, Some("2027-03-02"), "2027-02-15");
        assert_eq!(codes(&out), vec!["RD022"]);
        assert_eq!(out[0].path.as_deref(), Some("ia-2.md"));
        assert_eq!(out[0].line, Some(11));
        let m = &out[0].message;
        assert!(
            m.contains("clause(s) 9 uncovered") && m.contains("Stage 2 on 2027-03-02"),
            "{m}"
        );
    }

    #[test]
    fn without_a_next_audit_the_window_ends_on_the_as_of_date() {
        let docs = vec![audit(
            "IA-1",
            "2026-02-14",
            &["4", "5", "6", "7", "8", "9", "10"],
        )];
        assert!(rd022(docs.clone(), None, "2027-02-14").is_empty());
        let out = rd022(docs, None, "2027-02-15");
        assert_eq!(codes(&out), vec!["RD022"]);
        assert!(out[0].message.contains("4, 5, 6, 7, 8, 9, 10"));
    }

    #[test]
    fn no_internal_audit_is_left_to_rd001() {
        assert!(rd022(Vec::new(), Some("2027-03-02"), "2027-02-15").is_empty());
    }
}
