//! A Markdown body as a tree of blocks and inline runs for the PDF template.
//!
//! The template receives the body as data (JSON), never as Typst markup, so
//! no text written in a document can run as Typst code or break the layout
//! with a stray `#` or `]`. It is read with the same parser and options as
//! the sites, so tables, lists, code and links come out the same; raw HTML
//! is shown as its text, images by their alt text (the pack embeds no
//! files).

use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};
use serde::Serialize;

use crate::model::body::markdown_options;

/// A run of text inside a block.
#[derive(Serialize, Debug, Clone, PartialEq)]
#[serde(tag = "t", rename_all = "lowercase")]
pub(crate) enum Inline {
    Text {
        v: String,
    },
    Code {
        v: String,
    },
    Strong {
        c: Vec<Inline>,
    },
    Emph {
        c: Vec<Inline>,
    },
    Strike {
        c: Vec<Inline>,
    },
    /// A link to a web address or a mail address.
    Link {
        href: String,
        c: Vec<Inline>,
    },
    /// A link to a document of the pack (its label).
    Ref {
        to: String,
        c: Vec<Inline>,
    },
    Br,
}

/// A block of a body.
#[derive(Serialize, Debug, Clone, PartialEq)]
#[serde(tag = "t", rename_all = "lowercase")]
pub(crate) enum Block {
    P {
        c: Vec<Inline>,
    },
    H {
        level: u8,
        c: Vec<Inline>,
    },
    Code {
        v: String,
    },
    List {
        ordered: bool,
        start: u64,
        items: Vec<Vec<Block>>,
    },
    Quote {
        c: Vec<Block>,
    },
    /// Rows have exactly as many cells as the header.
    Table {
        head: Vec<Vec<Inline>>,
        rows: Vec<Vec<Vec<Inline>>>,
    },
    Rule,
}

/// Where a link in a body leads in the pack.
pub(crate) enum Target {
    /// A web or mail address, kept as written.
    Url(String),
    /// A document of the pack, by its label.
    Label(String),
}

/// An open container while events are read.
enum Open {
    Inline(InlineKind, Vec<Inline>),
    Item(Vec<Block>, Vec<Inline>),
    List(bool, u64, Vec<Vec<Block>>),
    Quote(Vec<Block>, Vec<Inline>),
    Heading(u8, Vec<Inline>),
    Paragraph(Vec<Inline>),
    Code(String),
    Table(Vec<Vec<Inline>>, Vec<Vec<Vec<Inline>>>, bool),
    Row(Vec<Vec<Inline>>),
    Cell(Vec<Inline>),
    /// Alt text of an image, or a footnote definition: kept as plain text.
    Plain(Vec<Inline>),
}

enum InlineKind {
    Strong,
    Emph,
    Strike,
    Link(Option<Target>),
}

/// The body's blocks. The first heading, when it is a level-1 heading that
/// opens the body, is left out (the document's title stands in its place,
/// as on the sites). Headings of the body start at `base` (the level below
/// the document's own heading).
pub(crate) fn blocks(body: &str, base: u8, resolve: &dyn Fn(&str) -> Option<Target>) -> Vec<Block> {
    let mut out: Vec<Block> = Vec::new();
    let mut stack: Vec<Open> = Vec::new();
    let mut first = true;
    let mut dropping_title = false;
    for event in Parser::new_ext(body, markdown_options()) {
        let opening = first;
        first = false;
        if dropping_title {
            if matches!(event, Event::End(TagEnd::Heading(_))) {
                dropping_title = false;
            }
            continue;
        }
        match event {
            Event::Start(tag) => match tag {
                Tag::Heading { level, .. } => {
                    if opening && level == HeadingLevel::H1 {
                        dropping_title = true;
                    } else {
                        // `#` and `##` both open a top section of the body.
                        let depth = (level as u8).max(2) - 2;
                        stack.push(Open::Heading(base.saturating_add(depth).min(6), Vec::new()));
                    }
                }
                Tag::Paragraph => stack.push(Open::Paragraph(Vec::new())),
                Tag::CodeBlock(_) => stack.push(Open::Code(String::new())),
                Tag::List(start) => {
                    stack.push(Open::List(start.is_some(), start.unwrap_or(1), Vec::new()))
                }
                Tag::Item => stack.push(Open::Item(Vec::new(), Vec::new())),
                Tag::BlockQuote(_) => stack.push(Open::Quote(Vec::new(), Vec::new())),
                Tag::Table(_) => stack.push(Open::Table(Vec::new(), Vec::new(), true)),
                Tag::TableHead | Tag::TableRow => stack.push(Open::Row(Vec::new())),
                Tag::TableCell => stack.push(Open::Cell(Vec::new())),
                Tag::Strong => stack.push(Open::Inline(InlineKind::Strong, Vec::new())),
                Tag::Emphasis => stack.push(Open::Inline(InlineKind::Emph, Vec::new())),
                Tag::Strikethrough => stack.push(Open::Inline(InlineKind::Strike, Vec::new())),
                Tag::Link { dest_url, .. } => {
                    stack.push(Open::Inline(
                        InlineKind::Link(resolve(&dest_url)),
                        Vec::new(),
                    ));
                }
                Tag::Image { .. } | Tag::FootnoteDefinition(_) => {
                    stack.push(Open::Plain(Vec::new()))
                }
                _ => {}
            },
            Event::End(end) => close(end, &mut stack, &mut out),
            Event::Text(t) => push_text(&mut stack, &mut out, &t),
            Event::Code(t) => push_inline(&mut stack, &mut out, Inline::Code { v: t.to_string() }),
            Event::Html(t) | Event::InlineHtml(t) => {
                let text = strip_tags(&t);
                if !text.trim().is_empty() {
                    push_text(&mut stack, &mut out, &text);
                }
            }
            Event::SoftBreak => push_text(&mut stack, &mut out, " "),
            Event::HardBreak => push_inline(&mut stack, &mut out, Inline::Br),
            Event::Rule => push_block(&mut stack, &mut out, Block::Rule),
            Event::TaskListMarker(done) => {
                push_text(&mut stack, &mut out, if done { "[x] " } else { "[ ] " })
            }
            Event::FootnoteReference(name) => push_text(&mut stack, &mut out, &format!("[{name}]")),
            Event::InlineMath(t) | Event::DisplayMath(t) => {
                push_inline(&mut stack, &mut out, Inline::Code { v: t.to_string() })
            }
        }
    }
    // Close whatever a truncated body left open.
    while let Some(open) = stack.pop() {
        finish(open, &mut stack, &mut out);
    }
    out
}

