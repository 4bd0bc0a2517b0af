//! The auditor evidence index: every document, with the run's verdict. The
//! overview shows the verdict, the Stage 2 preparation timeline, SoA coverage
//! by theme and the document register; then one page per document.

use super::RenderError;
use rayon::prelude::*;
use serde::Serialize;

use super::memo::{self, Rendered};
use super::{
    doc_href, doc_page, history_key, history_rows, markdown, meta_items, page_context, render_page,
    resolve_link, source_digest, static_files, Pages, SiteContext, SiteFile,
};
use crate::diagnostics::finding::Finding;
use crate::model::document::Document;
use crate::model::ids::{fmt_date, Date};
use crate::model::timeline::{milestones_for, Milestone};
use crate::model::Isms;
use crate::report::Summary;
use crate::timing::step;

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
    pages: &Pages,
) -> Result<Vec<SiteFile>, RenderError> {
    let tera = &pages.theme.tera;
    let site = SiteContext::of(isms);
    let mut files = step("audit: static files", || static_files(isms))?;

    let counts = [
        ("error", summary.counts.error),
        ("major", summary.counts.major),
        ("minor", summary.counts.minor),
        ("observation", summary.counts.observation),
    ]
    .map(|(severity, count)| CountRow { severity, count });
    let (pack_files, packs) = step("audit: evidence packs", || {
        super::packs::render(isms, &site, pages, summary_date(summary))
    })?;
    files.extend(pack_files);
    let (view_files, views) = step("audit: acknowledgements", || {
        super::acknowledgements::render(isms, &site, pages, summary_date(summary))
    })?;
    files.extend(view_files);
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
        .map(|d| &**d)
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
    // Every file of the pack is in `exports/`: the template links it by name.
    let pack: Vec<serde_json::Value> = pages
        .pack
        .iter()
        .filter_map(|(path, holds)| {
            let name = path.strip_prefix("exports/")?;
            Some(serde_json::json!({ "name": name, "holds": holds }))
        })
        .collect();
    ctx.insert("pack_files", &pack);
    ctx.insert("documents", &isms.documents.len());
    ctx.insert(
        "coverage",
        &step("audit: clause coverage", || super::coverage::coverage(isms)),
    );
    let implemented = step("audit: operating evidence", || {
        crate::model::operation::Operation::new(isms, summary_date(summary)).implemented(isms)
    });
    ctx.insert(
        "operating",
        &serde_json::json!({
            "implemented": implemented.len(),
            "evidenced": implemented.iter().filter(|(_, e)| *e).count(),
        }),
    );
    ctx.insert("views", &views);
    ctx.insert(
        "certification",
        &super::certification::section(isms, summary_date(summary)),
    );
    let next = isms.next_audit(summary_date(summary));
    ctx.insert("next_audit", &next.map(NextAuditView::of));
    ctx.insert(
        "timeline",
        &next.map(|next| timeline(isms, next, summary_date(summary))),
    );
    files.push((
        "index.html".into(),
        step("audit: overview", || {
            pages.render("audit/index.html", "audit/index.html", ctx)
        })?,
    ));
    // The register (with the exports made from its rows), the SoA, and the
    // other listings are independent: they render side by side, and their
    // files are listed in the same order as ever.
    let register_and_exports = || -> Result<(SiteFile, Vec<SiteFile>), RenderError> {
        let (register_rows, register_key) = step("audit: register rows", || {
            let rows = super::register::rows(isms, findings);
            // Hashed on every core, row by row, then the row keys in order.
            let row_keys: Vec<u64> = rows.par_iter().map(memo::key_of).collect();
            let key = pages.key(isms, &row_keys);
            (rows, key)
        });
        let register = step("audit: register", || {
            pages.keyed("audit/register.html", register_key, || {
                let mut ctx = page_context(&site, "audit", "", "Document register", false, false);
                ctx.insert("register", &register_rows);
                ctx.insert(
                    "evidence_column",
                    &register_rows.iter().any(|r| r.evidence.is_some()),
                );
                render_page(tera, "audit/register.html", &ctx, "audit/register.html")
            })
        })?;
        let exports = step("audit: exports", || {
            super::exports::render(summary, findings, (&register_rows, register_key), pages)
        })?;
        Ok((("register.html".into(), register), exports))
    };
    let soa = || {
        step("audit: soa", || {
            super::soa::render(isms, findings, &site, pages, summary_date(summary))
        })
    };
    let listings = || -> Result<(Vec<SiteFile>, SiteFile, SiteFile), RenderError> {
        let actions = step("audit: actions", || {
            super::actions::render(isms, summary_date(summary), &site, pages)
        })?;
        let findings_page = step("audit: findings page", || {
            super::audit_pages::findings_page(isms, findings, &site, pages)
        })?;
        let clauses_page = step("audit: clauses page", || {
            super::audit_pages::clauses_page(isms, &site, pages)
        })?;
        Ok((actions, findings_page, clauses_page))
    };
    let all = |_: &Document| true;
    let keep_all = |_: usize| true;
    // Audit pages link to any document: they depend on the others' ids and
    // paths only, besides their own file, history and staff-site status.
    let epoch = memo::key_of(&(
        pages.theme.key,
        source_digest(isms, "isms.toml"),
        isms.documents
            .iter()
            .map(|d| &**d)
            .map(|d| (d.id.as_str(), d.path.as_str()))
            .collect::<Vec<_>>(),
    ));
    // The document pages are many small pieces of work: they render beside
    // the listings, each of which is one long page.
    let doc_pages = || -> Vec<Result<SiteFile, RenderError>> {
        step("audit: document pages", || {
            isms.documents
                .par_iter()
                .map(|doc| {
                    let history = history_key(isms, doc, &keep_all);
                    let on_staff_site = isms.on_staff_site(doc);
                    let evidence = super::register::approval_evidence(isms, doc);
                    let key = memo::key_of(&(
                        epoch,
                        &doc.source_digest,
                        &history,
                        on_staff_site,
                        &evidence,
                    ));
                    let path = doc_href(doc);
                    let page = pages.memo.page(&format!("audit/{path}"), key, || {
                        let is_logo = |src: &str| super::is_site_logo(isms, doc, src);
                        let head = super::page_head(isms, doc, &is_logo);
                        let links = markdown::Links {
                            link: &|dest| resolve_link(isms, doc, dest, &all),
                            image: &|src| Some(src.to_string()),
                            names_hidden: &|_| false,
                        };
                        let body = markdown::render_page(
                            &doc.body,
                            &doc.outline().anchors,
                            &links,
                            Some(&head),
                        );
                        let mut ctx = page_context(&site, "audit", "../", &doc.title, false, false);
                        ctx.insert("doc_id", doc.id.as_str());
                        ctx.insert("path", &doc.path);
                        ctx.insert("doc_type", doc.doc_type.as_str());
                        ctx.insert("summary", &doc.summary);
                        ctx.insert("on_staff_site", &on_staff_site);
                        let mut meta = meta_items(isms, doc);
                        if let Some(evidence) = &evidence {
                            meta.push(super::MetaItem {
                                label: "Approval evidence",
                                value: Some(evidence.clone()),
                            });
                        }
                        ctx.insert("meta", &meta);
                        ctx.insert("body", &body);
                        ctx.insert("history", &history_rows(isms, doc, &keep_all));
                        ctx.insert("controls", &covered_controls(doc));
                        ctx.insert("clauses", &covered_clauses(doc));
                        let html =
                            render_page(tera, "audit/doc.html", &ctx, &format!("audit/{path}"))?;
                        Ok(Rendered {
                            bytes: html,
                            extra: std::sync::Arc::from(""),
                        })
                    })?;
                    Ok((path, page.bytes))
                })
                .collect()
        })
    };
    let ((register_and_exports, (soa, listings)), doc_pages) = rayon::join(
        || rayon::join(register_and_exports, || rayon::join(soa, listings)),
        doc_pages,
    );
    let (register, exports) = register_and_exports?;
    let (actions, findings_page, clauses_page) = listings?;
    files.push(register);
    files.extend(soa?);
    files.extend(actions);
    files.extend(exports);
    files.push(findings_page);
    files.push(clauses_page);
    for page in doc_pages {
        files.push(page?);
    }
    Ok(files)
}

