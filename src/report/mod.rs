//! Printing findings: human diagnostics in the style of rustc, the JSON
//! object of the contract, SARIF for code scanning, GitHub workflow
//! commands and a Markdown summary for pull requests.

pub mod diff;
pub mod github;
pub mod human;
pub mod json;
pub mod markdown;
pub mod sarif;

use serde::Serialize;

use crate::diagnostics::finding::{Counts, Finding, Severity};
use crate::diagnostics::rules::Family;
use crate::model::ids::{fmt_date, Date};

/// The readiness verdict shared by both outputs and the audit index.
#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    pub schema: u32,
    pub tool_version: &'static str,
    pub root: String,
    pub commit: Option<String>,
    pub dirty: bool,
    pub as_of: String,
    pub counts: Counts,
    pub stage1: Stage1,
    pub stage2: Option<Stage2>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Stage1 {
    pub ready: bool,
    pub blockers: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Stage2 {
    pub major: usize,
    pub minor: usize,
    pub observation: usize,
}

impl Summary {
    pub fn new(
        root: String,
        commit: Option<String>,
        dirty: bool,
        as_of: Date,
        stage2_date: Option<Date>,
        findings: &[Finding],
    ) -> Summary {
        let mut blockers: Vec<String> = findings
            .iter()
            .filter(|f| {
                f.severity <= Severity::Major
                    && !matches!(f.rule.family, Family::Stage2 | Family::Certification)
            })
            .map(|f| f.rule.code.to_string())
            .collect();
        blockers.sort();
        blockers.dedup();
        let counts = Counts::of(findings);
        Summary {
            schema: 1,
            tool_version: env!("CARGO_PKG_VERSION"),
            root,
            commit,
            dirty,
            as_of: fmt_date(as_of),
            counts,
            stage1: Stage1 {
                ready: blockers.is_empty(),
                blockers,
            },
            stage2: stage2_date.map(|_| Stage2 {
                major: counts.major,
                minor: counts.minor,
                observation: counts.observation,
            }),
        }
    }
}

/// A path relative to the ISMS root, as the repository names it: with the
/// ISMS root's prefix (`/`-separated, empty at the repository root), the
/// form pull requests, code scanning and annotations expect.
pub fn repo_path(root_prefix: &str, path: &str) -> String {
    if root_prefix.is_empty() {
        path.to_string()
    } else {
        format!("{}/{path}", root_prefix.trim_end_matches('/'))
    }
}
