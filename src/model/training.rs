//! Training currency: whether each in-scope person counts as trained on the
//! as-of date. Training done once is not done forever: a completion counts
//! for `training_interval_months` (and never past its `expires_on`), and a
//! joiner has `joiner_training_days` from `joined_on` before it is missed.
//! RD009 and the training pack both read this, so they agree.

use std::collections::HashMap;

use super::document::Document;
use super::ids::{add_months, Date, Interval};
use super::people::Person;
use super::record::TypedRows;
use super::Isms;

/// One completed training row, with the day after which it stops counting.
#[derive(Clone, Copy, Debug)]
pub struct TrainingCompletion<'a> {
    pub completed_on: Date,
    pub expires_on: Option<Date>,
    /// The last day it counts: `training_interval_months` after completion,
    /// or `expires_on` when that is earlier.
    pub counts_until: Date,
    pub record: &'a Document,
    /// The row's line in the record's CSV.
    pub line: u32,
}

/// Where a person stands on the as-of date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrainingState {
    /// A completion counts on the as-of date.
    Current,
    /// Not (or no longer) trained, but joined recently enough that training
    /// is not yet due: counts until this day.
    Joiner { due: Date },
    /// Trained once, but no completion counts any more.
    Lapsed,
    /// No completion at all.
    Never,
}

impl TrainingState {
    /// Whether the person counts as trained for RD009.
    pub fn counts(self) -> bool {
        matches!(self, TrainingState::Current | TrainingState::Joiner { .. })
    }
}

/// One in-scope person who has not left, with their latest completion.
#[derive(Clone, Copy, Debug)]
pub struct PersonTraining<'a> {
    pub person: &'a Person,
    /// The completion that counts longest of those dated on or before the
    /// as-of date (a completion dated later has not happened yet).
    pub latest: Option<TrainingCompletion<'a>>,
    pub state: TrainingState,
}

impl Isms {
    /// Every in-scope person who has not left by `as_of`, in roster order,
    /// with their training state. Names match as everywhere else (roles,
    /// case, accents); each row is resolved once, so the cost grows with
    /// people plus rows.
    pub fn training_status(&self, as_of: Date) -> Vec<PersonTraining<'_>> {
        let people = self.config.people;
        let cutoff = Interval::Months(people.training_interval_months).before(as_of);
        let mut best: HashMap<String, TrainingCompletion> = HashMap::new();
        for (record, table) in self
            .records("training")
            .filter_map(|(d, r)| Some((d, r.table.as_ref()?)))
        {
            let TypedRows::Training(rows) = &table.typed else {
                continue;
            };
            for row in rows {
                let Some(completed_on) = row.completed_on.filter(|d| *d <= as_of) else {
                    continue;
                };
                let by_interval = add_months(completed_on, people.training_interval_months);
                let counts_until = row.expires_on.map_or(by_interval, |e| e.min(by_interval));
                let c = TrainingCompletion {
                    completed_on,
                    expires_on: row.expires_on,
                    counts_until,
                    record,
                    line: row.line,
                };
                for key in self.roster.resolve(&row.person) {
                    best.entry(key)
                        .and_modify(|b| {
                            if c.rank() > b.rank() {
                                *b = c;
                            }
                        })
                        .or_insert(c);
                }
            }
        }
        self.roster
            .in_scope_at(as_of)
            .map(|person| {
                let latest = self
                    .roster
                    .resolve(&person.name)
                    .iter()
                    .filter_map(|k| best.get(k).copied())
                    .max_by(|a, b| a.rank().cmp(&b.rank()));
                let current = latest.is_some_and(|c| {
                    c.completed_on >= cutoff && c.expires_on.is_none_or(|e| e >= as_of)
                });
                let joiner_due = person.joined_on.map(|j| {
                    j.checked_add_days(chrono::Days::new(people.joiner_training_days.into()))
                        .unwrap_or(Date::MAX)
                });
                let state = match (current, joiner_due, latest) {
                    (true, _, _) => TrainingState::Current,
                    (false, Some(due), _) if as_of <= due => TrainingState::Joiner { due },
                    (false, _, Some(_)) => TrainingState::Lapsed,
                    (false, _, None) => TrainingState::Never,
                };
                PersonTraining {
                    person,
                    latest,
                    state,
                }
            })
            .collect()
    }
}

