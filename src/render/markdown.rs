//! Markdown bodies to sanitised HTML. Links and images are resolved by the
//! caller (each site decides which documents it may link to), in Markdown
//! and in raw HTML alike; a refused link becomes plain text, a refused image
//! goes entirely, so a hidden document leaves no trace.

use pulldown_cmark::{CodeBlockKind, CowStr, Event, Parser, Tag, TagEnd};

use super::diagram;
use super::title::{self, Head};
use crate::model::body::markdown_options;

/// What a refused link whose text names a document the site must not name
/// reads instead.
pub const UNPUBLISHED: &str = "a document not published on this site";

/// How a site treats the links and images of a body.
pub struct Links<'a> {
    /// Maps a link destination as written (from Markdown or raw HTML) to the
    /// href to use, or `None` to render the link's text alone. Must give
    /// back an href it produced unchanged (raw HTML is resolved after the
    /// Markdown links are).
    pub link: &'a dyn Fn(&str) -> Option<String>,
    /// Maps an image source as written to the source to use, or `None` to
    /// leave the image out, alt text and all. Idempotent like `link`.
    pub image: &'a dyn Fn(&str) -> Option<String>,
    /// Whether a text names a document the site must not name: a refused
    /// link with such text reads [`UNPUBLISHED`], and a link or image title
    /// that does is left out.
    pub names_hidden: &'a dyn Fn(&str) -> bool,
}

/// Renders `body` to HTML, giving its headings the ids `anchors` (in order;
/// see [`crate::model::body::Outline`]). `resolve` maps a link destination
/// as written to the href to use, or `None` to render the link's text alone;
/// images are kept as written. For a site that hides documents, see
/// [`render_with`].
pub fn render(body: &str, anchors: &[String], resolve: &dyn Fn(&str) -> Option<String>) -> String {
    render_with(
        body,
        anchors,
        &Links {
            link: resolve,
            image: &|src| Some(src.to_string()),
            names_hidden: &|_| false,
        },
    )
}

/// A link left open while its content is rendered.
enum OpenLink {
    /// Kept: its end tag follows.
    Kept,
    /// Refused: its content starts at this event.
    Refused(usize),
}

/// Renders `body` to HTML as [`render`] does, resolving links and images
/// with `links`.
pub fn render_with(body: &str, anchors: &[String], links: &Links) -> String {
    render_page(body, anchors, links, None)
}

