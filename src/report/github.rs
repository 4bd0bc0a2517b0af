//! `--format github`: one workflow command per finding, so a GitHub Actions
//! run shows each finding as an annotation on its file and line without
//! uploading anything.
//!
//! `::error file=…,line=…,title=…::message`; errors and majors are `error`,
//! minors `warning`, observations `notice`. Values are escaped as the runner
//! requires: `%`, CR and LF in the message; also `:` and `,` in properties.
//! Paths are relative to the repository root, as the runner expects.

use std::fmt::Write as _;

use super::{repo_path, Summary};
use crate::diagnostics::finding::{Finding, Severity};

fn command(severity: Severity) -> &'static str {
    match severity {
        Severity::Error | Severity::Major => "error",
        Severity::Minor => "warning",
        Severity::Observation => "notice",
    }
}

/// Escapes a message (the text after `::`).
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value (`file=`, `title=`).
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

fn annotation(finding: &Finding, root_prefix: &str) -> String {
    let mut props = Vec::new();
    if let Some(path) = &finding.path {
        props.push(format!(
            "file={}",
            escape_property(&repo_path(root_prefix, path))
        ));
        if let Some(line) = finding.line {
            props.push(format!("line={line}"));
        }
    }
    props.push(format!(
        "title={}",
        escape_property(&format!(
            "{} {} ({})",
            finding.rule.code, finding.rule.title, finding.severity
        ))
    ));
    let mut message = finding.message.clone();
    if let Some(hint) = &finding.hint {
        message.push_str("\nFix: ");
        message.push_str(hint);
    }
    format!(
        "::{} {}::{}",
        command(finding.severity),
        props.join(","),
        escape_data(&message)
    )
}

/// Every finding as a workflow command, then the summary as a notice.
pub fn render(summary: &Summary, findings: &[Finding], root_prefix: &str) -> String {
    let mut out = String::new();
    for f in findings {
        let _ = writeln!(out, "{}", annotation(f, root_prefix));
    }
    let c = summary.counts;
    let _ = writeln!(
        out,
        "::notice title=isms summary::{}",
        escape_data(&format!(
            "{} error(s), {} major, {} minor, {} observation(s) as of {}; Stage 1 {}",
            c.error,
            c.major,
            c.minor,
            c.observation,
            summary.as_of,
            if summary.stage1.ready {
                "ready".to_string()
            } else {
                format!("not ready ({})", summary.stage1.blockers.join(", "))
            }
        ))
    );
    out
}

/// A run that could not use its input: one error annotation.
pub fn render_fatal(message: &str) -> String {
    format!("::error title=isms::{}\n", escape_data(message))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::rules;

    #[test]
    fn escapes_as_the_runner_requires() {
        assert_eq!(escape_data("100%\r\nnext"), "100%25%0D%0Anext");
        assert_eq!(escape_property("a:b,c%"), "a%3Ab%2Cc%25");
    }

    #[test]
    fn one_line_per_finding_with_file_line_and_title() {
        let f = Finding::new(&rules::DC006, "POL-A: body changed,\nsee: history")
            .at("policies/a, b.md", 10)
            .hint("approve it");
        let line = annotation(&f, "isms");
        assert!(!line.contains('\n'));
        assert!(line.starts_with("::warning file=isms/policies/a%2C b.md,line=10,title=DC006 "));
        assert!(line.ends_with("::POL-A: body changed,%0Asee: history%0AFix: approve it"));
    }

    #[test]
    fn levels_follow_severity() {
        let at = |s| annotation(&Finding::new(&rules::SOA001, "x").severity(s), "");
        assert!(at(Severity::Major).starts_with("::error title="));
        assert!(at(Severity::Minor).starts_with("::warning title="));
        assert!(at(Severity::Observation).starts_with("::notice title="));
    }
}
