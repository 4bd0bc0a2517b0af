//! Mermaid diagrams drawn at build time: a fenced ` ```mermaid ` block
//! becomes an inline SVG picture with the diagram's source under it, on
//! both sites. No JavaScript, browser or network: the drawing is done by the
//! `mermaid-svg` crate, and its output reaches the page only through
//! [`super::svg`], which keeps static SVG and nothing else.
//!
//! A diagram that cannot be drawn stays on the page as its source (as a
//! code block) and is reported as a build note with its file and line; it
//! never fails the build.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};

use super::svg::{Svg, SvgError};
use crate::model::body::markdown_options;
use crate::model::document::Document;

/// Sources longer than this are not drawn: layout time grows faster than
/// the source, and a diagram this large is no easier to read than its text.
pub const MAX_SOURCE_BYTES: usize = 32 * 1024;

/// Why a diagram was not drawn.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DiagramError {
    #[error("the renderer cannot read it: {0}")]
    Unreadable(String),
    #[error("the renderer failed on it")]
    RendererFailed,
    #[error("{0}")]
    Refused(#[from] SvgError),
    #[error("it is longer than {} KiB", MAX_SOURCE_BYTES / 1024)]
    TooLarge,
}

/// A drawing, shared between the pages (both sites) that show it.
pub type Drawing = Arc<Result<Svg, DiagramError>>;

/// Drawings by source: the staff page, the audit page and the build notes
/// of one document all ask for the same diagrams. Emptied when it grows
/// large (a long `isms serve` session).
static DRAWN: LazyLock<Mutex<HashMap<String, Drawing>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

/// Entries kept before the cache starts again.
const CACHE_ENTRIES: usize = 4096;

/// Whether a fenced block's info string (```` ```mermaid title ````) names
/// a Mermaid diagram.
pub fn is_mermaid(info: &str) -> bool {
    info.split(|c: char| c.is_ascii_whitespace() || c == ',' || c == '{')
        .next()
        .is_some_and(|lang| lang.eq_ignore_ascii_case("mermaid"))
}

/// Draws `source`, or says why not. The same source is drawn once per run.
pub fn draw(source: &str) -> Drawing {
    if let Ok(cache) = DRAWN.lock() {
        if let Some(hit) = cache.get(source) {
            return Arc::clone(hit);
        }
    }
    let drawing = Arc::new(draw_uncached(source));
    if let Ok(mut cache) = DRAWN.lock() {
        if cache.len() >= CACHE_ENTRIES {
            cache.clear();
        }
        cache.insert(source.to_string(), Arc::clone(&drawing));
    }
    drawing
}

fn draw_uncached(source: &str) -> Result<Svg, DiagramError> {
    if source.len() > MAX_SOURCE_BYTES {
        return Err(DiagramError::TooLarge);
    }
    let source = without_today_marker(source);
    // A bug in the renderer on odd input must not stop the build: the
    // diagram falls back to its source like any other it cannot draw.
    let drawn = std::panic::catch_unwind(|| mermaid_svg::render(&source))
        .map_err(|_| DiagramError::RendererFailed)?
        .map_err(|e| {
            let message = match e {
                mermaid_svg::RenderError::Parse(e) => e.to_string(),
                other => other.to_string(),
            };
            DiagramError::Unreadable(one_line(&message))
        })?;
    Ok(Svg::sanitise(&drawn)?)
}

/// A Gantt chart marks today's date by default: a page would change from
/// one day to the next while its document did not. The marker is turned
/// off unless the source sets it.
fn without_today_marker(source: &str) -> std::borrow::Cow<'_, str> {
    let mut lines = source.lines();
    let header = lines.position(|l| {
        let l = l.trim();
        !l.is_empty() && !l.starts_with("%%")
    });
    let is_gantt = header
        .and_then(|i| source.lines().nth(i))
        .is_some_and(|l| l.trim().eq_ignore_ascii_case("gantt"));
    let sets_marker = source
        .lines()
        .any(|l| l.trim_start().starts_with("todayMarker"));
    match header {
        Some(i) if is_gantt && !sets_marker => {
            let mut out = String::with_capacity(source.len() + 20);
            for (n, line) in source.lines().enumerate() {
                out.push_str(line);
                out.push('\n');
                if n == i {
                    out.push_str("todayMarker off\n");
                }
            }
            std::borrow::Cow::Owned(out)
        }
        _ => std::borrow::Cow::Borrowed(source),
    }
}

/// The first line of a message, without trailing spaces.
fn one_line(message: &str) -> String {
    message.lines().next().unwrap_or("").trim().to_string()
}

/// The caption a diagram gives itself: `accTitle: ...`, a `title ...` line
/// (pie, Gantt and others), `pie title ...`, or `title:` in its front
/// matter.
pub fn caption(source: &str) -> Option<String> {
    let mut in_front_matter = false;
    let mut title = None;
    for (n, line) in source.lines().enumerate() {
        let line = line.trim();
        if n == 0 && line == "---" {
            in_front_matter = true;
            continue;
        }
        if in_front_matter {
            if line == "---" {
                in_front_matter = false;
            } else if let Some(t) = line.strip_prefix("title:") {
                title = title.or_else(|| clean(t));
            }
            continue;
        }
        if let Some(t) = line.strip_prefix("accTitle:") {
            return clean(t);
        }
        let rest = line
            .strip_prefix("pie ")
            .map(str::trim_start)
            .unwrap_or(line);
        if let Some(t) = rest.strip_prefix("title ") {
            title = title.or_else(|| clean(t));
        }
    }
    title
}

