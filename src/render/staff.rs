//! The staff site: only documents [`Isms::on_staff_site`] allows (contract
//! section 4), and nothing that names any other document.

use super::RenderError;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use aho_corasick::AhoCorasick;
use rayon::prelude::*;
use serde::Serialize;

use super::memo::{self, Rendered};
use super::word_diff;
use super::{
    doc_href, history_key, history_rows, markdown, meta_items, page_context, render_page,
    resolve_link, source_digest, static_files, Pages, SiteContext, SiteFile,
};
use crate::model::document::{DocType, Document};
use crate::model::ids::{fmt_date, Date};
use crate::model::Isms;

/// How many approvals the home page lists.
const RECENT: usize = 10;

/// A document in the home page's lists, borrowed from the model: the lists
/// are made on every rebuild, and rendered only when they changed.
#[derive(Serialize, Hash)]
struct Entry<'a> {
    id: &'a str,
    title: &'a str,
    href: String,
    summary: Option<&'a str>,
    version: Option<&'a str>,
    approved_on: Option<String>,
}

#[derive(Serialize, Hash)]
struct Group<'a> {
    heading: &'static str,
    slug: &'static str,
    docs: Vec<Entry<'a>>,
}

/// A staff document's page, its search entry and its key.
type StaffPage = (SiteFile, std::sync::Arc<str>, u64);

#[derive(Serialize)]
struct SearchEntry<'a> {
    title: &'a str,
    id: &'a str,
    url: String,
    summary: &'a str,
    #[serde(rename = "type")]
    doc_type: &'static str,
    text: String,
}

fn entry(doc: &Document) -> Entry<'_> {
    Entry {
        id: doc.id.as_str(),
        title: &doc.title,
        href: doc_href(doc),
        summary: doc.summary.as_deref(),
        version: doc.version.as_deref(),
        approved_on: doc.approved_on.as_ref().map(|d| fmt_date(d.value)),
    }
}

