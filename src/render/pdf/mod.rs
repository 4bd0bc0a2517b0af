//! `exports/audit-pack.pdf`: the evidence index as one file for auditors who
//! work from documents rather than a web site. A cover (organisation, scope,
//! commit, as-of date, readiness verdict), a table of contents, the SoA, the
//! register, the findings, then every approved document with its metadata,
//! approval and history, its body rendered from the same Markdown as the
//! sites.
//!
//! Typeset in-process with Typst: the theme's template
//! (`themes/default/pdf/audit-pack.typ`) reads everything from one JSON file,
//! so no document text is ever parsed as Typst markup. Fonts are the freely
//! licensed families Typst ships (Libertinus Serif, DejaVu Sans Mono),
//! embedded in the binary: no system font is looked up, so every machine
//! makes the same file. Typst writes a tagged PDF (headings, tables, lists,
//! links and reading order for assistive technology). The document id and
//! dates come from the commit and `--as-of`, so two builds of one commit give
//! the same bytes.

mod content;
mod world;

use serde::Serialize;

use self::content::{Block, Inline, Target};
use super::{history_rows, meta_items, register, soa, HistoryRow, RenderError};
use crate::diagnostics::finding::Finding;
use crate::model::document::Document;
use crate::model::ids::{fmt_date, Date};
use crate::model::Isms;
use crate::report::Summary;

/// Where the pack goes in the audit index.
pub const PATH: &str = "exports/audit-pack.pdf";

/// The most documents one PDF file holds. Typst keeps a whole document's
/// layout in memory (about 3 MB for each ISMS document in the pack), so an
/// ISMS of thousands of documents would need tens of gigabytes in one file.
/// Above this many approved documents the pack comes in volumes: the first
/// (`audit-pack.pdf`) holds the cover, SoA, register, findings and the
/// first documents, each further one (`audit-pack-2.pdf`, ...) the next
/// documents, typeset one after the other so memory stays that of one volume.
pub const VOLUME_DOCUMENTS: usize = 250;

/// The path of volume `number` (1-based) of the pack.
pub fn volume_path(number: usize) -> String {
    if number <= 1 {
        PATH.to_string()
    } else {
        format!("exports/audit-pack-{number}.pdf")
    }
}

/// The template, embedded so the binary works from anywhere.
const TEMPLATE: &str = include_str!("../../../themes/default/pdf/audit-pack.typ");

/// Everything the template shows, as data.
#[derive(Serialize)]
struct Pack<'a> {
    title: String,
    organisation: &'a str,
    date: DateParts,
    as_of: &'a str,
    commit: Option<&'a str>,
    dirty: bool,
    tool_version: &'a str,
    scope: Option<String>,
    verdict: Verdict<'a>,
    soa_header: [&'static str; 6],
    soa: Vec<Vec<Vec<Inline>>>,
    register: Vec<Vec<Vec<Inline>>>,
    findings: Vec<Vec<Vec<Inline>>>,
    documents: Vec<DocPack>,
    /// Set when the pack comes in more than one volume.
    volume: Option<Volume>,
}

/// Which part of a pack in volumes one file is.
#[derive(Serialize, Clone)]
struct Volume {
    number: usize,
    count: usize,
    /// The file names of every volume, for the first volume's list.
    files: Vec<VolumeFile>,
    /// The labels of the documents in this volume: a link to any other
    /// document is shown as its text, since Typst links only within a file.
    /// A map rather than a list so that the template's `in` is a key lookup.
    labels: std::collections::BTreeMap<String, bool>,
}

#[derive(Serialize, Clone)]
struct VolumeFile {
    file: String,
    first: String,
    last: String,
}

#[derive(Serialize)]
struct DateParts {
    year: i32,
    month: u32,
    day: u32,
}

#[derive(Serialize)]
struct Verdict<'a> {
    stage1_ready: bool,
    blockers: &'a [String],
    stage2_date: Option<String>,
    stage2: Option<[usize; 3]>,
    counts: [usize; 4],
}

/// One approved document.
#[derive(Serialize)]
struct DocPack {
    id: String,
    label: String,
    title: String,
    doc_type: &'static str,
    path: String,
    meta: Vec<[String; 2]>,
    approval: String,
    history: Vec<HistoryRow>,
    body: Vec<Block>,
}

/// The label of a document's section in the pack.
fn label(doc: &Document) -> String {
    format!("doc-{}", doc.id.as_str())
}

/// Whether a document has its own section: approved documents (records
/// included when they carry `status: approved`).
fn in_pack(doc: &Document) -> bool {
    doc.is_approved()
}

/// Renders the audit pack: one file, or volumes of at most
/// [`VOLUME_DOCUMENTS`] documents, as `(path in the audit index, bytes)`.
pub fn render(
    isms: &Isms,
    summary: &Summary,
    findings: &[Finding],
    as_of: Date,
) -> Result<Vec<(String, Vec<u8>)>, RenderError> {
    render_in_volumes(isms, summary, findings, as_of, VOLUME_DOCUMENTS)
}

