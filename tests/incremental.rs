//! `isms serve` rebuilds incrementally: it re-parses only changed files,
//! refreshes the git status of changed paths instead of re-reading history,
//! and reuses rendered pages whose inputs are unchanged. Whatever it reuses,
//! the result must be exactly that of a fresh build; these tests make edits
//! of every kind and compare the two after each.

mod common;

use std::path::Path;

use common::{commit_all, edit, example_repo, remove, AS_OF};
use isms::load::{LoadOptions, LoadState};
use isms::model::ids::parse_date;
use isms::pipeline::{run_checks, run_checks_with};
use isms::render::memo::Memo;
use isms::render::{render_sites, render_sites_with, SiteFile};

/// A long-running build session, as `isms serve` keeps one.
struct Session {
    state: LoadState,
    memo: Memo,
}

type Build = (String, Vec<SiteFile>, Vec<SiteFile>);

/// One edit of the sources: what it is, the change, and the paths a watcher
/// would report.
type Step<'a> = (&'a str, Box<dyn Fn() + 'a>, Vec<&'a str>);

fn opts() -> LoadOptions {
    LoadOptions {
        history_cache: false,
        out_dir: None,
        ..LoadOptions::default()
    }
}

fn sorted(mut files: Vec<SiteFile>) -> Vec<SiteFile> {
    files.sort();
    files
}

fn as_of() -> isms::model::ids::Date {
    parse_date(AS_OF).expect("date")
}

impl Session {
    fn new() -> Session {
        Session {
            state: LoadState::trusting_hints(),
            memo: Memo::enabled(),
        }
    }

    /// Rebuilds reusing this session's state; `hints` are the paths a
    /// watcher would report.
    fn build(&mut self, root: &Path, hints: &[&str]) -> Build {
        self.state.hints = hints.iter().map(|h| h.to_string()).collect();
        let checked = run_checks_with(root, as_of(), &opts(), &mut self.state).expect("checks run");
        let sites = render_sites_with(
            &checked.isms,
            &checked.summary,
            &checked.findings,
            &self.memo,
        )
        .expect("renders");
        (
            isms::report::json::render(&checked.summary, &checked.findings),
            sorted(sites.staff),
            sorted(sites.audit),
        )
    }
}

/// A build from nothing, as `isms build` makes it.
fn fresh(root: &Path) -> Build {
    let checked = run_checks(root, as_of(), &opts()).expect("checks run");
    let sites = render_sites(&checked.isms, &checked.summary, &checked.findings).expect("renders");
    (
        isms::report::json::render(&checked.summary, &checked.findings),
        sorted(sites.staff),
        sorted(sites.audit),
    )
}

fn assert_same(step: &str, incremental: &Build, fresh: &Build) {
    assert_eq!(incremental.0, fresh.0, "findings differ after: {step}");
    for (name, a, b) in [
        ("staff", &incremental.1, &fresh.1),
        ("audit", &incremental.2, &fresh.2),
    ] {
        let paths = |files: &[SiteFile]| files.iter().map(|f| f.0.clone()).collect::<Vec<_>>();
        assert_eq!(paths(a), paths(b), "{name} file list differs after: {step}");
        for (x, y) in a.iter().zip(b.iter()) {
            assert!(x.1 == y.1, "{name}/{} differs after: {step}", x.0);
        }
    }
}

