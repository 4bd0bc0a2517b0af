//! The settings of one ISMS repository (`isms.toml`), typed, with the
//! contract's defaults applied. `load::config` parses them.

use crate::model::ids::Date;

/// The settings of one ISMS repository, with the contract's defaults applied.
#[derive(Clone, Debug)]
pub struct Config {
    pub organisation: String,
    pub isms_lead: Option<String>,
    pub top_management: Vec<String>,
    pub stage1: Option<Date>,
    pub stage2: Option<Date>,
    /// Later certification-body audits (surveillance, recertification),
    /// in the order written.
    pub surveillance: Vec<Date>,
    /// Days the certification body gives to close a minor nonconformity.
    pub minor_nc_days: u32,
    /// Internal audit and management review recur at least this often.
    pub cycle_months: u32,
    pub roster: Option<String>,
    pub people: PeopleConfig,
    pub review_interval_months: u32,
    pub require_distinct_approver: bool,
    /// How approvals must be evidenced in git (DC014).
    pub approval_evidence: ApprovalEvidence,
    pub site: SiteConfig,
    pub exclude: Vec<String>,
}

/// `[document_control] approval_evidence`: what git must show for an
/// approval to count as genuine (DC014).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ApprovalEvidence {
    /// `approved_by`/`approved_on` alone (v1; DC014 is not judged).
    #[default]
    FrontMatter,
    /// The approval commit's author or committer email is the approver's.
    Commit,
    /// An `Approved-by:` trailer names the approver, on the approval commit
    /// or on the merge that brought it onto HEAD's first-parent line.
    Trailer,
    /// The approval commit carries an SSH signature by one of the
    /// approver's keys.
    Signed,
}

impl ApprovalEvidence {
    pub const ALL: [ApprovalEvidence; 4] = [
        ApprovalEvidence::FrontMatter,
        ApprovalEvidence::Commit,
        ApprovalEvidence::Trailer,
        ApprovalEvidence::Signed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ApprovalEvidence::FrontMatter => "front-matter",
            ApprovalEvidence::Commit => "commit",
            ApprovalEvidence::Trailer => "trailer",
            ApprovalEvidence::Signed => "signed",
        }
    }

    pub fn parse(text: &str) -> Option<ApprovalEvidence> {
        Self::ALL.into_iter().find(|e| e.as_str() == text)
    }
}

/// The `[people]` windows, in whole months or days, with the contract's
/// defaults. Every window includes its end day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PeopleConfig {
    /// A training completion older than this no longer counts (RD009).
    pub training_interval_months: u32,
    /// A joiner counts as trained until `joined_on` plus this (RD009).
    pub joiner_training_days: u32,
    /// Access must be removed within this of `left_on` (RD024).
    pub leaver_access_days: u32,
    /// Staff confirm an `acknowledge: true` document within this (RD026).
    pub acknowledge_days: u32,
}

impl Default for PeopleConfig {
    fn default() -> Self {
        PeopleConfig {
            training_interval_months: 12,
            joiner_training_days: 30,
            leaver_access_days: 1,
            acknowledge_days: 30,
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct SiteConfig {
    pub title: Option<String>,
    pub staff_classifications: Vec<String>,
    pub logo: Option<String>,
    pub accent: Option<String>,
    pub theme: Option<String>,
    pub contact: Option<String>,
    pub incident_reporting: Option<String>,
    /// Where staff confirm they read an `acknowledge: true` document (an
    /// `https:`, `http:` or `mailto:` address); else an email to the ISMS
    /// lead.
    pub acknowledge_url: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            organisation: String::from("Unnamed organisation"),
            isms_lead: None,
            top_management: Vec::new(),
            stage1: None,
            stage2: None,
            surveillance: Vec::new(),
            minor_nc_days: 90,
            cycle_months: 12,
            roster: None,
            people: PeopleConfig::default(),
            review_interval_months: 12,
            require_distinct_approver: true,
            approval_evidence: ApprovalEvidence::FrontMatter,
            site: SiteConfig {
                staff_classifications: vec!["public".into(), "internal".into()],
                ..SiteConfig::default()
            },
            exclude: Vec::new(),
        }
    }
}

impl Config {
    /// The site title, falling back to the organisation's name.
    pub fn site_title(&self) -> String {
        self.site
            .title
            .clone()
            .unwrap_or_else(|| format!("{} information security policies", self.organisation))
    }
}
