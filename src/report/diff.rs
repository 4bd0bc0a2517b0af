//! `isms diff`: two checked states of one ISMS side by side in
//! document-control terms, and how to print them in every format.
//!
//! Documents are matched by `id`, so a renamed file is one document; a
//! removed and an added file with different ids but the same body are a
//! rename too (as history follows them). Findings are matched by rule,
//! document (else path, renames applied), control and message, never by
//! line, so that an edit above a finding does not make it new.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;

use serde::Serialize;

use super::json::JsonFinding;
use super::markdown::escape;
use super::{repo_path, Summary};
use crate::diagnostics::finding::Finding;
use crate::model::document::{Document, SoaEntry};
use crate::model::Isms;

/// One side of the comparison: the ISMS as checked, and its findings.
pub struct Side<'a> {
    /// What the side is (`main`, `HEAD`, `working tree`).
    pub label: &'a str,
    pub isms: &'a Isms,
    pub findings: &'a [Finding],
    pub summary: &'a Summary,
}

/// How a document changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    Added,
    Removed,
    Renamed,
    Changed,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Added => "added",
            Kind::Removed => "removed",
            Kind::Renamed => "renamed",
            Kind::Changed => "changed",
        }
    }
}

/// What a changed document now needs before it is in order again.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Need {
    /// The approved body changed but the approval did not (DC006 once
    /// committed).
    NewApproval,
    /// The approved body changed under the same `version` (DC015 once
    /// approved).
    VersionBump,
    /// The approval moved but a written `next_review` stayed where it was.
    NewReviewDate,
}

impl Need {
    fn text(self) -> &'static str {
        match self {
            Need::NewApproval => "a new approval",
            Need::VersionBump => "a version bump",
            Need::NewReviewDate => "a new review date",
        }
    }
}

/// One document that differs between the sides.
#[derive(Clone, Debug, Serialize)]
pub struct DocDiff {
    pub id: String,
    pub title: String,
    pub kind: Kind,
    /// Path at HEAD (at BASE for a removed document).
    pub path: String,
    /// Path at BASE when it differs (renamed).
    pub from: Option<String>,
    pub body_changed: bool,
    pub front_matter_changed: bool,
    pub needs: Vec<Need>,
}

/// One SoA row whose applicability or status differs.
#[derive(Clone, Debug, Serialize)]
pub struct SoaChange {
    pub control: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// Everything `isms diff` reports.
pub struct Diff<'a> {
    pub base: Side<'a>,
    pub head: Side<'a>,
    pub documents: Vec<DocDiff>,
    pub soa: Vec<SoaChange>,
    /// Documents (id, title) that reach the staff site.
    pub staff_arrivals: Vec<(String, String)>,
    /// Documents (id, title) that leave the staff site.
    pub staff_departures: Vec<(String, String)>,
    pub introduced: Vec<&'a Finding>,
    pub resolved: Vec<&'a Finding>,
}

