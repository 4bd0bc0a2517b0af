//! Benchmark corpus generator for `isms`.
//!
//! Creates a new git repository whose root is a synthetic but plausible ISMS:
//! `isms.toml`, a people roster, the mandatory documents (scope, information
//! security policy, objectives, risk assessment and treatment, a Statement of
//! Applicability covering all 93 Annex A controls), tabular records, and as
//! many policies, procedures, standards, guidelines, plans and records as
//! asked for, followed by a long edit history.
//!
//! Why it is built this way:
//! - Standard library only, so it compiles with plain `rustc` and does not
//!   depend on the state of the main crate.
//! - Deterministic for a seed (own PRNG, fixed commit times, no map iteration
//!   order), so two benchmark runs on two machines measure the same input.
//! - History is streamed into `git fast-import`, which writes tens of
//!   thousands of commits in seconds; running `git commit` per change would
//!   take longer than the benchmark itself.
//!
//! Usage:
//!
//! ```text
//! cargo run --release --example gen_corpus -- --docs 1000 --commits 5000 --seed 1 --out /path/to/corpus
//! ```

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// 2024-01-01T09:00:00Z, the time of the first commit.
const START_TS: i64 = 1_704_099_600;
/// Documents added per import commit; a real migration lands in batches too.
const IMPORT_BATCH: usize = 1000;
/// One rename commit in this many history commits, on average.
const RENAME_ONE_IN: usize = 200;

/// The 93 Annex A controls of ISO/IEC 27001:2022, in catalogue order.
const CONTROLS: [&str; 93] = [
    "5.1", "5.2", "5.3", "5.4", "5.5", "5.6", "5.7", "5.8", "5.9", "5.10", "5.11", "5.12", "5.13",
    "5.14", "5.15", "5.16", "5.17", "5.18", "5.19", "5.20", "5.21", "5.22", "5.23", "5.24", "5.25",
    "5.26", "5.27", "5.28", "5.29", "5.30", "5.31", "5.32", "5.33", "5.34", "5.35", "5.36", "5.37",
    "6.1", "6.2", "6.3", "6.4", "6.5", "6.6", "6.7", "6.8", "7.1", "7.2", "7.3", "7.4", "7.5",
    "7.6", "7.7", "7.8", "7.9", "7.10", "7.11", "7.12", "7.13", "7.14", "8.1", "8.2", "8.3", "8.4",
    "8.5", "8.6", "8.7", "8.8", "8.9", "8.10", "8.11", "8.12", "8.13", "8.14", "8.15", "8.16",
    "8.17", "8.18", "8.19", "8.20", "8.21", "8.22", "8.23", "8.24", "8.25", "8.26", "8.27", "8.28",
    "8.29", "8.30", "8.31", "8.32", "8.33", "8.34",
];

/// Controls the synthetic organisation excludes, with its reasons.
const EXCLUDED: [(&str, &str); 3] = [
    (
        "7.4",
        "The only office is a serviced floor; the landlord monitors the building and we hold no equipment that needs our own surveillance.",
    ),
    (
        "7.12",
        "No server rooms or owned cabling: production runs with a cloud provider and the office network is managed by the landlord.",
    ),
    (
        "8.30",
        "All software is developed by employees; no development work is outsourced.",
    ),
];

/// A subject area; each generated document belongs to one.
struct Topic {
    name: &'static str,
    code: &'static str,
    owner: &'static str,
    controls: &'static [&'static str],
    clauses: &'static [&'static str],
    subjects: &'static [&'static str],
}

macro_rules! topic {
    ($name:expr, $code:expr, $owner:expr, [$($c:expr),*], [$($cl:expr),*], [$($s:expr),*]) => {
        Topic { name: $name, code: $code, owner: $owner, controls: &[$($c),*], clauses: &[$($cl),*], subjects: &[$($s),*] }
    };
}

const TOPICS: &[Topic] = &[
    topic!(
        "Access Control",
        "AC",
        "Head of IT",
        ["5.15", "5.18", "8.3"],
        [],
        [
            "Access Request and Approval",
            "Access Rights Review",
            "Leaver Access Removal",
            "Emergency Access"
        ]
    ),
    topic!(
        "Identity Management",
        "IAM",
        "Head of IT",
        ["5.16", "5.17"],
        [],
        [
            "Account Provisioning",
            "Shared Account Handling",
            "Identity Lifecycle"
        ]
    ),
    topic!(
        "Authentication",
        "AUTH",
        "Security Engineer",
        ["5.17", "8.5"],
        [],
        [
            "Multi-Factor Enrolment",
            "Password Reset",
            "Service Credential Rotation"
        ]
    ),
    topic!(
        "Privileged Access",
        "PAM",
        "Platform Lead",
        ["8.2", "8.18"],
        [],
        [
            "Privileged Access Request",
            "Break-Glass Account Use",
            "Administrator Session Review"
        ]
    ),
    topic!(
        "Acceptable Use",
        "AUP",
        "Head of People",
        ["5.10"],
        ["7.3"],
        [
            "Acceptable Use Acknowledgement",
            "Personal Device Registration"
        ]
    ),
    topic!(
        "Asset Management",
        "ASSET",
        "Head of IT",
        ["5.9", "5.11"],
        [],
        [
            "Asset Registration",
            "Asset Return",
            "Inventory Reconciliation"
        ]
    ),
    topic!(
        "Information Classification",
        "CLASS",
        "Data Protection Officer",
        ["5.12", "5.13"],
        [],
        [
            "Classifying New Information",
            "Labelling Documents and Data Sets"
        ]
    ),
    topic!(
        "Information Transfer",
        "XFER",
        "Data Protection Officer",
        ["5.14"],
        [],
        ["Secure File Transfer", "Sharing Data with Customers"]
    ),
    topic!(
        "Supplier Security",
        "SUP",
        "Finance Director",
        ["5.19", "5.20", "5.21", "5.22"],
        [],
        [
            "Supplier Onboarding Assessment",
            "Annual Supplier Review",
            "Supplier Offboarding"
        ]
    ),
    topic!(
        "Cloud Services",
        "CLOUD",
        "Platform Lead",
        ["5.23"],
        [],
        [
            "Cloud Service Approval",
            "Cloud Account Setup",
            "Cloud Exit"
        ]
    ),
    topic!(
        "Incident Management",
        "INC",
        "ISMS Lead",
        ["5.24", "5.25", "5.26", "5.27", "5.28"],
        ["10.2"],
        [
            "Incident Triage",
            "Incident Escalation",
            "Post-Incident Review",
            "Evidence Collection"
        ]
    ),
    topic!(
        "Business Continuity",
        "BC",
        "Chief Operating Officer",
        ["5.29", "5.30"],
        [],
        [
            "Continuity Plan Activation",
            "Continuity Exercise",
            "Crisis Communication"
        ]
    ),
    topic!(
        "Legal and Regulatory Compliance",
        "LEGAL",
        "Legal Counsel",
        ["5.31", "5.32", "5.33"],
        [],
        ["Legal Register Update", "Records Retention Review"]
    ),
    topic!(
        "Privacy",
        "PRIV",
        "Data Protection Officer",
        ["5.34"],
        [],
        [
            "Data Subject Requests",
            "Privacy Impact Assessment",
            "Personal Data Breach Notification"
        ]
    ),
    topic!(
        "Security Review",
        "REV",
        "ISMS Lead",
        ["5.35", "5.36"],
        ["9.1"],
        ["Compliance Self-Assessment", "Independent Review Planning"]
    ),
    topic!(
        "Operations",
        "OPS",
        "Platform Lead",
        ["5.37", "8.6"],
        [],
        [
            "Operational Runbook Maintenance",
            "Capacity Review",
            "On-Call Handover"
        ]
    ),
    topic!(
        "Human Resources Security",
        "HR",
        "Head of People",
        ["6.1", "6.2", "6.4", "6.5", "6.6"],
        [],
        [
            "Pre-Employment Screening",
            "Disciplinary Referral",
            "Leaver Process",
            "Confidentiality Agreements"
        ]
    ),
    topic!(
        "Security Awareness",
        "AWARE",
        "Head of People",
        ["6.3"],
        ["7.2", "7.3"],
        ["Awareness Training Enrolment", "Phishing Simulation"]
    ),
    topic!(
        "Remote Working",
        "REMOTE",
        "Head of IT",
        ["6.7"],
        [],
        ["Remote Working Setup", "Working Abroad Approval"]
    ),
    topic!(
        "Security Event Reporting",
        "REPORT",
        "ISMS Lead",
        ["6.8"],
        ["7.4"],
        ["Reporting a Security Event", "Event Acknowledgement"]
    ),
    topic!(
        "Physical Security",
        "PHYS",
        "Facilities Manager",
        ["7.1", "7.2", "7.3", "7.5", "7.6"],
        [],
        [
            "Visitor Management",
            "Office Access Cards",
            "Secure Area Access"
        ]
    ),
    topic!(
        "Clear Desk and Screen",
        "DESK",
        "Facilities Manager",
        ["7.7"],
        [],
        ["End-of-Day Desk Check"]
    ),
    topic!(
        "Equipment Security",
        "EQUIP",
        "Head of IT",
        ["7.8", "7.9", "7.11", "7.13", "7.14"],
        [],
        [
            "Equipment Maintenance",
            "Secure Disposal of Equipment",
            "Laptop Issue"
        ]
    ),
    topic!(
        "Storage Media",
        "MEDIA",
        "Head of IT",
        ["7.10"],
        [],
        ["Removable Media Use", "Media Destruction"]
    ),
    topic!(
        "Endpoint Security",
        "END",
        "Head of IT",
        ["8.1", "8.7"],
        [],
        [
            "Device Enrolment",
            "Lost or Stolen Device",
            "Malware Alert Handling"
        ]
    ),
    topic!(
        "Source Code Access",
        "CODE",
        "Head of Engineering",
        ["8.4"],
        [],
        ["Repository Access Request"]
    ),
    topic!(
        "Backup",
        "BACKUP",
        "Platform Lead",
        ["8.13"],
        [],
        ["Backup Configuration", "Restore Testing"]
    ),
    topic!(
        "Redundancy",
        "HA",
        "Platform Lead",
        ["8.14"],
        [],
        ["Failover Testing"]
    ),
    topic!(
        "Logging and Monitoring",
        "LOG",
        "Security Engineer",
        ["8.15", "8.16", "8.17"],
        ["9.1"],
        [
            "Log Source Onboarding",
            "Alert Triage",
            "Log Retention Review"
        ]
    ),
    topic!(
        "Vulnerability Management",
        "VULN",
        "Security Engineer",
        ["8.8"],
        [],
        [
            "Vulnerability Scanning",
            "Patch Deployment",
            "Penetration Test Follow-Up"
        ]
    ),
    topic!(
        "Configuration Management",
        "CONF",
        "Platform Lead",
        ["8.9", "8.19"],
        [],
        [
            "Baseline Configuration Change",
            "Software Installation Request"
        ]
    ),
    topic!(
        "Data Protection Techniques",
        "DATA",
        "Head of Data",
        ["8.10", "8.11", "8.12"],
        [],
        [
            "Data Deletion Request",
            "Data Masking for Analytics",
            "Leakage Alert Review"
        ]
    ),
    topic!(
        "Network Security",
        "NET",
        "Platform Lead",
        ["8.20", "8.21", "8.22", "8.23"],
        [],
        [
            "Firewall Rule Change",
            "Network Segmentation Review",
            "Web Filter Exception"
        ]
    ),
    topic!(
        "Cryptography",
        "CRYPTO",
        "Security Engineer",
        ["8.24"],
        [],
        [
            "Key Generation and Storage",
            "Certificate Renewal",
            "Key Rotation"
        ]
    ),
    topic!(
        "Secure Development",
        "SDLC",
        "Head of Engineering",
        ["8.25", "8.26", "8.27", "8.28", "8.29", "8.31"],
        [],
        [
            "Security Requirements Review",
            "Code Review",
            "Security Testing in CI",
            "Release Approval"
        ]
    ),
    topic!(
        "Change Management",
        "CHG",
        "Head of Engineering",
        ["8.32"],
        ["6.3"],
        [
            "Standard Change",
            "Emergency Change",
            "Change Advisory Review"
        ]
    ),
    topic!(
        "Test Data",
        "TDATA",
        "Head of Data",
        ["8.33"],
        [],
        ["Test Data Request"]
    ),
    topic!(
        "Threat Intelligence",
        "THREAT",
        "Security Engineer",
        ["5.7"],
        [],
        ["Threat Feed Review", "Threat Briefing"]
    ),
    topic!(
        "Project Security",
        "PROJ",
        "ISMS Lead",
        ["5.8"],
        ["6.3"],
        ["Project Security Assessment"]
    ),
    topic!(
        "Roles and Responsibilities",
        "ROLES",
        "ISMS Lead",
        ["5.2", "5.3", "5.4"],
        ["5.3"],
        ["Role Assignment", "Segregation of Duties Review"]
    ),
    topic!(
        "External Contacts",
        "CONTACT",
        "ISMS Lead",
        ["5.5", "5.6"],
        [],
        [
            "Regulator Notification",
            "Special Interest Group Membership"
        ]
    ),
    topic!(
        "Audit Testing",
        "AUDT",
        "ISMS Lead",
        ["8.34"],
        [],
        ["Audit Tool Access"]
    ),
];

