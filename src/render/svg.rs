//! The one way SVG reaches a page: the diagram renderer's output is parsed
//! here as strict XML and written out again from an allow-list of static
//! SVG elements and presentation attributes. Nothing else passes: no
//! script, style, event handler, link, animation, foreign object or
//! external reference. Anything this parser does not understand rejects the
//! whole picture (the page then shows the diagram's source instead), so an
//! unexpected construct fails closed.
//!
//! Ids are rewritten with a prefix given at output time, so that two
//! diagrams on one page (which a renderer gives the same marker ids) never
//! clash, and `url(#id)` references follow; a reference to an id the
//! picture does not define is dropped.

use std::collections::HashSet;
use std::fmt::Write as _;

/// Static SVG elements kept, with their content.
const ELEMENTS: &[&str] = &[
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
    "linearGradient",
    "radialGradient",
    "stop",
    "clipPath",
];

/// Elements whose start and end tags go while their content stays: a link
/// in a diagram label keeps its text, not its target.
const UNWRAPPED: &[&str] = &["a"];

/// Geometry and presentation attributes kept on any kept element. No `id`
/// (rewritten separately), `style`, `class`, `href` or `on*`.
const ATTRIBUTES: &[&str] = &[
    "x",
    "y",
    "x1",
    "y1",
    "x2",
    "y2",
    "cx",
    "cy",
    "r",
    "rx",
    "ry",
    "fx",
    "fy",
    "dx",
    "dy",
    "d",
    "points",
    "width",
    "height",
    "viewBox",
    "preserveAspectRatio",
    "transform",
    "fill",
    "fill-opacity",
    "fill-rule",
    "stroke",
    "stroke-width",
    "stroke-dasharray",
    "stroke-dashoffset",
    "stroke-linecap",
    "stroke-linejoin",
    "stroke-miterlimit",
    "stroke-opacity",
    "opacity",
    "font-family",
    "font-size",
    "font-weight",
    "font-style",
    "text-anchor",
    "text-decoration",
    "dominant-baseline",
    "alignment-baseline",
    "baseline-shift",
    "letter-spacing",
    "textLength",
    "lengthAdjust",
    "marker-start",
    "marker-mid",
    "marker-end",
    "markerWidth",
    "markerHeight",
    "markerUnits",
    "refX",
    "refY",
    "orient",
    "clip-path",
    "clipPathUnits",
    "gradientUnits",
    "gradientTransform",
    "offset",
    "stop-color",
    "stop-opacity",
    "visibility",
];

/// Why a picture was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SvgError {
    #[error("the picture is not well-formed SVG ({0})")]
    Malformed(&'static str),
    #[error("the picture does not start with an <svg> element")]
    NotSvg,
}

