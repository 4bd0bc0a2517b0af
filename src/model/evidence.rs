//! Questions about the evidence that more than one part of the tool asks: the
//! records of a kind, who has completed training and when, and the areas an
//! auditor samples. They live in the model so that the rules (RD009), the
//! evidence packs and the Stage 2 timeline give the same answer.

use std::collections::HashMap;

use super::document::Document;
use super::ids::Date;
use super::people::Person;
use super::record::{Record, TypedRows};
use super::Isms;

/// One area an auditor samples evidence from, with the record kinds that
/// evidence it. The audit index has one evidence pack per area, and the
/// Stage 2 timeline expects a record in each.
pub struct EvidenceArea {
    /// File stem of the pack page (`packs/<stem>.html`).
    pub stem: &'static str,
    pub title: &'static str,
    pub kinds: &'static [&'static str],
}

pub const EVIDENCE_AREAS: [EvidenceArea; 7] = [
    area("access-control", "Access control", &["access-review"]),
    area("training", "Training and awareness", &["training"]),
    area("incidents", "Incident management", &["incident-log"]),
    area("risk", "Risk assessment and treatment", &["risk-register"]),
    area("suppliers", "Supplier management", &["supplier-register"]),
    area(
        "internal-audit",
        "Internal audit and corrective action",
        &["internal-audit", "corrective-actions"],
    ),
    area(
        "management-review",
        "Management review",
        &["management-review"],
    ),
];

const fn area(
    stem: &'static str,
    title: &'static str,
    kinds: &'static [&'static str],
) -> EvidenceArea {
    EvidenceArea { stem, title, kinds }
}

/// When a training record first shows a person as trained, and which record.
#[derive(Clone, Copy, Debug)]
pub struct Completion<'a> {
    pub date: Date,
    pub record: &'a Document,
}

impl Isms {
    /// Every record of `kind` with its record part, in document (path) order.
    pub fn records<'a>(
        &'a self,
        kind: &'a str,
    ) -> impl Iterator<Item = (&'a Document, &'a Record)> + Clone + 'a {
        self.documents
            .iter()
            .map(|d| &**d)
            .filter(|d| d.is_record())
            .filter_map(move |d| d.record.as_ref().filter(|r| r.kind == kind).map(|r| (d, r)))
    }

    /// Each in-scope person of the roster with their earliest completed
    /// training row, if any. A row without `completed_on` is training not yet
    /// done, and names match as everywhere else (roles, case, accents).
    ///
    /// Each row's name is resolved once into comparison keys and the
    /// earliest completion kept per key, so the cost grows with people plus
    /// rows, not their product (a 1,000-person roster with 5,000 rows).
    pub fn training_completions(&self) -> Vec<(&Person, Option<Completion<'_>>)> {
        let mut earliest: HashMap<String, Completion> = HashMap::new();
        let rows = self
            .records("training")
            .filter_map(|(d, r)| Some((d, r.table.as_ref()?)))
            .filter_map(|(d, t)| match &t.typed {
                TypedRows::Training(rows) => Some(rows.iter().map(move |row| (d, row))),
                _ => None,
            })
            .flatten();
        for (record, row) in rows {
            let Some(date) = row.completed_on else {
                continue;
            };
            let completion = Completion { date, record };
            for key in self.roster.resolve(&row.person) {
                earliest
                    .entry(key)
                    .and_modify(|c| {
                        if completion.sort_key() < c.sort_key() {
                            *c = completion;
                        }
                    })
                    .or_insert(completion);
            }
        }
        self.roster
            .in_scope()
            .map(|p| {
                let first = self
                    .roster
                    .resolve(&p.name)
                    .iter()
                    .filter_map(|key| earliest.get(key).copied())
                    .min_by(|a, b| a.sort_key().cmp(&b.sort_key()));
                (p, first)
            })
            .collect()
    }
}

impl Completion<'_> {
    /// Earliest date first, then path order between records of one day.
    fn sort_key(&self) -> (Date, &str) {
        (self.date, &self.record.path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::people::Roster;
    use crate::model::record::{Table, TrainingRow};
    use crate::model::testing::{d, isms, record};

    fn person(name: &str, in_scope: bool) -> Person {
        Person {
            name: name.into(),
            role: String::new(),
            in_scope,
            line: 2,
            ..Person::default()
        }
    }

    fn training(id: &str, rows: &[(&str, Option<&str>)]) -> Document {
        let mut doc = record(id, "training");
        if let Some(r) = doc.record.as_mut() {
            r.table = Some(Table {
                typed: TypedRows::Training(
                    rows.iter()
                        .map(|(p, on)| TrainingRow {
                            person: (*p).into(),
                            completed_on: on.map(d),
                            line: 2,
                        })
                        .collect(),
                ),
                ..Table::default()
            });
        }
        doc
    }

    #[test]
    fn earliest_completion_per_in_scope_person() {
        let mut i = isms(
            vec![
                training("TR-A", &[("Ann", Some("2026-05-01")), ("Bob", None)]),
                training("TR-B", &[("ann", Some("2026-03-01"))]),
            ],
            None,
        );
        i.roster = Roster {
            path: None,
            people: vec![
                person("Ann", true),
                person("Bob", true),
                person("Out", false),
            ],
            ..Roster::default()
        };
        let got: Vec<(String, Option<(String, String)>)> = i
            .training_completions()
            .into_iter()
            .map(|(p, c)| {
                (
                    p.name.clone(),
                    c.map(|c| (c.date.to_string(), c.record.id.as_str().to_string())),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "Ann".to_string(),
                    Some(("2026-03-01".to_string(), "TR-B".to_string()))
                ),
                ("Bob".to_string(), None),
            ]
        );
    }

    #[test]
    fn a_row_naming_a_role_counts_for_its_holder() {
        let mut i = isms(
            vec![training(
                "TR-A",
                &[
                    ("Head of IT", Some("2026-04-01")),
                    ("José Álvarez", Some("2026-06-01")),
                ],
            )],
            None,
        );
        let mut head = person("Jose Alvarez", true);
        head.role = "Head of IT".into();
        i.roster = Roster {
            path: None,
            people: vec![head, person("Head", true)],
            ..Roster::default()
        };
        let got: Vec<(String, Option<String>)> = i
            .training_completions()
            .into_iter()
            .map(|(p, c)| (p.name.clone(), c.map(|c| c.date.to_string())))
            .collect();
        assert_eq!(
            got,
            vec![
                ("Jose Alvarez".to_string(), Some("2026-04-01".to_string())),
                ("Head".to_string(), None),
            ]
        );
    }
}
