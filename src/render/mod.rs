//! Renders the two static sites (contract section 2, `isms build`): the staff
//! site, which holds only what section 4 allows, and the auditor evidence
//! index, which holds everything. Rendering is pure (files in memory, in a
//! stable order; only the audit pack's volumes stay in their cache files,
//! see [`disk_file`]); [`write`] puts them on disk atomically.

mod acknowledgements;
pub mod actions;
pub mod archive;
pub mod audit;
pub mod audit_pages;
pub mod briefing;
pub mod certification;
pub mod coverage;
pub mod diagram;
pub mod disk_file;
pub mod error;
pub mod exports;
pub mod markdown;
pub mod memo;
mod pack_views;
pub mod packs;
pub mod page_store;
#[cfg(feature = "pdf")]
pub mod pdf;
pub mod pdf_cache;
pub mod register;
pub mod soa;
pub mod staff;
pub mod svg;
pub mod title;
pub mod word_diff;
pub mod write;

use serde::Serialize;

pub use error::RenderError;
use tera::{Context, Tera};

use crate::model::confined::{Confined, ReadError};
use crate::model::document::Document;
use crate::model::ids::fmt_date;
use crate::model::paths::{join_relative, percent_decode};
use crate::model::Isms;

/// One output file: path relative to its site root (`/`-separated) and bytes.
/// The bytes are shared: a page reused from the memo, the served copy and
/// the written one are one allocation.
pub type SiteFile = (String, Bytes);

/// File contents, shared without copying.
pub type Bytes = std::sync::Arc<Vec<u8>>;

/// The theme's templates, embedded so the binary works from anywhere.
const TEMPLATES: [(&str, &str); 15] = [
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
        "staff/briefing.html",
        include_str!("../../themes/default/templates/staff/briefing.html"),
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
        "audit/finding_row.html",
        include_str!("../../themes/default/templates/audit/finding_row.html"),
    ),
    (
        "audit/actions.html",
        include_str!("../../themes/default/templates/audit/actions.html"),
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
        "audit/acknowledgements.html",
        include_str!("../../themes/default/templates/audit/acknowledgements.html"),
    ),
    (
        "audit/soa.html",
        include_str!("../../themes/default/templates/audit/soa.html"),
    ),
    (
        "audit/register.html",
        include_str!("../../themes/default/templates/audit/register.html"),
    ),
    (
        "audit/doc.html",
        include_str!("../../themes/default/templates/audit/doc.html"),
    ),
];

/// The theme's static files, copied into both sites.
const STATIC: [(&str, &[u8]); 2] = [
    (
        "assets/style.css",
        include_bytes!("../../themes/default/static/assets/style.css"),
    ),
    (
        "assets/search.js",
        include_bytes!("../../themes/default/static/assets/search.js"),
    ),
];

/// Both sites, rendered in memory, but for the files of the audit index
/// that are on disk already.
#[derive(Default)]
pub struct Sites {
    pub staff: Vec<SiteFile>,
    pub audit: Vec<SiteFile>,
    /// Files of the audit index whose bytes stay on disk until they are
    /// written: the audit pack's volumes, once the cache holds them. Empty
    /// but in `isms build`.
    pub audit_on_disk: Vec<(String, disk_file::DiskFile)>,
}

/// Renders both sites of a checked ISMS.
pub fn render_sites(
    isms: &Isms,
    summary: &crate::report::Summary,
    findings: &[crate::diagnostics::finding::Finding],
) -> Result<Sites, RenderError> {
    render_sites_with(isms, summary, findings, &memo::Memo::default())
}

