//! Renders the two static sites (contract section 2, `isms build`): the staff
//! site, which holds only what section 4 allows, and the auditor evidence
//! index, which holds everything. Rendering is pure (files in memory, in a
//! stable order); [`write`] puts them on disk atomically.

pub mod audit;
pub mod audit_pages;
pub mod exports;
pub mod markdown;
pub mod packs;
pub mod soa;
pub mod staff;
pub mod write;

use serde::Serialize;
use tera::{Context, Tera};

use crate::load::join_relative;
use crate::model::document::Document;
use crate::model::ids::fmt_date;
use crate::model::Isms;

/// One output file: path relative to its site root (`/`-separated) and bytes.
pub type SiteFile = (String, Vec<u8>);

/// The theme's templates, embedded so the binary works from anywhere.
const TEMPLATES: [(&str, &str); 10] = [
    (
        "base.html",
        include_str!("../../themes/default/templates/base.html"),
    ),
    (
        "macros.html",
        include_str!("../../themes/default/templates/macros.html"),
    ),
    (
        "staff/index.html",
        include_str!("../../themes/default/templates/staff/index.html"),
    ),
    (
        "staff/doc.html",
        include_str!("../../themes/default/templates/staff/doc.html"),
    ),
    (
        "audit/index.html",
        include_str!("../../themes/default/templates/audit/index.html"),
    ),
    (
        "audit/findings.html",
        include_str!("../../themes/default/templates/audit/findings.html"),
    ),
    (
        "audit/clauses.html",
        include_str!("../../themes/default/templates/audit/clauses.html"),
    ),
    (
        "audit/pack.html",
        include_str!("../../themes/default/templates/audit/pack.html"),
    ),
    (
        "audit/soa.html",
        include_str!("../../themes/default/templates/audit/soa.html"),
    ),
    (
        "audit/doc.html",
        include_str!("../../themes/default/templates/audit/doc.html"),
    ),
];

/// The theme's static files, copied into both sites.
const STATIC: [(&str, &[u8]); 3] = [
    (
        "assets/style.css",
        include_bytes!("../../themes/default/static/assets/style.css"),
    ),
    (
        "assets/search.js",
        include_bytes!("../../themes/default/static/assets/search.js"),
    ),
    (
        "assets/live-reload.js",
        include_bytes!("../../themes/default/static/assets/live-reload.js"),
    ),
];

/// Both sites, rendered in memory.
pub struct Sites {
    pub staff: Vec<SiteFile>,
    pub audit: Vec<SiteFile>,
}

/// Renders both sites of a checked ISMS.
pub fn render_sites(
    isms: &Isms,
    summary: &crate::report::Summary,
    findings: &[crate::finding::Finding],
) -> Result<Sites, String> {
    let tera = crate::timing::step("render: theme", || theme(isms))?;
    Ok(Sites {
        staff: crate::timing::step("render: staff site", || staff::render(isms, &tera))?,
        audit: crate::timing::step("render: audit index", || {
            audit::render(isms, summary, findings, &tera)
        })?,
    })
}

/// The ISMS's own theme folder: `[site] theme`, else `theme/` if present.
fn theme_dir(isms: &Isms) -> Option<std::path::PathBuf> {
    match &isms.config.site.theme {
        Some(dir) => Some(isms.root.join(dir)),
        None => Some(isms.root.join("theme")).filter(|d| d.is_dir()),
    }
}

/// Files below `dir`, as (`/`-separated relative path, absolute path), sorted.
fn files_below(dir: &std::path::Path) -> Vec<(String, std::path::PathBuf)> {
    let mut out: Vec<(String, std::path::PathBuf)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| {
            let rel = e.path().strip_prefix(dir).ok()?;
            let rel = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            Some((rel, e.path().to_path_buf()))
        })
        .collect();
    out.sort();
    out
}

