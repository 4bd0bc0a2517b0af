//! Actions: things someone must do by a date (contract 5.2). They come from
//! five places (the corrective-actions log, management reviews, risk-
//! treatment plans, internal-audit and certification-audit findings); the
//! loader gathers them once into one typed list so the rules, the actions
//! page and its export judge the same thing.

use super::document::{DocType, Document};
use super::ids::Date;
use super::record::{Grade, RecordDetails, TypedRows};

/// Where an action was written down.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Source {
    CorrectiveActions,
    ManagementReview,
    TreatmentPlan,
    InternalAudit,
    CertificationAudit,
}

impl Source {
    pub const ALL: [Source; 5] = [
        Source::CorrectiveActions,
        Source::ManagementReview,
        Source::TreatmentPlan,
        Source::InternalAudit,
        Source::CertificationAudit,
    ];

    /// Stable key, for exports and ids.
    pub fn key(self) -> &'static str {
        match self {
            Source::CorrectiveActions => "corrective-actions",
            Source::ManagementReview => "management-review",
            Source::TreatmentPlan => "risk-treatment-plan",
            Source::InternalAudit => "internal-audit",
            Source::CertificationAudit => "certification-audit",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Source::CorrectiveActions => "Corrective actions log",
            Source::ManagementReview => "Management review",
            Source::TreatmentPlan => "Risk treatment plan",
            Source::InternalAudit => "Internal audit finding",
            Source::CertificationAudit => "Certification audit finding",
        }
    }

    /// Sources whose actions must carry an owner and a due date (RD017) and
    /// are judged overdue by RD016; findings have their own rules (RD012,
    /// CB001-CB004).
    pub fn is_planned(self) -> bool {
        matches!(
            self,
            Source::CorrectiveActions | Source::ManagementReview | Source::TreatmentPlan
        )
    }
}

/// Where an action stands on the as-of date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum State {
    Overdue,
    Open,
    /// A corrective action closed without `effectiveness_reviewed_on`.
    ClosedUnreviewed,
    Closed,
}

impl State {
    pub fn key(self) -> &'static str {
        match self {
            State::Overdue => "overdue",
            State::Open => "open",
            State::ClosedUnreviewed => "closed-unreviewed",
            State::Closed => "closed",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            State::Overdue => "Overdue",
            State::Open => "Open",
            State::ClosedUnreviewed => "Closed, effectiveness not reviewed",
            State::Closed => "Closed",
        }
    }
}

/// One action, with the file and line it was written on.
#[derive(Clone, Debug)]
pub struct Action {
    pub source: Source,
    /// The action's id; a finding's id for actions from findings.
    pub id: Option<String>,
    /// What is to be done.
    pub summary: String,
    pub owner: Option<String>,
    pub due: Option<Date>,
    pub closed_on: Option<Date>,
    /// The finding it answers (corrective-actions `finding`).
    pub finding: Option<String>,
    /// The risk it treats (risk-treatment plans).
    pub risk: Option<String>,
    pub evidence: Option<String>,
    pub effectiveness_reviewed_on: Option<Date>,
    /// The id of the document or record it was written in.
    pub document: String,
    /// The file (relative to the ISMS root) and line: a CSV row, or the
    /// front-matter entry.
    pub path: String,
    pub line: u32,
    /// The date of the record it came from, if any.
    pub raised_on: Option<Date>,
}

impl Action {
    /// Open until `closed_on`; overdue when open and due before `as_of`
    /// (an action due on the as-of date is not overdue).
    pub fn state(&self, as_of: Date) -> State {
        match self.closed_on {
            Some(_)
                if self.source == Source::CorrectiveActions
                    && self.effectiveness_reviewed_on.is_none() =>
            {
                State::ClosedUnreviewed
            }
            Some(_) => State::Closed,
            None if self.due.is_some_and(|d| d < as_of) => State::Overdue,
            None => State::Open,
        }
    }

    pub fn is_open(&self) -> bool {
        self.closed_on.is_none()
    }