/// A control or clause a document covers, for its page.
#[derive(Serialize)]
struct Covered {
    id: String,
    title: &'static str,
    href: Option<String>,
}

/// The Annex A controls `doc` lists, in catalogue order, linked to their SoA
/// rows.
fn covered_controls(doc: &Document) -> Vec<Covered> {
    let mut ids: Vec<_> = doc.controls.iter().map(|c| c.value).collect();
    ids.sort();
    ids.dedup();
    ids.into_iter()
        .map(|c| Covered {
            id: c.to_string(),
            title: c.control().title,
            href: Some(format!("../soa.html#control-{c}")),
        })
        .collect()
}

/// The clauses `doc` lists, with their titles.
fn covered_clauses(doc: &Document) -> Vec<Covered> {
    doc.clauses
        .iter()
        .map(|c| Covered {
            id: c.value.to_string(),
            title: crate::model::clauses::title(&c.value).unwrap_or(""),
            href: None,
        })
        .collect()
}

/// The record or document that settles a milestone, for a link.
#[derive(Serialize)]
struct ProofView {
    id: String,
    href: String,
    date: String,
}

/// A milestone as the template shows it.
#[derive(Serialize)]
struct MilestoneView {
    key: &'static str,
    label: &'static str,
    weeks: u32,
    due: String,
    state: &'static str,
    proof: Option<ProofView>,
    record_kind: Option<&'static str>,
    total: Option<usize>,
    outstanding: Vec<String>,
}

