//! Every rule as data: stable code, default severity, the clause behind it,
//! what it checks, why an auditor cares, and how to fix it. `isms explain`
//! prints these; check functions refer to them by constant.

use crate::diagnostics::finding::Severity;

/// A rule's description. The check itself lives in the family module.
#[derive(Debug, PartialEq, Eq)]
pub struct Rule {
    pub code: &'static str,
    pub severity: Severity,
    /// Clause (or `6.1.3 d`) of ISO/IEC 27001:2022 the rule stems from.
    pub clause: &'static str,
    pub family: Family,
    /// One line: what the rule reports.
    pub title: &'static str,
    /// Why an auditor cares.
    pub why: &'static str,
    /// How to fix it.
    pub fix: &'static str,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    DocumentControl,
    Soa,
    Stage1,
    Stage2,
    /// The certification body's findings (v2).
    Certification,
}

impl Family {
    pub fn label(self) -> &'static str {
        match self {
            Family::DocumentControl => "Document control (clause 7.5)",
            Family::Soa => "Statement of Applicability (clause 6.1.3 d)",
            Family::Stage1 => "Stage 1 readiness (mandatory documented information)",
            Family::Stage2 => "Stage 2 readiness (records)",
            Family::Certification => "Certification cycle (certification-body findings)",
        }
    }
}

macro_rules! rules {
    ($($name:ident = $code:literal, $sev:ident, $clause:literal, $fam:ident, $title:literal, $why:literal, $fix:literal;)*) => {
        $(
            pub static $name: Rule = Rule {
                code: $code,
                severity: Severity::$sev,
                clause: $clause,
                family: Family::$fam,
                title: $title,
                why: $why,
                fix: $fix,
            };
        )*
        /// All rules in code order.
        pub static ALL: &[&Rule] = &[$(&$name),*];
    };
}

