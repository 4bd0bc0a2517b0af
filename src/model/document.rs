//! A controlled document, parsed once from its front matter into typed values.
//! Every value that a rule may point at keeps its line (`Spanned`).

use std::collections::BTreeMap;

use serde::Serialize;

use super::catalogue::ControlId;
use super::ids::{ClauseId, Date, DocId, Interval, Spanned};
use super::record::Record;

/// The kind of document (`type:` in front matter).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DocType {
    Scope,
    Policy,
    Procedure,
    Standard,
    Plan,
    Soa,
    RiskAssessment,
    RiskTreatmentPlan,
    Objectives,
    Record,
    Register,
    Guideline,
    /// What staff should know before a certification audit (contract 5.6):
    /// replaces the staff site's default audit briefing.
    Briefing,
}

impl DocType {
    pub const ALL: [DocType; 13] = [
        DocType::Scope,
        DocType::Policy,
        DocType::Procedure,
        DocType::Standard,
        DocType::Plan,
        DocType::Soa,
        DocType::RiskAssessment,
        DocType::RiskTreatmentPlan,
        DocType::Objectives,
        DocType::Record,
        DocType::Register,
        DocType::Guideline,
        DocType::Briefing,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DocType::Scope => "scope",
            DocType::Policy => "policy",
            DocType::Procedure => "procedure",
            DocType::Standard => "standard",
            DocType::Plan => "plan",
            DocType::Soa => "soa",
            DocType::RiskAssessment => "risk-assessment",
            DocType::RiskTreatmentPlan => "risk-treatment-plan",
            DocType::Objectives => "objectives",
            DocType::Record => "record",
            DocType::Register => "register",
            DocType::Guideline => "guideline",
            DocType::Briefing => "briefing",
        }
    }

    pub fn parse(text: &str) -> Option<DocType> {
        DocType::ALL.into_iter().find(|t| t.as_str() == text.trim())
    }

    /// A plural heading for listings ("Policies").
    pub fn plural(self) -> &'static str {
        match self {
            DocType::Scope => "Scope",
            DocType::Policy => "Policies",
            DocType::Procedure => "Procedures",
            DocType::Standard => "Standards",
            DocType::Plan => "Plans",
            DocType::Soa => "Statement of Applicability",
            DocType::RiskAssessment => "Risk assessment",
            DocType::RiskTreatmentPlan => "Risk treatment",
            DocType::Objectives => "Objectives",
            DocType::Record => "Records",
            DocType::Register => "Registers",
            DocType::Guideline => "Guidelines",
            DocType::Briefing => "Audit briefings",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Draft,
    Approved,
    Retired,
}

