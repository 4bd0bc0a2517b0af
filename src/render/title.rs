//! A page shows its document's title as its `<h1>` and the site logo in its
//! header. Documents written for GitHub often open with both again: a
//! centred logo, badges, and the title as a heading (in Markdown or raw
//! HTML). Shown under the page's own title, that reads as the title twice.
//! This module finds that lead-in and says what to leave out of it.

use pulldown_cmark::{Event, HeadingLevel, Tag, TagEnd};

use super::markdown::tag_end;

/// What the page around a body already shows.
pub struct Head<'a> {
    /// The page title, shown as the page's `<h1>`.
    pub title: &'a str,
    /// The organisation's name, which a body heading may add to the title
    /// ("Northwind: Access Control Policy").
    pub organisation: &'a str,
    /// Whether an image source, as written in the body, is the site's logo.
    pub is_logo: &'a dyn Fn(&str) -> bool,
}

/// What to leave out of the start of a body, as event indices.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Lead {
    /// The start of a Markdown heading to drop, with its content.
    pub heading: Option<usize>,
    /// The starts of Markdown images to drop (the site logo again).
    pub images: Vec<usize>,
    /// The starts of Markdown links to drop with their content: links
    /// whose only content is a dropped logo (they would be left empty).
    pub links: Vec<usize>,
}

/// Without a page head: a body that starts with a level-1 heading loses it,
/// since the page's own `<h1>` is the title.
pub fn first_h1(events: &[Event]) -> Lead {
    Lead {
        heading: matches!(
            events.first(),
            Some(Event::Start(Tag::Heading {
                level: HeadingLevel::H1,
                ..
            }))
        )
        .then_some(0),
        images: Vec::new(),
        links: Vec::new(),
    }
}

/// Scans the lead-in of `events` (images, badges, links around them, raw
/// HTML without text, blank lines) up to the first heading. That heading
/// is dropped when it says the same as the page title, or when it is a
/// level-1 heading opening the body; a lead-in image that is the site logo
/// is dropped. Raw HTML in the lead-in is edited in place (a raw `<h1>`
/// title or logo `<img>` cut out). Consecutive raw HTML events should be
/// merged first (see [`merge_html`]) so that a raw heading split over lines
/// is seen whole.
pub fn lead(events: &mut [Event], head: &Head) -> Lead {
    let mut lead = first_h1(events);
    if lead.heading.is_some() {
        return lead;
    }
    let mut in_image = 0usize;
    for i in 0..events.len() {
        match &events[i] {
            Event::Start(Tag::Image { dest_url, .. }) => {
                if in_image == 0 && (head.is_logo)(dest_url) {
                    match only_content_of_link(events, i) {
                        Some(link) => lead.links.push(link),
                        None => lead.images.push(i),
                    }
                }
                in_image += 1;
            }
            Event::End(TagEnd::Image) => in_image = in_image.saturating_sub(1),
            _ if in_image > 0 => {}
            Event::Start(Tag::Heading { .. }) => {
                if same_title(&heading_text(&events[i..]), head) {
                    lead.heading = Some(i);
                }
                break;
            }
            Event::Start(Tag::Paragraph | Tag::Link { .. } | Tag::HtmlBlock)
            | Event::End(TagEnd::Paragraph | TagEnd::Link | TagEnd::HtmlBlock)
            | Event::SoftBreak
            | Event::HardBreak => {}
            Event::Text(t) if t.trim().is_empty() => {}
            Event::Html(html) | Event::InlineHtml(html) => {
                let (edited, done) = edit_html(html, head);
                if let Some(edited) = edited {
                    let edited = pulldown_cmark::CowStr::from(edited);
                    events[i] = match &events[i] {
                        Event::Html(_) => Event::Html(edited),
                        _ => Event::InlineHtml(edited),
                    };
                }
                if done {
                    break;
                }
            }
            _ => break,
        }
    }
    lead
}