/// The text of raw HTML, its tags left out (the pack shows what a reader
/// of the page would read).
fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// Closes the innermost container for `end`.
fn close(end: TagEnd, stack: &mut Vec<Open>, out: &mut Vec<Block>) {
    let relevant = !matches!(
        end,
        TagEnd::HtmlBlock
            | TagEnd::MetadataBlock(_)
            | TagEnd::DefinitionList
            | TagEnd::DefinitionListTitle
            | TagEnd::DefinitionListDefinition
            | TagEnd::Superscript
            | TagEnd::Subscript
    );
    if !relevant {
        return;
    }
    if let Some(open) = stack.pop() {
        finish(open, stack, out);
    }
}

/// Turns a closed container into its inline or block and adds it to its
/// parent.
fn finish(open: Open, stack: &mut [Open], out: &mut Vec<Block>) {
    match open {
        Open::Inline(kind, c) => {
            let inline = match kind {
                InlineKind::Strong => Inline::Strong { c },
                InlineKind::Emph => Inline::Emph { c },
                InlineKind::Strike => Inline::Strike { c },
                InlineKind::Link(Some(Target::Url(href))) => Inline::Link { href, c },
                InlineKind::Link(Some(Target::Label(to))) => Inline::Ref { to, c },
                InlineKind::Link(None) => {
                    for i in c {
                        push_inline(stack, out, i);
                    }
                    return;
                }
            };
            push_inline(stack, out, inline);
        }
        Open::Plain(c) => {
            for i in c {
                push_inline(stack, out, i);
            }
        }
        Open::Heading(level, c) => push_block(stack, out, Block::H { level, c }),
        Open::Paragraph(c) => push_block(stack, out, Block::P { c }),
        Open::Code(mut v) => {
            if v.ends_with('\n') {
                v.pop();
            }
            push_block(stack, out, Block::Code { v });
        }
        Open::Item(mut blocks, loose) => {
            if !loose.is_empty() {
                blocks.push(Block::P { c: loose });
            }
            if let Some(Open::List(_, _, items)) = stack.last_mut() {
                items.push(blocks);
            } else {
                for b in blocks {
                    push_block(stack, out, b);
                }
            }
        }
        Open::List(ordered, start, items) => push_block(
            stack,
            out,
            Block::List {
                ordered,
                start,
                items,
            },
        ),
        Open::Quote(mut c, loose) => {
            if !loose.is_empty() {
                c.push(Block::P { c: loose });
            }
            push_block(stack, out, Block::Quote { c });
        }
        Open::Cell(c) => {
            if let Some(Open::Row(cells)) = stack.last_mut() {
                cells.push(c);
            }
        }
        Open::Row(cells) => {
            if let Some(Open::Table(head, rows, in_head)) = stack.last_mut() {
                if *in_head {
                    *head = cells;
                    *in_head = false;
                } else {
                    rows.push(cells);
                }
            }
        }
        Open::Table(head, rows, _) => {
            let width = head.len().max(1);
            let head = if head.is_empty() {
                vec![Vec::new()]
            } else {
                head
            };
            let rows = rows
                .into_iter()
                .map(|mut r| {
                    r.resize(width, Vec::new());
                    r
                })
                .collect();
            push_block(stack, out, Block::Table { head, rows });
        }
    }
}

