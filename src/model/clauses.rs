//! Clauses 4-10 of ISO/IEC 27001:2022 (numbers and titles only) and the
//! documented information each one requires, in the project's own words.

use super::ids::ClauseId;

/// Clause numbers and titles, in document order.
pub static CLAUSES: &[(&str, &str)] = &[
    ("4", "Context of the organization"),
    ("4.1", "Understanding the organization and its context"),
    (
        "4.2",
        "Understanding the needs and expectations of interested parties",
    ),
    (
        "4.3",
        "Determining the scope of the information security management system",
    ),
    ("4.4", "Information security management system"),
    ("5", "Leadership"),
    ("5.1", "Leadership and commitment"),
    ("5.2", "Policy"),
    (
        "5.3",
        "Organizational roles, responsibilities and authorities",
    ),
    ("6", "Planning"),
    ("6.1", "Actions to address risks and opportunities"),
    ("6.1.1", "General"),
    ("6.1.2", "Information security risk assessment"),
    ("6.1.3", "Information security risk treatment"),
    (
        "6.2",
        "Information security objectives and planning to achieve them",
    ),
    ("6.3", "Planning of changes"),
    ("7", "Support"),
    ("7.1", "Resources"),
    ("7.2", "Competence"),
    ("7.3", "Awareness"),
    ("7.4", "Communication"),
    ("7.5", "Documented information"),
    ("7.5.1", "General"),
    ("7.5.2", "Creating and updating"),
    ("7.5.3", "Control of documented information"),
    ("8", "Operation"),
    ("8.1", "Operational planning and control"),
    ("8.2", "Information security risk assessment"),
    ("8.3", "Information security risk treatment"),
    ("9", "Performance evaluation"),
    ("9.1", "Monitoring, measurement, analysis and evaluation"),
    ("9.2", "Internal audit"),
    ("9.2.1", "General"),
    ("9.2.2", "Internal audit programme"),
    ("9.3", "Management review"),
    ("9.3.1", "General"),
    ("9.3.2", "Management review inputs"),
    ("9.3.3", "Management review results"),
    ("10", "Improvement"),
    ("10.1", "Continual improvement"),
    ("10.2", "Nonconformity and corrective action"),
];

/// The title of a clause, if it exists.
pub fn title(id: &ClauseId) -> Option<&'static str> {
    let text = id.to_string();
    CLAUSES.iter().find(|(n, _)| *n == text).map(|(_, t)| *t)
}

/// A clause whose documented information an auditor expects to see.
pub struct Requirement {
    pub clause: &'static str,
    /// What must exist, paraphrased.
    pub what: &'static str,
    /// The rule that reports it when missing.
    pub rule: &'static str,
}

/// Mandatory documented information of clauses 4-10 (the SoA, 6.1.3 d, has
/// rules of its own).
pub static REQUIRED: &[Requirement] = &[
    Requirement {
        clause: "4.3",
        what: "Scope of the ISMS",
        rule: "ST001",
    },
    Requirement {
        clause: "5.2",
        what: "Information security policy",
        rule: "ST002",
    },
    Requirement {
        clause: "6.1.2",
        what: "Risk assessment process",
        rule: "ST003",
    },
    Requirement {
        clause: "6.1.3",
        what: "Risk treatment process and plan",
        rule: "ST003",
    },
    Requirement {
        clause: "6.2",
        what: "Information security objectives",
        rule: "ST004",
    },
    Requirement {
        clause: "7.2",
        what: "Evidence of competence (training records)",
        rule: "ST005",
    },
    Requirement {
        clause: "8.1",
        what: "Evidence that processes ran as planned",
        rule: "ST005",
    },
    Requirement {
        clause: "8.2",
        what: "Results of risk assessments",
        rule: "ST003",
    },
    Requirement {
        clause: "8.3",
        what: "Results of risk treatment",
        rule: "ST003",
    },
    Requirement {
        clause: "9.1",
        what: "Monitoring and measurement results",
        rule: "ST005",
    },
    Requirement {
        clause: "9.2",
        what: "Internal audit programme and results",
        rule: "RD001",
    },
    Requirement {
        clause: "9.3",
        what: "Results of management reviews",
        rule: "RD004",
    },
    Requirement {
        clause: "10.2",
        what: "Nonconformities and corrective actions",
        rule: "ST005",
    },
];

impl Requirement {
    pub fn clause_id(&self) -> ClauseId {
        let parts: Vec<u8> = self
            .clause
            .split('.')
            .filter_map(|p| p.parse().ok())
            .collect();
        ClauseId::from_parts(&parts)
    }
}
