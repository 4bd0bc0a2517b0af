//! The document register: one row per document, shown on the audit overview
//! and exported as `exports/register.csv`. Both are built from [`rows`], so
//! the page and the spreadsheet cannot drift apart.

use rayon::prelude::*;
use serde::Serialize;

use super::{commit_day, doc_href};
use crate::diagnostics::finding::Finding;
use crate::diagnostics::rules;
use crate::model::digest::FastSet;
use crate::model::document::Document;
use crate::model::history::DocHistory;
use crate::model::ids::{fmt_date, Date};
use crate::model::Isms;

/// Whether a document's approval covers its current text. Judged by DC006
/// alone (the register only reports the rule's verdict, never re-judges it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Approval {
    /// No DC006 finding: the approved text is the current text.
    Current,
    /// DC006: the body changed after the approval.
    NotCurrent,
    /// Currency could not be judged: no approval values (DC005) or no
    /// history and no digest (DC013).
    NotJudged,
    /// Drafts, retired documents and records carry no approval to judge.
    NotApplicable,
}

impl Approval {
    pub fn as_str(self) -> &'static str {
        match self {
            Approval::Current => "yes",
            Approval::NotCurrent => "no",
            Approval::NotJudged => "not judged",
            Approval::NotApplicable => "n/a",
        }
    }
}

impl Serialize for Approval {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A date in a row, written `YYYY-MM-DD` only when the row is serialised
/// for a page or written to an export: a `serve` rebuild makes every row to
/// key the register page, and mostly reuses the page. A day that could not
/// be worked out (a commit time out of range) is written empty.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Day(pub Option<Date>);

impl std::fmt::Display for Day {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some(d) => f.write_str(&fmt_date(d)),
            None => Ok(()),
        }
    }
}

impl Serialize for Day {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// The newest commit that changed a document's body (front-matter-only
/// commits, such as an approval, are not content changes).
#[derive(Debug, Serialize, Hash)]
pub(crate) struct LastChange<'a> {
    pub commit: &'a str,
    /// The commit id as `git log --oneline` abbreviates it.
    pub short: &'a str,
    /// The author's own calendar date, as on the document's history.
    pub date: Day,
    pub author: &'a str,
}

/// One document's row, borrowing its text from the model: the register is
/// made again on every `serve` rebuild, for every document.
#[derive(Debug, Serialize, Hash)]
pub(crate) struct RegisterRow<'a> {
    pub id: &'a str,
    /// The document's page, relative to the audit site root.
    pub href: String,
    pub title: &'a str,
    pub doc_type: &'static str,
    pub version: Option<&'a str>,
    pub status: Option<&'static str>,
    pub owner: &'a str,
    pub approved_by: Option<&'a str>,
    pub approved_on: Option<Day>,
    pub next_review: Option<Day>,
    pub classification: &'static str,
    pub audience: Vec<&'static str>,
    pub staff_site: bool,
    pub path: &'a str,
    pub last_change: Option<LastChange<'a>>,
    pub approval: Approval,
    /// How git evidences the current approval, when `approval_evidence`
    /// asks for more than the front matter.
    pub evidence: Option<String>,
}

/// The CSV header, in the order of [`csv_record`].
pub(crate) const CSV_HEADER: [&str; 17] = [
    "id",
    "title",
    "type",
    "version",
    "status",
    "owner",
    "approved_by",
    "approved_on",
    "next_review",
    "classification",
    "audience",
    "staff_site",
    "last_change_commit",
    "last_change_date",
    "last_change_author",
    "approval_current",
    "path",
];

/// One row per document, in the model's (path) order, made on every core.
pub(crate) fn rows<'a>(isms: &'a Isms, findings: &[Finding]) -> Vec<RegisterRow<'a>> {
    let verdicts = Verdicts::of(findings);
    isms.documents
        .par_iter()
        .map(|d| &**d)
        .map(|d| {
            // One lookup of the history serves both columns that need it.
            let history = isms.history.docs.get(&d.path);
            RegisterRow {
                id: d.id.as_str(),
                href: doc_href(d),
                title: &d.title,
                doc_type: d.doc_type.as_str(),
                version: d.version.as_deref(),
                status: d.status.map(|s| s.as_str()),
                owner: &d.owner.value,
                approved_by: d.approved_by.as_ref().map(|a| a.value.as_str()),
                approved_on: d.approved_on.as_ref().map(|a| Day(Some(a.value))),
                next_review: isms.next_review(d).map(|n| Day(Some(n))),
                classification: d.classification.as_str(),
                audience: audience(isms, d),
                staff_site: isms.on_staff_site(d),
                path: &d.path,
                last_change: history.and_then(|h| last_change(isms, h)),
                approval: verdicts.approval(d),
                evidence: history.and_then(|h| evidence_of(isms, d, h)),
            }
        })
        .collect()
}