/// Renders everything `isms build` publishes: both sites, the audit pack
/// PDF in the audit index (where the build has the `pdf` feature), typeset
/// in parallel with the sites with its unchanged volumes taken from
/// `pdf_cache`, and the pages whose inputs did not change taken from `memo`
/// (see [`page_store`]). The audit index as one archive is
/// [`write_audit_archive`].
pub fn render_build(
    isms: &Isms,
    summary: &crate::report::Summary,
    findings: &[crate::diagnostics::finding::Finding],
    pdf_cache: &dyn pdf_cache::PdfCache,
    memo: &memo::Memo,
) -> Result<Sites, RenderError> {
    #[cfg(feature = "pdf")]
    let sites = {
        let pack = crate::timing::step("render: audit pack files", || pdf::files(isms, findings));
        let (sites, pdf) = rayon::join(
            || render_sites_linking(isms, summary, findings, memo, &pack),
            || {
                let pdf = crate::timing::step("render: audit pack PDF", || {
                    pdf::render(isms, summary, findings, as_of(summary), pdf_cache)
                })?;
                // The manifest's checksums of the volumes on disk, while the
                // sites still render (a warm build takes the pack from the
                // cache well before they are done).
                crate::timing::step("render: audit pack checksums", || {
                    use rayon::prelude::*;
                    pdf.par_iter()
                        .try_for_each(|(path, content)| match content {
                            disk_file::Content::Disk(file) => file
                                .sha256_hex()
                                .map(drop)
                                .map_err(|e| RenderError::export(&format!("audit/{path}"), e)),
                            disk_file::Content::Memory(_) => Ok(()),
                        })
                })?;
                Ok::<_, RenderError>(pdf)
            },
        );
        let mut sites = sites?;
        let pdf = pdf?;
        debug_assert!(
            pdf.iter().map(|(p, _)| p).eq(pack.iter().map(|(p, _)| p)),
            "the overview links the files the pack is made of"
        );
        for (path, content) in pdf {
            match content {
                disk_file::Content::Memory(bytes) => sites.audit.push((path, Bytes::new(bytes))),
                disk_file::Content::Disk(file) => sites.audit_on_disk.push((path, file)),
            }
        }
        exports::seal(isms, summary, &mut sites, memo)?;
        sites
    };
    #[cfg(not(feature = "pdf"))]
    let sites = {
        let _ = pdf_cache;
        render_sites_with(isms, summary, findings, memo)?
    };
    Ok(sites)
}

/// Writes the audit index as one archive into `new_out`, the new OUT being
/// filled (the archive is a file beside the two sites): made apart from
/// [`render_build`] so that `isms build` can compress it while the sites are
/// written. `out` is the OUT being replaced: the entries its archive holds
/// unchanged are copied from it.
pub fn write_audit_archive(
    sites: &Sites,
    summary: &crate::report::Summary,
    out: &std::path::Path,
    new_out: &std::path::Path,
) -> Result<(), RenderError> {
    let previous = out.join(archive::NAME);
    let path = new_out.join(archive::NAME);
    let error = |e: std::io::Error| RenderError::export(archive::NAME, e);
    crate::timing::step("render: audit index zip", || {
        let file = std::fs::File::create(&path).map_err(error)?;
        let written = archive::audit_zip(
            std::io::BufWriter::new(file),
            &sites.audit,
            &sites.audit_on_disk,
            as_of(summary),
            Some(&previous),
        )?;
        written.into_inner().map_err(|e| error(e.into_error()))?;
        Ok(())
    })
}

/// Renders both sites, reusing the pages in `memo` whose inputs did not
/// change since it was last used (`isms serve`).
pub fn render_sites_with(
    isms: &Isms,
    summary: &crate::report::Summary,
    findings: &[crate::diagnostics::finding::Finding],
    memo: &memo::Memo,
) -> Result<Sites, RenderError> {
    render_sites_linking(isms, summary, findings, memo, &[])
}

/// [`render_sites_with`], with the overview of the audit index linking the
/// files of the audit pack in `pack`.
fn render_sites_linking(
    isms: &Isms,
    summary: &crate::report::Summary,
    findings: &[crate::diagnostics::finding::Finding],
    memo: &memo::Memo,
    pack: &[(String, String)],
) -> Result<Sites, RenderError> {
    let theme = crate::timing::step("render: theme", || theme(isms, memo))?;
    memo.begin();
    let pages = Pages {
        theme: &theme,
        memo,
        // Hashed once: the findings page and two exports are keyed by it.
        findings_key: crate::diagnostics::finding::findings_key(findings),
        pack,
    };
    // The two sites share nothing but the model and the memo: side by side.
    // The audit index first: several of its pages (the register, the
    // findings) are each one long piece of work, while the staff site is
    // many small pages that any idle core can take a share of.
    let (audit, staff) = rayon::join(
        || {
            crate::timing::step("render: audit index", || {
                audit::render(isms, summary, findings, &pages)
            })
        },
        || {
            crate::timing::step("render: staff site", || {
                staff::render(isms, &pages, as_of(summary))
            })
        },
    );
    let mut sites = Sites {
        staff: staff?,
        audit: audit?,
        audit_on_disk: Vec::new(),
    };
    exports::seal(isms, summary, &mut sites, memo)?;
    memo.sweep();
    Ok(sites)
}

/// The as-of date of the run (the summary holds it as text).
pub(crate) fn as_of(summary: &crate::report::Summary) -> crate::model::ids::Date {
    crate::model::ids::parse_date(&summary.as_of).unwrap_or_default()
}

