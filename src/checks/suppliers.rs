//! RD023: the supplier register against what the organisation actually uses:
//! the in-scope rows of a `supplier-inventory`, and the employers of in-scope
//! contractors in the roster. Names meet after the contract's normalising
//! (case, punctuation and one trailing legal form ignored).

use std::collections::HashSet;

use super::Context;
use crate::diagnostics::finding::Finding;
use crate::diagnostics::rules;
use crate::model::record::TypedRows;
use crate::model::suppliers::supplier_key;

const HINT: &str = "add the supplier to the supplier register, or mark its inventory row `in_scope: no` with a `reason`";

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let isms = ctx.isms;
    let registered = registered(ctx);
    for (doc, rec) in isms.records("supplier-inventory") {
        let Some(table) = &rec.table else { continue };
        let TypedRows::SupplierInventory(rows) = &table.typed else {
            continue;
        };
        for row in rows.iter().filter(|r| r.in_scope) {
            if registered.contains(&supplier_key(&row.supplier)) {
                continue;
            }
            let service = if row.service.is_empty() {
                String::new()
            } else {
                format!(" ({})", row.service)
            };
            out.push(
                Finding::new(
                    &rules::RD023,
                    format!(
                        "{} ({}): supplier `{}`{service} is in the supplier inventory but not in the supplier register",
                        doc.id.as_str(),
                        table.path,
                        row.supplier
                    ),
                )
                .at(&table.path, row.line)
                .document(doc.id.as_str())
                .hint(HINT),
            );
        }
    }
    // The organisation itself is no supplier, whatever the column says.
    let own = supplier_key(&isms.config.organisation);
    for person in isms.roster.in_scope_at(ctx.as_of) {
        let Some(org) = &person.organisation else {
            continue;
        };
        let key = supplier_key(org);
        if key.is_empty() || key == own || registered.contains(&key) {
            continue;
        }
        let f = Finding::new(
            &rules::RD023,
            format!(
                "supplier `{org}` (the employer of {}, in scope) is not in the supplier register",
                person.name
            ),
        )
        .hint("add the contractor's employer to the supplier register");
        out.push(match &isms.roster.path {
            Some(p) => f.at(p, person.line),
            None => f,
        });
    }
}

/// The normalised names of every supplier in every supplier register.
fn registered(ctx: &Context) -> HashSet<String> {
    ctx.isms
        .records("supplier-register")
        .filter_map(|(_, r)| r.table.as_ref())
        .flat_map(|t| match &t.typed {
            TypedRows::Suppliers(rows) => rows.iter().map(|r| supplier_key(&r.supplier)).collect(),
            _ => Vec::new(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::codes;
    use crate::model::document::Document;
    use crate::model::people::{Person, Roster};
    use crate::model::record::{InventoryRow, SupplierRow, Table};
    use crate::model::testing::{d, isms, record};
    use crate::model::Isms;

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

    fn register(names: &[&str]) -> Document {
        with_table(
            record("REC-SUP", "supplier-register"),
            "records/suppliers.csv",
            TypedRows::Suppliers(
                names
                    .iter()
                    .enumerate()
                    .map(|(i, n)| SupplierRow {
                        supplier: (*n).into(),
                        service: "x".into(),
                        criticality: "high".into(),
                        last_assessed: Some(d("2026-05-01")),
                        security_clauses: "yes".into(),
                        line: i as u32 + 2,
                    })
                    .collect(),
            ),
        )
    }

    fn inventory(rows: &[(&str, bool)]) -> Document {
        with_table(
            record("REC-INV", "supplier-inventory"),
            "records/inventory.csv",
            TypedRows::SupplierInventory(
                rows.iter()
                    .enumerate()
                    .map(|(i, (n, in_scope))| InventoryRow {
                        supplier: (*n).into(),
                        service: "Payroll".into(),
                        in_scope: *in_scope,
                        reason: if *in_scope { "" } else { "no data" }.into(),
                        line: i as u32 + 2,
                    })
                    .collect(),
            ),
        )
    }

    fn run(i: &Isms) -> Vec<Finding> {
        let ctx = Context {
            isms: i,
            as_of: d("2026-10-01"),
        };
        let mut out = Vec::new();
        check(&ctx, &mut out);
        out
    }

    #[test]
    fn names_that_differ_only_in_legal_form_meet() {
        let i = isms(
            vec![
                register(&["Acme Ltd", "Cloud Host, Inc."]),
                inventory(&[("ACME Limited", true), ("cloud host", true)]),
            ],
            None,
        );
        assert!(run(&i).is_empty());
    }

    #[test]
    fn an_in_scope_inventory_row_missing_from_the_register_is_rd023_at_its_row() {
        let i = isms(
            vec![
                register(&["Acme Ltd"]),
                inventory(&[("Acme", true), ("Pay Co Ltd", true), ("Snacks Ltd", false)]),
            ],
            None,
        );
        let out = run(&i);
        assert_eq!(codes(&out), vec!["RD023"]);
        assert_eq!(out[0].path.as_deref(), Some("records/inventory.csv"));
        assert_eq!(out[0].line, Some(3));
        assert!(out[0].message.contains("Pay Co Ltd"), "{}", out[0].message);
    }

    #[test]
    fn a_contractors_employer_is_a_supplier_until_the_contractor_leaves() {
        let mut i = isms(vec![register(&["Acme Ltd"])], None);
        i.config.organisation = "Northwind Analytics Ltd".into();
        let person = |name: &str, org: &str, line| Person {
            name: name.into(),
            in_scope: true,
            line,
            organisation: Some(org.into()),
            ..Person::default()
        };
        let mut gone = person("Gone", "Old Firm GmbH", 5);
        gone.left_on = Some(d("2026-09-01"));
        let mut out_of_scope = person("Out", "Elsewhere Ltd", 6);
        out_of_scope.in_scope = false;
        i.roster = Roster {
            path: Some("people/roster.csv".into()),
            people: vec![
                person("Ann", "Northwind Analytics", 2),
                person("Bob", "acme", 3),
                person("Cid", "Build Crew Oy", 4),
                gone,
                out_of_scope,
            ],
            ..Roster::default()
        };
        let out = run(&i);
        assert_eq!(codes(&out), vec!["RD023"]);
        assert_eq!(out[0].path.as_deref(), Some("people/roster.csv"));
        assert_eq!(out[0].line, Some(4));
        assert!(out[0].message.contains("Build Crew Oy") && out[0].message.contains("Cid"));
    }
}
