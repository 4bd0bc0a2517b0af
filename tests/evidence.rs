//! DC014 on real repositories with fixed commit times, in each
//! `approval_evidence` mode: the approver's own commit, an `Approved-by:`
//! trailer (on the commit or on the merge that brings it in), and an SSH
//! signature made in the test with a throwaway key (no ssh-keygen or gpg).

mod common;

use std::path::Path;

use common::{check_json, commit_all, edit, example_repo};
use git2::{Oid, Repository, Signature, Time};
use ssh_key::{rand_core::OsRng, Algorithm, HashAlg, LineEnding, PrivateKey};

const AC: &str = "policies/access-control.md";
const AUP: &str = "policies/acceptable-use.md";

/// Sets `approval_evidence` and gives Sam Lee an email and, optionally, an
/// SSH key in the roster.
fn configure(root: &Path, mode: &str, ssh_key: &str) {
    edit(
        &root.join("isms.toml"),
        "require_distinct_approver = true",
        &format!("require_distinct_approver = true\napproval_evidence = \"{mode}\""),
    );
    // Gives Sam Lee two addresses and the key, whatever optional columns the
    // example's roster already has (cells hold no commas).
    let path = root.join("people/roster.csv");
    let text = std::fs::read_to_string(&path).expect("roster");
    let mut lines = text.lines();
    let mut header: Vec<String> = lines
        .next()
        .expect("header")
        .split(',')
        .map(str::to_string)
        .collect();
    for column in ["email", "ssh_key"] {
        if !header.iter().any(|h| h == column) {
            header.push(column.to_string());
        }
    }
    let at = |column: &str| header.iter().position(|h| h == column).expect("column");
    let (email, key) = (at("email"), at("ssh_key"));
    let mut out = header.join(",");
    out.push('\n');
    for line in lines {
        let mut cells: Vec<String> = line.split(',').map(str::to_string).collect();
        cells.resize(header.len(), String::new());
        if line.starts_with("Sam Lee,") {
            cells[email] = "sam@northwind.example;s.lee@northwind.example".to_string();
            cells[key] = ssh_key.to_string();
        }
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    std::fs::write(path, out).expect("write roster");
}

fn signature(name: &str, email: &str, n: i64) -> Signature<'static> {
    Signature::new(name, email, &Time::new(1_780_000_000 + n * 3600, 0)).expect("sig")
}

fn tree(repo: &Repository) -> Oid {
    let mut index = repo.index().expect("index");
    index
        .add_all(["*"], git2::IndexAddOption::DEFAULT, None)
        .expect("add");
    index.update_all(["*"], None).expect("update");
    index.write().expect("write index");
    index.write_tree().expect("tree")
}

/// Commits the work tree as `author`, on `parents` (HEAD when empty),
/// signed with `key` when given; moves HEAD's branch to it.
fn commit_as(
    repo: &Repository,
    author: &Signature<'_>,
    message: &str,
    parents: &[Oid],
    key: Option<&PrivateKey>,
) -> Oid {
    let tree = repo.find_tree(tree(repo)).expect("tree");
    let parent_ids: Vec<Oid> = if parents.is_empty() {
        vec![repo.head().expect("head").target().expect("id")]
    } else {
        parents.to_vec()
    };
    let parents: Vec<git2::Commit<'_>> = parent_ids
        .iter()
        .map(|id| repo.find_commit(*id).expect("parent"))
        .collect();
    let refs: Vec<&git2::Commit<'_>> = parents.iter().collect();
    let id = match key {
        None => repo
            .commit(None, author, author, message, &tree, &refs)
            .expect("commit"),
        Some(key) => {
            let buffer = repo
                .commit_create_buffer(author, author, message, &tree, &refs)
                .expect("buffer");
            let buffer = buffer.as_str().expect("utf-8 commit");
            let pem = key
                .sign("git", HashAlg::Sha512, buffer.as_bytes())
                .expect("sign")
                .to_pem(LineEnding::LF)
                .expect("pem");
            repo.commit_signed(buffer, &pem, Some("gpgsig"))
                .expect("signed commit")
        }
    };
    let head = repo.head().expect("head");
    let name = head.name().expect("branch name").to_string();
    repo.reference(&name, id, true, "test")
        .expect("move branch");
    id
}