/// The start of the link whose only content is the image starting at
/// `events[image]`.
fn only_content_of_link(events: &[Event], image: usize) -> Option<usize> {
    let link = image.checked_sub(1)?;
    if !matches!(events[link], Event::Start(Tag::Link { .. })) {
        return None;
    }
    let mut depth = 0usize;
    for (i, event) in events.iter().enumerate().skip(image) {
        match event {
            Event::Start(Tag::Image { .. }) => depth += 1,
            Event::End(TagEnd::Image) => {
                depth -= 1;
                if depth == 0 {
                    return matches!(events.get(i + 1), Some(Event::End(TagEnd::Link)))
                        .then_some(link);
                }
            }
            _ => {}
        }
    }
    None
}

/// Joins runs of block HTML events (pulldown-cmark gives one per line) into
/// one, which renders the same.
pub fn merge_html<'a>(events: impl IntoIterator<Item = Event<'a>>) -> Vec<Event<'a>> {
    let mut out: Vec<Event<'a>> = Vec::new();
    for event in events {
        match (out.last_mut(), event) {
            (Some(Event::Html(prev)), Event::Html(next)) => {
                let joined = format!("{prev}{next}");
                *prev = pulldown_cmark::CowStr::from(joined);
            }
            (_, event) => out.push(event),
        }
    }
    out
}

/// The text of the heading starting at `events[0]`.
fn heading_text(events: &[Event]) -> String {
    let mut text = String::new();
    for event in events.iter().skip(1) {
        match event {
            Event::End(TagEnd::Heading(_)) => break,
            Event::Text(t) | Event::Code(t) => text.push_str(t),
            _ => text.push(' '),
        }
    }
    text
}

/// Edits one raw HTML chunk of the lead-in: logo images and a heading that
/// repeats the title are cut out. Returns the edited chunk (if anything was
/// cut) and whether the lead-in ends here (a heading or visible text).
fn edit_html(html: &str, head: &Head) -> (Option<String>, bool) {
    let mut out = String::with_capacity(html.len());
    let mut changed = false;
    let mut rest = html;
    while let Some(pos) = rest.find('<') {
        if !text_of(&rest[..pos]).trim().is_empty() {
            return (changed.then(|| out + rest), true);
        }
        out.push_str(&rest[..pos]);
        rest = &rest[pos..];
        let end = tag_end(rest);
        let (tag, after) = rest.split_at(end);
        let name = tag_name(tag);
        if name == "img" && attribute(tag, "src").is_some_and(|src| (head.is_logo)(&src)) {
            changed = true;
            rest = after;
            // A link around the logo alone would be left empty: it goes too.
            let trimmed = out.trim_end();
            if let Some(open) = trimmed.rfind('<') {
                let closes = rest.trim_start();
                if tag_name(&trimmed[open..]) == "a"
                    && trimmed.ends_with('>')
                    && closes
                        .get(..3)
                        .is_some_and(|c| c.eq_ignore_ascii_case("</a"))
                {
                    out.truncate(open);
                    let closes = &closes[tag_end(closes)..];
                    rest = closes;
                }
            }
            continue;
        }
        if let Some(level) = heading_level(&name) {
            let close = format!("</h{level}");
            let close_at = after.to_ascii_lowercase().find(&close);
            if let Some(close_at) = close_at {
                let inner = &after[..close_at];
                let after_close = &after[close_at..];
                let after_close = &after_close[tag_end(after_close)..];
                if same_title(&text_of(inner), head) {
                    out.push_str(after_close);
                    return (Some(out), true);
                }
            }
            return (changed.then(|| out + rest), true);
        }
        out.push_str(tag);
        rest = after;
    }
    if !text_of(rest).trim().is_empty() {
        return (changed.then(|| out + rest), true);
    }
    out.push_str(rest);
    (changed.then_some(out), false)
}

/// `h1`..`h6` as a level.
fn heading_level(name: &str) -> Option<u8> {
    let level = name.strip_prefix('h')?;
    match level {
        "1" | "2" | "3" | "4" | "5" | "6" => level.parse().ok(),
        _ => None,
    }
}