/// Business areas, used in titles and as sub-folders.
const AREAS: [&str; 20] = [
    "Corporate IT",
    "Cloud Platform",
    "Customer Data",
    "Finance",
    "People Operations",
    "Engineering",
    "Customer Support",
    "Sales",
    "Data Analytics",
    "Facilities",
    "Mobile Apps",
    "Payments",
    "Partner Integrations",
    "Internal Tools",
    "Marketing",
    "Legal",
    "Research",
    "Office Network",
    "Shared Services",
    "Product",
];

const AUDIENCES: [&str; 8] = [
    "Engineers",
    "Managers",
    "New Starters",
    "Contractors",
    "Support Agents",
    "Remote Workers",
    "Administrators",
    "Data Analysts",
];

const SYSTEMS: [&str; 14] = [
    "identity provider",
    "production cloud account",
    "source code host",
    "CRM",
    "HR system",
    "finance system",
    "data warehouse",
    "ticketing system",
    "password manager",
    "logging platform",
    "customer database",
    "endpoint management tool",
    "build pipeline",
    "support desk",
];

const ORGS: [(&str, &str, &str); 5] = [
    (
        "Harbourline Logistics Ltd",
        "Harbourline",
        "harbourline.example",
    ),
    (
        "Kestrel Health Analytics Ltd",
        "Kestrel Health",
        "kestrelhealth.example",
    ),
    (
        "Brightwater Payments Ltd",
        "Brightwater",
        "brightwater.example",
    ),
    ("Corvid Software GmbH", "Corvid", "corvid.example"),
    ("Fernbank Learning Ltd", "Fernbank", "fernbank.example"),
];

const FIRST: [&str; 40] = [
    "Alex", "Sam", "Priya", "Jordan", "Maria", "Tom", "Aisha", "Ben", "Chloe", "Daniel", "Elena",
    "Farid", "Grace", "Hiro", "Isla", "Jakub", "Kemi", "Liam", "Mei", "Noah", "Olga", "Pedro",
    "Quinn", "Rosa", "Sanjay", "Tara", "Umar", "Vera", "Will", "Xin", "Yusuf", "Zoe", "Aoife",
    "Bruno", "Carmen", "Dev", "Ewa", "Felix", "Gemma", "Hamza",
];

const LAST: [&str; 40] = [
    "Morgan", "Lee", "Shah", "Blake", "Garcia", "Novak", "Okafor", "Walsh", "Dubois", "Kim",
    "Rossi", "Haddad", "Murphy", "Tanaka", "Fraser", "Kowalski", "Adeyemi", "O'Brien", "Chen",
    "Fischer", "Ivanova", "Santos", "Byrne", "Moreno", "Patel", "Hughes", "Rahman", "Novakova",
    "Turner", "Wang", "Demir", "Clarke", "Kelly", "Costa", "Lopez", "Mehta", "Nowak", "Berg",
    "Reid", "Aziz",
];

/// Roles held by exactly one person; document owners are taken from these.
const UNIQUE_ROLES: [&str; 15] = [
    "Chief Executive Officer",
    "Chief Operating Officer",
    "ISMS Lead",
    "Head of IT",
    "Head of Engineering",
    "Head of People",
    "Finance Director",
    "Head of Customer Success",
    "Data Protection Officer",
    "Facilities Manager",
    "Head of Data",
    "Platform Lead",
    "Security Engineer",
    "Legal Counsel",
    "Head of Sales",
];

const STAFF_ROLES: [&str; 10] = [
    "Software Engineer",
    "Support Agent",
    "Data Analyst",
    "Account Manager",
    "Finance Analyst",
    "Product Manager",
    "Designer",
    "People Partner",
    "IT Support Engineer",
    "Site Reliability Engineer",
];

const PARAS: &[&str] = &[
    "This document applies to everyone who works on {area} systems, including contractors and temporary staff.",
    "It sets out how {org} manages {topic} so that information stays confidential, accurate and available when it is needed.",
    "The {role} owns this document and checks at least once a year that it still matches how the team works.",
    "Where a requirement cannot be met, the person responsible raises an exception in the ticketing system and records the risk before work continues.",
    "Evidence of each activity is kept for at least {m} months so that it can be shown to internal and external auditors.",
    "Changes to {sys} that affect {topic} follow the normal change process and are tested before release.",
    "The team checks the outcome within {n} working days and records any follow-up actions with an owner and a due date.",
    "Line managers confirm that their teams have read the current version and know where to ask questions.",
    "Automated checks run every day and raise an alert when a setting drifts from the agreed baseline.",
    "Access to {sys} is granted on the principle of least privilege and removed as soon as it is no longer needed.",
    "Suppliers who work on {area} systems are bound by equivalent requirements through their contracts.",
    "Anyone who suspects that this document has not been followed reports it to the ISMS lead, without fear of blame.",
    "Controls are proportionate to the risks recorded in the current risk assessment and are revisited when those risks change.",
    "Measures for {topic} are reported to the management review each quarter, together with open actions.",
    "New starters receive a short briefing on {topic} in their first week, and a reminder after three months.",
    "The {role} may delegate individual tasks but remains accountable for the result.",
    "Records are stored in the evidence folder, where only the owner and the ISMS lead can change them.",
    "Tooling is configured centrally, so individual teams do not have to repeat the setup or keep their own copies.",
    "Findings rated high are fixed within {n} days; the rest are planned into the next regular release.",
    "Where local law sets a stricter requirement than this document, the stricter requirement applies.",
    "Decisions that depart from this document are approved in writing by the {role} and reviewed after {m} months.",
    "The document is meant to be read in ten minutes; detailed settings live in the related standards.",
    "Teams in {area} apply these rules to {sys} and to any new service before it goes live.",
    "Temporary workarounds are allowed only when they are logged, time-limited and visible to the {role}.",
    "Customers can ask for a summary of these arrangements through their account manager.",
    "Metrics are taken from system data rather than self-assessment wherever that is practical.",
    "The process was simplified after the last review showed that a second approval step added delay without reducing risk.",
    "Where a task is done by an automated job, the job's owner is named in the runbook and alerted on failure.",
    "Lessons from incidents and near misses feed back into this document at the next review.",
    "Staff who are unsure how a rule applies ask in the security channel before acting.",
    "This version aligns terminology with the {org} glossary and removes duplicated guidance.",
    "Checks are scheduled so that they do not collide with month-end processing in Finance.",
];

const BULLETS: &[&str] = &[
    "Keep an up-to-date list of who can access {sys}.",
    "Record every exception with an owner, a reason and an expiry date.",
    "Review {topic} settings after any major change to {sys}.",
    "Use the approved templates in the document library.",
    "Report anything unusual to the service desk straight away.",
    "Do not share accounts, passwords or one-time codes.",
    "Encrypt data at rest and in transit using the approved algorithms.",
    "Remove access within one working day of a role change.",
    "Test the process at least once a year and record the result.",
    "Keep evidence in the evidence folder, named by date.",
    "Escalate overdue actions to the {role}.",
    "Confirm that suppliers have signed the security schedule.",
    "Label documents according to their classification.",
    "Lock screens when leaving a device unattended.",
    "Apply security updates within the agreed time frames.",
    "Check alerts daily and close them with a short note.",
    "Store secrets only in the password manager or the secrets vault.",
    "Use multi-factor authentication on every remote access path.",
    "Review logs for {sys} at least every {n} days.",
    "Dispose of media through the approved disposal supplier.",
    "Agree recovery objectives with the service owner.",
    "Limit administrator rights to named, approved people.",
    "Write down the reasoning behind every design decision that affects security.",
    "Keep personal data out of test environments unless it is masked.",
];

const STEPS: &[&str] = &[
    "The requester raises a ticket in the service desk and describes what is needed and why.",
    "The ticket is routed automatically to the {role} for {sys}.",
    "The approver checks the request against this procedure and the related policy.",
    "If the request involves personal or confidential data, the Data Protection Officer is consulted.",
    "The approver records the decision in the ticket, with a reason for any rejection.",
    "The administrator carries out the change using a named account, never a shared one.",
    "A second person checks the result and confirms it in the ticket.",
    "The requester is told the outcome and any conditions that apply.",
    "Any deviation from the expected result is logged as an incident or a nonconformity.",
    "Evidence (screenshots, exports or logs) is attached to the ticket before it is closed.",
    "The ticket is closed and the record is kept for the retention period.",
    "Each month the {role} samples closed tickets to confirm that the procedure was followed.",
];

const ROLE_RESP: &[(&str, &str)] = &[
    (
        "ISMS Lead",
        "Maintains the document set and tracks open actions.",
    ),
    ("Head of IT", "Operates the controls on corporate systems."),
    (
        "Line managers",
        "Make sure their teams follow the procedure.",
    ),
    ("All staff", "Follow the rules and report concerns."),
    (
        "Security Engineer",
        "Monitors alerts and advises on technical controls.",
    ),
    (
        "Platform Lead",
        "Runs the production platform and its backups.",
    ),
    (
        "Data Protection Officer",
        "Advises on personal data and privacy obligations.",
    ),
    (
        "Head of People",
        "Runs onboarding, training and leaver processes.",
    ),
    (
        "Service owners",
        "Approve access and changes for their service.",
    ),
    (
        "Internal audit",
        "Checks independently that the controls work.",
    ),
];

const SETTINGS: &[(&str, &str, &str)] = &[
    (
        "Screen lock",
        "5 minutes of inactivity",
        "Enforced through device management",
    ),
    (
        "Disk encryption",
        "Full disk, AES-256",
        "Recovery keys held centrally",
    ),
    (
        "Password length",
        "At least 14 characters",
        "Passphrases encouraged",
    ),
    (
        "Multi-factor authentication",
        "Required for all accounts",
        "Hardware keys for administrators",
    ),
    (
        "Session timeout",
        "12 hours for web applications",
        "Shorter for admin consoles",
    ),
    ("TLS version", "1.2 or later", "1.3 preferred"),
    ("Log retention", "13 months", "90 days searchable online"),
    (
        "Backup frequency",
        "Daily, with hourly snapshots",
        "Restores tested quarterly",
    ),
    (
        "Patch window (critical)",
        "Within 7 days",
        "Emergency change allowed",
    ),
    (
        "Patch window (other)",
        "Within 30 days",
        "Bundled into the monthly cycle",
    ),
    (
        "Firewall default",
        "Deny inbound",
        "Exceptions reviewed every 6 months",
    ),
    (
        "Admin access",
        "Just-in-time, time-limited",
        "Approved per session",
    ),
    (
        "Key length (RSA)",
        "3072 bits or more",
        "Prefer elliptic curves",
    ),
    (
        "Endpoint protection",
        "Installed and reporting",
        "Alerts go to the security channel",
    ),
    (
        "USB storage",
        "Blocked by default",
        "Exceptions through a ticket",
    ),
    (
        "Account inactivity",
        "Disabled after 45 days",
        "Reviewed monthly",
    ),
];

const MILESTONES: &[&str] = &[
    "Gap assessment completed",
    "Tooling selected",
    "Pilot in {area}",
    "Roll-out to all teams",
    "Training delivered",
    "Effectiveness review",
    "Lessons learned reported",
];

const RECORD_PARAS: &[&str] = &[
    "The {kind} covered {sys} and was carried out by the {role}.",
    "No significant issues were found; minor observations are listed below.",
    "All findings have an owner and a due date in the tracker.",
    "The results were shared with the ISMS lead and discussed at the next security meeting.",
    "Compared with the previous exercise, the number of open items fell.",
    "Two items could not be completed in the session and were rescheduled.",
    "The scope was agreed with the service owner a week in advance.",
    "Raw exports are attached in the evidence folder under the same date.",
];

