//! ISMS content written for GitHub, built end to end: the fixture in
//! `tests/fixtures/github-isms` (raw HTML headers with a centred logo,
//! badges, emoji headings, Mermaid diagrams of each common kind, wide
//! tables) is committed to a fresh repository and built. Its diagrams must
//! be pictures with their source as text alternative, one diagram the
//! renderer cannot read must stay source with a build note naming file and
//! line, and no page may show its title twice. The example ISMS must not
//! show a title twice either.

mod common;

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use git2::Repository;
use walkdir::WalkDir;

const FIXTURE: &str = "tests/fixtures/github-isms";

/// Copies the fixture into a new git repository with one commit.
fn fixture_repo() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("isms");
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join(FIXTURE);
    for entry in WalkDir::new(&src) {
        let entry = entry.expect("walk");
        let rel = entry.path().strip_prefix(&src).expect("prefix");
        let to = root.join(rel);
        if entry.file_type().is_dir() {
            fs::create_dir_all(&to).expect("mkdir");
        } else {
            fs::copy(entry.path(), &to).expect("copy");
        }
    }
    let repo = Repository::init(dir.path()).expect("init");
    common::commit_all(&repo, "Fixture ISMS", 0);
    (dir, root)
}

/// Runs `isms build`; returns the exit code and standard error.
fn build(root: &Path, out: &Path) -> (i32, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_isms"))
        .arg("build")
        .arg(root)
        .args(["--as-of", "2027-02-15", "--out"])
        .arg(out)
        .output()
        .expect("run isms");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// The document pages of both sites: path and HTML.
fn doc_pages(out: &Path) -> Vec<(String, String)> {
    let mut pages = Vec::new();
    for site in ["staff", "audit"] {
        let dir = out.join(site).join("docs");
        for entry in fs::read_dir(&dir).expect("docs folder") {
            let path = entry.expect("entry").path();
            if path.extension().is_some_and(|e| e == "html") {
                let html = fs::read_to_string(&path).expect("read page");
                pages.push((format!("{site}/docs/{}", file_name(&path)), html));
            }
        }
    }
    pages.sort();
    pages
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Lowercase words of letters and digits (emoji and punctuation left out).
fn words(text: &str) -> String {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The text of every heading element (`<h1>`..`<h6>`) of a page, tags left
/// out, with its level.
fn headings(html: &str) -> Vec<(u8, String)> {
    let mut out = Vec::new();
    let lower = html.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = lower[from..].find("<h") {
        let at = from + i;
        from = at + 2;
        let level = lower.as_bytes().get(at + 2).copied().unwrap_or(b'x');
        let after = lower.as_bytes().get(at + 3).copied().unwrap_or(b'x');
        if !(b'1'..=b'6').contains(&level) || !(after == b'>' || after == b' ') {
            continue;
        }
        let close = format!("</h{}>", level as char);
        let Some(end) = lower[at..].find(&close) else {
            continue;
        };
        let inner = &html[at..at + end];
        let mut text = String::new();
        let mut in_tag = false;
        for c in inner.chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                c if !in_tag => text.push(c),
                _ => {}
            }
        }
        out.push((level - b'0', text));
    }
    out
}

/// Whether a fragment has an `on...=` attribute.
fn has_handler(html: &str) -> bool {
    html.match_indices(" on").any(|(i, _)| {
        let rest = &html[i + 3..];
        let name_end = rest
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(rest.len());
        name_end > 0 && rest[name_end..].starts_with('=')
    })
}

/// The page title: the text of its one `<h1>`.
fn page_title(page: &str, html: &str) -> String {
    let h1: Vec<String> = headings(html)
        .into_iter()
        .filter(|(l, _)| *l == 1)
        .map(|(_, t)| t)
        .collect();
    assert_eq!(h1.len(), 1, "{page}: h1s {h1:?}");
    h1[0].clone()
}

/// Every page of `out` shows its title once: no other heading says the
/// same (ignoring case, emoji and punctuation).
fn assert_titles_once(out: &Path, organisation: &str) {
    let organisation = words(organisation);
    for (page, html) in doc_pages(out) {
        let title = words(&page_title(&page, &html));
        for (level, text) in headings(&html).into_iter().filter(|(l, _)| *l > 1) {
            let text = words(&text).replace(&organisation, "");
            assert_ne!(text.trim(), title, "{page}: the title again as an h{level}");
        }
    }
}

#[test]
fn github_style_fixture_builds_with_pictures_and_single_titles() {
    let (_dir, root) = fixture_repo();
    let out_dir = tempfile::tempdir().expect("tempdir");
    let out = out_dir.path().join("site");
    let (code, stderr) = build(&root, &out);
    // Findings (the fixture has no SoA) are reported; the sites are built.
    assert!(code == 0 || code == 1, "exit {code}: {stderr}");

    // The diagram the renderer cannot read: a note with file and line.
    let notes: Vec<&str> = stderr.lines().filter(|l| l.starts_with("note: ")).collect();
    assert_eq!(notes.len(), 1, "{stderr}");
    assert!(
        notes[0]
            .starts_with("note: guides/diagram-conventions.md:19: a Mermaid diagram was not drawn"),
        "{}",
        notes[0]
    );

    let pages = doc_pages(&out);
    let page = |name: &str| -> &str {
        &pages
            .iter()
            .find(|(p, _)| p == name)
            .unwrap_or_else(|| panic!("no page {name}"))
            .1
    };
    // Every drawn diagram, on both sites: a named picture with its source.
    for site in ["staff", "audit"] {
        for (doc, pictures, names) in [
            ("POL-IS", 1, &["How the policies fit together"][..]),
            ("POL-AC", 1, &["Granting and removing access"][..]),
            ("PRO-IR", 2, &["Reporting", "States of an incident"][..]),
            (
                "PLN-CERT",
                2,
                &["Certification timeline", "Effort by area"][..],
            ),
            ("GDL-DIAG", 0, &[][..]),
        ] {
            let html = page(&format!("{site}/docs/{doc}.html"));
            assert_eq!(html.matches("<svg ").count(), pictures, "{site} {doc}");
            assert_eq!(
                html.matches("<summary>Diagram source (Mermaid)</summary>")
                    .count(),
                pictures,
                "{site} {doc}"
            );
            for (n, name) in names.iter().enumerate() {
                let n = n + 1;
                assert!(
                    html.contains(&format!(
                        "role=\"img\" aria-labelledby=\"mermaid-{n}-title\""
                    )),
                    "{site} {doc} {n}"
                );
                assert!(
                    html.contains(&format!("<title id=\"mermaid-{n}-title\">{name}</title>")),
                    "{site} {doc}: picture {n} is not named {name:?}"
                );
            }
            // Ids are unique on the page, with two diagrams on it too.
            let ids: Vec<&str> = html
                .split(" id=\"")
                .skip(1)
                .map(|r| &r[..r.find('"').unwrap_or(0)])
                .collect();
            let unique: HashSet<&&str> = ids.iter().collect();
            assert_eq!(ids.len(), unique.len(), "{site} {doc}: {ids:?}");
            // Nothing active inside the pictures.
            for svg in html.split("<svg ").skip(1) {
                let svg = &svg[..svg.find("</svg>").unwrap_or(svg.len())];
                for bad in [
                    "<script",
                    "href",
                    "javascript:",
                    "<foreignObject",
                    " style=",
                ] {
                    assert!(!svg.contains(bad), "{site} {doc}: {bad}");
                }
                assert!(!has_handler(svg), "{site} {doc}: an event handler");
            }
        }
        // The unreadable diagram stays its source.
        let html = page(&format!("{site}/docs/GDL-DIAG.html"));
        assert!(
            html.contains("<code class=\"language-mermaid\">flowchart TD\n    A[Half-finished box --&gt; B\n</code>"),
            "{html}"
        );
        // The leading logo, which the header already shows, is gone.
        for doc in ["POL-IS", "POL-AC"] {
            let html = page(&format!("{site}/docs/{doc}.html"));
            let body = &html[html.find("<main").unwrap_or(0)..];
            assert!(!body.contains("logo.svg"), "{site} {doc}");
            // The badges stay (on the audit index; the staff site keeps
            // web images too).
            assert!(body.contains("img.shields.io"), "{site} {doc}");
        }
    }
    assert_titles_once(&out, "Fabrikam Cloud GmbH");
    // A heading that only starts like the title, or another section, stays.
    assert!(headings(page("staff/docs/POL-IS.html"))
        .iter()
        .any(|(l, t)| *l == 2 && t.contains("Purpose")));
}

#[test]
fn the_example_shows_no_title_twice_and_draws_no_note() {
    let (_dir, root, _repo) = common::example_repo();
    let out_dir = tempfile::tempdir().expect("tempdir");
    let out = out_dir.path().join("site");
    let (code, stderr) = build(&root, &out);
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains("note: "), "{stderr}");
    assert_titles_once(&out, "Northwind Analytics Ltd");
}
