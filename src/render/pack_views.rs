//! What an evidence pack shows above its records, judged the way the rules
//! judge it: training currency per person (RD009), leavers and when their
//! access was removed (RD024), and the supplier reconciliation (RD023).

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{json, Value};

use super::doc_page;
use crate::model::ids::{fmt_date, Date};
use crate::model::record::TypedRows;
use crate::model::suppliers::supplier_key;
use crate::model::training::TrainingState;
use crate::model::Isms;

/// A table the pack page shows before its records.
#[derive(Serialize)]
pub(crate) struct PackView {
    pub heading: &'static str,
    pub intro: String,
    pub columns: Vec<&'static str>,
    pub rows: Vec<Vec<Value>>,
    pub empty: &'static str,
}

/// The view of the pack with this stem, if it has one.
pub(crate) fn view(isms: &Isms, stem: &str, as_of: Date) -> Option<PackView> {
    match stem {
        "training" => Some(training(isms, as_of)),
        "access-control" => Some(leavers(isms, as_of)),
        "suppliers" => Some(suppliers(isms, as_of)),
        _ => None,
    }
}

fn tag(text: &str, tone: &str) -> Value {
    json!({ "text": text, "tone": tone })
}

fn link(text: &str, href: String) -> Value {
    json!({ "text": text, "href": href })
}

fn date(d: Option<Date>) -> Value {
    d.map_or(Value::Null, |d| Value::String(fmt_date(d)))
}

fn training(isms: &Isms, as_of: Date) -> PackView {
    let people = isms.config.people;
    let rows = isms
        .training_status(as_of)
        .into_iter()
        .map(|p| {
            let state = match p.state {
                TrainingState::Current => tag("Current", "ok"),
                TrainingState::Joiner { due } => {
                    tag(&format!("Joiner: due by {}", fmt_date(due)), "pending")
                }
                TrainingState::Lapsed => tag("Lapsed", "bad"),
                TrainingState::Never => tag("Never trained", "bad"),
            };
            vec![
                Value::String(p.person.name.clone()),
                state,
                date(p.latest.map(|c| c.completed_on)),
                date(p.latest.map(|c| c.counts_until)),
                p.latest.map_or(Value::Null, |c| {
                    link(
                        c.record.id.as_str(),
                        format!("../docs/{}", doc_page(c.record)),
                    )
                }),
            ]
        })
        .collect();
    PackView {
        heading: "Training per person",
        intro: format!(
            "Every in-scope person on the roster who has not left, as of {}: the completion that counts longest and the last day it counts ({} months after completion, or its expiry date when earlier). A joiner has {} days from joining.",
            fmt_date(as_of),
            people.training_interval_months,
            people.joiner_training_days
        ),
        columns: vec!["Person", "State", "Latest completion", "Counts until", "Record"],
        rows,
        empty: "No in-scope people on the roster.",
    }
}

fn leavers(isms: &Isms, as_of: Date) -> PackView {
    let days = isms.config.people.leaver_access_days;
    let records: Vec<_> = isms
        .records("leavers")
        .filter_map(|(d, r)| Some((d, r.table.as_ref()?)))
        .flat_map(|(d, t)| match &t.typed {
            TypedRows::Leavers(rows) => rows.iter().map(|r| (d, r)).collect(),
            _ => Vec::new(),
        })
        .collect();
    let rows = isms
        .roster
        .leavers(as_of)
        .filter_map(|p| {
            let left = p.left_on?;
            let deadline = left
                .checked_add_days(chrono::Days::new(days.into()))
                .unwrap_or(Date::MAX);
            let removed = records
                .iter()
                .filter(|(_, r)| isms.roster.same_person(&r.person, &p.name))
                .filter_map(|(d, r)| Some((*d, r.access_removed_on?, r.systems.as_str())))
                .min_by_key(|(_, on, _)| *on);
            let state = match removed {
                Some((_, on, _)) if on <= deadline => tag("In time", "ok"),
                Some(_) => tag("Late", "bad"),
                None => tag("Not recorded", "bad"),
            };
            Some(vec![
                Value::String(p.name.clone()),
                Value::String(fmt_date(left)),
                date(removed.map(|(_, on, _)| on)),
                Value::String(fmt_date(deadline)),
                state,
                removed.map_or(Value::Null, |(_, _, s)| Value::String(s.to_string())),
                removed.map_or(Value::Null, |(d, _, _)| {
                    link(d.id.as_str(), format!("../docs/{}", doc_page(d)))
                }),
            ])
        })
        .collect();
    PackView {
        heading: "Leavers",
        intro: format!(
            "Everyone on the roster who left on or before {}, and when their access was removed: in time when on or before the day they left plus {days} day(s).",
            fmt_date(as_of)
        ),
        columns: vec![
            "Person",
            "Left on",
            "Access removed on",
            "Deadline",
            "State",
            "Systems",
            "Record",
        ],
        rows,
        empty: "No leavers on the roster.",
    }
}