/// A kind of evidence record produced by day-to-day operations.
struct RecordKind {
    kind: &'static str,
    title: &'static str,
    code: &'static str,
    folder: &'static str,
    owner: &'static str,
    controls: &'static [&'static str],
}

macro_rules! record_kind {
    ($kind:expr, $title:expr, $code:expr, $folder:expr, $owner:expr, [$($c:expr),*]) => {
        RecordKind { kind: $kind, title: $title, code: $code, folder: $folder, owner: $owner, controls: &[$($c),*] }
    };
}

const RECORD_KINDS: &[RecordKind] = &[
    record_kind!(
        "access-review",
        "Access Review",
        "AR",
        "access-reviews",
        "Head of IT",
        ["5.18", "8.2"]
    ),
    record_kind!(
        "penetration-test",
        "Penetration Test",
        "PT",
        "penetration-tests",
        "Security Engineer",
        ["8.8"]
    ),
    record_kind!(
        "backup-restore-test",
        "Backup Restore Test",
        "BRT",
        "restore-tests",
        "Platform Lead",
        ["8.13"]
    ),
    record_kind!(
        "vulnerability-scan",
        "Vulnerability Scan",
        "VS",
        "vulnerability-scans",
        "Security Engineer",
        ["8.8"]
    ),
    record_kind!(
        "change-review",
        "Change Advisory Review",
        "CAB",
        "change-reviews",
        "Head of Engineering",
        ["8.32"]
    ),
    record_kind!(
        "continuity-exercise",
        "Continuity Exercise",
        "BCX",
        "continuity-exercises",
        "Chief Operating Officer",
        ["5.30"]
    ),
    record_kind!(
        "supplier-assessment",
        "Supplier Assessment",
        "SA",
        "supplier-assessments",
        "Finance Director",
        ["5.22"]
    ),
    record_kind!(
        "phishing-simulation",
        "Phishing Simulation",
        "PHS",
        "phishing-simulations",
        "Head of People",
        ["6.3"]
    ),
    record_kind!(
        "security-meeting",
        "Security Meeting Minutes",
        "SM",
        "security-meetings",
        "ISMS Lead",
        ["5.4"]
    ),
    record_kind!(
        "asset-inventory-check",
        "Asset Inventory Check",
        "AIC",
        "asset-checks",
        "Head of IT",
        ["5.9"]
    ),
];

/// Notes appended when a mandatory document is revised, so that its
/// hand-written text survives the generated history.
const CORE_NOTES: &[&str] = &[
    "wording clarified after questions from staff.",
    "checked against the latest risk assessment; no change of substance.",
    "updated to reflect the current team structure.",
    "terminology aligned with the glossary.",
    "minor corrections after internal audit feedback.",
    "references to retired documents removed.",
];

const EDIT_REASONS: &[&str] = &[
    "internal audit feedback",
    "the quarterly access review",
    "the tooling change",
    "the annual policy review",
    "a post-incident review",
    "supplier changes",
    "the reorganisation of the platform team",
    "questions from staff",
];

const INCIDENT_SUMMARIES: &[&str] = &[
    "Phishing email reported by staff",
    "Laptop left on a train",
    "Misdirected email with a customer list",
    "Suspicious login blocked by MFA",
    "Public link to an internal document",
    "Malware alert on a developer laptop",
    "Expired TLS certificate on a test site",
    "Former contractor account still active",
    "Backup job failed for two nights",
    "Lost visitor badge",
];

// ---------------------------------------------------------------------------
// Small utilities

/// splitmix64: tiny, fast and good enough for test data; the OS is never asked.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pct(&mut self, p: usize) -> bool {
        self.below(100) < p
    }
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as usize) as i64
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    /// `k` distinct indices below `n`, in ascending order.
    fn distinct(&mut self, n: usize, k: usize) -> Vec<usize> {
        let mut out: Vec<usize> = Vec::with_capacity(k);
        while out.len() < k.min(n) {
            let i = self.below(n);
            if !out.contains(&i) {
                out.push(i);
            }
        }
        out.sort_unstable();
        out
    }
}

/// Days since 1970-01-01 to (year, month, day); proleptic Gregorian.
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

fn ymd(days: i64) -> String {
    let (y, m, d) = civil(days);
    format!("{y:04}-{m:02}-{d:02}")
}

fn quarter(days: i64) -> String {
    let (y, m, _) = civil(days);
    format!("{y}-Q{}", (m - 1) / 3 + 1)
}

