//! Records: the evidence that the ISMS operates. Front matter keys of each
//! known kind and the rows of its CSV data, as typed values.

use super::catalogue::ControlId;
use super::ids::{ClauseId, Date, Spanned};

/// A record's kind-independent part plus its typed details.
#[derive(Clone, Debug)]
pub struct Record {
    /// `record:` kind, e.g. `access-review`. Open list.
    pub kind: String,
    /// Day of the activity, or the period end of a log.
    pub date: Spanned<Date>,
    /// `data:` CSV path as written (relative to the document).
    pub data: Option<Spanned<String>>,
    pub details: RecordDetails,
    /// The CSV data, loaded and typed.
    pub table: Option<Table>,
}

#[derive(Clone, Debug)]
pub enum RecordDetails {
    InternalAudit(InternalAudit),
    ManagementReview(ManagementReview),
    AccessReview(AccessReview),
    Training { course: Option<String> },
    CertificationAudit(CertificationAudit),
    Other,
}

#[derive(Clone, Debug, Default)]
pub struct InternalAudit {
    pub auditor: Option<Spanned<String>>,
    pub scope_clauses: Vec<ClauseId>,
    pub scope_controls: Vec<ControlId>,
    pub findings: Vec<AuditFinding>,
    pub findings_line: Option<u32>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum AuditSeverity {
    Major,
    Minor,
    Observation,
}

impl AuditSeverity {
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim() {
            "major" => Some(Self::Major),
            "minor" => Some(Self::Minor),
            "observation" => Some(Self::Observation),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Major => "major",
            Self::Minor => "minor",
            Self::Observation => "observation",
        }
    }
}

/// One finding raised by an internal audit.
#[derive(Clone, Debug)]
pub struct AuditFinding {
    pub id: String,
    pub severity: AuditSeverity,
    pub reference: Option<String>,
    pub summary: Option<String>,
    pub action: Option<String>,
    pub due: Option<Date>,
    pub closed_on: Option<Date>,
    /// The corrective action that answers the finding (contract 5.2).
    pub action_id: Option<Spanned<String>>,
    pub line: u32,
}

/// One entry of a management review's or a risk-treatment plan's
/// `actions:` list. v1's plain strings are entries with only `action`.
#[derive(Clone, Debug, Default)]
pub struct ActionEntry {
    pub id: Option<String>,
    /// The risk a treatment-plan action treats.
    pub risk: Option<String>,
    pub action: Option<String>,
    pub owner: Option<String>,
    pub due: Option<Date>,
    pub closed_on: Option<Date>,
    pub line: u32,
}

/// A certification body's audit (`record: certification-audit`).
#[derive(Clone, Debug, Default)]
pub struct CertificationAudit {
    pub stage: Option<CertStage>,
    /// The certification body.
    pub body: Option<String>,
    pub findings: Vec<CertFinding>,
}

/// Which audit of the certification cycle a record reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CertStage {
    Stage1,
    Stage2,
    Surveillance,
    Recertification,
}

impl CertStage {
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim() {
            "stage1" => Some(Self::Stage1),
            "stage2" => Some(Self::Stage2),
            "surveillance" => Some(Self::Surveillance),
            "recertification" => Some(Self::Recertification),
            _ => None,
        }
    }

    /// As a label: "Stage 1", "Surveillance".
    pub fn label(self) -> &'static str {
        match self {
            Self::Stage1 => "Stage 1",
            Self::Stage2 => "Stage 2",
            Self::Surveillance => "Surveillance",
            Self::Recertification => "Recertification",
        }
    }
}

/// How a certification body grades a finding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Grade {
    Major,
    Minor,
    Concern,
    Observation,
    Ofi,
}

impl Grade {
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim() {
            "major" => Some(Self::Major),
            "minor" => Some(Self::Minor),
            "concern" => Some(Self::Concern),
            "observation" => Some(Self::Observation),
            "ofi" => Some(Self::Ofi),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Major => "major",
            Self::Minor => "minor",
            Self::Concern => "concern",
            Self::Observation => "observation",
            Self::Ofi => "ofi",
        }
    }

    /// In words, for pages and messages.
    pub fn label(self) -> &'static str {
        match self {
            Self::Major => "major nonconformity",
            Self::Minor => "minor nonconformity",
            Self::Concern => "area of concern",
            Self::Observation => "observation",
            Self::Ofi => "opportunity for improvement",
        }
    }

    /// Major and minor nonconformities need a corrective action.
    pub fn is_nonconformity(self) -> bool {
        matches!(self, Self::Major | Self::Minor)
    }
}

/// One finding of a certification-body audit.
#[derive(Clone, Debug)]
pub struct CertFinding {
    pub id: String,
    pub grade: Grade,
    pub summary: Option<String>,
    pub clause: Option<String>,
    pub control: Option<String>,
    pub action_id: Option<Spanned<String>>,
    /// `due` as written; a minor's default is applied by [`CertFinding::due`].
    pub due: Option<Date>,
    pub closed_on: Option<Date>,
    pub line: u32,
}

impl CertFinding {
    /// When it must be closed: `due`, else for a minor the audit's last day
    /// plus the body's window (`minor_nc_days`).
    pub fn due(&self, audit_date: Date, minor_nc_days: u32) -> Option<Date> {
        self.due.or_else(|| {
            (self.grade == Grade::Minor)
                .then(|| audit_date + chrono::Days::new(u64::from(minor_nc_days)))
        })
    }
}

