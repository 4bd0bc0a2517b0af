//! `isms check`: load, check, print; writes nothing in the work tree.

use std::io::IsTerminal;
use std::path::Path;

use super::{Format, EXIT_FINDINGS, EXIT_OK, EXIT_UNUSABLE};
use crate::checks::{self, Context};
use crate::finding::{sort_findings, Finding, Severity};
use crate::load::{self, LoadOptions, LoadState};
use crate::model::ids::Date;
use crate::model::Isms;
use crate::report::{self, Summary};

/// The outcome of loading and checking, shared by `check`, `build` and `serve`.
pub struct Checked {
    pub isms: Isms,
    pub findings: Vec<Finding>,
    pub summary: Summary,
}

/// Loads and checks; `Err` carries the fatal message (exit 2).
pub fn run_checks(root: &Path, as_of: Date, opts: &LoadOptions) -> Result<Checked, String> {
    run_checks_with(root, as_of, opts, &mut LoadState::default())
}

/// As [`run_checks`], reusing and updating what `state` keeps between loads.
pub fn run_checks_with(
    root: &Path,
    as_of: Date,
    opts: &LoadOptions,
    state: &mut LoadState,
) -> Result<Checked, String> {
    let loaded = load::load_with(root, opts, state).map_err(|e| e.to_string())?;
    let mut findings = loaded.findings;
    let isms = loaded.isms;
    findings.extend(crate::timing::step("checks", || {
        checks::run_all(&Context { isms: &isms, as_of })
    }));
    sort_findings(&mut findings);
    let (commit, dirty) = isms
        .history
        .as_ref()
        .map_or((None, false), |h| (h.head.clone(), h.dirty));
    let summary = Summary::new(
        root.display().to_string(),
        commit,
        dirty,
        as_of,
        isms.config.stage2,
        &findings,
    );
    Ok(Checked {
        isms,
        findings,
        summary,
    })
}

/// Exit code for a set of findings and a `--fail-on` threshold.
pub fn exit_code(findings: &[Finding], fail_on: Severity) -> i32 {
    if findings.iter().any(|f| f.severity == Severity::Error) {
        EXIT_UNUSABLE
    } else if findings.iter().any(|f| f.severity.at_least(fail_on)) {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}

/// Prints the report of a checked ISMS to stdout.
pub fn print_report(root: &Path, checked: &Checked, format: Format) {
    match format {
        Format::Json => println!(
            "{}",
            report::json::render(&checked.summary, &checked.findings)
        ),
        Format::Human => print!(
            "{}",
            report::human::render(
                root,
                &checked.summary,
                &checked.findings,
                std::io::stdout().is_terminal()
            )
        ),
    }
}

/// Prints a fatal error in the requested format.
pub fn print_fatal(root: &Path, as_of: Date, message: &str, format: Format) {
    match format {
        Format::Json => {
            let summary = Summary::new(root.display().to_string(), None, false, as_of, None, &[]);
            let value = serde_json::json!({
                "isms": summary,
                "findings": [],
                "error": message,
            });
            println!(
                "{}",
                serde_json::to_string_pretty(&value).unwrap_or_default()
            );
            eprintln!("error: {message}");
        }
        Format::Human => eprintln!("error: {message}"),
    }
}

pub fn run(root: &Path, as_of: Date, format: Format, fail_on: Severity) -> i32 {
    let opts = LoadOptions {
        history_cache: true,
        out_dir: None,
    };
    match run_checks(root, as_of, &opts) {
        Ok(checked) => {
            print_report(root, &checked, format);
            exit_code(&checked.findings, fail_on)
        }
        Err(message) => {
            print_fatal(root, as_of, &message, format);
            EXIT_UNUSABLE
        }
    }
}