rules! {
    DC001 = "DC001", Error, "7.5.3", DocumentControl,
        "Front matter cannot be read: never closed, invalid YAML, the file is not UTF-8, or it passes a limit (nested more than 64 levels, larger than 8 MiB, text after a one-line `{...}` mapping, a link leading out of the ISMS).",
        "A document whose metadata cannot be read has no verifiable owner, version or approval, so it is not controlled documented information.",
        "Open the file at the reported line. Front matter starts with a `---` line and ends with another `---` line; the YAML between must be valid (quote values that contain `: ` or start with special characters). Save the file as UTF-8. Flatten front matter nested deeper than 64 levels, split a document over 8 MiB, write a `{...}` mapping as block YAML, and replace a link that leads out of the ISMS with the document itself.";
    DC002 = "DC002", Error, "7.5.2", DocumentControl,
        "A required front matter key is missing.",
        "Clause 7.5.2 expects documented information to carry identification and description (id, title, owner, version) so it can be controlled.",
        "Add the key named in the message. Documents need id, title, type, version, status, owner and classification; records need id, title, type, record, date, owner and classification.";
    DC003 = "DC003", Error, "7.5.2", DocumentControl,
        "A value is invalid (a bad date or a year outside 1900-9999, an unknown type, status or classification, an id over 64 characters, a control character, a bad CSV cell, a file path that leads out of the ISMS), or a key looks like a misspelt contract key.",
        "A value the tool cannot interpret would silently change what is checked and published.",
        "Correct the value at the reported line; the message lists the accepted values. For a misspelt key, use the suggested spelling. Paths (`data:`, `[site] logo`, `[people] roster`) must stay inside the ISMS folder.";
    DC004 = "DC004", Error, "7.5.3", DocumentControl,
        "Two documents share the same id.",
        "Ids identify documentation in approvals, links and the register; a duplicate makes the approval trail ambiguous.",
        "Give one of the documents a new, unique id and update links that use `id:`.";
    DC005 = "DC005", Minor, "7.5.2", DocumentControl,
        "A document is marked approved but does not say who approved it or when.",
        "Clause 7.5.2 requires review and approval for suitability and adequacy; without a name and date the approval cannot be shown to the auditor.",
        "Run `isms approve ID --by NAME` (or add `approved_by` and `approved_on`).";
    DC006 = "DC006", Minor, "7.5.3", DocumentControl,
        "The approval is not current: the body changed after the approval was recorded, or differs from `approved_digest`.",
        "An auditor compares the approved version with the one in use; an unapproved change to a policy is a classic document control nonconformity.",
        "Have the change reviewed, then record the new approval with `isms approve ID --by NAME` (which updates approved_on and approved_digest), or revert the body change.";
    DC007 = "DC007", Minor, "7.5.2", DocumentControl,
        "A review is overdue (`next_review` is before the as-of date); an observation when it falls due before Stage 2.",
        "Documents must be kept suitable; an overdue review suggests the document may not reflect practice.",
        "Review the document with its owner, then re-approve it (the next review date follows from approved_on and the review interval) or set `next_review`.";
    DC008 = "DC008", Observation, "7.5.3", DocumentControl,
        "A controlled document has uncommitted changes.",
        "What is published and checked should be what is recorded in version control; uncommitted changes have no history or approval trail.",
        "Commit the change through the usual pull request, or discard it.";
    DC009 = "DC009", Observation, "7.5.2", DocumentControl,
        "The approver is the document's owner while `require_distinct_approver` is set.",
        "Approval by someone other than the author gives an independent check of suitability; the organisation's own rule asks for it.",
        "Have someone other than the owner approve the document, or set `require_distinct_approver = false` if that is your documented practice.";
    DC010 = "DC010", Minor, "7.5.3", DocumentControl,
        "A link points to a document, heading or control that does not exist.",
        "Broken references make documented information hard to use and suggest documents drifted apart.",
        "Fix the link target: a relative path to an existing `.md`, `id:DOC-ID`, an existing `#heading`, or `control:` with an Annex A 2022 id.";
    DC011 = "DC011", Observation, "7.5.3", DocumentControl,
        "An approved document links to a draft.",
        "Approved guidance that relies on unapproved text gives the draft de facto authority.",
        "Approve the linked document or remove the link until it is approved.";
    DC012 = "DC012", Error, "7.5.2", DocumentControl,
        "`approved_on` is after the as-of date.",
        "An approval dated in the future cannot have happened; the date is almost certainly a typo.",
        "Correct `approved_on` to the real approval date.";
    DC013 = "DC013", Observation, "7.5.3", DocumentControl,
        "History is cut short (a shallow clone, or the approval commit is missing), so approval currency was judged by `approved_digest` only, or not at all.",
        "Without the approval commit the tool cannot prove that the approved text is the text in use.",
        "Check out the full history (for CI, `fetch-depth: 0`), or record digests with `isms approve` so approvals can be verified without history.";
    DC014 = "DC014", Minor, "7.5.3", DocumentControl,
        "The approval is not evidenced in git as `approval_evidence` requires: the approval commit is not the approver's (commit), has no `Approved-by:` trailer naming the approver (trailer), or carries no SSH signature that verifies against the approver's roster key (signed).",
        "An `approved_by` line anyone can type proves nothing; an auditor asking whether approval records are genuine wants evidence the approver cannot deny: their own commit, a recorded review, or their signature.",
        "Have the approver make (or sign) the approval commit, or merge it with an `Approved-by: <name>` trailer, as `[document_control] approval_evidence` says; check that the roster lists their email or `ssh_key`.";
    DC015 = "DC015", Minor, "7.5.2", DocumentControl,
        "One `version` names two different approved texts: the document was approved again with a changed body but the same version.",
        "Clause 7.5.2 asks for identification of documented information; when version 2.0 means two texts, nobody can tell which one a reader, a record or an acknowledgement refers to.",
        "Raise `version` for the text approved last (and record the approval again with `isms approve`), so each approved text has its own version.";

    SOA001 = "SOA001", Major, "6.1.3", Soa,
        "There is no Statement of Applicability.",
        "The SoA is mandatory documented information; certification cannot proceed without it.",
        "Add a document with `type: soa` and an `applicability:` entry for each of the 93 Annex A controls (`isms new soa \"Statement of Applicability\"` scaffolds one).";
    SOA002 = "SOA002", Major, "6.1.3", Soa,
        "An Annex A control is not addressed in the SoA.",
        "Every Annex A control must be compared against the necessary controls and either included or excluded with a justification.",
        "Add an `applicability:` entry for the named control, with `applicable`, `status` and a justification.";
    SOA003 = "SOA003", Error, "6.1.3", Soa,
        "A control id is not an ISO/IEC 27001:2022 Annex A control (2013 ids get their 2022 replacements as a hint).",
        "References to controls that do not exist in the 2022 catalogue leave the coverage unclear, often because of an un-migrated 2013 SoA.",
        "Use a 2022 id such as `5.15`; `isms controls` lists them all.";
    SOA004 = "SOA004", Error, "6.1.3", Soa,
        "A control is listed twice in the SoA.",
        "Two entries for one control can contradict each other; the auditor cannot tell which is in force.",
        "Merge the entries into one.";
    SOA005 = "SOA005", Minor, "6.1.3", Soa,
        "An inclusion or exclusion has no justification.",
        "The SoA must justify why each control is included and why any control is excluded.",
        "Write a short, specific `justification` for the entry.";
    SOA006 = "SOA006", Minor, "6.1.3", Soa,
        "A control is applicable and `implemented`, but no approved document implements it.",
        "Claiming implementation without documented means invites the auditor to sample it and find nothing.",
        "List the control under `controls:` in the approved policy or procedure that implements it, or correct the status.";
    SOA007 = "SOA007", Observation, "6.1.3", Soa,
        "A control is excluded in the SoA, yet a document claims to implement it.",
        "The SoA and the documents disagree about what is in place.",
        "Either include the control in the SoA or remove it from the document's `controls:`.";
    SOA008 = "SOA008", Error, "6.1.3", Soa,
        "There is more than one SoA document.",
        "There must be a single Statement of Applicability; two versions make coverage ambiguous.",
        "Keep one document with `type: soa`; retire or remove the other.";
    SOA009 = "SOA009", Major, "6.1.3", Soa,
        "The Statement of Applicability is not approved (`status` is not `approved`).",
        "The SoA is mandatory documented information that management must approve; a draft SoA cannot be certified against.",
        "Have top management approve the SoA: set `status: approved` with `approved_by` and `approved_on` (or run `isms approve`).";

    ST001 = "ST001", Major, "4.3", Stage1,
        "No approved scope of the ISMS.",
        "The scope is mandatory documented information and the first thing a Stage 1 auditor reads.",
        "Add and approve a document with `type: scope` (or `clauses: [\"4.3\"]`).";
    ST002 = "ST002", Major, "5.2", Stage1,
        "No approved information security policy, or it is not approved by top management.",
        "Top management must establish the information security policy; approval by someone else fails clause 5.",
        "Approve a policy with `clauses: [\"5.2\"]` by a person listed in `top_management`.";
    ST003 = "ST003", Major, "6.1.2", Stage1,
        "The risk assessment or treatment process, or their results, are missing.",
        "The risk process and its results (6.1.2, 6.1.3, 8.2, 8.3) are mandatory and drive the SoA.",
        "Add approved documents for the risk assessment process (`type: risk-assessment`) and treatment (`type: risk-treatment-plan`), and a risk register record (`record: risk-register`).";
    ST004 = "ST004", Minor, "6.2", Stage1,
        "No information security objectives, or objectives without an owner or a measure.",
        "Objectives must be measurable and have someone responsible for them.",
        "Approve a `type: objectives` document whose every objective has `objective`, `owner` and `measure`.";
    ST005 = "ST005", Minor, "7.5.1", Stage1,
        "Other mandatory documented information is missing (7.2, 8.1, 9.1 or 10.2, named).",
        "Competence evidence, operational records, monitoring results and corrective actions must be available.",
        "Add the named evidence: training records (7.2), any record (8.1), monitoring results (`clauses: [\"9.1\"]`), corrective actions (10.2).";

    RD001 = "RD001", Major, "9.2", Stage2,
        "No internal audit record.",
        "An internal audit before Stage 2 is required; its absence is a major nonconformity with no flexibility.",
        "Carry out an internal audit and add a record with `record: internal-audit`.";
    RD002 = "RD002", Observation, "9.2", Stage2,
        "The internal audit was completed less than 8 weeks before Stage 2.",
        "Too late an audit leaves no time to act on findings before the auditor arrives.",
        "Plan the internal audit at least 8 weeks before Stage 2, or move Stage 2.";
    RD003 = "RD003", Minor, "9.2.2", Stage2,
        "The internal auditor is the ISMS lead or owns a document in the audit's scope.",
        "Auditors must be objective and impartial: they must not audit their own work.",
        "Use an auditor who owns nothing in scope (another team, or an external auditor), or narrow the scope.";
    RD004 = "RD004", Major, "9.3", Stage2,
        "No management review record.",
        "Top management must review the ISMS at planned intervals; there must be a review before certification.",
        "Hold a management review and add a record with `record: management-review`.";
    RD005 = "RD005", Observation, "9.3", Stage2,
        "The management review was held less than 6 weeks before Stage 2.",
        "Its decisions need time to take effect before the certification audit.",
        "Hold the management review at least 6 weeks before Stage 2.";
    RD006 = "RD006", Minor, "9.3.2", Stage2,
        "A management review has no top-management attendee, or misses required inputs (named).",
        "The review is top management's; it must consider every input of 9.3.2 a-g.",
        "List the attendees (including a person from `top_management`) and cover every input key: previous-actions, issue-changes, interested-party-changes, performance, interested-party-feedback, risk, improvement.";
    RD007 = "RD007", Minor, "8.2", Stage2,
        "A risk has no owner, its residual risk was not accepted by its owner, or it was not reviewed within the review interval.",
        "Risk owners must approve the treatment plan and accept residual risks; an unreviewed register does not reflect current risk.",
        "Fill `owner`, have the owner accept the residual risk (`accepted_by`, `accepted_on`) and review the risk (`reviewed_on`).";
    RD008 = "RD008", Minor, "8.1", Stage2,
        "A recurring activity a document promises has no record within its interval.",
        "Documentation that does not match practice is the most common Stage 2 finding: the auditor asks for the last quarterly review.",
        "Carry out the activity and add a record of that kind, or correct the promised interval.";
    RD009 = "RD009", Minor, "7.2", Stage2,
        "In-scope people (roster) have no training that counts: none at all, or only completions older than `training_interval_months` or past their `expires_on`; joiners count until `joined_on` + `joiner_training_days`, leavers are not judged.",
        "Competence and awareness must be evidenced for everyone in scope, and kept current: training done two years ago does not show awareness of today's policies.",
        "Add the missing people to a training record's CSV with their completion date (`person,completed_on`, optionally `expires_on`), or refresh the lapsed training.";
    RD010 = "RD010", Minor, "5.24", Stage2,
        "No incident log.",
        "The auditor asks for the incident log; even an empty log shows the process exists.",
        "Add a record with `record: incident-log` and a CSV with the contract's columns (zero rows is valid).";
    RD011 = "RD011", Minor, "5.22", Stage2,
        "The supplier register is missing, or a supplier was not assessed within the interval or has no security clauses.",
        "Supplier relationships must be managed and monitored; an unassessed critical supplier is a frequent finding.",
        "Add a `supplier-register` record; assess the named supplier and record `last_assessed` and `security_clauses`.";
    RD012 = "RD012", Minor, "10.2", Stage2,
        "An internal audit finding has no action, or its action is overdue.",
        "Nonconformities must be acted on; open, overdue actions show the ISMS does not improve.",
        "Give each major and minor finding an `action` and a `due` date, close it (`closed_on`) or re-plan it.";
    RD013 = "RD013", Observation, "7.3", Stage2,
        "A staff-relevant policy is not on the staff site.",
        "Staff must be aware of the policy; the auditor interviews staff who cannot find a policy.",
        "Make the policy's classification one of `staff_classifications` and include `staff` in its audience.";
    RD014 = "RD014", Observation, "7.5.2", Stage2,
        "A document was approved less than 4 weeks before Stage 2.",
        "Last-minute approvals suggest the documentation was written for the audit, not operated.",
        "Approve documents at least 4 weeks before Stage 2 so they can be shown to operate.";
    RD015 = "RD015", Observation, "9.2", Stage2,
        "No `[audit] stage2` date: timeline rules were not judged.",
        "Without the Stage 2 date the tool cannot say whether the audit and review are early enough.",
        "Set `stage2` under `[audit]` in `isms.toml`.";
    RD016 = "RD016", Minor, "10.2", Stage2,
        "An action from a corrective-actions log, a management review or a risk-treatment plan is overdue (open, `due` before the as-of date).",
        "Actions decided and then left undone show the ISMS does not improve: the auditor samples open actions and asks why they slipped.",
        "Carry out the action and record `closed_on`, or agree a new `due` date with its owner and record it.";
    RD017 = "RD017", Minor, "10.2", Stage2,
        "An action from a corrective-actions log, a management review or a risk-treatment plan has no `owner` or no `due` date (v1's plain-text management-review actions have neither).",
        "An action nobody owns, or that has no date, is not a plan: 9.3.3 and 6.1.3 expect decisions to be assigned and carried out.",
        "Write the action as `{id, action, owner, due}` (management review, treatment plan) or fill the `owner` and `due` columns of the corrective-actions log.";
    RD018 = "RD018", Observation, "10.2", Stage2,
        "A corrective action was closed without `effectiveness_reviewed_on`.",
        "Clause 10.2 d asks that the effectiveness of corrective actions be reviewed: closing is not the end.",
        "Check that the fix worked (the nonconformity has not recurred) and record the day in the `effectiveness_reviewed_on` column.";
    RD019 = "RD019", Minor, "10.2", Stage2,
        "A reference leads nowhere: an `action_id` that no action has, or a corrective action's `finding` that no internal-audit or certification-audit finding has.",
        "The auditor follows a finding to its corrective action and back; a broken trail cannot show the nonconformity was dealt with.",
        "Correct the id, or add the missing action (corrective-actions log, management review or treatment plan) or finding.";
    RD020 = "RD020", Minor, "9.2", Stage2,
        "The latest internal audit or management review is older than `cycle_months` (default 12).",
        "Internal audits and management reviews must recur at planned intervals; after certification, surveillance auditors expect each at least yearly.",
        "Hold the internal audit or management review and add its record, or set `[audit] cycle_months` to the interval your programme plans.";
    CB001 = "CB001", Major, "10.2", Certification,
        "A major nonconformity raised by the certification body is open.",
        "While a major nonconformity is open, certification cannot be granted (or, after certification, is at risk).",
        "Correct the nonconformity, record its corrective action (`action_id`) and, once the certification body accepts it, its `closed_on`.";
    CB002 = "CB002", Minor, "10.2", Certification,
        "A minor nonconformity raised by the certification body is open after its `due` date (default: the audit's last day plus `minor_nc_days`).",
        "The certification body gives a window to close minors; missing it can turn a minor into a major at the next visit.",
        "Close the nonconformity and record `closed_on`, or record the new `due` date the certification body agreed.";
    CB003 = "CB003", Observation, "10.2", Certification,
        "A major or minor nonconformity from the certification body, open or closed, names no corrective action (`action_id`).",
        "Nonconformities need a root-cause corrective action (10.2); the certification body checks it at the next visit.",
        "Add the corrective action to the corrective-actions log and give the finding its `action_id`.";
    CB004 = "CB004", Observation, "9.2", Certification,
        "A Stage 1 area of concern (`concern`) is open; minor once the Stage 2 date has passed.",
        "Areas of concern from Stage 1 are likely to be raised as nonconformities at Stage 2 if they are still open.",
        "Address the concern before Stage 2 and record `closed_on` on the finding.";
    RD021 = "RD021", Observation, "8.1", Stage2,
        "A body promises a recurring activity in words (daily, quarterly, every six months...) that the document does not declare in `recurring:`.",
        "Documents that promise what nobody does are the most common Stage 2 finding: the auditor reads \"quarterly\" and asks for the last four records. Declared in `recurring:`, the promise is checked by RD008 before the auditor asks.",
        "Declare the activity in the document's `recurring:` with the same interval (`{record: access-review, every: quarterly}`) and keep records of it, or reword the sentence so it promises only what is done. A line about the document's own review at its review interval is not a promise.";
    RD022 = "RD022", Minor, "9.2", Stage2,
        "The internal audits dated within `cycle_months` before the next audit leave a clause of 4-10 uncovered (named).",
        "The audit programme must cover the whole ISMS; an auditor compares the internal audits' scope with clauses 4 to 10 and asks about every gap.",
        "Extend the next internal audit's `scope_clauses` to the named clauses (a sub-clause such as 9.2.2 covers its clause), or add an internal audit that covers them.";
    RD023 = "RD023", Minor, "5.19", Stage2,
        "A supplier is missing from the supplier register: an in-scope row of a `supplier-inventory`, or the `organisation` of an in-scope contractor in the roster.",
        "The register must hold every supplier the organisation actually uses; the auditor compares it with what finance pays and who works on site.",
        "Add the supplier to the supplier register (names are compared ignoring case, punctuation and a trailing legal form such as Ltd), or mark the inventory row `in_scope: no` with a `reason`.";
    RD024 = "RD024", Minor, "5.18", Stage2,
        "A leaver's access was not shown removed in time: no `leavers` row, or `access_removed_on` after `left_on` + `leaver_access_days`.",
        "Removing access when people leave is one of the first things an auditor samples; without a record nobody can show it happened.",
        "Add a row to a `leavers` record (`person,left_on,access_removed_on,systems`) with the day access was removed, and remove access within `leaver_access_days` of leaving.";
    RD025 = "RD025", Observation, "6.1.3", Stage2,
        "Applicable controls marked `implemented` in the SoA that no record lists in `controls:` (no operating evidence), per Annex A theme.",
        "An auditor samples implemented controls and asks for evidence that they operate; a policy alone shows intent, not operation.",
        "List the controls a record evidences in its `controls:` (an access review evidences 5.15 and 5.18), or set the SoA status to what is in place.";
    RD026 = "RD026", Minor, "7.3", Stage2,
        "In-scope people have not acknowledged the current version of an `acknowledge: true` document within `acknowledge_days` of its approval (or of joining).",
        "Staff must be aware of the policy that applies to them; a signed acknowledgement of the current version is what the auditor asks for.",
        "Collect confirmations and add rows to an `acknowledgements` record (`person,document,version,acknowledged_on`) naming the document's id and current version.";
}