/// What the findings say about approvals: the documents named by the few
/// rules that decide the approval column (a handful among thousands of
/// findings, so only those are indexed).
struct Verdicts<'f> {
    /// DC006: the body differs from the approved one.
    changed: FastSet<&'f str>,
    /// DC005 or DC013: the approval could not be judged.
    unjudged: FastSet<&'f str>,
    /// The run-wide DC013 (no history at all), which leaves documents
    /// without `approved_digest` unjudged without naming each one in
    /// `document`.
    history_lost: bool,
}

impl<'f> Verdicts<'f> {
    fn of(findings: &'f [Finding]) -> Verdicts<'f> {
        let mut verdicts = Verdicts {
            changed: FastSet::default(),
            unjudged: FastSet::default(),
            history_lost: false,
        };
        for f in findings {
            let code = f.rule.code;
            let set = if code == rules::DC006.code {
                &mut verdicts.changed
            } else if code == rules::DC005.code || code == rules::DC013.code {
                &mut verdicts.unjudged
            } else {
                continue;
            };
            match &f.document {
                Some(doc) => {
                    set.insert(doc.as_str());
                }
                None if code == rules::DC013.code => verdicts.history_lost = true,
                None => {}
            }
        }
        verdicts
    }

    /// The approval verdict of `doc`.
    fn approval(&self, doc: &Document) -> Approval {
        let id = doc.id.as_str();
        if !doc.is_approved() || doc.is_record() {
            Approval::NotApplicable
        } else if self.changed.contains(id) {
            Approval::NotCurrent
        } else if self.unjudged.contains(id) || (self.history_lost && doc.approved_digest.is_none())
        {
            Approval::NotJudged
        } else {
            Approval::Current
        }
    }
}

/// Who the document is for: as written, else the contract's default.
fn audience(isms: &Isms, doc: &Document) -> Vec<&'static str> {
    let auditor = !doc.audience_written || doc.audience.auditor;
    [
        isms.staff_audience(doc).then_some("staff"),
        auditor.then_some("auditor"),
    ]
    .into_iter()
    .flatten()
    .collect()
}

fn last_change<'a>(isms: &'a Isms, history: &DocHistory) -> Option<LastChange<'a>> {
    let change = history.changes.iter().find(|c| c.body_changed)?;
    let commit = isms.history.commits.get(change.commit)?;
    Some(LastChange {
        commit: &commit.id,
        short: commit.short_id(),
        date: Day(commit_day(commit)),
        author: &commit.author,
    })
}

/// A row as CSV cells (not yet neutralised), in [`CSV_HEADER`] order. The
/// CSV has the full commit id, where the page shows the short one.
pub(crate) fn csv_record(row: &RegisterRow) -> [String; 17] {
    let opt = |v: Option<&str>| v.unwrap_or_default().to_string();
    let change = row.last_change.as_ref();
    [
        row.id.to_string(),
        row.title.to_string(),
        row.doc_type.to_string(),
        opt(row.version),
        row.status.unwrap_or_default().to_string(),
        row.owner.to_string(),
        opt(row.approved_by),
        row.approved_on.map(|d| d.to_string()).unwrap_or_default(),
        row.next_review.map(|d| d.to_string()).unwrap_or_default(),
        row.classification.to_string(),
        row.audience.join(" "),
        (if row.staff_site { "yes" } else { "no" }).to_string(),
        change.map(|c| c.commit.to_string()).unwrap_or_default(),
        change.map(|c| c.date.to_string()).unwrap_or_default(),
        change.map(|c| c.author.to_string()).unwrap_or_default(),
        row.approval.as_str().to_string(),
        row.path.to_string(),
    ]
}

