//! The Markdown body of a document, as the checks and the renderer see it:
//! the dialect (one set of extensions for both, so anchors and links agree),
//! GitHub-style heading anchors, and an outline of the links and headings
//! taken in one parse.

use std::collections::HashMap;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use crate::model::paths::{join_relative, percent_decode};

/// A link written in a body: its destination as written and its file line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BodyLink {
    pub dest: String,
    pub line: u32,
    /// Where it leads, resolved against the document's path.
    pub target: LinkTarget,
}

/// What the checks need of a body: its links, and its headings' anchors in
/// document order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outline {
    pub links: Vec<BodyLink>,
    pub anchors: Vec<String>,
}

/// The outline of `body`, whose first line is line `body_line` of the file
/// at `doc_path`.
pub fn outline(body: &str, body_line: u32, doc_path: &str) -> Outline {
    let mut links = Vec::new();
    let mut headings = Headings::default();
    // Lines counted incrementally: offsets only grow.
    let (mut counted_to, mut line) = (0usize, body_line);
    for (event, range) in Parser::new_ext(body, markdown_options()).into_offset_iter() {
        if let Event::Start(Tag::Link { dest_url, .. }) = &event {
            let end = range.start.min(body.len());
            if end > counted_to {
                let newlines = body.as_bytes()[counted_to..end]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count();
                line = line.saturating_add(u32::try_from(newlines).unwrap_or(u32::MAX));
                counted_to = end;
            }
            links.push(BodyLink {
                dest: dest_url.to_string(),
                line,
                target: link_target(dest_url, doc_path),
            });
        }
        headings.see(&event);
    }
    Outline {
        links,
        anchors: headings.out.into_iter().map(|(a, _)| a).collect(),
    }
}

/// Collects heading anchors and texts from a stream of events.
#[derive(Default)]
struct Headings {
    out: Vec<(String, String)>,
    seen: HashMap<String, usize>,
    current: Option<(Option<String>, String)>,
}

impl Headings {
    fn see(&mut self, event: &Event) {
        match event {
            Event::Start(Tag::Heading { id, .. }) => {
                self.current = Some((id.as_ref().map(|i| i.to_string()), String::new()));
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, text)) = self.current.as_mut() {
                    text.push_str(t);
                }
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((explicit, text)) = self.current.take() {
                    let anchor = match explicit {
                        Some(a) => a,
                        None => {
                            let base = slugify(&text);
                            let n = self.seen.entry(base.clone()).or_insert(0);
                            let anchor = if *n == 0 { base } else { format!("{base}-{n}") };
                            *n += 1;
                            anchor
                        }
                    };
                    self.out.push((anchor, text.trim().to_string()));
                }
            }
            _ => {}
        }
    }
}

/// Markdown extensions the documents may use; heading attributes give the
/// explicit `{#anchor}` syntax. The renderer parses with the same set, so
/// anchors and links agree between checks and pages.
pub fn markdown_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// A GitHub-style heading slug: lowercase, punctuation dropped except `-` and
/// `_`, each space turned into `-`.
pub fn slugify(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.trim().chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() || c == '-' || c == '_' {
            out.push(c);
        } else if c == ' ' {
            out.push('-');
        }
    }
    out
}

/// Every heading's anchor and text, in document order. An explicit
/// `{#anchor}` wins; otherwise the slug, with `-1`, `-2` for repeats.
pub fn heading_anchors(body: &str) -> Vec<(String, String)> {
    let mut headings = Headings::default();
    for event in Parser::new_ext(body, markdown_options()) {
        headings.see(&event);
    }
    headings.out
}

/// Where a body link leads, read once when the body is parsed: the checks
/// judge it against the other documents (DC010, DC011).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkTarget {
    /// Not something the link checks judge (an external URL, a file that is
    /// not Markdown).
    Ignore,
    /// A heading of the same document (`#anchor`).
    Own(Option<String>),
    /// `id:DOC-ID`, with its anchor.
    Id(String, Option<String>),
    /// A relative `.md` path: as written (decoded), joined onto the
    /// document's folder (`None` when it leaves the ISMS root), and its
    /// anchor.
    Path {
        written: String,
        joined: Option<String>,
        anchor: Option<String>,
    },
    /// `control:ID`, the id as written.
    Control(String),
}

