//! Snapshots of what users see: one page of each kind of both sites and the
//! reports, built from a copy of the example ISMS in a git repository with
//! fixed commit times. A change to any template, page or report shows up
//! here byte by byte; review it with `cargo insta review` (or set
//! `INSTA_UPDATE=always` and read the diff) before accepting it.

mod common;

use std::path::Path;

use common::{commit_all, edit, example_repo, isms, remove, AS_OF};

/// Pages that stand for every kind of page of both sites.
const PAGES: &[&str] = &[
    "staff/index.html",
    "staff/docs/POL-AUP.html",
    "audit/index.html",
    "audit/soa.html",
    "audit/clauses.html",
    "audit/register.html",
    "audit/findings.html",
    "audit/packs/training.html",
    "audit/docs/POL-AUP.html",
    "audit/docs/REC-TR-2026.html",
    "audit/exports/register.csv",
    "audit/exports/soa.csv",
    "audit/exports/findings.json",
];

fn build(root: &Path, out: &Path) {
    let (code, stdout, stderr) = isms(&[
        "build",
        root.to_str().expect("utf-8 path"),
        "--as-of",
        AS_OF,
        "--out",
        out.to_str().expect("utf-8 path"),
    ]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
}

/// Snapshot names from page paths: `audit/packs/training.html` ->
/// `audit__packs__training.html`.
fn snapshot_name(page: &str) -> String {
    page.replace('/', "__")
}

#[test]
fn pages_of_both_sites() {
    let (dir, root, _repo) = example_repo();
    let out = dir.path().join("out");
    build(&root, &out);
    // Commit ids change with every byte of the example; what a page does
    // with them does not.
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(r"\b[0-9a-f]{40}\b", "[COMMIT]");
    settings.add_filter(r"<code>[0-9a-f]{7,12}</code>", "<code>[COMMIT]</code>");
    settings.bind(|| {
        for page in PAGES {
            let text =
                std::fs::read_to_string(out.join(page)).unwrap_or_else(|e| panic!("{page}: {e}"));
            insta::assert_snapshot!(snapshot_name(page), text);
        }
    });
}

/// The example with findings of every severity: an edited approved body
/// (DC006), an uncommitted edit (DC008), a missing incident log (RD010), a
/// broken link (DC010) and a bad date (DC003, an input error).
fn broken_example() -> (tempfile::TempDir, std::path::PathBuf) {
    let (dir, root, repo) = example_repo();
    edit(
        &root.join("policies/acceptable-use.md"),
        "## Who this applies to",
        "## Who this applies to\n\nSee also [the old rules](old-rules.md).",
    );
    remove(&root.join("records/incidents/incident-log.md"));
    commit_all(&repo, "Edit the acceptable use policy", 1);
    edit(
        &root.join("policies/cryptography.md"),
        "status: approved",
        "status: approved\nnext_review: 2027-02-30",
    );
    (dir, root)
}

fn report(root: &Path, format: &str) -> String {
    let (code, stdout, _stderr) = isms(&[
        "check",
        root.to_str().expect("utf-8 path"),
        "--as-of",
        AS_OF,
        "--format",
        format,
    ]);
    assert_eq!(code, 2, "a bad date is an input error: {stdout}");
    stdout
}

#[test]
fn reports_in_every_format() {
    let (_dir, root) = broken_example();
    let root_text = root.display().to_string();
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(&regex_escape(&root_text), "[ROOT]");
    settings.add_filter(r"commit [0-9a-f]{12}", "commit [COMMIT]");
    settings.add_filter(r"commit `[0-9a-f]{12}`", "commit `[COMMIT]`");
    settings.add_filter(r#""commit": "[0-9a-f]{40}""#, r#""commit": "[COMMIT]""#);
    settings.bind(|| {
        insta::assert_snapshot!("report.human", report(&root, "human"));
        insta::assert_snapshot!("report.json", report(&root, "json"));
        insta::assert_snapshot!("report.sarif", report(&root, "sarif"));
        insta::assert_snapshot!("report.github", report(&root, "github"));
        insta::assert_snapshot!("report.markdown", report(&root, "markdown"));
    });
}

fn regex_escape(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