    /// A name for messages: the id, else the summary's first words.
    pub fn name(&self) -> String {
        match &self.id {
            Some(id) => format!("`{id}`"),
            None => {
                let words: Vec<&str> = self.summary.split_whitespace().take(8).collect();
                let short = words.join(" ");
                if short.len() < self.summary.trim().len() {
                    format!("\"{short}...\"")
                } else {
                    format!("\"{short}\"")
                }
            }
        }
    }
}

fn non_empty(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

/// Every action of the ISMS, in document order then line order.
/// `minor_nc_days` gives a certification body's minor its default due date.
pub fn collect(documents: &[std::sync::Arc<Document>], minor_nc_days: u32) -> Vec<Action> {
    let mut out = Vec::new();
    for doc in documents {
        let base = |source, line| Action {
            source,
            id: None,
            summary: String::new(),
            owner: None,
            due: None,
            closed_on: None,
            finding: None,
            risk: None,
            evidence: None,
            effectiveness_reviewed_on: None,
            document: doc.id.as_str().to_string(),
            path: doc.path.clone(),
            line,
            raised_on: doc.record.as_ref().map(|r| r.date.value),
        };
        if doc.doc_type == DocType::RiskTreatmentPlan && !doc.is_record() {
            for e in &doc.actions {
                out.push(Action {
                    id: e.id.clone(),
                    summary: e.action.clone().unwrap_or_default(),
                    owner: e.owner.clone(),
                    due: e.due,
                    closed_on: e.closed_on,
                    risk: e.risk.clone(),
                    ..base(Source::TreatmentPlan, e.line)
                });
            }
        }
        let Some(rec) = doc.record.as_ref().filter(|_| doc.is_record()) else {
            continue;
        };
        match &rec.details {
            RecordDetails::ManagementReview(review) => {
                for e in &review.actions {
                    out.push(Action {
                        id: e.id.clone(),
                        summary: e.action.clone().unwrap_or_default(),
                        owner: e.owner.clone(),
                        due: e.due,
                        closed_on: e.closed_on,
                        ..base(Source::ManagementReview, e.line)
                    });
                }
            }
            // A finding that names its corrective action (`action_id`) is
            // answered by that action; one that describes its own action is
            // an action itself (an observation's only when it has a date:
            // observations need no action, RD012).
            RecordDetails::InternalAudit(audit) => {
                for f in &audit.findings {
                    let Some(action) = f.action.as_deref().and_then(non_empty) else {
                        continue;
                    };
                    let observation = f.severity == super::record::AuditSeverity::Observation;
                    if f.action_id.is_some() || (observation && f.due.is_none()) {
                        continue;
                    }
                    out.push(Action {
                        id: non_empty(&f.id),
                        summary: action,
                        due: f.due,
                        closed_on: f.closed_on,
                        finding: non_empty(&f.id),
                        ..base(Source::InternalAudit, f.line)
                    });
                }
            }
            RecordDetails::CertificationAudit(audit) => {
                for f in &audit.findings {
                    let needs_action = f.grade.is_nonconformity() || f.grade == Grade::Concern;
                    if !needs_action || f.action_id.is_some() {
                        continue;
                    }
                    out.push(Action {
                        id: non_empty(&f.id),
                        summary: f
                            .summary
                            .clone()
                            .unwrap_or_else(|| f.grade.label().to_string()),
                        due: f.due(rec.date.value, minor_nc_days),
                        closed_on: f.closed_on,
                        finding: non_empty(&f.id),
                        ..base(Source::CertificationAudit, f.line)
                    });
                }
            }
            _ => {}
        }
        if let Some(table) = &rec.table {
            if let TypedRows::CorrectiveActions(rows) = &table.typed {
                for row in rows {
                    out.push(Action {
                        id: non_empty(&row.id),
                        summary: row.summary.trim().to_string(),
                        owner: non_empty(&row.owner),
                        due: row.due,
                        closed_on: row.closed_on,
                        finding: non_empty(&row.finding),
                        evidence: non_empty(&row.evidence),
                        effectiveness_reviewed_on: row.effectiveness_reviewed_on,
                        path: table.path.clone(),
                        ..base(Source::CorrectiveActions, row.line)
                    });
                }
            }
        }
    }
    out
}