/// One kept piece of a picture.
#[derive(Debug, Clone, PartialEq)]
enum Node {
    Start {
        name: &'static str,
        id: Option<String>,
        attrs: Vec<(&'static str, Value)>,
        empty: bool,
    },
    End(&'static str),
    Text(String),
}

/// An attribute value: plain text, or a `url(#id)` reference rewritten at
/// output time.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Plain(String),
    Ref(String),
}

/// A sanitised picture, ready to be written with any id prefix.
#[derive(Debug, Clone, PartialEq)]
pub struct Svg {
    nodes: Vec<Node>,
    /// The root's `viewBox`, for the picture's intrinsic size.
    view_box: Option<(f64, f64)>,
}

impl Svg {
    /// Parses the renderer's `text` and keeps only what the allow-list
    /// permits.
    pub fn sanitise(text: &str) -> Result<Svg, SvgError> {
        let tokens = tokenize(text.trim())?;
        let mut nodes = Vec::with_capacity(tokens.len());
        // Depth inside an element that is dropped with its content.
        let mut skipping = 0usize;
        let mut open: Vec<Option<&'static str>> = Vec::new();
        let mut ids = HashSet::new();
        let mut root_seen = false;
        for token in tokens {
            match token {
                Token::Start { name, attrs, empty } => {
                    if !root_seen {
                        if name != "svg" {
                            return Err(SvgError::NotSvg);
                        }
                        root_seen = true;
                    } else if open.is_empty() {
                        return Err(SvgError::Malformed("content after the root element"));
                    }
                    if skipping > 0 {
                        if !empty {
                            skipping += 1;
                        }
                        continue;
                    }
                    let kept = ELEMENTS.iter().find(|e| **e == name).copied();
                    match kept {
                        Some(name) => {
                            let mut id = None;
                            let mut kept_attrs = Vec::new();
                            for (attr, value) in attrs {
                                if attr == "id" {
                                    let clean = clean_id(&value);
                                    if !clean.is_empty() {
                                        ids.insert(clean.clone());
                                        id = Some(clean);
                                    }
                                } else if let Some(attr) =
                                    ATTRIBUTES.iter().find(|a| **a == attr).copied()
                                {
                                    kept_attrs.push((attr, classify(&value)));
                                }
                            }
                            nodes.push(Node::Start {
                                name,
                                id,
                                attrs: kept_attrs,
                                empty,
                            });
                            if !empty {
                                open.push(Some(name));
                            }
                        }
                        None if UNWRAPPED.contains(&name.as_str()) => {
                            if !empty {
                                open.push(None);
                            }
                        }
                        None => {
                            if !empty {
                                skipping = 1;
                            }
                        }
                    }
                }
                Token::End(name) => {
                    if skipping > 0 {
                        skipping -= 1;
                        continue;
                    }
                    match open.pop() {
                        Some(Some(kept)) if kept == name => nodes.push(Node::End(kept)),
                        Some(None) => {}
                        _ => return Err(SvgError::Malformed("an end tag that closes nothing")),
                    }
                }
                Token::Text(text) => {
                    if skipping == 0 && !open.is_empty() {
                        nodes.push(Node::Text(text));
                    }
                }
            }
        }
        if !root_seen {
            return Err(SvgError::NotSvg);
        }
        if !open.is_empty() || skipping > 0 {
            return Err(SvgError::Malformed("an element never closed"));
        }
        // Unknown references go: they could only point outside the picture.
        for node in &mut nodes {
            if let Node::Start { attrs, .. } = node {
                attrs.retain(|(_, v)| match v {
                    Value::Ref(id) => ids.contains(id),
                    Value::Plain(_) => true,
                });
            }
        }
        let view_box = nodes.first().and_then(|n| match n {
            Node::Start { attrs, .. } => attrs.iter().find_map(|(a, v)| match (a, v) {
                (&"viewBox", Value::Plain(v)) => parse_view_box(v),
                _ => None,
            }),
            _ => None,
        });
        Ok(Svg { nodes, view_box })
    }

    /// Writes the picture as inline SVG: an image named by `title`, its ids
    /// prefixed with `prefix` (which must be unique on the page). The root
    /// gets a fixed size from its `viewBox`, which the theme scales down on
    /// narrow screens.
    pub fn to_html(&self, prefix: &str, title: &str) -> String {
        let mut out = String::with_capacity(self.nodes.len() * 64);
        let title_id = format!("{prefix}-title");
        for (i, node) in self.nodes.iter().enumerate() {
            match node {
                Node::Start {
                    name,
                    id,
                    attrs,
                    empty,
                } => {
                    let root = i == 0;
                    out.push('<');
                    out.push_str(name);
                    if root {
                        out.push_str(" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\"");
                        let _ = write!(out, " aria-labelledby=\"{}\"", escape(&title_id));
                    } else if let Some(id) = id {
                        let _ = write!(out, " id=\"{}\"", escape(&format!("{prefix}-{id}")));
                    }
                    for (attr, value) in attrs {
                        if root && matches!(*attr, "width" | "height") {
                            continue;
                        }
                        let value = match value {
                            Value::Plain(v) => v.clone(),
                            Value::Ref(id) => format!("url(#{prefix}-{id})"),
                        };
                        let _ = write!(out, " {attr}=\"{}\"", escape(&value));
                    }
                    if root {
                        if let Some((w, h)) = self.view_box {
                            let _ = write!(out, " width=\"{}\" height=\"{}\"", num(w), num(h));
                        }
                    }
                    out.push_str(if *empty { "/>" } else { ">" });
                    if root {
                        let _ = write!(
                            out,
                            "<title id=\"{}\">{}</title>",
                            escape(&title_id),
                            escape(title)
                        );
                    }
                }
                Node::End(name) => {
                    let _ = write!(out, "</{name}>");
                }
                Node::Text(text) => out.push_str(&escape(text)),
            }
        }
        out
    }
}

/// A number as SVG writes it: no trailing zeros.
fn num(v: f64) -> String {
    let s = format!("{v:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

/// The width and height of a `viewBox` (`min-x min-y width height`).
fn parse_view_box(v: &str) -> Option<(f64, f64)> {
    let parts: Vec<f64> = v
        .split(|c: char| c.is_ascii_whitespace() || c == ',')
        .filter(|p| !p.is_empty())
        .map(str::parse)
        .collect::<Result<_, _>>()
        .ok()?;
    match parts.as_slice() {
        [_, _, w, h] if w.is_finite() && h.is_finite() && *w > 0.0 && *h > 0.0 => Some((*w, *h)),
        _ => None,
    }
}

/// An id reduced to characters that need no escaping anywhere.
fn clean_id(id: &str) -> String {
    id.chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
        .collect()
}

/// A value that is exactly `url(#id)` is a reference; any other value that
/// mentions `url(` could reach outside the picture and is emptied.
fn classify(value: &str) -> Value {
    let trimmed = value.trim();
    if let Some(inner) = trimmed
        .strip_prefix("url(#")
        .and_then(|r| r.strip_suffix(')'))
    {
        let id = clean_id(inner);
        if !id.is_empty() && id == inner {
            return Value::Ref(id);
        }
    }
    if trimmed.to_ascii_lowercase().contains("url(") {
        return Value::Plain(String::new());
    }
    Value::Plain(value.to_string())
}

/// Escapes text and attribute values for HTML.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && !matches!(c, '\n' | '\t') => {}
            c => out.push(c),
        }
    }
    out
}

