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
mod volumes;
mod world;

use serde::Serialize;

use self::content::{Block, Inline, Target};
use super::disk_file::{Content, DiskFile};
use super::pdf_cache::PdfCache;
use super::{history_rows, meta_items, register, soa, HistoryRow, RenderError};
use crate::diagnostics::finding::Finding;
use crate::model::document::Document;
use crate::model::ids::{fmt_date, Date};
use crate::model::Isms;
use crate::report::Summary;

/// Where the pack goes in the audit index.
pub const PATH: &str = "exports/audit-pack.pdf";

/// The most documents one PDF file of the pack holds (see [`volumes`] for
/// how a large pack is cut into files).
pub const VOLUME_DOCUMENTS: usize = volumes::LIMITS.documents;

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

/// Everything the template shows, as data: one volume's view of a
/// [`Contents`].
#[derive(Serialize)]
struct Pack<'a> {
    title: &'a str,
    organisation: &'a str,
    date: &'a DateParts,
    as_of: &'a str,
    commit: Option<&'a str>,
    dirty: bool,
    tool_version: &'a str,
    scope: Option<&'a str>,
    verdict: &'a Verdict<'a>,
    soa_header: [&'static str; 6],
    /// This file holds the SoA (the first volume, or the only file).
    soa_here: bool,
    soa: &'a [Row],
    /// The rows of the register in this file, the position of the first
    /// (0-based) and the number in the whole register.
    register: &'a [Row],
    register_from: usize,
    register_total: usize,
    /// The same for the findings.
    findings: &'a [Row],
    findings_from: usize,
    findings_total: usize,
    documents: Vec<DocPack>,
    /// Set when the pack comes in more than one volume.
    volume: Option<Volume>,
}

/// A table row: cells of inline runs.
type Row = Vec<Vec<Inline>>;

/// Everything the pack holds, made once and shown by every volume in part;
/// the documents' sections are made for the volume that shows them, so
/// that the whole pack's text is never in memory at once.
struct Contents<'a> {
    isms: &'a Isms,
    title: String,
    organisation: &'a str,
    date: DateParts,
    as_of: &'a str,
    commit: Option<&'a str>,
    dirty: bool,
    tool_version: &'a str,
    scope: Option<String>,
    verdict: Verdict<'a>,
    soa: Vec<Row>,
    register: Vec<Row>,
    findings: Vec<Row>,
    /// The documents with a section of their own, in order.
    documents: Vec<&'a Document>,
}

impl Contents<'_> {
    /// The view of one file of the pack.
    fn view(&self, part: &volumes::Part, volume: Option<Volume>) -> Pack<'_> {
        Pack {
            title: &self.title,
            organisation: self.organisation,
            date: &self.date,
            as_of: self.as_of,
            commit: self.commit,
            dirty: self.dirty,
            tool_version: self.tool_version,
            scope: self.scope.as_deref(),
            verdict: &self.verdict,
            soa_header: [
                "Control",
                "Title",
                "Applicable",
                "Status",
                "Justification",
                "Implemented by",
            ],
            soa_here: part.soa,
            soa: if part.soa { &self.soa } else { &[] },
            register: &self.register[part.register.clone()],
            register_from: part.register.start,
            register_total: self.register.len(),
            findings: &self.findings[part.findings.clone()],
            findings_from: part.findings.start,
            findings_total: self.findings.len(),
            documents: {
                use rayon::prelude::*;
                self.documents[part.documents.clone()]
                    .par_iter()
                    .map(|d| doc_pack(self.isms, d))
                    .collect()
            },
            volume,
        }
    }
}

/// What one file of the pack holds, in words: `ids` are the ids of its
/// documents, the totals those of the whole register and findings.
fn holds(
    part: &volumes::Part,
    register_total: usize,
    findings_total: usize,
    ids: &[&str],
) -> String {
    let rows = |what: &str, range: &std::ops::Range<usize>, total: usize| {
        (!range.is_empty()).then(|| {
            if range.len() == total {
                what.to_string()
            } else {
                format!(
                    "{what}, rows {} to {} of {total}",
                    range.start + 1,
                    range.end
                )
            }
        })
    };
    let documents = match ids {
        [] => None,
        [one] => Some(format!("document {one}")),
        [first, .., last] => Some(format!("documents {first} to {last}")),
    };
    let parts: Vec<String> = [
        part.soa.then(|| "Statement of Applicability".to_string()),
        rows("register", &part.register, register_total),
        rows("findings", &part.findings, findings_total),
        documents,
    ]
    .into_iter()
    .flatten()
    .collect();
    let holds = parts.join("; ");
    let mut chars = holds.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => holds,
    }
}

