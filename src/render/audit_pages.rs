//! Audit index pages built from the checks: the findings by severity, and
//! clauses 4-10 with the documented information that meets each.

use super::RenderError;
use serde::Serialize;

use super::{doc_href, page_context, Pages, SiteContext, SiteFile};
use crate::diagnostics::finding::{Finding, Severity};
use crate::model::clauses::{self, REQUIRED};
use crate::model::Isms;

/// A cell of an audit-index table (see `macros.html`'s `cell`).
#[derive(Serialize, Hash)]
pub(super) struct Cell {
    pub text: Option<String>,
    pub href: Option<String>,
    pub code: bool,
    pub tone: Option<&'static str>,
}

pub(super) fn plain(text: Option<String>) -> Cell {
    Cell {
        text,
        href: None,
        code: false,
        tone: None,
    }
}

#[derive(Serialize)]
struct Group {
    severity: &'static str,
    anchor: String,
    /// How many findings the group holds.
    count: usize,
    /// The group's rows, each made by `audit/finding_row.html` (a marker
    /// that [`splice`] replaces with them once the page is rendered).
    rows_html: String,
}

/// The columns of the findings tables.
const FINDING_COLUMNS: [&str; 6] = [
    "Rule",
    "Finding",
    "Document",
    "Where",
    "Control or clause",
    "How to fix",
];

/// `findings.html`: every finding, grouped by severity, in the order of
/// `isms check --format json`.
pub(crate) fn findings_page(
    isms: &Isms,
    findings: &[Finding],
    site: &SiteContext,
    pages: &Pages,
) -> Result<SiteFile, RenderError> {
    // The page shows the findings and links the documents they name.
    let ids: Vec<&str> = isms
        .documents
        .iter()
        .map(|d| &**d)
        .map(|d| d.id.as_str())
        .collect();
    let key = pages.key(isms, &(pages.findings_key, ids));
    let page = pages.keyed("audit/findings.html", key, || {
        findings_html(isms, findings, site, pages)
    })?;
    Ok(("findings.html".into(), page))
}

fn findings_html(
    isms: &Isms,
    findings: &[Finding],
    site: &SiteContext,
    pages: &Pages,
) -> Result<super::Bytes, RenderError> {
    // The template gets a marker for each group's rows, which are put in
    // its place afterwards: tens of megabytes of rows copied through the
    // template's context and output cost more than the rest of the page.
    let mut rows_of = Vec::new();
    let groups = Severity::ALL
        .iter()
        .map(|&sev| {
            let rows: Vec<&Finding> = findings.iter().filter(|f| f.severity == sev).collect();
            // No rows, no marker: the template shows its empty table.
            let marker = if rows.is_empty() {
                String::new()
            } else {
                let marker = format!("<!--isms:rows:{}-->", sev.as_str());
                rows_of.push((marker.clone(), finding_rows(isms, &rows, pages)?));
                marker
            };
            Ok(Group {
                severity: sev.as_str(),
                anchor: format!("severity-{}", sev.as_str()),
                count: rows.len(),
                rows_html: marker,
            })
        })
        .collect::<Result<Vec<Group>, RenderError>>()?;
    let mut ctx = page_context(site, "audit", "", "Findings", false, false);
    ctx.insert("groups", &groups);
    ctx.insert("columns", &FINDING_COLUMNS);
    ctx.insert("total", &findings.len());
    let page = super::render_page(
        &pages.theme.tera,
        "audit/findings.html",
        &ctx,
        "audit/findings.html",
    )?;
    Ok(super::Bytes::new(splice(&page, &rows_of)))
}

/// `page` with every occurrence of each marker replaced by its text, in
/// one pass and one allocation (the page without its rows is a few
/// kilobytes: a plain search will do).
fn splice(page: &[u8], parts: &[(String, String)]) -> Vec<u8> {
    let extra: usize = parts.iter().map(|(_, text)| text.len()).sum();
    let mut out = Vec::with_capacity(page.len() + extra);
    let mut rest = page;
    loop {
        // The marker that comes first in what is left.
        let next = parts
            .iter()
            .filter_map(|(marker, text)| {
                let at = rest
                    .windows(marker.len())
                    .position(|w| w == marker.as_bytes())?;
                Some((at, marker.len(), text))
            })
            .min_by_key(|(at, _, _)| *at);
        let Some((at, len, text)) = next else {
            out.extend_from_slice(rest);
            return out;
        };
        out.extend_from_slice(&rest[..at]);
        out.extend_from_slice(text.as_bytes());
        rest = &rest[at + len..];
    }
}

