//! Stage 2 readiness on the example ISMS: break one record at a time and
//! check that exactly the expected rule fires, at the expected file.

mod common;

use common::{
    check_json, commit_all, edit, example_repo, findings, isms, remove, rule_paths, AS_OF,
};

/// (what is broken, the change, the only expected rule, and every path it
/// fires at: empty when the finding has no single file).
type Breakage = (
    &'static str,
    fn(&std::path::Path),
    &'static str,
    &'static [&'static str],
);

fn breakages() -> Vec<Breakage> {
    vec![
        (
            "audit too late",
            |r| {
                edit(
                    &r.join("records/internal-audit/2026-internal-audit.md"),
                    "date: 2026-12-01",
                    "date: 2027-01-20",
                )
            },
            "RD002",
            &[],
        ),
        (
            "auditor is the ISMS lead",
            |r| {
                edit(
                    &r.join("records/internal-audit/2026-internal-audit.md"),
                    "auditor: \"Morgan Blake (external auditor, Blake Assurance)\"",
                    "auditor: Priya Shah",
                )
            },
            "RD003",
            &["records/internal-audit/2026-internal-audit.md"],
        ),
        (
            "review too late",
            |r| {
                edit(
                    &r.join("records/management-review/2027-01-management-review.md"),
                    "date: 2027-01-14",
                    "date: 2027-02-10",
                )
            },
            "RD005",
            &[],
        ),
        (
            "no top management at review",
            |r| {
                edit(
                    &r.join("records/management-review/2027-01-management-review.md"),
                    "[\"Alex Morgan\", \"Sam Lee\", ",
                    "[",
                )
            },
            "RD006",
            &["records/management-review/2027-01-management-review.md"],
        ),
        (
            "review input missing",
            |r| {
                edit(
                    &r.join("records/management-review/2027-01-management-review.md"),
                    "  improvement:",
                    "  # improvement:",
                )
            },
            "RD006",
            &["records/management-review/2027-01-management-review.md"],
        ),
        (
            "risk accepted by someone else",
            |r| {
                edit(
                    &r.join("risk/risk-register.csv"),
                    "mitigate,medium,Daniel Okafor",
                    "mitigate,medium,Sam Lee",
                )
            },
            "RD007",
            &["risk/risk-register.csv"],
        ),
        (
            "no recent access review",
            |r| remove(&r.join("records/access-reviews/2027-01.md")),
            "RD008",
            &["policies/access-control.md", "procedures/access-review.md"],
        ),
        (
            "someone untrained",
            |r| {
                edit(
                    &r.join("records/training/training-2026.csv"),
                    "Sam Lee,2026-10-16\n",
                    "",
                )
            },
            "RD009",
            &["records/training/2026-security-awareness.md"],
        ),
        (
            "no incident log",
            |r| remove(&r.join("records/incidents/incident-log.md")),
            "RD010",
            &[],
        ),
        (
            "supplier not assessed",
            |r| {
                edit(
                    &r.join("records/suppliers/supplier-register.csv"),
                    "high,2026-11-16,yes",
                    "high,2025-11-16,yes",
                )
            },
            "RD011",
            &["records/suppliers/supplier-register.csv"],
        ),
        (
            "audit finding without action",
            |r| {
                edit(
                    &r.join("records/internal-audit/2026-internal-audit.md"),
                    "    action: \"Add every system",
                    "    notes: \"Add every system",
                )
            },
            "RD012",
            &["records/internal-audit/2026-internal-audit.md"],
        ),
        (
            "policy hidden from staff",
            |r| {
                edit(
                    &r.join("policies/remote-working.md"),
                    "classification: internal",
                    "classification: confidential",
                )
            },
            "RD013",
            &["policies/remote-working.md"],
        ),
        (
            "no stage 2 or surveillance date",
            |r| {
                edit(&r.join("isms.toml"), "stage2 = 2027-03-02\n", "");
                edit(
                    &r.join("isms.toml"),
                    "surveillance = [2028-02-15, 2029-02-14]\n",
                    "",
                );
            },
            "RD015",
            &["isms.toml"],
        ),
    ]
}

#[test]
fn each_broken_record_fires_exactly_its_rule() {
    for (what, change, rule, paths) in breakages() {
        let (_dir, root, repo) = example_repo();
        change(&root);
        common::commit_all(&repo, what, 1);
        let (code, json) = check_json(&root);
        let got = rule_paths(&json);
        assert!(!got.is_empty(), "{what}: nothing reported");
        assert!(
            got.iter().all(|(r, _)| r == rule),
            "{what}: expected only {rule}, got {got:?}"
        );
        if !paths.is_empty() {
            let mut at: Vec<&str> = got
                .iter()
                .map(|(_, p)| p.as_deref().unwrap_or(""))
                .collect();
            at.sort_unstable();
            at.dedup();
            assert_eq!(at, paths, "{what}: {rule} at the wrong files");
        }
        assert!(code == 0 || code == 1, "{what}: exit {code}");
    }
}

#[test]
fn example_keeps_every_promise_it_writes() {
    let (_dir, root, _repo) = example_repo();
    let (code, stdout, stderr) = isms(&[
        "check",
        root.to_str().expect("utf-8 path"),
        "--as-of",
        AS_OF,
        "--fail-on",
        "observation",
    ]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.contains("0 error(s), 0 major, 0 minor, 0 observation(s)"),
        "{stdout}"
    );
}

#[test]
fn undeclared_restore_test_is_a_promise_at_its_line() {
    let (_dir, root, repo) = example_repo();
    let path = "procedures/backup-and-restore.md";
    edit(
        &root.join(path),
        "recurring:\n  - record: restore-test\n    every: quarterly\n",
        "",
    );
    commit_all(&repo, "Drop the restore test declaration", 1);
    let text = std::fs::read_to_string(root.join(path)).expect("read");
    let line = text
        .lines()
        .position(|l| l == "Every quarter, a site reliability engineer restores:")
        .expect("promising line") as u64
        + 1;
    let (code, json) = check_json(&root);
    assert_eq!(
        findings(&json),
        vec![("RD021".to_string(), path.to_string(), line)]
    );
    let message = json["findings"][0]["message"].as_str().unwrap_or("");
    assert!(
        message.contains("PRO-BK") && message.contains("\"Every quarter\" (every 3 months)"),
        "{message}"
    );
    assert_eq!(code, 0, "an observation is below the default --fail-on");
}
