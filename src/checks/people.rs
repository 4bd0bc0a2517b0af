//! Rules about people, judged from the roster: leavers whose access removal
//! is not shown in time (RD024), and documents staff must confirm they read
//! whose current version not everyone in scope confirmed (RD026).

use super::Context;
use crate::diagnostics::finding::Finding;
use crate::diagnostics::rules;
use crate::model::acknowledge::AckState;
use crate::model::document::Document;
use crate::model::ids::{fmt_date, Date};
use crate::model::record::{LeaverRow, Table, TypedRows};

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    leavers(ctx, out);
    acknowledgements(ctx, out);
}

/// Every row of every record of `kind` with its table and document, typed
/// by `pick`.
fn rows<'a, T: 'a>(
    ctx: &'a Context,
    kind: &'a str,
    pick: fn(&TypedRows) -> Option<&Vec<T>>,
) -> Vec<(&'a Document, &'a Table, &'a T)> {
    ctx.isms
        .records(kind)
        .filter_map(|(d, r)| Some((d, r.table.as_ref()?)))
        .flat_map(|(d, t)| {
            pick(&t.typed)
                .into_iter()
                .flatten()
                .map(move |row| (d, t, row))
        })
        .collect()
}

/// Adds days, saturating at the latest date.
fn plus_days(date: Date, days: u32) -> Date {
    date.checked_add_days(chrono::Days::new(days.into()))
        .unwrap_or(Date::MAX)
}

/// RD024: each leaver (`left_on` on or before the as-of date, in scope or
/// not) needs a `leavers` row whose `access_removed_on` is on or before the
/// roster's `left_on` + `leaver_access_days`.
fn leavers(ctx: &Context, out: &mut Vec<Finding>) {
    let isms = ctx.isms;
    let days = isms.config.people.leaver_access_days;
    let rows = rows(ctx, "leavers", |t| match t {
        TypedRows::Leavers(r) => Some(r),
        _ => None,
    });
    for person in isms.roster.leavers(ctx.as_of) {
        let Some(left_on) = person.left_on else {
            continue;
        };
        let deadline = plus_days(left_on, days);
        let mine: Vec<&(&Document, &Table, &LeaverRow)> = rows
            .iter()
            .filter(|(_, _, r)| isms.roster.same_person(&r.person, &person.name))
            .collect();
        if mine
            .iter()
            .any(|(_, _, r)| r.access_removed_on.is_some_and(|on| on <= deadline))
        {
            continue;
        }
        let hint = format!(
            "remove {}'s access and record the day in a `leavers` row (`access_removed_on` on or before {})",
            person.name,
            fmt_date(deadline)
        );
        // The latest row about the person says what went wrong; without one
        // the roster row is where the leaver is known.
        let latest = mine
            .iter()
            .max_by_key(|(d, t, r)| (r.access_removed_on, d.path.clone(), t.path.clone(), r.line));
        let finding = match latest {
            Some((doc, table, row)) => {
                let what = match row.access_removed_on {
                    Some(on) => format!(
                        "access removed on {}, after {} (left {} + {days} day(s))",
                        fmt_date(on),
                        fmt_date(deadline),
                        fmt_date(left_on)
                    ),
                    None => "no `access_removed_on`".to_string(),
                };
                Finding::new(
                    &rules::RD024,
                    format!(
                        "{} ({}): leaver {}: {what}",
                        doc.id.as_str(),
                        table.path,
                        person.name
                    ),
                )
                .at(&table.path, row.line)
                .document(doc.id.as_str())
            }
            None => {
                let f = Finding::new(
                    &rules::RD024,
                    format!(
                        "leaver {} (left {}) has no `leavers` row showing access removed",
                        person.name,
                        fmt_date(left_on)
                    ),
                );
                match &isms.roster.path {
                    Some(p) => f.at(p, person.line),
                    None => f,
                }
            }
        };
        out.push(finding.hint(hint));
    }
}