/// The default theme's templates, overridden by any template of the same
/// name in the ISMS's theme folder (`templates/`).
fn theme(isms: &Isms) -> Result<Tera, String> {
    let mut templates: Vec<(String, String)> = TEMPLATES
        .iter()
        .map(|(n, t)| ((*n).to_string(), (*t).to_string()))
        .collect();
    if let Some(dir) = theme_dir(isms) {
        if !dir.is_dir() {
            return Err(format!(
                "theme folder {} does not exist ([site] theme)",
                dir.display()
            ));
        }
        for (name, path) in files_below(&dir.join("templates")) {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| format!("cannot read theme template {}: {e}", path.display()))?;
            templates.retain(|(n, _)| *n != name);
            templates.push((name, text));
        }
    }
    let mut tera = Tera::default();
    tera.add_raw_templates(templates)
        .map_err(|e| format!("theme templates: {}", tera_error(&e)))?;
    Ok(tera)
}

/// Where the configured logo is published, relative to a site root.
pub(crate) fn logo_path(isms: &Isms) -> Option<String> {
    let logo = isms.config.site.logo.as_ref()?;
    let ext = std::path::Path::new(logo)
        .extension()?
        .to_string_lossy()
        .to_ascii_lowercase();
    isms.root
        .join(logo)
        .is_file()
        .then(|| format!("assets/logo.{ext}"))
}

/// The static theme files (default, then the ISMS theme's `static/`, which
/// wins on equal paths) and the logo, as site files.
pub(crate) fn static_files(isms: &Isms) -> Result<Vec<SiteFile>, String> {
    let mut files: Vec<SiteFile> = STATIC
        .iter()
        .map(|(path, bytes)| ((*path).to_string(), bytes.to_vec()))
        .collect();
    if let Some(dir) = theme_dir(isms) {
        for (name, path) in files_below(&dir.join("static")) {
            let bytes = std::fs::read(&path)
                .map_err(|e| format!("cannot read theme file {}: {e}", path.display()))?;
            files.retain(|(n, _)| *n != name);
            files.push((name, bytes));
        }
    }
    if let (Some(logo), Some(published)) = (&isms.config.site.logo, logo_path(isms)) {
        let bytes = std::fs::read(isms.root.join(logo))
            .map_err(|e| format!("cannot read logo {logo}: {e}"))?;
        files.push((published, bytes));
    }
    Ok(files)
}

/// Renders one template, with the whole error chain in the message (Tera's
/// top-level message alone rarely names the cause).
pub(crate) fn render_page(tera: &Tera, name: &str, ctx: &Context) -> Result<Vec<u8>, String> {
    tera.render(name, ctx)
        .map(String::into_bytes)
        .map_err(|e| format!("rendering {name}: {}", tera_error(&e)))
}

