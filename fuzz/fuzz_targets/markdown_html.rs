//! Markdown bodies to HTML, through the sanitiser when the body needs it.
//! Invariants: no panic, and the HTML holds no active content as a browser
//! tokenizes it: only the sanitiser's tags (ammonia's defaults plus the task
//! list `<input>`) and the static SVG elements of drawn Mermaid diagrams,
//! only the attributes the renderer and sanitiser allow on each (so no
//! `on*=` handler, no `href` in a picture and no `style` beyond table
//! alignment), no `url()` in a picture but to one of its own ids, and no
//! `javascript:`, `vbscript:` or `data:` URL.
#![no_main]

use std::cell::RefCell;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{
    BufferQueue, StartTag, TagToken, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The loader renders only bodies of files that are valid UTF-8.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let body = match isms::load::frontmatter::split(text) {
        Some(Ok(split)) => split.body,
        _ => text,
    };
    let anchors = isms::model::body::outline(body, 1, "policies/fuzzed.md").anchors;
    // The worst case: every destination kept as written.
    check(
        body,
        &isms::render::markdown::render(body, &anchors, &|d| Some(d.to_string())),
    );
    // As the sites resolve: some links kept, rewritten or dropped.
    check(
        body,
        &isms::render::markdown::render(body, &anchors, &like_the_sites),
    );
});

/// The shape of the sites' resolver: fragments and web links kept, `id:`
/// links and relative `.md` paths turned into page names, other schemes
/// dropped.
fn like_the_sites(dest: &str) -> Option<String> {
    let dest = dest.trim();
    let lower = dest.to_ascii_lowercase();
    if dest.starts_with('#')
        || ["http://", "https://", "mailto:"]
            .iter()
            .any(|s| lower.starts_with(s))
    {
        return Some(dest.to_string());
    }
    let (target, anchor) = dest.split_once('#').unwrap_or((dest, ""));
    let page = if let Some(id) = target.strip_prefix("id:") {
        format!("{}.html", id.trim())
    } else if target.contains(':') || !lower.contains(".md") {
        return None;
    } else {
        target.replace(".md", ".html")
    };
    Some(if anchor.is_empty() {
        page
    } else {
        format!("{page}#{anchor}")
    })
}

const TAGS: &[&str] = &[
    "a",
    "abbr",
    "acronym",
    "area",
    "article",
    "aside",
    "b",
    "bdi",
    "bdo",
    "blockquote",
    "br",
    "caption",
    "center",
    "cite",
    "code",
    "col",
    "colgroup",
    "data",
    "dd",
    "del",
    "details",
    "dfn",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hgroup",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "map",
    "mark",
    "nav",
    "ol",
    "p",
    "pre",
    "q",
    "rp",
    "rt",
    "rtc",
    "ruby",
    "s",
    "samp",
    "small",
    "span",
    "strike",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "time",
    "tr",
    "tt",
    "u",
    "ul",
    "var",
    "wbr",
    "input",
];

/// The static SVG elements a drawn diagram may hold (as the tokenizer gives
/// them: lowercase).
const SVG_TAGS: &[&str] = &[
    "svg",
    "g",
    "defs",
    "marker",
    "path",
    "rect",
    "circle",
    "ellipse",
    "line",
    "polyline",
    "polygon",
    "text",
    "tspan",
    "title",
    "desc",
    "lineargradient",
    "radialgradient",
    "stop",
    "clippath",
];

/// Geometry and presentation attributes of the SVG elements (lowercase).
const SVG_ATTRIBUTES: &[&str] = &[
    "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "fx", "fy", "dx", "dy", "d",
    "points", "width", "height", "viewbox", "preserveaspectratio", "transform", "fill",
    "fill-opacity", "fill-rule", "stroke", "stroke-width", "stroke-dasharray",
    "stroke-dashoffset", "stroke-linecap", "stroke-linejoin", "stroke-miterlimit",
    "stroke-opacity", "opacity", "font-family", "font-size", "font-weight", "font-style",
    "text-anchor", "text-decoration", "dominant-baseline", "alignment-baseline",
    "baseline-shift", "letter-spacing", "textlength", "lengthadjust", "marker-start",
    "marker-mid", "marker-end", "markerwidth", "markerheight", "markerunits", "refx", "refy",
    "orient", "clip-path", "clippathunits", "gradientunits", "gradienttransform", "offset",
    "stop-color", "stop-opacity", "visibility", "xmlns", "role", "aria-labelledby",
];