/// Renders `body` to HTML as [`render_with`] does, for a page that shows
/// `head`: a lead-in that repeats the page title or the site logo is left
/// out (see [`super::title`]). Without a head only an opening level-1
/// heading goes.
pub fn render_page(body: &str, anchors: &[String], links: &Links, head: Option<&Head>) -> String {
    let mut source = title::merge_html(Parser::new_ext(body, markdown_options()));
    let lead = match head {
        Some(head) => title::lead(&mut source, head),
        None => title::first_h1(&source),
    };
    let mut anchors = anchors.iter().cloned();
    let mut events: Vec<Event> = Vec::new();
    let mut dropping_heading = false;
    // Inside a link that goes with its content (around a repeated logo).
    let mut dropping_link = false;
    // How deep inside a refused image (whose alt text goes with it).
    let mut dropping_image = 0usize;
    let mut open_links: Vec<OpenLink> = Vec::new();
    let mut diagrams = Diagrams::new(body, head.map(|h| h.title));
    let title_of = |title: CowStr<'static>| -> CowStr<'static> {
        if (links.names_hidden)(&title) {
            CowStr::from("")
        } else {
            title
        }
    };
    for (index, event) in source.into_iter().enumerate() {
        diagrams.see(&event, dropping_heading);
        match event {
            Event::Start(Tag::Heading { level, .. }) if dropping_image == 0 => {
                let anchor = anchors.next().unwrap_or_default();
                if lead.heading == Some(index) {
                    // The page's own <h1> is the title; the body's would
                    // make a second one.
                    dropping_heading = true;
                    continue;
                }
                // `{.class key=value}` would let a body set any attribute
                // (`onclick`); only the id survives, as the sanitiser would
                // also have it.
                events.push(Event::Start(Tag::Heading {
                    level,
                    id: (!anchor.is_empty()).then(|| CowStr::from(anchor)),
                    classes: Vec::new(),
                    attrs: Vec::new(),
                }));
            }
            Event::End(TagEnd::Heading(_)) if dropping_heading => dropping_heading = false,
            _ if dropping_heading => {}
            Event::Start(Tag::Link { .. }) if lead.links.contains(&index) => dropping_link = true,
            Event::End(TagEnd::Link) if dropping_link => dropping_link = false,
            _ if dropping_link => {}
            Event::Start(Tag::Image { .. }) if dropping_image > 0 => dropping_image += 1,
            Event::End(TagEnd::Image) if dropping_image > 0 => dropping_image -= 1,
            _ if dropping_image > 0 => {}
            Event::Start(Tag::Image { .. }) if lead.images.contains(&index) => dropping_image = 1,
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => match (links.image)(&dest_url) {
                Some(src) => events.push(Event::Start(Tag::Image {
                    link_type,
                    dest_url: CowStr::from(src),
                    title: title_of(title.into_static()),
                    id,
                })),
                None => dropping_image = 1,
            },
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => match (links.link)(&dest_url) {
                Some(href) => {
                    open_links.push(OpenLink::Kept);
                    events.push(Event::Start(Tag::Link {
                        link_type,
                        dest_url: CowStr::from(href),
                        title: title_of(title.into_static()),
                        id,
                    }));
                }
                None => open_links.push(OpenLink::Refused(events.len())),
            },
            Event::End(TagEnd::Link) => match open_links.pop() {
                Some(OpenLink::Kept) => events.push(Event::End(TagEnd::Link)),
                Some(OpenLink::Refused(start))
                    if (links.names_hidden)(&text_of(&events[start..])) =>
                {
                    events.truncate(start);
                    events.push(Event::Text(CowStr::from(UNPUBLISHED)));
                }
                _ => {}
            },
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(ref info)))
                if diagram::is_mermaid(info) =>
            {
                diagrams.open(events.len());
                events.push(event);
            }
            Event::End(TagEnd::CodeBlock) => match diagrams.close() {
                Some((start, marker)) => {
                    events.truncate(start);
                    events.push(Event::Text(CowStr::from(marker)));
                }
                None => events.push(Event::End(TagEnd::CodeBlock)),
            },
            other => events.push(other),
        }
    }
    let sanitise = needs_sanitising(&events);
    let mut html = String::with_capacity(body.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    if sanitise {
        let clean = SANITISER.clean(&html).to_string();
        finish(&diagrams.insert(relink(&clean, links)))
    } else {
        finish(&diagrams.insert(html))
    }
}

/// The Mermaid diagrams of one body as it is rendered. Each drawn diagram
/// stands in the events as a marker (text that occurs nowhere in the body,
/// so the sanitiser passes it as it is) and is put in place of its marker
/// after sanitising: its SVG has been through [`super::svg`], which the
/// HTML sanitiser (made for HTML, not SVG) must not rewrite. A diagram that
/// is not drawn stays a code block.
struct Diagrams {
    /// Text that occurs nowhere in the body.
    nonce: String,
    /// The open block: where it starts in the events, and its source.
    open: Option<(usize, String)>,
    /// Drawn diagrams: marker and HTML.
    drawn: Vec<(String, String)>,
    /// The text of the latest heading, else the page title.
    heading: Option<String>,
    /// The text of the heading being read.
    reading: Option<String>,
}

impl Diagrams {
    fn new(body: &str, page_title: Option<&str>) -> Self {
        let mut nonce = String::from("IsmsDiagram");
        while body.contains(&nonce) {
            nonce.push('Q');
        }
        Diagrams {
            nonce,
            open: None,
            drawn: Vec::new(),
            heading: page_title.map(str::to_string),
            reading: None,
        }
    }

