//! Actions and the certification cycle on the example ISMS: each new rule
//! fires at its file and line when the example is broken, the example reads
//! as the README tells after Stage 2, and with only `stage2` set every v1
//! finding is what it was before version 2.

mod common;

use std::path::Path;

use common::{commit_all, edit, example_repo, isms, AS_OF};
use serde_json::Value;

/// The date after Stage 2 the README documents.
const AFTER_STAGE2: &str = "2027-03-10";

const CERT_S1: &str = "records/certification/2027-01-stage1-audit.md";
const CERT_S2: &str = "records/certification/2027-03-stage2-audit.md";
const REVIEW: &str = "records/management-review/2027-01-management-review.md";
const PLAN: &str = "risk/risk-treatment-plan.md";
const LOG: &str = "records/corrective-actions/corrective-actions.csv";
const AUDIT: &str = "records/internal-audit/2026-internal-audit.md";

fn check_at(root: &Path, as_of: &str) -> Value {
    let (_, stdout, stderr) = isms(&[
        "check",
        root.to_str().expect("utf-8 path"),
        "--as-of",
        as_of,
        "--format",
        "json",
    ]);
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("bad json ({e}): {stdout}\n{stderr}"))
}

/// (rule, path, line) of every finding.
fn found(json: &Value) -> Vec<(String, String, u64)> {
    common::findings(json)
}

/// The 1-based line of the first line of `path` (under `root`) containing
/// `needle`.
fn line_of(root: &Path, path: &str, needle: &str) -> u64 {
    let text = std::fs::read_to_string(root.join(path)).expect("read");
    text.lines()
        .position(|l| l.contains(needle))
        .map(|i| i as u64 + 1)
        .unwrap_or_else(|| panic!("{path} lacks {needle:?}"))
}

/// A change to the example, the date to judge it on, and the one finding
/// expected: rule, file and the text on its line.
struct Case {
    what: &'static str,
    change: fn(&Path),
    as_of: &'static str,
    rule: &'static str,
    path: &'static str,
    line_text: &'static str,
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            what: "management-review action overdue",
            change: |r| {
                edit(
                    &r.join(REVIEW),
                    "owner: Sam Lee, due: 2027-03-31",
                    "owner: Sam Lee, due: 2027-02-10",
                )
            },
            as_of: AS_OF,
            rule: "RD016",
            path: REVIEW,
            line_text: "id: MR-2027-02",
        },
        Case {
            what: "treatment-plan action without owner",
            change: |r| {
                edit(
                    &r.join(PLAN),
                    "owner: Head of Engineering, due: 2027-09-30",
                    "due: 2027-09-30",
                )
            },
            as_of: AS_OF,
            rule: "RD017",
            path: PLAN,
            line_text: "id: RTP-2027-06",
        },
        Case {
            what: "corrective action closed without effectiveness review",
            change: |r| {
                edit(
                    &r.join(LOG),
                    "Weekly image rebuild pipeline,2027-01-29",
                    "Weekly image rebuild pipeline,",
                )
            },
            as_of: AS_OF,
            rule: "RD018",
            path: LOG,
            line_text: "CA-2026-06,",
        },
        Case {
            what: "action_id leads nowhere",
            change: |r| {
                edit(
                    &r.join(AUDIT),
                    "action_id: CA-2026-05",
                    "action_id: CA-2026-50",
                )
            },
            as_of: AS_OF,
            rule: "RD019",
            path: AUDIT,
            line_text: "action_id: CA-2026-50",
        },
        Case {
            what: "corrective action answers a finding that does not exist",
            change: |r| edit(&r.join(LOG), ",F-02,", ",F-20,"),
            as_of: AS_OF,
            rule: "RD019",
            path: LOG,
            line_text: "CA-2026-05,",
        },
        Case {
            what: "major nonconformity at Stage 2",
            change: |r| edit(&r.join(CERT_S2), "grade: minor", "grade: major"),
            as_of: AFTER_STAGE2,
            rule: "CB001",
            path: CERT_S2,
            line_text: "id: S2-NC01",
        },
        Case {
            what: "minor nonconformity without corrective action",
            change: |r| edit(&r.join(CERT_S2), "    action_id: CA-2027-02\n", ""),
            as_of: AFTER_STAGE2,
            rule: "CB003",
            path: CERT_S2,
            line_text: "id: S2-NC01",
        },
        Case {
            what: "Stage 1 concern still open",
            change: |r| edit(&r.join(CERT_S1), "    closed_on: 2027-02-08\n", ""),
            as_of: AS_OF,
            rule: "CB004",
            path: CERT_S1,
            line_text: "id: S1-C01",
        },
    ]
}