/// Compares two checked states of the same ISMS.
pub fn compare<'a>(base: Side<'a>, head: Side<'a>) -> Diff<'a> {
    let (documents, renames) = documents(base.isms, head.isms);
    let soa = soa(base.isms, head.isms);
    let staff = |isms: &Isms| -> BTreeMap<String, String> {
        isms.documents
            .iter()
            .filter(|d| isms.on_staff_site(d))
            .map(|d| (d.id.as_str().to_string(), d.title.clone()))
            .collect()
    };
    let (was, now) = (staff(base.isms), staff(head.isms));
    let staff_arrivals = now
        .iter()
        .filter(|(id, _)| !was.contains_key(*id))
        .map(|(i, t)| (i.clone(), t.clone()))
        .collect();
    let staff_departures = was
        .iter()
        .filter(|(id, _)| !now.contains_key(*id))
        .map(|(i, t)| (i.clone(), t.clone()))
        .collect();
    let key = |f: &'a Finding, renames: Option<&HashMap<String, String>>| {
        let place = match (&f.document, &f.path) {
            (Some(doc), _) => format!("doc:{doc}"),
            (None, Some(path)) => {
                let path = renames.and_then(|r| r.get(path)).unwrap_or(path);
                format!("path:{path}")
            }
            (None, None) => String::new(),
        };
        (
            f.rule.code,
            place,
            f.control.as_ref().map(ToString::to_string),
            f.message.clone(),
        )
    };
    let mut before: HashMap<_, usize> = HashMap::new();
    for f in base.findings {
        *before.entry(key(f, Some(&renames))).or_default() += 1;
    }
    let mut after: HashMap<_, usize> = HashMap::new();
    for f in head.findings {
        *after.entry(key(f, None)).or_default() += 1;
    }
    // A finding is new when HEAD has more of its kind than BASE had.
    let mut seen: HashMap<_, usize> = HashMap::new();
    let introduced = head
        .findings
        .iter()
        .filter(|f| {
            let k = key(f, None);
            let n = seen.entry(k.clone()).or_default();
            *n += 1;
            *n > before.get(&k).copied().unwrap_or(0)
        })
        .collect();
    let mut seen: HashMap<_, usize> = HashMap::new();
    let resolved = base
        .findings
        .iter()
        .filter(|f| {
            let k = key(f, Some(&renames));
            let n = seen.entry(k.clone()).or_default();
            *n += 1;
            *n > after.get(&k).copied().unwrap_or(0)
        })
        .collect();
    Diff {
        base,
        head,
        documents,
        soa,
        staff_arrivals,
        staff_departures,
        introduced,
        resolved,
    }
}

/// The file's digest in `isms.sources`.
fn source_digest<'a>(isms: &'a Isms, path: &str) -> Option<&'a str> {
    isms.sources
        .iter()
        .find(|(p, _)| p == path)
        .map(|(_, d)| d.as_str())
}

/// The documents that differ, and BASE path -> HEAD path for renames.
fn documents(base: &Isms, head: &Isms) -> (Vec<DocDiff>, HashMap<String, String>) {
    let mut out = Vec::new();
    let mut renames = HashMap::new();
    let mut matched: HashMap<&str, &Document> = HashMap::new();
    let mut unmatched_base: Vec<&Document> = Vec::new();
    for doc in &base.documents {
        match head.doc(doc.id.as_str()) {
            Some(now) => {
                matched.insert(now.path.as_str(), doc);
            }
            None => unmatched_base.push(doc),
        }
    }
    let mut added: Vec<&Document> = Vec::new();
    for now in &head.documents {
        if !matched.contains_key(now.path.as_str()) {
            // A new id with the body of a removed document is a rename.
            let twin = unmatched_base
                .iter()
                .position(|d| d.body_digest == now.body_digest && !d.body.trim().is_empty());
            match twin {
                Some(i) => {
                    let was = unmatched_base.remove(i);
                    matched.insert(now.path.as_str(), was);
                }
                None => added.push(now),
            }
        }
    }
    for now in &head.documents {
        let Some(was) = matched.get(now.path.as_str()) else {
            continue;
        };
        let moved = was.path != now.path;
        if moved {
            renames.insert(was.path.clone(), now.path.clone());
        }
        let body_changed = was.body_digest != now.body_digest;
        let file_changed = source_digest(base, &was.path) != source_digest(head, &now.path)
            || was.id.as_str() != now.id.as_str();
        let front_matter_changed = file_changed && !body_changed;
        if !moved && !body_changed && !front_matter_changed {
            continue;
        }
        out.push(DocDiff {
            id: now.id.as_str().to_string(),
            title: now.title.clone(),
            kind: if moved { Kind::Renamed } else { Kind::Changed },
            path: now.path.clone(),
            from: moved.then(|| was.path.clone()),
            body_changed,
            front_matter_changed,
            needs: needs(was, now, body_changed),
        });
    }
    for now in added {
        out.push(DocDiff {
            id: now.id.as_str().to_string(),
            title: now.title.clone(),
            kind: Kind::Added,
            path: now.path.clone(),
            from: None,
            body_changed: true,
            front_matter_changed: true,
            needs: Vec::new(),
        });
    }
    for was in unmatched_base {
        out.push(DocDiff {
            id: was.id.as_str().to_string(),
            title: was.title.clone(),
            kind: Kind::Removed,
            path: was.path.clone(),
            from: None,
            body_changed: true,
            front_matter_changed: true,
            needs: Vec::new(),
        });
    }
    out.sort_by(|a, b| a.path.cmp(&b.path).then(a.id.cmp(&b.id)));
    (out, renames)
}