/// A piece of the renderer's XML.
#[derive(Debug)]
enum Token {
    Start {
        name: String,
        attrs: Vec<(String, String)>,
        empty: bool,
    },
    End(String),
    Text(String),
}

/// Splits `xml` into tags and text, decoding character references.
/// Comments are skipped; processing instructions, doctypes and CDATA are
/// refused (a renderer has no need of them).
fn tokenize(xml: &str) -> Result<Vec<Token>, SvgError> {
    let mut tokens = Vec::new();
    let mut rest = xml;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("<!--") {
            let end = after
                .find("-->")
                .ok_or(SvgError::Malformed("an unclosed comment"))?;
            rest = &after[end + 3..];
        } else if rest.starts_with("<!") || rest.starts_with("<?") {
            return Err(SvgError::Malformed("a declaration or instruction"));
        } else if let Some(after) = rest.strip_prefix("</") {
            let end = after
                .find('>')
                .ok_or(SvgError::Malformed("an unclosed end tag"))?;
            let name = after[..end].trim();
            if !valid_name(name) {
                return Err(SvgError::Malformed("a bad end tag name"));
            }
            tokens.push(Token::End(name.to_string()));
            rest = &after[end + 1..];
        } else if let Some(after) = rest.strip_prefix('<') {
            let (token, after) = start_tag(after)?;
            tokens.push(token);
            rest = after;
        } else {
            let end = rest.find('<').unwrap_or(rest.len());
            tokens.push(Token::Text(decode(&rest[..end])?));
            rest = &rest[end..];
        }
    }
    Ok(tokens)
}

