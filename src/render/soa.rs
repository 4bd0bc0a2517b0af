//! The auditor's view of the Statement of Applicability: all 93 controls in
//! catalogue order with applicability, status, justification, implementing
//! documents and evidence, and the same table as `exports/soa.csv`.

use super::RenderError;
use std::collections::HashMap;

use serde::Serialize;

use super::{doc_page, memo, page_context, Pages, SiteContext, SiteFile};
use crate::diagnostics::finding::Finding;
use crate::model::catalogue::{Control, ControlId, Theme, CONTROLS};
use crate::model::document::{Document, SoaEntry};
use crate::model::operation::{Evidence, Operation};
use crate::model::Isms;

/// One control's row, shared by the page and the CSV.
struct ControlRow<'a> {
    id: ControlId,
    entry: Option<&'a SoaEntry>,
    implemented_by: Vec<&'a Document>,
    evidence: Vec<&'a Document>,
    findings: usize,
}

/// Every catalogue control in catalogue order with its SoA entry, if the SoA
/// has one (the coverage chart and this page read the SoA the same way).
pub(crate) fn entries(isms: &Isms) -> Vec<(&'static Control, Option<&SoaEntry>)> {
    let soa = isms
        .documents
        .iter()
        .map(|d| &**d)
        .find_map(|d| d.soa.as_ref());
    CONTROLS
        .iter()
        .map(|c| {
            (
                c,
                soa.and_then(|s| s.entries.iter().find(|e| e.control == c.id)),
            )
        })
        .collect()
}

fn rows<'a>(isms: &'a Isms, findings: &[Finding]) -> Vec<ControlRow<'a>> {
    // One pass over the documents and findings, not one per control.
    let mut listing: HashMap<ControlId, Vec<&Document>> = HashMap::new();
    for d in isms.documents.iter().map(|d| &**d) {
        let mut ids: Vec<ControlId> = d.controls.iter().map(|c| c.value).collect();
        ids.sort();
        ids.dedup();
        for id in ids {
            listing.entry(id).or_default().push(d);
        }
    }
    let mut finding_counts: HashMap<ControlId, usize> = HashMap::new();
    for id in findings.iter().filter_map(|f| f.control) {
        *finding_counts.entry(id).or_default() += 1;
    }
    entries(isms)
        .into_iter()
        .map(|(c, entry)| {
            let listed = listing.get(&c.id).map_or(&[][..], Vec::as_slice);
            let (evidence, implemented_by) = listed.iter().copied().partition(|d| d.is_record());
            ControlRow {
                id: c.id,
                entry,
                implemented_by,
                evidence,
                findings: finding_counts.get(&c.id).copied().unwrap_or(0),
            }
        })
        .collect()
}

fn applicable(row: &ControlRow) -> &'static str {
    match row.entry {
        None => "not addressed",
        Some(e) if e.applicable => "yes",
        Some(_) => "no",
    }
}

fn status(row: &ControlRow) -> &'static str {
    row.entry.and_then(|e| e.status).map_or("", |s| s.as_str())
}

fn justification(row: &ControlRow) -> String {
    row.entry
        .and_then(|e| e.justification.clone())
        .unwrap_or_default()
}

#[derive(Serialize, Hash)]
struct Cell {
    text: Option<String>,
    href: Option<String>,
    code: bool,
    html: Option<String>,
}

fn plain(text: impl Into<String>) -> Cell {
    Cell {
        text: Some(text.into()),
        href: None,
        code: false,
        html: None,
    }
}

/// Appends `s` to `out`, escaped for HTML text and attribute values.
/// One pass: the SoA links every implementing document of every control,
/// which at thousands of documents makes this the page's main cost.
fn push_escaped(out: &mut String, s: &str) {
    let mut rest = s;
    while let Some(at) = rest.find(['&', '<', '>', '"']) {
        out.push_str(&rest[..at]);
        out.push_str(match rest.as_bytes()[at] {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            _ => "&quot;",
        });
        rest = &rest[at + 1..];
    }
    out.push_str(rest);
}

/// `items` as HTML, one a line: each written by `write` (which escapes
/// what it takes from the model), the lines joined with `<br>`.
fn html_lines<T>(items: &[T], write: impl Fn(&mut String, &T)) -> String {
    let mut html = String::new();
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            html.push_str("<br>");
        }
        write(&mut html, item);
    }
    html
}

/// Links to documents, already escaped, for a `html` cell.
fn links(docs: &[&Document]) -> Cell {
    if docs.is_empty() {
        return Cell {
            text: None,
            href: None,
            code: false,
            html: None,
        };
    }
    let html = html_lines(docs, |html, d| {
        html.push_str("<a href=\"docs/");
        push_escaped(html, &doc_page(d));
        html.push_str("\">");
        push_escaped(html, d.id.as_str());
        html.push_str(" <span class=\"muted\">");
        push_escaped(html, &d.title);
        html.push_str("</span></a>");
    });
    Cell {
        text: None,
        href: None,
        code: false,
        html: Some(html),
    }
}