enum Target {
    Ignore,
    Own(Option<String>),
    Id(String, Option<String>),
    Path(String, Option<String>),
    Control(String),
}

/// The target of the link `dest` written in the document at `doc_path`.
pub fn link_target(dest: &str, doc_path: &str) -> LinkTarget {
    match resolve(dest) {
        Target::Ignore => LinkTarget::Ignore,
        Target::Own(anchor) => LinkTarget::Own(anchor),
        Target::Id(id, anchor) => LinkTarget::Id(id, anchor),
        Target::Control(id) => LinkTarget::Control(id),
        Target::Path(path, anchor) => LinkTarget::Path {
            joined: join_relative(doc_path, &path),
            written: path,
            anchor,
        },
    }
}

fn resolve(dest: &str) -> Target {
    let dest = dest.trim();
    let split = |s: &str| -> (String, Option<String>) {
        match s.split_once('#') {
            Some((a, b)) => (a.to_string(), Some(percent_decode(b))),
            None => (s.to_string(), None),
        }
    };
    if let Some(anchor) = dest.strip_prefix('#') {
        return Target::Own(Some(percent_decode(anchor)));
    }
    let id_prefix = dest
        .get(..3)
        .filter(|p| p.eq_ignore_ascii_case("id:"))
        .map(|_| &dest[3..]);
    if let Some(rest) = id_prefix {
        let (id, anchor) = split(rest);
        return Target::Id(id, anchor);
    }
    if let Some(rest) = dest.strip_prefix("control:") {
        return Target::Control(rest.to_string());
    }
    // Any other scheme (http:, https:, mailto:, tel:) is external.
    if let Some((scheme, _)) = dest.split_once(':') {
        if !scheme.is_empty()
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        {
            return Target::Ignore;
        }
    }
    // Read as a browser (and the renderer) does: the query set aside,
    // escapes decoded, a trailing slash dropped.
    let (path, anchor) = split(dest);
    let path = path.split('?').next().unwrap_or_default();
    let path = percent_decode(path)
        .trim()
        .trim_end_matches('/')
        .to_string();
    if path.to_ascii_lowercase().ends_with(".md") {
        Target::Path(path, anchor)
    } else {
        Target::Ignore
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outline_has_links_with_lines_and_anchors() {
        let body = "# Title\n\nSee [a](x.md) and\n[b](id:Y#z).\n\n## Title\n\n[c](#title-1)\n";
        let o = outline(body, 10, "policies/p.md");
        let links: Vec<(&str, u32)> = o.links.iter().map(|l| (l.dest.as_str(), l.line)).collect();
        assert_eq!(links, vec![("x.md", 12), ("id:Y#z", 13), ("#title-1", 17)]);
        assert_eq!(o.anchors, vec!["title", "title-1"]);
        let targets: Vec<&LinkTarget> = o.links.iter().map(|l| &l.target).collect();
        assert_eq!(
            targets,
            vec![
                &LinkTarget::Path {
                    written: "x.md".into(),
                    joined: Some("policies/x.md".into()),
                    anchor: None
                },
                &LinkTarget::Id("Y".into(), Some("z".into())),
                &LinkTarget::Own(Some("title-1".into())),
            ]
        );
    }

    #[test]
    fn link_targets_as_a_browser_reads_them() {
        let at = |dest: &str| link_target(dest, "policies/a.md");
        assert_eq!(at("https://example.com/x.md"), LinkTarget::Ignore);
        assert_eq!(at("mailto:a@b"), LinkTarget::Ignore);
        assert_eq!(at("picture.png"), LinkTarget::Ignore);
        assert_eq!(at("control:5.15"), LinkTarget::Control("5.15".into()));
        assert_eq!(at("ID:POL-A"), LinkTarget::Id("POL-A".into(), None));
        assert_eq!(
            at("../procs/My%20Proc.MD?x=1#Step%201"),
            LinkTarget::Path {
                written: "../procs/My Proc.MD".into(),
                joined: Some("procs/My Proc.MD".into()),
                anchor: Some("Step 1".into()),
            }
        );
        assert_eq!(
            at("../../out.md"),
            LinkTarget::Path {
                written: "../../out.md".into(),
                joined: None,
                anchor: None,
            }
        );
    }
}