/// How git evidences a document's current approval, in words: the approval
/// commit and who committed it, the `Approved-by:` trailers (its own, else
/// those of the merge that brought it in) and whether an SSH signature
/// verifies against the approver's roster keys. `None` unless
/// `approval_evidence` asked git for these facts.
pub(crate) fn approval_evidence(isms: &Isms, doc: &Document) -> Option<String> {
    evidence_of(isms, doc, isms.history.docs.get(&doc.path)?)
}

/// [`approval_evidence`] with the document's history at hand.
fn evidence_of(isms: &Isms, doc: &Document, history: &DocHistory) -> Option<String> {
    let facts = history.approval_facts.as_ref()?;
    let commit = isms.history.commits.get(facts.commit)?;
    let mut parts = vec![format!(
        "commit {} committed by {} <{}>",
        commit.short_id(),
        facts.committer_name,
        facts.committer_email
    )];
    if !facts.trailers.is_empty() {
        parts.push(format!("Approved-by: {}", facts.trailers.join(", ")));
    } else if let Some((merge, values)) = &facts.merge {
        let short = &merge[..merge.len().min(7)];
        if values.is_empty() {
            parts.push(format!("merged in {short} without Approved-by"));
        } else {
            parts.push(format!(
                "merged in {short}, Approved-by: {}",
                values.join(", ")
            ));
        }
    } else {
        parts.push("no Approved-by trailer".to_string());
    }
    let approver = doc.approved_by.as_ref().map(|a| a.value.as_str());
    let keys: Vec<&str> = isms
        .roster
        .people
        .iter()
        .filter(|p| approver.is_some_and(|a| isms.roster.same_person(&p.name, a)))
        .flat_map(|p| p.ssh_keys.iter().map(String::as_str))
        .collect();
    parts.push(
        match &facts.signature {
            None => "unsigned",
            Some(s) if s.verified_by(keys) => "SSH signature verified",
            Some(s) if s.is_ssh() => "SSH signature not verified",
            Some(_) => "signature not verified (not SSH)",
        }
        .to_string(),
    );
    Some(parts.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::document::{DocType, Status};
    use crate::model::testing::{doc, isms, record};

    fn finding(rule: &'static rules::Rule, doc: Option<&str>) -> Finding {
        let f = Finding::new(rule, "x");
        match doc {
            Some(d) => f.document(d),
            None => f,
        }
    }

    fn verdicts(docs: Vec<Document>, findings: &[Finding]) -> Vec<&'static str> {
        rows(&isms(docs, None), findings)
            .iter()
            .map(|r| r.approval.as_str())
            .collect()
    }

    #[test]
    fn approval_currency_follows_dc006() {
        let mut draft = doc("DRAFT", DocType::Policy);
        draft.status = Some(Status::Draft);
        let docs = vec![
            doc("CURRENT", DocType::Policy),
            doc("CHANGED", DocType::Policy),
            doc("NO-DATE", DocType::Policy),
            draft,
            record("REC", "access-review"),
        ];
        let findings = [
            finding(&rules::DC006, Some("CHANGED")),
            finding(&rules::DC005, Some("NO-DATE")),
            // Findings about other documents change nothing.
            finding(&rules::DC006, Some("ELSEWHERE")),
        ];
        assert_eq!(
            verdicts(docs, &findings),
            ["yes", "no", "not judged", "n/a", "n/a"]
        );
    }

    #[test]
    fn without_history_approvals_without_digest_are_not_judged() {
        let mut with_digest = doc("DIGEST", DocType::Policy);
        with_digest.approved_digest = Some(crate::model::ids::Spanned::new("sha256:00".into(), 12));
        let docs = vec![doc("PLAIN", DocType::Policy), with_digest];
        let findings = [finding(&rules::DC013, None)];
        assert_eq!(verdicts(docs, &findings), ["not judged", "yes"]);
    }

    #[test]
    fn csv_record_matches_the_header() {
        let isms = isms(vec![doc("POL-A", DocType::Policy)], None);
        let r = &rows(&isms, &[])[0];
        let cells = csv_record(r);
        let by_name = |name: &str| {
            CSV_HEADER
                .iter()
                .position(|h| *h == name)
                .map(|i| cells[i].as_str())
        };
        assert_eq!(by_name("id"), Some("POL-A"));
        assert_eq!(by_name("audience"), Some("staff auditor"));
        assert_eq!(by_name("next_review"), Some("2027-06-01"));
        assert_eq!(by_name("approval_current"), Some("yes"));
        assert_eq!(by_name("path"), Some("pol-a.md"));
    }
}