/// What an approved document (not a record) needs after the change.
fn needs(was: &Document, now: &Document, body_changed: bool) -> Vec<Need> {
    let mut out = Vec::new();
    if !now.is_approved() || now.is_record() {
        return out;
    }
    let approval = |d: &Document| {
        (
            d.approved_by.as_ref().map(|a| a.value.clone()),
            d.approved_on.as_ref().map(|a| a.value),
        )
    };
    let reapproved = approval(was) != approval(now);
    if body_changed && was.is_approved() {
        if !reapproved && now.approved_digest.is_none() {
            out.push(Need::NewApproval);
        }
        if was.version == now.version {
            out.push(Need::VersionBump);
        }
    }
    let written = |d: &Document| d.next_review.as_ref().map(|n| n.value);
    if reapproved && was.is_approved() && written(now).is_some() && written(was) == written(now) {
        out.push(Need::NewReviewDate);
    }
    out
}

fn row(entry: &SoaEntry) -> String {
    if !entry.applicable {
        return "excluded".to_string();
    }
    match entry.status {
        Some(status) => format!("applicable, {}", status.as_str()),
        None => "applicable".to_string(),
    }
}

fn soa_rows(isms: &Isms) -> BTreeMap<String, String> {
    isms.documents
        .iter()
        .filter_map(|d| d.soa.as_ref())
        .flat_map(|soa| soa.entries.iter())
        .map(|e| (e.control.to_string(), row(e)))
        .collect()
}

/// SoA rows whose applicability or status differs, in catalogue order.
fn soa(base: &Isms, head: &Isms) -> Vec<SoaChange> {
    let (was, now) = (soa_rows(base), soa_rows(head));
    let controls: BTreeSet<&String> = was.keys().chain(now.keys()).collect();
    let mut out: Vec<SoaChange> = controls
        .into_iter()
        .filter(|c| was.get(*c) != now.get(*c))
        .map(|c| SoaChange {
            control: c.clone(),
            before: was.get(c).cloned(),
            after: now.get(c).cloned(),
        })
        .collect();
    out.sort_by_key(|c| control_order(&c.control));
    out
}

/// Sorts `5.10` after `5.9`.
fn control_order(control: &str) -> Vec<u32> {
    control
        .trim_start_matches("A.")
        .split('.')
        .map(|p| p.parse().unwrap_or(u32::MAX))
        .collect()
}

/// The JSON object of `isms diff --format json`.
pub fn render_json(diff: &Diff<'_>) -> String {
    let side = |s: &Side<'_>| {
        serde_json::json!({
            "label": s.label,
            "isms": s.summary,
        })
    };
    let docs = |list: &[(String, String)]| {
        list.iter()
            .map(|(id, title)| serde_json::json!({"id": id, "title": title}))
            .collect::<Vec<_>>()
    };
    let value = serde_json::json!({
        "base": side(&diff.base),
        "head": side(&diff.head),
        "documents": diff.documents,
        "soa": diff.soa,
        "staff_site": {
            "arrivals": docs(&diff.staff_arrivals),
            "departures": docs(&diff.staff_departures),
        },
        "introduced": diff.introduced.iter().map(|f| JsonFinding::from(*f)).collect::<Vec<_>>(),
        "resolved": diff.resolved.iter().map(|f| JsonFinding::from(*f)).collect::<Vec<_>>(),
    });
    serde_json::to_string_pretty(&value).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

fn describe(d: &DocDiff) -> String {
    let what = match d.kind {
        Kind::Renamed => {
            format!("renamed from {}", d.from.as_deref().unwrap_or("?"))
                + if d.body_changed {
                    ", body changed"
                } else if d.front_matter_changed {
                    ", front matter changed"
                } else {
                    ""
                }
        }
        Kind::Changed if d.body_changed => "body changed".to_string(),
        Kind::Changed => "front matter only".to_string(),
        other => other.as_str().to_string(),
    };
    let needs: Vec<&str> = d.needs.iter().map(|n| n.text()).collect();
    if needs.is_empty() {
        what
    } else {
        format!("{what}; needs {}", needs.join(", "))
    }
}

