//! Operating evidence: the records that show a control working, and the
//! internal audits that looked at it. RD025 and the SoA page of the audit
//! index both read this, so the finding and the page agree.

use std::collections::HashMap;

use super::catalogue::ControlId;
use super::document::{Document, ImplementationStatus};
use super::ids::Date;
use super::Isms;

/// One record that lists a control in its `controls:`.
#[derive(Clone, Copy, Debug)]
pub struct Evidence<'a> {
    pub date: Date,
    pub record: &'a Document,
}

/// Per control, the records listing it and the latest internal audit whose
/// `scope_controls` names it, built in one pass over the documents.
#[derive(Debug, Default)]
pub struct Operation<'a> {
    evidence: HashMap<ControlId, Vec<Evidence<'a>>>,
    audited: HashMap<ControlId, Evidence<'a>>,
}

impl<'a> Operation<'a> {
    /// Records dated after `as_of` have not happened yet and are left out.
    pub fn new(isms: &'a Isms, as_of: Date) -> Self {
        let mut op = Operation::default();
        for doc in isms.documents.iter().map(|d| &**d) {
            let Some(rec) = doc.record.as_ref().filter(|_| doc.is_record()) else {
                continue;
            };
            if rec.date.value > as_of {
                continue;
            }
            let ev = Evidence {
                date: rec.date.value,
                record: doc,
            };
            for c in &doc.controls {
                let list = op.evidence.entry(c.value).or_default();
                // Documents come in path order, so a control the same
                // record lists twice can only repeat the last entry.
                if list.last().is_none_or(|e| e.record.path != doc.path) {
                    list.push(ev);
                }
            }
            if let super::record::RecordDetails::InternalAudit(audit) = &rec.details {
                for c in &audit.scope_controls {
                    let newer = op
                        .audited
                        .get(c)
                        .is_none_or(|e| (e.date, &e.record.path) < (ev.date, &doc.path));
                    if newer {
                        op.audited.insert(*c, ev);
                    }
                }
            }
        }
        for list in op.evidence.values_mut() {
            list.sort_by(|a, b| (b.date, &a.record.path).cmp(&(a.date, &b.record.path)));
        }
        op
    }

    /// The records listing `control`, newest first (path order within a day).
    pub fn evidence(&self, control: ControlId) -> &[Evidence<'a>] {
        self.evidence.get(&control).map_or(&[][..], Vec::as_slice)
    }

    /// The latest internal audit whose `scope_controls` names `control`.
    pub fn last_audited(&self, control: ControlId) -> Option<Evidence<'a>> {
        self.audited.get(&control).copied()
    }

    /// Applicable controls the SoA marks `implemented`, in SoA order, with
    /// whether any record evidences them: the overview's "N of M".
    pub fn implemented(&self, isms: &Isms) -> Vec<(ControlId, bool)> {
        let Some(soa) = isms.documents.iter().find_map(|d| {
            d.soa
                .as_ref()
                .filter(|_| d.doc_type == super::document::DocType::Soa)
        }) else {
            return Vec::new();
        };
        let mut seen = std::collections::HashSet::new();
        soa.entries
            .iter()
            .filter(|e| e.applicable && e.status == Some(ImplementationStatus::Implemented))
            .filter(|e| seen.insert(e.control))
            .map(|e| (e.control, !self.evidence(e.control).is_empty()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testing::{d, isms, record, with_controls};

    fn dated(id: &str, kind: &str, date: &str, controls: &[&str]) -> Document {
        let mut r = with_controls(record(id, kind), controls);
        if let Some(rec) = r.record.as_mut() {
            rec.date.value = d(date);
        }
        r
    }

    #[test]
    fn evidence_is_newest_first_and_ignores_the_future() {
        let i = isms(
            vec![
                dated("AR-1", "access-review", "2026-01-10", &["5.15"]),
                dated("AR-2", "access-review", "2026-04-10", &["5.15", "5.18"]),
                dated("AR-3", "access-review", "2026-12-10", &["5.15"]),
            ],
            None,
        );
        let op = Operation::new(&i, d("2026-06-01"));
        let c = |s| ControlId::parse(s).expect("control");
        let ids: Vec<&str> = op
            .evidence(c("5.15"))
            .iter()
            .map(|e| e.record.id.as_str())
            .collect();
        assert_eq!(ids, vec!["AR-2", "AR-1"]);
        assert_eq!(op.evidence(c("5.18")).len(), 1);
        assert!(op.evidence(c("8.1")).is_empty());
    }
}
