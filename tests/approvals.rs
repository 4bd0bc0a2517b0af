//! DC015 on real repositories with fixed commit times: a version that names
//! two different approved texts, following renames, and kept quiet by a
//! version bump or a re-approval of the same text.

mod common;

use common::{check_json, commit_all, edit, example_repo, findings};

const AC: &str = "policies/access-control.md";

/// Re-approves the access control policy (a new `approved_on`), with or
/// without a body edit and a version bump, in one commit.
fn reapprove(root: &std::path::Path, body_edit: bool, version: Option<&str>) {
    let path = root.join(AC);
    edit(&path, "approved_on: 2026-04-08", "approved_on: 2026-06-01");
    if body_edit {
        edit(&path, "## Purpose", "## Purpose and scope");
    }
    if let Some(v) = version {
        edit(&path, "version: \"2.1\"", &format!("version: \"{v}\""));
    }
}

fn dc015(json: &serde_json::Value) -> Vec<(String, String, u64)> {
    findings(json)
        .into_iter()
        .filter(|(rule, _, _)| rule == "DC015")
        .collect()
}

#[test]
fn dc015_fires_on_a_changed_body_approved_again_under_the_same_version() {
    let (_dir, root, repo) = example_repo();
    reapprove(&root, true, None);
    commit_all(&repo, "Revise the access control policy", 1);
    let (code, json) = check_json(&root);
    // At the `approved_by` line, and the only finding.
    assert_eq!(
        findings(&json),
        vec![("DC015".to_string(), AC.to_string(), 9)],
        "{json:#}"
    );
    let message = json["findings"][0]["message"].as_str().expect("message");
    assert!(message.contains("version 2.1"), "{message}");
    assert!(message.contains("Sam Lee"), "{message}");
    assert_eq!(json["findings"][0]["document"], "POL-AC");
    assert_eq!(code, 1);
}

#[test]
fn dc015_fires_when_the_edit_and_the_approval_are_separate_commits() {
    let (_dir, root, repo) = example_repo();
    let path = root.join(AC);
    edit(&path, "## Purpose", "## Purpose and scope");
    commit_all(&repo, "Edit", 1);
    edit(&path, "approved_on: 2026-04-08", "approved_on: 2026-06-01");
    commit_all(&repo, "Approve", 2);
    let (_, json) = check_json(&root);
    assert_eq!(
        dc015(&json),
        vec![("DC015".to_string(), AC.to_string(), 9)],
        "{json:#}"
    );
}

#[test]
fn dc015_quiet_with_a_version_bump_or_the_same_text() {
    let (_dir, root, repo) = example_repo();
    reapprove(&root, true, Some("2.2"));
    commit_all(&repo, "Revise and bump", 1);
    let (code, json) = check_json(&root);
    assert_eq!(findings(&json), vec![], "{json:#}");
    assert_eq!(code, 0);

    // A yearly review approving the same text again keeps its version.
    let (_dir, root, repo) = example_repo();
    reapprove(&root, false, None);
    commit_all(&repo, "Reviewed, no change", 1);
    let (_, json) = check_json(&root);
    assert_eq!(findings(&json), vec![], "{json:#}");
}

#[test]
fn dc015_follows_a_rename_and_ignores_a_later_front_matter_edit() {
    let (_dir, root, repo) = example_repo();
    let moved = "policies/access.md";
    std::fs::rename(root.join(AC), root.join(moved)).expect("mv");
    commit_all(&repo, "Rename", 1);
    let path = root.join(moved);
    edit(&path, "approved_on: 2026-04-08", "approved_on: 2026-06-01");
    edit(&path, "## Purpose", "## Purpose and scope");
    commit_all(&repo, "Revise", 2);
    edit(
        &path,
        "owner: Head of IT",
        "owner: Head of IT\nsummary_note: x",
    );
    commit_all(&repo, "Front matter only", 3);
    let (_, json) = check_json(&root);
    // The added key moved `approved_by` down a line.
    assert_eq!(
        dc015(&json),
        vec![("DC015".to_string(), moved.to_string(), 10)],
        "{json:#}"
    );
}