/// The lowercase name of the tag at the start of `tag` (`img`, `/p`).
fn tag_name(tag: &str) -> String {
    tag.trim_start_matches('<')
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '/')
        .collect::<String>()
        .to_ascii_lowercase()
}

/// The value of attribute `name` in a start tag, as written.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    let mut from = 0;
    while let Some(found) = lower[from..].find(name) {
        let at = from + found;
        from = at + name.len();
        let before_ok = lower[..at]
            .chars()
            .last()
            .is_some_and(|c| c.is_ascii_whitespace());
        let after = lower[from..].trim_start();
        if !before_ok || !after.starts_with('=') {
            continue;
        }
        let value_start = tag.len() - after.len() + 1;
        let value = tag[value_start..].trim_start();
        return Some(match value.chars().next() {
            Some(q @ ('"' | '\'')) => value[1..].split(q).next().unwrap_or("").to_string(),
            _ => value
                .split(|c: char| c.is_ascii_whitespace() || c == '>')
                .next()
                .unwrap_or("")
                .to_string(),
        });
    }
    None
}

/// The visible text of an HTML fragment (tags left out; references are
/// kept as written, which is enough to tell text from no text).
fn text_of(html: &str) -> String {
    let mut text = String::new();
    let mut rest = html;
    while let Some(pos) = rest.find('<') {
        text.push_str(&rest[..pos]);
        text.push(' ');
        rest = &rest[pos + tag_end(&rest[pos..])..];
    }
    text.push_str(rest);
    text.replace("&nbsp;", " ")
}

/// Whether a heading says the same as the page title: compared as words of
/// letters and digits in lower case (emoji and punctuation left out), with
/// the organisation's name (with or without its legal form) left out of
/// both.
pub fn same_title(heading: &str, head: &Head) -> bool {
    let heading = without_organisation(&words(heading), head.organisation);
    let title = without_organisation(&words(head.title), head.organisation);
    !heading.is_empty() && heading == title
}

/// Lowercase words of letters and digits.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Legal forms an organisation's name may end with.
const LEGAL_FORMS: &[&str] = &[
    "ltd", "limited", "inc", "llc", "plc", "gmbh", "ag", "ab", "bv", "sa", "sarl", "oy", "as",
    "corp", "co",
];