impl Status {
    pub fn parse(text: &str) -> Option<Status> {
        match text.trim() {
            "draft" => Some(Status::Draft),
            "approved" => Some(Status::Approved),
            "retired" => Some(Status::Retired),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Approved => "approved",
            Status::Retired => "retired",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Classification {
    Public,
    Internal,
    Confidential,
    Restricted,
}

impl Classification {
    pub fn parse(text: &str) -> Option<Classification> {
        match text.trim() {
            "public" => Some(Classification::Public),
            "internal" => Some(Classification::Internal),
            "confidential" => Some(Classification::Confidential),
            "restricted" => Some(Classification::Restricted),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Classification::Public => "public",
            Classification::Internal => "internal",
            Classification::Confidential => "confidential",
            Classification::Restricted => "restricted",
        }
    }
}

/// Who a document is for. `None` fields mean "not written", so that the
/// default can depend on the site's `staff_classifications`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Audience {
    pub staff: bool,
    pub auditor: bool,
}

/// An activity a document promises to carry out at an interval.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recurring {
    /// The record kind that evidences it (`access-review`).
    pub record: String,
    pub every: Interval,
    pub line: u32,
}

/// One Statement of Applicability entry.
#[derive(Clone, Debug)]
pub struct SoaEntry {
    pub control: ControlId,
    pub applicable: bool,
    pub status: Option<ImplementationStatus>,
    pub justification: Option<String>,
    pub line: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ImplementationStatus {
    Implemented,
    Partial,
    Planned,
    NotImplemented,
}

impl ImplementationStatus {
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim() {
            "implemented" => Some(Self::Implemented),
            "partial" => Some(Self::Partial),
            "planned" => Some(Self::Planned),
            "not-implemented" => Some(Self::NotImplemented),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Implemented => "implemented",
            Self::Partial => "partial",
            Self::Planned => "planned",
            Self::NotImplemented => "not-implemented",
        }
    }
}

/// The SoA's `applicability:` list.
#[derive(Clone, Debug, Default)]
pub struct Soa {
    /// Line of the `applicability:` key (SOA002 points here).
    pub line: u32,
    pub entries: Vec<SoaEntry>,
}

/// One objective of an `objectives` document.
#[derive(Clone, Debug, Default)]
pub struct Objective {
    pub objective: Option<String>,
    pub owner: Option<String>,
    pub measure: Option<String>,
    pub target: Option<String>,
    pub due: Option<Date>,
    pub line: u32,
}

/// A controlled document: a `*.md` file with front matter.
#[derive(Clone, Debug)]
pub struct Document {
    /// Path relative to the ISMS root, `/`-separated.
    pub path: String,
    pub id: Spanned<DocId>,
    pub title: String,
    pub doc_type: DocType,
    /// `None` only for records, where it is optional.
    pub version: Option<String>,
    pub status: Option<Status>,
    pub owner: Spanned<String>,
    pub classification: Classification,
    pub approved_by: Option<Spanned<String>>,
    pub approved_on: Option<Spanned<Date>>,
    pub approved_digest: Option<Spanned<String>>,
    pub next_review: Option<Spanned<Date>>,
    pub controls: Vec<Spanned<ControlId>>,
    /// Line of the `controls:` key, for findings about the list as a whole.
    pub controls_line: Option<u32>,
    pub clauses: Vec<Spanned<ClauseId>>,
    pub audience: Audience,
    /// Whether `audience` was written (else the default applies).
    pub audience_written: bool,
    pub summary: Option<String>,
    pub recurring: Vec<Recurring>,
    /// `acknowledge: true`: staff must confirm they read this version
    /// (RD026 points at the key's line).
    pub acknowledge: Option<Spanned<bool>>,
    pub record: Option<Record>,
    pub soa: Option<Soa>,
    pub objectives: Option<Spanned<Vec<Objective>>>,
    /// A risk-treatment plan's `actions:` (contract 5.2).
    pub actions: Vec<crate::model::record::ActionEntry>,
    /// Front matter keys outside the contract, for templates.
    pub extra: BTreeMap<String, serde_json::Value>,
    /// Line of each top-level front matter key.
    pub key_lines: BTreeMap<String, u32>,
    /// Markdown body (after the closing `---`).
    pub body: String,
    /// Line of the file where the body starts.
    pub body_line: u32,
    /// `sha256:<hex>` of the normalised body (see `approved_digest`).
    pub body_digest: String,
    /// The SHA-256 (hex) of the whole file as the load stage read it, as in
    /// the model's `sources`; empty where no file was read. Part of the key
    /// of every page made from the file, found here without a search.
    pub source_digest: String,
    /// The body's links and heading anchors, parsed on first use (the load
    /// stage does it while reading, on all cores) and then kept.
    pub outline: std::sync::OnceLock<crate::model::body::Outline>,
    /// The body's lines that promise a recurring activity in words (RD021),
    /// scanned on first use (the load stage does it while reading, for the
    /// documents RD021 judges) and then kept.
    pub promises: std::sync::OnceLock<Vec<crate::model::promises::PromiseLine>>,
}

impl Document {
    /// The body's links and heading anchors.
    pub fn outline(&self) -> &crate::model::body::Outline {
        self.outline
            .get_or_init(|| crate::model::body::outline(&self.body, self.body_line, &self.path))
    }

    /// The body's lines that promise a recurring activity in words.
    pub fn promises(&self) -> &[crate::model::promises::PromiseLine] {
        self.promises
            .get_or_init(|| crate::model::promises::body_promises(&self.body, self.body_line))
    }