impl TrainingCompletion<'_> {
    /// Which of two completions to show: the one that counts longest, then
    /// the later one, then path order.
    fn rank(&self) -> (Date, Date, std::cmp::Reverse<&str>) {
        (
            self.counts_until,
            self.completed_on,
            std::cmp::Reverse(self.record.path.as_str()),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::people::Roster;
    use crate::model::record::{Table, TrainingRow};
    use crate::model::testing::{d, isms, record};

    fn training(id: &str, rows: &[(&str, &str, Option<&str>)]) -> Document {
        let mut doc = record(id, "training");
        if let Some(r) = doc.record.as_mut() {
            r.table = Some(Table {
                typed: TypedRows::Training(
                    rows.iter()
                        .enumerate()
                        .map(|(i, (p, on, exp))| TrainingRow {
                            person: (*p).into(),
                            completed_on: Some(d(on)),
                            expires_on: exp.map(d),
                            line: i as u32 + 2,
                        })
                        .collect(),
                ),
                ..Table::default()
            });
        }
        doc
    }

    fn person(name: &str, joined: Option<&str>, left: Option<&str>) -> Person {
        Person {
            name: name.into(),
            in_scope: true,
            line: 2,
            joined_on: joined.map(d),
            left_on: left.map(d),
            ..Person::default()
        }
    }

    fn states(i: &Isms, as_of: &str) -> Vec<(String, TrainingState)> {
        i.training_status(d(as_of))
            .into_iter()
            .map(|p| (p.person.name.clone(), p.state))
            .collect()
    }

    fn with_people(docs: Vec<Document>, people: Vec<Person>) -> Isms {
        let mut i = isms(docs, None);
        i.roster = Roster {
            people,
            ..Roster::default()
        };
        i
    }

    #[test]
    fn a_completion_exactly_the_interval_old_still_counts() {
        let i = with_people(
            vec![training("TR", &[("Ann", "2026-03-01", None)])],
            vec![person("Ann", None, None)],
        );
        assert_eq!(states(&i, "2027-03-01")[0].1, TrainingState::Current);
        assert_eq!(states(&i, "2027-03-02")[0].1, TrainingState::Lapsed);
        let got = i.training_status(d("2027-03-01"));
        assert_eq!(got[0].latest.map(|c| c.counts_until), Some(d("2027-03-01")));
    }

    #[test]
    fn expires_on_ends_a_completion_early_and_counts_its_own_day() {
        let i = with_people(
            vec![training("TR", &[("Ann", "2026-03-01", Some("2026-09-30"))])],
            vec![person("Ann", None, None)],
        );
        assert_eq!(states(&i, "2026-09-30")[0].1, TrainingState::Current);
        assert_eq!(states(&i, "2026-10-01")[0].1, TrainingState::Lapsed);
    }

    #[test]
    fn the_completion_that_counts_longest_is_shown() {
        let i = with_people(
            vec![
                training("TR-A", &[("Ann", "2025-01-10", None)]),
                training("TR-B", &[("ann", "2026-01-10", None)]),
            ],
            vec![person("Ann", None, None)],
        );
        let got = i.training_status(d("2026-06-01"));
        assert_eq!(
            got[0].latest.map(|c| c.record.id.as_str().to_string()),
            Some("TR-B".into())
        );
        assert_eq!(got[0].state, TrainingState::Current);
    }

    #[test]
    fn a_completion_after_the_as_of_date_has_not_happened() {
        let i = with_people(
            vec![training("TR", &[("Ann", "2026-07-01", None)])],
            vec![person("Ann", None, None)],
        );
        assert_eq!(states(&i, "2026-06-30")[0].1, TrainingState::Never);
    }

    #[test]
    fn a_joiner_counts_until_the_window_ends() {
        let i = with_people(Vec::new(), vec![person("Joe", Some("2026-05-01"), None)]);
        assert_eq!(
            states(&i, "2026-05-31")[0].1,
            TrainingState::Joiner {
                due: d("2026-05-31")
            }
        );
        assert_eq!(states(&i, "2026-06-01")[0].1, TrainingState::Never);
    }

    #[test]
    fn leavers_and_people_out_of_scope_are_not_judged() {
        let mut out = person("Out", None, None);
        out.in_scope = false;
        let i = with_people(
            Vec::new(),
            vec![
                person("Gone", None, Some("2026-04-30")),
                person("Stays", None, Some("2026-05-02")),
                out,
            ],
        );
        let got: Vec<String> = states(&i, "2026-05-01")
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        assert_eq!(got, vec!["Stays".to_string()]);
    }
}