/// How pages get rendered: the theme's templates, and the memo of pages
/// already rendered (empty for `isms build`).
pub struct Pages<'a> {
    pub theme: &'a Theme,
    pub memo: &'a memo::Memo,
    /// [`crate::diagnostics::finding::findings_key`] of this build's findings.
    pub findings_key: u64,
    /// The files of the audit pack this build writes, as `(path in the
    /// audit index, what it holds)`, for the overview to link; empty where
    /// no pack is written (`isms serve`, a build without the `pdf` feature).
    pub pack: &'a [(String, String)],
}

impl Pages<'_> {
    /// Renders template `name` with `ctx` as the page at `path` (unique
    /// within both sites: `audit/soa.html`), or reuses the page rendered
    /// from the same template and context.
    pub fn render(&self, path: &str, name: &str, ctx: Context) -> Result<Bytes, RenderError> {
        self.memo
            .template_page(path, &self.theme.tera, self.theme.key, name, ctx)
    }
    /// The file at `path` (unique within both sites), rendered by `render`
    /// unless the last build rendered it with the same `key`: for pages and
    /// exports whose inputs hash much faster than they render.
    pub fn keyed(
        &self,
        path: &str,
        key: u64,
        render: impl FnOnce() -> Result<Bytes, RenderError>,
    ) -> Result<Bytes, RenderError> {
        self.memo
            .page(path, key, || {
                Ok(memo::Rendered {
                    bytes: render()?,
                    extra: std::sync::Arc::from(""),
                })
            })
            .map(|r| r.bytes)
    }

    /// A key for a page of `site`: the theme and `isms.toml` (title, logo,
    /// contact...) with the page's own `inputs`.
    pub fn key<T: std::hash::Hash>(&self, isms: &Isms, inputs: &T) -> u64 {
        memo::key_of(&(self.theme.key, source_digest(isms, "isms.toml"), inputs))
    }
}

/// The loaded theme, with a key that changes whenever a template does.
pub struct Theme {
    pub tera: Tera,
    pub key: u64,
}

/// The ISMS's own theme folder: `[site] theme`, else `theme/` if present.
fn theme_dir(isms: &Isms) -> Option<std::path::PathBuf> {
    match &isms.config.site.theme {
        Some(dir) => Some(isms.root.join(dir)),
        None => Some(isms.root.join("theme")).filter(|d| d.is_dir()),
    }
}

/// Reads of theme files, confined to the theme folder (and an implicit
/// `theme/` to the ISMS).
fn theme_reader(isms: &Isms, dir: &std::path::Path) -> Result<Confined, RenderError> {
    let folder = |source: ReadError| RenderError::Read {
        what: "theme folder",
        path: dir.to_path_buf(),
        source,
    };
    let theme = Confined::new(dir).map_err(|e| folder(e.into()))?;
    if isms.config.site.theme.is_none() {
        Confined::new(&isms.root)
            .map_err(ReadError::from)
            .and_then(|root| root.resolve(theme.root()))
            .map_err(folder)?;
    }
    Ok(theme)
}

/// Files below `sub` in the theme folder `dir`, as (`/`-separated path
/// relative to `sub`, path relative to `dir`), sorted. The second is what
/// the theme's confined reader takes: a path relative to its folder, which
/// holds whether the ISMS folder was named relative to the current one or
/// not. Links are not followed (the folder itself, when a link, is refused
/// by the confined read of its files).
fn files_below(dir: &std::path::Path, sub: &str) -> Vec<(String, std::path::PathBuf)> {
    let below = dir.join(sub);
    let mut out: Vec<(String, std::path::PathBuf)> = walkdir::WalkDir::new(&below)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| {
            let rel = e.path().strip_prefix(&below).ok()?;
            let name = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            Some((name, std::path::Path::new(sub).join(rel)))
        })
        .collect();
    out.sort();
    out
}

/// The default theme's templates, overridden by any template of the same
/// name in the ISMS's theme folder (`templates/`).
fn theme(isms: &Isms, memo: &memo::Memo) -> Result<std::sync::Arc<Theme>, RenderError> {
    let mut templates: Vec<(String, String)> = TEMPLATES
        .iter()
        .map(|(n, t)| ((*n).to_string(), (*t).to_string()))
        .collect();
    if let Some(dir) = theme_dir(isms) {
        if !dir.is_dir() {
            return Err(RenderError::NoThemeFolder { path: dir });
        }
        let reader = theme_reader(isms, &dir)?;
        for (name, rel) in files_below(&dir, "templates") {
            let path = dir.join(&rel);
            let bytes = reader.read(&rel).map_err(|source| RenderError::Read {
                what: "theme template",
                path: path.clone(),
                source,
            })?;
            let text = String::from_utf8(bytes)
                .map_err(|_| RenderError::NotUtf8 { path: path.clone() })?;
            templates.retain(|(n, _)| *n != name);
            templates.push((name, text));
        }
    }
    let key = memo::key_of(&templates);
    memo.theme(key, || {
        let mut tera = Tera::default();
        tera.add_raw_templates(templates)
            .map_err(|e| RenderError::Templates {
                message: RenderError::chain(&e),
            })?;
        Ok(Theme { tera, key })
    })
}

