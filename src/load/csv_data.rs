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
        "training" => rows!(Training, |c| {
            // Both dates are read before giving up, so one row reports both.
            let completed_on = c.date("completed_on", findings);
            let expires_on = c.date("expires_on", findings);
            TrainingRow {
                person: c.get("person"),
                completed_on: completed_on?,
                expires_on: expires_on?,
                line: c.row.line,
            }
        }),
        "leavers" => rows!(Leavers, |c| {
            let left_on = c.date("left_on", findings);
            let access_removed_on = c.date("access_removed_on", findings);
            LeaverRow {
                person: c.get("person"),
                left_on: left_on?,
                access_removed_on: access_removed_on?,
                systems: c.get("systems"),
                line: c.row.line,
            }
        }),
        "acknowledgements" => rows!(Acknowledgements, |c| AcknowledgementRow {
            person: c.get("person"),
            document: c.get("document"),
            version: c.get("version"),
            acknowledged_on: c.date("acknowledged_on", findings)?,
            line: c.row.line
        }),
        "supplier-inventory" => rows!(SupplierInventory, |c| {
            let in_scope = match c.get("in_scope").to_ascii_lowercase().as_str() {
                "yes" | "true" => true,
                "no" | "false" => false,
                other => {
                    findings.push(
                        Finding::new(
                            &rules::DC003,
                            format!("column `in_scope`: must be yes or no, not `{other}`"),
                        )
                        .at(&table.path, c.row.line),
                    );
                    return Err(());
                }
            };
            let reason = c.get("reason");
            if !in_scope && reason.is_empty() {
                findings.push(
                    Finding::new(
                        &rules::DC003,
                        format!(
                            "column `reason`: supplier `{}` is out of scope without a reason",
                            c.get("supplier")
                        ),
                    )
                    .at(&table.path, c.row.line)
                    .hint("say why the supplier is outside the ISMS scope (add a `reason` column)"),
                );
                return Err(());
            }
            InventoryRow {
                supplier: c.get("supplier"),
                service: c.get("service"),
                in_scope,
                reason,
                line: c.row.line,
            }
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

/// Reads the roster CSV: `person,role,in_scope` required; `email`,
/// `joined_on`, `left_on`, `organisation` and `ssh_key` optional, in any
/// order. Each row is typed once here; a bad value is DC003 at its row,
/// naming the column, and that row is left out.
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
                    .hint("the header must start with: person,role,in_scope"),
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
        // Both dates are read before skipping, so one row reports both.
        let joined_on = c.date("joined_on", findings);
        let left_on = c.date("left_on", findings);
        let (Ok(joined_on), Ok(left_on)) = (joined_on, left_on) else {
            continue;
        };
        if let (Some(joined), Some(left)) = (joined_on, left_on) {
            if left < joined {
                findings.push(
                    Finding::new(
                        &rules::DC003,
                        format!("column `left_on`: {left} is before `joined_on` {joined}"),
                    )
                    .at(path, row.line)
                    .hint("check both dates"),
                );
                continue;
            }
        }
        let organisation = c.get("organisation");
        roster.people.push(Person {
            name: c.get("person"),
            role: c.get("role"),
            in_scope,
            line: row.line,
            emails: split_list(&c.get("email")),
            joined_on,
            left_on,
            organisation: (!organisation.is_empty()).then_some(organisation),
            ssh_keys: split_list(&c.get("ssh_key")),
        });
    }
    roster
}