fn tera_error(e: &tera::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// The `site` object of `base.html`.
#[derive(Serialize)]
pub(crate) struct SiteContext {
    pub title: String,
    pub organisation: Option<String>,
    pub accent: Option<String>,
    pub logo: Option<String>,
    pub contact: Option<String>,
    pub incident_reporting: Option<String>,
}

impl SiteContext {
    pub fn of(isms: &Isms) -> SiteContext {
        let site = &isms.config.site;
        SiteContext {
            title: isms.config.site_title(),
            organisation: Some(isms.config.organisation.clone()).filter(|o| !o.is_empty()),
            accent: site.accent.clone(),
            // Relative to the site root; base.html prefixes `root`.
            logo: logo_path(isms),
            contact: site.contact.clone(),
            incident_reporting: site.incident_reporting.clone(),
        }
    }
}

#[derive(Serialize)]
pub(crate) struct NavItem {
    pub label: &'static str,
    pub href: String,
    pub current: bool,
}

/// A base context for one page.
pub(crate) fn page_context(
    site: &SiteContext,
    section: &str,
    root: &str,
    title: &str,
    home: bool,
    search: bool,
) -> Context {
    let mut ctx = Context::new();
    ctx.insert("site", site);
    ctx.insert("section", section);
    ctx.insert("root", root);
    ctx.insert("page_title", title);
    ctx.insert(
        "nav",
        &[NavItem {
            label: "Home",
            href: format!("{root}index.html"),
            current: home,
        }],
    );
    ctx.insert("live_reload", &false);
    ctx.insert("search", &search);
    ctx
}

/// Resolves a link written in `from`'s body for a page in `docs/`.
/// `visible` says whether a document may be linked to on this site; a link to
/// any other document, to a control, or to a file that is not a document
/// yields `None` (plain text).
pub(crate) fn resolve_link(
    isms: &Isms,
    from: &Document,
    dest: &str,
    visible: &dyn Fn(&Document) -> bool,
) -> Option<String> {
    let dest = dest.trim();
    if dest.starts_with('#') {
        return Some(dest.to_string());
    }
    let lower = dest.to_ascii_lowercase();
    if ["http://", "https://", "mailto:"]
        .iter()
        .any(|s| lower.starts_with(s))
    {
        return Some(dest.to_string());
    }
    if lower.starts_with("control:") {
        return None;
    }
    let (target, anchor) = match dest.split_once('#') {
        Some((t, a)) => (t, Some(a)),
        None => (dest, None),
    };
    let doc = if let Some(id) = target.strip_prefix("id:") {
        isms.doc(id.trim())?
    } else if target.contains(':') {
        // Some other scheme: not a link this tool vouches for.
        return None;
    } else {
        isms.doc_at(&join_relative(&from.path, target)?)?
    };
    if !visible(doc) {
        return None;
    }
    let page = doc_page(doc);
    Some(match anchor.filter(|a| !a.is_empty()) {
        Some(a) => format!("{page}#{a}"),
        None => page,
    })
}

/// A document's page name inside `docs/`.
pub(crate) fn doc_page(doc: &Document) -> String {
    format!("{}.html", doc.id.as_str())
}

/// One row of a version history.
#[derive(Serialize)]
pub(crate) struct HistoryRow {
    pub date: String,
    pub author: String,
    pub subject: String,
}

/// The commits that changed `doc`, newest first, keeping only those whose
/// subject `keep` allows.
pub(crate) fn history_rows(
    isms: &Isms,
    doc: &Document,
    keep: &dyn Fn(&str) -> bool,
) -> Vec<HistoryRow> {
    let Some(history) = &isms.history else {
        return Vec::new();
    };
    let Some(doc_history) = history.docs.get(&doc.path) else {
        return Vec::new();
    };
    let mut rows: Vec<(i64, HistoryRow)> = doc_history
        .changes
        .iter()
        .filter_map(|change| history.commits.get(change.commit))
        .filter(|commit| keep(&commit.subject))
        .map(|commit| {
            let local = commit.time + i64::from(commit.offset_minutes) * 60;
            let date = chrono::DateTime::from_timestamp(local, 0)
                .map(|d| fmt_date(d.date_naive()))
                .unwrap_or_default();
            (
                commit.time,
                HistoryRow {
                    date,
                    author: commit.author.clone(),
                    subject: commit.subject.clone(),
                },
            )
        })
        .collect();
    rows.sort_by_key(|r| std::cmp::Reverse(r.0));
    rows.into_iter().map(|(_, r)| r).collect()
}

/// A metadata panel item for the `meta_panel` macro.
#[derive(Serialize)]
pub(crate) struct MetaItem {
    pub label: &'static str,
    pub value: Option<String>,
}

/// The facts every document page shows.
pub(crate) fn meta_items(isms: &Isms, doc: &Document) -> Vec<MetaItem> {
    let next_review = isms.next_review(doc);
    let item = |label, value: Option<String>| MetaItem { label, value };
    vec![
        item("Id", Some(doc.id.as_str().to_string())),
        item("Version", doc.version.clone()),
        item("Status", doc.status.map(|s| s.as_str().to_string())),
        item("Owner", Some(doc.owner.value.clone())),
        item(
            "Approved by",
            doc.approved_by.as_ref().map(|a| a.value.clone()),
        ),
        item(
            "Approved on",
            doc.approved_on.as_ref().map(|d| fmt_date(d.value)),
        ),
        item("Next review", next_review.map(fmt_date)),
        item(
            "Classification",
            Some(doc.classification.as_str().to_string()),
        ),
    ]
}
