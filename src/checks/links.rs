//! Links in document bodies (DC010, DC011): relative `.md` paths, `id:DOC-ID`
//! (either with `#anchor`) and `control:5.15`. Heading anchors follow the
//! GitHub convention, so links that work on the forge work here too.

use rayon::prelude::*;

use super::Context;
use crate::diagnostics::finding::Finding;
use crate::diagnostics::rules;
use crate::model::body::{BodyLink, LinkTarget};
use crate::model::catalogue::ControlId;
use crate::model::document::{Document, Status};
use crate::model::Isms;

/// Where one link leads.
enum Outcome<'a> {
    /// Not something this check judges (external URL, README, valid control).
    Skip,
    /// The target does not exist.
    Broken(Finding),
    /// A document (by index), with the anchor asked for.
    Doc(usize, Option<&'a str>),
}

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let isms = ctx.isms;
    // Judged on every core; only the findings are collected, in document
    // and link order (most links are fine, and a list of every link's
    // outcome cost more to build than judging them).
    let findings: Vec<Finding> = isms
        .documents
        .par_iter()
        .map(|d| &**d)
        .enumerate()
        .flat_map_iter(|(index, doc)| {
            doc.outline()
                .links
                .iter()
                .filter_map(move |l| judge(isms, index, l))
        })
        .collect();
    out.extend(findings);
}

/// The finding about `link` of document `index`, if any: DC010 when it
/// leads nowhere, DC011 when an approved document links to a draft.
fn judge(isms: &Isms, index: usize, link: &BodyLink) -> Option<Finding> {
    let doc = &isms.documents[index];
    let line = link.line;
    let (target_index, anchor) = match classify(isms, index, link) {
        Outcome::Skip => return None,
        Outcome::Broken(finding) => return Some(finding),
        Outcome::Doc(target, anchor) => (target, anchor),
    };
    let target_doc = &isms.documents[target_index];
    if let Some(anchor) = anchor.filter(|a| !a.is_empty()) {
        if !target_doc.outline().anchors.iter().any(|a| a == anchor) {
            return Some(broken(
                doc,
                line,
                format!(
                    "heading #{anchor} in {}, which does not exist",
                    target_doc.id.as_str()
                ),
                "Link to an existing heading's anchor (lowercase, spaces as hyphens), or add `{#anchor}` to the heading.",
            ));
        }
    }
    (target_index != index && doc.is_approved() && target_doc.status == Some(Status::Draft)).then(
        || {
            Finding::new(
                &rules::DC011,
                format!(
                    "approved document {} links to {}, which is a draft",
                    doc.id.as_str(),
                    target_doc.id.as_str()
                ),
            )
            .at(&doc.path, line)
            .document(doc.id.as_str())
            .hint("Approve the linked document, or remove the link until it is approved.")
        },
    )
}

/// A DC010 finding for a link at `line` of `doc`.
fn broken(doc: &Document, line: u32, what: String, hint: &str) -> Finding {
    Finding::new(
        &rules::DC010,
        format!("{} links to {what}", doc.id.as_str()),
    )
    .at(&doc.path, line)
    .document(doc.id.as_str())
    .hint(hint.to_string())
}

