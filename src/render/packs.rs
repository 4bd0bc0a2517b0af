//! Evidence packs of the audit index: for each area an auditor samples, the
//! records with their dates and their CSV data as tables.

use super::RenderError;
use serde::Serialize;

use super::{doc_page, page_context, Pages, SiteContext, SiteFile};
use crate::model::evidence::EVIDENCE_AREAS;
use crate::model::ids::fmt_date;
use crate::model::Isms;

#[derive(Serialize)]
struct PackRecord {
    id: String,
    title: String,
    href: String,
    kind: String,
    date: String,
    columns: Vec<String>,
    rows: Vec<Vec<String>>,
    data_path: Option<String>,
}

#[derive(Serialize)]
pub(crate) struct PackLink {
    href: String,
    title: &'static str,
    records: usize,
}

/// The pack pages, and the links the overview lists.
pub(crate) fn render(
    isms: &Isms,
    site: &SiteContext,
    pages: &Pages,
    as_of: crate::model::ids::Date,
) -> Result<(Vec<SiteFile>, Vec<PackLink>), RenderError> {
    let mut files = Vec::new();
    let mut links = Vec::new();
    for area in &EVIDENCE_AREAS {
        let (stem, title, kinds) = (area.stem, area.title, area.kinds);
        let mut records: Vec<PackRecord> = isms
            .documents
            .iter()
            .map(|d| &**d)
            .filter_map(|d| d.record.as_ref().map(|r| (d, r)))
            .filter(|(_, r)| kinds.contains(&r.kind.as_str()))
            .map(|(d, r)| PackRecord {
                id: d.id.as_str().to_string(),
                title: d.title.clone(),
                href: format!("../docs/{}", doc_page(d)),
                kind: r.kind.clone(),
                date: fmt_date(r.date.value),
                columns: r
                    .table
                    .as_ref()
                    .map(|t| t.header.clone())
                    .unwrap_or_default(),
                rows: r
                    .table
                    .as_ref()
                    .map(|t| t.rows.iter().map(|row| row.cells.clone()).collect())
                    .unwrap_or_default(),
                data_path: r.table.as_ref().map(|t| t.path.clone()),
            })
            .collect();
        records.sort_by(|a, b| b.date.cmp(&a.date).then(a.id.cmp(&b.id)));
        let mut ctx = page_context(
            site,
            "audit",
            "../",
            &format!("Evidence pack: {title}"),
            false,
            false,
        );
        ctx.insert("records", &records);
        ctx.insert("kinds", &kinds);
        ctx.insert("view", &super::pack_views::view(isms, stem, as_of));
        files.push((
            format!("packs/{stem}.html"),
            pages.render(&format!("audit/packs/{stem}.html"), "audit/pack.html", ctx)?,
        ));
        links.push(PackLink {
            href: format!("packs/{stem}.html"),
            title,
            records: records.len(),
        });
    }
    Ok((files, links))
}