/// Links to records with their dates (newest first as given), already
/// escaped; `none` when there are none.
fn dated_links(records: &[Evidence], none: &str) -> Cell {
    if records.is_empty() {
        return plain(none);
    }
    let html = html_lines(records, |html, e| {
        html.push_str("<a href=\"docs/");
        push_escaped(html, &doc_page(e.record));
        html.push_str("\">");
        push_escaped(html, e.record.id.as_str());
        html.push_str("</a> <span class=\"muted\">");
        html.push_str(&crate::model::ids::fmt_date(e.date));
        html.push_str("</span>");
    });
    Cell {
        text: None,
        href: None,
        code: false,
        html: Some(html),
    }
}

#[derive(Serialize, Hash)]
struct Row {
    id: String,
    cells: Vec<Cell>,
}

#[derive(Serialize, Hash)]
struct ThemeGroup {
    anchor: &'static str,
    label: &'static str,
    rows: Vec<Row>,
    applicable: usize,
    total: usize,
}

/// `soa.html` and `exports/soa.csv`.
pub(crate) fn render(
    isms: &Isms,
    findings: &[Finding],
    site: &SiteContext,
    pages: &Pages,
    as_of: crate::model::ids::Date,
) -> Result<Vec<SiteFile>, RenderError> {
    let all = rows(isms, findings);
    let operation = Operation::new(isms, as_of);
    let soa_doc = isms
        .documents
        .iter()
        .map(|d| &**d)
        .find(|d| d.soa.is_some())
        .map(|d| (d.id.as_str().to_string(), doc_page(d)));
    // Keyed by what the page and exports are made from, hashed straight
    // from the model: at thousands of documents, building every link of
    // every control only to hash it cost as much as the page.
    let rows_key = rows_key(&all);
    let page = pages.keyed(
        "audit/soa.html",
        pages.key(isms, &(rows_key, operation_key(&all, &operation), &soa_doc)),
        || {
            let mut ctx = page_context(
                site,
                "audit",
                "",
                "Statement of Applicability",
                false,
                false,
            );
            ctx.insert("groups", &theme_groups(&all, &operation));
            ctx.insert("soa_doc", &soa_doc);
            super::render_page(&pages.theme.tera, "audit/soa.html", &ctx, "audit/soa.html")
        },
    )?;
    // The exports hold the records' text, the spreadsheet also the as-of
    // date (its document properties).
    let csv = pages.keyed("audit/exports/soa.csv", memo::key_of(&rows_key), || {
        soa_csv(&all).map(super::Bytes::new)
    })?;
    let xlsx = pages.keyed(
        "audit/exports/soa.xlsx",
        memo::key_of(&(rows_key, as_of)),
        || {
            soa_xlsx(&all, as_of)
                .map(super::Bytes::new)
                .map_err(|e| RenderError::export("audit/exports/soa.xlsx", e))
        },
    )?;
    Ok(vec![
        ("soa.html".into(), page),
        ("exports/soa.csv".into(), csv),
        ("exports/soa.xlsx".into(), xlsx),
    ])
}

/// The page's table: the controls by theme, each row's cells.
fn theme_groups(all: &[ControlRow], operation: &Operation) -> Vec<ThemeGroup> {
    Theme::ALL
        .iter()
        .map(|&theme| {
            let in_theme: Vec<&ControlRow> = all
                .iter()
                .filter(|r| r.id.control().theme == theme)
                .collect();
            ThemeGroup {
                anchor: theme.as_str(),
                label: theme.label(),
                applicable: in_theme
                    .iter()
                    .filter(|r| r.entry.is_some_and(|e| e.applicable))
                    .count(),
                total: in_theme.len(),
                rows: in_theme
                    .iter()
                    .map(|r| Row {
                        id: format!("control-{}", r.id),
                        cells: vec![
                            Cell {
                                text: Some(r.id.to_string()),
                                href: None,
                                code: true,
                                html: None,
                            },
                            plain(r.id.control().title),
                            plain(applicable(r)),
                            plain(status(r)),
                            plain(justification(r)),
                            links(&r.implemented_by),
                            dated_links(operation.evidence(r.id), "none"),
                            dated_links(
                                operation.last_audited(r.id).as_slice(),
                                "not in an audit's scope",
                            ),
                            plain(r.findings.to_string()),
                        ],
                    })
                    .collect(),
            }
        })
        .collect()
}

