//! `--format markdown`: a summary for a pull-request comment or
//! `$GITHUB_STEP_SUMMARY`: counts, readiness, and the findings grouped by
//! severity with file and line.
//!
//! It must survive being pasted twice into one page: no HTML ids or anchors,
//! no raw HTML from messages (`<` and `>` are escaped), no `@` that would
//! mention someone, and it stays under a comment's size limit by listing at
//! most [`PER_SEVERITY`] findings of each severity.

use std::fmt::Write as _;

use super::Summary;
use crate::diagnostics::finding::{Finding, Severity};

/// Findings listed per severity; the rest are counted.
pub const PER_SEVERITY: usize = 100;

/// Escapes text so Markdown shows it as written: no HTML, no mentions, no
/// table or emphasis breaks. Backticks are kept: messages use them for code.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '@' => out.push_str("&#64;"),
            '|' => out.push_str("\\|"),
            '*' => out.push_str("\\*"),
            '\\' => out.push_str("\\\\"),
            '\r' => {}
            '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The summary and findings as Markdown.
pub fn render(summary: &Summary, findings: &[Finding], root_prefix: &str) -> String {
    let c = summary.counts;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "### ISMS check: {}, {} major, {} minor, {}\n",
        plural(c.error, "error", "errors"),
        c.major,
        c.minor,
        plural(c.observation, "observation", "observations"),
    );
    let commit = summary
        .commit
        .as_deref()
        .map(|id| format!(", commit `{}`", &id[..id.len().min(12)]))
        .unwrap_or_default();
    let dirty = if summary.dirty {
        " with uncommitted changes"
    } else {
        ""
    };
    let _ = writeln!(out, "As of {}{commit}{dirty}.\n", summary.as_of);
    let stage1 = if summary.stage1.ready {
        "**ready**".to_string()
    } else {
        format!(
            "**not ready** ({})",
            escape(&summary.stage1.blockers.join(", "))
        )
    };
    let stage2 = match &summary.stage2 {
        Some(s) => format!(
            "{} major, {} minor, {}",
            s.major,
            s.minor,
            plural(s.observation, "observation", "observations")
        ),
        None => "no `[audit] stage2` date set".to_string(),
    };
    let _ = writeln!(out, "| | |\n|---|---|");
    let _ = writeln!(out, "| Stage 1 | {stage1} |");
    let _ = writeln!(out, "| Stage 2 | {stage2} |");
    if findings.is_empty() {
        let _ = writeln!(out, "\nNo findings.");
        return out;
    }
    for severity in Severity::ALL {
        let of: Vec<&Finding> = findings.iter().filter(|f| f.severity == severity).collect();
        if of.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n#### {} ({})\n", severity, of.len());
        for f in of.iter().take(PER_SEVERITY) {
            let location = match (&f.path, f.line) {
                (Some(p), Some(l)) => format!(" `{}:{l}`", code_path(root_prefix, p)),
                (Some(p), None) => format!(" `{}`", code_path(root_prefix, p)),
                _ => String::new(),
            };
            let _ = writeln!(
                out,
                "- **{}**{location}: {}",
                f.rule.code,
                escape(&f.message)
            );
            if let Some(hint) = &f.hint {
                let _ = writeln!(out, "  Fix: {}", escape(hint));
            }
        }
        if of.len() > PER_SEVERITY {
            let _ = writeln!(
                out,
                "- … and {} more (run `isms check` for the full list)",
                of.len() - PER_SEVERITY
            );
        }
    }
    out
}

/// The repository path of a finding's file, safe inside a code span.
fn code_path(root_prefix: &str, path: &str) -> String {
    super::repo_path(root_prefix, path).replace('`', "'")
}

/// A run that could not use its input.
pub fn render_fatal(message: &str) -> String {
    format!(
        "### ISMS check: the input could not be used\n\n{}\n",
        escape(message)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::rules;

    #[test]
    fn messages_cannot_inject_html_or_mentions() {
        assert_eq!(
            escape("<script>@team | *x*\nnext"),
            "&lt;script&gt;&#64;team \\| \\*x\\* next"
        );
    }

    #[test]
    fn lists_at_most_a_hundred_findings_per_severity() {
        let findings: Vec<Finding> = (0..120)
            .map(|i| Finding::new(&rules::DC010, format!("link {i}")).at("a.md", i + 1))
            .collect();
        let summary = Summary::new(
            "x".into(),
            None,
            false,
            crate::model::ids::parse_date("2027-01-01").unwrap(),
            None,
            &findings,
        );
        let text = render(&summary, &findings, "isms");
        assert_eq!(
            text.matches("- **DC010** `isms/a.md:").count(),
            PER_SEVERITY
        );
        assert!(text.contains("and 20 more"));
    }
}