/// Renders every file of the staff site; `as_of` decides whether an audit
/// lies ahead (the briefing).
pub fn render(isms: &Isms, pages: &Pages, as_of: Date) -> Result<Vec<SiteFile>, RenderError> {
    let (theme, memo) = (pages.theme, pages.memo);
    let tera = &theme.tera;
    let site = SiteContext::of(isms);
    let staff: Vec<&Document> = isms
        .documents
        .iter()
        .map(|d| &**d)
        .filter(|d| isms.on_staff_site(d))
        .collect();
    let filter = StaffFilter::of(isms, memo);
    let (hidden, naming_hidden) = (&filter.hidden, &filter.naming_hidden);
    // By commit position; a position the filter does not know is left out.
    let keep = |position: usize| naming_hidden.get(position) == Some(&false);
    let visible = |d: &Document| isms.on_staff_site(d);
    let names_hidden = |text: &str| hidden.named_in(text);

    let mut files = static_files(isms)?;

    // The home page and the briefing render beside the document pages.
    let front_pages = || -> Result<Vec<SiteFile>, RenderError> {
        let mut files = Vec::new();
        // Home page.
        let groups: Vec<Group> = DocType::ALL
            .iter()
            .filter_map(|&t| {
                let mut docs: Vec<&&Document> = staff.iter().filter(|d| d.doc_type == t).collect();
                docs.sort_by(|a, b| a.title.cmp(&b.title).then(a.id.as_str().cmp(b.id.as_str())));
                (!docs.is_empty()).then(|| Group {
                    heading: t.plural(),
                    slug: t.as_str(),
                    docs: docs.into_iter().map(|d| entry(d)).collect(),
                })
            })
            .collect();
        let mut recent: Vec<&&Document> =
            staff.iter().filter(|d| d.approved_on.is_some()).collect();
        recent.sort_by(|a, b| {
            let date = |d: &Document| d.approved_on.as_ref().map(|x| x.value);
            date(b).cmp(&date(a)).then(a.id.as_str().cmp(b.id.as_str()))
        });
        let recent: Vec<Entry> = recent.into_iter().take(RECENT).map(|d| entry(d)).collect();
        let changed = changed_since(isms, &staff);
        let next_audit = super::briefing::next_audit(isms, as_of);
        // Keyed by what it shows, so that a rebuild turns the lists of every
        // staff document into a template context only when they changed.
        let home_key = pages.key(
            isms,
            &(
                "staff/index.html",
                &groups,
                &recent,
                &changed,
                staff.len(),
                &next_audit,
            ),
        );
        let home = pages.keyed("staff/index.html", home_key, || {
            let mut ctx = page_context(&site, "staff", "", &site.title, true, true);
            ctx.insert("groups", &groups);
            ctx.insert("recent", &recent);
            ctx.insert("changed", &changed);
            ctx.insert("count", &staff.len());
            ctx.insert("next_audit", &next_audit);
            super::render_page(tera, "staff/index.html", &ctx, "staff/index.html")
        })?;
        files.push(("index.html".into(), home));

        // The audit briefing, while an audit lies ahead.
        if let Some(audit) = &next_audit {
            let doc = super::briefing::briefing_doc(isms);
            let body = doc.map(|doc| {
                // The page sits at the site root, document pages in `docs/`.
                let link = |dest: &str| {
                    resolve_link(isms, doc, dest, &visible).map(|href| {
                        let external = href.starts_with('#') || href.contains(':');
                        if external {
                            href
                        } else {
                            format!("docs/{href}")
                        }
                    })
                };
                let links = markdown::Links {
                    link: &link,
                    image: &published_image,
                    names_hidden: &names_hidden,
                };
                markdown::render_with(&doc.body, &doc.outline().anchors, &links)
            });
            let title = format!("Audit briefing: the {} audit", audit.kind);
            let mut ctx = page_context(&site, "staff", "", &title, false, true);
            ctx.insert("audit", audit);
            ctx.insert("body", &body);
            ctx.insert("doc", &doc.map(entry));
            ctx.insert("isms_lead", &isms.config.isms_lead);
            files.push((
                "briefing.html".into(),
                pages.render("staff/briefing.html", "staff/briefing.html", ctx)?,
            ));
        }

        Ok(files)
    };
    let document_pages = || -> Result<Vec<SiteFile>, RenderError> {
        let mut files = Vec::with_capacity(staff.len() + 1);
        // One page per document, in parallel.
        // Each page comes with its search keywords, taken from the rendered body
        // so that refused links (whose targets are hidden) add nothing.
        // A page is made from its own file, its history, the theme, isms.toml
        // and which documents it may link to or must not name: the key covers
        // all of them.
        let epoch = memo::key_of(&(theme.key, source_digest(isms, "isms.toml"), signature(isms)));
        let doc_pages: Vec<Result<StaffPage, RenderError>> = staff
            .par_iter()
            .map(|doc| {
                let history = history_key(isms, doc, &keep);
                let acknowledge = acknowledge(isms, doc);
                let key = memo::key_of(&(epoch, &doc.source_digest, &history, &acknowledge));
                let path = doc_href(doc);
                let page = memo.page(&format!("staff/{path}"), key, || {
                    let links = markdown::Links {
                        link: &|dest| resolve_link(isms, doc, dest, &visible),
                        image: &published_image,
                        names_hidden: &names_hidden,
                    };
                    let is_logo = |src: &str| super::is_site_logo(isms, doc, src);
                    let head = super::page_head(isms, doc, &is_logo);
                    let body = markdown::render_page(
                        &doc.body,
                        &doc.outline().anchors,
                        &links,
                        Some(&head),
                    );
                    let changes = changes(isms, doc, &body, &links, hidden, &head);
                    let mut ctx = page_context(&site, "staff", "../", &doc.title, false, true);
                    ctx.insert("changes", &changes);
                    ctx.insert("acknowledge", &acknowledge);
                    ctx.insert("doc_id", doc.id.as_str());
                    ctx.insert("summary", &doc.summary);
                    ctx.insert("meta", &meta_items(isms, doc));
                    ctx.insert("body", &body);
                    ctx.insert("history", &history_rows(isms, doc, &keep));
                    let html = render_page(tera, "staff/doc.html", &ctx, &format!("staff/{path}"))?;
                    Ok(Rendered {
                        bytes: html,
                        extra: search_entry(doc, keywords(&body))?.into(),
                    })
                })?;
                Ok(((path, page.bytes), page.extra, key))
            })
            .collect();
        let mut entries = Vec::with_capacity(doc_pages.len());
        // The search index is made of each staff page's entry, kept with the
        // page (so fixed by its key): one edit re-serialises one entry.
        let mut index_key = crate::model::digest::key_hasher();
        for page in doc_pages {
            let (file, entry, key) = page?;
            // The page's path and key fix its entry.
            (&file.0, key).hash(&mut index_key);
            files.push(file);
            entries.push(entry);
        }

        // Search index: a plain script, because fetch() is blocked on file://.
        let index = memo.page("staff/search-index.js", index_key.finish(), || {
            let size = entries.iter().map(|e| e.len() + 1).sum::<usize>();
            let mut script = String::with_capacity(size + 64);
            script.push_str("window.ISMS_SEARCH_INDEX = [");
            for (n, entry) in entries.iter().enumerate() {
                if n > 0 {
                    script.push(',');
                }
                script.push_str(entry);
            }
            script.push_str("];\n");
            Ok(Rendered {
                bytes: super::Bytes::new(script.into_bytes()),
                extra: std::sync::Arc::from(""),
            })
        })?;
        files.push(("search-index.js".into(), index.bytes));
        Ok(files)
    };
    let (front, documents) = rayon::join(front_pages, document_pages);
    files.extend(front?);
    files.extend(documents?);
    Ok(files)
}

