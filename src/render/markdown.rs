//! Markdown bodies to sanitised HTML. Links between documents are resolved by
//! the caller (each site decides which documents it may link to); anything it
//! refuses becomes plain text, so a hidden document leaves no trace.

use pulldown_cmark::{CowStr, Event, HeadingLevel, Parser, Tag, TagEnd};

use crate::model::body::markdown_options;

/// Renders `body` to HTML, giving its headings the ids `anchors` (in order;
/// see [`crate::model::body::Outline`]). `resolve` maps a link destination
/// as written to the href to use, or `None` to render the link's text alone.
pub fn render(body: &str, anchors: &[String], resolve: &dyn Fn(&str) -> Option<String>) -> String {
    let mut anchors = anchors.iter().cloned();
    let mut events: Vec<Event> = Vec::new();
    let mut started = false;
    let mut dropping_h1 = false;
    // Whether each open link was kept, so its end tag can follow suit.
    let mut open_links: Vec<bool> = Vec::new();
    for event in Parser::new_ext(body, markdown_options()) {
        let first = !started;
        started = true;
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                let anchor = anchors.next().unwrap_or_default();
                if first && level == HeadingLevel::H1 {
                    // The page's own <h1> is the title; a leading `# Title`
                    // would make a second one.
                    dropping_h1 = true;
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
            Event::End(TagEnd::Heading(_)) if dropping_h1 => dropping_h1 = false,
            _ if dropping_h1 => {}
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => match resolve(&dest_url) {
                Some(href) => {
                    open_links.push(true);
                    events.push(Event::Start(Tag::Link {
                        link_type,
                        dest_url: CowStr::from(href),
                        title,
                        id,
                    }));
                }
                None => open_links.push(false),
            },
            Event::End(TagEnd::Link) => {
                if open_links.pop().unwrap_or(false) {
                    events.push(Event::End(TagEnd::Link));
                }
            }
            other => events.push(other),
        }
    }
    if needs_sanitising(&events) {
        let mut html = String::with_capacity(body.len() * 3 / 2);
        pulldown_cmark::html::push_html(&mut html, events.into_iter());
        finish(&SANITISER.clean(&html).to_string())
    } else {
        let mut html = String::with_capacity(body.len() * 3 / 2);
        pulldown_cmark::html::push_html(&mut html, events.into_iter());
        finish(&html)
    }
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
/// and event handlers, and drop hrefs that still name a source file or a
/// document id (raw `<a href="x.md">` never went through `resolve`).
fn sanitiser() -> ammonia::Builder<'static> {
    let mut b = ammonia::Builder::default();
    b.link_rel(None)
        .add_generic_attributes(["id"])
        .add_tag_attributes("code", ["class"])
        .add_tag_attributes("input", ["type", "checked", "disabled"])
        .add_tag_attributes("sup", ["class"])
        .add_tag_attributes("div", ["class"])
        .add_tag_attributes("th", ["style"])
        .add_tag_attributes("td", ["style"])
        .add_tags(["input"])
        .attribute_filter(|_element, attribute, value| {
            if attribute == "href" {
                let path = value.split('#').next().unwrap_or("");
                let lower = path.to_ascii_lowercase();
                if lower.ends_with(".md")
                    || lower.starts_with("id:")
                    || lower.starts_with("control:")
                {
                    return None;
                }
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

    /// Renders `body` with the anchors the load stage would give it.
    fn to_html(body: &str, resolve: &dyn Fn(&str) -> Option<String>) -> String {
        let anchors: Vec<String> = crate::model::body::heading_anchors(body)
            .into_iter()
            .map(|(a, _)| a)
            .collect();
        render(body, &anchors, resolve)
    }

    fn plain(dest: &str) -> Option<String> {
        (!dest.starts_with("id:")).then(|| dest.to_string())
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
    fn url_schemes() {
        assert!(safe_url("https://x"));
        assert!(safe_url("MAILTO:a@b"));
        assert!(safe_url("docs/a.html#b:c"));
        assert!(safe_url("?q=a:b"));
        assert!(!safe_url(" javascript:alert(1)"));
        assert!(!safe_url("data:text/html,x"));
    }
}