    /// Follows headings (for titles) and the source of an open block.
    fn see(&mut self, event: &Event, dropped_heading: bool) {
        match event {
            Event::Start(Tag::Heading { .. }) => self.reading = Some(String::new()),
            Event::End(TagEnd::Heading(_)) => {
                if let Some(text) = self.reading.take() {
                    // "🧭 How it fits": the picture's name need not
                    // start with the heading's emoji.
                    let text = text
                        .trim()
                        .trim_start_matches(|c: char| !c.is_alphanumeric())
                        .trim();
                    if !dropped_heading && !text.is_empty() {
                        self.heading = Some(text.to_string());
                    }
                }
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some(text) = self.reading.as_mut() {
                    text.push_str(t);
                }
                if let Some((_, source)) = self.open.as_mut() {
                    source.push_str(t);
                }
            }
            _ => {}
        }
    }

    fn open(&mut self, start: usize) {
        self.open = Some((start, String::new()));
    }

    /// Ends the open block: its start and marker when it was drawn.
    fn close(&mut self) -> Option<(usize, String)> {
        let (start, source) = self.open.take()?;
        let drawing = diagram::draw(&source);
        let svg = drawing.as_ref().as_ref().ok()?;
        let n = self.drawn.len() + 1;
        let title = diagram::caption(&source)
            .or_else(|| self.heading.clone())
            .unwrap_or_else(|| format!("Diagram {n}"));
        let html = format!(
            "<figure class=\"diagram\">{}<details><summary>Diagram source (Mermaid)</summary><pre><code class=\"language-mermaid\">{}</code></pre></details></figure>\n",
            svg.to_html(&format!("mermaid-{n}"), &title),
            escape_text(&source)
        );
        let marker = format!("{}{n}Z", self.nonce);
        self.drawn.push((marker.clone(), html));
        Some((start, format!("{marker}\n")))
    }

    /// `html` with each marker replaced by its diagram.
    fn insert(&self, mut html: String) -> String {
        for (marker, figure) in &self.drawn {
            html = html.replacen(&format!("{marker}\n"), figure, 1);
        }
        html
    }
}

/// Escapes text for an HTML element's content.
fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// The text of rendered events, raw HTML included (a name split by tags
/// still counts).
fn text_of(events: &[Event]) -> String {
    let mut text = String::new();
    for event in events {
        match event {
            Event::Text(t)
            | Event::Code(t)
            | Event::InlineMath(t)
            | Event::DisplayMath(t)
            | Event::FootnoteReference(t) => text.push_str(t),
            Event::InlineHtml(t) | Event::Html(t) => text.push_str(&html_text(t)),
            _ => {}
        }
        text.push(' ');
    }
    text
}

/// Whether the HTML of `events` must go through the sanitiser. pulldown-cmark
/// escapes every text and attribute it writes, so its output is safe unless
/// the body holds raw HTML or a link or image whose URL has a scheme other
/// than http, https or mailto (`javascript:`). Most bodies have neither, and
/// skipping the HTML parse halves the time to render them.
fn needs_sanitising(events: &[Event]) -> bool {
    events.iter().any(|event| match event {
        Event::Html(_) | Event::InlineHtml(_) => true,
        Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => {
            !safe_url(dest_url)
        }
        _ => false,
    })
}

/// A relative URL, or one with an http, https or mailto scheme.
fn safe_url(url: &str) -> bool {
    let url = url.trim();
    match url.find([':', '/', '?', '#']) {
        Some(i) if url.as_bytes()[i] == b':' => {
            let scheme = url[..i].to_ascii_lowercase();
            ["http", "https", "mailto"].contains(&scheme.as_str())
        }
        _ => true,
    }
}

/// Built once: the builder's tag and attribute sets cost more to build than
/// a typical body costs to clean.
static SANITISER: std::sync::LazyLock<ammonia::Builder<'static>> =
    std::sync::LazyLock::new(sanitiser);

/// Raw HTML in a body is author input: keep formatting, drop scripts, styles
/// and event handlers. Links and image sources are left for [`relink`]
/// (`id:` and `control:` hrefs among them); `cite` URLs, which no reader
/// sees, are dropped.
fn sanitiser() -> ammonia::Builder<'static> {
    let mut b = ammonia::Builder::default();
    b.link_rel(None)
        .add_url_schemes(["id", "control"])
        .add_generic_attributes(["id"])
        .add_tag_attributes("code", ["class"])
        .add_tag_attributes("input", ["type", "checked", "disabled"])
        .add_tag_attributes("sup", ["class"])
        .add_tag_attributes("div", ["class"])
        .add_tag_attributes("th", ["style"])
        .add_tag_attributes("td", ["style"])
        .add_tags(["input"])
        .attribute_filter(|_element, attribute, value| {
            if attribute == "cite" {
                return None;
            }
            if attribute == "style" {
                // Only the table alignment pulldown-cmark writes.
                return [
                    "text-align: left",
                    "text-align: center",
                    "text-align: right",
                ]
                .contains(&value)
                .then(|| value.into());
            }
            Some(value.into())
        });
    b
}