/// Whether an image source written in `doc` is the configured site logo
/// (the same file of the ISMS), which the page header already shows.
pub(crate) fn is_site_logo(isms: &Isms, doc: &Document, src: &str) -> bool {
    let Some(logo) = isms.config.site.logo.as_deref() else {
        return false;
    };
    let src = src.trim();
    let target = src.split(['?', '#']).next().unwrap_or_default();
    if target.is_empty() || target.contains(':') {
        return false;
    }
    let written = join_relative(&doc.path, &percent_decode(target));
    written.is_some() && written == join_relative("isms.toml", logo)
}

/// What a document's page shows around its body: the title as its `<h1>`,
/// the organisation, the site logo.
pub(crate) fn page_head<'a>(
    isms: &'a Isms,
    doc: &'a Document,
    is_logo: &'a dyn Fn(&str) -> bool,
) -> title::Head<'a> {
    title::Head {
        title: &doc.title,
        organisation: &isms.config.organisation,
        is_logo,
    }
}

/// Where the configured logo is published, relative to a site root.
pub(crate) fn logo_path(isms: &Isms) -> Option<String> {
    let logo = isms.config.site.logo.as_ref()?;
    let ext = std::path::Path::new(logo)
        .extension()?
        .to_string_lossy()
        .to_ascii_lowercase();
    Confined::new(&isms.root)
        .ok()?
        .resolve(logo)
        .is_ok_and(|p| p.is_file())
        .then(|| format!("assets/logo.{ext}"))
}

/// The static theme files (default, then the ISMS theme's `static/`, which
/// wins on equal paths) and the logo, as site files.
pub(crate) fn static_files(isms: &Isms) -> Result<Vec<SiteFile>, RenderError> {
    let mut files: Vec<SiteFile> = STATIC
        .iter()
        .map(|(path, bytes)| ((*path).to_string(), Bytes::new(bytes.to_vec())))
        .collect();
    if let Some(dir) = theme_dir(isms) {
        let reader = theme_reader(isms, &dir)?;
        for (name, rel) in files_below(&dir, "static") {
            let bytes = reader.read(&rel).map_err(|source| RenderError::Read {
                what: "theme file",
                path: dir.join(&rel),
                source,
            })?;
            files.retain(|(n, _)| *n != name);
            files.push((name, Bytes::new(bytes)));
        }
    }
    if let (Some(logo), Some(published)) = (&isms.config.site.logo, logo_path(isms)) {
        let bytes = Confined::new(&isms.root)
            .map_err(ReadError::from)
            .and_then(|root| root.read(logo))
            .map_err(|source| RenderError::Read {
                what: "logo",
                path: isms.root.join(logo),
                source,
            })?;
        files.push((published, Bytes::new(bytes)));
    }
    Ok(files)
}

/// Renders template `name` as the page at `page` (for the error, which
/// names both).
pub(crate) fn render_page(
    tera: &Tera,
    name: &str,
    ctx: &Context,
    page: &str,
) -> Result<Bytes, RenderError> {
    tera.render(name, ctx)
        .map(|text| Bytes::new(text.into_bytes()))
        .map_err(|e| RenderError::Page {
            page: page.to_string(),
            template: name.to_string(),
            message: RenderError::chain(&e),
        })
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
    ctx.insert("search", &search);
    ctx
}

/// Resolves a link written in `from`'s body for a page in `docs/`.
/// `visible` says whether a document may be linked to on this site; a link to
/// any other document, to a control, or to a file that is not a document
/// yields `None` (plain text).
///
/// The target is read as a browser would: whitespace trimmed, query and
/// fragment set aside, percent escapes decoded, a trailing slash dropped,
/// relative to the document. A page name in `docs/` (`POL-X.html`, what this
/// function returns) resolves to its document, so resolving twice gives the
/// same href.
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
    let (target, anchor) = match dest.split_once('#') {
        Some((t, a)) => (t, Some(a)),
        None => (dest, None),
    };
    let target = target.split('?').next().unwrap_or_default();
    let target = percent_decode(target);
    let target = target.trim().trim_end_matches('/');
    let doc = if let Some(id) = strip_prefix_ignore_case(target, "id:") {
        isms.doc(id.trim())?
    } else if target.contains(':') {
        // A control, or some other scheme: not a link this tool vouches for.
        return None;
    } else if let Some(doc) = join_relative(&from.path, target).and_then(|p| isms.doc_at(&p)) {
        doc
    } else {
        let id = target
            .strip_suffix(".html")
            .filter(|id| !id.contains('/'))?;
        isms.doc(id)?
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

/// `text` without `prefix`, compared ignoring ASCII case.
fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

/// The SHA-256 of a source file as read by the load stage (empty when the
/// file was not read): part of every page key that depends on the file.
pub(crate) fn source_digest<'a>(isms: &'a Isms, path: &str) -> &'a str {
    isms.sources
        .binary_search_by(|(p, _)| p.as_str().cmp(path))
        .map_or("", |i| isms.sources[i].1.as_str())
}

