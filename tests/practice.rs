//! Documentation that matches practice, on the example ISMS: break one thing
//! at a time (an SoA left in draft, a supplier missing from the register,
//! access removed late, a confirmation missing, training lapsed) and check
//! that exactly the expected rule fires at the expected file and line, and
//! that the edge a day earlier stays quiet.

mod common;

use std::path::Path;

use common::{check_json, commit_all, edit, example_repo, findings};

/// The 1-based line of `root/path` that equals `line`.
fn line_of(root: &Path, path: &str, line: &str) -> u64 {
    let text = std::fs::read_to_string(root.join(path)).expect("read");
    text.lines()
        .position(|l| l == line)
        .unwrap_or_else(|| panic!("{path} lacks the line {line:?}")) as u64
        + 1
}

/// The findings after `change`, committed, as (rule, path, line).
fn after(
    change: impl Fn(&Path),
) -> (
    Vec<(String, String, u64)>,
    serde_json::Value,
    std::path::PathBuf,
    tempfile::TempDir,
) {
    let (dir, root, repo) = example_repo();
    change(&root);
    commit_all(&repo, "Change one thing", 1);
    let (_, json) = check_json(&root);
    (findings(&json), json, root, dir)
}

fn only(rule: &str, path: &str, line: u64) -> Vec<(String, String, u64)> {
    vec![(rule.to_string(), path.to_string(), line)]
}

#[test]
fn a_draft_soa_is_soa009_at_its_status_line() {
    let path = "soa/statement-of-applicability.md";
    let (got, _, root, _dir) = after(|r| edit(&r.join(path), "status: approved", "status: draft"));
    let line = line_of(&root, path, "status: draft");
    assert!(
        got.contains(&("SOA009".to_string(), path.to_string(), line)),
        "{got:?}"
    );
    // Approved documents linking to the draft SoA are DC011; nothing else.
    assert!(
        got.iter().all(|(r, _, _)| r == "SOA009" || r == "DC011"),
        "{got:?}"
    );
}

#[test]
fn an_inventory_supplier_missing_from_the_register_is_rd023_at_its_row() {
    let path = "records/suppliers/supplier-inventory.csv";
    let (got, json, root, _dir) = after(|r| {
        edit(
            &r.join(path),
            "Northern Fruit Co,",
            "Enrichly Data GmbH,Data enrichment API,yes,\nNorthern Fruit Co,",
        )
    });
    let line = line_of(&root, path, "Enrichly Data GmbH,Data enrichment API,yes,");
    assert_eq!(got, only("RD023", path, line));
    let message = json["findings"][0]["message"].as_str().unwrap_or("");
    assert!(message.contains("Enrichly Data GmbH"), "{message}");
}

#[test]
fn a_contractors_employer_missing_from_the_register_is_rd023_at_the_roster_row() {
    // A contractor who joined five days ago: inside the training and
    // acknowledgement windows, so only the supplier is missing.
    let path = "people/roster.csv";
    let row = "Ola Nordmann,Contract Engineer,yes,ola@wordsmith.example,2027-02-10,,Wordsmith Partners Ltd";
    let (got, _, root, _dir) = after(|r| {
        let p = r.join(path);
        let text = std::fs::read_to_string(&p).expect("read");
        std::fs::write(&p, format!("{text}{row}\n")).expect("write");
    });
    assert_eq!(got, only("RD023", path, line_of(&root, path, row)));
}

#[test]
fn access_removed_after_the_last_allowed_day_is_rd024_at_the_leavers_row() {
    let path = "records/leavers/leavers.csv";
    // Left 2026-12-18, one day allowed: the 19th is in time, the 20th not.
    let (got, _, _, _dir) = after(|r| {
        edit(
            &r.join(path),
            "2026-12-18,2026-12-18",
            "2026-12-18,2026-12-19",
        )
    });
    assert!(got.is_empty(), "{got:?}");
    let (got, _, _, _dir) = after(|r| {
        edit(
            &r.join(path),
            "2026-12-18,2026-12-18",
            "2026-12-18,2026-12-20",
        )
    });
    assert_eq!(got, only("RD024", path, 2));
}