fn slug(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

/// YAML double-quoted scalar.
fn yq(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn csv_row(cells: &[String]) -> String {
    let mut line = cells
        .iter()
        .map(|c| csv_field(c))
        .collect::<Vec<_>>()
        .join(",");
    line.push('\n');
    line
}

/// Relative link from the document at `from` to the ISMS-root path `to`.
fn rel(from: &str, to: &str) -> String {
    format!("{}{}", "../".repeat(from.matches('/').count()), to)
}

/// Values substituted into text templates for one document.
struct Fill<'a> {
    topic: &'a str,
    area: &'a str,
    role: &'a str,
    sys: &'a str,
    org: &'a str,
    kind: &'a str,
}

fn fill(template: &str, f: &Fill, rng: &mut Rng) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return out;
        };
        match &after[..end] {
            "topic" => out.push_str(f.topic),
            "area" => out.push_str(f.area),
            "role" => out.push_str(f.role),
            "sys" => {
                out.push_str("the ");
                out.push_str(f.sys);
            }
            "org" => out.push_str(f.org),
            "kind" => out.push_str(f.kind),
            "n" => {
                let _ = write!(out, "{}", rng.pick(&[3, 5, 7, 10, 14, 30]));
            }
            "m" => {
                let _ = write!(out, "{}", rng.pick(&[3, 6, 12, 18, 24]));
            }
            other => {
                out.push('{');
                out.push_str(other);
                out.push('}');
            }
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

fn paragraph(bank: &[&str], f: &Fill, rng: &mut Rng) -> String {
    let k = 2 + rng.below(2);
    let picks = rng.distinct(bank.len(), k);
    let mut order: Vec<usize> = picks;
    // Shuffle lightly so paragraphs do not always read in bank order.
    if rng.pct(50) {
        order.reverse();
    }
    order
        .iter()
        .map(|&i| fill(bank[i], f, rng))
        .collect::<Vec<_>>()
        .join(" ")
}

fn bullets(n: usize, f: &Fill, rng: &mut Rng) -> String {
    rng.distinct(BULLETS.len(), n)
        .iter()
        .map(|&i| format!("- {}", fill(BULLETS[i], f, rng)))
        .collect::<Vec<_>>()
        .join("\n")
}

// ---------------------------------------------------------------------------
// The model

struct Person {
    name: String,
    role: String,
    email: String,
}

struct People {
    all: Vec<Person>,
    top: [usize; 2],
    lead: usize,
}

impl People {
    fn generate(rng: &mut Rng, domain: &str) -> People {
        let mut names: Vec<String> = Vec::new();
        let total = 60;
        while names.len() < total {
            let n = format!("{} {}", rng.pick(&FIRST), rng.pick(&LAST));
            if !names.contains(&n) {
                names.push(n);
            }
        }
        let all = names
            .into_iter()
            .enumerate()
            .map(|(i, name)| {
                let role = if i < UNIQUE_ROLES.len() {
                    UNIQUE_ROLES[i].to_string()
                } else {
                    STAFF_ROLES[i % STAFF_ROLES.len()].to_string()
                };
                let email = format!("{}@{}", slug(&name).replace('-', "."), domain);
                Person { name, role, email }
            })
            .collect();
        People {
            all,
            top: [0, 1],
            lead: 2,
        }
    }

    /// The person holding a unique role, or the name itself when it is a person.
    fn holder(&self, owner: &str) -> usize {
        self.all
            .iter()
            .position(|p| p.role == owner || p.name == owner)
            .unwrap_or(self.lead)
    }

    fn name(&self, i: usize) -> &str {
        &self.all[i].name
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Approver {
    /// Top management approves (policy, scope, objectives, SoA).
    Top,
    /// The ISMS lead or a head of function approves.
    Lead,
}

struct Doc {
    id: String,
    path: String,
    title: String,
    doc_type: &'static str,
    record: Option<&'static str>,
    date: Option<i64>,
    data: Option<String>,
    version: Option<(u32, u32)>,
    status: &'static str,
    owner: String,
    classification: &'static str,
    approved_by: Option<String>,
    approved_on: Option<i64>,
    controls: Vec<&'static str>,
    control_style: u8,
    clauses: Vec<&'static str>,
    summary: String,
    /// Type-specific front matter, already rendered as YAML lines.
    extra: String,
    blocks: Vec<String>,
    /// Indices of `blocks` that are plain paragraphs, safe to rewrite.
    editable: Vec<usize>,
    approver: Approver,
    renamable: bool,
    /// Which text bank rewrites of this document draw from.
    para_bank: &'static [&'static str],
    topic: &'static str,
    area: &'static str,
    sys: &'static str,
    kind_text: &'static str,
    data_file: Option<usize>,
    /// Hand-written mandatory document: revisions append a dated note to
    /// the original paragraph instead of rewriting it.
    core: bool,
    originals: Vec<String>,
}

impl Doc {
    fn new(id: String, path: String, title: String, doc_type: &'static str) -> Doc {
        Doc {
            id,
            path,
            title,
            doc_type,
            record: None,
            date: None,
            data: None,
            version: Some((1, 0)),
            status: "approved",
            owner: "ISMS Lead".into(),
            classification: "internal",
            approved_by: None,
            approved_on: None,
            controls: Vec::new(),
            control_style: 0,
            clauses: Vec::new(),
            summary: String::new(),
            extra: String::new(),
            blocks: Vec::new(),
            editable: Vec::new(),
            approver: Approver::Lead,
            renamable: false,
            para_bank: PARAS,
            topic: "information security",
            area: "the whole organisation",
            sys: "ticketing system",
            kind_text: "review",
            data_file: None,
            core: false,
            originals: Vec::new(),
        }
    }

    fn is_record(&self) -> bool {
        self.record.is_some()
    }

    fn para(&mut self, text: String) {
        self.editable.push(self.blocks.len());
        self.originals.push(text.clone());
        self.blocks.push(text);
    }

    fn block(&mut self, text: String) {
        self.blocks.push(text);
    }

    fn render(&self) -> String {
        let mut s = String::with_capacity(4096);
        s.push_str("---\n");
        let _ = writeln!(s, "id: {}", self.id);
        let _ = writeln!(s, "title: {}", yq(&self.title));
        let _ = writeln!(s, "type: {}", self.doc_type);
        if let Some(kind) = self.record {
            let _ = writeln!(s, "record: {kind}");
        }
        if let Some(date) = self.date {
            let _ = writeln!(s, "date: {}", ymd(date));
        }
        if let Some(data) = &self.data {
            let _ = writeln!(s, "data: {data}");
        }
        if let Some((major, minor)) = self.version {
            let _ = writeln!(s, "version: \"{major}.{minor}\"");
        }
        if !self.is_record() || self.status != "approved" || self.approved_by.is_some() {
            let _ = writeln!(s, "status: {}", self.status);
        }
        let _ = writeln!(s, "owner: {}", self.owner);
        let _ = writeln!(s, "classification: {}", self.classification);
        if let Some(by) = &self.approved_by {
            let _ = writeln!(s, "approved_by: {by}");
        }
        if let Some(on) = self.approved_on {
            let _ = writeln!(s, "approved_on: {}", ymd(on));
        }
        if !self.controls.is_empty() {
            match self.control_style {
                1 => {
                    s.push_str("controls:\n");
                    for c in &self.controls {
                        let _ = writeln!(s, "  - \"{c}\"");
                    }
                }
                2 => {
                    let list: Vec<String> =
                        self.controls.iter().map(|c| format!("\"A.{c}\"")).collect();
                    let _ = writeln!(s, "controls: [{}]", list.join(", "));
                }
                3 => {
                    let _ = writeln!(s, "controls: [{}]", self.controls.join(", "));
                }
                _ => {
                    let list: Vec<String> =
                        self.controls.iter().map(|c| format!("\"{c}\"")).collect();
                    let _ = writeln!(s, "controls: [{}]", list.join(", "));
                }
            }
        }
        if !self.clauses.is_empty() {
            let list: Vec<String> = self.clauses.iter().map(|c| format!("\"{c}\"")).collect();
            let _ = writeln!(s, "clauses: [{}]", list.join(", "));
        }
        if !self.summary.is_empty() {
            let _ = writeln!(s, "summary: {}", yq(&self.summary));
        }
        s.push_str(&self.extra);
        s.push_str("---\n\n");
        s.push_str(&self.blocks.join("\n\n"));
        s.push('\n');
        s
    }
}

/// A CSV file read by a record document.
struct DataFile {
    path: String,
    header: &'static str,
    rows: Vec<Vec<String>>,
}

impl DataFile {
    fn render(&self) -> String {
        let mut s = String::with_capacity(64 * (self.rows.len() + 1));
        s.push_str(self.header);
        s.push('\n');
        for row in &self.rows {
            s.push_str(&csv_row(row));
        }
        s
    }
}

struct Corpus {
    org: (&'static str, &'static str, &'static str),
    people: People,
    docs: Vec<Doc>,
    data: Vec<DataFile>,
    /// (path, title) of the mandatory documents; relative links only point at
    /// these, because they are never renamed and so the links never break.
    core_paths: Vec<(String, String)>,
}

// ---------------------------------------------------------------------------
// Core documents

struct CoreCtx<'a> {
    rng: &'a mut Rng,
    start_day: i64,
}

fn approved_before(d: &mut Doc, by: &str, day: i64) {
    d.approved_by = Some(by.to_string());
    d.approved_on = Some(day);
}

fn related_core(d: &Doc) -> String {
    let mut s = String::from("## Related documents\n\n");
    let _ = writeln!(
        s,
        "- [Information Security Policy]({})",
        rel(&d.path, "policies/information-security-policy.md")
    );
    let _ = writeln!(s, "- [ISMS Scope]({})", rel(&d.path, "scope.md"));
    let _ = write!(
        s,
        "- [Risk criteria]({}#risk-criteria)",
        rel(&d.path, "risk/risk-assessment.md")
    );
    s
}

fn build_core(c: &mut CoreCtx, corpus: &mut Corpus) {
    let (org, short, _) = corpus.org;
    let p = &corpus.people;
    let top0 = p.name(p.top[0]).to_string();
    let top1 = p.name(p.top[1]).to_string();
    let lead = p.name(p.lead).to_string();
    let it = p.name(p.holder("Head of IT")).to_string();
    let day = c.start_day;

    // Scope.
    let mut d = Doc::new(
        "ISMS-SCOPE".into(),
        "scope.md".into(),
        format!("Scope of the {short} ISMS"),
        "scope",
    );
    d.version = Some((2, 1));
    d.owner = "ISMS Lead".into();
    d.approver = Approver::Top;
    d.clauses = vec!["4.3"];
    d.summary = "What the ISMS covers, what it leaves out, and why.".into();
    approved_before(&mut d, &top0, day - 40);
    d.block("## Scope statement".into());
    d.para(format!("The information security management system of {org} covers the design, development, operation and support of our software services, and the corporate IT, people and supplier processes that these services depend on."));
    d.block("## Included".into());
    d.block("- All employees and contractors, wherever they work.\n- The production cloud environment and its supporting build pipeline.\n- Corporate IT: laptops, identity provider, email and collaboration tools.\n- The head office and its meeting rooms.".into());
    d.block("## Excluded".into());
    d.para("The sister company's consultancy business is run on separate systems by separate staff and is out of scope. Its only interface with us is a shared payroll supplier, which we manage as a supplier.".into());
    d.block("## Interfaces and dependencies".into());
    d.para(format!("We depend on a cloud hosting provider, a payment processor and a managed email service. Their responsibilities are set out in the [supplier register]({}) and in their contracts.", rel(&d.path, "records/supplier-register.md")));
    d.block("## Interested parties".into());
    d.block("| Party | What they expect |\n|---|---|\n| Customers | Their data is protected and services stay available. |\n| Staff | Clear rules and tools that make the secure way the easy way. |\n| Regulators | Timely breach notification and lawful processing. |\n| Investors | Risks are known, owned and reported. |".into());
    corpus.docs.push(d);

    // Information security policy.
    let mut d = Doc::new(
        "POL-ISP".into(),
        "policies/information-security-policy.md".into(),
        "Information Security Policy".into(),
        "policy",
    );
    d.version = Some((3, 0));
    d.owner = "ISMS Lead".into();
    d.classification = "public";
    d.approver = Approver::Top;
    d.controls = vec!["5.1"];
    d.clauses = vec!["5.2"];
    d.summary =
        format!("Management's direction and commitment for information security at {short}.");
    approved_before(&mut d, &top0, day - 30);
    d.block("## Purpose".into());
    d.para(format!("This policy states how {org} protects the information entrusted to it by customers, staff and partners. It is approved by the leadership team and sets the frame for every other security document."));
    d.block("## Our commitment".into());
    d.para("The leadership team commits to meeting the security requirements that apply to us, to giving the ISMS the people and budget it needs, and to improving it continually based on audits, incidents and measurements.".into());
    d.block("## Information security objectives".into());
    d.para(format!("Objectives are set each year, owned by a named person and measured. They are listed in the [objectives]({}) document and reviewed at every management review.", rel(&d.path, "objectives.md")));
    d.block("## Principles".into());
    d.block("- Access is given on a need-to-know basis and removed promptly.\n- Information is classified and handled according to its classification.\n- Risks are assessed before changes and treated by their owners.\n- Incidents are reported without blame and learned from.\n- Suppliers meet the same standards that we apply to ourselves.".into());
    d.block("## Roles and responsibilities".into());
    d.block("| Role | Responsibility |\n|---|---|\n| Leadership team | Approves this policy and the risk appetite. |\n| ISMS Lead | Runs the ISMS day to day and reports on it. |\n| Managers | Make sure their teams know and follow the rules. |\n| Everyone | Protects information and reports concerns. |".into());
    d.block("## Compliance and exceptions".into());
    d.para("Breaches of this policy may lead to disciplinary action. Exceptions are requested from the ISMS Lead, recorded with a risk owner and an expiry date, and reviewed at least every six months.".into());
    d.block(format!("## Related documents\n\n- [ISMS Scope]({})\n- [Statement of Applicability](id:SOA)\n- [Risk Assessment Methodology](id:RISK-METHOD#risk-criteria)", rel(&d.path, "scope.md")));
    corpus.docs.push(d);

    // Objectives.
    let mut d = Doc::new(
        "ISMS-OBJ".into(),
        "objectives.md".into(),
        "Information Security Objectives".into(),
        "objectives",
    );
    d.version = Some((1, 4));
    d.approver = Approver::Top;
    d.clauses = vec!["6.2"];
    d.summary = "This year's security objectives, their owners and how we measure them.".into();
    approved_before(&mut d, &top1, day - 20);
    let y = civil(day).0;
    d.extra = format!(
        "objectives:\n  - objective: \"Every in-scope person completes security awareness training each year\"\n    owner: Head of People\n    measure: \"Share of in-scope people with a training record in the last 12 months\"\n    target: \"100%\"\n    due: {y}-12-31\n  - objective: \"Critical vulnerabilities are fixed quickly\"\n    owner: Security Engineer\n    measure: \"Median days from detection to fix for critical findings\"\n    target: \"7 days or less\"\n    due: {y}-09-30\n  - objective: \"Access rights stay current\"\n    owner: Head of IT\n    measure: \"Quarterly access reviews completed on time\"\n    target: \"4 of 4\"\n  - objective: \"Restores work when needed\"\n    owner: Platform Lead\n    measure: \"Successful quarterly restore tests\"\n    target: \"100%\"\n    due: {y}-12-31\n"
    );
    d.block("## How objectives are set".into());
    d.para("Objectives follow from the information security policy and the highest risks in the risk register. Each has one owner and a measure that can be taken from system data.".into());
    d.block("## How progress is tracked".into());
    d.para("Owners report progress monthly in the security meeting and the ISMS Lead summarises it for the management review. An objective that is off track gets an action with a due date.".into());
    corpus.docs.push(d);

    // Statement of Applicability.
    let mut d = Doc::new(
        "SOA".into(),
        "soa.md".into(),
        "Statement of Applicability".into(),
        "soa",
    );
    d.version = Some((2, 3));
    d.approver = Approver::Top;
    d.clauses = vec!["6.1.3"];
    d.summary = "Which Annex A controls apply, why, and how far they are implemented.".into();
    approved_before(&mut d, &top0, day - 25);
    let mut soa = String::from("applicability:\n");
    for ctl in CONTROLS {
        if let Some((_, why)) = EXCLUDED.iter().find(|(id, _)| *id == ctl) {
            let _ = write!(
                soa,
                "  - control: \"{ctl}\"\n    applicable: false\n    justification: {}\n",
                yq(why)
            );
            continue;
        }
        let status = match c.rng.below(100) {
            0..=84 => "implemented",
            85..=93 => "partial",
            _ => "planned",
        };
        let why = match c.rng.below(4) {
            0 => format!(
                "Treats risks R-{:03} and R-{:03} in the risk register.",
                1 + c.rng.below(30),
                1 + c.rng.below(30)
            ),
            1 => "Needed to meet customer contract requirements.".to_string(),
            2 => "Required by data protection law for the personal data we process.".to_string(),
            _ => format!(
                "Selected in the {} risk assessment as a baseline control.",
                civil(day).0 - 1
            ),
        };
        let _ = write!(soa, "  - control: \"{ctl}\"\n    applicable: true\n    status: {status}\n    justification: {}\n", yq(&why));
    }
    d.extra = soa;
    d.block("## How to read this statement".into());
    d.para("Each Annex A control is listed once in the front matter with the decision to apply it, the reason and its implementation status. The documents that implement a control name it in their own `controls` list, so this statement does not repeat them.".into());
    d.block("## Exclusions".into());
    d.block(format!(
        "Three controls are excluded; the reasons are given with each entry:\n\n- [7.4 Physical security monitoring](control:7.4)\n- [7.12 Cabling security](control:7.12)\n- [8.30 Outsourced development](control:8.30)\n\nThe exclusions are revisited when the [scope]({}) changes.",
        rel(&d.path, "scope.md")
    ));
    d.block("## Changes".into());
    d.para("The statement is reviewed after each risk assessment and whenever a control's status changes.".into());
    corpus.docs.push(d);

    // Risk assessment methodology.
    let mut d = Doc::new(
        "RISK-METHOD".into(),
        "risk/risk-assessment.md".into(),
        "Risk Assessment Methodology".into(),
        "risk-assessment",
    );
    d.version = Some((1, 6));
    d.classification = "internal";
    d.clauses = vec!["6.1.2", "8.2"];
    d.summary = "How we identify, analyse and evaluate information security risks.".into();
    approved_before(&mut d, &top1, day - 60);
    d.block("## Purpose".into());
    d.para("This document describes a repeatable way to find and rate information security risks, so that results from different years and different assessors can be compared.".into());
    d.block("## Risk criteria".into());
    d.block("| Score | Likelihood | Impact |\n|---|---|---|\n| 1 | Less than once in ten years | Negligible, no customer effect |\n| 2 | Once in ten years | Minor, handled in the team |\n| 3 | Once in three years | Noticeable to some customers |\n| 4 | Once a year | Contract or regulatory breach |\n| 5 | Several times a year | Threatens the business |".into());
    d.para("Risk is likelihood times impact. Risks scoring 12 or more need treatment; risks below 6 may be accepted by their owner.".into());
    d.block("## Method".into());
    d.block("1. List assets and processes with their owners.\n2. Identify threats and vulnerabilities for each.\n3. Rate likelihood and impact using the criteria above.\n4. Record each risk in the risk register with an owner.\n5. Propose a treatment and the residual risk.".into());
    d.block("## Frequency".into());
    d.para("A full assessment runs once a year and after any significant change, such as a new product, supplier or office.".into());
    d.block("## Results".into());
    d.para(format!("Results are kept in the [risk register]({}) and treatments in the [risk treatment plan](id:RISK-TREAT#treatment-plan).", rel(&d.path, "records/risk-register.md")));
    corpus.docs.push(d);

    // Risk treatment plan.
    let mut d = Doc::new(
        "RISK-TREAT".into(),
        "risk/risk-treatment-plan.md".into(),
        "Risk Treatment Plan".into(),
        "risk-treatment-plan",
    );
    d.version = Some((1, 9));
    d.classification = "confidential";
    d.clauses = vec!["6.1.3", "8.3"];
    d.summary = "How each significant risk is treated, by whom and by when.".into();
    approved_before(&mut d, &top1, day - 50);
    d.block("## Treatment options".into());
    d.para("Each risk above the acceptance threshold is reduced, avoided, transferred or, with the owner's signed acceptance, retained. The chosen option and the controls it relies on are recorded against the risk.".into());
    d.block("## Treatment plan".into());
    let mut table = String::from("| Risk | Action | Owner | Due |\n|---|---|---|---|\n");
    for i in 0..6 {
        let _ = writeln!(
            table,
            "| R-{:03} | {} | {} | {} |",
            1 + i * 3,
            [
                "Enforce hardware keys for administrators",
                "Move backups to a second region",
                "Add supplier security clauses",
                "Roll out device management",
                "Mask production data in analytics",
                "Automate leaver access removal"
            ][i],
            *c.rng.pick(&UNIQUE_ROLES[2..]),
            ymd(day + 30 * (i as i64 + 1))
        );
    }
    d.block(table.trim_end().to_string());
    d.block("## Approval by risk owners".into());
    d.para("Risk owners approve the treatment and the residual risk for their risks in the risk register. The leadership team approves this plan as a whole.".into());
    d.block(related_core(&d));
    corpus.docs.push(d);

    // Document control procedure.
    let mut d = Doc::new(
        "PRC-DOC".into(),
        "procedures/isms/document-control.md".into(),
        "Document Control Procedure".into(),
        "procedure",
    );
    d.version = Some((1, 2));
    d.controls = vec!["5.37"];
    d.clauses = vec!["7.5"];
    d.summary = "How ISMS documents are written, approved, published and retired.".into();
    approved_before(&mut d, &it, day - 90);
    d.block("## Creating and updating".into());
    d.para("Documents live in the ISMS repository as Markdown with front matter. Changes are proposed as pull requests; the owner reviews the text and the approver records the approval in the front matter.".into());
    d.block("## Approval".into());
    d.para("Policies are approved by a member of the leadership team; procedures and standards by the ISMS Lead or the head of the function. An approver never approves a document they own.".into());
    d.block("## Publishing".into());
    d.para("Approved documents for staff are published to the intranet automatically; confidential documents are only in the auditor evidence index.".into());
    d.block(related_core(&d));
    corpus.docs.push(d);

    // Corrective action procedure.
    let mut d = Doc::new(
        "PRC-CAPA".into(),
        "procedures/isms/corrective-action.md".into(),
        "Nonconformity and Corrective Action Procedure".into(),
        "procedure",
    );
    d.version = Some((1, 1));
    d.clauses = vec!["10.1", "10.2"];
    d.summary = "How nonconformities are recorded, analysed and corrected.".into();
    approved_before(&mut d, &it, day - 80);
    d.block("## Recording".into());
    d.para(format!("Anyone may raise a nonconformity. It is logged in the [corrective actions register]({}) with its source and an owner.", rel(&d.path, "records/corrective-actions.md")));
    d.block("## Analysis and action".into());
    d.para("The owner finds the root cause, fixes the immediate problem and decides whether similar problems exist elsewhere. The ISMS Lead checks that the action worked before closing it.".into());
    d.block(related_core(&d));
    corpus.docs.push(d);

    // Monitoring plan.
    let mut d = Doc::new(
        "PLN-MON".into(),
        "plans/monitoring-and-measurement.md".into(),
        "Monitoring and Measurement Plan".into(),
        "plan",
    );
    d.version = Some((1, 0));
    d.clauses = vec!["9.1"];
    d.summary = "What we measure about the ISMS, how often, and who looks at it.".into();
    approved_before(&mut d, &lead, day - 70);
    d.block("## Measures".into());
    d.block("| Measure | Source | Frequency | Owner |\n|---|---|---|---|\n| Training completion | HR system | Monthly | Head of People |\n| Critical patches overdue | Scanner | Weekly | Security Engineer |\n| Access reviews on time | Tickets | Quarterly | Head of IT |\n| Restore tests passed | Backup logs | Quarterly | Platform Lead |".into());
    d.block("## Analysis".into());
    d.para("The ISMS Lead collects the measures, compares them with the targets in the objectives and reports trends to the management review.".into());
    d.block(related_core(&d));
    corpus.docs.push(d);

    build_core_records(c, corpus);
    for d in &mut corpus.docs {
        d.core = true;
    }
}

fn build_core_records(c: &mut CoreCtx, corpus: &mut Corpus) {
    let day = c.start_day;
    let p = &corpus.people;
    let top0 = p.name(p.top[0]).to_string();
    let top1 = p.name(p.top[1]).to_string();
    let lead = p.name(p.lead).to_string();

    // Risk register.
    let threats = [
        "Phishing",
        "Ransomware",
        "Insider misuse",
        "Supplier outage",
        "Lost laptop",
        "Misconfigured storage",
        "Credential stuffing",
        "Unpatched server",
        "Accidental deletion",
        "Fraudulent payment request",
    ];
    let assets = [
        "customer database",
        "build pipeline",
        "finance system",
        "HR records",
        "production cloud account",
        "source code",
        "support desk",
        "email",
        "backups",
        "payroll data",
    ];
    let n_risks = 40;
    let mut rows = Vec::with_capacity(n_risks);
    for i in 0..n_risks {
        let owner_idx = 3 + c.rng.below(12);
        let owner = corpus.people.all[owner_idx].role.clone();
        let accepted_by = corpus.people.all[owner_idx].name.clone();
        let l = c.rng.range(1, 5);
        let imp = c.rng.range(1, 5);
        let treatment = *c.rng.pick(&[
            "mitigate", "mitigate", "mitigate", "accept", "transfer", "avoid",
        ]);
        let residual = *c.rng.pick(&["low", "low", "medium", "high"]);
        let acc_on = day - c.rng.range(30, 200);
        rows.push(vec![
            format!("R-{:03}", i + 1),
            format!("{} affecting {}", c.rng.pick(&threats), c.rng.pick(&assets)),
            owner,
            l.to_string(),
            imp.to_string(),
            treatment.to_string(),
            residual.to_string(),
            accepted_by,
            ymd(acc_on),
            ymd(acc_on + c.rng.range(0, 20)),
        ]);
    }
    corpus.data.push(DataFile { path: "records/risk-register.csv".into(), header: "id,risk,owner,likelihood,impact,treatment,residual,accepted_by,accepted_on,reviewed_on", rows });
    let mut d = Doc::new(
        "REG-RISK".into(),
        "records/risk-register.md".into(),
        "Information Security Risk Register".into(),
        "register",
    );
    d.record = Some("risk-register");
    d.date = Some(day - 10);
    d.data = Some("risk-register.csv".into());
    d.version = None;
    d.classification = "confidential";
    d.data_file = Some(corpus.data.len() - 1);
    d.summary = "Every identified risk with its owner, rating, treatment and acceptance.".into();
    d.block("## About this register".into());
    d.para(format!("The register lists the results of the latest risk assessment, carried out with the [risk assessment methodology]({}). Each row names a risk owner who accepted the residual risk.", rel(&d.path, "risk/risk-assessment.md")));
    corpus.docs.push(d);

    // Training.
    let mut rows = Vec::new();
    for (i, person) in corpus.people.all.iter().enumerate() {
        if i % 29 == 28 {
            continue; // a couple of people missed the course
        }
        rows.push(vec![person.name.clone(), ymd(day - c.rng.range(20, 150))]);
    }
    corpus.data.push(DataFile {
        path: "records/training/security-awareness.csv".into(),
        header: "person,completed_on",
        rows,
    });
    let mut d = Doc::new(
        "REC-TRN".into(),
        "records/training/security-awareness.md".into(),
        "Security Awareness Training Completion".into(),
        "record",
    );
    d.record = Some("training");
    d.date = Some(day - 15);
    d.data = Some("security-awareness.csv".into());
    d.version = None;
    d.owner = "Head of People".into();
    d.controls = vec!["6.3"];
    d.data_file = Some(corpus.data.len() - 1);
    d.extra = "course: \"Annual security awareness\"\n".into();
    d.block("## Course".into());
    d.para("The annual course covers phishing, passwords, data handling and incident reporting. It takes about forty minutes and ends with a short quiz.".into());
    corpus.docs.push(d);

    // Incident log.
    let mut rows = Vec::new();
    for i in 0..12 {
        let rep = day - c.rng.range(10, 330);
        let closed = c.rng.pct(90);
        rows.push(vec![
            format!("INC-{:04}", i + 1),
            ymd(rep),
            c.rng.pick(INCIDENT_SUMMARIES).to_string(),
            c.rng.pick(&["low", "low", "medium", "high"]).to_string(),
            if closed { "closed" } else { "open" }.to_string(),
            if closed {
                ymd(rep + c.rng.range(0, 14))
            } else {
                String::new()
            },
        ]);
    }
    rows.sort_by(|a, b| a[1].cmp(&b[1]));
    for (i, r) in rows.iter_mut().enumerate() {
        r[0] = format!("INC-{:04}", i + 1);
    }
    corpus.data.push(DataFile {
        path: "records/incident-log.csv".into(),
        header: "id,reported_on,summary,severity,status,closed_on",
        rows,
    });
    let mut d = Doc::new(
        "REC-INC".into(),
        "records/incident-log.md".into(),
        "Security Incident Log".into(),
        "record",
    );
    d.record = Some("incident-log");
    d.date = Some(day - 1);
    d.data = Some("incident-log.csv".into());
    d.version = None;
    d.classification = "confidential";
    d.controls = vec!["5.24", "5.25", "5.26"];
    d.data_file = Some(corpus.data.len() - 1);
    d.block("## About this log".into());
    d.para("Every reported security event that was confirmed as an incident is logged here, from minor lost badges to customer-affecting outages.".into());
    corpus.docs.push(d);

    // Supplier register.
    let pre = [
        "Blue", "North", "Silver", "Granite", "Oak", "River", "Summit", "Cobalt", "Lumen", "Harbor",
    ];
    let svc = [
        ("Cloud", "Cloud hosting"),
        ("Payroll", "Payroll processing"),
        ("Mail", "Email service"),
        ("Analytics", "Product analytics"),
        ("Support", "Support desk software"),
        ("Security", "Penetration testing"),
        ("Backup", "Offsite backup"),
        ("Print", "Printing"),
        ("Telecom", "Phone lines"),
        ("Legal", "Legal advice"),
    ];
    let mut rows = Vec::new();
    let mut seen = BTreeSet::new();
    while rows.len() < 20 {
        let (suffix, service) = *c.rng.pick(&svc);
        let name = format!("{} {} Ltd", c.rng.pick(&pre), suffix);
        if !seen.insert(name.clone()) {
            continue;
        }
        rows.push(vec![
            name,
            service.to_string(),
            c.rng.pick(&["high", "medium", "medium", "low"]).to_string(),
            ymd(day - c.rng.range(20, 300)),
            if c.rng.pct(92) { "yes" } else { "no" }.to_string(),
        ]);
    }
    corpus.data.push(DataFile {
        path: "records/supplier-register.csv".into(),
        header: "supplier,service,criticality,last_assessed,security_clauses",
        rows,
    });
    let mut d = Doc::new(
        "REG-SUP".into(),
        "records/supplier-register.md".into(),
        "Supplier Register".into(),
        "register",
    );
    d.record = Some("supplier-register");
    d.date = Some(day - 5);
    d.data = Some("supplier-register.csv".into());
    d.version = None;
    d.owner = "Finance Director".into();
    d.controls = vec!["5.19", "5.22"];
    d.data_file = Some(corpus.data.len() - 1);
    d.block("## About this register".into());
    d.para("All suppliers that handle our information or run services we depend on, with the date of their last security assessment.".into());
    corpus.docs.push(d);

    // Corrective actions.
    let mut rows = Vec::new();
    for i in 0..8 {
        let due = day + c.rng.range(-120, 90);
        let closed = due < day && c.rng.pct(80);
        rows.push(vec![
            format!("CA-{:03}", i + 1),
            c.rng
                .pick(&[
                    "internal audit",
                    "incident",
                    "management review",
                    "staff report",
                ])
                .to_string(),
            c.rng
                .pick(&[
                    "Leaver account not removed in time",
                    "Restore test not documented",
                    "Supplier assessment overdue",
                    "Policy exception expired",
                    "Training reminder not sent",
                ])
                .to_string(),
            UNIQUE_ROLES[3 + c.rng.below(12)].to_string(),
            ymd(due),
            if closed {
                ymd(due - c.rng.range(0, 20))
            } else {
                String::new()
            },
        ]);
    }
    corpus.data.push(DataFile {
        path: "records/corrective-actions.csv".into(),
        header: "id,source,summary,owner,due,closed_on",
        rows,
    });
    let mut d = Doc::new(
        "REG-CAPA".into(),
        "records/corrective-actions.md".into(),
        "Corrective Actions Register".into(),
        "register",
    );
    d.record = Some("corrective-actions");
    d.date = Some(day - 3);
    d.data = Some("corrective-actions.csv".into());
    d.version = None;
    d.data_file = Some(corpus.data.len() - 1);
    d.block("## About this register".into());
    d.para(format!("Nonconformities and their corrective actions, handled with the [corrective action procedure]({}).", rel(&d.path, "procedures/isms/corrective-action.md")));
    corpus.docs.push(d);

    // Internal audit.
    let ia_day = day - 75;
    let mut d = Doc::new(
        "REC-IA".into(),
        format!("records/audits/internal-audit-{}.md", civil(ia_day).0),
        format!("Internal Audit {}", civil(ia_day).0),
        "record",
    );
    d.record = Some("internal-audit");
    d.date = Some(ia_day);
    d.version = None;
    d.classification = "confidential";
    d.extra = format!(
        "auditor: \"Jordan Ellis (Ellis Assurance)\"\nscope_clauses: [\"4\", \"5\", \"6\", \"7\", \"8\", \"9\", \"10\"]\nscope_controls: [\"5.15\", \"5.18\", \"8.13\", \"8.32\"]\nfindings:\n  - id: IA-01\n    severity: minor\n    ref: \"5.18\"\n    summary: \"Two leavers kept access to the CRM for more than a week.\"\n    action: \"Automate leaver removal from the identity provider.\"\n    due: {}\n    closed_on: {}\n  - id: IA-02\n    severity: observation\n    ref: \"7.5.3\"\n    summary: \"Some procedures link to an outdated template.\"\n",
        ymd(ia_day + 60),
        ymd(ia_day + 41)
    );
    d.block("## Audit summary".into());
    d.para("The audit covered clauses 4 to 10 and a sample of access, backup and change controls. The ISMS is generally effective; one minor nonconformity and one observation were raised.".into());
    d.block("## Method".into());
    d.para("Interviews with control owners, a sample of tickets and records from the last six months, and a walk-through of the leaver process.".into());
    corpus.docs.push(d);

    // Management review.
    let mr_day = day - 45;
    let mut d = Doc::new(
        "REC-MR".into(),
        format!("records/reviews/management-review-{}.md", civil(mr_day).0),
        format!("Management Review {}", civil(mr_day).0),
        "record",
    );
    d.record = Some("management-review");
    d.date = Some(mr_day);
    d.version = None;
    d.classification = "confidential";
    d.extra = format!(
        "attendees: [{}, {}, {}]\ninputs:\n  previous-actions: \"All actions from the previous review are closed.\"\n  issue-changes: \"New data protection guidance for analytics.\"\n  interested-party-changes: \"Two enterprise customers asked for annual penetration test reports.\"\n  performance: \"Training at 96%, patching on target, one minor audit finding.\"\n  interested-party-feedback: \"No complaints; one customer questionnaire.\"\n  risk: \"Risk register reviewed; two risks raised to high.\"\n  improvement: \"Automate leaver access removal.\"\nactions:\n  - action: \"Fund a second backup region\"\n    owner: Platform Lead\n    due: {}\n",
        yq(&top0), yq(&top1), yq(&lead), ymd(mr_day + 120)
    );
    d.block("## Decisions".into());
    d.para("The leadership team confirmed that the ISMS remains suitable and effective, approved the budget for a second backup region and asked for quarterly reporting on access reviews.".into());
    corpus.docs.push(d);
}

// ---------------------------------------------------------------------------
// Filler documents

/// Links to documents created earlier, so that no import commit links forward.
fn related_block(d: &Doc, corpus: &Corpus, rng: &mut Rng) -> String {
    let mut s = String::from("## Related documents\n\n");
    let (path, title) = &corpus.core_paths[rng.below(corpus.core_paths.len())];
    let _ = writeln!(s, "- [{}]({})", title, rel(&d.path, path));
    let _ = writeln!(
        s,
        "- [Information Security Policy]({}#principles)",
        rel(&d.path, "policies/information-security-policy.md")
    );
    let n = corpus.docs.len();
    for _ in 0..1 + rng.below(3) {
        let t = &corpus.docs[rng.below(n)];
        if t.id == d.id {
            continue;
        }
        if rng.pct(30) && t.blocks.first().is_some_and(|b| b == "## Purpose") {
            let _ = writeln!(s, "- [{}](id:{}#purpose)", t.title, t.id);
        } else {
            let _ = writeln!(s, "- [{}](id:{})", t.title, t.id);
        }
    }
    if let Some(c) = d.controls.first() {
        let _ = write!(
            s,
            "- Annex A [{c}](control:{c}) in the Statement of Applicability"
        );
    }
    s.trim_end().to_string()
}

#[derive(Clone, Copy)]
enum FillerKind {
    Policy,
    Procedure,
    Standard,
    Guideline,
    Plan,
}

struct Namer {
    used_paths: BTreeSet<String>,
    used_ids: BTreeSet<String>,
    policy_topics: BTreeSet<usize>,
}

impl Namer {
    fn path(&mut self, dir: &str, stem: &str) -> String {
        let mut p = format!("{dir}/{stem}.md");
        let mut k = 2;
        while self.used_paths.contains(&p) {
            p = format!("{dir}/{stem}-{k}.md");
            k += 1;
        }
        self.used_paths.insert(p.clone());
        p
    }
    fn id(&mut self, prefix: &str) -> String {
        let mut k = 1;
        loop {
            let id = format!("{prefix}-{k:03}");
            if self.used_ids.insert(id.clone()) {
                return id;
            }
            k += 1;
        }
    }
}

fn filler(corpus: &mut Corpus, namer: &mut Namer, rng: &mut Rng, start_day: i64) {
    let roll = rng.below(100);
    if roll >= 72 {
        let area = *rng.pick(&AREAS);
        filler_record(corpus, namer, rng, start_day, area);
        return;
    }
    let kind = match roll {
        0..=7 => FillerKind::Policy,
        8..=42 => FillerKind::Procedure,
        43..=57 => FillerKind::Standard,
        58..=67 => FillerKind::Guideline,
        _ => FillerKind::Plan,
    };
    let ti = rng.below(TOPICS.len());
    let topic = &TOPICS[ti];
    let area = *rng.pick(&AREAS);
    let area_slug = slug(area);
    let sys = *rng.pick(&SYSTEMS);
    let (org, _, _) = corpus.org;
    let topic_lc = topic.name.to_lowercase();
    let allowed: Vec<&'static str> = topic
        .controls
        .iter()
        .copied()
        .filter(|c| !EXCLUDED.iter().any(|(x, _)| x == c))
        .collect();

    let (doc_type, title, dir, stem, prefix) = match kind {
        FillerKind::Policy => {
            let first = namer.policy_topics.insert(ti);
            let title = if first {
                format!("{} Policy", topic.name)
            } else {
                format!("{} Policy for {}", topic.name, area)
            };
            let stem = slug(&title);
            (
                "policy",
                title,
                "policies".to_string(),
                stem,
                format!("POL-{}", topic.code),
            )
        }
        FillerKind::Procedure => {
            let subject = *rng.pick(topic.subjects);
            let title = format!("{subject} Procedure — {area}");
            (
                "procedure",
                title,
                format!("procedures/{area_slug}"),
                slug(subject),
                format!("PRC-{}", topic.code),
            )
        }
        FillerKind::Standard => {
            let title = if rng.pct(50) {
                format!("{} Standard — {}", topic.name, area)
            } else {
                format!("{} {} Baseline", area, topic.name)
            };
            (
                "standard",
                title,
                format!("standards/{area_slug}"),
                slug(topic.name),
                format!("STD-{}", topic.code),
            )
        }
        FillerKind::Guideline => {
            let aud = *rng.pick(&AUDIENCES);
            let title = format!("{} Guidelines for {}", topic.name, aud);
            (
                "guideline",
                title,
                format!("guidelines/{area_slug}"),
                slug(&format!("{} {}", topic.name, aud)),
                format!("GDL-{}", topic.code),
            )
        }
        FillerKind::Plan => {
            let title = format!("{} Improvement Plan — {}", topic.name, area);
            (
                "plan",
                title,
                format!("plans/{area_slug}"),
                slug(&format!("{} improvement", topic.name)),
                format!("PLN-{}", topic.code),
            )
        }
    };
    let id = namer.id(&prefix);
    let path = namer.path(&dir, &stem);
    let mut d = Doc::new(id, path, title, doc_type);
    d.owner = if rng.pct(90) {
        topic.owner.to_string()
    } else {
        corpus
            .people
            .name(corpus.people.holder(topic.owner))
            .to_string()
    };
    d.classification = match rng.below(100) {
        0..=7 => "public",
        8..=77 => "internal",
        78..=95 => "confidential",
        _ => "restricted",
    };
    d.topic = topic.name;
    d.area = area;
    d.sys = sys;
    d.renamable = !matches!(kind, FillerKind::Policy);
    d.approver = if matches!(kind, FillerKind::Policy) {
        Approver::Top
    } else {
        Approver::Lead
    };
    d.control_style = match rng.below(100) {
        0..=74 => 0,
        75..=86 => 1,
        87..=94 => 2,
        _ => 3,
    };
    d.controls = if matches!(kind, FillerKind::Policy) || allowed.len() <= 1 {
        allowed.clone()
    } else {
        let k = 1 + rng.below(allowed.len());
        rng.distinct(allowed.len(), k)
            .into_iter()
            .map(|i| allowed[i])
            .collect()
    };
    if !topic.clauses.is_empty() && rng.pct(60) {
        d.clauses = topic.clauses.to_vec();
    } else if matches!(kind, FillerKind::Procedure) && rng.pct(30) {
        d.clauses = vec!["8.1"];
    }
    let major = if rng.pct(70) {
        1
    } else {
        2 + rng.below(3) as u32
    };
    let status_roll = rng.below(100);
    if status_roll < 7 {
        d.status = "draft";
        d.version = Some((0, 1 + rng.below(5) as u32));
    } else if status_roll < 8 {
        d.status = "retired";
        d.version = Some((major, rng.below(6) as u32));
    } else {
        d.version = Some((major, rng.below(6) as u32));
    }
    if d.status != "draft" {
        let by = pick_approver(&corpus.people, &d, rng);
        approved_before(&mut d, &by, start_day - rng.range(1, 300));
    }
    if matches!(kind, FillerKind::Policy) && ti == 0 && rng.pct(50) {
        d.extra = "recurring: [{record: access-review, every: \"3 months\"}]\n".into();
    }
    if d.classification == "internal" && rng.pct(4) {
        d.extra.push_str("audience: auditor\n");
    }
    if d.status == "approved" && rng.pct(3) {
        d.extra.push_str(&format!(
            "next_review: {}\n",
            ymd(start_day + rng.range(60, 400))
        ));
    }
    let role = topic.owner;
    let f = Fill {
        topic: &topic_lc,
        area,
        role,
        sys,
        org,
        kind: "",
    };
    d.summary = match kind {
        FillerKind::Policy => format!(
            "The rules for {topic_lc} at {org}{}.",
            if d.title.contains(" for ") {
                format!(" in {area}")
            } else {
                String::new()
            }
        ),
        FillerKind::Procedure => format!(
            "Step-by-step instructions for {} in {area}.",
            d.title
                .split(" Procedure")
                .next()
                .unwrap_or("this task")
                .to_lowercase()
        ),
        FillerKind::Standard => {
            format!("Minimum technical requirements for {topic_lc} on {area} systems.")
        }
        FillerKind::Guideline => format!(
            "Practical advice on {topic_lc} for {}.",
            d.title
                .rsplit(" for ")
                .next()
                .unwrap_or("staff")
                .to_lowercase()
        ),
        FillerKind::Plan => {
            format!("Planned improvements to {topic_lc} in {area} over the next year.")
        }
    };

    let opener = match kind {
        FillerKind::Policy => format!("This policy sets out what {org} expects of everyone when it comes to {topic_lc}."),
        FillerKind::Procedure => format!("This procedure describes how {} is carried out for {area}.", d.title.split(" Procedure").next().unwrap_or("the task").to_lowercase()),
        FillerKind::Standard => format!("This standard sets the minimum configuration for {topic_lc} on systems run by {area}."),
        FillerKind::Guideline => format!("These guidelines give practical advice on {topic_lc}; they explain the why as well as the what."),
        FillerKind::Plan => format!("This plan sets out how {topic_lc} will be improved in {area} over the coming year."),
    };
    let scope =
        format!("It applies to {area} and to the systems the team runs, including the {sys}.");
    d.block("## Purpose".into());
    d.block(opener);
    d.para(paragraph(PARAS, &f, rng));
    match kind {
        FillerKind::Policy => {
            d.block("## Scope".into());
            d.block(scope);
            d.para(paragraph(PARAS, &f, rng));
            d.block("## Policy statements".into());
            d.para(paragraph(PARAS, &f, rng));
            d.block(bullets(4 + rng.below(3), &f, rng));
            d.block("## Roles and responsibilities".into());
            d.block(roles_table(rng));
            d.block("## Exceptions".into());
            d.para(paragraph(PARAS, &f, rng));
            d.block("Exceptions never cover the people and systems listed under [Scope](#scope) as a whole.".into());
        }
        FillerKind::Procedure => {
            d.block("## Scope".into());
            d.block(scope);
            d.para(paragraph(PARAS, &f, rng));
            d.block(bullets(2 + rng.below(3), &f, rng));
            d.block("## Steps".into());
            // Every procedure starts with the request; the rest is a sample.
            let k = 3 + rng.below(4);
            let mut picks: Vec<usize> = rng
                .distinct(STEPS.len() - 1, k)
                .into_iter()
                .map(|i| i + 1)
                .collect();
            picks.insert(0, 0);
            let steps: Vec<String> = picks
                .iter()
                .enumerate()
                .map(|(n, &i)| format!("{}. {}", n + 1, fill(STEPS[i], &f, rng)))
                .collect();
            d.block(steps.join("\n"));
            d.block("## Records".into());
            d.para(paragraph(PARAS, &f, rng));
            d.block("## Roles and responsibilities".into());
            d.block(roles_table(rng));
        }
        FillerKind::Standard => {
            d.block("## Applicability".into());
            d.block(scope);
            d.para(paragraph(PARAS, &f, rng));
            d.block("## Requirements".into());
            d.block(bullets(3 + rng.below(3), &f, rng));
            d.block("## Baseline settings".into());
            let mut t = String::from("| Setting | Required value | Notes |\n|---|---|---|");
            let k = 4 + rng.below(3);
            for i in rng.distinct(SETTINGS.len(), k) {
                let (a, b, c) = SETTINGS[i];
                let _ = write!(t, "\n| {a} | {b} | {c} |");
            }
            d.block(t);
            d.block("## Exceptions".into());
            d.para(paragraph(PARAS, &f, rng));
        }
        FillerKind::Guideline => {
            d.block("## Guidance".into());
            d.para(paragraph(PARAS, &f, rng));
            d.block(bullets(4 + rng.below(3), &f, rng));
            d.block("## Common mistakes".into());
            d.para(paragraph(PARAS, &f, rng));
            d.block("## Who to ask".into());
            d.block(roles_table(rng));
        }
        FillerKind::Plan => {
            d.block("## Objectives".into());
            d.para(paragraph(PARAS, &f, rng));
            d.block("## Milestones".into());
            let mut t = String::from("| Milestone | Owner | Due |\n|---|---|---|");
            let k = 3 + rng.below(3);
            for (n, i) in rng.distinct(MILESTONES.len(), k).into_iter().enumerate() {
                let _ = write!(
                    t,
                    "\n| {} | {} | {} |",
                    fill(MILESTONES[i], &f, rng),
                    role,
                    ymd(start_day + 45 * (n as i64 + 1))
                );
            }
            d.block(t);
            d.block("## Resources".into());
            d.para(paragraph(PARAS, &f, rng));
        }
    }
    let related = related_block(&d, corpus, rng);
    d.block(related);
    corpus.docs.push(d);
}

fn roles_table(rng: &mut Rng) -> String {
    let mut t = String::from("| Role | Responsibility |\n|---|---|");
    let k = 3 + rng.below(2);
    for i in rng.distinct(ROLE_RESP.len(), k) {
        let (r, what) = ROLE_RESP[i];
        let _ = write!(t, "\n| {r} | {what} |");
    }
    t
}

fn pick_approver(people: &People, d: &Doc, rng: &mut Rng) -> String {
    let owner = people.holder(&d.owner);
    let pool: Vec<usize> = match d.approver {
        Approver::Top => people.top.to_vec(),
        Approver::Lead => vec![people.lead, people.holder("Head of IT"), people.top[1]],
    };
    let candidates: Vec<usize> = pool.into_iter().filter(|&i| i != owner).collect();
    if candidates.is_empty() {
        people.name(people.top[0]).to_string()
    } else {
        people.name(*rng.pick(&candidates)).to_string()
    }
}

fn filler_record(
    corpus: &mut Corpus,
    namer: &mut Namer,
    rng: &mut Rng,
    start_day: i64,
    area: &'static str,
) {
    let rk = rng.pick(RECORD_KINDS);
    let (kind, ktitle, code, folder, controls) =
        (rk.kind, rk.title, rk.code, rk.folder, rk.controls);
    let date = start_day - rng.range(1, 365);
    let period = if rng.pct(50) {
        quarter(date)
    } else {
        ymd(date)
    };
    let title = format!("{ktitle} — {area} — {period}");
    let id = namer.id(&format!("REC-{code}-{}", civil(date).0));
    let path = namer.path(
        &format!("records/{folder}/{}", civil(date).0),
        &slug(&format!("{kind} {area} {period}")),
    );
    let mut d = Doc::new(id, path, title, "record");
    d.record = Some(kind);
    d.date = Some(date);
    d.version = None;
    d.owner = rk.owner.to_string();
    d.classification = if rng.pct(60) {
        "internal"
    } else {
        "confidential"
    };
    d.controls = controls.to_vec();
    d.area = area;
    d.sys = *rng.pick(&SYSTEMS);
    d.kind_text = ktitle;
    d.para_bank = RECORD_PARAS;
    d.summary = format!("Evidence of the {} for {area}.", ktitle.to_lowercase());
    if kind == "access-review" {
        let reviewer = corpus.people.name(3 + rng.below(12)).to_string();
        d.extra = format!("systems: [{}]\nreviewer: {}\n", yq(d.sys), yq(&reviewer));
    }
    let kind_lc = ktitle.to_lowercase();
    let role = d.owner.clone();
    let f = Fill {
        topic: "",
        area,
        role: &role,
        sys: d.sys,
        org: corpus.org.0,
        kind: &kind_lc,
    };
    d.block("## Summary".into());
    d.para(paragraph(RECORD_PARAS, &f, rng));
    d.block("## Results".into());
    let checked = rng.range(8, 240);
    let issues = rng.range(0, 6);
    let closed = rng.range(0, issues);
    d.block(format!(
        "| Item | Result | Notes |\n|---|---|---|\n| Scope | The {} | Agreed in advance |\n| Items checked | {checked} | Full population |\n| Issues found | {issues} | See follow-up actions |\n| Issues closed | {closed} | At the time of writing |",
        d.sys
    ));
    d.block("## Follow-up actions".into());
    d.block(bullets(
        2 + rng.below(2),
        &Fill {
            topic: "this area",
            ..f
        },
        rng,
    ));
    d.block("## Notes".into());
    d.para(paragraph(RECORD_PARAS, &f, rng));
    let related = related_block(&d, corpus, rng);
    d.block(related);
    corpus.docs.push(d);
}

// ---------------------------------------------------------------------------
// History

/// Streams commands to `git fast-import`.
struct Stream<W: Write> {
    w: W,
}

impl<W: Write> Stream<W> {
    fn data(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        writeln!(self.w, "data {}", bytes.len())?;
        self.w.write_all(bytes)?;
        self.w.write_all(b"\n")
    }
    fn commit(&mut self, who: &Person, ts: i64, msg: &str) -> std::io::Result<()> {
        writeln!(self.w, "commit refs/heads/main")?;
        writeln!(self.w, "author {} <{}> {ts} +0000", who.name, who.email)?;
        writeln!(self.w, "committer {} <{}> {ts} +0000", who.name, who.email)?;
        self.data(msg.as_bytes())
    }
    fn put(&mut self, path: &str, content: &str) -> std::io::Result<()> {
        writeln!(self.w, "M 100644 inline {path}")?;
        self.data(content.as_bytes())
    }
    fn del(&mut self, path: &str) -> std::io::Result<()> {
        writeln!(self.w, "D {path}")
    }
}

fn bump(d: &mut Doc, rng: &mut Rng) {
    if let Some((major, minor)) = d.version {
        d.version = Some(if rng.pct(8) {
            (major + 1, 0)
        } else {
            (major, minor + 1)
        });
    }
}

/// Applies one edit to a document; returns a short description of it.
fn edit(d: &mut Doc, day: i64, people: &People, org: &str, rng: &mut Rng) -> &'static str {
    let rewrite = |d: &mut Doc, rng: &mut Rng| {
        if d.editable.is_empty() {
            return;
        }
        let j = rng.below(d.editable.len());
        let at = d.editable[j];
        if d.core {
            d.blocks[at] = format!(
                "{} (Revised {}: {})",
                d.originals[j],
                ymd(day),
                rng.pick(CORE_NOTES)
            );
            return;
        }
        let topic_lc = d.topic.to_lowercase();
        let kind_lc = d.kind_text.to_lowercase();
        let owner = d.owner.clone();
        let f = Fill {
            topic: &topic_lc,
            area: d.area,
            role: &owner,
            sys: d.sys,
            org,
            kind: &kind_lc,
        };
        let mut text = paragraph(d.para_bank, &f, rng);
        if text == d.blocks[at] {
            text.push_str(" This paragraph was reworded for clarity.");
        }
        d.blocks[at] = text;
    };
    if d.is_record() {
        rewrite(d, rng);
        return "correct the notes in";
    }
    match d.status {
        "draft" => {
            rewrite(d, rng);
            if rng.pct(20) {
                d.status = "approved";
                d.version = Some((1, 0));
                let by = pick_approver(people, d, rng);
                approved_before(d, &by, day);
                "approve the first version of"
            } else {
                bump(d, rng);
                "revise the draft of"
            }
        }
        "retired" => {
            rewrite(d, rng);
            "tidy the retired"
        }
        _ => {
            let roll = rng.below(100);
            if roll < 75 {
                rewrite(d, rng);
                bump(d, rng);
                let by = pick_approver(people, d, rng);
                approved_before(d, &by, day);
                "revise and approve"
            } else if roll < 90 {
                rewrite(d, rng);
                "reword"
            } else {
                let by = pick_approver(people, d, rng);
                approved_before(d, &by, day);
                "record the annual review of"
            }
        }
    }
}

/// Changes one tabular record's data, as day-to-day operations would.
fn data_touch(corpus: &mut Corpus, day: i64, rng: &mut Rng) -> Option<(usize, String)> {
    let which = rng.below(3);
    let doc_id = ["REC-INC", "REG-RISK", "REG-SUP"][which];
    let di = corpus.docs.iter().position(|d| d.id == doc_id)?;
    let fi = corpus.docs[di].data_file?;
    let file = &mut corpus.data[fi];
    let msg = match which {
        0 => {
            let id = format!("INC-{:04}", file.rows.len() + 1);
            let rep = day - rng.range(0, 2);
            let closed = rng.pct(80);
            let summary = rng.pick(INCIDENT_SUMMARIES).to_string();
            file.rows.push(vec![
                id.clone(),
                ymd(rep),
                summary.clone(),
                rng.pick(&["low", "low", "medium", "high"]).to_string(),
                if closed { "closed" } else { "open" }.to_string(),
                if closed { ymd(day) } else { String::new() },
            ]);
            format!("Log incident {id}: {}", summary.to_lowercase())
        }
        1 => {
            let n = file.rows.len();
            let k = 1 + rng.below(3);
            let picks = rng.distinct(n, k);
            let mut ids = Vec::new();
            for i in picks {
                file.rows[i][9] = ymd(day);
                ids.push(file.rows[i][0].clone());
            }
            format!("Review risks {}", ids.join(", "))
        }
        _ => {
            let i = rng.below(file.rows.len());
            file.rows[i][3] = ymd(day);
            format!("Record supplier assessment of {}", file.rows[i][0])
        }
    };
    corpus.docs[di].date = Some(day);
    Some((di, msg))
}

struct Options {
    docs: usize,
    commits: usize,
    seed: u64,
    out: PathBuf,
}

fn parse_args() -> Result<Options, String> {
    let mut docs = 1000usize;
    let mut commits = 5000usize;
    let mut seed = 1u64;
    let mut out: Option<PathBuf> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        match a.as_str() {
            "--docs" => {
                docs = value("--docs")?
                    .parse()
                    .map_err(|e| format!("--docs: {e}"))?
            }
            "--commits" => {
                commits = value("--commits")?
                    .parse()
                    .map_err(|e| format!("--commits: {e}"))?
            }
            "--seed" => {
                seed = value("--seed")?
                    .parse()
                    .map_err(|e| format!("--seed: {e}"))?
            }
            "--out" => out = Some(PathBuf::from(value("--out")?)),
            "-h" | "--help" => {
                println!("usage: gen_corpus --docs N --commits M [--seed S] --out DIR\n\nCreates DIR as a new git repository holding a synthetic ISMS of N documents\nwith a history of M commits. The same arguments always give the same repository.");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other:?} (try --help)")),
        }
    }
    let out = out.ok_or("--out DIR is required")?;
    Ok(Options {
        docs,
        commits,
        seed,
        out,
    })
}

