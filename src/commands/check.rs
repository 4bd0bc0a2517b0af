//! `isms check`: load, check, print; writes nothing in the work tree.

use std::io::IsTerminal;
use std::path::Path;

use super::{exit_code, Format, EXIT_UNUSABLE};
use crate::diagnostics::finding::Severity;
use crate::load::LoadOptions;
use crate::model::ids::Date;
use crate::pipeline::{run_checks, Checked};
use crate::report::{self, Summary};

/// Prints the report of a checked ISMS to stdout.
pub fn print_report(root: &Path, checked: &Checked, format: Format) {
    // Pull requests name files from the repository root.
    let prefix = checked.isms.history.root_prefix.as_str();
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
        Format::Sarif => println!(
            "{}",
            report::sarif::render(&checked.summary, &checked.findings, prefix)
        ),
        Format::Github => print!(
            "{}",
            report::github::render(&checked.summary, &checked.findings, prefix)
        ),
        Format::Markdown => print!(
            "{}",
            report::markdown::render(&checked.summary, &checked.findings, prefix)
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
        Format::Sarif => {
            let summary = Summary::new(root.display().to_string(), None, false, as_of, None, &[]);
            println!("{}", report::sarif::render_fatal(&summary, message));
            eprintln!("error: {message}");
        }
        Format::Github => {
            print!("{}", report::github::render_fatal(message));
            eprintln!("error: {message}");
        }
        Format::Markdown => {
            print!("{}", report::markdown::render_fatal(message));
            eprintln!("error: {message}");
        }
    }
}

pub fn run(root: &Path, as_of: Date, format: Format, fail_on: Severity) -> i32 {
    let opts = LoadOptions {
        history_cache: true,
        out_dir: None,
        skip_earlier_texts: true,
        ..LoadOptions::default()
    };
    match run_checks(root, as_of, &opts) {
        Ok(checked) => {
            print_report(root, &checked, format);
            exit_code(&checked.findings, fail_on)
        }
        Err(error) => {
            print_fatal(root, as_of, &error.to_string(), format);
            EXIT_UNUSABLE
        }
    }
}