/// Findings of the unbroken example on the same date, which a case may
/// leave as they are.
fn baseline(as_of: &str) -> Vec<(String, String, u64)> {
    let (_dir, root, _repo) = example_repo();
    found(&check_at(&root, as_of))
}

#[test]
fn each_new_rule_fires_at_its_file_and_line() {
    let after = baseline(AFTER_STAGE2);
    for case in cases() {
        let (_dir, root, repo) = example_repo();
        (case.change)(&root);
        commit_all(&repo, case.what, 1);
        let json = check_at(&root, case.as_of);
        let base = if case.as_of == AS_OF {
            Vec::new()
        } else {
            after.clone()
        };
        let new: Vec<_> = found(&json)
            .into_iter()
            .filter(|f| !base.contains(f))
            .collect();
        let line = line_of(&root, case.path, case.line_text);
        assert_eq!(
            new,
            vec![(case.rule.to_string(), case.path.to_string(), line)],
            "{}",
            case.what
        );
    }
}

#[test]
fn minor_nonconformity_past_its_window() {
    // S2-NC01 is due 90 days after 2027-03-04, on 2027-06-02.
    let (_dir, root, _repo) = example_repo();
    let on_time: Vec<_> = found(&check_at(&root, "2027-06-02"))
        .into_iter()
        .filter(|f| f.0 == "CB002")
        .collect();
    assert!(on_time.is_empty(), "{on_time:?}");
    let late: Vec<_> = found(&check_at(&root, "2027-06-03"))
        .into_iter()
        .filter(|f| f.0 == "CB002")
        .collect();
    let line = line_of(&root, CERT_S2, "id: S2-NC01");
    assert_eq!(late, vec![("CB002".to_string(), CERT_S2.to_string(), line)]);
}

#[test]
fn after_stage2_the_example_tells_the_cycle() {
    let (dir, root, _repo) = example_repo();
    let json = check_at(&root, AFTER_STAGE2);
    // Nothing about actions or the certification body: the one minor is
    // open within its window, and every action is in time.
    let codes: Vec<String> = found(&json).into_iter().map(|f| f.0).collect();
    assert!(
        codes
            .iter()
            .all(|c| !c.starts_with("CB") && !("RD016"..="RD020").contains(&c.as_str())),
        "{codes:?}"
    );
    // The reviews that fall due before the surveillance audit say so.
    let early: Vec<&Value> = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == "DC007")
        .collect();
    assert!(!early.is_empty());
    for f in early {
        let message = f["message"].as_str().unwrap_or("");
        assert!(
            message.ends_with("before the surveillance audit on 2028-02-15"),
            "{message}"
        );
    }
    let out = dir.path().join("out");
    let (code, stdout, stderr) = isms(&[
        "build",
        root.to_str().expect("utf-8 path"),
        "--as-of",
        AFTER_STAGE2,
        "--out",
        out.to_str().expect("utf-8 path"),
    ]);
    assert!(code == 0 || code == 1, "{stdout}{stderr}");
    let index = std::fs::read_to_string(out.join("audit/index.html")).expect("index");
    assert!(
        index.contains("No major nonconformity is open; 1 minor nonconformity is open within the certification body&#x27;s window")
            || index.contains("No major nonconformity is open; 1 minor nonconformity is open within the certification body's window"),
        "verdict missing"
    );
    assert!(index.contains("Surveillance audit preparation"));
    assert!(index.contains("S2-NC01"));
    let actions = std::fs::read_to_string(out.join("audit/actions.html")).expect("actions");
    assert!(actions.contains("CA-2027-02"));
    // Each action links to the record it came from.
    assert!(actions.contains("REC-CA-2027.html\""));
    let csv = std::fs::read_to_string(out.join("audit/exports/actions.csv")).expect("csv");
    let row = csv
        .lines()
        .find(|l| l.contains("CA-2027-02"))
        .expect("CA-2027-02 row");
    assert!(row.starts_with("corrective-actions,CA-2027-02,"), "{row}");
    assert!(row.contains(",open,Zoë Müller,2027-05-31,"), "{row}");
}

