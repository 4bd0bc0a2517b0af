//! The staff audit briefing (`briefing.html`, contract 5.6): while a
//! certification audit lies ahead, staff learn what it is and when, what an
//! auditor may ask them, that honest answers are the right ones, where the
//! policies are and how to report an incident. A staff document of `type:
//! briefing` replaces the default text; the home page links the briefing
//! from [`LEAD_DAYS`] before the audit until its day.

use serde::Serialize;

use crate::model::cycle::AuditKind;
use crate::model::document::{DocType, Document};
use crate::model::ids::{fmt_date, Date};
use crate::model::Isms;

/// How long before the audit the staff home page points to the briefing
/// (the preparation timeline's "staff briefed" milestone falls within it).
pub const LEAD_DAYS: i64 = 28;

/// The audit the briefing is about.
#[derive(Serialize, Hash, Debug, PartialEq, Eq)]
pub(crate) struct NextAudit {
    /// "Stage 2" or "surveillance", as staff read it before "audit".
    pub kind: &'static str,
    pub date: String,
    /// Whether the audit's day is after the as-of date.
    pub upcoming: bool,
    /// Whether the home page links the briefing (from [`LEAD_DAYS`] before
    /// the audit until its day).
    pub announce: bool,
}

/// The next certification audit as of `as_of` (contract 5.1): Stage 2, or
/// after it the next surveillance audit.
pub(crate) fn next_audit(isms: &Isms, as_of: Date) -> Option<NextAudit> {
    let next = isms.next_audit(as_of)?;
    let days = (next.date - as_of).num_days();
    Some(NextAudit {
        kind: match next.kind {
            AuditKind::Stage2 => "Stage 2",
            AuditKind::Surveillance => "surveillance",
        },
        date: fmt_date(next.date),
        upcoming: days > 0,
        announce: (0..=LEAD_DAYS).contains(&days),
    })
}

/// The staff document that replaces the default briefing text: the staff
/// site's `type: briefing` document, the first by id when there are
/// several. Only a document on the staff site qualifies (contract section
/// 4), so nothing of another one is ever shown.
pub(crate) fn briefing_doc(isms: &Isms) -> Option<&Document> {
    isms.documents
        .iter()
        .map(|d| &**d)
        .filter(|d| d.doc_type == DocType::Briefing && isms.on_staff_site(d))
        .min_by(|a, b| a.id.as_str().cmp(b.id.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ids::parse_date;
    use crate::model::testing::{doc, isms};

    fn date(text: &str) -> Date {
        parse_date(text).expect("date")
    }

    #[test]
    fn announced_from_four_weeks_before_until_the_day() {
        let mut model = isms(Vec::new(), None);
        model.config.stage2 = None;
        assert_eq!(next_audit(&model, date("2027-01-01")), None);
        model.config.stage2 = Some(date("2027-03-02"));
        let at = |d| next_audit(&model, date(d)).expect("audit");
        assert!(!at("2027-02-01").announce, "29 days before");
        assert!(at("2027-02-02").announce, "28 days before");
        assert!(at("2027-03-02").announce && !at("2027-03-02").upcoming);
        assert!(!at("2027-03-03").announce);
        assert_eq!(at("2027-02-02").kind, "Stage 2");
        assert_eq!(at("2027-02-02").date, "2027-03-02");
    }

    #[test]
    fn after_stage2_the_briefing_is_about_the_surveillance_audit() {
        let mut model = isms(Vec::new(), None);
        model.config.stage2 = Some(date("2027-03-02"));
        model.config.surveillance = vec![date("2028-02-15")];
        let next = next_audit(&model, date("2028-01-20")).expect("audit");
        assert_eq!(next.kind, "surveillance");
        assert_eq!(next.date, "2028-02-15");
        assert!(next.announce && next.upcoming);
    }

    #[test]
    fn only_a_staff_briefing_replaces_the_default_text() {
        let mut confidential = doc("BRF-B", DocType::Briefing);
        confidential.classification = crate::model::document::Classification::Confidential;
        let model = isms(vec![confidential], None);
        assert!(briefing_doc(&model).is_none(), "not on the staff site");
        let model = isms(
            vec![
                doc("BRF-B", DocType::Briefing),
                doc("BRF-A", DocType::Briefing),
            ],
            None,
        );
        assert_eq!(briefing_doc(&model).map(|d| d.id.as_str()), Some("BRF-A"));
    }
}
