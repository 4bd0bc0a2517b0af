//! Human diagnostics: severity and code, file:line, the offending source line,
//! the hint, and a summary line. Colour only when writing to a terminal.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;

use super::Summary;
use crate::diagnostics::finding::{Finding, Severity};

struct Style {
    colour: bool,
}

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.colour {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    fn severity(&self, s: Severity) -> String {
        let code = match s {
            Severity::Error => "1;31",
            Severity::Major => "1;31",
            Severity::Minor => "1;33",
            Severity::Observation => "1;36",
        };
        self.paint(code, s.as_str())
    }
}

/// Renders all findings and the summary lines.
pub fn render(root: &Path, summary: &Summary, findings: &[Finding], colour: bool) -> String {
    let mut out = render_findings(root, findings, colour);
    out.push_str(&render_summary(summary, colour));
    out
}

/// Renders findings, each with its source line and hint. A large ISMS has
/// tens of thousands of findings over thousands of files: the files are
/// read, and the findings rendered, on every core, then joined in order.
pub fn render_findings<'a>(
    root: &Path,
    findings: impl IntoIterator<Item = &'a Finding>,
    colour: bool,
) -> String {
    use rayon::prelude::*;
    let findings: Vec<&Finding> = findings.into_iter().collect();
    // Quoted lines are read as the loader reads files: inside the ISMS only.
    let reader = crate::model::confined::Confined::new(root).ok();
    let mut quoted: Vec<&str> = findings
        .iter()
        .filter(|f| f.line.is_some())
        .filter_map(|f| f.path.as_deref())
        .collect();
    quoted.sort_unstable();
    quoted.dedup();
    let files: HashMap<&str, Option<String>> = quoted
        .par_iter()
        .map(|&path| {
            let text = reader.as_ref().and_then(|c| c.read_text(path).ok());
            (path, text)
        })
        .collect();
    let style = Style { colour };
    let rendered: Vec<String> = findings
        .par_iter()
        .map(|f| render_finding(f, &files, &style))
        .collect();
    rendered.concat()
}

/// One finding: its headline, where it is (with the line quoted from
/// `files`), what it is about and how to fix it.
fn render_finding(f: &Finding, files: &HashMap<&str, Option<String>>, style: &Style) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}{}: {}",
        style.severity(f.severity),
        style.paint("1", &format!("[{}]", f.rule.code)),
        style.paint("1", &f.message)
    );
    if let Some(path) = &f.path {
        let location = match f.line {
            Some(l) => format!("{path}:{l}"),
            None => path.clone(),
        };
        let width = f.line.map_or(1, |l| l.to_string().len());
        let _ = writeln!(
            out,
            "{}{} {location}",
            " ".repeat(width),
            style.paint("1;34", "-->")
        );
        if let Some(line) = f.line {
            let text = files
                .get(path.as_str())
                .and_then(Option::as_deref)
                .and_then(|t| t.lines().nth((line as usize).checked_sub(1)?));
            if let Some(text) = text {
                let num = line.to_string();
                let pad = " ".repeat(num.len());
                let _ = writeln!(out, "{pad} {}", style.paint("1;34", "|"));
                let _ = writeln!(
                    out,
                    "{} {} {}",
                    style.paint("1;34", &num),
                    style.paint("1;34", "|"),
                    text.trim_end_matches('\r')
                );
                let _ = writeln!(out, "{pad} {}", style.paint("1;34", "|"));
            }
        }
    }
    let mut about = Vec::new();
    if let Some(d) = &f.document {
        about.push(format!("document {d}"));
    }
    if let Some(c) = f.control {
        about.push(format!("control {c} {}", c.control().title));
    }
    if let Some(c) = f.effective_clause() {
        about.push(format!("clause {c}"));
    }
    if !about.is_empty() {
        let _ = writeln!(out, "  = note: {}", about.join(", "));
    }
    if let Some(h) = &f.hint {
        let _ = writeln!(out, "  = {}: {h}", style.paint("1", "help"));
    }
    out.push('\n');
    out
}

/// Renders the summary lines: counts, Stage 1 and Stage 2 readiness.
pub fn render_summary(summary: &Summary, colour: bool) -> String {
    let style = Style { colour };
    let mut out = String::new();
    let c = summary.counts;
    let _ = writeln!(
        out,
        "{}: {} error(s), {} major, {} minor, {} observation(s) (as of {}{})",
        style.paint("1", "summary"),
        c.error,
        c.major,
        c.minor,
        c.observation,
        summary.as_of,
        summary
            .commit
            .as_deref()
            .map(|id| format!(", commit {}", &id[..id.len().min(12)]))
            .unwrap_or_default(),
    );
    if summary.stage1.ready {
        let _ = writeln!(out, "Stage 1: ready");
    } else {
        let _ = writeln!(
            out,
            "Stage 1: not ready ({})",
            summary.stage1.blockers.join(", ")
        );
    }
    match &summary.stage2 {
        Some(s) => {
            let _ = writeln!(
                out,
                "Stage 2: {} major, {} minor, {} observations",
                s.major, s.minor, s.observation
            );
        }
        None => {
            let _ = writeln!(out, "Stage 2: no [audit] stage2 date set");
        }
    }
    out
}