/// Parses a start tag after its `<`: name, attributes with quoted values,
/// and `>` or `/>`. Returns the token and the text after it.
fn start_tag(text: &str) -> Result<(Token, &str), SvgError> {
    let name_end = text
        .find(|c: char| c.is_ascii_whitespace() || c == '>' || c == '/')
        .ok_or(SvgError::Malformed("an unclosed tag"))?;
    let name = &text[..name_end];
    if !valid_name(name) {
        return Err(SvgError::Malformed("a bad tag name"));
    }
    let mut rest = &text[name_end..];
    let mut attrs: Vec<(String, String)> = Vec::new();
    loop {
        rest = rest.trim_start();
        if let Some(after) = rest.strip_prefix("/>") {
            let token = Token::Start {
                name: name.to_string(),
                attrs,
                empty: true,
            };
            return Ok((token, after));
        }
        if let Some(after) = rest.strip_prefix('>') {
            let token = Token::Start {
                name: name.to_string(),
                attrs,
                empty: false,
            };
            return Ok((token, after));
        }
        let attr_end = rest
            .find(|c: char| c.is_ascii_whitespace() || c == '=')
            .ok_or(SvgError::Malformed("an unclosed tag"))?;
        let attr = &rest[..attr_end];
        if !valid_name(attr) {
            return Err(SvgError::Malformed("a bad attribute name"));
        }
        let after = rest[attr_end..]
            .trim_start()
            .strip_prefix('=')
            .ok_or(SvgError::Malformed("an attribute without a value"))?
            .trim_start();
        let quote = after
            .chars()
            .next()
            .filter(|c| *c == '"' || *c == '\'')
            .ok_or(SvgError::Malformed("an unquoted attribute value"))?;
        let value_text = &after[1..];
        let close = value_text
            .find(quote)
            .ok_or(SvgError::Malformed("an unclosed attribute value"))?;
        let value = &value_text[..close];
        if value.contains('<') {
            return Err(SvgError::Malformed("a '<' in an attribute value"));
        }
        if attrs.iter().any(|(a, _)| a == attr) {
            return Err(SvgError::Malformed("an attribute given twice"));
        }
        attrs.push((attr.to_string(), decode(value)?));
        rest = &value_text[close + 1..];
    }
}

/// An XML name as a renderer writes one: ASCII letters first, then
/// letters, digits, `-`, `_`, `.` or `:`.
fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':'))
}