/// Looks a rule up by code, case-insensitively.
pub fn find(code: &str) -> Option<&'static Rule> {
    ALL.iter()
        .copied()
        .find(|r| r.code.eq_ignore_ascii_case(code.trim()))
}

impl Rule {
    /// The title of the clause (or Annex A control) behind the rule, else
    /// its family's label.
    pub fn clause_title(&self) -> &'static str {
        if let Some(c) = crate::model::ids::ClauseId::parse(self.clause) {
            if let Some(t) = crate::model::clauses::title(&c) {
                return t;
            }
        }
        if let Some(c) = crate::model::catalogue::ControlId::parse(self.clause) {
            return c.control().title;
        }
        self.family.label()
    }

    /// What `isms explain CODE` prints: the rule, the clause behind it, why
    /// it matters and how to fix it. SARIF rules carry the same text.
    pub fn explanation(&self) -> String {
        format!(
            "{} ({}): {}\n\nClause: {} ({})\n\nWhy it matters:\n  {}\n\nHow to fix it:\n  {}\n",
            self.code,
            self.severity,
            self.title,
            self.clause,
            self.clause_title(),
            self.why,
            self.fix
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_match_names() {
        let mut codes: Vec<&str> = ALL.iter().map(|r| r.code).collect();
        let n = codes.len();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), n);
        assert_eq!(n, 15 + 9 + 5 + 26 + 4);
        assert_eq!(find("dc006").map(|r| r.code), Some("DC006"));
    }
}