/// Attributes allowed on `tag`: the sanitiser's (ammonia's defaults and the
/// renderer's additions) and those the renderer itself writes.
fn attribute_allowed(tag: &str, attr: &str) -> bool {
    let generic = ["lang", "title", "id"];
    let on_tag: &[&str] = match tag {
        "a" => &["href", "hreflang"],
        "bdo" => &["dir"],
        "blockquote" | "q" => &["cite"],
        "del" | "ins" => &["cite", "datetime"],
        "col" | "colgroup" => &["align", "char", "charoff", "span"],
        "hr" => &["align", "size", "width"],
        "img" => &["align", "alt", "height", "src", "width"],
        "ol" => &["start"],
        "table" => &["align", "char", "charoff", "summary"],
        "tbody" | "thead" | "tr" => &["align", "char", "charoff"],
        "td" => &[
            "align", "char", "charoff", "colspan", "headers", "rowspan", "style",
        ],
        "th" => &[
            "align", "char", "charoff", "colspan", "headers", "rowspan", "scope", "style",
        ],
        "code" | "sup" => &["class"],
        "div" => &["class", "role", "aria-label", "tabindex"],
        "figure" => &["class"],
        "pre" => &["tabindex"],
        "input" => &["type", "checked", "disabled", "aria-label"],
        _ => &[],
    };
    generic.contains(&attr)
        || on_tag.contains(&attr)
        || (SVG_TAGS.contains(&tag) && SVG_ATTRIBUTES.contains(&attr))
}

const URL_ATTRIBUTES: &[&str] = &["href", "src", "cite"];

/// The scheme of `url` as a browser's URL parser finds it: surrounding C0
/// controls and spaces stripped, tabs and newlines removed anywhere.
fn scheme(url: &str) -> Option<String> {
    let url: String = url
        .trim_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let (scheme, _) = url.split_once(':')?;
    let mut chars = scheme.chars();
    let first = chars.next()?;
    (first.is_ascii_alphabetic()
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
    .then(|| scheme.to_ascii_lowercase())
}

/// Whether every `url(` in an attribute value is `url(#id)` with an id of
/// letters, digits, `-` and `_` (a drawn diagram's own marker or clip).
fn own_references(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    let mut rest = lower.as_str();
    while let Some(i) = rest.find("url(") {
        let after = &rest[i + 4..];
        let Some(inner) = after.strip_prefix('#') else {
            return false;
        };
        let end = inner.find(')').unwrap_or(inner.len());
        if end == 0
            || !inner[..end]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return false;
        }
        rest = &inner[end..];
    }
    true
}

#[derive(Default)]
struct Checker {
    problems: RefCell<Vec<String>>,
}

impl TokenSink for Checker {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let TagToken(tag) = token else {
            return TokenSinkResult::Continue;
        };
        if tag.kind != StartTag {
            return TokenSinkResult::Continue;
        }
        let mut problems = self.problems.borrow_mut();
        let name = &*tag.name;
        if !TAGS.contains(&name) && !SVG_TAGS.contains(&name) {
            problems.push(format!("tag <{name}> is not on the allow-list"));
        }
        for attr in &tag.attrs {
            let attr_name = &*attr.name.local;
            let value = &*attr.value;
            if attr_name.starts_with("on") {
                problems.push(format!("event handler {attr_name}={value:?} on <{name}>"));
            } else if !attribute_allowed(name, attr_name) {
                problems.push(format!("attribute {attr_name}={value:?} on <{name}>"));
            }
            if attr_name == "style"
                && ![
                    "text-align: left",
                    "text-align: center",
                    "text-align: right",
                ]
                .contains(&value)
            {
                problems.push(format!("style={value:?} on <{name}>"));
            }
            if SVG_TAGS.contains(&name) && !own_references(value) {
                problems.push(format!("url() out of the picture in {attr_name}={value:?} on <{name}>"));
            }
            if URL_ATTRIBUTES.contains(&attr_name) {
                if let Some(s) = scheme(value) {
                    if ["javascript", "vbscript", "data"].contains(&s.as_str()) {
                        problems.push(format!("{s}: URL in {attr_name}={value:?} on <{name}>"));
                    }
                }
            }
        }
        TokenSinkResult::Continue
    }
}

fn check(body: &str, html: &str) {
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    let tokenizer = Tokenizer::new(Checker::default(), TokenizerOpts::default());
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    let problems = tokenizer.sink.problems.take();
    assert!(
        problems.is_empty(),
        "active content in the HTML:\n  {}\nbody: {body:?}\nhtml: {html}",
        problems.join("\n  ")
    );
}
