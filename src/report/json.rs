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
pub fn render(summary: &Summary, findings: &[Finding]) -> String {
    let report = Report {
        isms: summary,
        findings: findings.iter().map(JsonFinding::from).collect(),
    };
    serde_json::to_string_pretty(&report).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}