/// A `;`-separated cell as its trimmed, non-empty parts.
fn split_list(cell: &str) -> Vec<String> {
    cell.split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roster_columns_are_typed() {
        let mut findings = Vec::new();
        let r = read_roster(
            "people/roster.csv",
            "person,role,in_scope,email,joined_on,left_on,organisation,ssh_key\n\
             Ann,Lead,yes,ann@a.example; ann@b.example,2026-01-05,,,ssh-ed25519 AAAA ann\n\
             Bob,Dev,yes,,,2026-06-30,Acme Ltd,ssh-ed25519 AAAA one;ssh-rsa BBBB two\n",
            &mut findings,
        );
        assert!(findings.is_empty(), "{findings:?}");
        let ann = &r.people[0];
        assert_eq!(ann.emails, vec!["ann@a.example", "ann@b.example"]);
        assert_eq!(
            ann.joined_on.map(|d| d.to_string()).as_deref(),
            Some("2026-01-05")
        );
        assert_eq!(ann.left_on, None);
        assert_eq!(ann.organisation, None);
        assert_eq!(ann.ssh_keys, vec!["ssh-ed25519 AAAA ann"]);
        let bob = &r.people[1];
        assert!(bob.emails.is_empty());
        assert_eq!(
            bob.left_on.map(|d| d.to_string()).as_deref(),
            Some("2026-06-30")
        );
        assert_eq!(bob.organisation.as_deref(), Some("Acme Ltd"));
        assert_eq!(
            bob.ssh_keys,
            vec!["ssh-ed25519 AAAA one", "ssh-rsa BBBB two"]
        );
        assert_eq!(bob.line, 3);
    }

    #[test]
    fn the_v1_roster_still_reads() {
        let mut findings = Vec::new();
        let r = read_roster(
            "r.csv",
            "person,role,in_scope\nAnn,Lead,yes\n",
            &mut findings,
        );
        assert!(findings.is_empty(), "{findings:?}");
        assert_eq!(r.people.len(), 1);
        assert!(r.people[0].emails.is_empty() && r.people[0].joined_on.is_none());
    }

    #[test]
    fn a_bad_date_is_dc003_at_its_row_naming_the_column() {
        let mut findings = Vec::new();
        let r = read_roster(
            "people/roster.csv",
            "person,role,in_scope,joined_on,left_on\nAnn,Lead,yes,2026-01-05,\n\
             Bob,Dev,yes,2026-13-01,31/12/2026\n",
            &mut findings,
        );
        assert_eq!(r.people.len(), 1, "the bad row is left out");
        assert_eq!(findings.len(), 2, "{findings:?}");
        for (f, col) in findings.iter().zip(["joined_on", "left_on"]) {
            assert_eq!(f.rule.code, "DC003");
            assert_eq!(f.path.as_deref(), Some("people/roster.csv"));
            assert_eq!(f.line, Some(3));
            assert!(f.message.contains(&format!("`{col}`")), "{}", f.message);
        }
    }

    #[test]
    fn new_record_kinds_are_typed() {
        let mut findings = Vec::new();
        let t = read_table(
            "l.csv",
            "person,left_on,access_removed_on,systems\nAnn,2026-05-01,2026-05-02,all\n",
            "leavers",
            &mut findings,
        );
        let TypedRows::Leavers(rows) = &t.typed else {
            panic!("leavers")
        };
        assert_eq!(
            rows[0].access_removed_on.map(|d| d.to_string()).as_deref(),
            Some("2026-05-02")
        );
        let t = read_table(
            "a.csv",
            "person,document,version,acknowledged_on\nAnn,POL-AUP,2.0,2026-05-02\n",
            "acknowledgements",
            &mut findings,
        );
        let TypedRows::Acknowledgements(rows) = &t.typed else {
            panic!("acknowledgements")
        };
        assert_eq!(
            (rows[0].document.as_str(), rows[0].version.as_str()),
            ("POL-AUP", "2.0")
        );
        let t = read_table(
            "t.csv",
            "person,completed_on,expires_on\nAnn,2026-05-02,2027-05-01\nBob,2026-05-02,\n",
            "training",
            &mut findings,
        );
        let TypedRows::Training(rows) = &t.typed else {
            panic!("training")
        };
        assert!(rows[0].expires_on.is_some() && rows[1].expires_on.is_none());
        assert!(findings.is_empty(), "{findings:?}");
    }

    #[test]
    fn an_inventory_row_out_of_scope_needs_a_reason() {
        let mut findings = Vec::new();
        let t = read_table(
            "records/inventory.csv",
            "supplier,service,in_scope,reason\nAcme,Hosting,yes,\nSnacks Ltd,Office snacks,no,No access to information\nPay Co,Payroll,no,\nOdd,Thing,maybe,\n",
            "supplier-inventory",
            &mut findings,
        );
        let TypedRows::SupplierInventory(rows) = &t.typed else {
            panic!("inventory")
        };
        assert_eq!(rows.len(), 2);
        let at: Vec<(Option<u32>, &str)> = findings.iter().map(|f| (f.line, f.rule.code)).collect();
        assert_eq!(at, vec![(Some(4), "DC003"), (Some(5), "DC003")]);
        assert!(findings[0].message.contains("Pay Co"));
    }

    #[test]
    fn a_bad_expiry_date_is_dc003_at_its_row() {
        let mut findings = Vec::new();
        read_table(
            "t.csv",
            "person,completed_on,expires_on\nAnn,2026-05-02,soon\n",
            "training",
            &mut findings,
        );
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].line, Some(2));
        assert!(findings[0].message.contains("expires_on"));
    }

    #[test]
    fn leaving_before_joining_is_dc003() {
        let mut findings = Vec::new();
        let r = read_roster(
            "r.csv",
            "person,role,in_scope,joined_on,left_on\nAnn,Lead,yes,2026-05-01,2026-04-30\n",
            &mut findings,
        );
        assert!(r.people.is_empty());
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].line, Some(2));
        assert!(findings[0].message.contains("left_on"));
    }
}