/// Resolves every link and image of sanitised HTML with `links`, as the
/// Markdown pass does: raw `<a href>` and `<img src>` never went through it.
/// A refused link keeps its content (or reads [`UNPUBLISHED`] when that names
/// a hidden document), a refused image goes. The sanitiser's output is
/// regular: every `<` starts a tag, attribute values are double-quoted and
/// escaped, there are no comments.
fn relink(html: &str, links: &Links) -> String {
    let mut out = String::with_capacity(html.len());
    // For each open `<a>`: where the content of a refused one starts.
    let mut open: Vec<Option<usize>> = Vec::new();
    let mut rest = html;
    while let Some(pos) = rest.find('<') {
        out.push_str(&rest[..pos]);
        rest = &rest[pos..];
        let end = tag_end(rest);
        let (tag, after) = rest.split_at(end);
        rest = after;
        let (name, attrs) = parse_tag(tag);
        match name {
            "a" => match attrs.iter().position(|(n, _)| *n == "href") {
                None => {
                    out.push_str(tag);
                    open.push(None);
                }
                Some(i) => match (links.link)(&unescape(attrs[i].1)) {
                    Some(href) => {
                        push_tag(&mut out, name, &attrs, links, ("href", &href));
                        open.push(None);
                    }
                    None => open.push(Some(out.len())),
                },
            },
            "/a" => match open.pop() {
                Some(Some(start)) => {
                    if (links.names_hidden)(&html_text(&out[start..])) {
                        out.truncate(start);
                        out.push_str(UNPUBLISHED);
                    }
                }
                Some(None) | None => out.push_str(tag),
            },
            "img" => {
                let src = attrs
                    .iter()
                    .find(|(n, _)| *n == "src")
                    .map_or(Some(String::new()), |(_, v)| (links.image)(&unescape(v)));
                if let Some(src) = src {
                    push_tag(&mut out, name, &attrs, links, ("src", &src));
                }
            }
            _ => out.push_str(tag),
        }
    }
    out.push_str(rest);
    out
}

/// The length of the tag at the start of `html` (up to and including its
/// `>`, quotes respected).
pub(super) fn tag_end(html: &str) -> usize {
    let mut quote = None;
    for (i, b) in html.bytes().enumerate() {
        match (quote, b) {
            (None, b'"' | b'\'') => quote = Some(b),
            (Some(q), _) if q == b => quote = None,
            (None, b'>') => return i + 1,
            _ => {}
        }
    }
    html.len()
}

/// A tag's name (`a`, `/a`) and attributes (values still escaped).
fn parse_tag(tag: &str) -> (&str, Vec<(&str, &str)>) {
    let inner = tag.trim_start_matches('<').trim_end_matches('>');
    let inner = inner.strip_suffix('/').unwrap_or(inner);
    let name_end = inner
        .find(|c: char| c.is_ascii_whitespace())
        .unwrap_or(inner.len());
    let (name, mut rest) = inner.split_at(name_end);
    let mut attrs = Vec::new();
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            break;
        }
        let end = rest
            .find(|c: char| c.is_ascii_whitespace() || c == '=')
            .unwrap_or(rest.len());
        let (attr, after) = rest.split_at(end);
        rest = after.trim_start();
        let value = match rest.strip_prefix('=') {
            Some(v) => {
                let v = v.trim_start();
                let quote = v.chars().next().filter(|c| *c == '"' || *c == '\'');
                let (value, after) = match quote {
                    Some(q) => {
                        let v = &v[1..];
                        let close = v.find(q).unwrap_or(v.len());
                        (&v[..close], v.get(close + 1..).unwrap_or(""))
                    }
                    None => {
                        let close = v.find(|c: char| c.is_ascii_whitespace()).unwrap_or(v.len());
                        v.split_at(close)
                    }
                };
                rest = after;
                value
            }
            None => "",
        };
        if !attr.is_empty() {
            attrs.push((attr, value));
        }
    }
    (name, attrs)
}