/// What changed in a staff document since its previous approval.
#[derive(Serialize)]
struct Changes {
    /// The version approved before, as written then.
    since_version: Option<String>,
    /// When the previous version was approved, as written then.
    since_on: String,
    /// When the current version was approved.
    approved_on: Option<String>,
    diff: word_diff::WordDiff,
}

/// The word-level changes between the text approved before the current
/// approval and the page's `body` (both rendered with the page's `links`,
/// so the earlier text shows no more than the page could). `None` when
/// there was no earlier approval, its text is unknown, the words are the
/// same, or the earlier text names a document kept off the staff site:
/// it may come from before the document was meant for staff, and the
/// staff site fails closed.
fn changes(
    isms: &Isms,
    doc: &Document,
    body: &str,
    links: &markdown::Links,
    hidden: &HiddenNames,
    head: &super::title::Head,
) -> Option<Changes> {
    let previous = isms
        .history
        .docs
        .get(&doc.path)?
        .previous_approval
        .as_ref()?;
    let earlier = previous.previous.as_ref()?;
    let old = markdown::render_page(previous.earlier_body.as_deref()?, &[], links, Some(head));
    if hidden.named_in(&old) {
        return None;
    }
    Some(Changes {
        since_version: earlier.version.clone(),
        since_on: previous.approved_on.clone(),
        approved_on: doc.approved_on.as_ref().map(|d| fmt_date(d.value)),
        diff: word_diff::compare(&old, body)?,
    })
}

/// A staff document whose current approval changed its text, for the home
/// page's "changed since" list.
#[derive(Serialize, Hash)]
struct ChangedEntry {
    title: String,
    href: String,
    approved_on: Option<String>,
    since_on: String,
}

/// The staff documents whose approved text changed at their current
/// approval (the body at the previous approval commit differs), newest
/// approval first, at most [`RECENT`].
fn changed_since(isms: &Isms, staff: &[&Document]) -> Vec<ChangedEntry> {
    let mut out: Vec<(&Document, &str)> = staff
        .iter()
        .filter_map(|d| {
            let previous = isms.history.docs.get(&d.path)?.previous_approval.as_ref()?;
            let earlier = previous.previous.as_ref()?;
            (earlier.body_hash != previous.current.body_hash)
                .then_some((*d, previous.approved_on.as_str()))
        })
        .collect();
    out.sort_by(|(a, _), (b, _)| {
        let date = |d: &Document| d.approved_on.as_ref().map(|x| x.value);
        date(b).cmp(&date(a)).then(a.id.as_str().cmp(b.id.as_str()))
    });
    out.into_iter()
        .take(RECENT)
        .map(|(d, since)| ChangedEntry {
            title: d.title.clone(),
            href: doc_href(d),
            approved_on: d.approved_on.as_ref().map(|x| fmt_date(x.value)),
            since_on: since.to_string(),
        })
        .collect()
}

