//! Findings: what a check reports, with where it points and how to fix it.

use std::fmt;

use serde::Serialize;

use crate::diagnostics::rules::Rule;
use crate::model::catalogue::ControlId;

/// Severities, highest first. `Error` means the input cannot be used.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Major,
    Minor,
    Observation,
}

impl Severity {
    pub const ALL: [Severity; 4] = [
        Severity::Error,
        Severity::Major,
        Severity::Minor,
        Severity::Observation,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Major => "major",
            Severity::Minor => "minor",
            Severity::Observation => "observation",
        }
    }

    pub fn parse(text: &str) -> Option<Severity> {
        Severity::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Whether `self` is at or above `threshold` (Error is the highest).
    pub fn at_least(self, threshold: Severity) -> bool {
        self <= threshold
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem found in the ISMS.
#[derive(Clone, Debug)]
pub struct Finding {
    pub rule: &'static Rule,
    pub severity: Severity,
    pub message: String,
    /// Path relative to the ISMS root, `/`-separated; `None` for something missing.
    pub path: Option<String>,
    pub line: Option<u32>,
    pub document: Option<String>,
    pub control: Option<ControlId>,
    /// The clause this finding is about, when more precise than the rule's.
    pub clause: Option<String>,
    pub hint: Option<String>,
}

/// A key for a list of findings: equal lists give equal keys. Pages and
/// exports built from the findings are reused while it holds.
pub fn findings_key(findings: &[Finding]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = crate::model::digest::key_hasher();
    findings.len().hash(&mut hasher);
    for f in findings {
        (
            f.rule.code,
            f.severity.as_str(),
            &f.message,
            &f.path,
            f.line,
            &f.document,
            f.control,
            &f.clause,
            &f.hint,
        )
            .hash(&mut hasher);
    }
    hasher.finish()
}

impl Finding {
    pub fn new(rule: &'static Rule, message: impl Into<String>) -> Finding {
        Finding {
            rule,
            severity: rule.severity,
            message: message.into(),
            path: None,
            line: None,
            document: None,
            control: None,
            clause: None,
            hint: None,
        }
    }

    pub fn at(mut self, path: impl Into<String>, line: u32) -> Self {
        self.path = Some(path.into());
        self.line = Some(line);
        self
    }

    pub fn in_file(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    pub fn document(mut self, id: impl fmt::Display) -> Self {
        self.document = Some(id.to_string());
        self
    }

    pub fn control(mut self, control: ControlId) -> Self {
        self.control = Some(control);
        self
    }

    pub fn clause(mut self, clause: impl Into<String>) -> Self {
        self.clause = Some(clause.into());
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    /// The clause reported: the finding's own, else the rule's.
    pub fn effective_clause(&self) -> Option<&str> {
        self.clause
            .as_deref()
            .or((!self.rule.clause.is_empty()).then_some(self.rule.clause))
    }

    /// Contract order: path, line, rule, then control in catalogue order;
    /// absent values first.
    pub fn sort_key(&self) -> (Option<&str>, Option<u32>, &str, Option<usize>, &str) {
        (
            self.path.as_deref(),
            self.line,
            self.rule.code,
            self.control.map(ControlId::index),
            &self.message,
        )
    }
}

/// Sorts findings in the contract's order (a stable sort, on every core:
/// a large ISMS has tens of thousands of findings on each rebuild).
pub fn sort_findings(findings: &mut [Finding]) {
    use rayon::slice::ParallelSliceMut;
    findings.par_sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
}

/// Findings counted per severity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub error: usize,
    pub major: usize,
    pub minor: usize,
    pub observation: usize,
}

impl Counts {
    pub fn of(findings: &[Finding]) -> Counts {
        let mut c = Counts::default();
        for f in findings {
            match f.severity {
                Severity::Error => c.error += 1,
                Severity::Major => c.major += 1,
                Severity::Minor => c.minor += 1,
                Severity::Observation => c.observation += 1,
            }
        }
        c
    }
}
