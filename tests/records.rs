//! Stage 2 readiness on the example ISMS: break one record at a time and
//! check that exactly the expected rule fires, at the expected file.

mod common;

use common::{check_json, edit, example_repo, remove, rule_paths};

/// (what is broken, the change, the only expected (rule, path)).
type Breakage = (
    &'static str,
    fn(&std::path::Path),
    &'static str,
    &'static str,
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
            "",
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
            "records/internal-audit/2026-internal-audit.md",
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
            "",
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
            "records/management-review/2027-01-management-review.md",
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
            "records/management-review/2027-01-management-review.md",
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
            "risk/risk-register.csv",
        ),
        (
            "no recent access review",
            |r| remove(&r.join("records/access-reviews/2027-01.md")),
            "RD008",
            "procedures/access-review.md",
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
            "records/training/2026-security-awareness.md",
        ),
        (
            "no incident log",
            |r| remove(&r.join("records/incidents/incident-log.md")),
            "RD010",
            "",
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
            "records/suppliers/supplier-register.csv",
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
            "records/internal-audit/2026-internal-audit.md",
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
            "policies/remote-working.md",
        ),
        (
            "no stage 2 date",
            |r| edit(&r.join("isms.toml"), "stage2 = 2027-03-02\n", ""),
            "RD015",
            "isms.toml",
        ),
    ]
}

#[test]
fn each_broken_record_fires_exactly_its_rule() {
    for (what, change, rule, path) in breakages() {
        let (_dir, root, repo) = example_repo();
        change(&root);
        common::commit_all(&repo, what, 1);
        let (code, json) = check_json(&root);
        let got = rule_paths(&json);
        let expected_path = (!path.is_empty()).then(|| path.to_string());
        assert!(!got.is_empty(), "{what}: nothing reported");
        assert!(
            got.iter().all(|(r, p)| r == rule
                && (expected_path.is_none() || p.as_ref() == expected_path.as_ref())),
            "{what}: expected only {rule} at {path:?}, got {got:?}"
        );
        assert!(code == 0 || code == 1, "{what}: exit {code}");
    }
}