/// The rows of one severity's table, one after the other. A large ISMS has
/// thousands of findings, and one template over all of them took a third
/// of a second or more; each row is rendered on its own, on every core, and
/// the preview keeps it (by its cells) while it does not change, so an edit
/// that adds or resolves a finding renders that row only.
fn finding_rows(isms: &Isms, rows: &[&Finding], pages: &Pages) -> Result<String, RenderError> {
    use rayon::prelude::*;
    let rendered: Vec<super::Bytes> = rows
        .par_iter()
        .map(|f| {
            let cells = finding_cells(isms, f);
            let key = super::memo::key_of(&(pages.theme.key, &cells));
            let path = format!("audit/findings.html#{key:016x}");
            pages
                .memo
                .fragment(&path, key, || {
                    let mut ctx = tera::Context::new();
                    ctx.insert("columns", &FINDING_COLUMNS);
                    ctx.insert("row", &cells);
                    Ok(super::memo::Rendered {
                        bytes: super::render_page(
                            &pages.theme.tera,
                            "audit/finding_row.html",
                            &ctx,
                            "audit/findings.html",
                        )?,
                        extra: std::sync::Arc::from(""),
                    })
                })
                .map(|r| r.bytes)
        })
        .collect::<Result<_, _>>()?;
    let mut html = String::with_capacity(rendered.iter().map(|r| r.len()).sum());
    for row in &rendered {
        html.push_str(&String::from_utf8_lossy(row));
    }
    Ok(html)
}

/// The cells of a finding's row.
fn finding_cells(isms: &Isms, f: &Finding) -> Vec<Cell> {
    let doc = f.document.as_deref().and_then(|id| isms.doc(id));
    let location = match (&f.path, f.line) {
        (Some(p), Some(l)) => Some(format!("{p}:{l}")),
        (Some(p), None) => Some(p.clone()),
        _ => None,
    };
    vec![
        Cell {
            text: Some(f.rule.code.to_string()),
            href: None,
            code: true,
            tone: None,
        },
        plain(Some(f.message.clone())),
        Cell {
            text: f.document.clone(),
            href: doc.map(doc_href),
            code: false,
            tone: None,
        },
        plain(location),
        plain(
            f.control
                .map(|c| c.to_string())
                .or_else(|| f.effective_clause().map(str::to_string)),
        ),
        plain(f.hint.clone()),
    ]
}

/// `clauses.html`: the mandatory documented information of clauses 4-10 and
/// the documents and records that meet it, or a visible gap.
pub(crate) fn clauses_page(
    isms: &Isms,
    site: &SiteContext,
    pages: &Pages,
) -> Result<SiteFile, RenderError> {
    // Every required clause's documents, in one pass over the documents.
    let ids: Vec<_> = REQUIRED.iter().map(|req| req.clause_id()).collect();
    let met = isms.documents_meeting(&ids);
    let rows: Vec<Vec<Cell>> = REQUIRED
        .iter()
        .zip(ids.iter().zip(met))
        .map(|(req, (id, met))| {
            let meeting: Vec<String> = met
                .into_iter()
                // Internal audit and management review need records, not
                // the procedure that describes them (RD001, RD004).
                .filter(|d| !req.rule.starts_with("RD") || d.is_record())
                .map(|d| d.id.as_str().to_string())
                .collect();
            let title = clauses::title(id).unwrap_or("");
            vec![
                Cell {
                    text: Some(req.clause.to_string()),
                    href: None,
                    code: true,
                    tone: None,
                },
                plain(Some(title.to_string())),
                plain(Some(req.what.to_string())),
                if meeting.is_empty() {
                    Cell {
                        text: Some(format!("Gap: nothing meets this clause ({})", req.rule)),
                        href: None,
                        code: false,
                        tone: Some("bad"),
                    }
                } else {
                    plain(Some(meeting.join(", ")))
                },
            ]
        })
        .collect();
    let mut ctx = page_context(site, "audit", "", "Clauses 4 to 10", false, false);
    ctx.insert("rows", &rows);
    Ok((
        "clauses.html".into(),
        pages.render("audit/clauses.html", "audit/clauses.html", ctx)?,
    ))
}

#[cfg(test)]
mod tests {
    use super::splice;

    #[test]
    fn splice_puts_each_text_where_its_marker_is() {
        let parts = [
            ("<!--a-->".to_string(), "<tr>A</tr>".to_string()),
            ("<!--b-->".to_string(), "<tr>B</tr>".to_string()),
        ];
        let page = b"<table><!--b--></table><table><!--a--></table><p><!--b--></p>";
        assert_eq!(
            String::from_utf8(splice(page, &parts)).expect("utf-8"),
            "<table><tr>B</tr></table><table><tr>A</tr></table><p><tr>B</tr></p>"
        );
        assert_eq!(splice(b"no markers", &parts), b"no markers");
        assert_eq!(splice(b"", &parts), b"");
        assert_eq!(splice(b"<!--a", &parts), b"<!--a", "half a marker stays");
    }
}
