//! Builders of small models for unit tests of every stage above the model.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::model::catalogue::ControlId;
use crate::model::config::Config;
use crate::model::document::{Audience, Classification, DocType, Document, Status};
use crate::model::history::History;
use crate::model::ids::{parse_date, ClauseId, Date, DocId, Spanned};
use crate::model::people::Roster;
use crate::model::record::{Record, RecordDetails};
use crate::model::Isms;

pub fn d(s: &str) -> Date {
    parse_date(s).expect("date")
}

/// An approved policy at `<id>.md`, approved by Sam Lee, owned by Kim.
pub fn doc(id: &str, doc_type: DocType) -> Document {
    let mut key_lines = BTreeMap::new();
    for (i, k) in [
        "id",
        "title",
        "type",
        "version",
        "status",
        "owner",
        "approved_by",
        "approved_on",
        "controls",
        "applicability",
    ]
    .iter()
    .enumerate()
    {
        key_lines.insert((*k).to_string(), i as u32 + 2);
    }
    Document {
        path: format!("{}.md", id.to_lowercase()),
        id: Spanned::new(DocId::parse(id).expect("id"), 2),
        title: id.to_string(),
        doc_type,
        version: Some("1.0".into()),
        status: Some(Status::Approved),
        owner: Spanned::new("Kim Park".into(), 7),
        classification: Classification::Internal,
        approved_by: Some(Spanned::new("Sam Lee".into(), 8)),
        approved_on: Some(Spanned::new(d("2026-06-01"), 9)),
        approved_digest: None,
        next_review: None,
        controls: Vec::new(),
        controls_line: None,
        clauses: Vec::new(),
        audience: Audience::default(),
        audience_written: false,
        summary: None,
        recurring: Vec::new(),
        acknowledge: None,
        record: None,
        soa: None,
        objectives: None,
        actions: Vec::new(),
        extra: BTreeMap::new(),
        key_lines,
        body: String::new(),
        body_line: 14,
        body_digest: "sha256:00".into(),
        source_digest: String::new(),
        outline: Default::default(),
        promises: Default::default(),
    }
}

pub fn with_clauses(mut doc: Document, clauses: &[&str]) -> Document {
    doc.clauses = clauses
        .iter()
        .map(|c| Spanned::new(ClauseId::parse(c).expect("clause"), 5))
        .collect();
    doc
}

pub fn with_controls(mut doc: Document, controls: &[&str]) -> Document {
    doc.controls = controls
        .iter()
        .map(|c| Spanned::new(ControlId::parse(c).expect("control"), 11))
        .collect();
    doc.controls_line = Some(10);
    doc
}

/// A record of `kind`, with no status.
pub fn record(id: &str, kind: &str) -> Document {
    let mut r = doc(id, DocType::Record);
    r.status = None;
    r.approved_by = None;
    r.approved_on = None;
    r.record = Some(Record {
        kind: kind.into(),
        date: Spanned::new(d("2026-09-01"), 6),
        data: None,
        details: RecordDetails::Other,
        table: None,
    });
    r
}

pub fn isms(documents: Vec<Document>, history: Option<History>) -> Isms {
    let documents: Vec<_> = documents.into_iter().map(std::sync::Arc::new).collect();
    let (by_id, by_path) = crate::model::document_indexes(&documents);
    let config = Config {
        top_management: vec!["Sam Lee".into()],
        ..Config::default()
    };
    Isms {
        root: PathBuf::from("."),
        actions: crate::model::action::collect(&documents, config.minor_nc_days),
        config,
        documents,
        roster: Roster::default(),
        duplicates: Vec::new(),
        history: std::sync::Arc::new(history.unwrap_or_default()),
        sources: Default::default(),
        by_id,
        by_path,
    }
}