/// Re-approves the access control policy (a new `approved_on`).
fn reapprove_ac(root: &Path) {
    edit(
        &root.join(AC),
        "approved_on: 2026-04-08",
        "approved_on: 2026-06-01",
    );
}

/// (path, line) of every DC014, and the messages.
fn dc014(root: &Path) -> (Vec<(String, u64)>, Vec<String>) {
    let (_, json) = check_json(root);
    let found: Vec<&serde_json::Value> = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == "DC014")
        .collect();
    (
        found
            .iter()
            .map(|f| {
                (
                    f["path"].as_str().unwrap_or("").to_string(),
                    f["line"].as_u64().unwrap_or(0),
                )
            })
            .collect(),
        found
            .iter()
            .map(|f| f["message"].as_str().unwrap_or("").to_string())
            .collect(),
    )
}

fn has(found: &[(String, u64)], path: &str) -> bool {
    found.iter().any(|(p, _)| p == path)
}

#[test]
fn front_matter_mode_judges_nothing() {
    let (_dir, root, repo) = example_repo();
    configure(&root, "front-matter", "");
    commit_all(&repo, "Roster emails", 1);
    assert_eq!(dc014(&root).0, vec![]);
}

#[test]
fn commit_mode_wants_the_approvers_own_commit() {
    let (_dir, root, repo) = example_repo();
    configure(&root, "commit", "");
    commit_all(&repo, "Evidence approvals by commit", 1);
    // Everything was imported by the ISMS lead: Sam Lee's approval is not hers.
    let (found, messages) = dc014(&root);
    assert!(found.contains(&(AC.to_string(), 9)), "{found:?}");
    assert!(has(&found, AUP));
    let ac = messages
        .iter()
        .find(|m| m.starts_with("POL-AC:"))
        .expect("POL-AC");
    assert!(ac.contains("<priya@example.com>"), "{ac}");

    // Sam Lee commits the new approval himself (second roster address, any
    // case): quiet for POL-AC, while Alex Morgan's approvals still fire.
    reapprove_ac(&root);
    commit_as(
        &repo,
        &signature("Sam Lee", "S.Lee@Northwind.example", 2),
        "Approve the access control policy",
        &[],
        None,
    );
    let (found, _) = dc014(&root);
    assert!(!has(&found, AC), "{found:?}");
    assert!(has(&found, AUP), "{found:?}");
}

#[test]
fn trailer_mode_on_the_commit_or_on_the_merge_that_brings_it_in() {
    let (_dir, root, repo) = example_repo();
    configure(&root, "trailer", "");
    commit_all(&repo, "Evidence approvals by trailer", 1);
    let (found, _) = dc014(&root);
    assert!(found.contains(&(AC.to_string(), 9)), "{found:?}");

    // On the approval commit itself, with an email.
    reapprove_ac(&root);
    let priya = signature("Priya Shah", "priya@example.com", 2);
    commit_as(
        &repo,
        &priya,
        "Approve POL-AC\n\nApproved-by: sam lee <sam@northwind.example>\n",
        &[],
        None,
    );
    let (found, _) = dc014(&root);
    assert!(!has(&found, AC), "{found:?}");
    assert!(has(&found, AUP));
}

#[test]
fn trailer_mode_follows_the_merge_of_a_side_branch() {
    for (merge_message, quiet) in [
        (
            "Merge the access control review\n\nApproved-by: Sam Lee\n",
            true,
        ),
        ("Merge the access control review\n", false),
    ] {
        let (_dir, root, repo) = example_repo();
        configure(&root, "trailer", "");
        commit_all(&repo, "Evidence approvals by trailer", 1);
        let main = repo.head().expect("head").target().expect("id");
        let priya = signature("Priya Shah", "priya@example.com", 2);
        // The approval on a side branch, without a trailer...
        reapprove_ac(&root);
        let side = commit_as(&repo, &priya, "Approve POL-AC", &[main], None);
        // ...merged into the main line (the main parent first).
        let merge = commit_as(&repo, &priya, merge_message, &[main, side], None);
        assert_eq!(repo.head().expect("head").target(), Some(merge));
        let (found, messages) = dc014(&root);
        assert_eq!(!has(&found, AC), quiet, "{merge_message}: {found:?}");
        if !quiet {
            let m = messages
                .iter()
                .find(|m| m.starts_with("POL-AC:"))
                .expect("POL-AC");
            assert!(m.contains("nor the merge"), "{m}");
        }
    }
}