/// `text` with the organisation's name (or the name without its legal form)
/// removed wherever it occurs as whole words.
fn without_organisation(text: &[String], organisation: &str) -> Vec<String> {
    let mut name = words(organisation);
    let mut names = vec![name.clone()];
    if name.len() > 1
        && name
            .last()
            .is_some_and(|l| LEGAL_FORMS.contains(&l.as_str()))
    {
        name.pop();
        names.push(name);
    }
    let mut out = text.to_vec();
    for name in names.iter().filter(|n| !n.is_empty()) {
        let mut i = 0;
        let mut kept = Vec::with_capacity(out.len());
        while i < out.len() {
            if out[i..].starts_with(name) {
                i += name.len();
            } else {
                kept.push(out[i].clone());
                i += 1;
            }
        }
        out = kept;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::body::markdown_options;
    use pulldown_cmark::Parser;

    fn head<'a>(title: &'a str, is_logo: &'a dyn Fn(&str) -> bool) -> Head<'a> {
        Head {
            title,
            organisation: "Northwind Analytics Ltd",
            is_logo,
        }
    }

    #[test]
    fn titles_compare_without_case_emoji_punctuation_or_organisation() {
        let no_logo = |_: &str| false;
        let h = head("Access Control Policy", &no_logo);
        for same in [
            "Access Control Policy",
            "🔐 Access control policy",
            "ACCESS-CONTROL POLICY!",
            "Northwind Analytics: Access Control Policy",
            "Northwind Analytics Ltd — Access Control Policy 🔐",
        ] {
            assert!(same_title(same, &h), "{same}");
        }
        for different in [
            "Access Control",
            "Access Control Policy and Procedure",
            "Purpose",
            "",
            "🔐",
        ] {
            assert!(!same_title(different, &h), "{different}");
        }
    }

    fn lead_of(body: &str, title: &str) -> (Lead, Vec<Event<'static>>) {
        let is_logo = |src: &str| src.ends_with("assets/logo.svg");
        let h = head(title, &is_logo);
        let mut events: Vec<Event<'static>> =
            merge_html(Parser::new_ext(body, markdown_options()).map(Event::into_static));
        let lead = lead(&mut events, &h);
        (lead, events)
    }

    #[test]
    fn markdown_heading_after_logo_and_badges_is_dropped() {
        let body = "![Logo](../assets/logo.svg)\n[![build](https://img.example/b.svg)](https://ci.example)\n[![Logo](../assets/logo.svg)](https://e.example)\n\n# 🔐 Access Control Policy\n\nText.\n";
        let (lead, events) = lead_of(body, "Access Control Policy");
        assert_eq!(lead.images, vec![1]);
        assert_eq!(lead.links.len(), 1);
        assert!(matches!(
            events[lead.links[0]],
            Event::Start(Tag::Link { .. })
        ));
        let heading = lead.heading.expect("heading dropped");
        assert!(matches!(events[heading], Event::Start(Tag::Heading { .. })));
    }

    #[test]
    fn a_different_heading_stays() {
        let (lead, _) = lead_of(
            "![b](https://img.example/b.svg)\n\n## Purpose\n",
            "Access Control Policy",
        );
        assert_eq!(lead, Lead::default());
        // Text before the heading ends the lead-in.
        let (lead, _) = lead_of(
            "Intro.\n\n## Access Control Policy\n",
            "Access Control Policy",
        );
        assert_eq!(lead, Lead::default());
        // The old rule stays: an opening `# heading` is the page's title.
        let (lead, _) = lead_of("# Anything\n\ntext\n", "Access Control Policy");
        assert_eq!(lead.heading, Some(0));
    }

    #[test]
    fn raw_html_header_loses_logo_and_title() {
        let body = "<p align=\"center\">\n  <img src=\"../assets/logo.svg\" width=\"120\" alt=\"Northwind\">\n  <a href=\"https://e.example\"><img src=\"../assets/logo.svg\"></a>\n</p>\n<h1 align=\"center\">🔐 Access Control Policy</h1>\n<p align=\"center\"><img src=\"https://img.example/status.svg\" alt=\"status\"></p>\n\nText.\n";
        let (lead, events) = lead_of(body, "Access Control Policy");
        assert_eq!(lead, Lead::default());
        let Event::Html(html) = &events[1] else {
            panic!("{events:?}")
        };
        assert!(!html.contains("logo.svg"), "{html}");
        assert!(!html.contains("e.example"), "{html}");
        assert!(!html.contains("<h1"), "{html}");
        assert!(html.contains("status.svg"), "{html}");
    }

    #[test]
    fn raw_html_heading_with_other_text_stays() {
        let body = "<p align=\"center\"><img src=\"../assets/logo.svg\"></p>\n<h1>Welcome</h1>\n";
        let (_, events) = lead_of(body, "Access Control Policy");
        let Event::Html(html) = &events[1] else {
            panic!("{events:?}")
        };
        assert!(html.contains("<h1>Welcome</h1>"), "{html}");
        assert!(!html.contains("logo.svg"), "{html}");
    }

    #[test]
    fn attributes_are_read_as_written() {
        assert_eq!(
            attribute("<img alt=\"x\" src=\"a b.svg\">", "src").as_deref(),
            Some("a b.svg")
        );
        assert_eq!(
            attribute("<img SRC='c.svg'>", "src").as_deref(),
            Some("c.svg")
        );
        assert_eq!(
            attribute("<img src=d.svg width=1>", "src").as_deref(),
            Some("d.svg")
        );
        assert_eq!(attribute("<img data-src=\"e\">", "src"), None);
    }
}