    /// Whether staff must confirm they read this version (`acknowledge: true`).
    pub fn needs_acknowledgement(&self) -> bool {
        self.acknowledge.as_ref().is_some_and(|a| a.value)
    }

    pub fn is_approved(&self) -> bool {
        self.status == Some(Status::Approved)
    }

    /// Records, and registers that carry a `record:` kind, are evidence.
    pub fn is_record(&self) -> bool {
        self.doc_type == DocType::Record || self.record.is_some()
    }

    /// The line of a top-level key, or the first line of the front matter.
    pub fn line_of(&self, key: &str) -> u32 {
        self.key_lines.get(key).copied().unwrap_or(1)
    }

    /// Whether this document lists `clause` (or a sub-clause of it) or its
    /// type/record kind implies it (contract: "Clause coverage").
    pub fn meets_clause(&self, clause: &ClauseId) -> bool {
        if self.doc_type == DocType::Soa {
            return false;
        }
        if self.clauses.iter().any(|c| c.meets(clause)) {
            return true;
        }
        // Compared as parts: this runs for every document and clause on
        // each check and page, so nothing is parsed or allocated here.
        implied_clauses(self)
            .any(|c| implied_parts(c).is_some_and(|p| p.starts_with(clause.parts())))
    }
}

/// The parts of a clause [`implied_clauses`] returns (`"6.1.2"` is
/// `[6, 1, 2]`), as [`ClauseId::parts`] gives them.
fn implied_parts(clause: &str) -> Option<&'static [u8]> {
    Some(match clause {
        "4.3" => &[4, 3],
        "6.1.2" => &[6, 1, 2],
        "6.1.3" => &[6, 1, 3],
        "6.2" => &[6, 2],
        "7.2" => &[7, 2],
        "8.1" => &[8, 1],
        "8.2" => &[8, 2],
        "8.3" => &[8, 3],
        "9.2" => &[9, 2],
        "9.3" => &[9, 3],
        "10.2" => &[10, 2],
        _ => return None,
    })
}

/// Clauses a document meets by its type or record kind alone.
pub fn implied_clauses(doc: &Document) -> impl Iterator<Item = &'static str> {
    let by_type = match doc.doc_type {
        DocType::Scope => Some("4.3"),
        DocType::RiskAssessment => Some("6.1.2"),
        DocType::RiskTreatmentPlan => Some("6.1.3"),
        DocType::Objectives => Some("6.2"),
        _ => None,
    };
    // Any record meets 8.1; some kinds meet more.
    let by_record: &'static [&'static str] = match doc.record.as_ref().map(|r| r.kind.as_str()) {
        None => &[],
        Some("training") => &["8.1", "7.2"],
        Some("risk-register") => &["8.1", "8.2", "8.3"],
        Some("internal-audit") => &["8.1", "9.2"],
        Some("management-review") => &["8.1", "9.3"],
        Some("corrective-actions") => &["8.1", "10.2"],
        Some(_) => &["8.1"],
    };
    by_type.into_iter().chain(by_record.iter().copied())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testing::{doc, record};

    #[test]
    fn every_implied_clause_has_the_parts_its_parse_gives() {
        let mut docs: Vec<Document> = DocType::ALL.iter().map(|t| doc("D", *t)).collect();
        for kind in [
            "training",
            "risk-register",
            "internal-audit",
            "management-review",
            "corrective-actions",
            "penetration-test",
        ] {
            docs.push(record("R", kind));
        }
        for d in &docs {
            for clause in implied_clauses(d) {
                let parsed = ClauseId::parse(clause).expect("a clause id");
                assert_eq!(implied_parts(clause), Some(parsed.parts()), "{clause}");
                assert!(d.meets_clause(&parsed), "{clause}");
            }
        }
        let risk = record("R", "risk-register");
        let meets = |c: &str| risk.meets_clause(&ClauseId::parse(c).expect("clause"));
        assert!(meets("8") && meets("8.2") && meets("8.3") && meets("8.1"));
        assert!(!meets("6.1.2") && !meets("9"));
    }
}
