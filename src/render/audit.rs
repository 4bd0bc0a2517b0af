//! The auditor evidence index: every document, with the run's verdict. For now
//! an overview with the document register and one page per document.

use rayon::prelude::*;
use serde::Serialize;
use tera::Tera;

use super::{
    doc_page, history_rows, markdown, meta_items, page_context, render_page, resolve_link,
    static_files, SiteContext, SiteFile,
};
use crate::finding::Finding;
use crate::model::document::Document;
use crate::model::Isms;
use crate::report::Summary;

#[derive(Serialize)]
struct Cell {
    text: Option<String>,
    href: Option<String>,
    code: bool,
}

fn text(value: Option<&str>) -> Cell {
    Cell {
        text: value.map(str::to_string),
        href: None,
        code: false,
    }
}

#[derive(Serialize)]
struct CountRow {
    severity: &'static str,
    count: usize,
}

/// Renders every file of the audit site.
pub fn render(
    isms: &Isms,
    summary: &Summary,
    findings: &[Finding],
    tera: &Tera,
) -> Result<Vec<SiteFile>, String> {
    let site = SiteContext::of(isms);
    let mut files = static_files(isms)?;

    let rows: Vec<Vec<Cell>> = isms
        .documents
        .iter()
        .map(|d| {
            vec![
                Cell {
                    text: Some(d.id.as_str().to_string()),
                    href: Some(format!("docs/{}", doc_page(d))),
                    code: true,
                },
                text(Some(&d.title)),
                text(Some(d.doc_type.as_str())),
                text(d.status.map(|s| s.as_str())),
                text(d.version.as_deref()),
                text(Some(d.classification.as_str())),
                text(Some(&d.owner.value)),
                text(Some(if isms.on_staff_site(d) { "yes" } else { "no" })),
            ]
        })
        .collect();
    let counts = [
        ("error", summary.counts.error),
        ("major", summary.counts.major),
        ("minor", summary.counts.minor),
        ("observation", summary.counts.observation),
    ]
    .map(|(severity, count)| CountRow { severity, count });
    let (pack_files, packs) = super::packs::render(isms, &site, tera)?;
    files.extend(pack_files);
    let title = "Audit evidence index";
    let mut ctx = page_context(&site, "audit", "", title, true, false);
    ctx.insert("organisation", &isms.config.organisation);
    ctx.insert("commit", &summary.commit);
    ctx.insert("dirty", &summary.dirty);
    ctx.insert("as_of", &summary.as_of);
    ctx.insert("counts", &counts);
    ctx.insert(
        "stage1_date",
        &isms.config.stage1.map(crate::model::ids::fmt_date),
    );
    ctx.insert(
        "stage2_date",
        &isms.config.stage2.map(crate::model::ids::fmt_date),
    );
    ctx.insert("stage1", &summary.stage1);
    ctx.insert("stage2", &summary.stage2);
    let scope = isms
        .documents
        .iter()
        .find(|d| d.doc_type == crate::model::document::DocType::Scope)
        .map(|d| {
            (
                d.id.as_str().to_string(),
                doc_page(d),
                d.summary.clone().unwrap_or_else(|| d.title.clone()),
            )
        });
    ctx.insert("scope", &scope);
    ctx.insert("packs", &packs);
    ctx.insert("finding_total", &findings.len());
    ctx.insert("rows", &rows);
    files.push((
        "index.html".into(),
        render_page(tera, "audit/index.html", &ctx)?,
    ));

    files.extend(super::soa::render(
        isms,
        findings,
        &site,
        tera,
        summary_date(summary),
    )?);
    files.extend(super::exports::render(isms, summary, findings)?);
    files.push(super::audit_pages::findings_page(
        isms, findings, &site, tera,
    )?);
    files.push(super::audit_pages::clauses_page(isms, &site, tera)?);

    let all = |_: &Document| true;
    let keep_all = |_: &str| true;
    let pages: Vec<Result<SiteFile, String>> = isms
        .documents
        .par_iter()
        .map(|doc| {
            let body = markdown::render(&doc.body, &|dest| resolve_link(isms, doc, dest, &all));
            let mut ctx = page_context(&site, "audit", "../", &doc.title, false, false);
            ctx.insert("doc_id", doc.id.as_str());
            ctx.insert("path", &doc.path);
            ctx.insert("doc_type", doc.doc_type.as_str());
            ctx.insert("summary", &doc.summary);
            ctx.insert("on_staff_site", &isms.on_staff_site(doc));
            ctx.insert("meta", &meta_items(isms, doc));
            ctx.insert("body", &body);
            ctx.insert("history", &history_rows(isms, doc, &keep_all));
            let html = render_page(tera, "audit/doc.html", &ctx)
                .map_err(|e| format!("{}: {e}", doc.path))?;
            Ok((format!("docs/{}", doc_page(doc)), html))
        })
        .collect();
    for page in pages {
        files.push(page?);
    }
    Ok(files)
}

/// The as-of date of the run (the summary holds it as text).
fn summary_date(summary: &Summary) -> crate::model::ids::Date {
    crate::model::ids::parse_date(&summary.as_of).unwrap_or_default()
}
