//! End-to-end tests of the `isms` binary on real git repositories with fixed
//! commit times: exit codes, JSON shape, and the example ISMS broken one way
//! at a time.

mod common;

use common::{check_json, commit_all, edit, example_repo, findings, isms, AS_OF};

#[test]
fn example_is_clean_at_its_date() {
    let (_dir, root, _repo) = example_repo();
    let (code, json) = check_json(&root);
    assert_eq!(findings(&json), vec![], "{json:#}");
    assert_eq!(code, 0);
    let summary = &json["isms"];
    assert_eq!(summary["schema"], 1);
    assert_eq!(summary["as_of"], AS_OF);
    assert_eq!(summary["dirty"], false);
    assert_eq!(summary["stage1"]["ready"], true);
    assert_eq!(summary["stage2"]["major"], 0);
    assert_eq!(summary["commit"].as_str().map(str::len), Some(40));
}

#[test]
fn stale_approval_overdue_review_and_missing_control_are_reported_exactly() {
    let (_dir, root, repo) = example_repo();
    // A body edit committed after the approval.
    edit(
        &root.join("policies/access-control.md"),
        "## ",
        "## Revised ",
    );
    // A review date in the past.
    let aup = root.join("policies/acceptable-use.md");
    edit(&aup, "\nowner:", "\nnext_review: 2027-01-01\nowner:");
    // A control dropped from the SoA (7.4 is excluded, so no document claims it).
    let soa = root.join("soa/statement-of-applicability.md");
    let text = std::fs::read_to_string(&soa).expect("soa");
    let start = text.find("  - control: \"7.4\"").expect("7.4 entry");
    let end = start + text[start + 1..].find("  - control:").expect("next entry") + 1;
    std::fs::write(&soa, format!("{}{}", &text[..start], &text[end..])).expect("write soa");
    commit_all(&repo, "Edit policies", 1);

    let (code, json) = check_json(&root);
    let got = findings(&json);
    let rules: Vec<&str> = got.iter().map(|(r, _, _)| r.as_str()).collect();
    assert_eq!(rules, vec!["DC007", "DC006", "SOA002"], "{json:#}");
    assert_eq!(got[0].1, "policies/acceptable-use.md");
    assert_eq!(got[1].1, "policies/access-control.md");
    assert_eq!(got[2].1, "soa/statement-of-applicability.md");
    assert!(got.iter().all(|(_, _, line)| *line > 0));
    assert_eq!(json["findings"][2]["control"], "7.4");
    assert_eq!(code, 1);

    // The same with a broken front matter: exit 2, and the others still reported.
    let scope = root.join("scope/isms-scope.md");
    edit(&scope, "\ntitle:", "\ntitle: [unclosed\nx:");
    let (code, json) = check_json(&root);
    let rules: Vec<String> = findings(&json).into_iter().map(|(r, _, _)| r).collect();
    assert!(rules.contains(&"DC001".to_string()), "{rules:?}");
    assert!(
        rules.contains(&"DC006".to_string()) && rules.contains(&"SOA002".to_string()),
        "{rules:?}"
    );
    assert_eq!(code, 2);
}

#[test]
fn fail_on_threshold_and_bad_options() {
    let (_dir, root, repo) = example_repo();
    edit(
        &root.join("policies/access-control.md"),
        "## ",
        "## Revised ",
    );
    commit_all(&repo, "Edit", 1);
    let r = root.to_str().expect("path");
    assert_eq!(isms(&["check", r, "--as-of", AS_OF]).0, 1);
    assert_eq!(
        isms(&["check", r, "--as-of", AS_OF, "--fail-on", "major"]).0,
        0
    );
    assert_eq!(isms(&["check", r, "--as-of", "2027-13-01"]).0, 2);
    assert_eq!(isms(&["check", r, "--fail-on", "nope"]).0, 2);
    let (code, out, _) = isms(&["check", r, "--as-of", AS_OF]);
    assert_eq!(code, 1);
    assert!(out.contains("minor[DC006]"), "{out}");
    assert!(out.contains("--> policies/access-control.md:"), "{out}");
    assert!(out.contains("Stage 1: ready"), "{out}");
}

#[test]
fn missing_config_and_not_a_repository_exit_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (code, _, err) = isms(&[
        "check",
        dir.path().to_str().expect("path"),
        "--as-of",
        AS_OF,
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("isms.toml"), "{err}");
    std::fs::write(
        dir.path().join("isms.toml"),
        "[organisation]\nname = \"X\"\n",
    )
    .expect("write");
    let (code, json) = check_json(dir.path());
    assert_eq!(code, 2);
    assert!(
        json["error"].as_str().unwrap_or("").contains("repository"),
        "{json}"
    );
}