#[test]
fn a_leaver_without_a_leavers_row_is_rd024_at_the_roster_row() {
    let (got, json, root, _dir) = after(|r| {
        edit(
            &r.join("records/leavers/leavers.csv"),
            "Dylan Hughes,2026-12-18,2026-12-18,",
            "Someone Else,2026-12-18,2026-12-18,",
        )
    });
    let line = line_of(
        &root,
        "people/roster.csv",
        "Dylan Hughes,Support Engineer,yes,dylan.hughes@northwind.example,,2026-12-18,",
    );
    assert_eq!(got, only("RD024", "people/roster.csv", line));
    let message = json["findings"][0]["message"].as_str().unwrap_or("");
    assert!(message.contains("Dylan Hughes"), "{message}");
}

#[test]
fn a_missing_or_outdated_acknowledgement_is_rd026_at_the_acknowledge_line() {
    let doc = "policies/acceptable-use.md";
    let csv = "records/acknowledgements/acceptable-use-2026.csv";
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("example-isms")
            .join(csv),
    )
    .expect("read");
    let sam = text
        .lines()
        .find(|l| l.starts_with("Sam Lee,"))
        .expect("Sam's row")
        .to_string();
    let old = sam.replace(",2.0,", ",1.4,");
    let (got, json, root, _dir) = after(|r| edit(&r.join(csv), &sam, &old));
    let line = line_of(&root, doc, "acknowledge: true");
    assert_eq!(got, only("RD026", doc, line));
    let message = json["findings"][0]["message"].as_str().unwrap_or("");
    assert!(
        message.contains("1 of") && message.contains("Sam Lee"),
        "{message}"
    );
}

#[test]
fn training_a_day_older_than_the_interval_is_rd009() {
    let csv = "records/training/training-2026.csv";
    let record = "records/training/2026-security-awareness.md";
    // As of 2027-02-15, a completion on 2026-02-15 is exactly 12 months old.
    let (got, _, _, _dir) =
        after(|r| edit(&r.join(csv), "Sam Lee,2026-10-16", "Sam Lee,2026-02-15"));
    assert!(got.is_empty(), "{got:?}");
    let (got, json, root, _dir) =
        after(|r| edit(&r.join(csv), "Sam Lee,2026-10-16", "Sam Lee,2026-02-14"));
    assert_eq!(
        got,
        only(
            "RD009",
            record,
            line_of(&root, record, "data: training-2026.csv")
        )
    );
    let message = json["findings"][0]["message"].as_str().unwrap_or("");
    assert!(
        message.contains("lapsed") && message.contains("Sam Lee"),
        "{message}"
    );
}

#[test]
fn training_past_its_expiry_is_rd009() {
    let csv = "records/training/training-2026.csv";
    let (got, _, _, _dir) = after(|r| {
        let p = r.join(csv);
        let text = std::fs::read_to_string(&p).expect("read");
        let text = text
            .replacen(
                "person,completed_on\n",
                "person,completed_on,expires_on\n",
                1,
            )
            .replacen("Sam Lee,2026-10-16\n", "Sam Lee,2026-10-16,2027-02-14\n", 1);
        std::fs::write(&p, text).expect("write");
    });
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].0, "RD009");
}

#[test]
fn an_internal_audit_programme_that_skips_a_clause_is_rd022_at_the_latest_audit() {
    let path = "records/internal-audit/2026-internal-audit.md";
    let (got, json, root, _dir) = after(|r| {
        edit(
            &r.join(path),
            "scope_clauses: [\"4\", \"5\", \"6\", \"7\", \"8\", \"9\", \"10\"]",
            "scope_clauses: [\"4\", \"5\", \"6\", \"7\", \"8\", \"9.1\", \"10.2\"]",
        )
    });
    // Sub-clauses cover their clause: still quiet.
    assert!(got.is_empty(), "{got:?}");
    drop((json, root));
    let (got, json, root, _dir) = after(|r| {
        edit(
            &r.join(path),
            "scope_clauses: [\"4\", \"5\", \"6\", \"7\", \"8\", \"9\", \"10\"]",
            "scope_clauses: [\"4\", \"5\", \"6\", \"7\", \"8\", \"10\"]",
        )
    });
    let line = line_of(
        &root,
        path,
        "scope_clauses: [\"4\", \"5\", \"6\", \"7\", \"8\", \"10\"]",
    );
    assert_eq!(got, only("RD022", path, line));
    let message = json["findings"][0]["message"].as_str().unwrap_or("");
    assert!(
        message.contains("clause(s) 9 uncovered") && message.contains("Stage 2 on 2027-03-02"),
        "{message}"
    );
}