/// Decodes XML's five named references and numeric ones; any other `&` is
/// malformed.
fn decode(text: &str) -> Result<String, SvgError> {
    if !text.contains('&') {
        return Ok(text.to_string());
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i + 1..];
        let end = rest
            .find(';')
            .filter(|&e| e <= 10)
            .ok_or(SvgError::Malformed("a bad character reference"))?;
        let c = match &rest[..end] {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            name => {
                let num = name
                    .strip_prefix('#')
                    .ok_or(SvgError::Malformed("an unknown entity"))?;
                let code = match num.strip_prefix(['x', 'X']) {
                    Some(hex) => u32::from_str_radix(hex, 16).ok(),
                    None => num.parse().ok(),
                };
                code.and_then(char::from_u32)
                    .ok_or(SvgError::Malformed("a bad character reference"))?
            }
        };
        out.push(c);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MARKERS: &str = r##"<svg role="graphics-document document" xmlns="http://www.w3.org/2000/svg" width="100%" viewBox="0 0 200 100" style="max-width: 200px;" font-family="sans-serif"><defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5"><path d="M0,0 L10,5 L0,10 z" fill="#333"/></marker></defs><path d="M0 0L50 50" marker-end="url(#arrow)" clip-path="url(#elsewhere)"/><text x="1" y="2">A &amp; B &lt;ok&gt;</text></svg>"##;

    #[test]
    fn keeps_static_svg_and_prefixes_ids_and_references() {
        let svg = Svg::sanitise(MARKERS).unwrap();
        let html = svg.to_html("diagram-2", "Access flow");
        assert!(html.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-labelledby=\"diagram-2-title\" viewBox=\"0 0 200 100\" font-family=\"sans-serif\" width=\"200\" height=\"100\"><title id=\"diagram-2-title\">Access flow</title>"), "{html}");
        assert!(html.contains("<marker id=\"diagram-2-arrow\""), "{html}");
        assert!(
            html.contains("marker-end=\"url(#diagram-2-arrow)\""),
            "{html}"
        );
        // A reference to an id the picture lacks goes.
        assert!(!html.contains("elsewhere"), "{html}");
        assert!(!html.contains("style="), "{html}");
        assert!(!html.contains("graphics-document"), "{html}");
        assert!(html.contains(">A &amp; B &lt;ok&gt;</text>"), "{html}");
        // The same picture under another prefix shares no id.
        let other = svg.to_html("diagram-3", "x");
        assert!(!other.contains("diagram-2"));
    }

    #[test]
    fn active_content_never_passes() {
        let hostile = r##"<svg viewBox="0 0 10 10" onload="alert(1)"><script>alert(2)</script><style>*{}</style><g onclick="alert(3)" class="x" style="fill:red"><a href="javascript:alert(4)" target="_blank"><text>link text</text></a></g><foreignObject><div xmlns="http://www.w3.org/1999/xhtml"><img src="x" onerror="alert(5)"/></div></foreignObject><animate attributeName="href" to="javascript:alert(6)"/><set attributeName="onclick" to="alert(7)"/><image href="https://e.example/x.png"/><use href="https://e.example/x.svg#a"/><rect fill="url(https://e.example/x)" width="1"/></svg>"##;
        let html = Svg::sanitise(hostile).unwrap().to_html("d1", "t");
        for bad in [
            "alert",
            "script",
            "style",
            "onclick",
            "onload",
            "href",
            "javascript",
            "class=",
            "foreignObject",
            "animate",
            "<set",
            "<image",
            "<use",
            "e.example",
            "target",
        ] {
            assert!(!html.contains(bad), "{bad} in {html}");
        }
        // A link's text stays, without the link.
        assert!(html.contains("<g><text>link text</text></g>"), "{html}");
        assert!(html.contains("<rect fill=\"\" width=\"1\"/>"), "{html}");
    }

    #[test]
    fn malformed_or_foreign_input_is_refused() {
        for bad in [
            "",
            "text only",
            "<div></div>",
            "<svg><g></svg>",
            "<svg></g></svg>",
            "<svg a=b></svg>",
            "<svg a=\"1\" a=\"2\"></svg>",
            "<svg>&nbsp;</svg>",
            "<!DOCTYPE svg><svg></svg>",
            "<svg><![CDATA[x]]></svg>",
            "<svg></svg><svg></svg>",
            "<svg x=\"<\"></svg>",
            "<svg",
        ] {
            assert!(Svg::sanitise(bad).is_err(), "accepted {bad:?}");
        }
        assert!(Svg::sanitise("<svg><!-- note --><g/></svg>").is_ok());
    }

    #[test]
    fn size_comes_from_the_view_box() {
        assert_eq!(parse_view_box("0 0 452.5 600"), Some((452.5, 600.0)));
        assert_eq!(parse_view_box("0,0,1,2"), Some((1.0, 2.0)));
        assert_eq!(parse_view_box("0 0 -1 2"), None);
        assert_eq!(parse_view_box("0 0 NaN 2"), None);
        assert_eq!(num(452.5), "452.5");
        assert_eq!(num(600.0), "600");
    }

    use proptest::prelude::*;

    /// Pieces of SVG, harmless and hostile, that a renderer could write.
    fn piece() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec![
            "<g>",
            "</g>",
            "<text x=\"1\">",
            "</text>",
            "label &amp; &lt;b&gt;",
            "<path d=\"M0 0\" marker-end=\"url(#m)\"/>",
            "<marker id=\"m\">",
            "</marker>",
            "<rect fill=\"url( javascript:x )\" width=\"1\"/>",
            "<a href=\"javascript:alert(1)\">",
            "</a>",
            "<script>alert(1)</script>",
            "<style>@import url(x)</style>",
            "<g onclick=\"alert(1)\" style=\"x\" class=\"c\">",
            "<animate attributeName=\"href\" to=\"javascript:x\"/>",
            "<foreignObject><div onmouseover=\"x\">t</div></foreignObject>",
            "<image href=\"https://e.example/x\"/>",
            "<!-- c -->",
            "<title>t</title>",
            "<tspan dx=\"1\">x</tspan>",
        ])
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: 256,
            failure_persistence: None,
            ..ProptestConfig::default()
        })]

        /// Whatever the renderer writes, what is kept is well-formed and
        /// static: no script, style, handler, link or outside reference.
        #[test]
        fn output_is_static_and_well_formed(pieces in prop::collection::vec(piece(), 0..24)) {
            let text = format!("<svg viewBox=\"0 0 10 10\">{}</svg>", pieces.concat());
            if let Ok(svg) = Svg::sanitise(&text) {
                let html = svg.to_html("p", "t");
                for bad in ["<script", "<style", "onclick", "onmouseover", "href", "javascript", "class=", "<animate", "<foreignObject", "<image", "e.example", " style="] {
                    prop_assert!(!html.contains(bad), "{} in {}", bad, html);
                }
                prop_assert!(Svg::sanitise(&html).is_ok(), "{}", html);
            }
        }
    }
}