#[test]
fn unknown_config_key_is_an_error_with_its_line() {
    let (_dir, root, repo) = example_repo();
    edit(
        &root.join("isms.toml"),
        "[audit]\n",
        "[audit]\nstage3 = 2027-01-01\n",
    );
    commit_all(&repo, "typo", 1);
    let (code, json) = check_json(&root);
    assert_eq!(code, 2);
    let f = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["rule"] == "DC003" && f["path"] == "isms.toml")
        .unwrap_or_else(|| panic!("no DC003 at isms.toml: {json:#}"));
    assert_eq!(f["line"], 10, "{f}");
    assert!(
        f["message"].as_str().unwrap_or("").contains("stage3"),
        "{f}"
    );
}

#[test]
fn no_records_means_rd001_and_rd004_major() {
    let (_dir, root, repo) = example_repo();
    std::fs::remove_dir_all(root.join("records")).expect("rm records");
    commit_all(&repo, "drop records", 1);
    let (code, json) = check_json(&root);
    let majors: Vec<String> = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["severity"] == "major")
        .map(|f| f["rule"].as_str().unwrap_or("").to_string())
        .collect();
    assert!(
        majors.contains(&"RD001".to_string()) && majors.contains(&"RD004".to_string()),
        "{majors:?}"
    );
    assert_eq!(code, 1);
}

#[test]
fn approve_records_a_current_approval_and_changes_nothing_else() {
    let (_dir, root, repo) = example_repo();
    let path = root.join("policies/access-control.md");
    edit(&path, "## ", "## Revised ");
    // A new text gets a new version (else DC015).
    edit(&path, "version: \"2.1\"", "version: \"2.2\"");
    let before = std::fs::read_to_string(&path).expect("read");
    let (code, out, err) = isms(&[
        "approve",
        "POL-AC",
        "--by",
        "Sam Lee",
        "--on",
        "2027-02-01",
        "--dir",
        root.to_str().expect("path"),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    let after = std::fs::read_to_string(&path).expect("read");
    assert!(after.contains("approved_digest: sha256:"));
    assert!(after.contains("approved_on: 2027-02-01"));
    let strip = |t: &str| {
        t.lines()
            .filter(|l| !l.starts_with("approved_"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(strip(&before), strip(&after));
    commit_all(&repo, "Approve", 2);
    let (_, json) = check_json(&root);
    assert_eq!(findings(&json), vec![], "{json:#}");
}

#[test]
fn controls_csv_lists_the_catalogue() {
    let (code, out, _) = isms(&["controls", "--format", "csv"]);
    assert_eq!(code, 0);
    let mut lines = out.lines();
    assert_eq!(lines.next(), Some("id,title,theme"));
    assert_eq!(lines.count(), 93);
}

#[test]
fn explain_every_rule() {
    let (code, out, _) = isms(&["explain"]);
    assert_eq!(code, 0);
    for code in ["DC001", "DC013", "SOA008", "ST005", "RD015"] {
        assert!(out.contains(code), "{code}");
    }
    let (code, out, _) = isms(&["explain", "dc006"]);
    assert_eq!(code, 0);
    assert!(out.contains("Clause: 7.5.3"));
    assert_eq!(isms(&["explain", "XX999"]).0, 2);
}

#[test]
fn init_and_new_give_an_isms_without_input_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("isms");
    let r = root.to_str().expect("path");
    assert_eq!(isms(&["init", r]).0, 0);
    assert!(root.join(".git").is_dir());
    assert_eq!(
        isms(&["new", "procedure", "Access review", "--dir", r]).0,
        0
    );
    assert!(root.join("procedures/access-review.md").is_file());
    assert_eq!(isms(&["new", "nonsense", "X", "--dir", r]).0, 2);
    let (code, _, _) = isms(&["check", r, "--as-of", AS_OF, "--fail-on", "error"]);
    assert_eq!(code, 0);
    let (code, json) = check_json(&root);
    assert_eq!(code, 1);
    assert_eq!(json["isms"]["stage1"]["ready"], false);
}

#[test]
fn audit_index_lists_all_93_controls_and_neutralises_formulas() {
    let (_dir, root, repo) = example_repo();
    let soa = root.join("soa/statement-of-applicability.md");
    let text = std::fs::read_to_string(&soa).expect("soa");
    let start = text.find("justification:").expect("justification");
    std::fs::write(
        &soa,
        format!(
            "{}justification: \"=HYPERLINK(1)\"\n{}",
            &text[..start],
            &text[start..].split_once('\n').expect("line").1
        ),
    )
    .expect("write");
    commit_all(&repo, "formula", 1);
    let out = tempfile::tempdir().expect("out");
    let site = out.path().join("site");
    let (code, _, err) = isms(&[
        "build",
        root.to_str().expect("path"),
        "--out",
        site.to_str().expect("path"),
        "--as-of",
        AS_OF,
    ]);
    assert!(code == 0 || code == 1, "{err}");
    let page = std::fs::read_to_string(site.join("audit/soa.html")).expect("soa page");
    assert_eq!(page.matches("<tr id=\"control-").count(), 93);
    let csv = std::fs::read_to_string(site.join("audit/exports/soa.csv")).expect("soa.csv");
    let mut rdr = csv::Reader::from_reader(csv.as_bytes());
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.expect("row")).collect();
    assert_eq!(rows.len(), 93);
    assert_eq!(&rows[0][0], "5.1");
    assert_eq!(&rows[92][0], "8.34");
    assert!(rows.iter().all(|r| !r[5].starts_with('=')));
    assert!(rows.iter().any(|r| &r[5] == "'=HYPERLINK(1)"));

    // The manifest lists every source file read, with a checksum that verifies.
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(site.join("audit/exports/manifest.json")).expect("manifest"),
    )
    .expect("manifest json");
    assert_eq!(manifest["dirty"], false);
    assert_eq!(manifest["as_of"], AS_OF);
    let files = manifest["files"].as_array().expect("files");
    assert!(files.iter().any(|f| f["path"] == "isms.toml"));
    assert!(files.iter().any(|f| f["path"] == "risk/risk-register.csv"));
    for f in files {
        let path = f["path"].as_str().expect("path");
        let bytes = std::fs::read(root.join(path)).expect("source file");
        use sha2::Digest;
        let digest = sha2::Sha256::digest(&bytes);
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(f["sha256"].as_str(), Some(hex.as_str()), "{path}");
    }
    let findings: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(site.join("audit/exports/findings.json")).expect("findings"),
    )
    .expect("findings json");
    assert_eq!(findings["isms"]["schema"], 1);
    let register =
        std::fs::read_to_string(site.join("audit/exports/register.csv")).expect("register");
    assert!(register.lines().any(|l| l.starts_with("POL-AC,")));
}

/// Every file under `dir`, by relative path.
fn tree(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .expect("prefix")
                .to_string_lossy()
                .into_owned();
            (rel, std::fs::read(e.path()).expect("read"))
        })
        .collect();
    out.sort();
    out
}