/// A document's page name inside `docs/`.
pub(crate) fn doc_page(doc: &Document) -> String {
    format!("{}.html", doc.id.as_str())
}

/// A document's page relative to a site's root: `docs/` and [`doc_page`],
/// in one allocation (the register makes one per document per rebuild).
pub(crate) fn doc_href(doc: &Document) -> String {
    ["docs/", doc.id.as_str(), ".html"].concat()
}

/// One row of a version history.
#[derive(Serialize, Hash)]
pub(crate) struct HistoryRow {
    /// The commit id, abbreviated as git does by default (7 characters).
    pub commit: String,
    pub date: String,
    pub author: String,
    pub subject: String,
}

/// The commits that changed `doc` that `keep` allows (by position in the
/// history), with their positions, in the history's order.
fn kept_commits<'a>(
    isms: &'a Isms,
    doc: &Document,
    keep: &'a dyn Fn(usize) -> bool,
) -> impl Iterator<Item = (usize, &'a crate::model::history::CommitInfo)> + 'a {
    let commits = &isms.history.commits;
    kept_positions(isms, doc, keep).filter_map(move |at| Some((at, commits.get(at)?)))
}

/// The positions in the history of the commits that changed `doc` and
/// that `keep` allows, in the history's order: [`kept_commits`] without
/// reading the commits (a page key needs only the positions).
fn kept_positions<'a>(
    isms: &'a Isms,
    doc: &Document,
    keep: &'a dyn Fn(usize) -> bool,
) -> impl Iterator<Item = usize> + 'a {
    let history = &isms.history;
    let changes = history
        .docs
        .get(&doc.path)
        .map_or(&[][..], |d| d.changes.as_slice());
    changes
        .iter()
        .map(|change| change.commit)
        .filter(move |&at| at < history.commits.len() && keep(at))
}

/// The commits that changed `doc`, newest first, keeping only those whose
/// subject `keep` allows.
pub(crate) fn history_rows(
    isms: &Isms,
    doc: &Document,
    keep: &dyn Fn(usize) -> bool,
) -> Vec<HistoryRow> {
    let mut rows: Vec<(i64, HistoryRow)> = kept_commits(isms, doc, keep)
        .map(|(_, commit)| {
            (
                commit.time,
                HistoryRow {
                    commit: commit.short_id().to_string(),
                    date: commit_date(commit),
                    author: commit.author.clone(),
                    subject: commit.subject.clone(),
                },
            )
        })
        .collect();
    rows.sort_by_key(|r| std::cmp::Reverse(r.0));
    rows.into_iter().map(|(_, r)| r).collect()
}

/// A key for the history `history_rows` would list, without building it:
/// which commits it would show. Commit positions identify them while the
/// history is the same one (the head and length are part of the key).
/// Cheap enough to compute for every page on every rebuild.
pub(crate) fn history_key(isms: &Isms, doc: &Document, keep: &dyn Fn(usize) -> bool) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = crate::model::digest::key_hasher();
    (&isms.history.head, isms.history.commits.len()).hash(&mut hasher);
    for position in kept_positions(isms, doc, keep) {
        position.hash(&mut hasher);
    }
    hasher.finish()
}

/// The calendar date a commit was written on, in its author's time zone (the
/// date the author saw, whichever zone the build runs in).
pub(crate) fn commit_date(commit: &crate::model::history::CommitInfo) -> String {
    commit_day(commit).map(fmt_date).unwrap_or_default()
}

/// The calendar day of a commit in its author's time zone.
pub(crate) fn commit_day(
    commit: &crate::model::history::CommitInfo,
) -> Option<crate::model::ids::Date> {
    let local = commit.time + i64::from(commit.offset_minutes) * 60;
    chrono::DateTime::from_timestamp(local, 0).map(|d| d.date_naive())
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
