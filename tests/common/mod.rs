//! Helpers shared by the integration tests: a copy of the example ISMS in a
//! real git repository with fixed commit times, and the binary's JSON output.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use git2::{Repository, Signature, Time};
use serde_json::Value;

pub const AS_OF: &str = "2027-02-15";

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            if entry.file_name() != "public" {
                copy_dir(&entry.path(), &target);
            }
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// Commits every file of the work tree with a fixed time.
pub fn commit_all(repo: &Repository, message: &str, n: i64) {
    let mut index = repo.index().expect("index");
    index
        .add_all(["*"], git2::IndexAddOption::DEFAULT, None)
        .expect("add");
    index.update_all(["*"], None).expect("update");
    index.write().expect("write index");
    let tree = repo
        .find_tree(index.write_tree().expect("tree"))
        .expect("find tree");
    let sig = Signature::new(
        "Priya Shah",
        "priya@example.com",
        &Time::new(1_780_000_000 + n * 3600, 0),
    )
    .expect("sig");
    let parent = repo.head().ok().and_then(|h| h.peel_to_commit().ok());
    let parents: Vec<&git2::Commit> = parent.iter().collect();
    repo.commit(Some("HEAD"), &sig, &sig, message, &tree, &parents)
        .expect("commit");
}

/// A git repository holding a copy of the example ISMS in `isms/`.
pub fn example_repo() -> (tempfile::TempDir, PathBuf, Repository) {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("isms");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("example-isms"),
        &root,
    );
    let repo = Repository::init(dir.path()).expect("init");
    commit_all(&repo, "Import the ISMS", 0);
    (dir, root, repo)
}

pub fn isms(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_isms"))
        .args(args)
        .output()
        .expect("run isms");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

pub fn check_json(root: &Path) -> (i32, Value) {
    let (code, stdout, stderr) = isms(&[
        "check",
        root.to_str().expect("utf-8 path"),
        "--as-of",
        AS_OF,
        "--format",
        "json",
    ]);
    let json = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("bad json ({e}): {stdout}\n{stderr}"));
    (code, json)
}

pub fn findings(json: &Value) -> Vec<(String, String, u64)> {
    json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or("").to_string(),
                f["path"].as_str().unwrap_or("").to_string(),
                f["line"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

pub fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).expect("read");
    assert!(text.contains(from), "{} lacks {from:?}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).expect("write");
}

pub fn remove(path: &Path) {
    std::fs::remove_file(path).expect("remove");
}

/// (rule, path) of every finding.
pub fn rule_paths(json: &Value) -> Vec<(String, Option<String>)> {
    json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or("").to_string(),
                f["path"].as_str().map(str::to_string),
            )
        })
        .collect()
}