#[test]
fn two_clones_in_different_folders_build_byte_identical_sites() {
    let mut sites = Vec::new();
    let mut keep = Vec::new();
    for _ in 0..2 {
        let (dir, root, _repo) = example_repo();
        let out = dir.path().join("out");
        let (code, _, err) = isms(&[
            "build",
            root.to_str().expect("path"),
            "--out",
            out.to_str().expect("path"),
            "--as-of",
            AS_OF,
        ]);
        assert_eq!(code, 0, "{err}");
        sites.push(tree(&out));
        keep.push(dir);
    }
    assert!(sites[0].len() > 50);
    assert_eq!(sites[0].len(), sites[1].len());
    for (a, b) in sites[0].iter().zip(&sites[1]) {
        assert_eq!(a.0, b.0);
        assert!(a.1 == b.1, "{} differs between the two builds", a.0);
    }
    for (path, bytes) in &sites[0] {
        let text = String::from_utf8_lossy(bytes);
        for dir in &keep {
            assert!(
                !text.contains(&*dir.path().to_string_lossy()),
                "{path} holds an absolute path"
            );
        }
    }
}

#[test]
fn clause_page_shows_a_gap_and_findings_page_lists_findings() {
    let (dir, root, repo) = example_repo();
    std::fs::remove_dir_all(root.join("records/internal-audit")).expect("rm audit");
    commit_all(&repo, "drop the internal audit", 1);
    let out = dir.path().join("out");
    let (code, _, err) = isms(&[
        "build",
        root.to_str().expect("path"),
        "--out",
        out.to_str().expect("path"),
        "--as-of",
        AS_OF,
    ]);
    assert_eq!(code, 1, "{err}");
    let clauses = std::fs::read_to_string(out.join("audit/clauses.html")).expect("clauses page");
    assert!(
        clauses.contains("Gap: nothing meets this clause (RD001)"),
        "{clauses}"
    );
    let findings = std::fs::read_to_string(out.join("audit/findings.html")).expect("findings page");
    assert!(findings.contains("<code>RD001</code>"));
}

/// A linked work tree (`git worktree add`) keeps a `.git` file, not a
/// folder: the ISMS must be found from a path relative to it all the same.
#[test]
fn check_with_a_relative_path_in_a_linked_worktree() {
    let (dir, _root, repo) = common::example_repo();
    let linked = dir.path().join("linked");
    repo.worktree("linked", &linked, None)
        .expect("add worktree");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_isms"))
        .current_dir(&linked)
        .args(["check", "isms", "--as-of", common::AS_OF])
        .output()
        .expect("run isms");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
