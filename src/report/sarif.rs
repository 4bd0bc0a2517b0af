//! `--format sarif`: SARIF 2.1.0, the format code scanning reads, so each
//! finding lands on its line in a pull request.
//!
//! One run; the driver lists every rule of the catalogue with the same text
//! as `isms explain`, because GitHub rejects rules without a full
//! description and help. Paths are relative to the repository root (the
//! ISMS may be a subfolder), since that is what a pull request's files are
//! named by. A finding about something missing (no SoA) has no file of its
//! own: it points at `isms.toml`, line 1, where the ISMS is defined, because
//! code scanning drops results without a location.

use serde_json::{json, Value};

use super::{repo_path, Summary};
use crate::diagnostics::finding::{Finding, Severity};
use crate::diagnostics::rules::{self, Rule};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// SARIF `level` of a severity: errors and majors fail a review, minors
/// warn, observations are notes.
pub fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error | Severity::Major => "error",
        Severity::Minor => "warning",
        Severity::Observation => "note",
    }
}

fn rule_descriptor(rule: &Rule) -> Value {
    json!({
        "id": rule.code,
        "shortDescription": { "text": rule.title },
        "fullDescription": { "text": format!("{} {}", rule.title, rule.why) },
        "help": {
            "text": rule.explanation(),
            "markdown": format!(
                "**{} ({})**: {}\n\nClause {} ({}).\n\n**Why it matters.** {}\n\n**How to fix it.** {}",
                rule.code, rule.severity, rule.title, rule.clause, rule.clause_title(), rule.why, rule.fix
            ),
        },
        "defaultConfiguration": { "level": level(rule.severity) },
        "properties": {
            "tags": ["iso27001", rule.family.label()],
            "clause": rule.clause,
            "severity": rule.severity.as_str(),
        },
    })
}

fn result(finding: &Finding, root_prefix: &str) -> Value {
    let index = rules::ALL
        .iter()
        .position(|r| r.code == finding.rule.code)
        .unwrap_or(0);
    let (path, line) = match &finding.path {
        Some(path) => (path.as_str(), finding.line.unwrap_or(1)),
        None => ("isms.toml", 1),
    };
    let mut text = finding.message.clone();
    if let Some(hint) = &finding.hint {
        text.push_str(" Fix: ");
        text.push_str(hint);
    }
    let mut properties = serde_json::Map::new();
    properties.insert("severity".into(), json!(finding.severity.as_str()));
    if let Some(d) = &finding.document {
        properties.insert("document".into(), json!(d));
    }
    if let Some(c) = finding.control {
        properties.insert("control".into(), json!(c.to_string()));
    }
    if let Some(c) = finding.effective_clause() {
        properties.insert("clause".into(), json!(c));
    }
    json!({
        "ruleId": finding.rule.code,
        "ruleIndex": index,
        "level": level(finding.severity),
        "message": { "text": text },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": { "uri": repo_path(root_prefix, path) },
                "region": { "startLine": line.max(1) },
            }
        }],
        "partialFingerprints": {
            "primaryLocationLineHash": fingerprint(finding),
        },
        "properties": properties,
    })
}

/// A fingerprint that stays put when unrelated lines move: the rule, the
/// file, the document, the control and the message, hashed. Code scanning
/// uses it to tell a result that moved from a new one.
fn fingerprint(finding: &Finding) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    for part in [
        finding.rule.code,
        finding.path.as_deref().unwrap_or(""),
        finding.document.as_deref().unwrap_or(""),
        &finding.control.map(|c| c.to_string()).unwrap_or_default(),
        &finding.message,
    ] {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    let digest = hasher.finalize();
    digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// The SARIF log of one run. `root_prefix` is the ISMS root relative to the
/// repository root (`/`-separated, empty at the root).
pub fn render(summary: &Summary, findings: &[Finding], root_prefix: &str) -> String {
    render_run(summary, findings, root_prefix, None)
}

/// The SARIF log of a run that could not use its input: no results, and the
/// reason as a tool notification.
pub fn render_fatal(summary: &Summary, message: &str) -> String {
    render_run(summary, &[], "", Some(message))
}

fn render_run(
    summary: &Summary,
    findings: &[Finding],
    root_prefix: &str,
    fatal: Option<&str>,
) -> String {
    let mut invocation = json!({
        "executionSuccessful": fatal.is_none(),
        "properties": {
            "asOf": summary.as_of,
            "commit": summary.commit,
            "dirty": summary.dirty,
        },
    });
    if let Some(message) = fatal {
        invocation["toolExecutionNotifications"] = json!([{
            "level": "error",
            "message": { "text": message },
        }]);
    }
    let log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "isms",
                    "version": summary.tool_version,
                    "semanticVersion": summary.tool_version,
                    "rules": rules::ALL.iter().map(|r| rule_descriptor(r)).collect::<Vec<_>>(),
                }
            },
            "invocations": [invocation],
            "columnKind": "unicodeCodePoints",
            "results": findings.iter().map(|f| result(f, root_prefix)).collect::<Vec<_>>(),
        }],
    });
    serde_json::to_string_pretty(&log).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_follow_severity() {
        assert_eq!(level(Severity::Error), "error");
        assert_eq!(level(Severity::Major), "error");
        assert_eq!(level(Severity::Minor), "warning");
        assert_eq!(level(Severity::Observation), "note");
    }

    #[test]
    fn paths_are_relative_to_the_repository_root() {
        let f = Finding::new(&rules::DC006, "changed").at("policies/a.md", 9);
        let r = result(&f, "example-isms");
        assert_eq!(
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "example-isms/policies/a.md"
        );
        assert_eq!(
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
            9
        );
        let r = result(&f, "");
        assert_eq!(
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "policies/a.md"
        );
    }

    #[test]
    fn a_finding_about_something_missing_points_at_the_config() {
        let f = Finding::new(&rules::SOA001, "no SoA");
        let r = result(&f, "isms");
        assert_eq!(
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "isms/isms.toml"
        );
        assert_eq!(
            r["ruleIndex"],
            rules::ALL.iter().position(|r| r.code == "SOA001").unwrap()
        );
    }
}