#[test]
fn incremental_rebuilds_equal_fresh_builds_after_every_kind_of_edit() {
    let (_dir, root, repo) = example_repo();
    let mut session = Session::new();
    let first = session.build(&root, &[]);
    assert_same("the first build", &first, &fresh(&root));

    let policy = root.join("policies/access-control.md");
    let steps: Vec<Step> = vec![
        (
            "a body edit",
            Box::new(|| {
                let mut text = std::fs::read_to_string(&policy).expect("read");
                text.push_str("\nA new paragraph.\n");
                std::fs::write(&policy, text).expect("write");
            }),
            vec!["policies/access-control.md"],
        ),
        (
            "a title edit",
            Box::new(|| edit(&policy, "title: ", "title: Renamed ")),
            vec!["policies/access-control.md"],
        ),
        (
            "an id edit (same paths, a new id at one of them)",
            Box::new(|| edit(&policy, "id: POL-AC", "id: POL-ACX")),
            vec!["policies/access-control.md"],
        ),
        (
            "the id back",
            Box::new(|| edit(&policy, "id: POL-ACX", "id: POL-AC")),
            vec!["policies/access-control.md"],
        ),
        (
            "broken front matter",
            Box::new(|| edit(&policy, "id: POL-AC", "id POL-AC")),
            vec!["policies/access-control.md"],
        ),
        (
            "the front matter fixed",
            Box::new(|| edit(&policy, "id POL-AC", "id: POL-AC")),
            vec!["policies/access-control.md"],
        ),
        (
            "a new, untracked document",
            Box::new(|| {
                std::fs::write(
                    root.join("policies/new-policy.md"),
                    "---\nid: POL-NEW\ntitle: A new policy\ntype: policy\nversion: \"0.1\"\nstatus: draft\nowner: Priya Shah\nclassification: internal\n---\n\nLinks to [access control](access-control.md).\n",
                )
                .expect("write");
            }),
            vec!["policies/new-policy.md"],
        ),
        (
            "a new folder with a document (the watcher names the folder)",
            Box::new(|| {
                std::fs::create_dir_all(root.join("guidelines/new")).expect("mkdir");
                std::fs::write(
                    root.join("guidelines/new/travel.md"),
                    "---\nid: GL-TRAVEL\ntitle: Travel\ntype: guideline\nversion: \"1\"\nstatus: draft\nowner: Priya Shah\nclassification: internal\n---\n\nTake care.\n",
                )
                .expect("write");
            }),
            vec!["guidelines/new"],
        ),
        (
            "a CSV edit",
            Box::new(|| {
                let csv = root.join("records/incidents/incident-log.csv");
                let mut text = std::fs::read_to_string(&csv).expect("read");
                text.push_str("INC-999,2027-01-05,Lost badge,low,open,\n");
                std::fs::write(&csv, text).expect("write");
            }),
            vec!["records/incidents/incident-log.csv"],
        ),
        (
            "a commit (HEAD moves)",
            Box::new(|| commit_all(&repo, "Update access control", 5)),
            vec![],
        ),
        (
            "a deleted document",
            Box::new(|| remove(&root.join("policies/new-policy.md"))),
            vec!["policies/new-policy.md"],
        ),
        (
            "a file edited back to its committed text",
            Box::new(|| {
                commit_all(&repo, "Remove the new policy", 6);
                edit(&policy, "title: Renamed ", "title: Again ");
                edit(&policy, "title: Again ", "title: Renamed ");
            }),
            vec!["policies/access-control.md"],
        ),
        (
            "isms.toml",
            Box::new(|| {
                edit(
                    &root.join("isms.toml"),
                    "stage2 = ",
                    "stage2 = 2027-03-09 #",
                )
            }),
            vec!["isms.toml"],
        ),
        (
            "a document kept off the staff site",
            Box::new(|| {
                edit(
                    &root.join("policies/cryptography.md"),
                    "classification: internal",
                    "classification: confidential",
                )
            }),
            vec!["policies/cryptography.md"],
        ),
        (
            "a commit of a staff document whose subject names the hidden one",
            Box::new(|| {
                edit(&policy, "title: Renamed ", "title: Again ");
                commit_all(
                    &repo,
                    "Align access control with the cryptography policy",
                    7,
                );
            }),
            vec!["policies/access-control.md"],
        ),
        (
            "the hidden document back on the staff site (same history)",
            Box::new(|| {
                edit(
                    &root.join("policies/cryptography.md"),
                    "classification: confidential",
                    "classification: internal",
                )
            }),
            vec!["policies/cryptography.md"],
        ),
    ];
    for (step, change, hints) in steps {
        change();
        let incremental = session.build(&root, &hints);
        assert_same(step, &incremental, &fresh(&root));
    }
}

#[test]
fn an_unchanged_rebuild_renders_nothing_again() {
    let (_dir, root, _repo) = example_repo();
    let mut session = Session::new();
    session.build(&root, &[]);
    let pages = session.memo.rendered();
    assert!(pages > 20, "the first build renders every page ({pages})");
    session.build(&root, &[]);
    assert_eq!(
        session.memo.rendered(),
        0,
        "nothing changed, nothing rendered"
    );

    let policy = root.join("policies/access-control.md");
    let mut text = std::fs::read_to_string(&policy).expect("read");
    text.push_str("\nOne more line.\n");
    std::fs::write(&policy, text).expect("write");
    session.build(&root, &["policies/access-control.md"]);
    let again = session.memo.rendered();
    assert!(
        again >= 1 && again < pages / 2,
        "a body edit re-renders its pages and the lists, not everything ({again} of {pages})"
    );
}

#[test]
fn each_document_carries_the_digest_its_source_entry_has() {
    // Page keys read a document's digest from the document itself; it must
    // be the digest the model lists for its file, edit after edit.
    let (_dir, root, _repo) = example_repo();
    let mut session = Session::new();
    for step in 0..2 {
        if step == 1 {
            let path = root.join("policies/access-control.md");
            let text = std::fs::read_to_string(&path).expect("read");
            std::fs::write(&path, format!("{text}\nEdited.\n")).expect("write");
        }
        session.state.hints = vec!["policies/access-control.md".to_string()];
        let checked =
            run_checks_with(&root, as_of(), &opts(), &mut session.state).expect("checks run");
        let isms = &checked.isms;
        assert!(!isms.documents.is_empty());
        for doc in &isms.documents {
            let listed = isms
                .sources
                .iter()
                .find(|(path, _)| *path == doc.path)
                .map(|(_, digest)| digest.as_str());
            assert_eq!(Some(doc.source_digest.as_str()), listed, "{}", doc.path);
        }
    }
}