/// [`render`] with at most `per_volume` documents in each file.
fn render_in_volumes(
    isms: &Isms,
    summary: &Summary,
    findings: &[Finding],
    as_of: Date,
    per_volume: usize,
) -> Result<Vec<(String, Vec<u8>)>, RenderError> {
    let per_volume = per_volume.max(1);
    let mut pack = pack(isms, summary, findings, as_of);
    let ident = format!(
        "isms audit pack {} {} {}",
        isms.config.organisation,
        summary.commit.as_deref().unwrap_or("no commit"),
        summary.as_of
    );
    let mut documents = std::mem::take(&mut pack.documents).into_iter().peekable();
    let mut chunks: Vec<Vec<DocPack>> = Vec::new();
    while documents.peek().is_some() || chunks.is_empty() {
        chunks.push(documents.by_ref().take(per_volume).collect());
    }
    let count = chunks.len();
    let files: Vec<VolumeFile> = chunks
        .iter()
        .enumerate()
        .map(|(i, docs)| VolumeFile {
            file: volume_path(i + 1)
                .trim_start_matches("exports/")
                .to_string(),
            first: docs.first().map(|d| d.id.clone()).unwrap_or_default(),
            last: docs.last().map(|d| d.id.clone()).unwrap_or_default(),
        })
        .collect();
    let mut out = Vec::with_capacity(count);
    for (i, docs) in chunks.into_iter().enumerate() {
        let number = i + 1;
        let path = volume_path(number);
        // A pack of one file has no volume: it is what it always was.
        pack.volume = (count > 1).then(|| Volume {
            number,
            count,
            files: files.clone(),
            labels: docs.iter().map(|d| (d.label.clone(), true)).collect(),
        });
        pack.documents = docs;
        if number == 2 {
            // Later volumes show only their documents: the tables are in
            // the first.
            pack.soa.clear();
            pack.register.clear();
            pack.findings.clear();
        }
        let data = serde_json::to_vec(&pack).map_err(|e| RenderError::export(&path, e))?;
        let ident = match pack.volume {
            Some(_) => format!("{ident} volume {number}"),
            None => ident.clone(),
        };
        out.push((path.clone(), typeset(data, as_of, &ident, &path)?));
    }
    Ok(out)
}

fn typeset(data: Vec<u8>, as_of: Date, ident: &str, path: &str) -> Result<Vec<u8>, RenderError> {
    world::typeset(TEMPLATE, data, as_of, ident).map_err(|message| RenderError::Export {
        file: format!("audit/{path}"),
        message,
    })
}

fn text(v: impl Into<String>) -> Vec<Inline> {
    vec![Inline::Text { v: v.into() }]
}

/// A link to a document's section when it has one, else its id as text.
fn doc_ref(isms: &Isms, id: &str) -> Vec<Inline> {
    match isms.doc(id).filter(|d| in_pack(d)) {
        Some(d) => vec![Inline::Ref {
            to: label(d),
            c: text(id),
        }],
        None => text(id),
    }
}

/// A space-separated list of document ids, each linked where it can be.
fn doc_refs(isms: &Isms, ids: &str) -> Vec<Inline> {
    let mut out = Vec::new();
    for (i, id) in ids.split_whitespace().enumerate() {
        if i > 0 {
            out.push(Inline::Text { v: ", ".into() });
        }
        out.extend(doc_ref(isms, id));
    }
    out
}

fn pack<'a>(isms: &'a Isms, summary: &'a Summary, findings: &[Finding], as_of: Date) -> Pack<'a> {
    use chrono::Datelike;
    let organisation = isms.config.organisation.as_str();
    let scope = isms
        .documents
        .iter()
        .map(|d| &**d)
        .find(|d| d.doc_type == crate::model::document::DocType::Scope)
        .map(|d| d.summary.clone().unwrap_or_else(|| d.title.clone()));
    let soa = soa::records(isms, findings)
        .into_iter()
        .map(|r| {
            vec![
                text(r[0].clone()),
                text(r[1].clone()),
                text(r[3].clone()),
                text(r[4].clone()),
                text(r[5].clone()),
                doc_refs(isms, &r[6]),
            ]
        })
        .collect();
    let register = register::rows(isms, findings)
        .into_iter()
        .map(|r| {
            vec![
                doc_ref(isms, &r.id),
                text(r.title),
                text(r.doc_type),
                text(r.version.unwrap_or_default()),
                text(r.status.unwrap_or_default()),
                text(r.owner),
                text(r.approved_on.unwrap_or_default()),
                text(r.approval.as_str()),
            ]
        })
        .collect();
    let findings = findings
        .iter()
        .map(|f| {
            let place = match (&f.path, f.line) {
                (Some(p), Some(l)) => format!("{p}:{l}"),
                (Some(p), None) => p.clone(),
                _ => String::new(),
            };
            let mut message = f.message.clone();
            if let Some(hint) = &f.hint {
                message.push_str(" Fix: ");
                message.push_str(hint);
            }
            vec![
                text(f.severity.as_str()),
                text(f.rule.code),
                text(place),
                text(message),
            ]
        })
        .collect();
    let documents = isms
        .documents
        .iter()
        .map(|d| &**d)
        .filter(|d| in_pack(d))
        .map(|d| doc_pack(isms, d))
        .collect();
    Pack {
        title: format!("Audit pack: {}", isms.config.site_title()),
        organisation,
        date: DateParts {
            year: as_of.year(),
            month: as_of.month(),
            day: as_of.day(),
        },
        as_of: &summary.as_of,
        commit: summary.commit.as_deref(),
        dirty: summary.dirty,
        tool_version: summary.tool_version,
        scope,
        verdict: Verdict {
            stage1_ready: summary.stage1.ready,
            blockers: &summary.stage1.blockers,
            stage2_date: isms.config.stage2.map(fmt_date),
            stage2: summary
                .stage2
                .as_ref()
                .map(|s| [s.major, s.minor, s.observation]),
            counts: [
                summary.counts.error,
                summary.counts.major,
                summary.counts.minor,
                summary.counts.observation,
            ],
        },
        soa_header: [
            "Control",
            "Title",
            "Applicable",
            "Status",
            "Justification",
            "Implemented by",
        ],
        soa,
        register,
        findings,
        documents,
        volume: None,
    }
}