/// The 9.3.2 inputs a management review must consider, a-g.
pub static REVIEW_INPUTS: [(&str, &str); 7] = [
    (
        "previous-actions",
        "status of actions from previous reviews",
    ),
    ("issue-changes", "changes in external and internal issues"),
    (
        "interested-party-changes",
        "changes in needs and expectations of interested parties",
    ),
    ("performance", "information security performance"),
    (
        "interested-party-feedback",
        "feedback from interested parties",
    ),
    (
        "risk",
        "risk assessment results and risk treatment plan status",
    ),
    ("improvement", "opportunities for continual improvement"),
];

#[derive(Clone, Debug, Default)]
pub struct ManagementReview {
    pub attendees: Vec<String>,
    pub attendees_line: Option<u32>,
    /// Input keys with their notes, if the mapping form was used.
    pub inputs: Vec<(String, Option<String>)>,
    pub inputs_line: Option<u32>,
    pub actions: Vec<ActionEntry>,
}

#[derive(Clone, Debug, Default)]
pub struct AccessReview {
    pub systems: Vec<String>,
    pub reviewer: Option<String>,
}

/// A CSV file read for a record, with each row's line.
#[derive(Clone, Debug, Default)]
pub struct Table {
    /// Path relative to the ISMS root.
    pub path: String,
    pub header: Vec<String>,
    pub rows: Vec<Row>,
    pub typed: TypedRows,
}

#[derive(Clone, Debug)]
pub struct Row {
    pub line: u32,
    pub cells: Vec<String>,
}

/// CSV rows of the kinds whose columns the contract fixes.
#[derive(Clone, Debug, Default)]
pub enum TypedRows {
    #[default]
    Untyped,
    Training(Vec<TrainingRow>),
    Incidents(Vec<IncidentRow>),
    Suppliers(Vec<SupplierRow>),
    Risks(Vec<RiskRow>),
    CorrectiveActions(Vec<CorrectiveActionRow>),
    Leavers(Vec<LeaverRow>),
    Acknowledgements(Vec<AcknowledgementRow>),
    SupplierInventory(Vec<InventoryRow>),
}

#[derive(Clone, Debug)]
pub struct TrainingRow {
    pub person: String,
    pub completed_on: Option<Date>,
    /// Optional column: after this day the completion no longer counts.
    pub expires_on: Option<Date>,
    pub line: u32,
}

/// A `leavers` row: when a person left and when their access was removed.
#[derive(Clone, Debug)]
pub struct LeaverRow {
    pub person: String,
    pub left_on: Option<Date>,
    pub access_removed_on: Option<Date>,
    pub systems: String,
    pub line: u32,
}

/// An `acknowledgements` row: a person confirmed reading a version of a
/// document on a day.
#[derive(Clone, Debug)]
pub struct AcknowledgementRow {
    pub person: String,
    /// The document's id as written.
    pub document: String,
    pub version: String,
    pub acknowledged_on: Option<Date>,
    pub line: u32,
}

/// A `supplier-inventory` row: a supplier the organisation actually pays or
/// uses; out of scope only with a reason (required, checked at load).
#[derive(Clone, Debug)]
pub struct InventoryRow {
    pub supplier: String,
    pub service: String,
    pub in_scope: bool,
    pub reason: String,
    pub line: u32,
}

#[derive(Clone, Debug)]
pub struct IncidentRow {
    pub id: String,
    pub reported_on: Date,
    pub summary: String,
    pub severity: String,
    pub status: String,
    pub closed_on: Option<Date>,
    pub line: u32,
}

#[derive(Clone, Debug)]
pub struct SupplierRow {
    pub supplier: String,
    pub service: String,
    pub criticality: String,
    pub last_assessed: Option<Date>,
    pub security_clauses: String,
    pub line: u32,
}

#[derive(Clone, Debug)]
pub struct RiskRow {
    pub id: String,
    pub risk: String,
    pub owner: String,
    pub likelihood: String,
    pub impact: String,
    pub treatment: String,
    pub residual: String,
    pub accepted_by: String,
    pub accepted_on: Option<Date>,
    pub reviewed_on: Option<Date>,
    pub line: u32,
}

#[derive(Clone, Debug)]
pub struct CorrectiveActionRow {
    pub id: String,
    pub source: String,
    pub summary: String,
    pub owner: String,
    pub due: Option<Date>,
    pub closed_on: Option<Date>,
    /// Optional v2 columns: the finding answered, the evidence of the fix
    /// and when its effectiveness was reviewed (10.2 d).
    pub finding: String,
    pub evidence: String,
    pub effectiveness_reviewed_on: Option<Date>,
    pub line: u32,
}

/// The columns the contract fixes for a record kind's CSV, if any.
pub fn expected_columns(kind: &str) -> Option<&'static [&'static str]> {
    Some(match kind {
        "training" => &["person", "completed_on"],
        "incident-log" => &[
            "id",
            "reported_on",
            "summary",
            "severity",
            "status",
            "closed_on",
        ],
        "supplier-register" => &[
            "supplier",
            "service",
            "criticality",
            "last_assessed",
            "security_clauses",
        ],
        "risk-register" => &[
            "id",
            "risk",
            "owner",
            "likelihood",
            "impact",
            "treatment",
            "residual",
            "accepted_by",
            "accepted_on",
            "reviewed_on",
        ],
        "corrective-actions" => &["id", "source", "summary", "owner", "due", "closed_on"],
        "leavers" => &["person", "left_on", "access_removed_on", "systems"],
        "acknowledgements" => &["person", "document", "version", "acknowledged_on"],
        "supplier-inventory" => &["supplier", "service", "in_scope"],
        _ => return None,
    })
}
