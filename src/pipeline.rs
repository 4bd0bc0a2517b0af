//! The pipeline every command shares: load the ISMS into the model, run the
//! checks, sort the findings and summarise them. `check`, `build`, `serve`
//! and both sides of `diff` all go through here, so they judge an ISMS the
//! same way.

use std::path::Path;

use crate::checks::{self, Context};
use crate::diagnostics::finding::{sort_findings, Finding, Severity};
use crate::load::{self, FatalError, LoadOptions, LoadState};
use crate::model::ids::Date;
use crate::model::Isms;
use crate::report::Summary;

/// The outcome of loading and checking.
pub struct Checked {
    pub isms: Isms,
    pub findings: Vec<Finding>,
    pub summary: Summary,
}

impl Checked {
    /// Whether some input could not be used (a finding of severity `error`):
    /// nothing is published until it is fixed.
    pub fn has_input_errors(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Error)
    }
}

/// Loads and checks the ISMS at `root`; `Err` when it cannot be used at all
/// (no `isms.toml`, not a git repository: exit 2).
pub fn run_checks(root: &Path, as_of: Date, opts: &LoadOptions) -> Result<Checked, FatalError> {
    run_checks_with(root, as_of, opts, &mut LoadState::default())
}

/// As [`run_checks`], reusing and updating what `state` keeps between loads.
pub fn run_checks_with(
    root: &Path,
    as_of: Date,
    opts: &LoadOptions,
    state: &mut LoadState,
) -> Result<Checked, FatalError> {
    let loaded = load::load_with(root, opts, state)?;
    let mut findings = loaded.findings;
    let isms = loaded.isms;
    findings.extend(crate::timing::step("checks", || {
        checks::run_all(&Context { isms: &isms, as_of })
    }));
    sort_findings(&mut findings);
    let summary = Summary::new(
        root.display().to_string(),
        isms.history.head.clone(),
        isms.history.dirty,
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

/// Loads and checks the ISMS at `root` as it is at the git revision `rev`,
/// read from git objects: the work tree, the index and HEAD are left alone.
/// The summary names the real root and the revision's commit.
pub fn run_checks_at(
    root: &Path,
    rev: &str,
    as_of: Date,
    history_cache: bool,
) -> Result<Checked, FatalError> {
    let snapshot = load::snapshot::at_revision(root, rev).map_err(FatalError::Revision)?;
    let opts = LoadOptions {
        history_cache,
        out_dir: None,
        history_at: Some(snapshot.at.clone()),
        // `isms diff` renders no site.
        skip_earlier_texts: true,
    };
    let mut checked = run_checks(snapshot.root(), as_of, &opts)?;
    // The copy is removed with `snapshot`: the model keeps the real root.
    checked.isms.root = root.to_path_buf();
    checked.summary.root = root.display().to_string();
    Ok(checked)
}