/// A caption without quotes and surrounding space, or none when empty.
fn clean(text: &str) -> Option<String> {
    let t = text.trim().trim_matches(['"', '\'']).trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// A diagram that was not drawn, for the build output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// The document's path, relative to the ISMS root.
    pub path: String,
    /// The line of the opening fence.
    pub line: u32,
    pub reason: String,
}

impl std::fmt::Display for Note {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "note: {}:{}: a Mermaid diagram was not drawn ({}); the page shows its source",
            self.path, self.line, self.reason
        )
    }
}

/// The Mermaid blocks of a body: source and the line of the opening fence
/// (`body_line` being the line the body starts at).
pub fn blocks(body: &str, body_line: u32) -> Vec<(String, u32)> {
    let mut out = Vec::new();
    let mut current: Option<(String, u32)> = None;
    for (event, range) in Parser::new_ext(body, markdown_options()).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) if is_mermaid(&info) => {
                let before = body.get(..range.start).unwrap_or(body);
                let newlines = before.bytes().filter(|&b| b == b'\n').count();
                let line = body_line.saturating_add(u32::try_from(newlines).unwrap_or(u32::MAX));
                current = Some((String::new(), line));
            }
            Event::Text(t) => {
                if let Some((source, _)) = current.as_mut() {
                    source.push_str(&t);
                }
            }
            Event::End(TagEnd::CodeBlock) => out.extend(current.take()),
            _ => {}
        }
    }
    out
}

/// Every diagram of `docs` that is not drawn, in document order.
pub fn notes<'a>(docs: impl IntoIterator<Item = &'a Document>) -> Vec<Note> {
    let mut notes = Vec::new();
    for doc in docs {
        for (source, line) in blocks(&doc.body, doc.body_line) {
            if let Err(e) = &*draw(&source) {
                notes.push(Note {
                    path: doc.path.clone(),
                    line,
                    reason: e.to_string(),
                });
            }
        }
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_each_kind_the_sites_need() {
        for source in [
            "flowchart TD\n  A[Request] --> B{Approved?}\n  B -->|Yes| C[Grant]\n",
            "sequenceDiagram\n  Staff->>Desk: Report\n  Desk-->>Staff: Acknowledge\n",
            "stateDiagram-v2\n  [*] --> Draft\n  Draft --> Approved\n",
            "pie title Risks\n  \"Mitigate\" : 3\n  \"Accept\" : 1\n",
            "gantt\n  dateFormat YYYY-MM-DD\n  section Audit\n  Stage 2 : 2027-03-02, 3d\n",
        ] {
            let drawing = draw(source);
            let svg = drawing
                .as_ref()
                .as_ref()
                .unwrap_or_else(|e| panic!("{source}: {e}"));
            let html = svg.to_html("d", "t");
            assert!(html.starts_with("<svg"), "{html}");
        }
    }

    #[test]
    fn gantt_charts_do_not_depend_on_today() {
        let source = format!(
            "gantt\n  dateFormat YYYY-MM-DD\n  section Now\n  Today : {}, 30d\n",
            chrono::Local::now().date_naive()
        );
        let drawing = draw(&source);
        let html = drawing.as_ref().as_ref().unwrap().to_html("d", "t");
        assert!(!html.contains(">today<"), "{html}");
        assert_eq!(
            without_today_marker("%% plan\ngantt\n  title X\n"),
            "%% plan\ngantt\ntodayMarker off\n  title X\n"
        );
        let kept = "gantt\n  todayMarker stroke:red\n";
        assert_eq!(without_today_marker(kept), kept);
        assert_eq!(without_today_marker("pie\n"), "pie\n");
    }

    #[test]
    fn unreadable_and_oversized_sources_are_errors() {
        assert!(matches!(
            &*draw("flowchart TD\n  A[Open --> \n"),
            Err(DiagramError::Unreadable(_))
        ));
        assert!(matches!(
            &*draw("not a diagram at all\n"),
            Err(DiagramError::Unreadable(_))
        ));
        let big = format!("flowchart TD\n{}", "  A --> B\n".repeat(4000));
        assert_eq!(*draw(&big), Err(DiagramError::TooLarge));
    }

    #[test]
    fn captions() {
        assert_eq!(
            caption("pie title Risks by treatment\n"),
            Some("Risks by treatment".into())
        );
        assert_eq!(caption("gantt\n  title \"Plan\"\n"), Some("Plan".into()));
        assert_eq!(
            caption("flowchart TD\n  accTitle: Access flow\n  title Other\n"),
            Some("Access flow".into())
        );
        assert_eq!(
            caption("---\ntitle: From YAML\n---\nflowchart TD\n"),
            Some("From YAML".into())
        );
        assert_eq!(caption("flowchart TD\n  A --> B\n"), None);
    }

    #[test]
    fn blocks_are_found_with_their_fence_lines() {
        let body = "Intro\n\n```mermaid\nflowchart TD\n  A --> B\n```\n\n```rust\nfn x() {}\n```\n\n- item\n\n  ```Mermaid\n  pie\n  ```\n";
        let found = blocks(body, 10);
        assert_eq!(
            found,
            vec![
                ("flowchart TD\n  A --> B\n".to_string(), 12),
                ("pie\n".to_string(), 23),
            ]
        );
        assert!(is_mermaid("mermaid"));
        assert!(is_mermaid("MERMAID {title}"));
        assert!(!is_mermaid("mermaidx"));
        assert!(!is_mermaid(""));
    }
}