/// RD026: every in-scope person who has not left confirms the current
/// version of each approved `acknowledge: true` document within
/// `acknowledge_days` of `approved_on` (of `joined_on` for later joiners).
/// A person is judged once the as-of date is after their deadline.
fn acknowledgements(ctx: &Context, out: &mut Vec<Finding>) {
    let days = ctx.isms.config.people.acknowledge_days;
    for acks in ctx.isms.acknowledgements(ctx.as_of) {
        let doc = acks.document;
        let judged = acks
            .people
            .iter()
            .filter(|p| p.state != AckState::Pending)
            .count();
        let missing: Vec<&str> = acks
            .people
            .iter()
            .filter(|p| p.state.is_gap())
            .map(|p| p.person.name.as_str())
            .collect();
        if missing.is_empty() {
            continue;
        }
        let version = acks.version;
        out.push(
            Finding::new(
                &rules::RD026,
                format!(
                    "{} ({}): {} of {judged} in-scope people have not acknowledged version {version} within {days} days of approval ({}) or of joining: {}",
                    doc.id.as_str(),
                    doc.path,
                    missing.len(),
                    fmt_date(acks.approved_on.value),
                    missing.join(", ")
                ),
            )
            .at(&doc.path, doc.line_of("acknowledge"))
            .document(doc.id.as_str())
            .hint(format!(
                "add rows `person,{},{version},<date>` to an `acknowledgements` record for each person named",
                doc.id.as_str()
            )),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::codes;
    use crate::model::document::DocType;
    use crate::model::ids::Spanned;
    use crate::model::people::{Person, Roster};
    use crate::model::record::AcknowledgementRow;
    use crate::model::testing::{d, doc, isms, record};
    use crate::model::Isms;

    fn person(name: &str, line: u32) -> Person {
        Person {
            name: name.into(),
            role: String::new(),
            in_scope: true,
            line,
            ..Person::default()
        }
    }

    fn with_table(mut doc: Document, path: &str, typed: TypedRows) -> Document {
        if let Some(r) = doc.record.as_mut() {
            r.table = Some(Table {
                path: path.into(),
                typed,
                ..Table::default()
            });
        }
        doc
    }

    fn leavers_record(rows: &[(&str, &str, Option<&str>)]) -> Document {
        with_table(
            record("REC-LEAVERS", "leavers"),
            "records/leavers.csv",
            TypedRows::Leavers(
                rows.iter()
                    .enumerate()
                    .map(|(i, (p, left, removed))| LeaverRow {
                        person: (*p).into(),
                        left_on: Some(d(left)),
                        access_removed_on: removed.map(d),
                        systems: "all".into(),
                        line: i as u32 + 2,
                    })
                    .collect(),
            ),
        )
    }

    fn run(i: &Isms, as_of: &str) -> Vec<Finding> {
        let ctx = Context {
            isms: i,
            as_of: d(as_of),
        };
        let mut out = Vec::new();
        check(&ctx, &mut out);
        out
    }

    fn with_people(docs: Vec<Document>, people: Vec<Person>) -> Isms {
        let mut i = isms(docs, None);
        i.roster = Roster {
            path: Some("people/roster.csv".into()),
            people,
            ..Roster::default()
        };
        i
    }

    fn leaver(name: &str, line: u32, left: &str) -> Person {
        let mut p = person(name, line);
        p.left_on = Some(d(left));
        p
    }

    #[test]
    fn access_removed_on_the_last_allowed_day_is_in_time() {
        let i = with_people(
            vec![leavers_record(&[("Ann", "2026-05-29", Some("2026-05-30"))])],
            vec![leaver("Ann", 2, "2026-05-29")],
        );
        assert!(run(&i, "2026-06-30").is_empty());
    }

    #[test]
    fn access_removed_a_day_late_is_rd024_at_the_leavers_row() {
        let i = with_people(
            vec![leavers_record(&[
                ("Bob", "2026-05-01", Some("2026-05-02")),
                ("Ann", "2026-05-29", Some("2026-05-31")),
            ])],
            vec![
                leaver("Ann", 2, "2026-05-29"),
                leaver("Bob", 3, "2026-05-01"),
            ],
        );
        let out = run(&i, "2026-06-30");
        assert_eq!(codes(&out), vec!["RD024"]);
        assert_eq!(out[0].path.as_deref(), Some("records/leavers.csv"));
        assert_eq!(out[0].line, Some(3));
        assert!(out[0].message.contains("Ann"), "{}", out[0].message);
        assert!(out[0].message.contains("2026-05-31"), "{}", out[0].message);
    }

    #[test]
    fn a_leaver_without_a_row_is_rd024_at_the_roster_row() {
        let i = with_people(
            vec![leavers_record(&[])],
            vec![person("Stays", 2), leaver("Cid", 3, "2026-06-01")],
        );
        let out = run(&i, "2026-06-01");
        assert_eq!(codes(&out), vec!["RD024"]);
        assert_eq!(out[0].path.as_deref(), Some("people/roster.csv"));
        assert_eq!(out[0].line, Some(3));
        assert!(out[0].message.contains("Cid"));
        // Not yet a leaver the day before.
        assert!(run(&i, "2026-05-31").is_empty());
    }

    fn policy(ack: bool) -> Document {
        let mut p = doc("POL-AUP", DocType::Policy);
        p.acknowledge = Some(Spanned::new(ack, 12));
        p.key_lines.insert("acknowledge".into(), 12);
        p
    }

    fn acks(rows: &[(&str, &str, &str, &str)]) -> Document {
        with_table(
            record("REC-ACK", "acknowledgements"),
            "records/acks.csv",
            TypedRows::Acknowledgements(
                rows.iter()
                    .enumerate()
                    .map(|(i, (p, doc, v, on))| AcknowledgementRow {
                        person: (*p).into(),
                        document: (*doc).into(),
                        version: (*v).into(),
                        acknowledged_on: Some(d(on)),
                        line: i as u32 + 2,
                    })
                    .collect(),
            ),
        )
    }

    #[test]
    fn everyone_acknowledging_the_current_version_in_time_is_quiet() {
        // The policy is approved 2026-06-01, so the deadline is 2026-07-01.
        let i = with_people(
            vec![
                policy(true),
                acks(&[
                    ("Ann", "POL-AUP", "1.0", "2026-07-01"),
                    ("bob", "POL-AUP", "1.0", "2026-06-02"),
                ]),
            ],
            vec![person("Ann", 2), person("Bob", 3)],
        );
        assert!(run(&i, "2026-09-01").is_empty());
    }

    #[test]
    fn a_late_old_or_missing_acknowledgement_is_rd026_at_the_acknowledge_line() {
        let mut late_joiner = person("Dee", 5);
        late_joiner.joined_on = Some(d("2026-08-20"));
        let mut gone = person("Eve", 6);
        gone.left_on = Some(d("2026-08-01"));
        let i = with_people(
            vec![
                policy(true),
                acks(&[
                    ("Ann", "POL-AUP", "1.0", "2026-07-02"),
                    ("Bob", "POL-AUP", "0.9", "2026-06-02"),
                ]),
            ],
            vec![
                person("Ann", 2),
                person("Bob", 3),
                person("Cid", 4),
                late_joiner,
                gone,
            ],
        );
        // Eve left without a leavers row: RD024, not RD026.
        let mut out = run(&i, "2026-09-01");
        assert_eq!(codes(&out), vec!["RD024", "RD026"]);
        out.remove(0);
        assert_eq!(codes(&out), vec!["RD026"]);
        assert_eq!(out[0].path.as_deref(), Some("pol-aup.md"));
        assert_eq!(out[0].line, Some(12));
        let m = &out[0].message;
        assert!(m.contains("3 of 3") && m.contains("Ann, Bob, Cid"), "{m}");
        assert!(!m.contains("Dee") && !m.contains("Eve"), "{m}");
    }

    #[test]
    fn nobody_is_judged_before_their_deadline_or_without_acknowledge() {
        let i = with_people(vec![policy(true)], vec![person("Ann", 2)]);
        assert!(run(&i, "2026-07-01").is_empty());
        assert_eq!(codes(&run(&i, "2026-07-02")), vec!["RD026"]);
        let i = with_people(vec![policy(false)], vec![person("Ann", 2)]);
        assert!(run(&i, "2026-09-01").is_empty());
    }
}
