//! The `--format json` object: `{"isms": summary, "findings": [...]}`.

use serde::Serialize;

use super::Summary;
use crate::diagnostics::finding::Finding;

#[derive(Serialize)]
pub struct JsonFinding<'a> {
    pub rule: &'a str,
    pub severity: &'a str,
    pub message: &'a str,
    pub path: Option<&'a str>,
    pub line: Option<u32>,
    pub document: Option<&'a str>,
    pub control: Option<String>,
    pub clause: Option<&'a str>,
    pub hint: Option<&'a str>,
}

impl<'a> From<&'a Finding> for JsonFinding<'a> {
    fn from(f: &'a Finding) -> Self {
        JsonFinding {
            rule: f.rule.code,
            severity: f.severity.as_str(),
            message: &f.message,
            path: f.path.as_deref(),
            line: f.line,
            document: f.document.as_deref(),
            control: f.control.map(|c| c.to_string()),
            clause: f.effective_clause(),
            hint: f.hint.as_deref(),
        }
    }
}

#[derive(Serialize)]
struct Report<'a> {
    isms: &'a Summary,
    findings: Vec<JsonFinding<'a>>,
}

/// The whole JSON report, pretty-printed.
///
/// A large ISMS has tens of thousands of findings: each is printed on its
/// own, on every core, and set in the array at the depth the whole report
/// would give it (the same bytes: a JSON string holds no raw line break,
/// so every line break is the printer's own).
pub fn render(summary: &Summary, findings: &[Finding]) -> String {
    use rayon::prelude::*;
    let whole = || {
        let report = Report {
            isms: summary,
            findings: findings.iter().map(JsonFinding::from).collect(),
        };
        serde_json::to_string_pretty(&report)
    };
    let error = |e: serde_json::Error| format!("{{\"error\": \"{e}\"}}");
    let head = serde_json::to_string_pretty(&Report {
        isms: summary,
        findings: Vec::new(),
    });
    let (Ok(head), false) = (head, findings.is_empty()) else {
        return whole().unwrap_or_else(error);
    };
    let Some(head) = head.strip_suffix("[]\n}") else {
        return whole().unwrap_or_else(error);
    };
    let items: Result<Vec<String>, _> = findings
        .par_iter()
        .map(|f| serde_json::to_string_pretty(&JsonFinding::from(f)))
        .collect();
    let items = match items {
        Ok(items) => items,
        Err(e) => return error(e),
    };
    let size: usize = items.iter().map(|i| i.len() + 6 * i.lines().count()).sum();
    let mut out = String::with_capacity(head.len() + size + 8);
    out.push_str(head);
    out.push('[');
    for (i, item) in items.iter().enumerate() {
        out.push_str(if i == 0 { "\n" } else { ",\n" });
        for (j, line) in item.split('\n').enumerate() {
            if j > 0 {
                out.push('\n');
            }
            out.push_str("    ");
            out.push_str(line);
        }
    }
    out.push_str("\n  ]\n}");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::rules;

    #[test]
    fn the_report_is_what_one_pretty_print_of_it_gives() {
        let summary = Summary::new(
            "/some \"root\"\nwith a line".to_string(),
            Some("abc".into()),
            true,
            crate::model::ids::parse_date("2027-02-15").expect("date"),
            None,
            &[],
        );
        let findings = [
            Finding::new(&rules::DC007, "plain"),
            Finding::new(&rules::DC001, "quotes \" and\nline\tbreaks, \u{7f} and é")
                .at("a/b.md", 3)
                .document("POL-1")
                .hint("fix {it}"),
            Finding::new(&rules::SOA001, "").in_file("x"),
        ];
        for findings in [&findings[..], &findings[..1], &[]] {
            let report = Report {
                isms: &summary,
                findings: findings.iter().map(JsonFinding::from).collect(),
            };
            let expected = serde_json::to_string_pretty(&report).expect("json");
            assert_eq!(render(&summary, findings), expected);
        }
    }
}