/// The files of the pack `render` makes for this ISMS, as `(path in the
/// audit index, what it holds)`, without typesetting anything: for the
/// audit index's overview, which links them.
pub fn files(isms: &Isms, findings: &[Finding]) -> Vec<(String, String)> {
    let ids: Vec<&str> = isms
        .documents
        .iter()
        .filter(|d| in_pack(d))
        .map(|d| d.id.as_str())
        .collect();
    // The register has a row per document.
    let register = isms.documents.len();
    let parts = volumes::plan(register, findings.len(), ids.len(), volumes::LIMITS);
    listing(&parts, register, findings.len(), &ids)
}

/// The files of a pack cut into `parts`, as `(path in the audit index,
/// what it holds)`: `ids` are the ids of the pack's documents in order.
fn listing(
    parts: &[volumes::Part],
    register: usize,
    findings: usize,
    ids: &[&str],
) -> Vec<(String, String)> {
    parts
        .iter()
        .enumerate()
        .map(|(i, part)| {
            let held = holds(part, register, findings, &ids[part.documents.clone()]);
            (volume_path(i + 1), held)
        })
        .collect()
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
    /// What the file holds, in words.
    holds: String,
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
/// A volume whose input `cache` has seen is taken from it.
pub fn render(
    isms: &Isms,
    summary: &Summary,
    findings: &[Finding],
    as_of: Date,
    cache: &dyn PdfCache,
) -> Result<Vec<(String, Content)>, RenderError> {
    render_in_volumes(isms, summary, findings, as_of, volumes::LIMITS, cache)
}

/// [`render`] with at most `limits` in each file.
fn render_in_volumes(
    isms: &Isms,
    summary: &Summary,
    findings: &[Finding],
    as_of: Date,
    limits: volumes::Limits,
    cache: &dyn PdfCache,
) -> Result<Vec<(String, Content)>, RenderError> {
    let contents = contents(isms, summary, findings, as_of);
    let ident = format!(
        "isms audit pack {} {} {}",
        isms.config.organisation,
        summary.commit.as_deref().unwrap_or("no commit"),
        summary.as_of
    );
    let parts = volumes::plan(
        contents.register.len(),
        contents.findings.len(),
        contents.documents.len(),
        limits,
    );
    let count = parts.len();
    let ids: Vec<&str> = contents.documents.iter().map(|d| d.id.as_str()).collect();
    let files: Vec<VolumeFile> = listing(
        &parts,
        contents.register.len(),
        contents.findings.len(),
        &ids,
    )
    .into_iter()
    .map(|(path, holds)| VolumeFile {
        file: path.trim_start_matches("exports/").to_string(),
        holds,
    })
    .collect();
    // A volume's input, its identification and its cache key.
    let input = |i: usize| -> Result<(Vec<u8>, String, String), RenderError> {
        let number = i + 1;
        let part = &parts[i];
        // A pack of one file has no volume: it is what it always was.
        let volume = (count > 1).then(|| Volume {
            number,
            count,
            files: files.clone(),
            labels: contents.documents[part.documents.clone()]
                .iter()
                .map(|d| (label(d), true))
                .collect(),
        });
        let view = contents.view(part, volume);
        let path = volume_path(number);
        let data = serde_json::to_vec(&view).map_err(|e| RenderError::export(&path, e))?;
        let ident = match view.volume {
            Some(_) => format!("{ident} volume {number}"),
            None => ident.clone(),
        };
        let key = input_key(&data, as_of, &ident);
        Ok((data, ident, key))
    };
    // First the volumes the cache holds, found by their keys on every core;
    // an input is made again for a volume to typeset (making it costs a
    // fraction of typesetting it, and holding every input at once would
    // cost the memory of the whole pack's data).
    let kept: Vec<Option<DiskFile>> = {
        use rayon::prelude::*;
        (0..count)
            .into_par_iter()
            .map(|i| Ok(cache.get(&input(i)?.2)))
            .collect::<Result<_, RenderError>>()?
    };
    let volume = |i: usize, kept: Option<DiskFile>| -> Result<Content, RenderError> {
        if let Some(kept) = kept {
            return Ok(Content::Disk(kept));
        }
        let (data, ident, key) = input(i)?;
        let pdf = typeset(data, as_of, &ident, &volume_path(i + 1))?;
        // Once kept, the volume is read from the cache when it is written:
        // the build need not hold the whole pack in memory.
        Ok(match cache.put(&key, &pdf) {
            Some(kept) => Content::Disk(kept),
            None => Content::Memory(pdf),
        })
    };
    // One after the other: Typst lays out a volume on several cores
    // already, and two volumes at once took 60% more processor time (they
    // compete for its caches) for no shorter build.
    crate::memory::bulk(|| {
        kept.into_iter()
            .enumerate()
            .map(|(i, kept)| Ok((volume_path(i + 1), volume(i, kept)?)))
            .collect()
    })
}

/// Bumped when something that shapes a volume's bytes changes outside its
/// input: the typesetter (checked against `Cargo.lock` by a test), the
/// fonts, or how the PDF is written.
const TYPESETTER: &str = "typst 0.14.2; pack 1";

/// The cache key of a volume: a digest of everything its bytes follow from.
fn input_key(data: &[u8], as_of: Date, ident: &str) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    for part in [
        TYPESETTER.as_bytes(),
        TEMPLATE.as_bytes(),
        ident.as_bytes(),
        fmt_date(as_of).as_bytes(),
    ] {
        // Each part with its length, so that no two inputs run together.
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part);
    }
    hasher.update(data);
    crate::model::digest::hex(&hasher.finalize())
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