/// Where one supplier appears.
#[derive(Default)]
struct Seen {
    name: String,
    register: bool,
    inventory: Option<bool>,
    reason: String,
    contractors: Vec<String>,
}

/// The entry of a supplier by its normalised name; the first spelling met
/// names it.
fn entry<'m>(seen: &'m mut BTreeMap<String, Seen>, name: &str) -> &'m mut Seen {
    let e = seen.entry(supplier_key(name)).or_default();
    if e.name.is_empty() {
        e.name = name.to_string();
    }
    e
}

fn suppliers(isms: &Isms, as_of: Date) -> PackView {
    let mut seen: BTreeMap<String, Seen> = BTreeMap::new();
    for (_, r) in isms.records("supplier-register") {
        if let Some(TypedRows::Suppliers(rows)) = r.table.as_ref().map(|t| &t.typed) {
            for row in rows {
                entry(&mut seen, &row.supplier).register = true;
            }
        }
    }
    for (_, r) in isms.records("supplier-inventory") {
        if let Some(TypedRows::SupplierInventory(rows)) = r.table.as_ref().map(|t| &t.typed) {
            for row in rows {
                let e = entry(&mut seen, &row.supplier);
                e.inventory = Some(e.inventory.unwrap_or(false) || row.in_scope);
                if !row.in_scope && e.reason.is_empty() {
                    e.reason = row.reason.clone();
                }
            }
        }
    }
    let own = supplier_key(&isms.config.organisation);
    for p in isms.roster.in_scope_at(as_of) {
        if let Some(org) = p.organisation.as_deref() {
            if supplier_key(org) != own && !supplier_key(org).is_empty() {
                entry(&mut seen, org).contractors.push(p.name.clone());
            }
        }
    }
    let rows = seen
        .into_values()
        .map(|s| {
            let used = s.inventory == Some(true) || !s.contractors.is_empty();
            let state = match (s.register, s.inventory, used) {
                (true, Some(true), _) => tag("In both", "ok"),
                (true, _, true) => tag("In the register; employs contractors", "ok"),
                (true, Some(false), false) => {
                    tag("In the register; inventory says out of scope", "warn")
                }
                (true, None, false) => tag("Register only", "pending"),
                (false, Some(false), false) => tag("Out of scope", "todo"),
                (false, _, _) => tag("Missing from the register", "bad"),
            };
            let inventory = match s.inventory {
                Some(true) => "in scope",
                Some(false) => "out of scope",
                None => "",
            };
            vec![
                Value::String(s.name),
                Value::String(if s.register { "yes" } else { "no" }.into()),
                Value::String(inventory.into()),
                Value::String(s.contractors.join(", ")),
                state,
                Value::String(s.reason),
            ]
        })
        .collect();
    PackView {
        heading: "Supplier reconciliation",
        intro: "Every supplier of the supplier register, the supplier inventory (what the organisation actually pays or uses) and the roster's contractor employers, matched by name ignoring case, punctuation and a trailing legal form (Ltd, GmbH, Inc, ...). A supplier in use must be in the register.".into(),
        columns: vec![
            "Supplier",
            "In the register",
            "In the inventory",
            "Contractors (roster)",
            "State",
            "Reason out of scope",
        ],
        rows,
        empty: "No suppliers in the register, the inventory or the roster.",
    }
}
