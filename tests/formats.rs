//! The pull-request formats (`--format sarif|github|markdown`) end to end:
//! on a real repository whose ISMS is a subfolder, paths are relative to the
//! repository root, every finding is there once, and a run that cannot use
//! its input still prints its format.

mod common;

use common::{commit_all, edit, example_repo, isms, AS_OF};

fn run(root: &std::path::Path, format: &str) -> (i32, String) {
    let (code, stdout, _) = isms(&[
        "check",
        root.to_str().expect("utf-8 path"),
        "--as-of",
        AS_OF,
        "--format",
        format,
    ]);
    (code, stdout)
}

/// The example with one minor (DC006) and one observation (DC008).
fn with_findings() -> (tempfile::TempDir, std::path::PathBuf) {
    let (dir, root, repo) = example_repo();
    edit(
        &root.join("policies/acceptable-use.md"),
        "## Who this applies to",
        "## Who this applies to\n\nAn edit after approval.",
    );
    commit_all(&repo, "Edit the acceptable use policy", 1);
    edit(
        &root.join("policies/cryptography.md"),
        "# ",
        "An uncommitted edit.\n\n# ",
    );
    (dir, root)
}

#[test]
fn sarif_results_point_at_files_from_the_repository_root() {
    let (_dir, root) = with_findings();
    let (code, stdout) = run(&root, "sarif");
    assert_eq!(code, 1);
    let log: serde_json::Value = serde_json::from_str(&stdout).expect("SARIF is JSON");
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    assert!(
        rules.len() >= 40,
        "every rule of the catalogue is described"
    );
    for rule in rules {
        assert!(!rule["fullDescription"]["text"]
            .as_str()
            .unwrap_or("")
            .is_empty());
        assert!(rule["help"]["text"]
            .as_str()
            .unwrap_or("")
            .contains("How to fix it"));
    }
    let results: Vec<(String, String, String, u64)> = run["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            let location = &r["locations"][0]["physicalLocation"];
            (
                r["ruleId"].as_str().unwrap_or("").to_string(),
                r["level"].as_str().unwrap_or("").to_string(),
                location["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap_or("")
                    .to_string(),
                location["region"]["startLine"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(
        results,
        vec![
            (
                "DC006".to_string(),
                "warning".to_string(),
                "isms/policies/acceptable-use.md".to_string(),
                10
            ),
            (
                "DC008".to_string(),
                "note".to_string(),
                "isms/policies/cryptography.md".to_string(),
                1
            ),
        ]
    );
    for r in run["results"].as_array().expect("results") {
        let index = r["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[index]["id"], r["ruleId"]);
    }
}

#[test]
fn github_annotations_one_per_line() {
    let (_dir, root) = with_findings();
    let (code, stdout) = run(&root, "github");
    assert_eq!(code, 1);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    assert!(
        lines[0].starts_with("::warning file=isms/policies/acceptable-use.md,line=10,title=DC006 ")
    );
    assert!(lines[1].starts_with("::notice file=isms/policies/cryptography.md,line=1,title=DC008 "));
    assert!(lines[2].starts_with(
        "::notice title=isms summary::0 error(s), 0 major, 1 minor, 1 observation(s)"
    ));
}

#[test]
fn markdown_summary_groups_findings_by_severity() {
    let (_dir, root) = with_findings();
    let (code, stdout) = run(&root, "markdown");
    assert_eq!(code, 1);
    assert!(stdout.starts_with("### ISMS check: 0 errors, 0 major, 1 minor, 1 observation\n"));
    assert!(stdout.contains("| Stage 1 | **ready** |"));
    let minor = stdout.find("#### minor (1)").expect("minor section");
    let observation = stdout
        .find("#### observation (1)")
        .expect("observation section");
    assert!(minor < observation);
    assert!(stdout.contains("- **DC006** `isms/policies/acceptable-use.md:10`: "));
    assert!(
        !stdout.contains("id=\""),
        "no HTML ids that clash when pasted twice"
    );
}

#[test]
fn a_run_that_cannot_use_its_input_still_prints_its_format() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (code, stdout) = run(dir.path(), "sarif");
    assert_eq!(code, 2);
    let log: serde_json::Value = serde_json::from_str(&stdout).expect("SARIF is JSON");
    let invocation = &log["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    assert!(
        invocation["toolExecutionNotifications"][0]["message"]["text"]
            .as_str()
            .unwrap_or("")
            .contains("no isms.toml")
    );
    let (code, stdout) = run(dir.path(), "github");
    assert_eq!(code, 2);
    assert!(stdout.starts_with("::error title=isms::no isms.toml"));
    let (code, stdout) = run(dir.path(), "markdown");
    assert_eq!(code, 2);
    assert!(stdout.contains("could not be used"));
}