/// Adds text, merged with the text before it.
fn push_text(stack: &mut [Open], out: &mut Vec<Block>, text: &str) {
    if let Some(Open::Code(code)) = stack.last_mut() {
        code.push_str(text);
        return;
    }
    if let Some(Inline::Text { v }) = inline_target(stack).and_then(|t| t.last_mut()) {
        v.push_str(text);
        return;
    }
    push_inline(
        stack,
        out,
        Inline::Text {
            v: text.to_string(),
        },
    );
}

/// The inline list of the innermost container that holds inlines.
fn inline_target(stack: &mut [Open]) -> Option<&mut Vec<Inline>> {
    match stack.last_mut()? {
        Open::Inline(_, c)
        | Open::Plain(c)
        | Open::Heading(_, c)
        | Open::Paragraph(c)
        | Open::Cell(c)
        | Open::Item(_, c)
        | Open::Quote(_, c) => Some(c),
        _ => None,
    }
}

/// Adds an inline run (text merged with the text before it).
fn push_inline(stack: &mut [Open], out: &mut Vec<Block>, inline: Inline) {
    match inline_target(stack) {
        Some(list) => match (list.last_mut(), inline) {
            (Some(Inline::Text { v }), Inline::Text { v: more }) => v.push_str(&more),
            (_, inline) => list.push(inline),
        },
        None => push_block(stack, out, Block::P { c: vec![inline] }),
    }
}

/// Adds a block to the innermost container that holds blocks (a tight list
/// item's loose text becomes a paragraph first).
fn push_block(stack: &mut [Open], out: &mut Vec<Block>, block: Block) {
    match stack.last_mut() {
        Some(Open::Item(blocks, loose) | Open::Quote(blocks, loose)) => {
            if !loose.is_empty() {
                blocks.push(Block::P {
                    c: std::mem::take(loose),
                });
            }
            blocks.push(block);
        }
        _ => out.push(block),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(v: &str) -> Inline {
        Inline::Text { v: v.into() }
    }

    fn plain(body: &str) -> Vec<Block> {
        blocks(body, 3, &|dest| {
            if dest.starts_with("https://") {
                Some(Target::Url(dest.into()))
            } else {
                dest.strip_prefix("id:")
                    .map(|id| Target::Label(format!("doc-{id}")))
            }
        })
    }

    #[test]
    fn drops_the_leading_title_and_shifts_headings() {
        let b = plain("# Title\n\nText *here*.\n\n## Part\n");
        assert_eq!(
            b,
            vec![
                Block::P {
                    c: vec![
                        text("Text "),
                        Inline::Emph {
                            c: vec![text("here")]
                        },
                        text(".")
                    ]
                },
                Block::H {
                    level: 3,
                    c: vec![text("Part")]
                },
            ]
        );
    }

    #[test]
    fn tables_lists_code_and_links() {
        let b = plain(
            "| a | b |\n|---|---|\n| 1 |\n\n1. one\n2. [two](id:POL-X)\n\n```\n#x ]\n```\n\nSee [web](https://e.example) and [gone](nowhere.md).\n",
        );
        assert_eq!(
            b[0],
            Block::Table {
                head: vec![vec![text("a")], vec![text("b")]],
                rows: vec![vec![vec![text("1")], vec![]]],
            }
        );
        assert_eq!(
            b[1],
            Block::List {
                ordered: true,
                start: 1,
                items: vec![
                    vec![Block::P {
                        c: vec![text("one")]
                    }],
                    vec![Block::P {
                        c: vec![Inline::Ref {
                            to: "doc-POL-X".into(),
                            c: vec![text("two")]
                        }]
                    }],
                ],
            }
        );
        assert_eq!(b[2], Block::Code { v: "#x ]".into() });
        assert_eq!(
            b[3],
            Block::P {
                c: vec![
                    text("See "),
                    Inline::Link {
                        href: "https://e.example".into(),
                        c: vec![text("web")]
                    },
                    text(" and gone.")
                ]
            }
        );
    }

    #[test]
    fn a_heading_that_does_not_open_the_body_is_kept() {
        let b = plain("Intro.\n\n# Later\n");
        assert_eq!(
            b[1],
            Block::H {
                level: 3,
                c: vec![text("Later")]
            }
        );
    }
}