fn git(dir: &Path, args: &[&str]) -> Result<(), String> {
    let status = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .status()
        .map_err(|e| format!("cannot run git {}: {e}", args.join(" ")))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("git {} failed ({status})", args.join(" ")))
    }
}

fn io_err(what: &str) -> impl Fn(std::io::Error) -> String + '_ {
    move |e| format!("{what}: {e}")
}

fn run() -> Result<(), String> {
    let started = Instant::now();
    let opt = parse_args()?;
    let mut rng = Rng(opt.seed ^ 0x5EED_1507_2700_1000);

    // Commit times first: the stage dates in isms.toml depend on the last one.
    let batches = opt.docs.div_ceil(IMPORT_BATCH).max(1);
    if opt.commits < batches {
        return Err(format!("{} documents need at least {batches} commits (one per {IMPORT_BATCH} documents imported)", opt.docs));
    }
    let mut times = Vec::with_capacity(opt.commits);
    let mut t = START_TS;
    for i in 0..opt.commits {
        if i > 0 {
            t += 3600 * rng.range(1, 4) + rng.range(0, 3599);
        }
        times.push(t);
    }
    let day_of = |ts: i64| ts.div_euclid(86_400);
    let start_day = day_of(START_TS);
    let last_day = day_of(times[times.len() - 1]);

    let org = *rng.pick(&ORGS);
    let people = People::generate(&mut rng, org.2);
    let mut corpus = Corpus {
        org,
        people,
        docs: Vec::new(),
        data: Vec::new(),
        core_paths: Vec::new(),
    };
    build_core(
        &mut CoreCtx {
            rng: &mut rng,
            start_day,
        },
        &mut corpus,
    );
    let core = corpus.docs.len();
    if opt.docs < core {
        return Err(format!(
            "--docs must be at least {core} (the mandatory documents)"
        ));
    }
    corpus.core_paths = corpus
        .docs
        .iter()
        .filter(|d| !d.is_record() && d.doc_type != "soa" && d.id != "POL-ISP")
        .map(|d| (d.path.clone(), d.title.clone()))
        .collect();
    let mut namer = Namer {
        used_paths: corpus.docs.iter().map(|d| d.path.clone()).collect(),
        used_ids: corpus.docs.iter().map(|d| d.id.clone()).collect(),
        policy_topics: BTreeSet::new(),
    };
    while corpus.docs.len() < opt.docs {
        filler(&mut corpus, &mut namer, &mut rng, start_day);
    }

    // The repository.
    if opt.out.exists()
        && opt
            .out
            .read_dir()
            .map_err(io_err("cannot read --out"))?
            .next()
            .is_some()
    {
        return Err(format!("{} exists and is not empty", opt.out.display()));
    }
    std::fs::create_dir_all(&opt.out).map_err(io_err("cannot create --out"))?;
    git(&opt.out, &["init", "--quiet", "--initial-branch=main"])?;
    let mut child = Command::new("git")
        .arg("-C")
        .arg(&opt.out)
        .args(["fast-import", "--quiet", "--done"])
        .stdin(Stdio::piped())
        .spawn()
        .map_err(io_err("cannot start git fast-import"))?;
    let stdin = child.stdin.take().ok_or("git fast-import has no stdin")?;
    let mut s = Stream {
        w: BufWriter::with_capacity(1 << 20, stdin),
    };
    let renames = write_history(&mut s, &mut corpus, &mut rng, &times, batches, last_day)
        .map_err(io_err("writing to git fast-import"))?;
    s.w.write_all(b"done\n")
        .map_err(io_err("writing to git fast-import"))?;
    drop(s);
    let status = child
        .wait()
        .map_err(io_err("waiting for git fast-import"))?;
    if !status.success() {
        return Err(format!("git fast-import failed ({status})"));
    }
    git(
        &opt.out,
        &["-c", "core.autocrlf=false", "reset", "--hard", "--quiet"],
    )?;

    println!(
        "gen_corpus: {} documents, {} commits ({renames} renames), seed {}, in {} ({:.1} s); last commit {}: use --as-of {}",
        corpus.docs.len(),
        opt.commits,
        opt.seed,
        opt.out.display(),
        started.elapsed().as_secs_f64(),
        ymd(last_day),
        ymd(last_day)
    );
    Ok(())
}