#[test]
fn before_stage2_the_certification_section_shows_stage1_only() {
    let (dir, root, _repo) = example_repo();
    let out = dir.path().join("out");
    let (code, stdout, stderr) = isms(&[
        "build",
        root.to_str().expect("utf-8 path"),
        "--as-of",
        AS_OF,
        "--out",
        out.to_str().expect("utf-8 path"),
    ]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let index = std::fs::read_to_string(out.join("audit/index.html")).expect("index");
    assert!(index.contains("S1-C01"));
    // The Stage 2 report is dated after the as-of date: not held yet.
    assert!(!index.contains("S2-NC01"));
    assert!(index.contains("Stage 2 preparation"));
    assert!(index.contains("Internal-audit corrective actions closed"));
}

/// The example with its `[audit]` table cut back to what v1 knew (only
/// `stage1` and `stage2`, or a `stage2` moved), checked with the tool of
/// today: every finding of a v1 rule must be what the last release before
/// version 2 reported on the same files. The expected findings were made
/// with that release (`tests/golden/v1-findings.json`); regenerate them with
/// it when the example changes: `scripts/v1-findings.sh OLD_ISMS_BINARY`.
#[test]
fn v1_findings_are_unchanged_with_only_stage2() {
    let golden: Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/v1-findings.json"),
        )
        .expect("golden file"),
    )
    .expect("golden json");
    let variants = golden.as_object().expect("variants");
    assert!(variants.len() >= 4);
    for (name, expected) in variants {
        let (stage2, as_of) = name.split_once('@').expect("variant name stage2@as_of");
        let (_dir, root, repo) = example_repo();
        v1_audit_table(&root, stage2);
        commit_all(&repo, "Only v1 audit keys", 1);
        let json = check_at(&root, as_of);
        let got: Vec<&Value> = json["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .filter(|f| is_v1_rule(f["rule"].as_str().unwrap_or("")))
            .collect();
        let expected: Vec<&Value> = expected.as_array().expect("findings").iter().collect();
        assert_eq!(got, expected, "variant {name}");
    }
}

/// Rules of version 1 (sections 1-4 of the contract).
fn is_v1_rule(code: &str) -> bool {
    !(code.starts_with("CB")
        || ("RD016"..="RD020").contains(&code)
        || matches!(code, "DC014" | "DC015" | "SOA009")
        || ("RD022"..="RD026").contains(&code))
}

/// Rewrites the example's `[audit]` table to v1 keys, with `stage2` as
/// given (`none` leaves it out).
fn v1_audit_table(root: &Path, stage2: &str) {
    let path = root.join("isms.toml");
    let text = std::fs::read_to_string(&path).expect("isms.toml");
    let mut out = String::new();
    let mut in_audit = false;
    for line in text.lines() {
        if line.starts_with('[') {
            in_audit = line == "[audit]";
            out.push_str(line);
            out.push('\n');
            if in_audit {
                out.push_str("stage1 = 2027-01-12\n");
                if stage2 != "none" {
                    out.push_str(&format!("stage2 = {stage2}\n"));
                }
            }
            continue;
        }
        if !in_audit {
            out.push_str(line);
            out.push('\n');
        }
    }
    std::fs::write(&path, out).expect("write isms.toml");
}