/// The audit the timeline counts back from, named for the page.
#[derive(Serialize)]
struct NextAuditView {
    /// `stage2` or `surveillance`, for the row's id.
    key: &'static str,
    /// "Stage 2" or "Surveillance audit", for headings.
    title: &'static str,
    /// "Stage 2 audit" or "surveillance audit", in running text.
    audit: &'static str,
    date: String,
}

impl NextAuditView {
    fn of(next: crate::model::cycle::NextAudit) -> Self {
        use crate::model::cycle::AuditKind;
        let (key, audit) = match next.kind {
            AuditKind::Stage2 => ("stage2", "Stage 2 audit"),
            AuditKind::Surveillance => ("surveillance", "surveillance audit"),
        };
        NextAuditView {
            key,
            title: next.title(),
            audit,
            date: fmt_date(next.date),
        }
    }
}

/// The preparation timeline for the next audit (judged in the model) with dates as text
/// and links to the proving documents.
fn timeline(isms: &Isms, next: crate::model::cycle::NextAudit, as_of: Date) -> Vec<MilestoneView> {
    milestones_for(isms, next, as_of)
        .into_iter()
        .map(|m: Milestone| MilestoneView {
            key: m.key,
            label: m.label,
            weeks: m.weeks,
            due: fmt_date(m.due),
            state: m.state.as_str(),
            proof: m.proof.map(|p| ProofView {
                id: p.record.id.as_str().to_string(),
                href: doc_href(p.record),
                date: fmt_date(p.date),
            }),
            record_kind: m.record_kind,
            total: m.total,
            outstanding: m.outstanding,
        })
        .collect()
}

/// The as-of date of the run (the summary holds it as text).
fn summary_date(summary: &Summary) -> crate::model::ids::Date {
    crate::model::ids::parse_date(&summary.as_of).unwrap_or_default()
}