fn doc_pack(isms: &Isms, doc: &Document) -> DocPack {
    let meta = meta_items(isms, doc)
        .into_iter()
        .filter_map(|m| Some([m.label.to_string(), m.value?]))
        .chain([
            ["Type".to_string(), doc.doc_type.as_str().to_string()],
            ["File".to_string(), doc.path.clone()],
        ])
        .collect();
    let approval = match (&doc.approved_by, &doc.approved_on) {
        (Some(by), Some(on)) => format!(
            "Approved by {} on {}, version {}.",
            by.value,
            fmt_date(on.value),
            doc.version.as_deref().unwrap_or("(none)")
        ),
        _ => "Marked approved, without an approver or date (DC005).".to_string(),
    };
    let body = content::blocks(&doc.body, 3, &|dest| link_target(isms, doc, dest));
    DocPack {
        id: doc.id.as_str().to_string(),
        label: label(doc),
        title: doc.title.clone(),
        doc_type: doc.doc_type.as_str(),
        path: doc.path.clone(),
        meta,
        approval,
        history: history_rows(isms, doc, &|_| true),
        body,
    }
}

/// Where a body link leads in the pack: web and mail addresses as written,
/// documents of the pack to their section; anything else is plain text.
fn link_target(isms: &Isms, from: &Document, dest: &str) -> Option<Target> {
    let trimmed = dest.trim();
    let lower = trimmed.to_ascii_lowercase();
    if ["http://", "https://", "mailto:"]
        .iter()
        .any(|s| lower.starts_with(s))
    {
        return Some(Target::Url(trimmed.to_string()));
    }
    let page = super::resolve_link(isms, from, dest, &|d| in_pack(d))?;
    let id = page.split('#').next()?.strip_suffix(".html")?;
    isms.doc(id).map(|d| Target::Label(label(d)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::document::DocType;
    use crate::model::testing::{d, doc, isms};

    /// Five approved policies, the first linking to the last.
    fn five() -> Isms {
        let mut docs: Vec<Document> = (1..=5)
            .map(|n| doc(&format!("POL-{n}"), DocType::Policy))
            .collect();
        docs[0].body = "See [the last](pol-5.md) and [the second](pol-2.md).\n".into();
        isms(docs, None)
    }

    fn summary() -> Summary {
        Summary::new("root".into(), None, false, d("2027-02-15"), None, &[])
    }

    #[test]
    fn a_pack_within_the_volume_size_is_one_file() {
        let files = render_in_volumes(&five(), &summary(), &[], d("2027-02-15"), 5).expect("pack");
        let paths: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(paths, ["exports/audit-pack.pdf"]);
        assert!(files[0].1.starts_with(b"%PDF-"));
    }

    #[test]
    fn a_larger_pack_comes_in_volumes_of_whole_documents() {
        let files = render_in_volumes(&five(), &summary(), &[], d("2027-02-15"), 2).expect("pack");
        let paths: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            paths,
            [
                "exports/audit-pack.pdf",
                "exports/audit-pack-2.pdf",
                "exports/audit-pack-3.pdf"
            ]
        );
        for (path, bytes) in &files {
            assert!(bytes.starts_with(b"%PDF-"), "{path}");
        }
        // The same input gives the same bytes, volume by volume.
        let again = render_in_volumes(&five(), &summary(), &[], d("2027-02-15"), 2).expect("pack");
        assert!(files == again, "volumes differ between runs");
    }

    #[test]
    fn volume_paths_keep_the_first_at_the_contract_path() {
        assert_eq!(volume_path(1), PATH);
        assert_eq!(volume_path(2), "exports/audit-pack-2.pdf");
    }
}
