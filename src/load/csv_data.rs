//! Reads the CSV data of records and the people roster into typed rows; a bad
//! row or cell is a DC003 at the CSV file and line, and the rest still loads.

use crate::diagnostics::finding::Finding;
use crate::diagnostics::rules;
use crate::model::ids::parse_date;
use crate::model::people::{Person, Roster};
use crate::model::record::*;

/// Parses CSV text into a table, checking the header when the kind fixes it.
pub fn read_table(path: &str, text: &str, kind: &str, findings: &mut Vec<Finding>) -> Table {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut table = Table {
        path: path.to_string(),
        ..Table::default()
    };
    match reader.headers() {
        Ok(h) => table.header = h.iter().map(|c| c.trim().to_string()).collect(),
        Err(e) => {
            findings.push(
                Finding::new(&rules::DC003, format!("CSV header cannot be read: {e}")).at(path, 1),
            );
            return table;
        }
    }
    for rec in reader.records() {
        match rec {
            Ok(r) => {
                let line = r.position().map_or(0, |p| p.line() as u32);
                if r.iter().all(|c| c.trim().is_empty()) {
                    continue;
                }
                table.rows.push(Row {
                    line,
                    cells: r.iter().map(|c| c.trim().to_string()).collect(),
                });
            }
            Err(e) => {
                let line = e.position().map_or(1, |p| p.line() as u32);
                findings.push(
                    Finding::new(&rules::DC003, format!("CSV row cannot be read: {e}"))
                        .at(path, line),
                );
            }
        }
    }
    if let Some(expected) = expected_columns(kind) {
        let missing: Vec<&str> = expected
            .iter()
            .copied()
            .filter(|c| !table.header.iter().any(|h| h == c))
            .collect();
        if !missing.is_empty() {
            findings.push(
                Finding::new(
                    &rules::DC003,
                    format!("CSV for `{kind}` lacks column(s): {}", missing.join(", ")),
                )
                .at(path, 1)
                .hint(format!("the header must be: {}", expected.join(","))),
            );
            return table;
        }
        table.typed = type_rows(&table, kind, findings);
    }
    table
}

struct Cells<'a> {
    table: &'a Table,
    row: &'a Row,
}

impl Cells<'_> {
    fn get(&self, col: &str) -> String {
        let i = self.table.header.iter().position(|h| h == col);
        i.and_then(|i| self.row.cells.get(i))
            .cloned()
            .unwrap_or_default()
    }

    /// An optional date cell: empty is `None`, a bad date is DC003.
    fn date(
        &self,
        col: &str,
        findings: &mut Vec<Finding>,
    ) -> Result<Option<crate::model::ids::Date>, ()> {
        let v = self.get(col);
        if v.is_empty() {
            return Ok(None);
        }
        match parse_date(&v) {
            Some(d) if !super::limits::year_in_range(d) => {
                findings.push(
                    Finding::new(
                        &rules::DC003,
                        super::limits::year_message(&format!("column `{col}`:"), &v),
                    )
                    .at(&self.table.path, self.row.line)
                    .hint("check the year; dates run from 1900-01-01 to 9999-12-31"),
                );
                Err(())
            }
            Some(d) => Ok(Some(d)),
            None => {
                findings.push(
                    Finding::new(
                        &rules::DC003,
                        format!("column `{col}`: `{v}` is not a valid date"),
                    )
                    .at(&self.table.path, self.row.line)
                    .hint("write dates as YYYY-MM-DD"),
                );
                Err(())
            }
        }
    }
}

fn type_rows(table: &Table, kind: &str, findings: &mut Vec<Finding>) -> TypedRows {
    macro_rules! rows {
        ($variant:ident, |$c:ident| $body:expr) => {{
            let mut v = Vec::new();
            for row in &table.rows {
                let $c = Cells { table, row };
                let made: Result<_, ()> = (|| Ok($body))();
                if let Ok(x) = made {
                    v.push(x);
                }
            }
            TypedRows::$variant(v)
        }};
    }
    match kind {
        "training" => rows!(Training, |c| TrainingRow {
            person: c.get("person"),
            completed_on: c.date("completed_on", findings)?,
            line: c.row.line
        }),
        "incident-log" => rows!(Incidents, |c| {
            let reported = c.date("reported_on", findings)?;
            let Some(reported_on) = reported else {
                findings.push(
                    Finding::new(&rules::DC003, "column `reported_on` is empty")
                        .at(&table.path, c.row.line),
                );
                return Err(());
            };
            IncidentRow {
                id: c.get("id"),
                reported_on,
                summary: c.get("summary"),
                severity: c.get("severity"),
                status: c.get("status"),
                closed_on: c.date("closed_on", findings)?,
                line: c.row.line,
            }
        }),
        "supplier-register" => rows!(Suppliers, |c| SupplierRow {
            supplier: c.get("supplier"),
            service: c.get("service"),
            criticality: c.get("criticality"),
            last_assessed: c.date("last_assessed", findings)?,
            security_clauses: c.get("security_clauses"),
            line: c.row.line
        }),
        "risk-register" => rows!(Risks, |c| RiskRow {
            id: c.get("id"),
            risk: c.get("risk"),
            owner: c.get("owner"),
            likelihood: c.get("likelihood"),
            impact: c.get("impact"),
            treatment: c.get("treatment"),
            residual: c.get("residual"),
            accepted_by: c.get("accepted_by"),
            accepted_on: c.date("accepted_on", findings)?,
            reviewed_on: c.date("reviewed_on", findings)?,
            line: c.row.line
        }),
        "corrective-actions" => rows!(CorrectiveActions, |c| CorrectiveActionRow {
            id: c.get("id"),
            source: c.get("source"),
            summary: c.get("summary"),
            owner: c.get("owner"),
            due: c.date("due", findings)?,
            closed_on: c.date("closed_on", findings)?,
            finding: c.get("finding"),
            evidence: c.get("evidence"),
            effectiveness_reviewed_on: c.date("effectiveness_reviewed_on", findings)?,
            line: c.row.line
        }),
        _ => TypedRows::Untyped,
    }
}

/// Reads the roster CSV (`person,role,in_scope`).
pub fn read_roster(path: &str, text: &str, findings: &mut Vec<Finding>) -> Roster {
    let table = read_table(path, text, "", findings);
    let mut roster = Roster {
        path: Some(path.to_string()),
        ..Roster::default()
    };
    for col in ["person", "role", "in_scope"] {
        if !table.header.iter().any(|h| h == col) {
            findings.push(
                Finding::new(&rules::DC003, format!("roster lacks column `{col}`"))
                    .at(path, 1)
                    .hint("the header must be: person,role,in_scope"),
            );
            return roster;
        }
    }
    for row in &table.rows {
        let c = Cells { table: &table, row };
        let in_scope = match c.get("in_scope").to_ascii_lowercase().as_str() {
            "yes" | "true" => true,
            "no" | "false" => false,
            other => {
                findings.push(
                    Finding::new(
                        &rules::DC003,
                        format!("`in_scope` must be yes or no, not `{other}`"),
                    )
                    .at(path, row.line),
                );
                continue;
            }
        };
        roster.people.push(Person {
            name: c.get("person"),
            role: c.get("role"),
            in_scope,
            line: row.line,
        });
    }
    roster
}
