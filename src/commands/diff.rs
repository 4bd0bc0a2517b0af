//! `isms diff BASE [HEAD]`: what a change does in document-control terms,
//! and the findings it introduces and resolves. Exits 1 only for introduced
//! findings at or above `--fail-on`, so a pull request can be gated on what
//! it adds while old findings are worked off.

use std::path::Path;

use super::check::print_fatal;
use super::{exit_code, Format, EXIT_UNUSABLE};
use crate::diagnostics::finding::{Finding, Severity};
use crate::load::LoadOptions;
use crate::model::ids::Date;
use crate::pipeline::{run_checks, run_checks_at, Checked};
use crate::report;
use crate::report::diff::{compare, Side};

/// Runs the diff; `head` `None` is the working tree.
pub fn run(
    root: &Path,
    base: &str,
    head: Option<&str>,
    as_of: Date,
    format: Format,
    fail_on: Severity,
) -> i32 {
    let (base_side, head_side) = rayon::join(
        || run_checks_at(root, base, as_of, true),
        || match head {
            Some(rev) => run_checks_at(root, rev, as_of, true),
            None => run_checks(
                root,
                as_of,
                &LoadOptions {
                    history_cache: true,
                    skip_earlier_texts: true,
                    ..LoadOptions::default()
                },
            ),
        },
    );
    let (base_checked, head_checked) = match (base_side, head_side) {
        (Ok(b), Ok(h)) => (b, h),
        (Err(e), _) | (_, Err(e)) => {
            print_fatal(root, as_of, &e.to_string(), format);
            return EXIT_UNUSABLE;
        }
    };
    let head_label = head.unwrap_or("working tree");
    let diff = compare(side(base, &base_checked), side(head_label, &head_checked));
    let introduced: Vec<Finding> = diff.introduced.iter().map(|f| (*f).clone()).collect();
    let prefix = head_checked.isms.history.root_prefix.as_str();
    // Annotations and code scanning show only what the change introduces;
    // their summary is the state at HEAD.
    match format {
        Format::Human => print!("{}", report::diff::render_human(&diff)),
        Format::Json => println!("{}", report::diff::render_json(&diff)),
        Format::Markdown => print!("{}", report::diff::render_markdown(&diff)),
        Format::Sarif => println!(
            "{}",
            report::sarif::render(&head_checked.summary, &introduced, prefix)
        ),
        Format::Github => print!(
            "{}",
            report::github::render(&head_checked.summary, &introduced, prefix)
        ),
    }
    exit_code(&introduced, fail_on)
}

fn side<'a>(label: &'a str, checked: &'a Checked) -> Side<'a> {
    Side {
        label,
        isms: &checked.isms,
        findings: &checked.findings,
        summary: &checked.summary,
    }
}
