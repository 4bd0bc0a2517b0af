//! The typed model of an ISMS repository: built once by `load`, read by
//! `checks` and `render`. Nothing past this point sees raw YAML.

pub mod acknowledge;
pub mod action;
pub mod annex_a;
pub mod body;
pub mod catalogue;
pub mod clauses;
pub mod config;
pub mod confined;
pub mod cycle;
pub mod digest;
pub mod document;
pub mod evidence;
pub mod history;
pub mod ids;
pub mod mapping_2013;
pub mod operation;
pub mod paths;
pub mod people;
pub mod promises;
pub mod record;
pub mod suppliers;
#[cfg(test)]
pub(crate) mod testing;
pub mod timeline;
pub mod training;

use std::path::PathBuf;

use config::Config;
use document::Document;
use history::History;
use people::Roster;

/// Everything loaded from one ISMS repository.
pub struct Isms {
    /// The ISMS root (the folder holding `isms.toml`).
    pub root: PathBuf,
    pub config: Config,
    /// Documents that loaded, sorted by path.
    pub documents: Vec<std::sync::Arc<Document>>,
    pub roster: Roster,
    /// Documents whose id an earlier path (in path order) already has: not
    /// part of the ISMS until renamed, and reported as DC004.
    pub duplicates: Vec<std::sync::Arc<Document>>,
    /// Git history of the documents. Always read: an ISMS outside a git
    /// repository cannot be checked (exit 2). Shared with the load state
    /// that refreshes it for the next load (`isms serve`), so keeping it
    /// costs no copy.
    pub history: std::sync::Arc<History>,
    /// Every source file read, relative path -> sha256 hex, for the manifest,
    /// sorted by path. Shared with what `isms serve` keeps between loads
    /// to find the files that changed, so that a rebuild copies no list.
    pub sources: std::sync::Arc<Vec<(String, String)>>,
    /// Every action of every source (contract 5.2), gathered once at load.
    pub actions: Vec<action::Action>,
    /// Index from document id to position in `documents`. Shared: a load
    /// whose documents have the paths and ids of the last one reuses it.
    pub by_id: DocIndex,
    /// Index from path to position in `documents`, shared as `by_id` is.
    pub by_path: DocIndex,
}

/// An index from a document's id or path to its position in
/// [`Isms::documents`].
pub type DocIndex = std::sync::Arc<digest::FastMap<String, usize>>;

/// The id and path indexes of `documents`, by position as listed.
pub fn document_indexes(documents: &[std::sync::Arc<document::Document>]) -> (DocIndex, DocIndex) {
    let by_id = documents
        .iter()
        .enumerate()
        .map(|(i, d)| (d.id.as_str().to_owned(), i))
        .collect();
    let by_path = documents
        .iter()
        .enumerate()
        .map(|(i, d)| (d.path.clone(), i))
        .collect();
    (std::sync::Arc::new(by_id), std::sync::Arc::new(by_path))
}

impl Isms {
    pub fn doc(&self, id: &str) -> Option<&Document> {
        self.by_id.get(id).map(|&i| &*self.documents[i])
    }

    pub fn doc_at(&self, path: &str) -> Option<&Document> {
        self.by_path.get(path).map(|&i| &*self.documents[i])
    }

    /// The documents meeting each of `clauses` (contract: "Clause
    /// coverage"), in document order, found in one pass over the documents:
    /// each document is read once for all the clauses, not once per clause.
    pub fn documents_meeting(&self, clauses: &[ids::ClauseId]) -> Vec<Vec<&Document>> {
        let mut met = vec![Vec::new(); clauses.len()];
        for doc in self.documents.iter().map(|d| &**d) {
            for (docs, clause) in met.iter_mut().zip(clauses) {
                if doc.meets_clause(clause) {
                    docs.push(doc);
                }
            }
        }
        met
    }

    /// Whether a document goes on the staff site (contract section 4):
    /// approved, not a record, audience includes staff, classification allowed.
    pub fn on_staff_site(&self, doc: &Document) -> bool {
        doc.is_approved()
            && !doc.is_record()
            && self.staff_audience(doc)
            && self.staff_classification(doc)
    }

    /// When a document's next review falls due: `next_review` if written,
    /// else one review interval after approval (clamped to month ends).
    pub fn next_review(&self, doc: &Document) -> Option<ids::Date> {
        doc.next_review.as_ref().map(|n| n.value).or_else(|| {
            doc.approved_on
                .as_ref()
                .map(|a| ids::add_months(a.value, self.config.review_interval_months))
        })
    }

    /// The certification-body audit the Stage 2 rules and the timeline are
    /// judged against on `as_of` (contract 5.1).
    pub fn next_audit(&self, as_of: ids::Date) -> Option<cycle::NextAudit> {
        cycle::next_audit(&self.config, as_of)
    }

    pub fn staff_classification(&self, doc: &Document) -> bool {
        self.config
            .site
            .staff_classifications
            .iter()
            .any(|c| c == doc.classification.as_str())
    }

    /// Audience as written, else the default (both when the classification is
    /// a staff one, else auditor only).
    pub fn staff_audience(&self, doc: &Document) -> bool {
        if doc.audience_written {
            doc.audience.staff
        } else {
            self.staff_classification(doc)
        }
    }
}