fn write_history<W: Write>(
    s: &mut Stream<W>,
    corpus: &mut Corpus,
    rng: &mut Rng,
    times: &[i64],
    batches: usize,
    last_day: i64,
) -> std::io::Result<usize> {
    let lead = corpus.people.lead;
    let (org, short, domain) = corpus.org;

    // Import commits.
    for (b, &ts) in times.iter().enumerate().take(batches) {
        let msg = if b == 0 {
            format!("Import the {short} ISMS into version control\n")
        } else {
            format!("Import ISMS documents (batch {} of {batches})\n", b + 1)
        };
        s.commit(&corpus.people.all[lead], ts, &msg)?;
        if b == 0 {
            s.put(
                "isms.toml",
                &isms_toml(corpus, org, short, domain, last_day),
            )?;
            s.put("people/roster.csv", &roster_csv(&corpus.people))?;
            s.put("README.md", &format!("# {short} ISMS\n\nThe documents of our information security management system. Each Markdown file with front matter is a controlled document; edit through pull requests and ask the ISMS Lead for approval.\n"))?;
            s.put(".gitignore", "/public/\n")?;
            for f in &corpus.data {
                s.put(&f.path, &f.render())?;
            }
        }
        let end = ((b + 1) * IMPORT_BATCH).min(corpus.docs.len());
        for d in &corpus.docs[b * IMPORT_BATCH..end] {
            s.put(&d.path, &d.render())?;
        }
    }

    // A tenth of the documents take half of the edits, as in real life.
    let n = corpus.docs.len();
    let hot: Vec<usize> = (0..n).filter(|_| rng.pct(10)).collect();
    let editors: Vec<usize> = (0..15).collect();
    let mut renames = 0;
    for &ts in &times[batches..] {
        let day = ts.div_euclid(86_400);
        let who_i = if rng.pct(40) {
            lead
        } else {
            *rng.pick(&editors)
        };
        if rng.below(RENAME_ONE_IN) == 0 {
            let candidates = 50;
            let mut done = false;
            for _ in 0..candidates {
                let i = rng.below(n);
                if !corpus.docs[i].renamable {
                    continue;
                }
                let area = *rng.pick(&AREAS);
                let old = corpus.docs[i].path.clone();
                let mut parts: Vec<&str> = old.split('/').collect();
                if parts.len() != 3 {
                    continue;
                }
                let area_slug = slug(area);
                parts[1] = &area_slug;
                let new = parts.join("/");
                if new == old {
                    continue;
                }
                let new = corpus_unique(corpus, &new);
                corpus.docs[i].path = new.clone();
                let content = corpus.docs[i].render();
                s.commit(
                    &corpus.people.all[who_i],
                    ts,
                    &format!("Move {} to {}\n", corpus.docs[i].id, new),
                )?;
                s.del(&old)?;
                s.put(&new, &content)?;
                renames += 1;
                done = true;
                break;
            }
            if done {
                continue;
            }
        }
        if rng.pct(3) {
            if let Some((di, msg)) = data_touch(corpus, day, rng) {
                let d = &corpus.docs[di];
                s.commit(&corpus.people.all[who_i], ts, &format!("{msg}\n"))?;
                if let Some(fi) = d.data_file {
                    let f = &corpus.data[fi];
                    s.put(&f.path, &f.render())?;
                }
                s.put(&d.path, &d.render())?;
                continue;
            }
        }
        let k = match rng.below(100) {
            0..=39 => 1,
            40..=64 => 2,
            65..=79 => 3,
            80..=91 => 4,
            _ => 5,
        };
        let mut picked: Vec<usize> = Vec::with_capacity(k);
        while picked.len() < k.min(n) {
            let i = if rng.pct(50) && !hot.is_empty() {
                *rng.pick(&hot)
            } else {
                rng.below(n)
            };
            if !picked.contains(&i) {
                picked.push(i);
            }
        }
        let mut lines = Vec::with_capacity(k);
        for &i in &picked {
            let what = edit(&mut corpus.docs[i], day, &corpus.people, org, rng);
            let d = &corpus.docs[i];
            lines.push((what, d.id.clone(), d.title.clone()));
        }
        let msg = if k == 1 {
            let (what, id, title) = &lines[0];
            let mut m = format!(
                "{}{} {title} ({id})\n",
                what[..1].to_uppercase(),
                &what[1..]
            );
            if m.len() > 100 {
                m = format!("{}{} {id}\n", what[..1].to_uppercase(), &what[1..]);
            }
            m
        } else {
            let mut m = format!("Update {k} documents after {}\n\n", rng.pick(EDIT_REASONS));
            for (what, id, _) in &lines {
                let _ = writeln!(m, "- {id}: {what}");
            }
            m
        };
        s.commit(&corpus.people.all[who_i], ts, &msg)?;
        for &i in &picked {
            let d = &corpus.docs[i];
            s.put(&d.path, &d.render())?;
        }
    }
    Ok(renames)
}