fn finding_line(f: &Finding, root_prefix: &str) -> String {
    let place = match (&f.path, f.line) {
        (Some(p), Some(l)) => format!("{}:{l}", repo_path(root_prefix, p)),
        (Some(p), None) => repo_path(root_prefix, p),
        _ => "(ISMS)".to_string(),
    };
    format!("{}[{}] {place}: {}", f.severity, f.rule.code, f.message)
}

/// The plain-text report for a terminal.
pub fn render_human(diff: &Diff<'_>) -> String {
    let prefix = diff.head.isms.history.root_prefix.as_str();
    let mut out = String::new();
    let _ = writeln!(out, "isms diff {} -> {}", diff.base.label, diff.head.label);
    let _ = writeln!(out, "\nDocuments ({}):", diff.documents.len());
    for d in &diff.documents {
        let _ = writeln!(out, "  {} {} ({}): {}", d.id, d.title, d.path, describe(d));
    }
    if !diff.soa.is_empty() {
        let _ = writeln!(out, "\nStatement of Applicability:");
        for c in &diff.soa {
            let _ = writeln!(
                out,
                "  {}: {} -> {}",
                c.control,
                c.before.as_deref().unwrap_or("absent"),
                c.after.as_deref().unwrap_or("absent")
            );
        }
    }
    for (title, list) in [
        ("Now on the staff site", &diff.staff_arrivals),
        ("No longer on the staff site", &diff.staff_departures),
    ] {
        if !list.is_empty() {
            let _ = writeln!(out, "\n{title}:");
            for (id, t) in list {
                let _ = writeln!(out, "  {id} {t}");
            }
        }
    }
    for (title, list) in [
        ("Findings introduced", &diff.introduced),
        ("Findings resolved", &diff.resolved),
    ] {
        let _ = writeln!(out, "\n{title} ({}):", list.len());
        for f in list.iter() {
            let _ = writeln!(out, "  {}", finding_line(f, prefix));
        }
    }
    out
}

/// A Markdown summary for a pull-request comment or job summary (no HTML,
/// no anchors, safe to paste twice).
pub fn render_markdown(diff: &Diff<'_>) -> String {
    let prefix = diff.head.isms.history.root_prefix.as_str();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "### ISMS diff: {} introduced, {} resolved\n",
        diff.introduced.len(),
        diff.resolved.len()
    );
    let _ = writeln!(
        out,
        "Comparing `{}` with `{}`.\n",
        escape(diff.base.label),
        escape(diff.head.label)
    );
    if !diff.documents.is_empty() {
        let _ = writeln!(out, "| Document | Path | Change |\n|---|---|---|");
        for d in &diff.documents {
            let _ = writeln!(
                out,
                "| {} {} | `{}` | {} |",
                escape(&d.id),
                escape(&d.title),
                escape(&repo_path(prefix, &d.path)),
                escape(&describe(d))
            );
        }
        out.push('\n');
    }
    if !diff.soa.is_empty() {
        let _ = writeln!(out, "**Statement of Applicability**\n");
        for c in &diff.soa {
            let _ = writeln!(
                out,
                "- {}: {} → {}",
                escape(&c.control),
                escape(c.before.as_deref().unwrap_or("absent")),
                escape(c.after.as_deref().unwrap_or("absent"))
            );
        }
        out.push('\n');
    }
    for (title, list) in [
        ("Now on the staff site", &diff.staff_arrivals),
        ("No longer on the staff site", &diff.staff_departures),
    ] {
        if !list.is_empty() {
            let _ = writeln!(out, "**{title}**\n");
            for (id, t) in list {
                let _ = writeln!(out, "- {} {}", escape(id), escape(t));
            }
            out.push('\n');
        }
    }
    for (title, list) in [
        ("Findings introduced", &diff.introduced),
        ("Findings resolved", &diff.resolved),
    ] {
        let _ = writeln!(out, "**{title}** ({})\n", list.len());
        for f in list.iter() {
            let _ = writeln!(out, "- {}", escape(&finding_line(f, prefix)));
        }
        out.push('\n');
    }
    out
}