fn contents<'a>(
    isms: &'a Isms,
    summary: &'a Summary,
    findings: &[Finding],
    as_of: Date,
) -> Contents<'a> {
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
                doc_ref(isms, r.id),
                text(r.title),
                text(r.doc_type),
                text(r.version.unwrap_or_default()),
                text(r.status.unwrap_or_default()),
                text(r.owner),
                text(r.approved_on.map(|d| d.to_string()).unwrap_or_default()),
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
        .collect();
    Contents {
        isms,
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
        soa,
        register,
        findings,
        documents,
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
    use crate::render::pdf_cache::NoPdfCache;
    use std::sync::Mutex;

    /// A cache in a temporary folder that counts what it was asked.
    struct Counting {
        dir: tempfile::TempDir,
        kept: Mutex<Vec<String>>,
        hits: Mutex<Vec<String>>,
    }

    impl Default for Counting {
        fn default() -> Counting {
            Counting {
                dir: tempfile::tempdir().expect("tempdir"),
                kept: Mutex::default(),
                hits: Mutex::default(),
            }
        }
    }

    impl Counting {
        fn store(&self) -> crate::render::pdf_cache::DirPdfCache {
            crate::render::pdf_cache::DirPdfCache::new(self.dir.path())
        }
    }

    impl PdfCache for Counting {
        fn get(&self, key: &str) -> Option<crate::render::disk_file::DiskFile> {
            let found = self.store().get(key);
            if found.is_some() {
                self.hits.lock().expect("lock").push(key.to_string());
            }
            found
        }

        fn put(&self, key: &str, pdf: &[u8]) -> Option<crate::render::disk_file::DiskFile> {
            self.kept.lock().expect("lock").push(key.to_string());
            self.store().put(key, pdf)
        }
    }

    /// The pack of [`five`] as of 2027-02-15, typeset without a cache, in
    /// files of at most `limits`.
    fn fresh_five(limits: volumes::Limits) -> Vec<(String, Vec<u8>)> {
        in_memory(
            render_in_volumes(
                &five(),
                &summary(),
                &[],
                d("2027-02-15"),
                limits,
                &NoPdfCache,
            )
            .expect("pack"),
        )
    }

    /// The files of a pack with their bytes, wherever they are.
    fn in_memory(files: Vec<(String, Content)>) -> Vec<(String, Vec<u8>)> {
        files
            .into_iter()
            .map(|(path, content)| (path, content.to_vec().expect("read")))
            .collect()
    }

    /// Five approved policies, the first linking to the last.
    fn five() -> Isms {
        let mut docs: Vec<Document> = (1..=5)
            .map(|n| doc(&format!("POL-{n}"), DocType::Policy))
            .collect();
        docs[0].body = "See [the last](pol-5.md) and [the second](pol-2.md).\n".into();
        isms(docs, None)
    }

    /// Files of at most `documents` documents, tables all in the first.
    fn docs_per_file(documents: usize) -> volumes::Limits {
        volumes::Limits {
            documents,
            table_rows: 1000,
        }
    }

    fn summary() -> Summary {
        Summary::new("root".into(), None, false, d("2027-02-15"), None, &[])
    }

    #[test]
    fn a_pack_within_the_volume_size_is_one_file() {
        let files = fresh_five(docs_per_file(5));
        let paths: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(paths, ["exports/audit-pack.pdf"]);
        assert!(files[0].1.starts_with(b"%PDF-"));
    }

    #[test]
    fn a_long_register_comes_in_volumes_before_the_documents() {
        let limits = volumes::Limits {
            documents: 2,
            table_rows: 3,
        };
        let files = fresh_five(limits);
        // Five register rows in files of three, then five documents in
        // files of two.
        let paths: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            paths,
            [
                "exports/audit-pack.pdf",
                "exports/audit-pack-2.pdf",
                "exports/audit-pack-3.pdf",
                "exports/audit-pack-4.pdf",
                "exports/audit-pack-5.pdf"
            ]
        );
        for (path, bytes) in &files {
            assert!(bytes.starts_with(b"%PDF-"), "{path}");
        }
        let ids = ["POL-1", "POL-2", "POL-3", "POL-4", "POL-5"];
        let parts = volumes::plan(5, 0, 5, limits);
        let holds: Vec<String> = listing(&parts, 5, 0, &ids)
            .into_iter()
            .map(|(_, holds)| holds)
            .collect();
        assert_eq!(
            holds,
            [
                "Statement of Applicability; register, rows 1 to 3 of 5",
                "Register, rows 4 to 5 of 5",
                "Documents POL-1 to POL-2",
                "Documents POL-3 to POL-4",
                "Document POL-5",
            ]
        );
    }

    #[test]
    fn the_file_list_for_the_overview_is_the_files_the_pack_is_made_of() {
        let isms = five();
        let listed = files(&isms, &[]);
        let made = render(&isms, &summary(), &[], d("2027-02-15"), &NoPdfCache).expect("pack");
        let made: Vec<&str> = made.iter().map(|(p, _)| p.as_str()).collect();
        let paths: Vec<&str> = listed.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(paths, made);
        assert_eq!(
            listed[0].1,
            "Statement of Applicability; register; documents POL-1 to POL-5"
        );
    }

    #[test]
    fn a_larger_pack_comes_in_volumes_of_whole_documents() {
        let files = fresh_five(docs_per_file(2));
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
        let again = fresh_five(docs_per_file(2));
        assert!(files == again, "volumes differ between runs");
    }

    #[test]
    fn volume_paths_keep_the_first_at_the_contract_path() {
        assert_eq!(volume_path(1), PATH);
        assert_eq!(volume_path(2), "exports/audit-pack-2.pdf");
    }

    #[test]
    fn unchanged_volumes_come_from_the_cache_with_the_same_bytes() {
        let cache = Counting::default();
        let as_of = d("2027-02-15");
        let first = in_memory(
            render_in_volumes(&five(), &summary(), &[], as_of, docs_per_file(2), &cache)
                .expect("pack"),
        );
        assert!(cache.hits.lock().expect("lock").is_empty());
        assert_eq!(cache.kept.lock().expect("lock").len(), 3);

        let again = in_memory(
            render_in_volumes(&five(), &summary(), &[], as_of, docs_per_file(2), &cache)
                .expect("pack"),
        );
        assert!(first == again, "a cached volume differs from a typeset one");
        assert_eq!(
            cache.hits.lock().expect("lock").len(),
            3,
            "every volume reused"
        );

        // POL-4's text changes: its volume (the second) is typeset again,
        // and so is the first, whose register lists every document; the
        // third is reused.
        cache.hits.lock().expect("lock").clear();
        let mut changed = five();
        let pol4 = changed
            .documents
            .iter_mut()
            .find(|d| d.id.as_str() == "POL-4")
            .expect("POL-4");
        std::sync::Arc::make_mut(pol4).title = "Renamed".into();
        let fresh = in_memory(
            render_in_volumes(
                &changed,
                &summary(),
                &[],
                as_of,
                docs_per_file(2),
                &NoPdfCache,
            )
            .expect("pack"),
        );
        let cached = in_memory(
            render_in_volumes(&changed, &summary(), &[], as_of, docs_per_file(2), &cache)
                .expect("pack"),
        );
        assert!(fresh == cached, "the cache changed the output");
        assert_eq!(
            cache.hits.lock().expect("lock").len(),
            1,
            "only the third reused"
        );

        // Another as-of date is another input for every volume.
        cache.hits.lock().expect("lock").clear();
        render_in_volumes(
            &five(),
            &summary(),
            &[],
            d("2027-02-16"),
            docs_per_file(2),
            &cache,
        )
        .expect("pack");
        assert!(cache.hits.lock().expect("lock").is_empty());
    }

    #[test]
    fn the_cache_key_names_the_typesetter_in_the_lock_file() {
        let lock = include_str!("../../../Cargo.lock");
        let version = lock
            .split("[[package]]")
            .find_map(|p| {
                let mut lines = p.trim().lines();
                if lines.next()? != "name = \"typst\"" {
                    return None;
                }
                let version = lines.next()?.strip_prefix("version = ")?;
                Some(version.trim_matches('"').to_string())
            })
            .expect("typst in Cargo.lock");
        assert!(
            TYPESETTER.starts_with(&format!("typst {version};")),
            "Typst is now {version}: update TYPESETTER so that volumes typeset by the old one are not reused"
        );
    }
}