/// What staff pages depend on in other documents: which exist where, which
/// are on the staff site, and the names of those that are not (commit
/// subjects naming them are left out).
fn signature(isms: &Isms) -> u64 {
    let mut hasher = crate::model::digest::key_hasher();
    for d in &isms.documents {
        let visible = isms.on_staff_site(d);
        (d.id.as_str(), &d.path, visible).hash(&mut hasher);
        if !visible {
            d.title.hash(&mut hasher);
        }
    }
    hasher.finish()
}

/// An image source the staff site keeps: an absolute http or https URL.
/// Nothing of the ISMS is published beside the pages but the theme's assets,
/// so any other source is a file that is not there, perhaps a hidden
/// document: the image goes, alt text and all.
fn published_image(src: &str) -> Option<String> {
    let src = src.trim();
    let lower = src.get(..8).unwrap_or(src).to_ascii_lowercase();
    (lower.starts_with("http://") || lower.starts_with("https://")).then(|| src.to_string())
}

/// The names of the documents kept off the staff site (id, title, path,
/// file name and file stem), to find them in a text whatever its case and
/// whatever stands between their words (`Update zqx_secret-plan.MD`).
///
/// Names and texts are compared as their letters and digits only, in lower
/// case: looser than any spelling, so a text that might name a hidden
/// document counts as naming it (fail closed).
pub(crate) struct HiddenNames {
    /// `None` when nothing is hidden.
    matcher: Option<AhoCorasick>,
    /// Every text counts as naming a hidden document: the names were too
    /// many for the automaton.
    all: bool,
}

/// What the staff site leaves out of other texts: the names of hidden
/// documents, and the commit subjects that might name one.
pub(crate) struct StaffFilter {
    hidden: HiddenNames,
    /// By commit position in the history: whether its subject might name
    /// a hidden document.
    naming_hidden: Vec<bool>,
}

impl StaffFilter {
    /// The filter for `isms`, reused from `memo` while the hidden
    /// documents' names and the history are those it was built from (the
    /// head commit with the number of commits, and whether the clone is
    /// shallow, fix every commit subject).
    fn of(isms: &Isms, memo: &memo::Memo) -> std::sync::Arc<StaffFilter> {
        // The names are made from the hidden documents' ids, titles and
        // paths: those key the filter, and the names are made only when
        // the key changes.
        let mut hidden_docs = crate::model::digest::key_hasher();
        for d in isms.documents.iter().filter(|d| !isms.on_staff_site(d)) {
            (d.id.as_str(), &d.title, &d.path).hash(&mut hidden_docs);
        }
        let history = &isms.history;
        let key = memo::key_of(&(
            hidden_docs.finish(),
            &history.head,
            history.commits.len(),
            history.shallow,
        ));
        memo.staff_filter(key, || {
            let hidden = HiddenNames::from_names(hidden_names(isms));
            let naming_hidden = subjects_naming_hidden(isms, &hidden);
            StaffFilter {
                hidden,
                naming_hidden,
            }
        })
    }
}

/// The skeletons of the names of the documents kept off the staff site,
/// sorted and without duplicates (see [`HiddenNames`]).
fn hidden_names(isms: &Isms) -> Vec<String> {
    let mut names: Vec<String> = isms
        .documents
        .iter()
        .map(|d| &**d)
        .filter(|d| !isms.on_staff_site(d))
        .flat_map(|d| {
            let file = d.path.rsplit('/').next().unwrap_or(&d.path);
            let stem = file.rsplit_once('.').map_or(file, |(stem, _)| stem);
            [d.id.as_str(), d.title.as_str(), d.path.as_str(), file, stem].map(skeleton)
        })
        .filter(|s| !s.is_empty())
        .collect();
    names.sort_unstable();
    names.dedup();
    names
}

impl HiddenNames {
    fn from_names(names: Vec<String>) -> HiddenNames {
        if names.is_empty() {
            return HiddenNames {
                matcher: None,
                all: false,
            };
        }
        match AhoCorasick::new(&names) {
            Ok(matcher) => HiddenNames {
                matcher: Some(matcher),
                all: false,
            },
            Err(_) => HiddenNames {
                matcher: None,
                all: true,
            },
        }
    }

    /// Whether `text` might name a document kept off the staff site.
    pub(crate) fn named_in(&self, text: &str) -> bool {
        self.all
            || self
                .matcher
                .as_ref()
                .is_some_and(|m| m.is_match(&skeleton(text)))
    }
}

