//! The CI recipes: `isms init --ci` writes a workflow that parses as YAML
//! and whose `isms` commands and options exist; the same holds for the
//! repository's `action.yml` and the pre-commit hook.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::isms;
use marked_yaml::Node;

/// Every string scalar in a YAML document.
fn strings(node: &Node, out: &mut Vec<String>) {
    match node {
        Node::Scalar(s) => out.push(s.as_str().to_string()),
        Node::Mapping(m) => {
            for (_, v) in m.iter() {
                strings(v, out);
            }
        }
        Node::Sequence(s) => {
            for v in s.iter() {
                strings(v, out);
            }
        }
    }
}

/// `(subcommand, options)` of every `isms` invocation in shell text, where
/// the program is written `isms` or `"$ISMS"`.
fn invocations(text: &str) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    for line in text.lines().filter(|l| !l.trim_start().starts_with('#')) {
        let tokens: Vec<&str> = line
            .split(|c: char| c.is_whitespace() || c == ';')
            .filter(|t| !t.is_empty())
            .collect();
        let mut i = 0;
        while i < tokens.len() {
            let token = tokens[i];
            i += 1;
            if token != "isms" && token != "\"$ISMS\"" {
                continue;
            }
            let Some(sub) = tokens.get(i) else {
                continue;
            };
            // The arguments run to the next shell operator.
            let args: Vec<&str> = tokens[i + 1..]
                .iter()
                .take_while(|t| !["||", "&&", ">", ">>", "|"].contains(t))
                .copied()
                .collect();
            i += 1 + args.len();
            let options = args
                .iter()
                .filter(|t| t.starts_with("--"))
                .map(|t| t.split('=').next().unwrap_or(t).to_string())
                .collect();
            out.push((sub.to_string(), options));
        }
    }
    out
}

/// Asserts that each invocation names a subcommand and options `isms` has.
fn assert_commands_exist(text: &str, context: &str) -> BTreeSet<String> {
    let found = invocations(text);
    assert!(!found.is_empty(), "{context}: no isms command found");
    let mut subs = BTreeSet::new();
    for (sub, options) in found {
        let (code, help, err) = isms(&[&sub, "--help"]);
        assert_eq!(code, 0, "{context}: `isms {sub}` does not exist: {err}");
        for option in options {
            assert!(
                help.contains(&format!("{option} ")) || help.contains(&format!("{option}\n")),
                "{context}: `isms {sub}` has no option {option}:\n{help}"
            );
        }
        subs.insert(sub);
    }
    subs
}

fn parse(text: &str, context: &str) -> Node {
    marked_yaml::parse_yaml(0, text).unwrap_or_else(|e| panic!("{context}: not YAML: {e}"))
}

fn init_in_subfolder(ci: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    git2::Repository::init(dir.path()).expect("git init");
    let root = dir.path().join("isms");
    let (code, out, err) = isms(&["init", root.to_str().expect("path"), "--ci", ci]);
    assert_eq!(code, 0, "{out}{err}");
    (dir, root)
}

fn workflow_commands(path: &Path, context: &str) -> BTreeSet<String> {
    let text = std::fs::read_to_string(path).expect("workflow written");
    for placeholder in ["{{dir}}", "{{prefix}}"] {
        assert!(
            !text.contains(placeholder),
            "{context}: {placeholder} left:\n{text}"
        );
    }
    let yaml = parse(&text, context);
    let mut all = Vec::new();
    strings(&yaml, &mut all);
    let mut subs = BTreeSet::new();
    for s in all {
        if s.contains("isms ") {
            // The ISMS folder is named where the commands need it.
            if s.contains("--dir") {
                assert!(s.contains("--dir isms"), "{context}: {s}");
            }
            subs.extend(assert_commands_exist(&s, context));
        }
    }
    subs
}

#[test]
fn init_writes_a_github_workflow_whose_commands_exist() {
    let (dir, _root) = init_in_subfolder("github");
    let path = dir.path().join(".github/workflows/isms.yml");
    let subs = workflow_commands(&path, "github workflow");
    assert_eq!(
        subs,
        ["build", "check", "diff"]
            .map(String::from)
            .into_iter()
            .collect()
    );
    let text = std::fs::read_to_string(&path).expect("read");
    for needed in [
        "fetch-depth: 0",
        "actions/cache@",
        "path: .git/isms",
        "isms diff \"origin/$GITHUB_BASE_REF\"",
        "github/codeql-action/upload-sarif@",
        "actions/upload-artifact@",
        "isms check isms --format sarif",
    ] {
        assert!(text.contains(needed), "lacks {needed}:\n{text}");
    }
}

#[test]
fn init_writes_a_gitlab_pipeline_whose_commands_exist() {
    let (dir, _root) = init_in_subfolder("gitlab");
    let path = dir.path().join(".gitlab-ci.yml");
    let subs = workflow_commands(&path, "gitlab pipeline");
    assert_eq!(
        subs,
        ["build", "check", "diff"]
            .map(String::from)
            .into_iter()
            .collect()
    );
    let text = std::fs::read_to_string(&path).expect("read");
    assert!(text.contains("GIT_DEPTH: \"0\""), "{text}");
    assert!(text.contains("codequality: gl-code-quality-report.json"));
    assert!(text.contains("--arg prefix \"isms/\""), "{text}");
}

#[test]
fn init_refuses_to_overwrite_a_workflow_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    git2::Repository::init(dir.path()).expect("git init");
    let existing = dir.path().join(".gitlab-ci.yml");
    std::fs::write(&existing, "stages: []\n").expect("write");
    let root = dir.path().join("isms");
    let (code, _, err) = isms(&["init", root.to_str().expect("path"), "--ci", "gitlab"]);
    assert_eq!(code, 2);
    assert!(err.contains(".gitlab-ci.yml"), "{err}");
    assert!(!root.exists());
    assert_eq!(
        std::fs::read_to_string(&existing).expect("read"),
        "stages: []\n"
    );
    let (code, _, _) = isms(&["init", root.to_str().expect("path"), "--ci", "jenkins"]);
    assert_eq!(code, 2);
}

#[test]
fn action_and_hook_name_commands_that_exist() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(repo.join("action.yml")).expect("action.yml");
    let yaml = parse(&text, "action.yml");
    let mapping = yaml.as_mapping().expect("mapping");
    assert_eq!(
        mapping
            .get_mapping("runs")
            .and_then(|r| r.get_scalar("using"))
            .map(|s| s.as_str()),
        Some("composite")
    );
    let mut all = Vec::new();
    strings(&yaml, &mut all);
    let run: String = all
        .into_iter()
        .filter(|s| s.contains("\"$ISMS\""))
        .collect::<Vec<_>>()
        .join("\n");
    let subs = assert_commands_exist(&run, "action.yml");
    assert_eq!(
        subs,
        ["build", "check", "diff"]
            .map(String::from)
            .into_iter()
            .collect()
    );

    let hook = std::fs::read_to_string(repo.join("docs/ci/pre-commit")).expect("hook");
    assert!(hook.starts_with("#!/bin/sh\n"));
    let subs = assert_commands_exist(&hook, "pre-commit");
    assert_eq!(
        subs,
        ["check", "diff"].map(String::from).into_iter().collect()
    );
}
