//! `isms diff` on real repositories with branches and fixed commit times:
//! every kind of change the command reports, the findings a change
//! introduces and resolves, the exit code, and that the work tree is left
//! alone.

mod common;

use std::path::Path;

use common::{commit_all, edit, example_repo, isms, AS_OF};
use git2::Repository;
use serde_json::Value;

const AC: &str = "policies/access-control.md";

/// Names the current HEAD `base` (a branch), for the diff to compare with.
fn mark_base(repo: &Repository) {
    let head = repo.head().expect("head").peel_to_commit().expect("commit");
    repo.branch("base", &head, true).expect("branch");
}

fn diff(root: &Path, extra: &[&str]) -> (i32, String, String) {
    let mut args = vec![
        "diff",
        "base",
        "--dir",
        root.to_str().expect("utf-8 path"),
        "--as-of",
        AS_OF,
    ];
    args.extend_from_slice(extra);
    isms(&args)
}

fn diff_json(root: &Path, extra: &[&str]) -> (i32, Value) {
    let mut args = extra.to_vec();
    args.extend_from_slice(&["--format", "json"]);
    let (code, stdout, stderr) = diff(root, &args);
    let json = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("bad json ({e}): {stdout}\n{stderr}"));
    (code, json)
}

/// (rule, path) of the introduced or resolved findings.
fn rules(json: &Value, list: &str) -> Vec<(String, String)> {
    json[list]
        .as_array()
        .expect(list)
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or("").to_string(),
                f["path"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

/// The one entry of `documents` for `id`.
fn document<'a>(json: &'a Value, id: &str) -> &'a Value {
    let found: Vec<&Value> = json["documents"]
        .as_array()
        .expect("documents")
        .iter()
        .filter(|d| d["id"] == id)
        .collect();
    assert_eq!(found.len(), 1, "{json:#}");
    found[0]
}

fn needs(doc: &Value) -> Vec<&str> {
    doc["needs"]
        .as_array()
        .expect("needs")
        .iter()
        .filter_map(Value::as_str)
        .collect()
}