/// Where `link` of document `index` leads. Its target was resolved when
/// the body was parsed ([`crate::model::body::LinkTarget`]).
fn classify<'a>(isms: &Isms, index: usize, link: &'a BodyLink) -> Outcome<'a> {
    let doc = &isms.documents[index];
    let line = link.line;
    match &link.target {
        LinkTarget::Ignore => Outcome::Skip,
        LinkTarget::Control(text) => match ControlId::parse(text) {
            Some(_) => Outcome::Skip,
            None => Outcome::Broken(broken(
                doc,
                line,
                format!("control {text}, which is not an Annex A control"),
                "Use an ISO/IEC 27001:2022 control id such as `control:5.15`.",
            )),
        },
        LinkTarget::Own(anchor) => Outcome::Doc(index, anchor.as_deref()),
        LinkTarget::Id(id, anchor) => match isms.by_id.get(id) {
            Some(&i) => Outcome::Doc(i, anchor.as_deref()),
            None => Outcome::Broken(broken(
                doc,
                line,
                format!("document id {id}, which does not exist"),
                "Correct the id, or add the document it refers to.",
            )),
        },
        LinkTarget::Path {
            written,
            joined,
            anchor,
        } => {
            let found = joined.as_ref().and_then(|p| {
                isms.by_path.get(p).copied().map(Ok).or_else(|| {
                    // A `.md` without front matter (a README) is not a
                    // controlled document but is still a valid target.
                    isms.root.join(p).is_file().then_some(Err(()))
                })
            });
            match found {
                Some(Ok(i)) => Outcome::Doc(i, anchor.as_deref()),
                Some(Err(())) => Outcome::Skip,
                None => Outcome::Broken(broken(
                    doc,
                    line,
                    format!("{written}, which does not exist"),
                    "Correct the relative path, or link by id (`id:DOC-ID`) so renames do not break it.",
                )),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::codes;
    use crate::model::body::{heading_anchors, slugify};
    use crate::model::document::{DocType, Document};
    use crate::model::paths::join_relative;
    use crate::model::testing::*;

    fn run(docs: Vec<Document>) -> Vec<Finding> {
        let isms = isms(docs, None);
        let ctx = Context {
            isms: &isms,
            as_of: d("2026-10-01"),
        };
        let mut out = Vec::new();
        check(&ctx, &mut out);
        out
    }

    #[test]
    fn slugs_and_anchors() {
        assert_eq!(
            slugify("Access Control: Scope & Roles"),
            "access-control-scope--roles"
        );
        let body = "# Intro\n\n## Intro\n\n## Roles {#who}\n\n### `code` and_more\n";
        assert_eq!(
            heading_anchors(body),
            vec![
                ("intro".to_string(), "Intro".to_string()),
                ("intro-1".to_string(), "Intro".to_string()),
                ("who".to_string(), "Roles".to_string()),
                ("code-and_more".to_string(), "code and_more".to_string()),
            ]
        );
    }

    #[test]
    fn paths_resolve_against_the_folder() {
        assert_eq!(
            join_relative("policies/a.md", "../procs/b.md").as_deref(),
            Some("procs/b.md")
        );
        assert_eq!(
            join_relative("policies/a.md", "./c.md").as_deref(),
            Some("policies/c.md")
        );
        assert_eq!(join_relative("a.md", "../b.md"), None);
    }

    #[test]
    fn good_links_are_quiet() {
        let mut a = doc("A", DocType::Policy);
        a.path = "policies/a.md".into();
        a.body = "# Top\n\nSee [b](../procs/b.md#steps), [id](id:B), [me](#top),\n\
                  [c](control:A.5.15), [web](https://example.com/x.md), [m](mailto:x@y)\n"
            .into();
        let mut b = doc("B", DocType::Procedure);
        b.path = "procs/b.md".into();
        b.body = "## Steps\n".into();
        let out = run(vec![a, b]);
        assert!(out.is_empty(), "{out:?}");
    }

    #[test]
    fn links_are_read_as_the_renderer_reads_them() {
        let mut a = doc("A", DocType::Policy);
        a.path = "policies/a.md".into();
        a.body = "See [q](../procs/b.md?x=1), [s](../procs/b.md/), [e](../procs/b%2Emd),\n\
                  [i](ID:B#steps) and [qa](../procs/b.md?v=2#steps).\n"
            .into();
        let mut b = doc("B", DocType::Procedure);
        b.path = "procs/b.md".into();
        b.body = "## Steps\n".into();
        let out = run(vec![a, b]);
        assert!(out.is_empty(), "{out:?}");
        // ... so a broken one in those forms is reported, not skipped.
        let mut c = doc("C", DocType::Policy);
        c.body = "[q](gone.md?x=1)\n[s](gone.md/)\n[i](ID:NOPE)\n".into();
        let out = run(vec![c]);
        assert_eq!(codes(&out), vec!["DC010"; 3]);
    }

    #[test]
    fn broken_links_are_dc010_with_lines() {
        let mut a = doc("A", DocType::Policy);
        a.body = "# Top\n\n[x](missing.md)\n[y](id:NOPE)\n[z](id:B#nowhere)\n[w](control:9.9)\n[v](#bottom)\n"
            .into();
        let b = doc("B", DocType::Procedure);
        let out = run(vec![a, b]);
        assert_eq!(codes(&out), vec!["DC010"; 5]);
        let lines: Vec<_> = out.iter().filter_map(|f| f.line).collect();
        assert_eq!(lines, vec![16, 17, 18, 19, 20]);
        assert!(out[1].message.contains("NOPE"));
    }

    #[test]
    fn approved_linking_to_draft_is_dc011() {
        let mut a = doc("A", DocType::Policy);
        a.body = "[d](id:D) [d2](d.md)".into();
        let mut draft = doc("D", DocType::Procedure);
        draft.status = Some(Status::Draft);
        draft.body = "[a](id:A)".into();
        let out = run(vec![a, draft]);
        assert_eq!(codes(&out), vec!["DC011", "DC011"]);
        assert!(out[0].message.contains("A") && out[0].message.contains("D"));
    }
}