/// A key of everything the rows hold that the page and the exports show:
/// each control's SoA entry, the ids and titles of the documents that list
/// it, and its finding count.
fn rows_key(rows: &[ControlRow]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = crate::model::digest::key_hasher();
    for r in rows {
        r.id.hash(&mut hasher);
        r.entry
            .map(|e| (e.applicable, e.status.map(|s| s.as_str()), &e.justification))
            .hash(&mut hasher);
        for docs in [&r.implemented_by, &r.evidence] {
            docs.len().hash(&mut hasher);
            for d in docs {
                (d.id.as_str(), d.title.as_str()).hash(&mut hasher);
            }
        }
        r.findings.hash(&mut hasher);
    }
    hasher.finish()
}

/// A key of the dated records the page shows for each control: its
/// operating evidence and its latest internal audit.
fn operation_key(rows: &[ControlRow], operation: &Operation) -> u64 {
    use std::hash::{Hash, Hasher};
    fn dated<'a>(e: &Evidence<'a>) -> (&'a str, crate::model::ids::Date) {
        (e.record.id.as_str(), e.date)
    }
    let mut hasher = crate::model::digest::key_hasher();
    for r in rows {
        let evidence = operation.evidence(r.id);
        evidence.len().hash(&mut hasher);
        for e in evidence {
            dated(e).hash(&mut hasher);
        }
        operation
            .last_audited(r.id)
            .as_ref()
            .map(dated)
            .hash(&mut hasher);
    }
    hasher.finish()
}

/// A cell that a spreadsheet would run as a formula is prefixed with `'`.
pub fn neutralise(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

/// The SoA as a spreadsheet: a bold header row, frozen panes, and document
/// properties fixed to the as-of date so that the file is reproducible.
fn soa_xlsx(
    rows: &[ControlRow],
    as_of: crate::model::ids::Date,
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use chrono::Datelike;
    use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook};
    let mut workbook = Workbook::new();
    let created =
        ExcelDateTime::from_ymd(as_of.year() as u16, as_of.month() as u8, as_of.day() as u8)?;
    workbook.set_properties(
        &DocProperties::new()
            .set_title("Statement of Applicability")
            .set_creation_datetime(&created),
    );
    let bold = Format::new().set_bold();
    let sheet = workbook.add_worksheet();
    sheet.set_name("SoA")?;
    for (col, name) in SOA_HEADER.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, *name, &bold)?;
    }
    for (i, r) in rows.iter().enumerate() {
        for (col, cell) in soa_record(r).iter().enumerate() {
            sheet.write_string(i as u32 + 1, col as u16, neutralise(cell))?;
        }
    }
    for (col, width) in [8, 40, 14, 11, 14, 70, 24, 24].into_iter().enumerate() {
        sheet.set_column_width(col as u16, width)?;
    }
    sheet.set_freeze_panes(1, 1)?;
    workbook.save_to_buffer()
}

/// The SoA table as the exports have it (see [`SOA_HEADER`]), one row per
/// catalogue control in catalogue order: the audit pack prints the same.
#[cfg(feature = "pdf")]
pub(crate) fn records(isms: &Isms, findings: &[Finding]) -> Vec<[String; 8]> {
    rows(isms, findings).iter().map(soa_record).collect()
}

pub(crate) const SOA_HEADER: [&str; 8] = [
    "id",
    "title",
    "theme",
    "applicable",
    "status",
    "justification",
    "implemented_by",
    "evidence",
];

fn soa_record(r: &ControlRow) -> [String; 8] {
    let ids = |docs: &[&Document]| {
        docs.iter()
            .map(|d| d.id.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    };
    [
        r.id.to_string(),
        r.id.control().title.to_string(),
        r.id.control().theme.as_str().to_string(),
        applicable(r).to_string(),
        status(r).to_string(),
        justification(r),
        ids(&r.implemented_by),
        ids(&r.evidence),
    ]
}

fn soa_csv(rows: &[ControlRow]) -> Result<Vec<u8>, RenderError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let csv_error = |e: &dyn std::fmt::Display| RenderError::export("audit/exports/soa.csv", e);
    w.write_record(SOA_HEADER).map_err(|e| csv_error(&e))?;
    for r in rows {
        w.write_record(soa_record(r).iter().map(|c| neutralise(c)))
            .map_err(|e| csv_error(&e))?;
    }
    w.into_inner().map_err(|e| csv_error(&e))
}

#[cfg(test)]
mod tests {
    use super::{neutralise, push_escaped};

    #[test]
    fn link_text_is_escaped_in_one_pass() {
        let mut out = String::from("x:");
        push_escaped(&mut out, r#"R&D <"lab"> ünïcode"#);
        assert_eq!(out, "x:R&amp;D &lt;&quot;lab&quot;&gt; ünïcode");
        let mut plain = String::new();
        push_escaped(&mut plain, "");
        push_escaped(&mut plain, "&&");
        assert_eq!(plain, "&amp;&amp;");
    }

    #[test]
    fn formulas_are_neutralised() {
        assert_eq!(neutralise("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(neutralise("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralise("-1+2"), "'-1+2");
        assert_eq!(neutralise("Access control"), "Access control");
    }
}