#[test]
fn body_edit_without_reapproval_needs_approval_and_version_and_fails() {
    let (_dir, root, repo) = example_repo();
    mark_base(&repo);
    edit(&root.join(AC), "## Purpose", "## Purpose and scope");
    commit_all(&repo, "Edit the access control policy", 1);

    let (code, json) = diff_json(&root, &[]);
    let doc = document(&json, "POL-AC");
    assert_eq!(doc["kind"], "changed");
    assert_eq!(doc["body_changed"], true);
    assert_eq!(doc["front_matter_changed"], false);
    assert_eq!(needs(doc), vec!["new-approval", "version-bump"]);
    assert_eq!(json["documents"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        rules(&json, "introduced"),
        vec![("DC006".into(), AC.into())]
    );
    assert_eq!(rules(&json, "resolved"), vec![]);
    assert_eq!(code, 1);

    // Gated at major, the same change passes.
    let (code, _) = diff_json(&root, &["--fail-on", "major"]);
    assert_eq!(code, 0);
}

#[test]
fn reapproval_without_version_bump_needs_a_version_and_introduces_dc015() {
    let (_dir, root, repo) = example_repo();
    mark_base(&repo);
    let path = root.join(AC);
    edit(&path, "## Purpose", "## Purpose and scope");
    edit(&path, "approved_on: 2026-04-08", "approved_on: 2026-06-01");
    commit_all(&repo, "Revise and approve", 1);

    let (code, json) = diff_json(&root, &[]);
    let doc = document(&json, "POL-AC");
    assert_eq!(needs(doc), vec!["version-bump"]);
    assert_eq!(
        rules(&json, "introduced"),
        vec![("DC015".into(), AC.into())]
    );
    assert_eq!(code, 1);
}

#[test]
fn reapproval_with_a_fixed_review_date_needs_a_new_one() {
    let (_dir, root, repo) = example_repo();
    let path = root.join(AC);
    edit(
        &path,
        "approved_on: 2026-04-08",
        "approved_on: 2026-04-08\nnext_review: 2027-04-01",
    );
    commit_all(&repo, "Fix the review date", 1);
    mark_base(&repo);
    edit(&path, "approved_on: 2026-04-08", "approved_on: 2026-06-01");
    commit_all(&repo, "Approve again", 2);
    let (code, json) = diff_json(&root, &[]);
    let doc = document(&json, "POL-AC");
    assert_eq!(doc["front_matter_changed"], true);
    assert_eq!(doc["body_changed"], false);
    assert_eq!(needs(doc), vec!["new-review-date"]);
    assert_eq!(code, 0, "{json:#}");
}

#[test]
fn a_document_made_confidential_leaves_the_staff_site() {
    let (_dir, root, repo) = example_repo();
    mark_base(&repo);
    edit(
        &root.join(AC),
        "classification: internal",
        "classification: confidential",
    );
    commit_all(&repo, "Restrict the access control policy", 1);

    let (code, json) = diff_json(&root, &[]);
    let departures = &json["staff_site"]["departures"];
    assert_eq!(departures[0]["id"], "POL-AC", "{json:#}");
    assert_eq!(departures.as_array().map(Vec::len), Some(1));
    assert_eq!(json["staff_site"]["arrivals"], serde_json::json!([]));
    let doc = document(&json, "POL-AC");
    assert_eq!(doc["front_matter_changed"], true);
    assert_eq!(needs(doc), Vec::<&str>::new());
    // A policy staff cannot find is an observation: below the default gate.
    assert_eq!(
        rules(&json, "introduced"),
        vec![("RD013".into(), AC.into())]
    );
    assert_eq!(code, 0);
    let (code, _) = diff_json(&root, &["--fail-on", "observation"]);
    assert_eq!(code, 1);
}

#[test]
fn soa_status_change_is_reported_by_control() {
    let (_dir, root, repo) = example_repo();
    mark_base(&repo);
    let soa = root.join("soa/statement-of-applicability.md");
    let text = std::fs::read_to_string(&soa).expect("soa");
    let start = text.find("  - control: \"5.1\"\n").expect("5.1 entry");
    let status = start + text[start..].find("status: implemented").expect("status");
    let changed = format!(
        "{}status: partial{}",
        &text[..status],
        &text[status + "status: implemented".len()..]
    );
    std::fs::write(&soa, changed).expect("write");
    commit_all(&repo, "5.1 is only partly in place", 1);

    let (_, json) = diff_json(&root, &[]);
    assert_eq!(
        json["soa"],
        serde_json::json!([{
            "control": "5.1",
            "before": "applicable, implemented",
            "after": "applicable, partial"
        }]),
        "{json:#}"
    );
    let doc = document(&json, "SOA");
    assert_eq!(doc["front_matter_changed"], true);
}

#[test]
fn a_rename_is_one_document_and_changes_no_finding() {
    let (_dir, root, repo) = example_repo();
    let from = "standards/remote-access-vpn.md";
    let to = "standards/vpn.md";
    mark_base(&repo);
    std::fs::rename(root.join(from), root.join(to)).expect("mv");
    commit_all(&repo, "Shorter name", 2);

    let (_, json) = diff_json(&root, &[]);
    let doc = json["documents"]
        .as_array()
        .expect("documents")
        .iter()
        .find(|d| d["kind"] == "renamed")
        .expect("renamed");
    assert_eq!(doc["from"], from);
    assert_eq!(doc["path"], to);
    assert_eq!(doc["body_changed"], false);
    assert_eq!(
        json["documents"].as_array().map(Vec::len),
        Some(1),
        "{json:#}"
    );
    assert_eq!(json["introduced"], serde_json::json!([]));
    assert_eq!(json["resolved"], serde_json::json!([]));
}

#[test]
fn a_change_that_fixes_a_finding_resolves_it_and_old_findings_do_not_fail() {
    let (_dir, root, repo) = example_repo();
    let aup = root.join("policies/acceptable-use.md");
    edit(&aup, "\nowner:", "\nnext_review: 2027-01-01\nowner:");
    edit(&root.join(AC), "## Purpose", "## Purpose and scope");
    commit_all(&repo, "Old findings", 1);
    mark_base(&repo);
    // `check` fails on the old findings...
    let r = root.to_str().expect("path");
    assert_eq!(isms(&["check", r, "--as-of", AS_OF]).0, 1);
    // ...while a change that fixes one of them passes the gate.
    edit(&aup, "next_review: 2027-01-01", "next_review: 2027-06-01");
    commit_all(&repo, "Reviewed", 2);
    let (code, json) = diff_json(&root, &[]);
    assert_eq!(
        rules(&json, "resolved"),
        vec![("DC007".into(), "policies/acceptable-use.md".into())]
    );
    assert_eq!(rules(&json, "introduced"), vec![]);
    assert_eq!(code, 0);
    assert!(json["head"]["isms"]["counts"]["minor"].as_u64() >= Some(1));
}

#[test]
fn head_defaults_to_the_working_tree_and_nothing_is_written_there() {
    let (_dir, root, repo) = example_repo();
    mark_base(&repo);
    edit(&root.join(AC), "## Purpose", "## Purpose and scope");
    let before = status(&repo);
    let (code, json) = diff_json(&root, &[]);
    assert_eq!(json["head"]["label"], "working tree");
    assert_eq!(document(&json, "POL-AC")["body_changed"], true);
    // Uncommitted: DC008 now, DC006 only once committed.
    assert_eq!(
        rules(&json, "introduced"),
        vec![("DC008".into(), AC.into())]
    );
    assert_eq!(code, 0);
    assert_eq!(status(&repo), before);

    // An explicit HEAD revision ignores the working tree.
    let (code, json) = isms_json(&root, &["diff", "base", "HEAD"]);
    assert_eq!(json["documents"], serde_json::json!([]));
    assert_eq!(code, 0);
    assert_eq!(status(&repo), before);
}

#[test]
fn bad_revisions_and_formats() {
    let (_dir, root, repo) = example_repo();
    mark_base(&repo);
    edit(&root.join(AC), "## Purpose", "## Purpose and scope");
    commit_all(&repo, "Edit", 1);
    let r = root.to_str().expect("path");
    let (code, _, err) = isms(&["diff", "no-such-branch", "--dir", r, "--as-of", AS_OF]);
    assert_eq!(code, 2);
    assert!(err.contains("no-such-branch"), "{err}");

    let (code, out, _) = diff(&root, &["--format", "github"]);
    assert_eq!(code, 1);
    assert_eq!(out.lines().count(), 2, "{out}");
    assert!(
        out.starts_with("::warning file=isms/policies/access-control.md,line="),
        "{out}"
    );
    assert!(
        out.lines()
            .nth(1)
            .is_some_and(|l| l.starts_with("::notice ")),
        "{out}"
    );
    let (_, out, _) = diff(&root, &["--format", "sarif"]);
    let sarif: Value = serde_json::from_str(&out).expect("sarif");
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    assert_eq!(results.len(), 1);
    assert_eq!(results[0]["ruleId"], "DC006");
    let (_, out, _) = diff(&root, &["--format", "markdown"]);
    assert!(
        out.starts_with("### ISMS diff: 1 introduced, 0 resolved"),
        "{out}"
    );
    assert!(
        out.contains("needs a new approval, a version bump"),
        "{out}"
    );
    let (_, out, _) = diff(&root, &[]);
    assert!(out.contains("Findings introduced (1):"), "{out}");
    assert!(
        out.contains("minor[DC006] isms/policies/access-control.md:"),
        "{out}"
    );
}

fn isms_json(root: &Path, args: &[&str]) -> (i32, Value) {
    let mut all = args.to_vec();
    all.extend_from_slice(&[
        "--dir",
        root.to_str().expect("path"),
        "--as-of",
        AS_OF,
        "--format",
        "json",
    ]);
    let (code, stdout, stderr) = isms(&all);
    let json = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("bad json ({e}): {stdout}\n{stderr}"));
    (code, json)
}

/// `git status` of the work tree, as (path, status bits).
fn status(repo: &Repository) -> Vec<(String, u32)> {
    let mut options = git2::StatusOptions::new();
    options.include_untracked(true).recurse_untracked_dirs(true);
    repo.statuses(Some(&mut options))
        .expect("status")
        .iter()
        .map(|s| (s.path().unwrap_or("").to_string(), s.status().bits()))
        .collect()
}