/// The letters and digits of `text`, in lower case.
fn skeleton(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// For each commit, by position, whether its subject might name a document
/// kept off the staff site (see [`HiddenNames`]): the staff history leaves
/// those out.
///
/// One Aho-Corasick pass per distinct subject, so that the cost grows with
/// commits plus names rather than their product.
fn subjects_naming_hidden(isms: &Isms, hidden: &HiddenNames) -> Vec<bool> {
    // Each distinct subject is matched once.
    let mut verdicts: HashMap<&str, bool> = HashMap::new();
    isms.history
        .commits
        .iter()
        .map(|c| {
            *verdicts
                .entry(c.subject.as_str())
                .or_insert_with(|| hidden.named_in(&c.subject))
        })
        .collect()
}

/// One document's entry of the search index, as JSON ready to go inside
/// a script: `</` never appears in it, whatever the document says.
fn search_entry(doc: &Document, text: String) -> Result<String, RenderError> {
    let entry = SearchEntry {
        title: &doc.title,
        id: doc.id.as_str(),
        url: doc_href(doc),
        summary: doc.summary.as_deref().unwrap_or(""),
        doc_type: doc.doc_type.as_str(),
        text,
    };
    let json = serde_json::to_string(&entry)
        .map_err(|e| RenderError::export("staff/search-index.js", e))?;
    Ok(json.replace("</", "<\\/"))
}

/// The distinct lowercase words of a rendered body (tags and entities left
/// out), in first-seen order: enough for matching, smaller than the text.
fn keywords(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    let mut in_entity = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                text.push(' ');
            }
            '&' if !in_tag => in_entity = true,
            ';' if in_entity => {
                in_entity = false;
                text.push(' ');
            }
            _ if in_tag || in_entity => {}
            _ => text.push(c),
        }
    }
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for word in text
        .split(|c: char| !c.is_alphanumeric() && c != '-')
        .map(|w| w.trim_matches('-').to_lowercase())
        .filter(|w| w.chars().count() > 2)
    {
        if seen.insert(word.clone()) {
            out.push(word);
        }
    }
    out.join(" ")
}

/// How staff confirm they read an `acknowledge: true` document (a static
/// site stores nothing, so the page only says where to confirm).
#[derive(Serialize, Hash, Debug, PartialEq, Eq)]
struct Acknowledge {
    version: Option<String>,
    /// The last day to confirm, for people in post when it was approved.
    deadline: Option<String>,
    /// `[site] acknowledge_url`, else a mail to the ISMS lead's first roster
    /// address; `None` when neither exists.
    href: Option<String>,
    /// Whether `href` is the site's own form rather than a mail.
    form: bool,
    isms_lead: Option<String>,
}

fn acknowledge(isms: &Isms, doc: &Document) -> Option<Acknowledge> {
    if !doc.needs_acknowledgement() {
        return None;
    }
    let days = u64::from(isms.config.people.acknowledge_days);
    let deadline = doc
        .approved_on
        .as_ref()
        .map(|d| fmt_date(d.value + chrono::Days::new(days)));
    let lead = isms.config.isms_lead.clone();
    let href = match &isms.config.site.acknowledge_url {
        Some(url) => Some(url.clone()),
        None => lead
            .as_deref()
            .and_then(|name| {
                isms.roster
                    .people
                    .iter()
                    .find(|p| isms.roster.same_person(&p.name, name))
            })
            .and_then(|p| p.emails.first())
            .map(|email| {
                let subject = format!(
                    "Read and understood: {} ({}){}",
                    doc.title,
                    doc.id.as_str(),
                    doc.version
                        .as_deref()
                        .map(|v| format!(", version {v}"))
                        .unwrap_or_default()
                );
                format!("mailto:{email}?subject={}", mail_encode(&subject))
            }),
    };
    Some(Acknowledge {
        version: doc.version.clone(),
        deadline,
        form: isms.config.site.acknowledge_url.is_some(),
        href,
        isms_lead: lead,
    })
}

/// Percent-encodes a mail header value for a `mailto:` link (RFC 6068):
/// letters, digits and `-._~` stay, every other byte is `%XX`.
fn mail_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