/// Writes a tag with `attrs`, `set` replacing the attribute of its name
/// (left out when its value is empty), and titles naming a hidden document
/// left out.
fn push_tag(
    out: &mut String,
    name: &str,
    attrs: &[(&str, &str)],
    links: &Links,
    set: (&str, &str),
) {
    out.push('<');
    out.push_str(name);
    let mut push = |attr: &str, value: &str| out.push_str(&format!(" {attr}=\"{value}\""));
    for (attr, value) in attrs {
        if *attr == set.0 {
            if !set.1.is_empty() {
                push(attr, &escape_attr(set.1));
            }
        } else if !(*attr == "title" && (links.names_hidden)(&unescape(value))) {
            push(attr, value);
        }
    }
    if !set.1.is_empty() && !attrs.iter().any(|(a, _)| *a == set.0) {
        push(set.0, &escape_attr(set.1));
    }
    out.push('>');
}

/// Decodes the character references the sanitiser writes (and numeric
/// ones); anything else stays as written.
fn unescape(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let decoded = rest.find(';').filter(|&e| e <= 10).and_then(|e| {
            let c = match &rest[1..e] {
                "amp" => '&',
                "lt" => '<',
                "gt" => '>',
                "quot" => '"',
                "apos" => '\'',
                "nbsp" => '\u{a0}',
                name => {
                    let num = name.strip_prefix('#')?;
                    let code = match num.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                        None => num.parse().ok()?,
                    };
                    char::from_u32(code)?
                }
            };
            Some((c, e + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Escapes an attribute value as the sanitiser does.
fn escape_attr(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\u{a0}' => out.push_str("&nbsp;"),
            c => out.push(c),
        }
    }
    out
}

/// The text of an HTML fragment: tags left out, character references
/// decoded.
fn html_text(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(pos) = rest.find('<') {
        text.push_str(&rest[..pos]);
        text.push(' ');
        rest = &rest[pos + tag_end(&rest[pos..])..];
    }
    text.push_str(rest);
    unescape(&text)
}

/// Accessibility touches the theme expects: scrollable `<pre>` and tables are
/// keyboard-focusable, tables sit in the labelled `.table-wrap` region, and
/// task-list checkboxes say what they mean.
fn finish(html: &str) -> String {
    let mut out = String::with_capacity(html.len() + 256);
    let mut rest = html;
    let mut tables = 0;
    while let Some(pos) = rest.find('<') {
        out.push_str(&rest[..pos]);
        rest = &rest[pos..];
        if let Some(after) = rest.strip_prefix("<pre>") {
            out.push_str("<pre tabindex=\"0\">");
            rest = after;
        } else if let Some(after) = rest.strip_prefix("<table>") {
            tables += 1;
            out.push_str(&format!(
                "<div class=\"table-wrap\" role=\"region\" aria-label=\"Table {tables}\" tabindex=\"0\"><table>"
            ));
            rest = after;
        } else if let Some(after) = rest.strip_prefix("</table>") {
            out.push_str("</table></div>");
            rest = after;
        } else if rest.starts_with("<th>") || rest.starts_with("<th ") {
            let end = rest.find('>').map_or(rest.len(), |e| e + 1);
            if let Some(after) = rest[end..].strip_prefix("</th>") {
                // An empty header cell names no column: a plain cell, so
                // that no header is announced without text.
                out.push_str("<td");
                out.push_str(&rest[3..end]);
                out.push_str("</td>");
                rest = after;
            } else {
                out.push_str(&rest[..end]);
                rest = &rest[end..];
            }
        } else if rest.starts_with("<input ") {
            let end = rest.find('>').map_or(rest.len(), |e| e + 1);
            let tag = &rest[..end];
            let label = if tag.contains("checked") {
                "Done"
            } else {
                "Not done"
            };
            out.push_str(&format!(
                "<input type=\"checkbox\" disabled=\"\"{} aria-label=\"{label}\">",
                if tag.contains("checked") {
                    " checked=\"\""
                } else {
                    ""
                }
            ));
            rest = &rest[end..];
        } else {
            out.push('<');
            rest = &rest[1..];
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_header_cells_become_plain_cells() {
        let html = render("| | Done |\n|:-|--|\n| a | b |\n", &[], &|_| None);
        assert!(
            html.contains("<td style=\"text-align: left\"></td><th>Done</th>"),
            "{html}"
        );
        assert!(!html.contains("<th style=\"text-align: left\"></th>"));
        assert!(html.contains("<thead>"));
    }

    /// Renders `body` with the anchors the load stage would give it.
    fn to_html(body: &str, resolve: &dyn Fn(&str) -> Option<String>) -> String {
        let anchors: Vec<String> = crate::model::body::heading_anchors(body)
            .into_iter()
            .map(|(a, _)| a)
            .collect();
        render(body, &anchors, resolve)
    }

    /// Refuses `id:` links and links to `.md` files, keeps the rest.
    fn plain(dest: &str) -> Option<String> {
        (!dest.starts_with("id:") && !dest.ends_with(".md")).then(|| dest.to_string())
    }

    #[test]
    fn drops_leading_h1_and_ids_headings() {
        let html = to_html("# Title\n\n## Scope of use\n\ntext\n", &plain);
        assert!(!html.contains("<h1"));
        assert!(html.contains("<h2 id=\"scope-of-use\">"), "{html}");
    }

    #[test]
    fn refused_links_keep_their_text_only() {
        let html = to_html(
            "See [the other](id:POL-X#a) and [web](https://e.example).",
            &plain,
        );
        assert!(html.contains("See the other and"), "{html}");
        assert!(!html.contains("POL-X"));
        assert!(html.contains("href=\"https://e.example\""));
    }

    #[test]
    fn sanitises_raw_html_and_wraps_tables() {
        let body = "<script>alert(1)</script><a href=\"x.md\">x</a>\n\n| a | b |\n|---|--:|\n| 1 | 2 |\n\n```\ncode\n```\n";
        let html = to_html(body, &plain);
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("x.md"), "{html}");
        assert!(html.contains("<div class=\"table-wrap\""), "{html}");
        assert!(html.contains("<pre tabindex=\"0\">"), "{html}");
        assert!(html.contains("text-align: right"), "{html}");
    }

    #[test]
    fn raw_html_links_and_images_are_resolved_like_markdown_ones() {
        let links = Links {
            link: &plain,
            image: &|src| src.starts_with("https:").then(|| src.to_string()),
            names_hidden: &|text| text.to_lowercase().contains("secret"),
        };
        let body = "<a href=\"a.md\">the <b>Secret</b></a>, <a href=\"b.md\">two</a>, \
            <a href=\"ok.html?a=1&amp;b=2\" title=\"a secret\">three</a>, \
            <img src=\"x.png\" alt=\"secret\"><img src=\"https://e.example/i.png\" alt=\"fine\">\n\n\
            ![alt secret](y.png) [**secret** four](c.md) [five](d.md) ![ok](https://e.example/j.png)\n";
        let html = render_with(body, &[], &links);
        assert_eq!(
            html,
            format!(
                "<p>{UNPUBLISHED}, two, <a href=\"ok.html?a=1&amp;b=2\">three</a>, \
                 <img src=\"https://e.example/i.png\" alt=\"fine\"></p>\n\
                 <p> {UNPUBLISHED} five <img src=\"https://e.example/j.png\" alt=\"ok\"></p>\n"
            )
        );
        // Without raw HTML the Markdown pass alone does the same.
        let html = render_with("![secret](y.png) [*secret*](c.md) [x](d.md)", &[], &links);
        assert_eq!(html, format!("<p> {UNPUBLISHED} x</p>\n"));
    }

    #[test]
    fn plain_markdown_skips_the_sanitiser_but_stays_safe() {
        let body = "## Hi {.x onclick=alert(1)}\n\n[a](javascript:alert(1)) ![i](JavaScript:x) [b](https://e.example) [c](other.html#x) <b>&</b>\n";
        let html = to_html(body, &plain);
        assert!(!html.contains("onclick"), "{html}");
        assert!(!html.to_ascii_lowercase().contains("javascript:"), "{html}");
        assert!(html.contains("href=\"https://e.example\""), "{html}");
        assert!(html.contains("href=\"other.html#x\""), "{html}");
        let plain_only = to_html(
            "## Hi {.x onclick=alert(1)}\n\nSome *text* & more.\n",
            &plain,
        );
        assert!(!plain_only.contains("onclick"), "{plain_only}");
        assert!(plain_only.contains("<h2 id=\"hi\">Hi</h2>"), "{plain_only}");
        assert!(plain_only.contains("&amp; more"), "{plain_only}");
    }

    #[test]
    fn mermaid_blocks_become_named_pictures_with_their_source() {
        let body = "## Access flow\n\n```mermaid\nflowchart TD\n  A[Request] --> B[Grant]\n```\n\n\
            <b>raw html</b> makes the page go through the sanitiser\n\n\
            ```mermaid\npie title Risks\n  \"Mitigate\" : 3\n```\n\n\
            ```mermaid\nflowchart TD\n  A[Open -->\n```\n";
        let html = to_html(body, &plain);
        // Two pictures, each named, with unique ids.
        assert_eq!(html.matches("<svg ").count(), 2, "{html}");
        assert!(
            html.contains("role=\"img\" aria-labelledby=\"mermaid-1-title\""),
            "{html}"
        );
        assert!(
            html.contains("<title id=\"mermaid-1-title\">Access flow</title>"),
            "{html}"
        );
        assert!(
            html.contains("<title id=\"mermaid-2-title\">Risks</title>"),
            "{html}"
        );
        let ids: Vec<&str> = html
            .split(" id=\"")
            .skip(1)
            .map(|r| &r[..r.find('"').unwrap_or(0)])
            .collect();
        let unique: std::collections::HashSet<_> = ids.iter().collect();
        assert_eq!(ids.len(), unique.len(), "{ids:?}");
        // The source is the text alternative, under the picture.
        assert!(html.contains("<details><summary>Diagram source (Mermaid)</summary><pre tabindex=\"0\"><code class=\"language-mermaid\">flowchart TD\n  A[Request] --&gt; B[Grant]\n</code></pre></details></figure>"), "{html}");
        // The sanitiser did not touch the SVG, and the raw HTML was cleaned.
        assert!(html.contains("viewBox="), "{html}");
        assert!(!html.contains("IsmsDiagram"), "{html}");
        // The one the renderer cannot read stays its source, as a code block.
        assert!(html.contains("<pre tabindex=\"0\"><code class=\"language-mermaid\">flowchart TD\n  A[Open --&gt;\n</code></pre>"), "{html}");
    }

    #[test]
    fn diagram_labels_cannot_carry_active_content() {
        let body = "```mermaid\nflowchart TD\n  A[\"<a href='javascript:alert(1)'>x</a>\"] --> B\n  click B \"javascript:alert(2)\"\n  click A call alert(3)\n```\n";
        let html = to_html(body, &plain);
        let picture = &html[..html.find("<details>").unwrap_or(html.len())];
        assert!(picture.contains("<svg "), "{html}");
        for bad in ["javascript", "href", "onclick", "<a", "<script"] {
            assert!(!picture.contains(bad), "{bad} in {picture}");
        }
    }

    #[test]
    fn a_marker_like_text_in_the_body_is_left_alone() {
        let body = "IsmsDiagram1Z\n\n```mermaid\npie\n  \"A\" : 1\n```\n";
        let html = to_html(body, &plain);
        assert!(html.contains("<p>IsmsDiagram1Z</p>"), "{html}");
        assert_eq!(html.matches("<svg ").count(), 1, "{html}");
    }

    #[test]
    fn url_schemes() {
        assert!(safe_url("https://x"));
        assert!(safe_url("MAILTO:a@b"));
        assert!(safe_url("docs/a.html#b:c"));
        assert!(safe_url("?q=a:b"));
        assert!(!safe_url(" javascript:alert(1)"));
        assert!(!safe_url("data:text/html,x"));
    }
}