fn corpus_unique(corpus: &Corpus, path: &str) -> String {
    let stem = path.trim_end_matches(".md");
    let mut p = path.to_string();
    let mut k = 2;
    while corpus.docs.iter().any(|d| d.path == p) {
        p = format!("{stem}-{k}.md");
        k += 1;
    }
    p
}

fn isms_toml(corpus: &Corpus, org: &str, short: &str, domain: &str, last_day: i64) -> String {
    let p = &corpus.people;
    format!(
        "# Configuration of the {short} ISMS.\n\n[organisation]\nname = \"{org}\"\nisms_lead = \"{}\"\ntop_management = [\"{}\", \"{}\"]\n\n[audit]\nstage1 = {}\nstage2 = {}\n\n[people]\nroster = \"people/roster.csv\"\n\n[document_control]\nreview_interval_months = 12\nrequire_distinct_approver = true\n\n[site]\ntitle = \"{short} Security Policies\"\ncontact = \"Ask the ISMS Lead: isms@{domain}\"\nincident_reporting = \"Report a security incident: email security@{domain} or call the service desk\"\n",
        p.name(p.lead),
        p.name(p.top[0]),
        p.name(p.top[1]),
        ymd(last_day + 30),
        ymd(last_day + 75),
    )
}

fn roster_csv(p: &People) -> String {
    let mut s = String::from("person,role,in_scope\n");
    for (i, person) in p.all.iter().enumerate() {
        let in_scope = if i >= UNIQUE_ROLES.len() && i % 17 == 0 {
            "no"
        } else {
            "yes"
        };
        s.push_str(&csv_row(&[
            person.name.clone(),
            person.role.clone(),
            in_scope.to_string(),
        ]));
    }
    s
}

fn main() {
    if let Err(e) = run() {
        eprintln!("gen_corpus: {e}");
        std::process::exit(2);
    }
}