#[test]
fn signed_mode_verifies_ssh_signatures_against_the_roster_key() {
    let sam = PrivateKey::random(&mut OsRng, Algorithm::Ed25519).expect("key");
    let mallory = PrivateKey::random(&mut OsRng, Algorithm::Ed25519).expect("key");
    let sam_public = sam.public_key().to_openssh().expect("openssh");
    let cases: [(Option<&PrivateKey>, Option<&str>); 3] = [
        (Some(&sam), None),
        (Some(&mallory), Some("does not verify")),
        (None, Some("is not signed")),
    ];
    for (key, problem) in cases {
        let (_dir, root, repo) = example_repo();
        // Two keys in the cell, one unusable; Sam's is the second.
        configure(
            &root,
            "signed",
            &format!("ssh-ed25519 AAAA-not-a-key;{sam_public}"),
        );
        commit_all(&repo, "Evidence approvals by signature", 1);
        reapprove_ac(&root);
        let signed = commit_as(
            &repo,
            &signature("Sam Lee", "sam@northwind.example", 2),
            "Approve POL-AC",
            &[],
            key,
        );
        assert_eq!(repo.extract_signature(&signed, None).is_ok(), key.is_some());
        let (found, messages) = dc014(&root);
        match problem {
            None => assert!(!has(&found, AC), "{found:?} {messages:?}"),
            Some(text) => {
                assert!(found.contains(&(AC.to_string(), 9)), "{found:?}");
                let m = messages
                    .iter()
                    .find(|m| m.starts_with("POL-AC:"))
                    .expect("POL-AC");
                assert!(m.contains(text), "{m}");
            }
        }
        // Unsigned approvals by others fire in any case.
        assert!(has(&found, AUP));
    }
}

#[test]
fn an_unknown_mode_is_a_config_error_at_its_line() {
    let (_dir, root, repo) = example_repo();
    configure(&root, "gpg", "");
    commit_all(&repo, "Typo", 1);
    let (code, json) = check_json(&root);
    let f = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["rule"] == "DC003" && f["path"] == "isms.toml")
        .unwrap_or_else(|| panic!("no DC003 at isms.toml: {json:#}"));
    assert!(f["message"].as_str().is_some_and(|m| m.contains("`gpg`")));
    // The line of `approval_evidence` in the example's isms.toml.
    let text = std::fs::read_to_string(root.join("isms.toml")).expect("read");
    let line = text
        .lines()
        .position(|l| l.starts_with("approval_evidence"))
        .expect("key") as u64
        + 1;
    assert_eq!(f["line"].as_u64(), Some(line));
    assert_eq!(code, 2);
}

#[test]
fn the_audit_index_shows_how_each_approval_is_evidenced() {
    let sam = PrivateKey::random(&mut OsRng, Algorithm::Ed25519).expect("key");
    let (dir, root, repo) = example_repo();
    let public = sam.public_key().to_openssh().expect("openssh");
    configure(&root, "signed", &public);
    commit_all(&repo, "Evidence approvals by signature", 1);
    reapprove_ac(&root);
    commit_as(
        &repo,
        &signature("Sam Lee", "sam@northwind.example", 2),
        "Approve POL-AC\n\nApproved-by: Sam Lee\n",
        &[],
        Some(&sam),
    );
    let out = dir.path().join("out");
    let (code, _, err) = common::isms(&[
        "build",
        root.to_str().expect("path"),
        "--out",
        out.to_str().expect("path"),
        "--as-of",
        common::AS_OF,
    ]);
    assert_eq!(code, 1, "{err}");
    let register = std::fs::read_to_string(out.join("audit/register.html")).expect("register");
    assert!(register.contains("<th scope=\"col\">Approval evidence</th>"));
    assert!(
        register.contains("committed by Sam Lee &lt;sam@northwind.example&gt;; Approved-by: Sam Lee; SSH signature verified"),
        "{register}"
    );
    assert!(register.contains("no Approved-by trailer; unsigned"));
    let page = std::fs::read_to_string(out.join("audit/docs/POL-AC.html")).expect("page");
    assert!(page.contains("Approval evidence"), "{page}");
    assert!(page.contains("SSH signature verified"));
    // The staff site says nothing of it.
    let staff = std::fs::read_to_string(out.join("staff/docs/POL-AC.html")).unwrap_or_default();
    assert!(!staff.contains("Approval evidence"));
}
