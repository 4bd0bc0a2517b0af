//! The Markdown body of a document, as the checks and the renderer see it:
//! the dialect (one set of extensions for both, so anchors and links agree),
//! GitHub-style heading anchors, and an outline of the links and headings
//! taken in one parse.

use std::collections::HashMap;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

/// A link written in a body: its destination as written and its file line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BodyLink {
    pub dest: String,
    pub line: u32,
}

/// What the checks need of a body: its links, and its headings' anchors in
/// document order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outline {
    pub links: Vec<BodyLink>,
    pub anchors: Vec<String>,
}

/// The outline of `body`, whose first line is line `body_line` of its file.
pub fn outline(body: &str, body_line: u32) -> Outline {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outline_has_links_with_lines_and_anchors() {
        let body = "# Title\n\nSee [a](x.md) and\n[b](id:Y#z).\n\n## Title\n\n[c](#title-1)\n";
        let o = outline(body, 10);
        let links: Vec<(&str, u32)> = o.links.iter().map(|l| (l.dest.as_str(), l.line)).collect();
        assert_eq!(links, vec![("x.md", 12), ("id:Y#z", 13), ("#title-1", 17)]);
        assert_eq!(o.anchors, vec!["title", "title-1"]);
    }
}
