//! Acknowledgements: for each approved `acknowledge: true` document, whether
//! every in-scope person who has not left confirmed its current version in
//! time. RD026 and the audit index's acknowledgements view both read this.

use super::document::Document;
use super::ids::{Date, Spanned};
use super::people::Person;
use super::record::{AcknowledgementRow, TypedRows};
use super::Isms;

/// Where one person stands for one document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AckState {
    /// Confirmed the current version on or before the deadline.
    Confirmed { on: Date },
    /// Confirmed the current version, but only after the deadline.
    Late { on: Date },
    /// Not confirmed, and the deadline has passed.
    Missing,
    /// Not confirmed yet, and the deadline is the as-of date or later.
    Pending,
}

impl AckState {
    /// Whether RD026 counts the person as not having acknowledged in time.
    pub fn is_gap(self) -> bool {
        matches!(self, AckState::Late { .. } | AckState::Missing)
    }
}

/// One person's confirmation of a document.
#[derive(Clone, Copy, Debug)]
pub struct PersonAck<'a> {
    pub person: &'a Person,
    /// `acknowledge_days` after approval, or after joining for later joiners.
    pub deadline: Date,
    pub state: AckState,
}

/// One document staff must confirm, with everyone's confirmation.
#[derive(Clone, Debug)]
pub struct DocumentAcks<'a> {
    pub document: &'a Document,
    pub version: &'a str,
    pub approved_on: Spanned<Date>,
    pub people: Vec<PersonAck<'a>>,
}

impl Isms {
    /// Every approved `acknowledge: true` document that is not a record (with
    /// a version and approval date to judge), in path order.
    pub fn acknowledgements(&self, as_of: Date) -> Vec<DocumentAcks<'_>> {
        let days = self.config.people.acknowledge_days;
        let rows: Vec<&AcknowledgementRow> = self
            .records("acknowledgements")
            .filter_map(|(_, r)| r.table.as_ref())
            .flat_map(|t| match &t.typed {
                TypedRows::Acknowledgements(rows) => rows.iter().collect(),
                _ => Vec::new(),
            })
            .collect();
        let mut out = Vec::new();
        for doc in self.documents.iter().map(|d| &**d) {
            if !doc.needs_acknowledgement() || !doc.is_approved() || doc.is_record() {
                continue;
            }
            let (Some(version), Some(approved_on)) = (&doc.version, &doc.approved_on) else {
                continue;
            };
            let current: Vec<&AcknowledgementRow> = rows
                .iter()
                .copied()
                .filter(|r| r.document == doc.id.as_str() && r.version == *version)
                .collect();
            let people = self
                .roster
                .in_scope_at(as_of)
                .map(|person| {
                    let start = person
                        .joined_on
                        .map_or(approved_on.value, |j| j.max(approved_on.value));
                    let deadline = start
                        .checked_add_days(chrono::Days::new(days.into()))
                        .unwrap_or(Date::MAX);
                    let confirmed = current
                        .iter()
                        .filter(|r| self.roster.same_person(&r.person, &person.name))
                        .filter_map(|r| r.acknowledged_on)
                        .min();
                    let state = match confirmed {
                        Some(on) if on <= deadline => AckState::Confirmed { on },
                        Some(on) if as_of > deadline => AckState::Late { on },
                        _ if as_of > deadline => AckState::Missing,
                        _ => AckState::Pending,
                    };
                    PersonAck {
                        person,
                        deadline,
                        state,
                    }
                })
                .collect();
            out.push(DocumentAcks {
                document: doc,
                version,
                approved_on: approved_on.clone(),
                people,
            });
        }
        out
    }
}
